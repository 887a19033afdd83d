#!/usr/bin/python3
"""Compare the labels `phonograph import` wrote into DATASET.h5 with expected.json (ASE 3.22's
reading of the same fixture files, make_fixtures.py):
    /usr/bin/python3 check_import.py DATASET.h5 vasprun|extxyz C1,C2,... [SKIPPED,...]
C1,... are the configurations that must carry imported labels, all other rows must be NaN with
/labels/imported = 0. Tolerances: energy and forces exact (both readers parse the same decimal
text with correctly rounded conversions), stress 1e-9 relative (kBar -> GPa and the sign flip,
ASE goes through eV/Å^3 and back), gap/VBM 1e-12 eV (differences of the same parsed numbers)."""
import json
import os
import sys

import h5py
import numpy as np

path, kind, want = sys.argv[1], sys.argv[2], [int(c) for c in sys.argv[3].split(",")]
exp = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.json")))[kind]
f = h5py.File(path, "r")
L = f["labels"]
fails = []


def check(cond, msg):
    if not cond:
        fails.append(msg)


lab = f.attrs["labeler"]
lab = lab.decode() if isinstance(lab, bytes) else lab
check(lab == "external", "root attribute labeler = %r, expected 'external'" % lab)
mask = L["imported"][:]
src = [s.decode() if isinstance(s, bytes) else s for s in f["provenance/import/source"][:]]
for c in range(f.attrs["n_config"]):
    if c in want:
        e = exp[str(c)]
        check(mask[c] == 1, "config %d: imported = %d" % (c, mask[c]))
        check(L["energy"][c] == e["energy"], "config %d: energy %r != ASE %r" % (c, L["energy"][c], e["energy"]))
        check(abs(L["energy_per_atom"][c] - e["energy"] / e["n_atom"]) <= 1e-15 * abs(e["energy"]),
              "config %d: energy_per_atom" % c)
        s, se = L["stress"][c], np.array(e["stress_gpa"])
        check(np.max(np.abs(s - se)) <= 1e-9 * np.max(np.abs(se)),
              "config %d: stress %s != ASE %s" % (c, s.tolist(), se.tolist()))
        check(abs(L["hydrostatic_stress"][c] - e["hydrostatic_gpa"]) <= 1e-9 * np.max(np.abs(se)),
              "config %d: hydrostatic stress %r != %r" % (c, L["hydrostatic_stress"][c], e["hydrostatic_gpa"]))
        check(np.array_equal(L["forces"][c], np.array(e["forces"])), "config %d: forces differ" % c)
        check(abs(L["gap"][c] - e["gap"]) <= 1e-12, "config %d: gap %r != %r" % (c, L["gap"][c], e["gap"]))
        check(abs(L["vbm"][c] - e["vbm"]) <= 1e-12, "config %d: vbm %r != %r" % (c, L["vbm"][c], e["vbm"]))
        check(src[c].endswith("config_%06d/vasprun.xml" % c) if kind == "vasprun" else "#frame" in src[c],
              "config %d: provenance source %r" % (c, src[c]))
        if kind == "vasprun":
            e0 = f["provenance/import/energy_sigma0"][c]
            check(abs(e0 - e["energy_sigma0"]) <= 1e-12, "config %d: energy_sigma0 %r != ASE %r" % (c, e0, e["energy_sigma0"]))
    else:
        check(mask[c] == 0, "config %d: imported = %d, expected 0" % (c, mask[c]))
        for name in ("energy", "gap", "vbm", "hydrostatic_stress", "stress", "forces"):
            check(np.all(np.isnan(L[name][c])), "config %d: %s not NaN" % (c, name))
log = np.ravel(f["provenance/import/log"][()])[0]
check("import from" in (log.decode() if isinstance(log, bytes) else log), "provenance/import/log has no entry")
for m in fails:
    print("FAIL", m)
print("%d checks failed" % len(fails) if fails else "ok: labels equal ASE's reading")
sys.exit(1 if fails else 0)
