/*
 * test_spanpath.c - the short way of the spans' own events (hg_model_apply
 * on a model without a break or an object layer) against the general way
 * (hg_model_opts.general_path): the same ops, random and with every kind
 * of refusal, on two models of each configuration must give the same
 * return codes, messages, results and statistics (final and peak) after
 * every op, and the same state for the checker at the end. A replay of
 * one lane (its own loop, replay.c one_lane) against the loop of lanes.
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
#include "replay.h"

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
		fail_msg("op %llu: final figures differ",
			 (unsigned long long)i);
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

/* The ops of a replay: random_op's, with recorded addresses and marks. */
#define RNOPS 30000
static struct hg_op rops[RNOPS];
static char rids[RNOPS][32];

struct src {
	size_t i, n;
};

static int src_next(void *ctx, struct hg_op *op, unsigned *line, unsigned *col,
		    struct hg_diag *d)
{
	struct src *s = ctx;
	(void)d;
	if (s->i == s->n)
		return 0;
	*op = rops[s->i++];
	*line = (unsigned)s->i;
	*col = 1;
	return 1;
}

static int count_event(void *ctx, struct hg_replay *rp,
		       const struct hg_replay_event *ev)
{
	(void)rp;
	(void)ev;
	++*(uint64_t *)ctx;
	return 0;
}

struct replayed {
	int status;
	struct hg_stats st;
	struct hg_fidelity fid;
	bool oom;
	unsigned oom_line;
	uint64_t marks;
	uint64_t seen;
};

static int mark_sum(void *arg, const struct hg_mark_figures *mk)
{
	uint64_t *sum = arg;
	*sum = *sum * 31 + mk->event + mk->fig.heap_inuse +
	       mk->fig.classes[HG_CLASS_HEAP_FREE];
	return 0;
}

static void replay_ops(const char *const *kv, size_t nlanes, bool observe,
		       struct replayed *out)
{
	struct hg_replay rp;
	struct hg_config cfg;
	struct src s = { 0, RNOPS };
	char err[256];
	hg_replay_init(&rp);
	struct hg_op_source os = { &s, src_next, NULL };
	hg_replay_source(&rp, &os, "ops");
	hg_config_init(&cfg);
	for (; kv && kv[0]; kv += 2)
		assert_int_equal(
			hg_config_set(&cfg, kv[0], kv[1], err, sizeof(err)), 0);
	for (size_t k = 0; k < nlanes; k++)
		assert_int_equal(hg_replay_add_lane(&rp, &cfg, NULL), 0);
	rp.record_marks = true;
	rp.lenient = true;
	memset(out, 0, sizeof(*out));
	struct hg_observer ob = { &out->seen, count_event, NULL };
	if (observe)
		assert_int_equal(hg_replay_observe(&rp, &ob), 0);
	out->status = hg_replay_run(&rp);
	out->st = *hg_model_stats(rp.lane[0].model);
	out->fid = rp.lane[0].fidelity;
	out->oom = rp.lane[0].oom;
	out->oom_line = rp.lane[0].oom_line;
	out->marks = rp.lane[0].marks.n;
	hg_marks_each(&rp.lane[0].marks, mark_sum, &out->marks);
	hg_replay_release(&rp);
}

static void same_replay(const struct replayed *a, const struct replayed *b)
{
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->st.events, b->st.events);
	assert_memory_equal(&a->st.final, &b->st.final, sizeof(a->st.final));
	assert_memory_equal(&a->st.peak, &b->st.peak, sizeof(a->st.peak));
	assert_int_equal(a->fid.addresses, b->fid.addresses);
	assert_int_equal(a->fid.exact, b->fid.exact);
	assert_int_equal(a->fid.mismatch, b->fid.mismatch);
	assert_int_equal(a->fid.mismatch_event, b->fid.mismatch_event);
	assert_string_equal(a->fid.mismatch_id, b->fid.mismatch_id);
	assert_int_equal(a->oom, b->oom);
	assert_int_equal(a->oom_line, b->oom_line);
	assert_int_equal(a->marks, b->marks);
}

/* One lane's loop (with and without an observer) against the loop of
 * two lanes, whose first lane gets the same ops. */
static void test_one_lane_replay(void **state)
{
	(void)state;
	static bool live[NIDS];
	static const char *const big[] = { NULL };
	static const char *const small[] = { "commit_limit", "128MiB", NULL };
	const char *const *kvs[] = { big, small };
	for (unsigned c = 0; c < 2; c++) {
		memset(live, 0, sizeof(live));
		rnd_state = 4242 + c;
		for (size_t i = 0; i < RNOPS; i++) {
			random_op(&rops[i], rids[i], live);
			struct hg_op *o = &rops[i];
			if (o->size > 16 * MiB)
				o->size = 16 * MiB;
			if (o->id)
				o->id = rids[i];
			if (o->kind == HG_OP_ALLOC && rnd() % 3 == 0) {
				o->has_addr = true;
				o->addr = 0xc000000000ull +
					  (rnd() % 4096) * 8 * KiB;
			}
			/* the ids a replay would hold (lenient: refusals
			 * skipped) */
			if (o->kind == HG_OP_ALLOC && o->size &&
			    o->id[0] == 's')
				live[atoi(o->id + 1)] = true;
			else if (o->kind == HG_OP_FREE)
				live[atoi(o->id + 1)] = false;
		}
		struct replayed one, obs, two;
		replay_ops(kvs[c], 1, false, &one);
		replay_ops(kvs[c], 1, true, &obs);
		replay_ops(kvs[c], 2, false, &two);
		same_replay(&one, &two);
		same_replay(&obs, &two);
		if (one.st.events <= (c ? 100 : RNOPS / 2))
			fail_msg("status %d, %llu events", one.status,
				 (unsigned long long)one.st.events);
		assert_true(c || one.marks != 0);
		assert_true(c || one.fid.addresses > 100);
		assert_int_equal(obs.seen, obs.st.events);
		if (c == 1)
			assert_true(one.oom);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_general),
		cmocka_unit_test(test_same_at_oom),
		cmocka_unit_test(test_sbrk_general),
		cmocka_unit_test(test_one_lane_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
