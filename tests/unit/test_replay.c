/*
 * test_replay.c - the replay pipeline: error classification, lanes in
 * lockstep, observers stopping a lane, figures at marks (spilled to a
 * file past their memory bound), the fidelity of recorded addresses, and
 * ops read ahead of the one applied (a source's borrowed strings).
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

#define MiB (1024ull * 1024)

/* A source over an array of ops; fail_at >= 0 fails there with rc. */
struct ops {
	const struct hg_op *v;
	size_t n, i;
	long fail_at;
	int fail_rc;
	uint64_t marks_left; /* then this many marks */
};

static int ops_next(void *ctx, struct hg_op *op, unsigned *line, unsigned *col,
		    struct hg_diag *d)
{
	struct ops *o = ctx;
	if (o->fail_at >= 0 && o->i == (size_t)o->fail_at) {
		hg_diag_set(d, "ops", (unsigned)o->i + 1, 3, "bad op");
		return o->fail_rc;
	}
	if (o->i < o->n) {
		*op = o->v[o->i];
	} else if (o->marks_left) {
		o->marks_left--;
		memset(op, 0, sizeof(*op));
		op->kind = HG_OP_MARK;
		op->text = "tick";
	} else {
		return 0;
	}
	o->i++;
	*line = (unsigned)o->i;
	*col = 1;
	return 1;
}

static void setup(struct hg_replay *rp, struct ops *o, const char *platform,
		  uint64_t commit_limit, size_t lanes)
{
	struct hg_config cfg;
	char err[128], v[32];
	hg_replay_init(rp);
	struct hg_op_source src = { o, ops_next, NULL };
	hg_replay_source(rp, &src, "ops");
	hg_config_init(&cfg);
	assert_int_equal(
		hg_config_set(&cfg, "platform", platform, err, sizeof(err)), 0);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)commit_limit);
	assert_int_equal(
		hg_config_set(&cfg, "commit_limit", v, err, sizeof(err)), 0);
	for (size_t i = 0; i < lanes; i++)
		assert_int_equal(hg_replay_add_lane(rp, &cfg, NULL), 0);
}

static const struct hg_op two_allocs[] = {
	{ .kind = HG_OP_ALLOC, .id = "A", .size = 8 * MiB },
	{ .kind = HG_OP_MARK, .text = "after A" },
	{ .kind = HG_OP_ALLOC, .id = "B", .size = 64 * MiB },
	{ .kind = HG_OP_FREE, .id = "A" },
};

static void test_ok_and_marks(void **state)
{
	(void)state;
	struct ops o = { two_allocs, 4, 0, -1, 0, 0 };
	struct hg_replay rp;
	setup(&rp, &o, "linux/amd64", 0, 1);
	rp.record_marks = true;
	assert_int_equal(hg_replay_run(&rp), HG_REPLAY_OK);
	assert_int_equal(hg_replay_exit_status(rp.status), 0);
	assert_int_equal(hg_model_stats(hg_replay_model(&rp, 0))->events, 4);
	assert_int_equal(rp.lane[0].marks.n, 1);
	assert_int_equal(rp.lane[0].fidelity.addresses, 0);
	hg_replay_release(&rp);
}

/* The modeled runtime out of memory: status 3, the state kept there. */
static void test_model_oom(void **state)
{
	(void)state;
	struct ops o = { two_allocs, 4, 0, -1, 0, 0 };
	struct hg_replay rp;
	setup(&rp, &o, "linux/386", 16 * MiB, 1);
	assert_int_equal(hg_replay_run(&rp), HG_REPLAY_OOM);
	assert_int_equal(hg_replay_exit_status(rp.status), 3);
	assert_true(rp.lane[0].oom);
	assert_int_equal(rp.lane[0].oom_line, 3);
	/* It stopped there: the free was never applied, nor read (no lane
	 * prefetches: each op is read just before it runs). */
	assert_int_equal(hg_model_stats(hg_replay_model(&rp, 0))->events, 3);
	assert_int_equal(o.i, 3);
	hg_replay_release(&rp);
}

/* An input error has a position; the host out of memory its own text. */
static void test_errors(void **state)
{
	(void)state;
	char msg[600];
	struct ops o = { two_allocs, 4, 0, 2, HG_EINVAL, 0 };
	struct hg_replay rp;
	setup(&rp, &o, "linux/amd64", 0, 1);
	assert_int_equal(hg_replay_run(&rp), HG_REPLAY_EINPUT);
	assert_int_equal(hg_replay_exit_status(rp.status), 2);
	hg_replay_message(&rp, msg, sizeof(msg));
	assert_string_equal(msg, "ops:3:3: bad op");
	/* Read ahead, the bad op is said only after the ones before it ran. */
	assert_int_equal(hg_model_stats(hg_replay_model(&rp, 0))->events, 2);
	hg_replay_release(&rp);

	o = (struct ops){ two_allocs, 4, 0, 1, HG_ENOMEM, 0 };
	setup(&rp, &o, "linux/amd64", 0, 1);
	assert_int_equal(hg_replay_run(&rp), HG_REPLAY_EHOST);
	assert_int_equal(hg_replay_exit_status(rp.status), 2);
	hg_replay_message(&rp, msg, sizeof(msg));
	assert_string_equal(msg, "out of host memory");
	hg_replay_release(&rp);

	/* The model's own complaint, at the op's position. */
	static const struct hg_op bad[] = {
		{ .kind = HG_OP_FREE, .id = "nope" },
	};
	o = (struct ops){ bad, 1, 0, -1, 0, 0 };
	setup(&rp, &o, "linux/amd64", 0, 1);
	assert_int_equal(hg_replay_run(&rp), HG_REPLAY_EINPUT);
	hg_replay_message(&rp, msg, sizeof(msg));
	assert_string_equal(msg, "ops:1:1: free: unknown id 'nope'");
	hg_replay_release(&rp);
}

/* Two lanes read one source; one runs out of memory, the other goes on;
 * an observer may stop a lane. */
static int stop_lane1_at_mark(void *ctx, struct hg_replay *rp,
			      const struct hg_replay_event *ev)
{
	(void)rp;
	(*(int *)ctx)++;
	return ev->lane == 1 && ev->op->kind == HG_OP_MARK ? HG_REPLAY_STOP : 0;
}

static void test_lanes(void **state)
{
	(void)state;
	struct ops o = { two_allocs, 4, 0, -1, 0, 0 };
	struct hg_replay rp;
	struct hg_config cfg;
	char err[128];
	int calls = 0;
	setup(&rp, &o, "linux/386", 16 * MiB, 1);
	hg_config_init(&cfg);
	assert_int_equal(hg_replay_add_lane(&rp, &cfg, "stops at the mark"), 0);
	assert_int_equal(hg_replay_add_lane(&rp, &cfg, "to the end"), 0);
	struct hg_observer obs = { &calls, stop_lane1_at_mark, NULL };
	assert_int_equal(hg_replay_observe(&rp, &obs), 0);
	/* Lane 0 runs out of memory at B, lane 1 stops at the mark... */
	assert_int_equal(hg_replay_run(&rp), HG_REPLAY_OOM);
	assert_true(rp.lane[0].oom);
	assert_false(rp.lane[1].oom);
	assert_true(rp.lane[1].stopped);
	assert_int_equal(hg_model_stats(hg_replay_model(&rp, 1))->events, 2);
	/* ...and lane 2 reads to the end. */
	assert_int_equal(hg_model_stats(hg_replay_model(&rp, 2))->events, 4);
	assert_int_equal(o.i, 4);
	assert_int_equal(calls, 3 + 2 + 4);
	hg_replay_release(&rp);
	/* A configuration error names the configuration. */
	hg_replay_init(&rp);
	hg_config_init(&cfg);
	cfg.arena_size = 3 * MiB;
	assert_int_equal(hg_replay_add_lane(&rp, &cfg, "odd"),
			 HG_REPLAY_EINPUT);
	hg_replay_message(&rp, err, sizeof(err));
	assert_true(strncmp(err, "odd: ", 5) == 0);
	hg_replay_release(&rp);
}

static int count_marks(void *arg, const struct hg_mark_figures *mk)
{
	uint64_t *n = arg;
	assert_string_equal(mk->label, "tick");
	assert_int_equal(mk->event, *n + 1);
	assert_int_equal(mk->fig.heap_inuse, 8 * MiB);
	(*n)++;
	return 0;
}

/* Marks beyond the memory bound go to a file and read back the same. */
static void test_many_marks(void **state)
{
	(void)state;
	struct ops o = { two_allocs, 1, 0, -1, 0, 20000 };
	struct hg_replay rp;
	setup(&rp, &o, "linux/amd64", 0, 1);
	rp.record_marks = true;
	assert_int_equal(hg_replay_run(&rp), HG_REPLAY_OK);
	assert_int_equal(rp.lane[0].marks.n, 20000);
	assert_non_null(rp.lane[0].marks.spill);
	uint64_t n = 0;
	assert_int_equal(hg_marks_each(&rp.lane[0].marks, count_marks, &n), 0);
	assert_int_equal(n, 20000);
	n = 0; /* twice */
	assert_int_equal(hg_marks_each(&rp.lane[0].marks, count_marks, &n), 0);
	assert_int_equal(n, 20000);
	hg_replay_release(&rp);
}

/* Recorded addresses: counted on allocating ops, not on mmap hints. */
static void test_fidelity(void **state)
{
	(void)state;
	static const struct hg_op rec[] = {
		{ .kind = HG_OP_ALLOC,
		  .id = "A",
		  .size = 5 * MiB,
		  .addr = 0xc000000000,
		  .has_addr = true },
		{ .kind = HG_OP_MMAP,
		  .id = "M",
		  .size = MiB,
		  .addr = 0x7f0000000000,
		  .has_addr = true },
		{ .kind = HG_OP_ALLOC,
		  .id = "B",
		  .size = 70 * MiB,
		  .addr = 0xc000600000,
		  .has_addr = true },
		{ .kind = HG_OP_ALLOC,
		  .id = "C",
		  .size = MiB,
		  .addr = 0xc000000000,
		  .has_addr = true },
	};
	struct ops o = { rec, 4, 0, -1, 0, 0 };
	struct hg_replay rp;
	setup(&rp, &o, "linux/amd64", 0, 1);
	assert_int_equal(hg_replay_run(&rp), HG_REPLAY_OK);
	const struct hg_fidelity *f = &rp.lane[0].fidelity;
	assert_int_equal(f->addresses, 3);
	assert_int_equal(f->exact, 1);
	assert_true(f->mismatch);
	assert_int_equal(f->mismatch_event, 2);
	assert_string_equal(f->mismatch_id, "B");
	assert_int_equal(f->recorded, 0xc000600000);
	assert_int_equal(f->model, 0xc000500000);
	hg_replay_release(&rp);
}

/*
 * A source like a reader: the id and the mark label of each op in one
 * buffer of its own that the next call overwrites (the replay reads ahead:
 * it must not keep the borrowed strings). Ids of 2 to 300 bytes, half of
 * them with their length and hash: span k
 * allocated, a mark, span k - 1 freed (span 0 allocated instead at first).
 */
struct clobber {
	char buf[700];
	unsigned i, n;
	unsigned prefill; /* first this many spans "p<k>", kept live */
	bool fail_end;    /* an input error instead of the end */
};

static void clobber_id(char *b, unsigned k)
{
	unsigned len = 1 + (k * 37) % 300;
	int w = snprintf(b, 16, "%u-", k);
	for (unsigned j = (unsigned)w; j < len; j++)
		b[j] = (char)('a' + (k + j) % 26);
	b[len > (unsigned)w ? len : (unsigned)w] = '\0';
}

static int clobber_next(void *ctx, struct hg_op *op, unsigned *line,
			unsigned *col, struct hg_diag *d)
{
	struct clobber *c = ctx;
	if (c->i >= c->prefill + c->n) {
		if (!c->fail_end)
			return 0;
		hg_diag_set(d, "clobber", c->i + 1, 1, "bad op");
		return HG_EINVAL;
	}
	memset(c->buf, 'X', sizeof(c->buf)); /* the last op's strings gone */
	memset(op, 0, sizeof(*op));
	if (c->i < c->prefill) {
		op->kind = HG_OP_ALLOC;
		op->size = 8192;
		snprintf(c->buf, sizeof(c->buf), "p%u", c->i);
		op->id = c->buf;
		c->i++;
		*line = c->i;
		*col = 1;
		return 1;
	}
	unsigned k = (c->i - c->prefill) / 3, r = (c->i - c->prefill) % 3;
	if (r == 0 || (r == 2 && k == 0)) {
		op->kind = HG_OP_ALLOC;
		op->size = 8192;
		clobber_id(c->buf, r == 0 ? k + 1 : 0);
		op->id = c->buf;
	} else if (r == 2) {
		op->kind = HG_OP_FREE;
		clobber_id(c->buf, k);
		op->id = c->buf;
	} else {
		op->kind = HG_OP_MARK;
		snprintf(c->buf, sizeof(c->buf), "mark %u", k);
		op->text = c->buf;
	}
	/* Half of the ids come with their length and hash, as a reader
	 * gives them. */
	if (op->id && k % 2) {
		op->id_len = strlen(op->id);
		op->id_hash = hg_id_hash(op->id, op->id_len);
	}
	c->i++;
	*line = c->i;
	*col = 1;
	return 1;
}

static int check_mark_label(void *arg, const struct hg_mark_figures *mk)
{
	unsigned *n = arg;
	char want[32];
	snprintf(want, sizeof(want), "mark %u", *n);
	assert_string_equal(mk->label, want);
	(*n)++;
	return 0;
}

/* Replays c's ops in one lane of the default configuration, recording
 * marks; returns hg_replay_run's result (rp to be released). */
static int clobber_replay(struct hg_replay *rp, struct clobber *c)
{
	struct hg_config cfg;
	struct hg_op_source src = { c, clobber_next, NULL };

	hg_replay_init(rp);
	hg_replay_source(rp, &src, "clobber");
	hg_config_init(&cfg);
	assert_int_equal(hg_replay_add_lane(rp, &cfg, NULL), 0);
	rp->record_marks = true;
	return hg_replay_run(rp);
}

static void test_borrowed_strings(void **state)
{
	(void)state;
	struct clobber c = { .n = 3000 };
	struct hg_replay rp;
	assert_int_equal(clobber_replay(&rp, &c), HG_REPLAY_OK);
	const struct hg_stats *st = hg_model_stats(hg_replay_model(&rp, 0));
	assert_int_equal(st->events, 3000);
	/* Spans 0 and 1000 are live; every other one was freed. */
	assert_int_equal(st->final.heap_inuse, 2 * 8192);
	unsigned n = 0;
	assert_int_equal(hg_marks_each(&rp.lane[0].marks, check_mark_label, &n),
			 0);
	assert_int_equal(n, 1000);
	hg_replay_release(&rp);
}

/*
 * The same ops after 70,000 live spans: the span map outgrows the host's
 * caches (hg_model_prefetch_wanted), and from the next PREFETCH_ASK on
 * the ops are read ahead of the one applied, their strings copied. The
 * source's error at the end is said after every op before it ran.
 */
static void test_borrowed_strings_ahead(void **state)
{
	(void)state;
	struct clobber c = { .n = 30000, .prefill = 70000, .fail_end = true };
	struct hg_replay rp;
	assert_int_equal(clobber_replay(&rp, &c), HG_REPLAY_EINPUT);
	assert_int_equal(rp.err.line, 100001);
	assert_true(rp.lane[0].prefetch);
	const struct hg_stats *st = hg_model_stats(hg_replay_model(&rp, 0));
	assert_int_equal(st->events, 100000);
	assert_int_equal(st->final.heap_inuse, (70000 + 2) * 8192);
	unsigned n = 0;
	assert_int_equal(hg_marks_each(&rp.lane[0].marks, check_mark_label, &n),
			 0);
	assert_int_equal(n, 10000);
	hg_replay_release(&rp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_and_marks),
		cmocka_unit_test(test_model_oom),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_lanes),
		cmocka_unit_test(test_many_marks),
		cmocka_unit_test(test_fidelity),
		cmocka_unit_test(test_borrowed_strings),
		cmocka_unit_test(test_borrowed_strings_ahead),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
