#!/usr/bin/env bash
# Instructions per operation under valgrind's callgrind: stable numbers on a noisy machine.
#
#   benches/callgrind.sh [CASE...]     default: every case of benches/tools/callgrind.rs
#
# Each case runs once with 1 and once with 101 iterations; (I(101) - I(1)) / 100 is one operation's
# instruction count (the set-up — reading the key store, parsing the PEM keys — cancels out). Prints a
# markdown table. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=("$@")
[[ ${#cases[@]} -eq 0 ]] && cases=(op-tdes-dukpt-aes128 op-aes128-dukpt-aes256 op-aes128-tdes2 op-rsa2048-aes128
    derive-tdes derive-aes128 tdes2-cbc-16 aes128-cbc-16 aes128-cbc-2048 kcv-aes128
    tr31-unwrap-b-tdes2 tr31-unwrap-d-aes128 tr31-unwrap-d-aes256 tr31-working-key-d-aes128 tr31-unwrap-to-key-d-aes128
    derive-tdes-10 derive-tdes-batch64-10 derive-tdes-batch64-random tdes3-block tdes3-64 tdes3-key-schedule
    tdes3-ecb-16k tdes3-cbc-decrypt-16k tdes3-cbc-encrypt-16k tdes3-ecb-2k tdes3-cbc-decrypt-2k
    tdes3-cbc-encrypt-2k)
cargo build --release --features json --example callgrind >&2
bin=target/release/examples/callgrind
count() { # case iterations -> total instructions (Ir)
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
        awk '/Collected :/ { print $NF }'
}
echo "| case | instructions per operation |"
echo "|---|---:|"
for c in "${cases[@]}"; do
    one=$(count "$c" 1)
    many=$(count "$c" 101)
    echo "| $c | $(( (many - one) / 100 )) |"
done
