//! The constant-time TDES against the `des` crate (table S-boxes; the reference), for random keys and
//! data: every block through the one-block core (`encrypt_block`), whole buffers through the bitsliced
//! core (`encrypt_blocks`: 512-block passes, then a tail in one partly filled pass of 128, 256 or 512
//! lanes, or block by block), and decryption back. Lengths cross `BITSLICED_TAIL`, the pass sizes and
//! 512 on both sides.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "support/regressions.rs"]
mod regressions;

use cipher::{Block, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use proptest::prelude::*;

fn to_blocks<C: BlockCipherEncrypt>(data: &[u8]) -> Vec<Block<C>> {
    data.chunks_exact(8)
        .map(|c| Block::<C>::try_from(c).unwrap())
        .collect()
}

/// One cipher pair: ours and the reference with the same key, on the same blocks.
fn check<O, R>(ours: &O, reference: &R, data: &[u8]) -> Result<(), TestCaseError>
where
    O: BlockCipherEncrypt + BlockCipherDecrypt,
    R: BlockCipherEncrypt + BlockCipherDecrypt,
{
    let mut want = to_blocks::<R>(data);
    reference.encrypt_blocks(&mut want);
    let want: Vec<u8> = want.iter().flatten().copied().collect();

    // Bitsliced passes (and the tail rule).
    let mut lanes = to_blocks::<O>(data);
    ours.encrypt_blocks(&mut lanes);
    let got: Vec<u8> = lanes.iter().flatten().copied().collect();
    prop_assert_eq!(&got, &want, "bitsliced encrypt, {} blocks", data.len() / 8);

    // One block at a time.
    let mut single = to_blocks::<O>(data);
    for b in single.iter_mut() {
        ours.encrypt_block(b);
    }
    let got: Vec<u8> = single.iter().flatten().copied().collect();
    prop_assert_eq!(&got, &want, "one-block encrypt");

    // Both decryptions.
    ours.decrypt_blocks(&mut lanes);
    let back: Vec<u8> = lanes.iter().flatten().copied().collect();
    prop_assert_eq!(&back, &data.to_vec(), "bitsliced decrypt");
    for b in single.iter_mut() {
        ours.decrypt_block(b);
    }
    let back: Vec<u8> = single.iter().flatten().copied().collect();
    prop_assert_eq!(&back, &data.to_vec(), "one-block decrypt");
    Ok(())
}

proptest! {
    #![proptest_config(regressions::config(96, "tests/proptest-regressions/tdes_props.txt"))]

    #[test]
    fn matches_the_des_crate(
        key in prop::array::uniform24(any::<u8>()),
        blocks in prop_oneof![
            1usize..=12,
            60usize..=70,
            125usize..=131,
            250usize..=260,
            509usize..=515,
            1020usize..=1030,
        ],
        seed in any::<u64>(),
    ) {
        let mut x = seed | 1;
        let data: Vec<u8> = (0..blocks * 8)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[0]
            })
            .collect();
        check(
            &paycrypt::tdes::TdesEde3::new((&key).into()),
            &des::TdesEde3::new((&key).into()),
            &data,
        )?;
        let k16: [u8; 16] = key[..16].try_into().unwrap();
        check(
            &paycrypt::tdes::TdesEde2::new((&k16).into()),
            &des::TdesEde2::new((&k16).into()),
            &data,
        )?;
        let k8: [u8; 8] = key[..8].try_into().unwrap();
        check(
            &paycrypt::tdes::Des::new((&k8).into()),
            &des::Des::new((&k8).into()),
            &data,
        )?;
    }
}
