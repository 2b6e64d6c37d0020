//! CMAC (`SymmetricKey::cmac`) against NIST SP 800-38B Appendix D and Wycheproof AES-CMAC, and key check
//! values against the published KCV vectors and the NIST TDES zero-plaintext ECB answers.
//!
//! Every accepted tag is also checked tampered (one bit of the message, or of the key for an empty
//! message): the tag must no longer verify.

use paycrypt::{KcvAlgorithm, Problem, SymmetricAlgorithm as Alg, SymmetricKey, symmetric};

use crate::reader::{self, Fields};

fn aes_alg(key: &[u8]) -> Alg {
    match key.len() {
        16 => Alg::Aes128,
        24 => Alg::Aes192,
        32 => Alg::Aes256,
        n => panic!("AES key of {n} bytes"),
    }
}

/// `tag` must be the CMAC of `msg` under `key`; with one bit flipped (message bit `n`, or a key bit for
/// an empty message) it must not verify.
fn check_cmac(origin: &str, alg: Alg, key: &[u8], msg: &[u8], tag: &[u8], n: usize) {
    let k = SymmetricKey::new(alg, key).unwrap();
    let mac = k.cmac(msg);
    assert_eq!(
        reader::hex(mac.as_bytes()),
        reader::hex(tag),
        "{origin}: {alg}"
    );
    assert!(mac.verify(tag).is_ok(), "{origin}: verify");
    assert!(
        mac.verify(&tag[..tag.len() - 1]).is_err(),
        "{origin}: short tag"
    );
    let (mut key, mut msg) = (key.to_vec(), msg.to_vec());
    if msg.is_empty() {
        // Most significant bit of a key byte: never a DES parity bit.
        let bit = (n % key.len()) * 8;
        reader::flip(&mut key, bit);
    } else {
        let bit = n % (msg.len() * 8);
        reader::flip(&mut msg, bit);
    }
    let k = SymmetricKey::new(alg, &key).unwrap();
    assert!(
        k.cmac(&msg).verify(tag).is_err(),
        "{origin}: tampered still verifies"
    );
}

fn sp800_38b_case(f: &Fields, n: usize) -> usize {
    f.waive("COUNT", "case index");
    let msg = f.hex("MESSAGE");
    let tag = f.hex("OUTPUT");
    if f.has("KEY") {
        let key = f.hex("KEY");
        check_cmac(&f.origin, aes_alg(&key), &key, &msg, &tag, n);
        1
    } else {
        let key = [f.hex("KEY1"), f.hex("KEY2"), f.hex("KEY3")].concat();
        check_cmac(&f.origin, Alg::Tdes3Key, &key, &msg, &tag, n);
        if key[..8] == key[16..] {
            // Two-key TDES (SP 800-38B D.5): K1 K2 K1 is the 16-byte key K1 K2.
            check_cmac(&f.origin, Alg::Tdes2Key, &key[..16], &msg, &tag, n);
            2
        } else {
            1
        }
    }
}

#[test]
fn sp800_38b() {
    let mut total = 0;
    let mut two_key = 0;
    for name in reader::files("cmac/nist_sp800_38b", ".txt") {
        let rel = format!("cmac/nist_sp800_38b/{name}");
        let mut n = 0;
        for c in reader::rsp(&rel) {
            assert_eq!(c.section, "", "{rel}: no sections expected");
            if sp800_38b_case(&c.fields, n) == 2 {
                two_key += 1;
            }
            n += 1;
        }
        assert!(n > 0, "{rel}");
        println!("{rel}: {n} cases");
        total += n;
    }
    println!("SP 800-38B: {total} cases, {two_key} of them also as TDES_2KEY");
    // 4 messages each for AES-128/192/256, 3-key and 2-key TDES (cmac/SOURCES.md).
    assert_eq!(total, 20);
    assert_eq!(two_key, 4);
}

#[test]
fn wycheproof_aes_cmac() {
    let doc = reader::json("cmac/wycheproof/aes_cmac_test.json");
    doc.waive(&["schema", "header", "notes"], "documentation");
    assert_eq!(doc.str("algorithm"), "AES-CMAC");
    let expected_total = usize::try_from(doc.int("numberOfTests")).unwrap();
    let (mut valid, mut invalid_tag, mut invalid_key) = (0, 0, 0);
    let mut total = 0;
    for group in doc.array("testGroups") {
        group.waive(&["source"], "generator metadata");
        assert_eq!(group.str("type"), "MacTest");
        let key_bits = usize::try_from(group.int("keySize")).unwrap();
        let tag_bits = usize::try_from(group.int("tagSize")).unwrap();
        // Every group has full 128-bit tags; truncated tags would need another comparison.
        assert_eq!(tag_bits, 128, "{}", group.origin);
        for t in group.array("tests") {
            t.waive(&["tcId", "comment"], "labels");
            let flags: Vec<String> = t
                .array("flags")
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect();
            let key = t.hex("key");
            let msg = t.hex("msg");
            let tag = t.hex("tag");
            let result = t.str("result");
            assert_eq!(key.len() * 8, key_bits, "{}", t.origin);
            if flags.iter().any(|f| f == "InvalidKeySize") {
                assert_eq!(result, "invalid", "{}", t.origin);
                // No algorithm takes this key: SymmetricKey::new must refuse it.
                for alg in Alg::ALL {
                    match SymmetricKey::new(alg, &key) {
                        Err(paycrypt::Error::Invalid {
                            problem: Problem::KeyLength { actual, .. },
                            ..
                        }) => assert_eq!(actual, key.len()),
                        other => panic!("{}: {alg} accepted or misreported: {other:?}", t.origin),
                    }
                }
                invalid_key += 1;
            } else {
                let alg = aes_alg(&key);
                match result.as_str() {
                    "valid" => {
                        check_cmac(&t.origin, alg, &key, &msg, &tag, total);
                        valid += 1;
                    }
                    "invalid" => {
                        let k = SymmetricKey::new(alg, &key).unwrap();
                        assert!(
                            k.cmac(&msg).verify(&tag).is_err(),
                            "{}: invalid tag verifies",
                            t.origin
                        );
                        invalid_tag += 1;
                    }
                    r => panic!("{}: result {r:?}", t.origin),
                }
            }
            total += 1;
        }
    }
    println!(
        "Wycheproof AES-CMAC: {total} tests: {valid} valid, {invalid_tag} modified tags, \
         {invalid_key} invalid key sizes"
    );
    assert_eq!(total, expected_total);
    assert!(valid > 0 && invalid_tag > 0 && invalid_key > 0);
}

/// The full check block a KCV method truncates: TDES-ECB of a zero block, or AES-CMAC of 16 zero bytes.
fn check_block(key: &SymmetricKey, method: &str) -> Vec<u8> {
    match method {
        "TDES_ECB_ZERO" => {
            let mut block = vec![0u8; key.block_size()];
            symmetric::encrypt(key, paycrypt::Mode::Ecb, None, &mut block).unwrap();
            block
        }
        "AES_CMAC_ZERO" => key.cmac(&[0u8; 16]).as_bytes().to_vec(),
        m => panic!("unknown KCV method {m}"),
    }
}

#[test]
fn kcv_vectors() {
    let doc = reader::json("kcv/kcv_vectors.json");
    doc.waive(&["title", "methods", "format", "notes"], "documentation");
    let mut n = 0;
    for v in doc.array("vectors") {
        v.waive(&["origin", "source"], "provenance");
        let alg = match v.str("key_algorithm").as_str() {
            "TDES2" => Alg::Tdes2Key,
            "TDES3" => Alg::Tdes3Key,
            "AES128" => Alg::Aes128,
            "AES192" => Alg::Aes192,
            "AES256" => Alg::Aes256,
            a => panic!("{}: algorithm {a}", v.origin),
        };
        let method = v.str("method");
        let kcv = v.hex("kcv");
        assert!(kcv.len() >= 3, "{}", v.origin);
        let mut key_bytes = v.hex("key");
        let key = SymmetricKey::new(alg, &key_bytes).unwrap();
        // The published value, as long as it is printed (3 or 5 bytes).
        let block = check_block(&key, &method);
        assert_eq!(
            reader::hex(&block[..kcv.len()]),
            reader::hex(&kcv),
            "{}",
            v.origin
        );
        // Through the KCV API: the method by name, and the algorithm's default.
        let kcv_alg = match method.as_str() {
            "TDES_ECB_ZERO" => KcvAlgorithm::AnsiX924,
            _ => KcvAlgorithm::Cmac,
        };
        let ours = key.kcv_with(kcv_alg).unwrap();
        assert_eq!(ours.as_bytes(), &kcv[..3], "{}", v.origin);
        assert_eq!(ours.to_string(), reader::hex(&kcv[..3]), "{}", v.origin);
        assert_eq!(
            key.kcv().as_bytes(),
            &kcv[..3],
            "{}: default method",
            v.origin
        );
        // Tampered: one non-parity key bit flipped.
        let bit = (n % key_bytes.len()) * 8;
        reader::flip(&mut key_bytes, bit);
        let tampered = SymmetricKey::new(alg, &key_bytes).unwrap();
        assert_ne!(
            tampered.kcv_with(kcv_alg).unwrap().as_bytes(),
            &kcv[..3],
            "{}: tampered key, same KCV",
            v.origin
        );
        n += 1;
    }
    println!("KCV vectors: {n}");
    assert_eq!(n, 11);
}

/// The NIST TDES ECB KATs with an all-zero plaintext give E_K(0), whose first 3 bytes are the
/// `ANSI_X9_24` check value of the (K1 = K2 = K3) key.
#[test]
fn kcv_from_tdes_zero_plaintext_kats() {
    let mut n = 0;
    for file in ["TECBvarkey.rsp", "TECBpermop.rsp"] {
        let rel = format!("modes-tdes/nist_cavp/{file}");
        let mut here = 0;
        for c in reader::rsp(&rel) {
            let f = &c.fields;
            f.waive("COUNT", "case index");
            if c.section != "ENCRYPT" {
                for name in ["KEYs", "PLAINTEXT", "CIPHERTEXT"] {
                    f.waive(name, "decrypt cases: run by modes.rs");
                }
                continue;
            }
            let k = f.hex("KEYs");
            assert!(f.hex("PLAINTEXT").iter().all(|&b| b == 0), "{}", f.origin);
            let ct = f.hex("CIPHERTEXT");
            for (alg, key) in [
                (Alg::Tdes3Key, [&k[..], &k[..], &k[..]].concat()),
                (Alg::Tdes2Key, [&k[..], &k[..]].concat()),
            ] {
                let key = SymmetricKey::new(alg, &key).unwrap();
                assert_eq!(
                    key.kcv_with(KcvAlgorithm::AnsiX924).unwrap().as_bytes(),
                    &ct[..3],
                    "{}: {alg}",
                    f.origin
                );
            }
            here += 1;
        }
        assert!(here > 0, "{rel}");
        println!("{rel}: {here} zero-plaintext KCV cases");
        n += here;
    }
    assert_eq!(n, 56 + 32);
}
