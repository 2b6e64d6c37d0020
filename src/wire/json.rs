//! A path-aware reader over `serde_json::Value`: every string check of a request happens here, and
//! every failure names the member it concerns (`IncomingEncryptionAttributes.Dukpt.KeySerialNumber`).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{Map, Value};

use super::ServiceError;

/// An object being read, with the members already taken, so unknown members can be refused.
pub(crate) struct Object<'a> {
    path: String,
    map: &'a Map<String, Value>,
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
            return Err(ServiceError::field(
                join(path, unknown),
                format!("Unknown member '{unknown}'"),
            ));
        }
        Ok(Object {
            path: path.to_string(),
            map,
        })
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

    /// An optional enum member parsed by `parse`, listing the allowed values on failure.
    pub(crate) fn opt_enum<T>(
        &self,
        member: &str,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ServiceError> {
        let Some(s) = self.opt_str(member)? else {
            return Ok(None);
        };
        parse(s).map(Some).ok_or_else(|| {
            ServiceError::field(
                self.path_of(member),
                format!(
                    "Value '{s}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ),
            )
        })
    }

    /// A required enum member.
    pub(crate) fn req_enum<T>(
        &self,
        member: &str,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, ServiceError> {
        self.req(member)?;
        self.opt_enum(member, allowed, parse)?.ok_or_else(|| {
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
