#!/usr/bin/python3
"""Figures of a phonograph study (docs/study.md): PNGs written next to the results.

usage: /usr/bin/python3 analysis/make_figures.py OUTPUT_DIR      (the deck's [run] output_dir)
Reads OUTPUT_DIR/study/{learning_curves.csv, predictions_*.csv, bonds.csv, phonon.h5, random.h5,
md_test.h5} and OUTPUT_DIR/phonons.h5 (if the phonons stage ran) and writes into OUTPUT_DIR/study/:
  learning_curves.png   test MAE vs training-set size per target, both samplers (mean ± std over seeds)
  parity.png            predicted vs true on the MD test ensemble, largest training set, first seed
  bonds.png             share of |integrated-gradient attribution| per bond type, per target
  displacements.png     distributions of atomic displacements per species: phonon, random, MD
  phonons.png           band structure + DOS (analysis/plot_phonons.py) when phonons.h5 exists
Needs Debian's python3-h5py, python3-numpy, python3-matplotlib."""
import csv
import os
import subprocess
import sys
from collections import defaultdict

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

UNITS = {"energy_per_atom": "eV/atom", "gap": "eV", "vbm": "eV", "hydrostatic_stress": "GPa"}
NAMES = {"energy_per_atom": "energy per atom", "gap": "band gap", "vbm": "VBM",
         "hydrostatic_stress": "hydrostatic stress"}
COLORS = {"phonon": "C0", "random": "C3", "md_test": "C2"}
LABELS = {"phonon": "phonon-informed", "random": "random", "md_test": "MD test ensemble"}


def learning_curves(study):
    rows = list(csv.DictReader(open(os.path.join(study, "learning_curves.csv"))))
    rows = [r for r in rows if r["temperature_K"] == "all"]
    targets = list(dict.fromkeys(r["target"] for r in rows))
    fig, axes = plt.subplots(1, len(targets), figsize=(4 * len(targets), 3.6), squeeze=False)
    for ax, t in zip(axes[0], targets):
        for s in dict.fromkeys(r["sampler"] for r in rows):
            rr = sorted((r for r in rows if r["target"] == t and r["sampler"] == s),
                        key=lambda r: int(r["size"]))
            n = [int(r["size"]) for r in rr]
            m = [float(r["mae_mean"]) for r in rr]
            e = [float(r["mae_std"]) for r in rr]
            ax.errorbar(n, m, yerr=e, marker="o", capsize=3, color=COLORS.get(s), label=LABELS.get(s, s))
        ax.set_xscale("log")
        ax.set_xlabel("training-set size")
        ax.set_ylabel(f"test MAE ({UNITS.get(t, '')})")
        ax.set_title(NAMES.get(t, t))
        ax.grid(alpha=0.3)
    axes[0][0].legend()
    fig.suptitle("GNN learning curves, evaluated on the independent MD test ensemble")
    fig.tight_layout()
    out = os.path.join(study, "learning_curves.png")
    fig.savefig(out, dpi=120)
    return out


def parity(study):
    data = {}
    for s in ("phonon", "random"):
        p = os.path.join(study, f"predictions_{s}.csv")
        if os.path.exists(p):
            data[s] = list(csv.DictReader(open(p)))
    if not data:
        return None
    first = next(iter(data.values()))
    targets = [k[:-5] for k in first[0].keys() if k.endswith("_true")]
    fig, axes = plt.subplots(1, len(targets), figsize=(4 * len(targets), 4), squeeze=False)
    for ax, t in zip(axes[0], targets):
        lo, hi = np.inf, -np.inf
        for s, rows in data.items():
            y = np.array([float(r[t + "_true"]) for r in rows])
            p = np.array([float(r[t + "_pred"]) for r in rows])
            mae = np.nanmean(np.abs(p - y))
            ax.scatter(y, p, s=10, alpha=0.7, color=COLORS[s], label=f"{LABELS[s]} (MAE {mae:.3g})")
            lo, hi = min(lo, np.nanmin(y), np.nanmin(p)), max(hi, np.nanmax(y), np.nanmax(p))
        ax.plot([lo, hi], [lo, hi], "k--", lw=0.8)
        ax.set_xlabel(f"true ({UNITS.get(t, '')})")
        ax.set_ylabel("predicted")
        ax.set_title(NAMES.get(t, t))
        ax.legend(fontsize=7)
    fig.suptitle("Parity on the MD test ensemble (largest training set, first seed)")
    fig.tight_layout()
    out = os.path.join(study, "parity.png")
    fig.savefig(out, dpi=120)
    return out


def bonds(study):
    p = os.path.join(study, "bonds.csv")
    if not os.path.exists(p):
        return None
    rows = list(csv.DictReader(open(p)))
    targets = list(dict.fromkeys(r["target"] for r in rows))
    samplers = list(dict.fromkeys(r["sampler"] for r in rows))
    bond_names = list(dict.fromkeys(r["bond"] for r in rows))
    fig, axes = plt.subplots(1, len(targets), figsize=(4 * len(targets), 3.8), squeeze=False)
    w = 0.8 / max(1, len(samplers))
    for ax, t in zip(axes[0], targets):
        x = np.arange(len(bond_names))
        for k, s in enumerate(samplers):
            share = defaultdict(float)
            for r in rows:
                if r["target"] == t and r["sampler"] == s:
                    share[r["bond"]] = float(r["share_of_abs"])
            ax.bar(x + k * w - 0.4 + w / 2, [share[b] for b in bond_names], w, color=COLORS.get(s),
                   label=LABELS.get(s, s))
        ax.set_xticks(x)
        ax.set_xticklabels(bond_names, rotation=45)
        ax.set_ylabel("share of |attribution|")
        ax.set_title(NAMES.get(t, t))
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Which bonds the models use: integrated gradients on the MD test graphs")
    fig.tight_layout()
    out = os.path.join(study, "bonds.png")
    fig.savefig(out, dpi=120)
    return out


def displacements(study):
    pools = [s for s in ("phonon", "random", "md_test") if os.path.exists(os.path.join(study, s + ".h5"))]
    if not pools:
        return None
    per = {}
    species = None
    for s in pools:
        f = h5py.File(os.path.join(study, s + ".h5"), "r")
        ref = f["provenance/reference/positions"][()]
        pos = f["configs/positions"][()]
        z = f["provenance/reference/species"][()]
        done = f["completed"][()].astype(bool)
        u = np.linalg.norm(pos[done] - ref[None, :, :], axis=2)  # unwrapped: pos = ref + u
        per[s] = (u, z)
        species = sorted(set(z.tolist()), key=lambda q: list(z).index(q))
    sym = {47: "Ag", 16: "S", 34: "Se", 35: "Br", 53: "I", 11: "Na", 17: "Cl"}
    fig, axes = plt.subplots(1, len(species), figsize=(4 * len(species), 3.4), squeeze=False)
    for ax, zz in zip(axes[0], species):
        for s in pools:
            u, z = per[s]
            vals = u[:, z == zz].ravel()
            ax.hist(vals, bins=60, density=True, histtype="step", lw=1.5, color=COLORS[s],
                    label=f"{LABELS[s]} (rms {np.sqrt(np.mean(vals**2)):.2f} Å)")
        ax.set_xlabel("|u| (Å)")
        ax.set_title(sym.get(int(zz), str(zz)))
        ax.legend(fontsize=7)
    fig.suptitle("Displacement magnitudes per species (all temperatures / amplitudes)")
    fig.tight_layout()
    out = os.path.join(study, "displacements.png")
    fig.savefig(out, dpi=120)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    study = os.path.join(outdir, "study")
    if not os.path.exists(os.path.join(study, "learning_curves.csv")):
        sys.exit(f"make_figures: no study results in {study} (run the study stage first)")
    made = [learning_curves(study), parity(study), bonds(study), displacements(study)]
    ph = os.path.join(outdir, "phonons.h5")
    if os.path.exists(ph):
        here = os.path.dirname(os.path.abspath(__file__))
        out = os.path.join(study, "phonons.png")
        subprocess.run([sys.executable, os.path.join(here, "plot_phonons.py"), ph, out], check=True)
        made.append(out)
    else:
        print(f"make_figures: {ph} absent (deck without a phonons stage): no band/DOS figure")
    for m in made:
        if m:
            print("wrote", m)


if __name__ == "__main__":
    main()
