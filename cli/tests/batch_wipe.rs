//! The CLI's batch path leaves no plaintext in freed memory: the wipe-checking allocator of the
//! library's `tests/operation_wipe.rs`, around `batch::run` itself (the modules are compiled into this
//! test, as the binary compiles them). Lines of EncryptData and DecryptData go in through the batch's
//! reader; every block freed meanwhile (read buffer, lines, parsed requests, answers, output buffer)
//! is looked at before it is freed, and none may hold a plaintext as hex or as bytes. On `a47cb62`
//! the lines, the envelopes' `serde_json::Value`s and the answer strings all did.

#![allow(
    unsafe_code,
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

#[path = "../src/args.rs"]
mod args;
#[path = "../src/batch.rs"]
mod batch;
#[path = "support/common.rs"]
mod common;
#[path = "../src/error.rs"]
mod error;
#[path = "../src/wiped.rs"]
mod wiped;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use paycrypt::{MemoryKeyStore, Policy};
use serde_json::json;
use zeroize::Zeroizing;

/// Two 16-byte plaintexts no other value contains, as bytes and as the hex requests carry.
const ENCRYPTED: &[u8; 16] = b"\xA5ENCRYPTED-PT-1\x5A";
const DECRYPTED: &[u8; 16] = b"\xA5DECRYPTED-PT-2\x5A";

static HITS: AtomicUsize = AtomicUsize::new(0);
static WATCHING: AtomicBool = AtomicBool::new(false);
/// One watching test at a time: the counter is global.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn hex_of(bytes: &[u8; 16]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = b"0123456789ABCDEF"[usize::from(b >> 4)];
        out[2 * i + 1] = b"0123456789ABCDEF"[usize::from(b & 15)];
    }
    out
}

struct Watch;

fn holds(block: &[u8], needle: &[u8]) -> bool {
    block.windows(needle.len()).any(|w| w == needle)
}

// SAFETY: forwards every call to `System`; `dealloc` only reads the block it is given before freeing.
unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.load(Ordering::SeqCst) {
            // SAFETY: `ptr` is a live block of `layout.size()` bytes until it is freed below.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            let found = [ENCRYPTED, DECRYPTED]
                .iter()
                .any(|p| holds(block, &p[..]) || holds(block, &hex_of(p)));
            if found {
                HITS.fetch_add(1, Ordering::SeqCst);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watch = Watch;

/// Input that wipes itself when the batch's reader drops it.
struct Input(io::Cursor<Zeroizing<Vec<u8>>>);

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

/// Output that keeps only what the test checks: the answers' count and whether each is an output.
#[derive(Default)]
struct Check {
    partial: Zeroizing<Vec<u8>>,
    outputs: usize,
    other: usize,
}

impl Write for &mut Check {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for &b in buf {
            if b == b'\n' {
                if self.partial.starts_with(b"{\"Output\"") {
                    self.outputs += 1;
                } else {
                    self.other += 1;
                }
                zeroize::Zeroize::zeroize(&mut *self.partial);
            } else {
                if self.partial.len() == self.partial.capacity() {
                    // Grow without leaving a copy behind.
                    let mut bigger =
                        Zeroizing::new(Vec::with_capacity(2 * self.partial.len() + 64));
                    bigger.extend_from_slice(&self.partial);
                    self.partial = bigger;
                }
                self.partial.push(b);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_batch_path_leaves_no_plaintext_in_freed_memory() {
    let _serial = SERIAL.lock().unwrap();
    let store = MemoryKeyStore::from_json(include_str!("../src/demo-keys.json")).unwrap();
    let line = |op: &str, member: &str, data: &str| {
        let attributes = if op == "EncryptData" {
            "EncryptionAttributes"
        } else {
            "DecryptionAttributes"
        };
        format!(
            "{}\n",
            json!({"Operation": op, "Input": {"KeyIdentifier": "alias/demo-aes-key",
                member: data, attributes: {"Symmetric": {"Mode": "CBC"}}}})
        )
    };
    let encrypted_hex = String::from_utf8(hex_of(ENCRYPTED).to_vec()).unwrap();
    let decrypted_hex = String::from_utf8(hex_of(DECRYPTED).to_vec()).unwrap();
    // The DecryptData line's ciphertext (made before watching).
    let made = paycrypt::wire::handle_envelope(
        &store,
        &line("EncryptData", "PlainText", &decrypted_hex),
        &mut paycrypt::OsRng,
        Policy::Documented,
    )
    .unwrap();
    let ciphertext = made["Output"]["CipherText"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let ciphertext = made["CipherText"]
        .as_str()
        .map_or(ciphertext, str::to_string);
    drop(made);

    for workers in [1, 2] {
        let mut text = Zeroizing::new(Vec::with_capacity(1 << 20));
        for _ in 0..200 {
            text.extend_from_slice(line("EncryptData", "PlainText", &encrypted_hex).as_bytes());
            text.extend_from_slice(line("DecryptData", "CipherText", &ciphertext).as_bytes());
        }
        // A line that fails after its plaintext was parsed, and one that is not JSON.
        text.extend_from_slice(
            line("EncryptData", "PlainText", &encrypted_hex)
                .replace("\"CBC\"", "\"XYZ\"")
                .as_bytes(),
        );
        text.extend_from_slice(format!("{{\"PlainText\": \"{encrypted_hex}\"\n").as_bytes());
        let mut out = Check::default();
        HITS.store(0, Ordering::SeqCst);
        WATCHING.store(true, Ordering::SeqCst);
        let options = args::BatchOptions {
            workers: Some(workers),
            chunk_lines: 64,
        };
        let input = Input(io::Cursor::new(text));
        let summary = batch::run(&store, Policy::Documented, options, input, &mut out);
        // The reader thread drops its input when it has read it all; give it a moment.
        std::thread::sleep(std::time::Duration::from_millis(200));
        WATCHING.store(false, Ordering::SeqCst);
        let summary = summary.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(summary.lines, 402);
        assert_eq!((out.outputs, out.other), (400, 2));
        assert_eq!(
            HITS.load(Ordering::SeqCst),
            0,
            "{workers} workers: a freed block still held a plaintext"
        );
    }
}

/// The control: the detector sees what it looks for.
#[test]
fn the_detector_sees_an_unwiped_line() {
    let _serial = SERIAL.lock().unwrap();
    let before = HITS.load(Ordering::SeqCst);
    WATCHING.store(true, Ordering::SeqCst);
    drop(std::hint::black_box(
        String::from_utf8(hex_of(ENCRYPTED).to_vec()).unwrap(),
    ));
    WATCHING.store(false, Ordering::SeqCst);
    assert!(HITS.load(Ordering::SeqCst) > before);
}
