//! The server's settings and the command line that sets them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::credentials::DEFAULT_ACCOUNT_ID;
use crate::engine::Strictness;

/// The default listen address: loopback, a fixed port.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7420";
/// The default region for callers when authentication is off (the demo keys' region).
pub const DEFAULT_REGION: &str = "us-east-2";
/// The environment variable naming a key-store file (the CLI's).
pub const KEYS_ENV: &str = "PAYCRYPT_KEYS";

/// Limits that keep the server up under load and bad input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body; a larger one is refused before it is read (413).
    pub max_body: usize,
    /// The most connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// Time allowed for a request's headers (and for an idle keep-alive connection's next request).
    pub header_timeout: Duration,
    /// Time allowed for a request's body once its headers arrived.
    pub body_timeout: Duration,
    /// Time allowed to in-flight requests after SIGINT/SIGTERM.
    pub shutdown_grace: Duration,
    /// The SigV4 clock-skew window.
    pub max_skew: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // The largest valid request is ~5 KB (a 4224-digit ciphertext and two identifiers).
            max_body: 64 * 1024,
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
            max_skew: crate::sigv4::DEFAULT_MAX_SKEW,
        }
    }
}

/// Authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// SigV4 with the default pair (`test` / `test`, account `111122223333`).
    DefaultCredentials,
    /// SigV4 with the credentials of a file.
    CredentialsFile(PathBuf),
    /// No verification: every request acts in `account` / `region`.
    Off {
        /// The account.
        account: String,
        /// The region.
        region: String,
    },
}

/// Where the keys come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// A key-store file, served from memory (changes do not persist).
    File(PathBuf),
    /// The embedded demo key store (public test keys), served from memory.
    Demo,
    /// A durable state (`--state`): a database file sealed under a state key.
    State {
        /// The database file (created if it does not exist).
        path: PathBuf,
        /// Where the state key comes from.
        key: StateKeySource,
    },
}

/// The environment variable naming the state key, as the command line saw it (redacted in `Debug`,
/// wiped on drop).
#[derive(Clone, PartialEq, Eq)]
pub struct EnvKey(pub zeroize::Zeroizing<String>);

impl std::fmt::Debug for EnvKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnvKey(..)")
    }
}

/// Where the state key comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateKeySource {
    /// `$PAYCRYPT_STATE_KEY`.
    Env(EnvKey),
    /// `--state-key-file` (created with a fresh key, owner-only, if it does not exist).
    File(PathBuf),
}

impl StateKeySource {
    /// Load the key; the second value says whether a key file was created.
    pub fn load(&self) -> Result<(crate::state::seal::StateKey, bool), String> {
        match self {
            StateKeySource::Env(v) => {
                crate::state::seal::StateKey::from_env_value(&v.0).map(|k| (k, false))
            }
            StateKeySource::File(path) => crate::state::seal::StateKey::from_file(path),
        }
    }

    /// Where it comes from, for a notice.
    pub fn describe(&self) -> String {
        match self {
            StateKeySource::Env(_) => format!("${}", crate::state::seal::STATE_KEY_ENV),
            StateKeySource::File(path) => path.display().to_string(),
        }
    }
}

/// Everything the binary is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The keys.
    pub keys: KeySource,
    /// Authentication.
    pub auth: AuthMode,
    /// Documented or strict AWS behaviour.
    pub strictness: Strictness,
    /// Limits.
    pub limits: Limits,
    /// Runtime worker threads (default: one per core).
    pub workers: Option<usize>,
}

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Serve.
    Serve(Box<Settings>),
    /// `import`: put a key-store document into a state.
    Import {
        /// The state.
        state: PathBuf,
        /// Its key.
        key: StateKeySource,
        /// The document.
        keys: PathBuf,
    },
    /// `export`: write a state out as a key-store document.
    Export {
        /// The state.
        state: PathBuf,
        /// Its key.
        key: StateKeySource,
        /// Where to write (`None`: stdout).
        out: Option<PathBuf>,
    },
    /// Print the help.
    Help,
    /// Print the version.
    Version,
}

/// The help text.
pub const HELP: &str = "\
paycrypt-server: a local AWS Payment Cryptography endpoint (data plane: EncryptData, DecryptData,
ReEncryptData; control plane: keys, aliases, tags, ImportKey, ExportKey) speaking AWS's protocols
with SigV4, on the paycrypt library.

Usage: paycrypt-server [OPTIONS]
       paycrypt-server import --state FILE --keys DOCUMENT [--state-key-file FILE]
       paycrypt-server export --state FILE [--out FILE] [--state-key-file FILE]

Options:
  --listen HOST:PORT     where to listen (default 127.0.0.1:7420; port 0 picks a free port)
  --state FILE           keep every key, alias and tag in this database (created if absent); every
                         change is on disk before it is answered, key material sealed under the
                         state key: $PAYCRYPT_STATE_KEY (64 hex digits) or --state-key-file
  --state-key-file FILE  the state key's file, created with a fresh key (mode 0600) if absent
  --keys FILE            a key-store JSON file (or $PAYCRYPT_KEYS) served from memory (changes made
                         through the control plane are lost at exit); without --keys or --state, the
                         embedded demo key store serves PUBLIC TEST KEYS (a warning says so)
  --credentials FILE     accepted credentials: {\"Credentials\": [{\"AccessKeyId\", \"SecretAccessKey\",
                         \"AccountId\", \"SessionToken\"?}]}; default: test / test, account 111122223333
  --no-auth              do not verify signatures; callers act in --account / --region
  --account ID           the account of unauthenticated callers (default 111122223333)
  --region REGION        the region of unauthenticated callers (default us-east-2)
  --strict-aws           refuse what the live service refuses (D0 -> D0, RSA -> RSA, ...)
  --max-body BYTES       largest request body (default 65536)
  --max-connections N    connections served at once (default 1024)
  --header-timeout SECS  time for a request's headers / an idle connection (default 10)
  --body-timeout SECS    time for a request's body (default 10)
  --clock-skew SECS      SigV4 clock-skew window (default 300)
  --workers N            worker threads (default: one per core; 1: a single-threaded runtime)
  -h, --help             this help
  -V, --version          the version

Subcommands: `import` adds a key-store document's keys and aliases to a state (created if absent;
a key or alias the state has refuses the whole import); `export` writes a state as a key-store
document, key material IN THE CLEAR (to --out, created mode 0600, or stdout).

The first line on stdout is `paycrypt-server listening on http://HOST:PORT` once it serves.
One log line per request goes to stderr (RUST_LOG filters, default info). SIGINT or SIGTERM
finishes the requests in flight and exits 0.
";

fn value<'a>(it: &mut impl Iterator<Item = &'a String>, flag: &str) -> Result<&'a str, String> {
    it.next()
        .map(String::as_str)
        .ok_or_else(|| format!("{flag} needs a value"))
}

fn number<T: std::str::FromStr>(s: &str, flag: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("{flag}: '{s}' is not a number"))
}

fn positive(n: u64, flag: &str) -> Result<u64, String> {
    if n == 0 {
        Err(format!("{flag} must be at least 1"))
    } else {
        Ok(n)
    }
}

/// Parse the command line (without the program name). `keys_env` is `$PAYCRYPT_KEYS`.
pub fn parse(args: &[String], keys_env: Option<String>) -> Result<Command, String> {
    parse_with(args, keys_env, None)
}

/// The state key's source from `--state-key-file` and `$PAYCRYPT_STATE_KEY`.
fn state_key(
    file: Option<PathBuf>,
    env: Option<zeroize::Zeroizing<String>>,
) -> Result<StateKeySource, String> {
    match (file, env.filter(|v| !v.is_empty())) {
        (Some(path), None) => Ok(StateKeySource::File(path)),
        (None, Some(v)) => Ok(StateKeySource::Env(EnvKey(v))),
        (Some(_), Some(_)) => Err(format!(
            "both --state-key-file and ${} are given: give one",
            crate::state::seal::STATE_KEY_ENV
        )),
        (None, None) => Err(format!(
            "a state needs its key: ${} (64 hex digits) or --state-key-file FILE (created on first \
             use, mode 0600)",
            crate::state::seal::STATE_KEY_ENV
        )),
    }
}

/// `import` and `export`.
fn parse_subcommand(
    name: &str,
    args: &[String],
    state_key_env: Option<zeroize::Zeroizing<String>>,
) -> Result<Command, String> {
    let mut state = None;
    let mut key_file = None;
    let mut keys = None;
    let mut out = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let a = arg.as_str();
        match a {
            "--state" => state = Some(PathBuf::from(value(&mut it, a)?)),
            "--state-key-file" => key_file = Some(PathBuf::from(value(&mut it, a)?)),
            "--keys" if name == "import" => keys = Some(PathBuf::from(value(&mut it, a)?)),
            "--out" if name == "export" => out = Some(PathBuf::from(value(&mut it, a)?)),
            other => return Err(format!("{name}: unknown option '{other}' (see --help)")),
        }
    }
    let state = state.ok_or_else(|| format!("{name} needs --state FILE"))?;
    let key = state_key(key_file, state_key_env)?;
    if name == "import" {
        let keys = keys.ok_or("import needs --keys DOCUMENT")?;
        Ok(Command::Import { state, key, keys })
    } else {
        Ok(Command::Export { state, key, out })
    }
}

/// Parse the command line (without the program name). `keys_env` is `$PAYCRYPT_KEYS`,
/// `state_key_env` `$PAYCRYPT_STATE_KEY`.
pub fn parse_with(
    args: &[String],
    keys_env: Option<String>,
    state_key_env: Option<zeroize::Zeroizing<String>>,
) -> Result<Command, String> {
    if let Some(first) = args.first().map(String::as_str)
        && matches!(first, "import" | "export")
    {
        return parse_subcommand(first, &args[1..], state_key_env);
    }
    let mut state = None;
    let mut state_key_file = None;
    let mut listen = DEFAULT_LISTEN.to_string();
    let mut keys = None;
    let mut credentials = None;
    let mut no_auth = false;
    let mut account = None;
    let mut region = None;
    let mut strictness = Strictness::Documented;
    let mut limits = Limits::default();
    let mut workers = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let a = arg.as_str();
        match a {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--listen" => listen = value(&mut it, a)?.to_string(),
            "--keys" => keys = Some(PathBuf::from(value(&mut it, a)?)),
            "--state" => state = Some(PathBuf::from(value(&mut it, a)?)),
            "--state-key-file" => state_key_file = Some(PathBuf::from(value(&mut it, a)?)),
            "--credentials" => credentials = Some(PathBuf::from(value(&mut it, a)?)),
            "--no-auth" => no_auth = true,
            "--account" => account = Some(value(&mut it, a)?.to_string()),
            "--region" => region = Some(value(&mut it, a)?.to_string()),
            "--strict-aws" => strictness = Strictness::StrictAws,
            "--max-body" => {
                limits.max_body = usize::try_from(positive(number(value(&mut it, a)?, a)?, a)?)
                    .map_err(|_| format!("{a}: too large"))?;
            }
            "--max-connections" => {
                limits.max_connections =
                    usize::try_from(positive(number(value(&mut it, a)?, a)?, a)?)
                        .map_err(|_| format!("{a}: too large"))?;
            }
            "--header-timeout" => {
                limits.header_timeout =
                    Duration::from_secs(positive(number(value(&mut it, a)?, a)?, a)?);
            }
            "--body-timeout" => {
                limits.body_timeout =
                    Duration::from_secs(positive(number(value(&mut it, a)?, a)?, a)?);
            }
            "--clock-skew" => {
                limits.max_skew = Duration::from_secs(number(value(&mut it, a)?, a)?);
            }
            "--workers" => {
                workers = Some(
                    usize::try_from(positive(number(value(&mut it, a)?, a)?, a)?)
                        .map_err(|_| format!("{a}: too large"))?,
                );
            }
            other => return Err(format!("unknown option '{other}' (see --help)")),
        }
    }
    let listen: SocketAddr = listen
        .parse()
        .map_err(|_| format!("--listen: '{listen}' is not HOST:PORT (an IP address and a port)"))?;
    let keys = match (state, keys) {
        (Some(_), Some(_)) => {
            return Err(
                "--state and --keys exclude each other: put a key-store document into a state with \
                 `paycrypt-server import --state FILE --keys DOCUMENT`"
                    .into(),
            );
        }
        (Some(path), None) => KeySource::State {
            path,
            key: state_key(state_key_file, state_key_env)?,
        },
        (None, keys) => {
            if state_key_file.is_some() {
                return Err("--state-key-file applies with --state only".into());
            }
            match keys.or_else(|| keys_env.filter(|v| !v.is_empty()).map(PathBuf::from)) {
                Some(path) => KeySource::File(path),
                None => KeySource::Demo,
            }
        }
    };
    let auth = if no_auth {
        if credentials.is_some() {
            return Err("--no-auth and --credentials exclude each other".into());
        }
        let account = account.unwrap_or_else(|| DEFAULT_ACCOUNT_ID.to_string());
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("--account: '{account}' is not 12 digits"));
        }
        let region = region.unwrap_or_else(|| DEFAULT_REGION.to_string());
        AuthMode::Off { account, region }
    } else {
        if account.is_some() || region.is_some() {
            return Err(
                "--account and --region apply with --no-auth only (with signatures, \
                        the account comes from the credentials and the region from the signature)"
                    .into(),
            );
        }
        match credentials {
            Some(path) => AuthMode::CredentialsFile(path),
            None => AuthMode::DefaultCredentials,
        }
    };
    Ok(Command::Serve(Box::new(Settings {
        listen,
        keys,
        auth,
        strictness,
        limits,
        workers,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn defaults() {
        let Command::Serve(s) = parse(&[], None).unwrap() else {
            panic!()
        };
        assert_eq!(s.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(s.keys, KeySource::Demo);
        assert_eq!(s.auth, AuthMode::DefaultCredentials);
        let Command::Serve(s) = parse(&[], Some("k.json".into())).unwrap() else {
            panic!()
        };
        assert_eq!(s.keys, KeySource::File("k.json".into()));
    }

    #[test]
    fn options() {
        let Command::Serve(s) = parse(
            &args("--listen 127.0.0.1:0 --keys a.json --no-auth --region eu-west-1 --max-body 10"),
            None,
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(s.listen.port(), 0);
        assert_eq!(s.keys, KeySource::File("a.json".into()));
        assert_eq!(
            s.auth,
            AuthMode::Off {
                account: DEFAULT_ACCOUNT_ID.into(),
                region: "eu-west-1".into()
            }
        );
        assert_eq!(s.limits.max_body, 10);
        assert_eq!(parse(&args("--help"), None).unwrap(), Command::Help);
        let Command::Serve(s) = parse(&args("--state s.db --state-key-file s.key"), None).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            s.keys,
            KeySource::State {
                path: "s.db".into(),
                key: StateKeySource::File("s.key".into())
            }
        );
        let env = || Some(zeroize::Zeroizing::new("ab".repeat(32)));
        let Command::Serve(s) = parse_with(&args("--state s.db"), None, env()).unwrap() else {
            panic!()
        };
        assert!(matches!(
            s.keys,
            KeySource::State {
                key: StateKeySource::Env(_),
                ..
            }
        ));
        assert!(!format!("{s:?}").contains("abab"));
        assert_eq!(
            parse(
                &args("import --state s.db --state-key-file k --keys d.json"),
                None
            )
            .unwrap(),
            Command::Import {
                state: "s.db".into(),
                key: StateKeySource::File("k".into()),
                keys: "d.json".into()
            }
        );
        assert_eq!(
            parse_with(&args("export --state s.db --out o.json"), None, env())
                .unwrap()
                .clone(),
            Command::Export {
                state: "s.db".into(),
                key: StateKeySource::Env(EnvKey(zeroize::Zeroizing::new("ab".repeat(32)))),
                out: Some("o.json".into())
            }
        );
        for bad in [
            "--state s.db",
            "--state s.db --keys k.json --state-key-file f",
            "--state-key-file f",
            "import --state s.db --state-key-file k",
            "export --keys d.json --state s --state-key-file k",
            "export --state-key-file k",
        ] {
            assert!(parse(&args(bad), None).is_err(), "{bad}");
        }
        assert!(parse_with(&args("--state s --state-key-file k"), None, env()).is_err());
        for bad in [
            "--listen localhost",
            "--bogus",
            "--region us-east-1",
            "--no-auth --credentials c.json",
            "--max-body 0",
            "--keys",
        ] {
            assert!(parse(&args(bad), None).is_err(), "{bad}");
        }
    }
}
