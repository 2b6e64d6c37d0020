//! A deterministic RNG (SplitMix64) so that a fuzz input replays exactly, RSA padding included. Not a
//! cryptographic generator: it only feeds padding and blinding inside the fuzz targets.

use core::convert::Infallible;

use paycrypt::rand_core::{TryCryptoRng, TryRng};

/// SplitMix64 over a seed.
pub struct FuzzRng(u64);

impl FuzzRng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        FuzzRng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl TryRng for FuzzRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.next() as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for FuzzRng {}
