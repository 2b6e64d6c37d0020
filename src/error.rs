//! The crate's one error type: the ground floor, which names the vocabulary ([`crate::algorithm`]'s
//! enums) and nothing else of the crate.
//!
//! Every fallible function in paycrypt returns [`Error`] ([`Result`]). No variant carries secret bytes:
//! what an error holds is lengths, algorithm names, modes and the side of an operation it concerns,
//! nothing read from a key or a plaintext. Every decryption failure is the single variant
//! [`Error::Decryption`].
//!
//! This module says *what* went wrong; how AWS reports it (`ValidationException` with a member path,
//! `AccessDeniedException`, …) is the wire layer's mapping (`wire`, feature `json`).

use core::fmt;

use crate::algorithm::{KeyAlgorithm, Mode, SymmetricAlgorithm};

/// The side of a re-encryption (or of EncryptData / DecryptData) an error concerns.
///
/// `DecryptData` uses the incoming side's rules, `EncryptData` the outgoing side's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The incoming key and attributes: the ciphertext is decrypted here.
    Incoming,
    /// The outgoing key and attributes: the plaintext is encrypted here.
    Outgoing,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Incoming => "incoming",
            Side::Outgoing => "outgoing",
        })
    }
}

/// What exactly is invalid, for [`Error::Invalid`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// Key material of the wrong length for its algorithm.
    KeyLength {
        /// The algorithm the material was given for.
        algorithm: KeyAlgorithm,
        /// The length given, in bytes.
        actual: usize,
    },
    /// A TDES key whose parts collapse to single DES (K1 = K2, or K2 = K3), refused by the key store.
    WeakTdesKey,
    /// Key material that cannot be parsed (bad hex, bad PEM/DER, or an RSA key of another size than declared).
    KeyEncoding,
    /// An RSA key smaller than 2048 bits or of a size AWS does not define.
    RsaKeySize {
        /// The modulus size in bits.
        bits: usize,
    },
    /// An IV whose length is not the block size of the cipher that uses it.
    IvLength {
        /// The block size of the cipher, in bytes.
        expected: usize,
        /// The IV's length, in bytes.
        actual: usize,
    },
    /// An IV was given with ECB, which uses none.
    IvWithEcb,
    /// A mode that is not valid for the key (e.g. `CFB128` with TDES, or a DUKPT mode other than ECB/CBC).
    ModeNotSupported {
        /// The mode asked for.
        mode: Mode,
        /// The algorithm of the key that would use it.
        algorithm: SymmetricAlgorithm,
    },
    /// Data whose length is not a non-zero multiple of the cipher's block size.
    DataLength {
        /// The block size the length must be a multiple of.
        block_size: usize,
        /// The length given, in bytes.
        actual: usize,
    },
    /// Data longer than the operation allows (or than the caller's buffer holds).
    DataTooLong {
        /// The maximum, in bytes.
        max: usize,
        /// The length given, in bytes.
        actual: usize,
    },
    /// A plaintext too long for the RSA key and padding.
    PlaintextTooLong {
        /// The maximum for this key size and padding, in bytes.
        max: usize,
        /// The length given, in bytes.
        actual: usize,
    },
    /// Raw RSA (no padding) needs a plaintext of exactly the modulus length whose value is below the
    /// modulus.
    RsaRawPlaintext,
    /// A string that is not hexadecimal, or has an odd number of digits.
    Hex,
    /// A key serial number of the wrong length for the BDK.
    KsnLength {
        /// Hex digits given.
        hex_digits: usize,
    },
    /// A key serial number whose transaction counter is zero.
    KsnCounterZero,
    /// A DUKPT derivation type stronger than the BDK, or not allowed for the BDK.
    DerivationType {
        /// The working-key type asked for.
        requested: SymmetricAlgorithm,
        /// The BDK's algorithm.
        bdk: SymmetricAlgorithm,
    },
    /// A padding type given where it does not apply, or one that is not defined.
    PaddingType,
    /// The key's usage does not allow this operation.
    KeyUsage,
    /// The attributes' kind (Symmetric, Asymmetric, Dukpt) does not fit the key's algorithm or class.
    AttributesForKey,
    /// The key is disabled or not in state `CREATE_COMPLETE`.
    KeyNotUsable,
    /// The policy refuses this pairing of incoming and outgoing sides (strict AWS-compatibility mode).
    PolicyRefused,
    /// A `KeyClass` that does not fit the key material (e.g. `PUBLIC_KEY` for a private key).
    KeyClass,
    /// A `KeyCheckValueAlgorithm` that does not apply to the key's algorithm.
    KcvAlgorithm,
    /// A key identifier that does not have the shape of a key ARN, alias ARN or `alias/name`.
    KeyIdentifier,
    /// A TR-31 key block version that is not accepted: `E`, a digit, an unknown letter, or `A`/`C`
    /// without the legacy option.
    KeyBlockVersion,
    /// A key-block protection key whose algorithm does not fit the key block's version (`B`, `A` and
    /// `C` need TDES, `D` needs AES).
    KeyBlockKbpk,
    /// A key block whose length field is not four digits equal to its length, or that is too short or
    /// too long (9999 characters) for a key block.
    KeyBlockLength,
    /// A key block header field (key usage, algorithm, mode of use, key version, exportability, number
    /// of optional blocks, context, reserved) that is not valid.
    KeyBlockHeader,
    /// An optional block that is malformed or runs past the key block, or optional blocks whose total
    /// length is not a multiple of the cipher block.
    KeyBlockOptionalBlock,
    /// Key block payload and authenticator that do not fit: shorter than the authenticator, an empty
    /// payload, or a payload that is not a multiple of the cipher block (or, to wrap: no key, or a key too
    /// long for a key block).
    KeyBlockPayload,
    /// A key block whose payload or authenticator is not hexadecimal.
    KeyBlockHex,
    /// A wrapped working key whose header (key usage, algorithm, mode of use) or key length is not
    /// allowed for this use.
    WrappedKeyPolicy,
    /// A wrapped key that cannot be unwrapped under the key named to unwrap it: a wrong key, or a block
    /// changed anywhere its authenticator covers. Every failure from the authenticator check on (the
    /// check itself, the key-length field, a key length that does not fit the header's algorithm, a
    /// TDES key that collapses to single DES) is this one problem, so that a caller cannot tell them
    /// apart.
    WrappedKeyUnwrap,
    /// A wrapped key stronger than the key that wraps it
    /// (`TDES_2KEY < TDES_3KEY < AES_128 < AES_192 < AES_256`).
    WrappedKeyStrength,
    /// `ReEncryptData` with an RSA outgoing side and no `PaddingType`. Raw RSA there is a plaintext
    /// oracle, so it needs a padding type, unless the outgoing key opts in to raw RSA
    /// ([`Key::with_raw_rsa_outgoing`](crate::Key::with_raw_rsa_outgoing)) and the incoming side is not
    /// RSA.
    PaddingTypeRequired,
    /// The raw-RSA opt-in ([`Key::with_raw_rsa_outgoing`](crate::Key::with_raw_rsa_outgoing)) on a key
    /// that is not an RSA key.
    RawRsaOptIn,
    /// RSA key material in a build without the `rsa` feature.
    RsaUnavailable,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::KeyLength { algorithm, actual } => write!(
                f,
                "key material of {actual} bytes does not fit {algorithm} ({} bytes)",
                algorithm.key_len()
            ),
            Problem::WeakTdesKey => {
                f.write_str("TDES key collapses to single DES (K1 = K2 or K2 = K3)")
            }
            Problem::KeyEncoding => f.write_str("key material cannot be parsed"),
            Problem::RsaKeySize { bits } => write!(
                f,
                "RSA key of {bits} bits is not allowed (2048, 3072 or 4096 only)"
            ),
            Problem::IvLength { expected, actual } => write!(
                f,
                "InitializationVector must be {expected} bytes ({} hex) for this key, got {actual} bytes",
                expected * 2
            ),
            Problem::IvWithEcb => f.write_str("InitializationVector is not allowed with ECB"),
            Problem::ModeNotSupported { mode, algorithm } => {
                write!(f, "mode {mode} is not valid for a {algorithm} key")
            }
            Problem::DataLength { block_size, actual } => write!(
                f,
                "data length {actual} bytes is not a non-zero multiple of the {block_size}-byte block size"
            ),
            Problem::DataTooLong { max, actual } => {
                write!(f, "data of {actual} bytes is longer than the {max} allowed")
            }
            Problem::PlaintextTooLong { max, actual } => write!(
                f,
                "plaintext of {actual} bytes is longer than the {max} bytes this RSA key and padding allow"
            ),
            Problem::RsaRawPlaintext => f.write_str(
                "raw RSA (no padding) needs a plaintext of exactly the modulus length, below the modulus in value",
            ),
            Problem::Hex => f.write_str("value is not an even-length hexadecimal string"),
            Problem::KsnLength { hex_digits } => write!(
                f,
                "KeySerialNumber of {hex_digits} hex digits does not fit the BDK (TDES: 16 or 20, AES: 24)"
            ),
            Problem::KsnCounterZero => {
                f.write_str("KeySerialNumber has a transaction counter of zero")
            }
            Problem::DerivationType { requested, bdk } => write!(
                f,
                "DukptKeyDerivationType {requested} is not allowed with a {bdk} BDK"
            ),
            Problem::PaddingType => f.write_str("PaddingType does not apply here"),
            Problem::KeyUsage => f.write_str("KeyUsages not allowed for this operation"),
            Problem::AttributesForKey => {
                f.write_str("encryption attributes do not fit the key's algorithm or class")
            }
            Problem::KeyNotUsable => f.write_str("key is disabled or not in state CREATE_COMPLETE"),
            Problem::PolicyRefused => {
                f.write_str("this combination of incoming and outgoing keys is refused by policy")
            }
            Problem::KeyClass => f.write_str("KeyClass does not fit the key material"),
            Problem::KcvAlgorithm => {
                f.write_str("KeyCheckValueAlgorithm does not apply to this key algorithm")
            }
            Problem::KeyIdentifier => {
                f.write_str("key identifier is not a key ARN, alias ARN or alias name")
            }
            Problem::KeyBlockVersion => f.write_str("key block version is not accepted"),
            Problem::KeyBlockKbpk => {
                f.write_str("key block version does not fit the wrapping key's algorithm")
            }
            Problem::KeyBlockLength => f.write_str(
                "key block length field is not four digits equal to the block's length (at most 9999)",
            ),
            Problem::KeyBlockHeader => f.write_str("key block header field is not valid"),
            Problem::KeyBlockOptionalBlock => f.write_str(
                "key block optional blocks are malformed or not a multiple of the cipher block",
            ),
            Problem::KeyBlockPayload => f.write_str(
                "key block payload or authenticator length is not valid for its version",
            ),
            Problem::KeyBlockHex => {
                f.write_str("key block payload or authenticator is not hexadecimal")
            }
            Problem::WrappedKeyPolicy => f.write_str(
                "wrapped key's usage, algorithm, mode of use or length is not allowed here",
            ),
            Problem::WrappedKeyUnwrap => f.write_str(
                "wrapped key cannot be unwrapped under the key-encryption key (wrong key, or the \
                 key block was changed)",
            ),
            Problem::WrappedKeyStrength => {
                f.write_str("wrapped key is stronger than the key that wraps it")
            }
            Problem::PaddingTypeRequired => f.write_str(
                "PaddingType is required for an RSA outgoing key (raw RSA is refused: it would \
                 make re-encryption a plaintext oracle)",
            ),
            Problem::RawRsaOptIn => f.write_str("raw RSA can only be allowed on an RSA key"),
            Problem::RsaUnavailable => {
                f.write_str("RSA keys need paycrypt's `rsa` feature, which this build lacks")
            }
        }
    }
}

/// The result of every fallible paycrypt function.
pub type Result<T> = core::result::Result<T, Error>;

/// The error of every fallible paycrypt function.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// A value fails a rule (AWS `ValidationException`). `side` is set by the re-encryption layer; the
    /// primitives leave it `None`.
    Invalid {
        /// The side of the operation, where there is one.
        side: Option<Side>,
        /// What is wrong.
        problem: Problem,
    },
    /// The ciphertext could not be decrypted. Every decryption failure (padding, length, range) is this
    /// one variant, so callers cannot tell failures apart (AWS `ValidationException`).
    Decryption,
    /// The key's modes of use forbid the operation (AWS `AccessDeniedException`).
    AccessDenied {
        /// The side whose key refused.
        side: Side,
    },
    /// No key has that identifier or alias (AWS `ResourceNotFoundException`).
    KeyNotFound {
        /// The side whose identifier was not found, where there is one.
        side: Option<Side>,
    },
    /// The caller's output buffer is too small for the result.
    BufferTooSmall {
        /// The bytes needed.
        needed: usize,
    },
    /// The random number generator failed (AWS `InternalServerException`).
    Rng,
}

impl Error {
    /// A validation error with no side.
    pub(crate) const fn invalid(problem: Problem) -> Self {
        Error::Invalid {
            side: None,
            problem,
        }
    }

    /// This error attributed to `side` of an operation (an error that has a side keeps it).
    #[must_use]
    pub const fn with_side(self, side: Side) -> Self {
        match self {
            Error::Invalid {
                side: None,
                problem,
            } => Error::Invalid {
                side: Some(side),
                problem,
            },
            Error::KeyNotFound { side: None } => Error::KeyNotFound { side: Some(side) },
            other => other,
        }
    }

    /// The side this error concerns, if any.
    #[must_use]
    pub const fn side(&self) -> Option<Side> {
        match self {
            Error::Invalid { side, .. } | Error::KeyNotFound { side } => *side,
            Error::AccessDenied { side } => Some(*side),
            Error::Decryption | Error::BufferTooSmall { .. } | Error::Rng => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid {
                side: Some(side),
                problem,
            } => write!(f, "{side} side: {problem}"),
            Error::Invalid {
                side: None,
                problem,
            } => fmt::Display::fmt(problem, f),
            Error::Decryption => f.write_str("decryption failed"),
            Error::AccessDenied { side } => {
                write!(f, "{side} key's modes of use do not allow this operation")
            }
            Error::KeyNotFound { side: Some(side) } => write!(f, "{side} key not found"),
            Error::KeyNotFound { side: None } => f.write_str("key not found"),
            Error::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Error::Rng => f.write_str("random number generator failed"),
        }
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    /// Every message, as a user reads it (graviola's `test_error_display`): none repeats a value
    /// beyond lengths, names and sides.
    #[test]
    fn every_message() {
        use Problem as P;
        let tdes = SymmetricAlgorithm::Tdes2Key;
        let aes = SymmetricAlgorithm::Aes128;
        let cases = [
            (
                P::KeyLength {
                    algorithm: KeyAlgorithm::Symmetric(aes),
                    actual: 15,
                },
                "key material of 15 bytes does not fit AES_128 (16 bytes)",
            ),
            (
                P::WeakTdesKey,
                "TDES key collapses to single DES (K1 = K2 or K2 = K3)",
            ),
            (P::KeyEncoding, "key material cannot be parsed"),
            (
                P::RsaKeySize { bits: 1024 },
                "RSA key of 1024 bits is not allowed (2048, 3072 or 4096 only)",
            ),
            (
                P::IvLength {
                    expected: 8,
                    actual: 16,
                },
                "InitializationVector must be 8 bytes (16 hex) for this key, got 16 bytes",
            ),
            (P::IvWithEcb, "InitializationVector is not allowed with ECB"),
            (
                P::ModeNotSupported {
                    mode: Mode::Cfb128,
                    algorithm: tdes,
                },
                "mode CFB128 is not valid for a TDES_2KEY key",
            ),
            (
                P::DataLength {
                    block_size: 16,
                    actual: 7,
                },
                "data length 7 bytes is not a non-zero multiple of the 16-byte block size",
            ),
            (
                P::DataTooLong {
                    max: 2112,
                    actual: 2113,
                },
                "data of 2113 bytes is longer than the 2112 allowed",
            ),
            (
                P::PlaintextTooLong {
                    max: 190,
                    actual: 191,
                },
                "plaintext of 191 bytes is longer than the 190 bytes this RSA key and padding allow",
            ),
            (
                P::RsaRawPlaintext,
                "raw RSA (no padding) needs a plaintext of exactly the modulus length, below the modulus in value",
            ),
            (P::Hex, "value is not an even-length hexadecimal string"),
            (
                P::KsnLength { hex_digits: 18 },
                "KeySerialNumber of 18 hex digits does not fit the BDK (TDES: 16 or 20, AES: 24)",
            ),
            (
                P::KsnCounterZero,
                "KeySerialNumber has a transaction counter of zero",
            ),
            (
                P::DerivationType {
                    requested: SymmetricAlgorithm::Aes256,
                    bdk: aes,
                },
                "DukptKeyDerivationType AES_256 is not allowed with a AES_128 BDK",
            ),
            (P::PaddingType, "PaddingType does not apply here"),
            (P::KeyUsage, "KeyUsages not allowed for this operation"),
            (
                P::AttributesForKey,
                "encryption attributes do not fit the key's algorithm or class",
            ),
            (
                P::KeyNotUsable,
                "key is disabled or not in state CREATE_COMPLETE",
            ),
            (
                P::PolicyRefused,
                "this combination of incoming and outgoing keys is refused by policy",
            ),
            (P::KeyClass, "KeyClass does not fit the key material"),
            (
                P::KcvAlgorithm,
                "KeyCheckValueAlgorithm does not apply to this key algorithm",
            ),
            (
                P::KeyIdentifier,
                "key identifier is not a key ARN, alias ARN or alias name",
            ),
            (P::KeyBlockVersion, "key block version is not accepted"),
            (
                P::KeyBlockKbpk,
                "key block version does not fit the wrapping key's algorithm",
            ),
            (
                P::KeyBlockLength,
                "key block length field is not four digits equal to the block's length (at most 9999)",
            ),
            (P::KeyBlockHeader, "key block header field is not valid"),
            (
                P::KeyBlockOptionalBlock,
                "key block optional blocks are malformed or not a multiple of the cipher block",
            ),
            (
                P::KeyBlockPayload,
                "key block payload or authenticator length is not valid for its version",
            ),
            (
                P::KeyBlockHex,
                "key block payload or authenticator is not hexadecimal",
            ),
            (
                P::WrappedKeyPolicy,
                "wrapped key's usage, algorithm, mode of use or length is not allowed here",
            ),
            (
                P::WrappedKeyUnwrap,
                "wrapped key cannot be unwrapped under the key-encryption key (wrong key, or the \
                 key block was changed)",
            ),
            (
                P::WrappedKeyStrength,
                "wrapped key is stronger than the key that wraps it",
            ),
            (
                P::PaddingTypeRequired,
                "PaddingType is required for an RSA outgoing key (raw RSA is refused: it would make \
                 re-encryption a plaintext oracle)",
            ),
            (P::RawRsaOptIn, "raw RSA can only be allowed on an RSA key"),
            (
                P::RsaUnavailable,
                "RSA keys need paycrypt's `rsa` feature, which this build lacks",
            ),
        ];
        // Every variant is here once: a new one fails to compile in `variant` until it is added.
        let mut seen = [false; 36];
        for (problem, _) in &cases {
            seen[variant(problem)] = true;
        }
        assert!(seen.iter().all(|s| *s), "{seen:?}");
        for (problem, message) in cases {
            assert_eq!(problem.to_string(), message);
            assert_eq!(Error::invalid(problem).to_string(), message);
            assert_eq!(
                Error::invalid(problem)
                    .with_side(Side::Outgoing)
                    .to_string(),
                alloc::format!("outgoing side: {message}")
            );
        }
        let errors = [
            (Error::Decryption, "decryption failed"),
            (
                Error::AccessDenied {
                    side: Side::Incoming,
                },
                "incoming key's modes of use do not allow this operation",
            ),
            (Error::KeyNotFound { side: None }, "key not found"),
            (
                Error::KeyNotFound {
                    side: Some(Side::Outgoing),
                },
                "outgoing key not found",
            ),
            (
                Error::BufferTooSmall { needed: 24 },
                "output buffer too small: 24 bytes needed",
            ),
            (Error::Rng, "random number generator failed"),
        ];
        for (error, message) in errors {
            assert_eq!(error.to_string(), message);
        }
    }

    fn variant(p: &Problem) -> usize {
        use Problem as P;
        match p {
            P::KeyLength { .. } => 0,
            P::WeakTdesKey => 1,
            P::KeyEncoding => 2,
            P::RsaKeySize { .. } => 3,
            P::IvLength { .. } => 4,
            P::IvWithEcb => 5,
            P::ModeNotSupported { .. } => 6,
            P::DataLength { .. } => 7,
            P::DataTooLong { .. } => 8,
            P::PlaintextTooLong { .. } => 9,
            P::RsaRawPlaintext => 10,
            P::Hex => 11,
            P::KsnLength { .. } => 12,
            P::KsnCounterZero => 13,
            P::DerivationType { .. } => 14,
            P::PaddingType => 15,
            P::KeyUsage => 16,
            P::AttributesForKey => 17,
            P::KeyNotUsable => 18,
            P::PolicyRefused => 19,
            P::KeyClass => 20,
            P::KcvAlgorithm => 21,
            P::KeyIdentifier => 22,
            P::KeyBlockVersion => 23,
            P::KeyBlockKbpk => 24,
            P::KeyBlockLength => 25,
            P::KeyBlockHeader => 26,
            P::KeyBlockOptionalBlock => 27,
            P::KeyBlockPayload => 28,
            P::KeyBlockHex => 29,
            P::WrappedKeyPolicy => 30,
            P::WrappedKeyStrength => 31,
            P::PaddingTypeRequired => 32,
            P::RawRsaOptIn => 33,
            P::RsaUnavailable => 34,
            P::WrappedKeyUnwrap => 35,
        }
    }

    #[test]
    fn a_side_is_given_once() {
        let e = Error::KeyNotFound { side: None }.with_side(Side::Incoming);
        assert_eq!(e.with_side(Side::Outgoing).side(), Some(Side::Incoming));
        assert_eq!(Error::Decryption.with_side(Side::Incoming).side(), None);
    }
}
