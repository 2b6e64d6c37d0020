//! The RSA private operation (RSADP), computed with the Chinese remainder theorem on values prepared
//! once when the key is imported, and blinded.
//!
//! **Prepared at import** ([`CrtKey::new`]): the Montgomery parameters of `n`, `p` and `q` (`R mod m`,
//! `R² mod m`, `R³ mod m`, `−m⁻¹ mod 2ʷ`), `dP`, `dQ`, `qInv`, `p − 1`, `q − 1`, `p − 2` and `q − 2` as
//! machine words, and `SHA-256(I2OSP(d, k))` for PKCS#1 v1.5 implicit rejection.
//!
//! **One operation**, `m = c^d mod n`:
//! 1. base blinding, always: `c' = c·rᵉ mod n` with the key's blinding pair (`rᵉ`, `r⁻¹`);
//! 2. `m₁ = c'^dP' mod p`, `m₂ = c'^dQ' mod q` (fixed-window Montgomery exponentiation over every bit
//!    of the exponent's storage width), where `dP' = dP` or, with [exponent
//!    blinding](RsaHardening::exponent_blinding), `dP + k·(p − 1)` for a fresh 128-bit `k` (the same
//!    for `q`);
//! 3. `m' = m₂ + q·((m₁ − m₂)·qInv mod p)` (Garner);
//! 4. with the [fault check](RsaHardening::fault_check): `m'ᵉ = c' mod n`, else [`Error::Decryption`];
//! 5. `m = m'·r⁻¹ mod n`.
//!
//! **The blinding pair** is kept per key (OpenSSL's `BN_BLINDING`, BearSSL): the first operation draws
//! `r` from the caller's RNG and computes `r⁻¹` (the one expensive step: Fermat inverses modulo `p` and
//! `q`, about the cost of one private operation) and `rᵉ`; each later operation squares both
//! (`r ← r²`: two modular multiplications), and after [`REFRESH`] operations a fresh `r` is drawn. The pair lives in atomics
//! behind a try-lock (no `unsafe`, no `std` needed): an operation that finds the pair taken by another
//! thread does not wait, it draws a fresh pair of its own. No two operations ever use the same pair.
//!
//! `rsa`'s third layer, multiplying `p` and `q` by fresh 129-bit factors for every operation, is not
//! done: with the base blinded, the value reduced modulo `p` is already uniformly random and unknown to
//! an attacker, which is the input that modulus blinding protects (see `SECURITY.md`).

use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use ::rsa::BoxedUint;
use ::rsa::traits::{PrivateKeyParts, PublicKeyParts};
use crypto_bigint::Word;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use super::monty::{self, Modulus};
use super::{RsaHardening, TryCryptoRng};
use crate::error::Error;

/// Operations per blinding factor before a fresh one is drawn (OpenSSL's `BN_BLINDING_COUNTER`).
pub(super) const REFRESH: u32 = 32;

/// Words of the blinding exponent `k` (128 bits on 64-bit targets, as `rsa` 0.10 and the CFRG RSA
/// guidance's "at least 64 bits or two machine words").
const K_WORDS: usize = 128 / Word::BITS as usize;

/// A two-prime private key prepared for the CRT operation.
pub(super) struct CrtKey {
    n: Modulus,
    e: u64,
    p: Modulus,
    q: Modulus,
    dp: Vec<Word>,
    dq: Vec<Word>,
    p_minus_1: Vec<Word>,
    q_minus_1: Vec<Word>,
    /// `p − 2`, `q − 2`: Fermat's inverses modulo the primes.
    p_minus_2: Vec<Word>,
    q_minus_2: Vec<Word>,
    /// `q` as `p`'s words.
    q_words: Vec<Word>,
    /// `qInv = q⁻¹ mod p` (plain, not in Montgomery form).
    qinv: Vec<Word>,
    blinding: Blinding,
}

impl Drop for CrtKey {
    fn drop(&mut self) {
        self.dp.zeroize();
        self.dq.zeroize();
        self.p_minus_1.zeroize();
        self.q_minus_1.zeroize();
        self.p_minus_2.zeroize();
        self.q_minus_2.zeroize();
        self.q_words.zeroize();
        self.qinv.zeroize();
    }
}

/// `SHA-256(I2OSP(d, k))`, the key of PKCS#1 v1.5 implicit rejection's derivation (draft-irtf-cfrg-rsa-
/// guidance §7.1 step 3.1), computed once at import.
pub(super) fn d_hash(key: &::rsa::PrivateKey) -> Zeroizing<[u8; 32]> {
    let k = key.size();
    let d = Zeroizing::new(key.d().to_be_bytes());
    let skip = d.len().saturating_sub(k);
    let mut padded = Zeroizing::new(vec![0u8; k.saturating_sub(d.len() - skip)]);
    padded.extend_from_slice(d.get(skip..).unwrap_or(&[]));
    Zeroizing::new(Sha256::digest(padded.as_slice()).into())
}

/// The words of `x` at `words` words (zero-extended; `x` must fit, which holds for values below a
/// modulus of that many words).
fn words_of(x: &BoxedUint, words: usize) -> Option<Vec<Word>> {
    let w = x.as_words();
    if w.len() > words && w[words..].iter().any(|&x| x != 0) {
        return None;
    }
    let mut out = vec![0; words];
    let len = w.len().min(words);
    out[..len].copy_from_slice(&w[..len]);
    Some(out)
}

impl CrtKey {
    /// Prepare a key, or `None` for a key this path does not take (more than two primes, no CRT
    /// values, primes of different word lengths, a modulus wider than the two primes, `e ≥ 2⁶⁴`):
    /// those use `rsa`'s own private operation.
    pub(super) fn new(key: &::rsa::PrivateKey) -> Option<Self> {
        if key.primes().len() != 2 {
            return None;
        }
        let (p, q) = (key.p()?, key.q()?);
        let (dp, dq, qinv) = (key.dp()?, key.dq()?, key.qinv()?);
        if key.e().bit_width_vartime() > 64 {
            return None;
        }
        let e = u64::try_from(
            key.e()
                .as_words()
                .iter()
                .rev()
                .fold(0u128, |acc, &w| (acc << Word::BITS) | u128::from(w)),
        )
        .ok()?;
        let n = Modulus::new(key.n_params().as_ref());
        let (p, q) = (Modulus::new(p), Modulus::new(q));
        let len = p.len();
        if q.len() != len || n.len() > 2 * len || e < 3 {
            return None;
        }
        let minus_one = |m: &Modulus| {
            let mut x = m.words().to_vec();
            // m is odd: clearing bit 0 subtracts one.
            x[0] &= !1;
            x
        };
        let minus_two = |m: &Modulus| {
            let mut x = m.words().to_vec();
            let mut borrow = 2;
            for w in &mut x {
                let (d, b) = w.overflowing_sub(borrow);
                *w = d;
                borrow = Word::from(b);
            }
            x
        };
        let qinv_plain = Zeroizing::new(qinv.retrieve());
        Some(CrtKey {
            e,
            dp: words_of(dp, len)?,
            dq: words_of(dq, len)?,
            p_minus_1: minus_one(&p),
            q_minus_1: minus_one(&q),
            p_minus_2: minus_two(&p),
            q_minus_2: minus_two(&q),
            q_words: q.words().to_vec(),
            qinv: words_of(&qinv_plain, len)?,
            blinding: Blinding::new(2 * n.len()),
            n,
            p,
            q,
        })
    }

    /// Words of `n`.
    fn n_len(&self) -> usize {
        self.n.len()
    }

    /// RSADP on `c` (big-endian, exactly `k` bytes): returns `m` as `k` bytes. `c ≥ n` is
    /// [`Error::Decryption`].
    pub(super) fn decrypt<R: TryCryptoRng + ?Sized>(
        &self,
        c: &[u8],
        k: usize,
        hardening: RsaHardening,
        rng: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let nl = self.n_len();
        let c = Zeroizing::new(monty::words_from_be(c, nl).ok_or(Error::Decryption)?);
        // Public: whether c is a valid ciphertext.
        if !bool::from(monty::less_than(&c, self.n.words())) {
            return Err(Error::Decryption);
        }
        let mut pair = Zeroizing::new(vec![0; 2 * nl]);
        self.blinding_pair(&mut pair, rng)?;
        let (r_e, r_inv) = pair.split_at(nl);
        let m = self.blinded(&c, r_e, r_inv, hardening, rng)?;
        Ok(Zeroizing::new(monty::words_to_be(&m, k)))
    }

    /// Steps 1 to 5 with a given pair (`rᵉ·R`, `r⁻¹·R` mod n, Montgomery form); with the pair
    /// (`R`, `R`), i.e. r = 1, the operation is unblinded (tests compare the two).
    fn blinded<R: TryCryptoRng + ?Sized>(
        &self,
        c: &[Word],
        r_e: &[Word],
        r_inv: &[Word],
        hardening: RsaHardening,
        rng: &mut R,
    ) -> Result<Zeroizing<Vec<Word>>, Error> {
        let nl = self.n_len();
        let len = self.p.len();
        // 1. c' = c·rᵉ (Montgomery product with rᵉ·R: the plain value).
        let mut cb = Zeroizing::new(vec![0; nl]);
        self.n.mul(&mut cb, c, r_e);
        // 2. Exponentiations modulo p and q.
        let mut wide = Zeroizing::new(vec![0; 2 * len]);
        wide[..nl].copy_from_slice(&cb);
        let (dp, dq) = if hardening.exponent_blinding {
            (
                Zeroizing::new(blind_exponent(&self.dp, &self.p_minus_1, rng)?),
                Zeroizing::new(blind_exponent(&self.dq, &self.q_minus_1, rng)?),
            )
        } else {
            (
                Zeroizing::new(self.dp.clone()),
                Zeroizing::new(self.dq.clone()),
            )
        };
        let mut base = Zeroizing::new(vec![0; len]);
        let mut m1 = Zeroizing::new(vec![0; len]); // Montgomery form mod p
        self.p.to_monty_wide(&mut base, &wide);
        self.p.pow(&mut m1, &base, &dp);
        let mut m2 = Zeroizing::new(vec![0; len]);
        self.q.to_monty_wide(&mut base, &wide);
        {
            let mut powered = Zeroizing::new(vec![0; len]);
            self.q.pow(&mut powered, &base, &dq);
            self.q.retrieve(&mut m2, &powered);
        }
        // 3. m' = m₂ + q·((m₁ − m₂)·qInv mod p).
        self.garner(&mut wide, &mut m1, &m2);
        let mb = Zeroizing::new(wide[..nl].to_vec());
        // 4. Fault check: m'ᵉ = c'.
        if hardening.fault_check {
            let mut x = Zeroizing::new(vec![0; nl]);
            let mut y = Zeroizing::new(vec![0; nl]);
            self.n.to_monty(&mut x, &mb);
            self.n.pow_public(&mut y, &x, self.e);
            self.n.retrieve(&mut x, &y);
            if !bool::from(monty::equal(&x, &cb)) {
                return Err(Error::Decryption);
            }
        }
        // 5. m = m'·r⁻¹.
        let mut m = Zeroizing::new(vec![0; nl]);
        self.n.mul(&mut m, &mb, r_inv);
        Ok(m)
    }

    /// The next blinding pair into `pair` (`rᵉ·R ‖ r⁻¹·R`): the key's, advanced by squaring, or a fresh
    /// one when the key's is used up or taken by another thread.
    fn blinding_pair<R: TryCryptoRng + ?Sized>(
        &self,
        pair: &mut [Word],
        rng: &mut R,
    ) -> Result<(), Error> {
        if self.blinding.take(pair, &self.n) {
            return Ok(());
        }
        self.fresh_pair(pair, rng)?;
        self.blinding.offer(pair, &self.n);
        Ok(())
    }

    /// A fresh pair, computed with this module's constant-time arithmetic only: `r` is `2·len(n)`
    /// random words reduced modulo n (statistically uniform: bias below 2^(−w·len(n))); `r⁻¹` is
    /// `r^(p−2) mod p` and `r^(q−2) mod q` (Fermat) recombined with Garner. (`crypto-bigint`'s
    /// inversion is constant time in release builds but branches on its input in debug builds,
    /// through its debug assertions; rejection sampling branches on the random draw. Neither is
    /// used here, so the whole operation passes the valgrind check.) An `r` that shares a prime with
    /// n (probability about 2⁻¹⁰²³ for RSA-2048) would give a wrong result, not a leak.
    fn fresh_pair<R: TryCryptoRng + ?Sized>(
        &self,
        pair: &mut [Word],
        rng: &mut R,
    ) -> Result<(), Error> {
        let nl = self.n_len();
        let len = self.p.len();
        let (r_e, r_inv) = pair.split_at_mut(nl);
        // r·R mod n, from 2·len(n) random words.
        let mut bytes = Zeroizing::new(vec![0u8; 2 * nl * (Word::BITS as usize / 8)]);
        rng.try_fill_bytes(&mut bytes).map_err(|_| Error::Rng)?;
        let wide = Zeroizing::new(monty::words_from_be(&bytes, 2 * nl).ok_or(Error::Decryption)?);
        let mut r_m = Zeroizing::new(vec![0; nl]);
        self.n.to_monty_wide(&mut r_m, &wide);
        // rᵉ·R.
        self.n.pow_public(r_e, &r_m, self.e);
        // r (plain), then r⁻¹ mod p and mod q.
        let mut r = Zeroizing::new(vec![0; 2 * len]);
        self.n.retrieve(&mut r[..nl], &r_m);
        let mut base = Zeroizing::new(vec![0; len]);
        let mut powered = Zeroizing::new(vec![0; len]);
        let mut inv_p = Zeroizing::new(vec![0; len]); // Montgomery form mod p
        self.p.to_monty_wide(&mut base, &r);
        self.p.pow(&mut inv_p, &base, &self.p_minus_2);
        let mut inv_q = Zeroizing::new(vec![0; len]);
        self.q.to_monty_wide(&mut base, &r);
        self.q.pow(&mut powered, &base, &self.q_minus_2);
        self.q.retrieve(&mut inv_q, &powered);
        // r⁻¹ = inv_q + q·((inv_p − inv_q)·qInv mod p).
        let mut inv = Zeroizing::new(vec![0; 2 * len]);
        self.garner(&mut inv, &mut inv_p, &inv_q);
        self.n.to_monty(r_inv, &inv[..nl]);
        Ok(())
    }

    /// Garner's recombination `out = x₂ + q·((x₁ − x₂)·qInv mod p)` (2·len(p) words) of `x₁` (in
    /// Montgomery form mod p, overwritten) and `x₂ < q` (plain).
    fn garner(&self, out: &mut [Word], x1: &mut [Word], x2: &[Word]) {
        let len = self.p.len();
        let mut x2_p = Zeroizing::new(vec![0; len]);
        self.p.to_monty(&mut x2_p, x2);
        self.p.sub_assign(x1, &x2_p);
        // (x₁ − x₂)·R · qInv · R⁻¹ = (x₁ − x₂)·qInv, plain.
        let mut h = Zeroizing::new(vec![0; len]);
        self.p.mul(&mut h, x1, &self.qinv);
        monty::mul_wide(out, &h, &self.q_words);
        monty::add_in_place(out, x2);
    }
}

/// `d + k·(p − 1)` for a fresh random `k` of [`K_WORDS`] words: `len + K_WORDS` words.
fn blind_exponent<R: TryCryptoRng + ?Sized>(
    d: &[Word],
    p_minus_1: &[Word],
    rng: &mut R,
) -> Result<Vec<Word>, Error> {
    let mut bytes = Zeroizing::new([0u8; K_WORDS * (Word::BITS as usize / 8)]);
    rng.try_fill_bytes(bytes.as_mut()).map_err(|_| Error::Rng)?;
    let k = Zeroizing::new(monty::words_from_be(bytes.as_ref(), K_WORDS).ok_or(Error::Decryption)?);
    let mut out = vec![0; p_minus_1.len() + K_WORDS];
    monty::mul_wide(&mut out, p_minus_1, &k);
    // k·(p − 1) + d < 2^(w·(len + K_WORDS)): no carry out.
    monty::add_in_place(&mut out, d);
    Ok(out)
}

/// A key's blinding pair `rᵉ·R ‖ r⁻¹·R` (Montgomery form mod n) and how often it has been used, shared
/// between threads behind a try-lock. The words are stored as 32-bit atomics (every target with
/// atomics has those); the lock's acquire and release order the plain loads and stores.
struct Blinding {
    lock: AtomicBool,
    /// Operations served by the current `r`; 0 = no pair yet. Read and written under the lock.
    uses: AtomicU32,
    halves: Vec<AtomicU32>,
    /// Tests: how often an operation found the lock held.
    #[cfg(test)]
    busy: AtomicU32,
}

const HALVES: usize = Word::BITS as usize / 32;

impl Blinding {
    fn new(words: usize) -> Self {
        Blinding {
            lock: AtomicBool::new(false),
            uses: AtomicU32::new(0),
            halves: (0..words * HALVES).map(|_| AtomicU32::new(0)).collect(),
            #[cfg(test)]
            busy: AtomicU32::new(0),
        }
    }

    fn try_lock(&self) -> bool {
        self.lock
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    fn unlock(&self) {
        self.lock.store(false, Ordering::Release);
    }

    fn load(&self, pair: &mut [Word]) {
        for (w, halves) in pair.iter_mut().zip(self.halves.chunks_exact(HALVES)) {
            *w = halves.iter().rev().fold(0, |acc, h| {
                (acc << 16 << 16) | Word::from(h.load(Ordering::Relaxed))
            });
        }
    }

    #[expect(
        clippy::cast_possible_truncation,
        reason = "a word is stored as 32-bit halves: the low half of each shift on purpose"
    )]
    fn store(&self, pair: &[Word]) {
        for (w, halves) in pair.iter().zip(self.halves.chunks_exact(HALVES)) {
            for (i, h) in halves.iter().enumerate() {
                h.store((*w >> (32 * i)) as u32, Ordering::Relaxed);
            }
        }
    }

    /// Squares of `pair` (`r ← r²`) into `out`.
    fn squared(pair: &[Word], n: &Modulus, out: &mut [Word]) {
        let nl = n.len();
        let (a, b) = pair.split_at(nl);
        let (x, y) = out.split_at_mut(nl);
        n.mul(x, a, a);
        n.mul(y, b, b);
    }

    /// The pair in use, if there is one with uses left and no other thread holds it; the key keeps
    /// its square for the next operation.
    fn take(&self, pair: &mut [Word], n: &Modulus) -> bool {
        if !self.try_lock() {
            #[cfg(test)]
            self.busy.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        let uses = self.uses.load(Ordering::Relaxed);
        let ok = uses != 0 && uses < REFRESH;
        if ok {
            self.load(pair);
            let mut next = Zeroizing::new(vec![0; pair.len()]);
            Self::squared(pair, n, &mut next);
            self.store(&next);
            self.uses.store(uses + 1, Ordering::Relaxed);
        }
        self.unlock();
        ok
    }

    /// Keep the square of a fresh pair (just used) for the next operations, unless another thread
    /// holds the lock.
    fn offer(&self, pair: &[Word], n: &Modulus) {
        let mut next = Zeroizing::new(vec![0; pair.len()]);
        Self::squared(pair, n, &mut next);
        if self.try_lock() {
            self.store(&next);
            self.uses.store(1, Ordering::Relaxed);
            self.unlock();
        }
    }
}

impl Drop for Blinding {
    fn drop(&mut self) {
        for h in &mut self.halves {
            *h.get_mut() = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::rsa::pkcs8::DecodePrivateKey;
    use crypto_bigint::Resize;

    use crate::test_rng::Lcg64 as Counter;

    fn key() -> ::rsa::PrivateKey {
        let pem = include_str!("../../../test-vectors/rsa/generated/rsa2048.pkcs8.pem");
        ::rsa::PrivateKey::from_pkcs8_pem(pem).unwrap()
    }

    const ALL: RsaHardening = RsaHardening {
        exponent_blinding: true,
        fault_check: true,
    };

    /// The blinding pair changes with every operation, is refreshed after `REFRESH` uses, and every
    /// blinded result equals the unblinded one (r = 1) and `rsa`'s unblinded private operation.
    #[test]
    fn blinding_pair_changes_and_results_do_not() {
        let rsa_key = key();
        let crt = CrtKey::new(&rsa_key).unwrap();
        let nl = crt.n_len();
        let k = rsa_key.size();
        let mut rng = Counter(7);
        let mut seen = Vec::new();
        for i in 0..(REFRESH as usize + 3) {
            let c_big = BoxedUint::from_words(
                (0..nl as u64)
                    .map(|j| (j + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15 ^ i as u64) as Word),
            )
            .rem_vartime(rsa_key.n());
            let c = words_of(&c_big, nl).unwrap();
            let c_bytes = monty::words_to_be(&c, k);
            // Blinded, through the public entry point (takes and advances the key's pair).
            let before = {
                let mut p = vec![0; 2 * nl];
                crt.blinding.load(&mut p);
                p
            };
            let got = crt.decrypt(&c_bytes, k, ALL, &mut rng).unwrap();
            let after = {
                let mut p = vec![0; 2 * nl];
                crt.blinding.load(&mut p);
                p
            };
            assert_ne!(before, after, "operation {i}: the pair changed");
            assert!(
                !seen.contains(&after),
                "operation {i}: never a pair seen before"
            );
            seen.push(after.clone());
            // The stored pair is consistent: rᵉ·(r⁻¹)ᵉ = 1.
            let (r_e, r_inv) = after.split_at(nl);
            let mut x = vec![0; nl];
            let mut y = vec![0; nl];
            crt.n.pow_public(&mut x, r_inv, crt.e);
            crt.n.mul(&mut y, &x, r_e);
            let mut plain = vec![0; nl];
            crt.n.retrieve(&mut plain, &y);
            let mut one = vec![0; nl];
            one[0] = 1;
            assert_eq!(plain, one, "operation {i}: rᵉ and r⁻¹ belong together");
            // Unblinded (r = 1), with and without the optional layers, and rsa's own result.
            let r_one = crt.n.words().len();
            let mut unit = vec![0; r_one];
            crt.n.to_monty(&mut unit, &one);
            for hardening in [
                ALL,
                RsaHardening::default(),
                RsaHardening {
                    exponent_blinding: false,
                    fault_check: false,
                },
            ] {
                let m = crt.blinded(&c, &unit, &unit, hardening, &mut rng).unwrap();
                assert_eq!(monty::words_to_be(&m, k), got.as_slice(), "operation {i}");
            }
            let want = ::rsa::hazmat::rsa_decrypt::<Counter>(
                None,
                &rsa_key,
                &c_big.resize_unchecked(rsa_key.n_bits_precision()),
            )
            .unwrap();
            assert_eq!(
                got.as_slice(),
                monty::words_to_be(want.as_words(), k),
                "operation {i}"
            );
        }
        // REFRESH uses of the first r, then a fresh one: uses counts from 1 again.
        assert_eq!(crt.blinding.uses.load(Ordering::Relaxed), 3);
    }

    /// A held lock makes an operation draw its own pair (and leaves the key's alone).
    #[test]
    fn busy_pair_is_not_shared() {
        let rsa_key = key();
        let crt = CrtKey::new(&rsa_key).unwrap();
        let k = rsa_key.size();
        let mut rng = Counter(9);
        let c = [0x11u8; 256];
        let first = crt.decrypt(&c, k, ALL, &mut rng).unwrap();
        let mut stored = vec![0; 2 * crt.n_len()];
        crt.blinding.load(&mut stored);
        assert!(crt.blinding.try_lock());
        let second = crt.decrypt(&c, k, ALL, &mut rng).unwrap();
        let mut still = vec![0; 2 * crt.n_len()];
        crt.blinding.load(&mut still);
        crt.blinding.unlock();
        assert_eq!(first, second);
        assert_eq!(stored, still);
    }

    /// Two threads decrypting with one key at once: every result is right, no pair is used twice
    /// (each fresh pair and each square is used once), and the lock is rarely found held (printed:
    /// `cargo test --release --lib shared_between_threads -- --nocapture`).
    #[test]
    fn shared_between_threads() {
        let rsa_key = key();
        let crt = CrtKey::new(&rsa_key).unwrap();
        let k = rsa_key.size();
        let per_thread = if cfg!(debug_assertions) { 20 } else { 1000 };
        let c: Vec<u8> = (0..k)
            .map(|i| i.to_le_bytes()[0] ^ 0x5A)
            .map(|b| b & 0x7F)
            .collect();
        let want = crt
            .decrypt(&c, k, RsaHardening::default(), &mut Counter(1))
            .unwrap();
        std::thread::scope(|s| {
            for t in 0..2 {
                let (crt, c, want) = (&crt, &c, &want);
                s.spawn(move || {
                    let mut rng = Counter(100 + t);
                    for _ in 0..per_thread {
                        let m = crt
                            .decrypt(c, k, RsaHardening::default(), &mut rng)
                            .unwrap();
                        assert_eq!(&m, want);
                    }
                });
            }
        });
        std::eprintln!(
            "2 threads x {per_thread} RSA-2048 decryptions with one key: the lock was held {} times",
            crt.blinding.busy.load(Ordering::Relaxed)
        );
    }

    #[test]
    fn ciphertext_not_below_n_is_refused() {
        let rsa_key = key();
        let crt = CrtKey::new(&rsa_key).unwrap();
        let n = rsa_key.n().to_be_bytes();
        let mut rng = Counter(1);
        assert_eq!(
            crt.decrypt(&n[n.len() - 256..], 256, ALL, &mut rng),
            Err(Error::Decryption)
        );
        assert_eq!(
            crt.decrypt(&[0xFF; 256], 256, ALL, &mut rng),
            Err(Error::Decryption)
        );
    }
}
