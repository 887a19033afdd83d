#!/usr/bin/python3
"""Force constants for the sampling benchmark (bench/sample.sh): rock-salt NaCl conventional
cell (a = 5.69 A, phonopy's example structure) in a 3x3x6 supercell = 432 atoms, with a
harmonic spring model (nearest Na-Cl springs k1 = 1.5 eV/A^2 along the bond, next-nearest
like-atom springs k2 = 0.3 eV/A^2): positive semi-definite, acoustic sum rule exact. Only the
cost of sampling is benchmarked, so a model FC is enough; both codes get the same file.
usage: sample_fc.py OUTDIR  -> OUTDIR/POSCAR (unit cell), OUTDIR/force_constants.hdf5
"""
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
a = 5.69
frac = np.array([[0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0],
                 [.5, .5, .5], [.5, 0, 0], [0, .5, 0], [0, 0, .5]])
with open(os.path.join(out, "POSCAR"), "w") as f:
    f.write("NaCl conventional\n1.0\n")
    for i in range(3):
        f.write(" ".join(f"{a * (i == j):.10f}" for j in range(3)) + "\n")
    f.write("Na Cl\n4 4\nDirect\n")
    for p in frac:
        f.write(" ".join(f"{x:.10f}" for x in p) + "\n")
dim = (3, 3, 6)
# phonopy's supercell order: for each unit-cell atom, images with a fastest, then b, then c
pos = []
for p in frac:
    for k in range(dim[2]):
        for j in range(dim[1]):
            for i in range(dim[0]):
                pos.append((p + [i, j, k]) / dim)
pos = np.array(pos)
L = np.diag([a * d for d in dim])
n = len(pos)
species = np.array([0] * (4 * 54) + [1] * (4 * 54))
fc = np.zeros((n, n, 3, 3))
for i in range(n):
    d = pos - pos[i]
    d -= np.round(d)
    r = d @ L
    dist = np.linalg.norm(r, axis=1)
    for j in np.nonzero((dist > 0.1) & (dist < a * 0.75))[0]:
        e = r[j] / dist[j]
        if abs(dist[j] - a / 2) < 0.01:
            k = 1.5
        elif abs(dist[j] - a / np.sqrt(2)) < 0.01 and species[i] == species[j]:
            k = 0.3
        else:
            continue
        blk = -k * np.outer(e, e)
        fc[i, j] += blk
        fc[i, i] -= blk
with h5py.File(os.path.join(out, "force_constants.hdf5"), "w") as f:
    f["force_constants"] = fc
    f["p2s_map"] = np.arange(n, dtype="int32")
    f["physical_unit"] = [b"eV/angstrom^2"]
print(n, "atoms; max |row sum|", np.abs(fc.sum(axis=1)).max())
