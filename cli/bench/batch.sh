#!/usr/bin/env bash
# Batch throughput of small DUKPT -> AES re-encryptions (the P2PE translation), release build.
#
#   cli/bench/batch.sh [LINES] [WORKERS]     (defaults: 100000 lines, one worker per core)
#
# Makes LINES ReEncryptData lines: TDES DUKPT (the demo X9.24-1 test BDK, KSN counters 1, 2, 3, ...,
# so 1 to 20 counter bits set, CBC) to the demo AES-128 data key (CBC), 16 bytes of data each. Then runs
# `paycrypt batch` on them, with hyperfine (3 runs) if it is installed, else once under /usr/bin/time
# (wall time and maximum resident memory). ops/s = LINES / wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."
lines=${1:-100000}
workers=${2:-}
cargo build --release -q -p paycrypt-cli
bin=target/release/paycrypt
input=$(mktemp /tmp/paycrypt-batch-XXXXXX.jsonl)
trap 'rm -f "$input"' EXIT
awk -v n="$lines" 'BEGIN {
  for (i = 1; i <= n; i++) {
    c = (i - 1) % 1048575 + 1
    printf "{\"Operation\":\"ReEncryptData\",\"Input\":{\"IncomingKeyIdentifier\":\"alias/demo-tdes-bdk\",\"OutgoingKeyIdentifier\":\"alias/demo-aes-key\",\"CipherText\":\"%08X%08X%08X%08X\",\"IncomingEncryptionAttributes\":{\"Dukpt\":{\"KeySerialNumber\":\"FFFF9876543210E%05X\",\"DukptKeyVariant\":\"REQUEST\",\"Mode\":\"CBC\"}},\"OutgoingEncryptionAttributes\":{\"Symmetric\":{\"Mode\":\"CBC\",\"InitializationVector\":\"000102030405060708090A0B0C0D0E0F\"}}}}\n", i, i * 7, i * 13, i * 31, c
  }
}' > "$input"
args=(batch)
[ -n "$workers" ] && args+=(--workers "$workers")
echo "lines: $lines ($(wc -c < "$input") bytes), cores: $(nproc), command: $bin ${args[*]} < input > /dev/null"
# A check that the lines are answered (not errors) before timing them.
errors=$("$bin" "${args[@]}" < "$input" 2>/dev/null | grep -c '"Error"' || true)
[ "$errors" = 0 ] || { echo "unexpected error lines: $errors" >&2; exit 1; }
if command -v hyperfine >/dev/null; then
  hyperfine --runs 3 --warmup 1 --export-json /tmp/paycrypt-batch-bench.json \
    "$bin ${args[*]} < $input > /dev/null 2>&1"
  awk -v n="$lines" '/"mean"/ { gsub(/[",]/, ""); printf "mean %.3f s: %.0f ops/s\n", $2, n / $2 }' \
    /tmp/paycrypt-batch-bench.json
else
  /usr/bin/time -f "%e s wall, %M KiB max RSS" "$bin" "${args[@]}" < "$input" > /dev/null
fi
