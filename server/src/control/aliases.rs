//! Aliases and tags: `CreateAlias`, `GetAlias`, `ListAliases`, `UpdateAlias`, `DeleteAlias`,
//! `TagResource`, `UntagResource`, `ListTagsForResource`.
//!
//! An alias belongs to an account and a region: the same name may exist in another account or region,
//! and a caller sees only its own. `CreateAlias` with a name in use is `ConflictException`; an alias
//! or key that is not the caller's is `ResourceNotFoundException`. An alias may name no key
//! (`CreateAlias`/`UpdateAlias` without `KeyArn`). Tags: at most 200 per key, a tag key once (a
//! `TagResource` with an existing tag key replaces its value), keys starting `aws:` are reserved;
//! `UntagResource` ignores tag keys the key does not have.

use serde_json::{Value, json};

use super::keys::{Update, check_tag_keys, modify};
use super::{Ctx, body, conflict, invalid, not_found};
use crate::api::ApiError;
use crate::engine::{KeyArn, MAX_TAGS, Page, Tag, tags_json};
use crate::state::writer::Txn;
use crate::state::{AliasId, Lookup};

fn alias_json(name: &str, key: Option<&str>) -> Value {
    let mut a = json!({ "AliasName": name });
    if let Some(k) = key {
        a["KeyArn"] = Value::String(k.to_string());
    }
    a
}

fn alias_response(name: &str, key: Option<&str>) -> Vec<u8> {
    body(&json!({ "Alias": alias_json(name, key) }))
}

/// Check that the caller has the key `arn` (in the transaction's view).
fn caller_key(
    ctx_scope: &crate::state::Scope,
    txn: &Txn<'_>,
    arn: &KeyArn,
) -> Result<(), ApiError> {
    if ctx_scope.holds(arn.as_str()) && txn.key(arn.as_str()).is_some() {
        Ok(())
    } else {
        Err(not_found(arn.as_str()))
    }
}

/// `CreateAlias`.
pub async fn create(ctx: &Ctx, name: String, key: Option<KeyArn>) -> Result<Vec<u8>, ApiError> {
    let scope = ctx.scope.clone();
    ctx.state
        .writer()
        .submit(Box::new(move |txn: &mut Txn<'_>| {
            let id = AliasId {
                scope: scope.clone(),
                name,
            };
            if txn.alias(&id).is_some() {
                return Err(conflict(format!("The alias {} exists", id.name)));
            }
            if let Some(k) = &key {
                caller_key(&scope, txn, k)?;
            }
            let target = key.map(|k| k.as_str().to_string());
            let response = alias_response(&id.name, target.as_deref());
            txn.put_alias(id, target);
            Ok(response)
        }))
        .await
}

/// `UpdateAlias`.
pub async fn update(ctx: &Ctx, name: String, key: Option<KeyArn>) -> Result<Vec<u8>, ApiError> {
    let scope = ctx.scope.clone();
    ctx.state
        .writer()
        .submit(Box::new(move |txn: &mut Txn<'_>| {
            let id = AliasId {
                scope: scope.clone(),
                name,
            };
            if txn.alias(&id).is_none() {
                return Err(not_found(&id.name));
            }
            if let Some(k) = &key {
                caller_key(&scope, txn, k)?;
            }
            let target = key.map(|k| k.as_str().to_string());
            let response = alias_response(&id.name, target.as_deref());
            txn.put_alias(id, target);
            Ok(response)
        }))
        .await
}

/// `DeleteAlias`.
pub async fn delete(ctx: &Ctx, name: String) -> Result<Vec<u8>, ApiError> {
    let scope = ctx.scope.clone();
    ctx.state
        .writer()
        .submit(Box::new(move |txn: &mut Txn<'_>| {
            let id = AliasId { scope, name };
            if txn.alias(&id).is_none() {
                return Err(not_found(&id.name));
            }
            txn.delete_alias(&id);
            Ok(b"{}".to_vec())
        }))
        .await
}

/// `GetAlias`.
pub fn get(ctx: &Ctx, name: &str) -> Result<Vec<u8>, ApiError> {
    let index = ctx.state.read();
    let id = AliasId {
        scope: ctx.scope.clone(),
        name: name.to_string(),
    };
    match index.alias(&id) {
        Some(key) => Ok(alias_response(name, key)),
        None => Err(not_found(name)),
    }
}

/// `ListAliases`.
pub fn list(ctx: &Ctx, key: Option<&KeyArn>, page: &Page) -> Result<Vec<u8>, ApiError> {
    let after = match page.next_token.as_deref() {
        None => None,
        Some(t) if t.starts_with("alias/") && t.len() <= 256 => Some(t),
        Some(_) => return Err(invalid("NextToken: not a token this server gave")),
    };
    let index = ctx.state.read();
    let listed = index.list_aliases(&ctx.scope, key.map(KeyArn::as_str), after, page.max_results);
    let aliases: Vec<Value> = listed
        .items
        .iter()
        .map(|(id, k)| alias_json(&id.name, *k))
        .collect();
    let mut out = json!({ "Aliases": aliases });
    if let Some(next) = listed.next {
        out["NextToken"] = Value::String(next);
    }
    Ok(body(&out))
}

/// The caller's key with ARN `arn` (tags name keys by ARN only).
fn tagged_key(ctx: &Ctx, arn: &KeyArn) -> Result<String, ApiError> {
    if !ctx.scope.holds(arn.as_str()) {
        return Err(not_found(arn.as_str()));
    }
    Ok(arn.as_str().to_string())
}

/// `TagResource`.
pub async fn tag(ctx: &Ctx, arn: KeyArn, tags: Vec<Tag>) -> Result<Vec<u8>, ApiError> {
    check_tag_keys(tags.iter().map(|t| t.key.as_str()))?;
    let arn = tagged_key(ctx, &arn)?;
    modify(
        ctx,
        &arn,
        move |entry, _| {
            let mut meta = entry.meta.clone();
            for t in &tags {
                match meta.tags.iter_mut().find(|m| m.key == t.key) {
                    Some(existing) => existing.value.clone_from(&t.value),
                    None => meta.tags.push(t.clone()),
                }
            }
            if meta.tags.len() > MAX_TAGS {
                return Err(invalid(format!(
                    "Tags: a key carries at most {MAX_TAGS} tags"
                )));
            }
            Ok(Update {
                meta,
                lifecycle: None,
            })
        },
        |_| b"{}".to_vec(),
    )
    .await
}

/// `UntagResource`.
pub async fn untag(ctx: &Ctx, arn: KeyArn, keys: Vec<String>) -> Result<Vec<u8>, ApiError> {
    let arn = tagged_key(ctx, &arn)?;
    modify(
        ctx,
        &arn,
        move |entry, _| {
            let mut meta = entry.meta.clone();
            meta.tags.retain(|t| !keys.contains(&t.key));
            Ok(Update {
                meta,
                lifecycle: None,
            })
        },
        |_| b"{}".to_vec(),
    )
    .await
}

/// `ListTagsForResource` (the token is the position of the next tag).
pub fn list_tags(ctx: &Ctx, arn: &KeyArn, page: &Page) -> Result<Vec<u8>, ApiError> {
    let arn = tagged_key(ctx, arn)?;
    let entry = super::keys::resolve(ctx, &arn)?;
    let start = match page.next_token.as_deref() {
        None => 0,
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= entry.meta.tags.len())
            .ok_or_else(|| invalid("NextToken: not a token this server gave"))?,
    };
    let end = (start + page.max_results).min(entry.meta.tags.len());
    let mut out = json!({ "Tags": tags_json(&entry.meta.tags[start..end]) });
    if end < entry.meta.tags.len() {
        out["NextToken"] = Value::String(end.to_string());
    }
    Ok(body(&out))
}
