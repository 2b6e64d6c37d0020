//! Deterministic stand-ins for the caller's RNG, for the library's own unit tests only.
//!
//! The library takes randomness from the caller (`TryCryptoRng`); its unit tests need a source that
//! repeats, so that a failure can be replayed. One home for them instead of a copy per test module.

use rand_core::{TryCryptoRng, TryRng};

/// Bytes from a byte-wide linear congruence, `x ← x · mul + add`, starting from `seed`.
pub(crate) struct Sequence {
    state: u8,
    mul: u8,
    add: u8,
}

impl Sequence {
    /// A sequence from `seed` with the given multiplier and increment.
    pub(crate) const fn new(seed: u8, mul: u8, add: u8) -> Self {
        Self {
            state: seed,
            mul,
            add,
        }
    }
}

impl TryRng for Sequence {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for d in dst {
            self.state = self.state.wrapping_mul(self.mul).wrapping_add(self.add);
            *d = self.state;
        }
        Ok(())
    }
}

impl TryCryptoRng for Sequence {}

/// The same byte, every time (a TDES key that collapses to single DES, or "no randomness needed").
pub(crate) struct Constant(pub(crate) u8);

impl TryRng for Constant {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.fill(self.0);
        Ok(())
    }
}

impl TryCryptoRng for Constant {}

/// A 64-bit linear congruence (Knuth's MMIX constants) with an output shift: varied bytes for RSA
/// blinding and padding in tests.
pub(crate) struct Lcg64(pub(crate) u64);

impl TryRng for Lcg64 {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.try_next_u64()
            .map(|v| u32::try_from(v & 0xFFFF_FFFF).unwrap_or_default())
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        Ok(self.0 ^ (self.0 >> 29))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for c in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for Lcg64 {}
