/* pg_study.h - the paper's experiment on one deck: does physics still matter?
 *
 * The `study` stage of `phonograph run` (also `phonograph study DECK`):
 *   1. force constants of the supercell (a phonopy file from [sample] force_constants, or
 *      finite displacements with the embedded potential), supercell phonon modes;
 *   2. three datasets with the task farm, labelled by the embedded labeler (energy per atom,
 *      band gap, VBM, hydrostatic stress): phonon-informed at [sample] temperatures, random
 *      displacements at [sample] amplitudes (the same number of configurations), and an
 *      independent molecular-dynamics test ensemble at [study] test_temperatures;
 *   3. crystal graphs of the three files;
 *   4. for each sampler, training-set size and seed: a GNN trained on the first `size`
 *      configurations of a seeded shuffle of that sampler's pool (nested subsets), evaluated
 *      on the MD test ensemble (MAE, RMSE, R² per target, overall and per test temperature);
 *   5. explainability of the largest model of each sampler (first seed): integrated gradients
 *      over edge gates (pg_explain.h) on the test graphs, aggregated per bond type;
 *   6. tables: <output_dir>/study/results.json, learning_curves.csv, bonds.csv and
 *      predictions_<sampler>.csv (parity data); analysis/make_figures.py draws them.
 * Every step is restartable: datasets resume from their completion masks, graphs are kept,
 * a trained model whose result file exists is not trained again.
 */
#ifndef PG_STUDY_H
#define PG_STUDY_H

#include <mpi.h>

#include "phonograph/pg_deck.h"
#include "phonograph/pg_run.h"
#include "phonograph/pg_status.h"

extern const pg_deck_key_t pg_deck_keys_study[];

/* `phonograph study DECK`: the pipeline of `phonograph run` (its own --help). */
pg_status_t pg_cmd_study(MPI_Comm comm, int argc, char **argv);

/* The stage (collective on run->comm; needs the structure stage's supercell). A deck without a
 * [study] section does nothing here. */
pg_status_t pg_stage_study(pg_run_t *run);

#endif
