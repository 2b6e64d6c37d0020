//! # ☢️ Published test vectors only (feature `test-vectors`)
//!
//! Not for keys you use: these types skip the crate's RSA size policy. The feature exists for the
//! crate's own vector tests (its dev-dependency on itself turns it on); nothing else should enable it.
//!
//! The RSA Labs and pyca vectors use 1024- to 2048-bit keys of odd sizes, which the typed
//! [`RsaPrivateKey`](super::RsaPrivateKey) / [`RsaPublicKey`](super::RsaPublicKey) refuse. These two types
//! skip only the 2048/3072/4096 size policy (the `rsa` crate still refuses keys under 1024 bits) and run
//! the very same decryption and encryption code as the typed keys, so a vector that passes here passes
//! the code the typed keys use. They have no `size()` and cannot stand in a key store.

use alloc::vec::Vec;

use zeroize::{ZeroizeOnDrop, Zeroizing};

use super::{Private, Public, RsaHardening, RsaPadding, TryCryptoRng, import};
use crate::error::Error;
use crate::kcv::Kcv;

/// A private key of any size the `rsa` crate accepts. Test vectors only.
pub struct AnySizePrivateKey(Private);

impl ZeroizeOnDrop for AnySizePrivateKey {}

impl core::fmt::Debug for AnySizePrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AnySizePrivateKey").finish_non_exhaustive()
    }
}

impl AnySizePrivateKey {
    /// PKCS#8 or PKCS#1 DER, any size.
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`](crate::Problem::KeyEncoding).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        import::private_from_der(der, import::Sizes::Any)
            .map(|(k, _)| AnySizePrivateKey(Private::new(k)))
    }

    /// PEM, any size.
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`](crate::Problem::KeyEncoding).
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        import::private_from_pem(pem, import::Sizes::Any)
            .map(|(k, _)| AnySizePrivateKey(Private::new(k)))
    }

    /// The modulus length in bytes.
    pub fn modulus_len(&self) -> usize {
        ::rsa::traits::PublicKeyParts::size(&self.0.inner)
    }

    /// The public half.
    pub fn public_key(&self) -> AnySizePublicKey {
        AnySizePublicKey(Public::new(self.0.inner.to_public_key()))
    }

    /// As [`RsaPrivateKey::decrypt`](super::RsaPrivateKey::decrypt).
    ///
    /// # Errors
    ///
    /// As [`RsaPrivateKey::decrypt`](super::RsaPrivateKey::decrypt).
    pub fn decrypt<R: TryCryptoRng + ?Sized>(
        &self,
        padding: Option<RsaPadding>,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.0
            .decrypt(padding, ciphertext, RsaHardening::default(), rng)
    }
}

/// A public key of any size the `rsa` crate accepts. Test vectors only.
#[derive(Clone, PartialEq, Eq)]
pub struct AnySizePublicKey(Public);

impl core::fmt::Debug for AnySizePublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AnySizePublicKey").finish_non_exhaustive()
    }
}

impl AnySizePublicKey {
    /// SubjectPublicKeyInfo or PKCS#1 DER, any size.
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`](crate::Problem::KeyEncoding).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        import::public_from_der(der, import::Sizes::Any)
            .map(|(k, _)| AnySizePublicKey(Public::new(k)))
    }

    /// The modulus length in bytes.
    #[must_use]
    pub fn modulus_len(&self) -> usize {
        self.0.size()
    }

    /// As [`RsaPublicKey::kcv`](super::RsaPublicKey::kcv).
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`](crate::Problem::KeyEncoding) if the key cannot be encoded.
    pub fn kcv(&self) -> Result<Kcv, Error> {
        import::sha1_kcv(&self.0.inner)
    }

    /// As [`RsaPublicKey::encrypt`](super::RsaPublicKey::encrypt).
    ///
    /// # Errors
    ///
    /// As [`RsaPublicKey::encrypt`](super::RsaPublicKey::encrypt).
    pub fn encrypt<R: TryCryptoRng + ?Sized>(
        &self,
        padding: Option<RsaPadding>,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        self.0.encrypt(padding, plaintext, rng)
    }
}
