#!/usr/bin/env bash
# Control-plane figures of paycrypt-server for PERFORMANCE.md, on a durable state (--state, every change
# on disk before it is answered): CreateKey/s, GetKey and ListKeys latency with KEYS keys stored, and the
# data plane's ReEncryptData/s with few keys and with KEYS keys stored.
# Usage: server/bench/control.sh [CONNECTIONS] [SECONDS] [KEYS]      (defaults 32, 10 and 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
conns=${1:-32}
secs=${2:-10}
keys=${3:-100000}
cargo build --release -p paycrypt-server --bins
tmp=$(mktemp -d)
state=(--state "$tmp/state.redb" --state-key-file "$tmp/state.key")
# The demo keys (the data-plane case uses them) put into the state.
target/release/paycrypt-server import "${state[@]}" --keys cli/src/demo-keys.json
RUST_LOG=info target/release/paycrypt-server --listen 127.0.0.1:0 "${state[@]}" >"$tmp/out" 2>/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -s "$tmp/out" ] && break; sleep 0.1; done
endpoint=$(sed 's/^paycrypt-server listening on //' "$tmp/out")
gen() { target/release/paycrypt-loadgen --endpoint "$endpoint" --server-pid "$pid" "$@"; }
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
gen --case aes-dukpt --connections "$conns" --seconds 3 >/dev/null   # warm-up
gen --case aes-dukpt --connections "$conns" --seconds "$secs"
gen --case create-key --connections "$conns" --seconds "$secs"
gen --case get-key --connections 1 --requests 1 --preload "$keys" >/dev/null
echo "state file: $(du -h "$tmp/state.redb" | cut -f1)"
gen --case get-key --connections "$conns" --seconds "$secs"
gen --case get-key --connections 1 --seconds "$secs"
gen --case list-keys --connections "$conns" --seconds "$secs"
gen --case list-keys --connections 1 --seconds "$secs"
gen --case aes-dukpt --connections "$conns" --seconds "$secs"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -TERM "$pid"
wait "$pid"
