//! A whole key block: parse, unwrap, wrap.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::algorithm::{Mode, SymmetricAlgorithm};
use crate::error::{Error, Problem};
use crate::key::SymmetricKey;
use crate::mac::cmac_parts_into;
use crate::symmetric::{self, Iv};

use super::header::{Algorithm, FIXED_HEADER_LEN, Header, Version, read_decimal};
use super::kdf::{DerivedKeys, derive_keys};
use rand_core::TryCryptoRng;

use super::{MAX_BLOCK_LEN, Versions};

fn invalid(problem: Problem) -> Error {
    Error::invalid(problem)
}

/// A parsed key block: its header, and its payload and authenticator as (checked) hex text.
///
/// Parsing looks only at the public structure; nothing is decrypted until [`KeyBlock::unwrap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyBlock<'a> {
    header: Header<'a>,
    header_text: &'a str,
    payload_hex: &'a str,
    mac_hex: &'a str,
}

impl<'a> KeyBlock<'a> {
    /// Parse a key block, accepting the versions `versions` allows.
    ///
    /// Checked, in this order, each failure its own [`Problem`]:
    /// 1. the version ([`Problem::KeyBlockVersion`]);
    /// 2. the length field: four digits equal to the block's length, at least the fixed header
    ///    ([`Problem::KeyBlockLength`]);
    /// 3. every fixed header field ([`Problem::KeyBlockHeader`]);
    /// 4. the optional blocks: IDs, lengths (short and extended form) within the block, printable data
    ///    ([`Problem::KeyBlockOptionalBlock`]);
    /// 5. what follows (payload and authenticator) is hex, either case ([`Problem::KeyBlockHex`]);
    /// 6. it is longer than the authenticator, and the payload is a non-empty multiple of the cipher
    ///    block ([`Problem::KeyBlockPayload`]);
    /// 7. the optional blocks' total is a multiple of the cipher block
    ///    ([`Problem::KeyBlockOptionalBlock`]).
    ///
    /// # Errors
    ///
    /// The checks above, each with its [`Problem`].
    pub fn parse(block: &'a str, versions: Versions) -> Result<Self, Error> {
        let b = block.as_bytes();
        let version = match b.first().copied().and_then(Version::from_id) {
            Some(v) if versions.accepts(v) => v,
            _ if b.is_empty() => return Err(invalid(Problem::KeyBlockLength)),
            _ => return Err(invalid(Problem::KeyBlockVersion)),
        };
        let declared = b.get(1..5).and_then(read_decimal);
        if declared != Some(b.len()) || b.len() < FIXED_HEADER_LEN {
            return Err(invalid(Problem::KeyBlockLength));
        }
        let (header, header_len) = Header::parse(block, version)?;
        let rest = block
            .get(header_len..)
            .ok_or(invalid(Problem::KeyBlockHeader))?;
        if !rest.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid(Problem::KeyBlockHex));
        }
        let mac_chars = 2 * version.mac_len();
        let payload_chars = rest
            .len()
            .checked_sub(mac_chars)
            .filter(|&n| n > 0 && n.is_multiple_of(2 * version.block_size()))
            .ok_or(invalid(Problem::KeyBlockPayload))?;
        if !(header_len - FIXED_HEADER_LEN).is_multiple_of(version.block_size()) {
            return Err(invalid(Problem::KeyBlockOptionalBlock));
        }
        let (payload_hex, mac_hex) = rest.split_at(payload_chars);
        Ok(KeyBlock {
            header,
            header_text: &block[..header_len],
            payload_hex,
            mac_hex,
        })
    }

    /// The header.
    #[must_use]
    pub fn header(&self) -> &Header<'a> {
        &self.header
    }

    /// The header's text (fixed header and optional blocks): the authenticated data.
    #[must_use]
    pub fn header_text(&self) -> &'a str {
        self.header_text
    }

    /// The encrypted payload's length in bytes: the buffer [`KeyBlock::unwrap`] needs.
    #[must_use]
    pub fn payload_len(&self) -> usize {
        self.payload_hex.len() / 2
    }

    /// Unwrap under `kbpk`, decrypting into the front of `buf` (at least
    /// [`payload_len`](Self::payload_len) bytes).
    ///
    /// A KBPK whose algorithm does not fit the version is [`Problem::KeyBlockKbpk`]; a short buffer
    /// [`Error::BufferTooSmall`]. Then the authenticator is recomputed and compared in constant time
    /// before anything in the payload is read: a mismatch (wrong KBPK, or any change to the block) is
    /// [`Error::Decryption`], with the buffer wiped. So is an authentic payload whose key-length field
    /// is not whole bytes or is longer than the payload. The result borrows `buf` and wipes it when
    /// dropped.
    ///
    /// # Errors
    ///
    /// [`Problem::KeyBlockKbpk`], [`Error::BufferTooSmall`], [`Error::Decryption`].
    pub fn unwrap<'b>(
        &self,
        kbpk: &SymmetricKey,
        buf: &'b mut [u8],
    ) -> Result<Unwrapped<'a, 'b>, Error> {
        let version = self.header.version();
        if !version.fits_kbpk(kbpk.algorithm()) {
            return Err(invalid(Problem::KeyBlockKbpk));
        }
        let n = self.payload_len();
        let Some(payload) = buf.get_mut(..n) else {
            return Err(Error::BufferTooSmall { needed: n });
        };
        let keys = derive_keys(kbpk, version.binding())?;
        match open(self, &keys, payload) {
            Ok(key_len) => Ok(Unwrapped {
                header: self.header,
                payload,
                key_len,
            }),
            Err(e) => {
                payload.zeroize();
                Err(e)
            }
        }
    }
}

/// Decrypt and authenticate into `payload`; returns the key length. The caller wipes `payload` on error.
fn open(block: &KeyBlock<'_>, keys: &DerivedKeys, payload: &mut [u8]) -> Result<usize, Error> {
    let version = block.header.version();
    let mac_len = version.mac_len();
    crate::hex::decode(block.payload_hex, payload)?;
    let mut received = [0u8; 16];
    crate::hex::decode(block.mac_hex, &mut received[..mac_len])?;
    let header = block.header_text.as_bytes();
    let mut computed = Zeroizing::new([0u8; 16]);
    if version.is_legacy() {
        // MAC over the ciphertext, then decrypt with the header's first 8 characters as the IV.
        cbc_mac(keys.kbak(), header, payload, &mut computed[..8])?;
        if !bool::from(computed[..mac_len].ct_eq(&received[..mac_len])) {
            return Err(Error::Decryption);
        }
        symmetric::decrypt(
            keys.kbek(),
            Mode::Cbc,
            Some(&Iv::new(&header[..8])?),
            payload,
        )?;
    } else {
        // Decrypt with the MAC as the IV, then MAC over the clear payload.
        let iv = Iv::new(&received[..mac_len])?;
        symmetric::decrypt(keys.kbek(), Mode::Cbc, Some(&iv), payload)?;
        cmac_parts_into(keys.kbak(), &[header, payload], &mut computed[..mac_len]);
        if !bool::from(computed[..mac_len].ct_eq(&received[..mac_len])) {
            return Err(Error::Decryption);
        }
    }
    // Authentic: now the key length field may be read.
    let bits = usize::from(u16::from_be_bytes([payload[0], payload[1]]));
    if !bits.is_multiple_of(8) || bits / 8 > payload.len() - 2 {
        return Err(Error::Decryption);
    }
    Ok(bits / 8)
}

/// ISO 9797-1 MAC algorithm 1 (CBC-MAC, zero IV, no padding: the input is whole blocks) over
/// `header ‖ data`, for the legacy versions; the last block goes to `out` (8 bytes).
fn cbc_mac(kbak: &SymmetricKey, header: &[u8], data: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let mut state = Zeroizing::new([0u8; 8]);
    for chunk in header.chunks(8).chain(data.chunks(8)) {
        for (s, c) in state.iter_mut().zip(chunk) {
            *s ^= c;
        }
        symmetric::encrypt(kbak, Mode::Ecb, None, &mut state[..])?;
    }
    out.copy_from_slice(&state[..]);
    Ok(())
}

/// An unwrapped key: the header, and the decrypted payload in the caller's buffer, which is wiped when
/// this is dropped.
pub struct Unwrapped<'a, 'b> {
    header: Header<'a>,
    payload: &'b mut [u8],
    key_len: usize,
}

impl<'a> Unwrapped<'a, '_> {
    /// The key block's header.
    #[must_use]
    pub fn header(&self) -> &Header<'a> {
        &self.header
    }

    /// The clear key.
    #[must_use]
    pub fn key(&self) -> &[u8] {
        &self.payload[2..2 + self.key_len]
    }

    /// The padding that followed the key in the payload (random in practice; for reproducing a block).
    #[must_use]
    pub fn padding(&self) -> &[u8] {
        &self.payload[2 + self.key_len..]
    }

    /// The key as a [`SymmetricKey`], its algorithm from the header's algorithm and the key's length
    /// ([`symmetric_algorithm`]); any other pairing is [`Problem::WrappedKeyPolicy`].
    ///
    /// # Errors
    ///
    /// [`Problem::WrappedKeyPolicy`].
    pub fn symmetric_key(&self) -> Result<SymmetricKey, Error> {
        let algorithm = symmetric_algorithm(self.header.algorithm(), self.key_len)
            .ok_or(invalid(Problem::WrappedKeyPolicy))?;
        SymmetricKey::new(algorithm, self.key())
    }
}

impl Drop for Unwrapped<'_, '_> {
    fn drop(&mut self) {
        self.payload.zeroize();
    }
}

impl fmt::Debug for Unwrapped<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unwrapped")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

/// The AWS key algorithm of a TR-31 algorithm and key length: `T` with 16 or 24 bytes is
/// `TDES_2KEY`/`TDES_3KEY`, `A` with 16, 24 or 32 bytes `AES_128`/`AES_192`/`AES_256`; anything else
/// `None`.
#[must_use]
pub const fn symmetric_algorithm(
    algorithm: Algorithm,
    key_len: usize,
) -> Option<SymmetricAlgorithm> {
    match (algorithm, key_len) {
        (Algorithm::Tdes, 16) => Some(SymmetricAlgorithm::Tdes2Key),
        (Algorithm::Tdes, 24) => Some(SymmetricAlgorithm::Tdes3Key),
        (Algorithm::Aes, 16) => Some(SymmetricAlgorithm::Aes128),
        (Algorithm::Aes, 24) => Some(SymmetricAlgorithm::Aes192),
        (Algorithm::Aes, 32) => Some(SymmetricAlgorithm::Aes256),
        _ => None,
    }
}

/// How much padding hides the key's length when wrapping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum KeyLengthMask {
    /// Pad as if the key had the longest length of its header algorithm (X9.143 key-length
    /// obfuscation): 24 bytes for `T` and `D`, 32 for `A`; other algorithms are not masked.
    #[default]
    AlgorithmMaximum,
    /// No masking: only the padding the cipher block needs.
    Minimal,
    /// Pad as if the key had this many bytes (or its own length, if longer).
    Bytes(usize),
}

impl KeyLengthMask {
    fn masked_len(self, algorithm: Algorithm, key_len: usize) -> usize {
        let mask = match self {
            KeyLengthMask::AlgorithmMaximum => match algorithm {
                Algorithm::Tdes | Algorithm::Des => 24,
                Algorithm::Aes => 32,
                _ => 0,
            },
            KeyLengthMask::Minimal => 0,
            KeyLengthMask::Bytes(n) => n,
        };
        mask.max(key_len)
    }
}

/// The layout of a block to wrap.
struct Layout {
    header_len: usize,
    pad_block_len: usize,
    count: usize,
    payload_len: usize,
    total: usize,
}

fn layout(header: &Header<'_>, key_len: usize, mask: KeyLengthMask) -> Result<Layout, Error> {
    let version = header.version();
    let bs = version.block_size();
    let blocks = header.blocks();
    let blocks_len = blocks.encoded_len();
    let pad_block_len = match blocks_len % bs {
        0 => 0,
        r if bs - r >= 4 => bs - r,
        r => 2 * bs - r,
    };
    let count = blocks.len() + usize::from(pad_block_len > 0);
    if count > 99 {
        return Err(invalid(Problem::KeyBlockOptionalBlock));
    }
    if key_len == 0 {
        return Err(invalid(Problem::KeyBlockPayload));
    }
    let masked = mask.masked_len(header.algorithm(), key_len);
    let header_len = FIXED_HEADER_LEN + blocks_len + pad_block_len;
    let payload_len = (2 + masked).div_ceil(bs) * bs;
    let total = header_len
        .saturating_add(payload_len.saturating_mul(2))
        .saturating_add(2 * version.mac_len());
    if total > MAX_BLOCK_LEN {
        return Err(invalid(Problem::KeyBlockPayload));
    }
    Ok(Layout {
        header_len,
        pad_block_len,
        count,
        payload_len,
        total,
    })
}

/// The length of the block [`wrap`] makes of `header` and a key of `key_len` bytes masked by `mask`
/// (the buffer it needs), or the error it would give for them.
///
/// # Errors
///
/// As [`wrap`], except the RNG and the buffer.
pub fn wrapped_len(
    header: &Header<'_>,
    key_len: usize,
    mask: KeyLengthMask,
) -> Result<usize, Error> {
    layout(header, key_len, mask).map(|l| l.total)
}

/// Wrap `key` under `kbpk` with `header`, into the front of `out`; returns the key block.
///
/// The version is the header's: a header built with [`Version::A`] or [`Version::C`] is the caller's
/// explicit choice of a legacy version (parsing accepts them only with [`Versions::WithLegacy`]).
///
/// The payload is the key's length in bits (2 bytes), the key, and padding drawn from `rng` in one call
/// up to the length `mask` asks for, rounded up to the cipher block. When the optional blocks are not a
/// multiple of the cipher block a `PB` block of `0` characters is appended; blocks given are written as
/// they are (a parsed header's blocks verbatim, so re-wrapping a parsed block reproduces it).
///
/// Versions `B`/`D`: CMAC of header ‖ clear payload under the KBAK, then CBC under the KBEK with the MAC
/// as IV. Versions `A`/`C`: CBC with the first 8 header characters as IV, then CBC-MAC of header ‖
/// ciphertext, leftmost 4 bytes. Errors: [`Problem::KeyBlockKbpk`] (KBPK and version),
/// [`Problem::KeyBlockOptionalBlock`] (more than 99 blocks), [`Problem::KeyBlockPayload`] (no key, or a
/// block longer than 9999 characters), [`Error::BufferTooSmall`], [`Error::Rng`]. The clear payload is
/// built in `out` itself and is encrypted in place; on error `out` is wiped.
///
/// # Errors
///
/// As listed above.
pub fn wrap<'o, R: TryCryptoRng + ?Sized>(
    kbpk: &SymmetricKey,
    header: &Header<'_>,
    key: &[u8],
    mask: KeyLengthMask,
    rng: &mut R,
    out: &'o mut [u8],
) -> Result<&'o str, Error> {
    let version = header.version();
    if !version.fits_kbpk(kbpk.algorithm()) {
        return Err(invalid(Problem::KeyBlockKbpk));
    }
    let l = layout(header, key.len(), mask)?;
    let Some(out) = out.get_mut(..l.total) else {
        return Err(Error::BufferTooSmall { needed: l.total });
    };
    let keys = derive_keys(kbpk, version.binding())?;
    match seal(header, &l, &keys, key, rng, out) {
        Ok(()) => {
            // Every byte written is ASCII.
            core::str::from_utf8(out).map_err(|_| invalid(Problem::KeyBlockHeader))
        }
        Err(e) => {
            out.zeroize();
            Err(e)
        }
    }
}

fn seal<R: TryCryptoRng + ?Sized>(
    header: &Header<'_>,
    l: &Layout,
    keys: &DerivedKeys,
    key: &[u8],
    rng: &mut R,
    out: &mut [u8],
) -> Result<(), Error> {
    let version = header.version();
    let mac_len = version.mac_len();
    let blocks = header.blocks();
    let blocks_end = FIXED_HEADER_LEN + blocks.encoded_len();
    header.encode_fixed(l.total, l.count, &mut out[..FIXED_HEADER_LEN]);
    blocks.encode(&mut out[FIXED_HEADER_LEN..blocks_end]);
    if l.pad_block_len > 0 {
        let pb = &mut out[blocks_end..l.header_len];
        pb[..2].copy_from_slice(b"PB");
        let n = l.pad_block_len;
        pb[2] = b"0123456789ABCDEF"[n / 16];
        pb[3] = b"0123456789ABCDEF"[n % 16];
        pb[4..].fill(b'0');
    }
    let (head, rest) = out.split_at_mut(l.header_len);
    let p = l.payload_len;
    // The clear payload sits in the second half of the payload's hex field; it is encrypted in place,
    // then encoded forwards into the whole field.
    let (hex_field, mac_field) = rest.split_at_mut(2 * p);
    let payload = &mut hex_field[p..];
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the key fits the payload, at most MAX_PAYLOAD_LEN bytes (checked by wrapped_len)"
    )]
    let bits = (key.len() * 8) as u16;
    payload[..2].copy_from_slice(&bits.to_be_bytes());
    payload[2..2 + key.len()].copy_from_slice(key);
    rng.try_fill_bytes(&mut payload[2 + key.len()..])
        .map_err(|_| Error::Rng)?;
    let mut mac = [0u8; 16];
    if version.is_legacy() {
        symmetric::encrypt(keys.kbek(), Mode::Cbc, Some(&Iv::new(&head[..8])?), payload)?;
        cbc_mac(keys.kbak(), head, payload, &mut mac[..8])?;
    } else {
        cmac_parts_into(keys.kbak(), &[head, payload], &mut mac[..mac_len]);
        symmetric::encrypt(
            keys.kbek(),
            Mode::Cbc,
            Some(&Iv::new(&mac[..mac_len])?),
            payload,
        )?;
    }
    // Forward in-place hex: chunk j (8 bytes at p + 8j) becomes characters 16j..16j + 16, which never
    // reach a chunk not yet read (16j + 16 <= p + 8j + 8 because 8j + 8 <= p).
    for j in 0..p / 8 {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(&hex_field[p + 8 * j..p + 8 * j + 8]);
        crate::hex::encode_upper(&chunk, &mut hex_field[16 * j..16 * j + 16])?;
    }
    crate::hex::encode_upper(&mac[..mac_len], &mut mac_field[..2 * mac_len])?;
    Ok(())
}

impl Versions {
    pub(crate) const fn accepts(self, version: Version) -> bool {
        match self {
            Versions::Current => !version.is_legacy(),
            Versions::WithLegacy => true,
        }
    }
}
