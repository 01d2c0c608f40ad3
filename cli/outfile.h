/*
 * outfile.h - output files written whole or not at all: the data goes to a
 * temporary file beside the target, which is renamed over it on commit and
 * removed on abort. "-" is standard output, buffered the same way so that
 * nothing half done reaches it either.
 */
#ifndef HG_CLI_OUTFILE_H
#define HG_CLI_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct hg_outfile {
	FILE *f;    /* write here; NULL when not open */
	char *path; /* the target; NULL for standard output */
	char *tmp;  /* the temporary file beside it */
};

/*
 * hg_outfile_open creates the temporary file for path ("-" = standard
 * output). Returns 0, or prints an error and returns -1.
 */
int hg_outfile_open(struct hg_outfile *o, const char *path);

/*
 * hg_outfile_commit flushes and closes the file and renames it over the
 * target (or copies it to standard output). Returns 0, or prints an error,
 * removes the temporary file and returns -1. A closed outfile commits as 0.
 */
int hg_outfile_commit(struct hg_outfile *o);

/* hg_outfile_abort closes and removes the temporary file, if any. */
void hg_outfile_abort(struct hg_outfile *o);

#endif /* HG_CLI_OUTFILE_H */
