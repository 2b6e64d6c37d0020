//! TDES DUKPT, ANSI X9.24-1:2009 (the algorithm also appears as Annex C of X9.24-3-2017).
//!
//! * **IPEK** (initial PIN encryption key): with `K` the 10-byte KSN whose low 21 bits (the counter) are
//!   cleared, `IPEK = TDES_BDK(K[0..8]) || TDES_{BDK ⊕ C0C0C0C000000000C0C0C0C000000000}(K[0..8])`.
//! * **Transaction key**: starting from the IPEK, for each set counter bit, most significant first, set
//!   that bit in the KSN register `R` (the rightmost 8 bytes of the KSN, counter cleared) and apply the
//!   non-reversible key generation process to the key `L || R'`:
//!   `R' = DES_L(R ⊕ KR) ⊕ KR`, then with `L ⊕ C0C0C0C000000000` / `KR ⊕ C0C0C0C000000000` the same for
//!   the new left half.
//! * **Working keys**: the transaction key XOR a [`Variant`] mask. The two data variants are followed by
//!   the one-way step `key = TDES-ECB_V(V[0..8]) || TDES-ECB_V(V[8..16])`, as X9.24-1:2009 A.4 and the
//!   AWS service do.
//!
//! All functions take a `TDES_2KEY` BDK (any other algorithm: [`Problem::AttributesForKey`]) and a
//! 10-byte KSN (else [`Problem::KsnLength`]).

use cipher::{
    BlockCipherEncrypt, KeyInit,
    array::Array,
    consts::{U8, U16},
};
use zeroize::Zeroizing;

use crate::algorithm::SymmetricAlgorithm;
use crate::dukpt::Ksn;
use crate::error::{Error, Problem};
use crate::key::SymmetricKey;
use crate::scrub::scrubbed;

/// The key mask of the non-reversible key generation process and the IPEK's right half.
const KEY_MASK: [u8; 16] = [
    0xC0, 0xC0, 0xC0, 0xC0, 0, 0, 0, 0, 0xC0, 0xC0, 0xC0, 0xC0, 0, 0, 0, 0,
];

/// A TDES DUKPT working-key variant (X9.24-1:2009 A.2 / A.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// PIN encryption: mask `00000000000000FF 00000000000000FF`.
    Pin,
    /// MAC, request (or both ways): mask `000000000000FF00 000000000000FF00`.
    MacRequest,
    /// MAC, response: mask `00000000FF000000 00000000FF000000`.
    MacResponse,
    /// Data encryption, request (or both ways): mask `0000000000FF0000 0000000000FF0000`, then the
    /// one-way step.
    DataRequest,
    /// Data encryption, response: mask `000000FF00000000 000000FF00000000`, then the one-way step.
    DataResponse,
}

impl Variant {
    /// All five.
    pub const ALL: [Variant; 5] = [
        Variant::Pin,
        Variant::MacRequest,
        Variant::MacResponse,
        Variant::DataRequest,
        Variant::DataResponse,
    ];

    /// The 16-byte mask XORed onto the transaction key.
    #[must_use]
    pub const fn mask(self) -> [u8; 16] {
        // The variant byte sits at the same position in both halves.
        let at = match self {
            Variant::Pin => 7,
            Variant::MacRequest => 6,
            Variant::MacResponse => 4,
            Variant::DataRequest => 5,
            Variant::DataResponse => 3,
        };
        let mut m = [0u8; 16];
        m[at] = 0xFF;
        m[at + 8] = 0xFF;
        m
    }

    /// Whether the one-way step follows the XOR (the two data variants).
    #[must_use]
    pub const fn one_way(self) -> bool {
        matches!(self, Variant::DataRequest | Variant::DataResponse)
    }
}

/// The initial PIN encryption key (IPEK) of the device the KSN names (the counter is ignored).
///
/// # Errors
///
/// A BDK that is not a `TDES_2KEY` key, a KSN that is not a TDES KSN.
pub fn ipek(bdk: &SymmetricKey, ksn: &Ksn) -> Result<SymmetricKey, Error> {
    scrubbed(|| {
        let ksn = check(bdk, ksn)?;
        let mut key = Zeroizing::new([0u8; 16]);
        ipek_bytes(bdk, ksn, &mut key);
        to_key(&key)
    })
}

/// The transaction key ("current key") for the KSN's counter, before any variant.
///
/// # Errors
///
/// As [`ipek`].
pub fn transaction_key(bdk: &SymmetricKey, ksn: &Ksn) -> Result<SymmetricKey, Error> {
    scrubbed(|| {
        let ksn = check(bdk, ksn)?;
        let mut key = Zeroizing::new([0u8; 16]);
        transaction_key_bytes(bdk, ksn, &mut key);
        to_key(&key)
    })
}

/// The working key of a [`Variant`] for the KSN's transaction.
///
/// [`Variant::DataRequest`] is what [`derive_data_key`](crate::dukpt::derive_data_key) uses for
/// `REQUEST` and `BIDIRECTIONAL`, [`Variant::DataResponse`] for `RESPONSE`.
///
/// # Errors
///
/// As [`ipek`].
pub fn working_key(bdk: &SymmetricKey, ksn: &Ksn, variant: Variant) -> Result<SymmetricKey, Error> {
    scrubbed(|| working_key_unscrubbed(bdk, ksn, variant))
}

/// [`working_key`] without the stack scrub (for callers that scrub once for a whole operation).
pub(crate) fn working_key_unscrubbed(
    bdk: &SymmetricKey,
    ksn: &Ksn,
    variant: Variant,
) -> Result<SymmetricKey, Error> {
    let ksn = check(bdk, ksn)?;
    // The one buffer every step of the derivation works in (wiped on drop).
    let mut key = Zeroizing::new([0u8; 16]);
    transaction_key_bytes(bdk, ksn, &mut key);
    for (k, m) in key.iter_mut().zip(variant.mask()) {
        *k ^= m;
    }
    if variant.one_way() {
        let v = crate::tdes::TdesEde2::new((&*key).into());
        let blocks: &mut Array<u8, U16> = (&mut *key).into();
        let (left, right) = blocks.split_ref_mut::<U8>();
        v.encrypt_block(left);
        v.encrypt_block(right);
    }
    to_key(&key)
}

/// The BDK must be TDES_2KEY and the KSN a TDES KSN.
fn check<'k>(bdk: &SymmetricKey, ksn: &'k Ksn) -> Result<&'k [u8; 10], Error> {
    if bdk.algorithm() != SymmetricAlgorithm::Tdes2Key {
        return Err(Error::invalid(Problem::AttributesForKey));
    }
    ksn.tdes_bytes().ok_or(Error::invalid(Problem::KsnLength {
        hex_digits: ksn.hex_digits(),
    }))
}

fn to_key(bytes: &[u8; 16]) -> Result<SymmetricKey, Error> {
    SymmetricKey::new(SymmetricAlgorithm::Tdes2Key, bytes)
}

/// The IPEK, into `ipek`; `bdk` is a TDES_2KEY key.
fn ipek_bytes(bdk: &SymmetricKey, ksn: &[u8; 10], ipek: &mut [u8; 16]) {
    ipek[..8].copy_from_slice(&ksn[..8]);
    ipek[7] &= 0xE0;
    ipek.copy_within(..8, 8);
    // Left half under the BDK itself (its expanded cipher is reused).
    super::encrypt_in_place(bdk, &mut ipek[..8]);
    // Right half under the BDK XOR the key mask.
    let mut masked = Zeroizing::new([0u8; 16]);
    for ((m, b), k) in masked.iter_mut().zip(bdk.secret_bytes()).zip(KEY_MASK) {
        *m = b ^ k;
    }
    let cipher = crate::tdes::TdesEde2::new((&*masked).into());
    let halves: &mut Array<u8, U16> = ipek.into();
    cipher.encrypt_block(halves.split_ref_mut::<U8>().1);
}

/// The transaction key, into `key` (which starts as the IPEK); `bdk` is a TDES_2KEY key.
fn transaction_key_bytes(bdk: &SymmetricKey, ksn: &[u8; 10], key: &mut [u8; 16]) {
    ipek_bytes(bdk, ksn, key);
    // The KSN register: the rightmost 8 bytes with the 21-bit counter cleared. The counter is public.
    let mut register = u64::from_be_bytes([
        ksn[2], ksn[3], ksn[4], ksn[5], ksn[6], ksn[7], ksn[8], ksn[9],
    ]);
    let counter = register & 0x1F_FFFF;
    register &= !0x1F_FFFF;
    let mut bit = 1u64 << 20;
    while bit != 0 {
        if counter & bit != 0 {
            register |= bit;
            non_reversible_step(key, &register.to_be_bytes());
        }
        bit >>= 1;
    }
}

/// The non-reversible key generation process of X9.24-1 on `key` (`L || R`) with the KSN register (see
/// [`crate::tdes`]: constant time, one key schedule per step).
fn non_reversible_step(key: &mut [u8; 16], register: &[u8; 8]) {
    crate::tdes::dukpt_step(key, u64::from_be_bytes(*register));
}
