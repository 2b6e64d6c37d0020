#!/usr/bin/env bash
# RSA instruction counts under valgrind's callgrind: stable numbers on a noisy machine.
#
#   benches/rsa_callgrind.sh [CASE...]          default: decrypt and encrypt, OAEP-SHA256 and PKCS1, 2048/3072/4096
#   TOP=12 benches/rsa_callgrind.sh decrypt-oaep256-2048    also the heaviest functions (inclusive)
#   HARDENING=none benches/rsa_callgrind.sh decrypt-oaep256-2048    RsaHardening: default, none, exponent, check, both
#   BENCH_BIN=PATH benches/rsa_callgrind.sh      another build of the `rsa` bench binary (e.g. of another commit)
#
# Each case runs the `rsa` bench binary's `--instructions CASE N` mode (fixed-seed RNG) with N = 1 and
# N = 1 + REPS (default 10); (I(1+REPS) - I(1)) / REPS is one operation's instruction count (reading the
# key and the first operation's one-time work cancel out). With TOP=n the second run's profile is kept in
# target/callgrind/CASE.out and its n heaviest functions printed (inclusive instructions, divided by
# 1 + REPS: per operation, the one-time work of the first spread over all).
# Needs valgrind (callgrind_annotate comes with it).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${REPS:-10}
cases=("$@")
if [[ ${#cases[@]} -eq 0 ]]; then
    for op in decrypt encrypt; do
        for pad in oaep256 pkcs1; do
            for bits in 2048 3072 4096; do cases+=("$op-$pad-$bits"); done
        done
    done
fi
bin=${BENCH_BIN:-$(cargo bench --bench rsa --no-run --message-format=json 2>/dev/null |
    jq -r 'select(.reason == "compiler-artifact" and .target.name == "rsa" and .executable != null) | .executable')}
mkdir -p target/callgrind
count() { # case iterations outfile -> total instructions (Ir)
    valgrind --tool=callgrind --callgrind-out-file="$3" "$bin" --instructions "$1" "$2" "${HARDENING:-default}" 2>&1 |
        awk '/Collected :/ { print $NF }'
}
echo "| case | instructions per operation |"
echo "|---|---:|"
for c in "${cases[@]}"; do
    one=$(count "$c" 1 /dev/null)
    out=target/callgrind/$c.out
    many=$(count "$c" $((1 + reps)) "$out")
    echo "| $c | $(((many - one) / reps)) |"
    if [[ -n "${TOP:-}" ]]; then
        callgrind_annotate --inclusive=yes "$out" 2>/dev/null |
            grep -E '^ *[0-9,]+ .*(paycrypt|rsa::|crypto_bigint|sha2|hmac|getrandom|alloc|memcpy|memset)' |
            grep -vE 'rsa::main|lang_start|begin_short_backtrace' | head -n "$TOP" |
            awk -v reps="$((1 + reps))" '{ ir = $1; gsub(",", "", ir); name = $0;
                sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", name); sub(/^\?\?\?:/, "", name); sub(/ \[.*$/, "", name);
                printf "|   `%s` | %d |\n", substr(name, 1, 100), ir / reps }'
    fi
done
