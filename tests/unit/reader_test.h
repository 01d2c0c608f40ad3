/*
 * reader_test.h - what the trace readers' unit tests (test_trace.c,
 * test_import.c, test_gotrace.c) share: cmocka, the source tree's path,
 * and struct rec, what they keep of each op they read (its fields, copies
 * of its borrowed strings, the line and column it was read at).
 */
#ifndef HG_TEST_READER_TEST_H
#define HG_TEST_READER_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "trace.h"

#ifndef HG_SOURCE_DIR
#define HG_SOURCE_DIR "."
#endif

#define REC_ID_LEN 64

struct rec {
	enum hg_op_kind kind;
	char id[REC_ID_LEN];
	uint64_t size, value;
	hg_addr addr;
	bool has_addr, noscan, swept, all, goal;
	char text[128];
	unsigned line, col;
};

/* rec_set keeps op, read at line:col, in r. */
static inline void rec_set(struct rec *r, const struct hg_op *op, unsigned line,
			   unsigned col)
{
	memset(r, 0, sizeof(*r));
	r->kind = op->kind;
	if (op->id)
		snprintf(r->id, sizeof(r->id), "%s", op->id);
	if (op->text)
		snprintf(r->text, sizeof(r->text), "%s", op->text);
	r->size = op->size;
	r->value = op->value;
	r->addr = op->addr;
	r->has_addr = op->has_addr;
	r->noscan = op->noscan;
	r->swept = op->swept;
	r->all = op->all;
	r->goal = op->goal;
	r->line = line;
	r->col = col;
}

#endif /* HG_TEST_READER_TEST_H */
