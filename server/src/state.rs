//! The server's state: every key, alias, tag and import token, per account and region, in memory for
//! lookups and, with `--state`, in an embedded ACID database on disk.
//!
//! - [`Index`] is what requests read: keys by ARN (ordered, so a listing pages in a stable order),
//!   aliases by account, region and name, import tokens. The data plane and the control plane's reads
//!   take its read lock for the lookup only (a key is an `Arc`, so the cryptography runs without the
//!   lock).
//! - Every change goes through one writer thread ([`writer`]): it applies a batch of changes to an
//!   overlay, commits the batch to the database (one durable transaction: group commit), then
//!   publishes it to the index and answers the requests. A change is therefore durable before its
//!   response is sent, and visible to the data plane as soon as it is answered.
//! - [`store`] is the database (`redb`) and [`seal`] the sealing of every record under the state key.
//!
//! Without `--state` the same code runs with a store that keeps nothing (an in-memory state).

pub mod seal;
pub mod store;
pub mod writer;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

use crate::authority::Authority;
use crate::engine::KeySummary;
use crate::engine::{
    DocumentAlias, DocumentKey, Json, Key, KeyArn, KeyIdentifier, KeyMetadata, KeyState,
    KeyStoreDocument, RsaPrivateKey, RsaSize, Timestamp, write_document,
};
use seal::StateKey;
use store::{Change, Durable};
use writer::Writer;

/// An account and a region: where a key or an alias lives, and where a caller acts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    /// The region, e.g. `us-east-1`.
    pub region: String,
    /// The 12-digit account id.
    pub account: String,
}

impl Scope {
    /// A scope.
    pub fn new(region: &str, account: &str) -> Self {
        Scope {
            region: region.to_string(),
            account: account.to_string(),
        }
    }

    /// The scope of a key ARN.
    pub fn of(arn: &KeyArn) -> Self {
        let (region, account) = arn.region_and_account();
        Scope::new(region, account)
    }

    /// The common prefix of the ARNs of keys in this scope.
    pub fn key_prefix(&self) -> String {
        format!(
            "arn:aws:payment-cryptography:{}:{}:key/",
            self.region, self.account
        )
    }

    /// The ARN of key `id` in this scope.
    pub fn key_arn(&self, id: &str) -> String {
        format!("{}{id}", self.key_prefix())
    }

    /// Whether `arn` is the ARN of a key in this scope.
    pub fn holds(&self, arn: &str) -> bool {
        arn.starts_with(&self.key_prefix())
    }
}

/// A stored key: the library's key (material, attributes, state) and its metadata.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The key. Shared: a request holds it while it computes, without the index's lock.
    pub key: Arc<Key>,
    /// `Exportable`, `KeyOrigin`, `Tags`, timestamps.
    pub meta: KeyMetadata,
}

impl Entry {
    /// The key's ARN.
    pub fn arn(&self) -> &str {
        self.key.arn().as_str()
    }

    /// The record the store keeps for it (the key-store document's entry, material in the clear; the
    /// store seals it).
    pub fn record(&self) -> Result<zeroize::Zeroizing<String>, String> {
        DocumentKey::to_json(&self.key, &self.meta)
            .map(|doc| doc.to_text())
            .map_err(|e| format!("the key {} cannot be written: {e}", self.arn()))
    }
}

/// An alias: its scope and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AliasId {
    /// Where it lives.
    pub scope: Scope,
    /// `alias/…`.
    pub name: String,
}

impl AliasId {
    /// The primary key of its stored record: `<region>/<account>/<alias name>`.
    pub fn record_id(&self) -> String {
        format!("{}/{}/{}", self.scope.region, self.scope.account, self.name)
    }

    /// The alias of a record id.
    pub fn from_record_id(id: &str) -> Option<Self> {
        let mut parts = id.splitn(3, '/');
        let region = parts.next()?;
        let account = parts.next()?;
        let name = parts.next()?;
        Some(AliasId {
            scope: Scope::new(region, account),
            name: name.to_string(),
        })
    }
}

/// An import token of `GetParametersForImport(KEY_CRYPTOGRAM)`: an RSA wrapping key and its
/// certificate, for one account and region, until it expires.
#[derive(Debug)]
pub struct ImportToken {
    /// `import-token-…`.
    pub token: String,
    /// Where it may be used.
    pub scope: Scope,
    /// The wrapping key's size.
    pub size: RsaSize,
    /// The wrapping key.
    pub key: RsaPrivateKey,
    /// Its certificate, PEM.
    pub certificate_pem: String,
    /// When it was made.
    pub created: Timestamp,
    /// `ParametersValidUntilTimestamp`.
    pub valid_until: Timestamp,
}

/// What the index holds.
#[derive(Debug, Default)]
pub struct Index {
    keys: BTreeMap<String, Entry>,
    aliases: BTreeMap<AliasId, Option<String>>,
    tokens: HashMap<String, Arc<ImportToken>>,
}

/// Read access to keys and aliases, by the index or by a writer's transaction (which sees its own
/// changes first).
pub trait Lookup {
    /// The key with this ARN.
    fn key(&self, arn: &str) -> Option<&Entry>;
    /// The alias: `None` when there is none, `Some(None)` when it names no key.
    fn alias(&self, id: &AliasId) -> Option<Option<&str>>;

    /// The key an identifier (key ARN, alias ARN, `alias/…`) names for a caller in `scope`: a key or
    /// alias of another account or region is not found, as on AWS.
    fn resolve(&self, scope: &Scope, identifier: &str) -> Option<&Entry> {
        let arn = match KeyIdentifier::parse(identifier).ok()? {
            KeyIdentifier::KeyArn(arn) => {
                if !scope.holds(arn) {
                    return None;
                }
                return self.key(arn);
            }
            KeyIdentifier::Alias(name) => self.alias(&AliasId {
                scope: scope.clone(),
                name: name.to_string(),
            })??,
            KeyIdentifier::AliasArn {
                alias,
                region,
                account,
            } => {
                if region != scope.region || account != scope.account {
                    return None;
                }
                self.alias(&AliasId {
                    scope: scope.clone(),
                    name: alias.to_string(),
                })??
            }
        };
        self.key(arn)
    }
}

impl Lookup for Index {
    fn key(&self, arn: &str) -> Option<&Entry> {
        self.keys.get(arn)
    }

    fn alias(&self, id: &AliasId) -> Option<Option<&str>> {
        self.aliases.get(id).map(Option::as_deref)
    }
}

/// The most entries one listing page looks at when a filter skips them (an empty page with a token is
/// legal).
const MAX_SCAN: usize = 10_000;

/// A page of a listing and the token of the next one.
#[derive(Debug)]
pub struct Listed<T> {
    /// The items.
    pub items: Vec<T>,
    /// Where the next page starts, if there is one.
    pub next: Option<String>,
}

impl Index {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Put a key (replacing one with the same ARN).
    pub fn put_key(&mut self, entry: Entry) {
        self.keys.insert(entry.arn().to_string(), entry);
    }

    /// Remove a key.
    pub fn remove_key(&mut self, arn: &str) {
        self.keys.remove(arn);
    }

    /// Put an alias.
    pub fn put_alias(&mut self, id: AliasId, key: Option<String>) {
        self.aliases.insert(id, key);
    }

    /// Remove an alias.
    pub fn remove_alias(&mut self, id: &AliasId) {
        self.aliases.remove(id);
    }

    /// Put an import token.
    pub fn put_token(&mut self, token: Arc<ImportToken>) {
        self.tokens.insert(token.token.clone(), token);
    }

    /// Remove an import token.
    pub fn remove_token(&mut self, token: &str) {
        self.tokens.remove(token);
    }

    /// An import token of `scope` that has not expired at `now`.
    pub fn token(&self, scope: &Scope, token: &str, now: Timestamp) -> Option<Arc<ImportToken>> {
        self.tokens
            .get(token)
            .filter(|t| t.scope == *scope && t.valid_until > now)
            .cloned()
    }

    /// The newest token of `scope` for `size` valid until at least `until`.
    pub fn reusable_token(
        &self,
        scope: &Scope,
        size: RsaSize,
        until: Timestamp,
    ) -> Option<Arc<ImportToken>> {
        self.tokens
            .values()
            .filter(|t| t.scope == *scope && t.size == size && t.valid_until >= until)
            .max_by_key(|t| t.created)
            .cloned()
    }

    /// Tokens that expired at `now`.
    pub fn expired_tokens(&self, now: Timestamp) -> Vec<String> {
        self.tokens
            .values()
            .filter(|t| t.valid_until <= now)
            .map(|t| t.token.clone())
            .collect()
    }

    /// Keys pending deletion whose waiting period ended at `now`.
    pub fn keys_due_for_deletion(&self, now: Timestamp) -> Vec<String> {
        self.keys
            .values()
            .filter(|e| {
                e.key.state() == KeyState::DeletePending
                    && e.meta.delete_pending_timestamp.is_some_and(|t| t <= now)
            })
            .map(|e| e.arn().to_string())
            .collect()
    }

    /// How many keys.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// Every key, by ARN.
    pub fn keys(&self) -> impl Iterator<Item = &Entry> {
        self.keys.values()
    }

    /// Every alias.
    pub fn aliases(&self) -> impl Iterator<Item = (&AliasId, Option<&str>)> {
        self.aliases.iter().map(|(a, k)| (a, k.as_deref()))
    }

    /// The keys of `scope` in ARN order, from after the key id `after`, at most `max`, those in
    /// `state` only if given.
    pub fn list_keys(
        &self,
        scope: &Scope,
        state: Option<KeyState>,
        after: Option<&str>,
        max: usize,
    ) -> Listed<&Entry> {
        let prefix = scope.key_prefix();
        let start = match after {
            Some(id) => std::ops::Bound::Excluded(format!("{prefix}{id}")),
            None => std::ops::Bound::Included(prefix.clone()),
        };
        let mut items = Vec::new();
        let mut last = None;
        let mut more = false;
        for (scanned, (arn, entry)) in self
            .keys
            .range::<String, _>((start, std::ops::Bound::Unbounded))
            .enumerate()
        {
            if !arn.starts_with(&prefix) {
                break;
            }
            if items.len() == max || scanned == MAX_SCAN {
                more = true;
                break;
            }
            last = Some(arn);
            if state.is_none_or(|s| entry.key.state() == s) {
                items.push(entry);
            }
        }
        let next = if more {
            last.map(|arn| arn[prefix.len()..].to_string())
        } else {
            None
        };
        Listed { items, next }
    }

    /// The aliases of `scope` in name order, from after `after`, at most `max`, only those naming
    /// `key` if given.
    pub fn list_aliases(
        &self,
        scope: &Scope,
        key: Option<&str>,
        after: Option<&str>,
        max: usize,
    ) -> Listed<(&AliasId, Option<&str>)> {
        let first = AliasId {
            scope: scope.clone(),
            name: after.unwrap_or_default().to_string(),
        };
        let start = if after.is_some() {
            std::ops::Bound::Excluded(first)
        } else {
            std::ops::Bound::Included(first)
        };
        let mut items = Vec::new();
        let mut last = None;
        let mut more = false;
        for (scanned, (id, target)) in self
            .aliases
            .range::<AliasId, _>((start, std::ops::Bound::Unbounded))
            .enumerate()
        {
            if id.scope != *scope {
                break;
            }
            if items.len() == max || scanned == MAX_SCAN {
                more = true;
                break;
            }
            last = Some(id);
            if key.is_none() || target.as_deref() == key {
                items.push((id, target.as_deref()));
            }
        }
        let next = if more {
            last.map(|id| id.name.clone())
        } else {
            None
        };
        Listed { items, next }
    }
}

/// The state the server serves: the index, the writer that changes it, the certificate authority.
#[derive(Debug)]
pub struct State {
    index: Arc<RwLock<Index>>,
    writer: Writer,
    authority: Authority,
    durable: bool,
}

/// The document's keys and aliases as index entries; a key without a `CreateTimestamp` gets `now`
/// (and, when enabled, the same `UsageStartTimestamp`).
fn document_entries(doc: KeyStoreDocument, now: Timestamp) -> (Vec<Entry>, Vec<(AliasId, String)>) {
    let keys = doc
        .keys
        .into_iter()
        .map(|k| {
            let mut meta = k.metadata;
            if meta.create_timestamp.is_none() {
                meta.create_timestamp = Some(now);
                if k.key.enabled() && meta.usage_start_timestamp.is_none() {
                    meta.usage_start_timestamp = Some(now);
                }
            }
            Entry {
                key: Arc::new(k.key),
                meta,
            }
        })
        .collect();
    let aliases = doc
        .aliases
        .into_iter()
        .map(|a| {
            (
                AliasId {
                    scope: Scope::of(&a.key_arn),
                    name: a.alias_name,
                },
                a.key_arn.as_str().to_string(),
            )
        })
        .collect();
    (keys, aliases)
}

impl State {
    /// A state in memory (nothing persists), seeded with a document.
    pub fn in_memory(doc: KeyStoreDocument) -> Result<Self, String> {
        let (keys, aliases) = document_entries(doc, writer::now());
        let mut index = Index::new();
        for k in keys {
            index.put_key(k);
        }
        for (id, key) in aliases {
            index.put_alias(id, Some(key));
        }
        let (authority, _) = Authority::generate()?;
        let index = Arc::new(RwLock::new(index));
        Ok(State {
            writer: Writer::start(index.clone(), None)?,
            index,
            authority,
            durable: false,
        })
    }

    /// The durable state at `path` (created if the file does not exist), sealed under `key`.
    pub fn open(path: &Path, key: &StateKey) -> Result<Self, String> {
        let mut made = None;
        let (store, index, record) = Durable::open(path, key, || {
            let (authority, record) = Authority::generate()?;
            made = Some(authority);
            Ok(record)
        })?;
        let authority = match made {
            Some(a) => a,
            None => Authority::from_record(&record)?,
        };
        let index = Arc::new(RwLock::new(index));
        Ok(State {
            writer: Writer::start(index.clone(), Some(store))?,
            index,
            authority,
            durable: true,
        })
    }

    /// The index, for a lookup (hold the guard only for the lookup).
    pub fn read(&self) -> RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The writer.
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// The certificate authority.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// Whether changes are stored on disk.
    pub fn is_durable(&self) -> bool {
        self.durable
    }

    /// Stop the writer (after the changes queued) and close the database.
    pub fn close(&self) {
        self.writer.close();
    }

    /// The keys and their aliases, for the start-up notices.
    pub fn summary(&self) -> Vec<KeySummary> {
        let index = self.read();
        index
            .keys()
            .map(|e| KeySummary {
                arn: e.arn().to_string(),
                aliases: index
                    .aliases()
                    .filter(|(_, k)| *k == Some(e.arn()))
                    .map(|(a, _)| a.name.clone())
                    .collect(),
            })
            .collect()
    }
}

/// Import a key-store document into the durable state at `path` (created if need be), in one
/// transaction: a key whose ARN the state has, or an alias it has, refuses the whole import. Returns
/// how many keys and aliases were added.
pub fn import_document(
    path: &Path,
    key: &StateKey,
    doc: KeyStoreDocument,
) -> Result<(usize, usize), String> {
    let (store, index, _) = Durable::open(path, key, || Authority::generate().map(|(_, r)| r))?;
    let (keys, aliases) = document_entries(doc, writer::now());
    let mut changes = Vec::new();
    for k in &keys {
        if index.key(k.arn()).is_some() {
            return Err(format!("the state already has the key {}", k.arn()));
        }
        changes.push(Change::PutKey(k.arn().to_string(), k.record()?));
    }
    for (id, arn) in &aliases {
        if index.alias(id).is_some() {
            return Err(format!(
                "the state already has the alias {} in {} / {}",
                id.name, id.scope.account, id.scope.region
            ));
        }
        changes.push(Change::PutAlias(id.clone(), Some(arn.clone())));
    }
    store.commit(&changes)?;
    Ok((keys.len(), aliases.len()))
}

/// The durable state at `path` as a key-store document (material in the clear, wiped when the
/// returned value is dropped), and the aliases left out because they name no key.
pub fn export_document(path: &Path, key: &StateKey) -> Result<(Json, Vec<String>), String> {
    if !path.exists() {
        return Err(format!("there is no state at {}", path.display()));
    }
    let (_store, index, _) = Durable::open(path, key, || Err("no state to export".to_string()))?;
    let mut keys = Vec::new();
    for e in index.keys() {
        let doc = DocumentKey::to_json(&e.key, &e.meta)
            .map_err(|err| format!("the key {} cannot be written: {err}", e.arn()))?;
        keys.push(doc.into_value());
    }
    let mut aliases = Vec::new();
    let mut left_out = Vec::new();
    for (id, target) in index.aliases() {
        match target.and_then(|t| KeyArn::parse(t).ok()) {
            Some(key_arn) => aliases.push(DocumentAlias {
                alias_name: id.name.clone(),
                key_arn,
            }),
            None => left_out.push(format!(
                "{} ({} / {})",
                id.name, id.scope.account, id.scope.region
            )),
        }
    }
    Ok((write_document(keys, &aliases), left_out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::KeyStoreDocument;

    fn index_of(n: usize) -> Index {
        let mut keys = Vec::new();
        for i in 0..n {
            keys.push(format!(
                r#"{{"KeyArn": "arn:aws:payment-cryptography:us-east-1:111122223333:key/key{i:013}",
                "KeyAttributes": {{"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyClass": "SYMMETRIC_KEY",
                "KeyAlgorithm": "AES_128", "KeyModesOfUse": {{"NoRestrictions": true}}}},
                "KeyMaterial": "00112233445566778899AABBCCDDEE{:02X}", "Enabled": {}}}"#,
                i % 256,
                i % 2 == 0
            ));
        }
        keys.push(
            r#"{"KeyArn": "arn:aws:payment-cryptography:us-east-2:111122223333:key/otherregion00001",
                "KeyAttributes": {"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyClass": "SYMMETRIC_KEY",
                "KeyAlgorithm": "AES_128", "KeyModesOfUse": {"NoRestrictions": true}},
                "KeyMaterial": "00112233445566778899AABBCCDDEEFF"}"#
                .to_string(),
        );
        let doc =
            KeyStoreDocument::from_json(&format!(r#"{{"Keys": [{}]}}"#, keys.join(","))).unwrap();
        let mut index = Index::new();
        for k in doc.keys {
            index.put_key(Entry {
                key: Arc::new(k.key),
                meta: k.metadata,
            });
        }
        index
    }

    #[test]
    fn resolution_is_scoped() {
        let mut index = index_of(3);
        let here = Scope::new("us-east-1", "111122223333");
        let arn = here.key_arn("key0000000000001");
        index.put_alias(
            AliasId {
                scope: here.clone(),
                name: "alias/a".into(),
            },
            Some(arn.clone()),
        );
        index.put_alias(
            AliasId {
                scope: here.clone(),
                name: "alias/none".into(),
            },
            None,
        );
        assert_eq!(index.resolve(&here, &arn).unwrap().arn(), arn);
        assert_eq!(index.resolve(&here, "alias/a").unwrap().arn(), arn);
        assert_eq!(
            index
                .resolve(
                    &here,
                    "arn:aws:payment-cryptography:us-east-1:111122223333:alias/a"
                )
                .unwrap()
                .arn(),
            arn
        );
        assert!(index.resolve(&here, "alias/none").is_none());
        assert!(index.resolve(&here, "alias/b").is_none());
        for elsewhere in [
            Scope::new("us-east-2", "111122223333"),
            Scope::new("us-east-1", "444455556666"),
        ] {
            assert!(index.resolve(&elsewhere, &arn).is_none());
            assert!(index.resolve(&elsewhere, "alias/a").is_none());
        }
        assert!(
            index
                .resolve(
                    &Scope::new("us-east-2", "111122223333"),
                    "arn:aws:payment-cryptography:us-east-1:111122223333:alias/a"
                )
                .is_none()
        );
    }

    #[test]
    fn key_pages_are_stable_and_scoped() {
        let index = index_of(250);
        let here = Scope::new("us-east-1", "111122223333");
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = index.list_keys(&here, None, after.as_deref(), 100);
            seen.extend(page.items.iter().map(|e| e.arn().to_string()));
            pages += 1;
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen.len(), 250);
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted);
        // A filter: half of them are disabled, all CREATE_COMPLETE.
        let all = index.list_keys(&here, Some(KeyState::CreateComplete), None, 100);
        assert_eq!(all.items.len(), 100);
        assert!(
            index
                .list_keys(&here, Some(KeyState::DeletePending), None, 100)
                .items
                .is_empty()
        );
        assert_eq!(
            index
                .list_keys(&Scope::new("us-east-2", "111122223333"), None, None, 100)
                .items
                .len(),
            1
        );
    }
}
