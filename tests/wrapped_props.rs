//! Property tests of dynamic (wrapped) working keys, `paycrypt::tr31::dynamic::WrappedKey`:
//!
//! - for any KEK algorithm, key algorithm letter and length, mode of use, side, policy and key bytes:
//!   the working key exists exactly when the spec's rules (TR31.md §3, §6) allow it, and then it is the
//!   wrapped key (it encrypts as the clear key does), bears the KEK's ARN, and its check value is the
//!   clear key's with the asked algorithm; otherwise the error is the rule's;
//! - any single-character change of a working block (other than the letter case of its hex) is refused;
//! - arbitrary strings as the key block never panic and never give a key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use paycrypt::tr31::dynamic::WrappedKey;
use paycrypt::tr31::{self, Algorithm, Header, KeyLengthMask, ModeOfUse, Usage, Version};
use paycrypt::{
    EncryptionAttributes, Error, KcvAlgorithm, Key, KeyAlgorithm, KeyArn, KeyAttributes, KeyClass,
    KeyMaterial, KeyModesOfUse, KeyUsage, KeyUse, Mode, Policy, Problem, Side,
    SymmetricAlgorithm as Alg, SymmetricKey, symmetric,
};
use paycrypt::{decrypt_in_place, encrypt_in_place};
use proptest::prelude::*;

#[path = "support/rng.rs"]
mod testrng;
use testrng::TestRng;

const ALGS: [Alg; 5] = [
    Alg::Tdes2Key,
    Alg::Tdes3Key,
    Alg::Aes128,
    Alg::Aes192,
    Alg::Aes256,
];

fn kek(alg: Alg, material: &[u8]) -> Key {
    Key::new(
        KeyArn::parse("arn:aws:payment-cryptography:us-east-2:111122223333:key/propkek000000001")
            .unwrap(),
        KeyAttributes {
            key_usage: KeyUsage::K1KeyBlockProtectionKey,
            key_class: KeyClass::SymmetricKey,
            key_algorithm: KeyAlgorithm::Symmetric(alg),
            key_modes_of_use: KeyModesOfUse {
                unwrap: true,
                ..KeyModesOfUse::default()
            },
        },
        KeyMaterial::Symmetric(SymmetricKey::new(alg, material).unwrap()),
    )
    .unwrap()
}

fn strength(a: Alg) -> usize {
    ALGS.iter().position(|x| *x == a).unwrap()
}

/// The spec's rules, on their own: the key's algorithm, or the problem.
fn predict(
    kek: Alg,
    algorithm: Algorithm,
    key: &[u8],
    mode: ModeOfUse,
    side: Side,
    policy: Policy,
) -> Result<Alg, Problem> {
    let mode_ok = match mode {
        ModeOfUse::EncryptDecrypt => true,
        ModeOfUse::DecryptOnly => side == Side::Incoming,
        ModeOfUse::EncryptOnly => side == Side::Outgoing,
        ModeOfUse::NoRestrictions => policy == Policy::Documented,
        _ => false,
    };
    if !mode_ok {
        return Err(Problem::WrappedKeyPolicy);
    }
    let alg = match (algorithm, key.len()) {
        (Algorithm::Tdes, 16) => Alg::Tdes2Key,
        (Algorithm::Tdes, 24) => Alg::Tdes3Key,
        (Algorithm::Aes, 16) => Alg::Aes128,
        (Algorithm::Aes, 24) => Alg::Aes192,
        (Algorithm::Aes, 32) => Alg::Aes256,
        _ => return Err(Problem::WrappedKeyUnwrap),
    };
    if alg.is_tdes() && (key[..8] == key[8..16] || (key.len() == 24 && key[8..16] == key[16..])) {
        return Err(Problem::WrappedKeyUnwrap); // collapses to single DES
    }
    if strength(alg) > strength(kek) {
        return Err(Problem::WrappedKeyStrength);
    }
    Ok(alg)
}

fn wrap(kek_alg: Alg, kek_material: &[u8], header: &Header<'_>, key: &[u8], seed: u64) -> String {
    let kbpk = SymmetricKey::new(kek_alg, kek_material).unwrap();
    let mut out = [0u8; 256];
    tr31::wrap(
        &kbpk,
        header,
        key,
        KeyLengthMask::AlgorithmMaximum,
        &mut TestRng::new(seed),
        &mut out,
    )
    .unwrap()
    .to_string()
}

fn side_strategy() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Incoming), Just(Side::Outgoing)]
}

fn policy_strategy() -> impl Strategy<Value = Policy> {
    prop_oneof![Just(Policy::Documented), Just(Policy::StrictAws)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn working_key_follows_the_rules(
        kek_i in 0usize..5,
        kek_material in proptest::collection::vec(any::<u8>(), 32),
        aes in any::<bool>(),
        key_len in prop_oneof![Just(8usize), Just(16), Just(24), Just(32)],
        key_material in proptest::collection::vec(any::<u8>(), 32),
        mode_i in 0usize..5,
        side in side_strategy(),
        policy in policy_strategy(),
        kcv_i in 0usize..3,
        seed in any::<u64>(),
    ) {
        let kek_alg = ALGS[kek_i];
        let kek_material = &kek_material[..kek_alg.key_len()];
        // A TDES KEK that collapses to single DES is refused by the key store: skip it.
        prop_assume!(SymmetricKey::new(kek_alg, kek_material).is_ok_and(|k| !k.is_single_des_equivalent()));
        let kek = kek(kek_alg, kek_material);
        let algorithm = if aes { Algorithm::Aes } else { Algorithm::Tdes };
        let mode = [
            ModeOfUse::EncryptDecrypt,
            ModeOfUse::DecryptOnly,
            ModeOfUse::EncryptOnly,
            ModeOfUse::NoRestrictions,
            ModeOfUse::GenerateVerify,
        ][mode_i];
        let key = &key_material[..key_len];
        let version = if kek_alg.is_tdes() { Version::B } else { Version::D };
        let header = Header::new(version, Usage::D0, algorithm, mode);
        let block = wrap(kek_alg, kek_material, &header, key, seed);
        let kcv_algorithm = [None, Some(KcvAlgorithm::AnsiX924), Some(KcvAlgorithm::Cmac)][kcv_i];
        let mut wrapped = WrappedKey::new(&kek, &block);
        if let Some(a) = kcv_algorithm {
            wrapped = wrapped.with_kcv_algorithm(a);
        }
        let attributes = EncryptionAttributes::symmetric(Mode::Ecb, None);
        let got = wrapped.working_key(&attributes, side, policy);
        match predict(kek_alg, algorithm, key, mode, side, policy) {
            Ok(alg) => {
                let working = got.unwrap();
                let clear = SymmetricKey::new(alg, key).unwrap();
                prop_assert_eq!(working.arn(), kek.arn());
                let kcv_alg = kcv_algorithm.unwrap_or(if alg.is_tdes() { KcvAlgorithm::AnsiX924 } else { KcvAlgorithm::Cmac });
                prop_assert_eq!(working.kcv(), clear.kcv_with(kcv_alg).unwrap());
                // It is the clear key: the same encryption (on the side it may encrypt, else decrypt).
                let mut a = [0x5Au8; 32];
                let mut b = a;
                let key_use = KeyUse::new(&working, attributes);
                if side == Side::Outgoing {
                    encrypt_in_place(&key_use, &mut a).unwrap();
                    symmetric::encrypt(&clear, Mode::Ecb, None, &mut b).unwrap();
                } else {
                    decrypt_in_place(&key_use, &mut a).unwrap();
                    symmetric::decrypt(&clear, Mode::Ecb, None, &mut b).unwrap();
                }
                prop_assert_eq!(a, b);
            }
            Err(problem) => prop_assert_eq!(
                got.map(|_| ()),
                Err(Error::Invalid { side: Some(side), problem })
            ),
        }
    }

    #[test]
    fn any_changed_character_is_refused(
        aes_kek in any::<bool>(),
        at in any::<prop::sample::Index>(),
        to in prop::sample::select(b"0123456789ABCDEFabcdefNZ".to_vec()),
        seed in any::<u64>(),
        side in side_strategy(),
    ) {
        let (kek_alg, version) = if aes_kek { (Alg::Aes256, Version::D) } else { (Alg::Tdes3Key, Version::B) };
        let material: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(29) ^ 0xA5).collect();
        let material = &material[..kek_alg.key_len()];
        let kek = kek(kek_alg, material);
        let key: Vec<u8> = (0u8..16).map(|i| i.wrapping_mul(53) ^ 0x3C).collect();
        let block = wrap(kek_alg, material, &Header::new(version, Usage::D0, Algorithm::Tdes, ModeOfUse::EncryptDecrypt), &key, seed);
        let attributes = EncryptionAttributes::symmetric(Mode::Ecb, None);
        prop_assert!(WrappedKey::new(&kek, &block).working_key(&attributes, side, Policy::Documented).is_ok());
        let i = at.index(block.len());
        let original = block.as_bytes()[i];
        prop_assume!(original != to && !(i >= 16 && original.eq_ignore_ascii_case(&to)));
        let mut changed = block.clone().into_bytes();
        changed[i] = to;
        let changed = String::from_utf8(changed).unwrap();
        let got = WrappedKey::new(&kek, &changed).working_key(&attributes, side, Policy::Documented);
        prop_assert!(got.is_err(), "changed at {} to {}", i, char::from(to));
        if i >= 16 && to.is_ascii_hexdigit() {
            // Inside the payload or authenticator: the one unwrap error.
            prop_assert_eq!(got.map(|_| ()), Err(Error::Invalid { side: Some(side), problem: Problem::WrappedKeyUnwrap }));
        }
    }

    #[test]
    fn arbitrary_blocks_never_panic(s in ".{0,200}", t in "[DB][0-9]{4}D0[AT][BDEN]00[ENS]0[0-9]00[0-9a-fA-F]{0,150}") {
        let kek = kek(Alg::Aes256, &[7u8; 32]);
        let attributes = EncryptionAttributes::symmetric(Mode::Ecb, None);
        for block in [s.as_str(), t.as_str()] {
            for side in [Side::Incoming, Side::Outgoing] {
                prop_assert!(WrappedKey::new(&kek, block).working_key(&attributes, side, Policy::Documented).is_err());
            }
        }
    }
}
