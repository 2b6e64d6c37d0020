//! One side of an operation: the key rules of the module's table, checked for a [`KeyUse`] on the
//! side it stands on, and what they resolve to — a working symmetric key with its mode and IV, or an
//! RSA key with its padding — with the checks and steps each kind runs.
//!
//! [`KeyUse::resolve`] dispatches on the kind of side; each kind has one function ([`resolve_rsa`],
//! [`resolve_symmetric`], [`resolve_dukpt`]). A TR-31 wrapped working key reaches the engine as a
//! [`Key`] of its own ([`WrappedKey::working_key`](crate::tr31::dynamic::WrappedKey::working_key)) and
//! resolves here as any stored D0 key.

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

#[cfg(feature = "alloc")]
use rand_core::TryCryptoRng;
#[cfg(feature = "alloc")]
use zeroize::Zeroizing;

use super::{DukptAttributes, EncryptionAttributes, KeyUse, SymmetricAttributes};
use crate::algorithm::{Mode, SymmetricAlgorithm};
use crate::dukpt;
use crate::error::{Error, Problem, Result, Side};
use crate::key::SymmetricKey;
use crate::keystore::{Key, KeyMaterial, KeyUsage};
use crate::rsa::{RsaPadding, RsaPrivateKey, RsaPublicKey};
use crate::symmetric::{self, Direction, Iv};

/// A validation error on `side`.
pub(super) const fn invalid(problem: Problem, side: Side) -> Error {
    Error::Invalid {
        side: Some(side),
        problem,
    }
}

/// The direction a side runs its data in: the incoming side decrypts, the outgoing side encrypts.
const fn direction(side: Side) -> Direction {
    match side {
        Side::Incoming => Direction::Decrypt,
        Side::Outgoing => Direction::Encrypt,
    }
}

/// A working symmetric key: the stored key itself, one a batch derived ahead, or one derived here
/// (wiped on drop).
#[expect(
    clippy::large_enum_variant,
    reason = "held inline: no allocator needed"
)]
pub(super) enum WorkingKey<'k> {
    Borrowed(&'k SymmetricKey),
    Owned(SymmetricKey),
}

impl WorkingKey<'_> {
    fn get(&self) -> &SymmetricKey {
        match self {
            WorkingKey::Borrowed(k) => k,
            WorkingKey::Owned(k) => k,
        }
    }
}

/// What one side resolves to once its key rules hold.
#[expect(
    clippy::large_enum_variant,
    reason = "held inline: no allocator needed"
)]
#[cfg_attr(
    not(feature = "alloc"),
    expect(dead_code, reason = "RSA sides run only in the owned operations")
)]
pub(super) enum Resolved<'k> {
    Symmetric {
        key: WorkingKey<'k>,
        mode: Mode,
        iv: Option<Iv>,
    },
    RsaDecrypt {
        key: &'k RsaPrivateKey,
        padding: Option<RsaPadding>,
    },
    RsaEncrypt {
        key: RsaPublicKey,
        padding: Option<RsaPadding>,
    },
}

impl<'k> KeyUse<'k> {
    /// Check the key rules of this side and resolve its working key. `derived`: this side's DUKPT
    /// working key when a batch derivation made it already (with this side's BDK, KSN, variant and
    /// derivation type); every rule is still checked here before it is used.
    pub(super) fn resolve(
        &self,
        side: Side,
        derived: Option<&'k SymmetricKey>,
    ) -> Result<Resolved<'k>> {
        let key = self.key;
        if !key.is_usable() {
            return Err(invalid(Problem::KeyNotUsable, side));
        }
        match &self.attributes {
            EncryptionAttributes::Asymmetric(a) => resolve_rsa(key, a.padding, side),
            // `Symmetric` with a `PaddingType` on an RSA key is the seed API's form of asymmetric use.
            EncryptionAttributes::Symmetric(s) if key.is_rsa() && s.padding.is_some() => {
                resolve_rsa(key, s.padding, side)
            }
            EncryptionAttributes::Symmetric(s) => resolve_symmetric(key, s, side),
            EncryptionAttributes::Dukpt(d) => resolve_dukpt(key, d, side, derived),
        }
    }
}

fn require_usage(key: &Key, usage: KeyUsage, side: Side) -> Result<()> {
    if key.attributes().key_usage == usage {
        Ok(())
    } else {
        Err(invalid(Problem::KeyUsage, side))
    }
}

fn require_mode_of_use(allowed: bool, side: Side) -> Result<()> {
    if allowed {
        Ok(())
    } else {
        Err(Error::AccessDenied { side })
    }
}

/// An RSA side: usage D1; a private key decrypts (incoming) or encrypts with its public half
/// (outgoing), a public key only encrypts.
fn resolve_rsa(key: &Key, padding: Option<RsaPadding>, side: Side) -> Result<Resolved<'_>> {
    require_usage(key, KeyUsage::D1AsymmetricKeyForDataEncryption, side)?;
    let modes = key.attributes().key_modes_of_use;
    match (side, key.material()) {
        (Side::Incoming, KeyMaterial::RsaPrivate(k)) => {
            require_mode_of_use(modes.decrypt, side)?;
            Ok(Resolved::RsaDecrypt { key: k, padding })
        }
        (Side::Outgoing, KeyMaterial::RsaPrivate(k)) => {
            require_mode_of_use(modes.encrypt, side)?;
            Ok(Resolved::RsaEncrypt {
                key: k.public_key(),
                padding,
            })
        }
        (Side::Outgoing, KeyMaterial::RsaPublic(k)) => {
            require_mode_of_use(modes.encrypt, side)?;
            Ok(Resolved::RsaEncrypt {
                key: k.clone(),
                padding,
            })
        }
        _ => Err(invalid(Problem::AttributesForKey, side)),
    }
}

/// A symmetric data key: usage D0, `Decrypt` (incoming) or `Encrypt` (outgoing) or `NoRestrictions`.
fn resolve_symmetric<'k>(
    key: &'k Key,
    attributes: &SymmetricAttributes,
    side: Side,
) -> Result<Resolved<'k>> {
    require_usage(key, KeyUsage::D0SymmetricDataEncryptionKey, side)?;
    let KeyMaterial::Symmetric(k) = key.material() else {
        return Err(invalid(Problem::AttributesForKey, side));
    };
    let modes = key.attributes().key_modes_of_use;
    let directional = match side {
        Side::Incoming => modes.decrypt,
        Side::Outgoing => modes.encrypt,
    };
    require_mode_of_use(modes.no_restrictions || directional, side)?;
    Ok(Resolved::Symmetric {
        key: WorkingKey::Borrowed(k),
        mode: attributes.mode,
        iv: attributes.iv,
    })
}

/// A DUKPT side: usage B0, a `TDES_2KEY` or AES BDK, `DeriveKey` or `NoRestrictions`; the working key
/// is derived (unless a batch did), then the mode must be ECB or CBC.
fn resolve_dukpt<'k>(
    key: &'k Key,
    attributes: &DukptAttributes,
    side: Side,
    derived: Option<&'k SymmetricKey>,
) -> Result<Resolved<'k>> {
    require_usage(key, KeyUsage::B0BaseDerivationKey, side)?;
    let bdk = match key.material() {
        KeyMaterial::Symmetric(k) if k.algorithm() != SymmetricAlgorithm::Tdes3Key => k,
        _ => return Err(invalid(Problem::AttributesForKey, side)),
    };
    let modes = key.attributes().key_modes_of_use;
    require_mode_of_use(modes.derive_key || modes.no_restrictions, side)?;
    let working = match derived {
        Some(k) => WorkingKey::Borrowed(k),
        None => WorkingKey::Owned(
            dukpt::derive_unscrubbed(
                bdk,
                &attributes.ksn,
                attributes.variant,
                attributes.derivation_type,
            )
            .map_err(|e| e.with_side(side))?,
        ),
    };
    if !matches!(attributes.mode, Mode::Ecb | Mode::Cbc) {
        return Err(invalid(
            Problem::ModeNotSupported {
                mode: attributes.mode,
                algorithm: working.get().algorithm(),
            },
            side,
        ));
    }
    Ok(Resolved::Symmetric {
        key: working,
        mode: attributes.mode,
        iv: attributes.iv,
    })
}

impl Resolved<'_> {
    /// Check `len` bytes of input for this side: mode, IV and block multiple for a symmetric side; an
    /// RSA private operation checks its ciphertext itself (any failure is [`Error::Decryption`]).
    pub(super) fn check_input_len(&self, len: usize, side: Side) -> Result<()> {
        match self {
            Resolved::Symmetric { key, mode, iv } => {
                symmetric::check(key.get().algorithm(), *mode, iv.as_ref(), len)
                    .map(|_| ())
                    .map_err(|e| e.with_side(side))
            }
            Resolved::RsaDecrypt { .. } | Resolved::RsaEncrypt { .. } => Ok(()),
        }
    }

    /// Check that `len` bytes of plaintext fit this (outgoing) side.
    #[cfg(feature = "alloc")]
    pub(super) fn check_plaintext_len(&self, len: usize) -> Result<()> {
        match self {
            Resolved::Symmetric { .. } => self.check_input_len(len, Side::Outgoing),
            Resolved::RsaEncrypt { key, padding } => {
                let max = crate::rsa::max_plaintext_len(key.size(), *padding);
                let problem = match padding {
                    // Raw RSA takes exactly the modulus length (its value is checked when encrypting).
                    None if len != max => Problem::RsaRawPlaintext,
                    Some(_) if len > max => Problem::PlaintextTooLong { max, actual: len },
                    _ => return Ok(()),
                };
                Err(invalid(problem, Side::Outgoing))
            }
            Resolved::RsaDecrypt { .. } => Ok(()),
        }
    }

    /// The plaintext length this (incoming) side will give, when it is known before decrypting.
    #[cfg(feature = "alloc")]
    pub(super) fn known_plaintext_len(&self, ciphertext_len: usize) -> Option<usize> {
        matches!(self, Resolved::Symmetric { .. }).then_some(ciphertext_len)
    }

    /// Check a side that works in place on `len` bytes: symmetric only (RSA changes the length).
    pub(super) fn check_in_place(&self, len: usize, side: Side) -> Result<()> {
        match self {
            Resolved::Symmetric { .. } => self.check_input_len(len, side),
            Resolved::RsaDecrypt { .. } | Resolved::RsaEncrypt { .. } => {
                Err(invalid(Problem::AttributesForKey, side))
            }
        }
    }

    /// Run a checked symmetric side over `buf` in place, in its side's direction.
    pub(super) fn apply_in_place(&self, buf: &mut [u8], side: Side) -> Result<()> {
        match self {
            Resolved::Symmetric { key, mode, iv } => {
                symmetric::apply(key.get(), *mode, iv.as_ref(), buf, direction(side))
                    .map_err(|e| e.with_side(side))
            }
            Resolved::RsaDecrypt { .. } | Resolved::RsaEncrypt { .. } => {
                Err(invalid(Problem::AttributesForKey, side))
            }
        }
    }

    /// Decrypt `ciphertext` (checked: [`Resolved::check_input_len`]) on this incoming side into a
    /// buffer that is wiped on drop.
    #[cfg(feature = "alloc")]
    pub(super) fn decrypt<R: TryCryptoRng + ?Sized>(
        &self,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>> {
        match self {
            Resolved::Symmetric { .. } => {
                // Exact capacity: the buffer never reallocates, so no copy of the plaintext is freed
                // unwiped.
                let mut buf = Zeroizing::new(ciphertext.to_vec());
                self.apply_in_place(&mut buf, Side::Incoming)?;
                Ok(buf)
            }
            Resolved::RsaDecrypt { key, padding } => key.decrypt(*padding, ciphertext, rng),
            Resolved::RsaEncrypt { .. } => Err(invalid(Problem::AttributesForKey, Side::Incoming)),
        }
    }

    /// Encrypt `plaintext` (checked: [`Resolved::check_plaintext_len`]) on this outgoing side.
    #[cfg(feature = "alloc")]
    pub(super) fn encrypt<R: TryCryptoRng + ?Sized>(
        &self,
        mut plaintext: Zeroizing<Vec<u8>>,
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        match self {
            Resolved::Symmetric { .. } => {
                self.apply_in_place(&mut plaintext, Side::Outgoing)?;
                // The buffer now holds ciphertext: hand the allocation out instead of copying.
                Ok(core::mem::take(&mut *plaintext))
            }
            Resolved::RsaEncrypt { key, padding } => key
                .encrypt(*padding, &plaintext, rng)
                .map_err(|e| e.with_side(Side::Outgoing)),
            Resolved::RsaDecrypt { .. } => Err(invalid(Problem::AttributesForKey, Side::Outgoing)),
        }
    }
}
