//! Requests: the three operations' JSON members parsed into the typed core, and run.
//!
//! Identifier patterns, hex, lengths, enum values, exactly-one-member unions and unknown members are all
//! checked on the way in (the validation table of `DECISIONS.md`), and every failure names the member it
//! concerns.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use rand_core::TryCryptoRng;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::error::{ServiceError, value_error};
#[cfg(doc)]
use super::handle_values;
use super::json::{Json, Object, join};
use super::wrapped::{self, WrappedKeyRequest};
use crate::algorithm::{Mode, SymmetricAlgorithm, vocabulary};
use crate::dukpt::{DukptKeyVariant, Ksn};
use crate::error::{Error, Side};
use crate::hex;
use crate::keystore::{Key, KeyIdentifier, KeyStore, MAX_IDENTIFIER_LEN};
use crate::operation::{
    AsymmetricAttributes, DukptAttributes, Encrypted, EncryptionAttributes, KeyUse, Policy, Run,
    SymmetricAttributes,
};
use crate::rsa::RsaPadding;
use crate::symmetric::Iv;

vocabulary! { aws
    /// The three data-plane operations.
    Operation {
        /// `ReEncryptData`.
        ReEncryptData = "ReEncryptData",
        /// `EncryptData`.
        EncryptData = "EncryptData",
        /// `DecryptData`.
        DecryptData = "DecryptData",
    }
}

impl Operation {
    /// The member that AWS's rest-json protocol carries in the request path rather than the body:
    /// `IncomingKeyIdentifier` for `ReEncryptData`, `KeyIdentifier` for the other two.
    #[must_use]
    pub const fn path_member(self) -> &'static str {
        match self {
            Operation::ReEncryptData => "IncomingKeyIdentifier",
            Operation::EncryptData | Operation::DecryptData => "KeyIdentifier",
        }
    }

    /// The request members naming a side's key identifier, attributes and data.
    pub(super) const fn members(self, side: Side) -> (&'static str, &'static str, &'static str) {
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

fn parse_identifier(o: &Object<'_>, member: &str) -> Result<String, ServiceError> {
    let s = o.req_str(member)?;
    o.check_len(member, s, 7, MAX_IDENTIFIER_LEN)?;
    KeyIdentifier::parse(s).map_err(|e| value_error(o.path_of(member), e))?;
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
    hex::decode(s, &mut buf).map_err(|e| value_error(o.path_of(member), e))?;
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
    o.opt_enum("PaddingType", &RsaPadding::ALL)
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
                mode: o.req_enum("Mode", &Mode::ALL)?,
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
                    .opt_enum("Mode", &[Mode::Ecb, Mode::Cbc])?
                    .unwrap_or(Mode::Cbc),
                derivation_type: o.opt_enum("DukptKeyDerivationType", &SymmetricAlgorithm::ALL)?,
                variant: o.opt_enum("DukptKeyVariant", &DukptKeyVariant::ALL)?,
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
    ///
    /// # Errors
    ///
    /// The request's error in AWS's shape, naming the member at fault.
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
    ///
    /// # Errors
    ///
    /// As [`Request::from_json`].
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
    ///
    /// # Errors
    ///
    /// As [`Request::from_json`].
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
    #[must_use]
    pub fn operation(&self) -> Operation {
        match self {
            Request::ReEncryptData { .. } => Operation::ReEncryptData,
            Request::EncryptData { .. } => Operation::EncryptData,
            Request::DecryptData { .. } => Operation::DecryptData,
        }
    }

    pub(super) fn side(&self, side: Side) -> &SideRequest {
        match (self, side) {
            (Request::ReEncryptData { incoming, .. }, Side::Incoming) => incoming,
            (Request::ReEncryptData { outgoing, .. }, Side::Outgoing) => outgoing,
            (Request::EncryptData { key, .. } | Request::DecryptData { key, .. }, _) => key,
        }
    }

    /// Run the request against `store`; the AWS response JSON (a `DecryptData` response holds the
    /// plaintext's hex: [`Json`] wipes it on drop).
    ///
    /// # Errors
    ///
    /// The operation's error in AWS's shape ([`Request::map_error`]).
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
        let run = Run {
            policy,
            derived: [None, None],
        };
        self.execute_with(store, rng, run)
    }

    /// [`Request::execute`] with a [`Run`]: the policy and the DUKPT working keys a batch derived
    /// ahead ([`handle_values`](super::handle_values)).
    pub(super) fn execute_with<S, R>(
        &self,
        store: &S,
        rng: &mut R,
        run: Run<'_>,
    ) -> Result<Json, ServiceError>
    where
        S: KeyStore + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        self.run(store, rng, run).map_err(|e| self.map_error(e))
    }

    /// The side's key and its attributes: the side's working key if it has a wrapped key
    /// ([`Request::working_key`]), else its key looked up.
    fn key_use<'s, S: KeyStore + ?Sized>(
        &self,
        store: &'s S,
        side: Side,
        working: Option<&'s Key>,
    ) -> Result<KeyUse<'s>, Error> {
        let req = self.side(side);
        let key = match working {
            Some(key) => key,
            None => store
                .lookup(&req.key_identifier)
                .map_err(|e| e.with_side(side))?,
        };
        Ok(KeyUse::new(key, req.attributes))
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
        let kek = store
            .lookup(&req.key_identifier)
            .map_err(|e| e.with_side(side))?;
        crate::tr31::dynamic::WrappedKey {
            kek,
            key_block: &w.key_block,
            kcv_algorithm: w.kcv_algorithm,
        }
        .working_key(&req.attributes, side, policy)
        .map(Some)
    }

    fn run<'k, S, R>(&self, store: &'k S, rng: &mut R, run: Run<'k>) -> Result<Json, Error>
    where
        S: KeyStore + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        let encrypted = |out: Encrypted| {
            Json::from(json!({
                "CipherText": hex::encode_upper_string(&out.ciphertext),
                "KeyArn": out.receipt.key_arn.as_str(),
                "KeyCheckValue": out.receipt.kcv.to_string(),
            }))
        };
        match self {
            Request::ReEncryptData { ciphertext, .. } => {
                let working_in = self.working_key(store, Side::Incoming, run.policy)?;
                let working_out = self.working_key(store, Side::Outgoing, run.policy)?;
                let incoming = self.key_use(store, Side::Incoming, working_in.as_ref())?;
                let outgoing = self.key_use(store, Side::Outgoing, working_out.as_ref())?;
                run.reencrypt(&incoming, &outgoing, ciphertext, rng)
                    .map(encrypted)
            }
            Request::EncryptData { plaintext, .. } => {
                let working = self.working_key(store, Side::Outgoing, run.policy)?;
                let key = self.key_use(store, Side::Outgoing, working.as_ref())?;
                run.encrypt(&key, plaintext, rng).map(encrypted)
            }
            Request::DecryptData { ciphertext, .. } => {
                let working = self.working_key(store, Side::Incoming, run.policy)?;
                let key = self.key_use(store, Side::Incoming, working.as_ref())?;
                let out = run.decrypt(&key, ciphertext, rng)?;
                // The response is the one place the plaintext is meant to leave (DecryptData): its
                // hex is built in a string of exact capacity that goes straight into a `Json`, which
                // wipes it on drop.
                let mut response = Json::from(json!({
                    "KeyArn": out.receipt.key_arn.as_str(),
                    "KeyCheckValue": out.receipt.kcv.to_string(),
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
