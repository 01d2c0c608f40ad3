/*
 * test_sparse.c - the page allocator's sparse arrays and hierarchical
 * bitmaps (core/sparse.h): the cached leaf that the inline accessors
 * read through, at its edges and after its leaf is folded away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sparse.h"

#define LEAF_BITS 4
#define LEAF (UINT64_C(1) << LEAF_BITS)

/* Element i holds i * 3 + 1, written through hg_sparse_get_mut. */
static void fill(struct hg_sparse *s, uint64_t lo, uint64_t hi)
{
	for (uint64_t i = lo; i < hi; i++) {
		uint64_t *e = hg_sparse_get_mut(s, i);

		assert_non_null(e);
		*e = i * 3 + 1;
	}
}

static void test_cached_leaf_edges(void **state)
{
	struct hg_sparse s;
	uint64_t i;

	(void)state;
	hg_sparse_init(&s, 20, LEAF_BITS, sizeof(uint64_t));
	/* Nothing cached yet: no index matches, not even 0. */
	assert_null(hg_sparse_cached(&s, 0));
	assert_null(hg_sparse_cached(&s, UINT64_MAX));
	fill(&s, 0, 4 * LEAF);
	/* The last leaf written is cached: its first and last elements are
	 * found, the neighbours on either side are not. */
	assert_non_null(hg_sparse_cached(&s, 3 * LEAF));
	assert_int_equal(*(uint64_t *)hg_sparse_cached(&s, 3 * LEAF),
			 3 * LEAF * 3 + 1);
	assert_int_equal(*(uint64_t *)hg_sparse_cached(&s, 4 * LEAF - 1),
			 (4 * LEAF - 1) * 3 + 1);
	assert_null(hg_sparse_cached(&s, 3 * LEAF - 1));
	assert_null(hg_sparse_cached(&s, 4 * LEAF));
	assert_null(hg_sparse_cached(&s, 0));
	/* Reading goes through the cache or the tables alike. */
	for (i = 0; i < 4 * LEAF; i++)
		assert_int_equal(*(const uint64_t *)hg_sparse_get(&s, i),
				 i * 3 + 1);
	assert_null(hg_sparse_get(&s, 4 * LEAF));
	/* hg_sparse_leaf moves the cache to element 5's leaf. */
	assert_non_null(hg_sparse_leaf(&s, 5));
	assert_int_equal(*(uint64_t *)hg_sparse_cached(&s, LEAF - 1),
			 (LEAF - 1) * 3 + 1);
	assert_null(hg_sparse_cached(&s, LEAF));
	assert_int_equal(*(uint64_t *)hg_sparse_peek_mut(&s, LEAF + 2),
			 (LEAF + 2) * 3 + 1);
	assert_int_equal(*(uint64_t *)hg_sparse_cached(&s, LEAF + 2),
			 (LEAF + 2) * 3 + 1);
	hg_sparse_destroy(&s);
}

static void test_cached_leaf_folded(void **state)
{
	static const uint64_t seven = 7;
	struct hg_sparse s;
	uint64_t i, n;

	(void)state;
	hg_sparse_init(&s, 20, LEAF_BITS, sizeof(uint64_t));
	assert_int_equal(hg_sparse_add_uniform(&s, &seven), 0);
	fill(&s, LEAF, 2 * LEAF);
	for (i = LEAF; i < 2 * LEAF; i++)
		*(uint64_t *)hg_sparse_get_mut(&s, i) = 7;
	assert_non_null(hg_sparse_cached(&s, LEAF));
	/* Folding the cached leaf frees it: the cache must forget it. */
	hg_sparse_compact(&s, LEAF);
	assert_int_equal(hg_sparse_uniform_at(&s, LEAF, &n), 0);
	assert_int_equal(n, LEAF);
	assert_null(hg_sparse_cached(&s, LEAF));
	assert_null(hg_sparse_cached(&s, 2 * LEAF - 1));
	assert_null(hg_sparse_peek_mut(&s, LEAF));
	assert_int_equal(*(const uint64_t *)hg_sparse_get(&s, LEAF + 3), 7);
	/* A write materialises it again and caches it. */
	*(uint64_t *)hg_sparse_get_mut(&s, LEAF + 3) = 9;
	assert_int_equal(*(uint64_t *)hg_sparse_cached(&s, LEAF + 3), 9);
	assert_int_equal(*(uint64_t *)hg_sparse_cached(&s, LEAF), 7);
	hg_sparse_destroy(&s);
	/* A destroyed array caches nothing. */
	assert_null(hg_sparse_cached(&s, LEAF));
}

static void test_hbm_cached_word(void **state)
{
	struct hg_hbm h;
	uint64_t i;

	(void)state;
	hg_hbm_init(&h, 24);
	assert_true(hg_hbm_reserve(&h, 0, 1 << 20));
	for (i = 0; i < (1 << 20); i += 4093)
		hg_hbm_set(&h, i);
	for (i = 0; i < (1 << 20); i++)
		assert_int_equal(hg_hbm_get(&h, i), i % 4093 == 0);
	for (i = 0; i < (1 << 20); i += 4093 * 2)
		hg_hbm_clear(&h, i);
	for (i = 0; i < (1 << 20); i++)
		assert_int_equal(hg_hbm_get(&h, i), i % (4093 * 2) == 4093);
	hg_hbm_destroy(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_leaf_edges),
		cmocka_unit_test(test_cached_leaf_folded),
		cmocka_unit_test(test_hbm_cached_word),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
