//! The AWS SDK for Rust (`aws-sdk-paymentcryptographydata`, `aws-config`) against a paycrypt-server
//! started in this process on a free port: results, typed errors, authentication failures, a panic
//! inside the engine, and many clients at once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/clients.rs"]
mod clients;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use aws_sdk_paymentcryptographydata::Client;
use aws_sdk_paymentcryptographydata::config::Credentials;
use aws_sdk_paymentcryptographydata::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_paymentcryptographydata::operation::decrypt_data::DecryptDataError;
use aws_sdk_paymentcryptographydata::operation::encrypt_data::EncryptDataError;
use aws_sdk_paymentcryptographydata::operation::re_encrypt_data::ReEncryptDataError;
use aws_sdk_paymentcryptographydata::types::{
    DukptEncryptionAttributes, DukptEncryptionMode, EncryptionDecryptionAttributes, EncryptionMode,
    ReEncryptionAttributes, SymmetricEncryptionAttributes,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use paycrypt::{Key, KeyIdentifier, KeyStore, MemoryKeyStore};
use paycrypt_server::credentials::CredentialStore;
use paycrypt_server::engine::DEMO_KEYS;
use paycrypt_server::sigv4::Verifier;
use paycrypt_server::{App, Auth, Keys, Limits, Server, Strictness};

const REGION: &str = "us-east-2";
const TDES_ARN: &str =
    "arn:aws:payment-cryptography:us-east-2:111122223333:key/demotdesdatakey00001";
const AES_ARN: &str =
    "arn:aws:payment-cryptography:us-east-2:111122223333:key/demoaesdatakey000001";
const PLAIN: &str = "34313131313131313131313131313131";

/// The demo store, except that the alias `alias/boom` makes the lookup panic.
struct Boom(MemoryKeyStore);

impl KeyStore for Boom {
    fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&Key> {
        if matches!(identifier, KeyIdentifier::Alias("alias/boom")) {
            panic!("injected fault");
        }
        self.0.resolve(identifier)
    }
}

const DECRYPT_ONLY_ARN: &str =
    "arn:aws:payment-cryptography:us-east-2:111122223333:key/decryptonlykey000001";

/// The demo store plus a TDES key that may only decrypt.
fn store() -> MemoryKeyStore {
    let mut doc: serde_json::Value = serde_json::from_str(DEMO_KEYS).unwrap();
    doc["Keys"].as_array_mut().unwrap().push(serde_json::json!({
        "KeyArn": DECRYPT_ONLY_ARN,
        "KeyAttributes": {"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
            "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "TDES_2KEY",
            "KeyModesOfUse": {"Decrypt": true}},
        "KeyMaterial": "0101010101010101FEFEFEFEFEFEFEFE"}));
    MemoryKeyStore::from_json(&doc.to_string()).unwrap()
}

async fn start() -> SocketAddr {
    let store = store();
    let app = App::new(
        Keys::from_store(Boom(store)),
        Auth::Signed(Verifier::new(CredentialStore::default_pair())),
        Strictness::Documented,
        Limits::default(),
    );
    let server = Server::bind("127.0.0.1:0".parse().unwrap(), app)
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    tokio::spawn(server.run(std::future::pending()));
    addr
}

fn config(addr: SocketAddr, secret: &str) -> aws_sdk_paymentcryptographydata::config::Builder {
    clients::data_config(&format!("http://{addr}"), REGION, secret)
}

fn client(addr: SocketAddr) -> Client {
    Client::from_conf(config(addr, "test").build())
}

fn ecb() -> EncryptionDecryptionAttributes {
    EncryptionDecryptionAttributes::Symmetric(
        SymmetricEncryptionAttributes::builder()
            .mode(EncryptionMode::Ecb)
            .build()
            .unwrap(),
    )
}

fn re_ecb() -> ReEncryptionAttributes {
    ReEncryptionAttributes::Symmetric(
        SymmetricEncryptionAttributes::builder()
            .mode(EncryptionMode::Ecb)
            .build()
            .unwrap(),
    )
}

fn cbc(iv: &str) -> EncryptionDecryptionAttributes {
    EncryptionDecryptionAttributes::Symmetric(
        SymmetricEncryptionAttributes::builder()
            .mode(EncryptionMode::Cbc)
            .initialization_vector(iv)
            .build()
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypt_decrypt_reencrypt_with_results_checked() {
    let c = client(start().await);
    let out = c
        .encrypt_data()
        .key_identifier(TDES_ARN)
        .plain_text("0102030405060708")
        .encryption_attributes(ecb())
        .send()
        .await
        .unwrap();
    assert_eq!(out.cipher_text(), "B064B6C2571C65D5");
    assert_eq!(out.key_check_value(), Some("9295B5"));
    assert_eq!(out.key_arn(), TDES_ARN);

    // TDES DUKPT -> TDES (the live service's worked case), with an alias ARN in the path.
    let out = c
        .re_encrypt_data()
        .incoming_key_identifier(
            "arn:aws:payment-cryptography:us-east-2:111122223333:alias/demo-tdes-bdk",
        )
        .outgoing_key_identifier("alias/demo-tdes-key")
        .cipher_text("124F7A32F3F84187")
        .incoming_encryption_attributes(ReEncryptionAttributes::Dukpt(
            DukptEncryptionAttributes::builder()
                .key_serial_number("FFFF9876543210E00001")
                .mode(DukptEncryptionMode::Ecb)
                .build()
                .unwrap(),
        ))
        .outgoing_encryption_attributes(re_ecb())
        .send()
        .await
        .unwrap();
    assert_eq!(out.cipher_text(), "B064B6C2571C65D5");
    assert_eq!(out.key_arn(), TDES_ARN);

    // AES DUKPT -> AES, checked by decrypting with the outgoing key.
    let dukpt = DukptEncryptionAttributes::builder()
        .key_serial_number("123456789012345600000001")
        .mode(DukptEncryptionMode::Cbc)
        .dukpt_key_derivation_type(
            aws_sdk_paymentcryptographydata::types::DukptDerivationType::Aes128,
        )
        .build()
        .unwrap();
    let ct = c
        .encrypt_data()
        .key_identifier("alias/demo-aes-bdk")
        .plain_text(PLAIN)
        .encryption_attributes(EncryptionDecryptionAttributes::Dukpt(dukpt.clone()))
        .send()
        .await
        .unwrap();
    let iv = "000102030405060708090A0B0C0D0E0F";
    let re = c
        .re_encrypt_data()
        .incoming_key_identifier("alias/demo-aes-bdk")
        .outgoing_key_identifier(AES_ARN)
        .cipher_text(ct.cipher_text())
        .incoming_encryption_attributes(ReEncryptionAttributes::Dukpt(dukpt))
        .outgoing_encryption_attributes(ReEncryptionAttributes::Symmetric(
            SymmetricEncryptionAttributes::builder()
                .mode(EncryptionMode::Cbc)
                .initialization_vector(iv)
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(re.key_arn(), AES_ARN);
    let back = c
        .decrypt_data()
        .key_identifier(AES_ARN)
        .cipher_text(re.cipher_text())
        .decryption_attributes(cbc(iv))
        .send()
        .await
        .unwrap();
    assert_eq!(back.plain_text(), PLAIN);
    assert_eq!(back.key_check_value(), re.key_check_value());

    // RSA: OAEP under the demo public key, re-encrypted by the key pair to AES, decrypted back.
    let oaep = || {
        aws_sdk_paymentcryptographydata::types::AsymmetricEncryptionAttributes::builder()
            .padding_type(aws_sdk_paymentcryptographydata::types::PaddingType::OaepSha256)
            .build()
    };
    let rsa = c
        .encrypt_data()
        .key_identifier("alias/demo-rsa-public")
        .plain_text(PLAIN)
        .encryption_attributes(EncryptionDecryptionAttributes::Asymmetric(oaep()))
        .send()
        .await
        .unwrap();
    assert_eq!(rsa.cipher_text().len(), 512);
    let re = c
        .re_encrypt_data()
        .incoming_key_identifier("alias/demo-rsa")
        .outgoing_key_identifier(AES_ARN)
        .cipher_text(rsa.cipher_text())
        .incoming_encryption_attributes(ReEncryptionAttributes::Asymmetric(oaep()))
        .outgoing_encryption_attributes(re_ecb())
        .send()
        .await
        .unwrap();
    let back = c
        .decrypt_data()
        .key_identifier(AES_ARN)
        .cipher_text(re.cipher_text())
        .decryption_attributes(ecb())
        .send()
        .await
        .unwrap();
    assert_eq!(back.plain_text(), PLAIN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modelled_errors_arrive_typed() {
    let c = client(start().await);
    let e = c
        .encrypt_data()
        .key_identifier(TDES_ARN)
        .plain_text("ZZ")
        .encryption_attributes(ecb())
        .send()
        .await
        .unwrap_err();
    let SdkError::ServiceError(se) = e else {
        panic!("{e:?}")
    };
    assert_eq!(se.raw().status().as_u16(), 400);
    let EncryptDataError::ValidationException(v) = se.into_err() else {
        panic!("not a ValidationException")
    };
    assert_eq!(v.field_list()[0].path(), "PlainText");

    let e = c
        .decrypt_data()
        .key_identifier("alias/nope")
        .cipher_text("00")
        .decryption_attributes(ecb())
        .send()
        .await
        .unwrap_err();
    let SdkError::ServiceError(se) = e else {
        panic!("{e:?}")
    };
    assert_eq!(se.raw().status().as_u16(), 404);
    let DecryptDataError::ResourceNotFoundException(nf) = se.into_err() else {
        panic!("not a ResourceNotFoundException")
    };
    assert_eq!(nf.resource_id(), Some("alias/nope"));

    // A key that may only decrypt, as the outgoing key of a re-encryption: AccessDenied.
    let e = c
        .re_encrypt_data()
        .incoming_key_identifier("alias/demo-tdes-key")
        .outgoing_key_identifier(DECRYPT_ONLY_ARN)
        .cipher_text("B064B6C2571C65D5")
        .incoming_encryption_attributes(re_ecb())
        .outgoing_encryption_attributes(re_ecb())
        .send()
        .await
        .unwrap_err();
    let SdkError::ServiceError(se) = e else {
        panic!("{e:?}")
    };
    assert_eq!(se.raw().status().as_u16(), 403);
    assert!(
        matches!(se.err(), ReEncryptDataError::AccessDeniedException(_)),
        "{:?}",
        se.err()
    );
}

async fn error_code(c: &Client) -> (String, u16, String) {
    let e = c
        .encrypt_data()
        .key_identifier(TDES_ARN)
        .plain_text("0102030405060708")
        .encryption_attributes(ecb())
        .send()
        .await
        .unwrap_err();
    let status = e.raw_response().map_or(0, |r| r.status().as_u16());
    (
        e.code().unwrap_or("-").to_string(),
        status,
        e.message().unwrap_or("").to_string(),
    )
}

#[derive(Debug)]
struct Clock(SystemTime);

impl aws_smithy_async::time::TimeSource for Clock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// Flips `ECB` to `CBC` in the body after signing.
#[derive(Debug)]
struct Tamper;

impl Intercept for Tamper {
    fn name(&self) -> &'static str {
        "Tamper"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let body = String::from_utf8(request.body().bytes().unwrap_or_default().to_vec())?;
        *request.body_mut() = SdkBody::from(body.replace("ECB", "CBC"));
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_failures() {
    let addr = start().await;
    let (code, status, message) =
        error_code(&Client::from_conf(config(addr, "wrong").build())).await;
    assert_eq!((code.as_str(), status), ("InvalidSignatureException", 403));
    assert!(message.contains("signature we calculated"), "{message}");

    let unknown = config(addr, "test")
        .credentials_provider(Credentials::new("AKIDUNKNOWN", "test", None, None, "t"))
        .build();
    let (code, status, _) = error_code(&Client::from_conf(unknown)).await;
    assert_eq!(
        (code.as_str(), status),
        ("UnrecognizedClientException", 403)
    );

    let expired = config(addr, "test")
        .time_source(Clock(SystemTime::now() - Duration::from_secs(20 * 60)))
        .build();
    let (code, status, message) = error_code(&Client::from_conf(expired)).await;
    assert_eq!((code.as_str(), status), ("InvalidSignatureException", 403));
    assert!(message.starts_with("Signature expired"), "{message}");

    let tampered = config(addr, "test").interceptor(Tamper).build();
    let (code, status, _) = error_code(&Client::from_conf(tampered)).await;
    assert_eq!((code.as_str(), status), ("InvalidSignatureException", 403));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_is_a_500_and_the_server_keeps_serving() {
    let c = client(start().await);
    let e = c
        .encrypt_data()
        .key_identifier("alias/boom")
        .plain_text("0102030405060708")
        .encryption_attributes(ecb())
        .send()
        .await
        .unwrap_err();
    let SdkError::ServiceError(se) = e else {
        panic!("{e:?}")
    };
    assert_eq!(se.raw().status().as_u16(), 500);
    assert!(matches!(
        se.err(),
        EncryptDataError::InternalServerException(_)
    ));
    let ok = c
        .encrypt_data()
        .key_identifier("alias/demo-tdes-key")
        .plain_text("0102030405060708")
        .encryption_attributes(ecb())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.cipher_text(), "B064B6C2571C65D5");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_at_once_every_answer_matched() {
    let addr = start().await;
    let mut tasks = Vec::new();
    for n in 0..32u32 {
        tasks.push(tokio::spawn(async move {
            let c = client(addr);
            for i in 0..20u32 {
                let plain = format!("{n:08X}{i:08X}{n:08X}{i:08X}");
                let iv = format!("{i:016X}");
                let ct = c
                    .encrypt_data()
                    .key_identifier("alias/demo-tdes-key")
                    .plain_text(&plain)
                    .encryption_attributes(cbc(&iv))
                    .send()
                    .await
                    .unwrap();
                let back = c
                    .decrypt_data()
                    .key_identifier(TDES_ARN)
                    .cipher_text(ct.cipher_text())
                    .decryption_attributes(cbc(&iv))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(back.plain_text(), plain, "client {n} request {i}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}
