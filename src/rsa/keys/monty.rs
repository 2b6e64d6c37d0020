//! Montgomery arithmetic for the RSA operations: multiplication, squaring, exponentiation modulo one
//! odd modulus, on little-endian machine words (`crypto-bigint`'s `Word`).
//!
//! **Hand-written, and why.** `crypto-bigint` 0.7 (under `rsa` 0.10) is constant time but spends about
//! 1.4× the instructions of the plain CIOS loop below per Montgomery product (its generic
//! "almost Montgomery" multiplier over runtime-sized, heap-allocated integers), and `rsa` rebuilds
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

/// Montgomery product `out = a·b·R⁻¹ mod m` (CIOS, Koç et al. 1996), for `a·b < R·m`; `out` is fully
/// reduced. All four slices have the modulus's length.
#[inline(always)]
fn mont_mul_impl(out: &mut [Word], a: &[Word], b: &[Word], m: &[Word], m0inv: Word) {
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

/// Montgomery square `out = a²·R⁻¹ mod m` for `a < m`: the square's cross products once and
/// doubled, its diagonal, then Montgomery reduction (about a quarter fewer word products than
/// [`mont_mul_impl`]). `t` is scratch of twice the modulus's length.
#[inline(always)]
fn mont_sqr_impl(out: &mut [Word], a: &[Word], m: &[Word], m0inv: Word, t: &mut [Word]) {
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

#[inline(never)]
fn mont_sqr_fixed<const N: usize>(
    out: &mut [Word; N],
    a: &[Word; N],
    m: &[Word; N],
    m0inv: Word,
    t: &mut [[Word; N]; 2],
) {
    mont_sqr_impl(out, a, m, m0inv, t.as_flattened_mut());
}

#[inline(never)]
fn mont_sqr_any(out: &mut [Word], a: &[Word], m: &[Word], m0inv: Word, t: &mut [Word]) {
    mont_sqr_impl(out, a, m, m0inv, t);
}

/// The same for a modulus of a length known at compile time: the loops unroll.
#[inline(never)]
fn mont_mul_fixed<const N: usize>(
    out: &mut [Word; N],
    a: &[Word; N],
    b: &[Word; N],
    m: &[Word; N],
    m0inv: Word,
) {
    mont_mul_impl(out, a, b, m, m0inv);
}

#[inline(never)]
fn mont_mul_any(out: &mut [Word], a: &[Word], b: &[Word], m: &[Word], m0inv: Word) {
    mont_mul_impl(out, a, b, m, m0inv);
}

/// Lengths compiled for (in words): the prime factors of RSA-2048, -3072 and -4096 (1024, 1536,
/// 2048 bits) and the moduli of RSA-3072 and -4096 (RSA-2048's is the 2048-bit one).
const FIXED: [usize; 5] = [
    1024 / W as usize,
    1536 / W as usize,
    2048 / W as usize,
    3072 / W as usize,
    4096 / W as usize,
];

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
        macro_rules! fixed {
            ($n:expr) => {
                if let (Ok(o), Ok(a), Ok(b), Ok(m)) = (
                    <&mut [Word; $n]>::try_from(&mut *out),
                    <&[Word; $n]>::try_from(a),
                    <&[Word; $n]>::try_from(b),
                    <&[Word; $n]>::try_from(self.m.as_slice()),
                ) {
                    return mont_mul_fixed(o, a, b, m, self.m0inv);
                }
            };
        }
        fixed!(FIXED[0]);
        fixed!(FIXED[1]);
        fixed!(FIXED[2]);
        fixed!(FIXED[3]);
        fixed!(FIXED[4]);
        mont_mul_any(out, a, b, &self.m, self.m0inv)
    }

    /// `out = a²·R⁻¹ mod m` for `a < m`; `t` is scratch of twice the modulus's length.
    pub(super) fn square(&self, out: &mut [Word], a: &[Word], t: &mut [Word]) {
        let n = self.len();
        debug_assert!(a.len() == n && out.len() == n && t.len() == 2 * n);
        macro_rules! fixed {
            ($n:expr) => {
                if let (Ok(o), Ok(a), Ok(m)) = (
                    <&mut [Word; $n]>::try_from(&mut *out),
                    <&[Word; $n]>::try_from(a),
                    <&[Word; $n]>::try_from(self.m.as_slice()),
                ) {
                    let mut t = [[0; $n]; 2];
                    mont_sqr_fixed(o, a, m, self.m0inv, &mut t);
                    t.as_flattened_mut().zeroize();
                    return;
                }
            };
        }
        fixed!(FIXED[0]);
        fixed!(FIXED[1]);
        fixed!(FIXED[2]);
        fixed!(FIXED[3]);
        fixed!(FIXED[4]);
        mont_sqr_any(out, a, &self.m, self.m0inv, t)
    }

    /// `x = x·y·R⁻¹ mod m`.
    pub(super) fn mul_assign(&self, x: &mut [Word], y: &[Word], scratch: &mut [Word]) {
        self.mul(scratch, x, y);
        x.copy_from_slice(scratch);
    }

    /// `x = x²·R⁻¹ mod m`; `scratch` of three times the modulus's length.
    pub(super) fn square_assign(&self, x: &mut [Word], scratch: &mut [Word]) {
        let (out, t) = scratch.split_at_mut(self.len());
        self.square(out, x, t);
        x.copy_from_slice(out);
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
        let mut scratch = vec![0; 3 * n];
        let mut entry = vec![0; n];
        out.copy_from_slice(&self.one);
        for word in exponent.iter().rev() {
            for window in (0..W / WINDOW).rev() {
                for _ in 0..WINDOW {
                    self.square_assign(out, &mut scratch);
                }
                let index = (word >> (window * WINDOW)) & (ENTRIES as Word - 1);
                for (i, candidate) in table.chunks_exact(n).enumerate() {
                    let hit = (i as Word).ct_eq(&index);
                    for (e, c) in entry.iter_mut().zip(candidate) {
                        e.conditional_assign(c, hit);
                    }
                }
                self.mul_assign(out, &entry, &mut scratch[..n]);
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
        let mut scratch = vec![0; 3 * n];
        out.copy_from_slice(base);
        let bits = u64::BITS - e.leading_zeros();
        for bit in (0..bits.saturating_sub(1)).rev() {
            self.square_assign(out, &mut scratch);
            if (e >> bit) & 1 == 1 {
                self.mul_assign(out, base, &mut scratch[..n]);
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
        // Fixed lengths (64-bit: 16, 24, 32, 64 words) and others.
        for bits in [1024, 1536, 2048, 4096, 640, 1088] {
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
