/*
 * test_seeds.c - each seed's example trace replayed (through the replay
 * pipeline, as the commands do) under the policy before and after the Go
 * change, pinning the figures that show the difference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hg_core.h"
#include "replay.h"
#include "trace.h"

#define KiB (1024ull)
#define MiB (1024ull * 1024)

struct run {
	struct hg_stats st;
	hg_addr addr[64]; /* address of each alloc event, in order */
	uint64_t grew[64];
	uint64_t committed[64]; /* committed after each alloc event */
	size_t nalloc;
	int rc; /* last hg_model_apply status */
};

/* Records each alloc event's address, growth and commit. */
static int record_alloc(void *ctx, struct hg_replay *rp,
			const struct hg_replay_event *ev)
{
	struct run *r = ctx;
	if (ev->op->kind == HG_OP_ALLOC && r->nalloc < 64) {
		r->addr[r->nalloc] = ev->res->addr;
		r->committed[r->nalloc] =
			hg_model_stats(hg_replay_model(rp, ev->lane))
				->final.committed;
		r->grew[r->nalloc++] = ev->res->grew;
	}
	return 0;
}

/*
 * Replay traces/examples/NAME through the replay pipeline with the
 * trace's config, then the given "key=value" settings (NULL-terminated),
 * checking invariants after every event.
 */
static struct run replay(const char *name, const char *const *settings)
{
	static struct run r;
	memset(&r, 0, sizeof(r));
	char path[512], msg[600];
	snprintf(path, sizeof(path), "%s/traces/examples/%s", HG_SOURCE_DIR,
		 name);
	struct hg_replay rp;
	hg_replay_init(&rp);
	rp.check = HG_REPLAY_CHECK_FULL;
	if (hg_replay_open(&rp, path)) {
		hg_replay_message(&rp, msg, sizeof(msg));
		fail_msg("%s", msg);
	}
	struct hg_config cfg;
	char err[256];
	hg_config_init(&cfg);
	const struct hg_trace_info *info = hg_replay_info(&rp);
	/* The platform first, then the rest of the trace's settings. */
	for (size_t i = 0; i < info->nconfig; i++)
		if (strcmp(info->config[i].key, "platform") == 0)
			assert_int_equal(hg_config_set(&cfg, "platform",
						       info->config[i].value,
						       err, sizeof(err)),
					 0);
	for (size_t i = 0; i < info->nconfig; i++)
		assert_int_equal(hg_config_set(&cfg, info->config[i].key,
					       info->config[i].value, err,
					       sizeof(err)),
				 0);
	for (size_t i = 0; settings && settings[i]; i++) {
		char key[64];
		const char *eq = strchr(settings[i], '=');
		assert_non_null(eq);
		snprintf(key, sizeof(key), "%.*s", (int)(eq - settings[i]),
			 settings[i]);
		if (hg_config_set(&cfg, key, eq + 1, err, sizeof(err)))
			fail_msg("%s: %s", settings[i], err);
	}
	struct hg_observer obs = { &r, record_alloc, NULL };
	int rc = hg_replay_add_lane(&rp, &cfg, NULL);
	if (!rc)
		rc = hg_replay_observe(&rp, &obs);
	if (!rc)
		rc = hg_replay_run(&rp);
	if (rc != HG_REPLAY_OK && rc != HG_REPLAY_OOM) {
		hg_replay_message(&rp, msg, sizeof(msg));
		fail_msg("%s: %s", name, msg);
	}
	r.rc = rc == HG_REPLAY_OOM ? HG_EOOM : HG_OK;
	assert_int_equal(hg_replay_exit_status(rc),
			 rc == HG_REPLAY_OOM ? 3 : 0);
	r.st = *hg_model_stats(hg_replay_model(&rp, 0));
	hg_replay_release(&rp);
	return r;
}

/* Seed 001 (13ae3b3): linear arena, strandLimit, non-monotonic blocks. */
static void test_seed_001(void **state)
{
	(void)state;
	static const char *const old_s[] = { "go=1.8", NULL };
	static const char *const new_s[] = { "go=1.9", NULL };
	struct run o = replay("seed-001-strand-limit.yaml", old_s);
	struct run n = replay("seed-001-strand-limit.yaml", new_s);
	/* Both start in the up-front block above the image. */
	assert_int_equal(o.addr[0], 0x18400000);
	assert_int_equal(n.addr[0], 0x18400000);
	/* go1.8 jumps to the higher block, stranding the 112 MiB left. */
	assert_true(o.addr[1] > 0xe0000000);
	assert_true(o.st.final.classes[HG_CLASS_STRANDED] >= 112 * MiB);
	/* go1.9 strands less than 16 MiB per switch (one switch here). */
	assert_true(n.st.final.classes[HG_CLASS_STRANDED] < 16 * MiB);
	assert_true(n.st.final.classes[HG_CLASS_STRANDED] > 0);
	/* go1.9 keeps using the first block for c and d... */
	assert_int_equal(n.addr[2], 0x31400000);
	assert_int_equal(n.addr[3], 0x37800000);
	/* ...and then moves to a block below the current one for e. */
	assert_true(n.addr[4] < n.addr[1] && n.addr[4] > 0x38402000);
	/* go1.8 takes a small fallback mapping where go1.9 uses its block. */
	assert_true(o.addr[2] < o.addr[1]);
	assert_int_equal(o.st.os_calls.free, 0);
	assert_int_equal(n.st.os_calls.free, 1); /* the rejected block */
}

/* Seed 002 (bd6aeca): sysMap in grow, chunk by chunk. */
static void test_seed_002(void **state)
{
	(void)state;
	static const char *const old_s[] = { "go=1.16", NULL };
	static const char *const new_s[] = { "go=1.17", NULL };
	struct run o = replay("seed-002-prepare-in-grow.yaml", old_s);
	struct run n = replay("seed-002-prepare-in-grow.yaml", new_s);
	assert_true(o.st.oom);
	assert_int_equal(o.st.oom_event, 18); /* s16: a second arena */
	assert_false(n.st.oom);
	assert_int_equal(n.st.final.heap_sys, 68 * MiB);
	assert_int_equal(n.st.final.heap_inuse, 68 * MiB);
	/* go1.16 mapped a whole arena with the first span... */
	assert_int_equal(o.st.final.heap_sys, 64 * MiB);
	assert_int_equal(o.committed[0] - n.committed[0], 60 * MiB);
	/* ...go1.17 commits one 4 MiB chunk per growth (plus, when it takes
	 * a new arena, that arena's metadata: 2 MiB of heap bitmap then). */
	for (size_t i = 1; i < n.nalloc; i++) {
		assert_true(n.committed[i] - n.committed[i - 1] >= 4 * MiB);
		assert_true(n.committed[i] - n.committed[i - 1] < 7 * MiB);
	}
	for (size_t i = 1; i < 16; i++)
		assert_int_equal(o.committed[i], o.committed[0]);
}

/* Seed 003 (f18109d): the heap grows into curArena chunk by chunk. */
static void test_seed_003(void **state)
{
	(void)state;
	static const char *const old_s[] = { "go=1.13", NULL };
	static const char *const new_s[] = { "go=1.14", NULL };
	struct run o = replay("seed-003-incremental-grow.yaml", old_s);
	struct run n = replay("seed-003-incremental-grow.yaml", new_s);
	/* go1.13: two growths of one whole arena each. */
	assert_int_equal(o.st.heap_grows, 2);
	assert_int_equal(o.grew[0], 64 * MiB);
	assert_int_equal(o.grew[8], 64 * MiB);
	/* go1.14: 4 MiB chunks, then the 52 MiB the big span needs. */
	assert_int_equal(n.st.heap_grows, 7);
	assert_int_equal(n.grew[0], 4 * MiB);
	assert_int_equal(n.grew[8], 52 * MiB);
	/* Both map whole arenas: HeapSys is the same. */
	assert_int_equal(o.st.final.heap_sys, n.st.final.heap_sys);
	assert_int_equal(o.addr[8], n.addr[8]);
}

/* Seed 000 (4510586): wasm sbrk with bloc/blocMax. */
static void test_seed_000(void **state)
{
	(void)state;
	static const char *const old_s[] = { "go=1.21", NULL };
	static const char *const new_s[] = { "go=1.24", NULL };
	struct run o = replay("seed-000-wasm-bloc.yaml", old_s);
	struct run n = replay("seed-000-wasm-bloc.yaml", new_s);
	/* go1.21 never touches the 16 MiB of initial memory past the module. */
	assert_int_equal(o.st.final.classes[HG_CLASS_UNUSED], 16 * MiB);
	assert_int_equal(n.st.final.classes[HG_CLASS_UNUSED], 0);
	/* go1.24 grows linear memory less, in fewer memory.grow calls. */
	assert_true(n.st.final.linear_memory < o.st.final.linear_memory);
	assert_true(n.st.os_calls.grow_memory < o.st.os_calls.grow_memory);
	assert_int_equal(n.st.final.linear_memory, 20 * MiB);
	/* go1.21: the runtime's metadata (core/runtime_meta.c: the global
	 * persistentalloc chunk, allArenas, allspans, the GC bitmap arena)
	 * takes 256 KiB more of the break than the heap's own. */
	assert_int_equal(o.st.final.linear_memory, 47513600);
	assert_int_equal(n.st.os_calls.grow_memory, 3);
	assert_int_equal(o.st.os_calls.grow_memory, 5);
	/* The first arena sits at 4 MiB under go1.24, above the initial
	 * memory's end under go1.21. */
	assert_int_equal(n.addr[0], 4 * MiB);
	assert_true(o.addr[0] >= 18 * MiB);
	/* runtime_metadata=false leaves that metadata out: the break then
	 * holds the heap and the arena and page-allocator metadata only
	 * (45.1 MiB in 4 memory.grow calls), the heap in the same arenas. */
	static const char *const off_s[] = { "go=1.21",
					     "runtime_metadata=false", NULL };
	struct run f = replay("seed-000-wasm-bloc.yaml", off_s);
	assert_int_equal(f.st.final.linear_memory, 47251456);
	assert_int_equal(f.st.os_calls.grow_memory, 4);
	assert_int_equal(f.st.final.heap_sys, o.st.final.heap_sys);
	assert_true(f.st.final.classes[HG_CLASS_SYS] <
		    o.st.final.classes[HG_CLASS_SYS]);
}

/* Linear memory after a wasm program's first heap allocation. */
static uint64_t hello_linear_memory(const char *go, const char *module_end)
{
	struct hg_config cfg;
	char err[256];
	hg_config_init(&cfg);
	assert_int_equal(
		hg_config_set(&cfg, "platform", "js/wasm", err, sizeof(err)),
		0);
	assert_int_equal(hg_config_set(&cfg, "go", go, err, sizeof(err)), 0);
	assert_int_equal(
		hg_config_set(&cfg, "module_end", module_end, err, sizeof(err)),
		0);
	struct hg_model *m = NULL;
	assert_int_equal(hg_model_new(&m, &cfg, err, sizeof(err)), 0);
	struct hg_op op = { .kind = HG_OP_ALLOC, .id = "x", .size = 8 * KiB };
	struct hg_op_result res;
	assert_int_equal(hg_model_apply(m, &op, &res, err, sizeof(err)), 0);
	if (hg_model_check(m, err, sizeof(err)))
		fail_msg("check: %s", err);
	uint64_t lin = hg_model_stats(m)->final.linear_memory;
	hg_model_free(m);
	return lin;
}

/* A wasm program whose globals fit within 4 MiB (reference 3.7, 6.14). */
static void test_wasm_hello_world(void **state)
{
	(void)state;
	static const char *const ends[] = { "64K", "1M", "2M", "3M", NULL };
	for (size_t i = 0; ends[i]; i++) {
		/* Go 1.24-1.25: exactly 8 MiB. */
		assert_int_equal(hello_linear_memory("1.24", ends[i]), 8 * MiB);
		assert_int_equal(hello_linear_memory("1.25", ends[i]), 8 * MiB);
	}
	/* Go 1.26's 512 KiB arenas: at most 3 MiB for a small program. */
	assert_true(hello_linear_memory("1.26", "1M") <= 3 * MiB);
}

/* Seed 004 (fb75f85): Plan 9's free list versus top-only frees. */
static void test_seed_004(void **state)
{
	(void)state;
	static const char *const old_s[] = { "go=1.4", NULL };
	static const char *const new_s[] = { "go=1.5", NULL };
	struct run o = replay("seed-004-plan9-freelist.yaml", old_s);
	struct run n = replay("seed-004-plan9-freelist.yaml", new_s);
	/* go1.4 leaks every free that is not at the top... */
	assert_true(o.st.final.classes[HG_CLASS_STRANDED] >= 2 * MiB);
	assert_int_equal(o.st.final.classes[HG_CLASS_SBRK_FREE], 0);
	/* ...go1.5 keeps them on the free list and reuses them. */
	assert_int_equal(n.st.final.classes[HG_CLASS_STRANDED], 0);
	assert_true(n.st.final.classes[HG_CLASS_SBRK_FREE] > 0);
	assert_true(n.st.final.classes[HG_CLASS_SBRK_FREE] <= 256 * KiB);
	/* The break grows with the churn under go1.4 only. */
	assert_true(o.st.peak.linear_memory - n.st.peak.linear_memory >=
		    2 * MiB);
	assert_true(o.st.os_calls.sbrk > 10 * n.st.os_calls.sbrk);

	/* The same switch on a recent runtime. */
	static const char *const top[] = { "go=1.26",
					   "policy.sbrk_free=top-only", NULL };
	static const char *const list[] = { "go=1.26", NULL };
	o = replay("seed-004-plan9-freelist.yaml", top);
	uint64_t o_stranded = o.st.final.classes[HG_CLASS_STRANDED];
	uint64_t o_lin = o.st.peak.linear_memory;
	n = replay("seed-004-plan9-freelist.yaml", list);
	assert_true(o_stranded > n.st.final.classes[HG_CLASS_STRANDED]);
	assert_true(o_lin > n.st.peak.linear_memory);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_000),
		cmocka_unit_test(test_wasm_hello_world),
		cmocka_unit_test(test_seed_001),
		cmocka_unit_test(test_seed_002),
		cmocka_unit_test(test_seed_003),
		cmocka_unit_test(test_seed_004),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
