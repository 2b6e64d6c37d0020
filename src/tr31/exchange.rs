//! AWS's rules for key exchange with a TR-31 key block (feature `alloc`): `ImportKey` with
//! `Tr31KeyBlock` and `ExportKey` with `Tr31KeyBlock` (a stored key, or the IPEK of a stored BDK).
//!
//! **Import** ([`import_key_block`]) under a stored KEK:
//!
//! | rule | check | error |
//! |---|---|---|
//! | the KEK | as for dynamic keys ([`dynamic::check_kek`]): usable, `K0`/`K1`, symmetric, `Unwrap`/`Decrypt`/`NoRestrictions` | [`ExchangeError::Key`] |
//! | version | `B` under a TDES KEK, `D` under an AES KEK; `A`, `C`, `E` and digits refused | [`ExchangeError::Key`] |
//! | header | usage → `KeyUsage` (`TR31_<usage>_…`), algorithm `T`/`A`, mode of use → `KeyModesOfUse` (table below) | [`ExchangeError::Header`] |
//! | authenticity | the MAC verifies before anything in the payload is read | [`Error::Decryption`] |
//! | key length | fits the header algorithm (`T`: 16, 24; `A`: 16, 24, 32) | [`ExchangeError::Key`] |
//! | strength | the key no stronger than its KEK | [`ExchangeError::Key`] |
//! | attributes | the mapped attributes form one of AWS's valid combinations ([`KeyAttributes::check_combination`]) | [`ExchangeError::Attributes`] |
//!
//! Exportability `E` and `S` import as `Exportable: true`, `N` as false. Key version, context and
//! optional blocks are carried by the block but not kept (AWS ignores optional blocks except `HM`
//! and `PB`).
//!
//! | mode of use | `KeyModesOfUse` |
//! |---|---|
//! | `B` | Encrypt, Decrypt, Wrap, Unwrap |
//! | `E` | Encrypt, Wrap |
//! | `D` | Decrypt, Unwrap |
//! | `N` | NoRestrictions |
//! | `X` | DeriveKey |
//! | `C` | Generate, Verify |
//! | `G` | Generate |
//! | `V` | Verify |
//!
//! **Export** ([`export_key_block`], [`export_initial_key`]) under a stored KEK: the KEK usable, `K0`/`K1`,
//! symmetric, with `Wrap`, `Encrypt` or `NoRestrictions`; the exported key usable and symmetric, no
//! stronger than the KEK; version `B`/`D` from the KEK's algorithm; the header's usage, algorithm and
//! mode of use from the key's attributes (the mode of use may be narrowed by the request, never
//! widened); exportability `E` unless the request says otherwise; key version `00` unless given;
//! optional blocks as given. The padding masks the key length (X9.143 key-length obfuscation). Whether
//! the key is `Exportable` is the key store's metadata: the caller checks it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::block::{KeyBlock, KeyLengthMask, wrap, wrapped_len};
use super::header::{
    Algorithm, Exportability, Header, KeyVersion, ModeOfUse, OptionalBlock, OptionalBlocks, Usage,
    Version,
};
use super::{Versions, dynamic};
use crate::dukpt::Ksn;
use crate::error::{Error, Problem, Side};
use crate::kcv::{Kcv, KcvAlgorithm};
use rand_core::TryCryptoRng;

use crate::algorithm::{KeyAlgorithm, SymmetricAlgorithm};
use crate::key::SymmetricKey;
use crate::keystore::{
    AttributesRefused, Key, KeyAttributes, KeyClass, KeyMaterial, KeyModesOfUse, KeyUsage,
};

/// A header field of a key block that AWS's key model has no equivalent for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeaderField {
    /// The key usage (e.g. `M0`, or a proprietary numeric usage).
    Usage,
    /// The algorithm (anything but `T` and `A`).
    Algorithm,
    /// The mode of use (`S`, `T`, `Y`).
    ModeOfUse,
}

/// Why a key exchange is refused.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangeError {
    /// The library's error: key block format, authenticity ([`Error::Decryption`]), the KEK's rules,
    /// version against KEK, key length, strength.
    Key(Error),
    /// The attributes the header maps to form none of AWS's valid combinations.
    Attributes(AttributesRefused),
    /// A header field with no AWS equivalent.
    Header(HeaderField),
    /// The key to export is not a TDES or AES key.
    KeyNotSymmetric,
    /// `KeyBlockHeaders.KeyModesOfUse` that no mode-of-use letter expresses, or that grants what the
    /// key itself may not do.
    ModesOfUse,
    /// An IPEK export of a key that is not a DUKPT BDK, or with a KSN of the wrong form for it.
    NotABdk,
}

impl From<Error> for ExchangeError {
    fn from(e: Error) -> Self {
        ExchangeError::Key(e)
    }
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExchangeError::Key(Error::Invalid { problem, .. }) => write!(f, "{problem}"),
            ExchangeError::Key(Error::AccessDenied { .. }) => f.write_str(
                "the wrapping key's modes of use do not allow this key exchange",
            ),
            ExchangeError::Key(Error::Decryption) => f.write_str(
                "the key block does not verify under the wrapping key (wrong key, or a changed block)",
            ),
            ExchangeError::Key(e) => write!(f, "{e}"),
            ExchangeError::Attributes(e) => write!(f, "{e}"),
            ExchangeError::Header(HeaderField::Usage) => {
                f.write_str("the key block's key usage has no AWS KeyUsage")
            }
            ExchangeError::Header(HeaderField::Algorithm) => f.write_str(
                "the key block's algorithm is not T (TDES) or A (AES)",
            ),
            ExchangeError::Header(HeaderField::ModeOfUse) => {
                f.write_str("the key block's mode of use has no AWS KeyModesOfUse")
            }
            ExchangeError::KeyNotSymmetric => {
                f.write_str("only TDES and AES keys are exported in a TR-31 key block")
            }
            ExchangeError::ModesOfUse => f.write_str(
                "KeyBlockHeaders.KeyModesOfUse must be one TR-31 mode of use that the key itself allows",
            ),
            ExchangeError::NotABdk => f.write_str(
                "an initial key (IPEK) is exported from a TR31_B0_BASE_DERIVATION_KEY, with a KSN of \
                 20 hex digits for TDES or 24 for AES",
            ),
        }
    }
}

impl core::error::Error for ExchangeError {}

const F: bool = false;
const T: bool = true;

/// The mode-of-use letters AWS maps, with their `KeyModesOfUse`.
const MODES: [(ModeOfUse, KeyModesOfUse); 8] = [
    // Encrypt, Decrypt, Wrap, Unwrap, Generate, Sign, Verify, DeriveKey, NoRestrictions.
    (
        ModeOfUse::EncryptDecrypt,
        KeyModesOfUse::from_flags([T, T, T, T, F, F, F, F, F]),
    ),
    (
        ModeOfUse::EncryptOnly,
        KeyModesOfUse::from_flags([T, F, T, F, F, F, F, F, F]),
    ),
    (
        ModeOfUse::DecryptOnly,
        KeyModesOfUse::from_flags([F, T, F, T, F, F, F, F, F]),
    ),
    (
        ModeOfUse::NoRestrictions,
        KeyModesOfUse::from_flags([F, F, F, F, F, F, F, F, T]),
    ),
    (
        ModeOfUse::Derive,
        KeyModesOfUse::from_flags([F, F, F, F, F, F, F, T, F]),
    ),
    (
        ModeOfUse::GenerateVerify,
        KeyModesOfUse::from_flags([F, F, F, F, T, F, T, F, F]),
    ),
    (
        ModeOfUse::GenerateOnly,
        KeyModesOfUse::from_flags([F, F, F, F, T, F, F, F, F]),
    ),
    (
        ModeOfUse::VerifyOnly,
        KeyModesOfUse::from_flags([F, F, F, F, F, F, T, F, F]),
    ),
];

/// The `KeyModesOfUse` of a TR-31 mode of use (`None` for `S`, `T`, `Y`).
#[must_use]
pub fn modes_of_use(mode: ModeOfUse) -> Option<KeyModesOfUse> {
    MODES.iter().find(|(m, _)| *m == mode).map(|(_, k)| *k)
}

/// The TR-31 mode of use that expresses exactly these `KeyModesOfUse`, if one does.
#[must_use]
pub fn mode_of_use(modes: &KeyModesOfUse) -> Option<ModeOfUse> {
    MODES.iter().find(|(_, k)| k == modes).map(|(m, _)| *m)
}

/// The `KeyUsage` of a TR-31 key usage: the one named `TR31_<usage>_…` (`None` for usages AWS does not
/// define, such as `M0` here, or numeric ones).
#[must_use]
pub fn key_usage(usage: Usage) -> Option<KeyUsage> {
    KeyUsage::ALL
        .iter()
        .copied()
        .find(|k| k.aws_name().get(5..7) == Some(usage.as_str()))
}

/// The TR-31 key usage of a `KeyUsage` (the two characters after `TR31_`).
#[must_use]
pub fn tr31_usage(usage: KeyUsage) -> Option<Usage> {
    usage.aws_name().get(5..7).and_then(|u| Usage::new(u).ok())
}

/// A key imported from a TR-31 key block: the key, the attributes its header maps to, and whether it
/// may be exported again.
#[derive(Debug)]
pub struct ImportedKey {
    /// The clear key (wiped on drop).
    pub key: SymmetricKey,
    /// Its attributes (class `SYMMETRIC_KEY`).
    pub attributes: KeyAttributes,
    /// `Exportable`: the header's exportability is `E` or `S`.
    pub exportable: bool,
}

/// Import a TR-31 key block under a stored KEK, with AWS's rules (see the [module table](self)).
///
/// # Errors
///
/// [`ExchangeError::Key`] for a KEK that may not unwrap, a malformed block or one whose MAC fails
/// ([`Error::Decryption`]); [`ExchangeError::Header`] for a header field AWS has no equivalent for;
/// [`ExchangeError::Attributes`] when the attributes it maps to form no valid combination.
pub fn import_key_block(kek: &Key, block: &str) -> Result<ImportedKey, ExchangeError> {
    let (kbpk, version) = dynamic::check_kek(kek, Side::Incoming).map_err(unsided)?;
    let parsed = KeyBlock::parse(block, Versions::Current)?;
    let header = *parsed.header();
    if header.version() != version {
        return Err(Error::invalid(Problem::KeyBlockKbpk).into());
    }
    let key_usage = key_usage(header.usage()).ok_or(ExchangeError::Header(HeaderField::Usage))?;
    if !matches!(header.algorithm(), Algorithm::Tdes | Algorithm::Aes) {
        return Err(ExchangeError::Header(HeaderField::Algorithm));
    }
    let key_modes_of_use =
        modes_of_use(header.mode_of_use()).ok_or(ExchangeError::Header(HeaderField::ModeOfUse))?;
    let mut buf = [0u8; super::MAX_PAYLOAD_LEN];
    let unwrapped = parsed.unwrap(kbpk, &mut buf)?;
    let key = unwrapped.symmetric_key()?;
    drop(unwrapped);
    dynamic::check_strength(key.algorithm(), kbpk.algorithm())?;
    let attributes = KeyAttributes {
        key_usage,
        key_class: KeyClass::SymmetricKey,
        key_algorithm: KeyAlgorithm::Symmetric(key.algorithm()),
        key_modes_of_use,
    };
    attributes
        .check_combination()
        .map_err(ExchangeError::Attributes)?;
    Ok(ImportedKey {
        key,
        attributes,
        exportable: header.exportability() != Exportability::NonExportable,
    })
}

/// The errors of the dynamic-key KEK check carry a side; a key exchange has none.
fn unsided(e: Error) -> Error {
    match e {
        Error::Invalid { problem, .. } => Error::invalid(problem),
        other => other,
    }
}

/// What `KeyBlockHeaders` asks of an exported block (all optional).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportHeaders {
    /// `KeyModesOfUse`: narrows the key's modes of use in the block.
    pub modes_of_use: Option<KeyModesOfUse>,
    /// `KeyExportability` (default `E`).
    pub exportability: Option<Exportability>,
    /// `KeyVersion`: two characters (default `00`).
    pub key_version: Option<String>,
    /// `OptionalBlocks`: `(id, data)` pairs, in order.
    pub optional_blocks: Vec<(String, String)>,
}

/// The stored KEK's material and block version for an export.
fn export_kek(kek: &Key) -> Result<(&SymmetricKey, Version), ExchangeError> {
    if !kek.is_usable() {
        return Err(Error::invalid(Problem::KeyNotUsable).into());
    }
    let attributes = kek.attributes();
    if !matches!(
        attributes.key_usage,
        KeyUsage::K0KeyEncryptionKey | KeyUsage::K1KeyBlockProtectionKey
    ) {
        return Err(Error::invalid(Problem::KeyUsage).into());
    }
    let material = match kek.material() {
        KeyMaterial::Symmetric(k) if attributes.key_class == KeyClass::SymmetricKey => k,
        _ => return Err(Error::invalid(Problem::AttributesForKey).into()),
    };
    let m = attributes.key_modes_of_use;
    if !(m.wrap || m.encrypt || m.no_restrictions) {
        return Err(Error::AccessDenied {
            side: Side::Outgoing,
        }
        .into());
    }
    Ok((material, Version::for_kbpk(material.algorithm())))
}

/// Whether `asked` grants nothing `allowed` does not (`NoRestrictions` allows everything).
fn narrows(asked: &KeyModesOfUse, allowed: &KeyModesOfUse) -> bool {
    allowed.no_restrictions
        || asked
            .flags()
            .iter()
            .zip(allowed.flags())
            .all(|(a, b)| !*a || b)
}

fn letter_for(algorithm: SymmetricAlgorithm) -> Algorithm {
    if algorithm.is_tdes() {
        Algorithm::Tdes
    } else {
        Algorithm::Aes
    }
}

/// Wrap `key` (a block of `usage`, whose own modes are `key_modes`) under `kbpk`.
fn seal_block<R: TryCryptoRng + ?Sized>(
    kbpk: &SymmetricKey,
    version: Version,
    usage: Usage,
    key: &SymmetricKey,
    key_modes: &KeyModesOfUse,
    headers: &ExportHeaders,
    rng: &mut R,
) -> Result<String, ExchangeError> {
    dynamic::check_strength(key.algorithm(), kbpk.algorithm())?;
    let modes = match &headers.modes_of_use {
        Some(asked) if narrows(asked, key_modes) => *asked,
        Some(_) => return Err(ExchangeError::ModesOfUse),
        None => *key_modes,
    };
    let mode = mode_of_use(&modes).ok_or(ExchangeError::ModesOfUse)?;
    let key_version = match &headers.key_version {
        Some(v) => KeyVersion::new(v)?,
        None => KeyVersion::Unused,
    };
    let blocks: Vec<OptionalBlock<'_>> = headers
        .optional_blocks
        .iter()
        .map(|(id, data)| OptionalBlock::new(id, data))
        .collect::<Result<_, _>>()?;
    let header = Header::new(version, usage, letter_for(key.algorithm()), mode)
        .with_key_version(key_version)
        .with_exportability(headers.exportability.unwrap_or(Exportability::Exportable))
        .with_blocks(OptionalBlocks::new(&blocks));
    let mask = KeyLengthMask::AlgorithmMaximum;
    let len = wrapped_len(&header, key.algorithm().key_len(), mask)?;
    let mut out = alloc::vec![0u8; len];
    let text = wrap(kbpk, &header, key.secret_bytes(), mask, rng, &mut out)?;
    Ok(String::from(text))
}

/// Export a stored symmetric key as a TR-31 key block under a stored KEK, with AWS's rules (see the
/// [module docs](self)). The block is public (wrapped); the key's `Exportable` is the caller's to check.
///
/// # Errors
///
/// [`ExchangeError::Key`] for a KEK that may not wrap, an unusable key, a key stronger than the KEK or a
/// failing RNG; [`ExchangeError::KeyNotSymmetric`]; [`ExchangeError::Header`] for a usage TR-31 has no
/// letter for; [`ExchangeError::ModesOfUse`] for modes of use no letter expresses or that widen the key's.
pub fn export_key_block<R: TryCryptoRng + ?Sized>(
    kek: &Key,
    key: &Key,
    headers: &ExportHeaders,
    rng: &mut R,
) -> Result<String, ExchangeError> {
    let (kbpk, version) = export_kek(kek)?;
    if !key.is_usable() {
        return Err(Error::invalid(Problem::KeyNotUsable).into());
    }
    let KeyMaterial::Symmetric(material) = key.material() else {
        return Err(ExchangeError::KeyNotSymmetric);
    };
    let attributes = key.attributes();
    let usage =
        tr31_usage(attributes.key_usage).ok_or(ExchangeError::Header(HeaderField::Usage))?;
    seal_block(
        kbpk,
        version,
        usage,
        material,
        &attributes.key_modes_of_use,
        headers,
        rng,
    )
}

/// Export the initial key of one device (the IPEK of TDES DUKPT, the initial key of AES DUKPT) derived
/// from a stored BDK, as a TR-31 key block of usage `B1` and mode of use `X` under a stored KEK; also
/// its check value under `kcv_algorithm` (default: the algorithm's). The KSN (`ksn`, the bytes of 20 hex
/// digits for TDES, 24 for AES) names the device; its counter is not used and may be zero.
///
/// # Errors
///
/// As [`export_key_block`]; [`ExchangeError::NotABdk`] for a key that is no DUKPT BDK or a KSN of the
/// wrong length for it; [`ExchangeError::Key`] with [`Problem::KcvAlgorithm`] for `SHA_1`.
pub fn export_initial_key<R: TryCryptoRng + ?Sized>(
    kek: &Key,
    bdk: &Key,
    ksn: &[u8],
    kcv_algorithm: Option<KcvAlgorithm>,
    headers: &ExportHeaders,
    rng: &mut R,
) -> Result<(String, Kcv, KcvAlgorithm), ExchangeError> {
    let (kbpk, version) = export_kek(kek)?;
    if !bdk.is_usable() {
        return Err(Error::invalid(Problem::KeyNotUsable).into());
    }
    let (KeyMaterial::Symmetric(material), KeyUsage::B0BaseDerivationKey) =
        (bdk.material(), bdk.attributes().key_usage)
    else {
        return Err(ExchangeError::NotABdk);
    };
    let initial = match (material.algorithm(), ksn.len()) {
        (SymmetricAlgorithm::Tdes2Key, 10) => {
            // The IPEK ignores the counter, which a KSN may not have zero: any non-zero counter
            // gives the same IPEK.
            let mut bytes = [0u8; 10];
            bytes.copy_from_slice(ksn);
            bytes[9] |= 1;
            crate::dukpt::tdes::ipek(material, &Ksn::from_bytes(&bytes)?)?
        }
        (a, 12) if !a.is_tdes() => {
            let mut id = [0u8; 8];
            id.copy_from_slice(&ksn[..8]);
            crate::dukpt::aes::initial_key(material, &id)?
        }
        _ => return Err(ExchangeError::NotABdk),
    };
    let kcv_algorithm = kcv_algorithm.unwrap_or(KcvAlgorithm::default_for(
        KeyAlgorithm::Symmetric(initial.algorithm()),
    ));
    let kcv = initial.kcv_with(kcv_algorithm)?;
    let derive = KeyModesOfUse::from_flags([F, F, F, F, F, F, F, T, F]);
    let b1 = Usage::new("B1")?;
    let block = seal_block(kbpk, version, b1, &initial, &derive, headers, rng)?;
    Ok((block, kcv, kcv_algorithm))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keystore::KeyArn;
    use crate::test_rng::Sequence;
    use alloc::string::ToString;

    const ARN: &str = "arn:aws:payment-cryptography:us-east-1:111122223333:key/kek0000000000001";
    const KEK_HEX: &str = "0F1E2D3C4B5A69788796A5B4C3D2E1F0";

    fn key(usage: KeyUsage, algorithm: SymmetricAlgorithm, hex: &str, modes: KeyModesOfUse) -> Key {
        Key::new(
            KeyArn::parse(ARN).unwrap(),
            KeyAttributes {
                key_usage: usage,
                key_class: KeyClass::SymmetricKey,
                key_algorithm: KeyAlgorithm::Symmetric(algorithm),
                key_modes_of_use: modes,
            },
            KeyMaterial::Symmetric(SymmetricKey::from_hex(algorithm, hex).unwrap()),
        )
        .unwrap()
    }

    fn all4() -> KeyModesOfUse {
        modes_of_use(ModeOfUse::EncryptDecrypt).unwrap()
    }

    /// EMULATOR.md §11.6: a psec-made version B D0 block under the TDES KEK (KCV 819DB1) carries
    /// 0101010101010101FEFEFEFEFEFEFEFE (KCV 9295B5).
    #[test]
    fn spec_vector_imports() {
        let kek = key(
            KeyUsage::K0KeyEncryptionKey,
            SymmetricAlgorithm::Tdes2Key,
            KEK_HEX,
            all4(),
        );
        assert_eq!(kek.kcv().to_string(), "819DB1");
        let block = "B0096D0TB00E00004A47AA2B57A8C8D7B3080D8C626363B3B9D23879AD294613D7AFB94977B0847403CBC9CA498934F2";
        let imported = import_key_block(&kek, block).unwrap();
        assert_eq!(imported.key.kcv().to_string(), "9295B5");
        assert_eq!(
            imported.attributes.key_usage,
            KeyUsage::D0SymmetricDataEncryptionKey
        );
        assert_eq!(imported.attributes.key_modes_of_use, all4());
        assert!(imported.exportable);
        // One hex digit changed: the MAC fails.
        let mut tampered = String::from(block);
        tampered.replace_range(40..41, if &block[40..41] == "0" { "1" } else { "0" });
        assert_eq!(
            import_key_block(&kek, &tampered).unwrap_err(),
            ExchangeError::Key(Error::Decryption)
        );
    }

    #[test]
    fn export_then_import_round_trips_every_mode() {
        let mut rng = Sequence::new(3, 29, 7);
        for (kek_alg, kek_hex) in [
            (SymmetricAlgorithm::Tdes2Key, KEK_HEX),
            (
                SymmetricAlgorithm::Aes256,
                "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
            ),
        ] {
            let kek = key(KeyUsage::K1KeyBlockProtectionKey, kek_alg, kek_hex, all4());
            for (usage, mode) in [
                (
                    KeyUsage::D0SymmetricDataEncryptionKey,
                    ModeOfUse::EncryptDecrypt,
                ),
                (
                    KeyUsage::D0SymmetricDataEncryptionKey,
                    ModeOfUse::EncryptOnly,
                ),
                (KeyUsage::P0PinEncryptionKey, ModeOfUse::DecryptOnly),
                (KeyUsage::B0BaseDerivationKey, ModeOfUse::Derive),
                (KeyUsage::K0KeyEncryptionKey, ModeOfUse::NoRestrictions),
                (KeyUsage::M3Iso9797_3MacKey, ModeOfUse::GenerateVerify),
                (KeyUsage::C0CardVerificationKey, ModeOfUse::GenerateOnly),
                (KeyUsage::V2VisaPinVerificationKey, ModeOfUse::VerifyOnly),
            ] {
                let modes = modes_of_use(mode).unwrap();
                let k = key(
                    usage,
                    SymmetricAlgorithm::Tdes2Key,
                    "0123456789ABCDEFFEDCBA9876543210",
                    modes,
                );
                let block =
                    export_key_block(&kek, &k, &ExportHeaders::default(), &mut rng).unwrap();
                assert_eq!(block.as_bytes()[0], Version::for_kbpk(kek_alg).id());
                let back = import_key_block(&kek, &block).unwrap();
                assert_eq!(back.key.kcv().to_string(), "08D7B4");
                assert_eq!(back.attributes, *k.attributes(), "{usage:?} {mode:?}");
            }
        }
    }

    #[test]
    fn export_rules() {
        let mut rng = Sequence::new(9, 29, 7);
        let kek = key(
            KeyUsage::K0KeyEncryptionKey,
            SymmetricAlgorithm::Tdes2Key,
            KEK_HEX,
            all4(),
        );
        let d0 = key(
            KeyUsage::D0SymmetricDataEncryptionKey,
            SymmetricAlgorithm::Tdes2Key,
            "0101010101010101FEFEFEFEFEFEFEFE",
            modes_of_use(ModeOfUse::EncryptOnly).unwrap(),
        );
        // Narrowing to nothing a letter expresses, and widening, are refused.
        let mut h = ExportHeaders {
            modes_of_use: Some(all4()),
            ..ExportHeaders::default()
        };
        assert_eq!(
            export_key_block(&kek, &d0, &h, &mut rng).unwrap_err(),
            ExchangeError::ModesOfUse
        );
        h.modes_of_use = Some(modes_of_use(ModeOfUse::EncryptOnly).unwrap());
        h.exportability = Some(Exportability::NonExportable);
        h.key_version = Some("12".into());
        h.optional_blocks = alloc::vec![("KS".into(), "00604B120F9292800000".into())];
        let block = export_key_block(&kek, &d0, &h, &mut rng).unwrap();
        let parsed = KeyBlock::parse(&block, Versions::Current).unwrap();
        assert_eq!(
            parsed.header().exportability(),
            Exportability::NonExportable
        );
        assert_eq!(
            parsed.header().key_version(),
            KeyVersion::new("12").unwrap()
        );
        assert_eq!(
            parsed.header().blocks().get("KS").unwrap().data(),
            "00604B120F9292800000"
        );
        assert!(!import_key_block(&kek, &block).unwrap().exportable);
        // A KEK that may only unwrap cannot export; a stronger key cannot go under a weaker KEK.
        let unwrap_only = key(
            KeyUsage::K0KeyEncryptionKey,
            SymmetricAlgorithm::Tdes2Key,
            KEK_HEX,
            modes_of_use(ModeOfUse::DecryptOnly).unwrap(),
        );
        assert!(matches!(
            export_key_block(&unwrap_only, &d0, &ExportHeaders::default(), &mut rng),
            Err(ExchangeError::Key(Error::AccessDenied { .. }))
        ));
        let aes = key(
            KeyUsage::D0SymmetricDataEncryptionKey,
            SymmetricAlgorithm::Aes128,
            "00112233445566778899AABBCCDDEEFF",
            all4(),
        );
        assert_eq!(
            export_key_block(&kek, &aes, &ExportHeaders::default(), &mut rng).unwrap_err(),
            ExchangeError::Key(Error::invalid(Problem::WrappedKeyStrength))
        );
        // A D0 KEK is no KEK.
        assert_eq!(
            export_key_block(&d0, &d0, &ExportHeaders::default(), &mut rng).unwrap_err(),
            ExchangeError::Key(Error::invalid(Problem::KeyUsage))
        );
    }

    #[test]
    fn import_refusals() {
        let mut rng = Sequence::new(5, 29, 7);
        let kek = key(
            KeyUsage::K0KeyEncryptionKey,
            SymmetricAlgorithm::Tdes2Key,
            KEK_HEX,
            all4(),
        );
        let kbpk = SymmetricKey::from_hex(SymmetricAlgorithm::Tdes2Key, KEK_HEX).unwrap();
        let make = |usage: &str, algorithm: Algorithm, mode: ModeOfUse, rng: &mut Sequence| {
            let header = Header::new(Version::B, Usage::new(usage).unwrap(), algorithm, mode);
            let mut out = [0u8; 200];
            String::from(
                wrap(
                    &kbpk,
                    &header,
                    &[0x23; 16],
                    KeyLengthMask::Minimal,
                    rng,
                    &mut out,
                )
                .unwrap(),
            )
        };
        // D0 with mode X: the header maps, but AWS has no such combination.
        let b = make("D0", Algorithm::Tdes, ModeOfUse::Derive, &mut rng);
        assert!(matches!(
            import_key_block(&kek, &b),
            Err(ExchangeError::Attributes(_))
        ));
        let b = make("M0", Algorithm::Tdes, ModeOfUse::GenerateVerify, &mut rng);
        assert_eq!(
            import_key_block(&kek, &b).unwrap_err(),
            ExchangeError::Header(HeaderField::Usage)
        );
        let b = make("D0", Algorithm::Des, ModeOfUse::EncryptDecrypt, &mut rng);
        assert_eq!(
            import_key_block(&kek, &b).unwrap_err(),
            ExchangeError::Header(HeaderField::Algorithm)
        );
        let b = make("D0", Algorithm::Tdes, ModeOfUse::SignOnly, &mut rng);
        assert_eq!(
            import_key_block(&kek, &b).unwrap_err(),
            ExchangeError::Header(HeaderField::ModeOfUse)
        );
        // Version D under a TDES KEK.
        let aes = SymmetricKey::from_hex(SymmetricAlgorithm::Aes128, KEK_HEX).unwrap();
        let header = Header::new(
            Version::D,
            Usage::D0,
            Algorithm::Tdes,
            ModeOfUse::EncryptDecrypt,
        );
        let mut out = [0u8; 200];
        let d = wrap(
            &aes,
            &header,
            &[0x23; 16],
            KeyLengthMask::Minimal,
            &mut rng,
            &mut out,
        )
        .unwrap();
        assert_eq!(
            import_key_block(&kek, d).unwrap_err(),
            ExchangeError::Key(Error::invalid(Problem::KeyBlockKbpk))
        );
    }

    /// IPEK of the X9.24-1 test BDK and KSN FFFF9876543210E00000: 6AC292FAA1315B4D858AB3A3D7D5933A.
    #[test]
    fn initial_key_export() {
        let mut rng = Sequence::new(1, 29, 7);
        let kek = key(
            KeyUsage::K0KeyEncryptionKey,
            SymmetricAlgorithm::Tdes2Key,
            KEK_HEX,
            all4(),
        );
        let bdk = key(
            KeyUsage::B0BaseDerivationKey,
            SymmetricAlgorithm::Tdes2Key,
            "0123456789ABCDEFFEDCBA9876543210",
            modes_of_use(ModeOfUse::Derive).unwrap(),
        );
        let ksn = [0xFF, 0xFF, 0x98, 0x76, 0x54, 0x32, 0x10, 0xE0, 0x00, 0x00];
        let (block, kcv, alg) =
            export_initial_key(&kek, &bdk, &ksn, None, &ExportHeaders::default(), &mut rng)
                .unwrap();
        assert_eq!(alg, KcvAlgorithm::AnsiX924);
        let kbpk = SymmetricKey::from_hex(SymmetricAlgorithm::Tdes2Key, KEK_HEX).unwrap();
        let mut buf = [0u8; 64];
        let un = super::super::unwrap(&block, &kbpk, Versions::Current, &mut buf).unwrap();
        assert_eq!(un.header().usage().as_str(), "B1");
        assert_eq!(un.header().mode_of_use(), ModeOfUse::Derive);
        let ipek = un.symmetric_key().unwrap();
        assert_eq!(
            crate::hex::encode_upper_string(ipek.secret_bytes()),
            "6AC292FAA1315B4D858AB3A3D7D5933A"
        );
        assert_eq!(kcv, ipek.kcv());
        let d0 = key(
            KeyUsage::D0SymmetricDataEncryptionKey,
            SymmetricAlgorithm::Tdes2Key,
            "0123456789ABCDEFFEDCBA9876543210",
            all4(),
        );
        assert_eq!(
            export_initial_key(&kek, &d0, &ksn, None, &ExportHeaders::default(), &mut rng)
                .unwrap_err(),
            ExchangeError::NotABdk
        );
    }
}
