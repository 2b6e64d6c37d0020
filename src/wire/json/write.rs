//! JSON text out of a [`Json`], into a buffer that is wiped on drop.
//!
//! Two passes: the first counts the bytes, the second writes them into a buffer allocated once with
//! exactly that capacity, so no partial copy of a response (a `DecryptData` plaintext's hex) is ever
//! freed by a reallocation. `serde_json`'s serializer grows its output as it goes and indexes its escape
//! table with every byte of every string (the audit's I6); here a string's bytes take one branch unless
//! they are `"`, `\` or a control character, which hex digits never are.
//!
//! The layout is `serde_json`'s: compact, or pretty with a four-space indent (what the AWS CLI prints);
//! members in the map's order.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;
use zeroize::Zeroizing;

/// Where the bytes go: a counter, then the buffer.
trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

struct Count(usize);

impl Sink for Count {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

struct Fill(Zeroizing<Vec<u8>>);

impl Sink for Fill {
    fn put(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

/// `value` as JSON text; `indent` `None` is compact.
pub(super) fn to_text(value: &Value, indent: Option<&str>) -> Zeroizing<String> {
    let mut count = Count(0);
    write(&mut count, value, indent, 0);
    let mut fill = Fill(Zeroizing::new(Vec::with_capacity(count.0)));
    write(&mut fill, value, indent, 0);
    // Whole strings, whole escapes and ASCII punctuation only: UTF-8 (moved, not copied).
    match String::from_utf8(core::mem::take(&mut *fill.0)) {
        Ok(text) => Zeroizing::new(text),
        Err(e) => {
            zeroize::Zeroize::zeroize(&mut e.into_bytes());
            Zeroizing::new(String::new())
        }
    }
}

fn newline(out: &mut impl Sink, indent: Option<&str>, depth: usize) {
    if let Some(unit) = indent {
        out.put(b"\n");
        for _ in 0..depth {
            out.put(unit.as_bytes());
        }
    }
}

fn write(out: &mut impl Sink, value: &Value, indent: Option<&str>, depth: usize) {
    match value {
        Value::Null => out.put(b"null"),
        Value::Bool(true) => out.put(b"true"),
        Value::Bool(false) => out.put(b"false"),
        Value::Number(n) => out.put(n.to_string().as_bytes()),
        Value::String(s) => string(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                return out.put(b"[]");
            }
            out.put(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.put(b",");
                }
                newline(out, indent, depth + 1);
                write(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.put(b"]");
        }
        Value::Object(members) => {
            if members.is_empty() {
                return out.put(b"{}");
            }
            out.put(b"{");
            for (i, (name, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.put(b",");
                }
                newline(out, indent, depth + 1);
                string(out, name);
                out.put(if indent.is_some() { b": " } else { b":" });
                write(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.put(b"}");
        }
    }
}

fn string(out: &mut impl Sink, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.put(b"\"");
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            out.put(&bytes[run..i]);
            let short: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0C => b"\\f",
                _ => b"",
            };
            if short.is_empty() {
                let hi = HEX[usize::from(b >> 4)];
                let lo = HEX[usize::from(b & 0xF)];
                out.put(&[b'\\', b'u', b'0', b'0', hi, lo]);
            } else {
                out.put(short);
            }
            run = i + 1;
        }
    }
    out.put(&bytes[run..]);
    out.put(b"\"");
}
