#!/usr/bin/python3
"""Compare a phonograph phonons.h5 (NaCl deck of test_phonons.sh) with phonopy 2.17's reference.h5.
usage: check_phonons_h5.py phonons.h5 reference.h5 [other_phonons.h5]
Prints one line per check ("ok ..." / "FAIL ...") and exits non-zero on failure. A third file must
be bitwise identical in every dataset (rank-count independence)."""
import sys
import numpy as np, h5py

ours, ref = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
fails = 0
def check(ok, what):
    global fails
    print(("ok   " if ok else "FAIL ") + what)
    fails += 0 if ok else 1
def rel(a, b, floor=0.0):
    return np.max(np.abs(a - b) / np.maximum(np.abs(b), floor))

check(ours.attrs["format"] in (b"phonograph-phonons", "phonograph-phonons"), "format attribute")
fp = ours["dos/frequency_points"][()]
check(fp.shape == ref["dos/frequency_points"].shape and np.allclose(fp, ref["dos/frequency_points"][()], atol=1e-12), "DOS grid")
d, dr = ours["dos/dos_gaussian"][()], ref["dos/dos_gaussian"][()]
check(np.max(np.abs(d - dr)) <= 1e-8 * np.max(dr), "Gaussian DOS 1e-8 (rel. to max)")
for k in ["free_energy", "entropy", "heat_capacity"]:
    a, b = ours["thermal_properties/" + k][()], ref["thermal_properties/" + k][()]
    check(rel(a, b, 1e-300) < 1e-10 if k == "free_energy" else np.all(np.abs(a - b) <= 1e-10 * np.abs(b)), "thermal " + k + " 1e-10")
m, mr = ours["thermal_displacements/msd_matrices"][()], ref["thermal_displacements/msd_matrices"][()]
check(np.max(np.abs(m - mr)) <= 1e-10 * np.max(np.abs(mr)), "thermal displacement matrices 1e-10")
c = ours["commensurate/frequencies"][()]
check(c.shape == (20, 6) and ours["commensurate"].attrs["n_q"] == 32, "commensurate: 20 representatives of 32 points")
bf = ours["band/frequencies"][()]
check(bf.shape[1] == 6 and abs(bf[0, 3] - ref["qpoints/frequencies"][0, 3]) < 1e-6, "band starts at Γ with phonopy's optical frequency")
x = ours["band/frequencies"][50]          # end of first segment = X
check(np.max(np.abs(x - ref["qpoints/frequencies"][1])) < 1e-6, "band X point 1e-6 THz")
if len(sys.argv) > 3:
    other = h5py.File(sys.argv[3], "r")
    diff = []
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            if name not in other or not np.array_equal(obj[()], other[name][()]):
                diff.append(name)
    ours.visititems(visit)
    check(not diff, "bitwise identical to the other run" + (": " + ", ".join(diff) if diff else ""))
sys.exit(1 if fails else 0)
