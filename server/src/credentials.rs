//! Who may call: access key ids, their secrets, optional session tokens, and the account each belongs
//! to.
//!
//! The credentials file is JSON:
//!
//! ```json
//! {"Credentials": [
//!   {"AccessKeyId": "AKIDTEAM1", "SecretAccessKey": "…", "AccountId": "111122223333"},
//!   {"AccessKeyId": "ASIATEMP1", "SecretAccessKey": "…", "SessionToken": "…", "AccountId": "444455556666"}
//! ]}
//! ```
//!
//! Without a file the server accepts one documented pair, [`DEFAULT_ACCESS_KEY_ID`] /
//! [`DEFAULT_SECRET_ACCESS_KEY`] in account [`DEFAULT_ACCOUNT_ID`] (the account of the demo keys).

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

/// The default access key id.
pub const DEFAULT_ACCESS_KEY_ID: &str = "test";
/// The default secret access key.
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "test";
/// The default account (AWS's documentation account, and the demo keys').
pub const DEFAULT_ACCOUNT_ID: &str = "111122223333";

/// One caller's credentials.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Credential {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token the caller must present, if any.
    #[serde(default)]
    pub session_token: Option<String>,
    /// The 12-digit account the caller acts in.
    pub account_id: String,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("access_key_id", &self.access_key_id)
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct File {
    credentials: Vec<Credential>,
}

/// The credentials the server accepts, by access key id.
#[derive(Clone, Debug)]
pub struct CredentialStore {
    by_id: HashMap<String, Credential>,
}

impl CredentialStore {
    /// The default store: `test` / `test` in account `111122223333`.
    pub fn default_pair() -> Self {
        Self::from_credentials(vec![Credential {
            access_key_id: DEFAULT_ACCESS_KEY_ID.into(),
            secret_access_key: DEFAULT_SECRET_ACCESS_KEY.into(),
            session_token: None,
            account_id: DEFAULT_ACCOUNT_ID.into(),
        }])
        .unwrap_or_else(|_| CredentialStore {
            by_id: HashMap::new(),
        })
    }

    /// A store of these credentials; errors name the entry at fault (never a secret).
    pub fn from_credentials(list: Vec<Credential>) -> Result<Self, String> {
        let mut by_id = HashMap::new();
        for (i, c) in list.into_iter().enumerate() {
            let valid_id = !c.access_key_id.is_empty()
                && c.access_key_id.bytes().all(|b| b.is_ascii_alphanumeric());
            if !valid_id {
                return Err(format!(
                    "Credentials[{i}].AccessKeyId: letters and digits only, not empty"
                ));
            }
            if c.secret_access_key.is_empty() {
                return Err(format!("Credentials[{i}].SecretAccessKey: empty"));
            }
            if c.account_id.len() != 12 || !c.account_id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("Credentials[{i}].AccountId: 12 digits"));
            }
            if by_id.contains_key(&c.access_key_id) {
                return Err(format!(
                    "Credentials[{i}].AccessKeyId: {} is listed twice",
                    c.access_key_id
                ));
            }
            by_id.insert(c.access_key_id.clone(), c);
        }
        if by_id.is_empty() {
            return Err("Credentials: the list is empty".into());
        }
        Ok(CredentialStore { by_id })
    }

    /// Parse a credentials file's text.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let file: File = serde_json::from_str(text).map_err(|e| format!("{e}"))?;
        Self::from_credentials(file.credentials)
    }

    /// The credential of an access key id.
    pub fn get(&self, access_key_id: &str) -> Option<&Credential> {
        self.by_id.get(access_key_id)
    }

    /// The credentials, for the start-up summary (access key id and account only are shown).
    pub fn iter(&self) -> impl Iterator<Item = &Credential> {
        self.by_id.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_and_checks() {
        let s = CredentialStore::from_json(
            r#"{"Credentials": [{"AccessKeyId": "AKID1", "SecretAccessKey": "s", "AccountId": "444455556666",
                "SessionToken": "tok"}]}"#,
        )
        .unwrap();
        let c = s.get("AKID1").unwrap();
        assert_eq!(c.account_id, "444455556666");
        assert_eq!(c.session_token.as_deref(), Some("tok"));
        assert!(!format!("{c:?}").contains("tok"));
        for bad in [
            r#"{"Credentials": []}"#,
            r#"{"Credentials": [{"AccessKeyId": "A/B", "SecretAccessKey": "s", "AccountId": "444455556666"}]}"#,
            r#"{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AccountId": "4444"}]}"#,
            r#"{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "", "AccountId": "444455556666"}]}"#,
            r#"{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AccountId": "444455556666", "X": 1}]}"#,
            r#"{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AccountId": "444455556666"},
                                {"AccessKeyId": "A", "SecretAccessKey": "t", "AccountId": "444455556666"}]}"#,
        ] {
            let e = CredentialStore::from_json(bad).unwrap_err();
            assert!(!e.contains("\"s\""), "{e}");
        }
        let d = CredentialStore::default_pair();
        assert_eq!(d.get("test").unwrap().account_id, DEFAULT_ACCOUNT_ID);
    }
}
