#!/usr/bin/python3
"""Make POSCARs with many repeated species groups (more than 64 groups, lines longer than
1024 characters) the way ASE writes them with sort=False, and ASE's own reading of them.

Run from this directory with /usr/bin/python3 (ASE 3.22.1):  /usr/bin/python3 gen_poscar_groups.py
Outputs:
  POSCAR_groups_vasp5   VASP 5 (species line), Cartesian, written by ase.io.write(sort=False)
  POSCAR_groups_vasp4   VASP 4 (no species line; ASE puts the symbols on the comment line)
  ase_read.txt          what ase.io.read returns for POSCAR_groups_vasp5: line 1 n_atom n_groups,
                        3 lattice rows (Å), then one line per atom: Z x y z (Cartesian Å)
"""
import numpy as np
from ase.io import read, write

unit = read("../../../../shared/physics/structures/POSCAR_Ag3SBr")
sc = unit.repeat((5, 5, 5))                      # 625 atoms
rng = np.random.default_rng(20261126)
sc = sc[rng.permutation(len(sc))]                # interleave species: ~340 groups, lines > 1024 chars
sc.rattle(stdev=0.02, seed=7)

write("POSCAR_groups_vasp5", sc, format="vasp", sort=False, vasp5=True, direct=False)
write("POSCAR_groups_vasp4", sc, format="vasp", sort=False, vasp5=False, direct=False)

for name in ("POSCAR_groups_vasp5", "POSCAR_groups_vasp4"):
    back = read(name, format="vasp")
    assert (back.numbers == sc.numbers).all(), name
    assert np.abs(back.positions - sc.positions).max() < 1e-8, name

a = read("POSCAR_groups_vasp5", format="vasp")
z = a.numbers
n_groups = 1 + int(np.count_nonzero(z[1:] != z[:-1]))
with open("ase_read.txt", "w") as f:
    f.write("%d %d\n" % (len(a), n_groups))
    for row in a.cell[:]:
        f.write("%.16e %.16e %.16e\n" % tuple(row))
    for zi, p in zip(z, a.positions):
        f.write("%d %.16e %.16e %.16e\n" % (zi, p[0], p[1], p[2]))
print("atoms", len(a), "groups", n_groups,
      "longest line", max(len(l) for l in open("POSCAR_groups_vasp5")))
