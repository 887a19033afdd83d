/* graph_keys.c - the [graph] deck section (crystal graphs: cutoff, caps, node features) and
 * its reader. Listed in src/core/deck_keys.c. */
#include <stdio.h>
#include <string.h>

#include "phonograph/pg_deck.h"
#include "phonograph/pg_graph.h"

const pg_deck_key_t pg_deck_keys_graph[] = {
    {"graph", "cutoff", PG_DECK_REAL, "5.5", 0.1, 50.0, 0, 0, "Å", NULL,
     "neighbour cutoff of the crystal graphs (edges: pairs closer than this, all images)"},
    {"graph", "max_neighbors", PG_DECK_INT, "0", 0, 10000, 0, 0, NULL, NULL,
     "keep only the k nearest in-edges of each atom (CGCNN cap; ties by index, image); 0 = all"},
    {"graph", "max_edges", PG_DECK_INT, "20000000", 0, 1e15, 0, 0, NULL, NULL,
     "memory cap: edges of one graph (~100 bytes each while building); checked before "
     "allocating; 0 = none"},
    {"graph", "node_features", PG_DECK_WORDS, "Z pauling_en mass_amu ionic_radius_ang", 1.0, 0.0,
     0, PG_FEAT_N_KINDS, NULL, NULL,
     "element properties per node, min-max normalised over the species: Z pauling_en mass_amu "
     "ionic_radius_ang covalent_radius_ang ionization_ev valence group period, or none"},
    {"graph", "one_hot", PG_DECK_BOOL, "false", 1.0, 0.0, 0, 0, NULL, NULL,
     "append a one-hot species encoding to the node features"},
    PG_DECK_KEYS_END,
};

pg_status_t pg_graph_opts_from_deck(const pg_deck_t *d, pg_graph_opts_t *o,
                                    pg_feat_kind_t kinds[PG_FEAT_N_KINDS], int *n_kind,
                                    int *one_hot)
{
    *o = pg_graph_opts_default();
    int64_t k = 0, cap = 0;
    PG_CHECK(pg_deck_get_real(d, "graph", "cutoff", &o->cutoff_ang));
    PG_CHECK(pg_deck_get_int(d, "graph", "max_neighbors", &k));
    PG_CHECK(pg_deck_get_int(d, "graph", "max_edges", &cap));
    o->max_neighbors = (int)k;
    o->max_edges = cap;
    const char *const *words = NULL;
    int n = 0;
    PG_CHECK(pg_deck_get_words(d, "graph", "node_features", &words, &n));
    *n_kind = 0;
    for (int w = 0; w < n; w++) {
        if (n == 1 && strcmp(words[w], "none") == 0) break;
        pg_status_t st = pg_features_kind_from_name(words[w], &kinds[*n_kind]);
        if (st != PG_OK) {
            char why[400]; /* the record is overwritten by the new error: copy it first */
            snprintf(why, sizeof why, "%s", pg_err_message());
            return PG_ERR(PG_ERR_INPUT, "%s: [graph] node_features: %s",
                          pg_deck_where(d, "graph", "node_features"), why);
        }
        (*n_kind)++;
    }
    PG_CHECK(pg_deck_get_bool(d, "graph", "one_hot", one_hot));
    PG_REQUIRE(*n_kind > 0 || *one_hot, PG_ERR_INPUT,
               "%s: [graph] node_features = none needs one_hot = true",
               pg_deck_where(d, "graph", "node_features"));
    return PG_OK;
}
