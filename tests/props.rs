//! Property tests of the symmetric layer and the hex/IV/key parsers.
//!
//! - round trip: `decrypt(encrypt(x)) == x` for every algorithm × valid mode × length (block multiples up
//!   to 4 KiB), random key and IV; the output has the input's length (the API works in place);
//! - every mode against an independent model built from single-block ECB calls (this is the only check of
//!   AES `CFB64`, 64-bit segments on a 128-bit block, for which no published vector exists);
//! - bad lengths, bad IV sizes, an IV with ECB and `CFB128` with TDES are errors, never panics, and leave
//!   the buffer untouched;
//! - `Iv::from_hex`, `hex::decode` and `SymmetricKey::from_hex` never panic on arbitrary strings and
//!   agree with a simple reference decoder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/regressions.rs"]
mod regressions;

use paycrypt::{Error, Iv, Mode, Problem, SymmetricAlgorithm as Alg, SymmetricKey, hex, symmetric};
use proptest::prelude::*;

#[path = "vectors/reader.rs"]
mod reader;

fn alg() -> impl Strategy<Value = Alg> {
    prop::sample::select(Alg::ALL.to_vec())
}

fn mode() -> impl Strategy<Value = Mode> {
    prop::sample::select(Mode::ALL.to_vec())
}

/// A valid (algorithm, mode) pair.
fn alg_mode() -> impl Strategy<Value = (Alg, Mode)> {
    (alg(), mode()).prop_filter("CFB128 is not defined for TDES", |(a, m)| {
        m.is_valid_for(*a)
    })
}

/// Every valid (algorithm, mode) pair: 39 of the 40.
fn all_pairs() -> impl Iterator<Item = (Alg, Mode)> {
    Alg::ALL
        .into_iter()
        .flat_map(|a| Mode::ALL.into_iter().map(move |m| (a, m)))
        .filter(|(a, m)| m.is_valid_for(*a))
}

/// The largest length the round trip uses for a mode. CFB1 costs one block operation per bit, so its
/// lengths stop at 512 bytes to keep the debug-build run short; every other mode goes to 4 KiB.
fn max_len(mode: Mode) -> usize {
    if mode == Mode::Cfb1 { 512 } else { 4096 }
}

// ---- an independent model of the modes, from single-block ECB -------------------------------------

/// One block encryption through the public ECB mode.
fn e(key: &SymmetricKey, block: &[u8]) -> Vec<u8> {
    let mut b = block.to_vec();
    symmetric::encrypt(key, Mode::Ecb, None, &mut b).unwrap();
    b
}

fn d(key: &SymmetricKey, block: &[u8]) -> Vec<u8> {
    let mut b = block.to_vec();
    symmetric::decrypt(key, Mode::Ecb, None, &mut b).unwrap();
    b
}

fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

fn to_bits(bytes: &[u8]) -> Vec<bool> {
    bytes
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1 == 1))
        .collect()
}

fn from_bits(bits: &[bool]) -> Vec<u8> {
    bits.chunks(8)
        .map(|c| c.iter().fold(0u8, |acc, &b| (acc << 1) | u8::from(b)))
        .collect()
}

/// SP 800-38A, written from the definitions, bit by bit for CFB.
fn model(key: &SymmetricKey, mode: Mode, iv: &[u8], data: &[u8], decrypt: bool) -> Vec<u8> {
    let bs = key.block_size();
    let block_bits = bs * 8;
    let segment_bits = match mode {
        Mode::Cfb1 => 1,
        Mode::Cfb8 => 8,
        Mode::Cfb64 => 64,
        Mode::Cfb128 => 128,
        Mode::Cfb => block_bits,
        _ => 0,
    };
    match mode {
        Mode::Ecb => data
            .chunks(bs)
            .flat_map(|b| if decrypt { d(key, b) } else { e(key, b) })
            .collect(),
        Mode::Cbc => {
            let mut prev = iv.to_vec();
            let mut out = Vec::new();
            for b in data.chunks(bs) {
                if decrypt {
                    out.extend(xor(&d(key, b), &prev));
                    prev = b.to_vec();
                } else {
                    prev = e(key, &xor(b, &prev));
                    out.extend(&prev);
                }
            }
            out
        }
        Mode::Ofb => {
            let mut o = iv.to_vec();
            let mut out = Vec::new();
            for b in data.chunks(bs) {
                o = e(key, &o);
                out.extend(xor(b, &o));
            }
            out
        }
        _ => {
            assert!(segment_bits <= block_bits);
            let mut register = to_bits(iv);
            let input = to_bits(data);
            let mut out = Vec::new();
            for seg in input.chunks(segment_bits) {
                let o = to_bits(&e(key, &from_bits(&register)));
                let res: Vec<bool> = seg.iter().zip(&o).map(|(x, y)| x ^ y).collect();
                let fed = if decrypt { seg.to_vec() } else { res.clone() };
                register.drain(..segment_bits);
                register.extend(fed);
                out.extend(res);
            }
            from_bits(&out)
        }
    }
}

proptest! {
    // Every case runs all 39 pairs (468 round trips in all); the debug build of `des` is slow.
    #![proptest_config(regressions::config(12, "tests/proptest-regressions/props.txt"))]

    /// Each case runs every valid (algorithm, mode) pair with a random key, IV and block-multiple length.
    #[test]
    fn round_trip(
        material in prop::collection::vec(any::<u8>(), 32),
        iv in prop::collection::vec(any::<u8>(), 16),
        data in prop::collection::vec(any::<u8>(), 4096),
        len_seed in any::<usize>(),
    ) {
        for (alg, mode) in all_pairs() {
            let bs = alg.block_size();
            let key = SymmetricKey::new(alg, &material[..alg.key_len()]).unwrap();
            let iv = if mode == Mode::Ecb { None } else { Some(Iv::new(&iv[..bs]).unwrap()) };
            let len = (1 + len_seed % (max_len(mode) / bs)) * bs;
            let mut buf = data[..len].to_vec();
            symmetric::encrypt(&key, mode, iv.as_ref(), &mut buf).unwrap();
            prop_assert_eq!(buf.len(), len);
            symmetric::decrypt(&key, mode, iv.as_ref(), &mut buf).unwrap();
            prop_assert!(buf == data[..len], "{} {} len {}", alg, mode, len);
        }
    }
}

proptest! {
    #![proptest_config(regressions::config(24, "tests/proptest-regressions/props.txt"))]

    /// Every pair and direction equals the model, on short data (up to 8 blocks: the model is slow).
    #[test]
    fn matches_the_model(
        material in prop::collection::vec(any::<u8>(), 32),
        iv in prop::collection::vec(any::<u8>(), 16),
        data in prop::collection::vec(any::<u8>(), 128),
        blocks in 1usize..=8,
    ) {
        for (alg, mode) in all_pairs() {
            let bs = alg.block_size();
            let key = SymmetricKey::new(alg, &material[..alg.key_len()]).unwrap();
            let iv_bytes = &iv[..bs];
            let data = &data[..blocks * bs];
            let iv = if mode == Mode::Ecb { None } else { Some(Iv::new(iv_bytes).unwrap()) };
            for decrypt in [false, true] {
                let expected = model(&key, mode, iv_bytes, data, decrypt);
                let mut buf = data.to_vec();
                if decrypt {
                    symmetric::decrypt(&key, mode, iv.as_ref(), &mut buf).unwrap();
                } else {
                    symmetric::encrypt(&key, mode, iv.as_ref(), &mut buf).unwrap();
                }
                prop_assert!(buf == expected, "{} {} decrypt={}", alg, mode, decrypt);
            }
        }
    }
}

/// Both directions, the buffer must be untouched and the error must be `expected`.
fn refused(key: &SymmetricKey, mode: Mode, iv: Option<&Iv>, data: &[u8], expected: Problem) {
    for decrypt in [false, true] {
        let mut buf = data.to_vec();
        let r = if decrypt {
            symmetric::decrypt(key, mode, iv, &mut buf)
        } else {
            symmetric::encrypt(key, mode, iv, &mut buf)
        };
        assert_eq!(
            r,
            Err(Error::Invalid {
                side: None,
                problem: expected
            }),
            "{} {mode} decrypt={decrypt} len={}",
            key.algorithm(),
            data.len()
        );
        assert_eq!(buf, data, "buffer touched on error");
    }
}

proptest! {
    #![proptest_config(regressions::config(512, "tests/proptest-regressions/props.txt"))]

    #[test]
    fn bad_lengths_are_refused(
        (alg, mode) in alg_mode(),
        data in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let bs = alg.block_size();
        prop_assume!(data.is_empty() || data.len() % bs != 0);
        let key = SymmetricKey::new(alg, &[0x3c; 32][..alg.key_len()]).unwrap();
        refused(&key, mode, None, &data, Problem::DataLength { block_size: bs, actual: data.len() });
    }

    #[test]
    fn bad_ivs_are_refused(
        (alg, mode) in alg_mode(),
        iv_len in prop::sample::select(vec![8usize, 16]),
        blocks in 1usize..8,
    ) {
        let key = SymmetricKey::new(alg, &[0x3c; 32][..alg.key_len()]).unwrap();
        let iv = Iv::new(&[0x11; 16][..iv_len]).unwrap();
        let data = vec![0x22; blocks * alg.block_size()];
        if mode == Mode::Ecb {
            refused(&key, mode, Some(&iv), &data, Problem::IvWithEcb);
        } else if iv_len != alg.block_size() {
            refused(&key, mode, Some(&iv), &data,
                Problem::IvLength { expected: alg.block_size(), actual: iv_len });
        } else {
            let mut buf = data.clone();
            prop_assert!(symmetric::encrypt(&key, mode, Some(&iv), &mut buf).is_ok());
        }
    }

    #[test]
    fn iv_sizes_other_than_8_or_16_are_refused(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        let r = Iv::new(&bytes);
        if bytes.len() == 8 || bytes.len() == 16 {
            let iv = r.unwrap();
            prop_assert_eq!(iv.as_bytes(), &bytes[..]);
        } else {
            let is_iv_length = matches!(
                r,
                Err(Error::Invalid { problem: Problem::IvLength { actual, .. }, .. }) if actual == bytes.len()
            );
            prop_assert!(is_iv_length, "{:?}", r);
        }
    }

    #[test]
    fn cfb128_with_tdes_is_refused(
        tdes in prop::sample::select(vec![Alg::Tdes2Key, Alg::Tdes3Key]),
        blocks in 0usize..8,
        with_iv in any::<bool>(),
    ) {
        let key = SymmetricKey::new(tdes, &[0x3c; 24][..tdes.key_len()]).unwrap();
        let iv = Iv::new(&[0x11; 8]).unwrap();
        let data = vec![0x22; blocks * 8 + usize::from(blocks % 2 == 1)];
        refused(&key, Mode::Cfb128, with_iv.then_some(&iv), &data,
            Problem::ModeNotSupported { mode: Mode::Cfb128, algorithm: tdes });
    }

    #[test]
    fn key_lengths_are_checked(alg in alg(), material in prop::collection::vec(any::<u8>(), 0..40)) {
        let r = SymmetricKey::new(alg, &material);
        prop_assert_eq!(r.is_ok(), material.len() == alg.key_len());
    }
}

// ---- parsers ---------------------------------------------------------------------------------------

/// A plain reference decoder: `None` for odd length or a non-hex character.
fn reference_unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect(),
    )
}

/// Mostly-hex strings (so the valid path is reached often), with a few stray characters.
fn hexish() -> impl Strategy<Value = String> {
    "[0-9a-fA-F]{0,70}|[0-9a-fA-F xg+-]{0,70}"
}

fn check_hex_decode(s: &str) {
    let mut out = [0u8; 64];
    let r = hex::decode(s, &mut out);
    match reference_unhex(s) {
        Some(bytes) if bytes.len() <= 64 => {
            assert_eq!(r.unwrap(), &bytes[..]);
            let mut enc = [0u8; 128];
            assert_eq!(
                hex::encode_upper(&bytes, &mut enc[..bytes.len() * 2]).unwrap(),
                s.to_ascii_uppercase()
            );
        }
        Some(bytes) => assert_eq!(
            r,
            Err(Error::BufferTooSmall {
                needed: bytes.len()
            })
        ),
        None => assert!(r.is_err()),
    }
}

fn check_iv_from_hex(s: &str) {
    let r = Iv::from_hex(s);
    match reference_unhex(s) {
        Some(bytes) if bytes.len() == 8 || bytes.len() == 16 => {
            assert_eq!(r.unwrap().as_bytes(), &bytes[..]);
        }
        _ => assert!(r.is_err(), "{s:?} accepted"),
    }
}

fn check_key_from_hex(s: &str) {
    for alg in Alg::ALL {
        let r = SymmetricKey::from_hex(alg, s);
        let ok = reference_unhex(s).is_some_and(|b| b.len() == alg.key_len());
        assert_eq!(r.is_ok(), ok, "{alg} {s:?}");
    }
}

proptest! {
    #![proptest_config(regressions::config(1024, "tests/proptest-regressions/props.txt"))]

    #[test]
    fn hex_decode_never_panics(s in any::<String>()) {
        check_hex_decode(&s);
    }

    #[test]
    fn hex_decode_agrees(s in hexish()) {
        check_hex_decode(&s);
    }

    #[test]
    fn iv_from_hex_never_panics(s in any::<String>()) {
        check_iv_from_hex(&s);
    }

    #[test]
    fn iv_from_hex_agrees(s in hexish()) {
        check_iv_from_hex(&s);
    }

    #[test]
    fn key_from_hex_never_panics(s in any::<String>()) {
        check_key_from_hex(&s);
    }

    #[test]
    fn key_from_hex_agrees(s in "[0-9a-fA-F]{0,70}") {
        check_key_from_hex(&s);
    }
}

/// The model itself must be right: it reproduces every SP 800-38A Appendix F vector, both directions
/// (CFB1 on its 16 bits, CFB8 on its 18 bytes: the model needs no padding).
#[test]
fn model_reproduces_sp800_38a() {
    let doc = reader::json("modes-aes/sp800_38a_appendix_f.json");
    doc.waive(&["title", "format"], "documentation");
    let mut n = 0;
    for v in doc.array("vectors") {
        v.waive(
            &["section", "name", "decrypt_section", "key_bits"],
            "labels",
        );
        let mode = Mode::from_aws_name(&v.str("mode")).unwrap();
        let key = v.hex("key");
        let alg = match key.len() {
            16 => Alg::Aes128,
            24 => Alg::Aes192,
            _ => Alg::Aes256,
        };
        let key = SymmetricKey::new(alg, &key).unwrap();
        let iv = v.opt_hex("iv").unwrap_or_default();
        let (p, c) = if mode == Mode::Cfb1 {
            let (p, pn) = reader::bits(&v.str("plaintext_bits"));
            let (c, cn) = reader::bits(&v.str("ciphertext_bits"));
            assert!(pn == 16 && cn == 16, "{}", v.origin);
            (p, c)
        } else {
            (v.hex("plaintext"), v.hex("ciphertext"))
        };
        assert_eq!(model(&key, mode, &iv, &p, false), c, "{}", v.origin);
        assert_eq!(model(&key, mode, &iv, &c, true), p, "{}", v.origin);
        n += 1;
    }
    assert_eq!(n, 18);
}
