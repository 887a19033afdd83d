#!/usr/bin/python3
"""Reference neighbour lists for test/unit/test_neighbor.c, made with ASE.

Run with Debian's /usr/bin/python3 (ase 3.22.1, numpy 1.24):
    cd test/data/neighbors && /usr/bin/python3 make_neighbors.py
Writes one <case>.txt per structure/cutoff: the structure exactly as given to ASE (positions
NOT wrapped, so ASE's shift convention for unwrapped atoms is tested too) and ASE's
neighbor_list('ijSd', atoms, cutoff) (self_interaction=False), sorted by (i, j, S).
All numbers are printed with 17 significant digits, so the C test reads the same doubles.
"""
import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.neighborlist import neighbor_list


def ag3sbr(a=4.87):
    # anti-perovskite Ag3SBr (Pm-3m): Br at the corner, S at the body centre, Ag at faces
    frac = [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]]
    return Atoms(numbers=[35, 16, 47, 47, 47], scaled_positions=frac, cell=np.eye(3) * a,
                 pbc=True)


def write(name, atoms, cutoff):
    i, j, S, d = neighbor_list('ijSd', atoms, cutoff)
    order = np.lexsort((S[:, 2], S[:, 1], S[:, 0], j, i))
    i, j, S, d = i[order], j[order], S[order], d[order]
    with open(name + '.txt', 'w') as f:
        f.write('# ASE %s neighbor_list(ijSd) reference, made by make_neighbors.py\n'
                % __import__('ase').__version__)
        f.write('cutoff %.17g\n' % cutoff)
        f.write('lattice\n')
        for row in atoms.cell.array:
            f.write('%.17g %.17g %.17g\n' % tuple(row))
        f.write('atoms %d\n' % len(atoms))
        for z, p in zip(atoms.numbers, atoms.positions):
            f.write('%d %.17g %.17g %.17g\n' % (z, p[0], p[1], p[2]))
        f.write('edges %d\n' % len(i))
        for e in range(len(i)):
            f.write('%d %d %d %d %d %.17g\n' % (i[e], j[e], S[e, 0], S[e, 1], S[e, 2], d[e]))
    print('%-28s %5d atoms cutoff %5.2f  %7d edges' % (name, len(atoms), cutoff, len(i)))


rng = np.random.default_rng(20261126)

# 1. cubic: rock salt NaCl conventional cell, and the 5-atom Ag3SBr cell at the paper's
#    graph cutoff (5.5) and at the potential's cutoff (10 Å, cell 2x smaller than the cutoff)
write('nacl_cubic_c5.5', bulk('NaCl', 'rocksalt', a=5.64, cubic=True), 5.5)
write('ag3sbr_c5.5', ag3sbr(), 5.5)
write('ag3sbr_c10', ag3sbr(), 10.0)

# 2. random displacements in a 2x2x2 supercell; some atoms moved by whole lattice vectors
#    or just outside the cell (positions as given, not wrapped)
sc = ag3sbr().repeat((2, 2, 2))
pos = sc.positions + rng.normal(0.0, 0.15, sc.positions.shape)
pos[3] += sc.cell.array[0] - 2 * sc.cell.array[2]
pos[7] -= sc.cell.array[1]
pos[11] += 3 * sc.cell.array[2]
sc.positions = pos
write('ag3sbr_222_disp_c5.5', sc, 5.5)

# 3. random displacements in a 3x3x3 supercell at the tight-binding cutoff
sc3 = ag3sbr().repeat((3, 3, 3))
sc3.positions = sc3.positions + rng.normal(0.0, 0.1, sc3.positions.shape)
write('ag3sbr_333_disp_c4.5', sc3, 4.5)

# 4. strongly triclinic cells (angles far from 90 degrees, not Niggli reduced)
tri = np.array([[5.0, 0.0, 0.0], [4.2, 2.5, 0.0], [-3.1, 1.7, 3.0]])
n = 7
frac = rng.random((n, 3)) * 1.2 - 0.1
atoms = Atoms(numbers=rng.choice([47, 16, 35, 53], n), positions=frac @ tri, cell=tri, pbc=True)
write('triclinic_c5.5', atoms, 5.5)
tri2 = np.array([[3.3, 0.4, -0.2], [-2.9, 3.1, 0.3], [2.2, -1.9, 4.4]])
n = 60
atoms = Atoms(numbers=rng.choice([11, 17, 47, 34], n), cell=tri2 * 2.0,
              positions=(rng.random((n, 3)) @ tri2) * 2.0, pbc=True)
write('triclinic_random60_c6', atoms, 6.0)

# 5. a cell smaller than the cutoff in every direction (many images of each atom)
small = np.array([[2.3, 0.0, 0.0], [0.4, 2.6, 0.0], [0.3, -0.5, 3.1]])
atoms = Atoms(numbers=[47, 53], positions=np.array([[0.1, 0.2, 0.3], [1.3, 1.1, 1.9]]),
              cell=small, pbc=True)
write('small_cell_c7', atoms, 7.0)

# 6. one-atom cells: fcc Cu primitive (self-image edges only), and a triclinic one at 10 Å
write('one_atom_fcc_c5.5', bulk('Cu', 'fcc', a=3.61), 5.5)
one = Atoms(numbers=[14], positions=[[0.7, -0.4, 1.1]],
            cell=[[2.7, 0.1, 0.2], [1.2, 3.0, -0.3], [-0.8, 0.6, 2.4]], pbc=True)
write('one_atom_triclinic_c10', one, 10.0)

# 7. a thin slab-like cell (one lattice plane spacing of 1.1 Å, skewed)
thin = np.array([[4.1, 0.0, 0.0], [0.5, 3.9, 0.0], [2.9, 1.7, 1.1]])
n = 4
atoms = Atoms(numbers=[29, 52, 9, 1], positions=rng.random((n, 3)) @ thin, cell=thin, pbc=True)
write('thin_skewed_c4.5', atoms, 4.5)
