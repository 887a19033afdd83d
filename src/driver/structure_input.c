/* structure_input.c - [structure] supercell / primitive as phonopy matrices (structure_input.h). */
#include "driver/structure_input.h"

#include <math.h>
#include <string.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_supercell.h"

pg_status_t pg_structure_supercell_matrix(const pg_deck_t *d, int m[3][3])
{
    const int64_t *s = NULL;
    int n = 0;
    PG_CHECK(pg_deck_get_ints(d, "structure", "supercell", &s, &n));
    PG_REQUIRE(n == 3 || n == 9, PG_ERR_INTERNAL, "supercell with %d integers passed the deck", n);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) m[i][j] = n == 3 ? (i == j ? (int)s[i] : 0) : (int)s[3 * i + j];
    return PG_OK;
}

int pg_structure_primitive_is_auto(const pg_deck_t *d)
{
    const double *p = NULL;
    const char *w = NULL;
    int n = 0;
    if (pg_deck_get_reals(d, "structure", "primitive", &p, &n) != PG_OK || n == 9) return 0;
    return pg_deck_get_string(d, "structure", "primitive", &w) == PG_OK && w && strcmp(w, "auto") == 0;
}

pg_status_t pg_structure_primitive_matrix(const pg_deck_t *d, const pg_symmetry_t *unit_sym,
                                          double pmat[3][3])
{
    const double *p = NULL;
    int n = 0;
    double out[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    PG_CHECK(pg_deck_get_reals(d, "structure", "primitive", &p, &n));
    if (n == 9) {
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) out[i][j] = p[3 * i + j];
    } else {
        const char *w = NULL;
        PG_CHECK(pg_deck_get_string(d, "structure", "primitive", &w));
        if (strcmp(w, "auto") == 0) {
            PG_REQUIRE(unit_sym, PG_ERR_INTERNAL, "primitive = auto needs the unit cell's symmetry");
            double pc[3][3], tinv[3][3];
            char letter[2] = {unit_sym->international[0], '\0'};
            PG_CHECK(pg_primitive_matrix_parse(letter, pc));
            PG_CHECK(pg_mat3_inverse(unit_sym->transformation_matrix, tinv));
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) {
                    double v = 0;
                    for (int k = 0; k < 3; k++) v += tinv[i][k] * pc[k][j];
                    out[i][j] = fabs(v - round(v * 12) / 12) < 1e-10 ? round(v * 12) / 12 : v;
                }
        } else if (strcmp(w, "none") != 0) {
            PG_CHECK(pg_primitive_matrix_parse(w, out)); /* centring letter */
        }
    }
    memcpy(pmat, out, sizeof out);
    return PG_OK;
}
