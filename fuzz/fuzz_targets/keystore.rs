//! Key-store documents: arbitrary bytes → `MemoryKeyStore::from_json`.
//!
//! Never panics. A document that loads gives a store where every key it lists is found by its ARN, every
//! alias resolves to the key it names, and the store holds exactly as many keys as the document lists.
//! A document that is refused names a path, and its error never contains key material: no `KeyMaterial`
//! value (or PEM line) of 16 characters or more that appears only once in the document shows up in the
//! error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::{MemoryKeyStore, Side, lookup};
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
                let key = lookup(&store, arn, Side::Incoming).expect("a listed key is found");
                assert_eq!(key.arn().as_str(), arn);
                let _ = (key.kcv().to_string(), format!("{key:?}"));
            }
            let aliases = value
                .get("Aliases")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            for a in aliases {
                let name = a["AliasName"].as_str().expect("a loaded alias has a name");
                let target = a["KeyArn"].as_str().expect("a loaded alias names a key");
                let key = lookup(&store, name, Side::Outgoing).expect("an alias resolves");
                assert_eq!(key.arn().as_str(), target);
            }
        }
        Err(e) => {
            assert!(!e.path.is_empty(), "error without a path: {e:?}");
            let shown = format!("{e} {e:?}");
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
                // Hex material whole; PEM material line by line (the base64 lines).
                for piece in m.split_whitespace() {
                    if piece.len() >= 16
                        && !piece.starts_with("-----")
                        && text.matches(piece).count() == 1
                    {
                        assert!(!shown.contains(piece), "error shows key material: {shown}");
                    }
                }
            }
        }
    }
});
