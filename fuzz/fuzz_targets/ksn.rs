//! `Ksn::from_hex`, then `derive_data_key` with a fixed TDES BDK and fixed AES-128 / AES-256 BDKs.
//!
//! Input: byte 0 picks the variant and the derivation type, the rest is the KSN string. Checked against
//! rules written here: which strings parse (16/20/24 hex digits, non-zero counter), how the KSN prints,
//! which BDK/KSN/derivation-type pairings derive and which error they give, that derivation is
//! deterministic, that `REQUEST` = `BIDIRECTIONAL` for TDES, and that a 16-digit TDES KSN derives as its
//! `FFFF`-padded 20-digit form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::dukpt::derive_data_key;
use paycrypt::{
    DukptKeyVariant, Error, Ksn, Mode, Problem, SymmetricAlgorithm as Alg, SymmetricKey, symmetric,
};

const DERIVATION: [Option<Alg>; 6] = [
    None,
    Some(Alg::Tdes2Key),
    Some(Alg::Tdes3Key),
    Some(Alg::Aes128),
    Some(Alg::Aes192),
    Some(Alg::Aes256),
];
const VARIANT: [Option<DukptKeyVariant>; 4] = [
    None,
    Some(DukptKeyVariant::Bidirectional),
    Some(DukptKeyVariant::Request),
    Some(DukptKeyVariant::Response),
];

/// What a key encrypts a fixed 16 bytes to (ECB): stands for the key in comparisons.
fn fingerprint(key: &SymmetricKey) -> [u8; 16] {
    let mut b = *b"paycrypt-fuzz-ks";
    symmetric::encrypt(key, Mode::Ecb, None, &mut b).expect("16 bytes is whole blocks");
    b
}

fn invalid(problem: Problem) -> Error {
    Error::Invalid {
        side: None,
        problem,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = core::str::from_utf8(rest) else {
        return;
    };
    let variant = VARIANT[usize::from(selector & 3)];
    let derivation = DERIVATION[usize::from(selector >> 2) % DERIVATION.len()];

    let parsed = Ksn::from_hex(s);
    let digits = s.len();
    let is_hex = s.bytes().all(|c| c.is_ascii_hexdigit());
    // The reference parse: the 10- or 12-byte form, or the error.
    let expected: Result<Vec<u8>, Error> = if !matches!(digits, 16 | 20 | 24) {
        Err(invalid(Problem::KsnLength { hex_digits: digits }))
    } else if !is_hex {
        Err(invalid(Problem::Hex))
    } else {
        let mut bytes: Vec<u8> = (0..digits / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("checked hex"))
            .collect();
        if digits == 16 {
            bytes.splice(0..0, [0xFF, 0xFF]);
        }
        let counter = if digits == 24 {
            u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]])
        } else {
            u32::from_be_bytes([0, bytes[7] & 0x1F, bytes[8], bytes[9]])
        };
        if counter == 0 {
            Err(invalid(Problem::KsnCounterZero))
        } else {
            Ok(bytes)
        }
    };
    let ksn = match (parsed, expected) {
        (Ok(k), Ok(bytes)) => {
            assert_eq!(k.as_bytes(), &bytes[..]);
            assert_eq!(k.hex_digits(), digits);
            assert_eq!(k.is_aes(), digits == 24);
            assert_ne!(k.counter(), 0);
            let printed = k.to_string();
            let mut want = s.to_ascii_uppercase();
            if digits == 16 {
                want.insert_str(0, "FFFF");
            }
            assert_eq!(printed, want);
            assert_eq!(
                Ksn::from_bytes(k.as_bytes()).map(|b| *b.as_bytes() == *k.as_bytes()),
                Ok(true)
            );
            k
        }
        (Err(e), Err(want)) => {
            assert_eq!(e, want, "{s:?}");
            return;
        }
        (got, want) => panic!("Ksn::from_hex({s:?}) = {got:?}, reference {want:?}"),
    };

    let tdes_bdk =
        SymmetricKey::from_hex(Alg::Tdes2Key, "0123456789ABCDEFFEDCBA9876543210").unwrap();
    let tdes3_bdk = SymmetricKey::from_hex(
        Alg::Tdes3Key,
        "0123456789ABCDEFFEDCBA98765432100011223344556677",
    )
    .unwrap();
    let aes128_bdk =
        SymmetricKey::from_hex(Alg::Aes128, "FEDCBA9876543210F1F1F1F1F1F1F1F1").unwrap();
    let aes256_bdk = SymmetricKey::new(Alg::Aes256, &[0xA5; 32]).unwrap();

    assert_eq!(
        derive_data_key(&tdes3_bdk, &ksn, variant, derivation).err(),
        Some(invalid(Problem::AttributesForKey))
    );

    // TDES BDK.
    let r = derive_data_key(&tdes_bdk, &ksn, variant, derivation);
    if ksn.is_aes() {
        assert_eq!(
            r.err(),
            Some(invalid(Problem::KsnLength { hex_digits: 24 }))
        );
    } else if let Some(requested) = derivation.filter(|&d| d != Alg::Tdes2Key) {
        assert_eq!(
            r.err(),
            Some(invalid(Problem::DerivationType {
                requested,
                bdk: Alg::Tdes2Key
            }))
        );
    } else {
        let key = r.expect("TDES BDK, TDES KSN");
        assert_eq!(key.algorithm(), Alg::Tdes2Key);
        let again = derive_data_key(&tdes_bdk, &ksn, variant, derivation).unwrap();
        assert_eq!(fingerprint(&key), fingerprint(&again), "deterministic");
        if variant != Some(DukptKeyVariant::Response) {
            // REQUEST, BIDIRECTIONAL and absent are all the request variant.
            let request =
                derive_data_key(&tdes_bdk, &ksn, Some(DukptKeyVariant::Request), None).unwrap();
            assert_eq!(fingerprint(&key), fingerprint(&request));
        }
        if digits == 16 {
            let long = Ksn::from_hex(&format!("FFFF{s}")).unwrap();
            let k2 = derive_data_key(&tdes_bdk, &long, variant, derivation).unwrap();
            assert_eq!(
                fingerprint(&key),
                fingerprint(&k2),
                "16-digit KSN = FFFF-padded"
            );
        }
    }

    // AES BDKs.
    for bdk in [&aes128_bdk, &aes256_bdk] {
        let r = derive_data_key(bdk, &ksn, variant, derivation);
        let wanted = derivation.unwrap_or(bdk.algorithm());
        if !ksn.is_aes() {
            assert_eq!(
                r.err(),
                Some(invalid(Problem::KsnLength { hex_digits: digits }))
            );
        } else if wanted > bdk.algorithm() {
            assert_eq!(
                r.err(),
                Some(invalid(Problem::DerivationType {
                    requested: wanted,
                    bdk: bdk.algorithm()
                }))
            );
        } else {
            let key = r.expect("AES BDK, AES KSN, allowed type");
            assert_eq!(key.algorithm(), wanted);
            let again = derive_data_key(bdk, &ksn, variant, derivation).unwrap();
            assert_eq!(fingerprint(&key), fingerprint(&again), "deterministic");
            if variant.is_none() {
                let bidi =
                    derive_data_key(bdk, &ksn, Some(DukptKeyVariant::Bidirectional), derivation)
                        .unwrap();
                assert_eq!(
                    fingerprint(&key),
                    fingerprint(&bidi),
                    "absent = BIDIRECTIONAL"
                );
            }
        }
    }
});
