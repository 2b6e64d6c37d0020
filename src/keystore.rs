//! Stored keys and where the operations look them up.
//!
//! A [`Key`] is what AWS Payment Cryptography keeps for a key: its [`KeyArn`], [`KeyAttributes`]
//! (usage, class, algorithm, modes of use), `Enabled`, [`KeyState`], its key check value and that
//! value's algorithm, and the [`KeyMaterial`]. Keys are checked when they are built: the material must
//! fit the declared algorithm and class, a TDES key may not collapse to single DES, and the check value
//! is computed from the material, never taken on trust. [`Key::from_material`] derives the class and
//! algorithm from the material; [`Key::new`] checks declared ones.
//!
//! [`KeyStore`] is the lookup a firmware or an emulator implements (by key ARN, alias ARN or
//! `alias/name`, already parsed into a [`KeyIdentifier`]); [`KeyStore::lookup`] parses and looks up in
//! one call. A slice of keys is a store (no aliases, no allocator); [`MemoryKeyStore`] (feature
//! `alloc`) adds aliases, and the wire layer (feature `json`) loads one from a key-store document
//! (`MemoryKeyStore::from_json`).

mod attributes;
mod identifier;
#[cfg(feature = "alloc")]
mod memory;

use core::fmt;

pub use attributes::{KeyAttributes, KeyClass, KeyModesOfUse, KeyState, KeyUsage};
pub use identifier::{KeyArn, KeyIdentifier, MAX_IDENTIFIER_LEN};
#[cfg(feature = "alloc")]
pub use memory::MemoryKeyStore;

use crate::algorithm::KeyAlgorithm;
use crate::error::{Error, Problem, Result};
use crate::kcv::{Kcv, KcvAlgorithm};
use crate::key::SymmetricKey;
use crate::rsa::{RsaPrivateKey, RsaPublicKey};

/// The secret (or, for an imported public key, public) material of a stored key.
///
/// Without the `rsa` feature the RSA variants cannot hold a value (see [`crate::rsa`]).
#[expect(
    clippy::large_enum_variant,
    reason = "held inline: `no_std` without an allocator has no `Box`"
)]
pub enum KeyMaterial {
    /// A TDES or AES key.
    Symmetric(SymmetricKey),
    /// An RSA private key (class `ASYMMETRIC_KEY_PAIR`): decrypts, and encrypts with its public half.
    RsaPrivate(RsaPrivateKey),
    /// An imported RSA public key (class `PUBLIC_KEY`): encrypts only.
    RsaPublic(RsaPublicKey),
}

impl KeyMaterial {
    /// The key algorithm the material is, and the key class it implies: `SYMMETRIC_KEY`,
    /// `ASYMMETRIC_KEY_PAIR` for a private key, `PUBLIC_KEY` for a public one.
    #[must_use]
    pub fn algorithm_and_class(&self) -> (KeyAlgorithm, KeyClass) {
        match self {
            KeyMaterial::Symmetric(k) => (k.algorithm().into(), KeyClass::SymmetricKey),
            KeyMaterial::RsaPrivate(k) => (k.size().into(), KeyClass::AsymmetricKeyPair),
            KeyMaterial::RsaPublic(k) => (k.size().into(), KeyClass::PublicKey),
        }
    }

    /// Whether `class` fits the material: `PRIVATE_KEY` is accepted for a key pair too.
    fn fits_class(&self, class: KeyClass) -> bool {
        match self {
            KeyMaterial::Symmetric(_) => class == KeyClass::SymmetricKey,
            KeyMaterial::RsaPrivate(_) => {
                matches!(class, KeyClass::AsymmetricKeyPair | KeyClass::PrivateKey)
            }
            KeyMaterial::RsaPublic(_) => class == KeyClass::PublicKey,
        }
    }

    /// The check value computed with `algorithm`.
    fn kcv(&self, algorithm: KcvAlgorithm) -> Result<Kcv> {
        match (self, algorithm) {
            (KeyMaterial::Symmetric(k), _) => k.kcv_with(algorithm),
            (KeyMaterial::RsaPrivate(k), KcvAlgorithm::Sha1) => Ok(k.public_key().kcv()),
            (KeyMaterial::RsaPublic(k), KcvAlgorithm::Sha1) => Ok(k.kcv()),
            _ => Err(Error::invalid(Problem::KcvAlgorithm)),
        }
    }
}

impl From<SymmetricKey> for KeyMaterial {
    fn from(key: SymmetricKey) -> Self {
        KeyMaterial::Symmetric(key)
    }
}

impl From<RsaPrivateKey> for KeyMaterial {
    fn from(key: RsaPrivateKey) -> Self {
        KeyMaterial::RsaPrivate(key)
    }
}

impl From<RsaPublicKey> for KeyMaterial {
    fn from(key: RsaPublicKey) -> Self {
        KeyMaterial::RsaPublic(key)
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyMaterial::Symmetric(k) => fmt::Debug::fmt(k, f),
            KeyMaterial::RsaPrivate(k) => fmt::Debug::fmt(k, f),
            KeyMaterial::RsaPublic(k) => fmt::Debug::fmt(k, f),
        }
    }
}

/// A stored key. See the module docs for what is checked when one is built.
pub struct Key {
    arn: KeyArn,
    attributes: KeyAttributes,
    enabled: bool,
    state: KeyState,
    kcv_algorithm: KcvAlgorithm,
    kcv: Kcv,
    material: KeyMaterial,
    raw_rsa_outgoing: bool,
}

impl Key {
    /// A key whose class and algorithm are those of its material
    /// ([`KeyMaterial::algorithm_and_class`]): enabled, `CREATE_COMPLETE`, with the default
    /// check-value algorithm of its key algorithm.
    ///
    /// ```
    /// use paycrypt::{Key, KeyArn, KeyModesOfUse, KeyUsage, SymmetricAlgorithm, SymmetricKey};
    ///
    /// let key = Key::from_material(
    ///     KeyArn::parse("arn:aws:payment-cryptography:us-east-2:111122223333:key/tdes000000000001")?,
    ///     KeyUsage::D0SymmetricDataEncryptionKey,
    ///     KeyModesOfUse { encrypt: true, decrypt: true, ..KeyModesOfUse::default() },
    ///     SymmetricKey::from_hex(SymmetricAlgorithm::Tdes2Key, "0101010101010101FEFEFEFEFEFEFEFE")?,
    /// )?;
    /// assert_eq!(key.kcv().to_string(), "9295B5");
    /// # Ok::<(), paycrypt::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Problem::WeakTdesKey`] for a TDES key that collapses to single DES.
    pub fn from_material(
        arn: KeyArn,
        usage: KeyUsage,
        modes_of_use: KeyModesOfUse,
        material: impl Into<KeyMaterial>,
    ) -> Result<Self> {
        let material = material.into();
        let (key_algorithm, key_class) = material.algorithm_and_class();
        let attributes = KeyAttributes {
            key_usage: usage,
            key_class,
            key_algorithm,
            key_modes_of_use: modes_of_use,
        };
        Self::new(arn, attributes, material)
    }

    /// A key with declared attributes, enabled and in state `CREATE_COMPLETE`, with the default
    /// check-value algorithm of its key algorithm.
    ///
    /// # Errors
    ///
    /// Material that does not fit `KeyAlgorithm` ([`Problem::KeyLength`] / [`Problem::RsaKeySize`]),
    /// a `KeyClass` that does not fit the material ([`Problem::KeyClass`]), a TDES key that collapses
    /// to single DES ([`Problem::WeakTdesKey`]).
    pub fn new(arn: KeyArn, attributes: KeyAttributes, material: KeyMaterial) -> Result<Self> {
        if let KeyMaterial::Symmetric(k) = &material
            && k.is_single_des_equivalent()
        {
            return Err(Error::invalid(Problem::WeakTdesKey));
        }
        let (algorithm, _) = material.algorithm_and_class();
        if algorithm != attributes.key_algorithm {
            return Err(Error::invalid(
                match (algorithm, attributes.key_algorithm) {
                    (KeyAlgorithm::Rsa(actual), _) => Problem::RsaKeySize {
                        bits: actual.bits(),
                    },
                    (actual, declared) => Problem::KeyLength {
                        algorithm: declared,
                        actual: actual.key_len(),
                    },
                },
            ));
        }
        if !material.fits_class(attributes.key_class) {
            return Err(Error::invalid(Problem::KeyClass));
        }
        let kcv_algorithm = KcvAlgorithm::default_for(algorithm);
        let kcv = material.kcv(kcv_algorithm)?;
        Ok(Key {
            arn,
            attributes,
            enabled: true,
            state: KeyState::CreateComplete,
            kcv_algorithm,
            kcv,
            material,
            raw_rsa_outgoing: false,
        })
    }

    /// Set `Enabled`.
    #[must_use]
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Set `KeyState`.
    #[must_use]
    pub fn with_state(mut self, state: KeyState) -> Self {
        self.state = state;
        self
    }

    /// Allow (or, with `false`, forbid again) raw RSA — no `PaddingType` — when this key is the outgoing
    /// side of `ReEncryptData` and the incoming side is not RSA. **Not AWS: a paycrypt opt-in**, off by
    /// default (key-store document member `PaycryptAllowRawRsaOutgoing`).
    ///
    /// Raw RSA refuses a plaintext that is not below the modulus, and the refusal is visible: when the
    /// plaintext comes from a malleable incoming ciphertext (OFB, CFB, the IV of CBC), every query tells
    /// a requester whether a tampered plaintext is below the modulus, which recovers the whole
    /// plaintext of an OFB or CFB ciphertext (the security audit's H1; `DECISIONS.md`, the raw-RSA
    /// rule). Allow it only for a key whose re-encryptions no untrusted party can request.
    /// `EncryptData` with raw RSA needs no opt-in (its caller holds the plaintext).
    ///
    /// # Errors
    ///
    /// [`Problem::RawRsaOptIn`] when allowing it on a key that is not an RSA key.
    pub fn with_raw_rsa_outgoing(mut self, allow: bool) -> Result<Self> {
        if allow && matches!(self.material, KeyMaterial::Symmetric(_)) {
            return Err(Error::invalid(Problem::RawRsaOptIn));
        }
        self.raw_rsa_outgoing = allow;
        Ok(self)
    }

    /// Use another check-value algorithm; the check value is recomputed.
    ///
    /// # Errors
    ///
    /// [`Problem::KcvAlgorithm`]: `SHA_1` applies to RSA keys only, `ANSI_X9_24` and `CMAC` to TDES and
    /// AES keys only.
    pub fn with_kcv_algorithm(mut self, algorithm: KcvAlgorithm) -> Result<Self> {
        self.kcv = self.material.kcv(algorithm)?;
        self.kcv_algorithm = algorithm;
        Ok(self)
    }

    /// Whether the key allows raw RSA as the outgoing side of `ReEncryptData`
    /// ([`Key::with_raw_rsa_outgoing`]).
    #[must_use]
    pub fn allows_raw_rsa_outgoing(&self) -> bool {
        self.raw_rsa_outgoing
    }

    /// The key's ARN.
    #[must_use]
    pub fn arn(&self) -> &KeyArn {
        &self.arn
    }

    /// The key's attributes.
    #[must_use]
    pub fn attributes(&self) -> &KeyAttributes {
        &self.attributes
    }

    /// Whether the key is enabled.
    #[must_use]
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The key's state.
    #[must_use]
    pub fn state(&self) -> KeyState {
        self.state
    }

    /// Whether the key can be used: enabled and `CREATE_COMPLETE`.
    #[must_use]
    pub fn is_usable(&self) -> bool {
        self.enabled && self.state == KeyState::CreateComplete
    }

    /// The key's check value, computed from its material.
    #[must_use]
    pub fn kcv(&self) -> Kcv {
        self.kcv
    }

    /// The algorithm of the check value.
    #[must_use]
    pub fn kcv_algorithm(&self) -> KcvAlgorithm {
        self.kcv_algorithm
    }

    /// The key material.
    #[must_use]
    pub fn material(&self) -> &KeyMaterial {
        &self.material
    }

    /// Whether the material is an RSA key.
    pub(crate) fn is_rsa(&self) -> bool {
        !matches!(self.material, KeyMaterial::Symmetric(_))
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("arn", &self.arn)
            .field("attributes", &self.attributes)
            .field("enabled", &self.enabled)
            .field("state", &self.state)
            .field("kcv_algorithm", &self.kcv_algorithm)
            .field("kcv", &self.kcv)
            .field("raw_rsa_outgoing", &self.raw_rsa_outgoing)
            .finish_non_exhaustive()
    }
}

/// Where the operations look keys up.
///
/// Implement [`KeyStore::resolve`] over whatever holds your keys (a firmware's key table, an
/// emulator's database); [`KeyStore::lookup`] comes with it.
pub trait KeyStore {
    /// The key a parsed key ARN, alias ARN or alias name refers to; `None` when no key answers to it.
    fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&Key>;

    /// Parse `identifier` and look it up.
    ///
    /// # Errors
    ///
    /// [`Problem::KeyIdentifier`] for an identifier of no known shape, [`Error::KeyNotFound`] for one
    /// no key answers to; neither names a side (the caller attributes it: [`Error::with_side`]).
    fn lookup(&self, identifier: &str) -> Result<&Key> {
        let id = KeyIdentifier::parse(identifier)?;
        self.resolve(&id).ok_or(Error::KeyNotFound { side: None })
    }
}

/// A plain slice of keys is a store that resolves key ARNs only (no aliases, no allocator).
impl KeyStore for [Key] {
    fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&Key> {
        match identifier {
            KeyIdentifier::KeyArn(arn) => self.iter().find(|k| k.arn.as_str() == *arn),
            KeyIdentifier::AliasArn { .. } | KeyIdentifier::Alias(_) => None,
        }
    }
}

impl<S: KeyStore + ?Sized> KeyStore for &S {
    fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&Key> {
        (**self).resolve(identifier)
    }
}
