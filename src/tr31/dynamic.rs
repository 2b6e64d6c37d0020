//! AWS's rules for a dynamic (wrapped) working key: `IncomingWrappedKey` / `OutgoingWrappedKey` on
//! ReEncryptData and `WrappedKey` on EncryptData / DecryptData, where the operation's key identifier
//! names the KEK and the key block carries the data key.
//!
//! A wrapped side is one more kind of side: [`WrappedKey`] (a stored KEK, a key block and an optional
//! check-value algorithm) turns into the side's working [`Key`] ([`WrappedKey::working_key`]), which then
//! goes into a [`KeyUse`](crate::KeyUse) like any stored key, so every operation (in place, owned, batch,
//! wire) takes it unchanged. That working key is a `TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY` whose modes
//! of use are the header's (`B`: encrypt and decrypt, `D`: decrypt, `E`: encrypt, `N`: no
//! restrictions), whose ARN is the **KEK's** (AWS answers with the identifier's ARN) and whose check
//! value is the **unwrapped key's**, computed with the wrapped key's `KeyCheckValueAlgorithm` (default
//! `ANSI_X9_24` for TDES, `CMAC` for AES): T3. Its material is wiped when it is dropped.
//!
//! | rule | check | error |
//! |---|---|---|
//! | T5: the KEK | enabled, `CREATE_COMPLETE` | [`Problem::KeyNotUsable`] |
//! | | usage `TR31_K0_KEY_ENCRYPTION_KEY` or `TR31_K1_KEY_BLOCK_PROTECTION_KEY` | [`Problem::KeyUsage`] |
//! | | a symmetric key | [`Problem::AttributesForKey`] |
//! | | modes of use `Unwrap`, `Decrypt` or `NoRestrictions` | [`Error::AccessDenied`] |
//! | attributes | `Symmetric` only (a wrapped key is a plain symmetric data key: no DUKPT, no RSA) | [`Problem::AttributesForKey`] |
//! | check value | `KeyCheckValueAlgorithm` `ANSI_X9_24` or `CMAC` (`SHA_1` is RSA's) | [`Problem::KcvAlgorithm`] |
//! | block shape | [`KeyBlock::parse`]: length, header fields, optional blocks, hex | `Problem::KeyBlock*` |
//! | version ↔ KEK | `B` under a TDES KEK, `D` under an AES KEK (from the KEK's attributes, never its length); `A`, `C`, `E` and digits refused | [`Problem::KeyBlockKbpk`], [`Problem::KeyBlockVersion`] |
//! | payload | at most [`MAX_DYNAMIC_PAYLOAD_LEN`] bytes (a D0 key masked to its algorithm's longest length needs 48) | [`Problem::WrappedKeyPolicy`] |
//! | T1/T2: header | usage `D0`; algorithm `T` or `A`; mode of use `B`, `D` or `N` incoming, `B`, `E` or `N` outgoing (`N` refused under [`Policy::StrictAws`]); exportability, key version, context and optional blocks other than their structure ignored | [`Problem::WrappedKeyPolicy`] |
//! | unwrap | the authenticator (constant time), then the key-length field, the key length against the header algorithm (`T`: 16 or 24 bytes, `A`: 16, 24 or 32) and single-DES collapse: **one** error for all | [`Problem::WrappedKeyUnwrap`] |
//! | T6: strength | the key no stronger than its KEK (`TDES_2KEY < TDES_3KEY < AES_128 < AES_192 < AES_256`) | [`Problem::WrappedKeyStrength`] |
//! | T7: parity | DES parity is not checked | — |
//!
//! Every validation error is attributed to the side. The payload is decrypted into a stack buffer that
//! the unwrap wipes on every path; the clear key exists only in that buffer and in the working key.
//!
//! ```
//! use paycrypt::tr31::dynamic::WrappedKey;
//! use paycrypt::{EncryptionAttributes, Key, KeyAlgorithm, KeyArn, KeyAttributes, KeyClass};
//! use paycrypt::{KeyMaterial, KeyModesOfUse, KeyUsage, KeyUse, Mode, Policy, Side};
//! use paycrypt::{SymmetricAlgorithm, SymmetricKey};
//!
//! // A stored AES-128 KEK (K1, may unwrap) and a D0/A/D block under it (a published sample).
//! let kek = Key::new(
//!     KeyArn::parse("arn:aws:payment-cryptography:us-east-2:111122223333:key/kekkekkekkek0001")?,
//!     KeyAttributes {
//!         key_usage: KeyUsage::K1KeyBlockProtectionKey,
//!         key_class: KeyClass::SymmetricKey,
//!         key_algorithm: KeyAlgorithm::Symmetric(SymmetricAlgorithm::Aes128),
//!         key_modes_of_use: KeyModesOfUse { unwrap: true, ..KeyModesOfUse::default() },
//!     },
//!     KeyMaterial::Symmetric(SymmetricKey::from_hex(
//!         SymmetricAlgorithm::Aes128,
//!         "000102030405060708090A0B0C0D0E0F",
//!     )?),
//! )?;
//! let block = "D0112D0AD00E00009ef4ff063d9757987d1768a1e317a6530de7d8ac81972c19a3659afb28e8d35f48aaa5b0f124e73893163e9a020ae5f3";
//! let attributes = EncryptionAttributes::symmetric(Mode::Ecb, None);
//! let working = WrappedKey::new(&kek, block).working_key(&attributes, Side::Incoming, Policy::Documented)?;
//! assert_eq!(working.arn(), kek.arn());
//! assert_eq!(working.kcv().to_string(), "77CD54"); // the unwrapped key's, not the KEK's
//!
//! let mut data = [0u8; 16];
//! paycrypt::decrypt_in_place(&KeyUse::new(&working, attributes), &mut data)?;
//! # Ok::<(), paycrypt::Error>(())
//! ```

use core::fmt;

use rand_core::TryCryptoRng;

use crate::algorithm::{KeyAlgorithm, SymmetricAlgorithm};
use crate::error::{Error, Problem, Side};
use crate::kcv::KcvAlgorithm;
use crate::key::SymmetricKey;
use crate::keystore::{Key, KeyAttributes, KeyClass, KeyMaterial, KeyModesOfUse, KeyUsage};
use crate::operation::{EncryptionAttributes, Policy};

use super::Versions;
use super::block::KeyBlock;
use super::header::{Algorithm, Header, ModeOfUse, Usage, Version};

/// Check the rules for a KEK that unwraps dynamic keys (T5); returns its key material and the key block
/// version it protects (`B` for a TDES KEK, `D` for an AES KEK).
///
/// # Errors
///
/// An invalid KEK for `side`; [`Error::AccessDenied`] when its modes of use forbid unwrapping.
pub fn check_kek(kek: &Key, side: Side) -> Result<(&SymmetricKey, Version), Error> {
    let invalid = |problem| Error::Invalid {
        side: Some(side),
        problem,
    };
    if !kek.is_usable() {
        return Err(invalid(Problem::KeyNotUsable));
    }
    let attributes = kek.attributes();
    if !matches!(
        attributes.key_usage,
        KeyUsage::K0KeyEncryptionKey | KeyUsage::K1KeyBlockProtectionKey
    ) {
        return Err(invalid(Problem::KeyUsage));
    }
    let material = match kek.material() {
        KeyMaterial::Symmetric(k) if attributes.key_class == KeyClass::SymmetricKey => k,
        _ => return Err(invalid(Problem::AttributesForKey)),
    };
    let modes = attributes.key_modes_of_use;
    if !(modes.unwrap || modes.decrypt || modes.no_restrictions) {
        return Err(Error::AccessDenied { side });
    }
    Ok((material, Version::for_kbpk(material.algorithm())))
}

/// Check the header of a dynamic key for `side` (T1/T2): usage `D0`, algorithm `T` or `A`, mode of use
/// `B`/`D`/`N` incoming or `B`/`E`/`N` outgoing, `N` only under [`Policy::Documented`].
///
/// # Errors
///
/// [`Problem::WrappedKeyPolicy`] for `side`.
pub fn check_header(header: &Header<'_>, side: Side, policy: Policy) -> Result<(), Error> {
    let mode_ok = match (header.mode_of_use(), side) {
        (ModeOfUse::EncryptDecrypt, _)
        | (ModeOfUse::DecryptOnly, Side::Incoming)
        | (ModeOfUse::EncryptOnly, Side::Outgoing) => true,
        (ModeOfUse::NoRestrictions, _) => policy == Policy::Documented,
        _ => false,
    };
    let ok = header.usage() == Usage::D0
        && matches!(header.algorithm(), Algorithm::Tdes | Algorithm::Aes)
        && mode_ok;
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid {
            side: Some(side),
            problem: Problem::WrappedKeyPolicy,
        })
    }
}

/// The key-strength rule (T6): a wrapped key may not be stronger than its KEK.
///
/// # Errors
///
/// [`Problem::WrappedKeyStrength`].
pub fn check_strength(key: SymmetricAlgorithm, kek: SymmetricAlgorithm) -> Result<(), Error> {
    if key <= kek {
        Ok(())
    } else {
        Err(Error::invalid(Problem::WrappedKeyStrength))
    }
}

/// The longest payload a dynamic key's block may have, in bytes: a 32-byte key masked to its
/// algorithm's longest length needs 48 (`2 + 32`, padded to 16); one more AES block of padding is
/// allowed. Longer payloads are [`Problem::WrappedKeyPolicy`].
pub const MAX_DYNAMIC_PAYLOAD_LEN: usize = 64;

/// Unwrap a dynamic key for `side` as AWS's data operations do: the KEK rules, the version against the
/// KEK's algorithm, the header policy, then the unwrap (MAC first), the key length against the header
/// algorithm, and the strength rule. The payload (at most [`MAX_DYNAMIC_PAYLOAD_LEN`] bytes) is
/// decrypted into a wiped stack buffer.
///
/// # Errors
///
/// As [`check_kek`] and [`check_header`]; a block that does not parse is its key-block problem, one
/// not of the KEK's version [`Problem::KeyBlockKbpk`], a payload longer than
/// [`MAX_DYNAMIC_PAYLOAD_LEN`] [`Problem::WrappedKeyPolicy`]; every failure of the unwrap itself is
/// [`Problem::WrappedKeyUnwrap`]; then [`check_strength`].
pub fn unwrap_dynamic_key(
    kek: &Key,
    block: &str,
    side: Side,
    policy: Policy,
) -> Result<SymmetricKey, Error> {
    unwrap_with_mode(kek, block, side, policy).map(|(key, _)| key)
}

fn unwrap_with_mode(
    kek: &Key,
    block: &str,
    side: Side,
    policy: Policy,
) -> Result<(SymmetricKey, ModeOfUse), Error> {
    let (kbpk, version) = check_kek(kek, side)?;
    let parsed = KeyBlock::parse(block, Versions::Current).map_err(|e| e.with_side(side))?;
    if parsed.header().version() != version {
        return Err(Error::invalid(Problem::KeyBlockKbpk).with_side(side));
    }
    check_header(parsed.header(), side, policy)?;
    // A D0 key's payload is at most 48 bytes (2 + 32, padded to the AES block) with the usual
    // key-length masking (TR31.md §7.9); a longer one is refused before any cryptography.
    if parsed.payload_len() > MAX_DYNAMIC_PAYLOAD_LEN {
        return Err(Error::invalid(Problem::WrappedKeyPolicy).with_side(side));
    }
    let opaque = |_: Error| Error::invalid(Problem::WrappedKeyUnwrap).with_side(side);
    let mut buf = [0u8; MAX_DYNAMIC_PAYLOAD_LEN];
    // `Unwrapped` wipes `buf` when dropped (and the unwrap wipes it on its own errors).
    let unwrapped = parsed.unwrap(kbpk, &mut buf).map_err(opaque)?;
    let key = unwrapped.symmetric_key().map_err(opaque)?;
    if key.is_single_des_equivalent() {
        return Err(opaque(Error::Decryption));
    }
    check_strength(key.algorithm(), kbpk.algorithm()).map_err(|e| e.with_side(side))?;
    Ok((key, parsed.header().mode_of_use()))
}

/// A dynamic working key: AWS `WrappedKey` (`IncomingWrappedKey`, `OutgoingWrappedKey`), a TR-31 key
/// block wrapped under a stored KEK, with the check-value algorithm the answer's `KeyCheckValue` uses.
/// `Debug` shows the KEK and the block's length.
#[derive(Clone, Copy)]
pub struct WrappedKey<'a> {
    /// The KEK: the key the operation's identifier names.
    pub kek: &'a Key,
    /// `WrappedKeyMaterial.Tr31KeyBlock`.
    pub key_block: &'a str,
    /// `KeyCheckValueAlgorithm`; absent: `ANSI_X9_24` for a TDES key, `CMAC` for an AES key.
    pub kcv_algorithm: Option<KcvAlgorithm>,
}

impl fmt::Debug for WrappedKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappedKey")
            .field("kek", self.kek.arn())
            .field("key_block_len", &self.key_block.len())
            .field("kcv_algorithm", &self.kcv_algorithm)
            .finish()
    }
}

impl<'a> WrappedKey<'a> {
    /// A key block under `kek`, with the default check-value algorithm.
    #[must_use]
    pub const fn new(kek: &'a Key, key_block: &'a str) -> Self {
        WrappedKey {
            kek,
            key_block,
            kcv_algorithm: None,
        }
    }

    /// The same, with a `KeyCheckValueAlgorithm`.
    #[must_use]
    pub const fn with_kcv_algorithm(mut self, algorithm: KcvAlgorithm) -> Self {
        self.kcv_algorithm = Some(algorithm);
        self
    }

    /// The working key of a side that uses this wrapped key with `attributes`: every rule of the
    /// module's table, then the unwrapped key as a D0 [`Key`] bearing the KEK's ARN and the unwrapped
    /// key's check value (see the module docs). Put it into a [`KeyUse`](crate::KeyUse) with the same
    /// `attributes`.
    ///
    /// # Errors
    ///
    /// Validation errors for `side`, as the module's table says ([`Problem::AttributesForKey`] for
    /// attributes other than `Symmetric`, [`Problem::KcvAlgorithm`] for `SHA_1`), and those of the
    /// unwrap ([`unwrap_dynamic_key`]); [`Error::AccessDenied`] for a KEK that may not unwrap.
    pub fn working_key(
        &self,
        attributes: &EncryptionAttributes,
        side: Side,
        policy: Policy,
    ) -> Result<Key, Error> {
        let invalid = |problem| Error::Invalid {
            side: Some(side),
            problem,
        };
        check_kek(self.kek, side)?;
        if !matches!(attributes, EncryptionAttributes::Symmetric(_)) {
            return Err(invalid(Problem::AttributesForKey));
        }
        if self.kcv_algorithm == Some(KcvAlgorithm::Sha1) {
            return Err(invalid(Problem::KcvAlgorithm));
        }
        let (key, mode) = unwrap_with_mode(self.kek, self.key_block, side, policy)?;
        let algorithm = key.algorithm();
        let attributes = KeyAttributes {
            key_usage: KeyUsage::D0SymmetricDataEncryptionKey,
            key_class: KeyClass::SymmetricKey,
            key_algorithm: KeyAlgorithm::Symmetric(algorithm),
            key_modes_of_use: modes_of(mode),
        };
        let working = Key::new(*self.kek.arn(), attributes, KeyMaterial::Symmetric(key))
            .map_err(|_| invalid(Problem::WrappedKeyUnwrap))?;
        match self.kcv_algorithm {
            Some(a) if a != working.kcv_algorithm() => working
                .with_kcv_algorithm(a)
                .map_err(|_| invalid(Problem::KcvAlgorithm)),
            _ => Ok(working),
        }
    }
}

/// The AWS modes of use of a TR-31 mode of use (only those a dynamic key may have).
fn modes_of(mode: ModeOfUse) -> KeyModesOfUse {
    KeyModesOfUse {
        encrypt: matches!(mode, ModeOfUse::EncryptDecrypt | ModeOfUse::EncryptOnly),
        decrypt: matches!(mode, ModeOfUse::EncryptDecrypt | ModeOfUse::DecryptOnly),
        no_restrictions: mode == ModeOfUse::NoRestrictions,
        ..KeyModesOfUse::default()
    }
}

/// Wrap `key` under the stored `kek` with `header` ([`wrap`](super::wrap) with the key length masked
/// to its algorithm's maximum and padding from `rng`): how a test or a tool (`paycrypt tr31 wrap`)
/// makes a dynamic-key block for [`WrappedKey`]. The KEK must be usable, of usage K0 or K1, symmetric
/// (as for unwrapping) and allow `Wrap`, `Encrypt` or `NoRestrictions` (else
/// [`Error::AccessDenied`], on the outgoing side); the header's version must fit its algorithm
/// ([`Problem::KeyBlockKbpk`]). The header is not held to the dynamic-key rules, so refused blocks can
/// be made too.
///
/// # Errors
///
/// As the KEK rules above, then as [`wrap`](super::wrap).
pub fn wrap_under_kek<'o, R: TryCryptoRng + ?Sized>(
    kek: &Key,
    header: &Header<'_>,
    key: &[u8],
    rng: &mut R,
    out: &'o mut [u8],
) -> Result<&'o str, Error> {
    let side = Side::Outgoing;
    let attributes = kek.attributes();
    let modes = attributes.key_modes_of_use;
    let kbpk = match check_kek(kek, side) {
        Ok((kbpk, _)) => kbpk,
        // Unwrap rights are not what wrapping needs; its own are checked below.
        Err(Error::AccessDenied { .. }) => match kek.material() {
            KeyMaterial::Symmetric(k) => k,
            _ => return Err(Error::AccessDenied { side }),
        },
        Err(e) => return Err(e),
    };
    if !(modes.wrap || modes.encrypt || modes.no_restrictions) {
        return Err(Error::AccessDenied { side });
    }
    super::wrap(
        kbpk,
        header,
        key,
        super::KeyLengthMask::AlgorithmMaximum,
        rng,
        out,
    )
}
