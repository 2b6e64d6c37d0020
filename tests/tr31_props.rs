//! Property tests of `paycrypt::tr31`.
//!
//! - round trip: `unwrap(wrap(header, key))` gives the header and the key back, for every version
//!   (`A`/`C` with the legacy option) × every KBPK algorithm the version takes × key algorithm and
//!   length (TDES 16/24, AES 16/24/32, other algorithms 1–96 bytes) × key-length mask × random optional
//!   blocks (short and extended forms; a `PB` block is added exactly when they are not aligned);
//! - any single-character change to a wrapped block is refused (a change of letter case inside the
//!   payload or authenticator hex is no change: hex is read in either case, and that block unwraps to
//!   the same key);
//! - arbitrary strings, and strings shaped like a key block, never panic in parse or unwrap, and a
//!   refused unwrap leaves the buffer zeroed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/regressions.rs"]
mod regressions;

use std::convert::Infallible;

use paycrypt::rand_core::{TryCryptoRng, TryRng};
use paycrypt::tr31::{
    self, Algorithm, Exportability, Header, KeyBlock, KeyContext, KeyLengthMask, KeyVersion,
    ModeOfUse, OptionalBlock, OptionalBlocks, Usage, Version, Versions,
};
use paycrypt::{Error, SymmetricAlgorithm as Alg, SymmetricKey};
use proptest::prelude::*;

/// xorshift64*: padding for the tests (not for real use).
struct Fill(u64);

impl TryRng for Fill {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(u32::try_from(self.try_next_u64()? & 0xFFFF_FFFF).unwrap())
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        Ok(self.0.wrapping_mul(0x2545_F491_4F6C_DD1D))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for d in dst {
            *d = self.try_next_u64()?.to_le_bytes()[0];
        }
        Ok(())
    }
}

impl TryCryptoRng for Fill {}

fn version() -> impl Strategy<Value = Version> {
    prop::sample::select(vec![Version::A, Version::B, Version::C, Version::D])
}

/// A KBPK algorithm the version takes.
fn kbpk_alg(v: Version) -> impl Strategy<Value = Alg> {
    let algs: Vec<Alg> = Alg::ALL.into_iter().filter(|a| v.fits_kbpk(*a)).collect();
    prop::sample::select(algs)
}

/// A header algorithm and a key length that goes with it.
fn key_shape() -> impl Strategy<Value = (Algorithm, usize)> {
    prop_oneof![
        prop::sample::select(vec![16usize, 24]).prop_map(|n| (Algorithm::Tdes, n)),
        prop::sample::select(vec![16usize, 24, 32]).prop_map(|n| (Algorithm::Aes, n)),
        (
            prop::sample::select(vec![
                Algorithm::Des,
                Algorithm::Ec,
                Algorithm::Hmac,
                Algorithm::Rsa,
                Algorithm::Dsa,
            ]),
            1usize..=96
        ),
    ]
}

fn mask() -> impl Strategy<Value = KeyLengthMask> {
    prop_oneof![
        Just(KeyLengthMask::AlgorithmMaximum),
        Just(KeyLengthMask::Minimal),
        (0usize..=80).prop_map(KeyLengthMask::Bytes),
    ]
}

/// Optional blocks as (ID, data): short blocks, and now and then one long enough for the extended form.
fn blocks() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            "[A-Z][0-9A-Z]",
            prop_oneof![4 => "[ -~]{0,40}", 1 => "[0-9A-Za-z+/=]{252,300}"],
        ),
        0..4,
    )
    .prop_filter("a PB block is the wrapper's", |v| {
        v.iter().all(|(id, _)| id != "PB")
    })
}

fn letter<T: Copy + std::fmt::Debug>(all: &'static [T]) -> impl Strategy<Value = T> {
    prop::sample::select(all)
}

#[derive(Debug, Clone)]
struct Case {
    version: Version,
    kbpk_alg: Alg,
    kbpk: Vec<u8>,
    algorithm: Algorithm,
    key: Vec<u8>,
    usage: String,
    mode: ModeOfUse,
    key_version: String,
    exportability: Exportability,
    context: KeyContext,
    blocks: Vec<(String, String)>,
    mask: KeyLengthMask,
    seed: u64,
}

fn case() -> impl Strategy<Value = Case> {
    version()
        .prop_flat_map(|v| (Just(v), kbpk_alg(v)))
        .prop_flat_map(|(v, a)| {
            (
                (
                    Just(v),
                    Just(a),
                    prop::collection::vec(any::<u8>(), a.key_len()),
                ),
                key_shape()
                    .prop_flat_map(|(alg, n)| (Just(alg), prop::collection::vec(any::<u8>(), n))),
                (
                    "[0-9A-Z]{2}",
                    letter(&ModeOfUse::ALL),
                    prop_oneof!["00", "c[1-9]", "[0-9A-Za-z]{2}"],
                    letter(&Exportability::ALL),
                    letter(&KeyContext::ALL),
                ),
                blocks(),
                mask(),
                any::<u64>(),
            )
        })
        .prop_map(
            |(
                (version, kbpk_alg, kbpk),
                (algorithm, key),
                (usage, mode, key_version, exportability, context),
                blocks,
                mask,
                seed,
            )| Case {
                version,
                kbpk_alg,
                kbpk,
                algorithm,
                key,
                usage,
                mode,
                key_version,
                exportability,
                context,
                blocks,
                mask,
                seed: seed | 1,
            },
        )
}

/// Wrap a case; returns the block.
fn wrap(c: &Case) -> String {
    let kbpk = SymmetricKey::new(c.kbpk_alg, &c.kbpk).unwrap();
    let given: Vec<OptionalBlock<'_>> = c
        .blocks
        .iter()
        .map(|(i, d)| OptionalBlock::new(i, d).unwrap())
        .collect();
    let header = header(c).with_blocks(OptionalBlocks::new(&given));
    let n = tr31::wrapped_len(&header, c.key.len(), c.mask).unwrap();
    let mut out = vec![0u8; n + 7];
    let block = tr31::wrap(&kbpk, &header, &c.key, c.mask, &mut Fill(c.seed), &mut out).unwrap();
    assert_eq!(block.len(), n);
    block.to_owned()
}

fn header(c: &Case) -> Header<'static> {
    Header::new(
        c.version,
        Usage::new(&c.usage).unwrap(),
        c.algorithm,
        c.mode,
    )
    .with_key_version(KeyVersion::new(&c.key_version).unwrap())
    .with_exportability(c.exportability)
    .with_context(c.context)
}

proptest! {
    #![proptest_config(regressions::config(400, "tests/proptest-regressions/tr31_props.txt"))]

    #[test]
    fn round_trip(c in case()) {
        let block = wrap(&c);
        let kbpk = SymmetricKey::new(c.kbpk_alg, &c.kbpk).unwrap();
        let versions = if c.version.is_legacy() { Versions::WithLegacy } else { Versions::Current };
        let parsed = KeyBlock::parse(&block, versions).unwrap();
        let h = parsed.header();
        let want = header(&c);
        prop_assert_eq!(h.version(), c.version);
        prop_assert_eq!(h.usage(), want.usage());
        prop_assert_eq!(h.algorithm(), c.algorithm);
        prop_assert_eq!(h.mode_of_use(), c.mode);
        prop_assert_eq!(h.key_version(), want.key_version());
        prop_assert_eq!(h.exportability(), c.exportability);
        prop_assert_eq!(h.context(), c.context);
        // The given blocks, then a PB block exactly when they were not aligned.
        let got: Vec<(String, String)> =
            h.blocks().iter().map(|b| (b.id().to_owned(), b.data().to_owned())).collect();
        let given_len: usize = c.blocks.iter()
            .map(|(_, d)| if 4 + d.len() > 255 { 10 + d.len() } else { 4 + d.len() })
            .sum();
        let aligned = given_len.is_multiple_of(c.version.block_size());
        prop_assert_eq!(&got[..c.blocks.len()], &c.blocks[..]);
        prop_assert_eq!(got.len(), c.blocks.len() + usize::from(!aligned));
        if !aligned {
            let pb = &got[c.blocks.len()];
            prop_assert_eq!(pb.0.as_str(), "PB");
            prop_assert!(pb.1.bytes().all(|b| b == b'0'));
        }
        prop_assert!(h.len().saturating_sub(16).is_multiple_of(c.version.block_size()));
        let mut buf = vec![0u8; parsed.payload_len()];
        let u = parsed.unwrap(&kbpk, &mut buf).unwrap();
        prop_assert_eq!(u.key(), &c.key[..]);
        // The payload is the masked length, rounded up to the cipher block.
        let masked = match c.mask {
            KeyLengthMask::AlgorithmMaximum => match c.algorithm {
                Algorithm::Tdes | Algorithm::Des => 24,
                Algorithm::Aes => 32,
                _ => 0,
            },
            KeyLengthMask::Minimal => 0,
            KeyLengthMask::Bytes(n) => n,
        }
        .max(c.key.len());
        let bs = c.version.block_size();
        prop_assert_eq!(parsed.payload_len(), (2 + masked).div_ceil(bs) * bs);
        // The same key block versions refuse a KBPK of the other family.
        drop(u);
        let other = if c.kbpk_alg.is_tdes() { Alg::Aes256 } else { Alg::Tdes3Key };
        let other = SymmetricKey::new(other, &[7u8; 32][..other.key_len()]).unwrap();
        prop_assert!(parsed.unwrap(&other, &mut buf).is_err());
    }

    #[test]
    fn any_single_change_is_refused(c in case(), pos in any::<prop::sample::Index>(), ch in 0x20u8..0x7F) {
        let block = wrap(&c);
        let kbpk = SymmetricKey::new(c.kbpk_alg, &c.kbpk).unwrap();
        let i = pos.index(block.len());
        let mut bytes = block.clone().into_bytes();
        prop_assume!(bytes[i] != ch);
        let header_len = KeyBlock::parse(&block, Versions::WithLegacy).unwrap().header().len();
        // Upper to lower case inside the hex is the same block.
        prop_assume!(!(i >= header_len && bytes[i].eq_ignore_ascii_case(&ch)));
        bytes[i] = ch;
        let bad = String::from_utf8(bytes).unwrap();
        let mut buf = vec![0x55u8; tr31::MAX_PAYLOAD_LEN];
        let r = tr31::unwrap(&bad, &kbpk, Versions::WithLegacy, &mut buf);
        prop_assert!(r.is_err(), "position {} changed to {:?} still unwraps", i, ch as char);
        drop(r);
        prop_assert!(buf.iter().all(|&b| b == 0 || b == 0x55), "no decrypted byte left behind");
    }

    #[test]
    fn arbitrary_strings_never_panic(s in "[ -~]{0,200}", t in ".{0,64}") {
        poke(&s);
        poke(&t);
    }

    #[test]
    fn block_shaped_strings_never_panic(
        head in "[ABCDE0][0-9A-Z]{2}[ADEHRSTX][BCDEGNSTVXYZ][0-9a-z]{2}[ENSX][0-9]{2}[0123]0",
        rest in prop_oneof!["[0-9A-F]{0,160}", "([A-Z0-9]{2}[0-9A-F]{2}[ -~]{0,20}){0,3}[0-9a-fA-F]{0,96}", "[ -~]{0,300}"],
        fix_length in any::<bool>(),
    ) {
        let len = 5 + head.len() + rest.len();
        let field = if fix_length { format!("{len:04}") } else { "0100".to_owned() };
        let block = format!("{}{}{}{}", &head[..1], field, &head[1..], rest);
        poke(&block);
    }
}

/// Parse and unwrap under fixed KBPKs of every algorithm; must not panic, and a refusal leaves the
/// buffer as it was or zeroed.
fn poke(s: &str) {
    let _ = KeyBlock::parse(s, Versions::Current);
    for alg in Alg::ALL {
        let kbpk = SymmetricKey::new(alg, &[0x3Cu8; 32][..alg.key_len()]).unwrap();
        let mut buf = vec![0x77u8; 64];
        let err = match tr31::unwrap(s, &kbpk, Versions::WithLegacy, &mut buf) {
            Ok(u) => {
                let _ = u.symmetric_key();
                None
            }
            Err(e) => Some(e),
        };
        match err {
            None => {}
            Some(Error::BufferTooSmall { .. }) => assert!(buf.iter().all(|&b| b == 0x77)),
            Some(_) => assert!(buf.iter().all(|&b| b == 0 || b == 0x77)),
        }
    }
}

#[test]
fn wrap_refusals() {
    let aes = SymmetricKey::new(Alg::Aes128, &[1; 16]).unwrap();
    let tdes = SymmetricKey::new(Alg::Tdes2Key, &[2; 16]).unwrap();
    let h = Header::new(
        Version::D,
        Usage::D0,
        Algorithm::Aes,
        ModeOfUse::EncryptDecrypt,
    );
    let mut out = vec![0u8; 200];
    let mut rng = Fill(9);
    let invalid = |problem| Error::Invalid {
        side: None,
        problem,
    };
    assert_eq!(
        tr31::wrap(
            &tdes,
            &h,
            &[0; 16],
            KeyLengthMask::default(),
            &mut rng,
            &mut out
        )
        .map(|_| ()),
        Err(invalid(paycrypt::Problem::KeyBlockKbpk))
    );
    assert_eq!(
        tr31::wrap(&aes, &h, &[], KeyLengthMask::default(), &mut rng, &mut out).map(|_| ()),
        Err(invalid(paycrypt::Problem::KeyBlockPayload))
    );
    assert_eq!(
        tr31::wrapped_len(&h, 5000, KeyLengthMask::Minimal),
        Err(invalid(paycrypt::Problem::KeyBlockPayload))
    );
    let n = tr31::wrapped_len(&h, 16, KeyLengthMask::default()).unwrap();
    assert_eq!(n, 144, "D0144: an AES-128 key obfuscated to 32 bytes");
    assert_eq!(
        tr31::wrap(
            &aes,
            &h,
            &[0; 16],
            KeyLengthMask::default(),
            &mut rng,
            &mut out[..n - 1]
        )
        .map(|_| ()),
        Err(Error::BufferTooSmall { needed: n })
    );
    // A failing RNG: Error::Rng, and nothing of the key left in the output.
    struct Failing;
    #[derive(Debug)]
    struct Oops;
    impl core::fmt::Display for Oops {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("oops")
        }
    }
    impl core::error::Error for Oops {}
    impl TryRng for Failing {
        type Error = Oops;
        fn try_next_u32(&mut self) -> Result<u32, Oops> {
            Err(Oops)
        }
        fn try_next_u64(&mut self) -> Result<u64, Oops> {
            Err(Oops)
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Oops> {
            Err(Oops)
        }
    }
    impl TryCryptoRng for Failing {}
    let mut out = vec![0xEEu8; n];
    assert_eq!(
        tr31::wrap(
            &aes,
            &h,
            &[0xAB; 16],
            KeyLengthMask::default(),
            &mut Failing,
            &mut out
        )
        .map(|_| ()),
        Err(Error::Rng)
    );
    assert!(out.iter().all(|&b| b == 0), "output wiped");
    // 99 optional blocks that need a PB block: one too many.
    let many: Vec<OptionalBlock<'_>> = (0..99)
        .map(|_| OptionalBlock::new("LB", "x").unwrap())
        .collect();
    let h = h.with_blocks(OptionalBlocks::new(&many));
    assert_eq!(
        tr31::wrapped_len(&h, 16, KeyLengthMask::default()),
        Err(invalid(paycrypt::Problem::KeyBlockOptionalBlock))
    );
}
