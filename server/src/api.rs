//! The service's error shapes and how each plane puts them on the wire.
//!
//! AWS Payment Cryptography has two planes behind one signing name: the data plane speaks rest-json,
//! the control plane awsJson1_0. They encode the same error differently (EMULATOR.md §3.5, §4.3, §11.5):
//! the status differs (the control plane answers 400 for every client error) and so does the casing of
//! the message member. Both get the `x-amzn-ErrorType` header *and* the body's `__type` (botocore reads
//! the header on the data plane and only `__type` on the control plane).

use serde_json::{Map, Value, json};

/// Which protocol a request was routed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Plane {
    /// `payment-cryptography-data`: rest-json, routed by path.
    Data,
    /// `payment-cryptography`: awsJson1_0, routed by `X-Amz-Target`.
    Control,
}

impl Plane {
    /// The response `Content-Type` of this plane.
    pub const fn content_type(self) -> &'static str {
        match self {
            Plane::Data => "application/json",
            Plane::Control => "application/x-amz-json-1.0",
        }
    }

    /// A short name for logs.
    pub const fn name(self) -> &'static str {
        match self {
            Plane::Data => "data",
            Plane::Control => "control",
        }
    }
}

/// An error shape (the AWS error code).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `ValidationException`.
    Validation,
    /// `AccessDeniedException`.
    AccessDenied,
    /// `ResourceNotFoundException`.
    ResourceNotFound,
    /// `ThrottlingException`.
    Throttling,
    /// `ConflictException`: the request conflicts with the state of a resource (control plane).
    Conflict,
    /// `InternalServerException`.
    InternalServer,
    /// `NotImplementedException` (emulator-only: an operation this server does not implement).
    NotImplemented,
    /// `UnknownOperationException`: no route, or an unknown control-plane target.
    UnknownOperation,
    /// `SerializationException`: a body that is not text.
    Serialization,
    /// `RequestEntityTooLargeException`: a body over the server's limit.
    RequestEntityTooLarge,
    /// `RequestTimeoutException`: a body that did not arrive in time.
    RequestTimeout,
    /// `MissingAuthenticationTokenException`: no `Authorization` header.
    MissingAuthenticationToken,
    /// `IncompleteSignatureException`: a malformed `Authorization` header or signature inputs.
    IncompleteSignature,
    /// `UnrecognizedClientException`: an unknown access key id or session token.
    UnrecognizedClient,
    /// `InvalidSignatureException`: a wrong or expired signature.
    InvalidSignature,
}

impl Shape {
    /// The AWS error code.
    pub const fn name(self) -> &'static str {
        match self {
            Shape::Validation => "ValidationException",
            Shape::AccessDenied => "AccessDeniedException",
            Shape::ResourceNotFound => "ResourceNotFoundException",
            Shape::Throttling => "ThrottlingException",
            Shape::Conflict => "ConflictException",
            Shape::InternalServer => "InternalServerException",
            Shape::NotImplemented => "NotImplementedException",
            Shape::UnknownOperation => "UnknownOperationException",
            Shape::Serialization => "SerializationException",
            Shape::RequestEntityTooLarge => "RequestEntityTooLargeException",
            Shape::RequestTimeout => "RequestTimeoutException",
            Shape::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Shape::IncompleteSignature => "IncompleteSignatureException",
            Shape::UnrecognizedClient => "UnrecognizedClientException",
            Shape::InvalidSignature => "InvalidSignatureException",
        }
    }

    /// The HTTP status of this shape on `plane` (EMULATOR.md §11.5).
    pub const fn status(self, plane: Plane) -> u16 {
        match (self, plane) {
            (Shape::InternalServer, _) => 500,
            (Shape::NotImplemented, _) => 501,
            (Shape::RequestEntityTooLarge, _) => 413,
            (Shape::RequestTimeout, _) => 408,
            (_, Plane::Control) => 400,
            (Shape::AccessDenied, Plane::Data)
            | (Shape::MissingAuthenticationToken, Plane::Data)
            | (Shape::IncompleteSignature, Plane::Data)
            | (Shape::UnrecognizedClient, Plane::Data)
            | (Shape::InvalidSignature, Plane::Data) => 403,
            (Shape::ResourceNotFound, Plane::Data) | (Shape::UnknownOperation, Plane::Data) => 404,
            (Shape::Throttling, Plane::Data) => 429,
            (Shape::Conflict, Plane::Data) => 409,
            (Shape::Validation, Plane::Data) | (Shape::Serialization, Plane::Data) => 400,
        }
    }

    /// Whether the model spells this shape's message `Message` (upper case) on `plane`; the others use
    /// `message`.
    const fn capital_message(self, plane: Plane) -> bool {
        match self {
            Shape::Validation => matches!(plane, Plane::Control),
            Shape::AccessDenied | Shape::Throttling | Shape::InternalServer | Shape::Conflict => {
                true
            }
            _ => false,
        }
    }
}

/// One `{path, message}` entry of a data-plane `ValidationException`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The member at fault.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

/// An error answer, independent of the plane it is sent on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The shape.
    pub shape: Shape,
    /// The message.
    pub message: String,
    /// `fieldList` (data-plane `ValidationException` only).
    pub fields: Vec<Field>,
    /// `ResourceId` (`ResourceNotFoundException` only).
    pub resource_id: Option<String>,
}

impl ApiError {
    /// An error with a message and no other members.
    pub fn new(shape: Shape, message: impl Into<String>) -> Self {
        ApiError {
            shape,
            message: message.into(),
            fields: Vec::new(),
            resource_id: None,
        }
    }

    /// The status on `plane`.
    pub fn status(&self, plane: Plane) -> u16 {
        self.shape.status(plane)
    }

    /// The JSON body on `plane`: `__type`, the shape's members in the model's casing, and a message
    /// (also for `ResourceNotFoundException`, whose model has none, so that clients print one).
    pub fn body(&self, plane: Plane) -> Value {
        let mut body = Map::new();
        body.insert("__type".into(), json!(self.shape.name()));
        let message_member = if self.shape.capital_message(plane) {
            "Message"
        } else {
            "message"
        };
        body.insert(message_member.into(), json!(self.message));
        if self.shape == Shape::Validation && plane == Plane::Data {
            let list: Vec<Value> = self
                .fields
                .iter()
                .map(|f| json!({"path": f.path, "message": f.message}))
                .collect();
            body.insert("fieldList".into(), Value::Array(list));
        }
        if let Some(id) = &self.resource_id {
            body.insert("ResourceId".into(), json!(id));
        }
        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_per_plane() {
        use Shape::*;
        let data = [
            (Validation, 400),
            (AccessDenied, 403),
            (ResourceNotFound, 404),
            (Throttling, 429),
            (InternalServer, 500),
            (NotImplemented, 501),
            (UnknownOperation, 404),
            (InvalidSignature, 403),
            (UnrecognizedClient, 403),
            (IncompleteSignature, 403),
            (MissingAuthenticationToken, 403),
        ];
        for (shape, status) in data {
            assert_eq!(shape.status(Plane::Data), status, "{shape:?}");
        }
        let control = [
            (Validation, 400),
            (AccessDenied, 400),
            (ResourceNotFound, 400),
            (InternalServer, 500),
            (NotImplemented, 501),
            (UnknownOperation, 400),
            (Conflict, 400),
            (InvalidSignature, 400),
        ];
        for (shape, status) in control {
            assert_eq!(shape.status(Plane::Control), status, "{shape:?}");
        }
    }

    #[test]
    fn bodies_in_model_casing() {
        let mut v = ApiError::new(Shape::Validation, "1 validation error");
        v.fields.push(Field {
            path: "CipherText".into(),
            message: "bad".into(),
        });
        assert_eq!(
            v.body(Plane::Data),
            json!({"__type": "ValidationException", "message": "1 validation error",
                   "fieldList": [{"path": "CipherText", "message": "bad"}]})
        );
        assert_eq!(
            v.body(Plane::Control),
            json!({"__type": "ValidationException", "Message": "1 validation error"})
        );
        let mut nf = ApiError::new(Shape::ResourceNotFound, "Key alias/x not found");
        nf.resource_id = Some("alias/x".into());
        assert_eq!(
            nf.body(Plane::Data),
            json!({"__type": "ResourceNotFoundException", "message": "Key alias/x not found",
                   "ResourceId": "alias/x"})
        );
        assert_eq!(
            ApiError::new(Shape::AccessDenied, "no").body(Plane::Data),
            json!({"__type": "AccessDeniedException", "Message": "no"})
        );
    }
}
