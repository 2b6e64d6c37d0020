//! The AWS SDK for Rust's control-plane client (`aws-sdk-paymentcryptography`) and data-plane client
//! against the real `paycrypt-server` binary on a durable state (a temporary directory): a key created
//! and used, a known clear key imported with `GetParametersForImport` + `KeyCryptogram` (RSA-OAEP
//! done here with the `rsa` crate), exported as a TR-31 block and imported back, aliases, pagination,
//! the lifecycle seen by the data plane, the typed errors, and a restart after SIGKILL on the same
//! state.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/clients.rs"]
mod clients;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use aws_sdk_paymentcryptography::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_paymentcryptography::operation::create_alias::CreateAliasError;
use aws_sdk_paymentcryptography::operation::get_key::GetKeyError;
use aws_sdk_paymentcryptography::types::{
    ExportKeyMaterial, ExportTr31KeyBlock, ImportKeyCryptogram, ImportKeyMaterial,
    ImportTr31KeyBlock, ImportTr34KeyBlock, KeyAlgorithm, KeyAttributes, KeyClass, KeyMaterialType,
    KeyModesOfUse, KeyState, KeyUsage, Tag, Tr34KeyBlockFormat, WrappingKeySpec,
};
use aws_sdk_paymentcryptographydata::types::{
    EncryptionDecryptionAttributes, EncryptionMode, SymmetricEncryptionAttributes,
};
use rsa::pkcs8::DecodePublicKey;
use x509_cert::der::{DecodePem, Encode};

const REGION: &str = "us-east-2";
const PLAIN: &str = "34313131313131313131313131313131";
/// A known AES-128 key, its CMAC check value and its AES-ECB encryption of `PLAIN` (pycryptodome).
const AES_KEY: &str = "00112233445566778899AABBCCDDEEFF";
const AES_KCV: &str = "53E107";
const AES_ECB_OF_PLAIN: &str = "72F855988E23B320F1B921622AF0F1C2";
/// A known AES-256 key-encryption key.
const KEK: &str = "8899AABBCCDDEEFF00112233445566770123456789ABCDEFFEDCBA9876543210";

/// A `paycrypt-server` child process on a free port, its state in `dir`.
struct Running {
    child: Child,
    endpoint: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &std::path::Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paycrypt-server"))
        .args(["--listen", "127.0.0.1:0", "--state"])
        .arg(dir.join("state.redb"))
        .arg("--state-key-file")
        .arg(dir.join("state.key"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .trim()
        .strip_prefix("paycrypt-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    Running { child, endpoint }
}

fn temp_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "paycrypt-sdk-control-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn control(endpoint: &str) -> aws_sdk_paymentcryptography::Client {
    clients::control(endpoint, REGION)
}

fn data(endpoint: &str) -> aws_sdk_paymentcryptographydata::Client {
    clients::data(endpoint, REGION)
}

fn attributes(usage: KeyUsage, algorithm: KeyAlgorithm) -> KeyAttributes {
    KeyAttributes::builder()
        .key_usage(usage)
        .key_class(KeyClass::SymmetricKey)
        .key_algorithm(algorithm)
        .key_modes_of_use(
            KeyModesOfUse::builder()
                .encrypt(true)
                .decrypt(true)
                .wrap(true)
                .unwrap(true)
                .build(),
        )
        .build()
        .unwrap()
}

fn d0_aes128() -> KeyAttributes {
    attributes(
        KeyUsage::Tr31D0SymmetricDataEncryptionKey,
        KeyAlgorithm::Aes128,
    )
}

fn ecb() -> EncryptionDecryptionAttributes {
    EncryptionDecryptionAttributes::Symmetric(
        SymmetricEncryptionAttributes::builder()
            .mode(EncryptionMode::Ecb)
            .build()
            .unwrap(),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Put `material` in as against AWS: the service's wrapping certificate, RSA-OAEP SHA-256 here.
async fn import_clear(
    cp: &aws_sdk_paymentcryptography::Client,
    material: &str,
    attributes: KeyAttributes,
) -> aws_sdk_paymentcryptography::types::Key {
    let p = cp
        .get_parameters_for_import()
        .key_material_type(KeyMaterialType::KeyCryptogram)
        .wrapping_key_algorithm(KeyAlgorithm::Rsa2048)
        .send()
        .await
        .unwrap();
    let pem = base64_decode(p.wrapping_key_certificate());
    let cert = x509_cert::Certificate::from_pem(&pem).unwrap();
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    let public = rsa::PublicKey::from_public_key_der(&spki).unwrap();
    let mut rng = rsa::rand_core::UnwrapErr(paycrypt_server::engine::OsRng);
    let wrapped = public
        .encrypt(&mut rng, rsa::Oaep::<sha2::Sha256>::new(), &unhex(material))
        .unwrap();
    cp.import_key()
        .key_material(ImportKeyMaterial::KeyCryptogram(
            ImportKeyCryptogram::builder()
                .key_attributes(attributes)
                .exportable(true)
                .import_token(p.import_token())
                .wrapped_key_cryptogram(hex(&wrapped))
                .wrapping_spec(WrappingKeySpec::RsaOaepSha256)
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .unwrap()
        .key()
        .unwrap()
        .clone()
}

fn base64_decode(s: &str) -> Vec<u8> {
    <base64ct::Base64 as base64ct::Encoding>::decode_vec(s).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_plane_flows_and_a_restart() {
    let dir = temp_dir();
    let server = start(&dir);
    let cp = control(&server.endpoint);
    let dp = data(&server.endpoint);

    // A known clear key and a KEK, imported by key cryptogram.
    let aes = import_clear(&cp, AES_KEY, d0_aes128()).await;
    assert_eq!(aes.key_check_value(), AES_KCV);
    assert_eq!(aes.key_origin().as_str(), "EXTERNAL");
    let out = dp
        .encrypt_data()
        .key_identifier(aes.key_arn())
        .plain_text(PLAIN)
        .encryption_attributes(ecb())
        .send()
        .await
        .unwrap();
    assert_eq!(out.cipher_text(), AES_ECB_OF_PLAIN);
    let kek = import_clear(
        &cp,
        KEK,
        attributes(KeyUsage::Tr31K0KeyEncryptionKey, KeyAlgorithm::Aes256),
    )
    .await;

    // A created key: used on the data plane, exported under the KEK, imported back.
    let created = cp
        .create_key()
        .key_attributes(d0_aes128())
        .exportable(true)
        .tags(Tag::builder().key("team").value("sdk").build().unwrap())
        .send()
        .await
        .unwrap()
        .key()
        .unwrap()
        .clone();
    assert_eq!(created.key_state(), &KeyState::CreateComplete);
    let first = dp
        .encrypt_data()
        .key_identifier(created.key_arn())
        .plain_text(PLAIN)
        .encryption_attributes(ecb())
        .send()
        .await
        .unwrap();
    assert_eq!(first.key_check_value(), Some(created.key_check_value()));
    let wrapped = cp
        .export_key()
        .export_key_identifier(created.key_arn())
        .key_material(ExportKeyMaterial::Tr31KeyBlock(
            ExportTr31KeyBlock::builder()
                .wrapping_key_identifier(kek.key_arn())
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .unwrap();
    let block = wrapped.wrapped_key().unwrap();
    assert_eq!(block.key_check_value(), Some(created.key_check_value()));
    assert!(block.key_material().starts_with('D'));
    let again = cp
        .import_key()
        .key_material(ImportKeyMaterial::Tr31KeyBlock(
            ImportTr31KeyBlock::builder()
                .wrapping_key_identifier(kek.key_arn())
                .wrapped_key_block(block.key_material())
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.key().unwrap().key_check_value(),
        created.key_check_value()
    );

    // Aliases and their typed conflict.
    cp.create_alias()
        .alias_name("alias/sdk-key")
        .key_arn(created.key_arn())
        .send()
        .await
        .unwrap();
    let err = cp
        .create_alias()
        .alias_name("alias/sdk-key")
        .key_arn(aes.key_arn())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        SdkError::ServiceError(ref e) if matches!(e.err(), CreateAliasError::ConflictException(_))
    ));
    let by_alias = cp
        .get_key()
        .key_identifier("alias/sdk-key")
        .send()
        .await
        .unwrap();
    assert_eq!(by_alias.key().unwrap().key_arn(), created.key_arn());
    let err = cp
        .get_key()
        .key_identifier("alias/none")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        SdkError::ServiceError(ref e) if matches!(e.err(), GetKeyError::ResourceNotFoundException(_))
    ));

    // Pagination: 25 more keys, pages of 10.
    for _ in 0..25 {
        cp.create_key()
            .key_attributes(d0_aes128())
            .exportable(false)
            .send()
            .await
            .unwrap();
    }
    let pages: Vec<_> = cp
        .list_keys()
        .max_results(10)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let arns: Vec<&str> = pages
        .iter()
        .flat_map(|p| p.keys().iter().map(|k| k.key_arn()))
        .collect();
    assert_eq!(arns.len(), 29); // aes, kek, created, the re-import, 25
    assert_eq!(pages.len(), 3);
    let mut sorted = arns.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, arns);

    // The lifecycle as the data plane sees it.
    let deleted = cp
        .delete_key()
        .key_identifier("alias/sdk-key")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.key().unwrap().key_state(), &KeyState::DeletePending);
    let refused = dp
        .encrypt_data()
        .key_identifier("alias/sdk-key")
        .plain_text(PLAIN)
        .encryption_attributes(ecb())
        .send()
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("ValidationException"));
    cp.restore_key()
        .key_identifier(created.key_arn())
        .send()
        .await
        .unwrap();
    cp.start_key_usage()
        .key_identifier(created.key_arn())
        .send()
        .await
        .unwrap();

    // What this emulator refuses: TR-34 by name, operations it lacks with 501.
    let err = cp
        .import_key()
        .key_material(ImportKeyMaterial::Tr34KeyBlock(
            ImportTr34KeyBlock::builder()
                .certificate_authority_public_key_identifier(kek.key_arn())
                .signing_key_certificate("AAAA")
                .import_token("import-token-aaaaaaaaaaaaaaaaaaaaaaaa")
                .wrapped_key_block("00".repeat(32))
                .key_block_format(Tr34KeyBlockFormat::X9Tr342012)
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationException"));
    assert!(
        err.message()
            .unwrap_or_default()
            .contains("not supported by this emulator")
    );
    let err = cp
        .get_parameters_for_export()
        .key_material_type(KeyMaterialType::Tr34KeyBlock)
        .signing_key_algorithm(KeyAlgorithm::Rsa2048)
        .send()
        .await
        .unwrap_err();
    let SdkError::ServiceError(ref e) = err else {
        panic!("{err:?}")
    };
    assert_eq!(e.raw().status().as_u16(), 501);

    // SIGKILL, then a new server on the same state finds everything.
    drop(server);
    let server = start(&dir);
    let cp = control(&server.endpoint);
    let dp = data(&server.endpoint);
    let got = cp
        .get_key()
        .key_identifier("alias/sdk-key")
        .send()
        .await
        .unwrap();
    let got = got.key().unwrap();
    assert_eq!(got.key_arn(), created.key_arn());
    assert_eq!(got.key_check_value(), created.key_check_value());
    assert!(got.enabled());
    let tags = cp
        .list_tags_for_resource()
        .resource_arn(created.key_arn())
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    assert_eq!(tags.tags()[0].value(), Some("sdk"));
    let after = dp
        .encrypt_data()
        .key_identifier("alias/sdk-key")
        .plain_text(PLAIN)
        .encryption_attributes(ecb())
        .send()
        .await
        .unwrap();
    assert_eq!(after.cipher_text(), first.cipher_text());
    let out = dp
        .encrypt_data()
        .key_identifier(aes.key_arn())
        .plain_text(PLAIN)
        .encryption_attributes(ecb())
        .send()
        .await
        .unwrap();
    assert_eq!(out.cipher_text(), AES_ECB_OF_PLAIN);
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}
