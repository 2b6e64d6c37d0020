//! Key algorithms and symmetric secret keys.
//!
//! A [`SymmetricKey`] is the only way symmetric key material enters the crate. It is built through a
//! checked constructor, holds its bytes and its expanded cipher, never derives `Clone`, `Copy` or
//! `PartialEq`, prints no material in `Debug`, and wipes both the bytes and the cipher's round keys on
//! drop (the `aes` crate is built with its `zeroize` feature; TDES is the crate's own constant-time
//! [`crate::tdes`], which wipes its schedules).

use core::fmt;

use cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{Error, Problem};

mod attributes;
mod generate;
mod rules;

pub use rules::{AttributesRefused, RefusedAttribute, allowed_modes};

pub use attributes::{
    KeyArn, KeyAttributes, KeyClass, KeyIdentifier, KeyModesOfUse, KeyState, KeyUsage,
    MAX_IDENTIFIER_LEN,
};

/// A symmetric algorithm: the TDES and AES key types AWS Payment Cryptography defines.
///
/// The order is the strength ordering of ANSI X9.24-3 used for DUKPT derivation types:
/// `Tdes2Key < Tdes3Key < Aes128 < Aes192 < Aes256`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SymmetricAlgorithm {
    /// Two-key triple DES (16 bytes, K1 K2 K1), `TDES_2KEY`.
    Tdes2Key,
    /// Three-key triple DES (24 bytes), `TDES_3KEY`.
    Tdes3Key,
    /// AES with a 128-bit key, `AES_128`.
    Aes128,
    /// AES with a 192-bit key, `AES_192`.
    Aes192,
    /// AES with a 256-bit key, `AES_256`.
    Aes256,
}

impl SymmetricAlgorithm {
    /// All five, weakest first.
    pub const ALL: [SymmetricAlgorithm; 5] = [
        SymmetricAlgorithm::Tdes2Key,
        SymmetricAlgorithm::Tdes3Key,
        SymmetricAlgorithm::Aes128,
        SymmetricAlgorithm::Aes192,
        SymmetricAlgorithm::Aes256,
    ];

    /// Key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            SymmetricAlgorithm::Tdes2Key | SymmetricAlgorithm::Aes128 => 16,
            SymmetricAlgorithm::Tdes3Key | SymmetricAlgorithm::Aes192 => 24,
            SymmetricAlgorithm::Aes256 => 32,
        }
    }

    /// Block size in bytes (8 for TDES, 16 for AES).
    pub const fn block_size(self) -> usize {
        if self.is_tdes() { 8 } else { 16 }
    }

    /// Whether this is a TDES algorithm.
    pub const fn is_tdes(self) -> bool {
        matches!(
            self,
            SymmetricAlgorithm::Tdes2Key | SymmetricAlgorithm::Tdes3Key
        )
    }

    /// The AWS name, e.g. `TDES_2KEY`.
    pub const fn aws_name(self) -> &'static str {
        KeyAlgorithm::Symmetric(self).aws_name()
    }
}

impl fmt::Display for SymmetricAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}

/// An RSA key size AWS Payment Cryptography defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RsaSize {
    /// 2048-bit modulus, `RSA_2048`.
    Rsa2048,
    /// 3072-bit modulus, `RSA_3072`.
    Rsa3072,
    /// 4096-bit modulus, `RSA_4096`.
    Rsa4096,
}

impl RsaSize {
    /// The modulus size in bits.
    pub const fn bits(self) -> usize {
        match self {
            RsaSize::Rsa2048 => 2048,
            RsaSize::Rsa3072 => 3072,
            RsaSize::Rsa4096 => 4096,
        }
    }

    /// The modulus size in bytes.
    pub const fn bytes(self) -> usize {
        self.bits() / 8
    }

    /// The size for a modulus of `bits` bits, if AWS defines it.
    pub const fn from_bits(bits: usize) -> Option<Self> {
        match bits {
            2048 => Some(RsaSize::Rsa2048),
            3072 => Some(RsaSize::Rsa3072),
            4096 => Some(RsaSize::Rsa4096),
            _ => None,
        }
    }
}

/// Every `KeyAlgorithm` of AWS Payment Cryptography that paycrypt handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// A TDES or AES key.
    Symmetric(SymmetricAlgorithm),
    /// An RSA key.
    Rsa(RsaSize),
}

impl KeyAlgorithm {
    /// All eight, in AWS's order.
    pub const ALL: [KeyAlgorithm; 8] = [
        KeyAlgorithm::Symmetric(SymmetricAlgorithm::Tdes2Key),
        KeyAlgorithm::Symmetric(SymmetricAlgorithm::Tdes3Key),
        KeyAlgorithm::Symmetric(SymmetricAlgorithm::Aes128),
        KeyAlgorithm::Symmetric(SymmetricAlgorithm::Aes192),
        KeyAlgorithm::Symmetric(SymmetricAlgorithm::Aes256),
        KeyAlgorithm::Rsa(RsaSize::Rsa2048),
        KeyAlgorithm::Rsa(RsaSize::Rsa3072),
        KeyAlgorithm::Rsa(RsaSize::Rsa4096),
    ];

    /// The AWS name, e.g. `AES_128` or `RSA_2048`.
    pub const fn aws_name(self) -> &'static str {
        match self {
            KeyAlgorithm::Symmetric(SymmetricAlgorithm::Tdes2Key) => "TDES_2KEY",
            KeyAlgorithm::Symmetric(SymmetricAlgorithm::Tdes3Key) => "TDES_3KEY",
            KeyAlgorithm::Symmetric(SymmetricAlgorithm::Aes128) => "AES_128",
            KeyAlgorithm::Symmetric(SymmetricAlgorithm::Aes192) => "AES_192",
            KeyAlgorithm::Symmetric(SymmetricAlgorithm::Aes256) => "AES_256",
            KeyAlgorithm::Rsa(RsaSize::Rsa2048) => "RSA_2048",
            KeyAlgorithm::Rsa(RsaSize::Rsa3072) => "RSA_3072",
            KeyAlgorithm::Rsa(RsaSize::Rsa4096) => "RSA_4096",
        }
    }

    /// Parse an AWS name; `None` for any other string.
    pub fn from_aws_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.aws_name() == name)
    }

    /// The key length in bytes (the modulus length for RSA).
    pub const fn key_len(self) -> usize {
        match self {
            KeyAlgorithm::Symmetric(s) => s.key_len(),
            KeyAlgorithm::Rsa(r) => r.bytes(),
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}

impl From<SymmetricAlgorithm> for KeyAlgorithm {
    fn from(a: SymmetricAlgorithm) -> Self {
        KeyAlgorithm::Symmetric(a)
    }
}

/// The expanded cipher of a key. The cipher types wipe their round keys on drop.
#[derive(Clone)]
pub(crate) enum Engine {
    Tdes2(crate::tdes::TdesEde2),
    Tdes3(crate::tdes::TdesEde3),
    Aes128(aes::Aes128),
    Aes192(aes::Aes192),
    Aes256(aes::Aes256),
}

/// The block ciphers a key holds, with what the modes, CMAC and DUKPT need of them.
pub(crate) trait KeyCipher:
    BlockCipherEncrypt<BlockSize: block_buffer::BlockSizes>
    + BlockCipherDecrypt
    + Clone
    + ZeroizeOnDrop
    + cmac::block_api::CmacCipher
{
}

impl<C> KeyCipher for C where
    C: BlockCipherEncrypt<BlockSize: block_buffer::BlockSizes>
        + BlockCipherDecrypt
        + Clone
        + ZeroizeOnDrop
        + cmac::block_api::CmacCipher
{
}

/// A computation generic over the block cipher of a key (see [`SymmetricKey::with_cipher`]).
pub(crate) trait CipherFn {
    /// What the computation returns.
    type Output;
    /// Run the computation with the key's cipher.
    fn call<C: KeyCipher>(self, cipher: &C) -> Self::Output;
}

/// Symmetric secret key material (TDES or AES) of a known algorithm.
///
/// Built only by [`SymmetricKey::new`] (or [`SymmetricKey::from_hex`]), which checks the length. DES
/// parity bits are ignored. No `Clone`, no `Copy`, no `PartialEq`: compare keys through their check
/// values. `Debug` prints only the algorithm. Dropping the key wipes its bytes and round keys.
pub struct SymmetricKey {
    algorithm: SymmetricAlgorithm,
    material: Material,
    engine: Engine,
}

/// Raw key bytes, wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
struct Material {
    bytes: [u8; 32],
}

impl SymmetricKey {
    /// Key material for `algorithm`; its length must be the algorithm's key length.
    pub fn new(algorithm: SymmetricAlgorithm, material: &[u8]) -> Result<Self, Error> {
        let len = algorithm.key_len();
        if material.len() != len {
            return Err(Error::invalid(Problem::KeyLength {
                algorithm: KeyAlgorithm::Symmetric(algorithm),
                actual: material.len(),
            }));
        }
        let bad_len = |_| {
            Error::invalid(Problem::KeyLength {
                algorithm: KeyAlgorithm::Symmetric(algorithm),
                actual: material.len(),
            })
        };
        let engine = match algorithm {
            SymmetricAlgorithm::Tdes2Key => {
                Engine::Tdes2(crate::tdes::TdesEde2::new_from_slice(material).map_err(bad_len)?)
            }
            SymmetricAlgorithm::Tdes3Key => {
                Engine::Tdes3(crate::tdes::TdesEde3::new_from_slice(material).map_err(bad_len)?)
            }
            SymmetricAlgorithm::Aes128 => {
                Engine::Aes128(aes::Aes128::new_from_slice(material).map_err(bad_len)?)
            }
            SymmetricAlgorithm::Aes192 => {
                Engine::Aes192(aes::Aes192::new_from_slice(material).map_err(bad_len)?)
            }
            SymmetricAlgorithm::Aes256 => {
                Engine::Aes256(aes::Aes256::new_from_slice(material).map_err(bad_len)?)
            }
        };
        let mut stored = Material { bytes: [0; 32] };
        stored.bytes[..len].copy_from_slice(material);
        Ok(SymmetricKey {
            algorithm,
            material: stored,
            engine,
        })
    }

    /// Key material given as hex (either case); the decoded bytes are wiped after use.
    pub fn from_hex(algorithm: SymmetricAlgorithm, hex: &str) -> Result<Self, Error> {
        let mut buf = zeroize::Zeroizing::new([0u8; 32]);
        let bytes = crate::hex::decode_secret(hex, &mut buf[..]).map_err(|e| match e {
            Error::BufferTooSmall { .. } => Error::invalid(Problem::KeyLength {
                algorithm: KeyAlgorithm::Symmetric(algorithm),
                actual: hex.len() / 2,
            }),
            other => other,
        })?;
        Self::new(algorithm, bytes)
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> SymmetricAlgorithm {
        self.algorithm
    }

    /// The cipher's block size in bytes.
    pub fn block_size(&self) -> usize {
        self.algorithm.block_size()
    }

    /// Whether a TDES key collapses to single DES (K1 = K2, or for 3-key K2 = K3), parity bits ignored.
    ///
    /// The comparison is constant time. AES keys are never weak in this sense.
    pub fn is_single_des_equivalent(&self) -> bool {
        use subtle::ConstantTimeEq;
        let b = &self.material.bytes;
        let part = |i: usize| -> [u8; 8] {
            let mut p = [0u8; 8];
            for (d, s) in p.iter_mut().zip(&b[i * 8..i * 8 + 8]) {
                *d = s & 0xFE;
            }
            p
        };
        match self.algorithm {
            SymmetricAlgorithm::Tdes2Key => bool::from(part(0).ct_eq(&part(1))),
            SymmetricAlgorithm::Tdes3Key => {
                bool::from(part(0).ct_eq(&part(1)) | part(1).ct_eq(&part(2)))
            }
            _ => false,
        }
    }

    /// The raw key bytes (for DUKPT derivation, which computes on the BDK itself).
    #[allow(dead_code)] // the DUKPT module is its user
    pub(crate) fn secret_bytes(&self) -> &[u8] {
        &self.material.bytes[..self.algorithm.key_len()]
    }

    /// A `TDES_2KEY` key from its bytes and its already expanded cipher (the DUKPT batch derivation
    /// expands 64 keys at once); `cipher` must be the expansion of `bytes`.
    pub(crate) fn tdes2_expanded(bytes: &[u8; 16], cipher: crate::tdes::TdesEde2) -> Self {
        let mut stored = Material { bytes: [0; 32] };
        stored.bytes[..16].copy_from_slice(bytes);
        SymmetricKey {
            algorithm: SymmetricAlgorithm::Tdes2Key,
            material: stored,
            engine: Engine::Tdes2(cipher),
        }
    }

    /// Run `f` with this key's expanded block cipher.
    pub(crate) fn with_cipher<F: CipherFn>(&self, f: F) -> F::Output {
        match &self.engine {
            Engine::Tdes2(c) => f.call(c),
            Engine::Tdes3(c) => f.call(c),
            Engine::Aes128(c) => f.call(c),
            Engine::Aes192(c) => f.call(c),
            Engine::Aes256(c) => f.call(c),
        }
    }
}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SymmetricKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl ZeroizeOnDrop for SymmetricKey {}

/// Constant-time comparison of two keys: equal when the algorithms match and every byte of the
/// material matches, parity bits included. The time taken depends only on the key lengths.
impl subtle::ConstantTimeEq for SymmetricKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        let same_algorithm = subtle::Choice::from(u8::from(self.algorithm == other.algorithm));
        same_algorithm & self.material.bytes.ct_eq(&other.material.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_checked() {
        for alg in SymmetricAlgorithm::ALL {
            for len in [0, 8, 15, 16, 17, 24, 31, 32, 33] {
                let r = SymmetricKey::new(alg, &[0x11; 33][..len]);
                assert_eq!(r.is_ok(), len == alg.key_len(), "{alg} {len}");
            }
        }
    }

    #[test]
    fn debug_is_redacted() {
        let k = SymmetricKey::from_hex(
            SymmetricAlgorithm::Aes128,
            "00112233445566778899aabbccddeeff",
        )
        .unwrap();
        let s = alloc::format!("{k:?}");
        assert_eq!(s, "SymmetricKey { algorithm: Aes128, .. }");
    }

    #[test]
    fn single_des_equivalence_ignores_parity() {
        let two = |hex: &str| SymmetricKey::from_hex(SymmetricAlgorithm::Tdes2Key, hex).unwrap();
        let three = |hex: &str| SymmetricKey::from_hex(SymmetricAlgorithm::Tdes3Key, hex).unwrap();
        assert!(!two("0123456789ABCDEFFEDCBA9876543210").is_single_des_equivalent());
        assert!(two("0123456789ABCDEF0123456789ABCDEF").is_single_des_equivalent());
        // K2 differs from K1 only in parity bits (the low bit of each byte).
        assert!(two("0123456789ABCDEF0022446688AACCEE").is_single_des_equivalent());
        assert!(
            !three("0123456789ABCDEF1032547698BADCFE2233445566778899").is_single_des_equivalent()
        );
        assert!(
            !three("0123456789ABCDEF1133557799BBDDFF2233445566778899").is_single_des_equivalent()
        );
        assert!(
            three("0123456789ABCDEF1032547698BADCFE1032547698BADCFE").is_single_des_equivalent()
        );
        assert!(
            three("0123456789ABCDEF0123456789ABCDEF1032547698BADCFE").is_single_des_equivalent()
        );
    }
}
