#!/usr/bin/env python3
"""Generate src/tdes/circuits.rs: the eight DES S-boxes as straight-line circuits of AND, OR, XOR and NOT
over u64 words (one bit per lane), for the bitsliced core.

    python3 tools/des_sbox_circuits.py > src/tdes/circuits.rs            # the committed circuits
    python3 tools/des_sbox_circuits.py --search                          # re-run the order search (minutes)

Method: each output bit is a Boolean function of the six inputs, kept as a 64-bit truth table. It is
decomposed on one input variable after another (a fixed order per S-box), choosing at each step the
cheapest of: a cofactor equal to the constant 0/1 (one AND/OR), complementary cofactors (one XOR), the
Davio forms f = f0 ^ (v & (f0 ^ f1)) and f = f1 ^ (~v & (f0 ^ f1)), f = f0 | (v & f1) when f0 implies
f1, and the multiplexer. Every intermediate function is built once and shared by the four outputs
(memoised by truth table). The search tries every variable order (720) and four output orders per
S-box and keeps the smallest circuit; its result is the ORDERS table below, so a plain run is fast
and deterministic. Each circuit is checked here against the S-box table for all 64 inputs, and again
by the crate's unit tests.
"""
import itertools
import sys

S = [
    [14,4,13,1,2,15,11,8,3,10,6,12,5,9,0,7, 0,15,7,4,14,2,13,1,10,6,12,11,9,5,3,8,
     4,1,14,8,13,6,2,11,15,12,9,7,3,10,5,0, 15,12,8,2,4,9,1,7,5,11,3,14,10,0,6,13],
    [15,1,8,14,6,11,3,4,9,7,2,13,12,0,5,10, 3,13,4,7,15,2,8,14,12,0,1,10,6,9,11,5,
     0,14,7,11,10,4,13,1,5,8,12,6,9,3,2,15, 13,8,10,1,3,15,4,2,11,6,7,12,0,5,14,9],
    [10,0,9,14,6,3,15,5,1,13,12,7,11,4,2,8, 13,7,0,9,3,4,6,10,2,8,5,14,12,11,15,1,
     13,6,4,9,8,15,3,0,11,1,2,12,5,10,14,7, 1,10,13,0,6,9,8,7,4,15,14,3,11,5,2,12],
    [7,13,14,3,0,6,9,10,1,2,8,5,11,12,4,15, 13,8,11,5,6,15,0,3,4,7,2,12,1,10,14,9,
     10,6,9,0,12,11,7,13,15,1,3,14,5,2,8,4, 3,15,0,6,10,1,13,8,9,4,5,11,12,7,2,14],
    [2,12,4,1,7,10,11,6,8,5,3,15,13,0,14,9, 14,11,2,12,4,7,13,1,5,0,15,10,3,9,8,6,
     4,2,1,11,10,13,7,8,15,9,12,5,6,3,0,14, 11,8,12,7,1,14,2,13,6,15,0,9,10,4,5,3],
    [12,1,10,15,9,2,6,8,0,13,3,4,14,7,5,11, 10,15,4,2,7,12,9,5,6,1,13,14,0,11,3,8,
     9,14,15,5,2,8,12,3,7,0,4,10,1,13,11,6, 4,3,2,12,9,5,15,10,11,14,1,7,6,0,8,13],
    [4,11,2,14,15,0,8,13,3,12,9,7,5,10,6,1, 13,0,11,7,4,9,1,10,14,3,5,12,2,15,8,6,
     1,4,11,13,12,3,7,14,10,15,6,8,0,5,9,2, 6,11,13,8,1,4,10,7,9,5,0,15,14,2,3,12],
    [13,2,8,4,6,15,11,1,10,9,3,14,5,0,12,7, 1,15,13,8,10,3,7,4,12,5,6,11,0,14,9,2,
     7,11,4,1,9,12,14,2,0,6,10,13,15,3,5,8, 2,1,14,7,4,10,8,13,15,12,9,0,3,5,6,11],
]

# The search's result: per S-box, the decomposition order of the inputs (0 = a1) and the order in which
# the four outputs are built (0 = the most significant output bit).
ORDERS = [
    ((3, 0, 2, 1, 4, 5), (3, 2, 1, 0)),
    ((3, 2, 1, 4, 5, 0), (1, 3, 0, 2)),
    ((0, 2, 3, 1, 4, 5), (0, 1, 2, 3)),
    ((5, 1, 3, 0, 2, 4), (0, 1, 2, 3)),
    ((0, 3, 2, 5, 1, 4), (2, 0, 3, 1)),
    ((4, 5, 1, 2, 0, 3), (3, 2, 1, 0)),
    ((2, 5, 0, 1, 3, 4), (2, 0, 3, 1)),
    ((5, 3, 1, 4, 0, 2), (1, 3, 0, 2)),
]

FULL = (1 << 64) - 1
LIT = [sum(1 << i for i in range(64) if (i >> (5 - v)) & 1) for v in range(6)]


def sbox(s, x):
    return S[s][(((x >> 4) & 2) | (x & 1)) * 16 + ((x >> 1) & 15)]


def output_table(s, b):
    return sum(1 << x for x in range(64) if (sbox(s, x) >> (3 - b)) & 1)


def cofactor(f, v, val):
    sh = 1 << (5 - v)
    g = (f & ~LIT[v] & FULL) if val == 0 else (f & LIT[v])
    return g | (g << sh) if val == 0 else g | (g >> sh)


class Circuit:
    def __init__(self):
        self.name = {0: "0", FULL: "!0"}
        for v in range(6):
            self.name[LIT[v]] = "a%d" % (v + 1)
        self.gates = []  # (name, op, x, y)

    def has(self, f):
        return f in self.name

    def add(self, f, op, x, y=None):
        if f in self.name:
            return
        n = "t%d" % len(self.gates)
        self.gates.append((n, op, x, y))
        self.name[f] = n


def options(f, v):
    f0, f1 = cofactor(f, v, 0), cofactor(f, v, 1)
    if f0 == f1:
        return None
    d, lit, nlit = f0 ^ f1, LIT[v], LIT[v] ^ FULL
    o = []  # (gates, needs ~v, children, recipe)
    if f0 == 0:
        o.append((1, False, [f1], ("and", lit, f1)))
    if f1 == 0:
        o.append((1, True, [f0], ("and", nlit, f0)))
    if f0 == FULL:
        o.append((1, True, [f1], ("or", nlit, f1)))
    if f1 == FULL:
        o.append((1, False, [f0], ("or", lit, f0)))
    if d == FULL:
        o.append((1, False, [f0], ("xor", lit, f0)))
    o.append((2, False, [f0, d], ("davio", lit, f0, d)))
    o.append((2, True, [f1, d], ("davio", nlit, f1, d)))
    o.append((3, True, [f0, f1], ("mux", lit, f0, f1)))
    if f0 & ~f1 & FULL == 0:
        o.append((2, False, [f0, f1], ("orand", lit, f0, f1)))
    if f1 & ~f0 & FULL == 0:
        o.append((2, True, [f1, f0], ("orand", nlit, f1, f0)))
    return o


def split(f, order, depth):
    while depth < 6:
        o = options(f, order[depth])
        if o is not None:
            return depth, o
        depth += 1
    raise AssertionError("constant function reached the bottom")


def option_cost(c, opt, v, order, depth, cache):
    gates, needs_not, children, _ = opt
    cost = gates + (1 if needs_not and not c.has(LIT[v] ^ FULL) else 0)
    return cost + sum(estimate(c, g, order, depth + 1, cache) for g in children)


def estimate(c, f, order, depth, cache):
    if c.has(f):
        return 0
    if c.has(f ^ FULL):
        return 1
    key = (f, depth)
    if key not in cache:
        d, opts = split(f, order, depth)
        cache[key] = min(option_cost(c, o, order[d], order, d, cache) for o in opts)
    return cache[key]


def build(c, f, order, depth):
    if c.has(f):
        return
    if c.has(f ^ FULL):
        c.add(f, "not", f ^ FULL)
        return
    d, opts = split(f, order, depth)
    v = order[d]
    best = min(opts, key=lambda o: option_cost(c, o, v, order, d, {}))
    _, needs_not, children, recipe = best
    if needs_not:
        c.add(LIT[v] ^ FULL, "not", LIT[v])
    for g in children:
        build(c, g, order, d + 1)
    kind = recipe[0]
    if kind in ("and", "or", "xor"):
        c.add(f, kind, recipe[1], recipe[2])
    elif kind == "davio":
        _, lit, base, diff = recipe
        c.add(lit & diff, "and", lit, diff)
        c.add(f, "xor", base, lit & diff)
    elif kind == "orand":
        _, lit, base, other = recipe
        c.add(lit & other, "and", lit, other)
        c.add(f, "or", base, lit & other)
    else:  # mux
        _, lit, f0, f1 = recipe
        nlit = lit ^ FULL
        c.add(f0 & nlit, "and", f0, nlit)
        c.add(f1 & lit, "and", f1, lit)
        c.add(f, "or", f0 & nlit, f1 & lit)


def circuit(s, order, outputs):
    c = Circuit()
    for b in outputs:
        build(c, output_table(s, b), order, 0)
    return c


def check(c, s):
    """Evaluate the emitted gates on all 64 inputs at once (one bit per input) and compare."""
    val = {"0": 0, "!0": FULL}
    for v in range(6):
        val["a%d" % (v + 1)] = LIT[v]
    inv = {}
    for f, n in c.name.items():
        inv.setdefault(n, f)
    for n, op, x, y in c.gates:
        a = val[c.name[x]]
        if op == "not":
            r = a ^ FULL
        else:
            b = val[c.name[y]]
            r = {"and": a & b, "or": a | b, "xor": a ^ b}[op]
        val[n] = r
    for b in range(4):
        assert val[c.name[output_table(s, b)]] == output_table(s, b)


def search():
    for s in range(8):
        best = None
        for order in itertools.permutations(range(6)):
            for outs in [(0, 1, 2, 3), (3, 2, 1, 0), (1, 3, 0, 2), (2, 0, 3, 1)]:
                n = len(circuit(s, order, outs).gates)
                if best is None or n < best[0]:
                    best = (n, order, outs)
        print("S%d: %d gates, order %s, outputs %s" % (s + 1, *best), flush=True)


def schedule(c, outputs):
    """Order the gates to keep few values live (register pressure is what the generated code pays
    for on x86-64's 16 registers): repeatedly emit the ready gate that ends the most live ranges,
    preferring operands computed most recently; a gate's result stays live until its last use."""
    gates = {n: (op, x, y) for n, op, x, y in c.gates}
    name = c.name
    deps = {n: [name[v] for v in (x, y) if v is not None] for n, (op, x, y) in gates.items()}
    users = {}
    for n, ds in deps.items():
        for d in ds:
            users.setdefault(d, set()).add(n)
    remaining_uses = {v: len(u) for v, u in users.items()}
    out_names = set(outputs)
    done, order, when = set(), [], {}
    inputs = {"a%d" % (v + 1) for v in range(6)} | {"0", "!0"}
    while len(order) < len(gates):
        ready = [n for n in gates if n not in done and all(d in done or d in inputs for d in deps[n])]
        def score(n):
            ends = sum(1 for d in set(deps[n]) if d not in inputs and remaining_uses.get(d, 0) == 1)
            recent = max((when.get(d, -1) for d in deps[n]), default=-1)
            return (ends, recent, -int(n[1:]))
        best = max(ready, key=score)
        done.add(best)
        when[best] = len(order)
        order.append(best)
        for d in set(deps[best]):
            if d in remaining_uses:
                remaining_uses[d] -= 1
    pos = {n: i for i, n in enumerate(order)}
    c.gates.sort(key=lambda g: pos[g[0]])


def emit():
    out = []
    w = out.append
    w("//! The eight DES S-boxes as gate circuits over `u64` words, one bit per lane (bitsliced).")
    w("//!")
    w("//! **Generated** by `tools/des_sbox_circuits.py` from the S-box tables of FIPS 46-3; do not edit.")
    w("//! The method (Shannon/Davio decomposition with shared subfunctions) is described there. Inputs")
    w("//! `a1`..`a6` are the S-box input bits in the standard's order (`a1` first); the result is the four")
    w("//! output bits, the most significant first. Only AND, OR, XOR and NOT: no table, no branch.")
    w("")
    total = 0
    for s in range(8):
        order, outs = ORDERS[s]
        c = circuit(s, order, outs)
        schedule(c, [c.name[output_table(s, b)] for b in range(4)])
        check(c, s)
        total += len(c.gates)
        w("/// S-box %d: %d gates." % (s + 1, len(c.gates)))
        w("#[inline(always)]")
        w("#[rustfmt::skip]")
        w("pub(super) fn s%d(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64, a6: u64) -> [u64; 4] {" % (s + 1))
        ops = {"and": "&", "or": "|", "xor": "^"}
        for n, op, x, y in c.gates:
            a, b = c.name[x], (c.name[y] if y is not None else None)
            if op == "xor" and "!0" in (a, b):  # x ^ 1 is NOT x
                op, a = "not", b if a == "!0" else a
            assert op == "not" or "0" not in (a, b) and "!0" not in (a, b)
            if op == "not":
                w("    let %s = !%s;" % (n, a))
            else:
                w("    let %s = %s %s %s;" % (n, a, ops[op], b))
        w("    [%s]" % ", ".join(c.name[output_table(s, b)] for b in range(4)))
        w("}")
        w("")
    w("/// Gates in all eight circuits.")
    w("#[cfg(test)]")
    w("pub(super) const GATES: usize = %d;" % total)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--search"]:
        search()
    else:
        emit()
