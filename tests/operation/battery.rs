//! The validation battery: each rule of DECISIONS.md §8 broken once, through the JSON layer, must give the
//! right AWS error kind and field path, never a panic and never output.

use paycrypt::Policy;
use paycrypt::wire::Operation::{self, DecryptData, EncryptData, ReEncryptData};
use paycrypt::wire::ServiceError;
use serde_json::{Value, json};

use crate::fixtures::{arn, call, call_with};

/// A re-encryption request TDES DUKPT → AES-128 CBC that succeeds; each case breaks one thing.
fn good() -> Value {
    json!({
        "IncomingKeyIdentifier": "alias/tdes-bdk",
        "OutgoingKeyIdentifier": arn("aes128key000000001"),
        "CipherText": "FC0D53B7EA1FDA9EE68AAF2E70D9B9506229BE2AA993F04F1122334455667788",
        "IncomingEncryptionAttributes": {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}},
        "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "CBC",
            "InitializationVector": "000102030405060708090A0B0C0D0E0F"}}
    })
}

enum Expect {
    Validation(&'static str),
    AccessDenied,
    NotFound(String),
}

fn check(name: &str, op: Operation, request: Value, expect: Expect) {
    check_with(name, op, request, expect, Policy::Documented);
}

fn check_with(name: &str, op: Operation, request: Value, expect: Expect, policy: Policy) {
    let got = call_with(op, request, policy);
    let err = match got {
        Ok(out) => panic!("{name}: expected an error, got output {out}"),
        Err(e) => e,
    };
    match (&expect, &err) {
        (Expect::Validation(path), ServiceError::Validation { field_list, .. }) => {
            assert_eq!(field_list.len(), 1, "{name}: {err}");
            assert_eq!(field_list[0].path, *path, "{name}: {err}");
            assert!(!field_list[0].message.is_empty());
            let j = err.to_json();
            assert!(
                j["message"].is_string() && j["fieldList"][0]["path"] == *path,
                "{name}: {j}"
            );
        }
        (Expect::AccessDenied, ServiceError::AccessDenied { .. }) => {
            assert!(err.to_json()["Message"].is_string());
        }
        (Expect::NotFound(id), ServiceError::ResourceNotFound { resource_id }) => {
            assert_eq!(resource_id, id, "{name}");
            assert_eq!(err.to_json(), json!({"ResourceId": id}));
        }
        _ => panic!("{name}: wrong error kind {err}"),
    }
}

/// One broken member per row: (case, JSON pointer into the good request, its new value, the
/// `fieldList` path of the `ValidationException` expected).
fn broken_members<const N: usize>(rows: [(&str, &str, Value, &'static str); N]) {
    for (name, pointer, value, path) in rows {
        check(
            name,
            ReEncryptData,
            with(good(), pointer, value),
            Expect::Validation(path),
        );
    }
}

/// Set (or add) the member at a JSON pointer.
fn with(mut v: Value, pointer: &str, new: Value) -> Value {
    let (parent, member) = pointer.rsplit_once('/').unwrap();
    let obj = v.pointer_mut(parent).unwrap_or_else(|| panic!("{pointer}"));
    obj.as_object_mut().unwrap().insert(member.to_string(), new);
    v
}

fn without(mut v: Value, member: &str) -> Value {
    v.as_object_mut().unwrap().remove(member);
    v
}

#[test]
fn the_good_request_works() {
    let out = call(ReEncryptData, good()).unwrap();
    assert_eq!(out["KeyArn"], arn("aes128key000000001"));
    assert_eq!(out["KeyCheckValue"], "53E107");
    assert_eq!(out["CipherText"].as_str().unwrap().len(), 64);
}

#[test]
fn wire_shape_rules() {
    use Expect::Validation as V;
    let g = good;
    broken_members([
        ("bad hex", "/CipherText", json!("ZZ"), "CipherText"),
        ("odd length", "/CipherText", json!("ABC"), "CipherText"),
        ("too short", "/CipherText", json!(""), "CipherText"),
        (
            "too long",
            "/CipherText",
            json!("00".repeat(2113)),
            "CipherText",
        ),
        ("not a string", "/CipherText", json!(12), "CipherText"),
    ]);
    check(
        "missing member",
        ReEncryptData,
        without(g(), "CipherText"),
        V("CipherText"),
    );
    broken_members([
        ("null member", "/CipherText", Value::Null, "CipherText"),
        (
            "unknown member",
            "/IncomingEncryptionAttributes/Dukpt/Extra",
            json!(1),
            "IncomingEncryptionAttributes.Dukpt.Extra",
        ),
    ]);
    let mut top = g();
    top["Extra"] = json!(true);
    check("unknown top-level member", ReEncryptData, top, V("Extra"));
    // Found by the `keystore` fuzz target (same reader): a member named "" gave an empty path.
    let mut empty = g();
    empty[""] = json!(1);
    check(
        "member with an empty name",
        ReEncryptData,
        empty,
        V(r#""""#),
    );
    check(
        "nested member with an empty name",
        ReEncryptData,
        with(g(), "/IncomingEncryptionAttributes/Dukpt/", json!(1)),
        V(r#"IncomingEncryptionAttributes.Dukpt."""#),
    );
    broken_members([
        (
            "two union members",
            "/OutgoingEncryptionAttributes/Asymmetric",
            json!({}),
            "OutgoingEncryptionAttributes",
        ),
        (
            "no union member",
            "/OutgoingEncryptionAttributes",
            json!({}),
            "OutgoingEncryptionAttributes",
        ),
        (
            "bad mode name",
            "/OutgoingEncryptionAttributes/Symmetric/Mode",
            json!("GCM"),
            "OutgoingEncryptionAttributes.Symmetric.Mode",
        ),
        (
            "DUKPT mode other than ECB/CBC",
            "/IncomingEncryptionAttributes/Dukpt/Mode",
            json!("OFB"),
            "IncomingEncryptionAttributes.Dukpt.Mode",
        ),
        (
            "bad identifier pattern",
            "/OutgoingKeyIdentifier",
            json!("key/nothing-like-an-arn"),
            "OutgoingKeyIdentifier",
        ),
        (
            "identifier too short",
            "/IncomingKeyIdentifier",
            json!("alias"),
            "IncomingKeyIdentifier",
        ),
        (
            "IV not hex",
            "/OutgoingEncryptionAttributes/Symmetric/InitializationVector",
            json!("000102030405060708090A0B0C0D0E0G"),
            "OutgoingEncryptionAttributes.Symmetric.InitializationVector",
        ),
        (
            "bad padding name",
            "/OutgoingEncryptionAttributes/Symmetric/PaddingType",
            json!("OAEP_MD5"),
            "OutgoingEncryptionAttributes.Symmetric.PaddingType",
        ),
    ]);
    check(
        "not JSON object",
        EncryptData,
        json!(["KeyIdentifier"]),
        V("$"),
    );
}

#[test]
fn symmetric_rules() {
    use Expect::Validation as V;
    broken_members([
        (
            "IV with ECB",
            "/OutgoingEncryptionAttributes/Symmetric/Mode",
            json!("ECB"),
            "OutgoingEncryptionAttributes.Symmetric.InitializationVector",
        ),
        (
            "IV of the wrong size for the key",
            "/OutgoingEncryptionAttributes/Symmetric/InitializationVector",
            json!("0001020304050607"),
            "OutgoingEncryptionAttributes.Symmetric.InitializationVector",
        ),
        (
            "IV of the wrong size for the DUKPT working key",
            "/IncomingEncryptionAttributes/Dukpt/InitializationVector",
            json!("000102030405060708090A0B0C0D0E0F"),
            "IncomingEncryptionAttributes.Dukpt.InitializationVector",
        ),
    ]);
    check(
        "CFB128 with TDES",
        EncryptData,
        json!({"KeyIdentifier": "alias/tdes", "PlainText": "0102030405060708",
               "EncryptionAttributes": {"Symmetric": {"Mode": "CFB128"}}}),
        V("EncryptionAttributes.Symmetric.Mode"),
    );
    broken_members([
        (
            "incoming length not a block multiple",
            "/CipherText",
            json!("FC0D53B7EA1FDA9EE6"),
            "CipherText",
        ),
        (
            "outgoing length not a block multiple (24 TDES bytes into AES)",
            "/CipherText",
            json!("FC0D53B7EA1FDA9EE68AAF2E70D9B9506229BE2AA993F04F"),
            "CipherText",
        ),
    ]);
    check(
        "EncryptData plaintext not a block multiple",
        EncryptData,
        json!({"KeyIdentifier": "alias/tdes", "PlainText": "01020304",
               "EncryptionAttributes": {"Symmetric": {"Mode": "CBC"}}}),
        V("PlainText"),
    );
    check(
        "EncryptData plaintext too long",
        EncryptData,
        json!({"KeyIdentifier": "alias/tdes", "PlainText": "00".repeat(2049),
               "EncryptionAttributes": {"Symmetric": {"Mode": "CBC"}}}),
        V("PlainText"),
    );
}

#[test]
fn dukpt_rules() {
    use Expect::Validation as V;
    broken_members([
        (
            "KSN of the AES length for a TDES BDK",
            "/IncomingEncryptionAttributes/Dukpt/KeySerialNumber",
            json!("123456789012345600000001"),
            "IncomingEncryptionAttributes.Dukpt.KeySerialNumber",
        ),
        (
            "KSN of the TDES length for an AES BDK",
            "/IncomingKeyIdentifier",
            json!("alias/aes-bdk"),
            "IncomingEncryptionAttributes.Dukpt.KeySerialNumber",
        ),
        (
            "KSN of no defined length",
            "/IncomingEncryptionAttributes/Dukpt/KeySerialNumber",
            json!("FFFF9876543210E000"),
            "IncomingEncryptionAttributes.Dukpt.KeySerialNumber",
        ),
        (
            "zero counter",
            "/IncomingEncryptionAttributes/Dukpt/KeySerialNumber",
            json!("FFFF9876543210E00000"),
            "IncomingEncryptionAttributes.Dukpt.KeySerialNumber",
        ),
    ]);
    check(
        "derivation type stronger than the BDK",
        EncryptData,
        json!({"KeyIdentifier": "alias/aes-bdk", "PlainText": "00112233445566778899AABBCCDDEEFF",
               "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": "123456789012345600000001",
                   "DukptKeyDerivationType": "AES_256"}}}),
        V("EncryptionAttributes.Dukpt.DukptKeyDerivationType"),
    );
    broken_members([
        (
            "AES derivation type with a TDES BDK",
            "/IncomingEncryptionAttributes/Dukpt/DukptKeyDerivationType",
            json!("AES_128"),
            "IncomingEncryptionAttributes.Dukpt.DukptKeyDerivationType",
        ),
        (
            "bad variant name",
            "/IncomingEncryptionAttributes/Dukpt/DukptKeyVariant",
            json!("BOTH"),
            "IncomingEncryptionAttributes.Dukpt.DukptKeyVariant",
        ),
    ]);
}

#[test]
fn key_rules() {
    use Expect::{AccessDenied, NotFound};
    let g = good;
    broken_members([
        (
            "wrong key usage (PIN key as data key)",
            "/OutgoingKeyIdentifier",
            json!(arn("pinkey000000000001")),
            "OutgoingKeyIdentifier",
        ),
        (
            "data key used as BDK",
            "/IncomingKeyIdentifier",
            json!("alias/tdes"),
            "IncomingKeyIdentifier",
        ),
        (
            "BDK used as data key",
            "/OutgoingKeyIdentifier",
            json!("alias/aes-bdk"),
            "OutgoingKeyIdentifier",
        ),
        (
            "Asymmetric attributes on a symmetric key",
            "/OutgoingEncryptionAttributes",
            json!({"Asymmetric": {"PaddingType": "OAEP_SHA256"}}),
            "OutgoingKeyIdentifier",
        ),
    ]);
    check(
        "missing mode of use (Encrypt)",
        ReEncryptData,
        with(
            g(),
            "/OutgoingKeyIdentifier",
            json!(arn("decryptonlykey0001")),
        ),
        AccessDenied,
    );
    check(
        "missing mode of use (Decrypt)",
        DecryptData,
        json!({"KeyIdentifier": arn("encryptonlykey0001"), "CipherText": "00112233445566778899AABBCCDDEEFF",
               "DecryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
        AccessDenied,
    );
    check(
        "BDK without DeriveKey",
        EncryptData,
        json!({"KeyIdentifier": arn("bdknoderive0000001"), "PlainText": "00112233445566778899AABBCCDDEEFF",
               "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": "123456789012345600000001"}}}),
        AccessDenied,
    );
    broken_members([
        (
            "disabled key",
            "/OutgoingKeyIdentifier",
            json!(arn("disabledkey0000001")),
            "OutgoingKeyIdentifier",
        ),
        (
            "key not CREATE_COMPLETE",
            "/OutgoingKeyIdentifier",
            json!(arn("deletependingkey01")),
            "OutgoingKeyIdentifier",
        ),
    ]);
    let unknown = arn("doesnotexist000001");
    check(
        "unknown key",
        ReEncryptData,
        with(g(), "/OutgoingKeyIdentifier", json!(unknown.clone())),
        NotFound(unknown),
    );
    check(
        "unknown alias",
        ReEncryptData,
        with(g(), "/IncomingKeyIdentifier", json!("alias/nope")),
        NotFound("alias/nope".into()),
    );
    let other_account = "arn:aws:payment-cryptography:us-east-2:999999999999:alias/tdes";
    check(
        "alias ARN of another account",
        ReEncryptData,
        with(g(), "/IncomingKeyIdentifier", json!(other_account)),
        NotFound(other_account.into()),
    );
    // NoRestrictions allows both directions.
    let r = with(
        g(),
        "/OutgoingKeyIdentifier",
        json!(arn("norestrictions0001")),
    );
    assert!(call(ReEncryptData, r).is_ok());
    // The alias ARN of the right account resolves and the response carries the key ARN.
    let alias_arn = "arn:aws:payment-cryptography:us-east-2:111122223333:alias/tdes-bdk";
    let out = call(
        ReEncryptData,
        with(g(), "/IncomingKeyIdentifier", json!(alias_arn)),
    )
    .unwrap();
    assert_eq!(out["KeyArn"], arn("aes128key000000001"));
}

#[test]
fn rsa_rules() {
    use Expect::{AccessDenied, Validation as V};
    check(
        "RSA plaintext too long (OAEP-SHA512 with 2048 bits: 126 bytes)",
        EncryptData,
        json!({"KeyIdentifier": "alias/rsa/2048", "PlainText": "00".repeat(127),
               "EncryptionAttributes": {"Asymmetric": {"PaddingType": "OAEP_SHA512"}}}),
        V("PlainText"),
    );
    check(
        "re-encryption into RSA too long",
        ReEncryptData,
        json!({"IncomingKeyIdentifier": "alias/tdes", "OutgoingKeyIdentifier": "alias/rsa/2048",
               "CipherText": "00".repeat(248),
               "IncomingEncryptionAttributes": {"Symmetric": {"Mode": "CBC"}},
               "OutgoingEncryptionAttributes": {"Asymmetric": {"PaddingType": "PKCS1"}}}),
        V("CipherText"),
    );
    check(
        "raw RSA needs exactly the modulus length",
        EncryptData,
        json!({"KeyIdentifier": "alias/rsa/2048", "PlainText": "00".repeat(255),
               "EncryptionAttributes": {"Asymmetric": {}}}),
        V("PlainText"),
    );
    check(
        "public key cannot decrypt",
        DecryptData,
        json!({"KeyIdentifier": arn("rsa2048public00001"), "CipherText": "00".repeat(256),
               "DecryptionAttributes": {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}}),
        V("KeyIdentifier"),
    );
    check(
        "RSA key with symmetric attributes and no padding",
        EncryptData,
        json!({"KeyIdentifier": "alias/rsa/2048", "PlainText": "0011",
               "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
        V("KeyIdentifier"),
    );
    check(
        "bad OAEP ciphertext",
        DecryptData,
        json!({"KeyIdentifier": "alias/rsa/2048", "CipherText": "01".repeat(256),
               "DecryptionAttributes": {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}}),
        V("CipherText"),
    );
    check(
        "wrong-length RSA ciphertext",
        DecryptData,
        json!({"KeyIdentifier": "alias/rsa/2048", "CipherText": "01".repeat(255),
               "DecryptionAttributes": {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}}),
        V("CipherText"),
    );
    let _ = AccessDenied;
}

/// H1 of the security audit: raw RSA (no `PaddingType`) as the outgoing side of ReEncryptData was a
/// plaintext oracle any requester could choose. Now it needs a padding type under every policy, unless
/// the outgoing key opts in (`rsa4096public00001` does) and the incoming side is not RSA.
#[test]
fn raw_rsa_outgoing_needs_a_padding_type_or_the_keys_opt_in() {
    use Expect::Validation as V;
    let ofb_to = |outgoing: &str, attributes: Value, len: usize| {
        json!({"IncomingKeyIdentifier": arn("aes128key000000001"), "OutgoingKeyIdentifier": outgoing,
               "CipherText": "00".repeat(len),
               "IncomingEncryptionAttributes": {"Symmetric": {"Mode": "OFB"}},
               "OutgoingEncryptionAttributes": attributes})
    };
    for policy in [Policy::Documented, Policy::StrictAws] {
        for (key, len) in [
            ("alias/rsa/2048", 256),
            (arn("rsa2048public00001").as_str(), 256),
            (arn("rsa3072pair0000001").as_str(), 384),
        ] {
            check_with(
                "OFB -> raw RSA, no opt-in",
                ReEncryptData,
                ofb_to(key, json!({"Asymmetric": {}}), len),
                V("OutgoingEncryptionAttributes.Asymmetric.PaddingType"),
                policy,
            );
            check_with(
                "OFB -> RSA key with Symmetric attributes and no padding",
                ReEncryptData,
                ofb_to(key, json!({"Symmetric": {"Mode": "ECB"}}), len),
                V("OutgoingEncryptionAttributes.Symmetric.PaddingType"),
                policy,
            );
        }
        // Raw RSA -> raw RSA (Manger's oracle) is refused even into the opted-in key.
        check_with(
            "raw RSA -> raw RSA into an opted-in key",
            ReEncryptData,
            json!({"IncomingKeyIdentifier": "alias/rsa/2048",
                   "OutgoingKeyIdentifier": arn("rsa4096public00001"),
                   "CipherText": "01".repeat(256),
                   "IncomingEncryptionAttributes": {"Asymmetric": {}},
                   "OutgoingEncryptionAttributes": {"Asymmetric": {}}}),
            V("OutgoingEncryptionAttributes.Asymmetric.PaddingType"),
            policy,
        );
        check_with(
            "OAEP -> raw RSA into an opted-in key",
            ReEncryptData,
            json!({"IncomingKeyIdentifier": "alias/rsa/2048",
                   "OutgoingKeyIdentifier": arn("rsa4096public00001"),
                   "CipherText": "01".repeat(256),
                   "IncomingEncryptionAttributes": {"Asymmetric": {"PaddingType": "OAEP_SHA256"}},
                   "OutgoingEncryptionAttributes": {"Asymmetric": {}}}),
            V("OutgoingEncryptionAttributes.Asymmetric.PaddingType"),
            policy,
        );
        // The opted-in key takes raw RSA from a symmetric side, with raw RSA's documented rule: a
        // plaintext not below the modulus is refused (visibly: the reason the opt-in exists).
        let zeros = call(
            EncryptData,
            json!({"KeyIdentifier": arn("aes128key000000001"), "PlainText": "00".repeat(512),
                   "EncryptionAttributes": {"Symmetric": {"Mode": "OFB"}}}),
        )
        .unwrap();
        let mut request = ofb_to(
            arn("rsa4096public00001").as_str(),
            json!({"Asymmetric": {}}),
            0,
        );
        request["CipherText"] = zeros["CipherText"].clone();
        let out = call_with(ReEncryptData, request.clone(), policy)
            .unwrap_or_else(|e| panic!("opted-in key: {e}"));
        assert_eq!(out["CipherText"].as_str().map(str::len), Some(1024));
        // All-FF plaintext: not below the modulus, refused on the data.
        let ones = call(
            EncryptData,
            json!({"KeyIdentifier": arn("aes128key000000001"), "PlainText": "FF".repeat(512),
                   "EncryptionAttributes": {"Symmetric": {"Mode": "OFB"}}}),
        )
        .unwrap();
        request["CipherText"] = ones["CipherText"].clone();
        check_with(
            "opted-in raw RSA, plaintext not below the modulus",
            ReEncryptData,
            request,
            V("CipherText"),
            policy,
        );
    }
    // With a padding type, every RSA key serves as before.
    let with_padding = ofb_to(
        "alias/rsa/2048",
        json!({"Asymmetric": {"PaddingType": "OAEP_SHA256"}}),
        32,
    );
    assert!(call(ReEncryptData, with_padding).is_ok());
    // EncryptData with raw RSA is unchanged: its caller holds the plaintext.
    let raw_encrypt = json!({"KeyIdentifier": "alias/rsa/2048", "PlainText": "00".repeat(256),
                             "EncryptionAttributes": {"Asymmetric": {}}});
    assert!(call(EncryptData, raw_encrypt).is_ok());
}

#[test]
fn decryption_failures_are_one_error() {
    // Bad padding, wrong length and value ≥ modulus all give the same error, word for word.
    let msg = |ct: String| {
        call(
            DecryptData,
            json!({"KeyIdentifier": "alias/rsa/2048", "CipherText": ct,
                   "DecryptionAttributes": {"Asymmetric": {"PaddingType": "OAEP_SHA1"}}}),
        )
        .unwrap_err()
    };
    let a = msg("01".repeat(256));
    let b = msg("01".repeat(254));
    let c = msg("FF".repeat(256));
    assert_eq!(a, b);
    assert_eq!(b, c);
}

#[test]
fn strict_policy() {
    use Expect::Validation as V;
    let sym_to_sym = json!({"IncomingKeyIdentifier": "alias/tdes", "OutgoingKeyIdentifier": arn("aes128key000000001"),
        "CipherText": "00112233445566778899AABBCCDDEEFF",
        "IncomingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}},
        "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}});
    assert!(
        call(ReEncryptData, sym_to_sym.clone()).is_ok(),
        "documented policy allows D0 -> D0"
    );
    check_with(
        "D0 -> D0",
        ReEncryptData,
        sym_to_sym,
        V("OutgoingEncryptionAttributes"),
        Policy::StrictAws,
    );
    let bidi = with(
        good(),
        "/IncomingEncryptionAttributes/Dukpt/DukptKeyVariant",
        json!("BIDIRECTIONAL"),
    );
    assert!(call(ReEncryptData, bidi.clone()).is_ok());
    check_with(
        "BIDIRECTIONAL with a TDES BDK",
        ReEncryptData,
        bidi,
        V("IncomingEncryptionAttributes"),
        Policy::StrictAws,
    );
    let rsa_rsa = json!({"IncomingKeyIdentifier": "alias/rsa/2048", "OutgoingKeyIdentifier": arn("rsa3072pair0000001"),
        "CipherText": "01".repeat(256),
        "IncomingEncryptionAttributes": {"Asymmetric": {"PaddingType": "OAEP_SHA256"}},
        "OutgoingEncryptionAttributes": {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}});
    check_with(
        "RSA -> RSA",
        ReEncryptData,
        rsa_rsa,
        V("OutgoingEncryptionAttributes"),
        Policy::StrictAws,
    );
    assert!(
        call_with(ReEncryptData, good(), Policy::StrictAws).is_ok(),
        "DUKPT -> D0 stays allowed"
    );
}

/// Every member of the good request, replaced by arbitrary JSON, gives an answer (an AWS error or a
/// response), never a panic; an error never comes with output.
mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const POINTERS: [&str; 12] = [
        "/IncomingKeyIdentifier",
        "/OutgoingKeyIdentifier",
        "/CipherText",
        "/IncomingEncryptionAttributes",
        "/IncomingEncryptionAttributes/Dukpt",
        "/IncomingEncryptionAttributes/Dukpt/KeySerialNumber",
        "/IncomingEncryptionAttributes/Dukpt/Mode",
        "/IncomingEncryptionAttributes/Dukpt/DukptKeyVariant",
        "/IncomingEncryptionAttributes/Dukpt/DukptKeyDerivationType",
        "/OutgoingEncryptionAttributes/Symmetric",
        "/OutgoingEncryptionAttributes/Symmetric/Mode",
        "/OutgoingEncryptionAttributes/Symmetric/InitializationVector",
    ];

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[0-9A-Fa-f]{0,40}".prop_map(Value::from),
            ".{0,40}".prop_map(Value::from),
            prop::sample::select(vec![
                "ECB",
                "CBC",
                "CFB128",
                "OFB",
                "AES_256",
                "TDES_3KEY",
                "RESPONSE",
                "BIDIRECTIONAL",
                "alias/tdes",
                "alias/aes-bdk",
                "123456789012345600000001"
            ])
            .prop_map(Value::from),
        ];
        leaf.prop_recursive(2, 8, 3, |inner| {
            prop::collection::btree_map("[A-Za-z]{1,12}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
        })
    }

    proptest! {
        #[test]
        fn any_member_any_value(i in 0..POINTERS.len(), v in json_value()) {
            let request = with(good(), POINTERS[i], v);
            match call(ReEncryptData, request) {
                Ok(out) => prop_assert!(out["CipherText"].is_string()),
                Err(e) => prop_assert!(!e.name().is_empty()),
            }
        }

        #[test]
        fn any_text(text in ".{0,200}") {
            for op in [ReEncryptData, EncryptData, DecryptData] {
                let r = paycrypt::wire::handle(
                    crate::fixtures::store(), op, &text, &mut crate::testrng::TestRng::new(1), Policy::Documented);
                let object = text.trim_start().starts_with('{');
                prop_assert!(r.is_err() || object, "{}", text);
            }
        }
    }
}

/// L6: `Debug` of every type that holds plaintext prints its length, never its bytes (hand-written, not
/// left to `zeroize`'s `Zeroizing`, whose `Debug` printed the contents before 1.9).
#[test]
fn debug_never_prints_data() {
    use paycrypt::wire::{Json, Request};
    let plaintext = "A5A5A5A5C3C3C3C35A5A5A5A3C3C3C3C";
    let request = Request::from_json(
        EncryptData,
        &json!({"KeyIdentifier": arn("aes128key000000001"), "PlainText": plaintext,
                "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}})
        .to_string(),
    )
    .unwrap();
    let shown = format!("{request:?}");
    assert!(shown.contains("plaintext_len: 16"), "{shown}");
    let response = paycrypt::wire::handle(
        crate::fixtures::store(),
        DecryptData,
        &json!({"KeyIdentifier": arn("aes128key000000001"),
                "CipherText": call(EncryptData, json!({"KeyIdentifier": arn("aes128key000000001"),
                    "PlainText": plaintext, "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}))
                    .unwrap()["CipherText"],
                "DecryptionAttributes": {"Symmetric": {"Mode": "ECB"}}})
        .to_string(),
        &mut crate::testrng::TestRng::new(1),
        Policy::Documented,
    )
    .unwrap();
    assert_eq!(response["PlainText"], plaintext);
    let key =
        paycrypt::KeyStore::lookup(crate::fixtures::store(), &arn("aes128key000000001")).unwrap();
    let decrypted = paycrypt::decrypt(
        &paycrypt::KeyUse::new(
            key,
            paycrypt::EncryptionAttributes::symmetric(paycrypt::Mode::Ecb, None),
        ),
        &[0u8; 16],
        &mut crate::testrng::TestRng::new(1),
    )
    .unwrap();
    for shown in [
        format!("{request:?}"),
        format!("{response:?}"),
        format!("{:?}", Json::from(json!({"PlainText": plaintext}))),
        format!("{decrypted:?}"),
    ] {
        assert!(
            !shown.contains("A5A5") && !shown.contains("165, 165"),
            "{shown}"
        );
        assert!(!shown.to_lowercase().contains("a5a5"), "{shown}");
    }
    assert!(format!("{decrypted:?}").contains("plaintext_len: 16"));
}
