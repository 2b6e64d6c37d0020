#!/usr/bin/env bash
# Batch throughput of small DUKPT -> AES re-encryptions (the P2PE translation), release build.
#
#   cli/bench/batch.sh [LINES] [WORKERS] [KIND]     (defaults: 100000 lines, one worker per core, tdes)
#
# KIND:
#   tdes      TDES DUKPT (the demo X9.24-1 test BDK, KSN counters 1, 2, 3, ..., so 1 to 20 counter bits
#             set, CBC) to the demo AES-128 data key (CBC), 16 bytes of data each
#   tdes-random  the same with counters drawn uniformly over the 21-bit range (awk's srand(1): the same
#             lines on every run)
#   aes-random   AES-128 DUKPT (the demo X9.24-3 AES-128 BDK, counters drawn the same way) to the same
#             AES-128 CBC key
#   compare   tdes-random and aes-random with the same binary, one after the other, and their ratio
# Then runs `paycrypt batch` on the lines, with hyperfine (3 runs) if it is installed, else 3 times under
# /usr/bin/time (wall time and maximum resident memory; the median wall time counts). ops/s = LINES /
# wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."
lines=${1:-100000}
workers=${2:-}
kind=${3:-tdes}
cargo build --release -q -p paycrypt-cli
bin=target/release/paycrypt
args=(batch)
[ -n "$workers" ] && args+=(--workers "$workers")

make_lines() { # kind file
  awk -v n="$lines" -v kind="$1" 'BEGIN {
    srand(1)
    for (i = 1; i <= n; i++) {
      if (kind == "tdes") c = (i - 1) % 1048575 + 1
      else { c = 0; while (c == 0) c = int(rand() * 2097152) }
      if (kind == "aes-random") {
        key = "alias/demo-aes-bdk"; ksn = sprintf("123456789012345600%06X", c)
      } else {
        key = "alias/demo-tdes-bdk"; ksn = sprintf("FFFF9876543210E%05X", c + 0)
        if (c >= 1048576) ksn = sprintf("FFFF9876543210F%05X", c - 1048576)
      }
      printf "{\"Operation\":\"ReEncryptData\",\"Input\":{\"IncomingKeyIdentifier\":\"%s\",\"OutgoingKeyIdentifier\":\"alias/demo-aes-key\",\"CipherText\":\"%08X%08X%08X%08X\",\"IncomingEncryptionAttributes\":{\"Dukpt\":{\"KeySerialNumber\":\"%s\",\"DukptKeyVariant\":\"REQUEST\",\"Mode\":\"CBC\"}},\"OutgoingEncryptionAttributes\":{\"Symmetric\":{\"Mode\":\"CBC\",\"InitializationVector\":\"000102030405060708090A0B0C0D0E0F\"}}}}\n", key, i, i * 7, i * 13, i * 31, ksn
    }
  }' > "$2"
}

# Prints the mean (hyperfine) or median (/usr/bin/time) wall time in seconds of `paycrypt batch < $1`.
time_batch() {
  local input=$1
  # A check that the lines are answered (not errors) before timing them.
  local errors
  errors=$("$bin" "${args[@]}" < "$input" 2>/dev/null | grep -c '"Error"' || true)
  [ "$errors" = 0 ] || { echo "unexpected error lines: $errors" >&2; exit 1; }
  if command -v hyperfine >/dev/null; then
    hyperfine --runs 3 --warmup 1 --export-json /tmp/paycrypt-batch-bench.json \
      "$bin ${args[*]} < $input > /dev/null 2>&1" >&2
    jq -r '.results[0].mean' /tmp/paycrypt-batch-bench.json
  else
    for _ in 1 2 3; do
      /usr/bin/time -f "%e %M" "$bin" "${args[@]}" < "$input" 2>&1 > /dev/null | tail -1
    done | sort -g | awk 'NR == 2 { printf "%s\n", $1; print "max RSS " $2 " KiB" > "/dev/stderr" }'
  fi
}

run_kind() { # kind -> prints ops/s
  local input
  input=$(mktemp /tmp/paycrypt-batch-XXXXXX.jsonl)
  make_lines "$1" "$input"
  echo "$1: $lines lines ($(wc -c < "$input") bytes), cores: $(nproc), command: $bin ${args[*]} < input > /dev/null" >&2
  local secs
  secs=$(time_batch "$input")
  rm -f "$input"
  awk -v n="$lines" -v s="$secs" -v k="$1" 'BEGIN { printf "%s: %.3f s, %.0f ops/s\n", k, s, n / s }' >&2
  awk -v n="$lines" -v s="$secs" 'BEGIN { printf "%.0f\n", n / s }'
}

if [ "$kind" = compare ]; then
  t=$(run_kind tdes-random)
  a=$(run_kind aes-random)
  awk -v t="$t" -v a="$a" 'BEGIN { printf "TDES DUKPT lines %d ops/s, AES-128 DUKPT lines %d ops/s: ratio %.2f\n", t, a, t / a }'
else
  run_kind "$kind" >/dev/null
fi
