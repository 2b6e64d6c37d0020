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
//! and `kcv-aes128` (`SymmetricKey::kcv`), `tr31-unwrap-b-tdes2`, `tr31-unwrap-d-aes128`,
//! `tr31-unwrap-d-aes256` (`tr31::unwrap` of the blocks of `benches/tr31.rs`), `tr31-working-key-d-aes128`
//! (a wrapped side's working key, `tr31::dynamic::WrappedKey::working_key`) and
//! `tr31-unwrap-to-key-d-aes128` (`tr31::unwrap` and `Unwrapped::symmetric_key` of the same block). RSA uses a fixed-seed RNG so the count
//! does not vary.
//!
//! Constant-time TDES: `derive-tdes-10` (one TDES DUKPT derivation, 10 counter bits),
//! `derive-tdes-batch64-10` / `derive-tdes-batch64-random` (`derive_data_keys` on 64 KSNs, 10 bits each /
//! uniform over 21 bits), `tdes3-block`, `tdes3-64`, `tdes3-key-schedule` (the cores; each also as
//! `…-des-crate` for the `des` crate), `tdes3-ecb-16k`, `tdes3-cbc-decrypt-16k`, `tdes3-cbc-encrypt-16k`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

use paycrypt::dukpt::derive_data_key;
use paycrypt::operation::{DukptAttributes, EncryptionAttributes, KeyUse};
use paycrypt::rand_core::{TryCryptoRng, TryRng};
use paycrypt::{
    Iv, KeyMaterial, KeyStore, Ksn, MemoryKeyStore, Mode, Policy, RsaPadding, Side,
    SymmetricAlgorithm, SymmetricKey, symmetric,
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

/// The TDES cores alone: one block (the one-block core), 64 blocks (one bitsliced pass) and the key
/// schedule, for paycrypt's constant-time TDES and for the `des` crate.
fn tdes_case(case: &str, n: usize) {
    use cipher::{Block, BlockCipherEncrypt, KeyInit};
    const KEY: [u8; 24] = [
        0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
        0x01, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23,
    ];
    let ours = paycrypt::tdes::TdesEde3::new((&KEY).into());
    let theirs = des::TdesEde3::new((&KEY).into());
    let mut blocks: Vec<Block<des::TdesEde3>> = (0..64u64)
        .map(|i| (i * 0x9E37_79B9).to_be_bytes().into())
        .collect();
    for _ in 0..n {
        match case {
            "tdes3-block" => ours.encrypt_block(black_box(&mut blocks[0])),
            "tdes3-block-des-crate" => theirs.encrypt_block(black_box(&mut blocks[0])),
            "tdes3-64" => ours.encrypt_blocks(black_box(&mut blocks)),
            "tdes3-64-des-crate" => theirs.encrypt_blocks(black_box(&mut blocks)),
            "tdes3-key-schedule" => {
                black_box(paycrypt::tdes::TdesEde3::new(black_box(&KEY).into()));
            }
            _ => {
                black_box(des::TdesEde3::new(black_box(&KEY).into()));
            }
        }
    }
}

/// 64 KSNs of one device, counters with exactly `bits` bits set (0: uniform over the 21-bit range).
fn batch_ksns(bits: u32) -> Vec<Ksn> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut out = Vec::new();
    while out.len() < 64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let c = ((x >> 30) & 0x1F_FFFF) as u32;
        if c == 0 || (bits != 0 && c.count_ones() != bits) {
            continue;
        }
        let b = [
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
        out.push(Ksn::from_bytes(&b).unwrap());
    }
    out
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
    let key = |id: &str| store.lookup(&format!("{ARN}{id}")).unwrap();
    let symmetric_key = |id: &str| -> &SymmetricKey {
        match key(id).material() {
            KeyMaterial::Symmetric(k) => k,
            _ => panic!("{id} is not symmetric"),
        }
    };
    let cbc = |block| EncryptionAttributes::symmetric(Mode::Cbc, Some(iv(block)));
    let mut rng = Fixed(1);

    let op = |in_id: &str, in_attr, out_id: &str, out_attr, rng: &mut Fixed| {
        let incoming = KeyUse::new(key(in_id), in_attr);
        let outgoing = KeyUse::new(key(out_id), out_attr);
        let ct = paycrypt::encrypt(&incoming, &[0x42; 16], rng)
            .unwrap()
            .ciphertext;
        for _ in 0..n {
            black_box(paycrypt::reencrypt(&incoming, &outgoing, black_box(&ct), rng).unwrap());
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
        "tdes3-ecb-16k"
        | "tdes3-cbc-decrypt-16k"
        | "tdes3-cbc-encrypt-16k"
        | "tdes3-ecb-2k"
        | "tdes3-cbc-decrypt-2k"
        | "tdes3-cbc-encrypt-2k" => {
            let k = symmetric_key("tdes3key0000000001");
            let len = if case.ends_with("-2k") {
                2048
            } else {
                16 * 1024
            };
            let mut data = vec![0x42u8; len];
            let v = iv(8);
            for _ in 0..n {
                match case {
                    "tdes3-ecb-16k" | "tdes3-ecb-2k" => {
                        symmetric::encrypt(k, Mode::Ecb, None, black_box(&mut data))
                    }
                    "tdes3-cbc-decrypt-16k" | "tdes3-cbc-decrypt-2k" => {
                        symmetric::decrypt(k, Mode::Cbc, Some(&v), black_box(&mut data))
                    }
                    _ => symmetric::encrypt(k, Mode::Cbc, Some(&v), black_box(&mut data)),
                }
                .unwrap();
            }
        }
        "kcv-aes128" => {
            let k = symmetric_key("aes128key000000001");
            for _ in 0..n {
                black_box((black_box(k)).kcv());
            }
        }
        "tr31-unwrap-b-tdes2" | "tr31-unwrap-d-aes128" | "tr31-unwrap-d-aes256" => {
            // Published blocks (`benches/tr31.rs`): TR-31:2018 A.7.2.2, the moov-io D0/A/D block and
            // the payShield AES-256 D0 block.
            let (alg, kbpk, block) = match case {
                "tr31-unwrap-b-tdes2" => (
                    SymmetricAlgorithm::Tdes2Key,
                    "DD7515F2BFC17F85CE48F3CA25CB21F6",
                    "B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E",
                ),
                "tr31-unwrap-d-aes128" => (
                    SymmetricAlgorithm::Aes128,
                    "000102030405060708090A0B0C0D0E0F",
                    "D0112D0AD00E00009ef4ff063d9757987d1768a1e317a6530de7d8ac81972c19a3659afb28e8d35f48aaa5b0f124e73893163e9a020ae5f3",
                ),
                _ => (
                    SymmetricAlgorithm::Aes256,
                    "4141414141414141414141414141414141414141414141414141414141414141",
                    "D0144D0AN00N0000127862F945C2DED04530FAF7CDBC8B0BA10C7AA79BD5E0C2C5D6AC173BF588E4B19ACF1357178D50EA0AB193228E13958304FC6149632DFDCADF3A5B3D57E814",
                ),
            };
            let kbpk = SymmetricKey::from_hex(alg, kbpk).unwrap();
            let mut out = [0u8; 64];
            for _ in 0..n {
                let u = paycrypt::tr31::unwrap(
                    black_box(block),
                    &kbpk,
                    paycrypt::tr31::Versions::Current,
                    &mut out,
                )
                .unwrap();
                black_box(u.key()[0]);
            }
        }
        "tr31-working-key-d-aes128" | "tr31-unwrap-to-key-d-aes128" => {
            // The moov-io D0/A/D block under its AES-128 KEK: the wrapped side's working key
            // (`WrappedKey::working_key`: KEK and header rules, unwrap, key, check value) against the
            // bare unwrap to a usable key (`tr31::unwrap` + `Unwrapped::symmetric_key`).
            let block = "D0112D0AD00E00009ef4ff063d9757987d1768a1e317a6530de7d8ac81972c19a3659afb28e8d35f48aaa5b0f124e73893163e9a020ae5f3";
            let material = "000102030405060708090A0B0C0D0E0F";
            let kbpk = SymmetricKey::from_hex(SymmetricAlgorithm::Aes128, material).unwrap();
            let kek = paycrypt::Key::new(
                paycrypt::KeyArn::parse(&format!("{ARN}callgrindkek00000001")).unwrap(),
                paycrypt::KeyAttributes {
                    key_usage: paycrypt::KeyUsage::K1KeyBlockProtectionKey,
                    key_class: paycrypt::KeyClass::SymmetricKey,
                    key_algorithm: paycrypt::KeyAlgorithm::Symmetric(SymmetricAlgorithm::Aes128),
                    key_modes_of_use: paycrypt::KeyModesOfUse {
                        unwrap: true,
                        ..paycrypt::KeyModesOfUse::default()
                    },
                },
                KeyMaterial::Symmetric(
                    SymmetricKey::from_hex(SymmetricAlgorithm::Aes128, material).unwrap(),
                ),
            )
            .unwrap();
            let attributes = EncryptionAttributes::symmetric(Mode::Ecb, None);
            for _ in 0..n {
                if case == "tr31-working-key-d-aes128" {
                    let k = paycrypt::tr31::dynamic::WrappedKey::new(&kek, black_box(block))
                        .working_key(&attributes, Side::Incoming, Policy::Documented)
                        .unwrap();
                    black_box(k.kcv());
                } else {
                    let mut out = [0u8; 64];
                    let u = paycrypt::tr31::unwrap(
                        black_box(block),
                        &kbpk,
                        paycrypt::tr31::Versions::Current,
                        &mut out,
                    )
                    .unwrap();
                    black_box(u.symmetric_key().unwrap().algorithm());
                }
            }
        }
        "derive-tdes-10" | "derive-tdes-batch64-10" | "derive-tdes-batch64-random" => {
            let bdk = symmetric_key("tdesbdk00000000001");
            let ksns = batch_ksns(if case.ends_with("random") { 0 } else { 10 });
            let requests: Vec<paycrypt::dukpt::DataKeyRequest> = ksns
                .iter()
                .map(|ksn| paycrypt::dukpt::DataKeyRequest {
                    ksn: *ksn,
                    variant: None,
                    derivation_type: None,
                })
                .collect();
            for _ in 0..n {
                if case == "derive-tdes-10" {
                    black_box(derive_data_key(bdk, black_box(&ksns[0]), None, None).unwrap());
                } else {
                    paycrypt::dukpt::derive_data_keys(bdk, black_box(&requests), |_, k| {
                        black_box(k.unwrap());
                    });
                }
            }
        }
        "tdes3-block"
        | "tdes3-block-des-crate"
        | "tdes3-64"
        | "tdes3-64-des-crate"
        | "tdes3-key-schedule"
        | "tdes3-key-schedule-des-crate" => tdes_case(case, n),
        other => panic!("unknown case {other}"),
    }
}
