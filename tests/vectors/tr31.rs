//! TR-31 / X9.143 key blocks (`paycrypt::tr31`) against `test-vectors/tr31/`.
//!
//! - 55 positive blocks: versions `B`/`D` unwrap by default and `A`/`C` only with the legacy option
//!   (refused without it); the one ISO 20038 version `E` block is refused under both (the module never
//!   accepts `E`; its KDF half is checked). Every unwrapped block: typed header and optional blocks as
//!   listed, key, key length, padding, KBEK/KBAK, check values; re-wrapped from the parsed header *and*
//!   from the listed fields with the recorded padding, it is the published block byte for byte (hex
//!   case aside: one block is published in lower case); one changed payload digit is `Decryption`.
//! - 16 KDF vectors: KBEK/KBAK, the listed CMAC inputs, and the KBAK's CMAC subkeys where listed.
//! - 49 negative blocks: each refused with the one error its failure class maps to.
//! - The AWS-shaped examples: the dynamic-key rules, the unwrapped keys' and KEKs' check values, and the
//!   card data decrypted / re-encrypted under the unwrapped keys.

use std::convert::Infallible;

use paycrypt::rand_core::{TryCryptoRng, TryRng};
use paycrypt::tr31::{
    self, Algorithm, Binding, Exportability, Header, KeyBlock, KeyContext, KeyLengthMask,
    KeyVersion, ModeOfUse, OptionalBlock, OptionalBlocks, Usage, Version, Versions,
};
use paycrypt::{
    Error, Iv, KcvAlgorithm, Key, KeyAlgorithm, KeyArn, KeyAttributes, KeyClass, KeyMaterial,
    KeyModesOfUse, KeyUsage, Mode, Policy, Problem, Side, SymmetricAlgorithm as Alg, SymmetricKey,
    symmetric,
};
use subtle::ConstantTimeEq;

use crate::reader::{self, Obj};
use crate::tr31_psec::cases::kbpk_algorithm;

/// An "RNG" that hands out recorded padding, and checks it is asked for exactly that, once.
pub struct Replay {
    bytes: Vec<u8>,
    used: bool,
}

impl Replay {
    pub fn new(bytes: &[u8]) -> Self {
        Replay {
            bytes: bytes.to_vec(),
            used: false,
        }
    }
}

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unreachable!("wrap draws padding with try_fill_bytes only")
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        unreachable!("wrap draws padding with try_fill_bytes only")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        assert!(!self.used, "padding drawn twice");
        assert_eq!(dst.len(), self.bytes.len(), "padding length");
        dst.copy_from_slice(&self.bytes);
        self.used = true;
        Ok(())
    }
}

impl TryCryptoRng for Replay {}

fn invalid(problem: Problem) -> Error {
    Error::Invalid {
        side: None,
        problem,
    }
}

fn versions_for(v: Version) -> Versions {
    if v.is_legacy() {
        Versions::WithLegacy
    } else {
        Versions::Current
    }
}

fn key(alg: Alg, bytes: &[u8]) -> SymmetricKey {
    SymmetricKey::new(alg, bytes).unwrap()
}

fn same_key(a: &SymmetricKey, alg: Alg, bytes: &[u8]) -> bool {
    bool::from(a.ct_eq(&key(alg, bytes)))
}

/// The header of a vector, built from its listed fields (not from the block).
fn listed_header<'a>(h: &Obj, blocks: &'a [OptionalBlock<'a>]) -> Header<'a> {
    let one = |name: &str| {
        let s = h.str(name);
        assert_eq!(s.len(), 1, "{name}");
        s.as_bytes()[0]
    };
    let version = match one("version_id") {
        b'A' => Version::A,
        b'B' => Version::B,
        b'C' => Version::C,
        b'D' => Version::D,
        v => panic!("version {v}"),
    };
    let context = h.str("key_context");
    assert_eq!(&context[1..], "0", "reserved");
    let header = Header::new(
        version,
        Usage::new(&h.str("key_usage")).unwrap(),
        Algorithm::from_letter(one("algorithm")).unwrap(),
        ModeOfUse::from_letter(one("mode_of_use")).unwrap(),
    )
    .with_key_version(KeyVersion::new(&h.str("key_version_number")).unwrap())
    .with_exportability(Exportability::from_letter(one("exportability")).unwrap())
    .with_context(KeyContext::from_letter(context.as_bytes()[0]).unwrap());
    assert_eq!(
        usize::try_from(h.int("num_optional_blocks")).unwrap(),
        blocks.len()
    );
    header.with_blocks(OptionalBlocks::new(blocks))
}

/// The block with its payload and authenticator hex upper-cased (the header is compared as is).
fn upper_hex_part(block: &str, header_len: usize) -> String {
    format!(
        "{}{}",
        &block[..header_len],
        block[header_len..].to_ascii_uppercase()
    )
}

fn wrap_with(kbpk: &SymmetricKey, header: &Header<'_>, key: &[u8], padding: &[u8]) -> String {
    let mask = KeyLengthMask::Bytes(key.len() + padding.len());
    let n = tr31::wrapped_len(header, key.len(), mask).unwrap();
    let mut out = vec![0u8; n];
    let s = tr31::wrap(kbpk, header, key, mask, &mut Replay::new(padding), &mut out).unwrap();
    s.to_owned()
}

#[test]
fn unwrap_vectors() {
    let file = reader::json("tr31/tr31_unwrap_vectors.json");
    file.waive(&["title", "format", "fields"], "documentation");
    let mut per_version = std::collections::BTreeMap::<String, usize>::new();
    for v in file.array("vectors") {
        let id = v.str("id");
        v.waive(
            &[
                "tier",
                "origin",
                "sources",
                "padding_is_published",
                "notes",
                "aws_notes",
                "kcv_note",
            ],
            "provenance and prose",
        );
        let version_id = v.str("version_id");
        *per_version.entry(version_id.clone()).or_default() += 1;
        let alg = kbpk_algorithm(&v.str("kbpk_algorithm"));
        let kbpk = key(alg, &v.hex("kbpk"));
        let block = v.str("key_block");
        let expected_key = v.hex("key");
        assert_eq!(
            usize::try_from(v.int("key_length_bits")).unwrap(),
            expected_key.len() * 8,
            "{id}"
        );
        let h = v.get("header");
        assert_eq!(
            usize::try_from(h.int("length")).unwrap(),
            block.len(),
            "{id}"
        );
        let verified = v.get("verified");
        assert!(verified.bool("independent_impl_unwrap"), "{id}");
        assert!(
            verified.bool("independent_impl_rewrap_with_recovered_padding_reproduces_block"),
            "{id}"
        );
        verified.waive(&["psec_1_3_0_error"], "psec's message");
        let psec_unwraps = verified.bool("psec_1_3_0_unwrap");

        // Check values of the expected key, where its algorithm and length make a TDES or AES key.
        let header_alg = Algorithm::from_letter(h.str("algorithm").as_bytes()[0]).unwrap();
        let sym = tr31::symmetric_algorithm(header_alg, expected_key.len());
        let kcv = v.get("kcv");
        let method = v.get("kcv_method");
        match sym {
            None => {
                assert!(kcv.raw().is_null() && method.raw().is_null(), "{id}");
                assert!(
                    !v.bool("kcv_is_published") && !v.has("published_kcv"),
                    "{id}"
                );
            }
            Some(a) => {
                let k = key(a, &expected_key);
                let (want_method, kcv_alg) = if a.is_tdes() {
                    ("TDES_ECB_ZERO", KcvAlgorithm::AnsiX924)
                } else {
                    ("AES_CMAC_ZERO", KcvAlgorithm::Cmac)
                };
                assert_eq!(method.as_str(), want_method, "{id}");
                let ours = k.kcv_with(kcv_alg).unwrap().to_string();
                assert_eq!(ours, kcv.as_str(), "{id}");
                let five = (!a.is_tdes()).then(|| reader::hex(&k.cmac(&[0u8; 16]).as_bytes()[..5]));
                assert_eq!(v.opt_str("kcv_5"), five, "{id}");
                if let Some(p) = v.opt_str("published_kcv") {
                    assert!(
                        p == ours || Some(&p) == five.as_ref(),
                        "{id}: published {p}"
                    );
                    assert!(v.bool("kcv_is_published"), "{id}");
                } else {
                    assert!(!v.bool("kcv_is_published"), "{id}");
                }
            }
        }
        drop((kcv, method));

        if version_id == "E" {
            // ISO 20038 version E: never accepted; its derivation is.
            for versions in [Versions::Current, Versions::WithLegacy] {
                assert_eq!(
                    KeyBlock::parse(&block, versions).map(|_| ()),
                    Err(invalid(Problem::KeyBlockVersion)),
                    "{id}"
                );
            }
            let keys = tr31::derive_keys(&kbpk, Binding::DerivationCtr).unwrap();
            assert!(same_key(keys.kbek(), alg, &v.hex("kbek")), "{id}");
            assert!(same_key(keys.kbak(), alg, &v.hex("kbak")), "{id}");
            assert!(!psec_unwraps, "{id}: psec has no version E");
            h.waive_all("version E is refused before its header is read");
            v.waive(
                &["header_length", "optional_blocks", "padding"],
                "version E is refused, so there is nothing to compare them with",
            );
            continue;
        }

        let parsed =
            KeyBlock::parse(&block, Versions::WithLegacy).unwrap_or_else(|e| panic!("{id}: {e}"));
        let header = *parsed.header();
        let version = header.version();
        assert_eq!(version.id(), version_id.as_bytes()[0], "{id}");
        if version.is_legacy() {
            assert_eq!(
                KeyBlock::parse(&block, Versions::Current).map(|_| ()),
                Err(invalid(Problem::KeyBlockVersion)),
                "{id}: legacy refused by default"
            );
        }

        // The typed header against the listed one, and the optional blocks.
        let listed_blocks: Vec<(String, String)> = v
            .opt_array("optional_blocks")
            .unwrap()
            .iter()
            .map(|b| (b.str("id"), b.str("data")))
            .collect();
        let given: Vec<OptionalBlock<'_>> = listed_blocks
            .iter()
            .map(|(i, d)| OptionalBlock::new(i, d).unwrap())
            .collect();
        let listed = listed_header(&h, &given);
        assert_eq!(header.usage(), listed.usage(), "{id}");
        assert_eq!(header.algorithm(), listed.algorithm(), "{id}");
        assert_eq!(header.mode_of_use(), listed.mode_of_use(), "{id}");
        assert_eq!(header.key_version(), listed.key_version(), "{id}");
        assert_eq!(header.exportability(), listed.exportability(), "{id}");
        assert_eq!(header.context(), listed.context(), "{id}");
        assert!(header.blocks().iter().eq(listed.blocks().iter()), "{id}");
        assert_eq!(header, listed, "{id}: the whole header");
        let header_len = usize::try_from(v.int("header_length")).unwrap();
        assert_eq!(header.len(), header_len, "{id}");
        assert_eq!(parsed.header_text().len(), header_len, "{id}");
        // psec 1.3.0 reads the extended length form wrongly (TR31.md §1.2): exactly the blocks with an
        // extended optional block are the ones it cannot unwrap.
        let extended = header.blocks().iter().any(|b| b.is_extended());
        assert_eq!(psec_unwraps, !extended, "{id}");

        // Unwrap.
        let mut buf = vec![0u8; parsed.payload_len()];
        let unwrapped = parsed
            .unwrap(&kbpk, &mut buf)
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(unwrapped.key(), expected_key.as_slice(), "{id}");
        let padding = v.hex("padding");
        assert_eq!(unwrapped.padding(), padding.as_slice(), "{id}");
        match sym {
            Some(a) => assert_eq!(unwrapped.symmetric_key().unwrap().algorithm(), a, "{id}"),
            None => assert_eq!(
                unwrapped.symmetric_key().map(|_| ()),
                Err(invalid(Problem::WrappedKeyPolicy)),
                "{id}"
            ),
        }
        drop(unwrapped);
        assert!(buf.iter().all(|&b| b == 0), "{id}: payload wiped on drop");
        let keys = tr31::derive_keys(&kbpk, version.binding()).unwrap();
        assert!(same_key(keys.kbek(), alg, &v.hex("kbek")), "{id}: KBEK");
        assert!(same_key(keys.kbak(), alg, &v.hex("kbak")), "{id}: KBAK");

        // Re-wrap with the recorded padding: from the parsed header, and from the listed fields.
        let want = upper_hex_part(&block, header_len);
        assert_eq!(
            wrap_with(&kbpk, &header, &expected_key, &padding),
            want,
            "{id}"
        );
        assert_eq!(
            wrap_with(&kbpk, &listed, &expected_key, &padding),
            want,
            "{id}: listed"
        );

        // Tampered: one payload digit changed.
        let mut bad = block.clone().into_bytes();
        let i = header_len + 3;
        bad[i] = if bad[i] == b'0' { b'1' } else { b'0' };
        let bad = String::from_utf8(bad).unwrap();
        let mut buf = vec![0xAAu8; parsed.payload_len()];
        assert_eq!(
            tr31::unwrap(&bad, &kbpk, versions_for(version), &mut buf).map(|_| ()),
            Err(Error::Decryption),
            "{id}: tampered"
        );
        assert!(
            buf.iter().all(|&b| b == 0),
            "{id}: wiped after a failed MAC"
        );
    }
    let counts: Vec<(String, usize)> = per_version.into_iter().collect();
    let want: Vec<(String, usize)> = [("A", 10), ("B", 15), ("C", 7), ("D", 22), ("E", 1)]
        .iter()
        .map(|(v, n)| ((*v).to_owned(), *n))
        .collect();
    assert_eq!(counts, want);
}

#[test]
fn kdf_vectors() {
    let file = reader::json("tr31/tr31_kdf_vectors.json");
    file.waive(&["title", "methods", "fields"], "documentation");
    let mut n = 0;
    for v in file.array("vectors") {
        let id = v.str("id");
        v.waive(
            &["sources", "notes", "verified_independent_impl"],
            "provenance and prose",
        );
        let kbpk_bytes = v.hex("kbpk");
        // The file names the method; the KBPK's algorithm follows from it and the length.
        let (alg, binding) = match (v.str("method").as_str(), kbpk_bytes.len()) {
            ("A/C variant" | "B", 16) => (Alg::Tdes2Key, Binding::Derivation),
            ("A/C variant" | "B", 24) => (Alg::Tdes3Key, Binding::Derivation),
            ("D" | "E", 16) => (Alg::Aes128, Binding::Derivation),
            ("D" | "E", 24) => (Alg::Aes192, Binding::Derivation),
            ("D" | "E", 32) => (Alg::Aes256, Binding::Derivation),
            (m, l) => panic!("{id}: {m} with {l} bytes"),
        };
        let binding = match v.str("method").as_str() {
            "A/C variant" => Binding::Variant,
            "E" => Binding::DerivationCtr,
            _ => binding,
        };
        let kbpk = key(alg, &kbpk_bytes);
        let keys = tr31::derive_keys(&kbpk, binding).unwrap();
        let (kbek, kbak) = (v.hex("kbek"), v.hex("kbak"));
        assert!(same_key(keys.kbek(), alg, &kbek), "{id}: KBEK");
        assert!(same_key(keys.kbak(), alg, &kbak), "{id}: KBAK");
        // The listed CMAC inputs give the same keys through the public CMAC.
        for (name, want) in [
            ("derivation_inputs_kbek", &kbek),
            ("derivation_inputs_kbak", &kbak),
        ] {
            if let Some(inputs) = v.opt_array(name) {
                let mut out = Vec::new();
                for input in &inputs {
                    let msg = reader::unhex(input.as_str());
                    assert_eq!(msg.len(), 8, "{id}");
                    out.extend_from_slice(kbpk.cmac(&msg).as_bytes());
                }
                out.truncate(want.len());
                assert_eq!(&out, want, "{id}: {name}");
            }
        }
        // CMAC subkeys of the KBAK: K1 = dbl(E(0)), K2 = dbl(K1).
        if let Some(k1) = v.opt_hex("kbak_cmac_subkey_k1") {
            let bs = alg.block_size();
            let mut l = vec![0u8; bs];
            symmetric::encrypt(&key(alg, &kbak), Mode::Ecb, None, &mut l).unwrap();
            let dbl = |x: &[u8]| -> Vec<u8> {
                let r = if bs == 8 { 0x1B } else { 0x87 };
                let mut o: Vec<u8> = (0..bs)
                    .map(|i| (x[i] << 1) | x.get(i + 1).map_or(0, |n| n >> 7))
                    .collect();
                if x[0] & 0x80 != 0 {
                    o[bs - 1] ^= r;
                }
                o
            };
            let ours_k1 = dbl(&l);
            assert_eq!(ours_k1, k1, "{id}: K1");
            assert_eq!(dbl(&ours_k1), v.hex("kbak_cmac_subkey_k2"), "{id}: K2");
        }
        n += 1;
    }
    assert_eq!(n, 16);
}

/// The error each failure class of the negative file maps to (`kbpk_length_invalid_for_version` is
/// checked on its own: no KBPK can be made of those bytes for the version).
fn expected_error(class: &str) -> Error {
    match class {
        "length_field_mismatch" | "length_field_not_numeric" => invalid(Problem::KeyBlockLength),
        "block_length_not_multiple_of_cipher_block" | "empty_payload" | "too_short_for_mac" => {
            invalid(Problem::KeyBlockPayload)
        }
        "mac_not_hex" | "payload_not_hex" => invalid(Problem::KeyBlockHex),
        // After the MAC, a bad key-length field is the same opaque failure as the MAC itself.
        "mac_mismatch"
        | "key_length_field_not_multiple_of_8_bits"
        | "key_length_field_exceeds_payload" => Error::Decryption,
        // The one block of this class (the optional-block count changed to 00) fails parsing here:
        // the optional block's ID then stands where the payload's hex should be.
        "mac_mismatch_or_parse_error" => invalid(Problem::KeyBlockHex),
        other => panic!("unknown failure class {other}"),
    }
}

#[test]
fn negative_vectors() {
    let file = reader::json("tr31/tr31_negative_vectors.json");
    file.waive(&["title", "notes"], "documentation");
    let classes: Vec<String> = file
        .array("expected_failure_classes")
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut n = 0;
    for v in file.array("vectors") {
        let id = v.str("id");
        v.waive(&["source", "notes"], "provenance and prose");
        let verified = v.get("verified");
        assert!(verified.bool("independent_impl_rejects"), "{id}");
        assert!(verified.bool("psec_1_3_0_rejects"), "{id}");
        verified.waive(&["psec_1_3_0_message"], "psec's message");
        let class = v.str("expected_failure");
        assert!(classes.contains(&class), "{id}: {class} not listed");
        seen.insert(class.clone());
        let kbpk = v.hex("kbpk");
        let block = v.str("key_block");
        let tdes = matches!(block.as_bytes()[0], b'A' | b'B' | b'C');
        let family: &[Alg] = if tdes {
            &[Alg::Tdes2Key, Alg::Tdes3Key]
        } else {
            &[Alg::Aes128, Alg::Aes192, Alg::Aes256]
        };
        let mut buf = [0u8; 128];
        if class == "kbpk_length_invalid_for_version" {
            // No KBPK of the version's family can be made of these bytes...
            for &alg in family {
                assert_eq!(
                    SymmetricKey::new(alg, &kbpk).map(|_| ()),
                    Err(invalid(Problem::KeyLength {
                        algorithm: KeyAlgorithm::Symmetric(alg),
                        actual: kbpk.len(),
                    })),
                    "{id}"
                );
            }
            // ... and where they make a key of the other family, the version refuses it.
            for alg in Alg::ALL.into_iter().filter(|a| !family.contains(a)) {
                if let Ok(k) = SymmetricKey::new(alg, &kbpk) {
                    assert_eq!(
                        tr31::unwrap(&block, &k, Versions::WithLegacy, &mut buf).map(|_| ()),
                        Err(invalid(Problem::KeyBlockKbpk)),
                        "{id}"
                    );
                }
            }
        } else {
            let alg = *family
                .iter()
                .find(|a| a.key_len() == kbpk.len())
                .unwrap_or_else(|| panic!("{id}: KBPK length"));
            let k = key(alg, &kbpk);
            let got = tr31::unwrap(&block, &k, Versions::WithLegacy, &mut buf).map(|_| ());
            assert_eq!(got, Err(expected_error(&class)), "{id} ({class})");
            assert!(buf.iter().all(|&b| b == 0), "{id}: buffer wiped");
            if block.starts_with('A') || block.starts_with('C') {
                assert_eq!(
                    tr31::unwrap(&block, &k, Versions::Current, &mut buf).map(|_| ()),
                    Err(invalid(Problem::KeyBlockVersion)),
                    "{id}: A/C refused by default"
                );
            }
        }
        n += 1;
    }
    assert_eq!(n, 49);
    assert_eq!(seen.len(), classes.len(), "every listed class occurs");
}

fn kek(bytes: &[u8], algorithm: Alg, usage: KeyUsage, modes: KeyModesOfUse) -> Key {
    let arn =
        KeyArn::parse("arn:aws:payment-cryptography:us-east-2:111122223333:key/tr31kek0000000001")
            .unwrap();
    let attributes = KeyAttributes {
        key_usage: usage,
        key_class: KeyClass::SymmetricKey,
        key_algorithm: KeyAlgorithm::Symmetric(algorithm),
        key_modes_of_use: modes,
    };
    Key::new(
        arn,
        attributes,
        KeyMaterial::Symmetric(key(algorithm, bytes)),
    )
    .unwrap()
}

/// A stored key's symmetric material.
#[allow(irrefutable_let_patterns, unreachable_patterns)] // only `Symmetric` exists without `alloc`
fn material(k: &Key) -> &SymmetricKey {
    match k.material() {
        KeyMaterial::Symmetric(s) => s,
        _ => panic!("not a symmetric key"),
    }
}

fn unwrap_modes() -> KeyModesOfUse {
    KeyModesOfUse {
        decrypt: true,
        unwrap: true,
        ..KeyModesOfUse::default()
    }
}

fn symmetric_attrs(attrs: &Obj) -> (Mode, Option<Iv>) {
    let s = attrs.get("Symmetric");
    let mode = Mode::from_aws_name(&s.str("Mode")).unwrap();
    let iv = s
        .opt_str("InitializationVector")
        .map(|h| Iv::from_hex(&h).unwrap());
    (mode, iv)
}

#[test]
fn aws_dynamic_key_examples() {
    let file = reader::json("tr31/tr31_aws_dynamic_key_examples.json");
    file.waive(&["title", "warning"], "documentation");
    let examples = file.array("examples");
    assert_eq!(examples.len(), 2);

    // 1. A published D0/A/D block under an AES-128 KEK, and the card data it decrypts.
    let e = &examples[0];
    assert_eq!(e.str("id"), "APPLE_PROXIMITY_DECRYPT");
    e.waive(&["shape", "source", "verified"], "provenance and prose");
    let kek_obj = e.get("key_identifier_kek");
    kek_obj.waive(
        &["aws_key_usage_assumed"],
        "the test tries both K0 and K1 (and refuses D0) below",
    );
    let Some(KeyAlgorithm::Symmetric(kek_alg)) =
        KeyAlgorithm::from_aws_name(&kek_obj.str("kek_algorithm"))
    else {
        panic!("kek_algorithm")
    };
    let kek_bytes = kek_obj.hex("clear_kek");
    let wrapped = e.get("wrapped_key");
    let block = wrapped.str("Tr31KeyBlock");
    let kcv_alg = KcvAlgorithm::from_aws_name(&wrapped.str("KeyCheckValueAlgorithm")).unwrap();
    for usage in [
        KeyUsage::K0KeyEncryptionKey,
        KeyUsage::K1KeyBlockProtectionKey,
    ] {
        let kek = kek(&kek_bytes, kek_alg, usage, unwrap_modes());
        assert_eq!(
            material(&kek)
                .kcv_with(KcvAlgorithm::Cmac)
                .unwrap()
                .to_string(),
            e.str("kek_kcv_cmac")
        );
        for policy in [Policy::Documented, Policy::StrictAws] {
            let k =
                tr31::dynamic::unwrap_dynamic_key(&kek, &block, Side::Incoming, policy).unwrap();
            assert!(same_key(&k, Alg::Aes128, &e.hex("unwrapped_key")));
            assert_eq!(
                k.kcv_with(kcv_alg).unwrap().to_string(),
                e.str("unwrapped_key_kcv_cmac")
            );
            let (mode, iv) = symmetric_attrs(&e.get("attributes"));
            let mut data = e.hex("cipher_text");
            symmetric::decrypt(&k, mode, iv.as_ref(), &mut data).unwrap();
            assert_eq!(data, e.hex("plain_text"));
            // Mode of use D is decrypt-only: not an outgoing key.
            assert_eq!(
                tr31::dynamic::unwrap_dynamic_key(&kek, &block, Side::Outgoing, policy).map(|_| ()),
                Err(Error::Invalid {
                    side: Some(Side::Outgoing),
                    problem: Problem::WrappedKeyPolicy
                })
            );
        }
    }
    // A KEK that is itself a data key, or may only wrap, is refused.
    let d0 = kek(
        &kek_bytes,
        kek_alg,
        KeyUsage::D0SymmetricDataEncryptionKey,
        unwrap_modes(),
    );
    assert_eq!(
        tr31::dynamic::unwrap_dynamic_key(&d0, &block, Side::Incoming, Policy::Documented)
            .map(|_| ()),
        Err(Error::Invalid {
            side: Some(Side::Incoming),
            problem: Problem::KeyUsage
        })
    );
    let wrap_only = KeyModesOfUse {
        encrypt: true,
        wrap: true,
        ..KeyModesOfUse::default()
    };
    let k0 = kek(&kek_bytes, kek_alg, KeyUsage::K0KeyEncryptionKey, wrap_only);
    assert_eq!(
        tr31::dynamic::unwrap_dynamic_key(&k0, &block, Side::Incoming, Policy::Documented)
            .map(|_| ()),
        Err(Error::AccessDenied {
            side: Side::Incoming
        })
    );
    // The same bytes as a TDES KEK: the version D block does not fit it (never guessed from length).
    let tdes = kek(
        &kek_bytes,
        Alg::Tdes2Key,
        KeyUsage::K0KeyEncryptionKey,
        unwrap_modes(),
    );
    assert_eq!(
        tr31::dynamic::unwrap_dynamic_key(&tdes, &block, Side::Incoming, Policy::Documented)
            .map(|_| ()),
        Err(Error::Invalid {
            side: Some(Side::Incoming),
            problem: Problem::KeyBlockKbpk
        })
    );

    // 2. Composed: wrapped incoming (example 1's block) to wrapped outgoing (a D0/A/N block, AES-256).
    let e = &examples[1];
    assert_eq!(e.str("id"), "COMPOSED_REENCRYPT_WRAPPED_TO_WRAPPED");
    e.waive(&["shape", "provenance"], "provenance and prose");
    let side_key = |o: &Obj, side: Side, policy: Policy| {
        let kek_bytes = o.hex("kek");
        let alg = match kek_bytes.len() {
            16 => Alg::Aes128,
            32 => Alg::Aes256,
            n => panic!("KEK of {n} bytes"),
        };
        let kek = kek(
            &kek_bytes,
            alg,
            KeyUsage::K1KeyBlockProtectionKey,
            unwrap_modes(),
        );
        (
            tr31::dynamic::unwrap_dynamic_key(&kek, &o.str("Tr31KeyBlock"), side, policy),
            kek,
        )
    };
    let incoming = e.get("incoming");
    let outgoing = e.get("outgoing");
    outgoing.waive(&["note"], "prose");
    let (inc, _) = side_key(&incoming, Side::Incoming, Policy::Documented);
    let inc = inc.unwrap();
    let (out, out_kek) = side_key(&outgoing, Side::Outgoing, Policy::Documented);
    let out = out.unwrap();
    // Mode of use N is refused by the strict policy (T1/T2).
    assert_eq!(
        side_key(&outgoing, Side::Outgoing, Policy::StrictAws)
            .0
            .map(|_| ()),
        Err(Error::Invalid {
            side: Some(Side::Outgoing),
            problem: Problem::WrappedKeyPolicy
        })
    );
    let (mode, iv) = symmetric_attrs(&incoming.get("attributes"));
    let mut data = e.hex("cipher_text_in");
    symmetric::decrypt(&inc, mode, iv.as_ref(), &mut data).unwrap();
    let (mode, iv) = symmetric_attrs(&outgoing.get("attributes"));
    symmetric::encrypt(&out, mode, iv.as_ref(), &mut data).unwrap();
    assert_eq!(data, e.hex("cipher_text_out"));
    let candidates = e.get("kcv_candidates");
    candidates.waive(
        &["which_one_aws_returns"],
        "prose; T3 (part 2) picks the unwrapped key's",
    );
    assert_eq!(
        out.kcv_with(KcvAlgorithm::Cmac).unwrap().to_string(),
        candidates.str("outgoing_unwrapped_key_cmac")
    );
    assert_eq!(
        material(&out_kek)
            .kcv_with(KcvAlgorithm::Cmac)
            .unwrap()
            .to_string(),
        candidates.str("outgoing_kek_cmac")
    );
}
