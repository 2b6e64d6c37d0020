//! `paycrypt-loadgen`: a load generator for paycrypt-server. Signed `ReEncryptData` requests (SigV4 by
//! the `aws-sigv4` crate, as the server verifies them) over keep-alive HTTP/1.1 connections; every
//! answer is checked against the expected ciphertext. Reports requests/s and latency percentiles, and
//! optionally the server's resident memory as the run goes.
//!
//! ```text
//! paycrypt-loadgen --endpoint http://127.0.0.1:7420 [--case aes-dukpt|tdes-dukpt|create-key|get-key|list-keys]
//!                  [--connections 64] [--requests N | --seconds S] [--rate REQ_PER_S] [--threads 1]
//!                  [--server-pid PID] [--preload N]
//! ```
//!
//! The control-plane cases: `create-key` (a new AES-128 key per request; every answer must be a 200
//! naming a new key), `get-key` (one key, the same answer every time), `list-keys` (the first page of
//! 100, the same answer every time). `--preload N` first creates N AES-128 keys (over all connections),
//! to measure any case with that many keys stored.
//!
//! With `--rate`, each connection sends on a fixed schedule and latency is measured from the scheduled
//! time (a slow answer delays the next send, and that delay counts). Without it, each connection sends
//! its next request as soon as the previous answer arrived.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpStream;

/// The allocator: mimalloc (thread-local caches; glibc's malloc fragments with a large key index and
/// costs more per request, PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Options {
    host: String,
    case: String,
    connections: usize,
    requests: Option<u64>,
    seconds: Option<u64>,
    rate: Option<f64>,
    threads: usize,
    server_pid: Option<u32>,
    preload: u64,
    access_key: String,
    secret: String,
    region: String,
}

fn usage() -> ! {
    eprintln!(
        "usage: paycrypt-loadgen --endpoint http://HOST:PORT \
         [--case aes-dukpt|tdes-dukpt|create-key|get-key|list-keys] [--connections N] \
         [--requests N | --seconds S] [--rate R] [--threads N] [--server-pid PID] [--preload N] \
         [--access-key test] [--secret test] [--region us-east-2]"
    );
    std::process::exit(2)
}

fn parse() -> Options {
    let mut o = Options {
        host: String::new(),
        case: "aes-dukpt".into(),
        connections: 64,
        requests: None,
        seconds: None,
        rate: None,
        threads: 1,
        server_pid: None,
        preload: 0,
        access_key: "test".into(),
        secret: "test".into(),
        region: "us-east-2".into(),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut v = || it.next().cloned().unwrap_or_else(|| usage());
        match a.as_str() {
            "--endpoint" => {
                o.host = v()
                    .strip_prefix("http://")
                    .map(|h| h.trim_end_matches('/').to_string())
                    .unwrap_or_else(|| usage());
            }
            "--case" => o.case = v(),
            "--connections" => o.connections = v().parse().unwrap_or_else(|_| usage()),
            "--requests" => o.requests = Some(v().parse().unwrap_or_else(|_| usage())),
            "--seconds" => o.seconds = Some(v().parse().unwrap_or_else(|_| usage())),
            "--rate" => {
                let r: f64 = v().parse().unwrap_or_else(|_| usage());
                if !(r.is_finite() && r > 0.0) {
                    usage();
                }
                o.rate = Some(r);
            }
            "--threads" => o.threads = v().parse().unwrap_or_else(|_| usage()),
            "--server-pid" => o.server_pid = Some(v().parse().unwrap_or_else(|_| usage())),
            "--preload" => o.preload = v().parse().unwrap_or_else(|_| usage()),
            "--access-key" => o.access_key = v(),
            "--secret" => o.secret = v(),
            "--region" => o.region = v(),
            _ => usage(),
        }
    }
    if o.host.is_empty() || o.connections == 0 || o.threads == 0 {
        usage();
    }
    if o.requests.is_none() && o.seconds.is_none() {
        o.seconds = Some(10);
    }
    o
}

/// A signer for one credential and region.
struct Signer {
    identity: Identity,
    region: String,
    host: String,
}

impl Signer {
    /// A signed `POST path` request with a JSON body, as botocore signs it
    /// (`content-type;host;x-amz-date`).
    fn request(&self, path: &str, body: Bytes) -> http::Request<Full<Bytes>> {
        let hash = body_sha256(&body);
        self.signed(path, "application/json", None, body, hash)
    }

    /// A signed control-plane request (`POST /`, awsJson1_0, `X-Amz-Target` signed).
    fn control(&self, operation: &str, body: Bytes) -> http::Request<Full<Bytes>> {
        let hash = body_sha256(&body);
        let target = format!("PaymentCryptographyControlPlane.{operation}");
        self.signed("/", "application/x-amz-json-1.0", Some(&target), body, hash)
    }

    fn signed(
        &self,
        path: &str,
        content_type: &str,
        target: Option<&str>,
        body: Bytes,
        body_sha256: String,
    ) -> http::Request<Full<Bytes>> {
        let settings = SigningSettings::default();
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name("payment-cryptography")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .unwrap_or_else(|e| fail(&format!("signing parameters: {e}")))
            .into();
        let mut headers = vec![("host", self.host.as_str()), ("content-type", content_type)];
        if let Some(t) = target {
            headers.push(("x-amz-target", t));
        }
        let signable = SignableRequest::new(
            "POST",
            path,
            headers.iter().copied(),
            SignableBody::Precomputed(body_sha256),
        )
        .unwrap_or_else(|e| fail(&format!("signable request: {e}")));
        let (instructions, _) = sign(signable, &params)
            .unwrap_or_else(|e| fail(&format!("signing: {e}")))
            .into_parts();
        let mut builder = http::Request::builder().method("POST").uri(path);
        for (name, value) in &headers {
            builder = builder.header(*name, *value);
        }
        let mut req = builder
            .body(Full::new(body))
            .unwrap_or_else(|e| fail(&format!("request: {e}")));
        instructions.apply_to_request_http1x(&mut req);
        req
    }
}

/// The lower-case hex SHA-256 of a body (the payload hash SigV4 signs).
fn body_sha256(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    s
}

/// Waits until `due`, to within a few microseconds. tokio's timer wheel has a resolution of 1 ms: a
/// send scheduled by it alone fires up to 1 ms late, and the sends due in the same millisecond fire
/// together, which the latency (counted from the schedule) would blame on the server. So: sleep on
/// the timer until about 1 ms before, then yield to the other tasks until the time has come (the
/// generator's thread spins for that last millisecond; its CPU figure includes it).
async fn pace_until(due: Instant) {
    let early = Duration::from_millis(1);
    if due.saturating_duration_since(Instant::now()) > early + early / 2 {
        tokio::time::sleep_until((due - early).into()).await;
    }
    while Instant::now() < due {
        tokio::task::yield_now().await;
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("paycrypt-loadgen: {msg}");
    std::process::exit(1)
}

async fn connect(host: &str) -> http1::SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(host)
        .await
        .unwrap_or_else(|e| fail(&format!("connect {host}: {e}")));
    let _ = stream.set_nodelay(true);
    let (sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .unwrap_or_else(|e| fail(&format!("handshake: {e}")));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    sender
}

async fn call(
    sender: &mut http1::SendRequest<Full<Bytes>>,
    req: http::Request<Full<Bytes>>,
) -> Result<(u16, Bytes), String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

/// User + system CPU time of a process in seconds (`/proc/PID/stat`, 100 ticks per second).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

struct Case {
    path: String,
    /// The control-plane operation, for a control-plane case.
    operation: Option<&'static str>,
    body: Bytes,
    /// The body's SHA-256 (hex), computed once: the body is the same for every request (each
    /// request is still signed afresh, with its own time).
    body_sha256: String,
    /// The answer every request must get; `None`: a 200 naming a new key (CreateKey).
    expected: Option<Bytes>,
}

impl Case {
    fn request(&self, signer: &Signer) -> http::Request<Full<Bytes>> {
        match self.operation {
            Some(op) => {
                let target = format!("PaymentCryptographyControlPlane.{op}");
                signer.signed(
                    "/",
                    "application/x-amz-json-1.0",
                    Some(&target),
                    self.body.clone(),
                    self.body_sha256.clone(),
                )
            }
            None => signer.signed(
                &self.path,
                "application/json",
                None,
                self.body.clone(),
                self.body_sha256.clone(),
            ),
        }
    }

    fn accepts(&self, status: u16, body: &[u8]) -> bool {
        status == 200
            && match &self.expected {
                Some(e) => body == e.as_ref(),
                None => body.windows(8).any(|w| w == b"\"KeyArn\""),
            }
    }
}

/// The body of a CreateKey of an AES-128 data key.
fn create_key_body() -> Bytes {
    Bytes::from(
        json!({"KeyAttributes": {"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
            "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "AES_128",
            "KeyModesOfUse": {"Encrypt": true, "Decrypt": true, "Wrap": true, "Unwrap": true}},
            "Exportable": false})
        .to_string(),
    )
}

/// One control-plane call that must answer 200; its body.
async fn control_ok(
    sender: &mut http1::SendRequest<Full<Bytes>>,
    signer: &Signer,
    operation: &str,
    body: Bytes,
) -> Bytes {
    let (status, answer) = call(sender, signer.control(operation, body))
        .await
        .unwrap_or_else(|e| fail(&e));
    if status != 200 {
        fail(&format!(
            "setup {operation}: {status} {}",
            String::from_utf8_lossy(&answer)
        ));
    }
    answer
}

/// Create `n` AES keys over `connections` connections.
async fn preload(o: &Options, signer: &Arc<Signer>) {
    let started = Instant::now();
    let per = o.preload.div_ceil(o.connections as u64);
    let mut tasks = Vec::new();
    for c in 0..o.connections as u64 {
        let count = per.min(o.preload.saturating_sub(c * per));
        let (signer, host) = (signer.clone(), o.host.clone());
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(&host).await;
            for _ in 0..count {
                control_ok(&mut sender, &signer, "CreateKey", create_key_body()).await;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    eprintln!(
        "paycrypt-loadgen: preloaded {} keys in {:.1} s",
        o.preload,
        started.elapsed().as_secs_f64()
    );
}

/// Build the case: encrypt a 16-byte plaintext under DUKPT through the server, then one re-encryption
/// whose answer every later one must equal.
async fn setup(o: &Options, signer: &Signer) -> Case {
    match o.case.as_str() {
        "create-key" => {
            return Case {
                path: "/".into(),
                operation: Some("CreateKey"),
                body_sha256: body_sha256(&create_key_body()),
                body: create_key_body(),
                expected: None,
            };
        }
        "get-key" | "list-keys" => {
            let mut sender = connect(&o.host).await;
            let created = control_ok(&mut sender, signer, "CreateKey", create_key_body()).await;
            let v: Value =
                serde_json::from_slice(&created).unwrap_or_else(|e| fail(&e.to_string()));
            let (operation, body) = if o.case == "get-key" {
                (
                    "GetKey",
                    json!({"KeyIdentifier": v["Key"]["KeyArn"]}).to_string(),
                )
            } else {
                ("ListKeys", json!({"MaxResults": 100}).to_string())
            };
            let body = Bytes::from(body);
            let expected = control_ok(&mut sender, signer, operation, body.clone()).await;
            return Case {
                path: "/".into(),
                operation: Some(operation),
                body_sha256: body_sha256(&body),
                body,
                expected: Some(expected),
            };
        }
        _ => {}
    }
    let (bdk, ksn, derivation) = match o.case.as_str() {
        "aes-dukpt" => (
            "alias/demo-aes-bdk",
            "123456789012345600000001",
            Some("AES_128"),
        ),
        "tdes-dukpt" => ("alias/demo-tdes-bdk", "FFFF9876543210E00001", None),
        _ => usage(),
    };
    let mut dukpt = json!({"KeySerialNumber": ksn, "Mode": "CBC"});
    if let Some(d) = derivation {
        dukpt["DukptKeyDerivationType"] = json!(d);
    }
    let encoded_bdk = bdk.replace('/', "%2F");
    let mut sender = connect(&o.host).await;
    let encrypt = json!({"PlainText": "34313131313131313131313131313131",
                         "EncryptionAttributes": {"Dukpt": dukpt}});
    let (status, body) = call(
        &mut sender,
        signer.request(
            &format!("/keys/{encoded_bdk}/encrypt"),
            Bytes::from(encrypt.to_string()),
        ),
    )
    .await
    .unwrap_or_else(|e| fail(&e));
    if status != 200 {
        fail(&format!(
            "setup EncryptData: {status} {}",
            String::from_utf8_lossy(&body)
        ));
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or_else(|e| fail(&e.to_string()));
    let request = json!({
        "OutgoingKeyIdentifier": "alias/demo-aes-key",
        "CipherText": v["CipherText"],
        "IncomingEncryptionAttributes": {"Dukpt": dukpt},
        "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "CBC",
            "InitializationVector": "000102030405060708090A0B0C0D0E0F"}},
    });
    let path = format!("/keys/{encoded_bdk}/reencrypt");
    let body = Bytes::from(request.to_string());
    let (status, expected) = call(&mut sender, signer.request(&path, body.clone()))
        .await
        .unwrap_or_else(|e| fail(&e));
    if status != 200 {
        fail(&format!(
            "setup ReEncryptData: {status} {}",
            String::from_utf8_lossy(&expected)
        ));
    }
    Case {
        path,
        operation: None,
        body_sha256: body_sha256(&body),
        body,
        expected: Some(expected),
    }
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn main() {
    let o = parse();
    // One thread: a current-thread runtime (no cross-thread wake-ups); more: the work-stealing one.
    let mut builder = if o.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(o.threads);
        b
    };
    let runtime = builder
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&e.to_string()));
    runtime.block_on(run(o));
}

async fn run(o: Options) {
    let signer = Arc::new(Signer {
        identity: Credentials::new(&o.access_key, &o.secret, None, None, "loadgen").into(),
        region: o.region.clone(),
        host: o.host.clone(),
    });
    if o.preload > 0 {
        preload(&o, &signer).await;
    }
    let case = Arc::new(setup(&o, &signer).await);
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let per_conn = o.requests.map(|n| n.div_ceil(o.connections as u64));
    let deadline = o.seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let interval = o
        .rate
        .map(|r| Duration::from_secs_f64(o.connections as f64 / r));

    let rss_start = o.server_pid.and_then(rss_kib);
    let monitor = o.server_pid.map(|pid| {
        let done = done.clone();
        tokio::spawn(async move {
            let mut samples = Vec::new();
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                let n = done.load(Ordering::Relaxed);
                let rss = rss_kib(pid).unwrap_or(0);
                eprintln!("paycrypt-loadgen: {n} requests, server RSS {rss} KiB");
                samples.push((n, rss));
            }
        })
    });

    let server_cpu_start = o.server_pid.and_then(|p| cpu_seconds(&p.to_string()));
    let own_cpu_start = cpu_seconds("self");
    let start = Instant::now();
    let mut tasks = Vec::new();
    let nconn = o.connections;
    for c in 0..nconn {
        let (case, signer, done, errors, host) = (
            case.clone(),
            signer.clone(),
            done.clone(),
            errors.clone(),
            o.host.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(&host).await;
            let mut latencies: Vec<u32> = Vec::with_capacity(per_conn.unwrap_or(1 << 16) as usize);
            // With a rate: this connection's schedule, spread over one interval among the
            // connections; a send that falls behind is sent at once (and its latency still counts
            // from its scheduled time).
            let mut next = interval.map(|i| Instant::now() + i.mul_f64(c as f64 / nconn as f64));
            let mut sent = 0u64;
            loop {
                if per_conn.is_some_and(|n| sent >= n)
                    || deadline.is_some_and(|d| Instant::now() >= d)
                {
                    break;
                }
                let t0 = match (next.as_mut(), interval) {
                    (Some(due), Some(i)) => {
                        let t = *due;
                        if deadline.is_some_and(|d| t >= d) {
                            break;
                        }
                        *due += i;
                        pace_until(t).await;
                        t
                    }
                    _ => Instant::now(),
                };
                let req = case.request(&signer);
                match call(&mut sender, req).await {
                    Ok((status, body)) if case.accepts(status, &body) => {}
                    Ok((status, body)) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        if errors.load(Ordering::Relaxed) < 5 {
                            eprintln!(
                                "paycrypt-loadgen: unexpected answer {status}: {}",
                                String::from_utf8_lossy(&body)
                            );
                        }
                    }
                    Err(e) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("paycrypt-loadgen: connection error: {e}");
                        sender = connect(&host).await;
                    }
                }
                let us = u32::try_from(t0.elapsed().as_micros()).unwrap_or(u32::MAX);
                latencies.push(us);
                sent += 1;
                done.fetch_add(1, Ordering::Relaxed);
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    let elapsed = start.elapsed().as_secs_f64();
    if let Some(m) = monitor {
        m.abort();
    }
    all.sort_unstable();
    let n = all.len();
    let errors = errors.load(Ordering::Relaxed);
    let rss_end = o.server_pid.and_then(rss_kib);
    let per_request = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if n > 0 => format!("{:.1}", (b - a) * 1e6 / n as f64),
        _ => "-".to_string(),
    };
    let cpu = format!(
        " server_cpu_us_per_req={} loadgen_cpu_us_per_req={}",
        per_request(
            server_cpu_start,
            o.server_pid.and_then(|p| cpu_seconds(&p.to_string()))
        ),
        per_request(own_cpu_start, cpu_seconds("self"))
    );
    println!(
        "case={} connections={} rate={} requests={} errors={} seconds={:.2} req_per_s={:.0} p50_us={} p90_us={} p99_us={} p999_us={} max_us={}{}{}",
        o.case,
        o.connections,
        o.rate.map_or("max".to_string(), |r| format!("{r:.0}")),
        n,
        errors,
        elapsed,
        n as f64 / elapsed,
        percentile(&all, 50.0),
        percentile(&all, 90.0),
        percentile(&all, 99.0),
        percentile(&all, 99.9),
        all.last().copied().unwrap_or(0),
        match (rss_start, rss_end) {
            (Some(a), Some(b)) => format!(" server_rss_kib_start={a} server_rss_kib_end={b}"),
            _ => String::new(),
        },
        cpu
    );
    if errors > 0 {
        std::process::exit(1);
    }
}
