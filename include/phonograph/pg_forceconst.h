/* pg_forceconst.h - second-order force constants in phonopy's layouts and file formats.
 *
 * Φ_ab(k, k') = ∂²E / ∂u_ka ∂u_k'b in eV/Å², supercell atoms k, k' in phonopy's supercell
 * order (the order of SPOSCAR). Two layouts, both phonopy's:
 *   full    : n_row = n_super rows, row r is supercell atom r           ([n_s][n_s][3][3])
 *   compact : n_row = n_prim rows, row i is supercell atom p2s[i]       ([n_p][n_s][3][3])
 * phi[(r * n_super + k)][a][b] = Φ_ab(row_atom(r), k). In both layouts `p2s` lists the supercell
 * atom of every row (identity for full), so code can address any stored row the same way.
 *
 * Files (phonopy 2.17 formats, so phonopy reads ours and we read phonopy's):
 *   FORCE_CONSTANTS text: first line "n_row n_s"; then for each row r and column k a line
 *     "row_atom+1 k+1" followed by 3 lines of 3 reals (Φ_xa, Φ_ya, Φ_za rows). Compact files
 *     have n_row < n_s and row_atom = p2s[r] (the first index names the supercell atom).
 *   force_constants.hdf5: dataset `force_constants` [n_row][n_s][3][3] (float64), optional
 *     `p2s_map` [n_row] (int, required when n_row < n_s), `physical_unit` "eV/angstrom^2".
 * Readers check shapes, counts, index lines, finiteness, and (if n_super_expected > 0) that the
 * file matches the supercell; errors are PG_ERR_INPUT naming path[:line].
 *
 * Plain value struct: pg_fc_init / pg_fc_free (accepts a zeroed struct). Not collective.
 */
#ifndef PG_FORCECONST_H
#define PG_FORCECONST_H

#include <stdint.h>
#include <stdio.h>

#include "phonograph/pg_status.h"

typedef struct {
    int64_t n_row;        /* stored rows: n_super (full) or n_prim (compact) */
    int64_t n_super;      /* supercell atoms (columns) */
    int64_t *p2s;         /* [n_row] supercell atom of each stored row (identity for full) */
    double (*phi)[3][3];  /* [n_row * n_super][3][3], eV/Å² */
} pg_fc_t;

/* Allocate a zeroed FC with n_row rows and n_super columns; p2s set to identity when
 * n_row == n_super, else to 0..n_row-1 (caller sets it). Old content is not freed. */
pg_status_t pg_fc_init(pg_fc_t *fc, int64_t n_row, int64_t n_super);
void pg_fc_free(pg_fc_t *fc);
pg_status_t pg_fc_copy(pg_fc_t *dst, const pg_fc_t *src);
static inline int pg_fc_is_full(const pg_fc_t *fc) { return fc->n_row == fc->n_super; }

/* Block Φ(row r, column k) (r is the stored-row index, not the atom index). */
static inline double (*pg_fc_block(const pg_fc_t *fc, int64_t r, int64_t k))[3]
{
    return fc->phi[r * fc->n_super + k];
}
/* Stored-row index of supercell atom k, or -1 if not stored (compact FC). */
int64_t pg_fc_row_of_atom(const pg_fc_t *fc, int64_t k);

/* ---- files ---- */
/* Read FORCE_CONSTANTS text (full or compact). n_super_expected > 0 checks the column count
 * (the supercell atom count) and the row atoms' range. */
pg_status_t pg_fc_read_text(const char *path, int64_t n_super_expected, pg_fc_t *fc);
/* Parse FORCE_CONSTANTS text already in memory (path is only for messages). */
pg_status_t pg_fc_parse_text(const char *path, const char *text, int64_t n_super_expected,
                             pg_fc_t *fc);
pg_status_t pg_fc_write_text(const char *path, const pg_fc_t *fc);
/* force_constants.hdf5 (serial I/O on this rank). */
pg_status_t pg_fc_read_hdf5(const char *path, int64_t n_super_expected, pg_fc_t *fc);
pg_status_t pg_fc_write_hdf5(const char *path, const pg_fc_t *fc);
/* Read by format name: "text" | "hdf5" | "auto" (by extension .hdf5/.h5, else text). */
pg_status_t pg_fc_read(const char *path, const char *format, int64_t n_super_expected,
                       pg_fc_t *fc);

/* ---- layout conversions ---- */
/* Keep the rows of the primitive atoms p2s[0..n_p-1] (from a full FC or a compact FC that
 * holds them). */
pg_status_t pg_fc_to_compact(const pg_fc_t *fc, int64_t n_p, const int64_t *p2s, pg_fc_t *out);
/* Expand to full with the pure translations of the supercell:
 * Φ(T(i), T(k)) = Φ(i, k). frac_pos [n_s][3] are supercell fractional coordinates, s2p [n_s]
 * the supercell atom (p2s member) each atom is a translation image of. symprec in fractional
 * units of the supercell (e.g. 1e-5). */
pg_status_t pg_fc_to_full(const pg_fc_t *fc, const double (*frac_pos)[3], const int64_t *s2p,
                          double symprec, pg_fc_t *out);
/* Check every stored element is finite (path for the message). */
pg_status_t pg_fc_check_finite(const pg_fc_t *fc, const char *path);

/* ---- symmetrisation (each returns the size of the correction, max |ΔΦ| in eV/Å²) ---- */
/* Translational acoustic sum rule: Σ_k Φ(i,k) = 0 for every stored row i, by removing the
 * row drift (spread evenly over the n_s columns; phonopy's row step). For a full FC the
 * column sums are made zero too (phonopy's level-1 translational step, rows then columns). */
void pg_fc_asr(pg_fc_t *fc, double *max_change);
/* Index permutation Φ_ab(k,k') = Φ_ba(k',k) (full FC only; PG_ERR_INPUT on compact). */
pg_status_t pg_fc_symmetrize_permutation(pg_fc_t *fc, double *max_change);
/* phonopy's level-1 symmetrisation of a full FC: ASR (rows, columns) then permutation;
 * n_iter passes. max_change = largest |ΔΦ| over all steps. */
pg_status_t pg_fc_symmetrize(pg_fc_t *fc, int n_iter, double *max_change);
/* Space-group symmetrisation: average Φ over the supercell's symmetry operations,
 * Φ(R(k), R(k')) = R Φ(k, k') Rᵀ. rot_cart [n_op][3][3] are Cartesian rotations and
 * perm [n_op][n_s] the atom permutation of each operation (atom k goes to perm[op][k]).
 * Full FC only. max_change as above. */
pg_status_t pg_fc_symmetrize_spacegroup(pg_fc_t *fc, int n_op, const double (*rot_cart)[3][3],
                                        const int64_t *perm, double *max_change);

#endif
