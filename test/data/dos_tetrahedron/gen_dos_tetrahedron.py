#!/usr/bin/python3
"""phonopy 2.17 tetrahedron-method total DOS of NaCl, the reference of test/cli/test_dos_tetrahedron.sh.

Run from this directory:  /usr/bin/python3 gen_dos_tetrahedron.py ../../../../shared
(phonopy 2.17.1, numpy, h5py from Debian). Inputs: shared/reference/phonopy/NaCl POSCAR-unitcell and
force_constants.hdf5 (full, --dim 2 2 2), primitive matrix F (0 1/2 1/2 / 1/2 0 1/2 / 1/2 1/2 0).

For each case, Phonopy.run_mesh(mesh, is_gamma_center=True, is_mesh_symmetry=...) then
run_total_dos(use_tetrahedron_method=True, freq_min=-0.5, freq_max=7.0, freq_pitch=0.05);
the frequency points and total DOS (states/THz per primitive cell) go to dos_<case>.txt.
  g8      8x8x8 Γ-centred, mesh symmetry on (phonopy's irreducible points)
  g8full  the same without mesh symmetry (the full grid)
  g9      9x9x9 Γ-centred (odd), mesh symmetry on
"""
import os
import sys

import h5py
import numpy as np
import phonopy
from phonopy.interface.calculator import read_crystal_structure

shared = sys.argv[1] if len(sys.argv) > 1 else "../../../../shared"
here = os.path.dirname(os.path.abspath(__file__))
nacl = os.path.join(shared, "reference/phonopy/NaCl")
unit, _ = read_crystal_structure(os.path.join(nacl, "POSCAR-unitcell"), interface_mode="vasp")
P = [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]
ph = phonopy.Phonopy(unit, supercell_matrix=np.diag([2, 2, 2]), primitive_matrix=P)
with h5py.File(os.path.join(nacl, "force_constants.hdf5"), "r") as f:
    ph.force_constants = f["force_constants"][()]
for case, mesh, sym in (("g8", 8, True), ("g8full", 8, False), ("g9", 9, True)):
    ph.run_mesh([mesh] * 3, is_gamma_center=True, is_mesh_symmetry=sym)
    ph.run_total_dos(use_tetrahedron_method=True, freq_min=-0.5, freq_max=7.0, freq_pitch=0.05)
    d = ph.get_total_dos_dict()
    np.savetxt(os.path.join(here, f"dos_{case}.txt"),
               np.column_stack([d["frequency_points"], d["total_dos"]]), fmt="%.15e",
               header=f"phonopy {phonopy.__version__}: NaCl {mesh}^3 Gamma-centred, mesh symmetry {sym}, "
                      "tetrahedron total DOS; columns: frequency (THz), DOS (states/THz per primitive cell)")
    print(case, len(d["frequency_points"]), "points, integral",
          np.trapz(d["total_dos"], d["frequency_points"]))
