//! The deterministic RNG of the fuzz targets: the tests' own (`tests/support/rng.rs`, SplitMix64), so
//! that a fuzz input replays exactly, RSA padding included.

#[path = "../../tests/support/rng.rs"]
mod shared;

pub use shared::TestRng as FuzzRng;
