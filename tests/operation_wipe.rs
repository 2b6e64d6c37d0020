//! Plaintext and working keys are wiped on success and on every error path, in the typed operations,
//! in the wire layer (requests and responses as JSON text) and in the key-store loader.
//!
//! How it is checked: this test binary's global allocator looks at every block as it is freed, and
//! counts blocks that still hold the plaintext marker, as bytes or as hex (or a DUKPT working key the
//! operations derive, or the hex or a PEM line of a key being loaded). The library keeps plaintexts in
//! `Zeroizing` buffers of exact capacity, working keys in `SymmetricKey` (wiped on drop), and every
//! string it parses or writes as JSON in a `Json` (wiped on drop), so no freed block may hold them.
//! Stack copies are not seen by this check (the CLI's memory scans see them); the key types' own
//! wiping is shown by `tests/zeroing.rs`. A control at the start proves the detector sees an unwiped
//! buffer. The CLI's batch path has the same check in `cli/tests/batch_wipe.rs`.

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

use paycrypt::operation::{EncryptionAttributes, KeyUse, Policy};
use paycrypt::rsa::RsaPadding;
use paycrypt::{KeyStore, MemoryKeyStore, Mode};
use testrng::TestRng;
use zeroize::Zeroizing;

/// 32 bytes of "card data" no library value will contain by chance.
const PLAINTEXT: [u8; 32] = *b"\xA5PAYCRYPT-PLAINTEXT-MARKER-042!\x5A";
/// The AES-128 DUKPT data-encryption key for BDK FEDCBA98…F1, KSN 1234567890123456 00000001 (DECISIONS.md §7).
const WORKING_KEY: [u8; 16] = [
    0xA3, 0x5C, 0x41, 0x2E, 0xFD, 0x41, 0xFD, 0xB9, 0x8B, 0x69, 0x79, 0x7C, 0x02, 0xDC, 0xD0, 0x8F,
];

/// The first 16 bytes of the marker as upper-case hex, as requests and responses carry it.
const PLAINTEXT_HEX: [u8; 32] = hex_upper(&PLAINTEXT);
/// An AES key that only the key-store tests below load, and its hex.
const KEY: [u8; 16] = *b"\xC3KEYSTORE-KEY-1\x3C";
const KEY_HEX: [u8; 32] = hex_upper(&KEY);
/// The second line of the test fixture's RSA-2048 private key (PEM).
const PEM_LINE: &[u8] = b"q7d/gjOmPA+hxYyIBNxuulidgxFYSN7UxeL0LsbE7Yn1UWmLeg34kiVFME30ZUve";

const fn hex_upper<const N: usize>(bytes: &[u8; N]) -> [u8; 32] {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 16 {
        out[2 * i] = DIGITS[(bytes[i] >> 4) as usize];
        out[2 * i + 1] = DIGITS[(bytes[i] & 15) as usize];
        i += 1;
    }
    out
}

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
        if holds(block, &PLAINTEXT[..16])
            || holds(block, &PLAINTEXT_HEX)
            || holds(block, &WORKING_KEY)
            || holds(block, &KEY_HEX)
            || holds(block, PEM_LINE)
        {
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
    KeyUse::new(store.lookup(&format!("{P}{id}")).unwrap(), attributes)
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
    let mut aes_dukpt = paycrypt::operation::DukptAttributes::new(
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
    let ct_aes = paycrypt::encrypt(&aes, &pt, &mut rng).unwrap().ciphertext;
    let ct_dukpt = paycrypt::encrypt(&bdk, &pt, &mut rng).unwrap().ciphertext;
    let ct_rsa = paycrypt::encrypt(&rsa, &pt, &mut rng).unwrap().ciphertext;
    let mut long = Zeroizing::new(PLAINTEXT.to_vec());
    long.extend_from_slice(&[0; 8]);
    let ct_rsa_40 = paycrypt::encrypt(&rsa, &long, &mut rng).unwrap().ciphertext;
    drop(long);

    type Case<'a> = (&'a str, Box<dyn Fn(&mut TestRng) + 'a>);
    let cases: Vec<Case<'_>> = vec![
        (
            "AES -> TDES",
            Box::new(|r: &mut TestRng| {
                paycrypt::reencrypt(&aes, &tdes, &ct_aes, r).unwrap();
            }),
        ),
        (
            "AES DUKPT -> AES",
            Box::new(|r: &mut TestRng| {
                paycrypt::reencrypt(&bdk, &aes, &ct_dukpt, r).unwrap();
            }),
        ),
        (
            "RSA -> AES",
            Box::new(|r: &mut TestRng| {
                paycrypt::reencrypt(&rsa, &aes, &ct_rsa, r).unwrap();
            }),
        ),
        (
            "AES -> RSA",
            Box::new(|r: &mut TestRng| {
                paycrypt::reencrypt(&aes, &rsa, &ct_aes, r).unwrap();
            }),
        ),
        (
            "error after decryption: 40 bytes from RSA into AES",
            Box::new(|r: &mut TestRng| {
                let e = paycrypt::reencrypt(&rsa, &aes, &ct_rsa_40, r);
                assert!(e.is_err());
            }),
        ),
        (
            "error: strict policy",
            Box::new(|r: &mut TestRng| {
                let e = paycrypt::reencrypt_with_policy(&aes, &tdes, &ct_aes, r, Policy::StrictAws);
                assert!(e.is_err());
            }),
        ),
        (
            "DecryptData then drop",
            Box::new(|r: &mut TestRng| {
                let d = paycrypt::decrypt(&bdk, &ct_dukpt, r).unwrap();
                assert_eq!(*d.plaintext, PLAINTEXT);
            }),
        ),
        (
            "EncryptData",
            Box::new(|r: &mut TestRng| {
                let pt = Zeroizing::new(PLAINTEXT.to_vec());
                paycrypt::encrypt(&bdk, &pt, r).unwrap();
            }),
        ),
        (
            "in place",
            Box::new(|_r: &mut TestRng| {
                let mut buf = Zeroizing::new(ct_dukpt.clone());
                paycrypt::reencrypt_in_place(&bdk, &aes, &mut buf).unwrap();
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

/// The wire layer: requests parsed from JSON text and responses written as JSON text, EncryptData and
/// DecryptData (whose response carries the plaintext's hex), on success and on errors found after the
/// plaintext was parsed (a member the request does not define, a bad attribute, text that stops being
/// JSON, a member given twice), through `handle`, `Request::from_value` + `execute` and `handle_envelope`.
#[test]
fn wire_layer_leaves_no_plaintext_behind() {
    use paycrypt::wire::{self, Json, Operation};
    let _g = SERIAL.lock().unwrap();
    let store = store();
    let mut rng = TestRng::new(3);
    let hex = std::str::from_utf8(&PLAINTEXT_HEX).unwrap();
    let encrypt = format!(
        r#"{{"KeyIdentifier": "{P}aes128key000000001", "PlainText": "{hex}",
            "EncryptionAttributes": {{"Symmetric": {{"Mode": "CBC"}}}}}}"#
    );
    let ciphertext = wire::handle(
        &store,
        Operation::EncryptData,
        &encrypt,
        &mut rng,
        Policy::Documented,
    )
    .unwrap()["CipherText"]
        .as_str()
        .unwrap()
        .to_string();
    let decrypt = format!(
        r#"{{"KeyIdentifier": "{P}aes128key000000001", "CipherText": "{ciphertext}",
            "DecryptionAttributes": {{"Symmetric": {{"Mode": "CBC"}}}}}}"#
    );
    let broken = [
        encrypt.replace(
            "\"EncryptionAttributes\"",
            "\"Extra\": 1, \"EncryptionAttributes\"",
        ),
        encrypt.replace("\"CBC\"", "\"XYZ\""),
        encrypt.replace("\"EncryptionAttributes\"", "\"EncryptionAttributes\" ]"),
        encrypt.replace(
            "\"EncryptionAttributes\"",
            "\"PlainText\": \"00\", \"EncryptionAttributes\"",
        ),
        encrypt.replace(hex, &format!("{}\\u0030", &hex[..30])),
    ];
    // Built here: `format!` grows its string as it goes (the test's own copies, not the library's).
    let lines = [("EncryptData", &encrypt), ("DecryptData", &decrypt)]
        .map(|(op, input)| format!(r#"{{"Operation": "{op}", "Input": {input}}}"#));
    type Case<'a> = (&'a str, Box<dyn Fn(&mut TestRng) + 'a>);
    let cases: Vec<Case<'_>> = vec![
        (
            "handle EncryptData",
            Box::new(|r: &mut TestRng| {
                let out = wire::handle(
                    &store,
                    Operation::EncryptData,
                    &encrypt,
                    r,
                    Policy::Documented,
                )
                .unwrap();
                drop(out.to_text());
            }),
        ),
        (
            "handle DecryptData, response written as text",
            Box::new(|r: &mut TestRng| {
                let out = wire::handle(
                    &store,
                    Operation::DecryptData,
                    &decrypt,
                    r,
                    Policy::Documented,
                )
                .unwrap();
                assert_eq!(out["PlainText"].as_str().unwrap()[..32], *hex);
                drop(out.to_pretty());
                drop(out.to_text());
            }),
        ),
        (
            "Request::from_value DecryptData on a parsed request",
            Box::new(|r: &mut TestRng| {
                let request = Json::parse(&decrypt).unwrap();
                wire::Request::from_value(Operation::DecryptData, &request)
                    .and_then(|q| q.execute(&store, r, Policy::Documented))
                    .unwrap();
            }),
        ),
        (
            "handle_envelope EncryptData and DecryptData",
            Box::new(|r: &mut TestRng| {
                for line in &lines {
                    let out = wire::handle_envelope(&store, line, r, Policy::Documented).unwrap();
                    drop(out.wrapped("Output").to_text());
                }
            }),
        ),
        (
            "errors after the plaintext was parsed",
            Box::new(|r: &mut TestRng| {
                for text in &broken {
                    let e =
                        wire::handle(&store, Operation::EncryptData, text, r, Policy::Documented);
                    assert!(e.is_err(), "{text}");
                }
            }),
        ),
    ];
    for (name, case) in cases {
        let n = hits_during(|| case(&mut rng));
        assert_eq!(
            n, 0,
            "{name}: a freed block still held the plaintext (bytes or hex)"
        );
    }
    // The control: serde_json, which the wire layer no longer uses on this path, leaves the hex.
    let n = hits_during(|| {
        let v: serde_json::Value = serde_json::from_str(&encrypt).unwrap();
        drop(std::hint::black_box(v));
    });
    assert!(n >= 1, "serde_json's Value is the unwiped control");
}

/// The key-store loader: neither a key's hex nor a PEM line of the document is left in a freed block,
/// when the document loads and when it fails after the key material was parsed.
#[test]
fn key_store_loader_leaves_no_key_text_behind() {
    let _g = SERIAL.lock().unwrap();
    let pem = zeroize::Zeroizing::new(
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/rsa2048.pem"
        ))
        .unwrap(),
    );
    let key_hex = std::str::from_utf8(&KEY_HEX).unwrap();
    let doc = |tail: &str| {
        let mut text = zeroize::Zeroizing::new(String::new());
        text.push_str(&serde_json::json!({"Keys": [
            {"KeyArn": format!("{P}wipeaeskey00000001"),
             "KeyAttributes": {"KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyClass": "SYMMETRIC_KEY",
                               "KeyAlgorithm": "AES_128", "KeyModesOfUse": {"Encrypt": true}},
             "KeyMaterial": key_hex},
            {"KeyArn": format!("{P}wipersakey00000001"),
             "KeyAttributes": {"KeyUsage": "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION",
                               "KeyClass": "ASYMMETRIC_KEY_PAIR", "KeyAlgorithm": "RSA_2048",
                               "KeyModesOfUse": {"Decrypt": true}},
             "KeyMaterial": &*pem}]}).to_string());
        let n = text.len();
        text.truncate(n - 1);
        text.push_str(tail);
        text
    };
    let cases = [
        ("loads", doc("}"), true),
        (
            "a member the document does not define, after the keys",
            doc(r#", "Extra": 1}"#),
            false,
        ),
        (
            "text that stops being JSON after the keys",
            doc(r#", "Aliases": [}"#),
            false,
        ),
        (
            "a member given twice, after the keys",
            doc(r#", "Aliases": [], "Aliases": []}"#),
            false,
        ),
    ];
    for (name, text, loads) in &cases {
        let n = hits_during(|| {
            let store = MemoryKeyStore::from_json(text);
            assert_eq!(store.is_ok(), *loads, "{name}");
            drop(store);
        });
        assert_eq!(
            n, 0,
            "{name}: a freed block still held a key's hex or a PEM line"
        );
    }
}
