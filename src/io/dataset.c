/* dataset.c - the dataset file (schema in docs/dataset.md), written through pg_h5's
 * collective row API. One table (fields[]) drives creation, batch writes and the docs. */
#include "phonograph/pg_dataset.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_h5.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_version.h"

/* row shape kinds */
enum { ROW_SCALAR, ROW_MAT3, ROW_ATOM3, ROW_ATOM };

typedef struct {
    const char *path;
    pg_h5_type_t type;
    int shape;
    size_t member; /* offset of the array pointer in pg_dataset_batch_t */
    const char *units;
} field_t;

#define F(p, t, s, m, u) {p, t, s, offsetof(pg_dataset_batch_t, m), u}
static const field_t fields[] = {
    F("/configs/condition", PG_H5_F64, ROW_SCALAR, condition, "K (phonon) or Å (random)"),
    F("/configs/attempts", PG_H5_I32, ROW_SCALAR, attempts, "1"),
    F("/configs/n_substituted", PG_H5_I32, ROW_SCALAR, n_substituted, "1"),
    F("/configs/cell", PG_H5_F64, ROW_MAT3, cell, "Å"),
    F("/configs/positions", PG_H5_F64, ROW_ATOM3, positions, "Å"),
    F("/configs/species", PG_H5_I32, ROW_ATOM, species, "atomic number"),
    F("/configs/strain", PG_H5_F64, ROW_MAT3, strain, "1"),
    F("/configs/max_displacement", PG_H5_F64, ROW_SCALAR, max_displacement, "Å"),
    F("/configs/min_distance", PG_H5_F64, ROW_SCALAR, min_distance, "Å"),
    F("/labels/energy", PG_H5_F64, ROW_SCALAR, energy, "eV"),
    F("/labels/energy_per_atom", PG_H5_F64, ROW_SCALAR, energy_per_atom, "eV/atom"),
    F("/labels/gap", PG_H5_F64, ROW_SCALAR, gap, "eV"),
    F("/labels/vbm", PG_H5_F64, ROW_SCALAR, vbm, "eV"),
    F("/labels/hydrostatic_stress", PG_H5_F64, ROW_SCALAR, hydrostatic, "GPa"),
    F("/labels/stress", PG_H5_F64, ROW_MAT3, stress, "GPa"),
    F("/labels/forces", PG_H5_F64, ROW_ATOM3, forces, "eV/Å"),
};
#undef F
#define N_FIELDS ((int)(sizeof fields / sizeof fields[0]))

struct pg_dataset {
    pg_h5_t *f;
    MPI_Comm comm;
    int64_t n_config, n_atom;
};

static int64_t row_len(int shape, int64_t n_atom)
{
    switch (shape) {
    case ROW_MAT3: return 9;
    case ROW_ATOM3: return 3 * n_atom;
    case ROW_ATOM: return n_atom;
    default: return 1;
    }
}
static size_t type_bytes(pg_h5_type_t t)
{
    return t == PG_H5_F64 || t == PG_H5_I64 ? 8 : t == PG_H5_U8 ? 1 : 4;
}
static void *member_ptr(const pg_dataset_batch_t *b, const field_t *fd)
{
    void *p;
    memcpy(&p, (const char *)b + fd->member, sizeof p);
    return p;
}

pg_status_t pg_dataset_batch_init(pg_dataset_batch_t *b, int64_t cap, int64_t n_atom)
{
    pg_status_t st = PG_OK;
    memset(b, 0, sizeof *b);
    b->cap = cap;
    b->n_atom = n_atom;
    for (int k = 0; k < N_FIELDS; k++) {
        const size_t bytes = (size_t)(cap * row_len(fields[k].shape, n_atom)) *
                             type_bytes(fields[k].type);
        void *p = calloc(bytes ? bytes : 1, 1);
        PG_TRY_REQUIRE(p, PG_ERR_NOMEM, "out of memory for a dataset batch (%zu bytes of %s)",
                       bytes, fields[k].path);
        memcpy((char *)b + fields[k].member, &p, sizeof p);
    }
    return PG_OK;
cleanup:
    pg_dataset_batch_free(b);
    return st;
}

void pg_dataset_batch_free(pg_dataset_batch_t *b)
{
    if (!b) return;
    for (int k = 0; k < N_FIELDS; k++) free(member_ptr(b, &fields[k]));
    memset(b, 0, sizeof *b);
}

void pg_dataset_batch_set_sample(pg_dataset_batch_t *b, int64_t j, const pg_sample_t *x)
{
    const int64_t na = b->n_atom;
    b->condition[j] = x->condition;
    b->attempts[j] = x->attempts;
    b->n_substituted[j] = (int32_t)x->n_substituted;
    memcpy(b->cell + 9 * j, x->cell.lattice, sizeof(double) * 9);
    memcpy(b->positions + 3 * na * j, x->cell.pos, sizeof(double) * 3 * (size_t)na);
    for (int64_t k = 0; k < na; k++) b->species[na * j + k] = x->cell.z[k];
    memcpy(b->strain + 9 * j, x->strain, sizeof(double) * 9);
    b->max_displacement[j] = x->max_displacement_ang;
    b->min_distance[j] = x->min_distance_ang;
}

/* How the phonon sampler forms its modes; the values of a configuration depend on it, so a
 * resume refuses a file written by the other construction (or by a phonograph from before
 * the attribute existed, whose phonon sampler was the supercell-Gamma one). */
static const char *construction_of(const pg_sampler_t *s)
{
    return pg_sampler_is_qspace(s) ? "qspace" : "supercell-gamma";
}

static pg_status_t write_provenance(pg_h5_t *f, const pg_dataset_meta_t *m)
{
    const pg_sample_opts_t *o = pg_sampler_opts(m->sampler);
    const int phonon = o->kind == PG_SAMPLE_PHONON;
    char fp[32];
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)m->fingerprint);
    PG_CHECK(pg_h5_attr_write_string(f, "/", "format", PG_DATASET_FORMAT));
    const int64_t version = PG_DATASET_VERSION, seed = (int64_t)m->seed;
    PG_CHECK(pg_h5_attr_write(f, "/", "format_version", PG_H5_I64, 1, &version));
    PG_CHECK(pg_h5_attr_write_string(f, "/", "phonograph_version", pg_version()));
    PG_CHECK(pg_h5_attr_write_string(f, "/", "deck_fingerprint", fp));
    PG_CHECK(pg_h5_attr_write(f, "/", "seed", PG_H5_I64, 1, &seed));
    PG_CHECK(pg_h5_attr_write(f, "/", "n_config", PG_H5_I64, 1, &m->n_config));
    PG_CHECK(pg_h5_attr_write(f, "/", "n_atom", PG_H5_I64, 1, &m->n_atom));
    PG_CHECK(pg_h5_attr_write_string(f, "/", "sampler", pg_sample_kind_name(o->kind)));
    PG_CHECK(pg_h5_attr_write_string(f, "/", "labeler", m->labeler ? m->labeler : "none"));
    PG_CHECK(pg_h5_write_string(f, "/provenance/deck_text", m->deck_text ? m->deck_text : ""));
    PG_CHECK(pg_h5_write_string(f, "/provenance/deck_path", m->deck_path ? m->deck_path : ""));
    PG_CHECK(pg_h5_write_string(f, "/provenance/force_constants", m->fc_source ? m->fc_source : ""));
    /* sampler settings */
    const int64_t nc = o->n_condition, nper = o->n_per_condition;
    PG_CHECK(pg_h5_write(f, "/provenance/sampler/conditions", PG_H5_F64, 1, &nc, o->condition));
    PG_CHECK(pg_h5_attr_write_string(f, "/provenance/sampler/conditions", "units",
                                     phonon ? "K" : "Å"));
    PG_CHECK(pg_h5_attr_write_string(f, "/provenance/sampler/conditions", "meaning",
                                     phonon ? "temperature" : "amplitude"));
    const char *obj = "/provenance/sampler";
    PG_CHECK(pg_h5_attr_write(f, obj, "n_per_condition", PG_H5_I64, 1, &nper));
    PG_CHECK(pg_h5_attr_write_string(f, obj, "kind", pg_sample_kind_name(o->kind)));
    PG_CHECK(pg_h5_attr_write_string(f, obj, "statistics", pg_stats_name(o->stats)));
    PG_CHECK(pg_h5_attr_write_string(f, obj, "imaginary_modes", pg_imag_policy_name(o->imag)));
    PG_CHECK(pg_h5_attr_write_string(f, obj, "distribution", pg_random_dist_name(o->dist)));
    const double reals[6] = {o->cutoff_thz, o->strain_max, o->min_distance_ang,
                             o->max_displacement_ang, o->disorder_x, o->lattice_scale};
    const char *rnames[6] = {"cutoff_thz", "strain_max", "min_distance_ang",
                             "max_displacement_ang", "disorder_x", "lattice_scale"};
    for (int k = 0; k < 6; k++) PG_CHECK(pg_h5_attr_write(f, obj, rnames[k], PG_H5_F64, 1, &reals[k]));
    const int64_t ints[3] = {o->max_attempts, o->disorder_from_z, o->disorder_to_z};
    const char *inames[3] = {"max_attempts", "disorder_from_z", "disorder_to_z"};
    for (int k = 0; k < 3; k++) PG_CHECK(pg_h5_attr_write(f, obj, inames[k], PG_H5_I64, 1, &ints[k]));
    /* reference structure */
    const pg_cell_t *r = m->reference;
    const int64_t d33[2] = {3, 3}, dn3[2] = {r->n_atom, 3}, dn[1] = {r->n_atom};
    PG_CHECK(pg_h5_write(f, "/provenance/reference/lattice", PG_H5_F64, 2, d33, r->lattice));
    PG_CHECK(pg_h5_write(f, "/provenance/reference/positions", PG_H5_F64, 2, dn3, r->pos));
    PG_CHECK(pg_h5_write(f, "/provenance/reference/species", PG_H5_I32, 1, dn, r->z));
    PG_CHECK(pg_h5_write(f, "/provenance/reference/masses", PG_H5_F64, 1, dn, r->mass));
    /* modes */
    if (phonon) {
        pg_mode_stats_t ms;
        pg_sampler_mode_stats(m->sampler, &ms);
        const int64_t nm = 3 * r->n_atom;
        double *nu = malloc(sizeof(double) * (size_t)nm);
        PG_REQUIRE(nu, PG_ERR_NOMEM, "out of memory");
        pg_status_t st = pg_sampler_mode_sigma(m->sampler, 0, nu, NULL);
        if (st == PG_OK) st = pg_h5_write(f, "/provenance/modes/frequencies_used_thz", PG_H5_F64, 1, &nm, nu);
        free(nu);
        PG_CHECK(st);
        const char *mo = "/provenance/modes";
        PG_CHECK(pg_h5_attr_write(f, mo, "n_sampled", PG_H5_I64, 1, &ms.n_sampled));
        PG_CHECK(pg_h5_attr_write(f, mo, "n_imaginary", PG_H5_I64, 1, &ms.n_imaginary));
        PG_CHECK(pg_h5_attr_write(f, mo, "n_shifted", PG_H5_I64, 1, &ms.n_shifted));
        PG_CHECK(pg_h5_attr_write(f, mo, "n_excluded", PG_H5_I64, 1, &ms.n_excluded));
        PG_CHECK(pg_h5_attr_write(f, mo, "min_used_thz", PG_H5_F64, 1, &ms.min_used_thz));
        PG_CHECK(pg_h5_attr_write(f, mo, "max_used_thz", PG_H5_F64, 1, &ms.max_used_thz));
        PG_CHECK(pg_h5_attr_write_string(f, mo, "construction", construction_of(m->sampler)));
    }
    return PG_OK;
}

pg_status_t pg_dataset_create(const char *path, MPI_Comm comm, const pg_dataset_meta_t *m,
                              pg_dataset_t **out)
{
    pg_status_t st = PG_OK;
    pg_dataset_t *ds = NULL;
    *out = NULL;
    PG_TRY_CALLOC(ds, 1, "dataset");
    ds->comm = comm;
    ds->n_config = m->n_config;
    ds->n_atom = m->n_atom;
    PG_TRY(pg_h5_open(path, PG_H5_TRUNCATE, comm, &ds->f));
    PG_TRY(write_provenance(ds->f, m));
    for (int k = 0; k < N_FIELDS; k++) {
        const field_t *fd = &fields[k];
        int64_t dims[4] = {m->n_config, 0, 0, 0};
        int rank = 1;
        if (fd->shape == ROW_MAT3) { dims[1] = 3; dims[2] = 3; rank = 3; }
        else if (fd->shape == ROW_ATOM3) { dims[1] = m->n_atom; dims[2] = 3; rank = 3; }
        else if (fd->shape == ROW_ATOM) { dims[1] = m->n_atom; rank = 2; }
        PG_TRY(pg_h5_create_rows(ds->f, fd->path, fd->type, rank, dims, m->n_config, 0));
        PG_TRY(pg_h5_attr_write_string(ds->f, fd->path, "units", fd->units));
    }
    const int64_t dn[1] = {m->n_config};
    PG_TRY(pg_h5_create_rows(ds->f, "/completed", PG_H5_U8, 1, dn, m->n_config, 0));
    PG_TRY(pg_h5_flush(ds->f));
    *out = ds;
    return PG_OK;
cleanup:
    if (ds) pg_h5_close(&ds->f);
    free(ds);
    return st;
}

pg_status_t pg_dataset_check_format(const char *path)
{
    pg_h5_t *f = NULL;
    PG_CHECK(pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &f));
    char *fmt = NULL;
    int64_t version = -1;
    pg_status_t st = PG_OK;
    if (!pg_h5_attr_exists(f, "/", "format") ||
        pg_h5_attr_read_string(f, "/", "format", &fmt) != PG_OK || strcmp(fmt, PG_DATASET_FORMAT)) {
        st = PG_ERR(PG_ERR_INPUT, "%s: not a phonograph dataset (format attribute \"%s\", expected "
                    "\"%s\")", path, fmt ? fmt : "missing", PG_DATASET_FORMAT);
    } else if (pg_h5_attr_read(f, "/", "format_version", PG_H5_I64, 1, &version) != PG_OK ||
               version != PG_DATASET_VERSION) {
        st = PG_ERR(PG_ERR_INPUT, "%s: dataset format version %lld, this phonograph reads version %d",
                    path, (long long)version, PG_DATASET_VERSION);
    }
    free(fmt);
    pg_h5_close(&f);
    return st;
}

pg_status_t pg_dataset_open_resume(const char *path, MPI_Comm comm, const pg_dataset_meta_t *m,
                                   pg_dataset_t **out)
{
    pg_status_t st = PG_OK;
    pg_dataset_t *ds = NULL;
    char *fp = NULL;
    *out = NULL;
    /* format check on rank 0 only (serial open), agreed */
    if (comm == MPI_COMM_NULL || pg_par_rank(comm) == 0) st = pg_dataset_check_format(path);
    if (comm != MPI_COMM_NULL) PG_CHECK(pg_par_agree(comm, &st));
    if (st != PG_OK) return st;
    PG_TRY_CALLOC(ds, 1, "dataset");
    ds->comm = comm;
    ds->n_config = m->n_config;
    ds->n_atom = m->n_atom;
    PG_TRY(pg_h5_open(path, PG_H5_RDWR, comm, &ds->f));
    char want[32];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)m->fingerprint);
    int64_t seed = 0, nc = 0, na = 0;
    PG_TRY(pg_h5_attr_read_string(ds->f, "/", "deck_fingerprint", &fp));
    PG_TRY(pg_h5_attr_read(ds->f, "/", "seed", PG_H5_I64, 1, &seed));
    PG_TRY(pg_h5_attr_read(ds->f, "/", "n_config", PG_H5_I64, 1, &nc));
    PG_TRY(pg_h5_attr_read(ds->f, "/", "n_atom", PG_H5_I64, 1, &na));
    PG_TRY_REQUIRE(strcmp(fp, want) == 0 && (uint64_t)seed == m->seed, PG_ERR_INPUT,
                   "%s was written by a different deck or seed (fingerprint %s, seed %lld; this "
                   "deck: fingerprint %s, seed %llu): refusing to mix them; use another output "
                   "file or delete it",
                   path, fp, (long long)seed, want, (unsigned long long)m->seed);
    if (pg_sampler_opts(m->sampler)->kind == PG_SAMPLE_PHONON) {
        char *con = NULL;
        const char *mo = "/provenance/modes", *want_con = construction_of(m->sampler);
        if (pg_h5_attr_exists(ds->f, mo, "construction"))
            PG_TRY(pg_h5_attr_read_string(ds->f, mo, "construction", &con));
        const int same = con && strcmp(con, want_con) == 0;
        free(con);
        PG_TRY_REQUIRE(same, PG_ERR_INPUT,
                       "%s was written by another phonon-sampler construction (this one: %s): "
                       "its configurations would not continue the same sequence; refusing to "
                       "mix them; use another output file or delete it", path, want_con);
    }
    PG_TRY_REQUIRE(nc == m->n_config && na == m->n_atom, PG_ERR_INPUT,
                   "%s holds %lld configurations of %lld atoms, this deck asks for %lld of %lld",
                   path, (long long)nc, (long long)na, (long long)m->n_config,
                   (long long)m->n_atom);
    free(fp);
    *out = ds;
    return PG_OK;
cleanup:
    free(fp);
    if (ds) pg_h5_close(&ds->f);
    free(ds);
    return st;
}

pg_status_t pg_dataset_write_batch(pg_dataset_t *ds, const pg_dataset_batch_t *b)
{
    const int64_t first = b ? b->first : 0, n = b ? b->n : 0;
    for (int k = 0; k < N_FIELDS; k++)
        PG_CHECK(pg_h5_write_rows(ds->f, fields[k].path, fields[k].type, first, n,
                                  b ? member_ptr(b, &fields[k]) : NULL));
    return PG_OK;
}

pg_status_t pg_dataset_mark_done(pg_dataset_t *ds, int64_t first, int64_t n)
{
    pg_status_t st = PG_OK;
    uint8_t *ones = NULL;
    PG_TRY_CALLOC(ones, n > 0 ? n : 1, "completion flags");
    memset(ones, 1, (size_t)(n > 0 ? n : 1));
    PG_TRY(pg_h5_write_rows(ds->f, "/completed", PG_H5_U8, first, n, ones));
cleanup:
    free(ones);
    return st;
}

pg_status_t pg_dataset_flush(pg_dataset_t *ds) { return pg_h5_flush(ds->f); }

pg_status_t pg_dataset_read_done(pg_dataset_t *ds, uint8_t *done)
{
    /* every rank reads the whole mask (a collective read of the same rows) */
    return pg_h5_read_rows(ds->f, "/completed", PG_H5_U8, 0, ds->n_config, done);
}

pg_status_t pg_dataset_set_stat(pg_dataset_t *ds, const char *name, int64_t value)
{
    return pg_h5_attr_write(ds->f, "/", name, PG_H5_I64, 1, &value);
}

pg_status_t pg_dataset_close(pg_dataset_t **dsp)
{
    if (!dsp || !*dsp) return PG_OK;
    pg_status_t st = pg_h5_close(&(*dsp)->f);
    free(*dsp);
    *dsp = NULL;
    return st;
}
