//! Key lifecycle: `CreateKey`, `GetKey`, `ListKeys`, `DeleteKey`, `RestoreKey`, `StartKeyUsage`,
//! `StopKeyUsage`.
//!
//! | operation | state rule | change |
//! |---|---|---|
//! | `CreateKey` | class `SYMMETRIC_KEY` (TDES, AES) or `ASYMMETRIC_KEY_PAIR` (RSA); a `_custom_id_` not in use | new material from the OS RNG (or the `_custom_key_material_` tag), check value computed, `KeyOrigin` `AWS_PAYMENT_CRYPTOGRAPHY`, `CreateTimestamp`, `UsageStartTimestamp` when enabled |
//! | `DeleteKey` | not already `DELETE_PENDING` (else `ConflictException`) | `DELETE_PENDING`, disabled, `UsageStopTimestamp`, `DeletePendingTimestamp` = now + `DeleteKeyInDays` (deleted when it passes) |
//! | `RestoreKey` | `DELETE_PENDING` (else `ConflictException`) | `CREATE_COMPLETE`, `DeletePendingTimestamp` removed; the key stays disabled until `StartKeyUsage` |
//! | `StartKeyUsage` / `StopKeyUsage` | not `DELETE_PENDING` (else `ConflictException`) | enabled with `UsageStartTimestamp` / disabled with `UsageStopTimestamp` |
//!
//! **Emulator conventions** (LocalStack's names, EMULATOR.md §4.5): a `CreateKey` tag
//! `_custom_key_material_` gives the material of a TDES or AES key (hex), `_custom_id_` the key id
//! (16–64 letters and digits); both are removed from the stored tags.
//!
//! A change to an existing key is prepared outside the writer (a key whose state changes is rebuilt
//! from its record, which costs an RSA key's parsing) and applied only if the key is still what it was
//! prepared from; otherwise it is prepared again.

use std::sync::Arc;

use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::{Ctx, blocking, body, conflict, internal, invalid, key_response, not_found, random_id};
use crate::api::ApiError;
use crate::engine::{
    CreateKey, DocumentKey, Key, KeyAlgorithm, KeyArn, KeyClass, KeyMaterial, KeyMetadata,
    KeyOrigin, KeyState, OsRng, Page, RsaPrivateKey, SymmetricKey, Timestamp, summarize_key,
    take_tag_value,
};
use crate::state::writer::{Txn, now};
use crate::state::{Entry, Lookup};

/// The emulator-only tag carrying a new key's material (hex).
pub const CUSTOM_MATERIAL_TAG: &str = "_custom_key_material_";
/// The emulator-only tag carrying a new key's id.
pub const CUSTOM_ID_TAG: &str = "_custom_id_";

const DAY_MILLIS: u64 = 24 * 3600 * 1000;

/// Tags whose key starts with `aws:` are AWS's own.
pub fn check_tag_keys<'a>(mut keys: impl Iterator<Item = &'a str>) -> Result<(), ApiError> {
    if keys.any(|k| k.starts_with("aws:")) {
        return Err(invalid(
            "Tags: a tag key may not start with aws: (reserved)",
        ));
    }
    Ok(())
}

/// A key's check-value algorithm, or a `ValidationException` saying it does not apply.
pub fn with_kcv(key: Key, algorithm: Option<crate::engine::KcvAlgorithm>) -> Result<Key, ApiError> {
    match algorithm {
        None => Ok(key),
        Some(a) => {
            let name = key.attributes().key_algorithm;
            key.with_kcv_algorithm(a).map_err(|_| {
                invalid(format!(
                    "KeyCheckValueAlgorithm: {a} does not apply to a {name} key"
                ))
            })
        }
    }
}

/// A `Key::new` failure as a `ValidationException`.
pub fn key_error(e: &crate::engine::LibraryError) -> ApiError {
    invalid(format!("KeyMaterial: {e}"))
}

/// Put a new key, unless a key with its ARN exists.
pub async fn insert(ctx: &Ctx, entry: Entry) -> Result<Vec<u8>, ApiError> {
    let record = entry.record().map_err(internal)?;
    ctx.state
        .writer()
        .submit(Box::new(move |txn: &mut Txn<'_>| {
            if txn.key(entry.arn()).is_some() {
                return Err(conflict(format!("A key with ARN {} exists", entry.arn())));
            }
            let response = key_response(&entry);
            txn.put_key(entry, record);
            Ok(response)
        }))
        .await
}

/// `CreateKey`.
pub async fn create(ctx: &Ctx, request: CreateKey) -> Result<Vec<u8>, ApiError> {
    let CreateKey {
        attributes,
        exportable,
        enabled,
        kcv_algorithm,
        mut tags,
    } = request;
    let custom_material = take_tag_value(&mut tags, CUSTOM_MATERIAL_TAG);
    let custom_id = take_tag_value(&mut tags, CUSTOM_ID_TAG);
    check_tag_keys(tags.iter().map(|t| t.key.as_str()))?;
    let id = match custom_id {
        Some(id) => {
            if !(16..=64).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(invalid(format!(
                    "Tags: {CUSTOM_ID_TAG} must be 16 to 64 letters and digits"
                )));
            }
            id.as_str().to_string()
        }
        None => random_id(16)?,
    };
    let arn = KeyArn::parse(&ctx.scope.key_arn(&id))
        .map_err(|_| invalid("the key ARN of this region and account is not valid"))?;
    let material = match (attributes.key_class, attributes.key_algorithm) {
        (KeyClass::SymmetricKey, KeyAlgorithm::Symmetric(algorithm)) => {
            KeyMaterial::Symmetric(match custom_material {
                Some(hex) => SymmetricKey::from_hex(algorithm, &hex).map_err(|_| {
                    invalid(format!(
                        "Tags: {CUSTOM_MATERIAL_TAG} is not a {algorithm} key in hex"
                    ))
                })?,
                None => SymmetricKey::generate(algorithm, &mut OsRng)
                    .map_err(|_| internal("The OS RNG failed"))?,
            })
        }
        (KeyClass::AsymmetricKeyPair, KeyAlgorithm::Rsa(size)) => {
            if custom_material.is_some() {
                return Err(invalid(format!(
                    "Tags: {CUSTOM_MATERIAL_TAG} gives TDES and AES keys only (RSA keys: the seed \
                     document)"
                )));
            }
            let key = blocking(move || {
                RsaPrivateKey::generate(size, &mut OsRng)
                    .map_err(|_| internal("RSA key generation failed"))
            })
            .await?;
            KeyMaterial::RsaPrivate(key)
        }
        _ => {
            return Err(invalid(
                "KeyAttributes.KeyClass: CreateKey makes symmetric keys (SYMMETRIC_KEY) and RSA key \
                 pairs (ASYMMETRIC_KEY_PAIR); import public keys with ImportKey",
            ));
        }
    };
    let key = Key::new(arn, attributes, material).map_err(|e| key_error(&e))?;
    let key = with_kcv(key, kcv_algorithm)?.with_enabled(enabled);
    let now = now();
    let meta = KeyMetadata {
        exportable,
        origin: KeyOrigin::AwsPaymentCryptography,
        tags,
        create_timestamp: Some(now),
        usage_start_timestamp: enabled.then_some(now),
        ..KeyMetadata::default()
    };
    insert(
        ctx,
        Entry {
            key: Arc::new(key),
            meta,
        },
    )
    .await
}

/// The caller's key an identifier names, or `ResourceNotFoundException`.
pub fn resolve(ctx: &Ctx, identifier: &str) -> Result<Entry, ApiError> {
    ctx.state
        .read()
        .resolve(&ctx.scope, identifier)
        .cloned()
        .ok_or_else(|| not_found(identifier))
}

/// `GetKey`.
pub fn get(ctx: &Ctx, identifier: &str) -> Result<Vec<u8>, ApiError> {
    Ok(key_response(&resolve(ctx, identifier)?))
}

/// A `NextToken` of `ListKeys`: the key id a page ended at.
fn key_token(page: &Page) -> Result<Option<&str>, ApiError> {
    match page.next_token.as_deref() {
        None => Ok(None),
        Some(t) if (16..=64).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            Ok(Some(t))
        }
        Some(_) => Err(invalid("NextToken: not a token this server gave")),
    }
}

/// `ListKeys`.
pub fn list(ctx: &Ctx, state: Option<KeyState>, page: &Page) -> Result<Vec<u8>, ApiError> {
    let after = key_token(page)?;
    let index = ctx.state.read();
    let listed = index.list_keys(&ctx.scope, state, after, page.max_results);
    let keys: Vec<Value> = listed
        .items
        .iter()
        .map(|e| summarize_key(&e.key, &e.meta).into_value())
        .collect();
    let mut out = json!({ "Keys": keys });
    if let Some(next) = listed.next {
        out["NextToken"] = Value::String(next);
    }
    Ok(body(&out))
}

/// A change of an existing key: its new metadata, and its new `Enabled` and `KeyState` when they
/// change (which rebuilds the key).
pub struct Update {
    /// The new metadata.
    pub meta: KeyMetadata,
    /// The new `Enabled` and `KeyState`, if they change.
    pub lifecycle: Option<(bool, KeyState)>,
}

/// The key with `update` applied, and its record.
fn rebuild(entry: &Entry, update: &Update) -> Result<(Entry, Zeroizing<String>), ApiError> {
    let Some((enabled, state)) = update.lifecycle else {
        let entry = Entry {
            key: entry.key.clone(),
            meta: update.meta.clone(),
        };
        let record = entry.record().map_err(internal)?;
        return Ok((entry, record));
    };
    let mut doc = DocumentKey::to_json(&entry.key, &update.meta)
        .map_err(|e| internal(format!("the key cannot be written: {e}")))?;
    doc["Enabled"] = Value::Bool(enabled);
    doc["KeyState"] = Value::String(state.aws_name().to_string());
    let record = doc.to_text();
    let parsed = DocumentKey::from_json(&record)
        .map_err(|e| internal(format!("the key cannot be read back: {e}")))?;
    Ok((
        Entry {
            key: Arc::new(parsed.key),
            meta: parsed.metadata,
        },
        record,
    ))
}

/// Whether two entries are the same version of a key.
fn same(a: &Entry, b: &Entry) -> bool {
    Arc::ptr_eq(&a.key, &b.key) && a.meta == b.meta
}

/// How often a change is prepared again when the key changed meanwhile.
const ATTEMPTS: usize = 8;

/// Change the caller's key `identifier` names: `change` decides from the key as it stands (or
/// refuses); the change is prepared outside the writer and applied if the key did not change
/// meanwhile. `respond` makes the answer from the changed key.
pub async fn modify(
    ctx: &Ctx,
    identifier: &str,
    change: impl Fn(&Entry, Timestamp) -> Result<Update, ApiError> + Send + Sync + 'static,
    respond: fn(&Entry) -> Vec<u8>,
) -> Result<Vec<u8>, ApiError> {
    let change = Arc::new(change);
    for _ in 0..ATTEMPTS {
        let current = resolve(ctx, identifier)?;
        let update = change(&current, now())?;
        let prepared = {
            let current = current.clone();
            blocking(move || rebuild(&current, &update)).await?
        };
        let arn = current.arn().to_string();
        let answer = ctx
            .state
            .writer()
            .submit(Box::new(move |txn: &mut Txn<'_>| {
                let still = txn.key(&arn).is_some_and(|e| same(e, &current));
                if !still {
                    // Changed or deleted meanwhile: prepared again (an empty body says so).
                    return Ok(Vec::new());
                }
                let (entry, record) = prepared;
                let response = respond(&entry);
                txn.put_key(entry, record);
                Ok(response)
            }))
            .await?;
        if !answer.is_empty() {
            return Ok(answer);
        }
    }
    Err(conflict(
        "The key changed while this request was applied; try again",
    ))
}

fn refuse_pending(entry: &Entry, what: &str) -> Result<(), ApiError> {
    if entry.key.state() == KeyState::DeletePending {
        return Err(conflict(format!(
            "The key {} is pending deletion: {what} (RestoreKey first)",
            entry.arn()
        )));
    }
    Ok(())
}

/// `DeleteKey`.
pub async fn delete(ctx: &Ctx, identifier: &str, days: u32) -> Result<Vec<u8>, ApiError> {
    modify(
        ctx,
        identifier,
        move |entry, now| {
            if entry.key.state() == KeyState::DeletePending {
                return Err(conflict(format!(
                    "The key {} is already pending deletion",
                    entry.arn()
                )));
            }
            let mut meta = entry.meta.clone();
            if entry.key.enabled() {
                meta.usage_stop_timestamp = Some(now);
            }
            meta.delete_pending_timestamp = Some(now.plus_millis(u64::from(days) * DAY_MILLIS));
            Ok(Update {
                meta,
                lifecycle: Some((false, KeyState::DeletePending)),
            })
        },
        key_response,
    )
    .await
}

/// `RestoreKey`.
pub async fn restore(ctx: &Ctx, identifier: &str) -> Result<Vec<u8>, ApiError> {
    modify(
        ctx,
        identifier,
        |entry, _| {
            if entry.key.state() != KeyState::DeletePending {
                return Err(conflict(format!(
                    "The key {} is not pending deletion",
                    entry.arn()
                )));
            }
            let mut meta = entry.meta.clone();
            meta.delete_pending_timestamp = None;
            Ok(Update {
                meta,
                lifecycle: Some((false, KeyState::CreateComplete)),
            })
        },
        key_response,
    )
    .await
}

/// `StartKeyUsage` (`enable`) and `StopKeyUsage`.
pub async fn set_usage(ctx: &Ctx, identifier: &str, enable: bool) -> Result<Vec<u8>, ApiError> {
    modify(
        ctx,
        identifier,
        move |entry, now| {
            refuse_pending(
                entry,
                if enable {
                    "it cannot be enabled"
                } else {
                    "it is already disabled"
                },
            )?;
            let mut meta = entry.meta.clone();
            if enable {
                meta.usage_start_timestamp = Some(now);
                meta.usage_stop_timestamp = None;
            } else {
                meta.usage_stop_timestamp = Some(now);
            }
            Ok(Update {
                meta,
                lifecycle: Some((enable, entry.key.state())),
            })
        },
        key_response,
    )
    .await
}
