/*
 * test_ids.c - heapgrow check's id rules (hg_ids) are replay's: the same
 * op sequences through hg_ids_apply and hg_model_apply give the same
 * verdicts and messages, for every family of ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hg_core.h"

#include <stdio.h>
#include <string.h>

struct step {
	enum hg_op_kind kind;
	const char *id;
	uint64_t size;
	const char *msg; /* the trace error, or NULL */
};

/* run feeds steps to a model and to hg_ids; both must agree with msg. */
static void run(const struct step *steps, size_t n)
{
	struct hg_config cfg;
	struct hg_model *m;
	struct hg_ids *ids;
	char err[256], merr[256];

	hg_config_init(&cfg);
	assert_int_equal(hg_model_new(&m, &cfg, err, sizeof(err)), HG_OK);
	assert_int_equal(hg_ids_new(&ids), HG_OK);
	for (size_t i = 0; i < n; i++) {
		struct hg_op op = { .kind = steps[i].kind,
				    .id = steps[i].id,
				    .size = steps[i].size };
		uint64_t since = 0;
		int rc = hg_ids_apply(ids, &op, 100 + i, &since, err,
				      sizeof(err));
		int mrc = hg_model_apply(m, &op, NULL, merr, sizeof(merr));

		if (steps[i].msg) {
			assert_int_equal(rc, HG_ETRACE);
			assert_string_equal(err, steps[i].msg);
			assert_int_equal(mrc, HG_ETRACE);
			assert_string_equal(merr, steps[i].msg);
		} else {
			assert_int_equal(rc, HG_OK);
			if (mrc != HG_OK)
				fail_msg("step %zu: the model says %s", i,
					 merr);
		}
		if (strstr(err, "already live") && steps[i].msg) {
			/* since: the tag the id was made with */
			size_t j = i;

			while (j-- > 0)
				if (steps[j].kind == steps[i].kind &&
				    !steps[j].msg &&
				    !strcmp(steps[j].id, steps[i].id))
					break;
			assert_int_equal(since, 100 + j);
		}
	}
	hg_ids_free(ids);
	hg_model_free(m);
}

#define RUN(s) run(s, sizeof(s) / sizeof(s[0]))

static void test_span_level(void **state)
{
	static const struct step s[] = {
		{ HG_OP_ALLOC, "A", 8192, NULL },
		{ HG_OP_SYSALLOC, "A", 4096, NULL }, /* another family */
		{ HG_OP_MMAP, "A", 4096, NULL },
		{ HG_OP_ALLOC, "A", 8192, "alloc: id 'A' is already live" },
		{ HG_OP_FREE, "B", 0, "free: unknown id 'B'" },
		{ HG_OP_SYSFREE, "B", 0, "sysfree: unknown id 'B'" },
		{ HG_OP_MUNMAP, "B", 0, "munmap: unknown id 'B'" },
		{ HG_OP_FREE, "A", 0, NULL },
		{ HG_OP_FREE, "A", 0, "free: unknown id 'A'" },
		{ HG_OP_ALLOC, "A", 16384, NULL }, /* reused once freed */
		{ HG_OP_ALLOC, "Z", 0, "alloc: size must be positive" },
		{ HG_OP_SYSALLOC, "Z", 0, "sysalloc: size must be positive" },
		{ HG_OP_MMAP, "Z", 0, "mmap: size must be positive" },
		{ HG_OP_SYSFREE, "A", 0, NULL },
		{ HG_OP_MUNMAP, "A", 0, NULL },
		{ HG_OP_SCAVENGE, NULL, 0, NULL },
		{ HG_OP_MARK, NULL, 0, NULL },
	};

	(void)state;
	RUN(s);
}

static void test_objects_and_stacks(void **state)
{
	static const struct step s[] = {
		{ HG_OP_NEW, "o", 100, NULL },
		{ HG_OP_STACKALLOC, "o", 8192, NULL }, /* another family */
		{ HG_OP_NEW, "o", 100, "new: id 'o' is already live" },
		{ HG_OP_DEL, "p", 0, "del: unknown id 'p'" },
		{ HG_OP_STACKFREE, "p", 0, "stackfree: unknown id 'p'" },
		{ HG_OP_NEW, "z", 0, "new: size must be positive" },
		{ HG_OP_STACKALLOC, "z", 0,
		  "stackalloc: size must be positive" },
		{ HG_OP_STACKALLOC, "o", 8192,
		  "stackalloc: id 'o' is already live" },
		{ HG_OP_DEL, "o", 0, NULL },
		{ HG_OP_NEW, "o", 64, NULL },
		{ HG_OP_STACKFREE, "o", 0, NULL },
		{ HG_OP_STACKFREE, "o", 0, "stackfree: unknown id 'o'" },
	};

	(void)state;
	RUN(s);
}

/* Ops without an id, and an unknown kind, without a model. */
static void test_no_id(void **state)
{
	struct hg_ids *ids;
	struct hg_op op = { .kind = HG_OP_FREE };
	char err[128];

	(void)state;
	assert_int_equal(hg_ids_new(&ids), HG_OK);
	assert_int_equal(hg_ids_apply(ids, &op, 1, NULL, err, sizeof(err)),
			 HG_ETRACE);
	assert_string_equal(err, "free: missing id");
	op.kind = HG_OP_GC;
	assert_int_equal(hg_ids_apply(ids, &op, 1, NULL, err, sizeof(err)),
			 HG_OK);
	op.kind = HG_OP_COUNT;
	assert_int_equal(hg_ids_apply(ids, &op, 1, NULL, err, sizeof(err)),
			 HG_ETRACE);
	assert_string_equal(err, "unknown operation");
	hg_ids_free(ids);
	hg_ids_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_span_level),
		cmocka_unit_test(test_objects_and_stacks),
		cmocka_unit_test(test_no_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
