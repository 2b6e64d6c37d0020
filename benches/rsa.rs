//! RSA-2048/3072/4096: decryption (OAEP-SHA256, PKCS#1 v1.5) and encryption, with the OS RNG for
//! blinding and padding as a caller would. One element = one operation, so criterion's throughput is
//! operations per second. `benches/openssl_rsa.sh` runs this and `openssl speed` and prints the ratio.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use paycrypt::rsa::OsRng;
use paycrypt::{RsaPadding, RsaPrivateKey, RsaSize};

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
        for size in [RsaSize::Rsa2048, RsaSize::Rsa3072, RsaSize::Rsa4096] {
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
        for size in [RsaSize::Rsa2048, RsaSize::Rsa3072, RsaSize::Rsa4096] {
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
criterion_main!(benches);
