//! Every incoming kind × every outgoing kind: encrypt under the incoming side, re-encrypt, decrypt with
//! the outgoing key, and get the original plaintext back — through the typed API.

use paycrypt::operation::{DukptAttributes, EncryptionAttributes, KeyUse, Policy};
use paycrypt::rsa::{RsaPadding, max_plaintext_len};
use paycrypt::{
    DukptKeyVariant, Error, Iv, KeyMaterial, KeyStore, Ksn, Mode, Problem, RsaSize, Side,
    SymmetricAlgorithm,
};
use proptest::prelude::*;

use crate::fixtures::{arn, store};
use crate::lengths::Lengths;
use crate::testrng::TestRng;

/// One way to use a key on a side.
#[derive(Clone, Debug)]
struct Kind {
    key: &'static str,
    /// The key that decrypts what this kind encrypts (differs for imported public keys).
    decrypt_key: &'static str,
    attributes: EncryptionAttributes,
    /// Length granularity (block size; 1 for RSA).
    granularity: usize,
    /// Longest plaintext (RSA limit, or a cap for symmetric).
    max: usize,
    /// Raw RSA takes exactly the modulus length.
    exact: Option<usize>,
    /// Imported public keys only encrypt.
    can_decrypt: bool,
}

const SYMMETRIC: [(&str, SymmetricAlgorithm); 5] = [
    ("tdes2key0000000001", SymmetricAlgorithm::Tdes2Key),
    ("tdes3key0000000001", SymmetricAlgorithm::Tdes3Key),
    ("aes128key000000001", SymmetricAlgorithm::Aes128),
    ("aes192key000000001", SymmetricAlgorithm::Aes192),
    ("aes256key000000001", SymmetricAlgorithm::Aes256),
];

const CAP: usize = 512;

fn iv(block: usize, salt: u8) -> Iv {
    let bytes: Vec<u8> = (0..u8::try_from(block).unwrap())
        .map(|i| i.wrapping_mul(17) ^ salt)
        .collect();
    Iv::new(&bytes).unwrap()
}

fn kinds() -> Vec<Kind> {
    let mut out = Vec::new();
    for (key, alg) in SYMMETRIC {
        for mode in Mode::ALL {
            if !mode.is_valid_for(alg) {
                continue;
            }
            let iv = mode.uses_iv().then(|| iv(alg.block_size(), 0x5c));
            out.push(Kind {
                key,
                decrypt_key: key,
                attributes: EncryptionAttributes::symmetric(mode, iv),
                granularity: alg.block_size(),
                max: CAP,
                exact: None,
                can_decrypt: true,
            });
        }
    }
    let variants = [
        None,
        Some(DukptKeyVariant::Bidirectional),
        Some(DukptKeyVariant::Request),
        Some(DukptKeyVariant::Response),
    ];
    let bdks: [(&str, SymmetricAlgorithm, &str); 4] = [
        (
            "tdesbdk00000000001",
            SymmetricAlgorithm::Tdes2Key,
            "FFFF9876543210E0000F",
        ),
        (
            "aes128bdk000000001",
            SymmetricAlgorithm::Aes128,
            "12345678901234560000F00F",
        ),
        (
            "aes192bdk000000001",
            SymmetricAlgorithm::Aes192,
            "1234567890123456FFFF0001",
        ),
        (
            "aes256bdk000000001",
            SymmetricAlgorithm::Aes256,
            "123456789012345600000003",
        ),
    ];
    for (key, bdk_alg, ksn) in bdks {
        for derivation in SymmetricAlgorithm::ALL {
            let allowed = if bdk_alg.is_tdes() {
                derivation == SymmetricAlgorithm::Tdes2Key
            } else {
                derivation <= bdk_alg
            };
            if !allowed {
                continue;
            }
            for variant in variants {
                for mode in [Mode::Ecb, Mode::Cbc] {
                    let mut a = DukptAttributes::new(Ksn::from_hex(ksn).unwrap());
                    a.mode = mode;
                    a.variant = variant;
                    a.derivation_type = Some(derivation);
                    a.iv = (mode == Mode::Cbc).then(|| iv(derivation.block_size(), 0xa7));
                    out.push(Kind {
                        key,
                        decrypt_key: key,
                        attributes: EncryptionAttributes::Dukpt(a),
                        granularity: derivation.block_size(),
                        max: CAP,
                        exact: None,
                        can_decrypt: true,
                    });
                }
            }
        }
    }
    let rsa: [(&str, &str, RsaSize, bool); 5] = [
        (
            "rsa2048pair0000001",
            "rsa2048pair0000001",
            RsaSize::Rsa2048,
            true,
        ),
        (
            "rsa3072pair0000001",
            "rsa3072pair0000001",
            RsaSize::Rsa3072,
            true,
        ),
        (
            "rsa4096pair0000001",
            "rsa4096pair0000001",
            RsaSize::Rsa4096,
            true,
        ),
        (
            "rsa2048public00001",
            "rsa2048pair0000001",
            RsaSize::Rsa2048,
            false,
        ),
        (
            "rsa4096public00001",
            "rsa4096pair0000001",
            RsaSize::Rsa4096,
            false,
        ),
    ];
    for (key, decrypt_key, size, can_decrypt) in rsa {
        for padding in [
            None,
            Some(RsaPadding::Pkcs1),
            Some(RsaPadding::OaepSha1),
            Some(RsaPadding::OaepSha256),
            Some(RsaPadding::OaepSha512),
        ] {
            out.push(Kind {
                key,
                decrypt_key,
                attributes: EncryptionAttributes::asymmetric(padding),
                granularity: 1,
                max: max_plaintext_len(size, padding),
                exact: padding.is_none().then_some(size.bytes()),
                can_decrypt,
            });
        }
    }
    out
}

/// A plaintext length both kinds accept, chosen by `pick` (the shared model); `None` if there is none.
fn length(a: &Kind, b: &Kind, pick: usize) -> Option<usize> {
    let lengths = |k: &Kind| Lengths {
        granularity: k.granularity,
        max: k.max,
        exact: k.exact,
    };
    lengths(a).common(&lengths(b), pick)
}

fn use_of<'k>(key: &'static str, attributes: EncryptionAttributes) -> KeyUse<'k> {
    KeyUse::new(store().lookup(&arn(key)).unwrap(), attributes)
}

/// Run one pair; `false` if the pair has no common length.
fn run(incoming: &Kind, outgoing: &Kind, pick: usize, seed: u64) -> bool {
    let Some(len) = length(incoming, outgoing, pick) else {
        return false;
    };
    let mut rng = TestRng::new(seed);
    let mut plaintext: Vec<u8> = (0..len)
        .map(|i| (i as u64 * 131 + seed).to_le_bytes()[0])
        .collect();
    plaintext[0] = 0; // raw RSA: keep the value below the modulus
    let inc = use_of(incoming.key, incoming.attributes);
    let ct = paycrypt::encrypt(&inc, &plaintext, &mut rng)
        .unwrap_or_else(|e| panic!("encrypt {incoming:?}: {e}"));
    let out = use_of(outgoing.key, outgoing.attributes);
    // Raw RSA outgoing (H1): only for a key that opts in, and never from an RSA incoming side.
    let raw_out =
        matches!(outgoing.attributes, EncryptionAttributes::Asymmetric(a) if a.padding.is_none());
    let rsa_in = matches!(incoming.attributes, EncryptionAttributes::Asymmetric(_));
    if raw_out && (rsa_in || !out.key().allows_raw_rsa_outgoing()) {
        let e = paycrypt::reencrypt(&inc, &out, &ct.ciphertext, &mut rng);
        assert_eq!(
            e.err(),
            Some(Error::Invalid {
                side: Some(Side::Outgoing),
                problem: Problem::PaddingTypeRequired
            }),
            "{incoming:?} -> {outgoing:?}"
        );
        return true;
    }
    let re = paycrypt::reencrypt(&inc, &out, &ct.ciphertext, &mut rng)
        .unwrap_or_else(|e| panic!("reencrypt {incoming:?} -> {outgoing:?} ({len} bytes): {e}"));
    assert_eq!(re.receipt.key_arn.as_str(), arn(outgoing.key));
    assert_eq!(re.receipt.kcv, out.key().kcv());
    let back = use_of(outgoing.decrypt_key, outgoing.attributes);
    let pt = paycrypt::decrypt(&back, &re.ciphertext, &mut rng)
        .unwrap_or_else(|e| panic!("decrypt {outgoing:?}: {e}"));
    assert_eq!(*pt.plaintext, plaintext, "{incoming:?} -> {outgoing:?}");
    // Symmetric modes preserve length.
    if incoming.granularity > 1 && outgoing.granularity > 1 {
        assert_eq!(re.ciphertext.len(), len);
    }
    true
}

/// Every kind appears at least once as incoming and once as outgoing, with a partner of another family.
#[test]
fn every_kind_on_each_side() {
    let all = kinds();
    let incoming: Vec<&Kind> = all.iter().filter(|k| k.can_decrypt).collect();
    let mut pairs = 0;
    for (i, k) in all.iter().enumerate() {
        // As outgoing: partner = some incoming kind that has a common length.
        let partner = (0..incoming.len())
            .map(|j| incoming[(i * 7 + j) % incoming.len()])
            .find(|p| length(p, k, i).is_some())
            .expect("a partner");
        assert!(run(partner, k, i, i as u64));
        pairs += 1;
        if k.can_decrypt {
            let partner = (0..all.len())
                .map(|j| &all[(i * 11 + j + 3) % all.len()])
                .find(|p| length(k, p, i).is_some())
                .expect("a partner");
            assert!(run(k, partner, i + 1, i as u64 + 1000));
            pairs += 1;
        }
    }
    assert!(pairs > 200, "{pairs}");
}

/// Every family pair (symmetric, TDES DUKPT, AES DUKPT, RSA) in both directions, each at least once.
#[test]
fn every_family_pair() {
    let all = kinds();
    let family = |k: &Kind| match (&k.attributes, k.key) {
        (EncryptionAttributes::Symmetric(_), _) => 0,
        (EncryptionAttributes::Dukpt(_), "tdesbdk00000000001") => 1,
        (EncryptionAttributes::Dukpt(_), _) => 2,
        (EncryptionAttributes::Asymmetric(_), _) => 3,
    };
    for fi in 0..4 {
        for fo in 0..4 {
            let done = all
                .iter()
                .filter(|k| family(k) == fi && k.can_decrypt)
                .flat_map(|a| {
                    all.iter()
                        .filter(move |b| family(b) == fo)
                        .map(move |b| (a, b))
                })
                .filter(|(a, b)| length(a, b, 3).is_some())
                .take(3)
                .filter(|(a, b)| run(a, b, 3, 99))
                .count();
            assert!(done > 0, "no pair for families {fi} -> {fo}");
        }
    }
}

proptest! {
    #![proptest_config(crate::regressions::config(96, "tests/proptest-regressions/matrix.txt"))]
    #[test]
    fn random_pairs(i in any::<prop::sample::Index>(), o in any::<prop::sample::Index>(),
                    pick in 0usize..1000, seed in any::<u64>()) {
        let all = kinds();
        let incoming: Vec<&Kind> = all.iter().filter(|k| k.can_decrypt).collect();
        let a = incoming[i.index(incoming.len())];
        let b = &all[o.index(all.len())];
        run(a, b, pick, seed);
    }
}

/// H1 through the typed API: a caller of `reencrypt` / `reencrypt_in_place` cannot get raw RSA as the
/// outgoing side by accident either; the rule is the engine's, not the JSON layer's.
#[test]
fn typed_api_refuses_raw_rsa_outgoing_without_the_opt_in() {
    let refused = Some(Error::Invalid {
        side: Some(Side::Outgoing),
        problem: Problem::PaddingTypeRequired,
    });
    let ofb = EncryptionAttributes::symmetric(Mode::Ofb, None);
    let inc = use_of("aes128key000000001", ofb);
    let raw = EncryptionAttributes::asymmetric(None);
    let mut rng = TestRng::new(5);
    for policy in [Policy::Documented, Policy::StrictAws] {
        for key in [
            "rsa2048pair0000001",
            "rsa2048public00001",
            "rsa4096pair0000001",
        ] {
            let out = use_of(key, raw);
            assert!(!out.key().allows_raw_rsa_outgoing());
            let len = if key.contains("4096") { 512 } else { 256 };
            let r = paycrypt::reencrypt_with_policy(&inc, &out, &vec![0; len], &mut rng, policy);
            assert_eq!(r.err(), refused, "{key} {policy:?}");
            let mut buf = vec![0; len];
            let r = paycrypt::reencrypt_in_place_with_policy(&inc, &out, &mut buf, policy);
            assert_eq!(r.err(), refused, "in place {key} {policy:?}");
        }
        let opted = use_of("rsa4096public00001", raw);
        assert!(opted.key().allows_raw_rsa_outgoing());
        let ct = paycrypt::encrypt(&inc, &[0; 512], &mut rng).unwrap();
        let r = paycrypt::reencrypt_with_policy(&inc, &opted, &ct.ciphertext, &mut rng, policy);
        assert_eq!(r.map(|e| e.ciphertext.len()), Ok(512), "{policy:?}");
        let rsa_in = use_of("rsa2048pair0000001", raw);
        let r = paycrypt::reencrypt_with_policy(&rsa_in, &opted, &[1; 256], &mut rng, policy);
        assert_eq!(r.err(), refused, "raw -> raw {policy:?}");
    }
}

#[test]
fn material_kinds_are_what_the_fixture_says() {
    for k in kinds() {
        let key = store().lookup(&arn(k.key)).unwrap();
        let is_rsa = !matches!(key.material(), KeyMaterial::Symmetric(_));
        assert_eq!(is_rsa, k.granularity == 1, "{}", k.key);
    }
}
