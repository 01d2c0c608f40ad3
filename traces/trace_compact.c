/*
 * trace_compact.c - the compact text format, one event per line:
 *
 *	heapgrow-trace 1
 *	config platform=linux/386 go=1.9
 *	a 1 40K
 *
 * Lines are read straight out of the source buffer, so memory is one
 * buffer (HG_SRC_BUFSIZE, the longest line) whatever the trace's length.
 */
#include "trace_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The most words an event has: its letter and HG_OP_MAX_FIELDS. */
#define MAX_TOKENS (1 + HG_OP_MAX_FIELDS)

struct tok {
	const char *s;
	size_t n;
	unsigned col;
};

/* The fast path's index of the op table: a compact word of one or two
 * lowercase letters c0 c1 at (c0 - 'a' + 1) * 27 + (c1 - 'a' + 1), a
 * one-letter word with c1 0. */
#define LETTER_SLOTS (27u * 27u)

struct hg_compact_reader {
	unsigned lineno;  /* of the current line */
	const char *line; /* current line, in the source buffer */
	size_t len;
	bool pending; /* the current line is still to be handled */
	bool seen_event;
	/* The op kind + 1 of each one- or two-letter word (0: none). */
	unsigned char by_letter[LETTER_SLOTS];
	/* Each kind's words as the fast line reads them (shape_of). */
	unsigned char shape[HG_OP_COUNT];
};

/* A kind's shape: an id first (SHAPE_ID), then a size (SHAPE_SIZE) or a
 * number (SHAPE_VALUE), or neither; NO_SHAPE: any other (the fast line
 * leaves the kind to the others). */
enum { SHAPE_ID = 1, SHAPE_SIZE = 2, SHAPE_VALUE = 4, NO_SHAPE = 8 };

/*
 * next_line makes the next line current. Returns 1, 0 at the end of the
 * input, or HG_EINVAL (d filled).
 */
static int next_line(struct hg_trace_reader *r)
{
	struct hg_compact_reader *c = r->compact;
	struct hg_src *s = &r->src;
	const char *b, *nl;
	size_t n;

	for (;;) {
		b = (const char *)s->buf + s->pos;
		n = s->len - s->pos;
		nl = memchr(b, '\n', n);
		if (nl || (s->eof && n > 0))
			break;
		if (s->eof)
			return 0;
		if (s->pos == 0 && s->len == HG_SRC_BUFSIZE) {
			hg_diag_set(r->d, NULL, c->lineno + 1, 1,
				    "line too long (more than %u bytes)",
				    HG_SRC_BUFSIZE);
			return HG_EINVAL;
		}
		if (hg__src_fill(s) < 0) {
			hg_diag_set(r->d, NULL, c->lineno + 1, 0, "%s", s->err);
			return hg__src_error(s);
		}
	}
	c->lineno++;
	c->line = b;
	c->len = nl ? (size_t)(nl - b) : n;
	s->pos += nl ? c->len + 1 : c->len;
	if (c->len && c->line[c->len - 1] == '\r')
		c->len--;
	if (c->lineno == 1 && c->len >= 3 &&
	    memcmp(c->line, "\xef\xbb\xbf", 3) == 0) {
		c->line += 3;
		c->len -= 3;
	}
	return 1;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* split cuts the current line into at most MAX_TOKENS + 1 tokens. */
static size_t split(const struct hg_compact_reader *c, struct tok *t)
{
	size_t i = 0, nt = 0;

	while (nt < MAX_TOKENS + 1) {
		size_t st;

		while (i < c->len && blank(c->line[i]))
			i++;
		if (i == c->len)
			break;
		st = i;
		while (i < c->len && !blank(c->line[i]))
			i++;
		t[nt].s = c->line + st;
		t[nt].n = i - st;
		t[nt].col = (unsigned)st + 1;
		nt++;
	}
	return nt;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->n == strlen(s) && memcmp(t->s, s, t->n) == 0;
}

static int err_at(struct hg_trace_reader *r, unsigned col, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int err_at(struct hg_trace_reader *r, unsigned col, const char *fmt, ...)
{
	va_list ap;

	r->d->line = r->compact->lineno;
	r->d->col = col;
	va_start(ap, fmt);
	vsnprintf(r->d->msg, sizeof(r->d->msg), fmt, ap);
	va_end(ap);
	return HG_EINVAL;
}

static int header(struct hg_trace_reader *r, const struct tok *t, size_t nt)
{
	char q[48];
	size_t i;
	unsigned long v = 0;

	if (nt < 2)
		return err_at(r, t[0].col + (unsigned)t[0].n,
			      "missing format version after 'heapgrow-trace'");
	for (i = 0; i < t[1].n; i++) {
		if (t[1].s[i] < '0' || t[1].s[i] > '9')
			return err_at(r, t[1].col, "bad format version '%s'",
				      hg__quote(q, sizeof(q), t[1].s, t[1].n));
		if (v < 1000000)
			v = v * 10 + (unsigned long)(t[1].s[i] - '0');
	}
	if (v != 1)
		return err_at(r, t[1].col, "unsupported format version %s",
			      hg__quote(q, sizeof(q), t[1].s, t[1].n));
	if (nt > 2)
		return err_at(r, t[2].col, "unexpected '%s' after the version",
			      hg__quote(q, sizeof(q), t[2].s, t[2].n));
	return 0;
}

/* config_line adds the KEY=VALUE settings of one config line. */
static int config_line(struct hg_trace_reader *r)
{
	struct hg_compact_reader *c = r->compact;
	size_t i = 6, nset = 0;
	char q[48];

	for (;;) {
		size_t st;
		const char *eq;
		char key[sizeof(r->info.config->key)];
		int rc;

		while (i < c->len && blank(c->line[i]))
			i++;
		if (i == c->len)
			break;
		st = i;
		while (i < c->len && !blank(c->line[i]))
			i++;
		eq = memchr(c->line + st, '=', i - st);
		if (!eq || eq == c->line + st)
			return err_at(
				r, (unsigned)st + 1,
				"config: expected KEY=VALUE, not '%s'",
				hg__quote(q, sizeof(q), c->line + st, i - st));
		if ((size_t)(eq - (c->line + st)) >= sizeof(key))
			return err_at(r, (unsigned)st + 1,
				      "config key '%s' is too long",
				      hg__quote(q, sizeof(q), c->line + st,
						(size_t)(eq - (c->line + st))));
		memcpy(key, c->line + st, (size_t)(eq - (c->line + st)));
		key[eq - (c->line + st)] = '\0';
		rc = hg__add_setting(&r->info.config, &r->info.nconfig,
				     &r->config_cap, key, eq + 1,
				     (size_t)(c->line + i - (eq + 1)),
				     c->lineno, (unsigned)st + 1, r->d);
		if (rc < 0)
			return rc;
		nset++;
	}
	if (!nset)
		return err_at(r, 1, "config: expected KEY=VALUE settings");
	return 0;
}

/*
 * header_comment keeps the name and description that the compact writer
 * puts before the first event as "# name: ..." and "# description: ..."
 * comments (other comments are skipped). p is the line from its '#'. The
 * text must be valid UTF-8: it reaches the pictures and the JSON.
 */
static int header_comment(struct hg_trace_reader *r, const char *p)
{
	struct hg_compact_reader *c = r->compact;
	size_t rest = c->len - (size_t)(p - c->line);
	static const struct {
		const char *prefix;
		size_t off, cap;
	} keys[] = {
		{ "# name: ", offsetof(struct hg_trace_info, name),
		  sizeof(((struct hg_trace_info *)0)->name) },
		{ "# description: ",
		  offsetof(struct hg_trace_info, description),
		  sizeof(((struct hg_trace_info *)0)->description) },
	};

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t pl = strlen(keys[k].prefix);
		char *dst = (char *)&r->info + keys[k].off;
		if (rest < pl || memcmp(p, keys[k].prefix, pl) != 0 || dst[0])
			continue;
		size_t n = rest - pl, bad = hg_utf8_invalid(p + pl, n);
		if (bad != n)
			return err_at(r, (unsigned)(p + pl + bad - c->line) + 1,
				      "%.*s is not valid UTF-8", (int)pl - 4,
				      keys[k].prefix + 2);
		/* Cut at a UTF-8 boundary if it is too long. */
		if (n >= keys[k].cap) {
			n = keys[k].cap - 1;
			while (n && ((unsigned char)p[pl + n] & 0xc0) == 0x80)
				n--;
		}
		memcpy(dst, p + pl, n);
		dst[n] = '\0';
	}
	return 0;
}

static bool positional(enum hg_op_field f);

/*
 * shape_of gives the fields of kind k that the fast line reads: its
 * leading positional ones (an id and numbers, each a word in its place),
 * when the fields after them are all optional words that the fast line's
 * lines leave out (a kind with a mark's text or an mmap's address before
 * its size: NO_SHAPE, the others read those).
 */
static unsigned char shape_of(const struct hg_op_spec *k)
{
	const enum hg_op_field *f = k->fields;
	unsigned sh = 0;

	if (*f == HG_FIELD_ID) {
		sh |= SHAPE_ID;
		f++;
	}
	if (*f == HG_FIELD_SIZE || *f == HG_FIELD_SIZE_ALL) {
		sh |= SHAPE_SIZE;
		f++;
	} else if (*f == HG_FIELD_VALUE) {
		sh |= SHAPE_VALUE;
		f++;
	}
	for (; *f; f++)
		if (positional(*f) || *f == HG_FIELD_TEXT)
			sh = NO_SHAPE;
	return (unsigned char)sh;
}

int hg__compact_open(struct hg_trace_reader *r)
{
	struct hg_compact_reader *c;
	struct tok t[MAX_TOKENS + 1];
	bool have_header = false;
	size_t nt;
	int rc;

	c = calloc(1, sizeof(*c));
	if (!c) {
		hg_diag_set(r->d, NULL, 0, 0, "out of memory");
		return HG_ENOMEM;
	}
	r->compact = c;
	for (unsigned k = 0; k < HG_OP_COUNT; k++) {
		const struct hg_op_spec *sp = hg_op_spec((enum hg_op_kind)k);
		size_t n = sp ? strlen(sp->letter) : 0;

		if (n < 1 || n > 2 || sp->letter[0] < 'a' ||
		    sp->letter[0] > 'z' ||
		    (n == 2 && (sp->letter[1] < 'a' || sp->letter[1] > 'z')))
			continue;
		c->by_letter[(unsigned)(sp->letter[0] - 'a' + 1) * 27u +
			     (n == 2 ? (unsigned)(sp->letter[1] - 'a' + 1)
				     : 0u)] = (unsigned char)(k + 1);
		c->shape[k] = shape_of(sp);
	}
	for (;;) {
		rc = next_line(r);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return 0;
		nt = split(c, t);
		if (nt == 0)
			continue;
		if (t[0].s[0] == '#') {
			rc = header_comment(r, t[0].s);
			if (rc < 0)
				return rc;
			continue;
		}
		if (!have_header) {
			/* detect() saw "heapgrow-trace" first. */
			rc = header(r, t, nt);
			if (rc < 0)
				return rc;
			have_header = true;
		} else if (tok_is(&t[0], "config")) {
			rc = config_line(r);
			if (rc < 0)
				return rc;
		} else {
			c->pending = true;
			return 0;
		}
	}
}

static int take_id(struct hg_trace_reader *r, struct hg_op *op,
		   const char *kind, const struct tok *t)
{
	char q[48];

	if (t->n > HG_TRACE_MAX_ID)
		return err_at(r, t->col,
			      "%s: id of %zu bytes (the limit is %u)", kind,
			      t->n, HG_TRACE_MAX_ID);
	if (!hg__id_valid(t->s, t->n))
		return err_at(r, t->col,
			      "%s: bad id '%s' (letters, digits, '_', '-', "
			      "'.')",
			      kind, hg__quote(q, sizeof(q), t->s, t->n));
	if (hg__reader_str(&r->id, &r->idcap, t->s, t->n) < 0) {
		err_at(r, t->col, "out of memory");
		return HG_ENOMEM;
	}
	op->id = r->id;
	op->id_len = t->n;
	return 0;
}

static int take_size(struct hg_trace_reader *r, const struct tok *t,
		     const char *what, uint64_t *out)
{
	return hg__parse_op_size(r, what, t->s, t->n, out, r->compact->lineno,
				 t->col);
}

/* take_text makes the rest of the line after t[0] a mark's text. */
static int take_text(struct hg_trace_reader *r, const struct hg_op_spec *k,
		     struct hg_op *op, const struct tok *t)
{
	struct hg_compact_reader *c = r->compact;
	size_t st = t[0].col - 1 + t[0].n, end = c->len;

	while (st < end && blank(c->line[st]))
		st++;
	while (end > st && blank(c->line[end - 1]))
		end--;
	if (st == end)
		return err_at(r, t[0].col, "%s: missing field 'text'", k->name);
	if (end - st > HG_TRACE_MAX_TEXT)
		return err_at(r, (unsigned)st + 1,
			      "%s: text of %zu bytes (the limit is %u)",
			      k->name, end - st, HG_TRACE_MAX_TEXT);
	if (memchr(c->line + st, '\0', end - st))
		return err_at(r, (unsigned)st + 1,
			      "%s: text contains a NUL character", k->name);
	/* A line ends at LF or CRLF: a CR left inside is a line break the
	 * format cannot write back. */
	const char *cr = memchr(c->line + st, '\r', end - st);
	if (cr)
		return err_at(r, (unsigned)(cr - c->line) + 1,
			      "%s: text contains a carriage return", k->name);
	size_t bad = hg_utf8_invalid(c->line + st, end - st);
	if (bad != end - st)
		return err_at(r, (unsigned)(st + bad) + 1,
			      "%s: text is not valid UTF-8", k->name);
	if (hg__reader_str(&r->text, &r->textcap, c->line + st, end - st) < 0) {
		err_at(r, t[0].col, "out of memory");
		return HG_ENOMEM;
	}
	op->text = r->text;
	return 0;
}

/* positional: the fields written as a plain word in their place. */
static bool positional(enum hg_op_field f)
{
	return f == HG_FIELD_ID || f == HG_FIELD_SIZE ||
	       f == HG_FIELD_SIZE_ALL || f == HG_FIELD_VALUE;
}

/*
 * parse_fields reads the fields of op k from the words t[1, nt): the
 * positional ones in order, an mmap's address when there is a word more
 * than the fields after it need, "noscan", "swept", and "@ADDR" last.
 */
static int parse_fields(struct hg_trace_reader *r, const struct hg_op_spec *k,
			struct hg_op *op, const struct tok *t, size_t nt)
{
	size_t w = 1;
	char q[48];
	int rc = 0;

	for (unsigned i = 0; k->fields[i] && !rc; i++) {
		enum hg_op_field f = k->fields[i];
		const struct tok *x = w < nt ? &t[w] : NULL;
		size_t later = 0;

		switch (f) {
		case HG_FIELD_HINT:
			for (unsigned j = i + 1; k->fields[j]; j++)
				later += positional(k->fields[j]);
			if (nt - w <= later)
				continue;
			op->has_addr = true;
			rc = take_size(r, x, "address", &op->addr);
			break;
		case HG_FIELD_NOSCAN:
			if (!x || !tok_is(x, "noscan"))
				continue;
			op->noscan = true;
			break;
		case HG_FIELD_SWEPT:
			if (!x || !tok_is(x, "swept"))
				continue;
			op->swept = true;
			break;
		case HG_FIELD_ADDR:
			if (!x || x->s[0] != '@')
				continue;
			op->has_addr = true;
			rc = hg__parse_op_size(r, "address", x->s + 1, x->n - 1,
					       &op->addr, r->compact->lineno,
					       x->col + 1);
			break;
		case HG_FIELD_TEXT:
			return take_text(r, k, op, t);
		default:
			if (!x)
				return err_at(r, t[0].col,
					      "%s: missing field '%s'", k->name,
					      hg_op_field_name(f));
			if (f == HG_FIELD_ID)
				rc = take_id(r, op, k->name, x);
			else if (f == HG_FIELD_SIZE_ALL && tok_is(x, "all"))
				op->all = true;
			else if (f == HG_FIELD_SIZE_ALL && tok_is(x, "goal"))
				op->goal = true;
			else
				rc = take_size(r, x,
					       f == HG_FIELD_VALUE ? "number"
								   : "size",
					       f == HG_FIELD_VALUE ? &op->value
								   : &op->size);
			break;
		}
		w++;
	}
	if (!rc && w < nt)
		return err_at(r, t[w].col, "%s: unexpected '%s'", k->name,
			      hg__quote(q, sizeof(q), t[w].s, t[w].n));
	return rc;
}

static int parse_event(struct hg_trace_reader *r, struct hg_op *op,
		       const struct tok *t, size_t nt)
{
	const struct hg_op_spec *k = hg_op_spec_by_letter(t[0].s, t[0].n);
	char q[48];

	if (k) {
		op->kind = k->kind;
		return parse_fields(r, k, op, t, nt);
	}
	if (tok_is(&t[0], "config"))
		return err_at(r, t[0].col,
			      "config lines must come before the first event");
	if (tok_is(&t[0], "heapgrow-trace"))
		return err_at(r, t[0].col, "a second 'heapgrow-trace' line");
	return err_at(r, t[0].col, "unknown event kind '%s'",
		      hg__quote(q, sizeof(q), t[0].s, t[0].n));
}

static const char *skip_blanks(const char *p, const char *e)
{
	while (p < e && blank(*p))
		p++;
	return p;
}

/*
 * fast_size reads a plain decimal size of at most 18 digits with an
 * optional K, M, G or T (what the writer and gentrace write) at p, up to
 * a blank or e; NULL: anything else, for parse_fields to read or refuse.
 */
static const char *fast_size(const char *p, const char *e, uint64_t *out)
{
	const char *st = p;
	uint64_t v = 0;
	unsigned shift = 0;

	while (p < e && (unsigned)(*p - '0') < 10u && p - st < 18)
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (p == st)
		return NULL;
	if (p < e && !blank(*p)) {
		shift = hg__size_shift(*p);
		if (!shift)
			return NULL;
		p++;
		if ((p < e && !blank(*p)) || v > (UINT64_MAX >> shift))
			return NULL;
	}
	*out = v << shift;
	return p;
}

/*
 * fast_event reads the current line when it is an event of the plain
 * shape the writer gives (a known one- or two-letter word, then the id
 * and numbers as words of id bytes and decimal sizes, no optional field):
 * 1 with op and *col filled, 0 when parse_fields is to read the line (it
 * may be anything: a comment, an error, a rare field), op untouched. The
 * id is handed out in place, in the source buffer (NUL-terminated there:
 * the line has been consumed), when there is a byte after it.
 */
static int fast_event(struct hg_trace_reader *r, struct hg_op *op,
		      unsigned *col)
{
	struct hg_compact_reader *c = r->compact;
	const char *p = c->line, *e = c->line + c->len, *st;
	const char *id = NULL, *id_end = NULL;
	const struct hg_op_spec *k;
	uint64_t size = 0, value = 0;
	unsigned slot;

	p = skip_blanks(p, e);
	st = p;
	if (p == e || (unsigned)(*p - 'a') >= 26u)
		return 0;
	slot = (unsigned)(*p++ - 'a' + 1) * 27u;
	if (p < e && (unsigned)(*p - 'a') < 26u)
		slot += (unsigned)(*p++ - 'a' + 1);
	if ((p < e && !blank(*p)) || !c->by_letter[slot])
		return 0;
	k = hg_op_spec((enum hg_op_kind)(c->by_letter[slot] - 1));
	for (unsigned i = 0; k->fields[i]; i++) {
		enum hg_op_field f = k->fields[i];

		p = skip_blanks(p, e);
		if (p == e) {
			if (positional(f) || f == HG_FIELD_TEXT)
				return 0;
			continue;
		}
		if (f == HG_FIELD_ID) {
			id = p;
			while (p < e && hg__id_byte[(unsigned char)*p])
				p++;
			if ((p < e && !blank(*p)) ||
			    (size_t)(p - id) > HG_TRACE_MAX_ID)
				return 0;
			id_end = p;
		} else if (f == HG_FIELD_SIZE || f == HG_FIELD_SIZE_ALL) {
			p = fast_size(p, e, &size);
		} else if (f == HG_FIELD_VALUE) {
			p = fast_size(p, e, &value);
		} else {
			return 0;
		}
		if (!p)
			return 0;
	}
	if (skip_blanks(p, e) != e)
		return 0;
	op->kind = k->kind;
	op->size = size;
	op->value = value;
	if (id) {
		struct hg_src *s = &r->src;
		size_t at = (size_t)((const unsigned char *)id_end - s->buf);

		op->id_len = (size_t)(id_end - id);
		if (at < HG_SRC_BUFSIZE) {
			s->buf[at] = '\0';
			op->id = id;
		} else {
			if (hg__reader_str(&r->id, &r->idcap, id, op->id_len) <
			    0)
				return 0; /* parse_fields says so */
			op->id = r->id;
		}
	}
	*col = (unsigned)(st - c->line) + 1;
	return 1;
}

/* sep: a byte that ends a word on the fast line (a blank or the
 * newline). */
static inline bool sep(char ch)
{
	const uint64_t seps = 1ull << ' ' | 1ull << '\t' | 1ull << '\n';

	return (unsigned char)ch <= ' ' && (seps >> (unsigned char)ch & 1u);
}

/*
 * digits8 reads the leading decimal digits of the eight bytes at p (the
 * buffer's padding makes the load safe, HG_SRC_PAD) into *v and returns
 * their count, 0 to 7; 8 when all eight are digits, or on a host without
 * HG_DIGITS_SWAR (*v not set then).
 */
static unsigned digits8(const char *p, uint64_t *v)
{
	uint64_t w;
	unsigned n;

	if (!HG_DIGITS_SWAR)
		return 8;
	memcpy(&w, p, 8);
	n = hg__digit_run(w);
	if (n && n < 8)
		*v = hg__digits_value(w, n);
	return n;
}

/*
 * line_size is fast_size on the fast line: the digits and suffix end at a
 * blank or the newline; NULL for anything else. Up to seven digits are
 * read at once (digits8), longer sizes a digit at a time.
 */
static const char *line_size_slow(const char *p, uint64_t *out)
{
	const char *st = p;
	uint64_t v = 0;
	unsigned shift = 0, n = 8;

	n = digits8(p, &v);
	if (n < 8) {
		p += n;
	} else {
		while ((unsigned)(*p - '0') < 10u && p - st < 18)
			v = v * 10 + (uint64_t)(*p++ - '0');
	}
	if (p == st)
		return NULL;
	if (!sep(*p)) {
		shift = hg__size_shift(*p);
		if (!shift)
			return NULL;
		p++;
		if (!sep(*p) || v > (UINT64_MAX >> shift))
			return NULL;
	}
	*out = v << shift;
	return p;
}

/* line_size: one to seven digits and a blank or the newline read at once
 * (a size as gentrace and the writer give most), the rest by
 * line_size_slow. */
static inline const char *line_size(const char *p, uint64_t *out)
{
	if (HG_DIGITS_SWAR) {
		uint64_t w;
		unsigned n;

		memcpy(&w, p, 8);
		n = hg__digit_run(w);
		if (n - 1u < 7u && sep(p[n])) {
			*out = hg__digits_value(w, n);
			return p + n;
		}
	}
	return line_size_slow(p, out);
}

/* skip_word_blanks passes the blanks before a word: the one blank the
 * writer puts there at once, more in a loop. */
static inline char *skip_word_blanks(char *p)
{
	if (*p == ' ' && (unsigned char)p[1] > ' ')
		return p + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * line_id reads the id at p on the fast line, eight bytes at a time
 * (hg__id_run; the buffer's padding makes the loads safe), a byte at a
 * time on other hosts. Returns its end; *hash is its hg_id_hash when it
 * has at most eight bytes, else 0 (hg_trace_next hashes it).
 */
static char *line_id_long(char *p, uint64_t *hash);

static inline char *line_id(char *p, uint64_t *hash)
{
	if (HG_WORDS_LE) {
		uint64_t w;
		unsigned n;

		memcpy(&w, p, 8);
		n = hg__id_run(w);
		if (n < 8) {
			w &= ((uint64_t)1 << (8 * n)) - 1;
			*hash = hg_id_hash_short(w, n);
			return p + n;
		}
	}
	return line_id_long(p, hash);
}

/* line_id_long is line_id for an id of eight bytes or more (or any id on
 * another host). */
static char *line_id_long(char *p, uint64_t *hash)
{
	*hash = 0;
	if (HG_WORDS_LE) {
		char *id = p;
		uint64_t w0, w;
		unsigned n;

		memcpy(&w0, p, 8);
		n = hg__id_run(w0);
		if (n < 8) {
			w0 &= ((uint64_t)1 << (8 * n)) - 1;
			*hash = hg_id_hash_short(w0, n);
			return p + n;
		}
		p += 8;
		do {
			memcpy(&w, p, 8);
			n = hg__id_run(w);
			p += n;
		} while (n == 8 && (size_t)(p - id) <= HG_TRACE_MAX_ID);
		if (p - id == 8)
			*hash = hg_id_hash_short(w0, 8);
		return p;
	}
	while (hg__id_byte[(unsigned char)*p])
		p++;
	return p;
}

/*
 * fast_line reads the next line straight from the source buffer when it
 * is whole there, ends in a plain newline, starts with its event word and
 * is an event fast_event would read: 1 with the line consumed and op,
 * *line and *col filled as fast_event fills them (and op's id_hash); 0
 * (nothing consumed, op untouched) for next_line and the others to read
 * it. A NUL byte after the buffer's data ends every scan, so no scan
 * needs the line's end. The line's words are its kind's shape: the
 * optional fields after them are left out.
 */
static int fast_line(struct hg_trace_reader *r, struct hg_op *op,
		     unsigned *line, unsigned *col)
{
	struct hg_compact_reader *c = r->compact;
	struct hg_src *s = &r->src;
	char *p = (char *)s->buf + s->pos, *id = NULL, *id_end = NULL;
	uint64_t size = 0, value = 0, hash = 0;
	unsigned slot, kind, sh;

	s->buf[s->len] = '\0';
	if ((unsigned)(*p - 'a') >= 26u || c->lineno == 0)
		return 0;
	slot = (unsigned)(*p++ - 'a' + 1) * 27u;
	if ((unsigned)(*p - 'a') < 26u)
		slot += (unsigned)(*p++ - 'a' + 1);
	if (!sep(*p) || !c->by_letter[slot])
		return 0;
	kind = c->by_letter[slot] - 1u;
	sh = c->shape[kind];
	if (sh & NO_SHAPE)
		return 0;
	if (sh & SHAPE_ID) {
		p = skip_word_blanks(p);
		if (*p == '\n')
			return 0;
		id = p;
		p = line_id(p, &hash);
		if (!sep(*p) || (size_t)(p - id) > HG_TRACE_MAX_ID)
			return 0;
		id_end = p;
	}
	if (sh & (SHAPE_SIZE | SHAPE_VALUE)) {
		p = skip_word_blanks(p);
		if (*p == '\n')
			return 0;
		p = (char *)line_size(p, sh & SHAPE_SIZE ? &size : &value);
		if (!p)
			return 0;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\n')
		return 0;
	op->kind = (enum hg_op_kind)kind;
	op->size = size;
	op->value = value;
	if (id) {
		/* The byte after the id is a blank or the newline. */
		*id_end = '\0';
		op->id = id;
		op->id_len = (size_t)(id_end - id);
		op->id_hash = hash;
	}
	s->pos = (size_t)((unsigned char *)p + 1 - s->buf);
	c->lineno++;
	c->seen_event = true;
	*line = c->lineno;
	*col = 1;
	return 1;
}

/* next_op is hg__compact_next_op for a line the fast line left: its own
 * function, so that the fast line's costs no more than it needs. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
next_op(struct hg_trace_reader *r, struct hg_op *op, unsigned *line,
	unsigned *col)
{
	struct hg_compact_reader *c = r->compact;
	struct tok t[MAX_TOKENS + 1];
	size_t nt;
	int rc;

	for (;;) {
		if (c->pending) {
			c->pending = false;
		} else {
			rc = next_line(r);
			if (rc <= 0)
				return rc;
		}
		if (fast_event(r, op, col)) {
			c->seen_event = true;
			*line = c->lineno;
			return 1;
		}
		nt = split(c, t);
		if (nt == 0 || t[0].s[0] == '#')
			continue;
		c->seen_event = true;
		rc = parse_event(r, op, t, nt);
		if (rc < 0)
			return rc;
		*line = c->lineno;
		*col = t[0].col;
		return 1;
	}
}

int hg__compact_next_op(struct hg_trace_reader *r, struct hg_op *op,
			unsigned *line, unsigned *col)
{
	if (!r->compact->pending && fast_line(r, op, line, col))
		return 1;
	return next_op(r, op, line, col);
}

void hg__compact_close(struct hg_trace_reader *r)
{
	free(r->compact);
	r->compact = NULL;
}
