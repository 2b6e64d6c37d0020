//! The key block header: the fixed 16 characters and the optional blocks after them.
//!
//! Every field is typed. Parsing checks each character against the field's alphabet and every optional
//! block length against what is left of the block; the optional blocks are kept as the borrowed text
//! they were read from (nothing is copied or allocated) and handed out by an iterator.

use core::fmt;

use crate::algorithm::{SymmetricAlgorithm, vocabulary};
use crate::error::{Error, Problem};

use super::kdf::Binding;

/// Characters of the fixed header.
pub const FIXED_HEADER_LEN: usize = 16;

/// Optional blocks longer than this many characters (ID and length included) use the extended length
/// form.
const SHORT_FORM_MAX: usize = 0xFF;

fn header_error() -> Error {
    Error::invalid(Problem::KeyBlockHeader)
}

fn block_error() -> Error {
    Error::invalid(Problem::KeyBlockOptionalBlock)
}

/// The key block version ID (header byte 0).
///
/// `B` and `D` are the current ANSI X9.143 versions. `A` and `C` are the legacy TDES variant-binding
/// versions of TR-31, read and written only when [`Versions::WithLegacy`](super::Versions) is asked
/// for. ISO 20038's `E` and the proprietary numeric versions are never accepted.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// `A`: TDES key variant binding (TR-31:2005, deprecated).
    A,
    /// `B`: TDES key derivation binding (TDES-CMAC KDF, MAC then encrypt).
    B,
    /// `C`: TDES key variant binding (TR-31:2010).
    C,
    /// `D`: AES key derivation binding (AES-CMAC KDF, MAC then encrypt).
    D,
}

impl Version {
    /// The version ID character.
    #[must_use]
    pub const fn id(self) -> u8 {
        match self {
            Version::A => b'A',
            Version::B => b'B',
            Version::C => b'C',
            Version::D => b'D',
        }
    }

    /// Whether this is a legacy version (`A` or `C`).
    #[must_use]
    pub const fn is_legacy(self) -> bool {
        matches!(self, Version::A | Version::C)
    }

    /// The cipher block size of the version in bytes: 8 (TDES) or 16 (AES).
    #[must_use]
    pub const fn block_size(self) -> usize {
        match self {
            Version::D => 16,
            _ => 8,
        }
    }

    /// The authenticator length in bytes: 4 (`A`, `C`), 8 (`B`), 16 (`D`).
    #[must_use]
    pub const fn mac_len(self) -> usize {
        match self {
            Version::A | Version::C => 4,
            Version::B => 8,
            Version::D => 16,
        }
    }

    /// How the version derives its encryption and authentication keys.
    #[must_use]
    pub const fn binding(self) -> Binding {
        match self {
            Version::A | Version::C => Binding::Variant,
            Version::B | Version::D => Binding::Derivation,
        }
    }

    /// Whether a KBPK of `algorithm` protects this version: TDES for `A`, `B`, `C`; AES for `D`.
    #[must_use]
    pub const fn fits_kbpk(self, algorithm: SymmetricAlgorithm) -> bool {
        match self {
            Version::D => !algorithm.is_tdes(),
            _ => algorithm.is_tdes(),
        }
    }

    /// The version of the current standard for a KBPK of `algorithm`: `B` for TDES, `D` for AES.
    #[must_use]
    pub const fn for_kbpk(algorithm: SymmetricAlgorithm) -> Self {
        if algorithm.is_tdes() {
            Version::B
        } else {
            Version::D
        }
    }

    pub(crate) const fn from_id(id: u8) -> Option<Self> {
        match id {
            b'A' => Some(Version::A),
            b'B' => Some(Version::B),
            b'C' => Some(Version::C),
            b'D' => Some(Version::D),
            _ => None,
        }
    }
}

/// The key usage (header bytes 5–6): two characters `0-9A-Z`, e.g. `D0`.
///
/// The X9.143 usages that matter here have constants; any other pair of characters (numeric usages are
/// proprietary) is kept as it is.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Usage([u8; 2]);

impl Usage {
    /// `B0`: DUKPT base derivation key.
    pub const B0: Usage = Usage(*b"B0");
    /// `D0`: symmetric data encryption key.
    pub const D0: Usage = Usage(*b"D0");
    /// `K0`: key encryption or wrapping key.
    pub const K0: Usage = Usage(*b"K0");
    /// `K1`: TR-31 key block protection key.
    pub const K1: Usage = Usage(*b"K1");
    /// `M3`: ISO 9797-1 MAC algorithm 3 key.
    pub const M3: Usage = Usage(*b"M3");
    /// `P0`: PIN encryption key.
    pub const P0: Usage = Usage(*b"P0");

    /// A usage of two characters `0-9A-Z`; anything else is [`Problem::KeyBlockHeader`].
    ///
    /// # Errors
    ///
    /// [`Problem::KeyBlockHeader`].
    pub fn new(usage: &str) -> Result<Self, Error> {
        match usage.as_bytes() {
            &[a, b] if is_upper_alnum(a) && is_upper_alnum(b) => Ok(Usage([a, b])),
            _ => Err(header_error()),
        }
    }

    /// The two characters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Built only from ASCII alphanumerics.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Usage({})", self.as_str())
    }
}

vocabulary! { letter
    /// The algorithm of the wrapped key (header byte 7).
    Algorithm {
        /// `A`: AES.
        Aes = b'A',
        /// `D`: single DES.
        Des = b'D',
        /// `E`: elliptic curve.
        Ec = b'E',
        /// `H`: HMAC.
        Hmac = b'H',
        /// `R`: RSA.
        Rsa = b'R',
        /// `S`: DSA.
        Dsa = b'S',
        /// `T`: triple DES.
        Tdes = b'T',
    }
}

vocabulary! { letter
    /// The mode of use of the wrapped key (header byte 8).
    ModeOfUse {
        /// `B`: encrypt and decrypt (wrap and unwrap).
        EncryptDecrypt = b'B',
        /// `C`: generate and verify (MAC).
        GenerateVerify = b'C',
        /// `D`: decrypt or unwrap only.
        DecryptOnly = b'D',
        /// `E`: encrypt or wrap only.
        EncryptOnly = b'E',
        /// `G`: generate only.
        GenerateOnly = b'G',
        /// `N`: no special restrictions.
        NoRestrictions = b'N',
        /// `S`: signature only.
        SignOnly = b'S',
        /// `T`: sign and decrypt.
        SignDecrypt = b'T',
        /// `V`: verify only.
        VerifyOnly = b'V',
        /// `X`: derive other keys.
        Derive = b'X',
        /// `Y`: create key variants.
        CreateVariants = b'Y',
    }
}

vocabulary! { letter
    /// Whether the wrapped key may be exported (header byte 11).
    Exportability {
        /// `E`: exportable under a trusted key-encryption key.
        Exportable = b'E',
        /// `N`: not exportable.
        NonExportable = b'N',
        /// `S`: sensitive (exportable only in forms X9.143 allows for sensitive keys).
        Sensitive = b'S',
    }
}

vocabulary! { letter
    /// The key context (X9.143 header byte 14; TR-31:2018's first reserved `0`).
    KeyContext {
        /// `0`: determined by the wrapping key.
        Any = b'0',
        /// `1`: storage only.
        Storage = b'1',
        /// `2`: key exchange only.
        Exchange = b'2',
    }
}

/// The key version number (header bytes 9–10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyVersion {
    /// `00`: versioning not used.
    Unused,
    /// `c` and one character: a key component, with its number.
    Component(u8),
    /// Any other two alphanumerics: a key version.
    Version([u8; 2]),
}

impl KeyVersion {
    /// Parse two alphanumeric characters.
    ///
    /// # Errors
    ///
    /// [`Problem::KeyBlockHeader`].
    pub fn new(text: &str) -> Result<Self, Error> {
        match text.as_bytes() {
            &[a, b] => Self::from_pair([a, b]),
            _ => Err(header_error()),
        }
    }

    fn from_pair(pair: [u8; 2]) -> Result<Self, Error> {
        if !pair.iter().all(u8::is_ascii_alphanumeric) {
            return Err(header_error());
        }
        Ok(match pair {
            [b'0', b'0'] => KeyVersion::Unused,
            [b'c', n] => KeyVersion::Component(n),
            v => KeyVersion::Version(v),
        })
    }

    /// The two header characters.
    #[must_use]
    pub const fn to_pair(self) -> [u8; 2] {
        match self {
            KeyVersion::Unused => *b"00",
            KeyVersion::Component(n) => [b'c', n],
            KeyVersion::Version(v) => v,
        }
    }
}

/// One optional block: a two-character ID and its data, both borrowed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OptionalBlock<'a> {
    id: &'a str,
    data: &'a str,
    extended: bool,
}

impl<'a> OptionalBlock<'a> {
    /// A block to wrap: an ID of two characters `0-9A-Za-z` and data of printable ASCII
    /// (`0x20`–`0x7E`). Anything else is [`Problem::KeyBlockOptionalBlock`]. A block longer than 255
    /// characters in all is written in the extended length form.
    ///
    /// # Errors
    ///
    /// [`Problem::KeyBlockOptionalBlock`].
    pub fn new(id: &'a str, data: &'a str) -> Result<Self, Error> {
        let ok_id = id.len() == 2 && id.bytes().all(|c| c.is_ascii_alphanumeric());
        if !ok_id || !data.bytes().all(is_printable) {
            return Err(block_error());
        }
        Ok(OptionalBlock {
            id,
            data,
            extended: 4 + data.len() > SHORT_FORM_MAX,
        })
    }

    /// The block's ID, e.g. `KS`.
    #[must_use]
    pub fn id(&self) -> &'a str {
        self.id
    }

    /// The block's data (without ID and length).
    #[must_use]
    pub fn data(&self) -> &'a str {
        self.data
    }

    /// Whether the block is (or will be written) in the extended length form: `00`, two hex digits
    /// giving the number of characters of the length, then the length (X9.143 counts characters).
    #[must_use]
    pub fn is_extended(&self) -> bool {
        self.extended
    }

    /// The characters this block takes in the header, ID and length included.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        if self.extended {
            10 + self.data.len()
        } else {
            4 + self.data.len()
        }
    }

    /// Write the block into `out` (exactly [`encoded_len`](Self::encoded_len) bytes).
    pub(crate) fn encode(&self, out: &mut [u8]) {
        let total = self.encoded_len();
        out[..2].copy_from_slice(self.id.as_bytes());
        let head = if self.extended {
            out[2..6].copy_from_slice(b"0004");
            write_hex(total, &mut out[6..10]);
            10
        } else {
            write_hex(total, &mut out[2..4]);
            4
        };
        out[head..total].copy_from_slice(self.data.as_bytes());
    }
}

impl fmt::Debug for OptionalBlock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OptionalBlock")
            .field("id", &self.id)
            .field("data", &self.data)
            .finish()
    }
}

/// The optional blocks of a header: either the text they were parsed from, or blocks given to wrap.
///
/// Two are equal when they hold the same blocks in the same order (and length forms), however they
/// were made.
#[derive(Clone, Copy)]
pub struct OptionalBlocks<'a>(Repr<'a>);

impl PartialEq for OptionalBlocks<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for OptionalBlocks<'_> {}

impl core::hash::Hash for OptionalBlocks<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        for b in self.iter() {
            b.hash(state);
        }
    }
}

#[derive(Clone, Copy)]
enum Repr<'a> {
    /// Parsed and checked text: `count` blocks exactly filling `text`.
    Encoded { text: &'a str, count: u8 },
    /// Blocks given by the caller.
    Given(&'a [OptionalBlock<'a>]),
}

impl<'a> OptionalBlocks<'a> {
    /// No optional blocks.
    pub const NONE: OptionalBlocks<'static> = OptionalBlocks(Repr::Given(&[]));

    /// Blocks to wrap, in order. More than 99 (98 if a `PB` block must be added) is refused when
    /// wrapping.
    #[must_use]
    pub const fn new(blocks: &'a [OptionalBlock<'a>]) -> Self {
        OptionalBlocks(Repr::Given(blocks))
    }

    /// How many blocks.
    #[must_use]
    pub fn len(&self) -> usize {
        match self.0 {
            Repr::Encoded { count, .. } => usize::from(count),
            Repr::Given(b) => b.len(),
        }
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Characters the blocks take in the header.
    pub fn encoded_len(&self) -> usize {
        match self.0 {
            Repr::Encoded { text, .. } => text.len(),
            Repr::Given(b) => b.iter().map(OptionalBlock::encoded_len).sum(),
        }
    }

    /// The blocks, in order.
    #[must_use]
    pub fn iter(&self) -> Blocks<'a> {
        Blocks {
            repr: self.0,
            index: 0,
            pos: 0,
        }
    }

    /// The first block with `id`, if any.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<OptionalBlock<'a>> {
        self.iter().find(|b| b.id == id)
    }

    /// Write the blocks into `out` (exactly [`encoded_len`](Self::encoded_len) bytes).
    pub(crate) fn encode(&self, out: &mut [u8]) {
        match self.0 {
            Repr::Encoded { text, .. } => out.copy_from_slice(text.as_bytes()),
            Repr::Given(blocks) => {
                let mut pos = 0;
                for b in blocks {
                    let n = b.encoded_len();
                    b.encode(&mut out[pos..pos + n]);
                    pos += n;
                }
            }
        }
    }

    /// Read `count` blocks from the start of `text`; returns them and the characters they take.
    fn parse(text: &'a str, count: u8) -> Result<(Self, usize), Error> {
        let mut pos = 0;
        for _ in 0..count {
            let (_, next) = parse_block(text, pos)?;
            pos = next;
        }
        Ok((
            OptionalBlocks(Repr::Encoded {
                text: text.get(..pos).ok_or_else(block_error)?,
                count,
            }),
            pos,
        ))
    }
}

impl fmt::Debug for OptionalBlocks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for OptionalBlocks<'a> {
    type Item = OptionalBlock<'a>;
    type IntoIter = Blocks<'a>;
    fn into_iter(self) -> Blocks<'a> {
        self.iter()
    }
}

/// Iterator over [`OptionalBlocks`].
#[derive(Clone, Debug)]
pub struct Blocks<'a> {
    repr: Repr<'a>,
    index: usize,
    pos: usize,
}

impl fmt::Debug for Repr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repr::Encoded { count, .. } => write!(f, "Encoded({count})"),
            Repr::Given(b) => write!(f, "Given({})", b.len()),
        }
    }
}

impl<'a> Iterator for Blocks<'a> {
    type Item = OptionalBlock<'a>;

    fn next(&mut self) -> Option<OptionalBlock<'a>> {
        match self.repr {
            Repr::Encoded { text, count } => {
                if self.index >= usize::from(count) {
                    return None;
                }
                // The text was checked when it was parsed, so this cannot fail.
                let (block, next) = parse_block(text, self.pos).ok()?;
                self.pos = next;
                self.index += 1;
                Some(block)
            }
            Repr::Given(blocks) => {
                let b = blocks.get(self.index)?;
                self.index += 1;
                Some(*b)
            }
        }
    }
}

/// One optional block at `pos` of `text`: the block and where the next one starts.
fn parse_block(text: &str, pos: usize) -> Result<(OptionalBlock<'_>, usize), Error> {
    let b = text.as_bytes();
    let field =
        |from: usize, len: usize| b.get(pos + from..pos + from + len).ok_or_else(block_error);
    let id = field(0, 2)?;
    if !id.iter().all(u8::is_ascii_alphanumeric) {
        return Err(block_error());
    }
    let short = read_hex(field(2, 2)?)?;
    let (head, total) = if short == 0 {
        // Extended: the count of length characters, then the length (X9.143 counts characters).
        let digits = read_hex(field(4, 2)?)?;
        if !(1..=4).contains(&digits) {
            return Err(block_error());
        }
        (6 + digits, read_hex(field(6, digits)?)?)
    } else {
        (4, short)
    };
    if total < head {
        return Err(block_error());
    }
    let data = field(head, total - head)?;
    if !data.iter().copied().all(is_printable) {
        return Err(block_error());
    }
    // All bytes checked are ASCII, so these are character boundaries.
    let id = text.get(pos..pos + 2).ok_or_else(block_error)?;
    let data = text.get(pos + head..pos + total).ok_or_else(block_error)?;
    Ok((
        OptionalBlock {
            id,
            data,
            extended: short == 0,
        },
        pos + total,
    ))
}

/// The fixed header fields and the optional blocks of a key block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Header<'a> {
    version: Version,
    usage: Usage,
    algorithm: Algorithm,
    mode_of_use: ModeOfUse,
    key_version: KeyVersion,
    exportability: Exportability,
    context: KeyContext,
    blocks: OptionalBlocks<'a>,
}

impl Header<'static> {
    /// A header to wrap a key with: key version `00`, exportability `E`, context `0`, no optional
    /// blocks (change them with the `with_*` methods).
    #[must_use]
    pub const fn new(
        version: Version,
        usage: Usage,
        algorithm: Algorithm,
        mode_of_use: ModeOfUse,
    ) -> Self {
        Header {
            version,
            usage,
            algorithm,
            mode_of_use,
            key_version: KeyVersion::Unused,
            exportability: Exportability::Exportable,
            context: KeyContext::Any,
            blocks: OptionalBlocks::NONE,
        }
    }
}

impl<'a> Header<'a> {
    /// The same header with another key version.
    #[must_use]
    pub const fn with_key_version(mut self, key_version: KeyVersion) -> Self {
        self.key_version = key_version;
        self
    }

    /// The same header with another exportability.
    #[must_use]
    pub const fn with_exportability(mut self, exportability: Exportability) -> Self {
        self.exportability = exportability;
        self
    }

    /// The same header with another key context.
    #[must_use]
    pub const fn with_context(mut self, context: KeyContext) -> Self {
        self.context = context;
        self
    }

    /// The same header with other optional blocks.
    #[must_use]
    pub const fn with_blocks<'b>(self, blocks: OptionalBlocks<'b>) -> Header<'b> {
        Header {
            version: self.version,
            usage: self.usage,
            algorithm: self.algorithm,
            mode_of_use: self.mode_of_use,
            key_version: self.key_version,
            exportability: self.exportability,
            context: self.context,
            blocks,
        }
    }

    /// The key block version.
    #[must_use]
    pub const fn version(&self) -> Version {
        self.version
    }

    /// The key usage.
    #[must_use]
    pub const fn usage(&self) -> Usage {
        self.usage
    }

    /// The wrapped key's algorithm.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The wrapped key's mode of use.
    #[must_use]
    pub const fn mode_of_use(&self) -> ModeOfUse {
        self.mode_of_use
    }

    /// The key version number.
    #[must_use]
    pub const fn key_version(&self) -> KeyVersion {
        self.key_version
    }

    /// The exportability.
    #[must_use]
    pub const fn exportability(&self) -> Exportability {
        self.exportability
    }

    /// The key context.
    #[must_use]
    pub const fn context(&self) -> KeyContext {
        self.context
    }

    /// The optional blocks (`PB` included).
    #[must_use]
    pub const fn blocks(&self) -> OptionalBlocks<'a> {
        self.blocks
    }

    /// Characters of the header as it stands: 16 plus the optional blocks (a `PB` block that wrapping
    /// adds for alignment is not counted).
    #[must_use]
    pub fn len(&self) -> usize {
        FIXED_HEADER_LEN + self.blocks.encoded_len()
    }

    /// Never true: a header has at least its 16 fixed characters.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Write the 16 fixed characters with the given total length and optional-block count.
    pub(crate) fn encode_fixed(&self, total_len: usize, count: usize, out: &mut [u8]) {
        out[0] = self.version.id();
        write_decimal(total_len, &mut out[1..5]);
        out[5..7].copy_from_slice(&self.usage.0);
        out[7] = self.algorithm.letter();
        out[8] = self.mode_of_use.letter();
        out[9..11].copy_from_slice(&self.key_version.to_pair());
        out[11] = self.exportability.letter();
        write_decimal(count, &mut out[12..14]);
        out[14] = self.context.letter();
        out[15] = b'0';
    }

    /// Parse the header at the start of `block`, whose length field has already been checked; returns
    /// the header and its length in characters.
    pub(crate) fn parse(block: &'a str, version: Version) -> Result<(Self, usize), Error> {
        let b = block.as_bytes();
        let fixed = b.get(..FIXED_HEADER_LEN).ok_or_else(header_error)?;
        let usage = [fixed[5], fixed[6]];
        if !usage.iter().copied().all(is_upper_alnum) {
            return Err(header_error());
        }
        let algorithm = Algorithm::from_letter(fixed[7]).ok_or_else(header_error)?;
        let mode_of_use = ModeOfUse::from_letter(fixed[8]).ok_or_else(header_error)?;
        let key_version = KeyVersion::from_pair([fixed[9], fixed[10]])?;
        let exportability = Exportability::from_letter(fixed[11]).ok_or_else(header_error)?;
        let count = read_decimal(&fixed[12..14]).ok_or_else(header_error)?;
        let context = KeyContext::from_letter(fixed[14]).ok_or_else(header_error)?;
        if fixed[15] != b'0' {
            return Err(header_error());
        }
        let rest = block.get(FIXED_HEADER_LEN..).ok_or_else(header_error)?;
        let count = u8::try_from(count).map_err(|_| header_error())?;
        let (blocks, blocks_len) = OptionalBlocks::parse(rest, count)?;
        Ok((
            Header {
                version,
                usage: Usage(usage),
                algorithm,
                mode_of_use,
                key_version,
                exportability,
                context,
                blocks,
            },
            FIXED_HEADER_LEN + blocks_len,
        ))
    }
}

pub(crate) fn is_printable(c: u8) -> bool {
    (0x20..=0x7E).contains(&c)
}

fn is_upper_alnum(c: u8) -> bool {
    c.is_ascii_digit() || c.is_ascii_uppercase()
}

/// Decimal digits as a number; `None` if any is not a digit.
pub(crate) fn read_decimal(digits: &[u8]) -> Option<usize> {
    digits.iter().try_fold(0usize, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + usize::from(c - b'0'))
    })
}

/// Hex digits (either case; at most 4) as a number.
fn read_hex(digits: &[u8]) -> Result<usize, Error> {
    digits.iter().try_fold(0usize, |n, &c| {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'F' => c - b'A' + 10,
            b'a'..=b'f' => c - b'a' + 10,
            _ => return Err(block_error()),
        };
        Ok(n * 16 + usize::from(v))
    })
}

/// Write `n` as zero-padded decimal filling `out`.
fn write_decimal(mut n: usize, out: &mut [u8]) {
    for c in out.iter_mut().rev() {
        #[expect(clippy::cast_possible_truncation, reason = "a decimal digit")]
        let digit = (n % 10) as u8;
        *c = b'0' + digit;
        n /= 10;
    }
}

/// Write `n` as zero-padded upper-case hex filling `out`.
fn write_hex(mut n: usize, out: &mut [u8]) {
    for c in out.iter_mut().rev() {
        *c = b"0123456789ABCDEF"[n % 16];
        n /= 16;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_length_counts_characters() {
        // X9.143 §8.5 shape: CT 00 04 0500 -> 0x500 characters in all.
        let data = "x".repeat(0x500 - 10);
        let text = alloc::format!("CT00040500{data}");
        let (blocks, len) = OptionalBlocks::parse(&text, 1).unwrap();
        assert_eq!(len, 0x500);
        let b = blocks.iter().next().unwrap();
        assert!(b.is_extended());
        assert_eq!(b.data().len(), 0x500 - 10);
        // psec's byte count (`02` then 4 digits) reads as a 2-character length: 0x05 is shorter than
        // its own head.
        let psec = alloc::format!("CT00020500{data}");
        assert!(OptionalBlocks::parse(&psec, 1).is_err());
    }

    #[test]
    fn block_encoding_round_trips() {
        let long = "A".repeat(300);
        let blocks = [
            OptionalBlock::new("KS", "00604B120F9292800000").unwrap(),
            OptionalBlock::new("LB", &long).unwrap(),
        ];
        let given = OptionalBlocks::new(&blocks);
        let mut out = alloc::vec![0u8; given.encoded_len()];
        given.encode(&mut out);
        let text = core::str::from_utf8(&out).unwrap();
        assert!(text.starts_with("KS1800604B120F9292800000LB00040136"));
        let (parsed, len) = OptionalBlocks::parse(text, 2).unwrap();
        assert_eq!(len, text.len());
        assert_eq!(parsed, given);
    }

    #[test]
    fn bad_blocks_are_refused() {
        for (text, count) in [
            ("KS", 1),
            ("KS0", 1),
            ("KS03", 1),
            ("KS05", 1),
            ("K-04", 1),
            ("KS0G", 1),
            ("KS000", 1),
            ("KS0000", 1),
            ("KS0005FFFFF", 1),
            ("KS0001", 1),
            ("KS05\u{7f}", 1),
            ("KS04", 2),
        ] {
            assert_eq!(
                OptionalBlocks::parse(text, count).map(|(_, n)| n),
                Err(block_error()),
                "{text:?}"
            );
        }
        assert!(OptionalBlock::new("K", "").is_err());
        assert!(OptionalBlock::new("KS", "\n").is_err());
    }
}
