//! `paycrypt::tr31`: parse and unwrap of any string under fixed KBPKs (one or more of each algorithm,
//! taken from the published vectors so that their blocks, in the seeds, get past the MAC).
//!
//! Input: byte 0 bit 0 = accept the legacy versions A/C; the rest is the block (UTF-8, lossily).
//! Checked:
//! - parse refuses only with a key-block `Problem` (no side); what it accepts adds up: header text =
//!   the header's length, block length = header + payload hex + MAC hex, a non-empty whole number of
//!   cipher blocks, the listed optional-block count; the legacy option accepts a superset, the same way;
//! - unwrap refuses only with `Decryption` (the buffer then holds zeros where the payload was
//!   decrypted, nothing else changed), a key-block `Problem`, never `BufferTooSmall` with a
//!   `MAX_PAYLOAD_LEN` buffer; a refused parse or KBPK leaves the buffer untouched;
//! - `parse_header` (a header alone) refuses only with a key-block problem, takes all of its text, and
//!   gives a parsed block's header from that block's header text;
//! - every block that unwraps is re-wrapped byte for byte (hex case aside) from its header, key and
//!   padding.
#![no_main]

use std::convert::Infallible;

use libfuzzer_sys::fuzz_target;
use paycrypt::rand_core::{TryCryptoRng, TryRng};
use paycrypt::tr31::{self, KeyBlock, KeyLengthMask, Versions};
use paycrypt::{Error, Problem, SymmetricAlgorithm as Alg, SymmetricKey};

const KBPKS: &[(Alg, &str)] = &[
    (Alg::Tdes2Key, "89E88CF7931444F334BD7547FC3F380C"),
    (Alg::Tdes2Key, "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB"),
    (
        Alg::Tdes3Key,
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCC",
    ),
    (Alg::Aes128, "00112233445566778899AABBCCDDEEFF"),
    (Alg::Aes128, "000102030405060708090A0B0C0D0E0F"),
    (
        Alg::Aes192,
        "00112233445566778899AABBCCDDEEFF0011223344556677",
    ),
    (
        Alg::Aes256,
        "88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6",
    ),
];

struct Replay<'a>(&'a [u8]);

impl TryRng for Replay<'_> {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unreachable!()
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        unreachable!()
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        assert_eq!(dst.len(), self.0.len(), "padding length");
        dst.copy_from_slice(self.0);
        Ok(())
    }
}

impl TryCryptoRng for Replay<'_> {}

fn is_block_problem(e: &Error) -> bool {
    matches!(
        e,
        Error::Invalid {
            side: None,
            problem: Problem::KeyBlockVersion
                | Problem::KeyBlockKbpk
                | Problem::KeyBlockLength
                | Problem::KeyBlockHeader
                | Problem::KeyBlockOptionalBlock
                | Problem::KeyBlockPayload
                | Problem::KeyBlockHex
        }
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let versions = if flags & 1 == 1 {
        Versions::WithLegacy
    } else {
        Versions::Current
    };
    let text = String::from_utf8_lossy(rest);
    let s: &str = &text;

    let parsed = KeyBlock::parse(s, versions);
    let legacy = KeyBlock::parse(s, Versions::WithLegacy);
    match &parsed {
        Ok(kb) => {
            assert_eq!(legacy.as_ref().ok(), Some(kb), "legacy accepts a superset");
            let h = kb.header();
            let v = h.version();
            assert!(s.starts_with(kb.header_text()));
            assert_eq!(kb.header_text().len(), h.len());
            assert_eq!(s.len(), h.len() + 2 * kb.payload_len() + 2 * v.mac_len());
            assert!(kb.payload_len() > 0 && kb.payload_len() % v.block_size() == 0);
            assert_eq!((h.len() - 16) % v.block_size(), 0);
            assert_eq!(
                h.blocks().iter().count(),
                usize::from(s.as_bytes()[12] - b'0') * 10 + usize::from(s.as_bytes()[13] - b'0')
            );
            assert!(h.blocks().iter().all(|b| b.id().len() == 2));
        }
        Err(e) => assert!(is_block_problem(e), "parse: {e:?}"),
    }
    // A header on its own (`tr31::parse_header`, what `paycrypt tr31 wrap --header` reads): refused
    // only with a key-block problem, all of the text when accepted, and a parsed block's header text
    // gives that block's header.
    match tr31::parse_header(s, versions) {
        Ok(h) => assert_eq!(h.len(), s.len(), "parse_header takes all of it"),
        Err(e) => assert!(is_block_problem(&e), "parse_header: {e:?}"),
    }
    if let Ok(kb) = &parsed {
        assert_eq!(
            tr31::parse_header(kb.header_text(), versions).as_ref(),
            Ok(kb.header()),
            "the header of a parsed block"
        );
    }

    let mut buf = vec![0xA5u8; tr31::MAX_PAYLOAD_LEN];
    for (alg, hex) in KBPKS {
        let kbpk = SymmetricKey::from_hex(*alg, hex).expect("fixed KBPK");
        buf.fill(0xA5);
        let outcome = match tr31::unwrap(s, &kbpk, versions, &mut buf) {
            Ok(u) => {
                let header = *u.header();
                let key = u.key().to_vec();
                let padding = u.padding().to_vec();
                assert!(
                    key.len() + padding.len() + 2 == parsed.as_ref().expect("parsed").payload_len()
                );
                drop(u);
                let mask = KeyLengthMask::Bytes(key.len() + padding.len());
                let mut out =
                    vec![0u8; tr31::wrapped_len(&header, key.len(), mask).expect("rewrap length")];
                let again = tr31::wrap(&kbpk, &header, &key, mask, &mut Replay(&padding), &mut out)
                    .expect("rewrap");
                let n = header.len();
                assert_eq!(&again[..n], &s[..n]);
                assert!(again[n..].eq_ignore_ascii_case(&s[n..]), "rewrap differs");
                None
            }
            Err(e) => Some(e),
        };
        match outcome {
            None => {
                let n = parsed.as_ref().expect("parsed").payload_len();
                assert!(buf[..n].iter().all(|&b| b == 0), "wiped on drop");
                assert!(buf[n..].iter().all(|&b| b == 0xA5));
            }
            Some(Error::Decryption) => {
                let n = parsed
                    .as_ref()
                    .expect("MAC checked only after parsing")
                    .payload_len();
                assert!(buf[..n].iter().all(|&b| b == 0), "decrypted bytes wiped");
                assert!(buf[n..].iter().all(|&b| b == 0xA5));
            }
            Some(e) => {
                assert!(is_block_problem(&e), "unwrap: {e:?}");
                assert!(buf.iter().all(|&b| b == 0xA5), "refused before decrypting");
            }
        }
    }
});
