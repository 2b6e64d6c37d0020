//! `paycrypt::hex`: arbitrary strings against a reference decoder written here.
//!
//! Decoding succeeds exactly for even-length strings of ASCII hex digits (either case), gives the bytes the
//! reference computes, and re-encodes to the upper-cased input. Odd length or any other character is
//! `Problem::Hex`; a buffer one byte short is `BufferTooSmall`, checked before the digits; a failed decode
//! leaves the output zeroed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::{Error, Problem, hex};

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The reference: `None` for anything that is not even-length hex.
fn reference(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    let expected = reference(s);
    let n = s.len() / 2;

    let mut out = vec![0xEEu8; n];
    let got = hex::decode(s, &mut out).map(|b| b.to_vec());
    match (&expected, &got) {
        (Some(e), Ok(g)) => assert_eq!(e, g),
        (None, Err(e)) => {
            assert_eq!(
                *e,
                Error::Invalid {
                    side: None,
                    problem: Problem::Hex
                }
            );
            assert!(
                out.iter().all(|&b| b == 0 || b == 0xEE),
                "failed decode leaves digits"
            );
            if s.len() % 2 == 0 {
                assert!(
                    out.iter().all(|&b| b == 0),
                    "failed decode must zero the output"
                );
            }
        }
        _ => panic!("hex::decode({s:?}) = {got:?}, reference {expected:?}"),
    }

    // One byte short: odd length is still Hex, otherwise BufferTooSmall before any digit is looked at.
    if n > 0 {
        let mut short = vec![0u8; n - 1];
        let r = hex::decode(s, &mut short);
        if s.len() % 2 != 0 {
            assert_eq!(
                r,
                Err(Error::Invalid {
                    side: None,
                    problem: Problem::Hex
                })
            );
        } else {
            assert_eq!(r, Err(Error::BufferTooSmall { needed: n }));
        }
    }

    // Round trip: encoding gives the upper-cased input.
    if let Some(bytes) = expected {
        let mut enc = vec![0u8; bytes.len() * 2];
        let e = hex::encode_upper(&bytes, &mut enc).expect("exact buffer");
        assert_eq!(e, s.to_ascii_uppercase());
        assert_eq!(hex::encode_upper_string(&bytes), e);
        if !bytes.is_empty() {
            let mut small = vec![0u8; bytes.len() * 2 - 1];
            assert!(hex::encode_upper(&bytes, &mut small).is_err());
        }
    }
});
