#!/usr/bin/python3
"""Symmetry references from spglib 2.0.2 (Python API) and phonopy 2.17.1 for test_symmetry.c.

Run from this directory:  /usr/bin/python3 gen_symmetry.py ../../../../shared
Writes:
  <case>.txt  for each structure: lines
      number <n> / international <s> / hall_number <n> / schoenflies <s> / pointgroup <s>
      n_ops <n> / wyckoffs <letters> / site_symmetry <sym per atom> / equivalent <ints>
      perm <op> <image of atom 0..n-1>   (phonopy compute_all_sg_permutations, supercell
                                          periodicity; only for the small cells)
  mesh_nacl_8g.txt   spglib.get_ir_reciprocal_mesh([8,8,8], NaCl primitive, is_shift=0):
      ir <grid index> <weight> <qx qy qz>
  mesh_nacl_20mp.txt phonopy's own irreducible Monkhorst-Pack 20^3 mesh of NaCl (reference.h5
      dos/ir_qpoints, ir_weights): ir <weight> <qx qy qz>
"""
import sys
import numpy as np
import spglib
import h5py
from phonopy.interface.vasp import read_vasp
from phonopy.structure.cells import get_supercell, compute_all_sg_permutations

shared = sys.argv[1] if len(sys.argv) > 1 else "../../../../shared"


def si_diamond():
    a = 5.43
    base = [[0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0]]
    pos = base + [[x + .25, y + .25, z + .25] for x, y, z in base]
    return (np.eye(3) * a, np.array(pos), [14] * 8)


def from_poscar(path):
    c = read_vasp(path)
    return (c.cell, c.scaled_positions, c.numbers)


ag = from_poscar(f"{shared}/physics/structures/POSCAR_Ag3SBr")
ag_sc = get_supercell(read_vasp(f"{shared}/physics/structures/POSCAR_Ag3SBr"), np.diag([2, 2, 2]))
cases = {
    "nacl_conv": (from_poscar(f"{shared}/reference/phonopy/NaCl/POSCAR-unitcell"), True),
    "si_diamond": (si_diamond(), True),
    "ag3sbr": (ag, True),
    "ag3sbr_222": ((ag_sc.cell, ag_sc.scaled_positions, ag_sc.numbers), False),
    "ag3sbr_displaced": (from_poscar(f"{shared}/physics/structures/POSCAR_Ag3SBr_2x2x2_displaced"), True),
}
for name, (cell, with_perm) in cases.items():
    ds = spglib.get_symmetry_dataset(cell, symprec=1e-5)
    with open(f"{name}.txt", "w") as f:
        f.write(f"# spglib {spglib.__version__} get_symmetry_dataset(symprec=1e-5)\n")
        f.write(f"number {ds['number']}\ninternational {ds['international']}\n")
        f.write(f"hall_number {ds['hall_number']}\n")
        t = spglib.get_spacegroup_type(ds['hall_number'])
        f.write(f"schoenflies {t['schoenflies']}\npointgroup {ds['pointgroup']}\n")
        f.write(f"n_ops {len(ds['rotations'])}\n")
        f.write("wyckoffs " + "".join(ds['wyckoffs']) + "\n")
        f.write("site_symmetry " + " ".join(s.strip() for s in ds['site_symmetry_symbols']) + "\n")
        f.write("equivalent " + " ".join(str(x) for x in ds['equivalent_atoms']) + "\n")
        if with_perm:
            lat, pos, _ = cell
            perms = compute_all_sg_permutations(
                np.array(pos, dtype="double"), ds['rotations'], ds['translations'],
                np.array(np.transpose(lat), dtype="double", order="C"), 1e-5)
            for o, p in enumerate(perms):
                f.write(f"perm {o} " + " ".join(str(x) for x in p) + "\n")
    print(name, ds['international'], len(ds['rotations']))

prim = from_poscar(f"{shared}/reference/phonopy/NaCl/PPOSCAR")
mapping, grid = spglib.get_ir_reciprocal_mesh([8, 8, 8], prim, is_shift=[0, 0, 0])
ir, w = np.unique(mapping, return_counts=True)
with open("mesh_nacl_8g.txt", "w") as f:
    f.write("# spglib.get_ir_reciprocal_mesh([8,8,8], NaCl PPOSCAR, is_shift=[0,0,0]) "
            "time reversal on\n")
    for g, ww in zip(ir, w):
        q = grid[g] / 8.0
        f.write(f"ir {g} {ww} {q[0]:.17g} {q[1]:.17g} {q[2]:.17g}\n")
print("8x8x8 gamma:", len(ir), w.sum())

with h5py.File(f"{shared}/reference/phonopy/NaCl/reference.h5", "r") as h:
    q = h["dos/ir_qpoints"][:]
    w = h["dos/ir_weights"][:]
    mesh = list(h["dos"].attrs["mesh"])
    assert not h["dos"].attrs["is_gamma_center"]
with open("mesh_nacl_20mp.txt", "w") as f:
    f.write(f"# phonopy 2.17.1 reference.h5 dos/ir_qpoints+ir_weights, mesh {mesh} Monkhorst-Pack\n")
    for qq, ww in zip(q, w):
        f.write(f"ir {ww} {qq[0]:.17g} {qq[1]:.17g} {qq[2]:.17g}\n")
print("20^3 MP:", len(q), w.sum())
