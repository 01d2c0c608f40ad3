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

int hg__yaml_next(struct hg_yaml *y, struct hg_src *src)
{
	yaml_parser_t *p = &y->p;

	if (y->have)
		yaml_event_delete(&y->ev);
	y->have = false;
	if (!yaml_parser_parse(p, &y->ev)) {
		yaml_mark_t m = p->error == YAML_READER_ERROR ? p->mark
							      : p->problem_mark;

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
			return HG_EINVAL;
		}
		if (p->error == YAML_MEMORY_ERROR) {
			snprintf(y->d->msg, sizeof(y->d->msg), "out of memory");
			return HG_ENOMEM;
		}
		if (p->context)
			snprintf(y->d->msg, sizeof(y->d->msg),
				 "malformed YAML: %s (%s at line %u)",
				 p->problem ? p->problem : "error", p->context,
				 u(p->context_mark.line + 1));
		else if (p->error == YAML_READER_ERROR)
			snprintf(y->d->msg, sizeof(y->d->msg),
				 "malformed YAML: %s (byte offset %zu)",
				 p->problem ? p->problem : "error",
				 p->problem_offset);
		else
			snprintf(y->d->msg, sizeof(y->d->msg),
				 "malformed YAML: %s",
				 p->problem ? p->problem : "error");
		return HG_EINVAL;
	}
	y->have = true;
	y->last_end = y->ev.end_mark.index;
	if (y->ev.type == YAML_SCALAR_EVENT &&
	    y->ev.data.scalar.length > HG_YAML_MAX_SCALAR)
		return hg__yaml_err(y, "YAML scalar of %zu bytes (the limit "
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

enum { Y_HEADER, Y_EVENTS, Y_DONE };

struct hg_yaml_reader {
	struct hg_yaml y;
	int state;
	bool seen_version, seen_name, seen_desc, seen_config, seen_events;
	yaml_mark_t start; /* of the top-level mapping */
};

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
				return 0;
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
	return header(r, false);
}

static int take_id(struct hg_trace_reader *r, const struct hg_op_spec *k,
		   struct hg_op *op)
{
	struct hg_yaml *y = &r->yaml->y;
	char q[48];

	if (SLEN(&y->ev) > HG_TRACE_MAX_ID)
		return hg__yaml_err(y, "%s: id of %zu bytes (the limit is %u)",
				    k->name, SLEN(&y->ev), HG_TRACE_MAX_ID);
	if (!hg__id_valid(SVAL(&y->ev), SLEN(&y->ev)))
		return hg__yaml_err(
			y,
			"%s: bad id '%s' (letters, digits, "
			"'_', '-', '.')",
			k->name,
			hg__quote(q, sizeof(q), SVAL(&y->ev), SLEN(&y->ev)));
	if (hg__reader_str(&r->id, &r->idcap, SVAL(&y->ev), SLEN(&y->ev)) < 0)
		return hg__yaml_err(y, "out of memory");
	op->id = r->id;
	op->id_len = SLEN(&y->ev);
	return 0;
}

static int take_size(struct hg_trace_reader *r, const char *what, uint64_t *out)
{
	struct hg_yaml *y = &r->yaml->y;

	return hg__parse_op_size(r, what, SVAL(&y->ev), SLEN(&y->ev), out,
				 u(y->ev.start_mark.line + 1),
				 u(y->ev.start_mark.column + 1));
}

/* take_field reads the scalar value of field f of op k. */
static int take_field(struct hg_trace_reader *r, const struct hg_op_spec *k,
		      enum hg_op_field f, struct hg_op *op)
{
	struct hg_yaml *y = &r->yaml->y;
	char q[48];

	switch (f) {
	case HG_FIELD_ID:
		return take_id(r, k, op);
	case HG_FIELD_SIZE:
		return take_size(r, "size", &op->size);
	case HG_FIELD_SIZE_ALL:
		if (scalar_is(&y->ev, "all")) {
			op->all = true;
			return 0;
		}
		return take_size(r, "size", &op->size);
	case HG_FIELD_HINT:
	case HG_FIELD_ADDR:
		op->has_addr = true;
		return take_size(r, "address", &op->addr);
	case HG_FIELD_NOSCAN:
	case HG_FIELD_SWEPT:
		if (scalar_is(&y->ev, "true") || scalar_is(&y->ev, "false")) {
			bool v = SVAL(&y->ev)[0] == 't';

			if (f == HG_FIELD_NOSCAN)
				op->noscan = v;
			else
				op->swept = v;
			return 0;
		}
		return hg__yaml_err(
			y,
			"%s: '%s' must be true or false, "
			"not '%s'",
			k->name, hg_op_field_name(f),
			hg__quote(q, sizeof(q), SVAL(&y->ev), SLEN(&y->ev)));
	case HG_FIELD_VALUE:
		return take_size(r, "number", &op->value);
	case HG_FIELD_TEXT:
		if (SLEN(&y->ev) > HG_TRACE_MAX_TEXT)
			return hg__yaml_err(y,
					    "%s: text of %zu bytes (the limit "
					    "is %u)",
					    k->name, SLEN(&y->ev),
					    HG_TRACE_MAX_TEXT);
		if (memchr(SVAL(&y->ev), '\0', SLEN(&y->ev)))
			return hg__yaml_err(y,
					    "%s: text contains a NUL "
					    "character",
					    k->name);
		if (hg__reader_str(&r->text, &r->textcap, SVAL(&y->ev),
				   SLEN(&y->ev)) < 0)
			return hg__yaml_err(y, "out of memory");
		op->text = r->text;
		return 0;
	default:
		return hg__yaml_err(y, "internal: bad field");
	}
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
				    f == HG_FIELD_SIZE_ALL ? "a size or 'all'"
				    : f == HG_FIELD_TEXT   ? "a text"
				    : f == HG_FIELD_VALUE  ? "a number"
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

int hg__yaml_next_op(struct hg_trace_reader *r, struct hg_op *op,
		     unsigned *line, unsigned *col)
{
	struct hg_yaml_reader *yr = r->yaml;
	int rc;

	while (yr->state == Y_EVENTS) {
		rc = next_ev(r);
		if (rc < 0)
			return rc;
		if (yr->y.ev.type != YAML_SEQUENCE_END_EVENT)
			return event_item(r, op, line, col);
		rc = header(r, true);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void hg__yaml_close(struct hg_trace_reader *r)
{
	if (!r->yaml)
		return;
	hg__yaml_fini(&r->yaml->y);
	free(r->yaml);
	r->yaml = NULL;
}
