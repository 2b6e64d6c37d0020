//! Exit codes and messages of every error path; nothing on stdout on error; `--help` everywhere;
//! the key store options; `keys` never prints key material.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/common.rs"]
mod common;

use common::{command, demo_keys, run, run_command_with_input, temp_dir};
use serde_json::{Value, json};

const DUKPT_ECB: &str = r#"{"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "ECB"}}"#;
const SYM_ECB: &str = r#"{"Symmetric": {"Mode": "ECB"}}"#;

fn re_encrypt(incoming: &str, outgoing: &str, ciphertext: &str) -> Vec<String> {
    [
        "re-encrypt-data",
        "--incoming-key-identifier",
        incoming,
        "--outgoing-key-identifier",
        outgoing,
        "--cipher-text",
        ciphertext,
        "--incoming-encryption-attributes",
        DUKPT_ECB,
        "--outgoing-encryption-attributes",
        SYM_ECB,
    ]
    .map(str::to_string)
    .to_vec()
}

fn run_owned(args: &[String]) -> common::Run {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs)
}

fn service_error(stderr: &str, kind: &str, operation: &str) -> String {
    let prefix = format!("An error occurred ({kind}) when calling the {operation} operation: ");
    let line = stderr
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no AWS CLI error line for {kind}: {stderr}"));
    line[prefix.len()..].to_string()
}

/// A key store with a TDES data key that may only encrypt (so decrypting with it is AccessDenied).
fn encrypt_only_store() -> std::path::PathBuf {
    let dir = temp_dir("encrypt-only");
    let path = dir.join("keys.json");
    let doc = json!({"Keys": [{
        "KeyArn": "arn:aws:payment-cryptography:us-east-2:111122223333:key/encryptonlykey0001",
        "KeyAttributes": {"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
            "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "TDES_2KEY",
            "KeyModesOfUse": {"Encrypt": true}},
        "KeyMaterial": "0101010101010101FEFEFEFEFEFEFEFE"}],
        "Aliases": [{"AliasName": "alias/enc-only",
            "KeyArn": "arn:aws:payment-cryptography:us-east-2:111122223333:key/encryptonlykey0001"}]});
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

#[test]
fn success_prints_pretty_json_and_warns_once_about_demo_keys() {
    let r = run_owned(&re_encrypt(
        "alias/demo-tdes-bdk",
        "alias/demo-tdes-key",
        "124F7A32F3F84187",
    ));
    let out = r.ok();
    assert_eq!(out["CipherText"], "B064B6C2571C65D5"); // DECISIONS.md §7
    assert!(
        r.stdout.starts_with("{\n    \""),
        "AWS CLI layout: {}",
        r.stdout
    );
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(r.stderr.contains("PUBLIC TEST KEYS"));
}

#[test]
fn validation_error_is_254_with_the_aws_cli_message() {
    let r = run_owned(&re_encrypt(
        "alias/demo-tdes-bdk",
        "alias/demo-tdes-key",
        "124F7A32F3F8418",
    ));
    let message = service_error(r.fails(254), "ValidationException", "ReEncryptData");
    assert!(message.starts_with("CipherText"), "{message}");
}

#[test]
fn unknown_key_is_254_resource_not_found() {
    let r = run_owned(&re_encrypt(
        "alias/demo-tdes-bdk",
        "alias/nothing-here",
        "124F7A32F3F84187",
    ));
    let message = service_error(r.fails(254), "ResourceNotFoundException", "ReEncryptData");
    assert!(message.contains("alias/nothing-here"), "{message}");
}

#[test]
fn forbidden_mode_of_use_is_254_access_denied() {
    let store = encrypt_only_store();
    let r = run(&[
        "--keys",
        store.to_str().unwrap(),
        "decrypt-data",
        "--key-identifier",
        "alias/enc-only",
        "--cipher-text",
        "B064B6C2571C65D5",
        "--decryption-attributes",
        SYM_ECB,
    ]);
    let stderr = r.fails(254);
    let message = service_error(stderr, "AccessDeniedException", "DecryptData");
    assert!(message.contains("alias/enc-only"), "{message}");
    assert!(
        !stderr.contains("PUBLIC TEST KEYS"),
        "no demo warning with --keys"
    );
    // The same key encrypts: the store loaded and the key works for what it allows.
    let ok = run(&[
        "encrypt-data",
        "--keys",
        store.to_str().unwrap(),
        "--key-identifier",
        "alias/enc-only",
        "--plain-text",
        "0102030405060708",
        "--encryption-attributes",
        SYM_ECB,
    ])
    .ok();
    assert_eq!(ok["CipherText"], "B064B6C2571C65D5");
}

#[test]
fn strict_aws_refuses_symmetric_to_symmetric() {
    let args = |strict: bool| {
        let mut a = vec![
            "re-encrypt-data",
            "--incoming-key-identifier",
            "alias/demo-tdes-key",
            "--outgoing-key-identifier",
            "alias/demo-aes-key",
            "--cipher-text",
            "B064B6C2571C65D5B064B6C2571C65D5",
            "--incoming-encryption-attributes",
            SYM_ECB,
            "--outgoing-encryption-attributes",
            SYM_ECB,
        ];
        if strict {
            a.insert(0, "--strict-aws");
        }
        a
    };
    run(&args(false)).ok();
    service_error(
        run(&args(true)).fails(254),
        "ValidationException",
        "ReEncryptData",
    );
}

#[test]
fn bad_syntax_is_252_with_the_usage_lines() {
    let cases: [(&[&str], &str); 8] = [
        (&[], "the following arguments are required: command"),
        (
            &["reencrypt"],
            "argument command: Invalid choice 'reencrypt'",
        ),
        (&["keys", "--bogus", "1"], "Unknown options: --bogus"),
        (
            &["encrypt-data", "--key-identifier", "alias/demo-aes-key"],
            "the following arguments are required: --plain-text, --encryption-attributes",
        ),
        (
            &["decrypt-data", "--cipher-text"],
            "argument --cipher-text: expected one argument",
        ),
        (&["--keys"], "argument --keys: expected one argument"),
        (
            &["batch", "--workers", "many"],
            "argument --workers: invalid value 'many'",
        ),
        (
            &["keys", "extra"],
            "unrecognized arguments: argument 2 (5 characters)",
        ),
    ];
    for (args, expected) in cases {
        let r = run(args);
        let stderr = r.fails(252);
        assert!(stderr.contains("usage: paycrypt"), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("paycrypt: error: {expected}")),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn unreadable_parameter_file_is_252() {
    let r = run(&[
        "re-encrypt-data",
        "--cli-input-json",
        "file://examples/no-such-file.json",
    ]);
    let stderr = r.fails(252);
    assert!(
        stderr.contains(
            "Error parsing parameter '--cli-input-json': Unable to load paramfile file://examples/no-such-file.json"
        ),
        "{stderr}"
    );
}

#[test]
fn bad_json_parameter_is_252_and_does_not_echo_the_input() {
    let r = run(&[
        "encrypt-data",
        "--cli-input-json",
        r#"{"PlainText": "4111111111111111""#,
    ]);
    let stderr = r.fails(252);
    assert!(
        stderr.contains("Error parsing parameter '--cli-input-json': Invalid JSON"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("4111111111111111"),
        "the input must not be echoed: {stderr}"
    );

    let r = run(&["encrypt-data", "--cli-input-json", "[]"]);
    assert!(r.fails(252).contains("must be a JSON object"));

    let r = run(&[
        "encrypt-data",
        "--key-identifier",
        "alias/demo-aes-key",
        "--plain-text",
        "00",
        "--encryption-attributes",
        "Symmetric={Mode=CBC}",
    ]);
    assert!(
        r.fails(252)
            .contains("Error parsing parameter '--encryption-attributes': Invalid JSON")
    );
}

#[test]
fn a_member_the_shape_lacks_is_a_validation_error() {
    let r = run(&[
        "encrypt-data",
        "--cli-input-json",
        r#"{"KeyIdentifier": "alias/demo-aes-key", "PlainText": "00112233445566778899AABBCCDDEEFF",
            "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}, "Extra": 1}"#,
    ]);
    let message = service_error(r.fails(254), "ValidationException", "EncryptData");
    assert!(message.contains("Extra"), "{message}");
}

#[test]
fn options_override_cli_input_json_members() {
    let base = r#"{"KeyIdentifier": "alias/nothing-here", "CipherText": "B064B6C2571C65D5",
        "DecryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}"#;
    run(&["decrypt-data", "--cli-input-json", base]).fails(254);
    let out = run(&[
        "decrypt-data",
        "--cli-input-json",
        base,
        "--key-identifier",
        "alias/demo-tdes-key",
    ])
    .ok();
    assert_eq!(out["PlainText"], "0102030405060708"); // DECISIONS.md §7
}

#[test]
fn missing_key_store_file_is_253() {
    let r = run(&["--keys", "no/such/keys.json", "keys"]);
    let stderr = r.fails(253);
    assert!(
        stderr.contains("cannot read the key store no/such/keys.json"),
        "{stderr}"
    );
}

#[test]
fn key_store_with_a_bad_key_is_253_and_names_the_key() {
    let dir = temp_dir("bad-key");
    let path = dir.join("keys.json");
    let mut doc = demo_keys();
    let bad_arn = doc["Keys"][5]["KeyArn"].as_str().unwrap().to_string();
    doc["Keys"][5]["KeyMaterial"] = Value::String("00112233".to_string()); // too short
    std::fs::write(&path, doc.to_string()).unwrap();
    for via_env in [false, true] {
        let r = if via_env {
            let mut c = command(&["keys"]);
            c.env("PAYCRYPT_KEYS", &path);
            run_command_with_input(c, b"")
        } else {
            run(&["keys", "--keys", path.to_str().unwrap()])
        };
        let stderr = r.fails(253);
        assert!(stderr.contains(&bad_arn), "{stderr}");
        assert!(stderr.contains("KeyMaterial"), "{stderr}");
        assert!(
            !stderr.contains("00112233"),
            "no material in errors: {stderr}"
        );
    }
    std::fs::write(&path, "{not json").unwrap();
    assert!(
        run(&["keys", "--keys", path.to_str().unwrap()])
            .fails(253)
            .contains("not valid JSON")
    );
}

#[test]
fn keys_lists_every_key_and_alias_without_material() {
    let doc = demo_keys();
    let r = run(&["keys"]);
    let listed = r.ok();
    let keys = listed["Keys"].as_array().unwrap();
    assert_eq!(keys.len(), doc["Keys"].as_array().unwrap().len());
    assert_eq!(
        listed["Aliases"],
        doc["Aliases"]
            .as_array()
            .map(|a| {
                let mut a = a.clone();
                a.sort_by_key(|x| x["AliasName"].as_str().unwrap().to_string());
                Value::Array(a)
            })
            .unwrap()
    );
    for key in keys {
        assert!(key.get("KeyMaterial").is_none());
        assert_eq!(key["Enabled"], true);
        assert_eq!(key["KeyState"], "CREATE_COMPLETE");
        assert_eq!(
            key["KeyAttributes"]["KeyModesOfUse"]
                .as_object()
                .unwrap()
                .len(),
            9
        );
    }
    let kcv = |id: &str| {
        keys.iter()
            .find(|k| k["KeyArn"].as_str().unwrap().ends_with(id))
            .map(|k| k["KeyCheckValue"].clone())
            .unwrap()
    };
    assert_eq!(kcv("demotdesbdkx9241test"), "08D7B4"); // DECISIONS.md §6, live service
    assert_eq!(kcv("demoaesdatakey000001"), "53E107"); // DECISIONS.md §6
    // No key's material, nor any line of the RSA PEMs, appears anywhere in the output.
    let everything = format!("{}{}", r.stdout, r.stderr);
    for key in doc["Keys"].as_array().unwrap() {
        let material = key["KeyMaterial"].as_str().unwrap();
        for piece in material.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!everything.contains(piece), "material leaked: {piece}");
        }
        if !material.starts_with("-----") {
            assert!(
                !everything
                    .to_uppercase()
                    .contains(&material.to_uppercase()[..16])
            );
        }
    }
}

#[test]
fn every_command_has_help_with_examples() {
    for command in [
        "re-encrypt-data",
        "encrypt-data",
        "decrypt-data",
        "batch",
        "keys",
    ] {
        for form in [
            vec![command, "--help"],
            vec![command, "help"],
            vec!["-h", command],
        ] {
            let r = run(&form);
            assert_eq!(r.code, 0, "{form:?}: {r:?}");
            assert!(
                r.stdout.starts_with(&format!("paycrypt {command} - ")),
                "{form:?}"
            );
            assert!(r.stdout.contains("EXAMPLES"), "{form:?}");
            assert!(r.stderr.is_empty(), "{form:?}");
        }
    }
    for form in [["help"], ["--help"]] {
        let r = run(&form);
        assert_eq!(r.code, 0);
        for command in [
            "re-encrypt-data",
            "encrypt-data",
            "decrypt-data",
            "batch",
            "keys",
        ] {
            assert!(r.stdout.contains(command));
        }
        assert!(r.stdout.contains("254"));
    }
    let v = run(&["--version"]);
    assert_eq!(
        v.stdout,
        format!("paycrypt {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn parameter_values_can_come_from_files() {
    let dir = temp_dir("param-files");
    std::fs::write(dir.join("ct.hex"), "124F7A32F3F84187\n").unwrap();
    std::fs::write(dir.join("in.json"), DUKPT_ECB).unwrap();
    let file = |n: &str| format!("file://{}", dir.join(n).display());
    let out = run(&[
        "re-encrypt-data",
        "--incoming-key-identifier",
        "alias/demo-tdes-bdk",
        "--outgoing-key-identifier",
        "alias/demo-tdes-key",
        "--cipher-text",
        &file("ct.hex"),
        "--incoming-encryption-attributes",
        &file("in.json"),
        "--outgoing-encryption-attributes",
        SYM_ECB,
    ])
    .ok();
    assert_eq!(out["CipherText"], "B064B6C2571C65D5");
}
