//! JSON in the wire layer: the document type ([`Json`], a `serde_json::Value` whose strings are wiped
//! when it is dropped), its parser and writer, and a path-aware reader over it: every string check of a
//! request happens here, and every failure names the member it concerns
//! (`IncomingEncryptionAttributes.Dukpt.KeySerialNumber`).
//!
//! **What an error may repeat.** A member name or an enum value that a message repeats is cut to
//! [`MAX_ECHO`] characters (control characters replaced), so a hostile line cannot make its answer
//! larger than a few hundred bytes (the security audit's L1). Values of data members (`PlainText`,
//! `CipherText`, key material, check values) are never repeated, only their length; the key-store
//! reader repeats no value at all (a key pasted into the wrong member must not reach a log).

mod parse;
mod write;

pub use parse::JsonError;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::ops::{Deref, DerefMut};

use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use super::ServiceError;
use crate::algorithm::AwsName;

/// The most characters of a member name or value that an error message repeats.
pub const MAX_ECHO: usize = 64;

/// `s` as a message may repeat it: at most [`MAX_ECHO`] characters (then `…`), control characters
/// replaced by `�`.
#[must_use]
pub fn echo(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(MAX_ECHO)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if s.chars().nth(MAX_ECHO).is_some() {
        out.push('…');
    }
    out
}

/// A JSON document whose every string and member name is wiped (zeroized, capacity included) when it
/// is dropped: what the wire layer parses requests and key-store documents into, and what it answers
/// with.
///
/// It dereferences to the `serde_json::Value` it holds, so it reads like one (`out["CipherText"]`).
/// Text comes in through [`Json::parse`] (duplicate member names refused, no unwiped copy made) and goes
/// out through [`Json::to_text`] / [`Json::to_pretty`] (into a buffer wiped on drop). Strings put into
/// it afterwards are wiped with it; a value taken out with [`Json::into_value`] is the caller's to wipe.
/// `Debug` shows no content.
pub struct Json(Value);

impl Json {
    /// Parse JSON text (RFC 8259). A member name that appears twice in one object is an error (a parser
    /// differential otherwise: `serde_json` keeps the last, other parsers the first), as is nesting
    /// deeper than 128. The text itself is the caller's to wipe.
    ///
    /// # Errors
    ///
    /// [`JsonError`] for text that is not JSON, a member given twice, or nesting too deep.
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        parse::parse(text)
    }

    /// Compact JSON text (`serde_json::to_string`'s layout), in a buffer wiped on drop.
    #[must_use]
    pub fn to_text(&self) -> Zeroizing<String> {
        write::to_text(&self.0, None)
    }

    /// Pretty JSON text with a four-space indent (what the AWS CLI prints), in a buffer wiped on drop.
    #[must_use]
    pub fn to_pretty(&self) -> Zeroizing<String> {
        write::to_text(&self.0, Some("    "))
    }

    /// This document as the one member `name` of a new object (`{"Output": …}`), moved, not copied.
    /// (`serde_json::json!` with an expression serializes it into a copy, leaving the original to be
    /// dropped unwiped.)
    #[must_use]
    pub fn wrapped(mut self, name: &str) -> Json {
        let mut members = Map::new();
        members.insert(name.to_string(), self.take());
        Json(Value::Object(members))
    }

    /// The value, no longer wiped on drop: the caller takes that over.
    #[must_use]
    pub fn into_value(mut self) -> Value {
        self.take()
    }

    fn take(&mut self) -> Value {
        core::mem::take(&mut self.0)
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Self {
        Json(value)
    }
}

impl Deref for Json {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.0
    }
}

impl DerefMut for Json {
    fn deref_mut(&mut self) -> &mut Value {
        &mut self.0
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Json(..)")
    }
}

impl Drop for Json {
    fn drop(&mut self) {
        match &mut self.0 {
            // Most drops are of a parser's emptied wrapper or a scalar: nothing to walk.
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
            Value::String(s) => s.zeroize(),
            _ => wipe(self.take()),
        }
    }
}

/// Wipe every string and member name of `value`, without recursion (a value built elsewhere may be
/// nested arbitrarily deep).
fn wipe(value: Value) {
    let mut work = alloc::vec![value];
    while let Some(v) = work.pop() {
        match v {
            Value::String(mut s) => s.zeroize(),
            Value::Array(items) => work.extend(items),
            Value::Object(members) => {
                for (mut name, item) in members {
                    name.zeroize();
                    work.push(item);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

impl JsonError {
    /// As a `ValidationException`: a duplicate member names its path; any other error is `what` (e.g.
    /// "Request is not valid JSON") with the position.
    pub(crate) fn to_service(&self, what: &str) -> ServiceError {
        match self.duplicate_path() {
            Some(path) => ServiceError::field(
                path.to_string(),
                "Member must not appear more than once".to_string(),
            ),
            None => ServiceError::Validation {
                message: format!("{what}: {self}"),
                field_list: Vec::new(),
            },
        }
    }
}

/// An object being read, with the members already taken, so unknown members can be refused.
pub(crate) struct Object<'a> {
    path: String,
    map: &'a Map<String, Value>,
    /// Whether enum errors may repeat the value given (never in a key-store document).
    echo_values: bool,
}

/// Join a path and a member name. A member whose name is the empty string is written `""`, so that
/// the path still names it (a bare empty name would leave a top-level path empty).
pub(crate) fn join(path: &str, member: &str) -> String {
    let member = if member.is_empty() { "\"\"" } else { member };
    if path.is_empty() {
        member.to_string()
    } else {
        format!("{path}.{member}")
    }
}

impl<'a> Object<'a> {
    /// `value` as an object at `path` (the empty path is the request itself), refusing members not in
    /// `allowed`.
    pub(crate) fn new(
        value: &'a Value,
        path: &str,
        allowed: &[&str],
    ) -> Result<Self, ServiceError> {
        let map = value.as_object().ok_or_else(|| {
            ServiceError::field(
                path_or_root(path),
                "Value must be a JSON object (structure)".to_string(),
            )
        })?;
        if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            let unknown = echo(unknown);
            return Err(ServiceError::field(
                join(path, &unknown),
                format!("Unknown member '{unknown}'"),
            ));
        }
        Ok(Object {
            path: path.to_string(),
            map,
            echo_values: true,
        })
    }

    /// The same reader, but its errors repeat no value (for the key-store document).
    pub(crate) fn quiet(mut self) -> Self {
        self.echo_values = false;
        self
    }

    /// The path of a member of this object.
    pub(crate) fn path_of(&self, member: &str) -> String {
        join(&self.path, member)
    }

    /// A member, if present (JSON `null` counts as absent, as in AWS's JSON protocol).
    pub(crate) fn opt(&self, member: &str) -> Option<&'a Value> {
        self.map.get(member).filter(|v| !v.is_null())
    }

    /// A required member.
    pub(crate) fn req(&self, member: &str) -> Result<&'a Value, ServiceError> {
        self.opt(member).ok_or_else(|| {
            ServiceError::field(self.path_of(member), "Member must not be null".to_string())
        })
    }

    /// A required string member.
    pub(crate) fn req_str(&self, member: &str) -> Result<&'a str, ServiceError> {
        let v = self.req(member)?;
        self.as_str(member, v)
    }

    /// An optional string member.
    pub(crate) fn opt_str(&self, member: &str) -> Result<Option<&'a str>, ServiceError> {
        self.opt(member).map(|v| self.as_str(member, v)).transpose()
    }

    fn as_str(&self, member: &str, v: &'a Value) -> Result<&'a str, ServiceError> {
        v.as_str().ok_or_else(|| {
            ServiceError::field(self.path_of(member), "Value must be a string".to_string())
        })
    }

    /// An optional boolean member.
    pub(crate) fn opt_bool(&self, member: &str) -> Result<Option<bool>, ServiceError> {
        self.opt(member)
            .map(|v| {
                v.as_bool().ok_or_else(|| {
                    ServiceError::field(self.path_of(member), "Value must be a boolean".to_string())
                })
            })
            .transpose()
    }

    /// An optional array member.
    pub(crate) fn opt_array(&self, member: &str) -> Result<Option<&'a Vec<Value>>, ServiceError> {
        self.opt(member)
            .map(|v| {
                v.as_array().ok_or_else(|| {
                    ServiceError::field(self.path_of(member), "Value must be a list".to_string())
                })
            })
            .transpose()
    }

    /// An optional enum member: one of `allowed` by its AWS name, listing them all on failure.
    pub(crate) fn opt_enum<T: AwsName>(
        &self,
        member: &str,
        allowed: &[T],
    ) -> Result<Option<T>, ServiceError> {
        let Some(s) = self.opt_str(member)? else {
            return Ok(None);
        };
        let found = allowed.iter().copied().find(|v| v.aws_name() == s);
        found.map(Some).ok_or_else(|| {
            let given = if self.echo_values {
                format!("Value '{}'", echo(s))
            } else {
                format!("Value of {} characters", s.chars().count())
            };
            ServiceError::field(
                self.path_of(member),
                format!(
                    "{given} failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    allowed
                        .iter()
                        .map(|v| v.aws_name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }

    /// A required enum member.
    pub(crate) fn req_enum<T: AwsName>(
        &self,
        member: &str,
        allowed: &[T],
    ) -> Result<T, ServiceError> {
        self.req(member)?;
        self.opt_enum(member, allowed)?.ok_or_else(|| {
            ServiceError::field(self.path_of(member), "Member must not be null".to_string())
        })
    }

    /// A string member whose length (in characters) must be in `min..=max`.
    pub(crate) fn check_len(
        &self,
        member: &str,
        s: &str,
        min: usize,
        max: usize,
    ) -> Result<(), ServiceError> {
        let n = s.chars().count();
        if n < min || n > max {
            return Err(ServiceError::field(
                self.path_of(member),
                format!("Member must have length between {min} and {max}, inclusive (got {n})"),
            ));
        }
        Ok(())
    }
}

fn path_or_root(path: &str) -> String {
    if path.is_empty() {
        "$".to_string()
    } else {
        path.to_string()
    }
}
