#!/usr/bin/env python3
"""TR-31 interoperability with psec 1.3.0 (the implementation AWS's own samples use to build key blocks).

    tr31_psec.py make COUNT SEED OUT.json   psec wraps COUNT random cases (seeded) -> OUT.json
    tr31_psec.py check IN.json              psec unwraps every block in IN.json (made by paycrypt) and
                                            compares key and header with the case; exit 1 on any mismatch

Cases: versions B (TDES-2/3 KBPK) and D (AES-128/192/256 KBPK), random KBPK and key; header usage,
algorithm, mode of use, key version, exportability drawn at random; 0-3 optional blocks of printable data
(none in about a third of the cases); a random key-length mask or psec's default. Optional blocks stay in
the short length form: psec 1.3.0 writes and reads the extended form with a byte count where X9.143 counts
characters (TR31.md 1.2), so an extended block would be misread in both directions; `make` also writes a
few psec blocks with one long block under "psec_extended_length", which an X9.143 reader must refuse.
psec adds its own PB block when the blocks are not aligned; the case lists only the blocks it was given.

The file format is the one `tests/interop/tr31_interop.rs` (the Rust side) reads and writes:
{"generator": ..., "seed": N, "cases": [{"kbpk_algorithm", "kbpk", "key", "version", "key_usage",
"algorithm", "mode_of_use", "key_version", "exportability", "context", "blocks": [[id, data], ...],
"key_block"}, ...]}
"""

import json
import random
import sys
import warnings

# psec 1.3.0 uses the TripleDES of cryptography's hazmat primitives, which now warns on every call.
warnings.filterwarnings("ignore", message=".*TripleDES.*")

import psec  # noqa: E402

KBPK = {"B": [("TDES2", 16), ("TDES3", 24)], "D": [("AES128", 16), ("AES192", 24), ("AES256", 32)]}
USAGES = ["D0", "K0", "K1", "P0", "B0", "M3", "C0", "E1", "V2", "91"]
ALGORITHMS = {"T": [16, 24], "A": [16, 24, 32], "D": [8], "H": None, "R": None, "E": None}
MODES = "BCDEGNSTVXY"
EXPORTABILITY = "ENS"
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))


def random_case(rng: random.Random) -> dict:
    version = rng.choice("BD")
    kbpk_alg, kbpk_len = rng.choice(KBPK[version])
    algorithm = rng.choice(sorted(ALGORITHMS))
    lengths = ALGORITHMS[algorithm]
    key_len = rng.choice(lengths) if lengths else rng.randint(1, 48)
    blocks = []
    if rng.random() > 0.33:
        ids = set()
        for _ in range(rng.randint(1, 3)):
            block_id = rng.choice("ABCDEFGHIJKLMNOQRSTUVWXYZ") + rng.choice(ALNUM)  # no "PB"
            if block_id in ids:
                continue
            ids.add(block_id)
            data = "".join(rng.choice(PRINTABLE) for _ in range(rng.randint(0, 60)))
            blocks.append([block_id, data])
    key_version = rng.choice(["00", "c1", "c2", rng.choice(ALNUM) + rng.choice(ALNUM)])
    return {
        "kbpk_algorithm": kbpk_alg,
        "kbpk": rng.randbytes(kbpk_len).hex().upper(),
        "key": rng.randbytes(key_len).hex().upper(),
        "version": version,
        "key_usage": rng.choice(USAGES),
        "algorithm": algorithm,
        "mode_of_use": rng.choice(MODES),
        "key_version": key_version,
        "exportability": rng.choice(EXPORTABILITY),
        "context": "0",  # psec writes its reserved field as "00"
        "blocks": blocks,
        "masked_key_len": rng.choice([None, None, 0, rng.randint(1, 64)]),
    }


def make(count: int, seed: int, out: str) -> None:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        case = random_case(rng)
        header = psec.tr31.Header(
            version_id=case["version"],
            key_usage=case["key_usage"],
            algorithm=case["algorithm"],
            mode_of_use=case["mode_of_use"],
            version_num=case["key_version"],
            exportability=case["exportability"],
        )
        for block_id, data in case["blocks"]:
            header.blocks[block_id] = data
        # psec's padding from the seeded generator, so the corpus is reproducible.
        psec.tr31._urandom = rng.randbytes
        case["key_block"] = psec.tr31.wrap(
            kbpk=bytes.fromhex(case["kbpk"]),
            header=header,
            key=bytes.fromhex(case["key"]),
            masked_key_len=case.pop("masked_key_len"),
        )
        cases.append(case)
    # A few blocks with one long optional block, which psec writes in its own extended length form
    # (length of length counted in bytes): an X9.143 reader must refuse them (TR31.md 1.2).
    extended = []
    for _ in range(max(1, count // 40)):
        case = random_case(rng)
        case["masked_key_len"] = None
        case["blocks"] = [["LB", "".join(rng.choice(ALNUM) for _ in range(rng.randint(252, 400)))]]
        header = psec.tr31.Header(case["version"], case["key_usage"], case["algorithm"],
                                  case["mode_of_use"], case["key_version"], case["exportability"])
        header.blocks["LB"] = case["blocks"][0][1]
        psec.tr31._urandom = rng.randbytes
        case["key_block"] = psec.tr31.wrap(bytes.fromhex(case["kbpk"]), header, bytes.fromhex(case["key"]),
                                           case.pop("masked_key_len"))
        extended.append(case)
    doc = {
        "generator": "psec " + psec.__version__ + " (tests/interop/tr31_psec.py make)",
        "seed": seed,
        "cases": cases,
        "psec_extended_length": extended,
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"psec wrapped {len(cases)} blocks -> {out}")


def check(path: str) -> int:
    with open(path) as f:
        doc = json.load(f)
    bad = 0
    counts = {}
    for i, case in enumerate(doc["cases"]):
        where = f"{path} case {i}"
        try:
            header, key = psec.tr31.unwrap(kbpk=bytes.fromhex(case["kbpk"]), key_block=case["key_block"])
        except ValueError as e:
            print(f"{where}: psec refuses: {e}")
            bad += 1
            continue
        want = {
            "version_id": case["version"],
            "key_usage": case["key_usage"],
            "algorithm": case["algorithm"],
            "mode_of_use": case["mode_of_use"],
            "version_num": case["key_version"],
            "exportability": case["exportability"],
            "reserved": case["context"] + "0",
            "blocks": [list(b) for b in case["blocks"]],
        }
        got = {k: getattr(header, k) for k in want if k != "blocks"}
        got["blocks"] = [[k, v] for k, v in header.blocks.items()]  # psec drops PB
        if got != want or key.hex().upper() != case["key"]:
            print(f"{where}: mismatch\n  want {want} key {case['key']}\n  got  {got} key {key.hex().upper()}")
            bad += 1
        shape = (case["version"], bool(case["blocks"]))
        counts[shape] = counts.get(shape, 0) + 1
    n = len(doc["cases"])
    print(f"psec {psec.__version__} unwrapped {n - bad}/{n} blocks wrapped by paycrypt "
          f"(version, with optional blocks -> cases: {dict(sorted(counts.items()))})")
    return 1 if bad or n == 0 else 0


def main(argv: list) -> int:
    if len(argv) == 5 and argv[1] == "make":
        make(int(argv[2]), int(argv[3]), argv[4])
        return 0
    if len(argv) == 3 and argv[1] == "check":
        return check(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
