#!/usr/bin/env python3
"""Regenerate the RSA test keys in this folder and keys.json (run from this folder).

Needs the `openssl` command (3.x). Every key is made fresh by `openssl genpkey`, so keys.json, which
records each key's size and SHA_1 key check value as OpenSSL computes them, is rewritten too.
kcv = first 4 bytes of SHA-1 over the DER SubjectPublicKeyInfo written by `openssl pkey -pubout -outform DER`.
"""
import hashlib, json, re, subprocess

def ossl(*args, inp=None):
    return subprocess.run(["openssl", *args], input=inp, capture_output=True, check=True).stdout

def gen(alg, out, *opts):
    ossl("genpkey", "-algorithm", alg, *sum((["-pkeyopt", o] for o in opts), []), "-out", out)

for bits in (2048, 3072, 4096, 1024, 2560, 512):
    gen("RSA", f"rsa{bits}.pkcs8.pem", f"rsa_keygen_bits:{bits}")
gen("RSA-PSS", "rsapss2048.pkcs8.pem", "rsa_keygen_bits:2048")
gen("EC", "ec256.pkcs8.pem", "ec_paramgen_curve:P-256")

ossl("pkey", "-in", "rsa2048.pkcs8.pem", "-traditional", "-out", "rsa2048.pkcs1.pem")
ossl("pkey", "-in", "rsa2048.pkcs8.pem", "-outform", "DER", "-out", "rsa2048.pkcs8.der")
ossl("pkey", "-in", "rsa2048.pkcs8.pem", "-traditional", "-outform", "DER", "-out", "rsa2048.pkcs1.der")
ossl("pkey", "-in", "rsa3072.pkcs8.pem", "-traditional", "-out", "rsa3072.pkcs1.pem")
ossl("pkcs8", "-topk8", "-in", "rsa2048.pkcs8.pem", "-v2", "aes-128-cbc", "-passout", "pass:test",
     "-out", "rsa2048.encrypted.pem")
for bits in (2048, 3072, 4096, 1024, 2560, 512):
    ossl("pkey", "-in", f"rsa{bits}.pkcs8.pem", "-pubout", "-out", f"rsa{bits}.spki.pem")
ossl("pkey", "-in", "rsa2048.pkcs8.pem", "-pubout", "-outform", "DER", "-out", "rsa2048.spki.der")
ossl("rsa", "-in", "rsa2048.pkcs8.pem", "-RSAPublicKey_out", "-out", "rsa2048.pkcs1pub.pem")
ossl("rsa", "-in", "rsa2048.pkcs8.pem", "-RSAPublicKey_out", "-outform", "DER", "-out", "rsa2048.pkcs1pub.der")
ossl("rsa", "-in", "rsa4096.pkcs8.pem", "-RSAPublicKey_out", "-out", "rsa4096.pkcs1pub.pem")
ossl("pkey", "-in", "ec256.pkcs8.pem", "-pubout", "-out", "ec256.spki.pem")
ossl("pkey", "-in", "rsapss2048.pkcs8.pem", "-pubout", "-out", "rsapss2048.spki.pem")

def source(f):  # the private key a file was made from
    return re.match(r"(rsa\d+|ec256|rsapss2048)", f).group(1) + ".pkcs8.pem"

def kcv(f):
    der = ossl("pkey", "-in", source(f), "-pubout", "-outform", "DER")
    return hashlib.sha1(der).hexdigest()[:8].upper()

def bits(f):
    text = ossl("pkey", "-in", source(f), "-noout", "-text").decode()
    return int(re.search(r"\((\d+) bit", text).group(1))

keys = []
def entry(f, kind, expect):
    e = {"file": f, "kind": kind, "expect": expect}
    if expect in ("ok", "RsaKeySize"):
        e["bits"] = bits(f)
    if expect == "ok":
        e["kcv"] = kcv(f)
    keys.append(e)

for f in ["rsa2048.pkcs8.pem", "rsa2048.pkcs1.pem", "rsa2048.pkcs8.der", "rsa2048.pkcs1.der",
          "rsa3072.pkcs8.pem", "rsa3072.pkcs1.pem", "rsa4096.pkcs8.pem"]:
    entry(f, "private", "ok")
for f in ["rsa1024.pkcs8.pem", "rsa2560.pkcs8.pem", "rsa512.pkcs8.pem"]:
    entry(f, "private", "RsaKeySize")
for f in ["rsapss2048.pkcs8.pem", "ec256.pkcs8.pem", "rsa2048.encrypted.pem"]:
    entry(f, "private", "KeyEncoding")
for f in ["rsa2048.spki.pem", "rsa2048.spki.der", "rsa2048.pkcs1pub.pem", "rsa2048.pkcs1pub.der",
          "rsa3072.spki.pem", "rsa4096.spki.pem", "rsa4096.pkcs1pub.pem"]:
    entry(f, "public", "ok")
for f in ["rsa1024.spki.pem", "rsa2560.spki.pem", "rsa512.spki.pem"]:
    entry(f, "public", "RsaKeySize")
for f in ["rsapss2048.spki.pem", "ec256.spki.pem"]:
    entry(f, "public", "KeyEncoding")

doc = {
    "note": "RSA keys made by make_keys.py with `openssl genpkey`; see SOURCES.md. kcv: first 4 bytes of "
            "SHA-1 over the DER SubjectPublicKeyInfo as OpenSSL writes it. expect: ok = imports with "
            "that size and kcv; RsaKeySize = refused for its size; KeyEncoding = refused as not an "
            "RSA encryption key.",
    "openssl": ossl("version").decode().strip(),
    "keys": keys,
}
with open("keys.json", "w") as out:
    json.dump(doc, out, indent=1)
    out.write("\n")
