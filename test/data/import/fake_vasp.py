#!/usr/bin/python3
"""A stand-in for VASP in the end-to-end test (test/cli/test_import.sh): run inside an export
directory config_NNNNNN/ holding a POSCAR, it writes a synthetic vasprun.xml for that structure
in VASP 6's layout (make_fixtures.vasprun) with labels drawn from a generator seeded by NNNNNN.
Configurations with NNNNNN % 5 == 2 come out electronically unconverged (NELM steps).
Used as DFT_COMMAND of jobscripts/dft_array.slurm:
    DFT_COMMAND="/usr/bin/python3 test/data/import/fake_vasp.py" bash jobscripts/dft_array.slurm DIR
"""
import os
import sys

import numpy as np
from ase.io import read

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402

c = int(os.path.basename(os.getcwd()).split("_")[1])
rng = np.random.default_rng(1000 + c)
a = read("POSCAR", format="vasp")
cfg = {"symbols": a.get_chemical_symbols(), "cell": a.cell[:].tolist(),
       "positions": a.get_positions().tolist()}
n = len(a)
nelect = sum(mf.ZVAL.get(s, 11) for s in cfg["symbols"])
n_occ = nelect // 2
n_band = n_occ + max(4, n // 2)
vbm = rng.uniform(1.5, 2.5)
gap = rng.uniform(0.2, 1.4)
eigs = mf.bands(rng, 4, n_band, n_occ, vbm, gap)[None]
text = mf.vasprun(cfg, e_free=-2.65 * n + rng.normal(0, 0.05), forces=mf.random_forces(rng, n),
                  stress_kb=mf.random_stress_kb(rng, rng.normal(0, 5)), eigs=eigs,
                  efermi=vbm + gap / 2, converged=(c % 5 != 2))
with open("vasprun.xml", "w") as f:
    f.write(text)
