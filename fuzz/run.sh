#!/usr/bin/env bash
# Build the fuzz targets and run each for a fixed time, one after the other (one job each), then print one
# line per target: executions, seconds, corpus size (libFuzzer's active corpus, and the files in
# fuzz/corpus/<target>, which keep every input ever added), findings. One process per target (no -jobs).
#
#   fuzz/run.sh SECONDS [TARGET...]      default: every target (`cargo fuzz list`)
#
# Seeds come from fuzz/seed.sh (run first when a target's corpus folder is empty); fuzz/dicts/<target>.dict
# is passed to libFuzzer when it exists. Sanitizer: address for
# the fast targets; none for the RSA-heavy ones (rsa_decrypt, reencrypt_roundtrip, wire_request), where
# AddressSanitizer plus comparison tracing on the big-integer code costs ~5x throughput and our code is
# `forbid(unsafe_code)` anyway. FUZZ_SANITIZER=none|address forces one sanitizer for all (CI uses none:
# one build instead of two). Findings go to fuzz/artifacts/<target>/; the script exits 1 if there are any.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}

sanitizer() {
    if [[ -n "${FUZZ_SANITIZER:-}" ]]; then echo "$FUZZ_SANITIZER"; return; fi
    case "$1" in rsa_decrypt | reencrypt_roundtrip | wire_request) echo none ;; *) echo address ;; esac
}
files() { { ls -A "$1" 2>/dev/null || true; } | wc -l; }
# The JSON parsers get inputs long enough to reach every length check (identifiers past 322 bytes, a
# batch line's 16 KiB, the whole 17 KB fixture key store): libFuzzer's default stays near the largest seed
# or 4 KiB (the security audit's M1 went unfound). The other targets keep libFuzzer's default.
max_len() { case "$1" in wire_request) echo 16384 ;; keystore) echo 32768 ;; *) echo 0 ;; esac; }
flags() { local s; s=$(sanitizer "$1"); echo "-s $s --target-dir target/san-$s"; }

mkdir -p logs
for t in "${targets[@]}"; do
    if [[ -z "$(ls -A "corpus/$t" 2>/dev/null)" ]]; then
        ./seed.sh "$t" >/dev/null || echo "seeding $t failed (jq, xxd, openssl?): starting from an empty corpus" >&2
    fi
    # shellcheck disable=SC2046
    cargo +nightly fuzz build $(flags "$t") "$t" 2>&1 | tail -1
done
status=0
printf '\n| target | sanitizer | executions | seconds | exec/s | corpus (libFuzzer) | corpus files | findings |\n|---|---|---:|---:|---:|---:|---:|---:|\n' >logs/summary.md
for t in "${targets[@]}"; do
    before=$(files "artifacts/$t")
    dict=()
    [[ -f "dicts/$t.dict" ]] && dict=(-dict="dicts/$t.dict")
    # shellcheck disable=SC2046
    cargo +nightly fuzz run $(flags "$t") "$t" -- -max_total_time="$secs" -max_len="$(max_len "$t")" "${dict[@]}" \
        -print_final_stats=1 >"logs/$t.log" 2>&1 || true
    runs=$(awk '/^stat::number_of_executed_units/ { print $2 }' "logs/$t.log" | tail -1)
    took=$(awk '/^Done [0-9]+ runs in/ { print $5 }' "logs/$t.log" | tail -1)
    corp=$(sed -nE 's/.*DONE .* corp: ([0-9]+)\/.*/\1/p' "logs/$t.log" | tail -1)
    after=$(files "artifacts/$t")
    found=$((after - before))
    rate=$(awk -v r="${runs:-0}" -v s="${took:-0}" 'BEGIN { if (s > 0) printf "%.0f", r / s; else print "-" }')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$t" "$(sanitizer "$t")" "${runs:--}" "${took:--}" "$rate" \
        "${corp:--}" "$(files "corpus/$t")" "$found" | tee -a logs/summary.md
    if [[ $found -gt 0 ]] || grep -qE '^(==[0-9]+==ERROR|thread .* panicked)' "logs/$t.log"; then
        echo "FINDING in $t: see fuzz/logs/$t.log and fuzz/artifacts/$t/" >&2
        status=1
    fi
done
cat logs/summary.md
exit $status
