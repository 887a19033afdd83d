#!/usr/bin/python3
"""Force constants and frequencies of NaCl for a NON-SYMMETRIC supercell matrix and primitive
matrix, for test/cli/test_supercell_matrix.sh (phonons stage part).

Run from this directory:  /usr/bin/python3 gen_phonons_skew.py ../../../../shared
(phonopy 2.17.1, numpy, h5py from Debian).

    M = 2 2 0  0 2 0  0 0 2      (rows; det 8: the same 64-atom lattice as --dim 2 2 2, another
                                  basis and another phonopy atom order)
    P = 0 1/2 1  1/2 0 1  1/2 1/2 1   (fcc primitive basis with a3 -> a1+a2+a3)

phonopy's own NaCl force constants (shared/reference/phonopy/NaCl/force_constants.hdf5, full,
--dim 2 2 2 order) are carried over to phonopy's atom order of Phonopy(unitcell, M, P) by
matching Cartesian positions modulo the (common) supercell lattice; the result is written as
force_constants_skew.hdf5 (phonopy's write_force_constants_to_hdf5, full). phonopy then gives
the frequencies at q = (0,0,0) ... (1/2,0,1/2) (5 points, the deck's band_path with
band_points = 5; q in the basis of P's reciprocal lattice): frequencies_skew.txt, one q per
line: q1 q2 q3 then 6 frequencies in THz; and phonopy's supercell lattice for M (rows, Å):
lattice_skew.txt. (For this M phonopy's atom order happens to equal --dim 2 2 2's; what
tells M from its transpose is the supercell lattice, rows M^T L vs M L.)
"""
import os
import sys

import h5py
import numpy as np
import phonopy
from phonopy.file_IO import write_force_constants_to_hdf5
from phonopy.interface.calculator import read_crystal_structure

shared = sys.argv[1] if len(sys.argv) > 1 else "../../../../shared"
here = os.path.dirname(os.path.abspath(__file__))
unit, _ = read_crystal_structure(os.path.join(shared, "reference/phonopy/NaCl/POSCAR-unitcell"),
                                 interface_mode="vasp")
M = np.array([[2, 2, 0], [0, 2, 0], [0, 0, 2]])
P = np.array([[0, 0.5, 1], [0.5, 0, 1], [0.5, 0.5, 1]])
ref = phonopy.Phonopy(unit, supercell_matrix=np.diag([2, 2, 2]))
with h5py.File(os.path.join(shared, "reference/phonopy/NaCl/force_constants.hdf5"), "r") as f:
    fc_ref = f["force_constants"][()]
assert fc_ref.shape == (64, 64, 3, 3)
ph = phonopy.Phonopy(unit, supercell_matrix=M, primitive_matrix=P)
L = ph.supercell.cell
assert abs(abs(np.linalg.det(L)) - abs(np.linalg.det(ref.supercell.cell))) < 1e-8
inv = np.linalg.inv(L)
x_new = ph.supercell.positions @ inv
x_ref = ref.supercell.positions @ inv
perm = np.empty(64, dtype=int)
for i in range(64):
    d = x_ref - x_new[i]
    d -= np.rint(d)
    j = np.where(np.abs(d).max(axis=1) < 1e-8)[0]
    assert len(j) == 1 and ref.supercell.numbers[j[0]] == ph.supercell.numbers[i]
    perm[i] = j[0]
assert sorted(perm) == list(range(64))
fc = fc_ref[np.ix_(perm, perm)]
ph.force_constants = fc
write_force_constants_to_hdf5(fc, filename=os.path.join(here, "force_constants_skew.hdf5"))
qs = [np.array([0, 0, 0]) + t * np.array([0.5, 0, 0.5]) for t in np.linspace(0, 1, 5)]
ph.run_qpoints(qs)
freqs = ph.get_qpoints_dict()["frequencies"]
with open(os.path.join(here, "frequencies_skew.txt"), "w") as f:
    f.write(f"# phonopy {phonopy.__version__}: NaCl, M = 2 2 0 0 2 0 0 0 2, P = 0 1/2 1 1/2 0 1 1/2 1/2 1; "
            "q (reduced, P's reciprocal basis) then 6 frequencies (THz)\n")
    for q, fr in zip(qs, freqs):
        f.write(" ".join("%.6f" % v for v in q) + "  " + " ".join("%.12f" % v for v in fr) + "\n")
np.savetxt(os.path.join(here, "lattice_skew.txt"), ph.supercell.cell, fmt="%.16f",
           header=f"phonopy {phonopy.__version__}: supercell lattice rows (Å) of NaCl for M = 2 2 0 0 2 0 0 0 2")
print("wrote force_constants_skew.hdf5 lattice_skew.txt frequencies_skew.txt; perm differs from identity:",
      int((perm != np.arange(64)).sum()), "atoms")
