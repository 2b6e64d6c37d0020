//! TR-31 / ANSI X9.143 key blocks: parse, unwrap and wrap, `no_std` and without allocation.
//!
//! A key block is one printable string: a 16-character header and optional blocks, then the encrypted
//! payload (the key's length in bits, the key, padding) and the authenticator, both in hex. This module
//! owns the format and its cryptography:
//!
//! - [`KeyBlock::parse`]: the typed [`Header`] (version, usage, algorithm, mode of use, key version,
//!   exportability, context) and its [`OptionalBlocks`] (short and extended length forms, the extended
//!   length-of-length counted in characters as X9.143 does), every length bounds-checked, every part a
//!   slice borrowed from the input;
//! - [`KeyBlock::unwrap`] / [`unwrap`]: derive the KBEK and KBAK from the KBPK ([`derive_keys`]),
//!   decrypt (CBC, IV = the MAC), recompute the CMAC and compare it in constant time before anything in
//!   the payload is read; any failure is the one [`Error::Decryption`];
//! - [`wrap`]: header, key and padding from an injected RNG ([`crate::rand_core`]'s `TryCryptoRng`); with the padding a
//!   published block used, it reproduces that block byte for byte;
//! - [`dynamic`]: AWS's rules for a dynamic (wrapped) working key, and [`symmetric_algorithm`], the
//!   mapping of a header algorithm and key length to `TDES_2KEY` … `AES_256`.
//!
//! | version | KBPK | keys | order | accepted |
//! |---|---|---|---|---|
//! | `B` | TDES 2-/3-key | TDES-CMAC KDF | CMAC(header ‖ clear payload), then TDES-CBC with IV = MAC | default |
//! | `D` | AES-128/192/256 | AES-CMAC KDF | CMAC(header ‖ clear payload), then AES-CBC with IV = MAC | default |
//! | `A`, `C` | TDES 2-/3-key | KBPK ⊕ `45`/`4D` | TDES-CBC (IV = header), then CBC-MAC, 4 bytes | [`Versions::WithLegacy`] only |
//! | `E`, digits | | | | never ([`Problem::KeyBlockVersion`]) |
//!
//! The KBPK's algorithm is the caller's ([`SymmetricKey::algorithm`](crate::SymmetricKey::algorithm),
//! later a stored key's attributes), never guessed from its length; a version that does not fit it is
//! [`Problem::KeyBlockKbpk`].
//!
//! **Why hand-written.** No crate does this within the crate's rules: `paysec-keyblock` is GPL-3.0, version
//! `D` only, needs `std` and compares MACs with `!=`; no other TR-31 crate is published (the project's
//! TR-31 notes). All cryptography goes through the crate's own primitives: [`SymmetricKey`]
//! (whose engine is the one place a cipher implementation is chosen), CMAC from the check-value module,
//! and [`symmetric::encrypt`](crate::symmetric::encrypt)/[`decrypt`](crate::symmetric::decrypt) for CBC and ECB.
//!
//! **Constant time.** The MAC comparison (`subtle`); hex decoding of the payload (`base16ct`); the
//! ciphers and CMAC as constant as the crate's engine is (AES and CMAC are; the TDES engine is table
//! based until the bitsliced one lands). Not constant time, by design: parsing, which looks only at the
//! public structure, and reading the key-length field, which happens only after the MAC has verified
//! and whose value the result shows anyway.
//!
//! **Wiping.** The KBEK and KBAK are [`SymmetricKey`]s (wiped on drop); the KDF's intermediates live in
//! `Zeroizing` buffers; the decrypted payload lives in the caller's buffer, wiped on every error path and
//! by [`Unwrapped`]'s `Drop`; [`wrap`] builds the clear payload inside its output, encrypts it in place,
//! and wipes the output if anything fails.
//!
//! ```
//! use paycrypt::{SymmetricAlgorithm, SymmetricKey, tr31};
//!
//! // TR-31:2018 A.7.2.2: a version B block under a 2-key TDES KBPK.
//! let kbpk = SymmetricKey::from_hex(SymmetricAlgorithm::Tdes2Key, "DD7515F2BFC17F85CE48F3CA25CB21F6")?;
//! let block = "B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E";
//! let mut buf = [0u8; 64];
//! let unwrapped = tr31::unwrap(block, &kbpk, tr31::Versions::Current, &mut buf)?;
//! assert_eq!(unwrapped.header().usage(), tr31::Usage::P0);
//! assert_eq!(unwrapped.key().len(), 16);
//! # Ok::<(), paycrypt::Error>(())
//! ```

mod block;
pub mod dynamic;
#[cfg(feature = "alloc")]
pub mod exchange;
mod header;
mod kdf;

pub use block::{KeyBlock, KeyLengthMask, Unwrapped, symmetric_algorithm, wrap, wrapped_len};
pub use header::{
    Algorithm, Blocks, Exportability, FIXED_HEADER_LEN, Header, KeyContext, KeyVersion, ModeOfUse,
    OptionalBlock, OptionalBlocks, Usage, Version,
};
pub use kdf::{Binding, DerivedKeys, derive_keys};

use crate::error::{Error, Problem};
use crate::key::SymmetricKey;

/// The longest key block: the length field has four digits.
pub const MAX_BLOCK_LEN: usize = 9999;

/// The longest encrypted payload of any accepted version, in bytes (version `A`/`C`: 9999 characters
/// less the header and the 8-character authenticator, in whole 8-byte blocks).
pub const MAX_PAYLOAD_LEN: usize = 4984;

/// Which key block versions to accept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Versions {
    /// `B` and `D`, the current ANSI X9.143 versions.
    #[default]
    Current,
    /// `A` and `C` as well: the legacy TDES variant-binding versions.
    WithLegacy,
}

/// Parse and unwrap `block` under `kbpk` in one call: [`KeyBlock::parse`] then [`KeyBlock::unwrap`].
///
/// # Errors
///
/// As [`KeyBlock::parse`], then as [`KeyBlock::unwrap`].
pub fn unwrap<'a, 'b>(
    block: &'a str,
    kbpk: &SymmetricKey,
    versions: Versions,
    buf: &'b mut [u8],
) -> Result<Unwrapped<'a, 'b>, Error> {
    KeyBlock::parse(block, versions)?.unwrap(kbpk, buf)
}

/// Parse a header on its own (16 fixed characters, then the optional blocks the count announces, and
/// nothing after them), e.g. the header to [`wrap`] a key with. Its length field is not read ([`wrap`]
/// writes the real one); everything else is checked as [`KeyBlock::parse`] checks it.
///
/// # Errors
///
/// [`Problem::KeyBlockVersion`] for a version `versions` does not accept, the header's own problems,
/// and [`Problem::KeyBlockHeader`] for characters after the optional blocks.
pub fn parse_header(text: &str, versions: Versions) -> Result<Header<'_>, Error> {
    let version = text
        .as_bytes()
        .first()
        .copied()
        .and_then(Version::from_id)
        .filter(|v| versions.accepts(*v))
        .ok_or(Error::invalid(Problem::KeyBlockVersion))?;
    let (header, len) = Header::parse(text, version)?;
    if len != text.len() {
        return Err(Error::invalid(Problem::KeyBlockHeader));
    }
    Ok(header)
}
