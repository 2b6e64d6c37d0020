//! The key-store document as a key-management service keeps it: each key with its metadata
//! (`Exportable`, `KeyOrigin`, `Tags`, the timestamps of its life), read strictly and written back.
//!
//! These members extend the document of [`keystore_file`](super::keystore_file) with AWS's own member
//! names (those of the control plane's `Key` shape), so that one format serves a seed file, an
//! emulator's stored records and its export:
//!
//! ```json
//! {"KeyArn": "...", "KeyAttributes": {...}, "KeyMaterial": "...", "Enabled": true,
//!  "KeyState": "CREATE_COMPLETE", "KeyCheckValueAlgorithm": "CMAC", "KeyCheckValue": "53E107",
//!  "Exportable": true, "KeyOrigin": "AWS_PAYMENT_CRYPTOGRAPHY",
//!  "Tags": [{"Key": "team", "Value": "payments"}],
//!  "CreateTimestamp": 1686800690.015, "UsageStartTimestamp": 1686800690.015}
//! ```
//!
//! Absent, `Exportable` is false, `KeyOrigin` `EXTERNAL` (a seeded key came from outside), and the
//! timestamps are unset. Timestamps are epoch seconds (a JSON number, millisecond precision, as AWS
//! answers them).
//!
//! [`KeyStoreDocument::from_json`] is strict where [`MemoryKeyStore::from_json`](crate::MemoryKeyStore::from_json)
//! is lenient: every key's attributes must form one of AWS's valid combinations
//! ([`KeyAttributes::check_combination`](crate::KeyAttributes::check_combination)), as a key created
//! or imported through AWS's control plane would. (The lenient loader exists for tests that hold keys
//! AWS would refuse to create, to check that the operations refuse them too.)
//!
//! [`DocumentKey::to_json`] writes a key back, its material in the clear (hex, or PEM PKCS#8 / SPKI for
//! RSA) inside a [`Json`] that wipes it on drop; [`describe_key`] and [`summarize_key`] write the
//! control plane's `Key` and `KeySummary` shapes, which carry no material.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::mem;

use serde_json::{Map, Number, Value};
use zeroize::Zeroize;

use super::ServiceError;
use super::json::{Json, Object};
use super::keystore_file::{self, KeyStoreFileError};
use crate::algorithm::vocabulary;
use crate::error::Error;
use crate::keystore::{Key, KeyArn, KeyAttributes, KeyMaterial, KeyModesOfUse};

vocabulary! { aws
    /// AWS `KeyOrigin`.
    #[derive(Default)]
    KeyOrigin {
        /// `AWS_PAYMENT_CRYPTOGRAPHY`: created by the service.
        AwsPaymentCryptography = "AWS_PAYMENT_CRYPTOGRAPHY",
        /// `EXTERNAL`: imported.
        #[default]
        External = "EXTERNAL",
    }
}

/// A point in time: milliseconds since the Unix epoch. On the wire, epoch seconds as a JSON number
/// (`1686800690.015`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The latest time a document may hold (year 9999).
    const MAX_MILLIS: u64 = 253_402_300_799_999;

    /// From milliseconds since the epoch.
    #[must_use]
    pub const fn from_millis(millis: u64) -> Self {
        Timestamp(millis)
    }

    /// Milliseconds since the epoch.
    #[must_use]
    pub const fn millis(self) -> u64 {
        self.0
    }

    /// This time plus `millis` (saturating).
    #[must_use]
    pub const fn plus_millis(self, millis: u64) -> Self {
        Timestamp(self.0.saturating_add(millis))
    }

    /// As AWS writes it: epoch seconds with the milliseconds as a fraction.
    pub fn to_value(self) -> Value {
        let whole = self.0 / 1000;
        let frac = self.0 % 1000;
        if frac == 0 {
            return Value::Number(Number::from(whole));
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "both at most 2^48: exact in an f64"
        )]
        let seconds = whole as f64 + frac as f64 / 1000.0;
        Number::from_f64(seconds).map_or(Value::Null, Value::Number)
    }

    /// Read epoch seconds (an integer or a fraction, 0 to year 9999), rounded to the millisecond.
    pub fn from_value(value: &Value) -> Option<Self> {
        if let Some(s) = value.as_u64() {
            return s
                .checked_mul(1000)
                .filter(|m| *m <= Self::MAX_MILLIS)
                .map(Timestamp);
        }
        let seconds = value.as_f64()?;
        // Rounded half away from zero without `f64::round` (`std` only): the range is checked on the
        // unrounded value (`round(x)` lies in `0..=MAX_MILLIS` exactly when `x` lies in
        // `(-0.5, MAX_MILLIS + 0.5)`); below 2^53 `x - trunc(x)` is exact.
        let scaled = seconds * 1000.0;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "the range is checked first, so the cast is exact"
        )]
        if scaled > -0.5 && scaled < Self::MAX_MILLIS as f64 + 0.5 {
            let whole = scaled as u64;
            Some(Timestamp(whole + u64::from(scaled - whole as f64 >= 0.5)))
        } else {
            None
        }
    }
}

/// A tag: `Key` (1–128 characters) and `Value` (1–256). Wiped on drop (an emulator's magic tags carry
/// key material); `Debug` shows the key and the value's length.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Tag {
    /// `Key`.
    pub key: String,
    /// `Value`.
    pub value: String,
}

impl core::fmt::Debug for Tag {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tag")
            .field("key", &self.key)
            .field("value_len", &self.value.len())
            .finish()
    }
}

impl Drop for Tag {
    fn drop(&mut self) {
        self.key.zeroize();
        self.value.zeroize();
    }
}

/// The most tags a key carries.
pub const MAX_TAGS: usize = 200;

/// What a key store keeps about a key besides the key itself: public metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyMetadata {
    /// `Exportable`.
    pub exportable: bool,
    /// `KeyOrigin`.
    pub origin: KeyOrigin,
    /// `Tags`, in the order given.
    pub tags: Vec<Tag>,
    /// `CreateTimestamp`.
    pub create_timestamp: Option<Timestamp>,
    /// `UsageStartTimestamp`.
    pub usage_start_timestamp: Option<Timestamp>,
    /// `UsageStopTimestamp`.
    pub usage_stop_timestamp: Option<Timestamp>,
    /// `DeletePendingTimestamp`.
    pub delete_pending_timestamp: Option<Timestamp>,
    /// `DeleteTimestamp`.
    pub delete_timestamp: Option<Timestamp>,
}

/// The timestamp members, with accessors.
const TIMESTAMPS: [&str; 5] = [
    "CreateTimestamp",
    "UsageStartTimestamp",
    "UsageStopTimestamp",
    "DeletePendingTimestamp",
    "DeleteTimestamp",
];

impl KeyMetadata {
    fn timestamps(&self) -> [Option<Timestamp>; 5] {
        [
            self.create_timestamp,
            self.usage_start_timestamp,
            self.usage_stop_timestamp,
            self.delete_pending_timestamp,
            self.delete_timestamp,
        ]
    }

    fn timestamp_mut(&mut self, member: &str) -> Option<&mut Option<Timestamp>> {
        Some(match member {
            "CreateTimestamp" => &mut self.create_timestamp,
            "UsageStartTimestamp" => &mut self.usage_start_timestamp,
            "UsageStopTimestamp" => &mut self.usage_stop_timestamp,
            "DeletePendingTimestamp" => &mut self.delete_pending_timestamp,
            "DeleteTimestamp" => &mut self.delete_timestamp,
            _ => return None,
        })
    }
}

/// The members of a document key that this module reads (besides those of `keystore_file`).
pub(crate) const METADATA_MEMBERS: [&str; 8] = [
    "Exportable",
    "KeyOrigin",
    "Tags",
    "CreateTimestamp",
    "UsageStartTimestamp",
    "UsageStopTimestamp",
    "DeletePendingTimestamp",
    "DeleteTimestamp",
];

/// Read a list of tags (`Tags`, 0–200 of `{Key, Value}`, no key twice). The values are never repeated
/// in an error.
pub(crate) fn parse_tags(o: &Object<'_>, member: &str) -> Result<Vec<Tag>, ServiceError> {
    let Some(list) = o.opt_array(member)? else {
        return Ok(Vec::new());
    };
    if list.len() > MAX_TAGS {
        return Err(ServiceError::field(
            o.path_of(member),
            format!("Member must have length less than or equal to {MAX_TAGS}"),
        ));
    }
    let mut tags: Vec<Tag> = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let path = format!("{}[{i}]", o.path_of(member));
        let t = Object::new(item, &path, &["Key", "Value"])?;
        let key = t.req_str("Key")?;
        t.check_len("Key", key, 1, 128)?;
        let value = t.req_str("Value")?;
        t.check_len("Value", value, 1, 256)?;
        if tags.iter().any(|other| other.key == key) {
            return Err(ServiceError::field(
                t.path_of("Key"),
                "A tag key may appear only once".to_string(),
            ));
        }
        tags.push(Tag {
            key: key.to_string(),
            value: value.to_string(),
        });
    }
    Ok(tags)
}

/// Read the metadata members of a document key.
pub(crate) fn parse_metadata(o: &Object<'_>) -> Result<KeyMetadata, ServiceError> {
    let mut meta = KeyMetadata {
        exportable: o.opt_bool("Exportable")?.unwrap_or(false),
        origin: o
            .opt_enum("KeyOrigin", &KeyOrigin::ALL)?
            .unwrap_or_default(),
        tags: parse_tags(o, "Tags")?,
        ..KeyMetadata::default()
    };
    for member in TIMESTAMPS {
        if let Some(v) = o.opt(member) {
            let t = Timestamp::from_value(v).ok_or_else(|| {
                ServiceError::field(
                    o.path_of(member),
                    "Value must be epoch seconds (a number from 0 to year 9999)".to_string(),
                )
            })?;
            if let Some(slot) = meta.timestamp_mut(member) {
                *slot = Some(t);
            }
        }
    }
    Ok(meta)
}

/// One key of a key-store document, with its metadata.
#[derive(Debug)]
pub struct DocumentKey {
    /// The key (material, attributes, `Enabled`, `KeyState`, check value).
    pub key: Key,
    /// `Exportable`, `KeyOrigin`, `Tags`, timestamps.
    pub metadata: KeyMetadata,
}

/// One alias of a key-store document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentAlias {
    /// `AliasName`, `alias/…`.
    pub alias_name: String,
    /// `KeyArn`: the key it names (which must be in the document).
    pub key_arn: KeyArn,
}

/// A key-store document read strictly: every key's attributes form one of AWS's valid combinations
/// ([`KeyAttributes::check_combination`](crate::KeyAttributes::check_combination)).
#[derive(Debug, Default)]
pub struct KeyStoreDocument {
    /// The keys, in document order.
    pub keys: Vec<DocumentKey>,
    /// The aliases, in document order.
    pub aliases: Vec<DocumentAlias>,
}

fn attributes_json(a: &KeyAttributes) -> Value {
    let mut modes = Map::new();
    let m: &KeyModesOfUse = &a.key_modes_of_use;
    for (name, flag) in KeyModesOfUse::MEMBERS.iter().zip(m.flags()) {
        modes.insert((*name).to_string(), Value::Bool(flag));
    }
    let mut attributes = Map::new();
    attributes.insert("KeyUsage".into(), a.key_usage.aws_name().into());
    attributes.insert("KeyClass".into(), a.key_class.aws_name().into());
    attributes.insert("KeyAlgorithm".into(), a.key_algorithm.aws_name().into());
    attributes.insert("KeyModesOfUse".into(), Value::Object(modes));
    Value::Object(attributes)
}

/// The members a key and its metadata share between the document and the `Key` shape.
fn common_members(key: &Key, metadata: &KeyMetadata) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("KeyArn".into(), key.arn().as_str().into());
    m.insert("KeyAttributes".into(), attributes_json(key.attributes()));
    m.insert("KeyCheckValue".into(), key.kcv().to_string().into());
    m.insert(
        "KeyCheckValueAlgorithm".into(),
        key.kcv_algorithm().aws_name().into(),
    );
    m.insert("Enabled".into(), Value::Bool(key.enabled()));
    m.insert("Exportable".into(), Value::Bool(metadata.exportable));
    m.insert("KeyState".into(), key.state().aws_name().into());
    m.insert("KeyOrigin".into(), metadata.origin.aws_name().into());
    for (member, t) in TIMESTAMPS.iter().zip(metadata.timestamps()) {
        if let Some(t) = t {
            m.insert((*member).to_string(), t.to_value());
        }
    }
    m
}

/// The control plane's `Key` shape for a stored key (no material).
#[must_use]
pub fn describe_key(key: &Key, metadata: &KeyMetadata) -> Json {
    Json::from(Value::Object(common_members(key, metadata)))
}

/// The control plane's `KeySummary` shape (`ListKeys`).
#[must_use]
pub fn summarize_key(key: &Key, metadata: &KeyMetadata) -> Json {
    let mut m = Map::new();
    m.insert("KeyArn".into(), key.arn().as_str().into());
    m.insert("KeyState".into(), key.state().aws_name().into());
    m.insert("KeyAttributes".into(), attributes_json(key.attributes()));
    m.insert("KeyCheckValue".into(), key.kcv().to_string().into());
    m.insert("Exportable".into(), Value::Bool(metadata.exportable));
    m.insert("Enabled".into(), Value::Bool(key.enabled()));
    Json::from(Value::Object(m))
}

/// `Tags` as the control plane writes them.
#[must_use]
pub fn tags_json(tags: &[Tag]) -> Value {
    Value::Array(
        tags.iter()
            .map(|t| {
                let mut m = Map::new();
                m.insert("Key".into(), t.key.clone().into());
                m.insert("Value".into(), t.value.clone().into());
                Value::Object(m)
            })
            .collect(),
    )
}

/// The key material as the document writes it: hex for TDES/AES, PEM PKCS#8 for an RSA private key,
/// PEM SubjectPublicKeyInfo for an RSA public key.
fn material_text(material: &KeyMaterial) -> Result<String, Error> {
    Ok(match material {
        KeyMaterial::Symmetric(k) => crate::hex::encode_upper_string(k.secret_bytes()),
        KeyMaterial::RsaPrivate(k) => mem::take(&mut *k.to_pkcs8_pem()?),
        KeyMaterial::RsaPublic(k) => k.to_spki_pem()?,
    })
}

impl DocumentKey {
    /// Read one key of a document strictly (its attributes must form a valid AWS combination).
    /// `path` names it in errors, e.g. `Keys[3]`.
    ///
    /// # Errors
    ///
    /// A [`KeyStoreFileError`] naming the member: anything [`MemoryKeyStore::from_json`](crate::MemoryKeyStore::from_json)
    /// refuses in a key, metadata of the wrong shape, attributes that form no valid combination.
    pub fn from_value(value: &Value, path: &str) -> Result<Self, KeyStoreFileError> {
        let (key, metadata) = keystore_file::parse_document_key(value, path, true)?;
        Ok(DocumentKey { key, metadata })
    }

    /// Read one key from JSON text strictly (as a stored record is read back).
    ///
    /// # Errors
    ///
    /// As [`DocumentKey::from_value`], and text that is not JSON.
    pub fn from_json(text: &str) -> Result<Self, KeyStoreFileError> {
        let value = keystore_file::parse_document_text(text)?;
        Self::from_value(&value, "$")
    }

    /// The key as a document entry, its material in the clear inside a [`Json`] that is wiped on drop
    /// (write it out with [`Json::to_text`]). An encoding failure of an RSA key is
    /// [`Problem::KeyEncoding`](crate::Problem::KeyEncoding).
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`](crate::Problem::KeyEncoding) if an RSA key cannot be encoded.
    pub fn to_json(key: &Key, metadata: &KeyMetadata) -> Result<Json, Error> {
        let mut m = common_members(key, metadata);
        // The Json takes the material's allocation over: it is wiped with it.
        let mut doc = Json::from(Value::Object(Map::new()));
        m.insert(
            "KeyMaterial".into(),
            Value::String(material_text(key.material())?),
        );
        if key.allows_raw_rsa_outgoing() {
            m.insert("PaycryptAllowRawRsaOutgoing".into(), Value::Bool(true));
        }
        if !metadata.tags.is_empty() {
            m.insert("Tags".into(), tags_json(&metadata.tags));
        }
        *doc = Value::Object(m);
        Ok(doc)
    }
}

impl KeyStoreDocument {
    /// Read a document strictly (AWS's valid combinations of attributes); the same checks as
    /// [`MemoryKeyStore::from_json`](crate::MemoryKeyStore::from_json) otherwise. The parsed text is
    /// wiped before this returns; `text` is the caller's to wipe.
    ///
    /// # Errors
    ///
    /// As [`KeyStoreDocument::from_value`], and text that is not JSON or gives a member twice.
    pub fn from_json(text: &str) -> Result<Self, KeyStoreFileError> {
        let value = keystore_file::parse_document_text(text)?;
        Self::from_value(&value)
    }

    /// Read a document from a JSON value, strictly.
    ///
    /// # Errors
    ///
    /// Any key [`DocumentKey::from_value`] refuses; keys with the same ARN, aliases with the same name or
    /// naming a missing key.
    pub fn from_value(value: &Value) -> Result<Self, KeyStoreFileError> {
        let (keys, aliases) = keystore_file::parse_document(value, true)?;
        Ok(KeyStoreDocument {
            keys: keys
                .into_iter()
                .map(|(key, metadata)| DocumentKey { key, metadata })
                .collect(),
            aliases: aliases
                .into_iter()
                .map(|(alias_name, key_arn)| DocumentAlias {
                    alias_name,
                    key_arn,
                })
                .collect(),
        })
    }

    /// The whole document (`{"Keys": [...], "Aliases": [...]}`), material in the clear, wiped on drop.
    ///
    /// # Errors
    ///
    /// As [`DocumentKey::to_json`].
    pub fn to_json(&self) -> Result<Json, Error> {
        let mut keys = Vec::with_capacity(self.keys.len());
        for k in &self.keys {
            keys.push(DocumentKey::to_json(&k.key, &k.metadata)?.into_value());
        }
        Ok(write_document(keys, &self.aliases))
    }
}

/// A document from entries already written with [`DocumentKey::to_json`] (taken over, wiped with the
/// result) and aliases.
#[must_use]
pub fn write_document(keys: Vec<Value>, aliases: &[DocumentAlias]) -> Json {
    let mut doc = Json::from(Value::Object(Map::new()));
    let mut top = Map::new();
    top.insert("Keys".into(), Value::Array(keys));
    top.insert(
        "Aliases".into(),
        Value::Array(
            aliases
                .iter()
                .map(|a| {
                    let mut m = Map::new();
                    m.insert("AliasName".into(), a.alias_name.clone().into());
                    m.insert("KeyArn".into(), a.key_arn.as_str().into());
                    Value::Object(m)
                })
                .collect(),
        ),
    );
    *doc = Value::Object(top);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryKeyStore;

    const ARN: &str = "arn:aws:payment-cryptography:us-east-1:111122223333:key/aaaabbbbccccdddd";
    const RSA_ARN: &str =
        "arn:aws:payment-cryptography:us-east-1:111122223333:key/rsarsarsarsarsa1";

    fn doc(modes: &str, extra: &str) -> String {
        format!(
            r#"{{"Keys": [{{"KeyArn": "{ARN}", "KeyAttributes": {{"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
                "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "TDES_2KEY", "KeyModesOfUse": {modes}}},
                "KeyMaterial": "0101010101010101FEFEFEFEFEFEFEFE"{extra}}}],
              "Aliases": [{{"AliasName": "alias/a", "KeyArn": "{ARN}"}}]}}"#
        )
    }

    const ALL4: &str = r#"{"Encrypt": true, "Decrypt": true, "Wrap": true, "Unwrap": true}"#;

    #[test]
    fn strict_refuses_what_aws_refuses_lenient_does_not() {
        let text = doc(r#"{"Encrypt": true, "Decrypt": true}"#, "");
        let e = KeyStoreDocument::from_json(&text).unwrap_err();
        assert_eq!(e.path, "Keys[0].KeyAttributes.KeyModesOfUse");
        assert_eq!(e.key.as_deref(), Some(ARN));
        assert!(e.message.contains("{Encrypt, Decrypt}"), "{}", e.message);
        assert_eq!(MemoryKeyStore::from_json(&text).unwrap().len(), 1);
    }

    #[test]
    fn metadata_round_trip() {
        let extra = r#", "Exportable": true, "KeyOrigin": "AWS_PAYMENT_CRYPTOGRAPHY",
            "Tags": [{"Key": "team", "Value": "payments"}, {"Key": "env", "Value": "test"}],
            "CreateTimestamp": 1686800690.015, "UsageStartTimestamp": 1686800691,
            "Enabled": false"#;
        let d = KeyStoreDocument::from_json(&doc(ALL4, extra)).unwrap();
        let k = &d.keys[0];
        assert!(k.metadata.exportable);
        assert_eq!(k.metadata.origin, KeyOrigin::AwsPaymentCryptography);
        assert_eq!(k.metadata.tags.len(), 2);
        assert_eq!(k.metadata.tags[1].key, "env");
        assert_eq!(
            k.metadata.create_timestamp,
            Some(Timestamp::from_millis(1_686_800_690_015))
        );
        assert_eq!(
            k.metadata.usage_start_timestamp,
            Some(Timestamp::from_millis(1_686_800_691_000))
        );
        assert!(!k.key.enabled());
        assert_eq!(d.aliases[0].alias_name, "alias/a");
        // Written and read again: the same key, the same metadata.
        let text = d.to_json().unwrap().to_text();
        assert!(
            text.contains("\"CreateTimestamp\":1686800690.015"),
            "{}",
            &*text
        );
        assert!(
            text.contains("\"UsageStartTimestamp\":1686800691"),
            "{}",
            &*text
        );
        let again = KeyStoreDocument::from_json(&text).unwrap();
        assert_eq!(again.keys[0].metadata, k.metadata);
        assert_eq!(again.keys[0].key.kcv(), k.key.kcv());
        assert_eq!(again.keys[0].key.attributes(), k.key.attributes());
        assert_eq!(again.aliases, d.aliases);
        // The Key shape: every mode flag, no material.
        let described = describe_key(&k.key, &k.metadata);
        assert_eq!(described["KeyCheckValue"], "9295B5");
        assert_eq!(
            described["KeyAttributes"]["KeyModesOfUse"]["DeriveKey"],
            false
        );
        assert_eq!(
            described["CreateTimestamp"].as_f64(),
            Some(1_686_800_690.015)
        );
        assert!(described.get("KeyMaterial").is_none());
        let summary = summarize_key(&k.key, &k.metadata);
        assert_eq!(summary.as_object().unwrap().len(), 6);
    }

    #[test]
    fn defaults_and_bad_metadata() {
        let d = KeyStoreDocument::from_json(&doc(ALL4, "")).unwrap();
        assert_eq!(d.keys[0].metadata, KeyMetadata::default());
        for (extra, path) in [
            (r#", "Exportable": "yes""#, "Keys[0].Exportable"),
            (r#", "KeyOrigin": "ELSEWHERE""#, "Keys[0].KeyOrigin"),
            (r#", "CreateTimestamp": -1"#, "Keys[0].CreateTimestamp"),
            (r#", "CreateTimestamp": 1e300"#, "Keys[0].CreateTimestamp"),
            (r#", "DeleteTimestamp": "2024""#, "Keys[0].DeleteTimestamp"),
            (
                r#", "Tags": [{"Key": "", "Value": "v"}]"#,
                "Keys[0].Tags[0].Key",
            ),
            (
                r#", "Tags": [{"Key": "k", "Value": ""}]"#,
                "Keys[0].Tags[0].Value",
            ),
            (
                r#", "Tags": [{"Key": "k", "Value": "a"}, {"Key": "k", "Value": "b"}]"#,
                "Keys[0].Tags[1].Key",
            ),
            (r#", "Tags": [{"Key": "k"}]"#, "Keys[0].Tags[0].Value"),
        ] {
            let e = KeyStoreDocument::from_json(&doc(ALL4, extra)).unwrap_err();
            assert_eq!(e.path, path, "{extra}");
        }
        let many: Vec<String> = (0..201)
            .map(|i| format!(r#"{{"Key": "k{i}", "Value": "v"}}"#))
            .collect();
        let e =
            KeyStoreDocument::from_json(&doc(ALL4, &format!(r#", "Tags": [{}]"#, many.join(","))))
                .unwrap_err();
        assert_eq!(e.path, "Keys[0].Tags");
    }

    #[test]
    fn rsa_keys_round_trip_as_pem() {
        let pem = include_str!("../../test-vectors/rsa/generated/rsa2048.pkcs8.pem");
        let text = format!(
            r#"{{"Keys": [{{"KeyArn": "{RSA_ARN}", "KeyAttributes": {{"KeyUsage": "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION",
                "KeyClass": "ASYMMETRIC_KEY_PAIR", "KeyAlgorithm": "RSA_2048",
                "KeyModesOfUse": {ALL4}}}, "KeyMaterial": {}, "PaycryptAllowRawRsaOutgoing": true}}]}}"#,
            serde_json::to_string(pem).unwrap()
        );
        let d = KeyStoreDocument::from_json(&text).unwrap();
        let written = DocumentKey::to_json(&d.keys[0].key, &d.keys[0].metadata).unwrap();
        assert!(
            written["KeyMaterial"]
                .as_str()
                .unwrap()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        assert_eq!(written["PaycryptAllowRawRsaOutgoing"], true);
        let again = DocumentKey::from_json(&written.to_text()).unwrap();
        assert_eq!(again.key.kcv(), d.keys[0].key.kcv());
        assert!(again.key.allows_raw_rsa_outgoing());
    }

    #[test]
    fn timestamps() {
        for (millis, text) in [
            (0, "0"),
            (1_000, "1"),
            (1_686_800_690_015, "1686800690.015"),
            (1_686_800_690_100, "1686800690.1"),
        ] {
            let v = Timestamp::from_millis(millis).to_value();
            assert_eq!(serde_json::to_string(&v).unwrap(), text);
            assert_eq!(
                Timestamp::from_value(&v),
                Some(Timestamp::from_millis(millis))
            );
        }
        assert_eq!(
            Timestamp::from_value(&serde_json::json!(1.0004)),
            Some(Timestamp::from_millis(1000))
        );
        assert_eq!(Timestamp::from_value(&serde_json::json!(-0.5)), None);
        assert_eq!(Timestamp::from_value(&serde_json::json!(u64::MAX)), None);
    }
}
