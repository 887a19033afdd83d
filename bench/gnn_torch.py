#!/usr/bin/python3
"""PyTorch peer of bench/gnn.sh: training steps of ../shared/reference/gnn/torch_ref.py (the
SPEC model, float32, torch.optim.Adam) on the graphs of a phonograph dataset file.

  gnn_torch.py DATASET BATCH STEPS            one process, torch.set_num_threads(1)
  torchrun-free DDP: gnn_torch.py DATASET BATCH STEPS --ddp RANK WORLD PORT
      (gloo; each process its half of every global batch; DDP averages the gradients)

Prints one line: "torch graphs_per_s=<global graphs per second> ranks=<n> steps=<n>".
Batches are assembled before the clock starts (this favours the peer: phonograph's timing
includes its batch assembly).
"""
import os
import sys
import time

import h5py
import numpy as np
import torch

sys.path.insert(0, os.environ.get("PG_GNN_REF", "../shared/reference/gnn"))
import torch_ref as R  # noqa: E402


def load(path):
    with h5py.File(path, "r") as f:
        g = {k: f["/graphs/" + k][...] for k in ("node_offsets", "edge_offsets", "node_features",
                                                 "edge_src", "edge_dst", "edge_dist")}
        y = np.stack([f["/labels/energy_per_atom"][...], f["/labels/band_gap"][...]], 1)
    return g, y


def batch_of(g, idx):
    no, eo = g["node_offsets"], g["edge_offsets"]
    xs, ss, ds, dd, nn, ne = [], [], [], [], [], []
    for c in idx:
        xs.append(g["node_features"][no[c]:no[c + 1]])
        ss.append(g["edge_src"][eo[c]:eo[c + 1]]); ds.append(g["edge_dst"][eo[c]:eo[c + 1]])
        dd.append(g["edge_dist"][eo[c]:eo[c + 1]])
        nn.append(no[c + 1] - no[c]); ne.append(eo[c + 1] - eo[c])
    noff = np.concatenate([[0], np.cumsum(nn)]); eoff = np.concatenate([[0], np.cumsum(ne)])
    return R.make_batch(np.concatenate(xs), noff, np.concatenate(ss), np.concatenate(ds),
                        np.concatenate(dd), eoff, dtype=torch.float32)


def main():
    path, B, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ddp = "--ddp" in sys.argv
    rank, world = 0, 1
    torch.set_num_threads(1)
    if ddp:
        k = sys.argv.index("--ddp")
        rank, world, port = int(sys.argv[k + 1]), int(sys.argv[k + 2]), sys.argv[k + 3]
        os.environ["MASTER_ADDR"] = "127.0.0.1"
        os.environ["MASTER_PORT"] = port
        torch.distributed.init_process_group("gloo", rank=rank, world_size=world)
    g, y = load(path)
    n = len(g["node_offsets"]) - 1
    cfg = R.Config(F=g["node_features"].shape[1], G=40, H=64, K=3, Hh=32, T=2, dmin=0.0, dmax=6.0)
    model = R.CGCNNModule(cfg, seed=1, dtype=torch.float32)
    net = torch.nn.parallel.DistributedDataParallel(model) if ddp else model
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    mean = torch.tensor(y.mean(0), dtype=torch.float32)
    std = torch.tensor(y.std(0), dtype=torch.float32)
    w = torch.ones(2, dtype=torch.float32)
    batches = []
    for k in range(steps + 2):
        idx = [(k * B + j) % n for j in range(B)]
        lo, hi = rank * B // world, (rank + 1) * B // world
        mine = idx[lo:hi]
        batches.append((batch_of(g, mine), torch.tensor(y[mine], dtype=torch.float32)))

    def step(b):
        opt.zero_grad()
        out = net(b[0])
        loss = R.loss_fn(out, b[1], mean, std, w, n_total=B)
        loss.backward()
        opt.step()
    for b in batches[:2]:  # warm-up
        step(b)
    if ddp:
        torch.distributed.barrier()
    t0 = time.perf_counter()
    for b in batches[2:]:
        step(b)
    if ddp:
        torch.distributed.barrier()
    dt = time.perf_counter() - t0
    if rank == 0:
        print(f"torch graphs_per_s={steps * B / dt:.2f} ranks={world} steps={steps}")


if __name__ == "__main__":
    main()
