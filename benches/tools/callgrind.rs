//! A fixed amount of work for instruction counting under `valgrind --tool=callgrind`, where criterion's
//! timing loop would get in the way. `PERFORMANCE.md` runs each case with 1 and with 101 iterations and
//! divides the difference by 100: the instructions of one operation, without the set-up (reading the
//! key store, parsing PEM keys).
//!
//! ```text
//! cargo build --release --features serde --example callgrind
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/callgrind CASE N
//! ```
//!
//! Cases: `op-tdes-dukpt-aes128`, `op-aes128-dukpt-aes256`, `op-aes128-tdes2`, `op-rsa2048-aes128`
//! (`reencrypt` of 16 bytes, as in `benches/operation.rs`), `derive-tdes`, `derive-aes128` (the DUKPT
//! derivations of those cases), `aes128-cbc-16`, `tdes2-cbc-16`, `aes128-cbc-2048` (one `symmetric::encrypt`)
//! and `kcv-aes128` (`default_symmetric_kcv`). RSA uses a fixed-seed RNG so the count does not vary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

use paycrypt::reencrypt::{self, DukptAttributes, EncryptionAttributes, KeyUse, Policy};
use paycrypt::rsa::rand_core::{TryCryptoRng, TryRng};
use paycrypt::{
    Iv, KeyMaterial, Ksn, MemoryKeyStore, Mode, RsaPadding, Side, SymmetricAlgorithm, SymmetricKey,
    default_symmetric_kcv, derive_data_key, lookup, symmetric,
};

const ARN: &str = "arn:aws:payment-cryptography:us-east-2:111122223333:key/";
const TDES_KSN: &str = "FFFF9876543210E0000F";
const AES_KSN: &str = "12345678901234560000000F";

/// A counter-based generator: the same bytes on every run, so instruction counts repeat exactly.
struct Fixed(u64);

impl TryRng for Fixed {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.try_next_u64().map(|v| {
            let [a, b, c, d, ..] = v.to_le_bytes();
            u32::from_le_bytes([a, b, c, d])
        })
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

fn iv(block: usize) -> Iv {
    Iv::new(&[0x5Cu8; 16][..block]).unwrap()
}

fn dukpt(ksn: &str, derivation: SymmetricAlgorithm) -> EncryptionAttributes {
    let mut a = DukptAttributes::new(Ksn::from_hex(ksn).unwrap());
    a.derivation_type = Some(derivation);
    a.iv = Some(iv(derivation.block_size()));
    EncryptionAttributes::Dukpt(a)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("op-tdes-dukpt-aes128");
    let n: usize = args.get(2).map_or(1, |s| s.parse().unwrap());

    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keystore.json"
    ))
    .unwrap();
    let store = MemoryKeyStore::from_json(&text).unwrap();
    let key = |id: &str| lookup(&store, &format!("{ARN}{id}"), Side::Incoming).unwrap();
    let symmetric_key = |id: &str| -> &SymmetricKey {
        match key(id).material() {
            KeyMaterial::Symmetric(k) => k,
            _ => panic!("{id} is not symmetric"),
        }
    };
    let cbc = |block| EncryptionAttributes::symmetric(Mode::Cbc, Some(iv(block)));
    let mut rng = Fixed(1);

    let op = |in_id: &str, in_attr, out_id: &str, out_attr, rng: &mut Fixed| {
        let incoming = KeyUse {
            key: key(in_id),
            attributes: in_attr,
        };
        let outgoing = KeyUse {
            key: key(out_id),
            attributes: out_attr,
        };
        let ct = reencrypt::encrypt(&incoming, &[0x42; 16], rng)
            .unwrap()
            .ciphertext;
        for _ in 0..n {
            black_box(
                reencrypt::reencrypt(
                    &incoming,
                    &outgoing,
                    black_box(&ct),
                    rng,
                    Policy::Documented,
                )
                .unwrap(),
            );
        }
    };
    let mut buf = vec![0x42u8; 2048];
    match case {
        "op-tdes-dukpt-aes128" => op(
            "tdesbdk00000000001",
            dukpt(TDES_KSN, SymmetricAlgorithm::Tdes2Key),
            "aes128key000000001",
            cbc(16),
            &mut rng,
        ),
        "op-aes128-dukpt-aes256" => op(
            "aes128bdk000000001",
            dukpt(AES_KSN, SymmetricAlgorithm::Aes128),
            "aes256key000000001",
            cbc(16),
            &mut rng,
        ),
        "op-aes128-tdes2" => op(
            "aes128key000000001",
            cbc(16),
            "tdes2key0000000001",
            cbc(8),
            &mut rng,
        ),
        "op-rsa2048-aes128" => op(
            "rsa2048pair0000001",
            EncryptionAttributes::asymmetric(Some(RsaPadding::OaepSha256)),
            "aes128key000000001",
            cbc(16),
            &mut rng,
        ),
        "derive-tdes" | "derive-aes128" => {
            let (bdk, ksn) = if case == "derive-tdes" {
                ("tdesbdk00000000001", TDES_KSN)
            } else {
                ("aes128bdk000000001", AES_KSN)
            };
            let bdk = symmetric_key(bdk);
            let ksn = Ksn::from_hex(ksn).unwrap();
            for _ in 0..n {
                black_box(derive_data_key(bdk, black_box(&ksn), None, None).unwrap());
            }
        }
        "aes128-cbc-16" | "tdes2-cbc-16" | "aes128-cbc-2048" => {
            let (id, len) = match case {
                "aes128-cbc-16" => ("aes128key000000001", 16),
                "tdes2-cbc-16" => ("tdes2key0000000001", 16),
                _ => ("aes128key000000001", 2048),
            };
            let k = symmetric_key(id);
            let v = iv(k.block_size());
            for _ in 0..n {
                symmetric::encrypt(k, Mode::Cbc, Some(&v), black_box(&mut buf[..len])).unwrap();
            }
        }
        "kcv-aes128" => {
            let k = symmetric_key("aes128key000000001");
            for _ in 0..n {
                black_box(default_symmetric_kcv(black_box(k)));
            }
        }
        other => panic!("unknown case {other}"),
    }
}
