/* symmetry.c - the only file calling spglib (spg_*). Conventions in pg_symmetry.h.
 *
 * spglib takes the lattice as COLUMNS (lattice[i][j] = component i of vector j) and
 * fractional positions; our pg_cell_t has row vectors and Cartesian positions, converted here.
 */
#include "phonograph/pg_symmetry.h"

#include <math.h>
#include <spglib.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_element.h"
#include "phonograph/pg_par.h"

const char *pg_symmetry_spglib_version(void)
{
    static char buf[32];
    snprintf(buf, sizeof buf, "%d.%d.%d", spg_get_major_version(), spg_get_minor_version(),
             spg_get_micro_version());
    return buf;
}

static pg_status_t spg_error(const char *what)
{
    SpglibError e = spg_get_error_code();
    return PG_ERR(PG_ERR_INPUT, "symmetry search failed (%s): spglib: %s", what,
                  spg_get_error_message(e));
}

void pg_symmetry_free(pg_symmetry_t *sym)
{
    if (!sym) return;
    free(sym->rotations);
    free(sym->translations);
    free(sym->wyckoffs);
    free(sym->site_symmetry);
    free(sym->equivalent_atoms);
    free(sym->crystallographic_orbits);
    free(sym->mapping_to_primitive);
    pg_cell_free(&sym->primitive);
    pg_cell_free(&sym->conventional);
    memset(sym, 0, sizeof *sym);
}

/* allocate the per-op and per-atom arrays for the counts already in *sym */
static pg_status_t sym_alloc(pg_symmetry_t *sym)
{
    pg_status_t st = PG_OK;
    PG_TRY_CALLOC(sym->rotations, sym->n_ops, "symmetry rotations");
    PG_TRY_CALLOC(sym->translations, sym->n_ops, "symmetry translations");
    PG_TRY_CALLOC(sym->wyckoffs, sym->n_atom + 1, "Wyckoff letters");
    PG_TRY_CALLOC(sym->site_symmetry, sym->n_atom, "site symmetry symbols");
    PG_TRY_CALLOC(sym->equivalent_atoms, sym->n_atom, "equivalent atoms");
    PG_TRY_CALLOC(sym->crystallographic_orbits, sym->n_atom, "crystallographic orbits");
    PG_TRY_CALLOC(sym->mapping_to_primitive, sym->n_atom, "mapping to primitive");
cleanup:
    return st;
}

static void copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src);
    /* spglib pads some symbols with trailing blanks */
    for (size_t k = strlen(dst); k > 0 && dst[k - 1] == ' '; k--) dst[k - 1] = '\0';
}

/* cell from a spglib column lattice + fractional positions + types */
static pg_status_t cell_from_spg(const double lat_cols[3][3], const double (*frac)[3],
                                 const int *types, int n, pg_cell_t *cell)
{
    double rows[3][3]; /* a local copy also avoids a GCC 12 -Wstringop-overflow false positive */
    PG_CHECK(pg_cell_init(cell, n));
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) rows[i][j] = cell->lattice[i][j] = lat_cols[j][i];
    for (int k = 0; k < n; k++) {
        pg_cell_frac_to_cart(rows, frac[k], cell->pos[k]);
        cell->z[k] = types[k];
        cell->mass[k] = pg_element_mass(types[k]);
    }
    return PG_OK;
}

pg_status_t pg_symmetry_find(const pg_cell_t *cell, double symprec, pg_symmetry_t *sym)
{
    pg_status_t st = PG_OK;
    SpglibDataset *ds = NULL;
    double (*frac)[3] = NULL;
    double (*pfrac)[3] = NULL;
    int *ptypes = NULL;
    memset(sym, 0, sizeof *sym);
    PG_REQUIRE(symprec > 0, PG_ERR_INPUT, "symprec must be > 0 Å, found %g", symprec);
    PG_REQUIRE(cell->n_atom > 0 && cell->n_atom < (1 << 30), PG_ERR_INPUT,
               "symmetry search needs 1..2^30 atoms, found %lld", (long long)cell->n_atom);
    const int n = (int)cell->n_atom;
    double inv[3][3], lat_cols[3][3];
    PG_CHECK(pg_mat3_inverse(cell->lattice, inv));
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) lat_cols[i][j] = cell->lattice[j][i];
    PG_TRY_CALLOC(frac, n, "fractional positions");
    for (int k = 0; k < n; k++) pg_cell_cart_to_frac(inv, cell->pos[k], frac[k]);

    ds = spg_get_dataset(lat_cols, frac, cell->z, n, symprec);
    if (!ds) {
        st = spg_error("spg_get_dataset");
        goto cleanup;
    }
    sym->symprec = symprec;
    sym->spacegroup_number = ds->spacegroup_number;
    sym->hall_number = ds->hall_number;
    copy_str(sym->international, sizeof sym->international, ds->international_symbol);
    copy_str(sym->hall_symbol, sizeof sym->hall_symbol, ds->hall_symbol);
    copy_str(sym->choice, sizeof sym->choice, ds->choice);
    copy_str(sym->pointgroup, sizeof sym->pointgroup, ds->pointgroup_symbol);
    SpglibSpacegroupType type = spg_get_spacegroup_type(ds->hall_number);
    copy_str(sym->schoenflies, sizeof sym->schoenflies, type.schoenflies);
    sym->n_ops = ds->n_operations;
    sym->n_atom = n;
    PG_TRY(sym_alloc(sym));
    memcpy(sym->rotations, ds->rotations, (size_t)sym->n_ops * sizeof *sym->rotations);
    memcpy(sym->translations, ds->translations, (size_t)sym->n_ops * sizeof *sym->translations);
    for (int k = 0; k < n; k++) {
        sym->wyckoffs[k] = (char)('a' + ds->wyckoffs[k]);
        copy_str(sym->site_symmetry[k], sizeof sym->site_symmetry[k], ds->site_symmetry_symbols[k]);
        sym->equivalent_atoms[k] = ds->equivalent_atoms[k];
        sym->crystallographic_orbits[k] = ds->crystallographic_orbits[k];
        sym->mapping_to_primitive[k] = ds->mapping_to_primitive[k];
    }
    memcpy(sym->transformation_matrix, ds->transformation_matrix, sizeof sym->transformation_matrix);
    memcpy(sym->origin_shift, ds->origin_shift, sizeof sym->origin_shift);
    memcpy(sym->std_rotation_matrix, ds->std_rotation_matrix, sizeof sym->std_rotation_matrix);
    PG_TRY(cell_from_spg(ds->std_lattice, (const double(*)[3])ds->std_positions, ds->std_types,
                         ds->n_std_atoms, &sym->conventional));

    /* spglib's primitive cell of the input (dataset->primitive_lattice); atom p sits where the
     * first input atom with mapping_to_primitive == p sits, wrapped into the primitive cell */
    int n_p = 0;
    for (int k = 0; k < n; k++)
        if (ds->mapping_to_primitive[k] + 1 > n_p) n_p = ds->mapping_to_primitive[k] + 1;
    PG_TRY_CALLOC(pfrac, n_p, "primitive positions");
    PG_TRY_CALLOC(ptypes, n_p, "primitive types");
    {
        double prow[3][3], pinv[3][3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) prow[i][j] = ds->primitive_lattice[j][i];
        PG_TRY(pg_mat3_inverse(prow, pinv));
        for (int p = 0; p < n_p; p++) ptypes[p] = -1;
        for (int k = 0; k < n; k++) {
            int p = ds->mapping_to_primitive[k];
            if (ptypes[p] >= 0) continue;
            ptypes[p] = cell->z[k];
            pg_cell_cart_to_frac(pinv, cell->pos[k], pfrac[p]);
            for (int a = 0; a < 3; a++) {
                pfrac[p][a] -= floor(pfrac[p][a]);
                if (pfrac[p][a] >= 1.0) pfrac[p][a] = 0.0;
            }
        }
        for (int p = 0; p < n_p; p++)
            PG_TRY_REQUIRE(ptypes[p] >= 0, PG_ERR_INTERNAL, "spglib primitive atom %d has no image", p);
    }
    PG_TRY(cell_from_spg(ds->primitive_lattice, (const double(*)[3])pfrac, ptypes, n_p,
                         &sym->primitive));
cleanup:
    if (ds) spg_free_dataset(ds);
    free(frac);
    free(pfrac);
    free(ptypes);
    if (st != PG_OK) pg_symmetry_free(sym);
    return st;
}

static pg_status_t copy_cell_arrays(pg_cell_t *dst, const pg_cell_t *src)
{
    return pg_cell_copy(dst, src);
}

/* After a struct copy: drop the (shared) array pointers and cells so they can be allocated anew. */
static void forget_arrays(pg_symmetry_t *s)
{
    s->rotations = NULL;
    s->translations = NULL;
    s->wyckoffs = NULL;
    s->site_symmetry = NULL;
    s->equivalent_atoms = NULL;
    s->crystallographic_orbits = NULL;
    s->mapping_to_primitive = NULL;
    memset(&s->primitive, 0, sizeof s->primitive);
    memset(&s->conventional, 0, sizeof s->conventional);
}

pg_status_t pg_symmetry_copy(pg_symmetry_t *dst, const pg_symmetry_t *src)
{
    pg_status_t st = PG_OK;
    *dst = *src;
    forget_arrays(dst);
    PG_TRY(sym_alloc(dst));
    size_t no = (size_t)src->n_ops, na = (size_t)src->n_atom;
    memcpy(dst->rotations, src->rotations, no * sizeof *dst->rotations);
    memcpy(dst->translations, src->translations, no * sizeof *dst->translations);
    memcpy(dst->wyckoffs, src->wyckoffs, na);
    memcpy(dst->site_symmetry, src->site_symmetry, na * sizeof *dst->site_symmetry);
    memcpy(dst->equivalent_atoms, src->equivalent_atoms, na * sizeof(int));
    memcpy(dst->crystallographic_orbits, src->crystallographic_orbits, na * sizeof(int));
    memcpy(dst->mapping_to_primitive, src->mapping_to_primitive, na * sizeof(int));
    PG_TRY(copy_cell_arrays(&dst->primitive, &src->primitive));
    PG_TRY(copy_cell_arrays(&dst->conventional, &src->conventional));
cleanup:
    if (st != PG_OK) pg_symmetry_free(dst);
    return st;
}

static pg_status_t bcast_cell(MPI_Comm comm, int root, int is_root, pg_cell_t *c)
{
    int64_t n = is_root ? c->n_atom : 0;
    PG_CHECK(pg_par_bcast(comm, root, &n, sizeof n));
    if (!is_root) PG_CHECK(pg_cell_init(c, n));
    PG_CHECK(pg_par_bcast(comm, root, c->lattice, sizeof c->lattice));
    PG_CHECK(pg_par_bcast(comm, root, c->pos, (size_t)n * sizeof *c->pos));
    PG_CHECK(pg_par_bcast(comm, root, c->z, (size_t)n * sizeof *c->z));
    PG_CHECK(pg_par_bcast(comm, root, c->mass, (size_t)n * sizeof *c->mass));
    return PG_OK;
}

pg_status_t pg_symmetry_bcast(MPI_Comm comm, int root, pg_symmetry_t *sym)
{
    pg_status_t st = PG_OK;
    const int is_root = pg_par_rank(comm) == root;
    /* the scalar part travels as the struct's bytes; pointers are replaced on receivers */
    pg_symmetry_t head;
    if (is_root) head = *sym;
    else memset(&head, 0, sizeof head);
    PG_CHECK(pg_par_bcast(comm, root, &head, sizeof head));
    if (!is_root) {
        *sym = head;
        forget_arrays(sym);
        PG_TRY(sym_alloc(sym));
    }
    size_t no = (size_t)sym->n_ops, na = (size_t)sym->n_atom;
    PG_TRY(pg_par_bcast(comm, root, sym->rotations, no * sizeof *sym->rotations));
    PG_TRY(pg_par_bcast(comm, root, sym->translations, no * sizeof *sym->translations));
    PG_TRY(pg_par_bcast(comm, root, sym->wyckoffs, na));
    PG_TRY(pg_par_bcast(comm, root, sym->site_symmetry, na * sizeof *sym->site_symmetry));
    PG_TRY(pg_par_bcast(comm, root, sym->equivalent_atoms, na * sizeof(int)));
    PG_TRY(pg_par_bcast(comm, root, sym->crystallographic_orbits, na * sizeof(int)));
    PG_TRY(pg_par_bcast(comm, root, sym->mapping_to_primitive, na * sizeof(int)));
    PG_TRY(bcast_cell(comm, root, is_root, &sym->primitive));
    PG_TRY(bcast_cell(comm, root, is_root, &sym->conventional));
cleanup:
    if (st != PG_OK && !is_root) pg_symmetry_free(sym);
    return st;
}

static double norm3(const double v[3]) { return sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); }

static void lattice_params(const double l[3][3], double p[6])
{
    for (int i = 0; i < 3; i++) p[i] = norm3(l[i]);
    for (int i = 0; i < 3; i++) {
        const double *u = l[(i + 1) % 3], *v = l[(i + 2) % 3];
        double c = (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (norm3(u) * norm3(v));
        p[3 + i] = acos(fmax(-1.0, fmin(1.0, c))) * 180.0 / M_PI;
    }
}

void pg_symmetry_print(FILE *f, const pg_cell_t *cell, const pg_symmetry_t *sym)
{
    double p[6];
    lattice_params(cell->lattice, p);
    fprintf(f, "Symmetry (spglib %s, symprec %g Å)\n", pg_symmetry_spglib_version(), sym->symprec);
    fprintf(f, "  space group     %s (No. %d), Schoenflies %s, Hall %d \"%s\"%s%s\n",
            sym->international, sym->spacegroup_number, sym->schoenflies, sym->hall_number,
            sym->hall_symbol, sym->choice[0] ? ", choice " : "", sym->choice);
    fprintf(f, "  point group     %s\n", sym->pointgroup);
    fprintf(f, "  operations      %d (in this cell, pure translations included)\n", sym->n_ops);
    fprintf(f, "  lattice         a=%.6f b=%.6f c=%.6f Å  alpha=%.4f beta=%.4f gamma=%.4f deg  "
               "V=%.4f Å^3\n",
            p[0], p[1], p[2], p[3], p[4], p[5], fabs(pg_cell_volume(cell)));
    fprintf(f, "  primitive cell  %lld atoms; conventional (standardised) cell %lld atoms\n",
            (long long)sym->primitive.n_atom, (long long)sym->conventional.n_atom);
    double inv[3][3];
    int have_inv = pg_mat3_inverse(cell->lattice, inv) == PG_OK;
    if (!have_inv) pg_err_clear();
    /* Wyckoff multiplicity refers to the conventional cell: orbit size in this cell scaled by
     * V_conventional / V_cell (so a primitive or a supercell prints the same "4a") */
    const double vcell = fabs(pg_cell_volume(cell));
    const double vscale = vcell > 0 ? fabs(pg_cell_volume(&sym->conventional)) / vcell : 1.0;
    fprintf(f, "  %5s %-3s %10s %10s %10s  %-7s %-10s %s\n", "atom", "el", "x", "y", "z", "Wyckoff",
            "site sym", "equiv");
    for (int64_t k = 0; k < sym->n_atom && k < cell->n_atom; k++) {
        double x[3] = {0, 0, 0};
        if (have_inv) pg_cell_cart_to_frac(inv, cell->pos[k], x);
        int orbit = 0;
        for (int64_t j = 0; j < sym->n_atom; j++) orbit += sym->equivalent_atoms[j] == sym->equivalent_atoms[k];
        char wy[16];
        snprintf(wy, sizeof wy, "%ld%c", lrint(orbit * vscale), sym->wyckoffs[k]);
        fprintf(f, "  %5lld %-3s %10.6f %10.6f %10.6f  %-7s %-10s %d\n", (long long)k + 1,
                pg_element_symbol(cell->z[k]), x[0], x[1], x[2], wy, sym->site_symmetry[k],
                sym->equivalent_atoms[k] + 1);
    }
}

/* ---- irreducible mesh ------------------------------------------------------------------- */

void pg_irmesh_free(pg_irmesh_t *ir)
{
    if (!ir) return;
    free(ir->grid_address);
    free(ir->map);
    free(ir->ir_grid);
    free(ir->weights);
    free(ir->qpoints);
    memset(ir, 0, sizeof *ir);
}

pg_status_t pg_symmetry_ir_mesh(const pg_symmetry_t *sym, const int mesh[3], const int *is_shift,
                                int time_reversal, pg_irmesh_t *ir)
{
    pg_status_t st = PG_OK;
    int (*rots)[3][3] = NULL;
    size_t *map = NULL;
    memset(ir, 0, sizeof *ir);
    const int zero[3] = {0, 0, 0};
    const int *shift = is_shift ? is_shift : zero;
    for (int a = 0; a < 3; a++) {
        PG_REQUIRE(mesh[a] > 0, PG_ERR_INPUT, "q mesh must be positive, found %d %d %d", mesh[0],
                   mesh[1], mesh[2]);
        PG_REQUIRE(shift[a] == 0 || shift[a] == 1, PG_ERR_INPUT,
                   "q mesh shift must be 0 or 1 (half a step), found %d %d %d", shift[0], shift[1],
                   shift[2]);
    }
    const int64_t n_grid = (int64_t)mesh[0] * mesh[1] * mesh[2];
    PG_REQUIRE(n_grid <= ((int64_t)1 << 31), PG_ERR_INPUT, "q mesh of %lld points is too large",
               (long long)n_grid);
    /* point group: the distinct rotation parts */
    PG_TRY_CALLOC(rots, sym->n_ops > 0 ? sym->n_ops : 1, "point-group rotations");
    int n_rot = 0;
    for (int o = 0; o < sym->n_ops; o++) {
        int dup = 0;
        for (int r = 0; r < n_rot && !dup; r++) dup = !memcmp(rots[r], sym->rotations[o], sizeof rots[r]);
        if (!dup) memcpy(rots[n_rot++], sym->rotations[o], sizeof rots[0]);
    }
    if (n_rot == 0) { /* no symmetry given: identity only */
        const int id[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        memcpy(rots[0], id, sizeof id);
        n_rot = 1;
    }
    ir->n_grid = n_grid;
    memcpy(ir->mesh, mesh, sizeof ir->mesh);
    memcpy(ir->is_shift, shift, sizeof ir->is_shift);
    PG_TRY_CALLOC(ir->grid_address, n_grid, "q grid addresses");
    PG_TRY_CALLOC(map, n_grid, "q grid map");
    PG_TRY_CALLOC(ir->map, n_grid, "q grid map");
    const double gamma[1][3] = {{0, 0, 0}};
    size_t n_ir = spg_get_dense_stabilized_reciprocal_mesh(ir->grid_address, map, mesh, shift,
                                                           time_reversal ? 1 : 0, n_rot,
                                                           (const int(*)[3][3])rots, 1, gamma);
    if (n_ir == 0) {
        st = spg_error("spg_get_dense_stabilized_reciprocal_mesh");
        goto cleanup;
    }
    ir->n_ir = (int64_t)n_ir;
    PG_TRY_CALLOC(ir->ir_grid, n_ir, "irreducible q points");
    PG_TRY_CALLOC(ir->weights, n_ir, "irreducible q weights");
    PG_TRY_CALLOC(ir->qpoints, n_ir, "irreducible q points");
    int64_t k = 0;
    for (int64_t g = 0; g < n_grid; g++) {
        ir->map[g] = (int64_t)map[g];
        if ((int64_t)map[g] == g) {
            PG_TRY_REQUIRE(k < (int64_t)n_ir, PG_ERR_INTERNAL, "spglib ir count mismatch");
            ir->ir_grid[k] = g;
            for (int a = 0; a < 3; a++)
                ir->qpoints[k][a] = (ir->grid_address[g][a] + 0.5 * shift[a]) / mesh[a];
            k++;
        }
    }
    PG_TRY_REQUIRE(k == (int64_t)n_ir, PG_ERR_INTERNAL, "spglib ir count mismatch (%lld vs %zu)",
                   (long long)k, n_ir);
    /* weights: count members of each orbit (ir_grid ascending -> binary search) */
    for (int64_t g = 0; g < n_grid; g++) {
        int64_t lo = 0, hi = ir->n_ir - 1, r = ir->map[g];
        while (lo < hi) {
            int64_t mid = (lo + hi) / 2;
            if (ir->ir_grid[mid] < r) lo = mid + 1;
            else hi = mid;
        }
        PG_TRY_REQUIRE(ir->ir_grid[lo] == r, PG_ERR_INTERNAL, "grid point %lld maps to a non-representative", (long long)g);
        ir->weights[lo]++;
    }
cleanup:
    free(rots);
    free(map);
    if (st != PG_OK) pg_irmesh_free(ir);
    return st;
}

/* ---- atoms under operations -------------------------------------------------------------- */

/* Atoms are binned on a G x G x G grid of wrapped fractional coordinates (CSR), so each image
 * is compared only with the atoms of its own and the 26 neighbouring bins: O(n_ops n) instead of
 * O(n_ops n^2). A bin is far wider than symprec, so no match can hide beyond the neighbours. */
static int bin_of(double x, int g)
{
    int b = (int)floor(x * g);
    return ((b % g) + g) % g;
}

static int64_t match_in_bin(const pg_cell_t *cell, const double (*frac)[3], const double y[3],
                            int z, double tol2, const int64_t *start, const int64_t *members,
                            int64_t b)
{
    for (int64_t m = start[b]; m < start[b + 1]; m++) {
        int64_t j = members[m];
        if (cell->z[j] != z) continue;
        double d[3], c[3];
        for (int a = 0; a < 3; a++) {
            d[a] = y[a] - frac[j][a];
            d[a] -= rint(d[a]);
        }
        pg_cell_frac_to_cart(cell->lattice, d, c);
        if (c[0] * c[0] + c[1] * c[1] + c[2] * c[2] < tol2) return j;
    }
    return -1;
}

pg_status_t pg_symmetry_atom_map(const pg_cell_t *cell, const pg_symmetry_t *sym, double symprec,
                                 int64_t *atom_map)
{
    pg_status_t st = PG_OK;
    double (*frac)[3] = NULL;
    int64_t *start = NULL, *members = NULL, *fill = NULL;
    const int64_t n = cell->n_atom;
    double inv[3][3];
    PG_CHECK(pg_mat3_inverse(cell->lattice, inv));
    int g = 1;
    while ((int64_t)(g + 1) * (g + 1) * (g + 1) <= n && g < 64) g++;
    const int64_t n_bin = (int64_t)g * g * g;
    PG_TRY_CALLOC(frac, n, "fractional positions");
    PG_TRY_CALLOC(start, n_bin + 1, "atom bins");
    PG_TRY_CALLOC(fill, n_bin, "atom bins");
    PG_TRY_CALLOC(members, n, "atom bins");
    for (int64_t i = 0; i < n; i++) {
        pg_cell_cart_to_frac(inv, cell->pos[i], frac[i]);
        int64_t b = ((int64_t)bin_of(frac[i][0], g) * g + bin_of(frac[i][1], g)) * g + bin_of(frac[i][2], g);
        start[b + 1]++;
    }
    for (int64_t b = 0; b < n_bin; b++) start[b + 1] += start[b];
    for (int64_t i = 0; i < n; i++) { /* members in ascending atom order within a bin */
        int64_t b = ((int64_t)bin_of(frac[i][0], g) * g + bin_of(frac[i][1], g)) * g + bin_of(frac[i][2], g);
        members[start[b] + fill[b]++] = i;
    }
    const double tol2 = symprec * symprec;
    for (int o = 0; o < sym->n_ops; o++) {
        const int(*W)[3] = (const int(*)[3])sym->rotations[o];
        const double *w = sym->translations[o];
        for (int64_t i = 0; i < n; i++) {
            double y[3];
            for (int a = 0; a < 3; a++)
                y[a] = W[a][0] * frac[i][0] + W[a][1] * frac[i][1] + W[a][2] * frac[i][2] + w[a];
            int b0[3];
            for (int a = 0; a < 3; a++) b0[a] = bin_of(y[a] - floor(y[a]), g);
            /* own bin first (almost always the hit), then the neighbours */
            int64_t found = -1;
            const int64_t own = ((int64_t)b0[0] * g + b0[1]) * g + b0[2];
            found = match_in_bin(cell, frac, y, cell->z[i], tol2, start, members, own);
            for (int k = 0; k < 27 && found < 0 && g > 1; k++) {
                const int dx = k / 9 - 1, dy = (k / 3) % 3 - 1, dz = k % 3 - 1;
                if (!dx && !dy && !dz) continue;
                /* with g == 2 offsets -1 and +1 hit the same bin: visit it once */
                if (g == 2 && (dx < 0 || dy < 0 || dz < 0)) continue;
                int64_t b = ((int64_t)((b0[0] + dx + g) % g) * g + (b0[1] + dy + g) % g) * g +
                            (b0[2] + dz + g) % g;
                found = match_in_bin(cell, frac, y, cell->z[i], tol2, start, members, b);
            }
            PG_TRY_REQUIRE(found >= 0, PG_ERR_INPUT,
                           "operation %d does not map atom %lld onto an atom of the cell within "
                           "%g Å (symmetry of another cell?)",
                           o, (long long)i, symprec);
            atom_map[(int64_t)o * n + i] = found;
        }
    }
cleanup:
    free(frac);
    free(start);
    free(fill);
    free(members);
    return st;
}

void pg_symmetry_site_ops(const pg_symmetry_t *sym, const int64_t *atom_map, int64_t n_atom,
                          int64_t atom, int *ops, int *n_ops_out)
{
    int n = 0;
    for (int o = 0; o < sym->n_ops; o++)
        if (atom_map[(int64_t)o * n_atom + atom] == atom) ops[n++] = o;
    *n_ops_out = n;
}

pg_status_t pg_symmetry_cart_rotation(const double lattice[3][3], const int rot[3][3],
                                      double rcart[3][3])
{
    double inv[3][3], t[3][3];
    PG_CHECK(pg_mat3_inverse(lattice, inv));
    /* R = L^T W L^-T: (L^T W)[a][k] = sum_i L[i][a] W[i][k]; then times (L^-1)^T[k][b] = inv[b][k] */
    for (int a = 0; a < 3; a++)
        for (int k = 0; k < 3; k++) t[a][k] = lattice[0][a] * rot[0][k] + lattice[1][a] * rot[1][k] + lattice[2][a] * rot[2][k];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) rcart[a][b] = t[a][0] * inv[b][0] + t[a][1] * inv[b][1] + t[a][2] * inv[b][2];
    return PG_OK;
}
