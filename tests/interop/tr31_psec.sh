#!/usr/bin/env bash
# TR-31 interoperability with psec 1.3.0, both directions, in a pinned venv this script creates.
#
#   tests/interop/tr31_psec.sh [COUNT] [SEED]    default 300 cases each way, seed = today's date
#   tests/interop/tr31_psec.sh --corpus          remake the committed corpus in test-vectors/tr31-psec/
#
# 1. paycrypt wraps COUNT seeded random cases (B and D, with and without optional blocks); psec unwraps
#    each and must find the same key and header.
# 2. psec wraps COUNT random cases; paycrypt unwraps each and must find the same key and header.
# Needs python3 (3.9+) with venv, and network access to PyPI on the first run. Exit 1 on any mismatch.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/interop-venv
req=tests/interop/requirements-tr31.txt
if [[ ! -x $venv/bin/python ]] || ! cmp -s "$req" "$venv/requirements.txt"; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$venv/requirements.txt"
fi
py=$venv/bin/python
cargo build --quiet --example tr31_interop
tool=target/debug/examples/tr31_interop
work=target/tr31-interop
mkdir -p "$work"

if [[ ${1:-} == --corpus ]]; then
    out=test-vectors/tr31-psec
    "$tool" wrap 200 31 "$out/paycrypt_wrapped.json"
    "$py" tests/interop/tr31_psec.py check "$out/paycrypt_wrapped.json"
    "$py" tests/interop/tr31_psec.py make 200 31 "$out/psec_wrapped.json"
    "$tool" unwrap "$out/psec_wrapped.json"
    exit 0
fi

count=${1:-300}
seed=${2:-$(date +%Y%m%d)}
echo "seed $seed, $count cases each way"
"$tool" wrap "$count" "$seed" "$work/paycrypt.json"
"$py" tests/interop/tr31_psec.py check "$work/paycrypt.json"
"$py" tests/interop/tr31_psec.py make "$count" "$seed" "$work/psec.json"
"$tool" unwrap "$work/psec.json"
