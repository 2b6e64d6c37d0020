//! The constant-time check: paycrypt's secret paths run under valgrind's memcheck with every secret
//! input marked *undefined* (the ctgrind technique, Adam Langley 2010). Memcheck tracks definedness
//! bit by bit through every computation and reports an error when an undefined value decides a
//! conditional jump or move, or is used to compute an address (a table index). A secret-dependent
//! branch or memory index anywhere on the path is therefore reported, in our code or in a dependency.
//!
//! ```text
//! cargo build --release --manifest-path ct-check/Cargo.toml
//! valgrind --error-exitcode=1 ct-check/target/release/paycrypt-ct-check all       # must pass
//! valgrind --error-exitcode=1 ct-check/target/release/paycrypt-ct-check control   # must fail
//! ```
//!
//! Cases (`all` runs every one but `control`): `tdes-one-block`, `tdes-bitsliced`, `tdes-modes`
//! (every TDES mode through `paycrypt::symmetric`, 2- and 3-key), `tdes-dukpt` (`derive_data_key`),
//! `tdes-dukpt-batch` (`derive_data_keys`, 64 and 70 lanes, one and two devices), `aes-dukpt`,
//! `kcv` (`ANSI_X9_24` and `CMAC` check values of TDES and AES keys), `hex` (`hex::encode_upper` of a
//! secret, `SymmetricKey::from_hex` of a secret hex string). The controls must fail, which shows the
//! check can: `control` looks a secret byte up in a table and branches on the result;
//! `control-des-crate` encrypts a block with the `des` crate's table S-boxes.
//!
//! Public inputs stay defined: KSNs (they travel in clear; DUKPT branches on the counter bits),
//! lengths, modes, IVs' presence. Outputs computed from secrets are undefined too; the harness never
//! branches on them (it hands them to `black_box`).
//!
//! The marking is valgrind's client request, written here as the five-instruction preamble of
//! `valgrind.h` (x86-64): `crabgrind` would do the same but generates its bindings with `bindgen`, which
//! needs libclang at build time. The library stays `forbid(unsafe_code)`; this crate is not part of its
//! workspace.

use std::hint::black_box;

use cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use paycrypt::dukpt::derive_data_key;
use paycrypt::dukpt::{DataKeyRequest, derive_data_keys};
use paycrypt::{
    Iv, KcvAlgorithm, Ksn, Mode, SymmetricAlgorithm as Alg, SymmetricKey, hex, symmetric,
};

/// `VG_USERREQ__MAKE_MEM_UNDEFINED` and `..._DEFINED`: memcheck's tool base `('M' << 24) | ('C' << 16)`
/// plus 1 and 2 (`memcheck.h`).
const MAKE_MEM_UNDEFINED: usize = 0x4D43_0001;
const MAKE_MEM_DEFINED: usize = 0x4D43_0002;

/// A valgrind client request (`VALGRIND_DO_CLIENT_REQUEST_EXPR` of `valgrind.h`, amd64): outside
/// valgrind the preamble is a no-op (rotations by a total of 128 bits and `xchg %rbx, %rbx`) and the
/// default (0) is returned.
#[cfg(target_arch = "x86_64")]
fn client_request(request: usize, addr: *const u8, len: usize) -> usize {
    let args: [usize; 6] = [request, addr as usize, len, 0, 0, 0];
    let mut result: usize = 0;
    // SAFETY: the sequence only reads `args` (through %rax) and writes %rdx; valgrind recognises it,
    // a plain CPU executes rotations that cancel out and an exchange of %rbx with itself.
    unsafe {
        core::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            inout("rdx") result,
            in("rax") args.as_ptr(),
            out("rdi") _,
            options(nostack, preserves_flags),
        );
    }
    result
}

/// Mark `bytes` as secret: undefined for memcheck.
fn secret(bytes: &[u8]) {
    client_request(MAKE_MEM_UNDEFINED, bytes.as_ptr(), bytes.len());
}

/// Mark `bytes` as public again (for a value the harness itself must inspect).
fn public(bytes: &[u8]) {
    client_request(MAKE_MEM_DEFINED, bytes.as_ptr(), bytes.len());
}

/// Key bytes, marked secret.
fn key_bytes<const N: usize>(seed: u8) -> [u8; N] {
    let mut k = [0u8; N];
    for (i, b) in k.iter_mut().enumerate() {
        *b = seed.wrapping_mul(31).wrapping_add(i as u8 * 17) ^ 0xA5;
    }
    secret(&k);
    k
}

/// A symmetric key built from secret bytes.
fn key(alg: Alg, seed: u8) -> SymmetricKey {
    let material = key_bytes::<32>(seed);
    SymmetricKey::new(alg, &material[..alg.key_len()]).expect("key length is public and right")
}

fn tdes_one_block() {
    let k3 = key_bytes::<24>(1);
    let k2 = key_bytes::<16>(2);
    let c3 = paycrypt::tdes::TdesEde3::new((&k3).into());
    let c2 = paycrypt::tdes::TdesEde2::new((&k2).into());
    let mut block = key_bytes::<8>(3).into();
    c3.encrypt_block(&mut block);
    c3.decrypt_block(&mut block);
    c2.encrypt_block(&mut block);
    c2.decrypt_block(&mut block);
    black_box(block);
}

fn tdes_bitsliced() {
    let k3 = key_bytes::<24>(4);
    let c3 = paycrypt::tdes::TdesEde3::new((&k3).into());
    // 64 blocks (one pass), then 75 (a pass and a tail of 11 in a partly filled pass), then 5 (one by
    // one).
    for n in [64usize, 75, 5] {
        let mut blocks: Vec<cipher::Block<paycrypt::tdes::TdesEde3>> =
            (0..n).map(|i| key_bytes::<8>(i as u8).into()).collect();
        c3.encrypt_blocks(&mut blocks);
        c3.decrypt_blocks(&mut blocks);
        black_box(&blocks);
    }
}

fn tdes_modes() {
    for alg in [Alg::Tdes2Key, Alg::Tdes3Key] {
        let k = key(alg, 5);
        for mode in Mode::ALL {
            if !mode.is_valid_for(alg) {
                continue;
            }
            let iv = (mode != Mode::Ecb).then(|| Iv::new(&[0x42; 8]).expect("8 bytes"));
            for len in [8usize, 16, 520] {
                let mut data = vec![0x5Au8; len];
                secret(&data);
                symmetric::encrypt(&k, mode, iv.as_ref(), &mut data).expect("valid");
                symmetric::decrypt(&k, mode, iv.as_ref(), &mut data).expect("valid");
                black_box(&data);
            }
        }
    }
}

fn ksn(counter: u32) -> Ksn {
    let c = counter & 0x1F_FFFF;
    Ksn::from_bytes(&[
        0xFF,
        0xFF,
        0x98,
        0x76,
        0x54,
        0x32,
        0x10,
        0xE0 | (c >> 16) as u8,
        (c >> 8) as u8,
        c as u8,
    ])
    .expect("public KSN")
}

fn tdes_dukpt() {
    let bdk = key(Alg::Tdes2Key, 6);
    for counter in [1, 0x3FF, 0x1F_FFFF] {
        black_box(derive_data_key(&bdk, &ksn(counter), None, None).expect("valid"));
    }
}

fn tdes_dukpt_batch() {
    let bdk = key(Alg::Tdes2Key, 7);
    for (n, two_devices) in [(64u32, false), (70, true)] {
        let requests: Vec<DataKeyRequest> = (1..=n)
            .map(|i| {
                let mut k = ksn(i.wrapping_mul(40503));
                if two_devices && i % 2 == 0 {
                    let mut b = [0u8; 10];
                    b.copy_from_slice(k.as_bytes());
                    b[3] ^= 1;
                    k = Ksn::from_bytes(&b).expect("public KSN");
                }
                DataKeyRequest {
                    ksn: k,
                    variant: None,
                    derivation_type: None,
                }
            })
            .collect();
        derive_data_keys(&bdk, &requests, |_, key| {
            black_box(key.expect("valid"));
        });
    }
}

fn aes_dukpt() {
    let bdk = key(Alg::Aes128, 8);
    let ksn = Ksn::aes(&[1, 2, 3, 4, 5, 6, 7, 8], 0xF0F).expect("public KSN");
    black_box(derive_data_key(&bdk, &ksn, None, None).expect("valid"));
}

fn kcv() {
    for alg in Alg::ALL {
        let k = key(alg, 9);
        for method in [KcvAlgorithm::AnsiX924, KcvAlgorithm::Cmac] {
            black_box(k.kcv_with(method).expect("a symmetric method"));
        }
    }
}

fn hex_paths() {
    let bytes = key_bytes::<24>(10);
    let mut out = [0u8; 48];
    let text = hex::encode_upper(&bytes, &mut out).expect("fits");
    black_box(text);
    // Secret key hex (valid): decoding must not branch on the digits.
    let mut digits = String::from("0123456789abcdefFEDCBA9876543210");
    secret(digits.as_bytes());
    // The one accepted report: base16ct's final "was every digit hex" decision, a bit the `Result`
    // reveals anyway (`accepted.supp`).
    let key = SymmetricKey::from_hex(Alg::Tdes2Key, &digits);
    black_box(key.map(black_box).is_ok());
    public(digits.as_bytes());
    digits.clear();
}

/// A deliberate table lookup and branch on a secret: the check must report both.
fn control() {
    static TABLE: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = (i as u8).rotate_left(3) ^ 0x63;
            i += 1;
        }
        t
    };
    let s = key_bytes::<1>(11)[0];
    let looked_up = TABLE[usize::from(black_box(s))];
    if black_box(looked_up) & 1 == 1 {
        black_box(1);
    }
}

/// The table-S-box TDES of the `des` crate (what paycrypt used before): the check must report it.
fn control_des_crate() {
    let k3 = key_bytes::<24>(12);
    let c3 = des::TdesEde3::new((&k3).into());
    let mut block = [0u8; 8].into();
    c3.encrypt_block(&mut block);
    black_box(block);
}

const CASES: [(&str, fn()); 10] = [
    ("tdes-one-block", tdes_one_block),
    ("tdes-bitsliced", tdes_bitsliced),
    ("tdes-modes", tdes_modes),
    ("tdes-dukpt", tdes_dukpt),
    ("tdes-dukpt-batch", tdes_dukpt_batch),
    ("aes-dukpt", aes_dukpt),
    ("kcv", kcv),
    ("hex", hex_paths),
    ("control", control),
    ("control-des-crate", control_des_crate),
];

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".to_string());
    // `run.sh` checks this line: the same RUSTFLAGS build this crate and paycrypt.
    eprintln!("ct-check: des lanes: {}", cfg!(paycrypt_des_lanes));
    let mut ran = 0;
    for (name, case) in CASES {
        if which == name || (which == "all" && !name.starts_with("control")) {
            eprintln!("ct-check: {name}");
            case();
            ran += 1;
        }
    }
    if ran == 0 {
        eprintln!("ct-check: unknown case {which}");
        std::process::exit(2);
    }
}
