/*
 * trace_yaml.c - the YAML trace format, streamed.
 *
 * libyaml's event parser is driven directly: the top-level mapping and the
 * events sequence are walked one parser event at a time, and each event
 * item is checked against its schema (kinds and fields below) as it
 * arrives, with libyaml's marks for exact positions. Nothing but the
 * current item is held, so memory does not grow with the trace.
 */
#include "trace_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* libyaml helpers, shared with config_yaml.c                          */
/* ------------------------------------------------------------------ */

/* The made-up prefix of a restarted parser: the events key and one empty
 * event at the sequence's indentation (trace reader, fast_fallback). */
static unsigned char prefix_byte(const struct hg_yaml *y, size_t i)
{
	static const char head[] = "events:\n", tail[] = "- {}\n";

	if (i < sizeof(head) - 1)
		return (unsigned char)head[i];
	i -= sizeof(head) - 1;
	if (i < y->prefix_indent)
		return ' ';
	return (unsigned char)tail[i - y->prefix_indent];
}

/* keep_off ends keep mode: what libyaml has read is consumed. */
static void keep_off(struct hg_yaml *y)
{
	if (!y->keep)
		return;
	y->keep = false;
	y->src->pos = y->cur;
}

/*
 * read_kept feeds libyaml in keep mode what hg__src_read would: up to
 * size bytes of those in the buffer, refilling it when they are used up.
 * A refill appends while it can read as much as into an empty buffer (a
 * file's next read); otherwise keep mode ends. Returns as read_handler,
 * or -1 when keep mode has ended (read normally then).
 */
static int read_kept(struct hg_yaml *y, unsigned char *buf, size_t size,
		     size_t *size_read)
{
	struct hg_src *s = y->src;
	size_t n;

	if (y->cur == s->len) {
		if (s->eof) {
			*size_read = 0;
			return 1;
		}
		if (s->fd < 0 || s->gz ||
		    HG_SRC_BUFSIZE - s->len < HG_SRC_INSIZE) {
			keep_off(y);
			return -1;
		}
		if (hg__src_fill(s) < 0)
			return 0;
	}
	n = s->len - y->cur;
	if (n > size)
		n = size;
	memcpy(buf, s->buf + y->cur, n);
	y->cur += n;
	y->fed += n;
	*size_read = n;
	return 1;
}

static int read_handler(void *data, unsigned char *buf, size_t size,
			size_t *size_read)
{
	struct hg_yaml *y = data;

	/* A scalar over the limit fails as soon as it is read, before
	 * libyaml has buffered it whole. */
	if (y->fed - y->last_end > HG_YAML_MAX_GAP) {
		y->too_long = true;
		return 0;
	}
	if (y->prefix_pos < y->prefix_len) {
		size_t n = 0;

		while (n < size && y->prefix_pos < y->prefix_len)
			buf[n++] = prefix_byte(y, y->prefix_pos++);
		y->fed += n;
		*size_read = n;
		return 1;
	}
	if (y->keep) {
		int rc = read_kept(y, buf, size, size_read);

		if (rc >= 0)
			return rc;
	}
	long n = hg__src_read(y->src, buf, size);

	if (n < 0)
		return 0;
	y->fed += (uint64_t)n;
	*size_read = (size_t)n;
	return 1;
}

int hg__yaml_init(struct hg_yaml *y, struct hg_src *src, const char *file,
		  struct hg_diag *d)
{
	memset(y, 0, sizeof(*y));
	y->file = file;
	y->d = d;
	if (!yaml_parser_initialize(&y->p)) {
		hg_diag_set(d, NULL, 0, 0, "out of memory");
		return HG_ENOMEM;
	}
	y->init = true;
	y->src = src;
	yaml_parser_set_input(&y->p, read_handler, y);
	return 0;
}

void hg__yaml_fini(struct hg_yaml *y)
{
	if (y->have)
		yaml_event_delete(&y->ev);
	y->have = false;
	if (y->init)
		yaml_parser_delete(&y->p);
	y->init = false;
}

static unsigned u(size_t v)
{
	return v >= UINT32_MAX ? UINT32_MAX : (unsigned)v;
}

int hg__yaml_err(struct hg_yaml *y, const char *fmt, ...)
{
	va_list ap;

	y->d->line = u(y->ev.start_mark.line + 1);
	y->d->col = u(y->ev.start_mark.column + 1);
	va_start(ap, fmt);
	vsnprintf(y->d->msg, sizeof(y->d->msg), fmt, ap);
	va_end(ap);
	return HG_EINVAL;
}

/* moved_line gives a restarted parser's line (0-based) as the trace's. */
static size_t moved_line(const struct hg_yaml *y, size_t line)
{
	if (!y->prefix_len)
		return line;
	if (line < 2)
		return (size_t)(line ? y->line1 : y->line0);
	return line + (size_t)y->line_base;
}

int hg__yaml_next(struct hg_yaml *y, struct hg_src *src)
{
	yaml_parser_t *p = &y->p;

	if (y->have)
		yaml_event_delete(&y->ev);
	y->have = false;
	if (!yaml_parser_parse(p, &y->ev)) {
		yaml_mark_t m = p->error == YAML_READER_ERROR ? p->mark
							      : p->problem_mark;

		m.line = moved_line(y, m.line);
		y->d->line = u(m.line + 1);
		y->d->col = u(m.column + 1);
		if (y->too_long) {
			snprintf(y->d->msg, sizeof(y->d->msg),
				 "more than %u bytes without a YAML event: a "
				 "scalar over the %u-byte limit, or as long a "
				 "comment or blank run",
				 HG_YAML_MAX_GAP, HG_YAML_MAX_SCALAR);
			return HG_EINVAL;
		}
		if (src->failed) {
			snprintf(y->d->msg, sizeof(y->d->msg), "%s", src->err);
			return hg__src_error(src);
		}
		if (p->error == YAML_MEMORY_ERROR) {
			snprintf(y->d->msg, sizeof(y->d->msg), "out of memory");
			return HG_ENOMEM;
		}
		if (p->context)
			snprintf(y->d->msg, sizeof(y->d->msg),
				 "malformed YAML: %s (%s at line %u)",
				 p->problem ? p->problem : "error", p->context,
				 u(moved_line(y, p->context_mark.line) + 1));
		else if (p->error == YAML_READER_ERROR)
			snprintf(y->d->msg, sizeof(y->d->msg),
				 "malformed YAML: %s (byte offset %zu)",
				 p->problem ? p->problem : "error",
				 p->problem_offset + (size_t)y->offset_base);
		else
			snprintf(y->d->msg, sizeof(y->d->msg),
				 "malformed YAML: %s",
				 p->problem ? p->problem : "error");
		return HG_EINVAL;
	}
	y->have = true;
	y->last_end = y->ev.end_mark.index;
	y->ev.start_mark.line = moved_line(y, y->ev.start_mark.line);
	y->ev.end_mark.line = moved_line(y, y->ev.end_mark.line);
	if (y->ev.type == YAML_SCALAR_EVENT &&
	    y->ev.data.scalar.length > HG_YAML_MAX_SCALAR)
		return hg__yaml_err(y,
				    "YAML scalar of %zu bytes (the limit "
				    "is %u)",
				    y->ev.data.scalar.length,
				    HG_YAML_MAX_SCALAR);
	if (y->ev.type == YAML_ALIAS_EVENT)
		return hg__yaml_err(y, "YAML aliases are not supported");
	return 0;
}

const char *hg__yaml_event_what(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return "a scalar";
	case YAML_SEQUENCE_START_EVENT:
		return "a sequence";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	default:
		return "nothing";
	}
}

int hg__yaml_skip(struct hg_yaml *y, struct hg_src *src)
{
	unsigned depth = 0;
	int rc;

	for (;;) {
		switch (y->ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > HG_MAX_DEPTH)
				return hg__yaml_err(y, "YAML nested too deep");
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (depth == 0)
			return 0;
		rc = hg__yaml_next(y, src);
		if (rc < 0)
			return rc;
	}
}

static bool scalar_is(const yaml_event_t *ev, const char *s)
{
	size_t n = strlen(s);

	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length == n &&
	       memcmp(ev->data.scalar.value, s, n) == 0;
}

#define SVAL(ev) ((const char *)(ev)->data.scalar.value)
#define SLEN(ev) ((ev)->data.scalar.length)

/* is_null: a plain empty scalar, "~" or "null" (an absent value). */
static bool is_null(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT &&
	       ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (SLEN(ev) == 0 || scalar_is(ev, "~") || scalar_is(ev, "null"));
}

static bool known_key(const char *key)
{
	size_t i;

	for (i = 0; hg_config_keys[i]; i++) {
		if (strcmp(hg_config_keys[i], key) == 0)
			return true;
	}
	return false;
}

/* config_key copies a config key scalar into key[64] with checks. */
static int config_key(struct hg_yaml *y, const char *prefix, char *key,
		      size_t len)
{
	char q[48];
	size_t pl = strlen(prefix);

	if (y->ev.type != YAML_SCALAR_EVENT)
		return hg__yaml_err(y, "config keys must be scalars, not %s",
				    hg__yaml_event_what(&y->ev));
	if (pl + SLEN(&y->ev) >= len ||
	    memchr(SVAL(&y->ev), '\0', SLEN(&y->ev)))
		return hg__yaml_err(
			y, "bad config key '%s%s'", prefix,
			hg__quote(q, sizeof(q), SVAL(&y->ev), SLEN(&y->ev)));
	memcpy(key, prefix, pl);
	memcpy(key + pl, SVAL(&y->ev), SLEN(&y->ev));
	key[pl + SLEN(&y->ev)] = '\0';
	return 0;
}

int hg__yaml_config(struct hg_yaml *y, struct hg_src *src, bool strict,
		    struct hg_setting **arr, size_t *n, size_t *cap)
{
	char key[sizeof((*arr)->key)];
	bool nested = false;
	unsigned line, col;
	int rc;

	for (;;) {
		rc = hg__yaml_next(y, src);
		if (rc < 0)
			return rc;
		if (y->ev.type == YAML_MAPPING_END_EVENT) {
			if (!nested)
				return 0;
			nested = false;
			continue;
		}
		rc = config_key(y, nested ? "policy." : "", key, sizeof(key));
		if (rc < 0)
			return rc;
		line = u(y->ev.start_mark.line + 1);
		col = u(y->ev.start_mark.column + 1);
		rc = hg__yaml_next(y, src);
		if (rc < 0)
			return rc;
		if (!nested && strcmp(key, "policy") == 0) {
			if (y->ev.type != YAML_MAPPING_START_EVENT) {
				y->ev.start_mark.line = line - 1;
				y->ev.start_mark.column = col - 1;
				return hg__yaml_err(
					y,
					"config key 'policy' must be a mapping "
					"(e.g. 'policy: {grow: incremental}')");
			}
			nested = true;
			continue;
		}
		if (strict && !known_key(key)) {
			y->ev.start_mark.line = line - 1;
			y->ev.start_mark.column = col - 1;
			return hg__yaml_err(y, "unknown config key '%s'", key);
		}
		if (y->ev.type != YAML_SCALAR_EVENT)
			return hg__yaml_err(y,
					    "config key '%s': value must be "
					    "a scalar, not %s",
					    key, hg__yaml_event_what(&y->ev));
		rc = hg__add_setting(arr, n, cap, key, SVAL(&y->ev),
				     SLEN(&y->ev), line, col, y->d);
		if (rc < 0)
			return rc;
	}
}

/* ------------------------------------------------------------------ */
/* The trace reader                                                    */
/* ------------------------------------------------------------------ */

/* Y_FAST: the events are read line by line without libyaml (below). */
enum { Y_HEADER, Y_EVENTS, Y_FAST, Y_DONE };

struct hg_yaml_reader {
	struct hg_yaml y;
	int state;
	bool seen_version, seen_name, seen_desc, seen_config, seen_events;
	yaml_mark_t start; /* of the top-level mapping */
	bool block_top;    /* it is a block mapping at column 0 */
	/* Y_FAST: the column of the events' '-', the line (1-based) at
	 * src.pos and its offset in the decoded input. */
	size_t indent;
	uint64_t lineno, abs_pos, first_line;
	/* Bytes of the input (offsets) checked for what libyaml's reader
	 * refuses, as it checks each block it reads before it parses it. */
	uint64_t seen;
	/* Y_FAST: what fast_next found out about the line after the event
	 * it gave (ahead true): it starts skip bytes and skip_lines lines
	 * after src.pos (quiet lines before it), is n bytes long (adv with
	 * its line break) and is not quiet, not indented past the events,
	 * printable ASCII; ahead_eof: there is no such line. */
	bool ahead, ahead_eof;
	size_t ahead_skip, ahead_n, ahead_adv;
	uint64_t ahead_lines;
	/* The op kind + 1 of the event names by first letter and length
	 * (the first of the op table's rows with them; 0: none). */
	unsigned char by_name[26][16];
	uint64_t name_w[HG_OP_COUNT][2]; /* each name, NUL-padded words */
};

static int fast_begin(struct hg_trace_reader *r, size_t key_col);

static const char *const header_keys[] = { "heapgrow", "name",   "description",
					   "config",   "events", NULL };

/* next_ev reads the next parser event. */
static int next_ev(struct hg_trace_reader *r)
{
	return hg__yaml_next(&r->yaml->y, &r->src);
}

static int version(struct hg_trace_reader *r)
{
	struct hg_yaml *y = &r->yaml->y;
	unsigned long v = 0;
	char q[48];
	size_t i;

	if (y->ev.type != YAML_SCALAR_EVENT || SLEN(&y->ev) == 0)
		return hg__yaml_err(y,
				    "bad format version: expected 1, "
				    "not %s",
				    hg__yaml_event_what(&y->ev));
	for (i = 0; i < SLEN(&y->ev); i++) {
		char ch = SVAL(&y->ev)[i];

		if (ch < '0' || ch > '9')
			return hg__yaml_err(y, "bad format version '%s'",
					    hg__quote(q, sizeof(q),
						      SVAL(&y->ev),
						      SLEN(&y->ev)));
		if (v < 1000000)
			v = v * 10 + (unsigned long)(ch - '0');
	}
	if (v != 1)
		return hg__yaml_err(
			y, "unsupported format version %s",
			hg__quote(q, sizeof(q), SVAL(&y->ev), SLEN(&y->ev)));
	return 0;
}

static int text_field(struct hg_trace_reader *r, const char *key, char *dst,
		      size_t len)
{
	struct hg_yaml *y = &r->yaml->y;

	if (y->ev.type != YAML_SCALAR_EVENT)
		return hg__yaml_err(y, "'%s' must be text, not %s", key,
				    hg__yaml_event_what(&y->ev));
	if (is_null(&y->ev))
		dst[0] = '\0';
	else
		hg__copy_trunc(dst, len, SVAL(&y->ev),
			       strnlen(SVAL(&y->ev), SLEN(&y->ev)));
	return 0;
}

/* end_document checks that the document, and the stream, end here. */
static int end_document(struct hg_trace_reader *r)
{
	struct hg_yaml_reader *yr = r->yaml;
	struct hg_yaml *y = &yr->y;
	int rc;

	if (!yr->seen_version) {
		y->ev.start_mark = yr->start;
		return hg__yaml_err(y, "missing 'heapgrow: 1' (the format "
				       "version)");
	}
	rc = next_ev(r);
	if (rc == 0 && y->ev.type == YAML_DOCUMENT_END_EVENT)
		rc = next_ev(r);
	if (rc < 0)
		return rc;
	if (y->ev.type != YAML_STREAM_END_EVENT)
		return hg__yaml_err(y, "only one YAML document is allowed "
				       "in a trace");
	yr->state = Y_DONE;
	return 0;
}

/*
 * header walks keys of the top-level mapping until the events sequence
 * starts (state Y_EVENTS) or the mapping ends (Y_DONE). after: the events
 * are over, so only the mapping's end may follow.
 */
static int header(struct hg_trace_reader *r, bool after)
{
	struct hg_yaml_reader *yr = r->yaml;
	struct hg_yaml *y = &yr->y;
	char q[48];
	int rc, k;

	for (;;) {
		rc = next_ev(r);
		if (rc < 0)
			return rc;
		if (y->ev.type == YAML_MAPPING_END_EVENT)
			return end_document(r);
		if (y->ev.type != YAML_SCALAR_EVENT)
			return hg__yaml_err(y,
					    "keys of a trace must be "
					    "scalars, not %s",
					    hg__yaml_event_what(&y->ev));
		for (k = 0; header_keys[k]; k++) {
			if (scalar_is(&y->ev, header_keys[k]))
				break;
		}
		if (!header_keys[k])
			return hg__yaml_err(y,
					    "unknown key '%s' (a trace has "
					    "heapgrow, name, description, "
					    "config, events)",
					    hg__quote(q, sizeof(q),
						      SVAL(&y->ev),
						      SLEN(&y->ev)));
		if ((k == 0 && yr->seen_version) || (k == 1 && yr->seen_name) ||
		    (k == 2 && yr->seen_desc) || (k == 3 && yr->seen_config) ||
		    (k == 4 && yr->seen_events))
			return hg__yaml_err(y, "duplicate key '%s'",
					    header_keys[k]);
		if (after)
			return hg__yaml_err(y,
					    "'%s' must come before 'events' "
					    "(traces are read as a stream)",
					    header_keys[k]);
		if (k == 4 && !yr->seen_version)
			return hg__yaml_err(y,
					    "missing 'heapgrow: 1' (the "
					    "format version) before 'events'");
		size_t key_col = y->ev.start_mark.column;
		rc = next_ev(r);
		if (rc < 0)
			return rc;
		switch (k) {
		case 0:
			yr->seen_version = true;
			rc = version(r);
			break;
		case 1:
			yr->seen_name = true;
			rc = text_field(r, "name", r->info.name,
					sizeof(r->info.name));
			break;
		case 2:
			yr->seen_desc = true;
			rc = text_field(r, "description", r->info.description,
					sizeof(r->info.description));
			break;
		case 3:
			yr->seen_config = true;
			if (y->ev.type == YAML_MAPPING_START_EVENT)
				rc = hg__yaml_config(
					y, &r->src, false, &r->info.config,
					&r->info.nconfig, &r->config_cap);
			else if (!is_null(&y->ev))
				rc = hg__yaml_err(y,
						  "'config' must be a "
						  "mapping, not %s",
						  hg__yaml_event_what(&y->ev));
			break;
		default:
			yr->seen_events = true;
			if (y->ev.type == YAML_SEQUENCE_START_EVENT) {
				yr->state = Y_EVENTS;
				return fast_begin(r, key_col);
			}
			if (!is_null(&y->ev))
				rc = hg__yaml_err(y,
						  "'events' must be a "
						  "sequence, not %s",
						  hg__yaml_event_what(&y->ev));
			break;
		}
		if (rc < 0)
			return rc;
	}
}

int hg__yaml_open(struct hg_trace_reader *r)
{
	struct hg_yaml_reader *yr;
	struct hg_yaml *y;
	int rc;

	yr = calloc(1, sizeof(*yr));
	if (!yr) {
		hg_diag_set(r->d, NULL, 0, 0, "out of memory");
		return HG_ENOMEM;
	}
	r->yaml = yr;
	y = &yr->y;
	rc = hg__yaml_init(y, &r->src, r->file, r->d);
	if (rc < 0)
		return rc;
	/* The header's bytes stay in the buffer, so that the events can be
	 * read without libyaml from their first line (fast_begin). */
	y->keep = r->src.pos == 0;
	rc = next_ev(r); /* stream start */
	if (rc == 0)
		rc = next_ev(r);
	if (rc < 0)
		return rc;
	if (y->ev.type == YAML_STREAM_END_EVENT) {
		y->ev.start_mark.line = 0;
		y->ev.start_mark.column = 0;
		return hg__yaml_err(y, "empty trace: expected 'heapgrow: 1' "
				       "or 'heapgrow-trace 1'");
	}
	rc = next_ev(r); /* after document start */
	if (rc < 0)
		return rc;
	if (y->ev.type != YAML_MAPPING_START_EVENT)
		return hg__yaml_err(y,
				    "a trace must be a YAML mapping with "
				    "'heapgrow: 1' or a compact trace starting "
				    "'heapgrow-trace 1', not %s",
				    hg__yaml_event_what(&y->ev));
	yr->start = y->ev.start_mark;
	yr->block_top =
		yr->start.column == 0 &&
		y->ev.data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE;
	rc = header(r, false);
	keep_off(y);
	return rc;
}

/*
 * The field readers take the scalar's text (s, n): libyaml's current
 * event's, or a line's in Y_FAST, where an error only sends the line to
 * libyaml (which then reports it where it is).
 */
static bool is_str(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

static int take_id(struct hg_trace_reader *r, const struct hg_op_spec *k,
		   struct hg_op *op, const char *s, size_t n)
{
	struct hg_yaml *y = &r->yaml->y;
	char q[48];

	if (n > HG_TRACE_MAX_ID)
		return hg__yaml_err(y, "%s: id of %zu bytes (the limit is %u)",
				    k->name, n, HG_TRACE_MAX_ID);
	if (!hg__id_valid(s, n))
		return hg__yaml_err(y,
				    "%s: bad id '%s' (letters, digits, "
				    "'_', '-', '.')",
				    k->name, hg__quote(q, sizeof(q), s, n));
	if (hg__reader_str(&r->id, &r->idcap, s, n) < 0) {
		hg__yaml_err(y, "out of memory");
		return HG_ENOMEM;
	}
	op->id = r->id;
	op->id_len = n;
	return 0;
}

static int take_size(struct hg_trace_reader *r, const char *what, const char *s,
		     size_t n, uint64_t *out)
{
	struct hg_yaml *y = &r->yaml->y;

	return hg__parse_op_size(r, what, s, n, out,
				 u(y->ev.start_mark.line + 1),
				 u(y->ev.start_mark.column + 1));
}

/* take_value reads the scalar value (s, n) of field f of op k. */
static int take_value(struct hg_trace_reader *r, const struct hg_op_spec *k,
		      enum hg_op_field f, struct hg_op *op, const char *s,
		      size_t n)
{
	struct hg_yaml *y = &r->yaml->y;
	char q[48];

	switch (f) {
	case HG_FIELD_ID:
		return take_id(r, k, op, s, n);
	case HG_FIELD_SIZE:
		return take_size(r, "size", s, n, &op->size);
	case HG_FIELD_SIZE_ALL:
		if (is_str(s, n, "all")) {
			op->all = true;
			return 0;
		}
		if (is_str(s, n, "goal")) {
			op->goal = true;
			return 0;
		}
		return take_size(r, "size", s, n, &op->size);
	case HG_FIELD_HINT:
	case HG_FIELD_ADDR:
		op->has_addr = true;
		return take_size(r, "address", s, n, &op->addr);
	case HG_FIELD_NOSCAN:
	case HG_FIELD_SWEPT:
		if (is_str(s, n, "true") || is_str(s, n, "false")) {
			bool v = s[0] == 't';

			if (f == HG_FIELD_NOSCAN)
				op->noscan = v;
			else
				op->swept = v;
			return 0;
		}
		return hg__yaml_err(y,
				    "%s: '%s' must be true or false, "
				    "not '%s'",
				    k->name, hg_op_field_name(f),
				    hg__quote(q, sizeof(q), s, n));
	case HG_FIELD_VALUE:
		return take_size(r, "number", s, n, &op->value);
	case HG_FIELD_TEXT:
		if (n > HG_TRACE_MAX_TEXT)
			return hg__yaml_err(y,
					    "%s: text of %zu bytes (the limit "
					    "is %u)",
					    k->name, n, HG_TRACE_MAX_TEXT);
		if (memchr(s, '\0', n))
			return hg__yaml_err(y,
					    "%s: text contains a NUL "
					    "character",
					    k->name);
		if (hg__reader_str(&r->text, &r->textcap, s, n) < 0) {
			hg__yaml_err(y, "out of memory");
			return HG_ENOMEM;
		}
		op->text = r->text;
		return 0;
	default:
		return hg__yaml_err(y, "internal: bad field");
	}
}

/* take_field reads the value of field f of op k: libyaml's scalar. */
static int take_field(struct hg_trace_reader *r, const struct hg_op_spec *k,
		      enum hg_op_field f, struct hg_op *op)
{
	struct hg_yaml *y = &r->yaml->y;

	return take_value(r, k, f, op, SVAL(&y->ev), SLEN(&y->ev));
}

/* required: the fields a mapping must have (the others are optional). */
static bool required(enum hg_op_field f)
{
	return f == HG_FIELD_ID || f == HG_FIELD_SIZE ||
	       f == HG_FIELD_SIZE_ALL || f == HG_FIELD_VALUE ||
	       f == HG_FIELD_TEXT;
}

/* fields reads the mapping of one event ({id, size, ...}). */
static int fields(struct hg_trace_reader *r, const struct hg_op_spec *k,
		  struct hg_op *op, yaml_mark_t at)
{
	struct hg_yaml *y = &r->yaml->y;
	unsigned seen = 0;
	char q[48], list[64];
	int rc, i;

	if (y->ev.type != YAML_MAPPING_START_EVENT) {
		/* A mapping without required fields may be left empty. */
		if (!k->fields[0] && is_null(&y->ev))
			return 0;
		/* Recorded addresses are left out: importers write them. */
		size_t n = 0;

		list[0] = '\0';
		for (i = 0; k->fields[i] && n < sizeof(list); i++) {
			if (k->fields[i] == HG_FIELD_ADDR)
				continue;
			n += (size_t)snprintf(list + n, sizeof(list) - n,
					      "%s%s", n ? ", " : "",
					      hg_op_field_name(k->fields[i]));
		}
		return hg__yaml_err(y, "%s: expected a mapping {%s}, not %s",
				    k->name, list, hg__yaml_event_what(&y->ev));
	}
	for (;;) {
		rc = next_ev(r);
		if (rc < 0)
			return rc;
		if (y->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (y->ev.type != YAML_SCALAR_EVENT)
			return hg__yaml_err(y,
					    "%s: field names must be "
					    "scalars, not %s",
					    k->name,
					    hg__yaml_event_what(&y->ev));
		for (i = 0; k->fields[i]; i++) {
			if (scalar_is(&y->ev, hg_op_field_name(k->fields[i])))
				break;
		}
		if (!k->fields[i])
			return hg__yaml_err(
				y, "%s: unknown field '%s'", k->name,
				hg__quote(q, sizeof(q), SVAL(&y->ev),
					  SLEN(&y->ev)));
		if (seen & (1u << i))
			return hg__yaml_err(y, "%s: duplicate field '%s'",
					    k->name,
					    hg_op_field_name(k->fields[i]));
		seen |= 1u << i;
		rc = next_ev(r);
		if (rc < 0)
			return rc;
		if (y->ev.type != YAML_SCALAR_EVENT)
			return hg__yaml_err(y,
					    "%s: field '%s' must be a "
					    "scalar, not %s",
					    k->name,
					    hg_op_field_name(k->fields[i]),
					    hg__yaml_event_what(&y->ev));
		rc = take_field(r, k, k->fields[i], op);
		if (rc < 0)
			return rc;
	}
	for (i = 0; k->fields[i]; i++) {
		if (required(k->fields[i]) && !(seen & (1u << i))) {
			y->ev.start_mark = at;
			return hg__yaml_err(y, "%s: missing field '%s'",
					    k->name,
					    hg_op_field_name(k->fields[i]));
		}
	}
	return 0;
}

/* scalar_value reads the value of an op written as its first field (free:
 * A), or as a mapping when it has optional fields too (del: {id: O,
 * swept: true}). */
static int scalar_value(struct hg_trace_reader *r, const struct hg_op_spec *k,
			struct hg_op *op, yaml_mark_t at)
{
	struct hg_yaml *y = &r->yaml->y;
	enum hg_op_field f = k->fields[0];

	if (y->ev.type == YAML_MAPPING_START_EVENT && k->fields[0] &&
	    k->fields[1])
		return fields(r, k, op, at);
	if (y->ev.type != YAML_SCALAR_EVENT)
		return hg__yaml_err(y, "%s: expected %s, not %s", k->name,
				    f == HG_FIELD_SIZE_ALL
					    ? "a size, 'all' or 'goal'"
				    : f == HG_FIELD_TEXT  ? "a text"
				    : f == HG_FIELD_VALUE ? "a number"
							  : "an id",
				    hg__yaml_event_what(&y->ev));
	if (SLEN(&y->ev) == 0) {
		y->ev.start_mark = at;
		return hg__yaml_err(y, "%s: missing field '%s'", k->name,
				    hg_op_field_name(f));
	}
	return take_field(r, k, f, op);
}

static int event_item(struct hg_trace_reader *r, struct hg_op *op,
		      unsigned *line, unsigned *col)
{
	struct hg_yaml *y = &r->yaml->y;
	const struct hg_op_spec *k;
	yaml_mark_t at;
	char q[48];
	int rc;

	if (y->ev.type != YAML_MAPPING_START_EVENT)
		return hg__yaml_err(y,
				    "an event must be a mapping with one "
				    "key (e.g. 'free: A'), not %s",
				    hg__yaml_event_what(&y->ev));
	rc = next_ev(r);
	if (rc < 0)
		return rc;
	if (y->ev.type == YAML_MAPPING_END_EVENT)
		return hg__yaml_err(y, "empty event");
	if (y->ev.type != YAML_SCALAR_EVENT)
		return hg__yaml_err(y, "event kinds must be scalars, not %s",
				    hg__yaml_event_what(&y->ev));
	k = hg_op_spec_by_name(SVAL(&y->ev), SLEN(&y->ev));
	if (!k)
		return hg__yaml_err(
			y, "unknown event kind '%s'",
			hg__quote(q, sizeof(q), SVAL(&y->ev), SLEN(&y->ev)));
	at = y->ev.start_mark;
	op->kind = k->kind;
	rc = next_ev(r);
	if (rc < 0)
		return rc;
	rc = k->mapping ? fields(r, k, op, at) : scalar_value(r, k, op, at);
	if (rc < 0)
		return rc;
	rc = next_ev(r);
	if (rc < 0)
		return rc;
	if (y->ev.type != YAML_MAPPING_END_EVENT) {
		if (y->ev.type == YAML_SCALAR_EVENT)
			return hg__yaml_err(y,
					    "an event has one key: '%s' "
					    "after '%s' (start a new event "
					    "with '- ')",
					    hg__quote(q, sizeof(q),
						      SVAL(&y->ev),
						      SLEN(&y->ev)),
					    k->name);
		return hg__yaml_err(y, "an event has one key");
	}
	*line = u(at.line + 1);
	*col = u(at.column + 1);
	return 1;
}

/* ------------------------------------------------------------------ */
/* The events without libyaml                                          */
/* ------------------------------------------------------------------ */

/*
 * Most traces write their events one a line, as `heapgrow convert` does:
 *
 *	events:
 *	  - alloc: {id: a, size: 5M}
 *	  - free: a
 *
 * Once libyaml has read the header up to the events' block sequence, such
 * lines are read straight from the source buffer (Y_FAST), with no
 * allocation. A line is taken only when it is an event of a narrow form
 * (plain or simple double-quoted scalars of printable ASCII, a flow
 * mapping on the line, at the sequence's indentation, valid as an event)
 * and the next line that is not blank or a comment does not continue it.
 * At the first line that is anything else, a new libyaml parser reads the
 * rest of the trace after a made-up prefix that puts it back in the same
 * place (the events key and an empty event at the same indentation), with
 * its positions moved to the trace's own: what it reads, and every error
 * it reports, is what one parser of the whole trace would give.
 */

enum { FAST_FALLBACK = 2 };

/*
 * fast_begin starts Y_FAST at the events' block sequence (the current
 * event) when the header is still in the buffer and libyaml counted its
 * lines as line feeds.
 */
static int fast_begin(struct hg_trace_reader *r, size_t key_col)
{
	struct hg_yaml_reader *yr = r->yaml;
	struct hg_yaml *y = &yr->y;
	const unsigned char *b = r->src.buf;
	uint64_t first = y->ev.start_mark.line, line = 0;
	size_t i = 0;

	if (!y->keep || !yr->block_top || key_col != 0 ||
	    y->ev.data.sequence_start.style != YAML_BLOCK_SEQUENCE_STYLE)
		return 0;
	/* Where the first event's line starts; libyaml also breaks lines at
	 * a lone CR, NEL, LS and PS. */
	for (; i < y->cur && line < first; i++) {
		if (b[i] == '\n')
			line++;
		else if ((b[i] == '\r' &&
			  (i + 1 == y->cur || b[i + 1] != '\n')) ||
			 (b[i] == 0xc2 && i + 1 < y->cur && b[i + 1] == 0x85) ||
			 (b[i] == 0xe2 && i + 2 < y->cur && b[i + 1] == 0x80 &&
			  (b[i + 2] == 0xa8 || b[i + 2] == 0xa9)))
			return 0;
	}
	if (line < first)
		return 0;
	y->keep = false;
	r->src.pos = i;
	yr->abs_pos = i;
	yr->seen = y->cur; /* libyaml has looked at the bytes before */
	yr->lineno = first + 1;
	yr->first_line = first;
	yr->indent = y->ev.start_mark.column;
	hg__yaml_fini(y);
	yr->state = Y_FAST;
	yr->ahead = false;
	for (unsigned k = HG_OP_COUNT; k-- > 0;) {
		const struct hg_op_spec *sp = hg_op_spec((enum hg_op_kind)k);
		size_t n = sp ? strlen(sp->name) : 0;

		/* Backwards: the first row with a first letter and length
		 * keeps its place. */
		if (n > 0 && n < 16 && sp->name[0] >= 'a' &&
		    sp->name[0] <= 'z') {
			char w[16] = { 0 };

			yr->by_name[sp->name[0] - 'a'][n] =
				(unsigned char)(k + 1);
			memcpy(w, sp->name, n);
			memcpy(yr->name_w[k], w, 16);
		}
	}
	return 0;
}

/* low_bytes: a mask of the first n bytes of a word (n <= 8). */
static uint64_t low_bytes(size_t n)
{
	return n >= 8 ? ~0ull : (1ull << (8 * n)) - 1;
}

/* spec_by_name is hg_op_spec_by_name through the reader's table; s is in
 * the source buffer, whose padding (HG_SRC_PAD) lets it be compared to the
 * table's name by words. */
static const struct hg_op_spec *spec_by_name(const struct hg_yaml_reader *yr,
					     const char *s, size_t n)
{
	if (n > 0 && n < 16 && s[0] >= 'a' && s[0] <= 'z') {
		unsigned k = yr->by_name[s[0] - 'a'][n];

		if (k && HG_WORDS_LE) {
			uint64_t w0, w1 = 0;

			memcpy(&w0, s, 8);
			w0 &= low_bytes(n);
			if (n > 8) {
				memcpy(&w1, s + 8, 8);
				w1 &= low_bytes(n - 8);
			}
			if (w0 == yr->name_w[k - 1][0] &&
			    w1 == yr->name_w[k - 1][1])
				return hg_op_spec((enum hg_op_kind)(k - 1));
		} else if (k) {
			const struct hg_op_spec *sp =
				hg_op_spec((enum hg_op_kind)(k - 1));

			if (memcmp(sp->name, s, n) == 0)
				return sp;
		}
	}
	return hg_op_spec_by_name(s, n);
}

/*
 * line_at finds the line that starts off bytes after src.pos: *b, its
 * length without the line break (*n; a CR before the LF left out) and
 * with it (*adv). Returns 1, 0 at the end of the input, or -1 when the
 * line does not fit the buffer or reading failed (libyaml will say so).
 */
static int line_at(struct hg_trace_reader *r, size_t off, const char **b,
		   size_t *n, size_t *adv)
{
	struct hg_src *s = &r->src;

	for (;;) {
		const char *p = (const char *)s->buf + s->pos + off;
		size_t avail = s->len - s->pos - off;
		const char *nl = memchr(p, '\n', avail);

		if (nl || (s->eof && avail)) {
			*b = p;
			*n = nl ? (size_t)(nl - p) : avail;
			*adv = nl ? *n + 1 : avail;
			if (nl && *n && p[*n - 1] == '\r')
				(*n)--;
			return 1;
		}
		if (s->eof)
			return 0;
		if ((s->pos == 0 && s->len == HG_SRC_BUFSIZE) ||
		    hg__src_fill(s) < 0)
			return -1;
	}
}

/*
 * fast_check checks the input up to offset upto in blocks as libyaml's
 * reader would before it parsed them: false when a block has a byte it
 * might refuse (anything but printable ASCII, tab, CR and LF: this also
 * sends valid UTF-8 to libyaml), for libyaml to read from this line on.
 */
#define BYTES(x) (0x0101010101010101ull * (x))

/* zero_bytes: the high bit of each byte of w that is 0 (exactly: no
 * carry crosses a byte). */
static uint64_t zero_bytes(uint64_t w)
{
	return ~(((w & BYTES(0x7f)) + BYTES(0x7f)) | w) & BYTES(0x80);
}

/* refused: the high bit of each byte of w that libyaml's reader might
 * refuse (anything but printable ASCII, tab, CR and LF). */
static uint64_t refused(uint64_t w)
{
	uint64_t low = ~(((w & BYTES(0x7f)) + BYTES(0x60)) | w) & BYTES(0x80);
	uint64_t high = (((w & BYTES(0x7f)) + BYTES(0x01)) | w) & BYTES(0x80);
	uint64_t ok = zero_bytes(w ^ BYTES('\t')) |
		      zero_bytes(w ^ BYTES('\n')) | zero_bytes(w ^ BYTES('\r'));

	return (low & ~ok) | high;
}

static bool fast_check(struct hg_trace_reader *r, uint64_t upto)
{
	struct hg_yaml_reader *yr = r->yaml;
	struct hg_src *s = &r->src;
	uint64_t end = yr->abs_pos + (s->len - s->pos);

	while (yr->seen < upto) {
		uint64_t stop = yr->seen + 16384;
		const unsigned char *p =
			s->buf + s->pos + (size_t)(yr->seen - yr->abs_pos);
		uint64_t bad = 0;
		size_t i = 0, n;

		if (stop > end)
			stop = end;
		n = (size_t)(stop - yr->seen);
		/* Eight bytes at a time, then the rest one by one. */
		for (; i + 8 <= n; i += 8) {
			uint64_t w;

			memcpy(&w, p + i, 8);
			bad |= refused(w);
		}
		if (i < n && n >= 8) {
			/* The last eight bytes of the block (some again). */
			uint64_t w;

			memcpy(&w, p + n - 8, 8);
			bad |= refused(w);
			i = n;
		}
		for (; i < n; i++)
			if ((p[i] < 0x20 || p[i] > 0x7e) && p[i] != '\t' &&
			    p[i] != '\n' && p[i] != '\r')
				bad = 1;
		if (bad)
			return false;
		yr->seen = stop;
	}
	return true;
}

static bool printable(const char *s, size_t n)
{
	uint64_t bad = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		/* Below 0x20, or 0x7f and above (as in refused). */
		bad |= (~(((w & BYTES(0x7f)) + BYTES(0x60)) | w) |
			((w & BYTES(0x7f)) + BYTES(0x01)) | w) &
		       BYTES(0x80);
	}
	if (i < n && n >= 8) {
		/* The last eight bytes (some of them seen already). */
		uint64_t w;

		memcpy(&w, s + n - 8, 8);
		bad |= (~(((w & BYTES(0x7f)) + BYTES(0x60)) | w) |
			((w & BYTES(0x7f)) + BYTES(0x01)) | w) &
		       BYTES(0x80);
		i = n;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return !bad;
}

static size_t spaces(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	return i;
}

/* quiet: a blank line, or a comment line of printable ASCII. */
static bool quiet(const char *b, size_t n)
{
	size_t sp = spaces(b, n);

	return sp == n || (b[sp] == '#' && printable(b + sp, n - sp));
}

/* The bytes of fast_scalar's plain scalars: letters, digits, '_', '.',
 * '-' and '+'. */
static const unsigned char plain_byte[256] = {
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1,
	['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
	['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
	['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1,
	['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['0'] = 1, ['1'] = 1,
	['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1, ['_'] = 1, ['.'] = 1, ['-'] = 1, ['+'] = 1,
};

static bool plain_char(char c)
{
	return plain_byte[(unsigned char)c];
}

/* fast_scalar reads a plain scalar of plain_char or a double-quoted one
 * of printable ASCII without escapes at p; NULL if there is none. */
static const char *fast_scalar(const char *p, const char *end, const char **s,
			       size_t *n)
{
	const char *q = p;

	if (p < end && *p == '"') {
		for (q = p + 1; q < end && *q != '"'; q++)
			if (*q == '\\' || (unsigned char)*q < 0x20 ||
			    (unsigned char)*q > 0x7e)
				return NULL;
		if (q == end || q == p + 1)
			return NULL;
		*s = p + 1;
		*n = (size_t)(q - p - 1);
		return q + 1;
	}
	while (q < end && plain_char(*q))
		q++;
	/* "-" then a blank is a sequence entry, not a scalar. */
	if (q == p || (*p == '-' && q == p + 1))
		return NULL;
	*s = p;
	*n = (size_t)(q - p);
	return q;
}

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* field_is: key (n bytes) is the name of field f (hg_op_field_name). */
static bool field_is(const char *key, size_t n, enum hg_op_field f)
{
	switch (f) {
	case HG_FIELD_ID:
		return n == 2 && memcmp(key, "id", 2) == 0;
	case HG_FIELD_SIZE:
	case HG_FIELD_SIZE_ALL:
		return n == 4 && memcmp(key, "size", 4) == 0;
	default:
		return is_str(key, n, hg_op_field_name(f));
	}
}

/* fast_mapping reads a flow mapping of fields at p ('{'). */
static const char *fast_mapping(struct hg_trace_reader *r,
				const struct hg_op_spec *k, struct hg_op *op,
				const char *p, const char *end)
{
	unsigned seen = 0;
	int i;

	p = skip_spaces(p + 1, end);
	if (p < end && *p == '}')
		return p + 1;
	for (;;) {
		const char *key = p, *v;
		size_t n;

		while (p < end && ((*p >= 'a' && *p <= 'z') || *p == '_'))
			p++;
		if (p == key || end - p < 2 || p[0] != ':' || p[1] != ' ')
			return NULL;
		for (i = 0; k->fields[i]; i++)
			if (field_is(key, (size_t)(p - key), k->fields[i]))
				break;
		if (!k->fields[i] || (seen & (1u << i)))
			return NULL;
		seen |= 1u << i;
		p = fast_scalar(skip_spaces(p + 2, end), end, &v, &n);
		if (!p || take_value(r, k, k->fields[i], op, v, n) < 0)
			return NULL;
		p = skip_spaces(p, end);
		if (p < end && *p == ',') {
			p = skip_spaces(p + 1, end);
			continue;
		}
		if (p < end && *p == '}')
			break;
		return NULL;
	}
	for (i = 0; k->fields[i]; i++)
		if (required(k->fields[i]) && !(seen & (1u << i)))
			return NULL;
	return p + 1;
}

/* fast_item reads the event after "- " (p to end); false: not here. */
static bool fast_item(struct hg_trace_reader *r, struct hg_op *op,
		      const char *p, const char *end)
{
	const struct hg_op_spec *k;
	const char *name = p, *v;
	size_t n;

#if HG_WORDS_LE
	{
		/* Eight bytes at a time (p is in the padded source buffer): a
		 * byte is not a lower-case letter when it is 0x80 or above,
		 * below 'a' (the subtraction's top bit) or above 'z' (the
		 * addition's); borrows and carries only spoil the bytes after
		 * the first such. */
		for (;;) {
			uint64_t w, nl;
			size_t run;

			memcpy(&w, p, 8);
			nl = (w | (w + BYTES(0x05)) | (w - BYTES(0x61))) &
			     BYTES(0x80);
			run = nl ? (size_t)__builtin_ctzll(nl) / 8 : 8;
			if (run > (size_t)(end - p))
				run = (size_t)(end - p);
			p += run;
			if (run < 8 || p == end)
				break;
		}
	}
#else
	while (p < end && *p >= 'a' && *p <= 'z')
		p++;
#endif
	if (p == name || p == end || *p != ':')
		return false;
	k = spec_by_name(r->yaml, name, (size_t)(p - name));
	if (!k)
		return false;
	op->kind = k->kind;
	p++;
	if (p < end && *p != ' ')
		return false;
	p = skip_spaces(p, end);
	if (p == end || *p == '#') {
		/* No value: an op without fields (gc). */
		if (!k->mapping || k->fields[0])
			return false;
	} else if (*p == '{') {
		if (!k->mapping && !(k->fields[0] && k->fields[1]))
			return false;
		p = fast_mapping(r, k, op, p, end);
	} else {
		if (k->mapping)
			return false;
		p = fast_scalar(p, end, &v, &n);
		if (p && take_value(r, k, k->fields[0], op, v, n) < 0)
			return false;
	}
	if (!p)
		return false;
	/* The rest: blanks and a comment after a blank. */
	v = skip_spaces(p, end);
	return v == end ||
	       (v > p && *v == '#' && printable(v, (size_t)(end - v)));
}

/*
 * fast_next reads the next event in Y_FAST: 1 with op, 0 at the end of the
 * trace, or FAST_FALLBACK when libyaml is to read from src.pos on.
 */
static int fast_next(struct hg_trace_reader *r, struct hg_op *op,
		     unsigned *line, unsigned *col)
{
	struct hg_yaml_reader *yr = r->yaml;
	const char *b;
	size_t n, adv, sp, off;
	int rc;

	if (yr->ahead) {
		/* The line the last event looked at: quiet lines skipped,
		 * checked already. */
		yr->ahead = false;
		r->src.pos += yr->ahead_skip;
		yr->abs_pos += yr->ahead_skip;
		yr->lineno += yr->ahead_lines;
		if (yr->ahead_eof) {
			yr->state = Y_DONE;
			return 0;
		}
		b = (const char *)r->src.buf + r->src.pos;
		n = yr->ahead_n;
		adv = yr->ahead_adv;
	} else {
		for (;;) {
			rc = line_at(r, 0, &b, &n, &adv);
			if (rc < 0)
				return FAST_FALLBACK;
			if (rc == 0) {
				yr->state = Y_DONE;
				return 0;
			}
			if (!quiet(b, n))
				break;
			if (!fast_check(r, yr->abs_pos + adv))
				goto fallback;
			r->src.pos += adv;
			yr->abs_pos += adv;
			yr->lineno++;
		}
		if (!fast_check(r, yr->abs_pos + adv))
			goto fallback;
	}
	sp = spaces(b, n);
	if (sp != yr->indent || n - sp < 2 || b[sp] != '-' ||
	    b[sp + 1] != ' ' || !fast_item(r, op, b + sp + 2, b + n))
		goto fallback;
	/* The next line that is not quiet must not continue this one (and
	 * is what libyaml would look at before it gave this event). */
	yr->ahead_lines = 0;
	yr->ahead_eof = false;
	for (off = adv;;) {
		const char *nb;
		size_t nn, nadv;

		rc = line_at(r, off, &nb, &nn, &nadv);
		if (rc < 0)
			goto fallback;
		if (rc == 0) {
			yr->ahead_eof = true;
			break;
		}
		if (!fast_check(r, yr->abs_pos + off + nadv))
			goto fallback;
		if (!quiet(nb, nn)) {
			if (spaces(nb, nn) > yr->indent || !printable(nb, nn))
				goto fallback;
			yr->ahead_n = nn;
			yr->ahead_adv = nadv;
			break;
		}
		off += nadv;
		yr->ahead_lines++;
	}
	yr->ahead = true;
	yr->ahead_skip = off - adv;
	*line = u(yr->lineno);
	*col = u(yr->indent + 3);
	r->src.pos += adv;
	yr->abs_pos += adv;
	yr->lineno++;
	return 1;
fallback:
	memset(op, 0, sizeof(*op));
	return FAST_FALLBACK;
}

/* fast_fallback starts libyaml at src.pos, the start of line lineno. */
static int fast_fallback(struct hg_trace_reader *r)
{
	static const yaml_event_type_t skip[] = {
		YAML_STREAM_START_EVENT,   YAML_DOCUMENT_START_EVENT,
		YAML_MAPPING_START_EVENT,  YAML_SCALAR_EVENT,
		YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT,
		YAML_MAPPING_END_EVENT,
	};
	struct hg_yaml_reader *yr = r->yaml;
	struct hg_yaml *y = &yr->y;
	int rc = hg__yaml_init(y, &r->src, r->file, r->d);

	if (rc < 0)
		return rc;
	yr->state = Y_EVENTS;
	y->prefix_indent = yr->indent;
	y->prefix_len =
		sizeof("events:\n") - 1 + yr->indent + sizeof("- {}\n") - 1;
	/* The prefix is two lines, for the top-level mapping and the events'
	 * sequence: the trace's line lineno is its third. */
	y->line_base = yr->lineno - 3;
	y->line0 = yr->start.line;
	y->line1 = yr->first_line;
	y->offset_base = yr->abs_pos - y->prefix_len;
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
		rc = next_ev(r);
		if (rc < 0)
			return rc;
		if (y->ev.type != skip[i])
			return hg__yaml_err(y, "internal: events restarted "
					       "out of step");
	}
	return 0;
}

int hg__yaml_next_op(struct hg_trace_reader *r, struct hg_op *op,
		     unsigned *line, unsigned *col)
{
	struct hg_yaml_reader *yr = r->yaml;
	int rc;

	for (;;) {
		if (yr->state == Y_FAST) {
			rc = fast_next(r, op, line, col);
			if (rc != FAST_FALLBACK)
				return rc;
			rc = fast_fallback(r);
			if (rc < 0)
				return rc;
		}
		if (yr->state != Y_EVENTS)
			return 0;
		rc = next_ev(r);
		if (rc < 0)
			return rc;
		if (yr->y.ev.type != YAML_SEQUENCE_END_EVENT)
			return event_item(r, op, line, col);
		rc = header(r, true);
		if (rc < 0)
			return rc;
	}
}

void hg__yaml_close(struct hg_trace_reader *r)
{
	if (!r->yaml)
		return;
	hg__yaml_fini(&r->yaml->y);
	free(r->yaml);
	r->yaml = NULL;
}
