/*
 * config.c - the configuration layer: names of errors, classes and ops,
 * config keys with their defaults per platform and Go version, and sizes.
 *
 * Every platform- or version-dependent value is derived from (platform, Go
 * version) by hg_config_derive(). hg_config_set() records which keys were
 * set explicitly; changing "platform" or "go" re-derives only the others,
 * so settings applied earlier (lower precedence) survive a later preset.
 */
#include "hg_core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__)
#define HG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HG_PRINTF(f, a)
#endif

#define HG_KiB ((uint64_t)1 << 10)
#define HG_MiB ((uint64_t)1 << 20)
#define HG_GiB ((uint64_t)1 << 30)

#define HG_GO_MIN 4u  /* HG_GO_OLDEST */
#define HG_GO_MAX 26u /* HG_GO_NEWEST */

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

const char *hg_strerror(int err)
{
	switch (err) {
	case HG_OK:
		return "success";
	case HG_EINVAL:
		return "invalid argument or configuration";
	case HG_ENOMEM:
		return "out of memory";
	case HG_ETRACE:
		return "inconsistent trace";
	case HG_EOOM:
		return "the modeled runtime ran out of memory";
	default:
		return "unknown error";
	}
}

static const char *const hg_class_names[HG_CLASS_COUNT] = {
	[HG_CLASS_NONE] = "none",
	[HG_CLASS_FOREIGN] = "foreign",
	[HG_CLASS_RESERVED] = "reserved",
	[HG_CLASS_RELEASED] = "released",
	[HG_CLASS_HEAP_FREE] = "heap_free",
	[HG_CLASS_HEAP_INUSE] = "heap_inuse",
	[HG_CLASS_SYS] = "sys",
	[HG_CLASS_SBRK_FREE] = "sbrk_free",
	[HG_CLASS_UNUSED] = "unused",
	[HG_CLASS_STRANDED] = "stranded",
};

const char *hg_class_name(enum hg_class c)
{
	if ((unsigned)c >= HG_CLASS_COUNT)
		return "unknown";
	return hg_class_names[c];
}

/* ------------------------------------------------------------------ */
/* Platforms                                                           */
/* ------------------------------------------------------------------ */

/*
 * address_bits is the user address space the simulated OS offers, not Go's
 * heapAddrBits (48 on every 64-bit platform here):
 * - linux/amd64: 47, the lower half of 4-level paging (128 TiB).
 * - linux/arm64: 48, the kernel's 48-bit VA with 4K pages (256 TiB).
 * - linux/386: 32, a 386 process on a 64-bit kernel gets all 4 GiB.
 * - windows/amd64: 47, user space ends at 0x7fffffffffff (Windows 8.1+).
 * - windows/386: 31, the 2 GiB user space without /LARGEADDRESSAWARE.
 * - wasm: 32, linear memory indexes are 32-bit (memory.grow caps at 4 GiB).
 * - plan9/386: 32; plan9/amd64: 47, as on the same hardware elsewhere.
 * Placement: Linux mmap without a usable hint searches top-down from
 * mmap_base; Windows VirtualAlloc(NULL) takes the lowest free range; the
 * sbrk platforms only grow the break upward.
 */
struct hg_platform_info {
	const char *name;
	bool is64;
	bool sbrk;
	bool wasm;
	bool windows;
	uint64_t phys_page_size; /* Go: physPageSize as the OS reports it */
	unsigned address_bits;
	enum hg_placement placement;
};

static const struct hg_platform_info hg_platforms[HG_PLAT_COUNT] = {
	[HG_PLAT_LINUX_AMD64] = { "linux/amd64", true, false, false, false,
				  4 * HG_KiB, 47, HG_PLACE_TOPDOWN },
	[HG_PLAT_LINUX_ARM64] = { "linux/arm64", true, false, false, false,
				  4 * HG_KiB, 48, HG_PLACE_TOPDOWN },
	[HG_PLAT_LINUX_386] = { "linux/386", false, false, false, false,
				4 * HG_KiB, 32, HG_PLACE_TOPDOWN },
	[HG_PLAT_WINDOWS_AMD64] = { "windows/amd64", true, false, false, true,
				    4 * HG_KiB, 47, HG_PLACE_BOTTOMUP },
	[HG_PLAT_WINDOWS_386] = { "windows/386", false, false, false, true,
				  4 * HG_KiB, 31, HG_PLACE_BOTTOMUP },
	/* Go: osinit sets physPageSize = 64K, runtime/os_wasm.go */
	[HG_PLAT_JS_WASM] = { "js/wasm", false, true, true, false, 64 * HG_KiB,
			      32, HG_PLACE_BOTTOMUP },
	[HG_PLAT_WASIP1_WASM] = { "wasip1/wasm", false, true, true, false,
				  64 * HG_KiB, 32, HG_PLACE_BOTTOMUP },
	/* Go: the "pagesize" of /dev/swap, else 4096, runtime/os_plan9.go */
	[HG_PLAT_PLAN9_386] = { "plan9/386", false, true, false, false,
				4 * HG_KiB, 32, HG_PLACE_BOTTOMUP },
	[HG_PLAT_PLAN9_AMD64] = { "plan9/amd64", true, true, false, false,
				  4 * HG_KiB, 47, HG_PLACE_BOTTOMUP },
};

static const struct hg_platform_info *hg_plat(enum hg_platform p)
{
	if ((unsigned)p >= HG_PLAT_COUNT)
		p = HG_PLAT_LINUX_AMD64;
	return &hg_platforms[p];
}

const char *hg_platform_name(enum hg_platform p)
{
	if ((unsigned)p >= HG_PLAT_COUNT)
		return "unknown";
	return hg_platforms[p].name;
}

int hg_platform_parse(const char *name, enum hg_platform *out)
{
	if (!name)
		return HG_EINVAL;
	for (unsigned i = 0; i < HG_PLAT_COUNT; i++) {
		if (strcmp(name, hg_platforms[i].name) == 0) {
			*out = (enum hg_platform)i;
			return HG_OK;
		}
	}
	return HG_EINVAL;
}

bool hg_platform_is_64bit(enum hg_platform p)
{
	return hg_plat(p)->is64;
}

bool hg_platform_is_sbrk(enum hg_platform p)
{
	return hg_plat(p)->sbrk;
}

bool hg_platform_is_wasm(enum hg_platform p)
{
	return hg_plat(p)->wasm;
}

bool hg_platform_is_windows(enum hg_platform p)
{
	return hg_plat(p)->windows;
}

/* ------------------------------------------------------------------ */
/* Sizes                                                               */
/* ------------------------------------------------------------------ */

static int hg_digit(char c, unsigned base)
{
	unsigned d;

	if (c >= '0' && c <= '9')
		d = (unsigned)(c - '0');
	else if (c >= 'a' && c <= 'f')
		d = (unsigned)(c - 'a') + 10;
	else if (c >= 'A' && c <= 'F')
		d = (unsigned)(c - 'A') + 10;
	else
		return -1;
	return d < base ? (int)d : -1;
}

int hg_parse_size(const char *s, uint64_t *out)
{
	static const struct {
		const char *name;
		unsigned shift;
	} suffixes[] = {
		{ "", 0 },     { "K", 10 },   { "KiB", 10 },
		{ "M", 20 },   { "MiB", 20 }, { "G", 30 },
		{ "GiB", 30 }, { "T", 40 },   { "TiB", 40 },
	};
	unsigned base = 10;
	uint64_t v = 0;
	const char *p;
	int d;

	if (!s || !out)
		return HG_EINVAL;
	p = s;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (hg_digit(*p, base) < 0)
		return HG_EINVAL; /* empty, sign, or no digits after 0x */
	for (; (d = hg_digit(*p, base)) >= 0; p++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return HG_EINVAL;
		v = v * base + (uint64_t)d;
	}
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (strcmp(p, suffixes[i].name) != 0)
			continue;
		if (v > (UINT64_MAX >> suffixes[i].shift))
			return HG_EINVAL;
		*out = v << suffixes[i].shift;
		return HG_OK;
	}
	return HG_EINVAL;
}

/* ------------------------------------------------------------------ */
/* Go versions                                                         */
/* ------------------------------------------------------------------ */

/* The releases where a modeled constant or policy changes, and their
 * neighbours; any 1.N in between is accepted too. */
const char *const hg_go_presets[] = {
	"1.4",  "1.5",  "1.8",  "1.9",  "1.10", "1.11", "1.12",
	"1.13", "1.14", "1.16", "1.17", "1.19", "1.20", "1.21",
	"1.23", "1.24", "1.25", "1.26", NULL,
};

/* hg_parse_uint parses decimal digits at *s into *out (no overflow past
 * 9 digits) and advances *s. */
static bool hg_parse_uint(const char **s, unsigned *out)
{
	const char *p = *s;
	unsigned v = 0;
	int n = 0;

	while (*p >= '0' && *p <= '9') {
		if (++n > 9)
			return false;
		v = v * 10 + (unsigned)(*p - '0');
		p++;
	}
	if (n == 0)
		return false;
	*s = p;
	*out = v;
	return true;
}

int hg_go_parse(const char *s, unsigned *minor)
{
	unsigned major, n, patch;

	if (!s || !minor)
		return HG_EINVAL;
	if (strncmp(s, "go", 2) == 0)
		s += 2;
	if (!hg_parse_uint(&s, &major) || major != 1 || *s++ != '.')
		return HG_EINVAL;
	if (!hg_parse_uint(&s, &n))
		return HG_EINVAL;
	if (*s == '.') {
		s++;
		if (!hg_parse_uint(&s, &patch))
			return HG_EINVAL;
	}
	if (*s != '\0' || n < HG_GO_MIN || n > HG_GO_MAX)
		return HG_EINVAL;
	*minor = n;
	return HG_OK;
}

unsigned hg_config_go_minor(const struct hg_config *cfg)
{
	unsigned n;

	if (hg_go_parse(cfg->go, &n) != HG_OK)
		return HG_GO_MAX;
	return n;
}

/* ------------------------------------------------------------------ */
/* Defaults per platform and version                                   */
/* ------------------------------------------------------------------ */

/*
 * hg_arena_sizes returns heapArenaBytes and pallocChunkBytes of platform p
 * in Go 1.n.
 *
 * Go >= 1.11 (sparse heap): Go: logHeapArenaBytes, runtime/malloc.go:
 * 64 MiB on 64-bit except windows (4 MiB since go1.11) and wasm; 4 MiB on
 * 32-bit; wasm 64 MiB in 1.11-1.12 (it counted as 64-bit), 4 MiB in
 * 1.13-1.25 (460f9c6068), 512 KiB in 1.26 (53009b26dd).
 * Go: pallocChunkBytes, runtime/mpagealloc.go: 4 MiB; 512 KiB on wasm
 * since 1.26. Go 1.11-1.13 had no chunks (treap); 4 MiB stands in.
 *
 * Go <= 1.10 (linear arena, policy.arena linear*): arena_size is the
 * reservation block sysAlloc asks for when the arena is full,
 * round(n+_PageSize, 256 MiB), and chunk_size is _HeapAllocChunk = 1 MiB,
 * grow's minimum ask (Go: runtime/malloc.go, mheap.go). The whole linear
 * arena is bounded by hg_config_max_mem().
 */
static void hg_arena_sizes(enum hg_platform p, unsigned n, uint64_t *arena,
			   uint64_t *chunk)
{
	const struct hg_platform_info *pi = hg_plat(p);

	if (n <= 10) {
		*arena = 256 * HG_MiB;
		*chunk = 1 * HG_MiB;
		return;
	}
	*chunk = 4 * HG_MiB;
	if (pi->wasm) {
		if (n <= 12) {
			*arena = 64 * HG_MiB;
		} else if (n <= 25) {
			*arena = 4 * HG_MiB;
		} else {
			*arena = 512 * HG_KiB;
			*chunk = 512 * HG_KiB;
		}
	} else if (pi->is64 && !pi->windows) {
		*arena = 64 * HG_MiB;
	} else {
		*arena = 4 * HG_MiB;
	}
}

/*
 * hg_sbrk_policy: wasm follows reference 4.5: mem_js.go's bump allocator
 * up to 1.20, the shared mem_sbrk.go with a wasm sbrk that grows on every
 * call in 1.21-1.23 (dac514ea37), bloc/blocMax from 1.24 (4510586f93).
 * Plan 9 had bloc/blocMax since go1.11 (b1dbce31d7, c2cdfbd1a7), which is
 * the go1.24 behaviour; before, its sbrk bumped the break on every call
 * and frees never lowered it, which is the go1.21 behaviour. Other
 * platforms do not use the policy; they follow the wasm releases.
 */
static enum hg_policy_sbrk hg_sbrk_policy(enum hg_platform p, unsigned n)
{
	if (p == HG_PLAT_PLAN9_386 || p == HG_PLAT_PLAN9_AMD64)
		return n >= 11 ? HG_SBRK_GO124 : HG_SBRK_GO121;
	if (n >= 24)
		return HG_SBRK_GO124;
	if (n >= 21)
		return HG_SBRK_GO121;
	return HG_SBRK_GO119;
}

/*
 * hg_huge_page_size: Linux's transparent huge page size,
 * /sys/kernel/mm/transparent_hugepage/hpage_pmd_size, which Go reads into
 * physHugePageSize (runtime/os_linux.go); 0 on every other OS. A PMD entry
 * maps one page table of phys/8 entries: 2M with 4K pages, 32M with 16K,
 * 512M with 64K (arm64). linux/386 gets 2M: a 386 process on a 64-bit or
 * PAE kernel (a non-PAE kernel would say 4M).
 */
static uint64_t hg_huge_page_size(enum hg_platform p, uint64_t phys)
{
	switch (p) {
	case HG_PLAT_LINUX_AMD64:
	case HG_PLAT_LINUX_386:
		return 2 * HG_MiB;
	case HG_PLAT_LINUX_ARM64:
		return phys * (phys / 8);
	default:
		return 0;
	}
}

enum hg_key {
	HG_KEY_PLATFORM,
	HG_KEY_GO,
	HG_KEY_PHYS_PAGE_SIZE,
	HG_KEY_PHYS_HUGE_PAGE_SIZE,
	HG_KEY_PAGE_SIZE,
	HG_KEY_ARENA_SIZE,
	HG_KEY_CHUNK_SIZE,
	HG_KEY_ADDRESS_BITS,
	HG_KEY_COMMIT_LIMIT,
	HG_KEY_INITIAL_MEMORY,
	HG_KEY_MODULE_END,
	HG_KEY_PAGE_CACHE,
	HG_KEY_RANDOMIZE_HEAP_BASE,
	HG_KEY_PLACEMENT,
	HG_KEY_POLICY_SBRK,
	HG_KEY_POLICY_ARENA,
	HG_KEY_POLICY_PREPARE,
	HG_KEY_POLICY_GROW,
	HG_KEY_POLICY_SBRK_FREE,
	HG_KEY_COUNT
};

#define HG_BIT(k) ((uint32_t)1 << (k))

/* hg_config_derive recomputes every platform- and version-dependent value
 * that was not set explicitly. */
static void hg_config_derive(struct hg_config *cfg)
{
	const struct hg_platform_info *pi = hg_plat(cfg->platform);
	unsigned n = hg_config_go_minor(cfg);
	uint32_t x = cfg->explicit_keys;
	uint64_t arena, chunk;

	hg_arena_sizes(cfg->platform, n, &arena, &chunk);
	if (!(x & HG_BIT(HG_KEY_PHYS_PAGE_SIZE)))
		cfg->phys_page_size = pi->phys_page_size;
	if (!(x & HG_BIT(HG_KEY_PHYS_HUGE_PAGE_SIZE)))
		cfg->phys_huge_page_size =
			hg_huge_page_size(cfg->platform, cfg->phys_page_size);
	if (!(x & HG_BIT(HG_KEY_ARENA_SIZE)))
		cfg->arena_size = arena;
	if (!(x & HG_BIT(HG_KEY_CHUNK_SIZE)))
		cfg->chunk_size = chunk;
	if (!(x & HG_BIT(HG_KEY_ADDRESS_BITS)))
		cfg->address_bits = pi->address_bits;
	if (!(x & HG_BIT(HG_KEY_PLACEMENT)))
		cfg->placement = pi->placement;
	if (!(x & HG_BIT(HG_KEY_POLICY_SBRK)))
		cfg->policy_sbrk = hg_sbrk_policy(cfg->platform, n);
	/* e5a5c03f5b (go1.8.3) rejects lower blocks (#20259); 13ae3b3a8d
	 * (go1.9) strandLimit; 2b415549b8 (go1.11) sparse heap */
	if (!(x & HG_BIT(HG_KEY_POLICY_ARENA)))
		cfg->policy_arena = n <= 7    ? HG_ARENA_LINEAR_GO17
				    : n <= 8  ? HG_ARENA_LINEAR_GO18
				    : n <= 10 ? HG_ARENA_LINEAR
					      : HG_ARENA_SPARSE;
	/* the per-P page cache, runtime/mpagecache.go, is new in go1.14 */
	if (!(x & HG_BIT(HG_KEY_PAGE_CACHE)))
		cfg->page_cache = n >= 14;
	/* bd6aeca968 (go1.17) sysMap in grow */
	if (!(x & HG_BIT(HG_KEY_POLICY_PREPARE)))
		cfg->policy_prepare =
			n >= 17 ? HG_PREPARE_GROW : HG_PREPARE_SYSALLOC;
	/* f18109d7e3 (go1.14) curArena */
	if (!(x & HG_BIT(HG_KEY_POLICY_GROW)))
		cfg->policy_grow =
			n >= 14 ? HG_GROW_INCREMENTAL : HG_GROW_WHOLE_ARENA;
	/* fb75f856df (go1.5) Plan 9 free list */
	if (!(x & HG_BIT(HG_KEY_POLICY_SBRK_FREE)))
		cfg->policy_sbrk_free =
			n >= 5 ? HG_SBRK_FREE_FREELIST : HG_SBRK_FREE_TOP_ONLY;
}

void hg_config_init(struct hg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->platform = HG_PLAT_LINUX_AMD64;
	snprintf(cfg->go, sizeof(cfg->go), "%s", HG_GO_NEWEST);
	cfg->page_size = 8 * HG_KiB; /* Go: pageSize, runtime/malloc.go */
	cfg->commit_limit = 0;
	cfg->initial_memory = 0; /* auto: hg_config_initial_memory() */
	cfg->module_end = 1 * HG_MiB;
	cfg->randomize_heap_base = false;
	cfg->heap_base_seed = 0;
	cfg->explicit_keys = 0;
	hg_config_derive(cfg);
}

static uint64_t hg_align_up(uint64_t v, uint64_t a)
{
	if (v > UINT64_MAX - (a - 1))
		return UINT64_MAX & ~(a - 1);
	return (v + a - 1) & ~(a - 1);
}

uint64_t hg_config_initial_memory(const struct hg_config *cfg)
{
	const uint64_t wasm_page = 64 * HG_KiB;
	unsigned n = hg_config_go_minor(cfg);
	uint64_t end = cfg->module_end;

	if (cfg->initial_memory != 0)
		return cfg->initial_memory;
	if (hg_platform_is_wasm(cfg->platform)) {
		/* Go: writeMemorySec, cmd/link/internal/wasm/asm.go */
		if (end > UINT64_MAX - 16 * HG_MiB)
			return UINT64_MAX & ~(wasm_page - 1);
		if (n >= 24) /* 24bc473173: runtime.end + 1 MiB, floor */
			return (end + 1 * HG_MiB) / wasm_page * wasm_page;
		if (n >= 14) /* 30521d5126: data end + 16 MiB; bss ignored,
			      * so module_end stands in for the data end */
			return (end + 16 * HG_MiB) / wasm_page * wasm_page;
		if (n == 13) { /* 460f9c6068: a fixed 16 MiB */
			uint64_t m = hg_align_up(end, wasm_page);
			return m > 16 * HG_MiB ? m : 16 * HG_MiB;
		}
		return 1 * HG_GiB; /* go1.11-1.12: 16384 pages */
	}
	if (hg_platform_is_sbrk(cfg->platform)) {
		/* Go: initBloc, bloc = memRound(firstmoduledata.end); plan9
		 * rounded to _PAGESIZE (4K) before go1.21 (dac514ea37) */
		uint64_t pg = n >= 21 ? cfg->phys_page_size : 4 * HG_KiB;

		if (pg == 0 || (pg & (pg - 1)) != 0)
			pg = 4 * HG_KiB;
		return hg_align_up(end, pg);
	}
	return 0;
}

uint64_t hg_config_max_mem(const struct hg_config *cfg)
{
	const struct hg_platform_info *pi = hg_plat(cfg->platform);
	unsigned n = hg_config_go_minor(cfg);

	if (n >= 11) /* Go: heapAddrBits, runtime/malloc.go */
		return pi->is64 && !pi->wasm ? (uint64_t)1 << 48
					     : (uint64_t)1 << 32;
	if (!pi->is64) /* Go: _MaxArena32: 2 GiB until go1.6, then 4 GiB */
		return n <= 6 ? 2 * HG_GiB : 4 * HG_GiB;
	/* Go: _MaxMem = 1<<_MHeapMap_TotalBits - 1: 35 bits on windows/64,
	 * 37 bits elsewhere in go1.4 (malloc.h), 39 bits from go1.5 */
	if (pi->windows)
		return (uint64_t)1 << 35;
	return (uint64_t)1 << (n <= 4 ? 37 : 39);
}

/* ------------------------------------------------------------------ */
/* Keys                                                                */
/* ------------------------------------------------------------------ */

/*
 * The keys, in documentation order. Sizes take hg_parse_size's suffixes.
 * phys_huge_page_size: Linux's THP size (Go: physHugePageSize), 0 = none;
 * 0 or a power of two >= phys_page_size; default 2M on linux/amd64 and
 * linux/386, derived from phys_page_size on linux/arm64 (2M, 32M, 512M for
 * 4K, 16K, 64K pages), 0 elsewhere. Go zeroes it when it exceeds
 * pallocChunkBytes (mallocinit), so the effective value, which
 * hg_config_get prints, is 0 when it is above chunk_size. The scavenger
 * then releases whole free huge pages (findScavengeCandidate).
 */
const char *const hg_config_keys[] = {
	[HG_KEY_PLATFORM] = "platform",
	[HG_KEY_GO] = "go",
	[HG_KEY_PHYS_PAGE_SIZE] = "phys_page_size",
	[HG_KEY_PHYS_HUGE_PAGE_SIZE] = "phys_huge_page_size",
	[HG_KEY_PAGE_SIZE] = "page_size",
	[HG_KEY_ARENA_SIZE] = "arena_size",
	[HG_KEY_CHUNK_SIZE] = "chunk_size",
	[HG_KEY_ADDRESS_BITS] = "address_bits",
	[HG_KEY_COMMIT_LIMIT] = "commit_limit",
	[HG_KEY_INITIAL_MEMORY] = "initial_memory",
	[HG_KEY_MODULE_END] = "module_end",
	[HG_KEY_PAGE_CACHE] = "page_cache",
	[HG_KEY_RANDOMIZE_HEAP_BASE] = "randomize_heap_base",
	[HG_KEY_PLACEMENT] = "placement",
	[HG_KEY_POLICY_SBRK] = "policy.sbrk",
	[HG_KEY_POLICY_ARENA] = "policy.arena",
	[HG_KEY_POLICY_PREPARE] = "policy.prepare",
	[HG_KEY_POLICY_GROW] = "policy.grow",
	[HG_KEY_POLICY_SBRK_FREE] = "policy.sbrk_free",
	[HG_KEY_COUNT] = NULL,
};

static const enum hg_config_type hg_key_types[HG_KEY_COUNT] = {
	[HG_KEY_PLATFORM] = HG_CFG_STRING,
	[HG_KEY_GO] = HG_CFG_STRING,
	[HG_KEY_PHYS_PAGE_SIZE] = HG_CFG_SIZE,
	[HG_KEY_PHYS_HUGE_PAGE_SIZE] = HG_CFG_SIZE,
	[HG_KEY_PAGE_SIZE] = HG_CFG_SIZE,
	[HG_KEY_ARENA_SIZE] = HG_CFG_SIZE,
	[HG_KEY_CHUNK_SIZE] = HG_CFG_SIZE,
	[HG_KEY_ADDRESS_BITS] = HG_CFG_NUMBER,
	[HG_KEY_COMMIT_LIMIT] = HG_CFG_SIZE,
	[HG_KEY_INITIAL_MEMORY] = HG_CFG_SIZE,
	[HG_KEY_MODULE_END] = HG_CFG_SIZE,
	[HG_KEY_PAGE_CACHE] = HG_CFG_BOOL,
	[HG_KEY_RANDOMIZE_HEAP_BASE] = HG_CFG_SEED,
	[HG_KEY_PLACEMENT] = HG_CFG_STRING,
	[HG_KEY_POLICY_SBRK] = HG_CFG_STRING,
	[HG_KEY_POLICY_ARENA] = HG_CFG_STRING,
	[HG_KEY_POLICY_PREPARE] = HG_CFG_STRING,
	[HG_KEY_POLICY_GROW] = HG_CFG_STRING,
	[HG_KEY_POLICY_SBRK_FREE] = HG_CFG_STRING,
};

/* Enum values by name, indexed by the C enum. */
static const char *const hg_placement_names[] = {
	[HG_PLACE_TOPDOWN] = "topdown", [HG_PLACE_BOTTOMUP] = "bottomup", NULL
};
static const char *const hg_sbrk_names[] = { [HG_SBRK_GO124] = "go1.24",
					     [HG_SBRK_GO121] = "go1.21",
					     [HG_SBRK_GO119] = "go1.19",
					     NULL };
static const char *const hg_arena_names[] = { [HG_ARENA_SPARSE] = "sparse",
					      [HG_ARENA_LINEAR] = "linear",
					      [HG_ARENA_LINEAR_GO18] =
						      "linear-go1.8",
					      [HG_ARENA_LINEAR_GO17] =
						      "linear-go1.7",
					      NULL };
static const char *const hg_prepare_names[] = {
	[HG_PREPARE_GROW] = "grow", [HG_PREPARE_SYSALLOC] = "sysalloc", NULL
};
static const char *const hg_grow_names[] = { [HG_GROW_INCREMENTAL] =
						     "incremental",
					     [HG_GROW_WHOLE_ARENA] =
						     "whole-arena",
					     NULL };
static const char *const hg_sbrk_free_names[] = { [HG_SBRK_FREE_FREELIST] =
							  "freelist",
						  [HG_SBRK_FREE_TOP_ONLY] =
							  "top-only",
						  NULL };

static int hg_key_find(const char *key)
{
	if (!key)
		return -1;
	for (int i = 0; i < HG_KEY_COUNT; i++)
		if (strcmp(key, hg_config_keys[i]) == 0)
			return i;
	return -1;
}

enum hg_config_type hg_config_type_of(const char *key)
{
	int k = hg_key_find(key);

	return k < 0 ? HG_CFG_UNKNOWN : hg_key_types[k];
}

bool hg_config_is_string(const char *key)
{
	return hg_config_type_of(key) == HG_CFG_STRING;
}

bool hg_config_is_explicit(const struct hg_config *cfg, const char *key)
{
	int k = hg_key_find(key);

	return k >= 0 && (cfg->explicit_keys & HG_BIT(k)) != 0;
}

/* ------------------------------------------------------------------ */
/* Setting                                                             */
/* ------------------------------------------------------------------ */

HG_PRINTF(3, 4)
static int hg_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return HG_EINVAL;
}

static bool hg_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static int hg_enum_parse(const char *const *names, const char *value)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(value, names[i]) == 0)
			return i;
	return -1;
}

/* hg_enum_list writes "a, b or c" for an error message. */
static void hg_enum_list(const char *const *names, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; names[i]; i++) {
		const char *sep = i == 0 ? "" : names[i + 1] ? ", " : " or ";
		int w = snprintf(buf + used, len - used, "%s%s", sep, names[i]);

		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
}

static int hg_parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1")) {
		*out = true;
		return HG_OK;
	}
	if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0")) {
		*out = false;
		return HG_OK;
	}
	return HG_EINVAL;
}

static int hg_check_phys(enum hg_platform p, uint64_t v, char *err,
			 size_t errlen)
{
	if (!hg_pow2(v) || v < 4 * HG_KiB || v > 512 * HG_KiB)
		/* Go: minPhysPageSize, maxPhysPageSize, runtime/malloc.go */
		return hg_fail(err, errlen,
			       "phys_page_size must be a power of two between "
			       "4K and 512K");
	if (hg_platform_is_wasm(p) && v != 64 * HG_KiB)
		return hg_fail(err, errlen,
			       "wasm's physical page size is always 64K");
	return HG_OK;
}

static int hg_check_chunk(uint64_t chunk, uint64_t page, char *err,
			  size_t errlen)
{
	/* Go: pallocBits is [pallocChunkPages/64]uint64 and the page cache
	 * takes 64-page blocks, so a chunk holds a multiple of 64 pages. */
	if (!hg_pow2(chunk) || chunk < 64 * page)
		return hg_fail(err, errlen,
			       "chunk_size must be a power of two multiple of "
			       "page_size, at least 64 pages");
	return HG_OK;
}

static int hg_check_arena(uint64_t arena, uint64_t chunk, char *err,
			  size_t errlen)
{
	if (!hg_pow2(arena) || arena < chunk)
		return hg_fail(err, errlen,
			       "arena_size must be a power of two multiple of "
			       "chunk_size");
	return HG_OK;
}

static int hg_set_size(const char *key, const char *value, uint64_t *out,
		       char *err, size_t errlen)
{
	if (hg_parse_size(value, out) != HG_OK)
		return hg_fail(err, errlen, "invalid size '%s' for %s", value,
			       key);
	return HG_OK;
}

static int hg_set_enum(const char *key, const char *const *names,
		       const char *value, int *out, char *err, size_t errlen)
{
	char list[128];
	int i = hg_enum_parse(names, value);

	if (i < 0) {
		hg_enum_list(names, list, sizeof(list));
		return hg_fail(err, errlen, "invalid %s '%s' (expected %s)",
			       key, value, list);
	}
	*out = i;
	return HG_OK;
}

/* hg_config_apply parses value into c (a copy); c is discarded on error. */
static int hg_config_apply(struct hg_config *c, int k, const char *value,
			   char *err, size_t errlen)
{
	const char *key = hg_config_keys[k];
	uint64_t sz;
	unsigned n;
	bool b;
	int e, rc;

	switch ((enum hg_key)k) {
	case HG_KEY_PLATFORM:
		if (hg_platform_parse(value, &c->platform) != HG_OK) {
			char list[256];

			list[0] = '\0';
			for (unsigned i = 0; i < HG_PLAT_COUNT; i++) {
				size_t used = strlen(list);

				snprintf(list + used, sizeof(list) - used,
					 "%s%s", i ? ", " : "",
					 hg_platforms[i].name);
			}
			return hg_fail(
				err, errlen,
				"unknown platform '%s' (expected one of %s)",
				value, list);
		}
		if ((c->explicit_keys & HG_BIT(HG_KEY_PHYS_PAGE_SIZE)) &&
		    hg_check_phys(c->platform, c->phys_page_size, err,
				  errlen) != HG_OK)
			return HG_EINVAL;
		return HG_OK;
	case HG_KEY_GO:
		if (hg_go_parse(value, &n) != HG_OK)
			return hg_fail(err, errlen,
				       "unknown Go version '%s' (expected 1.%u "
				       "to 1.%u, e.g. \"1.19\" or \"go1.19\")",
				       value, HG_GO_MIN, HG_GO_MAX);
		snprintf(c->go, sizeof(c->go), "1.%u", n);
		return HG_OK;
	case HG_KEY_PHYS_PAGE_SIZE:
		if ((rc = hg_set_size(key, value, &sz, err, errlen)) != HG_OK)
			return rc;
		if ((rc = hg_check_phys(c->platform, sz, err, errlen)) != HG_OK)
			return rc;
		c->phys_page_size = sz;
		if (!(c->explicit_keys & HG_BIT(HG_KEY_PHYS_HUGE_PAGE_SIZE)))
			c->phys_huge_page_size =
				hg_huge_page_size(c->platform, sz);
		return HG_OK;
	case HG_KEY_PHYS_HUGE_PAGE_SIZE:
		if ((rc = hg_set_size(key, value, &sz, err, errlen)) != HG_OK)
			return rc;
		if (sz != 0 && (!hg_pow2(sz) || sz < 4 * HG_KiB))
			return hg_fail(err, errlen,
				       "phys_huge_page_size must be 0 or a "
				       "power of two of at least 4K");
		c->phys_huge_page_size = sz;
		return HG_OK;
	case HG_KEY_PAGE_SIZE:
		if ((rc = hg_set_size(key, value, &sz, err, errlen)) != HG_OK)
			return rc;
		if (!hg_pow2(sz) || sz < 4 * HG_KiB || sz > 64 * HG_KiB)
			return hg_fail(err, errlen,
				       "page_size must be a power of two "
				       "between 4K and 64K");
		c->page_size = sz;
		return HG_OK;
	case HG_KEY_ARENA_SIZE:
		if ((rc = hg_set_size(key, value, &sz, err, errlen)) != HG_OK)
			return rc;
		if ((rc = hg_check_arena(sz, c->chunk_size, err, errlen)) !=
		    HG_OK)
			return rc;
		c->arena_size = sz;
		return HG_OK;
	case HG_KEY_CHUNK_SIZE:
		if ((rc = hg_set_size(key, value, &sz, err, errlen)) != HG_OK)
			return rc;
		if ((rc = hg_check_chunk(sz, c->page_size, err, errlen)) !=
		    HG_OK)
			return rc;
		c->chunk_size = sz;
		return HG_OK;
	case HG_KEY_ADDRESS_BITS: {
		const char *p = value;

		if (!hg_parse_uint(&p, &n) || *p != '\0' || n < 24 || n > 56)
			return hg_fail(err, errlen,
				       "address_bits must be a number between "
				       "24 and 56");
		c->address_bits = n;
		return HG_OK;
	}
	case HG_KEY_COMMIT_LIMIT:
		return hg_set_size(key, value, &c->commit_limit, err, errlen);
	case HG_KEY_INITIAL_MEMORY:
		if (strcmp(value, "auto") == 0) {
			c->initial_memory = 0;
			return HG_OK;
		}
		return hg_set_size(key, value, &c->initial_memory, err, errlen);
	case HG_KEY_MODULE_END:
		return hg_set_size(key, value, &c->module_end, err, errlen);
	case HG_KEY_PAGE_CACHE:
		if (hg_parse_bool(value, &b) != HG_OK)
			return hg_fail(err, errlen,
				       "invalid boolean '%s' for %s (expected "
				       "true, false, yes, no, 1 or 0)",
				       value, key);
		c->page_cache = b;
		return HG_OK;
	case HG_KEY_RANDOMIZE_HEAP_BASE:
		/* "false", or a seed; "true" means seed 0 */
		if (!strcmp(value, "false") || !strcmp(value, "no")) {
			c->randomize_heap_base = false;
			c->heap_base_seed = 0;
			return HG_OK;
		}
		if (!strcmp(value, "true") || !strcmp(value, "yes")) {
			sz = 0;
		} else if (hg_parse_size(value, &sz) != HG_OK ||
			   strpbrk(value, "KMGT") != NULL) {
			/* a seed is a plain decimal or 0x number: every size
			 * suffix starts with one of K, M, G, T */
			return hg_fail(err, errlen,
				       "randomize_heap_base must be false or a "
				       "seed number, not '%s'",
				       value);
		}
		c->randomize_heap_base = true;
		c->heap_base_seed = sz;
		return HG_OK;
	case HG_KEY_PLACEMENT:
		if ((rc = hg_set_enum(key, hg_placement_names, value, &e, err,
				      errlen)) != HG_OK)
			return rc;
		c->placement = (enum hg_placement)e;
		return HG_OK;
	case HG_KEY_POLICY_SBRK:
		if ((rc = hg_set_enum(key, hg_sbrk_names, value, &e, err,
				      errlen)) != HG_OK)
			return rc;
		c->policy_sbrk = (enum hg_policy_sbrk)e;
		return HG_OK;
	case HG_KEY_POLICY_ARENA:
		if ((rc = hg_set_enum(key, hg_arena_names, value, &e, err,
				      errlen)) != HG_OK)
			return rc;
		c->policy_arena = (enum hg_policy_arena)e;
		return HG_OK;
	case HG_KEY_POLICY_PREPARE:
		if ((rc = hg_set_enum(key, hg_prepare_names, value, &e, err,
				      errlen)) != HG_OK)
			return rc;
		c->policy_prepare = (enum hg_policy_prepare)e;
		return HG_OK;
	case HG_KEY_POLICY_GROW:
		if ((rc = hg_set_enum(key, hg_grow_names, value, &e, err,
				      errlen)) != HG_OK)
			return rc;
		c->policy_grow = (enum hg_policy_grow)e;
		return HG_OK;
	case HG_KEY_POLICY_SBRK_FREE:
		if ((rc = hg_set_enum(key, hg_sbrk_free_names, value, &e, err,
				      errlen)) != HG_OK)
			return rc;
		c->policy_sbrk_free = (enum hg_policy_sbrk_free)e;
		return HG_OK;
	case HG_KEY_COUNT:
		break;
	}
	return hg_fail(err, errlen, "unknown config key '%s'", key);
}

int hg_config_set(struct hg_config *cfg, const char *key, const char *value,
		  char *err, size_t errlen)
{
	struct hg_config c;
	int k = hg_key_find(key);
	int rc;

	if (err && errlen > 0)
		err[0] = '\0';
	if (k < 0)
		return hg_fail(err, errlen, "unknown config key '%s'",
			       key ? key : "(null)");
	if (!value)
		return hg_fail(err, errlen, "missing value for %s", key);
	c = *cfg;
	rc = hg_config_apply(&c, k, value, err, errlen);
	if (rc != HG_OK)
		return rc;
	c.explicit_keys |= HG_BIT(k);
	if (k == HG_KEY_PLATFORM || k == HG_KEY_GO)
		hg_config_derive(&c);
	*cfg = c;
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* Getting and checking                                                */
/* ------------------------------------------------------------------ */

static const char *hg_enum_name(const char *const *names, size_t count, int v)
{
	if (v < 0 || (size_t)v >= count || !names[v])
		return "unknown";
	return names[v];
}

#define HG_ENUM_NAME(names, v)                                                 \
	hg_enum_name(names, sizeof(names) / sizeof(names[0]) - 1, (int)(v))

int hg_config_get(const struct hg_config *cfg, const char *key, char *buf,
		  size_t len)
{
	const char *s = NULL;
	uint64_t u = 0;
	int k = hg_key_find(key);
	int w;

	if (k < 0 || !buf || len == 0)
		return HG_EINVAL;
	switch ((enum hg_key)k) {
	case HG_KEY_PLATFORM:
		s = hg_platform_name(cfg->platform);
		break;
	case HG_KEY_GO:
		s = cfg->go;
		break;
	case HG_KEY_PHYS_PAGE_SIZE:
		u = cfg->phys_page_size;
		break;
	case HG_KEY_PHYS_HUGE_PAGE_SIZE:
		/* Go: mallocinit zeroes it above maxPhysHugePageSize */
		u = cfg->phys_huge_page_size > cfg->chunk_size
			    ? 0
			    : cfg->phys_huge_page_size;
		break;
	case HG_KEY_PAGE_SIZE:
		u = cfg->page_size;
		break;
	case HG_KEY_ARENA_SIZE:
		u = cfg->arena_size;
		break;
	case HG_KEY_CHUNK_SIZE:
		u = cfg->chunk_size;
		break;
	case HG_KEY_ADDRESS_BITS:
		u = cfg->address_bits;
		break;
	case HG_KEY_COMMIT_LIMIT:
		u = cfg->commit_limit;
		break;
	case HG_KEY_INITIAL_MEMORY:
		u = hg_config_initial_memory(cfg);
		break;
	case HG_KEY_MODULE_END:
		u = cfg->module_end;
		break;
	case HG_KEY_PAGE_CACHE:
		s = cfg->page_cache ? "true" : "false";
		break;
	case HG_KEY_RANDOMIZE_HEAP_BASE:
		if (!cfg->randomize_heap_base)
			s = "false";
		else
			u = cfg->heap_base_seed;
		break;
	case HG_KEY_PLACEMENT:
		s = HG_ENUM_NAME(hg_placement_names, cfg->placement);
		break;
	case HG_KEY_POLICY_SBRK:
		s = HG_ENUM_NAME(hg_sbrk_names, cfg->policy_sbrk);
		break;
	case HG_KEY_POLICY_ARENA:
		s = HG_ENUM_NAME(hg_arena_names, cfg->policy_arena);
		break;
	case HG_KEY_POLICY_PREPARE:
		s = HG_ENUM_NAME(hg_prepare_names, cfg->policy_prepare);
		break;
	case HG_KEY_POLICY_GROW:
		s = HG_ENUM_NAME(hg_grow_names, cfg->policy_grow);
		break;
	case HG_KEY_POLICY_SBRK_FREE:
		s = HG_ENUM_NAME(hg_sbrk_free_names, cfg->policy_sbrk_free);
		break;
	case HG_KEY_COUNT:
		return HG_EINVAL;
	}
	if (s)
		w = snprintf(buf, len, "%s", s);
	else
		w = snprintf(buf, len, "%llu", (unsigned long long)u);
	if (w < 0 || (size_t)w >= len)
		return HG_EINVAL; /* truncated */
	return HG_OK;
}

int hg_config_check(const struct hg_config *cfg, char *err, size_t errlen)
{
	uint64_t space, init;
	unsigned n;
	int rc;

	if (err && errlen > 0)
		err[0] = '\0';
	if ((unsigned)cfg->platform >= HG_PLAT_COUNT)
		return hg_fail(err, errlen, "unknown platform %d",
			       (int)cfg->platform);
	if (hg_go_parse(cfg->go, &n) != HG_OK)
		return hg_fail(err, errlen, "unknown Go version '%.15s'",
			       cfg->go);
	/* Go's first releases for wasm: js/wasm in go1.11, wasip1 in go1.21. */
	if (cfg->platform == HG_PLAT_JS_WASM && n < 11)
		return hg_fail(err, errlen,
			       "js/wasm needs Go 1.11 or later, not %s",
			       cfg->go);
	if (cfg->platform == HG_PLAT_WASIP1_WASM && n < 21)
		return hg_fail(err, errlen,
			       "wasip1/wasm needs Go 1.21 or later, not %s",
			       cfg->go);
	if ((rc = hg_check_phys(cfg->platform, cfg->phys_page_size, err,
				errlen)) != HG_OK)
		return rc;
	if (!hg_pow2(cfg->page_size) || cfg->page_size < 4 * HG_KiB ||
	    cfg->page_size > 64 * HG_KiB)
		return hg_fail(
			err, errlen,
			"page_size must be a power of two between 4K and 64K");
	if ((rc = hg_check_chunk(cfg->chunk_size, cfg->page_size, err,
				 errlen)) != HG_OK)
		return rc;
	if ((rc = hg_check_arena(cfg->arena_size, cfg->chunk_size, err,
				 errlen)) != HG_OK)
		return rc;
	if (cfg->phys_huge_page_size != 0 &&
	    (!hg_pow2(cfg->phys_huge_page_size) ||
	     cfg->phys_huge_page_size < cfg->phys_page_size))
		return hg_fail(err, errlen,
			       "phys_huge_page_size (%llu) must be 0 or a "
			       "power of two at least phys_page_size (%llu)",
			       (unsigned long long)cfg->phys_huge_page_size,
			       (unsigned long long)cfg->phys_page_size);
	if (cfg->phys_page_size > cfg->arena_size)
		return hg_fail(err, errlen,
			       "phys_page_size (%llu) must not exceed "
			       "arena_size (%llu)",
			       (unsigned long long)cfg->phys_page_size,
			       (unsigned long long)cfg->arena_size);
	if (cfg->address_bits < 24 || cfg->address_bits > 56)
		return hg_fail(
			err, errlen,
			"address_bits must be a number between 24 and 56");
	space = (uint64_t)1 << cfg->address_bits;
	if (cfg->arena_size >= space)
		return hg_fail(err, errlen,
			       "arena_size (%llu) must be smaller than the "
			       "address space of %u bits",
			       (unsigned long long)cfg->arena_size,
			       cfg->address_bits);
	if (cfg->module_end >= space)
		return hg_fail(err, errlen,
			       "module_end (%llu) is outside %u address bits",
			       (unsigned long long)cfg->module_end,
			       cfg->address_bits);
	if (hg_platform_is_sbrk(cfg->platform)) {
		init = hg_config_initial_memory(cfg);
		if (hg_platform_is_wasm(cfg->platform) &&
		    init % (64 * HG_KiB) != 0)
			return hg_fail(err, errlen,
				       "initial_memory must be a multiple of "
				       "64K on wasm");
		if (init < cfg->module_end)
			return hg_fail(err, errlen,
				       "initial_memory (%llu) is below "
				       "module_end (%llu)",
				       (unsigned long long)init,
				       (unsigned long long)cfg->module_end);
		if (init > space)
			return hg_fail(err, errlen,
				       "initial_memory (%llu) is outside %u "
				       "address bits",
				       (unsigned long long)init,
				       cfg->address_bits);
	}
	return HG_OK;
}
