//! One request, start to finish: route, read the body within limits, authenticate, dispatch to the
//! plane, encode the answer, log one line.
//!
//! The order is EMULATOR.md §11.1's: dispatch (so that errors are encoded for the right plane), then
//! SigV4, then the operation. The operation runs under `catch_unwind`: a panic becomes 500
//! `InternalServerException` and the server keeps serving.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use http::request::Parts;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;

use crate::api::{ApiError, Plane, Shape};
use crate::config::Limits;
use crate::control;
use crate::engine::{self, Keys, Strictness};
use crate::route::{self, Route};
use crate::sigv4::{Caller, Verifier};

/// How callers are authenticated.
#[derive(Clone, Debug)]
pub enum Auth {
    /// SigV4, verified.
    Signed(Verifier),
    /// No verification: every caller acts in this account and region.
    Off {
        /// The account.
        account: String,
        /// The region.
        region: String,
    },
}

/// What a server serves and how: keys, authentication, strictness, limits.
#[derive(Debug)]
pub struct App {
    keys: Keys,
    auth: Auth,
    strictness: Strictness,
    limits: Limits,
    /// Slots for RSA operations on the blocking pool: at most two per core at once. An operation
    /// keeps its slot until it ends, even when its client has gone (a dropped connection does not
    /// stop work already handed to the pool), so clients cannot pile up RSA work beyond this.
    rsa_slots: std::sync::Arc<tokio::sync::Semaphore>,
}

/// A failed request: the error, and whether the connection must close (the body was not read).
struct Failure {
    error: ApiError,
    close: bool,
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Failure {
            error,
            close: false,
        }
    }
}

/// What the log line says about a request besides status and latency.
struct LogFields {
    key: String,
}

/// The longest identifier written to the log.
const MAX_LOGGED_KEY: usize = 330;

fn loggable(id: &str) -> String {
    id.chars()
        .take(MAX_LOGGED_KEY)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Random bytes for request ids, drawn from the OS a page at a time (one `getrandom` call per 256
/// requests on a thread, not one per request). Request ids are not secrets; they only must not
/// repeat.
struct IdPool {
    bytes: [u8; 4096],
    used: usize,
}

thread_local! {
    static ID_POOL: std::cell::RefCell<IdPool> = const {
        std::cell::RefCell::new(IdPool { bytes: [0; 4096], used: 4096 })
    };
}

/// 16 fresh random bytes (the clock's when the OS has none to give: never a secret).
fn id_bytes() -> [u8; 16] {
    let from_pool = ID_POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.used + 16 > pool.bytes.len() {
            getrandom::fill(&mut pool.bytes).ok()?;
            pool.used = 0;
        }
        let mut b = [0u8; 16];
        b.copy_from_slice(&pool.bytes[pool.used..pool.used + 16]);
        pool.used += 16;
        Some(b)
    });
    from_pool.unwrap_or_else(|| {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        nanos.to_le_bytes()
    })
}

/// A fresh request id, formatted as a UUID v4.
fn request_id() -> String {
    let mut b = id_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    s
}

fn response(
    status: u16,
    plane: Plane,
    body: Vec<u8>,
    request_id: &str,
    error: Option<Shape>,
    close: bool,
) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(plane.content_type()));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-requestid", v);
    }
    if let Some(shape) = error {
        h.insert("x-amzn-errortype", HeaderValue::from_static(shape.name()));
    }
    if close {
        h.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    r
}

impl App {
    /// An application over these keys.
    pub fn new(keys: Keys, auth: Auth, strictness: Strictness, limits: Limits) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        App {
            keys,
            auth,
            strictness,
            limits,
            rsa_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(2 * cores)),
        }
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The keys served.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Answer one request (never fails: every failure is an AWS error response).
    pub async fn handle(&self, req: hyper::Request<Incoming>) -> Response<Full<Bytes>> {
        let start = Instant::now();
        let request_id = request_id();
        let (parts, body) = req.into_parts();
        let target = parts
            .headers
            .get("x-amz-target")
            .map(|v| v.to_str().unwrap_or("?"));
        let route = route::route(parts.method.as_str(), parts.uri.path(), target);
        let plane = match route {
            Route::Control { .. } | Route::ControlMalformed => Plane::Control,
            _ => Plane::Data,
        };
        let mut log = LogFields { key: "-".into() };
        let outcome = self.process(&parts, body, &route, &mut log).await;
        let (resp, status, error) = match outcome {
            Ok(body) => (
                response(200, plane, body, &request_id, None, false),
                200,
                None,
            ),
            Err(Failure { error, close }) => {
                let status = error.status(plane);
                let body = serde_json::to_vec(&error.body(plane)).unwrap_or_default();
                (
                    response(status, plane, body, &request_id, Some(error.shape), close),
                    status,
                    Some(error.shape.name()),
                )
            }
        };
        tracing::info!(
            request_id = %request_id,
            plane = plane.name(),
            operation = route.operation_name(),
            key = %log.key,
            status,
            error = error.unwrap_or("-"),
            latency_us = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
            "request"
        );
        resp
    }

    async fn process(
        &self,
        parts: &Parts,
        body: Incoming,
        route: &Route<'_>,
        log: &mut LogFields,
    ) -> Result<Vec<u8>, Failure> {
        match route {
            Route::Unknown => {
                return Err(ApiError::new(
                    Shape::UnknownOperation,
                    "No operation answers this method and path",
                )
                .into());
            }
            Route::ControlMalformed => {
                return Err(ApiError::new(
                    Shape::UnknownOperation,
                    "A control-plane request is POST / with X-Amz-Target: \
                     PaymentCryptographyControlPlane.<Operation>",
                )
                .into());
            }
            _ => {}
        }
        let body = self.read_body(parts, body).await?;
        let caller = self.authenticate(parts, &body)?;
        match *route {
            Route::Data {
                operation,
                raw_identifier,
            } => {
                let member = engine::path_member(operation);
                let identifier = route::decode_identifier(raw_identifier).ok_or_else(|| {
                    let mut e = ApiError::new(
                        Shape::Validation,
                        format!("{member}: the path segment is not UTF-8 once percent-decoded"),
                    );
                    e.fields.push(crate::api::Field {
                        path: member.into(),
                        message: "not UTF-8 once percent-decoded".into(),
                    });
                    e
                })?;
                // The log names the key the answer names; a failure, the identifier asked for.
                match self.data(operation, &identifier, &body, &caller).await {
                    Ok(answer) => {
                        log.key = answer.key_arn;
                        Ok(answer.body)
                    }
                    Err(e) => {
                        log.key = loggable(&identifier);
                        Err(e)
                    }
                }
            }
            Route::DataNotImplemented { operation } => Err(ApiError::new(
                Shape::NotImplemented,
                format!(
                    "paycrypt-server does not implement {operation}; its data plane is \
                     EncryptData, DecryptData and ReEncryptData"
                ),
            )
            .into()),
            Route::Control { operation } => {
                // A task of its own: a panic anywhere in it (also after an await) is a JoinError,
                // answered 500, and the server keeps serving.
                let keys = self.keys.clone();
                let operation = operation.to_string();
                let task = tokio::spawn(async move {
                    control::handle(&keys, &operation, &body, &caller).await
                });
                match task.await {
                    Ok(r) => r.map_err(Failure::from),
                    Err(_) => Err(internal().into()),
                }
            }
            Route::ControlMalformed | Route::Unknown => Err(internal().into()),
        }
    }

    /// A data-plane operation: its body as text, prepared (parsed, keys resolved), run.
    async fn data(
        &self,
        operation: route::DataOperation,
        identifier: &str,
        body: &[u8],
        caller: &Caller,
    ) -> Result<engine::DataAnswer, Failure> {
        let text = std::str::from_utf8(body).map_err(|_| {
            ApiError::new(Shape::Serialization, "The request body is not UTF-8 text")
        })?;
        // The look at the keys (prepare, uses_rsa) reads the store: under catch_unwind too.
        let prepare = || {
            engine::prepare(
                &self.keys,
                operation,
                identifier,
                text,
                &caller.account_id,
                &caller.region,
                self.strictness,
            )
            .map(|p| {
                let rsa = p.uses_rsa();
                (p, rsa)
            })
        };
        let (prepared, rsa) = match catch_unwind(AssertUnwindSafe(prepare)) {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => return Err(internal().into()),
        };
        let answer = if rsa {
            // An RSA operation takes milliseconds: on the blocking pool, so that the other
            // connections of this worker thread are served meanwhile. A panic there is a
            // JoinError, answered 500.
            // A slot first (waiting for one ends with the connection, before any work starts).
            let Ok(slot) = self.rsa_slots.clone().acquire_owned().await else {
                return Err(internal().into());
            };
            match tokio::task::spawn_blocking(move || {
                let _slot = slot;
                prepared.run()
            })
            .await
            {
                Ok(r) => r,
                Err(_) => Err(internal()),
            }
        } else {
            // Symmetric and DUKPT operations take microseconds: inline.
            match catch_unwind(AssertUnwindSafe(|| prepared.run())) {
                Ok(r) => r,
                Err(_) => Err(internal()),
            }
        };
        answer.map_err(Failure::from)
    }

    /// The body, refused before it is read whole when it is over the limit.
    async fn read_body(&self, parts: &Parts, body: Incoming) -> Result<Bytes, Failure> {
        let max = self.limits.max_body;
        let too_large = || Failure {
            error: ApiError::new(
                Shape::RequestEntityTooLarge,
                format!("The request body is larger than {max} bytes"),
            ),
            close: true,
        };
        if let Some(len) = parts.headers.get(CONTENT_LENGTH) {
            let len: u64 = len
                .to_str()
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(u64::MAX);
            if usize::try_from(len).map_or(true, |l| l > max) {
                return Err(too_large());
            }
        }
        let read =
            tokio::time::timeout(self.limits.body_timeout, Limited::new(body, max).collect()).await;
        match read {
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
            Ok(Err(_)) => Err(Failure {
                error: ApiError::new(Shape::Serialization, "The request body could not be read"),
                close: true,
            }),
            Err(_) => Err(Failure {
                error: ApiError::new(
                    Shape::RequestTimeout,
                    "The request body did not arrive in time",
                ),
                close: true,
            }),
        }
    }

    fn authenticate(&self, parts: &Parts, body: &[u8]) -> Result<Caller, ApiError> {
        match &self.auth {
            Auth::Signed(verifier) => verifier.verify(
                parts.method.as_str(),
                parts.uri.path_and_query().map_or("/", |p| p.as_str()),
                &parts.headers,
                body,
                SystemTime::now(),
            ),
            Auth::Off { account, region } => Ok(Caller {
                access_key_id: "-".into(),
                account_id: account.clone(),
                region: region.clone(),
            }),
        }
    }
}

fn internal() -> ApiError {
    ApiError::new(
        Shape::InternalServer,
        "The server failed to process the request (an internal fault; it keeps serving)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uuid_v4() {
        let a = request_id();
        let b = request_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn logged_keys_are_capped_and_printable() {
        assert_eq!(loggable("a\nb"), "a?b");
        assert_eq!(loggable(&"x".repeat(1000)).len(), MAX_LOGGED_KEY);
    }
}
