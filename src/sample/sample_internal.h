/* sample_internal.h - the sampler object shared by the files of src/sample (not installed). */
#ifndef PG_SAMPLE_INTERNAL_H
#define PG_SAMPLE_INTERNAL_H

#include "phonograph/pg_rng.h"
#include "phonograph/pg_sample.h"

/* The phonon sampler in q-space (sampler_qspace.c): the supercell's cells are the group
 * Z^3 / S Z^3, relabelled by the Smith normal form U S V = diag(d) as the grid
 * Z_d0 x Z_d1 x Z_d2 (g = U L mod d), so the per-configuration sum over commensurate q is a
 * d0 x d1 x d2 discrete Fourier transform. Complex numbers are interleaved (re, im) doubles. */
typedef struct {
    int64_t n_cell;          /* N = d0 d1 d2 = commensurate points = cells (0: Gamma path) */
    int n_p, n_band;         /* atoms of the (primitive) cell, 3 n_p */
    int64_t n_rep;           /* ii points + q/-q pairs */
    int d[3];                /* grid extents */
    int *is_ii;              /* [n_rep] */
    int64_t *mode0;          /* [n_rep] first flat mode of the representative */
    int64_t *grid_q;         /* [n_rep] grid index of q */
    int64_t *grid_mq;        /* [n_rep] grid index of -q (= grid_q at ii points) */
    double *coef;            /* [n_rep][n_band][n_band][2] C[ja][s] = e_s(ja) exp(2 pi i q.x_j) */
    int64_t *cell_of;        /* [n_atom] grid index of the atom's cell */
    int *prim_of;            /* [n_atom] primitive atom */
    double *scale;           /* [n_atom] (N m_j)^-1/2, amu^-1/2 */
    double *tw[3];           /* [d][2] exp(2 pi i k / d) per axis */
} sampler_q_t;

struct pg_sampler {
    pg_sample_opts_t o;      /* o.condition points to cond */
    double *cond;            /* [n_condition] */
    pg_cell_t ref;           /* reference supercell, scaled by lattice_scale */
    int64_t n_atom, n_mode;
    /* phonon */
    double *freq;            /* [n_mode] THz as diagonalised */
    double *nu_used;         /* [n_mode] THz after the imaginary-mode policy, 0 = excluded */
    double *vec;             /* [n_mode][n_mode] eigenvectors (mode-major) */
    double *sigma;           /* [n_condition][n_mode] sqrt(amu) Å */
    double *inv_sqrt_mass;   /* [n_atom] of the reference masses */
    pg_mode_stats_t mst;
    sampler_q_t q;           /* q-space representation (q.n_cell > 0) instead of vec */
    uint64_t tag_phonon, tag_random, tag_strain, tag_disorder;
};

/* sampler_phonon.c */
pg_status_t sampler_phonon_setup(struct pg_sampler *s, const pg_modes_t *modes);
void sampler_phonon_displace(const struct pg_sampler *s, int64_t c, int attempt, double *u,
                             double *work);
pg_status_t sampler_mode_policy(struct pg_sampler *s);
/* sampler_qspace.c */
pg_status_t sampler_qspace_setup(struct pg_sampler *s, const pg_phonon_modes_t *pm,
                                 const int smat[3][3]);
void sampler_qspace_free(sampler_q_t *q);
/* u[n_mode] (Å) = the linear map of y[n_mode] (sigma * xi, flat mode order); work[4 n_mode] */
void sampler_qspace_apply(const struct pg_sampler *s, const double *y, double *u, double *work);
void sampler_qspace_displace(const struct pg_sampler *s, int64_t c, int attempt, double *u,
                             double *work);
/* sampler_md.c */
pg_status_t sampler_md_check(const pg_sample_opts_t *o);
pg_status_t sampler_md_displace(const struct pg_sampler *s, int64_t c, int attempt,
                                pg_sample_t *x, double *u);
void sampler_md_free_cache(pg_sample_t *x);
/* sampler_random.c */
void sampler_random_displace(const struct pg_sampler *s, int64_t c, int attempt, double *u);

#endif
