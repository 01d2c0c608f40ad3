/*
 * test_addr_ranges.c - addrRanges (Go: runtime/mranges_test.go).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr_ranges.h"

static struct hg_addr_range rng(hg_addr b, hg_addr l)
{
	struct hg_addr_range r = { b, l };

	return r;
}

/* Go: validateAddrRanges. */
static void validate(const struct hg_addr_ranges *a,
		     const struct hg_addr_range *want, size_t n)
{
	uint64_t total = 0;
	size_t i;

	assert_int_equal(a->len, n);
	for (i = 0; i < n; i++) {
		assert_true(a->ranges[i].base < a->ranges[i].limit);
		assert_int_equal(a->ranges[i].base, want[i].base);
		assert_int_equal(a->ranges[i].limit, want[i].limit);
		if (i > 0)
			assert_true(a->ranges[i - 1].limit < a->ranges[i].base);
		total += hg_addr_range_size(want[i]);
	}
	assert_int_equal(a->total_bytes, total);
}

/* Reference section 6 item 13, then Go's TestAddrRangesAdd tail. */
static void test_ref13_add_coalesce(void **state)
{
	struct hg_addr_ranges a;
	struct hg_addr_range want[200];
	size_t nwant, i;

	(void)state;
	assert_int_equal(hg_addr_ranges_init(&a), HG_OK);
	assert_int_equal(a.cap, 16);

	assert_int_equal(hg_addr_ranges_add(&a, rng(512, 1024)), 0);
	want[0] = rng(512, 1024);
	validate(&a, want, 1);

	assert_int_equal(hg_addr_ranges_add(&a, rng(1024, 2048)), 0);
	want[0] = rng(512, 2048);
	validate(&a, want, 1);

	assert_int_equal(hg_addr_ranges_add(&a, rng(4096, 8192)), 0);
	want[1] = rng(4096, 8192);
	validate(&a, want, 2);

	assert_int_equal(hg_addr_ranges_add(&a, rng(3776, 4096)), 0);
	want[1] = rng(3776, 8192);
	validate(&a, want, 2);

	assert_int_equal(hg_addr_ranges_add(&a, rng(2048, 3776)), 0);
	want[0] = rng(512, 8192);
	validate(&a, want, 1);

	/* 64 discontiguous ranges above: grows the capacity several times. */
	nwant = 1;
	for (i = 0; i < 64; i++) {
		struct hg_addr_range d =
			rng(8192 + (i + 1) * 2048, 8192 + (i + 1) * 2048 + 10);

		assert_int_equal(hg_addr_ranges_add(&a, d), 0);
		want[nwant++] = d;
		validate(&a, want, nwant);
	}
	/* 63 more below, each inserted at the front part. */
	for (i = 0; i < 63; i++) {
		struct hg_addr_range d = rng(8 + i * 8, 8 + i * 8 + 4);

		assert_int_equal(hg_addr_ranges_add(&a, d), 0);
		memmove(&want[i + 1], &want[i], (nwant - i) * sizeof(want[0]));
		want[i] = d;
		nwant++;
		validate(&a, want, nwant);
	}
	assert_true(a.cap >= a.len);

	/* Empty and overlapping ranges are refused. */
	assert_int_equal(hg_addr_ranges_add(&a, rng(100000, 100000)),
			 HG_EINVAL);
	assert_int_equal(hg_addr_ranges_add(&a, rng(1000, 1100)), HG_EINVAL);
	validate(&a, want, nwant);
	hg_addr_ranges_destroy(&a);
}

static struct hg_addr_ranges make(const struct hg_addr_range *r, size_t n)
{
	struct hg_addr_ranges a;
	size_t i;

	assert_int_equal(hg_addr_ranges_init(&a), HG_OK);
	for (i = 0; i < n; i++)
		assert_int_equal(hg_addr_ranges_add(&a, r[i]), HG_OK);
	return a;
}

/* Go: TestAddrRangesFindSucc. */
static void test_find_succ(void **state)
{
	struct hg_addr_range large[100];
	const struct hg_addr_range one[] = { { 14, 16 } };
	const struct hg_addr_range three[] = { { 6, 10 },
					       { 12, 16 },
					       { 19, 22 } };
	const struct hg_addr_range zero[] = { { 0, 10 } };
	const struct hg_addr_range top[] = { { UINT64_MAX - 5, UINT64_MAX } };
	struct {
		const char *name;
		hg_addr base;
		size_t expect;
		const struct hg_addr_range *r;
		size_t n;
	} tests[] = {
		{ "Empty", 12, 0, NULL, 0 },
		{ "OneBefore", 12, 0, one, 1 },
		{ "OneWithin", 14, 1, one, 1 },
		{ "OneAfterLimit", 16, 1, one, 1 },
		{ "OneAfter", 17, 1, one, 1 },
		{ "ThreeBefore", 3, 0, three, 3 },
		{ "ThreeAfter", 24, 3, three, 3 },
		{ "ThreeBetween", 11, 1, three, 3 },
		{ "ThreeWithin", 9, 1, three, 3 },
		{ "Zero", 0, 1, zero, 1 },
		{ "Max", UINT64_MAX, 1, top, 1 },
		{ "LargeBefore", 2, 0, large, 100 },
		{ "LargeAfter", 5 + 100 * 5 + 30, 100, large, 100 },
		{ "LargeBetweenLow", 14, 2, large, 100 },
		{ "LargeBetweenHigh", 249, 49, large, 100 },
		{ "LargeWithinLow", 25, 5, large, 100 },
		{ "LargeWithinHigh", 396, 79, large, 100 },
		{ "LargeWithinMiddle", 250, 50, large, 100 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < 100; i++)
		large[i] = rng(5 + i * 5, 5 + i * 5 + 3);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		struct hg_addr_ranges a = make(tests[i].r, tests[i].n);

		if (hg_addr_ranges_find_succ(&a, tests[i].base) !=
		    tests[i].expect)
			fail_msg("%s: got %zu want %zu", tests[i].name,
				 hg_addr_ranges_find_succ(&a, tests[i].base),
				 tests[i].expect);
		hg_addr_ranges_destroy(&a);
	}
}

static void test_find_and_contains(void **state)
{
	const struct hg_addr_range r[] = { { 0x1000, 0x2000 },
					   { 0x8000, 0x9000 } };
	struct hg_addr_ranges a = make(r, 2), empty;
	hg_addr out = 0;

	(void)state;
	assert_true(hg_addr_ranges_find_addr_greater_equal(&a, 0x10, &out));
	assert_int_equal(out, 0x1000);
	assert_true(hg_addr_ranges_find_addr_greater_equal(&a, 0x1800, &out));
	assert_int_equal(out, 0x1800);
	assert_true(hg_addr_ranges_find_addr_greater_equal(&a, 0x2000, &out));
	assert_int_equal(out, 0x8000);
	assert_false(hg_addr_ranges_find_addr_greater_equal(&a, 0x9000, &out));
	assert_true(hg_addr_ranges_contains(&a, 0x1000));
	assert_true(hg_addr_ranges_contains(&a, 0x8fff));
	assert_false(hg_addr_ranges_contains(&a, 0x2000));
	assert_false(hg_addr_ranges_contains(&a, 0xfff));
	assert_int_equal(hg_addr_ranges_init(&empty), 0);
	assert_false(hg_addr_ranges_find_addr_greater_equal(&empty, 0, &out));
	assert_false(hg_addr_ranges_contains(&empty, 0));
	hg_addr_ranges_destroy(&empty);
	hg_addr_ranges_destroy(&a);
}

/* One range, the inline case: every address around its ends as the
 * search of a list of any length finds it. */
static void test_find_one_range(void **state)
{
	const struct hg_addr_range r[] = { { 0x10000, 0x30000 } };
	struct hg_addr_ranges a = make(r, 1);
	const hg_addr at[] = { 0,       0xffff,  0x10000, 0x10001,   0x20000,
			       0x2ffff, 0x30000, 0x30001, UINT64_MAX };

	(void)state;
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		hg_addr got = 1, want = 2;
		bool g =
			hg_addr_ranges_find_addr_greater_equal(&a, at[i], &got);
		bool w = hg_addr_ranges_find_ge_any(&a, at[i], &want);
		assert_int_equal(g, w);
		if (w)
			assert_int_equal(got, want);
	}
	hg_addr out = 0;
	assert_true(hg_addr_ranges_find_addr_greater_equal(&a, 0xffff, &out));
	assert_int_equal(out, 0x10000);
	assert_true(hg_addr_ranges_find_addr_greater_equal(&a, 0x2ffff, &out));
	assert_int_equal(out, 0x2ffff);
	assert_false(hg_addr_ranges_find_addr_greater_equal(&a, 0x30000, &out));
	hg_addr_ranges_destroy(&a);
}

static void test_remove(void **state)
{
	const struct hg_addr_range r[] = { { 0x1000, 0x2000 },
					   { 0x3000, 0x5000 },
					   { 0x8000, 0x9000 } };
	struct hg_addr_ranges a = make(r, 3), b;
	struct hg_addr_range got, want[3];

	(void)state;
	got = hg_addr_ranges_remove_last(&a, 0x400);
	assert_int_equal(got.base, 0x8c00);
	assert_int_equal(got.limit, 0x9000);
	got = hg_addr_ranges_remove_last(&a, 0x10000);
	assert_int_equal(got.base, 0x8000);
	assert_int_equal(got.limit, 0x8c00);
	want[0] = r[0];
	want[1] = r[1];
	validate(&a, want, 2);

	assert_int_equal(hg_addr_ranges_init(&b), 0);
	assert_int_equal(hg_addr_ranges_clone_into(&a, &b), 0);
	validate(&b, want, 2);

	hg_addr_ranges_remove_greater_equal(&a, 0x4000);
	want[1] = rng(0x3000, 0x4000);
	validate(&a, want, 2);
	hg_addr_ranges_remove_greater_equal(&a, 0x3000);
	validate(&a, want, 1);
	hg_addr_ranges_remove_greater_equal(&a, 0x2800);
	validate(&a, want, 1);
	hg_addr_ranges_remove_greater_equal(&a, 0x1000);
	validate(&a, want, 0);
	got = hg_addr_ranges_remove_last(&a, 1);
	assert_int_equal(hg_addr_range_size(got), 0);

	hg_addr_ranges_remove_greater_equal(&b, 0);
	validate(&b, want, 0);
	hg_addr_ranges_destroy(&a);
	hg_addr_ranges_destroy(&b);
}

static void test_range_ops(void **state)
{
	struct hg_addr_range a = rng(0x1000, 0x5000), x;
	hg_addr out = 0;
	bool ok;

	(void)state;
	x = hg_addr_range_subtract(a, rng(0, 0x2000), &ok);
	assert_true(ok);
	assert_int_equal(x.base, 0x2000);
	assert_int_equal(x.limit, 0x5000);
	x = hg_addr_range_subtract(a, rng(0x4000, 0x6000), &ok);
	assert_int_equal(x.base, 0x1000);
	assert_int_equal(x.limit, 0x4000);
	x = hg_addr_range_subtract(a, rng(0, 0x6000), &ok);
	assert_int_equal(hg_addr_range_size(x), 0);
	x = hg_addr_range_subtract(a, rng(0x2000, 0x3000), &ok);
	assert_false(ok);

	x = a;
	assert_true(hg_addr_range_take_from_front(&x, 0x100, 0x800, &out));
	assert_int_equal(out, 0x1000);
	assert_int_equal(x.base, 0x1100);
	assert_true(hg_addr_range_take_from_front(&x, 0x100, 0x800, &out));
	assert_int_equal(out, 0x1800);
	assert_true(hg_addr_range_take_from_back(&x, 0x100, 0x800, &out));
	assert_int_equal(out, 0x4800);
	assert_int_equal(x.limit, 0x4800);
	assert_false(hg_addr_range_take_from_front(&x, 0x10000, 1, &out));

	x = hg_addr_range_remove_greater_equal(a, 0x3000);
	assert_int_equal(x.limit, 0x3000);
	x = hg_addr_range_remove_greater_equal(a, 0x1000);
	assert_int_equal(hg_addr_range_size(x), 0);
	x = hg_addr_range_remove_greater_equal(a, 0x9000);
	assert_int_equal(x.limit, 0x5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref13_add_coalesce),
		cmocka_unit_test(test_find_succ),
		cmocka_unit_test(test_find_and_contains),
		cmocka_unit_test(test_find_one_range),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_range_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
