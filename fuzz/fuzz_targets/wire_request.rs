//! The JSON layer: arbitrary bytes → `Request::from_json` for each of the three operations → `execute`
//! against the fixed key store (`tests/fixtures/keystore.json`, plus two KEKs for the wrapped-key members
//! `IncomingWrappedKey` / `OutgoingWrappedKey` / `WrappedKey`), with a deterministic RNG.
//!
//! Never panics. Parsing refuses only with `ValidationException`. Executing never gives
//! `InternalServerException` (the RNG cannot fail). A request that runs gives exactly the response members
//! AWS defines, upper-case hex, `KeyArn` = a full ARN of a key in the store and `KeyCheckValue` = that
//! key's check value (for a side with a wrapped key: `KeyArn` = the KEK's ARN, and the check value is
//! the unwrapped key's, six hex digits). `handle` on the text, `Request::from_value` + `execute` on the parsed JSON value and `handle_envelope`
//! on the request wrapped in a batch envelope agree; `serde_json` reads the same document as the wire
//! layer's parser, and writes a response exactly as the wire layer's writer does. A
//! successful `EncryptData` decrypts back (when its key can decrypt) and a successful `DecryptData`
//! encrypts back to the ciphertext (symmetric and DUKPT keys, which are deterministic).
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::wire::{Json, Operation, Request, ServiceError, handle, handle_envelope};
use paycrypt::{KeyMaterial, KeyStore, MemoryKeyStore, Policy};
use paycrypt_fuzz::rng::FuzzRng;
use paycrypt_fuzz::store::DOCUMENT;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// The fixture's keys plus two KEKs (an AES-256 K1 and a TDES-3KEY K0; fuzz/seed.sh wraps seed blocks
/// under them).
fn store() -> &'static MemoryKeyStore {
    static STORE: OnceLock<MemoryKeyStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut doc: Value = serde_json::from_str(DOCUMENT).expect("the fixture is JSON");
        let kek = |id: &str, usage: &str, alg: &str, material: &str| {
            json!({"KeyArn": format!("arn:aws:payment-cryptography:us-east-2:111122223333:key/{id}"),
                "KeyAttributes": {"KeyUsage": usage, "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": alg,
                    "KeyModesOfUse": {"Encrypt": true, "Decrypt": true, "Wrap": true, "Unwrap": true}},
                "KeyMaterial": material})
        };
        let keys = doc["Keys"].as_array_mut().expect("Keys");
        keys.push(kek(
            "fuzzaes256kek0000001",
            "TR31_K1_KEY_BLOCK_PROTECTION_KEY",
            "AES_256",
            "4D2B5E8A1F9C3D7E6B0A2C4F8E1D3B5A7C9E0F2A4B6D8C1E3F5A7B9D0C2E4F61",
        ));
        keys.push(kek(
            "fuzztdes3kek00000001",
            "TR31_K0_KEY_ENCRYPTION_KEY",
            "TDES_3KEY",
            "3B7C1F5E9A2D4C8E6F0A1B3D5E7F9C2A4D6E8F0B1C3E5A79",
        ));
        MemoryKeyStore::from_json(&doc.to_string()).expect("the store loads")
    })
}

const OPERATIONS: [Operation; 3] = [
    Operation::ReEncryptData,
    Operation::EncryptData,
    Operation::DecryptData,
];

fn is_upper_hex(s: &str) -> bool {
    !s.is_empty()
        && s.len().is_multiple_of(2)
        && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F'))
}

/// Check a successful response's shape against the store (`wrapped`: the answering side had a wrapped
/// key); returns its data member.
fn check_response(op: Operation, response: &Value, wrapped: bool) -> String {
    let o = response.as_object().expect("object");
    let data = if op == Operation::DecryptData {
        "PlainText"
    } else {
        "CipherText"
    };
    let mut members: Vec<&str> = o.keys().map(String::as_str).collect();
    members.sort_unstable();
    let mut want = vec!["KeyArn", "KeyCheckValue", data];
    want.sort_unstable();
    assert_eq!(members, want, "{op:?} response members");
    let arn = o["KeyArn"].as_str().expect("KeyArn is a string");
    assert!(arn.contains(":key/"), "KeyArn {arn} is not a key ARN");
    let key = store().lookup(arn).expect("KeyArn names a stored key");
    assert_eq!(key.arn().as_str(), arn);
    if wrapped {
        let kcv = o["KeyCheckValue"].as_str().expect("a string");
        assert!(kcv.len() == 6 && is_upper_hex(kcv), "KeyCheckValue {kcv:?}");
    } else {
        assert_eq!(
            o["KeyCheckValue"].as_str(),
            Some(key.kcv().to_string().as_str())
        );
    }
    let d = o[data].as_str().expect("data is a string");
    assert!(is_upper_hex(d), "{data} {d:?}");
    d.to_string()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let store = store();
    for op in OPERATIONS {
        let request = match Request::from_json(op, text) {
            Ok(r) => r,
            Err(e) => {
                assert!(
                    matches!(e, ServiceError::Validation { .. }),
                    "parse error {e:?}"
                );
                // The error serialises in AWS's shape.
                let _ = e.to_json();
                continue;
            }
        };
        assert_eq!(request.operation(), op);
        let seed = data.len() as u64;
        let result = request
            .execute(store, &mut FuzzRng::new(seed), Policy::Documented)
            .map(Json::into_value);
        if let Err(e) = &result {
            assert!(
                !matches!(e, ServiceError::InternalServer { .. }),
                "{op:?}: {e:?}"
            );
            let _ = (e.to_json(), e.to_string());
        }
        let again = handle(store, op, text, &mut FuzzRng::new(seed), Policy::Documented);
        assert_eq!(
            result,
            again.map(Json::into_value),
            "execute and handle agree"
        );
        let value = Json::parse(text).expect("parsed once already");
        assert_eq!(
            serde_json::from_str::<Value>(text).ok().as_ref(),
            Some(&*value),
            "serde_json reads the same document"
        );
        let via_value = Request::from_value(op, &value)
            .and_then(|q| q.execute(store, &mut FuzzRng::new(seed), Policy::Documented));
        assert_eq!(
            result,
            via_value.map(Json::into_value),
            "handle and Request::from_value agree"
        );
        if let Ok(response) = &result {
            // The wire layer's writer writes what serde_json writes, and an envelope runs the same.
            let written = Json::from(response.clone()).to_text();
            assert_eq!(
                *written,
                serde_json::to_string(response).expect("serialises")
            );
            let line = format!("{{\"Operation\":\"{}\",\"Input\":{text}}}", op.aws_name());
            let enveloped =
                handle_envelope(store, &line, &mut FuzzRng::new(seed), Policy::Documented);
            assert_eq!(
                enveloped.map(Json::into_value).as_ref(),
                Ok(response),
                "envelope"
            );
        }

        let Ok(response) = result else {
            continue;
        };
        let v = value.as_object().expect("a request is an object");
        let answering = match op {
            Operation::ReEncryptData => "OutgoingWrappedKey",
            _ => "WrappedKey",
        };
        let wrapped = v.get(answering).filter(|w| !w.is_null()).cloned();
        let out = check_response(op, &response, wrapped.is_some());
        // Round trips through the other direction, same key and attributes.
        let attributes_member = match op {
            Operation::EncryptData => "EncryptionAttributes",
            Operation::DecryptData => "DecryptionAttributes",
            Operation::ReEncryptData => continue,
        };
        let attributes = &v[attributes_member];
        let id = v["KeyIdentifier"].as_str().expect("parsed");
        let key = store.lookup(id).expect("it ran");
        let symmetric = matches!(key.material(), KeyMaterial::Symmetric(_));
        let public_only = matches!(key.material(), KeyMaterial::RsaPublic(_));
        match op {
            Operation::EncryptData => {
                let mut back = json!({"KeyIdentifier": id, "CipherText": out, "DecryptionAttributes": attributes});
                if let Some(w) = &wrapped {
                    back["WrappedKey"] = w.clone();
                }
                let back = Request::from_value(Operation::DecryptData, &back)
                    .and_then(|q| q.execute(store, &mut FuzzRng::new(seed), Policy::Documented));
                match back {
                    Ok(b) => assert!(
                        b["PlainText"].as_str().map(str::to_ascii_uppercase)
                            == v["PlainText"].as_str().map(str::to_ascii_uppercase),
                        "EncryptData then DecryptData"
                    ),
                    // An encrypt-only key, or a public key, may not decrypt; nothing else fails (a
                    // wrapped key whose mode of use is encrypt-only is refused on its block).
                    Err(e) => assert!(
                        public_only
                            || matches!(e, ServiceError::AccessDenied { .. })
                            || (wrapped.is_some()
                                && e.to_string().contains("Tr31KeyBlock: wrapped key's usage")),
                        "decrypting what {id} encrypted: {e:?}"
                    ),
                }
            }
            Operation::DecryptData if symmetric => {
                let mut back = json!({"KeyIdentifier": id, "PlainText": out, "EncryptionAttributes": attributes});
                if let Some(w) = &wrapped {
                    back["WrappedKey"] = w.clone();
                }
                let back = Request::from_value(Operation::EncryptData, &back)
                    .and_then(|q| q.execute(store, &mut FuzzRng::new(seed), Policy::Documented));
                if let Ok(b) = back {
                    assert_eq!(
                        b["CipherText"].as_str().map(str::to_ascii_uppercase),
                        v["CipherText"].as_str().map(str::to_ascii_uppercase),
                        "DecryptData then EncryptData"
                    );
                }
            }
            _ => {}
        }
    }
});
