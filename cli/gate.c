/*
 * gate.c - parsing and evaluating `heapgrow diff --fail-if` conditions.
 */
#include "gate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hg_core.h"

static int perr(unsigned *col, char *msg, size_t msglen, size_t at,
		const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

static int perr(unsigned *col, char *msg, size_t msglen, size_t at,
		const char *fmt, ...)
{
	va_list ap;

	*col = (unsigned)at + 1;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static const struct {
	const char *name;
	enum hg_gate_op op;
} ops[] = {
	/* Two-character operators before their one-character prefixes. */
	{ ">=", HG_GATE_GE },
	{ "<=", HG_GATE_LE },
	{ "==", HG_GATE_EQ },
	{ "!=", HG_GATE_NE },
	{ ">", HG_GATE_GT },
	{ "<", HG_GATE_LT },
	{ "increases", HG_GATE_INCREASES },
	{ "decreases", HG_GATE_DECREASES },
	{ "changes", HG_GATE_CHANGES },
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

const char *hg_gate_op_name(enum hg_gate_op op)
{
	for (size_t i = 0; i < NOPS; i++)
		if (ops[i].op == op)
			return ops[i].name;
	return "";
}

/* parse_pct reads DECIMAL into num / den (den = 10^decimals). */
static int parse_pct(const char *s, size_t n, uint64_t *num, uint64_t *den)
{
	uint64_t v = 0, d = 1;
	size_t i = 0, digits = 0, decimals = 0;
	bool dot = false;

	for (; i < n; i++) {
		if (s[i] == '.' && !dot) {
			dot = true;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -1;
		/* At most 12 digits before the point, 6 after it. */
		if (dot ? ++decimals > 6 : ++digits > 12)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (dot)
			d *= 10;
	}
	if (digits == 0 || (dot && decimals == 0))
		return -1;
	*num = v;
	*den = d;
	return 0;
}

int hg_gate_parse(const char *text, struct hg_gate *g, unsigned *col, char *msg,
		  size_t msglen)
{
	size_t i = 0, start, n;
	char tok[64];

	memset(g, 0, sizeof(*g));
	g->text = text;
	g->pct_den = 1;
	while (blank(text[i]))
		i++;
	start = i;
	/* path */
	for (;;) {
		size_t s = i;

		while (name_char(text[i]))
			i++;
		if (i == s)
			return perr(col, msg, msglen, i,
				    text[i] ? "expected a name of a figure "
					      "(like final.committed)"
					    : "expected a figure (like "
					      "final.committed)");
		if (text[i] != '.')
			break;
		i++;
	}
	if (i - start >= sizeof(g->path))
		return perr(col, msg, msglen, start, "path too long");
	memcpy(g->path, text + start, i - start);
	g->path[i - start] = '\0';
	while (blank(text[i]))
		i++;
	if (!text[i]) {
		g->op = HG_GATE_SET;
		return 0;
	}
	/* operator */
	start = i;
	for (n = 0; n < NOPS; n++) {
		size_t len = strlen(ops[n].name);

		if (strncmp(text + i, ops[n].name, len) != 0)
			continue;
		/* A word operator must end at a word boundary. */
		if (name_char(ops[n].name[0]) && name_char(text[i + len]))
			continue;
		g->op = ops[n].op;
		i += len;
		break;
	}
	if (n == NOPS)
		return perr(col, msg, msglen, i,
			    "expected an operator (>, >=, <, <=, ==, !=, "
			    "increases, decreases, changes) after '%s'",
			    g->path);
	while (blank(text[i]))
		i++;
	if (g->op >= HG_GATE_INCREASES) {
		if (text[i])
			return perr(col, msg, msglen, i, "'%s' takes no value",
				    ops[n].name);
		return 0;
	}
	/* value */
	start = i;
	if (!text[i])
		return perr(col, msg, msglen, i,
			    "expected a value after '%s': a size (128M), "
			    "a change (+4M, -1K) or a relative change (+5%%)",
			    ops[n].name);
	if (text[i] != '+' && text[i] != '-' &&
	    (text[i] < '0' || text[i] > '9'))
		return perr(col, msg, msglen, i,
			    "expected a value after '%s', not '%c': a size "
			    "(128M), a change (+4M, -1K) or a relative change "
			    "(+5%%)",
			    ops[n].name, text[i]);
	n = strlen(text + i);
	while (n && blank(text[i + n - 1]))
		n--;
	if (memchr(text + i, ' ', n) || memchr(text + i, '\t', n))
		return perr(col, msg, msglen, i + strcspn(text + i, " \t"),
			    "unexpected text after the value");
	if (text[i] == '+' || text[i] == '-') {
		g->neg = text[i] == '-';
		i++;
		n--;
		if (n && text[i + n - 1] == '%') {
			g->kind = HG_GATE_PCT;
			if (parse_pct(text + i, n - 1, &g->amount,
				      &g->pct_den) != 0)
				return perr(col, msg, msglen, i,
					    "bad percentage '%.*s': digits, "
					    "at most 6 decimals",
					    (int)n, text + i);
			if (g->amount == 0)
				g->neg = false;
			return 0;
		}
		g->kind = HG_GATE_DELTA;
	} else {
		g->kind = HG_GATE_ABS;
		if (n && text[i + n - 1] == '%')
			return perr(col, msg, msglen, start,
				    "a relative change needs a sign: +%.*s "
				    "or -%.*s",
				    (int)n, text + i, (int)n, text + i);
	}
	if (n >= sizeof(tok) || n == 0 ||
	    (memcpy(tok, text + i, n), tok[n] = '\0',
	     hg_parse_size(tok, &g->amount) != 0))
		return perr(col, msg, msglen, i,
			    "bad size '%.*s': a number of bytes, decimal or "
			    "0x hex, with an optional K, M, G or T suffix",
			    (int)(n < 40 ? n : 40), text + i);
	if (g->amount == 0)
		g->neg = false;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Looking up paths                                                    */
/* ------------------------------------------------------------------ */

/* keys_of lists the keys of object v into msg after what is there. */
static void keys_of(const struct hg_jvalue *v, char *msg, size_t msglen)
{
	size_t len = strlen(msg);

	for (size_t i = 0; i < v->nmembers && len + 1 < msglen; i++) {
		int w = snprintf(msg + len, msglen - len, "%s%s", i ? ", " : "",
				 v->members[i].key);

		if (w < 0 || (size_t)w >= msglen - len) {
			/* Cut: end with an ellipsis when there is room. */
			if (msglen > 4)
				memcpy(msg + msglen - 4, "...", 4);
			return;
		}
		len += (size_t)w;
	}
}

enum hg_gate_found hg_gate_lookup(const struct hg_jvalue *root,
				  const char *path,
				  const struct hg_jvalue **out, char *msg,
				  size_t msglen)
{
	const struct hg_jvalue *v = root;
	const char *p = path;
	char key[HG_GATE_PATH_MAX];

	*out = NULL;
	while (*p) {
		const struct hg_jvalue *found = NULL;
		size_t len = strlen(p);

		if (v->type == HG_JNULL) {
			/* oom is null when there was no out of memory. */
			return HG_GATE_NULLED;
		}
		if (v->type != HG_JOBJECT) {
			snprintf(msg, msglen, "'%.*s' is %s, it has no '%s'",
				 (int)(p - path - 1), path,
				 hg_jtype_name(v->type), p);
			return HG_GATE_MISSING;
		}
		/* The longest dotted prefix of p that is a key. */
		for (;;) {
			memcpy(key, p, len);
			key[len] = '\0';
			found = hg_jget(v, key);
			if (found)
				break;
			while (len && p[len - 1] != '.')
				len--;
			if (len == 0)
				break;
			len--;
		}
		if (!found) {
			size_t kl = strcspn(p, ".");

			if (p == path)
				snprintf(msg, msglen,
					 "unknown figure '%s': no '%.*s' at "
					 "the top (there are: ",
					 path, (int)kl, p);
			else
				snprintf(msg, msglen,
					 "unknown figure '%s': '%.*s' has no "
					 "'%.*s' (there are: ",
					 path, (int)(p - path - 1), path,
					 (int)kl, p);
			keys_of(v, msg, msglen);
			if (strlen(msg) + 2 <= msglen)
				strcat(msg, ")");
			return HG_GATE_MISSING;
		}
		v = found;
		p += len;
		if (*p == '.')
			p++;
	}
	*out = v;
	return v->type == HG_JNULL ? HG_GATE_NULLED : HG_GATE_FOUND;
}

/* ------------------------------------------------------------------ */
/* Exact arithmetic                                                    */
/* ------------------------------------------------------------------ */

struct u128 {
	uint64_t hi, lo;
};

static struct u128 mul64(uint64_t a, uint64_t b)
{
	uint64_t a0 = a & 0xffffffffu, a1 = a >> 32;
	uint64_t b0 = b & 0xffffffffu, b1 = b >> 32;
	uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
	struct u128 r;

	r.lo = (mid << 32) | (p00 & 0xffffffffu);
	r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
	return r;
}

static int cmp128(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* cmp_signed compares the signed magnitudes (an, a) and (bn, b). */
static int cmp_signed(bool an, struct u128 a, bool bn, struct u128 b)
{
	struct u128 zero = { 0, 0 };

	if (cmp128(a, zero) == 0)
		an = false;
	if (cmp128(b, zero) == 0)
		bn = false;
	if (an != bn)
		return an ? -1 : 1;
	return an ? -cmp128(a, b) : cmp128(a, b);
}

int hg_gate_cmp_pct(uint64_t base, uint64_t new, bool neg, uint64_t num,
		    uint64_t den)
{
	bool dneg = new < base;
	uint64_t d = dneg ? base - new : new - base;

	if (base == 0) {
		/* 0 -> 0 is no change; 0 -> more is +infinite. */
		if (d == 0)
			return cmp_signed(false, mul64(0, 1), neg,
					  mul64(num, 1));
		return 1;
	}
	/* d / base * 100 against num / den: d * 100 * den against num * base.
	 * den is at most 10^6, so 100 * den fits in 64 bits. */
	return cmp_signed(dneg, mul64(d, 100 * den), neg, mul64(num, base));
}

/* ------------------------------------------------------------------ */
/* Evaluating                                                          */
/* ------------------------------------------------------------------ */

static bool is_set(const struct hg_jvalue *v)
{
	if (!v)
		return false;
	switch (v->type) {
	case HG_JNULL:
		return false;
	case HG_JBOOL:
		return v->b;
	case HG_JINT:
		return v->u != 0;
	case HG_JREAL: /* (stats files have none: hg_jread refuses them) */
		return v->d != 0;
	case HG_JSTRING:
		return v->s[0] != '\0';
	case HG_JOBJECT:
		return true;
	case HG_JARRAY:
		return v->nmembers != 0;
	}
	return false;
}

/* gate values compare by type too: 1 and 1.0 differ (README "Gating"). */
static bool same(const struct hg_jvalue *a, const struct hg_jvalue *b)
{
	return hg_jequal(a, b, false);
}

static bool apply(enum hg_gate_op op, int c)
{
	switch (op) {
	case HG_GATE_GT:
		return c > 0;
	case HG_GATE_GE:
		return c >= 0;
	case HG_GATE_LT:
		return c < 0;
	case HG_GATE_LE:
		return c <= 0;
	case HG_GATE_EQ:
		return c == 0;
	case HG_GATE_NE:
		return c != 0;
	default:
		return false;
	}
}

/* The fields of oom when it is an object (the stats JSON, README). */
static const char *const oom_fields[] = {
	"event", "op", "id", "size", "message", NULL,
};

/* nulled_ok tells whether a path through a null can name a value. */
static bool nulled_ok(const char *path)
{
	if (strncmp(path, "oom.", 4) != 0)
		return false;
	for (const char *const *f = oom_fields; *f; f++)
		if (strcmp(path + 4, *f) == 0)
			return true;
	return false;
}

static int lookup_both(const struct hg_gate *g, const struct hg_jvalue *root,
		       const struct hg_jvalue **out, char *msg, size_t msglen)
{
	switch (hg_gate_lookup(root, g->path, out, msg, msglen)) {
	case HG_GATE_FOUND:
		return 0;
	case HG_GATE_NULLED:
		if (*out || nulled_ok(g->path)) {
			*out = NULL;
			return 0;
		}
		snprintf(msg, msglen, "unknown figure '%s'", g->path);
		return -1;
	case HG_GATE_MISSING:
		break;
	}
	return -1;
}

/* want_int checks that a found value is an integer (NULL passes). */
static int want_int(const struct hg_gate *g, const struct hg_jvalue *v,
		    char *msg, size_t msglen)
{
	if (!v || (v->type == HG_JINT && !v->neg))
		return 0;
	snprintf(msg, msglen,
		 "'%s' is %s; '%s' needs a number (use 'changes' for any "
		 "value)",
		 g->path,
		 v->type == HG_JINT ? "negative" : hg_jtype_name(v->type),
		 hg_gate_op_name(g->op));
	return -1;
}

int hg_gate_eval(const struct hg_gate *g, const struct hg_jvalue *base,
		 const struct hg_jvalue *new, struct hg_gate_result *res,
		 bool *bad_new, char *msg, size_t msglen)
{
	const struct hg_jvalue *b, *n;
	bool dneg, word;
	uint64_t d;
	int c;

	memset(res, 0, sizeof(*res));
	*bad_new = false;
	if (lookup_both(g, base, &b, msg, msglen) != 0)
		return -1;
	*bad_new = true;
	if (lookup_both(g, new, &n, msg, msglen) != 0)
		return -1;
	res->base = b;
	res->new = n;
	if ((b && b->type == HG_JOBJECT) || (n && n->type == HG_JOBJECT)) {
		if (g->op == HG_GATE_SET || g->op == HG_GATE_CHANGES) {
			res->holds =
				g->op == HG_GATE_SET ? is_set(n) : !same(b, n);
			return 0;
		}
		*bad_new = !(b && b->type == HG_JOBJECT);
		snprintf(msg, msglen,
			 "'%s' is a group of figures, not one; name one "
			 "of them",
			 g->path);
		return -1;
	}
	switch (g->op) {
	case HG_GATE_SET:
		res->holds = is_set(n);
		return 0;
	case HG_GATE_CHANGES:
		res->holds = !same(b, n);
		return 0;
	default:
		break;
	}
	word = g->op == HG_GATE_INCREASES || g->op == HG_GATE_DECREASES;
	*bad_new = false;
	if ((word || g->kind != HG_GATE_ABS) && want_int(g, b, msg, msglen))
		return -1;
	*bad_new = true;
	if (want_int(g, n, msg, msglen) != 0)
		return -1;
	if (!n || ((word || g->kind != HG_GATE_ABS) && !b))
		return 0; /* no value: the condition does not hold */
	if (word) {
		res->holds =
			g->op == HG_GATE_INCREASES ? n->u > b->u : n->u < b->u;
		return 0;
	}
	if (g->kind == HG_GATE_ABS) {
		c = n->u < g->amount ? -1 : n->u > g->amount ? 1 : 0;
		res->holds = apply(g->op, c);
		return 0;
	}
	dneg = n->u < b->u;
	d = dneg ? b->u - n->u : n->u - b->u;
	if (g->kind == HG_GATE_DELTA)
		c = cmp_signed(dneg, mul64(d, 1), g->neg, mul64(g->amount, 1));
	else
		c = hg_gate_cmp_pct(b->u, n->u, g->neg, g->amount, g->pct_den);
	res->holds = apply(g->op, c);
	return 0;
}
