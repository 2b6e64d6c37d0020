//! **For published test vectors only; not part of the supported API.**
//!
//! The RSA Labs and pyca vectors use 1024- to 2048-bit keys of odd sizes, which the typed
//! [`RsaPrivateKey`](super::RsaPrivateKey) / [`RsaPublicKey`](super::RsaPublicKey) refuse. These two types
//! skip only the 2048/3072/4096 size policy (the `rsa` crate still refuses keys under 1024 bits) and run
//! the very same decryption and encryption code as the typed keys, so a vector that passes here passes
//! the code the typed keys use. They have no `size()` and cannot stand in a key store.

use alloc::vec::Vec;

use ::rsa::traits::PublicKeyParts;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use super::{RsaPadding, TryCryptoRng, import};
use crate::error::Error;
use crate::kcv::Kcv;

/// A private key of any size the `rsa` crate accepts. Test vectors only.
pub struct AnySizePrivateKey(::rsa::PrivateKey);

impl ZeroizeOnDrop for AnySizePrivateKey {}

impl core::fmt::Debug for AnySizePrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AnySizePrivateKey").finish_non_exhaustive()
    }
}

impl AnySizePrivateKey {
    /// PKCS#8 or PKCS#1 DER, any size.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        import::private_from_der(der, import::Sizes::Any).map(|(k, _)| AnySizePrivateKey(k))
    }

    /// PEM, any size.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        import::private_from_pem(pem, import::Sizes::Any).map(|(k, _)| AnySizePrivateKey(k))
    }

    /// The modulus length in bytes.
    pub fn modulus_len(&self) -> usize {
        self.0.size()
    }

    /// The public half.
    pub fn public_key(&self) -> AnySizePublicKey {
        AnySizePublicKey(self.0.to_public_key())
    }

    /// As [`RsaPrivateKey::decrypt`](super::RsaPrivateKey::decrypt).
    pub fn decrypt<R: TryCryptoRng + ?Sized>(
        &self,
        padding: Option<RsaPadding>,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        super::decrypt_with(&self.0, padding, ciphertext, rng)
    }
}

/// A public key of any size the `rsa` crate accepts. Test vectors only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnySizePublicKey(::rsa::PublicKey);

impl AnySizePublicKey {
    /// SubjectPublicKeyInfo or PKCS#1 DER, any size.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        import::public_from_der(der, import::Sizes::Any).map(|(k, _)| AnySizePublicKey(k))
    }

    /// The modulus length in bytes.
    pub fn modulus_len(&self) -> usize {
        self.0.size()
    }

    /// As [`RsaPublicKey::kcv`](super::RsaPublicKey::kcv).
    pub fn kcv(&self) -> Result<Kcv, Error> {
        import::sha1_kcv(&self.0)
    }

    /// As [`RsaPublicKey::encrypt`](super::RsaPublicKey::encrypt).
    pub fn encrypt<R: TryCryptoRng + ?Sized>(
        &self,
        padding: Option<RsaPadding>,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        super::encrypt_with(&self.0, padding, plaintext, rng)
    }
}
