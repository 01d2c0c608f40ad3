/*
 * hg_fidelity - compares heapgrow's figures at every mark with what a real
 * Go program printed at the same marks (tests/real/README.md).
 *
 *   hg_fidelity [--targets FILE] [--target SPEC]... [--figures LIST]
 *               [--summary|--matrix]
 *               NAME STATS.json MEMSTATS.txt [NAME STATS.json MEMSTATS.txt]...
 *
 * For each recording NAME, STATS.json is `heapgrow replay --stats` output
 * and MEMSTATS.txt the program's standard output, whose lines
 * `MEMSTATS <label> Key=value ...` give the real figures at the mark
 * <label>. It prints one Markdown table (recording, mark, figure, real,
 * heapgrow, relative error, target), then the span address `fidelity` of
 * the replays that report it, then, for js/wasm recordings (whose
 * MEMSTATS.txt also holds the runner's `GROW bytes=N` lines), the number
 * of memory.grow calls (GrowMemory) and the final linear memory
 * (FinalLinearMemory), then a summary line. --summary gives one row per
 * recording and figure instead (marks, how many heapgrow models, how many
 * meet the target, the largest relative error and where); --matrix one row
 * per recording and a column per figure: the largest relative error and,
 * for a figure with a target, how many marks meet it.
 *
 * A target is `FIGURE TOLERANCE [GLOB]` (a line of a --targets file, or
 * --target 'FIGURE=TOLERANCE[@GLOB]'): TOLERANCE is alternatives joined by
 * commas, each `N%` (relative to the real figure) or a size (`128K`,
 * `1M`, bytes without a suffix); a figure meets it when it is within any
 * alternative. For the figure `fidelity`, `N%` is the least share of spans
 * placed at the real address. GLOB (fnmatch) limits the target to the
 * recordings it matches; of the targets that apply, the last one given
 * wins. A mark or figure that heapgrow does not report misses any target.
 *
 * Exit status: 0 every target met, 1 a target missed, 2 usage or input
 * error (`hg_fidelity: FILE:LINE: what is wrong`).
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * Errors
 */

static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("hg_fidelity: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die("out of memory");
	return q;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("%s: %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	char *buf = xrealloc(NULL, cap);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		die("%s: read error", path);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* ---------------------------------------------------------------------
 * A small JSON reader: the whole of JSON, numbers as doubles (figures are
 * below 2^53), nesting limited so the recursion is bounded.
 */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype t;
	bool b;
	double num;
	char *s;            /* J_STR */
	struct jval *items; /* J_ARR: items, J_OBJ: values */
	char **keys;        /* J_OBJ */
	size_t n;
};

struct jparser {
	const char *path, *p, *end, *line_start;
	unsigned line;
};

#define J_MAX_DEPTH 32

static void jfail(struct jparser *jp, const char *what)
{
	die("%s:%u: %s (column %u)", jp->path, jp->line, what,
	    (unsigned)(jp->p - jp->line_start) + 1);
}

static void jspace(struct jparser *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' ||
				   *jp->p == '\n' || *jp->p == '\r')) {
		if (*jp->p == '\n') {
			jp->line++;
			jp->line_start = jp->p + 1;
		}
		jp->p++;
	}
}

static bool jlit(struct jparser *jp, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(jp->end - jp->p) >= n && memcmp(jp->p, word, n) == 0) {
		jp->p += n;
		return true;
	}
	return false;
}

static void put_utf8(char **d, unsigned long c)
{
	unsigned char *u = (unsigned char *)*d;
	if (c < 0x80) {
		*u++ = (unsigned char)c;
	} else if (c < 0x800) {
		*u++ = (unsigned char)(0xc0 | (c >> 6));
		*u++ = (unsigned char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*u++ = (unsigned char)(0xe0 | (c >> 12));
		*u++ = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (c & 0x3f));
	} else {
		*u++ = (unsigned char)(0xf0 | (c >> 18));
		*u++ = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		*u++ = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (c & 0x3f));
	}
	*d = (char *)u;
}

static unsigned long jhex4(struct jparser *jp)
{
	unsigned long v = 0;
	if (jp->end - jp->p < 4)
		jfail(jp, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)*jp->p++;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		else
			jfail(jp, "bad \\u escape");
	}
	return v;
}

static char *jstring(struct jparser *jp)
{
	/* at the opening quote; the decoded text is never longer */
	jp->p++;
	const char *start = jp->p;
	while (jp->p < jp->end && *jp->p != '"') {
		if (*jp->p == '\\' && jp->p + 1 < jp->end)
			jp->p++;
		if ((unsigned char)*jp->p < 0x20)
			jfail(jp, "control character in a string");
		jp->p++;
	}
	if (jp->p >= jp->end)
		jfail(jp, "unterminated string");
	const char *stop = jp->p;
	char *out = xrealloc(NULL, (size_t)(stop - start) + 1), *d = out;
	jp->p = start;
	while (jp->p < stop) {
		char c = *jp->p++;
		if (c != '\\') {
			*d++ = c;
			continue;
		}
		c = *jp->p++;
		switch (c) {
		case '"':
			*d++ = '"';
			break;
		case '\\':
			*d++ = '\\';
			break;
		case '/':
			*d++ = '/';
			break;
		case 'b':
			*d++ = '\b';
			break;
		case 'f':
			*d++ = '\f';
			break;
		case 'n':
			*d++ = '\n';
			break;
		case 'r':
			*d++ = '\r';
			break;
		case 't':
			*d++ = '\t';
			break;
		case 'u': {
			unsigned long u = jhex4(jp);
			if (u >= 0xd800 && u < 0xdc00 && stop - jp->p >= 6 &&
			    jp->p[0] == '\\' && jp->p[1] == 'u') {
				jp->p += 2;
				unsigned long lo = jhex4(jp);
				if (lo < 0xdc00 || lo > 0xdfff)
					jfail(jp, "bad surrogate pair");
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
			} else if (u >= 0xd800 && u < 0xe000) {
				jfail(jp, "lone surrogate");
			}
			if (u == 0)
				jfail(jp, "\\u0000 in a string");
			put_utf8(&d, u);
			break;
		}
		default:
			jfail(jp, "bad escape");
		}
	}
	*d = '\0';
	jp->p = stop + 1;
	return out;
}

static void jvalue(struct jparser *jp, struct jval *v, int depth);

static void jcontainer(struct jparser *jp, struct jval *v, int depth, bool obj)
{
	char close = obj ? '}' : ']';
	size_t cap = 0;
	jp->p++;
	jspace(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		return;
	}
	for (;;) {
		if (v->n == cap) {
			cap = cap ? 2 * cap : 8;
			v->items = xrealloc(v->items, cap * sizeof *v->items);
			if (obj)
				v->keys = xrealloc(v->keys,
						   cap * sizeof *v->keys);
		}
		if (obj) {
			jspace(jp);
			if (jp->p >= jp->end || *jp->p != '"')
				jfail(jp, "expected a key");
			v->keys[v->n] = jstring(jp);
			jspace(jp);
			if (jp->p >= jp->end || *jp->p != ':')
				jfail(jp, "expected ':'");
			jp->p++;
		}
		jvalue(jp, &v->items[v->n], depth + 1);
		v->n++;
		jspace(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			return;
		}
		jfail(jp, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static void jvalue(struct jparser *jp, struct jval *v, int depth)
{
	memset(v, 0, sizeof *v);
	if (depth > J_MAX_DEPTH)
		jfail(jp, "nested too deeply");
	jspace(jp);
	if (jp->p >= jp->end)
		jfail(jp, "unexpected end of file");
	char c = *jp->p;
	if (c == '{' || c == '[') {
		v->t = c == '{' ? J_OBJ : J_ARR;
		jcontainer(jp, v, depth, c == '{');
	} else if (c == '"') {
		v->t = J_STR;
		v->s = jstring(jp);
	} else if (jlit(jp, "true")) {
		v->t = J_BOOL;
		v->b = true;
	} else if (jlit(jp, "false")) {
		v->t = J_BOOL;
	} else if (jlit(jp, "null")) {
		v->t = J_NULL;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		const char *s = jp->p;
		if (*jp->p == '-')
			jp->p++;
		while (jp->p < jp->end &&
		       (isdigit((unsigned char)*jp->p) || *jp->p == '.' ||
			*jp->p == 'e' || *jp->p == 'E' || *jp->p == '+' ||
			*jp->p == '-'))
			jp->p++;
		char *num = xstrndup(s, (size_t)(jp->p - s)), *e;
		v->t = J_NUM;
		v->num = strtod(num, &e);
		bool bad = *e != '\0' ||
			   !isdigit((unsigned char)num[num[0] == '-']);
		free(num);
		if (bad) {
			jp->p = s;
			jfail(jp, "bad number");
		}
	} else {
		jfail(jp, "unexpected character");
	}
}

static void jfree(struct jval *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jfree(&v->items[i]);
		if (v->t == J_OBJ)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	memset(v, 0, sizeof *v);
}

static const struct jval *jget(const struct jval *v, const char *key)
{
	if (!v || v->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return &v->items[i];
	return NULL;
}

static void jparse_file(const char *path, struct jval *out)
{
	size_t len;
	char *text = read_file(path, &len);
	struct jparser jp = { path, text, text + len, text, 1 };
	jvalue(&jp, out, 0);
	jspace(&jp);
	if (jp.p != jp.end)
		jfail(&jp, "text after the JSON value");
	free(text);
}

/* ---------------------------------------------------------------------
 * Figures and targets
 */

/* Each compared figure: its MEMSTATS name and where the stats keep it. */
struct figure {
	const char *name;
	const char *memstats_key; /* under a mark's "memstats", or NULL */
	const char *mark_key;     /* directly in the mark, or NULL */
};

static const struct figure all_figures[] = {
	{ "HeapSys", "HeapSys", NULL },
	{ "HeapInuse", "HeapInuse", NULL },
	{ "HeapIdle", "HeapIdle", NULL },
	{ "HeapReleased", "HeapReleased", NULL },
	{ "HeapAlloc", "HeapAlloc", NULL },
	{ "HeapObjects", "HeapObjects", NULL },
	{ "StackInuse", "StackInuse", NULL },
	{ "StackSys", "StackSys", NULL },
	{ "NextGC", "NextGC", NULL },
	{ "NumGC", "NumGC", NULL },
	{ "LinearMemory", NULL, "linear_memory" },
};
#define NFIGURES (sizeof all_figures / sizeof all_figures[0])

static const char *default_figures[] = {
	"HeapSys",    "HeapInuse", "HeapIdle", "HeapReleased", "HeapAlloc",
	"StackInuse", "NextGC",    "NumGC",    "LinearMemory"
};

struct target {
	char *figure;
	char *glob; /* NULL: every recording */
	double rel; /* fraction, < 0: none */
	double abs; /* bytes or count, < 0: none */
	char *text; /* as given, for the table */
};

static struct target *targets;
static size_t ntargets;

static bool parse_size(const char *s, double *out)
{
	char *e;
	errno = 0;
	double v = strtod(s, &e);
	if (e == s || errno || v < 0 || !isfinite(v))
		return false;
	if (*e == 'K' || *e == 'k')
		v *= 1024, e++;
	else if (*e == 'M')
		v *= 1024.0 * 1024, e++;
	else if (*e == 'G')
		v *= 1024.0 * 1024 * 1024, e++;
	if (*e == 'i' && e[1] == 'B')
		e += 2;
	else if (*e == 'B')
		e++;
	*out = v;
	return *e == '\0';
}

static const struct figure *find_figure(const char *name)
{
	for (size_t i = 0; i < NFIGURES; i++)
		if (strcmp(all_figures[i].name, name) == 0)
			return &all_figures[i];
	return NULL;
}

/* add_target: "FIGURE", "TOL[,TOL]...", optional glob; where: for messages */
static void add_target(const char *fig, const char *tol, const char *glob,
		       const char *where)
{
	if (strcmp(fig, "fidelity") != 0 && strcmp(fig, "GrowMemory") != 0 &&
	    strcmp(fig, "FinalLinearMemory") != 0 && !find_figure(fig))
		die("%s: unknown figure '%s'", where, fig);
	struct target t = { xstrndup(fig, strlen(fig)),
			    glob ? xstrndup(glob, strlen(glob)) : NULL, -1, -1,
			    xstrndup(tol, strlen(tol)) };
	char *copy = xstrndup(tol, strlen(tol)), *save = NULL;
	for (char *alt = strtok_r(copy, ",", &save); alt;
	     alt = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(alt);
		double v;
		if (n > 1 && alt[n - 1] == '%') {
			alt[n - 1] = '\0';
			if (!parse_size(alt, &v))
				die("%s: bad tolerance '%s%%'", where, alt);
			t.rel = v / 100;
		} else if (strcmp(t.figure, "fidelity") == 0) {
			die("%s: the fidelity target is a share, like 99%%",
			    where);
		} else if (parse_size(alt, &v)) {
			t.abs = v;
		} else {
			die("%s: bad tolerance '%s' (N%% or a size such as "
			    "128K)",
			    where, alt);
		}
	}
	free(copy);
	if (t.rel < 0 && t.abs < 0)
		die("%s: empty tolerance", where);
	targets = xrealloc(targets, (ntargets + 1) * sizeof *targets);
	targets[ntargets++] = t;
}

static void read_targets(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	unsigned line = 0;
	char *save = NULL;
	for (char *p = text;;) {
		char *nl = memchr(p, '\n', (size_t)(text + len - p));
		char *stop = nl ? nl : text + len;
		line++;
		char buf[512];
		size_t n = (size_t)(stop - p);
		if (n >= sizeof buf)
			die("%s:%u: line too long", path, line);
		memcpy(buf, p, n);
		buf[n] = '\0';
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		char *tok[3];
		int nt = 0;
		for (char *w = strtok_r(buf, " \t\r", &save); w;
		     w = strtok_r(NULL, " \t\r", &save)) {
			if (nt == 3)
				die("%s:%u: too many fields (FIGURE TOLERANCE "
				    "[GLOB])",
				    path, line);
			tok[nt++] = w;
		}
		char where[600];
		snprintf(where, sizeof where, "%s:%u", path, line);
		if (nt == 1)
			die("%s: a target needs a tolerance (FIGURE TOLERANCE "
			    "[GLOB])",
			    where);
		if (nt >= 2)
			add_target(tok[0], tok[1], nt > 2 ? tok[2] : NULL,
				   where);
		if (!nl)
			break;
		p = nl + 1;
	}
	free(text);
}

static const struct target *target_for(const char *figure, const char *rec)
{
	const struct target *found = NULL;
	for (size_t i = 0; i < ntargets; i++)
		if (strcmp(targets[i].figure, figure) == 0 &&
		    (!targets[i].glob || fnmatch(targets[i].glob, rec, 0) == 0))
			found = &targets[i];
	return found;
}

static bool within(const struct target *t, double real, double model)
{
	double d = fabs(model - real);
	if (t->abs >= 0 && d <= t->abs)
		return true;
	if (t->rel >= 0 && d <= t->rel * fabs(real) * (1 + 1e-12))
		return true;
	return false;
}

/* ---------------------------------------------------------------------
 * MEMSTATS lines
 */

struct mark {
	char *label;
	unsigned line;
	char **keys;
	double *vals;
	size_t n;
};

static size_t read_memstats(const char *path, struct mark **out)
{
	size_t len, nmarks = 0;
	char *text = read_file(path, &len);
	struct mark *marks = NULL;
	unsigned line = 0;
	char *p = text;
	while (p < text + len) {
		char *nl = memchr(p, '\n', (size_t)(text + len - p));
		if (nl)
			*nl = '\0';
		line++;
		if (strncmp(p, "MEMSTATS ", 9) == 0) {
			struct mark m = { 0 };
			m.line = line;
			char *save = NULL;
			char *w = strtok_r(p + 9, " \t\r", &save);
			if (!w || strchr(w, '='))
				die("%s:%u: MEMSTATS without a label", path,
				    line);
			m.label = xstrndup(w, strlen(w));
			while ((w = strtok_r(NULL, " \t\r", &save))) {
				char *eq = strchr(w, '=');
				char *e;
				if (!eq || eq == w)
					die("%s:%u: '%s' is not Key=value",
					    path, line, w);
				errno = 0;
				double v = strtod(eq + 1, &e);
				if (e == eq + 1 || *e || errno || !isfinite(v))
					die("%s:%u: %.*s: '%s' is not a number",
					    path, line, (int)(eq - w), w,
					    eq + 1);
				m.keys = xrealloc(m.keys,
						  (m.n + 1) * sizeof *m.keys);
				m.vals = xrealloc(m.vals,
						  (m.n + 1) * sizeof *m.vals);
				m.keys[m.n] = xstrndup(w, (size_t)(eq - w));
				m.vals[m.n] = v;
				m.n++;
			}
			marks = xrealloc(marks, (nmarks + 1) * sizeof *marks);
			marks[nmarks++] = m;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	free(text);
	if (nmarks == 0)
		die("%s: no MEMSTATS lines", path);
	*out = marks;
	return nmarks;
}

static bool mark_value(const struct mark *m, const char *key, double *v)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->keys[i], key) == 0) {
			*v = m->vals[i];
			return true;
		}
	return false;
}

static void free_marks(struct mark *marks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < marks[i].n; k++)
			free(marks[i].keys[k]);
		free(marks[i].keys);
		free(marks[i].vals);
		free(marks[i].label);
	}
	free(marks);
}

/* ---------------------------------------------------------------------
 * The comparison
 */

static unsigned long compared, met, missed, untargeted, fid_rows;

static void fmt_num(char *buf, size_t n, double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%g", v);
}

static void fmt_target(char *buf, size_t n, const struct target *t)
{
	snprintf(buf, n, "%s", t->text);
}

/* The k-th (0-based) mark of the stats labelled label, or NULL. */
static const struct jval *stats_mark(const struct jval *marks,
				     const char *label, unsigned k)
{
	if (!marks || marks->t != J_ARR)
		return NULL;
	for (size_t i = 0; i < marks->n; i++) {
		const struct jval *l = jget(&marks->items[i], "label");
		if (l && l->t == J_STR && strcmp(l->s, label) == 0 && k-- == 0)
			return &marks->items[i];
	}
	return NULL;
}

/* --summary: one row per recording and figure instead of one per mark;
 * --matrix: one row per recording, one column per figure */
static bool summary, matrix;

struct fsum {
	unsigned n, modeled, ok, miss;
	/* largest |relative error| among modeled marks, < 0: none */
	double worst;
	double worst_signed;
	char worst_label[400];
};

static void compare(const char *rec, const char *stats_path,
		    const char *memstats_path, const char **figs, size_t nfigs)
{
	struct fsum sums[NFIGURES];
	for (size_t f = 0; f < nfigs; f++)
		sums[f] = (struct fsum){ 0, 0, 0, 0, -1, 0, "" };
	struct jval stats;
	struct mark *marks;
	size_t nmarks = read_memstats(memstats_path, &marks);
	jparse_file(stats_path, &stats);
	if (stats.t != J_OBJ)
		die("%s: not a heapgrow stats object", stats_path);
	const struct jval *smarks = jget(&stats, "marks");
	if (smarks && smarks->t != J_ARR && smarks->t != J_NULL)
		die("%s: \"marks\" is not an array", stats_path);

	for (size_t i = 0; i < nmarks; i++) {
		unsigned k = 0; /* occurrences of this label before mark i */
		for (size_t j = 0; j < i; j++)
			k += strcmp(marks[j].label, marks[i].label) == 0;
		const struct jval *sm = stats_mark(smarks, marks[i].label, k);
		const struct jval *sms = sm ? jget(sm, "memstats") : NULL;
		for (size_t f = 0; f < nfigs; f++) {
			const struct figure *fig = find_figure(figs[f]);
			double real;
			if (!mark_value(&marks[i], fig->name, &real))
				continue; /* the program did not print it */
			const struct jval *mv = NULL;
			if (fig->memstats_key)
				mv = jget(sms, fig->memstats_key);
			else if (fig->mark_key)
				mv = jget(sm, fig->mark_key);
			const struct target *t = target_for(fig->name, rec);
			char rs[32], ms[40], err[32], ts[96], label[300];
			if (k)
				snprintf(label, sizeof label, "%s #%u",
					 marks[i].label, k + 1);
			else
				snprintf(label, sizeof label, "%s",
					 marks[i].label);
			fmt_num(rs, sizeof rs, real);
			bool ok;
			compared++;
			sums[f].n++;
			if (!sm || !mv || mv->t != J_NUM) {
				snprintf(ms, sizeof ms, "%s",
					 !sm ? "no mark" : "not modeled");
				snprintf(err, sizeof err, "n/a");
				ok = false;
			} else {
				fmt_num(ms, sizeof ms, mv->num);
				if (real != 0)
					snprintf(err, sizeof err, "%+.2f%%",
						 100 * (mv->num - real) / real);
				else
					snprintf(err, sizeof err,
						 mv->num == 0 ? "0.00%%"
							      : "n/a");
				ok = t && within(t, real, mv->num);
				double rel = fabs(mv->num - real) /
					     (real != 0 ? fabs(real) : 1);
				sums[f].modeled++;
				if (rel > sums[f].worst) {
					sums[f].worst = rel;
					double d = mv->num - real;

					sums[f].worst_signed =
						real != 0 ? d / real : 0;
					snprintf(sums[f].worst_label,
						 sizeof sums[f].worst_label,
						 "%s (%+.2f%%)", label,
						 real != 0 ? 100 * d / real
							   : 0.0);
				}
			}
			if (t) {
				if (ok)
					sums[f].ok++;
				else
					sums[f].miss++;
			}
			if (!t) {
				snprintf(ts, sizeof ts, "-");
				untargeted++;
			} else {
				char tt[64];
				fmt_target(tt, sizeof tt, t);
				snprintf(ts, sizeof ts, "%s %s",
					 ok ? "ok" : "**MISS**", tt);
				if (ok)
					met++;
				else
					missed++;
			}
			if (!summary && !matrix)
				printf("| %s | %s | %s | %s | %s | %s | %s |\n",
				       rec, label, fig->name, rs, ms, err, ts);
		}
	}
	if (matrix) {
		printf("| %s |", rec);
		for (size_t f = 0; f < nfigs; f++) {
			const struct target *t = target_for(figs[f], rec);
			if (sums[f].n == 0)
				printf(" |");
			else if (sums[f].modeled == 0)
				printf(" not modeled%s |",
				       t ? " **MISS**" : "");
			else if (t)
				printf(" %+.2f%% (%u/%u)%s |",
				       100 * sums[f].worst_signed, sums[f].ok,
				       sums[f].n,
				       sums[f].miss ? " **MISS**" : "");
			else
				printf(" %+.2f%% |",
				       100 * sums[f].worst_signed);
		}
		printf("\n");
	}
	for (size_t f = 0; summary && f < nfigs; f++) {
		if (sums[f].n == 0)
			continue;
		const struct target *t = target_for(figs[f], rec);
		char ts[96] = "-", oks[16] = "-";
		if (t) {
			snprintf(ts, sizeof ts, "%s %s",
				 sums[f].miss ? "**MISS**" : "ok", t->text);
			snprintf(oks, sizeof oks, "%u", sums[f].ok);
		}
		printf("| %s | %s | %u | %u | %s | %s | %s |\n", rec, figs[f],
		       sums[f].n, sums[f].modeled, oks,
		       sums[f].worst >= 0 ? sums[f].worst_label : "n/a", ts);
	}
	free_marks(marks, nmarks);
	jfree(&stats);
}

/*
 * The linear memory section (js/wasm): the recorded "GROW bytes=N" lines
 * (one per memory.grow) and the last size against the replay's
 * os_calls.grow_memory and final.linear_memory.
 */
static unsigned long lin_rows;

static void compare_linear(const char *rec, const char *stats_path,
			   const char *memstats_path, bool *header)
{
	size_t len;
	char *text = read_file(memstats_path, &len);
	unsigned long grows = 0;
	double last = -1;
	unsigned line = 0;
	for (char *p = text; p < text + len;) {
		char *nl = memchr(p, '\n', (size_t)(text + len - p));
		if (nl)
			*nl = '\0';
		line++;
		bool grow = strncmp(p, "GROW bytes=", 11) == 0;
		if (grow || strncmp(p, "INITIAL bytes=", 14) == 0) {
			char *e;
			errno = 0;
			double v = strtod(p + (grow ? 11 : 14), &e);
			if (e == p + (grow ? 11 : 14) ||
			    (*e != ' ' && *e != '\0') || errno)
				die("%s:%u: bad %s line", memstats_path, line,
				    grow ? "GROW" : "INITIAL");
			last = v;
			grows += grow;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	free(text);
	if (last < 0)
		return;
	struct jval stats;
	jparse_file(stats_path, &stats);
	const struct jval *g = jget(jget(&stats, "os_calls"), "grow_memory");
	const struct jval *f = jget(jget(&stats, "final"), "linear_memory");
	if (!*header) {
		printf("\n| recording | figure | real | heapgrow | relative "
		       "error | target |\n");
		printf("|---|---|---:|---:|---:|---|\n");
		*header = true;
	}
	const char *names[2] = { "GrowMemory", "FinalLinearMemory" };
	double reals[2] = { (double)grows, last };
	const struct jval *models[2] = { g, f };
	for (int k = 0; k < 2; k++) {
		const struct target *t = target_for(names[k], rec);
		char rs[32], ms[40] = "not modeled", err[32] = "n/a",
			     ts[96] = "-";
		bool ok = false;
		fmt_num(rs, sizeof rs, reals[k]);
		if (models[k] && models[k]->t == J_NUM) {
			fmt_num(ms, sizeof ms, models[k]->num);
			if (reals[k] != 0)
				snprintf(err, sizeof err, "%+.2f%%",
					 100 * (models[k]->num - reals[k]) /
						 reals[k]);
			else if (models[k]->num == 0)
				snprintf(err, sizeof err, "0.00%%");
			ok = t && within(t, reals[k], models[k]->num);
		}
		lin_rows++;
		if (t) {
			snprintf(ts, sizeof ts, "%s %s", ok ? "ok" : "**MISS**",
				 t->text);
			if (ok)
				met++;
			else
				missed++;
		} else {
			untargeted++;
		}
		printf("| %s | %s | %s | %s | %s | %s |\n", rec, names[k], rs,
		       ms, err, ts);
	}
	jfree(&stats);
}

/* The fidelity section: one row per recording. */
static void compare_fidelity(const char *rec, const char *stats_path,
			     bool *header)
{
	struct jval stats;
	jparse_file(stats_path, &stats);
	const struct jval *fid = jget(&stats, "fidelity");
	const struct target *t = target_for("fidelity", rec);
	if ((!fid || fid->t != J_OBJ) && !t) {
		jfree(&stats);
		return;
	}
	if (!*header) {
		printf("\n| recording | recorded addresses | at the real "
		       "address | share | first mismatch | target |\n");
		printf("|---|---:|---:|---:|---|---|\n");
		*header = true;
	}
	const struct jval *a = jget(fid, "addresses"), *e = jget(fid, "exact");
	char ts[96] = "-", share[32] = "n/a", first[200] = "-", as[32] = "n/a",
	     es[32] = "n/a";
	bool ok = false;
	if (a && e && a->t == J_NUM && e->t == J_NUM) {
		fmt_num(as, sizeof as, a->num);
		fmt_num(es, sizeof es, e->num);
		if (a->num > 0) {
			snprintf(share, sizeof share, "%.2f%%",
				 100 * e->num / a->num);
			ok = t && e->num >= t->rel * a->num * (1 - 1e-12);
		}
		const struct jval *fm = jget(fid, "first_mismatch");
		if (fm && fm->t == J_OBJ) {
			const struct jval *ev = jget(fm, "event"),
					  *id = jget(fm, "id"),
					  *rv = jget(fm, "recorded"),
					  *mv = jget(fm, "model");
			char evs[32] = "?";
			if (ev && ev->t == J_NUM)
				fmt_num(evs, sizeof evs, ev->num);
			snprintf(first, sizeof first,
				 "event %s, id %s: recorded %s, heapgrow %s",
				 evs, id && id->t == J_STR ? id->s : "?",
				 rv && rv->t == J_STR ? rv->s : "?",
				 mv && mv->t == J_STR ? mv->s : "?");
		}
	}
	fid_rows++;
	if (t) {
		snprintf(ts, sizeof ts, "%s at least %s",
			 ok ? "ok" : "**MISS**", t->text);
		if (ok)
			met++;
		else
			missed++;
	} else {
		untargeted++;
	}
	printf("| %s | %s | %s | %s | %s | %s |\n", rec, as, es, share, first,
	       ts);
	jfree(&stats);
}

static void usage(void)
{
	fputs("usage: hg_fidelity [--targets FILE] [--target "
	      "FIGURE=TOLERANCE[@GLOB]]...\n"
	      "                   [--figures LIST] [--summary|--matrix] NAME "
	      "STATS.json MEMSTATS.txt...\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *figs[NFIGURES];
	size_t nfigs = 0;
	for (size_t i = 0;
	     i < sizeof default_figures / sizeof default_figures[0]; i++)
		figs[nfigs++] = default_figures[i];
	char *figlist = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		const char *o = argv[i];
		if (strcmp(o, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(o, "--summary") == 0) {
			summary = true;
			continue;
		}
		if (strcmp(o, "--matrix") == 0) {
			matrix = true;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(o, "--targets") == 0) {
			read_targets(argv[++i]);
		} else if (strcmp(o, "--target") == 0) {
			char *spec = xstrndup(argv[i + 1], strlen(argv[i + 1]));
			char *eq = strchr(spec, '='), *at;
			if (!eq)
				die("--target %s: FIGURE=TOLERANCE[@GLOB]",
				    argv[i + 1]);
			*eq = '\0';
			at = strchr(eq + 1, '@');
			if (at)
				*at++ = '\0';
			char where[300];
			snprintf(where, sizeof where, "--target %s",
				 argv[i + 1]);
			add_target(spec, eq + 1, at, where);
			free(spec);
			i++;
		} else if (strcmp(o, "--figures") == 0) {
			free(figlist);
			figlist = xstrndup(argv[i + 1], strlen(argv[i + 1]));
			nfigs = 0;
			char *save = NULL;
			for (char *w = strtok_r(figlist, ",", &save); w;
			     w = strtok_r(NULL, ",", &save)) {
				if (!find_figure(w))
					die("--figures: unknown figure '%s'",
					    w);
				if (nfigs == NFIGURES)
					die("--figures: too many figures");
				figs[nfigs++] = w;
			}
			if (nfigs == 0)
				die("--figures: empty list");
			i++;
		} else {
			usage();
		}
	}
	if (argc - i < 3 || (argc - i) % 3 != 0)
		usage();

	if (summary && matrix)
		die("--summary and --matrix are exclusive");
	if (matrix) {
		printf("| recording |");
		for (size_t f = 0; f < nfigs; f++)
			printf(" %s |", figs[f]);
		printf("\n|---|");
		for (size_t f = 0; f < nfigs; f++)
			printf("---:|");
		printf("\n");
	} else if (summary) {
		printf("| recording | figure | marks | modeled | within target "
		       "| largest error (mark) | target |\n");
		printf("|---|---|---:|---:|---:|---|---|\n");
	} else {
		printf("| recording | mark | figure | real | heapgrow | "
		       "relative error | target |\n");
		printf("|---|---|---|---:|---:|---:|---|\n");
	}
	for (int r = i; r < argc; r += 3)
		compare(argv[r], argv[r + 1], argv[r + 2], figs, nfigs);
	bool header = false;
	for (int r = i; r < argc; r += 3)
		compare_fidelity(argv[r], argv[r + 1], &header);
	header = false;
	for (int r = i; r < argc; r += 3)
		compare_linear(argv[r], argv[r + 1], argv[r + 2], &header);
	printf("\n%lu figures compared at marks, %lu address fidelity rows, "
	       "%lu linear memory rows: %lu within target, %lu missed, %lu "
	       "without a target.\n",
	       compared, fid_rows, lin_rows, met, missed, untargeted);
	free(figlist);
	for (size_t t = 0; t < ntargets; t++) {
		free(targets[t].figure);
		free(targets[t].glob);
		free(targets[t].text);
	}
	free(targets);
	return missed ? 1 : 0;
}
