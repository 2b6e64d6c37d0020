//! TR-31 interoperability corpus (`test-vectors/tr31-psec/`), checked without Python:
//!
//! - every block psec 1.3.0 wrapped unwraps here to its key and header (B and D, with and without
//!   optional blocks), and psec's extended-length blocks (a byte count, not X9.143's character count)
//!   are refused;
//! - paycrypt still wraps, from the recorded seed, exactly the blocks psec unwrapped when the corpus was
//!   made, and unwraps them.
//!
//! `tests/interop/tr31_psec.sh` runs both directions live against psec (CI does).

#[path = "../interop/tr31_cases.rs"]
pub mod cases;

use std::collections::BTreeMap;

use cases::Case;

use crate::reader::{self, Obj};

fn case(o: &Obj) -> Case {
    Case {
        kbpk_algorithm: o.str("kbpk_algorithm"),
        kbpk: o.str("kbpk"),
        key: o.str("key"),
        version: o.str("version"),
        key_usage: o.str("key_usage"),
        algorithm: o.str("algorithm"),
        mode_of_use: o.str("mode_of_use"),
        key_version: o.str("key_version"),
        exportability: o.str("exportability"),
        context: o.str("context"),
        blocks: o
            .opt_array("blocks")
            .unwrap()
            .iter()
            .map(|b| {
                let pair = b.raw().as_array().unwrap();
                let s = |i: usize| pair[i].as_str().unwrap().to_owned();
                (s(0), s(1))
            })
            .collect(),
        key_block: o.str("key_block"),
    }
}

#[test]
fn psec_wrapped_blocks_unwrap_here() {
    let file = reader::json("tr31-psec/psec_wrapped.json");
    assert!(file.str("generator").starts_with("psec 1.3.0"));
    file.int("seed");
    let mut shapes = BTreeMap::new();
    let all = file.array("cases");
    for (i, o) in all.iter().enumerate() {
        let c = case(o);
        cases::check(&c).unwrap_or_else(|e| panic!("psec case {i}: {e}"));
        *shapes
            .entry((c.version.clone(), !c.blocks.is_empty()))
            .or_insert(0) += 1;
    }
    assert_eq!(all.len(), 200);
    assert_eq!(
        shapes.len(),
        4,
        "B and D, with and without optional blocks: {shapes:?}"
    );
    let extended = file.array("psec_extended_length");
    for (i, o) in extended.iter().enumerate() {
        let c = case(o);
        assert!(c.blocks.iter().any(|(_, d)| d.len() + 4 > 255), "case {i}");
        assert_eq!(
            paycrypt::tr31::KeyBlock::parse(&c.key_block, Default::default()).map(|_| ()),
            Err(cases::extended_refusal()),
            "psec extended-length case {i}"
        );
    }
    assert_eq!(extended.len(), 5);
}

#[test]
fn paycrypt_wrapped_blocks_are_reproduced() {
    let file = reader::json("tr31-psec/paycrypt_wrapped.json");
    assert!(file.str("generator").starts_with("paycrypt"));
    let seed = u64::try_from(file.int("seed")).unwrap();
    let listed: Vec<Case> = file.array("cases").iter().map(case).collect();
    let made = cases::generate(listed.len(), seed);
    assert_eq!(listed.len(), 200);
    for (i, (l, m)) in listed.iter().zip(&made).enumerate() {
        assert_eq!(
            l, m,
            "case {i}: wrap no longer makes the block psec unwrapped"
        );
        cases::check(l).unwrap_or_else(|e| panic!("case {i}: {e}"));
    }
}
