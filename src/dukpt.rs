//! DUKPT (Derived Unique Key Per Transaction), host side: from a base derivation key (BDK) and a key
//! serial number (KSN), derive the key a terminal used for one transaction.
//!
//! Two generations, chosen by the BDK's algorithm:
//!
//! | BDK | standard | KSN | module |
//! |---|---|---|---|
//! | `TDES_2KEY` | ANSI X9.24-1:2009 | 10 bytes (20 hex; 16 hex is left-padded with `FF`), 21-bit counter | [`tdes`] |
//! | `AES_128`, `AES_192`, `AES_256` | ANSI X9.24-3-2017 | 12 bytes (24 hex): 8-byte initial key ID + 32-bit counter | [`aes`] |
//!
//! [`derive_data_key`] is the entry point of the re-encrypt operation (AWS `DukptEncryptionAttributes`):
//! BDK + KSN + `DukptKeyVariant` + `DukptKeyDerivationType` → the data-encryption key.
//!
//! * **TDES BDK**: the key is the transaction key XOR the data variant, **followed by the one-way step**
//!   `key = TDES-ECB_V(V[0..8]) || TDES-ECB_V(V[8..16])`. `REQUEST` and `BIDIRECTIONAL` (and absent) use
//!   the request variant `0000000000FF0000 0000000000FF0000`, `RESPONSE` the response variant
//!   `000000FF00000000 000000FF00000000`. The derivation type may only be `TDES_2KEY` or absent. This is
//!   what the AWS service does (its published sample data keys and a live-service comparison; see
//!   `test-vectors/dukpt-tdes/SOURCES.md`).
//! * **AES BDK**: the X9.24-3 working key with key usage `3002` (data, both ways) for `BIDIRECTIONAL` or
//!   absent, `3000` (encrypt) for `REQUEST`, `3001` (decrypt) for `RESPONSE` **(decision: AWS documents no
//!   mapping)**. The derivation type is the working key's algorithm; it may not be stronger than the BDK
//!   (`TDES_2KEY < TDES_3KEY < AES_128 < AES_192 < AES_256`); absent means the BDK's own algorithm.
//!
//! Any non-zero counter is derived, however many bits are set (devices use at most 10 for TDES and 16 for
//! AES; the host pays one step per set bit). A zero counter is refused when the [`Ksn`] is built.
//!
//! **Wiping.** Each derivation works in one [`zeroize::Zeroizing`] buffer that the caller's frame owns
//! and every step writes in place (out-parameters: the IPEK becomes the transaction key, the initial
//! key each derivation key and then the working key, without a copy being returned by value); masks and
//! derivation data have wiped buffers of their own, and the cipher instances wipe their round keys on
//! drop. What that cannot reach — the key schedules' temporaries inside the `des` and `aes` crates, the
//! `SymmetricKey` built from the result and moved to its owner — is left in stack frames that have
//! returned, so every public derivation, and every operation with a DUKPT side, overwrites the stack it
//! used before it returns (the crate's `scrub` module). Nothing is allocated.

pub mod aes;
mod batch;
pub mod tdes;

pub use batch::{DataKeyRequest, derive_data_keys};

use core::fmt;

use cipher::array::Array;

use crate::algorithm::{SymmetricAlgorithm, vocabulary};
use crate::error::{Error, Problem};
use crate::key::{CipherFn, KeyCipher, SymmetricKey};
use crate::scrub::scrubbed;

/// A DUKPT key serial number: 10 bytes for a TDES BDK, 12 bytes for an AES BDK.
///
/// Not secret: it travels in clear with every transaction. Built by [`Ksn::from_hex`] (or
/// [`Ksn::from_bytes`], [`Ksn::aes`]), which checks the length and refuses a zero transaction counter.
/// The KSN remembers how many hex digits it was given, so a length that does not fit the BDK can be
/// reported as the caller wrote it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ksn {
    bytes: [u8; 12],
    len: u8,
    hex_digits: u8,
}

impl Ksn {
    /// A KSN of 16 hex digits (TDES, right-justified and left-padded with `FF` bytes to 10 bytes), 20 hex
    /// digits (TDES) or 24 hex digits (AES), either case.
    ///
    /// Any other length is [`Problem::KsnLength`] (with the number of characters given), a non-hex
    /// character [`Problem::Hex`], a zero transaction counter [`Problem::KsnCounterZero`] (TDES: the
    /// low 21 bits; AES: the last 4 bytes).
    ///
    /// # Errors
    ///
    /// [`Problem::KsnLength`], [`Problem::Hex`], [`Problem::KsnCounterZero`].
    pub fn from_hex(hex: &str) -> Result<Ksn, Error> {
        let digits = hex.len();
        if !matches!(digits, 16 | 20 | 24) {
            return Err(Error::invalid(Problem::KsnLength { hex_digits: digits }));
        }
        let mut buf = [0u8; 12];
        let bytes = crate::hex::decode(hex, &mut buf)?;
        Self::build(bytes, digits)
    }

    /// A KSN from its bytes: 8 (TDES, left-padded with `FF` to 10), 10 (TDES) or 12 (AES). The same
    /// rules as [`Ksn::from_hex`]; a wrong length is reported as twice the byte count in hex digits.
    ///
    /// # Errors
    ///
    /// As [`Ksn::from_hex`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Ksn, Error> {
        let digits = bytes.len().saturating_mul(2);
        if !matches!(digits, 16 | 20 | 24) {
            return Err(Error::invalid(Problem::KsnLength { hex_digits: digits }));
        }
        Self::build(bytes, digits)
    }

    /// An AES KSN from its initial key ID and transaction counter (which must not be zero).
    ///
    /// # Errors
    ///
    /// [`Problem::KsnCounterZero`] for a zero counter.
    pub fn aes(initial_key_id: &[u8; 8], counter: u32) -> Result<Ksn, Error> {
        let mut bytes = [0u8; 12];
        bytes[..8].copy_from_slice(initial_key_id);
        bytes[8..].copy_from_slice(&counter.to_be_bytes());
        Self::build(&bytes, 24)
    }

    /// `bytes` is 8, 10 or 12 bytes long; `digits` is what the caller gave.
    fn build(bytes: &[u8], digits: usize) -> Result<Ksn, Error> {
        let bad_length = || Error::invalid(Problem::KsnLength { hex_digits: digits });
        let mut ksn = Ksn {
            bytes: [0xFF; 12],
            len: 10,
            hex_digits: u8::try_from(digits).map_err(|_| bad_length())?,
        };
        match bytes.len() {
            8 => ksn.bytes[2..10].copy_from_slice(bytes),
            10 => ksn.bytes[..10].copy_from_slice(bytes),
            12 => {
                ksn.bytes.copy_from_slice(bytes);
                ksn.len = 12;
            }
            _ => return Err(bad_length()),
        }
        if ksn.counter() == 0 {
            return Err(Error::invalid(Problem::KsnCounterZero));
        }
        Ok(ksn)
    }

    /// The KSN's bytes: 10 (TDES) or 12 (AES).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The transaction counter: the low 21 bits for TDES, the last 4 bytes for AES. Never zero.
    #[must_use]
    pub fn counter(&self) -> u32 {
        let b = &self.bytes;
        if self.is_aes() {
            u32::from_be_bytes([b[8], b[9], b[10], b[11]])
        } else {
            u32::from_be_bytes([0, b[7] & 0x1F, b[8], b[9]])
        }
    }

    /// Whether this is a 12-byte AES KSN.
    #[must_use]
    pub fn is_aes(&self) -> bool {
        self.len == 12
    }

    /// How many hex digits the KSN was given in (16, 20 or 24).
    #[must_use]
    pub fn hex_digits(&self) -> usize {
        usize::from(self.hex_digits)
    }

    /// The 8-byte initial key ID of an AES KSN (`None` for TDES).
    #[must_use]
    pub fn initial_key_id(&self) -> Option<&[u8; 8]> {
        if self.is_aes() {
            self.bytes.first_chunk::<8>()
        } else {
            None
        }
    }

    /// The KSN as 10 bytes, if it is a TDES KSN.
    pub(crate) fn tdes_bytes(&self) -> Option<&[u8; 10]> {
        if self.is_aes() {
            None
        } else {
            self.bytes.first_chunk::<10>()
        }
    }
}

impl fmt::Display for Ksn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; 24];
        let hex = crate::hex::encode_upper(self.as_bytes(), &mut out).map_err(|_| fmt::Error)?;
        f.write_str(hex)
    }
}

impl fmt::Debug for Ksn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ksn({self})")
    }
}

vocabulary! { aws
    /// AWS `DukptKeyVariant`: which direction of the transaction the data key serves.
    DukptKeyVariant {
        /// `BIDIRECTIONAL` (the default). TDES: the request variant; AES: key usage `3002`.
        Bidirectional = "BIDIRECTIONAL",
        /// `REQUEST`. TDES: the request variant; AES: key usage `3000`.
        Request = "REQUEST",
        /// `RESPONSE`. TDES: the response variant; AES: key usage `3001`.
        Response = "RESPONSE",
    }
}

/// The data-encryption key a terminal used: BDK + KSN + variant + derivation type.
///
/// `variant` `None` means `BIDIRECTIONAL`; `derivation_type` `None` means the BDK's own algorithm.
/// The rules, checked in this order (see the [module documentation](self)):
///
/// 1. a `TDES_3KEY` BDK is not a DUKPT BDK: [`Problem::AttributesForKey`];
/// 2. a TDES BDK needs a 10-byte KSN, an AES BDK a 12-byte KSN, else [`Problem::KsnLength`] with the
///    hex digits the caller gave;
/// 3. with a TDES BDK the derivation type must be `TDES_2KEY` or absent; with an AES BDK it must not be
///    stronger than the BDK; else [`Problem::DerivationType`].
///
/// The result is a `TDES_2KEY` key for a TDES BDK and a key of the derivation type for an AES BDK.
///
/// The stack the derivation used is overwritten before this returns (the crate's `scrub` module); the key
/// returned is the caller's.
///
/// # Errors
///
/// The rules above, in that order: [`Problem::AttributesForKey`], [`Problem::KsnLength`],
/// [`Problem::DerivationType`].
pub fn derive_data_key(
    bdk: &SymmetricKey,
    ksn: &Ksn,
    variant: Option<DukptKeyVariant>,
    derivation_type: Option<SymmetricAlgorithm>,
) -> Result<SymmetricKey, Error> {
    scrubbed(|| derive_unscrubbed(bdk, ksn, variant, derivation_type))
}

/// [`derive_data_key`] without the stack scrub: the operations scrub once, after the whole operation.
pub(crate) fn derive_unscrubbed(
    bdk: &SymmetricKey,
    ksn: &Ksn,
    variant: Option<DukptKeyVariant>,
    derivation_type: Option<SymmetricAlgorithm>,
) -> Result<SymmetricKey, Error> {
    let variant = variant.unwrap_or(DukptKeyVariant::Bidirectional);
    let bdk_algorithm = bdk.algorithm();
    match bdk_algorithm {
        SymmetricAlgorithm::Tdes3Key => Err(Error::invalid(Problem::AttributesForKey)),
        SymmetricAlgorithm::Tdes2Key => {
            // The KSN is checked before the derivation type, as for an AES BDK.
            if ksn.is_aes() {
                return Err(Error::invalid(Problem::KsnLength {
                    hex_digits: ksn.hex_digits(),
                }));
            }
            if let Some(requested) = derivation_type
                && requested != SymmetricAlgorithm::Tdes2Key
            {
                return Err(Error::invalid(Problem::DerivationType {
                    requested,
                    bdk: bdk_algorithm,
                }));
            }
            let usage = match variant {
                DukptKeyVariant::Bidirectional | DukptKeyVariant::Request => {
                    tdes::Variant::DataRequest
                }
                DukptKeyVariant::Response => tdes::Variant::DataResponse,
            };
            tdes::working_key_unscrubbed(bdk, ksn, usage)
        }
        SymmetricAlgorithm::Aes128 | SymmetricAlgorithm::Aes192 | SymmetricAlgorithm::Aes256 => {
            let usage = match variant {
                DukptKeyVariant::Bidirectional => aes::KeyUsage::DataEncryptionBothWays,
                DukptKeyVariant::Request => aes::KeyUsage::DataEncryptionEncrypt,
                DukptKeyVariant::Response => aes::KeyUsage::DataEncryptionDecrypt,
            };
            aes::working_key_unscrubbed(bdk, ksn, usage, derivation_type.unwrap_or(bdk_algorithm))
        }
    }
}

/// Encrypt whole blocks of `buf` in place (ECB) with a key's own expanded cipher; a trailing partial
/// block is left alone.
struct EncryptInPlace<'a>(&'a mut [u8]);

impl CipherFn for EncryptInPlace<'_> {
    type Output = ();

    fn call<C: KeyCipher>(self, cipher: &C) {
        let (blocks, _) = Array::slice_as_chunks_mut(self.0);
        cipher.encrypt_blocks(blocks);
    }
}

/// Encrypt `buf` in place (ECB, whole blocks) under `key`, reusing its expanded cipher.
fn encrypt_in_place(key: &SymmetricKey, buf: &mut [u8]) {
    key.with_cipher(EncryptInPlace(buf));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksn_lengths_and_padding() {
        let k = Ksn::from_hex("9876543210E00001").unwrap();
        assert_eq!(
            k.as_bytes(),
            Ksn::from_hex("FFFF9876543210E00001").unwrap().as_bytes()
        );
        assert_eq!(k.hex_digits(), 16);
        assert!(!k.is_aes());
        assert_eq!(k.counter(), 1);
        let a = Ksn::from_hex("123456789012345600000001").unwrap();
        assert!(a.is_aes());
        assert_eq!(
            a.initial_key_id(),
            Some(&[0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56])
        );
        assert_eq!(alloc::format!("{a}"), "123456789012345600000001");
        for bad in [
            "",
            "00",
            "FFFF9876543210E0000",
            "FFFF9876543210E000011",
            "1234567890123456000000010",
        ] {
            assert_eq!(
                Ksn::from_hex(bad),
                Err(Error::invalid(Problem::KsnLength {
                    hex_digits: bad.len()
                })),
                "{bad:?}"
            );
        }
        assert_eq!(
            Ksn::from_hex("FFFF9876543210E0000G"),
            Err(Error::invalid(Problem::Hex))
        );
    }

    #[test]
    fn zero_counter_is_refused() {
        for zero in [
            "FFFF9876543210E00000",
            "9876543210E00000",
            "123456789012345600000000",
        ] {
            assert_eq!(
                Ksn::from_hex(zero),
                Err(Error::invalid(Problem::KsnCounterZero)),
                "{zero}"
            );
        }
        // The TDES counter is only the low 21 bits: bits above it are the key set ID.
        assert_eq!(
            Ksn::from_hex("FFFF9876543210FFFFFF").unwrap().counter(),
            0x1F_FFFF
        );
        assert_eq!(
            Ksn::from_hex("FFFF9876543210E00000").map(|k| k.counter()),
            Err(Error::invalid(Problem::KsnCounterZero))
        );
        assert_eq!(Ksn::aes(&[0; 8], u32::MAX).unwrap().counter(), u32::MAX);
    }

    fn bdk(alg: SymmetricAlgorithm) -> SymmetricKey {
        SymmetricKey::new(alg, &[0x5A; 32][..alg.key_len()]).unwrap()
    }

    fn problem(r: Result<SymmetricKey, Error>) -> Option<Problem> {
        match r {
            Ok(_) => None,
            Err(Error::Invalid {
                side: None,
                problem,
            }) => Some(problem),
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }

    #[test]
    fn rules_of_derive_data_key() {
        use SymmetricAlgorithm::*;
        let tdes_ksn = Ksn::from_hex("9876543210E00001").unwrap();
        let aes_ksn = Ksn::from_hex("123456789012345600000001").unwrap();
        // A TDES_3KEY key is no DUKPT BDK.
        assert_eq!(
            problem(derive_data_key(&bdk(Tdes3Key), &tdes_ksn, None, None)),
            Some(Problem::AttributesForKey)
        );
        // KSN length must fit the BDK; the error names the digits given.
        assert_eq!(
            problem(derive_data_key(&bdk(Tdes2Key), &aes_ksn, None, None)),
            Some(Problem::KsnLength { hex_digits: 24 })
        );
        for alg in [Aes128, Aes192, Aes256] {
            assert_eq!(
                problem(derive_data_key(&bdk(alg), &tdes_ksn, None, None)),
                Some(Problem::KsnLength { hex_digits: 16 })
            );
        }
        // Derivation types.
        for requested in SymmetricAlgorithm::ALL {
            let r = derive_data_key(&bdk(Tdes2Key), &tdes_ksn, None, Some(requested));
            let expected = (requested != Tdes2Key).then_some(Problem::DerivationType {
                requested,
                bdk: Tdes2Key,
            });
            assert_eq!(problem(r), expected, "TDES BDK, {requested}");
            for b in [Aes128, Aes192, Aes256] {
                let r = derive_data_key(&bdk(b), &aes_ksn, None, Some(requested));
                let expected =
                    (requested > b).then_some(Problem::DerivationType { requested, bdk: b });
                assert_eq!(problem(r), expected, "{b} BDK, {requested}");
                if requested <= b {
                    let k = derive_data_key(&bdk(b), &aes_ksn, None, Some(requested)).unwrap();
                    assert_eq!(k.algorithm(), requested);
                }
            }
        }
        // Absent derivation type: the BDK's own algorithm.
        for b in [Tdes2Key, Aes128, Aes192, Aes256] {
            let ksn = if b.is_tdes() { &tdes_ksn } else { &aes_ksn };
            assert_eq!(
                derive_data_key(&bdk(b), ksn, None, None)
                    .unwrap()
                    .algorithm(),
                b
            );
        }
        // The lower-level functions apply the same BDK rule.
        assert_eq!(
            problem(tdes::ipek(&bdk(Aes128), &tdes_ksn)),
            Some(Problem::AttributesForKey)
        );
        assert_eq!(
            problem(aes::initial_key(&bdk(Tdes2Key), &[0; 8])),
            Some(Problem::AttributesForKey)
        );
        assert_eq!(
            problem(aes::update_key(&bdk(Aes128), &[0; 8], Aes256)),
            Some(Problem::DerivationType {
                requested: Aes256,
                bdk: Aes128
            })
        );
    }

    #[test]
    fn variant_names() {
        for v in DukptKeyVariant::ALL {
            assert_eq!(DukptKeyVariant::from_aws_name(v.aws_name()), Some(v));
        }
        assert_eq!(DukptKeyVariant::from_aws_name("bidirectional"), None);
    }
}
