//! AWS's rules for a dynamic (wrapped) working key: `IncomingWrappedKey` / `OutgoingWrappedKey` on
//! ReEncryptData and `WrappedKey` on EncryptData / DecryptData, where the operation's key identifier
//! names the KEK and the key block carries the data key.
//!
//! | rule | check | error |
//! |---|---|---|
//! | T5: the KEK | enabled, `CREATE_COMPLETE` | [`Problem::KeyNotUsable`] |
//! | | usage `TR31_K0_KEY_ENCRYPTION_KEY` or `TR31_K1_KEY_BLOCK_PROTECTION_KEY` | [`Problem::KeyUsage`] |
//! | | a symmetric key | [`Problem::AttributesForKey`] |
//! | | modes of use `Unwrap`, `Decrypt` or `NoRestrictions` | [`Error::AccessDenied`] |
//! | version ↔ KEK | `B` under a TDES KEK, `D` under an AES KEK (from the KEK's attributes, never its length); `A`, `C`, `E` and digits refused | [`Problem::KeyBlockKbpk`], [`Problem::KeyBlockVersion`] |
//! | T1/T2: header | usage `D0`; algorithm `T` or `A`; mode of use `B`, `D` or `N` incoming, `B`, `E` or `N` outgoing (`N` refused under [`Policy::StrictAws`]); exportability, key version, context and optional blocks other than their structure ignored | [`Problem::WrappedKeyPolicy`] |
//! | key length | `T`: 16 or 24 bytes, `A`: 16, 24 or 32 (checked after the MAC) | [`Problem::WrappedKeyPolicy`] |
//! | T6: strength | the key no stronger than its KEK (`TDES_2KEY < TDES_3KEY < AES_128 < AES_192 < AES_256`) | [`Problem::WrappedKeyStrength`] |
//! | T7: parity | DES parity is not checked | — |
//!
//! Every validation error is attributed to the side. Not wired into the operations yet.

use crate::algorithm::SymmetricAlgorithm;
use crate::error::{Error, Problem, Side};
use crate::key::SymmetricKey;
use crate::keystore::{Key, KeyClass, KeyMaterial, KeyUsage};
use crate::operation::Policy;

use super::block::KeyBlock;
use super::header::{Algorithm, Header, ModeOfUse, Usage, Version};
use super::{MAX_PAYLOAD_LEN, Versions};

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

/// Unwrap a dynamic key for `side` as AWS's data operations do: the KEK rules, the version against the
/// KEK's algorithm, the header policy, then the unwrap (MAC first), the key length against the header
/// algorithm, and the strength rule. The payload is decrypted into a wiped stack buffer of
/// [`MAX_PAYLOAD_LEN`] bytes.
///
/// # Errors
///
/// As [`check_kek`], [`check_header`], [`KeyBlock::unwrap`] and [`check_strength`].
pub fn unwrap_dynamic_key(
    kek: &Key,
    block: &str,
    side: Side,
    policy: Policy,
) -> Result<SymmetricKey, Error> {
    let (kbpk, version) = check_kek(kek, side)?;
    let parsed = KeyBlock::parse(block, Versions::Current).map_err(|e| e.with_side(side))?;
    if parsed.header().version() != version {
        return Err(Error::invalid(Problem::KeyBlockKbpk).with_side(side));
    }
    check_header(parsed.header(), side, policy)?;
    let mut buf = [0u8; MAX_PAYLOAD_LEN];
    let unwrapped = parsed
        .unwrap(kbpk, &mut buf)
        .map_err(|e| e.with_side(side))?;
    let key = unwrapped.symmetric_key().map_err(|e| e.with_side(side))?;
    check_strength(key.algorithm(), kbpk.algorithm()).map_err(|e| e.with_side(side))?;
    Ok(key)
}
