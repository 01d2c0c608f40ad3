/*
 * jsonread.c - the strict JSON reader behind heapgrow diff.
 */
#include "jsonread.h"

#include "hg_core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	const char *p, *end;
	const char *line_start;
	unsigned line;
	struct hg_jerror *err;
	bool failed;
	bool reals; /* read fractions and exponents (HG_JREAL) */
};

static unsigned col_of(const struct reader *r, const char *at)
{
	return (unsigned)(at - r->line_start) + 1;
}

static int fail_at(struct reader *r, const char *at, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int fail_at(struct reader *r, const char *at, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return -1;
	r->failed = true;
	r->err->line = r->line;
	r->err->col = col_of(r, at);
	va_start(ap, fmt);
	vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* oom_at is fail_at for the host's memory failing. */
static int oom_at(struct reader *r, const char *at)
{
	bool first = !r->failed;

	fail_at(r, at, "out of memory");
	if (first)
		r->err->enomem = true;
	return -1;
}

static void skip_ws(struct reader *r)
{
	while (r->p < r->end) {
		char c = *r->p;

		if (c == '\n') {
			r->line++;
			r->line_start = ++r->p;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			r->p++;
		} else {
			break;
		}
	}
}

/* describe writes what is at p for a message: "'x'", "end of input". */
static const char *describe(const struct reader *r, const char *p, char *buf,
			    size_t len)
{
	unsigned char c;

	if (p >= r->end)
		return "end of input";
	c = (unsigned char)*p;
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", c);
	return buf;
}

static int hex4(const char *p, const char *end, uint32_t *out)
{
	uint32_t v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * read_string reads the string at r->p (at its opening quote) into a
 * malloc'd, NUL-terminated copy. The decoded text is never longer than
 * the source, so one allocation of the source length suffices.
 */
static int read_string(struct reader *r, char **out)
{
	const char *start = r->p++;
	const char *q = r->p;
	char *buf, *o;

	/* Find the closing quote first, to size the buffer. */
	while (q < r->end && *q != '"') {
		if (*q == '\\' && q + 1 < r->end)
			q++;
		if (*q == '\n')
			break;
		q++;
	}
	if (q >= r->end || *q != '"')
		return fail_at(r, start, "unterminated string");
	buf = malloc((size_t)(q - r->p) + 1);
	if (!buf)
		return oom_at(r, start);
	o = buf;
	while (*r->p != '"') {
		unsigned char c = (unsigned char)*r->p;
		uint32_t cp, lo;
		size_t n;

		if (c < 0x20) {
			free(buf);
			return fail_at(r, r->p,
				       "control character 0x%02x in a string "
				       "(write it as \\u%04x)",
				       c, c);
		}
		if (c != '\\') {
			n = hg_utf8_len((const unsigned char *)r->p,
					(size_t)(r->end - r->p));
			if (n == 0) {
				free(buf);
				return fail_at(r, r->p, "invalid UTF-8");
			}
			memcpy(o, r->p, n);
			o += n;
			r->p += n;
			continue;
		}
		switch (r->p[1]) {
		case '"':
		case '\\':
		case '/':
			*o++ = r->p[1];
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (hex4(r->p + 2, r->end, &cp) != 0) {
				free(buf);
				return fail_at(r, r->p,
					       "\\u needs four hex digits");
			}
			if (cp == 0) {
				free(buf);
				return fail_at(r, r->p,
					       "\\u0000 is not allowed");
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				free(buf);
				return fail_at(r, r->p, "lone low surrogate");
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (r->end - r->p < 12 || r->p[6] != '\\' ||
				    r->p[7] != 'u' ||
				    hex4(r->p + 8, r->end, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff) {
					free(buf);
					return fail_at(r, r->p,
						       "lone high surrogate");
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				r->p += 6;
			}
			/* 6 source bytes make at most 4 (or 12 make 4). */
			o += put_utf8(o, cp);
			r->p += 4;
			break;
		default:
			free(buf);
			return fail_at(r, r->p, "bad escape in a string");
		}
		r->p += 2;
	}
	r->p++;
	*o = '\0';
	*out = buf;
	return 0;
}

/* read_real reads the fraction and exponent of the number at start
 * (JSON's grammar), its integer part already read. */
static int read_real(struct reader *r, struct hg_jvalue *v, const char *start)
{
	char buf[64];
	size_t n;

	if (*r->p == '.') {
		r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return fail_at(r, start, "bad number");
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return fail_at(r, start, "bad number");
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	n = (size_t)(r->p - start);
	if (n >= sizeof(buf))
		return fail_at(r, start, "number too long");
	memcpy(buf, start, n);
	buf[n] = '\0';
	v->type = HG_JREAL;
	v->d = strtod(buf, NULL);
	return 0;
}

static int read_number(struct reader *r, struct hg_jvalue *v)
{
	const char *start = r->p;
	uint64_t u = 0;

	if (*r->p == '-') {
		v->neg = true;
		r->p++;
	}
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return fail_at(r, start, "bad number");
	if (*r->p == '0' && r->p + 1 < r->end && r->p[1] >= '0' &&
	    r->p[1] <= '9')
		return fail_at(r, start, "leading zero in a number");
	for (; r->p < r->end && *r->p >= '0' && *r->p <= '9'; r->p++) {
		unsigned d = (unsigned)(*r->p - '0');

		if (u > (UINT64_MAX - d) / 10)
			return fail_at(r, start,
				       "integer does not fit in 64 bits");
		u = u * 10 + d;
	}
	if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E')) {
		if (!r->reals)
			return fail_at(r, start,
				       "only integers are expected, not "
				       "fractions or exponents");
		return read_real(r, v, start);
	}
	v->type = HG_JINT;
	v->u = u;
	v->d = v->neg ? -(double)u : (double)u;
	if (u == 0)
		v->neg = false;
	return 0;
}

static bool word(struct reader *r, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return false;
	r->p += n;
	return true;
}

static int read_value(struct reader *r, struct hg_jvalue *v, int depth);

/* read_members reads the object ({...}, members with keys) or the array
 * ([...]) at r->p. */
static int read_members(struct reader *r, struct hg_jvalue *v, int depth)
{
	bool object = *r->p == '{';
	char close = object ? '}' : ']';
	size_t cap = 0;
	char buf[32];

	v->type = object ? HG_JOBJECT : HG_JARRAY;
	if (depth >= HG_JREAD_MAX_DEPTH)
		return fail_at(r, r->p, "%s nested more than %d deep",
			       object ? "objects" : "arrays",
			       HG_JREAD_MAX_DEPTH);
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		struct hg_jmember *m;
		const char *keyat;

		skip_ws(r);
		keyat = r->p;
		if (object && (r->p >= r->end || *r->p != '"'))
			return fail_at(r, r->p, "expected a key string, not %s",
				       describe(r, r->p, buf, sizeof(buf)));
		if (v->nmembers == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct hg_jmember *nm =
				realloc(v->members, ncap * sizeof(*nm));

			if (!nm)
				return oom_at(r, r->p);
			v->members = nm;
			cap = ncap;
		}
		m = &v->members[v->nmembers];
		memset(m, 0, sizeof(*m));
		if (object && read_string(r, &m->key) != 0)
			return -1;
		v->nmembers++;
		if (object) {
			for (size_t i = 0; i + 1 < v->nmembers; i++)
				if (strcmp(v->members[i].key, m->key) == 0)
					return fail_at(r, keyat,
						       "duplicate key "
						       "\"%.60s\" (first "
						       "at %u:%u)",
						       m->key,
						       v->members[i].v.line,
						       v->members[i].v.col);
			skip_ws(r);
			if (r->p >= r->end || *r->p != ':')
				return fail_at(
					r, r->p, "expected ':', not %s",
					describe(r, r->p, buf, sizeof(buf)));
			r->p++;
			skip_ws(r);
		}
		if (read_value(r, &m->v, depth + 1) != 0)
			return -1;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return 0;
		}
		return fail_at(r, r->p, "expected ',' or '%c', not %s", close,
			       describe(r, r->p, buf, sizeof(buf)));
	}
}

/* read_value reads the value at r->p (whitespace already skipped). */
static int read_value(struct reader *r, struct hg_jvalue *v, int depth)
{
	char buf[32];

	v->line = r->line;
	v->col = col_of(r, r->p);
	if (r->p >= r->end)
		return fail_at(r, r->p, "expected a value, not end of input");
	switch (*r->p) {
	case '{':
	case '[':
		return read_members(r, v, depth);
	case '"':
		v->type = HG_JSTRING;
		return read_string(r, &v->s);
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		return read_number(r, v);
	default:
		break;
	}
	if (word(r, "true")) {
		v->type = HG_JBOOL;
		v->b = true;
	} else if (word(r, "false")) {
		v->type = HG_JBOOL;
	} else if (word(r, "null")) {
		v->type = HG_JNULL;
	} else {
		return fail_at(r, r->p, "expected a value, not %s",
			       describe(r, r->p, buf, sizeof(buf)));
	}
	/* "nullx", "true1": a literal runs into more letters. */
	if (r->p < r->end &&
	    ((*r->p >= 'a' && *r->p <= 'z') || (*r->p >= '0' && *r->p <= '9')))
		return fail_at(r, r->p, "unexpected %s after a literal",
			       describe(r, r->p, buf, sizeof(buf)));
	return 0;
}

static int jread(const char *text, size_t len, struct hg_jvalue *out,
		 struct hg_jerror *err, bool reals)
{
	struct reader r;
	char buf[32];

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	r.p = text;
	r.end = text + len;
	r.line_start = text;
	r.line = 1;
	r.err = err;
	r.failed = false;
	r.reals = reals;
	skip_ws(&r);
	if (read_value(&r, out, 0) == 0) {
		skip_ws(&r);
		if (r.p == r.end)
			return 0;
		fail_at(&r, r.p, "unexpected %s after the value",
			describe(&r, r.p, buf, sizeof(buf)));
	}
	hg_jfree(out);
	return -1;
}

int hg_jread(const char *text, size_t len, struct hg_jvalue *out,
	     struct hg_jerror *err)
{
	return jread(text, len, out, err, false);
}

int hg_jread_numbers(const char *text, size_t len, struct hg_jvalue *out,
		     struct hg_jerror *err)
{
	return jread(text, len, out, err, true);
}

void hg_jfree(struct hg_jvalue *v)
{
	if (!v)
		return;
	free(v->s);
	for (size_t i = 0; i < v->nmembers; i++) {
		free(v->members[i].key);
		hg_jfree(&v->members[i].v);
	}
	free(v->members);
	memset(v, 0, sizeof(*v));
}

const struct hg_jvalue *hg_jget(const struct hg_jvalue *v, const char *key)
{
	if (!v || v->type != HG_JOBJECT)
		return NULL;
	for (size_t i = 0; i < v->nmembers; i++)
		if (strcmp(v->members[i].key, key) == 0)
			return &v->members[i].v;
	return NULL;
}

const char *hg_jtype_name(enum hg_jtype t)
{
	switch (t) {
	case HG_JNULL:
		return "null";
	case HG_JBOOL:
		return "a boolean";
	case HG_JINT:
		return "an integer";
	case HG_JSTRING:
		return "a string";
	case HG_JOBJECT:
		return "an object";
	case HG_JARRAY:
		return "an array";
	case HG_JREAL:
		return "a number with a fraction or exponent";
	}
	return "a value";
}

bool hg_jequal(const struct hg_jvalue *a, const struct hg_jvalue *b,
	       bool numeric)
{
	if (!a || !b)
		return !a && !b;
	if (numeric && (a->type == HG_JINT || a->type == HG_JREAL) &&
	    (b->type == HG_JINT || b->type == HG_JREAL) && a->type != b->type)
		return a->d == b->d;
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case HG_JNULL:
		return true;
	case HG_JBOOL:
		return a->b == b->b;
	case HG_JINT:
		return a->u == b->u && a->neg == b->neg;
	case HG_JREAL:
		return a->d == b->d;
	case HG_JSTRING:
		return strcmp(a->s, b->s) == 0;
	case HG_JOBJECT:
	case HG_JARRAY:
		if (a->nmembers != b->nmembers)
			return false;
		for (size_t i = 0; i < a->nmembers; i++) {
			const struct hg_jvalue *bv =
				a->type == HG_JARRAY
					? &b->members[i].v
					: hg_jget(b, a->members[i].key);

			if (!hg_jequal(&a->members[i].v, bv, numeric))
				return false;
		}
		return true;
	}
	return false;
}
