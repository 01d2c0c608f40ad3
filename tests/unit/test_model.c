/*
 * test_model.c - the heap model end to end on the mmap platforms:
 * addresses, growth, statistics, classes and the invariant checker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hg_core.h"

#define KiB (1024ull)
#define MiB (1024ull * 1024)

static struct hg_model *new_model(const char *platform, const char *k1,
				  const char *v1)
{
	struct hg_config cfg;
	char err[256];
	hg_config_init(&cfg);
	if (platform)
		assert_int_equal(hg_config_set(&cfg, "platform", platform, err,
					       sizeof(err)),
				 0);
	if (k1)
		assert_int_equal(hg_config_set(&cfg, k1, v1, err, sizeof(err)),
				 0);
	struct hg_model *m = NULL;
	int rc = hg_model_new(&m, &cfg, err, sizeof(err));
	if (rc)
		fail_msg("hg_model_new: %s", err);
	return m;
}

/* Apply one operation and run the checker; returns the status. */
static int op(struct hg_model *m, enum hg_op_kind kind, const char *id,
	      uint64_t size, struct hg_op_result *res)
{
	struct hg_op o = { .kind = kind, .id = id, .size = size };
	struct hg_op_result scratch;
	char err[256] = "";
	int rc = hg_model_apply(m, &o, res ? res : &scratch, err, sizeof(err));
	if (rc == HG_OK || rc == HG_EOOM) {
		char cerr[256];
		if (hg_model_check(m, cerr, sizeof(cerr)))
			fail_msg("check after %s %s: %s", hg_op_name(kind),
				 id ? id : "", cerr);
	}
	return rc;
}

static hg_addr alloc(struct hg_model *m, const char *id, uint64_t size)
{
	struct hg_op_result r;
	assert_int_equal(op(m, HG_OP_ALLOC, id, size, &r), HG_OK);
	return r.addr;
}

static uint64_t class_sum(const struct hg_figures *f)
{
	uint64_t s = 0;
	for (int c = 0; c < HG_CLASS_COUNT; c++)
		s += f->classes[c];
	return s;
}

/* Reference section 6 item 15, from an empty heap. */
static void test_contiguous_growth(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL, NULL);
	struct hg_op_result r;
	assert_int_equal(op(m, HG_OP_ALLOC, "a", 5 * MiB, &r), HG_OK);
	assert_int_equal(r.addr, 0xc000000000ull);
	assert_int_equal(r.npages, 640);
	assert_int_equal(r.grew, 8 * MiB);
	assert_int_equal(hg_model_stats(m)->final.heap_sys, 8 * MiB);
	assert_int_equal(op(m, HG_OP_ALLOC, "b", 70 * MiB, &r), HG_OK);
	assert_int_equal(r.addr, 0xc000500000ull);
	assert_int_equal(r.npages, 8960);
	assert_int_equal(r.grew, 72 * MiB);
	const struct hg_stats *s = hg_model_stats(m);
	assert_int_equal(s->final.heap_sys, 80 * MiB);
	assert_int_equal(s->final.heap_inuse, 75 * MiB);
	assert_int_equal(s->final.heap_idle, s->final.heap_released);
	assert_int_equal(s->heap_grows, 2);
	/* One arena, then two more right after it: contiguous. */
	assert_int_equal(s->final.arenas, 3);
	assert_int_equal(s->final.classes[HG_CLASS_STRANDED], 0);
	assert_int_equal(class_sum(&s->final), hg_model_space_end(m) - 0x10000);
	hg_model_free(m);
}

struct commit_case {
	uint64_t committed, sys, heap_sys, inuse, heap_free;
};

static struct commit_case commit_for(const char *platform)
{
	struct hg_model *m = new_model(platform, NULL, NULL);
	alloc(m, "a", 5 * MiB);
	alloc(m, "b", 70 * MiB);
	const struct hg_figures *f = &hg_model_stats(m)->final;
	struct commit_case c = { f->committed, f->classes[HG_CLASS_SYS],
				 f->heap_sys, f->heap_inuse,
				 f->classes[HG_CLASS_HEAP_FREE] };
	hg_model_free(m);
	return c;
}

/* Windows commits in sysUsed (what spans use); Linux in sysMap (all mapped). */
static void test_commit_linux_vs_windows(void **state)
{
	(void)state;
	struct commit_case l = commit_for("linux/amd64");
	struct commit_case w = commit_for("windows/amd64");
	assert_int_equal(l.committed, l.heap_sys + l.sys);
	assert_int_equal(w.committed, w.inuse + w.heap_free + w.sys);
	assert_int_equal(w.heap_sys, l.heap_sys);
	/* The 5 MiB of grown but unused heap is committed only on Linux. */
	assert_int_equal(l.committed - l.sys - (w.committed - w.sys), 5 * MiB);
}

/* A foreign mapping at the next hint makes growth discontiguous. */
static void test_discontiguous_growth(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL, NULL);
	struct hg_op_result r;
	assert_int_equal(alloc(m, "a", 4 * MiB), 0xc000000000ull);
	struct hg_op mm = { .kind = HG_OP_MMAP,
			    .id = "lib",
			    .size = 16 * MiB,
			    .addr = 0xc004000000ull,
			    .has_addr = true };
	char err[256];
	assert_int_equal(hg_model_apply(m, &mm, &r, err, sizeof(err)), 0);
	assert_int_equal(r.addr, 0xc004000000ull);
	assert_int_equal(op(m, HG_OP_ALLOC, "huge", 100 * MiB, &r), HG_OK);
	assert_int_equal(r.addr, 0x1c000000000ull);
	/* The old arena's 60 MiB remainder was handed to the page allocator. */
	assert_int_equal(r.grew, 60 * MiB + 100 * MiB);
	assert_int_equal(alloc(m, "b", 1 * MiB), 0xc000400000ull);
	assert_int_equal(hg_model_stats(m)->final.classes[HG_CLASS_STRANDED],
			 0);
	hg_model_free(m);
}

/* Every hint taken: an aligned reservation anywhere, and hints around it. */
static void test_hints_exhausted(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL, NULL);
	char err[256], id[16];
	struct hg_op_result r;
	for (int i = 0; i <= 0x3f; i++) {
		snprintf(id, sizeof(id), "m%d", i);
		struct hg_op mm = { .kind = HG_OP_MMAP,
				    .id = id,
				    .size = 64 * KiB,
				    .addr = (uint64_t)i << 40 | 0xc0ull << 32,
				    .has_addr = true };
		assert_int_equal(hg_model_apply(m, &mm, &r, err, sizeof(err)),
				 0);
	}
	assert_int_equal(op(m, HG_OP_ALLOC, "a", 1 * MiB, &r), HG_OK);
	/* Top-down placement below the metadata, aligned to the arena. */
	assert_true(r.addr > 0x7f0000000000ull);
	assert_int_equal(r.addr % (64 * MiB), 0);
	hg_addr first = r.addr;
	/*
	 * The up-hint above it runs into the metadata, so the kernel puts
	 * the next reservation elsewhere; Go drops that hint and the down-hint
	 * extends the heap downward, right below the first arena.
	 */
	assert_int_equal(op(m, HG_OP_ALLOC, "b", 100 * MiB, &r), HG_OK);
	assert_int_equal(r.addr, first - 128 * MiB);
	hg_model_free(m);
}

static void test_32bit_prereservation(void **state)
{
	(void)state;
	struct hg_model *m = new_model("linux/386", NULL, NULL);
	/* alignUp(end of image 0x8148000 + 256 KiB, 4 MiB). */
	assert_int_equal(alloc(m, "a", 5 * MiB), 0x8400000ull);
	assert_int_equal(alloc(m, "b", 70 * MiB), 0x8900000ull);
	assert_int_equal(hg_model_stats(m)->final.heap_sys, 80 * MiB);
	hg_model_free(m);

	m = new_model("windows/386", NULL, NULL);
	assert_int_equal(alloc(m, "a", 5 * MiB), 0x800000ull);
	hg_model_free(m);
}

static void test_arm64_hints(void **state)
{
	(void)state;
	struct hg_model *m = new_model("linux/arm64", "phys_page_size", "64K");
	assert_int_equal(alloc(m, "a", 1), 0x4000000000ull);
	hg_model_free(m);
}

/* Freed pages stay committed; the scavenger releases from the top. */
static void test_scavenge_top_first(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, "page_cache", "false");
	struct hg_op_result r;
	alloc(m, "a", 8 * MiB);
	alloc(m, "b", 8 * MiB);
	alloc(m, "keep", 8 * MiB);
	op(m, HG_OP_FREE, "a", 0, NULL);
	op(m, HG_OP_FREE, "b", 0, NULL);
	const struct hg_figures *f = &hg_model_stats(m)->final;
	assert_int_equal(f->heap_released, 0);
	assert_int_equal(f->classes[HG_CLASS_HEAP_FREE], 16 * MiB);
	assert_int_equal(op(m, HG_OP_SCAVENGE, NULL, 4 * MiB, &r), HG_OK);
	assert_int_equal(r.released, 4 * MiB);
	/* The low part of the freed space is still Ready: no scav on reuse. */
	assert_int_equal(op(m, HG_OP_ALLOC, "c", 12 * MiB, &r), HG_OK);
	assert_int_equal(r.addr, 0xc000000000ull);
	assert_int_equal(r.scav, 0);
	assert_int_equal(op(m, HG_OP_ALLOC, "d", 4 * MiB, &r), HG_OK);
	assert_int_equal(r.addr, 0xc000c00000ull);
	assert_int_equal(r.scav, 4 * MiB);
	hg_model_free(m);
}

static void test_page_cache(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL, NULL);
	assert_int_equal(alloc(m, "s1", 8 * KiB), 0xc000000000ull);
	assert_int_equal(alloc(m, "s2", 24 * KiB), 0xc000002000ull);
	/* 16 pages bypass the cache, which holds the first 64-page block. */
	assert_int_equal(alloc(m, "big", 128 * KiB), 0xc000080000ull);
	assert_int_equal(alloc(m, "s3", 8 * KiB), 0xc000008000ull);
	hg_model_free(m);

	m = new_model(NULL, "page_cache", "false");
	alloc(m, "s1", 8 * KiB);
	alloc(m, "s2", 24 * KiB);
	assert_int_equal(alloc(m, "big", 128 * KiB), 0xc000008000ull);
	hg_model_free(m);
}

static void test_commit_limit_oom(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, "commit_limit", "96M");
	struct hg_op_result r;
	assert_int_equal(op(m, HG_OP_ALLOC, "a", 16 * MiB, &r), HG_OK);
	assert_int_equal(op(m, HG_OP_ALLOC, "b", 16 * MiB, &r), HG_OK);
	assert_int_equal(op(m, HG_OP_ALLOC, "c", 64 * MiB, &r), HG_EOOM);
	const struct hg_stats *s = hg_model_stats(m);
	assert_true(s->oom);
	assert_int_equal(s->oom_event, 2);
	assert_string_equal(s->oom_id, "c");
	assert_non_null(strstr(s->oom_message, "out of memory"));
	assert_true(s->final.committed <= 96 * MiB);
	/* The runtime threw: nothing more happens. */
	assert_int_equal(op(m, HG_OP_ALLOC, "d", 8 * KiB, &r), HG_EOOM);
	hg_model_free(m);

	/* Windows charges only used pages and gets further. */
	m = new_model("windows/amd64", "commit_limit", "96M");
	assert_int_equal(op(m, HG_OP_ALLOC, "a", 16 * MiB, &r), HG_OK);
	assert_int_equal(op(m, HG_OP_ALLOC, "b", 16 * MiB, &r), HG_OK);
	assert_int_equal(op(m, HG_OP_ALLOC, "c", 48 * MiB, &r), HG_OK);
	assert_int_equal(op(m, HG_OP_ALLOC, "d", 8 * MiB, &r), HG_EOOM);
	hg_model_free(m);
}

/* The address space runs out: Go's out-of-memory message. */
static void test_address_space_oom(void **state)
{
	(void)state;
	struct hg_model *m = new_model("linux/386", NULL, NULL);
	struct hg_op_result r;
	assert_int_equal(op(m, HG_OP_ALLOC, "a", 3584 * MiB, &r), HG_EOOM);
	assert_non_null(strstr(hg_model_stats(m)->oom_message,
			       "cannot allocate 3758096384-byte block"));
	hg_model_free(m);
	/* More pages than 48 bits of addresses hold: refused before the
	 * page allocator is asked, its pages' bytes said. */
	m = new_model("linux/amd64", NULL, NULL);
	assert_int_equal(op(m, HG_OP_ALLOC, "a", 8 * KiB, &r), HG_OK);
	assert_int_equal(op(m, HG_OP_ALLOC, "b", (UINT64_C(1) << 48) + 1, &r),
			 HG_EOOM);
	assert_non_null(strstr(hg_model_stats(m)->oom_message,
			       "cannot allocate 281474976718848-byte block"));
	hg_model_free(m);
}

static void test_trace_errors(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL, NULL);
	char err[256];
	struct hg_op_result r;
	struct hg_op o = { .kind = HG_OP_FREE, .id = "nope" };
	assert_int_equal(hg_model_apply(m, &o, &r, err, sizeof(err)),
			 HG_ETRACE);
	assert_non_null(strstr(err, "unknown id 'nope'"));
	alloc(m, "x", 8 * KiB);
	o = (struct hg_op){ .kind = HG_OP_ALLOC, .id = "x", .size = 8 * KiB };
	assert_int_equal(hg_model_apply(m, &o, &r, err, sizeof(err)),
			 HG_ETRACE);
	assert_non_null(strstr(err, "already live"));
	/* An id can be reused after it is freed. */
	op(m, HG_OP_FREE, "x", 0, NULL);
	alloc(m, "x", 8 * KiB);
	hg_model_free(m);
}

static void test_sysalloc_and_foreign(void **state)
{
	(void)state;
	struct hg_model *m = new_model(NULL, NULL, NULL);
	struct hg_op_result r;
	uint64_t sys0 = hg_model_stats(m)->final.classes[HG_CLASS_SYS];
	assert_int_equal(op(m, HG_OP_SYSALLOC, "st", 30 * KiB, &r), HG_OK);
	assert_int_equal(r.size, 32 * KiB);
	assert_int_equal(hg_model_stats(m)->final.classes[HG_CLASS_SYS],
			 sys0 + 32 * KiB);
	assert_int_equal(op(m, HG_OP_SYSFREE, "st", 0, &r), HG_OK);
	assert_int_equal(hg_model_stats(m)->final.classes[HG_CLASS_SYS], sys0);
	assert_int_equal(op(m, HG_OP_MMAP, "f", 1 * MiB, &r), HG_OK);
	assert_int_equal(op(m, HG_OP_MUNMAP, "f", 0, &r), HG_OK);
	assert_int_equal(hg_model_stats(m)->final.classes[HG_CLASS_FOREIGN],
			 1 * MiB); /* the program image */
	hg_model_free(m);
}

/* A mixed workload on every mmap platform, checked after every event. */
static void test_churn_all_platforms(void **state)
{
	(void)state;
	static const char *const plats[] = { "linux/amd64", "linux/arm64",
					     "linux/386", "windows/amd64",
					     "windows/386" };
	for (size_t p = 0; p < sizeof(plats) / sizeof(plats[0]); p++) {
		struct hg_model *m = new_model(plats[p], NULL, NULL);
		uint64_t x = 12345;
		char id[32];
		for (int i = 0; i < 600; i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			snprintf(id, sizeof(id), "%d", (int)(x >> 33) % 64);
			uint64_t size = ((x >> 20) % 4 == 0)
						? ((x >> 40) % (24 * MiB)) + 1
						: ((x >> 40) % (96 * KiB)) + 1;
			struct hg_op_result r;
			int rc = op(m, HG_OP_ALLOC, id, size, &r);
			if (rc == HG_ETRACE)
				op(m, HG_OP_FREE, id, 0, NULL);
			else
				assert_int_equal(rc, HG_OK);
			if (i % 97 == 0)
				op(m, HG_OP_SCAVENGE, NULL,
				   (x >> 30) % (8 * MiB), NULL);
		}
		const struct hg_figures *f = &hg_model_stats(m)->final;
		assert_int_equal(f->heap_sys, f->heap_inuse + f->heap_idle);
		hg_model_free(m);
	}
}

/*
 * The peaks are the most each figure has been after any event (and after
 * the runtime's start), whichever way the model raises them: the short
 * way of a span replay on linux/amd64 and windows/amd64, every figure on
 * a platform with a break (js/wasm) and once the object layer runs.
 */
static void raise_max(struct hg_figures *mx, const struct hg_figures *f)
{
	uint64_t *a = (uint64_t *)mx;
	const uint64_t *b = (const uint64_t *)f;

	for (size_t i = 0; i < sizeof(*f) / sizeof(uint64_t); i++)
		if (b[i] > a[i])
			a[i] = b[i];
}

static void peaks_of(const char *platform, bool objects)
{
	struct hg_model *m = new_model(platform, NULL, NULL);
	struct hg_figures mx = hg_model_stats(m)->final;
	char id[32], err[256];
	uint64_t s = 12345;

	for (int i = 0; i < 3000; i++) {
		struct hg_op o = { 0 };
		struct hg_op_result r;

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		unsigned k = (unsigned)(s >> 33) % 16,
			 n = (unsigned)(s >> 40) % 64;
		const char *fam = k < 8    ? "s"
				  : k < 11 ? "g"
				  : k < 12 ? "m"
					   : "o";
		snprintf(id, sizeof(id), "%s%u", fam, n);
		o.id = id;
		if (k < 8) {
			o.kind = HG_OP_ALLOC;
			o.size = (1 + (s >> 20) % 4) * 8 * KiB +
				 (k == 7 ? (s >> 24) % (8 * MiB) : 0);
		} else if (k < 11) {
			o.kind = HG_OP_SYSALLOC;
			o.size = 8 * KiB << ((s >> 20) % 3);
		} else if (k < 12) {
			o.kind = HG_OP_MMAP;
			o.size = 64 * KiB + (s >> 20) % (2 * MiB);
		} else if (k < 15) {
			if (!objects)
				continue;
			o.kind = HG_OP_NEW;
			o.size = 16 + (s >> 20) % 40000;
		} else {
			o.kind = HG_OP_SCAVENGE;
			o.id = NULL;
			o.size = 1 * MiB;
		}
		int rc = hg_model_apply(m, &o, &r, err, sizeof(err));
		if (rc == HG_ETRACE) {
			/* The id is live: end it instead. */
			static const enum hg_op_kind end[] = {
				[HG_OP_ALLOC] = HG_OP_FREE,
				[HG_OP_SYSALLOC] = HG_OP_SYSFREE,
				[HG_OP_MMAP] = HG_OP_MUNMAP,
				[HG_OP_NEW] = HG_OP_DEL,
			};
			o.kind = end[o.kind];
			o.size = 0;
			rc = hg_model_apply(m, &o, &r, err, sizeof(err));
		}
		if (rc != HG_OK)
			fail_msg("%s event %d: %s", platform, i, err);
		raise_max(&mx, &hg_model_stats(m)->final);
	}
	const struct hg_stats *st = hg_model_stats(m);
	assert_true(st->peak.heap_sys > 0);
	assert_true(st->peak.heap_released > 0);
	assert_int_equal(st->object_ops, objects);
	assert_memory_equal(&st->peak, &mx, sizeof(mx));
	hg_model_free(m);
}

static void test_peaks_are_maxima(void **state)
{
	(void)state;
	peaks_of("linux/amd64", false);
	peaks_of("windows/amd64", false);
	peaks_of("js/wasm", false);
	peaks_of("linux/amd64", true);
}

/* Prefetching is asked for only once an id map outgrows the host's
 * caches (65,536 slots, from the 24,577th live id of a family); a small map's
 * op still gets its id's length and hash. */
static void test_prefetch_wanted(void **state)
{
	struct hg_config cfg;
	struct hg_model *m;
	char err[256], id[32];
	unsigned n = 0;

	(void)state;
	hg_config_init(&cfg);
	assert_int_equal(hg_model_new(&m, &cfg, err, sizeof(err)), HG_OK);
	assert_false(hg_model_prefetch_wanted(m));
	struct hg_op op = { .kind = HG_OP_SYSALLOC, .id = "g1", .size = 8192 };
	hg_model_prefetch(m, &op, 0);
	assert_int_equal(op.id_len, 2);
	assert_true(op.id_hash == hg_id_hash("g1", 2));
	while (!hg_model_prefetch_wanted(m) && n < 100000) {
		snprintf(id, sizeof(id), "g%u", n++);
		op = (struct hg_op){ .kind = HG_OP_SYSALLOC,
				     .id = id,
				     .size = 8192 };
		hg_model_prefetch(m, &op, 0);
		hg_model_prefetch(m, &op, 1);
		if (hg_model_apply(m, &op, NULL, err, sizeof(err)) != HG_OK)
			fail_msg("sysalloc %u: %s", n, err);
	}
	/* The index grew from 32,768 to 65,536 slots at the 24,577th id. */
	assert_int_equal(n, 24577);
	hg_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contiguous_growth),
		cmocka_unit_test(test_commit_linux_vs_windows),
		cmocka_unit_test(test_discontiguous_growth),
		cmocka_unit_test(test_hints_exhausted),
		cmocka_unit_test(test_32bit_prereservation),
		cmocka_unit_test(test_arm64_hints),
		cmocka_unit_test(test_scavenge_top_first),
		cmocka_unit_test(test_page_cache),
		cmocka_unit_test(test_commit_limit_oom),
		cmocka_unit_test(test_address_space_oom),
		cmocka_unit_test(test_trace_errors),
		cmocka_unit_test(test_sysalloc_and_foreign),
		cmocka_unit_test(test_churn_all_platforms),
		cmocka_unit_test(test_peaks_are_maxima),
		cmocka_unit_test(test_prefetch_wanted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
