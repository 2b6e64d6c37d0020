//! The operations end to end: DECISIONS.md §7 cases through the JSON layer, the validation battery, and the
//! every-kind × every-kind re-encryption matrix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod battery;
mod fixtures;
mod keystore_file;
#[path = "../support/lengths.rs"]
mod lengths;
mod matrix;
#[path = "../support/regressions.rs"]
mod regressions;
mod rest_json;
mod spec_cases;
#[path = "../support/rng.rs"]
pub mod testrng;
mod wrapped;
