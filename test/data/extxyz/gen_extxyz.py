#!/usr/bin/python3
"""ASE-written extended XYZ reference for test/unit/test_extxyz.c.

Run from this directory: /usr/bin/python3 gen_extxyz.py ../../../../shared   (ASE 3.22.1)
Writes
  ase_written.xyz  two frames written by ase.io.write(format="extxyz") from Atoms with a
                   SinglePointCalculator (energy, forces, stress) and extra info keys
  expected.txt     the same numbers as ASE holds them after ase.io.read(":") (%.17g):
                   frame <i> <n_atom> / lattice 9 / pbc 3 / energy / stress 9 (eV/Å^3, ASE sign,
                   full 3x3 from get_stress(voigt=False)) / info <key> <value> /
                   atom <Z> x y z fx fy fz
"""
import sys
import numpy as np
import ase
import ase.io
from ase.calculators.singlepoint import SinglePointCalculator

shared = sys.argv[1] if len(sys.argv) > 1 else "../../../../shared"
rng = np.random.default_rng(20251115)
frames = []
for name in ["reference/phonopy/NaCl/POSCAR-unitcell", "physics/structures/POSCAR_Ag3SBr_2x2x2_displaced_strained"]:
    a = ase.io.read(f"{shared}/{name}", format="vasp")
    n = len(a)
    forces = rng.normal(size=(n, 3))
    s = rng.normal(size=(3, 3)) * 0.01
    s = 0.5 * (s + s.T)
    voigt = [s[0, 0], s[1, 1], s[2, 2], s[1, 2], s[0, 2], s[0, 1]]
    a.calc = SinglePointCalculator(a, energy=float(rng.normal() * 10), forces=forces,
                                   stress=voigt)
    a.info["config_type"] = "phonon sample"
    a.info["temperature"] = 300.0
    frames.append(a)
ase.io.write("ase_written.xyz", frames, format="extxyz")

back = ase.io.read("ase_written.xyz", index=":", format="extxyz")
with open("expected.txt", "w") as f:
    f.write(f"# ase {ase.__version__}: values after ase.io.read of ase_written.xyz\n")
    for i, a in enumerate(back):
        f.write(f"frame {i} {len(a)}\n")
        f.write("lattice " + " ".join("%.17g" % x for x in a.cell.array.ravel()) + "\n")
        f.write("pbc " + " ".join(str(int(x)) for x in a.pbc) + "\n")
        f.write("energy %.17g\n" % a.get_potential_energy())
        f.write("stress " + " ".join("%.17g" % x for x in a.get_stress(voigt=False).ravel()) + "\n")
        for k, v in a.info.items():
            if k in ("energy", "stress"):
                continue  # ASE 3.22 keeps them in info too; we read them as energy/stress
            f.write(f"info {k} {v}\n")
        for z, p, fo in zip(a.numbers, a.positions, a.get_forces()):
            f.write(f"atom {z} " + " ".join("%.17g" % x for x in list(p) + list(fo)) + "\n")
print("wrote", len(back), "frames")
