//! New symmetric key material from a caller's RNG (what a key-management service does on `CreateKey`).
//!
//! The bytes come from one `try_fill_bytes` call per attempt into a buffer wiped on drop. TDES keys get
//! odd DES parity (the form HSMs and AWS export them in; the cipher ignores the parity bits), and a
//! TDES key whose parts collapse to single DES (K1 = K2, or K2 = K3; probability about 2⁻⁵⁶) is drawn
//! again rather than refused.

use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

use super::{SymmetricAlgorithm, SymmetricKey};
use crate::error::Error;

/// Draws before a TDES key that keeps collapsing to single DES is reported as an RNG failure (a
/// working RNG needs one).
const MAX_DRAWS: usize = 8;

/// Set every byte's low bit so that the byte has odd parity.
fn set_odd_parity(bytes: &mut [u8]) {
    for b in bytes {
        // Parity of the high seven bits; the low bit makes the total odd. No branch on the byte.
        let high = *b >> 1;
        let ones = high.count_ones();
        *b = (high << 1) | u8::from(ones & 1 == 0);
    }
}

impl SymmetricKey {
    /// New key material for `algorithm`, drawn from `rng` (TDES keys with odd parity, never one that
    /// collapses to single DES).
    ///
    /// # Errors
    ///
    /// [`Error::Rng`] when the RNG fails, or (with an RNG that keeps repeating itself) gives no
    /// usable TDES key in a bounded number of draws.
    pub fn generate<R: TryCryptoRng + ?Sized>(
        algorithm: SymmetricAlgorithm,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let len = algorithm.key_len();
        let mut buf = Zeroizing::new([0u8; 32]);
        for _ in 0..MAX_DRAWS {
            let bytes = &mut buf[..len];
            rng.try_fill_bytes(bytes).map_err(|_| Error::Rng)?;
            if algorithm.is_tdes() {
                set_odd_parity(bytes);
            }
            let key = Self::new(algorithm, bytes)?;
            if !key.is_single_des_equivalent() {
                return Ok(key);
            }
        }
        Err(Error::Rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::{Constant, Sequence};

    #[test]
    fn every_algorithm_and_tdes_parity() {
        let mut rng = Sequence::new(1, 73, 41);
        for algorithm in SymmetricAlgorithm::ALL {
            let a = SymmetricKey::generate(algorithm, &mut rng).unwrap();
            let b = SymmetricKey::generate(algorithm, &mut rng).unwrap();
            assert_eq!(a.algorithm(), algorithm);
            assert_eq!(a.secret_bytes().len(), algorithm.key_len());
            assert_ne!(a.kcv(), b.kcv());
            if algorithm.is_tdes() {
                assert!(a.secret_bytes().iter().all(|b| b.count_ones() % 2 == 1));
            }
        }
    }

    #[test]
    fn parity() {
        let mut b = [0x00, 0x01, 0xFE, 0xFF, 0x7F, 0x80];
        set_odd_parity(&mut b);
        assert_eq!(b, [0x01, 0x01, 0xFE, 0xFE, 0x7F, 0x80]);
    }

    #[test]
    fn single_des_material_is_drawn_again_then_refused() {
        assert_eq!(
            SymmetricKey::generate(SymmetricAlgorithm::Tdes2Key, &mut Constant(0x5A)).unwrap_err(),
            Error::Rng
        );
        // AES has no such rule.
        assert!(SymmetricKey::generate(SymmetricAlgorithm::Aes128, &mut Constant(0x5A)).is_ok());
    }
}
