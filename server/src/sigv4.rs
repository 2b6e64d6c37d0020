//! SigV4 verification with AWS's own signer, the `aws-sigv4` crate.
//!
//! The server does not canonicalise requests itself. It parses the `Authorization` header (algorithm,
//! credential scope, `SignedHeaders`, signature), checks the scope, the time and the caller, and then
//! asks `aws-sigv4` to sign the request **as the client did**: the raw request target, exactly the
//! headers the client listed in `SignedHeaders` (with their values as received; `x-amz-date` and
//! `x-amz-security-token` are re-added by the signer from the parsed time and the credential, as the
//! client's signer added them), the time of `X-Amz-Date`, the scope's region and service, and the
//! SHA-256 of the body as the server computed it. The settings are those of AWS's SDKs for this
//! service: double percent-encoding of the path (the canonical URI is the raw path encoded again,
//! EMULATOR.md §6.2), RFC 3986 path normalisation, no header excluded (the client's list is the list),
//! no `x-amz-content-sha256` added. The signature `aws-sigv4` computes is compared with the client's in
//! constant time (`subtle`).
//!
//! Checks and their errors (EMULATOR.md §6.2–6.3; the status depends on the plane, see
//! [`crate::api`]):
//!
//! | condition | error |
//! |---|---|
//! | no `Authorization` header | `MissingAuthenticationTokenException` |
//! | not `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`; a bad scope; no `X-Amz-Date`; `host` or `x-amz-date` not signed; a signed header absent | `IncompleteSignatureException` |
//! | unknown access key id; a session token that is missing, unexpected or wrong | `UnrecognizedClientException` |
//! | scope service not `payment-cryptography`; scope date not `X-Amz-Date`'s; time outside the skew window; `x-amz-content-sha256` not the body's hash; wrong signature | `InvalidSignatureException` |

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest,
    SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_types::date_time::{DateTime, Format};
use http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::api::{ApiError, Shape};
use crate::credentials::CredentialStore;

/// The signing name of both planes.
pub const SERVICE: &str = "payment-cryptography";

/// The signature algorithm.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// AWS's clock-skew window.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(300);

/// The authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The access key id that signed (`-` when authentication is off).
    pub access_key_id: String,
    /// The caller's account.
    pub account_id: String,
    /// The region of the signature's scope.
    pub region: String,
}

/// Verifies SigV4 signatures against a [`CredentialStore`].
#[derive(Clone, Debug)]
pub struct Verifier {
    credentials: CredentialStore,
    max_skew: Duration,
}

fn incomplete(message: impl Into<String>) -> ApiError {
    ApiError::new(Shape::IncompleteSignature, message)
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(Shape::InvalidSignature, message)
}

fn unrecognized() -> ApiError {
    ApiError::new(
        Shape::UnrecognizedClient,
        "The security token included in the request is invalid.",
    )
}

/// The parts of an `Authorization` header.
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, ApiError> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| {
            incomplete(format!(
                "Authorization header must start with '{ALGORITHM} ' (the only algorithm supported)"
            ))
        })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (name, v) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| incomplete("Authorization header: a parameter without '='"))?;
        let slot = match name {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => {
                return Err(incomplete(
                    "Authorization header: unknown parameter (expected Credential, SignedHeaders, Signature)",
                ));
            }
        };
        if slot.replace(v).is_some() {
            return Err(incomplete(format!(
                "Authorization header: '{name}' is given twice"
            )));
        }
    }
    let missing = |n: &str| incomplete(format!("Authorization header requires '{n}' parameter."));
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts.as_slice() else {
        return Err(incomplete(
            "Credential must be <access key id>/<date>/<region>/<service>/aws4_request",
        ));
    };
    if *terminator != "aws4_request" {
        return Err(incomplete(
            "Credential should be scoped with a valid terminator: 'aws4_request'",
        ));
    }
    if access_key_id.is_empty()
        || date.len() != 8
        || !date.bytes().all(|b| b.is_ascii_digit())
        || region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(incomplete(
            "Credential scope: malformed access key id, date or region",
        ));
    }
    let signed_headers: Vec<&str> = signed.split(';').collect();
    let well_formed = signed_headers.iter().all(|h| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    });
    if !well_formed || !signed_headers.windows(2).all(|w| w[0] < w[1]) {
        return Err(incomplete(
            "SignedHeaders must be lower-case header names, sorted, separated by ';'",
        ));
    }
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(incomplete("Signature must be 64 lower-case hex digits"));
    }
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers,
        signature,
    })
}

/// `YYYYMMDDTHHMMSSZ` to a time.
fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() != 16 || !digits(0..8) || b[8] != b'T' || !digits(9..15) || b[15] != b'Z' {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    DateTime::from_str(&iso, Format::DateTime)
        .ok()
        .and_then(|t| SystemTime::try_from(t).ok())
}

/// A time as `YYYYMMDDTHHMMSSZ`.
fn format_amz_date(t: SystemTime) -> String {
    DateTime::from(t)
        .fmt(Format::DateTime)
        .map(|s| {
            s.chars()
                .filter(|c| *c != '-' && *c != ':')
                .take(15)
                .chain(std::iter::once('Z'))
                .collect()
        })
        .unwrap_or_default()
}

/// Lower-case hex of SHA-256.
fn sha256_hex(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    s
}

impl Verifier {
    /// A verifier over these credentials, with AWS's five-minute skew window.
    pub fn new(credentials: CredentialStore) -> Self {
        Verifier {
            credentials,
            max_skew: DEFAULT_MAX_SKEW,
        }
    }

    /// Use another clock-skew window.
    #[must_use]
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// The credentials.
    pub fn credentials(&self) -> &CredentialStore {
        &self.credentials
    }

    /// Verify a request's signature at time `now`. `path_and_query` is the request target as
    /// received (undecoded).
    pub fn verify(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Caller, ApiError> {
        // An origin-form target (what hyper gives for every route the server answers). `aws-sigv4`
        // panics on some other forms (a target without a path), so they are refused here.
        if !path_and_query.starts_with('/') {
            return Err(incomplete("The request target must be an absolute path"));
        }
        let Some(value) = headers.get(http::header::AUTHORIZATION) else {
            return Err(ApiError::new(
                Shape::MissingAuthenticationToken,
                "Missing Authentication Token",
            ));
        };
        let value = value
            .to_str()
            .map_err(|_| incomplete("Authorization header is not visible ASCII"))?;
        let auth = parse_authorization(value)?;
        if auth.service != SERVICE {
            return Err(invalid(format!(
                "Credential should be scoped to correct service: '{SERVICE}'."
            )));
        }
        let credential = self
            .credentials
            .get(auth.access_key_id)
            .ok_or_else(unrecognized)?;

        let amz_date = headers
            .get("x-amz-date")
            .ok_or_else(|| {
                incomplete("Authorization header requires existence of a 'X-Amz-Date' header.")
            })?
            .to_str()
            .ok()
            .filter(|d| d.len() == 16)
            .ok_or_else(|| incomplete("X-Amz-Date must be YYYYMMDD'T'HHMMSS'Z'"))?;
        let time = parse_amz_date(amz_date)
            .ok_or_else(|| incomplete("X-Amz-Date must be YYYYMMDD'T'HHMMSS'Z'"))?;
        if !amz_date.starts_with(auth.date) {
            return Err(invalid(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP",
            ));
        }
        if let Ok(ahead) = time.duration_since(now) {
            if ahead > self.max_skew {
                return Err(invalid(format!(
                    "Signature not yet current: {amz_date} is still later than {}",
                    format_amz_date(now + self.max_skew)
                )));
            }
        } else if now.duration_since(time).is_ok_and(|d| d > self.max_skew) {
            let earliest = now.checked_sub(self.max_skew).unwrap_or(now);
            return Err(invalid(format!(
                "Signature expired: {amz_date} is now earlier than {} ({} - {} min.)",
                format_amz_date(earliest),
                format_amz_date(now),
                self.max_skew.as_secs() / 60
            )));
        }

        for required in ["host", "x-amz-date"] {
            if !auth.signed_headers.contains(&required) {
                return Err(incomplete(format!("'{required}' must be a signed header")));
            }
        }
        // The session token: the credential's, exactly, if it has one; none otherwise.
        let token = headers
            .get("x-amz-security-token")
            .map(|t| t.to_str().map_err(|_| unrecognized()))
            .transpose()?;
        match (&credential.session_token, token) {
            (None, None) => {}
            (Some(expected), Some(given))
                if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) => {}
            _ => return Err(unrecognized()),
        }
        let token_signed = auth.signed_headers.contains(&"x-amz-security-token");

        let mut signed = Vec::with_capacity(auth.signed_headers.len());
        for name in &auth.signed_headers {
            if matches!(*name, "x-amz-date" | "x-amz-security-token") {
                continue;
            }
            let mut present = false;
            for v in headers.get_all(*name) {
                present = true;
                let v = v.to_str().map_err(|_| {
                    incomplete(format!("signed header '{name}' is not visible ASCII"))
                })?;
                signed.push((*name, v));
            }
            if !present {
                return Err(incomplete(format!(
                    "signed header '{name}' is not in the request"
                )));
            }
        }

        let body_hash = sha256_hex(body);
        if let Some(claimed) = headers.get("x-amz-content-sha256")
            && claimed.as_bytes() != body_hash.as_bytes()
        {
            return Err(invalid(
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ));
        }

        let identity: Identity = Credentials::new(
            auth.access_key_id,
            credential.secret_access_key.as_str(),
            token_signed.then(|| token.unwrap_or_default().to_string()),
            None,
            "paycrypt-server",
        )
        .into();
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Double;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
        settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
        settings.excluded_headers = None;
        settings.session_token_mode = if token_signed {
            SessionTokenMode::Include
        } else {
            SessionTokenMode::Exclude
        };
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(auth.region)
            .name(auth.service)
            .time(time)
            .settings(settings)
            .build()
            .map_err(|_| incomplete("cannot build the signing parameters"))?
            .into();
        let request = SignableRequest::new(
            method,
            path_and_query,
            signed.into_iter(),
            SignableBody::Precomputed(body_hash),
        )
        .map_err(|_| incomplete("the request target cannot be signed"))?;
        let output = sign(request, &params)
            .map_err(|_| incomplete("the signed headers cannot be signed"))?;
        let expected = output.signature().as_bytes();
        let given = auth.signature.as_bytes();
        if expected.len() != given.len() || !bool::from(expected.ct_eq(given)) {
            return Err(invalid(
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
            ));
        }
        Ok(Caller {
            access_key_id: auth.access_key_id.to_string(),
            account_id: credential.account_id.clone(),
            region: auth.region.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credential;

    /// EMULATOR.md §6.2's deterministic vectors (botocore 1.44.8 with a frozen clock).
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const V1_PATH: &str = "/keys/arn%3Aaws%3Apayment-cryptography%3Aus-east-1%3A111122223333%3Akey%2Fabcdefghijklmnop/reencrypt";
    const V1_BODY: &str = r#"{"OutgoingKeyIdentifier": "alias/out", "CipherText": "124F7A32F3F84187", "IncomingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}, "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}"#;
    const V1_SIG: &str = "a73ca3b1d74d7b9b834f20da9c43d4f4a52765c043102693961c8da1a85cc341";
    const V2_BODY: &str = r#"{"AliasName": "alias/team/bdk-1", "KeyArn": "arn:aws:payment-cryptography:us-east-1:111122223333:key/abcdefghijklmnop"}"#;
    const V2_SIG: &str = "7f3d1f6cef4dcee4f3dc0e75c13b805976a36974bc3350cadf2a8e65cdb7b9c8";

    fn verifier() -> Verifier {
        Verifier::new(
            CredentialStore::from_credentials(vec![Credential {
                access_key_id: "AKIDEXAMPLE".into(),
                secret_access_key: SECRET.into(),
                session_token: None,
                account_id: "111122223333".into(),
            }])
            .unwrap(),
        )
    }

    fn at() -> SystemTime {
        parse_amz_date("20260101T000000Z").unwrap()
    }

    fn headers(signed: &str, sig: &str, extra: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("host", "127.0.0.1:9000".parse().unwrap());
        h.insert("x-amz-date", "20260101T000000Z".parse().unwrap());
        h.insert(
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/payment-cryptography/aws4_request, SignedHeaders={signed}, Signature={sig}"
            )
            .parse()
            .unwrap(),
        );
        for (k, v) in extra {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    fn v1() -> HeaderMap {
        headers(
            "content-type;host;x-amz-date",
            V1_SIG,
            &[("content-type", "application/json"), ("user-agent", "x")],
        )
    }

    fn shape(r: Result<Caller, ApiError>) -> Shape {
        r.unwrap_err().shape
    }

    #[test]
    fn vector_v1_data_plane_double_encoding() {
        let caller = verifier()
            .verify("POST", V1_PATH, &v1(), V1_BODY.as_bytes(), at())
            .unwrap();
        assert_eq!(
            caller,
            Caller {
                access_key_id: "AKIDEXAMPLE".into(),
                account_id: "111122223333".into(),
                region: "us-east-1".into()
            }
        );
        assert_eq!(
            sha256_hex(V1_BODY.as_bytes()),
            "4f4c5b296b8b76f50d751c16e3be086f98a9d5e5c84f69af2c1cc5b72eb5d7f0"
        );
    }

    #[test]
    fn vector_v2_control_plane() {
        let h = headers(
            "content-type;host;x-amz-date;x-amz-target",
            V2_SIG,
            &[
                ("content-type", "application/x-amz-json-1.0"),
                (
                    "x-amz-target",
                    "PaymentCryptographyControlPlane.CreateAlias",
                ),
            ],
        );
        verifier()
            .verify("POST", "/", &h, V2_BODY.as_bytes(), at())
            .unwrap();
    }

    #[test]
    fn tampering_is_invalid_signature() {
        let v = verifier();
        let mut body = V1_BODY.as_bytes().to_vec();
        body[30] ^= 1;
        assert_eq!(
            shape(v.verify("POST", V1_PATH, &v1(), &body, at())),
            Shape::InvalidSignature
        );
        // The path decoded, or decoded and encoded once: both differ from what the client signed.
        let decoded = "/keys/arn:aws:payment-cryptography:us-east-1:111122223333:key/abcdefghijklmnop/reencrypt";
        assert_eq!(
            shape(v.verify("POST", decoded, &v1(), V1_BODY.as_bytes(), at())),
            Shape::InvalidSignature
        );
        // A signed header changed.
        let mut h = v1();
        h.insert("content-type", "text/plain".parse().unwrap());
        assert_eq!(
            shape(v.verify("POST", V1_PATH, &h, V1_BODY.as_bytes(), at())),
            Shape::InvalidSignature
        );
        // An unsigned header changed: fine.
        let mut h = v1();
        h.insert("user-agent", "other".parse().unwrap());
        v.verify("POST", V1_PATH, &h, V1_BODY.as_bytes(), at())
            .unwrap();
        // A lying x-amz-content-sha256.
        let h = headers(
            "content-type;host;x-amz-date",
            V1_SIG,
            &[
                ("content-type", "application/json"),
                ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
            ],
        );
        assert_eq!(
            shape(v.verify("POST", V1_PATH, &h, V1_BODY.as_bytes(), at())),
            Shape::InvalidSignature
        );
    }

    #[test]
    fn time_window() {
        let v = verifier();
        let ok = at() + Duration::from_secs(299);
        v.verify("POST", V1_PATH, &v1(), V1_BODY.as_bytes(), ok)
            .unwrap();
        let late = at() + Duration::from_secs(301);
        let e = v
            .verify("POST", V1_PATH, &v1(), V1_BODY.as_bytes(), late)
            .unwrap_err();
        assert_eq!(e.shape, Shape::InvalidSignature);
        assert!(
            e.message.starts_with(
                "Signature expired: 20260101T000000Z is now earlier than 20260101T000001Z"
            ),
            "{}",
            e.message
        );
        let early = at() - Duration::from_secs(301);
        let e = v
            .verify("POST", V1_PATH, &v1(), V1_BODY.as_bytes(), early)
            .unwrap_err();
        assert!(
            e.message.starts_with("Signature not yet current"),
            "{}",
            e.message
        );
    }

    #[test]
    fn authentication_errors() {
        let v = verifier();
        let body = V1_BODY.as_bytes();
        let mut h = v1();
        h.remove("authorization");
        assert_eq!(
            shape(v.verify("POST", V1_PATH, &h, body, at())),
            Shape::MissingAuthenticationToken
        );
        for auth in [
            "AWS4-HMAC-SHA512 Credential=AKIDEXAMPLE/20260101/us-east-1/payment-cryptography/aws4_request, SignedHeaders=host;x-amz-date, Signature=".to_string() + V1_SIG,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/payment-cryptography/aws4_request, SignedHeaders=host;x-amz-date".to_string(),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/payment-cryptography, SignedHeaders=host;x-amz-date, Signature=".to_string() + V1_SIG,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/payment-cryptography/aws4_request, SignedHeaders=x-amz-date;host, Signature=".to_string() + V1_SIG,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/payment-cryptography/aws4_request, SignedHeaders=content-type;x-amz-date, Signature=".to_string() + V1_SIG,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/payment-cryptography/aws4_request, SignedHeaders=host;x-amz-date;x-missing, Signature=".to_string() + V1_SIG,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/payment-cryptography/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc".to_string(),
        ] {
            let mut h = v1();
            h.insert("authorization", auth.parse().unwrap());
            assert_eq!(shape(v.verify("POST", V1_PATH, &h, body, at())), Shape::IncompleteSignature, "{auth}");
        }
        let mut h = v1();
        h.remove("x-amz-date");
        assert_eq!(
            shape(v.verify("POST", V1_PATH, &h, body, at())),
            Shape::IncompleteSignature
        );

        let mut h = v1();
        let other = h["authorization"]
            .to_str()
            .unwrap()
            .replace("AKIDEXAMPLE", "AKIDOTHER");
        h.insert("authorization", other.parse().unwrap());
        assert_eq!(
            shape(v.verify("POST", V1_PATH, &h, body, at())),
            Shape::UnrecognizedClient
        );

        let mut h = v1();
        let other = h["authorization"]
            .to_str()
            .unwrap()
            .replace("/payment-cryptography/", "/kms/");
        h.insert("authorization", other.parse().unwrap());
        assert_eq!(
            shape(v.verify("POST", V1_PATH, &h, body, at())),
            Shape::InvalidSignature
        );

        let mut h = v1();
        let other = h["authorization"]
            .to_str()
            .unwrap()
            .replace("/20260101/", "/20260102/");
        h.insert("authorization", other.parse().unwrap());
        assert_eq!(
            shape(v.verify("POST", V1_PATH, &h, body, at())),
            Shape::InvalidSignature
        );

        // A request target that is not an absolute path (aws-sigv4 panics on some): refused first.
        for target in ["a", "*", "", "keys/x/encrypt"] {
            assert_eq!(
                shape(v.verify("POST", target, &v1(), body, at())),
                Shape::IncompleteSignature,
                "{target:?}"
            );
        }

        // A session token the credential does not have.
        let mut h = v1();
        h.insert("x-amz-security-token", "tok".parse().unwrap());
        assert_eq!(
            shape(v.verify("POST", V1_PATH, &h, body, at())),
            Shape::UnrecognizedClient
        );
    }

    #[test]
    fn dates() {
        assert_eq!(format_amz_date(at()), "20260101T000000Z");
        assert!(parse_amz_date("20261301T000000Z").is_none());
        assert!(parse_amz_date("2026-01-01T00:00").is_none());
        assert!(parse_amz_date("20260101T000000").is_none());
    }
}
