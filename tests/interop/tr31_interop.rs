//! The Rust side of the TR-31 interoperability check with psec (`tests/interop/tr31_psec.sh`).
//!
//! ```text
//! cargo run --example tr31_interop -- wrap COUNT SEED OUT.json   paycrypt wraps COUNT seeded cases
//! cargo run --example tr31_interop -- unwrap IN.json             paycrypt unwraps every case (made by psec)
//! ```
//!
//! The file format is `tr31_psec.py`'s. `unwrap` exits 1 on any case that does not unwrap to its key
//! and header.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "tr31_cases.rs"]
mod cases;

use std::process::ExitCode;

use cases::Case;
use serde_json::{Value, json};

fn to_json(c: &Case) -> Value {
    json!({
        "kbpk_algorithm": c.kbpk_algorithm,
        "kbpk": c.kbpk,
        "key": c.key,
        "version": c.version,
        "key_usage": c.key_usage,
        "algorithm": c.algorithm,
        "mode_of_use": c.mode_of_use,
        "key_version": c.key_version,
        "exportability": c.exportability,
        "context": c.context,
        "blocks": c.blocks.iter().map(|(i, d)| json!([i, d])).collect::<Vec<_>>(),
        "key_block": c.key_block,
    })
}

fn from_json(v: &Value) -> Case {
    let s = |k: &str| {
        v[k].as_str()
            .unwrap_or_else(|| panic!("case member {k}"))
            .to_owned()
    };
    Case {
        kbpk_algorithm: s("kbpk_algorithm"),
        kbpk: s("kbpk"),
        key: s("key"),
        version: s("version"),
        key_usage: s("key_usage"),
        algorithm: s("algorithm"),
        mode_of_use: s("mode_of_use"),
        key_version: s("key_version"),
        exportability: s("exportability"),
        context: s("context"),
        blocks: v["blocks"]
            .as_array()
            .expect("blocks")
            .iter()
            .map(|b| {
                (
                    b[0].as_str().expect("block id").to_owned(),
                    b[1].as_str().expect("block data").to_owned(),
                )
            })
            .collect(),
        key_block: s("key_block"),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["wrap", count, seed, out] => {
            let (count, seed) = (count.parse().unwrap(), seed.parse().unwrap());
            let cases = cases::generate(count, seed);
            let doc = json!({
                "generator": "paycrypt (tests/interop/tr31_interop.rs wrap)",
                "seed": seed,
                "cases": cases.iter().map(to_json).collect::<Vec<_>>(),
            });
            std::fs::write(out, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
            println!("paycrypt wrapped {count} blocks -> {out}");
            ExitCode::SUCCESS
        }
        ["unwrap", path] => {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let all = doc["cases"].as_array().expect("cases");
            let mut bad = 0;
            for (i, v) in all.iter().enumerate() {
                if let Err(e) = cases::check(&from_json(v)) {
                    eprintln!("{path} case {i}: {e}");
                    bad += 1;
                }
            }
            println!(
                "paycrypt unwrapped {}/{} blocks wrapped by {}",
                all.len() - bad,
                all.len(),
                doc["generator"].as_str().unwrap_or("?")
            );
            // psec's own extended length form (a byte count) is refused, as X9.143 counts characters.
            let extended = doc["psec_extended_length"]
                .as_array()
                .map_or(&[][..], Vec::as_slice);
            for (i, v) in extended.iter().enumerate() {
                let c = from_json(v);
                let got =
                    paycrypt::tr31::KeyBlock::parse(&c.key_block, Default::default()).map(|_| ());
                if got != Err(cases::extended_refusal()) {
                    eprintln!("{path} psec_extended_length {i}: {got:?}");
                    bad += 1;
                }
            }
            println!(
                "paycrypt refused {} blocks in psec's extended length form, as X9.143 readers must",
                extended.len()
            );
            if bad == 0 && !all.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        _ => {
            eprintln!("usage: tr31_interop wrap COUNT SEED OUT.json | unwrap IN.json");
            ExitCode::from(2)
        }
    }
}
