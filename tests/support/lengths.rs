//! The one model of which plaintext lengths a side of an operation accepts, shared by the operation
//! matrix (`tests/operation/matrix.rs`) and the `reencrypt_roundtrip` fuzz target (which includes this
//! file by `#[path]`).

#![allow(dead_code)]

/// What one side accepts: a non-zero multiple of `granularity` (the block size; 1 for RSA) of at most
/// `max` bytes, and exactly `exact` bytes when that is set (raw RSA: the modulus length).
#[derive(Clone, Copy, Debug)]
pub struct Lengths {
    /// The block size, or 1.
    pub granularity: usize,
    /// The longest plaintext.
    pub max: usize,
    /// The only length, if there is one.
    pub exact: Option<usize>,
}

impl Lengths {
    /// Whether this side takes a plaintext of `len` bytes.
    pub fn accepts(&self, len: usize) -> bool {
        len > 0
            && len.is_multiple_of(self.granularity)
            && len <= self.max
            && self.exact.is_none_or(|e| e == len)
    }

    /// A length both sides accept, chosen by `pick`; `None` if there is none.
    pub fn common(&self, other: &Lengths, pick: usize) -> Option<usize> {
        if let Some(e) = self.exact.or(other.exact) {
            return (self.accepts(e) && other.accepts(e)).then_some(e);
        }
        let g = self.granularity / gcd(self.granularity, other.granularity) * other.granularity;
        let blocks = self.max.min(other.max) / g;
        (blocks > 0).then(|| g * (1 + pick % blocks))
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}
