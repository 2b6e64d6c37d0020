//! TDES and AES modes against every NIST vector we hold: the CAVP KAT and MMT files (ENCRYPT and
//! DECRYPT sections) for AES and TDES, and SP 800-38A Appendix F.
//!
//! Every case runs through the public API only (`SymmetricKey::new`, `Iv::new`,
//! `symmetric::{encrypt, decrypt}`), in its own direction and in the inverse direction, and once more
//! tampered (one bit flipped in the key, the IV or the data), where the output must differ.
//!
//! **Short messages.** The public API takes only non-zero multiples of the block size (DECISIONS.md §3), but the
//! CFB1/CFB8 files hold messages of 1 to 20 bits or bytes. CFB (any segment size) and OFB are
//! *prefix-stable*: the first n output bits depend only on the key, the IV and the first n input bits.
//! Such a case is run by padding the input to a whole number of blocks with filler bytes and comparing
//! the first n output bits only; it is run twice, with two different fillers, which must both give the
//! expected bits. ECB and CBC cases are never padded (the test fails if one would need it).
//!
//! **TDES keys.** `KEY1, KEY2, KEY3` is three-key material (`Tdes3Key`); when `KEY1 = KEY3` the case is
//! also run through `Tdes2Key` with `KEY1 || KEY2` and must give the same result. The KAT files give one
//! `KEYs` for K1 = K2 = K3 (single-DES equivalent keys, which the primitive layer accepts).

use paycrypt::{Iv, Mode, SymmetricAlgorithm as Alg, SymmetricKey, symmetric};

use crate::reader::{self, Fields};

/// One known-answer case, direction included.
struct Case {
    origin: String,
    alg: Alg,
    key: Vec<u8>,
    mode: Mode,
    iv: Option<Vec<u8>>,
    /// Input, packed, `bits` long.
    input: Vec<u8>,
    /// Expected output, packed, `bits` long (unused trailing bits zero).
    expected: Vec<u8>,
    bits: usize,
    decrypt: bool,
}

/// Keep the first `bits` bits of `bytes` (zero the rest of the last byte, drop the remaining bytes).
fn truncate_bits(mut bytes: Vec<u8>, bits: usize) -> Vec<u8> {
    bytes.truncate(bits.div_ceil(8));
    if !bits.is_multiple_of(8)
        && let Some(last) = bytes.last_mut()
    {
        *last &= 0xFFu8 << (8 - bits % 8);
    }
    bytes
}

/// Run one direction of a mode through the public API and return the first `bits` output bits.
///
/// Input shorter than a block multiple is padded with `filler` (only for the prefix-stable CFB/OFB
/// modes); the bits of the last input byte beyond `bits` are set from `filler` too.
fn run(case: &Case, alg: Alg, key: &[u8], mode: Mode, filler: u8) -> Vec<u8> {
    let (iv, input, bits, decrypt) = (case.iv.as_deref(), &case.input, case.bits, case.decrypt);
    let key = SymmetricKey::new(alg, key).unwrap();
    let iv = iv.map(|b| Iv::new(b).unwrap());
    let block = alg.block_size();
    let padded_len = input.len().div_ceil(block).max(1) * block;
    let mut buf = input.to_vec();
    if !bits.is_multiple_of(8) {
        let keep = 0xFFu8 << (8 - bits % 8);
        let last = buf.last_mut().unwrap();
        *last = (*last & keep) | (filler & !keep);
    }
    if padded_len != input.len() || !bits.is_multiple_of(8) {
        assert!(
            !matches!(mode, Mode::Ecb | Mode::Cbc),
            "{mode} is not prefix-stable: a {bits}-bit case cannot be padded"
        );
    }
    buf.resize(padded_len, filler);
    let r = if decrypt {
        symmetric::decrypt(&key, mode, iv.as_ref(), &mut buf)
    } else {
        symmetric::encrypt(&key, mode, iv.as_ref(), &mut buf)
    };
    r.unwrap();
    truncate_bits(buf, bits)
}

impl Case {
    fn output(&self, alg: Alg, key: &[u8], mode: Mode, filler: u8) -> Vec<u8> {
        run(self, alg, key, mode, filler)
    }

    fn padded(&self) -> bool {
        !self.bits.is_multiple_of(self.alg.block_size() * 8)
    }

    /// The case must give its expected output; returns nothing, panics with the origin otherwise.
    fn check(&self) {
        let dir = if self.decrypt { "decrypt" } else { "encrypt" };
        let fillers: &[u8] = if self.padded() {
            &[0x00, 0xA5]
        } else {
            &[0x00]
        };
        for &filler in fillers {
            let got = self.output(self.alg, &self.key, self.mode, filler);
            assert_eq!(
                reader::hex(&got),
                reader::hex(&self.expected),
                "{}: {} {dir} (filler {filler:#04x})",
                self.origin,
                self.mode
            );
        }
        // `CFB` is the full-block CFB of the algorithm.
        let full = if self.alg.is_tdes() {
            Mode::Cfb64
        } else {
            Mode::Cfb128
        };
        if self.mode == full {
            let got = self.output(self.alg, &self.key, Mode::Cfb, 0);
            assert_eq!(got, self.expected, "{}: CFB = {full}", self.origin);
        }
        // Two-key TDES: K1 K2 K3 with K1 = K3 is the 16-byte key K1 K2.
        if self.alg == Alg::Tdes3Key && self.key[..8] == self.key[16..] {
            let got = self.output(Alg::Tdes2Key, &self.key[..16], self.mode, 0);
            assert_eq!(got, self.expected, "{}: as Tdes2Key", self.origin);
        }
    }

    /// The inverse direction: expected output in, input out.
    fn inverse(&self) -> Case {
        Case {
            origin: format!("{} (inverse)", self.origin),
            alg: self.alg,
            key: self.key.clone(),
            mode: self.mode,
            iv: self.iv.clone(),
            input: self.expected.clone(),
            expected: self.input.clone(),
            bits: self.bits,
            decrypt: !self.decrypt,
        }
    }

    /// Flip one bit of the key, the IV or the data (chosen by `n`) and require a different output.
    ///
    /// A flipped data bit changes the output in every mode with certainty (ECB/CBC: the block is a
    /// bijection of it; CFB/OFB: the bit at the same position). A flipped key or IV bit changes each output
    /// bit only with probability 1/2, so it is used only when at least 64 bits are compared. Key bits
    /// flipped are most significant bits of K1's first byte, never a DES parity bit.
    fn check_tampered(&self, n: usize) {
        let mut t = Case {
            origin: self.origin.clone(),
            key: self.key.clone(),
            iv: self.iv.clone(),
            input: self.input.clone(),
            expected: self.expected.clone(),
            ..*self
        };
        let what = match n % 3 {
            _ if self.bits < 64 => 2,
            1 if t.iv.is_none() => 0,
            w => w,
        };
        let flipped = match what {
            0 => {
                reader::flip(&mut t.key, 0);
                "key"
            }
            1 => {
                let bit = n % (self.alg.block_size() * 8);
                reader::flip(t.iv.as_mut().unwrap(), bit);
                "IV"
            }
            _ => {
                reader::flip(&mut t.input, n % self.bits);
                "data"
            }
        };
        let got = t.output(t.alg, &t.key, t.mode, 0);
        assert_ne!(
            got, self.expected,
            "{}: output unchanged with a flipped {flipped} bit",
            self.origin
        );
    }

    fn check_all(&self, n: usize) {
        self.check();
        self.inverse().check();
        self.check_tampered(n);
    }
}

fn aes_alg(key: &[u8]) -> Alg {
    match key.len() {
        16 => Alg::Aes128,
        24 => Alg::Aes192,
        32 => Alg::Aes256,
        n => panic!("AES key of {n} bytes"),
    }
}

/// `PLAINTEXT`/`CIPHERTEXT` of a CAVP case: bit strings in CFB1 files, hex otherwise.
fn data(f: &Fields, name: &str, mode: Mode) -> (Vec<u8>, usize) {
    if mode == Mode::Cfb1 {
        reader::bits(f.str(name))
    } else {
        let b = f.hex(name);
        let n = b.len() * 8;
        (b, n)
    }
}

/// Turn a CAVP case into a [`Case`] (ENCRYPT: plaintext → ciphertext; DECRYPT: the reverse).
fn cavp_case(section: &str, f: &Fields, mode: Mode, tdes: bool) -> Case {
    f.waive("COUNT", "case index");
    let (alg, key) = if !tdes {
        let key = f.hex("KEY");
        (aes_alg(&key), key)
    } else if f.has("KEYs") {
        let k = f.hex("KEYs");
        (Alg::Tdes3Key, [&k[..], &k[..], &k[..]].concat())
    } else {
        let key = [f.hex("KEY1"), f.hex("KEY2"), f.hex("KEY3")].concat();
        (Alg::Tdes3Key, key)
    };
    assert_eq!(key.len(), alg.key_len(), "{}", f.origin);
    let iv = f.opt_str("IV").map(reader::unhex);
    assert_eq!(iv.is_none(), mode == Mode::Ecb, "{}: IV presence", f.origin);
    let (plain, pbits) = data(f, "PLAINTEXT", mode);
    let (cipher, cbits) = data(f, "CIPHERTEXT", mode);
    assert_eq!(pbits, cbits, "{}: lengths", f.origin);
    let decrypt = match section {
        "ENCRYPT" => false,
        "DECRYPT" => true,
        s => panic!("{}: unknown section {s:?}", f.origin),
    };
    let (input, expected) = if decrypt {
        (cipher, plain)
    } else {
        (plain, cipher)
    };
    Case {
        origin: f.origin.clone(),
        alg,
        key,
        mode,
        iv,
        input,
        expected,
        bits: pbits,
        decrypt,
    }
}

/// The mode of a CAVP file from its name (`CFB128…`, `TCFB64…`, …).
fn mode_of(name: &str) -> Mode {
    let name = name.strip_prefix('T').unwrap_or(name);
    // Longest prefix first: CFB128 before CFB1.
    for (prefix, mode) in [
        ("CFB128", Mode::Cfb128),
        ("CFB64", Mode::Cfb64),
        ("CFB8", Mode::Cfb8),
        ("CFB1", Mode::Cfb1),
        ("ECB", Mode::Ecb),
        ("CBC", Mode::Cbc),
        ("OFB", Mode::Ofb),
    ] {
        if name.starts_with(prefix) {
            return mode;
        }
    }
    panic!("no mode in file name {name}")
}

/// Run every case of every `.rsp` file in `dir`; returns the number of cases.
fn cavp_dir(dir: &str, tdes: bool) -> usize {
    let mut total = 0;
    for name in reader::files(dir, ".rsp") {
        let mode = mode_of(&name);
        let rel = format!("{dir}/{name}");
        let mut n = 0;
        let mut sections = std::collections::BTreeSet::new();
        for c in reader::rsp(&rel) {
            sections.insert(c.section.clone());
            cavp_case(&c.section, &c.fields, mode, tdes).check_all(total + n);
            n += 1;
        }
        assert!(n > 0, "{rel}: no cases");
        assert_eq!(
            sections.into_iter().collect::<Vec<_>>(),
            ["DECRYPT", "ENCRYPT"],
            "{rel}: both sections"
        );
        println!("{rel}: {n} cases ({mode})");
        total += n;
    }
    total
}

#[test]
fn aes_cavp() {
    let n = cavp_dir("modes-aes/nist_cavp", false);
    println!("AES CAVP: {n} cases");
    // The number `modes-aes/SOURCES.md` documents: no case may be skipped.
    assert_eq!(n, 12_828);
}

#[test]
fn tdes_cavp() {
    let n = cavp_dir("modes-tdes/nist_cavp", true);
    println!("TDES CAVP: {n} cases");
    // The number `modes-tdes/SOURCES.md` documents.
    assert_eq!(n, 1_180);
}

#[test]
fn sp800_38a_appendix_f() {
    let doc = reader::json("modes-aes/sp800_38a_appendix_f.json");
    doc.waive(&["title", "format"], "documentation");
    let mut n = 0;
    for v in doc.array("vectors") {
        v.waive(&["section", "name", "decrypt_section"], "labels");
        let mode = Mode::from_aws_name(&v.str("mode")).unwrap();
        let key = v.hex("key");
        let alg = aes_alg(&key);
        assert_eq!(
            usize::try_from(v.int("key_bits")).unwrap(),
            key.len() * 8,
            "{}",
            v.origin
        );
        let iv = v.opt_hex("iv");
        assert_eq!(iv.is_none(), mode == Mode::Ecb, "{}: IV presence", v.origin);
        let ((input, bits), (expected, cbits)) = if mode == Mode::Cfb1 {
            (
                reader::bits(&v.str("plaintext_bits")),
                reader::bits(&v.str("ciphertext_bits")),
            )
        } else {
            let (p, c) = (v.hex("plaintext"), v.hex("ciphertext"));
            let (pb, cb) = (p.len() * 8, c.len() * 8);
            ((p, pb), (c, cb))
        };
        assert_eq!(bits, cbits, "{}", v.origin);
        let case = Case {
            origin: v.origin.clone(),
            alg,
            key,
            mode,
            iv,
            input,
            expected,
            bits,
            decrypt: false,
        };
        // The encrypt section, then (inverse) the decrypt section with the same values.
        case.check_all(n);
        n += 1;
    }
    println!("SP 800-38A Appendix F: {n} vectors (each encrypt and decrypt)");
    assert_eq!(n, 18);
}

#[test]
fn tampering_is_detected_by_the_harness() {
    // The harness itself must be able to fail: a wrong expectation is caught.
    let mut case = Case {
        origin: "self-check".into(),
        alg: Alg::Aes128,
        key: vec![0; 16],
        mode: Mode::Cfb1,
        iv: Some(vec![0; 16]),
        input: vec![0x80],
        expected: vec![0x00],
        bits: 1,
        decrypt: false,
    };
    let out = case.output(case.alg, &case.key, case.mode, 0);
    case.expected = out.clone();
    case.check();
    case.expected[0] ^= 0x80;
    assert!(std::panic::catch_unwind(|| case.check()).is_err());
    assert_eq!(truncate_bits(vec![0xFF, 0xFF], 3), [0xE0]);
}
