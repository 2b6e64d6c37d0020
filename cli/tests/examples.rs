//! Every file of `examples/`: each runs against the embedded demo key store (also with
//! `--strict-aws`), and each result is checked by decrypting it with the outgoing key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/common.rs"]
mod common;

use common::{EXAMPLE_PLAINTEXT, batch_lines, root, run, run_with_input};
use paycrypt::{Iv, Mode, SymmetricAlgorithm, SymmetricKey, symmetric};
use serde_json::{Value, json};

/// The re-encryption examples (the flows the README promises).
const RE_ENCRYPT_EXAMPLES: [&str; 7] = [
    "p2pe-tdes-dukpt-to-aes-cbc.json",
    "aes-dukpt-to-tdes-cbc.json",
    "tdes-cbc-to-rsa-oaep.json",
    "rsa-oaep-to-tdes-dukpt.json",
    "aws-worked-case-dukpt-ecb-to-tdes-ecb.json",
    "tdes-dukpt-to-wrapped-aes-cbc.json",
    "wrapped-tdes-cbc-to-tdes-dukpt.json",
];
const OTHER_EXAMPLES: [&str; 4] = [
    "decrypt-aes-cbc.json",
    "encrypt-for-rsa-example.json",
    "batch.jsonl",
    "README.md",
];

fn example(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join("examples").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn file_arg(name: &str) -> String {
    format!("file://examples/{name}")
}

/// Decrypt `ciphertext` with the key and attributes of the outgoing side of `request`, through the CLI.
fn decrypt_outgoing(request: &Value, ciphertext: &str) -> String {
    let attributes = request["OutgoingEncryptionAttributes"].clone();
    // The outgoing side of an RSA re-encryption is the public key; decrypt with its private half.
    let key = match request["OutgoingKeyIdentifier"].as_str().unwrap() {
        "alias/demo-rsa-public" => "alias/demo-rsa",
        other => other,
    };
    let mut decrypt = json!({
        "KeyIdentifier": key,
        "CipherText": ciphertext,
        "DecryptionAttributes": attributes,
    });
    // A wrapped outgoing key: the same block under the same KEK decrypts (its mode of use is B).
    if let Some(wrapped) = request.get("OutgoingWrappedKey") {
        decrypt["WrappedKey"] = wrapped.clone();
    }
    let out = run(&["decrypt-data", "--cli-input-json", &decrypt.to_string()]).ok();
    out["PlainText"].as_str().unwrap().to_string()
}

#[test]
fn every_example_file_is_tested() {
    let mut names: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut known: Vec<String> = RE_ENCRYPT_EXAMPLES
        .iter()
        .chain(OTHER_EXAMPLES.iter())
        .map(|s| (*s).to_string())
        .collect();
    known.sort();
    assert_eq!(names, known, "a new example needs a test here");
}

#[test]
fn re_encryption_examples_give_the_plaintext_under_the_outgoing_key() {
    for name in RE_ENCRYPT_EXAMPLES {
        let request = example(name);
        for policy in [None, Some("--strict-aws")] {
            let mut args = vec!["re-encrypt-data", "--cli-input-json"];
            let file = file_arg(name);
            args.push(&file);
            args.extend(policy);
            let r = run(&args);
            let out = r.ok();
            assert!(r.stderr.contains("PUBLIC TEST KEYS"), "{name}: {r:?}");
            let ciphertext = out["CipherText"].as_str().unwrap();
            assert_eq!(
                decrypt_outgoing(&request, ciphertext),
                if name.starts_with("aws-worked-case") {
                    "0102030405060708".to_string()
                } else {
                    EXAMPLE_PLAINTEXT.to_string()
                },
                "{name}"
            );
            assert!(out["KeyArn"].as_str().unwrap().contains(":key/"), "{name}");
            assert_eq!(out.as_object().unwrap().len(), 3, "{name}: {out}");
        }
    }
}

#[test]
fn the_worked_case_gives_the_live_services_answer() {
    // DECISIONS.md §7, observed on the live AWS service.
    let out = run(&[
        "re-encrypt-data",
        "--cli-input-json",
        &file_arg("aws-worked-case-dukpt-ecb-to-tdes-ecb.json"),
    ])
    .ok();
    assert_eq!(out["CipherText"], "B064B6C2571C65D5");
    assert_eq!(out["KeyCheckValue"], "9295B5");
}

#[test]
fn p2pe_output_decrypts_with_the_aes_primitive() {
    // Independently of the operation layer: AES-128-CBC with the demo key's material.
    let request = example("p2pe-tdes-dukpt-to-aes-cbc.json");
    let out = run(&[
        "re-encrypt-data",
        "--cli-input-json",
        &file_arg("p2pe-tdes-dukpt-to-aes-cbc.json"),
    ])
    .ok();
    let key = SymmetricKey::from_hex(
        SymmetricAlgorithm::Aes128,
        &common::demo_material("alias/demo-aes-key"),
    )
    .unwrap();
    let iv = Iv::from_hex(
        request["OutgoingEncryptionAttributes"]["Symmetric"]["InitializationVector"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let mut data = common::unhex(out["CipherText"].as_str().unwrap());
    symmetric::decrypt(&key, Mode::Cbc, Some(&iv), &mut data).unwrap();
    assert_eq!(data, b"4111111111111111");
    // And the DUKPT side: the incoming ciphertext is the plaintext under the derived request key.
    let bdk = SymmetricKey::from_hex(
        SymmetricAlgorithm::Tdes2Key,
        &common::demo_material("alias/demo-tdes-bdk"),
    )
    .unwrap();
    let ksn = paycrypt::Ksn::from_hex("FFFF9876543210E00001").unwrap();
    let dek = paycrypt::dukpt::derive_data_key(
        &bdk,
        &ksn,
        Some(paycrypt::DukptKeyVariant::Request),
        None,
    )
    .unwrap();
    let mut incoming = common::unhex(request["CipherText"].as_str().unwrap());
    symmetric::decrypt(&dek, Mode::Cbc, None, &mut incoming).unwrap();
    assert_eq!(incoming, b"4111111111111111");
}

#[test]
fn decrypt_example_gives_the_plaintext() {
    let out = run(&[
        "decrypt-data",
        "--cli-input-json",
        &file_arg("decrypt-aes-cbc.json"),
    ])
    .ok();
    assert_eq!(out["PlainText"], EXAMPLE_PLAINTEXT);
    assert_eq!(out["KeyCheckValue"], "53E107"); // DECISIONS.md §6
}

#[test]
fn encrypt_for_rsa_example_makes_a_fresh_ciphertext_that_decrypts() {
    let a = run(&[
        "encrypt-data",
        "--cli-input-json",
        &file_arg("encrypt-for-rsa-example.json"),
    ])
    .ok();
    let b = run(&[
        "encrypt-data",
        "--cli-input-json",
        &file_arg("encrypt-for-rsa-example.json"),
    ])
    .ok();
    let (a, b) = (
        a["CipherText"].as_str().unwrap(),
        b["CipherText"].as_str().unwrap(),
    );
    assert_ne!(a, b, "OAEP is randomized");
    assert_eq!(a.len(), 512);
    for ct in [a, b] {
        let out = run(&[
            "decrypt-data",
            "--key-identifier",
            "alias/demo-rsa",
            "--cipher-text",
            ct,
            "--decryption-attributes",
            r#"{"Asymmetric": {"PaddingType": "OAEP_SHA256"}}"#,
        ])
        .ok();
        assert_eq!(out["PlainText"], EXAMPLE_PLAINTEXT);
    }
}

#[test]
fn batch_example_answers_each_line_like_the_single_commands() {
    let input = std::fs::read(root().join("examples/batch.jsonl")).unwrap();
    let r = run_with_input(&["batch"], &input);
    let lines = batch_lines(&r);
    let requests: Vec<Value> = String::from_utf8(input)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), requests.len());
    for (request, answer) in requests.iter().zip(&lines) {
        let command = match request["Operation"].as_str().unwrap() {
            "ReEncryptData" => "re-encrypt-data",
            "EncryptData" => "encrypt-data",
            _ => "decrypt-data",
        };
        let single = run(&[command, "--cli-input-json", &request["Input"].to_string()]);
        if single.code == 0 {
            assert_eq!(answer["Output"], single.json(), "{request}");
        } else {
            assert_eq!(single.code, 254);
            assert_eq!(answer["Error"]["Type"], "ResourceNotFoundException");
            assert_eq!(answer["Error"]["ResourceId"], "alias/no-such-key");
        }
    }
    assert_eq!(lines.iter().filter(|l| l.get("Error").is_some()).count(), 1);
    assert!(r.stderr.contains("6 operations, 1 errors"), "{r:?}");
}

/// The wrapped-key examples, checked with the primitives and the clear keys the blocks were made from
/// (`examples/README.md`), independently of the unwrap.
#[test]
fn wrapped_key_examples_use_the_clear_keys() {
    // Outgoing wrapped: AES-128 key 0F1E…F0 (mode of use B) under alias/demo-aes-kek; CMAC check value.
    let out = run(&[
        "re-encrypt-data",
        "--cli-input-json",
        &file_arg("tdes-dukpt-to-wrapped-aes-cbc.json"),
    ])
    .ok();
    let key = SymmetricKey::from_hex(
        SymmetricAlgorithm::Aes128,
        "0F1E2D3C4B5A69788796A5B4C3D2E1F0",
    )
    .unwrap();
    assert_eq!(
        out["KeyArn"],
        "arn:aws:payment-cryptography:us-east-2:111122223333:key/demoaes256kek0000001"
    );
    assert_eq!(
        out["KeyCheckValue"],
        key.kcv_with(paycrypt::KcvAlgorithm::Cmac)
            .unwrap()
            .to_string()
    );
    let iv = Iv::from_hex("000102030405060708090A0B0C0D0E0F").unwrap();
    let mut data = common::unhex(out["CipherText"].as_str().unwrap());
    symmetric::decrypt(&key, Mode::Cbc, Some(&iv), &mut data).unwrap();
    assert_eq!(data, b"4111111111111111");
    // Incoming wrapped: TDES-2KEY key 0123…FE under alias/demo-tdes-kek; its ciphertext is the
    // plaintext under that key.
    let request = example("wrapped-tdes-cbc-to-tdes-dukpt.json");
    let key = SymmetricKey::from_hex(
        SymmetricAlgorithm::Tdes2Key,
        "0123456789ABCDEF1032547698BADCFE",
    )
    .unwrap();
    let iv = Iv::from_hex("0001020304050607").unwrap();
    let mut data = common::unhex(request["CipherText"].as_str().unwrap());
    symmetric::decrypt(&key, Mode::Cbc, Some(&iv), &mut data).unwrap();
    assert_eq!(data, b"4111111111111111");
}
