//! RSA data encryption: PKCS#1 v1.5, OAEP (SHA-1, SHA-256, SHA-512) and raw RSA (feature `rsa`).
//!
//! An RSA key stands on either side of a re-encryption: incoming, the ciphertext is decrypted with an
//! [`RsaPrivateKey`]; outgoing, the plaintext is encrypted with an [`RsaPublicKey`] (an imported public
//! key, or [`RsaPrivateKey::public_key`]). Sizes are 2048, 3072 and 4096 bits only.
//!
//! | padding | AWS name | plaintext limit (k = modulus bytes) | RSA-2048 | RSA-3072 | RSA-4096 |
//! |---|---|---|---|---|---|
//! | PKCS#1 v1.5 type 2 | `PKCS1` | k − 11 | 245 | 373 | 501 |
//! | OAEP, SHA-1, MGF1-SHA-1, empty label | `OAEP_SHA1` | k − 42 | 214 | 342 | 470 |
//! | OAEP, SHA-256, MGF1-SHA-256, empty label | `OAEP_SHA256` | k − 66 | 190 | 318 | 446 |
//! | OAEP, SHA-512, MGF1-SHA-512, empty label | `OAEP_SHA512` | k − 130 | 126 | 254 | 382 |
//! | none (raw RSA) | (absent) | exactly k, value below the modulus | 256 | 384 | 512 |
//!
//! # No padding oracle
//!
//! Every decryption failure (a ciphertext that is not exactly k bytes, a value not below the modulus,
//! bad OAEP padding, a failed fault check) is the one error [`Error::Decryption`]. The OAEP checks are
//! combined into one secret bit in constant time before the single branch that reports the failure.
//!
//! # The private operation
//!
//! CRT exponentiation on values prepared once at key import, in constant time (checked under valgrind,
//! see `SECURITY.md`), always blinded: each key keeps a blinding pair (`rᵉ`, `r⁻¹`), squares it for every
//! operation and draws a fresh `r` every 32 operations; the pair is shared by threads behind a lock that
//! is never waited for. Exponent blinding and the fault check (`mᵉ = c` before `m` is released) are
//! [`RsaHardening`] options: the fault check is on by default, exponent blinding (against power
//! analysis) off.
//!
//! **PKCS#1 v1.5 never fails on bad padding.** It uses *implicit rejection* (the `rsa` 0.10 behaviour,
//! byte-identical to OpenSSL ≥ 3.2 and draft-irtf-cfrg-rsa-guidance): a ciphertext whose padding is
//! malformed decrypts to a synthetic message derived deterministically from the private key and the
//! ciphertext. A re-encryption of such a ciphertext succeeds and returns garbage under the outgoing key;
//! it does not fail. That is deliberate: a distinguishable failure (an error, or a timing difference) is
//! exactly the Bleichenbacher / Marvin padding oracle that lets an attacker decrypt any PKCS#1 v1.5
//! ciphertext or sign with the key. The protocol around the data must authenticate it.
//!
//! # Randomness
//!
//! Every operation takes a caller-supplied RNG (`rand_core` 0.10 `TryCryptoRng`, re-exported as
//! [`crate::rand_core`]), so firmware can pass its TRNG: decryption draws a key's blinding factor (at its
//! first private operation and every 32 after it) and, with exponent blinding, 256 bits per operation;
//! encryption draws the padding. There is no hidden global RNG; with the `std` feature
//! [`OsRng`](crate::OsRng) is the operating system's. An RNG failure is [`Error::Rng`].
//!
//! # Keys
//!
//! [`RsaPrivateKey`] reads PKCS#8 or PKCS#1 (DER, or PEM told apart by its label); [`RsaPublicKey`] reads
//! SubjectPublicKeyInfo or PKCS#1. Unparseable material is [`Problem::KeyEncoding`]; a well-formed key of
//! any size but 2048, 3072 or 4096 bits is [`Problem::RsaKeySize`]. The key check value ([`KcvAlgorithm::Sha1`](crate::KcvAlgorithm::Sha1))
//! is the leftmost 4 bytes of SHA-1 over the DER SubjectPublicKeyInfo **(decision)**.
//!
//! # Without the `rsa` feature
//!
//! [`RsaPadding`] and [`max_plaintext_len`] need nothing and are always there. [`RsaPrivateKey`] and
//! [`RsaPublicKey`] are then uninhabited: the key store and the operation name them in every build, but
//! no value can be made (their constructors give [`Problem::RsaUnavailable`]), so an RSA side never
//! reaches the engine and no code of the `rsa` crate is linked.
//! ```
//! use paycrypt::rsa::{max_plaintext_len, RsaPadding};
//! use paycrypt::RsaSize;
//!
//! let oaep = RsaPadding::from_aws_name("OAEP_SHA256").unwrap();
//! assert_eq!(max_plaintext_len(RsaSize::Rsa2048, Some(oaep)), 190);
//! assert_eq!(max_plaintext_len(RsaSize::Rsa2048, Some(RsaPadding::Pkcs1)), 245);
//! assert_eq!(max_plaintext_len(RsaSize::Rsa2048, None), 256);
//! ```

#[cfg(doc)]
use crate::{Error, Problem};

mod padding;

pub use padding::{RsaPadding, max_plaintext_len};

#[cfg(feature = "rsa")]
mod keys;
#[cfg(not(feature = "rsa"))]
mod unavailable;

#[cfg(feature = "rsa")]
pub use keys::{RsaHardening, RsaPrivateKey, RsaPublicKey};
#[cfg(not(feature = "rsa"))]
pub use unavailable::{RsaPrivateKey, RsaPublicKey};

#[cfg(feature = "test-vectors")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-vectors")))]
pub use keys::test_vectors;
