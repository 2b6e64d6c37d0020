//! The key-store document that the CLI and tests load:
//!
//! ```json
//! {"Keys": [{"KeyArn": "...", "KeyAttributes": {"KeyUsage": "...", "KeyClass": "...",
//!            "KeyAlgorithm": "...", "KeyModesOfUse": {"Encrypt": true, ...}},
//!            "KeyMaterial": "<hex, or PEM for RSA>", "Enabled": true, "KeyState": "CREATE_COMPLETE",
//!            "KeyCheckValueAlgorithm": "ANSI_X9_24", "KeyCheckValue": "08D7B4"}],
//!  "Aliases": [{"AliasName": "alias/...", "KeyArn": "..."}]}
//! ```
//!
//! `KeyAttributes` has AWS's control-plane shape (`KeyModesOfUse` members not given are false).
//! `KeyMaterial` is hex for TDES/AES keys and PEM for RSA (PKCS#8 or PKCS#1 private keys, SPKI or PKCS#1
//! public keys). The check value is always computed from the material; a `KeyCheckValue` in the file is
//! only compared with it (a mismatch is an error, which catches mistyped material). Two keys with the same
//! ARN, two aliases with the same name, and an alias naming a key that is not in the document are errors.
//!
//! One member is paycrypt's own, **not AWS's**: `"PaycryptAllowRawRsaOutgoing": true` on an RSA key lets
//! `ReEncryptData` encrypt under it with raw RSA (`Asymmetric` without `PaddingType`) when the incoming
//! side is not RSA ([`Key::with_raw_rsa_outgoing`](crate::Key::with_raw_rsa_outgoing), which says why it
//! is off by default: raw RSA outgoing is a plaintext oracle for whoever may request re-encryptions).
//! On any other key it is an error.

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde_json::{Map, Value, json};

use super::ServiceError;
use super::error::{Member, describe, member};
use super::json::{Json, Object, echo, join};
use crate::algorithm::KeyAlgorithm;
use crate::error::Error;
use crate::kcv::KcvAlgorithm;
use crate::key::SymmetricKey;
use crate::keystore::{
    Key, KeyArn, KeyAttributes, KeyClass, KeyMaterial, KeyModesOfUse, KeyState, KeyUsage,
    MemoryKeyStore,
};

use crate::rsa::{RsaPrivateKey, RsaPublicKey};

/// A key-store document that cannot be loaded: which key (ARN, or position when the ARN itself is
/// bad), which member, and why. Never contains key material.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyStoreFileError {
    /// The key's ARN as written, or `Keys[i]` / `Aliases[i]` when there is no usable ARN.
    pub key: Option<String>,
    /// The member at fault, e.g. `Keys[2].KeyMaterial`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for KeyStoreFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(f, "key {key}: {}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl core::error::Error for KeyStoreFileError {}

fn from_service(key: Option<&str>, e: ServiceError) -> KeyStoreFileError {
    match e {
        ServiceError::Validation {
            field_list,
            message,
        } => {
            let (path, message) = field_list
                .into_iter()
                .next()
                .map(|f| (f.path, f.message))
                .unwrap_or((String::new(), message));
            KeyStoreFileError {
                key: key.map(str::to_string),
                path,
                message,
            }
        }
        other => KeyStoreFileError {
            key: key.map(str::to_string),
            path: String::new(),
            message: other.message(),
        },
    }
}

fn at(key: Option<&str>, path: String, e: Error) -> KeyStoreFileError {
    KeyStoreFileError {
        key: key.map(str::to_string),
        path,
        message: describe(e),
    }
}

/// `KeyModesOfUse`'s members, in AWS's order, each with its flag: the one table the document's reader
/// and the listing use.
type Flag = fn(&mut KeyModesOfUse) -> &mut bool;
const MODES_OF_USE: [(&str, Flag); 9] = [
    ("Encrypt", |m| &mut m.encrypt),
    ("Decrypt", |m| &mut m.decrypt),
    ("Wrap", |m| &mut m.wrap),
    ("Unwrap", |m| &mut m.unwrap),
    ("Generate", |m| &mut m.generate),
    ("Sign", |m| &mut m.sign),
    ("Verify", |m| &mut m.verify),
    ("DeriveKey", |m| &mut m.derive_key),
    ("NoRestrictions", |m| &mut m.no_restrictions),
];

fn parse_attributes(o: &Object<'_>, path: &str) -> Result<KeyAttributes, ServiceError> {
    let attrs_value = o.req("KeyAttributes")?;
    let a = Object::new(
        attrs_value,
        path,
        &["KeyUsage", "KeyClass", "KeyAlgorithm", "KeyModesOfUse"],
    )?
    .quiet();
    let key_usage = a.req_enum("KeyUsage", &KeyUsage::ALL)?;
    let key_class = a.req_enum("KeyClass", &KeyClass::ALL)?;
    let key_algorithm = a.req_enum("KeyAlgorithm", &KeyAlgorithm::ALL)?;
    let modes_path = a.path_of("KeyModesOfUse");
    let modes_value = a.req("KeyModesOfUse")?;
    let names = MODES_OF_USE.map(|(name, _)| name);
    let m = Object::new(modes_value, &modes_path, &names)?.quiet();
    let mut key_modes_of_use = KeyModesOfUse::default();
    for (name, flag) in MODES_OF_USE {
        if let Some(v) = m.opt_bool(name)? {
            *flag(&mut key_modes_of_use) = v;
        }
    }
    Ok(KeyAttributes {
        key_usage,
        key_class,
        key_algorithm,
        key_modes_of_use,
    })
}

fn parse_material(
    algorithm: KeyAlgorithm,
    class: KeyClass,
    text: &str,
) -> Result<KeyMaterial, Error> {
    match algorithm {
        KeyAlgorithm::Symmetric(a) => SymmetricKey::from_hex(a, text).map(KeyMaterial::Symmetric),
        KeyAlgorithm::Rsa(_) if class == KeyClass::PublicKey => {
            RsaPublicKey::from_pem(text).map(KeyMaterial::RsaPublic)
        }
        KeyAlgorithm::Rsa(_) => RsaPrivateKey::from_pem(text).map(KeyMaterial::RsaPrivate),
    }
}

fn parse_key(value: &Value, path: &str) -> Result<Key, KeyStoreFileError> {
    let o = Object::new(
        value,
        path,
        &[
            "KeyArn",
            "KeyAttributes",
            "KeyMaterial",
            "Enabled",
            "KeyState",
            "KeyCheckValueAlgorithm",
            "KeyCheckValue",
            "PaycryptAllowRawRsaOutgoing",
        ],
    )
    .map_err(|e| from_service(None, e))?
    .quiet();
    let arn_text = o.req_str("KeyArn").map_err(|e| from_service(None, e))?;
    let arn = KeyArn::parse(arn_text).map_err(|e| at(None, o.path_of("KeyArn"), e))?;
    let key = Some(arn_text);
    let attributes =
        parse_attributes(&o, &o.path_of("KeyAttributes")).map_err(|e| from_service(key, e))?;
    let material_text = o.req_str("KeyMaterial").map_err(|e| from_service(key, e))?;
    let material_path = o.path_of("KeyMaterial");
    let material = parse_material(
        attributes.key_algorithm,
        attributes.key_class,
        material_text,
    )
    .map_err(|e| at(key, material_path.clone(), e))?;
    let mut stored = Key::new(arn, attributes, material).map_err(|e| {
        let path = match e {
            Error::Invalid { problem, .. } if member(problem) == Member::KeyAttributes => {
                o.path_of("KeyAttributes")
            }
            _ => material_path.clone(),
        };
        at(key, path, e)
    })?;
    if let Some(enabled) = o.opt_bool("Enabled").map_err(|e| from_service(key, e))? {
        stored = stored.with_enabled(enabled);
    }
    if let Some(state) = o
        .opt_enum("KeyState", &KeyState::ALL)
        .map_err(|e| from_service(key, e))?
    {
        stored = stored.with_state(state);
    }
    if let Some(kcv_algorithm) = o
        .opt_enum("KeyCheckValueAlgorithm", &KcvAlgorithm::ALL)
        .map_err(|e| from_service(key, e))?
    {
        stored = stored
            .with_kcv_algorithm(kcv_algorithm)
            .map_err(|e| at(key, o.path_of("KeyCheckValueAlgorithm"), e))?;
    }
    if let Some(allow) = o
        .opt_bool("PaycryptAllowRawRsaOutgoing")
        .map_err(|e| from_service(key, e))?
    {
        stored = stored
            .with_raw_rsa_outgoing(allow)
            .map_err(|e| at(key, o.path_of("PaycryptAllowRawRsaOutgoing"), e))?;
    }
    if let Some(claimed) = o
        .opt_str("KeyCheckValue")
        .map_err(|e| from_service(key, e))?
    {
        let computed = stored.kcv().to_string();
        if !claimed.eq_ignore_ascii_case(&computed) {
            // The value given is not repeated (key material pasted here must not reach a log); the
            // computed check value is public (`paycrypt keys` lists it).
            return Err(KeyStoreFileError {
                key: key.map(str::to_string),
                path: o.path_of("KeyCheckValue"),
                message: format!(
                    "the KeyCheckValue given ({} characters) does not match the key material \
                     (computed {computed})",
                    claimed.chars().count()
                ),
            });
        }
    }
    Ok(stored)
}

impl MemoryKeyStore {
    /// Load a key-store document (feature `json`; the document's shape is in the `wire` module's
    /// `keystore_file` docs, and in the README of the `paycrypt` CLI).
    ///
    /// The parsed document (key hex, PEM text) is wiped before this returns, on success and on error;
    /// `text` itself is the caller's to wipe (read it into a `Zeroizing<String>`).
    ///
    /// # Errors
    ///
    /// Text that is not JSON; a member given twice in one object; keys with the same ARN, aliases with
    /// the same name or naming a missing key; any key that [`Key::new`] refuses or whose
    /// `KeyCheckValue` does not match its material. The error names the key and the member, never a
    /// value.
    pub fn from_json(text: &str) -> Result<Self, KeyStoreFileError> {
        let value = Json::parse(text).map_err(|e| match e.duplicate_path() {
            Some(path) => KeyStoreFileError {
                key: None,
                path: path.to_string(),
                message: "a member appears more than once".to_string(),
            },
            None => KeyStoreFileError {
                key: None,
                path: "$".to_string(),
                message: format!("not valid JSON: {e}"),
            },
        })?;
        Self::from_value(&value)
    }

    /// Load a key-store document from a JSON value.
    ///
    /// # Errors
    ///
    /// As [`MemoryKeyStore::from_json`], without the JSON text's own errors.
    pub fn from_value(value: &Value) -> Result<Self, KeyStoreFileError> {
        let top = Object::new(value, "", &["Keys", "Aliases"])
            .map_err(|e| from_service(None, e))?
            .quiet();
        let mut store = MemoryKeyStore::new();
        let keys = top.opt_array("Keys").map_err(|e| from_service(None, e))?;
        for (i, k) in keys.into_iter().flatten().enumerate() {
            let path = format!("Keys[{i}]");
            let key = parse_key(k, &path)?;
            let arn = *key.arn();
            if store.insert(key).is_some() {
                return Err(KeyStoreFileError {
                    key: Some(arn.as_str().to_string()),
                    path: join(&path, "KeyArn"),
                    message: "a key with this ARN appears twice".to_string(),
                });
            }
        }
        let aliases = top
            .opt_array("Aliases")
            .map_err(|e| from_service(None, e))?;
        let mut names = BTreeSet::new();
        for (i, a) in aliases.into_iter().flatten().enumerate() {
            let path = format!("Aliases[{i}]");
            let o = Object::new(a, &path, &["AliasName", "KeyArn"])
                .map_err(|e| from_service(None, e))?
                .quiet();
            let name = o.req_str("AliasName").map_err(|e| from_service(None, e))?;
            let arn_text = o.req_str("KeyArn").map_err(|e| from_service(None, e))?;
            // A bad ARN is named by its path only (it may be anything, of any length).
            let arn = KeyArn::parse(arn_text).map_err(|e| at(None, o.path_of("KeyArn"), e))?;
            // A second alias of the same name would silently re-point the first.
            if !names.insert(name) {
                return Err(KeyStoreFileError {
                    key: Some(arn_text.to_string()),
                    path: o.path_of("AliasName"),
                    message: format!("alias {} appears twice", echo(name)),
                });
            }
            store.add_alias(name, &arn).map_err(|_| KeyStoreFileError {
                key: Some(arn_text.to_string()),
                path: o.path_of("AliasName"),
                message: format!(
                    "alias {} is not of the form alias/<name>, or its key is not in the store",
                    echo(name)
                ),
            })?;
        }
        Ok(store)
    }
}

/// The store as `paycrypt keys` lists it: ListKeys' and ListAliases' members (`{"Keys": [...],
/// "Aliases": [...]}`), never key material. `PaycryptAllowRawRsaOutgoing` appears only where it is set.
#[must_use]
pub fn key_store_listing(store: &MemoryKeyStore) -> Json {
    let keys: Vec<Value> = store.keys().map(key_listing).collect();
    let aliases: Vec<Value> = store
        .aliases()
        .map(|(alias, arn)| json!({"AliasName": alias, "KeyArn": arn.as_str()}))
        .collect();
    Json::from(json!({"Keys": keys, "Aliases": aliases}))
}

fn key_listing(key: &Key) -> Value {
    let a = key.attributes();
    let modes: Map<String, Value> = MODES_OF_USE
        .iter()
        .map(|(name, flag)| {
            let mut m = a.key_modes_of_use;
            ((*name).to_string(), Value::Bool(*flag(&mut m)))
        })
        .collect();
    let mut listed = json!({
        "KeyArn": key.arn().as_str(),
        "KeyAttributes": {
            "KeyUsage": a.key_usage.aws_name(),
            "KeyClass": a.key_class.aws_name(),
            "KeyAlgorithm": a.key_algorithm.aws_name(),
            "KeyModesOfUse": modes,
        },
        "KeyCheckValue": key.kcv().to_string(),
        "KeyCheckValueAlgorithm": key.kcv_algorithm().aws_name(),
        "Enabled": key.enabled(),
        "KeyState": key.state().aws_name(),
    });
    // paycrypt's own member (not AWS), shown only where it is set.
    if key.allows_raw_rsa_outgoing()
        && let Some(members) = listed.as_object_mut()
    {
        members.insert("PaycryptAllowRawRsaOutgoing".to_string(), Value::Bool(true));
    }
    listed
}
