//! Dynamic (wrapped) working keys through the JSON layer: `IncomingWrappedKey` / `OutgoingWrappedKey`
//! on ReEncryptData and `WrappedKey` on EncryptData / DecryptData.
//!
//! - the matrix: every KEK algorithm × key block version × wrapped key (algorithm letter and length) ×
//!   mode of use × side × policy, each against the result the spec's rules (TR31.md §3, §6 T1–T7)
//!   predict, computed here independently of the library's `tr31::dynamic`: a result that decrypts back
//!   with the clear key and carries the KEK's ARN and the unwrapped key's check value, or the exact
//!   AWS error (kind, `fieldList` path, message);
//! - the KEK's attributes (T5) and key usage; the key block's usage and algorithm letters;
//! - the wire shape: lengths, pattern, `DiffieHellmanSymmetricKey`, DUKPT/RSA attributes with a wrapped
//!   key, `KeyCheckValueAlgorithm`;
//! - ReEncryptData with wrapped keys on either side, both sides, and mixed with stored, DUKPT and RSA
//!   sides;
//! - tampering: every single-character change of a block is refused on the key block's path; every
//!   change the authenticator covers that leaves the block well formed is the one unwrap error.

#![allow(clippy::too_many_arguments)]

use paycrypt::tr31::{self, Algorithm, Header, KeyLengthMask, ModeOfUse, Usage, Version};
use paycrypt::wire::{FieldError, Operation, Request, ServiceError};
use paycrypt::{
    Key, KeyAlgorithm, KeyArn, KeyAttributes, KeyClass, KeyMaterial, KeyModesOfUse, KeyState,
    KeyUsage, MemoryKeyStore, Mode, Policy, Problem, SymmetricAlgorithm as Alg, SymmetricKey, hex,
    symmetric,
};
use serde_json::{Value, json};
use std::sync::OnceLock;

use crate::fixtures::arn;
use crate::testrng::TestRng;

fn unhex(s: &str) -> Vec<u8> {
    let mut out = vec![0u8; s.len() / 2];
    hex::decode(s, &mut out).unwrap();
    out
}

const KEK_ALGS: [Alg; 5] = [
    Alg::Tdes2Key,
    Alg::Tdes3Key,
    Alg::Aes128,
    Alg::Aes192,
    Alg::Aes256,
];

fn alg_id(a: Alg) -> &'static str {
    match a {
        Alg::Tdes2Key => "tdes2",
        Alg::Tdes3Key => "tdes3",
        Alg::Aes128 => "aes128",
        Alg::Aes192 => "aes192",
        Alg::Aes256 => "aes256",
    }
}

/// Key bytes of `len` with no repeated 8-byte part (never collapses to single DES).
fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i).unwrap().wrapping_mul(37).wrapping_add(seed) ^ 0x5A)
        .collect()
}

fn kek_id(alg: Alg, variant: &str) -> String {
    format!("kek{}{variant}{}", alg_id(alg), "0".repeat(20))[..20].to_string()
}

fn modes(names: &[&str]) -> KeyModesOfUse {
    let mut m = KeyModesOfUse::default();
    for n in names {
        let flag = match *n {
            "Encrypt" => &mut m.encrypt,
            "Decrypt" => &mut m.decrypt,
            "Wrap" => &mut m.wrap,
            "Unwrap" => &mut m.unwrap,
            "NoRestrictions" => &mut m.no_restrictions,
            other => panic!("no mode of use {other}"),
        };
        *flag = true;
    }
    m
}

fn make_kek(alg: Alg, id: &str, usage: KeyUsage, m: KeyModesOfUse) -> Key {
    Key::new(
        KeyArn::parse(&arn(id)).unwrap(),
        KeyAttributes {
            key_usage: usage,
            key_class: KeyClass::SymmetricKey,
            key_algorithm: KeyAlgorithm::Symmetric(alg),
            key_modes_of_use: m,
        },
        KeyMaterial::Symmetric(SymmetricKey::new(alg, &kek_bytes(alg)).unwrap()),
    )
    .unwrap()
}

fn kek_bytes(alg: Alg) -> Vec<u8> {
    bytes(alg.key_len(), 0x11)
}

/// The fixtures' key store plus KEKs of every algorithm and a few with wrong attributes.
fn store() -> &'static MemoryKeyStore {
    static STORE: OnceLock<MemoryKeyStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/keystore.json"
        ))
        .unwrap();
        let mut s = MemoryKeyStore::from_json(&text).unwrap();
        for alg in KEK_ALGS {
            let k1 = KeyUsage::K1KeyBlockProtectionKey;
            let k0 = KeyUsage::K0KeyEncryptionKey;
            s.insert(make_kek(alg, &kek_id(alg, "k1"), k1, modes(&["Unwrap"])));
            s.insert(make_kek(
                alg,
                &kek_id(alg, "k0"),
                k0,
                modes(&["Encrypt", "Decrypt", "Wrap", "Unwrap"]),
            ));
            s.insert(make_kek(alg, &kek_id(alg, "dec"), k0, modes(&["Decrypt"])));
            s.insert(make_kek(
                alg,
                &kek_id(alg, "nores"),
                k1,
                modes(&["NoRestrictions"]),
            ));
            s.insert(make_kek(
                alg,
                &kek_id(alg, "wraponly"),
                k0,
                modes(&["Encrypt", "Wrap"]),
            ));
            s.insert(make_kek(
                alg,
                &kek_id(alg, "d0"),
                KeyUsage::D0SymmetricDataEncryptionKey,
                modes(&["Encrypt", "Decrypt", "Unwrap"]),
            ));
            s.insert(make_kek(
                alg,
                &kek_id(alg, "p0"),
                KeyUsage::P0PinEncryptionKey,
                modes(&["Unwrap"]),
            ));
            s.insert(
                make_kek(alg, &kek_id(alg, "disabled"), k1, modes(&["Unwrap"])).with_enabled(false),
            );
            s.insert(
                make_kek(alg, &kek_id(alg, "deleting"), k1, modes(&["Unwrap"]))
                    .with_state(KeyState::DeletePending),
            );
        }
        s
    })
}

fn call(op: Operation, request: &Value, policy: Policy) -> Result<Value, ServiceError> {
    Request::from_value(op, request)
        .and_then(|q| q.execute(store(), &mut TestRng::new(3), policy))
        .map(paycrypt::wire::Json::into_value)
}

/// A block of `key` under the KEK of `kek_alg`, with the given header letters (deterministic padding).
fn block(
    kek_alg: Alg,
    version: Version,
    usage: Usage,
    algorithm: Algorithm,
    mode: ModeOfUse,
    key: &[u8],
) -> String {
    // A block of the other version (refused under this KEK) is made under a KEK of its own family.
    let wrap_alg = match (version, kek_alg.is_tdes()) {
        (Version::B, false) => Alg::Tdes3Key,
        (Version::D, true) => Alg::Aes256,
        _ => kek_alg,
    };
    let kbpk = SymmetricKey::new(wrap_alg, &kek_bytes(wrap_alg)).unwrap();
    let header = Header::new(version, usage, algorithm, mode);
    let mut out = [0u8; 512];
    tr31::wrap(
        &kbpk,
        &header,
        key,
        KeyLengthMask::AlgorithmMaximum,
        &mut TestRng::new(u64::try_from(key.len()).unwrap()),
        &mut out,
    )
    .unwrap()
    .to_string()
}

/// What the spec's rules predict.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    /// Works, with a key of this algorithm.
    Ok(Alg),
    /// A ValidationException on the key identifier (KEK) member.
    OnIdentifier(Problem),
    /// A ValidationException on the key block member.
    OnBlock(Problem),
    /// AccessDeniedException.
    Denied,
}

const fn strength(a: Alg) -> u8 {
    match a {
        Alg::Tdes2Key => 0,
        Alg::Tdes3Key => 1,
        Alg::Aes128 => 2,
        Alg::Aes192 => 3,
        Alg::Aes256 => 4,
    }
}

/// The spec's rules (TR31.md §3.2/§3.3, §6), written out here on their own.
fn predict(
    kek: Alg,
    version: Version,
    usage: Usage,
    algorithm: Algorithm,
    key_len: usize,
    mode: ModeOfUse,
    incoming: bool,
    policy: Policy,
) -> Expect {
    let kek_is_tdes = matches!(kek, Alg::Tdes2Key | Alg::Tdes3Key);
    if (version == Version::B) != kek_is_tdes {
        return Expect::OnIdentifier(Problem::KeyBlockKbpk);
    }
    let mode_ok = match mode {
        ModeOfUse::EncryptDecrypt => true,
        ModeOfUse::DecryptOnly => incoming,
        ModeOfUse::EncryptOnly => !incoming,
        ModeOfUse::NoRestrictions => policy == Policy::Documented,
        _ => false,
    };
    if usage != Usage::D0 || !matches!(algorithm, Algorithm::Tdes | Algorithm::Aes) || !mode_ok {
        return Expect::OnBlock(Problem::WrappedKeyPolicy);
    }
    let key = match (algorithm, key_len) {
        (Algorithm::Tdes, 16) => Alg::Tdes2Key,
        (Algorithm::Tdes, 24) => Alg::Tdes3Key,
        (Algorithm::Aes, 16) => Alg::Aes128,
        (Algorithm::Aes, 24) => Alg::Aes192,
        (Algorithm::Aes, 32) => Alg::Aes256,
        _ => return Expect::OnBlock(Problem::WrappedKeyUnwrap),
    };
    if strength(key) > strength(kek) {
        return Expect::OnBlock(Problem::WrappedKeyStrength);
    }
    Expect::Ok(key)
}

fn validation(path: &str, message: &str) -> ServiceError {
    ServiceError::Validation {
        message: format!("{path}: {message}"),
        field_list: vec![FieldError {
            path: path.to_string(),
            message: message.to_string(),
        }],
    }
}

fn block_path(op: Operation, incoming: bool) -> String {
    let member = match (op, incoming) {
        (Operation::ReEncryptData, true) => "IncomingWrappedKey",
        (Operation::ReEncryptData, false) => "OutgoingWrappedKey",
        _ => "WrappedKey",
    };
    format!("{member}.WrappedKeyMaterial.Tr31KeyBlock")
}

fn expected_error(expect: &Expect, op: Operation, incoming: bool, kek: &str) -> ServiceError {
    let id_member = match (op, incoming) {
        (Operation::ReEncryptData, true) => "IncomingKeyIdentifier",
        (Operation::ReEncryptData, false) => "OutgoingKeyIdentifier",
        _ => "KeyIdentifier",
    };
    match expect {
        Expect::OnIdentifier(p) => validation(id_member, &format!("{p} (key {kek})")),
        Expect::OnBlock(p) => validation(&block_path(op, incoming), &p.to_string()),
        Expect::Denied => ServiceError::AccessDenied {
            message: format!("The key {kek} does not allow this operation (KeyModesOfUse)"),
        },
        Expect::Ok(_) => unreachable!(),
    }
}

fn wrapped(block: &str, kcv: Option<&str>) -> Value {
    let mut w = json!({"WrappedKeyMaterial": {"Tr31KeyBlock": block}});
    if let Some(k) = kcv {
        w["KeyCheckValueAlgorithm"] = json!(k);
    }
    w
}

fn cbc(block_size: usize) -> Value {
    json!({"Symmetric": {"Mode": "CBC", "InitializationVector": "A1".repeat(block_size)}})
}

fn iv(block_size: usize) -> paycrypt::Iv {
    paycrypt::Iv::from_hex(&"A1".repeat(block_size)).unwrap()
}

const PLAIN: &str = "4111111111111111ABCDEF0123456789DEADBEEFCAFEF00D0011223344556677";

/// Decrypt (incoming) or encrypt (outgoing) under a wrapped key, check against the prediction.
fn check_side(
    kek_alg: Alg,
    kek: &str,
    block: &str,
    key: &[u8],
    expect: &Expect,
    incoming: bool,
    policy: Policy,
    kcv: Option<&str>,
) {
    let kek_arn = arn(kek);
    let (op, request) = if incoming {
        // Ciphertext made with the clear key, when there is one.
        let ct = match expect {
            Expect::Ok(a) => {
                let k = SymmetricKey::new(*a, key).unwrap();
                let mut data = unhex(PLAIN);
                symmetric::encrypt(&k, Mode::Cbc, Some(&iv(k.block_size())), &mut data).unwrap();
                hex::encode_upper_string(&data)
            }
            _ => PLAIN.to_string(),
        };
        (
            Operation::DecryptData,
            json!({"KeyIdentifier": kek_arn, "CipherText": ct,
                   "DecryptionAttributes": cbc(block_size_of(expect)), "WrappedKey": wrapped(block, kcv)}),
        )
    } else {
        (
            Operation::EncryptData,
            json!({"KeyIdentifier": kek_arn, "PlainText": PLAIN,
                   "EncryptionAttributes": cbc(block_size_of(expect)), "WrappedKey": wrapped(block, kcv)}),
        )
    };
    let got = call(op, &request, policy);
    match expect {
        Expect::Ok(a) => {
            let out = got.unwrap_or_else(|e| panic!("{kek} {block}: {e}"));
            let k = SymmetricKey::new(*a, key).unwrap();
            assert_eq!(out["KeyArn"], json!(kek_arn));
            let kcv_alg = kcv
                .map(|n| paycrypt::KcvAlgorithm::from_aws_name(n).unwrap())
                .unwrap_or(if a.is_tdes() {
                    paycrypt::KcvAlgorithm::AnsiX924
                } else {
                    paycrypt::KcvAlgorithm::Cmac
                });
            assert_eq!(
                out["KeyCheckValue"],
                json!(k.kcv_with(kcv_alg).unwrap().to_string()),
                "T3: the unwrapped key's check value"
            );
            if incoming {
                assert_eq!(out["PlainText"], json!(PLAIN));
            } else {
                let mut data = unhex(out["CipherText"].as_str().unwrap());
                symmetric::decrypt(&k, Mode::Cbc, Some(&iv(k.block_size())), &mut data).unwrap();
                assert_eq!(hex::encode_upper_string(&data), PLAIN);
            }
        }
        e => assert_eq!(
            got,
            Err(expected_error(e, op, incoming, &kek_arn)),
            "{kek} {block} incoming={incoming} {policy:?} (kek {kek_alg:?})"
        ),
    }
}

fn block_size_of(expect: &Expect) -> usize {
    match expect {
        Expect::Ok(a) if a.is_tdes() => 8,
        _ => 16,
    }
}

#[test]
fn matrix_versions_algorithms_modes_sides_policies() {
    let keys: [(Algorithm, usize); 8] = [
        (Algorithm::Tdes, 16),
        (Algorithm::Tdes, 24),
        (Algorithm::Aes, 16),
        (Algorithm::Aes, 24),
        (Algorithm::Aes, 32),
        (Algorithm::Tdes, 8),
        (Algorithm::Aes, 8),
        (Algorithm::Tdes, 32),
    ];
    let modes = [
        ModeOfUse::EncryptDecrypt,
        ModeOfUse::DecryptOnly,
        ModeOfUse::EncryptOnly,
        ModeOfUse::NoRestrictions,
        ModeOfUse::GenerateVerify,
    ];
    let mut cases = 0;
    let mut oks = 0;
    for kek_alg in KEK_ALGS {
        let kek = kek_id(kek_alg, "k1");
        for version in [Version::B, Version::D] {
            for (algorithm, len) in keys {
                let key = bytes(len, 0x42);
                for mode in modes {
                    let block = block(kek_alg, version, Usage::D0, algorithm, mode, &key);
                    for incoming in [true, false] {
                        for policy in [Policy::Documented, Policy::StrictAws] {
                            let expect = predict(
                                kek_alg,
                                version,
                                Usage::D0,
                                algorithm,
                                len,
                                mode,
                                incoming,
                                policy,
                            );
                            oks += usize::from(matches!(expect, Expect::Ok(_)));
                            check_side(
                                kek_alg, &kek, &block, &key, &expect, incoming, policy, None,
                            );
                            cases += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(cases, 5 * 2 * 8 * 5 * 2 * 2);
    // Every KEK has some working blocks and the rules refuse others.
    assert!(oks > 100 && oks < cases / 2, "{oks} of {cases}");
}

#[test]
fn key_block_usage_and_algorithm_letters() {
    let kek_alg = Alg::Aes256;
    let kek = kek_id(kek_alg, "k1");
    let key = bytes(16, 7);
    for usage in [Usage::D0, Usage::P0, Usage::K0, Usage::B0, Usage::M3] {
        for algorithm in [
            Algorithm::Aes,
            Algorithm::Tdes,
            Algorithm::Des,
            Algorithm::Hmac,
            Algorithm::Rsa,
        ] {
            let block = block(
                kek_alg,
                Version::D,
                usage,
                algorithm,
                ModeOfUse::EncryptDecrypt,
                &key,
            );
            for incoming in [true, false] {
                let expect = predict(
                    kek_alg,
                    Version::D,
                    usage,
                    algorithm,
                    16,
                    ModeOfUse::EncryptDecrypt,
                    incoming,
                    Policy::Documented,
                );
                check_side(
                    kek_alg,
                    &kek,
                    &block,
                    &key,
                    &expect,
                    incoming,
                    Policy::Documented,
                    None,
                );
            }
        }
    }
}

#[test]
fn kek_attributes_t5() {
    for kek_alg in KEK_ALGS {
        let version = if kek_alg.is_tdes() {
            Version::B
        } else {
            Version::D
        };
        let key = bytes(16, 9);
        let block = block(
            kek_alg,
            version,
            Usage::D0,
            Algorithm::Tdes,
            ModeOfUse::EncryptDecrypt,
            &key,
        );
        for (variant, expect) in [
            ("k1", Expect::Ok(Alg::Tdes2Key)),
            ("k0", Expect::Ok(Alg::Tdes2Key)),
            ("dec", Expect::Ok(Alg::Tdes2Key)),
            ("nores", Expect::Ok(Alg::Tdes2Key)),
            ("wraponly", Expect::Denied),
            ("d0", Expect::OnIdentifier(Problem::KeyUsage)),
            ("p0", Expect::OnIdentifier(Problem::KeyUsage)),
            ("disabled", Expect::OnIdentifier(Problem::KeyNotUsable)),
            ("deleting", Expect::OnIdentifier(Problem::KeyNotUsable)),
        ] {
            for incoming in [true, false] {
                let kek = kek_id(kek_alg, variant);
                check_side(
                    kek_alg,
                    &kek,
                    &block,
                    &key,
                    &expect,
                    incoming,
                    Policy::Documented,
                    None,
                );
            }
        }
    }
    // An RSA key or a BDK named as the KEK.
    let block = block(
        Alg::Aes128,
        Version::D,
        Usage::D0,
        Algorithm::Aes,
        ModeOfUse::EncryptDecrypt,
        &bytes(16, 1),
    );
    for (id, problem) in [
        ("rsa2048pair0000001", Problem::KeyUsage),
        ("aes128bdk000000001", Problem::KeyUsage),
        ("aes128key000000001", Problem::KeyUsage),
    ] {
        check_side(
            Alg::Aes128,
            id,
            &block,
            &[],
            &Expect::OnIdentifier(problem),
            true,
            Policy::Documented,
            None,
        );
    }
    // An unknown KEK.
    let r = call(
        Operation::DecryptData,
        &json!({"KeyIdentifier": "alias/nokek", "CipherText": "00112233445566778899AABBCCDDEEFF",
                "DecryptionAttributes": cbc(16), "WrappedKey": wrapped(&block, None)}),
        Policy::Documented,
    );
    assert_eq!(
        r,
        Err(ServiceError::ResourceNotFound {
            resource_id: "alias/nokek".to_string()
        })
    );
}

#[test]
fn key_check_value_algorithm() {
    let kek_alg = Alg::Aes256;
    let kek = kek_id(kek_alg, "k1");
    for (algorithm, len, alg) in [
        (Algorithm::Tdes, 16, Alg::Tdes2Key),
        (Algorithm::Aes, 32, Alg::Aes256),
    ] {
        let key = bytes(len, 3);
        let block = block(
            kek_alg,
            Version::D,
            Usage::D0,
            algorithm,
            ModeOfUse::EncryptDecrypt,
            &key,
        );
        for kcv in [None, Some("CMAC"), Some("ANSI_X9_24")] {
            for incoming in [true, false] {
                check_side(
                    kek_alg,
                    &kek,
                    &block,
                    &key,
                    &Expect::Ok(alg),
                    incoming,
                    Policy::Documented,
                    kcv,
                );
            }
        }
        for bad in ["HMAC", "SHA_1"] {
            let r = call(
                Operation::EncryptData,
                &json!({"KeyIdentifier": arn(&kek), "PlainText": PLAIN,
                        "EncryptionAttributes": cbc(16), "WrappedKey": wrapped(&block, Some(bad))}),
                Policy::Documented,
            );
            assert_eq!(
                r,
                Err(validation(
                    "WrappedKey.KeyCheckValueAlgorithm",
                    &format!(
                        "KeyCheckValueAlgorithm {bad} does not apply to a TDES or AES data key (ANSI_X9_24 or CMAC)"
                    )
                ))
            );
        }
    }
    let r = call(
        Operation::EncryptData,
        &json!({"KeyIdentifier": arn(&kek), "PlainText": PLAIN, "EncryptionAttributes": cbc(16),
                "WrappedKey": wrapped(&"D".repeat(60), Some("MD5"))}),
        Policy::Documented,
    );
    assert_eq!(
        r,
        Err(validation(
            "WrappedKey.KeyCheckValueAlgorithm",
            "Value 'MD5' failed to satisfy constraint: Member must satisfy enum value set: [CMAC, ANSI_X9_24, HMAC, SHA_1]"
        ))
    );
}

#[test]
fn wire_shape() {
    let kek = arn(&kek_id(Alg::Aes128, "k1"));
    let good = block(
        Alg::Aes128,
        Version::D,
        Usage::D0,
        Algorithm::Aes,
        ModeOfUse::EncryptDecrypt,
        &bytes(16, 5),
    );
    let decrypt = |w: Value, attrs: Value| {
        call(
            Operation::DecryptData,
            &json!({"KeyIdentifier": kek, "CipherText": "00112233445566778899AABBCCDDEEFF",
                    "DecryptionAttributes": attrs, "WrappedKey": w}),
            Policy::Documented,
        )
    };
    let path = "WrappedKey.WrappedKeyMaterial.Tr31KeyBlock";
    for (len, ok) in [(55, false), (56, true), (9984, true), (9985, false)] {
        let r = decrypt(wrapped(&"D".repeat(len), None), cbc(16));
        if ok {
            // The right length, but not a key block: refused by the TR-31 parser, same path.
            assert_eq!(
                r,
                Err(validation(path, &Problem::KeyBlockLength.to_string())),
                "{len}"
            );
        } else {
            assert_eq!(
                r,
                Err(validation(
                    path,
                    &format!("Member must have length between 56 and 9984, inclusive (got {len})")
                ))
            );
        }
    }
    for bad in ['-', ':', '+', '/', '=', ' ', 'é'] {
        let mut b = good.clone();
        b.insert(b.len() - 1, bad);
        b.pop();
        let r = decrypt(wrapped(&b, None), cbc(16));
        assert_eq!(
            r,
            Err(validation(
                path,
                "Member must satisfy regular expression pattern: [0-9a-zA-Z]+"
            )),
            "{bad}"
        );
        // No message repeats the block.
        let text = r.unwrap_err().to_json().to_string();
        assert!(!text.contains(&good[20..40]));
    }
    // Lower-case hex is allowed by the pattern and by the parser.
    let lower = format!("{}{}", &good[..16], good[16..].to_ascii_lowercase());
    assert!(decrypt(wrapped(&lower, None), cbc(16)).is_ok());
    assert!(decrypt(wrapped(&good, None), cbc(16)).is_ok());
    assert_eq!(
        decrypt(
            json!({"WrappedKeyMaterial": {"DiffieHellmanSymmetricKey": {"CertificateAuthorityPublicKeyIdentifier": "x"}}}),
            cbc(16)
        ),
        Err(validation(
            "WrappedKey.WrappedKeyMaterial.DiffieHellmanSymmetricKey",
            "DiffieHellmanSymmetricKey is not supported: only a Tr31KeyBlock can carry a wrapped key here"
        ))
    );
    for material in [
        json!({}),
        json!({"Tr31KeyBlock": good, "DiffieHellmanSymmetricKey": {}}),
    ] {
        assert_eq!(
            decrypt(json!({"WrappedKeyMaterial": material}), cbc(16)),
            Err(validation(
                "WrappedKey.WrappedKeyMaterial",
                "Exactly one of Tr31KeyBlock or DiffieHellmanSymmetricKey must be set"
            ))
        );
    }
    assert_eq!(
        decrypt(json!({"KeyCheckValueAlgorithm": "CMAC"}), cbc(16)),
        Err(validation(
            "WrappedKey.WrappedKeyMaterial",
            "Member must not be null"
        ))
    );
    assert_eq!(
        decrypt(
            json!({"WrappedKeyMaterial": {"Tr31KeyBlock": good}, "Extra": 1}),
            cbc(16)
        ),
        Err(validation("WrappedKey.Extra", "Unknown member 'Extra'"))
    );
    assert_eq!(
        decrypt(json!({"WrappedKeyMaterial": {"Tr31KeyBlock": 5}}), cbc(16)),
        Err(validation(path, "Value must be a string"))
    );
    // DUKPT and RSA attributes do not go with a wrapped key.
    assert_eq!(
        decrypt(
            wrapped(&good, None),
            json!({"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}})
        ),
        Err(validation(
            "DecryptionAttributes.Dukpt",
            "Dukpt attributes are not supported with a wrapped key (WrappedKey)"
        ))
    );
    assert_eq!(
        decrypt(
            wrapped(&good, None),
            json!({"Asymmetric": {"PaddingType": "OAEP_SHA256"}})
        ),
        Err(validation(
            "DecryptionAttributes.Asymmetric",
            "Asymmetric attributes are not supported with a wrapped key (WrappedKey)"
        ))
    );
    // ReEncryptData names the side.
    let r = call(
        Operation::ReEncryptData,
        &json!({"IncomingKeyIdentifier": arn("aes128bdk000000001"), "OutgoingKeyIdentifier": kek,
                "CipherText": "00112233445566778899AABBCCDDEEFF",
                "IncomingEncryptionAttributes": {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}},
                "OutgoingEncryptionAttributes": {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}},
                "OutgoingWrappedKey": wrapped(&good, None)}),
        Policy::Documented,
    );
    assert_eq!(
        r,
        Err(validation(
            "OutgoingEncryptionAttributes.Dukpt",
            "Dukpt attributes are not supported with a wrapped key (OutgoingWrappedKey)"
        ))
    );
    // EncryptData has no IncomingWrappedKey.
    let r = call(
        Operation::EncryptData,
        &json!({"KeyIdentifier": kek, "PlainText": PLAIN, "EncryptionAttributes": cbc(16),
                "IncomingWrappedKey": wrapped(&good, None)}),
        Policy::Documented,
    );
    assert_eq!(
        r,
        Err(validation(
            "IncomingWrappedKey",
            "Unknown member 'IncomingWrappedKey'"
        ))
    );
}

/// Every single-character change of a block is refused on the block's path (or, for a version letter
/// that no longer fits the KEK, on the identifier); every change the authenticator covers that leaves
/// the block well formed and within the header rules is the one unwrap error.
#[test]
fn tampered_blocks() {
    let unwrap_error = Problem::WrappedKeyUnwrap.to_string();
    for (kek_alg, version, algorithm, len) in [
        (Alg::Tdes3Key, Version::B, Algorithm::Tdes, 16),
        (Alg::Aes256, Version::D, Algorithm::Aes, 32),
    ] {
        let kek = arn(&kek_id(kek_alg, "k1"));
        let key = bytes(len, 0x21);
        let good = block(
            kek_alg,
            version,
            Usage::D0,
            algorithm,
            ModeOfUse::EncryptDecrypt,
            &key,
        );
        let bs = if algorithm == Algorithm::Tdes { 8 } else { 16 };
        let req = |b: &str| {
            json!({"KeyIdentifier": kek, "CipherText": "00112233445566778899AABBCCDDEEFF",
                   "DecryptionAttributes": cbc(bs), "WrappedKey": wrapped(b, None)})
        };
        assert!(call(Operation::DecryptData, &req(&good), Policy::Documented).is_ok());
        let mut opaque = 0;
        for i in 0..good.len() {
            for c in ['0', '7', 'A', 'F', 'Z', 'b', 'x'] {
                let original = char::from(good.as_bytes()[i]);
                if c.eq_ignore_ascii_case(&original) && (i >= 16 || c == original) {
                    continue; // no change (hex reads either case)
                }
                let mut b = good.clone().into_bytes();
                b[i] = u8::try_from(c).unwrap();
                let b = String::from_utf8(b).unwrap();
                let Err(ServiceError::Validation {
                    message,
                    field_list,
                }) = call(Operation::DecryptData, &req(&b), Policy::Documented)
                else {
                    panic!("tampered at {i} with {c}: accepted");
                };
                assert_eq!(field_list.len(), 1);
                let f = &field_list[0];
                assert!(
                    f.path == "WrappedKey.WrappedKeyMaterial.Tr31KeyBlock"
                        || (i == 0 && f.path == "KeyIdentifier"),
                    "{i} {c}: {message}"
                );
                let header_letters_kept = i >= 16 || matches!(i, 9 | 10 | 11 | 14);
                if c.is_ascii_hexdigit()
                    && header_letters_kept
                    && f.message != Problem::KeyBlockHeader.to_string()
                {
                    assert_eq!(f.message, unwrap_error, "{i} {c}");
                    opaque += 1;
                }
                assert!(!message.contains(&good[20..40]));
            }
        }
        assert!(opaque > good.len(), "{opaque}");
    }
}

/// ReEncryptData with wrapped keys on either side, both sides, and mixed with stored, DUKPT and RSA
/// sides: results decrypt back with the unwrapped key (or the other side's stored key).
#[test]
fn reencrypt_mixed_sides() {
    let in_kek = arn(&kek_id(Alg::Aes256, "k1"));
    let out_kek = arn(&kek_id(Alg::Tdes3Key, "k0"));
    let in_key = bytes(32, 0x31);
    let out_key = bytes(24, 0x32);
    let in_block = block(
        Alg::Aes256,
        Version::D,
        Usage::D0,
        Algorithm::Aes,
        ModeOfUse::DecryptOnly,
        &in_key,
    );
    let out_block = block(
        Alg::Tdes3Key,
        Version::B,
        Usage::D0,
        Algorithm::Tdes,
        ModeOfUse::EncryptOnly,
        &out_key,
    );
    let in_sym = SymmetricKey::new(Alg::Aes256, &in_key).unwrap();
    let out_sym = SymmetricKey::new(Alg::Tdes3Key, &out_key).unwrap();
    let plain = unhex(PLAIN);
    let mut wrapped_ct = plain.clone();
    symmetric::encrypt(&in_sym, Mode::Cbc, Some(&iv(16)), &mut wrapped_ct).unwrap();
    let wrapped_ct = hex::encode_upper_string(&wrapped_ct);

    // Incoming sides: (identifier, attributes, wrapped key, ciphertext of PLAIN).
    let dukpt = json!({"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "CBC"}});
    let dukpt_ct = crate::fixtures::ok(
        Operation::EncryptData,
        json!({"KeyIdentifier": arn("tdesbdk00000000001"), "PlainText": PLAIN, "EncryptionAttributes": dukpt}),
    );
    let rsa_ct = crate::fixtures::ok(
        Operation::EncryptData,
        json!({"KeyIdentifier": arn("rsa2048pair0000001"), "PlainText": PLAIN,
               "EncryptionAttributes": {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}}),
    );
    let stored = SymmetricKey::from_hex(Alg::Aes128, "00112233445566778899AABBCCDDEEFF").unwrap();
    let mut stored_ct = plain.clone();
    symmetric::encrypt(&stored, Mode::Cbc, Some(&iv(16)), &mut stored_ct).unwrap();
    let incomings = [
        (
            "wrapped",
            in_kek.clone(),
            cbc(16),
            Some(wrapped(&in_block, None)),
            wrapped_ct.clone(),
        ),
        (
            "stored",
            arn("aes128key000000001"),
            cbc(16),
            None,
            hex::encode_upper_string(&stored_ct),
        ),
        (
            "dukpt",
            arn("tdesbdk00000000001"),
            dukpt.clone(),
            None,
            dukpt_ct["CipherText"].as_str().unwrap().to_string(),
        ),
        (
            "rsa",
            arn("rsa2048pair0000001"),
            json!({"Asymmetric": {"PaddingType": "OAEP_SHA256"}}),
            None,
            rsa_ct["CipherText"].as_str().unwrap().to_string(),
        ),
    ];
    let outgoings = [
        (
            "wrapped",
            out_kek.clone(),
            cbc(8),
            Some(wrapped(&out_block, Some("CMAC"))),
        ),
        ("stored", arn("aes128key000000001"), cbc(16), None),
        ("dukpt", arn("tdesbdk00000000001"), dukpt.clone(), None),
        (
            "rsa",
            arn("rsa2048public00001"),
            json!({"Asymmetric": {"PaddingType": "OAEP_SHA256"}}),
            None,
        ),
    ];
    let mut runs = 0;
    for (in_name, in_id, in_attrs, in_w, ct) in &incomings {
        for (out_name, out_id, out_attrs, out_w) in &outgoings {
            if in_w.is_none() && out_w.is_none() {
                continue;
            }
            let mut req = json!({"IncomingKeyIdentifier": in_id, "OutgoingKeyIdentifier": out_id,
                "CipherText": ct, "IncomingEncryptionAttributes": in_attrs,
                "OutgoingEncryptionAttributes": out_attrs});
            if let Some(w) = in_w {
                req["IncomingWrappedKey"] = w.clone();
            }
            if let Some(w) = out_w {
                req["OutgoingWrappedKey"] = w.clone();
            }
            let out = call(Operation::ReEncryptData, &req, Policy::Documented)
                .unwrap_or_else(|e| panic!("{in_name} -> {out_name}: {e}"));
            assert_eq!(out["KeyArn"], json!(out_id), "{in_name} -> {out_name}");
            let new_ct = out["CipherText"].as_str().unwrap();
            let back = match *out_name {
                "wrapped" => {
                    assert_eq!(
                        out["KeyCheckValue"],
                        json!(
                            out_sym
                                .kcv_with(paycrypt::KcvAlgorithm::Cmac)
                                .unwrap()
                                .to_string()
                        )
                    );
                    let mut d = unhex(new_ct);
                    symmetric::decrypt(&out_sym, Mode::Cbc, Some(&iv(8)), &mut d).unwrap();
                    hex::encode_upper_string(&d)
                }
                "stored" => {
                    let mut d = unhex(new_ct);
                    symmetric::decrypt(&stored, Mode::Cbc, Some(&iv(16)), &mut d).unwrap();
                    hex::encode_upper_string(&d)
                }
                "dukpt" => crate::fixtures::ok(
                    Operation::DecryptData,
                    json!({"KeyIdentifier": arn("tdesbdk00000000001"), "CipherText": new_ct,
                           "DecryptionAttributes": dukpt}),
                )["PlainText"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                _ => crate::fixtures::ok(
                    Operation::DecryptData,
                    json!({"KeyIdentifier": arn("rsa2048pair0000001"), "CipherText": new_ct,
                           "DecryptionAttributes": {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}}),
                )["PlainText"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            };
            assert_eq!(back, PLAIN, "{in_name} -> {out_name}");
            runs += 1;
        }
    }
    assert_eq!(runs, 7);
    // A decrypt-only block cannot be the outgoing side, and an encrypt-only one not the incoming side.
    let r = call(
        Operation::ReEncryptData,
        &json!({"IncomingKeyIdentifier": out_kek, "OutgoingKeyIdentifier": in_kek,
            "CipherText": wrapped_ct, "IncomingEncryptionAttributes": cbc(8),
            "OutgoingEncryptionAttributes": cbc(16),
            "IncomingWrappedKey": wrapped(&out_block, None), "OutgoingWrappedKey": wrapped(&in_block, None)}),
        Policy::Documented,
    );
    assert_eq!(
        r,
        Err(validation(
            "IncomingWrappedKey.WrappedKeyMaterial.Tr31KeyBlock",
            &Problem::WrappedKeyPolicy.to_string()
        ))
    );
    // Strict policy: wrapped (D0) to stored D0 is the refused D0 -> D0 pairing; mode N refused.
    let r = call(
        Operation::ReEncryptData,
        &json!({"IncomingKeyIdentifier": in_kek, "OutgoingKeyIdentifier": arn("aes128key000000001"),
            "CipherText": wrapped_ct, "IncomingEncryptionAttributes": cbc(16),
            "OutgoingEncryptionAttributes": cbc(16), "IncomingWrappedKey": wrapped(&in_block, None)}),
        Policy::StrictAws,
    );
    assert_eq!(
        r,
        Err(validation(
            "OutgoingEncryptionAttributes",
            &Problem::PolicyRefused.to_string()
        ))
    );
}
