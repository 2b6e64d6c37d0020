//! Raw RSA (RSAEP / RSADP, RFC 8017 §5.1) on octet strings of exactly the modulus length.
//!
//! The private operation is `rsa::hazmat::rsa_decrypt_and_check`: always blinded with the caller's RNG
//! (base blinding `c·rᵉ`, exponent blinding `d + b·(p−1)` with a fresh 128-bit `b`, CRT moduli
//! multiplied by fresh 129-bit odd factors), constant-time Montgomery exponentiation, and a check that
//! `mᵉ = c` against CRT faults. The ciphertext's length and range checks are on public data.

use alloc::vec::Vec;

use ::rsa::BoxedUint;
use ::rsa::traits::PublicKeyParts;
use subtle::{Choice, ConstantTimeEq, ConstantTimeLess};
use zeroize::Zeroizing;

use super::TryCryptoRng;
use crate::error::{Error, Problem};

/// RSADP: `ciphertext` must be exactly k bytes with a value below the modulus; returns `m` as k bytes.
pub(super) fn decrypt<R: TryCryptoRng + ?Sized>(
    key: &::rsa::PrivateKey,
    ciphertext: &[u8],
    rng: &mut R,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let k = key.size();
    if ciphertext.len() != k {
        return Err(Error::Decryption);
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

/// RSAEP: `plaintext` must be exactly k bytes with a value below the modulus (compared in constant
/// time); returns `c` as k bytes. The caller has refused plaintexts longer than k.
pub(super) fn encrypt(key: &::rsa::PublicKey, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
    let k = key.size();
    if plaintext.len() != k {
        return Err(Error::invalid(Problem::RsaRawPlaintext));
    }
    let n = key.n().to_be_bytes();
    if !bool::from(less_than(plaintext, last_k(&n, k)?)) {
        return Err(Error::invalid(Problem::RsaRawPlaintext));
    }
    let m = Zeroizing::new(
        BoxedUint::from_be_slice(plaintext, key.n_bits_precision())
            .map_err(|_| Error::invalid(Problem::RsaRawPlaintext))?,
    );
    let c =
        ::rsa::hazmat::rsa_encrypt(key, &m).map_err(|_| Error::invalid(Problem::KeyEncoding))?;
    Ok(last_k(&c.to_be_bytes(), k)?.to_vec())
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
