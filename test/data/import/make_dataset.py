#!/usr/bin/python3
"""Build a minimal phonograph-dataset file (docs/dataset.md, version 1) holding the fixture
configurations of configs.json, for the import tests:
    /usr/bin/python3 make_dataset.py OUT.h5 [LABELER]
LABELER none (default: all labels NaN) or embedded (labels filled with placeholder numbers, to
test the --replace policy). Configurations 0-4 are all completed; the file has one more row (5)
that is not completed. Only what `phonograph import` reads and writes is created, with the same
types, shapes, chunking and units attributes as src/io/dataset.c."""
import json
import os
import sys

import h5py
import numpy as np
from ase.data import atomic_numbers

out = sys.argv[1]
labeler = sys.argv[2] if len(sys.argv) > 2 else "none"
cfg = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs.json")))["configs"]
n, na = len(cfg) + 1, 5
with h5py.File(out, "w") as f:
    f.attrs["format"] = np.bytes_("phonograph-dataset")
    f.attrs["format_version"] = np.int64(1)
    f.attrs["phonograph_version"] = np.bytes_("test fixture (make_dataset.py)")
    f.attrs["n_config"] = np.int64(n)
    f.attrs["n_atom"] = np.int64(na)
    f.attrs["labeler"] = np.bytes_(labeler)
    f.attrs["sampler"] = np.bytes_("random")

    def rows(path, shape, dtype, units, fill):
        d = f.create_dataset(path, (n,) + shape, dtype=dtype, chunks=(1,) + shape,
                             maxshape=(n,) + shape, fillvalue=fill)
        d.attrs["units"] = np.bytes_(units.encode())
        return d

    cell = rows("configs/cell", (3, 3), "f8", "Å", 0)
    pos = rows("configs/positions", (na, 3), "f8", "Å", 0)
    spc = rows("configs/species", (na,), "i4", "atomic number", 0)
    for c, x in enumerate(cfg):
        cell[c] = x["cell"]
        pos[c] = x["positions"]
        spc[c] = [atomic_numbers[s] for s in x["symbols"]]
    v = 1.5 if labeler != "none" else np.nan
    for name, shape, units in (("energy", (), "eV"), ("energy_per_atom", (), "eV/atom"),
                               ("gap", (), "eV"), ("vbm", (), "eV"),
                               ("hydrostatic_stress", (), "GPa"), ("stress", (3, 3), "GPa"),
                               ("forces", (na, 3), "eV/Å")):
        d = rows("labels/" + name, shape, "f8", units, np.nan)
        d[:len(cfg)] = v
    done = f.create_dataset("completed", (n,), dtype="u1", chunks=(n,), maxshape=(n,))
    done[:len(cfg)] = 1
