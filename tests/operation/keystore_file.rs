//! Key-store documents: every way to get one wrong gives an error naming the key and the member.

use paycrypt::{KeyState, MemoryKeyStore};
use serde_json::{Value, json};

const ARN: &str = "arn:aws:payment-cryptography:us-east-2:111122223333:key/abcdefabcdef0001";

fn doc(key: Value) -> String {
    json!({"Keys": [key]}).to_string()
}

fn tdes() -> Value {
    json!({"KeyArn": ARN,
           "KeyAttributes": {"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyClass": "SYMMETRIC_KEY",
                             "KeyAlgorithm": "TDES_2KEY", "KeyModesOfUse": {"Encrypt": true}},
           "KeyMaterial": "0123456789ABCDEFFEDCBA9876543210"})
}

fn set(mut v: Value, pointer: &str, new: Value) -> Value {
    let (parent, member) = pointer.rsplit_once('/').unwrap();
    v.pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert(member.into(), new);
    v
}

fn fails(name: &str, text: &str, key: Option<&str>, path: &str) {
    let e = MemoryKeyStore::from_json(text).expect_err(name);
    assert_eq!(e.key.as_deref(), key, "{name}: {e}");
    assert_eq!(e.path, path, "{name}: {e}");
    let shown = e.to_string();
    if let Some(k) = key {
        assert!(shown.contains(k), "{name}: {shown}");
    }
    // No key material in any message.
    assert!(!shown.contains("0123456789ABCDEF"), "{name}: {shown}");
}

#[test]
fn a_good_document_loads_with_computed_kcv() {
    let store =
        MemoryKeyStore::from_json(&doc(set(tdes(), "/KeyCheckValue", json!("08d7b4")))).unwrap();
    let key = store.keys().next().unwrap();
    assert_eq!(key.kcv().to_string(), "08D7B4");
    assert!(key.is_usable());
    let store =
        MemoryKeyStore::from_json(&doc(set(tdes(), "/KeyState", json!("DELETE_PENDING")))).unwrap();
    assert_eq!(
        store.keys().next().unwrap().state(),
        KeyState::DeletePending
    );
    // The empty document is an empty store.
    assert!(MemoryKeyStore::from_json("{}").unwrap().is_empty());
}

#[test]
fn bad_documents_name_the_key_and_member() {
    let k = Some(ARN);
    fails("not JSON", "{", None, "$");
    fails("unknown top-level member", r#"{"Keyz": []}"#, None, "Keyz");
    // Found by the `keystore` fuzz target: a member named "" gave an empty path.
    fails(
        "member with an empty name",
        r#"{"Keys": [], "": []}"#,
        None,
        r#""""#,
    );
    fails(
        "key member with an empty name",
        &doc(set(tdes(), "/", json!(1))),
        None,
        r#"Keys[0]."""#,
    );
    fails(
        "bad ARN",
        &doc(set(tdes(), "/KeyArn", json!("arn:aws:kms:x"))),
        None,
        "Keys[0].KeyArn",
    );
    fails(
        "bad hex",
        &doc(set(
            tdes(),
            "/KeyMaterial",
            json!("XY23456789ABCDEFFEDCBA9876543210"),
        )),
        k,
        "Keys[0].KeyMaterial",
    );
    fails(
        "short material",
        &doc(set(tdes(), "/KeyMaterial", json!("0123456789ABCDEF"))),
        k,
        "Keys[0].KeyMaterial",
    );
    fails(
        "weak TDES",
        &doc(set(
            tdes(),
            "/KeyMaterial",
            json!("0123456789ABCDEF0123456789ABCDEF"),
        )),
        k,
        "Keys[0].KeyMaterial",
    );
    fails(
        "wrong KCV",
        &doc(set(tdes(), "/KeyCheckValue", json!("000000"))),
        k,
        "Keys[0].KeyCheckValue",
    );
    fails(
        "class",
        &doc(set(tdes(), "/KeyAttributes/KeyClass", json!("PUBLIC_KEY"))),
        k,
        "Keys[0].KeyAttributes",
    );
    fails(
        "usage name",
        &doc(set(tdes(), "/KeyAttributes/KeyUsage", json!("TR31_X9"))),
        k,
        "Keys[0].KeyAttributes.KeyUsage",
    );
    fails(
        "mode of use name",
        &doc(set(
            tdes(),
            "/KeyAttributes/KeyModesOfUse/Explode",
            json!(true),
        )),
        k,
        "Keys[0].KeyAttributes.KeyModesOfUse.Explode",
    );
    fails(
        "mode of use type",
        &doc(set(
            tdes(),
            "/KeyAttributes/KeyModesOfUse/Encrypt",
            json!("yes"),
        )),
        k,
        "Keys[0].KeyAttributes.KeyModesOfUse.Encrypt",
    );
    fails(
        "KCV algorithm",
        &doc(set(tdes(), "/KeyCheckValueAlgorithm", json!("SHA_1"))),
        k,
        "Keys[0].KeyCheckValueAlgorithm",
    );
    fails(
        "state",
        &doc(set(tdes(), "/KeyState", json!("GONE"))),
        k,
        "Keys[0].KeyState",
    );
    fails(
        "unknown key member",
        &doc(set(tdes(), "/Secret", json!(1))),
        None,
        "Keys[0].Secret",
    );
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rsa3072.pem"
    ))
    .unwrap();
    let rsa = json!({"KeyArn": ARN,
        "KeyAttributes": {"KeyUsage": "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "KeyClass": "ASYMMETRIC_KEY_PAIR",
                          "KeyAlgorithm": "RSA_2048", "KeyModesOfUse": {"Decrypt": true}},
        "KeyMaterial": pem});
    fails(
        "RSA size differs from KeyAlgorithm",
        &doc(rsa.clone()),
        k,
        "Keys[0].KeyMaterial",
    );
    fails(
        "RSA garbage",
        &doc(set(
            rsa,
            "/KeyMaterial",
            json!("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
        )),
        k,
        "Keys[0].KeyMaterial",
    );
    let two = json!({"Keys": [tdes(), tdes()]}).to_string();
    fails("duplicate ARN", &two, k, "Keys[1].KeyArn");
    let alias = json!({"Keys": [tdes()], "Aliases": [{"AliasName": "alias/x",
        "KeyArn": "arn:aws:payment-cryptography:us-east-2:111122223333:key/abcdefabcdef0002"}]})
    .to_string();
    fails(
        "alias to a missing key",
        &alias,
        Some("arn:aws:payment-cryptography:us-east-2:111122223333:key/abcdefabcdef0002"),
        "Aliases[0].AliasName",
    );
    let alias =
        json!({"Keys": [tdes()], "Aliases": [{"AliasName": "x", "KeyArn": ARN}]}).to_string();
    fails("alias name shape", &alias, k, "Aliases[0].AliasName");
    // Found while writing the `keystore` fuzz target's oracle: a second alias of the same name silently
    // replaced the first, so `alias/x` resolved to whichever key came last.
    let mut other = tdes();
    other["KeyArn"] =
        json!("arn:aws:payment-cryptography:us-east-2:111122223333:key/abcdefabcdef0002");
    other["KeyMaterial"] = json!("FEDCBA98765432100123456789ABCDEF");
    let alias = json!({"Keys": [tdes(), other], "Aliases": [
        {"AliasName": "alias/x", "KeyArn": ARN},
        {"AliasName": "alias/x", "KeyArn": "arn:aws:payment-cryptography:us-east-2:111122223333:key/abcdefabcdef0002"}]})
    .to_string();
    fails(
        "duplicate alias name",
        &alias,
        Some("arn:aws:payment-cryptography:us-east-2:111122223333:key/abcdefabcdef0002"),
        "Aliases[1].AliasName",
    );
}

/// H1's opt-in: `PaycryptAllowRawRsaOutgoing` (paycrypt's own member) applies to RSA keys only, is off
/// by default, and must be a boolean.
#[test]
fn raw_rsa_opt_in_is_for_rsa_keys_only() {
    fails(
        "opt-in on a TDES key",
        &doc(set(tdes(), "/PaycryptAllowRawRsaOutgoing", json!(true))),
        Some(ARN),
        "Keys[0].PaycryptAllowRawRsaOutgoing",
    );
    fails(
        "opt-in not a boolean",
        &doc(set(tdes(), "/PaycryptAllowRawRsaOutgoing", json!("yes"))),
        Some(ARN),
        "Keys[0].PaycryptAllowRawRsaOutgoing",
    );
    // `false` is accepted on any key (it is the default).
    let store = MemoryKeyStore::from_json(&doc(set(
        tdes(),
        "/PaycryptAllowRawRsaOutgoing",
        json!(false),
    )))
    .unwrap();
    assert!(!store.keys().next().unwrap().allows_raw_rsa_outgoing());
    let fixture = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keystore.json"
    ))
    .unwrap();
    let store = MemoryKeyStore::from_json(&fixture).unwrap();
    let opted: Vec<&str> = store
        .keys()
        .filter(|k| k.allows_raw_rsa_outgoing())
        .map(|k| k.arn().as_str())
        .collect();
    assert_eq!(
        opted,
        ["arn:aws:payment-cryptography:us-east-2:111122223333:key/rsa4096public00001"]
    );
}
