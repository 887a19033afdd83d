#!/usr/bin/python3
"""Band structure + DOS of a phonograph phonons.h5 (docs/phonons.md) to PNG.

usage: /usr/bin/python3 analysis/plot_phonons.py phonons.h5 [out.png]   (default: phonons.png beside it)
Needs h5py and matplotlib (Debian python3-h5py, python3-matplotlib). Imaginary modes are plotted as
negative frequencies (phonopy's convention)."""
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(path)), "phonons.png")
    f = h5py.File(path, "r")
    has_band = "band" in f
    fig, axes = plt.subplots(1, 2 if has_band else 1, figsize=(9 if has_band else 4, 5), sharey=True,
                             gridspec_kw={"width_ratios": [3, 1]} if has_band else None, squeeze=False)
    axes = axes[0]
    if has_band:
        ax = axes[0]
        d = f["band/distances"][()]
        fr = f["band/frequencies"][()]
        n_per = int(f["band"].attrs["points_per_segment"])
        n_seg = len(d) // n_per
        for s in range(n_seg):
            sl = slice(s * n_per, (s + 1) * n_per)
            ax.plot(d[sl], fr[sl], color="C0", lw=1)
        ends = f["band/segment_ends"][()]
        labels = None
        if "band/labels" in f:
            labels = [x.decode() if isinstance(x, bytes) else str(x) for x in f["band/labels"][()]]
            labels = ["Γ" if l in ("G", "GAMMA", "Gamma") else l for l in labels]
        # one label per path point; a path break (next start != previous end) shares a tick "A|B"
        ticks, tlab, k = [d[0]], [], 0
        def lab(i):
            return labels[i] if labels and i < len(labels) else ""
        tlab.append(lab(0))
        for s in range(n_seg):
            if s > 0 and abs(ends[s][0] - ends[s - 1][1]).max() > 1e-9:
                k += 1
                tlab[-1] = tlab[-1] + "|" + lab(k)
            k += 1
            ticks.append(d[(s + 1) * n_per - 1])
            tlab.append(lab(k))
        for t in ticks:
            ax.axvline(t, color="0.7", lw=0.5)
        ax.set_xticks(ticks)
        if labels:
            ax.set_xticklabels(tlab)
        ax.set_xlim(d[0], d[-1])
        ax.axhline(0, color="k", lw=0.5)
        ax.set_ylabel("frequency (THz)")
        ax.set_title("band structure")
    ax = axes[-1]
    ax.plot(f["dos/dos_gaussian"][()], f["dos/frequency_points"][()], color="C1")
    ax.set_xlabel("DOS (states/THz/cell)")
    ax.set_title("DOS (σ = %.3g THz)" % f["dos"].attrs["sigma_THz"])
    if not has_band:
        ax.set_ylabel("frequency (THz)")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print("wrote", out)


if __name__ == "__main__":
    main()
