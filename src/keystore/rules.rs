//! AWS's valid combinations of key usage, key class, key algorithm and modes of use: the one table that
//! creating, importing and loading a key are checked against.
//!
//! AWS Payment Cryptography refuses to create a key whose attributes do not form one of the
//! combinations its user guide lists ("Understanding key attributes for AWS Payment Cryptography key",
//! `keys-validattributes`). The table here is that list, for the algorithms paycrypt has (TDES, AES,
//! RSA):
//!
//! | usage | algorithms | class | modes of use (exactly one of these sets) |
//! |---|---|---|---|
//! | `B0` | TDES, AES | symmetric | {DeriveKey}, {NoRestrictions} |
//! | `C0`, `V1`, `V2`, `M6`, `M7` | TDES, AES | symmetric | {Generate}, {Verify}, {Generate, Verify}, {NoRestrictions} |
//! | `M1`, `M3` | TDES | symmetric | as `C0` |
//! | `D0`, `K0`, `K1`, `P0` | TDES, AES | symmetric | {Encrypt, Decrypt, Wrap, Unwrap}, {Encrypt, Wrap}, {Decrypt, Unwrap}, {NoRestrictions} |
//! | `E0`, `E1`, `E2`, `E4`, `E5`, `E6` | TDES, AES | symmetric | {DeriveKey}, {NoRestrictions} |
//! | `P1` | TDES, AES | symmetric | as `C0` **(assumption: the guide does not list `P1`)** |
//! | `D1`, `K2` | RSA | key pair | {Encrypt, Decrypt, Wrap, Unwrap}, {Encrypt, Wrap}, {Decrypt, Unwrap} |
//! | | | public key | {Encrypt, Wrap} |
//! | `S0` | RSA | key pair | {Sign}, {Verify} |
//! | | | public key | {Verify} |
//! | `K3` | (ECC only) | | |
//!
//! "TDES" is `TDES_2KEY` and `TDES_3KEY`, "AES" `AES_128`, `AES_192` and `AES_256`. A mode of use that
//! is not in a set must be false: `{Encrypt, Decrypt}` alone is not a valid `D0` key (reported refused
//! by the live service too). The class `PRIVATE_KEY` has no combination. The guide marks some
//! algorithms as creatable but unused by any operation (AES for `C0` and `E0`–`E6`); they are allowed.
//!
//! The data operations keep their own, narrower checks (which key may encrypt, decrypt, derive): those
//! refuse a key built in code that no combination allows, so they do not rely on this table.

use core::fmt;

use super::attributes::{KeyAttributes, KeyClass, KeyModesOfUse, KeyUsage};
use crate::algorithm::KeyAlgorithm;

impl KeyModesOfUse {
    /// Modes of use from the nine flags in the order of [`KeyModesOfUse::MEMBERS`] (the inverse of
    /// [`KeyModesOfUse::flags`]).
    #[must_use]
    pub const fn from_flags(flags: [bool; 9]) -> Self {
        let [
            encrypt,
            decrypt,
            wrap,
            unwrap,
            generate,
            sign,
            verify,
            derive_key,
            no_restrictions,
        ] = flags;
        KeyModesOfUse {
            encrypt,
            decrypt,
            wrap,
            unwrap,
            generate,
            sign,
            verify,
            derive_key,
            no_restrictions,
        }
    }
}

const fn modes(flags: [bool; 9]) -> KeyModesOfUse {
    KeyModesOfUse::from_flags(flags)
}

const F: bool = false;
const T: bool = true;

/// {Encrypt, Decrypt, Wrap, Unwrap}.
const ENCRYPT_DECRYPT: KeyModesOfUse = modes([T, T, T, T, F, F, F, F, F]);
/// {Encrypt, Wrap}.
const ENCRYPT: KeyModesOfUse = modes([T, F, T, F, F, F, F, F, F]);
/// {Decrypt, Unwrap}.
const DECRYPT: KeyModesOfUse = modes([F, T, F, T, F, F, F, F, F]);
/// {Generate}.
const GENERATE: KeyModesOfUse = modes([F, F, F, F, T, F, F, F, F]);
/// {Verify}.
const VERIFY: KeyModesOfUse = modes([F, F, F, F, F, F, T, F, F]);
/// {Generate, Verify}.
const GENERATE_VERIFY: KeyModesOfUse = modes([F, F, F, F, T, F, T, F, F]);
/// {Sign}.
const SIGN: KeyModesOfUse = modes([F, F, F, F, F, T, F, F, F]);
/// {DeriveKey}.
const DERIVE: KeyModesOfUse = modes([F, F, F, F, F, F, F, T, F]);
/// {NoRestrictions}.
const NO_RESTRICTIONS: KeyModesOfUse = modes([F, F, F, F, F, F, F, F, T]);

const ENCRYPTION_SETS: &[KeyModesOfUse] = &[ENCRYPT_DECRYPT, ENCRYPT, DECRYPT, NO_RESTRICTIONS];
const DERIVATION_SETS: &[KeyModesOfUse] = &[DERIVE, NO_RESTRICTIONS];
const MAC_SETS: &[KeyModesOfUse] = &[GENERATE, VERIFY, GENERATE_VERIFY, NO_RESTRICTIONS];
const RSA_PAIR_ENCRYPTION_SETS: &[KeyModesOfUse] = &[ENCRYPT_DECRYPT, ENCRYPT, DECRYPT];
const RSA_PUBLIC_ENCRYPTION_SETS: &[KeyModesOfUse] = &[ENCRYPT];
const RSA_PAIR_SIGNATURE_SETS: &[KeyModesOfUse] = &[SIGN, VERIFY];
const RSA_PUBLIC_SIGNATURE_SETS: &[KeyModesOfUse] = &[VERIFY];

/// Which algorithms a usage allows.
#[derive(Clone, Copy)]
enum Algorithms {
    /// `TDES_2KEY`, `TDES_3KEY`, `AES_128`, `AES_192`, `AES_256`.
    TdesAes,
    /// `TDES_2KEY`, `TDES_3KEY`.
    Tdes,
    /// `RSA_2048`, `RSA_3072`, `RSA_4096`.
    Rsa,
    /// None of paycrypt's (ECC only).
    None,
}

impl Algorithms {
    const fn allows(self, algorithm: KeyAlgorithm) -> bool {
        match (self, algorithm) {
            (Algorithms::TdesAes, KeyAlgorithm::Symmetric(_))
            | (Algorithms::Rsa, KeyAlgorithm::Rsa(_)) => true,
            (Algorithms::Tdes, KeyAlgorithm::Symmetric(s)) => s.is_tdes(),
            _ => false,
        }
    }

    const fn names(self) -> &'static str {
        match self {
            Algorithms::TdesAes => "TDES_2KEY, TDES_3KEY, AES_128, AES_192, AES_256",
            Algorithms::Tdes => "TDES_2KEY, TDES_3KEY",
            Algorithms::Rsa => "RSA_2048, RSA_3072, RSA_4096",
            Algorithms::None => "ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521 (not supported here)",
        }
    }
}

/// One row of the table: a usage, its algorithms, and the mode-of-use sets of each class it allows.
struct Rule {
    algorithms: Algorithms,
    classes: &'static [(KeyClass, &'static [KeyModesOfUse])],
}

const SYMMETRIC_ENCRYPTION: Rule = Rule {
    algorithms: Algorithms::TdesAes,
    classes: &[(KeyClass::SymmetricKey, ENCRYPTION_SETS)],
};
const SYMMETRIC_DERIVATION: Rule = Rule {
    algorithms: Algorithms::TdesAes,
    classes: &[(KeyClass::SymmetricKey, DERIVATION_SETS)],
};
const SYMMETRIC_MAC: Rule = Rule {
    algorithms: Algorithms::TdesAes,
    classes: &[(KeyClass::SymmetricKey, MAC_SETS)],
};
const TDES_MAC: Rule = Rule {
    algorithms: Algorithms::Tdes,
    classes: &[(KeyClass::SymmetricKey, MAC_SETS)],
};
const RSA_ENCRYPTION: Rule = Rule {
    algorithms: Algorithms::Rsa,
    classes: &[
        (KeyClass::AsymmetricKeyPair, RSA_PAIR_ENCRYPTION_SETS),
        (KeyClass::PublicKey, RSA_PUBLIC_ENCRYPTION_SETS),
    ],
};
const RSA_SIGNATURE: Rule = Rule {
    algorithms: Algorithms::Rsa,
    classes: &[
        (KeyClass::AsymmetricKeyPair, RSA_PAIR_SIGNATURE_SETS),
        (KeyClass::PublicKey, RSA_PUBLIC_SIGNATURE_SETS),
    ],
};
const KEY_AGREEMENT: Rule = Rule {
    algorithms: Algorithms::None,
    classes: &[],
};

const fn rule(usage: KeyUsage) -> &'static Rule {
    match usage {
        KeyUsage::B0BaseDerivationKey
        | KeyUsage::E0EmvMkeyAppCryptograms
        | KeyUsage::E1EmvMkeyConfidentiality
        | KeyUsage::E2EmvMkeyIntegrity
        | KeyUsage::E4EmvMkeyDynamicNumbers
        | KeyUsage::E5EmvMkeyCardPersonalization
        | KeyUsage::E6EmvMkeyOther => &SYMMETRIC_DERIVATION,
        KeyUsage::C0CardVerificationKey
        | KeyUsage::M6Iso9797_5CmacKey
        | KeyUsage::M7HmacKey
        | KeyUsage::P1PinGenerationKey
        | KeyUsage::V1Ibm3624PinVerificationKey
        | KeyUsage::V2VisaPinVerificationKey => &SYMMETRIC_MAC,
        KeyUsage::M1Iso9797_1MacKey | KeyUsage::M3Iso9797_3MacKey => &TDES_MAC,
        KeyUsage::D0SymmetricDataEncryptionKey
        | KeyUsage::K0KeyEncryptionKey
        | KeyUsage::K1KeyBlockProtectionKey
        | KeyUsage::P0PinEncryptionKey => &SYMMETRIC_ENCRYPTION,
        KeyUsage::D1AsymmetricKeyForDataEncryption | KeyUsage::K2Tr34AsymmetricKey => {
            &RSA_ENCRYPTION
        }
        KeyUsage::S0AsymmetricKeyForDigitalSignature => &RSA_SIGNATURE,
        KeyUsage::K3AsymmetricKeyForKeyAgreement => &KEY_AGREEMENT,
    }
}

/// Which attribute breaks the table, for [`AttributesRefused`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefusedAttribute {
    /// `KeyAlgorithm` is not one of the usage's algorithms.
    KeyAlgorithm,
    /// `KeyClass` is not one the usage allows.
    KeyClass,
    /// `KeyModesOfUse` is not one of the sets the usage and class allow.
    KeyModesOfUse,
}

impl RefusedAttribute {
    /// The `KeyAttributes` member at fault, e.g. `KeyModesOfUse`.
    #[must_use]
    pub const fn member(self) -> &'static str {
        match self {
            RefusedAttribute::KeyAlgorithm => "KeyAlgorithm",
            RefusedAttribute::KeyClass => "KeyClass",
            RefusedAttribute::KeyModesOfUse => "KeyModesOfUse",
        }
    }
}

/// Key attributes that form none of AWS's valid combinations; `Display` says which attribute and what
/// the usage allows (only AWS names, never key material).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AttributesRefused {
    attributes: KeyAttributes,
    attribute: RefusedAttribute,
}

impl AttributesRefused {
    /// The attribute at fault.
    #[must_use]
    pub const fn attribute(&self) -> RefusedAttribute {
        self.attribute
    }

    /// The attributes that were refused.
    #[must_use]
    pub const fn attributes(&self) -> &KeyAttributes {
        &self.attributes
    }
}

struct ModesSet<'a>(&'a KeyModesOfUse);

impl fmt::Display for ModesSet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        let mut first = true;
        for (name, set) in KeyModesOfUse::MEMBERS.iter().zip(self.0.flags()) {
            if set {
                if !first {
                    f.write_str(", ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        f.write_str("}")
    }
}

impl fmt::Display for AttributesRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.attributes;
        let rule = rule(a.key_usage);
        match self.attribute {
            RefusedAttribute::KeyAlgorithm => write!(
                f,
                "KeyAlgorithm {} is not allowed for {}; allowed: {}",
                a.key_algorithm,
                a.key_usage,
                rule.algorithms.names()
            ),
            RefusedAttribute::KeyClass => {
                write!(
                    f,
                    "KeyClass {} is not allowed for {}",
                    a.key_class, a.key_usage
                )?;
                if !rule.classes.is_empty() {
                    f.write_str("; allowed: ")?;
                    for (i, (class, _)) in rule.classes.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{class}")?;
                    }
                }
                Ok(())
            }
            RefusedAttribute::KeyModesOfUse => {
                write!(
                    f,
                    "KeyModesOfUse {} is not allowed for a {} {} key; allowed: ",
                    ModesSet(&a.key_modes_of_use),
                    a.key_usage,
                    a.key_class
                )?;
                for (i, set) in allowed_modes(a.key_usage, a.key_class).iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", ModesSet(set))?;
                }
                Ok(())
            }
        }
    }
}

impl core::error::Error for AttributesRefused {}

/// The mode-of-use sets AWS allows for a usage and class (empty when the class is not allowed).
#[must_use]
pub fn allowed_modes(usage: KeyUsage, class: KeyClass) -> &'static [KeyModesOfUse] {
    rule(usage)
        .classes
        .iter()
        .find(|(c, _)| *c == class)
        .map_or(&[], |(_, sets)| *sets)
}

impl KeyAttributes {
    /// Check these attributes against AWS's valid combinations (modes: [`allowed_modes`]): the
    /// algorithm for the usage first, then the class, then the modes of use (exactly one of the
    /// allowed sets).
    ///
    /// # Errors
    ///
    /// [`AttributesRefused`] naming the first attribute that fits no combination.
    pub fn check_combination(&self) -> Result<(), AttributesRefused> {
        let refused = |attribute| {
            Err(AttributesRefused {
                attributes: *self,
                attribute,
            })
        };
        let rule = rule(self.key_usage);
        if !rule.algorithms.allows(self.key_algorithm) {
            return refused(RefusedAttribute::KeyAlgorithm);
        }
        let Some((_, sets)) = rule.classes.iter().find(|(c, _)| *c == self.key_class) else {
            return refused(RefusedAttribute::KeyClass);
        };
        if !sets.contains(&self.key_modes_of_use) {
            return refused(RefusedAttribute::KeyModesOfUse);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::{RsaSize, SymmetricAlgorithm};

    fn attrs(
        usage: KeyUsage,
        class: KeyClass,
        algorithm: KeyAlgorithm,
        modes: KeyModesOfUse,
    ) -> KeyAttributes {
        KeyAttributes {
            key_usage: usage,
            key_class: class,
            key_algorithm: algorithm,
            key_modes_of_use: modes,
        }
    }

    const TDES2: KeyAlgorithm = KeyAlgorithm::Symmetric(SymmetricAlgorithm::Tdes2Key);
    const AES128: KeyAlgorithm = KeyAlgorithm::Symmetric(SymmetricAlgorithm::Aes128);
    const RSA2048: KeyAlgorithm = KeyAlgorithm::Rsa(RsaSize::Rsa2048);

    #[test]
    fn documented_combinations_pass() {
        use KeyClass::*;
        use KeyUsage::*;
        let ok = [
            attrs(
                D0SymmetricDataEncryptionKey,
                SymmetricKey,
                TDES2,
                ENCRYPT_DECRYPT,
            ),
            attrs(D0SymmetricDataEncryptionKey, SymmetricKey, AES128, ENCRYPT),
            attrs(D0SymmetricDataEncryptionKey, SymmetricKey, AES128, DECRYPT),
            attrs(
                D0SymmetricDataEncryptionKey,
                SymmetricKey,
                AES128,
                NO_RESTRICTIONS,
            ),
            attrs(B0BaseDerivationKey, SymmetricKey, TDES2, DERIVE),
            attrs(
                B0BaseDerivationKey,
                SymmetricKey,
                KeyAlgorithm::Symmetric(SymmetricAlgorithm::Tdes3Key),
                NO_RESTRICTIONS,
            ),
            attrs(K0KeyEncryptionKey, SymmetricKey, AES128, ENCRYPT_DECRYPT),
            attrs(K1KeyBlockProtectionKey, SymmetricKey, TDES2, DECRYPT),
            attrs(M3Iso9797_3MacKey, SymmetricKey, TDES2, GENERATE_VERIFY),
            attrs(C0CardVerificationKey, SymmetricKey, AES128, VERIFY),
            attrs(E6EmvMkeyOther, SymmetricKey, TDES2, DERIVE),
            attrs(
                D1AsymmetricKeyForDataEncryption,
                AsymmetricKeyPair,
                RSA2048,
                ENCRYPT_DECRYPT,
            ),
            attrs(
                D1AsymmetricKeyForDataEncryption,
                AsymmetricKeyPair,
                RSA2048,
                DECRYPT,
            ),
            attrs(
                D1AsymmetricKeyForDataEncryption,
                PublicKey,
                RSA2048,
                ENCRYPT,
            ),
            attrs(
                S0AsymmetricKeyForDigitalSignature,
                PublicKey,
                RSA2048,
                VERIFY,
            ),
            attrs(
                S0AsymmetricKeyForDigitalSignature,
                AsymmetricKeyPair,
                RSA2048,
                SIGN,
            ),
            attrs(K2Tr34AsymmetricKey, PublicKey, RSA2048, ENCRYPT),
        ];
        for a in ok {
            assert_eq!(a.check_combination(), Ok(()), "{a:?}");
        }
    }

    #[test]
    fn refusals_name_the_attribute() {
        use KeyClass::*;
        use KeyUsage::*;
        let both = modes([T, T, F, F, F, F, F, F, F]);
        let cases = [
            // {Encrypt, Decrypt} without Wrap/Unwrap: refused by AWS.
            (
                attrs(D0SymmetricDataEncryptionKey, SymmetricKey, TDES2, both),
                RefusedAttribute::KeyModesOfUse,
            ),
            // A flag beyond the set.
            (
                attrs(
                    B0BaseDerivationKey,
                    SymmetricKey,
                    AES128,
                    modes([F, F, F, F, F, F, F, T, T]),
                ),
                RefusedAttribute::KeyModesOfUse,
            ),
            (
                attrs(M3Iso9797_3MacKey, SymmetricKey, AES128, GENERATE),
                RefusedAttribute::KeyAlgorithm,
            ),
            (
                attrs(D0SymmetricDataEncryptionKey, SymmetricKey, RSA2048, ENCRYPT),
                RefusedAttribute::KeyAlgorithm,
            ),
            (
                attrs(
                    D1AsymmetricKeyForDataEncryption,
                    SymmetricKey,
                    RSA2048,
                    ENCRYPT,
                ),
                RefusedAttribute::KeyClass,
            ),
            (
                attrs(
                    D1AsymmetricKeyForDataEncryption,
                    PrivateKey,
                    RSA2048,
                    DECRYPT,
                ),
                RefusedAttribute::KeyClass,
            ),
            (
                attrs(
                    D1AsymmetricKeyForDataEncryption,
                    PublicKey,
                    RSA2048,
                    ENCRYPT_DECRYPT,
                ),
                RefusedAttribute::KeyModesOfUse,
            ),
            (
                attrs(D0SymmetricDataEncryptionKey, PublicKey, AES128, ENCRYPT),
                RefusedAttribute::KeyClass,
            ),
            (
                attrs(K3AsymmetricKeyForKeyAgreement, PublicKey, RSA2048, DERIVE),
                RefusedAttribute::KeyAlgorithm,
            ),
            (
                attrs(
                    D0SymmetricDataEncryptionKey,
                    SymmetricKey,
                    AES128,
                    KeyModesOfUse::default(),
                ),
                RefusedAttribute::KeyModesOfUse,
            ),
        ];
        for (a, attribute) in cases {
            let e = a.check_combination().unwrap_err();
            assert_eq!(e.attribute(), attribute, "{a:?}");
            assert_eq!(e.attributes(), &a);
        }
    }

    #[test]
    fn messages_list_what_is_allowed() {
        let a = attrs(
            KeyUsage::D0SymmetricDataEncryptionKey,
            KeyClass::SymmetricKey,
            TDES2,
            modes([T, T, F, F, F, F, F, F, F]),
        );
        assert_eq!(
            alloc::format!("{}", a.check_combination().unwrap_err()),
            "KeyModesOfUse {Encrypt, Decrypt} is not allowed for a \
             TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY SYMMETRIC_KEY key; allowed: \
             {Encrypt, Decrypt, Wrap, Unwrap}, {Encrypt, Wrap}, {Decrypt, Unwrap}, {NoRestrictions}"
        );
        let c = attrs(
            KeyUsage::D1AsymmetricKeyForDataEncryption,
            KeyClass::SymmetricKey,
            RSA2048,
            ENCRYPT,
        );
        assert_eq!(
            alloc::format!("{}", c.check_combination().unwrap_err()),
            "KeyClass SYMMETRIC_KEY is not allowed for TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION; \
             allowed: ASYMMETRIC_KEY_PAIR, PUBLIC_KEY"
        );
    }

    /// Every usage, class, algorithm and one-flag-more-or-less variation: a combination passes exactly
    /// when the table lists it.
    #[test]
    fn exhaustive_against_the_table() {
        let mut passed = 0;
        for usage in KeyUsage::ALL {
            for class in KeyClass::ALL {
                for algorithm in KeyAlgorithm::ALL {
                    for bits in 0u16..512 {
                        let mut flags = [false; 9];
                        for (i, f) in flags.iter_mut().enumerate() {
                            *f = bits & (1 << i) != 0;
                        }
                        let a = attrs(usage, class, algorithm, modes(flags));
                        let listed = rule(usage).algorithms.allows(algorithm)
                            && allowed_modes(usage, class).contains(&modes(flags));
                        assert_eq!(a.check_combination().is_ok(), listed, "{a:?}");
                        passed += usize::from(listed);
                    }
                }
            }
        }
        assert!(passed > 100);
    }
}
