//! TR-31 interoperability cases, shared by the interop tool (`tests/interop/tr31_interop.rs`) and the
//! corpus tests (`tests/vectors/tr31_psec.rs`): the seeded generator of the blocks paycrypt wraps for
//! psec, and the check of one case (unwrap here, compare key and header).
//!
//! The generator mirrors `tr31_psec.py`'s: versions B and D, random KBPK (TDES-2/3, AES-128/192/256)
//! and key, random header fields, 0–3 short optional blocks of printable data (no extended form: psec
//! 1.3.0 miscounts it), a random key-length mask.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;

use paycrypt::rand_core::{TryCryptoRng, TryRng};
use paycrypt::tr31::{
    self, Algorithm, Exportability, Header, KeyBlock, KeyContext, KeyLengthMask, KeyVersion,
    ModeOfUse, OptionalBlock, OptionalBlocks, Usage, Version, Versions,
};
use paycrypt::{SymmetricAlgorithm as Alg, SymmetricKey};

/// xorshift64*: the generator of the cases and of the padding (reproducible, not for real use).
pub struct Rng(pub u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next().to_le_bytes()[0]).collect()
    }
}

impl TryRng for Rng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(u32::try_from(self.next() & 0xFFFF_FFFF).unwrap())
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for d in dst {
            *d = self.next().to_le_bytes()[0];
        }
        Ok(())
    }
}

impl TryCryptoRng for Rng {}

/// One case: everything as the corpus files spell it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub kbpk_algorithm: String,
    pub kbpk: String,
    pub key: String,
    pub version: String,
    pub key_usage: String,
    pub algorithm: String,
    pub mode_of_use: String,
    pub key_version: String,
    pub exportability: String,
    pub context: String,
    /// The optional blocks given to the wrapper (a `PB` block it added is not listed).
    pub blocks: Vec<(String, String)>,
    pub key_block: String,
}

pub fn kbpk_algorithm(name: &str) -> Alg {
    match name {
        "TDES2" => Alg::Tdes2Key,
        "TDES3" => Alg::Tdes3Key,
        "AES128" => Alg::Aes128,
        "AES192" => Alg::Aes192,
        "AES256" => Alg::Aes256,
        other => panic!("KBPK algorithm {other}"),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn one(s: &str) -> u8 {
    assert_eq!(s.len(), 1, "{s:?}");
    s.as_bytes()[0]
}

/// Wrap `count` cases from `seed` here.
pub fn generate(count: usize, seed: u64) -> Vec<Case> {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const USAGES: &[&str] = &["D0", "K0", "K1", "P0", "B0", "M3", "C0", "E1", "V2", "91"];
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let version = rng.pick(&[Version::B, Version::D]);
            let kbpk_alg = rng.pick(if version == Version::B {
                &[Alg::Tdes2Key, Alg::Tdes3Key][..]
            } else {
                &[Alg::Aes128, Alg::Aes192, Alg::Aes256][..]
            });
            let algorithm = rng.pick(&[
                Algorithm::Tdes,
                Algorithm::Aes,
                Algorithm::Des,
                Algorithm::Hmac,
                Algorithm::Rsa,
                Algorithm::Ec,
            ]);
            let key_len = match algorithm {
                Algorithm::Tdes => rng.pick(&[16, 24]),
                Algorithm::Aes => rng.pick(&[16, 24, 32]),
                Algorithm::Des => 8,
                _ => 1 + rng.below(48),
            };
            let mut blocks: Vec<(String, String)> = Vec::new();
            if rng.below(3) > 0 {
                for _ in 0..1 + rng.below(3) {
                    let id = format!(
                        "{}{}",
                        rng.pick(b"ABCDEFGHIJKLMNOQRSTUVWXYZ") as char,
                        rng.pick(ALNUM) as char
                    );
                    if blocks.iter().any(|(i, _)| *i == id) {
                        continue;
                    }
                    let n = rng.below(61);
                    let data: String = (0..n)
                        .map(|_| char::from(0x20 + u8::try_from(rng.below(0x5F)).unwrap()))
                        .collect();
                    blocks.push((id, data));
                }
            }
            let key_version = match rng.below(4) {
                0 => "00".to_owned(),
                1 => "c1".to_owned(),
                2 => "c2".to_owned(),
                _ => format!("{}{}", rng.pick(ALNUM) as char, rng.pick(ALNUM) as char),
            };
            let mask = match rng.below(4) {
                0 | 1 => KeyLengthMask::AlgorithmMaximum,
                2 => KeyLengthMask::Minimal,
                _ => KeyLengthMask::Bytes(1 + rng.below(64)),
            };
            let kbpk = rng.bytes(kbpk_alg.key_len());
            let key = rng.bytes(key_len);
            let usage = rng.pick(USAGES);
            let mode = rng.pick(&ModeOfUse::ALL);
            let exportability = rng.pick(&Exportability::ALL);
            let context = rng.pick(&KeyContext::ALL);
            let given: Vec<OptionalBlock<'_>> = blocks
                .iter()
                .map(|(i, d)| OptionalBlock::new(i, d).unwrap())
                .collect();
            let header = Header::new(version, Usage::new(usage).unwrap(), algorithm, mode)
                .with_key_version(KeyVersion::new(&key_version).unwrap())
                .with_exportability(exportability)
                .with_context(context)
                .with_blocks(OptionalBlocks::new(&given));
            let k = SymmetricKey::new(kbpk_alg, &kbpk).unwrap();
            let mut out = vec![0u8; tr31::wrapped_len(&header, key.len(), mask).unwrap()];
            let block = tr31::wrap(&k, &header, &key, mask, &mut rng, &mut out)
                .unwrap()
                .to_owned();
            Case {
                kbpk_algorithm: match kbpk_alg {
                    Alg::Tdes2Key => "TDES2",
                    Alg::Tdes3Key => "TDES3",
                    Alg::Aes128 => "AES128",
                    Alg::Aes192 => "AES192",
                    Alg::Aes256 => "AES256",
                }
                .to_owned(),
                kbpk: hex(&kbpk),
                key: hex(&key),
                version: (version.id() as char).to_string(),
                key_usage: usage.to_owned(),
                algorithm: (algorithm.letter() as char).to_string(),
                mode_of_use: (mode.letter() as char).to_string(),
                key_version,
                exportability: (exportability.letter() as char).to_string(),
                context: (context.letter() as char).to_string(),
                blocks,
                key_block: block,
            }
        })
        .collect()
}

/// What a block in psec's extended length form (length of length counted in bytes) gives here.
pub fn extended_refusal() -> paycrypt::Error {
    paycrypt::Error::Invalid {
        side: None,
        problem: paycrypt::Problem::KeyBlockOptionalBlock,
    }
}

/// Unwrap a case's block here (versions B and D only, the KBPK algorithm as the case names it) and
/// compare key and header; the blocks must be the listed ones, then at most one `PB` block.
pub fn check(c: &Case) -> Result<(), String> {
    let kbpk = SymmetricKey::new(kbpk_algorithm(&c.kbpk_algorithm), &unhex(&c.kbpk))
        .map_err(|e| format!("KBPK: {e}"))?;
    let parsed =
        KeyBlock::parse(&c.key_block, Versions::Current).map_err(|e| format!("parse: {e}"))?;
    let mut buf = vec![0u8; parsed.payload_len()];
    let u = parsed
        .unwrap(&kbpk, &mut buf)
        .map_err(|e| format!("unwrap: {e}"))?;
    let h = u.header();
    let mut problems = Vec::new();
    let mut expect = |what: &str, ok: bool| {
        if !ok {
            problems.push(what.to_owned());
        }
    };
    expect("key", hex(u.key()) == c.key);
    expect("version", h.version().id() == one(&c.version));
    expect("key usage", h.usage().as_str() == c.key_usage);
    expect("algorithm", h.algorithm().letter() == one(&c.algorithm));
    expect(
        "mode of use",
        h.mode_of_use().letter() == one(&c.mode_of_use),
    );
    expect(
        "key version",
        h.key_version() == KeyVersion::new(&c.key_version).map_err(|e| e.to_string())?,
    );
    expect(
        "exportability",
        h.exportability().letter() == one(&c.exportability),
    );
    expect("context", h.context().letter() == one(&c.context));
    let got: Vec<(String, String)> = h
        .blocks()
        .iter()
        .map(|b| (b.id().to_owned(), b.data().to_owned()))
        .collect();
    let listed = got.len() >= c.blocks.len() && got[..c.blocks.len()] == c.blocks[..];
    let rest = &got[c.blocks.len().min(got.len())..];
    let pb_only = rest.len() <= 1 && rest.iter().all(|(id, _)| id == "PB");
    expect("optional blocks", listed && pb_only);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("mismatch in {}", problems.join(", ")))
    }
}
