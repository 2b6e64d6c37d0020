//! Sealing at rest: every record the state keeps is AES-256-GCM under the *state key*, bound to where
//! it is stored.
//!
//! The state key is 32 random bytes, written as 64 hex digits. It comes from the environment variable
//! [`STATE_KEY_ENV`] or from a file the operator names (`--state-key-file`); a file that does not exist
//! is created on first use, with a fresh key, owner-only (`0600`, `O_EXCL`, synced before it is used).
//! An existing file readable by group or others is refused, as `ssh` refuses such a private key.
//!
//! A sealed record is `0x01 ‖ nonce (12 bytes, random) ‖ ciphertext ‖ tag (16 bytes)`; the associated
//! data is `paycrypt-server/state/v1/<table>/<primary key>`, so a record moved to another row or table
//! does not open. Any failure to open is one error: the key is wrong or the record was changed.
//! Random nonces are safe for far more records than a state holds (the collision bound is 2⁻³² after
//! 2³² records under one key).

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use zeroize::Zeroizing;

/// The environment variable that may hold the state key (64 hex digits).
pub const STATE_KEY_ENV: &str = "PAYCRYPT_STATE_KEY";

/// The format byte of a sealed record.
const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// The state key, wiped on drop.
pub struct StateKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for StateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateKey(..)")
    }
}

fn parse_hex_key(text: &str) -> Option<StateKey> {
    let text = text.trim();
    if text.len() != 64 {
        return None;
    }
    let mut key = Zeroizing::new([0u8; 32]);
    for (i, byte) in key.iter_mut().enumerate() {
        let pair = text.get(2 * i..2 * i + 2)?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(StateKey(key))
}

/// Where the state key comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// [`STATE_KEY_ENV`] (the value, which the caller read and is to wipe).
    Env,
    /// A file, created with a fresh key if it does not exist.
    File(std::path::PathBuf),
}

impl StateKey {
    /// A fresh random key (an in-memory state's, or a new key file's).
    pub fn random() -> Result<Self, String> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut key[..]).map_err(|e| format!("the OS RNG failed: {e}"))?;
        Ok(StateKey(key))
    }

    /// The key from the environment variable's value.
    pub fn from_env_value(value: &str) -> Result<Self, String> {
        parse_hex_key(value).ok_or_else(|| format!("{STATE_KEY_ENV} is not 64 hex digits"))
    }

    /// The key in `path`; a file that does not exist is created (0600) with a fresh key. Returns the
    /// key and whether the file was created.
    pub fn from_file(path: &Path) -> Result<(Self, bool), String> {
        let shown = path.display();
        match fs::metadata(path) {
            Ok(meta) => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = meta.permissions().mode();
                    if mode & 0o077 != 0 {
                        return Err(format!(
                            "the state key file {shown} is readable by others (mode {:o}); \
                             chmod 600 it",
                            mode & 0o777
                        ));
                    }
                }
                #[cfg(not(unix))]
                let _ = meta;
                let mut text = Zeroizing::new(String::new());
                fs::File::open(path)
                    .and_then(|mut f| f.read_to_string(&mut text))
                    .map_err(|e| format!("cannot read the state key file {shown}: {e}"))?;
                let key = parse_hex_key(&text).ok_or_else(|| {
                    format!("the state key file {shown} does not hold 64 hex digits")
                })?;
                Ok((key, false))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::random()?;
                let mut options = OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options
                    .open(path)
                    .map_err(|e| format!("cannot create the state key file {shown}: {e}"))?;
                let mut text = Zeroizing::new(String::with_capacity(65));
                for b in key.0.iter() {
                    text.push_str(&format!("{b:02x}"));
                }
                text.push('\n');
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| format!("cannot write the state key file {shown}: {e}"))?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    // The new directory entry survives a crash too.
                    let _ = fs::File::open(dir).and_then(|d| d.sync_all());
                }
                Ok((key, true))
            }
            Err(e) => Err(format!("cannot read the state key file {shown}: {e}")),
        }
    }
}

/// Seals and opens records under the state key.
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

/// The associated data binding a record to its place.
fn aad(table: &str, id: &str) -> Vec<u8> {
    format!("paycrypt-server/state/v1/{table}/{id}").into_bytes()
}

impl Sealer {
    /// A sealer with `key`.
    pub fn new(key: &StateKey) -> Self {
        Sealer {
            cipher: Aes256Gcm::new(&(*key.0).into()),
        }
    }

    /// Seal `plaintext` for row `id` of `table`.
    pub fn seal(&self, table: &str, id: &str, plaintext: &[u8]) -> Result<Vec<u8>, String> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| format!("the OS RNG failed: {e}"))?;
        let mut buffer = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + TAG_LEN);
        buffer.push(VERSION);
        buffer.extend_from_slice(&nonce);
        let mut body = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
        body.extend_from_slice(plaintext);
        self.cipher
            .encrypt_in_place(&Nonce::from(nonce), &aad(table, id), &mut *body)
            .map_err(|_| "sealing failed".to_string())?;
        buffer.extend_from_slice(&body);
        Ok(buffer)
    }

    /// Open a record sealed for row `id` of `table`; `None` when the key is wrong or the record (or its
    /// place) was changed.
    pub fn open(&self, table: &str, id: &str, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let (&version, rest) = sealed.split_first()?;
        if version != VERSION || rest.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let mut buffer = Zeroizing::new(body.to_vec());
        self.cipher
            .decrypt_in_place(&Nonce::from(nonce), &aad(table, id), &mut *buffer)
            .ok()?;
        Some(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_binding() {
        let key = StateKey::random().unwrap();
        let s = Sealer::new(&key);
        let sealed = s.seal("keys", "arn:1", b"record").unwrap();
        assert_eq!(
            s.open("keys", "arn:1", &sealed).unwrap().as_slice(),
            b"record"
        );
        assert!(s.open("keys", "arn:2", &sealed).is_none());
        assert!(s.open("aliases", "arn:1", &sealed).is_none());
        let mut changed = sealed.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert!(s.open("keys", "arn:1", &changed).is_none());
        assert!(s.open("keys", "arn:1", &sealed[..10]).is_none());
        let other = Sealer::new(&StateKey::random().unwrap());
        assert!(other.open("keys", "arn:1", &sealed).is_none());
        assert!(!sealed.windows(6).any(|w| w == b"record"));
    }

    #[test]
    fn key_file_created_owner_only_and_read_back() {
        let dir = std::env::temp_dir().join(format!("paycrypt-seal-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.key");
        let _ = fs::remove_file(&path);
        let (a, created) = StateKey::from_file(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let (b, created) = StateKey::from_file(&path).unwrap();
        assert!(!created);
        assert_eq!(*a.0, *b.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            assert!(
                StateKey::from_file(&path)
                    .unwrap_err()
                    .contains("readable by others")
            );
        }
        fs::write(&path, "zz").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        }
        assert!(
            StateKey::from_file(&path)
                .unwrap_err()
                .contains("64 hex digits")
        );
        fs::remove_dir_all(&dir).unwrap();
        assert!(StateKey::from_env_value(&"ab".repeat(32)).is_ok());
        assert!(StateKey::from_env_value("00").is_err());
    }
}
