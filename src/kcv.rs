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
//! The `CMAC` check value runs on the crate's one CMAC code path (`mac`).

use core::fmt;

use cipher::Block;

use crate::algorithm::{KeyAlgorithm, SymmetricAlgorithm, vocabulary};
use crate::error::{Error, Problem, Result};
use crate::key::{CipherFn, KeyCipher, SymmetricKey};
use crate::mac::cmac_parts_into;

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
    #[must_use]
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

/// The check value of a symmetric key ([`SymmetricKey::kcv_with`]). `SHA_1` applies only to RSA keys:
/// [`Problem::KcvAlgorithm`].
pub(crate) fn symmetric_kcv(key: &SymmetricKey, algorithm: KcvAlgorithm) -> Result<Kcv> {
    match algorithm {
        KcvAlgorithm::AnsiX924 => Ok(key.with_cipher(ZeroBlock)),
        KcvAlgorithm::Cmac => Ok(cmac_kcv(key)),
        KcvAlgorithm::Sha1 => Err(Error::invalid(Problem::KcvAlgorithm)),
    }
}

/// The check value of a symmetric key with its algorithm's default method ([`SymmetricKey::kcv`]).
pub(crate) fn symmetric_default(key: &SymmetricKey) -> Kcv {
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
    let mut tag = [0u8; 16];
    let len = cmac_parts_into(key, &[&zero[..key.block_size()]], &mut tag);
    Kcv::from_prefix(&tag[..len], 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_values() {
        let tdes = SymmetricKey::from_hex(
            SymmetricAlgorithm::Tdes2Key,
            "0123456789ABCDEFFEDCBA9876543210",
        )
        .unwrap();
        assert_eq!(alloc::format!("{}", tdes.kcv()), "08D7B4");
        let aes = SymmetricKey::from_hex(
            SymmetricAlgorithm::Aes128,
            "00112233445566778899AABBCCDDEEFF",
        )
        .unwrap();
        assert_eq!(alloc::format!("{}", aes.kcv()), "53E107");
        assert_eq!(
            aes.kcv_with(KcvAlgorithm::Sha1),
            Err(Error::invalid(Problem::KcvAlgorithm))
        );
    }
}
