//! The one-block core: DES on one 64-bit block in two `u32` halves, without tables.
//!
//! **S-boxes by rotation.** Each S-box output bit is a function of the S-box's 6-bit input `x`; its
//! 64-entry truth table is one 64-bit constant whose bit `x` is the output for input `x`. Rotating that
//! constant right by `x` brings the wanted bit to a fixed position, and a fixed mask keeps it. The
//! constants are pre-rotated so that the bit lands where the permutation `P` puts it, so one round is
//! 8 index extractions and 32 × (rotate, mask, or) with no memory access that depends on data.
//!
//! Why that is constant time: the rotation amount is secret, but a rotate (or shift) by a register
//! amount has a fixed latency and throughput on every CPU this crate targets — x86-64 (`ror r64, cl`,
//! the count masked to 6 bits by the hardware; no microcode loop since the Pentium) and 32-bit Arm
//! Cortex-M3/M4/M7, whose barrel shifter shifts by a register in one cycle; there the compiler lowers a
//! 64-bit rotate to a fixed sequence of 32-bit shifts and conditionally executed instructions (Thumb-2
//! `IT` blocks, whose skipped instructions still take their cycle), with no branch. The constants are
//! `const` items read with constant indices. The only per-key work is the key schedule: a bit selection
//! with constant positions.
//!
//! A round key is one `u64`: two 32-bit halves XORed onto two rotations of `R`, after which each S-box's
//! six input bits sit in their own byte (even S-boxes in one half, odd ones in the other). The initial
//! and final permutations are fixed delta swaps.

#![expect(
    clippy::cast_possible_truncation,
    reason = "DES splits 64-bit words into 32-bit halves and 6-bit groups on purpose, without a branch"
)]

mod lanes;

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::tables::{E, P_INV, ROUND_KEY_BIT, sbox};

/// Whether the rounds run on eight lanes ([`lanes`]): in x86-64 builds for AVX-512, where they run
/// as vector code and take less time than the scalar rounds. Decided when compiling; the
/// `paycrypt_des_lanes` cfg forces it, for the constant-time check of the lanes on any build.
const LANES: bool = cfg!(any(
    paycrypt_des_lanes,
    all(target_arch = "x86_64", target_feature = "avx512f")
));

/// How far `R` (bit `i` of the standard at `u32` bit `32 - i`) is rotated right to bring S-box `s`'s
/// six input bits of `E(R)` to the low six bits, first input bit highest.
const ROT: [u32; 8] = {
    let mut rot = [0u32; 8];
    let mut s = 0;
    while s < 8 {
        // The group starts at bit E[6s] of R; its last bit E[6s + 5] must land on bit 0.
        let last = E[6 * s + 5] as u32; // bit `last` of R sits at u32 bit 32 - last
        rot[s] = (32 - last) % 32;
        s += 1;
    }
    rot
};

/// Where S-box `s`'s output bit `t` lands in `f` (a `u32` bit index).
const POS: [[u32; 4]; 8] = {
    let mut pos = [[0u32; 4]; 8];
    let mut s = 0;
    while s < 8 {
        let mut t = 0;
        while t < 4 {
            pos[s][t] = 31 - P_INV[4 * s + t] as u32;
            t += 1;
        }
        s += 1;
    }
    pos
};

/// The truth table of S-box `s`'s output bit `t` (bit `x` = that output for input `x`), rotated left
/// by `POS[s][t]` so that rotating it right by `x` puts the output bit at `POS[s][t]`.
const WORDS: [[u64; 4]; 8] = {
    let mut w = [[0u64; 4]; 8];
    let mut s = 0;
    while s < 8 {
        let mut t = 0;
        while t < 4 {
            let mut table = 0u64;
            let mut x = 0;
            while x < 64 {
                table |= (((sbox(s, x) >> (3 - t)) & 1) as u64) << x;
                x += 1;
            }
            w[s][t] = table.rotate_left(POS[s][t]);
            t += 1;
        }
        s += 1;
    }
    w
};

/// The most rotation groups any round key needs (37 for DES; checked at compile time).
const MAX_MOVES: usize = 40;

/// Per round: the (rotation, mask) pairs that move the key bits of the round key into place, and how
/// many there are, for the round key layout of [`round_key_position`].
const MOVES: ([[(u32, u64); MAX_MOVES]; 16], [usize; 16]) = {
    let mut moves = [[(0u32, 0u64); MAX_MOVES]; 16];
    let mut counts = [0usize; 16];
    let mut r = 0;
    while r < 16 {
        let mut k = 0;
        while k < 48 {
            let src = 64 - ROUND_KEY_BIT[r][k] as u32; // u64 bit of the key
            let dst = round_key_position(k);
            let rotation = (src + 64 - dst) % 64;
            let mut i = 0;
            while i < counts[r] && moves[r][i].0 != rotation {
                i += 1;
            }
            if i == counts[r] {
                assert!(i < MAX_MOVES);
                moves[r][i].0 = rotation;
                counts[r] += 1;
            }
            moves[r][i].1 |= 1 << dst;
            k += 1;
        }
        r += 1;
    }
    (moves, counts)
};

/// The S-box words, read from memory rather than folded into 64-bit immediates: a load uses a load
/// port, an immediate an ALU slot, and the round is bound by ALU slots (`black_box` keeps the
/// compiler from folding the table back into the code). Called once per round: with the address
/// taken once for the 16 rounds, the compiler copies the 32 words into stack slots before them, and
/// a block takes 8 % more time (measured on x86-64).
#[inline(always)]
fn words() -> &'static [[u64; 4]; 8] {
    static WORDS_IN_MEMORY: [[u64; 4]; 8] = WORDS;
    core::hint::black_box(&WORDS_IN_MEMORY)
}

/// Where bit `k` (0..48) of a round key sits in its `u64` (see [`Schedule`]): S-box `s`'s six bits in
/// byte `3 - s / 2` of the low half (even `s`) or of the high half (odd `s`), first bit highest.
pub(crate) const fn round_key_position(k: usize) -> u32 {
    let s = (k / 6) as u32;
    let j = (k % 6) as u32;
    32 * (s % 2) + 8 * (3 - s / 2) + 5 - j
}

/// The key of round `R`: the round's rotate-and-mask steps, unrolled with constant amounts.
#[inline(always)]
const fn round_key<const R: usize>(key: u64) -> u64 {
    let mut v = 0u64;
    let mut i = 0;
    while i < MAX_MOVES {
        let (rotation, mask) = MOVES.0[R][i];
        v |= key.rotate_right(rotation) & mask;
        i += 1;
    }
    v
}

/// The round function `f(R, K) = P(S(E(R) ⊕ K))`.
#[inline(always)]
fn f(r: u32, k: u64, words: &[[u64; 4]; 8]) -> u32 {
    // The six input bits of S-box s (first bit highest) of E(R) ⊕ K: even S-boxes from one rotation of
    // R, odd ones from another, each 8 bits apart, the round key XORed in once per half. Only the low
    // 6 bits of `x` matter: the rotation amount below is taken modulo 64.
    let even = r.rotate_right(ROT[6]) ^ (k as u32);
    let odd = r.rotate_right(ROT[7]) ^ ((k >> 32) as u32);
    let input = |s: usize| {
        let half = if s.is_multiple_of(2) { even } else { odd };
        half >> (8 * (3 - s / 2))
    };
    // S-box `s`'s four output bits, each in its place in `f`.
    let sbox = |s: usize| {
        let x = input(s);
        let bit = |t: usize| words[s][t].rotate_right(x) & (1 << POS[s][t]);
        (bit(0) | bit(1)) | (bit(2) | bit(3))
    };
    // Combined as a tree: one chain of 32 ORs would be the round's critical path.
    let out =
        ((sbox(0) | sbox(1)) | (sbox(2) | sbox(3))) | ((sbox(4) | sbox(5)) | (sbox(6) | sbox(7)));
    out as u32
}

/// The rounds written out one by one, each pair `a b` being `L ^= f(R, K[a])`, `R ^= f(L, K[b])`:
/// every round key at a constant offset and no loop counter, 4 % fewer instructions than a loop over
/// pairs of rounds (`benches/callgrind.sh tdes3-block`: 7 546 instead of 7 855 per TDES block).
macro_rules! rounds {
    ($keys:expr, $l:ident, $r:ident, $($a:literal $b:literal),*) => {
        $(
            *$l ^= f(*$r, $keys[$a], words());
            *$r ^= f(*$l, $keys[$b], words());
        )*
    };
}

/// The 16 round keys of one DES key, six bits per S-box, in the order of the S-box input.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Schedule {
    keys: [u64; 16],
}

impl Schedule {
    /// The schedule of a DES key given as a big-endian `u64` (parity bits ignored).
    ///
    /// Each round key is a fixed selection of key bits. Bits that move by the same rotation are moved
    /// together (`MOVES`): about 35 rotate-and-mask steps per round, all with constant amounts.
    pub(crate) const fn new(key: u64) -> Self {
        Schedule {
            keys: [
                round_key::<0>(key),
                round_key::<1>(key),
                round_key::<2>(key),
                round_key::<3>(key),
                round_key::<4>(key),
                round_key::<5>(key),
                round_key::<6>(key),
                round_key::<7>(key),
                round_key::<8>(key),
                round_key::<9>(key),
                round_key::<10>(key),
                round_key::<11>(key),
                round_key::<12>(key),
                round_key::<13>(key),
                round_key::<14>(key),
                round_key::<15>(key),
            ],
        }
    }

    /// A schedule from its 16 round keys, laid out as [`round_key_position`] says.
    pub(crate) fn from_round_keys(rounds: &[u64; 16]) -> Self {
        Schedule { keys: *rounds }
    }

    /// The schedule of `key ⊕ mask` from the schedule of `key` and that of `mask`: the key schedule is a
    /// bit selection, so it is linear.
    pub(crate) fn xor(&self, mask: &Schedule) -> Schedule {
        let mut out = self.clone();
        for (o, m) in out.keys.iter_mut().zip(&mask.keys) {
            *o ^= m;
        }
        out
    }

    /// The 16 rounds, encrypting: `(l, r)` = `(L0, R0)` in, `(L16, R16)` out (no final swap).
    #[inline]
    pub(crate) fn encrypt(&self, l: &mut u32, r: &mut u32) {
        if LANES {
            lanes::rounds(&self.keys, l, r, false);
        } else {
            self.encrypt_scalar(l, r);
        }
    }

    /// The 16 rounds with the round keys in reverse order (decryption).
    #[inline]
    pub(crate) fn decrypt(&self, l: &mut u32, r: &mut u32) {
        if LANES {
            lanes::rounds(&self.keys, l, r, true);
        } else {
            self.decrypt_scalar(l, r);
        }
    }

    /// [`Schedule::encrypt`] on the scalar rounds.
    #[inline]
    fn encrypt_scalar(&self, l: &mut u32, r: &mut u32) {
        rounds!(self.keys, l, r, 0 1, 2 3, 4 5, 6 7, 8 9, 10 11, 12 13, 14 15);
    }

    /// [`Schedule::decrypt`] on the scalar rounds.
    #[inline]
    fn decrypt_scalar(&self, l: &mut u32, r: &mut u32) {
        rounds!(self.keys, l, r, 15 14, 13 12, 11 10, 9 8, 7 6, 5 4, 3 2, 1 0);
    }
}

/// Swap the bits of `a` selected by `mask << shift` with the bits of `b` selected by `mask`.
#[inline(always)]
fn delta_swap(a: &mut u32, b: &mut u32, shift: u32, mask: u32) {
    let t = ((*a >> shift) ^ *b) & mask;
    *b ^= t;
    *a ^= t << shift;
}

/// The initial permutation of a block: `(L0, R0)`. Five block swaps between the halves and two
/// one-bit rotations (the classic decomposition of IP); checked against the bit-by-bit definition in
/// the tests.
#[inline]
pub(crate) fn initial_permutation(block: u64) -> (u32, u32) {
    let (mut l, mut r) = ((block >> 32) as u32, block as u32);
    delta_swap(&mut l, &mut r, 4, 0x0F0F_0F0F);
    delta_swap(&mut l, &mut r, 16, 0x0000_FFFF);
    delta_swap(&mut r, &mut l, 2, 0x3333_3333);
    delta_swap(&mut r, &mut l, 8, 0x00FF_00FF);
    r = r.rotate_left(1);
    let t = (l ^ r) & 0xAAAA_AAAA;
    l ^= t;
    r ^= t;
    (l, r.rotate_right(1))
}

/// The final permutation IP⁻¹ of `R16 ‖ L16`, given as `(l, r)` = `(L16, R16)`: the steps of
/// [`initial_permutation`] undone in reverse order.
#[inline]
pub(crate) fn final_permutation(l16: u32, r16: u32) -> u64 {
    let (mut l, mut r) = (r16, l16.rotate_left(1));
    let t = (l ^ r) & 0xAAAA_AAAA;
    l ^= t;
    r ^= t;
    r = r.rotate_right(1);
    delta_swap(&mut r, &mut l, 8, 0x00FF_00FF);
    delta_swap(&mut r, &mut l, 2, 0x3333_3333);
    delta_swap(&mut l, &mut r, 16, 0x0000_FFFF);
    delta_swap(&mut l, &mut r, 4, 0x0F0F_0F0F);
    (u64::from(l) << 32) | u64::from(r)
}

/// Single DES encryption of one block under a schedule.
#[cfg(test)]
pub(crate) fn des_encrypt(schedule: &Schedule, block: u64) -> u64 {
    let (mut l, mut r) = initial_permutation(block);
    schedule.encrypt(&mut l, &mut r);
    final_permutation(l, r)
}

#[cfg(test)]
#[expect(
    clippy::needless_range_loop,
    reason = "the tests index several arrays by one position"
)]
mod tests {
    use super::*;

    /// Bit-by-bit permutation by a FIPS table (1-based source bits, bit 1 most significant).
    fn permute(x: u64, table: &[u8; 64]) -> u64 {
        (0..64).fold(0, |out, i| {
            out | ((x >> (64 - u32::from(table[i]))) & 1) << (63 - i)
        })
    }

    #[test]
    fn permutations_match_the_tables() {
        use super::super::tables::{FP, IP};
        let mut x = 0x0123_4567_89AB_CDEFu64;
        for _ in 0..1000 {
            x = x.rotate_left(23).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5555;
            let (l, r) = initial_permutation(x);
            assert_eq!((u64::from(l) << 32) | u64::from(r), permute(x, &IP));
            let (l16, r16) = (x as u32, (x >> 32) as u32);
            assert_eq!(
                final_permutation(l16, r16),
                permute((u64::from(r16) << 32) | u64::from(l16), &FP)
            );
        }
    }

    #[test]
    fn schedule_matches_the_definition() {
        let key = 0x1334_5779_9BBC_DFF1u64;
        let s = Schedule::new(key);
        for r in 0..16 {
            for k in 0..48 {
                let want = (key >> (64 - u32::from(ROUND_KEY_BIT[r][k]))) & 1;
                let got = (s.keys[r] >> round_key_position(k)) & 1;
                assert_eq!(got, want, "round {r} bit {k}");
            }
        }
    }

    #[test]
    fn fips_81_single_des() {
        // FIPS 81 appendix B / the classic "Now is the time for all" example.
        let s = Schedule::new(0x0123_4567_89AB_CDEF);
        assert_eq!(
            des_encrypt(&s, 0x4E6F_7720_6973_2074),
            0x3FA4_0E8A_984D_4815
        );
    }

    /// The eight-lane rounds and the scalar rounds agree, whichever of them this build uses.
    #[test]
    fn lanes_match_the_scalar_rounds() {
        use rand_core::TryRng;
        let mut rng = crate::test_rng::Lcg64(15);
        let mut next = || rng.try_next_u64().unwrap_or_default();
        for _ in 0..500 {
            let s = Schedule::new(next());
            let v = next();
            for decrypt in [false, true] {
                let (mut l1, mut r1) = ((v >> 32) as u32, v as u32);
                let (mut l2, mut r2) = (l1, r1);
                if decrypt {
                    s.decrypt_scalar(&mut l1, &mut r1);
                } else {
                    s.encrypt_scalar(&mut l1, &mut r1);
                }
                lanes::rounds(&s.keys, &mut l2, &mut r2, decrypt);
                assert_eq!((l1, r1), (l2, r2));
            }
        }
    }

    #[test]
    fn decrypt_inverts_encrypt() {
        let s = Schedule::new(0x1334_5779_9BBC_DFF1);
        let (mut l, mut r) = initial_permutation(0x0123_4567_89AB_CDEF);
        s.encrypt(&mut l, &mut r);
        assert_eq!(final_permutation(l, r), 0x85E8_1354_0F0A_B405);
        // Decrypt: the ciphertext's IP gives (R16, L16), i.e. swap.
        let (mut l2, mut r2) = initial_permutation(0x85E8_1354_0F0A_B405);
        s.decrypt(&mut l2, &mut r2);
        assert_eq!(final_permutation(l2, r2), 0x0123_4567_89AB_CDEF);
    }
}
