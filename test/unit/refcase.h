/* refcase.h - reader of the plain-text reference cases in test/data/potential/ (made by
 * test/data/potential/make_refs.py from ../shared/physics/reference.h5 and the spec's
 * prototype). Test-only; static functions, include once per test program. */
#ifndef PG_TEST_REFCASE_H
#define PG_TEST_REFCASE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_element.h"

typedef struct {
    char name[128];
    pg_cell_t cell;
    int has_forces, has_energy, has_stress, has_parts;
    double (*forces)[3];  /* [n_atom][3] eV/Å */
    double energy, energy_per_atom, energy_sr, energy_coulomb;
    double stress_gpa[3][3];
} refcase_t;

#define REFCASE_DIR "test/data/potential/"

static inline void refcase_free(refcase_t *rc)
{
    pg_cell_free(&rc->cell);
    free(rc->forces);
    memset(rc, 0, sizeof *rc);
}

/* 0 on success; prints why on failure. */
static inline int refcase_read(const char *name, refcase_t *rc)
{
    char path[512], line[1024];
    memset(rc, 0, sizeof *rc);
    snprintf(path, sizeof path, REFCASE_DIR "%s.txt", name);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    snprintf(rc->name, sizeof rc->name, "%s", name);
    int n_lat = 0;
    int64_t n_at = 0;
    double lat[3][3] = {{0}};
    while (fgets(line, sizeof line, f)) {
        char key[64];
        int off = 0;
        if (line[0] == '#' || sscanf(line, "%63s%n", key, &off) != 1) continue;
        const char *v = line + off;
        if (!strcmp(key, "lattice") && n_lat < 3) {
            double *r = lat[n_lat++];
            if (sscanf(v, "%lf %lf %lf", &r[0], &r[1], &r[2]) != 3) goto bad;
        } else if (!strcmp(key, "natom")) {
            long long n;
            if (sscanf(v, "%lld", &n) != 1 || pg_cell_init(&rc->cell, n) != PG_OK) goto bad;
            rc->forces = calloc((size_t)n, sizeof *rc->forces);
        } else if (!strcmp(key, "atom")) {
            char sym[8];
            double *p = rc->cell.pos[n_at], *fr = rc->forces[n_at];
            int k = sscanf(v, "%7s %lf %lf %lf %lf %lf %lf", sym, &p[0], &p[1], &p[2], &fr[0],
                           &fr[1], &fr[2]);
            if (k != 4 && k != 7) goto bad;
            if (k == 7) rc->has_forces = 1;
            if (pg_element_from_symbol(sym, &rc->cell.z[n_at]) != PG_OK) goto bad;
            n_at++;
        } else if (!strcmp(key, "energy")) {
            rc->has_energy = sscanf(v, "%lf", &rc->energy) == 1;
        } else if (!strcmp(key, "energy_per_atom")) {
            if (sscanf(v, "%lf", &rc->energy_per_atom) != 1) goto bad;
        } else if (!strcmp(key, "energy_sr")) {
            rc->has_parts = sscanf(v, "%lf", &rc->energy_sr) == 1;
        } else if (!strcmp(key, "energy_coulomb")) {
            if (sscanf(v, "%lf", &rc->energy_coulomb) != 1) goto bad;
        } else if (!strcmp(key, "stress_GPa")) {
            double *s = &rc->stress_gpa[0][0];
            rc->has_stress = sscanf(v, "%lf %lf %lf %lf %lf %lf %lf %lf %lf", s, s + 1, s + 2,
                                    s + 3, s + 4, s + 5, s + 6, s + 7, s + 8) == 9;
        }
    }
    fclose(f);
    if (n_lat != 3 || n_at != rc->cell.n_atom || n_at == 0) {
        fprintf(stderr, "%s: incomplete case\n", path);
        refcase_free(rc);
        return 1;
    }
    memcpy(rc->cell.lattice, lat, sizeof lat);
    pg_cell_set_default_masses(&rc->cell);
    return 0;
bad:
    fprintf(stderr, "%s: cannot parse: %s", path, line);
    fclose(f);
    refcase_free(rc);
    return 1;
}

/* The Pm-3m Ag3XY cell (LABELER.md §2.2; order Ag Ag Ag X Y) with lattice constant a. */
static inline int refcase_cubic(int zx, int zy, double a, pg_cell_t *cell)
{
    static const double frac[5][3] = {{0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}, {.5, .5, .5}, {0, 0, 0}};
    if (pg_cell_init(cell, 5) != PG_OK) return 1;
    for (int i = 0; i < 3; i++)
        for (int c = 0; c < 3; c++) cell->lattice[i][c] = i == c ? a : 0.0;
    for (int i = 0; i < 5; i++)
        for (int c = 0; c < 3; c++) cell->pos[i][c] = frac[i][c] * a;
    const int z[5] = {47, 47, 47, zx, zy};
    for (int i = 0; i < 5; i++) cell->z[i] = z[i];
    pg_cell_set_default_masses(cell);
    return 0;
}

#endif
