//! The AWS SDK clients of the server's tests: the server's local endpoint, static test credentials and
//! one attempt per call (a retry would hide the answer a test looks at). Each test file includes this
//! file with `#[path = "support/clients.rs"] mod clients;`.

#![allow(dead_code, reason = "each test file uses part of it")]

use aws_smithy_types::retry::RetryConfig;

/// The data plane's client configuration, for tests that change it further (credentials, interceptors).
pub fn data_config(
    endpoint: &str,
    region: &str,
    secret: &str,
) -> aws_sdk_paymentcryptographydata::config::Builder {
    use aws_sdk_paymentcryptographydata::config::{BehaviorVersion, Credentials, Region};
    aws_sdk_paymentcryptographydata::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", secret, None, None, "test"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(RetryConfig::standard().with_max_attempts(1))
}

/// A data plane client with the test credentials.
pub fn data(endpoint: &str, region: &str) -> aws_sdk_paymentcryptographydata::Client {
    aws_sdk_paymentcryptographydata::Client::from_conf(
        data_config(endpoint, region, "test").build(),
    )
}

/// A control plane client with the test credentials.
pub fn control(endpoint: &str, region: &str) -> aws_sdk_paymentcryptography::Client {
    use aws_sdk_paymentcryptography::config::{BehaviorVersion, Credentials, Region};
    aws_sdk_paymentcryptography::Client::from_conf(
        aws_sdk_paymentcryptography::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .build(),
    )
}
