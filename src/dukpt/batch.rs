//! Many DUKPT derivations under one BDK at once: [`derive_data_keys`], the batch form of
//! [`derive_data_key`], with the same results and the same errors for every request.
//!
//! With a `TDES_2KEY` BDK the requests run 64 at a time on the bitsliced TDES core
//! ([`crate::tdes`]), one request per lane, each lane with its own keys. The requests are taken in
//! order of the number of set counter bits (public: the KSN travels in clear), so the lanes of a pass
//! need about the same number of derivation steps; a lane with fewer steps keeps its key where it has
//! none to do (a per-lane select, no branch on key data). When every KSN of a pass names the same
//! device (the same KSN with the counter cleared), the IPEK is computed once on the one-block core.
//!
//! With an AES BDK each request is one call of [`derive_data_key`] (AES DUKPT is already a handful of
//! AES-NI blocks).
//!
//! Every intermediate (IPEK, transaction keys, register and variant lanes) lives in wiped buffers.
//! Nothing is allocated: the order is found by scanning the requests once per possible bit count.

use zeroize::{Zeroize, Zeroizing};

use crate::algorithm::SymmetricAlgorithm;
use crate::dukpt::tdes::Variant;
use crate::dukpt::{DukptKeyVariant, Ksn, derive_data_key};
use crate::error::{Error, Problem};
use crate::key::SymmetricKey;
use crate::tdes::{self, LaneMask, Lanes};

/// One request of [`derive_data_keys`]: the arguments of [`derive_data_key`] besides the BDK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataKeyRequest {
    /// The KSN.
    pub ksn: Ksn,
    /// The variant (`None`: `BIDIRECTIONAL`).
    pub variant: Option<DukptKeyVariant>,
    /// The derivation type (`None`: the BDK's algorithm).
    pub derivation_type: Option<SymmetricAlgorithm>,
}

/// [`derive_data_key`] for every request under one BDK; `out(i, result)` receives request `i`'s key
/// or error, exactly what [`derive_data_key`] would return, once per request (not in index order).
pub fn derive_data_keys<F>(bdk: &SymmetricKey, requests: &[DataKeyRequest], mut out: F)
where
    F: FnMut(usize, Result<SymmetricKey, Error>),
{
    if bdk.algorithm() != SymmetricAlgorithm::Tdes2Key {
        for (i, r) in requests.iter().enumerate() {
            out(
                i,
                derive_data_key(bdk, &r.ksn, r.variant, r.derivation_type),
            );
        }
        return;
    }
    // The checks of `derive_data_key` for a TDES BDK, in its order; what passes is derived in lanes.
    let check = |r: &DataKeyRequest| -> Result<(), Error> {
        if r.ksn.is_aes() {
            return Err(Error::invalid(Problem::KsnLength {
                hex_digits: r.ksn.hex_digits(),
            }));
        }
        match r.derivation_type {
            Some(requested) if requested != SymmetricAlgorithm::Tdes2Key => {
                Err(Error::invalid(Problem::DerivationType {
                    requested,
                    bdk: SymmetricAlgorithm::Tdes2Key,
                }))
            }
            _ => Ok(()),
        }
    };
    let mut pass = [0usize; tdes::BATCH];
    let mut filled = 0;
    // Counters are 1..=21 bits set (zero is refused when the KSN is built).
    for bits in 1..=21u32 {
        for (i, r) in requests.iter().enumerate() {
            if r.ksn.counter().count_ones() != bits {
                continue;
            }
            if let Err(e) = check(r) {
                out(i, Err(e));
                continue;
            }
            pass[filled] = i;
            filled += 1;
            if filled == tdes::BATCH {
                run_pass(bdk, requests, &pass, &mut out);
                filled = 0;
            }
        }
    }
    if filled > 0 {
        run_pass(bdk, requests, &pass[..filled], &mut out);
    }
}

/// The data variant of a TDES derivation (as `derive_data_key` maps it).
fn tdes_variant(v: Option<DukptKeyVariant>) -> Variant {
    match v {
        Some(DukptKeyVariant::Response) => Variant::DataResponse,
        _ => Variant::DataRequest,
    }
}

fn be(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(b)
}

/// The key mask of the non-reversible process and of the IPEK's right half, one half.
const MASK: u64 = 0xC0C0_C0C0_0000_0000;
/// The counter bits of the KSN register.
const COUNTER: u64 = 0x1F_FFFF;

/// One batch pass: the requests `indices` (at most [`tdes::BATCH`], all valid TDES requests).
fn run_pass<F>(bdk: &SymmetricKey, requests: &[DataKeyRequest], indices: &[usize], out: &mut F)
where
    F: FnMut(usize, Result<SymmetricKey, Error>),
{
    let indices = &indices[..indices.len().min(tdes::BATCH)];
    let count = indices.len();
    let ksn = |lane: usize| -> [u8; 10] {
        requests[indices[lane]]
            .ksn
            .tdes_bytes()
            .copied()
            .unwrap_or([0; 10])
    };
    // Public per-lane data: the KSN register without its counter, the counter, the device.
    let mut base = [0u64; tdes::BATCH];
    let mut counter = [0u64; tdes::BATCH];
    let mut device = [0u64; tdes::BATCH];
    for lane in 0..count {
        let k = ksn(lane);
        let register = be(&k[2..]);
        base[lane] = register & !COUNTER;
        counter[lane] = register & COUNTER;
        device[lane] = be(&k) & !0x1F;
    }
    let secret = bdk.secret_bytes();
    let (k1, k2) = (
        Zeroizing::new(be(&secret[..8])),
        Zeroizing::new(be(&secret[8..16])),
    );

    // IPEK = TDES_BDK(device) ‖ TDES_{BDK ⊕ mask}(device).
    let (mut left, mut right) = if device[..count].iter().all(|d| *d == device[0]) {
        let mut l = tdes::tdes2_block(device[0], *k1, *k2);
        let mut r = tdes::tdes2_block(device[0], *k1 ^ MASK, *k2 ^ MASK);
        let lanes = (Lanes::broadcast(l), Lanes::broadcast(r));
        l.zeroize();
        r.zeroize();
        lanes
    } else {
        let mut l = Lanes::from_values(&device[..count]);
        let mut r = l.clone();
        tdes::tdes2_lanes2_one_key(&mut l, &mut r, [*k1, *k2], [*k1 ^ MASK, *k2 ^ MASK], count);
        (l, r)
    };

    // The non-reversible steps: step j sets each lane's j-th highest counter bit in its register,
    //   R' = DES_L(reg ⊕ R) ⊕ R,  L' = DES_{L⊕M}(reg ⊕ R ⊕ M) ⊕ R ⊕ M,
    // both DES computations of a step in one bitsliced pass. The register lanes get their new bit
    // set in bitsliced form (which lanes set which bit is public: the KSN counters).
    let mut register = Lanes::from_values(&base[..count]);
    let mut remaining = counter;
    let mut steps = 0;
    loop {
        let mut active: LaneMask = Default::default();
        let mut bits: [LaneMask; 21] = Default::default();
        for (lane, remaining) in remaining.iter_mut().enumerate().take(count) {
            if *remaining != 0 {
                let top = 63 - remaining.leading_zeros();
                *remaining &= !(1 << top);
                Lanes::add_lane(&mut active, lane);
                Lanes::add_lane(&mut bits[top as usize % 21], lane);
            }
        }
        if active.iter().all(|a| *a == 0) {
            break;
        }
        steps += 1;
        for (bit, mask) in bits.iter().enumerate() {
            // Register bit `bit` (of the u64) is FIPS bit 64 - bit: word 63 - bit.
            register.set_bit(63 - bit, mask);
        }
        let mut new_right = register.clone();
        new_right.xor(&right);
        let mut new_left = new_right.clone();
        new_left.xor_constant(MASK);
        let mut masked_key = left.clone();
        masked_key.xor_constant(MASK);
        tdes::des_lanes2(&mut new_right, &left, &mut new_left, &masked_key, count);
        new_right.xor(&right);
        new_left.xor(&right);
        new_left.xor_constant(MASK);
        left.select(&new_left, &active);
        right.select(&new_right, &active);
    }
    debug_assert!(steps <= 21);

    // The data variant, then the one-way step V = TDES_V(V_L) ‖ TDES_V(V_R), both halves in one pass.
    let mut by_variant: [LaneMask; 2] = Default::default();
    for lane in 0..count {
        let v = usize::from(tdes_variant(requests[indices[lane]].variant) == Variant::DataResponse);
        Lanes::add_lane(&mut by_variant[v], lane);
    }
    for (variant, lanes) in [Variant::DataRequest, Variant::DataResponse]
        .into_iter()
        .zip(&by_variant)
    {
        let mask = be(&variant.mask());
        for n in (0..64).filter(|n| (mask >> (63 - n)) & 1 == 1) {
            left.flip_bit(n, lanes);
            right.flip_bit(n, lanes);
        }
    }
    let mut one_left = left.clone();
    let mut one_right = right.clone();
    tdes::tdes2_lanes2(&mut one_left, &mut one_right, &left, &right, count);

    // The keys and their expanded ciphers, all lanes at once.
    let mut bytes = Zeroizing::new([0u8; 16]);
    tdes::tdes2_expand_lanes(&one_left, &one_right, count, |lane, a, b, cipher| {
        bytes[..8].copy_from_slice(&a.to_be_bytes());
        bytes[8..].copy_from_slice(&b.to_be_bytes());
        out(
            indices[lane],
            Ok(SymmetricKey::tdes2_expanded(&bytes, cipher)),
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_equals_one_by_one() {
        let bdk = SymmetricKey::from_hex(
            SymmetricAlgorithm::Tdes2Key,
            "0123456789ABCDEFFEDCBA9876543210",
        )
        .unwrap();
        // One pass of each size (up to 64, 128 and 256 lanes), and several passes.
        for (count, mix) in [
            (20, true),
            (64, false),
            (100, true),
            (150, false),
            (256, true),
            (600, true),
        ] {
            check_batch(&bdk, count, mix);
        }
    }

    /// `count` requests with random counters, one or two devices.
    fn check_batch(bdk: &SymmetricKey, count: u64, mix: bool) {
        let mut requests = alloc::vec::Vec::new();
        let mut x = 0x1234_5678u64 ^ count;
        for i in 0..count {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let counter = ((x >> 40) & COUNTER).max(1);
            // Two devices, so passes mix devices and share them; counters over all 21 bits.
            let mut bytes: [u8; 10] = if i % 3 == 0 || !mix {
                [0xFF, 0xFF, 0x98, 0x76, 0x54, 0x32, 0x10, 0xE0, 0, 0]
            } else {
                [0xFF, 0xFF, 0x01, 0x23, 0x45, 0x67, 0x89, 0xA0, 0, 0]
            };
            let c = counter.to_be_bytes();
            bytes[7] |= c[5];
            bytes[8] = c[6];
            bytes[9] = c[7];
            let ksn = Ksn::from_bytes(&bytes).unwrap();
            let variant = [
                None,
                Some(DukptKeyVariant::Request),
                Some(DukptKeyVariant::Response),
            ][(i % 3) as usize];
            requests.push(DataKeyRequest {
                ksn,
                variant,
                derivation_type: None,
            });
        }
        // Errors in the middle: an AES KSN, a wrong derivation type.
        requests[7].ksn = Ksn::from_hex("123456789012345600000001").unwrap();
        requests[9].derivation_type = Some(SymmetricAlgorithm::Aes128);
        let mut seen = alloc::vec![false; requests.len()];
        derive_data_keys(bdk, &requests, |i, got| {
            assert!(!seen[i]);
            seen[i] = true;
            let r = &requests[i];
            let want = derive_data_key(bdk, &r.ksn, r.variant, r.derivation_type);
            match (got, want) {
                (Ok(a), Ok(b)) => {
                    assert!(
                        bool::from(subtle::ConstantTimeEq::ct_eq(&a, &b)),
                        "request {i}"
                    )
                }
                (Err(a), Err(b)) => assert_eq!(a, b),
                _ => panic!("request {i}: one failed, the other did not"),
            }
        });
        assert!(seen.iter().all(|s| *s));
    }
}
