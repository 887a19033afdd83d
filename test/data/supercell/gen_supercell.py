#!/usr/bin/python3
"""Reference supercells / primitive cells from phonopy 2.17 (phonopy.structure.cells).

Run from this directory:  /usr/bin/python3 gen_supercell.py ../../../../shared
Writes one <case>.txt per case (format below), read by test/unit/test_supercell.c.

Format (whitespace separated, one record per line, numbers %.17g):
  matrix m00 m01 ... m22          supercell matrix M (phonopy column convention)
  pmat p00 ... p22                primitive matrix P w.r.t. the unit cell
  unit_lattice 9 numbers          rows = lattice vectors (Å)
  unit fx fy fz Z                 one line per unit-cell atom (scaled positions)
  super_lattice 9 numbers
  super fx fy fz Z s2u            one line per supercell atom; s2u = unit-cell atom index
  prim_lattice 9 numbers
  prim fx fy fz Z p2s             one line per primitive atom
  s2p i0 i1 ...                   phonopy s2p_map (supercell index of the representative)
  smat 9 ints                     supercell matrix w.r.t. primitive (rint(P^-1 M))
"""
import sys
import numpy as np
import phonopy
from phonopy.interface.vasp import read_vasp
from phonopy.structure.cells import get_supercell, get_primitive

shared = sys.argv[1] if len(sys.argv) > 1 else "../../../../shared"
AG = f"{shared}/physics/structures/POSCAR_Ag3SBr"
NACL = f"{shared}/reference/phonopy/NaCl/POSCAR-unitcell"
NACL_P = f"{shared}/reference/phonopy/NaCl/PPOSCAR"
I3 = np.eye(3)
F = [[0, .5, .5], [.5, 0, .5], [.5, .5, 0]]
cases = {
    "ag3sbr_222": (AG, np.diag([2, 2, 2]), I3),
    "ag3sbr_fcc": (AG, [[-1, 1, 1], [1, -1, 1], [1, 1, -1]], I3),
    "ag3sbr_skew": (AG, [[2, 1, 0], [0, 1, 1], [1, 0, 2]], I3),
    "ag3sbr_123": (AG, np.diag([1, 2, 3]), I3),
    "nacl_222": (NACL, np.diag([2, 2, 2]), F),
    "naclprim_s": (NACL_P, [[-2, 2, 2], [2, -2, 2], [2, 2, -2]], I3),
    # unit-cell coordinates outside [0,1) (shifted by (-0.1, 0.25, 1.3)): tests the wrapping
    "ag3sbr_shift_fcc": ("shift:" + AG, [[-1, 1, 1], [1, -1, 1], [1, 1, -1]], I3),
}


def fmt(a):
    return " ".join("%.17g" % x for x in np.ravel(a))


for name, (path, M, P) in cases.items():
    if path.startswith("shift:"):
        path = path[len("shift:"):]
        unit = read_vasp(path)
        unit.scaled_positions = unit.scaled_positions + np.array([-0.1, 0.25, 1.3])
    else:
        unit = read_vasp(path)
    M = np.array(M, dtype=int)
    P = np.array(P, dtype=float)
    sc = get_supercell(unit, M)  # is_old_style=True (phonopy default)
    N = int(round(abs(np.linalg.det(M))))
    tmat = np.dot(np.linalg.inv(M), P)
    prim = get_primitive(sc, tmat, symprec=1e-5)
    smat = np.rint(np.dot(np.linalg.inv(P), M)).astype(int)
    with open(f"{name}.txt", "w") as f:
        f.write(f"# phonopy {phonopy.__version__}: get_supercell({path.split('/')[-1]}, M), "
                f"get_primitive(sc, inv(M) P)\n")
        f.write("matrix " + " ".join(str(x) for x in M.ravel()) + "\n")
        f.write("pmat " + fmt(P) + "\n")
        f.write("unit_lattice " + fmt(unit.cell) + "\n")
        for x, z in zip(unit.scaled_positions, unit.numbers):
            f.write(f"unit {fmt(x)} {z}\n")
        f.write("super_lattice " + fmt(sc.cell) + "\n")
        for x, z, u in zip(sc.scaled_positions, sc.numbers, sc.s2u_map):
            f.write(f"super {fmt(x)} {z} {u // N}\n")
        f.write("prim_lattice " + fmt(prim.cell) + "\n")
        for x, z, s in zip(prim.scaled_positions, prim.numbers, prim.p2s_map):
            f.write(f"prim {fmt(x)} {z} {s}\n")
        f.write("s2p " + " ".join(str(x) for x in prim.s2p_map) + "\n")
        f.write("smat " + " ".join(str(x) for x in smat.ravel()) + "\n")
    print(name, len(sc), len(prim))

# the NaCl case must agree with the stored phonopy reference (../shared/reference/phonopy/NaCl)
import h5py
with h5py.File(f"{shared}/reference/phonopy/NaCl/reference.h5", "r") as h:
    unit = read_vasp(NACL)
    sc = get_supercell(unit, np.diag([2, 2, 2]))
    prim = get_primitive(sc, np.dot(np.linalg.inv(np.diag([2, 2, 2])), F))
    assert np.allclose(h["structure/supercell_scaled_positions"][:], sc.scaled_positions, atol=1e-14)
    assert (h["structure/p2s_map"][:] == prim.p2s_map).all()
    assert (h["structure/s2p_map"][:] == prim.s2p_map).all()
    print("NaCl case agrees with reference.h5")
