#!/usr/bin/python3
"""Phonon sampler + embedded labeler against ../shared/physics/LABELER.md section 7 (Ag3SBr
2x2x2, PRV-CAP-1 force constants, 300 K, quantum statistics, imaginary modes `shift`; the spec's
numbers come from N = 200 configurations of its own Python prototype):
    RMS displacement Ag / Br / S = 0.35 / 0.45 / 0.15 A,  <E> - E0 = 26.1 meV/atom,  <gap> = 0.890 eV.
Tolerances: the spec rounds RMS values to 0.01 A -> |ours - spec| <= 0.01 + 5 standard errors;
<E> - E0 and <gap> within 5 combined standard errors (ours from the sample, the spec's taken as
ours * sqrt(N_ours / 200)); false-failure rate about 6e-7 per check for a correct sampler.
E0 and the static gap come from ../shared/physics/reference.h5 (configs/Ag3SBr_2x2x2_ideal).
usage: check_physics.py DATASET REFERENCE_H5 -> "N passed, N failed"
"""
import sys

import h5py
import numpy as np

f, g = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
n = f["labels/energy_per_atom"].shape[0]
res = []
def check(name, ok, detail):
    res.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ": " + detail)

e0 = float(g["configs/Ag3SBr_2x2x2_ideal/energy_per_atom"][()])
e = f["labels/energy_per_atom"][:] - e0
se = e.std(ddof=1) / np.sqrt(n) * np.sqrt(1 + n / 200)
check("<E>-E0 vs 26.1 meV/atom", abs(e.mean() * 1e3 - 26.1) <= 5 * se * 1e3 + 0.05,
      f"{e.mean()*1e3:.2f} +- {se*1e3:.2f}")
gap = f["labels/gap"][:]
se = gap.std(ddof=1) / np.sqrt(n) * np.sqrt(1 + n / 200)
check("<gap> vs 0.890 eV", abs(gap.mean() - 0.890) <= 5 * se + 0.0005, f"{gap.mean():.4f} +- {se:.4f}")
u = f["configs/positions"][:] - f["provenance/reference/positions"][:][None]
sp = f["provenance/reference/species"][:]
for z, name, ref in ((47, "Ag", 0.35), (35, "Br", 0.45), (16, "S", 0.15)):
    r2 = (u[:, sp == z] ** 2).sum(-1).mean(axis=1)  # per configuration
    rms = np.sqrt(r2.mean())
    se = r2.std(ddof=1) / np.sqrt(n) / (2 * rms)
    check(f"RMS displacement {name} vs {ref} A", abs(rms - ref) <= 0.01 + 5 * se, f"{rms:.4f} +- {se:.4f}")
k = sum(res)
print(f"{k} passed, {len(res) - k} failed")
sys.exit(0 if k == len(res) else 1)
