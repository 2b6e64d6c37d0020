//! The tables of FIPS 46-3 (DES), as printed in the standard (1-based bit numbers, bit 1 the most
//! significant), and the tables both cores derive from them at compile time.
//!
//! Nothing here is indexed by secret data: every table is read with indices that are constants or
//! loop counters.

#![expect(
    clippy::cast_possible_truncation,
    reason = "compile-time tables of bit positions (at most 64)"
)]

/// Initial permutation IP: output bit `i + 1` is input bit `IP[i]`.
pub(super) const IP: [u8; 64] = [
    58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, //
    62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8, //
    57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, //
    61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];

/// Expansion E: bit `i + 1` of `E(R)` is bit `E[i]` of `R`.
pub(super) const E: [u8; 48] = [
    32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, //
    8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, //
    16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, //
    24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];

/// Permutation P: bit `i + 1` of `f` is bit `P[i]` of the S-box outputs.
pub(super) const P: [u8; 32] = [
    16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, //
    2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
];

/// Permuted choice 1: bit `i + 1` of `C ‖ D` is key bit `PC1[i]`.
pub(super) const PC1: [u8; 56] = [
    57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, //
    10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, //
    63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, //
    14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];

/// Permuted choice 2: bit `i + 1` of a round key is bit `PC2[i]` of `C ‖ D` (after the round's shifts).
pub(super) const PC2: [u8; 48] = [
    14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, //
    23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, //
    41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, //
    44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];

/// Left rotations of `C` and `D` before each round.
pub(super) const SHIFTS: [u8; 16] = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

/// The eight S-boxes, row-major (row = first and last input bit, column = the middle four).
pub(super) const S: [[u8; 64]; 8] = [
    [
        14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, //
        0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, //
        4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, //
        15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
    ],
    [
        15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, //
        3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, //
        0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, //
        13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
    ],
    [
        10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, //
        13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, //
        13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, //
        1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
    ],
    [
        7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, //
        13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, //
        10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, //
        3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
    ],
    [
        2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, //
        14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, //
        4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, //
        11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
    ],
    [
        12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, //
        10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, //
        9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, //
        4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
    ],
    [
        4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, //
        13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, //
        1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, //
        6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
    ],
    [
        13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, //
        1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, //
        7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, //
        2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
    ],
];

/// The S-box output for the 6-bit input `x` (first input bit most significant), as the standard
/// defines it: row from the outer bits, column from the inner four.
pub(super) const fn sbox(s: usize, x: usize) -> u8 {
    let row = ((x >> 4) & 2) | (x & 1);
    let col = (x >> 1) & 15;
    S[s][row * 16 + col]
}

/// Final permutation IP⁻¹: output bit `i + 1` is bit `FP[i]` of `R16 ‖ L16`.
pub(super) const FP: [u8; 64] = {
    let mut fp = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        fp[IP[i] as usize - 1] = i as u8 + 1;
        i += 1;
    }
    fp
};

/// Where S-box output bit `m + 1` (1..=32, S-box `m / 4`, bit `m % 4` from the most significant) lands
/// in `f`: `f` bit `P_INV[m] + 1`, 1-based, i.e. `P[P_INV[m]] == m + 1`.
pub(super) const P_INV: [u8; 32] = {
    let mut inv = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        inv[P[i] as usize - 1] = i as u8;
        i += 1;
    }
    inv
};

/// Cumulative left rotation of `C` and `D` after the shifts of round `r` (0-based).
pub(super) const CUMULATIVE_SHIFT: [u8; 16] = {
    let mut cum = [0u8; 16];
    let mut total = 0;
    let mut r = 0;
    while r < 16 {
        total += SHIFTS[r];
        cum[r] = total;
        r += 1;
    }
    cum
};

/// The key bit (1..=64, FIPS numbering) that becomes bit `k + 1` of the key of round `r`.
pub(super) const ROUND_KEY_BIT: [[u8; 48]; 16] = {
    let mut t = [[0u8; 48]; 16];
    let mut r = 0;
    while r < 16 {
        let shift = CUMULATIVE_SHIFT[r] as usize;
        let mut k = 0;
        while k < 48 {
            // Position in C ‖ D (0-based) before rotation.
            let p = PC2[k] as usize - 1;
            let (half, q) = if p < 28 { (0, p) } else { (28, p - 28) };
            t[r][k] = PC1[half + (q + shift) % 28];
            k += 1;
        }
        r += 1;
    }
    t
};

#[cfg(test)]
#[expect(
    clippy::needless_range_loop,
    reason = "the tests index several arrays by one position"
)]
mod tests {
    use super::*;

    #[test]
    fn permutations_are_permutations() {
        let mut seen = [false; 64];
        for &b in &IP {
            assert!(!seen[b as usize - 1]);
            seen[b as usize - 1] = true;
        }
        for i in 0..64 {
            assert_eq!(IP[FP[i] as usize - 1] as usize, i + 1);
        }
        for m in 0..32 {
            assert_eq!(P[P_INV[m] as usize] as usize, m + 1);
        }
        // PC1 skips exactly the parity bits (8, 16, ..., 64).
        for &b in &PC1 {
            assert_ne!(b % 8, 0);
        }
        assert_eq!(CUMULATIVE_SHIFT[15], 28);
    }

    #[test]
    fn every_sbox_row_is_a_permutation() {
        for s in 0..8 {
            for row in 0..4 {
                let mut seen = 0u16;
                for col in 0..16 {
                    seen |= 1 << S[s][row * 16 + col];
                }
                assert_eq!(seen, 0xFFFF);
            }
        }
    }
}
