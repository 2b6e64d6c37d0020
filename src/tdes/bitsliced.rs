//! The 64-lane core: DES on 64 blocks at once, one bit of every block per `u64` word.
//!
//! A pass transposes 64 blocks into 64 words (word `n` holds bit `n + 1` of every block), runs the 16
//! rounds as pure word logic — the S-boxes are the gate circuits of [`super::circuits`], the
//! expansion `E`, the permutations `IP`, `P`, `IP⁻¹` and the key schedule are only a choice of which
//! word to read or write — and transposes back. Nothing is looked up, nothing branches on data.
//!
//! **Key schedule as bit selection.** Each round key bit is one bit of `C` or `D`, rotated by the
//! round's cumulative shift. A key is kept as its 56 key-bit words in `C` order and `D` order, each
//! written out twice (`[u64; 56]`), so the key of round `r` is the window starting at the round's
//! cumulative shift: the circuits read it at constant offsets from that window. For one key used by
//! every lane each word is all zeros or all ones ([`KeyBits::broadcast`]); for a different key per lane
//! (DUKPT batch derivation) the words are the transposed keys themselves ([`KeyBits::from_lanes`]).

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::circuits;
use super::tables::{CUMULATIVE_SHIFT, E, FP, IP, P_INV, PC1, PC2};

/// Lanes per pass.
pub(crate) const LANES: usize = 64;

/// One DES key in bitsliced form: `c[i] = c[i + 28]` = key bit `PC1[i]`, `d` likewise for `D`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct KeyBits {
    c: [u64; 56],
    d: [u64; 56],
}

impl KeyBits {
    /// The same key (a big-endian `u64`, parity bits ignored) in every lane.
    pub(crate) fn broadcast(key: u64) -> Self {
        let word = |bit: u8| 0u64.wrapping_sub((key >> (64 - u32::from(bit))) & 1);
        Self::select(word)
    }

    /// A key per lane: `words[n]` holds key bit `n + 1` of every lane (as [`transpose`] gives it).
    pub(crate) fn from_lanes(words: &[u64; 64]) -> Self {
        Self::select(|bit: u8| words[usize::from(bit) - 1])
    }

    fn select(word: impl Fn(u8) -> u64) -> Self {
        let mut k = KeyBits {
            c: [0; 56],
            d: [0; 56],
        };
        for i in 0..28 {
            k.c[i] = word(PC1[i]);
            k.c[i + 28] = k.c[i];
            k.d[i] = word(PC1[28 + i]);
            k.d[i + 28] = k.d[i];
        }
        k
    }
}

/// Input index into `R` (0-based) of each of the 48 S-box inputs.
const R_INDEX: [usize; 48] = {
    let mut t = [0; 48];
    let mut k = 0;
    while k < 48 {
        t[k] = E[k] as usize - 1;
        k += 1;
    }
    t
};

/// Offset of each S-box input's key bit in the round's window of `C` (S-boxes 1–4) or `D` (5–8).
const KEY_INDEX: [usize; 48] = {
    let mut t = [0; 48];
    let mut k = 0;
    while k < 48 {
        let p = PC2[k] as usize - 1;
        t[k] = if p < 28 { p } else { p - 28 };
        k += 1;
    }
    t
};

/// Where each S-box output bit (S-box `m / 4`, bit `m % 4`) is XORed into `L` (0-based).
const L_INDEX: [usize; 32] = {
    let mut t = [0; 32];
    let mut m = 0;
    while m < 32 {
        t[m] = P_INV[m] as usize;
        m += 1;
    }
    t
};

/// One S-box of a round: inputs from `r` and the key windows, outputs XORed into `l`.
macro_rules! sbox {
    ($s:literal, $circuit:path, $l:ident, $r:ident, $k:ident, $base:ident) => {{
        let input = |j: usize| $r[R_INDEX[6 * $s + j]] ^ $k[$base + KEY_INDEX[6 * $s + j]];
        let [o1, o2, o3, o4] = $circuit(input(0), input(1), input(2), input(3), input(4), input(5));
        $l[L_INDEX[4 * $s]] ^= o1;
        $l[L_INDEX[4 * $s + 1]] ^= o2;
        $l[L_INDEX[4 * $s + 2]] ^= o3;
        $l[L_INDEX[4 * $s + 3]] ^= o4;
    }};
}

/// `l ^= f(r, K)` for the round key that starts at offset `base` (0..=28) of the key's windows.
#[inline(always)]
fn round(l: &mut [u64; 32], r: &[u64; 32], key: &KeyBits, base: usize) {
    // At most 28, so every `base + offset` (offset < 28) is inside the 56 words.
    let base = base.min(28);
    let (c, d) = (&key.c, &key.d);
    sbox!(0, circuits::s1, l, r, c, base);
    sbox!(1, circuits::s2, l, r, c, base);
    sbox!(2, circuits::s3, l, r, c, base);
    sbox!(3, circuits::s4, l, r, c, base);
    sbox!(4, circuits::s5, l, r, d, base);
    sbox!(5, circuits::s6, l, r, d, base);
    sbox!(6, circuits::s7, l, r, d, base);
    sbox!(7, circuits::s8, l, r, d, base);
}

/// The 16 rounds on 64 lanes: `(l, r)` = `(L0, R0)` in, `(L16, R16)` out.
pub(crate) fn des(l: &mut [u64; 32], r: &mut [u64; 32], key: &KeyBits, decrypt: bool) {
    for i in 0..8 {
        let (first, second) = if decrypt {
            (15 - 2 * i, 14 - 2 * i)
        } else {
            (2 * i, 2 * i + 1)
        };
        round(l, r, key, usize::from(CUMULATIVE_SHIFT[first]) % 28);
        round(r, l, key, usize::from(CUMULATIVE_SHIFT[second]) % 28);
    }
}

/// One stage of the 64×64 transpose: swap the `J`-bit blocks selected by `mask` between rows `k` and
/// `k + J` for every `k` with bit `J` clear.
#[inline(always)]
fn swap_stage<const J: usize>(a: &mut [u64; 64], mask: u64) {
    for base in (0..64).step_by(2 * J) {
        for k in base..base + J {
            let t = (a[k] ^ (a[k + J] >> J)) & mask;
            a[k] ^= t;
            a[k + J] ^= t << J;
        }
    }
}

/// Transpose a 64×64 bit matrix (row `i` = `a[i]`, column `c` = bit `63 - c`): afterwards bit
/// `63 - j` of `a[n]` is what bit `63 - n` of `a[j]` was. Its own inverse.
pub(crate) fn transpose(a: &mut [u64; 64]) {
    swap_stage::<32>(a, 0x0000_0000_FFFF_FFFF);
    swap_stage::<16>(a, 0x0000_FFFF_0000_FFFF);
    swap_stage::<8>(a, 0x00FF_00FF_00FF_00FF);
    swap_stage::<4>(a, 0x0F0F_0F0F_0F0F_0F0F);
    swap_stage::<2>(a, 0x3333_3333_3333_3333);
    swap_stage::<1>(a, 0x5555_5555_5555_5555);
}

/// 64 blocks in bitsliced form after the initial permutation: the `(L0, R0)` words.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct State {
    pub(crate) l: [u64; 32],
    pub(crate) r: [u64; 32],
}

impl State {
    /// Transpose `words` (block `j` in `words[j]`, big-endian, as a `u64`) and apply `IP`.
    pub(crate) fn load(words: &mut [u64; 64]) -> Self {
        transpose(words);
        let s = Self::from_sliced(words);
        words.zeroize();
        s
    }

    /// `IP` of blocks already in bitsliced form (`words[n]` = bit `n + 1` of every lane).
    pub(crate) fn from_sliced(words: &[u64; 64]) -> Self {
        let mut s = State {
            l: [0; 32],
            r: [0; 32],
        };
        for i in 0..32 {
            s.l[i] = words[usize::from(IP[i]) - 1];
            s.r[i] = words[usize::from(IP[32 + i]) - 1];
        }
        s
    }

    /// The output after the last stage left `(L16, R16)` in `(l, r)`: `IP⁻¹(R16 ‖ L16)`, transposed
    /// back into `words`.
    pub(crate) fn store(&self, words: &mut [u64; 64]) {
        self.to_sliced(words);
        transpose(words);
    }

    /// `IP⁻¹(R16 ‖ L16)` in bitsliced form.
    pub(crate) fn to_sliced(&self, words: &mut [u64; 64]) {
        for (n, w) in words.iter_mut().enumerate() {
            let i = usize::from(FP[n]) - 1;
            *w = if i < 32 { self.r[i] } else { self.l[i - 32] };
        }
    }
}

#[cfg(test)]
#[expect(
    clippy::needless_range_loop,
    reason = "the tests index several arrays by one position"
)]
mod tests {
    use super::*;

    #[test]
    fn transpose_moves_bits_where_documented() {
        let mut a = [0u64; 64];
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for w in a.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *w = x;
        }
        let orig = a;
        transpose(&mut a);
        for n in 0..64 {
            for j in 0..64 {
                assert_eq!((a[n] >> (63 - j)) & 1, (orig[j] >> (63 - n)) & 1);
            }
        }
        transpose(&mut a);
        assert_eq!(a, orig);
    }

    #[test]
    fn circuits_match_the_sbox_tables() {
        use super::super::tables::sbox;
        type Circuit = fn(u64, u64, u64, u64, u64, u64) -> [u64; 4];
        let all: [Circuit; 8] = [
            circuits::s1,
            circuits::s2,
            circuits::s3,
            circuits::s4,
            circuits::s5,
            circuits::s6,
            circuits::s7,
            circuits::s8,
        ];
        // Lane x carries input x: input bit j (a1 first) is bit 5 - j of x.
        let lit = |j: u32| {
            (0..64u64)
                .filter(|x| (x >> (5 - j)) & 1 == 1)
                .fold(0, |w, x| w | 1 << x)
        };
        for (s, circuit) in all.iter().enumerate() {
            let out = circuit(lit(0), lit(1), lit(2), lit(3), lit(4), lit(5));
            for x in 0..64 {
                let v = (0..4).fold(0u8, |v, t| (v << 1) | ((out[t] >> x) & 1) as u8);
                assert_eq!(v, sbox(s, x), "S{} input {x}", s + 1);
            }
        }
        const { assert!(circuits::GATES < 8 * 80) };
    }

    #[test]
    fn one_lane_matches_fips_81() {
        let key = KeyBits::broadcast(0x0123_4567_89AB_CDEF);
        let mut words = [0u64; 64];
        words[5] = 0x4E6F_7720_6973_2074;
        let mut s = State::load(&mut words);
        des(&mut s.l, &mut s.r, &key, false);
        s.store(&mut words);
        assert_eq!(words[5], 0x3FA4_0E8A_984D_4815);
        // Decryption runs the same way: IP(ciphertext) is (R16, L16), and the rounds in reverse undo them.
        let mut s = State::load(&mut words);
        des(&mut s.l, &mut s.r, &key, true);
        s.store(&mut words);
        assert_eq!(words[5], 0x4E6F_7720_6973_2074);
    }
}
