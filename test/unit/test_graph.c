/* test_graph.c - element feature table, normalisation, bond types, crystal graphs, batches. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_cell.h"
#include "phonograph/pg_features.h"
#include "phonograph/pg_graph.h"
#include "phonograph/pg_neighbor.h"

/* Spot values typed from the primary tables, independent of the generated table:
 * Pauling EN (CRC Handbook), Shannon Acta Cryst. A32, 751 (1976) Table 1 ionic radii,
 * Cordero et al. Dalton Trans. 2008 covalent radii, NIST ASD first ionisation energies. */
typedef struct {
    int z;
    double en, r_ion, r_cov, ie;
    int valence, group, period;
} spot_t;
static const spot_t spots[] = {
    {47, 1.93, 1.15, 1.45, 7.5762, 11, 11, 5}, /* Ag+ VI */
    {16, 2.58, 1.84, 1.05, 10.3600, 6, 16, 3}, /* S2- VI */
    {34, 2.55, 1.98, 1.20, 9.7524, 6, 16, 4},  /* Se2- VI */
    {52, 2.10, 2.21, 1.38, 9.0098, 6, 16, 5},  /* Te2- VI */
    {35, 2.96, 1.96, 1.20, 11.8138, 7, 17, 4}, /* Br- VI */
    {53, 2.66, 2.20, 1.39, 10.4513, 7, 17, 5}, /* I- VI */
    {17, 3.16, 1.81, 1.02, 12.9676, 7, 17, 3}, /* Cl- VI */
    {9, 3.98, 1.33, 0.57, 17.4228, 7, 17, 2},  /* F- VI */
    {11, 0.93, 1.02, 1.66, 5.1391, 1, 1, 3},   /* Na+ VI */
    {29, 1.90, 0.77, 1.32, 7.7264, 11, 11, 4}, /* Cu+ VI */
    {14, 1.90, 0.40, 1.11, 8.1517, 4, 14, 3},  /* Si4+ VI */
    {83, 2.02, 1.03, 1.48, 7.2855, 5, 15, 6},  /* Bi3+ VI */
};

static void test_element_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof spots / sizeof *spots; k++) {
        const spot_t *s = &spots[k];
        double v;
        assert_int_equal(pg_features_property(PG_FEAT_Z, s->z, &v), PG_OK);
        assert_true(v == s->z);
        assert_int_equal(pg_features_property(PG_FEAT_PAULING, s->z, &v), PG_OK);
        assert_true(fabs(v - s->en) < 1e-9);
        assert_int_equal(pg_features_property(PG_FEAT_IONIC_RADIUS, s->z, &v), PG_OK);
        assert_true(fabs(v - s->r_ion) < 1e-9);
        assert_int_equal(pg_features_property(PG_FEAT_COVALENT_RADIUS, s->z, &v), PG_OK);
        assert_true(fabs(v - s->r_cov) < 1e-9);
        assert_int_equal(pg_features_property(PG_FEAT_IONIZATION_ENERGY, s->z, &v), PG_OK);
        assert_true(fabs(v - s->ie) < 1e-4); /* NIST values to 4 decimals */
        assert_int_equal(pg_features_property(PG_FEAT_VALENCE, s->z, &v), PG_OK);
        assert_true(v == s->valence);
        assert_int_equal(pg_features_property(PG_FEAT_GROUP, s->z, &v), PG_OK);
        assert_true(v == s->group);
        assert_int_equal(pg_features_property(PG_FEAT_PERIOD, s->z, &v), PG_OK);
        assert_true(v == s->period);
        assert_non_null(strstr(pg_features_ionic_radius_source(s->z), "CN VI"));
    }
    double v;
    assert_int_equal(pg_features_property(PG_FEAT_MASS, 47, &v), PG_OK);
    assert_true(v == 107.8682); /* phonopy 2.17 */
    assert_string_equal(pg_features_ionic_radius_source(47), "Ag+1 CN VI");
    assert_string_equal(pg_features_ionic_radius_source(16), "S-2 CN VI");
    /* every element H..Bi has the properties used by default except the noble gases'
     * electronegativity/radius */
    for (int z = 1; z <= PG_FEATURES_MAX_Z; z++) {
        int noble = z == 2 || z == 10 || z == 18 || z == 36 || z == 54;
        for (int k = 0; k < PG_FEAT_N_KINDS; k++) {
            pg_status_t st = pg_features_property((pg_feat_kind_t)k, z, &v);
            if (!noble || k == PG_FEAT_Z || k == PG_FEAT_MASS || k == PG_FEAT_COVALENT_RADIUS ||
                k == PG_FEAT_IONIZATION_ENERGY || k == PG_FEAT_VALENCE || k == PG_FEAT_GROUP ||
                k == PG_FEAT_PERIOD || (z >= 36 && k == PG_FEAT_PAULING))
                assert_int_equal(st, PG_OK);
        }
    }
    /* missing data and out-of-table elements are errors naming what is missing */
    pg_err_clear();
    assert_int_equal(pg_features_property(PG_FEAT_PAULING, 2, &v), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "He"));
    assert_int_equal(pg_features_property(PG_FEAT_Z, 84, &v), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "Po"));
    pg_feat_kind_t kind;
    assert_int_equal(pg_features_kind_from_name("IONIC_RADIUS_ANG", &kind), PG_OK);
    assert_int_equal(kind, PG_FEAT_IONIC_RADIUS);
    assert_int_equal(pg_features_kind_from_name("radius", &kind), PG_ERR_INPUT);
}

static void test_normalisation(void **state)
{
    (void)state;
    /* Ag3SBr atoms in any order: species sorted S(16) < Br(35) < Ag(47) */
    const int z[] = {47, 47, 16, 35, 47};
    pg_feat_kind_t kinds[PG_FEAT_N_KINDS];
    int nk = pg_features_default_kinds(kinds);
    assert_int_equal(nk, 4);
    pg_features_t f;
    assert_int_equal(pg_features_setup(&f, z, 5, kinds, nk, 0), PG_OK);
    assert_int_equal(f.n_species, 3);
    assert_int_equal(f.z[0], 16);
    assert_int_equal(f.z[1], 35);
    assert_int_equal(f.z[2], 47);
    assert_int_equal(f.n_feat, 4);
    /* by hand from the spot values: min-max over {S, Br, Ag} */
    const double zs[3] = {16, 35, 47}, en[3] = {2.58, 2.96, 1.93}, rion[3] = {1.84, 1.96, 1.15};
    const double mass[3] = {32.065, 79.904, 107.8682};
    for (int s = 0; s < 3; s++) {
        double row[4];
        assert_int_equal(pg_features_row(&f, f.z[s], row), PG_OK);
        double expect[4] = {(zs[s] - 16) / (47 - 16), (en[s] - 1.93) / (2.96 - 1.93),
                            (mass[s] - 32.065) / (107.8682 - 32.065),
                            (rion[s] - 1.15) / (1.96 - 1.15)};
        assert_close(row, expect, 4, 1e-12, 1e-12, "normalised Ag3SBr features");
    }
    /* one-hot appended in species order; a single species normalises to 0 */
    assert_int_equal(pg_features_setup(&f, z, 5, kinds, 2, 1), PG_OK);
    assert_int_equal(f.n_feat, 5);
    double row[5];
    assert_int_equal(pg_features_row(&f, 35, row), PG_OK);
    assert_true(row[2] == 0.0 && row[3] == 1.0 && row[4] == 0.0);
    const int one[] = {29, 29};
    assert_int_equal(pg_features_setup(&f, one, 2, kinds, nk, 0), PG_OK);
    assert_int_equal(pg_features_row(&f, 29, row), PG_OK);
    for (int c = 0; c < 4; c++) assert_true(row[c] == 0.0);
    /* errors */
    pg_err_clear();
    assert_int_equal(pg_features_row(&f, 47, row), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "Ag"));
    const pg_feat_kind_t twice[2] = {PG_FEAT_Z, PG_FEAT_Z};
    assert_int_equal(pg_features_setup(&f, z, 5, twice, 2, 0), PG_ERR_INPUT);
    assert_int_equal(pg_features_setup(&f, z, 5, kinds, 0, 0), PG_ERR_INPUT);
    const int noble[] = {16, 18};
    kinds[0] = PG_FEAT_IONIC_RADIUS;
    assert_int_equal(pg_features_setup(&f, noble, 2, kinds, 1, 0), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "Ar"));
}

static void test_bond_types(void **state)
{
    (void)state;
    const int z[] = {11, 17, 47, 16, 35, 53};
    pg_feat_kind_t k = PG_FEAT_Z;
    pg_features_t f;
    assert_int_equal(pg_features_setup(&f, z, 6, &k, 1, 0), PG_OK);
    int nb = pg_features_n_bond_types(&f);
    assert_int_equal(nb, 21);
    int seen[21] = {0};
    for (int a = 0; a < 6; a++)
        for (int b = 0; b < 6; b++) {
            int t = pg_features_bond_type(&f, a, b);
            assert_true(t >= 0 && t < nb);
            assert_int_equal(t, pg_features_bond_type(&f, b, a));
            if (a <= b) seen[t]++;
        }
    for (int t = 0; t < nb; t++) assert_int_equal(seen[t], 1); /* a bijection on pairs */
    char name[16];
    pg_features_bond_name(&f, pg_features_bond_type(&f, pg_features_species(&f, 47),
                                                    pg_features_species(&f, 16)),
                          name, sizeof name);
    assert_string_equal(name, "S-Ag");
}

/* 2x2x2 Ag3SBr with displacements */
static void make_ag3sbr(pg_cell_t *c, int rep, double amp, unsigned seed)
{
    const double frac[5][3] = {{0, 0, 0}, {.5, .5, .5}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .5}};
    const int zz[5] = {35, 16, 47, 47, 47};
    const double a = 4.87;
    assert_int_equal(pg_cell_init(c, 5 * rep * rep * rep), PG_OK);
    for (int d = 0; d < 3; d++) c->lattice[d][d] = a * rep;
    srand(seed);
    int64_t k = 0;
    for (int x = 0; x < rep; x++)
        for (int y = 0; y < rep; y++)
            for (int w = 0; w < rep; w++)
                for (int s = 0; s < 5; s++, k++) {
                    c->pos[k][0] = a * (frac[s][0] + x) + amp * (rand() / (double)RAND_MAX - .5);
                    c->pos[k][1] = a * (frac[s][1] + y) + amp * (rand() / (double)RAND_MAX - .5);
                    c->pos[k][2] = a * (frac[s][2] + w) + amp * (rand() / (double)RAND_MAX - .5);
                    c->z[k] = zz[s];
                }
    pg_cell_set_default_masses(c);
}

static void test_graph_build(void **state)
{
    (void)state;
    pg_cell_t c;
    make_ag3sbr(&c, 2, 0.3, 7);
    pg_feat_kind_t kinds[4];
    int nk = pg_features_default_kinds(kinds);
    pg_features_t f;
    assert_int_equal(pg_features_setup(&f, c.z, c.n_atom, kinds, nk, 0), PG_OK);
    pg_graph_opts_t o = pg_graph_opts_default();
    assert_true(o.cutoff_ang == 5.5);
    pg_graph_t g;
    assert_int_equal(pg_graph_build(&c, &f, &o, &g), PG_OK);
    pg_neighbor_t nl;
    assert_int_equal(pg_neighbor_build(&c, 5.5, 0, &nl), PG_OK);
    assert_int_equal(g.n_node, 40);
    assert_int_equal(g.n_edge, nl.n_edge);
    assert_int_equal(g.n_feat, 4);
    /* edge e of centre i: dst = i, src = its neighbour j (pg_graph.h convention) */
    for (int64_t i = 0; i < c.n_atom; i++) {
        assert_int_equal(g.in_offsets[i], nl.offsets[i]);
        double row[4];
        assert_int_equal(pg_features_row(&f, c.z[i], row), PG_OK);
        assert_memory_equal(g.node_features + 4 * i, row, sizeof row);
        for (int64_t e = g.in_offsets[i]; e < g.in_offsets[i + 1]; e++) {
            assert_int_equal(g.edge_dst[e], i);
            assert_int_equal(g.edge_src[e], nl.j[e]);
            assert_true(g.edge_dist[e] == nl.dist[e]);
            assert_memory_equal(g.edge_shift[e], nl.shift[e], sizeof g.edge_shift[e]);
            int t = pg_features_bond_type(&f, pg_features_species(&f, c.z[nl.j[e]]),
                                          pg_features_species(&f, c.z[i]));
            assert_int_equal(g.edge_bond[e], t);
        }
    }
    /* the full list is symmetric: (src, dst, S) present iff (dst, src, -S) is, same length */
    for (int64_t e = 0; e < g.n_edge; e++) {
        int64_t i = g.edge_src[e], found = 0;
        for (int64_t p = g.in_offsets[i]; p < g.in_offsets[i + 1]; p++)
            if (g.edge_src[p] == g.edge_dst[e] && g.edge_shift[p][0] == -g.edge_shift[e][0] &&
                g.edge_shift[p][1] == -g.edge_shift[e][1] &&
                g.edge_shift[p][2] == -g.edge_shift[e][2] &&
                fabs(g.edge_dist[p] - g.edge_dist[e]) < 1e-12)
                found++;
        assert_int_equal(found, 1);
    }
    pg_graph_free(&g);
    pg_neighbor_free(&nl);

    /* k-nearest cap on in-edges */
    o.max_neighbors = 12;
    assert_int_equal(pg_graph_build(&c, &f, &o, &g), PG_OK);
    for (int64_t i = 0; i < g.n_node; i++)
        assert_true(g.in_offsets[i + 1] - g.in_offsets[i] == 12);
    pg_graph_free(&g);

    /* errors: species not in the table (before any search); cap; bad k */
    c.z[7] = 53;
    pg_err_clear();
    assert_int_equal(pg_graph_build(&c, &f, NULL, &g), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "atom 7 is I"));
    assert_null(g.edge_src);
    c.z[7] = 47;
    o = pg_graph_opts_default();
    o.max_edges = 100;
    assert_int_equal(pg_graph_build(&c, &f, &o, &g), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "above the cap"));
    o.max_edges = 0;
    o.max_neighbors = -1;
    assert_int_equal(pg_graph_build(&c, &f, &o, &g), PG_ERR_INPUT);
    pg_cell_free(&c);
}

static void test_batch(void **state)
{
    (void)state;
    pg_graph_t gs[3];
    pg_features_t f;
    pg_feat_kind_t kinds[4];
    int nk = pg_features_default_kinds(kinds);
    const int z[3] = {16, 35, 47};
    assert_int_equal(pg_features_setup(&f, z, 3, kinds, nk, 1), PG_OK);
    for (int k = 0; k < 3; k++) {
        pg_cell_t c;
        make_ag3sbr(&c, 1 + (k == 1), 0.2, 11 + k);
        pg_graph_opts_t o = pg_graph_opts_default();
        o.cutoff_ang = 4.0 + k;
        assert_int_equal(pg_graph_build(&c, &f, &o, &gs[k]), PG_OK);
        pg_cell_free(&c);
    }
    pg_graph_batch_t b;
    assert_int_equal(pg_graph_batch_concat(gs, 3, &b), PG_OK);
    assert_int_equal(b.n_graphs, 3);
    assert_int_equal(b.n_feat, 7);
    assert_int_equal(b.node_offsets[0], 0);
    assert_int_equal(b.edge_offsets[0], 0);
    for (int k = 0; k < 3; k++) {
        int64_t n0 = b.node_offsets[k], e0 = b.edge_offsets[k];
        assert_int_equal(b.node_offsets[k + 1] - n0, gs[k].n_node);
        assert_int_equal(b.edge_offsets[k + 1] - e0, gs[k].n_edge);
        assert_memory_equal(b.node_features + n0 * 7, gs[k].node_features,
                            (size_t)(gs[k].n_node * 7) * sizeof(double));
        for (int64_t e = 0; e < gs[k].n_edge; e++) {
            /* batched indices stay inside the graph */
            assert_int_equal(b.edge_src[e0 + e], gs[k].edge_src[e] + n0);
            assert_int_equal(b.edge_dst[e0 + e], gs[k].edge_dst[e] + n0);
            assert_true(b.edge_src[e0 + e] < b.node_offsets[k + 1]);
            assert_true(b.edge_dist[e0 + e] == gs[k].edge_dist[e]);
            assert_int_equal(b.edge_bond[e0 + e], gs[k].edge_bond[e]);
        }
    }
    assert_int_equal(b.n_nodes, b.node_offsets[3]);
    assert_int_equal(b.n_edges, b.edge_offsets[3]);
    pg_graph_batch_free(&b);
    gs[1].n_feat = 3;
    assert_int_equal(pg_graph_batch_concat(gs, 3, &b), PG_ERR_INPUT);
    gs[1].n_feat = 7;
    for (int k = 0; k < 3; k++) pg_graph_free(&gs[k]);
}

static void test_deck(void **state)
{
    (void)state;
    const char *text = "[graph]\ncutoff = 4.5\nmax_neighbors = 12\n"
                       "node_features = Z group period\none_hot = yes\n";
    pg_deck_t *d = NULL;
    assert_int_equal(pg_deck_parse("g.deck", text, &d), PG_OK);
    pg_graph_opts_t o;
    pg_feat_kind_t kinds[PG_FEAT_N_KINDS];
    int nk = 0, oh = 0;
    assert_int_equal(pg_graph_opts_from_deck(d, &o, kinds, &nk, &oh), PG_OK);
    assert_true(o.cutoff_ang == 4.5);
    assert_int_equal(o.max_neighbors, 12);
    assert_int_equal(o.max_edges, 20000000);
    assert_int_equal(nk, 3);
    assert_int_equal(kinds[0], PG_FEAT_Z);
    assert_int_equal(kinds[1], PG_FEAT_GROUP);
    assert_int_equal(kinds[2], PG_FEAT_PERIOD);
    assert_int_equal(oh, 1);
    pg_deck_destroy(&d);
    /* defaults: the paper's four features, 5.5 Å */
    assert_int_equal(pg_deck_parse("g.deck", "[graph]\n", &d), PG_OK);
    assert_int_equal(pg_graph_opts_from_deck(d, &o, kinds, &nk, &oh), PG_OK);
    pg_feat_kind_t def[4];
    assert_int_equal(nk, pg_features_default_kinds(def));
    assert_memory_equal(kinds, def, sizeof def);
    assert_true(o.cutoff_ang == 5.5);
    pg_deck_destroy(&d);
    assert_int_equal(pg_deck_parse("g.deck", "[graph]\nnode_features = Z electroneg\n", &d),
                     PG_OK);
    pg_err_clear();
    assert_int_equal(pg_graph_opts_from_deck(d, &o, kinds, &nk, &oh), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "g.deck:2"));
    assert_non_null(strstr(pg_err_message(), "electroneg"));
    pg_deck_destroy(&d);
    pg_err_clear();
    assert_int_equal(pg_deck_parse("g.deck", "[graph]\ncutoff = 0\n", &d), PG_ERR_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_element_table), cmocka_unit_test(test_normalisation),
        cmocka_unit_test(test_bond_types),    cmocka_unit_test(test_graph_build),
        cmocka_unit_test(test_batch),         cmocka_unit_test(test_deck),
    };
    return cmocka_run_group_tests_name("graph", tests, NULL, NULL);
}
