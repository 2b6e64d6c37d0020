//! The AWS wire format (feature `serde`): `ReEncryptData`, `EncryptData` and `DecryptData` requests and
//! responses as JSON, with AWS's member names, and AWS's error shapes.
//!
//! Requests are parsed into the typed core here, and only here: identifier patterns, hex, lengths, enum
//! values, exactly-one-member unions and unknown members are all checked on the way in, and every
//! failure names the member it concerns. Errors of the typed core are mapped onto AWS's error kinds
//! with the same paths.
//!
//! ```
//! # #[cfg(feature = "serde")] {
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
//! let out = wire::handle(&store, Operation::EncryptData, r#"{"KeyIdentifier": "alias/demo",
//!     "PlainText": "0102030405060708",
//!     "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}"#, &mut paycrypt::rsa::OsRng, Policy::Documented)
//!     .unwrap();
//! assert_eq!(out["CipherText"], "B064B6C2571C65D5");
//! assert_eq!(out["KeyCheckValue"], "9295B5");
//! # }
//! ```

mod batch;
mod json;
mod keystore_file;
mod wrapped;

pub use batch::handle_values;
pub use json::{Json, JsonError, MAX_ECHO, echo};
pub use keystore_file::KeyStoreFileError;
pub use wrapped::WrappedKeyRequest;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use rand_core::TryCryptoRng;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::dukpt::{DukptKeyVariant, Ksn};
use crate::error::{AwsErrorKind, Error, Member, Side};
use crate::hex;
use crate::key::{KeyAlgorithm, SymmetricKey};
use crate::keystore::{Key, KeyStore, lookup};
use crate::reencrypt::{
    self, AsymmetricAttributes, DukptAttributes, EncryptionAttributes, KeyUse, Policy,
    SymmetricAttributes,
};
use crate::rsa::RsaPadding;
use crate::symmetric::{Iv, Mode};

use json::{Object, join};

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
    /// A validation error on one member.
    pub(crate) fn field(path: String, message: String) -> Self {
        ServiceError::Validation {
            message: format!("{path}: {message}"),
            field_list: alloc::vec![FieldError { path, message }],
        }
    }

    /// The AWS error name, e.g. `ValidationException`.
    pub fn name(&self) -> &'static str {
        match self {
            ServiceError::Validation { .. } => AwsErrorKind::Validation.name(),
            ServiceError::AccessDenied { .. } => AwsErrorKind::AccessDenied.name(),
            ServiceError::ResourceNotFound { .. } => AwsErrorKind::ResourceNotFound.name(),
            ServiceError::Throttling { .. } => "ThrottlingException",
            ServiceError::InternalServer { .. } => AwsErrorKind::InternalServer.name(),
        }
    }

    /// The error's JSON members, in AWS's shape (`message` is lower case for validation only).
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

/// The three data-plane operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `ReEncryptData`.
    ReEncryptData,
    /// `EncryptData`.
    EncryptData,
    /// `DecryptData`.
    DecryptData,
}

impl Operation {
    /// The AWS operation name.
    pub const fn name(self) -> &'static str {
        match self {
            Operation::ReEncryptData => "ReEncryptData",
            Operation::EncryptData => "EncryptData",
            Operation::DecryptData => "DecryptData",
        }
    }

    /// Parse an AWS operation name.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Operation::ReEncryptData,
            Operation::EncryptData,
            Operation::DecryptData,
        ]
        .into_iter()
        .find(|o| o.name() == name)
    }

    /// The member that AWS's rest-json protocol carries in the request path rather than the body:
    /// `IncomingKeyIdentifier` for `ReEncryptData`, `KeyIdentifier` for the other two.
    pub const fn path_member(self) -> &'static str {
        match self {
            Operation::ReEncryptData => "IncomingKeyIdentifier",
            Operation::EncryptData | Operation::DecryptData => "KeyIdentifier",
        }
    }

    /// The request members naming a side's key identifier, attributes and data.
    const fn members(self, side: Side) -> (&'static str, &'static str, &'static str) {
        match (self, side) {
            (Operation::ReEncryptData, Side::Incoming) => (
                "IncomingKeyIdentifier",
                "IncomingEncryptionAttributes",
                "CipherText",
            ),
            (Operation::ReEncryptData, Side::Outgoing) => (
                "OutgoingKeyIdentifier",
                "OutgoingEncryptionAttributes",
                "CipherText",
            ),
            (Operation::EncryptData, _) => ("KeyIdentifier", "EncryptionAttributes", "PlainText"),
            (Operation::DecryptData, _) => ("KeyIdentifier", "DecryptionAttributes", "CipherText"),
        }
    }
}

/// One side of a parsed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideRequest {
    /// The key identifier as given.
    pub key_identifier: String,
    /// The typed attributes.
    pub attributes: EncryptionAttributes,
    /// The side's wrapped key (`IncomingWrappedKey`, `OutgoingWrappedKey`, `WrappedKey`): then the key
    /// identifier names its KEK.
    pub wrapped: Option<WrappedKeyRequest>,
}

/// A parsed request of any of the three operations. `Debug` shows the sides and the data's length,
/// never the data.
pub enum Request {
    /// `ReEncryptData`.
    ReEncryptData {
        /// `IncomingKeyIdentifier` + `IncomingEncryptionAttributes`.
        incoming: SideRequest,
        /// `OutgoingKeyIdentifier` + `OutgoingEncryptionAttributes`.
        outgoing: SideRequest,
        /// `CipherText`, decoded.
        ciphertext: Vec<u8>,
    },
    /// `EncryptData`.
    EncryptData {
        /// `KeyIdentifier` + `EncryptionAttributes`.
        key: SideRequest,
        /// `PlainText`, decoded (wiped on drop).
        plaintext: Zeroizing<Vec<u8>>,
    },
    /// `DecryptData`.
    DecryptData {
        /// `KeyIdentifier` + `DecryptionAttributes`.
        key: SideRequest,
        /// `CipherText`, decoded.
        ciphertext: Vec<u8>,
    },
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::ReEncryptData {
                incoming,
                outgoing,
                ciphertext,
            } => f
                .debug_struct("ReEncryptData")
                .field("incoming", incoming)
                .field("outgoing", outgoing)
                .field("ciphertext_len", &ciphertext.len())
                .finish(),
            Request::EncryptData { key, plaintext } => f
                .debug_struct("EncryptData")
                .field("key", key)
                .field("plaintext_len", &plaintext.len())
                .finish_non_exhaustive(),
            Request::DecryptData { key, ciphertext } => f
                .debug_struct("DecryptData")
                .field("key", key)
                .field("ciphertext_len", &ciphertext.len())
                .finish(),
        }
    }
}

const MODES: [&str; 8] = [
    "ECB", "CBC", "CFB", "CFB1", "CFB8", "CFB64", "CFB128", "OFB",
];
const DUKPT_MODES: [&str; 2] = ["ECB", "CBC"];
const PADDINGS: [&str; 4] = ["PKCS1", "OAEP_SHA1", "OAEP_SHA256", "OAEP_SHA512"];
const DERIVATION_TYPES: [&str; 5] = ["TDES_2KEY", "TDES_3KEY", "AES_128", "AES_192", "AES_256"];
const VARIANTS: [&str; 3] = ["BIDIRECTIONAL", "REQUEST", "RESPONSE"];

/// Map a typed-core error on a value to a field error.
fn value_error(path: String, e: Error) -> ServiceError {
    let message = match e {
        Error::Invalid { problem, .. } => problem.to_string(),
        other => other.to_string(),
    };
    ServiceError::field(path, message)
}

fn parse_identifier(o: &Object<'_>, member: &str) -> Result<String, ServiceError> {
    let s = o.req_str(member)?;
    o.check_len(member, s, 7, crate::key::MAX_IDENTIFIER_LEN)?;
    crate::key::KeyIdentifier::parse(s).map_err(|e| value_error(o.path_of(member), e))?;
    Ok(s.to_string())
}

/// A hex member of `min..=max` digits, decoded into a buffer that is wiped on drop.
fn parse_hex(
    o: &Object<'_>,
    member: &str,
    min: usize,
    max: usize,
) -> Result<Zeroizing<Vec<u8>>, ServiceError> {
    let s = o.req_str(member)?;
    o.check_len(member, s, min, max)?;
    let mut buf = Zeroizing::new(alloc::vec![0u8; s.len() / 2]);
    hex::decode_mut(s, &mut buf).map_err(|e| value_error(o.path_of(member), e))?;
    Ok(buf)
}

fn parse_iv(o: &Object<'_>) -> Result<Option<Iv>, ServiceError> {
    let member = "InitializationVector";
    let Some(s) = o.opt_str(member)? else {
        return Ok(None);
    };
    o.check_len(member, s, 16, 32)?;
    Iv::from_hex(s)
        .map(Some)
        .map_err(|e| value_error(o.path_of(member), e))
}

fn parse_padding(o: &Object<'_>) -> Result<Option<RsaPadding>, ServiceError> {
    o.opt_enum("PaddingType", &PADDINGS, RsaPadding::from_aws_name)
}

fn parse_attributes(value: &Value, path: &str) -> Result<EncryptionAttributes, ServiceError> {
    let union = Object::new(value, path, &["Symmetric", "Asymmetric", "Dukpt"])?;
    let given: Vec<&str> = ["Symmetric", "Asymmetric", "Dukpt"]
        .into_iter()
        .filter(|m| union.opt(m).is_some())
        .collect();
    let [kind] = given.as_slice() else {
        return Err(ServiceError::field(
            path.to_string(),
            "Exactly one of Symmetric, Asymmetric or Dukpt must be set".to_string(),
        ));
    };
    let inner_path = join(path, kind);
    let inner = union.req(kind)?;
    Ok(match *kind {
        "Symmetric" => {
            let o = Object::new(
                inner,
                &inner_path,
                &["Mode", "InitializationVector", "PaddingType"],
            )?;
            EncryptionAttributes::Symmetric(SymmetricAttributes {
                mode: o.req_enum("Mode", &MODES, Mode::from_aws_name)?,
                iv: parse_iv(&o)?,
                padding: parse_padding(&o)?,
            })
        }
        "Asymmetric" => {
            let o = Object::new(inner, &inner_path, &["PaddingType"])?;
            EncryptionAttributes::Asymmetric(AsymmetricAttributes {
                padding: parse_padding(&o)?,
            })
        }
        _ => {
            let o = Object::new(
                inner,
                &inner_path,
                &[
                    "KeySerialNumber",
                    "Mode",
                    "DukptKeyDerivationType",
                    "DukptKeyVariant",
                    "InitializationVector",
                ],
            )?;
            let ksn_text = o.req_str("KeySerialNumber")?;
            o.check_len("KeySerialNumber", ksn_text, 10, 24)?;
            let ksn = Ksn::from_hex(ksn_text)
                .map_err(|e| value_error(o.path_of("KeySerialNumber"), e))?;
            EncryptionAttributes::Dukpt(DukptAttributes {
                ksn,
                mode: o
                    .opt_enum("Mode", &DUKPT_MODES, |s| {
                        Mode::from_aws_name(s).filter(|m| matches!(m, Mode::Ecb | Mode::Cbc))
                    })?
                    .unwrap_or(Mode::Cbc),
                derivation_type: o.opt_enum("DukptKeyDerivationType", &DERIVATION_TYPES, |s| {
                    match KeyAlgorithm::from_aws_name(s) {
                        Some(KeyAlgorithm::Symmetric(a)) => Some(a),
                        _ => None,
                    }
                })?,
                variant: o.opt_enum(
                    "DukptKeyVariant",
                    &VARIANTS,
                    DukptKeyVariant::from_aws_name,
                )?,
                iv: parse_iv(&o)?,
            })
        }
    })
}

fn parse_side(
    o: &Object<'_>,
    operation: Operation,
    side: Side,
) -> Result<SideRequest, ServiceError> {
    let (id, attrs, _) = operation.members(side);
    let key_identifier = parse_identifier(o, id)?;
    let attributes = parse_attributes(o.req(attrs)?, attrs)?;
    let wrapped = wrapped::parse(o, operation, side, &attributes, attrs)?;
    Ok(SideRequest {
        key_identifier,
        attributes,
        wrapped,
    })
}

impl Request {
    /// Parse a request of `operation` from JSON text ([`Json::parse`]: a member given twice is a
    /// `ValidationException` naming it). The parsed document is wiped before this returns; `text` is
    /// the caller's to wipe.
    pub fn from_json(operation: Operation, text: &str) -> Result<Self, ServiceError> {
        let value = parse_text(text)?;
        Self::from_value(operation, &value)
    }

    /// Parse a request of `operation` as AWS's rest-json protocol sends it: the key identifier that
    /// the request's path carried (`/keys/{KeyIdentifier}/encrypt`, `/decrypt`, and
    /// `/keys/{IncomingKeyIdentifier}/reencrypt`; already percent-decoded, once), and the body's JSON
    /// text holding the other members. An empty body is `{}`.
    ///
    /// The body goes through the same text parsing and the same checks as [`Request::from_json`]; the
    /// path identifier is then checked as that member. A body that carries the path's member too is
    /// refused as an unknown member (the protocol never puts it there).
    pub fn from_rest_json(
        operation: Operation,
        path_identifier: &str,
        body: &str,
    ) -> Result<Self, ServiceError> {
        let mut value = if body.trim().is_empty() {
            Json::from(Value::Object(serde_json::Map::new()))
        } else {
            parse_text(body)?
        };
        let member = operation.path_member();
        let Some(map) = value.as_object_mut() else {
            return Err(ServiceError::field(
                "$".to_string(),
                "Value must be a JSON object (structure)".to_string(),
            ));
        };
        if map.contains_key(member) {
            return Err(ServiceError::field(
                member.to_string(),
                format!("Unknown member '{member}' (it belongs in the request path)"),
            ));
        }
        map.insert(
            member.to_string(),
            Value::String(path_identifier.to_string()),
        );
        Self::from_value(operation, &value)
    }

    /// Parse a request of `operation` from a JSON value.
    pub fn from_value(operation: Operation, value: &Value) -> Result<Self, ServiceError> {
        // CipherText: AWS's current range, 2–4224 hex digits; PlainText: 2–4096.
        match operation {
            Operation::ReEncryptData => {
                let o = Object::new(
                    value,
                    "",
                    &[
                        "IncomingKeyIdentifier",
                        "OutgoingKeyIdentifier",
                        "CipherText",
                        "IncomingEncryptionAttributes",
                        "OutgoingEncryptionAttributes",
                        "IncomingWrappedKey",
                        "OutgoingWrappedKey",
                    ],
                )?;
                let incoming = parse_side(&o, operation, Side::Incoming)?;
                let outgoing = parse_side(&o, operation, Side::Outgoing)?;
                let ciphertext = parse_hex(&o, "CipherText", 2, 4224)?.to_vec();
                Ok(Request::ReEncryptData {
                    incoming,
                    outgoing,
                    ciphertext,
                })
            }
            Operation::EncryptData => {
                let o = Object::new(
                    value,
                    "",
                    &[
                        "KeyIdentifier",
                        "PlainText",
                        "EncryptionAttributes",
                        "WrappedKey",
                    ],
                )?;
                let key = parse_side(&o, operation, Side::Outgoing)?;
                let plaintext = parse_hex(&o, "PlainText", 2, 4096)?;
                Ok(Request::EncryptData { key, plaintext })
            }
            Operation::DecryptData => {
                let o = Object::new(
                    value,
                    "",
                    &[
                        "KeyIdentifier",
                        "CipherText",
                        "DecryptionAttributes",
                        "WrappedKey",
                    ],
                )?;
                let key = parse_side(&o, operation, Side::Incoming)?;
                let ciphertext = parse_hex(&o, "CipherText", 2, 4224)?.to_vec();
                Ok(Request::DecryptData { key, ciphertext })
            }
        }
    }

    /// The operation of this request.
    pub fn operation(&self) -> Operation {
        match self {
            Request::ReEncryptData { .. } => Operation::ReEncryptData,
            Request::EncryptData { .. } => Operation::EncryptData,
            Request::DecryptData { .. } => Operation::DecryptData,
        }
    }

    fn side(&self, side: Side) -> &SideRequest {
        match (self, side) {
            (Request::ReEncryptData { incoming, .. }, Side::Incoming) => incoming,
            (Request::ReEncryptData { outgoing, .. }, Side::Outgoing) => outgoing,
            (Request::EncryptData { key, .. } | Request::DecryptData { key, .. }, _) => key,
        }
    }

    /// Map an error of the typed core onto AWS's error kinds, with the member paths of this request.
    pub fn map_error(&self, e: Error) -> ServiceError {
        let operation = self.operation();
        let default_side = match operation {
            Operation::EncryptData => Side::Outgoing,
            Operation::ReEncryptData | Operation::DecryptData => Side::Incoming,
        };
        let side = e.side().unwrap_or(default_side);
        let (id_member, attrs_member, data_member) = operation.members(side);
        let req = self.side(side);
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
                let attr = |m: &str| join(&join(attrs_member, req.attributes.kind_name()), m);
                let wrapped = req.wrapped.is_some();
                let path = match problem.member() {
                    Member::KeyBlock if wrapped => wrapped::key_block_path(operation, side),
                    Member::KeyCheckValueAlgorithm if wrapped => wrapped::kcv_path(operation, side),
                    Member::KeyIdentifier
                    | Member::KeyMaterial
                    | Member::KeyAttributes
                    | Member::KeyBlock
                    | Member::KeyCheckValueAlgorithm => id_member.to_string(),
                    Member::Data => data_member.to_string(),
                    Member::Attributes => attrs_member.to_string(),
                    Member::Mode => attr("Mode"),
                    Member::InitializationVector => attr("InitializationVector"),
                    Member::PaddingType => attr("PaddingType"),
                    Member::KeySerialNumber => attr("KeySerialNumber"),
                    Member::DukptKeyDerivationType => attr("DukptKeyDerivationType"),
                    Member::DukptKeyVariant => attr("DukptKeyVariant"),
                };
                let message = match problem.member() {
                    Member::KeyIdentifier => {
                        format!("{} (key {})", problem, req.key_identifier)
                    }
                    _ => problem.to_string(),
                };
                ServiceError::field(path, message)
            }
            Error::BufferTooSmall { .. } => {
                ServiceError::field(data_member.to_string(), e.to_string())
            }
        }
    }

    /// Run the request against `store`; the AWS response JSON (a `DecryptData` response holds the
    /// plaintext's hex: [`Json`] wipes it on drop).
    pub fn execute<S, R>(
        &self,
        store: &S,
        rng: &mut R,
        policy: Policy,
    ) -> Result<Json, ServiceError>
    where
        S: KeyStore + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        self.run(store, rng, policy).map_err(|e| self.map_error(e))
    }

    fn key_use<'s, S: KeyStore + ?Sized>(
        &self,
        store: &'s S,
        side: Side,
        working: Option<&'s Key>,
    ) -> Result<KeyUse<'s>, Error> {
        let req = self.side(side);
        Ok(KeyUse {
            key: match working {
                Some(key) => key,
                None => lookup(store, &req.key_identifier, side)?,
            },
            attributes: req.attributes,
        })
    }

    /// The working key of a side with a wrapped key: the KEK looked up, the block unwrapped under it
    /// ([`WrappedKey::working_key`](crate::tr31::dynamic::WrappedKey::working_key)); `None` for a side
    /// with a stored key.
    fn working_key<S: KeyStore + ?Sized>(
        &self,
        store: &S,
        side: Side,
        policy: Policy,
    ) -> Result<Option<Key>, Error> {
        let req = self.side(side);
        let Some(w) = &req.wrapped else {
            return Ok(None);
        };
        let kek = lookup(store, &req.key_identifier, side)?;
        crate::tr31::dynamic::WrappedKey {
            kek,
            key_block: &w.key_block,
            kcv_algorithm: w.kcv_algorithm,
        }
        .working_key(&req.attributes, side, policy)
        .map(Some)
    }

    fn run<S, R>(&self, store: &S, rng: &mut R, policy: Policy) -> Result<Json, Error>
    where
        S: KeyStore + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        self.run_derived(store, rng, policy, [None, None])
    }

    /// [`Request::run`] with the DUKPT working keys of the (incoming, outgoing) sides already derived
    /// by a batch derivation; see [`handle_values`].
    fn run_derived<S, R>(
        &self,
        store: &S,
        rng: &mut R,
        policy: Policy,
        derived: [Option<&SymmetricKey>; 2],
    ) -> Result<Json, Error>
    where
        S: KeyStore + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        let encrypted = |out: reencrypt::Encrypted| {
            Json::from(json!({
                "CipherText": hex::encode_upper_string(&out.ciphertext),
                "KeyArn": out.key_arn.as_str(),
                "KeyCheckValue": out.kcv.to_string(),
            }))
        };
        match self {
            Request::ReEncryptData { ciphertext, .. } => {
                let working_in = self.working_key(store, Side::Incoming, policy)?;
                let working_out = self.working_key(store, Side::Outgoing, policy)?;
                let incoming = self.key_use(store, Side::Incoming, working_in.as_ref())?;
                let outgoing = self.key_use(store, Side::Outgoing, working_out.as_ref())?;
                reencrypt::reencrypt_derived(&incoming, &outgoing, ciphertext, rng, policy, derived)
                    .map(encrypted)
            }
            Request::EncryptData { plaintext, .. } => {
                let working = self.working_key(store, Side::Outgoing, policy)?;
                let key = self.key_use(store, Side::Outgoing, working.as_ref())?;
                reencrypt::encrypt_derived(&key, plaintext, rng, derived[1]).map(encrypted)
            }
            Request::DecryptData { ciphertext, .. } => {
                let working = self.working_key(store, Side::Incoming, policy)?;
                let key = self.key_use(store, Side::Incoming, working.as_ref())?;
                let out = reencrypt::decrypt_derived(&key, ciphertext, rng, derived[0])?;
                // The response is the one place the plaintext is meant to leave (DecryptData): its
                // hex is built in a string of exact capacity that goes straight into a `Json`, which
                // wipes it on drop.
                let mut response = Json::from(json!({
                    "KeyArn": out.key_arn.as_str(),
                    "KeyCheckValue": out.kcv.to_string(),
                }));
                if let Some(members) = response.as_object_mut() {
                    members.insert(
                        "PlainText".to_string(),
                        Value::String(hex::encode_upper_string(&out.plaintext)),
                    );
                }
                Ok(response)
            }
        }
    }
}

/// The request text as JSON ([`Json::parse`]): the one text parser of requests.
fn parse_text(text: &str) -> Result<Json, ServiceError> {
    Json::parse(text).map_err(|e| e.to_service("Request is not valid JSON"))
}

/// Parse and run one request of `operation` given as JSON text: the AWS response JSON or AWS error.
///
/// Nothing of the request or response is left unwiped by the library: the parsed document, the decoded
/// data and the response ([`Json`]) are wiped on drop. `request` is the caller's to wipe, and so is
/// whatever the caller makes of the response (write it with [`Json::to_text`]).
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

/// Parse and run one request given as a JSON value (the caller's to wipe: hold it in a [`Json`]).
pub fn handle_value<S, R>(
    store: &S,
    operation: Operation,
    request: &Value,
    rng: &mut R,
    policy: Policy,
) -> Result<Json, ServiceError>
where
    S: KeyStore + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    Request::from_value(operation, request)?.execute(store, rng, policy)
}

/// The operation names an envelope may give.
const OPERATIONS: [&str; 3] = ["ReEncryptData", "EncryptData", "DecryptData"];

/// Parse and run one *envelope*: `{"Operation": "ReEncryptData" | "EncryptData" | "DecryptData",
/// "Input": {…the AWS request…}}`, paycrypt's own shape for one request of a JSON-lines batch (not
/// AWS's). Errors are the request's, with the envelope's members (`Operation`, `Input`, an unknown
/// member) named at the top level; a member given twice anywhere is a `ValidationException`. As
/// [`handle`], nothing of the line or the answer is left unwiped by the library.
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
    let operation = envelope.req_enum("Operation", &OPERATIONS, Operation::from_name)?;
    Ok((operation, envelope.req("Input")?))
}
