#!/usr/bin/env bash
# Load figures of paycrypt-server for PERFORMANCE.md: signed ReEncryptData over keep-alive connections,
# generator and server on this machine, the server logging one line per request (to /dev/null).
# Usage: server/bench/load.sh [CONNECTIONS] [SECONDS]      (defaults 32 and 15)
# Env: SERVER_WORKERS (default: one per core), LOADGEN_THREADS (default 1), RATE (default: half of the
#      AES DUKPT maximum), SOAK_REQUESTS (default 1000000; 0 skips the soak).
set -euo pipefail
cd "$(dirname "$0")/../.."
conns=${1:-32}
secs=${2:-15}
threads=${LOADGEN_THREADS:-1}
soak=${SOAK_REQUESTS:-1000000}
cargo build --release -p paycrypt-server --bins
tmp=$(mktemp -d)
workers=()
[ -n "${SERVER_WORKERS:-}" ] && workers=(--workers "$SERVER_WORKERS")
RUST_LOG=info target/release/paycrypt-server --listen 127.0.0.1:0 "${workers[@]}" >"$tmp/out" 2>/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -s "$tmp/out" ] && break; sleep 0.1; done
endpoint=$(sed 's/^paycrypt-server listening on //' "$tmp/out")
gen() { target/release/paycrypt-loadgen --endpoint "$endpoint" --threads "$threads" --server-pid "$pid" "$@"; }
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
gen --case aes-dukpt --connections "$conns" --seconds 3 >/dev/null   # warm-up
aes=$(gen --case aes-dukpt --connections "$conns" --seconds "$secs")
echo "$aes"
gen --case tdes-dukpt --connections "$conns" --seconds "$secs"
max=$(printf '%s\n' "$aes" | sed -n 's/.*req_per_s=\([0-9]*\).*/\1/p')
rate=${RATE:-$((max / 2))}
gen --case aes-dukpt --connections "$conns" --seconds "$secs" --rate "$rate"
if [ "$soak" -gt 0 ]; then
    gen --case aes-dukpt --connections "$conns" --requests "$soak"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -TERM "$pid"
wait "$pid"
