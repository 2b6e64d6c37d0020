//! The operations: `ReEncryptData`, `EncryptData` and `DecryptData` on one engine.
//!
//! ```
//! # #[cfg(feature = "std")] {
//! use paycrypt::{EncryptionAttributes, Key, KeyArn, KeyModesOfUse, KeyUsage, KeyUse, Mode, SymmetricKey};
//! use paycrypt::SymmetricAlgorithm::Aes128;
//!
//! let arn = KeyArn::parse("arn:aws:payment-cryptography:us-east-2:111122223333:key/aes128000000000001")?;
//! let modes = KeyModesOfUse { encrypt: true, decrypt: true, ..KeyModesOfUse::default() };
//! let material = SymmetricKey::from_hex(Aes128, "00112233445566778899AABBCCDDEEFF")?;
//! let key = Key::from_material(arn, KeyUsage::D0SymmetricDataEncryptionKey, modes, material)?;
//! let side = KeyUse::new(&key, EncryptionAttributes::symmetric(Mode::Cbc, None));
//!
//! let card = *b"4111111111111111";
//! let sealed = paycrypt::encrypt(&side, &card, &mut paycrypt::OsRng)?;
//! let opened = paycrypt::decrypt(&side, &sealed.ciphertext, &mut paycrypt::OsRng)?;
//! assert_eq!(&opened.plaintext[..], &card);
//! assert_eq!(sealed.receipt.kcv.to_string(), "53E107");
//! # }
//! # Ok::<(), paycrypt::Error>(())
//! ```
//!
//! Each side of an operation is a [`KeyUse`]: a stored [`Key`] and the [`EncryptionAttributes`] that
//! say how to use it. The engine checks every rule before it touches the data (the table below, the
//! validation table of `DECISIONS.md`), decrypts into a buffer that is wiped on every path, and encrypts
//! under the outgoing working key. The answer carries the [`Receipt`] of the key that produced the
//! output: its ARN (never an alias) and its key check value (for a DUKPT side, the BDK's).
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
//! [`Error::AccessDenied`]. [`Policy::StrictAws`] refuses, besides, what the live service refuses.
//!
//! **Raw RSA outgoing.** An RSA outgoing side of `ReEncryptData` needs a `PaddingType`
//! ([`Problem::PaddingTypeRequired`], under every [`Policy`]): raw RSA refuses a plaintext that is not
//! below the modulus, and that visible refusal made any RSA public key a plaintext oracle (the
//! security audit's H1; `DECISIONS.md`, "Raw RSA"). Raw RSA outgoing works only for a key that opts in
//! ([`Key::with_raw_rsa_outgoing`], not AWS) and never from an RSA incoming side.
//!
//! **Without an allocator.** [`reencrypt_in_place`], [`encrypt_in_place`] and [`decrypt_in_place`]
//! serve symmetric and DUKPT sides on the caller's buffer of up to [`MAX_DATA_LEN`] bytes; RSA changes
//! the length and needs the owned forms (feature `alloc`).
//!
//! **Wiping.** Every public operation runs in a frame of its own and overwrites the stack it used
//! before it returns (the crate's `scrub` module): derived working keys and cipher temporaries do not
//! outlive it.

mod attributes;
mod side;

pub use attributes::{
    AsymmetricAttributes, DukptAttributes, EncryptionAttributes, SymmetricAttributes,
};

#[cfg(feature = "alloc")]
use alloc::vec::Vec;
#[cfg(feature = "alloc")]
use core::fmt;

#[cfg(feature = "alloc")]
use rand_core::TryCryptoRng;
#[cfg(feature = "alloc")]
use zeroize::Zeroizing;

#[cfg(doc)]
use crate::error::Error;
use crate::error::{Problem, Result, Side};
use crate::kcv::Kcv;
#[cfg(feature = "alloc")]
use crate::key::SymmetricKey;
use crate::keystore::{Key, KeyArn};
use crate::scrub::scrubbed;

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
    /// a TDES BDK. For emulators that must refuse what the service refuses.
    StrictAws,
}

/// One side of an operation: a stored key and how to use it.
///
/// Built with [`KeyUse::new`]; the operation checks the key's rules for the side it stands on.
#[derive(Clone, Copy, Debug)]
pub struct KeyUse<'k> {
    key: &'k Key,
    attributes: EncryptionAttributes,
}

impl<'k> KeyUse<'k> {
    /// `key` (already looked up: [`KeyStore::lookup`](crate::KeyStore::lookup)), used as
    /// `attributes` say.
    #[must_use]
    pub const fn new(key: &'k Key, attributes: EncryptionAttributes) -> Self {
        KeyUse { key, attributes }
    }

    /// The key.
    #[must_use]
    pub const fn key(&self) -> &'k Key {
        self.key
    }

    /// How the key is used.
    #[must_use]
    pub const fn attributes(&self) -> &EncryptionAttributes {
        &self.attributes
    }

    /// What the answer of an operation that produced its output on this side says about the key.
    fn receipt(&self) -> Receipt {
        Receipt {
            key_arn: *self.key.arn(),
            kcv: self.key.kcv(),
        }
    }
}

/// The key that produced an operation's output: its ARN and check value (the outgoing key's for a
/// re-encryption; the BDK's for a DUKPT side).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The key's ARN (never an alias).
    pub key_arn: KeyArn,
    /// The key's check value.
    pub kcv: Kcv,
}

/// A ciphertext with the [`Receipt`] of the key that made it.
#[cfg(feature = "alloc")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encrypted {
    /// The new ciphertext.
    pub ciphertext: Vec<u8>,
    /// The (outgoing) key that made it.
    pub receipt: Receipt,
}

/// A plaintext (wiped on drop) with the [`Receipt`] of the key that recovered it. `Debug` shows the
/// plaintext's length, never the plaintext.
#[cfg(feature = "alloc")]
pub struct Decrypted {
    /// The plaintext.
    pub plaintext: Zeroizing<Vec<u8>>,
    /// The key that recovered it.
    pub receipt: Receipt,
}

#[cfg(feature = "alloc")]
impl fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decrypted")
            .field("plaintext_len", &self.plaintext.len())
            .field("receipt", &self.receipt)
            .finish()
    }
}

/// `ReEncryptData`: decrypt `ciphertext` under the incoming side, encrypt it under the outgoing side,
/// with the [`Policy::Documented`] rules.
///
/// `rng` supplies RSA padding randomness and blinding (symmetric and DUKPT sides draw nothing). Every
/// rule is checked before the ciphertext is decrypted where the plaintext length is known in advance
/// (every incoming side but RSA); the plaintext lives only in a buffer that is wiped on success and on
/// every error.
///
/// # Errors
///
/// Any rule of either side ([`Error::Invalid`] with its side, [`Error::AccessDenied`]),
/// [`Error::Decryption`] for a ciphertext that does not decrypt, [`Error::Rng`].
#[cfg(feature = "alloc")]
pub fn reencrypt<R: TryCryptoRng + ?Sized>(
    incoming: &KeyUse<'_>,
    outgoing: &KeyUse<'_>,
    ciphertext: &[u8],
    rng: &mut R,
) -> Result<Encrypted> {
    reencrypt_with_policy(incoming, outgoing, ciphertext, rng, Policy::Documented)
}

/// [`reencrypt`] under `policy` ([`Policy::StrictAws`] for an emulator of the live service).
///
/// # Errors
///
/// As [`reencrypt`]; [`Problem::PolicyRefused`] for a pairing the policy refuses.
#[cfg(feature = "alloc")]
pub fn reencrypt_with_policy<R: TryCryptoRng + ?Sized>(
    incoming: &KeyUse<'_>,
    outgoing: &KeyUse<'_>,
    ciphertext: &[u8],
    rng: &mut R,
    policy: Policy,
) -> Result<Encrypted> {
    let run = Run {
        policy,
        derived: [None, None],
    };
    run.reencrypt(incoming, outgoing, ciphertext, rng)
}

/// `EncryptData`: encrypt `plaintext` under the key's (outgoing) side.
///
/// # Errors
///
/// Any rule of the side, [`Error::Rng`].
#[cfg(feature = "alloc")]
pub fn encrypt<R: TryCryptoRng + ?Sized>(
    key: &KeyUse<'_>,
    plaintext: &[u8],
    rng: &mut R,
) -> Result<Encrypted> {
    Run::default().encrypt(key, plaintext, rng)
}

/// `DecryptData`: decrypt `ciphertext` under the key's (incoming) side. The plaintext is wiped when
/// dropped.
///
/// # Errors
///
/// Any rule of the side, [`Error::Decryption`], [`Error::Rng`].
#[cfg(feature = "alloc")]
pub fn decrypt<R: TryCryptoRng + ?Sized>(
    key: &KeyUse<'_>,
    ciphertext: &[u8],
    rng: &mut R,
) -> Result<Decrypted> {
    Run::default().decrypt(key, ciphertext, rng)
}

/// `ReEncryptData` in place, with the [`Policy::Documented`] rules: `buf` holds the ciphertext under
/// the incoming side and, on success, the ciphertext under the outgoing side (same length). Symmetric
/// and DUKPT sides only (RSA changes the length: use [`reencrypt`]).
///
/// Every check runs before the data is touched; on error `buf` is unchanged. The plaintext exists only
/// in `buf`, between the two steps.
///
/// # Errors
///
/// As [`reencrypt`]; an RSA side is [`Problem::AttributesForKey`].
pub fn reencrypt_in_place(
    incoming: &KeyUse<'_>,
    outgoing: &KeyUse<'_>,
    buf: &mut [u8],
) -> Result<Receipt> {
    reencrypt_in_place_with_policy(incoming, outgoing, buf, Policy::Documented)
}

/// [`reencrypt_in_place`] under `policy`.
///
/// # Errors
///
/// As [`reencrypt_in_place`]; [`Problem::PolicyRefused`] for a pairing the policy refuses.
pub fn reencrypt_in_place_with_policy(
    incoming: &KeyUse<'_>,
    outgoing: &KeyUse<'_>,
    buf: &mut [u8],
    policy: Policy,
) -> Result<Receipt> {
    scrubbed(|| {
        check_pair(incoming, outgoing, policy)?;
        check_max(buf.len(), Side::Incoming)?;
        let inw = incoming.resolve(Side::Incoming, None)?;
        let outw = outgoing.resolve(Side::Outgoing, None)?;
        inw.check_in_place(buf.len(), Side::Incoming)?;
        outw.check_in_place(buf.len(), Side::Outgoing)?;
        inw.apply_in_place(buf, Side::Incoming)?;
        if let Err(e) = outw.apply_in_place(buf, Side::Outgoing) {
            // Checked above, so not reached; if it were, the plaintext must not stay behind.
            zeroize::Zeroize::zeroize(buf);
            return Err(e);
        }
        Ok(outgoing.receipt())
    })
}

/// `EncryptData` in place (symmetric and DUKPT sides): `buf` holds the plaintext, then the ciphertext.
///
/// # Errors
///
/// As [`encrypt`]; an RSA side is [`Problem::AttributesForKey`].
pub fn encrypt_in_place(key: &KeyUse<'_>, buf: &mut [u8]) -> Result<Receipt> {
    in_place(key, buf, Side::Outgoing)
}

/// `DecryptData` in place (symmetric and DUKPT sides): `buf` holds the ciphertext, then the plaintext.
///
/// # Errors
///
/// As [`decrypt`]; an RSA side is [`Problem::AttributesForKey`].
pub fn decrypt_in_place(key: &KeyUse<'_>, buf: &mut [u8]) -> Result<Receipt> {
    in_place(key, buf, Side::Incoming)
}

fn in_place(key: &KeyUse<'_>, buf: &mut [u8], side: Side) -> Result<Receipt> {
    scrubbed(|| {
        check_max(buf.len(), side)?;
        let w = key.resolve(side, None)?;
        w.check_in_place(buf.len(), side)?;
        w.apply_in_place(buf, side)?;
        Ok(key.receipt())
    })
}

/// How one owned operation runs: its policy and the DUKPT working keys of its (incoming, outgoing)
/// sides that a batch derived ahead (`None`: derived here). The wire layer's batch
/// (`wire::handle_values`) is the caller that derives ahead; every rule of a side is still checked
/// before its key is used.
#[cfg(feature = "alloc")]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Run<'k> {
    pub(crate) policy: Policy,
    pub(crate) derived: [Option<&'k SymmetricKey>; 2],
}

#[cfg(feature = "alloc")]
impl<'k> Run<'k> {
    fn derived(&self, side: Side) -> Option<&'k SymmetricKey> {
        match side {
            Side::Incoming => self.derived[0],
            Side::Outgoing => self.derived[1],
        }
    }

    /// [`reencrypt_with_policy`].
    pub(crate) fn reencrypt<R: TryCryptoRng + ?Sized>(
        &self,
        incoming: &KeyUse<'k>,
        outgoing: &KeyUse<'k>,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<Encrypted> {
        scrubbed(|| {
            check_pair(incoming, outgoing, self.policy)?;
            check_max(ciphertext.len(), Side::Incoming)?;
            let inw = incoming.resolve(Side::Incoming, self.derived(Side::Incoming))?;
            let outw = outgoing.resolve(Side::Outgoing, self.derived(Side::Outgoing))?;
            inw.check_input_len(ciphertext.len(), Side::Incoming)?;
            // Where the plaintext's length is known before decrypting, the outgoing side is checked
            // before the ciphertext is touched; after an RSA decryption, it is checked then.
            let known = inw.known_plaintext_len(ciphertext.len());
            if let Some(len) = known {
                outw.check_plaintext_len(len)?;
            }
            let plaintext = inw.decrypt(ciphertext, rng)?;
            if known.is_none() {
                outw.check_plaintext_len(plaintext.len())?;
            }
            Ok(Encrypted {
                ciphertext: outw.encrypt(plaintext, rng)?,
                receipt: outgoing.receipt(),
            })
        })
    }

    /// [`encrypt`].
    pub(crate) fn encrypt<R: TryCryptoRng + ?Sized>(
        &self,
        key: &KeyUse<'k>,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<Encrypted> {
        scrubbed(|| {
            check_max(plaintext.len(), Side::Outgoing)?;
            let w = key.resolve(Side::Outgoing, self.derived(Side::Outgoing))?;
            w.check_plaintext_len(plaintext.len())?;
            Ok(Encrypted {
                ciphertext: w.encrypt(Zeroizing::new(plaintext.to_vec()), rng)?,
                receipt: key.receipt(),
            })
        })
    }

    /// [`decrypt`].
    pub(crate) fn decrypt<R: TryCryptoRng + ?Sized>(
        &self,
        key: &KeyUse<'k>,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<Decrypted> {
        scrubbed(|| {
            check_max(ciphertext.len(), Side::Incoming)?;
            let w = key.resolve(Side::Incoming, self.derived(Side::Incoming))?;
            w.check_input_len(ciphertext.len(), Side::Incoming)?;
            Ok(Decrypted {
                plaintext: w.decrypt(ciphertext, rng)?,
                receipt: key.receipt(),
            })
        })
    }
}

fn check_max(len: usize, side: Side) -> Result<()> {
    if len > MAX_DATA_LEN {
        return Err(side::invalid(
            Problem::DataTooLong {
                max: MAX_DATA_LEN,
                actual: len,
            },
            side,
        ));
    }
    Ok(())
}

/// The rules about the pair of sides of a re-encryption: raw RSA outgoing, then the policy.
fn check_pair(incoming: &KeyUse<'_>, outgoing: &KeyUse<'_>, policy: Policy) -> Result<()> {
    check_raw_rsa_outgoing(incoming, outgoing)?;
    if policy == Policy::StrictAws {
        check_strict(incoming, outgoing)?;
    }
    Ok(())
}

/// Raw RSA (no `PaddingType`) as the outgoing side of `ReEncryptData`: refused under every policy
/// unless the outgoing key opts in ([`Key::with_raw_rsa_outgoing`]) and the incoming side is not RSA.
///
/// Raw RSA encryption refuses a plaintext not below the modulus, visibly; with a malleable incoming
/// side (OFB, CFB, a CBC IV) or a raw RSA one (Manger's attack), that refusal is a plaintext-recovery
/// oracle for whoever may request re-encryptions. `Symmetric` attributes without a `PaddingType` on an
/// RSA key never mean raw RSA, so they get the same error.
fn check_raw_rsa_outgoing(incoming: &KeyUse<'_>, outgoing: &KeyUse<'_>) -> Result<()> {
    if !outgoing.key.is_rsa() {
        return Ok(());
    }
    let (no_padding, asymmetric) = match &outgoing.attributes {
        EncryptionAttributes::Asymmetric(a) => (a.padding.is_none(), true),
        EncryptionAttributes::Symmetric(s) => (s.padding.is_none(), false),
        EncryptionAttributes::Dukpt(_) => (false, false),
    };
    let opted_in = asymmetric && outgoing.key.allows_raw_rsa_outgoing() && !incoming.key.is_rsa();
    if no_padding && !opted_in {
        return Err(side::invalid(Problem::PaddingTypeRequired, Side::Outgoing));
    }
    Ok(())
}

/// What [`Policy::StrictAws`] refuses besides the documented rules.
fn check_strict(incoming: &KeyUse<'_>, outgoing: &KeyUse<'_>) -> Result<()> {
    use crate::keystore::{KeyMaterial, KeyUsage};
    let refused = |side| side::invalid(Problem::PolicyRefused, side);
    let d0 = |u: &KeyUse<'_>| {
        matches!(u.attributes, EncryptionAttributes::Symmetric(_))
            && !u.key.is_rsa()
            && u.key.attributes().key_usage == KeyUsage::D0SymmetricDataEncryptionKey
    };
    let tdes_bidirectional = |u: &KeyUse<'_>| match (&u.attributes, u.key.material()) {
        (EncryptionAttributes::Dukpt(d), KeyMaterial::Symmetric(k)) => {
            k.algorithm().is_tdes()
                && d.variant == Some(crate::dukpt::DukptKeyVariant::Bidirectional)
        }
        _ => false,
    };
    if d0(incoming) && d0(outgoing) || incoming.key.is_rsa() && outgoing.key.is_rsa() {
        return Err(refused(Side::Outgoing));
    }
    for (u, side) in [(incoming, Side::Incoming), (outgoing, Side::Outgoing)] {
        if tdes_bidirectional(u) {
            return Err(refused(side));
        }
    }
    Ok(())
}

#[cfg(test)]
#[cfg(feature = "alloc")]
mod tests {
    use super::*;

    /// `Debug` of a plaintext shows its length, never its bytes.
    #[test]
    fn decrypted_debug_shows_no_plaintext() {
        let d = Decrypted {
            plaintext: Zeroizing::new(alloc::vec![0x34; 16]),
            receipt: Receipt {
                key_arn: KeyArn::parse(
                    "arn:aws:payment-cryptography:us-east-2:111122223333:key/aes128000000000001",
                )
                .unwrap(),
                kcv: Kcv::from_prefix(&[1, 2, 3], 3),
            },
        };
        let shown = alloc::format!("{d:?}");
        assert!(
            shown.contains("plaintext_len: 16") && !shown.contains("52"),
            "{shown}"
        );
    }
}
