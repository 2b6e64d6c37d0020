//! `paycrypt::symmetric::{encrypt, decrypt}` for every algorithm × mode × length against an independent
//! computation composed here from the single-block ciphers of the `des` and `aes` crates (ECB of one block),
//! following NIST SP 800-38A literally: CFB as a bit string fed through a shift register held in a `u128`.
//!
//! Invalid cases (TDES with CFB128, an IV with ECB, an IV of the wrong length, a length that is not a
//! non-zero multiple of the block) must be refused with the buffer untouched. Valid cases must equal the
//! reference, and the opposite direction must restore the input.
#![no_main]

use arbitrary::Arbitrary;
use cipher::{Block, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use libfuzzer_sys::fuzz_target;
use paycrypt::{Error, Iv, Mode, SymmetricAlgorithm as Alg, SymmetricKey, symmetric};

#[derive(Arbitrary, Debug)]
struct Case {
    alg: u8,
    mode: u8,
    decrypt: bool,
    key: [u8; 32],
    /// `None`: no IV given (all zero). `Some((bytes, wrong_length))`.
    iv: Option<([u8; 16], bool)>,
    data: Vec<u8>,
}

/// One block cipher, one block at a time.
trait OneBlock {
    fn enc(&self, b: &mut [u8]);
    fn dec(&self, b: &mut [u8]);
}

struct Single<C>(C);

impl<C: BlockCipherEncrypt + BlockCipherDecrypt> OneBlock for Single<C> {
    fn enc(&self, b: &mut [u8]) {
        let mut blk = Block::<C>::try_from(&b[..]).expect("one block");
        self.0.encrypt_block(&mut blk);
        b.copy_from_slice(&blk);
    }
    fn dec(&self, b: &mut [u8]) {
        let mut blk = Block::<C>::try_from(&b[..]).expect("one block");
        self.0.decrypt_block(&mut blk);
        b.copy_from_slice(&blk);
    }
}

fn reference_cipher(alg: Alg, key: &[u8]) -> Box<dyn OneBlock> {
    match alg {
        Alg::Tdes2Key => Box::new(Single(des::TdesEde2::new_from_slice(key).unwrap())),
        Alg::Tdes3Key => Box::new(Single(des::TdesEde3::new_from_slice(key).unwrap())),
        Alg::Aes128 => Box::new(Single(aes::Aes128::new_from_slice(key).unwrap())),
        Alg::Aes192 => Box::new(Single(aes::Aes192::new_from_slice(key).unwrap())),
        Alg::Aes256 => Box::new(Single(aes::Aes256::new_from_slice(key).unwrap())),
    }
}

/// `s` bits of `data` starting at bit `pos` (most significant bit of each byte first), right-aligned.
fn get_bits(data: &[u8], pos: usize, s: usize) -> u128 {
    (0..s).fold(0u128, |acc, i| {
        let bit = pos + i;
        (acc << 1) | u128::from((data[bit / 8] >> (7 - bit % 8)) & 1)
    })
}

fn set_bits(data: &mut [u8], pos: usize, s: usize, value: u128) {
    for i in 0..s {
        let bit = pos + i;
        let v = ((value >> (s - 1 - i)) & 1) as u8;
        let mask = 1u8 << (7 - bit % 8);
        data[bit / 8] = (data[bit / 8] & !mask) | (v << (7 - bit % 8));
    }
}

fn to_u128(block: &[u8]) -> u128 {
    block
        .iter()
        .fold(0u128, |acc, &b| (acc << 8) | u128::from(b))
}

fn from_u128(v: u128, out: &mut [u8]) {
    let n = out.len();
    for (i, o) in out.iter_mut().enumerate() {
        *o = (v >> (8 * (n - 1 - i))) as u8;
    }
}

/// SP 800-38A in the most literal form: ECB, CBC, CFB-s, OFB over the one-block cipher.
fn reference(c: &dyn OneBlock, bs: usize, mode: Mode, iv: &[u8], data: &mut [u8], decrypt: bool) {
    let w = bs * 8;
    match mode {
        Mode::Ecb => {
            for b in data.chunks_mut(bs) {
                if decrypt { c.dec(b) } else { c.enc(b) }
            }
        }
        Mode::Cbc => {
            let mut prev = iv.to_vec();
            for b in data.chunks_mut(bs) {
                if decrypt {
                    let saved = b.to_vec();
                    c.dec(b);
                    b.iter_mut().zip(&prev).for_each(|(x, p)| *x ^= p);
                    prev = saved;
                } else {
                    b.iter_mut().zip(&prev).for_each(|(x, p)| *x ^= p);
                    c.enc(b);
                    prev = b.to_vec();
                }
            }
        }
        Mode::Ofb => {
            let mut reg = iv.to_vec();
            for b in data.chunks_mut(bs) {
                c.enc(&mut reg);
                b.iter_mut().zip(&reg).for_each(|(x, k)| *x ^= k);
            }
        }
        Mode::Cfb | Mode::Cfb1 | Mode::Cfb8 | Mode::Cfb64 | Mode::Cfb128 => {
            let s = match mode {
                Mode::Cfb1 => 1,
                Mode::Cfb8 => 8,
                Mode::Cfb64 => 64,
                Mode::Cfb128 => 128,
                _ => w,
            };
            assert!(s <= w);
            let mask = if w == 128 {
                u128::MAX
            } else {
                (1u128 << w) - 1
            };
            let mut reg = to_u128(iv);
            let mut out = vec![0u8; bs];
            for pos in (0..data.len() * 8).step_by(s) {
                from_u128(reg, &mut out);
                c.enc(&mut out);
                let o = to_u128(&out) >> (w - s);
                let x = get_bits(data, pos, s);
                let y = x ^ o;
                set_bits(data, pos, s, y);
                let cseg = if decrypt { x } else { y };
                reg = if s == w {
                    cseg
                } else {
                    ((reg << s) | cseg) & mask
                };
            }
        }
    }
}

fuzz_target!(|case: Case| {
    let alg = Alg::ALL[usize::from(case.alg) % Alg::ALL.len()];
    let mode = Mode::ALL[usize::from(case.mode & 7)];
    let bs = alg.block_size();
    let material = &case.key[..alg.key_len()];
    let key = SymmetricKey::new(alg, material).expect("right length");
    let mut data = case.data;
    data.truncate(160);

    let iv = case.iv.map(|(bytes, wrong)| {
        let len = if wrong { 24 - bs } else { bs };
        Iv::new(&bytes[..len]).unwrap()
    });
    let valid = mode.is_valid_for(alg)
        && !(mode == Mode::Ecb && iv.is_some())
        && iv.is_none_or(|iv| iv.as_bytes().len() == bs)
        && !data.is_empty()
        && data.len().is_multiple_of(bs);

    let mut ours = data.clone();
    let r = if case.decrypt {
        symmetric::decrypt(&key, mode, iv.as_ref(), &mut ours)
    } else {
        symmetric::encrypt(&key, mode, iv.as_ref(), &mut ours)
    };
    if !valid {
        assert!(
            matches!(r, Err(Error::Invalid { side: None, .. })),
            "{alg} {mode} iv {:?} len {}: {r:?}",
            iv.map(|i| i.as_bytes().len()),
            data.len()
        );
        assert_eq!(ours, data, "no output on error");
        return;
    }
    r.unwrap_or_else(|e| panic!("{alg} {mode} len {}: {e:?}", data.len()));

    let zero = [0u8; 16];
    let iv_bytes = iv.as_ref().map_or(&zero[..bs], |i| i.as_bytes());
    let mut theirs = data.clone();
    reference(
        &*reference_cipher(alg, material),
        bs,
        mode,
        iv_bytes,
        &mut theirs,
        case.decrypt,
    );
    assert_eq!(
        ours,
        theirs,
        "{alg} {mode} decrypt={} len {}",
        case.decrypt,
        data.len()
    );

    let r = if case.decrypt {
        symmetric::encrypt(&key, mode, iv.as_ref(), &mut ours)
    } else {
        symmetric::decrypt(&key, mode, iv.as_ref(), &mut ours)
    };
    r.unwrap();
    assert_eq!(ours, data, "{alg} {mode} inverse");
});
