//! The JSON text parser of the wire layer (RFC 8259), into a [`Json`] whose strings are wiped on drop.
//!
//! Hand-written because no crate does what this one must: `serde_json` keeps the last of two members
//! of the same name (a parser differential with any front end that keeps the first: the security
//! audit's I3), and copies every string that contains an escape (every PEM's `\n`) into an internal
//! scratch buffer that it frees without wiping (M2, L2). Here:
//!
//! - a member name that appears twice in one object is an error naming its path;
//! - every string is built once, in a buffer of the exact capacity its escaped form bounds (so it never
//!   reallocates), and the tree that holds it wipes it on drop, on success and on every error path;
//! - nesting deeper than 128 arrays or objects is an error (as in `serde_json`), so the recursion is
//!   bounded;
//! - errors give a position (line, column) and what was expected, never a piece of the text.
//!
//! Numbers are read by the JSON grammar and kept as `serde_json::Number` (no member of any document
//! the wire layer reads is a number: they exist so that a wrong type is reported as such).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde_json::{Map, Number, Value};

use super::{Json, echo};

/// Deepest nesting of arrays and objects.
const MAX_DEPTH: usize = 128;

/// The most characters of a path an error names (its end, after `…`).
const MAX_PATH: usize = 256;

/// Why a text is not a JSON document this layer accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    kind: ErrorKind,
    line: usize,
    column: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ErrorKind {
    Syntax(&'static str),
    Duplicate(String),
}

impl JsonError {
    /// For a member that appears twice in one object: its path (e.g.
    /// `IncomingEncryptionAttributes.Symmetric.Mode` or `Keys[2].KeyArn`, names capped as in every
    /// message).
    #[must_use]
    pub fn duplicate_path(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Duplicate(path) => Some(path),
            ErrorKind::Syntax(_) => None,
        }
    }

    /// The line (from 1) and column (from 1, in bytes) where the text stopped being acceptable.
    #[must_use]
    pub fn position(&self) -> (usize, usize) {
        (self.line, self.column)
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Syntax(what) => f.write_str(what)?,
            ErrorKind::Duplicate(path) => write!(f, "member {path} appears more than once")?,
        }
        write!(f, " at line {} column {}", self.line, self.column)
    }
}

impl core::error::Error for JsonError {}

/// One step of the path to the value being parsed (for duplicate errors): a member, by the offset of
/// its name's opening quote (the name is decoded again only if an error needs it), or an index.
enum Step {
    Member(usize),
    Index(usize),
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    depth: usize,
    path: Vec<Step>,
}

/// Parse a whole document: one value, with only whitespace around it.
pub(super) fn parse(text: &str) -> Result<Json, JsonError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
        depth: 0,
        path: Vec::new(),
    };
    let value = p.value()?;
    p.skip_ws();
    if p.at < p.bytes.len() {
        return Err(p.error("trailing characters"));
    }
    Ok(value)
}

impl Parser<'_> {
    fn error(&self, what: &'static str) -> JsonError {
        self.error_at(ErrorKind::Syntax(what))
    }

    fn error_at(&self, kind: ErrorKind) -> JsonError {
        let before = self.bytes.get(..self.at).unwrap_or(self.bytes);
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
        JsonError { kind, line, column }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// A value, after optional whitespace.
    fn value(&mut self) -> Result<Json, JsonError> {
        self.skip_ws();
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => Ok(Json(Value::String(self.string()?))),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected value")),
        }
    }

    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<Json, JsonError>,
    ) -> Result<Json, JsonError> {
        if self.depth == MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Json, JsonError> {
        let end = self.at + word.len();
        if self.bytes.get(self.at..end) == Some(word.as_bytes()) {
            self.at = end;
            Ok(Json(value))
        } else {
            Err(self.error("expected ident"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        let text = self.text.get(start..self.at).unwrap_or_default();
        let number = if integer {
            match text.parse::<u64>() {
                // `-0` is the float negative zero, as serde_json reads it.
                _ if text == "-0" => Number::from_f64(-0.0),
                Ok(n) => Some(Number::from(n)),
                Err(_) => match text.parse::<i64>() {
                    Ok(n) => Some(Number::from(n)),
                    Err(_) => text.parse::<f64>().ok().and_then(Number::from_f64),
                },
            }
        } else {
            text.parse::<f64>().ok().and_then(Number::from_f64)
        };
        number
            .map(|n| Json(Value::Number(n)))
            .ok_or_else(|| self.error("number out of range"))
    }

    /// A string; `self.at` is on its opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1;
        // The escaped form bounds the decoded length (every escape is at least as long as what it
        // stands for), so the buffer is allocated once and never moves.
        let mut end = self.at;
        loop {
            match self.bytes.get(end) {
                None => {
                    self.at = end;
                    return Err(self.error("EOF while parsing a string"));
                }
                Some(b'"') => break,
                Some(b'\\') => end += 2,
                Some(_) => end += 1,
            }
        }
        let mut out = String::with_capacity(end - self.at);
        // From here `out` may hold secret text: every early return wipes it.
        let r = self.string_into(&mut out);
        if let Err(e) = r {
            zeroize::Zeroize::zeroize(&mut out);
            return Err(e);
        }
        Ok(out)
    }

    fn string_into(&mut self, out: &mut String) -> Result<(), JsonError> {
        let mut run = self.at;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error("EOF while parsing a string"));
            };
            // Hex digits, the secret data of this layer, take the same branch whatever their value.
            if b == b'"' || b == b'\\' || b < 0x20 {
                out.push_str(self.text.get(run..self.at).unwrap_or_default());
                match b {
                    b'"' => {
                        self.at += 1;
                        return Ok(());
                    }
                    b'\\' => {
                        self.at += 1;
                        self.escape(out)?;
                        run = self.at;
                    }
                    _ => {
                        return Err(self.error(
                            "control character (\\u0000-\\u001F) found while parsing a string",
                        ));
                    }
                }
            } else {
                self.at += 1;
            }
        }
    }

    /// An escape; `self.at` is after the backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let Some(b) = self.peek() else {
            return Err(self.error("EOF while parsing a string"));
        };
        self.at += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&first) {
                    if self.bytes.get(self.at..self.at + 2) != Some(b"\\u") {
                        return Err(self.error("lone leading surrogate in hex escape"));
                    }
                    self.at += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(self.error("lone leading surrogate in hex escape"));
                    }
                    0x1_0000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else {
                    first
                };
                char::from_u32(code).ok_or_else(|| self.error("invalid unicode code point"))?
            }
            _ => return Err(self.error("invalid escape")),
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                None => return Err(self.error("EOF while parsing a string")),
                Some(_) => return Err(self.error("invalid escape")),
            };
            v = v << 4 | u32::from(d);
            self.at += 1;
        }
        Ok(v)
    }

    fn array(&mut self) -> Result<Json, JsonError> {
        self.at += 1;
        // Elements are moved in as they come; `items` wipes what it holds if an error stops it.
        let mut items = Json(Value::Array(Vec::new()));
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(items);
        }
        loop {
            let index = match &items.0 {
                Value::Array(a) => a.len(),
                _ => 0,
            };
            self.path.push(Step::Index(index));
            let item = self.value();
            self.path.pop();
            if let Value::Array(a) = &mut items.0 {
                a.push(item?.take());
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.at += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        return Err(self.error("trailing comma"));
                    }
                }
                Some(b']') => {
                    self.at += 1;
                    return Ok(items);
                }
                None => return Err(self.error("EOF while parsing a list")),
                Some(_) => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self) -> Result<Json, JsonError> {
        self.at += 1;
        let mut members = Json(Value::Object(Map::new()));
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(members);
        }
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("key must be a string")),
            }
            let key_at = self.at;
            let mut key = Json(Value::String(self.string()?));
            let name = match &key.0 {
                Value::String(s) => s.as_str(),
                _ => "",
            };
            let duplicate = match &members.0 {
                Value::Object(m) => m.contains_key(name),
                _ => false,
            };
            if duplicate {
                self.path.push(Step::Member(key_at));
                let path = self.path_text();
                self.path.pop();
                self.at = key_at;
                return Err(self.error_at(ErrorKind::Duplicate(path)));
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(if self.peek().is_none() {
                    self.error("EOF while parsing an object")
                } else {
                    self.error("expected `:`")
                });
            }
            self.at += 1;
            self.path.push(Step::Member(key_at));
            let value = self.value();
            self.path.pop();
            let mut value = value?;
            if let (Value::Object(m), Value::String(k)) = (&mut members.0, &mut key.0) {
                m.insert(core::mem::take(k), value.take());
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.at += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        return Err(self.error("trailing comma"));
                    }
                }
                Some(b'}') => {
                    self.at += 1;
                    return Ok(members);
                }
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    /// The path of the value being parsed, as the wire layer's messages write it.
    fn path_text(&self) -> String {
        let mut out = String::new();
        for step in &self.path {
            match step {
                Step::Member(at) => {
                    // The name parsed once already, so it parses again.
                    let mut again = Parser {
                        text: self.text,
                        bytes: self.bytes,
                        at: *at,
                        depth: 0,
                        path: Vec::new(),
                    };
                    let mut decoded = again.string().unwrap_or_default();
                    let name = echo(&decoded);
                    zeroize::Zeroize::zeroize(&mut decoded);
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(if name.is_empty() { "\"\"" } else { &name });
                }
                Step::Index(i) => {
                    out.push('[');
                    out.push_str(&alloc::format!("{i}"));
                    out.push(']');
                }
            }
        }
        if out.is_empty() {
            return String::from("$");
        }
        // Nesting (up to 128 levels, each name up to 64 characters) could make the path long: keep
        // its end, which names the member, within MAX_PATH characters.
        let count = out.chars().count();
        if count > MAX_PATH {
            let tail: String = out.chars().skip(count - (MAX_PATH - 1)).collect();
            out = alloc::format!("…{tail}");
        }
        out
    }
}
