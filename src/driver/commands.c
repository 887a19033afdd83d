/* commands.c - the table of subcommands (one row per subcommand; implementations live in
 * src/driver/cmd_<name>.c, or run.c for the pipeline). */
#include "phonograph/pg_cli.h"
#include "phonograph/pg_run.h"
#include "phonograph/pg_study.h"

pg_status_t pg_cmd_deck(MPI_Comm comm, int argc, char **argv);
pg_status_t pg_cmd_label(MPI_Comm comm, int argc, char **argv);
pg_status_t pg_cmd_fc(MPI_Comm comm, int argc, char **argv);
pg_status_t pg_cmd_graphs(MPI_Comm comm, int argc, char **argv);
pg_status_t pg_cmd_info(MPI_Comm comm, int argc, char **argv);
pg_status_t pg_cmd_train(MPI_Comm comm, int argc, char **argv);   /* src/driver/cmd_train.c */
pg_status_t pg_cmd_predict(MPI_Comm comm, int argc, char **argv); /* src/driver/cmd_train.c */
pg_status_t pg_cmd_sample(MPI_Comm comm, int argc, char **argv);
pg_status_t pg_cmd_export(MPI_Comm comm, int argc, char **argv);
pg_status_t pg_cmd_import(MPI_Comm comm, int argc, char **argv); /* src/driver/cmd_import.c */

pg_status_t pg_cmd_phonons(MPI_Comm comm, int argc, char **argv);
pg_status_t pg_cmd_relax(MPI_Comm comm, int argc, char **argv); /* src/driver/stage_relax.c */

const pg_cli_command_t pg_cli_commands[] = {
    {"run", pg_cmd_run, "run the pipeline on an input deck (phonograph run DECK)"},
    {"info", pg_cmd_info, "symmetry report of a POSCAR (phonograph info POSCAR)"},
    {"deck", pg_cmd_deck, "input-deck reference (--markdown for docs/deck.md); --check DECK"},
    {"relax", pg_cmd_relax, "relax the unit cell (structure + relax stages of run): relax DECK"},
    {"fc", pg_cmd_fc, "relax a unit cell with PRV-CAP-1 and write finite-displacement force constants"},
    {"label", pg_cmd_label, "label POSCAR or extxyz files with the embedded labeler (energy, stress, gap)"},
    {"graphs", pg_cmd_graphs, "build crystal graphs of a dataset file into its /graphs group"},
    {"train", pg_cmd_train, "train the GNN on a dataset (data parallel; resumes checkpoints)"},
    {"predict", pg_cmd_predict, "predict labels with a trained GNN: MODEL DATASET.h5... [-o CSV]"},
    {"sample", pg_cmd_sample, "sample + label configurations into the dataset file: sample DECK"},
    {"phonons", pg_cmd_phonons, "phonons stage alone: force constants -> phonons.h5 (modes, DOS, thermal, bands)"},
    {"export", pg_cmd_export, "configurations of the dataset as POSCARs for external DFT: export DECK"},
    {"import", pg_cmd_import, "external DFT labels (vasprun.xml tree or extxyz) into the dataset: import DATASET.h5|DECK SOURCE"},
    {"study", pg_cmd_study, "the paper's experiment: phonograph study DECK (= run with the study stage)"},
    {NULL, NULL, NULL},
};
