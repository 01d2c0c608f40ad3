/*
 * arena.c - where heap arenas come from (runtime/malloc.go): mallocinit's
 * arena hints and 32-bit pre-reservation, (*mheap).sysAlloc, linearAlloc,
 * persistentalloc, and the runtime metadata the model accounts for.
 *
 * Metadata modeled (all off-heap, class sys or reserved):
 *  - the arena index (Go: mheap_.arenas L2 blocks, sysAllocOS, in no stat);
 *  - one heapArena per arena (persistentalloc on 64-bit, heapArenaAlloc on
 *    32-bit), sized as Go's heapArena struct;
 *  - the page allocator's summary levels and, on 64-bit, its scavenge
 *    index: reserved whole at start, mapped page by page as the heap grows
 *    (Go: (*pageAlloc).sysInit/sysGrow, (*scavengeIndex).sysGrow);
 *  - the page allocator's chunk bitmaps (Go: pageAlloc.chunks L2 blocks).
 * Not modeled: spans, mcaches, GC bitmaps and other fixalloc'd structures,
 * which depend on the object-level workload.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

static bool is_amd64(const struct hg_config *cfg)
{
	return cfg->platform == HG_PLAT_LINUX_AMD64 ||
	       cfg->platform == HG_PLAT_WINDOWS_AMD64 ||
	       cfg->platform == HG_PLAT_PLAN9_AMD64;
}

static unsigned ilog2(uint64_t x)
{
	unsigned n = 0;
	while (x > 1) {
		x >>= 1;
		n++;
	}
	return n;
}

/* Go: heapAddrBits, runtime/malloc.go. */
static unsigned heap_addr_bits(const struct hg_config *cfg)
{
	return hg_platform_is_64bit(cfg->platform) ? 48 : 32;
}

/* Go: arenaBaseOffset: amd64 addresses are offset so the heap index is dense.
 */
static uint64_t arena_base_offset(const struct hg_config *cfg)
{
	return is_amd64(cfg) ? 0xffff800000000000ull : 0;
}

/* Go: arenaIndex, runtime/mheap.go, with arenaBits = heapAddrBits -
 * logHeapArenaBytes. */
static uint64_t arena_index(const struct hg_model *m, hg_addr p)
{
	return (p - arena_base_offset(&m->cfg)) >> ilog2(m->cfg.arena_size);
}

static uint64_t arena_count_max(const struct hg_model *m)
{
	return (uint64_t)1 << (heap_addr_bits(&m->cfg) -
			       ilog2(m->cfg.arena_size));
}

/* Go: arenaL1Bits: 6 on windows/64, 0 elsewhere. */
static unsigned arena_l1_bits(const struct hg_config *cfg)
{
	return cfg->platform == HG_PLAT_WINDOWS_AMD64 ? 6 : 0;
}

/* goarch.PtrSize: wasm has 64-bit pointers in a 32-bit heap. */
static uint64_t ptr_size(const struct hg_config *cfg)
{
	return hg_platform_is_64bit(cfg->platform) ||
			       hg_platform_is_wasm(cfg->platform)
		       ? 8
		       : 4;
}

/*
 * Go: unsafe.Sizeof(heapArena{}) of the release modeled: the spans array,
 * the heap bitmap while it lived in the arena (2 bits a word until go1.19,
 * 1 bit a word plus noMorePtrs in go1.20-1.21), and the per-page bitmaps
 * (pageInUse from go1.12, pageMarks and zeroedBase from go1.13,
 * pageSpecials from go1.15, checkmarks from go1.16,
 * pageUseSpanInlineMarkBits from go1.25).
 */
static uint64_t heap_arena_size(const struct hg_config *cfg)
{
	unsigned minor = hg_config_go_minor(cfg);
	uint64_t ptr = ptr_size(cfg);
	uint64_t pages = cfg->arena_size / cfg->page_size;
	uint64_t size = pages * ptr;
	if (minor <= 19)
		size += cfg->arena_size / (ptr * 8 / 2);
	else if (minor <= 21)
		size += cfg->arena_size / (ptr * 8) + pages / 8;
	size += (pages / 8) *
		((minor >= 12) + (minor >= 13) + (minor >= 15) + (minor >= 25));
	size += ptr * ((minor >= 13) + (minor >= 16));
	return size;
}

/* ------------------------------------------------------------------ */
/* linearAlloc and persistentalloc                                     */
/* ------------------------------------------------------------------ */

/* Go: (*linearAlloc).init, runtime/malloc.go. */
static void linear_init(struct hg_linear_alloc *l, hg_addr base, uint64_t size,
			bool map_memory)
{
	l->next = l->mapped = base;
	l->end = base + size;
	l->map_memory = map_memory;
}

/* Go: (*linearAlloc).alloc: bump, mapping (Reserved -> Ready) as it goes. */
static hg_addr linear_alloc(struct hg_model *m, struct hg_linear_alloc *l,
			    uint64_t size, uint64_t align, uint64_t *stat)
{
	if (l->end == 0)
		return 0;
	hg_addr p = HG_ALIGN_UP(l->next, align);
	if (p + size > l->end)
		return 0;
	l->next = p + size;
	hg_addr pend = HG_ALIGN_UP(l->next - 1, m->cfg.phys_page_size);
	if (pend > l->mapped) {
		if (l->map_memory &&
		    hg_map_sys_ready(m, l->mapped, pend - l->mapped, stat))
			return 0;
		l->mapped = pend;
	}
	return p;
}

/*
 * Reserved -> Prepared -> Ready for runtime metadata (sysMap then sysUsed,
 * as linearAlloc and the page allocator's sysGrow do): class sys.
 */
int hg_map_sys_ready(struct hg_model *m, hg_addr v, uint64_t n, uint64_t *stat)
{
	if (hg_sys_map(m, v, n, stat))
		return HG_EOOM;
	/* A failed commit throws; the range is the runtime's either way.
	 * Where sysMap already committed (old Windows), nothing more is. */
	int err = hg_sys_used(m, v, n, m->os.map_commits ? 0 : n);
	if (hg_vas_set(&m->os.vas, v, v + n, HG_MEM_READY, -1))
		return hg_os_enomem(&m->os);
	m->c_sys += n;
	return err;
}

#define PERSISTENT_CHUNK (256u << 10) /* Go: persistentChunkSize */

/* hg_sys_alloc for metadata the runtime never frees (persistentalloc's
 * chunks and large blocks, the arena index and chunk-bitmap blocks): the
 * simulated OS keeps touching ones as one mapping. */
static hg_addr sys_alloc_persistent(struct hg_model *m, uint64_t size,
				    uint64_t *stat)
{
	m->os.persistent = true;
	hg_addr v = hg_sys_alloc(m, size, stat);
	m->os.persistent = false;
	return v;
}

/* Go: persistentalloc1, runtime/malloc.go (one P, no per-P chunks). */
static hg_addr persistent_alloc(struct hg_model *m, uint64_t size,
				uint64_t align)
{
	uint64_t max_block = 64 << 10; /* Go: maxBlock */
	if (size >= max_block)
		return sys_alloc_persistent(m, size, &m->hs.gc_misc_sys);
	m->persistent_off = HG_ALIGN_UP(m->persistent_off, align);
	if (m->persistent_base == 0 ||
	    m->persistent_off + size > PERSISTENT_CHUNK) {
		m->persistent_base = sys_alloc_persistent(m, PERSISTENT_CHUNK,
							  &m->hs.other_sys);
		if (m->persistent_base == 0)
			return 0;
		/* Go: the chunk's first word links the chunks together. */
		m->persistent_off = HG_ALIGN_UP(ptr_size(&m->cfg), align);
	}
	hg_addr p = m->persistent_base + m->persistent_off;
	m->persistent_off += size;
	return p;
}

/* ------------------------------------------------------------------ */
/* Page-allocator metadata (Go: mpagealloc_64bit.go, mpagealloc_32bit.go) */
/* ------------------------------------------------------------------ */

/*
 * A metadata array reserved whole and mapped page by page: base, entry
 * size, and a bitmap of the physical pages already mapped.
 */
struct hg_meta_array {
	hg_addr base;
	uint64_t bytes;
	uint64_t *mapped; /* one bit per physical page */
};

struct hg_pagemeta {
	struct hg_meta_array level[5];
	unsigned nlevels;
	unsigned shift[5]; /* Go: levelShift */
	unsigned bits[5];  /* Go: levelBits */
	struct hg_meta_array scav_index;
	uint64_t scav_bits;          /* bits per chunk (0: no index) */
	uint64_t scav_min, scav_max; /* Go: scavengeIndex.min/max (bytes) */
	unsigned char *chunk_l2; /* Go: pageAlloc.chunks L1: which L2 exist */
	uint64_t chunk_l2_count;
};

static struct hg_pagemeta *pagemeta(struct hg_model *m)
{
	return (struct hg_pagemeta *)m->pagemeta;
}

#define HG_THROW_SUMMARY "failed to reserve page summary memory"

/* Reserve a metadata array; when the OS refuses, the runtime throws
 * what (Go's message for the summaries; Go does not check the scavenge
 * index's reservation, which would fault at its first use). */
static int meta_reserve(struct hg_model *m, struct hg_meta_array *a,
			uint64_t bytes, const char *what)
{
	uint64_t pg = m->cfg.phys_page_size;
	a->bytes = HG_ALIGN_UP(bytes, pg);
	a->base = hg_sys_reserve(m, 0, a->bytes);
	if (a->base == 0) {
		hg_mheap_throw(m, "%s", what);
		return HG_EOOM;
	}
	a->mapped = calloc((a->bytes / pg + 63) / 64, 8);
	return a->mapped ? HG_OK : hg_os_enomem(&m->os);
}

/* Map (Reserved -> Ready) the pages of byte range [lo, hi) of a not yet mapped.
 */
static int meta_map(struct hg_model *m, struct hg_meta_array *a, uint64_t lo,
		    uint64_t hi)
{
	uint64_t pg = m->cfg.phys_page_size;
	lo = HG_ALIGN_DOWN(lo, pg) / pg;
	hi = HG_ALIGN_UP(hi, pg) / pg;
	uint64_t run = 0;
	for (uint64_t i = lo; i <= hi; i++) {
		bool need = i < hi && !(a->mapped[i / 64] >> (i % 64) & 1);
		if (need) {
			a->mapped[i / 64] |= 1ull << (i % 64);
			run++;
			continue;
		}
		if (run) {
			hg_addr v = a->base + (i - run) * pg;
			if (hg_map_sys_ready(m, v, run * pg,
					     &m->hs.gc_misc_sys))
				return HG_EOOM;
			run = 0;
		}
	}
	return HG_OK;
}

/* Go: (*pageAlloc).sysInit. */
static int pagemeta_init(struct hg_model *m)
{
	struct hg_pagemeta *pm = calloc(1, sizeof(*pm));
	if (!pm)
		return HG_ENOMEM;
	m->pagemeta = pm;
	unsigned addr_bits = heap_addr_bits(&m->cfg);
	unsigned chunk_shift = ilog2(m->cfg.chunk_size);
	pm->nlevels = hg_platform_is_64bit(m->cfg.platform) ? 5 : 4;
	uint64_t total = 0;
	for (unsigned l = 0; l < pm->nlevels; l++) {
		pm->shift[l] = chunk_shift + 3 * (pm->nlevels - 1 - l);
		pm->bits[l] = l == 0 ? addr_bits - pm->shift[0] : 3;
		total += ((uint64_t)1 << (addr_bits - pm->shift[l])) * 8;
	}
	if (hg_platform_is_64bit(m->cfg.platform)) {
		/* Go, mpagealloc_64bit.go: a reservation per level. */
		for (unsigned l = 0; l < pm->nlevels; l++) {
			uint64_t entries = (uint64_t)1
					   << (addr_bits - pm->shift[l]);
			int err = meta_reserve(m, &pm->level[l], entries * 8,
					       HG_THROW_SUMMARY);
			if (err)
				return err;
		}
	} else {
		/* Go, mpagealloc_32bit.go: all levels in one region, mapped
		 * and used at once. */
		int err =
			meta_reserve(m, &pm->level[0], total, HG_THROW_SUMMARY);
		if (!err)
			err = meta_map(m, &pm->level[0], 0, pm->level[0].bytes);
		if (err)
			return err;
	}
	/* Go: scavengeIndex (go1.19-1.20: a bit a chunk; 8 bytes a chunk
	 * from go1.21), reserved for the whole address space on 64-bit; a
	 * static array on 32-bit. */
	unsigned minor = hg_config_go_minor(&m->cfg);
	if (hg_platform_is_64bit(m->cfg.platform) && minor >= 19) {
		pm->scav_bits = minor >= 21 ? 64 : 1;
		uint64_t chunks = (uint64_t)1 << (addr_bits - chunk_shift);
		int err = meta_reserve(
			m, &pm->scav_index, chunks * pm->scav_bits / 8,
			"failed to reserve scavenge index memory");
		if (err)
			return err;
	}
	unsigned l1bits = hg_platform_is_64bit(m->cfg.platform)
				  ? 13
				  : 0; /* pallocChunksL1Bits */
	pm->chunk_l2_count = (uint64_t)1 << l1bits;
	pm->chunk_l2 = calloc(pm->chunk_l2_count, 1);
	return pm->chunk_l2 ? HG_OK : HG_ENOMEM;
}

/* Go: (*pageAlloc).sysGrow and the chunk-bitmap part of (*pageAlloc).grow. */
int hg_pagemeta_grow(struct hg_model *m, hg_addr base, hg_addr limit)
{
	struct hg_pagemeta *pm = pagemeta(m);
	if (!pm) /* the linear arenas predate the page allocator */
		return HG_OK;
	uint64_t off = arena_base_offset(&m->cfg);
	unsigned addr_bits = heap_addr_bits(&m->cfg);
	uint64_t mask =
		addr_bits >= 64 ? ~0ull : ((uint64_t)1 << addr_bits) - 1;
	uint64_t ob = (base - off) & mask, ol = ((limit - 1 - off) & mask) + 1;
	if (hg_platform_is_64bit(m->cfg.platform)) {
		for (unsigned l = 0; l < pm->nlevels; l++) {
			uint64_t lo = ob >> pm->shift[l];
			uint64_t hi = ((ol - 1) >> pm->shift[l]) + 1;
			/* Go: blockAlignSummaryRange: whole blocks of
			 * 1 << levelBits[l] entries (all of level 0). */
			uint64_t e = (uint64_t)1 << pm->bits[l];
			lo = HG_ALIGN_DOWN(lo, e);
			hi = HG_ALIGN_UP(hi, e);
			int err = meta_map(m, &pm->level[l], lo * 8, hi * 8);
			if (err)
				return err;
		}
	}
	if (pm->scav_bits) {
		/* Go: (*scavengeIndex).grow (go1.19-1.20), sysGrow (go1.21+):
		 * one contiguous [min, max) of the index's bytes. */
		unsigned cs = ilog2(m->cfg.chunk_size);
		uint64_t phys = m->cfg.phys_page_size;
		uint64_t need_min =
			HG_ALIGN_DOWN((ob >> cs) * pm->scav_bits / 8, phys);
		uint64_t need_max =
			HG_ALIGN_UP(((ol >> cs) * pm->scav_bits + 7) / 8, phys);
		if (need_max < pm->scav_min)
			need_max = pm->scav_min;
		/* go1.19 and go1.20 extend the range down to the top of what
		 * is mapped even before anything is: the first growth maps
		 * the index from its start (on linux/amd64, where chunk
		 * indices start at the arena base offset, 4 MiB for the
		 * first heap at 0xc000000000: the recordings' GCSys); go1.21
		 * maps from the top only once there is one (8fa9e3beee). */
		if ((pm->scav_max || hg_config_go_minor(&m->cfg) < 21) &&
		    need_min > pm->scav_max)
			need_min = pm->scav_max;
		int err = meta_map(m, &pm->scav_index, need_min, need_max);
		if (err)
			return err;
		if (!pm->scav_max || need_min < pm->scav_min)
			pm->scav_min = need_min;
		if (need_max > pm->scav_max)
			pm->scav_max = need_max;
	}
	/* Chunk bitmaps: one L2 block of pallocData (two bitmaps per chunk). */
	unsigned cs = ilog2(m->cfg.chunk_size);
	unsigned chunk_bits = addr_bits - cs;
	unsigned l2bits = hg_platform_is_64bit(m->cfg.platform)
				  ? chunk_bits - 13
				  : chunk_bits;
	for (uint64_t c = ob >> cs; c <= (ol - 1) >> cs; c++) {
		uint64_t l1 = c >> l2bits;
		if (pm->chunk_l2[l1])
			continue;
		uint64_t per_chunk =
			2 * (m->cfg.chunk_size / m->cfg.page_size / 8);
		uint64_t bytes = ((uint64_t)1 << l2bits) * per_chunk;
		if (!sys_alloc_persistent(m, bytes, &m->hs.gc_misc_sys)) {
			hg_mheap_throw(m, "pageAlloc: out of memory");
			return HG_EOOM;
		}
		pm->chunk_l2[l1] = 1;
	}
	return HG_OK;
}

/* The metadata arrays reserved at start, for the pictures (address order). */
int hg_model_metadata(struct hg_model *m, hg_region_fn fn, void *arg)
{
	struct hg_pagemeta *pm = pagemeta(m);
	const struct hg_meta_array *v[6];
	size_t n = 0;
	if (!pm)
		return 0;
	for (unsigned l = 0; l < pm->nlevels; l++)
		if (pm->level[l].bytes)
			v[n++] = &pm->level[l];
	if (pm->scav_index.bytes)
		v[n++] = &pm->scav_index;
	for (size_t i = 1; i < n; i++) /* insertion sort by base */
		for (size_t j = i; j > 0 && v[j]->base < v[j - 1]->base; j--) {
			const struct hg_meta_array *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		int rc = fn(arg, v[i]->base, v[i]->base + v[i]->bytes,
			    HG_CLASS_NONE);
		if (rc)
			return rc;
	}
	return 0;
}

static void pagemeta_free(struct hg_model *m)
{
	struct hg_pagemeta *pm = pagemeta(m);
	if (!pm)
		return;
	for (unsigned l = 0; l < 5; l++)
		free(pm->level[l].mapped);
	free(pm->scav_index.mapped);
	free(pm->chunk_l2);
	free(pm);
	m->pagemeta = NULL;
}

/* ------------------------------------------------------------------ */
/* Hints                                                               */
/* ------------------------------------------------------------------ */

/* Push a hint on the head of the list (Go: hint.next, list = list, hint). */
static int hint_push(struct hg_model *m, hg_addr addr, bool down)
{
	if (m->nhints == m->hints_cap) {
		size_t ncap = m->hints_cap ? m->hints_cap * 2 : 128;
		struct hg_arena_hint *nh =
			realloc(m->hints, ncap * sizeof(*nh));
		if (!nh)
			return HG_ENOMEM;
		m->hints = nh;
		m->hints_cap = ncap;
	}
	m->hints[m->nhints].addr = addr;
	m->hints[m->nhints].down = down;
	m->nhints++;
	return HG_OK;
}

/* Next random bits for randomize_heap_base (splitmix64 from the seed). */
static uint64_t heap_rand_bits(struct hg_model *m, unsigned bits)
{
	uint64_t z = (m->rand_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return bits >= 64 ? z : z & (((uint64_t)1 << bits) - 1);
}

uint64_t hg_heap_rand_bits(struct hg_model *m, unsigned bits)
{
	return heap_rand_bits(m, bits);
}

/* Go: the 64-bit half of mallocinit's hint setup. */
static int init_hints_64(struct hg_model *m)
{
	hg_addr prefix = m->cfg.platform == HG_PLAT_LINUX_ARM64
				 ? 0x0040ull << 32
				 : 0x00c0ull << 32;
	hg_addr rand_base = 0;
	unsigned rbits =
		heap_addr_bits(&m->cfg) - 1 - (is_amd64(&m->cfg) ? 1 : 0);
	unsigned char rand_prefix = 0;
	if (m->randomize) {
		m->rand_state = m->cfg.heap_base_seed;
		if (m->cfg.heap_base) {
			/* A recorded run's base: its first chunk's arena is
			 * what Go's draw gave that run (the hint for i = 0
			 * below is then rand_base itself). */
			rand_base = HG_ALIGN_DOWN(m->cfg.heap_base,
						  m->cfg.arena_size);
		} else {
			unsigned top = rbits - ilog2(m->cfg.arena_size);
			rand_base = heap_rand_bits(m, top) << (rbits - top);
			rand_base = HG_ALIGN_UP(rand_base, m->cfg.arena_size);
		}
		rand_prefix = (unsigned char)(rand_base >> (rbits - 8));
	}
	/* Hints i = 0x3f..0 go to the heap list; 0x7f..0x40 to user arenas. */
	for (int i = 0x3f; i >= 0; i--) {
		hg_addr p;
		if (m->randomize) {
			/* Go: randHeapBasePrefixMask clears the top byte of
			 * heapAddrBits, not of the randomized bits. */
			hg_addr mask = ~((hg_addr)0xff
					 << (heap_addr_bits(&m->cfg) - 8));
			p = (hg_addr)(unsigned char)(rand_prefix + i)
				    << (rbits - 8) |
			    (rand_base & mask);
		} else {
			p = (hg_addr)i << 40 | prefix;
		}
		int err = hint_push(m, p, false);
		if (err)
			return err;
	}
	return HG_OK;
}

/* Go: the 32-bit half of mallocinit: metadata space, then a big reservation. */
static int init_32(struct hg_model *m)
{
	uint64_t meta_size = arena_count_max(m) * heap_arena_size(&m->cfg);
	hg_addr meta = hg_sys_reserve(m, 0, meta_size);
	if (meta)
		linear_init(&m->heap_arena_alloc, meta, meta_size, true);
	/* The end of the binary (brk starts there with randomisation off). */
	hg_addr p = m->os.image_end;
	if (m->heap_arena_alloc.next <= p && p < m->heap_arena_alloc.end)
		p = m->heap_arena_alloc.end;
	p = HG_ALIGN_UP(p + (256 << 10), m->cfg.arena_size);
	static const uint64_t sizes[] = { 512 << 20, 256 << 20, 128 << 20 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t got = 0;
		hg_addr a = hg_sys_reserve_aligned(m, p, sizes[i],
						   m->cfg.arena_size, &got);
		if (m->dead)
			return HG_EOOM;
		if (a) {
			linear_init(&m->arena, a, got, false);
			p = m->arena.end;
			break;
		}
	}
	return hint_push(m, p, false);
}

/* Go: mallocinit (the heap parts) and (*pageAlloc).init. */
int hg_mallocinit(struct hg_model *m)
{
	if (m->cfg.policy_arena != HG_ARENA_SPARSE)
		return hg_linear_init(m);
	/* The bitmap page allocator and its metadata came with go1.14;
	 * (*pageAlloc).init's first persistentalloc comes before them. */
	if (hg_config_go_minor(&m->cfg) >= 14) {
		int err = hg_rtmeta_mallocinit(m);
		if (!err)
			err = pagemeta_init(m);
		if (err)
			return err;
	}
	/* Go 1.24+ makes no hints on sbrk platforms: the break only grows. */
	if (m->os.ops->aligned_sbrk && m->os.ops->aligned_sbrk(&m->os))
		return HG_OK;
	/* Before, wasm (64-bit pointers) made the 64-bit hints; each is
	 * dropped at its first use, outside wasm's 32-bit arena index. */
	if (ptr_size(&m->cfg) == 8)
		return init_hints_64(m);
	return init_32(m);
}

void hg_arena_release(struct hg_model *m)
{
	pagemeta_free(m);
	hg_rtmeta_release(m);
	free(m->hints);
	free(m->arenas);
	free(m->arena_l2);
	m->hints = NULL;
	m->arenas = NULL;
	m->arena_l2 = NULL;
}

/* ------------------------------------------------------------------ */
/* (*mheap).sysAlloc                                                   */
/* ------------------------------------------------------------------ */

/* Record the arenas of [v, v+size): index blocks, heapArena, the list. */
static int arenas_register(struct hg_model *m, hg_addr v, uint64_t size)
{
	unsigned l1bits = arena_l1_bits(&m->cfg);
	unsigned abits = heap_addr_bits(&m->cfg) - ilog2(m->cfg.arena_size);
	unsigned l2bits = abits - l1bits;
	if (!m->arena_l2) {
		m->arena_l1_entries = (size_t)1 << l1bits;
		m->arena_l2 = calloc(m->arena_l1_entries, 1);
		if (!m->arena_l2)
			return hg_os_enomem(&m->os);
	}
	for (hg_addr a = v; a < v + size; a += m->cfg.arena_size) {
		uint64_t ri = arena_index(m, a);
		uint64_t l1 = ri >> l2bits;
		if (!m->arena_l2[l1]) {
			/* Go: sysAllocOS for the L2 map: in no statistic. */
			uint64_t bytes =
				((uint64_t)1 << l2bits) * ptr_size(&m->cfg);
			bytes = HG_ALIGN_UP(bytes, m->cfg.phys_page_size);
			m->stats.os_calls.sysalloc++;
			m->os.persistent = true;
			hg_addr l2 = m->os.ops->alloc(&m->os, bytes);
			m->os.persistent = false;
			if (!l2) {
				hg_mheap_throw(m, "out of memory allocating "
						  "heap arena map");
				return HG_EOOM;
			}
			m->c_sys += bytes;
			m->arena_l2[l1] = 1;
		}
		uint64_t hsz = heap_arena_size(&m->cfg);
		hg_addr r = linear_alloc(m, &m->heap_arena_alloc, hsz,
					 ptr_size(&m->cfg), &m->hs.gc_misc_sys);
		if (!r && !m->dead)
			r = persistent_alloc(m, hsz, ptr_size(&m->cfg));
		if (!r) {
			if (!m->dead)
				hg_mheap_throw(m, "out of memory allocating "
						  "heap arena metadata");
			return HG_EOOM;
		}
		struct hg_arena_run *last =
			m->narena_runs ? &m->arenas[m->narena_runs - 1] : NULL;
		/* Go: the allArenas append (runtime_meta.c). */
		int err = hg_rtmeta_arena(m, m->narenas + 1);
		if (err)
			return err;
		if (last && last->base + last->n * m->cfg.arena_size == a) {
			last->n++;
			m->narenas++;
			continue;
		}
		if (m->narena_runs == m->arenas_cap) {
			size_t ncap = m->arenas_cap ? m->arenas_cap * 2 : 64;
			struct hg_arena_run *na =
				realloc(m->arenas, ncap * sizeof(*na));
			if (!na)
				return hg_os_enomem(&m->os);
			m->arenas = na;
			m->arenas_cap = ncap;
		}
		m->arenas[m->narena_runs++] = (struct hg_arena_run){ a, 1 };
		m->narenas++;
	}
	return HG_OK;
}

/*
 * Go: (*mheap).sysAlloc, runtime/malloc.go: reserve at least n bytes of
 * heap arenas (whole arenas, aligned). The 32-bit pre-reservation first,
 * then the hints; when every hint fails, an aligned reservation anywhere,
 * with new hints around it. The region is Reserved; no heap stat moves.
 */
hg_addr hg_mheap_sys_alloc(struct hg_model *m, uint64_t n, uint64_t *size)
{
	uint64_t asz = m->cfg.arena_size;
	hg_addr v = 0;
	*size = 0;
	n = HG_ALIGN_UP(n, asz);
	if (n == 0)
		return 0;

	v = linear_alloc(m, &m->arena, n, asz, &m->hs.heap_released);
	if (v) {
		*size = n;
		goto mapped;
	}
	while (m->nhints > 0) {
		struct hg_arena_hint *hint = &m->hints[m->nhints - 1];
		hg_addr p = hint->addr;
		if (hint->down)
			p -= n;
		if (p + n < p ||
		    arena_index(m, p + n - 1) >= arena_count_max(m))
			v = 0;
		else
			v = hg_sys_reserve(m, p, n);
		/* (A down-hint that reaches address 0 fails like any other.) */
		if (v != 0 && p == v) {
			if (!hint->down)
				p += n;
			hint->addr = p;
			*size = n;
			break;
		}
		if (v)
			hg_sys_unreserve(m, v, n);
		m->nhints--;
	}
	if (*size == 0) {
		v = hg_sys_reserve_aligned(m, 0, n, asz, size);
		if (!v)
			return 0;
		if (hint_push(m, v, true) || hint_push(m, v + *size, false)) {
			hg_os_enomem(&m->os);
			return 0;
		}
	}
	if (v + *size < v || arena_index(m, v) >= arena_count_max(m) ||
	    arena_index(m, v + *size - 1) >= arena_count_max(m)) {
		hg_mheap_throw(
			m, "memory reservation exceeds address space limit");
		return 0;
	}
	if (v & (asz - 1)) {
		hg_mheap_throw(m, "misrounded allocation in sysAlloc");
		return 0;
	}
mapped:
	/* The reservation now belongs to the heap's arenas. */
	if (hg_vas_set_heap(&m->os.vas, v, v + *size)) {
		hg_os_enomem(&m->os);
		return 0;
	}
	/* Before go1.17 sysAlloc mapped (Reserved -> Prepared) it all. */
	if (m->cfg.policy_prepare == HG_PREPARE_SYSALLOC &&
	    hg_sys_map(m, v, *size, hg_heap_grown_stat(m)))
		return 0;
	if (arenas_register(m, v, *size))
		return 0;
	return v;
}
