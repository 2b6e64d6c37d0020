//! The operation itself, through the typed API: structured cases over every incoming and outgoing kind
//! (symmetric key × mode × IV × ignored padding type, DUKPT BDK × KSN × derivation type × variant × ECB/CBC
//! × IV, RSA key pair or public key × padding, given as `Asymmetric` or as `Symmetric` + `PaddingType`).
//!
//! Each case encrypts a plaintext under the incoming side (`reencrypt::encrypt`), re-encrypts it
//! (`reencrypt::reencrypt`), and decrypts the result with the outgoing key (`reencrypt::decrypt`; for an
//! imported public key, with its key pair): the plaintext must come back, `KeyArn` must be the outgoing
//! key's ARN and the check value the outgoing key's. When neither side is RSA, `reencrypt_in_place` must
//! give the same bytes. Under `Policy::StrictAws` the case must be refused with `PolicyRefused` exactly
//! when DECISIONS.md §2 says (D0 → D0, RSA → RSA, an explicit `BIDIRECTIONAL` with a TDES BDK) and give the same
//! result otherwise. Raw RSA (no padding type) as the outgoing side must be refused with
//! `PaddingTypeRequired` under both policies unless the outgoing key opts in and the incoming side is not
//! RSA (security audit H1). Any panic, hang or mismatch is a finding.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use paycrypt::operation::{
    DukptAttributes, EncryptionAttributes, KeyUse, Policy, SymmetricAttributes,
};
use paycrypt::rsa::max_plaintext_len;
use paycrypt::{
    DukptKeyVariant, Error, Iv, KeyStore, Ksn, Mode, Problem, RsaPadding, RsaSize, Side,
    SymmetricAlgorithm as Alg,
};
use paycrypt_fuzz::rng::FuzzRng;
use paycrypt_fuzz::store::{ARN, store};

#[path = "../../tests/support/lengths.rs"]
mod lengths;

use lengths::Lengths;

#[derive(Arbitrary, Debug)]
enum Spec {
    Symmetric {
        key: u8,
        mode: u8,
        iv: Option<[u8; 16]>,
        padding: Option<u8>,
    },
    Dukpt {
        bdk: u8,
        key_id: [u8; 8],
        counter: u32,
        derivation: u8,
        variant: u8,
        cbc: bool,
        iv: Option<[u8; 16]>,
    },
    Rsa {
        key: u8,
        padding: u8,
        as_symmetric: bool,
    },
}

#[derive(Arbitrary, Debug)]
struct Case {
    incoming: Spec,
    outgoing: Spec,
    pick: u16,
    plaintext: Vec<u8>,
    seed: u64,
}

const SYMMETRIC: [(&str, Alg); 5] = [
    ("tdes2key0000000001", Alg::Tdes2Key),
    ("tdes3key0000000001", Alg::Tdes3Key),
    ("aes128key000000001", Alg::Aes128),
    ("aes192key000000001", Alg::Aes192),
    ("aes256key000000001", Alg::Aes256),
];
const BDKS: [(&str, Alg); 5] = [
    ("tdesbdk00000000001", Alg::Tdes2Key),
    ("awssamplebdk000001", Alg::Tdes2Key),
    ("aes128bdk000000001", Alg::Aes128),
    ("aes192bdk000000001", Alg::Aes192),
    ("aes256bdk000000001", Alg::Aes256),
];
/// (key, the key pair that decrypts for it, size)
const RSA: [(&str, &str, RsaSize); 5] = [
    ("rsa2048pair0000001", "rsa2048pair0000001", RsaSize::Rsa2048),
    ("rsa3072pair0000001", "rsa3072pair0000001", RsaSize::Rsa3072),
    ("rsa4096pair0000001", "rsa4096pair0000001", RsaSize::Rsa4096),
    ("rsa2048public00001", "rsa2048pair0000001", RsaSize::Rsa2048),
    ("rsa4096public00001", "rsa4096pair0000001", RsaSize::Rsa4096),
];
const PADDINGS: [Option<RsaPadding>; 5] = [
    None,
    Some(RsaPadding::Pkcs1),
    Some(RsaPadding::OaepSha1),
    Some(RsaPadding::OaepSha256),
    Some(RsaPadding::OaepSha512),
];
/// Symmetric plaintexts are kept short: the cost is in the RSA and DUKPT steps, not the length.
const CAP: usize = 512;

/// One side, resolved to key ids, attributes and length rules.
struct Kind {
    key: &'static str,
    decrypt_key: &'static str,
    attributes: EncryptionAttributes,
    granularity: usize,
    max: usize,
    exact: Option<usize>,
    rsa: bool,
    d0: bool,
    tdes_bidirectional: bool,
}

fn iv_of(bytes: Option<[u8; 16]>, block: usize) -> Option<Iv> {
    bytes.map(|b| Iv::new(&b[..block]).expect("8 or 16 bytes"))
}

fn kind(spec: &Spec, incoming: bool) -> Kind {
    match *spec {
        Spec::Symmetric {
            key,
            mode,
            iv,
            padding,
        } => {
            let (id, alg) = SYMMETRIC[usize::from(key) % SYMMETRIC.len()];
            let mut mode = Mode::ALL[usize::from(mode) % Mode::ALL.len()];
            if !mode.is_valid_for(alg) {
                mode = Mode::Cfb64;
            }
            let iv = if mode.uses_iv() {
                iv_of(iv, alg.block_size())
            } else {
                None
            };
            // A padding type on a TDES/AES key is accepted and ignored (decision).
            let padding = padding.and_then(|p| PADDINGS[usize::from(p) % PADDINGS.len()]);
            Kind {
                key: id,
                decrypt_key: id,
                attributes: EncryptionAttributes::Symmetric(SymmetricAttributes {
                    mode,
                    iv,
                    padding,
                }),
                granularity: alg.block_size(),
                max: CAP,
                exact: None,
                rsa: false,
                d0: true,
                tdes_bidirectional: false,
            }
        }
        Spec::Dukpt {
            bdk,
            key_id,
            counter,
            derivation,
            variant,
            cbc,
            iv,
        } => {
            let (id, bdk_alg) = BDKS[usize::from(bdk) % BDKS.len()];
            let ksn = if bdk_alg.is_tdes() {
                let c = (counter & 0x1F_FFFF).max(1);
                let mut b = [0u8; 10];
                b[..8].copy_from_slice(&key_id);
                b[7] = (b[7] & 0xE0) | (c >> 16) as u8;
                b[8] = (c >> 8) as u8;
                b[9] = c as u8;
                Ksn::from_bytes(&b).expect("10 bytes, non-zero counter")
            } else {
                Ksn::aes(&key_id, counter.max(1)).expect("non-zero counter")
            };
            let derivation = if bdk_alg.is_tdes() {
                [None, Some(Alg::Tdes2Key)][usize::from(derivation) % 2]
            } else {
                Some(Alg::ALL[usize::from(derivation) % Alg::ALL.len()]).filter(|&d| d <= bdk_alg)
            };
            let variant = [
                None,
                Some(DukptKeyVariant::Bidirectional),
                Some(DukptKeyVariant::Request),
                Some(DukptKeyVariant::Response),
            ][usize::from(variant) % 4];
            let working = derivation.unwrap_or(bdk_alg);
            let mut a = DukptAttributes::new(ksn);
            a.mode = if cbc { Mode::Cbc } else { Mode::Ecb };
            a.derivation_type = derivation;
            a.variant = variant;
            a.iv = if cbc {
                iv_of(iv, working.block_size())
            } else {
                None
            };
            Kind {
                key: id,
                decrypt_key: id,
                attributes: EncryptionAttributes::Dukpt(a),
                granularity: working.block_size(),
                max: CAP,
                exact: None,
                rsa: false,
                d0: false,
                tdes_bidirectional: bdk_alg.is_tdes()
                    && variant == Some(DukptKeyVariant::Bidirectional),
            }
        }
        Spec::Rsa {
            key,
            padding,
            as_symmetric,
        } => {
            let mut which = usize::from(key) % RSA.len();
            if incoming && RSA[which].0 != RSA[which].1 {
                which %= 3; // an imported public key cannot decrypt: use a key pair
            }
            let (id, pair, size) = RSA[which];
            let padding = PADDINGS[usize::from(padding) % PADDINGS.len()];
            // `Symmetric` + `PaddingType` is the seed API's form of RSA use; raw RSA has no such form.
            let attributes = if as_symmetric && padding.is_some() {
                EncryptionAttributes::Symmetric(SymmetricAttributes {
                    mode: Mode::Ecb,
                    iv: None,
                    padding,
                })
            } else {
                EncryptionAttributes::asymmetric(padding)
            };
            Kind {
                key: id,
                decrypt_key: pair,
                attributes,
                granularity: 1,
                max: max_plaintext_len(size, padding),
                exact: padding.is_none().then_some(size.bytes()),
                rsa: true,
                d0: false,
                tdes_bidirectional: false,
            }
        }
    }
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

fn key_use(id: &str, attributes: EncryptionAttributes) -> KeyUse<'static> {
    KeyUse::new(
        store().lookup(&format!("{ARN}{id}")).expect("fixture key"),
        attributes,
    )
}

fuzz_target!(|case: Case| {
    let inc = kind(&case.incoming, true);
    let out = kind(&case.outgoing, false);
    let Some(len) = length(&inc, &out, usize::from(case.pick)) else {
        return;
    };
    let mut plaintext: Vec<u8> = if case.plaintext.is_empty() {
        vec![0xA5; len]
    } else {
        case.plaintext.iter().copied().cycle().take(len).collect()
    };
    plaintext[0] = 0; // raw RSA: keep the value below the modulus
    let mut rng = FuzzRng::new(case.seed);

    let incoming = key_use(inc.key, inc.attributes);
    let outgoing = key_use(out.key, out.attributes);
    let ct = paycrypt::encrypt(&incoming, &plaintext, &mut rng).unwrap_or_else(|e| {
        panic!(
            "encrypt {len} bytes under {} {:?}: {e}",
            inc.key, inc.attributes
        )
    });
    let raw_out =
        matches!(out.attributes, EncryptionAttributes::Asymmetric(a) if a.padding.is_none());
    if raw_out && (inc.rsa || !outgoing.key().allows_raw_rsa_outgoing()) {
        for policy in [Policy::Documented, Policy::StrictAws] {
            let r = paycrypt::reencrypt_with_policy(
                &incoming,
                &outgoing,
                &ct.ciphertext,
                &mut rng,
                policy,
            );
            assert_eq!(
                r.err(),
                Some(Error::Invalid {
                    side: Some(Side::Outgoing),
                    problem: Problem::PaddingTypeRequired
                }),
                "raw RSA outgoing {} -> {} under {policy:?}",
                inc.key,
                out.key
            );
        }
        return;
    }
    let re =
        paycrypt::reencrypt(&incoming, &outgoing, &ct.ciphertext, &mut rng).unwrap_or_else(|e| {
            panic!(
                "reencrypt {len} bytes {} {:?} -> {} {:?}: {e}",
                inc.key, inc.attributes, out.key, out.attributes
            )
        });
    assert_eq!(re.receipt.key_arn.as_str(), format!("{ARN}{}", out.key));
    assert_eq!(re.receipt.kcv, outgoing.key().kcv());
    if !inc.rsa && !out.rsa {
        assert_eq!(re.ciphertext.len(), len, "symmetric modes keep the length");
    }
    let back = key_use(out.decrypt_key, out.attributes);
    let pt = paycrypt::decrypt(&back, &re.ciphertext, &mut rng).unwrap_or_else(|e| {
        panic!(
            "decrypt under {} {:?}: {e}",
            out.decrypt_key, out.attributes
        )
    });
    assert_eq!(
        *pt.plaintext, plaintext,
        "{} -> {}: round trip",
        inc.key, out.key
    );

    if !inc.rsa && !out.rsa {
        let mut buf = ct.ciphertext.clone();
        let receipt = paycrypt::reencrypt_in_place(&incoming, &outgoing, &mut buf)
            .expect("in place, as the owned form");
        assert_eq!(buf, re.ciphertext, "in place = owned");
        assert_eq!(receipt.kcv, re.receipt.kcv);
    }

    let refused = (inc.d0 && out.d0)
        || (inc.rsa && out.rsa)
        || inc.tdes_bidirectional
        || out.tdes_bidirectional;
    let strict = paycrypt::reencrypt_with_policy(
        &incoming,
        &outgoing,
        &ct.ciphertext,
        &mut rng,
        Policy::StrictAws,
    );
    match strict {
        Err(Error::Invalid {
            problem: Problem::PolicyRefused,
            ..
        }) => {
            assert!(refused, "StrictAws refused {} -> {}", inc.key, out.key)
        }
        Err(e) => panic!("StrictAws: {e:?}"),
        Ok(s) => {
            assert!(!refused, "StrictAws allowed {} -> {}", inc.key, out.key);
            if !out.rsa {
                assert_eq!(s.ciphertext, re.ciphertext, "deterministic outgoing side");
            }
        }
    }
});
