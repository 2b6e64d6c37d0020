//! Wrapped (dynamic) keys from the command line: `paycrypt tr31 wrap` makes a block under a demo KEK,
//! and `--wrapped-key`, `--incoming-wrapped-key`, `--outgoing-wrapped-key` use it; results are checked
//! with the primitives and the clear key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/common.rs"]
mod common;

use common::{EXAMPLE_PLAINTEXT, run, temp_dir, unhex};
use paycrypt::{Iv, KcvAlgorithm, Mode, SymmetricAlgorithm, SymmetricKey, symmetric};
use serde_json::{Value, json};

const AES_KEK: &str =
    "arn:aws:payment-cryptography:us-east-2:111122223333:key/demoaes256kek0000001";
const TDES_KEK: &str =
    "arn:aws:payment-cryptography:us-east-2:111122223333:key/demotdes3kek00000001";
const AES_KEY: &str = "6A5B4C3D2E1F00112233445566778899AABBCCDDEEFF01234567890ABCDEF012";
const TDES_KEY: &str = "89ABCDEF0123456776543210FEDCBA98";

fn wrap(kek: &str, header: &str, key: &str) -> Value {
    run(&[
        "tr31",
        "wrap",
        "--kek-identifier",
        kek,
        "--header",
        header,
        "--key",
        key,
    ])
    .ok()
}

fn block_of(wrapped: &Value) -> String {
    wrapped["WrappedKeyMaterial"]["Tr31KeyBlock"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn wrap_then_encrypt_and_decrypt_with_the_wrapped_key() {
    let wrapped = wrap("alias/demo-aes-kek", "D0000D0AB00E0000", AES_KEY);
    let block = block_of(&wrapped);
    assert!(block.starts_with("D0144D0AB00E0000"), "{block}");
    assert_eq!(block.len(), 144);
    assert_eq!(wrapped.as_object().unwrap().len(), 1);
    // Random padding: another wrap gives another block of the same key.
    assert_ne!(
        block,
        block_of(&wrap("alias/demo-aes-kek", "D0000D0AB00E0000", AES_KEY))
    );
    let attrs = r#"{"Symmetric": {"Mode": "CBC", "InitializationVector": "00112233445566778899AABBCCDDEEFF"}}"#;
    let out = run(&[
        "encrypt-data",
        "--key-identifier",
        "alias/demo-aes-kek",
        "--plain-text",
        EXAMPLE_PLAINTEXT,
        "--encryption-attributes",
        attrs,
        "--wrapped-key",
        &wrapped.to_string(),
    ])
    .ok();
    let key = SymmetricKey::from_hex(SymmetricAlgorithm::Aes256, AES_KEY).unwrap();
    assert_eq!(out["KeyArn"], AES_KEK);
    assert_eq!(
        out["KeyCheckValue"],
        key.kcv_with(KcvAlgorithm::Cmac).unwrap().to_string()
    );
    let ct = out["CipherText"].as_str().unwrap().to_string();
    let mut data = unhex(&ct);
    let iv = Iv::from_hex("00112233445566778899AABBCCDDEEFF").unwrap();
    symmetric::decrypt(&key, Mode::Cbc, Some(&iv), &mut data).unwrap();
    assert_eq!(data, b"4111111111111111");
    // And back, with the wrapped key from a file and the ANSI X9.24 check value.
    let dir = temp_dir("wrapped-key");
    let file = dir.join("wrapped.json");
    let mut with_kcv = wrapped.clone();
    with_kcv["KeyCheckValueAlgorithm"] = json!("ANSI_X9_24");
    std::fs::write(&file, with_kcv.to_string()).unwrap();
    let out = run(&[
        "decrypt-data",
        "--key-identifier",
        AES_KEK,
        "--cipher-text",
        &ct,
        "--decryption-attributes",
        attrs,
        "--wrapped-key",
        &format!("file://{}", file.display()),
    ])
    .ok();
    assert_eq!(out["PlainText"], EXAMPLE_PLAINTEXT);
    assert_eq!(
        out["KeyCheckValue"],
        key.kcv_with(KcvAlgorithm::AnsiX924).unwrap().to_string()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn re_encrypt_between_two_wrapped_keys() {
    // Incoming: TDES-2KEY, decrypt-only (D), version B under the TDES KEK; outgoing: AES-256,
    // encrypt-only (E), version D under the AES KEK. The key comes from a file.
    let dir = temp_dir("wrapped-keys");
    let key_file = dir.join("key.hex");
    std::fs::write(&key_file, format!("{TDES_KEY}\n")).unwrap();
    let incoming = wrap(
        TDES_KEK,
        "B0000D0TD00N0000",
        &format!("file://{}", key_file.display()),
    );
    assert!(block_of(&incoming).starts_with("B0096D0TD00N0000"));
    let outgoing = wrap(AES_KEK, "D0000D0AE00S0000", AES_KEY);
    let tdes = SymmetricKey::from_hex(SymmetricAlgorithm::Tdes2Key, TDES_KEY).unwrap();
    let mut ct = unhex(EXAMPLE_PLAINTEXT);
    symmetric::encrypt(&tdes, Mode::Ecb, None, &mut ct).unwrap();
    let ct = paycrypt::hex::encode_upper_string(&ct);
    for policy in [None, Some("--strict-aws")] {
        let mut args = vec![
            "re-encrypt-data",
            "--incoming-key-identifier",
            "alias/demo-tdes-kek",
            "--outgoing-key-identifier",
            "alias/demo-aes-kek",
            "--cipher-text",
            &ct,
            "--incoming-encryption-attributes",
            r#"{"Symmetric": {"Mode": "ECB"}}"#,
            "--outgoing-encryption-attributes",
            r#"{"Symmetric": {"Mode": "ECB"}}"#,
        ];
        let (i, o) = (incoming.to_string(), outgoing.to_string());
        args.extend(["--incoming-wrapped-key", &i, "--outgoing-wrapped-key", &o]);
        args.extend(policy);
        let r = run(&args);
        if policy.is_some() {
            // Wrapped D0 to wrapped D0 is the symmetric-to-symmetric pairing the strict policy refuses.
            assert!(r.fails(254).contains("refused by policy"), "{}", r.stderr);
            continue;
        }
        let out = r.ok();
        assert_eq!(out["KeyArn"], AES_KEK);
        let aes = SymmetricKey::from_hex(SymmetricAlgorithm::Aes256, AES_KEY).unwrap();
        assert_eq!(
            out["KeyCheckValue"],
            aes.kcv_with(KcvAlgorithm::Cmac).unwrap().to_string()
        );
        let mut data = unhex(out["CipherText"].as_str().unwrap());
        symmetric::decrypt(&aes, Mode::Ecb, None, &mut data).unwrap();
        assert_eq!(data, b"4111111111111111");
    }
    // The two blocks on the wrong sides: D may not encrypt, E may not decrypt.
    let (i, o) = (outgoing.to_string(), incoming.to_string());
    let r = run(&[
        "re-encrypt-data",
        "--incoming-key-identifier",
        "alias/demo-aes-kek",
        "--outgoing-key-identifier",
        "alias/demo-tdes-kek",
        "--cipher-text",
        &ct,
        "--incoming-encryption-attributes",
        r#"{"Symmetric": {"Mode": "ECB"}}"#,
        "--outgoing-encryption-attributes",
        r#"{"Symmetric": {"Mode": "ECB"}}"#,
        "--incoming-wrapped-key",
        &i,
        "--outgoing-wrapped-key",
        &o,
    ]);
    assert!(
        r.fails(254).contains(
            "(ValidationException) when calling the ReEncryptData operation: \
             IncomingWrappedKey.WrappedKeyMaterial.Tr31KeyBlock: wrapped key's usage"
        ),
        "{}",
        r.stderr
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_changed_block_is_the_one_unwrap_error() {
    let wrapped = wrap("alias/demo-aes-kek", "D0000D0AB00E0000", AES_KEY);
    let block = block_of(&wrapped);
    let last = if block.ends_with('0') { "1" } else { "0" };
    let changed = format!("{}{last}", &block[..block.len() - 1]);
    let r = run(&[
        "decrypt-data",
        "--key-identifier",
        "alias/demo-aes-kek",
        "--cipher-text",
        "00112233445566778899AABBCCDDEEFF",
        "--decryption-attributes",
        r#"{"Symmetric": {"Mode": "ECB"}}"#,
        "--wrapped-key",
        &json!({"WrappedKeyMaterial": {"Tr31KeyBlock": changed}}).to_string(),
    ]);
    let err = r.fails(254);
    assert!(
        err.contains(
            "WrappedKey.WrappedKeyMaterial.Tr31KeyBlock: wrapped key cannot be unwrapped under the \
             key-encryption key"
        ),
        "{err}"
    );
    assert!(!err.contains(&block[16..]), "the block is never repeated");
}

#[test]
fn tr31_wrap_errors() {
    let cases: [(&[&str], i32, &str); 8] = [
        (
            &[
                "tr31",
                "wrap",
                "--kek-identifier",
                "alias/demo-aes-key",
                "--header",
                "D0000D0AB00E0000",
                "--key",
                AES_KEY,
            ],
            252,
            "Error parsing parameter '--kek-identifier': KeyUsages not allowed for this operation",
        ),
        (
            &[
                "tr31",
                "wrap",
                "--kek-identifier",
                "alias/nothing",
                "--header",
                "D0000D0AB00E0000",
                "--key",
                AES_KEY,
            ],
            252,
            "Error parsing parameter '--kek-identifier': Key alias/nothing not found",
        ),
        (
            &[
                "tr31",
                "wrap",
                "--kek-identifier",
                "alias/demo-aes-kek",
                "--header",
                "B0000D0TB00E0000",
                "--key",
                TDES_KEY,
            ],
            252,
            "Error parsing parameter '--header': key block version does not fit the wrapping key's algorithm",
        ),
        (
            &[
                "tr31",
                "wrap",
                "--kek-identifier",
                "alias/demo-aes-kek",
                "--header",
                "E0000D0AB00E0000",
                "--key",
                AES_KEY,
            ],
            252,
            "Error parsing parameter '--header': key block version is not accepted",
        ),
        (
            &[
                "tr31",
                "wrap",
                "--kek-identifier",
                "alias/demo-aes-kek",
                "--header",
                "D0000D0AB00E00",
                "--key",
                AES_KEY,
            ],
            252,
            "Error parsing parameter '--header': key block header field is not valid",
        ),
        (
            &[
                "tr31",
                "wrap",
                "--kek-identifier",
                "alias/demo-aes-kek",
                "--header",
                "D0000D0AB00E0000",
                "--key",
                "0G",
            ],
            252,
            "Error parsing parameter '--key': value is not an even-length hexadecimal string (2 characters)",
        ),
        (
            &["tr31", "wrap", "--kek-identifier", "alias/demo-aes-kek"],
            252,
            "the following arguments are required: --header, --key",
        ),
        (
            &["tr31", "unwrap"],
            252,
            "argument subcommand: Invalid choice, valid choices are: wrap",
        ),
    ];
    for (args, code, message) in cases {
        let r = run(args);
        let err = r.fails(code);
        assert!(err.contains(message), "{args:?}: {err}");
        // The key is never repeated.
        assert!(!err.contains(AES_KEY) && !err.contains(TDES_KEY), "{err}");
    }
    let help = run(&["tr31", "help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.starts_with("paycrypt tr31 wrap - "));
    // The wrapped-key options are optional, and listed in the commands' help.
    for command in ["re-encrypt-data", "encrypt-data", "decrypt-data"] {
        let h = run(&[command, "help"]).stdout;
        assert!(h.contains("wrapped-key JSON"), "{command}");
    }
}
