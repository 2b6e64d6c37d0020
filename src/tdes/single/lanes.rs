//! The one-block rounds on eight lanes of `u64`, one lane per S-box: the round of [`super`] written
//! so that the compiler can run it on vector registers. Used where the build targets AVX-512
//! (`-C target-cpu=x86-64-v4`, `native` on such a CPU; see [`super::LANES`]), where each eight-lane
//! step becomes one instruction (`vprorvq` rotates each lane by its own count); compiled everywhere,
//! and checked against the scalar rounds by the tests of every build.
//!
//! The same rotations of the same truth-table words as the scalar round, with no table look-up and
//! no branch. What changes: `L` and `R` stay in vector registers, copied into every lane and into
//! both halves of each (so that a 64-bit shift is a 32-bit rotation), each lane picks its S-box's
//! six input bits with its own shift, and `f` is gathered into every lane by three
//! OR-with-swapped-lanes steps. A round is then bound by that gathering's latency rather than by the
//! integer units. Measured (`PERFORMANCE.md`, "Builds for AVX-512: the one-block rounds on eight vector
//! lanes"): TDES CBC encryption 11–16 % faster than the scalar rounds built for the same CPU (which the
//! compiler then vectorises by itself, gathering the counts with byte permutes, and which run slower than
//! the portable build's scalar code), 6–10 % faster than the portable build; with AVX2 only (four-lane shifts, no vector rotate) no faster than
//! the scalar rounds, so AVX2 builds keep those.
//!
//! Constant time: valgrind cannot run AVX-512 code, so `ct-check/run.sh` checks this module's source
//! built for the x86-64 baseline (`--cfg paycrypt_des_lanes` forces the lanes on) as it checks the
//! scalar rounds; every instruction the AVX-512 build uses here (`vpsrlvq`, `vprorvq`, `vpand`,
//! `vpternlogq`, lane extracts, `vpor`, `vmovq`, `vpbroadcastq`) has a fixed timing. The lanes are
//! temporaries like the scalar round's (in vector registers in an AVX-512 build; other builds may spill
//! them to the stack, which the stack overwrite after each public operation covers, SECURITY.md); the
//! block's halves are wiped by the caller.

use super::{POS, ROT, WORDS};

type Lanes = [u64; 8];

/// How far lane `s` shifts `R ‖ R` to bring S-box `s`'s input to its low six bits (the scalar round
/// rotates `R` by `ROT[6]` for even S-boxes, `ROT[7]` for odd ones, then shifts by whole bytes).
const R_SHIFT: [u32; 8] = {
    let mut sh = [0u32; 8];
    let mut s = 0;
    while s < 8 {
        sh[s] = (ROT[6 + s % 2] + 8 * (3 - s as u32 / 2)) % 32;
        s += 1;
    }
    sh
};

/// How far lane `s` shifts a round key to bring S-box `s`'s six key bits to its low six bits (the
/// layout of [`super::round_key_position`]).
const K_SHIFT: [u32; 8] = {
    let mut sh = [0u32; 8];
    let mut s = 0;
    while s < 8 {
        sh[s] = 32 * (s as u32 % 2) + 8 * (3 - s as u32 / 2);
        s += 1;
    }
    sh
};

/// [`WORDS`] by output bit, then S-box. Read from memory, as the scalar round reads its words.
static WORDS_BY_OUTPUT: [Lanes; 4] = {
    let mut w = [[0u64; 8]; 4];
    let mut s = 0;
    while s < 8 {
        let mut t = 0;
        while t < 4 {
            w[t][s] = WORDS[s][t];
            t += 1;
        }
        s += 1;
    }
    w
};

/// The output bit masks `1 << POS[s][t]`, by output bit, then S-box.
const MASKS: [Lanes; 4] = {
    let mut m = [[0u64; 8]; 4];
    let mut s = 0;
    while s < 8 {
        let mut t = 0;
        while t < 4 {
            m[t][s] = 1 << POS[s][t];
            t += 1;
        }
        s += 1;
    }
    m
};

#[inline(always)]
fn map(f: impl Fn(usize) -> u64) -> Lanes {
    core::array::from_fn(f)
}

/// `f(R, K)` in every lane and in both halves of each, from `R` in the same form.
#[inline(always)]
fn f(r: &Lanes, k: u64, words: &[Lanes; 4]) -> Lanes {
    // Only the low six bits of each lane's `x` matter: the rotation is taken modulo 64.
    let x = map(|s| (r[s] >> R_SHIFT[s]) ^ (k >> K_SHIFT[s]));
    let bit = |t: usize, s: usize| words[t][s].rotate_right(x[s] as u32) & MASKS[t][s];
    let part = map(|s| (bit(0, s) | bit(1, s)) | (bit(2, s) | bit(3, s)));
    let a = map(|s| part[s] | part[s ^ 4]);
    let b = map(|s| a[s] | a[s ^ 2]);
    let c = map(|s| b[s] | b[s ^ 1]);
    map(|s| c[s] | (c[s] << 32))
}

#[inline(always)]
fn xor(a: &mut Lanes, b: &Lanes) {
    for (a, b) in a.iter_mut().zip(b) {
        *a ^= b;
    }
}

/// The 16 rounds on `(l, r)` with the round keys in order, or in reverse order when decrypting.
#[inline(always)]
pub(super) fn rounds(keys: &[u64; 16], l: &mut u32, r: &mut u32, decrypt: bool) {
    let words = core::hint::black_box(&WORDS_BY_OUTPUT);
    let spread = |v: u32| [u64::from(v) | (u64::from(v) << 32); 8];
    let (mut lv, mut rv) = (spread(*l), spread(*r));
    for pair in 0..8 {
        let (a, b) = if decrypt {
            (15 - 2 * pair, 14 - 2 * pair)
        } else {
            (2 * pair, 2 * pair + 1)
        };
        xor(&mut lv, &f(&rv, keys[a], words));
        xor(&mut rv, &f(&lv, keys[b], words));
    }
    (*l, *r) = (lv[0] as u32, rv[0] as u32);
}
