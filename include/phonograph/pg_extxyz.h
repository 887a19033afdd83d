/* pg_extxyz.h - extended XYZ frames (ASE's format), writer and reader.
 *
 * A frame is:
 *   line 1  number of atoms
 *   line 2  key=value pairs: Lattice="a1x a1y a1z a2x ... a3z" (rows = lattice vectors, Å)
 *           Properties=species:S:1:pos:R:3[:forces:R:3]  pbc="T T T"
 *           [energy=<eV>] [stress="s_xx s_xy s_xz s_yx ... s_zz" (eV/Å^3, ASE's sign)]
 *           plus any extra info keys (free_energy, config_type, ...)
 *   n lines symbol x y z [fx fy fz]
 * This is what ase.io.write(..., format="extxyz") writes for Atoms with a
 * SinglePointCalculator, and what ase.io.read gives back as energy/stress/forces
 * (ASE 3.22: "energy", "stress", "forces" keys are moved to atoms.calc).
 *
 * Units inside phonograph: energy eV, forces eV/Å, stress GPa with ASE's sign (pg_units.h:
 * tensile positive). In the FILE stress is eV/Å^3 (ASE's unit); the reader and writer
 * convert with PG_EV_ANG3_TO_GPA (pg_units.h; 160.21766208, as ASE 3.22's CODATA 2014 units).
 */
#ifndef PG_EXTXYZ_H
#define PG_EXTXYZ_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_status.h"

typedef struct {
    char *key;   /* owned, NUL-terminated */
    char *value; /* owned, unquoted text (quotes and escapes removed) */
} pg_extxyz_info_t;

typedef struct {
    pg_cell_t cell;          /* lattice, Cartesian positions, z; masses from pg_element */
    int pbc[3];              /* periodic along a1, a2, a3 (default 1 1 1) */
    int has_energy;
    double energy_ev;        /* total energy (eV) */
    int has_stress;
    double stress_gpa[3][3]; /* stress (GPa, ASE sign: tensile positive) */
    int has_forces;
    double (*forces)[3];     /* [n_atom] eV/Å, or NULL */
    int n_info;
    pg_extxyz_info_t *info;  /* [n_info] other comment-line keys, in file order (excluding
                                Lattice, Properties, pbc, energy, stress) */
} pg_extxyz_frame_t;

/* Zero-initialise / release a frame (free accepts a zeroed frame and zeroes it). */
void pg_extxyz_frame_init(pg_extxyz_frame_t *fr);
void pg_extxyz_frame_free(pg_extxyz_frame_t *fr);
/* Add (copy) one extra info key=value (value written quoted if it contains spaces). */
pg_status_t pg_extxyz_frame_add_info(pg_extxyz_frame_t *fr, const char *key, const char *value);

/* Write n_frames frames to f (path only for messages). Numbers use %.16g-class precision
 * (round trip exact to 1e-12 relative). Not collective. Errors: PG_ERR_IO. */
pg_status_t pg_extxyz_fwrite(FILE *f, const char *path, const pg_extxyz_frame_t *frames,
                             int64_t n_frames);
/* Write (append != 0: append) to a file. Not collective. Errors: PG_ERR_IO. */
pg_status_t pg_extxyz_write(const char *path, const pg_extxyz_frame_t *frames, int64_t n_frames,
                            int append);

/* Parse every frame of text (NUL-terminated; path for messages). *frames is malloc'ed
 * [*n_frames]; release with pg_extxyz_frames_free. Reads Lattice (required), Properties
 * (species:S:1 and pos:R:3 required; forces:R:3 read when present, other columns skipped;
 * ASE's "force" name is also accepted), pbc, energy, stress (9 or 6 Voigt numbers
 * xx yy zz yz xz xy, eV/Å^3) and keeps other key=value pairs as strings. Bare keys (no "=")
 * are stored with value "T" as ASE does. Not collective.
 * Errors: PG_ERR_INPUT "path:line: expected ..., found ...", PG_ERR_NOMEM. */
pg_status_t pg_extxyz_parse(const char *path, const char *text, pg_extxyz_frame_t **frames,
                            int64_t *n_frames);
void pg_extxyz_frames_free(pg_extxyz_frame_t **frames, int64_t n_frames);
/* Rank 0 reads the file (pg_par_read_file), every rank parses the same bytes. Collective on
 * comm; every rank returns the same status and frames. Errors: PG_ERR_IO, PG_ERR_INPUT,
 * PG_ERR_NOMEM, PG_ERR_MPI. */
pg_status_t pg_extxyz_read(MPI_Comm comm, const char *path, pg_extxyz_frame_t **frames,
                           int64_t *n_frames);

#endif
