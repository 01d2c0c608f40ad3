/*
 * test_os.c - the simulated address space and the Linux and Windows
 * backends: placement, hints, granularity, commit charging, release rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "os.h"

#define MiB (1024ull * 1024)

static void os_for(struct hg_os *os, struct hg_os_calls *calls,
		   const char *platform, const char *limit)
{
	struct hg_config cfg;
	char err[128];
	hg_config_init(&cfg);
	assert_int_equal(
		hg_config_set(&cfg, "platform", platform, err, sizeof(err)), 0);
	if (limit)
		assert_int_equal(hg_config_set(&cfg, "commit_limit", limit, err,
					       sizeof(err)),
				 0);
	memset(calls, 0, sizeof(*calls));
	assert_int_equal(hg_os_init(os, &cfg, calls), 0);
}

static void test_vas_placement(void **state)
{
	(void)state;
	struct hg_vas s;
	hg_vas_init(&s, 0x10000, 1ull << 32, 0xf7fff000, 4096, 4096,
		    HG_PLACE_TOPDOWN);
	/* A free hint is honoured. */
	assert_int_equal(hg_vas_place(&s, 0x40000000, 1 * MiB), 0x40000000);
	struct hg_vma m = {
		0x40000000,      0x40100000, 0x40000000, HG_OWN_RUNTIME,
		HG_MEM_RESERVED, 0,          0
	};
	assert_int_equal(hg_vas_insert(&s, &m), 0);
	/* A taken hint: top-down below mmap_base. */
	assert_int_equal(hg_vas_place(&s, 0x40000000, 1 * MiB),
			 0xf7fff000 - 1 * MiB);
	struct hg_vma t = {
		0xf7eff000,   0xf7fff000, 0xf7eff000, HG_OWN_FOREIGN,
		HG_MEM_READY, 0,          0
	};
	assert_int_equal(hg_vas_insert(&s, &t), 0);
	assert_int_equal(hg_vas_place(&s, 0, 1 * MiB), 0xf7dff000);
	/* Overlapping inserts are refused. */
	assert_int_not_equal(hg_vas_insert(&s, &m), 0);
	/* Too big for any gap. */
	assert_int_equal(hg_vas_place(&s, 0, 5000 * MiB), 0);
	hg_vas_release(&s);

	hg_vas_init(&s, 0x10000, 1ull << 31, 0, 4096, 64 << 10,
		    HG_PLACE_BOTTOMUP);
	assert_int_equal(hg_vas_place(&s, 0, 4096), 0x10000);
	/* An unaligned hint is not honoured with 64 KiB granularity. */
	assert_int_equal(hg_vas_place(&s, 0x401000, 4096), 0x10000);
	hg_vas_release(&s);
}

static void test_vas_split_merge(void **state)
{
	(void)state;
	struct hg_vas s;
	hg_vas_init(&s, 0x10000, 1ull << 32, 0xf7fff000, 4096, 4096,
		    HG_PLACE_TOPDOWN);
	struct hg_vma m = { 0x100000,        0x500000, 0x100000, HG_OWN_RUNTIME,
			    HG_MEM_RESERVED, 0,        0 };
	hg_vas_insert(&s, &m);
	hg_vas_set(&s, 0x200000, 0x300000, HG_MEM_PREPARED, -1);
	assert_int_equal(s.n, 3);
	assert_int_equal(hg_vas_bytes(&s, 0, 1ull << 32, HG_MEM_PREPARED),
			 1 * MiB);
	/* Setting it back merges the pieces again. */
	hg_vas_set(&s, 0x200000, 0x300000, HG_MEM_RESERVED, -1);
	assert_int_equal(s.n, 1);
	/* Removing the middle leaves two pieces. */
	hg_vas_remove(&s, 0x200000, 0x300000);
	assert_int_equal(s.n, 2);
	assert_true(hg_vas_free_range(&s, 0x200000, 0x300000));
	assert_null(hg_vas_find(&s, 0x2fffff));
	assert_int_equal(hg_vas_find(&s, 0x300000)->base, 0x300000);
	hg_vas_release(&s);
}

/* Linux: mapping charges commit, used/unused do not. */
static void test_linux_commit(void **state)
{
	(void)state;
	struct hg_os os;
	struct hg_os_calls calls;
	os_for(&os, &calls, "linux/amd64", "8M");
	hg_addr v = os.ops->reserve(&os, 0xc000000000ull, 64 * MiB);
	assert_int_equal(v, 0xc000000000ull);
	assert_int_equal(os.committed, 0);
	assert_int_equal(os.ops->map(&os, v, 4 * MiB), 0);
	assert_int_equal(os.committed, 4 * MiB);
	assert_int_equal(os.ops->used(&os, v, 4 * MiB, 4 * MiB), 0);
	os.ops->unused(&os, v, 4 * MiB);
	assert_int_equal(os.committed, 4 * MiB);
	/* Past the limit, mmap fails: the runtime's out of memory. */
	assert_int_equal(os.ops->map(&os, v + 4 * MiB, 8 * MiB), HG_EOOM);
	assert_int_equal(os.ops->alloc(&os, 8 * MiB), 0);
	/* munmap may free any part. */
	os.ops->free(&os, v, 2 * MiB);
	assert_int_equal(os.committed, 2 * MiB);
	hg_os_release(&os);
}

/* Windows: commit at sysUsed, decommit at sysUnused, whole releases only. */
static void test_windows_commit(void **state)
{
	(void)state;
	struct hg_os os;
	struct hg_os_calls calls;
	os_for(&os, &calls, "windows/amd64", "8M");
	hg_addr v = os.ops->reserve(&os, 0xc000000000ull, 64 * MiB);
	assert_int_equal(os.ops->map(&os, v, 16 * MiB), 0);
	assert_int_equal(os.committed, 0);
	assert_int_equal(os.ops->used(&os, v, 4 * MiB, 4 * MiB), 0);
	assert_int_equal(os.committed, 4 * MiB);
	assert_int_equal(os.ops->used(&os, v, 8 * MiB, 8 * MiB), HG_EOOM);
	os.ops->unused(&os, v, 4 * MiB);
	assert_int_equal(os.committed, 0);
	/* A taken hint falls back to any address, 64 KiB aligned. */
	hg_addr w = os.ops->reserve(&os, v, 1 * MiB);
	assert_true(w != 0 && w != v);
	assert_int_equal(w % (64 << 10), 0);
	/* Freeing any address of a reservation releases all of it. */
	os.ops->free(&os, v + 32 * MiB, 1);
	assert_true(hg_vas_free_range(&os.vas, v, v + 64 * MiB));
	hg_os_release(&os);
}

static void test_program_image(void **state)
{
	(void)state;
	struct hg_os os;
	struct hg_os_calls calls;
	os_for(&os, &calls, "linux/386", NULL);
	const struct hg_vma *v = hg_vas_find(&os.vas, 0x8048000);
	assert_non_null(v);
	assert_int_equal(v->owner, HG_OWN_FOREIGN);
	assert_int_equal(os.image_end, 0x8048000 + 1 * MiB);
	hg_os_release(&os);
}

/* Go: sysReserveAligned on Linux: over-reserve, trim head and tail. */
static void test_reserve_aligned_linux(void **state)
{
	(void)state;
	struct hg_os os;
	struct hg_os_calls calls;
	hg_addr p = 0;
	uint64_t got = 0;
	os_for(&os, &calls, "linux/amd64", NULL);
	/* A free, aligned hint: the over-reservation is kept whole. */
	assert_int_equal(hg_os_reserve_aligned(&os, 0xc000000000ull, 64 * MiB,
					       64 * MiB, &p, &got),
			 HG_OK);
	assert_int_equal(p, 0xc000000000ull);
	assert_int_equal(got, 128 * MiB);
	assert_int_equal(calls.reserve, 1);
	assert_int_equal(calls.free, 0);
	/* Anywhere: top-down below mmap_base, unaligned, trimmed twice. */
	hg_addr top = os.vas.mmap_base;
	assert_int_equal(
		hg_os_reserve_aligned(&os, 0, 64 * MiB, 64 * MiB, &p, &got),
		HG_OK);
	assert_int_equal(p, HG_ALIGN_DOWN(top, 64 * MiB) - 64 * MiB);
	assert_int_equal(got, 64 * MiB);
	assert_int_equal(calls.reserve, 2);
	assert_int_equal(calls.free, 2);
	assert_int_equal(hg_vas_bytes(&os.vas, p - 64 * MiB, top, -1),
			 64 * MiB);
	assert_int_equal(
		hg_vas_bytes(&os.vas, p, p + 64 * MiB, HG_MEM_RESERVED),
		64 * MiB);
	hg_os_release(&os);
}

/* Windows cannot trim: release, then reserve the aligned part again. */
static void test_reserve_aligned_windows(void **state)
{
	(void)state;
	struct hg_os os;
	struct hg_os_calls calls;
	hg_addr p = 0;
	uint64_t got = 0;
	os_for(&os, &calls, "windows/amd64", NULL);
	assert_int_equal(
		hg_os_reserve_aligned(&os, 0, 64 * MiB, 64 * MiB, &p, &got),
		HG_OK);
	assert_int_not_equal(p, 0);
	assert_int_equal(p % (64 * MiB), 0);
	assert_int_equal(got, 64 * MiB);
	assert_int_equal(calls.reserve, 2);
	assert_int_equal(calls.unreserve, 1);
	assert_int_equal(calls.free, 0);
	assert_int_equal(hg_vas_bytes(&os.vas, 0, os.vas.hi, HG_MEM_RESERVED),
			 64 * MiB);
	hg_os_release(&os);
}

/* A reserve that ignores its hint: Windows retries and gives up. */
static hg_addr reserve_anywhere(struct hg_os *os, hg_addr hint, uint64_t n)
{
	(void)hint;
	return hg_os_windows_ops.reserve(os, 0, n);
}

static void test_reserve_aligned_retries(void **state)
{
	(void)state;
	struct hg_os os;
	struct hg_os_calls calls;
	hg_addr p = 1;
	uint64_t got = 1;
	static const struct hg_os_ops ops = { .name = "anywhere",
					      .reserve = reserve_anywhere };
	os_for(&os, &calls, "windows/amd64", NULL);
	hg_os_set_ops(&os, &ops, NULL);
	assert_int_equal(
		hg_os_reserve_aligned(&os, 0, 64 * MiB, 64 * MiB, &p, &got),
		HG_EOOM);
	assert_int_equal(p, 0);
	assert_int_equal(got, 0);
	assert_int_equal(calls.reserve, 200);
	assert_int_equal(calls.unreserve, 200);
	assert_int_equal(hg_vas_bytes(&os.vas, 0, os.vas.hi, HG_MEM_RESERVED),
			 0);
	hg_os_release(&os);
}

/* A caller's table: its NULL entries are the platform's. */
static void test_set_ops_inherits(void **state)
{
	(void)state;
	struct hg_os os;
	struct hg_os_calls calls;
	int arg;
	static const struct hg_os_ops ops = { .reserve = reserve_anywhere };
	os_for(&os, &calls, "windows/amd64", NULL);
	assert_ptr_equal(os.ops, &hg_os_windows_ops);
	assert_ptr_equal(os.ops, hg_os_platform_ops(HG_PLAT_WINDOWS_386));
	hg_os_set_ops(&os, &ops, &arg);
	assert_ptr_equal(hg_os_arg(&os), &arg);
	assert_ptr_equal(os.ops->reserve, reserve_anywhere);
	assert_string_equal(os.ops->name, "windows");
	assert_ptr_equal(os.ops->map, hg_os_windows_ops.map);
	assert_ptr_equal(os.ops->free, hg_os_windows_ops.free);
	assert_null(os.ops->grow_memory);
	assert_null(os.ops->check);
	hg_os_release(&os);
	/* Every sbrk platform's table has the break's entries. */
	for (int p = 0; p < HG_PLAT_COUNT; p++) {
		const struct hg_os_ops *t =
			hg_os_platform_ops((enum hg_platform)p);
		bool sbrk = hg_platform_is_sbrk((enum hg_platform)p);
		assert_int_equal(t->grow_memory != NULL, sbrk);
		assert_int_equal(t->brk != NULL, sbrk);
		assert_int_equal(t->reserve_aligned != NULL, sbrk);
		assert_int_equal(t->counts != NULL, sbrk);
		assert_int_equal(t->regions != NULL, sbrk);
		assert_int_equal(t->check != NULL, sbrk);
		assert_non_null(t->reserve);
		assert_non_null(t->free);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vas_placement),
		cmocka_unit_test(test_vas_split_merge),
		cmocka_unit_test(test_linux_commit),
		cmocka_unit_test(test_windows_commit),
		cmocka_unit_test(test_program_image),
		cmocka_unit_test(test_reserve_aligned_linux),
		cmocka_unit_test(test_reserve_aligned_windows),
		cmocka_unit_test(test_reserve_aligned_retries),
		cmocka_unit_test(test_set_ops_inherits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
