#!/usr/bin/env bash
# Creates (or reuses) the pinned Python venv for the real-client tests of paycrypt-server:
# boto3, botocore and the AWS CLI v1 from PyPI, at the versions of requirements.txt.
# Usage: server/tests/python/setup-venv.sh [VENV_DIR]   (default: target/py-venv)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="${1:-$root/target/py-venv}"
stamp="$venv/.requirements"
if [ -x "$venv/bin/python" ] && cmp -s "$here/requirements.txt" "$stamp"; then
    echo "venv up to date: $venv"
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
cp "$here/requirements.txt" "$stamp"
"$venv/bin/python" -c 'import boto3, botocore; print("boto3", boto3.__version__, "botocore", botocore.__version__)'
"$venv/bin/aws" --version
