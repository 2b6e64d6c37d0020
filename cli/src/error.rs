//! The command's one error type, its exit codes and how each kind is shown on stderr.

use std::fmt;
use std::io;

use paycrypt::wire::{Operation, ServiceError};

/// Exit code of a service error (the AWS CLI's code for an error the service returned).
pub const EXIT_SERVICE: u8 = 254;
/// Exit code of a key store that cannot be loaded (the AWS CLI's "configuration invalid" code).
pub const EXIT_CONFIG: u8 = 253;
/// Exit code of a bad command line (the AWS CLI's "command syntax invalid" code).
pub const EXIT_SYNTAX: u8 = 252;
/// Exit code of anything else: reading stdin or writing stdout failed.
pub const EXIT_OTHER: u8 = 255;

/// Everything that can stop the command.
#[derive(Debug)]
pub enum CliError {
    /// Unknown command or option, missing argument: shown with the usage lines (252).
    Syntax(String),
    /// A parameter's value cannot be loaded or parsed, e.g. a `file://` that does not exist or JSON
    /// that does not parse (252), shown as the AWS CLI shows it.
    Parameter {
        /// The option, e.g. `--cli-input-json`.
        flag: String,
        /// What is wrong.
        message: String,
    },
    /// The key store cannot be loaded (253).
    KeyStore(String),
    /// The operation returned an AWS error (254).
    Service {
        /// The operation called.
        operation: Operation,
        /// The error.
        error: ServiceError,
    },
    /// Reading the input or writing the output failed (255).
    Io(io::Error),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Syntax(_) | CliError::Parameter { .. } => EXIT_SYNTAX,
            CliError::KeyStore(_) => EXIT_CONFIG,
            CliError::Service { .. } => EXIT_SERVICE,
            CliError::Io(_) => EXIT_OTHER,
        }
    }

    /// Whether the error is stdout closing under us (`paycrypt … | head`): exit without a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Io(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> Self {
        CliError::Io(e)
    }
}

/// The usage lines printed before a syntax error, in the AWS CLI's layout.
const USAGE: &str = "usage: paycrypt [--keys FILE] [--strict-aws] <command> [parameters]
To see help text, you can run:

  paycrypt help
  paycrypt <command> help
";

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Syntax(message) => {
                write!(f, "\n{USAGE}\npaycrypt: error: {message}")
            }
            CliError::Parameter { flag, message } => {
                write!(f, "\nError parsing parameter '{flag}': {message}")
            }
            CliError::KeyStore(message) => write!(f, "paycrypt: error: {message}"),
            CliError::Service { operation, error } => write!(
                f,
                "\nAn error occurred ({}) when calling the {} operation: {}",
                error.name(),
                operation.aws_name(),
                error.message()
            ),
            CliError::Io(e) => write!(f, "paycrypt: error: {e}"),
        }
    }
}
