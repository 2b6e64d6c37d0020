//! Every published vector under `test-vectors/`, through one reader (`vectors/reader.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod cmac_kcv;
mod dukpt;
mod modes;
mod reader;
#[cfg(feature = "alloc")]
mod rsa;
mod tr31;
mod tr31_psec;
