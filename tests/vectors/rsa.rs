//! RSA: Wycheproof OAEP and PKCS#1 v1.5 decryption, RSA Labs PKCS#1 v2.1 OAEP (with seeds, and the
//! intermediate-values walkthrough), RSA Labs PKCS#1 v1.5 (with seeds), pyca OAEP-SHA-256, and the
//! generated keys (import formats, size policy, KCV as OpenSSL computes it).
//!
//! The RSA Labs and pyca keys are 1024 to 2048 bits of odd sizes, which `RsaPrivateKey` refuses by
//! policy: they go through `paycrypt::rsa::test_vectors`, whose key types skip only the size check and
//! call the same decryption/encryption functions as the typed keys. Wycheproof's keys are 2048/3072/4096
//! and use the typed API.

#![cfg(feature = "alloc")]

use std::collections::BTreeSet;

use paycrypt::rand_core::{TryCryptoRng, TryRng};
use paycrypt::rsa::test_vectors::{AnySizePrivateKey, AnySizePublicKey};
use paycrypt::{Error, Problem, RsaPadding, RsaPrivateKey, RsaPublicKey, RsaSize};

/// What `decrypt` returns.
type Secret = zeroize::Zeroizing<Vec<u8>>;

use crate::reader::{self, Fields, Obj, flip, hex, hex_blocks, json, unhex};

#[path = "../support/rng.rs"]
mod rng;
use rng::TestRng;

/// Hands out a published seed, exactly once, in one piece; any other request is an RNG failure.
struct SeedRng(Option<Vec<u8>>);

impl TryRng for SeedRng {
    type Error = core::fmt::Error;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Err(core::fmt::Error)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Err(core::fmt::Error)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        match self.0.take() {
            Some(seed) if seed.len() == dst.len() => {
                dst.copy_from_slice(&seed);
                Ok(())
            }
            _ => Err(core::fmt::Error),
        }
    }
}
impl TryCryptoRng for SeedRng {}

/// A bit to flip in a buffer of `len` bytes, spread over the buffer by `salt`.
fn some_bit(len: usize, salt: usize) -> usize {
    (salt.wrapping_mul(7919).wrapping_add(13)) % (8 * len)
}

/// A decryption result as plain bytes, for comparisons.
fn bytes(r: &Result<Secret, Error>) -> Result<Vec<u8>, Error> {
    r.as_ref().map(|m| m.to_vec()).map_err(|e| *e)
}

fn flipped(bytes: &[u8], salt: usize) -> Vec<u8> {
    let mut t = bytes.to_vec();
    let bit = some_bit(t.len(), salt);
    flip(&mut t, bit);
    t
}

/// A ciphertext with one bit flipped in its low-order half that keeps its value below the modulus:
/// a set bit is cleared (the value falls), or, if the low half is all zero, a bit is set there (the
/// value stays under 2^(8·half)). The tampering then reaches the padding check rather than the c < n
/// check (Wycheproof has ciphertexts that share their top half with n).
fn tampered_ct(ct: &[u8], salt: usize) -> Vec<u8> {
    let half = ct.len() / 2;
    let low_bits = 8 * (ct.len() - half);
    let start = some_bit(ct.len() - half, salt);
    let is_set = |bit: usize| ct[bit / 8] & (0x80 >> (bit % 8)) != 0;
    let bit = (0..low_bits)
        .map(|i| 8 * half + (start + i) % low_bits)
        .find(|&b| is_set(b))
        .unwrap_or(8 * half + start);
    let mut t = ct.to_vec();
    flip(&mut t, bit);
    t
}

/// A hex field of an RSA Labs / pyca file as bytes; pyca writes integers without a leading zero
/// nibble (`10001`), so an odd-length value is read as if it had one.
fn int_hex(f: &Fields, name: &str) -> Vec<u8> {
    let s = f.str(name);
    if s.len() % 2 == 1 {
        unhex(&format!("0{s}"))
    } else {
        unhex(s)
    }
}

// ---------------------------------------------------------------------------------------------
// DER for keys given as components (RSA Labs, pyca)

fn der_len(n: usize) -> Vec<u8> {
    match n {
        0..=127 => vec![u8::try_from(n).unwrap()],
        128..=255 => vec![0x81, u8::try_from(n).unwrap()],
        _ => {
            let [hi, lo] = u16::try_from(n).unwrap().to_be_bytes();
            vec![0x82, hi, lo]
        }
    }
}

fn der_tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_len(body.len()));
    out.extend_from_slice(body);
    out
}

fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let mut body = Vec::new();
    if bytes.get(start).is_none_or(|&b| b & 0x80 != 0) {
        body.push(0);
    }
    body.extend_from_slice(&bytes[start..]);
    der_tlv(0x02, &body)
}

/// PKCS#1 `RSAPrivateKey` from its eight components (version 0).
fn pkcs1_private(components: [&[u8]; 8]) -> Vec<u8> {
    let mut body = der_uint(&[0]);
    for c in components {
        body.extend(der_uint(c));
    }
    der_tlv(0x30, &body)
}

/// PKCS#1 `RSAPublicKey`.
fn pkcs1_public(n: &[u8], e: &[u8]) -> Vec<u8> {
    let mut body = der_uint(n);
    body.extend(der_uint(e));
    der_tlv(0x30, &body)
}

/// The private key of an RSA Labs / pyca key block (`Modulus`, `Public exponent`, `Exponent` = d,
/// primes, CRT values).
fn labs_private(f: &Fields) -> AnySizePrivateKey {
    let der = pkcs1_private([
        &int_hex(f, "Modulus"),
        &int_hex(f, "Public exponent"),
        &int_hex(f, "Exponent"),
        &int_hex(f, "Prime 1"),
        &int_hex(f, "Prime 2"),
        &int_hex(f, "Prime exponent 1"),
        &int_hex(f, "Prime exponent 2"),
        &int_hex(f, "Coefficient"),
    ]);
    AnySizePrivateKey::from_der(&der).unwrap_or_else(|e| panic!("{}: {e}", f.origin))
}

/// The public key of an RSA Labs / pyca public-key block (`Modulus`, `Exponent`).
fn labs_public(f: &Fields) -> AnySizePublicKey {
    AnySizePublicKey::from_der(&pkcs1_public(
        &int_hex(f, "Modulus"),
        &int_hex(f, "Exponent"),
    ))
    .unwrap_or_else(|e| panic!("{}: {e}", f.origin))
}

// ---------------------------------------------------------------------------------------------
// Wycheproof

fn padding_for(sha: &str) -> RsaPadding {
    match sha {
        "SHA-1" => RsaPadding::OaepSha1,
        "SHA-256" => RsaPadding::OaepSha256,
        "SHA-512" => RsaPadding::OaepSha512,
        other => panic!("no AWS OAEP padding with {other}"),
    }
}

/// Reads a Wycheproof group's key: the PKCS#8 DER (used), the PEM (must give the same key) and the
/// declared size; the component and JWK forms are the same key again.
fn wycheproof_key(group: &Obj) -> RsaPrivateKey {
    let key = RsaPrivateKey::from_der(&group.hex("privateKeyPkcs8"))
        .unwrap_or_else(|e| panic!("{}: {e}", group.origin));
    if let Some(pem) = group.opt_str("privateKeyPem") {
        let from_pem = RsaPrivateKey::from_pem(&pem).unwrap();
        assert_eq!(from_pem.public_key(), key.public_key(), "{}", group.origin);
    }
    assert_eq!(
        i64::try_from(key.size().bits()).unwrap(),
        group.int("keySize"),
        "{}",
        group.origin
    );
    group.waive(
        &["privateKey", "privateKeyJwk"],
        "the same key as privateKeyPkcs8, in component / JWK form",
    );
    group.waive(&["type", "source"], "metadata");
    key
}

fn wycheproof_file(rel: &str) -> Obj {
    let file = json(rel);
    file.waive(
        &["algorithm", "schema", "numberOfTests", "header", "notes"],
        "file metadata",
    );
    file
}

#[test]
fn wycheproof_oaep() {
    let mut counts = [0usize; 4]; // valid decrypted, labelled refused, invalid refused, tampered refused
    let mut blinding = TestRng::new(1);
    for name in reader::files("rsa/wycheproof", ".json") {
        if !name.starts_with("rsa_oaep_") {
            continue;
        }
        let file = wycheproof_file(&format!("rsa/wycheproof/{name}"));
        for group in file.array("testGroups") {
            let sha = group.str("sha");
            assert_eq!(group.str("mgf"), "MGF1", "{}", group.origin);
            assert_eq!(
                group.str("mgfSha"),
                sha,
                "AWS OAEP uses MGF1 with the same hash"
            );
            let padding = Some(padding_for(&sha));
            let key = wycheproof_key(&group);
            for t in group.array("tests") {
                t.waive(&["tcId", "comment", "flags"], "case metadata");
                let (ct, msg, label) = (t.hex("ct"), t.hex("msg"), t.hex("label"));
                let got = key.decrypt(padding, &ct, &mut blinding);
                match t.str("result").as_str() {
                    // AWS OAEP has no label: a ciphertext made with one must not decrypt.
                    "valid" if !label.is_empty() => {
                        assert_eq!(got, Err(Error::Decryption), "{}", t.origin);
                        counts[1] += 1;
                    }
                    "valid" => {
                        assert_eq!(bytes(&got), Ok(msg.clone()), "{}", t.origin);
                        let tampered = tampered_ct(&ct, ct.len() + msg.len());
                        assert_eq!(
                            key.decrypt(padding, &tampered, &mut blinding),
                            Err(Error::Decryption),
                            "{} tampered",
                            t.origin
                        );
                        counts[0] += 1;
                        counts[3] += 1;
                    }
                    "invalid" => {
                        assert_eq!(got, Err(Error::Decryption), "{}", t.origin);
                        counts[2] += 1;
                    }
                    other => panic!(
                        "{}: result {other:?}: these files have no `acceptable` case; decide and document",
                        t.origin
                    ),
                }
            }
        }
    }
    eprintln!(
        "wycheproof OAEP: {} valid, {} labelled refused, {} invalid refused, {} tampered refused",
        counts[0], counts[1], counts[2], counts[3]
    );
    assert!(counts[0] > 0 && counts[2] > 0);
}

#[test]
fn wycheproof_pkcs1() {
    // OpenSSL's implicit-rejection output for every invalid case it decrypts (generated/SOURCES.md).
    let openssl = json("rsa/generated/pkcs1_implicit_rejection.json");
    openssl.waive(&["note", "openssl"], "file metadata");
    let mut synthetic = std::collections::BTreeMap::new();
    for c in openssl.array("cases") {
        synthetic.insert((c.str("file"), c.int("tcId")), c.hex("msg"));
    }
    let mut used = BTreeSet::new();
    let mut counts = [0usize; 4]; // valid, implicit rejection = OpenSSL, refused format, tampered
    let mut blinding = TestRng::new(2);
    let mut other_blinding = TestRng::new(3);
    let pkcs1 = Some(RsaPadding::Pkcs1);
    for name in reader::files("rsa/wycheproof", ".json") {
        if !name.starts_with("rsa_pkcs1_") {
            continue;
        }
        let file = wycheproof_file(&format!("rsa/wycheproof/{name}"));
        for group in file.array("testGroups") {
            let key = wycheproof_key(&group);
            for t in group.array("tests") {
                t.waive(&["comment"], "case metadata");
                let id = t.int("tcId");
                let flags: Vec<String> = t
                    .opt_array("flags")
                    .unwrap_or_default()
                    .iter()
                    .map(|f| f.as_str().to_owned())
                    .collect();
                let (ct, msg) = (t.hex("ct"), t.hex("msg"));
                let got = key.decrypt(pkcs1, &ct, &mut blinding);
                let result = t.str("result");
                if result == "valid" {
                    assert_eq!(bytes(&got), Ok(msg.clone()), "{}", t.origin);
                    // Tampered: implicit rejection, a different message, not an error.
                    let tampered = tampered_ct(&ct, usize::try_from(id).unwrap());
                    let once = key
                        .decrypt(pkcs1, &tampered, &mut blinding)
                        .unwrap_or_else(|e| panic!("{} tampered: {e}", t.origin));
                    assert_ne!(&once[..], &msg[..], "{} tampered", t.origin);
                    counts[0] += 1;
                    counts[3] += 1;
                    continue;
                }
                assert_eq!(
                    result, "invalid",
                    "{}: no `acceptable` cases expected",
                    t.origin
                );
                match synthetic.get(&(name.clone(), id)) {
                    Some(expected) => {
                        // Bad padding: the same synthetic message as OpenSSL, whatever the blinding.
                        assert!(
                            flags.iter().any(|f| f == "InvalidPkcs1Padding"),
                            "{}",
                            t.origin
                        );
                        let got = got.unwrap_or_else(|e| panic!("{}: {e}", t.origin));
                        assert_eq!(hex(&got), hex(expected), "{}", t.origin);
                        assert_ne!(&got[..], &msg[..], "{}", t.origin);
                        let again = key.decrypt(pkcs1, &ct, &mut other_blinding).unwrap();
                        assert_eq!(&again[..], &got[..], "{} deterministic", t.origin);
                        // Tampered: another synthetic message (it depends on the whole ciphertext).
                        let other = key
                            .decrypt(
                                pkcs1,
                                &tampered_ct(&ct, usize::try_from(id).unwrap()),
                                &mut blinding,
                            )
                            .unwrap();
                        assert_ne!(&other[..], &got[..], "{} tampered", t.origin);
                        used.insert((name.clone(), id));
                        counts[1] += 1;
                    }
                    None => {
                        // Wrong length or c ≥ n: the one decryption error.
                        assert!(
                            flags.iter().any(|f| f == "InvalidCiphertextFormat"),
                            "{}",
                            t.origin
                        );
                        assert_eq!(got, Err(Error::Decryption), "{}", t.origin);
                        counts[2] += 1;
                    }
                }
            }
        }
    }
    assert_eq!(
        used.len(),
        synthetic.len(),
        "every OpenSSL implicit-rejection case was checked"
    );
    eprintln!(
        "wycheproof PKCS#1: {} valid, {} implicit rejections = OpenSSL, {} refused, {} tampered",
        counts[0], counts[1], counts[2], counts[3]
    );
}

// ---------------------------------------------------------------------------------------------
// RSA Labs PKCS#1 v2.1 and pyca

/// One RSA Labs / pyca file: key blocks (public then private) and their examples. `seeded`: the
/// examples give the encryption seed (RSA Labs), so encryption is checked byte for byte.
fn labs_file(rel: &str, padding: RsaPadding, seeded: bool) -> usize {
    let mut key: Option<(AnySizePrivateKey, AnySizePublicKey)> = None;
    let mut public: Option<AnySizePublicKey> = None;
    let mut cases = 0;
    let mut blinding = TestRng::new(4);
    for (i, case) in hex_blocks(rel, |n| n == "Modulus" || n == "Message")
        .into_iter()
        .enumerate()
    {
        let f = &case.fields;
        if f.has("Public exponent") {
            let private = labs_private(f);
            let derived = private.public_key();
            let given = public
                .take()
                .expect("public key block before the private key");
            assert_eq!(derived, given, "{}", f.origin);
            key = Some((private, given));
        } else if f.has("Modulus") {
            public = Some(labs_public(f));
        } else {
            let (private, public) = key.as_ref().expect("key before examples");
            let (msg, ct) = (f.hex("Message"), f.hex("Encryption"));
            let k = private.modulus_len();
            assert_eq!(ct.len(), k, "{}", f.origin);
            let p = Some(padding);
            let got = private.decrypt(p, &ct, &mut blinding).unwrap();
            assert_eq!(hex(&got), hex(&msg), "{}", f.origin);
            // Tampered ciphertext: OAEP refuses; PKCS#1 v1.5 yields a different (synthetic) message.
            let bad = private.decrypt(p, &tampered_ct(&ct, i), &mut blinding);
            match padding {
                RsaPadding::Pkcs1 => assert_ne!(&bad.unwrap()[..], &msg[..], "{}", f.origin),
                _ => assert_eq!(bad, Err(Error::Decryption), "{}", f.origin),
            }
            // Raw RSA on the same numbers: RSADP then RSAEP gives the ciphertext back.
            let em = private.decrypt(None, &ct, &mut blinding).unwrap();
            assert_eq!(em.len(), k);
            assert_eq!(
                public.encrypt(None, &em, &mut SeedRng(None)).unwrap(),
                ct,
                "{}",
                f.origin
            );
            if seeded {
                let seed = f.hex("Seed");
                let enc = public.encrypt(p, &msg, &mut SeedRng(Some(seed.clone())));
                assert_eq!(hex(&enc.unwrap()), hex(&ct), "{}", f.origin);
                // Tampered seed or message: a different ciphertext; the seed is only padding, so
                // the new ciphertext still decrypts to the message.
                let reseeded = public
                    .encrypt(p, &msg, &mut SeedRng(Some(flipped(&seed, i))))
                    .unwrap();
                assert_ne!(reseeded, ct, "{}", f.origin);
                let back = private.decrypt(p, &reseeded, &mut blinding).unwrap();
                assert_eq!(&back[..], &msg[..], "{}", f.origin);
                if !msg.is_empty() {
                    let other = public
                        .encrypt(p, &flipped(&msg, i), &mut SeedRng(Some(seed)))
                        .unwrap();
                    assert_ne!(other, ct, "{}", f.origin);
                }
            }
            cases += 1;
        }
    }
    cases
}

#[test]
fn rsa_labs_oaep_sha1_with_seeds() {
    let n = labs_file(
        "rsa/rsa_labs_pkcs1v2.1/oaep-vect.txt",
        RsaPadding::OaepSha1,
        true,
    );
    assert_eq!(n, 60, "10 keys × 6 examples");
}

#[test]
fn rsa_labs_pkcs1v15_with_seeds() {
    let n = labs_file(
        "rsa/rsa_labs_pkcs1v2.1/pkcs1v15crypt-vectors.txt",
        RsaPadding::Pkcs1,
        true,
    );
    assert_eq!(n, 300, "15 keys × 20 examples");
}

#[test]
fn pyca_oaep_sha256() {
    let n = labs_file(
        "rsa/pyca_oaep_custom/oaep-sha256-sha256.txt",
        RsaPadding::OaepSha256,
        false,
    );
    assert_eq!(n, 60, "10 keys × 6 examples");
}

/// `oaep-int.txt`: one OAEP-SHA-1 encryption with every intermediate value, a CRT decryption, and the
/// key in BER (PKCS#1 public, PKCS#1 private, PKCS#8) as RSA Labs wrote it.
#[test]
fn rsa_labs_oaep_intermediate_values() {
    let rel = "rsa/rsa_labs_pkcs1v2.1/oaep-int.txt";
    let starts = |n: &str| {
        matches!(
            n,
            "Modulus"
                | "Message to be encrypted"
                | "c, the ciphertext"
                | "RSAPublicKey"
                | "RSAPrivateKey"
                | "PrivateKeyInfo (PKCS #8)"
        )
    };
    let blocks = hex_blocks(rel, starts);
    assert_eq!(
        blocks.len(),
        6,
        "{rel}: key, encryption, CRT, three encodings"
    );
    let mut blinding = TestRng::new(5);
    let oaep = Some(RsaPadding::OaepSha1);

    // The key, from its components.
    let k = &blocks[0].fields;
    let private = AnySizePrivateKey::from_der(&pkcs1_private([
        &k.hex("Modulus"),
        &k.hex("Public exponent"),
        &k.hex("Private exponent"),
        &k.hex("Prime 1"),
        &k.hex("Prime 2"),
        &k.hex("Prime exponent 1"),
        &k.hex("Prime exponent 2"),
        &k.hex("Coefficient"),
    ]))
    .unwrap();
    let public = private.public_key();

    // The encryption: seed → EM → ciphertext, and back.
    let e = &blocks[1].fields;
    let (msg, seed, em, ct) = (
        e.hex("Message to be encrypted"),
        e.hex("seed"),
        e.hex("EM = maskedSeed || maskedDB"),
        e.hex("Ciphertext, the RSA encryption of EM"),
    );
    for step in [
        "pHash = Hash(encoding parameters)",
        "DB = pHash || Padding || M",
        "dbMask = MGF(seed, length(DB))",
        "maskedDB = DB xor dbMask",
        "seedMask = MGF(maskedDB, length(seed))",
        "maskedSeed = seed xor seedMask",
    ] {
        e.waive(
            step,
            "internal to OAEP encoding; its end points (seed, EM, ciphertext) are checked",
        );
    }
    let mut em_full = vec![0u8];
    em_full.extend_from_slice(&em);
    assert_eq!(em_full.len(), public.modulus_len());
    assert_eq!(
        public
            .encrypt(oaep, &msg, &mut SeedRng(Some(seed)))
            .unwrap(),
        ct
    );
    assert_eq!(
        public.encrypt(None, &em_full, &mut SeedRng(None)).unwrap(),
        ct
    );
    assert_eq!(
        &private.decrypt(None, &ct, &mut blinding).unwrap()[..],
        &em_full[..]
    );
    assert_eq!(
        &private.decrypt(oaep, &ct, &mut blinding).unwrap()[..],
        &msg[..]
    );
    assert_eq!(
        public
            .encrypt(None, &flipped(&em_full, 3), &mut SeedRng(None))
            .map(|c| c == ct),
        Ok(false)
    );

    // The CRT walkthrough: its input and its result (= EM).
    let c = &blocks[2].fields;
    assert_eq!(c.hex("c, the ciphertext"), ct);
    let m = c.hex("m = m2 + q*h (= EM)");
    assert_eq!(
        &private.decrypt(None, &ct, &mut blinding).unwrap()[1..],
        &m[..]
    );
    for step in [
        "c mod p",
        "c mod q",
        "m1 = c^dP mod p = (c mod p)^dP mod p",
        "m2 = = c^dQ mod q = (c mod q)^dQ mod q",
        "h = (m1-m2)*qInv mod p",
    ] {
        c.waive(step, "CRT intermediates, internal to the rsa crate");
    }

    // The BER encodings, reassembled in ASN.1 order.
    let join =
        |f: &Fields, names: &[&str]| -> Vec<u8> { names.iter().flat_map(|n| f.hex(n)).collect() };
    let p1 = join(
        &blocks[3].fields,
        &["RSAPublicKey", "modulus", "publicExponent"],
    );
    assert_eq!(AnySizePublicKey::from_der(&p1).unwrap(), public);
    assert!(AnySizePublicKey::from_der(&flipped(&p1, 0)).map_or(true, |k| k != public));
    let s1 = join(
        &blocks[4].fields,
        &[
            "RSAPrivateKey",
            "version",
            "modulus",
            "publicExponent",
            "privateExponent",
            "prime1",
            "prime2",
            "exponent1",
            "exponent2",
            "coefficient",
        ],
    );
    let from_ber = AnySizePrivateKey::from_der(&s1).unwrap();
    assert_eq!(from_ber.public_key(), public);
    assert_eq!(
        &from_ber.decrypt(oaep, &ct, &mut blinding).unwrap()[..],
        &msg[..]
    );
    let p8 = &blocks[5].fields;
    let mut pkcs8 = join(
        p8,
        &[
            "PrivateKeyInfo (PKCS #8)",
            "version",
            "privateKeyAlgorithmIdentifier",
            "parameters",
            "privateKey = RSAPrivateKey encoding",
        ],
    );
    // The file elides the inner RSAPrivateKey as "first 4 bytes ... last 4 bytes".
    let elided = p8
        .str("BER encoding of RSAPrivateKey structure")
        .to_lowercase();
    let inner = hex(&s1).to_lowercase();
    assert_eq!(
        elided,
        format!("{}...{}", &inner[..8], &inner[inner.len() - 8..])
    );
    pkcs8.extend_from_slice(&s1);
    let from_pkcs8 = AnySizePrivateKey::from_der(&pkcs8).unwrap();
    assert_eq!(from_pkcs8.public_key(), public);
    let mut bad_oid = pkcs8.clone();
    bad_oid[13] ^= 1; // inside the rsaEncryption OID 1.2.840.113549.1.1.1
    assert!(
        AnySizePrivateKey::from_der(&bad_oid).is_err(),
        "tampered PKCS#8 algorithm"
    );
}

// ---------------------------------------------------------------------------------------------
// Generated keys: formats, size policy, KCV

#[test]
fn generated_keys_formats_sizes_kcv() {
    let manifest = json("rsa/generated/keys.json");
    manifest.waive(&["note", "openssl"], "file metadata");
    let mut counts = [0usize; 3];
    for entry in manifest.array("keys") {
        let file = entry.str("file");
        let path = reader::path(&format!("rsa/generated/{file}"));
        let bytes = std::fs::read(&path).unwrap();
        let public = match entry.str("kind").as_str() {
            "private" => true,
            "public" => false,
            other => panic!("{file}: kind {other}"),
        };
        let pem = file.ends_with(".pem");
        let load = |bytes: &[u8]| -> Result<RsaPublicKey, Error> {
            let text = std::str::from_utf8(bytes).unwrap_or("");
            match (public, pem) {
                (true, true) => RsaPrivateKey::from_pem(text).map(|k| k.public_key()),
                (true, false) => RsaPrivateKey::from_der(bytes).map(|k| k.public_key()),
                (false, true) => RsaPublicKey::from_pem(text),
                (false, false) => RsaPublicKey::from_der(bytes),
            }
        };
        match entry.str("expect").as_str() {
            "ok" => {
                let key = load(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
                let bits = usize::try_from(entry.int("bits")).unwrap();
                assert_eq!(key.size(), RsaSize::from_bits(bits).unwrap(), "{file}");
                assert_eq!(key.kcv().to_string(), entry.str("kcv"), "{file}");
                // Tampered: a bit flipped inside the DER (or the PEM's base64) gives another KCV or
                // no key at all.
                let mut bad = bytes.clone();
                // In the modulus (DER offset 40; a fifth into the PEM), which every form checks.
                let at = if pem { bad.len() / 5 } else { 40 };
                bad[at] ^= if pem { 0x01 } else { 0x10 };
                if let Ok(k) = load(&bad) {
                    assert_ne!(k.kcv().to_string(), entry.str("kcv"), "{file} tampered");
                }
                counts[0] += 1;
            }
            "RsaKeySize" => {
                let bits = usize::try_from(entry.int("bits")).unwrap();
                assert_eq!(
                    load(&bytes),
                    Err(Error::Invalid {
                        side: None,
                        problem: Problem::RsaKeySize { bits }
                    }),
                    "{file}"
                );
                counts[1] += 1;
            }
            "KeyEncoding" => {
                assert_eq!(
                    load(&bytes),
                    Err(Error::Invalid {
                        side: None,
                        problem: Problem::KeyEncoding
                    }),
                    "{file}"
                );
                counts[2] += 1;
            }
            other => panic!("{file}: expect {other}"),
        }
    }
    eprintln!(
        "generated keys: {} imported with OpenSSL's KCV, {} refused for size, {} refused as not RSA encryption keys",
        counts[0], counts[1], counts[2]
    );
}
