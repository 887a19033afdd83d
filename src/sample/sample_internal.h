/* sample_internal.h - the sampler object shared by the files of src/sample (not installed). */
#ifndef PG_SAMPLE_INTERNAL_H
#define PG_SAMPLE_INTERNAL_H

#include "phonograph/pg_rng.h"
#include "phonograph/pg_sample.h"

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
    uint64_t tag_phonon, tag_random, tag_strain, tag_disorder;
};

/* sampler_phonon.c */
pg_status_t sampler_phonon_setup(struct pg_sampler *s, const pg_modes_t *modes);
void sampler_phonon_displace(const struct pg_sampler *s, int64_t c, int attempt, double *u,
                             double *work);
/* sampler_md.c */
pg_status_t sampler_md_check(const pg_sample_opts_t *o);
pg_status_t sampler_md_displace(const struct pg_sampler *s, int64_t c, int attempt,
                                pg_sample_t *x, double *u);
void sampler_md_free_cache(pg_sample_t *x);
/* sampler_random.c */
void sampler_random_displace(const struct pg_sampler *s, int64_t c, int attempt, double *u);

#endif
