"""Fixtures for the real-client tests: a paycrypt-server started per test module on a free port.

The key store is the CLI's demo store (cli/src/demo-keys.json, read at run time, not copied) plus keys
made here for what the demo store lacks: an alias with `/` in its name, a key that may only decrypt
(AccessDenied on encrypt), and the same TDES key material in another account and in another region
(scoping). Credentials: the default pair `test`/`test` (account 111122223333), a second account, and a
temporary credential with a session token.
"""

import json
import os
import pathlib
import signal
import subprocess
import threading

import boto3
import botocore.config
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
BIN = pathlib.Path(os.environ.get("PAYCRYPT_SERVER_BIN", ROOT / "target" / "debug" / "paycrypt-server"))

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "us-east-2"
OTHER_REGION = "eu-west-1"
P = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/"

TDES_ARN = P + "demotdesdatakey00001"
AES_ARN = P + "demoaesdatakey000001"
TDES_BDK_ARN = P + "demotdesbdkx9241test"
AES_BDK_ARN = P + "demoaesbdkx9243aes128"
RSA_ARN = P + "demorsa2048keypair01"
DECRYPT_ONLY_ARN = P + "decryptonlykey000001"
OTHER_ACCOUNT_ARN = f"arn:aws:payment-cryptography:{REGION}:{OTHER_ACCOUNT}:key/otheraccountkey00001"
OTHER_REGION_ARN = f"arn:aws:payment-cryptography:{OTHER_REGION}:{ACCOUNT}:key/otherregionkey000001"
TDES_MATERIAL = "0101010101010101FEFEFEFEFEFEFEFE"

CREDENTIALS = {
    "Credentials": [
        {"AccessKeyId": "test", "SecretAccessKey": "test", "AccountId": ACCOUNT},
        {"AccessKeyId": "OTHERACCOUNT", "SecretAccessKey": "other-secret", "AccountId": OTHER_ACCOUNT},
        {"AccessKeyId": "ASIATEMPORARY", "SecretAccessKey": "temp-secret", "SessionToken": "the-token",
         "AccountId": ACCOUNT},
    ]
}

NO_RETRY = botocore.config.Config(retries={"total_max_attempts": 1})


def tdes_key(arn, modes):
    return {
        "KeyArn": arn,
        "KeyAttributes": {"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyClass": "SYMMETRIC_KEY",
                          "KeyAlgorithm": "TDES_2KEY", "KeyModesOfUse": modes},
        "KeyMaterial": TDES_MATERIAL,
    }


def key_store():
    doc = json.loads((ROOT / "cli" / "src" / "demo-keys.json").read_text())
    both = {"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True}
    doc["Keys"] += [
        tdes_key(DECRYPT_ONLY_ARN, {"Decrypt": True, "Unwrap": True}),
        tdes_key(OTHER_ACCOUNT_ARN, both),
        tdes_key(OTHER_REGION_ARN, both),
    ]
    doc["Aliases"] += [
        {"AliasName": "alias/team/bdk-1", "KeyArn": TDES_BDK_ARN},
        {"AliasName": "alias/other-account", "KeyArn": OTHER_ACCOUNT_ARN},
    ]
    return doc


class Server:
    """A running paycrypt-server: its endpoint, its stderr (the log) and its process."""

    def __init__(self, tmp, *extra, env=None):
        creds = tmp / "credentials.json"
        creds.write_text(json.dumps(CREDENTIALS))
        args = [str(BIN), "--listen", "127.0.0.1:0"]
        if "--state" not in extra:
            keys = tmp / "keys.json"
            keys.write_text(json.dumps(key_store()))
            args += ["--keys", str(keys)]
        if "--no-auth" not in extra:
            args += ["--credentials", str(creds)]
        self.proc = subprocess.Popen(args + list(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env={**os.environ, "RUST_LOG": "info", **(env or {})})
        first = self.proc.stdout.readline().rstrip("\n")
        prefix = "paycrypt-server listening on http://"
        if not first.startswith(prefix):
            self.proc.kill()
            raise RuntimeError(f"unexpected first line {first!r}: {self.proc.stderr.read()}")
        self.first_line = first
        self.endpoint = "http://" + first[len(prefix):]
        self.host, port = first[len(prefix):].rsplit(":", 1)
        self.port = int(port)
        self.log = []
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()

    def _read_log(self):
        for line in self.proc.stderr:
            self.log.append(line)

    def kill(self):
        """SIGKILL: no shutdown of any kind."""
        self.proc.kill()
        self.proc.wait(timeout=30)
        self._reader.join(timeout=5)

    def stop(self, timeout=30):
        """SIGTERM; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def client(self, service="payment-cryptography-data", key="test", secret="test", region=REGION, **kw):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region, aws_access_key_id=key,
                            aws_secret_access_key=secret, config=kw.pop("config", NO_RETRY), **kw)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("server"))
    yield s
    assert s.stop() == 0, "".join(s.log[-20:])


@pytest.fixture(scope="module")
def dp(server):
    return server.client()


@pytest.fixture(autouse=True)
def _no_ambient_aws(monkeypatch):
    """No endpoint, profile or retry setting of the machine leaks into a test."""
    for var in list(os.environ):
        if var.startswith("AWS_"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
