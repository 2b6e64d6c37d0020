//! `paycrypt`: AWS Payment Cryptography's `ReEncryptData`, `EncryptData` and `DecryptData` from the
//! command line, shaped like `aws payment-cryptography-data …`, on top of the `paycrypt` library's
//! wire layer; plus `batch` (JSON lines) and `keys` (the key store, without material).
//!
//! `paycrypt help` explains the commands, exit codes and the embedded demo key store.

mod args;
mod batch;
mod demo;
mod error;
mod help;
mod keystore;

use std::io::{self, BufReader, BufWriter, Write};
use std::process::ExitCode;

use paycrypt::Policy;
use paycrypt::rsa::OsRng;
use paycrypt::wire::handle_value;
use serde::Serialize;
use serde_json::{Map, Value};

use args::{Action, CLI_INPUT_JSON, Call};
use error::CliError;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.is_broken_pipe() {
                eprintln!("{e}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn run() -> Result<(), CliError> {
    let args = std::env::args_os()
        .skip(1)
        .map(|a| {
            a.into_string().map_err(|a| {
                CliError::Syntax(format!(
                    "argument is not valid UTF-8: {}",
                    a.to_string_lossy()
                ))
            })
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
            print(&pretty(&keystore::listing(&store))?)
        }
        Action::Call(call) => {
            let request = build_request(&call)?;
            let store = load_store()?;
            let response = handle_value(&store, call.operation, &request, &mut OsRng, policy)
                .map_err(|error| CliError::Service {
                    operation: call.operation,
                    error,
                })?;
            print(&pretty(&response)?)
        }
        Action::Batch(options) => {
            let store = load_store()?;
            let input = BufReader::with_capacity(1 << 16, io::stdin());
            let output = BufWriter::with_capacity(1 << 16, io::stdout().lock());
            let summary = batch::run(&store, policy, options, input, output)?;
            eprintln!("{summary}");
            Ok(())
        }
    }
}

/// Write all of `bytes` to stdout at once (nothing is written before the result is complete).
fn print(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// JSON as the AWS CLI prints it: four-space indentation, a final newline.
fn pretty(value: &Value) -> Result<Vec<u8>, CliError> {
    let mut buf = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    value
        .serialize(&mut serializer)
        .map_err(|e| CliError::Io(io::Error::other(e)))?;
    buf.push(b'\n');
    Ok(buf)
}

/// A parameter's value: the text given, or a `file://PATH`'s contents.
fn load_value(flag: &str, raw: &str) -> Result<String, CliError> {
    match raw.strip_prefix("file://") {
        Some(path) => std::fs::read_to_string(path).map_err(|e| CliError::Parameter {
            flag: flag.to_string(),
            message: format!("Unable to load paramfile {raw}: {e}"),
        }),
        None => Ok(raw.to_string()),
    }
}

fn parse_json(flag: &str, text: &str) -> Result<Value, CliError> {
    // The error names the position only: the text may hold data that must not reach a log.
    serde_json::from_str(text).map_err(|e| CliError::Parameter {
        flag: flag.to_string(),
        message: format!("Invalid JSON: {e}"),
    })
}

/// The request: `--cli-input-json`'s object, with each member option put over it.
fn build_request(call: &Call) -> Result<Value, CliError> {
    let mut request = match &call.cli_input_json {
        None => Map::new(),
        Some(raw) => match parse_json(CLI_INPUT_JSON, &load_value(CLI_INPUT_JSON, raw)?)? {
            Value::Object(members) => members,
            _ => {
                return Err(CliError::Parameter {
                    flag: CLI_INPUT_JSON.to_string(),
                    message: "Invalid JSON received: the request must be a JSON object".to_string(),
                });
            }
        },
    };
    for (param, raw) in &call.params {
        let value = if param.json {
            parse_json(param.flag, &load_value(param.flag, raw)?)?
        } else if raw.starts_with("file://") {
            // A file's final line ending is not part of the value.
            Value::String(load_value(param.flag, raw)?.trim().to_string())
        } else {
            Value::String(raw.clone())
        };
        request.insert(param.member.to_string(), value);
    }
    Ok(Value::Object(request))
}
