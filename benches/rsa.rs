//! RSA-2048/3072/4096: decryption (OAEP-SHA256, PKCS#1 v1.5) and encryption, with the OS RNG for
//! blinding and padding as a caller would. One element = one operation, so criterion's throughput is
//! operations per second. `benches/openssl_rsa.sh` runs this and `openssl speed` and prints the ratio.
//!
//! Two more modes of the same binary, for `benches/rsa_callgrind.sh` and `PERFORMANCE.md`:
//!
//! - `--instructions CASE N [HARDENING]`: run CASE N times and nothing else (no criterion), with a
//!   fixed-seed RNG so that instruction counts under `valgrind --tool=callgrind` repeat exactly. CASE
//!   is `decrypt-oaep256-BITS`, `decrypt-pkcs1-BITS`, `encrypt-oaep256-BITS` or `encrypt-pkcs1-BITS`
//!   (BITS = 2048, 3072, 4096); HARDENING (decryption) is `default`, `none`, `exponent` (exponent
//!   blinding only), `check` (fault check only) or `both`.
//! - `--time CASE SECONDS`: run CASE (as above, with the OS RNG) for SECONDS seconds of wall-clock
//!   time and print the mean microseconds per operation (`benches/openssl_rsa.sh --interleaved`
//!   alternates this with `openssl speed` in short rounds).
//! - `--threads T SECONDS shared|separate`: T threads decrypt (RSA-2048 OAEP-SHA256) for SECONDS
//!   seconds, all with one key (sharing its blinding pair behind its try-lock) or each with its own
//!   copy of the key (a pair per thread); prints operations per second.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use paycrypt::OsRng;
use paycrypt::rand_core::{TryCryptoRng, TryRng};
use paycrypt::rsa::RsaHardening;
use paycrypt::{RsaPadding, RsaPrivateKey, RsaSize};

const SIZES: [RsaSize; 3] = [RsaSize::Rsa2048, RsaSize::Rsa3072, RsaSize::Rsa4096];

fn key(size: RsaSize) -> RsaPrivateKey {
    let path = format!(
        "{}/test-vectors/rsa/generated/rsa{}.pkcs8.pem",
        env!("CARGO_MANIFEST_DIR"),
        size.bits()
    );
    RsaPrivateKey::from_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn rsa(c: &mut Criterion) {
    let msg = [0x5Au8; 32];
    for (name, padding) in [
        ("OAEP_SHA256", RsaPadding::OaepSha256),
        ("PKCS1", RsaPadding::Pkcs1),
    ] {
        let mut decrypt = c.benchmark_group(format!("rsa_decrypt/{name}"));
        decrypt.throughput(Throughput::Elements(1));
        for size in SIZES {
            let private = key(size);
            let ct = private
                .public_key()
                .encrypt(Some(padding), &msg, &mut OsRng)
                .unwrap();
            decrypt.bench_with_input(BenchmarkId::from_parameter(size.bits()), &ct, |b, ct| {
                b.iter(|| private.decrypt(Some(padding), ct, &mut OsRng).unwrap())
            });
        }
        decrypt.finish();

        let mut encrypt = c.benchmark_group(format!("rsa_encrypt/{name}"));
        encrypt.throughput(Throughput::Elements(1));
        for size in SIZES {
            let public = key(size).public_key();
            encrypt.bench_function(BenchmarkId::from_parameter(size.bits()), |b| {
                b.iter(|| public.encrypt(Some(padding), &msg, &mut OsRng).unwrap())
            });
        }
        encrypt.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = rsa
}

/// A counter-based generator: the same bytes on every run, so instruction counts repeat exactly.
struct Fixed(u64);

impl TryRng for Fixed {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.try_next_u64()
            .map(|v| u32::try_from(v & 0xFFFF_FFFF).unwrap())
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        Ok(self.0 ^ (self.0 >> 29))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for c in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
        Ok(())
    }
}
impl TryCryptoRng for Fixed {}

/// `--time CASE SECONDS`.
fn time(case: &str, seconds: f64) {
    let (op, padding, size) = parse(case);
    let private = key(size);
    let public = private.public_key();
    let msg = [0x5Au8; 32];
    let ct = public.encrypt(Some(padding), &msg, &mut OsRng).unwrap();
    // Warm up (the key's first private operation makes its blinding pair).
    black_box(private.decrypt(Some(padding), &ct, &mut OsRng).unwrap());
    let start = Instant::now();
    let mut ops = 0u32;
    while start.elapsed().as_secs_f64() < seconds {
        match op {
            "decrypt" => {
                black_box(
                    private
                        .decrypt(Some(padding), black_box(&ct), &mut OsRng)
                        .unwrap(),
                );
            }
            _ => {
                black_box(
                    public
                        .encrypt(Some(padding), black_box(&msg), &mut OsRng)
                        .unwrap(),
                );
            }
        }
        ops += 1;
    }
    println!(
        "{:.1}",
        start.elapsed().as_secs_f64() * 1e6 / f64::from(ops)
    );
}

fn parse(case: &str) -> (&str, RsaPadding, RsaSize) {
    let (op, rest) = case.split_once('-').expect("CASE is OP-PADDING-BITS");
    let (padding, bits) = rest.rsplit_once('-').expect("CASE is OP-PADDING-BITS");
    let padding = match padding {
        "oaep256" => RsaPadding::OaepSha256,
        "pkcs1" => RsaPadding::Pkcs1,
        _ => panic!("padding: oaep256 or pkcs1"),
    };
    let size = SIZES
        .into_iter()
        .find(|s| s.bits().to_string() == bits)
        .expect("bits: 2048, 3072 or 4096");
    assert!(op == "decrypt" || op == "encrypt", "op: decrypt or encrypt");
    (op, padding, size)
}

/// `--instructions CASE N [HARDENING]`.
fn instructions(case: &str, n: usize, hardening: &str) {
    let (op, padding, size) = parse(case);
    let (exponent_blinding, fault_check) = match hardening {
        "" | "default" => {
            let d = RsaHardening::default();
            (d.exponent_blinding, d.fault_check)
        }
        "none" => (false, false),
        "exponent" => (true, false),
        "check" => (false, true),
        "both" => (true, true),
        _ => panic!("hardening: default, none, exponent, check or both"),
    };
    let private = key(size).with_hardening(RsaHardening {
        exponent_blinding,
        fault_check,
    });
    let public = private.public_key();
    let mut rng = Fixed(1);
    let msg = [0x5Au8; 32];
    let ct = public.encrypt(Some(padding), &msg, &mut rng).unwrap();
    match op {
        "decrypt" => {
            for _ in 0..n {
                black_box(
                    private
                        .decrypt(Some(padding), black_box(&ct), &mut rng)
                        .unwrap(),
                );
            }
        }
        "encrypt" => {
            for _ in 0..n {
                black_box(
                    public
                        .encrypt(Some(padding), black_box(&msg), &mut rng)
                        .unwrap(),
                );
            }
        }
        _ => panic!("op: decrypt or encrypt"),
    }
}

/// `--threads T SECONDS shared|separate`.
fn threads(t: usize, seconds: u64, sharing: &str) {
    let shared = match sharing {
        "shared" => true,
        "separate" => false,
        _ => panic!("shared or separate"),
    };
    let keys: Vec<RsaPrivateKey> = (0..if shared { 1 } else { t })
        .map(|_| key(RsaSize::Rsa2048))
        .collect();
    let padding = Some(RsaPadding::OaepSha256);
    let ct = keys[0]
        .public_key()
        .encrypt(padding, &[0x5A; 32], &mut OsRng)
        .unwrap();
    let until = Instant::now() + Duration::from_secs(seconds);
    let total: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..t)
            .map(|i| {
                let private = &keys[if shared { 0 } else { i }];
                let ct = &ct;
                s.spawn(move || {
                    let mut ops = 0;
                    while Instant::now() < until {
                        black_box(private.decrypt(padding, ct, &mut OsRng).unwrap());
                        ops += 1;
                    }
                    ops
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    #[expect(clippy::cast_precision_loss, reason = "a rate for people to read")]
    let rate = total as f64 / seconds as f64;
    println!(
        "{t} thread(s), {sharing} RSA-2048 key(s): {total} decryptions in {seconds} s, {rate:.0} ops/s"
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    match arg(1) {
        "--instructions" => instructions(arg(2), arg(3).parse().unwrap_or(1), arg(4)),
        "--time" => time(arg(2), arg(3).parse().unwrap_or(1.0)),
        "--threads" => threads(arg(2).parse().unwrap(), arg(3).parse().unwrap_or(5), arg(4)),
        _ => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
