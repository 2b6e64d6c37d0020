//! `batch`: JSON lines in, JSON lines out, in input order, on all cores, in bounded memory.
//!
//! A reader thread reads stdin line by line into a bounded channel. The main thread takes a *chunk*:
//! it waits for one line, then takes whatever further lines are already waiting, up to
//! `--chunk-lines`. A chunk is split into contiguous parts, one per worker (`std::thread::scope`,
//! each worker with its own `OsRng`); while the workers run, the main thread writes the previous
//! chunk's answers and takes the next chunk. Answers are written in input order. So a file is
//! processed in full chunks on every core, an interactive client gets each answer as soon as it is
//! computed, and memory holds at most the channel and three chunks, whatever the input's length (a
//! line longer than [`MAX_LINE`] bytes is answered with an error without being kept).

use std::io::{self, BufRead, Write};
use std::num::NonZeroUsize;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

use paycrypt::rsa::OsRng;
use paycrypt::wire::{FieldError, Operation, ServiceError, handle_values};
use paycrypt::{MemoryKeyStore, Policy};
use serde_json::{Value, json};

use crate::args::BatchOptions;
use crate::error::CliError;

/// The longest line kept, in bytes (the largest valid request is under 6 KB).
pub const MAX_LINE: usize = 16 * 1024;

/// Below this many lines a chunk is processed on the main thread (threads would cost more).
const MIN_PARALLEL: usize = 32;

/// One input line.
#[derive(Debug)]
enum Line {
    /// The line's text (without its line ending).
    Text(String),
    /// A line that cannot be read as text: why.
    Bad(&'static str),
}

/// What a batch did, for the summary line.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// Lines answered.
    pub lines: u64,
    /// Of which error lines.
    pub errors: u64,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// Worker threads.
    pub workers: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        #[allow(clippy::cast_precision_loss)] // a rate for people to read
        let rate = if secs > 0.0 {
            self.lines as f64 / secs
        } else {
            0.0
        };
        write!(
            f,
            "paycrypt: batch: {} operations, {} errors, {secs:.3} s, {rate:.0} ops/s, {} workers",
            self.lines, self.errors, self.workers
        )
    }
}

fn validation(message: String, field_list: Vec<FieldError>) -> ServiceError {
    ServiceError::Validation {
        message,
        field_list,
    }
}

fn field(path: &str, message: String) -> ServiceError {
    validation(
        format!("{path}: {message}"),
        vec![FieldError {
            path: path.to_string(),
            message,
        }],
    )
}

const OPERATIONS: &str = "ReEncryptData, EncryptData, DecryptData";

/// The envelope of one line, `{"Operation": ..., "Input": {...}}`: the operation and its input.
fn envelope(text: &str) -> Result<(Operation, Value), ServiceError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| validation(format!("Line is not valid JSON: {e}"), Vec::new()))?;
    let Value::Object(mut envelope) = value else {
        return Err(validation(
            "Line must be a JSON object {\"Operation\": ..., \"Input\": {...}}".to_string(),
            Vec::new(),
        ));
    };
    if let Some(unknown) = envelope
        .keys()
        .find(|k| k.as_str() != "Operation" && k.as_str() != "Input")
    {
        return Err(field(unknown, format!("Unknown member '{unknown}'")));
    }
    let operation = match envelope.get("Operation") {
        None | Some(Value::Null) => {
            return Err(field("Operation", "Member must not be null".to_string()));
        }
        Some(Value::String(name)) => Operation::from_name(name).ok_or_else(|| {
            field(
                "Operation",
                format!(
                    "Value '{name}' failed to satisfy constraint: Member must satisfy enum value set: [{OPERATIONS}]"
                ),
            )
        })?,
        Some(_) => return Err(field("Operation", "Value must be a string".to_string())),
    };
    let input = envelope
        .remove("Input")
        .ok_or_else(|| field("Input", "Member must not be null".to_string()))?;
    Ok((operation, input))
}

/// The answer line of one result (without its newline), and whether it is an error.
fn answer(result: Result<Value, ServiceError>) -> (String, bool) {
    match result {
        Ok(output) => (json!({ "Output": output }).to_string(), false),
        Err(e) => {
            let mut members = match e.to_json() {
                Value::Object(m) => m,
                _ => serde_json::Map::new(),
            };
            members.insert("Type".to_string(), Value::String(e.name().to_string()));
            (json!({ "Error": members }).to_string(), true)
        }
    }
}

/// Answer a part of a chunk: the lines' envelopes, then all their requests in one
/// [`handle_values`] call (which derives their TDES DUKPT keys together, 64 per bitsliced pass).
fn process(store: &MemoryKeyStore, policy: Policy, lines: &[Line]) -> Vec<(String, bool)> {
    let mut rng = OsRng;
    let envelopes: Vec<Result<(Operation, Value), ServiceError>> = lines
        .iter()
        .map(|line| match line {
            Line::Text(text) => envelope(text),
            Line::Bad(why) => Err(validation((*why).to_string(), Vec::new())),
        })
        .collect();
    let requests: Vec<(Operation, &Value)> = envelopes
        .iter()
        .filter_map(|e| {
            e.as_ref()
                .ok()
                .map(|(operation, input)| (*operation, input))
        })
        .collect();
    let mut results = handle_values(store, &requests, &mut rng, policy).into_iter();
    envelopes
        .iter()
        .map(|e| {
            answer(match e {
                Ok(_) => results.next().unwrap_or_else(|| {
                    Err(ServiceError::InternalServer {
                        message: "A batch answer is missing".to_string(),
                    })
                }),
                Err(error) => Err(error.clone()),
            })
        })
        .collect()
}

/// Read one line of at most [`MAX_LINE`] bytes; `None` at the end of the input.
fn read_line<I: BufRead>(input: &mut I, buf: &mut Vec<u8>) -> io::Result<Option<Line>> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let newline = available.iter().position(|&b| b == b'\n');
        let take = newline.unwrap_or(available.len());
        if !too_long {
            if buf.len() + take > MAX_LINE {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&available[..take]);
            }
        }
        input.consume(newline.map_or(take, |i| i + 1));
        if newline.is_some() {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if too_long {
        return Ok(Some(Line::Bad("Line is longer than 16384 bytes")));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(match String::from_utf8(std::mem::take(buf)) {
        Ok(s) => Line::Text(s),
        Err(_) => Line::Bad("Line is not valid UTF-8"),
    }))
}

fn read_lines<I: BufRead>(mut input: I, tx: &SyncSender<io::Result<Line>>) {
    let mut buf = Vec::new();
    loop {
        let line = read_line(&mut input, &mut buf);
        let end = !matches!(line, Ok(Some(_)));
        let item = match line {
            Ok(Some(l)) => Ok(l),
            Ok(None) => return,
            Err(e) => Err(e),
        };
        if tx.send(item).is_err() || end {
            return;
        }
    }
}

/// Take a chunk: when `wait`, block for the first line (none at the end of the input); then take the
/// lines already waiting, up to `max`.
fn gather(rx: &Receiver<io::Result<Line>>, max: usize, wait: bool) -> io::Result<Vec<Line>> {
    let mut lines = Vec::new();
    if wait {
        match rx.recv() {
            Ok(line) => lines.push(line?),
            Err(_) => return Ok(lines),
        }
    }
    while lines.len() < max {
        match rx.try_recv() {
            Ok(line) => lines.push(line?),
            Err(_) => break,
        }
    }
    Ok(lines)
}

fn write_answers<W: Write>(
    out: &mut W,
    answers: Vec<(String, bool)>,
    summary: &mut Summary,
) -> io::Result<()> {
    for (line, is_error) in answers {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        summary.lines += 1;
        summary.errors += u64::from(is_error);
    }
    out.flush()
}

/// Answer every line of `input` on `out`.
pub fn run<I, W>(
    store: &MemoryKeyStore,
    policy: Policy,
    options: BatchOptions,
    input: I,
    mut out: W,
) -> Result<Summary, CliError>
where
    I: BufRead + Send + 'static,
    W: Write,
{
    let workers = options
        .workers
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, NonZeroUsize::get))
        .max(1);
    let max = options.chunk_lines.max(1);
    let started = Instant::now();
    let mut summary = Summary {
        lines: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        workers,
    };

    // Detached: if we stop early (stdout closed), the process exits without waiting for stdin.
    let (tx, rx) = mpsc::sync_channel(max);
    thread::Builder::new()
        .name("paycrypt-batch-reader".to_string())
        .spawn(move || read_lines(input, &tx))?;

    let mut pending: Option<Vec<(String, bool)>> = None;
    let mut current = gather(&rx, max, true)?;
    while !current.is_empty() {
        let (answers, next) = if workers == 1 || current.len() < MIN_PARALLEL {
            if let Some(previous) = pending.take() {
                write_answers(&mut out, previous, &mut summary)?;
            }
            let answers = process(store, policy, &current);
            (answers, gather(&rx, max, false)?)
        } else {
            thread::scope(|s| -> Result<_, CliError> {
                let part = current.len().div_ceil(workers);
                let handles: Vec<_> = current
                    .chunks(part)
                    .map(|lines| s.spawn(move || process(store, policy, lines)))
                    .collect();
                // Meanwhile: write the previous chunk's answers and take the next chunk.
                let io = match pending.take() {
                    Some(previous) => write_answers(&mut out, previous, &mut summary),
                    None => Ok(()),
                }
                .and_then(|()| gather(&rx, max, false));
                let mut answers = Vec::with_capacity(current.len());
                for handle in handles {
                    answers.extend(handle.join().map_err(|_| {
                        CliError::Io(io::Error::other("a batch worker thread failed"))
                    })?);
                }
                Ok((answers, io?))
            })?
        };
        if next.is_empty() {
            // Nothing else is waiting: answer now, then wait for more input.
            write_answers(&mut out, answers, &mut summary)?;
            current = gather(&rx, max, true)?;
        } else {
            pending = Some(answers);
            current = next;
        }
    }
    if let Some(previous) = pending.take() {
        write_answers(&mut out, previous, &mut summary)?;
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<String> {
        let mut reader = io::BufReader::with_capacity(7, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Ok(Some(line)) = read_line(&mut reader, &mut buf) {
            out.push(match line {
                Line::Text(t) => t,
                Line::Bad(why) => format!("<{why}>"),
            });
        }
        out
    }

    #[test]
    fn lines_are_split_bounded_and_checked() {
        assert_eq!(lines(b"a\r\n\nbc"), ["a", "", "bc"]);
        let mut long = vec![b'x'; MAX_LINE + 1];
        long.extend_from_slice(b"\nok\n\xff\n");
        assert_eq!(
            lines(&long),
            [
                "<Line is longer than 16384 bytes>",
                "ok",
                "<Line is not valid UTF-8>"
            ]
        );
        let exact = vec![b'y'; MAX_LINE];
        assert_eq!(lines(&exact)[0].len(), MAX_LINE);
    }
}
