//! `Request::from_rest_json`: the path's identifier joins the body's members and goes through the same
//! checks; the result is the same request as the whole-body form.

use paycrypt::Policy;
use paycrypt::wire::Operation::{self, DecryptData, EncryptData, ReEncryptData};
use paycrypt::wire::{Request, ServiceError};
use serde_json::{Value, json};

use crate::fixtures::{arn, store};
use crate::testrng::TestRng;

fn run(op: Operation, path_id: &str, body: &str) -> Result<Value, ServiceError> {
    Request::from_rest_json(op, path_id, body)?
        .execute(store(), &mut TestRng::new(7), Policy::Documented)
        .map(paycrypt::wire::Json::into_value)
}

fn field_path(e: &ServiceError) -> &str {
    match e {
        ServiceError::Validation { field_list, .. } => field_list[0].path.as_str(),
        other => panic!("not a validation error: {other}"),
    }
}

#[test]
fn path_member_per_operation() {
    assert_eq!(ReEncryptData.path_member(), "IncomingKeyIdentifier");
    assert_eq!(EncryptData.path_member(), "KeyIdentifier");
    assert_eq!(DecryptData.path_member(), "KeyIdentifier");
}

#[test]
fn same_answer_as_the_whole_body_form() {
    let out = run(
        EncryptData,
        "alias/tdes",
        r#"{"PlainText": "0102030405060708", "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}"#,
    )
    .unwrap();
    assert_eq!(out["CipherText"], "B064B6C2571C65D5");
    assert_eq!(out["KeyArn"], arn("tdes2key0000000001"));
    let out = run(
        ReEncryptData,
        &arn("tdesbdk00000000001"),
        r#"{"OutgoingKeyIdentifier": "alias/tdes", "CipherText": "124F7A32F3F84187",
            "IncomingEncryptionAttributes": {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "ECB"}},
            "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}"#,
    );
    let whole = Request::from_json(
        ReEncryptData,
        &json!({"IncomingKeyIdentifier": arn("tdesbdk00000000001"), "OutgoingKeyIdentifier": "alias/tdes",
            "CipherText": "124F7A32F3F84187",
            "IncomingEncryptionAttributes": {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "ECB"}},
            "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}})
        .to_string(),
    )
    .unwrap()
    .execute(store(), &mut TestRng::new(7), Policy::Documented)
    .map(paycrypt::wire::Json::into_value);
    assert_eq!(out.as_ref().unwrap()["CipherText"], "B064B6C2571C65D5");
    assert_eq!(out, whole);
}

#[test]
fn path_identifier_is_checked_as_the_member() {
    let e = run(
        DecryptData,
        "not-an-arn!",
        r#"{"CipherText": "00", "DecryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}"#,
    )
    .unwrap_err();
    assert_eq!(field_path(&e), "KeyIdentifier");
    let e = run(
        ReEncryptData,
        "alias/x",
        r#"{"OutgoingKeyIdentifier": "alias/tdes", "CipherText": "00",
            "IncomingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}},
            "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}"#,
    )
    .unwrap_err();
    assert!(
        matches!(e, ServiceError::ResourceNotFound { ref resource_id } if resource_id == "alias/x")
    );
}

#[test]
fn the_path_member_in_the_body_is_refused() {
    let e = run(
        EncryptData,
        "alias/tdes",
        r#"{"KeyIdentifier": "alias/tdes", "PlainText": "00", "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}"#,
    )
    .unwrap_err();
    assert_eq!(field_path(&e), "KeyIdentifier");
}

#[test]
fn body_must_be_an_object_and_empty_is_empty() {
    for body in ["[]", "\"x\"", "1"] {
        let e = run(EncryptData, "alias/tdes", body).unwrap_err();
        assert_eq!(field_path(&e), "$", "{body}");
    }
    // An empty body is `{}`: the first missing member is named.
    let e = run(EncryptData, "alias/tdes", "").unwrap_err();
    assert_eq!(field_path(&e), "EncryptionAttributes");
    let e = run(EncryptData, "alias/tdes", "{").unwrap_err();
    assert!(
        matches!(e, ServiceError::Validation { ref field_list, .. } if field_list.is_empty()),
        "{e}"
    );
}
