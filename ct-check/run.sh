#!/usr/bin/env bash
# The constant-time check (see src/main.rs and SECURITY.md): builds ct-check in release, runs every case
# under valgrind memcheck with secrets marked undefined (must report nothing beyond accepted.supp), then
# the two control cases (each must be reported, or the check is not working). Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --quiet
bin=target/release/paycrypt-ct-check
vg=(valgrind --error-exitcode=1 --suppressions=accepted.supp --track-origins=yes -q)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "${vg[@]}" "$bin" all >"$log" 2>&1; then
    cat "$log" >&2
    echo "ct-check: FAILED: a secret-dependent branch or memory index was reported (above)" >&2
    exit 1
fi
grep '^ct-check:' "$log"
echo "ct-check: no secret-dependent branch or index on the checked paths"
# The eight-lane DES rounds, which x86-64 builds for AVX-512 use instead of the scalar ones (valgrind
# cannot run AVX-512 code): forced on by a cfg in a baseline build, the same source checked the same way.
RUSTFLAGS="--cfg paycrypt_des_lanes" cargo build --release --quiet --target-dir target/lanes
if ! "${vg[@]}" target/lanes/release/paycrypt-ct-check all >"$log" 2>&1; then
    cat "$log" >&2
    echo "ct-check: FAILED (eight-lane DES rounds): a secret-dependent branch or memory index was reported (above)" >&2
    exit 1
fi
echo "ct-check: the same with the eight-lane DES rounds (--cfg paycrypt_des_lanes): nothing reported"
for control in control control-des-crate; do
    if "${vg[@]}" "$bin" "$control" >"$log" 2>&1; then
        cat "$log" >&2
        echo "ct-check: FAILED: the control case $control was not reported; the check cannot fail" >&2
        exit 1
    fi
    if ! grep -qE 'uninitialised value' "$log"; then
        cat "$log" >&2
        echo "ct-check: FAILED: $control failed for another reason than a reported secret use" >&2
        exit 1
    fi
    echo "ct-check: control $control reported as expected: $(grep -cE 'uninitialised value' "$log") report(s), e.g. $(grep -m1 -A1 -E 'uninitialised value' "$log" | tail -1 | sed 's/^==[0-9]*== *//')"
done
