//! Regressions for the findings of the security audit of `a47cb62` (issue 10): each test here failed on
//! that commit's behaviour. The finding's name (H1, M1, …) is in each test's name.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/common.rs"]
mod common;

use common::{run, temp_dir};
use serde_json::json;

const ACCOUNT: &str = "arn:aws:payment-cryptography:us-east-2:111122223333:key/";

fn aes_key_doc(arn: &str) -> serde_json::Value {
    json!({
        "KeyArn": arn,
        "KeyAttributes": {"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
            "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "AES_128",
            "KeyModesOfUse": {"Encrypt": true}},
        "KeyMaterial": "00112233445566778899AABBCCDDEEFF"})
}

/// M1: an ARN over 322 bytes (a 300-character region) in a key-store document is exit 253 naming the
/// member, not a panic (exit 101), in `Keys` and in `Aliases`.
#[test]
fn m1_long_arn_in_the_key_store_is_253_naming_the_member() {
    let long = format!(
        "arn:aws:payment-cryptography:{}:111122223333:key/abcdefghijklmnop",
        "a".repeat(300)
    );
    let good = format!("{ACCOUNT}abcdefghijklmnop");
    let dir = temp_dir("m1");
    for (name, doc, member) in [
        (
            "keys.json",
            json!({"Keys": [aes_key_doc(&long)]}),
            "Keys[0].KeyArn",
        ),
        (
            "aliases.json",
            json!({"Keys": [aes_key_doc(&good)],
                   "Aliases": [{"AliasName": "alias/x", "KeyArn": long}]}),
            "Aliases[0].KeyArn",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, doc.to_string()).unwrap();
        let r = run(&["--keys", path.to_str().unwrap(), "keys"]);
        let stderr = r.fails(253);
        assert!(
            stderr.contains(&format!(
                "{member}: key identifier is not a key ARN, alias ARN or alias name"
            )),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
