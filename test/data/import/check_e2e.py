#!/usr/bin/python3
"""End-to-end check: the dataset rows after `phonograph import DECK EXPORT_DIR` equal ASE 3.22's
reading of each config_NNNNNN/vasprun.xml written by fake_vasp.py (energy = free energy, exact;
stress 1e-9 relative; forces exact; gap/VBM from ASE's eigenvalue arrays, 1e-12 eV);
configurations NNNNNN % 5 == 2 (unconverged) keep NaN labels and /labels/imported = 0.
    /usr/bin/python3 check_e2e.py DATASET.h5 EXPORT_DIR"""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402

f = h5py.File(sys.argv[1], "r")
L = f["labels"]
fails, n_ok = [], 0
for d in sorted(os.listdir(sys.argv[2])):
    if not d.startswith("config_"):
        continue
    c = int(d[7:])
    if c % 5 == 2:
        if L["imported"][c] != 0 or not np.isnan(L["energy"][c]):
            fails.append("config %d (unconverged) was imported" % c)
        continue
    e = mf.expected_from_ase_vasprun(os.path.join(sys.argv[2], d, "vasprun.xml"))
    s = L["stress"][c]
    se = np.array(e["stress_gpa"])
    ok = (L["imported"][c] == 1 and L["energy"][c] == e["energy"] and
          np.array_equal(L["forces"][c], np.array(e["forces"])) and
          np.max(np.abs(s - se)) <= 1e-9 * np.max(np.abs(se)) and
          abs(L["gap"][c] - e["gap"]) <= 1e-12 and abs(L["vbm"][c] - e["vbm"]) <= 1e-12)
    if not ok:
        fails.append("config %d: labels differ from ASE's (E %r vs %r, gap %r vs %r)" %
                     (c, L["energy"][c], e["energy"], L["gap"][c], e["gap"]))
    n_ok += ok
for m in fails:
    print("FAIL", m)
print("ok: %d configurations equal ASE's reading" % n_ok if not fails else "%d failures" % len(fails))
sys.exit(1 if fails or n_ok == 0 else 0)
