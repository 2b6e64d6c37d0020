//! `paycrypt`: AWS Payment Cryptography's `ReEncryptData`, `EncryptData` and `DecryptData` from the
//! command line, shaped like `aws payment-cryptography-data …`, on top of the `paycrypt` library's
//! wire layer; plus `batch` (JSON lines), `keys` (the key store, without material) and `tr31 wrap` (make
//! a TR-31 key block under a stored KEK, for the wrapped-key members).
//!
//! `paycrypt help` explains the commands, exit codes and the embedded demo key store.

mod args;
mod batch;
mod demo;
mod error;
mod help;
mod keystore;
mod wiped;

use std::io::{self, Write};
use std::process::ExitCode;

use paycrypt::wire::{Json, Request, key_store_listing};
use paycrypt::{OsRng, Policy};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use args::{Action, CLI_INPUT_JSON, Call, Tr31Wrap};
use error::CliError;

/// The largest `file://` parameter read.
pub const MAX_PARAM_FILE: usize = 1 << 20;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.is_broken_pipe() {
                // Never a panic, even when stderr is gone too.
                let _ = writeln!(io::stderr(), "{e}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn run() -> Result<(), CliError> {
    let args = std::env::args_os()
        .skip(1)
        .enumerate()
        .map(|(i, a)| {
            // Position only: an argument may be data (`--plain-text`).
            a.into_string()
                .map_err(|_| CliError::Syntax(format!("argument {} is not valid UTF-8", i + 1)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let invocation = args::parse(args)?;
    let policy = if invocation.strict_aws {
        Policy::StrictAws
    } else {
        Policy::Documented
    };
    let load_store = || {
        keystore::load(
            invocation.keys.as_deref(),
            std::env::var_os(keystore::KEYS_ENV),
        )
    };
    match invocation.action {
        Action::Help(command) => print(help::text(command).as_bytes()),
        Action::Version => print(format!("paycrypt {}\n", env!("CARGO_PKG_VERSION")).as_bytes()),
        Action::Keys => {
            let store = load_store()?;
            print(pretty(&key_store_listing(&store)).as_bytes())
        }
        Action::Call(call) => {
            let request = build_request(&call)?;
            let store = load_store()?;
            let response = Request::from_value(call.operation, &request)
                .and_then(|q| q.execute(&store, &mut OsRng, policy))
                .map_err(|error| CliError::Service {
                    operation: call.operation,
                    error,
                })?;
            print(pretty(&response).as_bytes())
        }
        Action::Tr31Wrap(options) => {
            let store = load_store()?;
            print(pretty(&tr31_wrap(&store, &options)?).as_bytes())
        }
        Action::Batch(options) => {
            let store = load_store()?;
            // Our own handles on stdin and stdout: no std buffer keeps a copy of a line or an
            // answer, and a closed stdout is an error (exit 255), not a silent success.
            let output = wiped::stdout()?;
            let input = wiped::stdin()?;
            let summary = batch::run(&store, policy, options, input, output)?;
            let _ = writeln!(io::stderr(), "{summary}");
            Ok(())
        }
    }
}

/// Write all of `bytes` to stdout at once (nothing is written before the result is complete). A closed
/// or failing stdout is an error.
fn print(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = wiped::stdout()?;
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// JSON as the AWS CLI prints it: four-space indentation, a final newline; wiped on drop.
fn pretty(value: &Json) -> Zeroizing<String> {
    let text = value.to_pretty();
    let mut out = Zeroizing::new(String::with_capacity(text.len() + 1));
    out.push_str(&text);
    out.push('\n');
    out
}

/// A parameter's value: the text given, or a `file://PATH`'s contents (at most 1 MiB), wiped on drop.
fn load_value(flag: &str, raw: &str) -> Result<Zeroizing<String>, CliError> {
    let Some(path) = raw.strip_prefix("file://") else {
        return Ok(Zeroizing::new(raw.to_string()));
    };
    let shown = paycrypt::wire::echo(raw);
    wiped::read_file(std::path::Path::new(path), MAX_PARAM_FILE).map_err(|e| CliError::Parameter {
        flag: flag.to_string(),
        message: match e {
            wiped::ReadError::Io(e) => format!("Unable to load paramfile {shown}: {e}"),
            wiped::ReadError::TooLarge => format!(
                "Unable to load paramfile {shown}: larger than {MAX_PARAM_FILE} bytes (1 MiB)"
            ),
            wiped::ReadError::NotUtf8 => {
                format!("Unable to load paramfile {shown}: not valid UTF-8")
            }
        },
    })
}

fn parse_json(flag: &str, text: &str) -> Result<Json, CliError> {
    // The error names the position (or a repeated member's path) only: the text may hold data that
    // must not reach a log.
    Json::parse(text).map_err(|e| CliError::Parameter {
        flag: flag.to_string(),
        message: format!("Invalid JSON: {e}"),
    })
}

/// The request: `--cli-input-json`'s object, with each member option put over it (wiped on drop).
fn build_request(call: &Call) -> Result<Json, CliError> {
    let mut request = match &call.cli_input_json {
        None => Json::from(Value::Object(Map::new())),
        Some(raw) => parse_json(CLI_INPUT_JSON, &load_value(CLI_INPUT_JSON, raw)?)?,
    };
    let Some(members) = request.as_object_mut() else {
        return Err(CliError::Parameter {
            flag: CLI_INPUT_JSON.to_string(),
            message: "Invalid JSON received: the request must be a JSON object".to_string(),
        });
    };
    for (param, raw) in &call.params {
        let value = if param.json {
            parse_json(param.flag, &load_value(param.flag, raw)?)?.into_value()
        } else if raw.starts_with("file://") {
            // A file's final line ending is not part of the value.
            Value::String(load_value(param.flag, raw)?.trim().to_string())
        } else {
            Value::String(raw.to_string())
        };
        // Moved into the request, which wipes it (and whatever it replaces) on drop.
        if let Some(replaced) = members.insert(param.member.to_string(), value) {
            drop(Json::from(replaced));
        }
    }
    Ok(request)
}

/// `tr31 wrap`: the clear key wrapped under the stored KEK with the header, printed as AWS's
/// `WrappedKey` structure (ready for `--wrapped-key`, `--incoming-wrapped-key`, `--outgoing-wrapped-key`).
fn tr31_wrap(store: &paycrypt::MemoryKeyStore, options: &Tr31Wrap) -> Result<Json, CliError> {
    use paycrypt::tr31;
    let param = |flag: &str, message: String| CliError::Parameter {
        flag: flag.to_string(),
        message,
    };
    let kek = paycrypt::KeyStore::lookup(store, &options.kek_identifier).map_err(|e| match e {
        paycrypt::Error::KeyNotFound { .. } => param(
            "--kek-identifier",
            format!(
                "Key {} not found",
                paycrypt::wire::echo(&options.kek_identifier)
            ),
        ),
        other => param("--kek-identifier", other.to_string()),
    })?;
    let header = tr31::parse_header(options.header.trim(), tr31::Versions::Current)
        .map_err(|e| param("--header", e.to_string()))?;
    let key_hex = if options.key.starts_with("file://") {
        let text = load_value("--key", &options.key)?;
        Zeroizing::new(text.trim().to_string())
    } else {
        Zeroizing::new(options.key.clone())
    };
    let mut key = Zeroizing::new(vec![0u8; key_hex.len() / 2]);
    paycrypt::hex::decode(&key_hex, &mut key)
        .map_err(|e| param("--key", format!("{e} ({} characters)", key_hex.len())))?;
    let mut out = Zeroizing::new([0u8; tr31::MAX_BLOCK_LEN]);
    let block = tr31::dynamic::wrap_under_kek(kek, &header, &key, &mut OsRng, &mut out[..])
        .map_err(|e| match e {
            paycrypt::Error::AccessDenied { .. } => param(
                "--kek-identifier",
                "the key's modes of use do not allow wrapping (Wrap, Encrypt or NoRestrictions)"
                    .to_string(),
            ),
            paycrypt::Error::Invalid { problem, .. } => match problem {
                paycrypt::Problem::KeyUsage
                | paycrypt::Problem::KeyNotUsable
                | paycrypt::Problem::AttributesForKey => {
                    param("--kek-identifier", problem.to_string())
                }
                paycrypt::Problem::KeyBlockPayload => param("--key", problem.to_string()),
                _ => param("--header", problem.to_string()),
            },
            other => param("--key", other.to_string()),
        })?;
    Ok(Json::from(serde_json::json!({
        "WrappedKeyMaterial": {"Tr31KeyBlock": block},
    })))
}
