#!/usr/bin/env python3
"""The anchor of the TR-31 bench: psec 1.3.0 unwrapping the same published blocks as benches/tr31.rs.

    target/interop-venv/bin/python benches/tr31_psec.py      (the venv of tests/interop/tr31_psec.sh)

Prints, per block, the best of 7 runs of N unwraps, as ns per unwrap.
"""

import json
import timeit
import warnings

warnings.filterwarnings("ignore", message=".*TripleDES.*")

import psec  # noqa: E402

CASES = {
    "B_tdes2": "TR31_2018_A.7.2.2",
    "B_tdes3": "CHHIL_B_TDES3KBPK_TDES3KEY",
    "D_aes128": "MOOV_APPLE_PROXIMITY_D0AD",
    "D_aes256": "PAYSHIELD10K_D0_AES256_in_D",
}

with open("test-vectors/tr31/tr31_unwrap_vectors.json") as f:
    vectors = {v["id"]: v for v in json.load(f)["vectors"]}

print("| block | psec 1.3.0 ns/unwrap |")
print("|---|---:|")
for name, vid in CASES.items():
    v = vectors[vid]
    kbpk, block = bytes.fromhex(v["kbpk"]), v["key_block"]
    assert psec.tr31.unwrap(kbpk, block)[1].hex().upper() == v["key"]
    n = 2000
    best = min(timeit.repeat(lambda: psec.tr31.unwrap(kbpk, block), number=n, repeat=7))
    print(f"| {name} | {best / n * 1e9:.0f} |")
