//! The one writer: every change to the state runs here, in order, in batches (group commit).
//!
//! A request's change is a closure over a [`Txn`]: it reads the state as it stands (the index, plus
//! the changes earlier in the batch), checks what it must (existence, conflicts, states) and records
//! its changes. The writer runs the closures of all requests waiting — up to [`MAX_BATCH`] — each
//! against a fresh overlay that is kept only if the closure succeeds (a refused or panicking request
//! leaves nothing behind), then commits the batch's changes in **one** database transaction, durable
//! when the commit returns, then publishes them to the index under its write lock, and only then
//! answers the requests. While one batch commits, the next one fills: the cost of a durable commit is
//! shared by every request in its batch. If the commit fails, nothing is published and every request
//! of the batch that would have succeeded is answered `InternalServerException`.
//!
//! Housekeeping runs as part of a batch every [`SWEEP_EVERY`]: import tokens past their validity are
//! removed, and keys whose deletion waiting period ended are deleted.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::oneshot;
use zeroize::Zeroizing;

use super::store::{Change, Durable};
use super::{AliasId, Entry, ImportToken, Index, Lookup};
use crate::api::{ApiError, Shape};
use crate::engine::Timestamp;

/// The most requests one batch (one database transaction) takes.
pub const MAX_BATCH: usize = 2048;
/// How often expired tokens and keys due for deletion are swept.
pub const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// What a change answers: the JSON response body, or the error.
pub type Reply = Result<Vec<u8>, ApiError>;

/// A request's change.
pub type Apply = Box<dyn FnOnce(&mut Txn<'_>) -> Reply + Send>;

struct Job {
    apply: Apply,
    reply: oneshot::Sender<Reply>,
}

/// Changes not yet published.
#[derive(Default)]
struct Overlay {
    keys: BTreeMap<String, Option<Entry>>,
    aliases: BTreeMap<AliasId, Option<Option<String>>>,
    tokens: BTreeMap<String, Option<Arc<ImportToken>>>,
    changes: Vec<Change>,
}

impl Overlay {
    fn merge(&mut self, other: Overlay) {
        self.keys.extend(other.keys);
        self.aliases.extend(other.aliases);
        self.tokens.extend(other.tokens);
        self.changes.extend(other.changes);
    }

    fn publish(self, index: &mut Index) {
        for (arn, entry) in self.keys {
            match entry {
                Some(e) => index.put_key(e),
                None => index.remove_key(&arn),
            }
        }
        for (id, alias) in self.aliases {
            match alias {
                Some(key) => index.put_alias(id, key),
                None => index.remove_alias(&id),
            }
        }
        for (token, t) in self.tokens {
            match t {
                Some(t) => index.put_token(t),
                None => index.remove_token(&token),
            }
        }
    }
}

/// The state as one change sees it, and the changes it makes.
pub struct Txn<'a> {
    index: &'a Index,
    batch: Overlay,
    job: Overlay,
    /// The time of the batch.
    pub now: Timestamp,
}

impl Lookup for Txn<'_> {
    fn key(&self, arn: &str) -> Option<&Entry> {
        match self.job.keys.get(arn).or_else(|| self.batch.keys.get(arn)) {
            Some(entry) => entry.as_ref(),
            None => self.index.key(arn),
        }
    }

    fn alias(&self, id: &AliasId) -> Option<Option<&str>> {
        match self
            .job
            .aliases
            .get(id)
            .or_else(|| self.batch.aliases.get(id))
        {
            Some(alias) => alias.as_ref().map(Option::as_deref),
            None => self.index.alias(id),
        }
    }
}

impl Txn<'_> {
    /// Store a key (new or changed) with its record.
    pub fn put_key(&mut self, entry: Entry, record: Zeroizing<String>) {
        let arn = entry.arn().to_string();
        self.job.changes.push(Change::PutKey(arn.clone(), record));
        self.job.keys.insert(arn, Some(entry));
    }

    /// Delete a key.
    pub fn delete_key(&mut self, arn: &str) {
        self.job.changes.push(Change::DeleteKey(arn.to_string()));
        self.job.keys.insert(arn.to_string(), None);
    }

    /// Store an alias (`key` `None`: it names no key).
    pub fn put_alias(&mut self, id: AliasId, key: Option<String>) {
        self.job
            .changes
            .push(Change::PutAlias(id.clone(), key.clone()));
        self.job.aliases.insert(id, Some(key));
    }

    /// Delete an alias.
    pub fn delete_alias(&mut self, id: &AliasId) {
        self.job.changes.push(Change::DeleteAlias(id.clone()));
        self.job.aliases.insert(id.clone(), None);
    }

    /// Store an import token with its record.
    pub fn put_token(&mut self, token: Arc<ImportToken>, record: Zeroizing<String>) {
        self.job
            .changes
            .push(Change::PutToken(token.token.clone(), record));
        self.job.tokens.insert(token.token.clone(), Some(token));
    }

    /// Delete an import token.
    pub fn delete_token(&mut self, token: &str) {
        self.job
            .changes
            .push(Change::DeleteToken(token.to_string()));
        self.job.tokens.insert(token.to_string(), None);
    }
}

/// What the writer thread owns.
struct Worker {
    index: Arc<RwLock<Index>>,
    store: Option<Durable>,
    rx: mpsc::Receiver<Job>,
}

/// The current time.
pub fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    Timestamp::from_millis(millis)
}

fn internal(message: &str) -> ApiError {
    ApiError::new(Shape::InternalServer, message)
}

impl Worker {
    fn run(self) {
        let mut last_sweep: Option<Instant> = None;
        loop {
            let first = match self.rx.recv_timeout(Duration::from_secs(1)) {
                Ok(job) => Some(job),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let mut jobs: Vec<Job> = first.into_iter().collect();
            while jobs.len() < MAX_BATCH {
                match self.rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            let sweep = last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY);
            if jobs.is_empty() && !sweep {
                continue;
            }
            if sweep {
                last_sweep = Some(Instant::now());
            }
            self.batch(jobs, sweep);
        }
    }

    fn batch(&self, jobs: Vec<Job>, sweep: bool) {
        let now = now();
        let mut replies = Vec::with_capacity(jobs.len());
        let batch = {
            let guard = self.index.read().unwrap_or_else(PoisonError::into_inner);
            let mut txn = Txn {
                index: &guard,
                batch: Overlay::default(),
                job: Overlay::default(),
                now,
            };
            if sweep {
                for token in guard.expired_tokens(now) {
                    txn.delete_token(&token);
                }
                for arn in guard.keys_due_for_deletion(now) {
                    txn.delete_key(&arn);
                    tracing::info!(key = %arn, "key deleted: its deletion waiting period ended");
                }
                let job = std::mem::take(&mut txn.job);
                txn.batch.merge(job);
            }
            for Job { apply, reply } in jobs {
                let outcome = catch_unwind(AssertUnwindSafe(|| apply(&mut txn)));
                let job = std::mem::take(&mut txn.job);
                let answer = match outcome {
                    Ok(Ok(body)) => {
                        txn.batch.merge(job);
                        Ok(body)
                    }
                    Ok(Err(e)) => Err(e),
                    Err(_) => Err(internal(
                        "The server failed to process the request (an internal fault; it keeps \
                         serving)",
                    )),
                };
                replies.push((reply, answer));
            }
            txn.batch
        };
        let committed = match &self.store {
            Some(store) => store.commit(&batch.changes),
            None => Ok(()),
        };
        match committed {
            Ok(()) => {
                let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
                batch.publish(&mut index);
            }
            Err(e) => {
                tracing::error!(error = %e, "a batch of changes could not be committed");
                for (_, answer) in &mut replies {
                    if answer.is_ok() {
                        *answer = Err(internal(
                            "The change could not be stored durably; it was not made",
                        ));
                    }
                }
            }
        }
        for (reply, answer) in replies {
            // A client that went away does not take its answer.
            let _ = reply.send(answer);
        }
    }
}

/// The handle to the writer thread.
pub struct Writer {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer(..)")
    }
}

impl Writer {
    /// Start the writer over `index`, committing to `store` (`None`: an in-memory state).
    pub fn start(index: Arc<RwLock<Index>>, store: Option<Durable>) -> Result<Self, String> {
        let (tx, rx) = mpsc::channel();
        let worker = Worker { index, store, rx };
        let thread = std::thread::Builder::new()
            .name("paycrypt-state-writer".into())
            .spawn(move || worker.run())
            .map_err(|e| format!("cannot start the state writer: {e}"))?;
        Ok(Writer {
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Run a change; its answer once it is durable and published.
    pub async fn submit(&self, apply: Apply) -> Reply {
        let (reply, answer) = oneshot::channel();
        let sent = self
            .tx
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|tx| tx.send(Job { apply, reply }).is_ok())
            .unwrap_or(false);
        if !sent {
            return Err(internal("The state writer has stopped"));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(internal("The state writer has stopped")))
    }

    /// Stop taking changes, finish those queued, and close the database.
    pub fn close(&self) {
        drop(
            self.tx
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        if let Some(thread) = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = thread.join();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.close();
    }
}
