/*
 * trace_reader.c - opening a trace: pick the input (path, "-", descriptor
 * or memory), recognise the format by content and hand over to the YAML
 * or compact reader.
 */
#include "trace_internal.h"

#include <errno.h>
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

int hg__parse_op_size(struct hg_trace_reader *r, const char *what,
		      const char *s, size_t n, uint64_t *out, unsigned line,
		      unsigned col)
{
	char tmp[96], q[48];

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

/*
 * detect looks at the first line that is neither blank nor a '#' comment:
 * "heapgrow-trace" there means the compact format, anything else YAML.
 * It only looks ahead in the source buffer and consumes nothing.
 */
static int detect(struct hg_trace_reader *r, bool *compact)
{
	static const char magic[] = "heapgrow-trace";
	const size_t mlen = sizeof(magic) - 1;
	struct hg_src *s = &r->src;
	size_t i = 0;

	*compact = false;
	for (;;) {
		const unsigned char *b = s->buf + s->pos;
		size_t n = s->len - s->pos;
		const unsigned char *nl;

		if (i == 0 && n >= 3 && b[0] == 0xef && b[1] == 0xbb &&
		    b[2] == 0xbf)
			i = 3;
		while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' ||
				 b[i] == '\n'))
			i++;
		if (i < n && b[i] == '#') {
			nl = memchr(b + i, '\n', n - i);
			if (nl) {
				i = (size_t)(nl - b);
				continue;
			}
		} else if (i + mlen + 1 <= n || (s->eof && i < n)) {
			size_t rest = n - i;

			*compact = rest >= mlen &&
				   memcmp(b + i, magic, mlen) == 0 &&
				   (rest == mlen || b[i + mlen] == ' ' ||
				    b[i + mlen] == '\t' ||
				    b[i + mlen] == '\r' || b[i + mlen] == '\n');
			return 0;
		}
		if (s->eof || s->len == HG_SRC_BUFSIZE)
			return 0;
		if (hg__src_fill(s) < 0) {
			hg_diag_set(r->d, NULL, 0, 0, "%s", s->err);
			return HG_EINVAL;
		}
	}
}

static int reader_start(struct hg_trace_reader *r, struct hg_diag *d)
{
	bool compact;
	int rc;

	r->d = &r->saved;
	rc = detect(r, &compact);
	if (rc == 0) {
		int go = hg__gotrace_detect(r);

		r->info.gzip = r->src.gz;
		if (go < 0) {
			rc = go;
		} else if (go) {
			r->info.format = HG_FMT_GOTRACE;
			rc = hg__gotrace_open(r);
		} else if (compact) {
			r->info.format = HG_FMT_COMPACT;
			rc = hg__compact_open(r);
		} else {
			r->info.format = HG_FMT_YAML;
			rc = hg__yaml_open(r);
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
		    int rc, struct hg_diag *d)
{
	if (rc == 0)
		rc = reader_start(r, d);
	else
		hg_diag_set(d, r->file, 0, 0, "out of memory");
	if (rc < 0) {
		hg_trace_close(r);
		*out = NULL;
		return rc;
	}
	*out = r;
	return 0;
}

int hg_trace_open_fd(struct hg_trace_reader **out, int fd, const char *name,
		     struct hg_diag *d)
{
	struct hg_trace_reader *r;
	int rc = reader_new(out, name ? name : "<fd>", d);

	if (rc < 0)
		return rc;
	r = *out;
	return open_src(out, r, hg__src_open_fd(&r->src, fd, false), d);
}

int hg_trace_open_mem(struct hg_trace_reader **out, const void *data,
		      size_t len, const char *name, struct hg_diag *d)
{
	struct hg_trace_reader *r;
	int rc = reader_new(out, name ? name : "<memory>", d);

	if (rc < 0)
		return rc;
	r = *out;
	return open_src(out, r, hg__src_open_mem(&r->src, data, len), d);
}

int hg_trace_open(struct hg_trace_reader **out, const char *path,
		  struct hg_diag *d)
{
	struct hg_trace_reader *r;
	int fd, rc;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		return hg_trace_open_fd(out, STDIN_FILENO, "<stdin>", d);
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
	return open_src(out, r, hg__src_open_fd(&r->src, fd, true), d);
}

const struct hg_trace_info *hg_trace_info(const struct hg_trace_reader *r)
{
	return &r->info;
}

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
	memset(op, 0, sizeof(*op));
	r->d = &r->saved;
	if (r->info.format == HG_FMT_GOTRACE)
		rc = hg__gotrace_next_op(r, op, &l, &c);
	else if (r->info.format == HG_FMT_COMPACT)
		rc = hg__compact_next_op(r, op, &l, &c);
	else
		rc = hg__yaml_next_op(r, op, &l, &c);
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
	hg__yaml_close(r);
	hg__compact_close(r);
	hg__gotrace_close(r);
	hg__src_close(&r->src);
	free(r->info.config);
	free(r->id);
	free(r->text);
	free(r);
}
