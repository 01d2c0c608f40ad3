/*
 * util.h - small helpers of the heapgrow command line: error messages,
 * allocation that dies on failure, and size formatting.
 */
#ifndef HG_CLI_UTIL_H
#define HG_CLI_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#if defined(__GNUC__)
#define HG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define HG_NORETURN __attribute__((noreturn))
#else
#define HG_PRINTF(f, a)
#define HG_NORETURN
#endif

/* Exit statuses (README "Exit status", heapgrow(1) EXIT STATUS). */
enum hg_exit {
	HG_EXIT_OK = 0,      /* success */
	HG_EXIT_VERDICT = 1, /* a verdict failed */
	HG_EXIT_USAGE = 2,   /* usage or input error */
	HG_EXIT_OOM = 3,     /* the modeled runtime ran out of memory */
};

/*
 * A broken model invariant (--check) has no status of its own; it is
 * reported as an error with status 2, nothing written.
 */
#define HG_EXIT_INVARIANT HG_EXIT_USAGE

/* hg_cli_error prints "heapgrow: MSG" and a newline to standard error. */
void hg_cli_error(const char *fmt, ...) HG_PRINTF(1, 2);

/*
 * hg_cli_error_at prints "heapgrow: FILE:LINE:COL: MSG", leaving out the
 * parts that are unknown (file NULL, line or col 0).
 */
void hg_cli_error_at(const char *file, unsigned line, unsigned col,
		     const char *fmt, ...) HG_PRINTF(4, 5);

/* hg_cli_verror_at is hg_cli_error_at with a va_list. */
void hg_cli_verror_at(const char *file, unsigned line, unsigned col,
		      const char *fmt, va_list ap) HG_PRINTF(4, 0);

/* hg_cli_diag prints a reader's diagnostic as "heapgrow: FILE:LINE:COL: MSG".
 */
void hg_cli_diag(const struct hg_diag *d);

/* hg_cli_diag_rc prints the diagnostic of a reader that failed with rc:
 * "heapgrow: out of host memory" when the host's memory failed it
 * (HG_ENOMEM, whatever the reader said), else as hg_cli_diag. */
void hg_cli_diag_rc(int rc, const struct hg_diag *d);

/*
 * hg_cli_trace_warning prints what the reader of tr skipped, if anything
 * (an importer's frees of addresses never allocated), as
 * "heapgrow: FILE:LINE:COL: warning: MSG". Call it once the trace is read.
 */
void hg_cli_trace_warning(const struct hg_trace_reader *tr);

/* hg_cli_oom prints "heapgrow: out of host memory" and exits with status 2. */
HG_NORETURN void hg_cli_oom(void);

void *hg_xmalloc(size_t n);
void *hg_xrealloc(void *p, size_t n);
char *hg_xstrdup(const char *s);

/* hg_display_name is how a path appears in messages: "-" reads "<stdin>". */
const char *hg_display_name(const char *path);

/* hg_fmt_iec writes "80.0 MiB (83886080)", or "512 B (512)" below 1 KiB. */
void hg_fmt_iec(char *buf, size_t len, uint64_t v);

/*
 * hg_fmt_size_short writes an exact short form: "64 KiB" when v is a whole
 * number of a binary unit, else the bytes ("12345 B").
 */
void hg_fmt_size_short(char *buf, size_t len, uint64_t v);

/* hg_is_decimal tells whether s is a non-empty string of decimal digits. */
int hg_is_decimal(const char *s);

/*
 * Colour on a terminal (README "Terminal habits"): hg_color_on tells
 * whether to colour what goes to f: HEAPGROW_COLOR=always or never
 * decides; otherwise colour when f is a terminal, TERM is not "dumb" and
 * NO_COLOR is unset or empty. Never on a pipe or a file unless forced.
 */
#include <stdbool.h>
#include <stdio.h>
bool hg_color_on(FILE *f);

/* hg_verdict is +1 when the change from base to new is better for a
 * figure that gets better that way (enum hg_stat_better), -1 when it is
 * worse, 0 when the figure has no direction or did not change. */
int hg_verdict(int better, uint64_t base, uint64_t new);

/* The escapes around a change: green for better, red for worse. */
const char *hg_color_start(int verdict);
const char *hg_color_end(int verdict);

#endif /* HG_CLI_UTIL_H */
