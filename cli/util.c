/*
 * util.c - error messages, allocation and size formatting for the CLI.
 */
#include "util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hg_core.h"
#include "outfile.h"

/*
 * put_line writes s to standard error as one line: a control character
 * (a newline from a --set value, a tab in a file name) is written as its
 * C escape (\n, \t, \r) or as \xHH, so an error message is always one
 * line however odd the text it quotes.
 */
static void put_line(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", stderr);
		else if (c == '\t')
			fputs("\\t", stderr);
		else if (c == '\r')
			fputs("\\r", stderr);
		else if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
}

void hg_cli_verror_at(const char *file, unsigned line, unsigned col,
		      const char *fmt, va_list ap)
{
	char buf[1024], *msg = buf;
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, aq);
	va_end(aq);
	if (n >= (int)sizeof(buf)) {
		msg = malloc((size_t)n + 1);
		if (msg)
			vsnprintf(msg, (size_t)n + 1, fmt, ap);
		else
			msg = buf; /* cut, but still one line */
	}
	fputs("heapgrow: ", stderr);
	if (file && *file) {
		put_line(file);
		fputc(':', stderr);
		if (line) {
			fprintf(stderr, "%u:", line);
			if (col)
				fprintf(stderr, "%u:", col);
		}
		fputc(' ', stderr);
	}
	put_line(msg);
	fputc('\n', stderr);
	if (msg != buf)
		free(msg);
}

void hg_cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hg_cli_verror_at(NULL, 0, 0, fmt, ap);
	va_end(ap);
}

void hg_cli_error_at(const char *file, unsigned line, unsigned col,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hg_cli_verror_at(file, line, col, fmt, ap);
	va_end(ap);
}

void hg_cli_diag(const struct hg_diag *d)
{
	char buf[sizeof(d->file) + sizeof(d->msg) + 32];

	hg_diag_format(d, buf, sizeof(buf));
	fputs("heapgrow: ", stderr);
	put_line(buf);
	fputc('\n', stderr);
}

void hg_cli_diag_rc(int rc, const struct hg_diag *d)
{
	if (rc == HG_ENOMEM)
		fputs("heapgrow: out of host memory\n", stderr);
	else
		hg_cli_diag(d);
}

void hg_cli_trace_warning(const struct hg_trace_reader *tr)
{
	char msg[sizeof(((struct hg_diag *)0)->msg)];
	struct hg_diag d;

	if (!tr || !hg_trace_warning(tr, &d))
		return;
	memcpy(msg, d.msg, sizeof(msg));
	hg_cli_error_at(d.file, d.line, d.col, "warning: %s", msg);
}

void hg_cli_oom(void)
{
	hg_outfiles_remove(); /* no partial output */
	fputs("heapgrow: out of host memory\n", stderr);
	exit(HG_EXIT_USAGE);
}

void *hg_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		hg_cli_oom();
	return p;
}

void *hg_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		hg_cli_oom();
	return q;
}

char *hg_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = hg_xmalloc(n);

	memcpy(p, s, n);
	return p;
}

const char *hg_display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static const char *const iec_units[] = {
	"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
};

void hg_fmt_iec(char *buf, size_t len, uint64_t v)
{
	unsigned u = 0;
	uint64_t scale = 1;

	if (v < 1024) {
		snprintf(buf, len, "%" PRIu64 " B (%" PRIu64 ")", v, v);
		return;
	}
	while (u + 1 < sizeof(iec_units) / sizeof(iec_units[0]) &&
	       v / scale >= 1024) {
		scale *= 1024;
		u++;
	}
	/* Tenths, rounded to nearest; computed in integers to stay exact. */
	uint64_t whole = v / scale;
	uint64_t rest = v % scale;
	uint64_t tenths = (rest / (scale / 1024) * 10 + 512) / 1024;

	if (tenths >= 10) {
		whole++;
		tenths -= 10;
	}
	snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " %s (%" PRIu64 ")", whole,
		 tenths, iec_units[u], v);
}

void hg_fmt_size_short(char *buf, size_t len, uint64_t v)
{
	unsigned u = 0;

	while (v != 0 && v % 1024 == 0 &&
	       u + 1 < sizeof(iec_units) / sizeof(iec_units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", v, iec_units[u]);
}

int hg_is_decimal(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

bool hg_color_on(FILE *f)
{
	const char *force = getenv("HEAPGROW_COLOR");
	const char *no = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (force && strcmp(force, "always") == 0)
		return true;
	if (force && strcmp(force, "never") == 0)
		return false;
	if (no && no[0])
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(f)) == 1;
}

int hg_verdict(int better, uint64_t base, uint64_t new)
{
	if (base == new || better == HG_BETTER_NEITHER)
		return 0;
	if (better == HG_BETTER_LOWER)
		return new < base ? 1 : -1;
	return new > base ? 1 : -1;
}

const char *hg_color_start(int verdict)
{
	return verdict > 0 ? "\033[32m" : verdict < 0 ? "\033[31m" : "";
}

const char *hg_color_end(int verdict)
{
	return verdict ? "\033[0m" : "";
}
