#!/usr/bin/env bash
# TDES against OpenSSL in CPU time, interleaved rounds in one sitting: a fair comparison on a shared
# machine.
#
#   benches/tdes_cpu.sh [ROUNDS] [LABEL=BINARY ...]
#
# `openssl speed` (without `-elapsed`) divides by its own CPU time, while criterion measures wall-clock
# time; on a loaded machine that flatters OpenSSL (each process gets a fraction of a core). Here both
# sides are CPU time: OpenSSL's `speed -evp <cipher> [-decrypt] -bytes 16384 -seconds 1 -mr`, and the
# user time (`/usr/bin/time -f %U`) of `benches/tools/callgrind.rs` running the same operation N times,
# minus a run with 1 iteration (the key store set-up). Each round runs every case on every binary and on
# OpenSSL; the best of the ROUNDS rounds is kept for each (the round least disturbed by other processes).
#
# BINARY: a build of the `callgrind` example (default: this tree's, built here); LABEL names its column,
# so two trees can be compared in one sitting, e.g. `main=/tmp/main/target/release/examples/callgrind`.
# Environment: OPENSSL (default `openssl`). Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
OPENSSL=${OPENSSL:-openssl}
ROUNDS=${1:-3}
shift || true
bins=("$@")
if [[ ${#bins[@]} -eq 0 ]]; then
    cargo build --release --features serde --example callgrind >&2
    bins=("this=target/release/examples/callgrind")
fi

# case  iterations (about 1 s)  bytes per iteration (0: report µs per key)  keys per iteration
# OpenSSL cipher  direction
CASES="
tdes3-ecb-16k              15000  16384 1  des-ede3     encrypt
tdes3-cbc-decrypt-16k      15000  16384 1  des-ede3-cbc decrypt
tdes3-cbc-encrypt-16k        800  16384 1  des-ede3-cbc encrypt
derive-tdes-10             80000  0     1  -            -
derive-tdes-batch64-10      6000  0     64 -            -
derive-tdes-batch64-random  6000  0     64 -            -
"

user_seconds() { # binary case iterations
    /usr/bin/time -f '%U' "$1" "$2" "$3" 2>&1 >/dev/null | tail -1
}

declare -A best
keep_max() { # key value
    local old=${best[$1]:-}
    if [[ -z "$old" ]] || awk -v a="$2" -v b="$old" 'BEGIN { exit !(a > b) }'; then best[$1]=$2; fi
}
keep_min() {
    local old=${best[$1]:-}
    if [[ -z "$old" ]] || awk -v a="$2" -v b="$old" 'BEGIN { exit !(a < b) }'; then best[$1]=$2; fi
}

loads=()
for _ in $(seq "$ROUNDS"); do
    loads+=("$(cut -d' ' -f1 /proc/loadavg)")
    while read -r case n bytes per cipher dir; do
        [[ -z "$case" ]] && continue
        for entry in "${bins[@]}"; do
            label=${entry%%=*}
            bin=${entry#*=}
            one=$(user_seconds "$bin" "$case" 1)
            many=$(user_seconds "$bin" "$case" "$((n + 1))")
            if [[ "$bytes" -gt 0 ]]; then
                keep_max "$case/$label" "$(awk -v t="$many" -v o="$one" -v n="$n" -v b="$bytes" \
                    'BEGIN { printf "%.2f", n * b / (t - o) / 1e6 }')"
            else
                keep_min "$case/$label" "$(awk -v t="$many" -v o="$one" -v n="$n" -v p="$per" \
                    'BEGIN { printf "%.2f", (t - o) / n / p * 1e6 }')"
            fi
        done
        if [[ "$cipher" != "-" ]]; then
            flags=()
            [[ "$dir" == "decrypt" ]] && flags+=(-decrypt)
            keep_max "$case/openssl" "$("$OPENSSL" speed -evp "$cipher" "${flags[@]}" -bytes "$bytes" \
                -seconds 1 -mr 2>/dev/null | awk -F: '/^\+F:/ { printf "%.2f", $4 / 1e6 }')"
        fi
    done <<<"$CASES"
done
loads+=("$(cut -d' ' -f1 /proc/loadavg)")

echo "- $("$OPENSSL" version); $(date -u '+%Y-%m-%d %H:%M UTC'); $ROUNDS rounds; load average (1 min) at each round: ${loads[*]}"
echo
header="| case | unit |"
rule="|---|---|"
for entry in "${bins[@]}"; do
    header+=" ${entry%%=*} |"
    rule+="---:|"
done
header+=" OpenSSL |"
rule+="---:|"
for entry in "${bins[@]}"; do
    header+=" ${entry%%=*} / OpenSSL |"
    rule+="---:|"
done
echo "$header"
echo "$rule"
while read -r case n bytes per cipher dir; do
    [[ -z "$case" ]] && continue
    if [[ "$bytes" -gt 0 ]]; then unit="MB/s (CPU)"; else unit="µs per key (CPU)"; fi
    row="| $case | $unit |"
    for entry in "${bins[@]}"; do row+=" ${best[$case/${entry%%=*}]} |"; done
    if [[ "$cipher" != "-" ]]; then
        row+=" ${best[$case/openssl]} |"
        for entry in "${bins[@]}"; do
            row+=" $(awk -v a="${best[$case/${entry%%=*}]}" -v b="${best[$case/openssl]}" \
                'BEGIN { printf "%.2f", a / b }') |"
        done
    else
        row+=" - |"
        for _ in "${bins[@]}"; do row+=" - |"; done
    fi
    echo "$row"
done <<<"$CASES"
