//! The fixed key store of the operation targets: `tests/fixtures/keystore.json`, loaded once.

use std::sync::OnceLock;

use paycrypt::MemoryKeyStore;

/// The key-store document the targets run against (also a `keystore` seed).
pub const DOCUMENT: &str = include_str!("../../tests/fixtures/keystore.json");

/// The ARN prefix of every key in the fixture.
pub const ARN: &str = "arn:aws:payment-cryptography:us-east-2:111122223333:key/";

/// The store, loaded on first use.
pub fn store() -> &'static MemoryKeyStore {
    static STORE: OnceLock<MemoryKeyStore> = OnceLock::new();
    STORE.get_or_init(|| MemoryKeyStore::from_json(DOCUMENT).expect("the test fixture loads"))
}
