#!/usr/bin/python3
"""Re-pack reference data for C tests (pg_h5 reads plain float arrays, not h5py complex).

  /usr/bin/python3 make_data.py     (writes data.h5 here; ~5 s)

nacl/primitive_rotations: the 48 rotations of NaCl's primitive cell (spglib.get_symmetry).
nacl/*: complex datasets of ../shared/reference/phonopy/NaCl/reference.h5 as [..., 2] (re, im).
prv_cap/<name>_<n>x<n>x<n>/*: structure of the PRV-CAP-1 phonopy set-ups, as phonopy 2.17 builds
  them from ../shared/physics/phonopy/<name>_<size>_phonopy.yaml (primitive lattice, supercell
  lattice and scaled positions in phonopy's order, masses, p2s, s2pp), and the reference
  frequencies cubic/<name>/phonons_THz/<size>/{G,X,M,R} of ../shared/physics/reference.json
  as `ref_freqs` [4][15] (THz, 4 decimals). q: G (0,0,0), X (0,1/2,0), M (1/2,1/2,0), R (1/2,1/2,1/2).
"""
import json, os
import numpy as np, h5py, phonopy

here = os.path.dirname(os.path.abspath(__file__))
shared = os.environ.get("PG_SHARED", os.path.join(here, "../../../../shared"))
out = h5py.File(os.path.join(here, "data.h5"), "w")
ref = h5py.File(os.path.join(shared, "reference/phonopy/NaCl/reference.h5"), "r")
for grp in ["qpoints"]:
    for name in ["dynamical_matrices", "eigenvectors"]:
        z = ref[grp + "/" + name][()]
        out["nacl/" + name] = np.stack([z.real, z.imag], axis=-1)
# NaCl primitive-cell rotations (spglib 2.0.2, symprec 1e-5) for the irreducible-mesh test
import spglib
lat = ref["structure/primitive_lattice"][()]
pos = ref["structure/primitive_scaled_positions"][()]
num = ref["structure/primitive_numbers"][()]
sym = spglib.get_symmetry((lat, pos, num), symprec=1e-5)
out["nacl/primitive_rotations"] = sym["rotations"].astype(np.int32)
rj = json.load(open(os.path.join(shared, "physics/reference.json")))
for name in ["Ag3SBr", "Ag3SI", "Ag3SeBr", "Ag3SeI"]:
    for size in ["2x2x2", "3x3x3"]:
        ph = phonopy.load(os.path.join(shared, f"physics/phonopy/{name}_{size}_phonopy.yaml"),
                          produce_fc=False)
        g = out.create_group(f"prv_cap/{name}_{size}")
        g["primitive_lattice"] = ph.primitive.cell
        g["primitive_masses"] = ph.primitive.masses
        g["supercell_lattice"] = ph.supercell.cell
        g["supercell_scaled_positions"] = ph.supercell.scaled_positions
        g["p2s_map"] = np.array(ph.primitive.p2s_map, dtype=np.int64)
        s2p = ph.primitive.s2p_map
        p2s = list(ph.primitive.p2s_map)
        g["s2pp_map"] = np.array([p2s.index(x) for x in s2p], dtype=np.int64)
        f = rj["cubic"][name]["phonons_THz"][size]
        g["ref_freqs"] = np.array([f[k] for k in "GXMR"], dtype=float)
out.close()
print("wrote data.h5")
