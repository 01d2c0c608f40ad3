/*
 * trace.h - reading heapgrow traces and config files (libhgtrace).
 *
 * A trace is read as a stream: hg_trace_open reads the header (format
 * version, name, description, config), then hg_trace_next yields one
 * operation at a time, so memory stays bounded by what the reader needs
 * for one event, not by the trace's length. Formats are recognised by
 * content (trace_reader.c): gzip magic first, then a Go execution trace's
 * header, then the first line that is neither blank nor a '#' comment
 * ("heapgrow-trace 1" is the compact format, an mtrace or allocfreetrace
 * record one of those logs, anything else is YAML). The real programs'
 * formats (go-trace, go-allocfreetrace, mtrace) are read by importers that
 * give the same ops as a heapgrow trace would (share/doc/real-traces.md).
 */
#ifndef HG_TRACE_H
#define HG_TRACE_H

#include "hg_core.h"

#include <stdio.h>

/* Where an error is, and what it is. line/col are 1-based; 0 = unknown. */
struct hg_diag {
	char file[256];
	unsigned line, col;
	char msg[256];
};

/* hg_diag_set fills d (file may be NULL to keep d->file). */
void hg_diag_set(struct hg_diag *d, const char *file, unsigned line,
		 unsigned col, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* hg_diag_format writes "FILE:LINE:COL: msg" (omitting unknown parts). */
void hg_diag_format(const struct hg_diag *d, char *buf, size_t len);

/* One "key=value" config setting, keys in dotted form (policy.grow). */
struct hg_setting {
	char key[64];
	char value[128];
	unsigned line, col; /* where it was set */
};

enum hg_trace_format {
	HG_FMT_YAML,
	HG_FMT_COMPACT,
	/* Real programs' traces, read only (the writers take YAML and
	 * compact): */
	HG_FMT_GOTRACE,           /* Go execution trace, go1.23+ */
	HG_FMT_GO_ALLOCFREETRACE, /* GODEBUG=allocfreetrace=1 stderr */
	HG_FMT_MTRACE,            /* glibc mtrace() log */
	HG_FMT_COUNT
};

/* Format argument of the hg_trace_open_*_as functions: recognise it. */
#define HG_FMT_AUTO (-1)

/* hg_trace_format_name: "yaml", "compact", "go-trace",
 * "go-allocfreetrace", "mtrace" (the names --from takes). */
const char *hg_trace_format_name(enum hg_trace_format f);

/* hg_trace_format_parse returns the format called name, or -1. */
int hg_trace_format_parse(const char *name);

struct hg_trace_info {
	enum hg_trace_format format;
	bool gzip;
	char name[128];
	char description[512];
	struct hg_setting *config; /* in file order */
	size_t nconfig;
};

struct hg_trace_reader;

/*
 * hg_trace_open opens path ("-" = standard input) and reads up to the first
 * event. Returns 0, or HG_EINVAL/HG_ENOMEM with d filled
 * (file, line, col, message).
 */
int hg_trace_open(struct hg_trace_reader **out, const char *path,
		  struct hg_diag *d);

/*
 * hg_trace_open_fd reads a trace from fd, which stays the caller's (it is
 * not closed). name is used in diagnostics.
 */
int hg_trace_open_fd(struct hg_trace_reader **out, int fd, const char *name,
		     struct hg_diag *d);

/*
 * hg_trace_open_mem reads a trace from memory (borrowed until
 * hg_trace_close; gzip data is inflated as it is read).
 */
int hg_trace_open_mem(struct hg_trace_reader **out, const void *data,
		      size_t len, const char *name, struct hg_diag *d);

/*
 * hg_trace_info returns the header read by hg_trace_open. name and
 * description are cut (at a UTF-8 boundary) when longer than their arrays.
 */
const struct hg_trace_info *hg_trace_info(const struct hg_trace_reader *r);

/*
 * The _as variants read the input as format (an hg_trace_format) instead
 * of recognising it; HG_FMT_AUTO recognises it as the plain ones do.
 */
int hg_trace_open_as(struct hg_trace_reader **out, const char *path, int format,
		     struct hg_diag *d);
int hg_trace_open_fd_as(struct hg_trace_reader **out, int fd, const char *name,
			int format, struct hg_diag *d);
int hg_trace_open_mem_as(struct hg_trace_reader **out, const void *data,
			 size_t len, const char *name, int format,
			 struct hg_diag *d);

/*
 * hg_trace_warning tells, once the trace has been read, whether the reader
 * skipped records it could not make sense of (an importer's free of an
 * address that was never allocated): it returns their count and fills d
 * with a message positioned at the first of them, or returns 0.
 */
uint64_t hg_trace_warning(const struct hg_trace_reader *r, struct hg_diag *d);

/*
 * hg_trace_next reads the next operation. Returns 1 and fills op (strings
 * borrowed until the next call) and *line, *col, 0 at the end of the trace,
 * or a negative hg_err with d filled. Only syntax and schema are checked
 * here; ids are checked by the model.
 */
int hg_trace_next(struct hg_trace_reader *r, struct hg_op *op, unsigned *line,
		  unsigned *col, struct hg_diag *d);

void hg_trace_close(struct hg_trace_reader *r);

/*
 * hg_trace_progress gives the raw input bytes read so far (compressed
 * bytes for gzip input) and the input's size, or 0 when it is unknown (a
 * pipe or a terminal): a replay's progress.
 */
void hg_trace_progress(const struct hg_trace_reader *r, uint64_t *done,
		       uint64_t *total);

/* Limits of a trace (README, "Limits"): an id's bytes, a mark's text's
 * bytes; the compact reader's longest line is 256 KiB, and the writers
 * refuse what the readers would. */
#define HG_TRACE_MAX_ID 1024u
#define HG_TRACE_MAX_TEXT 65536u

/* hg_trace_id_valid tells whether id is a valid id (letters, digits,
 * '_', '-', '.'; not empty). */
bool hg_trace_id_valid(const char *id);

/*
 * hg_config_load reads a YAML config file (the keys of a trace's config:
 * mapping, policy.* as a nested mapping) into settings. The array is
 * malloc'd; free it with free(). Returns 0 or HG_EINVAL/HG_ENOMEM with d.
 */
int hg_config_load(const char *path, struct hg_setting **out, size_t *n,
		   struct hg_diag *d);

/* hg_config_load_mem is hg_config_load on a YAML text in memory. */
int hg_config_load_mem(const void *data, size_t len, const char *name,
		       struct hg_setting **out, size_t *n, struct hg_diag *d);

/*
 * Writers, for `heapgrow convert`: one operation at a time, streamed.
 * fmt selects YAML or compact; gzip compresses the output. f stays the
 * caller's: it is written to and flushed, never closed. Every call returns
 * 0 or a negative hg_err; hg_trace_writer_diag then says why (a write
 * error, or an op the format cannot hold, e.g. a compact mark text with a
 * newline). hg_trace_writer_close finishes the output (closing the events
 * and the gzip stream), frees w and returns the first error, if any.
 */
struct hg_trace_writer;
int hg_trace_writer_open(struct hg_trace_writer **out, FILE *f,
			 enum hg_trace_format fmt, bool gzip,
			 const struct hg_trace_info *info, struct hg_diag *d);
int hg_trace_write(struct hg_trace_writer *w, const struct hg_op *op);
const struct hg_diag *hg_trace_writer_diag(const struct hg_trace_writer *w);
int hg_trace_writer_close(struct hg_trace_writer *w);

#endif /* HG_TRACE_H */
