/*
 * test_gotrace.c - the go-trace importer (traces/import_gotrace.c): a Go
 * execution trace recorded from tests/data/gotrace/objects.go checked
 * against what the program printed, and hand-built traces of the three
 * wire formats (go 1.23, 1.25, 1.26) checked op by op, truncated and
 * corrupted.
 */
#include "reader_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Decoding a whole trace                                              */
/* ------------------------------------------------------------------ */

struct ops {
	struct rec *v;
	size_t n, cap;
	int rc; /* 0, or the error */
	struct hg_diag d;
	uint64_t nwarn; /* records skipped or repaired */
	struct hg_diag warn;
	char padding[160];  /* the trace's heap_padding setting, "" if none */
	char base[160];     /* the trace's heap_base setting, "" if none */
	char platform[160]; /* the trace's platform setting, "" if none */
	bool gc_trace;      /* the trace's gc setting is trace */
	bool scav_trace;    /* and its scavenger_pace */
};

static void ops_add(struct ops *o, const struct hg_op *op, unsigned line,
		    unsigned col)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 256;
		o->v = realloc(o->v, o->cap * sizeof(*o->v));
		assert_non_null(o->v);
	}
	rec_set(&o->v[o->n++], op, line, col);
}

/* decode reads every op of a trace in memory (or of path). */
static void decode(struct ops *o, const void *data, size_t len,
		   const char *path)
{
	struct hg_trace_reader *r;
	struct hg_op op;
	unsigned line, col;
	int rc;

	memset(o, 0, sizeof(*o));
	if (path)
		rc = hg_trace_open(&r, path, &o->d);
	else
		rc = hg_trace_open_mem(&r, data, len, "t.trace", &o->d);
	if (rc < 0) {
		o->rc = rc;
		return;
	}
	assert_int_equal(hg_trace_info(r)->format, HG_FMT_GOTRACE);
	for (size_t i = 0; i < hg_trace_info(r)->nconfig; i++) {
		const struct hg_setting *e = &hg_trace_info(r)->config[i];

		/* The trace has its GC cycles: the replay paces none. */
		if (strcmp(e->key, "gc") == 0) {
			assert_string_equal(e->value, "trace");
			o->gc_trace = true;
			continue;
		}
		/* Its marks are where the program read MemStats. */
		if (strcmp(e->key, "mark_readmemstats") == 0) {
			assert_string_equal(e->value, "true");
			continue;
		}
		/* The scavenger runs when its goroutine did (bgscav). */
		if (strcmp(e->key, "scavenger_pace") == 0) {
			assert_string_equal(e->value, "trace");
			o->scav_trace = true;
			continue;
		}
		if (strcmp(e->key, "heap_base") == 0) {
			snprintf(o->base, sizeof(o->base), "%s", e->value);
			continue;
		}
		if (strcmp(e->key, "platform") == 0) {
			snprintf(o->platform, sizeof(o->platform), "%s",
				 e->value);
			continue;
		}
		assert_string_equal(e->key, "heap_padding");
		snprintf(o->padding, sizeof(o->padding), "%s", e->value);
	}
	assert_true(o->gc_trace);
	assert_true(o->scav_trace);
	while ((rc = hg_trace_next(r, &op, &line, &col, &o->d)) > 0)
		ops_add(o, &op, line, col);
	o->rc = rc;
	o->nwarn = hg_trace_warning(r, &o->warn);
	hg_trace_close(r);
}

static void ops_free(struct ops *o)
{
	free(o->v);
	o->v = NULL;
}

/* ------------------------------------------------------------------ */
/* Building traces                                                     */
/* ------------------------------------------------------------------ */

struct buf {
	unsigned char *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void byte(struct buf *b, unsigned c)
{
	unsigned char x = (unsigned char)c;

	put(b, &x, 1);
}

static void uv(struct buf *b, uint64_t v)
{
	while (v >= 0x80) {
		byte(b, (unsigned)(v & 0x7f) | 0x80);
		v >>= 7;
	}
	byte(b, (unsigned)v);
}

/* ev appends an event: type, then n arguments (the time delta first). */
static void ev(struct buf *b, unsigned type, unsigned n, ...)
{
	va_list ap;
	unsigned i;

	byte(b, type);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		uv(b, va_arg(ap, uint64_t));
	va_end(ap);
}

#define U(x) ((uint64_t)(x))

static void batch(struct buf *out, uint64_t gen, uint64_t m, uint64_t ts,
		  struct buf *data)
{
	byte(out, 1);
	uv(out, gen);
	uv(out, m);
	uv(out, ts);
	uv(out, data->n);
	put(out, data->p, data->n);
	data->n = 0;
}

static void exp_batch(struct buf *out, unsigned exp, uint64_t gen,
		      struct buf *data)
{
	byte(out, 49);
	byte(out, exp);
	uv(out, gen);
	uv(out, 0);
	uv(out, 0);
	uv(out, data->n);
	put(out, data->p, data->n);
	data->n = 0;
}

static void header(struct buf *out, unsigned ver)
{
	char h[17];

	snprintf(h, sizeof(h), "go 1.%u trace", ver);
	put(out, h, 13);
	put(out, "\0\0\0", 3);
}

static void sync_batch(struct buf *out, unsigned ver, uint64_t gen)
{
	struct buf d = { 0 };

	if (ver >= 25)
		byte(&d, 50);
	ev(&d, 8, 1, U(1000000000)); /* 1 GHz: ticks are ns */
	if (ver >= 25)
		ev(&d, 51, 4, U(1), U(2), U(3), U(4));
	batch(out, gen, UINT64_MAX, 100, &d);
	free(d.p);
}

static void string_ev(struct buf *d, uint64_t id, const char *s)
{
	byte(d, 5);
	uv(d, id);
	uv(d, strlen(s));
	put(d, s, strlen(s));
}

#define MIN_ADDR U(0xc000000000)
/* span class (size class << 1 | noscan) as the trace's kind/class */
#define KC(sizeclass, noscan) (U(((sizeclass) << 1 | (noscan)) << 1))

/* info_batch appends the AllocFree info batch: the heap from MIN_ADDR,
 * pages of page bytes, 8-byte minimum objects, 2048 spans a chunk. */
static void info_batch(struct buf *out, struct buf *d, uint64_t page)
{
	byte(d, 1);
	uv(d, MIN_ADDR);
	uv(d, page);
	uv(d, 8);
	uv(d, 2048);
	exp_batch(out, 1, 1, d);
}

/* begin26 starts a go 1.26 trace: its header and 8 KiB pages. */
static void begin26(struct buf *out, struct buf *d)
{
	header(out, 26);
	info_batch(out, d, 8192);
}

/* end_gen1 ends a go 1.26 trace's first generation. */
static void end_gen1(struct buf *out)
{
	sync_batch(out, 26, 1);
	byte(out, 52); /* EndOfGeneration */
}

/* decode_ok decodes b, which has no error, into o. */
static void decode_ok(struct ops *o, const struct buf *b)
{
	decode(o, b->p, b->n, NULL);
	if (o->rc < 0)
		fail_msg("%u: %s", o->d.line, o->d.msg);
}

/* finish26 ends generation 1 of b and decodes it into o. */
static void finish26(struct buf *b, struct ops *o)
{
	end_gen1(b);
	decode_ok(o, b);
}

/* release frees o and the trace's two buffers. */
static void release(struct ops *o, struct buf *b, struct buf *d)
{
	ops_free(o);
	free(b->p);
	free(d->p);
}

/*
 * build writes a two-generation trace in format ver:
 *   gen 1, M 7 (P 0): the snapshot (a span of 48-byte objects with two
 *     objects, a stack of 8K, a dead goroutine's empty stack, the stack
 *     span holding that stack, a stack span holding none), then a tiny
 *     span (class 2, noscan) with two tiny allocations in one block, a
 *     trace.Log, a GC; M 9 (P 1): a large noscan object of 3 pages, a
 *     trace.Log with another category 5 ms later; their events interleave.
 *   gen 2, M 7: the tiny span freed with its object still live, the
 *     stack freed, a free of an object that is not live, a stack, the
 *     lone stack span freed.
 * page is the info batch's page size; bad_type, when not 0, replaces the
 * GCBegin event's type.
 */
static void build(struct buf *out, unsigned ver, uint64_t page,
		  unsigned bad_type)
{
	struct buf d = { 0 };

	out->n = 0;
	header(out, ver);
	/* gen 1 */
	info_batch(out, &d, page);
	byte(&d, 0); /* a types batch: skipped */
	exp_batch(out, 1, 1, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));            /* ProcStatus P0 running */
	ev(&d, 128, 4, U(1), U(2), U(1), KC(5, 0)); /* Span 48 B at page 2 */
	ev(&d, 131, 3, U(1), U(2 * 1024), U(0));    /* HeapObject slot 0 */
	ev(&d, 131, 3, U(1), U(2 * 1024 + 12), U(0));  /* slot 2 */
	ev(&d, 134, 3, U(1), U(100), U(14));           /* 8K stack */
	ev(&d, 134, 3, U(1), U(5), U(0));              /* empty stack */
	ev(&d, 128, 4, U(1), U(24), U(4), U(1));       /* stack span, s64's */
	ev(&d, 128, 4, U(1), U(40), U(4), U(1));       /* a stack span alone */
	ev(&d, 129, 4, U(10), U(4), U(1), KC(2, 1));   /* tiny span, page 4 */
	ev(&d, 132, 3, U(10), U(4 * 1024), U(0));      /* block 0 */
	ev(&d, 132, 3, U(10), U(4 * 1024 + 1), U(0));  /* same block */
	ev(&d, 132, 3, U(100), U(4 * 1024 + 2), U(0)); /* block 1 */
	batch(out, 1, 7, 1000, &d);
	byte(&d, 4); /* strings */
	string_ev(&d, 1, "mark");
	string_ev(&d, 2, "hello\nworld");
	string_ev(&d, 3, "cat");
	string_ev(&d, 4, "caf\xc3\xa9 \xff");
	batch(out, 1, 7, 1000, &d);
	ev(&d, 10, 3, U(50), U(1), U(1));            /* ProcStart P1 at 1050 */
	ev(&d, 129, 4, U(10), U(8), U(3), KC(0, 1)); /* large span page 8 */
	ev(&d, 132, 3, U(1), U(8 * 1024), U(0));     /* its object */
	ev(&d, 44, 5, U(5000000), U(0), U(3), U(4), U(0)); /* Log, 5 ms */
	batch(out, 1, 9, 1000, &d);
	ev(&d, 44, 5, U(10), U(0), U(1), U(2), U(0));          /* Log at 1150 */
	ev(&d, bad_type ? bad_type : 29, 3, U(1), U(1), U(0)); /* GCBegin */
	ev(&d, 30, 2, U(1), U(1));                             /* GCEnd */
	ev(&d, 133, 2, U(1), U(2 * 1024));                     /* free slot 0 */
	batch(out, 1, 7, 1140, &d);
	sync_batch(out, ver, 1);
	if (ver >= 26)
		byte(out, 52); /* EndOfGeneration */
	/* gen 2 */
	sync_batch(out, ver, 2);
	ev(&d, 13, 3, U(0), U(0), U(1));            /* ProcStatus P0 */
	ev(&d, 130, 2, U(10), U(4));                /* SpanFree tiny span */
	ev(&d, 136, 2, U(1), U(100));               /* stack free */
	ev(&d, 133, 2, U(1), U(2 * 1024 + 12 + 6)); /* slot 3: not live */
	ev(&d, 135, 3, U(1), U(200), U(12));        /* 2K stack */
	ev(&d, 130, 2, U(1), U(40)); /* the lone stack span freed */
	batch(out, 2, 7, 20000000, &d);
	if (ver >= 26)
		byte(out, 52);
	free(d.p);
}

/* expect checks op i. */
static void expect(const struct ops *o, size_t i, enum hg_op_kind kind,
		   const char *id, uint64_t size_or_value)
{
	assert_true(i < o->n);
	if (o->v[i].kind != kind)
		fail_msg("op %zu: kind %d, want %d", i, o->v[i].kind, kind);
	if (id)
		assert_string_equal(o->v[i].id, id);
	if (kind == HG_OP_PROC || kind == HG_OP_TIME ||
	    kind == HG_OP_TRACESTART || kind == HG_OP_BGSCAV ||
	    kind == HG_OP_RUNNING)
		assert_int_equal(o->v[i].value, size_or_value);
	else if (kind == HG_OP_NEW || kind == HG_OP_STACKALLOC)
		assert_int_equal(o->v[i].size, size_or_value);
}

static void check_built(const struct ops *o)
{
	size_t i = 0;

	if (o->rc < 0)
		fail_msg("%s: %u: %s", o->d.file, o->d.line, o->d.msg);
	/* The snapshot: no proc, no time. Object ids are the trace's
	 * (address - minPageHeapAddr) / 8, stack ids / 2048, in hex. */
	expect(o, i, HG_OP_NEW, "o800", 48);
	assert_int_equal(o->v[i].addr, MIN_ADDR + 2 * 8192);
	assert_true(o->v[i].has_addr);
	assert_false(o->v[i].noscan);
	i++;
	expect(o, i, HG_OP_NEW, "o80c", 48); /* slot 2 is at +96 */
	assert_int_equal(o->v[i++].addr, MIN_ADDR + 2 * 8192 + 96);
	/* The free pages 3 to 23 before the next span, held in pieces of
	 * at most 15 pages. */
	expect(o, i, HG_OP_ALLOC, "g3", 0);
	assert_false(o->v[i].has_addr);
	assert_int_equal(o->v[i++].size, 15 * 8192);
	expect(o, i, HG_OP_ALLOC, "g12", 0);
	assert_int_equal(o->v[i++].size, 6 * 8192);
	expect(o, i, HG_OP_STACKALLOC, "s64", 8192);
	assert_int_equal(o->v[i++].addr, MIN_ADDR + 100 * 2048);
	expect(o, i, HG_OP_ALLOC, "g1c", 0); /* pages 28 to 39 */
	assert_int_equal(o->v[i++].size, 12 * 8192);
	/* A stack span without a goroutine's stack: a stack of its own. */
	expect(o, i, HG_OP_STACKALLOC, "m28", 32768);
	assert_int_equal(o->v[i++].addr, MIN_ADDR + 40 * 8192);
	/* The holes are free again once the snapshot is out. */
	expect(o, i++, HG_OP_FREE, "g3", 0);
	expect(o, i++, HG_OP_FREE, "g12", 0);
	expect(o, i++, HG_OP_FREE, "g1c", 0);
	/* Then the tracer's start (its own memory). */
	expect(o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	/* Then the events in time order. */
	expect(o, i++, HG_OP_PROC, NULL, 0);
	expect(o, i, HG_OP_NEW, "o1000", 16); /* tiny block 0 at 1025 */
	assert_true(o->v[i].noscan);
	assert_int_equal(o->v[i++].addr, MIN_ADDR + 4 * 8192);
	expect(o, i++, HG_OP_PROC, NULL, 1);
	expect(o, i, HG_OP_NEW, "o2000", 3 * 8192); /* large, M 9 at 1061 */
	assert_true(o->v[i].noscan);
	assert_int_equal(o->v[i++].addr, MIN_ADDR + 8 * 8192);
	expect(o, i++, HG_OP_PROC, NULL, 0);
	expect(o, i, HG_OP_NEW, "o1002", 16); /* block 1 at 1135 */
	assert_int_equal(o->v[i++].addr, MIN_ADDR + 4 * 8192 + 16);
	expect(o, i, HG_OP_MARK, NULL, 0);
	assert_string_equal(o->v[i++].text, "hello world");
	expect(o, i++, HG_OP_GC, NULL, 0);
	/* The sweeper's free: a swept del */
	assert_true(o->v[i].swept);
	expect(o, i++, HG_OP_DEL, "o800", 0);
	/* M 9's log, 5 ms later; the clock starts at the first batch */
	expect(o, i++, HG_OP_TIME, NULL, 5001061 - 1000);
	expect(o, i, HG_OP_MARK, NULL, 0);
	assert_string_equal(o->v[i++].text, "cat: caf\xc3\xa9 ?");
	/* gen 2 at 20 ms: the tiny span freed with its blocks live */
	expect(o, i++, HG_OP_TIME, NULL, 20000010 - 1000);
	assert_true(o->v[i].swept && o->v[i + 1].swept);
	expect(o, i++, HG_OP_DEL, "o1000", 0);
	expect(o, i++, HG_OP_DEL, "o1002", 0);
	expect(o, i++, HG_OP_STACKFREE, "s64", 0);
	expect(o, i, HG_OP_STACKALLOC, "sc8", 2048);
	assert_int_equal(o->v[i++].addr, MIN_ADDR + 200 * 2048);
	expect(o, i++, HG_OP_STACKFREE, "m28", 0);
	assert_int_equal(o->n, i);
	/* The free of a slot that is not live is skipped, and said. */
	assert_int_equal(o->nwarn, 1);
	assert_non_null(strstr(o->warn.msg, "0xc000004090, which is not live"));
	assert_true(o->warn.line > 16);
}

static void test_formats(void **state)
{
	static const unsigned vers[] = { 23, 25, 26 };
	struct buf b = { 0 };
	struct ops o;
	size_t k;

	(void)state;
	for (k = 0; k < 3; k++) {
		build(&b, vers[k], 8192, 0);
		decode(&o, b.p, b.n, NULL);
		check_built(&o);
		/* The lowest span is 2 pages above minPageHeapAddr: in the
		 * go 1.26 format that is the random heap base's padding. */
		assert_string_equal(o.padding, vers[k] >= 26 ? "16384" : "");
		/* At Go's fixed base there is no heap_base to give. */
		assert_string_equal(o.base, "");
		ops_free(&o);
	}
	free(b.p);
}

/* Every prefix of a trace is an input error (format go 1.26, where each
 * generation has an end) or a clean shorter trace (older formats, cut at a
 * batch boundary); never a crash. */
static void test_truncated(void **state)
{
	static const unsigned vers[] = { 23, 25, 26 };
	struct buf b = { 0 };
	struct ops o;
	size_t k, n, clean;

	(void)state;
	for (k = 0; k < 3; k++) {
		build(&b, vers[k], 8192, 0);
		clean = 0;
		for (n = 0; n < b.n; n++) {
			decode(&o, b.p, n, NULL);
			if (n <= 16)
				assert_int_equal(o.rc, HG_EINVAL);
			if (o.rc < 0)
				assert_true(o.d.msg[0] != '\0');
			else
				clean++;
			ops_free(&o);
		}
		/* go 1.26: only the cut right after generation 1's end */
		if (vers[k] == 26)
			assert_int_equal(clean, 1);
	}
	free(b.p);
}

/* Every byte replaced by a few values: an error or a trace, never a
 * crash, and errors say where. */
static void test_corrupted(void **state)
{
	static const unsigned char vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
	struct buf b = { 0 };
	struct ops o;
	size_t n, v;

	(void)state;
	build(&b, 26, 8192, 0);
	for (n = 16; n < b.n; n++) {
		unsigned char was = b.p[n];

		for (v = 0; v < sizeof(vals); v++) {
			b.p[n] = vals[v];
			decode(&o, b.p, b.n, NULL);
			if (o.rc < 0)
				assert_true(o.d.msg[0] != '\0');
			ops_free(&o);
		}
		b.p[n] = was;
	}
	free(b.p);
}

static void expect_error(const struct buf *b, const char *what, unsigned line)
{
	struct ops o;

	decode(&o, b->p, b->n, NULL);
	assert_int_equal(o.rc, HG_EINVAL);
	if (!strstr(o.d.msg, what))
		fail_msg("error '%s' does not say '%s'", o.d.msg, what);
	if (line)
		assert_int_equal(o.d.line, line);
	ops_free(&o);
}

static size_t find_byte_after(const struct buf *b, size_t from, unsigned char c)
{
	while (from < b->n && b->p[from] != c)
		from++;
	return from;
}

static void test_errors(void **state)
{
	struct buf b = { 0 };
	size_t at;

	(void)state;
	build(&b, 26, 4096, 0);
	expect_error(&b, "page size is 4096", 0);

	build(&b, 22, 8192, 0);
	expect_error(&b, "go 1.22 is not supported", 0);

	build(&b, 26, 8192, 60);
	/* The bad event's offset: the byte 60 after the second M 7 batch's
	 * header (the first 60 in the trace after the strings). */
	at = find_byte_after(&b, 16, 60);
	while (at < b.n && !(b.p[at] == 60 && b.p[at + 1] == 1 &&
			     b.p[at + 2] == 1 && b.p[at + 3] == 0))
		at = find_byte_after(&b, at + 1, 60);
	assert_true(at < b.n);
	expect_error(&b, "unknown event type 60", (unsigned)at);

	/* A trace without the AllocFree info batch. */
	b.n = 0;
	header(&b, 26);
	end_gen1(&b);
	expect_error(&b, "GODEBUG=traceallocfree=1", 0);

	/* Not a Go trace header after "go 1.2". */
	b.n = 0;
	put(&b, "go 1.26 trace\0\0x", 16);
	expect_error(&b, "byte 0: bad Go trace header", 0);

	/* A header of a format no importer reads, and one cut short: both
	 * at the file's first byte. */
	b.n = 0;
	put(&b, "go 1.99 trace\0\0\0", 16);
	expect_error(&b, "byte 0: Go trace format go 1.99 is not supported", 0);
	b.n = 0;
	put(&b, "go 1.2", 6);
	expect_error(&b, "byte 0: truncated trace", 0);
	free(b.p);
}

/*
 * M 7 sweeps a span (frees its object, then the span) with timestamps
 * later than M 9's allocation of the same page: coarse clock ticks. The
 * allocation waits for the free; the tiny allocator's second object at a
 * block's first 8 bytes adds nothing; an object with pointers in a 768-byte
 * slot asks for 760 bytes.
 */
static void test_reorder(void **state)
{
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	(void)state;
	begin26(&b, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));             /* 1000 P0 */
	ev(&d, 129, 4, U(1), U(2), U(1), KC(5, 0));  /* 1001 span, page 2 */
	ev(&d, 132, 3, U(1), U(2048), U(0));         /* 1002 its object */
	ev(&d, 129, 4, U(1), U(3), U(1), KC(2, 1));  /* 1003 tiny span */
	ev(&d, 132, 3, U(1), U(3072), U(0));         /* 1004 block 0 */
	ev(&d, 132, 3, U(1), U(3072), U(0));         /* 1005 same block */
	ev(&d, 129, 4, U(1), U(5), U(1), KC(30, 0)); /* 1006 768 B, scan */
	ev(&d, 132, 3, U(1), U(5 * 1024), U(0));     /* 1007 */
	ev(&d, 133, 2, U(5), U(2048));               /* 1012 free */
	ev(&d, 130, 2, U(1), U(2));                  /* 1013 span free */
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(1), U(1));             /* 1000 P1 */
	ev(&d, 129, 4, U(10), U(2), U(1), KC(0, 1)); /* 1010 page 2 again */
	ev(&d, 132, 3, U(1), U(2048), U(0));         /* 1011 large object */
	batch(&b, 1, 9, 1000, &d);
	finish26(&b, &o);
	/* No snapshot: the tracer's start first. */
	expect(&o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	expect(&o, i++, HG_OP_NEW, "o800", 48);
	expect(&o, i++, HG_OP_NEW, "oc00", 16);
	/* 768-byte slots with pointers: 760 bytes and a malloc header */
	expect(&o, i, HG_OP_NEW, "o1400", 760);
	assert_false(o.v[i++].noscan);
	expect(&o, i++, HG_OP_DEL, "o800", 0);
	expect(&o, i++, HG_OP_PROC, NULL, 1);
	expect(&o, i, HG_OP_NEW, "o800", 8192);
	assert_true(o.v[i++].noscan);
	assert_int_equal(o.n, i);
	assert_int_equal(o.nwarn, 0);
	release(&o, &b, &d);
}

/*
 * A stack freed on one M is back in the page heap only by that M's next
 * event: another M's stack traced between the two came first (its pages
 * were taken before its timestamp). A free traced before the world stops
 * is done before it (GCBegin, and the GC op of GCEnd).
 */
static void test_free_late(void **state)
{
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	(void)state;
	begin26(&b, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));          /* 1000 P0 */
	ev(&d, 129, 4, U(10), U(16), U(4), U(1)); /* 1010 stack span */
	ev(&d, 135, 3, U(1), U(64), U(16));       /* 1011 32K stack */
	ev(&d, 136, 2, U(100), U(64));            /* 1111 freed */
	ev(&d, 130, 2, U(1), U(16));              /* 1112 its span */
	ev(&d, 129, 4, U(88), U(32), U(4), U(1)); /* 1200 next event */
	ev(&d, 135, 3, U(1), U(128), U(16));      /* 1201 */
	ev(&d, 136, 2, U(99), U(128));            /* 1300 freed */
	ev(&d, 130, 2, U(1), U(32));              /* 1301 */
	ev(&d, 135, 3, U(3699), U(300), U(12));   /* 5000 2K stack */
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(1), U(1));           /* 1000 P1 */
	ev(&d, 129, 4, U(150), U(24), U(4), U(1)); /* 1150 stack span */
	ev(&d, 135, 3, U(1), U(96), U(16));        /* 1151 32K stack */
	ev(&d, 29, 3, U(849), U(1), U(0));         /* 2000 GCBegin */
	ev(&d, 30, 2, U(100), U(1));               /* 2100 GCEnd */
	batch(&b, 1, 9, 1000, &d);
	finish26(&b, &o);
	/* No snapshot: the tracer's start first. */
	expect(&o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	expect(&o, i++, HG_OP_STACKALLOC, "s40", 32768);
	expect(&o, i++, HG_OP_PROC, NULL, 1);
	expect(&o, i++, HG_OP_STACKALLOC, "s60", 32768); /* before 1111 */
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	expect(&o, i++, HG_OP_STACKFREE, "s40", 0);
	expect(&o, i++, HG_OP_STACKALLOC, "s80", 32768);
	expect(&o, i++, HG_OP_STACKFREE, "s80", 0); /* before the cycle */
	expect(&o, i++, HG_OP_PROC, NULL, 1);
	expect(&o, i++, HG_OP_GC, NULL, 0);
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	expect(&o, i++, HG_OP_STACKALLOC, "s12c", 2048);
	assert_int_equal(o.n, i);
	assert_int_equal(o.nwarn, 0);
	release(&o, &b, &d);
}

/*
 * A sweep's frees of one span count from its M's next event that is not
 * one of that span (Go: sweep traces each dead object, then gives the span
 * its new allocation bits): span A's from span B's free, B's from the
 * M's next stack, so M 9's stack traced between the two comes between.
 */
static void test_sweep_span_late(void **state)
{
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	(void)state;
	begin26(&b, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));            /* 1000 P0 */
	ev(&d, 129, 4, U(1), U(2), U(1), KC(5, 0)); /* 1001 span A, page 2 */
	ev(&d, 132, 3, U(1), U(2048), U(0));        /* 1002 slot 0 */
	ev(&d, 132, 3, U(1), U(2048 + 6), U(0));    /* 1003 slot 1 */
	ev(&d, 129, 4, U(1), U(4), U(1), KC(5, 0)); /* 1004 span B, page 4 */
	ev(&d, 132, 3, U(1), U(4096), U(0));        /* 1005 slot 0 */
	ev(&d, 133, 2, U(95), U(2048));             /* 1100 A's frees */
	ev(&d, 133, 2, U(1), U(2048 + 6));          /* 1101 */
	ev(&d, 133, 2, U(1), U(4096));              /* 1102 B's */
	ev(&d, 135, 3, U(98), U(400), U(12));       /* 1200 2K stack */
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(1), U(1));       /* 1000 P1 */
	ev(&d, 135, 3, U(150), U(300), U(12)); /* 1150 2K stack */
	batch(&b, 1, 9, 1000, &d);
	finish26(&b, &o);
	/* No snapshot: the tracer's start first. */
	expect(&o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	expect(&o, i++, HG_OP_NEW, "o800", 48);
	expect(&o, i++, HG_OP_NEW, "o806", 48);
	expect(&o, i++, HG_OP_NEW, "o1000", 48);
	expect(&o, i++, HG_OP_DEL, "o800", 0); /* at 1102 */
	expect(&o, i++, HG_OP_DEL, "o806", 0);
	expect(&o, i++, HG_OP_PROC, NULL, 1);
	expect(&o, i++, HG_OP_STACKALLOC, "s12c", 2048);
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	expect(&o, i++, HG_OP_DEL, "o1000", 0); /* at 1200 */
	expect(&o, i++, HG_OP_STACKALLOC, "s190", 2048);
	assert_int_equal(o.n, i);
	assert_int_equal(o.nwarn, 0);
	release(&o, &b, &d);
}

/*
 * A stack carved from a stack span its M took just before counts from the
 * span's allocation: another M's span traced between the two came after.
 */
static void test_stack_span_first(void **state)
{
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	(void)state;
	begin26(&b, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));          /* 1000 P0 */
	ev(&d, 129, 4, U(10), U(16), U(4), U(1)); /* 1010 pool span */
	ev(&d, 135, 3, U(90), U(76), U(12));      /* 1100 2K stack in it */
	ev(&d, 129, 4, U(10), U(40), U(4), U(1)); /* 1110 another span */
	ev(&d, 135, 3, U(1), U(200), U(12));      /* 1111 not in it */
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(1), U(1));          /* 1000 P1 */
	ev(&d, 129, 4, U(50), U(24), U(4), U(1)); /* 1050 stack span */
	ev(&d, 135, 3, U(1), U(96), U(16));       /* 1051 32K stack */
	ev(&d, 135, 3, U(59), U(300), U(12));     /* 1110 2K stack */
	batch(&b, 1, 9, 1000, &d);
	finish26(&b, &o);
	/* No snapshot: the tracer's start first. */
	expect(&o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	expect(&o, i++, HG_OP_STACKALLOC, "s4c", 2048); /* at 1010 */
	expect(&o, i++, HG_OP_PROC, NULL, 1);
	expect(&o, i++, HG_OP_STACKALLOC, "s60", 32768);
	expect(&o, i++, HG_OP_STACKALLOC, "s12c", 2048); /* 1110 */
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	/* the span at page 40 is not its stack's: a work buffer, at 1110 */
	expect(&o, i++, HG_OP_WBUFALLOC, NULL, 0);
	expect(&o, i++, HG_OP_STACKALLOC, "sc8", 2048); /* 1111 */
	assert_int_equal(o.n, i);
	assert_int_equal(o.nwarn, 0);
	release(&o, &b, &d);
}

/*
 * Heap spans of the snapshot that hold no object (an mcache's, all free)
 * are held as spans: the first until an object lands in it, the second
 * until the trace frees it.
 */
static void test_held(void **state)
{
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	(void)state;
	begin26(&b, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));             /* P0 */
	ev(&d, 128, 4, U(1), U(7), U(1), KC(5, 0));  /* empty, page 7 */
	ev(&d, 128, 4, U(1), U(3), U(2), KC(0, 1));  /* empty large span */
	ev(&d, 132, 3, U(1), U(7 * 1024 + 6), U(0)); /* slot 1 of page 7 */
	ev(&d, 132, 3, U(1), U(7 * 1024), U(0));     /* slot 0 */
	ev(&d, 130, 2, U(1), U(3));                  /* the large one freed */
	batch(&b, 1, 7, 1000, &d);
	finish26(&b, &o);
	expect(&o, i, HG_OP_ALLOC, "h3", 0); /* address order */
	assert_int_equal(o.v[i].size, 2 * 8192);
	assert_int_equal(o.v[i++].addr, MIN_ADDR + 3 * 8192);
	expect(&o, i, HG_OP_ALLOC, "g5", 0); /* the free pages between */
	assert_int_equal(o.v[i++].size, 2 * 8192);
	expect(&o, i, HG_OP_ALLOC, "h7", 0);
	assert_int_equal(o.v[i++].size, 8192);
	expect(&o, i++, HG_OP_FREE, "g5", 0);
	expect(&o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	expect(&o, i++, HG_OP_FREE, "h7", 0);
	expect(&o, i, HG_OP_NEW, "o1c06", 48);
	assert_int_equal(o.v[i++].addr, MIN_ADDR + 7 * 8192 + 48);
	expect(&o, i++, HG_OP_NEW, "o1c00", 48);
	expect(&o, i++, HG_OP_FREE, "h3", 0);
	assert_int_equal(o.n, i);
	assert_int_equal(o.nwarn, 0);
	release(&o, &b, &d);
}

/* stack_ev appends a stack of nf frames, each frame's function the
 * string funcs[i]. */
static void stack_ev(struct buf *d, uint64_t id, unsigned nf,
		     const uint64_t *funcs)
{
	byte(d, 3);
	uv(d, id);
	uv(d, nf);
	for (unsigned i = 0; i < nf; i++) {
		uv(d, 0x401000 + i); /* pc */
		uv(d, funcs[i]);
		uv(d, 9); /* file */
		uv(d, 10 + i);
	}
}

/* fos_strings appends the names of a FreeOSMemory stack's frames (20 to
 * 23: runtime.GC, freeOSMemory, FreeOSMemory, main.main). */
static void fos_strings(struct buf *d)
{
	string_ev(d, 20, "runtime.GC");
	string_ev(d, 21, "runtime/debug.freeOSMemory");
	string_ev(d, 22, "runtime/debug.FreeOSMemory");
	string_ev(d, 23, "main.main");
}

/* in_malloc_stacks appends the stacks batch (8: stopped in
 * postMallocgcDebug, called by mallocgc; 9: the other way round) and the
 * strings batch naming their frames and the preempted reason (1). */
static void in_malloc_stacks(struct buf *b, struct buf *d)
{
	static const uint64_t in_malloc[] = { 30, 31 };
	static const uint64_t other[] = { 31, 30 };

	byte(d, 2);
	stack_ev(d, 8, 2, in_malloc);
	stack_ev(d, 9, 2, other);
	batch(b, 1, 7, 1000, d);
	byte(d, 4);
	string_ev(d, 30, "runtime.postMallocgcDebug");
	string_ev(d, 31, "runtime.mallocgc");
	string_ev(d, 1, "preempted");
	batch(b, 1, 7, 1000, d);
}

/*
 * debug.FreeOSMemory: a GC whose GCBegin stack holds its frame is
 * followed, once the cycle's sweep is done (the next allocation, mark or
 * cycle), by `scavenge: all`; a runtime.GC is not; a FreeOSMemory cycle
 * that ends the trace still gets it.
 */
static void test_free_os(void **state)
{
	static const uint64_t fos[] = { 20, 21, 22, 23 }; /* GC, freeOSMemory,
							     FreeOSMemory,
							     main.main */
	static const uint64_t gc[] = { 20, 23 };
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	(void)state;
	begin26(&b, &d);
	byte(&d, 2); /* stacks, before the strings they name */
	stack_ev(&d, 5, 4, fos);
	stack_ev(&d, 6, 2, gc);
	batch(&b, 1, 7, 1000, &d);
	byte(&d, 4);
	fos_strings(&d);
	string_ev(&d, 1, "mark");
	string_ev(&d, 2, "freed");
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));             /* P0 */
	ev(&d, 129, 4, U(10), U(8), U(3), KC(0, 1)); /* large span page 8 */
	ev(&d, 132, 3, U(1), U(8 * 1024), U(0));     /* its object */
	ev(&d, 29, 3, U(1), U(1), U(6));             /* runtime.GC */
	ev(&d, 30, 2, U(1), U(1));
	ev(&d, 29, 3, U(1), U(2), U(5)); /* FreeOSMemory's */
	ev(&d, 30, 2, U(1), U(2));
	ev(&d, 133, 2, U(1), U(8 * 1024)); /* the sweep's free */
	ev(&d, 130, 2, U(1), U(8));
	ev(&d, 44, 5, U(10), U(0), U(1), U(2), U(0)); /* the mark */
	ev(&d, 29, 3, U(1), U(3), U(5));              /* another, last */
	ev(&d, 30, 2, U(1), U(3));
	batch(&b, 1, 7, 1000, &d);
	finish26(&b, &o);
	/* No snapshot: the tracer's start first. */
	expect(&o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	expect(&o, i++, HG_OP_NEW, "o2000", 3 * 8192);
	expect(&o, i++, HG_OP_GC, NULL, 0);
	expect(&o, i++, HG_OP_GC, NULL, 0);
	expect(&o, i++, HG_OP_DEL, "o2000", 0);
	expect(&o, i, HG_OP_SCAVENGE, NULL, 0);
	assert_true(o.v[i++].all);
	expect(&o, i, HG_OP_MARK, NULL, 0);
	assert_string_equal(o.v[i++].text, "freed");
	expect(&o, i++, HG_OP_GC, NULL, 0);
	expect(&o, i, HG_OP_SCAVENGE, NULL, 0);
	assert_true(o.v[i++].all);
	assert_int_equal(o.n, i);
	release(&o, &b, &d);
}

/*
 * FreeOSMemory's scavengeAll waits for its own goroutine (G 1, which ran
 * the cycle's GCBegin): another goroutine's allocation after the cycle
 * (G 4 on M 9, a large object) comes before it, G 1's own after it.
 */
static void test_free_os_goroutine(void **state)
{
	static const uint64_t fos[] = { 20, 21, 22, 23 };
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	(void)state;
	begin26(&b, &d);
	byte(&d, 2);
	stack_ev(&d, 5, 4, fos);
	batch(&b, 1, 7, 1000, &d);
	byte(&d, 4);
	fos_strings(&d);
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(0), U(1)); /* P0 */
	ev(&d, 16, 3, U(1), U(1), U(1)); /* GoStart G1 */
	ev(&d, 29, 3, U(1), U(1), U(5)); /* FreeOSMemory's */
	ev(&d, 30, 2, U(1), U(1));
	ev(&d, 129, 4, U(100), U(16), U(1), KC(0, 1)); /* G1's, at 1103 */
	ev(&d, 132, 3, U(1), U(16 * 1024), U(0));
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(1), U(1));             /* P1 */
	ev(&d, 16, 3, U(10), U(4), U(1));            /* GoStart G4 */
	ev(&d, 129, 4, U(40), U(8), U(1), KC(0, 1)); /* G4's, at 1050 */
	ev(&d, 132, 3, U(1), U(8 * 1024), U(0));
	batch(&b, 1, 9, 1000, &d);
	finish26(&b, &o);
	while (i < o.n && o.v[i].kind != HG_OP_GC)
		i++;
	expect(&o, i++, HG_OP_GC, NULL, 0);
	while (i < o.n && o.v[i].kind != HG_OP_NEW) {
		assert_true(o.v[i].kind != HG_OP_SCAVENGE);
		i++;
	}
	expect(&o, i++, HG_OP_NEW, "o2000", 8192);
	while (i < o.n && o.v[i].kind != HG_OP_SCAVENGE) {
		assert_true(o.v[i].kind != HG_OP_NEW);
		i++;
	}
	expect(&o, i, HG_OP_SCAVENGE, NULL, 0);
	assert_true(o.v[i++].all);
	while (i < o.n && o.v[i].kind != HG_OP_NEW)
		i++;
	expect(&o, i++, HG_OP_NEW, "o4000", 8192);
	release(&o, &b, &d);
}

/*
 * The background scavenger's goroutine (G 4): known by the stacks of its
 * blocks (a runtime.bgscavenge frame) before any event of the generation
 * is handled, so its first GoStart, which comes before the first such
 * block, is a run too. bgscav 1 at each GoStart, 0 at a GoStop or a
 * GoBlock for "preempted", 2 at its sleep, 3 at its park, each after the
 * event's own time to the nanosecond (1 GHz: ticks are ns, from the
 * first batch's 1000); another goroutine's start and block give nothing.
 */
static void test_scav_windows(void **state)
{
	static const uint64_t park[] = { 30, 31 }, sleep[] = { 32, 31 };
	static const uint64_t other[] = { 23 };
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	(void)state;
	begin26(&b, &d);
	byte(&d, 2);
	stack_ev(&d, 5, 2, park);
	stack_ev(&d, 6, 2, sleep);
	stack_ev(&d, 7, 1, other);
	batch(&b, 1, 7, 1000, &d);
	byte(&d, 4);
	string_ev(&d, 23, "main.main");
	string_ev(&d, 30, "runtime.(*scavengerState).park");
	string_ev(&d, 31, "runtime.bgscavenge");
	string_ev(&d, 32, "runtime.(*scavengerState).sleep");
	string_ev(&d, 40, "system goroutine wait");
	string_ev(&d, 41, "sleep");
	string_ev(&d, 42, "preempted");
	string_ev(&d, 43, "chan receive");
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));     /* P0 */
	ev(&d, 16, 3, U(10), U(4), U(1));    /* GoStart G4 at 1010 */
	ev(&d, 19, 3, U(1000), U(42), U(0)); /* GoStop preempted, 2010 */
	ev(&d, 16, 3, U(500), U(4), U(2));   /* 2510 */
	ev(&d, 20, 3, U(3), U(42), U(6));    /* suspended, 2513 */
	ev(&d, 16, 3, U(4), U(4), U(3));     /* 2517 */
	ev(&d, 20, 3, U(2000), U(41), U(6)); /* sleep, 4517 */
	ev(&d, 16, 3, U(10), U(9), U(1));    /* G9 runs */
	ev(&d, 20, 3, U(10), U(43), U(7));   /* and blocks */
	ev(&d, 16, 3, U(10), U(4), U(4));    /* 4547 */
	ev(&d, 20, 3, U(1), U(40), U(5));    /* park, 4548 */
	batch(&b, 1, 7, 1000, &d);
	finish26(&b, &o);
	expect(&o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	expect(&o, i++, HG_OP_RUNNING, NULL, 1); /* P0 runs */
	expect(&o, i++, HG_OP_TIME, NULL, 10);
	expect(&o, i++, HG_OP_BGSCAV, NULL, HG_BGSCAV_RUN);
	expect(&o, i++, HG_OP_TIME, NULL, 1010);
	expect(&o, i++, HG_OP_BGSCAV, NULL, HG_BGSCAV_STOP);
	expect(&o, i++, HG_OP_TIME, NULL, 1510);
	expect(&o, i++, HG_OP_BGSCAV, NULL, HG_BGSCAV_RUN);
	expect(&o, i++, HG_OP_TIME, NULL, 1513);
	expect(&o, i++, HG_OP_BGSCAV, NULL, HG_BGSCAV_STOP);
	expect(&o, i++, HG_OP_TIME, NULL, 1517);
	expect(&o, i++, HG_OP_BGSCAV, NULL, HG_BGSCAV_RUN);
	expect(&o, i++, HG_OP_TIME, NULL, 3517);
	expect(&o, i++, HG_OP_BGSCAV, NULL, HG_BGSCAV_SLEEP);
	expect(&o, i++, HG_OP_TIME, NULL, 3547);
	expect(&o, i++, HG_OP_BGSCAV, NULL, HG_BGSCAV_RUN);
	expect(&o, i++, HG_OP_TIME, NULL, 3548);
	expect(&o, i++, HG_OP_BGSCAV, NULL, HG_BGSCAV_PARK);
	assert_int_equal(o.n, i);
	release(&o, &b, &d);
}

/*
 * Two Ps: the snapshot's spans of a 64-page block go out on the P whose
 * page cache it is. Block 0 is used up, blocks 1 and 2 have free pages at
 * their end (the Ps' current page caches, P 0's the lower): block 0 is
 * P 0's too, block 2 P 1's. The free pages at the end of blocks 1 and 2
 * stay in their caches (not held); the holes inside a block are held.
 */
static void test_snapshot_procs(void **state)
{
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	(void)state;
	begin26(&b, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));             /* P0 running */
	ev(&d, 13, 3, U(1), U(1), U(2));             /* P1 idle */
	ev(&d, 128, 4, U(1), U(60), U(1), KC(5, 0)); /* block 0 */
	ev(&d, 131, 3, U(1), U(60 * 1024), U(0));
	ev(&d, 128, 4, U(1), U(63), U(1), KC(3, 0)); /* its last page */
	ev(&d, 131, 3, U(1), U(63 * 1024), U(0));
	ev(&d, 128, 4, U(1), U(64), U(1), KC(5, 0)); /* block 1 */
	ev(&d, 131, 3, U(1), U(64 * 1024), U(0));
	ev(&d, 128, 4, U(1), U(66), U(1), KC(3, 0));
	ev(&d, 131, 3, U(1), U(66 * 1024), U(0));
	ev(&d, 128, 4, U(1), U(128), U(1), KC(5, 0)); /* block 2 */
	ev(&d, 131, 3, U(1), U(128 * 1024), U(0));
	ev(&d, 128, 4, U(1), U(192), U(16), KC(0, 1)); /* large */
	ev(&d, 131, 3, U(1), U(192 * 1024), U(0));
	ev(&d, 132, 3, U(10), U(64 * 1024 + 6), U(0)); /* P0: slot 1 */
	batch(&b, 1, 7, 1000, &d);
	finish26(&b, &o);
	expect(&o, i++, HG_OP_NEW, "of000", 48);
	expect(&o, i, HG_OP_ALLOC, "g3d", 0); /* the hole inside block 0 */
	assert_int_equal(o.v[i++].size, 2 * 8192);
	expect(&o, i++, HG_OP_NEW, "ofc00", 24);
	expect(&o, i++, HG_OP_NEW, "o10000", 48);
	expect(&o, i, HG_OP_ALLOC, "g41", 0);
	assert_int_equal(o.v[i++].size, 8192);
	expect(&o, i++, HG_OP_NEW, "o10800", 24);
	expect(&o, i++, HG_OP_PROC, NULL, 1); /* block 2 */
	expect(&o, i++, HG_OP_NEW, "o20000", 48);
	expect(&o, i, HG_OP_NEW, "o30000", 16 * 8192); /* no page cache */
	assert_int_equal(o.v[i++].addr, MIN_ADDR + 192 * 8192);
	expect(&o, i++, HG_OP_FREE, "g3d", 0);
	expect(&o, i++, HG_OP_FREE, "g41", 0);
	expect(&o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	expect(&o, i++, HG_OP_PROC, NULL, 0); /* the events: M 7 on P 0 */
	expect(&o, i++, HG_OP_NEW, "o10006", 48);
	assert_int_equal(o.n, i);
	assert_int_equal(o.nwarn, 0);
	release(&o, &b, &d);
}

/*
 * A mark is taken at its program's ReadMemStats: M 7 logs it and blocks
 * (the world is the GC's: M 9 ends a cycle), then stops the world to read
 * MemStats; M 9 makes a large object's span before it stops (the
 * object's own event comes after the world starts again); M 7 reads the
 * figures and starts the world (ProcsChange). The cycle comes first, on
 * M 9's P, then the object, handed out with its span (its own event
 * skipped), the mark last.
 */
static void test_mark_stw(void **state)
{
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	(void)state;
	begin26(&b, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));              /* P0 running */
	ev(&d, 44, 5, U(10), U(0), U(1), U(2), U(0)); /* Log at 1010 */
	ev(&d, 20, 3, U(10), U(0), U(0));             /* GoBlock */
	ev(&d, 26, 3, U(1000), U(3), U(0));           /* STWBegin */
	ev(&d, 9, 3, U(80), U(2), U(0));              /* ProcsChange */
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(1), U(1));               /* P1 running */
	ev(&d, 29, 3, U(30), U(1), U(0));              /* GCBegin 1030 */
	ev(&d, 30, 2, U(10), U(1));                    /* GCEnd 1040 */
	ev(&d, 129, 4, U(1010), U(8), U(2), KC(0, 1)); /* span, 2050 */
	ev(&d, 132, 3, U(150), U(8 * 1024), U(0));     /* at 2200 */
	batch(&b, 1, 9, 1000, &d);
	byte(&d, 4);
	string_ev(&d, 1, "mark");
	string_ev(&d, 2, "wave");
	string_ev(&d, 3, "read mem stats");
	batch(&b, 1, 7, 1000, &d);
	finish26(&b, &o);
	/* No snapshot: the tracer's start first. */
	expect(&o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	expect(&o, i++, HG_OP_PROC, NULL, 1);
	expect(&o, i++, HG_OP_GC, NULL, 0);
	expect(&o, i, HG_OP_NEW, "o2000", 2 * 8192);
	assert_int_equal(o.v[i++].addr, MIN_ADDR + 8 * 8192);
	expect(&o, i, HG_OP_MARK, NULL, 0);
	assert_string_equal(o.v[i++].text, "wave");
	assert_int_equal(o.n, i);
	release(&o, &b, &d);
}

/*
 * A batch whose events came quicker than the clock's tick runs ahead of
 * it (each event one tick after the last): M 7's frees carry times after
 * M 9's mark although M 7's next batch, started later, begins before the
 * mark. The frees come before the mark.
 */
static void test_drift(void **state)
{
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i, mark = SIZE_MAX, ndel = 0;

	(void)state;
	begin26(&b, &d);
	byte(&d, 4); /* strings */
	string_ev(&d, 1, "mark");
	string_ev(&d, 2, "end");
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));            /* 1000 P0 */
	ev(&d, 129, 4, U(1), U(2), U(1), KC(5, 0)); /* 1001 span, page 2 */
	ev(&d, 132, 3, U(1), U(2048), U(0));        /* 1002 slot 0 */
	ev(&d, 132, 3, U(1), U(2048 + 6), U(0));    /* 1003 slot 1 */
	ev(&d, 132, 3, U(1), U(2048 + 12), U(0));   /* 1004 slot 2 */
	ev(&d, 133, 2, U(1500), U(2048));           /* 2504: ahead */
	ev(&d, 133, 2, U(1), U(2048 + 6));          /* 2505 */
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 133, 2, U(1), U(2048 + 12)); /* 1501 */
	batch(&b, 1, 7, 1500, &d);
	ev(&d, 13, 3, U(0), U(1), U(1));                /* 1000 P1 */
	ev(&d, 44, 5, U(1000), U(0), U(1), U(2), U(0)); /* 2000 mark */
	batch(&b, 1, 9, 1000, &d);
	finish26(&b, &o);
	for (i = 0; i < o.n; i++) {
		if (o.v[i].kind == HG_OP_MARK)
			mark = i;
		if (o.v[i].kind == HG_OP_DEL) {
			assert_true(mark == SIZE_MAX);
			ndel++;
		}
	}
	assert_int_equal(ndel, 3);
	assert_true(mark != SIZE_MAX);
	assert_int_equal(o.nwarn, 0);
	release(&o, &b, &d);
}

/*
 * A run of events one tick apart (quicker than the clock) that overshoots
 * the start of its M's next batch is moved back by the overshoot, not
 * piled up at that start: M 7's four frees (raw 2004 to 2007, next batch
 * at 2004) come at 2001 to 2004, so the first ones precede M 9's mark at
 * 2003. Each frees the object of a span of its own: a free counts from
 * its M's next event that is not one of the same span, here the next
 * free (2002 to 2005).
 */
static void test_drift_run(void **state)
{
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i, before = 0, ndel = 0;
	bool marked = false;

	(void)state;
	begin26(&b, &d);
	byte(&d, 4); /* strings */
	string_ev(&d, 1, "mark");
	string_ev(&d, 2, "end");
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(0), U(1)); /* 1000 P0 */
	for (i = 0; i < 4; i++) {        /* 1001-1008: spans, pages 2-5 */
		ev(&d, 129, 4, U(1), U(2 + i), U(1), KC(5, 0));
		ev(&d, 132, 3, U(1), U(2048 + 1024 * i), U(0)); /* slot 0 */
	}
	ev(&d, 133, 2, U(996), U(2048)); /* 2004 */
	for (i = 1; i < 4; i++)          /* 2005-2007 */
		ev(&d, 133, 2, U(1), U(2048 + 1024 * i));
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 132, 3, U(1), U(2048 + 6), U(0)); /* 2005 slot 1, page 2 */
	batch(&b, 1, 7, 2004, &d);
	ev(&d, 13, 3, U(0), U(1), U(1));                /* 1000 P1 */
	ev(&d, 44, 5, U(1003), U(0), U(1), U(2), U(0)); /* 2003 mark */
	ev(&d, 132, 3, U(0), U(2048 + 12), U(0)); /* then slot 2: no RMS */
	batch(&b, 1, 9, 1000, &d);
	finish26(&b, &o);
	for (i = 0; i < o.n; i++) {
		if (o.v[i].kind == HG_OP_MARK)
			marked = true;
		if (o.v[i].kind == HG_OP_DEL) {
			ndel++;
			before += !marked;
		}
	}
	assert_true(marked);
	assert_int_equal(ndel, 4);
	assert_true(before >= 2 && before < 4);
	assert_int_equal(o.nwarn, 0);
	release(&o, &b, &d);
}

/*
 * A goroutine preempted in runtime.postMallocgcDebug had its object
 * before the stop: its first allocation when it runs again (here after
 * another M's GC) comes at the stop, on the stop's P; one stopped
 * elsewhere keeps its allocation where it is.
 */
static void test_stop_in_malloc(void **state)
{
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	(void)state;
	begin26(&b, &d);
	in_malloc_stacks(&b, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));   /* 1000 P0 */
	ev(&d, 29, 3, U(30), U(1), U(0));  /* 1030 GCBegin */
	ev(&d, 30, 2, U(10), U(1));        /* 1040 GCEnd */
	ev(&d, 29, 3, U(160), U(2), U(0)); /* 1200 GCBegin */
	ev(&d, 30, 2, U(10), U(2));        /* 1210 GCEnd */
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(1), U(1));            /* 1000 P1 */
	ev(&d, 16, 3, U(1), U(5), U(1));            /* 1001 GoStart g5 */
	ev(&d, 129, 4, U(1), U(2), U(1), KC(5, 0)); /* 1002 span, page 2 */
	ev(&d, 132, 3, U(1), U(2048), U(0));        /* 1003 slot 0 */
	ev(&d, 132, 3, U(1), U(2048 + 6), U(0));    /* 1004 slot 1 */
	ev(&d, 19, 3, U(6), U(1), U(8));            /* 1010 GoStop */
	ev(&d, 11, 1, U(10));                       /* 1020 ProcStop */
	ev(&d, 10, 3, U(80), U(1), U(2));           /* 1100 ProcStart */
	ev(&d, 16, 3, U(1), U(5), U(2));            /* 1101 GoStart g5 */
	ev(&d, 132, 3, U(1), U(2048 + 12), U(0));   /* 1102 slot 2 */
	ev(&d, 132, 3, U(1), U(2048 + 18), U(0));   /* 1103 slot 3 */
	ev(&d, 19, 3, U(7), U(1), U(9));            /* 1110 GoStop */
	ev(&d, 16, 3, U(190), U(5), U(3));          /* 1300 GoStart g5 */
	ev(&d, 132, 3, U(1), U(2048 + 24), U(0));   /* 1301 slot 4 */
	batch(&b, 1, 9, 1000, &d);
	finish26(&b, &o);
	/* No snapshot: the tracer's start first. */
	expect(&o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	expect(&o, i++, HG_OP_PROC, NULL, 1);
	expect(&o, i++, HG_OP_NEW, "o800", 48);
	expect(&o, i++, HG_OP_NEW, "o806", 48);
	expect(&o, i++, HG_OP_NEW, "o80c", 48); /* at 1010, on P1 */
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	expect(&o, i++, HG_OP_GC, NULL, 0);
	expect(&o, i++, HG_OP_PROC, NULL, 1);
	expect(&o, i++, HG_OP_NEW, "o812", 48);
	expect(&o, i++, HG_OP_PROC, NULL, 0);
	expect(&o, i++, HG_OP_GC, NULL, 0); /* 1210: slot 4 after it */
	expect(&o, i++, HG_OP_PROC, NULL, 1);
	expect(&o, i++, HG_OP_NEW, "o818", 48);
	assert_int_equal(o.n, i);
	assert_int_equal(o.nwarn, 0);
	release(&o, &b, &d);
}

/*
 * The goroutine preempted in postMallocgcDebug on M7 (P1) runs again on
 * M9 (P0), M7 going on with another goroutine, after `filler` events of
 * M9 (HeapAlloc metrics, which hand out nothing): its first allocation
 * there is P1's, handed out at the stop, on P1.
 */
static void stop_in_malloc_other_m(unsigned filler)
{
	struct buf b = { 0 }, d = { 0 };
	struct ops o;
	size_t i = 0;

	begin26(&b, &d);
	in_malloc_stacks(&b, &d);
	ev(&d, 13, 3, U(0), U(1), U(1));            /* 1000 P1 */
	ev(&d, 16, 3, U(1), U(5), U(1));            /* 1001 GoStart g5 */
	ev(&d, 129, 4, U(1), U(2), U(1), KC(5, 0)); /* 1002 span, page 2 */
	ev(&d, 132, 3, U(1), U(2048), U(0));        /* 1003 slot 0 */
	ev(&d, 19, 3, U(7), U(1), U(8));            /* 1010 GoStop */
	ev(&d, 16, 3, U(10), U(6), U(1));           /* 1020 GoStart g6 */
	ev(&d, 19, 3, U(80), U(1), U(9));           /* 1100 GoStop */
	batch(&b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(0), U(1)); /* 1000 P0 */
	for (unsigned k = 0; k < filler; k++)
		ev(&d, 37, 2, U(k == 0 ? 12 : 0), U(4096)); /* 1012 */
	ev(&d, 16, 3, U(filler ? 38 : 50), U(5), U(2)); /* 1050 GoStart g5 */
	ev(&d, 132, 3, U(1), U(2048 + 6), U(0));        /* 1051 slot 1 */
	ev(&d, 19, 3, U(9), U(1), U(9));                /* 1060 GoStop */
	batch(&b, 1, 9, 1000, &d);
	finish26(&b, &o);
	expect(&o, i++, HG_OP_TRACESTART, NULL, HG_TRACE_ALLOCFREE);
	expect(&o, i++, HG_OP_PROC, NULL, 1);
	expect(&o, i++, HG_OP_NEW, "o800", 48);
	expect(&o, i++, HG_OP_NEW, "o806", 48); /* at 1010, on P1 */
	assert_int_equal(o.n, i);
	assert_int_equal(o.nwarn, 0);
	release(&o, &b, &d);
}

static void test_stop_in_malloc_other_m(void **state)
{
	(void)state;
	stop_in_malloc_other_m(0);
}

/* The run found 200 events ahead (a recorded go1.26 trace has them up to
 * 215 events past the stop): its allocation still comes at the stop. */
static void test_stop_in_malloc_far(void **state)
{
	(void)state;
	stop_in_malloc_other_m(200);
}

/* ------------------------------------------------------------------ */
/* A recorded trace                                                    */
/* ------------------------------------------------------------------ */

#define MAX_LIVE 65536

/*
 * The platform from the stack frames: a frame whose file is one only a
 * js/wasm (or wasip1/wasm) build has, or a syscall/js function, gives the
 * trace that platform; the same name in a string no frame names, a file
 * that only ends like one (not after a '/'), linux's own files, or signs
 * of two platforms give none.
 */
static void platform_trace(struct buf *b, const char *func, const char *file,
			   const char *func2, const char *file2,
			   const char *loose)
{
	struct buf d = { 0 };

	b->n = 0;
	begin26(b, &d);
	byte(&d, 2); /* stacks: two frames (func 20, file 21; 22, 23) */
	byte(&d, 3);
	uv(&d, 5);
	uv(&d, 2);
	uv(&d, 0x401000);
	uv(&d, 20);
	uv(&d, 21);
	uv(&d, 10);
	uv(&d, 0x401100);
	uv(&d, 22);
	uv(&d, 23);
	uv(&d, 11);
	batch(b, 1, 7, 1000, &d);
	byte(&d, 4);
	string_ev(&d, 20, func);
	string_ev(&d, 21, file);
	string_ev(&d, 22, func2);
	string_ev(&d, 23, file2);
	string_ev(&d, 24, loose);
	string_ev(&d, 1, "mark");
	batch(b, 1, 7, 1000, &d);
	ev(&d, 13, 3, U(0), U(0), U(1));             /* P0 */
	ev(&d, 129, 4, U(10), U(8), U(3), KC(0, 1)); /* large span page 8 */
	ev(&d, 132, 3, U(1), U(8 * 1024), U(0));     /* its object */
	batch(b, 1, 7, 1000, &d);
	end_gen1(b);
	free(d.p);
}

static void expect_platform(const char *func, const char *file,
			    const char *func2, const char *file2,
			    const char *loose, const char *want)
{
	struct buf b = { 0 };
	struct ops o;

	platform_trace(&b, func, file, func2, file2, loose);
	decode_ok(&o, &b);
	if (strcmp(o.platform, want) != 0)
		fail_msg("frames %s %s, %s %s: platform '%s', want '%s'", func,
			 file, func2, file2, o.platform, want);
	ops_free(&o);
	free(b.p);
}

static void test_platform(void **state)
{
	(void)state;
	/* js/wasm: the runtime's js files, by their frames' file. */
	expect_platform("runtime.notetsleepg",
			"/usr/local/go/src/runtime/lock_js.go", "main.main",
			"/src/main.go", "x", "js/wasm");
	expect_platform("runtime.sysAlloc", "runtime/mem_js.go", "main.main",
			"main.go", "x", "js/wasm");
	expect_platform("main.main", "/src/main.go", "runtime.wasmExit",
			"/go/src/runtime/os_js.go", "x", "js/wasm");
	/* A syscall/js function, by its name. */
	expect_platform("syscall/js.Value.Get", "/tmp/somewhere.go",
			"main.main", "/src/main.go", "x", "js/wasm");
	/* wasip1/wasm. */
	expect_platform("runtime.sysAlloc", "/go/src/runtime/mem_wasip1.go",
			"main.main", "/src/main.go", "x", "wasip1/wasm");
	/* Linux's own files: no setting (the default platform). */
	expect_platform("runtime.futexsleep", "/go/src/runtime/os_linux.go",
			"runtime.sysAlloc", "/go/src/runtime/mem_linux.go", "x",
			"");
	/* The name in a string that no frame names: none. */
	expect_platform("main.main", "/src/main.go", "main.f", "/src/f.go",
			"/usr/local/go/src/runtime/lock_js.go", "");
	/* A file that only ends like one, a function that only contains
	 * syscall/js: none. */
	expect_platform("main.main", "/src/xruntime/lock_js.go",
			"main.syscall/js.f", "/src/f.go", "x", "");
	/* Both platforms' signs: none. */
	expect_platform("runtime.sysAlloc", "/go/src/runtime/mem_js.go",
			"runtime.sysAlloc", "/go/src/runtime/mem_wasip1.go",
			"x", "");
}

/* The live ids, to check that the stream is consistent. */
struct live {
	char (*id)[REC_ID_LEN];
	size_t n;
};

static ssize_t live_find(const struct live *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->id[i], id) == 0)
			return (ssize_t)i;
	return -1;
}

static void test_recorded(void **state)
{
	const char *dir = HG_SOURCE_DIR "/tests/data/gotrace/";
	char path[512], line[256];
	uint64_t node = 0, buf = 0, big = 0, stacks[64];
	unsigned numgc = 0, procs = 0, ngc = 0, nstacks = 0, nnew = 0;
	int nholes = 0;
	unsigned ndel = 0, nka = 0, nmark = 0, i;
	const char *want_marks[] = { "start",         "allocated", "goroutines",
				     "phase: logged", "gc 1",      "gc 2" };
	bool node_seen = false, buf_seen = false, big_seen = false;
	char node_id[REC_ID_LEN] = "", buf_id[REC_ID_LEN] = "",
	     big_id[REC_ID_LEN] = "";
	int buf_del_mark = -1, big_del_mark = -1;
	uint64_t last_time = 0, nscav = 0, running = 0, nrunning = 0;
	bool scav_runs = false;
	struct live objs = { 0 }, stk = { 0 }, wbufs = { 0 };
	unsigned nwbuf = 0, ntrace = 0;
	struct ops o;
	FILE *f;
	size_t k;

	(void)state;
	snprintf(path, sizeof(path), "%sobjects.stdout", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "node %llx", &v) == 1)
			node = v;
		else if (sscanf(line, "buf %llx", &v) == 1)
			buf = v;
		else if (sscanf(line, "big %llx", &v) == 1)
			big = v;
		else if (sscanf(line, "stack %llx", &v) == 1 && nstacks < 64)
			stacks[nstacks++] = v;
		else if (sscanf(line, "numgc %llu", &v) == 1)
			numgc = (unsigned)v;
		else if (sscanf(line, "gomaxprocs %llu", &v) == 1)
			procs = (unsigned)v;
	}
	fclose(f);
	assert_true(node && buf && big && numgc && procs);
	assert_int_equal(nstacks, 20);

	snprintf(path, sizeof(path), "%sobjects.trace.gz", dir);
	decode(&o, NULL, 0, path);
	if (o.rc < 0)
		fail_msg("%s:%u: %s", o.d.file, o.d.line, o.d.msg);
	/* A randomised run gives its first chunk as heap_base: a chunk
	 * below the program's objects, in their arena. */
	if ((node >> 32) == 0xc0) {
		assert_string_equal(o.base, "");
	} else {
		unsigned long long base = strtoull(o.base, NULL, 16);

		assert_true(base != 0 && base % (4 << 20) == 0);
		assert_true(base <= node && node - base < (64ull << 20));
	}
	objs.id = calloc(MAX_LIVE, sizeof(*objs.id));
	stk.id = calloc(MAX_LIVE, sizeof(*stk.id));
	wbufs.id = calloc(MAX_LIVE, sizeof(*wbufs.id));
	assert_non_null(wbufs.id);
	assert_non_null(objs.id);
	assert_non_null(stk.id);
	for (k = 0; k < o.n; k++) {
		const struct rec *r = &o.v[k];
		ssize_t at;

		switch (r->kind) {
		case HG_OP_NEW:
			nnew++;
			assert_true(r->has_addr);
			assert_true(live_find(&objs, r->id) < 0);
			assert_true(objs.n < MAX_LIVE);
			snprintf(objs.id[objs.n++], sizeof(*objs.id), "%s",
				 r->id);
			if (r->addr == node) {
				node_seen = true;
				snprintf(node_id, sizeof(node_id), "%s", r->id);
				assert_int_equal(r->size, 48);
				assert_false(r->noscan);
			} else if (r->addr == buf) {
				buf_seen = true;
				snprintf(buf_id, sizeof(buf_id), "%s", r->id);
				assert_int_equal(r->size, 1024);
				assert_true(r->noscan);
			} else if (r->addr == big) {
				big_seen = true;
				snprintf(big_id, sizeof(big_id), "%s", r->id);
				assert_int_equal(r->size, 13 * 8192);
				assert_true(r->noscan);
			}
			break;
		case HG_OP_DEL:
			ndel++;
			at = live_find(&objs, r->id);
			assert_true(at >= 0);
			/* sink[0] stays live; bufs die before "gc 1"
			 * (the sweep after the first GC), big before
			 * "gc 2" */
			assert_string_not_equal(r->id, node_id);
			if (strcmp(r->id, buf_id) == 0)
				buf_del_mark = (int)nmark;
			if (strcmp(r->id, big_id) == 0)
				big_del_mark = (int)nmark;
			memcpy(objs.id[at], objs.id[--objs.n], 32);
			break;
		case HG_OP_STACKALLOC:
			nka++;
			assert_true(r->has_addr);
			assert_true(r->size >= 2048 &&
				    (r->size & (r->size - 1)) == 0);
			assert_true(live_find(&stk, r->id) < 0);
			snprintf(stk.id[stk.n++], sizeof(*stk.id), "%s", r->id);
			for (i = 0; i < nstacks; i++)
				if (stacks[i] >= r->addr &&
				    stacks[i] < r->addr + r->size)
					stacks[i] = 0; /* found its stack */
			break;
		case HG_OP_STACKFREE:
			at = live_find(&stk, r->id);
			assert_true(at >= 0);
			memcpy(stk.id[at], stk.id[--stk.n], 32);
			break;
		case HG_OP_GC:
			ngc++;
			break;
		case HG_OP_ALLOC: /* a hole of the snapshot, a held span */
			assert_true(r->id[0] == 'g' || r->id[0] == 'h');
			nholes += r->id[0] == 'g';
			break;
		case HG_OP_FREE:
			assert_true(r->id[0] == 'g' || r->id[0] == 'h');
			nholes -= r->id[0] == 'g';
			break;
		case HG_OP_WBUFALLOC: /* a GC's work buffers: 32 KiB spans */
			assert_true(r->id[0] == 'w' && r->has_addr);
			assert_int_equal(r->size, 32768);
			assert_true(live_find(&wbufs, r->id) < 0);
			snprintf(wbufs.id[wbufs.n++], sizeof(*wbufs.id), "%s",
				 r->id);
			nwbuf++;
			break;
		case HG_OP_WBUFFREE:
			at = live_find(&wbufs, r->id);
			assert_true(at >= 0);
			memcpy(wbufs.id[at], wbufs.id[--wbufs.n], 32);
			break;
		case HG_OP_PROC:
			assert_true(r->value < procs);
			break;
		case HG_OP_TIME:
			/* every 10 us, and to the ns before a bgscav or
			 * a running */
			assert_true(r->value > last_time);
			assert_true(r->value >= last_time + 10000 ||
				    (k + 1 < o.n &&
				     (o.v[k + 1].kind == HG_OP_BGSCAV ||
				      o.v[k + 1].kind == HG_OP_RUNNING)));
			last_time = r->value;
			break;
		case HG_OP_RUNNING: /* a change, to at most every P */
			assert_true(r->value <= procs);
			assert_true(r->value != running);
			running = r->value;
			nrunning++;
			break;
		case HG_OP_BGSCAV: /* runs, then stops or blocks, in turn */
			assert_true(r->value <= HG_BGSCAV_PARK);
			assert_int_equal(r->value == HG_BGSCAV_RUN, !scav_runs);
			scav_runs = r->value == HG_BGSCAV_RUN;
			nscav += scav_runs;
			break;
		case HG_OP_TRACESTART: /* once, before the first mark */
			assert_int_equal(r->value, HG_TRACE_ALLOCFREE);
			assert_int_equal(nmark, 0);
			ntrace++;
			break;
		case HG_OP_MARK:
			assert_true(nmark < 6);
			assert_string_equal(r->text, want_marks[nmark]);
			nmark++;
			break;
		default:
			fail_msg("unexpected op %d", r->kind);
		}
	}
	assert_int_equal(o.nwarn, 0); /* nothing skipped or repaired */
	assert_true(nscav > 0);       /* the scavenger ran at a cycle's start */
	assert_true(nrunning > 0);    /* the Ps that run, as they change */
	assert_int_equal(ngc, numgc);
	assert_int_equal(nholes, 0); /* every hole freed */
	/* The GC cycles took work-buffer spans. */
	assert_true(nwbuf > 0);
	assert_int_equal(nmark, 6);
	assert_int_equal(ntrace, 1);
	assert_true(node_seen && buf_seen && big_seen);
	assert_int_equal(buf_del_mark, 4);
	assert_int_equal(big_del_mark, 5);
	/* Every goroutine's local variable is on a stack the trace gave. */
	for (i = 0; i < nstacks; i++)
		assert_int_equal(stacks[i], 0);
	/* 2000 nodes, 300 buffers and one large object allocated while
	 * tracing, 1500 nodes, the buffers and the large object freed. */
	assert_true(nnew >= 2301);
	assert_true(ndel >= 1801);
	assert_true(nka >= 20);
	free(objs.id);
	free(stk.id);
	free(wbufs.id);
	ops_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_free_late),
		cmocka_unit_test(test_stack_span_first),
		cmocka_unit_test(test_sweep_span_late),
		cmocka_unit_test(test_stop_in_malloc),
		cmocka_unit_test(test_stop_in_malloc_other_m),
		cmocka_unit_test(test_stop_in_malloc_far),
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_free_os),
		cmocka_unit_test(test_scav_windows),
		cmocka_unit_test(test_free_os_goroutine),
		cmocka_unit_test(test_snapshot_procs),
		cmocka_unit_test(test_mark_stw),
		cmocka_unit_test(test_drift),
		cmocka_unit_test(test_drift_run),
		cmocka_unit_test(test_platform),
		cmocka_unit_test(test_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
