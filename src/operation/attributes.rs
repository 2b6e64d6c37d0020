//! Typed encryption attributes: how one side of an operation uses its key.

use crate::algorithm::{Mode, SymmetricAlgorithm};
use crate::dukpt::{DukptKeyVariant, Ksn};
use crate::rsa::RsaPadding;
use crate::symmetric::Iv;

/// AWS `SymmetricEncryptionAttributes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SymmetricAttributes {
    /// `Mode`.
    pub mode: Mode,
    /// `InitializationVector`; absent means all zero.
    pub iv: Option<Iv>,
    /// `PaddingType`: with an RSA key this selects RSA encryption (the seed API's form of asymmetric
    /// use); with a TDES or AES key it is accepted and ignored **(decision)**.
    pub padding: Option<RsaPadding>,
}

/// AWS `AsymmetricEncryptionAttributes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsymmetricAttributes {
    /// `PaddingType`; absent means raw RSA (no padding): for `EncryptData` and `DecryptData`, and for
    /// the outgoing side of `ReEncryptData` only into a key that opts in
    /// ([`Key::with_raw_rsa_outgoing`](crate::Key::with_raw_rsa_outgoing)) from a non-RSA incoming side
    /// (else [`Problem::PaddingTypeRequired`](crate::Problem::PaddingTypeRequired)).
    pub padding: Option<RsaPadding>,
}

/// AWS `DukptEncryptionAttributes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DukptAttributes {
    /// `KeySerialNumber`.
    pub ksn: Ksn,
    /// `Mode`: ECB or CBC only (default CBC).
    pub mode: Mode,
    /// `DukptKeyDerivationType`; absent means the BDK's own algorithm.
    pub derivation_type: Option<SymmetricAlgorithm>,
    /// `DukptKeyVariant`; absent means `BIDIRECTIONAL`.
    pub variant: Option<DukptKeyVariant>,
    /// `InitializationVector`; absent means all zero. Its size follows the working key's block.
    pub iv: Option<Iv>,
}

impl DukptAttributes {
    /// Attributes with a KSN and every other member at its default (CBC, zero IV, BDK's algorithm,
    /// `BIDIRECTIONAL`).
    #[must_use]
    pub fn new(ksn: Ksn) -> Self {
        DukptAttributes {
            ksn,
            mode: Mode::Cbc,
            derivation_type: None,
            variant: None,
            iv: None,
        }
    }
}

/// AWS `EncryptionDecryptionAttributes`: exactly one of the three kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncryptionAttributes {
    /// `Symmetric`.
    Symmetric(SymmetricAttributes),
    /// `Asymmetric`.
    Asymmetric(AsymmetricAttributes),
    /// `Dukpt`.
    Dukpt(DukptAttributes),
}

impl EncryptionAttributes {
    /// Symmetric attributes with a mode and optional IV, no padding type.
    #[must_use]
    pub fn symmetric(mode: Mode, iv: Option<Iv>) -> Self {
        EncryptionAttributes::Symmetric(SymmetricAttributes {
            mode,
            iv,
            padding: None,
        })
    }

    /// DUKPT attributes with a KSN and a mode (ECB or CBC); every other member at its default.
    #[must_use]
    pub fn dukpt(ksn: Ksn, mode: Mode) -> Self {
        EncryptionAttributes::Dukpt(DukptAttributes {
            mode,
            ..DukptAttributes::new(ksn)
        })
    }

    /// Asymmetric attributes with an optional padding type.
    #[must_use]
    pub fn asymmetric(padding: Option<RsaPadding>) -> Self {
        EncryptionAttributes::Asymmetric(AsymmetricAttributes { padding })
    }

    /// The AWS member name of the kind: `Symmetric`, `Asymmetric` or `Dukpt`.
    #[must_use]
    pub const fn kind_name(&self) -> &'static str {
        match self {
            EncryptionAttributes::Symmetric(_) => "Symmetric",
            EncryptionAttributes::Asymmetric(_) => "Asymmetric",
            EncryptionAttributes::Dukpt(_) => "Dukpt",
        }
    }
}
