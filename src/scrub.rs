//! Wiping the stack the operations used.
//!
//! Keys and plaintexts live in buffers that are wiped on drop, but values that are *moved* (a derived
//! `SymmetricKey` returned by value, a cipher's expanded key built and then stored) and the temporaries
//! of the cipher crates (key schedules, blocks in flight) leave images in stack frames that have
//! returned, where nothing wipes them (the security audit's L3: after one re-encryption, copies of a
//! TDES DUKPT IPEK and transaction key and of AES DUKPT derivation and data keys were on the stack).
//! Each public operation therefore runs in a frame of its own and then overwrites [`SCRUB_BYTES`] of
//! the stack below its caller, where those frames were, with zeros: a local array written and handed
//! to `black_box`, so the compiler cannot drop the writes. No `unsafe` is needed.
//!
//! What it covers: everything an operation put on the stack within [`SCRUB_BYTES`] below its caller
//! (the deepest operation of the release build stays well inside; the `tests/operation_wipe.rs` and
//! the CLI's memory scans check it). What it does not: registers and the caller's own frame, a value
//! the operation returns (a derived key returned by [`derive_data_key`](crate::derive_data_key) is
//! the caller's), and copies the operating system makes (swap, core dumps).

/// Run `f` in a frame of its own, then overwrite the stack it used (below the caller's frame).
///
/// `f` runs inside [`call`], which is never inlined, so its temporaries are below the frame this
/// function is inlined into; [`scrub_stack`] then runs at the same depth and overwrites them.
#[inline(always)]
pub(crate) fn scrubbed<T>(f: impl FnOnce() -> T) -> T {
    let result = call(f);
    scrub_stack();
    result
}

#[inline(never)]
fn call<T>(f: impl FnOnce() -> T) -> T {
    f()
}

/// How much of the stack is overwritten after an operation.
pub(crate) const SCRUB_BYTES: usize = 32 * 1024;

/// Overwrite [`SCRUB_BYTES`] of the stack below the caller's frame.
#[inline(never)]
pub(crate) fn scrub_stack() {
    let zeros = [0u8; SCRUB_BYTES];
    core::hint::black_box(&zeros);
}
