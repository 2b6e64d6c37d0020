#!/usr/bin/env bash
# Side-by-side throughput of paycrypt's symmetric modes and OpenSSL's, on this machine, in one sitting.
#
#   benches/openssl.sh              run `cargo bench --bench modes` (its report to stderr), then OpenSSL,
#                                   then print the markdown table on stdout
#   benches/openssl.sh --no-bench   reuse the criterion results already in target/criterion
#
# Environment: OPENSSL_SECONDS (per measurement, default 1), OPENSSL_RUNS (default 3; the median is
# used), OPENSSL (the binary, default `openssl`).
#
# paycrypt: the criterion median of `modes/<ALG>/<MODE>-<dir>/<size>` (target/criterion/.../new/
# estimates.json), as size / median time. OpenSSL: `openssl speed -elapsed -evp <cipher> [-decrypt]
# -bytes <size> -seconds N -mr`, median of OPENSSL_RUNS runs. Both in MB/s (10^6 bytes per second).
# Both sides are wall-clock time: without `-elapsed`, `openssl speed` divides by its own CPU time while
# criterion measures wall time, which flatters OpenSSL on a loaded machine (each process gets a fraction
# of a core). On a shared machine prefer benches/tdes_cpu.sh (CPU time on both sides). Requires jq.
#
# The RSA comparison (`openssl speed rsa2048 rsa3072 rsa4096`) is benches/openssl_rsa.sh.

set -euo pipefail
cd "$(dirname "$0")/.."

OPENSSL=${OPENSSL:-openssl}
SECS=${OPENSSL_SECONDS:-1}
RUNS=${OPENSSL_RUNS:-3}
SIZES=(16 256 2048 16384)
CRITERION=target/criterion

for tool in jq "$OPENSSL" awk; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

if [[ "${1:-}" != "--no-bench" ]]; then
    cargo bench --bench modes >&2
fi

# algorithm  mode  direction  OpenSSL cipher (- = OpenSSL has no such cipher)
ROWS="
AES_128   ECB    encrypt aes-128-ecb
AES_128   CBC    encrypt aes-128-cbc
AES_128   CBC    decrypt aes-128-cbc
AES_128   CFB1   encrypt aes-128-cfb1
AES_128   CFB8   encrypt aes-128-cfb8
AES_128   CFB64  encrypt -
AES_128   CFB128 encrypt aes-128-cfb
AES_128   OFB    encrypt aes-128-ofb
AES_256   ECB    encrypt aes-256-ecb
AES_256   CBC    encrypt aes-256-cbc
AES_256   CBC    decrypt aes-256-cbc
AES_256   CFB1   encrypt aes-256-cfb1
AES_256   CFB8   encrypt aes-256-cfb8
AES_256   CFB64  encrypt -
AES_256   CFB128 encrypt aes-256-cfb
AES_256   OFB    encrypt aes-256-ofb
TDES_3KEY ECB    encrypt des-ede3
TDES_3KEY CBC    encrypt des-ede3-cbc
TDES_3KEY CBC    decrypt des-ede3-cbc
TDES_3KEY CFB1   encrypt des-ede3-cfb1
TDES_3KEY CFB8   encrypt des-ede3-cfb8
TDES_3KEY CFB64  encrypt des-ede3-cfb
TDES_3KEY OFB    encrypt des-ede3-ofb
TDES_2KEY ECB    encrypt des-ede
TDES_2KEY CBC    encrypt des-ede-cbc
TDES_2KEY CBC    decrypt des-ede-cbc
TDES_2KEY CFB1   encrypt -
TDES_2KEY CFB8   encrypt -
TDES_2KEY CFB64  encrypt des-ede-cfb
TDES_2KEY OFB    encrypt des-ede-ofb
"

# MB/s of our median for one benchmark, or "-" if it was not run.
ours() {
    local file="$CRITERION/modes_$1_$2-$3/$4/new/estimates.json"
    [[ -f "$file" ]] || { echo "-"; return; }
    jq -r --argjson size "$4" '$size / .median.point_estimate * 1000' "$file"
}

# MB/s of OpenSSL, the median of $RUNS runs.
theirs() {
    local cipher=$1 dir=$2 size=$3 flags=() values=()
    [[ "$cipher" == "-" ]] && { echo "-"; return; }
    [[ "$dir" == "decrypt" ]] && flags+=(-decrypt)
    for _ in $(seq "$RUNS"); do
        values+=("$("$OPENSSL" speed -elapsed -evp "$cipher" "${flags[@]}" -bytes "$size" -seconds "$SECS" -mr 2>/dev/null |
            awk -F: '/^\+F:/ { printf "%.3f\n", $4 / 1e6 }')")
    done
    printf '%s\n' "${values[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "# paycrypt vs OpenSSL, symmetric modes"
echo
echo "- machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "- $("$OPENSSL" version)"
echo "- $(rustc --version)"
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| algorithm | mode | direction | bytes | paycrypt MB/s | OpenSSL MB/s | paycrypt / OpenSSL |"
echo "|---|---|---|---:|---:|---:|---:|"
while read -r alg mode dir cipher; do
    [[ -z "$alg" ]] && continue
    for size in "${SIZES[@]}"; do
        a=$(ours "$alg" "$mode" "$dir" "$size")
        b=$(theirs "$cipher" "$dir" "$size")
        if [[ "$a" == "-" || "$b" == "-" || -z "$b" ]]; then
            ratio="-"
        else
            ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
        fi
        fmt() { [[ "$1" == "-" || -z "$1" ]] && echo "-" || awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }
        echo "| $alg | $mode | $dir | $size | $(fmt "$a") | $(fmt "$b") | $ratio |"
    done
done <<<"$ROWS"

kcv() {
    local file="$CRITERION/kcv/$1/new/estimates.json"
    [[ -f "$file" ]] && jq -r '.median.point_estimate | . * 10 | round / 10' "$file" || echo "-"
}
echo
echo "| KCV (default method) | paycrypt ns/op |"
echo "|---|---:|"
for alg in TDES_2KEY TDES_3KEY AES_128 AES_256; do
    echo "| $alg | $(kcv "$alg") |"
done
