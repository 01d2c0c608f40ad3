/*
 * replay.h - the replay pipeline (libhgreplay): one loop that reads
 * operations from a source, applies each to one or more models ("lanes":
 * `compare` replays one reading of the trace under several
 * configurations side by side) and hands every event to the observers
 * attached to it. It sits above core/ (which keeps no I/O) and traces/
 * (the source is any libhgtrace reader, importers included).
 *
 * Built in: the checker (--check), the figures at every mark and the
 * fidelity of recorded addresses. The commands attach their own
 * observers (event log, pictures, progress line).
 *
 * Errors are classified here, once: an input error at a position
 * (syntax, unknown id, bad configuration), the modeled runtime out of
 * memory, the host out of memory, a broken invariant. hg_replay_exit_status
 * maps each to the command's exit status and hg_replay_message says it.
 */
#ifndef HG_REPLAY_H
#define HG_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hg_core.h"
#include "trace.h"

/* ------------------------------------------------------------------ */
/* Status                                                              */
/* ------------------------------------------------------------------ */

enum hg_replay_status {
	HG_REPLAY_OK = 0,     /* every operation applied */
	HG_REPLAY_OOM,        /* a lane's modeled runtime ran out of memory */
	HG_REPLAY_EINPUT,     /* input or usage error, with a position */
	HG_REPLAY_EHOST,      /* the host ran out of memory */
	HG_REPLAY_EINVARIANT, /* the checker found a broken invariant */
	HG_REPLAY_EOUTPUT,    /* an observer could not write its output */
};

/* hg_replay_exit_status maps a status to heapgrow's exit status: 0, 3 for
 * the modeled out of memory, 2 for every error. */
int hg_replay_exit_status(int status);

/* ------------------------------------------------------------------ */
/* Sources                                                             */
/* ------------------------------------------------------------------ */

/* An operation source: the trace readers (hg_replay_open), or any other. */
struct hg_op_source {
	void *ctx;
	/* next reads one operation: 1 (op, line, col filled; strings
	 * borrowed until the next call), 0 at the end, or a negative hg_err
	 * with d filled. */
	int (*next)(void *ctx, struct hg_op *op, unsigned *line, unsigned *col,
		    struct hg_diag *d);
	/* progress gives the input bytes read so far and the input's size
	 * (0 when unknown, e.g. a pipe); may be NULL. */
	void (*progress)(void *ctx, uint64_t *done, uint64_t *total);
};

/* ------------------------------------------------------------------ */
/* Figures at marks                                                    */
/* ------------------------------------------------------------------ */

/* One mark: its label, its event index and the figures after it. */
struct hg_mark_figures {
	uint64_t event;
	struct hg_figures fig;
	char label[256]; /* cut at a UTF-8 boundary */
};

/*
 * The marks of one lane, in order. They are kept in memory up to a
 * bound and beyond it in a temporary file, so a trace with millions of
 * marks does not hold them all in memory.
 */
struct hg_marks {
	unsigned char *buf; /* records in memory */
	size_t len, cap;
	FILE *spill; /* the records once buf outgrew its bound */
	uint64_t n;
	bool failed;
};

/* hg_marks_each calls fn for each mark in order; stops at fn's non-zero
 * return and returns it (or HG_ENOMEM/HG_EINVAL when the records cannot
 * be read back). */
typedef int (*hg_mark_fn)(void *arg, const struct hg_mark_figures *mk);
int hg_marks_each(struct hg_marks *mk, hg_mark_fn fn, void *arg);

/* ------------------------------------------------------------------ */
/* Fidelity of recorded addresses                                      */
/* ------------------------------------------------------------------ */

/* How many allocating operations (alloc, sysalloc, new, stackalloc) that
 * carried the address the real runtime returned got that very address
 * from the model. addresses == 0: no operation carried one. */
struct hg_fidelity {
	uint64_t addresses, exact;
	bool mismatch; /* the first_mismatch fields are set */
	uint64_t mismatch_event;
	char mismatch_id[128];
	hg_addr recorded, model;
};

/* ------------------------------------------------------------------ */
/* Observers                                                           */
/* ------------------------------------------------------------------ */

struct hg_replay;

/* One applied operation, as the observers see it. */
struct hg_replay_event {
	size_t lane;    /* which model */
	uint64_t index; /* 0-based event index */
	const struct hg_op *op;
	const struct hg_op_result *res;
	bool oom; /* the modeled runtime ran out of memory at this event */
	unsigned line, col;
};

/*
 * An observer. event is called after each operation was applied to a lane
 * (before the checker). It returns 0 to go on, HG_REPLAY_STOP to stop that
 * lane after this event (compare's --at), or a negative hg_err: HG_ENOMEM
 * is the host out of memory, anything else must have been explained with
 * hg_replay_fail first. finish, when not NULL, is called once after the
 * loop ended without an error.
 */
#define HG_REPLAY_STOP 1
struct hg_observer {
	void *ctx;
	int (*event)(void *ctx, struct hg_replay *rp,
		     const struct hg_replay_event *ev);
	int (*finish)(void *ctx, struct hg_replay *rp);
};

/* ------------------------------------------------------------------ */
/* The replay                                                          */
/* ------------------------------------------------------------------ */

#define HG_REPLAY_MAX_LANES 9
#define HG_REPLAY_MAX_OBSERVERS 8

struct hg_replay_lane {
	struct hg_model *model;
	const char *label; /* compare: "go=1.16"; NULL for replay */
	bool stopped;      /* out of memory, or an observer stopped it */
	bool oom;
	unsigned oom_line; /* where it ran out of memory */
	struct hg_marks marks;
	struct hg_fidelity fidelity;
	bool prefetch; /* hg_model_prefetch_wanted, asked every PREFETCH_ASK */
};

/* The checker (--check): off; linear, what each event touched after it
 * (hg_model_check_event) and the whole state at every mark and at the
 * end (hg_model_check); or full, both after every event. */
enum hg_replay_check {
	HG_REPLAY_CHECK_OFF = 0,
	HG_REPLAY_CHECK_LINEAR,
	HG_REPLAY_CHECK_FULL,
};

struct hg_replay {
	/* Options, set before hg_replay_run. */
	int check;         /* enum hg_replay_check */
	bool record_marks; /* keep the figures at every mark */
	/* Skip an operation the model rejects as inconsistent with the
	 * ones before (unknown or live id) instead of stopping: for
	 * generated operations (the fuzzer), never for a trace. */
	bool lenient;
	int format; /* hg_replay_open: the trace's format (HG_FMT_AUTO) */
	/* State. */
	char file[256]; /* the input's name in messages ("<stdin>") */
	struct hg_trace_reader *trace; /* the reader, when opened here */
	struct hg_op_source src;
	struct hg_replay_lane lane[HG_REPLAY_MAX_LANES];
	size_t nlanes;
	struct hg_observer obs[HG_REPLAY_MAX_OBSERVERS];
	size_t nobs;
	int status;
	struct hg_diag err; /* what went wrong (file, line, col, message) */
};

/* hg_replay_init prepares an empty replay; hg_replay_release frees every
 * lane's model, the reader and the marks. */
void hg_replay_init(struct hg_replay *rp);
void hg_replay_release(struct hg_replay *rp);

/*
 * hg_replay_open opens the trace at path ("-" = standard input) as the
 * source, reading its header (hg_replay_info). hg_replay_source uses any
 * other source, named file in messages. Both return a status.
 */
int hg_replay_open(struct hg_replay *rp, const char *path);
/* hg_replay_open_fd reads the trace from fd (the caller's), named name. */
int hg_replay_open_fd(struct hg_replay *rp, int fd, const char *name);
void hg_replay_source(struct hg_replay *rp, const struct hg_op_source *src,
		      const char *file);

/* hg_replay_info is the opened trace's header, or NULL. */
const struct hg_trace_info *hg_replay_info(const struct hg_replay *rp);

/* hg_replay_add_lane creates a model for cfg as the next lane (label is
 * borrowed, may be NULL). Returns a status: an invalid configuration is
 * an input error. */
int hg_replay_add_lane(struct hg_replay *rp, const struct hg_config *cfg,
		       const char *label);
/* hg_replay_add_lane_with is hg_replay_add_lane with model options (an OS
 * backend of the caller's, e.g. one that injects faults). */
struct hg_model_opts;
int hg_replay_add_lane_with(struct hg_replay *rp, const struct hg_config *cfg,
			    const struct hg_model_opts *opts,
			    const char *label);

/* hg_replay_observe attaches an observer (copied); returns a status. */
int hg_replay_observe(struct hg_replay *rp, const struct hg_observer *o);

/*
 * hg_replay_run reads and applies every operation until the end of the
 * source, or until every lane stopped (out of memory, --at), or an error.
 * Returns the status: HG_REPLAY_OK, HG_REPLAY_OOM when a lane ran out of
 * memory (the models keep their state at that event), or an error. Once
 * some lane's id maps have outgrown the host's caches it reads the source
 * three operations ahead of the one it applies (each lane's model fetches
 * what they will need meanwhile: hg_model_prefetch), copying their
 * borrowed strings; before, each operation is read just before it runs.
 * A source error is said when the operations before it have run, as it
 * would be without reading ahead.
 */
int hg_replay_run(struct hg_replay *rp);

/* hg_replay_model is lane i's model. */
struct hg_model *hg_replay_model(const struct hg_replay *rp, size_t i);

/* hg_replay_progress gives the source's progress (0, 0 when unknown). */
void hg_replay_progress(const struct hg_replay *rp, uint64_t *done,
			uint64_t *total);

/*
 * hg_replay_fail records an error (for observers): status is one of the
 * errors above; line 0 leaves the position out. Returns HG_EINVAL for the
 * observer to return. The first error recorded wins.
 */
int hg_replay_fail(struct hg_replay *rp, int status, unsigned line,
		   unsigned col, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* hg_replay_message formats the error as "FILE:LINE:COL: what" (the parts
 * known), or "out of host memory". */
void hg_replay_message(const struct hg_replay *rp, char *buf, size_t len);

#endif /* HG_REPLAY_H */
