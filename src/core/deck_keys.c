/* deck_keys.c - the list of every module's deck key table (see pg_deck.h). Adding a
 * module's table = one extern line and one row below; a cross-key check likewise. */
#include "phonograph/pg_deck.h"

extern const pg_deck_key_t pg_deck_keys_run[];       /* src/driver/run_keys.c */
extern const pg_deck_key_t pg_deck_keys_structure[]; /* src/driver/run_keys.c */
extern const pg_deck_key_t pg_deck_keys_graph[];     /* src/graph/graph_keys.c */
extern const pg_deck_key_t pg_deck_keys_phonons[];   /* src/driver/stage_phonons.c */
extern const pg_deck_key_t pg_deck_keys_labeler[];   /* src/label/labeler.c */
extern const pg_deck_key_t pg_deck_keys_tightbinding[]; /* src/label/tightbinding.c */
extern const pg_deck_key_t pg_deck_keys_train[];     /* src/gnn/train_keys.c */
extern const pg_deck_key_t pg_deck_keys_sample[];    /* src/driver/stage_sample.c */
extern const pg_deck_key_t pg_deck_keys_study[];     /* src/driver/study.c */
extern const pg_deck_key_t pg_deck_keys_relax[];     /* src/driver/stage_relax.c */

const pg_deck_key_t *const pg_deck_key_tables[] = {
    pg_deck_keys_run,
    pg_deck_keys_structure,
    pg_deck_keys_relax,
    pg_deck_keys_graph,
    pg_deck_keys_phonons,
    pg_deck_keys_labeler,
    pg_deck_keys_tightbinding,
    pg_deck_keys_train,
    pg_deck_keys_sample,
    pg_deck_keys_study,
    NULL,
};

void pg_run_check_run(const pg_deck_t *d, pg_deck_report_t *r);       /* run.c */
void pg_run_check_structure(const pg_deck_t *d, pg_deck_report_t *r);
void pg_labeler_check_deck(const pg_deck_t *d, pg_deck_report_t *r);
void pg_gnn_check_train(const pg_deck_t *d, pg_deck_report_t *r);

const pg_deck_check_fn pg_deck_checks[] = {
    pg_run_check_run,
    pg_run_check_structure,
    pg_labeler_check_deck,
    pg_gnn_check_train,
    NULL,
};
