//! The control plane (awsJson1_0, `X-Amz-Target: PaymentCryptographyControlPlane.<Operation>`): keys,
//! aliases, tags and key exchange, on the server's state.
//!
//! The request has been routed, its body read and its signature verified before it gets here. The
//! body is parsed by the library ([`ControlRequest::from_json`]: members, types, lengths, patterns,
//! enums, key-attribute combinations); this module resolves what the request names in the caller's
//! account and region, checks the state (existence, conflicts, key states), does the cryptography
//! that needs no lock (key generation, unwrapping, certificates) on the blocking pool, and hands the
//! change to the writer, which answers once the change is durable and visible
//! ([`crate::state::writer`]).
//!
//! | operations | module |
//! |---|---|
//! | `CreateKey`, `GetKey`, `ListKeys`, `DeleteKey`, `RestoreKey`, `StartKeyUsage`, `StopKeyUsage` | [`keys`] |
//! | `CreateAlias`, `GetAlias`, `ListAliases`, `UpdateAlias`, `DeleteAlias`, `TagResource`, `UntagResource`, `ListTagsForResource` | [`aliases`] |
//! | `GetParametersForImport`, `ImportKey`, `ExportKey`, `GetPublicKeyCertificate` | [`exchange`] |
//!
//! Errors follow the control plane's rules: `ResourceNotFoundException` (with `ResourceId`) for a key,
//! alias or token that is not the caller's, `ConflictException` for an alias that exists or a key in
//! the wrong state, `ValidationException` for everything else a request gets wrong. Any other operation
//! of the model answers 501 `NotImplementedException`; TR-34, ECDH and AS2805 key exchange answer
//! `ValidationException` "… not supported by this emulator".

pub mod aliases;
pub mod exchange;
pub mod keys;

use std::sync::Arc;

use serde_json::Value;

use crate::api::{ApiError, Shape};
use crate::engine::{self, ControlRequest, Keys};
use crate::route::CONTROL_OPERATIONS;
use crate::sigv4::Caller;
use crate::state::{Entry, Scope, State};

/// A `ResourceNotFoundException` naming `id` as the request gave it.
pub fn not_found(id: &str) -> ApiError {
    let mut e = ApiError::new(
        Shape::ResourceNotFound,
        format!("{} not found", engine_echo(id)),
    );
    e.resource_id = Some(id.to_string());
    e
}

/// A `ValidationException`.
pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(Shape::Validation, message)
}

/// A `ConflictException`.
pub fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::new(Shape::Conflict, message)
}

/// An `InternalServerException` (a fault of the server, never the request's).
pub fn internal(message: impl Into<String>) -> ApiError {
    ApiError::new(Shape::InternalServer, message)
}

/// An identifier as an error message may repeat it (bounded, printable).
fn engine_echo(id: &str) -> String {
    id.chars()
        .take(330)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// JSON response bytes.
pub fn body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec())
}

/// `{"Key": <the Key shape>}`.
pub fn key_response(entry: &Entry) -> Vec<u8> {
    body(&serde_json::json!({
        "Key": engine::describe_key(&entry.key, &entry.meta).into_value()
    }))
}

/// Run blocking work (key generation, unwrapping, certificates) on the blocking pool; a panic there is
/// an internal error.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|_| {
        Err(internal(
            "The server failed to process the request (an internal fault; it keeps serving)",
        ))
    })
}

/// A random id of `len` characters `[0-9a-z]` from the OS RNG (uniform).
pub fn random_id(len: usize) -> Result<String, ApiError> {
    const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).map_err(|_| internal("The OS RNG failed"))?;
        for b in buf {
            // 252 = 7 × 36: no bias.
            if b < 252 && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(b % 36)]));
            }
        }
    }
    Ok(out)
}

/// What a control-plane handler gets.
pub struct Ctx {
    /// The state.
    pub state: Arc<State>,
    /// The caller's account and region.
    pub scope: Scope,
}

/// Answer one control-plane request: the JSON response body, or the error.
pub async fn handle(
    keys: &Keys,
    operation: &str,
    body: &[u8],
    caller: &Caller,
) -> Result<Vec<u8>, ApiError> {
    if !CONTROL_OPERATIONS.contains(&operation) {
        return Err(ApiError::new(
            Shape::UnknownOperation,
            "The X-Amz-Target names no operation of PaymentCryptographyControlPlane",
        ));
    }
    let not_implemented = || {
        ApiError::new(
            Shape::NotImplemented,
            format!(
                "paycrypt-server does not implement {operation}; its control plane has keys, \
                 aliases, tags, ImportKey, ExportKey, GetParametersForImport and \
                 GetPublicKeyCertificate"
            ),
        )
    };
    let Some(state) = keys.state() else {
        return Err(ApiError::new(
            Shape::NotImplemented,
            format!("this server serves a read-only key store: no control plane ({operation})"),
        ));
    };
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(Shape::Serialization, "The request body is not UTF-8 text"))?;
    let request = match ControlRequest::from_json(operation, text) {
        None => return Err(not_implemented()),
        Some(parsed) => parsed.map_err(engine::api_error)?,
    };
    let ctx = Ctx {
        state: state.clone(),
        scope: Scope::new(&caller.region, &caller.account_id),
    };
    match request {
        ControlRequest::CreateKey(r) => keys::create(&ctx, r).await,
        ControlRequest::GetKey { key_identifier } => keys::get(&ctx, &key_identifier),
        ControlRequest::ListKeys { key_state, page } => keys::list(&ctx, key_state, &page),
        ControlRequest::DeleteKey {
            key_identifier,
            delete_key_in_days,
        } => keys::delete(&ctx, &key_identifier, delete_key_in_days).await,
        ControlRequest::RestoreKey { key_identifier } => keys::restore(&ctx, &key_identifier).await,
        ControlRequest::StartKeyUsage { key_identifier } => {
            keys::set_usage(&ctx, &key_identifier, true).await
        }
        ControlRequest::StopKeyUsage { key_identifier } => {
            keys::set_usage(&ctx, &key_identifier, false).await
        }
        ControlRequest::CreateAlias {
            alias_name,
            key_arn,
        } => aliases::create(&ctx, alias_name, key_arn).await,
        ControlRequest::UpdateAlias {
            alias_name,
            key_arn,
        } => aliases::update(&ctx, alias_name, key_arn).await,
        ControlRequest::GetAlias { alias_name } => aliases::get(&ctx, &alias_name),
        ControlRequest::DeleteAlias { alias_name } => aliases::delete(&ctx, alias_name).await,
        ControlRequest::ListAliases { key_arn, page } => {
            aliases::list(&ctx, key_arn.as_ref(), &page)
        }
        ControlRequest::TagResource { resource_arn, tags } => {
            aliases::tag(&ctx, resource_arn, tags).await
        }
        ControlRequest::UntagResource {
            resource_arn,
            tag_keys,
        } => aliases::untag(&ctx, resource_arn, tag_keys).await,
        ControlRequest::ListTagsForResource { resource_arn, page } => {
            aliases::list_tags(&ctx, &resource_arn, &page)
        }
        ControlRequest::GetParametersForImport {
            wrapping_key_algorithm,
            reuse_last_generated_token,
        } => {
            exchange::parameters_for_import(
                &ctx,
                wrapping_key_algorithm,
                reuse_last_generated_token,
            )
            .await
        }
        ControlRequest::ImportKey(r) => exchange::import(&ctx, r).await,
        ControlRequest::ExportKey(r) => exchange::export(&ctx, r).await,
        ControlRequest::GetPublicKeyCertificate { key_identifier } => {
            exchange::public_key_certificate(&ctx, &key_identifier).await
        }
        _ => Err(not_implemented()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids() {
        let a = random_id(16).unwrap();
        assert_eq!(a.len(), 16);
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );
        assert_ne!(a, random_id(16).unwrap());
    }
}
