//! The one test RNG: SHA-256 in counter mode over a seed. Deterministic and reproducible, for RSA
//! padding and blinding in tests (results of decryption must not depend on it); never used by the library.

#![allow(dead_code)]

use core::convert::Infallible;
use sha2::{Digest, Sha256};

/// SHA-256(seed || counter) blocks.
pub struct TestRng {
    seed: u64,
    counter: u64,
    buf: [u8; 32],
    used: usize,
}

impl TestRng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        TestRng {
            seed,
            counter: 0,
            buf: [0; 32],
            used: 32,
        }
    }
}

impl rand_core::TryRng for TestRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for d in dst {
            if self.used == 32 {
                let mut h = Sha256::new();
                h.update(self.seed.to_le_bytes());
                h.update(self.counter.to_le_bytes());
                self.buf.copy_from_slice(&h.finalize());
                self.counter += 1;
                self.used = 0;
            }
            *d = self.buf[self.used];
            self.used += 1;
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for TestRng {}
