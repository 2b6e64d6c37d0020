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

/// The answer lines of a batch run (asserting exit 0), as JSON.
fn batch(args: &[&str], lines: &[serde_json::Value]) -> Vec<serde_json::Value> {
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let r = common::run_with_input(args, input.as_bytes());
    common::batch_lines(&r)
}

fn validation_path(answer: &serde_json::Value) -> &str {
    assert_eq!(answer["Error"]["Type"], "ValidationException", "{answer}");
    answer["Error"]["fieldList"][0]["path"]
        .as_str()
        .unwrap_or_else(|| panic!("no path: {answer}"))
}

/// H1, the audit's `ofb_raw_rsa_oracle.py`: its very first query (ReEncryptData of a victim's AES-OFB
/// ciphertext to the demo RSA public key with `{"Asymmetric": {}}`) is a ValidationException naming
/// the missing padding type, under both policies, so the oracle answers nothing.
#[test]
fn h1_ofb_probe_gets_a_validation_exception_on_the_first_query() {
    const IV: &str = "000102030405060708090A0B0C0D0E0F";
    let secret = "A5".repeat(256);
    let encrypted = batch(
        &["batch"],
        &[json!({"Operation": "EncryptData", "Input": {
            "KeyIdentifier": "alias/demo-aes-key", "PlainText": secret,
            "EncryptionAttributes": {"Symmetric": {"Mode": "OFB", "InitializationVector": IV}}}})],
    );
    let ciphertext = encrypted[0]["Output"]["CipherText"].as_str().unwrap();
    let probe = |outgoing: serde_json::Value| {
        json!({"Operation": "ReEncryptData", "Input": {
            "IncomingKeyIdentifier": "alias/demo-aes-key",
            "OutgoingKeyIdentifier": "alias/demo-rsa-public",
            "CipherText": ciphertext,
            "IncomingEncryptionAttributes": {"Symmetric": {"Mode": "OFB", "InitializationVector": IV}},
            "OutgoingEncryptionAttributes": outgoing}})
    };
    for args in [&["batch", "--workers", "1"][..], &["--strict-aws", "batch"]] {
        let answers = batch(
            args,
            &[
                probe(json!({"Asymmetric": {}})),
                probe(json!({"Symmetric": {"Mode": "OFB"}})),
            ],
        );
        assert_eq!(
            validation_path(&answers[0]),
            "OutgoingEncryptionAttributes.Asymmetric.PaddingType"
        );
        assert_eq!(
            validation_path(&answers[1]),
            "OutgoingEncryptionAttributes.Symmetric.PaddingType"
        );
    }
}

/// H1, the audit's `raw_raw_manger.py`: raw RSA -> raw RSA is refused on the first query, into a key
/// without the opt-in and into one with it (`rsa4096public00001` of the test fixture opts in).
#[test]
fn h1_raw_to_raw_probe_gets_a_validation_exception_on_the_first_query() {
    let query = |outgoing: &str| {
        json!({"Operation": "ReEncryptData", "Input": {
            "IncomingKeyIdentifier": "alias/rsa/2048",
            "OutgoingKeyIdentifier": format!("{ACCOUNT}{outgoing}"),
            "CipherText": "01".repeat(256),
            "IncomingEncryptionAttributes": {"Asymmetric": {}},
            "OutgoingEncryptionAttributes": {"Asymmetric": {}}}})
    };
    let answers = batch(
        &["--keys", "tests/fixtures/keystore.json", "batch"],
        &[query("rsa2048public00001"), query("rsa4096public00001")],
    );
    for answer in &answers {
        assert_eq!(
            validation_path(answer),
            "OutgoingEncryptionAttributes.Asymmetric.PaddingType"
        );
    }
}
