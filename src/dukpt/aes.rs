//! AES DUKPT, ANSI X9.24-3-2017 section 6 (host side).
//!
//! * **Derivation data** (16 bytes): `01 | block counter | key usage (2) | algorithm (2) | length in bits
//!   (2) | tail (8)`, where the tail is the 8-byte initial key ID for the initial key and
//!   `derivation ID (the initial key ID's last 4 bytes) | counter (4)` otherwise. Algorithm codes:
//!   `0000` 2TDEA, `0001` 3TDEA, `0002` AES-128, `0003` AES-192, `0004` AES-256.
//! * **Derive_Key**: one AES-ECB block of the derivation data per 128 bits of output (block counter 1,
//!   2), truncated to the key length.
//! * **Initial key**: Derive_Key(BDK) with key usage `8001` and the BDK's own algorithm and length.
//! * **Derivation key** of a counter: from the initial key, for each set counter bit, most significant
//!   first, add the bit to a working counter and derive the next key (usage `8000`, the BDK's algorithm
//!   and length) with that working counter.
//! * **Working key**: Derive_Key(derivation key) with the working key's usage, algorithm and length and
//!   the full counter.
//! * **DUKPT update key** (6.5.3): the `KEK` (`0002`) working key for counter `FFFFFFFF`.
//!
//! The working key's type may be any of 2TDEA, 3TDEA, AES-128, AES-192, AES-256 no stronger than the
//! BDK (order of [`SymmetricAlgorithm`]); a stronger one is [`Problem::DerivationType`]. A BDK that is not
//! AES is [`Problem::AttributesForKey`]; a KSN that is not 12 bytes is [`Problem::KsnLength`].

use ::aes::{Aes128Enc, Aes192Enc, Aes256Enc};
use cipher::{
    BlockCipherEncrypt, KeyInit,
    array::Array,
    consts::{U16, U24, U32},
};
use zeroize::Zeroizing;

use crate::algorithm::SymmetricAlgorithm;
use crate::dukpt::Ksn;
use crate::error::{Error, Problem};
use crate::key::SymmetricKey;
use crate::scrub::scrubbed;

/// An X9.24-3-2017 key usage of a derived working key (table 2 of the standard).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyUsage {
    /// `0002`: key encryption key (also the DUKPT update key, see [`update_key`]).
    KeyEncryptionKey,
    /// `1000`: PIN encryption.
    PinEncryption,
    /// `2000`: MAC generation.
    MacGeneration,
    /// `2001`: MAC verification.
    MacVerification,
    /// `2002`: MAC, both ways.
    MacBothWays,
    /// `3000`: data encryption, encrypt (AWS `REQUEST`).
    DataEncryptionEncrypt,
    /// `3001`: data encryption, decrypt (AWS `RESPONSE`).
    DataEncryptionDecrypt,
    /// `3002`: data encryption, both ways (AWS `BIDIRECTIONAL`, the default).
    DataEncryptionBothWays,
    /// `8000`: key derivation (the usage of the intermediate derivation keys).
    KeyDerivation,
}

/// Key usage `8001`: the initial key, derived from the BDK with the whole initial key ID.
const KEY_DERIVATION_INITIAL_KEY: u16 = 0x8001;

/// The counter of the DUKPT update key.
const UPDATE_KEY_COUNTER: u32 = 0xFFFF_FFFF;

impl KeyUsage {
    /// All nine.
    pub const ALL: [KeyUsage; 9] = [
        KeyUsage::KeyEncryptionKey,
        KeyUsage::PinEncryption,
        KeyUsage::MacGeneration,
        KeyUsage::MacVerification,
        KeyUsage::MacBothWays,
        KeyUsage::DataEncryptionEncrypt,
        KeyUsage::DataEncryptionDecrypt,
        KeyUsage::DataEncryptionBothWays,
        KeyUsage::KeyDerivation,
    ];

    /// The two-byte code in the derivation data, e.g. `0x3002`.
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            KeyUsage::KeyEncryptionKey => 0x0002,
            KeyUsage::PinEncryption => 0x1000,
            KeyUsage::MacGeneration => 0x2000,
            KeyUsage::MacVerification => 0x2001,
            KeyUsage::MacBothWays => 0x2002,
            KeyUsage::DataEncryptionEncrypt => 0x3000,
            KeyUsage::DataEncryptionDecrypt => 0x3001,
            KeyUsage::DataEncryptionBothWays => 0x3002,
            KeyUsage::KeyDerivation => 0x8000,
        }
    }

    /// The usage with a code; `None` for any other value (including `8001`, the initial key).
    #[must_use]
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.code() == code)
    }
}

/// The derivation-data algorithm code of a key type.
const fn algorithm_code(algorithm: SymmetricAlgorithm) -> u16 {
    match algorithm {
        SymmetricAlgorithm::Tdes2Key => 0,
        SymmetricAlgorithm::Tdes3Key => 1,
        SymmetricAlgorithm::Aes128 => 2,
        SymmetricAlgorithm::Aes192 => 3,
        SymmetricAlgorithm::Aes256 => 4,
    }
}

/// The derivation-data length field of a key type: its length in bits.
const fn key_bits(algorithm: SymmetricAlgorithm) -> u16 {
    match algorithm {
        SymmetricAlgorithm::Tdes2Key | SymmetricAlgorithm::Aes128 => 128,
        SymmetricAlgorithm::Tdes3Key | SymmetricAlgorithm::Aes192 => 192,
        SymmetricAlgorithm::Aes256 => 256,
    }
}

/// The initial key (IK) of the device with this initial key ID.
///
/// # Errors
///
/// A BDK that is not an AES key ([`Problem::AttributesForKey`]).
pub fn initial_key(bdk: &SymmetricKey, initial_key_id: &[u8; 8]) -> Result<SymmetricKey, Error> {
    scrubbed(|| {
        check_bdk(bdk)?;
        let mut key = Zeroizing::new([0u8; 32]);
        initial_key_bytes(bdk, initial_key_id, &mut key);
        to_key(bdk.algorithm(), &key)
    })
}

/// The intermediate derivation key for the KSN's counter (the "transaction key" the working keys are
/// derived from). It has the BDK's algorithm.
///
/// # Errors
///
/// A BDK that is not an AES key, a KSN that is not an AES KSN.
pub fn derivation_key(bdk: &SymmetricKey, ksn: &Ksn) -> Result<SymmetricKey, Error> {
    scrubbed(|| {
        check_bdk(bdk)?;
        let (initial_key_id, counter) = aes_ksn(ksn)?;
        let mut key = Zeroizing::new([0u8; 32]);
        match bdk.algorithm() {
            SymmetricAlgorithm::Aes128 => {
                derivation_key_bytes::<Aes128Enc>(bdk, initial_key_id, counter, &mut key);
            }
            SymmetricAlgorithm::Aes192 => {
                derivation_key_bytes::<Aes192Enc>(bdk, initial_key_id, counter, &mut key);
            }
            _ => derivation_key_bytes::<Aes256Enc>(bdk, initial_key_id, counter, &mut key),
        }
        to_key(bdk.algorithm(), &key)
    })
}

/// The working key of a usage and type for the KSN's transaction.
///
/// [`derive_data_key`](crate::dukpt::derive_data_key) calls this with usage `3002`, `3000` or `3001`.
///
/// # Errors
///
/// A BDK that is not an AES key, a KSN that is not an AES KSN, a key type stronger than the BDK
/// ([`Problem::DerivationType`]).
pub fn working_key(
    bdk: &SymmetricKey,
    ksn: &Ksn,
    usage: KeyUsage,
    key_type: SymmetricAlgorithm,
) -> Result<SymmetricKey, Error> {
    scrubbed(|| working_key_unscrubbed(bdk, ksn, usage, key_type))
}

/// [`working_key`] without the stack scrub (for callers that scrub once for a whole operation).
pub(crate) fn working_key_unscrubbed(
    bdk: &SymmetricKey,
    ksn: &Ksn,
    usage: KeyUsage,
    key_type: SymmetricAlgorithm,
) -> Result<SymmetricKey, Error> {
    check_bdk(bdk)?;
    let (initial_key_id, counter) = aes_ksn(ksn)?;
    check_key_type(bdk, key_type)?;
    working_key_for(bdk, initial_key_id, counter, usage.code(), key_type)
}

/// The DUKPT update key of the device with this initial key ID (X9.24-3-2017 6.5.3): the key encryption
/// key (`0002`) of the given type for transaction counter `FFFFFFFF`.
///
/// # Errors
///
/// A BDK that is not an AES key, a key type stronger than the BDK.
pub fn update_key(
    bdk: &SymmetricKey,
    initial_key_id: &[u8; 8],
    key_type: SymmetricAlgorithm,
) -> Result<SymmetricKey, Error> {
    scrubbed(|| {
        check_bdk(bdk)?;
        check_key_type(bdk, key_type)?;
        working_key_for(
            bdk,
            initial_key_id,
            UPDATE_KEY_COUNTER,
            KeyUsage::KeyEncryptionKey.code(),
            key_type,
        )
    })
}

fn check_bdk(bdk: &SymmetricKey) -> Result<(), Error> {
    if bdk.algorithm().is_tdes() {
        return Err(Error::invalid(Problem::AttributesForKey));
    }
    Ok(())
}

fn aes_ksn(ksn: &Ksn) -> Result<(&[u8; 8], u32), Error> {
    let initial_key_id = ksn
        .initial_key_id()
        .ok_or(Error::invalid(Problem::KsnLength {
            hex_digits: ksn.hex_digits(),
        }))?;
    Ok((initial_key_id, ksn.counter()))
}

fn check_key_type(bdk: &SymmetricKey, key_type: SymmetricAlgorithm) -> Result<(), Error> {
    if key_type > bdk.algorithm() {
        return Err(Error::invalid(Problem::DerivationType {
            requested: key_type,
            bdk: bdk.algorithm(),
        }));
    }
    Ok(())
}

fn to_key(algorithm: SymmetricAlgorithm, bytes: &[u8; 32]) -> Result<SymmetricKey, Error> {
    SymmetricKey::new(algorithm, &bytes[..algorithm.key_len()])
}

/// An AES cipher with encryption round keys only (DUKPT never decrypts), keyed from the first bytes of a
/// [`KeyBuf`]. The `aes` types wipe their round keys on drop.
trait AesEnc: BlockCipherEncrypt<BlockSize = U16> {
    fn from_buf(key: &[u8; 32]) -> Self;
}

impl AesEnc for Aes128Enc {
    fn from_buf(key: &[u8; 32]) -> Self {
        let key: &Array<u8, U32> = key.into();
        Self::new(key.split_ref::<U16>().0)
    }
}

impl AesEnc for Aes192Enc {
    fn from_buf(key: &[u8; 32]) -> Self {
        let key: &Array<u8, U32> = key.into();
        Self::new(key.split_ref::<U24>().0)
    }
}

impl AesEnc for Aes256Enc {
    fn from_buf(key: &[u8; 32]) -> Self {
        Self::new(key.into())
    }
}

/// Derive_Key into `out`: `key_type`'s length of output, one block per 128 bits, each block the
/// derivation data encrypted in place (so the derivation data only ever lives in the wiped key buffer).
/// Bytes of `out` past the key length are zeroed. `encrypt` holds its own expanded key, so `out` may be
/// the buffer of the key it was built from.
fn derive(
    encrypt: impl Fn(&mut [u8; 16]),
    usage: u16,
    key_type: SymmetricAlgorithm,
    tail: &[u8; 8],
    out: &mut [u8; 32],
) {
    let len = key_type.key_len();
    let bits = key_bits(key_type);
    let (blocks, _) = out.as_chunks_mut::<16>();
    for (counter, block) in (1u8..).zip(blocks.iter_mut()).take(len.div_ceil(16)) {
        block[0] = 0x01;
        block[1] = counter;
        block[2..4].copy_from_slice(&usage.to_be_bytes());
        block[4..6].copy_from_slice(&algorithm_code(key_type).to_be_bytes());
        block[6..8].copy_from_slice(&bits.to_be_bytes());
        block[8..].copy_from_slice(tail);
        encrypt(block);
    }
    out[len..].fill(0);
}

/// Derivation-data tail for everything but the initial key: derivation ID and counter.
fn counter_tail(initial_key_id: &[u8; 8], counter: u32) -> [u8; 8] {
    let mut tail = [0u8; 8];
    tail[..4].copy_from_slice(&initial_key_id[4..]);
    tail[4..].copy_from_slice(&counter.to_be_bytes());
    tail
}

/// The initial key, into `key`.
fn initial_key_bytes(bdk: &SymmetricKey, initial_key_id: &[u8; 8], key: &mut [u8; 32]) {
    derive(
        |block| super::encrypt_in_place(bdk, block),
        KEY_DERIVATION_INITIAL_KEY,
        bdk.algorithm(),
        initial_key_id,
        key,
    );
}

/// The derivation key of `counter`, into `key` (which starts as the initial key); `C` is the AES
/// cipher of the BDK's size.
fn derivation_key_bytes<C: AesEnc>(
    bdk: &SymmetricKey,
    initial_key_id: &[u8; 8],
    counter: u32,
    key: &mut [u8; 32],
) {
    initial_key_bytes(bdk, initial_key_id, key);
    // The counter is public: walking its set bits leaks nothing secret.
    let mut working_counter = 0u32;
    let mut bit = 1u32 << 31;
    while bit != 0 {
        if counter & bit != 0 {
            working_counter |= bit;
            // The next key replaces this one in the same buffer.
            let engine = C::from_buf(key);
            derive(
                |block| engine.encrypt_block(block.into()),
                KeyUsage::KeyDerivation.code(),
                bdk.algorithm(),
                &counter_tail(initial_key_id, working_counter),
                key,
            );
        }
        bit >>= 1;
    }
}

fn working_key_for(
    bdk: &SymmetricKey,
    initial_key_id: &[u8; 8],
    counter: u32,
    usage: u16,
    key_type: SymmetricAlgorithm,
) -> Result<SymmetricKey, Error> {
    // The one buffer every step of the derivation works in (wiped on drop).
    let mut key = Zeroizing::new([0u8; 32]);
    match bdk.algorithm() {
        SymmetricAlgorithm::Aes128 => {
            working_key_bytes::<Aes128Enc>(bdk, initial_key_id, counter, usage, key_type, &mut key);
        }
        SymmetricAlgorithm::Aes192 => {
            working_key_bytes::<Aes192Enc>(bdk, initial_key_id, counter, usage, key_type, &mut key);
        }
        _ => {
            working_key_bytes::<Aes256Enc>(bdk, initial_key_id, counter, usage, key_type, &mut key)
        }
    }
    to_key(key_type, &key)
}

/// The working key, into `key` (which holds the initial key, then each derivation key, in turn).
fn working_key_bytes<C: AesEnc>(
    bdk: &SymmetricKey,
    initial_key_id: &[u8; 8],
    counter: u32,
    usage: u16,
    key_type: SymmetricAlgorithm,
    key: &mut [u8; 32],
) {
    derivation_key_bytes::<C>(bdk, initial_key_id, counter, key);
    let engine = C::from_buf(key);
    derive(
        |block| engine.encrypt_block(block.into()),
        usage,
        key_type,
        &counter_tail(initial_key_id, counter),
        key,
    );
}
