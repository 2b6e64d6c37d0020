//! Plaintext and working keys are wiped on success and on every error path.
//!
//! How it is checked: this test binary's global allocator looks at every block as it is freed, and
//! counts blocks that still hold the plaintext marker (or a DUKPT working key the operations derive).
//! The library keeps plaintexts in `Zeroizing` buffers of exact capacity and working keys in
//! `SymmetricKey` (wiped on drop), so no freed block may hold them. Stack copies are not seen by this
//! check; the key types' own wiping is shown by `tests/zeroing.rs`. A control at the start proves the
//! detector sees an unwiped buffer.

#![allow(
    unsafe_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "support/rng.rs"]
mod testrng;

use paycrypt::reencrypt::{self, EncryptionAttributes, KeyUse, Policy};
use paycrypt::rsa::RsaPadding;
use paycrypt::{MemoryKeyStore, Mode, Side, lookup};
use testrng::TestRng;
use zeroize::Zeroizing;

/// 32 bytes of "card data" no library value will contain by chance.
const PLAINTEXT: [u8; 32] = *b"\xA5PAYCRYPT-PLAINTEXT-MARKER-042!\x5A";
/// The AES-128 DUKPT data-encryption key for BDK FEDCBA98…F1, KSN 1234567890123456 00000001 (spec §7).
const WORKING_KEY: [u8; 16] = [
    0xA3, 0x5C, 0x41, 0x2E, 0xFD, 0x41, 0xFD, 0xB9, 0x8B, 0x69, 0x79, 0x7C, 0x02, 0xDC, 0xD0, 0x8F,
];

static HITS: AtomicUsize = AtomicUsize::new(0);

struct Watch;

fn holds(block: &[u8], needle: &[u8]) -> bool {
    block.windows(needle.len()).any(|w| w == needle)
}

unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes until the call below frees it.
        let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
        if holds(block, &PLAINTEXT[..16]) || holds(block, &WORKING_KEY) {
            HITS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watch = Watch;

/// One test at a time: the counter is global.
static SERIAL: Mutex<()> = Mutex::new(());

fn store() -> MemoryKeyStore {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keystore.json"
    ))
    .unwrap();
    MemoryKeyStore::from_json(&text).unwrap()
}

const P: &str = "arn:aws:payment-cryptography:us-east-2:111122223333:key/";

fn side<'s>(store: &'s MemoryKeyStore, id: &str, attributes: EncryptionAttributes) -> KeyUse<'s> {
    KeyUse {
        key: lookup(store, &format!("{P}{id}"), Side::Incoming).unwrap(),
        attributes,
    }
}

/// Run `f` and return how many freed blocks held a marker meanwhile.
fn hits_during(f: impl FnOnce()) -> usize {
    let before = HITS.load(Ordering::SeqCst);
    f();
    HITS.load(Ordering::SeqCst) - before
}

#[test]
fn detector_sees_an_unwiped_buffer() {
    let _g = SERIAL.lock().unwrap();
    let n = hits_during(|| {
        let v = std::hint::black_box(PLAINTEXT.to_vec());
        drop(v);
    });
    assert!(
        n >= 1,
        "the detector must see a plain Vec holding the marker"
    );
    let n = hits_during(|| {
        let v = std::hint::black_box(Zeroizing::new(PLAINTEXT.to_vec()));
        drop(v);
    });
    assert_eq!(n, 0, "and not a wiped one");
}

#[test]
fn operations_leave_no_plaintext_or_working_key_behind() {
    let _g = SERIAL.lock().unwrap();
    let store = store();
    let mut rng = TestRng::new(1);
    let aes_cbc = || EncryptionAttributes::symmetric(Mode::Cbc, None);
    let tdes_ecb = || EncryptionAttributes::symmetric(Mode::Ecb, None);
    let oaep = || EncryptionAttributes::asymmetric(Some(RsaPadding::OaepSha256));
    let mut aes_dukpt = paycrypt::reencrypt::DukptAttributes::new(
        paycrypt::Ksn::from_hex("123456789012345600000001").unwrap(),
    );
    aes_dukpt.variant = Some(paycrypt::DukptKeyVariant::Request);
    aes_dukpt.mode = Mode::Ecb;
    let aes_dukpt = EncryptionAttributes::Dukpt(aes_dukpt);

    let aes = side(&store, "aes128key000000001", aes_cbc());
    let tdes = side(&store, "tdes2key0000000001", tdes_ecb());
    let rsa = side(&store, "rsa2048pair0000001", oaep());
    let bdk = side(&store, "aes128bdk000000001", aes_dukpt);

    // Ciphertexts made beforehand (the test's own plaintext copy is wiped by `Zeroizing`).
    let pt = Zeroizing::new(PLAINTEXT.to_vec());
    let ct_aes = reencrypt::encrypt(&aes, &pt, &mut rng).unwrap().ciphertext;
    let ct_dukpt = reencrypt::encrypt(&bdk, &pt, &mut rng).unwrap().ciphertext;
    let ct_rsa = reencrypt::encrypt(&rsa, &pt, &mut rng).unwrap().ciphertext;
    let mut long = Zeroizing::new(PLAINTEXT.to_vec());
    long.extend_from_slice(&[0; 8]);
    let ct_rsa_40 = reencrypt::encrypt(&rsa, &long, &mut rng)
        .unwrap()
        .ciphertext;
    drop(long);

    type Case<'a> = (&'a str, Box<dyn Fn(&mut TestRng) + 'a>);
    let cases: Vec<Case<'_>> = vec![
        (
            "AES -> TDES",
            Box::new(|r: &mut TestRng| {
                reencrypt::reencrypt(&aes, &tdes, &ct_aes, r, Policy::Documented).unwrap();
            }),
        ),
        (
            "AES DUKPT -> AES",
            Box::new(|r: &mut TestRng| {
                reencrypt::reencrypt(&bdk, &aes, &ct_dukpt, r, Policy::Documented).unwrap();
            }),
        ),
        (
            "RSA -> AES",
            Box::new(|r: &mut TestRng| {
                reencrypt::reencrypt(&rsa, &aes, &ct_rsa, r, Policy::Documented).unwrap();
            }),
        ),
        (
            "AES -> RSA",
            Box::new(|r: &mut TestRng| {
                reencrypt::reencrypt(&aes, &rsa, &ct_aes, r, Policy::Documented).unwrap();
            }),
        ),
        (
            "error after decryption: 40 bytes from RSA into AES",
            Box::new(|r: &mut TestRng| {
                let e = reencrypt::reencrypt(&rsa, &aes, &ct_rsa_40, r, Policy::Documented);
                assert!(e.is_err());
            }),
        ),
        (
            "error: strict policy",
            Box::new(|r: &mut TestRng| {
                let e = reencrypt::reencrypt(&aes, &tdes, &ct_aes, r, Policy::StrictAws);
                assert!(e.is_err());
            }),
        ),
        (
            "DecryptData then drop",
            Box::new(|r: &mut TestRng| {
                let d = reencrypt::decrypt(&bdk, &ct_dukpt, r).unwrap();
                assert_eq!(*d.plaintext, PLAINTEXT);
            }),
        ),
        (
            "EncryptData",
            Box::new(|r: &mut TestRng| {
                let pt = Zeroizing::new(PLAINTEXT.to_vec());
                reencrypt::encrypt(&bdk, &pt, r).unwrap();
            }),
        ),
        (
            "in place",
            Box::new(|_r: &mut TestRng| {
                let mut buf = Zeroizing::new(ct_dukpt.clone());
                reencrypt::reencrypt_in_place(&bdk, &aes, &mut buf, Policy::Documented).unwrap();
            }),
        ),
    ];
    for (name, case) in cases {
        let n = hits_during(|| case(&mut rng));
        assert_eq!(
            n, 0,
            "{name}: a freed block still held the plaintext or a working key"
        );
    }
}
