#!/usr/bin/env bash
# The real-client tests of paycrypt-server: creates the pinned venv (boto3, the AWS CLI v1, pytest,
# pycryptodome), builds the server, and runs pytest against servers the tests start on free ports.
# Usage: server/tests/python/run.sh [pytest args]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
"$here/setup-venv.sh" "$root/target/py-venv"
# The same feature set as the workspace tests of .ci/run, so that the binary built there is reused.
(cd "$root" && cargo build --workspace --all-features --bin paycrypt-server)
export PAYCRYPT_SERVER_BIN="$root/target/debug/paycrypt-server"
cd "$here"
exec "$root/target/py-venv/bin/python" -m pytest -p no:cacheprovider -q "$@"
