/* pg_vasprun.h - the parts of VASP's vasprun.xml that become dataset labels.
 *
 * A single-pass reader over the XML text (no XML library): it keeps a stack of open elements
 * and acts on the end tags it knows, so memory is the file text plus the eigenvalue arrays.
 * Layout read (VASP 5.4/6.x; paths below /modeling):
 *   parameters/.../i[name=NELM|EDIFF|ISPIN|NSW|IBRION]     electronic step limit and criterion
 *   atominfo/atoms, atominfo/array[name=atoms]/set/rc/c[0]  atom count and symbols in POSCAR order
 *   kpoints/varray[name=weights]/v                          number of irreducible k-points
 *   structure[name=initialpos]                              the structure VASP was given
 *   calculation (the LAST one, i.e. the final ionic step):
 *     scstep*                                  electronic steps (count and energy changes)
 *     structure/crystal/varray[name=basis]/v   lattice rows (Å)
 *     structure/varray[name=positions]/v       fractional coordinates
 *     varray[name=forces]/v                    eV/Å
 *     varray[name=stress]/v                    kBar, VASP's sign (positive = compressive)
 *     energy/i[name=e_fr_energy|e_wo_entrp|e_0_energy]
 *     eigenvalues/array/set/set[spin s]/set[kpoint k]/r   "eigenvalue occupation" per band
 *     dos/i[name=efermi]
 *   </modeling> must be present: a file without it was cut off (VASP killed, disk full, run
 *   still going) and is refused with the path, the last line and the elements left open.
 *
 * Units on output: Å, eV, eV/Å, GPa with ASE's sign (tensile positive, pg_units.h):
 * stress_gpa = -0.1 * (VASP's kBar value).
 */
#ifndef PG_VASPRUN_H
#define PG_VASPRUN_H

#include <stddef.h>
#include <stdint.h>

#include "phonograph/pg_status.h"

/* Occupation (0..1 per spin channel, as vasprun.xml writes it for ISPIN = 1 and 2) at or above
 * which a state counts as occupied for the band edges. */
#define PG_VASPRUN_OCC_THRESHOLD 0.5

typedef struct {
    int64_t n_atom;
    int *z;                   /* [n_atom] atomic numbers in POSCAR order */
    /* input structure (structure name="initialpos") */
    double lattice0[3][3];    /* Å, rows = lattice vectors */
    double (*frac0)[3];       /* [n_atom] fractional */
    /* last ionic step */
    int n_calc;               /* number of <calculation> elements (ionic steps) */
    double lattice[3][3];     /* Å */
    double (*frac)[3];        /* [n_atom] fractional */
    int has_forces;
    double (*forces)[3];      /* [n_atom] eV/Å */
    int has_stress;
    double stress_gpa[3][3];  /* GPa, ASE's sign */
    int has_energy;
    double energy_free_ev;    /* e_fr_energy of calculation/energy (Mermin free energy, the one
                                 forces and stress are derivatives of) */
    double energy_sigma0_ev;  /* sigma -> 0 energy: e_fr_energy + (e_0 - e_fr) of the last
                                 scstep (ASE 3.22's work-around for VASP's wrong e_0_energy in
                                 calculation/energy); NaN without scsteps */
    /* electronic convergence */
    int nelm;                 /* NELM (60 if absent, VASP's default) */
    double ediff;             /* EDIFF (1e-4 if absent) */
    int ispin, nsw, ibrion;   /* parameters (1, 0, -1 if absent) */
    int n_scstep;             /* electronic steps of the last ionic step */
    double last_de_ev;        /* |e_fr(last scstep) - e_fr(previous)|; NaN if < 2 steps */
    int converged;            /* 1 = electronically converged (see pg_vasprun_parse) */
    char why[256];            /* reason when converged == 0 */
    /* eigenvalues of the last ionic step */
    int n_spin, n_kpt, n_band;
    double *eig, *occ;        /* [n_spin][n_kpt][n_band] eV, occupation 0..1 (NULL if absent) */
    double efermi;            /* eV (NaN if absent) */
} pg_vasprun_t;

void pg_vasprun_free(pg_vasprun_t *v);

/* Parse vasprun.xml text (n bytes, need not be NUL-terminated; path for messages). On success
 * *v owns its arrays. Electronic non-convergence is not an error: v->converged = 0 and v->why
 * says which test failed: the last ionic step used n_scstep >= NELM electronic steps (VASP
 * stopped at its limit), or its last energy change exceeded EDIFF (+1e-8 eV print precision).
 * Not collective. Errors (PG_ERR_INPUT, "path:line: ..."): truncated file (no </modeling>),
 * malformed XML, a number that does not parse (VASP's "*****" overflow), missing atominfo,
 * missing final energy, ragged eigenvalue blocks, row counts that disagree with the atom count.
 * PG_ERR_NOMEM. */
pg_status_t pg_vasprun_parse(const char *path, const char *text, size_t n, pg_vasprun_t *v);
/* Read the file and parse it. Not collective. Errors as above plus PG_ERR_IO. */
pg_status_t pg_vasprun_read(const char *path, pg_vasprun_t *v);

/* Band edges from eigenvalues and occupations ([n_spin][n_kpt][n_band], occupations 0..1):
 * a state is occupied if occ >= threshold. vbm = highest occupied, cbm = lowest unoccupied
 * eigenvalue over all spins and k-points; gap = cbm - vbm. A band index that is occupied at one
 * k-point and empty at another (same spin), or cbm <= vbm, is a metal: *metal = 1, gap = 0,
 * vbm stays the highest occupied state (cbm is still reported). No unoccupied state: cbm and gap
 * are NaN. No occupied state: PG_ERR_INPUT. Not collective. */
pg_status_t pg_vasprun_band_edges(int n_spin, int n_kpt, int n_band, const double *eig,
                                  const double *occ, double threshold, double *vbm, double *cbm,
                                  double *gap, int *metal);

#endif
