//! The vocabulary every other module speaks: key algorithms, RSA sizes and modes of operation, and the
//! one declarative table ([`vocabulary!`]) that every AWS-named (and TR-31-lettered) enum of the crate
//! is written with.
//!
//! This is the crate's leaf: it imports nothing from the rest of the crate, so the error type can name
//! these enums and stay the ground floor. What the enums *do* lives with the code that does it
//! ([`crate::symmetric`] runs the modes, [`crate::rsa`] the RSA sizes).
//!
//! | type | AWS member | values |
//! |---|---|---|
//! | [`SymmetricAlgorithm`] | `KeyAlgorithm` (symmetric), `DukptKeyDerivationType` | `TDES_2KEY`, `TDES_3KEY`, `AES_128`, `AES_192`, `AES_256` |
//! | [`RsaSize`] | `KeyAlgorithm` (RSA) | `RSA_2048`, `RSA_3072`, `RSA_4096` |
//! | [`KeyAlgorithm`] | `KeyAlgorithm` | the eight above |
//! | [`Mode`] | `Mode` | `ECB`, `CBC`, `CFB`, `CFB1`, `CFB8`, `CFB64`, `CFB128`, `OFB` |

use core::fmt;

/// An enum whose every value has a name in an external vocabulary (an AWS member value, a TR-31
/// header letter), written once as a table.
///
/// `aws` enums get `ALL` (in the table's order), `aws_name`, `from_aws_name` and a `Display` that
/// prints the AWS name; `letter` enums get `ALL`, `letter` and `from_letter`. The wire layer builds its
/// lists of allowed values ("Member must satisfy enum value set: […]") from `ALL`, so a value added
/// here is accepted and listed everywhere at once.
macro_rules! vocabulary {
    (aws $(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal,)+ }) => {
        vocabulary!(@enum $(#[$meta])* $name { $($(#[$vmeta])* $variant,)+ });

        impl $name {
            /// The AWS name.
            #[must_use]
            pub const fn aws_name(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)+
                }
            }

            /// Parse an AWS name (exact, case-sensitive); `None` for any other string.
            #[must_use]
            pub fn from_aws_name(name: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|v| v.aws_name() == name)
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.aws_name())
            }
        }

        #[cfg(feature = "json")]
        impl $crate::algorithm::AwsName for $name {
            fn aws_name(self) -> &'static str {
                $name::aws_name(self)
            }
        }
    };
    (letter $(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal,)+ }) => {
        vocabulary!(@enum $(#[$meta])* $name { $($(#[$vmeta])* $variant,)+ });

        impl $name {
            /// The header character.
            #[must_use]
            pub const fn letter(self) -> u8 {
                match self {
                    $($name::$variant => $value,)+
                }
            }

            /// The value of a header character; `None` for any other.
            #[must_use]
            pub const fn from_letter(letter: u8) -> Option<Self> {
                match letter {
                    $($value => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
    (@enum $(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the table's order.
            pub const ALL: [$name; [$(stringify!($variant),)+].len()] = [$($name::$variant,)+];
        }
    };
}

pub(crate) use vocabulary;

/// A value with an AWS name: what the wire layer needs to parse a member and to list the values it
/// allows.
#[cfg(feature = "json")]
pub(crate) trait AwsName: Copy + 'static {
    /// The AWS name.
    fn aws_name(self) -> &'static str;
}

vocabulary! { aws
    /// A symmetric algorithm: the TDES and AES key types AWS Payment Cryptography defines.
    ///
    /// The order is the strength ordering of ANSI X9.24-3 used for DUKPT derivation types and for
    /// wrapped keys: `Tdes2Key < Tdes3Key < Aes128 < Aes192 < Aes256`.
    #[derive(PartialOrd, Ord)]
    SymmetricAlgorithm {
        /// Two-key triple DES (16 bytes, K1 K2 K1), `TDES_2KEY`.
        Tdes2Key = "TDES_2KEY",
        /// Three-key triple DES (24 bytes), `TDES_3KEY`.
        Tdes3Key = "TDES_3KEY",
        /// AES with a 128-bit key, `AES_128`.
        Aes128 = "AES_128",
        /// AES with a 192-bit key, `AES_192`.
        Aes192 = "AES_192",
        /// AES with a 256-bit key, `AES_256`.
        Aes256 = "AES_256",
    }
}

impl SymmetricAlgorithm {
    /// Key length in bytes.
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            SymmetricAlgorithm::Tdes2Key | SymmetricAlgorithm::Aes128 => 16,
            SymmetricAlgorithm::Tdes3Key | SymmetricAlgorithm::Aes192 => 24,
            SymmetricAlgorithm::Aes256 => 32,
        }
    }

    /// Block size in bytes (8 for TDES, 16 for AES).
    #[must_use]
    pub const fn block_size(self) -> usize {
        if self.is_tdes() { 8 } else { 16 }
    }

    /// Whether this is a TDES algorithm.
    #[must_use]
    pub const fn is_tdes(self) -> bool {
        matches!(
            self,
            SymmetricAlgorithm::Tdes2Key | SymmetricAlgorithm::Tdes3Key
        )
    }
}

vocabulary! { aws
    /// An RSA key size AWS Payment Cryptography defines.
    #[derive(PartialOrd, Ord)]
    RsaSize {
        /// 2048-bit modulus, `RSA_2048`.
        Rsa2048 = "RSA_2048",
        /// 3072-bit modulus, `RSA_3072`.
        Rsa3072 = "RSA_3072",
        /// 4096-bit modulus, `RSA_4096`.
        Rsa4096 = "RSA_4096",
    }
}

impl RsaSize {
    /// The modulus size in bits.
    #[must_use]
    pub const fn bits(self) -> usize {
        match self {
            RsaSize::Rsa2048 => 2048,
            RsaSize::Rsa3072 => 3072,
            RsaSize::Rsa4096 => 4096,
        }
    }

    /// The modulus size in bytes.
    #[must_use]
    pub const fn bytes(self) -> usize {
        self.bits() / 8
    }

    /// The size for a modulus of `bits` bits, if AWS defines it.
    #[must_use]
    pub const fn from_bits(bits: usize) -> Option<Self> {
        match bits {
            2048 => Some(RsaSize::Rsa2048),
            3072 => Some(RsaSize::Rsa3072),
            4096 => Some(RsaSize::Rsa4096),
            _ => None,
        }
    }
}

/// Every `KeyAlgorithm` of AWS Payment Cryptography that paycrypt handles: a [`SymmetricAlgorithm`] or
/// an [`RsaSize`], whose tables give the names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// A TDES or AES key.
    Symmetric(SymmetricAlgorithm),
    /// An RSA key.
    Rsa(RsaSize),
}

impl KeyAlgorithm {
    /// All eight, in AWS's order: the symmetric algorithms, then the RSA sizes.
    pub const ALL: [KeyAlgorithm; 8] = {
        let s = SymmetricAlgorithm::ALL;
        let r = RsaSize::ALL;
        [
            KeyAlgorithm::Symmetric(s[0]),
            KeyAlgorithm::Symmetric(s[1]),
            KeyAlgorithm::Symmetric(s[2]),
            KeyAlgorithm::Symmetric(s[3]),
            KeyAlgorithm::Symmetric(s[4]),
            KeyAlgorithm::Rsa(r[0]),
            KeyAlgorithm::Rsa(r[1]),
            KeyAlgorithm::Rsa(r[2]),
        ]
    };

    /// The AWS name, e.g. `AES_128` or `RSA_2048`.
    #[must_use]
    pub const fn aws_name(self) -> &'static str {
        match self {
            KeyAlgorithm::Symmetric(s) => s.aws_name(),
            KeyAlgorithm::Rsa(r) => r.aws_name(),
        }
    }

    /// Parse an AWS name; `None` for any other string.
    #[must_use]
    pub fn from_aws_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.aws_name() == name)
    }

    /// The key length in bytes (the modulus length for RSA).
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            KeyAlgorithm::Symmetric(s) => s.key_len(),
            KeyAlgorithm::Rsa(r) => r.bytes(),
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}

#[cfg(feature = "json")]
impl AwsName for KeyAlgorithm {
    fn aws_name(self) -> &'static str {
        KeyAlgorithm::aws_name(self)
    }
}

impl From<SymmetricAlgorithm> for KeyAlgorithm {
    fn from(a: SymmetricAlgorithm) -> Self {
        KeyAlgorithm::Symmetric(a)
    }
}

impl From<RsaSize> for KeyAlgorithm {
    fn from(size: RsaSize) -> Self {
        KeyAlgorithm::Rsa(size)
    }
}

vocabulary! { aws
    /// A symmetric mode of operation (NIST SP 800-38A), as AWS names it. [`crate::symmetric`] says how
    /// each runs on TDES and AES.
    Mode {
        /// Electronic codebook.
        Ecb = "ECB",
        /// Cipher block chaining.
        Cbc = "CBC",
        /// Cipher feedback with full-block segments (CFB64 for TDES, CFB128 for AES).
        Cfb = "CFB",
        /// Cipher feedback, 1-bit segments.
        Cfb1 = "CFB1",
        /// Cipher feedback, 8-bit segments.
        Cfb8 = "CFB8",
        /// Cipher feedback, 64-bit segments (full block for TDES, half block for AES).
        Cfb64 = "CFB64",
        /// Cipher feedback, 128-bit segments (AES only).
        Cfb128 = "CFB128",
        /// Output feedback.
        Ofb = "OFB",
    }
}

impl Mode {
    /// Whether the mode is valid for the algorithm (only `CFB128` with TDES is not).
    #[must_use]
    pub const fn is_valid_for(self, algorithm: SymmetricAlgorithm) -> bool {
        !(matches!(self, Mode::Cfb128) && algorithm.is_tdes())
    }

    /// Whether the mode takes an IV.
    #[must_use]
    pub const fn uses_iv(self) -> bool {
        !matches!(self, Mode::Ecb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Mode::ALL {
            assert_eq!(Mode::from_aws_name(m.aws_name()), Some(m));
        }
        for a in KeyAlgorithm::ALL {
            assert_eq!(KeyAlgorithm::from_aws_name(a.aws_name()), Some(a));
        }
        assert_eq!(Mode::from_aws_name("cbc"), None);
        assert_eq!(
            KeyAlgorithm::ALL.map(KeyAlgorithm::aws_name),
            [
                "TDES_2KEY",
                "TDES_3KEY",
                "AES_128",
                "AES_192",
                "AES_256",
                "RSA_2048",
                "RSA_3072",
                "RSA_4096"
            ]
        );
    }

    #[test]
    fn strength_order() {
        assert!(SymmetricAlgorithm::ALL.is_sorted());
        assert!(SymmetricAlgorithm::Tdes3Key < SymmetricAlgorithm::Aes128);
    }
}
