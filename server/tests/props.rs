//! Property tests: the server's own parsers (the request target, the `Authorization` header, the
//! credentials file) never panic, whatever they are given, and answer with the right error family.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::SystemTime;

use http::HeaderMap;
use paycrypt_server::api::Shape;
use paycrypt_server::credentials::CredentialStore;
use paycrypt_server::route::{Route, decode_identifier, route};
use paycrypt_server::sigv4::Verifier;
use proptest::prelude::*;

const AUTH_SHAPES: [Shape; 4] = [
    Shape::MissingAuthenticationToken,
    Shape::IncompleteSignature,
    Shape::UnrecognizedClient,
    Shape::InvalidSignature,
];

fn header_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,200}",
        "AWS4-HMAC-SHA256 Credential=[a-z0-9/_]{0,60}, SignedHeaders=[a-z;-]{0,40}, Signature=[0-9a-f]{0,70}",
        "AWS4-HMAC-SHA256 Credential=test/2026010[1-9]/us-east-[12]/payment-cryptography/aws4_request, SignedHeaders=(host;x-amz-date|content-type;host;x-amz-date), Signature=[0-9a-f]{64}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn routing_never_panics(method in "(POST|GET|PUT)", path in "/[ -~]{0,120}", target in proptest::option::of("[ -~]{0,60}")) {
        let r = route(&method, &path, target.as_deref());
        if let Route::Data { raw_identifier, .. } = r {
            prop_assert!(!raw_identifier.is_empty());
            prop_assert!(path.starts_with("/keys/"));
            let _ = decode_identifier(raw_identifier);
        }
    }

    #[test]
    fn decoding_once_inverts_encoding(id in "[ -~]{1,100}") {
        let encoded: String = percent_encoding::utf8_percent_encode(&id, percent_encoding::NON_ALPHANUMERIC).to_string();
        prop_assert_eq!(decode_identifier(&encoded).unwrap(), id);
    }

    #[test]
    fn verification_never_panics_and_fails_with_an_auth_error(
        auth in header_text(),
        date in "[0-9TZ]{0,18}",
        path in "/[!-~]{0,80}",
        body in proptest::collection::vec(any::<u8>(), 0..200),
        with_host in any::<bool>(),
    ) {
        let verifier = Verifier::new(CredentialStore::default_pair());
        let mut headers = HeaderMap::new();
        if let Ok(v) = auth.parse() {
            headers.insert("authorization", v);
        }
        if let Ok(v) = date.parse() {
            headers.insert("x-amz-date", v);
        }
        if with_host {
            headers.insert("host", "127.0.0.1:7420".parse().unwrap());
        }
        let e = verifier.verify("POST", &path, &headers, &body, SystemTime::now()).unwrap_err();
        prop_assert!(AUTH_SHAPES.contains(&e.shape), "{:?}", e);
    }

    #[test]
    fn credentials_files_never_panic(text in "[ -~]{0,200}") {
        let _ = CredentialStore::from_json(&text);
    }
}
