//! Raw RSA (RSAEP / RSADP, RFC 8017 §5.1) on octet strings of exactly the modulus length.
//!
//! The private operation is the prepared CRT key's (`private.rs`): blinded, constant time, with the
//! options of [`RsaHardening`]. A key that path does not take (more than two primes, no CRT values,
//! unequal prime lengths, `e ≥ 2⁶⁴`; none of them a 2048/3072/4096-bit key OpenSSL or `rsa` generates)
//! goes through `rsa::hazmat::rsa_decrypt_and_check` with all three of `rsa`'s blinding layers and its
//! fault check. The public operation is a left-to-right exponentiation by the public exponent in
//! Montgomery form (for e = 65537: 16 squarings and a multiplication), constant time in the message.
//! The ciphertext's length and range checks are on public data.

use alloc::vec::Vec;

use ::rsa::BoxedUint;
use ::rsa::traits::PublicKeyParts;
use subtle::{Choice, ConstantTimeEq, ConstantTimeLess};
use zeroize::Zeroizing;

use super::monty::{self, Modulus};
use super::private::CrtKey;
use super::{RsaHardening, TryCryptoRng};
use crate::error::{Error, Problem};

/// RSADP: `ciphertext` must be exactly k bytes with a value below the modulus; returns `m` as k bytes.
pub(super) fn decrypt<R: TryCryptoRng + ?Sized>(
    key: &::rsa::PrivateKey,
    crt: Option<&CrtKey>,
    ciphertext: &[u8],
    hardening: RsaHardening,
    rng: &mut R,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let k = key.size();
    if ciphertext.len() != k {
        return Err(Error::Decryption);
    }
    if let Some(crt) = crt {
        return crt.decrypt(ciphertext, k, hardening, rng);
    }
    let c = BoxedUint::from_be_slice(ciphertext, key.n_bits_precision())
        .map_err(|_| Error::Decryption)?;
    // `rsa_decrypt` refuses c ≥ n itself (Error::Decryption).
    let m = Zeroizing::new(
        ::rsa::hazmat::rsa_decrypt_and_check(key, Some(rng), &c)
            .map_err(super::decryption_error)?,
    );
    let bytes = Zeroizing::new(m.to_be_bytes());
    Ok(Zeroizing::new(last_k(&bytes, k)?.to_vec()))
}

/// The public key prepared for RSAEP: `n` in Montgomery form and `e` as a machine integer (or `rsa`'s
/// own operation for an `e` of more than 64 bits).
#[derive(Clone, PartialEq, Eq)]
pub(super) struct PublicOp {
    n: Modulus,
    e: Option<u64>,
}

impl PublicOp {
    pub(super) fn new(key: &::rsa::PublicKey) -> Self {
        let e = (key.e().bit_width_vartime() <= 64)
            .then(|| {
                key.e().as_words().iter().rev().fold(0u128, |acc, &w| {
                    (acc << crypto_bigint::Word::BITS) | u128::from(w)
                })
            })
            .and_then(|e| u64::try_from(e).ok());
        PublicOp {
            n: Modulus::new(key.n_params().as_ref()),
            e,
        }
    }

    /// `mᵉ mod n` of a k-byte `m` below n (checked by the caller), as k bytes.
    pub(super) fn apply(&self, key: &::rsa::PublicKey, m: &[u8]) -> Result<Vec<u8>, Error> {
        let k = key.size();
        let Some(e) = self.e else {
            let m = Zeroizing::new(
                BoxedUint::from_be_slice(m, key.n_bits_precision())
                    .map_err(|_| Error::invalid(Problem::RsaRawPlaintext))?,
            );
            let c = ::rsa::hazmat::rsa_encrypt(key, &m)
                .map_err(|_| Error::invalid(Problem::KeyEncoding))?;
            return Ok(last_k(&c.to_be_bytes(), k)?.to_vec());
        };
        let len = self.n.len();
        let m = Zeroizing::new(
            monty::words_from_be(m, len).ok_or(Error::invalid(Problem::RsaRawPlaintext))?,
        );
        let mut x = Zeroizing::new(alloc::vec![0; len]);
        let mut y = Zeroizing::new(alloc::vec![0; len]);
        self.n.to_monty(&mut x, &m);
        self.n.pow_public(&mut y, &x, e);
        self.n.retrieve(&mut x, &y);
        Ok(monty::words_to_be(&x, k))
    }
}

/// RSAEP: `plaintext` must be exactly k bytes with a value below the modulus (compared in constant
/// time); returns `c` as k bytes. The caller has refused plaintexts longer than k.
pub(super) fn encrypt(
    key: &::rsa::PublicKey,
    op: &PublicOp,
    plaintext: &[u8],
) -> Result<Vec<u8>, Error> {
    let k = key.size();
    if plaintext.len() != k {
        return Err(Error::invalid(Problem::RsaRawPlaintext));
    }
    let n = key.n().to_be_bytes();
    if !bool::from(less_than(plaintext, last_k(&n, k)?)) {
        return Err(Error::invalid(Problem::RsaRawPlaintext));
    }
    op.apply(key, plaintext)
}

/// The last `k` bytes of a big-endian integer serialised at its storage width (≥ k bytes; the bytes
/// dropped are zero because the value is below the k-byte modulus).
fn last_k(bytes: &[u8], k: usize) -> Result<&[u8], Error> {
    let skip = bytes.len().checked_sub(k).ok_or(Error::Decryption)?;
    bytes.get(skip..).ok_or(Error::Decryption)
}

/// `a < b` for equal-length big-endian byte strings, in constant time.
fn less_than(a: &[u8], b: &[u8]) -> Choice {
    let mut less = Choice::from(0);
    let mut equal = Choice::from(1);
    for (x, y) in a.iter().zip(b) {
        less |= equal & x.ct_lt(y);
        equal &= x.ct_eq(y);
    }
    less & Choice::from(u8::from(a.len() == b.len()))
}

#[cfg(test)]
mod tests {
    use super::less_than;

    #[test]
    fn constant_time_compare() {
        let cases: [(&[u8], &[u8], bool); 6] = [
            (&[1, 2], &[1, 3], true),
            (&[1, 3], &[1, 2], false),
            (&[1, 2], &[1, 2], false),
            (&[0, 0xff], &[1, 0], true),
            (&[2, 0], &[1, 0xff], false),
            (&[], &[], false),
        ];
        for (a, b, lt) in cases {
            assert_eq!(bool::from(less_than(a, b)), lt, "{a:?} < {b:?}");
        }
    }
}
