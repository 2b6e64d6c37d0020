//! Many requests at once, for callers that have them (the CLI's `batch`, a server's queue):
//! [`handle_values`] answers each exactly as [`Request::execute`] would, and derives
//! the TDES DUKPT working keys of all of them first, per BDK, with
//! [`derive_data_keys`](crate::dukpt::derive_data_keys): 64 keys per pass of the bitsliced TDES core
//! instead of one derivation per request.
//!
//! A working key derived ahead is only handed to the operation with the side it was derived for; the
//! operation checks every rule of that side (key usage, modes of use, state, mode, IV, lengths) before
//! using it, as for a key derived on the spot. A request that fails its checks never uses its key, and
//! every derived key is wiped when the batch ends.

use alloc::vec::Vec;

use rand_core::TryCryptoRng;
use serde_json::Value;

use super::{Json, Operation, Request, ServiceError};
use crate::algorithm::SymmetricAlgorithm;
use crate::dukpt::{DataKeyRequest, derive_data_keys};
use crate::key::SymmetricKey;
use crate::keystore::{KeyMaterial, KeyStore};
use crate::operation::{EncryptionAttributes, Policy, Run};

/// Parse and run every request (operation and its JSON input): the answers in the same order, each
/// what [`Request::from_value`] and [`Request::execute`] give for it.
pub fn handle_values<S, R>(
    store: &S,
    requests: &[(Operation, &Value)],
    rng: &mut R,
    policy: Policy,
) -> Vec<Result<Json, ServiceError>>
where
    S: KeyStore + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    let parsed: Vec<Result<Request, ServiceError>> = requests
        .iter()
        .map(|(operation, value)| Request::from_value(*operation, value))
        .collect();

    // The TDES DUKPT sides, grouped by BDK: (BDK, [(slot, request)]); slot = 2 × request + side.
    let mut groups: Vec<(&SymmetricKey, Vec<usize>, Vec<DataKeyRequest>)> = Vec::new();
    for (i, request) in parsed.iter().enumerate() {
        let Ok(request) = request else { continue };
        let sides = match request {
            Request::ReEncryptData {
                incoming, outgoing, ..
            } => [Some(incoming), Some(outgoing)],
            Request::EncryptData { key, .. } => [None, Some(key)],
            Request::DecryptData { key, .. } => [Some(key), None],
        };
        // k: 0 incoming, 1 outgoing.
        for (k, side_request) in sides.into_iter().enumerate() {
            let Some(side_request) = side_request else {
                continue;
            };
            let EncryptionAttributes::Dukpt(d) = side_request.attributes else {
                continue;
            };
            let Ok(key) = store.lookup(&side_request.key_identifier) else {
                continue;
            };
            let KeyMaterial::Symmetric(bdk) = key.material() else {
                continue;
            };
            if bdk.algorithm() != SymmetricAlgorithm::Tdes2Key {
                continue;
            }
            let entry = DataKeyRequest {
                ksn: d.ksn,
                variant: d.variant,
                derivation_type: d.derivation_type,
            };
            match groups.iter_mut().find(|(b, _, _)| core::ptr::eq(*b, bdk)) {
                Some((_, slots, entries)) => {
                    slots.push(2 * i + k);
                    entries.push(entry);
                }
                None => groups.push((bdk, alloc::vec![2 * i + k], alloc::vec![entry])),
            }
        }
    }
    let mut derived: Vec<Option<SymmetricKey>> = (0..2 * parsed.len()).map(|_| None).collect();
    for (bdk, slots, entries) in &groups {
        derive_data_keys(bdk, entries, |j, key| {
            // An error is left to the operation, which derives again and reports it on its side.
            derived[slots[j]] = key.ok();
        });
    }

    parsed
        .into_iter()
        .enumerate()
        .map(|(i, request)| {
            let request = request?;
            let run = Run {
                policy,
                derived: [derived[2 * i].as_ref(), derived[2 * i + 1].as_ref()],
            };
            request.execute_with(store, rng, run)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryKeyStore;
    // No randomness is drawn by symmetric and DUKPT sides; RSA is not in these requests.
    use crate::test_rng::Constant;
    use alloc::format;
    use alloc::string::String;

    const ARN: &str = "arn:aws:payment-cryptography:us-east-2:111122223333:key/";

    #[test]
    fn batch_answers_equal_single_answers() {
        let store =
            MemoryKeyStore::from_json(include_str!("../../tests/fixtures/keystore.json")).unwrap();
        let mut lines: Vec<(Operation, Value)> = Vec::new();
        let mut x = 0x0123_4567_89AB_CDEFu64;
        for i in 0..300u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let counter = ((x >> 33) & 0x1F_FFFF).max(1);
            let bdk = [
                "tdesbdk00000000001",
                "awssamplebdk000001",
                "aes128bdk000000001",
            ][(i % 7 % 3) as usize];
            let ksn = if bdk.starts_with("aes") || i % 41 == 0 {
                format!("1234567890123456{:08X}", counter)
            } else {
                format!("FFFF9876543210E{:05X}", counter | ((i & 1) << 20))
            };
            let ksn = if ksn.len() == 21 {
                String::from(&ksn[1..])
            } else {
                ksn
            };
            let variant = ["REQUEST", "RESPONSE", "BIDIRECTIONAL"][(i % 3) as usize];
            let mut dukpt = serde_json::json!({
                "KeySerialNumber": ksn, "DukptKeyVariant": variant, "Mode": "CBC"
            });
            if i % 23 == 0 {
                dukpt["DukptKeyDerivationType"] = "AES_128".into();
            }
            let text = format!("{:032X}", u128::from(x) * 0x9E37_79B9);
            let (op, input) = match i % 5 {
                0 => (
                    Operation::EncryptData,
                    serde_json::json!({
                        "KeyIdentifier": format!("{ARN}{bdk}"), "PlainText": text,
                        "EncryptionAttributes": {"Dukpt": dukpt}
                    }),
                ),
                1 => (
                    Operation::DecryptData,
                    serde_json::json!({
                        "KeyIdentifier": format!("{ARN}{bdk}"), "CipherText": text,
                        "DecryptionAttributes": {"Dukpt": dukpt}
                    }),
                ),
                2 if i % 4 == 0 => (
                    Operation::ReEncryptData,
                    serde_json::json!({"CipherText": 7}),
                ),
                _ => (
                    Operation::ReEncryptData,
                    serde_json::json!({
                        "IncomingKeyIdentifier": format!("{ARN}{bdk}"),
                        "OutgoingKeyIdentifier": format!("{ARN}aes128key000000001"),
                        "CipherText": text,
                        "IncomingEncryptionAttributes": {"Dukpt": dukpt},
                        "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "CBC"}}
                    }),
                ),
            };
            lines.push((op, input));
        }
        let requests: Vec<(Operation, &Value)> = lines.iter().map(|(o, v)| (*o, v)).collect();
        let batch = handle_values(&store, &requests, &mut Constant(0), Policy::Documented);
        assert_eq!(batch.len(), lines.len());
        let mut ok = 0;
        for ((op, input), got) in lines.iter().zip(&batch) {
            let want = Request::from_value(*op, input)
                .and_then(|r| r.execute(&store, &mut Constant(0), Policy::Documented));
            match (got, &want) {
                (Ok(got), Ok(want)) => assert_eq!(**got, **want, "{input}"),
                (Err(got), Err(want)) => assert_eq!(got, want, "{input}"),
                _ => panic!("batch and single answers differ: {input}"),
            }
            ok += usize::from(want.is_ok());
        }
        // Most requests succeed; the rest are the planted errors.
        assert!(ok > 200, "{ok}");
    }
}
