//! TR-31 unwrap (`tr31::unwrap`: parse, KDF, CBC decrypt, CMAC, constant-time compare) of published
//! blocks, version B (TDES-2 and TDES-3 KBPK) and D (AES-128 and AES-256 KBPK), and wrap of the same
//! header and key; `tr31_kdf` times the KBEK/KBAK derivation alone (half or more of an unwrap).
//! Throughput is in blocks per second. The anchor for the ratios in PERFORMANCE.md is psec 1.3.0 on the
//! same blocks (`benches/tr31_psec.py`, same sitting).
//!
//! Run: `cargo bench --bench tr31`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::convert::Infallible;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use paycrypt::rand_core::{TryCryptoRng, TryRng};
use paycrypt::tr31::{self, KeyBlock, KeyLengthMask, Versions};
use paycrypt::{SymmetricAlgorithm as Alg, SymmetricKey};

/// (name, KBPK algorithm, KBPK, block): vectors of `test-vectors/tr31/tr31_unwrap_vectors.json`.
pub const CASES: &[(&str, Alg, &str, &str)] = &[
    // TR31_2018_A.7.2.2: P0/T, 2-key TDES key.
    (
        "B_tdes2",
        Alg::Tdes2Key,
        "DD7515F2BFC17F85CE48F3CA25CB21F6",
        "B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E",
    ),
    // CHHIL_B_TDES3KBPK_TDES3KEY: P0/T, 3-key TDES key.
    (
        "B_tdes3",
        Alg::Tdes3Key,
        "F039121BEC83D26B169BDCD5B22AAF8FF039121BEC83D26B",
        "B0096P0TB00E0000362D6B7B5D73969D3560CB6EE142206A34C9A0D5736619868843D35054F36B11C1BFFAA30E1EFB5D",
    ),
    // MOOV_APPLE_PROXIMITY_D0AD: D0/A/D, AES-128 key.
    (
        "D_aes128",
        Alg::Aes128,
        "000102030405060708090A0B0C0D0E0F",
        "D0112D0AD00E00009ef4ff063d9757987d1768a1e317a6530de7d8ac81972c19a3659afb28e8d35f48aaa5b0f124e73893163e9a020ae5f3",
    ),
    // PAYSHIELD10K_D0_AES256_in_D: D0/A/N, AES-256 key.
    (
        "D_aes256",
        Alg::Aes256,
        "4141414141414141414141414141414141414141414141414141414141414141",
        "D0144D0AN00N0000127862F945C2DED04530FAF7CDBC8B0BA10C7AA79BD5E0C2C5D6AC173BF588E4B19ACF1357178D50EA0AB193228E13958304FC6149632DFDCADF3A5B3D57E814",
    ),
];

struct Zeros;

impl TryRng for Zeros {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        dst.fill(0);
        Ok(())
    }
}

impl TryCryptoRng for Zeros {}

fn unwrap(c: &mut Criterion) {
    let mut g = c.benchmark_group("tr31_unwrap");
    g.throughput(Throughput::Elements(1));
    for &(name, alg, kbpk, block) in CASES {
        let kbpk = SymmetricKey::from_hex(alg, kbpk).unwrap();
        let mut buf = [0u8; 64];
        // Checked once: the block unwraps.
        assert!(
            tr31::unwrap(block, &kbpk, Versions::Current, &mut buf).is_ok(),
            "{name}"
        );
        g.bench_with_input(BenchmarkId::from_parameter(name), block, |b, block| {
            b.iter(|| {
                let u = tr31::unwrap(black_box(block), &kbpk, Versions::Current, &mut buf).unwrap();
                black_box(u.key()[0])
            })
        });
    }
    g.finish();
}

fn wrap(c: &mut Criterion) {
    let mut g = c.benchmark_group("tr31_wrap");
    g.throughput(Throughput::Elements(1));
    for &(name, alg, kbpk, block) in CASES {
        let kbpk = SymmetricKey::from_hex(alg, kbpk).unwrap();
        let parsed = KeyBlock::parse(block, Versions::Current).unwrap();
        let header = *parsed.header();
        let mut buf = [0u8; 64];
        let key = tr31::unwrap(block, &kbpk, Versions::Current, &mut buf)
            .unwrap()
            .key()
            .to_vec();
        let mut out = vec![0u8; block.len()];
        let mask = KeyLengthMask::Bytes(parsed.payload_len() - 2);
        g.bench_with_input(BenchmarkId::from_parameter(name), &key, |b, key| {
            b.iter(|| {
                let s =
                    tr31::wrap(&kbpk, black_box(&header), key, mask, &mut Zeros, &mut out).unwrap();
                black_box(s.len())
            })
        });
    }
    g.finish();
}

fn kdf(c: &mut Criterion) {
    let mut g = c.benchmark_group("tr31_kdf");
    g.throughput(Throughput::Elements(1));
    for &(name, alg, kbpk, _) in CASES {
        let kbpk = SymmetricKey::from_hex(alg, kbpk).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| tr31::derive_keys(black_box(&kbpk), tr31::Binding::Derivation).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, unwrap, wrap, kdf);
criterion_main!(benches);
