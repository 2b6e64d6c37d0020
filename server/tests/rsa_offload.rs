//! An RSA operation (milliseconds) does not hold the thread that serves the connections: the server
//! runs it on tokio's blocking pool, and other requests are answered meanwhile.
//!
//! The test is deterministic, not a measurement: client and server share ONE thread (a
//! current-thread runtime), and the key store holds the RSA decryption inside the operation until
//! another request (a symmetric one) has been answered. Run inline, the RSA operation would block
//! the only thread, the symmetric request could never arrive, and the store would give up after a
//! minute and answer "not found" (the test then fails on the RSA answer). Offloaded, the symmetric
//! request is served while the RSA one waits, and both succeed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use aws_sdk_paymentcryptographydata::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_paymentcryptographydata::types::{
    AsymmetricEncryptionAttributes, EncryptionDecryptionAttributes, EncryptionMode, PaddingType,
    SymmetricEncryptionAttributes,
};
use aws_sdk_paymentcryptographydata::{Client, Config};
use aws_smithy_types::retry::RetryConfig;
use paycrypt::{Key, KeyIdentifier, KeyStore, MemoryKeyStore};
use paycrypt_server::credentials::CredentialStore;
use paycrypt_server::engine::DEMO_KEYS;
use paycrypt_server::sigv4::Verifier;
use paycrypt_server::{App, Auth, Keys, Limits, Server, Strictness};

const PLAIN: &str = "34313131313131313131313131313131";
/// The longest the store holds the RSA operation: only reached when the server does not offload it.
const GIVE_UP: Duration = Duration::from_secs(60);

/// The demo store. Its RSA key pair (`alias/demo-rsa`) is found once (the server's look at the
/// request's keys); every later lookup of it (the operation's, wherever it runs) waits until a lookup
/// of `alias/demo-aes-key` (a symmetric request) has been made.
struct Gate {
    inner: MemoryKeyStore,
    rsa_lookups: AtomicUsize,
    released: Mutex<bool>,
    changed: Condvar,
}

impl KeyStore for Gate {
    fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&Key> {
        match identifier {
            KeyIdentifier::Alias("alias/demo-aes-key") => {
                *self.released.lock().unwrap() = true;
                self.changed.notify_all();
            }
            KeyIdentifier::Alias("alias/demo-rsa")
                if self.rsa_lookups.fetch_add(1, Ordering::SeqCst) > 0 =>
            {
                let released = self.released.lock().unwrap();
                let (released, _) = self
                    .changed
                    .wait_timeout_while(released, GIVE_UP, |r| !*r)
                    .unwrap();
                if !*released {
                    return None;
                }
            }
            _ => {}
        }
        self.inner.resolve(identifier)
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_rsa_operation_does_not_block_other_requests_on_its_thread() {
    let gate = std::sync::Arc::new(Gate {
        inner: MemoryKeyStore::from_json(DEMO_KEYS).unwrap(),
        rsa_lookups: AtomicUsize::new(0),
        released: Mutex::new(false),
        changed: Condvar::new(),
    });
    struct Shared(std::sync::Arc<Gate>);
    impl KeyStore for Shared {
        fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&Key> {
            self.0.resolve(identifier)
        }
    }
    let app = App::new(
        Keys::from_store(Shared(gate.clone())),
        Auth::Signed(Verifier::new(CredentialStore::default_pair())),
        Strictness::Documented,
        Limits::default(),
    );
    let server = Server::bind("127.0.0.1:0".parse().unwrap(), app)
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    tokio::spawn(server.run(std::future::pending()));
    let c = Client::from_conf(
        Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-2"))
            .endpoint_url(format!("http://{addr}"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .build(),
    );
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

    // The RSA decryption, on a connection of its own; it waits in the store for the release.
    let rsa = tokio::spawn({
        let c = c.clone();
        let ciphertext = encrypted.cipher_text().to_string();
        async move {
            c.decrypt_data()
                .key_identifier("alias/demo-rsa")
                .cipher_text(ciphertext)
                .decryption_attributes(EncryptionDecryptionAttributes::Asymmetric(oaep()))
                .send()
                .await
        }
    });
    // Once the operation is waiting (its second lookup), a symmetric request on another connection.
    while gate.rsa_lookups.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
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
    let decrypted = rsa.await.unwrap();
    let decrypted = decrypted.expect("the RSA request, served after the symmetric one");
    assert_eq!(decrypted.plain_text(), PLAIN);
}
