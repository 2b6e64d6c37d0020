//! The database: `redb`, an embedded ACID key-value store in one file (pure Rust, copy-on-write
//! B-trees, checksummed commits; a commit with the default durability is on disk when `commit`
//! returns).
//!
//! | table | primary key | record (sealed, see [`seal`](super::seal)) |
//! |---|---|---|
//! | `keys` | key ARN | the key-store document's entry for the key: material, attributes, state, metadata |
//! | `aliases` | `<region>/<account>/<alias name>` | `{"AliasName", "KeyArn"?}` |
//! | `import_tokens` | `import-token-…` | the wrapping key (PKCS#8), its certificate, scope, validity |
//! | `meta` | `check`, `authority` | a known text (proves the state key), the certificate authority |
//!
//! A state is opened only if the file is a redb database (integrity checked on open), its `check`
//! record opens under the state key, and *every* record opens and parses; anything else is an error at
//! start naming what failed, never an empty or partial store. Records are read back with the library's
//! JSON parser and key-store document reader (the one format of seed files and exports).

use std::path::Path;
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;
use zeroize::Zeroizing;

use super::seal::{Sealer, StateKey};
use super::{AliasId, Entry, ImportToken, Index, Scope};
use crate::engine::{DocumentKey, Json, KeyArn, RsaPrivateKey, RsaSize, Timestamp};

const KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("keys");
const ALIASES: TableDefinition<&str, &[u8]> = TableDefinition::new("aliases");
const TOKENS: TableDefinition<&str, &[u8]> = TableDefinition::new("import_tokens");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// The text the `check` record seals.
const CHECK: &[u8] = b"paycrypt-server state v1";

/// One change to the stored state (record texts in the clear, sealed at commit).
#[derive(Debug)]
pub enum Change {
    /// Put a key record.
    PutKey(String, Zeroizing<String>),
    /// Delete a key record.
    DeleteKey(String),
    /// Put an alias (`None`: it names no key).
    PutAlias(AliasId, Option<String>),
    /// Delete an alias.
    DeleteAlias(AliasId),
    /// Put an import token record.
    PutToken(String, Zeroizing<String>),
    /// Delete an import token.
    DeleteToken(String),
}

/// The certificate authority's record: its private key (PEM PKCS#8) and certificate (PEM).
#[derive(Debug)]
pub struct AuthorityRecord {
    /// The private key.
    pub private_key_pem: Zeroizing<String>,
    /// The self-signed certificate.
    pub certificate_pem: String,
}

/// A database-backed store.
pub struct Durable {
    db: Database,
    sealer: Sealer,
}

impl std::fmt::Debug for Durable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Durable(..)")
    }
}

fn db_error(what: &str) -> impl Fn(redb::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// Parse a record's text with the library's JSON parser.
fn parse_record(text: &[u8]) -> Option<Json> {
    Json::parse(std::str::from_utf8(text).ok()?).ok()
}

/// An alias record's text.
pub fn alias_record(id: &AliasId, key: Option<&str>) -> String {
    let mut v = serde_json::json!({"AliasName": id.name});
    if let Some(k) = key {
        v["KeyArn"] = Value::String(k.to_string());
    }
    v.to_string()
}

/// An import token's record text.
pub fn token_record(t: &ImportToken) -> Result<Zeroizing<String>, String> {
    let pem = t
        .key
        .to_pkcs8_pem()
        .map_err(|e| format!("the import token's key cannot be written: {e}"))?;
    let mut doc = Json::from(serde_json::json!({
        "ImportToken": t.token,
        "Region": t.scope.region,
        "Account": t.scope.account,
        "WrappingKeyAlgorithm": format!("RSA_{}", t.size.bits()),
        "Certificate": t.certificate_pem,
        "CreateTimestamp": t.created.millis(),
        "ValidUntil": t.valid_until.millis(),
    }));
    doc["PrivateKey"] = Value::String(pem.as_str().to_string());
    Ok(doc.to_text())
}

fn read_token(id: &str, v: &Value) -> Option<ImportToken> {
    let size = match v["WrappingKeyAlgorithm"].as_str()? {
        "RSA_2048" => RsaSize::Rsa2048,
        "RSA_3072" => RsaSize::Rsa3072,
        "RSA_4096" => RsaSize::Rsa4096,
        _ => return None,
    };
    let key = RsaPrivateKey::from_pem(v["PrivateKey"].as_str()?).ok()?;
    (v["ImportToken"].as_str()? == id).then_some(())?;
    Some(ImportToken {
        token: id.to_string(),
        scope: Scope::new(v["Region"].as_str()?, v["Account"].as_str()?),
        size,
        key,
        certificate_pem: v["Certificate"].as_str()?.to_string(),
        created: Timestamp::from_millis(v["CreateTimestamp"].as_u64()?),
        valid_until: Timestamp::from_millis(v["ValidUntil"].as_u64()?),
    })
}

impl Durable {
    /// Open the state at `path` (create it when the file does not exist, with `authority` as its
    /// certificate authority) and load it whole. Every failure is an error naming what failed.
    pub fn open(
        path: &Path,
        key: &StateKey,
        authority: impl FnOnce() -> Result<AuthorityRecord, String>,
    ) -> Result<(Durable, Index, AuthorityRecord), String> {
        let shown = path.display();
        let sealer = Sealer::new(key);
        if !path.exists() {
            let db = Database::create(path)
                .map_err(|e| format!("cannot create the state {shown}: {e}"))?;
            let record = authority()?;
            let store = Durable { db, sealer };
            store.initialise(&record)?;
            return Ok((store, Index::new(), record));
        }
        // A corrupted file is an error, not a panic (redb trusts a cleanly closed file otherwise).
        let opened = std::panic::catch_unwind(|| {
            Database::builder()
                .set_check_integrity_on_open(true)
                .open(path)
        });
        let db = match opened {
            Ok(Ok(db)) => db,
            Ok(Err(e)) => return Err(format!("cannot open the state {shown}: {e}")),
            Err(_) => {
                return Err(format!(
                    "cannot open the state {shown}: the file is corrupted"
                ));
            }
        };
        let store = Durable { db, sealer };
        let (index, record) = store.load(path)?;
        Ok((store, index, record))
    }

    fn initialise(&self, authority: &AuthorityRecord) -> Result<(), String> {
        let check = self.sealer.seal("meta", "check", CHECK)?;
        let mut text = Json::from(serde_json::json!({"Certificate": authority.certificate_pem}));
        text["PrivateKey"] = Value::String(authority.private_key_pem.as_str().to_string());
        let sealed_authority = self
            .sealer
            .seal("meta", "authority", text.to_text().as_bytes())?;
        let tx = self
            .db
            .begin_write()
            .map_err(|e| format!("cannot write the new state: {e}"))?;
        {
            let mut meta = tx
                .open_table(META)
                .map_err(|e| format!("cannot write the new state: {e}"))?;
            meta.insert("check", check.as_slice())
                .map_err(|e| format!("cannot write the new state: {e}"))?;
            meta.insert("authority", sealed_authority.as_slice())
                .map_err(|e| format!("cannot write the new state: {e}"))?;
            for table in [KEYS, ALIASES, TOKENS] {
                tx.open_table(table)
                    .map_err(|e| format!("cannot write the new state: {e}"))?;
            }
        }
        tx.commit()
            .map_err(|e| format!("cannot write the new state: {e}"))
    }

    fn load(&self, path: &Path) -> Result<(Index, AuthorityRecord), String> {
        let shown = path.display();
        let fail = |what: &str| format!("the state {shown} cannot be loaded: {what}");
        let tx = self.db.begin_read().map_err(|e| fail(&e.to_string()))?;
        let meta = tx
            .open_table(META)
            .map_err(|_| fail("it is not a paycrypt-server state (no meta table)"))?;
        let check = meta
            .get("check")
            .map_err(|e| fail(&e.to_string()))?
            .ok_or_else(|| fail("it is not a paycrypt-server state (no check record)"))?;
        if self
            .sealer
            .open("meta", "check", check.value())
            .is_none_or(|c| c.as_slice() != CHECK)
        {
            return Err(format!(
                "the state {shown} does not open with this state key (a wrong key, or the state \
                 was changed)"
            ));
        }
        let authority = meta
            .get("authority")
            .map_err(|e| fail(&e.to_string()))?
            .ok_or_else(|| fail("the certificate authority record is missing"))?;
        let authority = self
            .sealer
            .open("meta", "authority", authority.value())
            .and_then(|t| parse_record(&t))
            .and_then(|v| {
                Some(AuthorityRecord {
                    private_key_pem: Zeroizing::new(v["PrivateKey"].as_str()?.to_string()),
                    certificate_pem: v["Certificate"].as_str()?.to_string(),
                })
            })
            .ok_or_else(|| fail("the certificate authority record does not authenticate"))?;
        let mut index = Index::new();
        let keys = tx.open_table(KEYS).map_err(|e| fail(&e.to_string()))?;
        for row in keys.iter().map_err(|e| fail(&e.to_string()))? {
            let (id, sealed) = row.map_err(|e| fail(&e.to_string()))?;
            let id = id.value();
            let text = self
                .sealer
                .open("keys", id, sealed.value())
                .ok_or_else(|| fail(&format!("the record of key {id} does not authenticate")))?;
            let text = std::str::from_utf8(&text)
                .map_err(|_| fail(&format!("the record of key {id} is not text")))?;
            let doc = DocumentKey::from_json(text)
                .map_err(|e| fail(&format!("the record of key {id} is not valid: {e}")))?;
            if doc.key.arn().as_str() != id {
                return Err(fail(&format!("the record of key {id} names another key")));
            }
            index.put_key(Entry {
                key: Arc::new(doc.key),
                meta: doc.metadata,
            });
        }
        let aliases = tx.open_table(ALIASES).map_err(|e| fail(&e.to_string()))?;
        for row in aliases.iter().map_err(|e| fail(&e.to_string()))? {
            let (id, sealed) = row.map_err(|e| fail(&e.to_string()))?;
            let id = id.value();
            let bad = || fail(&format!("the record of alias {id} does not authenticate"));
            let v = self
                .sealer
                .open("aliases", id, sealed.value())
                .and_then(|t| parse_record(&t))
                .ok_or_else(bad)?;
            let alias = AliasId::from_record_id(id).ok_or_else(bad)?;
            if v["AliasName"].as_str() != Some(alias.name.as_str()) {
                return Err(bad());
            }
            let key = match v.get("KeyArn") {
                Some(Value::String(k)) => {
                    Some(KeyArn::parse(k).map_err(|_| bad())?.as_str().to_string())
                }
                None => None,
                Some(_) => return Err(bad()),
            };
            index.put_alias(alias, key);
        }
        let tokens = tx.open_table(TOKENS).map_err(|e| fail(&e.to_string()))?;
        for row in tokens.iter().map_err(|e| fail(&e.to_string()))? {
            let (id, sealed) = row.map_err(|e| fail(&e.to_string()))?;
            let id = id.value();
            let token = self
                .sealer
                .open("import_tokens", id, sealed.value())
                .and_then(|t| parse_record(&t))
                .and_then(|v| read_token(id, &v))
                .ok_or_else(|| {
                    fail(&format!(
                        "the record of import token {id} does not authenticate"
                    ))
                })?;
            index.put_token(Arc::new(token));
        }
        Ok((index, authority))
    }

    /// Write `changes` in one transaction, durable when this returns.
    pub fn commit(&self, changes: &[Change]) -> Result<(), String> {
        if changes.is_empty() {
            return Ok(());
        }
        let err = db_error("the state cannot be written");
        let tx = self.db.begin_write().map_err(|e| err(e.into()))?;
        {
            let mut keys = tx.open_table(KEYS).map_err(|e| err(e.into()))?;
            let mut aliases = tx.open_table(ALIASES).map_err(|e| err(e.into()))?;
            let mut tokens = tx.open_table(TOKENS).map_err(|e| err(e.into()))?;
            for change in changes {
                match change {
                    Change::PutKey(arn, text) => {
                        let sealed = self.sealer.seal("keys", arn, text.as_bytes())?;
                        keys.insert(arn.as_str(), sealed.as_slice())
                            .map_err(|e| err(e.into()))?;
                    }
                    Change::DeleteKey(arn) => {
                        keys.remove(arn.as_str()).map_err(|e| err(e.into()))?;
                    }
                    Change::PutAlias(id, key) => {
                        let rid = id.record_id();
                        let sealed = self.sealer.seal(
                            "aliases",
                            &rid,
                            alias_record(id, key.as_deref()).as_bytes(),
                        )?;
                        aliases
                            .insert(rid.as_str(), sealed.as_slice())
                            .map_err(|e| err(e.into()))?;
                    }
                    Change::DeleteAlias(id) => {
                        aliases
                            .remove(id.record_id().as_str())
                            .map_err(|e| err(e.into()))?;
                    }
                    Change::PutToken(token, text) => {
                        let sealed = self.sealer.seal("import_tokens", token, text.as_bytes())?;
                        tokens
                            .insert(token.as_str(), sealed.as_slice())
                            .map_err(|e| err(e.into()))?;
                    }
                    Change::DeleteToken(token) => {
                        tokens.remove(token.as_str()).map_err(|e| err(e.into()))?;
                    }
                }
            }
        }
        tx.commit().map_err(|e| err(e.into()))
    }
}
