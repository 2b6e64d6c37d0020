//! Running the built `paycrypt` binary.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The plaintext of every example: ASCII "4111111111111111".
pub const EXAMPLE_PLAINTEXT: &str = "34313131313131313131313131313131";

/// The repository root (examples are addressed from there, as the README does).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// What a run gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout as JSON (panics with the run's output if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }

    /// Assert success and return the stdout JSON.
    pub fn ok(&self) -> Value {
        assert_eq!(self.code, 0, "{self:?}");
        self.json()
    }

    /// Assert a failure with `code`, an empty stdout, and return the stderr.
    pub fn fails(&self, code: i32) -> &str {
        assert_eq!(self.code, code, "{self:?}");
        assert!(
            self.stdout.is_empty(),
            "stdout must be empty on error: {self:?}"
        );
        &self.stderr
    }
}

fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// A command for the binary, run from the repository root, with `PAYCRYPT_KEYS` unset.
pub fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_paycrypt"));
    c.args(args).current_dir(root()).env_remove("PAYCRYPT_KEYS");
    c
}

/// Run with an empty stdin.
pub fn run(args: &[&str]) -> Run {
    finish(
        command(args)
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs"),
    )
}

/// Run a prepared command, feeding `input` on stdin.
pub fn run_command_with_input(mut c: Command, input: &[u8]) -> Run {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // The binary may stop reading early (e.g. on a syntax error): ignore a broken pipe.
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("the binary finishes");
    writer.join().expect("the writer thread finishes");
    finish(out)
}

/// Run with `input` on stdin.
pub fn run_with_input(args: &[&str], input: &[u8]) -> Run {
    run_command_with_input(command(args), input)
}

/// The outputs of a batch run, one JSON value per line (asserting success).
pub fn batch_lines(run: &Run) -> Vec<Value> {
    assert_eq!(run.code, 0, "{run:?}");
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad output line {l}: {e}")))
        .collect()
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("paycrypt-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The embedded demo key store's document (for the tests that need a key's material).
pub fn demo_keys() -> Value {
    let text = std::fs::read_to_string(root().join("cli/src/demo-keys.json")).expect("demo keys");
    serde_json::from_str(&text).expect("demo keys are JSON")
}

/// The material of a demo key, by alias.
pub fn demo_material(alias: &str) -> String {
    let doc = demo_keys();
    let arn = doc["Aliases"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["AliasName"] == alias))
        .map(|x| x["KeyArn"].clone())
        .unwrap_or_else(|| panic!("no alias {alias}"));
    doc["Keys"]
        .as_array()
        .and_then(|k| k.iter().find(|x| x["KeyArn"] == arn))
        .and_then(|x| x["KeyMaterial"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no key {arn}"))
}

/// Hex to bytes (test helper; panics on bad hex).
pub fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Bytes to upper-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
