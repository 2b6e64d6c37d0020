//! [`MemoryKeyStore`]: keys by ARN and aliases, in memory (feature `alloc`). Its key-store document
//! (`MemoryKeyStore::from_json`) is the wire layer's.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};

use super::{Key, KeyArn, KeyIdentifier, KeyStore};
use crate::error::{Error, Problem, Result};

/// An in-memory key store with aliases.
#[derive(Debug, Default)]
pub struct MemoryKeyStore {
    keys: BTreeMap<String, Key>,
    aliases: BTreeMap<String, KeyArn>,
}

impl MemoryKeyStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a key; a key with the same ARN is replaced and returned.
    pub fn insert(&mut self, key: Key) -> Option<Key> {
        self.keys.insert(key.arn().as_str().to_string(), key)
    }

    /// Point `alias/<name>` at a key that is in the store (replacing an alias of that name).
    ///
    /// # Errors
    ///
    /// [`Problem::KeyIdentifier`] for a malformed alias name or a key that is not in the store.
    pub fn add_alias(&mut self, alias: &str, key: &KeyArn) -> Result<()> {
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
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the store holds no key.
    #[must_use]
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
