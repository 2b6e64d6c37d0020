//! Key import (PKCS#8, PKCS#1 and SubjectPublicKeyInfo; DER and PEM) and the `SHA_1` check value.
//!
//! The modulus size is read from the ASN.1 structure before the `rsa` crate builds the key, so a
//! well-formed key of a refused size is reported as [`Problem::RsaKeySize`] even where `rsa` itself
//! would refuse it (below 1024 bits) as malformed. Parsing runs on key material and is not constant
//! time (ASN.1 lengths, the `rsa` crate's key validation); it runs once per key import.

use alloc::vec::Vec;

use ::rsa::pkcs1::{self, RsaPrivateKeyRef, RsaPublicKeyRef};
use ::rsa::pkcs8::der::{self, Decode};
use ::rsa::pkcs8::{EncodePublicKey, PrivateKeyInfoRef, SubjectPublicKeyInfoRef};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use crate::algorithm::RsaSize;
use crate::error::{Error, Problem};
use crate::kcv::Kcv;

/// Which modulus sizes an import accepts.
#[derive(Clone, Copy)]
pub(super) enum Sizes {
    /// 2048, 3072 and 4096 bits only (the typed keys).
    Aws,
    /// Whatever the `rsa` crate accepts (1024 to 8192 bits): test vectors only.
    #[cfg(any(test, feature = "test-vectors"))]
    Any,
}

impl Sizes {
    /// Checked on the parsed ASN.1, before the `rsa` crate builds (and validates) the key.
    fn check(self, bits: usize) -> Result<(), Error> {
        match self {
            Sizes::Aws if RsaSize::from_bits(bits).is_none() => {
                Err(Error::invalid(Problem::RsaKeySize { bits }))
            }
            _ => Ok(()),
        }
    }
}

fn encoding() -> Error {
    Error::invalid(Problem::KeyEncoding)
}

/// The bit length of a big-endian unsigned integer (public data: a modulus).
fn bit_len(bytes: &[u8]) -> usize {
    let mut rest = bytes;
    while let [0, tail @ ..] = rest {
        rest = tail;
    }
    match rest.first() {
        Some(first) => rest.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

/// PEM: the label and the decoded DER (wiped on drop: it may be a private key).
fn pem_decode(pem: &str) -> Result<(&str, Zeroizing<Vec<u8>>), Error> {
    let (label, der) = der::pem::decode_vec(pem.trim().as_bytes()).map_err(|_| encoding())?;
    Ok((label, Zeroizing::new(der)))
}

pub(super) fn private_from_pem(
    pem: &str,
    sizes: Sizes,
) -> Result<(::rsa::PrivateKey, usize), Error> {
    let (label, der) = pem_decode(pem)?;
    match label {
        "PRIVATE KEY" => private_from_pkcs8(&der, sizes),
        "RSA PRIVATE KEY" => private_from_pkcs1(&der, sizes),
        _ => Err(encoding()),
    }
}

/// PKCS#8 if it parses as a `PrivateKeyInfo`, else PKCS#1. The two cannot be confused: the second
/// element of a `PrivateKeyInfo` is a SEQUENCE, of an `RSAPrivateKey` an INTEGER.
pub(super) fn private_from_der(
    der: &[u8],
    sizes: Sizes,
) -> Result<(::rsa::PrivateKey, usize), Error> {
    if PrivateKeyInfoRef::from_der(der).is_ok() {
        private_from_pkcs8(der, sizes)
    } else {
        private_from_pkcs1(der, sizes)
    }
}

fn private_from_pkcs8(der: &[u8], sizes: Sizes) -> Result<(::rsa::PrivateKey, usize), Error> {
    let info = PrivateKeyInfoRef::from_der(der).map_err(|_| encoding())?;
    // rsaEncryption only: an RSASSA-PSS key is for signatures.
    if info.algorithm.oid != pkcs1::ALGORITHM_OID {
        return Err(encoding());
    }
    let bits = private_bits(info.private_key.as_bytes())?;
    sizes.check(bits)?;
    let key = ::rsa::PrivateKey::try_from(info).map_err(|_| encoding())?;
    Ok((key, bits))
}

fn private_from_pkcs1(der: &[u8], sizes: Sizes) -> Result<(::rsa::PrivateKey, usize), Error> {
    let bits = private_bits(der)?;
    sizes.check(bits)?;
    let parsed = RsaPrivateKeyRef::from_der(der).map_err(|_| encoding())?;
    let key = ::rsa::PrivateKey::try_from(parsed).map_err(|_| encoding())?;
    Ok((key, bits))
}

/// The modulus size of a PKCS#1 `RSAPrivateKey`, checked against the allowed sizes by the caller.
fn private_bits(pkcs1_der: &[u8]) -> Result<usize, Error> {
    let parsed = RsaPrivateKeyRef::from_der(pkcs1_der).map_err(|_| encoding())?;
    Ok(bit_len(parsed.modulus.as_bytes()))
}

pub(super) fn public_from_pem(pem: &str, sizes: Sizes) -> Result<(::rsa::PublicKey, usize), Error> {
    let (label, der) = pem_decode(pem)?;
    match label {
        "PUBLIC KEY" => public_from_spki(&der, sizes),
        "RSA PUBLIC KEY" => public_from_pkcs1(&der, sizes),
        _ => Err(encoding()),
    }
}

/// SubjectPublicKeyInfo if it parses as one, else PKCS#1 `RSAPublicKey` (whose first element is an
/// INTEGER, not a SEQUENCE).
pub(super) fn public_from_der(
    der: &[u8],
    sizes: Sizes,
) -> Result<(::rsa::PublicKey, usize), Error> {
    if SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        public_from_spki(der, sizes)
    } else {
        public_from_pkcs1(der, sizes)
    }
}

fn public_from_spki(der: &[u8], sizes: Sizes) -> Result<(::rsa::PublicKey, usize), Error> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| encoding())?;
    if spki.algorithm.oid != pkcs1::ALGORITHM_OID {
        return Err(encoding());
    }
    let inner = spki.subject_public_key.as_bytes().ok_or_else(encoding)?;
    let bits = public_bits(inner)?;
    sizes.check(bits)?;
    let key = ::rsa::PublicKey::try_from(spki).map_err(|_| encoding())?;
    Ok((key, bits))
}

fn public_from_pkcs1(der: &[u8], sizes: Sizes) -> Result<(::rsa::PublicKey, usize), Error> {
    let bits = public_bits(der)?;
    sizes.check(bits)?;
    let parsed = RsaPublicKeyRef::from_der(der).map_err(|_| encoding())?;
    let key = ::rsa::PublicKey::try_from(parsed).map_err(|_| encoding())?;
    Ok((key, bits))
}

fn public_bits(pkcs1_der: &[u8]) -> Result<usize, Error> {
    let parsed = RsaPublicKeyRef::from_der(pkcs1_der).map_err(|_| encoding())?;
    Ok(bit_len(parsed.modulus.as_bytes()))
}

/// `SHA_1` check value: SHA-1 of the DER SubjectPublicKeyInfo (as `rsa` encodes it: `rsaEncryption`
/// with NULL parameters, minimal integers), leftmost 4 bytes.
pub(super) fn sha1_kcv(key: &::rsa::PublicKey) -> Result<Kcv, Error> {
    let spki = key.to_public_key_der().map_err(|_| encoding())?;
    Ok(Kcv::from_prefix(&Sha1::digest(spki.as_bytes()), 4))
}

#[cfg(test)]
mod tests {
    use super::bit_len;

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0, 0x80, 0]), 16);
        assert_eq!(bit_len(&[0x7f, 0xff]), 15);
    }
}
