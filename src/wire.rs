//! The AWS wire format (feature `json`): `ReEncryptData`, `EncryptData` and `DecryptData` requests and
//! responses as JSON with AWS's member names, AWS's error shapes, and the key-store document.
//!
//! This is where a front end (the `paycrypt` CLI, `paycrypt-server`, your emulator) meets the engine:
//! [`Request`] parses a request into the typed core (every failure names its member) and
//! [`Request::execute`] runs it and answers in AWS's shape; [`handle`] does both for JSON text,
//! [`handle_envelope`] / [`handle_envelopes`] for paycrypt's JSON-lines batch, and
//! [`MemoryKeyStore::from_json`](crate::MemoryKeyStore::from_json) loads a key store.
//!
//! | module | owns |
//! |---|---|
//! | `request` | [`Operation`], [`Request`]: parsing and running one request |
//! | `error` | [`ServiceError`]: AWS's error shapes, and which member each core [`Error`](crate::Error) concerns |
//! | `json` | [`Json`]: the wire layer's own JSON parser and writer, whose strings are wiped on drop |
//! | `keystore_file` | the key-store document: [`MemoryKeyStore::from_json`](crate::MemoryKeyStore::from_json), [`key_store_listing`] |
//! | `batch` | [`handle_values`]: many requests, their TDES DUKPT keys derived together |
//!
//! ```
//! use paycrypt::wire::{self, Operation};
//! use paycrypt::{MemoryKeyStore, Policy};
//!
//! let store = MemoryKeyStore::from_json(r#"{"Keys": [{
//!     "KeyArn": "arn:aws:payment-cryptography:us-east-2:111122223333:key/tdesdemokey000001",
//!     "KeyAttributes": {"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
//!         "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "TDES_2KEY",
//!         "KeyModesOfUse": {"Encrypt": true, "Decrypt": true}},
//!     "KeyMaterial": "0101010101010101FEFEFEFEFEFEFEFE"}],
//!   "Aliases": [{"AliasName": "alias/demo", "KeyArn":
//!     "arn:aws:payment-cryptography:us-east-2:111122223333:key/tdesdemokey000001"}]}"#)
//!     .unwrap();
//! let request = r#"{"KeyIdentifier": "alias/demo", "PlainText": "0102030405060708",
//!     "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}"#;
//! let out = wire::handle(&store, Operation::EncryptData, request, &mut paycrypt::OsRng, Policy::Documented)
//!     .unwrap();
//! assert_eq!(out["CipherText"], "B064B6C2571C65D5");
//! assert_eq!(out["KeyCheckValue"], "9295B5");
//!
//! // Errors come back in AWS's shapes, naming the member at fault.
//! let bad = request.replace("ECB", "CTR");
//! let err = wire::handle(&store, Operation::EncryptData, &bad, &mut paycrypt::OsRng, Policy::Documented)
//!     .unwrap_err();
//! assert_eq!(err.name(), "ValidationException");
//! assert_eq!(err.to_json()["fieldList"][0]["path"], "EncryptionAttributes.Symmetric.Mode");
//! ```

mod batch;
pub mod control;
mod error;
mod json;
mod keystore_file;
mod keystore_record;
mod request;
mod wrapped;

pub use batch::handle_values;
pub use error::{FieldError, ServiceError};
pub use json::{Json, JsonError, MAX_ECHO, echo};
pub use keystore_file::{KeyStoreFileError, key_store_listing};
pub use keystore_record::{
    DocumentAlias, DocumentKey, KeyMetadata, KeyOrigin, KeyStoreDocument, MAX_TAGS, Tag, Timestamp,
    describe_key, summarize_key, tags_json, write_document,
};
pub use request::{Operation, Request, SideRequest};
pub use wrapped::WrappedKeyRequest;

use alloc::string::ToString;
use alloc::vec::Vec;

use rand_core::TryCryptoRng;
use serde_json::Value;

use crate::keystore::KeyStore;
use crate::operation::Policy;

use json::Object;

/// Parse and run one request of `operation` given as JSON text: the AWS response JSON or AWS error.
///
/// Nothing of the request or response is left unwiped by the library: the parsed document, the decoded
/// data and the response ([`Json`]) are wiped on drop. `request` is the caller's to wipe, and so is
/// whatever the caller makes of the response (write it with [`Json::to_text`]).
///
/// # Errors
///
/// The request's error in AWS's shape: [`Request::from_json`], then [`Request::execute`].
pub fn handle<S, R>(
    store: &S,
    operation: Operation,
    request: &str,
    rng: &mut R,
    policy: Policy,
) -> Result<Json, ServiceError>
where
    S: KeyStore + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    Request::from_json(operation, request)?.execute(store, rng, policy)
}

/// Parse and run one *envelope*: `{"Operation": "ReEncryptData" | "EncryptData" | "DecryptData",
/// "Input": {…the AWS request…}}`, paycrypt's own shape for one request of a JSON-lines batch (not
/// AWS's). Errors are the request's, with the envelope's members (`Operation`, `Input`, an unknown
/// member) named at the top level; a member given twice anywhere is a `ValidationException`. As
/// [`handle`], nothing of the line or the answer is left unwiped by the library.
///
/// # Errors
///
/// The line's error in AWS's shape.
pub fn handle_envelope<S, R>(
    store: &S,
    line: &str,
    rng: &mut R,
    policy: Policy,
) -> Result<Json, ServiceError>
where
    S: KeyStore + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    let value = parse_envelope(line)?;
    let (operation, input) = envelope(&value)?;
    Request::from_value(operation, input)?.execute(store, rng, policy)
}

/// [`handle_envelope`] for many lines at once: the answers in the same order, each what
/// [`handle_envelope`] gives for its line; the requests go through [`handle_values`], which derives
/// their TDES DUKPT working keys together.
pub fn handle_envelopes<S, R>(
    store: &S,
    lines: &[&str],
    rng: &mut R,
    policy: Policy,
) -> Vec<Result<Json, ServiceError>>
where
    S: KeyStore + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    let parsed: Vec<Result<Json, ServiceError>> =
        lines.iter().map(|line| parse_envelope(line)).collect();
    let envelopes: Vec<Result<(Operation, &Value), ServiceError>> = parsed
        .iter()
        .map(|p| p.as_ref().map_err(Clone::clone).and_then(envelope))
        .collect();
    let requests: Vec<(Operation, &Value)> = envelopes
        .iter()
        .filter_map(|e| e.as_ref().ok().copied())
        .collect();
    let mut answers = handle_values(store, &requests, rng, policy).into_iter();
    envelopes
        .into_iter()
        .map(|e| match e {
            Ok(_) => answers.next().unwrap_or_else(|| {
                Err(ServiceError::InternalServer {
                    message: "A batch answer is missing".to_string(),
                })
            }),
            Err(error) => Err(error),
        })
        .collect()
}

/// An envelope line's JSON (wiped on drop).
fn parse_envelope(line: &str) -> Result<Json, ServiceError> {
    Json::parse(line).map_err(|e| e.to_service("Line is not valid JSON"))
}

/// The operation and input of a parsed envelope.
fn envelope(value: &Json) -> Result<(Operation, &Value), ServiceError> {
    let envelope = Object::new(value, "", &["Operation", "Input"])?;
    let operation = envelope.req_enum("Operation", &Operation::ALL)?;
    Ok((operation, envelope.req("Input")?))
}
