#!/usr/bin/python3
"""compare_h5.py A.h5 B.h5 [--ignore PATH ...]: the two HDF5 files hold the same data.

Compares what the files *contain*, not their bytes (HDF5 files of equal content differ in
metadata layout, free space and object timestamps): the same set of groups and datasets; for
every dataset the same shape, dtype and values, bitwise (NaN equals NaN only when the bits are
equal); for every group and dataset the same attributes with equal values. PATHs given with
--ignore (datasets or attributes as /path@name) are skipped. Exit 0 if equal, 1 with a list of
differences otherwise.
"""
import argparse
import sys

import h5py
import numpy as np


def items(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__("/" + name, obj))
    out["/"] = f["/"]
    return out


def same_value(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc" or a.dtype.kind in "iub":
        return a.tobytes() == b.tobytes()
    return bool(np.all(a == b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--ignore", nargs="*", default=[])
    args = ap.parse_args()
    diffs = []
    n_values = 0
    with h5py.File(args.a, "r") as fa, h5py.File(args.b, "r") as fb:
        ia, ib = items(fa), items(fb)
        for p in sorted(set(ia) ^ set(ib)):
            diffs.append(f"{p}: only in {'A' if p in ia else 'B'}")
        for p in sorted(set(ia) & set(ib)):
            if p in args.ignore:
                continue
            oa, ob = ia[p], ib[p]
            if isinstance(oa, h5py.Dataset) != isinstance(ob, h5py.Dataset):
                diffs.append(f"{p}: dataset in one file, group in the other")
                continue
            if isinstance(oa, h5py.Dataset):
                va, vb = oa[()], ob[()]
                if not same_value(va, vb):
                    msg = f"{p}: values differ (shape {np.shape(va)} vs {np.shape(vb)}, dtype {oa.dtype} vs {ob.dtype})"
                    try:
                        d = np.abs(np.asarray(va, float) - np.asarray(vb, float))
                        msg += f", max |diff| {np.nanmax(d):.3g}"
                    except (TypeError, ValueError):
                        pass
                    diffs.append(msg)
                n_values += int(np.size(va))
            for k in sorted(set(oa.attrs) | set(ob.attrs)):
                if f"{p}@{k}" in args.ignore:
                    continue
                if k not in oa.attrs or k not in ob.attrs:
                    diffs.append(f"{p}@{k}: attribute only in {'A' if k in oa.attrs else 'B'}")
                elif not same_value(oa.attrs[k], ob.attrs[k]):
                    diffs.append(f"{p}@{k}: {oa.attrs[k]!r} vs {ob.attrs[k]!r}")
    for d in diffs:
        print(d)
    print(f"compared {len(ia)} objects, {n_values} values: "
          + ("equal" if not diffs else f"{len(diffs)} differences"))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
