/* pg_sample.h - finite-temperature configurations: phonon-informed and random samplers.
 *
 * A sampler turns a reference supercell into configurations c = 0 .. n_config-1. The
 * configurations are grouped by "condition": a temperature (phonon sampler) or an amplitude
 * (random sampler); configuration c belongs to condition c / n_per_condition. Every random
 * number of configuration c comes from pg_rng streams keyed by (seed, tag) with counter
 * (c, attempt), so a configuration is a pure function of (deck, c): bit-identical whatever
 * rank draws it and in whatever order (see pg_rng.h). Tags: "sample.phonon", "sample.random",
 * "sample.strain", "sample.disorder".
 *
 * Phonon sampler (ALGORITHMS.md section 6 of ../shared/reference/phonopy): each normal
 * coordinate Q_m of the supercell's harmonic modes is Gaussian with variance
 *   quantum   sigma^2 = hbar/omega (n + 1/2),  n = 1/(exp(h nu / k_B T) - 1)  (T = 0: n = 0)
 *   classical sigma^2 = k_B T / omega^2
 * (omega = 2 pi nu, sigma in sqrt(amu) Å), and u_k = m_k^{-1/2} sum_m sigma_m xi_m v_m(k).
 * Production path (pg_sampler_create_phonon / pg_sampler_create_qspace): the modes are
 * phonopy's commensurate-q modes and u is formed in q-space (small products per q, a DFT over
 * the cells; sampler_qspace.c). Reference path (pg_sampler_create): the modes v_m are the
 * eigenvectors of the supercell's mass-weighted force-constant matrix
 * M^{-1/2} Phi M^{-1/2} (the Gamma point of the supercell). This is the same mode set as
 * phonopy's commensurate q-points: at a commensurate q every image of an atom has the same
 * phase, so D(q) is the Fourier transform of the supercell FC and the supercell spectrum is the
 * union of the commensurate spectra; the real supercell modes span exactly phonopy's ii-gauge
 * and q/-q paired real fields (1/sqrt(N m) normalisation included), so the displacement
 * covariance is identical (tested against phonopy's uu_analytic to 1e-10).
 * Modes with |nu| <= 0.01 THz (the three acoustic translations) get sigma = 0. Imaginary modes
 * (nu < -0.01 THz) follow the policy (LABELER.md section 7, phonopy's treat_imaginary_modes):
 *   SHIFT (default): nu -> |nu|, then +1 THz if 0.01 < |nu| < 0.5 THz (every mode, like phonopy)
 *   ABS:             nu -> |nu|
 *   SKIP:            imaginary modes get sigma = 0
 *
 * Random sampler: independent displacement of every atom, no physics. "Amplitude" A (Å):
 *   GAUSSIAN: each Cartesian component ~ N(0, A^2) (A = per-component standard deviation;
 *             the RMS length of a displacement is sqrt(3) A);
 *   UNIFORM:  uniform in the ball of radius A (isotropic direction, |u| = A U^(1/3), so
 *             |u| <= A and <|u|^2> = 3 A^2 / 5);
 *   PAPER:    each Cartesian component ~ U(0, A) (the paper group's scripts, arXiv:2511.15222:
 *             A in {0.2, 0.4, 0.6, 0.8} Å; note the positive mean A/2 per component).
 *
 * Both samplers: optional homogeneous strain (each of the 6 independent components of the
 * symmetric strain eps ~ U(-strain_max, strain_max); lattice and positions map r -> r (I+eps)),
 * optional chemical disorder (exactly round(x n_site) atoms of species `from` chosen uniformly
 * become `to`; lattice and positions scaled isotropically by `lattice_scale`, e.g. Vegard's
 * law), and guards: a configuration with an interatomic distance < min_distance_ang or an
 * atom displaced by more than max_displacement_ang is redrawn with the next attempt counter
 * (c, attempt + 1); after max_attempts failures the draw fails with PG_ERR_NUMERIC.
 *
 * Sampler objects are opaque, immutable after creation and safe to share between threads.
 */
#ifndef PG_SAMPLE_H
#define PG_SAMPLE_H

#include <mpi.h>
#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_forceconst.h"
#include "phonograph/pg_md.h"
#include "phonograph/pg_phonons.h"
#include "phonograph/pg_status.h"
#include "phonograph/pg_supercell.h"

/* PG_SAMPLE_MD: molecular dynamics (Langevin, pg_md.h) with a force field given in the options,
 * for the independent test ensemble: configuration c of condition (temperature) T is frame
 * f = k mod md_frames of trajectory floor(k / md_frames), k = c mod n_per_condition, taken after
 * md_equil_steps + f * md_stride steps from the reference with Maxwell-Boltzmann velocities. */
typedef enum { PG_SAMPLE_PHONON = 0, PG_SAMPLE_RANDOM = 1, PG_SAMPLE_MD = 2 } pg_sample_kind_t;
typedef enum { PG_STATS_QUANTUM = 0, PG_STATS_CLASSICAL = 1 } pg_stats_t;
typedef enum { PG_IMAG_SHIFT = 0, PG_IMAG_ABS = 1, PG_IMAG_SKIP = 2 } pg_imag_policy_t;
typedef enum { PG_RANDOM_GAUSSIAN = 0, PG_RANDOM_UNIFORM = 1, PG_RANDOM_PAPER = 2 } pg_random_dist_t;

/* Names used in decks and files ("phonon", "quantum", "shift", "gaussian", ...) and parsers
 * (PG_ERR_INPUT listing the allowed words). */
const char *pg_sample_kind_name(pg_sample_kind_t k);
const char *pg_stats_name(pg_stats_t s);
const char *pg_imag_policy_name(pg_imag_policy_t p);
const char *pg_random_dist_name(pg_random_dist_t d);
pg_status_t pg_stats_parse(const char *word, pg_stats_t *out);
pg_status_t pg_imag_policy_parse(const char *word, pg_imag_policy_t *out);
pg_status_t pg_random_dist_parse(const char *word, pg_random_dist_t *out);

/* ---- harmonic modes of a supercell ------------------------------------------------------ */
typedef struct {
    int64_t n_atom;        /* supercell atoms */
    int64_t n_mode;        /* 3 n_atom */
    double *freq_thz;      /* [n_mode] ascending, signed (negative = imaginary), THz */
    double *vec;           /* [n_mode][3 n_atom] orthonormal real eigenvectors (mode-major) */
    double *mass;          /* [n_atom] amu */
} pg_modes_t;

/* Diagonalise M^{-1/2} Phi M^{-1/2} (symmetrised) for the full force constants
 * phi[(k * n_atom + k')][a][b] (eV/Å^2, phonopy's full layout, SPOSCAR order) and masses
 * mass[n_atom] (amu). nu = sign(lambda) sqrt(|lambda|) VaspToTHz. On success *m owns its
 * arrays (pg_modes_free). Not collective; deterministic for a given binary and input.
 * Errors: PG_ERR_INPUT (n_atom < 1, mass <= 0, non-finite phi), PG_ERR_NOMEM, PG_ERR_NUMERIC. */
pg_status_t pg_modes_from_fc(int64_t n_atom, const double (*phi)[3][3], const double *mass,
                             pg_modes_t *m);
/* The same real supercell modes from the phonon helper's commensurate-q construction
 * (pg_phonons.h, ALGORITHMS.md section 6): at an ii point (q = -q) band s gives
 * v(k) = e~_s(j) cos(2 pi q.L_k) / sqrt(N); at a pair representative band s gives
 * v1(k) = sqrt(2/N) Re[e_s(j) exp(2 pi i q.r_k)] and v2(k) = -sqrt(2/N) Im[...], which are the
 * two real fields of the q/-q pair (so xi1 v1 + xi2 v2 = sqrt(2/N) Re[(xi1 + i xi2) e e^{iphi}],
 * phonopy's formula). Mode order: ii representatives then pairs, bands ascending, v1 before v2.
 * m->mass are the supercell masses. Not collective. Errors: PG_ERR_INPUT, PG_ERR_NOMEM. */
pg_status_t pg_modes_from_commensurate(const pg_phonon_modes_t *pm, pg_modes_t *m);
/* Broadcast modes from root (others receive a freshly allocated copy). Collective on comm. */
pg_status_t pg_modes_bcast(MPI_Comm comm, int root, pg_modes_t *m);
void pg_modes_free(pg_modes_t *m);

/* ---- sampler options ---------------------------------------------------------------------- */
typedef struct {
    pg_sample_kind_t kind;
    uint64_t seed;
    int64_t n_condition;       /* temperatures (phonon) or amplitudes (random) */
    const double *condition;   /* [n_condition] K (phonon) or Å (random); copied */
    int64_t n_per_condition;   /* configurations per condition */
    /* phonon */
    pg_stats_t stats;
    pg_imag_policy_t imag;
    double cutoff_thz;         /* acoustic cutoff, default 0.01 THz (<= 0: 0.01) */
    /* random */
    pg_random_dist_t dist;
    /* both */
    double strain_max;         /* 0: no strain */
    double min_distance_ang;   /* 0: no guard */
    double max_displacement_ang; /* 0: no guard */
    int max_attempts;          /* >= 1 (default 100) */
    int disorder_from_z, disorder_to_z; /* 0: no disorder */
    double disorder_x;         /* fraction of `from` sites substituted, [0, 1] */
    double lattice_scale;      /* isotropic scale of the reference cell (1 or 0: none) */
    /* md (conditions are temperatures in K) */
    double md_dt_fs;           /* time step (fs) */
    double md_friction_ps;     /* Langevin friction (1/ps) */
    int64_t md_equil_steps;    /* steps before the first frame of a trajectory */
    int64_t md_stride;         /* steps between frames of one trajectory (decorrelation) */
    int64_t md_frames;         /* frames taken from one trajectory (>= 1) */
    pg_md_force_fn md_force;   /* force field (energy and forces of a cell) */
    void *md_force_ctx;        /* its context (per rank; the sampler does not own it) */
} pg_sample_opts_t;

/* Defaults: phonon, quantum, shift, cutoff 0.01 THz, gaussian, no strain/guards/disorder,
 * max_attempts 100, lattice_scale 1. */
void pg_sample_opts_default(pg_sample_opts_t *o);

typedef struct pg_sampler pg_sampler_t;

/* Create a sampler for the reference supercell `ref` (borrowed; copied). modes: required for
 * PG_SAMPLE_PHONON (borrowed; the sampler keeps a copy of what it needs), ignored (may be NULL)
 * for PG_SAMPLE_RANDOM. Not collective. Errors: PG_ERR_INPUT for inconsistent options. */
pg_status_t pg_sampler_create(const pg_cell_t *ref, const pg_modes_t *modes,
                              const pg_sample_opts_t *opts, pg_sampler_t **out);
/* The phonon sampler in q-space (sampler_qspace.c): pm are the commensurate modes of the
 * supercell `ref` (pg_phonon_commensurate_modes; borrowed, what is needed is copied), smat the
 * supercell matrix w.r.t. the cell of pm (phonopy's column convention, any integer matrix with
 * det > 0). Draws the same distribution as pg_sampler_create with the supercell modes (the
 * flat mode order is pg_modes_from_commensurate's), at O(n_mode (d0 + d1 + d2)) per
 * configuration instead of O(n_mode^2). Not collective.
 * Errors: PG_ERR_INPUT (modes and supercell do not match), PG_ERR_NOMEM. */
pg_status_t pg_sampler_create_qspace(const pg_cell_t *ref, const pg_phonon_modes_t *pm,
                                     const int smat[3][3], const pg_sample_opts_t *opts,
                                     pg_sampler_t **out);
/* The phonon sampler of supercell sc (every rank) from its force constants fc (rank 0; full,
 * or compact with the rows of the unit-cell atoms sc->u2s): the q-space construction with the
 * unit cell as the cell (commensurate points of sc->matrix, computed on rank 0, broadcast),
 * or, if that fails, the supercell-Gamma diagonalisation (needs full fc) with the reason
 * written to note[note_cap] (empty when the q-space path is used; may be NULL).
 * Collective on comm; *out on every rank; errors agreed. */
pg_status_t pg_sampler_create_phonon(MPI_Comm comm, const pg_supercell_t *sc, const pg_fc_t *fc,
                                     const pg_sample_opts_t *o, char *note, size_t note_cap,
                                     pg_sampler_t **out);
/* 1 if s is a q-space phonon sampler. */
int pg_sampler_is_qspace(const pg_sampler_t *s);
void pg_sampler_destroy(pg_sampler_t **s);

int64_t pg_sampler_n_config(const pg_sampler_t *s);
int64_t pg_sampler_n_atom(const pg_sampler_t *s);
const pg_sample_opts_t *pg_sampler_opts(const pg_sampler_t *s);
/* Condition value (K or Å) of configuration c. */
double pg_sampler_condition_of(const pg_sampler_t *s, int64_t c);

/* Mode statistics of a phonon sampler (zeros for random): modes sampled (sigma > 0), imaginary
 * modes (nu < -cutoff), modes whose frequency the policy changed, the smallest and largest
 * frequency actually used (THz). */
typedef struct {
    int64_t n_sampled, n_imaginary, n_shifted, n_excluded;
    double min_used_thz, max_used_thz;
} pg_mode_stats_t;
void pg_sampler_mode_stats(const pg_sampler_t *s, pg_mode_stats_t *st);
/* Frequencies used and standard deviations for condition t: nu_used[n_mode] (THz, 0 where
 * excluded), sigma[n_mode] (sqrt(amu) Å). Either may be NULL. */
pg_status_t pg_sampler_mode_sigma(const pg_sampler_t *s, int64_t t, double *nu_used,
                                  double *sigma);
/* Exact displacement covariance <u_ka u_k'b> (Å^2) of condition t, cov[3n][3n] (phonon
 * sampler only; for the random sampler PG_ERR_INPUT). */
pg_status_t pg_sampler_covariance(const pg_sampler_t *s, int64_t t, double *cov);

/* One drawn configuration; buffers sized once by pg_sample_init (no allocation per draw). */
typedef struct {
    int64_t index;          /* configuration index c */
    double condition;       /* K or Å */
    int attempts;           /* draws used (1 = first draw accepted) */
    double strain[3][3];    /* applied strain eps (symmetric) */
    int64_t n_substituted;  /* disorder: atoms changed */
    double min_distance_ang; /* shortest interatomic distance (periodic), Å; NaN unless the
                              * min_distance guard is on (it costs O(n_atom^2)) */
    double max_displacement_ang;
    pg_cell_t cell;         /* the configuration (Cartesian positions, Å) */
    double (*disp)[3];      /* [n_atom] displacement from the (scaled, strained) reference, Å */
    double *work;           /* [5 n_mode] scratch */
    int64_t *iwork;         /* [n_atom] scratch */
    void *md;               /* MD sampler: the trajectory last advanced (cache, owned) */
} pg_sample_t;

pg_status_t pg_sample_init(pg_sample_t *x, const pg_sampler_t *s);
void pg_sample_free(pg_sample_t *x);

/* Draw configuration c (0 <= c < n_config) into x, applying guards. Not collective.
 * Errors: PG_ERR_INPUT (c out of range), PG_ERR_NUMERIC (guards failed max_attempts times). */
pg_status_t pg_sampler_draw(const pg_sampler_t *s, int64_t c, pg_sample_t *x);

/* Shortest interatomic distance of a cell under periodic boundary conditions (all images
 * within one cell shift), Å. Not collective. */
double pg_sample_min_distance(const pg_cell_t *cell);

#endif
