#!/usr/bin/python3
"""Write a GNN dataset file in the schema src/gnn/data.c reads (graphs as ragged arrays with
LOCAL edge indices, labels under /labels/).

  make_dataset.py pairsum OUT.h5 N_CONF [--seed S] [--nan C]
      random clusters of 4..8 atoms of two species in a 4.5 Å cube, one-hot features,
      edges = ordered pairs closer than 5 Å; labels are per-atom means of pair sums
      (energy_per_atom from phi, band_gap from chi; the same definitions as
      test/mpi/test_gnn_train.c). --nan C makes band_gap of configuration C NaN.
  make_dataset.py configs OUT.h5 N_CONF [--seed S]
      the dataset stage's layout without graphs (/configs/cell, positions, species, labels):
      5-atom Ag3SBr-like cells (a = 4.90 Å) with 0.15 Å Gaussian displacements; labels are
      pair sums over ASE neighbor_list pairs within 5 Å; graphs then come from
      `phonograph graphs` (tests the whole path, POSCAR prediction included).
  make_dataset.py crystal OUT.h5 N_CONF [--seed S]
      Ag3SBr-like cubic anti-perovskite (Pm-3m, a = 4.90 Å: Br 1a, S 1b, Ag 3c), 2x2x2
      supercell (40 atoms), Gaussian displacements of 0.1 Å, edges from ASE's neighbor_list
      with a 5.5 Å cutoff (all periodic images); 4 node features (Z, electronegativity,
      mass, ionic radius, min-max normalised); labels are pair sums (for benchmarks).
"""
import argparse

import h5py
import numpy as np


def phi(d, a, b):
    eps = np.array([[1.0, -0.5], [-0.5, 2.0]])
    return eps[a, b] * np.exp(-(d - 1.5) ** 2)


def chi(d, a, b):
    return np.where(a == b, 1.0, -0.7) * np.exp(-0.5 * d)


def pairsum(n_conf, rng):
    graphs = []
    for c in range(n_conf):
        n = 4 + rng.integers(5)
        pos = 4.5 * rng.random((n, 3))
        sp = rng.integers(2, size=n)
        x = np.stack([sp == 0, sp == 1], axis=1).astype(float)
        src, dst, dist = [], [], []
        e = g = 0.0
        for i in range(n):
            d = np.linalg.norm(pos - pos[i], axis=1)
            nb = [j for j in range(n) if j != i and d[j] < 5.0]
            for j in nb:
                src.append(j); dst.append(i); dist.append(d[j])
            if nb:
                e += np.mean([phi(d[j], sp[i], sp[j]) for j in nb])
                g += np.mean([chi(d[j], sp[i], sp[j]) for j in nb])
        graphs.append((x, np.array(src), np.array(dst), np.array(dist), e / n, g / n))
    return graphs


def crystal(n_conf, rng):
    from ase import Atoms
    from ase.neighborlist import neighbor_list
    a = 4.90
    frac = [(0, 0, 0), (0.5, 0.5, 0.5), (0.5, 0.5, 0), (0.5, 0, 0.5), (0, 0.5, 0.5)]
    sym = ["Br", "S", "Ag", "Ag", "Ag"]
    prim = Atoms(sym, scaled_positions=frac, cell=np.eye(3) * a, pbc=True)
    sc = prim.repeat((2, 2, 2))
    # Z, Pauling EN, mass, Shannon ionic radius (Br- 1.96, S2- 1.84, Ag+ 1.15)
    props = {"Br": (35, 2.96, 79.904, 1.96), "S": (16, 2.58, 32.06, 1.84), "Ag": (47, 1.93, 107.8682, 1.15)}
    P = np.array([props[s] for s in sc.get_chemical_symbols()])
    x = (P - P.min(0)) / (P.max(0) - P.min(0))
    graphs = []
    for c in range(n_conf):
        at = sc.copy()
        at.positions += rng.normal(scale=0.1, size=at.positions.shape)
        i, j, d = neighbor_list("ijd", at, 5.5)
        # edge src = neighbour j, dst = centre i
        zi, zj = P[i, 0], P[j, 0]
        e = np.sum(np.exp(-(d - 3.0) ** 2) * (1 + 0.01 * (zi + zj))) / len(at)
        g = np.sum(np.exp(-d) * np.where(zi == zj, 1.0, -0.5)) / len(at)
        graphs.append((x, j, i, d, e, g))
    return graphs


def configs(out, n_conf, rng):
    from ase import Atoms
    from ase.neighborlist import neighbor_list
    a = 4.90
    frac = [(0, 0, 0), (0.5, 0.5, 0.5), (0.5, 0.5, 0), (0.5, 0, 0.5), (0, 0.5, 0.5)]
    prim = Atoms(["Br", "S", "Ag", "Ag", "Ag"], scaled_positions=frac, cell=np.eye(3) * a, pbc=True)
    cells, pos, sp, e, g = [], [], [], [], []
    for c in range(n_conf):
        at = prim.copy()
        at.positions += rng.normal(scale=0.15, size=at.positions.shape)
        i, j, d = neighbor_list("ijd", at, 5.0)
        z = at.numbers
        e.append(np.sum(np.exp(-(d - 3.0) ** 2) * (1 + 0.01 * (z[i] + z[j]))) / len(at))
        g.append(np.sum(np.exp(-d) * np.where(z[i] == z[j], 1.0, -0.5)) / len(at))
        cells.append(at.cell.array); pos.append(at.positions); sp.append(z)
    with h5py.File(out, "w") as f:
        f["/configs/cell"] = np.array(cells)
        f["/configs/positions"] = np.array(pos)
        f["/configs/species"] = np.array(sp, dtype=np.int32)
        f["/completed"] = np.ones(n_conf, dtype=np.uint8)
        f["/labels/energy_per_atom"] = np.array(e)
        f["/labels/band_gap"] = np.array(g)
    print(f"wrote {out}: {n_conf} configurations (no graphs)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["pairsum", "crystal", "configs"])
    ap.add_argument("out")
    ap.add_argument("n_conf", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--nan", type=int, default=-1)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    if a.kind == "configs":
        return configs(a.out, a.n_conf, rng)
    graphs = pairsum(a.n_conf, rng) if a.kind == "pairsum" else crystal(a.n_conf, rng)
    noff = np.concatenate([[0], np.cumsum([len(g[0]) for g in graphs])]).astype(np.int64)
    eoff = np.concatenate([[0], np.cumsum([len(g[1]) for g in graphs])]).astype(np.int64)
    lab_g = np.array([g[5] for g in graphs])
    if a.nan >= 0:
        lab_g[a.nan] = np.nan
    with h5py.File(a.out, "w") as f:
        f["/graphs/node_offsets"] = noff
        f["/graphs/edge_offsets"] = eoff
        f["/graphs/node_features"] = np.concatenate([g[0] for g in graphs])
        f["/graphs/edge_src"] = np.concatenate([g[1] for g in graphs]).astype(np.int64)
        f["/graphs/edge_dst"] = np.concatenate([g[2] for g in graphs]).astype(np.int64)
        f["/graphs/edge_dist"] = np.concatenate([g[3] for g in graphs]).astype(np.float64)
        f["/labels/energy_per_atom"] = np.array([g[4] for g in graphs])
        f["/labels/band_gap"] = lab_g
    print(f"wrote {a.out}: {a.n_conf} graphs, {noff[-1]} nodes, {eoff[-1]} edges")


if __name__ == "__main__":
    main()
