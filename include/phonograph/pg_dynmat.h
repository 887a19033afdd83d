/* pg_dynmat.h - dynamical matrices at any q with phonopy 2.17's conventions, and their
 * eigen-solutions (frequencies in THz, eigenvectors).
 *
 * Conventions (../shared/reference/phonopy/ALGORITHMS.md §2): q reduced in the PRIMITIVE
 * reciprocal basis without 2π; for primitive atoms i, j and supercell atoms k with
 * s2pp(k) = j,
 *   D_{3i+a, 3j+b}(q) = (m_i m_j)^-1/2 Σ_k Φ_ab(p2s(i), k) (1/M_ik) Σ_l exp(2πi q·v_l(i,k))
 * where v_l(i,k) are ALL shortest vectors r_k - r_p2s(i) + T (T a supercell lattice vector)
 * within 1e-5 Å (absolute) of the minimum length, M_ik their number (C-type, atom-position
 * phase), then D <- (D + D†)/2. Units eV/(Å² amu). D is stored ROW-MAJOR [3n][3n], complex.
 * Frequencies ν_s = sign(λ_s) sqrt|λ_s| · PG_VASP_TO_THZ (negative = imaginary), ascending.
 * Eigenvectors in phonopy's layout: e[(3i+a) * n_band + s] (column s = band s), unit norm.
 *
 * The object is read-only after creation: any number of threads/ranks may build and solve
 * with their own workspace.
 */
#ifndef PG_DYNMAT_H
#define PG_DYNMAT_H

#include <complex.h>
#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_eigh.h"
#include "phonograph/pg_forceconst.h"
#include "phonograph/pg_linalg.h"
#include "phonograph/pg_status.h"

typedef struct pg_dynmat pg_dynmat_t;

/* Build the shortest-vector tables and mass-weighted FC blocks.
 * prim: primitive cell (lattice, masses; positions are not used: the primitive atoms are
 *   the supercell atoms p2s[i]); super: the supercell (lattice, Cartesian positions, in the
 *   FC's atom order); p2s [n_p]: supercell atom of each primitive atom; s2pp [n_s]: primitive
 *   index of each supercell atom. fc: full or compact, must hold the rows p2s[i].
 * symprec_ang: phonopy's tolerance on equal lengths (1e-5 Å).
 * Errors: PG_ERR_INPUT (FC does not match the supercell or lacks primitive rows; supercell
 *   is not a multiple of the primitive cell; a mass <= 0), PG_ERR_NOMEM. Not collective. */
pg_status_t pg_dynmat_create(const pg_cell_t *prim, const pg_cell_t *super, const int64_t *p2s,
                             const int64_t *s2pp, const pg_fc_t *fc, double symprec_ang,
                             pg_dynmat_t **out);
void pg_dynmat_destroy(pg_dynmat_t **dm);
/* Number of bands 3 n_p. */
int pg_dynmat_n_band(const pg_dynmat_t *dm);
/* Largest multiplicity M_ik and the total number of image vectors (diagnostics). */
void pg_dynmat_image_stats(const pg_dynmat_t *dm, int *max_mult, int64_t *n_vectors);

/* D(q), row-major [n_band][n_band], Hermitised. Built from per-translation tables
 * (D_ij = conj(u_i) D̃_ij u_j, D̃ = Σ_R S(R) exp(2πi q·R) over a half set of lattice vectors R
 * with S(−R) = S(R)^T, u_i = exp(2πi q·x_i); docs/phonons.md). Not collective; no allocation
 * for n_band <= 48 (above, a failed scratch allocation leaves D = NaN). */
void pg_dynmat_build(const pg_dynmat_t *dm, const double q[3], double complex *d);

/* Real gauge. When every primitive atom sits on an inversion centre of the crystal
 * (2(x_i − x_0) a lattice vector for all i: rock salt, cubic perovskites and anti-perovskites,
 * ...) and the force constants are even under inversion (the odd part of the Hermitised
 * coefficients at most 1e-10 of the even part), D(q) of the convention above is REAL for every
 * q: the terms of v and −v pair up into cos 2πq·v. pg_dynmat_create detects this; the small
 * solver then builds the real symmetric D(q) directly from per-block cosine terms and
 * diagonalises it with pg_eigh_small_real (real eigenvectors, phonopy's convention, no atom
 * phases). is_real: 1 if so; real_odd: the relative odd part found (diagnostic; 0 for
 * exactly symmetric input). */
int pg_dynmat_is_real(const pg_dynmat_t *dm);
double pg_dynmat_real_odd(const pg_dynmat_t *dm);

/* Which dense eigensolver a workspace uses: AUTO = the small C solver (pg_eigh.h) for
 * n_band <= PG_DYNMAT_SMALL_MAX_BANDS, else LAPACK zheevd. AUTO and SMALL use the real gauge
 * when pg_dynmat_is_real; SMALL_HERMITIAN always solves the Hermitian D(q). */
typedef enum {
    PG_DYNMAT_EIG_AUTO = 0,
    PG_DYNMAT_EIG_LAPACK = 1,
    PG_DYNMAT_EIG_SMALL = 2,
    PG_DYNMAT_EIG_SMALL_HERMITIAN = 3 /* the small solver on the complex D(q) even when real */
} pg_dynmat_eig_t;
/* Crossover measured with bench/eigh_bench.c (docs/performance.md ## Phonons). */
#define PG_DYNMAT_SMALL_MAX_BANDS 72

/* Per-thread workspace for solving. */
typedef struct {
    int n;
    int small; /* 1: pg_eigh_small, 0: zheevd */
    int real;  /* 1: real gauge (pg_dynmat_is_real) with pg_eigh_small_real */
    pg_zheevd_ws_t ev;
    pg_eigh_ws_t eh;
    double complex *a; /* [2][n*n] scratch (LAPACK copy, D(q)) */
    double *tre;       /* [n*n] packed D̃ (re n(n+1)/2, then im n(n-1)/2) */
    double complex *u; /* [n/3] atom phases */
    double *rph;       /* real gauge: [2 (n_R + n/3)] phases */
    pg_eigh_batch_ws_t eb; /* small solver: batched solver */
    double *mb, *wb;       /* small solver: [PG_DYNMAT_BATCH][n][n] D(q) (real or packed D̃),
                            * [3][PG_DYNMAT_BATCH][n] λ and the row phases */
} pg_dynmat_ws_t;
/* q-points per batch of pg_dynmat_solve_many (one lockstep block of the AVX-512 kernel) */
#define PG_DYNMAT_BATCH 8
/* Workspace with the AUTO solver. Errors: PG_ERR_NOMEM, PG_ERR_NUMERIC (zheevd query). */
pg_status_t pg_dynmat_ws_init(pg_dynmat_ws_t *ws, const pg_dynmat_t *dm);
/* Workspace with an explicit solver choice. */
pg_status_t pg_dynmat_ws_init_solver(pg_dynmat_ws_t *ws, const pg_dynmat_t *dm,
                                     pg_dynmat_eig_t solver);
void pg_dynmat_ws_free(pg_dynmat_ws_t *ws);

/* Eigenvalues → frequencies (THz, negative = imaginary) and, if evec != NULL, eigenvectors
 * e[(3i+a)*n + s] of the row-major Hermitian d (d is not modified), with the workspace's
 * solver. LAPACK reads d as column-major, i.e. as conj(d): the returned vectors are conjugated
 * back here (the one place this is handled). Errors: PG_ERR_NUMERIC (zheevd info, or the
 * small solver's QL not converging). */
pg_status_t pg_dynmat_solve_matrix(pg_dynmat_ws_t *ws, const double complex *d, double *freq_thz,
                                   double complex *evec);
/* Same with ScaLAPACK pzheevd over comm (collective; d identical on every rank; every rank
 * gets freq and evec). nb: block size (<= 0: 64). Same conjugation handling as above. */
pg_status_t pg_dynmat_solve_matrix_scalapack(MPI_Comm comm, int nb, int n, const double complex *d,
                                             double *freq_thz, double complex *evec);
/* Build and solve at q. evec may be NULL; d_out (may be NULL) receives D(q). With the small
 * solver the packed D̃(q) is diagonalised and the eigenvectors get the atom phases afterwards
 * (e_{3i+a,s} = conj(u_i) z_{3i+a,s}); the result depends only on q and the solver (not on
 * d_out, batch or rank). */
pg_status_t pg_dynmat_solve(const pg_dynmat_t *dm, pg_dynmat_ws_t *ws, const double q[3],
                            double *freq_thz, double complex *evec, double complex *d_out);

/* n_q points at once: q[t] (3 numbers), results into freq_thz[t] ([n_band]) and, if evec is not
 * NULL, evec[t] ([n_band²], each may be NULL). With the small solver the points go through the
 * batched solver (pg_eigh_small_real_batch in the real gauge, else
 * pg_eigh_small_packed_phased_batch) PG_DYNMAT_BATCH at a time; with zheevd one by one. Every
 * result has the same bits as pg_dynmat_solve at that q (whatever the batch). */
pg_status_t pg_dynmat_solve_many(const pg_dynmat_t *dm, pg_dynmat_ws_t *ws, int n_q,
                                 const double *const *q, double *const *freq_thz,
                                 double complex *const *evec);

/* Batch: n_q points. freq [n_q][n_band], evec [n_q][n_band*n_band] (may be NULL).
 * Not collective (distribute index ranges across ranks outside). */
pg_status_t pg_dynmat_solve_batch(const pg_dynmat_t *dm, int64_t n_q, const double (*q)[3],
                                  double *freq_thz, double complex *evec);

/* λ -> ν: sign(λ) sqrt|λ| PG_VASP_TO_THZ. */
double pg_dynmat_eig_to_thz(double lambda);

/* Real ("ii") gauge at a q with 2q integer (Γ, zone boundary; ALGORITHMS.md §6.2):
 * D̃_ij = Re[exp(2πi q·x_i) D_ij(q) exp(-2πi q·x_j)] with x the primitive fractional positions
 * of the p2s atoms (as the supercell places them). d_real row-major [n][n]. */
pg_status_t pg_dynmat_build_real_gauge(const pg_dynmat_t *dm, const double q[3], double *d_real);
/* Fractional (primitive basis) position of primitive atom i (the supercell's p2s atom),
 * wrapped to [0,1). */
void pg_dynmat_prim_frac(const pg_dynmat_t *dm, int i, double x[3]);
/* Position of supercell atom k in primitive fractional coordinates (as the supercell has it). */
void pg_dynmat_super_frac(const pg_dynmat_t *dm, int64_t k, double x[3]);
int pg_dynmat_n_prim(const pg_dynmat_t *dm);
int64_t pg_dynmat_n_super(const pg_dynmat_t *dm);
const double *pg_dynmat_masses(const pg_dynmat_t *dm); /* [n_p] amu */
const int64_t *pg_dynmat_s2pp(const pg_dynmat_t *dm);  /* [n_s] */
void pg_dynmat_prim_lattice(const pg_dynmat_t *dm, double lattice[3][3]);

#endif
