/*
 * hg_schema.c - a JSON Schema (draft 2020-12) checker for the keywords
 * share/schema/heapgrow.schema.json uses, and the check of that schema
 * against the statistics table (core/stats.c) and the config keys
 * (HG_CONFIG_KEYS, core/config.c).
 *
 *   hg_schema SCHEMA DOC...             every DOC is valid against SCHEMA
 *   hg_schema --def NAME SCHEMA DOC...  against SCHEMA's $defs/NAME
 *   hg_schema --table SCHEMA            SCHEMA lists every statistic of
 *                                       the table and every config key
 *
 * Exit status: 0 valid, 1 a document is not valid (the first error, with
 * its JSON pointer and position, on standard error) or the schema does
 * not match the tables, 2 bad input: an unreadable file, invalid JSON, or
 * a schema keyword this checker does not implement (so the subset it
 * implements is always the subset the schema uses).
 *
 * Keywords: type, enum, const, properties, required,
 * additionalProperties, propertyNames, items, oneOf, anyOf, allOf,
 * minimum, pattern (POSIX extended regular expressions, which agree with
 * ECMA-262 on the schema's patterns), $ref (to "#" and JSON pointers into
 * the same file); $schema, $id, $defs, $comment, title and description
 * are annotations.
 */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg_core.h"
#include "jsonread.h"

#define MAX_FILE (64u << 20)
#define MAX_REFS 64 /* $ref nesting: a loop is a schema error */

static const char *schema_file;
static const struct hg_jvalue *schema_root;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("hg_schema: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0;
	char *buf = NULL;

	if (!f)
		die("cannot open %s", path);
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > MAX_FILE)
				die("%s: over %u MiB", path, MAX_FILE >> 20);
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory");
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(f))
		die("cannot read %s", path);
	fclose(f);
	return buf;
}

static void load(const char *path, char **text, struct hg_jvalue *v)
{
	struct hg_jerror err;
	size_t len;

	*text = slurp(path, &len);
	if (hg_jread_numbers(*text, len, v, &err) != 0)
		die("%s:%u:%u: %s", path, err.line, err.col, err.msg);
}

/* ------------------------------------------------------------------ */
/* The schema's keywords                                               */
/* ------------------------------------------------------------------ */

static const char *const annotations[] = { "$schema", "$id",         "$comment",
					   "title",   "description", NULL };
static const char *const keywords[] = {
	"$defs",         "$ref",       "type",     "enum",
	"const",         "properties", "required", "additionalProperties",
	"propertyNames", "items",      "oneOf",    "anyOf",
	"allOf",         "minimum",    "pattern",  NULL,
};

static bool in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* check_schema refuses what this checker does not implement, anywhere in
 * the schema s (at path, for the message). */
static void check_schema(const struct hg_jvalue *s, const char *path)
{
	char sub[512];

	if (s->type == HG_JBOOL)
		return;
	if (s->type != HG_JOBJECT)
		die("%s: %s: a schema is an object or a boolean", schema_file,
		    path);
	for (size_t i = 0; i < s->nmembers; i++) {
		const char *k = s->members[i].key;
		const struct hg_jvalue *v = &s->members[i].v;

		snprintf(sub, sizeof(sub), "%s/%s", path, k);
		if (in(annotations, k))
			continue;
		if (!in(keywords, k))
			die("%s:%u:%u: %s: keyword '%s' is not implemented by "
			    "this checker",
			    schema_file, v->line, v->col, path, k);
		if (strcmp(k, "$defs") == 0 || strcmp(k, "properties") == 0) {
			if (v->type != HG_JOBJECT)
				die("%s: %s is not an object", schema_file,
				    sub);
			for (size_t j = 0; j < v->nmembers; j++) {
				char sub2[600];

				snprintf(sub2, sizeof(sub2), "%s/%s", sub,
					 v->members[j].key);
				check_schema(&v->members[j].v, sub2);
			}
		} else if (strcmp(k, "additionalProperties") == 0 ||
			   strcmp(k, "propertyNames") == 0 ||
			   strcmp(k, "items") == 0) {
			check_schema(v, sub);
		} else if (strcmp(k, "oneOf") == 0 || strcmp(k, "anyOf") == 0 ||
			   strcmp(k, "allOf") == 0) {
			if (v->type != HG_JARRAY || !v->nmembers)
				die("%s: %s is not a non-empty array",
				    schema_file, sub);
			for (size_t j = 0; j < v->nmembers; j++)
				check_schema(&v->members[j].v, sub);
		} else if (strcmp(k, "$ref") == 0 &&
			   (v->type != HG_JSTRING || v->s[0] != '#')) {
			die("%s: %s: only references into the same file "
			    "(\"#...\") are implemented",
			    schema_file, sub);
		} else if ((strcmp(k, "required") == 0 ||
			    strcmp(k, "enum") == 0) &&
			   v->type != HG_JARRAY) {
			die("%s: %s is not an array", schema_file, sub);
		} else if (strcmp(k, "type") == 0 && v->type != HG_JSTRING &&
			   !(v->type == HG_JARRAY && v->nmembers &&
			     v->members[0].v.type == HG_JSTRING)) {
			die("%s: %s is not a type name or a list of them",
			    schema_file, sub);
		} else if (strcmp(k, "type") == 0 && v->type == HG_JARRAY) {
			for (size_t j = 0; j < v->nmembers; j++)
				if (v->members[j].v.type != HG_JSTRING)
					die("%s: %s is not a list of type "
					    "names",
					    schema_file, sub);
		} else if (strcmp(k, "pattern") == 0 && v->type != HG_JSTRING) {
			die("%s: %s is not a string", schema_file, sub);
		} else if (strcmp(k, "minimum") == 0 && v->type != HG_JINT &&
			   v->type != HG_JREAL) {
			die("%s: %s is not a number", schema_file, sub);
		}
	}
}

/* resolve finds the schema a "#/a/b" reference names. */
static const struct hg_jvalue *resolve(const char *ref)
{
	const struct hg_jvalue *v = schema_root;
	const char *p = ref + 1;
	char tok[256];

	while (*p == '/') {
		size_t n = 0;

		p++;
		while (*p && *p != '/' && n + 1 < sizeof(tok)) {
			if (p[0] == '~' && p[1] == '1') {
				tok[n++] = '/';
				p += 2;
			} else if (p[0] == '~' && p[1] == '0') {
				tok[n++] = '~';
				p += 2;
			} else {
				tok[n++] = *p++;
			}
		}
		tok[n] = '\0';
		v = hg_jget(v, tok);
		if (!v)
			break;
	}
	if (!v || *p)
		die("%s: $ref '%s' names nothing", schema_file, ref);
	return v;
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */
/* ------------------------------------------------------------------ */

/* The first error: where in the document (a JSON pointer and the
 * position) and why. depth ranks the errors of oneOf's branches. */
struct err {
	char path[512];
	unsigned line, col;
	int depth;
	char msg[400];
};

struct walk {
	char path[512];
	int depth;
	int refs;
	unsigned long checks; /* keywords passed so far */
};

static bool fail(const struct walk *w, const struct hg_jvalue *d, struct err *e,
		 const char *fmt, ...)
{
	va_list ap;

	snprintf(e->path, sizeof(e->path), "%s", w->path[0] ? w->path : "/");
	e->line = d->line;
	e->col = d->col;
	e->depth = w->depth;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return false;
}

static bool is_number(const struct hg_jvalue *v)
{
	return v->type == HG_JINT || v->type == HG_JREAL;
}

/* JSON Schema's equality: 1 and 1.0 are the same number. */
static bool equal(const struct hg_jvalue *a, const struct hg_jvalue *b)
{
	return hg_jequal(a, b, true);
}

static bool has_type(const struct hg_jvalue *d, const char *t)
{
	if (strcmp(t, "integer") == 0)
		return d->type == HG_JINT ||
		       (d->type == HG_JREAL && d->d == (double)(long long)d->d);
	if (strcmp(t, "number") == 0)
		return is_number(d);
	if (strcmp(t, "string") == 0)
		return d->type == HG_JSTRING;
	if (strcmp(t, "object") == 0)
		return d->type == HG_JOBJECT;
	if (strcmp(t, "array") == 0)
		return d->type == HG_JARRAY;
	if (strcmp(t, "boolean") == 0)
		return d->type == HG_JBOOL;
	if (strcmp(t, "null") == 0)
		return d->type == HG_JNULL;
	die("%s: unknown type '%s'", schema_file, t);
	return false;
}

static const char *type_name(const struct hg_jvalue *d)
{
	switch (d->type) {
	case HG_JNULL:
		return "null";
	case HG_JBOOL:
		return "a boolean";
	case HG_JINT:
		return d->neg ? "a negative integer" : "an integer";
	case HG_JREAL:
		return "a number";
	case HG_JSTRING:
		return "a string";
	case HG_JOBJECT:
		return "an object";
	case HG_JARRAY:
		return "an array";
	}
	return "a value";
}

static bool validate(const struct hg_jvalue *s, const struct hg_jvalue *d,
		     struct walk *w, struct err *e);

/* push appends /key to the walk's path; pop takes it off. */
static size_t push(struct walk *w, const char *key)
{
	size_t n = strlen(w->path);

	snprintf(w->path + n, sizeof(w->path) - n, "/%s", key);
	w->depth++;
	return n;
}

static void pop(struct walk *w, size_t n)
{
	w->path[n] = '\0';
	w->depth--;
}

static bool check_type(const struct hg_jvalue *t, const struct hg_jvalue *d,
		       struct walk *w, struct err *e)
{
	char want[200] = "";

	if (t->type == HG_JSTRING) {
		if (has_type(d, t->s))
			return true;
		return fail(w, d, e, "%s, not %s", type_name(d), t->s);
	}
	for (size_t i = 0; i < t->nmembers; i++) {
		if (has_type(d, t->members[i].v.s))
			return true;
		size_t n = strlen(want);
		snprintf(want + n, sizeof(want) - n, "%s%s", i ? " or " : "",
			 t->members[i].v.s);
	}
	return fail(w, d, e, "%s, not %s", type_name(d), want);
}

static bool check_pattern(const char *pattern, const char *s)
{
	regex_t re;
	int rc;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		die("%s: bad pattern '%s'", schema_file, pattern);
	rc = regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	return rc == 0;
}

/* check_one runs one keyword k (value v) of a schema on d. */
static bool check_one(const struct hg_jvalue *s, const char *k,
		      const struct hg_jvalue *v, const struct hg_jvalue *d,
		      struct walk *w, struct err *e)
{
	if (strcmp(k, "$ref") == 0) {
		if (++w->refs > MAX_REFS)
			die("%s: $ref loop at '%s'", schema_file, v->s);
		bool ok = validate(resolve(v->s), d, w, e);
		w->refs--;
		return ok;
	}
	if (strcmp(k, "type") == 0)
		return check_type(v, d, w, e);
	if (strcmp(k, "enum") == 0) {
		for (size_t i = 0; i < v->nmembers; i++)
			if (equal(&v->members[i].v, d))
				return true;
		return fail(w, d, e, "%s%s%s is none of the %zu values allowed",
			    d->type == HG_JSTRING ? "'" : "",
			    d->type == HG_JSTRING ? d->s : type_name(d),
			    d->type == HG_JSTRING ? "'" : "", v->nmembers);
	}
	if (strcmp(k, "const") == 0) {
		if (equal(v, d))
			return true;
		return fail(w, d, e, "not the value this key must have");
	}
	if (strcmp(k, "minimum") == 0) {
		if (!is_number(d))
			return true;
		bool below =
			d->type == HG_JINT && v->type == HG_JINT
				? (d->neg && !v->neg) ||
					  (d->neg && v->neg && d->u > v->u) ||
					  (!d->neg && !v->neg && d->u < v->u)
				: d->d < v->d;
		return below ? fail(w, d, e, "below the minimum") : true;
	}
	if (strcmp(k, "pattern") == 0) {
		if (d->type != HG_JSTRING || check_pattern(v->s, d->s))
			return true;
		return fail(w, d, e, "'%s' does not match %s", d->s, v->s);
	}
	if (strcmp(k, "required") == 0) {
		if (d->type != HG_JOBJECT)
			return true;
		for (size_t i = 0; i < v->nmembers; i++)
			if (!hg_jget(d, v->members[i].v.s))
				return fail(w, d, e, "no '%s' key",
					    v->members[i].v.s);
		return true;
	}
	if (strcmp(k, "properties") == 0) {
		if (d->type != HG_JOBJECT)
			return true;
		for (size_t i = 0; i < d->nmembers; i++) {
			const struct hg_jvalue *ps =
				hg_jget(v, d->members[i].key);
			if (!ps)
				continue;
			size_t n = push(w, d->members[i].key);
			bool ok = validate(ps, &d->members[i].v, w, e);
			pop(w, n);
			if (!ok)
				return false;
		}
		return true;
	}
	if (strcmp(k, "additionalProperties") == 0) {
		const struct hg_jvalue *props = hg_jget(s, "properties");

		if (d->type != HG_JOBJECT)
			return true;
		for (size_t i = 0; i < d->nmembers; i++) {
			if (hg_jget(props, d->members[i].key))
				continue;
			size_t n = push(w, d->members[i].key);
			bool ok = v->type == HG_JBOOL && !v->b
					  ? fail(w, &d->members[i].v, e,
						 "a key that is not allowed "
						 "here")
					  : validate(v, &d->members[i].v, w, e);
			pop(w, n);
			if (!ok)
				return false;
		}
		return true;
	}
	if (strcmp(k, "propertyNames") == 0) {
		if (d->type != HG_JOBJECT)
			return true;
		for (size_t i = 0; i < d->nmembers; i++) {
			struct hg_jvalue name = d->members[i].v;

			name.type = HG_JSTRING;
			name.s = d->members[i].key;
			name.nmembers = 0;
			size_t n = push(w, d->members[i].key);
			bool ok = validate(v, &name, w, e);
			pop(w, n);
			if (!ok) {
				snprintf(e->msg + strlen(e->msg),
					 sizeof(e->msg) - strlen(e->msg),
					 " (the key's name)");
				return false;
			}
		}
		return true;
	}
	if (strcmp(k, "items") == 0) {
		char idx[24];

		if (d->type != HG_JARRAY)
			return true;
		for (size_t i = 0; i < d->nmembers; i++) {
			snprintf(idx, sizeof(idx), "%zu", i);
			size_t n = push(w, idx);
			bool ok = validate(v, &d->members[i].v, w, e);
			pop(w, n);
			if (!ok)
				return false;
		}
		return true;
	}
	if (strcmp(k, "allOf") == 0) {
		for (size_t i = 0; i < v->nmembers; i++)
			if (!validate(&v->members[i].v, d, w, e))
				return false;
		return true;
	}
	if (strcmp(k, "oneOf") == 0 || strcmp(k, "anyOf") == 0) {
		struct err best, be;
		unsigned long most = 0;
		size_t valid = 0;

		best.depth = -1;
		for (size_t i = 0; i < v->nmembers; i++) {
			unsigned long start = w->checks;

			if (validate(&v->members[i].v, d, w, &be)) {
				valid++;
				continue;
			}
			/* The branch that went furthest before its error. */
			unsigned long went = w->checks - start;
			if (best.depth < 0 || went > most ||
			    (went == most && be.depth > best.depth)) {
				best = be;
				most = went;
			}
		}
		if (valid == 1 || (valid && k[0] == 'a'))
			return true;
		if (valid)
			return fail(w, d, e,
				    "matches %zu of the oneOf schemas, "
				    "not one",
				    valid);
		/* The branch that got furthest says best what is wrong
		 * (a bad figure in a document of one kind, rather than
		 * the other kinds' "kind"). */
		*e = best;
		return false;
	}
	die("%s: keyword '%s' is not implemented", schema_file, k);
	return false;
}

static bool validate(const struct hg_jvalue *s, const struct hg_jvalue *d,
		     struct walk *w, struct err *e)
{
	if (s->type == HG_JBOOL)
		return s->b ? true : fail(w, d, e, "nothing is allowed here");
	for (size_t i = 0; i < s->nmembers; i++) {
		const char *k = s->members[i].key;

		if (in(annotations, k) || strcmp(k, "$defs") == 0)
			continue;
		if (!check_one(s, k, &s->members[i].v, d, w, e))
			return false;
		w->checks++;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* The schema against the tables                                       */
/* ------------------------------------------------------------------ */

static int mismatches;

static void mismatch(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hg_schema: %s: ", schema_file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	mismatches++;
}

static const struct hg_jvalue *def(const char *name)
{
	const struct hg_jvalue *v =
		hg_jget(hg_jget(schema_root, "$defs"), name);
	if (!v)
		mismatch("no $defs/%s", name);
	return v;
}

static bool same_group(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* A list of names, to compare with the schema's. */
struct names {
	const char *v[128];
	bool flag[128];
	size_t n;
};

static void add(struct names *ns, const char *s, bool flag)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0) {
			ns->flag[i] |= flag;
			return;
		}
	if (ns->n < 128) {
		ns->flag[ns->n] = flag;
		ns->v[ns->n++] = s;
	}
}

static bool has(const struct names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return true;
	return false;
}

static bool listed(const struct hg_jvalue *arr, const char *s)
{
	if (!arr || arr->type != HG_JARRAY)
		return false;
	for (size_t i = 0; i < arr->nmembers; i++)
		if (arr->members[i].v.type == HG_JSTRING &&
		    strcmp(arr->members[i].v.s, s) == 0)
			return true;
	return false;
}

static const char *ref_of(const struct hg_jvalue *prop)
{
	const struct hg_jvalue *r = hg_jget(prop, "$ref");

	return r && r->type == HG_JSTRING ? r->s : "";
}

/*
 * same_keys checks that the object schema d (named what) has exactly
 * the properties ns, requires exactly those whose flag is set (when
 * required is true: a statistic only object-level replays have is
 * optional) and allows no other key.
 */
static void same_keys(const struct hg_jvalue *d, const char *what,
		      const struct names *ns, bool required)
{
	const struct hg_jvalue *props = hg_jget(d, "properties");
	const struct hg_jvalue *req = hg_jget(d, "required");
	const struct hg_jvalue *extra = hg_jget(d, "additionalProperties");

	if (!d)
		return;
	for (size_t i = 0; i < ns->n; i++) {
		if (!hg_jget(props, ns->v[i]))
			mismatch("%s: no property '%s'", what, ns->v[i]);
		else if (required && ns->flag[i] != listed(req, ns->v[i]))
			mismatch("%s: '%s' should %sbe required", what,
				 ns->v[i], ns->flag[i] ? "" : "not ");
	}
	for (size_t i = 0; props && i < props->nmembers; i++)
		if (!has(ns, props->members[i].key))
			mismatch("%s: property '%s' is not in the table", what,
				 props->members[i].key);
	if (!extra || extra->type != HG_JBOOL || extra->b)
		mismatch("%s: other keys are not refused "
			 "(additionalProperties: false)",
			 what);
}

/* unit_ref checks that a statistic's property refers to its unit. */
static void unit_ref(const struct hg_jvalue *d, const char *what,
		     const struct hg_stat_spec *s)
{
	const char *want =
		s->unit == HG_UNIT_BYTES ? "#/$defs/bytes" : "#/$defs/count";
	const struct hg_jvalue *p = hg_jget(hg_jget(d, "properties"), s->name);

	if (p && strcmp(ref_of(p), want) != 0)
		mismatch("%s: '%s' should be %s", what, s->name, want);
}

/* check_groups checks $defs/GROUP of every group of the rows kept in
 * where, and adds the top-level members of those rows to top. */
static void check_groups(enum hg_stat_where where, struct names *top)
{
	for (const struct hg_stat_spec *s = hg_stat_specs; s->name; s++) {
		if (s->where != where)
			continue;
		if (!s->group) {
			add(top, s->name, !(s->flags & HG_STAT_OBJECTS));
			continue;
		}
		bool first = true;
		for (const struct hg_stat_spec *t = hg_stat_specs; t < s; t++)
			if (t->where == where && same_group(t->group, s->group))
				first = false;
		add(top, s->group, !(s->flags & HG_STAT_OBJECTS));
		if (!first)
			continue;
		struct names g = { .n = 0 };
		const struct hg_jvalue *d = def(s->group);
		/* A group of the object layer's figures alone is there
		 * with all of them or not at all. */
		bool objects = true;
		for (const struct hg_stat_spec *t = s; t->name; t++)
			if (t->where == where && same_group(t->group, s->group))
				objects &= (t->flags & HG_STAT_OBJECTS) != 0;
		for (const struct hg_stat_spec *t = s; t->name; t++) {
			if (t->where != where ||
			    !same_group(t->group, s->group))
				continue;
			add(&g, t->name,
			    objects || !(t->flags & HG_STAT_OBJECTS));
			unit_ref(d, s->group, t);
		}
		same_keys(d, s->group, &g, true);
	}
}

/* check_members checks that the object schema d has the members of
 * top, a statistic ungrouped with its unit and a group as its $defs. */
static void check_members(const struct hg_jvalue *d, const char *what,
			  enum hg_stat_where where, const struct names *top)
{
	const struct hg_jvalue *props = hg_jget(d, "properties");
	const struct hg_jvalue *req = hg_jget(d, "required");
	char want[128];

	if (!d)
		return;
	for (size_t i = 0; i < top->n; i++) {
		const struct hg_jvalue *p = hg_jget(props, top->v[i]);
		const struct hg_stat_spec *s = NULL;

		for (const struct hg_stat_spec *t = hg_stat_specs; t->name; t++)
			if (t->where == where && !t->group &&
			    strcmp(t->name, top->v[i]) == 0)
				s = t;
		if (!p) {
			mismatch("%s: no property '%s'", what, top->v[i]);
			continue;
		}
		if (top->flag[i] != listed(req, top->v[i]))
			mismatch("%s: '%s' should %sbe required", what,
				 top->v[i], top->flag[i] ? "" : "not ");
		if (s) {
			unit_ref(d, what, s);
			continue;
		}
		snprintf(want, sizeof(want), "#/$defs/%s", top->v[i]);
		if (strcmp(ref_of(p), want) != 0)
			mismatch("%s: '%s' should be %s", what, top->v[i],
				 want);
	}
}

static void check_table(void)
{
	struct names fig = { .n = 0 }, run = { .n = 0 }, names = { .n = 0 };
	static char dotted[256][96];
	size_t nd = 0;

	/* The figures: the groups, "figures" and each mark. */
	check_groups(HG_STAT_FIGURES, &fig);
	same_keys(def("figures"), "figures", &fig, true);
	check_members(def("figures"), "figures", HG_STAT_FIGURES, &fig);
	struct names mark = fig;
	add(&mark, "label", true);
	add(&mark, "event", true);
	same_keys(def("mark"), "mark", &mark, true);
	check_members(def("mark"), "mark", HG_STAT_FIGURES, &fig);

	/* The one-per-run figures, beside "final" and "peak" in a stats
	 * file and in each configuration of a compare. */
	check_groups(HG_STAT_RUN, &run);
	check_members(def("stats"), "stats", HG_STAT_RUN, &run);
	check_members(def("configuration"), "configuration", HG_STAT_RUN, &run);

	/* Every statistic's dotted name, as compare's "diff" gives them. */
	for (int peak = 0; peak < 3; peak++)
		for (const struct hg_stat_spec *s = hg_stat_specs;
		     s->name && nd < 256; s++) {
			bool f = s->where == HG_STAT_FIGURES;
			if (f != (peak < 2))
				continue;
			snprintf(dotted[nd], sizeof(dotted[nd]), "%s%s%s%s",
				 !f     ? ""
				 : peak ? "peak."
					: "final.",
				 s->group ? s->group : "", s->group ? "." : "",
				 s->name);
			if (!hg_stat_by_path(dotted[nd]))
				mismatch("bug: '%s' is no statistic",
					 dotted[nd]);
			add(&names, dotted[nd], false);
			nd++;
		}
	const struct hg_jvalue *st = def("statistic");
	const struct hg_jvalue *en = hg_jget(st, "enum");
	for (size_t i = 0; i < names.n; i++)
		if (!listed(en, names.v[i]))
			mismatch("statistic: no '%s'", names.v[i]);
	for (size_t i = 0; en && i < en->nmembers; i++)
		if (en->members[i].v.type != HG_JSTRING ||
		    !has(&names, en->members[i].v.s))
			mismatch("statistic: '%s' is not in the table",
				 en->members[i].v.type == HG_JSTRING
					 ? en->members[i].v.s
					 : "?");

	/* The config keys: every one, the object layer's and those of
	 * some platforms only optional, and an enumerated key's values. */
	struct names keys = { .n = 0 };
	const struct hg_jvalue *cfg = def("config");
	for (const char *const *k = hg_config_keys; *k; k++) {
		bool everywhere = true;
		for (int p = 0; p < HG_PLAT_COUNT; p++) {
			struct hg_config pc;
			hg_config_init(&pc);
			pc.platform = (enum hg_platform)p;
			if (!hg_config_key_platform(&pc, *k))
				everywhere = false;
		}
		add(&keys, *k, !hg_config_key_objects(*k) && everywhere);
	}
	same_keys(cfg, "config", &keys, true);
	for (const char *const *k = hg_config_keys; *k; k++) {
		const struct hg_jvalue *p =
			hg_jget(hg_jget(cfg, "properties"), *k);
		const char *const *vals = hg_config_key_values(*k);

		if (!p)
			continue;
		if (hg_config_type_of(*k) == HG_CFG_SIZE &&
		    strcmp(ref_of(p), "#/$defs/bytes") != 0 &&
		    !hg_jget(p, "oneOf"))
			mismatch("config: '%s' is a size: #/$defs/bytes", *k);
		if (hg_config_type_of(*k) == HG_CFG_BOOL &&
		    !(hg_jget(p, "type") && hg_jget(p, "type")->s &&
		      strcmp(hg_jget(p, "type")->s, "boolean") == 0))
			mismatch("config: '%s' is a boolean", *k);
		/* (go takes any release from 1.4 on, not only the presets:
		 * a pattern.) */
		if (!vals || strcmp(*k, "go") == 0)
			continue;
		en = hg_jget(p, "enum");
		size_t n = 0;
		for (; vals[n]; n++)
			if (!listed(en, vals[n]))
				mismatch("config: '%s' lacks the value '%s'",
					 *k, vals[n]);
		if (!en || en->nmembers != n)
			mismatch("config: '%s' should have exactly the %zu "
				 "values of the key",
				 *k, n);
	}
}

int main(int argc, char **argv)
{
	const char *defname = NULL;
	struct hg_jvalue schema;
	char *text;
	int i = 1, status = 0;

	if (argc >= 3 && strcmp(argv[1], "--table") == 0) {
		schema_file = argv[2];
		load(schema_file, &text, &schema);
		schema_root = &schema;
		check_schema(&schema, "#");
		check_table();
		hg_jfree(&schema);
		free(text);
		if (mismatches) {
			fprintf(stderr,
				"hg_schema: %d mismatches: the schema lists "
				"every statistic of core/stats.c (its group, "
				"name, unit and whether only object-level "
				"replays have it) and every config key of "
				"core/config.c; add a new one to its $defs "
				"there\n",
				mismatches);
			return 1;
		}
		printf("%s: every statistic of the table and every config "
		       "key\n",
		       schema_file);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "--def") == 0) {
		defname = argv[2];
		i = 3;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: hg_schema [--def NAME] SCHEMA DOC...\n"
				"       hg_schema --table SCHEMA\n");
		return 2;
	}
	schema_file = argv[i++];
	load(schema_file, &text, &schema);
	schema_root = &schema;
	check_schema(&schema, "#");
	const struct hg_jvalue *root = &schema;
	if (defname) {
		char ref[300];
		snprintf(ref, sizeof(ref), "#/$defs/%s", defname);
		root = resolve(ref);
	}
	for (; i < argc; i++) {
		struct hg_jvalue doc;
		struct walk w = { "", 0, 0, 0 };
		struct err e;
		char *dtext;

		load(argv[i], &dtext, &doc);
		if (validate(root, &doc, &w, &e)) {
			printf("%s: valid\n", argv[i]);
		} else {
			fprintf(stderr, "hg_schema: %s:%u:%u: %s: %s\n",
				argv[i], e.line, e.col, e.path, e.msg);
			status = 1;
		}
		hg_jfree(&doc);
		free(dtext);
	}
	hg_jfree(&schema);
	free(text);
	return status;
}
