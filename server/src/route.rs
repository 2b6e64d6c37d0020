//! Dispatch: which plane and operation a request is for (EMULATOR.md §11.1).
//!
//! 1. A request with `X-Amz-Target` is **control plane** (awsJson1_0): `POST /` and a target
//!    `PaymentCryptographyControlPlane.<Operation>`.
//! 2. Otherwise a `POST` whose **raw** path matches a data-plane template is **data plane**
//!    (rest-json). `/keys/{id}/encrypt|decrypt|reencrypt` captures the identifier greedily (an
//!    identifier sent with a raw `/` or `:` still routes) and percent-decodes it exactly once; the other
//!    data-plane routes are recognised so that they can answer `NotImplementedException`.
//! 3. Anything else is unknown (404 `UnknownOperationException`).

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// The control plane's target prefix (`X-Amz-Target: PaymentCryptographyControlPlane.CreateKey`).
pub const CONTROL_TARGET_PREFIX: &str = "PaymentCryptographyControlPlane.";

/// The three data-plane operations this server implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataOperation {
    /// `POST /keys/{KeyIdentifier}/encrypt`.
    EncryptData,
    /// `POST /keys/{KeyIdentifier}/decrypt`.
    DecryptData,
    /// `POST /keys/{IncomingKeyIdentifier}/reencrypt`.
    ReEncryptData,
}

impl DataOperation {
    /// The AWS operation name.
    pub const fn name(self) -> &'static str {
        match self {
            DataOperation::EncryptData => "EncryptData",
            DataOperation::DecryptData => "DecryptData",
            DataOperation::ReEncryptData => "ReEncryptData",
        }
    }
}

/// The data-plane operations of the service model (botocore 1.44.8) that this server does not
/// implement, by request path.
pub const DATA_NOT_IMPLEMENTED: [(&str, &str); 12] = [
    (
        "/as2805kekvalidation/generate",
        "GenerateAs2805KekValidation",
    ),
    ("/cryptogram/generate", "GenerateAuthRequestCryptogram"),
    ("/cryptogram/verify", "VerifyAuthRequestCryptogram"),
    ("/cardvalidationdata/generate", "GenerateCardValidationData"),
    ("/cardvalidationdata/verify", "VerifyCardValidationData"),
    ("/mac/generate", "GenerateMac"),
    ("/mac/verify", "VerifyMac"),
    ("/macemvpinchange/generate", "GenerateMacEmvPinChange"),
    ("/pindata/generate", "GeneratePinData"),
    ("/pindata/translate", "TranslatePinData"),
    ("/pindata/verify", "VerifyPinData"),
    ("/keymaterial/translate", "TranslateKeyMaterial"),
];

/// The control-plane operations of the service model: the library's one list (`wire::control`).
pub use crate::engine::CONTROL_OPERATIONS;

/// Where a request goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route<'a> {
    /// An implemented data-plane operation and the path's identifier, as sent (still encoded).
    Data {
        /// The operation.
        operation: DataOperation,
        /// The raw path segment(s) between `/keys/` and the action.
        raw_identifier: &'a str,
    },
    /// A data-plane operation of the model this server does not implement.
    DataNotImplemented {
        /// The AWS operation name.
        operation: &'static str,
    },
    /// A control-plane request: `target` is what followed the prefix (checked against the model by the
    /// control plane itself).
    Control {
        /// The operation named by the target.
        operation: &'a str,
    },
    /// A request carrying `X-Amz-Target` that is not a control-plane call (wrong method, path or
    /// prefix).
    ControlMalformed,
    /// Nothing answers to this method and path.
    Unknown,
}

impl Route<'_> {
    /// The operation's name, for logs.
    pub fn operation_name(&self) -> &str {
        match self {
            Route::Data { operation, .. } => operation.name(),
            Route::DataNotImplemented { operation } => operation,
            Route::Control { operation } => operation,
            Route::ControlMalformed | Route::Unknown => "-",
        }
    }
}

/// Route a request by its method, **raw** path (before `?`, undecoded) and `X-Amz-Target` header.
pub fn route<'a>(method: &str, raw_path: &'a str, target: Option<&'a str>) -> Route<'a> {
    if let Some(target) = target {
        return match target.strip_prefix(CONTROL_TARGET_PREFIX) {
            Some(operation) if method == "POST" && raw_path == "/" && !operation.is_empty() => {
                Route::Control { operation }
            }
            _ => Route::ControlMalformed,
        };
    }
    if method != "POST" {
        return Route::Unknown;
    }
    if let Some(rest) = raw_path.strip_prefix("/keys/") {
        // Greedy: the identifier is everything up to the last `/`.
        if let Some((raw_identifier, action)) = rest.rsplit_once('/') {
            let operation = match action {
                "encrypt" => Some(DataOperation::EncryptData),
                "decrypt" => Some(DataOperation::DecryptData),
                "reencrypt" => Some(DataOperation::ReEncryptData),
                _ => None,
            };
            if let Some(operation) = operation
                && !raw_identifier.is_empty()
            {
                return Route::Data {
                    operation,
                    raw_identifier,
                };
            }
        }
        return Route::Unknown;
    }
    DATA_NOT_IMPLEMENTED
        .iter()
        .find(|(path, _)| *path == raw_path)
        .map_or(Route::Unknown, |&(_, operation)| {
            Route::DataNotImplemented { operation }
        })
}

/// Percent-decode a path identifier exactly once, as UTF-8. `None` if the decoded bytes are not UTF-8.
pub fn decode_identifier(raw: &str) -> Option<Cow<'_, str>> {
    percent_decode_str(raw).decode_utf8().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN_PATH: &str = "/keys/arn%3Aaws%3Apayment-cryptography%3Aus-east-1%3A111122223333%3Akey%2Fabcdefghijklmnop/reencrypt";

    #[test]
    fn data_plane_routes_on_the_raw_path() {
        let r = route("POST", ARN_PATH, None);
        let Route::Data {
            operation,
            raw_identifier,
        } = r
        else {
            panic!("{r:?}")
        };
        assert_eq!(operation, DataOperation::ReEncryptData);
        assert_eq!(
            decode_identifier(raw_identifier).as_deref(),
            Some("arn:aws:payment-cryptography:us-east-1:111122223333:key/abcdefghijklmnop")
        );
        // Sent unencoded by a hand-made client: still routed (greedy), and decoding is a no-op.
        let r = route("POST", "/keys/alias/team/bdk-1/encrypt", None);
        assert_eq!(
            r,
            Route::Data {
                operation: DataOperation::EncryptData,
                raw_identifier: "alias/team/bdk-1"
            }
        );
        assert_eq!(
            route("POST", "/keys/alias%2Fx-y_z/decrypt", None),
            Route::Data {
                operation: DataOperation::DecryptData,
                raw_identifier: "alias%2Fx-y_z"
            }
        );
    }

    #[test]
    fn decoded_exactly_once() {
        assert_eq!(
            decode_identifier("alias%252Fx").as_deref(),
            Some("alias%2Fx")
        );
        assert_eq!(
            decode_identifier("not-an-arn%21").as_deref(),
            Some("not-an-arn!")
        );
        assert_eq!(decode_identifier("%FF"), None);
    }

    #[test]
    fn unknown_and_unimplemented() {
        assert_eq!(route("GET", ARN_PATH, None), Route::Unknown);
        assert_eq!(route("POST", "/keys//encrypt", None), Route::Unknown);
        assert_eq!(route("POST", "/keys/x/sign", None), Route::Unknown);
        assert_eq!(route("POST", "/keys/encrypt", None), Route::Unknown);
        assert_eq!(route("POST", "/", None), Route::Unknown);
        assert_eq!(
            route("POST", "/mac/generate", None),
            Route::DataNotImplemented {
                operation: "GenerateMac"
            }
        );
    }

    #[test]
    fn control_plane_by_target() {
        assert_eq!(
            route(
                "POST",
                "/",
                Some("PaymentCryptographyControlPlane.CreateKey")
            ),
            Route::Control {
                operation: "CreateKey"
            }
        );
        assert_eq!(
            route(
                "POST",
                "/x",
                Some("PaymentCryptographyControlPlane.CreateKey")
            ),
            Route::ControlMalformed
        );
        assert_eq!(
            route("POST", "/", Some("Other.CreateKey")),
            Route::ControlMalformed
        );
        assert_eq!(
            route("GET", "/", Some("PaymentCryptographyControlPlane.GetKey")),
            Route::ControlMalformed
        );
    }
}
