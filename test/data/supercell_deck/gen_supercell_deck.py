#!/usr/bin/python3
"""Reference for test/cli/test_supercell_matrix.sh: what the phonopy 2.17 *command line* makes
of a non-symmetric 9-integer --dim and a non-symmetric --pa, the strings our deck keys
[structure] supercell / primitive take verbatim.

Run from this directory:  /usr/bin/python3 gen_supercell_deck.py ../../../../shared
It copies NaCl's POSCAR-unitcell (shared/reference/phonopy/NaCl) to a scratch directory, runs
    phonopy -d --dim "2 1 0 0 1 1 1 0 2" --pa "0 1/2 1 1/2 0 1 1/2 1/2 1" -c POSCAR-unitcell
there and keeps
    SPOSCAR           phonopy's supercell (lattice rows, atom order, fractional positions)
    PPOSCAR-pa        the primitive cell phonopy_disp.yaml reports (lattice rows, positions)
    matrices.txt      the supercell_matrix / primitive_matrix phonopy_disp.yaml echoes
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import yaml

DIM = "2 1 0 0 1 1 1 0 2"
PA = "0 1/2 1 1/2 0 1 1/2 1/2 1"

shared = sys.argv[1] if len(sys.argv) > 1 else "../../../../shared"
here = os.path.dirname(os.path.abspath(__file__))
with tempfile.TemporaryDirectory() as tmp:
    shutil.copy(os.path.join(shared, "reference/phonopy/NaCl/POSCAR-unitcell"), tmp)
    subprocess.run(["phonopy", "-d", "--dim", DIM, "--pa", PA, "-c", "POSCAR-unitcell"],
                   cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    shutil.copy(os.path.join(tmp, "SPOSCAR"), os.path.join(here, "SPOSCAR"))
    with open(os.path.join(tmp, "phonopy_disp.yaml")) as f:
        y = yaml.safe_load(f)

pc = y["primitive_cell"]
sym = [p["symbol"] for p in pc["points"]]
species = list(dict.fromkeys(sym))
with open(os.path.join(here, "PPOSCAR-pa"), "w") as f:
    f.write(f"primitive cell of phonopy {y['phonopy']['version']} --dim \"{DIM}\" --pa \"{PA}\"\n1.0\n")
    for v in pc["lattice"]:
        f.write("  %.16f %.16f %.16f\n" % tuple(v))
    f.write("  " + " ".join(species) + "\n  " + " ".join(str(sym.count(s)) for s in species) + "\nDirect\n")
    for p in pc["points"]:
        f.write("  %.16f %.16f %.16f\n" % tuple(p["coordinates"]))
with open(os.path.join(here, "matrices.txt"), "w") as f:
    f.write(f"# phonopy {y['phonopy']['version']} phonopy_disp.yaml for --dim \"{DIM}\" --pa \"{PA}\"\n")
    f.write("supercell_matrix " + " ".join(str(int(x)) for x in np.ravel(y["supercell_matrix"])) + "\n")
    f.write("primitive_matrix " + " ".join("%.17g" % x for x in np.ravel(y["primitive_matrix"])) + "\n")
print("wrote SPOSCAR PPOSCAR-pa matrices.txt")
