//! New RSA key pairs (`CreateKey` of an `ASYMMETRIC_KEY_PAIR`), and the keys written back out as
//! PKCS#8 / SubjectPublicKeyInfo: what a key store persists and exports, read back by
//! [`RsaPrivateKey::from_der`] / [`RsaPublicKey::from_der`] (and their PEM forms).
//!
//! Generation is the `rsa` crate's (`e` = 65537, two primes from the caller's RNG, the key checked
//! before it is returned); it is not constant time in the sense the private operation is (prime
//! generation rejects candidates), and it runs once per key. Encoded private keys live in buffers wiped
//! on drop.

use alloc::string::String;
use alloc::vec::Vec;

use ::rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use zeroize::Zeroizing;

use super::{RsaPrivateKey, RsaPublicKey};
use crate::algorithm::RsaSize;
use crate::error::{Error, Problem};
use rand_core::TryCryptoRng;

fn encoding() -> Error {
    Error::invalid(Problem::KeyEncoding)
}

impl RsaPrivateKey {
    /// A new key pair of `size`, from `rng`.
    ///
    /// # Errors
    ///
    /// [`Error::Rng`] when the RNG fails; [`Problem::KeyEncoding`] if the `rsa` crate cannot build a
    /// key of that size.
    pub fn generate<R: TryCryptoRng + ?Sized>(size: RsaSize, rng: &mut R) -> Result<Self, Error> {
        let inner = ::rsa::PrivateKey::new(rng, size.bits()).map_err(|e| match e {
            ::rsa::Error::Rng => Error::Rng,
            _ => encoding(),
        })?;
        Self::sized(inner, size.bits())
    }

    /// The key as DER PKCS#8 `PrivateKeyInfo` (`rsaEncryption`, the CRT values included), in a buffer
    /// wiped on drop.
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`] if the key cannot be encoded.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let doc = self.private.inner.to_pkcs8_der().map_err(|_| encoding())?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The key as PEM (`-----BEGIN PRIVATE KEY-----`, PKCS#8, LF line endings), in a buffer wiped on
    /// drop.
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`] if the key cannot be encoded.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, Error> {
        self.private
            .inner
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| encoding())
    }
}

impl RsaPublicKey {
    /// The key as DER SubjectPublicKeyInfo (`rsaEncryption` with NULL parameters): the bytes its
    /// `SHA_1` check value is computed over.
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`] if the key cannot be encoded.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        let doc = self
            .inner
            .inner
            .to_public_key_der()
            .map_err(|_| encoding())?;
        Ok(doc.as_bytes().to_vec())
    }

    /// The key as PEM (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo, LF line endings).
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`] if the key cannot be encoded.
    pub fn to_spki_pem(&self) -> Result<String, Error> {
        self.inner
            .inner
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| encoding())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rsa::RsaPadding;
    use crate::test_rng::Lcg64 as Counter;

    #[test]
    fn generate_encode_and_read_back() {
        let mut rng = Counter(7);
        let key = RsaPrivateKey::generate(RsaSize::Rsa2048, &mut rng).unwrap();
        assert_eq!(key.size(), RsaSize::Rsa2048);
        let der = key.to_pkcs8_der().unwrap();
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let from_der = RsaPrivateKey::from_der(&der).unwrap();
        let from_pem = RsaPrivateKey::from_pem(&pem).unwrap();
        let public = key.public_key();
        assert_eq!(from_der.public_key(), public);
        assert_eq!(from_pem.public_key(), public);
        let spki = public.to_spki_der().unwrap();
        assert_eq!(RsaPublicKey::from_der(&spki).unwrap(), public);
        let spki_pem = public.to_spki_pem().unwrap();
        assert!(spki_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert_eq!(
            RsaPublicKey::from_pem(&spki_pem).unwrap().kcv(),
            public.kcv()
        );
        // The read-back key decrypts what the generated one's public half encrypted.
        let ct = public
            .encrypt(Some(RsaPadding::OaepSha256), b"generated", &mut rng)
            .unwrap();
        let pt = from_pem
            .decrypt(Some(RsaPadding::OaepSha256), &ct, &mut rng)
            .unwrap();
        assert_eq!(pt.as_slice(), b"generated");
    }

    #[test]
    fn stored_vector_round_trips_to_the_same_der() {
        let pem = include_str!("../../../test-vectors/rsa/generated/rsa2048.pkcs8.pem");
        let key = RsaPrivateKey::from_pem(pem).unwrap();
        let again = RsaPrivateKey::from_der(&key.to_pkcs8_der().unwrap()).unwrap();
        assert_eq!(again.to_pkcs8_der().unwrap(), key.to_pkcs8_der().unwrap());
    }
}
