#!/usr/bin/python3
"""Write the `phonograph import` fixtures (see README.md) and their expected labels.

Synthetic VASP 6.3 vasprun.xml files (no VASP on this machine) in VASP's own layout and number
formats, for four 5-atom Ag3SX configurations, plus broken variants and an extxyz file written
by ASE. The expected labels are computed from what ASE 3.22 reads back (ase.io.read,
format='vasp-xml' and 'extxyz'), band edges with numpy from ASE's eigenvalue arrays: an
independent reader of the same files. Run with Debian's /usr/bin/python3 from this directory:
    /usr/bin/python3 make_fixtures.py
"""
import json
import os
import shutil

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import read, write
from ase.units import GPa

HERE = os.path.dirname(os.path.abspath(__file__))
A0 = 4.806545  # PRV-CAP-1 Ag3SBr lattice constant (LABELER.md section 2.2)
FRAC = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0], [.5, .5, .5], [0, 0, 0]])
ZVAL = {"Ag": 11, "S": 6, "Br": 7, "I": 7}
MASS = {"Ag": 107.87, "S": 32.066, "Br": 79.904, "I": 126.904}
POT = {"Ag": "PAW_PBE Ag 02Apr2005", "S": "PAW_PBE S 06Sep2000", "Br": "PAW_PBE Br 06Sep2000",
       "I": "PAW_PBE I 08Apr2002"}


def make_config(rng, symbols, strain_max=0.01, amp=0.08):
    eps = rng.uniform(-strain_max, strain_max, (3, 3))
    eps = 0.5 * (eps + eps.T)
    cell = A0 * np.eye(3) @ (np.eye(3) + eps)
    pos = FRAC @ cell + rng.normal(0, amp, (5, 3))
    return {"symbols": symbols, "cell": cell.tolist(), "positions": pos.tolist()}


def f8(x):
    return "%16.8f" % x


def vec(x, fmt=f8):
    return " ".join(fmt(v) for v in x)


def scf_energies(e_final, n_steps, converged):
    """Total free energies of the electronic steps: geometric convergence to e_final (last
    change < EDIFF) or a slowly damped oscillation that never converges."""
    k = np.arange(n_steps)
    if converged:
        return e_final + 40.0 * 0.35 ** k
    return e_final + 0.02 * (-1.0) ** k * 0.99 ** k + 0.01


def bands(rng, n_kpt, n_band, n_occ, vbm, gap, spread=0.15):
    """Synthetic band energies [n_kpt][n_band]: n_occ valence bands up to vbm, conduction bands
    from vbm + gap, dispersing with k so that VBM and CBM sit at different k-points."""
    val = np.sort(rng.uniform(-16.0, vbm - 0.4, n_occ - 1))
    con = np.sort(rng.uniform(vbm + gap + 0.3, vbm + gap + 6.0, n_band - n_occ - 1))
    eig = np.empty((n_kpt, n_band))
    for k in range(n_kpt):
        top = vbm - spread * k / max(n_kpt - 1, 1)          # VBM at k-point 1
        bottom = vbm + gap + spread * (n_kpt - 1 - k) / max(n_kpt - 1, 1)  # CBM at the last one
        eig[k] = np.concatenate([val + rng.normal(0, 0.05, n_occ - 1), [top], [bottom],
                                 con + rng.normal(0, 0.05, n_band - n_occ - 1)])
    return np.sort(eig, axis=1)


def occupations(eig, efermi, sigma):
    """Gaussian smearing (ISMEAR = 0): f = erfc((e - efermi)/sigma)/2, 0..1 per spin channel."""
    from math import erfc
    return np.vectorize(lambda e: 0.5 * erfc((e - efermi) / sigma))(eig)


def vasprun(cfg, *, e_free, forces, stress_kb, eigs, efermi, ispin=1, nelm=60, converged=True,
            n_scf=None, symbols_override=None, frac_shift=None, entropy=-0.00123456):
    sym = symbols_override or cfg["symbols"]
    cell = np.array(cfg["cell"])
    frac = np.linalg.solve(cell.T, np.array(cfg["positions"]).T).T
    if frac_shift is not None:
        frac = frac + frac_shift
    types = []
    for s in sym:
        if not types or types[-1][0] != s:
            types.append([s, 0])
        types[-1][1] += 1
    nelect = sum(ZVAL[s] for s in sym)
    n_kpt = eigs.shape[1]
    n_band = eigs.shape[2]
    kw = np.full(n_kpt, 1.0 / n_kpt)
    L = []
    w = L.append
    w('<?xml version="1.0" encoding="ISO-8859-1"?>')
    w('<modeling>')
    w(' <generator>')
    w('  <i name="program" type="string">vasp </i>')
    w('  <i name="version" type="string">6.3.2  </i>')
    w('  <i name="subversion" type="string">27Jun22 (build Nov 26 2026 09:00:00) complex            parallel </i>')
    w('  <i name="platform" type="string">LinuxGNU </i>')
    w('  <i name="date" type="string">2026 11 26 </i>')
    w('  <i name="time" type="string">12:00:00 </i>')
    w(' </generator>')
    w(' <incar>')
    w('  <i type="string" name="PREC">accurate</i>')
    w('  <i name="ENCUT">    450.00000000</i>')
    w('  <i type="int" name="ISPIN">     %d</i>' % ispin)
    w('  <i type="int" name="ISMEAR">     0</i>')
    w('  <i name="SIGMA">      0.05000000</i>')
    w('  <i name="EDIFF">      0.00000100</i>')
    w('  <i type="int" name="NELM">     %d</i>' % nelm)
    w('  <i type="logical" name="LWAVE"> F  </i>')
    w(' </incar>')
    w(' <kpoints>')
    w('  <generation param="Gamma">')
    w('   <v type="int" name="divisions">       2        2        2 </v>')
    w('  </generation>')
    w('  <varray name="kpointlist" >')
    for k in range(n_kpt):
        w('   <v> ' + vec([0.5 * (k & 1), 0.5 * ((k >> 1) & 1), 0.0]) + ' </v>')
    w('  </varray>')
    w('  <varray name="weights" >')
    for k in range(n_kpt):
        w('   <v> ' + f8(kw[k]) + ' </v>')
    w('  </varray>')
    w(' </kpoints>')
    w(' <parameters>')
    w('  <separator name="general" >')
    w('   <i type="string" name="SYSTEM">phonograph configuration</i>')
    w('  </separator>')
    w('  <separator name="electronic" >')
    w('   <i type="string" name="PREC">accurate</i>')
    w('   <i name="ENMAX">    450.00000000</i>')
    w('   <i type="int" name="ISPIN">     %d</i>' % ispin)
    w('   <i name="NELECT">     %.8f</i>' % nelect)
    w('   <i type="int" name="NBANDS">     %d</i>' % n_band)
    w('   <separator name="electronic smearing" >')
    w('    <i name="SIGMA">      0.05000000</i>')
    w('    <i type="int" name="ISMEAR">     0</i>')
    w('   </separator>')
    w('   <separator name="electronic convergence" >')
    w('    <i type="int" name="NELM">     %d</i>' % nelm)
    w('    <i type="int" name="NELMDL">     -5</i>')
    w('    <i type="int" name="NELMIN">      2</i>')
    w('    <i name="EDIFF">      0.00000100</i>')
    w('   </separator>')
    w('  </separator>')
    w('  <separator name="ionic" >')
    w('   <i type="int" name="NSW">      0</i>')
    w('   <i type="int" name="IBRION">     -1</i>')
    w('   <i type="int" name="ISIF">      2</i>')
    w('  </separator>')
    w(' </parameters>')
    w(' <atominfo>')
    w('  <atoms>       %d </atoms>' % len(sym))
    w('  <types>       %d </types>' % len(types))
    w('  <array name="atoms" >')
    w('   <dimension dim="1">ion</dimension>')
    w('   <field type="string">element</field>')
    w('   <field type="int">atomtype</field>')
    w('   <set>')
    t = 0
    for i, s in enumerate(sym):
        if i > 0 and s != sym[i - 1]:
            t += 1
        w('    <rc><c>%-2s</c><c>%4d</c></rc>' % (s, t + 1))
    w('   </set>')
    w('  </array>')
    w('  <array name="atomtypes" >')
    w('   <dimension dim="1">type</dimension>')
    w('   <field type="int">atomspertype</field>')
    w('   <field type="string">element</field>')
    w('   <field>mass</field>')
    w('   <field>valence</field>')
    w('   <field type="string">pseudopotential</field>')
    w('   <set>')
    for s, n in types:
        w('    <rc><c>%4d</c><c>%-2s</c><c>%16.8f</c><c>%16.8f</c><c>  %-38s</c></rc>'
          % (n, s, MASS[s], ZVAL[s], POT[s]))
    w('   </set>')
    w('  </array>')
    w(' </atominfo>')

    def structure(name):
        w(' <structure%s >' % (' name="%s"' % name if name else ''))
        w('  <crystal>')
        w('   <varray name="basis" >')
        for r in cell:
            w('    <v>' + vec(r) + ' </v>')
        w('   </varray>')
        w('   <i name="volume">%16.8f </i>' % abs(np.linalg.det(cell)))
        w('   <varray name="rec_basis" >')
        for r in np.linalg.inv(cell).T:
            w('    <v>' + vec(r) + ' </v>')
        w('   </varray>')
        w('  </crystal>')
        w('  <varray name="positions" >')
        for r in frac:
            w('   <v>' + vec(r) + ' </v>')
        w('  </varray>')
        w(' </structure>')

    structure("initialpos")
    L[-1:] = L[-1:]  # (kept flat; indentation as VASP writes it)
    w(' <calculation>')
    n = n_scf or (nelm if not converged else 19)
    es = scf_energies(e_free, n, converged)
    for k, e in enumerate(es):
        w('  <scstep>')
        w('   <time name="dav">    0.41    0.42</time>')
        w('   <time name="total">    0.63    0.64</time>')
        w('   <energy>')
        w('    <i name="alphaZ">    156.49003402 </i>')
        w('    <i name="ewald">  -3142.02553412 </i>')
        w('    <i name="eentropy">%16.8f </i>' % entropy)
        w('    <i name="e_fr_energy">%16.8f </i>' % e)
        w('    <i name="e_wo_entrp">%16.8f </i>' % (e - entropy))
        w('    <i name="e_0_energy">%16.8f </i>' % (e - 0.5 * entropy))
        w('   </energy>')
        w('  </scstep>')
    w('  <structure >')
    w('   <crystal>')
    w('    <varray name="basis" >')
    for r in cell:
        w('     <v>' + vec(r) + ' </v>')
    w('    </varray>')
    w('   </crystal>')
    w('   <varray name="positions" >')
    for r in frac:
        w('    <v>' + vec(r) + ' </v>')
    w('   </varray>')
    w('  </structure>')
    w('  <varray name="forces" >')
    for r in forces:
        w('   <v>' + vec(r) + ' </v>')
    w('  </varray>')
    w('  <varray name="stress" >')
    for r in stress_kb:
        w('   <v>' + vec(r) + ' </v>')
    w('  </varray>')
    w('  <energy>')
    w('   <i name="e_fr_energy">%16.8f </i>' % es[-1])
    w('   <i name="e_wo_entrp">%16.8f </i>' % (es[-1] - entropy))
    # VASP's known slip: calculation/energy e_0_energy repeats e_fr_energy (ASE works around it)
    w('   <i name="e_0_energy">%16.8f </i>' % es[-1])
    w('  </energy>')
    w('  <time name="totalsc">   12.46   12.82</time>')
    w('  <eigenvalues>')
    w('   <array>')
    w('    <dimension dim="1">band</dimension>')
    w('    <dimension dim="2">kpoint</dimension>')
    w('    <dimension dim="3">spin</dimension>')
    w('    <field>eigene</field>')
    w('    <field>occ</field>')
    w('    <set>')
    occ = occupations(eigs, efermi, 0.05)
    for s in range(ispin):
        w('     <set comment="spin %d">' % (s + 1))
        for k in range(n_kpt):
            w('      <set comment="kpoint %d">' % (k + 1))
            for b in range(n_band):
                w('       <r>%10.4f %8.4f </r>' % (eigs[s, k, b], occ[s, k, b]))
            w('      </set>')
        w('     </set>')
    w('    </set>')
    w('   </array>')
    w('  </eigenvalues>')
    w('  <separator name="orbital magnetization" >')
    w('   <v name="MAGMOM">      0.00000000       0.00000000       0.00000000 </v>')
    w('  </separator>')
    w('  <dos>')
    w('   <i name="efermi">%16.8f </i>' % efermi)
    w('  </dos>')
    w(' </calculation>')
    structure("finalpos")
    w('</modeling>')
    return "\n".join(L) + "\n"


def random_forces(rng, n):
    f = rng.normal(0, 0.4, (n, 3))
    return f - f.mean(axis=0)  # VASP removes the net force


def random_stress_kb(rng, p_kb):
    s = rng.normal(0, 3.0, (3, 3))
    return 0.5 * (s + s.T) + p_kb * np.eye(3)


def expected_from_ase_vasprun(path):
    a = read(path, format="vasp-xml")
    calc = a.calc
    kp = calc.kpts
    nspin = 1 + max(k.s for k in kp)
    eps = np.array([k.eps_n for k in kp])
    f = np.array([k.f_n for k in kp]) / (2.0 / nspin)  # ASE doubles ISPIN=1 occupations
    occ = f >= 0.5
    vbm = eps[occ].max()
    cbm = eps[~occ].min()
    # metal if a band is occupied at one k-point and empty at another (same spin)
    metal = False
    for s in range(nspin):
        o = np.array([k.f_n for k in kp if k.s == s]) / (2.0 / nspin) >= 0.5
        metal |= bool((o.any(axis=0) & (~o).any(axis=0)).any())
    gap = 0.0 if metal or cbm <= vbm else cbm - vbm
    e = a.get_potential_energy(force_consistent=True)
    stress = a.get_stress(voigt=False) / GPa
    return {"energy": e, "energy_sigma0": a.get_potential_energy(), "n_atom": len(a),
            "stress_gpa": stress.tolist(), "hydrostatic_gpa": float(np.trace(stress) / 3),
            "forces": a.get_forces().tolist(), "gap": gap, "vbm": vbm,
            "cell": a.cell[:].tolist(), "positions": a.get_positions().tolist(),
            "numbers": a.numbers.tolist()}


def write_poscar(path, cfg):
    a = Atoms(cfg["symbols"], cell=cfg["cell"], positions=cfg["positions"], pbc=True)
    write(path, a, format="vasp", direct=True, vasp5=True)


def main():
    rng = np.random.default_rng(20261126)
    configs = [make_config(rng, ["Ag", "Ag", "Ag", "S", "Br"]),
               make_config(rng, ["Ag", "Ag", "Ag", "S", "I"]),
               make_config(rng, ["Ag", "Ag", "Ag", "S", "Br"]),
               make_config(rng, ["Ag", "Ag", "Ag", "S", "Br"]),
               make_config(rng, ["Ag", "Ag", "Ag", "S", "Br"])]
    out = os.path.join(HERE, "export")
    bad = os.path.join(HERE, "bad")
    for d in (out, bad):
        shutil.rmtree(d, ignore_errors=True)
    for c, cfg in enumerate(configs[:4]):
        os.makedirs(os.path.join(out, "config_%06d" % c))
        write_poscar(os.path.join(out, "config_%06d" % c, "POSCAR"), cfg)
    # config 0: ISPIN = 1, indirect gap ~1.1 eV, 4 k-points, 28 bands, 23 occupied
    e0 = bands(rng, 4, 28, 23, 2.1034, 1.0871)[None]
    x0 = vasprun(configs[0], e_free=-13.21876543, forces=random_forces(rng, 5),
                 stress_kb=random_stress_kb(rng, -4.2), eigs=e0, efermi=2.1034 + 0.5)
    # config 1 (Ag3SI): ISPIN = 2, spin channels with different gaps; CBM in the minority channel
    up = bands(rng, 4, 28, 23, 1.8123, 0.9544)
    dn = bands(rng, 4, 28, 23, 1.7311, 0.8120)
    e1 = np.stack([up, dn])
    x1 = vasprun(configs[1], e_free=-12.98765432, forces=random_forces(rng, 5),
                 stress_kb=random_stress_kb(rng, 6.1), eigs=e1, efermi=2.2, ispin=2)
    # config 2: NELM = 60 electronic steps without convergence
    e2 = bands(rng, 4, 28, 23, 2.0, 1.0)[None]
    x2 = vasprun(configs[2], e_free=-13.1, forces=random_forces(rng, 5),
                 stress_kb=random_stress_kb(rng, 0.0), eigs=e2, efermi=2.5, converged=False)
    for c, text in ((0, x0), (1, x1), (2, x2)):
        with open(os.path.join(out, "config_%06d" % c, "vasprun.xml"), "w") as f:
            f.write(text)
    # config 3: POSCAR only (job not run yet)
    # broken variants, each a complete export tree of its own
    def tree(name, files):
        for c, text in files.items():
            d = os.path.join(bad, name, "config_%06d" % c)
            os.makedirs(d)
            write_poscar(os.path.join(d, "POSCAR"), configs[c])
            with open(os.path.join(d, "vasprun.xml"), "w") as f:
                f.write(text)
    lines = x1.splitlines(keepends=True)
    cut = next(i for i, l in enumerate(lines) if "<eigenvalues>" in l) + 40
    tree("truncated", {0: x0, 1: "".join(lines[:cut])})            # killed while writing
    tree("species", {0: x0, 1: vasprun(configs[1], e_free=-12.98765432, forces=random_forces(rng, 5),
                                       stress_kb=random_stress_kb(rng, 6.1), eigs=e1, efermi=2.2,
                                       ispin=2, symbols_override=["Ag", "Ag", "Ag", "S", "Br"])})
    shift = np.zeros((5, 3))
    shift[3] = [0.01, 0.0, 0.0]  # S moved by ~0.05 Å: another structure than the dataset's
    tree("positions", {0: vasprun(configs[0], e_free=-13.21876543, forces=random_forces(rng, 5),
                                  stress_kb=random_stress_kb(rng, -4.2), eigs=e0, efermi=2.6,
                                  frac_shift=shift)})
    # expected labels from ASE
    expected = {"vasprun": {}, "extxyz": {}}
    for c in (0, 1):
        expected["vasprun"][str(c)] = expected_from_ase_vasprun(
            os.path.join(out, "config_%06d" % c, "vasprun.xml"))
    # extxyz: the same two labelled configurations written by ASE (energy = sigma->0,
    # free_energy, stress, forces; info config_index, gap, vbm) plus config 4
    frames = []
    for c in (0, 1, 4):
        cfg = configs[c]
        a = Atoms(cfg["symbols"], cell=cfg["cell"], positions=cfg["positions"], pbc=True)
        if c in (0, 1):
            r = read(os.path.join(out, "config_%06d" % c, "vasprun.xml"), format="vasp-xml")
            ex = expected["vasprun"][str(c)]
            res = dict(energy=r.get_potential_energy(), free_energy=ex["energy"],
                       stress=r.get_stress(), forces=r.get_forces())
            gap, vbm = ex["gap"], ex["vbm"]
        else:
            res = dict(energy=-13.0123, free_energy=-13.0137, stress=rng.normal(0, 0.002, 6),
                       forces=random_forces(rng, 5))
            gap, vbm = 1.0421, 2.0087
        a.calc = SinglePointCalculator(a, **res)
        a.info["config_index"] = c
        a.info["gap"] = gap
        a.info["vbm"] = vbm
        frames.append(a)
    write(os.path.join(HERE, "labels.extxyz"), frames, format="extxyz")
    for a in read(os.path.join(HERE, "labels.extxyz"), index=":", format="extxyz"):
        c = a.info["config_index"]
        st = a.get_stress(voigt=False) / GPa
        expected["extxyz"][str(c)] = {
            "energy": a.get_potential_energy(force_consistent=True),
            "stress_gpa": st.tolist(), "hydrostatic_gpa": float(np.trace(st) / 3),
            "forces": a.get_forces().tolist(), "gap": a.info["gap"], "vbm": a.info["vbm"],
            "n_atom": len(a)}
    # broken extxyz: species swapped in frame 1, and a file cut inside frame 2
    text = open(os.path.join(HERE, "labels.extxyz")).read()
    fl = text.splitlines(keepends=True)
    with open(os.path.join(bad, "labels_truncated.extxyz"), "w") as f:
        f.write("".join(fl[:len(fl) - 2]))
    sw = list(fl)
    i_line = next(i for i, l in enumerate(sw) if l.startswith("I "))
    sw[i_line] = "Br" + sw[i_line][1:]
    with open(os.path.join(bad, "labels_species.extxyz"), "w") as f:
        f.write("".join(sw))
    with open(os.path.join(HERE, "configs.json"), "w") as f:
        json.dump({"note": "configurations of the fixture dataset (make_dataset.py); Å, rows = "
                   "lattice vectors", "configs": configs}, f, indent=1)
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
