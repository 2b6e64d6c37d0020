//! The control plane (awsJson1_0, `X-Amz-Target: PaymentCryptographyControlPlane.<Operation>`).
//!
//! Not implemented yet (a later issue adds keys, aliases and imports on a durable store): every
//! operation of the model answers a well-formed control-plane `NotImplementedException` (501, not
//! retried by clients), any other target `UnknownOperationException` (400). The request has been
//! routed, its body read and its signature verified before it gets here, so the implementation
//! slots in behind [`handle`] with the same dispatch, authentication and error encoding.

use crate::api::{ApiError, Shape};
use crate::route::CONTROL_OPERATIONS;
use crate::sigv4::Caller;

/// Answer one control-plane request: the JSON response body, or the error.
pub fn handle(operation: &str, _body: &[u8], _caller: &Caller) -> Result<Vec<u8>, ApiError> {
    if CONTROL_OPERATIONS.contains(&operation) {
        Err(ApiError::new(
            Shape::NotImplemented,
            format!(
                "paycrypt-server does not implement the control plane yet ({operation}); \
                 keys come from its key-store file"
            ),
        ))
    } else {
        Err(ApiError::new(
            Shape::UnknownOperation,
            "The X-Amz-Target names no operation of PaymentCryptographyControlPlane",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown() {
        let caller = Caller {
            access_key_id: "-".into(),
            account_id: "111122223333".into(),
            region: "us-east-2".into(),
        };
        assert_eq!(
            handle("CreateKey", b"{}", &caller).unwrap_err().shape,
            Shape::NotImplemented
        );
        assert_eq!(
            handle("Bogus", b"{}", &caller).unwrap_err().shape,
            Shape::UnknownOperation
        );
    }
}
