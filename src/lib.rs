#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(feature = "alloc", test))]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

pub mod dukpt;
mod error;
pub mod hex;
mod kcv;
mod key;
pub mod keystore;
pub mod reencrypt;
pub mod rsa;
mod scrub;
pub mod symmetric;
pub mod tdes;
pub mod tr31;
#[cfg(feature = "serde")]
pub mod wire;

pub use dukpt::{DukptKeyVariant, Ksn, derive_data_key};
pub use error::{AwsErrorKind, Error, Member, Problem, Side};
pub use kcv::{Kcv, KcvAlgorithm, Mac, cmac, default_symmetric_kcv, symmetric_kcv};
pub use key::{
    AttributesRefused, KeyAlgorithm, KeyArn, KeyAttributes, KeyClass, KeyIdentifier, KeyModesOfUse,
    KeyState, KeyUsage, MAX_IDENTIFIER_LEN, RefusedAttribute, RsaSize, SymmetricAlgorithm,
    SymmetricKey, allowed_modes,
};
#[cfg(feature = "alloc")]
pub use keystore::MemoryKeyStore;
pub use keystore::{Key, KeyMaterial, KeyStore, lookup};
pub use reencrypt::{EncryptionAttributes, KeyUse, Policy, Receipt};
pub use rsa::RsaPadding;
#[cfg(feature = "alloc")]
pub use rsa::{RsaPrivateKey, RsaPublicKey};
pub use symmetric::{Iv, Mode};
