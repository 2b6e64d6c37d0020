"""The AWS CLI v1 (pinned, from PyPI; it vendors its own botocore) against a real paycrypt-server."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from conftest import AES_ARN, REGION, TDES_ARN, TDES_BDK_ARN

AWS = str(pathlib.Path(sys.executable).parent / "aws")


def aws(server, *args, endpoint=True, secret="test", extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION=REGION,
               AWS_MAX_ATTEMPTS="1", AWS_PAGER="", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", **(extra_env or {}))
    cmd = [AWS] + (["--endpoint-url", server.endpoint] if endpoint else []) + list(args)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


def ok(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_spec_commands(server):
    r = ok(aws(server, "payment-cryptography-data", "encrypt-data", "--key-identifier", TDES_ARN,
               "--plain-text", "0102030405060708", "--encryption-attributes", "Symmetric={Mode=ECB}"))
    assert (r["CipherText"], r["KeyCheckValue"]) == ("B064B6C2571C65D5", "9295B5")
    r = ok(aws(server, "payment-cryptography-data", "decrypt-data", "--key-identifier", TDES_ARN,
               "--cipher-text", "B064B6C2571C65D5", "--decryption-attributes", "Symmetric={Mode=ECB}"))
    assert r["PlainText"] == "0102030405060708"
    r = ok(aws(server, "payment-cryptography-data", "re-encrypt-data", "--incoming-key-identifier", "alias/team/bdk-1",
               "--outgoing-key-identifier", TDES_ARN, "--cipher-text", "124F7A32F3F84187",
               "--incoming-encryption-attributes", '{"Dukpt":{"KeySerialNumber":"FFFF9876543210E00001","Mode":"ECB"}}',
               "--outgoing-encryption-attributes", '{"Symmetric":{"Mode":"ECB"}}'))
    assert (r["CipherText"], r["KeyArn"], r["KeyCheckValue"]) == ("B064B6C2571C65D5", TDES_ARN, "9295B5")


def test_aes_dukpt_to_aes_and_back(server):
    dukpt = '{"Dukpt":{"KeySerialNumber":"123456789012345600000001","Mode":"CBC","DukptKeyDerivationType":"AES_128"}}'
    ct = ok(aws(server, "payment-cryptography-data", "encrypt-data", "--key-identifier", "alias/demo-aes-bdk",
                "--plain-text", "34313131313131313131313131313131", "--encryption-attributes", dukpt))["CipherText"]
    r = ok(aws(server, "payment-cryptography-data", "re-encrypt-data", "--incoming-key-identifier", "alias/demo-aes-bdk",
               "--outgoing-key-identifier", "alias/demo-aes-key", "--cipher-text", ct,
               "--incoming-encryption-attributes", dukpt,
               "--outgoing-encryption-attributes", "Symmetric={Mode=CBC,InitializationVector=00000000000000000000000000000000}"))
    assert r["KeyArn"] == AES_ARN
    back = ok(aws(server, "payment-cryptography-data", "decrypt-data", "--key-identifier", AES_ARN,
                  "--cipher-text", r["CipherText"], "--decryption-attributes",
                  "Symmetric={Mode=CBC,InitializationVector=00000000000000000000000000000000}"))
    assert back["PlainText"] == "34313131313131313131313131313131"


def test_text_output(server):
    r = aws(server, "payment-cryptography-data", "re-encrypt-data", "--incoming-key-identifier", TDES_BDK_ARN,
            "--outgoing-key-identifier", "alias/demo-tdes-key", "--cipher-text", "124F7A32F3F84187",
            "--incoming-encryption-attributes", "Dukpt={KeySerialNumber=FFFF9876543210E00001,Mode=ECB}",
            "--outgoing-encryption-attributes", "Symmetric={Mode=ECB}", "--output", "text")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["B064B6C2571C65D5", TDES_ARN, "9295B5"]


@pytest.mark.parametrize("args,code,text", [
    (["decrypt-data", "--key-identifier", "alias/does-not-exist", "--cipher-text", "00",
      "--decryption-attributes", "Symmetric={Mode=ECB}"], "ResourceNotFoundException", "DecryptData"),
    (["encrypt-data", "--key-identifier", "alias/demo-tdes-key", "--plain-text", "ZZ",
      "--encryption-attributes", "Symmetric={Mode=ECB}"], "ValidationException", "PlainText"),
    (["encrypt-data", "--key-identifier", "arn:aws:payment-cryptography:us-east-2:111122223333:key/decryptonlykey000001",
      "--plain-text", "0102030405060708", "--encryption-attributes", "Symmetric={Mode=ECB}"],
     "AccessDeniedException", "EncryptData"),
])
def test_errors_exit_255_with_the_error_line(server, args, code, text):
    r = aws(server, "payment-cryptography-data", *args)
    assert r.returncode == 255 and r.stdout == ""
    assert r.stderr.startswith("\nAn error occurred (") or r.stderr.startswith("An error occurred ("), r.stderr
    assert f"An error occurred ({code}) when calling the" in r.stderr
    assert text in r.stderr


def test_wrong_secret(server):
    r = aws(server, "payment-cryptography-data", "encrypt-data", "--key-identifier", TDES_ARN, "--plain-text", "00",
            "--encryption-attributes", "Symmetric={Mode=ECB}", secret="wrong")
    assert r.returncode == 255
    assert "An error occurred (InvalidSignatureException) when calling the EncryptData operation" in r.stderr


def test_endpoint_environment_variable(server):
    r = aws(server, "payment-cryptography-data", "encrypt-data", "--key-identifier", "alias/demo-tdes-key",
            "--plain-text", "0102030405060708", "--encryption-attributes", "Symmetric={Mode=ECB}",
            endpoint=False, extra_env={"AWS_ENDPOINT_URL_PAYMENT_CRYPTOGRAPHY_DATA": server.endpoint})
    assert ok(r)["CipherText"] == "B064B6C2571C65D5"
