//! The RSA private operation runs in constant time with respect to its secrets: checked on the compiled
//! code under valgrind's memcheck ("ctgrind", Langley 2010).
//!
//! Memcheck tracks, bit by bit, which values are *undefined* and reports a conditional branch or a
//! memory address computed from one. The test hands the private operation an RNG whose every output
//! byte it marks undefined (a valgrind client request), so the blinding factor `r` and everything
//! computed from it — `rᵉ`, `r⁻¹` (Fermat inverses modulo `p` and `q`: exponentiations by the secret
//! `p − 2`, `q − 2`), the blinded base `c·rᵉ`, both CRT exponentiations, Garner's recombination, the
//! unblinded result — and, with exponent blinding, the blinded exponents `dP + k·(p − 1)` count as
//! secret. Any branch or table index on them is an error, and the run must have none. A control run
//! branches on one secret byte on purpose and must be caught.
//!
//! The fault check runs off here: its outcome (the result is released or [`Error::Decryption`]) is
//! the one deliberate branch on a value computed from secrets; the computation before it is the same
//! public-exponent exponentiation that makes `rᵉ`, checked here.
//!
//! **Release builds only** (`cargo test --release --test rsa_constant_time`): what must be constant
//! time is the optimised code, and a debug build branches on every arithmetic overflow check. The
//! outer test runs this binary's ignored inner tests under `valgrind`, which must be installed
//! (Debian: `apt-get install valgrind`). x86-64 Linux only (the client request is an instruction
//! sequence of that architecture).

#![cfg(all(
    feature = "std",
    not(debug_assertions),
    target_arch = "x86_64",
    target_os = "linux"
))]
#![allow(
    unsafe_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::process::Command;

use paycrypt::rand_core::{TryCryptoRng, TryRng};
use paycrypt::rsa::RsaHardening;
use paycrypt::{RsaPrivateKey, RsaSize};

/// Memcheck's requests (`valgrind/memcheck.h`): `VG_USERREQ_TOOL_BASE('M', 'C') + 1, + 2`.
const MAKE_MEM_UNDEFINED: usize = 0x4d43_0001;
const MAKE_MEM_DEFINED: usize = 0x4d43_0002;

/// A valgrind client request (`valgrind/valgrind.h`, amd64): a no-op returning `default` when not
/// under valgrind.
fn client_request(request: usize, addr: usize, len: usize) -> usize {
    let args: [usize; 6] = [request, addr, len, 0, 0, 0];
    let result;
    // SAFETY: the magic preamble rotates rdi by 128 bits in all (leaving it unchanged) and
    // `xchg rbx, rbx` is a no-op; valgrind reads the six words at rax and writes rdx.
    unsafe {
        core::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") args.as_ptr(),
            inout("rdx") 0usize => result,
            options(nostack),
        );
    }
    result
}

fn secret(bytes: &[u8]) {
    client_request(MAKE_MEM_UNDEFINED, bytes.as_ptr() as usize, bytes.len());
}

fn public(bytes: &[u8]) {
    client_request(MAKE_MEM_DEFINED, bytes.as_ptr() as usize, bytes.len());
}

/// A deterministic generator whose output memcheck treats as secret.
struct SecretRng(u64);

impl TryRng for SecretRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = (self.0 ^ (self.0 >> 29)).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        secret(dst);
        Ok(())
    }
}
impl TryCryptoRng for SecretRng {}

fn key(size: RsaSize) -> RsaPrivateKey {
    let path = format!(
        "{}/test-vectors/rsa/generated/rsa{}.pkcs8.pem",
        env!("CARGO_MANIFEST_DIR"),
        size.bits()
    );
    RsaPrivateKey::from_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Raw RSA decryptions (no padding: the padding checks end in one deliberate, public branch) with
/// secret randomness, with and without exponent blinding; a fresh blinding pair, then two refreshed by
/// squaring. The results are made public only to check them (`mᵉ = c`).
#[test]
#[ignore = "run under valgrind by `private_operation_has_no_secret_dependent_branch_or_address`"]
fn inner_private_operation() {
    // Every kernel the RSA sizes reach: 16, 24 and 32 words unrolled (the primes; RSA-2048's modulus),
    // 48 and 64 words CIOS (the moduli of RSA-3072 and -4096).
    for size in [RsaSize::Rsa2048, RsaSize::Rsa3072, RsaSize::Rsa4096] {
        for exponent_blinding in [true, false] {
            let hardening = RsaHardening {
                exponent_blinding,
                fault_check: false,
            };
            let key = key(size).with_hardening(hardening);
            let k = size.bytes();
            let mut rng = SecretRng(5);
            for i in 0..3u8 {
                let mut c = vec![0x3C ^ i; k];
                c[0] = 0; // below n
                let m = key.decrypt(None, &c, &mut rng).unwrap();
                public(&m);
                let plain = key.public_key().encrypt(None, &m, &mut rng).unwrap();
                assert_eq!(plain, c, "{size:?} {i}: mᵉ = c");
            }
        }
    }
}

/// The control: a branch on one secret byte, which memcheck must report.
#[test]
#[ignore = "run under valgrind by `private_operation_has_no_secret_dependent_branch_or_address`"]
fn inner_control() {
    let mut byte = [0u8; 1];
    SecretRng(1).try_fill_bytes(&mut byte).unwrap();
    if byte[0] > 127 {
        std::hint::black_box(1);
    } else {
        std::hint::black_box(2);
    }
}

/// Run one inner test under memcheck; returns valgrind's exit code (42 = errors found) and its log.
fn under_valgrind(test: &str) -> (i32, String) {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("valgrind")
        .args([
            "--tool=memcheck",
            "--error-exitcode=42",
            "--track-origins=yes",
            "--num-callers=30",
        ])
        .arg(exe)
        .args(["--ignored", "--exact", test, "--test-threads=1"])
        .output()
        .expect("valgrind must be installed (apt-get install valgrind) for this test");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn private_operation_has_no_secret_dependent_branch_or_address() {
    let (code, log) = under_valgrind("inner_control");
    assert_eq!(code, 42, "the control must be caught:\n{log}");
    assert!(log.contains("depends on uninitialised value"), "{log}");

    let (code, log) = under_valgrind("inner_private_operation");
    assert_eq!(code, 0, "memcheck found secret-dependent code:\n{log}");
    assert!(log.contains("ERROR SUMMARY: 0 errors"), "{log}");
}
