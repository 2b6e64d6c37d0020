//! Property tests for DUKPT: no input panics, the validation rules hold for every combination, and for
//! random BDKs, KSNs and counters (any number of set bits) the library agrees with a plain, slow
//! reference written here from the standards' pseudocode with the `des` and `aes` crates.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/regressions.rs"]
mod regressions;

use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use paycrypt::dukpt::aes::{self as daes, KeyUsage};
use paycrypt::dukpt::derive_data_key;
use paycrypt::dukpt::tdes::{self, Variant};
use paycrypt::{DukptKeyVariant, Error, Ksn, Problem, SymmetricAlgorithm as Alg, SymmetricKey};
use proptest::prelude::*;
use subtle::ConstantTimeEq;

// ---------------------------------------------------------------------------------------------------
// Reference implementations (straight from the pseudocode; no attention to secrets or speed)
// ---------------------------------------------------------------------------------------------------

fn des_enc(key: &[u8], block: &[u8]) -> [u8; 8] {
    let mut b = <[u8; 8]>::try_from(block).unwrap();
    des::Des::new_from_slice(key)
        .unwrap()
        .encrypt_block((&mut b).into());
    b
}

fn tdes_enc(key: &[u8], block: &[u8]) -> [u8; 8] {
    let mut b = <[u8; 8]>::try_from(block).unwrap();
    des::TdesEde2::new_from_slice(key)
        .unwrap()
        .encrypt_block((&mut b).into());
    b
}

/// X9.24-1 transaction key.
fn ref_tdes_transaction_key(bdk: &[u8], ksn: &[u8; 10]) -> Vec<u8> {
    let mask = hex16("C0C0C0C000000000C0C0C0C000000000");
    let mut iksn = ksn[..8].to_vec();
    iksn[7] &= 0xE0;
    let masked: Vec<u8> = bdk.iter().zip(&mask).map(|(a, b)| a ^ b).collect();
    let mut key = [tdes_enc(bdk, &iksn), tdes_enc(&masked, &iksn)].concat();
    let counter = u32::from_be_bytes([0, ksn[7] & 0x1F, ksn[8], ksn[9]]);
    let mut reg = u64::from_be_bytes(ksn[2..].try_into().unwrap()) & !0x1F_FFFF;
    for bit in (0..21).rev() {
        if counter >> bit & 1 == 1 {
            reg |= 1 << bit;
            let r = reg.to_be_bytes();
            let nrkgp = |k: &[u8]| -> Vec<u8> {
                let x: Vec<u8> = r.iter().zip(&k[8..]).map(|(a, b)| a ^ b).collect();
                des_enc(&k[..8], &x)
                    .iter()
                    .zip(&k[8..])
                    .map(|(a, b)| a ^ b)
                    .collect()
            };
            let right = nrkgp(&key);
            let km: Vec<u8> = key.iter().zip(&mask).map(|(a, b)| a ^ b).collect();
            let left = nrkgp(&km);
            key = [left, right].concat();
        }
    }
    key
}

/// X9.24-1 data key: transaction key XOR variant, then the one-way step.
fn ref_tdes_data_key(bdk: &[u8], ksn: &[u8; 10], response: bool) -> Vec<u8> {
    let variant = if response {
        hex16("000000FF00000000000000FF00000000")
    } else {
        hex16("0000000000FF00000000000000FF0000")
    };
    let v: Vec<u8> = ref_tdes_transaction_key(bdk, ksn)
        .iter()
        .zip(&variant)
        .map(|(a, b)| a ^ b)
        .collect();
    [tdes_enc(&v, &v[..8]), tdes_enc(&v, &v[8..])].concat()
}

fn aes_enc(key: &[u8], block: &[u8; 16]) -> [u8; 16] {
    let mut b = *block;
    match key.len() {
        16 => aes::Aes128::new_from_slice(key)
            .unwrap()
            .encrypt_block((&mut b).into()),
        24 => aes::Aes192::new_from_slice(key)
            .unwrap()
            .encrypt_block((&mut b).into()),
        _ => aes::Aes256::new_from_slice(key)
            .unwrap()
            .encrypt_block((&mut b).into()),
    }
    b
}

fn alg_code(a: Alg) -> u16 {
    match a {
        Alg::Tdes2Key => 0,
        Alg::Tdes3Key => 1,
        Alg::Aes128 => 2,
        Alg::Aes192 => 3,
        Alg::Aes256 => 4,
    }
}

/// X9.24-3-2017 Derive_Key.
fn ref_derive_key(key: &[u8], usage: u16, kt: Alg, tail: &[u8]) -> Vec<u8> {
    let len = kt.key_len();
    let mut out = Vec::new();
    for i in 1..=len.div_ceil(16) {
        let mut d = [0u8; 16];
        d[0] = 1;
        d[1] = u8::try_from(i).unwrap();
        d[2..4].copy_from_slice(&usage.to_be_bytes());
        d[4..6].copy_from_slice(&alg_code(kt).to_be_bytes());
        d[6..8].copy_from_slice(&u16::try_from(len * 8).unwrap().to_be_bytes());
        d[8..].copy_from_slice(tail);
        out.extend_from_slice(&aes_enc(key, &d));
    }
    out.truncate(len);
    out
}

/// X9.24-3-2017 Host_Derive_Working_Key.
fn ref_aes_working_key(
    bdk: &[u8],
    bdk_alg: Alg,
    ikid: &[u8; 8],
    counter: u32,
    usage: u16,
    kt: Alg,
) -> Vec<u8> {
    let tail = |c: u32| [&ikid[4..], &c.to_be_bytes()[..]].concat();
    let mut key = ref_derive_key(bdk, 0x8001, bdk_alg, ikid);
    let mut working = 0u32;
    for bit in (0..32).rev() {
        if counter >> bit & 1 == 1 {
            working |= 1 << bit;
            key = ref_derive_key(&key, 0x8000, bdk_alg, &tail(working));
        }
    }
    ref_derive_key(&key, usage, kt, &tail(counter))
}

fn hex16(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn same(k: &SymmetricKey, alg: Alg, bytes: &[u8]) -> bool {
    k.ct_eq(&SymmetricKey::new(alg, bytes).unwrap()).into()
}

// ---------------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------------

fn any_alg() -> impl Strategy<Value = Alg> {
    prop::sample::select(Alg::ALL.to_vec())
}

fn any_variant() -> impl Strategy<Value = Option<DukptKeyVariant>> {
    prop::option::of(prop::sample::select(DukptKeyVariant::ALL.to_vec()))
}

/// A counter with a chosen number of set bits (0..=max_bits) in its low `width` bits.
fn counter(width: u32) -> impl Strategy<Value = u32> {
    (prop::collection::btree_set(0..width, 0..=width as usize))
        .prop_map(|bits| bits.into_iter().fold(0u32, |c, b| c | 1 << b))
}

proptest! {
    #![proptest_config(regressions::config(256, "tests/proptest-regressions/dukpt_props.txt"))]

    /// Any string: never a panic; accepted exactly when it is 16/20/24 hex digits with a non-zero counter,
    /// and then it prints back (upper case, 16 digits padded with FFFF).
    #[test]
    fn ksn_from_any_string(s in "\\PC{0,30}|[0-9a-fA-F]{14,26}") {
        let r = Ksn::from_hex(&s);
        let hex_ok = matches!(s.len(), 16 | 20 | 24) && s.bytes().all(|b| b.is_ascii_hexdigit());
        match r {
            Ok(k) => {
                prop_assert!(hex_ok);
                prop_assert_ne!(k.counter(), 0);
                let shown = k.to_string();
                let expected = if s.len() == 16 { format!("FFFF{}", s.to_ascii_uppercase()) } else { s.to_ascii_uppercase() };
                prop_assert_eq!(shown, expected);
                prop_assert_eq!(k.hex_digits(), s.len());
                prop_assert_eq!(k.is_aes(), s.len() == 24);
            }
            Err(Error::Invalid { side: None, problem: Problem::KsnLength { hex_digits } }) => {
                prop_assert!(!matches!(s.len(), 16 | 20 | 24));
                prop_assert_eq!(hex_digits, s.len());
            }
            Err(Error::Invalid { side: None, problem: Problem::Hex }) => prop_assert!(!hex_ok),
            Err(Error::Invalid { side: None, problem: Problem::KsnCounterZero }) => prop_assert!(hex_ok),
            Err(e) => prop_assert!(false, "unexpected error {:?}", e),
        }
    }

    /// Any BDK type and material, any KSN, any variant and derivation type: never a panic, and the
    /// result is an error exactly when a rule of DECISIONS.md §4 is broken.
    #[test]
    fn derive_data_key_rules(
        bdk_alg in any_alg(),
        material in prop::array::uniform32(any::<u8>()),
        ksn_bytes in prop::collection::vec(any::<u8>(), 8..=12),
        variant in any_variant(),
        dt in prop::option::of(any_alg()),
    ) {
        let bdk = SymmetricKey::new(bdk_alg, &material[..bdk_alg.key_len()]).unwrap();
        // Only 8, 10 (TDES: low 21 bits) and 12 bytes (AES: last 4 bytes) with a non-zero counter build a KSN.
        let n = ksn_bytes.len();
        let b = &ksn_bytes;
        let counter = match n {
            8 | 10 => Some(u32::from_be_bytes([0, b[n - 3] & 0x1F, b[n - 2], b[n - 1]])),
            12 => Some(u32::from_be_bytes([b[8], b[9], b[10], b[11]])),
            _ => None,
        };
        let ksn = match (Ksn::from_bytes(b), counter) {
            (Ok(k), Some(c)) if c != 0 => {
                prop_assert_eq!(k.counter(), c);
                k
            }
            (Err(Error::Invalid { side: None, problem: Problem::KsnCounterZero }), Some(0)) => return Ok(()),
            (Err(Error::Invalid { side: None, problem: Problem::KsnLength { hex_digits } }), None) => {
                prop_assert_eq!(hex_digits, 2 * n);
                return Ok(());
            }
            (r, c) => {
                prop_assert!(false, "Ksn::from_bytes({:02X?}) = {:?}, counter {:?}", b, r, c);
                return Ok(());
            }
        };
        let r = derive_data_key(&bdk, &ksn, variant, dt);
        let expected = match bdk_alg {
            Alg::Tdes3Key => Some(Problem::AttributesForKey),
            Alg::Tdes2Key if ksn.is_aes() => Some(Problem::KsnLength { hex_digits: 24 }),
            Alg::Tdes2Key => dt.filter(|&d| d != Alg::Tdes2Key).map(|requested| Problem::DerivationType { requested, bdk: bdk_alg }),
            _ if !ksn.is_aes() => Some(Problem::KsnLength { hex_digits: ksn_bytes.len() * 2 }),
            _ => dt.filter(|&d| d > bdk_alg).map(|requested| Problem::DerivationType { requested, bdk: bdk_alg }),
        };
        match (r, expected) {
            (Ok(k), None) => prop_assert_eq!(k.algorithm(), if bdk_alg.is_tdes() { Alg::Tdes2Key } else { dt.unwrap_or(bdk_alg) }),
            (Err(Error::Invalid { side: None, problem }), Some(p)) => prop_assert_eq!(problem, p),
            (r, e) => prop_assert!(false, "got {:?}, expected {:?}", r.map(|k| k.algorithm()), e),
        }
    }

    /// TDES: random BDKs and KSNs, any 21-bit counter: the library equals the reference, REQUEST and
    /// BIDIRECTIONAL (and absent) are one key, RESPONSE another, and the KSN's 16-digit form is the same
    /// device as the 20-digit form with FFFF.
    #[test]
    fn tdes_matches_reference(
        bdk in prop::array::uniform16(any::<u8>()),
        id in prop::array::uniform8(any::<u8>()),
        c in counter(21).prop_filter("non-zero", |c| *c != 0),
    ) {
        let mut ksn = [0u8; 10];
        ksn[..8].copy_from_slice(&id);
        ksn[7] &= 0xE0;
        let [_, c16, c8, c0] = c.to_be_bytes();
        ksn[7] |= c16;
        ksn[8] = c8;
        ksn[9] = c0;
        let k = Ksn::from_bytes(&ksn).unwrap();
        prop_assert_eq!(k.counter(), c);
        let key = SymmetricKey::new(Alg::Tdes2Key, &bdk).unwrap();
        let txn = ref_tdes_transaction_key(&bdk, &ksn);
        prop_assert!(same(&tdes::transaction_key(&key, &k).unwrap(), Alg::Tdes2Key, &txn));
        for v in [Variant::Pin, Variant::MacRequest, Variant::MacResponse] {
            let want: Vec<u8> = txn.iter().zip(v.mask()).map(|(a, b)| a ^ b).collect();
            prop_assert!(same(&tdes::working_key(&key, &k, v).unwrap(), Alg::Tdes2Key, &want));
        }
        let request = ref_tdes_data_key(&bdk, &ksn, false);
        let response = ref_tdes_data_key(&bdk, &ksn, true);
        for v in [None, Some(DukptKeyVariant::Request), Some(DukptKeyVariant::Bidirectional)] {
            prop_assert!(same(&derive_data_key(&key, &k, v, None).unwrap(), Alg::Tdes2Key, &request));
        }
        let r = derive_data_key(&key, &k, Some(DukptKeyVariant::Response), None).unwrap();
        prop_assert!(same(&r, Alg::Tdes2Key, &response));
        prop_assert!(!same(&r, Alg::Tdes2Key, &request));
        if ksn[..2] == [0xFF, 0xFF] {
            let short = Ksn::from_bytes(&ksn[2..]).unwrap();
            prop_assert!(same(&derive_data_key(&key, &short, None, None).unwrap(), Alg::Tdes2Key, &request));
        }
    }

    /// AES: random BDKs of every size, any 32-bit counter, every usage and every allowed working-key
    /// type: the library equals the reference.
    #[test]
    fn aes_matches_reference(
        bdk_alg in prop::sample::select(vec![Alg::Aes128, Alg::Aes192, Alg::Aes256]),
        material in prop::array::uniform32(any::<u8>()),
        ikid in prop::array::uniform8(any::<u8>()),
        c in counter(32).prop_filter("non-zero", |c| *c != 0),
        usage in prop::sample::select(KeyUsage::ALL.to_vec()),
        kt in any_alg(),
        variant in any_variant(),
    ) {
        let bdk_bytes = &material[..bdk_alg.key_len()];
        let bdk = SymmetricKey::new(bdk_alg, bdk_bytes).unwrap();
        let k = Ksn::aes(&ikid, c).unwrap();
        prop_assert_eq!(k.counter(), c);
        let r = daes::working_key(&bdk, &k, usage, kt);
        if kt > bdk_alg {
            prop_assert_eq!(r.err(), Some(Error::Invalid { side: None, problem: Problem::DerivationType { requested: kt, bdk: bdk_alg } }));
            return Ok(());
        }
        let want = ref_aes_working_key(bdk_bytes, bdk_alg, &ikid, c, usage.code(), kt);
        prop_assert!(same(&r.unwrap(), kt, &want));
        let code = match variant {
            None | Some(DukptKeyVariant::Bidirectional) => 0x3002,
            Some(DukptKeyVariant::Request) => 0x3000,
            Some(DukptKeyVariant::Response) => 0x3001,
        };
        let want = ref_aes_working_key(bdk_bytes, bdk_alg, &ikid, c, code, kt);
        prop_assert!(same(&derive_data_key(&bdk, &k, variant, Some(kt)).unwrap(), kt, &want));
    }
}

/// The reference TDES cipher is the real one (the reference must not agree with the library by both
/// being wrong about the block cipher): a NIST TDES known answer.
#[test]
fn reference_primitives_are_sound() {
    // FIPS 46 / SP 800-67 style check: single DES as TDES with K1 = K2 gives single DES.
    let k = hex16("0123456789ABCDEF");
    let mut b = [0u8; 8];
    b.copy_from_slice(&hex16("4E6F772069732074"));
    assert_eq!(
        des_enc(&k, &b),
        <[u8; 8]>::try_from(hex16("3FA40E8A984D4815")).unwrap()
    );
    assert_eq!(
        tdes_enc(&[k.clone(), k.clone()].concat(), &b),
        des_enc(&k, &b)
    );
    let mut d = des_enc(&k, &b);
    des::Des::new_from_slice(&k)
        .unwrap()
        .decrypt_block((&mut d).into());
    assert_eq!(d, b);
}
