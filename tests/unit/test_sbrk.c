/*
 * test_sbrk.c - the sbrk backend (core/os_sbrk.c): wasm's linear memory
 * and Plan 9's break under each policy.sbrk and policy.sbrk_free, driven
 * through the backend's table (hg_os.h) with exact addresses, and checked (Go's
 * memCheck plus the backend's invariants) after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "os_sbrk.h"

#define KiB ((uint64_t)1 << 10)
#define MiB ((uint64_t)1 << 20)

struct fx {
	struct hg_config cfg;
	struct hg_os os;
	struct hg_os_calls calls;
};

/* fx_init sets up a backend for platform and go, then key=value pairs. */
static void fx_init(struct fx *f, const char *platform, const char *go, ...)
{
	char err[256] = "";
	va_list ap;

	memset(f, 0, sizeof(*f));
	hg_config_init(&f->cfg);
	if (hg_config_set(&f->cfg, "platform", platform, err, sizeof(err)) ||
	    hg_config_set(&f->cfg, "go", go, err, sizeof(err)))
		fail_msg("config: %s", err);
	va_start(ap, go);
	for (;;) {
		const char *k = va_arg(ap, const char *);
		if (!k)
			break;
		const char *v = va_arg(ap, const char *);
		if (hg_config_set(&f->cfg, k, v, err, sizeof(err)))
			fail_msg("%s=%s: %s", k, v, err);
	}
	va_end(ap);
	if (hg_config_check(&f->cfg, err, sizeof(err)))
		fail_msg("config check: %s", err);
	assert_int_equal(hg_os_init(&f->os, &f->cfg, &f->calls), HG_OK);
}

static void fx_check(struct fx *f)
{
	char err[256] = "";
	if (f->os.ops->check(&f->os, err, sizeof(err)) != HG_OK)
		fail_msg("check: %s", err);
}

static hg_addr fx_alloc(struct fx *f, uint64_t n)
{
	hg_addr a = f->os.ops->alloc(&f->os, n);
	fx_check(f);
	return a;
}

static hg_addr fx_reserve(struct fx *f, hg_addr hint, uint64_t n)
{
	hg_addr a = f->os.ops->reserve(&f->os, hint, n);
	fx_check(f);
	return a;
}

static void fx_free(struct fx *f, hg_addr v, uint64_t n)
{
	f->os.ops->free(&f->os, v, n);
	fx_check(f);
}

static hg_addr fx_aligned(struct fx *f, uint64_t size, uint64_t align,
			  uint64_t *got)
{
	/* As mem.c's hg_sys_reserve_aligned: Go 1.24's sysReserveAlignedSbrk
	 * from the table, else the generic sysReserveAligned over it. */
	hg_addr a = 0;
	if (f->os.ops->aligned_sbrk(&f->os))
		a = f->os.ops->reserve_aligned(&f->os, size, align, got);
	else
		assert_int_equal(
			hg_os_reserve_aligned(&f->os, 0, size, align, &a, got),
			HG_OK);
	fx_check(f);
	return a;
}

static struct hg_sbrk_counts fx_counts(struct fx *f)
{
	struct hg_sbrk_counts c;
	f->os.ops->counts(&f->os, &c);
	return c;
}

/* The regions reported, as a compact string "class:base-end ...". */
struct regbuf {
	char s[1024];
	size_t len;
};

static int reg_cb(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct regbuf *b = arg;
	int n = snprintf(b->s + b->len, sizeof(b->s) - b->len, "%s%s:%llx-%llx",
			 b->len ? " " : "", hg_class_name(c),
			 (unsigned long long)base, (unsigned long long)end);
	if (n > 0)
		b->len += (size_t)n;
	return 0;
}

static void assert_regions(struct fx *f, hg_addr lo, hg_addr hi,
			   const char *want)
{
	struct regbuf b;
	memset(&b, 0, sizeof(b));
	assert_int_equal(f->os.ops->regions(&f->os, lo, hi, reg_cb, &b), 0);
	assert_string_equal(b.s, want);
}

/* ------------------------------------------------------------------ */
/* go1.24: bloc/blocMax and the free list                              */
/* ------------------------------------------------------------------ */

/* First fit from the high end, exact fits, coalescing, top frees. */
static void test_plan9_freelist(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "plan9/386", "1.24", "module_end", "0x12345", NULL);
	struct hg_sbrk_counts c = fx_counts(&f);
	assert_int_equal(c.image_end, 0x13000);
	assert_int_equal(c.bloc, 0x13000);
	assert_int_equal(c.bloc_max, 0x13000);
	assert_int_equal(c.linear_memory, 0x13000);
	assert_int_equal(f.os.image_end, 0x13000);
	assert_regions(&f, 0, UINT64_MAX, "");

	assert_int_equal(fx_alloc(&f, 0x3000), 0x13000); /* A */
	assert_int_equal(fx_alloc(&f, 0x2000), 0x16000); /* B */
	assert_int_equal(fx_alloc(&f, 0x4000), 0x18000); /* C */
	assert_int_equal(fx_alloc(&f, 0x1000), 0x1c000); /* D */
	assert_int_equal(f.calls.sbrk, 4);
	assert_int_equal(f.calls.grow_memory, 0);
	c = fx_counts(&f);
	assert_int_equal(c.bloc, 0x1d000);
	assert_int_equal(c.bloc_max, 0x1d000);
	assert_int_equal(c.committed, 0xa000);
	assert_int_equal(f.os.committed, 0xa000);
	assert_int_equal(
		hg_vas_bytes(&f.os.vas, 0x13000, 0x1d000, HG_MEM_READY),
		0xa000);

	fx_free(&f, 0x13000, 0x3000); /* A: not at the top */
	fx_free(&f, 0x18000, 0x4000); /* C */
	assert_regions(&f, 0, UINT64_MAX,
		       "sbrk_free:13000-16000 sbrk_free:18000-1c000");
	assert_int_equal(fx_counts(&f).sbrk_free, 0x7000);

	/* First fit in address order, cut from the block's high end. */
	assert_int_equal(fx_alloc(&f, 0x1000), 0x15000);
	/* Too small first block: the next one, again from its top. */
	assert_int_equal(fx_alloc(&f, 0x3000), 0x19000);
	/* An exact fit unlinks the block. */
	assert_int_equal(fx_alloc(&f, 0x2000), 0x13000);
	assert_regions(&f, 0, UINT64_MAX, "sbrk_free:18000-19000");
	assert_int_equal(f.calls.sbrk, 4);

	/* Coalescing on both sides. */
	fx_free(&f, 0x15000, 0x1000);
	assert_regions(&f, 0, UINT64_MAX,
		       "sbrk_free:15000-16000 sbrk_free:18000-19000");
	fx_free(&f, 0x16000, 0x2000); /* B joins both neighbours */
	assert_regions(&f, 0, UINT64_MAX, "sbrk_free:15000-19000");
	c = fx_counts(&f);
	assert_int_equal(c.free_blocks, 1);
	assert_int_equal(c.sbrk_free, 0x4000);

	/* A free at bloc lowers bloc; blocMax never moves down. */
	fx_free(&f, 0x1c000, 0x1000); /* D */
	c = fx_counts(&f);
	assert_int_equal(c.bloc, 0x1c000);
	assert_int_equal(c.bloc_max, 0x1d000);
	assert_int_equal(c.unused, 0x1000);
	fx_free(&f, 0x19000, 0x3000); /* now at the top too */
	c = fx_counts(&f);
	assert_int_equal(c.bloc, 0x19000);
	assert_int_equal(c.bloc_max, 0x1d000);
	assert_int_equal(c.linear_memory, 0x1d000);
	/* The free block touching bloc stays on the list. */
	assert_regions(&f, 0, UINT64_MAX,
		       "sbrk_free:15000-19000 unused:19000-1d000");

	/* The list comes before bloc, and bloc before a new brk. */
	assert_int_equal(fx_alloc(&f, 0x2000), 0x17000);
	assert_int_equal(fx_alloc(&f, 0x3000), 0x19000);
	assert_int_equal(f.calls.sbrk, 4);
	/* Too big for what is left on the list: past blocMax, one brk. */
	assert_int_equal(fx_alloc(&f, 0x3000), 0x1c000);
	assert_int_equal(f.calls.sbrk, 5);
	c = fx_counts(&f);
	assert_int_equal(c.bloc, 0x1f000);
	assert_int_equal(c.bloc_max, 0x1f000);
	assert_int_equal(c.unused, 0);
	assert_int_equal(fx_alloc(&f, 0x1000), 0x16000);
	assert_regions(&f, 0x10000, 0x20000, "sbrk_free:15000-16000");
	/* Clipping to the window. */
	assert_regions(&f, 0x15800, 0x15c00, "sbrk_free:15800-15c00");
	hg_os_release(&f.os);
}

/* sysReserveOS: extend at bloc, memAlloc without a hint, else nothing. */
static void test_reserve_hints(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "plan9/386", "1.24", "module_end", "0x12345", NULL);
	assert_int_equal(fx_reserve(&f, 0x13000, 0x2000), 0x13000);
	assert_int_equal(
		hg_vas_bytes(&f.os.vas, 0x13000, 0x15000, HG_MEM_RESERVED),
		0x2000);
	assert_int_equal(fx_reserve(&f, 0x40000000, 0x2000), 0);
	assert_int_equal(fx_reserve(&f, 0, 0x1000), 0x15000);
	fx_free(&f, 0x13000, 0x2000);
	/* A hint at bloc extends even with a free block that fits. */
	assert_int_equal(fx_reserve(&f, 0x16000, 0x1000), 0x16000);
	assert_int_equal(fx_reserve(&f, 0, 0x1000), 0x14000);
	/* map sets Prepared; used and unused do nothing. */
	assert_int_equal(f.os.ops->map(&f.os, 0x14000, 0x1000), HG_OK);
	assert_int_equal(
		hg_vas_bytes(&f.os.vas, 0x14000, 0x15000, HG_MEM_PREPARED),
		0x1000);
	assert_int_equal(f.os.ops->used(&f.os, 0x14000, 0x1000, 0x1000), HG_OK);
	f.os.ops->unused(&f.os, 0x14000, 0x1000);
	fx_check(&f);
	hg_os_release(&f.os);

	/* go1.11-1.13 gave a free-list address for a hint it could not use. */
	fx_init(&f, "plan9/amd64", "1.12", "module_end", "0x12345", NULL);
	assert_int_equal(fx_reserve(&f, 0xc000000000, 0x10000), 0x13000);
	hg_os_release(&f.os);
	fx_init(&f, "plan9/amd64", "1.14", "module_end", "0x12345", NULL);
	assert_int_equal(fx_reserve(&f, 0xc000000000, 0x10000), 0);
	assert_int_equal(f.calls.sbrk, 0);
	hg_os_release(&f.os);
}

/* wasm go1.24: blocMax starts at the initial memory, grows by need. */
static void test_wasm_go124(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "js/wasm", "1.24", "module_end", "0x1a0000", NULL);
	struct hg_sbrk_counts c = fx_counts(&f);
	/* Linker: floor((end + 1 MiB) / 64K) pages. */
	assert_int_equal(c.linear_memory, 0x2a0000);
	assert_int_equal(c.bloc, 0x1a0000);
	assert_int_equal(c.bloc_max, 0x2a0000);
	assert_int_equal(c.unused, 0x100000);
	assert_regions(&f, 0, UINT64_MAX, "unused:1a0000-2a0000");

	/* The initial memory is used first, without memory.grow. */
	assert_int_equal(fx_alloc(&f, 0x100000), 0x1a0000);
	assert_int_equal(f.calls.grow_memory, 0);
	assert_int_equal(fx_counts(&f).unused, 0);
	/* Then memory.grow by exactly the pages needed. */
	assert_int_equal(fx_alloc(&f, 0x30000), 0x2a0000);
	assert_int_equal(f.calls.grow_memory, 1);
	assert_int_equal(f.calls.sbrk, 0);
	assert_int_equal(fx_counts(&f).linear_memory, 0x2d0000);
	/* A top free keeps the memory; it is reused without growing. */
	fx_free(&f, 0x2a0000, 0x30000);
	c = fx_counts(&f);
	assert_int_equal(c.bloc, 0x2a0000);
	assert_int_equal(c.bloc_max, 0x2d0000);
	assert_int_equal(c.linear_memory, 0x2d0000);
	assert_int_equal(c.unused, 0x30000);
	assert_int_equal(fx_alloc(&f, 0x20000), 0x2a0000);
	assert_int_equal(f.calls.grow_memory, 1);
	assert_int_equal(fx_alloc(&f, 0x20000), 0x2c0000);
	assert_int_equal(f.calls.grow_memory, 2);
	c = fx_counts(&f);
	assert_int_equal(c.linear_memory, 0x2e0000);
	assert_int_equal(c.bloc_max, 0x2e0000);
	assert_int_equal(c.committed, 0x2e0000 - 0x1a0000);
	/* Sizes round to 64K pages. */
	assert_int_equal(fx_alloc(&f, 1), 0x2e0000);
	assert_int_equal(fx_counts(&f).bloc, 0x2f0000);
	hg_os_release(&f.os);
}

/* Go's hello world on go1.24/1.25 ends with exactly 8 MiB of memory. */
static void test_wasm_hello_world(void **state)
{
	(void)state;
	struct fx f;
	uint64_t got = 0;
	fx_init(&f, "js/wasm", "1.24", "module_end", "0x1a0000", NULL);
	/* Page-allocator metadata: "4 pages and 1 page". */
	assert_int_equal(fx_alloc(&f, 4 * 64 * KiB), 0x1a0000);
	assert_int_equal(fx_reserve(&f, 0, 12 * KiB), 0x1e0000);
	assert_int_equal(f.calls.grow_memory, 0);
	/* The arena at alignUp(bloc, 4 MiB); the gap goes to the list. */
	assert_true(f.os.ops->aligned_sbrk(&f.os));
	assert_int_equal(fx_aligned(&f, 4 * MiB, 4 * MiB, &got), 0x400000);
	assert_int_equal(got, 4 * MiB);
	assert_int_equal(
		hg_vas_bytes(&f.os.vas, 0x400000, 0x800000, HG_MEM_RESERVED),
		4 * MiB);
	assert_int_equal(f.calls.grow_memory, 1);
	assert_regions(&f, 0, UINT64_MAX, "sbrk_free:1f0000-400000");
	/* Later metadata (chunk bitmap, persistentalloc) reuses the gap. */
	assert_int_equal(fx_alloc(&f, 128 * KiB), 0x3e0000);
	assert_int_equal(fx_alloc(&f, 256 * KiB), 0x3a0000);
	struct hg_sbrk_counts c = fx_counts(&f);
	assert_int_equal(c.linear_memory, 8 * MiB);
	assert_int_equal(c.bloc, 8 * MiB);
	assert_int_equal(c.unused, 0);
	assert_int_equal(c.sbrk_free, 0x1b0000);
	assert_int_equal(f.calls.grow_memory, 1);
	hg_os_release(&f.os);
}

/* sysReserveAlignedSbrk takes an aligned piece of a free block first. */
static void test_aligned_go124_from_list(void **state)
{
	(void)state;
	struct fx f;
	uint64_t got = 0;
	fx_init(&f, "plan9/386", "1.24", "module_end", "0x12345", NULL);
	assert_int_equal(fx_alloc(&f, 12 * MiB), 0x13000);
	assert_int_equal(fx_alloc(&f, 0x1000), 0xc13000);
	fx_free(&f, 0x13000, 12 * MiB);
	unsigned long brks = f.calls.sbrk;
	assert_int_equal(fx_aligned(&f, 4 * MiB, 4 * MiB, &got), 0x800000);
	assert_int_equal(got, 4 * MiB);
	assert_int_equal(f.calls.sbrk, brks);
	/* The head rejoins the rest of the block; the tail is listed. */
	assert_regions(&f, 0, UINT64_MAX,
		       "sbrk_free:13000-800000 sbrk_free:c00000-c13000");
	/* Nothing fits: align bloc up and send the gap to the list. */
	assert_int_equal(fx_aligned(&f, 8 * MiB, 4 * MiB, &got), 0x1000000);
	assert_int_equal(got, 8 * MiB);
	assert_regions(&f, 0, UINT64_MAX,
		       "sbrk_free:13000-800000 sbrk_free:c00000-c13000 "
		       "sbrk_free:c14000-1000000");
	struct hg_sbrk_counts c = fx_counts(&f);
	assert_int_equal(c.bloc, 0x1800000);
	assert_int_equal(c.bloc_max, 0x1800000);
	hg_os_release(&f.os);
}

/* ------------------------------------------------------------------ */
/* go1.21                                                              */
/* ------------------------------------------------------------------ */

/* wasm go1.21-1.23: memory.grow on every sbrk; initial memory unused. */
static void test_wasm_go121(void **state)
{
	(void)state;
	struct fx f;
	uint64_t got = 0;
	fx_init(&f, "js/wasm", "1.21", "module_end", "0x1a0000", NULL);
	struct hg_sbrk_counts c = fx_counts(&f);
	/* Linker: data end + 16 MiB. */
	assert_int_equal(c.linear_memory, 0x11a0000);
	assert_int_equal(c.unused, 16 * MiB);
	assert_false(f.os.ops->aligned_sbrk(&f.os));

	/* sbrk returns the old end of memory, never the initial memory. */
	assert_int_equal(fx_alloc(&f, 0x30000), 0x11a0000);
	assert_int_equal(f.calls.grow_memory, 1);
	assert_int_equal(fx_alloc(&f, 0x10000), 0x11d0000);
	assert_int_equal(f.calls.grow_memory, 2);
	c = fx_counts(&f);
	assert_int_equal(c.linear_memory, 0x11e0000);
	assert_int_equal(c.bloc, 0x1a0000);
	assert_int_equal(c.unused, 16 * MiB);
	/* Even the topmost block goes to the free list. */
	fx_free(&f, 0x11d0000, 0x10000);
	assert_regions(&f, 0, UINT64_MAX,
		       "unused:1a0000-11a0000 sbrk_free:11d0000-11e0000");
	assert_int_equal(fx_alloc(&f, 0x10000), 0x11d0000);
	assert_int_equal(f.calls.grow_memory, 2);
	fx_free(&f, 0x11a0000, 0x30000);
	assert_int_equal(fx_alloc(&f, 0x40000), 0x11e0000);
	assert_int_equal(f.calls.grow_memory, 3);
	/* A hint at bloc still calls sbrk, which lands elsewhere. */
	assert_int_equal(fx_reserve(&f, 0x1a0000, 0x10000), 0x1220000);
	fx_free(&f, 0x1220000, 0x10000);

	/* sysReserve(nil, 8 MiB) = memAlloc; head and tail to the list. */
	assert_int_equal(fx_aligned(&f, 4 * MiB, 4 * MiB, &got), 0x1400000);
	assert_int_equal(got, 4 * MiB);
	assert_int_equal(f.calls.grow_memory, 5);
	assert_regions(&f, 0, UINT64_MAX,
		       "unused:1a0000-11a0000 sbrk_free:11a0000-11d0000 "
		       "sbrk_free:1220000-1400000 sbrk_free:1800000-1a30000");
	c = fx_counts(&f);
	assert_int_equal(c.linear_memory, 0x1a30000);
	assert_int_equal(c.sbrk_free, 0x30000 + 0x1e0000 + 0x230000);
	hg_os_release(&f.os);
}

/* An over-reservation that happens to be aligned is kept whole. */
static void test_wasm_go121_aligned_whole(void **state)
{
	(void)state;
	struct fx f;
	uint64_t got = 0;
	fx_init(&f, "js/wasm", "1.21", "module_end", "0x1a0000",
		"initial_memory", "4M", NULL);
	assert_int_equal(fx_aligned(&f, 4 * MiB, 4 * MiB, &got), 0x400000);
	assert_int_equal(got, 8 * MiB);
	assert_int_equal(fx_counts(&f).linear_memory, 12 * MiB);
	assert_regions(&f, 0, UINT64_MAX, "unused:1a0000-400000");
	hg_os_release(&f.os);
}

/* plan9 go1.5-1.10: brk on every sbrk, hints ignored, no top frees. */
static void test_plan9_go110(void **state)
{
	(void)state;
	struct fx f;
	uint64_t got = 0;
	fx_init(&f, "plan9/386", "1.10", "module_end", "0x12345", NULL);
	assert_int_equal(f.cfg.policy_sbrk, HG_SBRK_GO121);
	assert_int_equal(f.cfg.policy_sbrk_free, HG_SBRK_FREE_FREELIST);
	assert_int_equal(fx_alloc(&f, 0x2000), 0x13000);
	assert_int_equal(fx_alloc(&f, 0x1000), 0x15000);
	assert_int_equal(f.calls.sbrk, 2);
	fx_free(&f, 0x15000, 0x1000); /* at the top, yet listed */
	struct hg_sbrk_counts c = fx_counts(&f);
	assert_int_equal(c.bloc, 0x16000);
	assert_int_equal(c.linear_memory, 0x16000);
	assert_int_equal(c.unused, 0);
	assert_regions(&f, 0, UINT64_MAX, "sbrk_free:15000-16000");
	/* sysReserve ignores its hint: memAlloc. */
	assert_int_equal(fx_reserve(&f, 0x400000, 0x1000), 0x15000);
	assert_int_equal(fx_reserve(&f, 0x400000, 0x1000), 0x16000);
	assert_int_equal(f.calls.sbrk, 3);
	/* 4 KiB _PAGESIZE rounding before go1.21. */
	fx_free(&f, 0x13000, 0x2000);
	assert_int_equal(fx_aligned(&f, 0x10000, 0x10000, &got), 0x20000);
	assert_int_equal(got, 0x10000);
	assert_regions(&f, 0, UINT64_MAX,
		       "sbrk_free:13000-15000 sbrk_free:17000-20000 "
		       "sbrk_free:30000-37000");
	hg_os_release(&f.os);
}

/* ------------------------------------------------------------------ */
/* top-only (before fb75f856df)                                        */
/* ------------------------------------------------------------------ */

static void test_plan9_top_only(void **state)
{
	(void)state;
	struct fx f;
	uint64_t got = 0;
	fx_init(&f, "plan9/386", "1.4", "module_end", "0x12345", NULL);
	assert_int_equal(f.cfg.policy_sbrk_free, HG_SBRK_FREE_TOP_ONLY);
	assert_int_equal(fx_alloc(&f, 0x2000), 0x13000); /* A */
	assert_int_equal(fx_alloc(&f, 0x1000), 0x15000); /* B */
	assert_int_equal(fx_alloc(&f, 0x3000), 0x16000); /* C */
	fx_free(&f, 0x13000, 0x2000);                    /* leaks */
	assert_regions(&f, 0, UINT64_MAX, "stranded:13000-15000");
	fx_free(&f, 0x16000, 0x3000); /* the top: bloc moves down */
	struct hg_sbrk_counts c = fx_counts(&f);
	assert_int_equal(c.bloc, 0x16000);
	assert_int_equal(c.linear_memory, 0x19000);
	assert_int_equal(c.unused, 0x3000);
	assert_int_equal(c.stranded, 0x2000);
	/* sbrk at bloc, calling brk every time (3 + 1). */
	assert_int_equal(fx_alloc(&f, 0x1000), 0x16000);
	assert_int_equal(f.calls.sbrk, 4);
	fx_free(&f, 0x15000, 0x1000); /* B leaks, next to A */
	fx_free(&f, 0x16000, 0x1000); /* top again */
	/* bloc does not fall through leaked space. */
	assert_regions(&f, 0, UINT64_MAX,
		       "stranded:13000-16000 unused:16000-19000");
	/* sysReserve ignores the hint and is plain sbrk. */
	assert_int_equal(fx_reserve(&f, 0x400000, 0x1000), 0x16000);
	/* Aligned: over-reserve; the head leaks, the tail lowers bloc. */
	assert_int_equal(fx_aligned(&f, 0x10000, 0x10000, &got), 0x20000);
	assert_int_equal(got, 0x10000);
	c = fx_counts(&f);
	assert_int_equal(c.bloc, 0x30000);
	assert_int_equal(c.linear_memory, 0x37000);
	assert_regions(&f, 0, UINT64_MAX,
		       "stranded:13000-16000 stranded:17000-20000 "
		       "unused:30000-37000");
	hg_os_release(&f.os);
}

/* top-only with go1.24's sbrk: no list, the aligned gap is wasted. */
static void test_top_only_go124(void **state)
{
	(void)state;
	struct fx f;
	uint64_t got = 0;
	fx_init(&f, "plan9/386", "1.24", "module_end", "0x12345",
		"policy.sbrk_free", "top-only", NULL);
	assert_int_equal(fx_alloc(&f, 0x2000), 0x13000);
	assert_int_equal(fx_alloc(&f, 0x2000), 0x15000);
	fx_free(&f, 0x13000, 0x2000);
	assert_int_equal(fx_alloc(&f, 0x2000), 0x17000); /* no reuse */
	assert_int_equal(fx_aligned(&f, 0x10000, 0x10000, &got), 0x20000);
	assert_int_equal(got, 0x10000);
	assert_regions(&f, 0, UINT64_MAX,
		       "stranded:13000-15000 stranded:19000-20000");
	assert_int_equal(fx_counts(&f).sbrk_free, 0);
	hg_os_release(&f.os);
}

/* ------------------------------------------------------------------ */
/* go1.19: mem_js.go                                                   */
/* ------------------------------------------------------------------ */

static void test_wasm_go119(void **state)
{
	(void)state;
	struct fx f;
	uint64_t got = 0;
	fx_init(&f, "js/wasm", "1.19", "module_end", "0x1a0000", NULL);
	struct hg_sbrk_counts c = fx_counts(&f);
	assert_int_equal(c.linear_memory, 0x11a0000);
	/* The bump pointer uses the initial memory. */
	assert_int_equal(fx_alloc(&f, 0x30000), 0x1a0000);
	assert_int_equal(f.calls.grow_memory, 0);
	/* Freed memory is never reused. */
	fx_free(&f, 0x1a0000, 0x30000);
	assert_int_equal(fx_alloc(&f, 0x10000), 0x1d0000);
	c = fx_counts(&f);
	assert_int_equal(c.stranded, 0x30000);
	assert_int_equal(c.sbrk_free, 0);
	assert_int_equal(c.bloc, 0x1e0000);
	/* Any hint fails, even at the bump pointer. */
	assert_int_equal(fx_reserve(&f, 0x1e0000, 0x10000), 0);
	/* Growth only past memory.size, by the pages missing. */
	assert_int_equal(fx_alloc(&f, 16 * MiB), 0x1e0000);
	assert_int_equal(f.calls.grow_memory, 1);
	assert_int_equal(fx_counts(&f).linear_memory, 0x11e0000);
	/* Aligned: bump size+align; unaligned head and tail are wasted. */
	assert_int_equal(fx_aligned(&f, 4 * MiB, 4 * MiB, &got), 0x1400000);
	assert_int_equal(got, 4 * MiB);
	assert_regions(&f, 0x1000000, UINT64_MAX,
		       "stranded:11e0000-1400000 stranded:1800000-19e0000");
	c = fx_counts(&f);
	assert_int_equal(c.linear_memory, 0x19e0000);
	assert_int_equal(c.unused, 0);
	assert_int_equal(c.stranded, 0x30000 + 0x220000 + 0x1e0000);
	hg_os_release(&f.os);

	/* Already aligned: all size+align bytes are kept. */
	fx_init(&f, "js/wasm", "1.19", "module_end", "4M", NULL);
	assert_int_equal(fx_aligned(&f, 4 * MiB, 4 * MiB, &got), 0x400000);
	assert_int_equal(got, 8 * MiB);
	assert_int_equal(
		hg_vas_bytes(&f.os.vas, 0x400000, 0xc00000, HG_MEM_RESERVED),
		8 * MiB);
	hg_os_release(&f.os);
}

/* ------------------------------------------------------------------ */
/* Generic aligned reservation on Plan 9 before go1.24                 */
/* ------------------------------------------------------------------ */

static void test_plan9_aligned_generic(void **state)
{
	(void)state;
	struct fx f;
	uint64_t got = 0;
	fx_init(&f, "plan9/amd64", "1.19", "module_end", "0x12345", NULL);
	assert_int_equal(f.cfg.policy_sbrk, HG_SBRK_GO124);
	assert_false(f.os.ops->aligned_sbrk(&f.os));
	assert_int_equal(fx_aligned(&f, 64 * MiB, 64 * MiB, &got), 0x4000000);
	assert_int_equal(got, 64 * MiB);
	struct hg_sbrk_counts c = fx_counts(&f);
	/* The tail was at bloc: bloc moves down, the break stays. */
	assert_int_equal(c.bloc, 0x8000000);
	assert_int_equal(c.bloc_max, 0x8013000);
	assert_regions(&f, 0, UINT64_MAX,
		       "sbrk_free:13000-4000000 unused:8000000-8013000");
	hg_os_release(&f.os);
}

/* ------------------------------------------------------------------ */
/* Limits and the checker                                              */
/* ------------------------------------------------------------------ */

static void test_limits(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "plan9/386", "1.24", "module_end", "0x12345",
		"commit_limit", "0x10000", NULL);
	assert_int_equal(fx_alloc(&f, 0x10000), 0x13000);
	assert_int_equal(fx_alloc(&f, 0x1000), 0); /* over the limit */
	struct hg_sbrk_counts c = fx_counts(&f);
	assert_int_equal(c.bloc, 0x23000);
	assert_int_equal(c.committed, 0x10000);
	hg_os_release(&f.os);

	/* A foreign mapping above the break stops its growth. */
	fx_init(&f, "plan9/386", "1.24", "module_end", "0x12345", NULL);
	assert_true(f.os.ops->outside_break(&f.os, 0x20000, 0x21000));
	assert_false(f.os.ops->outside_break(&f.os, 0x12000, 0x21000));
	assert_int_equal(hg_os_foreign_map(&f.os, 0x20000, 0x1000), 0x20000);
	fx_check(&f);
	hg_addr top = hg_os_foreign_map(&f.os, 0, 0x1000);
	assert_int_equal(top, 0xfffff000);
	fx_check(&f);
	assert_int_equal(fx_alloc(&f, 0xd000), 0x13000);
	assert_int_equal(fx_alloc(&f, 0x1000), 0);
	assert_int_equal(fx_counts(&f).bloc, 0x20000);
	hg_os_release(&f.os);

	/* The checker sees a free of memory the runtime does not hold. */
	fx_init(&f, "js/wasm", "1.24", NULL);
	char err[256] = "";
	f.os.ops->free(&f.os, 0x5000000, 0x10000);
	assert_int_equal(f.os.ops->check(&f.os, err, sizeof(err)), HG_EINVAL);
	assert_non_null(strstr(err, "does not hold"));
	hg_os_release(&f.os);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan9_freelist),
		cmocka_unit_test(test_reserve_hints),
		cmocka_unit_test(test_wasm_go124),
		cmocka_unit_test(test_wasm_hello_world),
		cmocka_unit_test(test_aligned_go124_from_list),
		cmocka_unit_test(test_wasm_go121),
		cmocka_unit_test(test_wasm_go121_aligned_whole),
		cmocka_unit_test(test_plan9_go110),
		cmocka_unit_test(test_plan9_top_only),
		cmocka_unit_test(test_top_only_go124),
		cmocka_unit_test(test_wasm_go119),
		cmocka_unit_test(test_plan9_aligned_generic),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
