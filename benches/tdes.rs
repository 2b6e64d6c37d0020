//! The constant-time TDES cores against each other and against the `des` crate (table S-boxes, not
//! constant time), per block and per 64 blocks, and the key schedule.
//!
//! `cargo bench --bench tdes`. Groups: `tdes_block/<impl>` (one TDES-3 block, the serial path),
//! `tdes_64/<impl>` (64 blocks in one `encrypt_blocks` call: one bitsliced pass for paycrypt),
//! `tdes_tail/<n>` (n < 64 blocks: a partly filled bitsliced pass against n single blocks, to choose
//! `paycrypt::tdes::BITSLICED_TAIL`), `des_key_schedule/<impl>`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use cipher::{Block, BlockCipherEncrypt, KeyInit};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const KEY: [u8; 24] = [
    0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x01,
    0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23,
];

fn blocks(n: usize) -> Vec<Block<paycrypt::tdes::TdesEde3>> {
    (0..n as u64)
        .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_be_bytes().into())
        .collect()
}

fn tdes(c: &mut Criterion) {
    let ours = paycrypt::tdes::TdesEde3::new((&KEY).into());
    let theirs = des::TdesEde3::new((&KEY).into());

    let mut g = c.benchmark_group("tdes_block");
    g.throughput(Throughput::Bytes(8));
    let mut b1 = blocks(1);
    g.bench_function("paycrypt_one_block_core", |b| {
        b.iter(|| ours.encrypt_block(black_box(&mut b1[0])))
    });
    g.bench_function("des_crate", |b| {
        b.iter(|| theirs.encrypt_block(black_box(&mut b1[0])))
    });
    g.finish();

    let mut g = c.benchmark_group("tdes_64");
    g.throughput(Throughput::Bytes(64 * 8));
    let mut b64 = blocks(64);
    g.bench_function("paycrypt_bitsliced", |b| {
        b.iter(|| ours.encrypt_blocks(black_box(&mut b64)))
    });
    g.bench_function("des_crate", |b| {
        b.iter(|| theirs.encrypt_blocks(black_box(&mut b64)))
    });
    g.finish();

    // A tail of n blocks: ecb hands it to `encrypt_tail_blocks`, which takes a bitsliced pass from
    // BITSLICED_TAIL blocks on. Compare n single blocks with one pass at each n.
    let mut g = c.benchmark_group("tdes_tail");
    for n in [2usize, 4, 6, 8, 12] {
        let mut bn = blocks(n);
        g.bench_with_input(BenchmarkId::new("single_blocks", n), &n, |b, _| {
            b.iter(|| {
                for blk in bn.iter_mut() {
                    ours.encrypt_block(black_box(blk));
                }
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("des_key_schedule");
    g.bench_function("paycrypt_tdes3", |b| {
        b.iter(|| paycrypt::tdes::TdesEde3::new(black_box(&KEY).into()))
    });
    g.bench_function("des_crate_tdes3", |b| {
        b.iter(|| des::TdesEde3::new(black_box(&KEY).into()))
    });
    g.finish();
}

criterion_group!(benches, tdes);
criterion_main!(benches);
