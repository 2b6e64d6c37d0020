//! RSA paddings and their plaintext limits (no allocator needed).

use crate::algorithm::{RsaSize, vocabulary};

vocabulary! { aws
    /// An RSA encryption padding (AWS `PaddingType`). `None` where an `Option<RsaPadding>` is taken means
    /// raw RSA (no padding).
    RsaPadding {
        /// `PKCS1`: PKCS#1 v1.5 type 2 (RSAES-PKCS1-v1_5).
        Pkcs1 = "PKCS1",
        /// `OAEP_SHA1`: RSAES-OAEP with SHA-1 and MGF1-SHA-1, empty label.
        OaepSha1 = "OAEP_SHA1",
        /// `OAEP_SHA256`: RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label.
        OaepSha256 = "OAEP_SHA256",
        /// `OAEP_SHA512`: RSAES-OAEP with SHA-512 and MGF1-SHA-512, empty label.
        OaepSha512 = "OAEP_SHA512",
    }
}

impl RsaPadding {
    /// The bytes this padding takes from a block of `k` bytes: 11 for PKCS#1 v1.5, `2·hLen + 2` for OAEP.
    const fn overhead(self) -> usize {
        match self {
            RsaPadding::Pkcs1 => 11,
            RsaPadding::OaepSha1 => 2 * 20 + 2,
            RsaPadding::OaepSha256 => 2 * 32 + 2,
            RsaPadding::OaepSha512 => 2 * 64 + 2,
        }
    }
}

/// The longest plaintext a key of `size` encrypts with `padding` (`None` = raw RSA, which takes exactly
/// `size.bytes()`). RSA-2048: PKCS1 245, OAEP_SHA1 214, OAEP_SHA256 190, OAEP_SHA512 126, raw 256.
#[must_use]
pub const fn max_plaintext_len(size: RsaSize, padding: Option<RsaPadding>) -> usize {
    max_len_for(size.bytes(), padding)
}

pub(crate) const fn max_len_for(k: usize, padding: Option<RsaPadding>) -> usize {
    match padding {
        Some(p) => k.saturating_sub(p.overhead()),
        None => k,
    }
}
