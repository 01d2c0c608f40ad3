/*
 * test_fault.c - the model over a fault-injecting OS backend (a table of
 * hg_os.h that wraps the platform's, as jemalloc's unit tests wrap their
 * hooks and SQLite's faultsim wraps malloc): every example trace in
 * traces/examples, on every platform, is replayed once to count the OS
 * calls of each kind (reserve, map, used, alloc, sbrk, grow_memory), then
 * once for each of those calls with that one call failing. Each replay
 * must end cleanly: every operation applied, or Go's throw (HG_EOOM with
 * a message and the out-of-memory statistics), or a failed runtime
 * initialisation with a message; never another error. hg_model_check
 * must pass after the operation the failure hit, after every later one
 * and at the end.
 *
 * Only the public headers are used: hg_core.h, hg_os.h, the trace reader
 * and the replay pipeline, which runs every replay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include <cmocka.h>

#include "hg_core.h"
#include "hg_os.h"
#include "replay.h"
#include "trace.h"

/* ------------------------------------------------------------------ */
/* The fault-injecting backend                                         */
/* ------------------------------------------------------------------ */

enum fault_kind { F_RESERVE, F_MAP, F_USED, F_ALLOC, F_SBRK, F_GROW, F_N };

static const char *const fault_names[F_N] = {
	"reserve", "map", "used", "alloc", "sbrk", "grow_memory",
};

struct fault {
	const struct hg_os_ops *base; /* the platform's backend */
	uint64_t calls[F_N];          /* calls of each kind so far */
	int kind;                     /* the kind that fails, -1 = none */
	uint64_t at;                  /* which call of it (1-based) */
	bool fired;                   /* the failure happened */
};

/* Counts a call of kind k and tells whether it is the one to fail. */
static bool fault_hit(struct hg_os *os, int k)
{
	struct fault *f = hg_os_arg(os);
	f->calls[k]++;
	if (f->kind == k && f->calls[k] == f->at) {
		f->fired = true;
		return true;
	}
	return false;
}

static const struct hg_os_ops *fault_base(struct hg_os *os)
{
	return ((struct fault *)hg_os_arg(os))->base;
}

static hg_addr fault_reserve(struct hg_os *os, hg_addr hint, uint64_t n)
{
	return fault_hit(os, F_RESERVE) ? 0
					: fault_base(os)->reserve(os, hint, n);
}

static int fault_map(struct hg_os *os, hg_addr v, uint64_t n)
{
	return fault_hit(os, F_MAP) ? HG_EOOM : fault_base(os)->map(os, v, n);
}

static int fault_used(struct hg_os *os, hg_addr v, uint64_t n,
		      uint64_t prepared)
{
	return fault_hit(os, F_USED) ? HG_EOOM
				     : fault_base(os)->used(os, v, n, prepared);
}

static hg_addr fault_alloc(struct hg_os *os, uint64_t n)
{
	return fault_hit(os, F_ALLOC) ? 0 : fault_base(os)->alloc(os, n);
}

static int fault_brk(struct hg_os *os, hg_addr addr)
{
	return fault_hit(os, F_SBRK) ? HG_EOOM : fault_base(os)->brk(os, addr);
}

static int fault_grow_memory(struct hg_os *os, uint64_t pages)
{
	return fault_hit(os, F_GROW) ? HG_EOOM
				     : fault_base(os)->grow_memory(os, pages);
}

/* The other entries are left NULL: they are the platform's. */
static const struct hg_os_ops fault_ops = {
	.name = "fault",
	.reserve = fault_reserve,
	.map = fault_map,
	.used = fault_used,
	.alloc = fault_alloc,
	.brk = fault_brk,
	.grow_memory = fault_grow_memory,
};

/* ------------------------------------------------------------------ */
/* Traces, read once                                                   */
/* ------------------------------------------------------------------ */

struct trace {
	char name[128];
	struct hg_setting *config;
	size_t nconfig;
	struct hg_op *ops;
	size_t nops;
};

static char *dup_str(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	assert_non_null(d);
	return d;
}

static void trace_load(struct trace *t, const char *path, const char *name)
{
	struct hg_trace_reader *r = NULL;
	struct hg_diag d;
	size_t cap = 0;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	if (hg_trace_open(&r, path, &d) != HG_OK)
		fail_msg("%s: %s", path, d.msg);
	const struct hg_trace_info *info = hg_trace_info(r);
	t->nconfig = info->nconfig;
	t->config = calloc(t->nconfig + 1, sizeof(*t->config));
	assert_non_null(t->config);
	if (t->nconfig)
		memcpy(t->config, info->config,
		       t->nconfig * sizeof(*t->config));
	for (;;) {
		struct hg_op op;
		unsigned line, col;
		int rc = hg_trace_next(r, &op, &line, &col, &d);
		if (rc == 0)
			break;
		if (rc < 0)
			fail_msg("%s:%u: %s", path, d.line, d.msg);
		if (t->nops == cap) {
			cap = cap ? 2 * cap : 64;
			t->ops = realloc(t->ops, cap * sizeof(*t->ops));
			assert_non_null(t->ops);
		}
		op.id = dup_str(op.id);
		op.text = dup_str(op.text);
		t->ops[t->nops++] = op;
	}
	hg_trace_close(r);
}

static void trace_free(struct trace *t)
{
	for (size_t i = 0; i < t->nops; i++) {
		free((char *)t->ops[i].id);
		free((char *)t->ops[i].text);
	}
	free(t->ops);
	free(t->config);
}

/* ------------------------------------------------------------------ */
/* Replays                                                             */
/* ------------------------------------------------------------------ */

/* The trace's config, then the platform (as --platform does). Returns
 * false when that combination is not a valid configuration. */
static bool config_for(const struct trace *t, enum hg_platform p,
		       const char *go, struct hg_config *cfg)
{
	char err[256];
	hg_config_init(cfg);
	for (size_t i = 0; i < t->nconfig; i++)
		if (hg_config_set(cfg, t->config[i].key, t->config[i].value,
				  err, sizeof(err)))
			fail_msg("%s: %s", t->name, err);
	if (hg_config_set(cfg, "platform", hg_platform_name(p), err,
			  sizeof(err)))
		fail_msg("%s: %s", t->name, err);
	if (go && hg_config_set(cfg, "go", go, err, sizeof(err)))
		fail_msg("%s: go %s: %s", t->name, go, err);
	return hg_config_check(cfg, err, sizeof(err)) == HG_OK;
}

enum outcome { RAN, THREW, INIT_FAILED };

struct result {
	enum outcome outcome;
	size_t applied; /* operations applied without an error */
	uint64_t calls[F_N];
	bool fired;
};

/* One replay through the replay pipeline: its source (the first nops
 * operations of t) and what it checks after each event. */
struct fault_run {
	const struct trace *t;
	size_t nops, next;
	struct fault *f;
	bool fired_before; /* the failure had happened before this event */
	const char *plat, *what;
	uint64_t at;
	struct result *res;
};

static int ops_next(void *ctx, struct hg_op *op, unsigned *line, unsigned *col,
		    struct hg_diag *d)
{
	struct fault_run *r = ctx;

	(void)d;
	if (r->next >= r->nops)
		return 0;
	*op = r->t->ops[r->next++];
	*line = (unsigned)r->next;
	*col = 0;
	return 1;
}

static int after_event(void *ctx, struct hg_replay *rp,
		       const struct hg_replay_event *ev)
{
	struct fault_run *r = ctx;
	struct hg_model *m = hg_replay_model(rp, ev->lane);
	char err[512] = "";

	if (ev->oom) {
		const struct hg_stats *st = hg_model_stats(m);
		if (!st->oom || st->oom_message[0] == 0)
			fail_msg("%s on %s, %s #%llu: event %llu threw "
				 "without a message",
				 r->t->name, r->plat, r->what,
				 (unsigned long long)r->at,
				 (unsigned long long)ev->index);
		r->res->outcome = THREW;
	}
	/* From the failure on, the checker after every event. */
	if (r->f->fired && hg_model_check(m, err, sizeof(err)) != HG_OK)
		fail_msg(
			"%s on %s, %s #%llu: after event %llu (%s%s): "
			"hg_model_check: %s",
			r->t->name, r->plat, r->what, (unsigned long long)r->at,
			(unsigned long long)ev->index, hg_op_name(ev->op->kind),
			r->fired_before ? "" : ", which the failure hit", err);
	r->fired_before = r->f->fired;
	r->res->applied = ev->index + 1;
	return 0;
}

/*
 * replay applies the first nops operations of t to a model over the
 * fault backend (kind -1: no failure) and checks the outcome.
 */
static struct result replay(const struct trace *t, const struct hg_config *cfg,
			    size_t nops, int kind, uint64_t at)
{
	struct fault f = {
		hg_os_platform_ops(cfg->platform), { 0 }, kind, at, false
	};
	struct hg_model_opts opts = HG_MODEL_OPTS_INIT;
	struct result res = { RAN, 0, { 0 }, false };
	const char *plat = hg_platform_name(cfg->platform);
	const char *what = kind < 0 ? "none" : fault_names[kind];
	struct fault_run run = { t, nops, 0, &f, false, plat, what, at, &res };
	struct hg_replay rp;
	char msg[600], err[512] = "";

	opts.os_ops = &fault_ops;
	opts.os_arg = &f;
	hg_replay_init(&rp);
	struct hg_op_source src = { &run, ops_next, NULL };
	hg_replay_source(&rp, &src, "");
	int rc = hg_replay_add_lane_with(&rp, cfg, &opts, NULL);
	if (rc != HG_REPLAY_OK) {
		/* Go throws in mallocinit too: a clean error, said (the
		 * pipeline's own words when the model gave none). Without
		 * a fault, the configuration leaves no room for the runtime
		 * (a commit limit under the sbrk metadata, say). */
		hg_replay_message(&rp, msg, sizeof(msg));
		if ((kind >= 0 && !f.fired) || rc != HG_REPLAY_EINPUT ||
		    strcmp(msg, "invalid configuration") == 0)
			fail_msg("%s on %s, %s #%llu: model creation failed "
				 "(%d) without the fault or a message: %s",
				 t->name, plat, what, (unsigned long long)at,
				 rc, msg);
		res.outcome = INIT_FAILED;
		res.fired = f.fired;
		memcpy(res.calls, f.calls, sizeof(res.calls));
		hg_replay_release(&rp);
		return res;
	}
	struct hg_observer obs = { &run, after_event, NULL };
	assert_int_equal(hg_replay_observe(&rp, &obs), HG_REPLAY_OK);
	rc = hg_replay_run(&rp);
	/* The clean run (kind < 0) finds the usable prefix; with a failure,
	 * any error but Go's throw is a bug. */
	if (rc != HG_REPLAY_OK && rc != HG_REPLAY_OOM && kind >= 0) {
		hg_replay_message(&rp, msg, sizeof(msg));
		fail_msg("%s on %s, %s #%llu: event %zu: status %d instead "
			 "of a throw: %s",
			 t->name, plat, what, (unsigned long long)at,
			 res.applied, rc, msg);
	}
	struct hg_model *m = hg_replay_model(&rp, 0);
	if (hg_model_check(m, err, sizeof(err)) != HG_OK)
		fail_msg("%s on %s, %s #%llu: at the end: hg_model_check: %s",
			 t->name, plat, what, (unsigned long long)at, err);
	if (kind >= 0 && !f.fired)
		fail_msg("%s on %s: %s #%llu never happened", t->name, plat,
			 what, (unsigned long long)at);
	res.fired = f.fired;
	memcpy(res.calls, f.calls, sizeof(res.calls));
	hg_replay_release(&rp);
	return res;
}

struct tally {
	unsigned combos, skipped, no_start, runs, threw, ran, init_failed;
	uint64_t per_kind[F_N];
};

/* Every OS call of t on platform p, failing in turn. */
static void fault_all(const struct trace *t, enum hg_platform p, const char *go,
		      struct tally *ty)
{
	struct hg_config cfg;
	if (!config_for(t, p, go, &cfg)) {
		ty->skipped++;
		return;
	}
	ty->combos++;
	struct result clean = replay(t, &cfg, t->nops, -1, 0);
	if (clean.outcome == INIT_FAILED) {
		ty->no_start++;
		return;
	}
	for (int k = 0; k < F_N; k++) {
		for (uint64_t at = 1; at <= clean.calls[k]; at++) {
			struct result r = replay(t, &cfg, clean.applied, k, at);
			ty->runs++;
			ty->per_kind[k]++;
			if (r.outcome == THREW)
				ty->threw++;
			else if (r.outcome == RAN)
				ty->ran++;
			else
				ty->init_failed++;
		}
	}
}

static bool is_trace(const char *name)
{
	static const char *const suffixes[] = { ".yaml", ".yml", ".hgt",
						".gz" };
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t k = strlen(suffixes[i]);
		if (n > k && strcmp(name + n - k, suffixes[i]) == 0)
			return true;
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every example on every platform, under the trace's own Go version and
 * then under each preset of gos (NULL-terminated; may be NULL).
 */
static void fault_examples(const char *const *gos)
{
	const char *dir = HG_SOURCE_DIR "/traces/examples";
	DIR *d = opendir(dir);
	assert_non_null(d);
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256)
		if (is_trace(e->d_name))
			names[n++] = dup_str(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	assert_true(n >= 10);

	struct tally ty;
	memset(&ty, 0, sizeof(ty));
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		struct trace t;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		trace_load(&t, path, names[i]);
		for (int p = 0; p < HG_PLAT_COUNT; p++) {
			if (!gos)
				fault_all(&t, (enum hg_platform)p, NULL, &ty);
			for (size_t g = 0; gos && gos[g]; g++)
				fault_all(&t, (enum hg_platform)p, gos[g], &ty);
		}
		trace_free(&t);
		free(names[i]);
	}
	print_message("%zu traces: %u configurations replayed, %u not "
		      "valid, %u where the runtime cannot start; %u failing "
		      "OS calls: %u threw, %u ran to the end, %u failed the "
		      "runtime's initialisation\n",
		      n, ty.combos - ty.no_start, ty.skipped, ty.no_start,
		      ty.runs, ty.threw, ty.ran, ty.init_failed);
	for (int k = 0; k < F_N; k++)
		print_message("  %s: %llu\n", fault_names[k],
			      (unsigned long long)ty.per_kind[k]);
	/* Every kind of OS call was failed somewhere. */
	for (int k = 0; k < F_N; k++)
		assert_true(ty.per_kind[k] > 0);
	assert_true(ty.threw > 0 && ty.ran > 0 && ty.init_failed > 0);
}

/* Every example, every platform (hg_platform), the trace's own Go. */
static void test_examples_every_platform_every_fault(void **state)
{
	(void)state;
	fault_examples(NULL);
}

/*
 * The same under the presets where a policy switches (README: the five
 * seeds): linear arenas (1.8, 1.10), whole-arena growth (1.13),
 * sysAlloc-time mapping (1.16) and the older sbrk layers (1.19, 1.21);
 * 1.4 has the top-only sbrk free and the first linear arena.
 */
static void test_examples_policy_presets_every_fault(void **state)
{
	(void)state;
	static const char *const gos[] = { "1.4",  "1.8",  "1.10", "1.13",
					   "1.16", "1.19", "1.21", NULL };
	fault_examples(gos);
}

/* A table of the caller's is used, and its NULL entries are the
 * platform's: a failing first reservation on linux/amd64 is absorbed by
 * the next arena hint, and the span lands one hint higher. */
static void test_injected_table_is_used(void **state)
{
	(void)state;
	struct hg_config cfg;
	hg_config_init(&cfg);
	struct fault f = {
		hg_os_platform_ops(cfg.platform), { 0 }, -1, 0, false
	};
	struct hg_model_opts opts = HG_MODEL_OPTS_INIT;
	struct hg_model *m = NULL;
	char err[256] = "";
	opts.os_ops = &fault_ops;
	opts.os_arg = &f;
	assert_int_equal(hg_model_new_with(&m, &cfg, &opts, err, sizeof(err)),
			 HG_OK);
	uint64_t reserves = f.calls[F_RESERVE];
	assert_true(reserves > 0); /* the page allocator's metadata */
	f.kind = F_RESERVE;
	f.at = reserves + 1; /* the first arena's hint, 0x00c000000000 */
	struct hg_op op = { .kind = HG_OP_ALLOC, .id = "a", .size = 8192 };
	struct hg_op_result res;
	assert_int_equal(hg_model_apply(m, &op, &res, err, sizeof(err)), HG_OK);
	assert_true(f.fired);
	assert_int_equal(res.addr, 0x1c000000000ull);
	assert_int_equal(hg_model_stats(m)->os_calls.reserve,
			 f.calls[F_RESERVE]);
	assert_int_equal(hg_model_check(m, err, sizeof(err)), HG_OK);
	hg_model_free(m);
}

/* A map that fails with the host out of memory (HG_ENOMEM, not the
 * modeled OS's refusal). */
static int map_enomem(struct hg_os *os, hg_addr v, uint64_t n)
{
	(void)os, (void)v, (void)n;
	return HG_ENOMEM;
}

/* The host failing under the model is its own error, never a throw, and
 * the model accepts no more operations. */
static void test_host_failure_is_reported(void **state)
{
	(void)state;
	static const struct hg_os_ops ops = { .map = map_enomem };
	struct hg_config cfg;
	hg_config_init(&cfg);
	struct hg_model_opts opts = HG_MODEL_OPTS_INIT;
	struct hg_model *m = NULL;
	char err[256] = "";
	opts.os_ops = &ops;
	assert_int_equal(hg_model_new_with(&m, &cfg, &opts, err, sizeof(err)),
			 HG_OK);
	struct hg_op op = { .kind = HG_OP_ALLOC, .id = "a", .size = 8192 };
	assert_int_equal(hg_model_apply(m, &op, NULL, err, sizeof(err)),
			 HG_ENOMEM);
	assert_string_equal(err, "out of host memory");
	assert_false(hg_model_stats(m)->oom);
	op.id = "b";
	assert_int_equal(hg_model_apply(m, &op, NULL, err, sizeof(err)),
			 HG_ENOMEM);
	hg_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_injected_table_is_used),
		cmocka_unit_test(test_host_failure_is_reported),
		cmocka_unit_test(test_examples_every_platform_every_fault),
		cmocka_unit_test(test_examples_policy_presets_every_fault),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
