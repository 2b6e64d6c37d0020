//! Control-plane request bodies: arbitrary bytes → `ControlRequest::from_json` for an operation named
//! by the first byte (every operation of the model, so the ones it does not parse too).
//!
//! Never panics. An operation outside `PARSED_OPERATIONS` is `None`, every parsed one `Some`. A body
//! that parses is JSON (or empty). A refusal is short whatever the body (a message of at most 2,048
//! characters) and never repeats a secret: the value of a `WrappedKeyCryptogram`, of a
//! `WrappedKeyBlock` or of the emulator's `_custom_key_material_` tag (16+ characters, appearing once
//! in the body) is not in its message or field list.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::wire::control::{ControlRequest, OPERATIONS, PARSED_OPERATIONS};
use serde_json::Value;

/// The secret strings of a request document.
fn secrets(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if let (true, Value::String(s)) = (
                    k == "WrappedKeyCryptogram" || k == "WrappedKeyBlock",
                    v,
                ) {
                    out.push(s.clone());
                }
                if k == "Key" && v.as_str() == Some("_custom_key_material_") {
                    if let Some(Value::String(s)) = map.get("Value") {
                        out.push(s.clone());
                    }
                }
                secrets(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| secrets(v, out)),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let Ok(text) = core::str::from_utf8(body) else {
        return;
    };
    let operation = OPERATIONS[usize::from(which) % OPERATIONS.len()];
    let Some(result) = ControlRequest::from_json(operation, text) else {
        assert!(!PARSED_OPERATIONS.contains(&operation));
        return;
    };
    assert!(PARSED_OPERATIONS.contains(&operation));
    match result {
        Ok(request) => {
            assert!(
                text.trim().is_empty() || serde_json::from_str::<Value>(text).is_ok(),
                "a parsed request is JSON"
            );
            let _ = format!("{request:?}");
        }
        Err(e) => {
            let shown = format!("{e} {} {e:?}", e.message());
            assert!(e.message().chars().count() <= 2048, "error too long: {e:?}");
            if let Ok(value) = serde_json::from_str::<Value>(text) {
                let mut found = Vec::new();
                secrets(&value, &mut found);
                for s in found {
                    if s.len() >= 16 && text.matches(s.as_str()).count() == 1 {
                        assert!(!shown.contains(&s), "a secret is repeated in {e:?}");
                    }
                }
            }
        }
    }
});
