/* textio.h - line reading and number parsing shared by the text-format readers of src/io
 * (poscar.c, extxyz.c). Internal to src/io; not installed. Not collective; thread-safe. */
#ifndef PG_IO_TEXTIO_H
#define PG_IO_TEXTIO_H

#include <stddef.h>

#include "phonograph/pg_status.h"

/* A cursor over the lines of a NUL-terminated text. Each line is copied whole into buf
 * (grown as needed: a line is never truncated), without its '\n' or "\r\n". */
typedef struct {
    const char *path; /* for messages */
    const char *p;    /* start of the next line */
    int line;         /* number of the line in buf (1-based) */
    char *buf;        /* [cap] the current line */
    size_t cap;
} textio_reader_t;

/* Advance to the next line: *got = 1, or 0 at the end of the text.
 * Errors: PG_ERR_NOMEM naming path:line. */
pg_status_t textio_next_line(textio_reader_t *r, int *got);
/* Release buf (the reader can be used again from its p). */
void textio_reader_free(textio_reader_t *r);

/* Number of white-space separated tokens of s. */
int textio_count_tokens(const char *s);
/* Split s in place at white space into at most max tokens; returns how many were stored
 * (callers that must not drop tokens compare with textio_count_tokens). */
int textio_split(char *s, char **tok, int max);
/* The whole of s as a finite double / a long long (strtod / strtoll, full consumption,
 * no overflow): 1 and *x set, or 0. */
int textio_parse_double(const char *s, double *x);
int textio_parse_int(const char *s, long long *x);

#endif
