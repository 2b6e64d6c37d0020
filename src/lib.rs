#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
// The library's own lints (the workspace's are in `Cargo.toml`): an exemption says why, and goes
// stale loudly (`#[expect]`, not `#[allow]`).
#![warn(
    missing_debug_implementations,
    unreachable_pub,
    clippy::must_use_candidate,
    clippy::missing_panics_doc,
    clippy::missing_errors_doc,
    clippy::allow_attributes,
    clippy::allow_attributes_without_reason
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(feature = "alloc", test))]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod algorithm;
pub mod dukpt;
mod error;
pub mod hex;
mod kcv;
mod key;
pub mod keystore;
mod mac;
pub mod operation;
pub mod rsa;
mod scrub;
pub mod symmetric;
pub mod tdes;
#[cfg(test)]
mod test_rng;
pub mod tr31;
#[cfg(feature = "json")]
#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
pub mod wire;

// The public interface. The headline operation and its types:
#[cfg(feature = "alloc")]
pub use operation::{Decrypted, Encrypted, decrypt, encrypt, reencrypt, reencrypt_with_policy};
pub use operation::{
    EncryptionAttributes, KeyUse, Policy, Receipt, decrypt_in_place, encrypt_in_place,
    reencrypt_in_place, reencrypt_in_place_with_policy,
};
// Keys and where they are stored:
pub use key::SymmetricKey;
#[cfg(feature = "alloc")]
pub use keystore::MemoryKeyStore;
pub use keystore::{
    AttributesRefused, Key, KeyArn, KeyAttributes, KeyClass, KeyIdentifier, KeyMaterial,
    KeyModesOfUse, KeyState, KeyStore, KeyUsage, RefusedAttribute, allowed_modes,
};
pub use rsa::{RsaPadding, RsaPrivateKey, RsaPublicKey};
// The vocabulary, check values and MACs:
pub use algorithm::{KeyAlgorithm, Mode, RsaSize, SymmetricAlgorithm};
pub use dukpt::{DukptKeyVariant, Ksn};
pub use kcv::{Kcv, KcvAlgorithm};
pub use mac::Mac;
pub use symmetric::Iv;
// The error:
pub use error::{Error, Problem, Result, Side};
// Randomness: every operation takes the caller's RNG.
/// The operating system's RNG (`getrandom`), a `TryCryptoRng`; `std` feature only.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use getrandom::SysRng as OsRng;
/// The `rand_core` (0.10) whose `TryCryptoRng` every RNG parameter is bound by: implement it on a
/// firmware's TRNG.
pub use rand_core;
