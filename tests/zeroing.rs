//! A dropped `SymmetricKey` leaves no key material in its memory.
//!
//! The approach of graviola's `tests/zeroing.rs`, made a little sounder: instead of reading memory after
//! it was freed, this test binary installs a global allocator that forwards to the system allocator and,
//! when the one allocation being watched (a `Box<SymmetricKey>`) is deallocated, copies its bytes *before*
//! handing them back. `drop(Box<T>)` runs `T`'s destructor in place and then deallocates, so the copy is
//! exactly what the destructor left behind.
//!
//! What must be zero: every byte that depends on the key. The live images of three keys of the same
//! algorithm with different random material tell the key-dependent bytes (they differ) from structural
//! ones (enum discriminants, identical in all three). After drop, every key-dependent byte must be zero,
//! the three residues must be identical (nothing key-dependent left anywhere), and at most a handful of
//! structural bytes may be non-zero. Covers all five algorithms, and a control shows the check fails on
//! a plain `Box<[u8; 32]>` that nothing wipes.
//!
//! Reading a value's bytes (padding included) as `u8` is, by the letter of Rust's rules, reading
//! possibly-uninitialised memory; as in graviola, this is a test-only measurement, not library code.

#![allow(
    unsafe_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use paycrypt::{Mode, SymmetricAlgorithm as Alg, SymmetricKey, symmetric};
use zeroize::Zeroizing;

/// The largest value the watcher captures.
const MAX: usize = 4096;

/// Address of the watched allocation (0: none).
static WATCH: AtomicUsize = AtomicUsize::new(0);
/// How many watched allocations were captured at deallocation.
static CAPTURED: AtomicUsize = AtomicUsize::new(0);
/// The bytes of the last watched allocation at deallocation.
static RESIDUE: Mutex<([u8; MAX], usize)> = Mutex::new(([0; MAX], 0));
/// One watch at a time (tests run on several threads).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

struct Watcher;

// SAFETY: every call is forwarded unchanged to `System`; `dealloc` only reads the block it is given,
// before forwarding, and neither allocates nor panics while doing so.
unsafe impl GlobalAlloc for Watcher {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let addr = ptr as usize;
        if addr != 0
            && WATCH
                .compare_exchange(addr, 0, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            && let Ok(mut residue) = RESIDUE.lock()
        {
            let n = layout.size().min(MAX);
            for i in 0..n {
                // SAFETY: `ptr` is a live block of `layout.size()` bytes until `System.dealloc` below.
                residue.0[i] = unsafe { core::ptr::read_volatile(ptr.add(i)) };
            }
            residue.1 = n;
            CAPTURED.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watcher = Watcher;

/// The bytes of a live boxed value.
fn image<T>(value: &T) -> Vec<u8> {
    let ptr = (value as *const T).cast::<u8>();
    (0..size_of::<T>())
        // SAFETY: `value` is a live `T` of `size_of::<T>()` bytes (see the module note on padding).
        .map(|i| unsafe { core::ptr::read_volatile(ptr.add(i)) })
        .collect()
}

/// Drop the box and return the bytes its destructor left at deallocation.
fn residue_after_drop<T>(value: Box<T>) -> Vec<u8> {
    assert!(size_of::<T>() > 0 && size_of::<T>() <= MAX);
    let before = CAPTURED.load(Ordering::SeqCst);
    WATCH.store(&*value as *const T as usize, Ordering::SeqCst);
    drop(value);
    assert_eq!(
        CAPTURED.load(Ordering::SeqCst),
        before + 1,
        "the watched box was not deallocated through the allocator"
    );
    let residue = RESIDUE.lock().unwrap();
    let mut out = [0u8; MAX];
    let n = residue.1;
    out[..n].copy_from_slice(&residue.0[..n]);
    drop(residue);
    out[..size_of::<T>()].to_vec()
}

/// Overwrite the stack below the caller with zeros, so that the bytes of a value that no field covers
/// (enum payload tails, padding), which are copied from whatever the stack held, are the same for every
/// value built next from the same call path and cannot be mistaken for key-dependent bytes.
#[inline(never)]
fn scrub_stack() {
    let buf = [0u8; 256 * 1024];
    std::hint::black_box(&buf);
}

/// What the destructor left, for three values built by `make` from three different seeds.
struct Report {
    size: usize,
    key_dependent: usize,
    structural_nonzero: usize,
}

/// The check: key-dependent bytes zero, residues identical, few structural non-zero bytes.
fn check_wiped<T>(what: &str, make: impl Fn(u8) -> Box<T>) -> Result<Report, String> {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut images = Vec::new();
    let mut residues = Vec::new();
    for seed in [0x11u8, 0x5a, 0xe7] {
        scrub_stack();
        let value = make(seed);
        images.push(image(&*value));
        residues.push(residue_after_drop(value));
    }
    let size = images[0].len();
    let dependent: Vec<usize> = (0..size)
        .filter(|&i| images.iter().any(|img| img[i] != images[0][i]))
        .collect();
    if let Some(&i) = dependent
        .iter()
        .find(|&&i| residues.iter().any(|r| r[i] != 0))
    {
        return Err(format!(
            "{what}: key-dependent byte {i} of {size} not zero after drop ({:02x?})",
            residues.iter().map(|r| r[i]).collect::<Vec<_>>()
        ));
    }
    if residues.iter().any(|r| *r != residues[0]) {
        return Err(format!("{what}: residue after drop depends on the key"));
    }
    let structural_nonzero = residues[0].iter().filter(|&&b| b != 0).count();
    if structural_nonzero > 16 {
        return Err(format!(
            "{what}: {structural_nonzero} non-zero bytes left after drop"
        ));
    }
    Ok(Report {
        size,
        key_dependent: dependent.len(),
        structural_nonzero,
    })
}

/// Key material from a seed: every byte different, no byte zero.
fn material(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            seed.wrapping_mul(31)
                .wrapping_add(i.to_le_bytes()[0].wrapping_mul(97))
                | 1
        })
        .collect()
}

fn boxed_key(alg: Alg, seed: u8) -> Box<SymmetricKey> {
    let key = Box::new(SymmetricKey::new(alg, &material(seed, alg.key_len())).unwrap());
    // Use it once, as a real caller would, before it is dropped.
    let mut block = [0u8; 16];
    symmetric::encrypt(&key, Mode::Cbc, None, &mut block[..alg.block_size()]).unwrap();
    key
}

#[test]
fn symmetric_keys_are_wiped_on_drop() {
    for alg in Alg::ALL {
        let r = check_wiped(alg.aws_name(), |seed| boxed_key(alg, seed)).unwrap();
        println!(
            "{alg}: {} bytes, {} key-dependent (all zero after drop), {} structural non-zero",
            r.size, r.key_dependent, r.structural_nonzero
        );
        // The raw material alone is key_len bytes; the round keys are many more.
        assert!(
            r.key_dependent > alg.key_len(),
            "{alg}: too few bytes checked"
        );
    }
}

#[test]
fn the_check_fails_on_memory_nothing_wipes() {
    let r = check_wiped("plain box", |seed| {
        Box::new(<[u8; 32]>::try_from(material(seed, 32)).unwrap())
    });
    let err = r.err().expect("a plain Box<[u8; 32]> must fail the check");
    println!("control: {err}");
}

#[test]
fn the_check_passes_on_zeroizing_memory() {
    let r = check_wiped("Zeroizing box", |seed| {
        Box::new(Zeroizing::new(
            <[u8; 32]>::try_from(material(seed, 32)).unwrap(),
        ))
    })
    .unwrap();
    assert_eq!((r.key_dependent, r.structural_nonzero), (32, 0));
}

#[test]
fn tdes_cipher_types_are_wiped_on_drop() {
    use cipher::{BlockCipherEncrypt, KeyInit};
    use paycrypt::tdes::{Des, TdesEde2, TdesEde3};
    fn used<C: BlockCipherEncrypt>(c: C) -> Box<C> {
        let mut blocks: Vec<cipher::Block<C>> = (0..9).map(|_| Default::default()).collect();
        c.encrypt_blocks(&mut blocks);
        Box::new(c)
    }
    let r3 = check_wiped("TdesEde3", |seed| {
        used(TdesEde3::new_from_slice(&material(seed, 24)).unwrap())
    })
    .unwrap();
    let r2 = check_wiped("TdesEde2", |seed| {
        used(TdesEde2::new_from_slice(&material(seed, 16)).unwrap())
    })
    .unwrap();
    let r1 = check_wiped("Des", |seed| {
        used(Des::new_from_slice(&material(seed, 8)).unwrap())
    })
    .unwrap();
    // Keys and three (or one) 128-byte schedules.
    assert!(r3.key_dependent > 300 && r2.key_dependent > 300 && r1.key_dependent > 100);
}
