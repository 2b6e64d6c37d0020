//! `batch`: JSON lines in, JSON lines out, in input order, on all cores, in bounded memory.
//!
//! A reader thread reads stdin line by line into a bounded channel. The main thread takes a *chunk*:
//! it waits for one line, then takes whatever further lines are already waiting, up to
//! `--chunk-lines`. A chunk is split into contiguous parts, one per worker (`std::thread::scope`,
//! each worker with its own `OsRng`); while the workers run, the main thread writes the previous
//! chunk's answers and takes the next chunk. Answers are written in input order. So a file is
//! processed in full chunks on every core, and an interactive client gets each answer as soon as it is
//! computed. A worker thread that cannot be started is not an error: a chunk's workers wait until all
//! of them have started, so when the system refuses one (usually for lack of memory), those started
//! are sent home without work and joined (giving their memory back), and the batch goes on with half
//! as many workers as could be started (down to the main thread alone).
//!
//! **Memory.** Lines are bounded by count (`--chunk-lines` in the channel and in each chunk) and by
//! bytes: every line read is charged `2 × its length + 2 KiB` (the line, and room for its answer, which
//! is never longer than the line plus about 1.5 KiB: error messages repeat at most 64 characters of any
//! name or value) against [`MAX_IN_FLIGHT`] until its answer is written, and the reader waits while the
//! charge is full. A line longer than [`MAX_LINE`] bytes is answered with an error without being kept.
//! So whatever the input (hostile lines included) and whatever the options, the lines and answers in
//! memory stay under 16 MiB.
//!
//! **Wiping.** Lines, parsed requests, answers and the read and write buffers are all wiped when they
//! are freed ([`crate::wiped`], [`paycrypt::wire::Json`]): after a batch has answered a line, no copy
//! of its plaintext is left in the process.

use std::io::{self, Read, Write};
use std::num::NonZeroUsize;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use paycrypt::OsRng;
use paycrypt::wire::{Json, ServiceError, handle_envelopes};
use paycrypt::{MemoryKeyStore, Policy};
use serde_json::{Value, json};
use zeroize::{Zeroize, Zeroizing};

use crate::args::BatchOptions;
use crate::error::CliError;
use crate::wiped::Output;

/// The longest line kept, in bytes (the largest valid request is under 6 KB).
pub const MAX_LINE: usize = 16 * 1024;

/// The most bytes charged for lines read and not yet answered (see the module docs).
pub const MAX_IN_FLIGHT: usize = 16 * 1024 * 1024;

/// What a line is charged besides twice its length: room for the longest answer of a short line (an
/// RSA-4096 ciphertext in hex, an error message).
const ANSWER_ROOM: usize = 2048;

/// Below this many lines a chunk is processed on the main thread (threads would cost more).
const MIN_PARALLEL: usize = 32;

/// The read buffer of stdin.
const READ_BUFFER: usize = 1 << 16;

/// One input line.
enum Line {
    /// The line's text (without its line ending), wiped on drop.
    Text(Zeroizing<String>),
    /// A line that cannot be read as text: why.
    Bad(&'static str),
}

impl Line {
    /// What the line is charged against [`MAX_IN_FLIGHT`].
    fn cost(&self) -> usize {
        match self {
            Line::Text(t) => 2 * t.len() + ANSWER_ROOM,
            Line::Bad(_) => ANSWER_ROOM,
        }
    }
}

/// One answer line (without its newline), wiped on drop, and whether it is an error.
struct Answer {
    text: Zeroizing<String>,
    is_error: bool,
}

/// The answers of a chunk and what its lines were charged.
struct Answered {
    answers: Vec<Answer>,
    cost: usize,
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
        #[expect(clippy::cast_precision_loss, reason = "a rate for people to read")]
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

/// The byte charge of the lines in flight: the reader takes, the writer gives back.
struct Budget {
    used: Mutex<usize>,
    freed: Condvar,
}

impl Budget {
    /// Charge `n` bytes, waiting while that would pass [`MAX_IN_FLIGHT`] (a line is always let in
    /// when nothing else is charged).
    fn take(&self, n: usize) {
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        while *used > 0 && *used + n > MAX_IN_FLIGHT {
            used = self
                .freed
                .wait(used)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *used += n;
    }

    fn give(&self, n: usize) {
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        *used = used.saturating_sub(n);
        self.freed.notify_all();
    }
}

/// The answer line of one result.
fn answer(result: Result<Json, ServiceError>) -> Answer {
    match result {
        Ok(output) => Answer {
            text: output.wrapped("Output").to_text(),
            is_error: false,
        },
        Err(e) => {
            let mut members = match e.to_json() {
                Value::Object(m) => m,
                _ => serde_json::Map::new(),
            };
            members.insert("Type".to_string(), Value::String(e.name().to_string()));
            Answer {
                text: Json::from(json!({ "Error": members })).to_text(),
                is_error: true,
            }
        }
    }
}

/// Answer a part of a chunk: all its requests in one [`handle_envelopes`] call (which derives their
/// TDES DUKPT keys together, 64 per bitsliced pass).
fn process(store: &MemoryKeyStore, policy: Policy, lines: &[Line]) -> Vec<Answer> {
    let texts: Vec<&str> = lines
        .iter()
        .filter_map(|line| match line {
            Line::Text(text) => Some(text.as_str()),
            Line::Bad(_) => None,
        })
        .collect();
    let mut results = handle_envelopes(store, &texts, &mut OsRng, policy).into_iter();
    lines
        .iter()
        .map(|line| {
            answer(match line {
                Line::Text(_) => results.next().unwrap_or_else(|| {
                    Err(ServiceError::InternalServer {
                        message: "A batch answer is missing".to_string(),
                    })
                }),
                Line::Bad(why) => Err(ServiceError::Validation {
                    message: (*why).to_string(),
                    field_list: Vec::new(),
                }),
            })
        })
        .collect()
}

/// Splits an input into lines of at most [`MAX_LINE`] bytes, through buffers that are wiped as soon as
/// their bytes are consumed: once a line has been handed out, no copy of it is left here.
struct LineReader<R> {
    input: R,
    buf: Zeroizing<Vec<u8>>,
    start: usize,
    end: usize,
    /// The line being gathered (capacity [`MAX_LINE`], never reallocated).
    line: Zeroizing<Vec<u8>>,
    /// Bytes of the current line were consumed (it exists even if empty so far).
    partial: bool,
    too_long: bool,
    eof: bool,
}

impl<R: Read> LineReader<R> {
    fn new(input: R, buffer: usize) -> Self {
        LineReader {
            input,
            buf: Zeroizing::new(vec![0; buffer.max(1)]),
            start: 0,
            end: 0,
            line: Zeroizing::new(Vec::with_capacity(MAX_LINE)),
            partial: false,
            too_long: false,
            eof: false,
        }
    }

    /// The next line; `None` at the end of the input.
    fn next_line(&mut self) -> io::Result<Option<Line>> {
        loop {
            if self.start < self.end {
                let available = &self.buf[self.start..self.end];
                let newline = available.iter().position(|&b| b == b'\n');
                let take = newline.unwrap_or(available.len());
                if !self.too_long {
                    if self.line.len() + take > MAX_LINE {
                        self.too_long = true;
                        self.line.zeroize();
                    } else {
                        self.line.extend_from_slice(&available[..take]);
                    }
                }
                let consumed = take + usize::from(newline.is_some());
                self.buf[self.start..self.start + consumed].zeroize();
                self.start += consumed;
                self.partial = true;
                if newline.is_some() {
                    return Ok(Some(self.finish()));
                }
            } else if self.eof {
                return Ok(self.partial.then(|| self.finish()));
            } else {
                self.start = 0;
                self.end = 0;
                match self.input.read(&mut self.buf) {
                    Ok(0) => self.eof = true,
                    Ok(n) => self.end = n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }

    /// The gathered line, handed out in a string of its own exact size; the gathering buffer is wiped.
    fn finish(&mut self) -> Line {
        self.partial = false;
        if std::mem::take(&mut self.too_long) {
            return Line::Bad("Line is longer than 16384 bytes");
        }
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        let exact = self.line.to_vec();
        let used = self.line.len();
        self.line[..used].zeroize();
        self.line.clear();
        match String::from_utf8(exact) {
            Ok(s) => Line::Text(Zeroizing::new(s)),
            Err(e) => {
                e.into_bytes().zeroize();
                Line::Bad("Line is not valid UTF-8")
            }
        }
    }
}

/// A line and what it was charged.
type Item = io::Result<Line>;

fn read_lines<R: Read>(mut reader: LineReader<R>, tx: &SyncSender<Item>, budget: &Budget) {
    loop {
        let item = reader.next_line();
        let line = match item {
            Ok(Some(line)) => line,
            Ok(None) => return,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        };
        budget.take(line.cost());
        if tx.send(Ok(line)).is_err() {
            return;
        }
    }
}

/// Take a chunk: when `wait`, block for the first line (none at the end of the input); then take the
/// lines already waiting, up to `max`.
fn gather(rx: &Receiver<Item>, max: usize, wait: bool) -> io::Result<Vec<Line>> {
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
    out: &mut Output<W>,
    answered: Answered,
    summary: &mut Summary,
    budget: &Budget,
) -> io::Result<()> {
    let result = (|| {
        for a in &answered.answers {
            out.put(a.text.as_bytes())?;
            out.put(b"\n")?;
            summary.lines += 1;
            summary.errors += u64::from(a.is_error);
        }
        out.flush()
    })();
    budget.give(answered.cost);
    result
}

/// The address space one more worker thread may take: its stack (`RUST_MIN_STACK`, else std's 2 MiB)
/// and the 64 MiB malloc arena glibc reserves for a new thread.
fn per_worker_address_space() -> usize {
    let stack = std::env::var("RUST_MIN_STACK")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(2 << 20);
    stack.saturating_add(64 << 20)
}

/// Under an address-space limit (`ulimit -v`), the most workers whose stacks and arenas fit in half of
/// the address space still free, so that starting threads never takes the process to the edge of its
/// limit (where the runtime itself can no longer start a thread cleanly). `None` without a limit, or
/// where it cannot be read (only Linux's `/proc/self` is consulted).
fn workers_within_address_space() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let limit: usize = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let used_kib: usize = status
        .lines()
        .find(|l| l.starts_with("VmSize:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let free = limit.saturating_sub(used_kib.saturating_mul(1024));
    Some(free / 2 / per_worker_address_space())
}

/// Where a chunk's workers wait until all of them have started: `true` to work, `false` to stop.
#[derive(Default)]
struct Gate {
    open: Mutex<Option<bool>>,
    changed: Condvar,
}

impl Gate {
    fn wait(&self) -> bool {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(go) = *open {
                return go;
            }
            open = self
                .changed
                .wait(open)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn set(&self, go: bool) {
        *self.open.lock().unwrap_or_else(PoisonError::into_inner) = Some(go);
        self.changed.notify_all();
    }
}

/// Answer every line of `input` on `out`.
pub fn run<I, W>(
    store: &MemoryKeyStore,
    policy: Policy,
    options: BatchOptions,
    input: I,
    out: W,
) -> Result<Summary, CliError>
where
    I: Read + Send + 'static,
    W: Write,
{
    let workers = options
        .workers
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, NonZeroUsize::get))
        .max(1);
    let max = options.chunk_lines.max(1);
    let workers = match workers_within_address_space() {
        Some(fit) if fit < workers => {
            let fit = fit.max(1);
            let _ = writeln!(
                io::stderr(),
                "paycrypt: warning: the address-space limit leaves room for {fit} batch workers, \
                 not {workers}"
            );
            fit
        }
        _ => workers,
    };
    let started = Instant::now();
    let mut summary = Summary {
        lines: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        workers,
    };
    let mut out = Output::new(out, 1 << 16);
    let budget = Arc::new(Budget {
        used: Mutex::new(0),
        freed: Condvar::new(),
    });

    // Detached: if we stop early (stdout closed), the process exits without waiting for stdin.
    let (tx, rx) = mpsc::sync_channel(max);
    let reader_budget = Arc::clone(&budget);
    let reader = LineReader::new(input, READ_BUFFER);
    thread::Builder::new()
        .name("paycrypt-batch-reader".to_string())
        .spawn(move || read_lines(reader, &tx, &reader_budget))
        .map_err(|e| {
            CliError::Io(io::Error::new(
                e.kind(),
                format!("cannot start the batch's reader thread: {e}"),
            ))
        })?;

    let cost = |lines: &[Line]| lines.iter().map(Line::cost).sum::<usize>();
    let mut workers = workers;
    let mut pending: Option<Answered> = None;
    let mut current = gather(&rx, max, true)?;
    while !current.is_empty() {
        let (answers, next) = if workers == 1 || current.len() < MIN_PARALLEL {
            if let Some(previous) = pending.take() {
                write_answers(&mut out, previous, &mut summary, &budget)?;
            }
            let answers = process(store, policy, &current);
            (answers, gather(&rx, max, false)?)
        } else {
            thread::scope(|s| -> Result<_, CliError> {
                let workers = &mut workers;
                let handles = loop {
                    // Every worker waits at the gate until all have started, so that none works
                    // while the system is refusing threads (that is when memory runs out).
                    let gate = Arc::new(Gate::default());
                    let size = current.len().div_ceil(*workers);
                    let mut handles = Vec::with_capacity(*workers);
                    let mut refused = false;
                    for lines in current.chunks(size) {
                        let gate = Arc::clone(&gate);
                        let job = move || {
                            if gate.wait() {
                                process(store, policy, lines)
                            } else {
                                Vec::new()
                            }
                        };
                        match thread::Builder::new().spawn_scoped(s, job) {
                            Ok(handle) => handles.push(handle),
                            Err(_) => {
                                refused = true;
                                break;
                            }
                        }
                    }
                    if !refused {
                        gate.set(true);
                        break handles;
                    }
                    // Refused: send the started ones home without work, and try half as many.
                    gate.set(false);
                    let started = handles.len();
                    for handle in handles {
                        let _ = handle.join();
                    }
                    let fewer = (started / 2).max(1);
                    let _ = writeln!(
                        io::stderr(),
                        "paycrypt: warning: a batch worker thread could not be started ({started} \
                         of {} were); using {fewer} from now on",
                        *workers
                    );
                    *workers = fewer;
                    if fewer == 1 {
                        break Vec::new();
                    }
                };
                // Meanwhile: write the previous chunk's answers and take the next chunk.
                let io = match pending.take() {
                    Some(previous) => write_answers(&mut out, previous, &mut summary, &budget),
                    None => Ok(()),
                }
                .and_then(|()| gather(&rx, max, false));
                let mut answers = Vec::with_capacity(current.len());
                if handles.is_empty() {
                    answers = process(store, policy, &current);
                }
                for handle in handles {
                    answers.extend(handle.join().map_err(|_| {
                        CliError::Io(io::Error::other("a batch worker thread failed"))
                    })?);
                }
                Ok((answers, io?))
            })?
        };
        let answered = Answered {
            answers,
            cost: cost(&current),
        };
        // The lines are answered: drop (and so wipe) them before taking more.
        drop(std::mem::take(&mut current));
        if next.is_empty() {
            // Nothing else is waiting: answer now, then wait for more input.
            write_answers(&mut out, answered, &mut summary, &budget)?;
            current = gather(&rx, max, true)?;
        } else {
            pending = Some(answered);
            current = next;
        }
    }
    if let Some(previous) = pending.take() {
        write_answers(&mut out, previous, &mut summary, &budget)?;
    }
    summary.elapsed = started.elapsed();
    summary.workers = workers;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<String> {
        let mut reader = LineReader::new(input, 7);
        let mut out = Vec::new();
        while let Ok(Some(line)) = reader.next_line() {
            out.push(match line {
                Line::Text(t) => t.to_string(),
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
        assert!(lines(b"").is_empty());
    }

    #[test]
    fn consumed_input_is_wiped_from_the_read_buffer() {
        let mut reader = LineReader::new(&b"first line\nsecond"[..], 64);
        assert!(matches!(reader.next_line(), Ok(Some(Line::Text(t))) if *t == "first line"));
        // The first line's bytes are gone from the buffer; only the unread rest is there.
        assert!(!reader.buf.windows(5).any(|w| w == b"first"));
        assert!(reader.buf.windows(6).any(|w| w == b"second"));
        assert!(reader.line.iter().all(|&b| b == 0));
    }

    #[test]
    fn the_budget_lets_a_line_in_when_nothing_is_charged() {
        let budget = Budget {
            used: Mutex::new(0),
            freed: Condvar::new(),
        };
        budget.take(MAX_IN_FLIGHT + 1);
        budget.give(MAX_IN_FLIGHT + 1);
        budget.take(10);
        assert_eq!(
            *budget.used.lock().unwrap_or_else(PoisonError::into_inner),
            10
        );
    }
}
