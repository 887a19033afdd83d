/* run_keys.c - deck tables and cross-key checks of the sections the run driver owns:
 * [run] (output, seed, logging, which stages, wall-time budget) and [structure] (unit cell,
 * supercell, primitive cell, symmetry tolerance). Listed in src/core/deck_keys.c. */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "phonograph/pg_deck.h"
#include "phonograph/pg_run.h"

#define NOLIMIT 1.0, 0.0 /* min > max: no range check */

const pg_deck_key_t pg_deck_keys_run[] = {
    {"run", "output_dir", PG_DECK_PATH, "output", NOLIMIT, 0, 0, NULL, NULL,
     "directory for every file of the run (created; relative to the deck's directory)"},
    {"run", "seed", PG_DECK_INT, "20251115", 0, 9007199254740991.0, 0, 0, NULL, NULL,
     "master seed of every random stream (Philox keyed by seed and stream tag)"},
    {"run", "log_level", PG_DECK_CHOICE, "info", NOLIMIT, 0, 0, NULL, "error|warn|info|debug",
     "terminal/log verbosity (rank 0); the log is also written to <output_dir>/phonograph.log"},
    {"run", "stages", PG_DECK_WORDS, "all", NOLIMIT, 1, 0, NULL, NULL,
     "stages to run, in pipeline order (`all` = every stage; see phonograph run --help)"},
    {"run", "restart", PG_DECK_BOOL, "true", NOLIMIT, 0, 0, NULL, NULL,
     "skip stages completed earlier in output_dir by the same deck (false: redo them)"},
    {"run", "wall_time", PG_DECK_REAL, "0", 0, 1e9, 0, 0, "s", NULL,
     "wall-time budget; no new stage starts after it (0 = unlimited); `2 h`, `90 min` accepted"},
    {"run", "np", PG_DECK_INT, "0", 0, 1048576, 0, 0, NULL, NULL,
     "MPI ranks this deck is sized for (a run on another count logs a warning); 0 = any"},
    PG_DECK_KEYS_END,
};

const pg_deck_key_t pg_deck_keys_structure[] = {
    {"structure", "unitcell", PG_DECK_PATH, NULL, NOLIMIT, 0, 0, NULL, NULL,
     "VASP 5 POSCAR of the unit cell"},
    {"structure", "supercell", PG_DECK_INTS, "1 1 1", -1000, 1000, 3, 9, NULL, "3|9",
     "supercell matrix M exactly as phonopy's --dim / supercell_matrix: 3 integers (diagonal) or 9 (M row by "
     "row; (a_s b_s c_s) = (a b c) M, so column j of M is supercell vector j in unit-cell coordinates)"},
    {"structure", "primitive", PG_DECK_REALS, "auto", -1000, 1000, 9, 9, NULL,
     "auto|none|P|F|I|A|C|R",
     "primitive axes P as phonopy's --pa: `auto` (from spglib), `none` (the unit cell), a "
     "centring letter of the unit cell, or 9 reals (P row by row as phonopy reads them; (a_p b_p c_p) = (a b c) P, "
     "column j = primitive vector j; fractions like 1/2 allowed)"},
    {"structure", "symprec", PG_DECK_REAL, "1e-5", 1e-10, 1.0, 0, 0, "Å", NULL,
     "distance tolerance of the symmetry search (spglib symprec)"},
    PG_DECK_KEYS_END,
};

/* [structure]: the supercell matrix must be non-singular with positive determinant (a
 * diagonal one: positive entries); primitive axes must be non-singular */
void pg_run_check_structure(const pg_deck_t *d, pg_deck_report_t *r)
{
    const int64_t *s = NULL;
    int n = 0;
    if (pg_deck_get_ints(d, "structure", "supercell", &s, &n) == PG_OK && s) {
        if (n == 3) {
            if (s[0] < 1 || s[1] < 1 || s[2] < 1)
                pg_deck_report(r, "structure", "supercell",
                               "supercell as 3 integers is the diagonal: each must be >= 1, found "
                               "%lld %lld %lld",
                               (long long)s[0], (long long)s[1], (long long)s[2]);
        } else if (n == 9) {
            long long det = s[0] * (s[4] * s[8] - s[5] * s[7]) - s[1] * (s[3] * s[8] - s[5] * s[6]) +
                            s[2] * (s[3] * s[7] - s[4] * s[6]);
            if (det <= 0)
                pg_deck_report(r, "structure", "supercell",
                               "supercell matrix must have a positive determinant, found %lld", det);
        }
    }
    const double *p = NULL;
    if (pg_deck_get_reals(d, "structure", "primitive", &p, &n) == PG_OK && p && n == 9) {
        double det = p[0] * (p[4] * p[8] - p[5] * p[7]) - p[1] * (p[3] * p[8] - p[5] * p[6]) +
                     p[2] * (p[3] * p[7] - p[4] * p[6]);
        if (!(fabs(det) > 1e-8))
            pg_deck_report(r, "structure", "primitive",
                           "primitive axes must be non-singular, found determinant %g", det);
    }
}
