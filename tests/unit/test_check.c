/*
 * test_check.c - the invariant checker's two modes (README "What is
 * modeled", on --check): a corruption seeded through an OS backend that lies
 * (hg_os.h, as test_fault.c's backend fails calls) must be caught by the linear
 * checker (what each event touched after it, the whole state at marks
 * and at the end) and by the full one (the whole state after every
 * event), and a faithful backend must pass both.
 *
 *   - a sysFree that leaves the mapping in place: both catch it at that
 *     very event (the event's own check looks at the region it ended;
 *     the full mode runs it too, and its whole-state recomputation finds
 *     the corruption alone as well);
 *   - a sysMap that maps only the first half of the heap's range: the
 *     full checker catches it at the first event, the linear checker at
 *     the next mark (the spans land in the half that is mapped), or at
 *     the end of a trace without one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hg_core.h"
#include "hg_os.h"
#include "replay.h"

enum corruption { NONE, FREE_LEAVES_MAPPED, MAP_HALF };

struct liar {
	const struct hg_os_ops *base;
	enum corruption what;
};

static struct liar *liar_of(struct hg_os *os)
{
	return hg_os_arg(os);
}

/* sysFreeOS of a 64 KiB region does nothing. */
static int liar_free(struct hg_os *os, hg_addr v, uint64_t n)
{
	struct liar *l = liar_of(os);
	if (l->what == FREE_LEAVES_MAPPED && n == 65536)
		return HG_OK;
	return l->base->free(os, v, n);
}

/* sysMapOS maps the first half of the range only. */
static int liar_map(struct hg_os *os, hg_addr v, uint64_t n)
{
	struct liar *l = liar_of(os);
	if (l->what == MAP_HALF && n >= (UINT64_C(4) << 20))
		n /= 2;
	return l->base->map(os, v, n);
}

static const struct hg_os_ops liar_ops = {
	.name = "liar",
	.free = liar_free,
	.map = liar_map,
};

/* An op source over a table. */
struct ops {
	const struct hg_op *op;
	size_t n, i;
};

static int ops_next(void *ctx, struct hg_op *op, unsigned *line, unsigned *col,
		    struct hg_diag *d)
{
	struct ops *o = ctx;
	(void)d;
	if (o->i == o->n)
		return 0;
	*op = o->op[o->i++];
	*line = (unsigned)o->i;
	*col = 1;
	return 1;
}

/* replay runs ops under check mode over a backend lying as what; the
 * replay's message in msg; then, when full is not NULL, the whole-state
 * check alone (hg_model_check) on the model at the end, its message in
 * msg. */
static int replay_full(const struct hg_op *op, size_t n, int check,
		       enum corruption what, char *msg, size_t len, int *full)
{
	struct hg_config cfg;
	struct hg_replay rp;
	struct liar l = { hg_os_platform_ops(HG_PLAT_LINUX_AMD64), what };
	struct hg_model_opts mo = { &liar_ops, &l, false };
	struct ops o = { op, n, 0 };
	struct hg_op_source src = { &o, ops_next, NULL };

	hg_config_init(&cfg);
	hg_replay_init(&rp);
	rp.check = check;
	hg_replay_source(&rp, &src, "ops");
	assert_int_equal(hg_replay_add_lane_with(&rp, &cfg, &mo, NULL),
			 HG_REPLAY_OK);
	int status = hg_replay_run(&rp);
	hg_replay_message(&rp, msg, len);
	print_message("%s\n", msg);
	if (full) {
		*full = hg_model_check(hg_replay_model(&rp, 0), msg, len);
		print_message("%s\n", msg);
	}
	hg_replay_release(&rp);
	return status;
}

static int replay(const struct hg_op *op, size_t n, int check,
		  enum corruption what, char *msg, size_t len)
{
	return replay_full(op, n, check, what, msg, len, NULL);
}

#define OP(k, i, s)                                                            \
	{                                                                      \
		.kind = (k), .id = (i), .size = (s)                            \
	}

static const struct hg_op sys_ops[] = {
	OP(HG_OP_ALLOC, "s1", 8192),  OP(HG_OP_SYSALLOC, "g1", 65536),
	OP(HG_OP_ALLOC, "s2", 16384), OP(HG_OP_SYSFREE, "g1", 0),
	OP(HG_OP_ALLOC, "s3", 8192),  OP(HG_OP_FREE, "s1", 0),
};

static const struct hg_op heap_ops[] = {
	OP(HG_OP_ALLOC, "s1", 8192),     OP(HG_OP_ALLOC, "s2", 8192),
	OP(HG_OP_SYSALLOC, "g1", 65536), { .kind = HG_OP_MARK, .text = "here" },
	OP(HG_OP_ALLOC, "s3", 8192),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A faithful backend passes both modes. */
static void test_faithful(void **state)
{
	char msg[512];
	(void)state;
	for (int c = HG_REPLAY_CHECK_LINEAR; c <= HG_REPLAY_CHECK_FULL; c++) {
		assert_int_equal(
			replay(sys_ops, N(sys_ops), c, NONE, msg, sizeof(msg)),
			HG_REPLAY_OK);
		assert_int_equal(replay(heap_ops, N(heap_ops), c, NONE, msg,
					sizeof(msg)),
				 HG_REPLAY_OK);
	}
}

/* Without the checker the corruption goes unnoticed: the tests below
 * fail for the checker's sake, not the replay's. */
static void test_unchecked(void **state)
{
	char msg[512];
	(void)state;
	assert_int_equal(replay(sys_ops, N(sys_ops), HG_REPLAY_CHECK_OFF,
				FREE_LEAVES_MAPPED, msg, sizeof(msg)),
			 HG_REPLAY_OK);
	assert_int_equal(replay(heap_ops, N(heap_ops), HG_REPLAY_CHECK_OFF,
				MAP_HALF, msg, sizeof(msg)),
			 HG_REPLAY_OK);
}

static void test_free_leaves_mapped(void **state)
{
	char msg[512];
	(void)state;
	assert_int_equal(replay(sys_ops, N(sys_ops), HG_REPLAY_CHECK_LINEAR,
				FREE_LEAVES_MAPPED, msg, sizeof(msg)),
			 HG_REPLAY_EINVARIANT);
	assert_non_null(strstr(msg, "after event 3 (sysfree)"));
	assert_non_null(strstr(msg, "still holds runtime memory"));
	assert_int_equal(replay(sys_ops, N(sys_ops), HG_REPLAY_CHECK_FULL,
				FREE_LEAVES_MAPPED, msg, sizeof(msg)),
			 HG_REPLAY_EINVARIANT);
	assert_non_null(strstr(msg, "after event 3 (sysfree)"));
	/* The whole-state recomputation finds it alone too. */
	int full = HG_OK;
	assert_int_equal(replay_full(sys_ops, N(sys_ops), HG_REPLAY_CHECK_OFF,
				     FREE_LEAVES_MAPPED, msg, sizeof(msg),
				     &full),
			 HG_REPLAY_OK);
	assert_int_equal(full, HG_EINVAL);
	assert_non_null(strstr(msg, "by its counter but"));
}

static void test_map_half(void **state)
{
	char msg[512];
	(void)state;
	/* The full checker: at once. */
	assert_int_equal(replay(heap_ops, N(heap_ops), HG_REPLAY_CHECK_FULL,
				MAP_HALF, msg, sizeof(msg)),
			 HG_REPLAY_EINVARIANT);
	assert_non_null(strstr(msg, "after event 0 (alloc)"));
	/* The linear one: at the mark. */
	assert_int_equal(replay(heap_ops, N(heap_ops), HG_REPLAY_CHECK_LINEAR,
				MAP_HALF, msg, sizeof(msg)),
			 HG_REPLAY_EINVARIANT);
	assert_non_null(strstr(msg, "after event 3 (mark)"));
	/* Without the mark: at the end. */
	assert_int_equal(replay(heap_ops, 3, HG_REPLAY_CHECK_LINEAR, MAP_HALF,
				msg, sizeof(msg)),
			 HG_REPLAY_EINVARIANT);
	assert_non_null(strstr(msg, "at the end of the replay (after 3 "
				    "events)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faithful),
		cmocka_unit_test(test_unchecked),
		cmocka_unit_test(test_free_leaves_mapped),
		cmocka_unit_test(test_map_half),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
