#!/usr/bin/python3
"""A miniature dataset file for test/mpi/test_graph_h5.c, with ASE's neighbour lists.

Run with Debian's /usr/bin/python3 (ase 3.22.1, h5py 3.7.0, numpy 1.24.2):
    cd test/data/graphs && /usr/bin/python3 make_mini_dataset.py
Writes mini_dataset.h5:
  /configs/cell [5][3][3], /configs/positions [5][40][3] (Å, not wrapped),
  /configs/species [5][40] (Z), /configs/completed [5] (u8; configuration 2 not completed)
  /reference/c<k>/{i, j, S, d}: ase.neighborlist.neighbor_list('ijSd', atoms, 5.5) sorted by
  (i, j, S) for every completed configuration k.
Configurations: 2x2x2 Ag3SBr (a = 4.87 Å) with Gaussian displacements (0.2 Å), configuration 3
strained (triclinic) and with two Br replaced by I, so the species of the dataset are
S, Br, Ag, I (the normalisation must cover all completed configurations).
"""
import h5py
import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list

rng = np.random.default_rng(5)
frac = [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]]
unit = Atoms(numbers=[35, 16, 47, 47, 47], scaled_positions=frac, cell=np.eye(3) * 4.87, pbc=True)
sc = unit.repeat((2, 2, 2))
n_config, cutoff = 5, 5.5
completed = np.array([1, 1, 0, 1, 1], dtype=np.uint8)
with h5py.File('mini_dataset.h5', 'w') as f:
    cells = np.zeros((n_config, 3, 3))
    pos = np.zeros((n_config, len(sc), 3))
    spec = np.zeros((n_config, len(sc)), dtype=np.int32)
    for k in range(n_config):
        a = sc.copy()
        if k == 3:
            strain = np.eye(3) + np.array([[0.02, 0.05, -0.03], [0.0, -0.01, 0.04], [0.0, 0.0, 0.03]])
            a.set_cell(a.cell.array @ strain, scale_atoms=True)
            nums = a.numbers.copy()
            nums[np.where(nums == 35)[0][:2]] = 53
            a.numbers = nums
        a.positions = a.positions + rng.normal(0, 0.2, a.positions.shape)
        if k == 1:
            p = a.positions
            p[5] += a.cell.array[0]  # an atom outside the cell
            a.positions = p
        cells[k], pos[k], spec[k] = a.cell.array, a.positions, a.numbers
        if completed[k]:
            i, j, S, d = neighbor_list('ijSd', a, cutoff)
            o = np.lexsort((S[:, 2], S[:, 1], S[:, 0], j, i))
            g = f.create_group('reference/c%d' % k)
            g['i'], g['j'], g['S'], g['d'] = i[o].astype(np.int64), j[o].astype(np.int64), \
                S[o].astype(np.int32), d[o]
            print('config %d: %d edges' % (k, len(i)))
    f['configs/cell'], f['configs/positions'], f['configs/species'] = cells, pos, spec
    f['configs/completed'] = completed
    f['reference'].attrs['cutoff'] = cutoff
    f['reference'].attrs['ase_version'] = __import__('ase').__version__
