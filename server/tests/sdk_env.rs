//! `AWS_ENDPOINT_URL_PAYMENT_CRYPTOGRAPHY_DATA` with the AWS SDK for Rust: a client built by
//! `aws-config` from the environment alone reaches the server. Its own test binary, with one test,
//! because it sets process environment variables.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
// `std::env::set_var` is `unsafe` (other threads could read the environment): this binary has one
// test, and it sets the variables before the runtime or any client starts.
#![allow(unsafe_code)]

use aws_sdk_paymentcryptographydata::Client;
use aws_sdk_paymentcryptographydata::config::BehaviorVersion;
use aws_sdk_paymentcryptographydata::types::{
    EncryptionDecryptionAttributes, EncryptionMode, SymmetricEncryptionAttributes,
};
use paycrypt_server::credentials::CredentialStore;
use paycrypt_server::engine::DEMO_KEYS;
use paycrypt_server::sigv4::Verifier;
use paycrypt_server::{App, Auth, Keys, Limits, Server, Strictness};

#[test]
fn endpoint_environment_variable_through_aws_config() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(async {
        let app = App::new(
            Keys::from_json(DEMO_KEYS).unwrap().0,
            Auth::Signed(Verifier::new(CredentialStore::default_pair())),
            Strictness::Documented,
            Limits::default(),
        );
        Server::bind("127.0.0.1:0".parse().unwrap(), app)
            .await
            .unwrap()
    });
    let endpoint = format!("http://{}", server.local_addr().unwrap());
    for (k, v) in [
        (
            "AWS_ENDPOINT_URL_PAYMENT_CRYPTOGRAPHY_DATA",
            endpoint.as_str(),
        ),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-2"),
        ("AWS_MAX_ATTEMPTS", "1"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
    ] {
        // SAFETY: no other thread of this process reads the environment now (see the file's docs).
        unsafe { std::env::set_var(k, v) };
    }
    unsafe { std::env::remove_var("AWS_ENDPOINT_URL") };
    runtime.block_on(async {
        tokio::spawn(server.run(std::future::pending()));
        let shared = aws_config::defaults(BehaviorVersion::latest())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .load()
            .await;
        let out = Client::new(&shared)
            .encrypt_data()
            .key_identifier("alias/demo-tdes-key")
            .plain_text("0102030405060708")
            .encryption_attributes(EncryptionDecryptionAttributes::Symmetric(
                SymmetricEncryptionAttributes::builder()
                    .mode(EncryptionMode::Ecb)
                    .build()
                    .unwrap(),
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(out.cipher_text(), "B064B6C2571C65D5");
    });
}
