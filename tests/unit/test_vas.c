/*
 * test_vas.c - the address-space tree (core/vas.c) against a page-by-page
 * reference under random inserts (placed, then linked or linked where
 * they are placed), state changes and removals, and the
 * cost of foreign mappings: 100,000 and 1,000,000 of them replayed through
 * the model, whose tree visits (hg_vas.visits: nodes searches read, vmas
 * byte counts step over) must grow linearly, and of Windows stacks, whose
 * visits per event must not grow with the live set but logarithmically.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "model.h"
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

/* The placement granularity in pages (LO is on every one up to 16). */
static unsigned gran = 1;

/* The lowest free run of n pages that starts on the granularity
 * (bottom-up placement). */
static long ref_fit_up(unsigned n)
{
	unsigned start = 0;
	for (unsigned i = 0; i < NPAGES; i++) {
		if (ref[i].used) {
			start = i + 1;
			continue;
		}
		unsigned p = (start + gran - 1) / gran * gran;
		if (p + n == i + 1)
			return (long)p;
	}
	return -1;
}

/* The highest free run of n pages on the granularity that ends at or
 * below page top (top-down placement below mmap_base). */
static long ref_fit_down(unsigned n, unsigned top)
{
	unsigned end = top;
	for (unsigned i = top; i-- > 0;) {
		if (ref[i].used) {
			end = i;
			continue;
		}
		if (end - i < n)
			continue;
		unsigned p = (end - n) / gran * gran;
		if (p >= i)
			return (long)p;
	}
	return -1;
}

/* top: the page of mmap_base (NPAGES: none, the space's end). */
static void run_random(enum hg_placement place, uint64_t seed, unsigned top)
{
	struct hg_vas s;
	memset(ref, 0, sizeof(ref));
	hg_vas_init(&s, LO, LO + NPAGES * PAGE,
		    top < NPAGES ? page_addr(top) : 0, PAGE, gran * PAGE,
		    place);
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
			if (hint == 0) {
				long want = place == HG_PLACE_BOTTOMUP
						    ? ref_fit_up(n)
						    : ref_fit_down(n, top);
				assert_int_equal(
					at,
					want < 0 ? 0
						 : page_addr((unsigned)want));
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
				ref[i] =
					(struct ref_page){ 1, m.owner, m.state,
							   0, 0,       m.resv };
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
		assert_int_equal(
			hg_vas_bytes(&s, 0, UINT64_MAX, -1),
			s.n ? hg_vas_bytes(&s, LO, LO + NPAGES * PAGE, -1) : 0);
	}
	hg_vas_release(&s);
}

static void test_vas_random_topdown(void **state)
{
	(void)state;
	run_random(HG_PLACE_TOPDOWN, 1, NPAGES);
	run_random(HG_PLACE_TOPDOWN, 77, NPAGES);
	/* Below mmap_base, with vmas above it (hints): the search bound. */
	run_random(HG_PLACE_TOPDOWN, 5, NPAGES / 2 + 77);
	run_random(HG_PLACE_TOPDOWN, 9, NPAGES - 300);
	/* A granularity above the page (Windows' 64 KiB): gaps that hold n
	 * bytes but not n bytes on the granularity. */
	gran = 16;
	run_random(HG_PLACE_TOPDOWN, 3, NPAGES);
	run_random(HG_PLACE_TOPDOWN, 11, NPAGES / 2 + 77);
	gran = 4;
	run_random(HG_PLACE_TOPDOWN, 13, NPAGES - 300);
	gran = 1;
}

static void test_vas_random_bottomup(void **state)
{
	(void)state;
	run_random(HG_PLACE_BOTTOMUP, 2, NPAGES);
	run_random(HG_PLACE_BOTTOMUP, 1234, NPAGES);
	gran = 16;
	run_random(HG_PLACE_BOTTOMUP, 4, NPAGES);
	gran = 4;
	run_random(HG_PLACE_BOTTOMUP, 21, NPAGES);
	gran = 1;
}

/* ------------------------------------------------------------------ */
/* A tree of several levels                                            */
/* ------------------------------------------------------------------ */

#define DEEP 3000u /* vmas: leaves of up to 16 under two inner levels */

/* Checks the tree and that walking it both ways meets n vmas in order. */
static void check_walks(const struct hg_vas *s, size_t n)
{
	assert_int_equal(hg_vas_check(s), 0);
	assert_int_equal(s->n, n);
	size_t fwd = 0, back = 0;
	hg_addr at = 0;
	for (const struct hg_vma *v = hg_vas_first(s, 0); v;
	     v = hg_vas_next(s, v), fwd++) {
		assert_true(v->base >= at);
		assert_true(v->base < v->end);
		assert_ptr_equal(hg_vas_find(s, v->base), v);
		at = v->end;
	}
	at = UINT64_MAX;
	for (const struct hg_vma *v = hg_vas_last(s); v;
	     v = hg_vas_prev(s, v), back++) {
		assert_true(v->end <= at);
		at = v->base;
	}
	assert_int_equal(fwd, n);
	assert_int_equal(back, n);
}

/* The runtime's span by a walk. */
static uint64_t walked_span(const struct hg_vas *s)
{
	hg_addr lo = UINT64_MAX, hi = 0;
	for (const struct hg_vma *v = hg_vas_first(s, 0); v;
	     v = hg_vas_next(s, v)) {
		if (v->owner != HG_OWN_RUNTIME)
			continue;
		if (v->base < lo)
			lo = v->base;
		hi = v->end;
	}
	return hi > lo ? hi - lo : 0;
}

/* vma i of the deep tree: pages [5i, 5i+4), a free page after it;
 * every seventh is foreign. */
static struct hg_vma deep_vma(unsigned i)
{
	struct hg_vma m = { page_addr(5 * i),
			    page_addr(5 * i + 4),
			    page_addr(5 * i),
			    0,
			    HG_MEM_READY,
			    0,
			    0 };
	m.owner = i % 7 == 3 ? HG_OWN_FOREIGN : HG_OWN_RUNTIME;
	return m;
}

/* DEEP vmas, the space ending at the last one's end (no free top). */
static void deep_init(struct hg_vas *s, enum hg_placement place)
{
	hg_vas_init(s, LO, page_addr(5 * DEEP - 1), 0, PAGE, PAGE, place);
	/* Inserted out of order: splits in the middle of nodes too. */
	for (unsigned k = 0; k < DEEP; k++) {
		unsigned i = (k * 1237u) % DEEP;
		struct hg_vma m = deep_vma(i);
		assert_int_equal(hg_vas_insert(s, &m), 0);
	}
	assert_true(s->height >= 2);
	check_walks(s, DEEP);
	assert_int_equal(hg_vas_runtime_span(s), walked_span(s));
}

/* Exact unmaps make holes; placement finds the highest (top-down) or the
 * lowest (bottom-up) that fits, and maps there in the same search. */
static void test_vas_deep_gaps(void **state)
{
	(void)state;
	for (int down = 0; down < 2; down++) {
		struct hg_vas s;
		deep_init(&s, down ? HG_PLACE_TOPDOWN : HG_PLACE_BOTTOMUP);
		/* One free page between vmas: nothing of two pages fits. */
		assert_int_equal(hg_vas_place(&s, 0, 2 * PAGE), 0);
		uint64_t charged = 0;
		unsigned holes[] = { 17, 1500, 2990, 640 };
		for (unsigned h = 0; h < 4; h++) {
			struct hg_vma m = deep_vma(holes[h]);
			assert_int_equal(
				hg_vas_unmap(&s, m.base, m.end, &charged), 0);
		}
		assert_int_equal(charged, 4 * 4 * PAGE);
		check_walks(&s, DEEP - 4);
		/* A hole is the free page before, the vma's four and the
		 * free page after: six pages. */
		hg_addr want =
			down ? page_addr(5 * 2990 - 1) : page_addr(5 * 17 - 1);
		assert_int_equal(hg_vas_place(&s, 0, 6 * PAGE), want);
		assert_int_equal(hg_vas_place(&s, 0, 7 * PAGE), 0);
		struct hg_vma q = {
			0, 0, 0, HG_OWN_RUNTIME, HG_MEM_READY, 0, 0
		};
		assert_int_equal(hg_vas_map(&s, 0, 6 * PAGE, &q, true), 0);
		assert_int_equal(q.base, want);
		/* It filled its hole and touches both neighbours (another
		 * reservation: no merge). */
		check_walks(&s, DEEP - 3);
		/* The next six pages go to the next hole in order. */
		hg_addr next =
			down ? page_addr(5 * 1500 - 1) : page_addr(5 * 640 - 1);
		assert_int_equal(hg_vas_place(&s, 0, 6 * PAGE), next);
		/* Smaller ones fit at the top (bottom) of that hole. */
		assert_int_equal(hg_vas_place(&s, 0, 2 * PAGE),
				 down ? next + 4 * PAGE : next);
		/* A hint into a hole is taken as it is when it fits. */
		assert_int_equal(hg_vas_place(&s, next + PAGE, 5 * PAGE),
				 next + PAGE);
		/* Not when it does not: the rule places it. */
		assert_int_equal(hg_vas_place(&s, next + 2 * PAGE, 5 * PAGE),
				 down ? next + PAGE : next);
		hg_vas_release(&s);
	}
}

/* Unmapping and setting ranges that start and end inside vmas split
 * them, across many leaves; setting them back merges them again. */
static void test_vas_deep_partial(void **state)
{
	(void)state;
	struct hg_vas s;
	deep_init(&s, HG_PLACE_TOPDOWN);
	/* [5*100+2, 5*900+1): vma 100 keeps two pages, 101..899 go, vma
	 * 900 keeps three. */
	uint64_t charged = 0;
	assert_int_equal(hg_vas_unmap(&s, page_addr(5 * 100 + 2),
				      page_addr(5 * 900 + 1), &charged),
			 0);
	assert_int_equal(charged, (2 + 799 * 4 + 1) * PAGE);
	check_walks(&s, DEEP - 799);
	const struct hg_vma *v = hg_vas_find(&s, page_addr(5 * 100));
	assert_non_null(v);
	assert_int_equal(v->end, page_addr(5 * 100 + 2));
	const struct hg_vma *w = hg_vas_next(&s, v);
	assert_int_equal(w->base, page_addr(5 * 900 + 1));
	assert_int_equal(w->end, page_addr(5 * 900 + 4));
	assert_ptr_equal(hg_vas_prev(&s, w), v);
	assert_null(hg_vas_find(&s, page_addr(5 * 500)));
	assert_ptr_equal(hg_vas_first(&s, page_addr(5 * 500)), w);
	assert_int_equal(hg_vas_runtime_span(&s), walked_span(&s));
	/* The hole's gap is found: top-down, nothing above it fits. */
	assert_int_equal(hg_vas_place(&s, 0, 3000 * PAGE),
			 page_addr(5 * 900 + 1) - 3000 * PAGE);

	/* A state over [5*1000+1, 5*2000+3) splits vmas 1000 and 1999
	 * (three pieces each way: the set's piece and the rest). */
	assert_int_equal(hg_vas_set(&s, page_addr(5 * 1000 + 1),
				    page_addr(5 * 1999 + 3), HG_MEM_PREPARED,
				    -1),
			 0);
	check_walks(&s, DEEP - 799 + 2);
	v = hg_vas_find(&s, page_addr(5 * 1000));
	assert_int_equal(v->state, HG_MEM_READY);
	assert_int_equal(v->end, page_addr(5 * 1000 + 1));
	v = hg_vas_next(&s, v);
	assert_int_equal(v->state, HG_MEM_PREPARED);
	assert_int_equal(v->base, page_addr(5 * 1000 + 1));
	v = hg_vas_find(&s, page_addr(5 * 1999 + 3));
	assert_int_equal(v->state, HG_MEM_READY);
	assert_int_equal(v->base, page_addr(5 * 1999 + 3));
	assert_int_equal(hg_vas_bytes(&s, 0, UINT64_MAX, HG_MEM_PREPARED),
			 (3 + 998 * 4 + 3) * PAGE);
	/* Back as it was: the pieces merge, one vma each again. */
	assert_int_equal(hg_vas_set(&s, page_addr(5 * 1000 + 1),
				    page_addr(5 * 1999 + 3), HG_MEM_READY, -1),
			 0);
	check_walks(&s, DEEP - 799);
	v = hg_vas_find(&s, page_addr(5 * 1999 + 1));
	assert_int_equal(v->base, page_addr(5 * 1999));
	assert_int_equal(v->end, page_addr(5 * 1999 + 4));
	/* A range inside one vma: its middle goes, two pieces stay. */
	charged = 0;
	assert_int_equal(hg_vas_unmap(&s, page_addr(5 * 2500 + 1),
				      page_addr(5 * 2500 + 3), &charged),
			 0);
	assert_int_equal(charged, 2 * PAGE);
	check_walks(&s, DEEP - 799 + 1);
	hg_vas_release(&s);
}

/* Emptied in an order that drains leaves from both sides (they join
 * their siblings, inner nodes too, and the root gives way), then
 * filled again. */
static void test_vas_deep_drain(void **state)
{
	(void)state;
	struct hg_vas s;
	deep_init(&s, HG_PLACE_TOPDOWN);
	size_t n = DEEP;
	/* Every other one first, then the rest from the top down. */
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned k = 0; k < DEEP; k++) {
			unsigned i = pass ? DEEP - 1 - k : k;
			if (i % 2 != pass)
				continue;
			struct hg_vma m = deep_vma(i);
			assert_int_equal(hg_vas_remove(&s, m.base, m.end), 0);
			n--;
			if (k % 97 == 0) {
				check_walks(&s, n);
				assert_int_equal(hg_vas_runtime_span(&s),
						 walked_span(&s));
			}
		}
		check_walks(&s, n);
	}
	assert_int_equal(n, 0);
	assert_null(s.root);
	assert_null(hg_vas_first(&s, 0));
	assert_null(hg_vas_last(&s));
	assert_int_equal(hg_vas_runtime_span(&s), 0);
	/* Filled again from the pool, placed top-down from the end. */
	for (unsigned i = 0; i < 100; i++) {
		struct hg_vma q = {
			0, 0, 0, HG_OWN_RUNTIME, HG_MEM_READY, 0, 0
		};
		assert_int_equal(hg_vas_map(&s, 0, PAGE, &q, true), 0);
		assert_int_equal(q.base, page_addr(5 * DEEP - 2 - i));
	}
	check_walks(&s, 100);
	assert_int_equal(hg_vas_runtime_span(&s), 100 * PAGE);
	hg_vas_release(&s);
}

/* Replays n foreign 64 KiB mmaps, then munmaps every other one; returns
 * the tree visits it took. */
static uint64_t foreign_maps(unsigned n)
{
	struct hg_config cfg;
	hg_config_init(&cfg);
	struct hg_model *m;
	char err[256];
	assert_int_equal(hg_model_new(&m, &cfg, err, sizeof(err)), 0);
	char id[32];
	struct hg_op op;
	uint64_t v0 = m->os.vas.visits;
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
	uint64_t visits = m->os.vas.visits - v0;
	const struct hg_stats *st = hg_model_stats(m);
	/* Half the mappings are gone again. */
	assert_int_equal(st->peak.classes[HG_CLASS_FOREIGN] -
				 st->final.classes[HG_CLASS_FOREIGN],
			 (uint64_t)((n + 1) / 2) * (64 << 10));
	hg_model_free(m);
	return visits;
}

/*
 * 1,000,000 foreign mappings cost about ten times 100,000 in tree visits
 * (logarithmic per event: a little more, one level of the tree); a cost
 * per event that grows with the number of mappings makes it 100.
 */
static void test_foreign_maps_linear(void **state)
{
	(void)state;
	uint64_t small = foreign_maps(100000);
	uint64_t large = foreign_maps(1000000);
	printf("foreign mappings: 100,000 in %" PRIu64 " tree visits, "
	       "1,000,000 in %" PRIu64 " (ratio %.2f)\n",
	       small, large, small ? (double)large / (double)small : 0.0);
	assert_true(small >= 100000);
	assert_true(large < 15 * small);
}

/*
 * Replays 200,000 events of off-heap stacks (sysalloc of 8 to 64 KiB,
 * sysfree of a random live one) with live of them at a time on
 * windows/amd64, whose mappings start on 64 KiB: most gaps the stacks
 * leave hold a stack's bytes but not a stack on 64 KiB. Returns the tree
 * visits it took.
 */
static uint64_t windows_stacks(unsigned live)
{
	struct hg_config cfg;
	char err[256];
	hg_config_init(&cfg);
	assert_int_equal(hg_config_set(&cfg, "platform", "windows/amd64", err,
				       sizeof(err)),
			 0);
	struct hg_model *m;
	assert_int_equal(hg_model_new(&m, &cfg, err, sizeof(err)), 0);
	static unsigned char used[1u << 16];
	memset(used, 0, sizeof(used));
	uint64_t seed = live;
	char id[32];
	struct hg_op op;
	uint64_t v0 = m->os.vas.visits;
	for (unsigned i = 0; i < 200000; i++) {
		unsigned k = (unsigned)(rnd(&seed) % live);
		memset(&op, 0, sizeof(op));
		snprintf(id, sizeof(id), "g%u", k);
		op.id = id;
		if (used[k]) {
			op.kind = HG_OP_SYSFREE;
		} else {
			op.kind = HG_OP_SYSALLOC;
			op.size = (uint64_t)8192 << (rnd(&seed) % 4);
		}
		used[k] ^= 1;
		assert_int_equal(hg_model_apply(m, &op, NULL, err, sizeof(err)),
				 0);
	}
	uint64_t visits = m->os.vas.visits - v0;
	hg_model_free(m);
	return visits;
}

/*
 * The same number of stack events costs about the same tree visits with
 * 32 times as many stacks live (logarithmic per event: one or two levels
 * more). A search that entered every subtree with a gap of the stack's
 * bytes, whether or not the 64 KiB start fits in it, made it cost about
 * 75 times as much in CPU time.
 */
static void test_windows_stacks_flat(void **state)
{
	(void)state;
	uint64_t small = windows_stacks(2000);
	uint64_t large = windows_stacks(64000);
	printf("windows stacks: 2,000 live in %" PRIu64 " tree visits, "
	       "64,000 live in %" PRIu64 " (ratio %.2f)\n",
	       small, large, small ? (double)large / (double)small : 0.0);
	assert_true(small >= 200000);
	assert_true(large < 3 * small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vas_random_topdown),
		cmocka_unit_test(test_vas_random_bottomup),
		cmocka_unit_test(test_vas_deep_gaps),
		cmocka_unit_test(test_vas_deep_partial),
		cmocka_unit_test(test_vas_deep_drain),
		cmocka_unit_test(test_foreign_maps_linear),
		cmocka_unit_test(test_windows_stacks_flat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
