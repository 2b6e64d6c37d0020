//! The bitsliced core: DES on up to 512 blocks at once, one bit of every block per lane of a word.
//!
//! A pass transposes the blocks into 64 words (word `n` holds bit `n + 1` of every block), runs the 16
//! rounds as pure word logic — the S-boxes are the gate circuits of [`super::circuits`], the
//! expansion `E`, the permutations `IP`, `P`, `IP⁻¹` and the key schedule are only a choice of which
//! word to read or write — and transposes back. Nothing is looked up, nothing branches on data.
//!
//! **Words of `H` lanes of 32.** A word is `[u32; H]` (`H` = 4, 8 or 16: 128, 256 or 512 blocks), and
//! every operation on words is a loop over its `H` elements with a constant trip count and no
//! dependence between iterations. The compiler runs such loops on vector registers where the target
//! has them (four elements per SSE2 instruction on x86-64, which every x86-64 CPU has), and as plain
//! 32-bit operations elsewhere (Cortex-M). Two observations of the generated code decided the shape:
//! the compiler vectorises a loop over the elements, not the same work written out for two `u64`s
//! side by side (its straight-line vectoriser gives up on a circuit of this depth), and it does not
//! vectorise a loop of two `u64` elements (so the element is `u32`, and 128 lanes are four of them).
//!
//! **Key schedule as bit selection.** Each round key bit is one bit of `C` or `D`, rotated by the
//! round's cumulative shift. A key is kept as its 56 key-bit words in `C` order and `D` order, each
//! written out twice, so the key of round `r` is the window starting at the round's cumulative shift:
//! the circuits read it at constant offsets from that window. For one key used by every lane each word
//! is all zeros or all ones, one `u32` for all elements ([`KeyBits::broadcast`]); for a different key
//! per lane (DUKPT batch derivation) the words are the transposed keys themselves
//! ([`LaneKeyBits::from_lanes`]).

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::circuits;
use super::tables::{CUMULATIVE_SHIFT, E, FP, IP, P_INV, PC1, PC2};

/// Lanes per element of a word.
pub(crate) const ELEMENT: usize = 32;

/// Bitsliced words of `H` elements: `w[n][e]` holds bit `n + 1` (FIPS numbering, bit 1 the most
/// significant) of lanes `32e .. 32e + 32`, lane `32e + j` at bit `31 - j`.
pub(crate) type Words<const H: usize> = [[u32; H]; 64];

/// Where a round reads its key bits: word `i` (0..56) of the doubled `C` or `D` windows, element `e`.
pub(crate) trait RoundKey {
    /// Word `i` of `C`'s window, element `e`.
    fn c(&self, i: usize, e: usize) -> u32;
    /// Word `i` of `D`'s window, element `e`.
    fn d(&self, i: usize, e: usize) -> u32;
}

/// One DES key in every lane: `c[i] = c[i + 28]` = key bit `PC1[i]` as an all-zeros or all-ones word,
/// `d` likewise for `D`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct KeyBits {
    c: [u32; 56],
    d: [u32; 56],
}

impl KeyBits {
    /// The same key (a big-endian `u64`, parity bits ignored) in every lane.
    pub(crate) fn broadcast(key: u64) -> Self {
        let word = |bit: u8| {
            let b = (key >> (64 - u32::from(bit))) & 1;
            0u32.wrapping_sub(u32::from(b == 1))
        };
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

impl RoundKey for KeyBits {
    #[inline(always)]
    fn c(&self, i: usize, _: usize) -> u32 {
        self.c[i]
    }
    #[inline(always)]
    fn d(&self, i: usize, _: usize) -> u32 {
        self.d[i]
    }
}

/// A key per lane, in bitsliced form (the windows of [`KeyBits`], one word per lane).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct LaneKeyBits<const H: usize> {
    c: [[u32; H]; 56],
    d: [[u32; H]; 56],
}

impl<const H: usize> LaneKeyBits<H> {
    /// `words[n]` holds key bit `n + 1` of every lane (as [`load`] gives it).
    pub(crate) fn from_lanes(words: &Words<H>) -> Self {
        let mut k = LaneKeyBits {
            c: [[0; H]; 56],
            d: [[0; H]; 56],
        };
        for i in 0..28 {
            k.c[i] = words[usize::from(PC1[i]) - 1];
            k.c[i + 28] = k.c[i];
            k.d[i] = words[usize::from(PC1[28 + i]) - 1];
            k.d[i + 28] = k.d[i];
        }
        k
    }
}

impl<const H: usize> RoundKey for LaneKeyBits<H> {
    #[inline(always)]
    fn c(&self, i: usize, e: usize) -> u32 {
        self.c[i][e]
    }
    #[inline(always)]
    fn d(&self, i: usize, e: usize) -> u32 {
        self.d[i][e]
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

/// One S-box of a round over every element: inputs from `r` and the key window, outputs XORed into
/// `l`. The loop over elements has no dependence between iterations (see the module docs).
macro_rules! sbox {
    ($s:literal, $circuit:path, $l:ident, $r:ident, $k:ident, $half:ident, $base:ident, $h:ident) => {{
        for e in 0..$h {
            let input =
                |j: usize| $r[R_INDEX[6 * $s + j]][e] ^ $k.$half($base + KEY_INDEX[6 * $s + j], e);
            let [o1, o2, o3, o4] =
                $circuit(input(0), input(1), input(2), input(3), input(4), input(5));
            $l[L_INDEX[4 * $s]][e] ^= o1;
            $l[L_INDEX[4 * $s + 1]][e] ^= o2;
            $l[L_INDEX[4 * $s + 2]][e] ^= o3;
            $l[L_INDEX[4 * $s + 3]][e] ^= o4;
        }
    }};
}

/// `l ^= f(r, K)` for the round key that starts at offset `base` (0..=28) of the key's windows. Not
/// inlined: as a function of its own, `l` and `r` are known not to overlap, which the compiler needs
/// to run the element loops on vector registers.
#[inline(never)]
fn round<const H: usize, K: RoundKey>(
    l: &mut [[u32; H]; 32],
    r: &[[u32; H]; 32],
    key: &K,
    base: usize,
) {
    // At most 28, so every `base + offset` (offset < 28) is inside the 56 words.
    let base = base.min(28);
    sbox!(0, circuits::s1, l, r, key, c, base, H);
    sbox!(1, circuits::s2, l, r, key, c, base, H);
    sbox!(2, circuits::s3, l, r, key, c, base, H);
    sbox!(3, circuits::s4, l, r, key, c, base, H);
    sbox!(4, circuits::s5, l, r, key, d, base, H);
    sbox!(5, circuits::s6, l, r, key, d, base, H);
    sbox!(6, circuits::s7, l, r, key, d, base, H);
    sbox!(7, circuits::s8, l, r, key, d, base, H);
}

/// The 16 rounds: `(l, r)` = `(L0, R0)` in, `(L16, R16)` out.
pub(crate) fn des<const H: usize, K: RoundKey>(
    l: &mut [[u32; H]; 32],
    r: &mut [[u32; H]; 32],
    key: &K,
    decrypt: bool,
) {
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

/// One stage of the 32×32 transposes: in rows `0..32` and in rows `32..64` of every element, swap the
/// `J`-bit blocks selected by `mask` between rows `k` and `k + J` for every `k` with bit `J` clear.
#[inline(always)]
fn swap_stage<const H: usize, const J: usize>(a: &mut Words<H>, mask: u32) {
    for base in (0..64).step_by(2 * J) {
        for k in base..base + J {
            let (lo, hi) = a.split_at_mut(k + J);
            let (x, y) = (&mut lo[k], &mut hi[0]);
            for e in 0..H {
                let t = (x[e] ^ (y[e] >> J)) & mask;
                x[e] ^= t;
                y[e] ^= t << J;
            }
        }
    }
}

/// Transpose the two 32×32 bit matrices of every element, rows `0..32` and rows `32..64` (row `i` =
/// `a[i][e]`, column `c` = bit `31 - c`): afterwards bit `31 - j` of `a[m][e]` is what bit `31 - m` of
/// `a[j][e]` was, and the same for `a[32 + m][e]` and `a[32 + j][e]`. Its own inverse.
fn transpose<const H: usize>(a: &mut Words<H>) {
    swap_stage::<H, 16>(a, 0x0000_FFFF);
    swap_stage::<H, 8>(a, 0x00FF_00FF);
    swap_stage::<H, 4>(a, 0x0F0F_0F0F);
    swap_stage::<H, 2>(a, 0x3333_3333);
    swap_stage::<H, 1>(a, 0x5555_5555);
}

/// Blocks (big-endian `u64`s, lane `i` = `blocks[i]`, at most `32 H`; missing lanes are zero) in
/// bitsliced form.
#[expect(clippy::cast_possible_truncation, reason = "a block's low half")]
pub(crate) fn load<const H: usize>(blocks: &[u64]) -> Words<H> {
    let mut w = [[0u32; H]; 64];
    for (lane, b) in blocks.iter().enumerate().take(ELEMENT * H) {
        let (e, j) = (lane / ELEMENT, lane % ELEMENT);
        // Rows 0..32 hold the high halves, rows 32..64 the low halves: one 32×32 transpose each.
        w[j][e] = (b >> 32) as u32;
        w[32 + j][e] = *b as u32;
    }
    transpose(&mut w);
    w
}

/// The inverse of [`load`]: the lanes' values into `blocks` (as many as it holds, at most `32 H`).
/// Consumes (and wipes) the words.
pub(crate) fn store<const H: usize>(words: &mut Words<H>, blocks: &mut [u64]) {
    transpose(words);
    for (lane, b) in blocks.iter_mut().enumerate().take(ELEMENT * H) {
        let (e, j) = (lane / ELEMENT, lane % ELEMENT);
        *b = (u64::from(words[j][e]) << 32) | u64::from(words[32 + j][e]);
    }
    words.zeroize();
}

/// Blocks in bitsliced form after the initial permutation: the `(L0, R0)` words.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct State<const H: usize> {
    pub(crate) l: [[u32; H]; 32],
    pub(crate) r: [[u32; H]; 32],
}

impl<const H: usize> State<H> {
    /// `IP` of blocks in bitsliced form (`words[n]` = bit `n + 1` of every lane).
    pub(crate) fn from_sliced(words: &Words<H>) -> Self {
        let mut s = State {
            l: [[0; H]; 32],
            r: [[0; H]; 32],
        };
        for i in 0..32 {
            s.l[i] = words[usize::from(IP[i]) - 1];
            s.r[i] = words[usize::from(IP[32 + i]) - 1];
        }
        s
    }

    /// The output after the last stage left `(L16, R16)` in `(l, r)`: `IP⁻¹(R16 ‖ L16)` in
    /// bitsliced form.
    pub(crate) fn to_sliced(&self, words: &mut Words<H>) {
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
    fn load_and_store_move_bits_where_documented() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let blocks: alloc::vec::Vec<u64> = (0..128)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            })
            .collect();
        let mut w = load::<4>(&blocks);
        for n in 0..64 {
            for (lane, b) in blocks.iter().enumerate() {
                let got = (w[n][lane / 32] >> (31 - lane % 32)) & 1;
                assert_eq!(u64::from(got), (b >> (63 - n)) & 1, "bit {n} lane {lane}");
            }
        }
        let mut back = [0u64; 128];
        store(&mut w, &mut back);
        assert_eq!(&back[..], &blocks[..]);
        assert_eq!(w, [[0; 4]; 64]);
    }

    #[test]
    fn circuits_match_the_sbox_tables() {
        use super::super::tables::sbox;
        type Circuit = fn(u32, u32, u32, u32, u32, u32) -> [u32; 4];
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
        // Lane x of half `h` carries input 32h + x: input bit j (a1 first) is bit 5 - j of it.
        let lit = |j: u32, h: u32| {
            (0..32u32)
                .filter(|x| ((32 * h + x) >> (5 - j)) & 1 == 1)
                .fold(0, |w, x| w | 1 << x)
        };
        for (s, circuit) in all.iter().enumerate() {
            for h in 0..2 {
                let out = circuit(
                    lit(0, h),
                    lit(1, h),
                    lit(2, h),
                    lit(3, h),
                    lit(4, h),
                    lit(5, h),
                );
                for x in 0..32 {
                    let v = (0..4).fold(0u8, |v, t| (v << 1) | ((out[t] >> x) & 1) as u8);
                    let input = 32 * h as usize + x;
                    assert_eq!(v, sbox(s, input), "S{} input {input}", s + 1);
                }
            }
        }
        const { assert!(circuits::GATES < 8 * 80) };
    }

    #[test]
    fn one_lane_matches_fips_81() {
        let key = KeyBits::broadcast(0x0123_4567_89AB_CDEF);
        // The block in lane 37 (element 1); the other lanes hold zeros.
        let mut blocks = [0u64; 128];
        blocks[37] = 0x4E6F_7720_6973_2074;
        let run = |blocks: &mut [u64; 128], decrypt: bool| {
            let mut words = load::<4>(blocks);
            let mut s = State::from_sliced(&words);
            des(&mut s.l, &mut s.r, &key, decrypt);
            s.to_sliced(&mut words);
            store(&mut words, blocks);
        };
        run(&mut blocks, false);
        assert_eq!(blocks[37], 0x3FA4_0E8A_984D_4815);
        // Decryption runs the same way: IP(ciphertext) is (R16, L16), and the rounds in reverse undo them.
        run(&mut blocks, true);
        assert_eq!(blocks[37], 0x4E6F_7720_6973_2074);
    }
}
