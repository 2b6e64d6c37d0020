//! RSAES-PKCS1-v1_5 (RFC 8017 §7.2): the encryption padding, and decryption with **implicit
//! rejection** (draft-irtf-cfrg-rsa-guidance-10 §7, the behaviour of `rsa` 0.10 and OpenSSL ≥ 3.2,
//! byte for byte).
//!
//! Ours rather than `rsa`'s because `rsa` 0.10 keeps both halves crate-private behind its own private
//! operation, and ours is faster (see `private.rs`). Decryption never fails on bad padding: a message
//! derived from the key and the ciphertext (HMAC-SHA-256 under `SHA-256(I2OSP(d, k))`, computed once
//! at import) replaces it. The padding check, the separator search, the choice of the alternative
//! length and the selection between the two messages are computed without branching or indexing on
//! secret data; the length of the message returned is public (it is the output's length).

use alloc::vec;
use alloc::vec::Vec;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, ConstantTimeGreater};
use zeroize::Zeroizing;

use super::TryCryptoRng;
use crate::error::Error;

/// EME-PKCS1-v1_5 decoding with implicit rejection of `em` (the `k`-byte RSADP output of
/// `ciphertext`, which is also `k` bytes), `d_hash` = `SHA-256(I2OSP(d, k))`.
pub(super) fn decode(
    em: &mut [u8],
    ciphertext: &[u8],
    d_hash: &[u8; 32],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let k = em.len();
    // Public: the key's size. The candidate lengths are 16-bit and the PRF's bit length too.
    if k < 11 || ciphertext.len() != k || k > 8191 {
        return Err(Error::Decryption);
    }
    // Step 3.1: KDK = HMAC-SHA-256(DH, C).
    let mut mac = Hmac::<Sha256>::new_from_slice(d_hash).map_err(|_| Error::Decryption)?;
    mac.update(ciphertext);
    let kdk = Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
    // Step 3.2: the candidate lengths CL and the alternative message AM.
    let cl = prf(&kdk, b"length", 256)?;
    let am = prf(&kdk, b"message", k)?;
    // Step 3.3: AL, the last candidate (masked to the bit length of k − 11) not above k − 11, or 0.
    let max = u16::try_from(k - 11).map_err(|_| Error::Decryption)?;
    let mut mask = max;
    for shift in [1, 2, 4, 8] {
        mask |= mask >> shift;
    }
    let mut al = 0u16;
    for pair in cl.chunks_exact(2) {
        let candidate = u16::from_be_bytes([pair[0], pair[1]]) & mask;
        al.conditional_assign(&candidate, !candidate.ct_gt(&max));
    }
    // Step 4: EM = 0x00 ‖ 0x02 ‖ PS (≥ 8 non-zero bytes) ‖ 0x00 ‖ M.
    let mut bad = !em[0].ct_eq(&0) | !em[1].ct_eq(&2);
    let mut searching = Choice::from(1);
    let mut separator = 0u32;
    for (i, byte) in (0u32..).zip(em.iter()).skip(2) {
        let zero = byte.ct_eq(&0);
        separator.conditional_assign(&i, searching & zero);
        searching &= !zero;
    }
    bad |= searching | !separator.ct_gt(&9);
    let k32 = u32::try_from(k).map_err(|_| Error::Decryption)?;
    let l = u32::conditional_select(
        &(k32.wrapping_sub(separator).wrapping_sub(1)),
        &0,
        searching,
    );
    // Step 5: the message, or the alternative, selected over the whole buffer before the length is
    // used.
    let length = u32::conditional_select(&l, &u32::from(al), bad);
    for (e, a) in em.iter_mut().zip(am.iter()) {
        e.conditional_assign(a, bad);
    }
    let start = k.saturating_sub(length as usize);
    Ok(Zeroizing::new(em.get(start..).unwrap_or(&[]).to_vec()))
}

/// The IRPRF of §7.1: HMAC-SHA-256(KDK, I2OSP(i, 2) ‖ label ‖ I2OSP(bits, 2)) blocks, `length` bytes.
fn prf(kdk: &[u8; 32], label: &[u8], length: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bits = u16::try_from(length * 8).map_err(|_| Error::Decryption)?;
    let mut out = Zeroizing::new(vec![0u8; length]);
    for (i, chunk) in (0u16..).zip(out.chunks_mut(32)) {
        let mut mac = Hmac::<Sha256>::new_from_slice(kdk).map_err(|_| Error::Decryption)?;
        mac.update(&i.to_be_bytes());
        mac.update(label);
        mac.update(&bits.to_be_bytes());
        let block = Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
    Ok(out)
}

/// EME-PKCS1-v1_5 encoding of `message` into `k` bytes: `0x00 ‖ 0x02 ‖ PS ‖ 0x00 ‖ M`, PS non-zero
/// random bytes drawn from `rng` in one request, each zero byte then redrawn alone (the order in which
/// `rsa` 0.10 asks, so that published seeded vectors reproduce). The caller checks the length.
pub(super) fn encode<R: TryCryptoRng + ?Sized>(
    message: &[u8],
    k: usize,
    rng: &mut R,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let ps_end = k
        .checked_sub(message.len() + 1)
        .filter(|&end| end >= 10)
        .ok_or(Error::Decryption)?;
    let mut em = Zeroizing::new(vec![0u8; k]);
    em[1] = 2;
    let ps = &mut em[2..ps_end];
    rng.try_fill_bytes(ps).map_err(|_| Error::Rng)?;
    // Branches on random padding bytes (not on the message or a key), as `rsa` does.
    for byte in ps.iter_mut() {
        while *byte == 0 {
            rng.try_fill_bytes(core::slice::from_mut(byte))
                .map_err(|_| Error::Rng)?;
        }
    }
    em[ps_end + 1..].copy_from_slice(message);
    Ok(em)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_plain(em: &[u8]) -> Option<Vec<u8>> {
        // Reference: the first zero after the header, at index ≥ 10.
        if em[0] != 0 || em[1] != 2 {
            return None;
        }
        let sep = em.iter().skip(2).position(|&b| b == 0)? + 2;
        (sep >= 10).then(|| em[sep + 1..].to_vec())
    }

    #[test]
    fn valid_padding_returns_the_message_and_invalid_the_same_alternative() {
        let k = 64;
        let d_hash = [3u8; 32];
        let ct = [9u8; 64];
        let mut alternative = None;
        for sep in 2..k {
            for header in [[0u8, 2], [0, 1], [1, 2]] {
                let mut em = vec![0x42u8; k];
                em[..2].copy_from_slice(&header);
                em[sep] = 0;
                let got = decode(&mut em.clone(), &ct, &d_hash).unwrap();
                match decode_plain(&em) {
                    Some(m) => assert_eq!(got.as_slice(), m, "sep {sep}"),
                    None => {
                        // The alternative depends on the key and the ciphertext only.
                        let a = alternative.get_or_insert_with(|| got.to_vec());
                        assert_eq!(got.as_slice(), a.as_slice(), "sep {sep} {header:?}");
                        assert!(a.len() <= k - 11);
                    }
                }
            }
        }
        assert_eq!(
            decode(&mut [0; 10], &[0; 10], &d_hash),
            Err(Error::Decryption)
        );
    }
}
