//! Every published vector under `test-vectors/`, through one reader (`vectors/reader.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod dukpt;
mod reader;
mod rsa;
