//! Certificates: the emulator's certificate authority, the certificates it issues, and the checks of
//! certificates a client imports. All X.509 is RustCrypto's `x509-cert` (building and parsing) with
//! `rsa`'s PKCS#1 v1.5 signatures (SHA-256 when issuing; SHA-256, SHA-384 or SHA-512 accepted).
//!
//! - The authority is an RSA-2048 key pair and a self-signed CA certificate (10 years), made when a
//!   state is created and kept in it (sealed), so that certificates stay valid across restarts. An
//!   in-memory state makes one at start.
//! - `GetParametersForImport(KEY_CRYPTOGRAM)` gets a certificate for the token's wrapping key (30
//!   days, key usage `keyEncipherment`), `GetPublicKeyCertificate` one for a key pair (90 days,
//!   `digitalSignature`, `keyEncipherment`); the chain is the CA certificate. AWS returns both as
//!   base64 of the PEM text, and so does this module ([`b64_pem`]).
//! - `ImportKey` with `RootCertificatePublicKey` takes a self-signed CA certificate whose signature
//!   verifies under its own key; with `TrustedCertificatePublicKey`, a certificate whose signature
//!   verifies under an imported root's key and whose issuer is that root's subject. Both must be
//!   within their validity period and carry an RSA key.

use std::str::FromStr;
use std::time::Duration;

use base64ct::{Base64, Encoding};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::Verifier;
use sha2::{Sha256, Sha384, Sha512};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::{Certificate, TbsCertificate};
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::flagset::FlagSet;
use x509_cert::der::{Decode, DecodePem, Encode, EncodePem, pem::LineEnding};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::Validity;

use crate::engine::{OsRng, RsaPrivateKey, RsaSize};
use crate::state::store::AuthorityRecord;

/// How long the authority's own certificate is valid.
const CA_VALIDITY: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
/// The authority's subject.
const CA_SUBJECT: &str = "CN=paycrypt-server emulator CA,O=paycrypt";

/// The certificate authority.
pub struct Authority {
    signer: rsa::pkcs1v15::SigningKey<Sha256>,
    certificate: Certificate,
    certificate_pem: String,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority").finish_non_exhaustive()
    }
}

/// A profile: the issuer and subject names and the extensions of a CA or an end-entity certificate.
struct Profile {
    issuer: Name,
    subject: Name,
    ca: bool,
    usage: FlagSet<KeyUsages>,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut extensions: Vec<Extension> = Vec::new();
        let ski = SubjectKeyIdentifier::try_from(spk)?;
        extensions.push(
            AuthorityKeyIdentifier::try_from(issuer_spk)?
                .to_extension(tbs.subject(), &extensions)?,
        );
        extensions.push(
            BasicConstraints {
                ca: self.ca,
                path_len_constraint: None,
            }
            .to_extension(tbs.subject(), &extensions)?,
        );
        extensions.push(KeyUsage(self.usage).to_extension(tbs.subject(), &extensions)?);
        extensions.push(ski.to_extension(tbs.subject(), &extensions)?);
        Ok(extensions)
    }
}

/// Base64 of PEM text: how AWS's control plane carries certificates.
pub fn b64_pem(pem: &str) -> String {
    Base64::encode_string(pem.as_bytes())
}

fn rng() -> rsa::rand_core::UnwrapErr<OsRng> {
    rsa::rand_core::UnwrapErr(OsRng)
}

fn signer_of(key: &RsaPrivateKey) -> Result<rsa::pkcs1v15::SigningKey<Sha256>, String> {
    let der = key
        .to_pkcs8_der()
        .map_err(|e| format!("the authority key cannot be encoded: {e}"))?;
    let inner = rsa::PrivateKey::from_pkcs8_der(&der)
        .map_err(|e| format!("the authority key cannot be read: {e}"))?;
    Ok(rsa::pkcs1v15::SigningKey::<Sha256>::new(inner))
}

impl Authority {
    /// A new authority: an RSA-2048 key pair and its self-signed certificate.
    pub fn generate() -> Result<(Self, AuthorityRecord), String> {
        let key = RsaPrivateKey::generate(RsaSize::Rsa2048, &mut OsRng)
            .map_err(|e| format!("cannot generate the certificate authority's key: {e}"))?;
        let signer = signer_of(&key)?;
        let spki = SubjectPublicKeyInfoOwned::from_der(
            &key.public_key()
                .to_spki_der()
                .map_err(|e| format!("cannot encode the authority's public key: {e}"))?,
        )
        .map_err(|e| format!("cannot encode the authority's public key: {e}"))?;
        let subject = Name::from_str(CA_SUBJECT).map_err(|e| e.to_string())?;
        let profile = Profile {
            issuer: subject.clone(),
            subject,
            ca: true,
            usage: KeyUsages::KeyCertSign | KeyUsages::CRLSign,
        };
        let validity = Validity::from_now(CA_VALIDITY).map_err(|e| e.to_string())?;
        let serial = SerialNumber::generate(&mut rng());
        let builder = CertificateBuilder::new(profile, serial, validity, spki)
            .map_err(|e| format!("cannot build the authority's certificate: {e}"))?;
        let certificate = builder
            .build_with_rng::<_, rsa::pkcs1v15::Signature, _>(&signer, &mut rng())
            .map_err(|e| format!("cannot sign the authority's certificate: {e}"))?;
        let certificate_pem = certificate
            .to_pem(LineEnding::LF)
            .map_err(|e| e.to_string())?;
        let private_key_pem = key
            .to_pkcs8_pem()
            .map_err(|e| format!("cannot encode the authority's key: {e}"))?;
        let record = AuthorityRecord {
            private_key_pem,
            certificate_pem: certificate_pem.clone(),
        };
        Ok((
            Authority {
                signer,
                certificate,
                certificate_pem,
            },
            record,
        ))
    }

    /// The authority a state keeps.
    pub fn from_record(record: &AuthorityRecord) -> Result<Self, String> {
        let key = RsaPrivateKey::from_pem(&record.private_key_pem)
            .map_err(|e| format!("the certificate authority's key cannot be read: {e}"))?;
        let certificate = Certificate::from_pem(record.certificate_pem.as_bytes())
            .map_err(|e| format!("the certificate authority's certificate cannot be read: {e}"))?;
        Ok(Authority {
            signer: signer_of(&key)?,
            certificate,
            certificate_pem: record.certificate_pem.clone(),
        })
    }

    /// The CA certificate, PEM.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// Issue an end-entity certificate for `spki_der` (DER SubjectPublicKeyInfo), valid `days`.
    pub fn issue(
        &self,
        common_name: &str,
        spki_der: &[u8],
        days: u64,
        usage: FlagSet<KeyUsages>,
    ) -> Result<String, String> {
        let spki = SubjectPublicKeyInfoOwned::from_der(spki_der).map_err(|e| e.to_string())?;
        let subject =
            Name::from_str(&format!("CN={common_name},O=paycrypt")).map_err(|e| e.to_string())?;
        let profile = Profile {
            issuer: self.certificate.tbs_certificate().subject().clone(),
            subject,
            ca: false,
            usage,
        };
        let validity =
            Validity::from_now(Duration::from_secs(days * 24 * 3600)).map_err(|e| e.to_string())?;
        let builder =
            CertificateBuilder::new(profile, SerialNumber::generate(&mut rng()), validity, spki)
                .map_err(|e| format!("cannot build a certificate: {e}"))?;
        let certificate = builder
            .build_with_rng::<_, rsa::pkcs1v15::Signature, _>(&self.signer, &mut rng())
            .map_err(|e| format!("cannot sign a certificate: {e}"))?;
        certificate
            .to_pem(LineEnding::LF)
            .map_err(|e| e.to_string())
    }
}

/// The key usage of an import wrapping key's certificate.
pub fn wrapping_key_usage() -> FlagSet<KeyUsages> {
    KeyUsages::KeyEncipherment.into()
}

/// The key usages of a key pair's certificate.
pub fn key_pair_usage() -> FlagSet<KeyUsages> {
    KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment
}

/// Why an imported certificate is refused (the message of a `ValidationException`).
pub type Refusal = String;

/// A certificate given as base64 of PEM text (or, leniently, base64 of DER).
pub fn parse_b64(text: &str) -> Result<Certificate, Refusal> {
    let bytes = Base64::decode_vec(text.trim())
        .map_err(|_| "PublicKeyCertificate is not base64".to_string())?;
    let parsed = if bytes.starts_with(b"-----BEGIN") {
        Certificate::from_pem(&bytes)
    } else {
        Certificate::from_der(&bytes)
    };
    parsed.map_err(|_| "PublicKeyCertificate is not an X.509 certificate in PEM form".to_string())
}

/// The certificate's SubjectPublicKeyInfo, DER.
pub fn public_key_der(certificate: &Certificate) -> Result<Vec<u8>, Refusal> {
    certificate
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|_| "the certificate's public key cannot be read".to_string())
}

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");

/// Check that `certificate` is within its validity period at `now_secs` and that its signature
/// verifies under `issuer_spki_der`.
pub fn verify_signed_by(
    certificate: &Certificate,
    issuer_spki_der: &[u8],
    now_secs: u64,
) -> Result<(), Refusal> {
    let validity = certificate.tbs_certificate().validity();
    let not_before = validity.not_before.to_unix_duration().as_secs();
    let not_after = validity.not_after.to_unix_duration().as_secs();
    if now_secs < not_before || now_secs > not_after {
        return Err("the certificate is not within its validity period".to_string());
    }
    let issuer = rsa::PublicKey::try_from(
        SubjectPublicKeyInfoRef::from_der(issuer_spki_der)
            .map_err(|_| "the issuer's public key cannot be read".to_string())?,
    )
    .map_err(|_| "the issuer's key is not an RSA key".to_string())?;
    let tbs = certificate
        .tbs_certificate()
        .to_der()
        .map_err(|_| "the certificate cannot be encoded".to_string())?;
    let signature = certificate
        .signature()
        .as_bytes()
        .ok_or_else(|| "the certificate's signature is malformed".to_string())?;
    let signature = rsa::pkcs1v15::Signature::try_from(signature)
        .map_err(|_| "the certificate's signature is malformed".to_string())?;
    let algorithm = certificate.signature_algorithm().oid;
    let verified = if algorithm == SHA256_WITH_RSA {
        rsa::pkcs1v15::VerifyingKey::<Sha256>::new(issuer).verify(&tbs, &signature)
    } else if algorithm == SHA384_WITH_RSA {
        rsa::pkcs1v15::VerifyingKey::<Sha384>::new(issuer).verify(&tbs, &signature)
    } else if algorithm == SHA512_WITH_RSA {
        rsa::pkcs1v15::VerifyingKey::<Sha512>::new(issuer).verify(&tbs, &signature)
    } else {
        return Err(
            "the certificate's signature algorithm is not RSA PKCS#1 v1.5 with SHA-256, SHA-384 or \
             SHA-512 (the ones this emulator verifies)"
                .to_string(),
        );
    };
    verified.map_err(|_| {
        "the certificate's signature does not verify under its issuer's key".to_string()
    })
}

/// Check a root (CA) certificate: self-issued, self-signed, within its validity period.
pub fn verify_root(certificate: &Certificate, now_secs: u64) -> Result<Vec<u8>, Refusal> {
    let tbs = certificate.tbs_certificate();
    if tbs.issuer() != tbs.subject() {
        return Err("a root certificate must be self-issued (issuer = subject)".to_string());
    }
    let spki = public_key_der(certificate)?;
    verify_signed_by(certificate, &spki, now_secs)?;
    Ok(spki)
}

/// The seconds since the epoch now.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_certificates_verify_under_the_authority() {
        let (ca, record) = Authority::generate().unwrap();
        let again = Authority::from_record(&record).unwrap();
        assert_eq!(again.certificate_pem(), ca.certificate_pem());
        let root = Certificate::from_pem(ca.certificate_pem().as_bytes()).unwrap();
        let ca_spki = verify_root(&root, now_secs()).unwrap();
        let leaf_key = RsaPrivateKey::generate(RsaSize::Rsa2048, &mut OsRng).unwrap();
        let spki = leaf_key.public_key().to_spki_der().unwrap();
        let pem = again
            .issue("a wrapping key", &spki, 30, wrapping_key_usage())
            .unwrap();
        let leaf = parse_b64(&b64_pem(&pem)).unwrap();
        verify_signed_by(&leaf, &ca_spki, now_secs()).unwrap();
        assert_eq!(public_key_der(&leaf).unwrap(), spki);
        assert!(verify_root(&leaf, now_secs()).is_err());
        // Out of its validity period.
        assert!(verify_signed_by(&leaf, &ca_spki, now_secs() + 31 * 24 * 3600).is_err());
        // Under another key.
        assert!(verify_signed_by(&leaf, &spki, now_secs()).is_err());
        assert!(parse_b64("bm90IGEgY2VydA==").is_err());
        assert!(parse_b64("%%%").is_err());
    }
}
