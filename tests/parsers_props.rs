//! Property tests of every parser on long and odd input (the security audit's M1: `KeyArn::parse`
//! panicked on an ARN over 322 bytes, and no test or fuzz input was ever that long), and of the wire
//! layer's JSON parser and writer (I3: duplicate members; M2: the writer that replaced `serde_json`'s).
//!
//! - identifier parsers (`KeyArn::parse`, `KeyIdentifier::parse`, `lookup`), KSN, IV, hex and the enum
//!   names never panic on ARN-shaped strings with regions, accounts and ids of any length (to 20,000
//!   characters), multibyte characters and separators in odd places; whatever they accept is at most
//!   322 characters and round-trips;
//! - the request, envelope and key-store parsers never panic on such identifiers in any identifier
//!   member, and their errors repeat at most 64 characters of them (a well-formed identifier, at most
//!   322 characters, is repeated whole, as AWS's `ResourceId` does);
//! - `Json::parse` reads what `serde_json` writes, back to the same value; `Json::to_text` and
//!   `Json::to_pretty` write what `serde_json` writes; a member repeated at any depth is an error that
//!   names its path; on arbitrary text the two parsers agree on what is JSON.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/regressions.rs"]
mod regressions;

use paycrypt::keystore::MAX_IDENTIFIER_LEN;
use paycrypt::wire::{self, Json, Operation};
use paycrypt::{KeyArn, KeyIdentifier, KeyStore, Ksn, MemoryKeyStore, Mode, Policy, hex};
use proptest::prelude::*;
use serde_json::{Value, json};

#[path = "support/rng.rs"]
mod testrng;

/// A piece of an identifier: plausible, empty, long, multibyte or full of separators.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{0,40}",
        "[0-9]{12}",
        "[A-Za-z0-9]{16,64}",
        (1usize..20_000).prop_map(|n| "a".repeat(n)),
        (250usize..400).prop_map(|n| "z".repeat(n)),
        "[:/a-z\u{e9}\u{1F4B3}]{0,30}",
        ".{0,50}",
    ]
}

/// Strings shaped like identifiers: `arn:aws:payment-cryptography:<region>:<account>:key/<id>` and
/// the alias forms, with every part drawn from [`piece`], or anything at all.
fn identifier() -> impl Strategy<Value = String> {
    prop_oneof![
        (piece(), piece(), piece())
            .prop_map(|(r, a, id)| format!("arn:aws:payment-cryptography:{r}:{a}:key/{id}")),
        (piece(), piece(), piece())
            .prop_map(|(r, a, n)| format!("arn:aws:payment-cryptography:{r}:{a}:alias/{n}")),
        piece().prop_map(|n| format!("alias/{n}")),
        (piece(), piece()).prop_map(|(a, b)| format!("{a}:{b}")),
        ".{0,400}",
    ]
}

fn check_identifier(s: &str) {
    match KeyArn::parse(s) {
        Ok(arn) => {
            assert!(s.len() <= MAX_IDENTIFIER_LEN, "accepted {} bytes", s.len());
            assert_eq!(arn.as_str(), s);
            let (region, account) = arn.region_and_account();
            assert!(!region.is_empty() && account.len() == 12);
        }
        Err(e) => assert_eq!(
            e,
            paycrypt::Error::Invalid {
                side: None,
                problem: paycrypt::Problem::KeyIdentifier
            }
        ),
    }
    if KeyIdentifier::parse(s).is_ok() {
        assert!((7..=MAX_IDENTIFIER_LEN).contains(&s.len()));
    }
    let store: &[paycrypt::Key] = &[];
    assert!(store.lookup(s).is_err());
    let _ = Ksn::from_hex(s);
    let _ = paycrypt::Iv::from_hex(s);
    let mut buf = [0u8; 64];
    let _ = hex::decode(s, &mut buf);
    assert!(Mode::from_aws_name(s).is_none() || s.len() <= 6);
    assert!(Operation::from_aws_name(s).is_none() || s.len() <= 13);
}

fn store() -> &'static MemoryKeyStore {
    static STORE: std::sync::OnceLock<MemoryKeyStore> = std::sync::OnceLock::new();
    STORE.get_or_init(|| MemoryKeyStore::from_json(include_str!("fixtures/keystore.json")).unwrap())
}

/// Every message of an error repeats at most 64 characters of `id` (plus `…`), unless `id` is a
/// well-formed identifier (at most 322 ASCII characters), which AWS's errors give whole (`ResourceId`).
fn assert_short_echo(e: &wire::ServiceError, id: &str) {
    if id.chars().count() <= wire::MAX_ECHO || KeyIdentifier::parse(id).is_ok() {
        return;
    }
    let j = e.to_json();
    let text = j.to_string();
    let long: String = id.chars().take(wire::MAX_ECHO + 1).collect();
    assert!(
        !text.contains(&long),
        "echoed more than 64 characters: {text}"
    );
}

fn check_requests(id: &str) {
    let mut rng = testrng::TestRng::new(1);
    let requests = [
        (
            Operation::EncryptData,
            json!({"KeyIdentifier": id, "PlainText": "00112233445566778899AABBCCDDEEFF",
                   "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
        ),
        (
            Operation::ReEncryptData,
            json!({"IncomingKeyIdentifier": "alias/tdes", "OutgoingKeyIdentifier": id,
                   "CipherText": "0011223344556677",
                   "IncomingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}},
                   "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
        ),
        (
            Operation::DecryptData,
            json!({"KeyIdentifier": id, "CipherText": "0011223344556677",
                   "DecryptionAttributes": {"Symmetric": {"Mode": id}}}),
        ),
        (
            Operation::DecryptData,
            json!({ id: 1, "KeyIdentifier": "alias/tdes", "CipherText": "0011223344556677",
                   "DecryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
        ),
    ];
    for (op, request) in requests {
        let text = request.to_string();
        if let Err(e) = wire::handle(store(), op, &text, &mut rng, Policy::Documented) {
            assert_short_echo(&e, id);
        }
        let envelope = json!({"Operation": op.aws_name(), "Input": request}).to_string();
        if let Err(e) = wire::handle_envelope(store(), &envelope, &mut rng, Policy::Documented) {
            assert_short_echo(&e, id);
        }
    }
    let envelope = json!({"Operation": id, "Input": {}}).to_string();
    let e = wire::handle_envelope(store(), &envelope, &mut rng, Policy::Documented).unwrap_err();
    assert_short_echo(&e, id);
}

fn check_key_store(id: &str) {
    let key = json!({"KeyArn": id, "KeyAttributes": {
            "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyClass": "SYMMETRIC_KEY",
            "KeyAlgorithm": "AES_128", "KeyModesOfUse": {"Encrypt": true}},
        "KeyMaterial": "00112233445566778899AABBCCDDEEFF"});
    let good = "arn:aws:payment-cryptography:us-east-2:111122223333:key/abcdefghijklmnop";
    for doc in [
        json!({"Keys": [key]}),
        json!({"Keys": [{"KeyArn": good, "KeyAttributes": {
                "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyClass": "SYMMETRIC_KEY",
                "KeyAlgorithm": "AES_128", "KeyModesOfUse": {"Encrypt": true}},
            "KeyMaterial": "00112233445566778899AABBCCDDEEFF"}],
            "Aliases": [{"AliasName": id, "KeyArn": good}, {"AliasName": "alias/x", "KeyArn": id}]}),
    ] {
        match MemoryKeyStore::from_json(&doc.to_string()) {
            Ok(store) => assert!(
                store
                    .keys()
                    .all(|k| k.arn().as_str().len() <= MAX_IDENTIFIER_LEN)
            ),
            Err(e) => {
                let shown = e.to_string();
                if id.chars().count() > MAX_IDENTIFIER_LEN {
                    let long: String = id.chars().take(wire::MAX_ECHO + 1).collect();
                    assert!(!shown.contains(&long), "{shown}");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(regressions::config(256, "tests/proptest-regressions/parsers_props.txt"))]

    #[test]
    fn identifier_parsers_take_any_length(s in identifier()) {
        check_identifier(&s);
    }

    #[test]
    fn request_and_key_store_parsers_take_any_identifier(s in identifier()) {
        check_requests(&s);
        check_key_store(&s);
    }
}

// ---- the JSON parser and writer against serde_json --------------------------------------------------

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
        "[\u{0}-\u{1f}\"\\\\/a\u{7f}\u{e9}\u{1F4B3}]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(regressions::config(512, "tests/proptest-regressions/parsers_props.txt"))]

    #[test]
    fn parse_reads_what_serde_json_writes(v in json_value()) {
        let compact = serde_json::to_string(&v).unwrap();
        prop_assert_eq!(&*Json::parse(&compact).unwrap(), &v);
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        prop_assert_eq!(&*Json::parse(&pretty).unwrap(), &v);
    }

    #[test]
    fn writer_writes_what_serde_json_writes(v in json_value()) {
        let ours = Json::from(v.clone());
        let compact = ours.to_text();
        prop_assert_eq!(compact.as_str(), serde_json::to_string(&v).unwrap());
        let mut expected = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(
            &mut expected,
            serde_json::ser::PrettyFormatter::with_indent(b"    "),
        );
        serde::Serialize::serialize(&v, &mut ser).unwrap();
        let pretty = ours.to_pretty();
        prop_assert_eq!(pretty.as_bytes(), &expected[..]);
        // Written text has exactly the capacity it needs (no reallocation on the way).
        let text = ours.to_text();
        prop_assert_eq!(text.capacity(), text.len());
    }

    #[test]
    fn parsers_agree_on_what_is_json(s in "[\\[\\]{}\",:0-9a-z .\\\\-]{0,40}") {
        // Any text: both accept it or both refuse it (texts with a repeated member aside).
        let ours = Json::parse(&s);
        let theirs = serde_json::from_str::<Value>(&s);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => prop_assert_eq!(&**a, b),
            (Err(e), Ok(_)) => prop_assert!(e.duplicate_path().is_some(), "{s:?}: {e}"),
            (Ok(_), Err(e)) => prop_assert!(false, "{s:?}: serde_json refuses ({e}), we accept"),
            (Err(_), Err(_)) => {}
        }
    }

    #[test]
    fn a_repeated_member_is_refused_at_any_depth(v in json_value(), depth in 0usize..5,
                                                 name in "[A-Za-z]{1,10}") {
        // {"a": {"a": … {name: v, name: v} …}}
        let inner = serde_json::to_string(&v).unwrap();
        let mut text = format!("{{\"{name}\": {inner}, \"{name}\": {inner}}}");
        for _ in 0..depth {
            text = format!("{{\"a\": {text}}}");
        }
        let e = Json::parse(&text).unwrap_err();
        let mut path = vec!["a"; depth];
        path.push(&name);
        let path = path.join(".");
        prop_assert_eq!(e.duplicate_path(), Some(path.as_str()));
    }
}

#[test]
fn json_errors_give_a_position_and_never_the_text() {
    for (text, expected) in [
        ("", "EOF while parsing a value at line 1 column 1"),
        (
            "{\"PlainText\": \"4111111111111111\"",
            "EOF while parsing an object at line 1 column 33",
        ),
        ("[1,]", "trailing comma at line 1 column 4"),
        ("{\"a\":1}x", "trailing characters at line 1 column 8"),
        (
            "\"\\ud800\"",
            "lone leading surrogate in hex escape at line 1 column 8",
        ),
        ("1e999999", "number out of range at line 1 column 9"),
        ("{\"a\" 1}", "expected `:` at line 1 column 6"),
        (
            "\"a\u{1}\"",
            "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3",
        ),
    ] {
        assert_eq!(
            Json::parse(text).unwrap_err().to_string(),
            expected,
            "{text:?}"
        );
    }
    assert_eq!(
        Json::parse(&"[".repeat(129)).unwrap_err().to_string(),
        "recursion limit exceeded at line 1 column 129"
    );
    assert!(Json::parse(&format!("{}{}", "[".repeat(128), "]".repeat(128))).is_ok());
    // A repeated member deep inside nesting: the path keeps its end, within 256 characters (found by
    // the `keystore` fuzz target: 88 nested arrays made a 300-character path).
    let deep = format!(
        "{}{{\"{}\": {{\"Decrypt\": true, \"Decrypt\": true}}}}{}",
        "[".repeat(100),
        "K".repeat(64),
        "]".repeat(100)
    );
    let e = Json::parse(&deep).unwrap_err();
    let path = e.duplicate_path().unwrap();
    assert_eq!(path.chars().count(), 256, "{path}");
    assert!(
        path.starts_with('…') && path.ends_with(".Decrypt"),
        "{path}"
    );
    let e = Json::parse(
        r#"{"Keys": [{"KeyArn": "x"}, {"KeyArn": "y", "KeyArn": "4111111111111111"}]}"#,
    )
    .unwrap_err();
    assert_eq!(e.duplicate_path(), Some("Keys[1].KeyArn"));
    assert!(!e.to_string().contains("4111"));
    // The audit's I3 request: the operation and the key given twice.
    let e = wire::handle_envelope(
        store(),
        r#"{"Operation":"DecryptData","Operation":"EncryptData","Input":{}}"#,
        &mut testrng::TestRng::new(1),
        Policy::Documented,
    )
    .unwrap_err();
    assert_eq!(e.to_json()["fieldList"][0]["path"], "Operation");
}
