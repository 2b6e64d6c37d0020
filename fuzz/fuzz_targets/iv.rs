//! `Iv::from_hex`, then a mode operation that uses it.
//!
//! Input: byte 0 picks the algorithm, byte 1 the mode and the data length, the rest is the IV string.
//! The IV parses exactly for 16 or 32 hex digits; the operation succeeds exactly when the mode is valid
//! for the algorithm, is not ECB and the IV is one block; on success decryption restores the data and the
//! result equals the same operation with the IV built from bytes; on failure the buffer is untouched.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::{Error, Iv, Mode, Problem, SymmetricAlgorithm as Alg, SymmetricKey, symmetric};

fuzz_target!(|data: &[u8]| {
    let [a, m, rest @ ..] = data else {
        return;
    };
    let Ok(s) = core::str::from_utf8(rest) else {
        return;
    };
    let alg = Alg::ALL[usize::from(*a) % Alg::ALL.len()];
    let mode = Mode::ALL[usize::from(*m & 7)];
    let len = usize::from(*m >> 3) * 4; // 0..=124 bytes: whole blocks and not

    let iv = Iv::from_hex(s);
    let is_hex = s.bytes().all(|c| c.is_ascii_hexdigit()) && s.len() % 2 == 0;
    let iv = match iv {
        Ok(iv) => {
            assert!(is_hex && matches!(s.len(), 16 | 32), "{s:?} parsed");
            let bytes: Vec<u8> = (0..s.len() / 2)
                .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            assert_eq!(iv.as_bytes(), &bytes[..]);
            assert_eq!(Iv::new(&bytes), Ok(iv));
            iv
        }
        Err(e) => {
            assert!(
                !(is_hex && matches!(s.len(), 16 | 32)),
                "{s:?} refused: {e:?}"
            );
            match e {
                Error::Invalid {
                    side: None,
                    problem: Problem::Hex | Problem::IvLength { .. },
                } => {}
                other => panic!("unexpected error {other:?}"),
            }
            return;
        }
    };

    let key = SymmetricKey::new(alg, &[0x3C; 32][..alg.key_len()]).unwrap();
    let original: Vec<u8> = (0..len as u8).collect();
    let mut buf = original.clone();
    let r = symmetric::encrypt(&key, mode, Some(&iv), &mut buf);
    let bs = alg.block_size();
    let should_work = mode.is_valid_for(alg)
        && mode != Mode::Ecb
        && iv.as_bytes().len() == bs
        && len > 0
        && len % bs == 0;
    assert_eq!(
        r.is_ok(),
        should_work,
        "{alg} {mode} iv {} len {len}: {r:?}",
        iv.as_bytes().len()
    );
    if r.is_err() {
        assert_eq!(buf, original, "no output on error");
        return;
    }
    let mut again = original.clone();
    symmetric::encrypt(
        &key,
        mode,
        Some(&Iv::new(iv.as_bytes()).unwrap()),
        &mut again,
    )
    .unwrap();
    assert_eq!(buf, again, "deterministic");
    symmetric::decrypt(&key, mode, Some(&iv), &mut buf).unwrap();
    assert_eq!(buf, original, "{alg} {mode} round trip");
});
