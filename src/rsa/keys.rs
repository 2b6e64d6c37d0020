//! RSA keys and the private and public operations (feature `alloc`).

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

use super::padding::max_len_for;
use super::{RsaPadding, TryCryptoRng};
use crate::error::{Error, Problem};
use crate::kcv::Kcv;
use crate::key::RsaSize;

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
    /// implicit-rejection message (see the [module documentation](crate::rsa)).
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
    /// A plaintext longer than [`max_plaintext_len`](crate::rsa::max_plaintext_len) is [`Problem::PlaintextTooLong`]. Raw RSA needs
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
