//! `paycrypt-server`: a local AWS Payment Cryptography endpoint that boto3, the AWS CLI and the AWS
//! SDKs use unchanged, with real results computed by the `paycrypt` library.
//!
//! It speaks the data plane's rest-json protocol (`POST /keys/{KeyIdentifier}/encrypt`, `/decrypt`,
//! `/keys/{IncomingKeyIdentifier}/reencrypt`) and the control plane's awsJson1_0 (keys, aliases, tags,
//! key import and export), verifies SigV4 with AWS's `aws-sigv4` crate, scopes keys and aliases to the
//! caller's account and region, keeps its state durably (`--state`: an embedded database, key material
//! sealed), and encodes errors as each plane's clients expect. The protocol facts it follows are in the
//! team's `EMULATOR.md`.
//!
//! Modules, one concern each:
//! - [`route`]: which plane and operation a request is for (raw path, `X-Amz-Target`);
//! - [`sigv4`]: signature verification; [`credentials`]: who may call, in which account;
//! - [`api`]: error shapes and their encoding per plane;
//! - [`engine`]: the adapter to the `paycrypt` library (the one module that names its API; the others
//!   use the names it re-exports);
//! - [`control`]: the control plane; [`state`]: keys, aliases, tokens, the writer and the database;
//! - certificates: [`authority`];
//! - [`service`]: one request end to end (body limits, auth, dispatch, panics, the log line);
//! - [`server`]: the listener (connections, timeouts, graceful shutdown);
//! - [`config`]: settings and the command line.

pub mod api;
pub mod authority;
pub mod config;
pub mod control;
pub mod credentials;
pub mod engine;
pub mod route;
pub mod server;
pub mod service;
pub mod sigv4;
pub mod state;

pub use config::{AuthMode, KeySource, Limits, Settings};
pub use engine::{Keys, Strictness};
pub use server::{Server, Stopped};
pub use service::{App, Auth};

/// An application built from settings, with what to tell the operator at start.
#[derive(Debug)]
pub struct Built {
    /// The application.
    pub app: App,
    /// Lines for stderr: the demo-key warning, the credentials to use, the keys served.
    pub notices: Vec<String>,
}

/// Load the keys and credentials that `settings` name and build the application.
pub fn build(settings: &Settings) -> Result<Built, String> {
    let mut notices = Vec::new();
    let (keys, summary) = match &settings.keys {
        KeySource::File(path) => {
            let shown = path.display();
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the key store {shown}: {e}"))?;
            Keys::from_json(&text).map_err(|e| format!("cannot load the key store {shown}: {e}"))?
        }
        KeySource::Demo => {
            notices.push(engine::DEMO_WARNING.to_string());
            Keys::from_json(engine::DEMO_KEYS)
                .map_err(|e| format!("the embedded demo key store is broken: {e}"))?
        }
        KeySource::State { path, key } => {
            let (state_key, created) = key.load()?;
            if created {
                notices.push(format!(
                    "paycrypt-server: created the state key file {} (mode 0600): keep it, the state \
                     cannot be opened without it",
                    key.describe()
                ));
            }
            let state = state::State::open(path, &state_key)?;
            let summary = state.summary();
            notices.push(format!(
                "paycrypt-server: state {}: {} keys, every change durable before it is answered, key \
                 material sealed under the state key from {}",
                path.display(),
                summary.len(),
                key.describe()
            ));
            (Keys::State(std::sync::Arc::new(state)), Vec::new())
        }
    };
    let auth = match &settings.auth {
        AuthMode::DefaultCredentials => {
            notices.push(format!(
                "paycrypt-server: credentials: AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY={} (account {}; \
                 the region is the one your client signs for)",
                credentials::DEFAULT_ACCESS_KEY_ID,
                credentials::DEFAULT_SECRET_ACCESS_KEY,
                credentials::DEFAULT_ACCOUNT_ID
            ));
            Auth::Signed(
                sigv4::Verifier::new(credentials::CredentialStore::default_pair())
                    .with_max_skew(settings.limits.max_skew),
            )
        }
        AuthMode::CredentialsFile(path) => {
            let shown = path.display();
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the credentials {shown}: {e}"))?;
            let store = credentials::CredentialStore::from_json(&text)
                .map_err(|e| format!("cannot load the credentials {shown}: {e}"))?;
            let mut ids: Vec<String> = store
                .iter()
                .map(|c| format!("{} (account {})", c.access_key_id, c.account_id))
                .collect();
            ids.sort();
            notices.push(format!(
                "paycrypt-server: credentials from {shown}: {}",
                ids.join(", ")
            ));
            Auth::Signed(sigv4::Verifier::new(store).with_max_skew(settings.limits.max_skew))
        }
        AuthMode::Off { account, region } => {
            notices.push(format!(
                "paycrypt-server: warning: authentication is off (--no-auth); every request acts in \
                 account {account}, region {region}"
            ));
            Auth::Off {
                account: account.clone(),
                region: region.clone(),
            }
        }
    };
    for key in &summary {
        notices.push(format!(
            "paycrypt-server: key {}{}",
            key.arn,
            if key.aliases.is_empty() {
                String::new()
            } else {
                format!(" ({})", key.aliases.join(", "))
            }
        ));
    }
    Ok(Built {
        app: App::new(keys, auth, settings.strictness, settings.limits.clone()),
        notices,
    })
}
