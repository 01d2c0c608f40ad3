/*
 * test_vas.c - the address-space tree (core/vas.c) against a page-by-page
 * reference under random inserts (placed, then linked or linked where
 * they are placed), state changes and removals, and the
 * cost of foreign mappings: 100,000 and 1,000,000 of them replayed through
 * the model, whose CPU times must grow linearly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "internal.h"
#include "os.h"

#define PAGE 4096ull
#define NPAGES 2048u
#define LO 0x10000ull

/* One page of the reference: free (used == 0) or a vma's attributes. */
struct ref_page {
	unsigned char used, owner, state, heap, stranded;
	hg_addr resv;
};

static struct ref_page ref[NPAGES];

static uint64_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

static hg_addr page_addr(unsigned i)
{
	return LO + i * PAGE;
}

static bool same(const struct ref_page *a, const struct ref_page *b)
{
	return a->used && b->used && a->owner == b->owner &&
	       a->state == b->state && a->heap == b->heap &&
	       a->stranded == b->stranded && a->resv == b->resv;
}

/* The tree agrees with the reference page by page, and has one vma per
 * maximal run of equal pages (merged as far as they go). */
static void check_against_ref(const struct hg_vas *s)
{
	assert_int_equal(hg_vas_check(s), 0);
	size_t runs = 0;
	hg_addr rt_lo = 0, rt_hi = 0;
	bool rt = false;
	for (unsigned i = 0; i < NPAGES; i++) {
		const struct hg_vma *v = hg_vas_find(s, page_addr(i));
		if (!ref[i].used) {
			assert_null(v);
			continue;
		}
		assert_non_null(v);
		assert_int_equal(v->owner, ref[i].owner);
		assert_int_equal(v->state, ref[i].state);
		assert_int_equal(v->heap, ref[i].heap);
		assert_int_equal(v->stranded, ref[i].stranded);
		assert_int_equal(v->resv, ref[i].resv);
		if (i == 0 || !same(&ref[i - 1], &ref[i])) {
			runs++;
			assert_int_equal(v->base, page_addr(i));
		}
		if (ref[i].owner == HG_OWN_RUNTIME) {
			if (!rt)
				rt_lo = page_addr(i);
			rt = true;
			rt_hi = page_addr(i) + PAGE;
		}
	}
	assert_int_equal(s->n, runs);
	assert_int_equal(hg_vas_runtime_span(s), rt ? rt_hi - rt_lo : 0);
	/* The neighbour links walk the same vmas both ways. */
	size_t fwd = 0, back = 0;
	for (const struct hg_vma *v = hg_vas_first(s, 0); v;
	     v = hg_vas_next(s, v))
		fwd++;
	for (const struct hg_vma *v = hg_vas_last(s); v; v = hg_vas_prev(s, v))
		back++;
	assert_int_equal(fwd, runs);
	assert_int_equal(back, runs);
}

/* The lowest-addressed free run of n pages (bottom-up placement). */
static long ref_fit_up(unsigned n)
{
	unsigned run = 0;
	for (unsigned i = 0; i < NPAGES; i++) {
		run = ref[i].used ? 0 : run + 1;
		if (run == n)
			return (long)(i + 1 - n);
	}
	return -1;
}

static void run_random(enum hg_placement place, uint64_t seed)
{
	struct hg_vas s;
	memset(ref, 0, sizeof(ref));
	hg_vas_init(&s, LO, LO + NPAGES * PAGE, 0, PAGE, PAGE, place);
	for (int step = 0; step < 6000; step++) {
		uint64_t r = rnd(&seed);
		unsigned a = (unsigned)(rnd(&seed) % NPAGES);
		unsigned n = 1 + (unsigned)(rnd(&seed) % (r % 4 == 0 ? 64 : 8));
		if (a + n > NPAGES)
			n = NPAGES - a;
		switch (r % 7) {
		case 0:
		case 1: { /* map n pages where placement puts them */
			hg_addr hint = r % 3 ? 0 : page_addr(a);
			hg_addr at = hg_vas_place(&s, hint, n * PAGE);
			if (place == HG_PLACE_BOTTOMUP && hint == 0) {
				long want = ref_fit_up(n);
				assert_int_equal(at, want < 0 ? 0
							      : page_addr(
									(unsigned)want));
			}
			if (!at)
				break;
			unsigned p = (unsigned)((at - LO) / PAGE);
			for (unsigned i = p; i < p + n; i++)
				assert_false(ref[i].used);
			struct hg_vma m = { at,
					    at + n * PAGE,
					    r % 5 ? at : 0,
					    (unsigned char)(r % 3 == 0),
					    HG_MEM_RESERVED,
					    0,
					    0 };
			if (r >> 20 & 1) {
				/* Placed and linked in one search: the same
				 * place as hg_vas_place's. */
				struct hg_vma q = m;
				q.base = q.end = 0;
				assert_int_equal(hg_vas_map(&s, hint, n * PAGE,
							    &q, m.resv != 0),
						 0);
				assert_int_equal(q.base, at);
				assert_int_equal(q.end, at + n * PAGE);
				assert_int_equal(q.resv, m.resv);
			} else {
				assert_int_equal(hg_vas_insert(&s, &m), 0);
			}
			for (unsigned i = p; i < p + n; i++)
				ref[i] = (struct ref_page){ 1, m.owner,
							    m.state, 0,
							    0, m.resv };
			break;
		}
		case 2:
		case 3: { /* a state over a range, mapped or not */
			int st = (int)(r >> 8) % 3;
			int str = (r >> 12) % 4 == 0 ? 1 : -1;
			assert_int_equal(hg_vas_set(&s, page_addr(a),
						    page_addr(a + n), st, str),
					 0);
			for (unsigned i = a; i < a + n; i++) {
				if (!ref[i].used)
					continue;
				ref[i].state = (unsigned char)st;
				if (str >= 0)
					ref[i].stranded = 1;
			}
			break;
		}
		case 4:
			assert_int_equal(hg_vas_set_heap(&s, page_addr(a),
							 page_addr(a + n)),
					 0);
			for (unsigned i = a; i < a + n; i++)
				if (ref[i].used)
					ref[i].heap = 1;
			break;
		case 5: { /* remove exactly the vma at a (the fast path) */
			const struct hg_vma *v = hg_vas_first(&s, page_addr(a));
			if (!v)
				break;
			unsigned p = (unsigned)((v->base - LO) / PAGE);
			unsigned e = (unsigned)((v->end - LO) / PAGE);
			assert_int_equal(hg_vas_remove(&s, v->base, v->end), 0);
			for (unsigned i = p; i < e; i++)
				ref[i].used = 0;
			break;
		}
		default: { /* remove any range, counting what was charged */
			uint64_t charged = 7, want = 7;
			assert_int_equal(hg_vas_unmap(&s, page_addr(a),
						      page_addr(a + n),
						      &charged),
					 0);
			for (unsigned i = a; i < a + n; i++) {
				if (ref[i].used &&
				    ref[i].state != HG_MEM_RESERVED)
					want += PAGE;
				ref[i].used = 0;
			}
			assert_int_equal(charged, want);
			break;
		}
		}
		check_against_ref(&s);
		assert_int_equal(hg_vas_bytes(&s, 0, UINT64_MAX, -1),
				 s.n ? hg_vas_bytes(&s, LO, LO + NPAGES * PAGE,
						    -1)
				     : 0);
	}
	hg_vas_release(&s);
}

static void test_vas_random_topdown(void **state)
{
	(void)state;
	run_random(HG_PLACE_TOPDOWN, 1);
	run_random(HG_PLACE_TOPDOWN, 77);
}

static void test_vas_random_bottomup(void **state)
{
	(void)state;
	run_random(HG_PLACE_BOTTOMUP, 2);
	run_random(HG_PLACE_BOTTOMUP, 1234);
}

/* Replays n foreign 64 KiB mmaps, then munmaps every other one; returns
 * the CPU seconds it took. */
static double foreign_maps(unsigned n)
{
	struct hg_config cfg;
	hg_config_init(&cfg);
	struct hg_model *m;
	char err[256];
	assert_int_equal(hg_model_new(&m, &cfg, err, sizeof(err)), 0);
	char id[32];
	struct hg_op op;
	clock_t t0 = clock();
	for (unsigned i = 0; i < n; i++) {
		memset(&op, 0, sizeof(op));
		op.kind = HG_OP_MMAP;
		snprintf(id, sizeof(id), "m%u", i);
		op.id = id;
		op.size = 64 << 10;
		assert_int_equal(hg_model_apply(m, &op, NULL, err, sizeof(err)),
				 0);
		if (i % 1000 == 0) {
			memset(&op, 0, sizeof(op));
			op.kind = HG_OP_ALLOC;
			snprintf(id, sizeof(id), "a%u", i);
			op.id = id;
			op.size = 8192;
			assert_int_equal(
				hg_model_apply(m, &op, NULL, err, sizeof(err)),
				0);
		}
	}
	for (unsigned i = 0; i < n; i += 2) {
		memset(&op, 0, sizeof(op));
		op.kind = HG_OP_MUNMAP;
		snprintf(id, sizeof(id), "m%u", i);
		op.id = id;
		assert_int_equal(hg_model_apply(m, &op, NULL, err, sizeof(err)),
				 0);
	}
	double t = (double)(clock() - t0) / CLOCKS_PER_SEC;
	const struct hg_stats *st = hg_model_stats(m);
	/* Half the mappings are gone again. */
	assert_int_equal(st->peak.classes[HG_CLASS_FOREIGN] -
				 st->final.classes[HG_CLASS_FOREIGN],
			 (uint64_t)((n + 1) / 2) * (64 << 10));
	hg_model_free(m);
	return t;
}

/*
 * 1,000,000 foreign mappings cost about ten times 100,000 (logarithmic
 * per event: a little more). The bound is generous for a loaded machine;
 * a cost per event that grows with the number of mappings makes it 100.
 */
static void test_foreign_maps_linear(void **state)
{
	(void)state;
	double small = foreign_maps(100000);
	double large = foreign_maps(1000000);
	printf("foreign mappings: 100,000 in %.3f s, 1,000,000 in %.3f s "
	       "(ratio %.1f)\n",
	       small, large, small > 0 ? large / small : 0.0);
	assert_true(small > 0);
	assert_true(large < 30 * small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vas_random_topdown),
		cmocka_unit_test(test_vas_random_bottomup),
		cmocka_unit_test(test_foreign_maps_linear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
