//! The adapter to the `paycrypt` library: the only module of the server that names its API.
//!
//! Everything about a data-plane request's content — JSON parsing, member names, identifier patterns,
//! hex, lengths, enums, unions, key lookup, key rules, the cryptography and the error it maps to — is
//! the library's wire layer ([`paycrypt::wire::Request::from_rest_json`] and `execute`). This module
//! only loads the key store, limits lookups to the caller's account and region, and turns the
//! library's answer into the server's [`ApiError`] / response bytes.

use std::sync::Arc;

use paycrypt::wire::{Operation, Request};
use paycrypt::{KeyStore, Policy};

use crate::api::{ApiError, Field, Shape};
use crate::route::DataOperation;
use crate::state::{Lookup, Scope, State};

/// The library's names the rest of the server uses: one place to follow the library's surface.
pub use paycrypt::tr31::exchange::{
    ExchangeError, ImportedKey, export_initial_key, export_key_block, import_key_block,
};
pub use paycrypt::wire::control::{
    ControlRequest, CreateKey, ExportKey, ImportKey, ImportMaterial,
    OPERATIONS as CONTROL_OPERATIONS, Page, take_tag_value,
};
pub use paycrypt::wire::{
    DocumentAlias, DocumentKey, Json, KeyMetadata, KeyOrigin, KeyStoreDocument, MAX_TAGS,
    ServiceError, Tag, Timestamp, describe_key, summarize_key, tags_json, write_document,
};
pub use paycrypt::{
    Error as LibraryError, KcvAlgorithm, Key, KeyAlgorithm, KeyArn, KeyAttributes, KeyClass,
    KeyIdentifier, KeyMaterial, KeyState, KeyUsage, OsRng, RsaPadding, RsaPrivateKey, RsaPublicKey,
    RsaSize, SymmetricAlgorithm, SymmetricKey,
};

/// The embedded demo key store and its warning: the CLI's, shared (one file, not a copy).
mod demo {
    include!("../../cli/src/demo.rs");
}

/// The demo key store's JSON (public test keys).
pub const DEMO_KEYS: &str = demo::DEMO_KEYS;
/// The warning printed whenever the demo key store serves.
pub const DEMO_WARNING: &str = demo::DEMO_WARNING;

/// The keys the server serves, shared by all requests: the state (an in-memory or a durable one, with
/// its control plane), or any read-only [`KeyStore`] (a firmware table; tests inject faults with it),
/// which has no control plane.
#[derive(Clone)]
pub enum Keys {
    /// The state.
    State(Arc<State>),
    /// A read-only store.
    Static(Arc<dyn KeyStore + Send + Sync>),
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
    /// Serve any key store, read-only (no control plane).
    pub fn from_store(store: impl KeyStore + Send + Sync + 'static) -> Self {
        Keys::Static(Arc::new(store))
    }

    /// An in-memory state seeded with a key-store document (read strictly: every key's attributes
    /// form one of AWS's valid combinations).
    pub fn from_json(text: &str) -> Result<(Self, Vec<KeySummary>), String> {
        let doc = KeyStoreDocument::from_json(text).map_err(|e| e.to_string())?;
        let state = State::in_memory(doc)?;
        let summary = state.summary();
        Ok((Keys::State(Arc::new(state)), summary))
    }

    /// The state, when the keys are one.
    pub fn state(&self) -> Option<&Arc<State>> {
        match self {
            Keys::State(s) => Some(s),
            Keys::Static(_) => None,
        }
    }
}

/// The keys a request names, resolved for its caller before it runs (a key is shared, so the
/// request computes without holding the state's lock); a control-plane change answered before the
/// lookup is seen by it.
struct Resolved {
    keys: Vec<(String, Arc<paycrypt::Key>)>,
}

impl KeyStore for Resolved {
    fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&paycrypt::Key> {
        self.keys
            .iter()
            .find(|(text, _)| KeyIdentifier::parse(text).ok().as_ref() == Some(identifier))
            .map(|(_, key)| &**key)
    }
}

/// The key identifiers a data-plane request names.
fn identifiers(request: &Request) -> Vec<&str> {
    match request {
        Request::ReEncryptData {
            incoming, outgoing, ..
        } => vec![&incoming.key_identifier, &outgoing.key_identifier],
        Request::EncryptData { key, .. } | Request::DecryptData { key, .. } => {
            vec![&key.key_identifier]
        }
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
pub fn api_error(e: ServiceError) -> ApiError {
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

/// A data-plane request parsed, with its keys resolved for its caller: ready to run, here or on
/// another thread (it owns everything it needs).
pub struct Prepared {
    request: Request,
    store: PreparedStore,
    policy: Policy,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

/// Where a prepared request finds its keys.
enum PreparedStore {
    /// The state's keys, resolved ahead.
    Resolved(Resolved),
    /// A read-only store, limited to the caller's account and region when the request runs.
    Static {
        store: Arc<dyn KeyStore + Send + Sync>,
        account: String,
        region: String,
    },
}

impl PreparedStore {
    /// Call `f` with the store the request runs against.
    fn with<R>(&self, f: impl FnOnce(&dyn KeyStore) -> R) -> R {
        match self {
            PreparedStore::Resolved(resolved) => f(resolved),
            PreparedStore::Static {
                store,
                account,
                region,
            } => f(&Scoped {
                inner: store.as_ref(),
                account,
                region,
            }),
        }
    }
}

impl Prepared {
    /// Whether a key the request names (either side's key, or the KEK of a wrapped key) is an RSA
    /// key: its operation takes milliseconds, so the server runs it off the connection's thread.
    pub fn uses_rsa(&self) -> bool {
        let is_rsa =
            |key: &Key| matches!(key.material().algorithm_and_class().0, KeyAlgorithm::Rsa(_));
        self.store.with(|store| {
            identifiers(&self.request).into_iter().any(|id| {
                KeyIdentifier::parse(id)
                    .ok()
                    .and_then(|id| store.resolve(&id))
                    .is_some_and(is_rsa)
            })
        })
    }

    /// Run it: the library's `execute`, and the answer as response bytes.
    pub fn run(&self) -> Result<DataAnswer, ApiError> {
        let response = self
            .store
            .with(|store| self.request.execute(store, &mut OsRng, self.policy))
            .map_err(api_error)?;
        let key_arn = response["KeyArn"].as_str().unwrap_or("-").to_string();
        // The allocation of the wiped text moves into the body (no copy).
        let body = core::mem::take(&mut *response.to_text()).into_bytes();
        Ok(DataAnswer { body, key_arn })
    }
}

/// Parse one data-plane request for a caller in `account` / `region` and resolve its keys: the
/// path's identifier (percent-decoded once) and the body's JSON text go to the library's wire layer
/// as they are.
pub fn prepare(
    keys: &Keys,
    op: DataOperation,
    path_identifier: &str,
    body: &str,
    account: &str,
    region: &str,
    strictness: Strictness,
) -> Result<Prepared, ApiError> {
    let request =
        Request::from_rest_json(operation(op), path_identifier, body).map_err(api_error)?;
    let policy = match strictness {
        Strictness::Documented => Policy::Documented,
        Strictness::StrictAws => Policy::StrictAws,
    };
    let store = match keys {
        Keys::State(state) => {
            let scope = Scope::new(region, account);
            let index = state.read();
            PreparedStore::Resolved(Resolved {
                keys: identifiers(&request)
                    .into_iter()
                    .filter_map(|id| {
                        index
                            .resolve(&scope, id)
                            .map(|e| (id.to_string(), e.key.clone()))
                    })
                    .collect(),
            })
        }
        Keys::Static(store) => PreparedStore::Static {
            store: store.clone(),
            account: account.to_string(),
            region: region.to_string(),
        },
    };
    Ok(Prepared {
        request,
        store,
        policy,
    })
}

/// Run one data-plane operation for a caller in `account` / `region` on this thread ([`prepare`],
/// then [`Prepared::run`]).
pub fn data_operation(
    keys: &Keys,
    op: DataOperation,
    path_identifier: &str,
    body: &str,
    account: &str,
    region: &str,
    strictness: Strictness,
) -> Result<DataAnswer, ApiError> {
    prepare(keys, op, path_identifier, body, account, region, strictness)?.run()
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
