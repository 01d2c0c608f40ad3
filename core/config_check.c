/*
 * config_check.c - the checks a configuration must pass: each value alone
 * (hg_config_set runs these as a key is set) and the relations between
 * keys (hg_config_check, once every setting has been applied, so that the
 * order in which keys are set never matters).
 *
 * Every failed relation names its keys, both in the message and in the
 * keys[] of hg_config_check_keys, so that the command can say where each
 * of them was set (README "Settings").
 */
#include "config_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Values alone                                                        */
/* ------------------------------------------------------------------ */

int hg_cfg_check_phys(uint64_t v, char *err, size_t errlen)
{
	if (!hg_is_pow2(v) || v < 4 * HG_KiB || v > 512 * HG_KiB)
		/* Go: minPhysPageSize, maxPhysPageSize, runtime/malloc.go */
		return hg_errorf(
			err, errlen, HG_EINVAL,
			"phys_page_size must be a power of two between "
			"4K and 512K");
	return HG_OK;
}

int hg_cfg_check_page(uint64_t v, char *err, size_t errlen)
{
	if (!hg_is_pow2(v) || v < 4 * HG_KiB || v > 64 * HG_KiB)
		return hg_errorf(
			err, errlen, HG_EINVAL,
			"page_size must be a power of two between 4K and 64K");
	return HG_OK;
}

int hg_cfg_check_huge(uint64_t v, char *err, size_t errlen)
{
	if (v != 0 && (!hg_is_pow2(v) || v < 4 * HG_KiB))
		return hg_errorf(err, errlen, HG_EINVAL,
				 "phys_huge_page_size must be 0 or a "
				 "power of two of at least 4K");
	return HG_OK;
}

/* A chunk holds at least 64 pages of the smallest page_size (4K). */
int hg_cfg_check_chunk(uint64_t v, char *err, size_t errlen)
{
	if (!hg_is_pow2(v) || v < 64 * 4 * HG_KiB)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "chunk_size must be a power of two of at "
				 "least 256K");
	return HG_OK;
}

int hg_cfg_check_arena(uint64_t v, char *err, size_t errlen)
{
	if (!hg_is_pow2(v) || v < 64 * 4 * HG_KiB)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "arena_size must be a power of two of at "
				 "least 256K");
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* Relations between keys                                              */
/* ------------------------------------------------------------------ */

/* A size as a config value: "64M" when it is a whole number of K, M, G
 * or T, bytes otherwise, so that a message shows what one would type. */
struct size_text {
	char s[32];
};

static struct size_text size_text(uint64_t v)
{
	static const char suffix[] = "KMGT";
	struct size_text t;
	int i = -1;

	while (v != 0 && i < 3 && (v & 1023) == 0) {
		v >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(t.s, sizeof(t.s), "%llu", (unsigned long long)v);
	else
		snprintf(t.s, sizeof(t.s), "%llu%c", (unsigned long long)v,
			 suffix[i]);
	return t;
}
#define SZ(v) (size_text(v).s)

/* The keys of the failed check, and its message. */
struct check {
	char *err;
	size_t errlen;
	const char **keys; /* two entries, or NULL */
};

HG_FORMAT(4, 5)
static int fail(const struct check *c, const char *k1, const char *k2,
		const char *fmt, ...)
{
	va_list ap;

	if (c->keys) {
		c->keys[0] = k1;
		c->keys[1] = k2;
	}
	va_start(ap, fmt);
	hg_verrorf(c->err, c->errlen, HG_EINVAL, fmt, ap);
	va_end(ap);
	return HG_EINVAL;
}

/* A value-alone check that hg_config_set has run already; again here for
 * a configuration built without it. */
static int alone(const struct check *c, const char *key, int rc)
{
	if (rc != HG_OK && c->keys) {
		c->keys[0] = key;
		c->keys[1] = NULL;
	}
	return rc;
}

int hg_config_check_keys(const struct hg_config *cfg, char *err, size_t errlen,
			 const char *keys[2])
{
	const struct check c = { err, errlen, keys };
	const char *plat;
	uint64_t space, init;
	unsigned n;
	int rc;

	if (err && errlen > 0)
		err[0] = '\0';
	if (keys)
		keys[0] = keys[1] = NULL;
	if ((unsigned)cfg->platform >= HG_PLAT_COUNT)
		return fail(&c, "platform", NULL, "unknown platform %d",
			    (int)cfg->platform);
	plat = hg_platform_name(cfg->platform);
	if (hg_go_parse(cfg->go, &n) != HG_OK)
		return fail(&c, "go", NULL, "unknown Go version '%.15s'",
			    cfg->go);
	if ((rc = alone(&c, "phys_page_size",
			hg_cfg_check_phys(cfg->phys_page_size, err, errlen))) !=
		    HG_OK ||
	    (rc = alone(&c, "page_size",
			hg_cfg_check_page(cfg->page_size, err, errlen))) !=
		    HG_OK ||
	    (rc = alone(&c, "phys_huge_page_size",
			hg_cfg_check_huge(cfg->phys_huge_page_size, err,
					  errlen))) != HG_OK ||
	    (rc = alone(&c, "chunk_size",
			hg_cfg_check_chunk(cfg->chunk_size, err, errlen))) !=
		    HG_OK ||
	    (rc = alone(&c, "arena_size",
			hg_cfg_check_arena(cfg->arena_size, err, errlen))) !=
		    HG_OK)
		return rc;
	if (cfg->address_bits < 24 || cfg->address_bits > 56)
		return fail(&c, "address_bits", NULL,
			    "address_bits must be a number between 24 and 56");

	/* Go's first releases for wasm: js/wasm in go1.11, wasip1 in go1.21. */
	if (cfg->platform == HG_PLAT_JS_WASM && n < 11)
		return fail(&c, "platform", "go",
			    "platform js/wasm needs go 1.11 or later, not %s",
			    cfg->go);
	if (cfg->platform == HG_PLAT_WASIP1_WASM && n < 21)
		return fail(&c, "platform", "go",
			    "platform wasip1/wasm needs go 1.21 or later, not "
			    "%s",
			    cfg->go);
	if (hg_platform_is_wasm(cfg->platform) &&
	    cfg->phys_page_size != 64 * HG_KiB)
		return fail(&c, "phys_page_size", "platform",
			    "phys_page_size (%s) must be 64K on platform %s "
			    "(wasm's page)",
			    SZ(cfg->phys_page_size), plat);
	/* Go: pallocBits is [pallocChunkPages/64]uint64 and the page cache
	 * takes 64-page blocks, so a chunk holds a multiple of 64 pages. */
	if (cfg->chunk_size < 64 * cfg->page_size)
		return fail(&c, "chunk_size", "page_size",
			    "chunk_size (%s) must hold at least 64 pages of "
			    "page_size (%s), %s",
			    SZ(cfg->chunk_size), SZ(cfg->page_size),
			    SZ(64 * cfg->page_size));
	if (cfg->arena_size < cfg->chunk_size)
		return fail(&c, "arena_size", "chunk_size",
			    "arena_size (%s) must be a multiple of chunk_size "
			    "(%s)",
			    SZ(cfg->arena_size), SZ(cfg->chunk_size));
	if (cfg->phys_huge_page_size != 0 &&
	    cfg->phys_huge_page_size < cfg->phys_page_size)
		return fail(&c, "phys_huge_page_size", "phys_page_size",
			    "phys_huge_page_size (%s) must be 0 or at least "
			    "phys_page_size (%s)",
			    SZ(cfg->phys_huge_page_size),
			    SZ(cfg->phys_page_size));
	if (cfg->phys_page_size > cfg->arena_size)
		return fail(&c, "phys_page_size", "arena_size",
			    "phys_page_size (%s) must not exceed arena_size "
			    "(%s)",
			    SZ(cfg->phys_page_size), SZ(cfg->arena_size));
	/* A 32-bit process (and wasm's 32-bit linear memory) addresses at
	 * most 4 GiB: more bits would place the image and arenas above it. */
	if ((!hg_platform_is_64bit(cfg->platform) ||
	     hg_platform_is_wasm(cfg->platform)) &&
	    cfg->address_bits > 32)
		return fail(&c, "address_bits", "platform",
			    "address_bits (%u) must be at most 32 on platform "
			    "%s",
			    cfg->address_bits, plat);
	space = (uint64_t)1 << cfg->address_bits;
	if (cfg->arena_size >= space)
		return fail(&c, "arena_size", "address_bits",
			    "arena_size (%s) must be smaller than the address "
			    "space of address_bits (%u bits, %s)",
			    SZ(cfg->arena_size), cfg->address_bits, SZ(space));
	if (cfg->module_end >= space)
		return fail(&c, "module_end", "address_bits",
			    "module_end (%s) must be inside the address space "
			    "of address_bits (%u bits, %s)",
			    SZ(cfg->module_end), cfg->address_bits, SZ(space));
	if (cfg->heap_base != 0) {
		if (!hg_platform_is_64bit(cfg->platform) ||
		    hg_platform_is_sbrk(cfg->platform))
			return fail(&c, "heap_base", "platform",
				    "heap_base is for 64-bit platforms that "
				    "map their heap; platform %s has no heap "
				    "base to place",
				    plat);
		if (cfg->heap_base % cfg->chunk_size != 0)
			return fail(&c, "heap_base", "chunk_size",
				    "heap_base (0x%llx) must be a multiple of "
				    "chunk_size (%s)",
				    (unsigned long long)cfg->heap_base,
				    SZ(cfg->chunk_size));
		if (cfg->heap_base >= space)
			return fail(&c, "heap_base", "address_bits",
				    "heap_base (0x%llx) must be inside the "
				    "address space of address_bits (%u bits, "
				    "%s)",
				    (unsigned long long)cfg->heap_base,
				    cfg->address_bits, SZ(space));
	}
	/* runtime_meta.c models the metadata where sysAlloc takes it from
	 * the break, and the bitmap page allocator's go1.14 and later. */
	if (cfg->runtime_metadata && !hg_platform_is_sbrk(cfg->platform))
		return fail(
			&c, "runtime_metadata", "platform",
			"runtime_metadata is for the sbrk platforms (js/wasm, "
			"wasip1/wasm, plan9), whose metadata takes the "
			"break; on platform %s it is mapped apart from the "
			"heap",
			plat);
	if (cfg->runtime_metadata && n < 14)
		return fail(&c, "runtime_metadata", "go",
			    "runtime_metadata needs go 1.14 or later, not %s",
			    cfg->go);
	if (hg_platform_is_sbrk(cfg->platform)) {
		init = hg_config_initial_memory(cfg);
		if (hg_platform_is_wasm(cfg->platform) &&
		    init % (64 * HG_KiB) != 0)
			return fail(&c, "initial_memory", "platform",
				    "initial_memory (%s) must be a multiple "
				    "of 64K on platform %s",
				    SZ(init), plat);
		if (init < cfg->module_end)
			return fail(&c, "initial_memory", "module_end",
				    "initial_memory (%s) must not be below "
				    "module_end (%s)",
				    SZ(init), SZ(cfg->module_end));
		if (init > space)
			return fail(&c, "initial_memory", "address_bits",
				    "initial_memory (%s) must be inside the "
				    "address space of address_bits (%u bits, "
				    "%s)",
				    SZ(init), cfg->address_bits, SZ(space));
	}
	return HG_OK;
}

int hg_config_check(const struct hg_config *cfg, char *err, size_t errlen)
{
	return hg_config_check_keys(cfg, err, errlen, NULL);
}
