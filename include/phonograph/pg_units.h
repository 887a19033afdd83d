/* pg_units.h - the one unit system of phonograph and its constants.
 *
 * Inside the code and in every file written: Å, eV, amu, THz (ordinary frequency ν, not ω),
 * K, GPa, e. Imaginary modes are reported as negative frequencies (phonopy's convention).
 *
 * Physical constants are phonopy 2.17's (phonopy/units.py), NOT CODATA 2018: CODATA's
 * VaspToTHz differs by +1.24e-7 relative, which fails a 1e-6 THz comparison with phonopy.
 * Source: ../shared/reference/phonopy/ALGORITHMS.md section 7.
 *
 * Stress sign convention (ASE's, stated once here): sigma_ab = (1/V) dE/d(eps_ab);
 * tensile stress is positive, a compressed cell has sigma_aa < 0. Pressure P = -tr(sigma)/3.
 * VASP prints the opposite sign in kBar: importers flip the sign and divide by 10.
 */
#ifndef PG_UNITS_H
#define PG_UNITS_H

/* phonopy 2.17 base constants (SI) */
#define PG_KB_SI 1.3806504e-23         /* J/K */
#define PG_EV_SI 1.60217733e-19        /* J */
#define PG_AMU_SI 1.6605402e-27        /* kg */
#define PG_ANGSTROM_SI 1.0e-10         /* m */
#define PG_PLANCK_EVS 4.13566733e-15   /* h, eV s */
#define PG_AVOGADRO 6.02214179e23      /* 1/mol */
#define PG_PI 3.14159265358979323846

/* derived, phonopy 2.17 values */
#define PG_VASP_TO_THZ 15.633302300230191   /* sqrt(eV/(Å^2 amu)) -> THz (ν) */
#define PG_KB_EV 8.617338256808316e-05      /* Boltzmann constant, eV/K */
#define PG_THZ_TO_EV 0.00413566733          /* h·1 THz in eV */
#define PG_EV_TO_KJMOL 96.4853905398362     /* eV -> kJ/mol */
#define PG_HBAR_EVS (PG_PLANCK_EVS / (2.0 * PG_PI)) /* ħ, eV s */

/* labeler constants (../shared/physics/LABELER.md section 1; use exactly these) */
#define PG_COULOMB_EV_ANG 14.399645         /* e^2/(4 pi eps0), eV Å */
#define PG_HBAR2_OVER_ME 7.62               /* ħ^2/m_e, eV Å^2 (Harrison) */
#define PG_EV_ANG3_TO_GPA 160.21766208      /* 1 eV/Å^3 in GPa */
#define PG_KBAR_TO_GPA 0.1                  /* VASP kBar -> GPa (then flip sign) */
#define PG_BOHR_ANG 0.52917721067           /* Bohr radius, Å (CODATA 2014, for readers only) */
#define PG_HARTREE_EV 27.21138602           /* Hartree, eV (CODATA 2014, for readers only) */

#endif
