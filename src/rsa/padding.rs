//! RSA paddings and their plaintext limits (no allocator needed).

use core::fmt;

use crate::key::RsaSize;

/// An RSA encryption padding (AWS `PaddingType`). `None` where an `Option<RsaPadding>` is taken means raw
/// RSA (no padding).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RsaPadding {
    /// `PKCS1`: PKCS#1 v1.5 type 2 (RSAES-PKCS1-v1_5).
    Pkcs1,
    /// `OAEP_SHA1`: RSAES-OAEP with SHA-1 and MGF1-SHA-1, empty label.
    OaepSha1,
    /// `OAEP_SHA256`: RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label.
    OaepSha256,
    /// `OAEP_SHA512`: RSAES-OAEP with SHA-512 and MGF1-SHA-512, empty label.
    OaepSha512,
}

impl RsaPadding {
    /// All four, in AWS's order.
    pub const ALL: [RsaPadding; 4] = [
        RsaPadding::Pkcs1,
        RsaPadding::OaepSha1,
        RsaPadding::OaepSha256,
        RsaPadding::OaepSha512,
    ];

    /// The AWS name, e.g. `OAEP_SHA256`.
    pub const fn aws_name(self) -> &'static str {
        match self {
            RsaPadding::Pkcs1 => "PKCS1",
            RsaPadding::OaepSha1 => "OAEP_SHA1",
            RsaPadding::OaepSha256 => "OAEP_SHA256",
            RsaPadding::OaepSha512 => "OAEP_SHA512",
        }
    }

    /// Parse an AWS name; `None` for any other string.
    pub fn from_aws_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.aws_name() == name)
    }

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

impl fmt::Display for RsaPadding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}

/// The longest plaintext a key of `size` encrypts with `padding` (`None` = raw RSA, which takes exactly
/// `size.bytes()`). RSA-2048: PKCS1 245, OAEP_SHA1 214, OAEP_SHA256 190, OAEP_SHA512 126, raw 256.
pub const fn max_plaintext_len(size: RsaSize, padding: Option<RsaPadding>) -> usize {
    max_len_for(size.bytes(), padding)
}

pub(crate) const fn max_len_for(k: usize, padding: Option<RsaPadding>) -> usize {
    match padding {
        Some(p) => k.saturating_sub(p.overhead()),
        None => k,
    }
}
