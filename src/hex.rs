//! Hexadecimal in and out, constant time.
//!
//! Key material, plaintexts and ciphertexts pass through here, so decoding and encoding use
//! [`base16ct`], whose running time does not depend on the digits' values. Input is accepted in either
//! case; output is always upper case, as AWS returns it.

use crate::error::{Error, Problem, Result};

/// Decode hex (either case) into the front of `out`; returns that decoded prefix, mutable for in-place
/// work on the bytes. The time taken depends only on the length of the input.
///
/// # Errors
///
/// [`Problem::Hex`] for an odd length or a non-hex character (nothing half-decoded is left in `out`);
/// [`Error::BufferTooSmall`] for input longer than `out` holds.
pub fn decode<'a>(hex: &str, out: &'a mut [u8]) -> Result<&'a mut [u8]> {
    let bytes = hex.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return Err(Error::invalid(Problem::Hex));
    }
    let n = bytes.len() / 2;
    if n > out.len() {
        return Err(Error::BufferTooSmall { needed: n });
    }
    let dst = &mut out[..n];
    match base16ct::mixed::decode(bytes, dst) {
        Ok(_) => Ok(dst),
        Err(_) => {
            // Do not leave half-decoded secret digits behind.
            dst.fill(0);
            Err(Error::invalid(Problem::Hex))
        }
    }
}

/// Encode `bytes` as upper-case hex into `out`.
///
/// # Errors
///
/// [`Error::BufferTooSmall`] unless `out` holds `2 * bytes.len()` bytes.
pub fn encode_upper<'a>(bytes: &[u8], out: &'a mut [u8]) -> Result<&'a str> {
    base16ct::upper::encode_str(bytes, out).map_err(|_| Error::BufferTooSmall {
        needed: bytes.len() * 2,
    })
}

/// Encode `bytes` as an upper-case hex string of exactly `2 * bytes.len()` bytes' capacity
/// (`base16ct::upper::encode_string`).
#[cfg(feature = "alloc")]
#[must_use]
pub fn encode_upper_string(bytes: &[u8]) -> alloc::string::String {
    base16ct::upper::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_case() {
        let mut buf = [0u8; 4];
        assert_eq!(decode("0aBc", &mut buf).unwrap(), &mut [0x0a, 0xbc]);
        let mut out = [0u8; 4];
        assert_eq!(encode_upper(&[0x0a, 0xbc], &mut out).unwrap(), "0ABC");
    }

    #[test]
    fn rejects_bad_input() {
        let mut buf = [0u8; 4];
        assert_eq!(decode("abc", &mut buf), Err(Error::invalid(Problem::Hex)));
        assert_eq!(decode("zz", &mut buf), Err(Error::invalid(Problem::Hex)));
        assert_eq!(decode("0x00", &mut buf), Err(Error::invalid(Problem::Hex)));
        assert_eq!(
            decode("0000000000", &mut buf),
            Err(Error::BufferTooSmall { needed: 5 })
        );
        let mut out = [0u8; 3];
        assert!(encode_upper(&[1, 2], &mut out).is_err());
    }

    #[test]
    fn failed_decode_leaves_no_digits() {
        let mut buf = [0u8; 4];
        assert!(decode("1122334g", &mut buf).is_err());
        assert_eq!(buf, [0; 4]);
    }
}
