//! TDES and AES in every mode of AWS Payment Cryptography, in place on the caller's buffer.
//!
//! | mode | TDES | AES | implementation |
//! |---|---|---|---|
//! | `ECB` | yes | yes | `ecb` |
//! | `CBC` | yes | yes | `cbc` |
//! | `CFB` (full block) | = `CFB64` | = `CFB128` | `cfb-mode` |
//! | `CFB1` | yes | yes | segment CFB (`segment_cfb`), 1-bit segments |
//! | `CFB8` | yes | yes | `cfb8` |
//! | `CFB64` | full block (`cfb-mode`) | 64-bit segments (segment CFB (`segment_cfb`)) | |
//! | `CFB128` | **invalid** | full block (`cfb-mode`) | |
//! | `OFB` | yes | yes | `ofb` |
//!
//! No padding is ever added or removed: the data length must be a non-zero multiple of the block size
//! (8 bytes TDES, 16 AES) in every mode, and the output has the input's length. An absent IV means all
//! zero bytes; an IV given with ECB is an error.

mod segment_cfb;

use core::fmt;

use cipher::{
    Block, BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, StreamCipher, array::Array,
    common::InnerInit,
};

use crate::algorithm::{Mode, SymmetricAlgorithm};
use crate::error::{Error, Problem, Result};
use crate::key::{CipherFn, KeyCipher, SymmetricKey};

/// An initialization vector: 8 bytes (TDES block) or 16 bytes (AES block).
///
/// Built from bytes or hex at the edge; whether its length fits the key is checked when it is used.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Iv {
    bytes: [u8; 16],
    len: u8,
}

impl Iv {
    /// An IV of 8 or 16 bytes.
    ///
    /// # Errors
    ///
    /// [`Problem::IvLength`] for any other length.
    pub fn new(bytes: &[u8]) -> Result<Self> {
        let len: u8 = match bytes.len() {
            8 => 8,
            16 => 16,
            n => {
                return Err(Error::invalid(Problem::IvLength {
                    expected: if n < 12 { 8 } else { 16 },
                    actual: n,
                }));
            }
        };
        let mut iv = Iv {
            bytes: [0; 16],
            len,
        };
        iv.bytes[..bytes.len()].copy_from_slice(bytes);
        Ok(iv)
    }

    /// An IV of 16 or 32 hex digits, either case.
    ///
    /// # Errors
    ///
    /// [`Problem::Hex`] for text that is not hex, [`Problem::IvLength`] for any other length.
    pub fn from_hex(hex: &str) -> Result<Self> {
        let mut buf = [0u8; 16];
        let bytes = crate::hex::decode(hex, &mut buf).map_err(|e| match e {
            Error::BufferTooSmall { needed } => Error::invalid(Problem::IvLength {
                expected: 16,
                actual: needed,
            }),
            other => other,
        })?;
        Self::new(bytes)
    }

    /// The all-zero IV of an algorithm's block (what an absent IV means).
    #[must_use]
    pub const fn zero(algorithm: SymmetricAlgorithm) -> Self {
        Iv {
            bytes: [0; 16],
            len: if algorithm.is_tdes() { 8 } else { 16 },
        }
    }

    /// The IV's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl fmt::Debug for Iv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; 32];
        let hex = crate::hex::encode_upper(self.as_bytes(), &mut out).map_err(|_| fmt::Error)?;
        write!(f, "Iv({hex})")
    }
}

/// Which way a mode runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Plaintext to ciphertext.
    Encrypt,
    /// Ciphertext to plaintext.
    Decrypt,
}

/// Encrypt or decrypt `buf` in place under `key` in `mode`.
///
/// `iv` is the initial vector (absent: all zero). Nothing is written to `buf` when an error is
/// returned.
///
/// # Errors
///
/// [`Problem::ModeNotSupported`] for `CFB128` with a TDES key; [`Problem::IvWithEcb`] for an IV with
/// ECB; [`Problem::IvLength`] for an IV that is not the key's block size; [`Problem::DataLength`]
/// unless `buf` is a non-zero multiple of the block size.
pub fn apply(
    key: &SymmetricKey,
    mode: Mode,
    iv: Option<&Iv>,
    buf: &mut [u8],
    direction: Direction,
) -> Result<()> {
    let iv = check(key.algorithm(), mode, iv, buf.len())?;
    key.with_cipher(Apply {
        mode,
        iv: &iv,
        buf,
        direction,
    });
    Ok(())
}

/// [`apply`] with [`Direction::Encrypt`].
///
/// # Errors
///
/// As [`apply`].
pub fn encrypt(key: &SymmetricKey, mode: Mode, iv: Option<&Iv>, buf: &mut [u8]) -> Result<()> {
    apply(key, mode, iv, buf, Direction::Encrypt)
}

/// [`apply`] with [`Direction::Decrypt`].
///
/// # Errors
///
/// As [`apply`].
pub fn decrypt(key: &SymmetricKey, mode: Mode, iv: Option<&Iv>, buf: &mut [u8]) -> Result<()> {
    apply(key, mode, iv, buf, Direction::Decrypt)
}

/// Check mode, IV and length for `algorithm`; returns the IV to use (zero if absent).
pub(crate) fn check(
    algorithm: SymmetricAlgorithm,
    mode: Mode,
    iv: Option<&Iv>,
    data_len: usize,
) -> Result<Iv> {
    if !mode.is_valid_for(algorithm) {
        return Err(Error::invalid(Problem::ModeNotSupported {
            mode,
            algorithm,
        }));
    }
    let block_size = algorithm.block_size();
    let iv = match (mode.uses_iv(), iv) {
        (false, Some(_)) => return Err(Error::invalid(Problem::IvWithEcb)),
        (_, None) => Iv::zero(algorithm),
        (true, Some(iv)) if iv.as_bytes().len() == block_size => *iv,
        (true, Some(iv)) => {
            return Err(Error::invalid(Problem::IvLength {
                expected: block_size,
                actual: iv.as_bytes().len(),
            }));
        }
    };
    check_data_len(algorithm, data_len)?;
    Ok(iv)
}

/// Check that a data length is a non-zero multiple of the algorithm's block size.
pub(crate) fn check_data_len(algorithm: SymmetricAlgorithm, data_len: usize) -> Result<()> {
    let block_size = algorithm.block_size();
    if data_len == 0 || !data_len.is_multiple_of(block_size) {
        return Err(Error::invalid(Problem::DataLength {
            block_size,
            actual: data_len,
        }));
    }
    Ok(())
}

/// One checked mode operation, run with the key's concrete cipher.
struct Apply<'a> {
    mode: Mode,
    iv: &'a Iv,
    buf: &'a mut [u8],
    direction: Direction,
}

impl CipherFn for Apply<'_> {
    type Output = ();

    fn call<C: KeyCipher>(self, cipher: &C) {
        let Apply {
            mode,
            iv,
            buf,
            direction,
        } = self;
        let decrypt = direction == Direction::Decrypt;
        let block_bits = C::block_size() * 8;
        // `check` made the IV the block size, so this conversion cannot fail.
        let iv: Block<C> = Array::try_from(iv.as_bytes()).unwrap_or_default();
        let (blocks, _) = Array::slice_as_chunks_mut(buf);
        match mode {
            Mode::Ecb if decrypt => ecb::Decryptor::<&C>::inner_init(cipher).decrypt_blocks(blocks),
            Mode::Ecb => ecb::Encryptor::<&C>::inner_init(cipher).encrypt_blocks(blocks),
            Mode::Cbc if decrypt && C::block_size() == 8 => {
                chained_decrypt(cipher, &iv, blocks, Chaining::Cbc);
            }
            Mode::Cbc if decrypt => {
                cbc::Decryptor::<&C>::inner_iv_init(cipher, &iv).decrypt_blocks(blocks)
            }
            Mode::Cbc => cbc::Encryptor::<&C>::inner_iv_init(cipher, &iv).encrypt_blocks(blocks),
            Mode::Cfb8 if decrypt => cfb8::Decryptor::<&C>::inner_iv_init(cipher, &iv).decrypt(buf),
            Mode::Cfb8 => cfb8::Encryptor::<&C>::inner_iv_init(cipher, &iv).encrypt(buf),
            Mode::Ofb => {
                ofb::Ofb::<&C>::from_core(ofb::OfbCore::inner_iv_init(cipher, &iv))
                    .apply_keystream(buf);
            }
            Mode::Cfb | Mode::Cfb1 | Mode::Cfb64 | Mode::Cfb128 => {
                let segment_bits = match mode {
                    Mode::Cfb1 => 1,
                    Mode::Cfb64 => 64,
                    Mode::Cfb128 => 128,
                    _ => block_bits,
                };
                if segment_bits == block_bits && decrypt && C::block_size() == 8 {
                    let (blocks, rest) = Array::slice_as_chunks_mut(buf);
                    if rest.is_empty() {
                        chained_decrypt(cipher, &iv, blocks, Chaining::Cfb);
                    } else {
                        cfb_mode::Decryptor::<&C>::inner_iv_init(cipher, &iv).decrypt(buf)
                    }
                } else if segment_bits == block_bits {
                    if decrypt {
                        cfb_mode::Decryptor::<&C>::inner_iv_init(cipher, &iv).decrypt(buf)
                    } else {
                        cfb_mode::Encryptor::<&C>::inner_iv_init(cipher, &iv).encrypt(buf)
                    }
                } else {
                    let segment = if segment_bits == 1 {
                        segment_cfb::Segment::Bit
                    } else {
                        segment_cfb::Segment::Bytes(segment_bits / 8)
                    };
                    segment_cfb::apply(cipher, iv, segment, buf, direction);
                }
            }
        }
    }
}

/// Which chaining [`chained_decrypt`] undoes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chaining {
    /// `P_i = D(C_i) ⊕ C_{i-1}`.
    Cbc,
    /// Full-block CFB: `P_i = E(C_{i-1}) ⊕ C_i`.
    Cfb,
}

/// Blocks per call of [`chained_decrypt`]: the TDES types' `ParBlocksSize`.
const CHAIN_CHUNK: usize = 512;

/// CBC or full-block CFB decryption for 64-bit-block ciphers (TDES), with every block cipher call of a
/// chunk made at once. Both decryptions are parallel, but the `cbc` and `cfb-mode` crates hand the
/// cipher one block at a time below its `ParBlocksSize` (512 for TDES, the width of a full bitsliced
/// pass), which would run a 2 KiB message on the one-block core; the cipher's own multi-block call
/// (`decrypt_blocks`, `encrypt_blocks`) takes any count to the bitsliced core from
/// `tdes::BITSLICED_TAIL` blocks on. The ciphertext of a chunk is copied aside (it is not secret; the
/// CFB keystream is, and is wiped). Uses 8 KiB of stack.
fn chained_decrypt<C: KeyCipher>(
    cipher: &C,
    iv: &Block<C>,
    blocks: &mut [Block<C>],
    chaining: Chaining,
) {
    let mut saved: [Block<C>; CHAIN_CHUNK] = core::array::from_fn(|_| Block::<C>::default());
    let mut keystream: [Block<C>; CHAIN_CHUNK] = core::array::from_fn(|_| Block::<C>::default());
    let mut previous = iv.clone();
    let mut used = 0;
    for chunk in blocks.chunks_mut(CHAIN_CHUNK) {
        let n = chunk.len();
        used = used.max(n);
        saved[..n].clone_from_slice(chunk);
        if chaining == Chaining::Cbc {
            cipher.decrypt_blocks(chunk);
            for (i, block) in chunk.iter_mut().enumerate() {
                let mask = if i == 0 { &previous } else { &saved[i - 1] };
                xor_into(block, mask);
            }
        } else {
            keystream[0] = previous.clone();
            keystream[1..n].clone_from_slice(&saved[..n - 1]);
            cipher.encrypt_blocks(&mut keystream[..n]);
            for (block, k) in chunk.iter_mut().zip(&keystream[..n]) {
                xor_into(block, k);
            }
        }
        previous = saved[n - 1].clone();
    }
    if chaining == Chaining::Cfb {
        for block in &mut keystream[..used] {
            zeroize::Zeroize::zeroize(block.as_mut_slice());
        }
    }
}

/// `block ^= mask`.
fn xor_into(block: &mut [u8], mask: &[u8]) {
    for (b, m) in block.iter_mut().zip(mask) {
        *b ^= m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(alg: SymmetricAlgorithm) -> SymmetricKey {
        SymmetricKey::new(alg, &[0x5a; 32][..alg.key_len()]).unwrap()
    }

    /// TDES CBC and full-block CFB decryption (chunked, every block call of a chunk at once) against the
    /// `des` crate through the `cbc` and `cfb-mode` crates, at lengths around the bitsliced core's
    /// thresholds (10 blocks, 128/256/512-lane passes, the 512-block chunk).
    #[test]
    fn tdes_chained_decryption_matches_the_mode_crates() {
        use alloc::vec::Vec;
        use cipher::{BlockModeDecrypt, KeyIvInit};
        let key24: Vec<u8> = (0u8..24).map(|i| i.wrapping_mul(37) ^ 0xA5).collect();
        let k3 = SymmetricKey::new(SymmetricAlgorithm::Tdes3Key, &key24).unwrap();
        let k2 = SymmetricKey::new(SymmetricAlgorithm::Tdes2Key, &key24[..16]).unwrap();
        let mut key2as3 = key24[..16].to_vec();
        key2as3.extend_from_slice(&key24[..8]);
        let iv_bytes = [0x3Cu8, 0x11, 0x92, 0x07, 0xEE, 0x5A, 0x60, 0xD4];
        let iv = Iv::new(&iv_bytes).unwrap();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for blocks in [
            1usize, 2, 9, 10, 11, 63, 64, 65, 127, 128, 129, 511, 512, 513, 1030,
        ] {
            let data: Vec<u8> = (0..8 * blocks)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (x >> 56) as u8
                })
                .collect();
            for (k, des_key) in [(&k3, key24.as_slice()), (&k2, key2as3.as_slice())] {
                for mode in [Mode::Cbc, Mode::Cfb] {
                    let mut ours = data.clone();
                    decrypt(k, mode, Some(&iv), &mut ours).unwrap();
                    let mut theirs = data.clone();
                    if mode == Mode::Cbc {
                        let (b, _) = Array::slice_as_chunks_mut(&mut theirs);
                        cbc::Decryptor::<des::TdesEde3>::new_from_slices(des_key, &iv_bytes)
                            .unwrap()
                            .decrypt_blocks(b);
                    } else {
                        cfb_mode::Decryptor::<des::TdesEde3>::new_from_slices(des_key, &iv_bytes)
                            .unwrap()
                            .decrypt(&mut theirs);
                    }
                    assert_eq!(ours, theirs, "{mode:?}, {blocks} blocks");
                    let mut back = ours.clone();
                    encrypt(k, mode, Some(&iv), &mut back).unwrap();
                    assert_eq!(back, data, "{mode:?} round trip, {blocks} blocks");
                }
            }
        }
    }

    #[test]
    fn validity_table() {
        for alg in SymmetricAlgorithm::ALL {
            for mode in Mode::ALL {
                let k = key(alg);
                let mut buf = [7u8; 32];
                let r = encrypt(&k, mode, None, &mut buf);
                if alg.is_tdes() && mode == Mode::Cfb128 {
                    assert_eq!(
                        r,
                        Err(Error::invalid(Problem::ModeNotSupported {
                            mode,
                            algorithm: alg
                        }))
                    );
                    assert_eq!(buf, [7u8; 32], "no output on error");
                } else {
                    r.unwrap();
                    decrypt(&k, mode, None, &mut buf).unwrap();
                    assert_eq!(buf, [7u8; 32], "{alg} {mode}");
                }
            }
        }
    }

    #[test]
    fn iv_rules() {
        let aes = key(SymmetricAlgorithm::Aes128);
        let tdes = key(SymmetricAlgorithm::Tdes2Key);
        let iv8 = Iv::new(&[1; 8]).unwrap();
        let iv16 = Iv::new(&[1; 16]).unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(
            encrypt(&aes, Mode::Ecb, Some(&iv16), &mut buf),
            Err(Error::invalid(Problem::IvWithEcb))
        );
        assert_eq!(
            encrypt(&aes, Mode::Cbc, Some(&iv8), &mut buf),
            Err(Error::invalid(Problem::IvLength {
                expected: 16,
                actual: 8
            }))
        );
        assert_eq!(
            encrypt(&tdes, Mode::Ofb, Some(&iv16), &mut buf),
            Err(Error::invalid(Problem::IvLength {
                expected: 8,
                actual: 16
            }))
        );
        assert!(Iv::new(&[0; 12]).is_err());
        assert!(Iv::from_hex("00").is_err());
        assert!(Iv::from_hex("000102030405060708090A0B0C0D0E0F10").is_err());
        assert_eq!(
            Iv::from_hex("0001020304050607").unwrap().as_bytes().len(),
            8
        );
    }

    #[test]
    fn absent_iv_is_zero() {
        let k = key(SymmetricAlgorithm::Aes256);
        let mut a = [3u8; 48];
        let mut b = [3u8; 48];
        encrypt(&k, Mode::Cbc, None, &mut a).unwrap();
        encrypt(
            &k,
            Mode::Cbc,
            Some(&Iv::zero(SymmetricAlgorithm::Aes256)),
            &mut b,
        )
        .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn lengths() {
        let k = key(SymmetricAlgorithm::Tdes3Key);
        for len in [0usize, 1, 7, 9, 15, 17] {
            let mut buf = [0u8; 17];
            assert_eq!(
                encrypt(&k, Mode::Cbc, None, &mut buf[..len]),
                Err(Error::invalid(Problem::DataLength {
                    block_size: 8,
                    actual: len
                }))
            );
        }
    }

    #[test]
    fn cfb_is_full_block_cfb() {
        for (alg, full) in [
            (SymmetricAlgorithm::Tdes2Key, Mode::Cfb64),
            (SymmetricAlgorithm::Aes192, Mode::Cfb128),
        ] {
            let k = key(alg);
            let mut a = [9u8; 32];
            let mut b = [9u8; 32];
            encrypt(&k, Mode::Cfb, None, &mut a).unwrap();
            encrypt(&k, full, None, &mut b).unwrap();
            assert_eq!(a, b);
        }
    }
}
