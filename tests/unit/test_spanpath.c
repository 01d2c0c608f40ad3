/*
 * test_spanpath.c - the short way of the spans' own events (hg_model_apply
 * on a model without a break or an object layer) against the general way
 * (hg_model_opts.general_path): the same ops, random and with every kind
 * of refusal, on two models of each configuration must give the same
 * return codes, messages, results and statistics (final and peak) after
 * every op, and the same state for the checker at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hg_core.h"
#include "hg_os.h"
#include "model.h"

#define KiB (1024ull)
#define MiB (1024ull * 1024)

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t x = rnd_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rnd_state = x;
}

static struct hg_model *new_model(const char *const *kv, bool general)
{
	struct hg_config cfg;
	struct hg_model_opts opts = HG_MODEL_OPTS_INIT;
	char err[256];
	hg_config_init(&cfg);
	for (; kv && kv[0]; kv += 2)
		if (hg_config_set(&cfg, kv[0], kv[1], err, sizeof(err)))
			fail_msg("%s=%s: %s", kv[0], kv[1], err);
	opts.general_path = general;
	struct hg_model *m = NULL;
	if (hg_model_new_with(&m, &cfg, &opts, err, sizeof(err)))
		fail_msg("hg_model_new_with: %s", err);
	return m;
}

static void same_results(const struct hg_op_result *a,
			 const struct hg_op_result *b, uint64_t i)
{
	if (a->addr != b->addr || a->npages != b->npages ||
	    a->size != b->size || a->scav != b->scav || a->grew != b->grew ||
	    a->released != b->released || a->oom != b->oom ||
	    a->elemsize != b->elemsize || a->span_base != b->span_base ||
	    a->new_span != b->new_span)
		fail_msg("op %llu: results differ (addr %#llx / %#llx, "
			 "scav %llu / %llu, grew %llu / %llu)",
			 (unsigned long long)i, (unsigned long long)a->addr,
			 (unsigned long long)b->addr,
			 (unsigned long long)a->scav,
			 (unsigned long long)b->scav,
			 (unsigned long long)a->grew,
			 (unsigned long long)b->grew);
}

static void same_stats(const struct hg_model *fa, const struct hg_model *fb,
		       uint64_t i)
{
	const struct hg_stats *a = hg_model_stats(fa);
	const struct hg_stats *b = hg_model_stats(fb);
	if (memcmp(&a->final, &b->final, sizeof(a->final)) != 0)
		fail_msg("op %llu: final figures differ", (unsigned long long)i);
	for (const struct hg_stat_spec *s = hg_stat_specs; s->name; s++) {
		uint64_t x = hg_stat_value(s, a, true);
		uint64_t y = hg_stat_value(s, b, true);
		if (x != y)
			fail_msg("op %llu: peak %s is %llu, not %llu",
				 (unsigned long long)i, s->name,
				 (unsigned long long)x, (unsigned long long)y);
	}
	if (memcmp(&a->peak, &b->peak, sizeof(a->peak)) != 0)
		fail_msg("op %llu: peak figures differ", (unsigned long long)i);
	if (a->events != b->events ||
	    memcmp(&a->os_calls, &b->os_calls, sizeof(a->os_calls)) != 0 ||
	    a->heap_grows != b->heap_grows || a->oom != b->oom ||
	    a->oom_event != b->oom_event || a->oom_size != b->oom_size ||
	    strcmp(a->oom_id, b->oom_id) != 0 ||
	    strcmp(a->oom_message, b->oom_message) != 0)
		fail_msg("op %llu: run statistics differ",
			 (unsigned long long)i);
}

#define NIDS 3000

/*
 * One random op: mostly allocs (small spans from the page cache, larger
 * ones, now and then one that grows the heap or cannot be had) and frees
 * of live spans, with ids the alloc already holds, unknown ids, size 0,
 * ids without their hash (the general way), scavenges that leave
 * released pages to reuse, marks, sysallocs and mmaps.
 */
static void random_op(struct hg_op *o, char *id, bool *live)
{
	unsigned r = (unsigned)(rnd() % 1000);
	unsigned n = (unsigned)(rnd() % NIDS);
	memset(o, 0, sizeof(*o));
	snprintf(id, 32, "s%u", n);
	o->id = id;
	if (r < 8) {
		o->kind = HG_OP_SCAVENGE;
		o->id = NULL;
		o->size = (rnd() % 64) * MiB;
		o->all = r == 0;
		return;
	}
	if (r < 12) {
		o->kind = HG_OP_MARK;
		o->id = NULL;
		o->text = "m";
		return;
	}
	if (r < 16) {
		snprintf(id, 32, "y%u", n % 16);
		o->kind = r < 14 ? HG_OP_SYSALLOC : HG_OP_SYSFREE;
		o->size = 64 * KiB;
	} else if (r < 20) {
		snprintf(id, 32, "x%u", n % 16);
		o->kind = r < 18 ? HG_OP_MMAP : HG_OP_MUNMAP;
		o->size = 1 * MiB;
	} else if (r < 30) {
		/* an id that is live (alloc) or not (free) */
		o->kind = live[n] ? HG_OP_ALLOC : HG_OP_FREE;
		o->size = 8 * KiB;
	} else if (r < 32) {
		o->kind = HG_OP_ALLOC;
		o->size = 0;
	} else if (live[n]) {
		o->kind = HG_OP_FREE;
	} else {
		unsigned s = (unsigned)(rnd() % 100);
		o->kind = HG_OP_ALLOC;
		if (s < 70)
			o->size = (1 + rnd() % 4) * 8 * KiB - rnd() % 100;
		else if (s < 95)
			o->size = (1 + rnd() % 40) * 8 * KiB;
		else if (s < 99)
			o->size = (1 + rnd() % 16) * MiB;
		else
			o->size = (1 + rnd() % 4) * 64 * MiB;
	}
	if (r >= 40 || r < 35) {
		o->id_len = strlen(id);
		o->id_hash = hg_id_hash(id, o->id_len);
	}
}

static bool run_config(const char *const *kv, uint64_t nops, uint64_t seed,
		       bool expect_fast)
{
	struct hg_model *fa = new_model(kv, false);
	struct hg_model *ge = new_model(kv, true);
	static bool live[NIDS];
	char id[32], ea[256], eb[256];
	uint64_t fast = 0, done = 0;

	memset(live, 0, sizeof(live));
	rnd_state = seed;
	for (uint64_t i = 0; i < nops; i++) {
		struct hg_op o;
		struct hg_op_result ra, rb;
		random_op(&o, id, live);
		fast += fa->span_fast && o.id_hash &&
			(o.kind == HG_OP_ALLOC || o.kind == HG_OP_FREE);
		memset(&ra, 0x5a, sizeof(ra));
		memset(&rb, 0xa5, sizeof(rb));
		ea[0] = eb[0] = '\0';
		int a = hg_model_apply(fa, &o, &ra, ea, sizeof(ea));
		int b = hg_model_apply(ge, &o, &rb, eb, sizeof(eb));
		if (a != b || strcmp(ea, eb) != 0)
			fail_msg("op %llu (%s %s): %d '%s' but %d '%s'",
				 (unsigned long long)i, hg_op_name(o.kind),
				 o.id ? o.id : "", a, ea, b, eb);
		done += !fa->dead;
		if (a == HG_ENOMEM)
			break;
		same_results(&ra, &rb, i);
		same_stats(fa, ge, i);
		if (o.kind == HG_OP_ALLOC && o.id && a == HG_OK && o.size)
			live[atoi(id + 1)] = true;
		else if (o.kind == HG_OP_FREE && a == HG_OK)
			live[atoi(id + 1)] = false;
	}
	char err[256];
	if (hg_model_check(fa, err, sizeof(err)))
		fail_msg("check: %s", err);
	if (expect_fast && (fast < done / 2 || done < 100))
		fail_msg("only %llu of %llu ops took the short way",
			 (unsigned long long)fast, (unsigned long long)done);
	if (!expect_fast && fast)
		fail_msg("%llu ops took the short way",
			 (unsigned long long)fast);
	bool dead = fa->dead;
	hg_model_free(fa);
	hg_model_free(ge);
	return dead;
}

static const char *const *configs[] = {
	(const char *const[]){ NULL },
	(const char *const[]){ "go", "1.19", NULL },
	(const char *const[]){ "go", "1.12", NULL },
	(const char *const[]){ "platform", "linux/amd64", NULL },
	(const char *const[]){ "platform", "windows/amd64", NULL },
	(const char *const[]){ "platform", "linux/386", NULL },
	(const char *const[]){ "page_cache", "false", NULL },
	NULL,
};

static void test_same_as_general(void **state)
{
	(void)state;
	for (unsigned c = 0; configs[c]; c++)
		run_config(configs[c], 20000, 0x9e3779b97f4a7c15ull + c, true);
}

/* The heap runs out (the commit limit): the runtime throws at an alloc,
 * the short way stops as the general one does. */
static void test_same_at_oom(void **state)
{
	(void)state;
	static const char *const kv[] = { "commit_limit", "2GiB", NULL };
	unsigned died = 0;
	for (uint64_t s = 1; s <= 4; s++)
		died += run_config(kv, 20000, s * 7919, true);
	assert_int_equal(died, 4);
}

/* A break (js/wasm): every op the general way. */
static void test_sbrk_general(void **state)
{
	(void)state;
	static const char *const kv[] = { "platform", "js/wasm", NULL };
	run_config(kv, 5000, 12345, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_general),
		cmocka_unit_test(test_same_at_oom),
		cmocka_unit_test(test_sbrk_general),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
