//! Symmetric secret keys: [`SymmetricKey`], and the one place a cipher implementation is chosen.
//!
//! A [`SymmetricKey`] is the only way symmetric key material enters the crate. It is built through a
//! checked constructor, holds its bytes and its expanded cipher, never derives `Clone`, `Copy` or
//! `PartialEq`, prints no material in `Debug`, and wipes both the bytes and the cipher's round keys on
//! drop (the `aes` crate is built with its `zeroize` feature; TDES is the crate's own constant-time
//! [`crate::tdes`], which wipes its schedules).

use core::fmt;

use cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::algorithm::{KeyAlgorithm, SymmetricAlgorithm};
use crate::error::{Error, Problem, Result};
use crate::kcv::{Kcv, KcvAlgorithm};
use crate::mac::Mac;

/// The expanded cipher of a key. The cipher types wipe their round keys on drop.
///
/// Every variant is [`Filled`] to the size of the largest, so no variant leaves bytes of the enum
/// uninitialised: a key moved by value (into a `Box`, a store, a return slot) carries zeros there, not
/// whatever key-dependent bytes the stack held before (the tail of a smaller variant is otherwise copied
/// along with the key and never wiped).
#[derive(Clone)]
pub(crate) enum Engine {
    Tdes2(Filled<crate::tdes::TdesEde2, { fill::<crate::tdes::TdesEde2>() }>),
    Tdes3(Filled<crate::tdes::TdesEde3, { fill::<crate::tdes::TdesEde3>() }>),
    Aes128(Filled<aes::Aes128, { fill::<aes::Aes128>() }>),
    Aes192(Filled<aes::Aes192, { fill::<aes::Aes192>() }>),
    Aes256(Filled<aes::Aes256, { fill::<aes::Aes256>() }>),
}

/// The size of the largest cipher an [`Engine`] holds.
const LARGEST_CIPHER: usize = {
    let sizes = [
        size_of::<crate::tdes::TdesEde2>(),
        size_of::<crate::tdes::TdesEde3>(),
        size_of::<aes::Aes128>(),
        size_of::<aes::Aes192>(),
        size_of::<aes::Aes256>(),
    ];
    let mut largest = 0;
    let mut i = 0;
    while i < sizes.len() {
        if sizes[i] > largest {
            largest = sizes[i];
        }
        i += 1;
    }
    largest
};

/// The zero bytes that fill cipher `C` up to [`LARGEST_CIPHER`].
const fn fill<C>() -> usize {
    LARGEST_CIPHER - size_of::<C>()
}

/// A cipher followed by `N` zero bytes (see [`Engine`]).
#[derive(Clone)]
pub(crate) struct Filled<C, const N: usize> {
    cipher: C,
    #[expect(dead_code, reason = "never read: it is there to be copied as zeros")]
    zeros: [u8; N],
}

impl<C, const N: usize> Filled<C, N> {
    pub(crate) const fn new(cipher: C) -> Self {
        Filled {
            cipher,
            zeros: [0; N],
        }
    }
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
    /// Key material for `algorithm`.
    ///
    /// # Errors
    ///
    /// [`Problem::KeyLength`] unless `material` has the algorithm's key length.
    pub fn new(algorithm: SymmetricAlgorithm, material: &[u8]) -> Result<Self> {
        let len = algorithm.key_len();
        // The one length check: every `new_from_slice` below takes exactly `len` bytes.
        let bad_len = |_| {
            Error::invalid(Problem::KeyLength {
                algorithm: KeyAlgorithm::Symmetric(algorithm),
                actual: material.len(),
            })
        };
        let engine = match algorithm {
            SymmetricAlgorithm::Tdes2Key => Engine::Tdes2(Filled::new(
                crate::tdes::TdesEde2::new_from_slice(material).map_err(bad_len)?,
            )),
            SymmetricAlgorithm::Tdes3Key => Engine::Tdes3(Filled::new(
                crate::tdes::TdesEde3::new_from_slice(material).map_err(bad_len)?,
            )),
            SymmetricAlgorithm::Aes128 => Engine::Aes128(Filled::new(
                aes::Aes128::new_from_slice(material).map_err(bad_len)?,
            )),
            SymmetricAlgorithm::Aes192 => Engine::Aes192(Filled::new(
                aes::Aes192::new_from_slice(material).map_err(bad_len)?,
            )),
            SymmetricAlgorithm::Aes256 => Engine::Aes256(Filled::new(
                aes::Aes256::new_from_slice(material).map_err(bad_len)?,
            )),
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
    ///
    /// # Errors
    ///
    /// [`Problem::Hex`] for text that is not hex, [`Problem::KeyLength`] for a wrong length.
    pub fn from_hex(algorithm: SymmetricAlgorithm, hex: &str) -> Result<Self> {
        let mut buf = zeroize::Zeroizing::new([0u8; 32]);
        let bytes = crate::hex::decode(hex, &mut buf[..]).map_err(|e| match e {
            Error::BufferTooSmall { .. } => Error::invalid(Problem::KeyLength {
                algorithm: KeyAlgorithm::Symmetric(algorithm),
                actual: hex.len() / 2,
            }),
            other => other,
        })?;
        Self::new(algorithm, bytes)
    }

    /// The key's algorithm.
    #[must_use]
    pub fn algorithm(&self) -> SymmetricAlgorithm {
        self.algorithm
    }

    /// The cipher's block size in bytes.
    #[must_use]
    pub fn block_size(&self) -> usize {
        self.algorithm.block_size()
    }

    /// The key check value with the algorithm's default method: `ANSI_X9_24` for TDES, `CMAC` for AES
    /// ([`KcvAlgorithm::default_for`]).
    #[must_use]
    pub fn kcv(&self) -> Kcv {
        crate::kcv::symmetric_default(self)
    }

    /// The key check value computed with `algorithm`.
    ///
    /// # Errors
    ///
    /// [`Problem::KcvAlgorithm`] for `SHA_1`, which applies to RSA keys only.
    pub fn kcv_with(&self, algorithm: KcvAlgorithm) -> Result<Kcv> {
        crate::kcv::symmetric_kcv(self, algorithm)
    }

    /// The CMAC (NIST SP 800-38B; OMAC1) of `message`, of any length including zero: a 64-bit tag
    /// for a TDES key, a 128-bit one for AES.
    #[must_use]
    pub fn cmac(&self, message: &[u8]) -> Mac {
        crate::mac::cmac(self, message)
    }

    /// Whether a TDES key collapses to single DES (K1 = K2, or for 3-key K2 = K3), parity bits ignored.
    ///
    /// The comparison is constant time. AES keys are never weak in this sense.
    #[must_use]
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

    /// The raw key bytes (for DUKPT and the TR-31 key derivation, which compute on the key itself).
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
            engine: Engine::Tdes2(Filled::new(cipher)),
        }
    }

    /// Run `f` with this key's expanded block cipher.
    pub(crate) fn with_cipher<F: CipherFn>(&self, f: F) -> F::Output {
        match &self.engine {
            Engine::Tdes2(c) => f.call(&c.cipher),
            Engine::Tdes3(c) => f.call(&c.cipher),
            Engine::Aes128(c) => f.call(&c.cipher),
            Engine::Aes192(c) => f.call(&c.cipher),
            Engine::Aes256(c) => f.call(&c.cipher),
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
