//! RSA properties: round trips for every size × padding with messages up to the limit, the limits
//! themselves, raw RSA's range rule, no panic and one error on hostile input.
//!
//! One key per size, generated once by OpenSSL and checked in (`test-vectors/rsa/generated/`, see its
//! `SOURCES.md`): key generation in a debug build would dominate the test time.

#![cfg(feature = "alloc")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/regressions.rs"]
mod regressions;

use std::sync::OnceLock;

use paycrypt::rand_core::{TryCryptoRng, TryRng};
use paycrypt::rsa::{RsaHardening, max_plaintext_len};
use paycrypt::{Error, Problem, RsaPadding, RsaPrivateKey, RsaPublicKey, RsaSize};
use proptest::prelude::*;

#[path = "support/rng.rs"]
mod rng;
use rng::TestRng;

/// An RNG that always fails.
struct BrokenRng;

impl TryRng for BrokenRng {
    type Error = core::fmt::Error;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Err(core::fmt::Error)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Err(core::fmt::Error)
    }
    fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
        Err(core::fmt::Error)
    }
}
impl TryCryptoRng for BrokenRng {}

const SIZES: [RsaSize; 3] = [RsaSize::Rsa2048, RsaSize::Rsa3072, RsaSize::Rsa4096];
const PADDINGS: [Option<RsaPadding>; 5] = [
    Some(RsaPadding::Pkcs1),
    Some(RsaPadding::OaepSha1),
    Some(RsaPadding::OaepSha256),
    Some(RsaPadding::OaepSha512),
    None,
];

fn key_pem(size: RsaSize) -> String {
    let path = format!(
        "{}/test-vectors/rsa/generated/rsa{}.pkcs8.pem",
        env!("CARGO_MANIFEST_DIR"),
        size.bits()
    );
    std::fs::read_to_string(&path).unwrap()
}

fn key(size: RsaSize) -> &'static RsaPrivateKey {
    static KEYS: OnceLock<Vec<RsaPrivateKey>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        SIZES
            .iter()
            .map(|s| {
                let k = RsaPrivateKey::from_pem(&key_pem(*s)).unwrap();
                assert_eq!(k.size(), *s);
                k
            })
            .collect()
    });
    &keys[SIZES.iter().position(|s| *s == size).unwrap()]
}

fn invalid(problem: Problem) -> Error {
    Error::Invalid {
        side: None,
        problem,
    }
}

#[test]
fn limits_match_the_spec() {
    // k − 11, k − 2·hLen − 2, k.
    let table = [
        (RsaSize::Rsa2048, [245, 214, 190, 126, 256]),
        (RsaSize::Rsa3072, [373, 342, 318, 254, 384]),
        (RsaSize::Rsa4096, [501, 470, 446, 382, 512]),
    ];
    for (size, maxes) in table {
        for (padding, max) in PADDINGS.iter().zip(maxes) {
            assert_eq!(
                max_plaintext_len(size, *padding),
                max,
                "{size:?} {padding:?}"
            );
        }
    }
}

#[test]
fn aws_names_round_trip() {
    for p in RsaPadding::ALL {
        assert_eq!(RsaPadding::from_aws_name(p.aws_name()), Some(p));
        assert_eq!(p.to_string(), p.aws_name());
    }
    assert_eq!(RsaPadding::from_aws_name("OAEP_SHA384"), None);
    assert_eq!(RsaPadding::from_aws_name("pkcs1"), None);
}

/// Each size × padding at the edges: empty (raw: all zero), the maximum, one past it.
#[test]
fn edges_for_every_size_and_padding() {
    let mut rng = TestRng::new(7);
    for size in SIZES {
        let private = key(size);
        let public = private.public_key();
        for padding in PADDINGS {
            let max = max_plaintext_len(size, padding);
            let lengths: &[usize] = if padding.is_some() {
                &[0, 1, max]
            } else {
                &[max]
            };
            for &len in lengths {
                let msg = vec![0u8; len];
                let ct = public.encrypt(padding, &msg, &mut rng).unwrap();
                assert_eq!(ct.len(), size.bytes());
                let back = private.decrypt(padding, &ct, &mut rng).unwrap();
                assert_eq!(&back[..], &msg[..], "{size:?} {padding:?} len {len}");
            }
            let long = vec![1u8; max + 1];
            assert_eq!(
                public.encrypt(padding, &long, &mut rng),
                Err(invalid(Problem::PlaintextTooLong {
                    max,
                    actual: max + 1
                })),
                "{size:?} {padding:?}"
            );
            // Ciphertexts of the wrong length are the one decryption error.
            for len in [0, size.bytes() - 1, size.bytes() + 1] {
                assert_eq!(
                    private.decrypt(padding, &vec![1u8; len], &mut rng),
                    Err(Error::Decryption)
                );
            }
            // A ciphertext not below the modulus (all 0xFF) is the same error.
            assert_eq!(
                private.decrypt(padding, &vec![0xFF; size.bytes()], &mut rng),
                Err(Error::Decryption)
            );
        }
        // Raw: shorter than k, or not below the modulus, is refused.
        assert_eq!(
            public.encrypt(None, &vec![0u8; size.bytes() - 1], &mut rng),
            Err(invalid(Problem::RsaRawPlaintext))
        );
        assert_eq!(
            public.encrypt(None, &vec![0xFF; size.bytes()], &mut rng),
            Err(invalid(Problem::RsaRawPlaintext))
        );
        // An RNG failure is reported as such, for padding and for blinding.
        assert_eq!(
            public.encrypt(Some(RsaPadding::OaepSha256), b"x", &mut BrokenRng),
            Err(Error::Rng)
        );
        let ct = public
            .encrypt(Some(RsaPadding::OaepSha256), b"x", &mut rng)
            .unwrap();
        // Blinding draws from the RNG when a key's blinding factor is made: at the key's first
        // private operation (a key fresh from import here) and every 32 operations after it; with
        // exponent blinding, at every operation.
        let fresh = RsaPrivateKey::from_pem(&key_pem(size)).unwrap();
        assert_eq!(
            fresh.decrypt(Some(RsaPadding::OaepSha256), &ct, &mut BrokenRng),
            Err(Error::Rng)
        );
        let hardened = fresh.with_hardening(RsaHardening::ALL);
        hardened
            .decrypt(Some(RsaPadding::OaepSha256), &ct, &mut rng)
            .unwrap();
        assert_eq!(
            hardened.decrypt(Some(RsaPadding::OaepSha256), &ct, &mut BrokenRng),
            Err(Error::Rng)
        );
    }
}

#[test]
fn public_key_and_debug() {
    let private = key(RsaSize::Rsa2048);
    let public = private.public_key();
    assert_eq!(public.size(), RsaSize::Rsa2048);
    let pem = std::fs::read_to_string(format!(
        "{}/test-vectors/rsa/generated/rsa2048.spki.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert_eq!(RsaPublicKey::from_pem(&pem).unwrap(), public);
    let debug = format!("{private:?}");
    assert!(debug.starts_with("RsaPrivateKey {"), "{debug}");
    assert!(debug.contains(&public.kcv().to_string()), "{debug}");
    assert!(debug.len() < 120, "no key material in Debug: {debug}");
}

fn padding_strategy() -> impl Strategy<Value = Option<RsaPadding>> {
    prop::sample::select(PADDINGS.to_vec())
}

fn size_strategy() -> impl Strategy<Value = RsaSize> {
    prop::sample::select(SIZES.to_vec())
}

/// A message for `size` × `padding`: any length up to the limit (raw: exactly k bytes, any value).
fn message(size: RsaSize, padding: Option<RsaPadding>) -> BoxedStrategy<Vec<u8>> {
    let max = max_plaintext_len(size, padding);
    match padding {
        Some(_) => prop::collection::vec(any::<u8>(), 0..=max).boxed(),
        None => prop::collection::vec(any::<u8>(), max..=max).boxed(),
    }
}

proptest! {
    #![proptest_config(regressions::config(96, "tests/proptest-regressions/rsa_props.txt"))]

    /// Encrypt then decrypt gives the message back, for every size × padding and length; padded
    /// encryption is randomised (two encryptions differ), raw encryption is deterministic; raw values
    /// not below the modulus are refused.
    #[test]
    fn round_trip(
        (size, padding, msg) in (size_strategy(), padding_strategy())
            .prop_flat_map(|(s, p)| (Just(s), Just(p), message(s, p))),
        seed in any::<u64>(),
    ) {
        let private = key(size);
        let public = private.public_key();
        let mut rng = TestRng::new(seed);
        match public.encrypt(padding, &msg, &mut rng) {
            Ok(ct) => {
                prop_assert_eq!(ct.len(), size.bytes());
                let back = private.decrypt(padding, &ct, &mut rng).unwrap();
                prop_assert_eq!(&back[..], &msg[..]);
                let again = public.encrypt(padding, &msg, &mut rng).unwrap();
                prop_assert_eq!(again == ct, padding.is_none());
            }
            Err(e) => {
                // Only raw RSA may refuse a message within the limit: its value is not below n.
                prop_assert!(padding.is_none());
                prop_assert_eq!(e, invalid(Problem::RsaRawPlaintext));
            }
        }
    }

    /// Arbitrary ciphertexts of the right length: OAEP gives the one error (or, with negligible
    /// probability, a message), PKCS#1 v1.5 a message that does not depend on the blinding
    /// randomness (implicit rejection), raw RSA the value back under re-encryption. Never a panic.
    #[test]
    fn hostile_ciphertexts(
        size in size_strategy(),
        padding in padding_strategy(),
        top in 0u8..0x80,
        body in prop::collection::vec(any::<u8>(), 512),
        seeds in (any::<u64>(), any::<u64>()),
    ) {
        let private = key(size);
        let k = size.bytes();
        let mut ct = body[..k].to_vec();
        ct[0] = top; // below the modulus (whose top byte is ≥ 0x80)
        let one = private.decrypt(padding, &ct, &mut TestRng::new(seeds.0));
        let two = private.decrypt(padding, &ct, &mut TestRng::new(seeds.1));
        prop_assert_eq!(&one, &two);
        match padding {
            Some(RsaPadding::Pkcs1) => {
                let m = one.unwrap();
                prop_assert!(m.len() <= k - 11);
            }
            Some(_) => {
                let refused_or_message = matches!(one, Err(Error::Decryption) | Ok(_));
                prop_assert!(refused_or_message, "{:?}", one);
            }
            None => {
                let m = one.unwrap();
                prop_assert_eq!(m.len(), k);
                let c = private.public_key().encrypt(None, &m, &mut TestRng::new(0)).unwrap();
                prop_assert_eq!(c, ct);
            }
        }
    }

    /// Key import never panics and refuses garbage with the key-encoding error.
    #[test]
    fn key_import_is_total(bytes in prop::collection::vec(any::<u8>(), 0..600), text in ".{0,300}") {
        for r in [
            RsaPrivateKey::from_der(&bytes).map(|_| ()),
            RsaPublicKey::from_der(&bytes).map(|_| ()),
            RsaPrivateKey::from_pem(&text).map(|_| ()),
            RsaPublicKey::from_pem(&text).map(|_| ()),
        ] {
            let refused = matches!(
                r,
                Err(Error::Invalid { side: None, problem: Problem::KeyEncoding | Problem::RsaKeySize { .. } })
            );
            prop_assert!(refused, "{:?}", r);
        }
    }
}
