//! How AWS reports an error: [`ServiceError`] (the error shapes of the data plane) and the mapping of
//! the core's [`Error`] onto them, with the member path each [`Problem`] concerns.
//!
//! The core's error says what went wrong and on which side; this module says which request member that
//! is (`IncomingEncryptionAttributes.Dukpt.KeySerialNumber`) and which AWS error kind reports it.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde_json::{Value, json};

use super::Operation;
use super::json::join;
use super::request::{Request, SideRequest};
use super::wrapped;
use crate::error::{Error, Problem, Side};

/// One `{path, message}` entry of a `ValidationException`'s `fieldList`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The member, e.g. `IncomingEncryptionAttributes.Symmetric.InitializationVector`.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

/// An AWS error, ready to be shown as AWS shows it.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceError {
    /// `ValidationException {message, fieldList}`.
    Validation {
        /// The message.
        message: String,
        /// The members at fault.
        field_list: Vec<FieldError>,
    },
    /// `AccessDeniedException {Message}`.
    AccessDenied {
        /// The message.
        message: String,
    },
    /// `ResourceNotFoundException {ResourceId}`: the identifier as the request gave it.
    ResourceNotFound {
        /// The identifier.
        resource_id: String,
    },
    /// `ThrottlingException {Message}` (not produced by the library; for servers built on it).
    Throttling {
        /// The message.
        message: String,
    },
    /// `InternalServerException {Message}`.
    InternalServer {
        /// The message.
        message: String,
    },
}

impl ServiceError {
    /// A `ValidationException` on one member: `message` is `"{path}: {message}"`, `fieldList` the one
    /// entry.
    #[must_use]
    pub fn field(path: String, message: String) -> Self {
        ServiceError::Validation {
            message: format!("{path}: {message}"),
            field_list: alloc::vec![FieldError { path, message }],
        }
    }

    /// The AWS error name, e.g. `ValidationException`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            ServiceError::Validation { .. } => "ValidationException",
            ServiceError::AccessDenied { .. } => "AccessDeniedException",
            ServiceError::ResourceNotFound { .. } => "ResourceNotFoundException",
            ServiceError::Throttling { .. } => "ThrottlingException",
            ServiceError::InternalServer { .. } => "InternalServerException",
        }
    }

    /// The error's JSON members, in AWS's shape (`message` is lower case for validation only).
    #[must_use]
    pub fn to_json(&self) -> Value {
        match self {
            ServiceError::Validation {
                message,
                field_list,
            } => json!({
                "message": message,
                "fieldList": field_list
                    .iter()
                    .map(|f| json!({"path": f.path, "message": f.message}))
                    .collect::<Vec<_>>(),
            }),
            ServiceError::AccessDenied { message }
            | ServiceError::Throttling { message }
            | ServiceError::InternalServer { message } => json!({ "Message": message }),
            ServiceError::ResourceNotFound { resource_id } => json!({ "ResourceId": resource_id }),
        }
    }

    /// The human message, as the AWS CLI prints it after the error name.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            ServiceError::Validation { message, .. }
            | ServiceError::AccessDenied { message }
            | ServiceError::Throttling { message }
            | ServiceError::InternalServer { message } => message.clone(),
            ServiceError::ResourceNotFound { resource_id } => {
                format!("Key {resource_id} not found")
            }
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())
    }
}

impl core::error::Error for ServiceError {}

/// The member of a side that a [`Problem`] concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Member {
    /// The side's key identifier: the key does not fit the use.
    KeyIdentifier,
    /// The key's material (a key-store document; in a request, the key identifier).
    KeyMaterial,
    /// The key's attributes (a key-store document; in a request, the key identifier).
    KeyAttributes,
    /// The key's `KeyCheckValueAlgorithm` (a key-store document; in a request, the key identifier, or
    /// for a side with a wrapped key, the wrapped key's `KeyCheckValueAlgorithm`).
    KeyCheckValueAlgorithm,
    /// A side's wrapped key block (`…WrappedKey.WrappedKeyMaterial.Tr31KeyBlock`; for a stored key, the
    /// key identifier).
    KeyBlock,
    /// The ciphertext (incoming) or the data to encrypt (outgoing).
    Data,
    /// The side's encryption attributes as a whole.
    Attributes,
    /// One member of the side's attributes of the kind given (`Mode`, `KeySerialNumber`, …).
    Attribute(&'static str),
}

/// The member each problem concerns.
pub(super) const fn member(problem: Problem) -> Member {
    match problem {
        Problem::KeyLength { .. }
        | Problem::WeakTdesKey
        | Problem::KeyEncoding
        | Problem::RsaKeySize { .. }
        | Problem::RsaUnavailable => Member::KeyMaterial,
        Problem::KeyBlockVersion
        | Problem::KeyBlockLength
        | Problem::KeyBlockHeader
        | Problem::KeyBlockOptionalBlock
        | Problem::KeyBlockPayload
        | Problem::KeyBlockHex
        | Problem::WrappedKeyPolicy
        | Problem::WrappedKeyUnwrap
        | Problem::WrappedKeyStrength => Member::KeyBlock,
        Problem::KeyClass | Problem::RawRsaOptIn => Member::KeyAttributes,
        Problem::KcvAlgorithm => Member::KeyCheckValueAlgorithm,
        Problem::KeyUsage
        | Problem::KeyNotUsable
        | Problem::KeyIdentifier
        | Problem::AttributesForKey
        | Problem::KeyBlockKbpk => Member::KeyIdentifier,
        Problem::DataLength { .. }
        | Problem::DataTooLong { .. }
        | Problem::PlaintextTooLong { .. }
        | Problem::RsaRawPlaintext
        | Problem::Hex => Member::Data,
        Problem::PolicyRefused => Member::Attributes,
        Problem::IvLength { .. } | Problem::IvWithEcb => Member::Attribute("InitializationVector"),
        Problem::ModeNotSupported { .. } => Member::Attribute("Mode"),
        Problem::PaddingType | Problem::PaddingTypeRequired => Member::Attribute("PaddingType"),
        Problem::KsnLength { .. } | Problem::KsnCounterZero => Member::Attribute("KeySerialNumber"),
        Problem::DerivationType { .. } => Member::Attribute("DukptKeyDerivationType"),
    }
}

/// What an error on a value says: a validation problem's own text, else the error's.
pub(super) fn describe(e: Error) -> String {
    match e {
        Error::Invalid { problem, .. } => problem.to_string(),
        other => other.to_string(),
    }
}

/// A typed-core error on the value of the member at `path`, as a field error.
pub(super) fn value_error(path: String, e: Error) -> ServiceError {
    ServiceError::field(path, describe(e))
}

impl Request {
    /// Map an error of the typed core onto AWS's error kinds, with the member paths of this request.
    #[must_use]
    pub fn map_error(&self, e: Error) -> ServiceError {
        let operation = self.operation();
        let default_side = match operation {
            Operation::EncryptData => Side::Outgoing,
            Operation::ReEncryptData | Operation::DecryptData => Side::Incoming,
        };
        let side = e.side().unwrap_or(default_side);
        let (id_member, attrs_member, data_member) = operation.members(side);
        let req: &SideRequest = self.side(side);
        match e {
            Error::KeyNotFound { .. } => ServiceError::ResourceNotFound {
                resource_id: req.key_identifier.clone(),
            },
            Error::AccessDenied { .. } => ServiceError::AccessDenied {
                message: format!(
                    "The key {} does not allow this operation (KeyModesOfUse)",
                    req.key_identifier
                ),
            },
            Error::Rng => ServiceError::InternalServer {
                message: "The random number generator failed".to_string(),
            },
            Error::Decryption => {
                ServiceError::field(data_member.to_string(), "Decryption failed".to_string())
            }
            Error::Invalid { problem, .. } => {
                let wrapped = req.wrapped.is_some();
                let path = match member(problem) {
                    Member::KeyBlock if wrapped => wrapped::key_block_path(operation, side),
                    Member::KeyCheckValueAlgorithm if wrapped => wrapped::kcv_path(operation, side),
                    Member::KeyIdentifier
                    | Member::KeyBlock
                    | Member::KeyMaterial
                    | Member::KeyAttributes
                    | Member::KeyCheckValueAlgorithm => id_member.to_string(),
                    Member::Data => data_member.to_string(),
                    Member::Attributes => attrs_member.to_string(),
                    Member::Attribute(name) => {
                        join(&join(attrs_member, req.attributes.kind_name()), name)
                    }
                };
                let message = match member(problem) {
                    Member::KeyIdentifier => format!("{problem} (key {})", req.key_identifier),
                    _ => problem.to_string(),
                };
                ServiceError::field(path, message)
            }
            Error::BufferTooSmall { .. } => {
                ServiceError::field(data_member.to_string(), e.to_string())
            }
        }
    }
}
