#!/usr/bin/python3
"""Peer timing for bench/sample.sh: phonopy 2.17 random displacements at temperature
(generate_displacements(number_of_snapshots, temperature), quantum statistics, cutoff 0.01 THz)
on the same unit cell, supercell and force constants as phonograph.
usage: sample_phonopy.py DIR N_SNAPSHOTS TEMPERATURE -> prints "phonopy_seconds <t>" """
import sys
import time

import h5py
import numpy as np
import phonopy
from phonopy.interface.vasp import read_vasp

d, n, temp = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
unit = read_vasp(f"{d}/POSCAR")
fc = h5py.File(f"{d}/force_constants.hdf5", "r")["force_constants"][:]
t0 = time.perf_counter()
ph = phonopy.Phonopy(unit, supercell_matrix=np.diag([3, 3, 6]), primitive_matrix=None)
ph.force_constants = fc
ph.generate_displacements(number_of_snapshots=n, random_seed=1, temperature=temp)
disp = ph.displacements
t1 = time.perf_counter()
assert np.asarray(disp).shape == (n, 432, 3)
print(f"phonopy_seconds {t1 - t0:.4f}")
print(f"phonopy_msd {np.mean(np.asarray(disp) ** 2):.6e}")
