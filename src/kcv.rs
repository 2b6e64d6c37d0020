//! Key check values (KCV): a short, public fingerprint of a key.
//!
//! | algorithm | computation | default for |
//! |---|---|---|
//! | `ANSI_X9_24` | encrypt one zero block with the key (ECB), leftmost 3 bytes | TDES |
//! | `CMAC` | CMAC of one zero block under the key, leftmost 3 bytes | AES |
//! | `SHA_1` | SHA-1 of the DER `SubjectPublicKeyInfo`, leftmost 4 bytes (RSA; see the `rsa` module) | RSA |
//!
//! For AES the zero block is 16 bytes (AWS's definition); for TDES-CMAC, which AWS does not define, it is
//! one 8-byte TDES block **(decision)**. `0123456789ABCDEFFEDCBA9876543210` (TDES) → `08D7B4`;
//! `00112233445566778899AABBCCDDEEFF` (AES, CMAC) → `53E107`.
//!
//! [`cmac`] is the CMAC (NIST SP 800-38B) over any message, the one code path the `CMAC` check value
//! uses too.

use core::fmt;

use cipher::{Block, common::InnerInit};
use cmac::Mac as _;
use subtle::ConstantTimeEq;

use crate::algorithm::{KeyAlgorithm, SymmetricAlgorithm, vocabulary};
use crate::key::{CipherFn, KeyCipher, SymmetricKey};

vocabulary! { aws
    /// How a key check value is computed (AWS `KeyCheckValueAlgorithm`).
    KcvAlgorithm {
        /// `ANSI_X9_24`: the key encrypts a zero block; 3 bytes.
        AnsiX924 = "ANSI_X9_24",
        /// `CMAC`: CMAC of a zero block; 3 bytes.
        Cmac = "CMAC",
        /// `SHA_1`: SHA-1 of the public key (RSA only); 4 bytes.
        Sha1 = "SHA_1",
    }
}

impl KcvAlgorithm {
    /// The AWS default for a key algorithm: `ANSI_X9_24` for TDES, `CMAC` for AES, `SHA_1` for RSA.
    #[must_use]
    pub const fn default_for(algorithm: KeyAlgorithm) -> Self {
        match algorithm {
            KeyAlgorithm::Symmetric(
                SymmetricAlgorithm::Tdes2Key | SymmetricAlgorithm::Tdes3Key,
            ) => KcvAlgorithm::AnsiX924,
            KeyAlgorithm::Symmetric(_) => KcvAlgorithm::Cmac,
            KeyAlgorithm::Rsa(_) => KcvAlgorithm::Sha1,
        }
    }
}

/// A key check value: 3 or 4 bytes, shown as upper-case hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kcv {
    bytes: [u8; 4],
    len: u8,
}

impl Kcv {
    /// The leftmost 3 or 4 bytes of `digest` as a check value.
    pub(crate) fn from_prefix(digest: &[u8], len: usize) -> Self {
        let mut bytes = [0u8; 4];
        let len = len.min(4).min(digest.len());
        bytes[..len].copy_from_slice(&digest[..len]);
        Kcv {
            bytes,
            // At most 4.
            len: u8::try_from(len).unwrap_or(4),
        }
    }

    /// The check value's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Upper-case hex, written into `out` (at least 8 bytes).
    pub fn to_hex<'a>(&self, out: &'a mut [u8; 8]) -> &'a str {
        let n = self.as_bytes().len() * 2;
        // 8 bytes always hold the at most 4-byte value.
        crate::hex::encode_upper(self.as_bytes(), &mut out[..n]).unwrap_or_default()
    }
}

impl fmt::Display for Kcv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; 8];
        f.write_str(self.to_hex(&mut out))
    }
}

impl fmt::Debug for Kcv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kcv({self})")
    }
}

/// The check value of a symmetric key. `SHA_1` applies only to RSA keys and gives `None` here.
pub fn symmetric_kcv(key: &SymmetricKey, algorithm: KcvAlgorithm) -> Option<Kcv> {
    match algorithm {
        KcvAlgorithm::AnsiX924 => Some(key.with_cipher(ZeroBlock)),
        KcvAlgorithm::Cmac => Some(cmac_kcv(key)),
        KcvAlgorithm::Sha1 => None,
    }
}

/// The check value of a symmetric key with its algorithm's default method.
pub fn default_symmetric_kcv(key: &SymmetricKey) -> Kcv {
    match KcvAlgorithm::default_for(key.algorithm().into()) {
        KcvAlgorithm::Cmac => cmac_kcv(key),
        _ => key.with_cipher(ZeroBlock),
    }
}

struct ZeroBlock;

impl CipherFn for ZeroBlock {
    type Output = Kcv;
    fn call<C: KeyCipher>(self, cipher: &C) -> Kcv {
        let mut block = Block::<C>::default();
        cipher.encrypt_block(&mut block);
        Kcv::from_prefix(&block, 3)
    }
}

/// `CMAC`: the CMAC of one zero block of the key's block size, leftmost 3 bytes.
fn cmac_kcv(key: &SymmetricKey) -> Kcv {
    let zero = [0u8; 16];
    Kcv::from_prefix(cmac(key, &zero[..key.block_size()]).as_bytes(), 3)
}

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
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Whether `tag` equals this full tag, compared in constant time (a tag of another length never
    /// matches).
    pub fn verify(&self, tag: &[u8]) -> bool {
        bool::from(self.as_bytes().ct_eq(tag))
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

/// The CMAC (NIST SP 800-38B; OMAC1) of `message`, of any length including zero, under `key`.
///
/// TDES keys give a 64-bit tag, AES keys a 128-bit one.
pub fn cmac(key: &SymmetricKey, message: &[u8]) -> Mac {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_values() {
        let tdes = SymmetricKey::from_hex(
            SymmetricAlgorithm::Tdes2Key,
            "0123456789ABCDEFFEDCBA9876543210",
        )
        .unwrap();
        assert_eq!(alloc::format!("{}", default_symmetric_kcv(&tdes)), "08D7B4");
        let aes = SymmetricKey::from_hex(
            SymmetricAlgorithm::Aes128,
            "00112233445566778899AABBCCDDEEFF",
        )
        .unwrap();
        assert_eq!(alloc::format!("{}", default_symmetric_kcv(&aes)), "53E107");
        assert_eq!(symmetric_kcv(&aes, KcvAlgorithm::Sha1), None);
    }
}
