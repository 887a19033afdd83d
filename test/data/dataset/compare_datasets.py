#!/usr/bin/python3
"""Compare the values of two phonograph dataset files (used by test/cli/test_sample.sh).

Every dataset under /configs, /labels, /provenance and /completed must have the same shape,
dtype and bytes (NaN == NaN bitwise), except /provenance/deck_path (where the deck file was). The HDF5 files themselves are not byte-identical
(object headers carry modification times), so values are compared.
usage: compare_datasets.py A.h5 B.h5   -> exit 0 if identical, 1 otherwise (prints why)
"""
import sys

import h5py
import numpy as np


def collect(f):
    out = {}
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            if name != "provenance/deck_path":
                out[name] = obj[()]
    f.visititems(visit)
    return out


a, b = (collect(h5py.File(p, "r")) for p in sys.argv[1:3])
bad = 0
if sorted(a) != sorted(b):
    print("different dataset lists:", sorted(set(a) ^ set(b)))
    bad = 1
for k in sorted(set(a) & set(b)):
    x, y = np.asarray(a[k]), np.asarray(b[k])
    if x.shape != y.shape or x.dtype != y.dtype or x.tobytes() != y.tobytes():
        print("differs:", k, x.shape, y.shape)
        bad = 1
print("identical" if not bad else "DIFFERENT", len(a), "datasets")
sys.exit(bad)
