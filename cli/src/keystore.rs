//! Where the keys come from: `--keys FILE`, `$PAYCRYPT_KEYS`, or the embedded demo store. (The `keys`
//! listing is the library's `wire::key_store_listing`, beside the document's reader.)

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use paycrypt::MemoryKeyStore;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_store_loads_with_every_alias() {
        let store = MemoryKeyStore::from_json(DEMO_KEYS).unwrap();
        assert_eq!(store.len(), 10);
        let listed = paycrypt::wire::key_store_listing(&store);
        assert_eq!(listed["Aliases"].as_array().map_or(0, Vec::len), 10);
    }
}
