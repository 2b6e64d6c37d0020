//! Key exchange: `GetParametersForImport`, `ImportKey`, `ExportKey`, `GetPublicKeyCertificate`.
//!
//! | operation / variant | what is checked | result |
//! |---|---|---|
//! | `GetParametersForImport(KEY_CRYPTOGRAM, RSA_2048/3072/4096)` | — | a new RSA wrapping key and its certificate from the emulator's CA (30 days), the CA certificate as the chain, an import token of the caller's account and region; `ReuseLastGeneratedToken` returns the newest token of the same algorithm with at least 7 days left |
//! | `ImportKey` `Tr31KeyBlock` | the KEK (the caller's; TR-31 import rules of the library: `paycrypt::tr31::exchange`) | the key with the attributes its header maps to, `Exportable` from its exportability |
//! | `ImportKey` `KeyCryptogram` | the token (the caller's, not expired), RSA-OAEP SHA-256 or SHA-512 unwrap, the key's length for its algorithm, a symmetric key of a valid combination | the key, `Exportable` as asked |
//! | `ImportKey` `RootCertificatePublicKey` | a self-signed CA certificate, valid now, RSA of the declared size | an RSA public key (class `PUBLIC_KEY`) |
//! | `ImportKey` `TrustedCertificatePublicKey` | signed by the imported root named (a `PUBLIC_KEY` of usage `S0`), valid now | an RSA public key |
//! | `ExportKey` `Tr31KeyBlock` | the key `Exportable`, the KEK's and the key's TR-31 export rules of the library; `ExportDukptInitialKey`: the IPEK of a BDK | the key block, its check value |
//! | `GetPublicKeyCertificate` | a key pair created here (class `ASYMMETRIC_KEY_PAIR`) | a certificate from the emulator's CA (90 days) and the chain |
//!
//! Imported keys have `KeyOrigin` `EXTERNAL`. A certificate import takes the `SHA_1` check value of the
//! public key whatever `KeyCheckValueAlgorithm` says (AWS's own sample sends `CMAC` there).

use std::sync::Arc;

use serde_json::json;
use zeroize::Zeroizing;

use super::keys::{check_tag_keys, insert, key_error, resolve, with_kcv};
use super::{Ctx, blocking, body, internal, invalid, random_id};
use crate::api::ApiError;
use crate::authority::{self, b64_pem, key_pair_usage, wrapping_key_usage};
use crate::engine::{
    ExchangeError, ExportKey, ImportKey, ImportMaterial, Key, KeyArn, KeyAttributes, KeyClass,
    KeyMaterial, KeyMetadata, KeyOrigin, KeyUsage, LibraryError, OsRng, RsaPrivateKey,
    RsaPublicKey, RsaSize, SymmetricKey, Timestamp, export_initial_key, export_key_block,
    import_key_block,
};
use crate::state::writer::{Txn, now};
use crate::state::{Entry, ImportToken, store};

const DAY_MILLIS: u64 = 24 * 3600 * 1000;
/// How long an import token and its wrapping key certificate are valid.
const TOKEN_DAYS: u64 = 30;
/// A token reused must be valid this much longer.
const REUSE_DAYS: u64 = 7;

fn exchange_error(e: &ExchangeError) -> ApiError {
    invalid(format!("KeyMaterial: {e}"))
}

fn parameters_response(t: &ImportToken, chain_pem: &str) -> Vec<u8> {
    body(&json!({
        "WrappingKeyCertificate": b64_pem(&t.certificate_pem),
        "WrappingKeyCertificateChain": b64_pem(chain_pem),
        "WrappingKeyAlgorithm": format!("RSA_{}", t.size.bits()),
        "ImportToken": t.token,
        "ParametersValidUntilTimestamp": t.valid_until.to_value(),
    }))
}

/// `GetParametersForImport` (`KEY_CRYPTOGRAM`).
pub async fn parameters_for_import(
    ctx: &Ctx,
    size: RsaSize,
    reuse: bool,
) -> Result<Vec<u8>, ApiError> {
    let now = now();
    let chain = ctx.state.authority().certificate_pem().to_string();
    if reuse {
        let found = ctx.state.read().reusable_token(
            &ctx.scope,
            size,
            now.plus_millis(REUSE_DAYS * DAY_MILLIS),
        );
        if let Some(t) = found {
            return Ok(parameters_response(&t, &chain));
        }
    }
    let state = ctx.state.clone();
    let scope = ctx.scope.clone();
    let (token, record) = blocking(move || {
        let key = RsaPrivateKey::generate(size, &mut OsRng)
            .map_err(|_| internal("RSA key generation failed"))?;
        let spki = key
            .public_key()
            .to_spki_der()
            .map_err(|_| internal("the wrapping key cannot be encoded"))?;
        let certificate_pem = state
            .authority()
            .issue(
                "paycrypt-server import wrapping key",
                &spki,
                TOKEN_DAYS,
                wrapping_key_usage(),
            )
            .map_err(internal)?;
        let token = ImportToken {
            token: format!("import-token-{}", random_id(24)?),
            scope,
            size,
            key,
            certificate_pem,
            created: now,
            valid_until: now.plus_millis(TOKEN_DAYS * DAY_MILLIS),
        };
        let record = store::token_record(&token).map_err(internal)?;
        Ok((Arc::new(token), record))
    })
    .await?;
    let response = parameters_response(&token, &chain);
    ctx.state
        .writer()
        .submit(Box::new(move |txn: &mut Txn<'_>| {
            txn.put_token(token, record);
            Ok(response)
        }))
        .await
}

/// What an import makes a key of.
struct NewKey {
    attributes: KeyAttributes,
    material: KeyMaterial,
    kcv: Option<crate::engine::KcvAlgorithm>,
    exportable: bool,
}

/// A new imported key of the caller's.
fn imported(
    ctx: &Ctx,
    new: NewKey,
    enabled: bool,
    tags: Vec<crate::engine::Tag>,
    now: Timestamp,
) -> Result<Entry, ApiError> {
    let NewKey {
        attributes,
        material,
        kcv,
        exportable,
    } = new;
    let id = random_id(16)?;
    let arn = KeyArn::parse(&ctx.scope.key_arn(&id))
        .map_err(|_| invalid("the key ARN of this region and account is not valid"))?;
    let key = Key::new(arn, attributes, material).map_err(|e| key_error(&e))?;
    let key = with_kcv(key, kcv)?.with_enabled(enabled);
    Ok(Entry {
        key: Arc::new(key),
        meta: KeyMetadata {
            exportable,
            origin: KeyOrigin::External,
            tags,
            create_timestamp: Some(now),
            usage_start_timestamp: enabled.then_some(now),
            ..KeyMetadata::default()
        },
    })
}

/// The RSA public key of a certificate, checked against the declared attributes.
fn certificate_key(attributes: &KeyAttributes, spki: &[u8]) -> Result<KeyMaterial, ApiError> {
    if attributes.key_class != KeyClass::PublicKey {
        return Err(invalid(
            "KeyMaterial.KeyAttributes.KeyClass: a certificate imports a PUBLIC_KEY",
        ));
    }
    let key = RsaPublicKey::from_der(spki).map_err(|e| {
        invalid(format!(
            "KeyMaterial.PublicKeyCertificate: the certificate's key is not usable: {e}"
        ))
    })?;
    Ok(KeyMaterial::RsaPublic(key))
}

/// `ImportKey`.
#[allow(clippy::too_many_lines)] // one arm per key-material variant
pub async fn import(ctx: &Ctx, request: ImportKey) -> Result<Vec<u8>, ApiError> {
    let ImportKey {
        material,
        kcv_algorithm,
        enabled,
        tags,
    } = request;
    check_tag_keys(tags.iter().map(|t| t.key.as_str()))?;
    let now = now();
    let entry = match material {
        ImportMaterial::Tr31KeyBlock {
            wrapping_key_identifier,
            wrapped_key_block,
        } => {
            let kek = resolve(ctx, &wrapping_key_identifier)?;
            let imported_key = blocking(move || {
                import_key_block(&kek.key, &wrapped_key_block).map_err(|e| exchange_error(&e))
            })
            .await?;
            imported(
                ctx,
                NewKey {
                    attributes: imported_key.attributes,
                    material: KeyMaterial::Symmetric(imported_key.key),
                    kcv: kcv_algorithm,
                    exportable: imported_key.exportable,
                },
                enabled,
                tags,
                now,
            )?
        }
        ImportMaterial::KeyCryptogram {
            attributes,
            exportable,
            wrapped_key_cryptogram,
            import_token,
            wrapping_spec,
        } => {
            let crate::engine::KeyAlgorithm::Symmetric(algorithm) = attributes.key_algorithm else {
                return Err(invalid(
                    "KeyMaterial.KeyCryptogram.KeyAttributes: a key cryptogram imports a TDES or AES \
                     key (SYMMETRIC_KEY)",
                ));
            };
            let token = ctx
                .state
                .read()
                .token(&ctx.scope, &import_token, now)
                .ok_or_else(|| {
                    invalid(
                        "KeyMaterial.KeyCryptogram.ImportToken: no such import token in this account \
                         and region, or it expired (GetParametersForImport makes one)",
                    )
                })?;
            let key = blocking(move || {
                let clear: Zeroizing<Vec<u8>> = token
                    .key
                    .decrypt(Some(wrapping_spec), &wrapped_key_cryptogram, &mut OsRng)
                    .map_err(|e| match e {
                        LibraryError::Rng => internal("The OS RNG failed"),
                        _ => invalid(
                            "KeyMaterial.KeyCryptogram.WrappedKeyCryptogram: it does not unwrap \
                             under the import token's wrapping key with the WrappingSpec given",
                        ),
                    })?;
                SymmetricKey::new(algorithm, &clear).map_err(|_| {
                    invalid(format!(
                        "KeyMaterial.KeyCryptogram.WrappedKeyCryptogram: the unwrapped key is {} \
                         bytes; a {algorithm} key has {}",
                        clear.len(),
                        algorithm.key_len()
                    ))
                })
            })
            .await?;
            imported(
                ctx,
                NewKey {
                    attributes,
                    material: KeyMaterial::Symmetric(key),
                    kcv: kcv_algorithm,
                    exportable,
                },
                enabled,
                tags,
                now,
            )?
        }
        ImportMaterial::RootCertificatePublicKey {
            attributes,
            certificate,
        } => {
            let certificate = authority::parse_b64(&certificate)
                .map_err(|e| invalid(format!("KeyMaterial.RootCertificatePublicKey: {e}")))?;
            let spki = authority::verify_root(&certificate, now.millis() / 1000)
                .map_err(|e| invalid(format!("KeyMaterial.RootCertificatePublicKey: {e}")))?;
            let material = certificate_key(&attributes, &spki)?;
            imported(
                ctx,
                NewKey {
                    attributes,
                    material,
                    kcv: None,
                    exportable: false,
                },
                enabled,
                tags,
                now,
            )?
        }
        ImportMaterial::TrustedCertificatePublicKey {
            attributes,
            certificate,
            certificate_authority,
        } => {
            let root = resolve(ctx, &certificate_authority)?;
            let root_spki = match root.key.material() {
                KeyMaterial::RsaPublic(k)
                    if root.key.attributes().key_usage
                        == KeyUsage::S0AsymmetricKeyForDigitalSignature =>
                {
                    k.to_spki_der()
                        .map_err(|_| internal("the root's key cannot be encoded"))?
                }
                _ => {
                    return Err(invalid(
                        "KeyMaterial.TrustedCertificatePublicKey.CertificateAuthorityPublicKeyIdentifier: \
                         not an imported root certificate (a PUBLIC_KEY of usage \
                         TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE)",
                    ));
                }
            };
            let certificate = authority::parse_b64(&certificate)
                .map_err(|e| invalid(format!("KeyMaterial.TrustedCertificatePublicKey: {e}")))?;
            authority::verify_signed_by(&certificate, &root_spki, now.millis() / 1000)
                .map_err(|e| invalid(format!("KeyMaterial.TrustedCertificatePublicKey: {e}")))?;
            let spki = authority::public_key_der(&certificate)
                .map_err(|e| invalid(format!("KeyMaterial.TrustedCertificatePublicKey: {e}")))?;
            let material = certificate_key(&attributes, &spki)?;
            imported(
                ctx,
                NewKey {
                    attributes,
                    material,
                    kcv: None,
                    exportable: false,
                },
                enabled,
                tags,
                now,
            )?
        }
    };
    insert(ctx, entry).await
}

/// `ExportKey` (`Tr31KeyBlock`, optionally the IPEK of a BDK).
pub async fn export(ctx: &Ctx, request: ExportKey) -> Result<Vec<u8>, ApiError> {
    let key = resolve(ctx, &request.export_key_identifier)?;
    let kek = resolve(ctx, &request.wrapping_key_identifier)?;
    if !key.meta.exportable {
        return Err(invalid(format!(
            "ExportKeyIdentifier: the key {} is not exportable",
            key.arn()
        )));
    }
    let kek_arn = kek.arn().to_string();
    let (block, kcv, kcv_algorithm) = blocking(move || {
        match &request.initial_key_ksn {
            Some(ksn) => export_initial_key(
                &kek.key,
                &key.key,
                ksn,
                request.kcv_algorithm,
                &request.headers,
                &mut OsRng,
            ),
            None => export_key_block(&kek.key, &key.key, &request.headers, &mut OsRng)
                .map(|b| (b, key.key.kcv(), key.key.kcv_algorithm())),
        }
        .map_err(|e| exchange_error(&e))
    })
    .await?;
    Ok(body(&json!({
        "WrappedKey": {
            "WrappingKeyArn": kek_arn,
            "WrappedKeyMaterialFormat": "TR31_KEY_BLOCK",
            "KeyMaterial": block,
            "KeyCheckValue": kcv.to_string(),
            "KeyCheckValueAlgorithm": kcv_algorithm.aws_name(),
        }
    })))
}

/// `GetPublicKeyCertificate`.
pub async fn public_key_certificate(ctx: &Ctx, identifier: &str) -> Result<Vec<u8>, ApiError> {
    let entry = resolve(ctx, identifier)?;
    let KeyMaterial::RsaPrivate(private) = entry.key.material() else {
        return Err(invalid(format!(
            "KeyIdentifier: {} is not a key pair (ASYMMETRIC_KEY_PAIR) of this service",
            entry.arn()
        )));
    };
    let spki = private
        .public_key()
        .to_spki_der()
        .map_err(|_| internal("the public key cannot be encoded"))?;
    let state = ctx.state.clone();
    let arn = entry.arn().to_string();
    let certificate = blocking(move || {
        let id = arn.rsplit('/').next().unwrap_or("key").to_string();
        state
            .authority()
            .issue(
                &format!("paycrypt-server key {id}"),
                &spki,
                90,
                key_pair_usage(),
            )
            .map_err(internal)
    })
    .await?;
    Ok(body(&json!({
        "KeyCertificate": b64_pem(&certificate),
        "KeyCertificateChain": b64_pem(ctx.state.authority().certificate_pem()),
    })))
}
