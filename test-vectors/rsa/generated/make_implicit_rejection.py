#!/usr/bin/env python3
"""Write pkcs1_implicit_rejection.json: what OpenSSL's implicit rejection returns for every Wycheproof
RSAES-PKCS1-v1_5 case marked `invalid` whose ciphertext it decrypts (run from this folder).

Needs pyca/cryptography linked against OpenSSL >= 3.2 (implicit rejection is on by default there for
PKCS#1 v1.5 decryption). Cases OpenSSL refuses outright (wrong length, c >= n) are left out: those are
decryption errors for paycrypt too, and the test checks that from the Wycheproof file itself.
"""
import json
from cryptography.hazmat.backends.openssl import backend
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding

FILES = ["rsa_pkcs1_2048_test.json", "rsa_pkcs1_3072_test.json"]
cases = []
for name in FILES:
    data = json.load(open(f"../wycheproof/{name}"))
    for group in data["testGroups"]:
        key = serialization.load_der_private_key(bytes.fromhex(group["privateKeyPkcs8"]), None)
        for t in group["tests"]:
            if t["result"] != "invalid":
                continue
            try:
                out = key.decrypt(bytes.fromhex(t["ct"]), padding.PKCS1v15())
            except ValueError:
                continue
            cases.append({"file": name, "tcId": t["tcId"], "msg": out.hex().upper()})

doc = {
    "note": "Implicit-rejection output of OpenSSL for the Wycheproof PKCS#1 v1.5 cases marked invalid that "
            "it decrypts (made by make_implicit_rejection.py; see SOURCES.md). msg = the synthetic message.",
    "openssl": backend.openssl_version_text(),
    "cases": cases,
}
with open("pkcs1_implicit_rejection.json", "w") as out:
    json.dump(doc, out, indent=1)
    out.write("\n")
