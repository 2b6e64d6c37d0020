//! The worked cases of DECISIONS.md §7, end to end through the JSON layer.

use paycrypt::wire::Operation::{DecryptData, EncryptData, ReEncryptData};
use paycrypt::{Mode, SymmetricAlgorithm, SymmetricKey, symmetric};
use serde_json::json;

use crate::fixtures::{arn, call, ok};

#[test]
fn tdes_symmetric_ecb_live_service_value() {
    let out = ok(
        EncryptData,
        json!({"KeyIdentifier": "alias/tdes", "PlainText": "0102030405060708",
               "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
    );
    assert_eq!(
        out,
        json!({"CipherText": "B064B6C2571C65D5", "KeyArn": arn("tdes2key0000000001"),
               "KeyCheckValue": "9295B5"})
    );
    // And back, with lower-case hex in.
    let back = ok(
        DecryptData,
        json!({"KeyIdentifier": arn("tdes2key0000000001"), "CipherText": "b064b6c2571c65d5",
               "DecryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
    );
    assert_eq!(back["PlainText"], "0102030405060708");
    assert_eq!(back["KeyCheckValue"], "9295B5");
}

#[test]
fn dukpt_to_symmetric_live_service_reencryption() {
    let request = json!({
        "IncomingKeyIdentifier": "alias/tdes-bdk",
        "OutgoingKeyIdentifier": "alias/tdes",
        "CipherText": "124F7A32F3F84187",
        "IncomingEncryptionAttributes": {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "ECB"}},
        "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}
    });
    let out = ok(ReEncryptData, request.clone());
    assert_eq!(
        out,
        json!({"CipherText": "B064B6C2571C65D5", "KeyArn": arn("tdes2key0000000001"),
               "KeyCheckValue": "9295B5"})
    );
    // Tampered: another counter gives another key, so another result.
    let mut t = request;
    t["IncomingEncryptionAttributes"]["Dukpt"]["KeySerialNumber"] = json!("FFFF9876543210E00002");
    assert_ne!(ok(ReEncryptData, t)["CipherText"], "B064B6C2571C65D5");
}

#[test]
fn dukpt_outgoing_returns_the_bdk_kcv() {
    let out = ok(
        EncryptData,
        json!({"KeyIdentifier": "alias/tdes-bdk", "PlainText": "0102030405060708",
               "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "ECB"}}}),
    );
    assert_eq!(out["CipherText"], "124F7A32F3F84187");
    assert_eq!(out["KeyCheckValue"], "08D7B4");
    assert_eq!(out["KeyArn"], arn("tdesbdk00000000001"));
}

/// Encrypt one block with DUKPT through the JSON layer and compare with ECB under the published working key.
fn check_working_key(
    key_id: &str,
    ksn: &str,
    variant: &str,
    derivation: &str,
    working_key: &str,
    alg: SymmetricAlgorithm,
) {
    let block = &"00112233445566778899AABBCCDDEEFF"[..alg.block_size() * 2];
    let out = ok(
        EncryptData,
        json!({"KeyIdentifier": key_id, "PlainText": block,
               "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": ksn, "Mode": "ECB",
                   "DukptKeyVariant": variant, "DukptKeyDerivationType": derivation}}}),
    );
    let key = SymmetricKey::from_hex(alg, working_key).unwrap();
    let mut expected = paycrypt::hex::decode(block, &mut [0u8; 16])
        .unwrap()
        .to_vec();
    symmetric::encrypt(&key, Mode::Ecb, None, &mut expected).unwrap();
    let mut hexbuf = [0u8; 32];
    let expected = paycrypt::hex::encode_upper(&expected, &mut hexbuf).unwrap();
    assert_eq!(out["CipherText"], expected, "{variant} {derivation}");
}

#[test]
fn aes_dukpt_usages_and_tdes_working_key() {
    let bdk = arn("aes128bdk000000001");
    let ksn = "123456789012345600000001";
    let aes = SymmetricAlgorithm::Aes128;
    check_working_key(
        &bdk,
        ksn,
        "REQUEST",
        "AES_128",
        "A35C412EFD41FDB98B69797C02DCD08F",
        aes,
    );
    check_working_key(
        &bdk,
        ksn,
        "RESPONSE",
        "AES_128",
        "16292C6EA8F64C5420A0584BFBC577BE",
        aes,
    );
    check_working_key(
        &bdk,
        ksn,
        "BIDIRECTIONAL",
        "AES_128",
        "A308E080DD15A1B741F1721BF67DE11C",
        aes,
    );
    check_working_key(
        &bdk,
        ksn,
        "BIDIRECTIONAL",
        "TDES_2KEY",
        "4473F9D031694D7E58D9D4F87F83072D",
        SymmetricAlgorithm::Tdes2Key,
    );
}

#[test]
fn aws_sample_bdk_request_data_key() {
    check_working_key(
        &arn("awssamplebdk000001"),
        "FFFF9876543210E00001",
        "REQUEST",
        "TDES_2KEY",
        "493DE7639B8644BF9DB9C836E89A1E1C",
        SymmetricAlgorithm::Tdes2Key,
    );
}

#[test]
fn absent_dukpt_members_take_their_defaults() {
    // Mode absent = CBC with zero IV; variant absent = BIDIRECTIONAL (= REQUEST for TDES).
    let base = json!({"KeyIdentifier": "alias/tdes-bdk", "PlainText": "0102030405060708090A0B0C0D0E0F10",
        "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00003"}}});
    let explicit = json!({"KeyIdentifier": "alias/tdes-bdk", "PlainText": "0102030405060708090A0B0C0D0E0F10",
        "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00003", "Mode": "CBC",
            "DukptKeyVariant": "REQUEST", "DukptKeyDerivationType": "TDES_2KEY",
            "InitializationVector": "0000000000000000"}}});
    assert_eq!(
        ok(EncryptData, base)["CipherText"],
        ok(EncryptData, explicit)["CipherText"]
    );
    // A 16-hex KSN is right-justified and FF-padded.
    let short = json!({"KeyIdentifier": "alias/tdes-bdk", "PlainText": "0102030405060708",
        "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": "9876543210E00001", "Mode": "ECB"}}});
    assert_eq!(ok(EncryptData, short)["CipherText"], "124F7A32F3F84187");
    assert!(call(
        EncryptData,
        json!({"KeyIdentifier": "alias/tdes-bdk", "PlainText": "0102030405060708",
            "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": "9876543210E00002", "Mode": "ECB"}}})
    )
    .is_ok_and(|o| o["CipherText"] != "124F7A32F3F84187"));
}
