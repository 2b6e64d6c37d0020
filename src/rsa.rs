//! RSA data encryption: PKCS#1 v1.5, OAEP (SHA-1, SHA-256, SHA-512) and raw RSA.
//!
//! An RSA key stands on either side of a re-encryption: incoming, the ciphertext is decrypted with an
//! [`RsaPrivateKey`]; outgoing, the plaintext is encrypted with an [`RsaPublicKey`] (an imported public
//! key, or [`RsaPrivateKey::public_key`]). Sizes are 2048, 3072 and 4096 bits only.
//!
//! | padding | AWS name | plaintext limit (k = modulus bytes) | RSA-2048 | RSA-3072 | RSA-4096 |
//! |---|---|---|---|---|---|
//! | PKCS#1 v1.5 type 2 | `PKCS1` | k − 11 | 245 | 373 | 501 |
//! | OAEP, SHA-1, MGF1-SHA-1, empty label | `OAEP_SHA1` | k − 42 | 214 | 342 | 470 |
//! | OAEP, SHA-256, MGF1-SHA-256, empty label | `OAEP_SHA256` | k − 66 | 190 | 318 | 446 |
//! | OAEP, SHA-512, MGF1-SHA-512, empty label | `OAEP_SHA512` | k − 130 | 126 | 254 | 382 |
//! | none (raw RSA) | (absent) | exactly k, value below the modulus | 256 | 384 | 512 |
//!
//! # No padding oracle
//!
//! Every decryption failure (a ciphertext that is not exactly k bytes, a value not below the modulus,
//! bad OAEP padding) is the one error [`Error::Decryption`]. The private operation is blinded with the
//! caller's RNG and runs on `crypto-bigint`'s constant-time arithmetic; the OAEP checks are combined into
//! one secret bit in constant time before the single branch that reports the failure.
//!
//! **PKCS#1 v1.5 never fails on bad padding.** It uses *implicit rejection* (the `rsa` 0.10 behaviour,
//! byte-identical to OpenSSL ≥ 3.2 and draft-irtf-cfrg-rsa-guidance): a ciphertext whose padding is
//! malformed decrypts to a synthetic message derived deterministically from the private key and the
//! ciphertext. A re-encryption of such a ciphertext succeeds and returns garbage under the outgoing key;
//! it does not fail. That is deliberate: a distinguishable failure (an error, or a timing difference) is
//! exactly the Bleichenbacher / Marvin padding oracle that lets an attacker decrypt any PKCS#1 v1.5
//! ciphertext or sign with the key. The protocol around the data must authenticate it.
//!
//! # Randomness
//!
//! Every operation takes a caller-supplied RNG (`rand_core` 0.10 [`TryCryptoRng`], re-exported as
//! [`rand_core`]), so firmware can pass its TRNG: decryption draws blinding factors, encryption draws the
//! padding. There is no hidden global RNG; with the `std` feature [`OsRng`] is the operating system's.
//! An RNG failure is [`Error::Rng`].
//!
//! # Keys
//!
//! [`RsaPrivateKey`] reads PKCS#8 or PKCS#1 (DER, or PEM told apart by its label); [`RsaPublicKey`] reads
//! SubjectPublicKeyInfo or PKCS#1. Unparseable material is [`Problem::KeyEncoding`]; a well-formed key of
//! any size but 2048, 3072 or 4096 bits is [`Problem::RsaKeySize`]. The key check value ([`KcvAlgorithm::Sha1`](crate::KcvAlgorithm::Sha1))
//! is the leftmost 4 bytes of SHA-1 over the DER SubjectPublicKeyInfo **(decision)**.
//!
//! ```
//! use paycrypt::rsa::{max_plaintext_len, RsaPadding};
//! use paycrypt::RsaSize;
//!
//! let oaep = RsaPadding::from_aws_name("OAEP_SHA256").unwrap();
//! assert_eq!(max_plaintext_len(RsaSize::Rsa2048, Some(oaep)), 190);
//! assert_eq!(max_plaintext_len(RsaSize::Rsa2048, Some(RsaPadding::Pkcs1)), 245);
//! assert_eq!(max_plaintext_len(RsaSize::Rsa2048, None), 256);
//! ```

mod import;
mod oaep;
mod raw;
#[doc(hidden)]
pub mod test_vectors;

use alloc::vec::Vec;
use core::fmt;

use ::rsa::traits::PublicKeyParts;
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, Problem};
use crate::kcv::Kcv;
use crate::key::RsaSize;

/// The `rand_core` the RNG bound comes from (the one `rsa` 0.10 uses), for implementing it on a TRNG.
pub use ::rsa::rand_core;
pub use ::rsa::rand_core::TryCryptoRng;
/// The operating system's RNG (`getrandom`), a [`TryCryptoRng`]; `std` feature only.
#[cfg(feature = "std")]
pub use getrandom::SysRng as OsRng;

/// An RSA encryption padding (AWS `PaddingType`). `None` where an `Option<RsaPadding>` is taken means raw
/// RSA (no padding).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RsaPadding {
    /// `PKCS1`: PKCS#1 v1.5 type 2 (RSAES-PKCS1-v1_5).
    Pkcs1,
    /// `OAEP_SHA1`: RSAES-OAEP with SHA-1 and MGF1-SHA-1, empty label.
    OaepSha1,
    /// `OAEP_SHA256`: RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label.
    OaepSha256,
    /// `OAEP_SHA512`: RSAES-OAEP with SHA-512 and MGF1-SHA-512, empty label.
    OaepSha512,
}

impl RsaPadding {
    /// All four, in AWS's order.
    pub const ALL: [RsaPadding; 4] = [
        RsaPadding::Pkcs1,
        RsaPadding::OaepSha1,
        RsaPadding::OaepSha256,
        RsaPadding::OaepSha512,
    ];

    /// The AWS name, e.g. `OAEP_SHA256`.
    pub const fn aws_name(self) -> &'static str {
        match self {
            RsaPadding::Pkcs1 => "PKCS1",
            RsaPadding::OaepSha1 => "OAEP_SHA1",
            RsaPadding::OaepSha256 => "OAEP_SHA256",
            RsaPadding::OaepSha512 => "OAEP_SHA512",
        }
    }

    /// Parse an AWS name; `None` for any other string.
    pub fn from_aws_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.aws_name() == name)
    }

    /// The bytes this padding takes from a block of `k` bytes: 11 for PKCS#1 v1.5, `2·hLen + 2` for OAEP.
    const fn overhead(self) -> usize {
        match self {
            RsaPadding::Pkcs1 => 11,
            RsaPadding::OaepSha1 => 2 * 20 + 2,
            RsaPadding::OaepSha256 => 2 * 32 + 2,
            RsaPadding::OaepSha512 => 2 * 64 + 2,
        }
    }
}

impl fmt::Display for RsaPadding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}

/// The longest plaintext a key of `size` encrypts with `padding` (`None` = raw RSA, which takes exactly
/// `size.bytes()`). RSA-2048: PKCS1 245, OAEP_SHA1 214, OAEP_SHA256 190, OAEP_SHA512 126, raw 256.
pub const fn max_plaintext_len(size: RsaSize, padding: Option<RsaPadding>) -> usize {
    max_len_for(size.bytes(), padding)
}

const fn max_len_for(k: usize, padding: Option<RsaPadding>) -> usize {
    match padding {
        Some(p) => k.saturating_sub(p.overhead()),
        None => k,
    }
}

/// An RSA private key (a key pair) of 2048, 3072 or 4096 bits.
///
/// No `Clone`, no `PartialEq`; `Debug` prints the size and the public key's check value only. Dropping the
/// key wipes the private exponent, the primes, `dP`, `dQ` and the primes' Montgomery parameters (`rsa`
/// 0.10's `Drop`). Not wiped, because `rsa` 0.10 does not reach them: the CRT coefficient `qInv` and some
/// intermediate big integers of the private operation (see the README).
pub struct RsaPrivateKey {
    inner: ::rsa::PrivateKey,
    public: RsaPublicKey,
}

impl ZeroizeOnDrop for RsaPrivateKey {}

impl fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPrivateKey")
            .field("size", &self.public.size)
            .field("public_kcv", &self.public.kcv)
            .finish_non_exhaustive()
    }
}

impl RsaPrivateKey {
    /// Read a PEM private key: `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1). Any other label,
    /// including `ENCRYPTED PRIVATE KEY`, is [`Problem::KeyEncoding`]; a size other than 2048, 3072 or 4096
    /// bits is [`Problem::RsaKeySize`].
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (inner, bits) = import::private_from_pem(pem, import::Sizes::Aws)?;
        Self::sized(inner, bits)
    }

    /// Read a DER private key, PKCS#8 `PrivateKeyInfo` (algorithm `rsaEncryption`) or PKCS#1
    /// `RSAPrivateKey`. Errors as for [`RsaPrivateKey::from_pem`].
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let (inner, bits) = import::private_from_der(der, import::Sizes::Aws)?;
        Self::sized(inner, bits)
    }

    fn sized(inner: ::rsa::PrivateKey, bits: usize) -> Result<Self, Error> {
        let size = RsaSize::from_bits(bits).ok_or(Error::invalid(Problem::RsaKeySize { bits }))?;
        let public = RsaPublicKey::new(inner.to_public_key(), size)?;
        Ok(RsaPrivateKey { inner, public })
    }

    /// The key's size.
    pub fn size(&self) -> RsaSize {
        self.public.size
    }

    /// The public half, for encryption (and its check value).
    pub fn public_key(&self) -> RsaPublicKey {
        self.public.clone()
    }

    /// Decrypt `ciphertext` (exactly the modulus length) with `padding` (`None` = raw RSA, which returns
    /// the full modulus-length value).
    ///
    /// The private operation is blinded with fresh randomness from `rng`. Every failure — wrong length,
    /// value not below the modulus, bad OAEP padding — is [`Error::Decryption`]; an RNG failure is
    /// [`Error::Rng`]. PKCS#1 v1.5 with malformed padding does **not** fail: it returns the
    /// implicit-rejection message (see the [module documentation](self)).
    pub fn decrypt<R: TryCryptoRng + ?Sized>(
        &self,
        padding: Option<RsaPadding>,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        decrypt_with(&self.inner, padding, ciphertext, rng)
    }
}

/// An RSA public key of 2048, 3072 or 4096 bits.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    inner: ::rsa::PublicKey,
    size: RsaSize,
    kcv: Kcv,
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("size", &self.size)
            .field("kcv", &self.kcv)
            .finish_non_exhaustive()
    }
}

impl RsaPublicKey {
    /// Read a PEM public key: `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1). Any other
    /// label is [`Problem::KeyEncoding`]; a size other than 2048, 3072 or 4096 bits is
    /// [`Problem::RsaKeySize`].
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (inner, bits) = import::public_from_pem(pem, import::Sizes::Aws)?;
        Self::sized(inner, bits)
    }

    /// Read a DER public key: SubjectPublicKeyInfo (algorithm `rsaEncryption`) or PKCS#1 `RSAPublicKey`.
    /// Errors as for [`RsaPublicKey::from_pem`].
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let (inner, bits) = import::public_from_der(der, import::Sizes::Aws)?;
        Self::sized(inner, bits)
    }

    fn sized(inner: ::rsa::PublicKey, bits: usize) -> Result<Self, Error> {
        let size = RsaSize::from_bits(bits).ok_or(Error::invalid(Problem::RsaKeySize { bits }))?;
        Self::new(inner, size)
    }

    fn new(inner: ::rsa::PublicKey, size: RsaSize) -> Result<Self, Error> {
        let kcv = import::sha1_kcv(&inner)?;
        Ok(RsaPublicKey { inner, size, kcv })
    }

    /// The key's size.
    pub fn size(&self) -> RsaSize {
        self.size
    }

    /// The key check value (`SHA_1`): SHA-1 of the DER SubjectPublicKeyInfo, leftmost 4 bytes, shown as
    /// 8 upper-case hex digits. The same for a key read as SPKI or PKCS#1, and for a key pair's public half.
    pub fn kcv(&self) -> Kcv {
        self.kcv
    }

    /// Encrypt `plaintext` with `padding` (`None` = raw RSA), drawing the padding's randomness from `rng`;
    /// returns a ciphertext of exactly the modulus length.
    ///
    /// A plaintext longer than [`max_plaintext_len`] is [`Problem::PlaintextTooLong`]. Raw RSA needs
    /// exactly the modulus length and a value below the modulus, else [`Problem::RsaRawPlaintext`]
    /// (compared in constant time; the outcome itself is necessarily visible, see the README). An RNG
    /// failure is [`Error::Rng`].
    pub fn encrypt<R: TryCryptoRng + ?Sized>(
        &self,
        padding: Option<RsaPadding>,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        encrypt_with(&self.inner, padding, plaintext, rng)
    }
}

/// Decryption for a key of any size the `rsa` crate accepts (the typed key checks the size first).
fn decrypt_with<R: TryCryptoRng + ?Sized>(
    key: &::rsa::PrivateKey,
    padding: Option<RsaPadding>,
    ciphertext: &[u8],
    rng: &mut R,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    match padding {
        None => raw::decrypt(key, ciphertext, rng),
        Some(RsaPadding::Pkcs1) => key
            .pkcs1v15_decrypt_with_rng(rng, ciphertext)
            .map(Zeroizing::new)
            .map_err(decryption_error),
        Some(RsaPadding::OaepSha1) => oaep::decrypt::<Sha1, R>(key, ciphertext, rng),
        Some(RsaPadding::OaepSha256) => oaep::decrypt::<Sha256, R>(key, ciphertext, rng),
        Some(RsaPadding::OaepSha512) => oaep::decrypt::<Sha512, R>(key, ciphertext, rng),
    }
}

/// Encryption for a key of any size the `rsa` crate accepts.
fn encrypt_with<R: TryCryptoRng + ?Sized>(
    key: &::rsa::PublicKey,
    padding: Option<RsaPadding>,
    plaintext: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let max = max_len_for(key.size(), padding);
    if plaintext.len() > max {
        return Err(Error::invalid(Problem::PlaintextTooLong {
            max,
            actual: plaintext.len(),
        }));
    }
    let result = match padding {
        None => return raw::encrypt(key, plaintext),
        Some(RsaPadding::Pkcs1) => key.pkcs1v15_encrypt_with_rng(rng, plaintext),
        Some(RsaPadding::OaepSha1) => key.oaep_encrypt_with_rng::<Sha1, R>(rng, plaintext),
        Some(RsaPadding::OaepSha256) => key.oaep_encrypt_with_rng::<Sha256, R>(rng, plaintext),
        Some(RsaPadding::OaepSha512) => key.oaep_encrypt_with_rng::<Sha512, R>(rng, plaintext),
    };
    result.map_err(|e| match e {
        ::rsa::Error::Rng => Error::Rng,
        ::rsa::Error::MessageTooLong => Error::invalid(Problem::PlaintextTooLong {
            max,
            actual: plaintext.len(),
        }),
        // Unreachable for a key that passed import (the public key is checked there).
        _ => Error::invalid(Problem::KeyEncoding),
    })
}

/// Every failure of a private operation is [`Error::Decryption`], except a failing RNG.
fn decryption_error(e: ::rsa::Error) -> Error {
    match e {
        ::rsa::Error::Rng => Error::Rng,
        _ => Error::Decryption,
    }
}
