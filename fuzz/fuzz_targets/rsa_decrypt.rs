//! RSA decryption of arbitrary ciphertexts under the fixed RSA-2048 test key
//! (`test-vectors/rsa/generated/rsa2048.*`, read once as PKCS#8 PEM and as PKCS#1 DER), every padding.
//!
//! Input: byte 0 picks the padding (PKCS1, OAEP_SHA1/256/512, none) and the key encoding, the rest is the
//! ciphertext. Never panics; every failure is `Error::Decryption`. Beyond that:
//! - raw RSA succeeds exactly when PKCS#1 v1.5 does (length k, value below n: implicit rejection means
//!   PKCS#1 never fails on padding), and re-encrypting its result with the public key gives the ciphertext;
//! - PKCS#1 v1.5 is deterministic: two decryptions (fresh blinding each, and one with the key read from
//!   the other encoding) give the same bytes, and a successful result is at most k − 11 bytes;
//! - OAEP results fit the padding's limit.
//!
//! Bit 7 of byte 0 picks the key's encoding (both must behave the same; the checks above hold for each).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paycrypt::OsRng;
use paycrypt::{Error, RsaPadding, RsaPrivateKey, RsaSize};

const PADDINGS: [Option<RsaPadding>; 5] = [
    Some(RsaPadding::Pkcs1),
    Some(RsaPadding::OaepSha1),
    Some(RsaPadding::OaepSha256),
    Some(RsaPadding::OaepSha512),
    None,
];

fn keys() -> &'static [RsaPrivateKey; 2] {
    static KEYS: OnceLock<[RsaPrivateKey; 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            RsaPrivateKey::from_pem(include_str!(
                "../../test-vectors/rsa/generated/rsa2048.pkcs8.pem"
            ))
            .expect("fixed key"),
            RsaPrivateKey::from_der(include_bytes!(
                "../../test-vectors/rsa/generated/rsa2048.pkcs1.der"
            ))
            .expect("fixed key"),
        ]
    })
}

fn decrypt(key: &RsaPrivateKey, padding: Option<RsaPadding>, ct: &[u8]) -> Result<Vec<u8>, Error> {
    let r = key.decrypt(padding, ct, &mut OsRng).map(|p| p.to_vec());
    if let Err(e) = r {
        assert_eq!(
            e,
            Error::Decryption,
            "{padding:?}: every failure is Decryption"
        );
    }
    r
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, ct)) = data.split_first() else {
        return;
    };
    let padding = PADDINGS[usize::from(selector & 7) % PADDINGS.len()];
    let [pem_key, der_key] = keys();
    let key = if selector & 0x80 == 0 {
        pem_key
    } else {
        der_key
    };
    assert_eq!(key.size(), RsaSize::Rsa2048);
    let k = key.size().bytes();

    let got = decrypt(key, padding, ct);
    if ct.len() != k {
        assert!(
            got.is_err(),
            "{padding:?}: wrong length {} accepted",
            ct.len()
        );
        return;
    }
    match padding {
        None => {
            let pkcs1 = decrypt(key, Some(RsaPadding::Pkcs1), ct);
            assert_eq!(got.is_ok(), pkcs1.is_ok(), "raw and PKCS1 agree on range");
            if let Ok(m) = &got {
                assert_eq!(m.len(), k);
                let back = key
                    .public_key()
                    .encrypt(None, m, &mut OsRng)
                    .expect("m < n");
                assert_eq!(back, ct, "raw RSA round trip");
            }
        }
        Some(RsaPadding::Pkcs1) => {
            let other = if std::ptr::eq(key, pem_key) {
                der_key
            } else {
                pem_key
            };
            let again = decrypt(other, padding, ct);
            assert_eq!(got, again, "PKCS1 must be deterministic");
            if let Ok(m) = &got {
                assert!(m.len() <= k - 11);
            }
        }
        Some(p) => {
            if let Ok(m) = &got {
                assert!(m.len() <= paycrypt::rsa::max_plaintext_len(RsaSize::Rsa2048, Some(p)));
            }
        }
    }
});
