/*
 * cmd_diff.c - heapgrow diff BASE.json NEW.json: the deltas between two
 * stats files (heapgrow replay --stats), and --fail-if regression gates.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "gate.h"
#include "json.h"
#include "jsonread.h"
#include "report.h"
#include "util.h"

enum {
	OPT_FAIL_IF = 2,
	OPT_ALL,
	OPT_FORMAT,
	OPT_QUIET,
};

static const struct hg_opt diff_opts[] = {
	{ OPT_FAIL_IF, 0, "fail-if", "EXPR",
	  "exit 1 when EXPR holds (repeatable: any)" },
	{ OPT_ALL, 'a', "all", NULL, "list every figure, changed or not" },
	{ OPT_FORMAT, 0, "format", "text|json",
	  "output format (default text)" },
	{ OPT_QUIET, 'q', "quiet", NULL,
	  "print only the --fail-if conditions that hold" },
	{ 0 },
};

const struct hg_opt_spec cmd_diff_spec = {
	"diff",
	"BASE.json NEW.json [--fail-if EXPR]... [options]",
	"Compare two stats files; exit 1 when a --fail-if condition holds",
	diff_opts,
	"BASE.json and NEW.json are stats files of 'heapgrow replay --stats'\n"
	"(one of them may be '-'), of format version 1 or 2. The figures\n"
	"that changed, at the end and at each mark both files have, are\n"
	"listed with both values, the change and the relative change, under\n"
	"the names --fail-if uses; --format json lists every figure.\n"
	"\n"
	"EXPR is one condition on a figure, a dotted path into the stats:\n"
	"  PATH                    NEW's value is set (not null, false, 0)\n"
	"  PATH increases|decreases|changes\n"
	"  PATH OP SIZE            NEW's value             final.mapped > "
	"128M\n"
	"  PATH OP +SIZE|-SIZE     NEW - BASE              peak.committed > "
	"+4M\n"
	"  PATH OP +N%|-N%         (NEW - BASE) / BASE     final.committed > "
	"+5%\n"
	"OP is >, >=, <, <=, == or !=; SIZE is bytes with an optional K, M, "
	"G\n"
	"or T suffix. Paths: final.* and peak.* (classes.<class>, memstats.*,\n"
	"committed, mapped, address_space, linear_memory, arenas, and with\n"
	"object-level ops fragmentation.*), os_calls.*, heap_grows, oom,\n"
	"oom.size, trace.events, config.<key>.\n"
	"\n"
	"exit status: 0 no condition holds, 1 a condition holds, 2 bad\n"
	"arguments, unreadable or malformed files, unknown figures.\n"
	"\n"
	"examples:\n"
	"  heapgrow diff base.json new.json\n"
	"  heapgrow diff base.json new.json --fail-if 'final.committed > +5%' "
	"\\\n"
	"      --fail-if 'peak.classes.stranded > 0' --fail-if oom\n",
};

#define MAX_STATS_FILE (64u << 20)

/* A stats file, read and parsed. */
struct stats {
	const char *path;
	const char *name; /* for messages */
	char *text;
	size_t len;
	struct hg_jvalue root;
	unsigned version; /* its format version ("heapgrow") */
};

/* read_all reads path ("-" = standard input) into st->text. */
static int read_all(struct stats *st)
{
	FILE *f = strcmp(st->path, "-") == 0 ? stdin : fopen(st->path, "rb");
	size_t cap = 0;

	if (!f) {
		hg_cli_error("cannot open '%s': %s", st->path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t n;

		if (st->len == cap) {
			cap = cap ? cap * 2 : 16384;
			st->text = hg_xrealloc(st->text, cap);
		}
		n = fread(st->text + st->len, 1, cap - st->len, f);
		st->len += n;
		if (st->len > MAX_STATS_FILE) {
			hg_cli_error("%s: too large for a stats file "
				     "(over %u MiB)",
				     st->name, MAX_STATS_FILE >> 20);
			break;
		}
		if (n == 0) {
			if (ferror(f)) {
				hg_cli_error("cannot read '%s': %s", st->path,
					     strerror(errno));
				break;
			}
			if (f != stdin)
				fclose(f);
			return 0;
		}
	}
	if (f != stdin)
		fclose(f);
	return -1;
}

static bool figure_section(const char *key);

/*
 * check_figures refuses a figure of the wrong type: under the figure
 * sections every leaf is a non-negative integer (share/doc/stats-format.md),
 * except marks (a list) and fidelity (null when not measured). depth is
 * bounded by the reader's nesting limit.
 */
static int check_figures(const struct stats *st, const struct hg_jvalue *v,
			 const char *path)
{
	char sub[HG_GATE_PATH_MAX];

	if (v->type == HG_JINT && !v->neg)
		return 0;
	if (v->type != HG_JOBJECT) {
		hg_cli_error_at(st->name, v->line, v->col,
				"figure '%s' is %s%s, not a non-negative "
				"integer",
				path, v->type == HG_JINT ? "negative" : "",
				v->type == HG_JINT ? ""
						   : hg_jtype_name(v->type));
		return -1;
	}
	for (size_t i = 0; i < v->nmembers; i++) {
		const struct hg_jmember *m = &v->members[i];
		int w = snprintf(sub, sizeof(sub), "%s.%s", path, m->key);

		if (w < 0 || (size_t)w >= sizeof(sub))
			continue;
		if (check_figures(st, &m->v, sub) != 0)
			return -1;
	}
	return 0;
}

static int check_sections(const struct stats *st)
{
	for (size_t i = 0; i < st->root.nmembers; i++) {
		const struct hg_jmember *m = &st->root.members[i];

		if (!figure_section(m->key))
			continue;
		if (strcmp(m->key, "marks") == 0) {
			if (m->v.type != HG_JARRAY) {
				hg_cli_error_at(st->name, m->v.line, m->v.col,
						"'marks' is %s, not a list",
						hg_jtype_name(m->v.type));
				return -1;
			}
			continue;
		}
		if (strcmp(m->key, "fidelity") == 0 ||
		    strcmp(m->key, "size_classes") == 0)
			continue; /* their own shapes (stats-format.md) */
		if (check_figures(st, &m->v, m->key) != 0)
			return -1;
	}
	static const char *const needed[] = { "final", "peak" };
	for (size_t i = 0; i < 2; i++) {
		if (!hg_jget(&st->root, needed[i])) {
			hg_cli_error_at(st->name, st->root.line, st->root.col,
					"no '%s' figures", needed[i]);
			return -1;
		}
	}
	return 0;
}

static int load(struct stats *st)
{
	const struct hg_jvalue *v;
	struct hg_jerror err;

	if (read_all(st) != 0)
		return -1;
	if (hg_jread(st->text, st->len, &st->root, &err) != 0) {
		if (err.enomem)
			fputs("heapgrow: out of host memory\n", stderr);
		else
			hg_cli_error_at(st->name, err.line, err.col, "%s",
					err.msg);
		return -1;
	}
	if (st->root.type != HG_JOBJECT) {
		hg_cli_error_at(st->name, st->root.line, st->root.col,
				"not a heapgrow stats file (%s, not an "
				"object)",
				hg_jtype_name(st->root.type));
		return -1;
	}
	v = hg_jget(&st->root, "heapgrow");
	if (!v) {
		hg_cli_error_at(st->name, st->root.line, st->root.col,
				"not a heapgrow stats file (no \"heapgrow\" "
				"key)");
		return -1;
	}
	if (v->type != HG_JINT || v->neg || v->u == 0) {
		hg_cli_error_at(st->name, v->line, v->col,
				"\"heapgrow\" is not a format version (a "
				"positive integer)");
		return -1;
	}
	if (v->u > HG_JSON_FORMAT) {
		hg_cli_error_at(st->name, v->line, v->col,
				"stats format version %" PRIu64
				" is newer than this heapgrow reads (1 to %d)",
				v->u, HG_JSON_FORMAT);
		return -1;
	}
	st->version = (unsigned)v->u;
	/* Another kind of document: compare's, diff's or platforms' JSON
	 * (version 1 had no "kind": its compare documents had
	 * "configurations"). */
	v = hg_jget(&st->root, "kind");
	if (v && v->type != HG_JSTRING) {
		hg_cli_error_at(st->name, v->line, v->col,
				"\"kind\" is %s, not a string",
				hg_jtype_name(v->type));
		return -1;
	}
	if (v && strcmp(v->s, "stats") != 0) {
		bool known = strcmp(v->s, "compare") == 0 ||
			     strcmp(v->s, "diff") == 0 ||
			     strcmp(v->s, "platforms") == 0;
		hg_cli_error_at(st->name, v->line, v->col,
				"%s%s%s, not a stats file (replay --stats "
				"writes those)",
				known ? "a heapgrow " : "a document of kind '",
				v->s, known ? " document" : "'");
		return -1;
	}
	if (!v && hg_jget(&st->root, "configurations")) {
		hg_cli_error_at(st->name, st->root.line, st->root.col,
				"a heapgrow compare document, not a stats "
				"file (replay --stats writes those)");
		return -1;
	}
	if (!v && st->version > 1) {
		hg_cli_error_at(st->name, st->root.line, st->root.col,
				"no \"kind\" key (a stats file of format "
				"version %u has \"kind\": \"stats\")",
				st->version);
		return -1;
	}
	return check_sections(st);
}

/* ------------------------------------------------------------------ */
/* Figures                                                             */
/* ------------------------------------------------------------------ */

/* The top-level members that are not figures. */
static bool figure_section(const char *key)
{
	return strcmp(key, "heapgrow") != 0 && strcmp(key, "kind") != 0 &&
	       strcmp(key, "trace") != 0 && strcmp(key, "config") != 0 &&
	       strcmp(key, "oom") != 0 && strcmp(key, "at") != 0;
}

/* is_count tells a count (arenas, calls, grows) from a size in bytes:
 * the unit of the statistics table's row (sizes when there is none). */
static bool is_count(const char *path)
{
	const struct hg_stat_spec *s = hg_stat_by_path(path);

	/* fidelity's figures count events (share/doc/stats-format.md), a
	 * size class's figures spans and slots; trace.events and oom.event
	 * are an event count and an event index. */
	if (strncmp(path, "fidelity.", 9) == 0 ||
	    strncmp(path, "size_classes.", 13) == 0 ||
	    strcmp(path, "trace.events") == 0 || strcmp(path, "oom.event") == 0)
		return true;
	return s && s->unit == HG_UNIT_COUNT;
}

struct names {
	char **v;
	size_t n, cap;
};

static bool names_has(const struct names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return true;
	return false;
}

static void names_add(struct names *ns, const char *s)
{
	if (names_has(ns, s))
		return;
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 64;
		ns->v = hg_xrealloc(ns->v, ns->cap * sizeof(*ns->v));
	}
	ns->v[ns->n++] = hg_xstrdup(s);
}

/* names_push appends s even when it is there already. */
static const char *names_push(struct names *ns, const char *s)
{
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 64;
		ns->v = hg_xrealloc(ns->v, ns->cap * sizeof(*ns->v));
	}
	ns->v[ns->n] = hg_xstrdup(s);
	return ns->v[ns->n++];
}

static void names_release(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

/* collect adds the paths of the integer leaves under v (prefix: its path).
 * The depth is bounded by the reader's nesting limit. */
static void collect(struct names *ns, const struct hg_jvalue *v,
		    const char *prefix)
{
	char path[HG_GATE_PATH_MAX];

	if (v->type == HG_JINT && !v->neg) {
		names_add(ns, prefix);
		return;
	}
	if (v->type != HG_JOBJECT)
		return;
	for (size_t i = 0; i < v->nmembers; i++) {
		const struct hg_jmember *m = &v->members[i];
		int w = prefix[0] ? snprintf(path, sizeof(path), "%s.%s",
					     prefix, m->key)
				  : snprintf(path, sizeof(path), "%s", m->key);

		if (w < 0 || (size_t)w >= sizeof(path))
			continue;
		if (!prefix[0] && !figure_section(m->key))
			continue;
		collect(ns, &m->v, path);
	}
}

/* value_in returns the integer at path under root, or NULL. */
static const struct hg_jvalue *value_in(const struct hg_jvalue *root,
					const char *path)
{
	const struct hg_jvalue *v;
	char msg[8];

	if (hg_gate_lookup(root, path, &v, msg, sizeof(msg)) != HG_GATE_FOUND ||
	    v->type != HG_JINT || v->neg)
		return NULL;
	return v;
}

/* value returns the integer at path in a stats file, or NULL. */
static const struct hg_jvalue *value(const struct stats *st, const char *path)
{
	return value_in(&st->root, path);
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */
/* ------------------------------------------------------------------ */

static void fmt_value(char *buf, size_t len, const struct hg_jvalue *v,
		      bool count)
{
	if (!v)
		snprintf(buf, len, "-");
	else if (count)
		snprintf(buf, len, "%" PRIu64, v->u);
	else
		hg_fmt_iec(buf, len, v->u);
}

/* fmt_rel writes the relative change: "+5.0%", "-<0.1%", "from 0", "". */
static void fmt_rel(char *buf, size_t len, uint64_t b, uint64_t n)
{
	double r;

	if (n == b)
		snprintf(buf, len, "%s", "");
	else if (b == 0)
		snprintf(buf, len, "from 0");
	else if (r = ((double)n - (double)b) / (double)b * 100.0,
		 r > -0.05 && r < 0.05)
		snprintf(buf, len, "%c<0.1%%", n < b ? '-' : '+');
	else
		snprintf(buf, len, "%+.1f%%", r);
}

/* fmt_change writes "+4.0 MiB (+4194304)", "+3" or "0". */
static void fmt_change(char *buf, size_t len, uint64_t b, uint64_t n,
		       bool count)
{
	bool neg = n < b;
	uint64_t d = neg ? b - n : n - b;
	char mag[64], *paren;
	char sign = neg ? '-' : '+';

	if (d == 0) {
		snprintf(buf, len, "0");
		return;
	}
	if (count) {
		snprintf(buf, len, "%c%" PRIu64, sign, d);
		return;
	}
	hg_fmt_iec(mag, sizeof(mag), d);
	/* "4.0 MiB (4194304)" -> "+4.0 MiB (+4194304)" */
	paren = strchr(mag, '(');
	if (paren)
		snprintf(buf, len, "%c%.*s(%c%s", sign, (int)(paren - mag), mag,
			 sign, paren + 1);
	else
		snprintf(buf, len, "%c%s", sign, mag);
}

/* fmt_oom describes the oom member: "none" or "event 16 (alloc s16, ...)". */
static void fmt_oom(char *buf, size_t len, const struct hg_jvalue *oom)
{
	const struct hg_jvalue *ev, *op, *id, *size;
	char sz[64] = "?";

	if (!oom || oom->type == HG_JNULL) {
		snprintf(buf, len, "none");
		return;
	}
	ev = hg_jget(oom, "event");
	op = hg_jget(oom, "op");
	id = hg_jget(oom, "id");
	size = hg_jget(oom, "size");
	if (size && size->type == HG_JINT)
		hg_fmt_size_short(sz, sizeof(sz), size->u);
	snprintf(buf, len, "at event %" PRIu64 " (%s %s, %s)",
		 ev && ev->type == HG_JINT ? ev->u : 0,
		 op && op->type == HG_JSTRING ? op->s : "?",
		 id && id->type == HG_JSTRING ? id->s : "?", sz);
}

/* fmt_scalar writes a config value or trace field for people. */
static void fmt_scalar(char *buf, size_t len, const struct hg_jvalue *v)
{
	if (!v) {
		snprintf(buf, len, "(absent)");
		return;
	}
	switch (v->type) {
	case HG_JNULL:
		snprintf(buf, len, "null");
		break;
	case HG_JBOOL:
		snprintf(buf, len, "%s", v->b ? "true" : "false");
		break;
	case HG_JINT:
		snprintf(buf, len, "%s%" PRIu64, v->neg ? "-" : "", v->u);
		break;
	case HG_JREAL: /* (hg_jread refuses them in stats files) */
		snprintf(buf, len, "%.17g", v->d);
		break;
	case HG_JSTRING:
		snprintf(buf, len, "%s", v->s);
		break;
	case HG_JOBJECT:
		snprintf(buf, len, "{...}");
		break;
	case HG_JARRAY:
		snprintf(buf, len, "[...]");
		break;
	}
}

static bool same_scalar(const struct hg_jvalue *a, const struct hg_jvalue *b)
{
	char x[160], y[160];

	if (!a || !b)
		return !a && !b;
	if (a->type != b->type)
		return false;
	fmt_scalar(x, sizeof(x), a);
	fmt_scalar(y, sizeof(y), b);
	return strcmp(x, y) == 0;
}

/* ------------------------------------------------------------------ */
/* The report                                                          */
/* ------------------------------------------------------------------ */

static bool is_object(const struct hg_jvalue *v)
{
	return v && v->type == HG_JOBJECT;
}

struct row {
	const char *name;
	char base[48], new[48], change[160], rel[32];
	bool changed;
	int verdict; /* hg_verdict: +1 better, -1 worse, 0 neither */
};

/* path_better is the direction of a figure (core/stats.c's column;
 * fidelity's exact placements get better higher). */
static int path_better(const char *path)
{
	const struct hg_stat_spec *s = hg_stat_by_path(path);

	if (strcmp(path, "fidelity.exact") == 0)
		return HG_BETTER_HIGHER;
	return s ? (int)s->better : HG_BETTER_NEITHER;
}

struct gate_out {
	struct hg_gate gate;
	struct hg_gate_result res;
};

/* One mark of both files (the same label at the same place in their
 * lists) and the names of the figures either has there. */
struct mark_pair {
	const struct hg_jvalue *base, *new;
	struct names figures;
};

struct diff {
	struct stats *base, *new;
	struct names figures;
	struct names config; /* config keys, both files */
	struct gate_out *gates;
	size_t ngates;
	bool all, quiet;
	char *warnings[6]; /* warn_sources' and pair_marks' */
	size_t nwarnings;
	struct mark_pair *marks; /* the marks both files have, in order */
	size_t nmarks;
};

/* config_differs tells whether config key has other values in the two
 * files (*b and *n, NULL where a file has none). */
static bool config_differs(const struct diff *df, const char *key,
			   const struct hg_jvalue **b,
			   const struct hg_jvalue **n)
{
	*b = hg_jget(hg_jget(&df->base->root, "config"), key);
	*n = hg_jget(hg_jget(&df->new->root, "config"), key);
	return !same_scalar(*b, *n);
}

static void trace_line(FILE *f, const char *label, const struct stats *st)
{
	const struct hg_jvalue *tr = hg_jget(&st->root, "trace");
	const struct hg_jvalue *name = hg_jget(tr, "name");
	const struct hg_jvalue *ev = hg_jget(tr, "events");

	fprintf(f, "%s %s", label, st->name);
	if (name && name->type == HG_JSTRING)
		fprintf(f, " (trace %s", name->s);
	else
		fputs(" (unnamed trace", f);
	if (ev && ev->type == HG_JINT)
		fprintf(f, ", %" PRIu64 " events", ev->u);
	fputs(")\n", f);
}

/* gate_detail writes the values a condition looked at. */
static void gate_detail(char *buf, size_t len, const struct gate_out *g)
{
	const struct hg_jvalue *b = g->res.base, *n = g->res.new;
	bool count = is_count(g->gate.path);
	char x[64], y[64], c[160], r[32];

	if (strcmp(g->gate.path, "oom") == 0) {
		fmt_oom(x, sizeof(x), b);
		fmt_oom(y, sizeof(y), n);
		snprintf(buf, len, "base %s, new %s", x, y);
		return;
	}
	if (!b || !n || b->type != HG_JINT || n->type != HG_JINT) {
		fmt_scalar(x, sizeof(x), b);
		fmt_scalar(y, sizeof(y), n);
		snprintf(buf, len, "base %s, new %s", b ? x : "none",
			 n ? y : "none");
		return;
	}
	fmt_value(x, sizeof(x), b, count);
	fmt_value(y, sizeof(y), n, count);
	fmt_change(c, sizeof(c), b->u, n->u, count);
	fmt_rel(r, sizeof(r), b->u, n->u);
	snprintf(buf, len, "base %s, new %s, change %s%s%s", x, y, c,
		 r[0] ? " " : "", r);
}

static void print_gates(FILE *f, const struct diff *df)
{
	char detail[400];

	if (!df->ngates)
		return;
	if (!df->quiet)
		fputs("\nfail-if\n", f);
	for (size_t i = 0; i < df->ngates; i++) {
		const struct gate_out *g = &df->gates[i];

		if (df->quiet && !g->res.holds)
			continue;
		gate_detail(detail, sizeof(detail), g);
		fprintf(f, "  %-6s %s  (%s)\n", g->res.holds ? "HOLDS" : "ok",
			g->gate.text, detail);
	}
}

/* The text lists the figures at this many marks; the JSON at all. */
#define TEXT_MARKS 20

/* fill_row formats one figure's row; false when it is not listed (not
 * changed, and not --all). better is the path of its statistic. */
static bool fill_row(struct row *r, const char *name, const char *better,
		     const struct hg_jvalue *b, const struct hg_jvalue *n,
		     bool all)
{
	bool count = is_count(better);

	r->name = name;
	r->verdict = b && n ? hg_verdict(path_better(better), b->u, n->u) : 0;
	r->changed = !b || !n || b->u != n->u;
	if (!r->changed && !all)
		return false;
	fmt_value(r->base, sizeof(r->base), b, count);
	fmt_value(r->new, sizeof(r->new), n, count);
	r->rel[0] = '\0';
	if (b && n) {
		fmt_change(r->change, sizeof(r->change), b->u, n->u, count);
		fmt_rel(r->rel, sizeof(r->rel), b->u, n->u);
	} else {
		snprintf(r->change, sizeof(r->change), "-");
	}
	return true;
}

/*
 * mark_rows adds the rows of the figures at the first TEXT_MARKS marks
 * both files have, named `mark "LABEL" memstats.HeapSys` (names keeps
 * the names); returns how many rows it added.
 */
static size_t mark_rows(struct diff *df, struct row *rows, struct names *names)
{
	size_t nrows = 0;
	char name[HG_GATE_PATH_MAX + 80], better[HG_GATE_PATH_MAX + 8];

	for (size_t i = 0; i < df->nmarks && i < TEXT_MARKS; i++) {
		const struct mark_pair *p = &df->marks[i];
		const struct hg_jvalue *l = hg_jget(p->base, "label");

		for (size_t k = 0; k < p->figures.n; k++) {
			const char *path = p->figures.v[k];

			snprintf(name, sizeof(name), "mark \"%.40s\" %s",
				 l && l->type == HG_JSTRING ? l->s : "?", path);
			snprintf(better, sizeof(better), "final.%s", path);
			if (!fill_row(&rows[nrows], name, better,
				      value_in(p->base, path),
				      value_in(p->new, path), df->all))
				continue;
			rows[nrows].name = names_push(names, name);
			nrows++;
		}
	}
	return nrows;
}

static void print_text(FILE *f, struct diff *df)
{
	size_t cap = df->figures.n + 1;
	for (size_t i = 0; i < df->nmarks && i < TEXT_MARKS; i++)
		cap += df->marks[i].figures.n;
	struct row *rows = hg_xmalloc(cap * sizeof(*rows));
	struct names mark_names = { NULL, 0, 0 };
	size_t nrows = 0, wname = 6, wbase = 4, wnew = 3, wchange = 6;
	const struct hg_jvalue *bo = hg_jget(&df->base->root, "oom");
	const struct hg_jvalue *no = hg_jget(&df->new->root, "oom");
	bool config_changed = false;

	if (df->quiet) {
		print_gates(f, df);
		free(rows);
		return;
	}
	trace_line(f, "base", df->base);
	trace_line(f, "new ", df->new);

	for (size_t i = 0; i < df->config.n; i++) {
		const char *key = df->config.v[i];
		const struct hg_jvalue *b, *n;
		char x[160], y[160];

		if (!config_differs(df, key, &b, &n))
			continue;
		if (!config_changed)
			fputs("\nconfig\n", f);
		config_changed = true;
		fmt_scalar(x, sizeof(x), b);
		fmt_scalar(y, sizeof(y), n);
		fprintf(f, "  %-20s %s -> %s\n", key, x, y);
	}

	for (size_t i = 0; i < df->figures.n; i++) {
		const char *path = df->figures.v[i];

		if (fill_row(&rows[nrows], path, path, value(df->base, path),
			     value(df->new, path), df->all))
			nrows++;
	}
	/* oom is a row too: where the replay ran out of memory. */
	rows[nrows].name = "oom";
	rows[nrows].changed =
		!same_scalar(bo, no) ||
		(bo && no && bo->type == HG_JOBJECT && no->type == HG_JOBJECT);
	if (rows[nrows].changed) {
		char x[48], y[48];

		fmt_oom(x, sizeof(x), bo);
		fmt_oom(y, sizeof(y), no);
		rows[nrows].changed = strcmp(x, y) != 0;
	}
	fmt_oom(rows[nrows].base, sizeof(rows[nrows].base), bo);
	fmt_oom(rows[nrows].new, sizeof(rows[nrows].new), no);
	snprintf(rows[nrows].change, sizeof(rows[nrows].change), "%s",
		 rows[nrows].changed ? "changed" : "0");
	rows[nrows].rel[0] = '\0';
	/* Running out of memory is worse; no longer running out, better. */
	rows[nrows].verdict = 0;
	if (rows[nrows].changed && (!bo || bo->type != HG_JOBJECT))
		rows[nrows].verdict = -1;
	else if (rows[nrows].changed && (!no || no->type != HG_JOBJECT))
		rows[nrows].verdict = 1;
	if (rows[nrows].changed || df->all)
		nrows++;
	nrows += mark_rows(df, rows + nrows, &mark_names);

	for (size_t i = 0; i < nrows; i++) {
		size_t a = strlen(rows[i].name), b = strlen(rows[i].base),
		       c = strlen(rows[i].new), d = strlen(rows[i].change);

		wchange = d > wchange ? d : wchange;
		wname = a > wname ? a : wname;
		wbase = b > wbase ? b : wbase;
		wnew = c > wnew ? c : wnew;
	}
	if (nrows) {
		fprintf(f, "\n%-*s  %-*s  %-*s  %s\n", (int)wname, "figure",
			(int)wbase, "base", (int)wnew, "new", "change");
		bool color = hg_color_on(f);
		for (size_t i = 0; i < nrows; i++) {
			/* No trailing blanks when there is no relative change.
			 */
			int w = rows[i].rel[0] ? (int)wchange : 0;
			int v = color ? rows[i].verdict : 0;

			fprintf(f, "%-*s  %-*s  %-*s  %s%-*s%s%s%s\n",
				(int)wname, rows[i].name, (int)wbase,
				rows[i].base, (int)wnew, rows[i].new,
				hg_color_start(v), w, rows[i].change,
				rows[i].rel[0] ? "  " : "", rows[i].rel,
				hg_color_end(v));
		}
	} else {
		fputs("\nno figure changed\n", f);
	}
	if (df->nmarks > TEXT_MARKS)
		fprintf(f, "(the figures at %zu more marks: --format json)\n",
			df->nmarks - TEXT_MARKS);
	names_release(&mark_names);
	free(rows);
	print_gates(f, df);
}

/* json_copy writes a value read by hg_jread. */
static void json_copy(struct hg_json *j, const char *key,
		      const struct hg_jvalue *v)
{
	char num[32];

	if (!v) {
		hg_json_null(j, key);
		return;
	}
	switch (v->type) {
	case HG_JNULL:
		hg_json_null(j, key);
		break;
	case HG_JBOOL:
		hg_json_bool(j, key, v->b);
		break;
	case HG_JINT:
		snprintf(num, sizeof(num), "%s%" PRIu64, v->neg ? "-" : "",
			 v->u);
		hg_json_value(j, key, num, false);
		break;
	case HG_JREAL: /* (hg_jread refuses them in stats files) */
		snprintf(num, sizeof(num), "%.17g", v->d);
		hg_json_value(j, key, num, false);
		break;
	case HG_JSTRING:
		hg_json_str(j, key, v->s);
		break;
	case HG_JOBJECT:
		hg_json_begin_object(j, key);
		for (size_t i = 0; i < v->nmembers; i++)
			json_copy(j, v->members[i].key, &v->members[i].v);
		hg_json_end_object(j);
		break;
	case HG_JARRAY:
		hg_json_begin_array(j, key);
		for (size_t i = 0; i < v->nmembers; i++)
			json_copy(j, NULL, &v->members[i].v);
		hg_json_end_array(j);
		break;
	}
}

/* json_pair_begin opens the object key holding "base": b and "new": n;
 * the caller may add to it and closes it. */
static void json_pair_begin(struct hg_json *j, const char *key,
			    const struct hg_jvalue *b,
			    const struct hg_jvalue *n)
{
	hg_json_begin_object(j, key);
	json_copy(j, "base", b);
	json_copy(j, "new", n);
}

/* json_side describes one file: its name, its format version, its trace
 * ({"name", "events"}, as in the stats file) and its "at" when it has
 * one. */
static void json_side(struct hg_json *j, const char *key,
		      const struct stats *st)
{
	const struct hg_jvalue *tr = hg_jget(&st->root, "trace");
	const struct hg_jvalue *at = hg_jget(&st->root, "at");

	hg_json_begin_object(j, key);
	hg_json_str(j, "file", st->name);
	hg_json_u64(j, "heapgrow", st->version);
	hg_json_begin_object(j, "trace");
	json_copy(j, "name", hg_jget(tr, "name"));
	json_copy(j, "events", hg_jget(tr, "events"));
	hg_json_end_object(j);
	if (is_object(at))
		json_copy(j, "at", at);
	hg_json_end_object(j);
}

/* json_figure writes one figure: both values, the change and the
 * relative change in percent (null where a value or BASE is missing). */
static void json_figure(struct hg_json *j, const char *path,
			const struct hg_jvalue *b, const struct hg_jvalue *n)
{
	char num[48];

	json_pair_begin(j, path, b, n);
	if (b && n) {
		snprintf(num, sizeof(num), "%s%" PRIu64, n->u < b->u ? "-" : "",
			 n->u < b->u ? b->u - n->u : n->u - b->u);
		hg_json_value(j, "change", num, false);
		if (b->u) {
			snprintf(num, sizeof(num), "%.6g",
				 ((double)n->u - (double)b->u) / (double)b->u *
					 100.0);
			hg_json_value(j, "relative_percent", num, false);
		} else {
			hg_json_null(j, "relative_percent");
		}
	} else {
		hg_json_null(j, "change");
		hg_json_null(j, "relative_percent");
	}
	hg_json_end_object(j);
}

/* json_figures writes "figures": each of names in base and in new. */
static void json_figures(struct hg_json *j, const struct names *names,
			 const struct hg_jvalue *base,
			 const struct hg_jvalue *new)
{
	hg_json_begin_object(j, "figures");
	for (size_t i = 0; i < names->n; i++)
		json_figure(j, names->v[i], value_in(base, names->v[i]),
			    value_in(new, names->v[i]));
	hg_json_end_object(j);
}

static void print_json(FILE *f, struct diff *df, bool failed)
{
	const struct hg_jvalue *bo = hg_jget(&df->base->root, "oom");
	const struct hg_jvalue *no = hg_jget(&df->new->root, "oom");
	struct hg_json j;

	hg_json_init(&j, f, true);
	hg_json_begin_object(&j, NULL);
	hg_report_json_header(&j, "diff");
	json_side(&j, "base", df->base);
	json_side(&j, "new", df->new);
	hg_json_begin_array(&j, "warnings");
	for (size_t i = 0; i < df->nwarnings; i++)
		hg_json_str(&j, NULL, df->warnings[i]);
	hg_json_end_array(&j);
	hg_json_begin_object(&j, "config");
	for (size_t i = 0; i < df->config.n; i++) {
		const char *key = df->config.v[i];
		const struct hg_jvalue *b, *n;

		if (!config_differs(df, key, &b, &n))
			continue;
		json_pair_begin(&j, key, b, n);
		hg_json_end_object(&j);
	}
	hg_json_end_object(&j);
	json_figures(&j, &df->figures, &df->base->root, &df->new->root);
	/* The figures at each mark both files have, the same way. */
	hg_json_begin_array(&j, "marks");
	for (size_t i = 0; i < df->nmarks; i++) {
		const struct mark_pair *p = &df->marks[i];

		hg_json_begin_object(&j, NULL);
		json_copy(&j, "label", hg_jget(p->base, "label"));
		json_pair_begin(&j, "event", hg_jget(p->base, "event"),
				hg_jget(p->new, "event"));
		hg_json_end_object(&j);
		json_figures(&j, &p->figures, p->base, p->new);
		hg_json_end_object(&j);
	}
	hg_json_end_array(&j);
	json_pair_begin(&j, "oom", bo, no);
	hg_json_end_object(&j);
	hg_json_begin_array(&j, "fail_if");
	for (size_t i = 0; i < df->ngates; i++) {
		hg_json_begin_object(&j, NULL);
		hg_json_str(&j, "expr", df->gates[i].gate.text);
		hg_json_bool(&j, "holds", df->gates[i].res.holds);
		hg_json_end_object(&j);
	}
	hg_json_end_array(&j);
	hg_json_bool(&j, "failed", failed);
	hg_json_end_object(&j);
}

static void config_keys(struct names *ns, const struct stats *st)
{
	const struct hg_jvalue *cfg = hg_jget(&st->root, "config");

	if (!cfg || cfg->type != HG_JOBJECT)
		return;
	for (size_t i = 0; i < cfg->nmembers; i++)
		names_add(ns, cfg->members[i].key);
}

/* parse_gate parses one --fail-if; on error shows where and returns 2. */
static int parse_gate(struct gate_out *g, const char *text)
{
	char msg[200];
	unsigned col;

	if (hg_gate_parse(text, &g->gate, &col, msg, sizeof(msg)) == 0)
		return 0;
	hg_cli_error("diff: --fail-if: column %u: %s", col, msg);
	fprintf(stderr, "  %s\n  %*s^\n", text, (int)col - 1, "");
	hg_opt_usage(stderr, &cmd_diff_spec);
	return HG_EXIT_USAGE;
}

/*
 * warn_sources warns when the two files do not come from the same trace
 * (name or number of events) or configuration (the keys that differ), or
 * not from the same moment (--at): the figures may then differ for that
 * reason alone. The warnings are kept for the JSON and go to standard
 * error once the report is out (print_warnings): a run that fails before
 * (out of host memory) says only that.
 */
static void warn(struct diff *df, const char *fmt, ...) HG_PRINTF(2, 3);
static void warn(struct diff *df, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (df->nwarnings < sizeof(df->warnings) / sizeof(df->warnings[0]))
		df->warnings[df->nwarnings++] = hg_xstrdup(msg);
}

static void print_warnings(const struct diff *df)
{
	fflush(stdout);
	for (size_t i = 0; i < df->nwarnings; i++)
		hg_cli_error("warning: %s", df->warnings[i]);
}

static void warn_sources(struct diff *df)
{
	const struct hg_jvalue *bt = hg_jget(&df->base->root, "trace");
	const struct hg_jvalue *nt = hg_jget(&df->new->root, "trace");
	const struct hg_jvalue *bn = hg_jget(bt, "name"),
			       *nn = hg_jget(nt, "name");
	const struct hg_jvalue *be = hg_jget(bt, "events"),
			       *ne = hg_jget(nt, "events");
	char x[160], y[160], keys[400] = "";
	size_t len = 0;

	if (!same_scalar(bn, nn)) {
		fmt_scalar(x, sizeof(x), bn);
		fmt_scalar(y, sizeof(y), nn);
		warn(df, "the files come from different traces (%s, %s)", x, y);
	} else if (!same_scalar(be, ne) &&
		   !is_object(hg_jget(&df->base->root, "oom")) &&
		   !is_object(hg_jget(&df->new->root, "oom"))) {
		/* (A replay that ran out of memory stopped early.) */
		fmt_scalar(x, sizeof(x), be);
		fmt_scalar(y, sizeof(y), ne);
		warn(df,
		     "the files come from traces of different lengths (%s "
		     "and %s events)",
		     x, y);
	}
	for (size_t i = 0; i < df->config.n; i++) {
		const char *key = df->config.v[i];
		const struct hg_jvalue *b, *n;

		/* A key only one file has comes from another heapgrow
		 * (an older one had fewer keys), not another setting. */
		if (!config_differs(df, key, &b, &n) || !b || !n)
			continue;
		int w = snprintf(keys + len, sizeof(keys) - len, "%s%s",
				 len ? ", " : "", key);
		if (w < 0 || (size_t)w >= sizeof(keys) - len)
			break;
		len += (size_t)w;
	}
	if (len)
		warn(df, "the files come from different configurations (%s)",
		     keys);
	if (!same_scalar(hg_jget(hg_jget(&df->base->root, "at"), "event"),
			 hg_jget(hg_jget(&df->new->root, "at"), "event")))
		warn(df, "the files give the figures at different moments "
			 "(replay --at)");
}

/*
 * pair_marks pairs the marks of the two files, in order, as long as
 * their labels agree (a replay that ran out of memory has fewer), and
 * collects the names of their figures ("memstats.HeapSys", as under
 * "final"). When the labels part, the files have different marks: a
 * warning says where.
 */
static void pair_marks(struct diff *df)
{
	const struct hg_jvalue *bm = hg_jget(&df->base->root, "marks");
	const struct hg_jvalue *nm = hg_jget(&df->new->root, "marks");
	size_t n;

	if (!bm || !nm || bm->type != HG_JARRAY || nm->type != HG_JARRAY)
		return;
	n = bm->nmembers < nm->nmembers ? bm->nmembers : nm->nmembers;
	df->marks = hg_xmalloc((n ? n : 1) * sizeof(*df->marks));
	for (size_t i = 0; i < n; i++) {
		const struct hg_jvalue *b = &bm->members[i].v;
		const struct hg_jvalue *v = &nm->members[i].v;
		const struct hg_jvalue *lb = hg_jget(b, "label");
		const struct hg_jvalue *ln = hg_jget(v, "label");
		char x[160], y[160];

		if (!lb || !ln || !same_scalar(lb, ln)) {
			fmt_scalar(x, sizeof(x), lb);
			fmt_scalar(y, sizeof(y), ln);
			warn(df,
			     "the files' marks differ from mark %zu ('%s' "
			     "and '%s'): marks compared up to there",
			     i + 1, x, y);
			break;
		}
		struct mark_pair *p = &df->marks[df->nmarks++];
		memset(p, 0, sizeof(*p));
		p->base = b;
		p->new = v;
		for (int side = 0; side < 2; side++) {
			const struct hg_jvalue *m = side ? v : b;

			for (size_t k = 0;
			     m->type == HG_JOBJECT && k < m->nmembers; k++)
				if (strcmp(m->members[k].key, "label") != 0 &&
				    strcmp(m->members[k].key, "event") != 0)
					collect(&p->figures, &m->members[k].v,
						m->members[k].key);
		}
	}
}

static int run(struct diff *df, bool json)
{
	size_t held = 0;

	if (load(df->base) != 0 || load(df->new) != 0)
		return HG_EXIT_USAGE;
	for (size_t i = 0; i < df->ngates; i++) {
		struct gate_out *g = &df->gates[i];
		char msg[400];
		bool bad_new;

		if (hg_gate_eval(&g->gate, &df->base->root, &df->new->root,
				 &g->res, &bad_new, msg, sizeof(msg)) != 0) {
			hg_cli_error("%s: --fail-if '%s': %s",
				     bad_new ? df->new->name : df->base->name,
				     g->gate.text, msg);
			return HG_EXIT_USAGE;
		}
		held += g->res.holds;
	}
	collect(&df->figures, &df->base->root, "");
	collect(&df->figures, &df->new->root, "");
	config_keys(&df->config, df->base);
	config_keys(&df->config, df->new);
	warn_sources(df);
	pair_marks(df);
	if (json)
		print_json(stdout, df, held > 0);
	else
		print_text(stdout, df);
	print_warnings(df);
	if (held) {
		hg_cli_error("diff: %zu of %zu --fail-if condition%s held",
			     held, df->ngates, df->ngates == 1 ? "" : "s");
		return HG_EXIT_VERDICT;
	}
	return HG_EXIT_OK;
}

int cmd_diff(int argc, char **argv)
{
	struct hg_opt_parser p;
	struct stats base, new;
	struct diff df;
	const char *arg;
	const char *files[2] = { NULL, NULL };
	bool json = false;
	int c, status;

	memset(&df, 0, sizeof(df));
	memset(&base, 0, sizeof(base));
	memset(&new, 0, sizeof(new));
	df.gates = hg_xmalloc((size_t)argc * sizeof(*df.gates));
	hg_opt_init(&p, &cmd_diff_spec, argc, argv);
	status = -1;
	while (status < 0 && (c = hg_opt_next(&p, &arg)) != HG_OPT_END) {
		switch (c) {
		case HG_OPT_EXIT:
			status = p.status;
			break;
		case HG_OPT_ARG:
			if (files[1])
				status = hg_opt_usage_error(
					&cmd_diff_spec, "too many arguments");
			else
				files[files[0] ? 1 : 0] = arg;
			break;
		case OPT_FAIL_IF:
			if (parse_gate(&df.gates[df.ngates], arg) != 0)
				status = HG_EXIT_USAGE;
			else
				df.ngates++;
			break;
		case OPT_ALL:
			df.all = true;
			break;
		case OPT_FORMAT:
			if (hg_opt_format(&cmd_diff_spec, arg, &json))
				status = HG_EXIT_USAGE;
			break;
		case OPT_QUIET:
			df.quiet = true;
			break;
		}
	}
	if (status < 0 && !files[1])
		status = hg_opt_usage_error(&cmd_diff_spec,
					    files[0] ? "no NEW stats file given"
						     : "no stats files given");
	if (status < 0 && strcmp(files[0], "-") == 0 &&
	    strcmp(files[1], "-") == 0)
		status = hg_opt_usage_error(
			&cmd_diff_spec,
			"only one of BASE and NEW can be standard input");
	if (status < 0) {
		base.path = files[0];
		base.name = hg_display_name(files[0]);
		new.path = files[1];
		new.name = hg_display_name(files[1]);
		df.base = &base;
		df.new = &new;
		status = run(&df, json);
	}
	hg_jfree(&base.root);
	hg_jfree(&new.root);
	free(base.text);
	free(new.text);
	names_release(&df.figures);
	names_release(&df.config);
	for (size_t i = 0; i < df.nwarnings; i++)
		free(df.warnings[i]);
	for (size_t i = 0; i < df.nmarks; i++)
		names_release(&df.marks[i].figures);
	free(df.marks);
	free(df.gates);
	return status;
}
