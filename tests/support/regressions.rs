//! One proptest configuration for every property test: the failing cases proptest shrinks are kept in
//! one folder, `tests/proptest-regressions/`, one file per test target, and replayed first.

#![allow(dead_code)]

use proptest::test_runner::{Config, FileFailurePersistence};

/// `cases` cases a run; failures kept in `tests/proptest-regressions/` under `file` (a path from the
/// package root, where cargo runs the tests).
pub fn config(cases: u32, file: &'static str) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..Config::default()
    }
}
