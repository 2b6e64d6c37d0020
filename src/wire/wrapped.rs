//! The wrapped-key members of the data operations: `IncomingWrappedKey` / `OutgoingWrappedKey`
//! (`ReEncryptData`) and `WrappedKey` (`EncryptData`, `DecryptData`), AWS's `WrappedKey` shape:
//!
//! ```json
//! {"WrappedKeyMaterial": {"Tr31KeyBlock": "D0112D0AD00E0000…"}, "KeyCheckValueAlgorithm": "CMAC"}
//! ```
//!
//! Checked here, on the way in: the union `WrappedKeyMaterial` has exactly one member; `Tr31KeyBlock`
//! is 56–9984 characters of `[0-9a-zA-Z]`; `DiffieHellmanSymmetricKey` (ECDH-derived KEKs) is refused
//! as not supported; `KeyCheckValueAlgorithm` is one of AWS's values, and `HMAC`/`SHA_1` do not apply to
//! a TDES or AES data key; the side's attributes are `Symmetric` (a wrapped key with `Dukpt` or
//! `Asymmetric` attributes is refused as not supported). No message repeats the block. The rules of
//! the key block and the KEK are the library's ([`crate::tr31::dynamic`]), mapped back onto
//! `…WrappedKey.WrappedKeyMaterial.Tr31KeyBlock` and `…WrappedKey.KeyCheckValueAlgorithm` by
//! [`Request::map_error`](super::Request::map_error).

use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;

use super::json::{Object, join};
use super::{Operation, ServiceError};
use crate::algorithm::AwsName;
use crate::error::Side;
use crate::kcv::KcvAlgorithm;
use crate::operation::EncryptionAttributes;

/// The shortest and longest `Tr31KeyBlock` AWS takes.
pub(super) const TR31_KEY_BLOCK_LEN: (usize, usize) = (56, 9984);

/// A `KeyCheckValueAlgorithm` value of AWS's list: the library's ([`KcvAlgorithm`]'s table) or `HMAC`
/// (AWS's, for HMAC keys; refused for a TDES or AES data key, as `SHA_1` is).
#[derive(Clone, Copy)]
enum KcvValue {
    Known(KcvAlgorithm),
    Hmac,
}

impl AwsName for KcvValue {
    fn aws_name(self) -> &'static str {
        match self {
            KcvValue::Known(a) => a.aws_name(),
            KcvValue::Hmac => "HMAC",
        }
    }
}

/// AWS's `KeyCheckValueAlgorithm` values, in AWS's order.
const KCV_VALUES: [KcvValue; 4] = [
    KcvValue::Known(KcvAlgorithm::Cmac),
    KcvValue::Known(KcvAlgorithm::AnsiX924),
    KcvValue::Hmac,
    KcvValue::Known(KcvAlgorithm::Sha1),
];

/// A side's wrapped key, as parsed. `Debug` shows the block's length, not the block.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKeyRequest {
    /// `WrappedKeyMaterial.Tr31KeyBlock`.
    pub key_block: String,
    /// `KeyCheckValueAlgorithm`.
    pub kcv_algorithm: Option<KcvAlgorithm>,
}

impl fmt::Debug for WrappedKeyRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappedKeyRequest")
            .field("key_block_len", &self.key_block.len())
            .field("kcv_algorithm", &self.kcv_algorithm)
            .finish()
    }
}

/// The request member of a side's wrapped key.
pub(super) const fn member(operation: Operation, side: Side) -> &'static str {
    match (operation, side) {
        (Operation::ReEncryptData, Side::Incoming) => "IncomingWrappedKey",
        (Operation::ReEncryptData, Side::Outgoing) => "OutgoingWrappedKey",
        (Operation::EncryptData | Operation::DecryptData, _) => "WrappedKey",
    }
}

/// The path of the key block of a side's wrapped key.
pub(super) fn key_block_path(operation: Operation, side: Side) -> String {
    join(
        &join(member(operation, side), "WrappedKeyMaterial"),
        "Tr31KeyBlock",
    )
}

/// The path of the check-value algorithm of a side's wrapped key.
pub(super) fn kcv_path(operation: Operation, side: Side) -> String {
    join(member(operation, side), "KeyCheckValueAlgorithm")
}

/// Parse a side's wrapped key member, if given, and check it against the side's attributes (at
/// `attrs_path`).
pub(super) fn parse(
    request: &Object<'_>,
    operation: Operation,
    side: Side,
    attributes: &EncryptionAttributes,
    attrs_path: &str,
) -> Result<Option<WrappedKeyRequest>, ServiceError> {
    let name = member(operation, side);
    let Some(value) = request.opt(name) else {
        return Ok(None);
    };
    let o = Object::new(
        value,
        name,
        &["WrappedKeyMaterial", "KeyCheckValueAlgorithm"],
    )?;
    let material_path = o.path_of("WrappedKeyMaterial");
    let material = Object::new(
        o.req("WrappedKeyMaterial")?,
        &material_path,
        &["Tr31KeyBlock", "DiffieHellmanSymmetricKey"],
    )?;
    let block = match (
        material.opt("Tr31KeyBlock"),
        material.opt("DiffieHellmanSymmetricKey"),
    ) {
        (Some(_), None) => material.req_str("Tr31KeyBlock")?,
        (None, Some(_)) => {
            return Err(ServiceError::field(
                material.path_of("DiffieHellmanSymmetricKey"),
                "DiffieHellmanSymmetricKey is not supported: only a Tr31KeyBlock can carry a \
                 wrapped key here"
                    .to_string(),
            ));
        }
        _ => {
            return Err(ServiceError::field(
                material_path,
                "Exactly one of Tr31KeyBlock or DiffieHellmanSymmetricKey must be set".to_string(),
            ));
        }
    };
    let (min, max) = TR31_KEY_BLOCK_LEN;
    material.check_len("Tr31KeyBlock", block, min, max)?;
    if !block.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ServiceError::field(
            material.path_of("Tr31KeyBlock"),
            "Member must satisfy regular expression pattern: [0-9a-zA-Z]+".to_string(),
        ));
    }
    let kcv_algorithm = match o.opt_enum("KeyCheckValueAlgorithm", &KCV_VALUES)? {
        None => None,
        Some(KcvValue::Known(a @ (KcvAlgorithm::AnsiX924 | KcvAlgorithm::Cmac))) => Some(a),
        Some(other) => {
            let name = other.aws_name();
            return Err(ServiceError::field(
                o.path_of("KeyCheckValueAlgorithm"),
                format!(
                    "KeyCheckValueAlgorithm {name} does not apply to a TDES or AES data key \
                     (ANSI_X9_24 or CMAC)"
                ),
            ));
        }
    };
    match attributes {
        EncryptionAttributes::Symmetric(_) => {}
        other => {
            let kind = other.kind_name();
            return Err(ServiceError::field(
                join(attrs_path, kind),
                format!("{kind} attributes are not supported with a wrapped key ({name})"),
            ));
        }
    }
    Ok(Some(WrappedKeyRequest {
        key_block: block.to_string(),
        kcv_algorithm,
    }))
}
