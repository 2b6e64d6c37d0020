//! Where the keys come from (`--keys FILE`, `$PAYCRYPT_KEYS`, or the embedded demo store) and the
//! `keys` listing.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use paycrypt::{KeyModesOfUse, MemoryKeyStore};
use serde_json::{Map, Value, json};

pub use crate::demo::{DEMO_KEYS, DEMO_WARNING};
use crate::error::CliError;
use crate::wiped::{self, ReadError};

/// The environment variable naming a key-store file.
pub const KEYS_ENV: &str = "PAYCRYPT_KEYS";

/// The largest key-store file read.
pub const MAX_KEY_STORE: usize = 64 << 20;

/// Load the store: `--keys`, else `$PAYCRYPT_KEYS` (if set and not empty), else the demo store (with
/// the warning on stderr). The file is read (at most [`MAX_KEY_STORE`] bytes) into a buffer that is
/// wiped once the store is built, as is everything the loader parsed from it.
pub fn load(keys_flag: Option<&str>, env: Option<OsString>) -> Result<MemoryKeyStore, CliError> {
    let path = keys_flag
        .map(PathBuf::from)
        .or_else(|| env.filter(|v| !v.is_empty()).map(PathBuf::from));
    match path {
        Some(path) => {
            let shown = path.display();
            let text = wiped::read_file(&path, MAX_KEY_STORE).map_err(|e| {
                CliError::KeyStore(match e {
                    ReadError::Io(e) => format!("cannot read the key store {shown}: {e}"),
                    ReadError::TooLarge => format!(
                        "cannot read the key store {shown}: larger than {MAX_KEY_STORE} bytes (64 MiB)"
                    ),
                    ReadError::NotUtf8 => {
                        format!("cannot read the key store {shown}: not valid UTF-8")
                    }
                })
            })?;
            MemoryKeyStore::from_json(&text)
                .map_err(|e| CliError::KeyStore(format!("cannot load the key store {shown}: {e}")))
        }
        None => {
            let _ = writeln!(std::io::stderr(), "{DEMO_WARNING}");
            MemoryKeyStore::from_json(DEMO_KEYS).map_err(|e| {
                CliError::KeyStore(format!("the embedded demo key store is broken: {e}"))
            })
        }
    }
}

fn modes_json(modes: &KeyModesOfUse) -> Value {
    let map: Map<String, Value> = KeyModesOfUse::MEMBERS
        .iter()
        .zip(modes.flags())
        .map(|(name, flag)| ((*name).to_string(), Value::Bool(flag)))
        .collect();
    Value::Object(map)
}

/// The `keys` listing: ListKeys' and ListAliases' members, never key material.
pub fn listing(store: &MemoryKeyStore) -> Value {
    let keys: Vec<Value> = store
        .keys()
        .map(|k| {
            let a = k.attributes();
            let mut listed = json!({
                "KeyArn": k.arn().as_str(),
                "KeyAttributes": {
                    "KeyUsage": a.key_usage.aws_name(),
                    "KeyClass": a.key_class.aws_name(),
                    "KeyAlgorithm": a.key_algorithm.aws_name(),
                    "KeyModesOfUse": modes_json(&a.key_modes_of_use),
                },
                "KeyCheckValue": k.kcv().to_string(),
                "KeyCheckValueAlgorithm": k.kcv_algorithm().aws_name(),
                "Enabled": k.enabled(),
                "KeyState": k.state().aws_name(),
            });
            // paycrypt's own member (not AWS), shown only where it is set.
            if k.allows_raw_rsa_outgoing()
                && let Some(members) = listed.as_object_mut()
            {
                members.insert("PaycryptAllowRawRsaOutgoing".to_string(), Value::Bool(true));
            }
            listed
        })
        .collect();
    let aliases: Vec<Value> = store
        .aliases()
        .map(|(alias, arn)| json!({"AliasName": alias, "KeyArn": arn.as_str()}))
        .collect();
    json!({"Keys": keys, "Aliases": aliases})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_store_loads_with_every_alias() {
        let Ok(store) = MemoryKeyStore::from_json(DEMO_KEYS) else {
            unreachable!("the demo store must load")
        };
        assert_eq!(store.len(), 10);
        let listed = listing(&store);
        let aliases = listed["Aliases"].as_array().map_or(0, Vec::len);
        assert_eq!(aliases, 10);
    }
}
