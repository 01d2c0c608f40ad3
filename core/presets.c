/*
 * presets.c - what depends on the platform and the Go version: the
 * platforms, the Go version presets and the default of every config key
 * for a (platform, Go version) pair (the default column of the key table
 * in config.c). The checks a configuration must pass are in
 * config_check.c.
 */
#include "config_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

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
	bool is64;
	bool sbrk;
	bool wasm;
	bool windows;
	uint64_t phys_page_size; /* Go: physPageSize as the OS reports it */
	unsigned address_bits;
	enum hg_placement placement;
};

static const struct hg_platform_info hg_platforms[HG_PLAT_COUNT] = {
	[HG_PLAT_LINUX_AMD64] = { true, false, false, false, 4 * HG_KiB, 47,
				  HG_PLACE_TOPDOWN },
	[HG_PLAT_LINUX_ARM64] = { true, false, false, false, 4 * HG_KiB, 48,
				  HG_PLACE_TOPDOWN },
	[HG_PLAT_LINUX_386] = { false, false, false, false, 4 * HG_KiB, 32,
				HG_PLACE_TOPDOWN },
	[HG_PLAT_WINDOWS_AMD64] = { true, false, false, true, 4 * HG_KiB, 47,
				    HG_PLACE_BOTTOMUP },
	[HG_PLAT_WINDOWS_386] = { false, false, false, true, 4 * HG_KiB, 31,
				  HG_PLACE_BOTTOMUP },
	/* Go: osinit sets physPageSize = 64K, runtime/os_wasm.go */
	[HG_PLAT_JS_WASM] = { false, true, true, false, 64 * HG_KiB, 32,
			      HG_PLACE_BOTTOMUP },
	[HG_PLAT_WASIP1_WASM] = { false, true, true, false, 64 * HG_KiB, 32,
				  HG_PLACE_BOTTOMUP },
	/* Go: the "pagesize" of /dev/swap, else 4096, runtime/os_plan9.go */
	[HG_PLAT_PLAN9_386] = { false, true, false, false, 4 * HG_KiB, 32,
				HG_PLACE_BOTTOMUP },
	[HG_PLAT_PLAN9_AMD64] = { true, true, false, false, 4 * HG_KiB, 47,
				  HG_PLACE_BOTTOMUP },
};

/* The platforms' names, the values of the key platform. */
const char *const hg_cfg_platform_names[HG_PLAT_COUNT + 1] = {
	[HG_PLAT_LINUX_AMD64] = "linux/amd64",
	[HG_PLAT_LINUX_ARM64] = "linux/arm64",
	[HG_PLAT_LINUX_386] = "linux/386",
	[HG_PLAT_WINDOWS_AMD64] = "windows/amd64",
	[HG_PLAT_WINDOWS_386] = "windows/386",
	[HG_PLAT_JS_WASM] = "js/wasm",
	[HG_PLAT_WASIP1_WASM] = "wasip1/wasm",
	[HG_PLAT_PLAN9_386] = "plan9/386",
	[HG_PLAT_PLAN9_AMD64] = "plan9/amd64",
	[HG_PLAT_COUNT] = NULL,
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
	return hg_cfg_platform_names[p];
}

int hg_platform_parse(const char *name, enum hg_platform *out)
{
	if (!name)
		return HG_EINVAL;
	for (unsigned i = 0; i < HG_PLAT_COUNT; i++) {
		if (strcmp(name, hg_cfg_platform_names[i]) == 0) {
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
/* Go versions                                                         */
/* ------------------------------------------------------------------ */

/* The releases where a modeled constant or policy changes, and their
 * neighbours; any 1.N in between is accepted too. */
const char *const hg_go_presets[] = {
	"1.4",  "1.5",  "1.8",  "1.9",  "1.10", "1.11", "1.12",
	"1.13", "1.14", "1.16", "1.17", "1.19", "1.20", "1.21",
	"1.23", "1.24", "1.25", "1.26", NULL,
};

bool hg_cfg_parse_uint(const char **s, unsigned *out)
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
	if (!hg_cfg_parse_uint(&s, &major) || major != 1 || *s++ != '.')
		return HG_EINVAL;
	if (!hg_cfg_parse_uint(&s, &n))
		return HG_EINVAL;
	if (*s == '.') {
		s++;
		if (!hg_cfg_parse_uint(&s, &patch))
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
 * hg_cfg_huge_page_size: Linux's transparent huge page size,
 * /sys/kernel/mm/transparent_hugepage/hpage_pmd_size, which Go reads into
 * physHugePageSize (runtime/os_linux.go); 0 on every other OS. A PMD entry
 * maps one page table of phys/8 entries: 2M with 4K pages, 32M with 16K,
 * 512M with 64K (arm64). linux/386 gets 2M: a 386 process on a 64-bit or
 * PAE kernel (a non-PAE kernel would say 4M).
 */
uint64_t hg_cfg_huge_page_size(enum hg_platform p, uint64_t phys)
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

/* ------------------------------------------------------------------ */
/* The defaults of the config keys                                     */
/* ------------------------------------------------------------------ */

/*
 * Each sets one key's default for c's platform and Go version (c->go
 * already holds the version: platform and go come first in the key
 * table). They are called for every key that was not set explicitly.
 */

void hg_cfg_default_platform(struct hg_config *c)
{
	c->platform = HG_PLAT_LINUX_AMD64;
}

void hg_cfg_default_go(struct hg_config *c)
{
	snprintf(c->go, sizeof(c->go), "%s", HG_GO_NEWEST);
}

void hg_cfg_default_phys_page_size(struct hg_config *c)
{
	c->phys_page_size = hg_plat(c->platform)->phys_page_size;
}

void hg_cfg_default_phys_huge_page_size(struct hg_config *c)
{
	c->phys_huge_page_size =
		hg_cfg_huge_page_size(c->platform, c->phys_page_size);
}

void hg_cfg_default_page_size(struct hg_config *c)
{
	c->page_size = 8 * HG_KiB; /* Go: pageSize, runtime/malloc.go */
}

void hg_cfg_default_arena_size(struct hg_config *c)
{
	uint64_t arena, chunk;

	hg_arena_sizes(c->platform, hg_config_go_minor(c), &arena, &chunk);
	c->arena_size = arena;
}

void hg_cfg_default_chunk_size(struct hg_config *c)
{
	uint64_t arena, chunk;

	hg_arena_sizes(c->platform, hg_config_go_minor(c), &arena, &chunk);
	c->chunk_size = chunk;
}

void hg_cfg_default_address_bits(struct hg_config *c)
{
	c->address_bits = hg_plat(c->platform)->address_bits;
}

void hg_cfg_default_commit_limit(struct hg_config *c)
{
	c->commit_limit = 0;
}

void hg_cfg_default_initial_memory(struct hg_config *c)
{
	c->initial_memory = 0; /* auto: hg_config_initial_memory() */
}

void hg_cfg_default_module_end(struct hg_config *c)
{
	c->module_end = 1 * HG_MiB;
}

/* on: each P its own caches, as in every release with Ps (go1.1+) */
void hg_cfg_default_per_p_caches(struct hg_config *c)
{
	c->per_p_caches = true;
}

/* the per-P page cache, runtime/mpagecache.go, is new in go1.14 */
void hg_cfg_default_page_cache(struct hg_config *c)
{
	c->page_cache = hg_config_go_minor(c) >= 14;
}

/* 0: the Ps are those the trace's proc events name (Go's default is the
 * number of CPUs, which a trace does not record) */
void hg_cfg_default_gomaxprocs(struct hg_config *c)
{
	c->gomaxprocs = 0;
}

/* 0: no padding unless randomize_heap_base draws it */
void hg_cfg_default_heap_padding(struct hg_config *c)
{
	c->heap_padding = 0;
}

/* 0: the heap base is Go's fixed one, or drawn from randomize_heap_base's
 * seed */
void hg_cfg_default_heap_base(struct hg_config *c)
{
	c->heap_base = 0;
}

/* one page: the runtime's first span, for its own small objects (schedinit
 * allocates before main runs) */
void hg_cfg_default_startup_alloc(struct hg_config *c)
{
	c->startup_alloc = 8192;
}

/* Go: GOGC unset is 100 */
void hg_cfg_default_gogc(struct hg_config *c)
{
	c->gogc = 100;
}

/* Go: GOMEMLIMIT unset is math.MaxInt64 */
void hg_cfg_default_memory_limit(struct hg_config *c)
{
	c->memory_limit = INT64_MAX;
}

/* paced: a trace with objects and no gc events gets the pacer's cycles;
 * the first gc event of a trace that leaves the key unset switches the
 * replay to its own cycles (mgcpacer.c); the importers of Go's traces set
 * trace */
void hg_cfg_default_gc(struct hg_config *c)
{
	c->gc = HG_GC_PACED;
}

/* false: a mark is a label; the go-trace and go-allocfreetrace importers
 * set true (a program marks where it reads MemStats, README "Replaying a
 * real program") */
void hg_cfg_default_mark_readmemstats(struct hg_config *c)
{
	c->mark_readmemstats = false;
}

/*
 * Whether the profiler's hash table is mapped at start-up in a program
 * that does not link runtime.MemProfile (the linker's
 * disableMemoryProfiling: schedinit sets MemProfileRate to 0). From
 * go1.26 on the Unix platforms (linux here) it is: 300d9d2714 (go1.26)
 * parses GODEBUG before mallocinit where the environment is there that
 * early (Go: getGodebugEarly), so mcommoninit's mProfStackInit already
 * gives m0 its profStack (2141315251, go1.23); each mcache caches the rate
 * it last sampled at (31437f25f2, go1.24: memProfRate, 0 in a new mcache)
 * and malloc samples whenever MemProfileRate differs from it. m0's first
 * allocation samples at 512 KiB (dropped: no profStack yet); schedinit
 * then sets the rate to 0, and the next allocation, mProfStackInit's
 * second buffer, samples again: mProf_Malloc has a profStack now, and
 * stkbucket maps buckhash. Before go1.26, and on the platforms that read
 * GODEBUG later (windows, wasm, plan9), m0 has no profStack at that
 * sample and it is dropped. Measured (tests/real/memprof): BuckHashSys
 * 1442634 at main under go1.26.8 linux/amd64 (722047 linux/386, 1442523
 * go1.27.3), 2418 with GODEBUG=profstackdepth=0, a few KiB under go1.19,
 * go1.21, go1.22, go1.23 and under go1.26 js/wasm.
 */
void hg_cfg_default_mem_profile(struct hg_config *c)
{
	const struct hg_platform_info *pi = hg_plat(c->platform);

	c->mem_profile =
		hg_config_go_minor(c) >= 26 && !pi->windows && !pi->sbrk;
}

/* on: the scavenger runs in every release that has one (go1.13+) */
void hg_cfg_default_scavenger(struct hg_config *c)
{
	c->scavenger = true;
}

/* time: on the trace's clock where it has time events (the Go 1.26
 * recordings: marks right after a gc see none of its release yet), at
 * once at each gc where it has none (README "The scavengers") */
void hg_cfg_default_scavenger_pace(struct hg_config *c)
{
	c->scavenger_pace = HG_SCAV_PACE_TIME;
}

/* on from go1.21, whose scavenge index has generations and chunk
 * densities (mgcscavenge.go scavengeIndex.nextGen, shouldScavenge; go1.19
 * and go1.20 keep one search address for every scavenge) */
void hg_cfg_default_scavenger_gens(struct hg_config *c)
{
	c->scavenger_gens = hg_config_go_minor(c) >= 21;
}

/* on: every release that scavenges at a heap growth does (go1.12+,
 * core/mgcpacer.c hg_scavenge_on_grow) */
void hg_cfg_default_scavenger_grow(struct hg_config *c)
{
	c->scavenger_grow = true;
}

/* 12 us, every release: the TLB shootdown that madvise(MADV_DONTNEED)
 * of resident pages waits for while a thread of the program runs on
 * another CPU, measured by tests/real/relcost (core/mgcpacer.c) */
void hg_cfg_default_scavenger_shootdown_ns(struct hg_config *c)
{
	c->scavenger_shootdown_ns = 12000;
}

/* on from go1.21 (8d68b388d4: gcMarkTermination flushes each idle P's
 * page cache; go1.19 and go1.20 flush none at a gc) */
void hg_cfg_default_page_cache_flush(struct hg_config *c)
{
	c->page_cache_flush = hg_config_go_minor(c) >= 21;
}

/* false: a hand-written trace starts from an empty heap; the
 * go-allocfreetrace importer sets it (core/runtime_start.c) */
void hg_cfg_default_runtime_start(struct hg_config *c)
{
	c->runtime_start = false;
}

/* true where it is modeled: on the sbrk platforms from go1.14, whose
 * sysAlloc takes the metadata from the break (core/runtime_meta.c) */
void hg_cfg_default_runtime_metadata(struct hg_config *c)
{
	c->runtime_metadata =
		hg_platform_is_sbrk(c->platform) && hg_config_go_minor(c) >= 14;
}

void hg_cfg_default_randomize_heap_base(struct hg_config *c)
{
	c->randomize_heap_base = false;
	c->heap_base_seed = 0;
}

void hg_cfg_default_placement(struct hg_config *c)
{
	c->placement = hg_plat(c->platform)->placement;
}

void hg_cfg_default_policy_sbrk(struct hg_config *c)
{
	c->policy_sbrk = hg_sbrk_policy(c->platform, hg_config_go_minor(c));
}

/* e5a5c03f5b (go1.8.3) rejects lower blocks (#20259); 13ae3b3a8d (go1.9)
 * strandLimit; 2b415549b8 (go1.11) sparse heap */
void hg_cfg_default_policy_arena(struct hg_config *c)
{
	unsigned n = hg_config_go_minor(c);

	c->policy_arena = n <= 7    ? HG_ARENA_LINEAR_GO17
			  : n <= 8  ? HG_ARENA_LINEAR_GO18
			  : n <= 10 ? HG_ARENA_LINEAR
				    : HG_ARENA_SPARSE;
}

/* bd6aeca968 (go1.17) sysMap in grow */
void hg_cfg_default_policy_prepare(struct hg_config *c)
{
	c->policy_prepare = hg_config_go_minor(c) >= 17 ? HG_PREPARE_GROW
							: HG_PREPARE_SYSALLOC;
}

/* f18109d7e3 (go1.14) curArena */
void hg_cfg_default_policy_grow(struct hg_config *c)
{
	c->policy_grow = hg_config_go_minor(c) >= 14 ? HG_GROW_INCREMENTAL
						     : HG_GROW_WHOLE_ARENA;
}

/* fb75f856df (go1.5) Plan 9 free list */
void hg_cfg_default_policy_sbrk_free(struct hg_config *c)
{
	c->policy_sbrk_free = hg_config_go_minor(c) >= 5
				      ? HG_SBRK_FREE_FREELIST
				      : HG_SBRK_FREE_TOP_ONLY;
}

/* ------------------------------------------------------------------ */
/* Derived values                                                      */
/* ------------------------------------------------------------------ */

/* align_up_sat rounds v up to a multiple of a, saturating at the top. */
static uint64_t align_up_sat(uint64_t v, uint64_t a)
{
	if (v > UINT64_MAX - (a - 1))
		return HG_ALIGN_DOWN(UINT64_MAX, a);
	return HG_ALIGN_UP(v, a);
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
			return HG_ALIGN_DOWN(UINT64_MAX, wasm_page);
		if (n >= 24) /* 24bc473173: runtime.end + 1 MiB, floor */
			return HG_ALIGN_DOWN(end + 1 * HG_MiB, wasm_page);
		if (n >= 14) /* 30521d5126: data end + 16 MiB; bss ignored,
			      * so module_end stands in for the data end */
			return HG_ALIGN_DOWN(end + 16 * HG_MiB, wasm_page);
		if (n == 13) { /* 460f9c6068: a fixed 16 MiB */
			uint64_t m = align_up_sat(end, wasm_page);
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
		return align_up_sat(end, pg);
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
