/* graph_h5.c - crystal graphs in an HDF5 file as ragged arrays with offsets (the /graphs group;
 * layout in docs/dataset.md "## graphs"). Writers are collective: each rank passes the graphs
 * of its own contiguous block of configurations; offsets come from an exclusive scan, so the
 * file is identical for any number of ranks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_element.h"
#include "phonograph/pg_graph.h"
#include "phonograph/pg_graph_h5.h"
#include "phonograph/pg_par.h"

#define G(name) PG_GRAPH_H5_GROUP "/" name

/* agree on st across ranks (pg_par_agree leaves the agreed code in st), leave on failure */
#define AGREE(comm)                                                                                \
    do {                                                                                           \
        pg_status_t a_ = pg_par_agree((comm), &st);                                                \
        if (a_ != PG_OK) st = a_;                                                                  \
        if (st != PG_OK) {                                                                         \
            pg_err_frame(__FILE__, __LINE__, __func__);                                            \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* create a rows dataset of n_rows (extendible when empty: HDF5 refuses chunks larger than a
 * fixed zero extent) */
static pg_status_t create(pg_h5_t *f, const char *path, pg_h5_type_t t, int rank, int64_t n_rows,
                          int64_t d1)
{
    int64_t dims[2] = {n_rows, d1};
    return pg_h5_create_rows(f, path, t, rank, dims, n_rows > 0 ? n_rows : -1, 0);
}

pg_status_t pg_graph_h5_write(pg_h5_t *f, MPI_Comm comm, int64_t n_total, int64_t first,
                              const pg_graph_batch_t *b, const pg_features_t *feat,
                              const pg_graph_opts_t *opts)
{
    pg_status_t st = PG_OK;
    int64_t *noff = NULL, *eoff = NULL;
    int32_t *src = NULL, *dst = NULL;
    char **names = NULL;
    const int64_t ng = b->n_graphs, nn = b->n_nodes, ne = b->n_edges;
    int64_t dummy = 0;

    /* local checks first; agreed before any collective HDF5 call */
    int64_t expect_first = 0, totals[3] = {ng, nn, ne};
    st = pg_par_exscan_int64(comm, ng, &expect_first);
    if (st == PG_OK && (first != expect_first || b->n_feat != feat->n_feat))
        st = PG_ERR(PG_ERR_INTERNAL,
                    "graph blocks must tile the configurations in rank order: this rank has "
                    "[%lld, %lld), expected to start at %lld (n_feat %d vs %d)",
                    (long long)first, (long long)(first + ng), (long long)expect_first,
                    b->n_feat, feat->n_feat);
    if (st == PG_OK) {
        noff = calloc((size_t)ng + 1, sizeof *noff);
        eoff = calloc((size_t)ng + 1, sizeof *eoff);
        src = calloc((size_t)ne + 1, sizeof *src);
        dst = calloc((size_t)ne + 1, sizeof *dst);
        if (!noff || !eoff || !src || !dst)
            st = PG_ERR(PG_ERR_NOMEM, "graph write buffers for %lld edges", (long long)ne);
    }
    AGREE(comm);
    PG_TRY(pg_par_sum_int64(comm, totals, 3));
    PG_TRY_REQUIRE(totals[0] == n_total, PG_ERR_INTERNAL,
                   "ranks hold %lld graphs in total, the dataset has %lld",
                   (long long)totals[0], (long long)n_total);
    int64_t node0 = 0, edge0 = 0;
    PG_TRY(pg_par_exscan_int64(comm, nn, &node0));
    PG_TRY(pg_par_exscan_int64(comm, ne, &edge0));

    /* global offsets of this rank's graphs: entries first .. first+ng (first written by the
     * rank whose block starts at 0, i.e. the leading 0) */
    for (int64_t g = 0; g <= ng; g++) {
        noff[g] = node0 + b->node_offsets[g];
        eoff[g] = edge0 + b->edge_offsets[g];
    }
    for (int64_t g = 0; g < ng; g++)
        for (int64_t e = b->edge_offsets[g]; e < b->edge_offsets[g + 1]; e++) {
            src[e] = (int32_t)(b->edge_src[e] - b->node_offsets[g]); /* local in the file */
            dst[e] = (int32_t)(b->edge_dst[e] - b->node_offsets[g]);
        }
    /* rank 0 (first == 0) writes the leading 0; every other rank its ng end offsets */
    const int lead = pg_par_rank(comm) == 0 ? 0 : 1;
    const int64_t n_off_rows = ng + 1 - lead;

    PG_TRY(create(f, G("node_offsets"), PG_H5_I64, 1, n_total + 1, 0));
    PG_TRY(create(f, G("edge_offsets"), PG_H5_I64, 1, n_total + 1, 0));
    PG_TRY(create(f, G("node_features"), PG_H5_F64, 2, totals[1], feat->n_feat));
    PG_TRY(create(f, G("node_species"), PG_H5_I32, 1, totals[1], 0));
    PG_TRY(create(f, G("edge_src"), PG_H5_I32, 1, totals[2], 0));
    PG_TRY(create(f, G("edge_dst"), PG_H5_I32, 1, totals[2], 0));
    PG_TRY(create(f, G("edge_dist"), PG_H5_F64, 1, totals[2], 0));
    PG_TRY(create(f, G("edge_shift"), PG_H5_I32, 2, totals[2], 3));
    PG_TRY(create(f, G("edge_bond"), PG_H5_I32, 1, totals[2], 0));
    PG_TRY(pg_h5_write_rows(f, G("node_offsets"), PG_H5_I64, first + lead, n_off_rows,
                            n_off_rows ? (void *)(noff + lead) : (void *)&dummy));
    PG_TRY(pg_h5_write_rows(f, G("edge_offsets"), PG_H5_I64, first + lead, n_off_rows,
                            n_off_rows ? (void *)(eoff + lead) : (void *)&dummy));
#define ROWS(path, type, start, n, buf)                                                            \
    PG_TRY(pg_h5_write_rows(f, path, type, start, n, (n) ? (const void *)(buf) : (void *)&dummy))
    ROWS(G("node_features"), PG_H5_F64, node0, nn, b->node_features);
    ROWS(G("node_species"), PG_H5_I32, node0, nn, b->node_species);
    ROWS(G("edge_src"), PG_H5_I32, edge0, ne, src);
    ROWS(G("edge_dst"), PG_H5_I32, edge0, ne, dst);
    ROWS(G("edge_dist"), PG_H5_F64, edge0, ne, b->edge_dist);
    ROWS(G("edge_shift"), PG_H5_I32, edge0, ne, b->edge_shift);
    ROWS(G("edge_bond"), PG_H5_I32, edge0, ne, b->edge_bond);
#undef ROWS

    /* the feature table and normalisation (same on every rank; rank 0's copy is written) */
    int64_t dims[1] = {feat->n_species};
    int32_t species[PG_FEATURES_MAX_SPECIES];
    for (int s = 0; s < feat->n_species; s++) species[s] = feat->z[s];
    PG_TRY(pg_h5_write(f, G("features/species"), PG_H5_I32, 1, dims, species));
    int n_names = feat->n_kind > 0 ? feat->n_kind : 1;
    int n_bond = pg_features_n_bond_types(feat);
    PG_TRY_CALLOC(names, (n_names > n_bond ? n_names : n_bond) + 1, "feature names");
    const char *none = "none";
    for (int c = 0; c < feat->n_kind; c++) names[c] = (char *)pg_features_kind_name(feat->kind[c]);
    if (feat->n_kind == 0) names[0] = (char *)none;
    PG_TRY(pg_h5_write_strings(f, G("features/kinds"), n_names, (const char *const *)names));
    dims[0] = feat->n_kind;
    if (feat->n_kind > 0) {
        PG_TRY(pg_h5_write(f, G("features/min"), PG_H5_F64, 1, dims, feat->vmin));
        PG_TRY(pg_h5_write(f, G("features/max"), PG_H5_F64, 1, dims, feat->vmax));
    }
    int32_t oh = feat->one_hot;
    PG_TRY(pg_h5_attr_write(f, G("features"), "one_hot", PG_H5_I32, 1, &oh));
    char bufs[PG_FEATURES_MAX_SPECIES * (PG_FEATURES_MAX_SPECIES + 1) / 2][8];
    for (int t = 0; t < n_bond; t++) {
        pg_features_bond_name(feat, t, bufs[t], sizeof bufs[t]);
        names[t] = bufs[t];
    }
    PG_TRY(pg_h5_write_strings(f, G("bond_types"), n_bond, (const char *const *)names));

    const char *grp = PG_GRAPH_H5_GROUP;
    PG_TRY(pg_h5_attr_write_string(f, grp, "format", PG_GRAPH_H5_FORMAT));
    int32_t ver = PG_GRAPH_H5_VERSION;
    PG_TRY(pg_h5_attr_write(f, grp, "version", PG_H5_I32, 1, &ver));
    PG_TRY(pg_h5_attr_write(f, grp, "cutoff_ang", PG_H5_F64, 1, &opts->cutoff_ang));
    int64_t caps[2] = {opts->max_neighbors, opts->max_edges};
    PG_TRY(pg_h5_attr_write(f, grp, "max_neighbors", PG_H5_I64, 1, &caps[0]));
    PG_TRY(pg_h5_attr_write(f, grp, "max_edges", PG_H5_I64, 1, &caps[1]));
    PG_TRY(pg_h5_attr_write_string(
        f, grp, "direction",
        "src = neighbour j, dst = centre i; vector r_src + shift.L - r_dst; local node indices"));
    PG_TRY(pg_h5_attr_write_string(f, G("edge_dist"), "units", "angstrom"));
cleanup:
    free(noff);
    free(eoff);
    free(src);
    free(dst);
    free(names);
    return st;
}

pg_status_t pg_graph_h5_check(pg_h5_t *f, int64_t *n_graphs)
{
    pg_status_t st = PG_OK;
    char *fmt = NULL;
    const char *file = pg_h5_filename(f);
    PG_TRY_REQUIRE(pg_h5_exists(f, PG_GRAPH_H5_GROUP), PG_ERR_INPUT,
                   "%s has no %s group (build graphs with `phonograph graphs`)", file,
                   PG_GRAPH_H5_GROUP);
    PG_TRY(pg_h5_attr_read_string(f, PG_GRAPH_H5_GROUP, "format", &fmt));
    int32_t ver = 0;
    PG_TRY(pg_h5_attr_read(f, PG_GRAPH_H5_GROUP, "version", PG_H5_I32, 1, &ver));
    PG_TRY_REQUIRE(strcmp(fmt, PG_GRAPH_H5_FORMAT) == 0 && ver == PG_GRAPH_H5_VERSION,
                   PG_ERR_INPUT, "%s:%s is format '%s' version %d, expected '%s' version %d", file,
                   PG_GRAPH_H5_GROUP, fmt, (int)ver, PG_GRAPH_H5_FORMAT, PG_GRAPH_H5_VERSION);
    int rank = 0;
    int64_t dims[4];
    PG_TRY(pg_h5_shape(f, G("node_offsets"), &rank, dims));
    PG_TRY_REQUIRE(rank == 1 && dims[0] >= 1, PG_ERR_INPUT, "%s: bad %s shape", file,
                   G("node_offsets"));
    *n_graphs = dims[0] - 1;
cleanup:
    free(fmt);
    return st;
}

pg_status_t pg_graph_h5_read_features(pg_h5_t *f, pg_features_t *feat)
{
    pg_status_t st = PG_OK;
    char **kinds = NULL;
    int64_t nk = 0, n_graphs = 0;
    int32_t *species = NULL;
    int rank = 0;
    int64_t dims[4];
    memset(feat, 0, sizeof *feat);
    PG_TRY(pg_graph_h5_check(f, &n_graphs));
    PG_TRY(pg_h5_read_alloc(f, G("features/species"), PG_H5_I32, (void **)&species, &rank, dims));
    PG_TRY_REQUIRE(rank == 1 && dims[0] >= 1 && dims[0] <= PG_FEATURES_MAX_SPECIES, PG_ERR_INPUT,
                   "%s: bad %s", pg_h5_filename(f), G("features/species"));
    PG_TRY(pg_h5_read_strings(f, G("features/kinds"), &kinds, &nk));
    pg_feat_kind_t k[PG_FEAT_N_KINDS];
    int n_kind = 0;
    for (int64_t c = 0; c < nk; c++) {
        if (nk == 1 && strcmp(kinds[c], "none") == 0) break;
        PG_TRY_REQUIRE(n_kind < PG_FEAT_N_KINDS, PG_ERR_INPUT, "%s: too many feature kinds",
                       pg_h5_filename(f));
        PG_TRY(pg_features_kind_from_name(kinds[c], &k[n_kind++]));
    }
    int32_t oh = 0;
    PG_TRY(pg_h5_attr_read(f, G("features"), "one_hot", PG_H5_I32, 1, &oh));
    int z[PG_FEATURES_MAX_SPECIES];
    for (int64_t s = 0; s < dims[0]; s++) z[s] = species[s];
    PG_TRY(pg_features_setup(feat, z, dims[0], k, n_kind, oh));
    /* the stored normalisation wins (it is the dataset's); it equals the recomputed one unless
     * the element table changed, which the check below reports */
    if (n_kind > 0) {
        double vmin[PG_FEAT_N_KINDS], vmax[PG_FEAT_N_KINDS];
        PG_TRY(pg_h5_read(f, G("features/min"), PG_H5_F64, vmin));
        PG_TRY(pg_h5_read(f, G("features/max"), PG_H5_F64, vmax));
        for (int c = 0; c < n_kind; c++) {
            feat->vmin[c] = vmin[c];
            feat->vmax[c] = vmax[c];
        }
    }
cleanup:
    free(species);
    if (kinds) pg_h5_free_strings(kinds, nk);
    return st;
}

pg_status_t pg_graph_h5_read(pg_h5_t *f, int64_t first, int64_t n, pg_graph_batch_t *b)
{
    pg_status_t st = PG_OK;
    int64_t *noff = NULL, *eoff = NULL;
    int32_t *src = NULL, *dst = NULL;
    int64_t n_graphs = 0, dims[4];
    int rank = 0;
    memset(b, 0, sizeof *b);
    PG_TRY(pg_graph_h5_check(f, &n_graphs));
    PG_TRY_REQUIRE(first >= 0 && n >= 0 && first + n <= n_graphs, PG_ERR_INPUT,
                   "graphs [%lld, %lld) requested, %s has %lld", (long long)first,
                   (long long)(first + n), pg_h5_filename(f), (long long)n_graphs);
    PG_TRY(pg_h5_shape(f, G("node_features"), &rank, dims));
    const int nf = (int)dims[1];
    PG_TRY_CALLOC(noff, n + 1, "graph offsets");
    PG_TRY_CALLOC(eoff, n + 1, "graph offsets");
    PG_TRY(pg_h5_read_rows(f, G("node_offsets"), PG_H5_I64, first, n + 1, noff));
    PG_TRY(pg_h5_read_rows(f, G("edge_offsets"), PG_H5_I64, first, n + 1, eoff));
    const int64_t nn = noff[n] - noff[0], ne = eoff[n] - eoff[0];
    PG_TRY_REQUIRE(nn >= 0 && ne >= 0, PG_ERR_INPUT, "%s: decreasing graph offsets",
                   pg_h5_filename(f));
    PG_TRY(pg_graph_batch_alloc(b, n, nn, ne, nf));
    PG_TRY_CALLOC(src, ne, "edge sources");
    PG_TRY_CALLOC(dst, ne, "edge destinations");
    int64_t dummy[3] = {0, 0, 0};
#define ROWS(path, type, start, cnt, buf)                                                          \
    PG_TRY(pg_h5_read_rows(f, path, type, start, cnt, (cnt) ? (void *)(buf) : (void *)dummy))
    ROWS(G("node_features"), PG_H5_F64, noff[0], nn, b->node_features);
    ROWS(G("node_species"), PG_H5_I32, noff[0], nn, b->node_species);
    ROWS(G("edge_src"), PG_H5_I32, eoff[0], ne, src);
    ROWS(G("edge_dst"), PG_H5_I32, eoff[0], ne, dst);
    ROWS(G("edge_dist"), PG_H5_F64, eoff[0], ne, b->edge_dist);
    ROWS(G("edge_shift"), PG_H5_I32, eoff[0], ne, b->edge_shift);
    ROWS(G("edge_bond"), PG_H5_I32, eoff[0], ne, b->edge_bond);
#undef ROWS
    for (int64_t g = 0; g <= n; g++) {
        b->node_offsets[g] = noff[g] - noff[0];
        b->edge_offsets[g] = eoff[g] - eoff[0];
    }
    for (int64_t g = 0; g < n; g++) {
        int64_t n_node = b->node_offsets[g + 1] - b->node_offsets[g];
        for (int64_t e = b->edge_offsets[g]; e < b->edge_offsets[g + 1]; e++) {
            PG_TRY_REQUIRE(src[e] >= 0 && src[e] < n_node && dst[e] >= 0 && dst[e] < n_node,
                           PG_ERR_INPUT, "%s: graph %lld edge %lld has a node index outside "
                           "0..%lld",
                           pg_h5_filename(f), (long long)(first + g), (long long)e,
                           (long long)n_node - 1);
            b->edge_src[e] = src[e] + b->node_offsets[g]; /* batched */
            b->edge_dst[e] = dst[e] + b->node_offsets[g];
        }
    }
cleanup:
    free(noff);
    free(eoff);
    free(src);
    free(dst);
    if (st != PG_OK) pg_graph_batch_free(b);
    return st;
}

/* ---- building the graphs of a dataset file ----------------------------------------------- */

static pg_status_t find_config_path(pg_h5_t *f, const char *name, char *out, size_t size)
{
    snprintf(out, size, "/configs/%s", name);
    if (pg_h5_exists(f, out)) return PG_OK;
    snprintf(out, size, "/%s", name);
    if (pg_h5_exists(f, out)) return PG_OK;
    out[0] = '\0';
    return PG_ERR(PG_ERR_INPUT, "%s has no configuration array '%s' (looked for /configs/%s and /%s)",
                  pg_h5_filename(f), name, name, name);
}

pg_status_t pg_graph_build_file(MPI_Comm comm, const char *path, const pg_graph_opts_t *opts,
                                const pg_feat_kind_t *kinds, int n_kind, int one_hot,
                                int64_t totals_out[3])
{
    pg_status_t st = PG_OK;
    pg_h5_t *f = NULL;
    double *cells = NULL, *pos = NULL;
    int32_t *species = NULL;
    uint8_t *done = NULL;
    pg_graph_t *graphs = NULL;
    pg_graph_batch_t batch;
    memset(&batch, 0, sizeof batch);
    pg_cell_t cell;
    memset(&cell, 0, sizeof cell);
    char p_cell[128], p_pos[128], p_spec[128], p_done[128];
    int64_t dims[4], n_config = 0, n_atom = 0, first = 0, n_local = 0;
    int rank_nd = 0;

    PG_TRY(pg_h5_open(path, PG_H5_RDWR, comm, &f));
    /* shapes: every rank opens the same file, so these checks agree without a reduction */
    PG_TRY(find_config_path(f, "cell", p_cell, sizeof p_cell));
    PG_TRY(find_config_path(f, "positions", p_pos, sizeof p_pos));
    PG_TRY(find_config_path(f, "species", p_spec, sizeof p_spec));
    PG_TRY(pg_h5_shape(f, p_pos, &rank_nd, dims));
    PG_TRY_REQUIRE(rank_nd == 3 && dims[2] == 3, PG_ERR_INPUT,
                   "%s:%s must be [n_config][n_atom][3]", path, p_pos);
    n_config = dims[0];
    n_atom = dims[1];
    PG_TRY(pg_h5_shape(f, p_cell, &rank_nd, dims));
    PG_TRY_REQUIRE(rank_nd == 3 && dims[0] == n_config && dims[1] == 3 && dims[2] == 3,
                   PG_ERR_INPUT, "%s:%s must be [%lld][3][3]", path, p_cell, (long long)n_config);
    PG_TRY(pg_h5_shape(f, p_spec, &rank_nd, dims));
    PG_TRY_REQUIRE(rank_nd == 2 && dims[0] == n_config && dims[1] == n_atom, PG_ERR_INPUT,
                   "%s:%s must be [%lld][%lld]", path, p_spec, (long long)n_config,
                   (long long)n_atom);
    int have_done = find_config_path(f, "completed", p_done, sizeof p_done) == PG_OK;
    pg_err_clear();

    /* this rank's block of configurations; allocations are agreed before the collective
     * reads so that a rank that failed cannot leave the others waiting */
    const int r = pg_par_rank(comm), np = pg_par_size(comm);
    first = n_config * r / np;
    n_local = n_config * (r + 1) / np - first;
    cells = calloc((size_t)(9 * n_local + 1), sizeof *cells);
    pos = calloc((size_t)(3 * n_local * n_atom + 1), sizeof *pos);
    species = calloc((size_t)(n_local * n_atom + 1), sizeof *species);
    done = calloc((size_t)(n_local + 1), sizeof *done);
    graphs = calloc((size_t)(n_local + 1), sizeof *graphs);
    if (!cells || !pos || !species || !done || !graphs)
        st = PG_ERR(PG_ERR_NOMEM, "configurations %lld..%lld of %s", (long long)first,
                    (long long)(first + n_local), path);
    if (st == PG_OK) st = pg_cell_init(&cell, n_atom);
    AGREE(comm);
    PG_TRY(pg_h5_read_rows(f, p_cell, PG_H5_F64, first, n_local, cells));
    PG_TRY(pg_h5_read_rows(f, p_pos, PG_H5_F64, first, n_local, pos));
    PG_TRY(pg_h5_read_rows(f, p_spec, PG_H5_I32, first, n_local, species));
    if (have_done) PG_TRY(pg_h5_read_rows(f, p_done, PG_H5_U8, first, n_local, done));
    else memset(done, 1, (size_t)n_local);

    /* species of all completed configurations -> one normalisation for the dataset */
    int64_t present[PG_ELEMENT_MAX_Z + 1] = {0};
    for (int64_t c = 0; c < n_local; c++)
        if (done[c])
            for (int64_t i = 0; i < n_atom; i++) {
                int z = species[c * n_atom + i];
                if (z < 1 || z > PG_ELEMENT_MAX_Z) {
                    st = PG_ERR(PG_ERR_INPUT, "%s:%s[%lld][%lld] = %d is not an atomic number",
                                path, p_spec, (long long)(first + c), (long long)i, z);
                    break;
                }
                present[z] = 1;
            }
    AGREE(comm);
    PG_TRY(pg_par_max_int64(comm, present, PG_ELEMENT_MAX_Z + 1));
    int zlist[PG_ELEMENT_MAX_Z + 1], nz = 0;
    for (int z = 1; z <= PG_ELEMENT_MAX_Z; z++)
        if (present[z]) zlist[nz++] = z;
    pg_features_t feat;
    PG_TRY_REQUIRE(nz > 0, PG_ERR_INPUT, "%s: no completed configuration to build graphs for",
                   path);
    PG_TRY(pg_features_setup(&feat, zlist, nz, kinds, n_kind, one_hot));

    /* build (local failures are agreed below, so every rank reaches the collective write) */
    for (int64_t c = 0; c < n_local && st == PG_OK; c++) {
        if (!done[c]) continue; /* empty graph */
        memcpy(cell.lattice, cells + 9 * c, sizeof cell.lattice);
        memcpy(cell.pos, pos + 3 * c * n_atom, (size_t)(3 * n_atom) * sizeof(double));
        for (int64_t i = 0; i < n_atom; i++) cell.z[i] = species[c * n_atom + i];
        st = pg_graph_build(&cell, &feat, opts, &graphs[c]);
        if (st != PG_OK) {
            char why[512]; /* copy: the new record overwrites the old one */
            snprintf(why, sizeof why, "%s", pg_err_message());
            st = PG_ERR(st, "%s: graph of configuration %lld: %s", path, (long long)(first + c),
                        why);
        }
    }
    for (int64_t c = 0; c < n_local; c++) graphs[c].n_feat = feat.n_feat;
    if (st == PG_OK) st = pg_graph_batch_concat(graphs, n_local, &batch);
    AGREE(comm);
    PG_TRY(pg_graph_h5_write(f, comm, n_config, first, &batch, &feat, opts));
    if (totals_out) {
        totals_out[0] = n_config;
        totals_out[1] = batch.n_nodes;
        totals_out[2] = batch.n_edges;
        PG_TRY(pg_par_sum_int64(comm, totals_out + 1, 2));
    }
cleanup:
    if (f) {
        pg_status_t s2 = pg_h5_close(&f);
        if (st == PG_OK) st = s2;
    }
    if (graphs)
        for (int64_t c = 0; c < n_local; c++) pg_graph_free(&graphs[c]);
    free(graphs);
    pg_graph_batch_free(&batch);
    pg_cell_free(&cell);
    free(cells);
    free(pos);
    free(species);
    free(done);
    return st;
}
