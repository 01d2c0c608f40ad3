/*
 * outfile.h - the output files of one run, written whole or not at all.
 *
 * A regular file (or a symbolic link to one, which is followed) is written
 * to a temporary file beside its target. hg_outfile_commit says that the
 * file is complete; the temporary files are renamed over their targets
 * only when the whole run succeeded (hg_outfiles_finish, called once by
 * main), all together, so that a failing run replaces none of them.
 * Anything that is not a regular file (standard output "-", a terminal, a
 * pipe or FIFO, a device such as /dev/null, /dev/stdout and /dev/fd/N) is
 * written in place as the data comes, and never replaced.
 *
 * A target that is the same file as one of the run's inputs
 * (hg_outfile_input) is refused. SIGINT, SIGTERM, SIGHUP and SIGPIPE
 * remove the temporary files before the process dies of the signal; they
 * are held while a temporary file is created or removed (so that none is
 * ever missed) and while the set is renamed (so that a signal then finds
 * every target replaced, never some).
 */
#ifndef HG_CLI_OUTFILE_H
#define HG_CLI_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct hg_outfile {
	FILE *f;    /* write here; NULL when not open */
	char *path; /* the target as given */
	int slot;   /* 1 + index in the run's temporary files; 0 = none */
};

/*
 * hg_outfile_input records path as an input of the run (a trace or a
 * config or stats file), so that no output may overwrite it. "-" and
 * paths that do not name an existing regular file are ignored.
 */
void hg_outfile_input(const char *path);

/*
 * hg_outfile_open opens path for writing ("-" = standard output). Returns
 * 0, or prints an error and returns -1 (a directory, the same file as an
 * input, an unwritable place, too many outputs).
 */
int hg_outfile_open(struct hg_outfile *o, const char *path);

/*
 * hg_outfile_commit flushes and closes the file: it is complete. A
 * regular file's temporary is renamed over its target by
 * hg_outfiles_finish. Returns 0, or prints an error, removes the
 * temporary file and returns -1. A closed outfile commits as 0.
 */
int hg_outfile_commit(struct hg_outfile *o);

/* hg_outfile_abort closes the file and removes its temporary, if any. */
void hg_outfile_abort(struct hg_outfile *o);

/* hg_outfiles_remove removes every temporary file of the run, for an exit
 * that leaves no output (the host out of memory: hg_cli_oom). */
void hg_outfiles_remove(void);

/*
 * hg_outfiles_finish ends the run: when ok, it renames every committed
 * temporary file over its target (checking again that none is an input);
 * otherwise, and for any temporary file not committed, it removes them.
 * Returns 0, or prints an error and returns -1 when a rename failed.
 */
int hg_outfiles_finish(bool ok);

#endif /* HG_CLI_OUTFILE_H */
