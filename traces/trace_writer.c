/*
 * trace_writer.c - writing traces (heapgrow convert): YAML or compact,
 * optionally gzip-compressed through zlib deflate, one op at a time.
 */
#include "trace_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define WBUF (64u * 1024u)

struct hg_trace_writer {
	FILE *f;
	enum hg_trace_format fmt;
	bool gz;
	z_stream zs;
	bool zinit;
	int err; /* first error, sticky */
	struct hg_diag diag;
	uint64_t nevents;
	size_t len;
	unsigned char buf[WBUF];  /* text before compression */
	unsigned char zout[WBUF]; /* compressed bytes */
};

static int fail(struct hg_trace_writer *w, int err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int fail(struct hg_trace_writer *w, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->diag.msg, sizeof(w->diag.msg), fmt, ap);
	va_end(ap);
	if (!w->err)
		w->err = err;
	return err;
}

/* write_failed records a failed write with the system's reason. */
static int write_failed(struct hg_trace_writer *w)
{
	int e = errno;
	int rc = fail(w, HG_EINVAL, "%s", e ? strerror(e) : "write error");

	errno = e; /* for a caller of hg_trace_writer_close */
	return rc;
}

/* deflate_out compresses buf (flush: Z_NO_FLUSH or Z_FINISH) to f. */
static int deflate_out(struct hg_trace_writer *w, int flush)
{
	int zr;

	w->zs.next_in = w->buf;
	w->zs.avail_in = (uInt)w->len;
	do {
		size_t n;

		w->zs.next_out = w->zout;
		w->zs.avail_out = WBUF;
		zr = deflate(&w->zs, flush);
		if (zr == Z_STREAM_ERROR)
			return fail(w, HG_EINVAL, "gzip: deflate failed");
		n = WBUF - w->zs.avail_out;
		if (n && fwrite(w->zout, 1, n, w->f) != n)
			return write_failed(w);
	} while (w->zs.avail_out == 0 ||
		 (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static int flush_buf(struct hg_trace_writer *w, int zflush)
{
	int rc = 0;

	if (w->gz)
		rc = deflate_out(w, zflush);
	else if (w->len && fwrite(w->buf, 1, w->len, w->f) != w->len)
		rc = write_failed(w);
	w->len = 0;
	return rc;
}

static int put(struct hg_trace_writer *w, const char *s, size_t n)
{
	while (n) {
		size_t room = WBUF - w->len, k = n < room ? n : room;

		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == WBUF && flush_buf(w, Z_NO_FLUSH) < 0)
			return w->err;
	}
	return 0;
}

static int puts_(struct hg_trace_writer *w, const char *s)
{
	return put(w, s, strlen(s));
}

static int printf_(struct hg_trace_writer *w, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static int printf_(struct hg_trace_writer *w, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return fail(w, HG_EINVAL, "internal: line too long");
	return put(w, tmp, (size_t)n);
}

/* fmt_size writes v with the largest binary suffix that divides it. */
static void fmt_size(char *b, size_t len, uint64_t v)
{
	static const char *const sfx[] = { "T", "G", "M", "K" };
	static const unsigned sh[] = { 40, 30, 20, 10 };
	size_t i;

	for (i = 0; v && i < 4; i++) {
		if ((v & ((UINT64_C(1) << sh[i]) - 1)) == 0) {
			snprintf(b, len, "%" PRIu64 "%s", v >> sh[i], sfx[i]);
			return;
		}
	}
	snprintf(b, len, "%" PRIu64, v);
}

/* plain tells whether s can be a plain YAML scalar that reads back as
 * the same string (no quoting needed). */
static bool plain(const char *s)
{
	bool numeric = true, dot = false;
	const char *p;

	if (!*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		     (*s >= '0' && *s <= '9') || *s == '_' || *s == '/'))
		return false;
	for (p = s; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '/' ||
		      c == '.' || c == '-' || c == '+'))
			return false;
		if (c == '.')
			dot = true;
		else if (c < '0' || c > '9')
			numeric = false;
	}
	if (numeric && dot)
		return false; /* "1.24" would be a float to other tools */
	return strcmp(s, "null") != 0 && strcmp(s, "Null") != 0 &&
	       strcmp(s, "NULL") != 0;
}

/* utf8_next decodes one code point of valid UTF-8 at s; *n = its bytes. */
static uint32_t utf8_next(const unsigned char *s, unsigned *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	} else if ((s[0] & 0xe0) == 0xc0) {
		*n = 2;
		return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	} else if ((s[0] & 0xf0) == 0xe0) {
		*n = 3;
		return ((uint32_t)(s[0] & 0x0f) << 12) |
		       ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	}
	*n = 4;
	return ((uint32_t)(s[0] & 0x07) << 18) |
	       ((uint32_t)(s[1] & 0x3f) << 12) |
	       ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

/* yaml_printable: characters libyaml takes as they are in a quoted scalar
 * (the BOM and the non-characters U+FFFE/U+FFFF must be escaped). */
static bool yaml_printable(uint32_t cp)
{
	return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) ||
	       (cp >= 0xe000 && cp <= 0xfffd && cp != 0xfeff) ||
	       (cp >= 0x10000 && cp <= 0x10ffff);
}

/* yaml_str writes s as a plain or double-quoted YAML scalar. */
static int yaml_str(struct hg_trace_writer *w, const char *s)
{
	const unsigned char *p;
	unsigned n;

	if (hg_utf8_invalid(s, strlen(s)) != strlen(s))
		return fail(w, HG_EINVAL, "'%.40s' is not valid UTF-8", s);
	if (plain(s))
		return puts_(w, s);
	puts_(w, "\"");
	for (p = (const unsigned char *)s; *p; p += n) {
		uint32_t cp = utf8_next(p, &n);

		if (cp == '"' || cp == '\\') {
			char e[2] = { '\\', (char)cp };

			put(w, e, 2);
		} else if (cp == '\n') {
			puts_(w, "\\n");
		} else if (cp == '\t') {
			puts_(w, "\\t");
		} else if (yaml_printable(cp)) {
			put(w, (const char *)p, n);
		} else if (cp < 0x100) {
			printf_(w, "\\x%02" PRIx32, cp);
		} else if (cp < 0x10000) {
			printf_(w, "\\u%04" PRIx32, cp);
		} else {
			printf_(w, "\\U%08" PRIx32, cp);
		}
	}
	return puts_(w, "\"");
}

static int header_yaml(struct hg_trace_writer *w,
		       const struct hg_trace_info *info)
{
	size_t i;
	bool policy = false;

	puts_(w, "heapgrow: 1\n");
	if (info && info->name[0]) {
		puts_(w, "name: ");
		yaml_str(w, info->name);
		puts_(w, "\n");
	}
	if (info && info->description[0]) {
		puts_(w, "description: ");
		yaml_str(w, info->description);
		puts_(w, "\n");
	}
	if (info && info->nconfig) {
		puts_(w, "config:\n");
		for (i = 0; i < info->nconfig; i++) {
			const struct hg_setting *s = &info->config[i];
			size_t j;

			if (strncmp(s->key, "policy.", 7) == 0) {
				if (policy)
					continue;
				/* All policy.* keys together, in order. */
				policy = true;
				puts_(w, "  policy:\n");
				for (j = i; j < info->nconfig; j++) {
					const struct hg_setting *t =
						&info->config[j];

					if (strncmp(t->key, "policy.", 7))
						continue;
					puts_(w, "    ");
					yaml_str(w, t->key + 7);
					puts_(w, ": ");
					yaml_str(w, t->value);
					puts_(w, "\n");
				}
				continue;
			}
			puts_(w, "  ");
			yaml_str(w, s->key);
			puts_(w, ": ");
			yaml_str(w, s->value);
			puts_(w, "\n");
		}
	}
	return w->err;
}

static bool compact_word(const char *s)
{
	return *s && !strpbrk(s, " \t\r\n");
}

static void comment_line(struct hg_trace_writer *w, const char *label,
			 const char *s)
{
	const char *p;

	puts_(w, "# ");
	puts_(w, label);
	for (p = s; *p; p++)
		put(w, (*p == '\n' || *p == '\r') ? " " : p, 1);
	puts_(w, "\n");
}

static int header_compact(struct hg_trace_writer *w,
			  const struct hg_trace_info *info)
{
	size_t i;

	puts_(w, "heapgrow-trace 1\n");
	if (info && info->name[0])
		comment_line(w, "name: ", info->name);
	if (info && info->description[0])
		comment_line(w, "description: ", info->description);
	for (i = 0; info && i < info->nconfig; i++) {
		const struct hg_setting *s = &info->config[i];

		if (!compact_word(s->key) || strchr(s->key, '=') ||
		    (s->value[0] && !compact_word(s->value)))
			return fail(w, HG_EINVAL,
				    "config %s=%s cannot be "
				    "written in the compact format (blanks)",
				    s->key, s->value);
		printf_(w, "config %s=%s\n", s->key, s->value);
	}
	return w->err;
}

int hg_trace_writer_open(struct hg_trace_writer **out, FILE *f,
			 enum hg_trace_format fmt, bool gzip,
			 const struct hg_trace_info *info, struct hg_diag *d)
{
	struct hg_trace_writer *w = calloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	if (!w) {
		hg_diag_set(d, NULL, 0, 0, "out of memory");
		return HG_ENOMEM;
	}
	w->f = f;
	w->fmt = fmt;
	w->gz = gzip;
	if (gzip) {
		if (deflateInit2(&w->zs, 6, Z_DEFLATED, 15 + 16, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK) {
			free(w);
			hg_diag_set(d, NULL, 0, 0, "cannot initialise zlib");
			return HG_ENOMEM;
		}
		w->zinit = true;
	}
	rc = fmt == HG_FMT_YAML ? header_yaml(w, info)
				: header_compact(w, info);
	if (rc < 0) {
		if (d) {
			d->line = d->col = 0;
			snprintf(d->msg, sizeof(d->msg), "%s", w->diag.msg);
		}
		if (w->zinit)
			deflateEnd(&w->zs);
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

/* present tells whether op has a value for its optional field f. */
static bool present(const struct hg_op *op, enum hg_op_field f)
{
	if (f == HG_FIELD_HINT || f == HG_FIELD_ADDR)
		return op->has_addr;
	if (f == HG_FIELD_NOSCAN)
		return op->noscan;
	if (f == HG_FIELD_SWEPT)
		return op->swept;
	return true;
}

/* as_mapping tells whether the YAML writer writes op as a mapping: always
 * for a mapping op, and for a scalar one (del: O) when one of its optional
 * fields is there (del: {id: O, swept: true}). */
static bool as_mapping(const struct hg_op_spec *k, const struct hg_op *op)
{
	if (k->mapping)
		return true;
	for (unsigned i = 1; k->fields[0] && k->fields[i]; i++) {
		if (present(op, k->fields[i]))
			return true;
	}
	return false;
}

/* field_text formats the value of field f of op (not TEXT or ID). */
static void field_text(char *b, size_t len, const struct hg_op *op,
		       enum hg_op_field f)
{
	switch (f) {
	case HG_FIELD_SIZE_ALL:
		if (op->all) {
			snprintf(b, len, "all");
			break;
		}
		if (op->goal) {
			snprintf(b, len, "goal");
			break;
		}
		/* fall through */
	case HG_FIELD_SIZE:
		fmt_size(b, len, op->size);
		break;
	case HG_FIELD_HINT:
	case HG_FIELD_ADDR:
		snprintf(b, len, "0x%" PRIx64, op->addr);
		break;
	case HG_FIELD_NOSCAN:
		snprintf(b, len, "%s", op->noscan ? "true" : "false");
		break;
	case HG_FIELD_SWEPT:
		snprintf(b, len, "%s", op->swept ? "true" : "false");
		break;
	default:
		snprintf(b, len, "%" PRIu64, op->value);
		break;
	}
}

static int write_yaml(struct hg_trace_writer *w, const struct hg_op *op)
{
	const struct hg_op_spec *k = hg_op_spec(op->kind);
	bool first = true, mapping = as_mapping(k, op);
	char v[32];

	if (w->nevents == 0)
		puts_(w, "events:\n");
	printf_(w, "  - %s: ", k->name);
	if (mapping)
		puts_(w, "{");
	for (unsigned i = 0; k->fields[i]; i++) {
		enum hg_op_field f = k->fields[i];

		if (!present(op, f))
			continue;
		if (mapping)
			printf_(w, "%s%s: ", first ? "" : ", ",
				hg_op_field_name(f));
		first = false;
		if (f == HG_FIELD_ID) {
			yaml_str(w, op->id);
		} else if (f == HG_FIELD_TEXT) {
			yaml_str(w, op->text);
		} else {
			field_text(v, sizeof(v), op, f);
			puts_(w, v);
		}
	}
	if (mapping)
		puts_(w, "}");
	return puts_(w, "\n");
}

static int write_compact(struct hg_trace_writer *w, const struct hg_op *op)
{
	const struct hg_op_spec *k = hg_op_spec(op->kind);
	char v[32];

	puts_(w, k->letter);
	for (unsigned i = 0; k->fields[i]; i++) {
		enum hg_op_field f = k->fields[i];

		if (!present(op, f))
			continue;
		puts_(w, " ");
		if (f == HG_FIELD_ID) {
			puts_(w, op->id);
		} else if (f == HG_FIELD_TEXT) {
			if (strpbrk(op->text, "\r\n"))
				return fail(w, HG_EINVAL,
					    "%s text with a line break "
					    "cannot be written in the compact "
					    "format",
					    k->name);
			puts_(w, op->text);
		} else if (f == HG_FIELD_NOSCAN) {
			puts_(w, "noscan");
		} else if (f == HG_FIELD_SWEPT) {
			puts_(w, "swept");
		} else {
			field_text(v, sizeof(v), op, f);
			if (f == HG_FIELD_ADDR)
				puts_(w, "@");
			puts_(w, v);
		}
	}
	return puts_(w, "\n");
}

int hg_trace_write(struct hg_trace_writer *w, const struct hg_op *op)
{
	const struct hg_op_spec *k = hg_op_spec(op->kind);

	if (w->err)
		return w->err;
	if (!k)
		return fail(w, HG_EINVAL, "unknown op kind %d", (int)op->kind);
	if (hg_op_has_field(k, HG_FIELD_ID) &&
	    (!op->id || !hg_trace_id_valid(op->id)))
		return fail(w, HG_EINVAL, "%s: bad id '%.40s'", k->name,
			    op->id ? op->id : "");
	if (hg_op_has_field(k, HG_FIELD_TEXT) &&
	    (!op->text || !op->text[strspn(op->text, " \t")]))
		return fail(w, HG_EINVAL, "%s: empty text", k->name);
	if (hg_op_has_field(k, HG_FIELD_TEXT) &&
	    strlen(op->text) > HG_TRACE_MAX_TEXT)
		return fail(w, HG_EINVAL,
			    "%s: text of %zu bytes (the limit is %u)", k->name,
			    strlen(op->text), HG_TRACE_MAX_TEXT);
	if (w->fmt == HG_FMT_YAML)
		write_yaml(w, op);
	else
		write_compact(w, op);
	w->nevents++;
	return w->err;
}

const struct hg_diag *hg_trace_writer_diag(const struct hg_trace_writer *w)
{
	return &w->diag;
}

int hg_trace_writer_close(struct hg_trace_writer *w)
{
	int rc;

	if (!w)
		return 0;
	if (!w->err && w->fmt == HG_FMT_YAML && w->nevents == 0)
		puts_(w, "events: []\n");
	if (!w->err)
		flush_buf(w, Z_FINISH);
	if (!w->err && (fflush(w->f) != 0 || ferror(w->f)))
		write_failed(w);
	rc = w->err;
	if (w->zinit)
		deflateEnd(&w->zs);
	free(w);
	return rc;
}
