#!/usr/bin/python3
"""Independent checks of one dataset file with h5py/numpy (test/cli/test_sample.sh).

Checks the format attributes, the completion mask, internal consistency of the labels
(energy = n_atom * energy_per_atom, hydrostatic = tr(stress)/3, stress symmetric, forces sum to
zero: the PRV-CAP-1 potential is translation invariant), the geometry (positions = reference
fractional coordinates + a displacement below max_displacement, strained cell =
reference lattice (I + strain)), the species, and the mode statistics attributes.
usage: check_values.py FILE N_CONFIG N_ATOM  -> prints "N passed, N failed"; exit 1 on failure
"""
import sys

import h5py
import numpy as np

path, n_conf, n_atom = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
f = h5py.File(path, "r")
res = []
def check(name, cond):
    res.append(bool(cond))
    print(("ok   " if cond else "FAIL ") + name)

check("format attribute", f.attrs["format"] in (b"phonograph-dataset", "phonograph-dataset"))
check("format version 1", int(f.attrs["format_version"]) == 1)
check("n_config/n_atom attrs", int(f.attrs["n_config"]) == n_conf and int(f.attrs["n_atom"]) == n_atom)
check("all rows completed", f["completed"].shape == (n_conf,) and np.all(f["completed"][:] == 1))
e, epa = f["labels/energy"][:], f["labels/energy_per_atom"][:]
check("energy = n_atom * energy_per_atom", np.allclose(e, n_atom * epa, rtol=1e-14, atol=0))
s = f["labels/stress"][:]
check("hydrostatic = tr(stress)/3",
      np.allclose(f["labels/hydrostatic_stress"][:], np.trace(s, axis1=1, axis2=2) / 3, rtol=1e-12, atol=1e-12))
check("stress symmetric", np.allclose(s, np.transpose(s, (0, 2, 1)), atol=1e-9))
F = f["labels/forces"][:]
check("forces sum to zero", np.abs(F.sum(axis=1)).max() < 1e-8)
check("forces non-trivial", np.abs(F).max() > 1e-3)
ref_lat = f["provenance/reference/lattice"][:]
ref_pos = f["provenance/reference/positions"][:]
cell, pos, strain = f["configs/cell"][:], f["configs/positions"][:], f["configs/strain"][:]
check("cell = L_ref (I + strain)",
      np.allclose(cell, np.einsum("ij,cjk->cik", ref_lat, np.eye(3)[None] + strain), atol=1e-12))
maxd = f["configs/max_displacement"][:]
ok = True
for c in range(n_conf):
    fr = np.linalg.solve(cell[c].T, pos[c].T).T
    fr0 = np.linalg.solve(ref_lat.T, ref_pos.T).T
    d = fr - fr0
    d -= np.round(d)
    u = d @ ref_lat  # displacement in the unstrained frame
    ok &= np.linalg.norm(u, axis=1).max() <= maxd[c] * (1 + 1e-9) + 1e-12
check("positions = reference + displacement <= max_displacement", ok)
check("species from the reference", np.all(f["configs/species"][:] == f["provenance/reference/species"][:][None]))
m = f["provenance/modes"].attrs
check("mode statistics stored", int(m["n_sampled"]) + int(m["n_excluded"]) == 3 * n_atom
      and int(m["n_excluded"]) >= 3 and float(m["min_used_thz"]) > 0.01)
cond = f["provenance/sampler/conditions"][:]
nper = int(f["provenance/sampler"].attrs["n_per_condition"])
check("condition column", np.all(f["configs/condition"][:] == np.repeat(cond, nper)))
npass = sum(res)
print(f"{npass} passed, {len(res) - npass} failed")
sys.exit(0 if npass == len(res) else 1)
