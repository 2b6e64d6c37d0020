//! CMAC (NIST SP 800-38B; OMAC1) over any message, with a TDES or AES key: the one code path of
//! [`SymmetricKey::cmac`], the `CMAC` key check value and the TR-31 key derivation and authenticator.
//!
//! The `cmac` crate computes it on the key's own expanded cipher ([`SymmetricKey`]'s engine); a tag that
//! is key material (a key derivation's output) is written only into the caller's buffer.

use core::fmt;

use cipher::common::InnerInit;
use cmac::Mac as _;
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};
use crate::key::{CipherFn, KeyCipher, SymmetricKey};

/// A CMAC tag: one block of the key's cipher (8 bytes TDES, 16 AES).
///
/// No `PartialEq`: check a received tag with [`Mac::verify`], which compares in constant time.
#[derive(Clone, Copy)]
pub struct Mac {
    bytes: [u8; 16],
    len: u8,
}

impl Mac {
    /// The tag's bytes (the full block; truncate as the protocol says).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Check a received `tag` against this full tag, in constant time. A tag that differs, or has
    /// another length, is [`Error::Decryption`] (the crate's one authentication failure).
    ///
    /// # Errors
    ///
    /// [`Error::Decryption`] for a tag that is not this one.
    pub fn verify(&self, tag: &[u8]) -> Result<()> {
        if bool::from(self.as_bytes().ct_eq(tag)) {
            Ok(())
        } else {
            Err(Error::Decryption)
        }
    }
}

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; 32];
        let hex = crate::hex::encode_upper(self.as_bytes(), &mut out[..self.as_bytes().len() * 2])
            .map_err(|_| fmt::Error)?;
        write!(f, "Mac({hex})")
    }
}

/// The CMAC of `message` under `key` ([`SymmetricKey::cmac`]).
pub(crate) fn cmac(key: &SymmetricKey, message: &[u8]) -> Mac {
    let mut bytes = [0u8; 16];
    let len = cmac_parts_into(key, &[message], &mut bytes);
    Mac {
        bytes,
        // At most 16.
        len: u8::try_from(len).unwrap_or(16),
    }
}

/// The CMAC of the concatenation of `parts`, written into the front of `out` (at most the tag's length);
/// returns the number of bytes written. No copy of the tag is left behind elsewhere, so a tag that is
/// key material (a key derivation's output) lives only in the caller's (wiped) buffer.
pub(crate) fn cmac_parts_into(key: &SymmetricKey, parts: &[&[u8]], out: &mut [u8]) -> usize {
    key.with_cipher(CmacParts { parts, out })
}

struct CmacParts<'a, 'o> {
    parts: &'a [&'a [u8]],
    out: &'o mut [u8],
}

impl CipherFn for CmacParts<'_, '_> {
    type Output = usize;
    fn call<C: KeyCipher>(self, cipher: &C) -> usize {
        use cmac::digest::{FixedOutput, Output};
        use zeroize::Zeroize;
        let mut mac = cmac::Cmac::<C>::inner_init(cipher.clone());
        for part in self.parts {
            mac.update(part);
        }
        let mut tag = Output::<cmac::Cmac<C>>::default();
        mac.finalize_into(&mut tag);
        let len = tag.len().min(self.out.len());
        self.out[..len].copy_from_slice(&tag[..len]);
        tag.as_mut_slice().zeroize();
        len
    }
}
