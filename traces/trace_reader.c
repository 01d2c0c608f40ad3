/*
 * trace_reader.c - opening a trace: pick the input (path, "-", descriptor
 * or memory), recognise the format by content (or take the one asked for)
 * and hand over to its reader: YAML, compact, or an importer of a real
 * program's trace.
 */
#include "trace_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int hg__reader_str(char **buf, size_t *cap, const char *s, size_t n)
{
	if (n + 1 > *cap) {
		size_t ncap = *cap ? *cap : 64;
		char *nb;

		while (ncap < n + 1)
			ncap *= 2;
		nb = realloc(*buf, ncap);
		if (!nb)
			return HG_ENOMEM;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf, s, n);
	(*buf)[n] = '\0';
	return 0;
}

/*
 * quick_size parses the common sizes (up to 18 decimal digits and an
 * optional K, M, G or T suffix, with or without "iB") as hg_parse_size
 * does, without its division per digit; false: leave it to hg_parse_size.
 */
static bool quick_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift;
	size_t i = 0;

	if (HG_DIGITS_SWAR && n >= 4 && n <= 8) {
		/* n bytes, zero bytes after them (not digits): all digits is
		 * the plain size most traces write. */
		uint32_t lo, hi;
		uint64_t w;

		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		w = (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
		if (hg__digit_run(w) >= n) {
			*out = hg__digits_value(w, (unsigned)n);
			return true;
		}
	}
	while (i < n && i < 18 && s[i] >= '0' && s[i] <= '9')
		v = v * 10 + (uint64_t)(s[i++] - '0');
	if (i == 0 || (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == 'x' ||
				 s[i] == 'X')))
		return false;
	if (i == n) {
		*out = v;
		return true;
	}
	if (n - i != 1 && !(n - i == 3 && s[i + 1] == 'i' && s[i + 2] == 'B'))
		return false;
	shift = hg__size_shift(s[i]);
	if (!shift || v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

int hg__parse_op_size(struct hg_trace_reader *r, const char *what,
		      const char *s, size_t n, uint64_t *out, unsigned line,
		      unsigned col)
{
	char tmp[96], q[48];

	if (quick_size(s, n, out))
		return 0;
	if (n < sizeof(tmp) && !memchr(s, '\0', n)) {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		if (hg_parse_size(tmp, out) == 0)
			return 0;
		hg_diag_set(r->d, NULL, line, col, "bad %s '%s': %s", what,
			    hg__quote(q, sizeof(q), s, n),
			    hg__size_problem(tmp));
		return HG_EINVAL;
	}
	hg_diag_set(r->d, NULL, line, col, "bad %s '%s': not a size", what,
		    hg__quote(q, sizeof(q), s, n));
	return HG_EINVAL;
}

/* The formats, indexed by enum hg_trace_format. */
static const struct hg__format formats[HG_FMT_COUNT] = {
	[HG_FMT_YAML] = { "yaml", hg__yaml_open, hg__yaml_next_op,
			  hg__yaml_close },
	[HG_FMT_COMPACT] = { "compact", hg__compact_open, hg__compact_next_op,
			     hg__compact_close },
	[HG_FMT_GOTRACE] = { "go-trace", hg__gotrace_open, hg__gotrace_next_op,
			     hg__gotrace_close },
	[HG_FMT_GO_ALLOCFREETRACE] = { "go-allocfreetrace", hg__afl_open,
				       hg__textimp_next_op, hg__textimp_close },
	[HG_FMT_MTRACE] = { "mtrace", hg__mtrace_open, hg__textimp_next_op,
			    hg__textimp_close },
};

const char *hg_trace_format_name(enum hg_trace_format f)
{
	return (unsigned)f < HG_FMT_COUNT ? formats[f].name : "unknown";
}

int hg_trace_format_parse(const char *name)
{
	for (int i = 0; i < HG_FMT_COUNT; i++)
		if (strcmp(formats[i].name, name) == 0)
			return i;
	return -1;
}

/* How much of the input detection looks at: a Go program may print some
 * lines of its own before the first allocfreetrace record. */
#define DETECT_BYTES (16u * 1024u)

static bool has_prefix(const unsigned char *b, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && memcmp(b, p, k) == 0;
}

/* A line (without its newline and '\r') that says which format it is. */
static int line_format(const unsigned char *b, size_t n)
{
	const char *l = (const char *)b;
	static const char magic[] = "heapgrow-trace";
	const size_t mlen = sizeof(magic) - 1;

	if (n >= mlen && memcmp(b, magic, mlen) == 0 &&
	    (n == mlen || b[mlen] == ' ' || b[mlen] == '\t'))
		return HG_FMT_COMPACT;
	if (hg__afl_line_is_record(l, n) || has_prefix(b, n, "MARK "))
		return HG_FMT_GO_ALLOCFREETRACE;
	if (hg__mtrace_line_is_record(l, n))
		return HG_FMT_MTRACE;
	return -1;
}

/* yaml_key_line: "key:" or "key: value" at the start, as a YAML trace's
 * header lines are (heapgrow:, name:, config:, events:). */
static bool yaml_key_line(const unsigned char *b, size_t n)
{
	size_t i = 0;

	if (has_prefix(b, n, "---") || has_prefix(b, n, "%"))
		return true;
	while (i < n &&
	       ((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= 'A' && b[i] <= 'Z') ||
		b[i] == '_' || (i > 0 && b[i] >= '0' && b[i] <= '9')))
		i++;
	return i > 0 && i < n && b[i] == ':' &&
	       (i + 1 == n || b[i + 1] == ' ' || b[i + 1] == '\t');
}

/*
 * scan looks at the complete lines of b[0, n) (all of it when eof):
 * returns a format, or -1 when they do not tell yet.
 */
static int scan(const unsigned char *b, size_t n, bool eof)
{
	size_t i = 0;
	bool first = true;

	if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		i = 3;
	while (i < n && i < DETECT_BYTES) {
		const unsigned char *nl = memchr(b + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - b) : n, len, ls = i;
		int f;

		if (!nl && !eof)
			return -1;
		while (i < end && (b[i] == ' ' || b[i] == '\t'))
			i++;
		len = end - i;
		if (len && b[i + len - 1] == '\r')
			len--;
		if (first && len && b[i] != '#') {
			first = false;
			f = line_format(b + i, len);
			if (f >= 0)
				return f;
			/* A YAML trace says what it is first. */
			if (yaml_key_line(b + i, len))
				return HG_FMT_YAML;
		} else if (!first && i == ls &&
			   hg__afl_line_is_record((const char *)b + i, len)) {
			return HG_FMT_GO_ALLOCFREETRACE;
		}
		if (!nl)
			break;
		i = end + 1;
	}
	return i >= DETECT_BYTES || eof ? HG_FMT_YAML : -1;
}

/*
 * detect recognises the format (share/doc/real-traces.md, "Formats"): a Go
 * execution trace by its header (hg__gotrace_detect); else the first line
 * that is neither blank nor a '#' comment: "heapgrow-trace" is the compact
 * format, an allocfreetrace record (or a MARK line) go-allocfreetrace, an
 * mtrace record or "= Start" mtrace, a YAML key YAML; else an
 * allocfreetrace record on a line of its own in the first DETECT_BYTES;
 * else YAML. It reads only as far as it needs to decide (a pipe's first
 * line is enough), and consumes nothing.
 */
static int detect(struct hg_trace_reader *r, enum hg_trace_format *fmt)
{
	struct hg_src *s = &r->src;
	int go, f;

	*fmt = HG_FMT_YAML;
	go = hg__gotrace_detect(r);
	if (go) {
		if (go > 0)
			*fmt = HG_FMT_GOTRACE;
		return go < 0 ? go : 0;
	}
	for (;;) {
		f = scan(s->buf + s->pos, s->len - s->pos, s->eof);
		if (f >= 0 || s->len == HG_SRC_BUFSIZE)
			break;
		if (hg__src_fill(s) < 0) {
			hg_diag_set(r->d, NULL, 0, 0, "%s", s->err);
			return hg__src_error(s);
		}
	}
	if (f >= 0)
		*fmt = (enum hg_trace_format)f;
	return 0;
}

static int reader_start(struct hg_trace_reader *r, int format,
			struct hg_diag *d)
{
	enum hg_trace_format f;
	int rc;

	r->d = &r->saved;
	rc = detect(r, &f);
	if (rc == 0 && format >= 0) {
		if (format == HG_FMT_COMPACT && f != HG_FMT_COMPACT) {
			hg_diag_set(r->d, NULL, 1, 0,
				    "not a compact trace (its first line is "
				    "not 'heapgrow-trace 1')");
			rc = HG_EINVAL;
		}
		f = (enum hg_trace_format)format;
	}
	if (rc == 0) {
		r->info.gzip = r->src.gz;
		r->info.format = f;
		r->fmt = &formats[f];
		if (!r->fmt->open) {
			hg_diag_set(r->d, NULL, 0, 0,
				    "%s traces cannot be read by this build",
				    r->fmt->name);
			rc = HG_EINVAL;
		} else {
			rc = r->fmt->open(r);
		}
	}
	if (rc < 0 && d)
		*d = r->saved;
	return rc;
}

static int reader_new(struct hg_trace_reader **out, const char *name,
		      struct hg_diag *d)
{
	struct hg_trace_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r) {
		hg_diag_set(d, name, 0, 0, "out of memory");
		return HG_ENOMEM;
	}
	snprintf(r->file, sizeof(r->file), "%s", name);
	snprintf(r->saved.file, sizeof(r->saved.file), "%s", name);
	*out = r;
	return 0;
}

static int open_src(struct hg_trace_reader **out, struct hg_trace_reader *r,
		    int rc, int format, struct hg_diag *d)
{
	if (format != HG_FMT_AUTO && (format < 0 || format >= HG_FMT_COUNT)) {
		hg_diag_set(d, r->file, 0, 0, "unknown trace format %d",
			    format);
		rc = HG_EINVAL;
	} else if (rc == 0) {
		rc = reader_start(r, format, d);
	} else {
		hg_diag_set(d, r->file, 0, 0, "out of memory");
	}
	if (rc < 0) {
		hg_trace_close(r);
		*out = NULL;
		return rc;
	}
	*out = r;
	return 0;
}

int hg_trace_open_fd_as(struct hg_trace_reader **out, int fd, const char *name,
			int format, struct hg_diag *d)
{
	struct hg_trace_reader *r;
	int rc = reader_new(out, name ? name : "<fd>", d);

	if (rc < 0)
		return rc;
	r = *out;
	return open_src(out, r, hg__src_open_fd(&r->src, fd, false), format, d);
}

int hg_trace_open_fd(struct hg_trace_reader **out, int fd, const char *name,
		     struct hg_diag *d)
{
	return hg_trace_open_fd_as(out, fd, name, HG_FMT_AUTO, d);
}

int hg_trace_open_mem_as(struct hg_trace_reader **out, const void *data,
			 size_t len, const char *name, int format,
			 struct hg_diag *d)
{
	struct hg_trace_reader *r;
	int rc = reader_new(out, name ? name : "<memory>", d);

	if (rc < 0)
		return rc;
	r = *out;
	return open_src(out, r, hg__src_open_mem(&r->src, data, len), format,
			d);
}

int hg_trace_open_mem(struct hg_trace_reader **out, const void *data,
		      size_t len, const char *name, struct hg_diag *d)
{
	return hg_trace_open_mem_as(out, data, len, name, HG_FMT_AUTO, d);
}

int hg_trace_open_as(struct hg_trace_reader **out, const char *path, int format,
		     struct hg_diag *d)
{
	struct hg_trace_reader *r;
	int fd, rc;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		return hg_trace_open_fd_as(out, STDIN_FILENO, "<stdin>", format,
					   d);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		hg_diag_set(d, "", 0, 0, "cannot open '%s': %s", path,
			    strerror(e));
		return HG_EINVAL;
	}
	rc = reader_new(out, path, d);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	r = *out;
	return open_src(out, r, hg__src_open_fd(&r->src, fd, true), format, d);
}

int hg_trace_open(struct hg_trace_reader **out, const char *path,
		  struct hg_diag *d)
{
	return hg_trace_open_as(out, path, HG_FMT_AUTO, d);
}

const struct hg_trace_info *hg_trace_info(const struct hg_trace_reader *r)
{
	return &r->info;
}

uint64_t hg_trace_warning(const struct hg_trace_reader *r, struct hg_diag *d)
{
	if (r->nwarn && d) {
		*d = r->warn;
		if (r->nwarn > 1) {
			size_t n = strlen(d->msg);

			snprintf(d->msg + n, sizeof(d->msg) - n,
				 " (%" PRIu64 " such records skipped)",
				 r->nwarn);
		}
	}
	return r->nwarn;
}

static const struct hg_op zero_op;

int hg_trace_next(struct hg_trace_reader *r, struct hg_op *op, unsigned *line,
		  unsigned *col, struct hg_diag *d)
{
	unsigned l = 0, c = 0;
	int rc;

	if (r->status < 0) {
		if (d)
			*d = r->saved;
		return r->status;
	}
	if (r->status > 0)
		return 0;
	/* Copied from a zero op: a few wide stores (memset's inline form here
	 * is a string instruction, slow for a struct this small). */
	*op = zero_op;
	r->d = &r->saved;
	rc = r->fmt->next(r, op, &l, &c);
	if (rc < 0) {
		r->status = rc;
		if (d)
			*d = r->saved;
		return rc;
	}
	if (rc == 0) {
		r->status = 1;
		return 0;
	}
	/* The id is hashed once, for the id tables (hg_op.id_hash): here,
	 * unless the reader did as it read the id. */
	if (op->id && !op->id_hash) {
		if (!op->id_len)
			op->id_len = strlen(op->id);
		op->id_hash = hg_id_hash(op->id, op->id_len);
	}
	if (line)
		*line = l;
	if (col)
		*col = c;
	return 1;
}

void hg_trace_close(struct hg_trace_reader *r)
{
	if (!r)
		return;
	if (r->fmt && r->fmt->close)
		r->fmt->close(r);
	hg__src_close(&r->src);
	free(r->info.config);
	free(r->id);
	free(r->text);
	free(r);
}

int hg__add_go_run_settings(struct hg_trace_reader *r)
{
	int rc = hg__add_setting(&r->info.config, &r->info.nconfig,
				 &r->config_cap, "gc", "trace", 5, 0, 0, r->d);
	if (rc < 0)
		return rc;
	return hg__add_setting(&r->info.config, &r->info.nconfig,
			       &r->config_cap, "mark_readmemstats", "true", 4,
			       0, 0, r->d);
}
