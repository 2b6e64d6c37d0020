//! TR-31 unwrap (`tr31::unwrap`: parse, KDF, CBC decrypt, CMAC, constant-time compare) of published
//! blocks, version B (TDES-2 and TDES-3 KBPK) and D (AES-128 and AES-256 KBPK), and wrap of the same
//! header and key; `tr31_kdf` times the KBEK/KBAK derivation alone (half or more of an unwrap).
//! Throughput is in blocks per second. The anchor for the ratios in PERFORMANCE.md is psec 1.3.0 on the
//! same blocks (`benches/tr31_psec.py`, same sitting).
//!
//! `tr31_wrapped_op` times ReEncryptData (typed, in place, 16 bytes, CBC) whose incoming side is a
//! wrapped key (`tr31::dynamic::WrappedKey::working_key`: the KEK and header rules, the unwrap, the
//! working key and its check value) against the same operation with the key stored plus a bare
//! `tr31::unwrap` of the same block (`stored_plus_unwrap`), and plus an unwrap to a usable key
//! (`stored_plus_unwrap_to_key`: `tr31::unwrap` and `Unwrapped::symmetric_key`, the key schedule); the
//! target is wrapped ≤ 1.3× stored + unwrap.
//!
//! Run: `cargo bench --bench tr31`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::convert::Infallible;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use paycrypt::rand_core::{TryCryptoRng, TryRng};
use paycrypt::reencrypt_in_place;
use paycrypt::tr31::dynamic::WrappedKey;
use paycrypt::tr31::{self, KeyBlock, KeyLengthMask, Versions};
use paycrypt::tr31::{Algorithm, Header, ModeOfUse, Usage, Version};
use paycrypt::{
    EncryptionAttributes, Iv, Key, KeyAlgorithm, KeyArn, KeyAttributes, KeyClass, KeyMaterial,
    KeyModesOfUse, KeyUsage, KeyUse, Mode, Policy, Side, SymmetricAlgorithm as Alg, SymmetricKey,
};

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

fn stored(id: &str, usage: KeyUsage, alg: Alg, material: &[u8]) -> Key {
    let modes = KeyModesOfUse {
        encrypt: true,
        decrypt: true,
        wrap: true,
        unwrap: true,
        ..KeyModesOfUse::default()
    };
    Key::new(
        KeyArn::parse(&format!(
            "arn:aws:payment-cryptography:us-east-2:111122223333:key/{id}"
        ))
        .unwrap(),
        KeyAttributes {
            key_usage: usage,
            key_class: KeyClass::SymmetricKey,
            key_algorithm: KeyAlgorithm::Symmetric(alg),
            key_modes_of_use: modes,
        },
        KeyMaterial::Symmetric(SymmetricKey::new(alg, material).unwrap()),
    )
    .unwrap()
}

/// ReEncryptData with a wrapped incoming side against a stored incoming key plus a bare unwrap.
fn wrapped_op(c: &mut Criterion) {
    let mut g = c.benchmark_group("tr31_wrapped_op");
    g.throughput(Throughput::Elements(1));
    // (case, KEK algorithm, block version, data key algorithm and TR-31 letter)
    let cases = [
        (
            "D_aes128_aes128",
            Alg::Aes128,
            Version::D,
            Alg::Aes128,
            Algorithm::Aes,
        ),
        (
            "D_aes256_tdes2",
            Alg::Aes256,
            Version::D,
            Alg::Tdes2Key,
            Algorithm::Tdes,
        ),
        (
            "B_tdes3_tdes2",
            Alg::Tdes3Key,
            Version::B,
            Alg::Tdes2Key,
            Algorithm::Tdes,
        ),
    ];
    let out_key = stored(
        "benchoutgoingaes0001",
        KeyUsage::D0SymmetricDataEncryptionKey,
        Alg::Aes128,
        &[0x42; 16],
    );
    let out_attrs = EncryptionAttributes::symmetric(Mode::Cbc, Some(Iv::new(&[7; 16]).unwrap()));
    let outgoing = KeyUse::new(&out_key, out_attrs);
    for (name, kek_alg, version, key_alg, letter) in cases {
        let kek_material: Vec<u8> = (0..kek_alg.key_len())
            .map(|i| u8::try_from(i).unwrap().wrapping_mul(41) ^ 0x6C)
            .collect();
        let key_material: Vec<u8> = (0..key_alg.key_len())
            .map(|i| u8::try_from(i).unwrap().wrapping_mul(23) ^ 0x19)
            .collect();
        let kek = stored(
            "benchkek00000000001",
            KeyUsage::K1KeyBlockProtectionKey,
            kek_alg,
            &kek_material,
        );
        let kbpk = SymmetricKey::new(kek_alg, &kek_material).unwrap();
        let header = Header::new(version, Usage::D0, letter, ModeOfUse::DecryptOnly);
        let mut block_buf = [0u8; 256];
        let block = tr31::wrap(
            &kbpk,
            &header,
            &key_material,
            KeyLengthMask::AlgorithmMaximum,
            &mut Zeros,
            &mut block_buf,
        )
        .unwrap()
        .to_string();
        let in_key = stored(
            "benchincomingkey0001",
            KeyUsage::D0SymmetricDataEncryptionKey,
            key_alg,
            &key_material,
        );
        let iv = Iv::new(&vec![9u8; in_key_block(key_alg)]).unwrap();
        let in_attrs = EncryptionAttributes::symmetric(Mode::Cbc, Some(iv));
        let data = [0x34u8; 16];
        g.bench_function(BenchmarkId::new("wrapped", name), |b| {
            b.iter(|| {
                let working = WrappedKey::new(&kek, black_box(&block))
                    .working_key(&in_attrs, Side::Incoming, Policy::Documented)
                    .unwrap();
                let incoming = KeyUse::new(&working, in_attrs);
                let mut buf = data;
                reencrypt_in_place(&incoming, &outgoing, &mut buf).unwrap();
                black_box(buf[0])
            })
        });
        g.bench_function(BenchmarkId::new("stored_plus_unwrap", name), |b| {
            b.iter(|| {
                let mut payload = [0u8; 64];
                let u = tr31::unwrap(black_box(&block), &kbpk, Versions::Current, &mut payload)
                    .unwrap();
                black_box(u.key()[0]);
                drop(u);
                let incoming = KeyUse::new(&in_key, in_attrs);
                let mut buf = data;
                reencrypt_in_place(&incoming, &outgoing, &mut buf).unwrap();
                black_box(buf[0])
            })
        });
        g.bench_function(BenchmarkId::new("stored_plus_unwrap_to_key", name), |b| {
            b.iter(|| {
                let mut payload = [0u8; 64];
                let u = tr31::unwrap(black_box(&block), &kbpk, Versions::Current, &mut payload)
                    .unwrap();
                let key = u.symmetric_key().unwrap();
                black_box(&key);
                drop(u);
                let incoming = KeyUse::new(&in_key, in_attrs);
                let mut buf = data;
                reencrypt_in_place(&incoming, &outgoing, &mut buf).unwrap();
                black_box(buf[0])
            })
        });
    }
    g.finish();
}

fn in_key_block(alg: Alg) -> usize {
    if alg.is_tdes() { 8 } else { 16 }
}

criterion_group!(benches, unwrap, wrap, kdf, wrapped_op);
criterion_main!(benches);
