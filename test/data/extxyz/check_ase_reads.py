#!/usr/bin/python3
"""Check that ASE reads a phonograph-written extxyz file to the values phonograph meant.

Usage: check_ase_reads.py <file.xyz> <expected.txt>
expected.txt has the format written by gen_extxyz.py (test_extxyz.c writes it from its own
frames). Exit 0 if every number agrees to 1e-12 (relative to max(1, |x|)), else print the
first mismatch and exit 1. Exit 77 if ASE is not importable (the caller reports a skip).
"""
import sys

try:
    import ase.io
except ImportError:
    sys.exit(77)
import numpy as np

xyz, exp = sys.argv[1], sys.argv[2]
frames = ase.io.read(xyz, index=":", format="extxyz")
want = []
for line in open(exp):
    if line.startswith("#") or not line.strip():
        continue
    k, *rest = line.split(None, 1)
    rest = rest[0].rstrip("\n") if rest else ""
    if k == "frame":
        want.append({"atoms": [], "info": {}})
    elif k == "info":
        key, val = rest.split(" ", 1)
        want[-1]["info"][key] = val
    elif k == "atom":
        want[-1]["atoms"].append([float(x) for x in rest.split()])
    else:
        want[-1][k] = [float(x) for x in rest.split()]


def close(a, b, what):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape or np.any(np.abs(a - b) > 1e-12 * np.maximum(1, np.abs(b))):
        print(f"mismatch in {what}: ASE {a} expected {b}")
        sys.exit(1)


if len(frames) != len(want):
    print(f"ASE read {len(frames)} frames, expected {len(want)}")
    sys.exit(1)
for i, (a, w) in enumerate(zip(frames, want)):
    close(a.cell.array.ravel(), w["lattice"], f"frame {i} lattice")
    close(a.pbc.astype(float), w["pbc"], f"frame {i} pbc")
    close([a.get_potential_energy()], w["energy"], f"frame {i} energy")
    close(a.get_stress(voigt=False).ravel(), w["stress"], f"frame {i} stress")
    atoms = np.array(w["atoms"])
    close(a.numbers, atoms[:, 0], f"frame {i} Z")
    close(a.positions, atoms[:, 1:4], f"frame {i} positions")
    close(a.get_forces(), atoms[:, 4:7], f"frame {i} forces")
    for k, v in w["info"].items():
        got = a.info.get(k)
        if str(got) != v and not (isinstance(got, float) and abs(got - float(v)) < 1e-12):
            print(f"frame {i} info {k}: ASE {got!r} expected {v!r}")
            sys.exit(1)
print("ASE reads", len(frames), "frames as written")
