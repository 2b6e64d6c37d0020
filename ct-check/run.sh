#!/usr/bin/env bash
# The constant-time check (see src/main.rs and SECURITY.md): builds ct-check in release, runs every case
# under valgrind memcheck with secrets marked undefined (must report nothing beyond accepted.supp), then
# the two control cases (each must be reported, or the check is not working). Needs valgrind.
#
# Twice: the baseline build, then the same with `--cfg paycrypt_des_lanes`, which puts the one-block DES
# rounds on the eight-lane form that x86-64 builds for AVX-512 use (valgrind cannot run AVX-512 code, so
# their source is checked in a baseline build); the program says which form it was built with.
set -euo pipefail
cd "$(dirname "$0")"
# Cargo ignores RUSTFLAGS when this is set; the second build depends on RUSTFLAGS.
unset CARGO_ENCODED_RUSTFLAGS
vg=(valgrind --error-exitcode=1 --suppressions=accepted.supp --track-origins=yes -q)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

check() { # label, binary, expected "des lanes" value
    local label=$1 bin=$2 lanes=$3
    if ! "${vg[@]}" "$bin" all >"$log" 2>&1; then
        cat "$log" >&2
        echo "ct-check ($label): FAILED: a secret-dependent branch or memory index was reported (above)" >&2
        exit 1
    fi
    if ! grep -qx "ct-check: des lanes: $lanes" "$log"; then
        cat "$log" >&2
        echo "ct-check ($label): FAILED: not built with the DES rounds expected (des lanes: $lanes)" >&2
        exit 1
    fi
    grep '^ct-check:' "$log"
    echo "ct-check ($label): no secret-dependent branch or index on the checked paths"
    for control in control control-des-crate; do
        if "${vg[@]}" "$bin" "$control" >"$log" 2>&1; then
            cat "$log" >&2
            echo "ct-check ($label): FAILED: the control case $control was not reported; the check cannot fail" >&2
            exit 1
        fi
        if ! grep -qE 'uninitialised value' "$log"; then
            cat "$log" >&2
            echo "ct-check ($label): FAILED: $control failed for another reason than a reported secret use" >&2
            exit 1
        fi
        echo "ct-check ($label): control $control reported as expected: $(grep -cE 'uninitialised value' "$log") report(s), e.g. $(grep -m1 -A1 -E 'uninitialised value' "$log" | tail -1 | sed 's/^==[0-9]*== *//')"
    done
}

cargo build --release --quiet
check "baseline" target/release/paycrypt-ct-check false
RUSTFLAGS="--cfg paycrypt_des_lanes" cargo build --release --quiet --target-dir target/lanes
check "eight-lane DES rounds" target/lanes/release/paycrypt-ct-check true
