/* pg_phonons.h - phonon quantities from frequencies/eigenvectors: q-point sets (mesh,
 * irreducible mesh, commensurate points, band path), DOS, thermal properties, thermal
 * displacements, and the commensurate modes used by the phonon sampler.
 *
 * Formulas and units: ../shared/reference/phonopy/ALGORITHMS.md §4-§6 (phonopy 2.17).
 * q reduced in the primitive reciprocal basis without 2π. Frequencies THz (negative =
 * imaginary). All functions are serial and deterministic (fixed summation order); the stage
 * (pg_stage_phonons, pg_phonons_stage.h) distributes work over ranks.
 */
#ifndef PG_PHONONS_H
#define PG_PHONONS_H

#include <complex.h>
#include <stdint.h>

#include "phonograph/pg_dynmat.h"
#include "phonograph/pg_status.h"

/* ---- q-point sets ---- */
typedef struct {
    int64_t n_q;
    double (*q)[3];  /* [n_q] reduced q */
    double *weight;  /* [n_q] weights (integers for meshes; 1 otherwise) */
} pg_qset_t;
void pg_qset_free(pg_qset_t *qs);

/* Full mesh m0 x m1 x m2: q = (g + shift/2) / m, g_c in 0..m_c-1, g0 fastest; weight 1.
 * shift[c] in {0,1}; phonopy's Monkhorst-Pack = shift 1 on even axes (pg_phonon_mp_shift). */
pg_status_t pg_phonon_mesh(const int mesh[3], const int shift[3], pg_qset_t *out);
void pg_phonon_mp_shift(const int mesh[3], int gamma_centred, int shift[3]);
/* Irreducible points of that mesh under fractional real-space rotations rot [n_rot] of the
 * primitive cell (q -> Wᵀq) and, if time_reversal, q -> -q. Representative = lowest grid
 * index of each orbit; weights = orbit sizes (sum = n_grid). Rotations that map the grid off
 * itself (a shift not compatible) are skipped. */
pg_status_t pg_phonon_mesh_ir(const int mesh[3], const int shift[3], int n_rot,
                              const int (*rot)[3][3], int time_reversal, pg_qset_t *out);
/* Commensurate points of the supercell: all q with Sᵀq ∈ Z³ (S = supercell matrix w.r.t. the
 * primitive cell, phonopy's column convention), in [0,1)³, sorted lexicographically; |det S|
 * points, weight 1. */
pg_status_t pg_phonon_commensurate(const int smat[3][3], pg_qset_t *out);
/* Band path: n_seg segments from ends[2s] to ends[2s+1] (reduced), n_per points each
 * including both ends. distance [n_seg*n_per] (caller gets it malloc'ed) is the cumulative
 * Cartesian length (Å⁻¹, no 2π) with reciprocal rows recip (pg_cell_reciprocal of the
 * primitive cell); consecutive segments that do not connect add no length. */
pg_status_t pg_phonon_band_path(int n_seg, const double (*ends)[3], int n_per,
                                const double recip[3][3], pg_qset_t *out, double **distance);

/* ---- integrals over a weighted q set ---- */
/* Gaussian DOS per primitive cell (states/THz): n_f points f_thz; freq [n_q][n_band]. */
void pg_phonon_dos_gaussian(int64_t n_q, int n_band, const double *freq, const double *weight,
                            double sigma_thz, int64_t n_f, const double *f_thz, double *dos);
/* Linear tetrahedron DOS per primitive cell (states/THz; Blöchl et al., PRB 49, 16223 (1994),
 * tetrahedra on phonopy's shortest main diagonal; formulas in phonons.c) at n_f ascending
 * points f_thz. The grid is mesh[0] x mesh[1] x mesh[2] (index g0 + m0 (g1 + m1 g2), as
 * pg_phonon_mesh and spglib; any half shift). freq [n_rows][n_band]; grid_row [n_grid] gives
 * the row of freq for each grid point (NULL: row = grid index, a full mesh; an irreducible
 * mesh passes each point's representative, giving the full-mesh result since equivalent points
 * have equal frequencies). recip: reciprocal lattice rows of the primitive cell (no 2π).
 * Serial, deterministic. Errors: PG_ERR_INPUT (mesh), PG_ERR_INTERNAL (f not ascending). */
pg_status_t pg_phonon_dos_tetrahedron(const int mesh[3], const double recip[3][3],
                                      const int64_t *grid_row, int n_band, const double *freq,
                                      int64_t n_f, const double *f_thz, double *dos);
/* phonopy's main diagonal of the mesh cells: sign[3] of the shortest Σ sign_c b_c / m_c. */
void pg_phonon_tetra_diagonal(const int mesh[3], const double recip[3][3], int sign[3]);
/* Thermal properties at n_t temperatures, per mol of primitive cells: F (kJ/mol), S and Cv
 * (J/K/mol); modes with ν > cutoff_thz contribute (ZPE: ν > 0). Any output may be NULL. */
void pg_phonon_thermal(int64_t n_q, int n_band, const double *freq, const double *weight,
                       double cutoff_thz, int n_t, const double *temp_k, double *free_kjmol,
                       double *entropy_jkmol, double *cv_jkmol);

/* Thermal displacement matrices: accumulate the contribution of one q-point (weight w) into
 * acc [n_t][n_p][3][3] (Å² × weight; divide by Σw at the end). Modes with
 * fmin_thz < ν (< fmax_thz if fmax_thz > 0) count; n = 0 for T <= 1 K (phonopy).
 * evec [(3i+a)*n_band + s]; mass [n_p] amu. Real part only (phonopy's msd_matrices). */
void pg_phonon_msd_accumulate(int n_p, const double *mass, const double *freq,
                              const double complex *evec, double w, double fmin_thz,
                              double fmax_thz, int n_t, const double *temp_k, double *acc);

/* Phonon occupation n(ν, T) = 1/(exp(hν/kT) - 1), 0 for T <= 0. */
double pg_phonon_occupation(double freq_thz, double temp_k);

/* ---- commensurate modes for the phonon sampler (ALGORITHMS.md §6) ----
 * The N = |det S| commensurate q of the supercell split into n_ii points with q ≡ -q
 * (2q ∈ Z³) and n_pair pairs {q, -q}, one representative each (the lexicographically first
 * of the two in [0,1)³): N = n_ii + 2 n_pair. At ii points the eigenproblem is the real
 * gauge D̃_ij = Re[exp(2πi q·x_i) D_ij exp(-2πi q·x_j)] (real eigenvectors ẽ, stored with zero
 * imaginary part); at pair points the C-type D(q) (complex e). No NAC.
 * Displacement of supercell atom k (j = s2pp[k]; r_k, L_k = r_k - x_j in primitive fractional
 * coordinates, pos_frac / lat_frac below) for mode amplitudes σ and standard normals ξ:
 *   u_k = (N m_j)^-1/2 [ Σ_{ii} Σ_s σ ξ ẽ_s(j) cos(2π q·L_k)
 *                        + √2 Σ_{pairs} Σ_s σ Re{(ξ¹ + iξ²) e_s(j) exp(2πi q·r_k)} ]   (Å)
 * with e_s(j) the 3 Cartesian components rows 3j..3j+2 of column s. */
typedef struct {
    int64_t n_q;            /* N, number of commensurate points = primitive cells */
    int64_t n_rep;          /* n_ii + n_pair representatives */
    int64_t n_ii, n_pair;
    int n_p, n_band;        /* primitive atoms, 3 n_p */
    int64_t n_s;            /* supercell atoms */
    double (*q)[3];         /* [n_rep] representatives (ii points first, then pairs) */
    int *is_ii;             /* [n_rep] 1 for q ≡ -q */
    double *freq_thz;       /* [n_rep][n_band], ascending, negative = imaginary */
    double complex *evec;   /* [n_rep][n_band*n_band], e[(3j+a)*n_band + s] */
    double *mass;           /* [n_p] amu */
    int64_t *s2pp;          /* [n_s] primitive index of each supercell atom */
    double (*pos_frac)[3];  /* [n_s] r_k, primitive fractional coordinates */
    double (*lat_frac)[3];  /* [n_s] L_k = r_k - x_s2pp(k) (integer-valued) */
} pg_phonon_modes_t;

/* Compute the commensurate modes. Not collective (cheap: N small eigenproblems).
 * Errors: PG_ERR_INPUT (|det S| != n_s / n_p), PG_ERR_NUMERIC, PG_ERR_NOMEM. */
pg_status_t pg_phonon_commensurate_modes(const pg_dynmat_t *dm, const int smat[3][3],
                                         pg_phonon_modes_t *out);
void pg_phonon_modes_free(pg_phonon_modes_t *m);

/* ---- distributed solves (src/phonon/phonons_par.c) ----
 * Rank 0 owns the q list; it is broadcast, cut into fixed blocks of PG_PHONON_BLOCK points,
 * and each rank solves a contiguous range of blocks (small C eigensolver or LAPACK zheevd:
 * PG_EIGEN_SMALL / PG_EIGEN_LAPACK, AUTO picks by n_band, pg_dynmat.h). Frequencies (and
 * eigenvectors if wanted) are gathered to rank 0 in q order; thermal-displacement sums are
 * formed per block in q order and the block sums added on rank 0 in block order, so every
 * result is bitwise independent of the number of ranks. With the ScaLAPACK path all ranks
 * solve each q together (pzheevd on a BLACS grid made from comm); chosen when
 * solver == PG_EIGEN_SCALAPACK, or PG_EIGEN_AUTO and n_band >= scalapack_min_band. */
#define PG_PHONON_BLOCK 64
typedef enum {
    PG_EIGEN_AUTO = 0,
    PG_EIGEN_LAPACK = 1,
    PG_EIGEN_SCALAPACK = 2,
    PG_EIGEN_SMALL = 3
} pg_eigen_solver_t;

/* Where the time of a distributed solve went (wall seconds, every rank gets the same values). */
typedef struct {
    double solve_s;    /* largest over ranks: building and solving its points, deriving their −q */
    double assemble_s; /* after that until everything is on rank 0 in q order (the gather) */
} pg_phonon_solve_times_t;

typedef struct {
    int want_evec;            /* gather eigenvectors to rank 0 */
    pg_eigen_solver_t solver;
    int scalapack_min_band;   /* auto: ScaLAPACK from this many bands on */
    int scalapack_nb;         /* block size (<= 0: 64) */
    int n_t;                  /* thermal displacements at n_t temperatures (0: none) */
    const double *temp_k;     /* [n_t] */
    double msd_fmin_thz;      /* modes with ν > this count (phonopy freq_min) */
    int no_q_pairs;           /* 1: solve every q; 0 (default): a q whose −q (mod G) is earlier
                               * in the list is derived from it (ν equal, e conjugated with the
                               * atom phases of G); only without msd and ScaLAPACK */
    pg_phonon_solve_times_t *times; /* NULL, or filled with the phase times (not ScaLAPACK) */
} pg_phonon_solve_opts_t;

/* Collective on comm. qs: valid on rank 0; on other ranks it is filled (broadcast) here, so
 * pass a zeroed struct. Outputs on rank 0 (malloc'ed, caller frees; NULL elsewhere):
 * *freq [n_q][n_band]; *evec [n_q][n_band²] if want_evec (else untouched); msd (caller array
 * [n_t][n_p][3][3], rank 0) = Σ_q w_q ⟨..⟩_q / Σ_q w_q. *used_scalapack tells which path ran
 * (may be NULL). Errors agreed on all ranks. */
pg_status_t pg_phonon_solve_distributed(MPI_Comm comm, const pg_dynmat_t *dm, pg_qset_t *qs,
                                        const pg_phonon_solve_opts_t *o, double **freq,
                                        double complex **evec, double *msd, int *used_scalapack);

#endif
