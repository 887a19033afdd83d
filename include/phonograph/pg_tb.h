/* pg_tb.h - tight-binding model TB-CAP-1: band gap, VBM and CBM of a periodic cell at Γ.
 *
 * Orthogonal two-centre Slater–Koster model (../shared/physics/LABELER.md §5): Ag s+d,
 * anion (S, Se, Br, I) s+p, Harrison's universal hopping laws with per-pair scales, a smooth
 * cosine cutoff between 4.0 and 4.5 Å, spin degenerate, no SOC, not self-consistent. The
 * Γ-point Hamiltonian of a (super)cell sums the hopping blocks of all periodic images within
 * 4.5 Å into the same matrix element (images of an atom itself included), so H is real
 * symmetric. With N_occ = (number of valence electrons)/2:
 *     VBM = ε_{N_occ},  CBM = ε_{N_occ+1},  gap = CBM − VBM    (1-based, ascending).
 * Energies in eV on the model's own absolute scale; lengths in Å.
 *
 * Orbital order per atom: Ag: s, d_xy, d_yz, d_zx, d_{x²−y²}, d_{3z²−r²} (6);
 * S, Se, Br, I: s, p_x, p_y, p_z (4). Atoms are numbered as in the cell; orbital offsets
 * follow the atom order.
 *
 * Eigen-solvers: a group of one rank uses LAPACK (dsyevr with an index range, or dsyevd,
 * chosen by a measured size threshold); a group of several ranks uses ScaLAPACK pdsyevr with
 * an index range on a BLACS grid made from the group communicator.
 */
#ifndef PG_TB_H
#define PG_TB_H

#include <mpi.h>
#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_neighbor.h"
#include "phonograph/pg_status.h"

/* species of the model, in this order (index of the character arrays below) */
enum { PG_TB_AG = 0, PG_TB_S, PG_TB_SE, PG_TB_BR, PG_TB_I, PG_TB_N_SPECIES };
/* angular momenta (index of the character arrays) */
enum { PG_TB_L_S = 0, PG_TB_L_P, PG_TB_L_D, PG_TB_N_L };
#define PG_TB_MAX_ORB 6           /* orbitals per atom, at most (Ag) */
#define PG_TB_CUTOFF_ANG 4.5      /* r2 of the smooth cutoff: neighbour-list cutoff */
#define PG_TB_MIN_DIST_ANG 1.0    /* atoms closer than this are rejected (LABELER.md §6.1) */
#define PG_TB_METALLIC_EV 1e-6    /* gap below which a configuration is flagged metallic */

/* Serial eigen-solver. AUTO: dsyevr (index range) when n_orb >= evr_min_dim, else dsyevd. */
typedef enum { PG_TB_SOLVER_AUTO = 0, PG_TB_SOLVER_EVR, PG_TB_SOLVER_EVD } pg_tb_solver_t;

typedef struct {
    pg_tb_solver_t solver;   /* group of one rank: which LAPACK driver (default AUTO) */
    int64_t evr_min_dim;     /* AUTO threshold on the matrix dimension (bench/tb.sh) */
    int64_t block_size;      /* ScaLAPACK block size nb (groups of > 1 rank) */
    int force_scalapack;     /* 1: use ScaLAPACK even on a group of one rank (tests) */
    int want_character;      /* 1: also compute the band-edge orbital character */
    double degen_tol_ev;     /* states within this of a band edge form its multiplet */
} pg_tb_options_t;

/* Defaults: AUTO, evr_min_dim = PG_TB_EVR_MIN_DIM, nb = 64, no character,
 * tol 1e-6 eV. dsyevr (index range, eigenvalues only) beat dsyevd (all eigenvalues) by
 * 1.15-1.5x for every TB matrix from n = 52 (1x1x2 cell) to 1664 (4x4x4) and tied at n = 26
 * (bench/tb.sh, docs/performance.md "Tight binding"), hence the threshold 40. */
#define PG_TB_EVR_MIN_DIM 40
void pg_tb_options_default(pg_tb_options_t *opt);

/* Deck section [tightbinding] (keys: solver, evr_min_dim, block_size, character); the table
 * is listed in src/core/deck_keys.c. The group size (ranks per configuration) is
 * [labeler] tb_group_size: the driver splits the communicator, this module uses the group it
 * is given. */
extern const pg_deck_key_t pg_deck_keys_tightbinding[];
/* Options from the deck (defaults filled by the deck). Not collective.
 * Errors: PG_ERR_INTERNAL if the table and this function disagree. */
pg_status_t pg_tb_options_from_deck(const pg_deck_t *deck, pg_tb_options_t *opt);

typedef struct {
    int64_t n_atom, n_orb;   /* atoms; matrix dimension (orbitals) */
    int64_t n_electron;      /* valence electrons counted (Ag 11, S/Se 6, Br/I 7) */
    int64_t n_occ;           /* doubly occupied states = n_electron / 2 */
    int64_t n_hop;           /* directed neighbour pairs that carried a hopping block */
    double vbm_ev, cbm_ev, gap_ev;
    int near_metallic;       /* 1 if gap_ev < PG_TB_METALLIC_EV (numbers still reported) */
    const char *solver;      /* "dsyevr", "dsyevd" or "pdsyevr" (static string) */
    /* Band-edge character (only if want_character): summed |c|² by species and l, averaged
     * over the edge multiplet (VBM: states i <= N_occ with ε_i > VBM − tol; CBM: states
     * i > N_occ with ε_i < CBM + tol), so degenerate edges give a basis-independent number.
     * Each array sums to 1. */
    int has_character;
    int vbm_multiplicity, cbm_multiplicity;
    double vbm_character[PG_TB_N_SPECIES][PG_TB_N_L];
    double cbm_character[PG_TB_N_SPECIES][PG_TB_N_L];
} pg_tb_result_t;

/* Model species index of atomic number z (PG_TB_AG..PG_TB_I), or -1 if z is not in the
 * model. */
int pg_tb_species(int z);
/* Number of orbitals of atomic number z (6 or 4), 0 if not in the model. */
int pg_tb_n_orbitals(int z);

/* Onsite energies (eV) of the orbitals of atomic number z, in the orbital order above;
 * *n_orb receives their number. Errors: PG_ERR_INPUT for a species outside the model. */
pg_status_t pg_tb_onsite(int z, double eps[PG_TB_MAX_ORB], int *n_orb);

/* Slater–Koster hopping block M_AB(d) = <orbital a of atom A at 0 | H | orbital b of atom B
 * at d>, rows = orbitals of A (z_a), columns = orbitals of B (z_b), d = r_B − r_A (Å).
 * Includes the per-pair scale and the smooth cutoff; pairs without hopping (anion–anion) or
 * |d| >= 4.5 Å give a zero block. block[a][b] for a < n_a, b < n_b; the rest is zeroed.
 * M_AB(d) = M_BA(−d)ᵀ holds exactly. Not collective; thread-safe.
 * Errors: PG_ERR_INPUT for species outside {Ag, S, Se, Br, I} or |d| == 0. */
pg_status_t pg_tb_sk_block(int z_a, int z_b, const double d[3],
                           double block[PG_TB_MAX_ORB][PG_TB_MAX_ORB], int *n_a, int *n_b);

/* Dense Γ-point Hamiltonian of cell from a neighbour list nl of cell with cutoff >= 4.5 Å
 * (directed edges, both directions present, as pg_neighbor_build gives): h[n_orb][n_orb]
 * row-major (= column-major, H is symmetric), caller-allocated, overwritten.
 * offsets[n_atom+1] (optional, may be NULL) receives the orbital offset of each atom.
 * Errors: PG_ERR_INPUT (species, atoms closer than 1 Å, list cutoff too small). */
pg_status_t pg_tb_hamiltonian(const pg_cell_t *cell, const pg_neighbor_t *nl, double *h,
                              int64_t *offsets);

/* Matrix dimension and electron count of cell. Errors: PG_ERR_INPUT for species outside
 * the model. */
pg_status_t pg_tb_count(const pg_cell_t *cell, int64_t *n_orb, int64_t *n_electron);

/* Band edges of cell from a prebuilt neighbour list (cutoff >= 4.5 Å). Collective on group:
 * every rank of group passes the same cell and list; every rank returns the same result.
 * A group of one rank (e.g. MPI_COMM_SELF) solves with LAPACK; larger groups with ScaLAPACK.
 * opt may be NULL (defaults). Errors (agreed over group): PG_ERR_INPUT (species outside
 * {Ag,S,Se,Br,I}, odd electron count, atoms closer than 1 Å, N_occ+1 > n_orb),
 * PG_ERR_NOMEM, PG_ERR_NUMERIC, PG_ERR_MPI. */
pg_status_t pg_tb_band_edges_nl(const pg_cell_t *cell, const pg_neighbor_t *nl, MPI_Comm group,
                                const pg_tb_options_t *opt, pg_tb_result_t *out);

/* Same, building the neighbour list itself (pg_neighbor_build, cutoff 4.5 Å). */
pg_status_t pg_tb_band_edges(const pg_cell_t *cell, MPI_Comm group, const pg_tb_options_t *opt,
                             pg_tb_result_t *out);

#endif
