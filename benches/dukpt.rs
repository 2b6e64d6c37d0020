//! DUKPT derivation cost through `derive_data_key` (what the re-encrypt operation pays per request):
//! TDES (X9.24-1) with 1, 5 and 10 counter bits set, AES (X9.24-3-2017) with an AES-128 and an AES-256
//! BDK and 1, 8 and 16 bits set. Throughput is in derivations per second.
//!
//! The group `dukpt_floor` times the block-cipher operations a derivation is made of (a DES key
//! schedule, a DES block, an AES-128 encrypt-only key schedule, an AES block), so the derivation costs can
//! be read against them: TDES DUKPT with n bits does 2n + 6 DES key schedules and 2n + 12 DES blocks.
//!
//! Run: `cargo bench --bench dukpt`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use paycrypt::dukpt::derive_data_key;
use paycrypt::{DukptKeyVariant, Ksn, SymmetricAlgorithm as Alg, SymmetricKey};

/// The lowest `bits` bits set.
fn counter(bits: u32) -> u32 {
    (1u32 << bits) - 1
}

fn tdes(c: &mut Criterion) {
    let mut g = c.benchmark_group("dukpt_tdes");
    g.throughput(Throughput::Elements(1));
    let bdk = SymmetricKey::from_hex(Alg::Tdes2Key, "0123456789ABCDEFFEDCBA9876543210").unwrap();
    for bits in [1, 5, 10] {
        let ksn = Ksn::from_hex(&format!("FFFF9876543210E{:05X}", counter(bits))).unwrap();
        assert_eq!(ksn.counter().count_ones(), bits);
        g.bench_with_input(BenchmarkId::new("bits", bits), &ksn, |b, ksn| {
            b.iter(|| {
                derive_data_key(
                    black_box(&bdk),
                    black_box(ksn),
                    Some(DukptKeyVariant::Request),
                    None,
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

/// 64 distinct counters with exactly `bits` bits set each (or random over 21 bits when `bits` is 0),
/// one device: the KSNs of one batch pass.
pub fn batch_ksns(bits: u32, n: usize) -> Vec<Ksn> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut out = Vec::new();
    while out.len() < n {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let c = ((x >> 30) & 0x1F_FFFF) as u32;
        if c == 0 || (bits != 0 && c.count_ones() != bits) {
            continue;
        }
        let bytes = [
            0xFF,
            0xFF,
            0x98,
            0x76,
            0x54,
            0x32,
            0x10,
            0xE0 | (c >> 16) as u8,
            (c >> 8) as u8,
            c as u8,
        ];
        out.push(Ksn::from_bytes(&bytes).unwrap());
    }
    out
}

/// `derive_data_keys` on 64 KSNs under one BDK (one bitsliced pass); throughput in keys.
fn tdes_batch(c: &mut Criterion) {
    use paycrypt::dukpt::{DataKeyRequest, derive_data_keys};
    let mut g = c.benchmark_group("dukpt_tdes_batch64");
    g.throughput(Throughput::Elements(64));
    let bdk = SymmetricKey::from_hex(Alg::Tdes2Key, "0123456789ABCDEFFEDCBA9876543210").unwrap();
    for (name, bits) in [("bits_10", 10), ("random_21", 0)] {
        let requests: Vec<DataKeyRequest> = batch_ksns(bits, 64)
            .into_iter()
            .map(|ksn| DataKeyRequest {
                ksn,
                variant: Some(DukptKeyVariant::Request),
                derivation_type: None,
            })
            .collect();
        g.bench_function(name, |b| {
            b.iter(|| {
                derive_data_keys(black_box(&bdk), black_box(&requests), |_, k| {
                    black_box(k.unwrap());
                })
            })
        });
    }
    g.finish();
}

fn aes(c: &mut Criterion) {
    let mut g = c.benchmark_group("dukpt_aes");
    g.throughput(Throughput::Elements(1));
    let ikid = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56];
    for (name, alg) in [("aes128", Alg::Aes128), ("aes256", Alg::Aes256)] {
        let bdk = SymmetricKey::new(alg, &[0xA5; 32][..alg.key_len()]).unwrap();
        for bits in [1, 8, 16] {
            let ksn = Ksn::aes(&ikid, counter(bits)).unwrap();
            g.bench_with_input(BenchmarkId::new(name, bits), &ksn, |b, ksn| {
                b.iter(|| derive_data_key(black_box(&bdk), black_box(ksn), None, None).unwrap())
            });
        }
    }
    g.finish();
}

fn floor(c: &mut Criterion) {
    use aes::cipher::{BlockCipherEncrypt, KeyInit};
    let mut g = c.benchmark_group("dukpt_floor");
    let key8 = [0x5Au8; 8];
    let key16 = [0x5Au8; 16];
    g.bench_function("des_key_schedule", |b| {
        b.iter(|| des::Des::new(black_box(&key8).into()))
    });
    let des = des::Des::new((&key8).into());
    let mut block8 = [0u8; 8];
    g.bench_function("des_block", |b| {
        b.iter(|| des.encrypt_block(black_box(&mut block8).into()))
    });
    g.bench_function("aes128_enc_key_schedule", |b| {
        b.iter(|| aes::Aes128Enc::new(black_box(&key16).into()))
    });
    let aes = aes::Aes128Enc::new((&key16).into());
    let mut block16 = [0u8; 16];
    g.bench_function("aes128_block", |b| {
        b.iter(|| aes.encrypt_block(black_box(&mut block16).into()))
    });
    g.finish();
}

criterion_group!(benches, tdes, tdes_batch, aes, floor);
criterion_main!(benches);
