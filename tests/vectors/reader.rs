//! The one reader for every vector file under `test-vectors/`.
//!
//! Two formats: NIST-style `KEY = value` response files (`.rsp`, and the pyca / RSA Labs `.txt` files
//! with the same shape) and JSON. Both hand out fields through a [`Fields`] / [`Obj`] that records which
//! fields a test read; dropping one with an unread field fails the test (fields that are metadata, not
//! test data, must be waived by name with a reason). A file that yields no case fails too.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The path of a file under `test-vectors/`.
pub fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors")
        .join(rel)
}

/// Read a file under `test-vectors/` as text.
pub fn read(rel: &str) -> String {
    std::fs::read_to_string(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// All file names in a folder under `test-vectors/` that end in `suffix`, sorted.
pub fn files(dir: &str, suffix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(suffix))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "{dir}: no *{suffix} files");
    names
}

/// Decode hex (either case); an empty string is no bytes.
pub fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim();
    assert!(s.len().is_multiple_of(2), "odd hex {s:?}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or_else(|_| panic!("hex {s:?}")))
        .collect()
}

/// Upper-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// Fields of one case, with use tracking.
pub struct Fields {
    /// Where the case came from, for messages.
    pub origin: String,
    map: BTreeMap<String, String>,
    used: RefCell<BTreeSet<String>>,
}

impl Fields {
    fn new(origin: String, map: BTreeMap<String, String>) -> Self {
        Fields {
            origin,
            map,
            used: RefCell::default(),
        }
    }

    /// Whether the case has the field.
    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// A field's raw text (must exist).
    pub fn str(&self, name: &str) -> &str {
        self.opt_str(name)
            .unwrap_or_else(|| panic!("{}: no field {name}", self.origin))
    }

    /// A field's raw text, if present.
    pub fn opt_str(&self, name: &str) -> Option<&str> {
        let v = self.map.get(name)?;
        self.used.borrow_mut().insert(name.to_owned());
        Some(v.as_str())
    }

    /// A hex field as bytes.
    pub fn hex(&self, name: &str) -> Vec<u8> {
        unhex(self.str(name))
    }

    /// A decimal field.
    pub fn num(&self, name: &str) -> u64 {
        self.str(name).parse().unwrap()
    }

    /// Declare a field that is not test data (e.g. a counter) as read.
    pub fn waive(&self, name: &str, _why: &str) {
        self.used.borrow_mut().insert(name.to_owned());
    }
}

impl Drop for Fields {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let used = self.used.borrow();
        let unused: Vec<&String> = self.map.keys().filter(|k| !used.contains(*k)).collect();
        assert!(
            unused.is_empty(),
            "{}: fields never used: {unused:?}",
            self.origin
        );
    }
}

/// One case of a `KEY = value` file, with the `[SECTION]` it stands in (empty before any section).
pub struct RspCase {
    /// The bracketed section header in force, e.g. `ENCRYPT`.
    pub section: String,
    /// The case's fields.
    pub fields: Fields,
}

/// Parse a NIST-style `KEY = value` file. A case ends at a blank line; `#` lines are comments;
/// `[NAME]` starts a section. Lines of the form `[KEY = value]` (section parameters) are given to
/// every following case as the field `KEY`. Fails if the file yields no case.
pub fn rsp(rel: &str) -> Vec<RspCase> {
    let text = read(rel);
    let mut cases = Vec::new();
    let mut section = String::new();
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    let mut cur: BTreeMap<String, String> = BTreeMap::new();
    let mut flush =
        |cur: &mut BTreeMap<String, String>, section: &str, params: &BTreeMap<String, String>| {
            if !cur.is_empty() {
                let mut map = params.clone();
                map.append(cur);
                cases.push(RspCase {
                    section: section.to_owned(),
                    fields: Fields::new(format!("{rel} [{section}] #{}", cases.len()), map),
                });
            }
        };
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            flush(&mut cur, &section, &params);
            continue;
        }
        if let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            flush(&mut cur, &section, &params);
            if let Some((k, v)) = inner.split_once('=') {
                params.insert(k.trim().to_owned(), v.trim().to_owned());
            } else {
                section = inner.trim().to_owned();
                params.clear();
            }
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            cur.insert(k.trim().to_owned(), v.trim().to_owned());
        } else {
            panic!("{rel}: cannot read line {line:?}");
        }
    }
    flush(&mut cur, &section, &params);
    assert!(!cases.is_empty(), "{rel}: no cases");
    cases
}

/// Parse an RSA Labs / pyca style file: `# Name:` lines (or `# Name` lines directly followed by data)
/// name the hex lines that follow, up to a blank line or the next `#` line; a value is its lines with
/// all whitespace removed. Everything before the first `#` line is prose and skipped; lines of only
/// `-`/`=` (with or without `#`) are underlines. A new case starts at every name for which `starts_case` is true (the
/// key blocks and example blocks of these files have no other reliable marker); a name given twice
/// in one case fails. `section` is the last `#` heading (a name without data) seen before the case.
/// Fails if the file yields no case or a data line has no name.
pub fn hex_blocks(rel: &str, starts_case: impl Fn(&str) -> bool) -> Vec<RspCase> {
    let text = read(rel);
    let mut cases = Vec::new();
    let mut heading = String::new();
    let mut cur: Option<(String, BTreeMap<String, String>)> = None;
    let mut name: Option<String> = None;
    let mut name_used = false;
    let mut seen_hash = false;
    let flush = |cur: &mut Option<(String, BTreeMap<String, String>)>, cases: &mut Vec<RspCase>| {
        if let Some((section, map)) = cur.take() {
            let origin = format!("{rel} [{section}] #{}", cases.len());
            cases.push(RspCase {
                section,
                fields: Fields::new(origin, map),
            });
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix('#') {
            seen_hash = true;
            let rest = rest.trim();
            if rest.chars().all(|c| c == '-' || c == '=') {
                continue;
            }
            if let Some(n) = &name
                && !name_used
            {
                heading = n.clone();
            }
            let n = rest.strip_suffix(':').unwrap_or(rest).trim().to_owned();
            name = Some(n);
            name_used = false;
            continue;
        }
        if trimmed.is_empty() {
            if let Some(n) = name.take()
                && !name_used
            {
                heading = n;
            }
            continue;
        }
        if !seen_hash || trimmed.chars().all(|c| c == '-' || c == '=') {
            continue;
        }
        let n = name
            .clone()
            .unwrap_or_else(|| panic!("{rel}: data line {trimmed:?} has no name"));
        if !name_used {
            if starts_case(&n) {
                flush(&mut cur, &mut cases);
            }
            let (_, map) = cur.get_or_insert_with(|| (heading.clone(), BTreeMap::new()));
            assert!(
                !map.contains_key(&n),
                "{rel}: {n:?} twice in one case (before {trimmed:?})"
            );
            map.insert(n.clone(), String::new());
            name_used = true;
        }
        let (_, map) = cur.as_mut().unwrap();
        let value = map.get_mut(&n).unwrap();
        value.extend(trimmed.chars().filter(|c| !c.is_whitespace()));
    }
    flush(&mut cur, &mut cases);
    assert!(!cases.is_empty(), "{rel}: no cases");
    cases
}

/// A JSON value with use tracking for objects.
pub struct Obj {
    /// Where the value came from, for messages.
    pub origin: String,
    value: serde_json::Value,
    used: RefCell<BTreeSet<String>>,
}

/// Load a JSON file under `test-vectors/`.
pub fn json(rel: &str) -> Obj {
    let text = read(rel);
    Obj::new(
        rel.to_owned(),
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}")),
    )
}

impl Obj {
    fn new(origin: String, value: serde_json::Value) -> Self {
        Obj {
            origin,
            value,
            used: RefCell::default(),
        }
    }

    fn field(&self, name: &str) -> Option<&serde_json::Value> {
        let v = self.value.as_object()?.get(name)?;
        self.used.borrow_mut().insert(name.to_owned());
        Some(v)
    }

    /// Whether the object has the member.
    pub fn has(&self, name: &str) -> bool {
        self.value.as_object().is_some_and(|o| o.contains_key(name))
    }

    /// A member (must exist) as a tracked value.
    pub fn get(&self, name: &str) -> Obj {
        self.opt(name)
            .unwrap_or_else(|| panic!("{}: no member {name}", self.origin))
    }

    /// A member, if present.
    pub fn opt(&self, name: &str) -> Option<Obj> {
        let v = self.field(name)?.clone();
        Some(Obj::new(format!("{}.{name}", self.origin), v))
    }

    /// A string member.
    pub fn str(&self, name: &str) -> String {
        self.opt_str(name)
            .unwrap_or_else(|| panic!("{}: no string member {name}", self.origin))
    }

    /// A string member, if present.
    pub fn opt_str(&self, name: &str) -> Option<String> {
        let v = self.field(name)?;
        Some(
            v.as_str()
                .unwrap_or_else(|| panic!("{}.{name} is not a string", self.origin))
                .to_owned(),
        )
    }

    /// A hex string member as bytes.
    pub fn hex(&self, name: &str) -> Vec<u8> {
        unhex(&self.str(name))
    }

    /// A hex string member as bytes, if present.
    pub fn opt_hex(&self, name: &str) -> Option<Vec<u8>> {
        self.opt_str(name).map(|s| unhex(&s))
    }

    /// An integer member.
    pub fn int(&self, name: &str) -> i64 {
        let v = self
            .field(name)
            .unwrap_or_else(|| panic!("{}: no member {name}", self.origin));
        v.as_i64()
            .unwrap_or_else(|| panic!("{}.{name} is not an integer", self.origin))
    }

    /// A boolean member.
    pub fn bool(&self, name: &str) -> bool {
        let v = self
            .field(name)
            .unwrap_or_else(|| panic!("{}: no member {name}", self.origin));
        v.as_bool()
            .unwrap_or_else(|| panic!("{}.{name} is not a boolean", self.origin))
    }

    /// An array member as tracked values; fails if it is empty.
    pub fn array(&self, name: &str) -> Vec<Obj> {
        let items = self
            .opt_array(name)
            .unwrap_or_else(|| panic!("{}: no array {name}", self.origin));
        assert!(!items.is_empty(), "{}.{name}: no cases", self.origin);
        items
    }

    /// An array member, if present (may be empty).
    pub fn opt_array(&self, name: &str) -> Option<Vec<Obj>> {
        let v = self.field(name)?;
        let a = v
            .as_array()
            .unwrap_or_else(|| panic!("{}.{name} is not an array", self.origin));
        Some(
            a.iter()
                .enumerate()
                .map(|(i, v)| Obj::new(format!("{}.{name}[{i}]", self.origin), v.clone()))
                .collect(),
        )
    }

    /// This value as a string (for arrays of strings).
    pub fn as_str(&self) -> &str {
        self.value
            .as_str()
            .unwrap_or_else(|| panic!("{} is not a string", self.origin))
    }

    /// The raw JSON value (marks nothing as used; for members a test hands on whole).
    pub fn raw(&self) -> &serde_json::Value {
        &self.value
    }

    /// The object's member names.
    pub fn keys(&self) -> Vec<String> {
        self.value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Declare members that are documentation, not test data (title, source, notes, …) as read.
    pub fn waive(&self, names: &[&str], _why: &str) {
        for n in names {
            self.used.borrow_mut().insert((*n).to_owned());
        }
    }

    /// Declare every member read (for a value handed on whole, e.g. a Wycheproof key in JWK form
    /// next to the DER form the test uses).
    pub fn waive_all(&self, _why: &str) {
        for k in self.keys() {
            self.used.borrow_mut().insert(k);
        }
    }
}

impl Drop for Obj {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let Some(o) = self.value.as_object() else {
            return;
        };
        let used = self.used.borrow();
        let unused: Vec<&String> = o.keys().filter(|k| !used.contains(*k)).collect();
        assert!(
            unused.is_empty(),
            "{}: members never used: {unused:?}",
            self.origin
        );
    }
}

/// Pack a bit string (`'0'`/`'1'`, first bit = most significant bit of the first byte) into bytes,
/// zero-filled to whole bytes. Returns the bytes and the number of bits.
pub fn bits(s: &str) -> (Vec<u8>, usize) {
    let n = s.len();
    let mut out = vec![0u8; n.div_ceil(8)];
    for (i, c) in s.chars().enumerate() {
        match c {
            '0' => {}
            '1' => out[i / 8] |= 0x80 >> (i % 8),
            _ => panic!("bad bit {c:?} in {s:?}"),
        }
    }
    (out, n)
}

/// Flip one bit (counted from the most significant bit of byte 0).
pub fn flip(bytes: &mut [u8], bit: usize) {
    bytes[bit / 8] ^= 0x80 >> (bit % 8);
}

#[test]
fn reader_counts_and_tracks() {
    let cases = rsp("modes-tdes/nist_cavp/TCBCMMT2.rsp");
    assert!(cases.iter().any(|c| c.section == "ENCRYPT"));
    assert!(cases.iter().any(|c| c.section == "DECRYPT"));
    for c in cases {
        c.fields.waive("COUNT", "index");
        for f in ["KEY1", "KEY2", "KEY3", "IV", "PLAINTEXT", "CIPHERTEXT"] {
            c.fields.str(f);
        }
    }
    let r = std::panic::catch_unwind(|| {
        let c = rsp("modes-tdes/nist_cavp/TCBCMMT2.rsp")
            .into_iter()
            .next()
            .unwrap();
        c.fields.str("KEY1");
    });
    assert!(r.is_err(), "an unused field must fail the test");
    assert_eq!(bits("101"), (vec![0xa0], 3));
}
