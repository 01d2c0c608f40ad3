/*
 * gate.h - the conditions of `heapgrow diff --fail-if EXPR`: regression
 * gates over two stats files (BASE and NEW). One condition is
 *
 *   cond   := path
 *           | path change-word
 *           | path op value
 *   path   := name ( '.' name )*      a figure of the stats JSON
 *   name   := [A-Za-z0-9_]+
 *   change-word := 'increases' | 'decreases' | 'changes'
 *   op     := '>' | '>=' | '<' | '<=' | '==' | '!='
 *   value  := SIZE                    NEW's value    (final.mapped > 128M)
 *           | ('+'|'-') SIZE          NEW - BASE     (peak.committed > +4M)
 *           | ('+'|'-') DECIMAL '%'   (NEW - BASE) / BASE, in percent
 *                                                    (final.committed > +5%)
 *
 * SIZE is the interface's size syntax (hg_parse_size: 4096, 0x1000, 64K,
 * 2MiB, ...); DECIMAL has at most 6 decimals. A bare path holds when NEW's
 * value is set: not null, false, 0 or "" (`oom`). Blanks between tokens
 * are optional. A path whose value is null in a file (oom.size when there
 * was no out of memory) makes a comparison false; `changes` compares any
 * two values, `increases`/`decreases` integers. Percentages from a BASE of
 * 0 are +infinite when NEW is larger. Comparisons are exact (no floating
 * point).
 */
#ifndef HG_CLI_GATE_H
#define HG_CLI_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonread.h"

enum hg_gate_op {
	HG_GATE_SET, /* bare path */
	HG_GATE_GT,
	HG_GATE_GE,
	HG_GATE_LT,
	HG_GATE_LE,
	HG_GATE_EQ,
	HG_GATE_NE,
	HG_GATE_INCREASES,
	HG_GATE_DECREASES,
	HG_GATE_CHANGES,
};

enum hg_gate_kind {
	HG_GATE_ABS,   /* NEW's value */
	HG_GATE_DELTA, /* NEW - BASE */
	HG_GATE_PCT,   /* (NEW - BASE) / BASE * 100 */
};

#define HG_GATE_PATH_MAX 128

struct hg_gate {
	const char *text; /* the expression, borrowed */
	char path[HG_GATE_PATH_MAX];
	enum hg_gate_op op;
	enum hg_gate_kind kind;
	bool neg;         /* DELTA, PCT: the value is negative */
	uint64_t amount;  /* ABS, DELTA: bytes; PCT: numerator */
	uint64_t pct_den; /* PCT: denominator (a power of 10) */
};

/*
 * hg_gate_parse parses text into g. Returns 0, or -1 with *col (1-based
 * column in text) and msg filled.
 */
int hg_gate_parse(const char *text, struct hg_gate *g, unsigned *col, char *msg,
		  size_t msglen);

/* hg_gate_op_name is the operator as written: ">=", "increases", "". */
const char *hg_gate_op_name(enum hg_gate_op op);

/* What a path names in one file. */
enum hg_gate_found {
	HG_GATE_FOUND,   /* *out is the value */
	HG_GATE_NULLED,  /* the path runs through a null: no value */
	HG_GATE_MISSING, /* no such key: msg says which */
};

/*
 * hg_gate_lookup follows path in root. A key may itself contain dots
 * (config."policy.grow" is config.policy.grow): the longest key that
 * matches is taken. On HG_GATE_MISSING, msg says which key is missing and
 * which keys there are.
 */
enum hg_gate_found hg_gate_lookup(const struct hg_jvalue *root,
				  const char *path,
				  const struct hg_jvalue **out, char *msg,
				  size_t msglen);

/* The outcome of one condition. */
struct hg_gate_result {
	bool holds;
	const struct hg_jvalue *base, *new; /* NULL: no value (nulled) */
};

/*
 * hg_gate_eval evaluates g on the two stats files. Returns 0 with *res
 * filled, or -1 with msg (an unknown path, or a value of the wrong type
 * for the operator); bad_new tells whether the problem is in new (else in
 * base).
 */
int hg_gate_eval(const struct hg_gate *g, const struct hg_jvalue *base,
		 const struct hg_jvalue *new, struct hg_gate_result *res,
		 bool *bad_new, char *msg, size_t msglen);

/*
 * hg_gate_cmp_pct compares the relative change from base to new, in
 * percent, with the fraction (neg ? -1 : 1) * num / den: returns -1, 0
 * or 1. Exact; a change from 0 to more is +infinite.
 */
int hg_gate_cmp_pct(uint64_t base, uint64_t new, bool neg, uint64_t num,
		    uint64_t den);

#endif /* HG_CLI_GATE_H */
