//! The adapter to the `paycrypt` library: the only module of the server that names its API.
//!
//! Everything about a data-plane request's content — JSON parsing, member names, identifier patterns,
//! hex, lengths, enums, unions, key lookup, key rules, the cryptography and the error it maps to — is
//! the library's wire layer ([`paycrypt::wire::Request::from_rest_json`] and `execute`). This module
//! only loads the key store, limits lookups to the caller's account and region, and turns the
//! library's answer into the server's [`ApiError`] / response bytes.

use std::sync::Arc;

use paycrypt::OsRng;
use paycrypt::wire::{Operation, Request, ServiceError};
use paycrypt::{Key, KeyIdentifier, KeyStore, MemoryKeyStore, Policy};

use crate::api::{ApiError, Field, Shape};
use crate::route::DataOperation;

/// The embedded demo key store and its warning: the CLI's, shared (one file, not a copy).
mod demo {
    include!("../../cli/src/demo.rs");
}

/// The demo key store's JSON (public test keys).
pub const DEMO_KEYS: &str = demo::DEMO_KEYS;
/// The warning printed whenever the demo key store serves.
pub const DEMO_WARNING: &str = demo::DEMO_WARNING;

/// The keys the server serves, shared by all requests.
#[derive(Clone)]
pub struct Keys {
    store: Arc<dyn KeyStore + Send + Sync>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").finish_non_exhaustive()
    }
}

/// One stored key, as the start-up summary shows it (never material).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySummary {
    /// The key ARN.
    pub arn: String,
    /// The aliases pointing at it.
    pub aliases: Vec<String>,
}

impl Keys {
    /// Serve any key store (a firmware table, a database; tests use this to inject faults).
    pub fn from_store(store: impl KeyStore + Send + Sync + 'static) -> Self {
        Keys {
            store: Arc::new(store),
        }
    }

    /// A key-store document (the format of `paycrypt::wire`'s key-store file, as the CLI's `--keys`).
    pub fn from_json(text: &str) -> Result<(Self, Vec<KeySummary>), String> {
        let store = MemoryKeyStore::from_json(text).map_err(|e| e.to_string())?;
        let summary = store
            .keys()
            .map(|k| KeySummary {
                arn: k.arn().as_str().to_string(),
                aliases: store
                    .aliases()
                    .filter(|(_, arn)| arn.as_str() == k.arn().as_str())
                    .map(|(a, _)| a.to_string())
                    .collect(),
            })
            .collect();
        Ok((Self::from_store(store), summary))
    }
}

/// A view of the store limited to one account and region: a key (or an alias whose key) lives
/// elsewhere is not found, as on AWS.
struct Scoped<'a> {
    inner: &'a (dyn KeyStore + Send + Sync),
    account: &'a str,
    region: &'a str,
}

impl KeyStore for Scoped<'_> {
    fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&Key> {
        let key = self.inner.resolve(identifier)?;
        (key.arn().region_and_account() == (self.region, self.account)).then_some(key)
    }
}

/// How strictly the engine follows the live service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strictness {
    /// What AWS documents (the library's default).
    #[default]
    Documented,
    /// Refuse what the live service is reported to refuse (the CLI's `--strict-aws`).
    StrictAws,
}

/// A successful data-plane answer.
#[derive(Debug)]
pub struct DataAnswer {
    /// The JSON response body.
    pub body: Vec<u8>,
    /// The key ARN of the response (the outgoing key's for `ReEncryptData`), for the log.
    pub key_arn: String,
}

fn operation(op: DataOperation) -> Operation {
    match op {
        DataOperation::EncryptData => Operation::EncryptData,
        DataOperation::DecryptData => Operation::DecryptData,
        DataOperation::ReEncryptData => Operation::ReEncryptData,
    }
}

/// The request member that the operation's path carries (`KeyIdentifier`, `IncomingKeyIdentifier`).
pub fn path_member(op: DataOperation) -> &'static str {
    operation(op).path_member()
}

/// The library's error in the server's terms.
fn api_error(e: ServiceError) -> ApiError {
    let message = e.message();
    match e {
        ServiceError::Validation { field_list, .. } => ApiError {
            shape: Shape::Validation,
            message,
            fields: field_list
                .into_iter()
                .map(|f| Field {
                    path: f.path,
                    message: f.message,
                })
                .collect(),
            resource_id: None,
        },
        ServiceError::ResourceNotFound { resource_id } => ApiError {
            shape: Shape::ResourceNotFound,
            message,
            fields: Vec::new(),
            resource_id: Some(resource_id),
        },
        ServiceError::AccessDenied { .. } => ApiError::new(Shape::AccessDenied, message),
        ServiceError::Throttling { .. } => ApiError::new(Shape::Throttling, message),
        _ => ApiError::new(Shape::InternalServer, message),
    }
}

/// Run one data-plane operation for a caller in `account` / `region`: the path's identifier
/// (percent-decoded once) and the body's JSON text go to the library's wire layer as they are.
pub fn data_operation(
    keys: &Keys,
    op: DataOperation,
    path_identifier: &str,
    body: &str,
    account: &str,
    region: &str,
    strictness: Strictness,
) -> Result<DataAnswer, ApiError> {
    let request =
        Request::from_rest_json(operation(op), path_identifier, body).map_err(api_error)?;
    let scoped = Scoped {
        inner: keys.store.as_ref(),
        account,
        region,
    };
    let policy = match strictness {
        Strictness::Documented => Policy::Documented,
        Strictness::StrictAws => Policy::StrictAws,
    };
    let response = request
        .execute(&scoped, &mut OsRng, policy)
        .map_err(api_error)?;
    let key_arn = response["KeyArn"].as_str().unwrap_or("-").to_string();
    // The allocation of the wiped text moves into the body (no copy).
    let body = core::mem::take(&mut *response.to_text()).into_bytes();
    Ok(DataAnswer { body, key_arn })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Keys {
        Keys::from_json(DEMO_KEYS).unwrap().0
    }

    const BODY: &str = r#"{"PlainText": "0102030405060708", "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}"#;

    #[test]
    fn scoped_to_account_and_region() {
        let keys = demo();
        let ok = data_operation(
            &keys,
            DataOperation::EncryptData,
            "alias/demo-tdes-key",
            BODY,
            "111122223333",
            "us-east-2",
            Strictness::Documented,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&ok.body).unwrap();
        assert_eq!(v["CipherText"], "B064B6C2571C65D5");
        assert_eq!(ok.key_arn, v["KeyArn"]);
        for (account, region) in [("111122223333", "us-east-1"), ("444455556666", "us-east-2")] {
            for id in [
                "alias/demo-tdes-key",
                "arn:aws:payment-cryptography:us-east-2:111122223333:key/demotdesdatakey00001",
            ] {
                let e = data_operation(
                    &keys,
                    DataOperation::EncryptData,
                    id,
                    BODY,
                    account,
                    region,
                    Strictness::Documented,
                )
                .unwrap_err();
                assert_eq!(e.shape, Shape::ResourceNotFound);
                assert_eq!(e.resource_id.as_deref(), Some(id));
            }
        }
    }

    #[test]
    fn demo_summary_lists_aliases() {
        let (_, summary) = Keys::from_json(DEMO_KEYS).unwrap();
        assert_eq!(summary.len(), 10);
        assert!(
            summary
                .iter()
                .any(|k| k.aliases.contains(&"alias/demo-tdes-key".to_string()))
        );
        assert!(DEMO_WARNING.contains("PUBLIC TEST KEYS"));
    }
}
