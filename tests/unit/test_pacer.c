/*
 * test_pacer.c - the GC pacer's heap goal (NextGC) per release: GOGC,
 * the heap minimum, swept frees after a gc, GOGC=off and the memory limit;
 * the cycles it starts at its trigger (gc=paced) (README "GC pacing").
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

static struct hg_model *model_gc(const char *go, const char *gogc,
				 const char *limit, const char *gc)
{
	struct hg_config cfg;
	struct hg_model *m = NULL;
	char err[256];

	hg_config_init(&cfg);
	assert_int_equal(hg_config_set(&cfg, "go", go, err, sizeof(err)), 0);
	if (gc)
		assert_int_equal(
			hg_config_set(&cfg, "gc", gc, err, sizeof(err)), 0);
	if (gogc)
		assert_int_equal(
			hg_config_set(&cfg, "gogc", gogc, err, sizeof(err)), 0);
	if (limit)
		assert_int_equal(hg_config_set(&cfg, "memory_limit", limit, err,
					       sizeof(err)),
				 0);
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	return m;
}

/* The goal's tests: the trace's gc events only. */
static struct hg_model *model(const char *go, const char *gogc,
			      const char *limit)
{
	return model_gc(go, gogc, limit, "trace");
}

static void op(struct hg_model *m, enum hg_op_kind kind, const char *id,
	       uint64_t size, bool swept)
{
	struct hg_op o = {
		.kind = kind, .id = id, .size = size, .swept = swept
	};
	struct hg_op_result r;
	char err[256] = "";

	if (hg_model_apply(m, &o, &r, err, sizeof(err)) != HG_OK)
		fail_msg("%s %s: %s", hg_op_name(kind), id ? id : "", err);
}

/* Objects of 1 MiB with ids PREFIX<i>, i in [from, to): made or freed. */
static void mib_ops(struct hg_model *m, enum hg_op_kind kind,
		    const char *prefix, int from, int to)
{
	char id[32];

	for (int i = from; i < to; i++) {
		snprintf(id, sizeof id, "%s%d", prefix, i);
		op(m, kind, id, kind == HG_OP_NEW ? MiB : 0, false);
	}
}

static void mib_news(struct hg_model *m, const char *prefix, int from, int to)
{
	mib_ops(m, HG_OP_NEW, prefix, from, to);
}

static void mib_dels(struct hg_model *m, const char *prefix, int from, int to)
{
	mib_ops(m, HG_OP_DEL, prefix, from, to);
}

static uint64_t next_gc(const struct hg_model *m)
{
	return hg_model_stats(m)->final.next_gc;
}

/* Ten large objects of 1 MiB (their own spans: HeapAlloc is exact). */
static void ten_mib(struct hg_model *m)
{
	mib_news(m, "o", 0, 10);
}

static void test_gogc(void **state)
{
	(void)state;
	struct hg_model *m = model("1.26", NULL, NULL);
	ten_mib(m);
	/* Before the first cycle: the heap minimum. */
	assert_int_equal(next_gc(m), 4 * MiB);
	op(m, HG_OP_DEL, "o0", 0, false);
	op(m, HG_OP_GC, NULL, 0, false);
	uint64_t marked = hg_model_stats(m)->final.heap_alloc;
	assert_int_equal(marked, 9 * MiB);
	assert_int_equal(next_gc(m), 2 * marked);
	/* Swept frees after the gc: objects the cycle did not mark. */
	op(m, HG_OP_DEL, "o1", 0, true);
	assert_int_equal(next_gc(m), 16 * MiB);
	hg_model_free(m);

	m = model("1.17", "50", NULL);
	ten_mib(m);
	assert_int_equal(next_gc(m), 2 * MiB);
	op(m, HG_OP_GC, NULL, 0, false);
	assert_int_equal(next_gc(m), 15 * MiB);
	hg_model_free(m);
}

static void test_minimum(void **state)
{
	(void)state;
	struct hg_model *m = model("1.19", "200", NULL);
	op(m, HG_OP_NEW, "a", 64 * KiB, false);
	op(m, HG_OP_GC, NULL, 0, false);
	assert_int_equal(next_gc(m), 8 * MiB);
	hg_model_free(m);
}

static void test_off(void **state)
{
	(void)state;
	/* Before go1.19 GOGC=off has no goal at all. */
	struct hg_model *m = model("1.17", "off", NULL);
	ten_mib(m);
	op(m, HG_OP_GC, NULL, 0, false);
	assert_true(next_gc(m) == UINT64_MAX);
	hg_model_free(m);
	/* From go1.19 it is the default limit's goal: math.MaxInt64 less
	 * the memory that is not heap, less 1 MiB. */
	m = model("1.19", "off", NULL);
	ten_mib(m);
	op(m, HG_OP_GC, NULL, 0, false);
	uint64_t g = next_gc(m);
	assert_true(g < (uint64_t)INT64_MAX - MiB);
	assert_true(g > (uint64_t)INT64_MAX - 64 * MiB);
	hg_model_free(m);
}

static void test_memory_limit(void **state)
{
	(void)state;
	/* A 20 MiB limit with 10 MiB of live heap: the limit's goal is
	 * below GOGC's 20 MiB; never below the marked heap. */
	struct hg_model *m = model("1.19", NULL, "20M");
	ten_mib(m);
	op(m, HG_OP_GC, NULL, 0, false);
	const struct hg_stats *st = hg_model_stats(m);
	uint64_t g = next_gc(m);
	assert_true(g < 19 * MiB);
	assert_true(g >= st->final.heap_alloc);
	hg_model_free(m);
	/* go1.22+ takes 3% headroom (at least 1 MiB), go1.19 1 MiB: with
	 * a 1 GiB limit, go1.19's goal is above 1000 MiB, go1.26's at most
	 * 97% of the limit. */
	struct hg_model *a = model("1.19", "off", "1G");
	struct hg_model *b = model("1.26", "off", "1G");
	ten_mib(a);
	ten_mib(b);
	op(a, HG_OP_GC, NULL, 0, false);
	op(b, HG_OP_GC, NULL, 0, false);
	assert_true(next_gc(a) > 1000 * MiB);
	assert_true(next_gc(a) < 1023 * MiB);
	assert_true(next_gc(b) <= 1024 * MiB / 100 * 97);
	assert_true(next_gc(b) > 980 * MiB);
	hg_model_free(a);
	hg_model_free(b);
	/* Before go1.19 the limit does nothing. */
	m = model("1.17", NULL, "20M");
	ten_mib(m);
	op(m, HG_OP_GC, NULL, 0, false);
	assert_int_equal(next_gc(m), 20 * MiB);
	hg_model_free(m);
}

/*
 * go1.19-1.20's scavenge index, a bit a chunk: the first heap growth maps
 * it from its start (Go: (*scavengeIndex).grow extends the range down to
 * the top of what is mapped, 0 then). On linux/amd64 the chunk indices
 * start at the arena base offset, so that is 4 MiB of mapped metadata,
 * which the memory limit's heap goal counts as non-heap memory (25 MiB
 * live, so the goal under 40 MiB is the limit less the non-heap memory
 * and 1 MiB of headroom); on linux/arm64 12 KiB.
 */
/* The limit's heap goal (memory_limit 40M, gc trace) after 25 MiB of
 * objects and a gc, under cfg's other keys. */
static uint64_t limit_goal_of(struct hg_config *cfg)
{
	struct hg_model *m = NULL;
	char err[256];

	assert_int_equal(hg_config_set(cfg, "gc", "trace", err, sizeof(err)),
			 0);
	assert_int_equal(
		hg_config_set(cfg, "memory_limit", "40M", err, sizeof(err)), 0);
	if (hg_model_new(&m, cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	for (int i = 0; i < 25; i++) {
		char id[16];

		snprintf(id, sizeof id, "o%d", i);
		op(m, HG_OP_NEW, id, MiB, false);
	}
	op(m, HG_OP_GC, NULL, 0, false);
	uint64_t goal = next_gc(m);
	hg_model_free(m);
	return goal;
}

static uint64_t limit_goal_on(const char *platform)
{
	struct hg_config cfg;
	char err[256];

	hg_config_init(&cfg);
	assert_int_equal(
		hg_config_set(&cfg, "platform", platform, err, sizeof(err)), 0);
	assert_int_equal(hg_config_set(&cfg, "go", "1.19", err, sizeof(err)),
			 0);
	return limit_goal_of(&cfg);
}

/* The limit's heap goal after 25 MiB of objects and a gc, go1.26 on
 * linux/amd64, with memory profiling (mem_profile) on or off. */
static uint64_t limit_goal_profiled(const char *profile)
{
	struct hg_config cfg;
	char err[256];

	hg_config_init(&cfg);
	assert_int_equal(hg_config_set(&cfg, "go", "1.26", err, sizeof(err)),
			 0);
	assert_int_equal(
		hg_config_set(&cfg, "mem_profile", profile, err, sizeof(err)),
		0);
	return limit_goal_of(&cfg);
}

/*
 * mem_profile: the first allocation is sampled and maps the profiler's
 * hash table, 179999 pointers (1441792 bytes in 4 KiB pages), which the
 * memory limit's heap goal counts as memory outside the heap: the goal
 * drops by that less the headroom's share of it (go1.22+: 5% of the
 * goal).
 */
static void test_mem_profile_buckhash(void **state)
{
	(void)state;
	uint64_t off = limit_goal_profiled("false");
	uint64_t on = limit_goal_profiled("true");

	assert_true(off > on);
	assert_true(off - on <= 1441792);
	assert_true(off - on >= 1441792 / 100 * 90);
}

static void test_scavenge_index_go119(void **state)
{
	(void)state;
	uint64_t amd64 = limit_goal_on("linux/amd64");
	uint64_t arm64 = limit_goal_on("linux/arm64");

	/* Besides the index: the heapArena (2 MiB and more), the chunk
	 * bitmaps (1 MiB) and, under a limit, the runtime's own metadata
	 * that runtime_meta.c counts without placing it on the mmap
	 * platforms, a persistentalloc chunk (256 KiB) at least. */
	assert_true(amd64 + MiB + 7 * MiB + 256 * KiB <= 40 * MiB);
	assert_true(arm64 > amd64 + 4 * MiB);
}

/*
 * The memory limit's goal for the background scavenger: 95% of the limit
 * from go1.22; go1.19-1.21's gcPaceScavenger takes 95 times the limit,
 * so nothing is released for the limit there. 38 MiB live, 4 MiB of it
 * freed at the gc, a 40 MiB limit: the mapped memory (heap and the
 * runtime's metadata) is over 38 MiB. Without a clock the scavenger
 * works toward a cycle's goals at the next cycle's start.
 */
static uint64_t released_for_limit(const char *go)
{
	struct hg_model *m = model(go, NULL, "40M");
	struct hg_config cfg = *hg_model_config(m);
	char err[256];

	/* The goal alone: the cycle's own frees released at once (with the
	 * generations, only after the next gc: test_scavenger_gens). */
	hg_model_free(m);
	assert_int_equal(hg_config_set(&cfg, "scavenger_gens", "false", err,
				       sizeof(err)),
			 0);
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);

	mib_news(m, "o", 0, 38);
	uint64_t before = hg_model_stats(m)->final.heap_released;
	mib_dels(m, "o", 0, 4);
	op(m, HG_OP_GC, NULL, 0, false);
	op(m, HG_OP_GC, NULL, 0, false); /* its start: the scavenger */
	uint64_t got = hg_model_stats(m)->final.heap_released - before;
	hg_model_free(m);
	return got;
}

static void test_memory_limit_goal(void **state)
{
	(void)state;
	assert_int_equal(released_for_limit("1.19"), 0);
	assert_int_equal(released_for_limit("1.21"), 0);
	assert_true(released_for_limit("1.22") >= MiB);
	assert_true(released_for_limit("1.26") >= MiB);
}

static struct hg_model *scav_model(const char *go, const char *on,
				   const char *pace)
{
	struct hg_model *m = model(go, NULL, NULL);
	struct hg_config cfg = *hg_model_config(m);
	char err[256];

	hg_model_free(m);
	assert_int_equal(hg_config_set(&cfg, "scavenger", on, err, sizeof(err)),
			 0);
	assert_int_equal(
		hg_config_set(&cfg, "scavenger_pace", pace, err, sizeof(err)),
		0);
	/* The goals alone: a cycle's own frees are released at once (with
	 * the generations, only after the next gc: test_scavenger_gens). */
	assert_int_equal(hg_config_set(&cfg, "scavenger_gens", "false", err,
				       sizeof(err)),
			 0);
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	return m;
}

/*
 * 40 MiB allocated, 36 MiB freed: at the next gc the scavenger releases
 * what the retained heap holds over its goal (go1.13+), nothing when
 * off or before go1.13. A trace without a clock (scavenger_pace time, no
 * time events) gets it, from go1.19, only at the start of the cycle
 * after (finishsweep_m's wake; cycles more: the gcs after that one);
 * scavenger_pace gc and the older releases at that gc itself.
 */
static uint64_t released_after_gc_pace(const char *go, const char *on,
				       const char *pace, int more)
{
	struct hg_model *m = scav_model(go, on, pace);

	mib_news(m, "o", 0, 40);
	op(m, HG_OP_GC, NULL, 0, false);
	uint64_t before = hg_model_stats(m)->final.heap_released;
	mib_dels(m, "o", 4, 40);
	op(m, HG_OP_GC, NULL, 0, false);
	while (more-- > 0)
		op(m, HG_OP_GC, NULL, 0, false);
	const struct hg_figures *f = &hg_model_stats(m)->final;
	uint64_t got = f->heap_released - before;
	if (strcmp(on, "true") == 0 && strcmp(go, "1.12") != 0 && got) {
		/* retained at most the goal plus 10%, page-rounded */
		uint64_t retained =
			f->heap_inuse + f->heap_idle - f->heap_released;
		assert_true(retained <= f->next_gc + f->next_gc / 10 + MiB);
	}
	hg_model_free(m);
	return got;
}

static uint64_t released_after_gc(const char *go, const char *on)
{
	return released_after_gc_pace(go, on, "gc", 0);
}

static void test_scavenger(void **state)
{
	(void)state;
	assert_true(released_after_gc("1.26", "true") > 16 * MiB);
	assert_true(released_after_gc("1.19", "true") > 16 * MiB);
	assert_true(released_after_gc("1.14", "true") > 16 * MiB);
	assert_int_equal(released_after_gc("1.26", "false"), 0);
	assert_int_equal(released_after_gc("1.12", "true"), 0);
	/* No clock: go1.19+ at the next cycle's start, not at the gc. */
	assert_int_equal(released_after_gc_pace("1.19", "true", "time", 0), 0);
	assert_true(released_after_gc_pace("1.19", "true", "time", 1) >
		    16 * MiB);
	assert_int_equal(released_after_gc_pace("1.26", "true", "time", 0), 0);
	assert_true(released_after_gc_pace("1.26", "true", "time", 1) >
		    16 * MiB);
	assert_int_equal(released_after_gc_pace("1.19", "false", "time", 1), 0);
	/* off: the background scavenger never runs */
	assert_int_equal(released_after_gc_pace("1.26", "true", "off", 1), 0);
	assert_int_equal(released_after_gc_pace("1.14", "true", "off", 0), 0);
	assert_true(released_after_gc_pace("1.14", "true", "time", 0) >
		    16 * MiB);
}

static uint64_t num_gc(const struct hg_model *m)
{
	return hg_model_stats(m)->final.num_gc;
}

/* n objects of size bytes, each dead at once when die (a plain del, as a
 * C free: reclaimed at the next cycle); returns how many objects had
 * been allocated when each of the first cycles (at most 8) ran. */
static void allocate(struct hg_model *m, int n, uint64_t size, bool die,
		     int at[8])
{
	static unsigned next_id;
	char id[16];
	uint64_t gcs = num_gc(m);

	for (int i = 0; i < 8; i++)
		at[i] = -1;
	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof id, "p%u", next_id++);
		op(m, HG_OP_NEW, id, size, false);
		if (num_gc(m) != gcs) {
			if (gcs < 8)
				at[gcs] = i + 1;
			gcs = num_gc(m);
		}
		if (die)
			op(m, HG_OP_DEL, id, 0, false);
	}
}

/*
 * gc=paced: a cycle when heapLive reaches the trigger, tested after each
 * large object. go1.19+: 61/64 of the way from the marked heap to the
 * goal: 3.8125 MiB before the first cycle (the 4th MiB), then 4 + 3.8125
 * (the 8th). go1.5-1.17: heapMinimum (4 MiB), then the marked heap times
 * 1 + 7/8 (7.5 MiB: the 30th object of 256 KiB, where go1.26 takes the
 * 32nd).
 */
static void test_paced(void **state)
{
	int at[8];

	(void)state;
	struct hg_model *m = model_gc("1.26", NULL, NULL, "paced");
	allocate(m, 10, MiB, false, at);
	assert_int_equal(at[0], 4);
	assert_int_equal(at[1], 8);
	assert_int_equal(at[2], -1);
	assert_int_equal(num_gc(m), 2);
	assert_int_equal(next_gc(m), 16 * MiB);
	hg_model_free(m);

	m = model_gc("1.26", NULL, NULL, "paced");
	allocate(m, 40, 256 * KiB, false, at);
	assert_int_equal(at[0], 16);
	assert_int_equal(at[1], 32);
	hg_model_free(m);
	m = model_gc("1.17", NULL, NULL, "paced");
	allocate(m, 40, 256 * KiB, false, at);
	assert_int_equal(at[0], 16);
	assert_int_equal(at[1], 30);
	hg_model_free(m);

	/* Garbage is reclaimed at each paced cycle: the heap stays under
	 * the 4 MiB minimum. The first cycle at the 4th object, which is
	 * live then (1 MiB marked: trigger 1 + 3/64*61 MiB), then every
	 * 3rd: 33 cycles in 100 objects. */
	m = model_gc("1.26", NULL, NULL, "paced");
	allocate(m, 100, MiB, true, at);
	assert_int_equal(at[0], 4);
	assert_int_equal(at[1], 7);
	assert_int_equal(num_gc(m), 33);
	assert_true(hg_model_stats(m)->peak.heap_alloc <= 4 * MiB);
	hg_model_free(m);

	/* gc=trace: none; GOGC=off without a limit: none. */
	m = model_gc("1.26", NULL, NULL, "trace");
	allocate(m, 100, MiB, true, at);
	assert_int_equal(num_gc(m), 0);
	hg_model_free(m);
	m = model_gc("1.26", "off", NULL, "paced");
	allocate(m, 100, MiB, true, at);
	assert_int_equal(num_gc(m), 0);
	hg_model_free(m);

	/* GOGC=off with a 20 MiB limit: the limit's goal paces the cycles,
	 * and the heap stays below the limit. */
	m = model_gc("1.26", "off", "20M", "paced");
	allocate(m, 100, MiB, true, at);
	assert_true(num_gc(m) >= 5);
	assert_true(hg_model_stats(m)->peak.heap_alloc < 20 * MiB);
	hg_model_free(m);
}

/* Small objects: the trigger is tested when an mcache span is refilled,
 * and heapLive counts the whole span from then on. 1 KiB objects with
 * pointers take 1152-byte slots in go1.26 (the 8-byte header), seven to
 * an 8 KiB span: the cycle comes at the first refill past 3.8125 MiB of
 * spans, before the slots themselves reach it. */
static void test_paced_small(void **state)
{
	int at[8];

	(void)state;
	struct hg_model *m = model_gc("1.26", NULL, NULL, "paced");
	allocate(m, 1024, KiB, false, at);
	assert_int_equal(num_gc(m), 0);
	allocate(m, 4096, KiB, false, at);
	assert_int_equal(num_gc(m), 1);
	uint64_t n = 1024 + (uint64_t)at[0];
	assert_int_equal((n - 1) % 7, 0); /* the first of a new span */
	assert_true((n - 1) / 7 * 8 * KiB < 3 * MiB + 13 * MiB / 16);
	assert_true((n - 1) / 7 * 8 * KiB + 8 * KiB >= 3 * MiB + 13 * MiB / 16);
	assert_true(n * 1152 < 3 * MiB + 13 * MiB / 16);
	hg_model_free(m);
}

/* gc left unset: paced until the trace's first gc event, then only the
 * trace's cycles. */
static void test_paced_auto(void **state)
{
	int at[8];

	(void)state;
	struct hg_model *m = model_gc("1.26", NULL, NULL, NULL);
	allocate(m, 5, MiB, false, at);
	assert_int_equal(at[0], 4);
	assert_int_equal(num_gc(m), 1);
	op(m, HG_OP_GC, NULL, 0, false);
	assert_int_equal(num_gc(m), 2);
	allocate(m, 100, MiB, true, at);
	assert_int_equal(num_gc(m), 2);
	hg_model_free(m);
}

static void apply_ok(struct hg_model *m, struct hg_op o)
{
	char err[256] = "";
	if (hg_model_apply(m, &o, NULL, err, sizeof(err)) != HG_OK)
		fail_msg("%s: %s", hg_op_name(o.kind), err);
}

/*
 * scavenge: goal, the background scavenger's run where a clockless trace
 * shows it (a go1.19 log's record of the scavenger's own goroutine): after
 * the gc of released_after_gc_pace (nothing released yet without a
 * clock), it releases at once what the retained heap holds over the
 * goal, the same as the next cycle's start would; a second run finds
 * nothing left; the scavenger off, nothing.
 */
static uint64_t released_by_goal(const char *on, uint64_t *again)
{
	struct hg_model *m = scav_model("1.19", on, "time");
	struct hg_op_result res;
	struct hg_op o = { .kind = HG_OP_SCAVENGE, .goal = true };
	char err[256] = "";

	mib_news(m, "o", 0, 40);
	op(m, HG_OP_GC, NULL, 0, false);
	mib_dels(m, "o", 4, 40);
	op(m, HG_OP_GC, NULL, 0, false);
	uint64_t before = hg_model_stats(m)->final.heap_released;
	memset(&res, 0, sizeof(res));
	if (hg_model_apply(m, &o, &res, err, sizeof(err)) != HG_OK)
		fail_msg("scavenge: %s", err);
	const struct hg_figures *f = &hg_model_stats(m)->final;
	uint64_t got = f->heap_released - before;
	assert_int_equal(res.released, got);
	if (got) {
		uint64_t retained =
			f->heap_inuse + f->heap_idle - f->heap_released;
		assert_true(retained <= f->next_gc + f->next_gc / 10 + MiB);
	}
	apply_ok(m, o);
	*again = hg_model_stats(m)->final.heap_released - before - got;
	hg_model_free(m);
	return got;
}

static void test_scavenge_goal(void **state)
{
	uint64_t again = 1;

	(void)state;
	assert_true(released_by_goal("true", &again) > 16 * MiB);
	assert_int_equal(again, 0);
	assert_int_equal(released_by_goal("false", &again), 0);
	assert_int_equal(again, 0);
	/* the same as the next cycle's start releases */
	assert_int_equal(released_by_goal("true", &again),
			 released_after_gc_pace("1.19", "true", "time", 1));
}

/* A model of release go with config key key set to value (key NULL:
 * none). */
static struct hg_model *model_set(const char *go, const char *key,
				  const char *value)
{
	struct hg_model *m = model(go, NULL, NULL);
	struct hg_config cfg = *hg_model_config(m);
	char err[256] = "";

	if (!key)
		return m;
	hg_model_free(m);
	if (hg_config_set(&cfg, key, value, err, sizeof(err)) != HG_OK)
		fail_msg("%s=%s: %s", key, value, err);
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	return m;
}

/*
 * The idle Ps' page caches are flushed at each GC from go1.21 (and so at
 * FreeOSMemory's), never before: a 64-page span freed, then cached by P 1
 * (63 free, unreleased pages hidden in its cache), then (with three Ps)
 * P 2 caches a fresh block, then FreeOSMemory on P 0. P 1 and P 2 ran
 * since the last GC: not idle, nothing flushed. At the next FreeOSMemory
 * they have not run since: the world started again hands P 2, the idle P
 * the events ran on last, to a spinning M (wakep), which keeps its cache;
 * go1.26 flushes P 1's and releases its 63 pages, go1.19 keeps them. With
 * two Ps, P 1 is the one wakep takes: nothing is flushed.
 */
static uint64_t released_after_idle_set(const char *go, unsigned nprocs,
					const char *key, const char *value)
{
	struct hg_model *m = model_set(go, key, value);
	uint64_t before, after;

	apply_ok(m, (struct hg_op){ .kind = HG_OP_ALLOC,
				    .id = "big",
				    .size = 512 * KiB });
	apply_ok(m, (struct hg_op){ .kind = HG_OP_FREE, .id = "big" });
	apply_ok(m, (struct hg_op){ .kind = HG_OP_PROC, .value = 1 });
	apply_ok(m, (struct hg_op){
			    .kind = HG_OP_ALLOC, .id = "x", .size = 8 * KiB });
	if (nprocs > 2) {
		apply_ok(m, (struct hg_op){ .kind = HG_OP_PROC, .value = 2 });
		apply_ok(m, (struct hg_op){ .kind = HG_OP_ALLOC,
					    .id = "y",
					    .size = 8 * KiB });
	}
	apply_ok(m, (struct hg_op){ .kind = HG_OP_PROC, .value = 0 });
	apply_ok(m, (struct hg_op){ .kind = HG_OP_SCAVENGE, .all = true });
	before = hg_model_stats(m)->final.heap_released;
	assert_int_equal(hg_model_stats(m)->final.heap_idle - before,
			 63 * 8 * KiB);
	apply_ok(m, (struct hg_op){ .kind = HG_OP_SCAVENGE, .all = true });
	after = hg_model_stats(m)->final.heap_released;
	hg_model_free(m);
	return after - before;
}

static uint64_t released_after_idle(const char *go, unsigned nprocs)
{
	return released_after_idle_set(go, nprocs, NULL, NULL);
}

static void test_idle_pcache_flush(void **state)
{
	(void)state;
	/* page_cache_flush switches it to the other releases' */
	assert_int_equal(
		released_after_idle_set("1.26", 3, "page_cache_flush", "false"),
		0);
	assert_int_equal(
		released_after_idle_set("1.19", 3, "page_cache_flush", "true"),
		63 * 8 * KiB);
	assert_int_equal(released_after_idle("1.26", 3), 63 * 8 * KiB);
	assert_int_equal(released_after_idle("1.21", 3), 63 * 8 * KiB);
	assert_int_equal(released_after_idle("1.20", 3), 0);
	assert_int_equal(released_after_idle("1.19", 3), 0);
	assert_int_equal(released_after_idle("1.26", 2), 0);
}

/*
 * per_p_caches: 8 KiB spans a (P 0: the heap's first growth), b (P 1)
 * and c (P 0 again): b comes from P 1's page cache, the rest of a's
 * 64-page block, and c from P 0's, the next block (512 KiB up); with
 * per_p_caches=false the proc events are ignored: c follows b.
 */
static uint64_t per_p_gap(const char *value)
{
	struct hg_model *m = model_set("1.26", "per_p_caches", value);
	struct hg_op_result r[3];
	char err[256] = "";
	static const char *const ids[] = { "a", "b", "c" };

	for (int i = 0; i < 3; i++) {
		struct hg_op o = { .kind = HG_OP_ALLOC,
				   .id = ids[i],
				   .size = 8 * KiB };
		if (i)
			apply_ok(m,
				 (struct hg_op){ .kind = HG_OP_PROC,
						 .value = (uint64_t)(i % 2) });
		if (hg_model_apply(m, &o, &r[i], err, sizeof(err)) != HG_OK)
			fail_msg("alloc %s: %s", ids[i], err);
	}
	hg_model_free(m);
	assert_int_equal(r[1].addr - r[0].addr, 8 * KiB);
	return r[2].addr - r[1].addr;
}

static void test_per_p_caches(void **state)
{
	(void)state;
	assert_int_equal(per_p_gap("true"), 512 * KiB - 8 * KiB);
	assert_int_equal(per_p_gap("false"), 8 * KiB);
}

/*
 * mark_readmemstats: a mark is runtime.ReadMemStats, whose
 * flushallmcaches clears every P's stack cache: a freed 8 KiB stack in the
 * cache pins its 32 KiB pool span (StackInuse) until then, and the span
 * goes back to the heap at such a mark; a plain mark keeps it.
 */
static uint64_t stack_inuse_after_mark(const char *flag)
{
	struct hg_model *m = model("1.26", NULL, NULL);
	struct hg_config cfg = *hg_model_config(m);
	char err[256];
	uint64_t before, after;

	hg_model_free(m);
	assert_int_equal(hg_config_set(&cfg, "mark_readmemstats", flag, err,
				       sizeof(err)),
			 0);
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	apply_ok(m, (struct hg_op){ .kind = HG_OP_STACKALLOC,
				    .id = "g",
				    .size = 8 * KiB });
	apply_ok(m, (struct hg_op){ .kind = HG_OP_NEW, .id = "x", .size = 64 });
	apply_ok(m, (struct hg_op){ .kind = HG_OP_STACKFREE, .id = "g" });
	before = hg_model_stats(m)->final.stack_inuse;
	assert_int_equal(before, 32 * KiB);
	uint64_t inuse = hg_model_stats(m)->final.heap_inuse;
	apply_ok(m, (struct hg_op){ .kind = HG_OP_MARK, .text = "m" });
	after = hg_model_stats(m)->final.stack_inuse;
	/* The object's span goes back to its mcentral: still in use. */
	assert_int_equal(hg_model_stats(m)->final.heap_inuse, inuse);
	hg_model_free(m);
	return after;
}

static void test_mark_readmemstats(void **state)
{
	(void)state;
	assert_int_equal(stack_inuse_after_mark("false"), 32 * KiB);
	assert_int_equal(stack_inuse_after_mark("true"), 0);
}

/*
 * scavenger_pace=time: the release a gc makes due waits for the end of its
 * sweep (the first op after it that frees nothing, here a new: a time
 * event does not end it) and the trace's clock: nothing at the gc itself,
 * nor at a time event less than sysmon's 70 us later; then one burst of
 * 1 ms of work (64 KiB quanta at 4 us: 16 MiB, the quantum that crosses 1 ms
 * included), and the next only after the scavenger's sleep (1.024 ms of work /
 * 0.001 = 1.024 s at first). scavenger_pace=gc: all at the gc.
 */
static void test_scavenger_time(void **state)
{
	(void)state;
	for (int pace = 0; pace < 2; pace++) {
		struct hg_model *m = model("1.26", NULL, NULL);
		struct hg_config cfg = *hg_model_config(m);
		char err[256];
		uint64_t r0, r1, r1c, r2, r3;

		hg_model_free(m);
		assert_int_equal(hg_config_set(&cfg, "scavenger_pace",
					       pace ? "gc" : "time", err,
					       sizeof(err)),
				 0);
		assert_int_equal(hg_config_set(&cfg, "scavenger_gens", "false",
					       err, sizeof(err)),
				 0);
		if (hg_model_new(&m, &cfg, err, sizeof(err)))
			fail_msg("hg_model_new: %s", err);
		apply_ok(m,
			 (struct hg_op){ .kind = HG_OP_TIME, .value = 1000 });
		mib_news(m, "b", 0, 100);
		op(m, HG_OP_GC, NULL, 0, false);
		mib_dels(m, "b", 4, 100);
		r0 = hg_model_stats(m)->final.heap_released;
		op(m, HG_OP_GC, NULL, 0, false);
		r1 = hg_model_stats(m)->final.heap_released;
		apply_ok(m,
			 (struct hg_op){ .kind = HG_OP_TIME, .value = 5000 });
		/* still sweeping: no release at any time */
		apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME,
					    .value = 3000000 });
		if (!pace)
			assert_int_equal(hg_model_stats(m)->final.heap_released,
					 r1);
		op(m, HG_OP_NEW, "c0", 64, false); /* the sweep's end */
		r1c = hg_model_stats(m)->final.heap_released;
		apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME,
					    .value = 3060000 });
		r2 = hg_model_stats(m)->final.heap_released;
		apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME,
					    .value = 3080000 });
		r3 = hg_model_stats(m)->final.heap_released;
		if (pace) {
			assert_true(r1 - r0 > 80 * MiB);
			assert_int_equal(r3, r1c);
		} else {
			assert_int_equal(r1, r0);
			assert_int_equal(r2, r1c);
			apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME,
						    .value = 1003000000 });
			assert_int_equal(hg_model_stats(m)->final.heap_released,
					 r3);
			assert_int_equal(r3 - r2, 16 * MiB);
			apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME,
						    .value = 1033080000 });
			assert_int_equal(hg_model_stats(m)->final.heap_released,
					 r3 + 16 * MiB);
		}
		hg_model_free(m);
	}
}

/*
 * scavenger_pace=trace with running events: while another P runs (2 of
 * them) as its pages are unmapped, each 64 KiB release costs 4 us + 12 us
 * of the run's CPU time: 100 us on the CPU, 6 quanta (96 us), a 7th
 * under way, unmapped at 100 us while the other P still runs: it ends at
 * 112 us; then only the scavenger's P runs: 28 us more, 7 more quanta at
 * 4 us. With scavenger_shootdown_ns=0 the other P changes nothing: 25
 * quanta, then 10. A running of more than 4096 Ps is an error.
 */
static void bgscav(struct hg_model *m, uint64_t t, uint64_t state);

/*
 * bgscav_model is the go1.26 model the scavenger_pace tests start from:
 * scavenger_pace=pace, no scavenger generations, no huge pages (each
 * quantum exactly 64 KiB) unless huge, scavenger_shootdown_ns=shootdown
 * unless NULL; 100 MiB allocated, a gc, 96 MiB of it freed, a gc.
 */
static struct hg_model *bgscav_model_huge(const char *pace,
					  const char *shootdown, bool huge)
{
	struct hg_model *m = model("1.26", NULL, NULL);
	struct hg_config cfg = *hg_model_config(m);
	char err[256];

	hg_model_free(m);
	assert_int_equal(
		hg_config_set(&cfg, "scavenger_pace", pace, err, sizeof(err)),
		0);
	assert_int_equal(hg_config_set(&cfg, "scavenger_gens", "false", err,
				       sizeof(err)),
			 0);
	if (!huge)
		assert_int_equal(hg_config_set(&cfg, "phys_huge_page_size", "0",
					       err, sizeof(err)),
				 0);
	if (shootdown)
		assert_int_equal(hg_config_set(&cfg, "scavenger_shootdown_ns",
					       shootdown, err, sizeof(err)),
				 0);
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = 1000 });
	mib_news(m, "b", 0, 100);
	op(m, HG_OP_GC, NULL, 0, false);
	mib_dels(m, "b", 4, 100);
	op(m, HG_OP_GC, NULL, 0, false);
	return m;
}

static struct hg_model *bgscav_model(const char *pace, const char *shootdown)
{
	return bgscav_model_huge(pace, shootdown, false);
}

static void test_scavenger_shootdown(void **state)
{
	const uint64_t q = 64 * KiB;

	(void)state;
	for (int off = 0; off < 2; off++) {
		struct hg_model *m = model("1.26", NULL, NULL);
		struct hg_config cfg = *hg_model_config(m);
		struct hg_op_result res;
		struct hg_op bad = { .kind = HG_OP_RUNNING, .value = 4097 };
		char err[256];
		uint64_t r1;

		hg_model_free(m);
		assert_int_equal(cfg.scavenger_shootdown_ns, 12000);
		assert_int_not_equal(hg_config_set(&cfg,
						   "scavenger_shootdown_ns",
						   "1000001", err, sizeof(err)),
				     0);
		m = bgscav_model("trace", off ? "0" : NULL);
		op(m, HG_OP_NEW, "c0", 64, false); /* the sweep's end */
		apply_ok(m,
			 (struct hg_op){ .kind = HG_OP_RUNNING, .value = 2 });
		r1 = hg_model_stats(m)->final.heap_released;
		bgscav(m, 2000000, HG_BGSCAV_RUN);
		apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME,
					    .value = 2100000 });
		assert_int_equal(hg_model_stats(m)->final.heap_released,
				 r1 + (off ? 25 : 6) * q);
		apply_ok(m,
			 (struct hg_op){ .kind = HG_OP_RUNNING, .value = 1 });
		assert_int_equal(hg_model_stats(m)->final.heap_released,
				 r1 + (off ? 25 : 6) * q);
		bgscav(m, 2140000, HG_BGSCAV_STOP);
		assert_int_equal(hg_model_stats(m)->final.heap_released,
				 r1 + (off ? 35 : 14) * q);
		assert_int_equal(
			hg_model_apply(m, &bad, &res, err, sizeof(err)),
			HG_ETRACE);
		assert_non_null(strstr(err, "running: 4097 Ps"));
		hg_model_free(m);
	}
}

/*
 * scavenger_pace=trace: the background scavenger runs only while bgscav
 * has it running (nothing at the gc, its sweep's end or any time before),
 * 64 KiB quanta (no huge pages: a quantum is not widened to one) at
 * 4 us of the run's CPU time each: 100 us on the CPU,
 * 25 quanta; preempted, none while off the CPU; 40 us more, 10 more; at
 * its sleep the run goes on to 1 ms of work, 250 quanta in all; a next
 * run that parks at once goes to its end as well (its index walk), and
 * one that stops at once does nothing. With scavenger_pace=time the
 * bgscav events change nothing. A bgscav of 4 is an error.
 */
static void bgscav(struct hg_model *m, uint64_t t, uint64_t state)
{
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = t });
	apply_ok(m, (struct hg_op){ .kind = HG_OP_BGSCAV, .value = state });
}

static void test_scavenger_trace(void **state)
{
	const uint64_t q = 64 * KiB;

	(void)state;
	for (int pace = 0; pace < 2; pace++) {
		struct hg_model *m =
			bgscav_model(pace ? "time" : "trace", NULL);
		struct hg_op_result res;
		struct hg_op bad = { .kind = HG_OP_BGSCAV, .value = 4 };
		char err[256];
		uint64_t r1;

		r1 = hg_model_stats(m)->final.heap_released;
		if (pace) {
			/* time: sysmon's wake is due 70 us after the sweep's
			 * end, which comes at the first time event at once */
			bgscav(m, 1000, HG_BGSCAV_RUN);
			bgscav(m, 1000 + 60000, HG_BGSCAV_SLEEP);
			assert_int_equal(hg_model_stats(m)->final.heap_released,
					 r1);
			hg_model_free(m);
			continue;
		}
		op(m, HG_OP_NEW, "c0", 64, false); /* the sweep's end */
		apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME,
					    .value = 2000000 });
		assert_int_equal(hg_model_stats(m)->final.heap_released, r1);
		bgscav(m, 2000000, HG_BGSCAV_RUN);
		apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME,
					    .value = 2100000 });
		assert_int_equal(hg_model_stats(m)->final.heap_released,
				 r1 + 25 * q);
		bgscav(m, 2100000, HG_BGSCAV_STOP);
		apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME,
					    .value = 3000000 });
		assert_int_equal(hg_model_stats(m)->final.heap_released,
				 r1 + 25 * q);
		bgscav(m, 3000000, HG_BGSCAV_RUN);
		apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME,
					    .value = 3040000 });
		assert_int_equal(hg_model_stats(m)->final.heap_released,
				 r1 + 35 * q);
		bgscav(m, 3040000, HG_BGSCAV_SLEEP);
		assert_int_equal(hg_model_stats(m)->final.heap_released,
				 r1 + 250 * q);
		bgscav(m, 4000000, HG_BGSCAV_RUN);
		bgscav(m, 4000000, HG_BGSCAV_PARK);
		assert_int_equal(hg_model_stats(m)->final.heap_released,
				 r1 + 500 * q);
		bgscav(m, 5000000, HG_BGSCAV_RUN);
		bgscav(m, 5000000, HG_BGSCAV_STOP);
		assert_int_equal(hg_model_stats(m)->final.heap_released,
				 r1 + 500 * q);
		assert_int_equal(
			hg_model_apply(m, &bad, &res, err, sizeof(err)),
			HG_ETRACE);
		assert_non_null(strstr(err, "bgscav: 4 is not"));
		hg_model_free(m);
	}
}

/*
 * scavenger_pace=trace with 2 MiB huge pages: each release of the
 * background scavenger is widened to a whole free huge page (Go's
 * findScavengeCandidate), which costs 32 times 4 us, 128 us (one P
 * runs: no shootdown), and counts as released once it is done (Go:
 * scavengeOne adds to heapReleased after sysUnused returns). After 100 us
 * on the CPU nothing is released yet and the heap's counts are as before
 * (the run held allocated is free, not released); when the window ends
 * there, the release was not begun in it (the goroutine is not stopped
 * within one): nothing is released. The next window begins it again at
 * its own start, the rest of the first window gone by: done 128 us in,
 * not 127 (nor 28, were it paid with that rest).
 */
static uint64_t heap_released(struct hg_model *m)
{
	return hg_model_stats(m)->final.heap_released;
}

static uint64_t heap_idle(struct hg_model *m)
{
	return hg_model_stats(m)->final.heap_idle;
}

static void test_scavenger_huge_release(void **state)
{
	struct hg_model *m = bgscav_model_huge("trace", NULL, true);
	uint64_t r1, idle;
	char err[256];

	(void)state;
	op(m, HG_OP_NEW, "c0", 64, false); /* the sweep's end */
	apply_ok(m, (struct hg_op){ .kind = HG_OP_RUNNING, .value = 1 });
	r1 = heap_released(m);
	idle = heap_idle(m);
	bgscav(m, 2000000, HG_BGSCAV_RUN);
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = 2100000 });
	assert_int_equal(heap_released(m), r1);
	assert_int_equal(heap_idle(m), idle);
	if (hg_model_check(m, err, sizeof(err)))
		fail_msg("under way: %s", err);
	bgscav(m, 2100000, HG_BGSCAV_STOP);
	assert_int_equal(heap_released(m), r1);
	if (hg_model_check(m, err, sizeof(err)))
		fail_msg("not begun: %s", err);
	bgscav(m, 3000000, HG_BGSCAV_RUN);
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = 3028000 });
	assert_int_equal(heap_released(m), r1);
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = 3127000 });
	assert_int_equal(heap_released(m), r1);
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = 3128000 });
	assert_int_equal(heap_released(m), r1 + 2 * MiB);
	assert_int_equal(heap_idle(m), idle);
	if (hg_model_check(m, err, sizeof(err)))
		fail_msg("done: %s", err);
	hg_model_free(m);
}

/*
 * A release of the background scavenger that a time event completes
 * (scavenger_pace time: its burst after sysmon's wake; trace: the part of
 * a run the clock's advance covers) is the time event's result, as the
 * bgscav and running events' are, and the event log writes it: each time
 * event's released is what heap_released grew by at it, and some of them
 * release.
 */
static uint64_t time_released(struct hg_model *m, uint64_t t)
{
	struct hg_op o = { .kind = HG_OP_TIME, .value = t };
	struct hg_op_result res;
	uint64_t before = heap_released(m);
	char err[256] = "";

	memset(&res, 0, sizeof(res));
	if (hg_model_apply(m, &o, &res, err, sizeof(err)) != HG_OK)
		fail_msg("time: %s", err);
	assert_int_equal(res.released, heap_released(m) - before);
	return res.released;
}

static void test_scavenger_time_released(void **state)
{
	const uint64_t q = 64 * KiB;
	struct hg_model *m;

	(void)state;
	assert_true(hg_op_spec(HG_OP_TIME)->log & HG_LOG_RELEASED);
	/* time: the burst of 1 ms of work (250 quanta) from 70 us after
	 * the sweep's end, then the sleep (1 s) */
	m = bgscav_model("time", NULL);
	op(m, HG_OP_NEW, "c0", 64, false); /* the sweep's end */
	assert_int_equal(time_released(m, 60000), 0);
	assert_int_equal(time_released(m, 80000), 250 * q);
	assert_int_equal(time_released(m, 90000), 0);
	hg_model_free(m);
	/* trace: the run's releases as its CPU time covers them */
	m = bgscav_model("trace", NULL);
	op(m, HG_OP_NEW, "c0", 64, false);
	bgscav(m, 2000000, HG_BGSCAV_RUN);
	assert_int_equal(time_released(m, 2040000), 10 * q);
	assert_int_equal(time_released(m, 2100000), 15 * q);
	hg_model_free(m);
}

/*
 * What the background scavenger releases within a gc event (scavenger_pace
 * gc: its run at the cycle's end; time without a clock, go1.19+: its wake
 * at the next cycle's start) is the gc's result, as a time event's is, and
 * the event log writes it: each gc's released is what heap_released grew
 * by at it, and one of the two gcs releases.
 */
static uint64_t gc_released(struct hg_model *m)
{
	struct hg_op o = { .kind = HG_OP_GC };
	struct hg_op_result res;
	uint64_t before = heap_released(m);
	char err[256] = "";

	memset(&res, 0, sizeof(res));
	if (hg_model_apply(m, &o, &res, err, sizeof(err)) != HG_OK)
		fail_msg("gc: %s", err);
	assert_int_equal(res.released, heap_released(m) - before);
	return res.released;
}

static void test_scavenger_gc_released(void **state)
{
	static const char *const paces[][2] = { { "1.26", "gc" },
						{ "1.14", "time" },
						{ "1.26", "time" } };

	(void)state;
	assert_true(hg_op_spec(HG_OP_GC)->log & HG_LOG_RELEASED);
	for (size_t i = 0; i < sizeof(paces) / sizeof(paces[0]); i++) {
		struct hg_model *m =
			scav_model(paces[i][0], "true", paces[i][1]);
		uint64_t r;

		mib_news(m, "o", 0, 40);
		assert_int_equal(gc_released(m), 0);
		mib_dels(m, "o", 4, 40);
		r = gc_released(m);
		/* go1.19+ without a clock: at the next cycle's start */
		if (strcmp(paces[i][0], "1.26") == 0 &&
		    strcmp(paces[i][1], "time") == 0) {
			assert_int_equal(r, 0);
			r = gc_released(m);
		}
		assert_true(r > 16 * MiB);
		hg_model_free(m);
	}
}

/*
 * The end of an imported gc's sweep: its first wbuffree (Go's bgsweep
 * frees the work buffers once no span is left to sweep), even with frees
 * after it; a stack growth, a P change or the clock between its frees do
 * not end it. Returns what the background scavenger released by 90 us
 * after the last op (sysmon's wake is 70 us after the sweep's end; js/wasm
 * has no sysmon: nothing wakes it there until the next cycle's start).
 */
/* The sweep-end tests' model: go1.26 on platform, the trace's gc, one
 * scavenge index generation, at 1 us with 1 MiB objects b0..b99 live. */
static struct hg_model *sweep_end_model(const char *platform)
{
	struct hg_model *m = NULL;
	struct hg_config cfg;
	char err[256];

	hg_config_init(&cfg);
	assert_int_equal(
		hg_config_set(&cfg, "platform", platform, err, sizeof(err)), 0);
	assert_int_equal(hg_config_set(&cfg, "go", "1.26", err, sizeof(err)),
			 0);
	assert_int_equal(hg_config_set(&cfg, "gc", "trace", err, sizeof(err)),
			 0);
	assert_int_equal(hg_config_set(&cfg, "scavenger_gens", "false", err,
				       sizeof(err)),
			 0);
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = 1000 });
	mib_news(m, "b", 0, 100);
	return m;
}

static uint64_t released_after_sweep(const char *platform, bool wbuffree)
{
	struct hg_model *m = sweep_end_model(platform);
	char id[16];
	uint64_t r0;

	op(m, HG_OP_WBUFALLOC, "w1", 32 * KiB, false);
	op(m, HG_OP_GC, NULL, 0, false);
	op(m, HG_OP_GC, NULL, 0, false);
	op(m, HG_OP_STACKALLOC, "s1", 8 * KiB, false);
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = 2000 });
	apply_ok(m, (struct hg_op){ .kind = HG_OP_PROC, .value = 0 });
	for (int i = 4; i < 100; i++) {
		snprintf(id, sizeof id, "b%d", i);
		op(m, HG_OP_DEL, id, 0, true);
		if (i == 50 && wbuffree)
			op(m, HG_OP_WBUFFREE, "w1", 0, false);
	}
	r0 = hg_model_stats(m)->final.heap_released;
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = 92000 });
	r0 = hg_model_stats(m)->final.heap_released - r0;
	hg_model_free(m);
	return r0;
}

static void test_scavenger_sweep_end(void **state)
{
	(void)state;
	assert_int_equal(released_after_sweep("linux/amd64", false), 0);
	assert_true(released_after_sweep("linux/amd64", true) >= 8 * MiB);
	assert_int_equal(released_after_sweep("js/wasm", true), 0);
}

/*
 * The program allocates while the background sweeper sweeps on another P:
 * in a trace that frees work buffers, a new between a gc's frees does not
 * end its sweep while the cycle's work buffer is live; its wbuffree does
 * (Go's bgsweep frees them once sweepone found no span left). A trace
 * that never freed one ends the sweep at the new, as before. Returns what
 * the background scavenger released by 90 us after the new (mid) or
 * after the wbuffree that follows.
 */
static uint64_t released_new_in_sweep(bool freed_before, bool mid)
{
	struct hg_model *m = sweep_end_model("linux/amd64");
	char id[16];
	uint64_t r0;

	if (freed_before) {
		op(m, HG_OP_WBUFALLOC, "w0", 32 * KiB, false);
		op(m, HG_OP_WBUFFREE, "w0", 0, false);
	}
	op(m, HG_OP_WBUFALLOC, "w1", 32 * KiB, false);
	op(m, HG_OP_GC, NULL, 0, false);
	op(m, HG_OP_GC, NULL, 0, false);
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = 2000 });
	for (int i = 4; i < 100; i++) {
		snprintf(id, sizeof id, "b%d", i);
		op(m, HG_OP_DEL, id, 0, true);
		if (i == 50)
			op(m, HG_OP_NEW, "c0", 64, false);
	}
	r0 = hg_model_stats(m)->final.heap_released;
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = 92000 });
	if (!mid) {
		op(m, HG_OP_WBUFFREE, "w1", 0, false);
		apply_ok(m,
			 (struct hg_op){ .kind = HG_OP_TIME, .value = 182000 });
	}
	r0 = hg_model_stats(m)->final.heap_released - r0;
	hg_model_free(m);
	return r0;
}

static void test_scavenger_sweep_end_wbufs(void **state)
{
	(void)state;
	assert_int_equal(released_new_in_sweep(true, true), 0);
	assert_true(released_new_in_sweep(true, false) >= 8 * MiB);
	assert_true(released_new_in_sweep(false, true) >= 8 * MiB);
}

/*
 * scavenger_gens (go1.21+): the background scavenger looks only below the
 * highest page freed before the last gc (searchAddrBg, freeHWM, nextGen):
 * the 96 MiB a cycle's sweep frees are not seen at the next cycle's
 * start (no clock: the scavenger's wake), only at the one after, and
 * FreeOSMemory (scavenge: all) releases them at once. Without the
 * generations they go at the next cycle's start. more: the gcs after the
 * one that sweeps them.
 */
static uint64_t released_gens(const char *gens, int more, bool all)
{
	struct hg_model *m = model("1.26", NULL, NULL);
	struct hg_config cfg = *hg_model_config(m);
	char err[256];
	uint64_t r0;

	hg_model_free(m);
	assert_int_equal(
		hg_config_set(&cfg, "scavenger_gens", gens, err, sizeof(err)),
		0);
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	mib_news(m, "b", 0, 100);
	op(m, HG_OP_GC, NULL, 0, false);
	mib_dels(m, "b", 4, 100);
	r0 = hg_model_stats(m)->final.heap_released;
	op(m, HG_OP_GC, NULL, 0, false); /* sweeps the 96 MiB */
	while (more-- > 0)
		op(m, HG_OP_GC, NULL, 0, false);
	if (all)
		apply_ok(m,
			 (struct hg_op){ .kind = HG_OP_SCAVENGE, .all = true });
	r0 = hg_model_stats(m)->final.heap_released - r0;
	hg_model_free(m);
	return r0;
}

static void test_scavenger_gens(void **state)
{
	(void)state;
	assert_int_equal(released_gens("true", 0, false), 0);
	assert_int_equal(released_gens("true", 1, false), 0);
	assert_true(released_gens("true", 2, false) > 80 * MiB);
	assert_true(released_gens("true", 0, true) >= 96 * MiB);
	assert_int_equal(released_gens("false", 0, false), 0);
	assert_true(released_gens("false", 1, false) > 80 * MiB);
}

/* A model of release go with scavenger_pace=time, its clock at 1 us,
 * and config key key set to value (key NULL: none). */
static struct hg_model *model_on_clock_set(const char *go, const char *key,
					   const char *value)
{
	struct hg_model *m = model(go, NULL, NULL);
	struct hg_config cfg = *hg_model_config(m);
	char err[256] = "";

	hg_model_free(m);
	assert_int_equal(
		hg_config_set(&cfg, "scavenger_pace", "time", err, sizeof(err)),
		0);
	if (key && hg_config_set(&cfg, key, value, err, sizeof(err)) != HG_OK)
		fail_msg("%s=%s: %s", key, value, err);
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		fail_msg("hg_model_new: %s", err);
	apply_ok(m, (struct hg_op){ .kind = HG_OP_TIME, .value = 1000 });
	return m;
}

/*
 * The scavenging when the heap grows, per release: 40 MiB live, 36 MiB of
 * it freed at a gc (the goal then far below the retained heap), then a
 * 64 MiB object: go1.13-1.18 release what retained exceeds the goal, at
 * most the growth, when the heap grows for it, as go1.19+ do; go1.12
 * releases as much as the heap grew, from the free pages, at most what is
 * free; go1.11 nothing. The background scavenger waits for a time
 * event that never comes (scavenger_pace = time), so what is released
 * is the growth's.
 */
static uint64_t released_on_grow_set(const char *go, const char *key,
				     const char *value)
{
	/* The gc's own release waits for the clock, which never comes. */
	struct hg_model *m = model_on_clock_set(go, key, value);
	uint64_t before;

	mib_news(m, "o", 0, 40);
	op(m, HG_OP_GC, NULL, 0, false);
	/* o20 stays: no free run the 64 MiB object could take */
	mib_dels(m, "o", 4, 20);
	mib_dels(m, "o", 21, 40);
	op(m, HG_OP_GC, NULL, 0, false);
	before = hg_model_stats(m)->final.heap_released;
	op(m, HG_OP_NEW, "big", 64 * MiB, false);
	uint64_t after = hg_model_stats(m)->final.heap_released;
	hg_model_free(m);
	return after > before ? after - before : 0;
}

static uint64_t released_on_grow(const char *go)
{
	return released_on_grow_set(go, NULL, NULL);
}

static void test_scavenge_on_grow(void **state)
{
	(void)state;
	/* What the growth releases: beyond the same replay without the
	 * scavenger (whose figure gains only the growth's own unused
	 * part); nothing more with scavenger_grow=false; the background
	 * scavenger off (scavenger_pace=off) leaves it. */
	/* (from go1.21 a sweep's frees wait for the cycle after: the
	 * growth of test_scavenge_on_small_grow) */
	static const char *const gos[] = { "1.11", "1.12", "1.13",
					   "1.16", "1.19", "1.20" };
	for (size_t i = 0; i < sizeof(gos) / sizeof(gos[0]); i++) {
		uint64_t none =
			released_on_grow_set(gos[i], "scavenger", "false");
		uint64_t on = released_on_grow(gos[i]);
		uint64_t want = strcmp(gos[i], "1.11") == 0 ? 0 : 16 * MiB;
		if (on < none + want || (!want && on != none))
			fail_msg("go %s: the growth released %llu, %llu "
				 "without the scavenger",
				 gos[i], (unsigned long long)on,
				 (unsigned long long)none);
		assert_int_equal(
			released_on_grow_set(gos[i], "scavenger_grow", "false"),
			none);
		assert_int_equal(
			released_on_grow_set(gos[i], "scavenger_pace", "off"),
			on);
	}
}

/*
 * A heap growth for a span smaller than the growth (go1.26's allocSpan):
 * Go weighs the retained heap before the span plus the whole growth
 * against the goal, not the span. 10 MiB live around a freed 256 KiB
 * hole and a freed 2 MiB object, two cycles (the goal of the second
 * 11 MiB, under the 12.25 MiB retained), then stacks of 512 KiB (not retained):
 * they take the 2 MiB (not the hole) and the arena's last chunk, until one
 * grows the heap by a 4 MiB chunk. Then 10.25 + 4 MiB is over the goal,
 * so the hole is released; 10.25 + 0.5 MiB would not be.
 */
static uint64_t released_on_small_grow(uint64_t *grew, const char *key,
				       const char *value)
{
	struct hg_model *m = model_on_clock_set("1.26", key, value);
	struct hg_op_result r;
	char id[16], err[256] = "";
	uint64_t before = 0;

	for (int i = 0; i < 10; i++) {
		snprintf(id, sizeof id, "o%d", i);
		op(m, HG_OP_NEW, id, MiB, false);
		if (i == 4)
			op(m, HG_OP_NEW, "hole", 256 * KiB, false);
	}
	op(m, HG_OP_NEW, "two", 2 * MiB, false);
	op(m, HG_OP_DEL, "hole", 0, false);
	op(m, HG_OP_DEL, "two", 0, false);
	op(m, HG_OP_GC, NULL, 0, false);
	op(m, HG_OP_GC, NULL, 0, false);
	*grew = 0;
	for (int i = 0; i < 64 && !*grew; i++) {
		struct hg_op o = { .kind = HG_OP_STACKALLOC,
				   .id = id,
				   .size = 512 * KiB };
		snprintf(id, sizeof id, "s%d", i);
		before = hg_model_stats(m)->final.heap_released;
		if (hg_model_apply(m, &o, &r, err, sizeof(err)) != HG_OK)
			fail_msg("stackalloc: %s", err);
		*grew = r.grew;
	}
	uint64_t after = hg_model_stats(m)->final.heap_released;
	hg_model_free(m);
	/* The grown chunk counts as released until used: take out what the
	 * growth added and what the stack took of it. */
	before += *grew - 512 * KiB;
	return after > before ? after - before : 0;
}

static void test_scavenge_on_small_grow(void **state)
{
	uint64_t grew;

	(void)state;
	uint64_t released = released_on_small_grow(&grew, NULL, NULL);
	assert_int_equal(grew, 4 * MiB);
	assert_int_equal(released, 256 * KiB);
	/* scavenger_grow=false: the growth releases nothing */
	released = released_on_small_grow(&grew, "scavenger_grow", "false");
	assert_int_equal(grew, 4 * MiB);
	assert_int_equal(released, 0);
	released = released_on_small_grow(&grew, "scavenger_pace", "off");
	assert_int_equal(released, 256 * KiB);
}

/*
 * Before the first cycle's mark termination Go's scavenge goals are their
 * zero value (go1.18+: no gcPaceScavenger at gcinit): a heap growth then
 * releases as much as it grew, and the first cycle's start wakes the
 * background scavenger toward nothing retained. A freed 512 KiB stack
 * leaves free pages that are not released; then either a 64 MiB object
 * grows the heap (grow) or the first gc comes (its start's wake; the
 * gc's own goals leave the small heap alone). What is released beyond
 * the same replay with scavenger=false: the hole in go1.18-1.20, nothing
 * in go1.17, whose gcinit paced the scavenger with no goal, nor from
 * go1.21, whose scavenge index lets neither search below an address
 * that only the first mark termination raises (scavenger_gens).
 */
static uint64_t released_before_goals(const char *go, const char *on, bool grow)
{
	struct hg_model *m = model_on_clock_set(go, "scavenger", on);

	op(m, HG_OP_NEW, "a", MiB, false);
	op(m, HG_OP_STACKALLOC, "s", 512 * KiB, false);
	op(m, HG_OP_NEW, "b", MiB, false);
	op(m, HG_OP_STACKFREE, "s", 0, false);
	if (grow)
		op(m, HG_OP_NEW, "big", 64 * MiB, false);
	else
		op(m, HG_OP_GC, NULL, 0, false);
	uint64_t r = hg_model_stats(m)->final.heap_released;
	hg_model_free(m);
	return r;
}

static void test_scavenge_zero_goals(void **state)
{
	static const struct {
		const char *go;
		uint64_t want;
	} gos[] = { { "1.17", 0 },         { "1.18", 512 * KiB },
		    { "1.19", 512 * KiB }, { "1.20", 512 * KiB },
		    { "1.21", 0 },         { "1.26", 0 } };

	(void)state;
	for (size_t i = 0; i < sizeof(gos) / sizeof(gos[0]); i++) {
		uint64_t want = gos[i].want;
		for (int grow = 0; grow < 2; grow++) {
			uint64_t on =
				released_before_goals(gos[i].go, "true", grow);
			uint64_t off =
				released_before_goals(gos[i].go, "false", grow);
			if (on - off != want)
				fail_msg("go %s, %s: released %llu more than "
					 "without the scavenger, not %llu",
					 gos[i].go, grow ? "grow" : "first gc",
					 (unsigned long long)(on - off),
					 (unsigned long long)want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gogc),
		cmocka_unit_test(test_minimum),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_memory_limit),
		cmocka_unit_test(test_memory_limit_goal),
		cmocka_unit_test(test_scavenge_index_go119),
		cmocka_unit_test(test_scavenger),
		cmocka_unit_test(test_scavenge_goal),
		cmocka_unit_test(test_paced),
		cmocka_unit_test(test_paced_small),
		cmocka_unit_test(test_paced_auto),
		cmocka_unit_test(test_idle_pcache_flush),
		cmocka_unit_test(test_per_p_caches),
		cmocka_unit_test(test_mark_readmemstats),
		cmocka_unit_test(test_mem_profile_buckhash),
		cmocka_unit_test(test_scavenger_time),
		cmocka_unit_test(test_scavenger_trace),
		cmocka_unit_test(test_scavenger_shootdown),
		cmocka_unit_test(test_scavenger_huge_release),
		cmocka_unit_test(test_scavenger_time_released),
		cmocka_unit_test(test_scavenger_gc_released),
		cmocka_unit_test(test_scavenger_sweep_end),
		cmocka_unit_test(test_scavenger_sweep_end_wbufs),
		cmocka_unit_test(test_scavenger_gens),
		cmocka_unit_test(test_scavenge_on_grow),
		cmocka_unit_test(test_scavenge_on_small_grow),
		cmocka_unit_test(test_scavenge_zero_goals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
