/*
 * test_import.c - the go-allocfreetrace and mtrace importers at the op
 * level: the ops each record gives (ids, recorded addresses, sizes,
 * noscan, marks, GC), an address allocated again while live, frees of
 * addresses never allocated (skipped, one warning), every error with its
 * position, format recognition and --from, and the recorded real logs in
 * tests/data.
 */

#include "reader_test.h"
#include "trace_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct result {
	int rc; /* 0 clean, <0 error */
	struct hg_diag d;
	struct rec ops[64];
	size_t n;
	enum hg_trace_format format;
	uint64_t nwarn;
	struct hg_diag warn;
	uint64_t count[HG_OP_COUNT];
	uint64_t noscan;
	uint64_t swept; /* swept dels */
};

static void read_as(struct result *res, const char *text, size_t len,
		    int format)
{
	struct hg_trace_reader *r;
	struct hg_op op;
	unsigned line, col;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = hg_trace_open_mem_as(&r, text, len, "t", format, &res->d);
	if (rc < 0) {
		res->rc = rc;
		return;
	}
	res->format = hg_trace_info(r)->format;
	while ((rc = hg_trace_next(r, &op, &line, &col, &res->d)) > 0) {
		assert_true(line > 0 && col > 0);
		res->count[op.kind]++;
		if (op.kind == HG_OP_NEW && op.noscan)
			res->noscan++;
		if (op.kind == HG_OP_DEL && op.swept)
			res->swept++;
		if (op.kind != HG_OP_DEL)
			assert_false(op.swept);
		if (res->n == sizeof(res->ops) / sizeof(res->ops[0]))
			continue;
		rec_set(&res->ops[res->n++], &op, line, col);
	}
	res->rc = rc;
	res->nwarn = hg_trace_warning(r, &res->warn);
	hg_trace_close(r);
}

static void read_text(struct result *res, const char *text)
{
	read_as(res, text, strlen(text), HG_FMT_AUTO);
}

static void check_new(const struct rec *o, const char *id, uint64_t size,
		      bool noscan, unsigned line)
{
	assert_int_equal(o->kind, HG_OP_NEW);
	assert_string_equal(o->id, id);
	assert_int_equal(o->size, size);
	assert_true(o->has_addr);
	assert_int_equal(o->addr, strtoull(id, NULL, 16));
	assert_int_equal(o->noscan, noscan);
	assert_int_equal(o->line, line);
}

static void check_proc(const struct rec *o, uint64_t p)
{
	assert_int_equal(o->kind, HG_OP_PROC);
	assert_int_equal(o->value, p);
}

static void check_del(const struct rec *o, const char *id, unsigned line)
{
	assert_int_equal(o->kind, HG_OP_DEL);
	assert_string_equal(o->id, id);
	assert_false(o->has_addr);
	assert_int_equal(o->line, line);
}

/* expect_error: the text is an error at line:col whose message holds
 * what. */
static void expect_error(const char *text, int format, unsigned line,
			 unsigned col, const char *what)
{
	struct result res;

	read_as(&res, text, strlen(text), format);
	if (res.rc >= 0 || res.d.line != line || res.d.col != col ||
	    !strstr(res.d.msg, what))
		fail_msg("%s: got rc %d at %u:%u '%s', want %u:%u '%s'", text,
			 res.rc, res.d.line, res.d.col, res.d.msg, line, col,
			 what);
	assert_string_equal(res.d.file, "t");
}

/* ------------------------------------------------------------------ */
/* go-allocfreetrace                                                   */
/* ------------------------------------------------------------------ */

/* What a Go 1.19 program's standard error looks like, stacks and all. */
static const char afl_log[] =
	"tracealloc(0xc000016010, 0x10, *runtime.p)\n"
	"goroutine 1 [running]:\n"
	"runtime.mallocgc(0x8, 0x4a5e40, 0x1)\n"
	"\t/usr/lib/go-1.19/src/runtime/malloc.go:1121 +0x7a5 fp=0xc0000 "
	"sp=0xc0000 pc=0x40b6e5\n"
	"\n"
	"tracealloc(0xc000024000, 0x2500, runtime.p)\n"
	"goroutine 1 [running]:\n"
	"\n"
	"MARK phase one\n"
	"tracealloc(0xc000366000, 0x1ac000)\n"
	"tracealloc(0xc000018070, 0x10, uint8)\n"
	"tracealloc(0xc000018080, 0x40, [4]uint64)\n"
	"tracealloc(0xc0000180c0, 0x40, [4]*int)\n"
	"tracealloc(0xc000018100, 0x20, func(int) (string, error))\n"
	"tracegc()\n"
	"goroutine 2 [force gc (idle)]:\n"
	"runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n"
	"end tracegc\n"
	"\n"
	"tracefree(0xc000016010, 0x10)\n"
	"goroutine 3 [running]:\n"
	"\n"
	"tracefree(0xc000366000, 0x1ac000)\n"
	"MARK   done  \r\n"
	"MARK \n"
	"some output of the program\n";

static void test_afl_ops(void **state)
{
	struct result res;

	(void)state;
	read_text(&res, afl_log);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.format, HG_FMT_GO_ALLOCFREETRACE);
	assert_int_equal(res.n, 15);
	check_new(&res.ops[0], "0xc000016010", 0x10, false, 1);
	assert_int_equal(res.ops[0].col, 1);
	/* Goroutine 1 first seen: no runtime.g of its own in the log, a
	 * g reused without a stack: 2 KiB, at its traceback's line. */
	assert_int_equal(res.ops[1].kind, HG_OP_STACKALLOC);
	assert_int_equal(res.ops[1].size, 2048);
	assert_int_equal(res.ops[1].line, 2);
	assert_false(res.ops[1].has_addr);
	check_new(&res.ops[2], "0xc000024000", 0x2500, false, 6);
	assert_int_equal(res.ops[3].kind, HG_OP_MARK);
	assert_string_equal(res.ops[3].text, "phase one");
	assert_int_equal(res.ops[3].line, 9);
	/* No type: Go's nil type, noscan; pointer-free types too. */
	check_new(&res.ops[4], "0xc000366000", 0x1ac000, true, 10);
	check_new(&res.ops[5], "0xc000018070", 0x10, true, 11);
	check_new(&res.ops[6], "0xc000018080", 0x40, true, 12);
	check_new(&res.ops[7], "0xc0000180c0", 0x40, false, 13);
	check_new(&res.ops[8], "0xc000018100", 0x20, false, 14);
	/* The first cycle's work buffers, one 32 KiB span, then the gc. */
	assert_int_equal(res.ops[9].kind, HG_OP_WBUFALLOC);
	assert_string_equal(res.ops[9].id, "runtime.wbufs");
	assert_int_equal(res.ops[9].size, 32768);
	assert_int_equal(res.ops[9].line, 15);
	assert_int_equal(res.ops[10].kind, HG_OP_GC);
	assert_int_equal(res.ops[10].line, 15);
	/* goroutine 2, listed by the dump: its stack; goroutine 1, not
	 * listed, is dead: its 2 KiB stack stays with its g, which
	 * goroutine 3 then reuses (no op). */
	assert_int_equal(res.ops[11].kind, HG_OP_STACKALLOC);
	assert_int_equal(res.ops[11].line, 16);
	check_del(&res.ops[12], "0xc000016010", 20);
	check_del(&res.ops[13], "0xc000366000", 23);
	assert_int_equal(res.ops[14].kind, HG_OP_MARK);
	assert_string_equal(res.ops[14].text, "done");
	assert_int_equal(res.count[HG_OP_STACKFREE], 0);
	assert_int_equal(res.nwarn, 0);
}

/*
 * Goroutine stacks from the tracebacks: a complete traceback (to
 * runtime.goexit) gives the stack's top and the least size that holds
 * it; a goroutine seen at a larger size grew by doubling; an elided one
 * is at least as deep as its frames shown; a goroutine a tracegc dump
 * does not list has exited.
 */
static const char afl_stacks[] =
	"tracealloc(0xc0000081a0, 0x1a0, runtime.g)\n" /* 1: main's g */
	"goroutine 1 [running]:\n"
	"runtime.systemstack_switch(...)\n"
	"\tfp=0xc00002e780 sp=0xc00002e778\n"
	"runtime.goexit(...)\n"
	"\tfp=0xc00002e7e8 sp=0xc00002e7e0\n"
	"tracealloc(0xc000008340, 0x1a0, runtime.g)\n" /* 7: a g */
	"goroutine 1 [running]:\n"
	"runtime.mallocgc(...)\n"
	"\t/usr/lib/go-1.19/src/runtime/malloc.go:1131 +0x7b1 "
	"fp=0xc00002e700 sp=0xc00002e690 pc=0x40c4f1\n"
	"runtime.goexit()\n"
	"\t/usr/lib/go-1.19/src/runtime/asm_amd64.s:1594 +0x1 "
	"fp=0xc00002e7e8 sp=0xc00002e7e0 pc=0x461a01\n"
	"created by main.main\n"
	"\n"
	"tracealloc(0xc00004e000, 0x60, runtime.sudog)\n" /* 15 */
	"goroutine 7 [running]:\n"
	"runtime.mallocgc(...)\n"
	"\tfp=0xc00008c488 sp=0xc00008c410\n" /* 15.3 KiB deep: 16 KiB */
	"runtime.goexit(...)\n"
	"\tfp=0xc00008ffe8 sp=0xc00008ffe0\n"
	"tracealloc(0xc00004e060, 0x60, runtime.sudog)\n" /* 21 */
	"goroutine 8 [running]:\n"
	"runtime.mallocgc(...)\n"
	"\tfp=0xc0000a6488 sp=0xc0000a6410\n"
	"main.recurse(...)\n"
	"\tfp=0xc0000adf90 sp=0xc0000ade48\n" /* 30.9 KiB shown */
	"...additional frames elided...\n"
	"tracegc()\n" /* 28 */
	"goroutine 1 [garbage collection]:\n"
	"runtime.gopark(...)\n"
	"\tfp=0xc00002e700 sp=0xc00002e690\n"
	"runtime.goexit(...)\n"
	"\tfp=0xc00002e7e8 sp=0xc00002e7e0\n"
	"end tracegc\n"; /* 34 */

static void test_afl_tracebacks(void **state)
{
	struct result res;
	static const uint64_t grow[][2] = { { 4096, 0 },
					    { 8192, 0 },
					    { 16384, 0xc00008c000 } };

	(void)state;
	read_text(&res, afl_stacks);
	assert_int_equal(res.rc, 0);
	/* new, the main g's 2 KiB (goroutine 1 takes it), new, a g's
	 * 2 KiB (goroutine 7 takes it), new, 3 doublings (alloc and free
	 * each), new, goroutine 8: 2 KiB (no g left), 4 doublings to
	 * 32 KiB, wbufalloc, gc, the exits of 7 and 8 */
	assert_int_equal(res.n, 25);
	assert_int_equal(res.ops[1].kind, HG_OP_STACKALLOC);
	assert_string_equal(res.ops[1].id, "gstack0");
	assert_int_equal(res.ops[3].size, 2048);
	assert_string_equal(res.ops[3].id, "gstack1");
	check_new(&res.ops[4], "0xc00004e000", 0x60, false, 15);
	for (size_t k = 0; k < 3; k++) {
		const struct rec *a = &res.ops[5 + 2 * k],
				 *f = &res.ops[6 + 2 * k];

		assert_int_equal(a->kind, HG_OP_STACKALLOC);
		assert_int_equal(a->size, grow[k][0]);
		assert_int_equal(a->has_addr, grow[k][1] != 0);
		assert_int_equal(a->addr, grow[k][1]);
		assert_int_equal(a->line, 16);
		assert_int_equal(f->kind, HG_OP_STACKFREE);
		assert_string_equal(f->id,
				    k ? res.ops[3 + 2 * k].id : "gstack1");
	}
	check_new(&res.ops[11], "0xc00004e060", 0x60, false, 21);
	assert_int_equal(res.ops[12].kind, HG_OP_STACKALLOC);
	assert_int_equal(res.ops[12].size, 2048);
	assert_int_equal(res.ops[20].kind, HG_OP_STACKFREE);
	assert_int_equal(res.ops[19].kind, HG_OP_STACKALLOC);
	assert_int_equal(res.ops[19].size, 32768);
	assert_false(res.ops[19].has_addr); /* its top is not known */
	assert_int_equal(res.ops[21].kind, HG_OP_WBUFALLOC);
	assert_int_equal(res.ops[22].kind, HG_OP_GC);
	/* 7 and 8 are not in the dump: their grown stacks are freed */
	assert_int_equal(res.ops[23].kind, HG_OP_STACKFREE);
	assert_int_equal(res.ops[24].kind, HG_OP_STACKFREE);
	assert_int_equal(res.ops[23].line, 34);
	assert_int_equal(res.count[HG_OP_STACKALLOC], 10);
	assert_int_equal(res.count[HG_OP_STACKFREE], 9);
}

/* Which runtime.g a goroutine first seen takes: the newest if seen in a
 * record, the oldest if first seen in a dump; a 2 KiB stack at an exit
 * stays with its g for the next goroutine. */
static void test_afl_fresh_stacks(void **state)
{
	struct result res;

	(void)state;
	read_text(&res, "tracealloc(0xc0000081a0, 0x1a0, runtime.g)\n"
			"tracealloc(0xc000008340, 0x1a0, runtime.g)\n"
			"tracealloc(0xc0000084e0, 0x1a0, runtime.g)\n"
			"tracealloc(0xc000010000, 0x20)\n"
			"goroutine 5 [running]:\n"
			"f(...)\n"
			"\tfp=0xc00003e700 sp=0xc00003e690\n"
			"runtime.goexit(...)\n"
			"\tfp=0xc00003e7e8 sp=0xc00003e7e0\n"
			"tracegc()\n"
			"goroutine 2 [force gc (idle)]:\n"
			"goroutine 5 [chan receive]:\n"
			"end tracegc\n"
			"tracegc()\n"
			"goroutine 2 [force gc (idle)]:\n"
			"goroutine 5 [chan receive]:\n"
			"f(...)\n"
			"\tfp=0xc00003f400 sp=0xc00003f000\n"
			"runtime.goexit(...)\n"
			"\tfp=0xc00003ffe8 sp=0xc00003ffe0\n"
			"end tracegc\n");
	assert_int_equal(res.rc, 0);
	/* 3 news and their stacks, a new, the wbufalloc and 2 gcs, then
	 * goroutine 5 at 4 KiB deep: grown to 8 KiB (two doublings) */
	assert_int_equal(res.n, 14);
	assert_string_equal(res.ops[1].id, "gstack0");
	assert_string_equal(res.ops[3].id, "gstack1");
	assert_string_equal(res.ops[5].id, "gstack2");
	/* goroutine 5 took gstack2 (the newest): its copy frees it */
	for (size_t k = 0; k < res.n; k++)
		if (res.ops[k].kind == HG_OP_STACKFREE) {
			assert_string_equal(res.ops[k].id, "gstack2");
			break;
		}
	assert_int_equal(res.count[HG_OP_STACKFREE], 2);
}

/* A goroutine seen at another top at 2 KiB after a cycle: its stack
 * went through 4 KiB (shrinkstack never goes under 2 KiB), and every
 * stack is a power of two of at least 2 KiB. */
static void test_afl_moved_least(void **state)
{
	struct result res;
	size_t nalloc = 0;

	(void)state;
	read_text(&res, "tracealloc(0xc0000081a0, 0x1a0, runtime.g)\n"
			"tracealloc(0xc000010000, 0x20)\n"
			"goroutine 5 [running]:\n"
			"f(...)\n"
			"\tfp=0xc00003e700 sp=0xc00003e690\n"
			"runtime.goexit(...)\n"
			"\tfp=0xc00003e7e8 sp=0xc00003e7e0\n"
			"tracegc()\n"
			"goroutine 5 [chan receive]:\n"
			"f(...)\n"
			"\tfp=0xc00003ff70 sp=0xc00003ff00\n"
			"runtime.goexit(...)\n"
			"\tfp=0xc00003ffe8 sp=0xc00003ffe0\n"
			"end tracegc\n");
	assert_int_equal(res.rc, 0);
	for (size_t k = 0; k < res.n; k++) {
		if (res.ops[k].kind != HG_OP_STACKALLOC)
			continue;
		assert_true(res.ops[k].size >= 2048);
		assert_int_equal(res.ops[k].size & (res.ops[k].size - 1), 0);
		if (res.ops[k].has_addr) {
			assert_int_equal(res.ops[k].size, 2048);
			assert_int_equal(res.ops[k].addr, 0xc00003f800);
		}
		nalloc++;
	}
	assert_int_equal(nalloc, 3); /* the g's, 4 KiB, 2 KiB at the top */
}

/* every stackfree of res is of a live stack; returns how many */
static size_t stackfrees_of_live(const struct result *res)
{
	const char *live[16];
	size_t nlive = 0, nfree = 0;

	for (size_t k = 0; k < res->n; k++) {
		if (res->ops[k].kind == HG_OP_STACKALLOC) {
			assert_true(nlive < 16);
			live[nlive++] = res->ops[k].id;
		} else if (res->ops[k].kind == HG_OP_STACKFREE) {
			size_t j = 0;

			while (j < nlive && strcmp(live[j], res->ops[k].id))
				j++;
			assert_true(j < nlive); /* a live stack */
			live[j] = live[--nlive];
			nfree++;
		}
	}
	return nfree;
}

/* The main goroutine's stack copied at its first sudog in a log without
 * tracebacks (so far): no goroutine a later traceback shows takes the
 * freed stack, whether it waits among the fresh gs' stacks or, after a
 * tracegc dump, among the dead gs' ones. */
static void test_afl_main_grown_then_tracebacks(void **state)
{
	static const char later[] =
		"tracealloc(0xc00004e000, 0x60, runtime.sudog)\n"
		"tracealloc(0xc00004e060, 0x60, runtime.sudog)\n"
		"goroutine 7 [running]:\n"
		"runtime.mallocgc(...)\n"
		"\tfp=0xc00008c488 sp=0xc00008c410\n"
		"runtime.goexit(...)\n"
		"\tfp=0xc00008ffe8 sp=0xc00008ffe0\n";
	static const char *const before[] = {
		"tracealloc(0xc000008340, 0x1a0, runtime.g)\n",
		"tracealloc(0xc000008340, 0x1a0, runtime.g)\n"
		"tracegc()\nend tracegc\n",
	};
	char text[1024];
	struct result res;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		snprintf(text, sizeof(text), "%s%s", before[k], later);
		read_text(&res, text);
		assert_int_equal(res.rc, 0);
		/* main's old stack, and goroutine 7's 3 copies */
		assert_int_equal(stackfrees_of_live(&res), 4);
	}
}

/*
 * A mark whose goroutine a tracegc dump shows inside runtime.ReadMemStats
 * was read after that cycle: it moves to the goroutine's next record. A
 * mark with no such goroutine stays at its line, before the gc.
 */
static void test_afl_mark_readmemstats(void **state)
{
	static const char *const kinds_before[] = { "new", "ka", "mark", "wbuf",
						    "gc" };
	struct result res;

	(void)state;
	read_text(&res, "tracealloc(0xc000010000, 0x20)\n"
			"goroutine 1 [running]:\n"
			"f(...)\n"
			"\tfp=0xc00002e700 sp=0xc00002e690\n"
			"runtime.goexit(...)\n"
			"\tfp=0xc00002e7e8 sp=0xc00002e7e0\n"
			"MARK m\n" /* 7 */
			"tracegc()\n"
			"goroutine 1 [semacquire]:\n"
			"runtime.gopark(...)\n"
			"\tfp=0xc00002e700 sp=0xc00002e690\n"
			"runtime.ReadMemStats(...)\n"
			"\tfp=0xc00002e740 sp=0xc00002e700\n"
			"runtime.goexit(...)\n"
			"\tfp=0xc00002e7e8 sp=0xc00002e7e0\n"
			"end tracegc\n"
			"tracefree(0xc000010000, 0x20)\n" /* 17: the sweeper */
			"goroutine 3 [running]:\n"
			"tracealloc(0xc000010040, 0x20)\n" /* 19 */
			"goroutine 1 [running]:\n"
			"MARK n\n" /* 21 */
			"tracealloc(0xc000010080, 0x20)\n"
			"goroutine 3 [running]:\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 10);
	check_new(&res.ops[0], "0xc000010000", 0x20, true, 1);
	assert_int_equal(res.ops[1].kind, HG_OP_STACKALLOC);
	assert_int_equal(res.ops[2].kind, HG_OP_WBUFALLOC);
	assert_int_equal(res.ops[3].kind, HG_OP_GC);
	check_del(&res.ops[4], "0xc000010000", 17);
	assert_int_equal(res.ops[5].kind, HG_OP_STACKALLOC);
	assert_int_equal(res.ops[5].line, 18);
	/* after the gc and the sweeper's free, before goroutine 1's next */
	assert_int_equal(res.ops[6].kind, HG_OP_MARK);
	assert_string_equal(res.ops[6].text, "m");
	assert_int_equal(res.ops[6].line, 7);
	check_new(&res.ops[7], "0xc000010040", 0x20, true, 19);
	/* no ReadMemStats in sight: at its line */
	assert_int_equal(res.ops[8].kind, HG_OP_MARK);
	assert_string_equal(res.ops[8].text, "n");
	assert_int_equal(res.ops[8].line, 21);
	check_new(&res.ops[9], "0xc000010080", 0x20, true, 22);

	read_text(&res, "tracealloc(0xc000010000, 0x20)\n"
			"goroutine 1 [running]:\n"
			"MARK m\n"
			"tracegc()\n"
			"goroutine 1 [runnable]:\n"
			"runtime.gopark(...)\n"
			"\tfp=0xc00002e700 sp=0xc00002e690\n"
			"end tracegc\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 5);
	for (size_t k = 0; k < 5; k++) {
		static const enum hg_op_kind want[] = {
			HG_OP_NEW, HG_OP_STACKALLOC, HG_OP_MARK,
			HG_OP_WBUFALLOC, HG_OP_GC
		};
		if (res.ops[k].kind != want[k])
			fail_msg("op %zu is not a %s", k, kinds_before[k]);
	}
}

/* The records of two Ps (a log's first lines: their runtime.p). */
#define TWO_PS                                                                 \
	"tracealloc(0xc00001c000, 0x2500, runtime.p)\n"                        \
	"goroutine 0 [idle]:\n"                                                \
	"tracealloc(0xc00001e500, 0x2500, runtime.p)\n"                        \
	"goroutine 0 [idle]:\n"

/*
 * The P of each record, from the Ps' page-cache blocks (512 KiB aligned):
 * a page-aligned small span in a P's block ran on that P, one in a new
 * block on the first P without one; other records on their goroutine's
 * last P.
 */
static void test_afl_procs(void **state)
{
	struct result res;

	(void)state;
	read_text(&res, "tracealloc(0xc000016010, 0x10, *runtime.p)\n"
			"goroutine 0 [idle]:\n" TWO_PS
			"tracealloc(0xc000040000, 0x70)\n" /* 7: P 0's block */
			"goroutine 1 [running]:\n"
			"tracealloc(0xc000080000, 0x70)\n" /* 9: a new block */
			"goroutine 1 [running]:\n"
			"tracealloc(0xc000042000, 0x50)\n" /* 11: P 0's */
			"goroutine 18 [running]:\n"
			"tracealloc(0xc000080070, 0x70)\n" /* 13: in a span */
			"goroutine 1 [running]:\n"
			"tracealloc(0xc000090000, 0x40000)\n" /* 15: 32 pages */
			"goroutine 1 [running]:\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 13);
	check_new(&res.ops[3], "0xc000040000", 0x70, true, 7);
	assert_int_equal(res.ops[4].kind, HG_OP_STACKALLOC);
	check_proc(&res.ops[5], 1);
	check_new(&res.ops[6], "0xc000080000", 0x70, true, 9);
	check_proc(&res.ops[7], 0);
	check_new(&res.ops[8], "0xc000042000", 0x50, true, 11);
	check_proc(&res.ops[10], 1);
	check_new(&res.ops[11], "0xc000080070", 0x70, true, 13);
	check_new(&res.ops[12], "0xc000090000", 0x40000, true, 15);
	assert_int_equal(res.count[HG_OP_PROC], 3);

	/* one P: no proc op */
	read_text(&res, "tracealloc(0xc00001c000, 0x2500, runtime.p)\n"
			"tracealloc(0xc000080000, 0x70)\n"
			"goroutine 1 [running]:\n"
			"tracealloc(0xc000100000, 0x70)\n"
			"goroutine 2 [running]:\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.count[HG_OP_PROC], 0);
}

/*
 * The P that made a goroutine, from its id: ids come 16 at a time to
 * each P (1 to 16 are the first P's), so a g whose record the new
 * goroutine's own follows was made on the P of that goroutine's batch,
 * and so was the goroutine that made it; a batch no P holds is taken by
 * the first P without one. A g followed by its maker's record stays.
 */
static void test_afl_goid_batches(void **state)
{
	struct result res;

	(void)state;
	read_text(&res,
		  TWO_PS "tracealloc(0xc000040000, 0x70)\n" /* 5: P 0's block */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc0000081a0, 0x1a0, runtime.g)\n" /* 7 */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc000080000, 0x20)\n" /* 9: id 17's */
			 "goroutine 17 [running]:\n"
			 "tracealloc(0xc000044040, 0x40)\n" /* 11: on P 1 */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc000008340, 0x1a0, runtime.g)\n" /* 13 */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc000046050, 0x50)\n" /* 15: id 4's */
			 "goroutine 4 [running]:\n"
			 "tracealloc(0xc0000084e0, 0x1a0, runtime.g)\n" /* 17 */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc0000400e0, 0x70)\n" /* 19 */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc0000460a0, 0x50)\n" /* 21: id 5's */
			 "goroutine 5 [running]:\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 17);
	check_new(&res.ops[2], "0xc000040000", 0x70, true, 5);
	assert_int_equal(res.ops[3].kind, HG_OP_STACKALLOC); /* goroutine 1 */
	/* the g of goroutine 17 and its stack on P 1, and its maker */
	check_proc(&res.ops[4], 1);
	check_new(&res.ops[5], "0xc0000081a0", 0x1a0, false, 7);
	assert_int_equal(res.ops[6].kind, HG_OP_STACKALLOC);
	check_new(&res.ops[7], "0xc000080000", 0x20, true, 9);
	check_new(&res.ops[8], "0xc000044040", 0x40, true, 11);
	/* goroutine 4's g on P 0, whose batch it is */
	check_proc(&res.ops[9], 0);
	check_new(&res.ops[10], "0xc000008340", 0x1a0, false, 13);
	check_new(&res.ops[12], "0xc000046050", 0x50, true, 15);
	/* a g followed by its maker's record: where the maker is */
	check_new(&res.ops[13], "0xc0000084e0", 0x1a0, false, 17);
	check_new(&res.ops[15], "0xc0000400e0", 0x70, true, 19);
	assert_int_equal(res.count[HG_OP_PROC], 2);
}

/*
 * A P whose mcache has room in its span of a class (an object of a
 * one-page class allocated since the last flush, a slot above it not
 * live) allocates that class nowhere else: a fresh span in its block, or
 * an object in another span, came from another P, and an object in a
 * span a P allocated in since the flush is that P's. A mark
 * (ReadMemStats) flushes the mcaches; a span used up to its last slot
 * has no room.
 */
static void test_afl_mcache_room(void **state)
{
	struct result res;

	(void)state;
	read_text(&res,
		  TWO_PS "tracealloc(0xc000040000, 0x8, *int)\n" /* 5: P 0 */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc000042000, 0x8, *int)\n" /* 7: P 1 */
			 "goroutine 2 [running]:\n"
			 "MARK m\n"
			 "tracealloc(0xc000044000, 0x8, *int)\n" /* 10: P 0 */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc000047c00, 0x400)\n" /* 12: last slot */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc000048000, 0x400)\n" /* 14: P 0 */
			 "goroutine 1 [running]:\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 12);
	check_new(&res.ops[2], "0xc000040000", 0x8, false, 5);
	check_proc(&res.ops[4], 1);
	check_new(&res.ops[5], "0xc000042000", 0x8, false, 7);
	assert_int_equal(res.ops[7].kind, HG_OP_MARK);
	check_proc(&res.ops[8], 0);
	check_new(&res.ops[9], "0xc000044000", 0x8, false, 10);
	check_new(&res.ops[10], "0xc000047c00", 0x400, true, 12);
	check_new(&res.ops[11], "0xc000048000", 0x400, true, 14);
	assert_int_equal(res.count[HG_OP_PROC], 2);

	/* an object in another span of the class than the one its
	 * goroutine's P has room in: another P's; one in a span a P
	 * allocated in since the flush: that P's */
	read_text(&res,
		  TWO_PS "tracealloc(0xc000040000, 0x8, *int)\n" /* 5: P 0 */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc000042008, 0x8, *int)\n" /* 7: P 1 */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc000040008, 0x8, *int)\n" /* 9: P 0 */
			 "goroutine 1 [running]:\n"
			 "tracealloc(0xc000042010, 0x8, *int)\n" /* 11: P 1 */
			 "goroutine 3 [running]:\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 11);
	check_proc(&res.ops[4], 1);
	check_new(&res.ops[5], "0xc000042008", 0x8, false, 7);
	check_proc(&res.ops[6], 0);
	check_new(&res.ops[7], "0xc000040008", 0x8, false, 9);
	check_proc(&res.ops[8], 1);
	check_new(&res.ops[9], "0xc000042010", 0x8, false, 11);
	assert_int_equal(res.count[HG_OP_PROC], 3);
}

/*
 * debug.FreeOSMemory: a cycle whose dump shows a goroutine inside
 * runtime/debug.freeOSMemory is followed, once its sweep's frees are in,
 * by scavenge: all (scavengeAll), before the next allocation, cycle or
 * mark, or at the log's end; runtime.GC's cycle alone is not.
 */
static void test_afl_free_os(void **state)
{
	static const char dump_gc[] = "tracegc()\n"
				      "goroutine 1 [wait for GC cycle]:\n"
				      "runtime.gcWaitOnMark(...)\n"
				      "\tfp=0xc00002e700 sp=0xc00002e690\n"
				      "runtime.GC(...)\n"
				      "\tfp=0xc00002e740 sp=0xc00002e700\n";
	static const char dump_end[] = "main.main(...)\n"
				       "\tfp=0xc00002e780 sp=0xc00002e740\n"
				       "runtime.goexit(...)\n"
				       "\tfp=0xc00002e7e8 sp=0xc00002e7e0\n"
				       "end tracegc\n";
	static const char fos[] = "runtime/debug.freeOSMemory(...)\n"
				  "\tfp=0xc00002e748 sp=0xc00002e740\n";
	char log[2048];
	struct result res;

	(void)state;
	/* FreeOSMemory, then runtime.GC, then FreeOSMemory at the end */
	snprintf(log, sizeof(log),
		 "tracealloc(0xc000010000, 0x20)\n"
		 "goroutine 1 [running]:\n"
		 "%s%s%s" /* 3 */
		 "tracefree(0xc000010000, 0x20)\n"
		 "goroutine 0 [idle]:\n"
		 "tracealloc(0xc000010040, 0x20)\n" /* 18 */
		 "goroutine 1 [running]:\n"
		 "%s%s"
		 "MARK gc\n"
		 "%s%s%s"
		 "tracefree(0xc000010040, 0x20)\n",
		 dump_gc, fos, dump_end, dump_gc, dump_end, dump_gc, fos,
		 dump_end);
	read_text(&res, log);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.count[HG_OP_SCAVENGE], 2);
	check_new(&res.ops[0], "0xc000010000", 0x20, true, 1);
	assert_int_equal(res.ops[1].kind, HG_OP_STACKALLOC);
	assert_int_equal(res.ops[2].kind, HG_OP_WBUFALLOC);
	assert_int_equal(res.ops[3].kind, HG_OP_GC);
	check_del(&res.ops[4], "0xc000010000", 16);
	assert_int_equal(res.ops[5].kind, HG_OP_SCAVENGE);
	assert_true(res.ops[5].all);
	assert_int_equal(res.ops[5].line, 18);
	check_new(&res.ops[6], "0xc000010040", 0x20, true, 18);
	assert_int_equal(res.ops[7].kind, HG_OP_GC);
	assert_int_equal(res.ops[8].kind, HG_OP_MARK);
	assert_int_equal(res.ops[9].kind, HG_OP_GC);
	check_del(&res.ops[10], "0xc000010040", 45);
	assert_int_equal(res.ops[11].kind, HG_OP_SCAVENGE);
	assert_true(res.ops[11].all);
	assert_int_equal(res.n, 12);

	/* without tracebacks' frames no cycle is FreeOSMemory's */
	read_text(&res, "tracealloc(0xc000010000, 0x20)\n"
			"tracegc()\n"
			"tracefree(0xc000010000, 0x20)\n"
			"tracealloc(0xc000010040, 0x20)\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.count[HG_OP_SCAVENGE], 0);
}

/*
 * The background scavenger's own record: once a dump has shown the
 * goroutine in runtime.bgscavenge, an allocation of that goroutine (its
 * P's timer heap, made as it goes to sleep after a run that released) is
 * preceded by scavenge: goal; one before the goroutine is known, another
 * goroutine's, and the scavenger's own line in a dump give none.
 */
static void test_afl_scavenger_run(void **state)
{
	static const char log[] =
		"tracealloc(0xc000092000, 0x50, runtime.timer)\n" /* 1 */
		"goroutine 18 [running]:\n"
		"tracegc()\n" /* 3 */
		"goroutine 18 [GC scavenge wait]:\n"
		"runtime.gopark(...)\n"
		"\tfp=0xc00002af70 sp=0xc00002af50\n"
		"runtime.bgscavenge(...)\n"
		"\tfp=0xc00002afc8 sp=0xc00002afa0\n"
		"runtime.goexit(...)\n"
		"\tfp=0xc00002afe8 sp=0xc00002afe0\n"
		"end tracegc\n"
		"tracealloc(0xc000014028, 0x8, *runtime.timer)\n" /* 12 */
		"goroutine 18 [running]:\n"
		"runtime.mallocgc(...)\n"
		"\tfp=0xc00002ae88 sp=0xc00002ae10\n"
		"tracealloc(0xc000014030, 0x8)\n" /* 16 */
		"goroutine 1 [running]:\n"
		"runtime.mallocgc(...)\n"
		"\tfp=0xc00008ede8 sp=0xc00008ed70\n";
	struct result res;
	size_t k, nscav = 0;

	(void)state;
	read_text(&res, log);
	assert_int_equal(res.rc, 0);
	for (k = 0; k < res.n; k++) {
		if (res.ops[k].kind != HG_OP_SCAVENGE)
			continue;
		nscav++;
		assert_true(res.ops[k].goal);
		assert_false(res.ops[k].all);
		assert_true(k + 1 < res.n);
		check_new(&res.ops[k + 1], "0xc000014028", 0x8, false, 12);
	}
	assert_int_equal(nscav, 1);
	assert_int_equal(res.count[HG_OP_NEW], 3);
	assert_int_equal(res.count[HG_OP_GC], 1);
}

/* The program's own output may be a line of any length; a record may
 * not. */
static void test_afl_long_lines(void **state)
{
	size_t big = 700 * 1024, n;
	char *t = malloc(big + 200);
	struct result res;

	(void)state;
	assert_non_null(t);
	n = (size_t)sprintf(t, "tracealloc(0xc000010000, 0x20)\n");
	memset(t + n, 'x', big);
	memcpy(t + n + 300000, "tracealloc(", 11); /* inside the line */
	n += big;
	n += (size_t)sprintf(t + n, "\ntracefree(0xc000010000, 0x20)\n");
	read_as(&res, t, n, HG_FMT_AUTO);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 2);
	check_del(&res.ops[1], "0xc000010000", 3);

	/* A record that long is an error. */
	n = (size_t)sprintf(t, "tracealloc(0xc000010000, 0x20)\n"
			       "tracealloc(0xc000010020, 0x20, ");
	memset(t + n, 'T', big);
	n += big;
	t[n++] = ')';
	read_as(&res, t, n, HG_FMT_AUTO);
	assert_true(res.rc < 0);
	assert_int_equal(res.d.line, 2);
	assert_non_null(strstr(res.d.msg, "line too long"));
	free(t);
}

/* ENV lines before the first record: goenvs' copy of the environment, the
 * []string then each string (noscan), before the first record's ops; an
 * ENV line after the first record is the program's output. */
static void test_afl_env(void **state)
{
	struct result res;

	(void)state;
	read_text(&res, "ENV GOMAXPROCS=1\n"
			"MARK x\n"
			"ENV GODEBUG=allocfreetrace=1\r\n"
			"tracealloc(0xc000014008, 0x8, *runtime.p)\n"
			"ENV LATE=1\n"
			"tracegc()\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.format, HG_FMT_GO_ALLOCFREETRACE);
	assert_int_equal(res.n, 7);
	assert_int_equal(res.ops[0].kind, HG_OP_MARK);
	assert_int_equal(res.ops[1].kind, HG_OP_NEW);
	assert_string_equal(res.ops[1].id, "runtime.envs");
	assert_int_equal(res.ops[1].size, 32);
	assert_false(res.ops[1].noscan);
	assert_false(res.ops[1].has_addr);
	assert_int_equal(res.ops[1].line, 1);
	assert_string_equal(res.ops[2].id, "runtime.envs.0");
	assert_int_equal(res.ops[2].size, 12);
	assert_true(res.ops[2].noscan);
	assert_string_equal(res.ops[3].id, "runtime.envs.1");
	assert_int_equal(res.ops[3].size, 24);
	assert_true(res.ops[3].noscan);
	check_new(&res.ops[4], "0xc000014008", 8, false, 4);
	assert_int_equal(res.ops[5].kind, HG_OP_WBUFALLOC);
	assert_int_equal(res.ops[6].kind, HG_OP_GC);

	/* No ENV line: no copy. */
	read_text(&res, "tracealloc(0xc000014008, 0x8, *runtime.p)\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 1);
}

/* A named type says nothing of its pointers (but for the few the Go
 * source fixes), but the page it starts in does once an object of a
 * known type and the same size started there. */
static void test_afl_noscan_pages(void **state)
{
	struct result res;

	(void)state;
	read_text(&res,
		  "tracealloc(0xc00001a010, 0x10)\n"
		  "tracealloc(0xc00001a020, 0x10, main.S)\n"
		  "tracealloc(0xc000016010, 0x10, *int)\n"
		  "tracealloc(0xc000016020, 0x10, main.T)\n"
		  "tracealloc(0xc00001a040, 0x20, main.U)\n"
		  "tracealloc(0xc000030000, 0x10, main.V)\n"
		  "tracealloc(0xc000032000, 0x8, runtime.uint64InterfacePtr)\n"
		  "tracealloc(0xc000034000, 0x30, [2]string)\n"
		  "tracealloc(0xc000034030, 0x30, main.W)\n"
		  "tracealloc(0xc000036000, 0x20, "
		  "runtime.gcBgMarkWorkerNode)\n"
		  "tracealloc(0xc000038000, 0x10, context.emptyCtx)\n"
		  "tracealloc(0xc00003a000, 0x30, js.ref)\n"
		  "tracealloc(0xc00003c000, 0x10, [2]js.ref)\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 13);
	check_new(&res.ops[0], "0xc00001a010", 0x10, true, 1);
	check_new(&res.ops[1], "0xc00001a020", 0x10, true, 2);
	check_new(&res.ops[2], "0xc000016010", 0x10, false, 3);
	check_new(&res.ops[3], "0xc000016020", 0x10, false, 4);
	/* another size in a noscan page: unknown, scan */
	check_new(&res.ops[4], "0xc00001a040", 0x20, false, 5);
	check_new(&res.ops[5], "0xc000030000", 0x10, false, 6);
	check_new(&res.ops[6], "0xc000032000", 0x8, true, 7);
	check_new(&res.ops[7], "0xc000034000", 0x30, false, 8);
	check_new(&res.ops[8], "0xc000034030", 0x30, false, 9);
	/* named types known to hold no pointer, in fresh pages */
	check_new(&res.ops[9], "0xc000036000", 0x20, true, 10);
	check_new(&res.ops[10], "0xc000038000", 0x10, true, 11);
	/* syscall/js's ref is a uint64: its argument arrays are noscan */
	check_new(&res.ops[11], "0xc00003a000", 0x30, true, 12);
	check_new(&res.ops[12], "0xc00003c000", 0x10, true, 13);
}

/* The main goroutine (the first g not an M's) gets 2 KiB; at the first
 * sudog its stack grows to 4 KiB and the old one is freed; once. */
static void test_afl_main_stack(void **state)
{
	struct result res;

	(void)state;
	read_text(&res, "tracealloc(0xc000046000, 0x60, runtime.sudog)\n"
			"tracealloc(0xc0000081a0, 0x1a0, runtime.g)\n"
			"tracealloc(0xc000032000, 0x400, runtime.m)\n"
			"tracealloc(0xc000008340, 0x1a0, runtime.g)\n"
			"tracealloc(0xc0000084e0, 0x1a0, runtime.g)\n"
			"tracealloc(0xc000046060, 0x60, runtime.sudog)\n"
			"tracealloc(0xc0000460c0, 0x60, runtime.sudog)\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 12);
	/* a sudog before any g: no main goroutine yet */
	assert_int_equal(res.ops[1].kind, HG_OP_NEW);
	assert_int_equal(res.ops[2].kind, HG_OP_STACKALLOC);
	assert_string_equal(res.ops[2].id, "gstack0");
	assert_int_equal(res.ops[2].size, 2048);
	assert_int_equal(res.ops[5].size, 32768);
	assert_int_equal(res.ops[7].size, 8192);
	check_new(&res.ops[8], "0xc000046060", 0x60, false, 6);
	assert_int_equal(res.ops[9].kind, HG_OP_STACKALLOC);
	assert_string_equal(res.ops[9].id, "gstack3");
	assert_int_equal(res.ops[9].size, 4096);
	assert_int_equal(res.ops[10].kind, HG_OP_STACKFREE);
	assert_string_equal(res.ops[10].id, "gstack0");
	assert_int_equal(res.ops[10].line, 6);
	check_new(&res.ops[11], "0xc0000460c0", 0x60, false, 7);
	assert_int_equal(res.count[HG_OP_STACKALLOC], 4);
	assert_int_equal(res.count[HG_OP_STACKFREE], 1);
}

static void test_afl_reuse_and_unknown_free(void **state)
{
	struct result res;

	(void)state;
	read_text(&res, "tracealloc(0xc000010000, 0x20)\n"
			"tracefree(0xc000000000, 0x18)\n"
			"tracealloc(0xc000010000, 0x30, main.T)\n"
			"tracefree(0xc000010000, 0x30)\n"
			"tracefree(0xc000010000, 0x30)\n"
			"tracealloc(0xc000010000, 0x8)\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 5);
	check_new(&res.ops[0], "0xc000010000", 0x20, true, 1);
	/* Allocated again while live: the old object died first. */
	check_del(&res.ops[1], "0xc000010000", 3);
	check_new(&res.ops[2], "0xc000010000", 0x30, false, 3);
	check_del(&res.ops[3], "0xc000010000", 4);
	/* After its free, the address is a new object again. */
	check_new(&res.ops[4], "0xc000010000", 0x8, true, 6);
	/* Two frees of addresses not live: skipped, one warning at the
	 * first. */
	assert_int_equal(res.nwarn, 2);
	assert_int_equal(res.warn.line, 2);
	assert_int_equal(res.warn.col, 1);
	assert_string_equal(res.warn.file, "t");
	assert_non_null(strstr(res.warn.msg, "0xc000000000"));
	assert_non_null(strstr(res.warn.msg, "2 such records"));
}

static void test_afl_errors(void **state)
{
	(void)state;
	/* Cut lines, as at the end of a truncated log. */
	expect_error("tracealloc(0xc000010000, 0x20)\ntracealloc(0xc0000",
		     HG_FMT_AUTO, 2, 19, "tracealloc: expected ', '");
	expect_error("tracealloc(0xc000010000, 0x20)\ntracealloc(", HG_FMT_AUTO,
		     2, 12, "tracealloc: bad address");
	expect_error("tracealloc(0xc000010000, 0x20)\n"
		     "tracealloc(0xc000010000, 0x2",
		     HG_FMT_AUTO, 2, 29, "expected ')' after the size (a cut");
	expect_error("tracealloc(0xc000010000, 0x20)\n"
		     "tracealloc(0xc000010000, 0x20, main.",
		     HG_FMT_AUTO, 2, 32, "expected a type and ')'");
	expect_error("tracefree(0xc000010000, 0x20, main.T)\n", HG_FMT_AUTO, 1,
		     29, "tracefree: expected ')'");
	expect_error("tracealloc(0xc000010000, 0xzz)\n", HG_FMT_AUTO, 1, 26,
		     "tracealloc: bad size");
	expect_error("tracealloc(0xc000010000, 0x20) x\n", HG_FMT_AUTO, 1, 31,
		     "unexpected text after ')'");
	expect_error("tracealloc(0xc000010000, 0x0)\n", HG_FMT_AUTO, 1, 12,
		     "size 0");
	expect_error("tracealloc(0x0, 0x10)\n", HG_FMT_AUTO, 1, 12,
		     "address 0");
	expect_error("tracealloc(0x10000000000000000, 0x10)\n", HG_FMT_AUTO, 1,
		     12, "bad address");
	expect_error("tracealloc(0x1, 0x10)\ntracegc(\n", HG_FMT_AUTO, 2, 9,
		     "expected 'tracegc()'");
	/* Tracebacks: fp and sp as the runtime prints them. */
	expect_error("tracealloc(0x1, 0x10)\ngoroutine 1 [running]:\nf(...)\n"
		     "\tfp=0xc0000 sp=0xz\n",
		     HG_FMT_AUTO, 4, 16, "traceback: bad sp");
	expect_error("tracealloc(0x1, 0x10)\ngoroutine 1 [running]:\nf(...)\n"
		     "\tfp=0xc0000\n",
		     HG_FMT_AUTO, 4, 12, "expected ' sp=0x' after fp (a cut");
	expect_error("tracealloc(0x1, 0x10)\ngoroutine 1 [running]:\nf(...)\n"
		     "\tfp=0xz sp=0x10\n",
		     HG_FMT_AUTO, 4, 5, "traceback: bad fp");
	expect_error("tracealloc(0x1, 0x10)\ngoroutine 1 [running]:\nf(...)\n"
		     "\tx.go:1 fp=0x10 sp=0x20 pc=0x1\n",
		     HG_FMT_AUTO, 4, 9, "sp 0x20 above fp 0x10");
	expect_error("tracealloc(0x1, 0x10)\ngoroutine 1 [running]:\nf(...)\n"
		     "\tfp=0x1000 sp=0x900\nruntime.goexit(...)\n"
		     "\tfp=0x7e8 sp=0x7e0\ntracegc()\n",
		     HG_FMT_AUTO, 2, 1, "first frame's sp is above");
	expect_error("tracealloc(0x1, 0x10)\ngoroutine 1 [running]:\nf(...)\n"
		     "\tfp=0x10 sp=0x8\nruntime.goexit(...)\n"
		     "\tfp=0x7fffffffffe8 sp=0x7fffffffffe0\n",
		     HG_FMT_AUTO, 2, 1, "a stack of more than 1 GiB");
	{
		/* copied 20 times without a cycle: doubled past 1 GiB */
		char text[4096];
		size_t n = 0;

		for (unsigned k = 0; k <= 20; k++) {
			uint64_t top = (uint64_t)(k + 1) << 32;

			n += (size_t)snprintf(
				text + n, sizeof(text) - n,
				"tracealloc(0x1, 0x10)\ngoroutine 1 "
				"[running]:\n"
				"f(...)\n\tfp=0x%" PRIx64 " sp=0x%" PRIx64 "\n"
				"runtime.goexit(...)\n\tfp=0x%" PRIx64
				" sp=0x%" PRIx64 "\n",
				top - 0x100, top - 0x180, top - 0x18,
				top - 0x20);
		}
		expect_error(text, HG_FMT_AUTO, 6 * 20 + 2, 1,
			     "a stack of more than 1 GiB");
	}
	expect_error(
		"tracealloc(0x1, 0x10)\ngoroutine 99999999999999999999 [x]:\n",
		HG_FMT_AUTO, 2, 11, "goroutine: id out of range");
	{
		/* A label is text: control characters become spaces, bytes
		 * that are not UTF-8 '?'. */
		static const char odd[] = "MARK a\tb\0c\r\xb9\xc3\xa9 \r\n"
					  "tracegc()\n";
		struct result res;

		read_as(&res, odd, sizeof(odd) - 1, HG_FMT_AUTO);
		assert_int_equal(res.rc, 0);
		assert_int_equal(res.n, 3); /* mark, wbufalloc, gc */
		assert_string_equal(res.ops[0].text, "a b c ?\xc3\xa9");
	}
	/* A corrupt gzip stream is an error with the line it reached. */
	{
		unsigned char gz[256];
		uLongf n = sizeof(gz) - 18;
		z_stream zs;
		struct result res;
		const char *txt = "tracealloc(0xc000010000, 0x20)\n"
				  "tracealloc(0xc000010020, 0x20)\n";

		memset(&zs, 0, sizeof(zs));
		assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8,
					      Z_DEFAULT_STRATEGY),
				 Z_OK);
		zs.next_in = (unsigned char *)(uintptr_t)txt;
		zs.avail_in = (uInt)strlen(txt);
		zs.next_out = gz;
		zs.avail_out = (uInt)n;
		assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
		n = zs.total_out;
		deflateEnd(&zs);
		read_as(&res, (const char *)gz, n, HG_FMT_AUTO);
		assert_int_equal(res.rc, 0);
		assert_int_equal(res.n, 2);
		/* Truncated: the end of the compressed data is missing. */
		read_as(&res, (const char *)gz, n - 6, HG_FMT_AUTO);
		assert_true(res.rc < 0);
		assert_non_null(strstr(res.d.msg, "truncated"));
	}
}

/* ------------------------------------------------------------------ */
/* mtrace                                                              */
/* ------------------------------------------------------------------ */

static const char mtrace_log[] =
	"= Start\n"
	"@ ./prog:[0x113e] + 0x5645a0 0x200\n"
	"@ /lib/x86_64-linux-gnu/libc.so.6:(_IO_file_doallocate+8c)[0x758cc] "
	"+ 0x5645b0 0x1000\n"
	"@ /opt/my dir/lib.so:[0x10] < 0x5645a0\n"
	"@ /opt/my dir/lib.so:[0x10] > 0x5646c0 0x400\n"
	"@ [0x7f0011223344] - 0x5645b0\n"
	"+ (nil) 0x40\n"
	"+ 0x5647d0 0\n"
	"- 0x5647d0\n"
	"@ ./prog:[0x1150] ! 0x5646c0 0x100000000\n"
	"< 0x5646c0\n"
	"> 0x5646c0 0x800\n"
	"- 0x999\n"
	"= End\n";

static void test_mtrace_ops(void **state)
{
	struct result res;

	(void)state;
	read_text(&res, mtrace_log);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.format, HG_FMT_MTRACE);
	assert_int_equal(res.n, 7);
	check_new(&res.ops[0], "0x5645a0", 0x200, false, 2);
	assert_int_equal(res.ops[0].col, 19);
	check_new(&res.ops[1], "0x5645b0", 0x1000, false, 3);
	/* realloc: the old block dies, the new one is born. */
	check_del(&res.ops[2], "0x5645a0", 4);
	assert_int_equal(res.ops[2].col, 29);
	check_new(&res.ops[3], "0x5646c0", 0x400, false, 5);
	check_del(&res.ops[4], "0x5645b0", 6);
	/* (nil), malloc(0) and its free, '!': nothing. In place: del, new. */
	check_del(&res.ops[5], "0x5646c0", 11);
	check_new(&res.ops[6], "0x5646c0", 0x800, false, 12);
	assert_int_equal(res.nwarn, 1);
	assert_int_equal(res.warn.line, 13);
	assert_int_equal(res.warn.col, 1);
	assert_null(strstr(res.warn.msg, "such records"));
}

/* A C program has no GC: one runs where Go's pacer would start it. */
/* The importer writes no gc event of its own: the replay's pacer (config
 * key gc, paced for a trace without gc events) starts the cycles. */
static void test_mtrace_no_gc(void **state)
{
	struct result res;

	(void)state;
	read_text(&res, "= Start\n"
			"+ 0x100000 0x300000\n"
			"+ 0x400000 0x100000\n"
			"- 0x100000\n"
			"+ 0x800000 0x300000\n"
			"< 0x800000\n"
			"> 0xc00000 0x100000\n"
			"+ 0xd00000 0x200000\n"
			"+ 0xf00000 0x300000\n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 8);
	check_new(&res.ops[0], "0x100000", 0x300000, false, 2);
	check_new(&res.ops[1], "0x400000", 0x100000, false, 3);
	check_del(&res.ops[2], "0x100000", 4);
	check_new(&res.ops[3], "0x800000", 0x300000, false, 5);
	check_del(&res.ops[4], "0x800000", 6);
	check_new(&res.ops[5], "0xc00000", 0x100000, false, 7);
	check_new(&res.ops[6], "0xd00000", 0x200000, false, 8);
	check_new(&res.ops[7], "0xf00000", 0x300000, false, 9);
	assert_int_equal(res.count[HG_OP_GC], 0);
}

static void test_mtrace_errors(void **state)
{
	(void)state;
	expect_error("= Start\n@ ./p:[0x1] + 0x10 0x20\n@ ./p:[0x1] + 0x5",
		     HG_FMT_AUTO, 3, 1, "not an mtrace record");
	expect_error("= Start\n@ ./p:[0x1] + 0x10 2x\n", HG_FMT_AUTO, 2, 20,
		     "bad size");
	expect_error("= Start\n@ ./p:[0x1] + 0x1g 0x2\n", HG_FMT_AUTO, 2, 15,
		     "bad address");
	expect_error("= Start\nhello world\n", HG_FMT_AUTO, 2, 1,
		     "not an mtrace record: 'hello world'");
	expect_error("= Start\n@ + 0x10 0x20\n", HG_FMT_AUTO, 2, 1,
		     "not an mtrace record");
	expect_error("= Start\n> 0x10 0x20\n", HG_FMT_AUTO, 2, 1,
		     "'>' without its '<'");
	expect_error("= Start\n< 0x10\n+ 0x20 0x10\n", HG_FMT_AUTO, 3, 1,
		     "'<' on line 2 is not followed");
	/* A log cut after a realloc's '<' just ends there. */
	{
		struct result res;

		read_text(&res, "= Start\n+ 0x10 0x20\n< 0x10");
		assert_int_equal(res.rc, 0);
		assert_int_equal(res.n, 2);
		check_del(&res.ops[1], "0x10", 3);
	}
}

/* The fields as the fast paths read them: hex digits of either case, 16
 * at most; ids printed in lower case without leading zeros (the same
 * object however its address was written); a free's caller read only as
 * far as the op test needs, whatever its length. */
static void test_mtrace_fields(void **state)
{
	struct result res;
	char line[600];

	(void)state;
	read_text(&res, "= Start\n"
			"@ ./p:[0x1] + 0xFFFFFFFFFFFFFFFF 0xAbC\n"
			"@ ./p:[0x1] + 0x00000000000000c0\t0x10\n"
			"@ ./p:[0x1] - 0x00C0\n"
			"@\t./p:[0x1]\t-\t0xffffffffffffffff\n"
			"@ x - 0x5\n"
			"@ ./a b c:[0x2] + 0x9 0x1\n"
			"@ q ! 0x9 0x10\n"
			"  - 0x9  \n");
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 6);
	check_new(&res.ops[0], "0xffffffffffffffff", 0xabc, false, 2);
	check_new(&res.ops[1], "0xc0", 0x10, false, 3);
	check_del(&res.ops[2], "0xc0", 4);
	check_del(&res.ops[3], "0xffffffffffffffff", 5);
	check_new(&res.ops[4], "0x9", 1, false, 7);
	check_del(&res.ops[5], "0x9", 9);
	assert_int_equal(res.nwarn, 1); /* 0x5 was never allocated */
	assert_int_equal(res.warn.line, 6);

	/* 17 digits, none, a missing 0x */
	expect_error("= Start\n+ 0x10000000000000000 0x1\n", HG_FMT_AUTO, 2, 3,
		     "bad address");
	expect_error("= Start\n+ 0x 0x1\n", HG_FMT_AUTO, 2, 3, "bad address");
	expect_error("= Start\n+ 10 0x1\n", HG_FMT_AUTO, 2, 3, "bad address");
	expect_error("= Start\n+ 0x10 0x10000000000000000\n", HG_FMT_AUTO, 2, 8,
		     "bad size");
	expect_error("= Start\n+ 0x10 0X1\n", HG_FMT_AUTO, 2, 8, "bad size");
	/* A caller path ending in a one-character token that is an
	 * allocation's op: the line is that allocation, and its address
	 * (the '-') is bad. */
	expect_error("= Start\n@ ./a + - 0x10\n", HG_FMT_AUTO, 2, 9,
		     "bad address");
	/* A long caller before a free. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "= Start\n+ 0x20 0x8\n@ /", 22);
	snprintf(line + 500, sizeof(line) - 500, ":[0x3] - 0x20\n");
	read_text(&res, line);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n, 2);
	check_del(&res.ops[1], "0x20", 3);
	assert_int_equal(res.ops[1].col, 489);
}

/* The fast path of glibc's own lines against the full parse, on lines
 * made of mtrace's pieces in random order and spacing, and on lines as
 * glibc writes them with one byte changed. */
static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 33;
}

static void test_mtrace_fast_path(void **state)
{
	static const char *const piece[] = {
		"@",           " ",
		"\t",          "  ",
		"+",           "-",
		"<",           ">",
		"!",           "=",
		"0x",          "0",
		"x",           "1f",
		"FFFF",        "0123456789abcdef",
		"a",           "(nil)",
		"./p:[0x1]",   "/a b:(f+8c)[0x7]",
		"00x1",        "ffffffffffffffff",
		"g",           "",
		" 0x1f",       " 0xffffffffffffffff",
		"+ 0x10 0x20", "- 0x10",
		" - ",         " + ",
		"@ "
	};
	static const char ops[] = "+-<>!";
	uint64_t x = 42, fast = 0, rnd_fast = 0;
	char line[256];

	(void)state;
	for (int k = 0; k < 200000; k++) {
		size_t n = 0, np = 1 + lcg(&x) % 10;
		int rc;

		for (size_t i = 0; i < np; i++) {
			const char *p = piece[lcg(&x) % (sizeof(piece) /
							 sizeof(piece[0]))];
			size_t len = *p ? strlen(p) : 1; /* "": a NUL */

			if (n + len > sizeof(line))
				break;
			memcpy(line + n, p, len);
			n += len;
		}
		if (!(rc = hg__mtrace_fast_check(line, n)))
			fail_msg("fast path differs on '%.*s'", (int)n, line);
		rnd_fast += rc == 1;
	}
	for (int k = 0; k < 200000; k++) {
		char op = ops[lcg(&x) % 5];
		uint64_t a = lcg(&x) << (lcg(&x) % 40);
		int n, rc;

		if (op == '-' || op == '<')
			n = snprintf(line, sizeof(line), "%s%c 0x%" PRIx64,
				     lcg(&x) % 2 ? "@ ./prog:[0x1150] " : "",
				     op, a);
		else
			n = snprintf(line, sizeof(line),
				     "%s%c 0x%" PRIx64 " 0x%" PRIx64,
				     lcg(&x) % 2 ? "@ ./prog:[0x1150] " : "",
				     op, a, lcg(&x) % 99999);
		assert_true(n > 0 && (size_t)n < sizeof(line));
		if (k % 2) {
			size_t at = lcg(&x) % (size_t)n;

			line[at] = "@ \t+-<>!0xXfg("[lcg(&x) % 15];
		} else if (hg__mtrace_fast_check(line, (size_t)n) != 1) {
			fail_msg("fast path not taken on '%.*s'", n, line);
		}
		if (!(rc = hg__mtrace_fast_check(line, (size_t)n)))
			fail_msg("fast path differs on '%.*s'", n, line);
		fast += rc == 1;
	}
	/* Both kinds of line reach the fast path's every test. */
	print_message("fast path: %" PRIu64 " random lines, %" PRIu64
		      " glibc lines\n",
		      rnd_fast, fast);
	assert_true(rnd_fast > 1000);
	assert_true(fast > 100000 + 10000);
}

/* ------------------------------------------------------------------ */
/* Recognition and --from                                              */
/* ------------------------------------------------------------------ */

static void test_detect(void **state)
{
	struct result res;
	char big[20000];

	(void)state;
	read_text(&res, "heapgrow-trace 1\nn o 16\n");
	assert_int_equal(res.format, HG_FMT_COMPACT);
	read_text(&res, "heapgrow: 1\nevents: []\n");
	assert_int_equal(res.format, HG_FMT_YAML);
	read_text(&res, "MARK start\n");
	assert_int_equal(res.format, HG_FMT_GO_ALLOCFREETRACE);
	read_text(&res, "tracegc()\n");
	assert_int_equal(res.format, HG_FMT_GO_ALLOCFREETRACE);
	read_text(&res, "@ ./x:[0x1] + 0x10 0x20\n");
	assert_int_equal(res.format, HG_FMT_MTRACE);
	read_text(&res, "\n\n= Start\n");
	assert_int_equal(res.format, HG_FMT_MTRACE);
	/* A program's own output before the first record. */
	read_text(&res, "starting 3 workers\nready\n"
			"tracealloc(0xc000010000, 0x20)\n");
	assert_int_equal(res.format, HG_FMT_GO_ALLOCFREETRACE);
	assert_int_equal(res.n, 1);
	/* ... but not past the first 16 KiB, nor indented. */
	memset(big, 'x', sizeof(big));
	big[0] = 'a';
	big[1] = '\n';
	memcpy(big + sizeof(big) - 32, "\ntracealloc(0xc000010000, 0x20)\n",
	       32);
	read_as(&res, big, sizeof(big), HG_FMT_AUTO);
	assert_true(res.rc < 0);
	assert_null(strstr(res.d.msg, "tracealloc:"));
	memcpy(big + 8000, "\ntracealloc(0xc000010000, 0x20)\n", 32);
	read_as(&res, big, sizeof(big), HG_FMT_AUTO);
	assert_int_equal(res.format, HG_FMT_GO_ALLOCFREETRACE);
	read_text(&res, "heapgrow: 1\nevents: []\n"
			"tracealloc(0xc000010000, 0x20)\n");
	assert_int_equal(res.format, HG_FMT_YAML);
	assert_true(res.rc < 0); /* YAML, and bad YAML */
	read_text(&res, "name: x\n  tracealloc(0xc000010000, 0x20)\n");
	assert_true(res.rc < 0);
	assert_null(strstr(res.d.msg, "tracealloc:"));

	/* Forced formats. */
	read_as(&res, "MARK a\n", 7, HG_FMT_MTRACE);
	assert_true(res.rc < 0);
	assert_int_equal(res.d.line, 1);
	assert_non_null(strstr(res.d.msg, "not an mtrace record"));
	/* Only marks (Go 1.23+ ignores allocfreetrace=1), or nothing. */
	read_as(&res, "= Start\n", 8, HG_FMT_GO_ALLOCFREETRACE);
	assert_true(res.rc < 0);
	assert_int_equal(res.d.line, 1);
	assert_non_null(strstr(res.d.msg, "no tracealloc"));
	read_text(&res, "MARK a\nMARK b\n");
	assert_int_equal(res.format, HG_FMT_GO_ALLOCFREETRACE);
	assert_int_equal(res.n, 2);
	assert_true(res.rc < 0);
	assert_int_equal(res.d.line, 2);
	assert_non_null(strstr(res.d.msg, "Go 1.22 or older"));
	read_as(&res, "heapgrow: 1\n", 12, HG_FMT_COMPACT);
	assert_true(res.rc < 0);
	assert_non_null(strstr(res.d.msg, "not a compact trace"));
	read_as(&res, "x", 1, 99);
	assert_true(res.rc < 0);

	assert_int_equal(hg_trace_format_parse("go-allocfreetrace"),
			 HG_FMT_GO_ALLOCFREETRACE);
	assert_int_equal(hg_trace_format_parse("mtrace"), HG_FMT_MTRACE);
	assert_int_equal(hg_trace_format_parse("yaml"), HG_FMT_YAML);
	assert_int_equal(hg_trace_format_parse("compact"), HG_FMT_COMPACT);
	assert_int_equal(hg_trace_format_parse("go-trace"), HG_FMT_GOTRACE);
	assert_int_equal(hg_trace_format_parse("gotrace"), -1);
	assert_string_equal(hg_trace_format_name(HG_FMT_MTRACE), "mtrace");
}

/* A log read from a pipe while the program still runs: recognised by its
 * first line, without waiting for more. */
static void test_detect_pipe(void **state)
{
	static const char *const first[] = {
		"tracealloc(0xc000010000, 0x20)\n",
		"= Start\n",
	};
	static const enum hg_trace_format want[] = { HG_FMT_GO_ALLOCFREETRACE,
						     HG_FMT_MTRACE };

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		struct hg_trace_reader *r;
		struct hg_diag d;
		struct hg_op op;
		unsigned line, col;
		int fds[2];
		ssize_t n;

		assert_int_equal(pipe(fds), 0);
		n = write(fds[1], first[k], strlen(first[k]));
		assert_int_equal(n, (ssize_t)strlen(first[k]));
		alarm(20); /* a reader that waits for more would hang here */
		assert_int_equal(hg_trace_open_fd(&r, fds[0], "pipe", &d), 0);
		assert_int_equal(hg_trace_info(r)->format, want[k]);
		alarm(0);
		close(fds[1]);
		assert_int_equal(hg_trace_next(r, &op, &line, &col, &d),
				 k == 0 ? 1 : 0);
		hg_trace_close(r);
		close(fds[0]);
	}
}

/* ------------------------------------------------------------------ */
/* The recorded logs                                                   */
/* ------------------------------------------------------------------ */

static void read_file(struct result *res, const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/%s", HG_SOURCE_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	read_as(res, buf, (size_t)n, HG_FMT_AUTO);
	free(buf);
}

static void test_recorded(void **state)
{
	struct result *res = malloc(sizeof(*res));

	(void)state;
	assert_non_null(res);
	/* 129,373 tracealloc, 83,599 tracefree of which 3 of objects
	 * allocated before the trace was on, 8 tracegc, 4 MARK lines. */
	read_file(res, "c_grow_slice_map.events.txt.gz");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->format, HG_FMT_GO_ALLOCFREETRACE);
	assert_int_equal(res->count[HG_OP_NEW], 129373);
	assert_int_equal(res->count[HG_OP_DEL], 83596);
	/* tracefree is the sweeper's: every del is swept. */
	assert_int_equal(res->swept, 83596);
	assert_int_equal(res->count[HG_OP_GC], 8);
	/* one work-buffer span, at the first of the 8 cycles */
	assert_int_equal(res->count[HG_OP_WBUFALLOC], 1);
	assert_int_equal(res->count[HG_OP_MARK], 4);
	/* No type (126,316), uint8 (22) and runtime.gcBgMarkWorkerNode
	 * (2), and 23 of named types that start in pages known to hold
	 * noscan objects of their size. */
	assert_int_equal(res->noscan, 126340 + 23);
	/* The main goroutine's stack grows once, at its first sudog. */
	assert_int_equal(res->count[HG_OP_STACKFREE], 1);
	assert_int_equal(res->nwarn, 3);
	assert_int_equal(res->warn.line, 126);
	check_new(&res->ops[0], "0xc000016010", 0x10, false, 1);
	assert_string_equal(res->ops[0].text, "");

	/* 221 '+', 210 '-', one realloc; 3 frees of blocks from before
	 * mtrace() (the first on line 429). */
	read_file(res, "sort.mtrace.gz");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->format, HG_FMT_MTRACE);
	assert_int_equal(res->count[HG_OP_NEW], 222);
	assert_int_equal(res->count[HG_OP_DEL], 208);
	assert_int_equal(res->swept, 0); /* a C free is not a sweep */
	/* No gc of the importer's own: the replay paces them. */
	assert_int_equal(res->count[HG_OP_GC], 0);
	assert_int_equal(res->nwarn, 3);
	assert_int_equal(res->warn.line, 429);
	check_new(&res->ops[0], "0x55deed71aa50", 5, false, 2);
	check_del(&res->ops[1], "0x55deed71aa50", 3);

	/* 2,407 '+', 676 '-', 3 reallocs; 2 frees from __libc_freeres. */
	read_file(res, "as.mtrace.gz");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->count[HG_OP_NEW], 2410);
	assert_int_equal(res->count[HG_OP_DEL], 677);
	assert_int_equal(res->count[HG_OP_GC], 0);
	assert_int_equal(res->nwarn, 2);
	assert_int_equal(res->warn.line, 3087);
	free(res);
}

/* ------------------------------------------------------------------ */
/* Round trip: imported, written as a heapgrow trace, read back        */
/* ------------------------------------------------------------------ */

static bool same_op(const struct hg_op *a, const struct hg_op *b)
{
	return a->kind == b->kind && !a->id == !b->id &&
	       (!a->id || strcmp(a->id, b->id) == 0) && a->size == b->size &&
	       a->addr == b->addr && a->has_addr == b->has_addr &&
	       a->noscan == b->noscan && !a->text == !b->text &&
	       (!a->text || strcmp(a->text, b->text) == 0);
}

static void roundtrip(const char *name, enum hg_trace_format fmt, bool gz)
{
	char path[512];
	struct hg_trace_reader *in, *back;
	struct hg_trace_writer *w;
	struct hg_diag d;
	struct hg_op op, op2;
	unsigned line, col;
	uint64_t n = 0;
	FILE *f = tmpfile();
	int rc, rc2;

	assert_non_null(f);
	snprintf(path, sizeof(path), "%s/tests/data/%s", HG_SOURCE_DIR, name);
	assert_int_equal(hg_trace_open(&in, path, &d), 0);
	assert_int_equal(
		hg_trace_writer_open(&w, f, fmt, gz, hg_trace_info(in), &d), 0);
	while ((rc = hg_trace_next(in, &op, &line, &col, &d)) > 0)
		assert_int_equal(hg_trace_write(w, &op), 0);
	assert_int_equal(rc, 0);
	assert_int_equal(hg_trace_writer_close(w), 0);
	hg_trace_close(in);

	rewind(f);
	assert_int_equal(hg_trace_open(&in, path, &d), 0);
	assert_int_equal(hg_trace_open_fd(&back, fileno(f), "back", &d), 0);
	assert_int_equal(hg_trace_info(back)->format, fmt);
	for (;;) {
		struct hg_op keep;
		char id[64] = "", text[256] = "";

		rc = hg_trace_next(in, &op, &line, &col, &d);
		if (rc > 0) {
			/* Borrowed strings: keep copies past the other read. */
			keep = op;
			if (op.id)
				snprintf(id, sizeof(id), "%s", op.id);
			if (op.text)
				snprintf(text, sizeof(text), "%s", op.text);
			keep.id = op.id ? id : NULL;
			keep.text = op.text ? text : NULL;
		}
		rc2 = hg_trace_next(back, &op2, &line, &col, &d);
		assert_int_equal(rc, rc2);
		if (rc <= 0)
			break;
		if (!same_op(&keep, &op2))
			fail_msg("%s: op %" PRIu64
				 " differs after the round trip",
				 name, n);
		n++;
	}
	assert_int_equal(rc, 0);
	assert_true(n > 400);
	hg_trace_close(in);
	hg_trace_close(back);
	fclose(f);
}

static void test_roundtrip(void **state)
{
	(void)state;
	roundtrip("c_grow_slice_map.events.txt.gz", HG_FMT_COMPACT, true);
	roundtrip("sort.mtrace.gz", HG_FMT_COMPACT, false);
	roundtrip("sort.mtrace.gz", HG_FMT_YAML, false);
	roundtrip("as.mtrace.gz", HG_FMT_YAML, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_afl_ops),
		cmocka_unit_test(test_afl_tracebacks),
		cmocka_unit_test(test_afl_fresh_stacks),
		cmocka_unit_test(test_afl_moved_least),
		cmocka_unit_test(test_afl_main_grown_then_tracebacks),
		cmocka_unit_test(test_afl_mark_readmemstats),
		cmocka_unit_test(test_afl_procs),
		cmocka_unit_test(test_afl_goid_batches),
		cmocka_unit_test(test_afl_mcache_room),
		cmocka_unit_test(test_afl_free_os),
		cmocka_unit_test(test_afl_scavenger_run),
		cmocka_unit_test(test_afl_long_lines),
		cmocka_unit_test(test_afl_env),
		cmocka_unit_test(test_afl_noscan_pages),
		cmocka_unit_test(test_afl_main_stack),
		cmocka_unit_test(test_afl_reuse_and_unknown_free),
		cmocka_unit_test(test_afl_errors),
		cmocka_unit_test(test_mtrace_ops),
		cmocka_unit_test(test_mtrace_no_gc),
		cmocka_unit_test(test_mtrace_errors),
		cmocka_unit_test(test_mtrace_fields),
		cmocka_unit_test(test_mtrace_fast_path),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_detect_pipe),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
