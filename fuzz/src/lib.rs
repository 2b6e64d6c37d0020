//! Helpers shared by the fuzz targets: a deterministic RNG and the fixed key store.

pub mod rng;
pub mod store;
