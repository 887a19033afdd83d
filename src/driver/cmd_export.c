/* cmd_export.c - `phonograph export DECK`: every completed configuration of the deck's dataset
 * as a VASP POSCAR in <output_dir>/export/config_NNNNNN/ (NNNNNN = configuration index), for
 * external DFT labels with jobscripts/dft_array.slurm (one array task per directory), and all of
 * them in <output_dir>/export/configs.extxyz with the info key config_index (for ASE workflows;
 * `phonograph import` maps frames back by that key). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "phonograph/pg_cli.h"
#include "phonograph/pg_dataset.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_element.h"
#include "phonograph/pg_extxyz.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"

static const char *const export_help =
    "usage: phonograph export DECK\n\n"
    "Write every completed configuration of <output_dir>/<[sample] output> as a VASP POSCAR in\n"
    "<output_dir>/export/config_NNNNNN/POSCAR (NNNNNN = configuration index) and print the\n"
    "sbatch line for jobscripts/dft_array.slurm (one array task per configuration). The ranks\n"
    "share the configurations by index. The same configurations also go to\n"
    "<output_dir>/export/configs.extxyz (ASE's extxyz, info key config_index=N on every frame) for\n"
    "ASE-driven workflows: keep atoms.info['config_index'] when writing the results. Read the\n"
    "results back with `phonograph import DECK <output_dir>/export` (vasprun.xml in each\n"
    "directory) or `phonograph import DECK FILE.extxyz`.\n";

static pg_status_t make_dir(const char *p)
{
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        return PG_ERR(PG_ERR_IO, "cannot create directory %s: %s", p, strerror(errno));
    return PG_OK;
}

pg_status_t pg_cmd_export(MPI_Comm comm, int argc, char **argv)
{
    const int rank = pg_par_rank(comm), size = pg_par_size(comm);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        if (rank == 0) fputs(export_help, stdout);
        return PG_OK;
    }
    PG_REQUIRE(argc == 2, PG_ERR_INPUT, "usage: phonograph export DECK (see --help)");
    pg_status_t st = PG_OK;
    pg_deck_t *d = NULL;
    pg_h5_t *f = NULL;
    pg_cell_t cell = {0};
    uint8_t *done = NULL;
    double *cells = NULL, *pos = NULL;
    int32_t *species = NULL;
    char path[4096], dir[4096];
    PG_CHECK(pg_deck_read(comm, argv[1], &d));
    const char *out = NULL, *name = NULL;
    PG_TRY(pg_deck_get_string(d, "run", "output_dir", &out));
    PG_TRY(pg_deck_get_string(d, "sample", "output", &name));
    snprintf(path, sizeof path, "%s/%s", out, name);
    snprintf(dir, sizeof dir, "%s/export", out);
    if (rank == 0) {
        st = pg_dataset_check_format(path);
        if (st == PG_OK) st = make_dir(dir);
    }
    {
        pg_status_t agreed = st;
        PG_TRY(pg_par_agree(comm, &agreed));
        PG_TRY(agreed);
    }
    int64_t n_config = 0, n_atom = 0;
    st = pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &f);
    if (st == PG_OK) st = pg_h5_attr_read(f, "/", "n_config", PG_H5_I64, 1, &n_config);
    if (st == PG_OK) st = pg_h5_attr_read(f, "/", "n_atom", PG_H5_I64, 1, &n_atom);
    int64_t n_written = 0, n_skipped = 0;
    if (st == PG_OK) {
        done = calloc((size_t)n_config + 1, 1);
        cells = malloc(sizeof(double) * 9);
        pos = malloc(sizeof(double) * 3 * (size_t)n_atom);
        species = malloc(sizeof(int32_t) * (size_t)n_atom);
        if (!done || !cells || !pos || !species) st = PG_ERR(PG_ERR_NOMEM, "out of memory");
    }
    if (st == PG_OK) st = pg_h5_read(f, "/completed", PG_H5_U8, done);
    if (st == PG_OK) st = pg_cell_init(&cell, n_atom);
    for (int64_t c = rank; c < n_config && st == PG_OK; c += size) {
        if (!done[c]) {
            n_skipped++;
            continue;
        }
        st = pg_h5_read_rows(f, "/configs/cell", PG_H5_F64, c, 1, cells);
        if (st == PG_OK) st = pg_h5_read_rows(f, "/configs/positions", PG_H5_F64, c, 1, pos);
        if (st == PG_OK) st = pg_h5_read_rows(f, "/configs/species", PG_H5_I32, c, 1, species);
        if (st != PG_OK) break;
        memcpy(cell.lattice, cells, sizeof cell.lattice);
        memcpy(cell.pos, pos, sizeof(double) * 3 * (size_t)n_atom);
        for (int64_t k = 0; k < n_atom; k++) {
            cell.z[k] = species[k];
            cell.mass[k] = pg_element_mass(species[k]);
        }
        char cdir[4200], file[4300], comment[128];
        snprintf(cdir, sizeof cdir, "%s/config_%06lld", dir, (long long)c);
        snprintf(file, sizeof file, "%s/POSCAR", cdir);
        snprintf(comment, sizeof comment, "phonograph configuration %lld of %s", (long long)c, name);
        st = make_dir(cdir);
        if (st == PG_OK) st = pg_poscar_write(file, &cell, comment, 1);
        n_written++;
    }
    {
        pg_status_t agreed = st;
        PG_TRY(pg_par_agree(comm, &agreed));
        PG_TRY(agreed);
    }
    if (rank == 0) { /* the same configurations as one extxyz file, in index order */
        char xyz[4200];
        snprintf(xyz, sizeof xyz, "%s/configs.extxyz", dir);
        FILE *fx = fopen(xyz, "w");
        if (!fx) st = PG_ERR(PG_ERR_IO, "cannot create %s: %s", xyz, strerror(errno));
        pg_extxyz_frame_t fr;
        pg_extxyz_frame_init(&fr);
        if (st == PG_OK) st = pg_cell_init(&fr.cell, n_atom);
        for (int64_t c = 0; c < n_config && st == PG_OK; c++) {
            if (!done[c]) continue;
            char idx[32];
            snprintf(idx, sizeof idx, "%lld", (long long)c);
            st = pg_h5_read_rows(f, "/configs/cell", PG_H5_F64, c, 1, cells);
            if (st == PG_OK) st = pg_h5_read_rows(f, "/configs/positions", PG_H5_F64, c, 1, pos);
            if (st == PG_OK) st = pg_h5_read_rows(f, "/configs/species", PG_H5_I32, c, 1, species);
            if (st != PG_OK) break;
            memcpy(fr.cell.lattice, cells, sizeof fr.cell.lattice);
            memcpy(fr.cell.pos, pos, sizeof(double) * 3 * (size_t)n_atom);
            for (int64_t k = 0; k < n_atom; k++) fr.cell.z[k] = species[k];
            for (int k = 0; k < fr.n_info; k++) {
                free(fr.info[k].key);
                free(fr.info[k].value);
            }
            fr.n_info = 0;
            st = pg_extxyz_frame_add_info(&fr, "config_index", idx);
            if (st == PG_OK) st = pg_extxyz_fwrite(fx, xyz, &fr, 1);
        }
        pg_extxyz_frame_free(&fr);
        if (fx && fclose(fx) != 0 && st == PG_OK) st = PG_ERR(PG_ERR_IO, "closing %s: %s", xyz, strerror(errno));
    }
    {
        pg_status_t agreed = st;
        PG_TRY(pg_par_agree(comm, &agreed));
        PG_TRY(agreed);
    }
    PG_TRY(pg_par_sum_int64(comm, &n_written, 1));
    PG_TRY(pg_par_sum_int64(comm, &n_skipped, 1));
    if (rank == 0) {
        printf("exported %lld configurations to %s/config_NNNNNN/POSCAR (%lld not completed, "
               "skipped)\n", (long long)n_written, dir, (long long)n_skipped);
        /* the array covers exactly the exported (completed) indices, as ranges a-b,c,... */
        printf("submit: sbatch --array=");
        int first = 1;
        for (int64_t c = 0; c < n_config; c++) {
            if (!done[c]) continue;
            int64_t e = c;
            while (e + 1 < n_config && done[e + 1]) e++;
            if (e > c) printf("%s%lld-%lld", first ? "" : ",", (long long)c, (long long)e);
            else printf("%s%lld", first ? "" : ",", (long long)c);
            first = 0;
            c = e;
        }
        printf("%s%%50 jobscripts/dft_array.slurm %s\n", first ? "none" : "", dir);
        printf("also as extxyz (info config_index): %s/configs.extxyz; afterwards: phonograph import "
               "DECK %s\n", dir, dir);
    }
cleanup:
    pg_h5_close(&f);
    pg_cell_free(&cell);
    free(done);
    free(cells);
    free(pos);
    free(species);
    pg_deck_destroy(&d);
    return st;
}
