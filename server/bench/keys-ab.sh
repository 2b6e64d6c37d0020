#!/usr/bin/env bash
# The data plane with few keys and with many, side by side (issue 14): two release servers on durable
# states (--state), both with the demo keys imported, the second with KEYS more AES-128 keys made by
# CreateKey (the generator's --preload, as a client would); then ReEncryptData AES DUKPT -> AES runs
# alternating between them, ROUNDS times, each printing requests/s, latency and CPU per request.
# Usage: server/bench/keys-ab.sh [SECONDS] [ROUNDS] [KEYS] [CONNECTIONS]   (defaults 8, 3, 100000, 32)
# Env: SERVER_WORKERS (default: one per core).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-8}
rounds=${2:-3}
keys=${3:-100000}
conns=${4:-32}
cargo build --release -p paycrypt-server --bins
workers=()
[ -n "${SERVER_WORKERS:-}" ] && workers=(--workers "$SERVER_WORKERS")
pids=()
endpoints=()
tmps=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "${tmps[@]}"' EXIT
for extra in 0 "$keys"; do
    tmp=$(mktemp -d)
    tmps+=("$tmp")
    state=(--state "$tmp/state.redb" --state-key-file "$tmp/state.key")
    target/release/paycrypt-server import "${state[@]}" --keys cli/src/demo-keys.json 2>/dev/null
    RUST_LOG=info target/release/paycrypt-server --listen 127.0.0.1:0 "${state[@]}" "${workers[@]}" \
        >"$tmp/out" 2>/dev/null &
    pids+=($!)
    for _ in $(seq 100); do [ -s "$tmp/out" ] && break; sleep 0.1; done
    endpoint=$(sed 's/^paycrypt-server listening on //' "$tmp/out")
    endpoints+=("$endpoint")
    if [ "$extra" -gt 0 ]; then
        target/release/paycrypt-loadgen --endpoint "$endpoint" --case get-key --connections "$conns" \
            --requests 1 --preload "$extra" 2>&1 | grep preloaded
    fi
    target/release/paycrypt-loadgen --endpoint "$endpoint" --case aes-dukpt --connections "$conns" \
        --seconds 3 >/dev/null   # warm-up
done
names=("8 keys" "$((keys + 8)) keys")
echo "machine: $(nproc) cores; $(date -u +%FT%TZ); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$rounds"); do
    for i in 0 1; do
        line=$(target/release/paycrypt-loadgen --endpoint "${endpoints[$i]}" --server-pid "${pids[$i]}" \
            --case aes-dukpt --connections "$conns" --seconds "$secs")
        echo "${names[$i]}: $line"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
