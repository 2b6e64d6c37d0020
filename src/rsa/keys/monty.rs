//! Montgomery arithmetic for the RSA operations: multiplication, squaring, exponentiation modulo one
//! odd modulus, on little-endian machine words (`crypto-bigint`'s `Word`).
//!
//! **Hand-written, and why.** `crypto-bigint` 0.7 (under `rsa` 0.10) is constant time but spends about
//! 1.4× the instructions of a plain CIOS loop per Montgomery product (its generic "almost Montgomery"
//! multiplier over runtime-sized, heap-allocated integers), more than the unrolled product-scanning
//! kernels below spend on the RSA sizes, and `rsa` rebuilds
//! parameters and an inverse on every private operation; with it, RSA-2048 decryption cannot come
//! within 2× of OpenSSL on this hardware (numbers in `PERFORMANCE.md`). Everything that is not on the
//! hot path stays with `crypto-bigint`: key parsing and validation, the Montgomery parameters
//! (`R mod m`, `R² mod m`, `−m⁻¹ mod 2ʷ`), the modular inverse of a fresh blinding factor, uniform
//! sampling.
//!
//! **Constant time.** Every loop bound and every slice index depends only on the number of words of
//! the modulus (public); no branch depends on a value. The final conditional subtraction of a
//! Montgomery product, the table look-up of the exponentiation (which reads every entry) and the
//! comparisons use `subtle`'s masks. `tests/rsa_constant_time.rs` checks the compiled code under
//! valgrind: it marks the secret inputs undefined and memcheck reports any branch or memory address
//! that depends on them. Only [`Modulus::pow_public`] branches on its exponent, which must be public
//! (the RSA public exponent).

#![expect(
    clippy::cast_possible_truncation,
    reason = "multi-word arithmetic takes the low word of a double word on purpose, without a branch"
)]

use alloc::vec;
use alloc::vec::Vec;

use ::rsa::BoxedUint;
use crypto_bigint::modular::MontyParams;
use crypto_bigint::{WideWord, Word};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

/// Bits per word.
const W: u32 = Word::BITS;

/// `t + a·b + c` as (low word, high word); cannot overflow: (2ʷ−1)² + 2(2ʷ−1) = 2²ʷ − 1.
#[inline(always)]
fn mac(t: Word, a: Word, b: Word, c: Word) -> (Word, Word) {
    let p = WideWord::from(a) * WideWord::from(b);
    let p = p + WideWord::from(t);
    let p = p + WideWord::from(c);
    (p as Word, (p >> W) as Word)
}

/// `a + b + c` as (sum, carry).
#[inline(always)]
fn adc(a: Word, b: Word, c: Word) -> (Word, Word) {
    let s = WideWord::from(a) + WideWord::from(b) + WideWord::from(c);
    (s as Word, (s >> W) as Word)
}

/// `a − b − borrow` as (difference, borrow ∈ {0, 1}).
#[inline(always)]
fn sbb(a: Word, b: Word, borrow: Word) -> (Word, Word) {
    let (d, b1) = a.overflowing_sub(b);
    let (d, b2) = d.overflowing_sub(borrow);
    (d, Word::from(b1 | b2))
}

/// `out = t − m` if `t_top·2^(w·len) + t ≥ m`, else `t`, in constant time (`out` holds `t`).
#[inline(always)]
fn reduce_once(out: &mut [Word], t_top: Word, m: &[Word]) {
    let mut borrow = 0;
    for (t, m) in out.iter().zip(m) {
        (_, borrow) = sbb(*t, *m, borrow);
    }
    // Keep t when the subtraction borrows out of the top word too.
    let (_, under) = sbb(t_top, 0, borrow);
    let subtract = !Choice::from(under as u8);
    let mut borrow = 0;
    for (t, m) in out.iter_mut().zip(m) {
        let masked = Word::conditional_select(&0, m, subtract);
        (*t, borrow) = sbb(*t, masked, borrow);
    }
}

// The Montgomery product and square are computed column by column ("product scanning", Koç, Acar
// and Kaliski 1996's FIPS): column k sums every word product whose indices add up to k, of a·b (or
// a²) and of u·m, into a three-word accumulator, emits one word and carries the rest into column
// k + 1. In the low n columns the emitted word is made zero by the quotient digit u[k] =
// −(column)·m⁻¹ mod 2ʷ (stored in `out[k]`: nothing else is there yet); the high n columns emit the
// result, which overwrites `out[k − n]`, a digit no later column reads.
//
// Why: on x86-64 (the only 64-bit target measured) the cost is the 64×64 → 128-bit `mul`s and the
// carry chains beside them; column by column the running sum stays in registers, where row by row
// (CIOS) loads and stores a word of it with each product. Squaring adds each cross product a[i]·a[j]
// once and doubles the column's sum: n(n + 1)/2 products instead of n², with the reduction's n²
// about a quarter fewer word products than a multiplication (392 against 512 at 16 words).
//
// Lengths of 16, 24 and 32 words (the primes of RSA-2048/3072/4096, RSA-2048's modulus) have fully
// unrolled kernels: every column and every index is a constant, so the loops, the index arithmetic
// and the bounds checks are gone and only the multiplications and the carry chains are left (about
// 8.5 instructions per word product in the 16-word kernels' machine code, against about 9.5 in the
// CIOS loops they replace: LLVM still routes every product through `rax`/`rdx` and materialises some
// carries with `setb`). The moduli of RSA-3072 and -4096 (48 and 64 words; unrolled, each kernel would be
// a few hundred kilobytes of code) and, with 32-bit words, all five RSA lengths run the row-by-row CIOS
// kernels compiled for their fixed length, which take fewer instructions there than the
// product-scanning loops; any other length runs the product-scanning loops. The guards
// of the unrolled terms (`term`) compare only constants: they decide which terms exist, never a value.

/// A column sum of three words, `c0 + c1·2ʷ + c2·2^(2w)`.
#[derive(Clone, Copy)]
struct Column {
    c0: Word,
    c1: Word,
    c2: Word,
}

impl Column {
    const ZERO: Column = Column {
        c0: 0,
        c1: 0,
        c2: 0,
    };

    /// `self += x·y`.
    #[inline(always)]
    fn mac(&mut self, x: Word, y: Word) {
        let p = WideWord::from(x) * WideWord::from(y);
        let s = WideWord::from(self.c0) + WideWord::from(p as Word);
        self.c0 = s as Word;
        let s = WideWord::from(self.c1) + (p >> W) + (s >> W);
        self.c1 = s as Word;
        self.c2 = self.c2.wrapping_add((s >> W) as Word);
    }

    /// `self += 2·x` for `x < 2^(3w − 1)`.
    #[inline(always)]
    fn add_twice(&mut self, x: Column) {
        let d0 = x.c0 << 1;
        let d1 = (x.c1 << 1) | (x.c0 >> (W - 1));
        let d2 = (x.c2 << 1) | (x.c1 >> (W - 1));
        let s = WideWord::from(self.c0) + WideWord::from(d0);
        self.c0 = s as Word;
        let s = WideWord::from(self.c1) + WideWord::from(d1) + (s >> W);
        self.c1 = s as Word;
        self.c2 = self.c2.wrapping_add(d2).wrapping_add((s >> W) as Word);
    }

    /// The low word.
    #[inline(always)]
    fn low(&self) -> Word {
        self.c0
    }

    /// The low word, removed: the rest moves down a word (the carry into the next column).
    #[inline(always)]
    fn shift(&mut self) -> Word {
        let low = self.c0;
        self.c0 = self.c1;
        self.c1 = self.c2;
        self.c2 = 0;
        low
    }
}

/// `acc += Σ x[i]·y[len − 1 − i]` (`x` and `y` of one length `len`): the terms of a column.
#[inline(always)]
fn dot_reversed(acc: &mut Column, x: &[Word], y: &[Word]) {
    let len = x.len().min(y.len());
    for i in 0..len {
        acc.mac(x[i], y[len - 1 - i]);
    }
}

/// Montgomery product `out = a·b·R⁻¹ mod m` for `a·b < R·m` (`out` fully reduced); all four slices
/// have the modulus's length.
fn mont_mul_loop(out: &mut [Word], a: &[Word], b: &[Word], m: &[Word], m0inv: Word) {
    let n = m.len();
    let mut acc = Column::ZERO;
    for k in 0..n {
        dot_reversed(&mut acc, &a[..=k], &b[..=k]);
        dot_reversed(&mut acc, &out[..k], &m[1..=k]);
        let uk = acc.low().wrapping_mul(m0inv);
        out[k] = uk;
        acc.mac(uk, m[0]);
        acc.shift();
    }
    for k in n..2 * n - 1 {
        let lo = k + 1 - n;
        dot_reversed(&mut acc, &a[lo..], &b[lo..]);
        dot_reversed(&mut acc, &out[lo..], &m[lo..]);
        out[lo - 1] = acc.shift();
    }
    out[n - 1] = acc.shift();
    let top = acc.shift();
    reduce_once(out, top, m);
}

/// Montgomery square `out = a²·R⁻¹ mod m` for `a < m`.
fn mont_sqr_loop(out: &mut [Word], a: &[Word], m: &[Word], m0inv: Word) {
    let n = m.len();
    let mut acc = Column::ZERO;
    for k in 0..2 * n - 1 {
        // Cross products a[i]·a[k − i], lo ≤ i < k − i, doubled; the square a[k/2]².
        let lo = k.saturating_sub(n - 1);
        let mid = k.div_ceil(2);
        if mid > lo {
            let mut cross = Column::ZERO;
            dot_reversed(&mut cross, &a[lo..mid], &a[k + 1 - mid..=k - lo]);
            acc.add_twice(cross);
        }
        if k.is_multiple_of(2) {
            acc.mac(a[k / 2], a[k / 2]);
        }
        // Reduction, as in `mont_mul_loop`.
        if k < n {
            dot_reversed(&mut acc, &out[..k], &m[1..=k]);
            let uk = acc.low().wrapping_mul(m0inv);
            out[k] = uk;
            acc.mac(uk, m[0]);
            acc.shift();
        } else {
            dot_reversed(&mut acc, &out[lo..], &m[lo..]);
            out[lo - 1] = acc.shift();
        }
    }
    out[n - 1] = acc.shift();
    let top = acc.shift();
    reduce_once(out, top, m);
}

/// Calls `$m!` with the literals 0 to 63: the columns and indices of the unrolled kernels (lengths up
/// to 32 words).
macro_rules! each_index {
    ($m:ident) => {
        $m!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
            32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60
            61 62 63)
    };
}

/// `k − i` if `lo ≤ i < hi` and `k − i < n` (the term `x[i]·y[k − i]` of a column); a `const fn`
/// so that every guard folds away at compile time.
#[inline(always)]
const fn term(i: usize, k: usize, lo: usize, hi: usize, n: usize) -> Option<usize> {
    if lo <= i && i < hi && i <= k && k - i < n {
        Some(k - i)
    } else {
        None
    }
}

/// `acc += Σ x[i]·y[K − i]` over `lo ≤ i < hi`, unrolled.
#[inline(always)]
fn dot_fixed<const N: usize, const K: usize>(
    acc: &mut Column,
    x: &[Word; N],
    y: &[Word; N],
    lo: usize,
    hi: usize,
) {
    macro_rules! terms {
        ($($i:literal)*) => {
            $(
                if let Some(j) = term($i, K, lo, hi, N) {
                    acc.mac(x[$i], y[j]);
                }
            )*
        };
    }
    each_index!(terms);
}

/// Column `K` of the Montgomery product (see [`mont_mul_loop`]).
#[inline(always)]
fn mul_column<const N: usize, const K: usize>(
    acc: &mut Column,
    out: &mut [Word; N],
    a: &[Word; N],
    b: &[Word; N],
    m: &[Word; N],
    m0inv: Word,
) {
    if K < N {
        dot_fixed::<N, K>(acc, a, b, 0, K + 1);
        dot_fixed::<N, K>(acc, out, m, 0, K);
        let uk = acc.low().wrapping_mul(m0inv);
        out[K] = uk;
        acc.mac(uk, m[0]);
        acc.shift();
    } else if K < 2 * N - 1 {
        dot_fixed::<N, K>(acc, a, b, K + 1 - N, N);
        dot_fixed::<N, K>(acc, out, m, K + 1 - N, N);
        out[K - N] = acc.shift();
    }
}

/// Column `K` of the Montgomery square (see [`mont_sqr_loop`]).
#[inline(always)]
fn sqr_column<const N: usize, const K: usize>(
    acc: &mut Column,
    out: &mut [Word; N],
    a: &[Word; N],
    m: &[Word; N],
    m0inv: Word,
) {
    if K >= 2 * N - 1 {
        return;
    }
    let lo = K.saturating_sub(N - 1);
    if K.div_ceil(2) > lo {
        let mut cross = Column::ZERO;
        dot_fixed::<N, K>(&mut cross, a, a, lo, K.div_ceil(2));
        acc.add_twice(cross);
    }
    if K.is_multiple_of(2) {
        acc.mac(a[K / 2], a[K / 2]);
    }
    if K < N {
        dot_fixed::<N, K>(acc, out, m, 0, K);
        let uk = acc.low().wrapping_mul(m0inv);
        out[K] = uk;
        acc.mac(uk, m[0]);
        acc.shift();
    } else {
        dot_fixed::<N, K>(acc, out, m, lo, N);
        out[K - N] = acc.shift();
    }
}

/// [`mont_mul_loop`] for a length known at compile time (at most 32 words), fully unrolled.
#[inline(never)]
fn mont_mul_fixed<const N: usize>(
    out: &mut [Word; N],
    a: &[Word; N],
    b: &[Word; N],
    m: &[Word; N],
    m0inv: Word,
) {
    let mut acc = Column::ZERO;
    macro_rules! columns {
        ($($k:literal)*) => { $( mul_column::<N, $k>(&mut acc, out, a, b, m, m0inv); )* };
    }
    each_index!(columns);
    out[N - 1] = acc.shift();
    let top = acc.shift();
    reduce_once(out, top, m);
}

/// [`mont_sqr_loop`] for a length known at compile time (at most 32 words), fully unrolled.
#[inline(never)]
fn mont_sqr_fixed<const N: usize>(out: &mut [Word; N], a: &[Word; N], m: &[Word; N], m0inv: Word) {
    let mut acc = Column::ZERO;
    macro_rules! columns {
        ($($k:literal)*) => { $( sqr_column::<N, $k>(&mut acc, out, a, m, m0inv); )* };
    }
    each_index!(columns);
    out[N - 1] = acc.shift();
    let top = acc.shift();
    reduce_once(out, top, m);
}

/// Montgomery product `out = a·b·R⁻¹ mod m` row by row (CIOS, Koç et al. 1996), for `a·b < R·m`;
/// `out` is fully reduced. All four slices have the modulus's length. For the lengths without an
/// unrolled kernel that are compiled for a fixed length ([`CIOS_FIXED`]): there the compiler unrolls
/// the inner loops, and fewer instructions than the product-scanning loops result (3072/4096-bit
/// moduli, 48 and 64 words).
#[inline(always)]
fn cios_mul_impl(out: &mut [Word], a: &[Word], b: &[Word], m: &[Word], m0inv: Word) {
    let n = m.len();
    out.fill(0);
    let mut top = 0;
    for &ai in a.iter().take(n) {
        let mut c = 0;
        for (t, &bj) in out.iter_mut().zip(b) {
            (*t, c) = mac(*t, ai, bj, c);
        }
        let (s, top1) = adc(top, c, 0);
        let u = out[0].wrapping_mul(m0inv);
        let (_, mut c) = mac(out[0], u, m[0], 0);
        for j in 1..n {
            (out[j - 1], c) = mac(out[j], u, m[j], c);
        }
        let (s, c2) = adc(s, c, 0);
        out[n - 1] = s;
        top = top1 + c2;
    }
    reduce_once(out, top, m);
}

/// Montgomery square `out = a²·R⁻¹ mod m` for `a < m`, row by row: the square's cross products once
/// and doubled, its diagonal, then Montgomery reduction. `t` is scratch of twice the modulus's
/// length.
#[inline(always)]
fn cios_sqr_impl(out: &mut [Word], a: &[Word], m: &[Word], m0inv: Word, t: &mut [Word]) {
    let n = m.len();
    t.fill(0);
    // Cross products a[i]·a[j], i < j: row i adds a[i]·a[i+1..] at t[2i+1..].
    for (i, &ai) in a.iter().enumerate().take(n) {
        let mut c = 0;
        for (tj, &aj) in t[2 * i + 1..].iter_mut().zip(&a[i + 1..]) {
            (*tj, c) = mac(*tj, ai, aj, c);
        }
        t[i + n] = c;
    }
    // Doubled, plus the diagonal a[i]².
    let mut shifted_out = 0;
    for x in t.iter_mut() {
        let v = *x;
        *x = (v << 1) | shifted_out;
        shifted_out = v >> (W - 1);
    }
    let mut c = 0;
    for (pair, &ai) in t.chunks_exact_mut(2).zip(a) {
        let (lo, hi) = mac(0, ai, ai, 0);
        (pair[0], c) = adc(pair[0], lo, c);
        (pair[1], c) = adc(pair[1], hi, c);
    }
    // Reduction: t ← (t + u·m)/2ʷ, n times.
    let mut top = 0;
    for i in 0..n {
        let row = &mut t[i..];
        let u = row[0].wrapping_mul(m0inv);
        let mut c = 0;
        for (tj, &mj) in row.iter_mut().zip(m) {
            (*tj, c) = mac(*tj, u, mj, c);
        }
        (row[n], top) = adc(row[n], c, top);
    }
    out.copy_from_slice(&t[n..2 * n]);
    reduce_once(out, top, m);
}

/// [`cios_mul_impl`] for a length known at compile time.
#[inline(never)]
fn cios_mul_fixed<const N: usize>(
    out: &mut [Word; N],
    a: &[Word; N],
    b: &[Word; N],
    m: &[Word; N],
    m0inv: Word,
) {
    cios_mul_impl(out, a, b, m, m0inv);
}

/// [`cios_sqr_impl`] for a length known at compile time; its scratch on the stack, wiped.
#[inline(never)]
fn cios_sqr_fixed<const N: usize>(out: &mut [Word; N], a: &[Word; N], m: &[Word; N], m0inv: Word) {
    let mut t = [[0; N]; 2];
    cios_sqr_impl(out, a, m, m0inv, t.as_flattened_mut());
    t.as_flattened_mut().zeroize();
}

/// Lengths (in words) compiled for a fixed length with the CIOS kernels when no unrolled kernel
/// takes them: the prime factors of RSA-2048, -3072 and -4096 (1024, 1536, 2048 bits) and the moduli
/// of RSA-3072 and -4096. With 64-bit words the first three have unrolled kernels; with 32-bit words
/// all five run here, as before the unrolled kernels.
const CIOS_FIXED: [usize; 5] = [
    1024 / W as usize,
    1536 / W as usize,
    2048 / W as usize,
    3072 / W as usize,
    4096 / W as usize,
];

/// Calls `$m!($kernel, len)` for each length of [`CIOS_FIXED`].
macro_rules! for_each_cios_length {
    ($m:ident, $kernel:ident) => {
        $m!($kernel, CIOS_FIXED[0]);
        $m!($kernel, CIOS_FIXED[1]);
        $m!($kernel, CIOS_FIXED[2]);
        $m!($kernel, CIOS_FIXED[3]);
        $m!($kernel, CIOS_FIXED[4]);
    };
}

/// Whether the unrolled kernels are used: with 64-bit words only (with 32-bit words the same
/// moduli would need up to 64-word kernels, too much code for the microcontrollers those targets
/// are).
const UNROLLED: bool = W == 64;

/// An odd modulus with its Montgomery parameters, `R = 2^(w·len)`. Wiped on drop (the primes are
/// secret).
pub(super) struct Modulus {
    m: Vec<Word>,
    m0inv: Word,
    /// `R mod m`: 1 in Montgomery form.
    one: Vec<Word>,
    /// `R² mod m`.
    r2: Vec<Word>,
    /// `R³ mod m`, to bring an integer of twice the length into Montgomery form.
    r3: Vec<Word>,
}

impl Drop for Modulus {
    fn drop(&mut self) {
        self.m.zeroize();
        self.m0inv.zeroize();
        self.one.zeroize();
        self.r2.zeroize();
        self.r3.zeroize();
    }
}

impl Clone for Modulus {
    fn clone(&self) -> Self {
        Modulus {
            m: self.m.clone(),
            m0inv: self.m0inv,
            one: self.one.clone(),
            r2: self.r2.clone(),
            r3: self.r3.clone(),
        }
    }
}

impl PartialEq for Modulus {
    /// Public moduli only (a key pair's equality is its public key's).
    fn eq(&self, other: &Self) -> bool {
        self.m == other.m
    }
}

impl Eq for Modulus {}

impl Modulus {
    /// From `crypto-bigint`'s parameters, whose `R` is `2^(bits precision)`, the same as ours.
    pub(super) fn new(params: &MontyParams<BoxedUint>) -> Self {
        let m = params.modulus().as_ref().as_words().to_vec();
        let one = params.one().as_words().to_vec();
        let r2 = params.r2().as_words().to_vec();
        let mut modulus = Modulus {
            m0inv: params.mod_neg_inv().0,
            r3: vec![0; m.len()],
            m,
            one,
            r2,
        };
        // R³ = R²·R²·R⁻¹.
        let mut r3 = vec![0; modulus.len()];
        modulus.mul(&mut r3, &modulus.r2, &modulus.r2);
        modulus.r3 = r3;
        modulus
    }

    /// Words per element.
    pub(super) fn len(&self) -> usize {
        self.m.len()
    }

    /// The modulus's words.
    pub(super) fn words(&self) -> &[Word] {
        &self.m
    }

    /// `out = a·b·R⁻¹ mod m` for `a·b < R·m` (in particular `a < R`, `b < m`).
    pub(super) fn mul(&self, out: &mut [Word], a: &[Word], b: &[Word]) {
        let n = self.len();
        debug_assert!(a.len() == n && b.len() == n && out.len() == n);
        // `kernel` for length `$n` if the slices have it.
        macro_rules! fixed {
            ($kernel:ident, $n:expr) => {
                if let (Ok(o), Ok(a), Ok(b), Ok(m)) = (
                    <&mut [Word; $n]>::try_from(&mut *out),
                    <&[Word; $n]>::try_from(a),
                    <&[Word; $n]>::try_from(b),
                    <&[Word; $n]>::try_from(self.m.as_slice()),
                ) {
                    return $kernel(o, a, b, m, self.m0inv);
                }
            };
        }
        if UNROLLED {
            fixed!(mont_mul_fixed, 16);
            fixed!(mont_mul_fixed, 24);
            fixed!(mont_mul_fixed, 32);
        }
        for_each_cios_length!(fixed, cios_mul_fixed);
        mont_mul_loop(out, a, b, &self.m, self.m0inv)
    }

    /// `out = a²·R⁻¹ mod m` for `a < m`.
    pub(super) fn square(&self, out: &mut [Word], a: &[Word]) {
        let n = self.len();
        debug_assert!(a.len() == n && out.len() == n);
        // `kernel` for length `$n` if the slices have it.
        macro_rules! fixed {
            ($kernel:ident, $n:expr) => {
                if let (Ok(o), Ok(a), Ok(m)) = (
                    <&mut [Word; $n]>::try_from(&mut *out),
                    <&[Word; $n]>::try_from(a),
                    <&[Word; $n]>::try_from(self.m.as_slice()),
                ) {
                    return $kernel(o, a, m, self.m0inv);
                }
            };
        }
        if UNROLLED {
            fixed!(mont_sqr_fixed, 16);
            fixed!(mont_sqr_fixed, 24);
            fixed!(mont_sqr_fixed, 32);
        }
        for_each_cios_length!(fixed, cios_sqr_fixed);
        mont_sqr_loop(out, a, &self.m, self.m0inv)
    }

    /// `x = x·y·R⁻¹ mod m`; `scratch` of the modulus's length.
    pub(super) fn mul_assign(&self, x: &mut [Word], y: &[Word], scratch: &mut [Word]) {
        self.mul(scratch, x, y);
        x.copy_from_slice(scratch);
    }

    /// `x = x²·R⁻¹ mod m`; `scratch` of the modulus's length.
    pub(super) fn square_assign(&self, x: &mut [Word], scratch: &mut [Word]) {
        self.square(scratch, x);
        x.copy_from_slice(scratch);
    }

    /// Montgomery form `x·R mod m` of `x < R`.
    pub(super) fn to_monty(&self, out: &mut [Word], x: &[Word]) {
        self.mul(out, x, &self.r2);
    }

    /// Montgomery form `x·R mod m` of an `x` of twice the modulus's words (`x < R²`): with
    /// `x = h·R + l`, `x·R = h·R³·R⁻¹ + l·R²·R⁻¹`.
    pub(super) fn to_monty_wide(&self, out: &mut [Word], x: &[Word]) {
        let n = self.len();
        debug_assert!(x.len() == 2 * n);
        let (l, h) = x.split_at(n);
        let mut hi = vec![0; n];
        self.mul(&mut hi, h, &self.r3);
        self.mul(out, l, &self.r2);
        self.add_assign(out, &hi);
        hi.zeroize();
    }

    /// The integer `x·R⁻¹ mod m` (out of Montgomery form).
    pub(super) fn retrieve(&self, out: &mut [Word], x: &[Word]) {
        let mut one = vec![0; self.len()];
        one[0] = 1;
        self.mul(out, x, &one);
    }

    /// `x = x + y mod m` for `x, y < m`.
    pub(super) fn add_assign(&self, x: &mut [Word], y: &[Word]) {
        let mut carry = 0;
        for (x, y) in x.iter_mut().zip(y) {
            (*x, carry) = adc(*x, *y, carry);
        }
        reduce_once(x, carry, &self.m);
    }

    /// `x = x − y mod m` for `x, y < m`.
    pub(super) fn sub_assign(&self, x: &mut [Word], y: &[Word]) {
        let mut borrow = 0;
        for (x, y) in x.iter_mut().zip(y) {
            (*x, borrow) = sbb(*x, *y, borrow);
        }
        // Add m back when it borrowed.
        let add = Choice::from(borrow as u8);
        let mut carry = 0;
        for (x, m) in x.iter_mut().zip(&self.m) {
            let masked = Word::conditional_select(&0, m, add);
            (*x, carry) = adc(*x, masked, carry);
        }
    }

    /// `out = base^exponent` in Montgomery form, `base` in Montgomery form; constant time in `base`
    /// and `exponent` (all `w·exponent.len()` bits are processed, four at a time, and every table
    /// entry is read for each window).
    pub(super) fn pow(&self, out: &mut [Word], base: &[Word], exponent: &[Word]) {
        const WINDOW: u32 = 4;
        const ENTRIES: usize = 1 << WINDOW;
        let n = self.len();
        // table[i] = base^i.
        let mut table = vec![0; n * ENTRIES];
        table[..n].copy_from_slice(&self.one);
        table[n..2 * n].copy_from_slice(base);
        for i in 2..ENTRIES {
            let (done, rest) = table.split_at_mut(i * n);
            self.mul(&mut rest[..n], &done[(i - 1) * n..], base);
        }
        let mut scratch = vec![0; n];
        let mut entry = vec![0; n];
        out.copy_from_slice(&self.one);
        for word in exponent.iter().rev() {
            for window in (0..W / WINDOW).rev() {
                for _ in 0..WINDOW {
                    self.square_assign(out, &mut scratch);
                }
                let index = (word >> (window * WINDOW)) & (ENTRIES as Word - 1);
                // entry = OR over every table entry of (entry & mask), the mask all ones for the
                // entry at `index` and zero for the others: one mask per entry, then one `and` and
                // one `or` per word (a loop the compiler vectorises).
                entry.fill(0);
                for (i, candidate) in table.chunks_exact(n).enumerate() {
                    let hit = (i as Word).ct_eq(&index);
                    let mask = Word::conditional_select(&0, &Word::MAX, hit);
                    for (e, c) in entry.iter_mut().zip(candidate) {
                        *e |= c & mask;
                    }
                }
                self.mul_assign(out, &entry, &mut scratch);
            }
        }
        table.zeroize();
        scratch.zeroize();
        entry.zeroize();
    }

    /// `out = base^e` in Montgomery form for a **public** exponent `e > 0` (left-to-right binary:
    /// for e = 65537, 16 squarings and one multiplication); constant time in `base`.
    pub(super) fn pow_public(&self, out: &mut [Word], base: &[Word], e: u64) {
        let n = self.len();
        let mut scratch = vec![0; n];
        out.copy_from_slice(base);
        let bits = u64::BITS - e.leading_zeros();
        for bit in (0..bits.saturating_sub(1)).rev() {
            self.square_assign(out, &mut scratch);
            if (e >> bit) & 1 == 1 {
                self.mul_assign(out, base, &mut scratch);
            }
        }
        scratch.zeroize();
    }
}

/// `a < b` for equal-length little-endian word strings, in constant time.
pub(super) fn less_than(a: &[Word], b: &[Word]) -> Choice {
    let mut borrow = 0;
    for (a, b) in a.iter().zip(b) {
        (_, borrow) = sbb(*a, *b, borrow);
    }
    Choice::from(borrow as u8) & Choice::from(u8::from(a.len() == b.len()))
}

/// `a == b` for word strings, in constant time.
pub(super) fn equal(a: &[Word], b: &[Word]) -> Choice {
    a.ct_eq(b)
}

/// `out = a·b` (schoolbook; `out` has `a.len() + b.len()` words).
pub(super) fn mul_wide(out: &mut [Word], a: &[Word], b: &[Word]) {
    out.fill(0);
    for (i, &ai) in a.iter().enumerate() {
        let mut c = 0;
        for (j, &bj) in b.iter().enumerate() {
            (out[i + j], c) = mac(out[i + j], ai, bj, c);
        }
        out[i + b.len()] = c;
    }
}

/// `x = x + y` (`y` no longer than `x`), the carry out of the top dropped; returns it.
pub(super) fn add_in_place(x: &mut [Word], y: &[Word]) -> Word {
    let mut carry = 0;
    for (i, x) in x.iter_mut().enumerate() {
        let y = y.get(i).copied().unwrap_or(0);
        (*x, carry) = adc(*x, y, carry);
    }
    carry
}

/// Big-endian bytes into `words` little-endian words (`None` if they do not fit); no copy of the
/// bytes is left behind.
pub(super) fn words_from_be(bytes: &[u8], words: usize) -> Option<Vec<Word>> {
    let size = (W / 8) as usize;
    if bytes.len() > words * size {
        return None;
    }
    let mut out = vec![0; words];
    for (i, &byte) in bytes.iter().rev().enumerate() {
        out[i / size] |= Word::from(byte) << (8 * (i % size));
    }
    Some(out)
}

/// Little-endian words into exactly `len` big-endian bytes (the value must fit: the words' bytes
/// beyond `len` are zero for a value below a `len`-byte modulus); no other copy is made.
pub(super) fn words_to_be(words: &[Word], len: usize) -> Vec<u8> {
    let size = (W / 8) as usize;
    let mut out = vec![0u8; len];
    for (i, byte) in out.iter_mut().rev().enumerate() {
        if let Some(word) = words.get(i / size) {
            *byte = (word >> (8 * (i % size))) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
    use crypto_bigint::{ConcatenatingMul, Odd, Resize};

    fn modulus(bits: u32, seed: u64) -> (BoxedMontyParams, Modulus) {
        let mut s = seed;
        let words: Vec<Word> = (0..bits / W)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 7) as Word
            })
            .collect();
        let mut m = BoxedUint::from_words(words);
        m.as_mut_words()[0] |= 1;
        let params = BoxedMontyParams::new(Odd::new(m).unwrap());
        let ours = Modulus::new(params.as_ref());
        (params, ours)
    }

    fn value(params: &BoxedMontyParams, seed: u64) -> BoxedUint {
        let bits = params.bits_precision();
        let mut s = seed;
        let words: Vec<Word> = (0..bits / W)
            .map(|_| {
                s = s.wrapping_mul(2862933555777941757).wrapping_add(3037000493);
                (s >> 3) as Word
            })
            .collect();
        BoxedUint::from_words(words).rem_vartime(params.modulus().as_nz_ref())
    }

    #[test]
    fn agrees_with_crypto_bigint() {
        // 64-bit words: the unrolled lengths (16, 24, 32 words), the fixed-length CIOS ones (48, 64) and
        // the product-scanning loops (10, 17 words).
        for bits in [1024, 1536, 2048, 3072, 4096, 640, 1088] {
            let (params, m) = modulus(bits, u64::from(bits));
            for seed in 0..3 {
                let a = value(&params, seed);
                let b = value(&params, seed + 100);
                let am = BoxedMontyForm::new(a.clone(), &params);
                let bm = BoxedMontyForm::new(b.clone(), &params);
                let mut out = vec![0; m.len()];
                m.mul(
                    &mut out,
                    am.as_montgomery().as_words(),
                    bm.as_montgomery().as_words(),
                );
                assert_eq!(out, (&am * &bm).as_montgomery().as_words(), "{bits} mul");
                m.to_monty(&mut out, a.as_words());
                assert_eq!(out, am.as_montgomery().as_words(), "{bits} to_monty");
                let mut plain = vec![0; m.len()];
                m.retrieve(&mut plain, &out);
                assert_eq!(plain, a.as_words(), "{bits} from_monty");
                let e = value(&params, seed + 7);
                m.pow(&mut out, am.as_montgomery().as_words(), e.as_words());
                assert_eq!(out, am.pow(&e).as_montgomery().as_words(), "{bits} pow");
                m.pow_public(&mut out, am.as_montgomery().as_words(), 65537);
                let e = BoxedUint::from(65537u64);
                assert_eq!(out, am.pow(&e).as_montgomery().as_words(), "{bits} e");
                let mut sum = a.as_words().to_vec();
                m.add_assign(&mut sum, b.as_words());
                let want = a.add_mod(&b, params.modulus().as_nz_ref());
                assert_eq!(sum, want.as_words(), "{bits} add");
                let mut diff = a.as_words().to_vec();
                m.sub_assign(&mut diff, b.as_words());
                let want = a.sub_mod(&b, params.modulus().as_nz_ref());
                assert_eq!(diff, want.as_words(), "{bits} sub");
                let wide = a.concatenating_mul(&b);
                m.to_monty_wide(&mut out, wide.as_words());
                let want = BoxedMontyForm::new(
                    wide.rem_vartime(params.modulus().as_nz_ref()).resize(bits),
                    &params,
                );
                assert_eq!(out, want.as_montgomery().as_words(), "{bits} wide");
            }
        }
    }

    /// Edge values and edge moduli, at every kernel (unrolled, fixed-length CIOS, the loops, one word up):
    /// the product agrees with `crypto-bigint`, the square with the product.
    #[test]
    fn products_and_squares_at_the_edges() {
        for words in [1, 2, 3, 15, 16, 17, 24, 32, 48, 64] {
            let bits = words * W;
            // A random modulus, 2^bits − 1, and one whose top word is 1 (its square's top columns
            // are nearly empty).
            let ones = BoxedUint::from_words(vec![Word::MAX; words as usize]);
            let mut low_top = vec![Word::MAX; words as usize];
            low_top[words as usize - 1] = 1;
            let moduli = [
                modulus(bits, u64::from(words) + 7).0,
                BoxedMontyParams::new(Odd::new(ones).unwrap()),
                BoxedMontyParams::new(Odd::new(BoxedUint::from_words(low_top)).unwrap()),
            ];
            for params in &moduli {
                let m = Modulus::new(params.as_ref());
                let n = m.len();
                let mut minus_one = params.modulus().as_ref().clone();
                minus_one.as_mut_words()[0] -= 1;
                let mut one = vec![0; n];
                one[0] = 1;
                let values = [
                    BoxedUint::zero_with_precision(bits),
                    BoxedUint::from_words(one),
                    minus_one,
                    value(params, 5),
                ];
                for a in &values {
                    let am = BoxedMontyForm::new(a.clone(), params);
                    let aw = am.as_montgomery().as_words();
                    for b in &values {
                        let bm = BoxedMontyForm::new(b.clone(), params);
                        let mut out = vec![0; n];
                        m.mul(&mut out, aw, bm.as_montgomery().as_words());
                        let want = &am * &bm;
                        assert_eq!(out, want.as_montgomery().as_words(), "{words} words mul");
                    }
                    let mut sq = vec![0; n];
                    m.square(&mut sq, aw);
                    let mut prod = vec![0; n];
                    m.mul(&mut prod, aw, aw);
                    assert_eq!(sq, prod, "{words} words square");
                }
            }
        }
    }

    #[test]
    fn byte_conversions_and_compare() {
        let w = words_from_be(&[1, 2, 3], 2).unwrap();
        assert_eq!(w, [0x010203, 0]);
        assert_eq!(words_to_be(&w, 4), [0, 1, 2, 3]);
        assert!(
            words_from_be(&[1; 17], 2).is_none() || W == 64 && words_from_be(&[1; 17], 2).is_none()
        );
        assert!(bool::from(less_than(&[1, 2], &[2, 2])));
        assert!(!bool::from(less_than(&[2, 2], &[2, 2])));
        assert!(bool::from(less_than(&[5, 1], &[0, 2])));
        assert!(bool::from(equal(&[5, 1], &[5, 1])));
    }
}
