//! The control plane's requests (`payment-cryptography`, awsJson1_0, `X-Amz-Target:
//! PaymentCryptographyControlPlane.<Operation>`), parsed into typed requests: key lifecycle, aliases,
//! tags and key exchange.
//!
//! Every member is checked here against the service model (botocore's `payment-cryptography`
//! 2021-09-14): required members, types, lengths, patterns, enum values, exactly-one-member unions and
//! unknown members, each failure a `ValidationException` naming its member path. Key attributes are read
//! by the same reader as the key-store document's and must form one of AWS's valid combinations where a
//! key is made ([`KeyAttributes::check_combination`](crate::KeyAttributes::check_combination)). What
//! needs the state — whether a key or alias exists, conflicts, key states — is the server's.
//!
//! Values of the AWS model that paycrypt has no implementation for are refused by name rather than as
//! unknown: HMAC and ECC key algorithms, the `TR31_M0` usage, `DeriveKeyUsage` (ECC key agreement),
//! `ReplicationRegions`, and the TR-34, ECDH and AS2805 key exchanges. No value of a secret member
//! (key material in a magic tag, a wrapped key) is repeated in an error; identifiers and enum values
//! are cut to [`MAX_ECHO`](super::MAX_ECHO) characters.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::ServiceError;
use super::json::{Json, Object, echo};
use super::keystore_file::{parse_attributes_value, parse_modes};
use super::keystore_record::{Tag, parse_tags};
use crate::algorithm::{KeyAlgorithm, RsaSize};
use crate::kcv::KcvAlgorithm;
use crate::keystore::{KeyArn, KeyAttributes, KeyIdentifier, KeyState};
use crate::rsa::RsaPadding;
use crate::tr31::exchange::ExportHeaders;
use crate::tr31::{Exportability, OptionalBlock};

/// AWS `KeyAlgorithm` values paycrypt has no key type for.
pub const UNSUPPORTED_ALGORITHMS: [&str; 7] = [
    "HMAC_SHA224",
    "HMAC_SHA256",
    "HMAC_SHA384",
    "HMAC_SHA512",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
];

/// AWS `KeyUsage` values paycrypt has no key usage for.
pub const UNSUPPORTED_USAGES: [&str; 1] = ["TR31_M0_ISO_16609_MAC_KEY"];

/// Every operation of the control plane's model, in its order.
pub const OPERATIONS: [&str; 32] = [
    "AddKeyReplicationRegions",
    "AssociateMpaTeam",
    "CreateAlias",
    "CreateKey",
    "DeleteAlias",
    "DeleteKey",
    "DeleteResourcePolicy",
    "DisableDefaultKeyReplicationRegions",
    "DisassociateMpaTeam",
    "EnableDefaultKeyReplicationRegions",
    "ExportKey",
    "GetAlias",
    "GetCertificateSigningRequest",
    "GetDefaultKeyReplicationRegions",
    "GetKey",
    "GetMpaTeamAssociation",
    "GetParametersForExport",
    "GetParametersForImport",
    "GetPublicKeyCertificate",
    "GetResourcePolicy",
    "ImportKey",
    "ListAliases",
    "ListKeys",
    "ListTagsForResource",
    "PutResourcePolicy",
    "RemoveKeyReplicationRegions",
    "RestoreKey",
    "StartKeyUsage",
    "StopKeyUsage",
    "TagResource",
    "UntagResource",
    "UpdateAlias",
];

/// The operations [`ControlRequest::from_json`] parses.
pub const PARSED_OPERATIONS: [&str; 19] = [
    "CreateAlias",
    "CreateKey",
    "DeleteAlias",
    "DeleteKey",
    "ExportKey",
    "GetAlias",
    "GetKey",
    "GetParametersForImport",
    "GetPublicKeyCertificate",
    "ImportKey",
    "ListAliases",
    "ListKeys",
    "ListTagsForResource",
    "RestoreKey",
    "StartKeyUsage",
    "StopKeyUsage",
    "TagResource",
    "UntagResource",
    "UpdateAlias",
];

/// `ValidationException` for a member whose value is an AWS feature paycrypt does not implement.
fn unsupported(path: String, what: &str) -> ServiceError {
    ServiceError::field(path, format!("{what} is not supported by this emulator"))
}

/// `NextToken` and `MaxResults` of a list operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// `NextToken` (1–8192 characters, opaque: the server's own).
    pub next_token: Option<String>,
    /// `MaxResults` (1–100, default 50).
    pub max_results: usize,
}

/// `CreateKey`.
#[derive(Debug, PartialEq, Eq)]
pub struct CreateKey {
    /// `KeyAttributes`, a valid AWS combination.
    pub attributes: KeyAttributes,
    /// `Exportable` (required).
    pub exportable: bool,
    /// `Enabled` (default true).
    pub enabled: bool,
    /// `KeyCheckValueAlgorithm`.
    pub kcv_algorithm: Option<KcvAlgorithm>,
    /// `Tags` (wiped on drop: an emulator's magic tags may carry key material).
    pub tags: Vec<Tag>,
}

/// `ImportKey.KeyMaterial`.
#[derive(PartialEq, Eq)]
pub enum ImportMaterial {
    /// `Tr31KeyBlock`.
    Tr31KeyBlock {
        /// `WrappingKeyIdentifier`: the KEK.
        wrapping_key_identifier: String,
        /// `WrappedKeyBlock` (56–9984 alphanumerics).
        wrapped_key_block: String,
    },
    /// `KeyCryptogram`: a key wrapped with RSA-OAEP under an import token's wrapping key.
    KeyCryptogram {
        /// `KeyAttributes` (a symmetric key, a valid AWS combination).
        attributes: KeyAttributes,
        /// `Exportable`.
        exportable: bool,
        /// `WrappedKeyCryptogram`, decoded.
        wrapped_key_cryptogram: Vec<u8>,
        /// `ImportToken`.
        import_token: String,
        /// `WrappingSpec`: OAEP with SHA-256 (the default) or SHA-512.
        wrapping_spec: RsaPadding,
    },
    /// `RootCertificatePublicKey`: a CA certificate.
    RootCertificatePublicKey {
        /// `KeyAttributes` (a public key, a valid AWS combination).
        attributes: KeyAttributes,
        /// `PublicKeyCertificate`: base64 of the PEM text, as given.
        certificate: String,
    },
    /// `TrustedCertificatePublicKey`: a certificate signed by an imported root.
    TrustedCertificatePublicKey {
        /// `KeyAttributes` (a public key, a valid AWS combination).
        attributes: KeyAttributes,
        /// `PublicKeyCertificate`: base64 of the PEM text, as given.
        certificate: String,
        /// `CertificateAuthorityPublicKeyIdentifier`: the root that signed it.
        certificate_authority: String,
    },
}

impl fmt::Debug for ImportMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportMaterial::Tr31KeyBlock {
                wrapping_key_identifier,
                wrapped_key_block,
            } => f
                .debug_struct("Tr31KeyBlock")
                .field("wrapping_key_identifier", wrapping_key_identifier)
                .field("wrapped_key_block_len", &wrapped_key_block.len())
                .finish(),
            ImportMaterial::KeyCryptogram {
                attributes,
                exportable,
                wrapped_key_cryptogram,
                import_token,
                wrapping_spec,
            } => f
                .debug_struct("KeyCryptogram")
                .field("attributes", attributes)
                .field("exportable", exportable)
                .field("wrapped_key_cryptogram_len", &wrapped_key_cryptogram.len())
                .field("import_token", import_token)
                .field("wrapping_spec", wrapping_spec)
                .finish(),
            ImportMaterial::RootCertificatePublicKey { attributes, .. } => f
                .debug_struct("RootCertificatePublicKey")
                .field("attributes", attributes)
                .finish_non_exhaustive(),
            ImportMaterial::TrustedCertificatePublicKey {
                attributes,
                certificate_authority,
                ..
            } => f
                .debug_struct("TrustedCertificatePublicKey")
                .field("attributes", attributes)
                .field("certificate_authority", certificate_authority)
                .finish_non_exhaustive(),
        }
    }
}

/// `ImportKey`.
#[derive(Debug, PartialEq, Eq)]
pub struct ImportKey {
    /// `KeyMaterial`.
    pub material: ImportMaterial,
    /// `KeyCheckValueAlgorithm`.
    pub kcv_algorithm: Option<KcvAlgorithm>,
    /// `Enabled` (default true).
    pub enabled: bool,
    /// `Tags`.
    pub tags: Vec<Tag>,
}

/// `ExportKey` (with `KeyMaterial.Tr31KeyBlock`, the one export this parser accepts).
#[derive(Debug, PartialEq, Eq)]
pub struct ExportKey {
    /// `ExportKeyIdentifier`.
    pub export_key_identifier: String,
    /// `KeyMaterial.Tr31KeyBlock.WrappingKeyIdentifier`.
    pub wrapping_key_identifier: String,
    /// `KeyMaterial.Tr31KeyBlock.KeyBlockHeaders`.
    pub headers: ExportHeaders,
    /// `ExportAttributes.ExportDukptInitialKey.KeySerialNumber`, decoded (10 or 12 bytes): export the
    /// initial key of this device instead of the key itself.
    pub initial_key_ksn: Option<Vec<u8>>,
    /// `ExportAttributes.KeyCheckValueAlgorithm` (for an initial key).
    pub kcv_algorithm: Option<KcvAlgorithm>,
}

/// A parsed control-plane request.
#[non_exhaustive]
#[derive(Debug, PartialEq, Eq)]
pub enum ControlRequest {
    /// `CreateKey`.
    CreateKey(CreateKey),
    /// `ImportKey`.
    ImportKey(ImportKey),
    /// `ExportKey`.
    ExportKey(ExportKey),
    /// `GetKey`.
    GetKey {
        /// `KeyIdentifier`.
        key_identifier: String,
    },
    /// `ListKeys`.
    ListKeys {
        /// `KeyState` filter.
        key_state: Option<KeyState>,
        /// Pagination.
        page: Page,
    },
    /// `DeleteKey`.
    DeleteKey {
        /// `KeyIdentifier`.
        key_identifier: String,
        /// `DeleteKeyInDays` (3–180, default 7).
        delete_key_in_days: u32,
    },
    /// `RestoreKey`.
    RestoreKey {
        /// `KeyIdentifier`.
        key_identifier: String,
    },
    /// `StartKeyUsage`.
    StartKeyUsage {
        /// `KeyIdentifier`.
        key_identifier: String,
    },
    /// `StopKeyUsage`.
    StopKeyUsage {
        /// `KeyIdentifier`.
        key_identifier: String,
    },
    /// `GetPublicKeyCertificate`.
    GetPublicKeyCertificate {
        /// `KeyIdentifier`.
        key_identifier: String,
    },
    /// `CreateAlias`.
    CreateAlias {
        /// `AliasName`.
        alias_name: String,
        /// `KeyArn`.
        key_arn: Option<KeyArn>,
    },
    /// `UpdateAlias`.
    UpdateAlias {
        /// `AliasName`.
        alias_name: String,
        /// `KeyArn` (absent: the alias names no key).
        key_arn: Option<KeyArn>,
    },
    /// `GetAlias`.
    GetAlias {
        /// `AliasName`.
        alias_name: String,
    },
    /// `DeleteAlias`.
    DeleteAlias {
        /// `AliasName`.
        alias_name: String,
    },
    /// `ListAliases`.
    ListAliases {
        /// `KeyArn` filter.
        key_arn: Option<KeyArn>,
        /// Pagination.
        page: Page,
    },
    /// `TagResource`.
    TagResource {
        /// `ResourceArn`.
        resource_arn: KeyArn,
        /// `Tags` (at least... any number up to 200, each key once).
        tags: Vec<Tag>,
    },
    /// `UntagResource`.
    UntagResource {
        /// `ResourceArn`.
        resource_arn: KeyArn,
        /// `TagKeys`.
        tag_keys: Vec<String>,
    },
    /// `ListTagsForResource`.
    ListTagsForResource {
        /// `ResourceArn`.
        resource_arn: KeyArn,
        /// Pagination.
        page: Page,
    },
    /// `GetParametersForImport` (`KeyMaterialType` `KEY_CRYPTOGRAM`, the one this parser accepts).
    GetParametersForImport {
        /// `WrappingKeyAlgorithm`: `RSA_2048`, `RSA_3072` or `RSA_4096`.
        wrapping_key_algorithm: RsaSize,
        /// `ReuseLastGeneratedToken`.
        reuse_last_generated_token: bool,
    },
}

fn integer(o: &Object<'_>, member: &str, min: u64, max: u64) -> Result<Option<u64>, ServiceError> {
    let Some(v) = o.opt(member) else {
        return Ok(None);
    };
    let n = v.as_u64().filter(|n| (min..=max).contains(n));
    match n {
        Some(n) => Ok(Some(n)),
        None if v.is_number() => Err(ServiceError::field(
            o.path_of(member),
            format!("Member must be an integer between {min} and {max}, inclusive"),
        )),
        None => Err(ServiceError::field(
            o.path_of(member),
            "Value must be an integer".to_string(),
        )),
    }
}

/// A key identifier member: a key ARN, an alias ARN or `alias/<name>`, 7–322 characters.
fn key_identifier(o: &Object<'_>, member: &str) -> Result<String, ServiceError> {
    let s = o.req_str(member)?;
    o.check_len(member, s, 7, crate::keystore::MAX_IDENTIFIER_LEN)?;
    KeyIdentifier::parse(s).map_err(|_| {
        ServiceError::field(
            o.path_of(member),
            format!(
                "Value '{}' is not a key ARN, an alias ARN or alias/<name>",
                echo(s)
            ),
        )
    })?;
    Ok(s.to_string())
}

/// A key ARN member (70–150 characters).
fn key_arn(o: &Object<'_>, member: &str) -> Result<Option<KeyArn>, ServiceError> {
    let Some(s) = o.opt_str(member)? else {
        return Ok(None);
    };
    o.check_len(member, s, 70, 150)?;
    KeyArn::parse(s).map(Some).map_err(|_| {
        ServiceError::field(
            o.path_of(member),
            format!(
                "Value '{}' is not a key ARN (arn:aws:payment-cryptography:<region>:<account>:key/<id>)",
                echo(s)
            ),
        )
    })
}

fn required_key_arn(o: &Object<'_>, member: &str) -> Result<KeyArn, ServiceError> {
    o.req(member)?;
    key_arn(o, member)?.ok_or_else(|| {
        ServiceError::field(o.path_of(member), "Member must not be null".to_string())
    })
}

/// An `AliasName` member: `alias/[a-zA-Z0-9/_-]+`, 7–256 characters.
fn alias_name(o: &Object<'_>, member: &str) -> Result<String, ServiceError> {
    let s = o.req_str(member)?;
    o.check_len(member, s, 7, 256)?;
    match KeyIdentifier::parse(s) {
        Ok(KeyIdentifier::Alias(_)) => Ok(s.to_string()),
        _ => Err(ServiceError::field(
            o.path_of(member),
            format!(
                "Value '{}' failed to satisfy constraint: Member must satisfy regular expression \
                 pattern: alias/[a-zA-Z0-9/_-]+",
                echo(s)
            ),
        )),
    }
}

fn page(o: &Object<'_>) -> Result<Page, ServiceError> {
    let next_token = match o.opt_str("NextToken")? {
        Some(t) => {
            o.check_len("NextToken", t, 1, 8192)?;
            Some(t.to_string())
        }
        None => None,
    };
    let max_results = integer(o, "MaxResults", 1, 100)?.unwrap_or(50);
    Ok(Page {
        next_token,
        max_results: usize::try_from(max_results).unwrap_or(50),
    })
}

const KCV_ALGORITHMS: [&str; 4] = ["CMAC", "ANSI_X9_24", "HMAC", "SHA_1"];

fn kcv_algorithm(o: &Object<'_>, member: &str) -> Result<Option<KcvAlgorithm>, ServiceError> {
    if o.opt_str(member)? == Some("HMAC") {
        return Err(unsupported(o.path_of(member), "HMAC"));
    }
    o.opt_named(member, &KCV_ALGORITHMS, KcvAlgorithm::from_aws_name)
}

/// `KeyAttributes` at `member`, which must form one of AWS's valid combinations.
fn attributes(o: &Object<'_>, member: &str) -> Result<KeyAttributes, ServiceError> {
    let path = o.path_of(member);
    let a = parse_attributes_value(o.req(member)?, &path)?;
    a.check_combination().map_err(|e| {
        ServiceError::field(
            super::json::join(&path, e.attribute().member()),
            e.to_string(),
        )
    })?;
    Ok(a)
}

/// The one member of a union object that is set, among `members`.
fn union_member<'a>(
    o: &Object<'a>,
    members: &'a [&'a str],
    path: &str,
) -> Result<(&'a str, &'a Value), ServiceError> {
    let given: Vec<&str> = members
        .iter()
        .copied()
        .filter(|m| o.opt(m).is_some())
        .collect();
    match given.as_slice() {
        [one] => Ok((one, o.req(one)?)),
        _ => Err(ServiceError::field(
            path.to_string(),
            format!("Exactly one of {} must be set", members.join(", ")),
        )),
    }
}

fn uppercase_hex(
    o: &Object<'_>,
    member: &str,
    min: usize,
    max: usize,
) -> Result<Vec<u8>, ServiceError> {
    let s = o.req_str(member)?;
    o.check_len(member, s, min, max)?;
    if s.len() % 2 != 0
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    {
        return Err(ServiceError::field(
            o.path_of(member),
            "Member must be an even number of upper-case hex digits ([0-9A-F]+)".to_string(),
        ));
    }
    let mut out = alloc::vec![0u8; s.len() / 2];
    crate::hex::decode(s, &mut out).map_err(|_| {
        ServiceError::field(o.path_of(member), "Member must be hexadecimal".to_string())
    })?;
    Ok(out)
}

/// `CertificateType`: 1–32768 characters, none of `[`, `;`, `]`, `<`, `>`.
fn certificate(o: &Object<'_>, member: &str) -> Result<String, ServiceError> {
    let s = o.req_str(member)?;
    o.check_len(member, s, 1, 32768)?;
    if s.contains(['[', ';', ']', '<', '>']) {
        return Err(ServiceError::field(
            o.path_of(member),
            "Member must be a base64-encoded PEM certificate".to_string(),
        ));
    }
    Ok(s.to_string())
}

fn import_token(o: &Object<'_>, member: &str) -> Result<String, ServiceError> {
    let s = o.req_str(member)?;
    let ok = s.strip_prefix("import-token-").is_some_and(|id| {
        (16..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    if !ok {
        return Err(ServiceError::field(
            o.path_of(member),
            "Member must match import-token-[0-9a-zA-Z]{16,64}".to_string(),
        ));
    }
    Ok(s.to_string())
}

fn tags(o: &Object<'_>) -> Result<Vec<Tag>, ServiceError> {
    parse_tags(o, "Tags")
}

/// Members the model has that paycrypt does not implement: refused when given a non-empty value.
fn refuse_replication(o: &Object<'_>) -> Result<(), ServiceError> {
    match o.opt_array("ReplicationRegions")? {
        Some(regions) if !regions.is_empty() => Err(unsupported(
            o.path_of("ReplicationRegions"),
            "Multi-region key replication",
        )),
        _ => Ok(()),
    }
}

fn create_key(o: &Object<'_>) -> Result<CreateKey, ServiceError> {
    if o.opt("DeriveKeyUsage").is_some() {
        return Err(unsupported(
            o.path_of("DeriveKeyUsage"),
            "DeriveKeyUsage (ECC key agreement keys)",
        ));
    }
    refuse_replication(o)?;
    let exportable = o.req("Exportable")?;
    let exportable = exportable.as_bool().ok_or_else(|| {
        ServiceError::field(
            o.path_of("Exportable"),
            "Value must be a boolean".to_string(),
        )
    })?;
    Ok(CreateKey {
        attributes: attributes(o, "KeyAttributes")?,
        exportable,
        enabled: o.opt_bool("Enabled")?.unwrap_or(true),
        kcv_algorithm: kcv_algorithm(o, "KeyCheckValueAlgorithm")?,
        tags: tags(o)?,
    })
}

fn required_bool(o: &Object<'_>, member: &str) -> Result<bool, ServiceError> {
    o.req(member)?;
    o.opt_bool(member)?.ok_or_else(|| {
        ServiceError::field(o.path_of(member), "Member must not be null".to_string())
    })
}

const IMPORT_MATERIALS: [&str; 7] = [
    "RootCertificatePublicKey",
    "TrustedCertificatePublicKey",
    "Tr31KeyBlock",
    "Tr34KeyBlock",
    "KeyCryptogram",
    "DiffieHellmanTr31KeyBlock",
    "As2805KeyCryptogram",
];

fn import_material(o: &Object<'_>) -> Result<ImportMaterial, ServiceError> {
    let path = o.path_of("KeyMaterial");
    let union = Object::new(o.req("KeyMaterial")?, &path, &IMPORT_MATERIALS)?;
    let (kind, value) = union_member(&union, &IMPORT_MATERIALS, &path)?;
    let inner_path = union.path_of(kind);
    Ok(match kind {
        "Tr31KeyBlock" => {
            let m = Object::new(
                value,
                &inner_path,
                &["WrappingKeyIdentifier", "WrappedKeyBlock"],
            )?;
            let block = m.req_str("WrappedKeyBlock")?;
            m.check_len("WrappedKeyBlock", block, 56, 9984)?;
            if !block.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(ServiceError::field(
                    m.path_of("WrappedKeyBlock"),
                    "Member must match [0-9a-zA-Z]+".to_string(),
                ));
            }
            ImportMaterial::Tr31KeyBlock {
                wrapping_key_identifier: key_identifier(&m, "WrappingKeyIdentifier")?,
                wrapped_key_block: block.to_string(),
            }
        }
        "KeyCryptogram" => {
            let m = Object::new(
                value,
                &inner_path,
                &[
                    "KeyAttributes",
                    "Exportable",
                    "WrappedKeyCryptogram",
                    "ImportToken",
                    "WrappingSpec",
                ],
            )?;
            ImportMaterial::KeyCryptogram {
                attributes: attributes(&m, "KeyAttributes")?,
                exportable: required_bool(&m, "Exportable")?,
                wrapped_key_cryptogram: uppercase_hex(&m, "WrappedKeyCryptogram", 16, 4096)?,
                import_token: import_token(&m, "ImportToken")?,
                wrapping_spec: m
                    .opt_named(
                        "WrappingSpec",
                        &["RSA_OAEP_SHA_256", "RSA_OAEP_SHA_512"],
                        |s| match s {
                            "RSA_OAEP_SHA_256" => Some(RsaPadding::OaepSha256),
                            "RSA_OAEP_SHA_512" => Some(RsaPadding::OaepSha512),
                            _ => None,
                        },
                    )?
                    .unwrap_or(RsaPadding::OaepSha256),
            }
        }
        "RootCertificatePublicKey" => {
            let m = Object::new(
                value,
                &inner_path,
                &["KeyAttributes", "PublicKeyCertificate"],
            )?;
            ImportMaterial::RootCertificatePublicKey {
                attributes: attributes(&m, "KeyAttributes")?,
                certificate: certificate(&m, "PublicKeyCertificate")?,
            }
        }
        "TrustedCertificatePublicKey" => {
            let m = Object::new(
                value,
                &inner_path,
                &[
                    "KeyAttributes",
                    "PublicKeyCertificate",
                    "CertificateAuthorityPublicKeyIdentifier",
                ],
            )?;
            ImportMaterial::TrustedCertificatePublicKey {
                attributes: attributes(&m, "KeyAttributes")?,
                certificate: certificate(&m, "PublicKeyCertificate")?,
                certificate_authority: key_identifier(
                    &m,
                    "CertificateAuthorityPublicKeyIdentifier",
                )?,
            }
        }
        "Tr34KeyBlock" => return Err(unsupported(inner_path, "TR-34 key import")),
        "DiffieHellmanTr31KeyBlock" => {
            return Err(unsupported(
                inner_path,
                "ECDH (DiffieHellmanTr31KeyBlock) key import",
            ));
        }
        _ => return Err(unsupported(inner_path, "AS2805 key import")),
    })
}

fn import_key(o: &Object<'_>) -> Result<ImportKey, ServiceError> {
    refuse_replication(o)?;
    let material = import_material(o)?;
    if let Some(c) = o.opt_str("RequesterComment")? {
        o.check_len("RequesterComment", c, 0, 200)?;
    }
    Ok(ImportKey {
        material,
        kcv_algorithm: kcv_algorithm(o, "KeyCheckValueAlgorithm")?,
        enabled: o.opt_bool("Enabled")?.unwrap_or(true),
        tags: tags(o)?,
    })
}

const EXPORT_MATERIALS: [&str; 5] = [
    "Tr31KeyBlock",
    "Tr34KeyBlock",
    "KeyCryptogram",
    "DiffieHellmanTr31KeyBlock",
    "As2805KeyCryptogram",
];

fn two_upper_alnum(s: &str) -> bool {
    s.len() == 2
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

fn export_headers(o: &Object<'_>, member: &str) -> Result<ExportHeaders, ServiceError> {
    let Some(value) = o.opt(member) else {
        return Ok(ExportHeaders::default());
    };
    let path = o.path_of(member);
    let h = Object::new(
        value,
        &path,
        &[
            "KeyModesOfUse",
            "KeyExportability",
            "KeyVersion",
            "OptionalBlocks",
        ],
    )?;
    let modes_of_use = match h.opt("KeyModesOfUse") {
        Some(v) => Some(parse_modes(v, &h.path_of("KeyModesOfUse"))?),
        None => None,
    };
    let exportability = h.opt_named(
        "KeyExportability",
        &["EXPORTABLE", "NON_EXPORTABLE", "SENSITIVE"],
        |s| match s {
            "EXPORTABLE" => Some(Exportability::Exportable),
            "NON_EXPORTABLE" => Some(Exportability::NonExportable),
            "SENSITIVE" => Some(Exportability::Sensitive),
            _ => None,
        },
    )?;
    let key_version = match h.opt_str("KeyVersion")? {
        Some(v) if two_upper_alnum(v) => Some(v.to_string()),
        Some(_) => {
            return Err(ServiceError::field(
                h.path_of("KeyVersion"),
                "Member must be two characters [0-9A-Z]".to_string(),
            ));
        }
        None => None,
    };
    let mut optional_blocks = Vec::new();
    if let Some(blocks) = h.opt("OptionalBlocks") {
        let blocks_path = h.path_of("OptionalBlocks");
        let map = blocks.as_object().ok_or_else(|| {
            ServiceError::field(blocks_path.clone(), "Value must be a map".to_string())
        })?;
        let mut total = 0;
        for (id, data) in map {
            let item_path = super::json::join(&blocks_path, &echo(id));
            let data = data.as_str().ok_or_else(|| {
                ServiceError::field(item_path.clone(), "Value must be a string".to_string())
            })?;
            let ok = two_upper_alnum(id)
                && (1..=108).contains(&data.len())
                && data.bytes().all(|b| b.is_ascii_alphanumeric())
                && OptionalBlock::new(id, data).is_ok();
            if !ok {
                return Err(ServiceError::field(
                    item_path,
                    "An optional block is an ID of two characters [0-9A-Z] and 1-108 characters \
                     [0-9a-zA-Z]"
                        .to_string(),
                ));
            }
            total += 4 + data.len();
            optional_blocks.push((id.clone(), data.to_string()));
        }
        if total > 112 {
            return Err(ServiceError::field(
                blocks_path,
                "The optional blocks may take at most 112 characters in all".to_string(),
            ));
        }
    }
    Ok(ExportHeaders {
        modes_of_use,
        exportability,
        key_version,
        optional_blocks,
    })
}

fn export_key(o: &Object<'_>) -> Result<ExportKey, ServiceError> {
    let path = o.path_of("KeyMaterial");
    let union = Object::new(o.req("KeyMaterial")?, &path, &EXPORT_MATERIALS)?;
    let (kind, value) = union_member(&union, &EXPORT_MATERIALS, &path)?;
    let inner_path = union.path_of(kind);
    let m = match kind {
        "Tr31KeyBlock" => Object::new(
            value,
            &inner_path,
            &["WrappingKeyIdentifier", "KeyBlockHeaders"],
        )?,
        "Tr34KeyBlock" => return Err(unsupported(inner_path, "TR-34 key export")),
        "KeyCryptogram" => return Err(unsupported(inner_path, "RSA (KeyCryptogram) key export")),
        "DiffieHellmanTr31KeyBlock" => {
            return Err(unsupported(
                inner_path,
                "ECDH (DiffieHellmanTr31KeyBlock) key export",
            ));
        }
        _ => return Err(unsupported(inner_path, "AS2805 key export")),
    };
    let (initial_key_ksn, kcv) = match o.opt("ExportAttributes") {
        Some(v) => {
            let a = Object::new(
                v,
                &o.path_of("ExportAttributes"),
                &["ExportDukptInitialKey", "KeyCheckValueAlgorithm"],
            )?;
            let ksn = match a.opt("ExportDukptInitialKey") {
                Some(d) => {
                    let d =
                        Object::new(d, &a.path_of("ExportDukptInitialKey"), &["KeySerialNumber"])?;
                    let ksn = uppercase_hex(&d, "KeySerialNumber", 20, 24)?;
                    if !matches!(ksn.len(), 10 | 12) {
                        return Err(ServiceError::field(
                            d.path_of("KeySerialNumber"),
                            "Member must be 20 or 24 hex digits".to_string(),
                        ));
                    }
                    Some(ksn)
                }
                None => None,
            };
            (ksn, kcv_algorithm(&a, "KeyCheckValueAlgorithm")?)
        }
        None => (None, None),
    };
    Ok(ExportKey {
        export_key_identifier: key_identifier(o, "ExportKeyIdentifier")?,
        wrapping_key_identifier: key_identifier(&m, "WrappingKeyIdentifier")?,
        headers: export_headers(&m, "KeyBlockHeaders")?,
        initial_key_ksn,
        kcv_algorithm: kcv,
    })
}

const KEY_MATERIAL_TYPES: [&str; 5] = [
    "TR34_KEY_BLOCK",
    "TR31_KEY_BLOCK",
    "ROOT_PUBLIC_KEY_CERTIFICATE",
    "TRUSTED_PUBLIC_KEY_CERTIFICATE",
    "KEY_CRYPTOGRAM",
];

fn get_parameters_for_import(o: &Object<'_>) -> Result<ControlRequest, ServiceError> {
    let kind = o.req_named("KeyMaterialType", &KEY_MATERIAL_TYPES, |s| {
        KEY_MATERIAL_TYPES.iter().copied().find(|t| *t == s)
    })?;
    match kind {
        "KEY_CRYPTOGRAM" => {}
        "TR34_KEY_BLOCK" => {
            return Err(unsupported(
                o.path_of("KeyMaterialType"),
                "TR-34 key import",
            ));
        }
        other => {
            return Err(ServiceError::field(
                o.path_of("KeyMaterialType"),
                format!("{other} imports need no import parameters (no import token)"),
            ));
        }
    }
    let algorithm = o.req_str("WrappingKeyAlgorithm")?;
    let size = match KeyAlgorithm::from_aws_name(algorithm) {
        Some(KeyAlgorithm::Rsa(size)) => size,
        _ => {
            return Err(ServiceError::field(
                o.path_of("WrappingKeyAlgorithm"),
                format!(
                    "Value '{}' is not a wrapping key algorithm for KEY_CRYPTOGRAM: RSA_2048, \
                     RSA_3072, RSA_4096",
                    echo(algorithm)
                ),
            ));
        }
    };
    Ok(ControlRequest::GetParametersForImport {
        wrapping_key_algorithm: size,
        reuse_last_generated_token: o.opt_bool("ReuseLastGeneratedToken")?.unwrap_or(false),
    })
}

fn tag_keys(o: &Object<'_>) -> Result<Vec<String>, ServiceError> {
    o.req("TagKeys")?;
    let list = o.opt_array("TagKeys")?.map(Vec::as_slice).unwrap_or(&[]);
    if list.len() > super::keystore_record::MAX_TAGS {
        return Err(ServiceError::field(
            o.path_of("TagKeys"),
            "Member must have length less than or equal to 200".to_string(),
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            let path = format!("{}[{i}]", o.path_of("TagKeys"));
            let s = v.as_str().ok_or_else(|| {
                ServiceError::field(path.clone(), "Value must be a string".into())
            })?;
            if !(1..=128).contains(&s.chars().count()) {
                return Err(ServiceError::field(
                    path,
                    "Member must have length between 1 and 128, inclusive".to_string(),
                ));
            }
            Ok(s.to_string())
        })
        .collect()
}

/// The members each parsed operation accepts.
fn members(operation: &str) -> &'static [&'static str] {
    match operation {
        "CreateKey" => &[
            "KeyAttributes",
            "KeyCheckValueAlgorithm",
            "Exportable",
            "Enabled",
            "Tags",
            "DeriveKeyUsage",
            "ReplicationRegions",
        ],
        "ImportKey" => &[
            "KeyMaterial",
            "KeyCheckValueAlgorithm",
            "Enabled",
            "Tags",
            "ReplicationRegions",
            "RequesterComment",
        ],
        "ExportKey" => &["KeyMaterial", "ExportKeyIdentifier", "ExportAttributes"],
        "GetKey" | "RestoreKey" | "StartKeyUsage" | "StopKeyUsage" | "GetPublicKeyCertificate" => {
            &["KeyIdentifier"]
        }
        "DeleteKey" => &["KeyIdentifier", "DeleteKeyInDays"],
        "ListKeys" => &["KeyState", "NextToken", "MaxResults"],
        "CreateAlias" | "UpdateAlias" => &["AliasName", "KeyArn"],
        "GetAlias" | "DeleteAlias" => &["AliasName"],
        "ListAliases" => &["KeyArn", "NextToken", "MaxResults"],
        "TagResource" => &["ResourceArn", "Tags"],
        "UntagResource" => &["ResourceArn", "TagKeys"],
        "ListTagsForResource" => &["ResourceArn", "NextToken", "MaxResults"],
        "GetParametersForImport" => &[
            "KeyMaterialType",
            "WrappingKeyAlgorithm",
            "ReuseLastGeneratedToken",
        ],
        _ => &[],
    }
}

fn parse_object(operation: &str, o: &Object<'_>) -> Result<ControlRequest, ServiceError> {
    let key = |o: &Object<'_>| key_identifier(o, "KeyIdentifier");
    Ok(match operation {
        "CreateKey" => ControlRequest::CreateKey(create_key(o)?),
        "ImportKey" => ControlRequest::ImportKey(import_key(o)?),
        "ExportKey" => ControlRequest::ExportKey(export_key(o)?),
        "GetKey" => ControlRequest::GetKey {
            key_identifier: key(o)?,
        },
        "RestoreKey" => ControlRequest::RestoreKey {
            key_identifier: key(o)?,
        },
        "StartKeyUsage" => ControlRequest::StartKeyUsage {
            key_identifier: key(o)?,
        },
        "StopKeyUsage" => ControlRequest::StopKeyUsage {
            key_identifier: key(o)?,
        },
        "GetPublicKeyCertificate" => ControlRequest::GetPublicKeyCertificate {
            key_identifier: key(o)?,
        },
        "DeleteKey" => ControlRequest::DeleteKey {
            key_identifier: key(o)?,
            delete_key_in_days: integer(o, "DeleteKeyInDays", 3, 180)?
                .and_then(|d| u32::try_from(d).ok())
                .unwrap_or(7),
        },
        "ListKeys" => ControlRequest::ListKeys {
            key_state: o.opt_enum("KeyState", &KeyState::ALL)?,
            page: page(o)?,
        },
        "CreateAlias" => ControlRequest::CreateAlias {
            alias_name: alias_name(o, "AliasName")?,
            key_arn: key_arn(o, "KeyArn")?,
        },
        "UpdateAlias" => ControlRequest::UpdateAlias {
            alias_name: alias_name(o, "AliasName")?,
            key_arn: key_arn(o, "KeyArn")?,
        },
        "GetAlias" => ControlRequest::GetAlias {
            alias_name: alias_name(o, "AliasName")?,
        },
        "DeleteAlias" => ControlRequest::DeleteAlias {
            alias_name: alias_name(o, "AliasName")?,
        },
        "ListAliases" => ControlRequest::ListAliases {
            key_arn: key_arn(o, "KeyArn")?,
            page: page(o)?,
        },
        "TagResource" => {
            o.req("Tags")?;
            ControlRequest::TagResource {
                resource_arn: required_key_arn(o, "ResourceArn")?,
                tags: tags(o)?,
            }
        }
        "UntagResource" => ControlRequest::UntagResource {
            resource_arn: required_key_arn(o, "ResourceArn")?,
            tag_keys: tag_keys(o)?,
        },
        "ListTagsForResource" => ControlRequest::ListTagsForResource {
            resource_arn: required_key_arn(o, "ResourceArn")?,
            page: page(o)?,
        },
        "GetParametersForImport" => get_parameters_for_import(o)?,
        _ => {
            return Err(ServiceError::InternalServer {
                message: "operation without a parser".to_string(),
            });
        }
    })
}

impl ControlRequest {
    /// Parse a request of `operation` (the `X-Amz-Target` suffix) from its JSON body (an empty body
    /// is `{}`). `None` for an operation this parser does not handle (see [`PARSED_OPERATIONS`]). The
    /// parsed document is wiped before this returns; `text` is the caller's to wipe.
    #[must_use]
    pub fn from_json(operation: &str, text: &str) -> Option<Result<Self, ServiceError>> {
        if !PARSED_OPERATIONS.contains(&operation) {
            return None;
        }
        let value = if text.trim().is_empty() {
            Ok(Json::from(Value::Object(Map::new())))
        } else {
            Json::parse(text).map_err(|e| e.to_service("Request is not valid JSON"))
        };
        Some(value.and_then(|value| {
            let o = Object::new(&value, "", members(operation))?;
            parse_object(operation, &o)
        }))
    }
}

/// Where a secret may sit in a tag: a wiped copy of a tag value.
pub fn take_tag_value(tags: &mut Vec<Tag>, key: &str) -> Option<Zeroizing<String>> {
    let i = tags.iter().position(|t| t.key == key)?;
    let mut tag = tags.remove(i);
    Some(Zeroizing::new(core::mem::take(&mut tag.value)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::SymmetricAlgorithm;
    use crate::keystore::{KeyClass, KeyModesOfUse, KeyUsage};

    const ARN: &str = "arn:aws:payment-cryptography:us-east-1:111122223333:key/abcdefghijklmnop";

    fn parse(op: &str, body: &str) -> Result<ControlRequest, ServiceError> {
        ControlRequest::from_json(op, body).unwrap()
    }

    /// The error's one field path.
    fn path(op: &str, body: &str) -> String {
        match parse(op, body).unwrap_err() {
            ServiceError::Validation { field_list, .. } => field_list[0].path.clone(),
            other => panic!("{other:?}"),
        }
    }

    const TDES_D0: &str = r#"{"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyClass": "SYMMETRIC_KEY",
        "KeyAlgorithm": "TDES_2KEY", "KeyModesOfUse": {"Encrypt": true, "Decrypt": true, "Wrap": true, "Unwrap": true}}"#;

    #[test]
    fn create_key_as_boto3_sends_it() {
        let body = format!(
            r#"{{"KeyAttributes": {TDES_D0}, "Exportable": true, "Enabled": true,
                "KeyCheckValueAlgorithm": "ANSI_X9_24", "Tags": [{{"Key": "env", "Value": "test"}}]}}"#
        );
        let ControlRequest::CreateKey(c) = parse("CreateKey", &body).unwrap() else {
            panic!()
        };
        assert_eq!(
            c.attributes.key_usage,
            KeyUsage::D0SymmetricDataEncryptionKey
        );
        assert_eq!(
            c.attributes.key_algorithm,
            KeyAlgorithm::Symmetric(SymmetricAlgorithm::Tdes2Key)
        );
        assert!(c.exportable && c.enabled);
        assert_eq!(c.kcv_algorithm, Some(KcvAlgorithm::AnsiX924));
        assert_eq!(c.tags[0].key, "env");
        // Defaults.
        let ControlRequest::CreateKey(c) = parse(
            "CreateKey",
            &format!(r#"{{"KeyAttributes": {TDES_D0}, "Exportable": false}}"#),
        )
        .unwrap() else {
            panic!()
        };
        assert!(c.enabled && !c.exportable && c.kcv_algorithm.is_none() && c.tags.is_empty());
    }

    #[test]
    fn create_key_refusals_name_their_member() {
        let with =
            |extra: &str| format!(r#"{{"KeyAttributes": {TDES_D0}, "Exportable": true{extra}}}"#);
        for (body, want) in [
            (r#"{"Exportable": true}"#.to_string(), "KeyAttributes"),
            (format!(r#"{{"KeyAttributes": {TDES_D0}}}"#), "Exportable"),
            (with(r#", "Enabled": "yes""#), "Enabled"),
            (with(r#", "Bogus": 1"#), "Bogus"),
            (with(r#", "KeyCheckValueAlgorithm": "MD5""#), "KeyCheckValueAlgorithm"),
            (with(r#", "KeyCheckValueAlgorithm": "HMAC""#), "KeyCheckValueAlgorithm"),
            (with(r#", "DeriveKeyUsage": "TR31_K0_KEY_ENCRYPTION_KEY""#), "DeriveKeyUsage"),
            (with(r#", "ReplicationRegions": ["us-west-2"]"#), "ReplicationRegions"),
            (with(r#", "Tags": [{"Key": "a"}]"#), "Tags[0].Value"),
            (
                r#"{"Exportable": true, "KeyAttributes": {"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
                    "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "TDES_2KEY", "KeyModesOfUse": {"Encrypt": true, "Decrypt": true}}}"#
                    .to_string(),
                "KeyAttributes.KeyModesOfUse",
            ),
            (
                r#"{"Exportable": true, "KeyAttributes": {"KeyUsage": "TR31_M7_HMAC_KEY",
                    "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "HMAC_SHA256", "KeyModesOfUse": {"Generate": true}}}"#
                    .to_string(),
                "KeyAttributes.KeyAlgorithm",
            ),
            (
                r#"{"Exportable": true, "KeyAttributes": {"KeyUsage": "TR31_B0_BASE_DERIVATION_KEY",
                    "KeyClass": "PUBLIC_KEY", "KeyAlgorithm": "AES_128", "KeyModesOfUse": {"DeriveKey": true}}}"#
                    .to_string(),
                "KeyAttributes.KeyClass",
            ),
            (
                r#"{"Exportable": true, "KeyAttributes": {"KeyUsage": "TR31_B0_BASE_DERIVATION_KEY",
                    "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "AES_128", "KeyModesOfUse": {"DeriveKey": 1}}}"#
                    .to_string(),
                "KeyAttributes.KeyModesOfUse.DeriveKey",
            ),
            ("[]".to_string(), "$"),
        ] {
            assert_eq!(path("CreateKey", &body), want, "{body}");
        }
        // Not JSON; a member twice.
        assert!(matches!(
            parse("CreateKey", "{"),
            Err(ServiceError::Validation { .. })
        ));
        assert_eq!(
            path(
                "CreateKey",
                &format!(
                    r#"{{"KeyAttributes": {TDES_D0}, "Exportable": true, "Exportable": false}}"#
                )
            ),
            "Exportable"
        );
    }

    #[test]
    fn identifiers_aliases_and_pages() {
        assert_eq!(
            parse("GetKey", r#"{"KeyIdentifier": "alias/a/b_c-d"}"#).unwrap(),
            ControlRequest::GetKey {
                key_identifier: "alias/a/b_c-d".into()
            }
        );
        for body in [
            r#"{"KeyIdentifier": "alias/"}"#,
            r#"{"KeyIdentifier": "nope"}"#,
            r#"{"KeyIdentifier": 7}"#,
            r#"{}"#,
        ] {
            assert_eq!(path("GetKey", body), "KeyIdentifier", "{body}");
        }
        assert_eq!(
            parse("DeleteKey", &format!(r#"{{"KeyIdentifier": "{ARN}"}}"#)).unwrap(),
            ControlRequest::DeleteKey {
                key_identifier: ARN.into(),
                delete_key_in_days: 7
            }
        );
        for days in ["2", "181", "7.5", "\"7\""] {
            assert_eq!(
                path(
                    "DeleteKey",
                    &format!(r#"{{"KeyIdentifier": "{ARN}", "DeleteKeyInDays": {days}}}"#)
                ),
                "DeleteKeyInDays"
            );
        }
        let ControlRequest::ListKeys { key_state, page } = parse(
            "ListKeys",
            r#"{"KeyState": "DELETE_PENDING", "MaxResults": 100, "NextToken": "x"}"#,
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(key_state, Some(KeyState::DeletePending));
        assert_eq!(page.max_results, 100);
        assert_eq!(page.next_token.as_deref(), Some("x"));
        // An empty body is {}.
        assert!(matches!(
            parse("ListKeys", "").unwrap(),
            ControlRequest::ListKeys {
                page: Page {
                    max_results: 50,
                    next_token: None
                },
                ..
            }
        ));
        for body in [r#"{"MaxResults": 0}"#, r#"{"MaxResults": 101}"#] {
            assert_eq!(path("ListKeys", body), "MaxResults");
        }
        assert_eq!(path("ListKeys", r#"{"NextToken": ""}"#), "NextToken");
        assert_eq!(
            path(
                "CreateAlias",
                r#"{"AliasName": "alias/a", "KeyArn": "alias/b"}"#
            ),
            "KeyArn"
        );
        assert_eq!(
            path("CreateAlias", r#"{"AliasName": "alias/a b"}"#),
            "AliasName"
        );
        assert_eq!(
            path("CreateAlias", &format!(r#"{{"AliasName": "{ARN}"}}"#)),
            "AliasName"
        );
        assert!(parse("UpdateAlias", r#"{"AliasName": "alias/abc"}"#).is_ok());
        assert_eq!(
            path("UntagResource", &format!(r#"{{"ResourceArn": "{ARN}"}}"#)),
            "TagKeys"
        );
        assert_eq!(
            path(
                "UntagResource",
                &format!(r#"{{"ResourceArn": "{ARN}", "TagKeys": [""]}}"#)
            ),
            "TagKeys[0]"
        );
        assert_eq!(
            path("TagResource", &format!(r#"{{"ResourceArn": "{ARN}"}}"#)),
            "Tags"
        );
        assert!(ControlRequest::from_json("PutResourcePolicy", "{}").is_none());
    }

    #[test]
    fn import_variants() {
        let block = "B0096D0TB00E00004A47AA2B57A8C8D7B3080D8C626363B3B9D23879AD294613D7AFB94977B0847403CBC9CA498934F2";
        let ControlRequest::ImportKey(i) = parse(
            "ImportKey",
            &format!(
                r#"{{"KeyMaterial": {{"Tr31KeyBlock": {{"WrappingKeyIdentifier": "alias/kek",
                    "WrappedKeyBlock": "{block}"}}}}, "Enabled": false}}"#
            ),
        )
        .unwrap() else {
            panic!()
        };
        assert!(!i.enabled);
        assert!(matches!(i.material, ImportMaterial::Tr31KeyBlock { .. }));
        let cryptogram = format!(
            r#"{{"KeyMaterial": {{"KeyCryptogram": {{"KeyAttributes": {TDES_D0}, "Exportable": true,
                "WrappedKeyCryptogram": "00112233445566778899", "ImportToken": "import-token-abcdefghij012345"}}}}}}"#
        );
        let ControlRequest::ImportKey(i) = parse("ImportKey", &cryptogram).unwrap() else {
            panic!()
        };
        let ImportMaterial::KeyCryptogram {
            wrapped_key_cryptogram,
            wrapping_spec,
            ..
        } = &i.material
        else {
            panic!()
        };
        assert_eq!(wrapped_key_cryptogram.len(), 10);
        assert_eq!(*wrapping_spec, RsaPadding::OaepSha256);
        assert!(!alloc::format!("{i:?}").contains("0011"));
        for (material, want) in [
            (r#"{}"#, "KeyMaterial"),
            (
                r#"{"Tr31KeyBlock": {"WrappingKeyIdentifier": "alias/k", "WrappedKeyBlock": "B0"}}"#,
                "KeyMaterial.Tr31KeyBlock.WrappedKeyBlock",
            ),
            (r#"{"Tr34KeyBlock": {}}"#, "KeyMaterial.Tr34KeyBlock"),
            (
                r#"{"DiffieHellmanTr31KeyBlock": {}}"#,
                "KeyMaterial.DiffieHellmanTr31KeyBlock",
            ),
            (
                r#"{"As2805KeyCryptogram": {}}"#,
                "KeyMaterial.As2805KeyCryptogram",
            ),
            (r#"{"Tr34KeyBlock": {}, "Tr31KeyBlock": {}}"#, "KeyMaterial"),
        ] {
            assert_eq!(
                path("ImportKey", &format!(r#"{{"KeyMaterial": {material}}}"#)),
                want,
                "{material}"
            );
        }
        let e = parse("ImportKey", r#"{"KeyMaterial": {"Tr34KeyBlock": {}}}"#).unwrap_err();
        assert!(e.message().contains("not supported by this emulator"));
        // Lower-case hex and a bad token.
        let bad = cryptogram.replace("00112233445566778899", "00112233445566778899aa");
        assert_eq!(
            path("ImportKey", &bad),
            "KeyMaterial.KeyCryptogram.WrappedKeyCryptogram"
        );
        let bad = cryptogram.replace("import-token-abcdefghij012345", "import-token-short");
        assert_eq!(
            path("ImportKey", &bad),
            "KeyMaterial.KeyCryptogram.ImportToken"
        );
        let root = r#"{"KeyMaterial": {"RootCertificatePublicKey": {"KeyAttributes": {
            "KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyClass": "PUBLIC_KEY",
            "KeyAlgorithm": "RSA_2048", "KeyModesOfUse": {"Verify": true}}, "PublicKeyCertificate": "TUlJ"}}}"#;
        let ControlRequest::ImportKey(i) = parse("ImportKey", root).unwrap() else {
            panic!()
        };
        let ImportMaterial::RootCertificatePublicKey { attributes, .. } = i.material else {
            panic!()
        };
        assert_eq!(attributes.key_class, KeyClass::PublicKey);
        assert_eq!(
            attributes.key_modes_of_use,
            KeyModesOfUse {
                verify: true,
                ..KeyModesOfUse::default()
            }
        );
        assert_eq!(
            path("ImportKey", &root.replace("TUlJ", "<html>")),
            "KeyMaterial.RootCertificatePublicKey.PublicKeyCertificate"
        );
    }

    #[test]
    fn export_and_import_parameters() {
        let ControlRequest::ExportKey(e) = parse(
            "ExportKey",
            &format!(
                r#"{{"ExportKeyIdentifier": "{ARN}", "KeyMaterial": {{"Tr31KeyBlock": {{
                    "WrappingKeyIdentifier": "alias/kek", "KeyBlockHeaders": {{"KeyModesOfUse": {{"Encrypt": true, "Wrap": true}},
                    "KeyExportability": "NON_EXPORTABLE", "KeyVersion": "01", "OptionalBlocks": {{"KS": "00604B120F9292800000"}}}}}}}},
                    "ExportAttributes": {{"ExportDukptInitialKey": {{"KeySerialNumber": "FFFF9876543210E00000"}},
                    "KeyCheckValueAlgorithm": "ANSI_X9_24"}}}}"#
            ),
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(e.headers.exportability, Some(Exportability::NonExportable));
        assert_eq!(e.headers.key_version.as_deref(), Some("01"));
        assert_eq!(e.headers.optional_blocks.len(), 1);
        assert!(e.headers.modes_of_use.unwrap().wrap);
        assert_eq!(e.initial_key_ksn.as_ref().map(Vec::len), Some(10));
        for (material, want) in [
            (r#"{"Tr34KeyBlock": {}}"#, "KeyMaterial.Tr34KeyBlock"),
            (r#"{"KeyCryptogram": {}}"#, "KeyMaterial.KeyCryptogram"),
            (
                r#"{"Tr31KeyBlock": {"WrappingKeyIdentifier": "alias/k", "KeyBlockHeaders": {"KeyVersion": "a"}}}"#,
                "KeyMaterial.Tr31KeyBlock.KeyBlockHeaders.KeyVersion",
            ),
            (
                r#"{"Tr31KeyBlock": {"WrappingKeyIdentifier": "alias/k", "KeyBlockHeaders": {"OptionalBlocks": {"k": "1"}}}}"#,
                "KeyMaterial.Tr31KeyBlock.KeyBlockHeaders.OptionalBlocks.k",
            ),
        ] {
            assert_eq!(
                path(
                    "ExportKey",
                    &format!(r#"{{"ExportKeyIdentifier": "{ARN}", "KeyMaterial": {material}}}"#)
                ),
                want,
                "{material}"
            );
        }
        assert_eq!(
            parse(
                "GetParametersForImport",
                r#"{"KeyMaterialType": "KEY_CRYPTOGRAM", "WrappingKeyAlgorithm": "RSA_4096"}"#
            )
            .unwrap(),
            ControlRequest::GetParametersForImport {
                wrapping_key_algorithm: RsaSize::Rsa4096,
                reuse_last_generated_token: false
            }
        );
        for body in [
            r#"{"KeyMaterialType": "TR34_KEY_BLOCK", "WrappingKeyAlgorithm": "RSA_2048"}"#,
            r#"{"KeyMaterialType": "TR31_KEY_BLOCK", "WrappingKeyAlgorithm": "RSA_2048"}"#,
            r#"{"KeyMaterialType": "NOPE", "WrappingKeyAlgorithm": "RSA_2048"}"#,
        ] {
            assert_eq!(path("GetParametersForImport", body), "KeyMaterialType");
        }
        assert_eq!(
            path(
                "GetParametersForImport",
                r#"{"KeyMaterialType": "KEY_CRYPTOGRAM", "WrappingKeyAlgorithm": "AES_128"}"#
            ),
            "WrappingKeyAlgorithm"
        );
    }

    #[test]
    fn magic_tag_values_are_taken_out() {
        let ControlRequest::CreateKey(mut c) = parse(
            "CreateKey",
            &format!(
                r#"{{"KeyAttributes": {TDES_D0}, "Exportable": true, "Tags": [{{"Key": "_custom_key_material_",
                    "Value": "0101010101010101FEFEFEFEFEFEFEFE"}}, {{"Key": "env", "Value": "x"}}]}}"#
            ),
        )
        .unwrap() else {
            panic!()
        };
        assert!(!alloc::format!("{c:?}").contains("0101"));
        let v = take_tag_value(&mut c.tags, "_custom_key_material_").unwrap();
        assert_eq!(v.as_str(), "0101010101010101FEFEFEFEFEFEFEFE");
        assert_eq!(c.tags.len(), 1);
        assert!(take_tag_value(&mut c.tags, "_custom_id_").is_none());
    }
}
