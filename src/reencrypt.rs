//! The operations: `ReEncryptData`, `EncryptData` and `DecryptData` on one engine.
//!
//! Each side of an operation is a [`KeyUse`]: a stored [`Key`] and the [`EncryptionAttributes`] that say
//! how to use it. The engine checks every rule of the spec before it touches the data (key usage, class,
//! algorithm, modes of use, enabled/state, mode validity, IV, block multiples on both sides, DUKPT KSN and
//! derivation type, RSA plaintext limits), then decrypts into a buffer that is wiped on every path, and
//! encrypts under the outgoing working key. The response carries the outgoing key's ARN (never an alias)
//! and its key check value (for a DUKPT side, the BDK's).
//!
//! | side | attributes | key usage | algorithm | modes of use needed |
//! |---|---|---|---|---|
//! | incoming | `Symmetric` | D0 | TDES, AES | `Decrypt` or `NoRestrictions` |
//! | incoming | `Dukpt` | B0 | `TDES_2KEY`, AES | `DeriveKey` or `NoRestrictions` |
//! | incoming | `Asymmetric`, or `Symmetric` with `PaddingType` | D1, key pair | RSA | `Decrypt` |
//! | outgoing | `Symmetric` | D0 | TDES, AES | `Encrypt` or `NoRestrictions` |
//! | outgoing | `Dukpt` | B0 | `TDES_2KEY`, AES | `DeriveKey` or `NoRestrictions` |
//! | outgoing | `Asymmetric`, or `Symmetric` with `PaddingType` | D1, public key or key pair | RSA | `Encrypt` |
//!
//! A wrong usage or attribute kind is a validation error; modes of use that forbid the operation are
//! [`Error::AccessDenied`].
//!
//! **Raw RSA outgoing.** An RSA outgoing side of `ReEncryptData` needs a `PaddingType`
//! ([`Problem::PaddingTypeRequired`], under every [`Policy`]): raw RSA refuses a plaintext that is not
//! below the modulus, and that visible refusal turned any RSA public key into a whole-plaintext oracle
//! for OFB/CFB incoming ciphertexts and a full RSA decryption oracle for raw RSA incoming ones (security
//! audit H1). Raw RSA outgoing works only for a key that opts in ([`Key::with_raw_rsa_outgoing`], not
//! AWS) and never from an RSA incoming side. `EncryptData` with raw RSA is unchanged (its caller holds
//! the plaintext). Without the `alloc` feature the in-place forms ([`reencrypt_in_place`],
//! [`encrypt_in_place`], [`decrypt_in_place`]) serve symmetric and DUKPT sides on the caller's buffer.

mod attributes;

pub use attributes::{
    AsymmetricAttributes, DukptAttributes, EncryptionAttributes, SymmetricAttributes,
};

use crate::algorithm::{Mode, SymmetricAlgorithm};
use crate::dukpt;
use crate::error::{Error, Problem, Side};
use crate::kcv::Kcv;
use crate::key::{KeyArn, KeyUsage, SymmetricKey};
use crate::keystore::{Key, KeyMaterial};
use crate::scrub::scrubbed;
use crate::symmetric::{self, Iv};

#[cfg(feature = "alloc")]
use crate::rsa::{RsaPadding, RsaPrivateKey, RsaPublicKey};
#[cfg(feature = "alloc")]
use alloc::vec::Vec;
#[cfg(feature = "alloc")]
use zeroize::Zeroizing;

/// The longest ciphertext or plaintext the operations take: 2112 bytes (AWS's 4224 hex digits).
pub const MAX_DATA_LEN: usize = 2112;

/// Which pairings of sides the engine allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Policy {
    /// What AWS documents for `ReEncryptData`: every pairing of the key table works.
    #[default]
    Documented,
    /// What the live AWS service is reported to refuse, refused here too ([`Problem::PolicyRefused`]):
    /// symmetric D0 → D0 re-encryption, RSA on both sides, and an explicit `BIDIRECTIONAL` variant with
    /// a TDES BDK.
    StrictAws,
}

/// One side of an operation: a stored key and how to use it.
#[derive(Clone, Copy, Debug)]
pub struct KeyUse<'k> {
    /// The key (already looked up in a [`KeyStore`](crate::KeyStore)).
    pub key: &'k Key,
    /// How to use it.
    pub attributes: EncryptionAttributes,
}

/// What an in-place operation returns besides the data in the caller's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The ARN of the key that produced the output (the outgoing key for re-encryption).
    pub key_arn: KeyArn,
    /// That key's check value (the BDK's for DUKPT).
    pub kcv: Kcv,
}

/// A ciphertext with the ARN and check value of the key that made it.
#[cfg(feature = "alloc")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encrypted {
    /// The new ciphertext.
    pub ciphertext: Vec<u8>,
    /// The ARN of the (outgoing) key.
    pub key_arn: KeyArn,
    /// The (outgoing) key's check value; for DUKPT, the BDK's.
    pub kcv: Kcv,
}

/// A plaintext (wiped on drop) with the ARN and check value of the key that recovered it. `Debug`
/// shows the plaintext's length, never the plaintext.
#[cfg(feature = "alloc")]
pub struct Decrypted {
    /// The plaintext.
    pub plaintext: Zeroizing<Vec<u8>>,
    /// The key's ARN.
    pub key_arn: KeyArn,
    /// The key's check value; for DUKPT, the BDK's.
    pub kcv: Kcv,
}

#[cfg(feature = "alloc")]
impl core::fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decrypted")
            .field("plaintext_len", &self.plaintext.len())
            .field("key_arn", &self.key_arn)
            .field("kcv", &self.kcv)
            .finish()
    }
}

/// A working symmetric key: the stored key itself, or one derived by DUKPT (wiped on drop).
#[allow(clippy::large_enum_variant)] // held inline: no allocator needed
enum WorkingKey<'k> {
    Stored(&'k SymmetricKey),
    Derived(SymmetricKey),
}

impl WorkingKey<'_> {
    fn get(&self) -> &SymmetricKey {
        match self {
            WorkingKey::Stored(k) => k,
            WorkingKey::Derived(k) => k,
        }
    }
}

/// What one side resolves to once its key rules hold.
#[allow(clippy::large_enum_variant)] // held inline: no allocator needed
enum Working<'k> {
    Symmetric {
        key: WorkingKey<'k>,
        mode: Mode,
        iv: Option<Iv>,
    },
    #[cfg(feature = "alloc")]
    RsaDecrypt {
        key: &'k RsaPrivateKey,
        padding: Option<RsaPadding>,
    },
    #[cfg(feature = "alloc")]
    RsaEncrypt {
        key: RsaPublicKey,
        padding: Option<RsaPadding>,
    },
}

impl Working<'_> {
    /// Check mode, IV and block multiple for a symmetric side and `len` bytes.
    fn check_symmetric(&self, len: usize, side: Side) -> Result<(), Error> {
        match self {
            Working::Symmetric { key, mode, iv } => {
                symmetric::check(key.get().algorithm(), *mode, iv.as_ref(), len)
                    .map(|_| ())
                    .map_err(|e| e.on(side))
            }
            #[cfg(feature = "alloc")]
            _ => Ok(()),
        }
    }

    /// Check that `len` bytes of plaintext fit this (outgoing) side.
    #[cfg(feature = "alloc")]
    fn check_plaintext_len(&self, len: usize) -> Result<(), Error> {
        match self {
            Working::Symmetric { .. } => self.check_symmetric(len, Side::Outgoing),
            #[cfg(feature = "alloc")]
            Working::RsaEncrypt { key, padding } => {
                let max = crate::rsa::max_plaintext_len(key.size(), *padding);
                let problem = match padding {
                    // Raw RSA takes exactly the modulus length (its value is checked when encrypting).
                    None if len != max => Problem::RsaRawPlaintext,
                    Some(_) if len > max => Problem::PlaintextTooLong { max, actual: len },
                    _ => return Ok(()),
                };
                Err(invalid(problem, Side::Outgoing))
            }
            #[cfg(feature = "alloc")]
            Working::RsaDecrypt { .. } => Ok(()),
        }
    }
}

fn invalid(problem: Problem, side: Side) -> Error {
    Error::Invalid {
        side: Some(side),
        problem,
    }
}

/// Check the key rules of one side and resolve its working key. `derived`: this side's DUKPT working
/// key when a batch derivation made it already (`dukpt::derive_data_keys` with this side's BDK, KSN,
/// variant and derivation type); every rule is still checked here before it is used.
fn resolve<'k>(
    key_use: &KeyUse<'k>,
    side: Side,
    derived: Option<&'k SymmetricKey>,
) -> Result<Working<'k>, Error> {
    let key = key_use.key;
    if !key.is_usable() {
        return Err(invalid(Problem::KeyNotUsable, side));
    }
    let attrs = key.attributes();
    let modes = attrs.key_modes_of_use;
    let allow = |ok: bool| {
        if ok {
            Ok(())
        } else {
            Err(Error::AccessDenied { side })
        }
    };
    let usage = |needed: KeyUsage| {
        if attrs.key_usage == needed {
            Ok(())
        } else {
            Err(invalid(Problem::KeyUsage, side))
        }
    };
    let wrong_kind = || invalid(Problem::AttributesForKey, side);

    // `Symmetric` with a `PaddingType` on an RSA key is the seed API's form of asymmetric use.
    #[cfg(feature = "alloc")]
    {
        let rsa_padding = match (&key_use.attributes, key.material()) {
            (EncryptionAttributes::Asymmetric(a), _) => Some(a.padding),
            (
                EncryptionAttributes::Symmetric(s),
                KeyMaterial::RsaPrivate(_) | KeyMaterial::RsaPublic(_),
            ) if s.padding.is_some() => Some(s.padding),
            _ => None,
        };
        if let Some(padding) = rsa_padding {
            usage(KeyUsage::D1AsymmetricKeyForDataEncryption)?;
            return match (side, key.material()) {
                (Side::Incoming, KeyMaterial::RsaPrivate(k)) => {
                    allow(modes.decrypt)?;
                    Ok(Working::RsaDecrypt { key: k, padding })
                }
                (Side::Outgoing, KeyMaterial::RsaPrivate(k)) => {
                    allow(modes.encrypt)?;
                    Ok(Working::RsaEncrypt {
                        key: k.public_key(),
                        padding,
                    })
                }
                (Side::Outgoing, KeyMaterial::RsaPublic(k)) => {
                    allow(modes.encrypt)?;
                    Ok(Working::RsaEncrypt {
                        key: k.clone(),
                        padding,
                    })
                }
                _ => Err(wrong_kind()),
            };
        }
    }

    match &key_use.attributes {
        EncryptionAttributes::Symmetric(s) => {
            usage(KeyUsage::D0SymmetricDataEncryptionKey)?;
            #[allow(clippy::infallible_destructuring_match)] // RSA material exists with `alloc`
            let k = match key.material() {
                KeyMaterial::Symmetric(k) => k,
                #[cfg(feature = "alloc")]
                _ => return Err(wrong_kind()),
            };
            allow(
                modes.no_restrictions
                    || match side {
                        Side::Incoming => modes.decrypt,
                        Side::Outgoing => modes.encrypt,
                    },
            )?;
            Ok(Working::Symmetric {
                key: WorkingKey::Stored(k),
                mode: s.mode,
                iv: s.iv,
            })
        }
        EncryptionAttributes::Dukpt(d) => {
            usage(KeyUsage::B0BaseDerivationKey)?;
            let bdk = match key.material() {
                KeyMaterial::Symmetric(k) if k.algorithm() != SymmetricAlgorithm::Tdes3Key => k,
                _ => return Err(wrong_kind()),
            };
            allow(modes.derive_key || modes.no_restrictions)?;
            let working = match derived {
                Some(k) => WorkingKey::Stored(k),
                None => WorkingKey::Derived(
                    dukpt::derive_unscrubbed(bdk, &d.ksn, d.variant, d.derivation_type)
                        .map_err(|e| e.on(side))?,
                ),
            };
            if !matches!(d.mode, Mode::Ecb | Mode::Cbc) {
                return Err(invalid(
                    Problem::ModeNotSupported {
                        mode: d.mode,
                        algorithm: working.get().algorithm(),
                    },
                    side,
                ));
            }
            Ok(Working::Symmetric {
                key: working,
                mode: d.mode,
                iv: d.iv,
            })
        }
        EncryptionAttributes::Asymmetric(_) => {
            usage(KeyUsage::D1AsymmetricKeyForDataEncryption)?;
            Err(wrong_kind())
        }
    }
}

fn is_rsa(key_use: &KeyUse<'_>) -> bool {
    match key_use.key.material() {
        KeyMaterial::Symmetric(_) => false,
        #[cfg(feature = "alloc")]
        KeyMaterial::RsaPrivate(_) | KeyMaterial::RsaPublic(_) => true,
    }
}

/// Raw RSA (no `PaddingType`) as the outgoing side of `ReEncryptData`: refused under every policy
/// unless the outgoing key opts in ([`Key::with_raw_rsa_outgoing`]) and the incoming side is not RSA.
///
/// Raw RSA encryption refuses a plaintext not below the modulus, visibly; with a malleable incoming
/// side (OFB, CFB, a CBC IV) or a raw RSA one (Manger's attack), that refusal is a plaintext-recovery
/// oracle for whoever may request re-encryptions. `Symmetric` attributes without a `PaddingType` on an
/// RSA key never mean raw RSA, so they get the same error.
fn check_raw_rsa_outgoing(incoming: &KeyUse<'_>, outgoing: &KeyUse<'_>) -> Result<(), Error> {
    if !is_rsa(outgoing) {
        return Ok(());
    }
    let (no_padding, asymmetric) = match &outgoing.attributes {
        EncryptionAttributes::Asymmetric(a) => (a.padding.is_none(), true),
        EncryptionAttributes::Symmetric(s) => (s.padding.is_none(), false),
        EncryptionAttributes::Dukpt(_) => (false, false),
    };
    let opted_in = asymmetric && outgoing.key.allows_raw_rsa_outgoing() && !is_rsa(incoming);
    if no_padding && !opted_in {
        return Err(invalid(Problem::PaddingTypeRequired, Side::Outgoing));
    }
    Ok(())
}

/// Refuse what the strict policy refuses.
fn check_policy(incoming: &KeyUse<'_>, outgoing: &KeyUse<'_>, policy: Policy) -> Result<(), Error> {
    if policy == Policy::Documented {
        return Ok(());
    }
    let d0 = |u: &KeyUse<'_>| {
        matches!(u.attributes, EncryptionAttributes::Symmetric(_))
            && !is_rsa(u)
            && u.key.attributes().key_usage == KeyUsage::D0SymmetricDataEncryptionKey
    };
    let tdes_bidirectional = |u: &KeyUse<'_>| match (&u.attributes, u.key.material()) {
        (EncryptionAttributes::Dukpt(d), KeyMaterial::Symmetric(k)) => {
            k.algorithm().is_tdes() && d.variant == Some(dukpt::DukptKeyVariant::Bidirectional)
        }
        _ => false,
    };
    if d0(incoming) && d0(outgoing) || is_rsa(incoming) && is_rsa(outgoing) {
        return Err(invalid(Problem::PolicyRefused, Side::Outgoing));
    }
    for (u, side) in [(incoming, Side::Incoming), (outgoing, Side::Outgoing)] {
        if tdes_bidirectional(u) {
            return Err(invalid(Problem::PolicyRefused, side));
        }
    }
    Ok(())
}

fn check_max(len: usize, side: Side) -> Result<(), Error> {
    if len > MAX_DATA_LEN {
        return Err(invalid(
            Problem::DataTooLong {
                max: MAX_DATA_LEN,
                actual: len,
            },
            side,
        ));
    }
    Ok(())
}

fn receipt(key: &Key) -> Receipt {
    Receipt {
        key_arn: *key.arn(),
        kcv: key.kcv(),
    }
}

/// Run a checked symmetric side over `buf` in place.
fn run_symmetric(side: &Working<'_>, decrypt: bool, buf: &mut [u8]) -> Result<(), Error> {
    match side {
        Working::Symmetric { key, mode, iv } => {
            if decrypt {
                symmetric::decrypt(key.get(), *mode, iv.as_ref(), buf)
            } else {
                symmetric::encrypt(key.get(), *mode, iv.as_ref(), buf)
            }
        }
        #[cfg(feature = "alloc")]
        _ => Err(Error::invalid(Problem::AttributesForKey)),
    }
}

/// Check a symmetric side for `len` bytes; RSA sides cannot work in place.
fn in_place_side(working: &Working<'_>, len: usize, side: Side) -> Result<(), Error> {
    match working {
        Working::Symmetric { .. } => working.check_symmetric(len, side),
        #[cfg(feature = "alloc")]
        _ => Err(invalid(Problem::AttributesForKey, side)),
    }
}

/// `ReEncryptData` in place: `buf` holds the ciphertext under the incoming side and, on success, the
/// ciphertext under the outgoing side (same length). Symmetric and DUKPT sides only (RSA changes the
/// length: use [`reencrypt`]).
///
/// Every check runs before the data is touched; on error `buf` is unchanged. The plaintext exists only
/// in `buf`, between the two steps.
pub fn reencrypt_in_place(
    incoming: &KeyUse<'_>,
    outgoing: &KeyUse<'_>,
    buf: &mut [u8],
    policy: Policy,
) -> Result<Receipt, Error> {
    scrubbed(|| reencrypt_in_place_unscrubbed(incoming, outgoing, buf, policy))
}

fn reencrypt_in_place_unscrubbed(
    incoming: &KeyUse<'_>,
    outgoing: &KeyUse<'_>,
    buf: &mut [u8],
    policy: Policy,
) -> Result<Receipt, Error> {
    check_raw_rsa_outgoing(incoming, outgoing)?;
    check_policy(incoming, outgoing, policy)?;
    check_max(buf.len(), Side::Incoming)?;
    let inw = resolve(incoming, Side::Incoming, None)?;
    let outw = resolve(outgoing, Side::Outgoing, None)?;
    in_place_side(&inw, buf.len(), Side::Incoming)?;
    in_place_side(&outw, buf.len(), Side::Outgoing)?;
    run_symmetric(&inw, true, buf)?;
    if let Err(e) = run_symmetric(&outw, false, buf) {
        // Checked above, so not reached; if it were, the plaintext must not stay behind.
        zeroize::Zeroize::zeroize(buf);
        return Err(e);
    }
    Ok(receipt(outgoing.key))
}

/// `EncryptData` in place (symmetric and DUKPT sides): `buf` holds the plaintext, then the ciphertext.
pub fn encrypt_in_place(key: &KeyUse<'_>, buf: &mut [u8]) -> Result<Receipt, Error> {
    scrubbed(|| {
        check_max(buf.len(), Side::Outgoing)?;
        let w = resolve(key, Side::Outgoing, None)?;
        in_place_side(&w, buf.len(), Side::Outgoing)?;
        run_symmetric(&w, false, buf)?;
        Ok(receipt(key.key))
    })
}

/// `DecryptData` in place (symmetric and DUKPT sides): `buf` holds the ciphertext, then the plaintext.
pub fn decrypt_in_place(key: &KeyUse<'_>, buf: &mut [u8]) -> Result<Receipt, Error> {
    scrubbed(|| {
        check_max(buf.len(), Side::Incoming)?;
        let w = resolve(key, Side::Incoming, None)?;
        in_place_side(&w, buf.len(), Side::Incoming)?;
        run_symmetric(&w, true, buf)?;
        Ok(receipt(key.key))
    })
}

#[cfg(feature = "alloc")]
mod owned {
    use super::*;
    use rand_core::TryCryptoRng;

    /// Decrypt `ciphertext` on a resolved incoming side into a buffer that is wiped on drop.
    fn decrypt_side<R: TryCryptoRng + ?Sized>(
        w: &Working<'_>,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        match w {
            Working::Symmetric { .. } => {
                w.check_symmetric(ciphertext.len(), Side::Incoming)?;
                // Exact capacity: the buffer never reallocates, so no copy of the plaintext is freed
                // unwiped.
                let mut buf = Zeroizing::new(ciphertext.to_vec());
                run_symmetric(w, true, &mut buf)?;
                Ok(buf)
            }
            Working::RsaDecrypt { key, padding } => key.decrypt(*padding, ciphertext, rng),
            Working::RsaEncrypt { .. } => Err(invalid(Problem::AttributesForKey, Side::Incoming)),
        }
    }

    /// Encrypt `plaintext` on a resolved outgoing side; its length was checked.
    fn encrypt_side<R: TryCryptoRng + ?Sized>(
        w: &Working<'_>,
        mut plaintext: Zeroizing<Vec<u8>>,
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        match w {
            Working::Symmetric { .. } => {
                w.check_symmetric(plaintext.len(), Side::Outgoing)?;
                run_symmetric(w, false, &mut plaintext)?;
                // The buffer now holds ciphertext: hand the allocation out instead of copying.
                Ok(core::mem::take(&mut *plaintext))
            }
            Working::RsaEncrypt { key, padding } => key
                .encrypt(*padding, &plaintext, rng)
                .map_err(|e| e.on(Side::Outgoing)),
            Working::RsaDecrypt { .. } => Err(invalid(Problem::AttributesForKey, Side::Outgoing)),
        }
    }

    /// The plaintext length an incoming side will give, when it is known before decrypting.
    fn known_plaintext_len(w: &Working<'_>, ciphertext_len: usize) -> Option<usize> {
        matches!(w, Working::Symmetric { .. }).then_some(ciphertext_len)
    }

    /// `ReEncryptData`: decrypt `ciphertext` under the incoming side, encrypt under the outgoing side.
    ///
    /// `rng` supplies RSA padding randomness and blinding (unused by symmetric and DUKPT sides). Every
    /// rule is checked before the ciphertext is decrypted where the plaintext length is known in
    /// advance; the plaintext lives only in a buffer that is wiped on success and on every error.
    pub fn reencrypt<R: TryCryptoRng + ?Sized>(
        incoming: &KeyUse<'_>,
        outgoing: &KeyUse<'_>,
        ciphertext: &[u8],
        rng: &mut R,
        policy: Policy,
    ) -> Result<Encrypted, Error> {
        reencrypt_derived(incoming, outgoing, ciphertext, rng, policy, [None, None])
    }

    /// [`reencrypt`] with the DUKPT working keys of the sides (incoming, outgoing) already derived by
    /// a batch derivation (`None`: derive here).
    pub(crate) fn reencrypt_derived<'k, R: TryCryptoRng + ?Sized>(
        incoming: &KeyUse<'k>,
        outgoing: &KeyUse<'k>,
        ciphertext: &[u8],
        rng: &mut R,
        policy: Policy,
        derived: [Option<&'k SymmetricKey>; 2],
    ) -> Result<Encrypted, Error> {
        scrubbed(|| reencrypt_unscrubbed(incoming, outgoing, ciphertext, rng, policy, derived))
    }

    fn reencrypt_unscrubbed<'k, R: TryCryptoRng + ?Sized>(
        incoming: &KeyUse<'k>,
        outgoing: &KeyUse<'k>,
        ciphertext: &[u8],
        rng: &mut R,
        policy: Policy,
        derived: [Option<&'k SymmetricKey>; 2],
    ) -> Result<Encrypted, Error> {
        check_raw_rsa_outgoing(incoming, outgoing)?;
        check_policy(incoming, outgoing, policy)?;
        check_max(ciphertext.len(), Side::Incoming)?;
        let inw = resolve(incoming, Side::Incoming, derived[0])?;
        let outw = resolve(outgoing, Side::Outgoing, derived[1])?;
        if let Some(len) = known_plaintext_len(&inw, ciphertext.len()) {
            inw.check_symmetric(ciphertext.len(), Side::Incoming)?;
            outw.check_plaintext_len(len)?;
        }
        let plaintext = decrypt_side(&inw, ciphertext, rng)?;
        outw.check_plaintext_len(plaintext.len())?;
        let ciphertext = encrypt_side(&outw, plaintext, rng)?;
        Ok(Encrypted {
            ciphertext,
            key_arn: *outgoing.key.arn(),
            kcv: outgoing.key.kcv(),
        })
    }

    /// `EncryptData`: encrypt `plaintext` under the side's key.
    pub fn encrypt<R: TryCryptoRng + ?Sized>(
        key: &KeyUse<'_>,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<Encrypted, Error> {
        encrypt_derived(key, plaintext, rng, None)
    }

    /// [`encrypt`] with the side's DUKPT working key already derived (`None`: derive here).
    pub(crate) fn encrypt_derived<'k, R: TryCryptoRng + ?Sized>(
        key: &KeyUse<'k>,
        plaintext: &[u8],
        rng: &mut R,
        derived: Option<&'k SymmetricKey>,
    ) -> Result<Encrypted, Error> {
        scrubbed(|| encrypt_unscrubbed(key, plaintext, rng, derived))
    }

    fn encrypt_unscrubbed<'k, R: TryCryptoRng + ?Sized>(
        key: &KeyUse<'k>,
        plaintext: &[u8],
        rng: &mut R,
        derived: Option<&'k SymmetricKey>,
    ) -> Result<Encrypted, Error> {
        check_max(plaintext.len(), Side::Outgoing)?;
        let w = resolve(key, Side::Outgoing, derived)?;
        w.check_plaintext_len(plaintext.len())?;
        let ciphertext = encrypt_side(&w, Zeroizing::new(plaintext.to_vec()), rng)?;
        Ok(Encrypted {
            ciphertext,
            key_arn: *key.key.arn(),
            kcv: key.key.kcv(),
        })
    }

    /// `DecryptData`: decrypt `ciphertext` under the side's key. The plaintext is wiped when dropped.
    pub fn decrypt<R: TryCryptoRng + ?Sized>(
        key: &KeyUse<'_>,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<Decrypted, Error> {
        decrypt_derived(key, ciphertext, rng, None)
    }

    /// [`decrypt`] with the side's DUKPT working key already derived (`None`: derive here).
    pub(crate) fn decrypt_derived<'k, R: TryCryptoRng + ?Sized>(
        key: &KeyUse<'k>,
        ciphertext: &[u8],
        rng: &mut R,
        derived: Option<&'k SymmetricKey>,
    ) -> Result<Decrypted, Error> {
        scrubbed(|| decrypt_unscrubbed(key, ciphertext, rng, derived))
    }

    fn decrypt_unscrubbed<'k, R: TryCryptoRng + ?Sized>(
        key: &KeyUse<'k>,
        ciphertext: &[u8],
        rng: &mut R,
        derived: Option<&'k SymmetricKey>,
    ) -> Result<Decrypted, Error> {
        check_max(ciphertext.len(), Side::Incoming)?;
        let w = resolve(key, Side::Incoming, derived)?;
        let plaintext = decrypt_side(&w, ciphertext, rng)?;
        Ok(Decrypted {
            plaintext,
            key_arn: *key.key.arn(),
            kcv: key.key.kcv(),
        })
    }
}

#[cfg(feature = "alloc")]
pub use owned::{decrypt, encrypt, reencrypt};
#[cfg(feature = "serde")]
pub(crate) use owned::{decrypt_derived, encrypt_derived, reencrypt_derived};
