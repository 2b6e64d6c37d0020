//! Key-store documents: arbitrary bytes → `MemoryKeyStore::from_json`.
//!
//! Never panics. A document that loads gives a store where every key it lists is found by its ARN, every
//! alias resolves to the key it names, and the store holds exactly as many keys as the document lists.
//! A document that is refused names a path, and its error (message and fields) never contains key
//! material: no piece of a `KeyMaterial` value (the hex, or a PEM base64 line) of 16+ characters with a digit
//! and a letter that appears only once in the document shows up in the error. An error is short whatever
//! the document (the security audit's L1: names and values are repeated at most 64 characters, a key's
//! ARN at most its 322), and a loaded key's raw-RSA opt-in is what the document says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::{KeyStore, MemoryKeyStore};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let result = MemoryKeyStore::from_json(text);
    let value: Option<Value> = serde_json::from_str(text).ok();
    match result {
        Ok(store) => {
            let value = value.expect("a loaded document is JSON");
            let keys = value
                .get("Keys")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            assert_eq!(store.len(), keys.len());
            for k in keys {
                let arn = k["KeyArn"].as_str().expect("a loaded key has an ARN");
                let key = store.lookup(arn).expect("a listed key is found");
                assert_eq!(key.arn().as_str(), arn);
                let opt_in = k
                    .get("PaycryptAllowRawRsaOutgoing")
                    .and_then(Value::as_bool);
                assert_eq!(key.allows_raw_rsa_outgoing(), opt_in == Some(true));
                let _ = (key.kcv().to_string(), format!("{key:?}"));
            }
            let aliases = value
                .get("Aliases")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            for a in aliases {
                let name = a["AliasName"].as_str().expect("a loaded alias has a name");
                let target = a["KeyArn"].as_str().expect("a loaded alias names a key");
                let key = store.lookup(name).expect("an alias resolves");
                assert_eq!(key.arn().as_str(), target);
            }
        }
        Err(e) => {
            assert!(!e.path.is_empty(), "error without a path: {e:?}");
            assert!(
                e.path.chars().count() <= 256
                    && e.message.chars().count() <= 1024
                    && e.key.as_ref().is_none_or(|k| k.len() <= 322),
                "error too long: {e:?}"
            );
            // What a user sees: the message and the fields (not `Debug`, whose type and field names are
            // fixed text the fuzzer can copy into a document).
            let shown = format!("{e} {} {} {:?}", e.path, e.message, e.key);
            let Some(value) = value else {
                return;
            };
            let keys = value
                .get("Keys")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            for k in keys {
                let Some(m) = k.get("KeyMaterial").and_then(Value::as_str) else {
                    continue;
                };
                // Hex material whole; PEM material line by line (the base64 lines). Only pieces that look
                // like material: 16+ characters of the hex/base64 alphabet with a digit and a letter
                // (fixed words of the schema and of messages have no digit or contain `_`).
                for piece in m.split_whitespace() {
                    let looks_like_material = piece.len() >= 16
                        && piece
                            .bytes()
                            .all(|c| c.is_ascii_alphanumeric() || b"+/=".contains(&c))
                        && piece.bytes().any(|c| c.is_ascii_digit())
                        && piece.bytes().any(|c| c.is_ascii_alphabetic());
                    if looks_like_material && text.matches(piece).count() == 1 {
                        assert!(!shown.contains(piece), "error shows key material: {shown}");
                    }
                }
            }
        }
    }
});
