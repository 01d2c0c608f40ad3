/*
 * test_malloc.c - the object layer: size classes per release, the tiny
 * allocator, sweeping, large objects, stacks, Ps, the figures, and the
 * addresses of a short allocation sequence against a real Go 1.26 run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hg_core.h"
#include "mspan.h"

#ifndef HG_SOURCE_DIR
#define HG_SOURCE_DIR "."
#endif

#define KiB (1024ull)
#define MiB (1024ull * 1024)
#define BASE 0xc000000000ull

static struct hg_model *new_model(const char *go, const char *platform)
{
	struct hg_config cfg;
	char err[256];
	hg_config_init(&cfg);
	if (platform)
		assert_int_equal(hg_config_set(&cfg, "platform", platform, err,
					       sizeof(err)),
				 0);
	if (go)
		assert_int_equal(
			hg_config_set(&cfg, "go", go, err, sizeof(err)), 0);
	struct hg_model *m = NULL;
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	return m;
}

/* Apply one operation and run the checker; returns the status. */
static int apply(struct hg_model *m, const struct hg_op *o,
		 struct hg_op_result *res)
{
	struct hg_op_result scratch;
	char err[256] = "";
	int rc = hg_model_apply(m, o, res ? res : &scratch, err, sizeof(err));
	if (rc == HG_OK || rc == HG_EOOM) {
		char cerr[512];
		if (hg_model_check(m, cerr, sizeof(cerr)))
			fail_msg("check after %s %s: %s", hg_op_name(o->kind),
				 o->id ? o->id : "", cerr);
	}
	return rc;
}

static hg_addr new_obj(struct hg_model *m, const char *id, uint64_t size,
		       bool noscan, struct hg_op_result *res)
{
	struct hg_op o = {
		.kind = HG_OP_NEW, .id = id, .size = size, .noscan = noscan
	};
	struct hg_op_result r;
	assert_int_equal(apply(m, &o, res ? res : &r), HG_OK);
	return res ? res->addr : r.addr;
}

static void del(struct hg_model *m, const char *id)
{
	struct hg_op o = { .kind = HG_OP_DEL, .id = id };
	assert_int_equal(apply(m, &o, NULL), HG_OK);
}

/* A swept del: the sweeper frees the slot now. */
static void swept(struct hg_model *m, const char *id)
{
	struct hg_op o = { .kind = HG_OP_DEL, .id = id, .swept = true };
	assert_int_equal(apply(m, &o, NULL), HG_OK);
}

static void gc(struct hg_model *m)
{
	struct hg_op o = { .kind = HG_OP_GC };
	assert_int_equal(apply(m, &o, NULL), HG_OK);
}

/* A mark (no ReadMemStats): an event that is neither a stack event nor
 * a sweep's. */
static void mark(struct hg_model *m)
{
	struct hg_op o = { .kind = HG_OP_MARK, .text = "m" };
	assert_int_equal(apply(m, &o, NULL), HG_OK);
}

static void proc(struct hg_model *m, uint64_t p)
{
	struct hg_op o = { .kind = HG_OP_PROC, .value = p };
	assert_int_equal(apply(m, &o, NULL), HG_OK);
}

static hg_addr stackalloc(struct hg_model *m, const char *id, uint64_t size,
			  struct hg_op_result *res)
{
	struct hg_op o = { .kind = HG_OP_STACKALLOC, .id = id, .size = size };
	struct hg_op_result r;
	assert_int_equal(apply(m, &o, res ? res : &r), HG_OK);
	return res ? res->addr : r.addr;
}

static void stackfree(struct hg_model *m, const char *id)
{
	struct hg_op o = { .kind = HG_OP_STACKFREE, .id = id };
	assert_int_equal(apply(m, &o, NULL), HG_OK);
}

static const struct hg_figures *fig(struct hg_model *m)
{
	return &hg_model_stats(m)->final;
}

/* The size a request gets in a release (0 for a large object). */
static unsigned class_of(unsigned minor, uint64_t size)
{
	struct hg_sizeclass_lookup l;
	hg_sizeclass_lookup_init(&l, hg_sizeclasses_for(minor));
	return l.t->size[hg_size_to_class(&l, size)];
}

/*
 * Known values: 14e5951166 (go1.8) lists the classes it grew, e.g. class
 * 51 from 8448 to 9472 bytes in 7 pages; 14c7caae50 (go1.16) added 24.
 */
static void test_size_classes(void **state)
{
	(void)state;
	const struct hg_sizeclasses *t4 = hg_sizeclasses_for(4),
				    *t7 = hg_sizeclasses_for(7),
				    *t8 = hg_sizeclasses_for(8),
				    *t15 = hg_sizeclasses_for(15),
				    *t16 = hg_sizeclasses_for(16),
				    *t26 = hg_sizeclasses_for(26);
	assert_ptr_equal(t4, t7);
	assert_ptr_equal(t8, t15);
	assert_ptr_equal(t16, t26);
	assert_int_equal(t4->nclasses, 67);
	assert_int_equal(t8->nclasses, 67);
	assert_int_equal(t16->nclasses, 68);
	assert_int_equal(t4->size[51], 8448);
	assert_int_equal(t8->size[51], 9472);
	assert_int_equal(t4->npages[51], 7);
	assert_int_equal(t8->npages[51], 7);
	assert_int_equal(t4->size[36], 1664);
	assert_int_equal(t8->size[36], 1792);
	assert_int_equal(t4->size[64], 24832);
	assert_int_equal(t8->size[64], 27264);
	assert_int_equal(t8->npages[64], 10);
	assert_int_equal(t16->size[3], 24);
	assert_int_equal(t16->size[67], 32768);
	assert_int_equal(t16->npages[67], 4);
	assert_int_equal(t16->npages[66], 7); /* 28672 */
	/* Lookups. */
	assert_int_equal(class_of(15, 24), 32);
	assert_int_equal(class_of(16, 24), 24);
	assert_int_equal(class_of(26, 1), 8);
	assert_int_equal(class_of(26, 100), 112);
	assert_int_equal(class_of(26, 1024), 1024);
	assert_int_equal(class_of(26, 1025), 1152);
	assert_int_equal(class_of(26, 5000), 5376);
	assert_int_equal(class_of(7, 1700), 2048);
	assert_int_equal(class_of(8, 1700), 1792);
	assert_int_equal(class_of(26, 32768), 32768);
	/* Every size gets the smallest class that holds it. */
	for (unsigned minor = 4; minor <= 26; minor += 11) {
		struct hg_sizeclass_lookup l;
		hg_sizeclass_lookup_init(&l, hg_sizeclasses_for(minor));
		for (uint64_t n = 1; n <= HG_MAX_SMALL_SIZE; n++) {
			unsigned c = hg_size_to_class(&l, n);
			assert_true(l.t->size[c] >= n);
			assert_true(l.t->size[c - 1] < n);
		}
	}
}

/* A malloc header from go1.22: objects with pointers above 512 bytes. */
static void test_malloc_header(void **state)
{
	(void)state;
	struct hg_op_result r;
	struct hg_model *m = new_model("1.22", NULL);
	new_obj(m, "p", 1020, false, &r);
	assert_int_equal(r.elemsize, 1152);
	new_obj(m, "n", 1020, true, &r);
	assert_int_equal(r.elemsize, 1024);
	new_obj(m, "s", 512, false, &r);
	assert_int_equal(r.elemsize, 512);
	/* 32761 bytes are a large object with the header's limit. */
	const struct hg_stats *st = hg_model_stats(m);
	new_obj(m, "big", 32761, true, &r);
	assert_true(r.new_span);
	assert_int_equal(r.npages, 4);
	assert_int_equal(st->size_classes[67].objects, 0);
	hg_model_free(m);
	m = new_model("1.21", NULL);
	st = hg_model_stats(m);
	new_obj(m, "p", 1020, false, &r);
	assert_int_equal(r.elemsize, 1024);
	new_obj(m, "big", 32761, true, &r);
	assert_int_equal(r.elemsize, 32768);
	assert_int_equal(st->size_classes[67].objects, 1);
	hg_model_free(m);
}

/* A work-buffer span takes pages of the heap but counts in gc_workbufs
 * (Go's GCSys), not in HeapInuse, HeapSys or StackInuse; freed, its
 * pages are the heap's again. */
static void test_wbufs(void **state)
{
	(void)state;
	struct hg_model *m = new_model("1.26", NULL);
	struct hg_op_result r;
	hg_addr a = new_obj(m, "a", 40000, false, &r); /* a 5-page span */
	struct hg_op w = { .kind = HG_OP_WBUFALLOC, .id = "w1", .size = 32768 };
	assert_int_equal(apply(m, &w, &r), HG_OK);
	assert_int_equal(r.addr, a + 5 * 8192);
	assert_int_equal(fig(m)->gc_workbufs, 32768);
	assert_int_equal(fig(m)->heap_inuse, 5 * 8192);
	assert_int_equal(fig(m)->stack_inuse, 0);
	assert_int_equal(fig(m)->heap_sys, 4 * MiB - 32768);
	hg_addr b = new_obj(m, "b", 40000, false, &r);
	assert_int_equal(b, a + 9 * 8192);
	struct hg_op wf = { .kind = HG_OP_WBUFFREE, .id = "w1" };
	assert_int_equal(apply(m, &wf, &r), HG_OK);
	assert_int_equal(fig(m)->gc_workbufs, 0);
	assert_int_equal(fig(m)->heap_sys, 4 * MiB);
	assert_int_equal(apply(m, &wf, &r), HG_ETRACE); /* not live */
	hg_model_free(m);
}

/* Objects of class 24 a fresh one-page span holds, counted by allocating
 * until the next object takes a new span. */
static unsigned span_capacity(const char *go, bool noscan)
{
	struct hg_model *m = new_model(go, NULL);
	struct hg_op_result r;
	char id[32];
	unsigned n = 0;
	new_obj(m, "first", 24, noscan, &r);
	assert_true(r.new_span);
	for (;;) {
		snprintf(id, sizeof(id), "o%u", n);
		new_obj(m, id, 24, noscan, &r);
		n++;
		if (r.new_span)
			break;
		assert_true(n < 400);
	}
	hg_model_free(m);
	return n;
}

/* go1.22+ keeps a scan span's pointer bitmap at its end (128 bytes of an
 * 8 KiB span), go1.26's Green Tea GC its inline mark bits too (128 more,
 * scan or noscan): a 24-byte class span holds 341, 336 or 330 objects,
 * as the recorded Go 1.26 runs show (tests/real). */
static void test_span_reserve(void **state)
{
	(void)state;
	assert_int_equal(span_capacity("1.21", false), 341);
	assert_int_equal(span_capacity("1.22", false), 336);
	assert_int_equal(span_capacity("1.22", true), 341);
	assert_int_equal(span_capacity("1.25", false), 336);
	assert_int_equal(span_capacity("1.26", false), 330);
	assert_int_equal(span_capacity("1.26", true), 336);
}

static void test_tiny(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL);
	struct hg_op_result r;
	hg_addr a = new_obj(m, "a", 4, true, &r);
	assert_true(r.new_span);
	assert_int_equal(r.elemsize, 16);
	assert_int_equal(new_obj(m, "b", 4, true, &r), a + 4);
	assert_int_equal(r.elemsize, 0); /* packed: no new slot */
	assert_int_equal(new_obj(m, "c", 3, true, NULL), a + 8);
	/* 8-aligned: offset 16 does not fit, so a new block; it has more
	 * room left (8 bytes) than the old one (5) and becomes current. */
	hg_addr d = new_obj(m, "d", 8, true, NULL);
	assert_int_equal(d, a + 16);
	assert_int_equal(new_obj(m, "e", 2, true, NULL), a + 24);
	assert_int_equal(new_obj(m, "f", 2, true, NULL), a + 26);
	assert_int_equal(new_obj(m, "g", 1, true, NULL), a + 28);
	assert_int_equal(new_obj(m, "h", 1, true, NULL), a + 29);
	/* With pointers, or 16 bytes: not tiny (16-byte noscan objects
	 * share the tiny span class). */
	hg_addr p = new_obj(m, "p", 8, false, &r);
	assert_true(r.new_span);
	assert_int_equal(p, BASE + 8 * KiB);
	assert_int_equal(new_obj(m, "q", 16, true, NULL), a + 32);
	/* Two 16-byte blocks and the 16-byte object, one 8-byte one. */
	assert_int_equal(fig(m)->heap_objects, 4);
	assert_int_equal(fig(m)->heap_alloc, 3 * 16 + 8);
	/* A block lives while one of its objects does. */
	del(m, "a");
	del(m, "b");
	gc(m);
	assert_int_equal(fig(m)->heap_objects, 4);
	del(m, "c");
	gc(m);
	assert_int_equal(fig(m)->heap_objects, 3);
	assert_int_equal(fig(m)->heap_alloc, 2 * 16 + 8);
	/* The GC dropped the current block; the swept free one is next. */
	assert_int_equal(new_obj(m, "i", 15, true, NULL), a);
	assert_int_equal(new_obj(m, "j", 1, true, NULL), a + 15);
	hg_model_free(m);
}

/* A dead object's slot is reused only after the next gc's sweep. */
static void test_sweep_reuse(void **state)
{
	(void)state;
	const char *versions[] = { "1.26", "1.14", "1.8", "1.4" };
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		struct hg_model *m = new_model(versions[v], NULL);
		hg_addr a = new_obj(m, "a", 100, true, NULL);
		hg_addr b = new_obj(m, "b", 100, true, NULL);
		assert_int_equal(b, a + 112);
		del(m, "a");
		assert_int_equal(fig(m)->heap_objects, 2);
		assert_int_equal(new_obj(m, "c", 100, true, NULL), a + 224);
		gc(m);
		assert_int_equal(fig(m)->heap_objects, 2);
		assert_int_equal(fig(m)->heap_alloc, 224);
		assert_int_equal(fig(m)->num_gc, 1);
		assert_int_equal(new_obj(m, "d", 100, true, NULL), a);
		assert_int_equal(new_obj(m, "e", 100, true, NULL), a + 336);
		hg_model_free(m);
	}
}

/* A span whose objects are all dead goes back to the page heap at the
 * sweep, not before. */
static void test_span_freed_at_sweep(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL);
	struct hg_op_result r;
	/* 9472-byte objects: 6 in a 7-page span. */
	char id[8];
	for (int i = 0; i < 7; i++) {
		snprintf(id, sizeof(id), "o%d", i);
		new_obj(m, id, 9000, true, &r);
		assert_int_equal(r.new_span, i == 0 || i == 6);
	}
	assert_int_equal(r.span_base, BASE + 7 * 8 * KiB);
	assert_int_equal(fig(m)->heap_inuse, 14 * 8 * KiB);
	assert_int_equal(fig(m)->partial_span_bytes, 7 * 8 * KiB);
	assert_int_equal(fig(m)->free_slot_bytes, 5 * 9472);
	const struct hg_stats *s = hg_model_stats(m);
	unsigned c = 0;
	while (s->size_classes[c].size != 9472)
		c++;
	assert_int_equal(s->size_classes[c].spans, 2);
	assert_int_equal(s->size_classes[c].objects, 7);
	assert_int_equal(s->size_classes[c].free, 5);
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "o%d", i);
		del(m, id);
	}
	assert_int_equal(fig(m)->heap_inuse, 14 * 8 * KiB);
	gc(m);
	assert_int_equal(fig(m)->heap_inuse, 7 * 8 * KiB);
	assert_int_equal(fig(m)->heap_alloc, 9472);
	assert_int_equal(s->size_classes[c].spans, 1);
	/* The freed pages go back to the page allocator; a small span still
	 * comes from the page cache's block, after the 14 pages it gave. */
	new_obj(m, "x", 4000, true, &r);
	assert_true(r.new_span);
	assert_int_equal(r.addr, BASE + 14 * 8 * KiB);
	/* A 16-page span does not use the cache: the page allocator's first
	 * fit is the freed run (7 pages) no more, so after the block. */
	new_obj(m, "y", 128 * KiB, true, &r);
	assert_int_equal(r.addr, BASE + 512 * KiB);
	new_obj(m, "z", 56 * KiB, true, &r); /* 7 pages: from the cache */
	assert_int_equal(r.addr, BASE + 15 * 8 * KiB);
	hg_model_free(m);
}

/*
 * Swept dels (a real trace's frees): the slot is free at once, for the
 * next allocation from its span once the span is swept again (freeindex
 * restarts at 0: a span off the mcache, or one given back to its
 * mcentral); a span left with no object goes back to the page heap at
 * once; a full span with a free slot joins the swept partial set.
 */
static void test_swept_del(void **state)
{
	(void)state;
	const char *versions[] = { "1.26", "1.19", "1.14", "1.4" };
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		struct hg_model *m = new_model(versions[v], NULL);
		struct hg_op_result r;
		hg_addr a = new_obj(m, "a", 100, true, NULL);
		hg_addr b = new_obj(m, "b", 100, true, NULL);
		assert_int_equal(b, a + 112);
		/* In the cached span: free now, found when the span is
		 * cached again; HeapAlloc drops at once. */
		swept(m, "a");
		assert_int_equal(fig(m)->heap_objects, 1);
		assert_int_equal(fig(m)->heap_alloc, 112);
		assert_int_equal(new_obj(m, "c", 100, true, NULL), a + 224);
		/* The last object of a cached span: the span goes back to the
		 * page heap at once, and HeapInuse with it. */
		swept(m, "b");
		swept(m, "c");
		assert_int_equal(fig(m)->heap_objects, 0);
		assert_int_equal(fig(m)->heap_inuse, 0);
		/* The next object takes a span from the page heap again, at
		 * the pages just freed. */
		assert_int_equal(new_obj(m, "d", 100, true, &r), a);
		assert_true(r.new_span);
		hg_model_free(m);
	}
}

/* A swept del in a span off the mcache (after a gc): the sweep moves a
 * full span to the partial set and restarts freeindex, so the freed slot
 * is the next one handed out; a large object's span is freed at once. */
static void test_swept_del_central(void **state)
{
	(void)state;
	const char *versions[] = { "1.26", "1.14" };
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		struct hg_model *m = new_model(versions[v], NULL);
		struct hg_op_result r;
		char id[16];
		/* 9472-byte objects: 6 in a 7-page span; fill two spans. */
		for (int i = 0; i < 12; i++) {
			snprintf(id, sizeof(id), "o%d", i);
			new_obj(m, id, 9000, true, &r);
		}
		hg_addr s0 = BASE, s1 = BASE + 7 * 8 * KiB;
		assert_int_equal(r.addr, s1 + 5 * 9472);
		gc(m); /* both spans full, off the mcache */
		swept(m, "o3");
		assert_int_equal(fig(m)->heap_alloc, 11 * 9472);
		assert_int_equal(fig(m)->partial_span_bytes, 7 * 8 * KiB);
		/* The partial span serves the next object, at the freed
		 * slot. */
		assert_int_equal(new_obj(m, "x", 9000, true, &r),
				 s0 + 3 * 9472);
		assert_false(r.new_span);
		/* Every object of the second span dies: the sweep left it
		 * empty, and it goes back at the next event that is not a
		 * refill of its class (not cacheSpan's sweep), before any
		 * gc. */
		for (int i = 6; i < 12; i++) {
			snprintf(id, sizeof(id), "o%d", i);
			swept(m, id);
			assert_int_equal(fig(m)->heap_inuse, 14 * 8 * KiB);
		}
		/* Large: the emptied span goes back first; its own span goes
		 * back at the swept del. */
		new_obj(m, "L", 40 * KiB, true, &r);
		assert_int_equal(fig(m)->heap_inuse, 12 * 8 * KiB);
		swept(m, "L");
		assert_int_equal(fig(m)->heap_inuse, 7 * 8 * KiB);
		assert_int_equal(fig(m)->heap_alloc, 6 * 9472);
		hg_model_free(m);
	}
}

/* Tiny blocks: a swept del frees the block's slot when its last object
 * dies, except the P's current block, which the mcache still fills (its
 * slot waits for the next gc, as with a plain del). */
static void test_swept_del_tiny(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL);
	hg_addr a = new_obj(m, "a", 8, true, NULL);
	new_obj(m, "b", 8, true, NULL);             /* fills block a */
	hg_addr c = new_obj(m, "c", 4, true, NULL); /* block a + 16 */
	assert_int_equal(c, a + 16);
	assert_int_equal(fig(m)->heap_objects, 2);
	swept(m, "a");
	assert_int_equal(fig(m)->heap_objects, 2);
	swept(m, "b");
	assert_int_equal(fig(m)->heap_objects, 1);
	/* The current block keeps its slot. */
	swept(m, "c");
	assert_int_equal(fig(m)->heap_objects, 1);
	assert_int_equal(new_obj(m, "d", 4, true, NULL), a + 20);
	gc(m);
	swept(m, "d");
	assert_int_equal(fig(m)->heap_objects, 0);
	mark(m); /* the emptied span goes back at the next event */
	assert_int_equal(fig(m)->heap_inuse, 0);
	hg_model_free(m);
}

/*
 * mcentral.cacheSpan sweeps an unswept span of its class and keeps it even
 * when no object is left (sweep(true)): a refill of that class right after
 * the swept dels of a span gets that span, at its first slot; after any
 * other event the emptied span is back in the page heap.
 */
static void test_cachespan_sweep(void **state)
{
	(void)state;
	const char *versions[] = { "1.26", "1.19", "1.14" };
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		struct hg_model *m = new_model(versions[v], NULL);
		struct hg_op_result r;
		char id[16];
		/* 9472-byte objects: 6 in a 7-page span; fill three spans. */
		for (int i = 0; i < 18; i++) {
			snprintf(id, sizeof(id), "o%d", i);
			new_obj(m, id, 9000, true, &r);
		}
		hg_addr s1 = BASE + 7 * 8 * KiB, s2 = BASE + 14 * 8 * KiB;
		gc(m);
		mark(m);
		/* The middle span's objects die in one sweep; the refill of
		 * their class right after it takes that span. */
		for (int i = 6; i < 12; i++) {
			snprintf(id, sizeof(id), "o%d", i);
			swept(m, id);
		}
		assert_int_equal(fig(m)->heap_inuse, 21 * 8 * KiB);
		assert_int_equal(new_obj(m, "x", 9000, true, &r), s1);
		assert_false(r.new_span);
		assert_int_equal(fig(m)->heap_inuse, 21 * 8 * KiB);
		/* The last span's die too, then another class allocates:
		 * some other sweeper swept it, and it is free again. */
		for (int i = 12; i < 18; i++) {
			snprintf(id, sizeof(id), "o%d", i);
			swept(m, id);
		}
		new_obj(m, "y", 100, true, &r);
		assert_true(r.new_span);
		assert_true(r.span_base != s2); /* from the P's page cache */
		assert_int_equal(fig(m)->heap_inuse, 15 * 8 * KiB);
		hg_model_free(m);
	}
}

/*
 * Each P's sweep shows in that P's next event: P1's refill sweeps a span
 * empty (cacheSpan keeps it), the background sweeper on P0 meanwhile
 * sweeps another span of the class empty; P1's refill still gets its own
 * span, and P0's goes back to the heap then (at the first event that is
 * neither a swept del nor a P switch).
 */
static void test_cachespan_sweep_per_p(void **state)
{
	(void)state;
	struct hg_model *m = new_model("1.26", NULL);
	struct hg_op_result r;
	char id[16];
	/* 9472-byte objects: 6 in a 7-page span; three spans on P0. */
	for (int i = 0; i < 18; i++) {
		snprintf(id, sizeof(id), "o%d", i);
		new_obj(m, id, 9000, true, &r);
	}
	hg_addr s1 = BASE + 7 * 8 * KiB;
	proc(m, 1);
	new_obj(m, "p1", 100, true, &r);
	gc(m);
	mark(m);
	proc(m, 1);
	for (int i = 6; i < 12; i++) {
		snprintf(id, sizeof(id), "o%d", i);
		swept(m, id);
	}
	proc(m, 0);
	for (int i = 12; i < 18; i++) {
		snprintf(id, sizeof(id), "o%d", i);
		swept(m, id);
	}
	proc(m, 1);
	uint64_t inuse = fig(m)->heap_inuse;
	assert_int_equal(new_obj(m, "x", 9000, true, &r), s1);
	assert_false(r.new_span);
	assert_int_equal(fig(m)->heap_inuse, inuse - 7 * 8 * KiB);
	hg_model_free(m);
}

static void wbuf(struct hg_model *m, enum hg_op_kind k, const char *id)
{
	struct hg_op o = { .kind = k, .id = id, .size = 32 * KiB };
	assert_int_equal(apply(m, &o, NULL), HG_OK);
}

/*
 * go1.26's page reclaimer (mheap.alloc while the sweep is not done) sweeps
 * noscan spans with inline mark bits in address order, ahead of the
 * background sweeper: P0's span A and P1's span B of 16-byte noscan
 * objects, flushed B first at a gc that P1 ends, swept at the next gc
 * with nothing allocated in them; a large object allocated while the
 * trace's sweep goes on (a work buffer still to free) reclaims them, and
 * the next 16-byte object goes to A. With the sweep done first (its work
 * buffer freed) the background sweeper's order stays: B. go1.19 has no
 * inline mark bits: B.
 */
static hg_addr after_reclaim(const char *go, bool sweep_done)
{
	struct hg_model *m = new_model(go, NULL);
	struct hg_op_result r;
	hg_addr a, b, x;
	proc(m, 0);
	a = new_obj(m, "a0", 16, true, &r);
	new_obj(m, "a1", 16, true, &r);
	proc(m, 1);
	b = new_obj(m, "b0", 16, true, &r);
	assert_true(b != a + 16);
	wbuf(m, HG_OP_WBUFALLOC, "w0");
	wbuf(m, HG_OP_WBUFFREE, "w0");
	wbuf(m, HG_OP_WBUFALLOC, "w1");
	gc(m);
	gc(m);
	if (sweep_done)
		wbuf(m, HG_OP_WBUFFREE, "w1");
	proc(m, 0);
	new_obj(m, "L", 64 * KiB, true, &r);
	x = new_obj(m, "x", 16, true, &r);
	hg_model_free(m);
	if (x == a + 32)
		return 'A';
	return x == b + 16 ? 'B' : 0;
}

static void test_reclaimer_order(void **state)
{
	(void)state;
	assert_int_equal(after_reclaim("1.26", false), 'A');
	assert_int_equal(after_reclaim("1.26", true), 'B');
	assert_int_equal(after_reclaim("1.19", false), 'B');
}

/*
 * The sweeper's order (go1.15+): span class by span class, the unswept full
 * spans before the unswept partial ones, each pushed to the swept partial
 * set when it has free slots. A partial span with no swept del (silent)
 * takes its place after the full spans whose swept dels come later.
 */
static void test_sweep_order(void **state)
{
	(void)state;
	const char *versions[] = { "1.26", "1.19" };
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		struct hg_model *m = new_model(versions[v], NULL);
		struct hg_op_result r;
		char id[16];
		/* 9472-byte objects: 6 in a 7-page span; spans A, B, C full. */
		for (int i = 0; i < 18; i++) {
			snprintf(id, sizeof(id), "o%d", i);
			new_obj(m, id, 9000, true, &r);
		}
		hg_addr a = BASE, b = BASE + 7 * 8 * KiB,
			c = BASE + 14 * 8 * KiB;
		gc(m);
		swept(m, "o13"); /* C partial now */
		mark(m);
		/* B full with a dead object, C partial: the sweep at the gc
		 * takes B first, so B's slot is handed out before C's. */
		del(m, "o8");
		gc(m);
		mark(m);
		assert_int_equal(new_obj(m, "x", 9000, true, &r), b + 2 * 9472);
		assert_int_equal(new_obj(m, "y", 9000, true, &r), c + 1 * 9472);
		/* A and B full, C full: a swept del in C (partial sweeps
		 * come after the full ones)... */
		gc(m);
		swept(m, "o14");
		mark(m);
		gc(m);
		/* ...then C is silent: A's swept del comes before it. */
		swept(m, "o1");
		mark(m);
		assert_int_equal(new_obj(m, "z", 9000, true, &r), a + 1 * 9472);
		assert_int_equal(new_obj(m, "w", 9000, true, &r), c + 2 * 9472);
		hg_model_free(m);
	}
}

/* heap_padding: the first growth marks the pages allocated and released
 * (Go: markRandomPaddingPages, go1.26); the first span follows them, and
 * what does not fit in the rest of the chunk grows the heap. */
static void test_heap_padding(void **state)
{
	(void)state;
	struct hg_config cfg;
	char err[256];
	hg_config_init(&cfg);
	assert_int_equal(
		hg_config_set(&cfg, "heap_padding", "100K", err, sizeof(err)),
		0);
	struct hg_model *m = NULL;
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	struct hg_op_result r;
	/* 100 KiB rounds down to 12 pages. */
	assert_int_equal(new_obj(m, "a", 100, true, &r), BASE + 12 * 8 * KiB);
	assert_int_equal(fig(m)->heap_sys, 4 * MiB);
	assert_int_equal(fig(m)->heap_inuse, 8 * KiB);
	assert_int_equal(fig(m)->heap_released, 4 * MiB - 8 * KiB);
	/* 4 MiB less 13 pages are left in the chunk: 4 MiB - 96 KiB do not
	 * fit, the heap grows a second chunk. */
	new_obj(m, "b", 4 * MiB - 96 * KiB, true, &r);
	assert_int_equal(fig(m)->heap_sys, 8 * MiB);
	hg_model_free(m);
}

/*
 * runtime_start: before the first event, Go 1.19's schedinit (README.md,
 * `runtime_start`), in its order: cpuinit's GODEBUG copy (24 bytes,
 * noscan, dead) and internal/cpu's option arrays (amd64: 5, 10 and 20
 * options of 32 bytes, the first two dead; arm64: 9; none on wasm); m0's
 * signal goroutine, a g of 416 bytes and a 32 KiB stack; the modules
 * slice and array (24 and 8); the argument slice (16). Not on windows: no
 * signal goroutine, no goargs, no GODEBUG copy. Off: nothing.
 */
static struct hg_model *start_model(const char *platform, const char *on)
{
	struct hg_config cfg;
	char err[256];
	hg_config_init(&cfg);
	assert_int_equal(hg_config_set(&cfg, "go", "1.19", err, sizeof(err)),
			 0);
	assert_int_equal(
		hg_config_set(&cfg, "platform", platform, err, sizeof(err)), 0);
	assert_int_equal(
		hg_config_set(&cfg, "runtime_start", on, err, sizeof(err)), 0);
	struct hg_model *m = NULL;
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	return m;
}

static void test_runtime_start(void **state)
{
	(void)state;
	struct hg_model *m = start_model("linux/amd64", "true");
	char cerr[512];
	if (hg_model_check(m, cerr, sizeof(cerr)))
		fail_msg("check: %s", cerr);
	/* the dead ones count until a gc sweeps them */
	assert_int_equal(fig(m)->heap_alloc,
			 24 + 160 + 320 + 640 + 416 + 24 + 8 + 16);
	assert_int_equal(fig(m)->heap_objects, 8);
	assert_int_equal(fig(m)->stack_inuse, 32 * KiB);
	/* eight spans of one page, in this order from the heap's start:
	 * 24 noscan, 160, 320, 640, 416, then the stack, 24, 8 and 16 */
	assert_int_equal(fig(m)->heap_inuse, 8 * 8 * KiB);
	assert_int_equal(hg_model_stats(m)->events, 0);
	/* the trace's own ids are free */
	struct hg_op_result r;
	assert_int_equal(new_obj(m, "runtime.m0", 16, false, &r),
			 BASE + 11 * 8 * KiB + 16);
	assert_int_equal(new_obj(m, "x", 24, true, &r), BASE + 24);
	assert_int_equal(new_obj(m, "y", 416, false, &r),
			 BASE + 4 * 8 * KiB + 416);
	/* the gc frees the dead: the GODEBUG copy's and the first two
	 * option arrays' spans are empty */
	assert_int_equal(hg_model_apply(m, &(struct hg_op){ .kind = HG_OP_GC },
					NULL, cerr, sizeof(cerr)),
			 0);
	assert_int_equal(fig(m)->heap_alloc,
			 640 + 416 + 24 + 8 + 16 + 16 + 24 + 416);
	assert_int_equal(fig(m)->heap_inuse, 6 * 8 * KiB);
	hg_model_free(m);

	m = start_model("linux/arm64", "true");
	assert_int_equal(fig(m)->heap_alloc, 24 + 288 + 416 + 24 + 8 + 16);
	hg_model_free(m);

	/* 386: options of 16 bytes; the modules slice (12 bytes) and array
	 * (4) take slots of 16 and 8 */
	m = start_model("linux/386", "true");
	assert_int_equal(fig(m)->heap_alloc,
			 24 + 80 + 160 + 320 + 416 + 16 + 8 + 8);
	hg_model_free(m);

	m = start_model("js/wasm", "true");
	assert_int_equal(fig(m)->heap_alloc, 416 + 24 + 8 + 16);
	assert_int_equal(fig(m)->stack_inuse, 32 * KiB);
	hg_model_free(m);

	m = start_model("windows/amd64", "true");
	assert_int_equal(fig(m)->heap_alloc, 160 + 320 + 640 + 24 + 8);
	assert_int_equal(fig(m)->stack_inuse, 0);
	hg_model_free(m);

	m = start_model("linux/amd64", "false");
	assert_int_equal(fig(m)->heap_alloc, 0);
	assert_int_equal(fig(m)->heap_inuse, 0);
	assert_int_equal(fig(m)->stack_inuse, 0);
	hg_model_free(m);
}

/* tracestart (Go: StartTrace, runtime_meta.c): on js/wasm the tracer's
 * seven 64 KiB blocks (five without the AllocFree events) come from the
 * break; elsewhere, and before go1.22, nothing changes. */
static void test_trace_start(void **state)
{
	(void)state;
	static const struct {
		const char *go, *platform;
		uint64_t flags, blocks;
		bool listed; /* the free list holds them all */
	} cases[] = {
		{ "1.26", "js/wasm", HG_TRACE_ALLOCFREE, 7, false },
		{ "1.26", "js/wasm", 0, 5, false },
		{ "1.22", "wasip1/wasm", HG_TRACE_ALLOCFREE, 7, true },
		{ "1.21", "js/wasm", HG_TRACE_ALLOCFREE, 0, false },
		{ "1.26", "linux/amd64", HG_TRACE_ALLOCFREE, 0, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hg_model *m = new_model(cases[i].go, cases[i].platform);
		struct hg_op_result r;
		hg_addr a = new_obj(m, "a", 24, false, &r);
		struct hg_figures before = *fig(m);
		struct hg_op o = { .kind = HG_OP_TRACESTART,
				   .value = cases[i].flags };
		assert_int_equal(apply(m, &o, NULL), HG_OK);
		const struct hg_figures *after = fig(m);
		uint64_t n = cases[i].blocks * 64 * KiB;
		assert_int_equal(after->classes[HG_CLASS_SYS],
				 before.classes[HG_CLASS_SYS] + n);
		/* from the break's free list first, else memory.grow */
		uint64_t listed = cases[i].listed ? n : 0;
		assert_int_equal(after->classes[HG_CLASS_SBRK_FREE] + listed,
				 before.classes[HG_CLASS_SBRK_FREE]);
		assert_int_equal(after->linear_memory,
				 before.linear_memory + n - listed);
		assert_int_equal(after->heap_sys, before.heap_sys);
		assert_int_equal(after->heap_inuse, before.heap_inuse);
		/* the next allocation goes on as before */
		assert_int_equal(new_obj(m, "b", 24, false, &r), a + 24);
		hg_model_free(m);
	}
	/* no other flags */
	struct hg_model *m = new_model("1.26", "js/wasm");
	char err[256] = "";
	struct hg_op_result r;
	struct hg_op o = { .kind = HG_OP_TRACESTART, .value = 2 };
	assert_int_equal(hg_model_apply(m, &o, &r, err, sizeof(err)),
			 HG_ETRACE);
	assert_non_null(strstr(err, "tracestart: 2 is not 0 or 1"));
	hg_model_free(m);
}

/* js/wasm has 8-byte pointers (Go: goarch.PtrSize) though its addresses
 * are 32-bit: a go1.26 span of 24-byte objects with pointers holds 330,
 * its heap bits and inline mark bits taking 128 bytes each, as on
 * linux/amd64; linux/386 (4-byte pointers) holds 325. */
static void test_wasm_pointer_size(void **state)
{
	(void)state;
	static const struct {
		const char *platform;
		unsigned nelems;
	} cases[] = {
		{ "js/wasm", 330 },
		{ "linux/amd64", 330 },
		{ "linux/386", 325 },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct hg_model *m = new_model("1.26", cases[k].platform);
		struct hg_op_result r;
		char id[16];
		hg_addr first = 0;
		for (unsigned i = 0; i <= cases[k].nelems; i++) {
			snprintf(id, sizeof(id), "x%u", i);
			hg_addr a = new_obj(m, id, 24, false, &r);
			if (i == 0)
				first = a;
			if (i < cases[k].nelems)
				assert_int_equal(a, first + 24 * i);
			else
				assert_true(r.new_span && a != first + 24 * i);
		}
		hg_model_free(m);
	}
}

static void test_large(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL);
	struct hg_op_result r;
	hg_addr a = new_obj(m, "a", 40 * KiB, true, &r);
	assert_int_equal(a, BASE);
	assert_true(r.new_span);
	assert_int_equal(r.span_base, BASE);
	assert_int_equal(r.npages, 5);
	assert_int_equal(fig(m)->heap_alloc, 40 * KiB);
	hg_addr b = new_obj(m, "b", 40 * KiB + 1, false, &r);
	assert_int_equal(b, BASE + 40 * KiB);
	assert_int_equal(r.npages, 6);
	assert_int_equal(fig(m)->heap_alloc, 88 * KiB);
	assert_int_equal(fig(m)->heap_objects, 2);
	assert_int_equal(fig(m)->heap_inuse, 88 * KiB);
	del(m, "a");
	assert_int_equal(fig(m)->heap_inuse, 88 * KiB);
	gc(m);
	assert_int_equal(fig(m)->heap_inuse, 48 * KiB);
	assert_int_equal(fig(m)->heap_alloc, 48 * KiB);
	hg_model_free(m);
}

/* Stacks count in StackInuse, not in HeapInuse or HeapSys. */
static void test_stacks(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL);
	struct hg_op_result r;
	uint64_t sys0 = fig(m)->heap_sys;
	/* The cache takes 16 KiB from a new 32 KiB span (highest stack
	 * first, so its head is slot 2). */
	hg_addr g1 = stackalloc(m, "g1", 8 * KiB, &r);
	assert_true(r.new_span);
	assert_int_equal(r.span_base, BASE);
	assert_int_equal(g1, BASE + 16 * KiB);
	assert_int_equal(stackalloc(m, "g2", 8 * KiB, &r), BASE + 24 * KiB);
	assert_false(r.new_span);
	assert_int_equal(fig(m)->stack_inuse, 32 * KiB);
	assert_int_equal(fig(m)->stack_sys, 32 * KiB);
	assert_int_equal(fig(m)->heap_inuse, 0);
	assert_int_equal(fig(m)->classes[HG_CLASS_HEAP_INUSE], 32 * KiB);
	uint64_t sys = fig(m)->heap_sys;
	assert_true(sys >= sys0);
	/* HeapSys leaves the stack span out: 4 MiB grown, less 32 KiB. */
	assert_int_equal(fig(m)->heap_idle, sys);
	assert_int_equal(sys + 32 * KiB, 4 * MiB);
	/* A 2 KiB stack: another order, another span. The cache took the
	 * stacks 15 down to 8 and hands out the last one taken first. */
	hg_addr s2k = stackalloc(m, "s", 2 * KiB, &r);
	assert_int_equal(s2k, BASE + 32 * KiB + 16 * KiB);
	assert_int_equal(fig(m)->stack_inuse, 64 * KiB);
	/* A large stack is its own span, freed at once. */
	hg_addr big = stackalloc(m, "big", 64 * KiB, &r);
	assert_int_equal(big, BASE + 64 * KiB);
	assert_int_equal(fig(m)->stack_inuse, 128 * KiB);
	stackfree(m, "big");
	assert_int_equal(fig(m)->stack_inuse, 64 * KiB);
	/* Small stacks go back to the P's cache and reach the pool (and
	 * the span the page heap) at the next GC. */
	stackfree(m, "g1");
	stackfree(m, "g2");
	stackfree(m, "s");
	assert_int_equal(fig(m)->stack_inuse, 64 * KiB);
	/* The cache is a stack: the last freed comes back first. */
	assert_int_equal(stackalloc(m, "g3", 8 * KiB, NULL), g1 + 8 * KiB);
	stackfree(m, "g3");
	gc(m);
	/* The stack caches are cleared after the GC goroutine's own stack
	 * events (prepareForSweep ends mark termination): its stack grows
	 * from the cache, and its old stack goes back into it. */
	assert_int_equal(fig(m)->stack_inuse, 64 * KiB);
	assert_int_equal(stackalloc(m, "g4", 8 * KiB, NULL), g1 + 8 * KiB);
	stackfree(m, "g4");
	assert_int_equal(fig(m)->stack_inuse, 64 * KiB);
	mark(m);
	assert_int_equal(fig(m)->stack_inuse, 0);
	assert_int_equal(fig(m)->heap_inuse, 0);
	/* Freed stack spans are heap again (free pages count in HeapSys). */
	assert_int_equal(fig(m)->heap_sys, 4 * MiB);
	assert_int_equal(hg_model_stats(m)->peak.stack_inuse, 128 * KiB);
	/* fixedStack is 8 KiB on Windows/amd64, two orders. */
	hg_model_free(m);
	m = new_model(NULL, "windows/amd64");
	stackalloc(m, "w", 2 * KiB, &r);
	assert_int_equal(r.size, 8 * KiB);
	stackalloc(m, "w2", 16 * KiB, &r);
	assert_int_equal(r.size, 16 * KiB);
	stackalloc(m, "w3", 32 * KiB, &r);
	assert_true(r.new_span);
	assert_int_equal(r.npages, 4);
	hg_model_free(m);
}

/* Each P has its own mcache. */
static void test_procs(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL);
	hg_addr a = new_obj(m, "a", 64, false, NULL);
	proc(m, 1);
	hg_addr b = new_obj(m, "b", 64, false, NULL);
	assert_int_equal(b, a + 8 * KiB);
	proc(m, 0);
	assert_int_equal(new_obj(m, "c", 64, false, NULL), a + 64);
	/* At a GC both spans go back; P 1 then takes the first. */
	gc(m);
	proc(m, 1);
	assert_int_equal(new_obj(m, "d", 64, false, NULL), a + 128);
	hg_model_free(m);
	/* gomaxprocs bounds the Ps. */
	struct hg_config cfg;
	char err[256];
	hg_config_init(&cfg);
	assert_int_equal(
		hg_config_set(&cfg, "gomaxprocs", "2", err, sizeof(err)), 0);
	assert_int_equal(
		hg_config_set(&cfg, "gomaxprocs", "-1", err, sizeof(err)),
		HG_EINVAL);
	assert_int_equal(hg_model_new(&m, &cfg, err, sizeof(err)), 0);
	proc(m, 1);
	struct hg_op o = { .kind = HG_OP_PROC, .value = 2 };
	assert_int_equal(hg_model_apply(m, &o, NULL, err, sizeof(err)),
			 HG_ETRACE);
	assert_non_null(strstr(err, "gomaxprocs"));
	hg_model_free(m);
}

/* Each P has its own page cache (go1.14+): a 64-page block each. */
static void test_page_cache_per_p(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL);
	struct hg_op_result r;
	struct hg_op o = { .kind = HG_OP_ALLOC, .id = "s1", .size = 8 * KiB };
	/* The first span comes from the page allocator (the cache was
	 * empty before the heap grew); the next fill P 0's cache. */
	assert_int_equal(apply(m, &o, &r), HG_OK);
	assert_int_equal(r.addr, BASE);
	o.id = "s2";
	assert_int_equal(apply(m, &o, &r), HG_OK);
	assert_int_equal(r.addr, BASE + 8 * KiB);
	proc(m, 1);
	o.id = "s3";
	assert_int_equal(apply(m, &o, &r), HG_OK);
	assert_int_equal(r.addr, BASE + 512 * KiB);
	assert_int_equal(new_obj(m, "x", 64, false, NULL),
			 BASE + 512 * KiB + 8 * KiB);
	proc(m, 0);
	o.id = "s4";
	assert_int_equal(apply(m, &o, &r), HG_OK);
	assert_int_equal(r.addr, BASE + 16 * KiB);
	/* Pages freed back to the allocator are cached again by whichever
	 * P refills next, in a block another P caches too. */
	struct hg_op f = { .kind = HG_OP_FREE, .id = "s1" };
	assert_int_equal(apply(m, &f, NULL), HG_OK);
	/* FreeOSMemory releases every free page outside the caches; the
	 * caches' fresh pages count as released already (test_pacer.c:
	 * which caches a GC flushes). */
	struct hg_op sc = { .kind = HG_OP_SCAVENGE, .all = true };
	assert_int_equal(apply(m, &sc, NULL), HG_OK);
	assert_int_equal(fig(m)->heap_inuse, 4 * 8 * KiB);
	assert_int_equal(fig(m)->heap_released + fig(m)->heap_inuse,
			 fig(m)->heap_sys);
	hg_model_free(m);
}

/* The checker sees a broken object layer. */
static void test_check_catches(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL);
	char err[512];
	new_obj(m, "a", 100, true, NULL);
	new_obj(m, "b", 4, true, NULL);
	for (int i = 0; i < 7; i++) { /* 6 to a span: one goes back full */
		char id[8];
		snprintf(id, sizeof(id), "f%d", i);
		new_obj(m, id, 9000, false, NULL);
	}
	stackalloc(m, "g", 8 * KiB, NULL);
	assert_int_equal(hg_model_check(m, err, sizeof(err)), 0);
	struct hg_objects *o = m->obj;
	o->heap_alloc++;
	assert_int_equal(hg_model_check(m, err, sizeof(err)), HG_EINVAL);
	assert_non_null(strstr(err, "HeapAlloc"));
	o->heap_alloc--;
	/* A span on a list that says it is cached. */
	struct hg_mspan *s = NULL;
	for (s = o->all;
	     s && s->where != HG_SW_PARTIAL && s->where != HG_SW_FULL;
	     s = s->allnext)
		;
	assert_non_null(s);
	uint8_t where = s->where;
	s->where = HG_SW_CACHED;
	assert_int_equal(hg_model_check(m, err, sizeof(err)), HG_EINVAL);
	s->where = where;
	/* An allocated slot the bitmaps do not have. */
	s->alloc_count++;
	assert_int_equal(hg_model_check(m, err, sizeof(err)), HG_EINVAL);
	s->alloc_count--;
	/* A stack span StackInuse does not count. */
	m->hs.in_stacks -= 8 * KiB;
	assert_int_equal(hg_model_check(m, err, sizeof(err)), HG_EINVAL);
	m->hs.in_stacks += 8 * KiB;
	assert_int_equal(hg_model_check(m, err, sizeof(err)), 0);
	hg_model_free(m);
}

static void test_trace_errors(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL);
	char err[256];
	struct hg_op o = { .kind = HG_OP_DEL, .id = "nope" };
	assert_int_equal(hg_model_apply(m, &o, NULL, err, sizeof(err)),
			 HG_ETRACE);
	new_obj(m, "a", 10, true, NULL);
	o = (struct hg_op){ .kind = HG_OP_NEW, .id = "a", .size = 10 };
	assert_int_equal(hg_model_apply(m, &o, NULL, err, sizeof(err)),
			 HG_ETRACE);
	o = (struct hg_op){ .kind = HG_OP_STACKFREE, .id = "a" };
	assert_int_equal(hg_model_apply(m, &o, NULL, err, sizeof(err)),
			 HG_ETRACE);
	/* An object larger than the address space runs the runtime out of
	 * memory, with Go's message. */
	o = (struct hg_op){ .kind = HG_OP_NEW,
			    .id = "huge",
			    .size = UINT64_MAX };
	assert_int_equal(hg_model_apply(m, &o, NULL, err, sizeof(err)),
			 HG_EOOM);
	assert_non_null(strstr(err, "out of memory: cannot allocate"));
	/* Span-level replays report no object figures. */
	hg_model_free(m);
	m = new_model(NULL, NULL);
	o = (struct hg_op){ .kind = HG_OP_ALLOC, .id = "s", .size = 8192 };
	assert_int_equal(apply(m, &o, NULL), HG_OK);
	proc(m, 3);
	assert_false(hg_model_stats(m)->object_ops);
	new_obj(m, "x", 8, false, NULL);
	assert_true(hg_model_stats(m)->object_ops);
	hg_model_free(m);
}

/*
 * Which span an mcentral hands out after a gc: from go1.15 the swept
 * partial set in push order (the mcaches' spans first, swept at their
 * release, then the unswept full set in the order the spans went in);
 * before, the front of the nonempty list, where the sweeper (newest span
 * first) put the oldest span last.
 */
static void test_mcentral_order(void **state)
{
	(void)state;
	const char *versions[] = { "1.26", "1.14" };
	for (int v = 0; v < 2; v++) {
		struct hg_model *m = new_model(versions[v], NULL);
		/* 4096-byte objects, two to a 1-page span. */
		new_obj(m, "o0", 4096, true, NULL); /* P 0: span A */
		proc(m, 1);
		new_obj(m, "o1", 4096, true, NULL); /* P 1: span B */
		new_obj(m, "o2", 4096, true, NULL); /* B full */
		new_obj(m, "o3", 4096, true, NULL); /* B to the mcentral */
		proc(m, 0);
		new_obj(m, "o4", 4096, true, NULL); /* A full */
		hg_addr d = new_obj(m, "o5", 4096, true, NULL);
		/* A came from the page allocator, B and C from P 1's page
		 * cache (block 0), D from P 0's (the next block). */
		assert_int_equal(d, BASE + 512 * KiB);
		del(m, "o0");
		del(m, "o1");
		gc(m);
		/* P 0's mcache is empty after the gc: it asks the mcentral. */
		hg_addr x = new_obj(m, "x", 4096, true, NULL);
		if (v == 0)
			assert_int_equal(x, d + 4096); /* D, first pushed */
		else
			assert_int_equal(x, BASE); /* A, front of nonempty */
		hg_model_free(m);
	}
}

/*
 * tests/data/go126-addrs: the program's allocations on a fresh Go 1.26
 * heap (GOMAXPROCS=1, heap-base randomisation off), and the model's on
 * an empty one. Large objects from the page allocator land where they
 * did; objects in small spans and the spans from the page cache differ
 * because the runtime allocated before main (see the test's comments).
 */
struct rec {
	char name[32];
	uint64_t size;
	bool noscan;
	hg_addr addr;
};

static size_t read_recording(struct rec *recs, size_t max)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/data/go126-addrs/output.txt",
		 HG_SOURCE_DIR);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[256];
	size_t n = 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct rec *r = &recs[n];
		char a[64], b[64];
		int k = sscanf(line, "%31s %" SCNu64 " %63s %63s", r->name,
			       &r->size, a, b);
		assert_true(k == 3 || k == 4);
		r->noscan = k == 4;
		r->addr = strtoull(k == 4 ? b : a, NULL, 16);
		n++;
	}
	fclose(f);
	return n;
}

static void test_real_go126(void **state)
{
	(void)state;
	struct rec recs[32];
	size_t n = read_recording(recs, 32);
	assert_int_equal(n, 12);
	struct hg_model *m = new_model("1.26", NULL);
	hg_addr model[32];
	for (size_t i = 0; i < n; i++)
		model[i] = new_obj(m, recs[i].name, recs[i].size,
				   recs[i].noscan, NULL);
	/* Objects 1 and 5-6 (1 MiB, 3 MiB) are beyond the page cache's
	 * block: the page allocator puts them where Go did. */
	for (size_t i = 0; i < n; i++)
		if (recs[i].size >= 1 * MiB)
			assert_int_equal(model[i], recs[i].addr);
	/* Consecutive objects of one class are one slot apart in both. */
	assert_int_equal(recs[1].addr - recs[0].addr, model[1] - model[0]);
	assert_int_equal(recs[3].addr - recs[2].addr, model[3] - model[2]);
	assert_int_equal(recs[9].addr - recs[8].addr, model[9] - model[8]);
	/*
	 * What differs: before main, the real runtime had already taken
	 * 0x62000 bytes of the page cache's first block (its own spans) and
	 * slots of the 112-, 48-, 24-byte and tiny spans, so the first small
	 * object is at 0xc000062070 there and at 0xc000000000 here; and it
	 * allocated one more 112-byte object between b100b and b100c. The
	 * runtime's start-up allocations are not modeled yet.
	 */
	assert_int_equal(model[0], BASE);
	assert_int_equal(recs[0].addr, BASE + 0x62070);
	assert_int_equal(recs[11].addr - recs[1].addr, 2 * 112);
	assert_int_equal(model[11] - model[1], 112);
	/* Where the model's pages went: the spans in page-cache order. */
	assert_int_equal(model[2], BASE + 8 * KiB);  /* node span */
	assert_int_equal(model[4], BASE + 16 * KiB); /* 40 KiB, 5 pages */
	assert_int_equal(model[6], BASE + 56 * KiB); /* 5376-byte span */
	/* Both put the 5376-byte span right after the 40 KiB object. */
	assert_int_equal(recs[6].addr - recs[4].addr, 40 * KiB);
	assert_int_equal(model[6] - model[4], 40 * KiB);
	hg_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_classes),
		cmocka_unit_test(test_malloc_header),
		cmocka_unit_test(test_span_reserve),
		cmocka_unit_test(test_wbufs),
		cmocka_unit_test(test_tiny),
		cmocka_unit_test(test_sweep_reuse),
		cmocka_unit_test(test_span_freed_at_sweep),
		cmocka_unit_test(test_swept_del),
		cmocka_unit_test(test_swept_del_central),
		cmocka_unit_test(test_swept_del_tiny),
		cmocka_unit_test(test_cachespan_sweep),
		cmocka_unit_test(test_cachespan_sweep_per_p),
		cmocka_unit_test(test_reclaimer_order),
		cmocka_unit_test(test_sweep_order),
		cmocka_unit_test(test_heap_padding),
		cmocka_unit_test(test_runtime_start),
		cmocka_unit_test(test_trace_start),
		cmocka_unit_test(test_wasm_pointer_size),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_stacks),
		cmocka_unit_test(test_procs),
		cmocka_unit_test(test_page_cache_per_p),
		cmocka_unit_test(test_check_catches),
		cmocka_unit_test(test_trace_errors),
		cmocka_unit_test(test_mcentral_order),
		cmocka_unit_test(test_real_go126),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
