/* cmd_graphs.c - `phonograph graphs DECK|DATASET`: build the crystal graphs of every
 * configuration of an existing dataset file and store them in its /graphs group, in parallel
 * (each rank its block of configurations, written collectively). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_cli.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_graph.h"
#include "phonograph/pg_graph_h5.h"
#include "phonograph/pg_par.h"

static const char *const graphs_help =
    "usage: phonograph graphs [options] DATASET.h5\n"
    "       phonograph graphs [options] DECK [--dataset PATH]\n\n"
    "Build the crystal graph of every configuration of a dataset file (atoms = nodes, pairs\n"
    "closer than the cutoff through all periodic images = directed edges src = neighbour ->\n"
    "dst = centre) and write them into its /graphs group as ragged arrays with offsets\n"
    "(docs/dataset.md, \"## graphs\"). With a DECK, the [graph] section gives the options and\n"
    "the dataset is <[run] output_dir>/dataset.h5 unless --dataset is given. Options override:\n"
    "  --cutoff R          neighbour cutoff in Å (default 5.5)\n"
    "  --max-neighbors K   keep the K nearest in-edges per atom (default 0 = all)\n"
    "  --max-edges N       memory cap on the edges of one graph (default 20000000)\n"
    "  --features LIST     comma-separated node features (default\n"
    "                      Z,pauling_en,mass_amu,ionic_radius_ang)\n"
    "  --one-hot           append a one-hot species encoding\n"
    "Each rank builds a contiguous block of configurations; the file does not depend on the\n"
    "number of ranks.\n";

static int is_h5(const char *p)
{
    size_t n = strlen(p);
    return (n > 3 && strcmp(p + n - 3, ".h5") == 0) || (n > 5 && strcmp(p + n - 5, ".hdf5") == 0);
}

static pg_status_t parse_num(const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end = NULL;
    double x = v ? strtod(v, &end) : 0.0;
    PG_REQUIRE(v && end != v && *end == '\0' && x >= lo && x <= hi, PG_ERR_INPUT,
               "graphs: %s expects a number in [%g, %g], found \"%s\"", opt, lo, hi,
               v ? v : "");
    *out = x;
    return PG_OK;
}

pg_status_t pg_cmd_graphs(MPI_Comm comm, int argc, char **argv)
{
    pg_status_t st = PG_OK;
    const int rank = pg_par_rank(comm);
    const char *input = NULL, *dataset = NULL, *features = NULL;
    double cutoff = -1, k = -1, cap = -1;
    int one_hot = -1;
    pg_deck_t *deck = NULL;
    char *path = NULL;
    for (int a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
            if (rank == 0) fputs(graphs_help, stdout);
            return PG_OK;
        } else if (!strcmp(argv[a], "--cutoff")) {
            PG_CHECK(parse_num("--cutoff", v, 1e-3, 100.0, &cutoff));
            a++;
        } else if (!strcmp(argv[a], "--max-neighbors")) {
            PG_CHECK(parse_num("--max-neighbors", v, 0, 10000, &k));
            a++;
        } else if (!strcmp(argv[a], "--max-edges")) {
            PG_CHECK(parse_num("--max-edges", v, 0, 1e15, &cap));
            a++;
        } else if (!strcmp(argv[a], "--features") && v) {
            features = v;
            a++;
        } else if (!strcmp(argv[a], "--dataset") && v) {
            dataset = v;
            a++;
        } else if (!strcmp(argv[a], "--one-hot")) {
            one_hot = 1;
        } else if (argv[a][0] != '-' && !input) {
            input = argv[a];
        } else {
            return PG_ERR(PG_ERR_INPUT, "graphs: unexpected argument '%s' (see phonograph graphs "
                                        "--help)",
                          argv[a]);
        }
    }
    PG_REQUIRE(input, PG_ERR_INPUT, "graphs: give a dataset file or a deck (see --help)");

    pg_graph_opts_t o = pg_graph_opts_default();
    o.max_edges = 20000000;
    pg_feat_kind_t kinds[PG_FEAT_N_KINDS];
    int n_kind = pg_features_default_kinds(kinds), oh = 0;
    if (is_h5(input)) {
        path = strdup(input);
    } else {
        PG_TRY(pg_deck_read(comm, input, &deck));
        PG_TRY(pg_graph_opts_from_deck(deck, &o, kinds, &n_kind, &oh));
        const char *outdir = NULL;
        PG_TRY(pg_deck_get_string(deck, "run", "output_dir", &outdir));
        if (!dataset) {
            size_t n = strlen(outdir) + 16;
            path = malloc(n);
            if (path) snprintf(path, n, "%s/dataset.h5", outdir);
        }
    }
    if (dataset) {
        free(path);
        path = strdup(dataset);
    }
    PG_TRY_REQUIRE(path, PG_ERR_NOMEM, "graphs: out of memory");
    if (cutoff > 0) o.cutoff_ang = cutoff;
    if (k >= 0) o.max_neighbors = (int)k;
    if (cap >= 0) o.max_edges = (int64_t)cap;
    if (one_hot >= 0) oh = one_hot;
    if (features) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", features);
        n_kind = 0;
        for (char *save = NULL, *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
            if (!strcmp(w, "none")) continue;
            PG_TRY_REQUIRE(n_kind < PG_FEAT_N_KINDS, PG_ERR_INPUT, "graphs: too many features");
            PG_TRY(pg_features_kind_from_name(w, &kinds[n_kind]));
            n_kind++;
        }
    }
    int64_t totals[3] = {0, 0, 0};
    double t0 = pg_par_wtime();
    PG_TRY(pg_graph_build_file(comm, path, &o, kinds, n_kind, oh, totals));
    if (rank == 0)
        printf("graphs: %lld configurations, %lld nodes, %lld edges (cutoff %g Å) written to "
               "%s:/graphs on %d rank(s) in %.2f s\n",
               (long long)totals[0], (long long)totals[1], (long long)totals[2], o.cutoff_ang,
               path, pg_par_size(comm), pg_par_wtime() - t0);
cleanup:
    pg_deck_destroy(&deck);
    free(path);
    return st;
}
