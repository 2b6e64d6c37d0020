"""Dynamic (wrapped) working keys against paycrypt-server with boto3: IncomingWrappedKey /
OutgoingWrappedKey on ReEncryptData and WrappedKey on EncryptData / DecryptData.

The key blocks are made here by psec (an independent TR-31 implementation, the one AWS's samples use)
under the demo key store's KEKs (cli/src/demo-keys.json); every result is checked with pycryptodome and
the clear keys: ciphertexts, plaintexts, and the check value of the unwrapped key (T3), with the KEK's
ARN as KeyArn.
"""

import json
import os
import warnings

import pytest
from Crypto.Cipher import AES, DES3
from Crypto.Hash import CMAC

from conftest import P, ROOT

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # psec 1.3.0 uses cryptography's deprecated TripleDES
    import psec

AES_KEK_ARN = P + "demoaes256kek0000001"
TDES_KEK_ARN = P + "demotdes3kek00000001"
PLAIN32 = "3431313131313131313131313131313134313131313131313131313131313131"


def material(arn):
    doc = json.loads((ROOT / "cli" / "src" / "demo-keys.json").read_text())
    return bytes.fromhex(next(k["KeyMaterial"] for k in doc["Keys"] if k["KeyArn"] == arn))


def wrap(kek_arn, header, key):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return psec.tr31.wrap(kbpk=material(kek_arn), header=header, key=key)


def cipher(key, iv):
    if len(key) in (16, 24) and key_is_tdes.get(key, False):
        return DES3.new(key, DES3.MODE_CBC, iv=iv)
    return AES.new(key, AES.MODE_CBC, iv=iv)


key_is_tdes = {}


def tdes_key(n):
    while True:
        k = os.urandom(n)
        try:
            DES3.adjust_key_parity(k)
            DES3.new(k, DES3.MODE_ECB)
        except ValueError:
            continue  # degenerates to single DES: pycryptodome refuses it, so does paycrypt
        key_is_tdes[k] = True
        return k


def kcv(key, algorithm):
    if algorithm == "CMAC":
        mac = CMAC.new(key, ciphermod=DES3 if key_is_tdes.get(key) else AES)
        mac.update(bytes(8 if key_is_tdes.get(key) else 16))
        return mac.digest()[:3].hex().upper()
    if key_is_tdes.get(key):
        return DES3.new(key, DES3.MODE_ECB).encrypt(bytes(8))[:3].hex().upper()
    return AES.new(key, AES.MODE_ECB).encrypt(bytes(16))[:3].hex().upper()


def attrs(iv):
    return {"Symmetric": {"Mode": "CBC", "InitializationVector": iv.hex().upper()}}


def wrapped(block, kcv_algorithm=None):
    w = {"WrappedKeyMaterial": {"Tr31KeyBlock": block}}
    if kcv_algorithm:
        w["KeyCheckValueAlgorithm"] = kcv_algorithm
    return w


@pytest.mark.parametrize("n", [16, 24, 32])
def test_encrypt_data_with_an_aes_key_wrapped_by_psec(dp, n):
    key = os.urandom(n)
    block = wrap(AES_KEK_ARN, "D0000D0AE00E0000", key)
    iv = os.urandom(16)
    r = dp.encrypt_data(KeyIdentifier="alias/demo-aes-kek", PlainText=PLAIN32, EncryptionAttributes=attrs(iv),
                        WrappedKey=wrapped(block))
    assert r["CipherText"] == cipher(key, iv).encrypt(bytes.fromhex(PLAIN32)).hex().upper()
    assert r["KeyArn"] == AES_KEK_ARN
    assert r["KeyCheckValue"] == kcv(key, "CMAC")


@pytest.mark.parametrize("n", [16, 24])
def test_decrypt_data_with_a_tdes_key_under_the_tdes_kek(dp, n):
    key = tdes_key(n)
    block = wrap(TDES_KEK_ARN, "B0000D0TD00N0000", key)
    assert block.startswith("B0096D0TD00N0000")
    iv = os.urandom(8)
    ct = cipher(key, iv).encrypt(bytes.fromhex(PLAIN32)).hex().upper()
    r = dp.decrypt_data(KeyIdentifier=TDES_KEK_ARN, CipherText=ct, DecryptionAttributes=attrs(iv),
                        WrappedKey=wrapped(block, "ANSI_X9_24"))
    assert r["PlainText"] == PLAIN32
    assert r["KeyArn"] == TDES_KEK_ARN
    assert r["KeyCheckValue"] == kcv(key, "ANSI_X9_24")


def test_re_encrypt_data_from_one_wrapped_key_to_another(dp):
    in_key = tdes_key(16)
    out_key = os.urandom(32)
    # A TDES key in a version D block under the AES KEK (incoming, decrypt-only), an AES-256 key
    # (outgoing, encrypt-only) with optional blocks, under the same KEK.
    in_block = wrap(AES_KEK_ARN, "D0000D0TD00N0000", in_key)
    header = psec.tr31.Header(version_id="D", key_usage="D0", algorithm="A", mode_of_use="E",
                              version_num="00", exportability="N")
    header.blocks["KS"] = "00604B120F9292800000"
    out_block = wrap(AES_KEK_ARN, header, out_key)
    in_iv, out_iv = os.urandom(8), os.urandom(16)
    ct = cipher(in_key, in_iv).encrypt(bytes.fromhex(PLAIN32)).hex().upper()
    r = dp.re_encrypt_data(
        IncomingKeyIdentifier="alias/demo-aes-kek", OutgoingKeyIdentifier=AES_KEK_ARN, CipherText=ct,
        IncomingEncryptionAttributes=attrs(in_iv), OutgoingEncryptionAttributes=attrs(out_iv),
        IncomingWrappedKey=wrapped(in_block), OutgoingWrappedKey=wrapped(out_block, "ANSI_X9_24"))
    assert r["CipherText"] == cipher(out_key, out_iv).encrypt(bytes.fromhex(PLAIN32)).hex().upper()
    assert r["KeyArn"] == AES_KEK_ARN
    assert r["KeyCheckValue"] == kcv(out_key, "ANSI_X9_24")


def test_re_encrypt_data_from_dukpt_to_a_wrapped_key(dp):
    # The incoming ciphertext comes from the server's own DUKPT encryption (checked elsewhere against
    # pycryptodome); the outgoing result is checked here with the clear wrapped key.
    dukpt = {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "DukptKeyVariant": "REQUEST", "Mode": "CBC"}}
    ct = dp.encrypt_data(KeyIdentifier="alias/demo-tdes-bdk", PlainText=PLAIN32, EncryptionAttributes=dukpt)
    out_key = tdes_key(24)
    block = wrap(TDES_KEK_ARN, "B0000D0TB00E0000", out_key)
    iv = os.urandom(8)
    r = dp.re_encrypt_data(IncomingKeyIdentifier="alias/demo-tdes-bdk", OutgoingKeyIdentifier="alias/demo-tdes-kek",
                           CipherText=ct["CipherText"], IncomingEncryptionAttributes=dukpt,
                           OutgoingEncryptionAttributes=attrs(iv), OutgoingWrappedKey=wrapped(block))
    assert r["CipherText"] == cipher(out_key, iv).encrypt(bytes.fromhex(PLAIN32)).hex().upper()
    assert r["KeyArn"] == TDES_KEK_ARN
    assert r["KeyCheckValue"] == kcv(out_key, "ANSI_X9_24")


def test_refusals_name_the_wrapped_key_member(dp):
    key = os.urandom(16)
    block = wrap(AES_KEK_ARN, "D0000D0AB00E0000", key)
    changed = block[:-1] + ("0" if block[-1] != "0" else "1")
    iv = os.urandom(16)
    ct = cipher(key, iv).encrypt(bytes.fromhex(PLAIN32)).hex().upper()
    cases = [
        # A changed authenticator: the one unwrap error.
        (dict(KeyIdentifier=AES_KEK_ARN, WrappedKey=wrapped(changed)),
         "WrappedKey.WrappedKeyMaterial.Tr31KeyBlock", "cannot be unwrapped"),
        # A version B block under the AES KEK.
        (dict(KeyIdentifier=AES_KEK_ARN, WrappedKey=wrapped(wrap(TDES_KEK_ARN, "B0000D0TB00E0000", tdes_key(16)))),
         "KeyIdentifier", "does not fit"),
        # Encrypt-only block on the decrypt side.
        (dict(KeyIdentifier=AES_KEK_ARN, WrappedKey=wrapped(wrap(AES_KEK_ARN, "D0000D0AE00E0000", key))),
         "WrappedKey.WrappedKeyMaterial.Tr31KeyBlock", "mode of use"),
        # The KEK is a data key.
        (dict(KeyIdentifier="alias/demo-aes-key", WrappedKey=wrapped(block)), "KeyIdentifier", "KeyUsage"),
        # DUKPT attributes with a wrapped key.
        (dict(KeyIdentifier=AES_KEK_ARN, WrappedKey=wrapped(block),
              DecryptionAttributes={"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}}),
         "DecryptionAttributes.Dukpt", "not supported"),
    ]
    for extra, path, words in cases:
        request = {"CipherText": ct, "DecryptionAttributes": attrs(iv), **extra}
        with pytest.raises(dp.exceptions.ValidationException) as ei:
            dp.decrypt_data(**request)
        e = ei.value.response
        assert e["fieldList"][0]["path"] == path, e
        assert words in e["fieldList"][0]["message"], e
        assert block[20:60] not in json.dumps(e)
    # And the unchanged block works.
    r = dp.decrypt_data(KeyIdentifier=AES_KEK_ARN, CipherText=ct, DecryptionAttributes=attrs(iv),
                        WrappedKey=wrapped(block))
    assert r["PlainText"] == PLAIN32
