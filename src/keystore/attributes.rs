//! AWS key attributes: what a stored key is (`KeyUsage`, `KeyClass`, `KeyAlgorithm`), what it may do
//! (`KeyModesOfUse`) and whether it can be used (`KeyState`).

use crate::algorithm::{KeyAlgorithm, vocabulary};

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
#[expect(
    clippy::struct_excessive_bools,
    reason = "AWS's shape: nine independent flags"
)]
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

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
