//! Throughput of the symmetric primitives: TDES-2/3 and AES-128/256 in every mode, at 16 B, 256 B,
//! 2 KiB and 16 KiB, and the cost of a key check value.
//!
//! `cargo bench --bench modes` (a few minutes). Groups are named `modes/<ALGORITHM>/<MODE>-<direction>`
//! with the data size as the parameter; criterion writes each median to
//! `target/criterion/modes_<ALGORITHM>_<MODE>-<direction>/<size>/new/estimates.json`, which
//! `benches/openssl.sh` reads for its side-by-side table.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use paycrypt::{Iv, Mode, SymmetricAlgorithm as Alg, SymmetricKey, symmetric};

const SIZES: [usize; 4] = [16, 256, 2048, 16 * 1024];
const ALGORITHMS: [Alg; 4] = [Alg::Tdes2Key, Alg::Tdes3Key, Alg::Aes128, Alg::Aes256];

/// Distinct, non-degenerate key material (K1, K2, K3 all different).
fn key(alg: Alg) -> SymmetricKey {
    let material: Vec<u8> = (0..u8::try_from(alg.key_len()).unwrap())
        .map(|i| i.wrapping_mul(29).wrapping_add(0x35))
        .collect();
    SymmetricKey::new(alg, &material).unwrap()
}

/// The (mode, decrypt) pairs measured for an algorithm.
fn cases(alg: Alg) -> Vec<(Mode, bool)> {
    let full_cfb = if alg.is_tdes() {
        Mode::Cfb64
    } else {
        Mode::Cfb128
    };
    let mut v = vec![
        (Mode::Ecb, false),
        (Mode::Cbc, false),
        (Mode::Cbc, true),
        (Mode::Cfb1, false),
        (Mode::Cfb8, false),
        (full_cfb, false),
        (Mode::Ofb, false),
    ];
    if !alg.is_tdes() {
        // 64-bit segments on a 128-bit block: our generic segment CFB.
        v.push((Mode::Cfb64, false));
    }
    v
}

fn modes(c: &mut Criterion) {
    for alg in ALGORITHMS {
        let key = key(alg);
        let iv = Iv::new(&[0xA5; 16][..alg.block_size()]).unwrap();
        for (mode, decrypt) in cases(alg) {
            let dir = if decrypt { "decrypt" } else { "encrypt" };
            let mut group = c.benchmark_group(format!("modes/{alg}/{mode}-{dir}"));
            if mode == Mode::Cfb1 {
                // One block operation per bit: few, long iterations.
                group.sampling_mode(SamplingMode::Flat).sample_size(10);
            }
            for size in SIZES {
                group.throughput(Throughput::Bytes(size as u64));
                let mut buf = vec![0x5Au8; size];
                let iv = (mode != Mode::Ecb).then_some(&iv);
                group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
                    b.iter(|| {
                        let r = if decrypt {
                            symmetric::decrypt(&key, mode, iv, black_box(&mut buf))
                        } else {
                            symmetric::encrypt(&key, mode, iv, black_box(&mut buf))
                        };
                        r.unwrap();
                    })
                });
            }
            group.finish();
        }
    }
}

fn kcv(c: &mut Criterion) {
    let mut group = c.benchmark_group("kcv");
    for alg in ALGORITHMS {
        let key = key(alg);
        group.bench_function(BenchmarkId::from_parameter(alg), |b| {
            b.iter(|| (black_box(&key)).kcv())
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(800))
        .sample_size(20);
    targets = modes, kcv
}
criterion_main!(benches);
