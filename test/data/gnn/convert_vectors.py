#!/usr/bin/python3
"""Convert ../shared/reference/gnn/vectors.h5 into a plain text file readable without HDF5
(stop-gap until pg_h5 lands; the test prefers the .h5 itself once it can read it).

    /usr/bin/python3 test/data/gnn/convert_vectors.py [vectors.h5] [vectors.txt]

Format: per array one header line "name n" then n values (%.17g: exact round trip of
float64), config attributes as "config/<key> 1". Every dataset of the file is written.
"""
import os
import sys

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../../../../shared/reference/gnn/vectors.h5")
dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "vectors.txt")

with h5py.File(src, "r") as f, open(dst, "w") as out:
    for k, v in f["config"].attrs.items():
        out.write(f"config/{k} 1\n{float(v):.17g}\n")

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and not name.startswith("layout/names"):
            a = np.asarray(obj[()], dtype=np.float64).ravel()
            out.write(f"{name} {a.size}\n")
            out.write("\n".join(f"{x:.17g}" for x in a) + "\n")
    f.visititems(visit)
print("wrote", dst)
