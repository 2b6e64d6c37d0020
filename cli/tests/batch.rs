//! `batch`: thousands of mixed lines encrypted, re-encrypted and decrypted again (each result checked
//! by decrypting with the outgoing key, through a second batch and, for the AES data key, the
//! primitives), malformed and unknown-operation lines answered in place, streaming answers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/common.rs"]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{batch_lines, command, run_with_input, to_hex, unhex};
use paycrypt::{Iv, Mode, SymmetricAlgorithm, SymmetricKey, symmetric};
use serde_json::{Value, json};

/// The tests' one deterministic RNG (SplitMix64): a fixed sequence, so a failure reproduces.
#[path = "../../tests/support/rng.rs"]
mod rng;

use rng::TestRng as Rng;

/// `bytes` random bytes in hex.
trait Hex {
    fn hex(&mut self, bytes: usize) -> String;
}

impl Hex for Rng {
    fn hex(&mut self, bytes: usize) -> String {
        to_hex(
            &(0..bytes)
                .map(|_| self.step().to_le_bytes()[0])
                .collect::<Vec<_>>(),
        )
    }
}

/// One way to use a key: the identifier to encrypt with, the one to decrypt with, the attributes.
#[derive(Clone, Debug)]
struct Spec {
    encrypt_key: &'static str,
    decrypt_key: &'static str,
    attributes: Value,
}

fn iv_member(rng: &mut Rng, block: usize, attributes: &mut Value, inner: &str) {
    if rng.below(2) == 0 {
        attributes[inner]["InitializationVector"] = Value::String(rng.hex(block));
    }
}

fn random_spec(rng: &mut Rng) -> Spec {
    let sym = |key: &'static str, attributes: Value| Spec {
        encrypt_key: key,
        decrypt_key: key,
        attributes,
    };
    match rng.below(50) {
        // TDES DUKPT: the X9.24-1 test BDK or AWS's sample BDK, any non-zero counter.
        0..=11 => {
            let bdk = *rng.pick(&["alias/demo-tdes-bdk", "alias/demo-aws-sample-bdk"]);
            let counter = 1 + rng.below(0xF_FFFF);
            let mode = *rng.pick(&["ECB", "CBC"]);
            let mut a = json!({"Dukpt": {"KeySerialNumber": format!("FFFF9876543210E{counter:05X}"),
                "Mode": mode}});
            if let Some(v) = rng.pick(&[
                None,
                Some("REQUEST"),
                Some("RESPONSE"),
                Some("BIDIRECTIONAL"),
            ]) {
                a["Dukpt"]["DukptKeyVariant"] = json!(v);
            }
            if mode == "CBC" {
                iv_member(rng, 8, &mut a, "Dukpt");
            }
            sym(bdk, a)
        }
        // AES DUKPT: AES-128 and AES-256 BDKs, working keys of any allowed type.
        12..=23 => {
            let (bdk, types): (&'static str, &[&str]) = *rng.pick(&[
                (
                    "alias/demo-aes-bdk",
                    &["AES_128", "TDES_2KEY", "TDES_3KEY"][..],
                ),
                (
                    "alias/demo-aes256-bdk",
                    &["AES_256", "AES_192", "AES_128", "TDES_2KEY"][..],
                ),
            ]);
            let derivation = *rng.pick(types);
            let counter = 1 + rng.below(0xFFFF_FFFE);
            let mode = *rng.pick(&["ECB", "CBC"]);
            let mut a = json!({"Dukpt": {"KeySerialNumber": format!("1234567890123456{counter:08X}"),
                "Mode": mode, "DukptKeyDerivationType": derivation}});
            if let Some(v) = rng.pick(&[
                None,
                Some("REQUEST"),
                Some("RESPONSE"),
                Some("BIDIRECTIONAL"),
            ]) {
                a["Dukpt"]["DukptKeyVariant"] = json!(v);
            }
            if mode == "CBC" {
                iv_member(
                    rng,
                    if derivation.starts_with("TDES") {
                        8
                    } else {
                        16
                    },
                    &mut a,
                    "Dukpt",
                );
            }
            sym(bdk, a)
        }
        // TDES data key, every mode it has.
        24..=35 => {
            let mode = *rng.pick(&["ECB", "CBC", "CFB", "CFB1", "CFB8", "CFB64", "OFB"]);
            let mut a = json!({"Symmetric": {"Mode": mode}});
            if mode != "ECB" {
                iv_member(rng, 8, &mut a, "Symmetric");
            }
            sym("alias/demo-tdes-key", a)
        }
        // AES data key, every mode.
        36..=48 => {
            let mode = *rng.pick(&[
                "ECB", "CBC", "CFB", "CFB1", "CFB8", "CFB64", "CFB128", "OFB",
            ]);
            let mut a = json!({"Symmetric": {"Mode": mode}});
            if mode != "ECB" {
                iv_member(rng, 16, &mut a, "Symmetric");
            }
            sym("alias/demo-aes-key", a)
        }
        // RSA (rarely: a private operation is slow in a debug build).
        _ => Spec {
            encrypt_key: "alias/demo-rsa-public",
            decrypt_key: "alias/demo-rsa",
            attributes: json!({"Asymmetric": {"PaddingType":
                *rng.pick(&["OAEP_SHA1", "OAEP_SHA256", "OAEP_SHA512", "PKCS1"])}}),
        },
    }
}

fn jsonl(lines: &[Value]) -> Vec<u8> {
    lines
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

/// Lines that are not requests, what each must be answered with, and where they go.
fn bad_lines() -> Vec<(String, &'static str, Option<&'static str>)> {
    vec![
        ("{\"Operation\": \"ReEncryptData\", \"Input\": {".to_string(), "ValidationException", None),
        (String::new(), "ValidationException", None),
        ("[1, 2, 3]".to_string(), "ValidationException", None),
        (
            r#"{"Operation": "TranslatePinData", "Input": {}}"#.to_string(),
            "ValidationException",
            Some("Operation"),
        ),
        (r#"{"Operation": "DecryptData"}"#.to_string(), "ValidationException", Some("Input")),
        (
            r#"{"Operation": "EncryptData", "Input": {}, "Id": 7}"#.to_string(),
            "ValidationException",
            Some("Id"),
        ),
        (
            json!({"Operation": "DecryptData", "Input": {"KeyIdentifier": "alias/no-such-key",
                "CipherText": "B064B6C2571C65D5", "DecryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}})
            .to_string(),
            "ResourceNotFoundException",
            None,
        ),
        ("\u{1F4B3} not json".to_string(), "ValidationException", None),
    ]
}

#[test]
fn thousands_of_mixed_lines_round_trip_in_order() {
    const N: usize = 3000;
    let mut rng = Rng::new(0x5EED_0000_0000_0006);
    let plaintexts: Vec<String> = (0..N)
        .map(|i| {
            let len = 16 * (1 + rng.below(3));
            format!("{i:08X}{}", rng.hex(len - 4))
        })
        .collect();
    let incoming: Vec<Spec> = (0..N).map(|_| random_spec(&mut rng)).collect();
    let outgoing: Vec<Spec> = (0..N).map(|_| random_spec(&mut rng)).collect();

    // 1. Encrypt every plaintext under its incoming spec (default options).
    let encrypt: Vec<Value> = (0..N)
        .map(|i| {
            json!({"Operation": "EncryptData", "Input": {
            "KeyIdentifier": incoming[i].encrypt_key, "PlainText": plaintexts[i],
            "EncryptionAttributes": incoming[i].attributes}})
        })
        .collect();
    let r = run_with_input(&["batch"], &jsonl(&encrypt));
    let encrypted = batch_lines(&r);
    assert_eq!(encrypted.len(), N);
    assert!(
        r.stderr.contains(&format!("{N} operations, 0 errors")),
        "{}",
        r.stderr
    );

    // 2. Re-encrypt to the outgoing specs, with bad lines mixed in, in small uneven chunks.
    let bad = bad_lines();
    let mut reencrypt = Vec::new();
    let mut expected_errors = Vec::new(); // (line number, error type, path)
    let mut line_of = Vec::with_capacity(N); // request i is on line line_of[i]
    for i in 0..N {
        if i % 211 == 17 {
            let (text, kind, path) = &bad[(i / 211) % bad.len()];
            expected_errors.push((reencrypt.len(), *kind, *path));
            reencrypt.push(text.clone());
        }
        let ct = encrypted[i]["Output"]["CipherText"].as_str().unwrap();
        line_of.push(reencrypt.len());
        reencrypt.push(
            json!({"Operation": "ReEncryptData", "Input": {
                "IncomingKeyIdentifier": incoming[i].decrypt_key,
                "OutgoingKeyIdentifier": outgoing[i].encrypt_key,
                "CipherText": ct,
                "IncomingEncryptionAttributes": incoming[i].attributes,
                "OutgoingEncryptionAttributes": outgoing[i].attributes}})
            .to_string(),
        );
    }
    assert!(
        expected_errors.len() >= bad.len(),
        "every kind of bad line is used"
    );
    let input: String = reencrypt.iter().map(|l| format!("{l}\n")).collect();
    let r = run_with_input(
        &["batch", "--workers", "2", "--chunk-lines", "97"],
        input.as_bytes(),
    );
    let answers = batch_lines(&r);
    assert_eq!(answers.len(), reencrypt.len());
    assert!(
        r.stderr.contains(&format!(
            "{} operations, {} errors",
            reencrypt.len(),
            expected_errors.len()
        )),
        "{}",
        r.stderr
    );
    for (line, kind, path) in &expected_errors {
        let e = &answers[*line]["Error"];
        assert_eq!(e["Type"], *kind, "line {line}: {e}");
        if let Some(path) = path {
            assert_eq!(e["fieldList"][0]["path"], *path, "line {line}: {e}");
        }
    }

    // 3. Decrypt every result with its outgoing key: the plaintext comes back, on the right line.
    let mut decrypt = Vec::with_capacity(N);
    for i in 0..N {
        let out = &answers[line_of[i]]["Output"];
        assert!(
            out.is_object(),
            "request {i} failed: {}",
            answers[line_of[i]]
        );
        decrypt.push(json!({"Operation": "DecryptData", "Input": {
            "KeyIdentifier": outgoing[i].decrypt_key,
            "CipherText": out["CipherText"],
            "DecryptionAttributes": outgoing[i].attributes}}));
    }
    let r = run_with_input(&["batch", "--workers", "3"], &jsonl(&decrypt));
    let decrypted = batch_lines(&r);
    assert_eq!(decrypted.len(), N);
    for i in 0..N {
        assert_eq!(
            decrypted[i]["Output"]["PlainText"], plaintexts[i],
            "request {i}: {:?} -> {:?}",
            incoming[i], outgoing[i]
        );
    }

    // 4. Independently of the operation layer: the AES data key's results, with the primitives.
    let key = SymmetricKey::from_hex(
        SymmetricAlgorithm::Aes128,
        &common::demo_material("alias/demo-aes-key"),
    )
    .unwrap();
    let mut checked = 0;
    for i in 0..N {
        let Some(sym) = outgoing[i].attributes.get("Symmetric") else {
            continue;
        };
        if outgoing[i].encrypt_key != "alias/demo-aes-key" {
            continue;
        }
        let mode = Mode::from_aws_name(sym["Mode"].as_str().unwrap()).unwrap();
        let iv = sym
            .get("InitializationVector")
            .map(|v| Iv::from_hex(v.as_str().unwrap()).unwrap());
        let mut data = unhex(
            answers[line_of[i]]["Output"]["CipherText"]
                .as_str()
                .unwrap(),
        );
        symmetric::decrypt(&key, mode, iv.as_ref(), &mut data).unwrap();
        assert_eq!(to_hex(&data), plaintexts[i], "request {i}");
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn strict_aws_applies_to_batch_lines() {
    let line = json!({"Operation": "ReEncryptData", "Input": {
        "IncomingKeyIdentifier": "alias/demo-tdes-key", "OutgoingKeyIdentifier": "alias/demo-aes-key",
        "CipherText": "B064B6C2571C65D5B064B6C2571C65D5",
        "IncomingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}},
        "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}});
    let input = format!("{line}\n");
    let documented = batch_lines(&run_with_input(&["batch"], input.as_bytes()));
    assert!(documented[0]["Output"].is_object(), "{}", documented[0]);
    let strict = batch_lines(&run_with_input(
        &["--strict-aws", "batch"],
        input.as_bytes(),
    ));
    assert_eq!(
        strict[0]["Error"]["Type"], "ValidationException",
        "{}",
        strict[0]
    );
}

#[test]
fn empty_input_gives_no_lines() {
    let r = run_with_input(&["batch"], b"");
    assert!(batch_lines(&r).is_empty());
    assert!(r.stderr.contains("0 operations, 0 errors"), "{}", r.stderr);
}

#[test]
fn answers_stream_while_input_is_still_open() {
    let mut child = command(&["batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in stdout.lines() {
            if tx.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let request = |ct: &str| {
        json!({"Operation": "DecryptData", "Input": {"KeyIdentifier": "alias/demo-tdes-key",
            "CipherText": ct, "DecryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}})
    };
    for ct in ["B064B6C2571C65D5", "B064B6C2571C65D5B064B6C2571C65D5"] {
        writeln!(stdin, "{}", request(ct)).unwrap();
        stdin.flush().unwrap();
        // The answer arrives although stdin is still open.
        let answer: Value =
            serde_json::from_str(&rx.recv_timeout(Duration::from_secs(60)).unwrap()).unwrap();
        assert_eq!(
            answer["Output"]["PlainText"],
            "0102030405060708".repeat(ct.len() / 16)
        );
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
}
