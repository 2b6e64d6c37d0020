#!/usr/bin/env bash
# Runs the README's "Run the emulator" snippets (the boto3 one and the AWS CLI one) against a real
# paycrypt-server on a free port, with the pinned venv, and checks what they print.
# Usage: server/tests/python/readme.sh   (after setup-venv.sh and a debug build of paycrypt-server)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="$root/target/py-venv"
bin="${PAYCRYPT_SERVER_BIN:-$root/target/debug/paycrypt-server}"
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

"$bin" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/out" ] && break; sleep 0.1; done
line=$(head -1 "$tmp/out")
endpoint=${line#paycrypt-server listening on }
[ "$line" = "paycrypt-server listening on $endpoint" ] || { echo "bad start line: $line" >&2; exit 1; }
grep -q 'PUBLIC TEST KEYS' "$tmp/err" || { echo "no demo-key warning" >&2; exit 1; }

section() { awk '/^## Run the emulator/ {f = 1; next} f && /^## / {exit} f' "$root/README.md"; }
block() { section | awk -v lang="$1" '$0 == "```" lang {b = 1; next} b && /^```/ {exit} b'; }

block python | sed "s#http://127.0.0.1:7420#$endpoint#" >"$tmp/snippet.py"
[ "$(wc -l <"$tmp/snippet.py")" -eq 5 ] || { echo "the boto3 snippet is not five lines" >&2; exit 1; }
got=$(env -u AWS_ENDPOINT_URL AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_MAX_ATTEMPTS=1 \
    "$venv/bin/python" "$tmp/snippet.py")
[ "$got" = "B064B6C2571C65D5 9295B5" ] || { echo "boto3 snippet printed: $got" >&2; exit 1; }
echo "ok: the README's boto3 snippet prints $got"

# The second sh block of the section is the AWS CLI command.
section | awk '$0 == "```sh" {n++; if (n == 2) {b = 1; next}} b && /^```/ {exit} b' \
    | sed "s#http://127.0.0.1:7420#$endpoint#" >"$tmp/cli.sh"
got=$(PATH="$venv/bin:$PATH" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_MAX_ATTEMPTS=1 \
    AWS_PAGER="" bash "$tmp/cli.sh")
want='{"CipherText": "B064B6C2571C65D5", "KeyArn": "arn:aws:payment-cryptography:us-east-2:111122223333:key/demotdesdatakey00001", "KeyCheckValue": "9295B5"}'
norm=$(printf '%s' "$got" | "$venv/bin/python" -c 'import json, sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))')
[ "$norm" = "$want" ] || { echo "AWS CLI command printed: $got" >&2; exit 1; }
echo "ok: the README's AWS CLI command answers the worked case"

kill -TERM "$pid"
wait "$pid" && echo "ok: SIGTERM, exit 0"
