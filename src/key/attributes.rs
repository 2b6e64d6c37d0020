//! AWS key attributes: usage, class, modes of use, state, and the ARN / identifier types.

use core::fmt;

use crate::algorithm::{KeyAlgorithm, vocabulary};
use crate::error::{Error, Problem};

vocabulary! { aws
    /// AWS `KeyUsage` (the TR-31 key usage). Only D0, B0 and D1 may take part in data encryption; the
    /// others are listed so a key store can hold them and the operation can refuse them precisely.
    KeyUsage {
        /// `TR31_B0_BASE_DERIVATION_KEY`: a DUKPT BDK.
        B0BaseDerivationKey = "TR31_B0_BASE_DERIVATION_KEY",
        /// `TR31_C0_CARD_VERIFICATION_KEY`.
        C0CardVerificationKey = "TR31_C0_CARD_VERIFICATION_KEY",
        /// `TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY`: a symmetric data key.
        D0SymmetricDataEncryptionKey = "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
        /// `TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION`: an RSA data key.
        D1AsymmetricKeyForDataEncryption = "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION",
        /// `TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS`.
        E0EmvMkeyAppCryptograms = "TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS",
        /// `TR31_E1_EMV_MKEY_CONFIDENTIALITY`.
        E1EmvMkeyConfidentiality = "TR31_E1_EMV_MKEY_CONFIDENTIALITY",
        /// `TR31_E2_EMV_MKEY_INTEGRITY`.
        E2EmvMkeyIntegrity = "TR31_E2_EMV_MKEY_INTEGRITY",
        /// `TR31_E4_EMV_MKEY_DYNAMIC_NUMBERS`.
        E4EmvMkeyDynamicNumbers = "TR31_E4_EMV_MKEY_DYNAMIC_NUMBERS",
        /// `TR31_E5_EMV_MKEY_CARD_PERSONALIZATION`.
        E5EmvMkeyCardPersonalization = "TR31_E5_EMV_MKEY_CARD_PERSONALIZATION",
        /// `TR31_E6_EMV_MKEY_OTHER`.
        E6EmvMkeyOther = "TR31_E6_EMV_MKEY_OTHER",
        /// `TR31_K0_KEY_ENCRYPTION_KEY`.
        K0KeyEncryptionKey = "TR31_K0_KEY_ENCRYPTION_KEY",
        /// `TR31_K1_KEY_BLOCK_PROTECTION_KEY`.
        K1KeyBlockProtectionKey = "TR31_K1_KEY_BLOCK_PROTECTION_KEY",
        /// `TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT`.
        K3AsymmetricKeyForKeyAgreement = "TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT",
        /// `TR31_M3_ISO_9797_3_MAC_KEY`.
        M3Iso9797_3MacKey = "TR31_M3_ISO_9797_3_MAC_KEY",
        /// `TR31_M1_ISO_9797_1_MAC_KEY`.
        M1Iso9797_1MacKey = "TR31_M1_ISO_9797_1_MAC_KEY",
        /// `TR31_M6_ISO_9797_5_CMAC_KEY`.
        M6Iso9797_5CmacKey = "TR31_M6_ISO_9797_5_CMAC_KEY",
        /// `TR31_M7_HMAC_KEY`.
        M7HmacKey = "TR31_M7_HMAC_KEY",
        /// `TR31_P0_PIN_ENCRYPTION_KEY`.
        P0PinEncryptionKey = "TR31_P0_PIN_ENCRYPTION_KEY",
        /// `TR31_P1_PIN_GENERATION_KEY`.
        P1PinGenerationKey = "TR31_P1_PIN_GENERATION_KEY",
        /// `TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE`.
        S0AsymmetricKeyForDigitalSignature = "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE",
        /// `TR31_V1_IBM3624_PIN_VERIFICATION_KEY`.
        V1Ibm3624PinVerificationKey = "TR31_V1_IBM3624_PIN_VERIFICATION_KEY",
        /// `TR31_V2_VISA_PIN_VERIFICATION_KEY`.
        V2VisaPinVerificationKey = "TR31_V2_VISA_PIN_VERIFICATION_KEY",
        /// `TR31_K2_TR34_ASYMMETRIC_KEY`.
        K2Tr34AsymmetricKey = "TR31_K2_TR34_ASYMMETRIC_KEY",
    }
}

vocabulary! { aws
    /// AWS `KeyClass`.
    KeyClass {
        /// `SYMMETRIC_KEY`.
        SymmetricKey = "SYMMETRIC_KEY",
        /// `ASYMMETRIC_KEY_PAIR`: a private key with its public half (can decrypt and encrypt).
        AsymmetricKeyPair = "ASYMMETRIC_KEY_PAIR",
        /// `PRIVATE_KEY`.
        PrivateKey = "PRIVATE_KEY",
        /// `PUBLIC_KEY`: an imported public key (can only encrypt).
        PublicKey = "PUBLIC_KEY",
    }
}

vocabulary! { aws
    /// AWS `KeyState`. Only `CREATE_COMPLETE` keys can be used.
    KeyState {
        /// `CREATE_IN_PROGRESS`.
        CreateInProgress = "CREATE_IN_PROGRESS",
        /// `CREATE_COMPLETE`.
        CreateComplete = "CREATE_COMPLETE",
        /// `DELETE_PENDING`.
        DeletePending = "DELETE_PENDING",
        /// `DELETE_COMPLETE`.
        DeleteComplete = "DELETE_COMPLETE",
    }
}

/// AWS `KeyModesOfUse`: what a key may be used for. Members not given are `false`.
#[allow(clippy::struct_excessive_bools)] // AWS's shape: nine independent flags
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyModesOfUse {
    /// `Encrypt`.
    pub encrypt: bool,
    /// `Decrypt`.
    pub decrypt: bool,
    /// `Wrap`.
    pub wrap: bool,
    /// `Unwrap`.
    pub unwrap: bool,
    /// `Generate`.
    pub generate: bool,
    /// `Sign`.
    pub sign: bool,
    /// `Verify`.
    pub verify: bool,
    /// `DeriveKey`.
    pub derive_key: bool,
    /// `NoRestrictions`.
    pub no_restrictions: bool,
}

impl KeyModesOfUse {
    /// The AWS member names, in AWS's order, with accessors (for the wire layer and listings).
    pub const MEMBERS: [&'static str; 9] = [
        "Encrypt",
        "Decrypt",
        "Wrap",
        "Unwrap",
        "Generate",
        "Sign",
        "Verify",
        "DeriveKey",
        "NoRestrictions",
    ];

    /// The flag of an AWS member name (`None` for an unknown name).
    pub fn flag_mut(&mut self, member: &str) -> Option<&mut bool> {
        Some(match member {
            "Encrypt" => &mut self.encrypt,
            "Decrypt" => &mut self.decrypt,
            "Wrap" => &mut self.wrap,
            "Unwrap" => &mut self.unwrap,
            "Generate" => &mut self.generate,
            "Sign" => &mut self.sign,
            "Verify" => &mut self.verify,
            "DeriveKey" => &mut self.derive_key,
            "NoRestrictions" => &mut self.no_restrictions,
            _ => return None,
        })
    }

    /// The flags in the order of [`KeyModesOfUse::MEMBERS`].
    pub const fn flags(&self) -> [bool; 9] {
        [
            self.encrypt,
            self.decrypt,
            self.wrap,
            self.unwrap,
            self.generate,
            self.sign,
            self.verify,
            self.derive_key,
            self.no_restrictions,
        ]
    }
}

/// AWS `KeyAttributes`: what a key is and what it may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyAttributes {
    /// `KeyUsage`.
    pub key_usage: KeyUsage,
    /// `KeyClass`.
    pub key_class: KeyClass,
    /// `KeyAlgorithm`.
    pub key_algorithm: KeyAlgorithm,
    /// `KeyModesOfUse`.
    pub key_modes_of_use: KeyModesOfUse,
}

/// Longest key identifier AWS accepts (322 characters).
pub const MAX_IDENTIFIER_LEN: usize = 322;

/// A key ARN: `arn:aws:payment-cryptography:<region>:<12 digits>:key/<16–64 alphanumerics>`.
///
/// Parsed once at the edge ([`KeyArn::parse`]); stored inline, so it needs no allocator.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyArn {
    bytes: [u8; MAX_IDENTIFIER_LEN],
    len: u16,
}

/// The parts of an identifier of the shape `arn:aws:payment-cryptography:<region>:<account>:<resource>`.
fn split_arn(s: &str) -> Option<(&str, &str, &str)> {
    let rest = s.strip_prefix("arn:aws:payment-cryptography:")?;
    let (region, rest) = rest.split_once(':')?;
    let (account, resource) = rest.split_once(':')?;
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (region_ok && account_ok).then_some((region, account, resource))
}

fn is_alias_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'))
}

impl KeyArn {
    /// Parse a key ARN of at most [`MAX_IDENTIFIER_LEN`] characters; anything else is
    /// [`Problem::KeyIdentifier`].
    pub fn parse(s: &str) -> Result<Self, Error> {
        let bad = || Error::invalid(Problem::KeyIdentifier);
        // The length is bounded first: the inline buffer holds at most MAX_IDENTIFIER_LEN bytes,
        // whatever the parts' own lengths (the region's is not bounded by the pattern).
        let mut bytes = [0u8; MAX_IDENTIFIER_LEN];
        let dst = bytes.get_mut(..s.len()).ok_or_else(bad)?;
        let len = u16::try_from(s.len()).map_err(|_| bad())?;
        let (_, _, resource) = split_arn(s).ok_or_else(bad)?;
        let id = resource.strip_prefix("key/").ok_or_else(bad)?;
        if !(16..=64).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad());
        }
        dst.copy_from_slice(s.as_bytes());
        Ok(KeyArn { bytes, len })
    }

    /// The ARN text.
    pub fn as_str(&self) -> &str {
        // Built only from a `&str` that `parse` checked to be ASCII.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// `(region, account)` of the ARN.
    pub fn region_and_account(&self) -> (&str, &str) {
        split_arn(self.as_str())
            .map(|(r, a, _)| (r, a))
            .unwrap_or_default()
    }
}

impl fmt::Debug for KeyArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyArn({})", self.as_str())
    }
}

impl fmt::Display for KeyArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A key identifier as a request gives it: a key ARN, an alias ARN or `alias/<name>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyIdentifier<'a> {
    /// `arn:aws:payment-cryptography:<region>:<account>:key/<id>`.
    KeyArn(&'a str),
    /// `arn:aws:payment-cryptography:<region>:<account>:alias/<name>`: the alias name (with its `alias/`
    /// prefix) and the region and account.
    AliasArn {
        /// `alias/<name>`.
        alias: &'a str,
        /// The ARN's region.
        region: &'a str,
        /// The ARN's account.
        account: &'a str,
    },
    /// `alias/<name>`.
    Alias(&'a str),
}

impl<'a> KeyIdentifier<'a> {
    /// Parse an identifier (7–322 characters, one of the three shapes); else [`Problem::KeyIdentifier`].
    pub fn parse(s: &'a str) -> Result<Self, Error> {
        let bad = || Error::invalid(Problem::KeyIdentifier);
        if !(7..=MAX_IDENTIFIER_LEN).contains(&s.len()) {
            return Err(bad());
        }
        if let Some(name) = s.strip_prefix("alias/") {
            return if is_alias_name(name) {
                Ok(KeyIdentifier::Alias(s))
            } else {
                Err(bad())
            };
        }
        let (region, account, resource) = split_arn(s).ok_or_else(bad)?;
        if let Some(name) = resource.strip_prefix("alias/") {
            return if is_alias_name(name) {
                Ok(KeyIdentifier::AliasArn {
                    alias: resource,
                    region,
                    account,
                })
            } else {
                Err(bad())
            };
        }
        KeyArn::parse(s).map(|_| KeyIdentifier::KeyArn(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h";

    #[test]
    fn identifiers() {
        assert_eq!(KeyIdentifier::parse(ARN), Ok(KeyIdentifier::KeyArn(ARN)));
        assert_eq!(
            KeyIdentifier::parse("alias/demo-tdes_bdk/1"),
            Ok(KeyIdentifier::Alias("alias/demo-tdes_bdk/1"))
        );
        assert_eq!(
            KeyIdentifier::parse("arn:aws:payment-cryptography:us-east-2:111122223333:alias/x-1"),
            Ok(KeyIdentifier::AliasArn {
                alias: "alias/x-1",
                region: "us-east-2",
                account: "111122223333"
            })
        );
        for bad in [
            "",
            "alias/",
            "alias/a b",
            "key/kwapwa6qaifllw2h",
            "arn:aws:payment-cryptography:us-east-2:11112222333:key/kwapwa6qaifllw2h",
            "arn:aws:payment-cryptography:us-east-2:111122223333:key/short",
            "arn:aws:payment-cryptography:US:111122223333:key/kwapwa6qaifllw2h",
            "arn:aws:kms:us-east-2:111122223333:key/kwapwa6qaifllw2h",
        ] {
            assert!(KeyIdentifier::parse(bad).is_err(), "{bad}");
        }
        let long = alloc::format!("alias/{}", "a".repeat(400));
        assert!(KeyIdentifier::parse(&long).is_err());
    }

    /// M1 of the security audit: a region long enough to take the ARN past 322 bytes panicked.
    #[test]
    fn long_arns_are_refused_not_a_panic() {
        let arn = |region_len: usize| {
            alloc::format!(
                "arn:aws:payment-cryptography:{}:111122223333:key/abcdefghijklmnop",
                "a".repeat(region_len)
            )
        };
        // 63 bytes besides the region: 259 characters is exactly 322 bytes.
        assert_eq!(arn(259).len(), MAX_IDENTIFIER_LEN);
        assert_eq!(KeyArn::parse(&arn(259)).unwrap().as_str(), arn(259));
        for region_len in [260, 300, 1000, 70_000] {
            assert_eq!(
                KeyArn::parse(&arn(region_len)),
                Err(Error::invalid(Problem::KeyIdentifier)),
                "{region_len}"
            );
            assert!(KeyIdentifier::parse(&arn(region_len)).is_err());
        }
    }

    #[test]
    fn arn_round_trip() {
        let arn = KeyArn::parse(ARN).unwrap();
        assert_eq!(arn.as_str(), ARN);
        assert_eq!(arn.region_and_account(), ("us-east-2", "111122223333"));
        assert!(KeyArn::parse("alias/x").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(
            KeyUsage::from_aws_name("TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY"),
            Some(KeyUsage::D0SymmetricDataEncryptionKey)
        );
        assert_eq!(
            KeyClass::from_aws_name("PUBLIC_KEY"),
            Some(KeyClass::PublicKey)
        );
        assert_eq!(KeyState::from_aws_name("x"), None);
        let mut m = KeyModesOfUse::default();
        *m.flag_mut("DeriveKey").unwrap() = true;
        assert!(m.derive_key);
        assert!(m.flag_mut("derivekey").is_none());
    }
}
