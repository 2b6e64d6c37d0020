//! Cipher feedback with segments smaller than the block (NIST SP 800-38A §6.3), over any block cipher.
//!
//! The RustCrypto crates cover full-block CFB (`cfb-mode`) and 8-bit CFB (`cfb8`). This one routine
//! covers what they do not: 1-bit segments (`CFB1`, TDES and AES) and 64-bit segments on AES (`CFB64`).
//! Each segment costs one block encryption: `O = E(R)`, output = input XOR the leftmost `s` bits of `O`,
//! and the register `R` shifts left by `s` bits taking in the ciphertext segment.

use cipher::{Block, BlockCipherEncrypt};
use zeroize::Zeroize;

use super::Direction;

/// The segment size `s`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    /// One bit (`CFB1`); bits are taken most significant first within each byte.
    Bit,
    /// A whole number of bytes, less than the block size.
    Bytes(usize),
}

/// Encrypt (or decrypt) `buf` in place. `iv` is the initial register, one block.
pub(crate) fn apply<C: BlockCipherEncrypt>(
    cipher: &C,
    iv: Block<C>,
    segment: Segment,
    buf: &mut [u8],
    direction: Direction,
) {
    // The ciphertext segment feeds back: the input when decrypting, the output when encrypting.
    // `direction` is public, so selecting on it leaks nothing.
    let decrypt = direction == Direction::Decrypt;
    let mut register = iv;
    let mut output = Block::<C>::default();
    match segment {
        Segment::Bytes(s) => {
            let block = register.len();
            for chunk in buf.chunks_mut(s) {
                output.copy_from_slice(&register);
                cipher.encrypt_block(&mut output);
                register.copy_within(s.., 0);
                let feedback = &mut register[block - s..];
                for ((byte, fb), o) in chunk.iter_mut().zip(feedback.iter_mut()).zip(output.iter())
                {
                    let input = *byte;
                    *byte ^= o;
                    *fb = if decrypt { input } else { *byte };
                }
            }
        }
        Segment::Bit => {
            for byte in buf.iter_mut() {
                let mut result = 0u8;
                for shift in (0..8).rev() {
                    output.copy_from_slice(&register);
                    cipher.encrypt_block(&mut output);
                    let input = (*byte >> shift) & 1;
                    let out = input ^ (output[0] >> 7);
                    let feedback = if decrypt { input } else { out };
                    shift_left_one_bit(&mut register, feedback);
                    result |= out << shift;
                }
                *byte = result;
            }
        }
    }
    register.zeroize();
    output.zeroize();
}

/// `register = (register << 1) | bit` over the whole block, without branching on the bits.
fn shift_left_one_bit(register: &mut [u8], bit: u8) {
    let mut carry = bit & 1;
    for b in register.iter_mut().rev() {
        let next = *b >> 7;
        *b = (*b << 1) | carry;
        carry = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cipher::KeyInit;

    /// SP 800-38A F.3.1 CFB1-AES128, the first 16 bits.
    #[test]
    fn sp800_38a_cfb1_prefix() {
        let key = [
            0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf,
            0x4f, 0x3c,
        ];
        let iv: [u8; 16] = core::array::from_fn(|i| u8::try_from(i).unwrap());
        let aes = aes::Aes128::new(&key.into());
        // plaintext bits 0110 1011 1100 0001, ciphertext bits 0110 1000 1011 0011
        let mut buf = [0x6b, 0xc1];
        apply(&aes, iv.into(), Segment::Bit, &mut buf, Direction::Encrypt);
        assert_eq!(buf, [0x68, 0xb3]);
        apply(&aes, iv.into(), Segment::Bit, &mut buf, Direction::Decrypt);
        assert_eq!(buf, [0x6b, 0xc1]);
    }

    #[test]
    fn shift() {
        let mut r = [0x80, 0x01];
        shift_left_one_bit(&mut r, 1);
        assert_eq!(r, [0x00, 0x03]);
    }
}
