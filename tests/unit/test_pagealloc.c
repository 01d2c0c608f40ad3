/*
 * test_pagealloc.c - the page allocator against Go's own test cases
 * (runtime/mpagealloc_test.go, mpagecache_test.go, mgcscavenge_test.go;
 * reference section 6 items 1-12) and a randomized comparison with a naive
 * first-fit model over plain bitmaps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mpagealloc.h"
#include "pagealloc.h"

#define PS UINT64_C(8192)
#define MAXP 512

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

struct unused_log {
	size_t n;
	hg_addr base[4096];
	uint64_t bytes[4096];
};

static void record_unused(void *ctx, hg_addr base, uint64_t bytes)
{
	struct unused_log *u = ctx;

	if (u && u->n < 4096) {
		u->base[u->n] = base;
		u->bytes[u->n] = bytes;
		u->n++;
	}
}

/* One configuration: 64-bit (BaseChunkIdx 0xc000) or 32-bit (0x100). */
struct env {
	struct hg_pagealloc_params prm;
	uint64_t base_ci; /* Go: BaseChunkIdx */
	uint64_t P;       /* Go: PallocChunkPages */
};

static struct env env64(uint64_t phys)
{
	struct env e;

	memset(&e, 0, sizeof(e));
	e.prm.page_size = PS;
	e.prm.chunk_bytes = 4 << 20;
	e.prm.phys_page_size = phys;
	e.prm.addr_bits = 48;
	e.prm.sys_unused = record_unused;
	e.base_ci = 0xc000;
	e.P = 512;
	return e;
}

static struct env env32(uint64_t phys)
{
	struct env e = env64(phys);

	e.prm.addr_bits = 32;
	e.base_ci = 0x100;
	return e;
}

/* wasm in Go 1.26: 512 KiB chunks (64 pages), 32-bit addresses. */
static struct env env_wasm(void)
{
	struct env e = env64(64 << 10);

	e.prm.chunk_bytes = 512 << 10;
	e.prm.addr_bits = 32;
	e.base_ci = 0x100 * 8;
	e.P = 64;
	return e;
}

static struct env env_huge(struct env e, uint64_t huge)
{
	e.prm.phys_huge_page_size = huge;
	return e;
}

static hg_addr pb(const struct env *e, uint64_t ci, uint64_t i)
{
	return ci * e->prm.chunk_bytes + i * PS;
}

#define MAXR 8
struct spec {
	uint64_t dci; /* chunk = base_ci + dci */
	struct hg_pagerange alloc[MAXR];
	size_t nalloc;
	struct hg_pagerange scav[MAXR];
	size_t nscav;
};

#define R(i, n)                                                                \
	{                                                                      \
		(i), (n)                                                       \
	}

static size_t count_ranges(const struct hg_pagerange *r)
{
	size_t n = 0;

	while (n < MAXR && r[n].n)
		n++;
	return n;
}

/* Go: NewPageAlloc(chunks, scav). */
static struct hg_pagealloc *new_pa(struct env *e, struct unused_log *log,
				   const struct spec *s, size_t n)
{
	struct hg_pagealloc *p = NULL;
	size_t k;

	e->prm.ctx = log;
	assert_int_equal(hg_pagealloc_new(&p, &e->prm), HG_OK);
	for (k = 0; k < n; k++) {
		size_t na =
			s[k].nalloc ? s[k].nalloc : count_ranges(s[k].alloc);
		size_t ns = s[k].nscav ? s[k].nscav : count_ranges(s[k].scav);

		assert_int_equal(hg_pagealloc_init_chunk(
					 p, pb(e, e->base_ci + s[k].dci, 0),
					 s[k].alloc, na, s[k].scav, ns),
				 HG_OK);
	}
	return p;
}

struct page_state {
	const struct env *e;
	hg_addr lo;
	uint8_t alloc[MAXP * 8];
	uint8_t scav[MAXP * 8];
};

static int collect(void *arg, hg_addr base, hg_addr end, bool a, bool s)
{
	struct page_state *ps = arg;
	hg_addr x;

	for (x = base; x < end; x += PS) {
		ps->alloc[(x - ps->lo) / PS] = a;
		ps->scav[(x - ps->lo) / PS] = s;
	}
	return 0;
}

/*
 * Go: checkPageAlloc(want, got) with want = NewPageAlloc(after, scav):
 * alloc ranges as given, scav ranges minus the allocated pages.
 */
static void check_chunk(const struct hg_pagealloc *p, const struct env *e,
			uint64_t dci, const struct hg_pagerange *alloc,
			const struct hg_pagerange *scav)
{
	static struct page_state ps;
	uint8_t wa[MAXP] = { 0 }, ws[MAXP] = { 0 };
	uint64_t ci = e->base_ci + dci, i, k;

	memset(&ps, 0xff, sizeof(ps));
	ps.e = e;
	ps.lo = pb(e, ci, 0);
	assert_int_equal(hg_pagealloc_runs(p, pb(e, ci, 0), pb(e, ci + 1, 0),
					   collect, &ps),
			 0);
	for (k = 0; scav && k < MAXR && scav[k].n; k++)
		for (i = scav[k].i; i < scav[k].i + scav[k].n; i++)
			ws[i] = 1;
	for (k = 0; alloc && k < MAXR && alloc[k].n; k++)
		for (i = alloc[k].i; i < alloc[k].i + alloc[k].n; i++) {
			wa[i] = 1;
			ws[i] = 0;
		}
	for (i = 0; i < e->P; i++) {
		if (ps.alloc[i] != wa[i] || ps.scav[i] != ws[i])
			fail_msg("chunk base+%#llx page %llu: got alloc=%d "
				 "scav=%d, want alloc=%d scav=%d",
				 (unsigned long long)dci, (unsigned long long)i,
				 ps.alloc[i], ps.scav[i], wa[i], ws[i]);
	}
}

static void check_ok(struct hg_pagealloc *p)
{
	char err[256] = "";

	if (hg_pagealloc_check(p, err, sizeof(err)) != HG_OK)
		fail_msg("hg_pagealloc_check: %s", err);
}

struct hit {
	uint64_t npages;
	hg_addr base;
	uint64_t scav;
};

static void run_hits(struct hg_pagealloc *p, const struct hit *h, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		uint64_t s = 12345;
		hg_addr a = hg_pagealloc_alloc(p, h[k].npages, &s);

		if (a != h[k].base || (a && s != h[k].scav))
			fail_msg("alloc #%zu (%llu pages): got %#llx scav "
				 "%llu, want %#llx scav %llu",
				 k + 1, (unsigned long long)h[k].npages,
				 (unsigned long long)a, (unsigned long long)s,
				 (unsigned long long)h[k].base,
				 (unsigned long long)h[k].scav);
		check_ok(p);
	}
}

/* ------------------------------------------------------------------ */
/* 1. Grow                                                             */
/* ------------------------------------------------------------------ */

static void grow_case(struct env *e, const uint64_t *dcis, size_t n,
		      const uint64_t (*want)[2], size_t nwant)
{
	struct spec s[80];
	struct hg_pagealloc *p;
	const struct hg_addr_ranges *r;
	size_t k;

	memset(s, 0, sizeof(s));
	for (k = 0; k < n; k++)
		s[k].dci = dcis[k];
	p = new_pa(e, NULL, s, n);
	r = hg_pagealloc_in_use(p);
	assert_int_equal(r->len, nwant);
	for (k = 0; k < nwant; k++) {
		assert_int_equal(r->ranges[k].base,
				 pb(e, e->base_ci + want[k][0], 0));
		assert_int_equal(r->ranges[k].limit,
				 pb(e, e->base_ci + want[k][1], 0));
	}
	check_ok(p);
	hg_pagealloc_free_all(p);
}

static void test_ref01_grow_discontiguous(void **state)
{
	struct env e64 = env64(4096), e32 = env32(4096);
	const uint64_t c[] = { 0, 2, 4 };
	const uint64_t w[][2] = { { 0, 1 }, { 2, 3 }, { 4, 5 } };
	const uint64_t cm[] = { 0, 1, 2, 4 };
	const uint64_t wm[][2] = { { 0, 3 }, { 4, 5 } };
	const uint64_t cw[] = { 0, 1, 0x10, 0x21 };
	const uint64_t ww[][2] = { { 0, 2 }, { 0x10, 0x11 }, { 0x21, 0x22 } };
	const uint64_t cx[] = { 0, 0x100000 };
	const uint64_t wx[][2] = { { 0, 1 }, { 0x100000, 0x100001 } };

	(void)state;
	grow_case(&e64, c, 3, w, 3);
	grow_case(&e32, c, 3, w, 3);
	/* "Mixed" */
	grow_case(&e64, cm, 4, wm, 2);
	grow_case(&e32, cm, 4, wm, 2);
	/* "WildlyDiscontiguous" */
	grow_case(&e64, cw, 4, ww, 3);
	/* "ExtremelyDiscontiguous" (64-bit only) */
	grow_case(&e64, cx, 2, wx, 2);
}

static void test_ref01_grow_many_discontiguous(void **state)
{
	struct env e = env64(4096);
	uint64_t c[33], w[33][2];
	size_t k;

	(void)state;
	for (k = 0; k < 33; k++) {
		c[k] = 2 * k;
		w[k][0] = 2 * k;
		w[k][1] = 2 * k + 1;
	}
	grow_case(&e, c, 33, (const uint64_t(*)[2])w, 33);
}

/* ------------------------------------------------------------------ */
/* 2-8. Alloc                                                          */
/* ------------------------------------------------------------------ */

static void ref02_all_free1(struct env e)
{
	struct spec s[] = { { .dci = 0, .scav = { R(0, 1), R(2, 2) } } };
	struct hg_pagealloc *p = new_pa(&e, NULL, s, 1);
	uint64_t B = e.base_ci;
	const struct hit h[] = {
		{ 1, pb(&e, B, 0), PS }, { 1, pb(&e, B, 1), 0 },
		{ 1, pb(&e, B, 2), PS }, { 1, pb(&e, B, 3), PS },
		{ 1, pb(&e, B, 4), 0 },
	};
	const struct hg_pagerange after[MAXR] = { R(0, 5) };

	run_hits(p, h, 5);
	check_chunk(p, &e, 0, after, s[0].scav);
	hg_pagealloc_free_all(p);
}

static void test_ref02_alloc_all_free1(void **state)
{
	(void)state;
	ref02_all_free1(env64(4096));
	ref02_all_free1(env32(4096));
	ref02_all_free1(env_wasm());
}

static void ref03_all_free5(struct env e)
{
	struct spec s[] = { { .dci = 0,
			      .scav = { R(0, 8), R(9, 1), R(17, 5) } } };
	struct hg_pagealloc *p = new_pa(&e, NULL, s, 1);
	uint64_t B = e.base_ci;
	const struct hit h[] = {
		{ 5, pb(&e, B, 0), 5 * PS },  { 5, pb(&e, B, 5), 4 * PS },
		{ 5, pb(&e, B, 10), 0 },      { 5, pb(&e, B, 15), 3 * PS },
		{ 5, pb(&e, B, 20), 2 * PS },
	};
	const struct hg_pagerange after[MAXR] = { R(0, 25) };

	run_hits(p, h, 5);
	check_chunk(p, &e, 0, after, s[0].scav);
	hg_pagealloc_free_all(p);
}

static void test_ref03_alloc_all_free5(void **state)
{
	(void)state;
	ref03_all_free5(env64(4096));
	ref03_all_free5(env32(4096));
}

static void ref04_not_contiguous1(struct env e)
{
	uint64_t P = e.P, B = e.base_ci;
	struct spec s[] = {
		{ .dci = 0, .alloc = { R(0, P) }, .scav = { R(0, P) } },
		{ .dci = 0xff, .scav = { R(0, P) } },
	};
	struct hg_pagealloc *p = new_pa(&e, NULL, s, 2);
	const struct hit h[] = { { 1, pb(&e, B + 0xff, 0), PS } };
	const struct hg_pagerange a0[MAXR] = { R(0, P) },
				  a1[MAXR] = { R(0, 1) };

	run_hits(p, h, 1);
	check_chunk(p, &e, 0, a0, s[0].scav);
	check_chunk(p, &e, 0xff, a1, s[1].scav);
	hg_pagealloc_free_all(p);
}

static void test_ref04_alloc_not_contiguous1(void **state)
{
	(void)state;
	ref04_not_contiguous1(env64(4096));
	ref04_not_contiguous1(env32(4096));
}

static void test_ref05_alloc_straddle2(void **state)
{
	struct env e = env64(4096);
	uint64_t P = e.P, B = e.base_ci;
	struct spec s[] = {
		{ .dci = 0, .alloc = { R(0, P - 1) }, .scav = { R(P - 1, 1) } },
		{ .dci = 1, .alloc = { R(1, P - 1) } },
	};
	struct hg_pagealloc *p;
	const struct hit h[] = { { 2, pb(&e, B, P - 1), PS } };
	const struct hg_pagerange full[MAXR] = { R(0, P) };

	(void)state;
	p = new_pa(&e, NULL, s, 2);
	run_hits(p, h, 1);
	check_chunk(p, &e, 0, full, s[0].scav);
	check_chunk(p, &e, 1, full, s[1].scav);
	hg_pagealloc_free_all(p);
}

static void ref06_exhaust(struct env e)
{
	uint64_t P = e.P, B = e.base_ci;
	struct spec s[] = { { .dci = 0, .scav = { R(10, 1) } } };
	struct hg_pagealloc *p = new_pa(&e, NULL, s, 1);
	const struct hit h[] = {
		{ P - 3, pb(&e, B, 0), PS },
		{ P - 3, 0, 0 },
		{ 1, pb(&e, B, P - 3), 0 },
		{ 2, pb(&e, B, P - 2), 0 },
		{ 1, 0, 0 },
		{ P - 3, 0, 0 },
	};
	const struct hg_pagerange full[MAXR] = { R(0, P) };

	run_hits(p, h, 6);
	check_chunk(p, &e, 0, full, s[0].scav);
	/* A failed 1-page allocation marks the heap exhausted. */
	assert_int_equal(hg_pagealloc_search_addr(p),
			 (UINT64_C(1) << e.prm.addr_bits) - 1);
	hg_pagealloc_free_all(p);
}

static void test_ref06_alloc_exhaust_p_minus_3(void **state)
{
	(void)state;
	ref06_exhaust(env64(4096));
	ref06_exhaust(env32(4096));
	ref06_exhaust(env_wasm());
}

static void ref07_straddle_5_4(struct env e)
{
	uint64_t P = e.P, B = e.base_ci;
	struct spec s[] = {
		{ .dci = 0, .alloc = { R(0, P) }, .scav = { R(0, P) } },
		{ .dci = 1,
		  .alloc = { R(0, P * 3 / 4) },
		  .scav = { R(P / 2, P / 4 + 1) } },
		{ .dci = 2,
		  .alloc = { R(0, P * 3 / 4) },
		  .scav = { R(P / 3, 1) } },
		{ .dci = 3, .scav = { R(P * 2 / 3, 1) } },
	};
	struct hg_pagealloc *p = new_pa(&e, NULL, s, 4);
	const struct hit h[] = {
		{ P * 5 / 4, pb(&e, B + 2, P * 3 / 4), PS },
		{ P * 5 / 4, 0, 0 },
		{ 1, pb(&e, B + 1, P * 3 / 4), PS },
	};
	const struct hg_pagerange full[MAXR] = { R(0, P) };
	const struct hg_pagerange a1[MAXR] = { R(0, P * 3 / 4 + 1) };

	run_hits(p, h, 3);
	check_chunk(p, &e, 0, full, s[0].scav);
	check_chunk(p, &e, 1, a1, s[1].scav);
	check_chunk(p, &e, 2, full, s[2].scav);
	check_chunk(p, &e, 3, full, s[3].scav);
	hg_pagealloc_free_all(p);
}

static void test_ref07_alloc_straddle_5_4(void **state)
{
	(void)state;
	ref07_straddle_5_4(env64(4096));
	ref07_straddle_5_4(env32(4096));
}

static void ref08_not_contiguous_2p(struct env e)
{
	uint64_t P = e.P, B = e.base_ci;
	struct spec s[] = {
		{ .dci = 0, .scav = { R(0, P) } },
		{ .dci = 0x40 },
		{ .dci = 0x41 },
	};
	struct hg_pagealloc *p = new_pa(&e, NULL, s, 3);
	const struct hit h[] = {
		{ P * 2, pb(&e, B + 0x40, 0), 0 },
		{ 21, pb(&e, B, 0), 21 * PS },
		{ 1, pb(&e, B, 21), PS },
	};
	const struct hg_pagerange a0[MAXR] = { R(0, 22) },
				  full[MAXR] = { R(0, P) };

	run_hits(p, h, 3);
	check_chunk(p, &e, 0, a0, s[0].scav);
	check_chunk(p, &e, 0x40, full, NULL);
	check_chunk(p, &e, 0x41, full, NULL);
	hg_pagealloc_free_all(p);
}

static void test_ref08_alloc_not_contiguous_2p(void **state)
{
	(void)state;
	ref08_not_contiguous_2p(env64(4096));
	ref08_not_contiguous_2p(env32(4096));
}

/* ------------------------------------------------------------------ */
/* 9. AllocAndFree, 10. Free                                           */
/* ------------------------------------------------------------------ */

static void ref09_chunks8(struct env e)
{
	uint64_t P = e.P, B = e.base_ci;
	struct spec s[8];
	struct hg_pagealloc *p;
	int k;

	memset(s, 0, sizeof(s));
	for (k = 0; k < 8; k++)
		s[k].dci = (uint64_t)k;
	p = new_pa(&e, NULL, s, 8);
	for (k = 0; k < 3; k++) {
		assert_int_equal(hg_pagealloc_alloc(p, 8 * P, NULL),
				 pb(&e, B, 0));
		check_ok(p);
		hg_pagealloc_free(p, pb(&e, B, 0), 8 * P);
		check_ok(p);
	}
	assert_int_equal(hg_pagealloc_alloc(p, 1, NULL), pb(&e, B, 0));
	hg_pagealloc_free(p, pb(&e, B, 0), 1);
	assert_int_equal(hg_pagealloc_alloc(p, 8 * P, NULL), pb(&e, B, 0));
	check_ok(p);
	hg_pagealloc_free_all(p);
}

static void test_ref09_alloc_and_free_chunks8(void **state)
{
	(void)state;
	ref09_chunks8(env64(4096));
	ref09_chunks8(env32(4096));
}

static void test_ref10_free_straddle2(void **state)
{
	struct env e = env64(4096);
	uint64_t P = e.P, B = e.base_ci;
	struct spec s[] = {
		{ .dci = 0, .alloc = { R(P - 1, 1) } },
		{ .dci = 1, .alloc = { R(0, 1) } },
	};
	struct hg_pagealloc *p;

	(void)state;
	p = new_pa(&e, NULL, s, 2);
	hg_pagealloc_free(p, pb(&e, B, P - 1), 2);
	check_ok(p);
	check_chunk(p, &e, 0, NULL, NULL);
	check_chunk(p, &e, 1, NULL, NULL);
	assert_int_equal(hg_pagealloc_search_addr(p), pb(&e, B, 0));
	hg_pagealloc_free_all(p);
}

/* ------------------------------------------------------------------ */
/* 11. Scavenge                                                        */
/* ------------------------------------------------------------------ */

static void ref11_scav_highest_first(struct env e)
{
	uint64_t P = e.P, B = e.base_ci;
	uint64_t m = e.prm.phys_page_size / PS ? e.prm.phys_page_size / PS : 1;
	static struct unused_log log;
	struct spec s[] = { { .dci = 0, .scav = { R(m, P - 2 * m) } } };
	struct hg_pagealloc *p;
	const struct hg_pagerange after[MAXR] = { R(m, P - m) };

	memset(&log, 0, sizeof(log));
	p = new_pa(&e, &log, s, 1);
	assert_int_equal(hg_pagealloc_scavenge(p, 1), m * PS);
	check_ok(p);
	check_chunk(p, &e, 0, NULL, after);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.base[0], pb(&e, B, P - m));
	assert_int_equal(log.bytes[0], m * PS);
	hg_pagealloc_free_all(p);
}

static void test_ref11_scavenge_highest_page_first(void **state)
{
	(void)state;
	ref11_scav_highest_first(env64(4096));
	ref11_scav_highest_first(env64(16384));
	ref11_scav_highest_first(env64(64 << 10));
	ref11_scav_highest_first(env64(512 << 10));
	ref11_scav_highest_first(env32(4096));
	ref11_scav_highest_first(env_wasm());
}

/* Go: TestPageAllocScavenge "ScavMultiple2" and "ScavDiscontiguous". */
static void scav_multiple(struct env e)
{
	uint64_t P = e.P;
	uint64_t m = e.prm.phys_page_size / PS ? e.prm.phys_page_size / PS : 1;
	struct spec s[] = {
		{ .dci = 0, .scav = { R(m, P - 2 * m) } },
		{ .dci = 1, .scav = { R(0, P - 2 * m) } },
	};
	struct spec d[] = {
		{ .dci = 0, .scav = { R(m, P - 2 * m) } },
		{ .dci = 0xe, .scav = { R(2 * m, P - 2 * m) } },
	};
	const struct hg_pagerange full[MAXR] = { R(0, P) };
	struct hg_pagealloc *p;

	p = new_pa(&e, NULL, s, 2);
	assert_int_equal(hg_pagealloc_scavenge(p, 2 * m * PS), 2 * m * PS);
	assert_int_equal(hg_pagealloc_scavenge(p, m * PS), m * PS);
	assert_int_equal(hg_pagealloc_scavenge(p, m * PS), m * PS);
	check_ok(p);
	check_chunk(p, &e, 0, NULL, full);
	check_chunk(p, &e, 1, NULL, full);
	hg_pagealloc_free_all(p);

	p = new_pa(&e, NULL, d, 2);
	assert_int_equal(hg_pagealloc_scavenge(p, 2 * m * PS), 2 * m * PS);
	assert_int_equal(hg_pagealloc_scavenge(p, UINT64_MAX), 2 * m * PS);
	assert_int_equal(hg_pagealloc_scavenge(p, UINT64_MAX), 0);
	check_ok(p);
	check_chunk(p, &e, 0, NULL, full);
	check_chunk(p, &e, 0xe, NULL, full);
	hg_pagealloc_free_all(p);
}

static void test_scavenge_multiple(void **state)
{
	(void)state;
	scav_multiple(env64(4096));
	scav_multiple(env64(16384));
	scav_multiple(env64(64 << 10));
	scav_multiple(env32(4096));
}

/* Go: "AllFreeUnscavExhaust", "NoneFreeUnscavExhaust". */
static void test_scavenge_exhaust(void **state)
{
	struct env e = env64(4096);
	uint64_t P = e.P;
	struct spec a[] = { { .dci = 0 }, { .dci = 1 }, { .dci = 2 } };
	struct spec b[] = {
		{ .dci = 0, .alloc = { R(0, P) } },
		{ .dci = 1, .scav = { R(0, P) } },
		{ .dci = 2, .alloc = { R(0, P) } },
	};
	const struct hg_pagerange full[MAXR] = { R(0, P) };
	struct hg_pagealloc *p;
	struct hg_pagealloc_counts cnt;

	(void)state;
	p = new_pa(&e, NULL, a, 3);
	assert_int_equal(hg_pagealloc_scavenge(p, UINT64_MAX), 3 * P * PS);
	check_chunk(p, &e, 0, NULL, full);
	check_chunk(p, &e, 2, NULL, full);
	hg_pagealloc_count(p, &cnt);
	assert_int_equal(cnt.grown, 3 * P);
	assert_int_equal(cnt.free_scav, 3 * P);
	assert_int_equal(cnt.free_ready, 0);
	check_ok(p);
	hg_pagealloc_free_all(p);

	p = new_pa(&e, NULL, b, 3);
	assert_int_equal(hg_pagealloc_scavenge(p, UINT64_MAX), 0);
	check_chunk(p, &e, 1, NULL, full);
	check_ok(p);
	hg_pagealloc_free_all(p);
}

/* ------------------------------------------------------------------ */
/* findScavengeCandidate                                               */
/* ------------------------------------------------------------------ */

struct fsc_case {
	const char *name;
	uint64_t min;
	struct hg_pagerange alloc[MAXR], scav[MAXR];
	uint64_t max;
	struct hg_pagerange want;
};

#define FSC_MAX 160

/*
 * Go: TestPallocDataFindScavengeCandidate, runtime/mgcscavenge_test.go,
 * for P pages per chunk and a huge page of bits pages (0 = none). Go runs
 * the non-huge cases with the machine's huge page size too, so they must
 * hold with any.
 */
static size_t fsc_cases(struct fsc_case *t, uint64_t P, uint64_t bits)
{
	size_t n = 0;
	uint64_t m;

#define FSC(...)                                                               \
	(assert_true(n < FSC_MAX), t[n++] = (struct fsc_case){ __VA_ARGS__ })
	FSC("MixedMin1", 1, { R(0, 40), R(42, P - 42) },
	    { R(0, 41), R(42, P - 42) }, P, R(41, 1));
	if (P >= 512)
		FSC("MultiMin1", 1, { R(0, 63), R(65, 20), R(87, P - 87) },
		    { R(86, 1) }, P, R(85, 1));
	for (m = 1; m <= 64 && m <= P; m *= 2) {
		FSC("AllFree", m, { { 0, 0 } }, { { 0, 0 } }, P, R(0, P));
		FSC("AllScavenged", m, { { 0, 0 } }, { R(0, P) }, P, R(0, 0));
		FSC("NoneFree", m, { R(0, P) }, { R(P / 2, P / 2) }, P,
		    R(0, 0));
		if (m < P) {
			FSC("StartFree", m, { R(m, P - m) }, { { 0, 0 } }, P,
			    R(0, m));
			FSC("EndFree", m, { R(0, P - m) }, { { 0, 0 } }, P,
			    R(P - m, m));
		}
		if (P >= 512) {
			FSC("Straddle64", m,
			    { R(0, 64 - m), R(64 + m, P - (64 + m)) },
			    { { 0, 0 } }, 2 * m, R(64 - m, 2 * m));
			FSC("BottomEdge64WithFull", m,
			    { R(64, 64), R(128 + 3 * m, P - (128 + 3 * m)) },
			    { R(1, 10) }, 3 * m, R(128, 3 * m));
			FSC("BottomEdge64WithPocket", m,
			    { R(64, 62), R(127, 1),
			      R(128 + 3 * m, P - (128 + 3 * m)) },
			    { R(1, 10) }, 3 * m, R(128, 3 * m));
		}
		if (m < P)
			FSC("Max0", m, { { 0, 0 } }, { R(0, P - m) }, 0,
			    R(P - m, m));
		if (m <= 8) {
			FSC("OneFree", m, { R(0, 40), R(40 + m, P - (40 + m)) },
			    { { 0, 0 } }, P, R(40, m));
			FSC("OneScavenged", m,
			    { R(0, 40), R(40 + m, P - (40 + m)) }, { R(40, 1) },
			    P, R(0, 0));
		}
		if (m > 1) {
			if (P >= m * 2)
				FSC("MaxUnaligned", m, { { 0, 0 } },
				    { R(0, P - (m * 2 - 1)) }, m - 2,
				    R(P - m, m));
			if (P >= 512) {
				FSC("SkipSmall", m,
				    { R(0, 64 - m), R(64, 5), R(70, 11),
				      R(82, P - 82) },
				    { { 0, 0 } }, m, R(64 - m, m));
				FSC("SkipMisaligned", m,
				    { R(0, 64 - m), R(64, 63),
				      R(127 + m, P - (127 + m)) },
				    { { 0, 0 } }, m, R(64 - m, m));
			}
			if (m < P)
				FSC("MaxLessThan", m, { { 0, 0 } },
				    { R(0, P - m) }, 1, R(P - m, m));
		}
	}
	/* Go: "if PhysHugePageSize > uintptr(PageSize)" */
	if (bits > 1) {
		if (bits < P) {
			FSC("PreserveHugePageBottom", 1,
			    { R(bits + 2, P - (bits + 2)) }, { { 0, 0 } }, 3,
			    R(0, bits + 2));
			if (3 * bits < P)
				FSC("PreserveHugePageMiddle", 1,
				    { R(0, bits - 10),
				      R(2 * bits + 10, P - (2 * bits + 10)) },
				    { { 0, 0 } }, 12, R(bits, bits + 10));
			FSC("PreserveHugePageTop", 1, { R(0, P - bits) },
			    { { 0, 0 } }, 1, R(P - bits, bits));
		} else if (bits == P) {
			FSC("PreserveHugePageAll", 1, { { 0, 0 } },
			    { { 0, 0 } }, 1, R(0, P));
		} else {
			FSC("PreserveHugePageNone", 1, { { 0, 0 } },
			    { { 0, 0 } }, 1, R(P - 1, 1));
		}
	}
#undef FSC
	return n;
}

/* Go: b.FindScavengeCandidate(PallocChunkPages-1, min, max) on
 * makePallocData(alloc, scavenged). */
static struct hg_pagerange fsc_run(struct env e, const struct fsc_case *c)
{
	struct spec s[1];
	struct hg_pagealloc *p;
	struct hg_pagerange got;
	size_t k;

	memset(s, 0, sizeof(s));
	/* Go's empty ranges set nothing; here n == 0 ends the list */
	for (k = 0; k < MAXR; k++) {
		if (c->alloc[k].n)
			s[0].alloc[s[0].nalloc++] = c->alloc[k];
		if (c->scav[k].n)
			s[0].scav[s[0].nscav++] = c->scav[k];
	}
	p = new_pa(&e, NULL, s, 1);
	got.i = hg_pagealloc_find_scavenge_candidate(
		p, pb(&e, e.base_ci, 0), e.P - 1, c->min, c->max, &got.n);
	hg_pagealloc_free_all(p);
	return got;
}

static void fsc_table(struct env e, uint64_t huge)
{
	static struct fsc_case t[FSC_MAX];
	uint64_t bits = huge / PS;
	size_t n, k;

	e.prm.phys_huge_page_size = huge;
	n = fsc_cases(t, e.P, bits);
	for (k = 0; k < n; k++) {
		struct hg_pagerange got = fsc_run(e, &t[k]);

		if (!(got.n == 0 && t[k].want.n == 0) &&
		    (got.i != t[k].want.i || got.n != t[k].want.n))
			fail_msg("%sMin%llu (P=%llu, huge=%llu): got {%llu, "
				 "%llu}, want {%llu, %llu}",
				 t[k].name, (unsigned long long)t[k].min,
				 (unsigned long long)e.P,
				 (unsigned long long)huge,
				 (unsigned long long)got.i,
				 (unsigned long long)got.n,
				 (unsigned long long)t[k].want.i,
				 (unsigned long long)t[k].want.n);
	}
}

static void test_find_scavenge_candidate(void **state)
{
	(void)state;
	fsc_table(env64(4096), 0);
	fsc_table(env64(4096), 2 << 20); /* linux/amd64: 256 pages */
	fsc_table(env64(4096), 512 << 10);
	fsc_table(env64(4096), 4 << 20);   /* the whole chunk */
	fsc_table(env64(4096), 8 << 20);   /* above it: none */
	fsc_table(env64(16384), 32 << 20); /* arm64 16K: none */
	fsc_table(env32(4096), 2 << 20);
	fsc_table(env_wasm(), 0);
	fsc_table(env_wasm(), 256 << 10);
}

/* The huge-page cases with their figures for 8K pages and 512-page chunks. */
static void test_find_scavenge_candidate_huge(void **state)
{
	static const struct {
		const char *name;
		uint64_t huge, phys;
		struct hg_pagerange alloc[2];
		uint64_t max;
		struct hg_pagerange want;
	} cases[] = {
		/* 2M: 256 pages */
		{ "Bottom", 2 << 20, 4096, { R(258, 254) }, 3, R(0, 258) },
		{ "Top", 2 << 20, 4096, { R(0, 256) }, 1, R(256, 256) },
		{ "Bottom/none", 0, 4096, { R(258, 254) }, 3, R(255, 3) },
		{ "Top/none", 0, 4096, { R(0, 256) }, 1, R(511, 1) },
		/* 512K: 64 pages */
		{ "Bottom", 512 << 10, 4096, { R(66, 446) }, 3, R(0, 66) },
		{ "Middle",
		  512 << 10,
		  4096,
		  { R(0, 54), R(138, 374) },
		  12,
		  R(64, 74) },
		{ "Top", 512 << 10, 4096, { R(0, 448) }, 1, R(448, 64) },
		/* 4M: the whole chunk; 8M and 1G: disabled (mallocinit) */
		{ "All", 4 << 20, 4096, { { 0, 0 } }, 1, R(0, 512) },
		{ "None", 8 << 20, 4096, { { 0, 0 } }, 1, R(511, 1) },
		{ "None", 1 << 30, 4096, { { 0, 0 } }, 1, R(511, 1) },
		/* a candidate that does not reach the boundary above */
		{ "Below",
		  2 << 20,
		  4096,
		  { R(0, 200), R(250, 262) },
		  3,
		  R(247, 3) },
		/* the free run does not reach the boundary below */
		{ "Short",
		  2 << 20,
		  4096,
		  { R(0, 200), R(258, 254) },
		  3,
		  R(255, 3) },
		/* not above the physical page: disabled (Go: physHugePageSize
		 * > physPageSize); phys 16K is min 2 */
		{ "Phys", 64 << 10, 64 << 10, { R(0, 256) }, 1, R(504, 8) },
		{ "Phys16K", 2 << 20, 16 << 10, { R(258, 254) }, 3, R(0, 258) },
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct env e = env_huge(env64(cases[k].phys), cases[k].huge);
		struct fsc_case c;
		struct hg_pagerange got;

		memset(&c, 0, sizeof(c));
		c.min = cases[k].phys > PS ? cases[k].phys / PS : 1;
		memcpy(c.alloc, cases[k].alloc, sizeof(cases[k].alloc));
		c.max = cases[k].max;
		got = fsc_run(e, &c);
		if (got.i != cases[k].want.i || got.n != cases[k].want.n)
			fail_msg("%s (huge %llu): got {%llu, %llu}, want "
				 "{%llu, %llu}",
				 cases[k].name,
				 (unsigned long long)cases[k].huge,
				 (unsigned long long)got.i,
				 (unsigned long long)got.n,
				 (unsigned long long)cases[k].want.i,
				 (unsigned long long)cases[k].want.n);
	}
}

/* End to end: the scavenger releases the whole huge page (2M on linux). */
static void test_scavenge_huge_page(void **state)
{
	struct env e = env_huge(env64(4096), 2 << 20);
	static struct unused_log log;
	uint64_t B = e.base_ci;
	struct spec s[] = {
		{ .dci = 0, .alloc = { R(258, 254) } },
		{ .dci = 1, .alloc = { R(0, 100) } },
	};
	const struct hg_pagerange a0[MAXR] = { R(258, 254) };
	const struct hg_pagerange s0[MAXR] = { R(0, 258) };
	const struct hg_pagerange a1[MAXR] = { R(0, 100) };
	const struct hg_pagerange s1[MAXR] = { R(100, 412) };
	struct hg_pagealloc *p;

	(void)state;
	memset(&log, 0, sizeof(log));
	p = new_pa(&e, &log, s, 2);
	/* one page asked: the top huge page of chunk 1 goes whole */
	assert_int_equal(hg_pagealloc_scavenge(p, 1), 256 * PS);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.base[0], pb(&e, B + 1, 256));
	assert_int_equal(log.bytes[0], 256 * PS);
	check_ok(p);
	/* chunk 1 then has 156 free pages below 256: no huge page in
	 * them, so they go by max; chunk 0's run [0, 258) is extended */
	assert_int_equal(hg_pagealloc_scavenge(p, 156 * PS), 156 * PS);
	assert_int_equal(hg_pagealloc_scavenge(p, 3 * PS), 258 * PS);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.base[1], pb(&e, B + 1, 100));
	assert_int_equal(log.bytes[1], 156 * PS);
	assert_int_equal(log.base[2], pb(&e, B, 0));
	assert_int_equal(log.bytes[2], 258 * PS);
	check_ok(p);
	check_chunk(p, &e, 0, a0, s0);
	check_chunk(p, &e, 1, a1, s1);
	assert_int_equal(hg_pagealloc_scavenge(p, UINT64_MAX), 0);
	hg_pagealloc_free_all(p);

	/* without huge pages the same asks release what they ask for */
	e = env64(4096);
	memset(&log, 0, sizeof(log));
	p = new_pa(&e, &log, s, 2);
	assert_int_equal(hg_pagealloc_scavenge(p, 1), PS);
	assert_int_equal(log.base[0], pb(&e, B + 1, 511));
	hg_pagealloc_free_all(p);
}

/* ------------------------------------------------------------------ */
/* 12. Page cache                                                      */
/* ------------------------------------------------------------------ */

static void ref12_retain_scav_bits(struct env e)
{
	uint64_t B = e.base_ci;
	struct spec s[] = { { .dci = 0,
			      .alloc = { R(0, 1), R(10, 2) },
			      .scav = { R(0, 4), R(11, 1) } } };
	struct hg_pagealloc *p = new_pa(&e, NULL, s, 1);
	struct hg_pagecache c = hg_pagealloc_alloc_to_cache(p);
	const struct hg_pagerange aa[MAXR] = { R(0, 64) };
	const struct hg_pagerange as[MAXR] = { R(0, 1), R(11, 1) };

	assert_int_equal(c.base, pb(&e, B, 0));
	assert_int_equal(c.cache, ~(UINT64_C(1) | (UINT64_C(3) << 10)));
	assert_int_equal(c.scav, UINT64_C(7) << 1);
	check_ok(p);
	/* As Go compares it: NewPageAlloc(afterAlloc, afterScav). */
	check_chunk(p, &e, 0, aa, as);
	assert_int_equal(hg_pagealloc_search_addr(p), pb(&e, B, 63));
	hg_pagealloc_free_all(p);
}

static void test_ref12_alloc_to_cache_retain_scav_bits(void **state)
{
	(void)state;
	ref12_retain_scav_bits(env64(4096));
	ref12_retain_scav_bits(env32(4096));
}

/* Go: TestPageAllocAllocToCache "FirstFree", "NotContiguous", "Fail". */
static void test_alloc_to_cache_more(void **state)
{
	struct env e = env64(4096);
	uint64_t P = e.P, B = e.base_ci;
	struct spec s1[] = {
		{ .dci = 0, .alloc = { R(0, 129) }, .scav = { R(1, 500) } }
	};
	struct spec s2[] = {
		{ .dci = 0, .alloc = { R(0, P) } },
		{ .dci = 0xff, .alloc = { R(0, 9) }, .scav = { R(0, 64) } },
	};
	struct spec s3[] = { { .dci = 0, .alloc = { R(0, P) } } };
	struct hg_pagealloc *p;
	struct hg_pagecache c;

	(void)state;
	p = new_pa(&e, NULL, s1, 1);
	c = hg_pagealloc_alloc_to_cache(p);
	assert_int_equal(c.base, pb(&e, B, 128));
	assert_int_equal(c.cache, ~UINT64_C(1));
	assert_int_equal(c.scav, ~UINT64_C(1));
	c = hg_pagealloc_alloc_to_cache(p);
	assert_int_equal(c.base, pb(&e, B, 192));
	assert_int_equal(c.cache, ~UINT64_C(0));
	check_ok(p);
	hg_pagealloc_free_all(p);

	p = new_pa(&e, NULL, s2, 2);
	c = hg_pagealloc_alloc_to_cache(p);
	assert_int_equal(c.base, pb(&e, B + 0xff, 0));
	assert_int_equal(c.cache, ~UINT64_C(0x1ff));
	assert_int_equal(c.scav, ~UINT64_C(0x1ff));
	check_ok(p);
	hg_pagealloc_free_all(p);

	p = new_pa(&e, NULL, s3, 1);
	c = hg_pagealloc_alloc_to_cache(p);
	assert_int_equal(c.base, 0);
	assert_int_equal(c.cache, 0);
	assert_int_equal(hg_pagealloc_search_addr(p),
			 (UINT64_C(1) << e.prm.addr_bits) - 1);
	c = hg_pagealloc_alloc_to_cache(p);
	assert_int_equal(c.base, 0);
	check_ok(p);
	hg_pagealloc_free_all(p);
}

/* Go: TestPageCacheAlloc and TestPageCacheFlush. */
static void test_page_cache_alloc_flush(void **state)
{
	struct env e = env64(4096);
	uint64_t B = e.base_ci, s;
	struct spec sp[] = { { .dci = 0,
			       .alloc = { R(0, 1), R(10, 2) },
			       .scav = { R(0, 4), R(11, 1) } } };
	struct hg_pagealloc *p;
	struct hg_pagecache c = { 0x1000, 0xf0f0f0f0f0f0f0f0,
				  0x0f0f0f0f0f0f0f0f };

	(void)state;
	/* Lowest bit for n=1, lowest fitting run for n>1. */
	assert_int_equal(hg_pagecache_alloc(&c, 1, PS, &s), 0x1000 + 4 * PS);
	assert_int_equal(s, 0);
	assert_int_equal(hg_pagecache_alloc(&c, 4, PS, &s), 0x1000 + 12 * PS);
	assert_int_equal(hg_pagecache_alloc(&c, 5, PS, &s), 0);
	c.base = 0x1000;
	c.cache = 0xff00;
	c.scav = 0x0f00;
	assert_int_equal(hg_pagecache_alloc(&c, 8, PS, &s), 0x1000 + 8 * PS);
	assert_int_equal(s, 4 * PS);
	assert_int_equal(c.cache, 0);
	assert_int_equal(hg_pagecache_alloc(&c, 1, PS, &s), 0);
	c.cache = ~UINT64_C(0);
	c.scav = ~UINT64_C(0);
	assert_int_equal(hg_pagecache_alloc(&c, 64, PS, &s), 0x1000);
	assert_int_equal(s, 64 * PS);

	/* Flush gives the pages back with their scavenged bits. */
	p = new_pa(&e, NULL, sp, 1);
	c = hg_pagealloc_alloc_to_cache(p);
	assert_int_equal(hg_pagecache_alloc(&c, 1, PS, &s), pb(&e, B, 1));
	assert_int_equal(s, PS);
	hg_pagecache_flush(&c, p);
	assert_int_equal(c.base, 0);
	assert_int_equal(c.cache, 0);
	check_ok(p);
	{
		const struct hg_pagerange a[MAXR] = { R(0, 2), R(10, 2) };
		const struct hg_pagerange sc[MAXR] = { R(2, 2) };

		check_chunk(p, &e, 0, a, sc);
	}
	assert_int_equal(hg_pagealloc_search_addr(p), pb(&e, B, 0));
	hg_pagealloc_free_all(p);
}

/* ------------------------------------------------------------------ */
/* Other behaviour                                                     */
/* ------------------------------------------------------------------ */

/* Go: TestPageAllocExhaust. */
static void test_exhaust(void **state)
{
	const uint64_t sizes[] = { 1,  2,  3,    4,    5,    8,
				   16, 64, 1024, 1025, 2048, 2049 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct env e = env64(4096);
		struct spec s[4];
		struct hg_pagealloc *p;
		uint64_t n = sizes[k], nalloc = 4 * e.P / n, i, left;

		memset(s, 0, sizeof(s));
		for (i = 0; i < 4; i++)
			s[i].dci = i;
		p = new_pa(&e, NULL, s, 4);
		for (i = 0; i < nalloc; i++)
			assert_int_equal(hg_pagealloc_alloc(p, n, NULL),
					 pb(&e, e.base_ci, i * n));
		assert_int_equal(hg_pagealloc_alloc(p, n, NULL), 0);
		check_ok(p);
		left = nalloc * n;
		for (i = 0; i < 4; i++) {
			struct hg_pagerange a[MAXR] = { R(
				0, left < e.P ? left : e.P) };

			check_chunk(p, &e, i, left ? a : NULL, NULL);
			left -= left < e.P ? left : e.P;
		}
		hg_pagealloc_free_all(p);
	}
}

/*
 * The compact form (mpagealloc.h): a 16 TiB heap (4 M chunks) taken whole
 * by one span, parts of it freed, reused, released and freed again, the
 * counts, addresses and releases exact, the invariant checker content,
 * and the host memory of the bitmaps and summaries a few hundred KiB (one
 * bitmap per chunk would be 544 MiB).
 */
static void test_compact_giant(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *p = NULL;
	struct hg_pagealloc_counts cnt;
	const hg_addr base = 0xc000000000;
	const uint64_t chunks = UINT64_C(4) << 20, all = chunks * 512;
	const uint64_t mid = base + (UINT64_C(5) << 40) + 3 * PS;
	const uint64_t hole = (UINT64_C(1) << 40) / PS + 7; /* 1 TiB + 7 */
	uint64_t s;

	(void)state;
	e.prm.ctx = NULL;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), 0);
	assert_int_equal(hg_pagealloc_grow(p, base, chunks * (4 << 20)), 0);
	check_ok(p);
	assert_int_equal(hg_pagealloc_alloc(p, all, &s), base);
	assert_int_equal(s, all * PS);
	check_ok(p);
	hg_pagealloc_count(p, &cnt);
	assert_int_equal(cnt.alloc, all);
	assert_int_equal(cnt.free_scav + cnt.free_ready, 0);
	assert_true(hg_pagealloc_host_bytes(p) < 256 << 10);

	/* Free a part that starts and ends inside chunks, then reuse it. */
	hg_pagealloc_free(p, mid, hole);
	check_ok(p);
	assert_true(hg_pagealloc_search_addr(p) <= mid);
	hg_pagealloc_count(p, &cnt);
	assert_int_equal(cnt.alloc, all - hole);
	assert_int_equal(cnt.free_ready, hole);
	assert_int_equal(hg_pagealloc_alloc(p, 2, &s), mid);
	assert_int_equal(s, 0);
	assert_int_equal(hg_pagealloc_alloc(p, hole - 2, &s), mid + 2 * PS);
	assert_int_equal(hg_pagealloc_alloc(p, 1, &s), 0); /* full again */
	check_ok(p);

	/* Free it again, release 1 GiB of it (the top first), take 1 TiB. */
	hg_pagealloc_free(p, mid, hole);
	assert_int_equal(hg_pagealloc_scavenge(p, UINT64_C(1) << 30),
			 UINT64_C(1) << 30);
	check_ok(p);
	hg_pagealloc_count(p, &cnt);
	assert_int_equal(cnt.free_scav, (UINT64_C(1) << 30) / PS);
	assert_int_equal(hg_pagealloc_alloc(p, hole - 7, &s), mid);
	assert_int_equal(s, (UINT64_C(1) << 30) - 7 * PS);
	check_ok(p);

	/* Free everything, release it all: one uniform heap again. */
	hg_pagealloc_free(p, base, (mid - base) / PS);
	hg_pagealloc_free(p, mid, hole - 7);
	hg_pagealloc_free(p, mid + hole * PS, all - (mid - base) / PS - hole);
	check_ok(p);
	hg_pagealloc_count(p, &cnt);
	assert_int_equal(cnt.alloc, 0);
	/* The 7 pages of the hole's top stayed released. */
	assert_int_equal(hg_pagealloc_scavenge(p, UINT64_MAX), (all - 7) * PS);
	hg_pagealloc_count(p, &cnt);
	assert_int_equal(cnt.free_scav, all);
	check_ok(p);
	assert_true(hg_pagealloc_host_bytes(p) < 256 << 10);
	assert_int_equal(hg_pagealloc_alloc(p, all, &s), base);
	assert_int_equal(s, all * PS);
	check_ok(p);
	hg_pagealloc_free_all(p);
}

/*
 * Go: the background search address that nextGen raised is marked, and a
 * find that finds nothing below it cannot clear it (atomicOffAddr.Clear):
 * a chunk that becomes eligible below it later, with no free above it,
 * is still found. One chunk, full; in the next gen 32 pages freed at its
 * top (dense when first touched: not eligible that gen); in the gen
 * after (the search address marked at that top) the 32 pages taken
 * again, so a background scavenge finds nothing, then 32 pages freed at
 * the bottom (the chunk neither dense nor dense when first touched this
 * gen): the next background scavenge releases them.
 */
static void test_scavenge_bg_marked(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *p = NULL;
	hg_addr base = 0xc000000000, a;
	uint64_t s;

	(void)state;
	e.prm.scav_gens = true;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), 0);
	assert_int_equal(hg_pagealloc_grow(p, base, 4 << 20), 0);
	assert_int_equal(hg_pagealloc_alloc(p, 512, &s), base);
	hg_pagealloc_next_gen(p);
	hg_pagealloc_free(p, base + 480 * PS, 32);
	assert_int_equal(hg_pagealloc_scavenge_bg(p, UINT64_MAX), 0);
	hg_pagealloc_next_gen(p);
	a = hg_pagealloc_alloc(p, 32, &s);
	assert_int_equal(a, base + 480 * PS);
	assert_int_equal(s, 0);
	assert_int_equal(hg_pagealloc_scavenge_bg(p, UINT64_MAX), 0);
	hg_pagealloc_free(p, base, 32);
	assert_int_equal(hg_pagealloc_scavenge_bg(p, UINT64_MAX), 32 * PS);
	assert_int_equal(hg_pagealloc_scavenge_bg(p, UINT64_MAX), 0);
	check_ok(p);
	hg_pagealloc_free_all(p);
}

/*
 * Go: the background scavenger marks a chunk empty (setEmpty) when it
 * finds nothing at or below its own search address there, even with free
 * pages above it, and a forced scavenge (FreeOSMemory's scavengeAll)
 * skips a chunk so marked and lowers its search address below it: the
 * pages stay unreleased until a free in that chunk flags it again, and
 * the checker owes them nothing. Two chunks A and B, full; gen 1 frees
 * B's 32 bottom pages (the background address raised to their top at
 * the next gen); in gen 2 B's 32 top pages and A's 32 bottom pages are
 * freed; the background scavenge releases B's bottom and marks B empty;
 * the forced one then releases only A's. A page of B freed below its
 * top pages flags B again: only that page is released next.
 */
static void test_scavenge_force_skips_empty(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *p = NULL;
	hg_addr base = 0xc000000000, b = base + (4 << 20);

	(void)state;
	e.prm.scav_gens = true;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), 0);
	assert_int_equal(hg_pagealloc_grow(p, base, 8 << 20), 0);
	{
		uint64_t s;

		assert_int_equal(hg_pagealloc_alloc(p, 1024, &s), base);
	}
	hg_pagealloc_next_gen(p);
	hg_pagealloc_free(p, b, 32);
	hg_pagealloc_next_gen(p);
	hg_pagealloc_free(p, b + 480 * PS, 32);
	hg_pagealloc_free(p, base, 32);
	assert_int_equal(hg_pagealloc_scavenge_bg(p, UINT64_MAX), 32 * PS);
	check_ok(p);
	assert_int_equal(hg_pagealloc_scavenge(p, UINT64_MAX), 32 * PS);
	check_ok(p);
	/* A free below B's top pages flags B again, the search address
	 * raised only to that page: the next forced scavenge releases it,
	 * not the pages above. */
	hg_pagealloc_free(p, b + 100 * PS, 1);
	check_ok(p);
	assert_int_equal(hg_pagealloc_scavenge(p, UINT64_MAX), PS);
	check_ok(p);
	hg_pagealloc_free_all(p);
}

/* grow marks pages free and scavenged; alloc reports and clears them. */
static void test_grow_alloc_scav(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *p = NULL;
	struct hg_pagealloc_counts cnt;
	hg_addr a, hi = UINT64_C(0x7f0000000000);
	uint64_t s;

	(void)state;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), 0);
	assert_int_equal(hg_pagealloc_alloc(p, 1, &s), 0);
	assert_int_equal(hg_pagealloc_scavenge(p, UINT64_MAX), 0);
	assert_int_equal(hg_pagealloc_grow(p, hi, 8 << 20), 0);
	assert_int_equal(hg_pagealloc_grow(p, 0xc000000000, 4 << 20), 0);
	assert_int_equal(hg_pagealloc_grow(p, 0xc000000000, 4 << 20),
			 HG_EINVAL);
	assert_int_equal(hg_pagealloc_grow(p, 0, 4 << 20), HG_EINVAL);
	check_ok(p);
	assert_int_equal(hg_pagealloc_search_addr(p), 0xc000000000);
	a = hg_pagealloc_alloc(p, 600, &s);
	assert_int_equal(a, hi); /* 600 pages do not fit the low chunk */
	assert_int_equal(s, 600 * PS);
	a = hg_pagealloc_alloc(p, 3, &s);
	assert_int_equal(a, 0xc000000000);
	assert_int_equal(s, 3 * PS);
	hg_pagealloc_free(p, a, 3);
	a = hg_pagealloc_alloc(p, 2, &s);
	assert_int_equal(a, 0xc000000000);
	assert_int_equal(s, 0); /* free never sets scavenged bits */
	hg_pagealloc_count(p, &cnt);
	assert_int_equal(cnt.grown, 3 * 512);
	assert_int_equal(cnt.alloc, 602);
	assert_int_equal(cnt.free_ready, 1);
	assert_int_equal(cnt.free_scav, 3 * 512 - 603);
	/* The free unscavenged page is the only thing to release. */
	assert_int_equal(hg_pagealloc_scavenge(p, UINT64_MAX), PS);
	hg_pagealloc_count(p, &cnt);
	assert_int_equal(cnt.free_ready, 0);
	/* Metadata: 2 bitmaps of 64 bytes per chunk plus summary blocks. */
	assert_true(hg_pagealloc_metadata_bytes(p) >= 3 * 128 + 5 * 4096);
	assert_true(hg_pagealloc_metadata_bytes(p) < 64 * 4096);
	check_ok(p);
	hg_pagealloc_free_all(p);
}

static void test_mark_padding(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *p = NULL;
	struct hg_pagealloc_counts cnt;
	uint64_t s;
	hg_addr b = 0xc000000000;

	(void)state;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), 0);
	assert_int_equal(hg_pagealloc_grow(p, b, 8 << 20), 0);
	hg_pagealloc_mark_padding(p, b, 700);
	check_ok(p);
	hg_pagealloc_count(p, &cnt);
	assert_int_equal(cnt.alloc, 700);
	assert_int_equal(cnt.alloc_scav, 700);
	assert_int_equal(hg_pagealloc_alloc(p, 1, &s), b + 700 * PS);
	assert_int_equal(s, PS);
	check_ok(p);
	hg_pagealloc_free_all(p);
}

struct run_log {
	size_t n;
	hg_addr base[16], end[16];
	bool a[16], s[16];
};

static int log_run(void *arg, hg_addr base, hg_addr end, bool a, bool s)
{
	struct run_log *r = arg;

	if (r->n == 16)
		return 7;
	r->base[r->n] = base;
	r->end[r->n] = end;
	r->a[r->n] = a;
	r->s[r->n] = s;
	r->n++;
	return 0;
}

static void test_runs(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *p = NULL;
	struct run_log r;
	hg_addr b = 0xc000000000;
	uint64_t s;

	(void)state;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), 0);
	assert_int_equal(hg_pagealloc_grow(p, b, 8 << 20), 0);
	assert_int_equal(hg_pagealloc_grow(p, b + (12 << 20), 4 << 20), 0);
	assert_int_equal(hg_pagealloc_alloc(p, 520, &s), b);
	hg_pagealloc_free(p, b + 10 * PS, 2);
	memset(&r, 0, sizeof(r));
	assert_int_equal(hg_pagealloc_runs(p, 0, UINT64_MAX, log_run, &r), 0);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.base[0], b);
	assert_int_equal(r.end[0], b + 10 * PS);
	assert_true(r.a[0] && !r.s[0]);
	assert_int_equal(r.end[1], b + 12 * PS);
	assert_true(!r.a[1] && !r.s[1]);
	assert_int_equal(r.end[2], b + 520 * PS);
	assert_int_equal(r.end[3], b + (8 << 20));
	assert_true(!r.a[3] && r.s[3]);
	/* A gap in the grown memory splits runs of the same state. */
	assert_int_equal(r.base[4], b + (12 << 20));
	assert_int_equal(r.end[4], b + (16 << 20));
	memset(&r, 0, sizeof(r));
	assert_int_equal(
		hg_pagealloc_runs(p, b + 11 * PS, b + 13 * PS, log_run, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.base[0], b + 11 * PS);
	assert_int_equal(r.end[1], b + 13 * PS);
	hg_pagealloc_free_all(p);
}

/* find of n pages against Go's walk from the root (hg_pagealloc_find_ref):
 * the same address and the same searchAddr candidate. Returns the
 * address. */
static hg_addr find_vs_ref(struct hg_pagealloc *p, int step, uint64_t n)
{
	hg_addr fs, rs, fa, ra;

	fa = hg_pagealloc_find(p, n, &fs);
	ra = hg_pagealloc_find_ref(p, n, &rs);
	if (fa != ra || fs != rs)
		fail_msg("step %d find(%llu): %#llx/%#llx, "
			 "Go's walk %#llx/%#llx",
			 step, (unsigned long long)n, (unsigned long long)fa,
			 (unsigned long long)fs, (unsigned long long)ra,
			 (unsigned long long)rs);
	return fa;
}

static void test_params(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *p = NULL;

	(void)state;
	e.prm.addr_bits = 49;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), HG_EINVAL);
	e.prm.addr_bits = 48;
	e.prm.phys_page_size = 1 << 20;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), HG_EINVAL);
	e.prm.phys_page_size = 4096;
	e.prm.chunk_bytes = 3 << 20;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), HG_EINVAL);
	assert_null(p);
	e.prm.chunk_bytes = 4 << 20;
	e.prm.phys_huge_page_size = 3 << 20; /* not a power of two */
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), HG_EINVAL);
	assert_null(p);
	e.prm.phys_huge_page_size = 1 << 30; /* ignored, as Go drops it */
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), HG_OK);
	hg_pagealloc_free_all(p);
}

/* ------------------------------------------------------------------ */
/* Randomized comparison with a naive model                            */
/* ------------------------------------------------------------------ */

#define MODEL_CHUNKS 24

struct model {
	const struct env *e;
	uint64_t P;
	size_t n; /* grown chunks, sorted */
	uint64_t ci[MODEL_CHUNKS];
	uint8_t alloc[MODEL_CHUNKS][MAXP];
	uint8_t scav[MODEL_CHUNKS][MAXP];
	struct unused_log log;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int model_find(const struct model *m, hg_addr a, size_t *k, uint64_t *i)
{
	uint64_t ci = a / m->e->prm.chunk_bytes;
	size_t j;

	for (j = 0; j < m->n; j++) {
		if (m->ci[j] == ci) {
			*k = j;
			*i = (a % m->e->prm.chunk_bytes) / PS;
			return 1;
		}
	}
	return 0;
}

static void model_grow(struct model *m, uint64_t ci)
{
	size_t j = m->n;

	while (j > 0 && m->ci[j - 1] > ci) {
		m->ci[j] = m->ci[j - 1];
		memcpy(m->alloc[j], m->alloc[j - 1], MAXP);
		memcpy(m->scav[j], m->scav[j - 1], MAXP);
		j--;
	}
	m->ci[j] = ci;
	memset(m->alloc[j], 0, MAXP);
	memset(m->scav[j], 1, MAXP);
	m->n++;
}

/* Lowest-address run of n free pages; runs cross adjacent chunks only. */
static hg_addr model_alloc(struct model *m, uint64_t n, uint64_t *scav)
{
	size_t k, sk = 0;
	uint64_t i, si = 0, run = 0;

	*scav = 0;
	for (k = 0; k < m->n; k++) {
		if (k > 0 && m->ci[k] != m->ci[k - 1] + 1)
			run = 0;
		for (i = 0; i < m->P; i++) {
			if (m->alloc[k][i]) {
				run = 0;
				continue;
			}
			if (run == 0) {
				sk = k;
				si = i;
			}
			if (++run == n)
				goto found;
		}
	}
	return 0;
found:
	for (k = sk, i = si; n > 0; n--) {
		*scav += m->scav[k][i] * PS;
		m->alloc[k][i] = 1;
		m->scav[k][i] = 0;
		if (++i == m->P) {
			i = 0;
			k++;
		}
	}
	return pb(m->e, m->ci[sk], si);
}

static void model_free(struct model *m, hg_addr a, uint64_t n)
{
	size_t k = 0;
	uint64_t i = 0;

	assert_true(model_find(m, a, &k, &i));
	for (; n > 0; n--) {
		m->alloc[k][i] = 0;
		if (++i == m->P) {
			i = 0;
			k++;
		}
	}
}

static bool model_group_ok(const struct model *m, size_t k, uint64_t g,
			   uint64_t mp)
{
	uint64_t i;

	for (i = g; i < g + mp; i++)
		if (m->alloc[k][i] || m->scav[k][i])
			return false;
	return true;
}

/* Highest free unscavenged aligned groups first, runs trimmed from the top. */
static uint64_t model_scavenge(struct model *m, uint64_t nbytes)
{
	uint64_t mp = m->e->prm.phys_page_size / PS, released = 0;
	uint64_t huge = m->e->prm.phys_huge_page_size, hp = 0;

	if (mp < 1)
		mp = 1;
	if (huge > PS && huge > m->e->prm.phys_page_size &&
	    huge <= m->e->prm.chunk_bytes)
		hp = huge / PS;
	while (released < nbytes) {
		uint64_t left = nbytes - released, maxp, g, end, run, size, i;
		uint64_t start;
		size_t k;
		int kk;
		bool found = false;

		for (kk = (int)m->n - 1; kk >= 0 && !found; kk--) {
			for (g = m->P; g >= mp; g -= mp) {
				if (model_group_ok(m, (size_t)kk, g - mp, mp)) {
					found = true;
					break;
				}
			}
		}
		if (!found)
			break;
		k = (size_t)(kk + 1);
		end = g;
		run = 0;
		while (g >= mp && model_group_ok(m, k, g - mp, mp)) {
			run += mp;
			g -= mp;
		}
		maxp = left / PS + (left % PS != 0);
		maxp = (maxp + mp - 1) / mp * mp;
		size = run < maxp ? run : maxp;
		start = end - size;
		/* a huge page boundary in the candidate, and the whole huge
		 * page below start free: release from that huge page on */
		if (hp && (start + hp - 1) / hp * hp <= end &&
		    start / hp * hp >= end - run) {
			size += start - start / hp * hp;
			start = start / hp * hp;
		}
		for (i = start; i < end; i++)
			m->scav[k][i] = 1;
		record_unused(&m->log, pb(m->e, m->ci[k], start), size * PS);
		released += size * PS;
	}
	return released;
}

static struct hg_pagecache model_to_cache(struct model *m)
{
	struct hg_pagecache c = { 0, 0, 0 };
	size_t k;
	uint64_t i, b, j;

	for (k = 0; k < m->n; k++)
		for (i = 0; i < m->P; i++)
			if (!m->alloc[k][i])
				goto found;
	return c;
found:
	b = i & ~UINT64_C(63);
	c.base = pb(m->e, m->ci[k], b);
	for (j = 0; j < 64; j++) {
		if (!m->alloc[k][b + j]) {
			c.cache |= UINT64_C(1) << j;
			m->alloc[k][b + j] = 1;
			if (m->scav[k][b + j])
				c.scav |= UINT64_C(1) << j;
			m->scav[k][b + j] = 0;
		} else if (m->scav[k][b + j]) {
			c.scav |= UINT64_C(1) << j;
		}
	}
	return c;
}

static void model_flush(struct model *m, struct hg_pagecache *c)
{
	size_t k = 0;
	uint64_t i = 0, j;

	if (c->cache == 0)
		return;
	assert_true(model_find(m, c->base, &k, &i));
	for (j = 0; j < 64; j++) {
		if (c->cache >> j & 1)
			m->alloc[k][i + j] = 0;
		if (c->scav >> j & 1)
			m->scav[k][i + j] = 1;
	}
	memset(c, 0, sizeof(*c));
}

static void model_compare(const struct model *m, const struct hg_pagealloc *p)
{
	static struct page_state ps;
	size_t k;
	uint64_t i;

	for (k = 0; k < m->n; k++) {
		memset(&ps, 0xff, sizeof(ps));
		ps.lo = pb(m->e, m->ci[k], 0);
		hg_pagealloc_runs(p, ps.lo, pb(m->e, m->ci[k] + 1, 0), collect,
				  &ps);
		for (i = 0; i < m->P; i++)
			if (ps.alloc[i] != m->alloc[k][i] ||
			    ps.scav[i] != m->scav[k][i])
				fail_msg("chunk %#llx page %llu differs from "
					 "the model",
					 (unsigned long long)m->ci[k],
					 (unsigned long long)i);
	}
}

struct live {
	hg_addr a;
	uint64_t n;
};

static void random_run(struct env e, uint64_t seed, int steps)
{
	static struct model m;
	static struct unused_log log;
	static struct live live[8192];
	size_t nlive = 0;
	struct hg_pagealloc *p = NULL;
	struct hg_pagecache c = { 0, 0, 0 }, mc = { 0, 0, 0 };
	uint64_t cand[MODEL_CHUNKS];
	size_t ncand = 0, k = 0;
	uint64_t space_chunks =
		(UINT64_C(1) << e.prm.addr_bits) / e.prm.chunk_bytes;
	int step;

	memset(&m, 0, sizeof(m));
	memset(&log, 0, sizeof(log));
	m.e = &e;
	m.P = e.P;
	e.prm.ctx = &log;
	rng_state = seed;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), 0);

	/* Chunks to grow: a contiguous run, a neighbour across a gap and a
	 * far region near the top of the address space. */
	for (k = 0; k < 10; k++)
		cand[ncand++] = e.base_ci + k;
	for (k = 0; k < 4; k++)
		cand[ncand++] = e.base_ci + 12 + k;
	for (k = 0; k < 6; k++)
		cand[ncand++] = space_chunks - 64 + k;

	for (step = 0; step < steps; step++) {
		uint64_t r = rnd() % 100, s1 = 0, s2 = 0, n;
		hg_addr a1, a2;

		if (r < 4 && ncand > 0) {
			size_t pick = (size_t)(rnd() % ncand);
			uint64_t ci = cand[pick];

			cand[pick] = cand[--ncand];
			assert_int_equal(
				hg_pagealloc_grow(p, ci * e.prm.chunk_bytes,
						  e.prm.chunk_bytes),
				0);
			model_grow(&m, ci);
			if (rnd() % 4 == 0) {
				uint64_t np = 1 + rnd() % 40;

				hg_pagealloc_mark_padding(
					p, ci * e.prm.chunk_bytes, np);
				assert_true(model_find(
					&m, ci * e.prm.chunk_bytes, &k, &n));
				for (n = 0; n < np; n++) {
					m.alloc[k][n] = 1;
					m.scav[k][n] = 1;
				}
			}
		} else if (r < 50) {
			uint64_t q = rnd() % 100;

			if (q < 60)
				n = 1 + rnd() % 8;
			else if (q < 90)
				n = 1 + rnd() % 100;
			else
				n = 1 + rnd() % (3 * e.P);
			/* The find that starts at searchAddr's block against
			 * Go's walk from the root: the same address and the
			 * same searchAddr candidate. */
			find_vs_ref(p, step, n);
			a1 = hg_pagealloc_alloc(p, n, &s1);
			a2 = model_alloc(&m, n, &s2);
			if (a1 != a2 || s1 != s2)
				fail_msg("step %d alloc(%llu): got %#llx/%llu, "
					 "model %#llx/%llu",
					 step, (unsigned long long)n,
					 (unsigned long long)a1,
					 (unsigned long long)s1,
					 (unsigned long long)a2,
					 (unsigned long long)s2);
			if (a1 && nlive < 8192) {
				live[nlive].a = a1;
				live[nlive++].n = n;
			}
		} else if (r < 88) {
			if (nlive) {
				size_t i = (size_t)(rnd() % nlive);

				hg_pagealloc_free(p, live[i].a, live[i].n);
				model_free(&m, live[i].a, live[i].n);
				live[i] = live[--nlive];
			}
		} else if (r < 93) {
			uint64_t want = rnd() % 3 == 0 ? UINT64_MAX
						       : (rnd() % 200) * PS;
			size_t before = log.n;

			m.log.n = 0;
			s1 = hg_pagealloc_scavenge(p, want);
			s2 = model_scavenge(&m, want);
			if (s1 != s2)
				fail_msg("step %d scavenge(%llu): got %llu, "
					 "model %llu",
					 step, (unsigned long long)want,
					 (unsigned long long)s1,
					 (unsigned long long)s2);
			assert_int_equal(log.n - before, m.log.n);
			for (k = 0; k < m.log.n; k++) {
				assert_int_equal(log.base[before + k],
						 m.log.base[k]);
				assert_int_equal(log.bytes[before + k],
						 m.log.bytes[k]);
			}
			if (log.n > 3000)
				log.n = 0;
		} else if (r < 96) {
			if (c.cache == 0) {
				c = hg_pagealloc_alloc_to_cache(p);
				mc = model_to_cache(&m);
				assert_int_equal(c.base, mc.base);
				assert_int_equal(c.cache, mc.cache);
				assert_int_equal(c.scav, mc.scav);
			} else {
				hg_pagecache_flush(&c, p);
				model_flush(&m, &mc);
			}
		} else {
			n = 1 + rnd() % 8;
			a1 = hg_pagecache_alloc(&c, n, PS, &s1);
			a2 = hg_pagecache_alloc(&mc, n, PS, &s2);
			assert_int_equal(a1, a2);
			assert_int_equal(s1, s2);
			if (a1 && nlive < 8192) {
				live[nlive].a = a1;
				live[nlive++].n = n;
			}
		}
		check_ok(p);
		if (step % 64 == 0)
			model_compare(&m, p);
	}
	hg_pagecache_flush(&c, p);
	model_flush(&m, &mc);
	check_ok(p);
	model_compare(&m, p);
	hg_pagealloc_free_all(p);
}

static void test_random_vs_model(void **state)
{
	(void)state;
	random_run(env64(4096), 0x9e3779b97f4a7c15, 6000);
	random_run(env64(16384), 0x1234567, 3000);
	random_run(env64(64 << 10), 0xabcdef, 3000);
	random_run(env32(4096), 0x5eed, 3000);
	random_run(env_wasm(), 0xfeed, 3000);
	random_run(env_huge(env64(4096), 2 << 20), 0x2b1d, 3000);
	random_run(env_huge(env64(16384), 512 << 10), 0x600d, 3000);
	random_run(env_huge(env32(4096), 256 << 10), 0x1d1e, 3000);
}

/*
 * The scavenge index's inline alloc and free leave a chunk's eligible bit
 * alone when its inUse stays on the same side of scavChunkHiOccPages in
 * a gen that touched it already: random allocs and frees in three
 * chunks, filled past that mark and emptied, with nextGen and the
 * scavengers between them; the checker compares every chunk's bit with
 * Go's shouldScavenge of its state after each step. The eligible bits
 * must have changed both ways, and chunks crossed the mark both ways.
 */
static void test_scav_index_random(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *p = NULL;
	hg_addr base = 0xc000000000;
	static struct live live[4096];
	size_t nlive = 0;
	uint64_t set = 0, cleared = 0, up = 0, down = 0, seed;

	(void)state;
	e.prm.scav_gens = true;
	for (seed = 1; seed <= 3; seed++) {
		int step;

		rng_state = 0x5ca1ab1e * seed;
		nlive = 0;
		assert_int_equal(hg_pagealloc_new(&p, &e.prm), 0);
		assert_int_equal(hg_pagealloc_grow(p, base, 12 << 20), 0);
		for (step = 0; step < 6000; step++) {
			uint64_t r = rnd() % 100, s, ci;
			/* Filling for a while, then emptying. */
			bool fill = (step / 700) % 2 == 0;
			bool was[3], hi[3];

			for (ci = 0; ci < 3; ci++) {
				uint64_t c = chunk_index(p, base) + ci;

				was[ci] = hg_hbm_get(&p->scav_eligible, c);
				hi[ci] = chunk_of(p, c)->in_use >=
					 p->scav_hi_occ;
			}
			if (r < (fill ? 70u : 30u)) {
				uint64_t n = 1 + rnd() % (rnd() % 4 ? 8 : 60);
				hg_addr a = hg_pagealloc_alloc(p, n, &s);

				if (a && nlive < 4096) {
					live[nlive].a = a;
					live[nlive++].n = n;
				}
			} else if (r < 96) {
				if (nlive) {
					size_t i = (size_t)(rnd() % nlive);

					hg_pagealloc_free(p, live[i].a,
							  live[i].n);
					live[i] = live[--nlive];
				}
			} else if (r < 98) {
				hg_pagealloc_next_gen(p);
			} else if (r < 99) {
				hg_pagealloc_scavenge_bg(p, (rnd() % 64) * PS);
			} else {
				hg_pagealloc_scavenge(p, (rnd() % 64) * PS);
			}
			check_ok(p);
			for (ci = 0; ci < 3; ci++) {
				uint64_t c = chunk_index(p, base) + ci;
				bool now = hg_hbm_get(&p->scav_eligible, c);
				bool h = chunk_of(p, c)->in_use >=
					 p->scav_hi_occ;

				set += !was[ci] && now;
				cleared += was[ci] && !now;
				up += !hi[ci] && h;
				down += hi[ci] && !h;
			}
		}
		hg_pagealloc_free_all(p);
	}
	assert_true(set > 10 && cleared > 10 && up > 10 && down > 10);
}

/*
 * Summaries whose children share their longest run: sixteen chunks full
 * but for holes of a few lengths, freed and taken again at random, so a
 * chunk often loses the longest run of its parent while a sibling holds
 * one as long (the parent kept without a merge) or none does (merged).
 * The checker merges every entry's children as Go does after each step.
 */
static void test_summary_equal_runs(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *p = NULL;
	hg_addr base = 0xc000000000;
	static uint8_t used[16 * 512];
	uint64_t s, nalloc = 0;
	int step;

	(void)state;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), 0);
	assert_int_equal(hg_pagealloc_grow(p, base, 64 << 20), 0);
	assert_int_equal(hg_pagealloc_alloc(p, 16 * 512, &s), base);
	memset(used, 1, sizeof(used));
	rng_state = 0x243f6a8885a308d3;
	for (step = 0; step < 20000; step++) {
		uint64_t n = UINT64_C(1) << (rnd() % 4), k;

		if (rnd() % 2) {
			/* A hole of n pages on n pages' alignment, where
			 * every page is in use. */
			uint64_t pg = (rnd() % (16 * 512 / n)) * n;

			for (k = 0; k < n && used[pg + k]; k++)
				;
			if (k < n)
				continue;
			hg_pagealloc_free(p, base + pg * PS, n);
			memset(used + pg, 0, n);
		} else {
			hg_addr a = hg_pagealloc_alloc(p, n, &s);
			uint64_t pg = (a - base) / PS;

			if (!a)
				continue;
			for (k = 0; k < n; k++)
				assert_int_equal(used[pg + k], 0);
			memset(used + pg, 1, n);
			nalloc++;
		}
		check_ok(p);
	}
	assert_true(nalloc > 5000);
	hg_pagealloc_free_all(p);
}

/* hg_pagealloc_range_grown, which tries the range of the last answer
 * first, against the search of every range (its slow path), for random
 * runs in and around three discontiguous grown regions. */
static void test_range_grown_random(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *p = NULL;
	hg_addr b[3] = { 0xc000000000, 0xc000c00000, 0xc004000000 };
	uint64_t yes = 0, no = 0;
	int k;

	(void)state;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), 0);
	assert_int_equal(hg_pagealloc_grow(p, b[0], 8 << 20), 0);
	assert_int_equal(hg_pagealloc_grow(p, b[1], 4 << 20), 0);
	assert_int_equal(hg_pagealloc_grow(p, b[2], 16 << 20), 0);
	rng_state = 0x6a09e667f3bcc908;
	for (k = 0; k < 200000; k++) {
		hg_addr a = b[rnd() % 3] - (8 << 20) + (rnd() % 4096) * PS;
		uint64_t n = 1 + rnd() % (rnd() % 8 ? 16 : 2048);
		bool want;

		if (k % 5 == 0) /* a bad size or an overflowing end */
			n = rnd() % 3 == 0 ? 0 : UINT64_MAX >> (rnd() % 40);
		want = n != 0 && n <= (p->max_addr >> p->log_page) &&
		       a <= p->max_addr - ((n - 1) << p->log_page) &&
		       hg_pagealloc_range_grown_slow(
			       p, a, a + ((n - 1) << p->log_page)) != SIZE_MAX;
		assert_int_equal(hg_pagealloc_range_grown(p, a, n), want);
		yes += want;
		no += !want;
	}
	assert_true(yes > 10000 && no > 10000);
	hg_pagealloc_free_all(p);
}

/* A test's live spans, allocated and freed at random. */
struct live_set {
	hg_addr a[4096];
	uint64_t n[4096];
	size_t len;
};

/* live_alloc allocates n pages and keeps the span if there was room. */
static void live_alloc(struct hg_pagealloc *p, struct live_set *l, uint64_t n)
{
	uint64_t s;
	hg_addr a = hg_pagealloc_alloc(p, n, &s);

	if (a) {
		l->a[l->len] = a;
		l->n[l->len++] = n;
	}
}

/* live_free_one frees one of the live spans, chosen at random. */
static void live_free_one(struct hg_pagealloc *p, struct live_set *l)
{
	size_t k = (size_t)(rnd() % l->len);

	hg_pagealloc_free(p, l->a[k], l->n[k]);
	l->a[k] = l->a[--l->len];
	l->n[k] = l->n[l->len];
}

/* A fresh allocator for a live set, seeded, with nchunks chunks grown. */
static struct hg_pagealloc *live_heap(struct env *e, struct live_set *l,
				      uint64_t seed, uint64_t nchunks)
{
	struct hg_pagealloc *p = NULL;

	e->prm.ctx = NULL;
	l->len = 0;
	rng_state = seed;
	assert_int_equal(hg_pagealloc_new(&p, &e->prm), 0);
	assert_int_equal(hg_pagealloc_grow(p, pb(e, e->base_ci, 0),
					   nchunks * e->prm.chunk_bytes),
			 0);
	return p;
}

/* A heap of small spans over a few chunks, fragmented by random frees:
 * after every step, the find of each run length (its address and its
 * searchAddr candidate, pa_search_of's fast path) against Go's walk. */
static void test_find_small_random(void **state)
{
	struct env e = env64(4096);
	static struct live_set l;
	struct hg_pagealloc *p = live_heap(&e, &l, 0x51ab, 6);
	uint64_t n;
	int step;

	(void)state;
	for (step = 0; step < 4000; step++) {
		if (l.len < 4096 && (l.len < 1200 || rnd() % 2)) {
			n = rnd() % 16 == 0 ? 1 + rnd() % 40 : 1 + rnd() % 4;
			live_alloc(p, &l, n);
		} else if (l.len) {
			live_free_one(p, &l);
		}
		for (n = 1; n <= 20; n++)
			assert_int_equal(hg_pagealloc_find(p, n, NULL),
					 find_vs_ref(p, step, n));
		if (step % 256 == 0)
			check_ok(p);
	}
	check_ok(p);
	hg_pagealloc_free_all(p);
}

/*
 * Small spans over 160 chunks (more than a block of the fit tree), with
 * no find that reads the summaries above the chunks between the checks:
 * the check merges them first (hg_pagealloc_sync) and they must agree
 * with their children; finds of up to a chunk's pages (the fit tree) and
 * of more (the summaries) against Go's walk; and a chunk's fit set wrong
 * is caught.
 */
static void test_fit_tree(void **state)
{
	struct env e = env64(4096);
	static struct live_set l;
	struct hg_pagealloc *p = live_heap(&e, &l, 0xf17, 160);
	char err[256] = "";
	uint64_t n, ci, f;
	int step;

	(void)state;
	for (step = 0; step < 12000; step++) {
		if (l.len < 4096 && (l.len < 3000 || rnd() % 2))
			live_alloc(p, &l, 1 + rnd() % 40);
		else if (l.len)
			live_free_one(p, &l);
		if (step % 1000 == 999) {
			check_ok(p);
			for (n = 1; n <= 3 * e.P; n += 1 + rnd() % 97)
				find_vs_ref(p, step, n);
			find_vs_ref(p, step, e.P);
			find_vs_ref(p, step, e.P + 1);
		}
	}
	/* A fit one off in the middle of the heap. */
	ci = e.base_ci + 100;
	f = hg_pagefit_of_chunk(p, ci);
	hg_pagefit_set(p, ci, f ? f - 1 : 1);
	assert_int_equal(hg_pagealloc_check(p, err, sizeof(err)), HG_EINVAL);
	assert_non_null(strstr(err, "fit"));
	hg_pagefit_set(p, ci, f);
	check_ok(p);
	hg_pagealloc_free_all(p);
}

/* Finds of more than a chunk's pages (find_big, and Go's walk where runs
 * cross too many free chunks) against Go's walk, and of the longest run:
 * a heap of three leaves of 512 chunks and 8 chunks more, at first one
 * 500-chunk span and small ones after it, the next two leaves wholly free
 * (uniform); then spans of up to three chunks and small ones, fragmented
 * by random frees. */
/* The longest free run (Go's walk, by bisection), and finds of it and
 * of one page more. */
static void find_longest_vs_ref(struct hg_pagealloc *p, int step, uint64_t most)
{
	uint64_t lo = 0, hi = most + 1, mid;
	hg_addr s;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (hg_pagealloc_find_ref(p, mid, &s))
			lo = mid;
		else
			hi = mid;
	}
	if (lo)
		find_vs_ref(p, step, lo);
	find_vs_ref(p, step, lo + 1);
}

static void test_find_big(void **state)
{
	struct env e = env64(4096);
	static struct live_set l;
	struct hg_pagealloc *p = live_heap(&e, &l, 0xb16, 1544);
	static const uint64_t chunks[] = {
		2, 3, 10, 40, 63, 64, 65, 100, 530, 600, 1100, 1500, 1537, 1543
	};
	uint64_t n;
	size_t k;
	int step;

	(void)state;
	live_alloc(p, &l, 500 * e.P);
	for (k = 0; k < 200; k++)
		live_alloc(p, &l, 1 + rnd() % 40);
	for (n = e.P + 1; n < 4 * e.P; n += 1 + rnd() % 300)
		find_vs_ref(p, -1, n);
	for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		find_vs_ref(p, -1, chunks[k] * e.P);
		find_vs_ref(p, -1, chunks[k] * e.P - 7);
	}
	find_longest_vs_ref(p, -1, 1544 * e.P);
	for (step = 0; step < 6000; step++) {
		if (l.len < 4000 && (l.len < 1500 || rnd() % 2))
			live_alloc(p, &l,
				   rnd() % 4 ? 1 + rnd() % 16
					     : 1 + rnd() % (3 * e.P));
		else if (l.len)
			live_free_one(p, &l);
		if (step % 500 == 499) {
			check_ok(p);
			for (n = e.P + 1; n < 6 * e.P; n += 1 + rnd() % 700)
				find_vs_ref(p, step, n);
			for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++)
				find_vs_ref(p, step, chunks[k] * e.P);
			find_longest_vs_ref(p, step, 1544 * e.P);
		}
	}
	hg_pagealloc_free_all(p);
}

/* Spans of 1-8 pages (and a few of up to 140) in two chunks, fragmented by
 * random frees: the words' longest runs (wocc) that an alloc inside one
 * chunk keeps or searches again and a free takes from the run its pages
 * joined (hg_chunk_words_taken, _freed), and the summaries made from
 * them, checked after every step against the bitmaps. */
static void test_words_random(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *p = NULL;
	static struct live_set l;
	uint64_t n;
	int step;

	(void)state;
	e.prm.ctx = NULL;
	l.len = 0;
	rng_state = 0x70cc;
	assert_int_equal(hg_pagealloc_new(&p, &e.prm), 0);
	assert_int_equal(hg_pagealloc_grow(p, pb(&e, e.base_ci, 0),
					   2 * e.prm.chunk_bytes),
			 0);
	for (step = 0; step < 6000; step++) {
		if (l.len < 100 || (l.len < 160 && rnd() % 2)) {
			n = rnd() % 32 == 0 ? 1 + rnd() % 140 : 1 + rnd() % 8;
			live_alloc(p, &l, n);
		} else if (l.len) {
			live_free_one(p, &l);
		}
		check_ok(p);
	}
	hg_pagealloc_free_all(p);
}

/* Several allocators in one process do not interfere. */
static void test_independent_instances(void **state)
{
	struct env e = env64(4096);
	struct hg_pagealloc *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(hg_pagealloc_new(&a, &e.prm), 0);
	assert_int_equal(hg_pagealloc_new(&b, &e.prm), 0);
	assert_int_equal(hg_pagealloc_grow(a, 0xc000000000, 4 << 20), 0);
	assert_int_equal(hg_pagealloc_grow(b, 0xc000400000, 4 << 20), 0);
	assert_int_equal(hg_pagealloc_alloc(a, 1, NULL), 0xc000000000);
	assert_int_equal(hg_pagealloc_alloc(b, 1, NULL), 0xc000400000);
	check_ok(a);
	check_ok(b);
	hg_pagealloc_free_all(a);
	hg_pagealloc_free_all(b);
}

/* The summary bit by bit: free pages before the first allocated one, the
 * longest free run, free pages after the last. */
static void naive_summary(const uint64_t *w, unsigned nwords, uint64_t *start,
			  uint64_t *most, uint64_t *end)
{
	uint64_t n = (uint64_t)nwords * 64, run = 0;
	bool seen = false;

	*start = *most = 0;
	for (uint64_t i = 0; i < n; i++) {
		if (w[i / 64] >> (i % 64) & 1) {
			if (!seen)
				*start = run;
			seen = true;
			run = 0;
		} else if (++run > *most) {
			*most = run;
		}
	}
	*end = run;
	if (!seen)
		*start = n;
}

/* Go: TestPallocBitsSummarize, and random bitmaps of runs of every length
 * (the heap of small spans): hg_pallocbits_summarize and
 * hg_pallocbits_summarize_fast (with and without a free word) against
 * the bits. */
static void test_summarize(void **state)
{
	(void)state;
	struct env envs[2] = { env64(PS), env_wasm() };
	for (int k = 0; k < 2; k++) {
		struct hg_pagealloc *p = NULL;
		assert_int_equal(hg_pagealloc_new(&p, &envs[k].prm), HG_OK);
		struct pa_chunk c;
		uint64_t s = 12345 + (uint64_t)k;
		int nfree_word = 0; /* bitmaps with a free word */
		for (int t = 0; t < 20000; t++) {
			memset(&c, 0, sizeof(c));
			uint64_t n = (uint64_t)p->nwords * 64, i = 0;
			/* Runs of ones and zeros; their lengths' scale varies
			 * per bitmap, up to whole words. */
			unsigned scale = 1 + (unsigned)(t % 7) * 11;
			bool one = t & 1;
			while (i < n) {
				s = s * 6364136223846793005ull +
				    1442695040888963407ull;
				uint64_t len = 1 + (s >> 33) % scale;
				if (t % 5 == 0 && (s >> 20) % 17 == 0)
					len = 64 + (s >> 40) % 130;
				for (uint64_t j = i; j < i + len && j < n; j++)
					if (one)
						c.alloc[j / 64] |= UINT64_C(1)
								   << (j % 64);
				i += len;
				one = !one;
			}
			if (t == 0)
				memset(c.alloc, 0, sizeof(c.alloc));
			if (t == 2)
				memset(c.alloc, 0xff, sizeof(c.alloc));
			uint64_t a, b, e, ga, gb, ge, fa, fb, fe;
			naive_summary(c.alloc, p->nwords, &a, &b, &e);
			unpack_sum(p, hg_pallocbits_summarize(p, &c), &ga, &gb,
				   &ge);
			/* The fast summary, from the words' longest runs. */
			hg_chunk_words_changed(&c, 0, n);
			{
				bool any_free = false;

				for (unsigned w = 0; w < p->nwords; w++)
					any_free |= c.wocc[w] == 0;
				nfree_word += any_free;
			}
			unpack_sum(p, hg_pallocbits_summarize_fast(p, &c), &fa,
				   &fb, &fe);
			if (fa != a || fb != b || fe != e) {
				print_message("bitmap %d: want %llu/%llu/%llu "
					      "fast %llu/%llu/%llu\n",
					      t, (unsigned long long)a,
					      (unsigned long long)b,
					      (unsigned long long)e,
					      (unsigned long long)fa,
					      (unsigned long long)fb,
					      (unsigned long long)fe);
				fail();
			}
			if (ga != a || gb != b || ge != e) {
				print_message(
					"bitmap %d: want %llu/%llu/%llu got "
					"%llu/%llu/%llu\n",
					t, (unsigned long long)a,
					(unsigned long long)b,
					(unsigned long long)e,
					(unsigned long long)ga,
					(unsigned long long)gb,
					(unsigned long long)ge);
				fail();
			}
		}
		/* Both forms of the fast summary were taken. */
		assert_true(nfree_word > 100 && nfree_word < 19000);
		hg_pagealloc_free_all(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summarize),
		cmocka_unit_test(test_ref01_grow_discontiguous),
		cmocka_unit_test(test_ref01_grow_many_discontiguous),
		cmocka_unit_test(test_ref02_alloc_all_free1),
		cmocka_unit_test(test_ref03_alloc_all_free5),
		cmocka_unit_test(test_ref04_alloc_not_contiguous1),
		cmocka_unit_test(test_ref05_alloc_straddle2),
		cmocka_unit_test(test_ref06_alloc_exhaust_p_minus_3),
		cmocka_unit_test(test_ref07_alloc_straddle_5_4),
		cmocka_unit_test(test_ref08_alloc_not_contiguous_2p),
		cmocka_unit_test(test_ref09_alloc_and_free_chunks8),
		cmocka_unit_test(test_ref10_free_straddle2),
		cmocka_unit_test(test_ref11_scavenge_highest_page_first),
		cmocka_unit_test(test_ref12_alloc_to_cache_retain_scav_bits),
		cmocka_unit_test(test_scavenge_multiple),
		cmocka_unit_test(test_scavenge_exhaust),
		cmocka_unit_test(test_find_scavenge_candidate),
		cmocka_unit_test(test_find_scavenge_candidate_huge),
		cmocka_unit_test(test_scavenge_huge_page),
		cmocka_unit_test(test_alloc_to_cache_more),
		cmocka_unit_test(test_page_cache_alloc_flush),
		cmocka_unit_test(test_exhaust),
		cmocka_unit_test(test_grow_alloc_scav),
		cmocka_unit_test(test_scavenge_bg_marked),
		cmocka_unit_test(test_scavenge_force_skips_empty),
		cmocka_unit_test(test_compact_giant),
		cmocka_unit_test(test_mark_padding),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_random_vs_model),
		cmocka_unit_test(test_find_small_random),
		cmocka_unit_test(test_fit_tree),
		cmocka_unit_test(test_find_big),
		cmocka_unit_test(test_words_random),
		cmocka_unit_test(test_independent_instances),
		cmocka_unit_test(test_scav_index_random),
		cmocka_unit_test(test_range_grown_random),
		cmocka_unit_test(test_summary_equal_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
