"""boto3 (pinned, from PyPI) against a real paycrypt-server: results, errors as boto3's own exception
types, authentication failures, scoping, and the endpoint environment variable."""

import concurrent.futures
import datetime
import os
import subprocess
import sys

import boto3
import botocore
import botocore.auth
import botocore.config
import pytest
from botocore.exceptions import ClientError
from Crypto.Cipher import AES, DES3, PKCS1_OAEP
from Crypto.Hash import SHA256
from Crypto.PublicKey import RSA

from conftest import (ACCOUNT, AES_ARN, AES_BDK_ARN, DECRYPT_ONLY_ARN, NO_RETRY, OTHER_ACCOUNT_ARN,
                      OTHER_REGION, OTHER_REGION_ARN, REGION, ROOT, RSA_ARN, TDES_ARN, TDES_BDK_ARN,
                      TDES_MATERIAL)

PLAIN16 = "34313131313131313131313131313131"  # ASCII "4111111111111111"
AES_MATERIAL = "00112233445566778899AABBCCDDEEFF"


def oracle(algorithm, mode, iv, data_hex):
    """pycryptodome's encryption, the independent reference."""
    key = bytes.fromhex(TDES_MATERIAL if algorithm == "TDES" else AES_MATERIAL)
    make = (lambda m, **kw: DES3.new(key, m, **kw)) if algorithm == "TDES" else (lambda m, **kw: AES.new(key, m, **kw))
    ivb = bytes.fromhex(iv) if iv else None
    cipher = {
        "ECB": lambda: make(DES3.MODE_ECB if algorithm == "TDES" else AES.MODE_ECB),
        "CBC": lambda: make(DES3.MODE_CBC if algorithm == "TDES" else AES.MODE_CBC, iv=ivb),
        "CFB8": lambda: make(DES3.MODE_CFB if algorithm == "TDES" else AES.MODE_CFB, iv=ivb, segment_size=8),
        "CFB64": lambda: make(DES3.MODE_CFB, iv=ivb, segment_size=64),
        "CFB128": lambda: make(AES.MODE_CFB, iv=ivb, segment_size=128),
        "OFB": lambda: make(DES3.MODE_OFB if algorithm == "TDES" else AES.MODE_OFB, iv=ivb),
    }[mode]()
    return cipher.encrypt(bytes.fromhex(data_hex)).hex().upper()


SYMMETRIC_CASES = [
    ("TDES", TDES_ARN, mode, None if mode == "ECB" else "0011223344556677") for mode in ["ECB", "CBC", "CFB8", "CFB64", "OFB"]
] + [
    ("AES", AES_ARN, mode, None if mode == "ECB" else "000102030405060708090A0B0C0D0E0F")
    for mode in ["ECB", "CBC", "CFB8", "CFB128", "OFB"]
]


def symmetric(mode, iv):
    attrs = {"Mode": mode}
    if iv:
        attrs["InitializationVector"] = iv
    return {"Symmetric": attrs}


@pytest.mark.parametrize("algorithm,arn,mode,iv", SYMMETRIC_CASES)
def test_symmetric_modes_match_pycryptodome_and_round_trip(dp, algorithm, arn, mode, iv):
    r = dp.encrypt_data(KeyIdentifier=arn, PlainText=PLAIN16, EncryptionAttributes=symmetric(mode, iv))
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200 and r["ResponseMetadata"]["RequestId"]
    assert r["KeyArn"] == arn
    assert r["CipherText"] == oracle(algorithm, mode, iv, PLAIN16)
    back = dp.decrypt_data(KeyIdentifier=arn, CipherText=r["CipherText"], DecryptionAttributes=symmetric(mode, iv))
    assert back["PlainText"] == PLAIN16 and back["KeyCheckValue"] == r["KeyCheckValue"]


def test_cfb1_round_trip(dp):
    attrs = symmetric("CFB1", "0011223344556677")
    ct = dp.encrypt_data(KeyIdentifier=TDES_ARN, PlainText=PLAIN16, EncryptionAttributes=attrs)["CipherText"]
    assert ct != PLAIN16
    assert dp.decrypt_data(KeyIdentifier=TDES_ARN, CipherText=ct, DecryptionAttributes=attrs)["PlainText"] == PLAIN16


def test_aws_worked_case_tdes_dukpt_to_tdes(dp):
    r = dp.re_encrypt_data(
        IncomingKeyIdentifier="alias/demo-tdes-bdk", OutgoingKeyIdentifier=TDES_ARN, CipherText="124F7A32F3F84187",
        IncomingEncryptionAttributes={"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "ECB"}},
        OutgoingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}})
    assert (r["CipherText"], r["KeyArn"], r["KeyCheckValue"]) == ("B064B6C2571C65D5", TDES_ARN, "9295B5")


@pytest.mark.parametrize("bdk,ksn,derivation", [
    (TDES_BDK_ARN, "FFFF9876543210E00008", None),
    (AES_BDK_ARN, "123456789012345600000001", "AES_128"),
    (AES_BDK_ARN, "1234567890123456000000FF", "AES_128"),
])
def test_dukpt_to_aes_checked_by_decrypting_with_the_outgoing_key(dp, bdk, ksn, derivation):
    dukpt = {"KeySerialNumber": ksn, "Mode": "CBC"}
    if derivation:
        dukpt["DukptKeyDerivationType"] = derivation
    ct = dp.encrypt_data(KeyIdentifier=bdk, PlainText=PLAIN16, EncryptionAttributes={"Dukpt": dukpt})["CipherText"]
    assert dp.decrypt_data(KeyIdentifier=bdk, CipherText=ct, DecryptionAttributes={"Dukpt": dukpt})["PlainText"] == PLAIN16
    iv = "000102030405060708090A0B0C0D0E0F"
    r = dp.re_encrypt_data(IncomingKeyIdentifier=bdk, OutgoingKeyIdentifier="alias/demo-aes-key", CipherText=ct,
                           IncomingEncryptionAttributes={"Dukpt": dukpt},
                           OutgoingEncryptionAttributes=symmetric("CBC", iv))
    assert r["KeyArn"] == AES_ARN
    assert r["CipherText"] == oracle("AES", "CBC", iv, PLAIN16)
    back = dp.decrypt_data(KeyIdentifier=AES_ARN, CipherText=r["CipherText"], DecryptionAttributes=symmetric("CBC", iv))
    assert back["PlainText"] == PLAIN16


def rsa_public():
    import json
    doc = json.loads((ROOT / "cli" / "src" / "demo-keys.json").read_text())
    pem = next(k["KeyMaterial"] for k in doc["Keys"] if k["KeyArn"] == RSA_ARN)
    return RSA.import_key(pem).public_key()


def test_rsa_oaep_both_ways_and_into_dukpt(dp):
    # pycryptodome encrypts under the demo public key; the server decrypts with the key pair.
    ct = PKCS1_OAEP.new(rsa_public(), hashAlgo=SHA256).encrypt(bytes.fromhex(PLAIN16)).hex().upper()
    oaep = {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}
    assert dp.decrypt_data(KeyIdentifier="alias/demo-rsa", CipherText=ct, DecryptionAttributes=oaep)["PlainText"] == PLAIN16
    # The server encrypts under the public key; decrypting with the pair gives the plaintext back.
    enc = dp.encrypt_data(KeyIdentifier="alias/demo-rsa-public", PlainText=PLAIN16, EncryptionAttributes=oaep)
    assert len(enc["CipherText"]) == 512
    assert dp.decrypt_data(KeyIdentifier=RSA_ARN, CipherText=enc["CipherText"], DecryptionAttributes=oaep)["PlainText"] == PLAIN16
    # RSA -> TDES DUKPT, checked by decrypting under DUKPT.
    dukpt = {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00002", "Mode": "CBC", "DukptKeyVariant": "RESPONSE"}}
    r = dp.re_encrypt_data(IncomingKeyIdentifier=RSA_ARN, OutgoingKeyIdentifier="alias/team/bdk-1", CipherText=ct,
                           IncomingEncryptionAttributes=oaep, OutgoingEncryptionAttributes=dukpt)
    assert r["KeyArn"] == TDES_BDK_ARN and r["KeyCheckValue"] == "08D7B4"
    back = dp.decrypt_data(KeyIdentifier=TDES_BDK_ARN, CipherText=r["CipherText"], DecryptionAttributes=dukpt)
    assert back["PlainText"] == PLAIN16


@pytest.mark.parametrize("identifier", [
    "alias/team/bdk-1",
    TDES_BDK_ARN,
    f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:alias/team/bdk-1",
])
def test_aliases_and_arns_with_slash_and_colon_in_the_path(dp, identifier):
    r = dp.re_encrypt_data(
        IncomingKeyIdentifier=identifier, OutgoingKeyIdentifier=TDES_ARN, CipherText="124F7A32F3F84187",
        IncomingEncryptionAttributes={"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "ECB"}},
        OutgoingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}})
    assert r["CipherText"] == "B064B6C2571C65D5"


def test_validation_exception_with_field_list(dp):
    with pytest.raises(dp.exceptions.ValidationException) as ei:
        dp.encrypt_data(KeyIdentifier=TDES_ARN, PlainText="ZZ", EncryptionAttributes={"Symmetric": {"Mode": "ECB"}})
    e = ei.value.response
    assert e["Error"]["Code"] == "ValidationException" and e["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert e["message"] and e["fieldList"][0]["path"] == "PlainText"
    # An enum the client does not check: the server does.
    with pytest.raises(dp.exceptions.ValidationException) as ei:
        dp.encrypt_data(KeyIdentifier=TDES_ARN, PlainText=PLAIN16, EncryptionAttributes={"Symmetric": {"Mode": "NOPE"}})
    assert ei.value.response["fieldList"][0]["path"] == "EncryptionAttributes.Symmetric.Mode"
    # A malformed identifier in the path.
    with pytest.raises(dp.exceptions.ValidationException) as ei:
        dp.decrypt_data(KeyIdentifier="not-an-arn!", CipherText="00", DecryptionAttributes={"Symmetric": {"Mode": "ECB"}})
    assert ei.value.response["fieldList"][0]["path"] == "KeyIdentifier"


def test_resource_not_found(dp):
    with pytest.raises(dp.exceptions.ResourceNotFoundException) as ei:
        dp.decrypt_data(KeyIdentifier="alias/nope", CipherText="00", DecryptionAttributes={"Symmetric": {"Mode": "ECB"}})
    r = ei.value.response
    assert r["ResourceId"] == "alias/nope" and r["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert r["Error"]["Message"]


def test_access_denied(dp):
    with pytest.raises(dp.exceptions.AccessDeniedException) as ei:
        dp.encrypt_data(KeyIdentifier=DECRYPT_ONLY_ARN, PlainText=PLAIN16, EncryptionAttributes={"Symmetric": {"Mode": "ECB"}})
    r = ei.value.response
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 403 and r["Message"]


def error_code(call):
    with pytest.raises(ClientError) as ei:
        call()
    r = ei.value.response
    return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]


def encrypt(client, arn=TDES_ARN):
    return client.encrypt_data(KeyIdentifier=arn, PlainText=PLAIN16, EncryptionAttributes={"Symmetric": {"Mode": "ECB"}})


def test_wrong_secret_unknown_key_and_unsigned(server):
    code, status, msg = error_code(lambda: encrypt(server.client(secret="wrong")))
    assert (code, status) == ("InvalidSignatureException", 403) and "signature we calculated" in msg
    assert error_code(lambda: encrypt(server.client(key="AKIDUNKNOWN")))[:2] == ("UnrecognizedClientException", 403)
    unsigned = server.client(config=botocore.config.Config(signature_version=botocore.UNSIGNED,
                                                          retries={"total_max_attempts": 1}))
    assert error_code(lambda: encrypt(unsigned))[:2] == ("MissingAuthenticationTokenException", 403)
    # The control plane encodes the same failure with 400 and __type.
    cp = server.client("payment-cryptography", secret="wrong")
    assert error_code(cp.list_keys)[:2] == ("InvalidSignatureException", 400)


def test_expired_signature(server, monkeypatch):
    real = botocore.auth.get_current_datetime
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: real() - datetime.timedelta(minutes=20))
    code, status, msg = error_code(lambda: encrypt(server.client()))
    assert (code, status) == ("InvalidSignatureException", 403) and msg.startswith("Signature expired")


def test_tampered_body(server):
    client = server.client()

    def tamper(request, **_):
        request.body = request.body.replace(b"ECB", b"CBC")

    client.meta.events.register("before-send.payment-cryptography-data.EncryptData", tamper)
    code, status, _ = error_code(lambda: encrypt(client))
    assert (code, status) == ("InvalidSignatureException", 403)


def test_session_token(server):
    ok = boto3.client("payment-cryptography-data", endpoint_url=server.endpoint, region_name=REGION,
                      aws_access_key_id="ASIATEMPORARY", aws_secret_access_key="temp-secret",
                      aws_session_token="the-token", config=NO_RETRY)
    assert encrypt(ok)["CipherText"] == encrypt(server.client())["CipherText"]
    bad = boto3.client("payment-cryptography-data", endpoint_url=server.endpoint, region_name=REGION,
                       aws_access_key_id="ASIATEMPORARY", aws_secret_access_key="temp-secret",
                       aws_session_token="another-token", config=NO_RETRY)
    assert error_code(lambda: encrypt(bad))[:2] == ("UnrecognizedClientException", 403)


def test_accounts_and_regions(server):
    dp = server.client()
    # Another account's key, by ARN or by an alias pointing at it: not found, as on AWS.
    for identifier in [OTHER_ACCOUNT_ARN, "alias/other-account"]:
        code, status, _ = error_code(lambda: encrypt(dp, identifier))
        assert (code, status) == ("ResourceNotFoundException", 404)
    # That account's own caller finds it.
    other = server.client(key="OTHERACCOUNT", secret="other-secret")
    assert encrypt(other, OTHER_ACCOUNT_ARN)["KeyArn"] == OTHER_ACCOUNT_ARN
    assert error_code(lambda: encrypt(other, TDES_ARN))[0] == "ResourceNotFoundException"
    # The region comes from the signature: eu-west-1 sees its key and not us-east-2's.
    eu = server.client(region=OTHER_REGION)
    assert encrypt(eu, OTHER_REGION_ARN)["KeyArn"] == OTHER_REGION_ARN
    assert error_code(lambda: encrypt(eu, TDES_ARN))[0] == "ResourceNotFoundException"
    assert error_code(lambda: encrypt(eu, "alias/demo-tdes-key"))[0] == "ResourceNotFoundException"
    # Same material, same answer, in every scope.
    assert encrypt(eu, OTHER_REGION_ARN)["CipherText"] == encrypt(dp)["CipherText"]


def test_not_implemented_operations(server, dp):
    code, status, msg = error_code(lambda: dp.generate_mac(
        KeyIdentifier=TDES_ARN, MessageData="00", GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM1"}))
    assert (code, status) == ("NotImplementedException", 501) and "GenerateMac" in msg
    cp = server.client("payment-cryptography")
    code, status, msg = error_code(lambda: cp.get_parameters_for_export(
        KeyMaterialType="TR34_KEY_BLOCK", SigningKeyAlgorithm="RSA_2048"))
    assert (code, status) == ("NotImplementedException", 501) and "GetParametersForExport" in msg


def test_endpoint_environment_variable(server):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL_PAYMENT_CRYPTOGRAPHY_DATA=server.endpoint, AWS_ACCESS_KEY_ID="test",
               AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION, AWS_MAX_ATTEMPTS="1",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    code = ("import boto3; c = boto3.client('payment-cryptography-data'); "
            "print(c.encrypt_data(KeyIdentifier='alias/demo-tdes-key', PlainText='0102030405060708', "
            "EncryptionAttributes={'Symmetric': {'Mode': 'ECB'}})['CipherText'])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "B064B6C2571C65D5"


def test_many_clients_at_once(server):
    """64 workers, 25 requests each, all at once: every answer is the one for its own request."""

    def worker(n):
        client = server.client()
        for i in range(25):
            plain = f"{n:08X}{i:08X}{n:08X}{i:08X}"
            iv = f"{i:016X}"
            attrs = symmetric("CBC", iv)
            r = client.encrypt_data(KeyIdentifier=TDES_ARN, PlainText=plain, EncryptionAttributes=attrs)
            assert r["CipherText"] == oracle("TDES", "CBC", iv, plain), (n, i)
            back = client.decrypt_data(KeyIdentifier="alias/demo-tdes-key", CipherText=r["CipherText"],
                                       DecryptionAttributes=attrs)
            assert back["PlainText"] == plain, (n, i)
        return n

    with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
        assert sorted(pool.map(worker, range(64))) == list(range(64))


def test_one_log_line_per_request_without_secrets(server, dp):
    before = len(server.log)
    r = dp.decrypt_data(KeyIdentifier=TDES_ARN, CipherText="B064B6C2571C65D5",
                        DecryptionAttributes={"Symmetric": {"Mode": "ECB"}})
    assert r["PlainText"] == "0102030405060708"
    rid = r["ResponseMetadata"]["RequestId"]
    import time
    for _ in range(50):
        if any(rid in line for line in server.log[before:]):
            break
        time.sleep(0.05)
    lines = [line for line in server.log[before:] if rid in line]
    assert len(lines) == 1, server.log[before:]
    line = lines[0]
    for want in ["operation=\"DecryptData\"", f"key={TDES_ARN}", "status=200", "latency_us="]:
        assert want in line, line
    text = "".join(server.log)
    for secret in ["0102030405060708", "B064B6C2571C65D5", TDES_MATERIAL, "AWS4-HMAC-SHA256", "Signature="]:
        assert secret not in text
