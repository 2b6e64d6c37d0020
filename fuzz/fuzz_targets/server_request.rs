//! paycrypt-server's own parsing, in process (no socket): the dispatch on method, raw path and
//! `X-Amz-Target` (`route::route`), the path identifier's percent-decoding, the SigV4 `Authorization` and
//! `X-Amz-Date` parsing and verification (`sigv4::Verifier`), the credentials file
//! (`CredentialStore::from_json`), then the data operation the route names on the fixture key store
//! (`engine::data_operation`, which goes through the library's wire layer).
//!
//! Never panics. A fuzzed signature never verifies (nobody inverts HMAC-SHA256). A request signed by the
//! `aws-sigv4` crate, as the AWS SDKs sign, over the fuzzed path, body and region always verifies, with
//! the caller's account and region. A data route that answers gives a JSON object, and the identifier it
//! decodes is what the route captured, decoded once.
#![no_main]

use std::time::{Duration, SystemTime};

use arbitrary::Arbitrary;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use paycrypt_fuzz::store::DOCUMENT;
use paycrypt_server::credentials::CredentialStore;
use paycrypt_server::engine::{Keys, Strictness, data_operation};
use paycrypt_server::route::{Route, decode_identifier, route};
use paycrypt_server::sigv4::Verifier;

/// 2026-09-21T12:53:20Z: the server's clock in this target.
const NOW: u64 = 1_790_000_000;
const AMZ_DATE: &str = "20260921T125320Z";

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    method: Method<'a>,
    /// Prefixed with `/keys/` when `keys_prefix` is set, so that the data routes are reached often.
    path: &'a str,
    keys_prefix: bool,
    target: Option<&'a str>,
    /// Extra headers (name, value), e.g. `authorization`, `x-amz-date`, `x-amz-content-sha256`.
    headers: Vec<(&'a str, &'a str)>,
    body: &'a str,
    /// Sign the request with `aws-sigv4` (credential `test`/`test`) instead of using `headers`.
    signed: Option<&'a str>,
    credentials_file: &'a str,
}

#[derive(Arbitrary, Debug)]
enum Method<'a> {
    Post,
    Get,
    Put,
    Other(&'a str),
}

impl Method<'_> {
    fn as_str(&self) -> &str {
        match self {
            Method::Post => "POST",
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Other(m) => m,
        }
    }
}

fn keys() -> &'static Keys {
    static KEYS: std::sync::OnceLock<Keys> = std::sync::OnceLock::new();
    // The library's reader: the fixture has keys the server's strict seed reader refuses (AWS's
    // attribute combinations), which the data operations must still handle.
    KEYS.get_or_init(|| {
        Keys::from_store(paycrypt::MemoryKeyStore::from_json(DOCUMENT).expect("the fixture loads"))
    })
}

/// The request as the AWS SDKs sign it, or `None` when `aws-sigv4` refuses the path or region.
fn sign_request(path: &str, body: &str, region: &str) -> Option<HeaderMap> {
    let identity: Identity = Credentials::new("test", "test", None, None, "fuzz").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("payment-cryptography")
        .time(SystemTime::UNIX_EPOCH + Duration::from_secs(NOW))
        .settings(SigningSettings::default())
        .build()
        .ok()?
        .into();
    let headers = [
        ("host", "127.0.0.1:7420"),
        ("content-type", "application/json"),
    ];
    let signable = SignableRequest::new(
        "POST",
        path,
        headers.into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .ok()?;
    let (instructions, _) = sign(signable, &params).ok()?.into_parts();
    let mut req = http::Request::builder()
        .method("POST")
        .uri(path)
        .header("host", "127.0.0.1:7420")
        .header("content-type", "application/json")
        .body(())
        .ok()?;
    instructions.apply_to_request_http1x(&mut req);
    Some(req.headers().clone())
}

fuzz_target!(|input: Input<'_>| {
    let _ = CredentialStore::from_json(input.credentials_file);

    let path = if input.keys_prefix {
        format!("/keys/{}", input.path)
    } else {
        input.path.to_string()
    };
    let method = input.method.as_str();
    let r = route(method, &path, input.target);
    let _ = r.operation_name();

    let verifier = Verifier::new(CredentialStore::default_pair());
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW);
    let region_ok = |r: &str| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let (account, region) = match input.signed {
        // `aws-sigv4` signs origin-form targets (it panics on some others; the verifier refuses them).
        Some(region)
            if region_ok(region) && path.starts_with('/') && path.parse::<http::Uri>().is_ok() =>
        {
            let Some(headers) = sign_request(&path, input.body, region) else {
                return;
            };
            let caller = verifier
                .verify("POST", &path, &headers, input.body.as_bytes(), now)
                .unwrap_or_else(|e| {
                    panic!(
                        "an aws-sigv4 signature must verify: {} {}",
                        e.shape.name(),
                        e.message
                    )
                });
            assert_eq!(caller.account_id, "111122223333");
            assert_eq!(caller.region, region);
            assert_eq!(caller.access_key_id, "test");
            (caller.account_id, caller.region)
        }
        Some(_) => return,
        None => {
            let mut headers = HeaderMap::new();
            headers.insert("x-amz-date", HeaderValue::from_static(AMZ_DATE));
            for (name, value) in &input.headers {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(value),
                ) {
                    headers.insert(n, v);
                }
            }
            let verified = verifier.verify(method, &path, &headers, input.body.as_bytes(), now);
            assert!(verified.is_err(), "a fuzzed signature verified");
            ("111122223333".to_string(), "us-east-2".to_string())
        }
    };

    if let Route::Data {
        operation,
        raw_identifier,
    } = r
    {
        assert!(path.contains(raw_identifier));
        let Some(identifier) = decode_identifier(raw_identifier) else {
            return;
        };
        if let Ok(answer) = data_operation(
            keys(),
            operation,
            &identifier,
            input.body,
            &account,
            &region,
            Strictness::Documented,
        ) {
            let value: serde_json::Value =
                serde_json::from_slice(&answer.body).expect("the answer is JSON");
            assert!(value.is_object());
            assert!(answer.key_arn.starts_with("arn:aws:payment-cryptography:"));
        }
    }
});
