//! RSA keys and the private and public operations (feature `rsa`).

mod generate;
mod import;
mod monty;
mod oaep;
mod pkcs1;
mod private;
mod raw;
#[cfg(feature = "test-vectors")]
pub mod test_vectors;

use alloc::vec::Vec;
use core::fmt;

use ::rsa::traits::PublicKeyParts;
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use zeroize::{ZeroizeOnDrop, Zeroizing};

use super::padding::max_len_for;
use rand_core::TryCryptoRng;

use super::RsaPadding;
use crate::algorithm::RsaSize;
use crate::error::{Error, Problem};
use crate::kcv::Kcv;

/// Optional hardening of the private operation beyond base blinding, which is always on (see the
/// [module documentation](crate::rsa) and `SECURITY.md` for what each costs and protects against).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RsaHardening {
    /// Exponent blinding: each operation exponentiates by `dP + k·(p − 1)` (and the same for `q`) with
    /// a fresh 128-bit `k`, against power and electromagnetic analysis that averages many traces of
    /// the same exponent. Costs about an eighth more (128 more exponent bits per prime: +12 % of the
    /// instructions at 2048 bits). **Off by default** (as in OpenSSL and BoringSSL); turn it on in
    /// firmware that an attacker can measure.
    pub exponent_blinding: bool,
    /// Fault check: the result is re-encrypted (`mᵉ = c`) before it is used, so that a fault injected
    /// into one CRT half cannot leak a prime (Boneh–DeMillo–Lipton, Lenstra). A failed check is
    /// [`Error::Decryption`]. Costs one public operation (+3 % of the instructions at 2048 bits). On
    /// by default.
    pub fault_check: bool,
}

impl RsaHardening {
    /// Everything: exponent blinding and the fault check.
    pub const ALL: RsaHardening = RsaHardening {
        exponent_blinding: true,
        fault_check: true,
    };
}

impl Default for RsaHardening {
    /// The fault check, no exponent blinding (base blinding is always on).
    fn default() -> Self {
        RsaHardening {
            exponent_blinding: false,
            fault_check: true,
        }
    }
}

/// The private half, for any size the `rsa` crate accepts: the parsed key, its prepared CRT values and
/// blinding pair, and the implicit-rejection key.
struct Private {
    inner: ::rsa::PrivateKey,
    crt: Option<private::CrtKey>,
    d_hash: Zeroizing<[u8; 32]>,
}

impl Private {
    fn new(inner: ::rsa::PrivateKey) -> Self {
        Private {
            crt: private::CrtKey::new(&inner),
            d_hash: private::d_hash(&inner),
            inner,
        }
    }

    fn decrypt<R: TryCryptoRng + ?Sized>(
        &self,
        padding: Option<RsaPadding>,
        ciphertext: &[u8],
        hardening: RsaHardening,
        rng: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let mut em = raw::decrypt(&self.inner, self.crt.as_ref(), ciphertext, hardening, rng)?;
        match padding {
            None => Ok(em),
            Some(RsaPadding::Pkcs1) => pkcs1::decode(&mut em, ciphertext, &self.d_hash),
            Some(RsaPadding::OaepSha1) => oaep::decode::<Sha1>(&mut em),
            Some(RsaPadding::OaepSha256) => oaep::decode::<Sha256>(&mut em),
            Some(RsaPadding::OaepSha512) => oaep::decode::<Sha512>(&mut em),
        }
    }
}

/// An RSA private key (a key pair) of 2048, 3072 or 4096 bits.
///
/// No `Clone`, no `PartialEq`; `Debug` prints the size and the public key's check value only. Dropping the
/// key wipes the private exponent, the primes, `dP`, `dQ` and the primes' Montgomery parameters (`rsa`
/// 0.10's `Drop`), and every value prepared at import for the private operation (the CRT values as
/// machine words, the Montgomery parameters of `p` and `q`, the blinding pair, the implicit-rejection
/// key). Not wiped, because `rsa` 0.10 does not reach it: its own copy of the CRT coefficient `qInv`.
///
/// The private operation is shared safely between threads (`&self`): the key's blinding pair sits
/// behind a lock that is never waited for.
pub struct RsaPrivateKey {
    private: Private,
    hardening: RsaHardening,
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
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`], [`Problem::RsaKeySize`].
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (inner, bits) = import::private_from_pem(pem, import::Sizes::Aws)?;
        Self::sized(inner, bits)
    }

    /// Read a DER private key, PKCS#8 `PrivateKeyInfo` (algorithm `rsaEncryption`) or PKCS#1
    /// `RSAPrivateKey`. Errors as for [`RsaPrivateKey::from_pem`].
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`], [`Problem::RsaKeySize`].
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let (inner, bits) = import::private_from_der(der, import::Sizes::Aws)?;
        Self::sized(inner, bits)
    }

    fn sized(inner: ::rsa::PrivateKey, bits: usize) -> Result<Self, Error> {
        let size = RsaSize::from_bits(bits).ok_or(Error::invalid(Problem::RsaKeySize { bits }))?;
        let public = RsaPublicKey::new(inner.to_public_key(), size)?;
        Ok(RsaPrivateKey {
            private: Private::new(inner),
            hardening: RsaHardening::default(),
            public,
        })
    }

    /// The same key with other [`RsaHardening`] options for its private operation.
    pub fn with_hardening(mut self, hardening: RsaHardening) -> Self {
        self.hardening = hardening;
        self
    }

    /// The hardening options of the private operation.
    pub fn hardening(&self) -> RsaHardening {
        self.hardening
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
    /// The private operation is blinded: `rng` supplies the key's blinding factor on first use and every
    /// 32 operations (and exponent blinding's randomness when that is on). Every failure — wrong length,
    /// value not below the modulus, bad OAEP padding, a failed fault check — is [`Error::Decryption`];
    /// an RNG failure is [`Error::Rng`]. PKCS#1 v1.5 with malformed padding does **not** fail: it returns the
    /// implicit-rejection message (see the [module documentation](crate::rsa)).
    ///
    /// # Errors
    ///
    /// [`Error::Decryption`] for any ciphertext that does not decrypt, [`Error::Rng`].
    pub fn decrypt<R: TryCryptoRng + ?Sized>(
        &self,
        padding: Option<RsaPadding>,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.private
            .decrypt(padding, ciphertext, self.hardening, rng)
    }
}

/// An RSA public key of 2048, 3072 or 4096 bits.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    inner: Public,
    size: RsaSize,
    kcv: Kcv,
}

/// The public half, for any size the `rsa` crate accepts, with `n`'s Montgomery parameters.
#[derive(Clone, PartialEq, Eq)]
struct Public {
    inner: ::rsa::PublicKey,
    op: raw::PublicOp,
}

impl Public {
    fn new(inner: ::rsa::PublicKey) -> Self {
        Public {
            op: raw::PublicOp::new(&inner),
            inner,
        }
    }

    fn size(&self) -> usize {
        self.inner.size()
    }

    fn encrypt<R: TryCryptoRng + ?Sized>(
        &self,
        padding: Option<RsaPadding>,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        let k = self.size();
        let max = max_len_for(k, padding);
        if plaintext.len() > max {
            return Err(Error::invalid(Problem::PlaintextTooLong {
                max,
                actual: plaintext.len(),
            }));
        }
        let em = match padding {
            None => return raw::encrypt(&self.inner, &self.op, plaintext),
            Some(RsaPadding::Pkcs1) => pkcs1::encode(plaintext, k, rng)?,
            Some(RsaPadding::OaepSha1) => oaep::encode::<Sha1, R>(plaintext, k, rng)?,
            Some(RsaPadding::OaepSha256) => oaep::encode::<Sha256, R>(plaintext, k, rng)?,
            Some(RsaPadding::OaepSha512) => oaep::encode::<Sha512, R>(plaintext, k, rng)?,
        };
        // The encoded message starts with a zero byte: below the modulus.
        self.op.apply(&self.inner, &em)
    }
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
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`], [`Problem::RsaKeySize`].
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (inner, bits) = import::public_from_pem(pem, import::Sizes::Aws)?;
        Self::sized(inner, bits)
    }

    /// Read a DER public key: SubjectPublicKeyInfo (algorithm `rsaEncryption`) or PKCS#1 `RSAPublicKey`.
    /// Errors as for [`RsaPublicKey::from_pem`].
    ///
    /// # Errors
    ///
    /// [`Problem::KeyEncoding`], [`Problem::RsaKeySize`].
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
        Ok(RsaPublicKey {
            inner: Public::new(inner),
            size,
            kcv,
        })
    }

    /// The key's size.
    #[must_use]
    pub fn size(&self) -> RsaSize {
        self.size
    }

    /// The key check value (`SHA_1`): SHA-1 of the DER SubjectPublicKeyInfo, leftmost 4 bytes, shown as
    /// 8 upper-case hex digits. The same for a key read as SPKI or PKCS#1, and for a key pair's public half.
    #[must_use]
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
    ///
    /// # Errors
    ///
    /// [`Problem::PlaintextTooLong`], [`Problem::RsaRawPlaintext`], [`Error::Rng`].
    pub fn encrypt<R: TryCryptoRng + ?Sized>(
        &self,
        padding: Option<RsaPadding>,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        self.inner.encrypt(padding, plaintext, rng)
    }
}

/// Every failure of a private operation is [`Error::Decryption`], except a failing RNG.
fn decryption_error(e: ::rsa::Error) -> Error {
    match e {
        ::rsa::Error::Rng => Error::Rng,
        _ => Error::Decryption,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::rsa::pkcs8::DecodePrivateKey;

    /// A key without CRT values takes `rsa`'s own private operation; both paths agree, for every
    /// padding, on the same ciphertexts.
    #[test]
    fn fallback_path_agrees() {
        let pem = include_str!("../../test-vectors/rsa/generated/rsa2048.pkcs8.pem");
        let crt = Private::new(::rsa::PrivateKey::from_pkcs8_pem(pem).unwrap());
        let mut bare_key = ::rsa::PrivateKey::from_pkcs8_pem(pem).unwrap();
        bare_key.clear_precomputed();
        let bare = Private::new(bare_key);
        assert!(crt.crt.is_some() && bare.crt.is_none());
        let public = Public::new(crt.inner.to_public_key());
        let mut rng = crate::test_rng::Lcg64(3);
        for padding in [
            Some(RsaPadding::Pkcs1),
            Some(RsaPadding::OaepSha1),
            Some(RsaPadding::OaepSha256),
            Some(RsaPadding::OaepSha512),
        ] {
            let ct = public.encrypt(padding, b"fallback", &mut rng).unwrap();
            for hardening in [RsaHardening::default(), RsaHardening::ALL] {
                let a = crt.decrypt(padding, &ct, hardening, &mut rng).unwrap();
                let b = bare.decrypt(padding, &ct, hardening, &mut rng).unwrap();
                assert_eq!(a.as_slice(), b"fallback");
                assert_eq!(a, b);
            }
            // A tampered ciphertext (below n): for PKCS#1 v1.5 the same implicit-rejection message
            // on both paths, for OAEP the same error.
            let mut bad = ct.clone();
            let last = bad.len() - 1;
            bad[last] ^= 0x01;
            let a = crt.decrypt(padding, &bad, RsaHardening::default(), &mut rng);
            let b = bare.decrypt(padding, &bad, RsaHardening::default(), &mut rng);
            assert_eq!(a, b, "{padding:?}");
            assert_eq!(a.is_ok(), padding == Some(RsaPadding::Pkcs1), "{padding:?}");
        }
    }
}
