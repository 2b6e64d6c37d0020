//! The RSA key types of a build without the `rsa` feature: uninhabited (each holds an `Infallible`),
//! so that [`KeyMaterial`] and the operation name their variants in every build while no value of them
//! can exist. Their constructors give [`Problem::RsaUnavailable`]; every other method is unreachable.
//!
//! [`KeyMaterial`]: crate::KeyMaterial

#[cfg(feature = "alloc")]
use alloc::vec::Vec;
use core::convert::Infallible;
use core::fmt;

#[cfg(feature = "alloc")]
use rand_core::TryCryptoRng;
#[cfg(feature = "alloc")]
use zeroize::Zeroizing;

#[cfg(feature = "alloc")]
use super::RsaPadding;
use crate::algorithm::RsaSize;
use crate::error::{Error, Problem, Result};
use crate::kcv::Kcv;

fn unavailable<T>() -> Result<T> {
    Err(Error::invalid(Problem::RsaUnavailable))
}

/// An RSA private key: none can exist without the `rsa` feature.
pub struct RsaPrivateKey(Infallible);

/// An RSA public key: none can exist without the `rsa` feature.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey(Infallible);

impl RsaPrivateKey {
    /// Always [`Problem::RsaUnavailable`].
    ///
    /// # Errors
    ///
    /// Always.
    pub fn from_pem(_pem: &str) -> Result<Self> {
        unavailable()
    }

    /// Always [`Problem::RsaUnavailable`].
    ///
    /// # Errors
    ///
    /// Always.
    pub fn from_der(_der: &[u8]) -> Result<Self> {
        unavailable()
    }

    /// Unreachable: no key exists.
    #[must_use]
    pub fn size(&self) -> RsaSize {
        match self.0 {}
    }

    /// Unreachable: no key exists.
    #[must_use]
    pub fn public_key(&self) -> RsaPublicKey {
        match self.0 {}
    }

    /// Unreachable: no key exists.
    ///
    /// # Errors
    ///
    /// Never returns.
    #[cfg(feature = "alloc")]
    pub fn decrypt<R: TryCryptoRng + ?Sized>(
        &self,
        _padding: Option<RsaPadding>,
        _ciphertext: &[u8],
        _rng: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>> {
        match self.0 {}
    }
}

impl RsaPublicKey {
    /// Always [`Problem::RsaUnavailable`].
    ///
    /// # Errors
    ///
    /// Always.
    pub fn from_pem(_pem: &str) -> Result<Self> {
        unavailable()
    }

    /// Always [`Problem::RsaUnavailable`].
    ///
    /// # Errors
    ///
    /// Always.
    pub fn from_der(_der: &[u8]) -> Result<Self> {
        unavailable()
    }

    /// Unreachable: no key exists.
    #[must_use]
    pub fn size(&self) -> RsaSize {
        match self.0 {}
    }

    /// Unreachable: no key exists.
    #[must_use]
    pub fn kcv(&self) -> Kcv {
        match self.0 {}
    }

    /// Unreachable: no key exists.
    ///
    /// # Errors
    ///
    /// Never returns.
    #[cfg(feature = "alloc")]
    pub fn encrypt<R: TryCryptoRng + ?Sized>(
        &self,
        _padding: Option<RsaPadding>,
        _plaintext: &[u8],
        _rng: &mut R,
    ) -> Result<Vec<u8>> {
        match self.0 {}
    }
}

impl fmt::Debug for RsaPrivateKey {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {}
    }
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {}
    }
}
