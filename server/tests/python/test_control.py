"""The control plane with boto3 and the AWS CLI v1 against a real paycrypt-server on a durable state:
keys created and used on the data plane, clear keys put in exactly as against AWS (a KEK by
GetParametersForImport + KeyCryptogram, wrapped here with `cryptography`'s RSA-OAEP; working keys and
a BDK by TR-31 key blocks built by `psec`), exported keys unwrapped by `psec`, every check value and
ciphertext recomputed with pycryptodome, certificates checked with `cryptography`; aliases, tags,
pagination, the lifecycle, errors, a restart on the same state and a SIGKILL in the middle of 500
concurrent changes."""

import base64
import concurrent.futures
import datetime
import json
import os
import subprocess
import time
import warnings

import botocore.config
import pytest
from botocore.exceptions import ClientError
from Crypto.Cipher import AES, DES3, PKCS1_OAEP
from Crypto.Hash import CMAC, SHA256
from Crypto.PublicKey import RSA
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from conftest import ACCOUNT, NO_RETRY, OTHER_REGION, REGION, Server

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # psec names TripleDES, which `cryptography` deprecates
    import psec.tr31

KEK = bytes.fromhex("8899AABBCCDDEEFF00112233445566770123456789ABCDEFFEDCBA9876543210")
AES_DATA = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
TDES_DATA = bytes.fromhex("0101010101010101FEFEFEFEFEFEFEFE")
TDES_BDK = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
PLAIN = "34313131313131313131313131313131"
ECB = {"Symmetric": {"Mode": "ECB"}}

D0_MODES = {"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True}


def attrs(usage, algorithm, modes, cls="SYMMETRIC_KEY"):
    return {"KeyUsage": usage, "KeyClass": cls, "KeyAlgorithm": algorithm, "KeyModesOfUse": modes}


D0_AES128 = attrs("TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "AES_128", D0_MODES)
K0_AES256 = attrs("TR31_K0_KEY_ENCRYPTION_KEY", "AES_256", D0_MODES)


def kcv_aes(material):
    """An AES key's check value computed independently: CMAC of a zero block, 3 bytes."""
    return CMAC.new(material, ciphermod=AES).update(bytes(16)).hexdigest()[:6].upper()


def kcv_tdes(material):
    """A TDES key's check value (ANSI X9.24): ECB of a zero block, 3 bytes."""
    return DES3.new(material, DES3.MODE_ECB).encrypt(bytes(8))[:3].hex().upper()


def aes_ecb(material, hex_data):
    return AES.new(material, AES.MODE_ECB).encrypt(bytes.fromhex(hex_data)).hex().upper()


def tdes_ecb(material, hex_data):
    return DES3.new(material, DES3.MODE_ECB).encrypt(bytes.fromhex(hex_data)).hex().upper()


def code_of(call):
    with pytest.raises(ClientError) as ei:
        call()
    r = ei.value.response
    return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]


def pem_of(b64):
    """A certificate member: base64 of the PEM text."""
    return x509.load_pem_x509_certificate(base64.b64decode(b64))


def issued_by(cert, ca):
    cert.verify_directly_issued_by(ca)
    return True


def import_by_cryptogram(cp, material, attributes, exportable=True, spec="RSA_OAEP_SHA_256",
                         algorithm="RSA_2048"):
    """Exactly as against AWS: the service's wrapping key, the client's RSA-OAEP."""
    p = cp.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm=algorithm)
    cert, chain = pem_of(p["WrappingKeyCertificate"]), pem_of(p["WrappingKeyCertificateChain"])
    assert issued_by(cert, chain) and p["WrappingKeyAlgorithm"] == algorithm
    assert p["ImportToken"].startswith("import-token-")
    assert p["ParametersValidUntilTimestamp"] > datetime.datetime.now(datetime.timezone.utc)
    h = hashes.SHA256() if spec == "RSA_OAEP_SHA_256" else hashes.SHA512()
    wrapped = cert.public_key().encrypt(material, padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None))
    return cp.import_key(KeyMaterial={"KeyCryptogram": {
        "KeyAttributes": attributes, "Exportable": exportable, "ImportToken": p["ImportToken"],
        "WrappedKeyCryptogram": wrapped.hex().upper(), "WrappingSpec": spec}})["Key"]


def tr31_import(cp, kek_arn, header, material, **kw):
    block = psec.tr31.wrap(KEK, header, material)
    return cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn,
                                                       "WrappedKeyBlock": block}}, **kw)["Key"]


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    d = tmp_path_factory.mktemp("state")
    return d, ["--state", str(d / "state.redb"), "--state-key-file", str(d / "state.key"),
               "--credentials", str(d / "credentials.json")]


@pytest.fixture(scope="module")
def server(state):
    d, args = state
    s = Server(d, *args)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def cp(server):
    return server.client("payment-cryptography")


@pytest.fixture(scope="module")
def dp(server):
    return server.client()


@pytest.fixture(scope="module")
def kek(cp):
    k = import_by_cryptogram(cp, KEK, K0_AES256, exportable=False)
    cp.create_alias(AliasName="alias/test-kek", KeyArn=k["KeyArn"])
    return k


def test_start_line_and_state_key_file(server, state):
    d, _ = state
    assert oct((d / "state.key").stat().st_mode & 0o777) == "0o600"
    deadline = time.time() + 10
    while not any("created the state key file" in line for line in server.log) and time.time() < deadline:
        time.sleep(0.05)
    assert any("created the state key file" in line for line in server.log)


def test_kek_by_key_cryptogram(kek):
    assert kek["KeyOrigin"] == "EXTERNAL" and kek["KeyState"] == "CREATE_COMPLETE" and kek["Enabled"]
    assert kek["KeyAttributes"]["KeyUsage"] == "TR31_K0_KEY_ENCRYPTION_KEY"
    assert kek["KeyCheckValue"] == kcv_aes(KEK)
    assert kek["KeyCheckValueAlgorithm"] == "CMAC" and kek["Exportable"] is False


@pytest.mark.parametrize("spec,algorithm", [("RSA_OAEP_SHA_512", "RSA_3072"), ("RSA_OAEP_SHA_256", "RSA_2048")])
def test_clear_key_by_cryptogram_gives_pycryptodome_results(cp, dp, spec, algorithm):
    k = import_by_cryptogram(cp, AES_DATA, D0_AES128, spec=spec, algorithm=algorithm)
    assert k["KeyCheckValue"] == kcv_aes(AES_DATA)
    r = dp.encrypt_data(KeyIdentifier=k["KeyArn"], PlainText=PLAIN, EncryptionAttributes=ECB)
    assert r["CipherText"] == aes_ecb(AES_DATA, PLAIN) and r["KeyCheckValue"] == k["KeyCheckValue"]


def test_cryptogram_errors(cp):
    p = cp.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm="RSA_2048")
    pub = pem_of(p["WrappingKeyCertificate"]).public_key()
    h = hashes.SHA256()

    def attempt(material, token=p["ImportToken"], spec="RSA_OAEP_SHA_256"):
        wrapped = pub.encrypt(material, padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None)).hex().upper()
        return code_of(lambda: cp.import_key(KeyMaterial={"KeyCryptogram": {
            "KeyAttributes": D0_AES128, "Exportable": True, "ImportToken": token,
            "WrappedKeyCryptogram": wrapped, "WrappingSpec": spec}}))

    assert attempt(AES_DATA[:15])[:2] == ("ValidationException", 400)  # wrong length for AES_128
    assert attempt(AES_DATA, spec="RSA_OAEP_SHA_512")[:2] == ("ValidationException", 400)  # wrong hash
    assert attempt(AES_DATA, token="import-token-" + "a" * 24)[:2] == ("ValidationException", 400)
    # Reuse gives the same token and key.
    again = cp.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm="RSA_2048",
                                         ReuseLastGeneratedToken=True)
    assert again["ImportToken"] == cp.get_parameters_for_import(
        KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm="RSA_2048", ReuseLastGeneratedToken=True)["ImportToken"]
    code, status, msg = code_of(lambda: cp.get_parameters_for_import(
        KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm="RSA_2048"))
    assert (code, status) == ("ValidationException", 400) and "not supported by this emulator" in msg


def test_tr31_import_of_psec_blocks_then_data_plane(cp, dp, kek):
    d0 = tr31_import(cp, "alias/test-kek", "D0000D0AB00E0000", AES_DATA)
    assert d0["KeyAttributes"] == {**D0_AES128, "KeyModesOfUse": {
        **{m: False for m in ["Generate", "Sign", "Verify", "DeriveKey", "NoRestrictions"]}, **D0_MODES}}
    assert d0["Exportable"] is True and d0["KeyOrigin"] == "EXTERNAL"
    assert d0["KeyCheckValue"] == kcv_aes(AES_DATA)
    assert dp.encrypt_data(KeyIdentifier=d0["KeyArn"], PlainText=PLAIN, EncryptionAttributes=ECB)[
        "CipherText"] == aes_ecb(AES_DATA, PLAIN)
    # A TDES data key and a TDES BDK (non-exportable) under the AES KEK, then AWS's worked
    # DUKPT -> TDES case on the data plane by alias.
    tdes = tr31_import(cp, kek["KeyArn"], "D0000D0TB00E0000", TDES_DATA, KeyCheckValueAlgorithm="ANSI_X9_24")
    assert tdes["KeyCheckValue"] == kcv_tdes(TDES_DATA)
    bdk = tr31_import(cp, kek["KeyArn"], "D0000B0TX00N0000", TDES_BDK)
    assert bdk["KeyAttributes"]["KeyUsage"] == "TR31_B0_BASE_DERIVATION_KEY" and bdk["Exportable"] is False
    assert bdk["KeyAttributes"]["KeyModesOfUse"]["DeriveKey"] is True
    cp.create_alias(AliasName="alias/imported-bdk", KeyArn=bdk["KeyArn"])
    cp.create_alias(AliasName="alias/imported-tdes", KeyArn=tdes["KeyArn"])
    r = dp.re_encrypt_data(
        IncomingKeyIdentifier="alias/imported-bdk", OutgoingKeyIdentifier="alias/imported-tdes",
        CipherText="124F7A32F3F84187",
        IncomingEncryptionAttributes={"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "ECB"}},
        OutgoingEncryptionAttributes=ECB)
    assert (r["CipherText"], r["KeyArn"]) == ("B064B6C2571C65D5", tdes["KeyArn"])
    # A block whose MAC does not verify, and a KEK that is not one.
    block = psec.tr31.wrap(KEK, "D0000D0AB00E0000", AES_DATA)
    bad = block[:-1] + ("0" if block[-1] != "0" else "1")
    assert code_of(lambda: cp.import_key(KeyMaterial={"Tr31KeyBlock": {
        "WrappingKeyIdentifier": kek["KeyArn"], "WrappedKeyBlock": bad}}))[:2] == ("ValidationException", 400)
    assert code_of(lambda: cp.import_key(KeyMaterial={"Tr31KeyBlock": {
        "WrappingKeyIdentifier": d0["KeyArn"], "WrappedKeyBlock": block}}))[:2] == ("ValidationException", 400)
    assert code_of(lambda: cp.import_key(KeyMaterial={"Tr31KeyBlock": {
        "WrappingKeyIdentifier": "alias/no-such-kek", "WrappedKeyBlock": block}}))[:2] == (
        "ResourceNotFoundException", 400)


def test_created_key_exported_by_tr31_and_reimported(cp, dp, kek):
    k = cp.create_key(KeyAttributes=D0_AES128, Exportable=True)["Key"]
    assert k["KeyOrigin"] == "AWS_PAYMENT_CRYPTOGRAPHY" and k["KeyCheckValueAlgorithm"] == "CMAC"
    w = cp.export_key(ExportKeyIdentifier=k["KeyArn"], KeyMaterial={"Tr31KeyBlock": {
        "WrappingKeyIdentifier": kek["KeyArn"]}})["WrappedKey"]
    assert w["WrappedKeyMaterialFormat"] == "TR31_KEY_BLOCK" and w["WrappingKeyArn"] == kek["KeyArn"]
    assert w["KeyCheckValue"] == k["KeyCheckValue"]
    header, material = psec.tr31.unwrap(KEK, w["KeyMaterial"])
    assert (header.version_id, header.key_usage, header.algorithm, header.mode_of_use) == ("D", "D0", "A", "B")
    # The material the server made: its check value and its ciphertexts, recomputed independently.
    assert len(material) == 16
    assert k["KeyCheckValue"] == kcv_aes(material)
    r = dp.encrypt_data(KeyIdentifier=k["KeyArn"], PlainText=PLAIN, EncryptionAttributes=ECB)
    assert r["CipherText"] == aes_ecb(material, PLAIN)
    back = cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"],
                                                       "WrappedKeyBlock": w["KeyMaterial"]}})["Key"]
    assert back["KeyCheckValue"] == k["KeyCheckValue"] and back["KeyArn"] != k["KeyArn"]
    # A non-exportable key is refused.
    n = cp.create_key(KeyAttributes=D0_AES128, Exportable=False)["Key"]
    code, status, msg = code_of(lambda: cp.export_key(ExportKeyIdentifier=n["KeyArn"], KeyMaterial={
        "Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"]}}))
    assert (code, status) == ("ValidationException", 400) and "exportable" in msg


def test_created_tdes_keys_and_their_check_values(cp, dp, kek):
    for algorithm in ["TDES_2KEY", "TDES_3KEY"]:
        k = cp.create_key(KeyAttributes=attrs("TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", algorithm, D0_MODES),
                          Exportable=True, KeyCheckValueAlgorithm="ANSI_X9_24")["Key"]
        w = cp.export_key(ExportKeyIdentifier=k["KeyArn"], KeyMaterial={"Tr31KeyBlock": {
            "WrappingKeyIdentifier": kek["KeyArn"]}})["WrappedKey"]
        _, material = psec.tr31.unwrap(KEK, w["KeyMaterial"])
        assert len(material) == (16 if algorithm == "TDES_2KEY" else 24)
        assert all(bin(b).count("1") % 2 == 1 for b in material)  # odd parity
        assert k["KeyCheckValue"] == kcv_tdes(material)
        r = dp.encrypt_data(KeyIdentifier=k["KeyArn"], PlainText=PLAIN, EncryptionAttributes=ECB)
        assert r["CipherText"] == tdes_ecb(material, PLAIN)


@pytest.mark.parametrize("algorithm,bits", [("RSA_2048", 2048), ("RSA_3072", 3072), ("RSA_4096", 4096)])
def test_rsa_key_pair_certificate_and_data_plane(cp, dp, algorithm, bits):
    k = cp.create_key(KeyAttributes=attrs("TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", algorithm,
                                          {"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True},
                                          cls="ASYMMETRIC_KEY_PAIR"), Exportable=False)["Key"]
    assert k["KeyAttributes"]["KeyClass"] == "ASYMMETRIC_KEY_PAIR"
    c = cp.get_public_key_certificate(KeyIdentifier=k["KeyArn"])
    cert, chain = pem_of(c["KeyCertificate"]), pem_of(c["KeyCertificateChain"])
    assert issued_by(cert, chain)
    assert cert.public_key().key_size == bits
    der = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    ct = PKCS1_OAEP.new(RSA.import_key(der), hashAlgo=SHA256).encrypt(bytes.fromhex(PLAIN)).hex().upper()
    oaep = {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}
    assert dp.decrypt_data(KeyIdentifier=k["KeyArn"], CipherText=ct, DecryptionAttributes=oaep)["PlainText"] == PLAIN
    # A symmetric key has no certificate.
    s = cp.create_key(KeyAttributes=D0_AES128, Exportable=False)["Key"]
    assert code_of(lambda: cp.get_public_key_certificate(KeyIdentifier=s["KeyArn"]))[:2] == ("ValidationException", 400)


def ca_and_leaf(name):
    """A self-signed root and a leaf it signs, made here with `cryptography`."""
    now = datetime.datetime.now(datetime.timezone.utc)

    def build(subject, issuer, key, signer, ca):
        b = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
             .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        return b.sign(signer, hashes.SHA256())

    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = build(f"{name} root", f"{name} root", root_key, root_key, True)
    leaf = build(f"{name} leaf", f"{name} root", leaf_key, root_key, False)
    return root, leaf, leaf_key


def b64_pem(cert):
    return base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode()


def test_root_and_trusted_certificates(cp, dp):
    root, leaf, leaf_key = ca_and_leaf("test")
    r = cp.import_key(KeyMaterial={"RootCertificatePublicKey": {
        "KeyAttributes": attrs("TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "RSA_2048", {"Verify": True},
                               cls="PUBLIC_KEY"),
        "PublicKeyCertificate": b64_pem(root)}})["Key"]
    assert r["KeyAttributes"]["KeyClass"] == "PUBLIC_KEY" and r["KeyOrigin"] == "EXTERNAL"
    leaf_attrs = attrs("TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "RSA_2048", {"Encrypt": True, "Wrap": True},
                       cls="PUBLIC_KEY")
    t = cp.import_key(KeyMaterial={"TrustedCertificatePublicKey": {
        "KeyAttributes": leaf_attrs, "PublicKeyCertificate": b64_pem(leaf),
        "CertificateAuthorityPublicKeyIdentifier": r["KeyArn"]}})["Key"]
    # The server encrypts under the imported public key; the leaf's private key (held here) decrypts.
    enc = dp.encrypt_data(KeyIdentifier=t["KeyArn"], PlainText=PLAIN,
                          EncryptionAttributes={"Asymmetric": {"PaddingType": "OAEP_SHA256"}})
    plain = leaf_key.decrypt(bytes.fromhex(enc["CipherText"]), padding.OAEP(
        mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    assert plain.hex().upper() == PLAIN
    # A leaf signed by another root is refused.
    _, stranger, _ = ca_and_leaf("stranger")
    code, status, _ = code_of(lambda: cp.import_key(KeyMaterial={"TrustedCertificatePublicKey": {
        "KeyAttributes": leaf_attrs, "PublicKeyCertificate": b64_pem(stranger),
        "CertificateAuthorityPublicKeyIdentifier": r["KeyArn"]}}))
    assert (code, status) == ("ValidationException", 400)
    # A leaf is not a root.
    code, status, _ = code_of(lambda: cp.import_key(KeyMaterial={"RootCertificatePublicKey": {
        "KeyAttributes": attrs("TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "RSA_2048", {"Verify": True},
                               cls="PUBLIC_KEY"),
        "PublicKeyCertificate": b64_pem(leaf)}}))
    assert (code, status) == ("ValidationException", 400)


def test_tr34_ecdh_and_as2805_are_refused_by_name(cp):
    code, status, msg = code_of(lambda: cp.import_key(KeyMaterial={"Tr34KeyBlock": {
        "CertificateAuthorityPublicKeyIdentifier": "alias/x", "SigningKeyCertificate": "AAAA",
        "ImportToken": "import-token-" + "a" * 24, "WrappedKeyBlock": "00" * 32, "KeyBlockFormat": "X9_TR34_2012"}}))
    assert (code, status) == ("ValidationException", 400) and "not supported by this emulator" in msg
    kek = cp.create_key(KeyAttributes=attrs("TR31_K0_KEY_ENCRYPTION_KEY", "AES_128",
                                            {"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True}),
                        Exportable=True)["Key"]["KeyArn"]
    ecdh = {"PrivateKeyIdentifier": "alias/x", "CertificateAuthorityPublicKeyIdentifier": "alias/y",
            "PublicKeyCertificate": "AAAA", "DeriveKeyAlgorithm": "AES_128", "KeyDerivationFunction": "NIST_SP800",
            "KeyDerivationHashAlgorithm": "SHA_256", "DerivationData": {"SharedInformation": "00" * 8}}
    as2805 = {"WrappingKeyIdentifier": kek, "As2805KeyVariant": "DATA_ENCRYPTION_KEY_VARIANT_22"}
    refusals = [
        ("ECDH (DiffieHellmanTr31KeyBlock) key import", lambda: cp.import_key(KeyMaterial={
            "DiffieHellmanTr31KeyBlock": dict(ecdh, WrappedKeyBlock="00" * 32)})),
        ("AS2805 key import", lambda: cp.import_key(KeyMaterial={"As2805KeyCryptogram": dict(
            as2805, KeyModesOfUse={"Encrypt": True}, KeyAlgorithm="TDES_2KEY", Exportable=True,
            WrappedKeyCryptogram="00" * 16)})),
        ("TR-34 key export", lambda: cp.export_key(ExportKeyIdentifier=kek, KeyMaterial={"Tr34KeyBlock": {
            "CertificateAuthorityPublicKeyIdentifier": "alias/y", "WrappingKeyCertificate": "AAAA",
            "KeyBlockFormat": "X9_TR34_2012"}})),
        ("ECDH (DiffieHellmanTr31KeyBlock) key export", lambda: cp.export_key(
            ExportKeyIdentifier=kek, KeyMaterial={"DiffieHellmanTr31KeyBlock": ecdh})),
        ("AS2805 key export", lambda: cp.export_key(ExportKeyIdentifier=kek,
                                                   KeyMaterial={"As2805KeyCryptogram": as2805})),
    ]
    for what, call in refusals:
        code, status, msg = code_of(call)
        assert (code, status) == ("ValidationException", 400), what
        assert what in msg and "not supported by this emulator" in msg, msg


def test_lifecycle_and_the_data_plane(cp, dp):
    k = cp.create_key(KeyAttributes=D0_AES128, Exportable=False, Tags=[{"Key": "team", "Value": "payments"}])["Key"]
    arn = k["KeyArn"]
    assert arn.startswith(f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/")
    assert k["Enabled"] and k["UsageStartTimestamp"] and "UsageStopTimestamp" not in k
    use = lambda: dp.encrypt_data(KeyIdentifier=arn, PlainText=PLAIN, EncryptionAttributes=ECB)  # noqa: E731
    first = use()["CipherText"]
    stopped = cp.stop_key_usage(KeyIdentifier=arn)["Key"]
    assert stopped["Enabled"] is False and stopped["UsageStopTimestamp"]
    assert code_of(use)[:2] == ("ValidationException", 400)
    assert cp.start_key_usage(KeyIdentifier=arn)["Key"]["Enabled"] is True
    assert use()["CipherText"] == first
    before = time.time()
    d = cp.delete_key(KeyIdentifier=arn, DeleteKeyInDays=3)["Key"]
    assert d["KeyState"] == "DELETE_PENDING" and d["Enabled"] is False
    assert abs(d["DeletePendingTimestamp"].timestamp() - (before + 3 * 86400)) < 60
    assert code_of(use)[:2] == ("ValidationException", 400)
    assert code_of(lambda: cp.delete_key(KeyIdentifier=arn))[:2] == ("ConflictException", 400)
    assert code_of(lambda: cp.start_key_usage(KeyIdentifier=arn))[:2] == ("ConflictException", 400)
    assert [x["KeyArn"] for x in cp.list_keys(KeyState="DELETE_PENDING")["Keys"]] == [arn]
    r = cp.restore_key(KeyIdentifier=arn)["Key"]
    assert r["KeyState"] == "CREATE_COMPLETE" and "DeletePendingTimestamp" not in r and r["Enabled"] is False
    assert code_of(lambda: cp.restore_key(KeyIdentifier=arn))[:2] == ("ConflictException", 400)
    cp.start_key_usage(KeyIdentifier=arn)
    assert use()["CipherText"] == first
    for days in (181, 1000):  # botocore itself refuses fewer than 3
        assert code_of(lambda: cp.delete_key(KeyIdentifier=arn, DeleteKeyInDays=days))[:2] == ("ValidationException", 400)
    assert cp.delete_key(KeyIdentifier=arn)["Key"]["DeletePendingTimestamp"].timestamp() > before + 7 * 86400 - 60


def test_aliases(cp):
    a = cp.create_key(KeyAttributes=D0_AES128, Exportable=False)["Key"]["KeyArn"]
    b = cp.create_key(KeyAttributes=D0_AES128, Exportable=False)["Key"]["KeyArn"]
    assert cp.create_alias(AliasName="alias/team/one", KeyArn=a)["Alias"] == {"AliasName": "alias/team/one", "KeyArn": a}
    assert cp.get_alias(AliasName="alias/team/one")["Alias"]["KeyArn"] == a
    assert cp.get_key(KeyIdentifier="alias/team/one")["Key"]["KeyArn"] == a
    assert cp.get_key(KeyIdentifier=f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:alias/team/one")["Key"]["KeyArn"] == a
    assert code_of(lambda: cp.create_alias(AliasName="alias/team/one", KeyArn=b))[:2] == ("ConflictException", 400)
    assert cp.update_alias(AliasName="alias/team/one", KeyArn=b)["Alias"]["KeyArn"] == b
    assert cp.create_alias(AliasName="alias/unbound")["Alias"] == {"AliasName": "alias/unbound"}
    assert code_of(lambda: cp.get_key(KeyIdentifier="alias/unbound"))[:2] == ("ResourceNotFoundException", 400)
    assert [x["AliasName"] for x in cp.list_aliases(KeyArn=b)["Aliases"]] == ["alias/team/one"]
    for bad in ["notalias/x", "alias/sp ace", "alias/" + "x" * 300]:
        assert code_of(lambda: cp.create_alias(AliasName=bad, KeyArn=a))[:2] == ("ValidationException", 400)
    missing = a[:-4] + "zzzz"
    e = code_of(lambda: cp.create_alias(AliasName="alias/dangling", KeyArn=missing))
    assert e[:2] == ("ResourceNotFoundException", 400)
    assert cp.delete_alias(AliasName="alias/team/one")["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert code_of(lambda: cp.get_alias(AliasName="alias/team/one"))[:2] == ("ResourceNotFoundException", 400)
    assert code_of(lambda: cp.delete_alias(AliasName="alias/team/one"))[:2] == ("ResourceNotFoundException", 400)


def test_tags(cp):
    arn = cp.create_key(KeyAttributes=D0_AES128, Exportable=False, Tags=[{"Key": "a", "Value": "1"}])["Key"]["KeyArn"]
    cp.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert sorted((t["Key"], t["Value"]) for t in cp.list_tags_for_resource(ResourceArn=arn)["Tags"]) == [
        ("a", "3"), ("b", "2")]
    cp.untag_resource(ResourceArn=arn, TagKeys=["a", "not-there"])
    assert cp.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    assert code_of(lambda: cp.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": "1"}]))[:2] == (
        "ValidationException", 400)
    assert code_of(lambda: cp.list_tags_for_resource(ResourceArn=arn[:-4] + "zzzz"))[:2] == (
        "ResourceNotFoundException", 400)


def test_pagination_and_scoping(server, cp):
    other = server.client("payment-cryptography", key="OTHERACCOUNT", secret="other-secret")
    mine = {k["KeyArn"] for k in other.list_keys()["Keys"]}
    made = {other.create_key(KeyAttributes=D0_AES128, Exportable=False)["Key"]["KeyArn"] for _ in range(250)}
    pages = list(other.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 100}))
    arns = [k["KeyArn"] for p in pages for k in p["Keys"]]
    assert len(pages) == 3 and len(arns) == len(set(arns)) == 250 + len(mine) and set(arns) >= made
    assert arns == sorted(arns)
    page = other.list_keys(MaxResults=10)
    assert len(page["Keys"]) == 10 and page["NextToken"]
    assert other.list_keys(MaxResults=10, NextToken=page["NextToken"])["Keys"][0]["KeyArn"] == arns[10]
    assert code_of(lambda: other.list_keys(NextToken="!not-a-token!"))[:2] == ("ValidationException", 400)
    assert code_of(lambda: other.list_keys(MaxResults=101))[:2] == ("ValidationException", 400)
    # The default account sees none of them; another region of the same account neither.
    assert not made & {k["KeyArn"] for p in cp.get_paginator("list_keys").paginate() for k in p["Keys"]}
    assert code_of(lambda: cp.get_key(KeyIdentifier=next(iter(made))))[:2] == ("ResourceNotFoundException", 400)
    eu = server.client("payment-cryptography", key="OTHERACCOUNT", secret="other-secret", region=OTHER_REGION)
    assert eu.list_keys()["Keys"] == []
    for i in range(5):
        other.create_alias(AliasName=f"alias/page-{i}", KeyArn=sorted(made)[i])
    names = [a["AliasName"] for p in other.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 2})
             for a in p["Aliases"]]
    assert names == [f"alias/page-{i}" for i in range(5)]


def test_error_shapes_on_the_wire(server):
    from test_wire import call
    target = {"Content-Type": "application/x-amz-json-1.0"}
    status, h, body = call(server, "/", b"{not json", headers={**target, "X-Amz-Target": "PaymentCryptographyControlPlane.GetKey"})
    assert status == 400 and body["__type"] in ("SerializationException", "ValidationException")
    status, h, body = call(server, "/", {"KeyIdentifier": "alias/none"},
                           headers={**target, "X-Amz-Target": "PaymentCryptographyControlPlane.GetKey"})
    assert status == 400 and body["__type"] == "ResourceNotFoundException" and body["ResourceId"] == "alias/none"
    assert h["content-type"] == "application/x-amz-json-1.0"
    status, h, body = call(server, "/", {"KeyAttributes": D0_AES128},
                           headers={**target, "X-Amz-Target": "PaymentCryptographyControlPlane.CreateKey"})
    assert status == 400 and body["__type"] == "ValidationException" and "Exportable" in body["Message"]
    status, h, body = call(server, "/", {"KeyAttributes": D0_AES128, "Exportable": True},
                           headers={**target, "X-Amz-Target": "PaymentCryptographyControlPlane.CreateKey"})
    assert status == 200 and isinstance(body["Key"]["CreateTimestamp"], (int, float))
    assert status == 200 and set(body["Key"]["KeyAttributes"]["KeyModesOfUse"]) == {
        "Encrypt", "Decrypt", "Wrap", "Unwrap", "Generate", "Sign", "Verify", "DeriveKey", "NoRestrictions"}
    status, h, body = call(server, "/", {}, headers={**target, "X-Amz-Target": "PaymentCryptographyControlPlane.ListKeys"})
    assert status == 200 and "Keys" in body


def test_aws_cli_v1(server):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION,
               AWS_MAX_ATTEMPTS="1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    aws = [os.path.join(os.path.dirname(os.sys.executable), "aws")]

    def cli(*args, ok=True):
        p = subprocess.run(aws + ["payment-cryptography", *args, "--endpoint-url", server.endpoint, "--output", "json"],
                           capture_output=True, text=True, env=env, timeout=120)
        assert (p.returncode == 0) == ok, p.stderr
        return json.loads(p.stdout) if ok else p.stderr

    k = cli("create-key", "--exportable", "--key-attributes",
            "KeyAlgorithm=AES_256,KeyUsage=TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY,KeyClass=SYMMETRIC_KEY,"
            "KeyModesOfUse={Encrypt=true,Decrypt=true,Wrap=true,Unwrap=true}",
            "--tags", "Key=env,Value=cli")["Key"]
    assert k["KeyAttributes"]["KeyAlgorithm"] == "AES_256" and isinstance(k["CreateTimestamp"], (int, float))
    cli("create-alias", "--alias-name", "alias/from-cli", "--key-arn", k["KeyArn"])
    assert cli("get-key", "--key-identifier", "alias/from-cli")["Key"]["KeyCheckValue"] == k["KeyCheckValue"]
    assert k["KeyArn"] in [x["KeyArn"] for x in cli("list-keys")["Keys"]]
    assert cli("list-tags-for-resource", "--resource-arn", k["KeyArn"])["Tags"] == [{"Key": "env", "Value": "cli"}]
    assert "ConflictException" in cli("create-alias", "--alias-name", "alias/from-cli", "--key-arn", k["KeyArn"], ok=False)
    assert cli("delete-key", "--key-identifier", k["KeyArn"])["Key"]["KeyState"] == "DELETE_PENDING"


def test_restart_keeps_keys_aliases_and_tags(state, server, cp, dp, kek):
    """Last in this module: the server stops, a new one opens the same state."""
    d, args = state
    k = cp.create_key(KeyAttributes=D0_AES128, Exportable=True, Tags=[{"Key": "keep", "Value": "me"}])["Key"]
    cp.create_alias(AliasName="alias/survivor", KeyArn=k["KeyArn"])
    ct = dp.encrypt_data(KeyIdentifier="alias/survivor", PlainText=PLAIN, EncryptionAttributes=ECB)["CipherText"]
    keys_before = [x for p in cp.get_paginator("list_keys").paginate() for x in p["Keys"]]
    assert server.stop() == 0
    # The state does not authenticate under another key: a clear error at start, not an empty store.
    wrong = d / "wrong.key"
    wrong.write_text("00" * 32)
    os.chmod(wrong, 0o600)
    bad = subprocess.run([str(server.proc.args[0]), "--listen", "127.0.0.1:0", "--state", str(d / "state.redb"),
                          "--state-key-file", str(wrong)], capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "error" in bad.stderr and "listening" not in bad.stdout
    # The records on disk never hold the material in the clear.
    raw = (d / "state.redb").read_bytes()
    assert KEK not in raw and KEK.hex().upper().encode() not in raw and AES_DATA.hex().upper().encode() not in raw
    again = Server(d, *args)
    try:
        cp2, dp2 = again.client("payment-cryptography"), again.client()
        assert [x for p in cp2.get_paginator("list_keys").paginate() for x in p["Keys"]] == keys_before
        got = cp2.get_key(KeyIdentifier="alias/survivor")["Key"]
        assert {x: got[x] for x in k if x != "ResponseMetadata"} == k
        assert cp2.list_tags_for_resource(ResourceArn=k["KeyArn"])["Tags"] == [{"Key": "keep", "Value": "me"}]
        assert dp2.encrypt_data(KeyIdentifier="alias/survivor", PlainText=PLAIN, EncryptionAttributes=ECB)[
            "CipherText"] == ct
        # The KEK still unwraps what was made for it.
        assert tr31_import(cp2, kek["KeyArn"], "D0000D0AB00E0000", AES_DATA)["KeyCheckValue"] == kcv_aes(AES_DATA)
    finally:
        assert again.stop() == 0



def test_sigkill_during_500_concurrent_changes(tmp_path):
    """Every CreateKey / CreateAlias answered 200 before a SIGKILL is there after a restart, with the
    same attributes and check value; nothing half-written is visible."""
    args = ["--state", str(tmp_path / "state.redb"), "--state-key-file", str(tmp_path / "state.key")]
    s = Server(tmp_path, *args)
    cp = s.client("payment-cryptography", config=NO_RETRY.merge(botocore.config.Config(max_pool_connections=32)))
    answered = {}
    aliases = {}
    started = concurrent.futures.ThreadPoolExecutor(32)

    def one(i):
        k = cp.create_key(KeyAttributes=D0_AES128, Exportable=False, Tags=[{"Key": "i", "Value": str(i)}])["Key"]
        answered[k["KeyArn"]] = k
        cp.create_alias(AliasName=f"alias/crash-{i}", KeyArn=k["KeyArn"])
        aliases[f"alias/crash-{i}"] = k["KeyArn"]

    futures = [started.submit(one, i) for i in range(500)]
    while len(answered) < 150:
        time.sleep(0.01)
    s.kill()
    concurrent.futures.wait(futures)
    started.shutdown()
    assert len(answered) < 500, "the kill came too late to test anything"
    again = Server(tmp_path, *args)
    try:
        cp2 = again.client("payment-cryptography")
        stored = {k["KeyArn"]: k for p in cp2.get_paginator("list_keys").paginate() for k in p["Keys"]}
        assert set(answered) <= set(stored)
        for arn, k in answered.items():
            got = cp2.get_key(KeyIdentifier=arn)["Key"]
            assert {x: got[x] for x in k} == k
        for name, arn in aliases.items():
            assert cp2.get_alias(AliasName=name)["Alias"]["KeyArn"] == arn
        # Every stored key is whole: it encrypts, its tag names its request.
        dp2 = again.client()
        for arn in list(stored)[:50]:
            assert dp2.encrypt_data(KeyIdentifier=arn, PlainText=PLAIN, EncryptionAttributes=ECB)["KeyCheckValue"] == \
                stored[arn]["KeyCheckValue"]
    finally:
        assert again.stop() == 0


def test_import_and_export_subcommands(tmp_path):
    """A key-store document into a state and back: the same keys, aliases and check values."""
    from conftest import BIN, key_store
    doc = key_store()
    (tmp_path / "keys.json").write_text(json.dumps(doc))
    state = ["--state", str(tmp_path / "s.redb"), "--state-key-file", str(tmp_path / "s.key")]
    p = subprocess.run([str(BIN), "import", *state, "--keys", str(tmp_path / "keys.json")], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    # The same document again is refused whole: the state has those keys.
    p = subprocess.run([str(BIN), "import", *state, "--keys", str(tmp_path / "keys.json")], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode != 0 and "already has" in p.stderr
    s = Server(tmp_path, *state)
    try:
        dp = s.client()
        r = dp.encrypt_data(KeyIdentifier="alias/demo-tdes-key", PlainText="0102030405060708", EncryptionAttributes=ECB)
        assert (r["CipherText"], r["KeyCheckValue"]) == ("B064B6C2571C65D5", "9295B5")
        cp = s.client("payment-cryptography")
        listed = {k["KeyArn"] for p in cp.get_paginator("list_keys").paginate() for k in p["Keys"]}
        assert listed == {k["KeyArn"] for k in doc["Keys"] if f":{REGION}:{ACCOUNT}:" in k["KeyArn"]}
    finally:
        assert s.stop() == 0
    out = tmp_path / "out.json"
    p = subprocess.run([str(BIN), "export", *state, "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    back = json.loads(out.read_text())
    assert {k["KeyArn"]: k["KeyMaterial"] for k in back["Keys"]} == {k["KeyArn"]: k["KeyMaterial"] for k in doc["Keys"]}
    assert sorted((a["AliasName"], a["KeyArn"]) for a in back["Aliases"]) == sorted(
        (a["AliasName"], a["KeyArn"]) for a in doc["Aliases"])
