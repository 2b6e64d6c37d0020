//! Key identifiers: the [`KeyArn`] a stored key has, and the [`KeyIdentifier`] a request names a key
//! by (a key ARN, an alias ARN or `alias/<name>`), each parsed once at the edge.

use core::fmt;

use crate::error::{Error, Problem};

/// Longest key identifier AWS accepts (322 characters).
pub const MAX_IDENTIFIER_LEN: usize = 322;

/// A key ARN: `arn:aws:payment-cryptography:<region>:<12 digits>:key/<16–64 alphanumerics>`.
///
/// Parsed once at the edge ([`KeyArn::parse`]); stored inline, so it needs no allocator.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyArn {
    bytes: [u8; MAX_IDENTIFIER_LEN],
    len: u16,
}

/// The parts of an identifier of the shape `arn:aws:payment-cryptography:<region>:<account>:<resource>`.
fn split_arn(s: &str) -> Option<(&str, &str, &str)> {
    let rest = s.strip_prefix("arn:aws:payment-cryptography:")?;
    let (region, rest) = rest.split_once(':')?;
    let (account, resource) = rest.split_once(':')?;
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (region_ok && account_ok).then_some((region, account, resource))
}

fn is_alias_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'))
}

impl KeyArn {
    /// Parse a key ARN of at most [`MAX_IDENTIFIER_LEN`] characters; anything else is
    /// [`Problem::KeyIdentifier`].
    ///
    /// # Errors
    ///
    /// [`Problem::KeyIdentifier`].
    pub fn parse(s: &str) -> Result<Self, Error> {
        let bad = || Error::invalid(Problem::KeyIdentifier);
        // The length is bounded first: the inline buffer holds at most MAX_IDENTIFIER_LEN bytes,
        // whatever the parts' own lengths (the region's is not bounded by the pattern).
        let mut bytes = [0u8; MAX_IDENTIFIER_LEN];
        let dst = bytes.get_mut(..s.len()).ok_or_else(bad)?;
        let len = u16::try_from(s.len()).map_err(|_| bad())?;
        let (_, _, resource) = split_arn(s).ok_or_else(bad)?;
        let id = resource.strip_prefix("key/").ok_or_else(bad)?;
        if !(16..=64).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad());
        }
        dst.copy_from_slice(s.as_bytes());
        Ok(KeyArn { bytes, len })
    }

    /// The ARN text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Built only from a `&str` that `parse` checked to be ASCII.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// `(region, account)` of the ARN.
    #[must_use]
    pub fn region_and_account(&self) -> (&str, &str) {
        split_arn(self.as_str())
            .map(|(r, a, _)| (r, a))
            .unwrap_or_default()
    }
}

impl fmt::Debug for KeyArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyArn({})", self.as_str())
    }
}

impl fmt::Display for KeyArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A key identifier as a request gives it: a key ARN, an alias ARN or `alias/<name>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyIdentifier<'a> {
    /// `arn:aws:payment-cryptography:<region>:<account>:key/<id>`.
    KeyArn(&'a str),
    /// `arn:aws:payment-cryptography:<region>:<account>:alias/<name>`: the alias name (with its `alias/`
    /// prefix) and the region and account.
    AliasArn {
        /// `alias/<name>`.
        alias: &'a str,
        /// The ARN's region.
        region: &'a str,
        /// The ARN's account.
        account: &'a str,
    },
    /// `alias/<name>`.
    Alias(&'a str),
}

impl<'a> KeyIdentifier<'a> {
    /// Parse an identifier (7–322 characters, one of the three shapes); else [`Problem::KeyIdentifier`].
    ///
    /// # Errors
    ///
    /// [`Problem::KeyIdentifier`].
    pub fn parse(s: &'a str) -> Result<Self, Error> {
        let bad = || Error::invalid(Problem::KeyIdentifier);
        if !(7..=MAX_IDENTIFIER_LEN).contains(&s.len()) {
            return Err(bad());
        }
        if let Some(name) = s.strip_prefix("alias/") {
            return if is_alias_name(name) {
                Ok(KeyIdentifier::Alias(s))
            } else {
                Err(bad())
            };
        }
        let (region, account, resource) = split_arn(s).ok_or_else(bad)?;
        if let Some(name) = resource.strip_prefix("alias/") {
            return if is_alias_name(name) {
                Ok(KeyIdentifier::AliasArn {
                    alias: resource,
                    region,
                    account,
                })
            } else {
                Err(bad())
            };
        }
        KeyArn::parse(s).map(|_| KeyIdentifier::KeyArn(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h";

    #[test]
    fn identifiers() {
        assert_eq!(KeyIdentifier::parse(ARN), Ok(KeyIdentifier::KeyArn(ARN)));
        assert_eq!(
            KeyIdentifier::parse("alias/demo-tdes_bdk/1"),
            Ok(KeyIdentifier::Alias("alias/demo-tdes_bdk/1"))
        );
        assert_eq!(
            KeyIdentifier::parse("arn:aws:payment-cryptography:us-east-2:111122223333:alias/x-1"),
            Ok(KeyIdentifier::AliasArn {
                alias: "alias/x-1",
                region: "us-east-2",
                account: "111122223333"
            })
        );
        for bad in [
            "",
            "alias/",
            "alias/a b",
            "key/kwapwa6qaifllw2h",
            "arn:aws:payment-cryptography:us-east-2:11112222333:key/kwapwa6qaifllw2h",
            "arn:aws:payment-cryptography:us-east-2:111122223333:key/short",
            "arn:aws:payment-cryptography:US:111122223333:key/kwapwa6qaifllw2h",
            "arn:aws:kms:us-east-2:111122223333:key/kwapwa6qaifllw2h",
        ] {
            assert!(KeyIdentifier::parse(bad).is_err(), "{bad}");
        }
        let long = alloc::format!("alias/{}", "a".repeat(400));
        assert!(KeyIdentifier::parse(&long).is_err());
    }

    /// M1 of the security audit: a region long enough to take the ARN past 322 bytes panicked.
    #[test]
    fn long_arns_are_refused_not_a_panic() {
        let arn = |region_len: usize| {
            alloc::format!(
                "arn:aws:payment-cryptography:{}:111122223333:key/abcdefghijklmnop",
                "a".repeat(region_len)
            )
        };
        // 63 bytes besides the region: 259 characters is exactly 322 bytes.
        assert_eq!(arn(259).len(), MAX_IDENTIFIER_LEN);
        assert_eq!(KeyArn::parse(&arn(259)).unwrap().as_str(), arn(259));
        for region_len in [260, 300, 1000, 70_000] {
            assert_eq!(
                KeyArn::parse(&arn(region_len)),
                Err(Error::invalid(Problem::KeyIdentifier)),
                "{region_len}"
            );
            assert!(KeyIdentifier::parse(&arn(region_len)).is_err());
        }
    }

    #[test]
    fn arn_round_trip() {
        let arn = KeyArn::parse(ARN).unwrap();
        assert_eq!(arn.as_str(), ARN);
        assert_eq!(arn.region_and_account(), ("us-east-2", "111122223333"));
        assert!(KeyArn::parse("alias/x").is_err());
    }
}
