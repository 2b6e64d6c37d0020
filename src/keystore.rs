//! Stored keys and the key store the operations look keys up in.
//!
//! A [`Key`] is what AWS Payment Cryptography keeps for a key: its ARN, [`KeyAttributes`], `Enabled`,
//! [`KeyState`], its key check value and the algorithm of that check value, and the secret material. Keys
//! are checked when they are built ([`Key::new`]): the material must fit the declared algorithm and class,
//! a TDES key may not collapse to single DES, and the check value is computed from the material, never
//! taken on trust.
//!
//! [`KeyStore`] is the lookup a firmware or an emulator implements (by key ARN, alias ARN or
//! `alias/name`). A slice of keys is a store (no aliases, no allocator); [`MemoryKeyStore`] (feature
//! `alloc`) adds aliases.

use core::fmt;

use crate::algorithm::KeyAlgorithm;
use crate::error::{Error, Problem, Side};
use crate::kcv::{self, Kcv, KcvAlgorithm};
use crate::key::{KeyArn, KeyAttributes, KeyClass, KeyIdentifier, KeyState, SymmetricKey};
#[cfg(feature = "alloc")]
use crate::rsa::{RsaPrivateKey, RsaPublicKey};

/// The secret (or, for an imported public key, public) material of a stored key.
#[allow(clippy::large_enum_variant)] // held inline: `no_std` without an allocator has no `Box`
pub enum KeyMaterial {
    /// A TDES or AES key.
    Symmetric(SymmetricKey),
    /// An RSA private key (class `ASYMMETRIC_KEY_PAIR`): decrypts, and encrypts with its public half.
    #[cfg(feature = "alloc")]
    RsaPrivate(RsaPrivateKey),
    /// An imported RSA public key (class `PUBLIC_KEY`): encrypts only.
    #[cfg(feature = "alloc")]
    RsaPublic(RsaPublicKey),
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyMaterial::Symmetric(k) => fmt::Debug::fmt(k, f),
            #[cfg(feature = "alloc")]
            KeyMaterial::RsaPrivate(k) => fmt::Debug::fmt(k, f),
            #[cfg(feature = "alloc")]
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
    /// A key, enabled and in state `CREATE_COMPLETE`, with the default check-value algorithm of its
    /// key algorithm.
    ///
    /// Errors: material that does not fit `KeyAlgorithm` ([`Problem::KeyLength`] /
    /// [`Problem::RsaKeySize`]), a `KeyClass` that does not fit the material ([`Problem::KeyClass`]), a
    /// TDES key that collapses to single DES ([`Problem::WeakTdesKey`]).
    pub fn new(
        arn: KeyArn,
        attributes: KeyAttributes,
        material: KeyMaterial,
    ) -> Result<Self, Error> {
        let (algorithm, class_ok) = match &material {
            KeyMaterial::Symmetric(k) => {
                if k.is_single_des_equivalent() {
                    return Err(Error::invalid(Problem::WeakTdesKey));
                }
                (
                    KeyAlgorithm::Symmetric(k.algorithm()),
                    attributes.key_class == KeyClass::SymmetricKey,
                )
            }
            #[cfg(feature = "alloc")]
            KeyMaterial::RsaPrivate(k) => (
                KeyAlgorithm::Rsa(k.size()),
                matches!(
                    attributes.key_class,
                    KeyClass::AsymmetricKeyPair | KeyClass::PrivateKey
                ),
            ),
            #[cfg(feature = "alloc")]
            KeyMaterial::RsaPublic(k) => (
                KeyAlgorithm::Rsa(k.size()),
                attributes.key_class == KeyClass::PublicKey,
            ),
        };
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
        if !class_ok {
            return Err(Error::invalid(Problem::KeyClass));
        }
        let kcv_algorithm = KcvAlgorithm::default_for(algorithm);
        let kcv = compute_kcv(&material, kcv_algorithm)?;
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
    /// plaintext of an OFB or CFB ciphertext (the security audit's H1). Allow it only for a key whose
    /// re-encryptions no untrusted party can request. `EncryptData` with raw RSA needs no opt-in (its
    /// caller holds the plaintext). Only RSA keys can opt in, else [`Problem::RawRsaOptIn`].
    pub fn with_raw_rsa_outgoing(mut self, allow: bool) -> Result<Self, Error> {
        if allow && matches!(self.material, KeyMaterial::Symmetric(_)) {
            return Err(Error::invalid(Problem::RawRsaOptIn));
        }
        self.raw_rsa_outgoing = allow;
        Ok(self)
    }

    /// Whether the key allows raw RSA as the outgoing side of `ReEncryptData`
    /// ([`Key::with_raw_rsa_outgoing`]).
    pub fn allows_raw_rsa_outgoing(&self) -> bool {
        self.raw_rsa_outgoing
    }

    /// Use another check-value algorithm; the check value is recomputed. `SHA_1` applies to RSA keys
    /// only, `ANSI_X9_24` and `CMAC` to TDES and AES keys only ([`Problem::KcvAlgorithm`]).
    pub fn with_kcv_algorithm(mut self, algorithm: KcvAlgorithm) -> Result<Self, Error> {
        self.kcv = compute_kcv(&self.material, algorithm)?;
        self.kcv_algorithm = algorithm;
        Ok(self)
    }

    /// The key's ARN.
    pub fn arn(&self) -> &KeyArn {
        &self.arn
    }

    /// The key's attributes.
    pub fn attributes(&self) -> &KeyAttributes {
        &self.attributes
    }

    /// Whether the key is enabled.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The key's state.
    pub fn state(&self) -> KeyState {
        self.state
    }

    /// Whether the key can be used: enabled and `CREATE_COMPLETE`.
    pub fn is_usable(&self) -> bool {
        self.enabled && self.state == KeyState::CreateComplete
    }

    /// The key's check value, computed from its material.
    pub fn kcv(&self) -> Kcv {
        self.kcv
    }

    /// The algorithm of the check value.
    pub fn kcv_algorithm(&self) -> KcvAlgorithm {
        self.kcv_algorithm
    }

    /// The key material.
    pub fn material(&self) -> &KeyMaterial {
        &self.material
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

fn compute_kcv(material: &KeyMaterial, algorithm: KcvAlgorithm) -> Result<Kcv, Error> {
    let kcv = match material {
        KeyMaterial::Symmetric(k) => kcv::symmetric_kcv(k, algorithm),
        #[cfg(feature = "alloc")]
        KeyMaterial::RsaPrivate(k) => {
            (algorithm == KcvAlgorithm::Sha1).then(|| k.public_key().kcv())
        }
        #[cfg(feature = "alloc")]
        KeyMaterial::RsaPublic(k) => (algorithm == KcvAlgorithm::Sha1).then(|| k.kcv()),
    };
    kcv.ok_or(Error::invalid(Problem::KcvAlgorithm))
}

/// Where the operations look keys up.
///
/// Implement it over whatever holds your keys (a firmware's key table, an emulator's database). The
/// identifier is already parsed; return `None` when no key answers to it.
pub trait KeyStore {
    /// The key a key ARN, alias ARN or alias name refers to.
    fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&Key>;
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

/// Parse `identifier` and look it up: a malformed identifier is [`Problem::KeyIdentifier`], an unknown
/// one [`Error::KeyNotFound`], both attributed to `side`.
pub fn lookup<'s, S: KeyStore + ?Sized>(
    store: &'s S,
    identifier: &str,
    side: Side,
) -> Result<&'s Key, Error> {
    let id = KeyIdentifier::parse(identifier).map_err(|e| e.on(side))?;
    store.resolve(&id).ok_or(Error::KeyNotFound { side })
}

#[cfg(feature = "alloc")]
pub use memory::MemoryKeyStore;

#[cfg(feature = "alloc")]
mod memory {
    use alloc::collections::BTreeMap;
    use alloc::string::{String, ToString};

    use super::{Key, KeyStore};
    use crate::error::{Error, Problem};
    use crate::key::{KeyArn, KeyIdentifier};

    /// An in-memory key store with aliases.
    #[derive(Debug, Default)]
    pub struct MemoryKeyStore {
        keys: BTreeMap<String, Key>,
        aliases: BTreeMap<String, KeyArn>,
    }

    impl MemoryKeyStore {
        /// An empty store.
        pub fn new() -> Self {
            Self::default()
        }

        /// Add a key; a key with the same ARN is replaced and returned.
        pub fn insert(&mut self, key: Key) -> Option<Key> {
            self.keys.insert(key.arn().as_str().to_string(), key)
        }

        /// Point `alias/<name>` at a key that is in the store (replacing an alias of that name). A
        /// malformed alias name, or a key that is not in the store, is [`Problem::KeyIdentifier`].
        pub fn add_alias(&mut self, alias: &str, key: &KeyArn) -> Result<(), Error> {
            match KeyIdentifier::parse(alias) {
                Ok(KeyIdentifier::Alias(a)) if self.keys.contains_key(key.as_str()) => {
                    self.aliases.insert(a.to_string(), *key);
                    Ok(())
                }
                _ => Err(Error::invalid(Problem::KeyIdentifier)),
            }
        }

        /// The keys, by ARN.
        pub fn keys(&self) -> impl Iterator<Item = &Key> {
            self.keys.values()
        }

        /// The aliases and the ARNs they point at.
        pub fn aliases(&self) -> impl Iterator<Item = (&str, &KeyArn)> {
            self.aliases.iter().map(|(a, k)| (a.as_str(), k))
        }

        /// How many keys the store holds.
        pub fn len(&self) -> usize {
            self.keys.len()
        }

        /// Whether the store holds no key.
        pub fn is_empty(&self) -> bool {
            self.keys.is_empty()
        }
    }

    impl KeyStore for MemoryKeyStore {
        fn resolve(&self, identifier: &KeyIdentifier<'_>) -> Option<&Key> {
            match *identifier {
                KeyIdentifier::KeyArn(arn) => self.keys.get(arn),
                KeyIdentifier::Alias(alias) => self.keys.get(self.aliases.get(alias)?.as_str()),
                KeyIdentifier::AliasArn {
                    alias,
                    region,
                    account,
                } => {
                    let key = self.keys.get(self.aliases.get(alias)?.as_str())?;
                    // An alias ARN names a region and account: it resolves only to a key there.
                    (key.arn().region_and_account() == (region, account)).then_some(key)
                }
            }
        }
    }
}
