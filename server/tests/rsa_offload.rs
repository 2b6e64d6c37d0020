//! An RSA operation (milliseconds) does not run on the thread that serves the connections: the server
//! runs it on tokio's blocking pool, and other requests on that thread are answered meanwhile.
//!
//! Deterministic, not a measurement: client and server share ONE thread (a current-thread runtime),
//! and the key store records the thread of every lookup of the RSA key. The server looks at the
//! request's keys on the connection's thread (to decide where it runs); the operation's own lookup
//! must come from another thread. Inline, every lookup would be on the test's thread. (A version that
//! held the RSA operation until a symmetric request had been answered depended on how many lookups
//! the server makes, and hung instead of failing when that changed.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/clients.rs"]
mod clients;

use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use aws_sdk_paymentcryptographydata::types::{
    AsymmetricEncryptionAttributes, EncryptionDecryptionAttributes, EncryptionMode, PaddingType,
    SymmetricEncryptionAttributes,
};
use paycrypt::{Key, KeyIdentifier, KeyStore, MemoryKeyStore};
use paycrypt_server::credentials::CredentialStore;
use paycrypt_server::engine::DEMO_KEYS;
use paycrypt_server::sigv4::Verifier;
use paycrypt_server::{App, Auth, Keys, Limits, Server, Strictness};

const PLAIN: &str = "34313131313131313131313131313131";

/// The demo store, recording the thread of each lookup of the RSA key pair (`alias/demo-rsa`).
struct Recorder {
    inner: MemoryKeyStore,
    rsa_lookups: Mutex<Vec<ThreadId>>,
}

impl KeyStore for Recorder {
    fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&Key> {
        if matches!(identifier, KeyIdentifier::Alias("alias/demo-rsa")) {
            self.rsa_lookups
                .lock()
                .unwrap()
                .push(std::thread::current().id());
        }
        self.inner.resolve(identifier)
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_rsa_operation_runs_off_the_connections_thread() {
    let recorder = Arc::new(Recorder {
        inner: MemoryKeyStore::from_json(DEMO_KEYS).unwrap(),
        rsa_lookups: Mutex::new(Vec::new()),
    });
    struct Shared(Arc<Recorder>);
    impl KeyStore for Shared {
        fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&Key> {
            self.0.resolve(identifier)
        }
    }
    let app = App::new(
        Keys::from_store(Shared(recorder.clone())),
        Auth::Signed(Verifier::new(CredentialStore::default_pair())),
        Strictness::Documented,
        Limits::default(),
    );
    let server = Server::bind("127.0.0.1:0".parse().unwrap(), app)
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    tokio::spawn(server.run(std::future::pending()));
    let c = clients::data(&format!("http://{addr}"), "us-east-2");
    let oaep = || {
        AsymmetricEncryptionAttributes::builder()
            .padding_type(PaddingType::OaepSha256)
            .build()
    };
    let encrypted = c
        .encrypt_data()
        .key_identifier("alias/demo-rsa-public")
        .plain_text(PLAIN)
        .encryption_attributes(EncryptionDecryptionAttributes::Asymmetric(oaep()))
        .send()
        .await
        .unwrap();

    let decrypted = c
        .decrypt_data()
        .key_identifier("alias/demo-rsa")
        .cipher_text(encrypted.cipher_text())
        .decryption_attributes(EncryptionDecryptionAttributes::Asymmetric(oaep()))
        .send()
        .await
        .unwrap();
    assert_eq!(decrypted.plain_text(), PLAIN);
    let here = std::thread::current().id();
    let lookups = recorder.rsa_lookups.lock().unwrap().clone();
    assert!(
        lookups.first() == Some(&here),
        "the server looks at the keys on the connection's thread: {lookups:?}"
    );
    assert!(
        lookups.iter().any(|t| *t != here),
        "the RSA operation ran on the connection's thread: {lookups:?}"
    );

    // A symmetric request stays on the connection's thread (cheap: no hand-off).
    let symmetric = c
        .encrypt_data()
        .key_identifier("alias/demo-aes-key")
        .plain_text(PLAIN)
        .encryption_attributes(EncryptionDecryptionAttributes::Symmetric(
            SymmetricEncryptionAttributes::builder()
                .mode(EncryptionMode::Ecb)
                .build()
                .unwrap(),
        ))
        .send()
        .await;
    assert!(symmetric.is_ok(), "{symmetric:?}");
}
