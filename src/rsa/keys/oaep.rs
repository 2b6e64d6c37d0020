//! RSAES-OAEP decryption (RFC 8017 §7.1.2), empty label, MGF1 with the same hash.
//!
//! The private operation is the key's (blinded, see `private.rs`); the decoding is ours because `rsa`
//! 0.10 deliberately ignores the leading octet `Y` of the encoded message, while RFC 8017 step 3.g
//! requires `Y = 0` (Wycheproof marks "First byte is 1" invalid), and the encoding (§7.1.1) because
//! `rsa` keeps it crate-private behind its own public operation. `Y`, the label
//! hash and the padding string are folded into one secret [`Choice`] without branching or indexing on
//! secret data; the only branch is the final one that reports [`Error::Decryption`]. A valid message's
//! length becomes public, as it is the length of the output.

use alloc::vec::Vec;

use sha2::Digest;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

use super::TryCryptoRng;
use crate::error::Error;

/// EME-OAEP encoding (RFC 8017 §7.1.1 step 2) of `message` into `k` bytes, the seed drawn from `rng`
/// in one request of `hLen` bytes. The caller checks the length (`k − 2·hLen − 2` at most).
pub(super) fn encode<D: Digest, R: TryCryptoRng + ?Sized>(
    message: &[u8],
    k: usize,
    rng: &mut R,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let h_len = <D as Digest>::output_size();
    let db_len = k.checked_sub(h_len + 1).ok_or(Error::Decryption)?;
    let separator = db_len
        .checked_sub(message.len() + 1)
        .filter(|&s| s >= h_len)
        .ok_or(Error::Decryption)?;
    let mut em = Zeroizing::new(alloc::vec![0u8; k]);
    let (seed, db) = em[1..].split_at_mut(h_len);
    rng.try_fill_bytes(seed).map_err(|_| Error::Rng)?;
    db[..h_len].copy_from_slice(D::digest([]).as_slice());
    db[separator] = 1;
    db[separator + 1..].copy_from_slice(message);
    mgf1_xor::<D>(db, seed); // maskedDB = DB xor MGF(seed, k - hLen - 1)
    mgf1_xor::<D>(seed, db); // maskedSeed = seed xor MGF(maskedDB, hLen)
    Ok(em)
}

/// EME-OAEP decoding of `em` (k bytes), in place; returns the message.
pub(super) fn decode<D: Digest>(em: &mut [u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let h_len = <D as Digest>::output_size();
    // Public: depends on the key size and the hash only.
    if em.len() < 2 * h_len + 2 {
        return Err(Error::Decryption);
    }
    let (y, rest) = em.split_at_mut(1);
    let (seed, db) = rest.split_at_mut(h_len);
    mgf1_xor::<D>(seed, db); // seed = maskedSeed xor MGF(maskedDB, hLen)
    mgf1_xor::<D>(db, seed); // DB = maskedDB xor MGF(seed, k - hLen - 1)

    let l_hash = D::digest([]);
    let (l_hash_found, ps_and_message) = db.split_at(h_len);
    let mut valid = y[0].ct_eq(&0) & l_hash_found.ct_eq(l_hash.as_slice());

    // DB = lHash || PS (zero bytes) || 0x01 || M: find the first non-zero byte, which must be 0x01.
    let mut found = Choice::from(0);
    let mut other_before = Choice::from(0);
    let mut separator = 0u32;
    for (i, byte) in (0u32..).zip(ps_and_message.iter()) {
        let is_one = byte.ct_eq(&1);
        let is_zero = byte.ct_eq(&0);
        separator.conditional_assign(&i, !found & is_one);
        other_before |= !found & !is_zero & !is_one;
        found |= is_one;
    }
    valid &= found & !other_before;
    let message_start = 1 + 2 * h_len + separator as usize + 1;

    if !bool::from(valid) {
        return Err(Error::Decryption);
    }
    let message = em.get(message_start..).ok_or(Error::Decryption)?;
    Ok(Zeroizing::new(message.to_vec()))
}

/// `out ^= MGF1-D(seed, out.len())`; the mask blocks are wiped after use.
fn mgf1_xor<D: Digest>(out: &mut [u8], seed: &[u8]) {
    let mut block = sha2::digest::Output::<D>::default();
    for (counter, chunk) in (0u32..).zip(out.chunks_mut(<D as Digest>::output_size())) {
        let mut hash = D::new();
        hash.update(seed);
        hash.update(counter.to_be_bytes());
        hash.finalize_into(&mut block);
        for (o, m) in chunk.iter_mut().zip(block.iter()) {
            *o ^= m;
        }
    }
    block.as_mut_slice().zeroize();
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha1::Sha1;

    /// Build EM for `message` with `seed` (RFC 8017 §7.1.1 step 2), k bytes.
    fn encode(message: &[u8], seed: &[u8; 20], k: usize) -> Vec<u8> {
        let h = 20;
        let mut db = alloc::vec![0u8; k - h - 1];
        db[..h].copy_from_slice(&Sha1::digest([]));
        let sep = db.len() - message.len() - 1;
        db[sep] = 1;
        db[sep + 1..].copy_from_slice(message);
        let mut s = seed.to_vec();
        mgf1_xor::<Sha1>(&mut db, &s);
        mgf1_xor::<Sha1>(&mut s, &db);
        let mut em = alloc::vec![0u8];
        em.extend_from_slice(&s);
        em.extend_from_slice(&db);
        em
    }

    #[test]
    fn decodes_and_rejects() {
        let k = 128;
        for len in [0, 1, 20, k - 42] {
            let message = alloc::vec![0xA5; len];
            let em = encode(&message, &[7; 20], k);
            assert_eq!(decode::<Sha1>(&mut em.clone()).unwrap().as_slice(), message);
            for bit in [0, 7, 8 * 21 - 1, 8 * 21, 8 * k - 1] {
                let mut bad = em.clone();
                bad[bit / 8] ^= 0x80 >> (bit % 8);
                assert_eq!(
                    decode::<Sha1>(&mut bad),
                    Err(Error::Decryption),
                    "bit {bit}"
                );
            }
        }
        assert_eq!(
            decode::<Sha1>(&mut [0u8; 41]),
            Err(Error::Decryption),
            "shorter than 2·hLen + 2"
        );
    }
}
