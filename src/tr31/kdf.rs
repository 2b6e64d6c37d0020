//! The key block encryption key (KBEK) and authentication key (KBAK) from the key block protection key.
//!
//! | binding | versions | KBEK | KBAK |
//! |---|---|---|---|
//! | variant | `A`, `C` | KBPK ⊕ `45…45` | KBPK ⊕ `4D…4D` |
//! | derivation | `B` (TDES KBPK), `D` (AES KBPK) | CMAC-KDF, usage `0000` | CMAC-KDF, usage `0001` |
//! | derivation, CTR | ISO 20038 `E` (derivation only: `E` blocks are refused) | CMAC-KDF, usage `0002` | as above |
//!
//! The CMAC-KDF is NIST SP 800-108 in counter mode with CMAC under the KBPK as the PRF: block *i* is
//! `CMAC(KBPK, i ‖ usage ‖ 00 ‖ algorithm ‖ length in bits)` (8 bytes; algorithm `0000` TDES-2,
//! `0001` TDES-3, `0002`/`0003`/`0004` AES-128/192/256), as many blocks as the KBPK is long, truncated to
//! its length (AES-192 takes two AES blocks and keeps 24 bytes). The derived keys have the KBPK's
//! algorithm. Every intermediate is in a wiped buffer; the derived keys wipe themselves on drop.

use zeroize::Zeroizing;

use crate::algorithm::SymmetricAlgorithm;
use crate::error::{Error, Problem};
use crate::key::SymmetricKey;
use crate::mac::cmac_parts_into;

/// How a key block binds its keys to the KBPK.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Binding {
    /// Key variants (`A`, `C`): the KBPK XOR a constant byte. TDES KBPKs only.
    Variant,
    /// The CMAC key derivation of versions `B` (TDES KBPK) and `D` (AES KBPK).
    Derivation,
    /// ISO 20038 version `E`'s derivation: as [`Binding::Derivation`] with the CTR encryption usage
    /// `0002`. AES KBPKs only. Offered for the derivation alone: key blocks of version `E` are refused.
    DerivationCtr,
}

/// The KBEK and KBAK of a key block, of the KBPK's algorithm. Both wipe themselves on drop.
pub struct DerivedKeys {
    kbek: SymmetricKey,
    kbak: SymmetricKey,
}

impl DerivedKeys {
    /// The key block encryption key.
    #[must_use]
    pub fn kbek(&self) -> &SymmetricKey {
        &self.kbek
    }

    /// The key block authentication key.
    #[must_use]
    pub fn kbak(&self) -> &SymmetricKey {
        &self.kbak
    }
}

impl core::fmt::Debug for DerivedKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DerivedKeys").finish_non_exhaustive()
    }
}

/// Usage indicators of the derivation data.
const ENCRYPTION_CBC: u16 = 0x0000;
const AUTHENTICATION: u16 = 0x0001;
const ENCRYPTION_CTR: u16 = 0x0002;

/// Derive the KBEK and KBAK of `binding` from `kbpk`.
///
/// A KBPK that the binding does not take (an AES KBPK for [`Binding::Variant`], a TDES KBPK for
/// [`Binding::DerivationCtr`]) is [`Problem::KeyBlockKbpk`].
///
/// # Errors
///
/// [`Problem::KeyBlockKbpk`].
pub fn derive_keys(kbpk: &SymmetricKey, binding: Binding) -> Result<DerivedKeys, Error> {
    let algorithm = kbpk.algorithm();
    let (kbek, kbak) = match binding {
        Binding::Variant => {
            if !algorithm.is_tdes() {
                return Err(Error::invalid(Problem::KeyBlockKbpk));
            }
            (variant(kbpk, 0x45)?, variant(kbpk, 0x4D)?)
        }
        Binding::Derivation => (derive(kbpk, ENCRYPTION_CBC)?, derive(kbpk, AUTHENTICATION)?),
        Binding::DerivationCtr => {
            if algorithm.is_tdes() {
                return Err(Error::invalid(Problem::KeyBlockKbpk));
            }
            (derive(kbpk, ENCRYPTION_CTR)?, derive(kbpk, AUTHENTICATION)?)
        }
    };
    Ok(DerivedKeys { kbek, kbak })
}

/// The KBPK with every byte XORed with `constant`.
fn variant(kbpk: &SymmetricKey, constant: u8) -> Result<SymmetricKey, Error> {
    let bytes = kbpk.secret_bytes();
    let mut out = Zeroizing::new([0u8; 32]);
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = b ^ constant;
    }
    SymmetricKey::new(kbpk.algorithm(), &out[..bytes.len()])
}

/// The CMAC-KDF output for one usage indicator.
fn derive(kbpk: &SymmetricKey, usage: u16) -> Result<SymmetricKey, Error> {
    let algorithm = kbpk.algorithm();
    let len = algorithm.key_len();
    let block = algorithm.block_size();
    let indicator: u16 = match algorithm {
        SymmetricAlgorithm::Tdes2Key => 0x0000,
        SymmetricAlgorithm::Tdes3Key => 0x0001,
        SymmetricAlgorithm::Aes128 => 0x0002,
        SymmetricAlgorithm::Aes192 => 0x0003,
        SymmetricAlgorithm::Aes256 => 0x0004,
    };
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a KBPK's length, at most 32 bytes"
    )]
    let bits = (len * 8) as u16;
    let mut out = Zeroizing::new([0u8; 32]);
    let mut input = [0u8; 8];
    input[1..3].copy_from_slice(&usage.to_be_bytes());
    input[4..6].copy_from_slice(&indicator.to_be_bytes());
    input[6..8].copy_from_slice(&bits.to_be_bytes());
    for (i, chunk) in out[..len.div_ceil(block) * block]
        .chunks_mut(block)
        .enumerate()
    {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "at most 2 (AES) or 3 (TDES) blocks"
        )]
        let counter = (i + 1) as u8;
        input[0] = counter;
        cmac_parts_into(kbpk, &[&input], chunk);
    }
    SymmetricKey::new(algorithm, &out[..len])
}
