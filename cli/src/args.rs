//! The command line: global options (anywhere), one command, the command's `--option value` pairs.
//!
//! Three layers: a small lexer (`--name=value`, values, positions), the global options, and one
//! table per command ([`params`], `batch_options`). Hand-written so that every message and exit code
//! is the AWS CLI's: errors here are [`CliError::Syntax`] (exit 252). Messages repeat option names (at
//! most 64 characters of them), never a positional argument or an option's value that could be data:
//! those are named by position and length (`--plain-text 4111…` typed without its option must not
//! reach a log).

use paycrypt::wire::{Operation, echo};

use crate::error::CliError;

/// The commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandName {
    /// `re-encrypt-data`.
    ReEncryptData,
    /// `encrypt-data`.
    EncryptData,
    /// `decrypt-data`.
    DecryptData,
    /// `batch`.
    Batch,
    /// `keys`.
    Keys,
    /// `tr31 wrap`.
    Tr31,
}

impl CommandName {
    /// Every command, in the order the help lists them.
    pub const ALL: [CommandName; 6] = [
        CommandName::ReEncryptData,
        CommandName::EncryptData,
        CommandName::DecryptData,
        CommandName::Batch,
        CommandName::Keys,
        CommandName::Tr31,
    ];

    /// The word on the command line.
    pub const fn word(self) -> &'static str {
        match self {
            CommandName::ReEncryptData => "re-encrypt-data",
            CommandName::EncryptData => "encrypt-data",
            CommandName::DecryptData => "decrypt-data",
            CommandName::Batch => "batch",
            CommandName::Keys => "keys",
            CommandName::Tr31 => "tr31",
        }
    }

    fn from_word(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.word() == word)
    }

    /// The operation a single-call command runs.
    pub const fn operation(self) -> Option<Operation> {
        match self {
            CommandName::ReEncryptData => Some(Operation::ReEncryptData),
            CommandName::EncryptData => Some(Operation::EncryptData),
            CommandName::DecryptData => Some(Operation::DecryptData),
            CommandName::Batch | CommandName::Keys | CommandName::Tr31 => None,
        }
    }
}

/// One request member settable by its own option.
#[derive(Debug)]
pub struct Param {
    /// The option, e.g. `--cipher-text`.
    pub flag: &'static str,
    /// The request member, e.g. `CipherText`.
    pub member: &'static str,
    /// Whether the value is a JSON structure (else a string).
    pub json: bool,
    /// Whether the option is required (unless `--cli-input-json` is given).
    pub required: bool,
}

const fn string(flag: &'static str, member: &'static str) -> Param {
    Param {
        flag,
        member,
        json: false,
        required: true,
    }
}

const fn structure(flag: &'static str, member: &'static str) -> Param {
    Param {
        flag,
        member,
        json: true,
        required: true,
    }
}

/// An optional structure: a wrapped key (AWS's `WrappedKey` shape, as JSON).
const fn optional(flag: &'static str, member: &'static str) -> Param {
    Param {
        flag,
        member,
        json: true,
        required: false,
    }
}

const RE_ENCRYPT_PARAMS: [Param; 7] = [
    string("--incoming-key-identifier", "IncomingKeyIdentifier"),
    string("--outgoing-key-identifier", "OutgoingKeyIdentifier"),
    string("--cipher-text", "CipherText"),
    structure(
        "--incoming-encryption-attributes",
        "IncomingEncryptionAttributes",
    ),
    structure(
        "--outgoing-encryption-attributes",
        "OutgoingEncryptionAttributes",
    ),
    optional("--incoming-wrapped-key", "IncomingWrappedKey"),
    optional("--outgoing-wrapped-key", "OutgoingWrappedKey"),
];
const ENCRYPT_PARAMS: [Param; 4] = [
    string("--key-identifier", "KeyIdentifier"),
    string("--plain-text", "PlainText"),
    structure("--encryption-attributes", "EncryptionAttributes"),
    optional("--wrapped-key", "WrappedKey"),
];
const DECRYPT_PARAMS: [Param; 4] = [
    string("--key-identifier", "KeyIdentifier"),
    string("--cipher-text", "CipherText"),
    structure("--decryption-attributes", "DecryptionAttributes"),
    optional("--wrapped-key", "WrappedKey"),
];

/// The request members of an operation, as options (required ones unless `--cli-input-json` is given).
pub fn params(operation: Operation) -> &'static [Param] {
    match operation {
        Operation::ReEncryptData => &RE_ENCRYPT_PARAMS,
        Operation::EncryptData => &ENCRYPT_PARAMS,
        Operation::DecryptData => &DECRYPT_PARAMS,
    }
}

/// The option that takes a whole request.
pub const CLI_INPUT_JSON: &str = "--cli-input-json";

/// A single call: the operation, `--cli-input-json`'s raw value if given, and the other members' raw
/// values (still to be loaded: any value may be `file://PATH`). `Debug` shows the options given, not
/// their values (`--plain-text` is data).
pub struct Call {
    /// The operation.
    pub operation: Operation,
    /// `--cli-input-json`, as given.
    pub cli_input_json: Option<String>,
    /// The member options given, in command-line order.
    pub params: Vec<(&'static Param, String)>,
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("operation", &self.operation)
            .field(
                "cli_input_json",
                &self.cli_input_json.as_ref().map(String::len),
            )
            .field(
                "params",
                &self.params.iter().map(|(p, _)| p.flag).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// `batch`'s options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchOptions {
    /// Worker threads (`None`: one per core).
    pub workers: Option<usize>,
    /// The most lines processed in one parallel step.
    pub chunk_lines: usize,
}

/// Default `--chunk-lines`.
pub const DEFAULT_CHUNK_LINES: usize = 4096;
/// Largest `--workers`.
pub const MAX_WORKERS: usize = 256;
/// Largest `--chunk-lines`.
pub const MAX_CHUNK_LINES: usize = 65_536;

/// What to do.
#[derive(Debug)]
pub enum Action {
    /// Print the help of the command, or the overview.
    Help(Option<CommandName>),
    /// Print the version.
    Version,
    /// Run one operation.
    Call(Call),
    /// Run JSON lines from stdin.
    Batch(BatchOptions),
    /// List the key store.
    Keys,
    /// `tr31 wrap`: wrap a clear key under a stored KEK.
    Tr31Wrap(Tr31Wrap),
}

/// `tr31 wrap`'s options (raw values: `--key` may be `file://PATH`). `Debug` shows no value.
pub struct Tr31Wrap {
    /// `--kek-identifier`: the stored KEK (key ARN, alias ARN or alias name).
    pub kek_identifier: String,
    /// `--header`: the key block header (16 characters and any optional blocks; the length field is
    /// rewritten).
    pub header: String,
    /// `--key`: the clear key in hex, or `file://PATH`.
    pub key: String,
}

impl std::fmt::Debug for Tr31Wrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tr31Wrap").finish_non_exhaustive()
    }
}

/// `tr31`'s subcommands.
pub const TR31_SUBCOMMANDS: [&str; 1] = ["wrap"];

/// `tr31 wrap`'s options, all required.
const TR31_WRAP_FLAGS: [&str; 3] = ["--kek-identifier", "--header", "--key"];

/// A parsed command line.
#[derive(Debug)]
pub struct Invocation {
    /// `--keys FILE`.
    pub keys: Option<String>,
    /// `--strict-aws`.
    pub strict_aws: bool,
    /// What to do.
    pub action: Action,
}

fn syntax(message: impl Into<String>) -> CliError {
    CliError::Syntax(message.into())
}

/// One argument as the lexer sees it: `--name=value` split at the first `=` (for a `--` name only).
struct Token {
    /// The whole argument.
    arg: String,
    /// The option name, or the whole argument.
    name: String,
    /// The value given with `=`.
    inline: Option<String>,
    /// Its position on the command line, from 1.
    position: usize,
}

/// The lexer: arguments in order, and the values of options that take one (argparse's rules: an inline
/// `=value`, else the next argument unless it is an option).
struct Lexer {
    args: std::vec::IntoIter<String>,
    position: usize,
}

impl Lexer {
    fn new(args: Vec<String>) -> Self {
        Lexer {
            args: args.into_iter(),
            position: 0,
        }
    }

    fn next_token(&mut self) -> Option<Token> {
        let arg = self.args.next()?;
        self.position += 1;
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        Some(Token {
            arg,
            name,
            inline,
            position: self.position,
        })
    }

    /// The value of the option `token`.
    fn value(&mut self, token: &Token) -> Result<String, CliError> {
        if let Some(v) = &token.inline {
            return Ok(v.clone());
        }
        match self.args.next() {
            Some(v) if !v.starts_with("--") => {
                self.position += 1;
                Ok(v)
            }
            _ => Err(syntax(format!(
                "argument {}: expected one argument",
                echo(&token.name)
            ))),
        }
    }
}

/// A flag option must not be given a value with `=`.
fn no_value(token: &Token, flag: &str) -> Result<(), CliError> {
    match token.inline {
        Some(_) => Err(syntax(format!(
            "argument {flag}: ignored explicit argument"
        ))),
        None => Ok(()),
    }
}

/// The options valid anywhere on the line.
#[derive(Default)]
struct Globals {
    keys: Option<String>,
    strict_aws: bool,
    help: bool,
    version: bool,
}

impl Globals {
    /// Take `token` if it is a global option; `false` if it is not one.
    fn take(&mut self, token: &Token, lexer: &mut Lexer) -> Result<bool, CliError> {
        match token.name.as_str() {
            "--keys" => {
                if self.keys.is_some() {
                    return Err(syntax("argument --keys: given more than once"));
                }
                self.keys = Some(lexer.value(token)?);
            }
            "--strict-aws" => {
                no_value(token, "--strict-aws")?;
                self.strict_aws = true;
            }
            "--help" | "-h" => {
                no_value(token, "--help")?;
                self.help = true;
            }
            "--version" => {
                no_value(token, "--version")?;
                self.version = true;
            }
            "help" => self.help = true,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// The command word; a mistyped command is repeated, anything that does not look like one (digits,
/// say) is named by position only.
fn command_word(word: &str, position: usize) -> Result<CommandName, CliError> {
    CommandName::from_word(word).ok_or_else(|| {
        let looks_like_a_command =
            word.len() <= 32 && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
        let given = if looks_like_a_command {
            format!("'{word}'")
        } else {
            format!("(argument {position}, {} characters)", word.chars().count())
        };
        syntax(format!(
            "argument command: Invalid choice {given}, valid choices are: {}",
            CommandName::ALL.map(CommandName::word).join(" | ")
        ))
    })
}

/// `tr31`'s subcommand (never repeated: a mistyped word could be data).
fn subcommand_word(word: &str) -> Result<(), CliError> {
    if TR31_SUBCOMMANDS.contains(&word) {
        Ok(())
    } else {
        Err(syntax(format!(
            "argument subcommand: Invalid choice, valid choices are: {}",
            TR31_SUBCOMMANDS.join(" | ")
        )))
    }
}

/// Parse the arguments (without the program name).
pub fn parse(args: Vec<String>) -> Result<Invocation, CliError> {
    let mut lexer = Lexer::new(args);
    let mut globals = Globals::default();
    let mut command: Option<CommandName> = None;
    let mut options: Vec<(String, String)> = Vec::new();
    // Stray positional arguments: (position from 1, characters).
    let mut extra: Vec<(usize, usize)> = Vec::new();
    // `tr31`'s subcommand word.
    let mut subcommand = false;
    while let Some(token) = lexer.next_token() {
        if globals.take(&token, &mut lexer)? {
            continue;
        }
        if token.name.starts_with('-') {
            if command.is_none() {
                return Err(syntax(format!(
                    "unrecognized arguments: {}",
                    echo(&token.name)
                )));
            }
            let value = lexer.value(&token)?;
            options.push((token.name, value));
        } else if command.is_none() {
            command = Some(command_word(&token.name, token.position)?);
        } else if command == Some(CommandName::Tr31) && !subcommand {
            subcommand_word(&token.name)?;
            subcommand = true;
        } else {
            extra.push((token.position, token.arg.chars().count()));
        }
    }
    let action = action(&globals, command, subcommand, options, &extra)?;
    Ok(Invocation {
        keys: globals.keys,
        strict_aws: globals.strict_aws,
        action,
    })
}

/// What the line asks for, once every argument is read.
fn action(
    globals: &Globals,
    command: Option<CommandName>,
    subcommand: bool,
    options: Vec<(String, String)>,
    extra: &[(usize, usize)],
) -> Result<Action, CliError> {
    if globals.help {
        return Ok(Action::Help(command));
    }
    if globals.version {
        return Ok(Action::Version);
    }
    if !extra.is_empty() {
        let named: Vec<String> = extra
            .iter()
            .map(|(at, len)| format!("argument {at} ({len} characters)"))
            .collect();
        return Err(syntax(format!(
            "unrecognized arguments: {}",
            named.join(", ")
        )));
    }
    let Some(command) = command else {
        return Err(syntax("the following arguments are required: command"));
    };
    match command.operation() {
        Some(operation) => Ok(Action::Call(call(operation, options)?)),
        None if command == CommandName::Batch => Ok(Action::Batch(batch_options(options)?)),
        None if command == CommandName::Tr31 => {
            if !subcommand {
                return Err(syntax(
                    "the following arguments are required: subcommand (wrap)",
                ));
            }
            Ok(Action::Tr31Wrap(tr31_wrap(options)?))
        }
        None => {
            if let Some((flag, _)) = options.first() {
                return Err(syntax(format!("Unknown options: {}", echo(flag))));
            }
            Ok(Action::Keys)
        }
    }
}

fn call(operation: Operation, options: Vec<(String, String)>) -> Result<Call, CliError> {
    let table = params(operation);
    let mut cli_input_json = None;
    let mut given: Vec<(&'static Param, String)> = Vec::new();
    for (flag, value) in options {
        if flag == CLI_INPUT_JSON {
            if cli_input_json.replace(value).is_some() {
                return Err(syntax(format!(
                    "argument {CLI_INPUT_JSON}: given more than once"
                )));
            }
            continue;
        }
        let Some(param) = table.iter().find(|p| p.flag == flag) else {
            return Err(syntax(format!("Unknown options: {}", echo(&flag))));
        };
        if given.iter().any(|(p, _)| p.flag == flag) {
            return Err(syntax(format!("argument {flag}: given more than once")));
        }
        given.push((param, value));
    }
    if cli_input_json.is_none() {
        let missing: Vec<&str> = table
            .iter()
            .filter(|p| p.required && !given.iter().any(|(g, _)| g.flag == p.flag))
            .map(|p| p.flag)
            .collect();
        if !missing.is_empty() {
            return Err(syntax(format!(
                "the following arguments are required: {}",
                missing.join(", ")
            )));
        }
    }
    Ok(Call {
        operation,
        cli_input_json,
        params: given,
    })
}

fn tr31_wrap(options: Vec<(String, String)>) -> Result<Tr31Wrap, CliError> {
    let mut values: [Option<String>; 3] = [None, None, None];
    for (flag, value) in options {
        let Some(i) = TR31_WRAP_FLAGS.iter().position(|f| *f == flag) else {
            return Err(syntax(format!("Unknown options: {}", echo(&flag))));
        };
        if values[i].replace(value).is_some() {
            return Err(syntax(format!("argument {flag}: given more than once")));
        }
    }
    let missing: Vec<&str> = TR31_WRAP_FLAGS
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(f, _)| *f)
        .collect();
    let [Some(kek_identifier), Some(header), Some(key)] = values else {
        return Err(syntax(format!(
            "the following arguments are required: {}",
            missing.join(", ")
        )));
    };
    Ok(Tr31Wrap {
        kek_identifier,
        header,
        key,
    })
}

fn number(flag: &str, value: &str, max: usize) -> Result<usize, CliError> {
    match value.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(syntax(format!(
            "argument {flag}: invalid value '{}' (a whole number from 1 to {max})",
            echo(value)
        ))),
    }
}

fn batch_options(options: Vec<(String, String)>) -> Result<BatchOptions, CliError> {
    let mut workers = None;
    let mut chunk_lines = None;
    for (flag, value) in options {
        let slot = match flag.as_str() {
            "--workers" => &mut workers,
            "--chunk-lines" => &mut chunk_lines,
            _ => return Err(syntax(format!("Unknown options: {}", echo(&flag)))),
        };
        let max = if flag == "--workers" {
            MAX_WORKERS
        } else {
            MAX_CHUNK_LINES
        };
        if slot.replace(number(&flag, &value, max)?).is_some() {
            return Err(syntax(format!("argument {flag}: given more than once")));
        }
    }
    Ok(BatchOptions {
        workers,
        chunk_lines: chunk_lines.unwrap_or(DEFAULT_CHUNK_LINES),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &str) -> Result<Invocation, CliError> {
        parse(words.split_whitespace().map(str::to_string).collect())
    }

    #[test]
    fn global_options_anywhere_and_inline_values() {
        let Ok(inv) = parse_words("keys --keys=k.json --strict-aws") else {
            unreachable!("keys parses")
        };
        assert_eq!(inv.keys.as_deref(), Some("k.json"));
        assert!(inv.strict_aws);
        assert!(matches!(inv.action, Action::Keys));
    }

    #[test]
    fn missing_members_are_listed_without_cli_input_json() {
        let Err(CliError::Syntax(m)) = parse_words("encrypt-data --plain-text 00") else {
            unreachable!("must fail")
        };
        assert_eq!(
            m,
            "the following arguments are required: --key-identifier, --encryption-attributes"
        );
        assert!(parse_words("encrypt-data --cli-input-json {}").is_ok());
    }

    #[test]
    fn debug_shows_no_parameter_value() {
        let Ok(Invocation {
            action: Action::Call(call),
            ..
        }) = parse_words("encrypt-data --plain-text 34313131 --cli-input-json {}")
        else {
            unreachable!("parses")
        };
        let shown = format!("{call:?}");
        assert!(
            shown.contains("--plain-text") && !shown.contains("34313131"),
            "{shown}"
        );
    }

    #[test]
    fn batch_numbers_are_checked() {
        assert!(matches!(
            parse_words("batch --workers 0"),
            Err(CliError::Syntax(_))
        ));
        let Ok(Invocation {
            action: Action::Batch(o),
            ..
        }) = parse_words("batch --workers 2 --chunk-lines 10")
        else {
            unreachable!("batch parses")
        };
        assert_eq!(
            o,
            BatchOptions {
                workers: Some(2),
                chunk_lines: 10
            }
        );
    }

    #[test]
    fn help_wins_over_other_errors() {
        assert!(matches!(
            parse_words("batch --bogus 1 help"),
            Ok(Invocation {
                action: Action::Help(Some(CommandName::Batch)),
                ..
            })
        ));
    }
}
