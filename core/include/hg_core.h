/*
 * hg_core.h - the heapgrow model: with hg_os.h (the OS backend under it,
 * for callers that inject their own), the only core header that cli/,
 * traces/, render/ and replay/ include.
 *
 * The core is plain C with no I/O and no global state. A model is created
 * from a configuration, fed operations one at a time, and queried for its
 * statistics and its address space. Addresses are simulated (hg_addr) and
 * never dereferenced.
 */
#ifndef HG_CORE_H
#define HG_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HG_GO_NEWEST "1.26" /* newest Go release the model knows */

typedef uint64_t hg_addr;

enum hg_err {
	HG_OK = 0,
	HG_EINVAL = -1, /* bad argument or configuration */
	HG_ENOMEM = -2, /* the host ran out of memory */
	HG_ETRACE = -3, /* the trace is inconsistent (unknown id, live id) */
	HG_EOOM = -4,   /* the modeled runtime ran out of memory */
};

const char *hg_strerror(int err);

/* ------------------------------------------------------------------ */
/* Memory classes (README "Memory classes and statistics")            */
/* ------------------------------------------------------------------ */

enum hg_class {
	HG_CLASS_NONE,
	HG_CLASS_FOREIGN,
	HG_CLASS_RESERVED,
	HG_CLASS_RELEASED,
	HG_CLASS_HEAP_FREE,
	HG_CLASS_HEAP_INUSE,
	HG_CLASS_SYS,
	HG_CLASS_SBRK_FREE,
	HG_CLASS_UNUSED,
	HG_CLASS_STRANDED,
	HG_CLASS_COUNT
};

const char *hg_class_name(enum hg_class c);

/* Go's memory states (runtime/mem.go). */
enum hg_mem_state {
	HG_MEM_NONE,
	HG_MEM_RESERVED,
	HG_MEM_PREPARED,
	HG_MEM_READY,
};

/* ------------------------------------------------------------------ */
/* Configuration (README "Settings", heapgrow(1))                      */
/* ------------------------------------------------------------------ */

enum hg_platform {
	HG_PLAT_LINUX_AMD64,
	HG_PLAT_LINUX_ARM64,
	HG_PLAT_LINUX_386,
	HG_PLAT_WINDOWS_AMD64,
	HG_PLAT_WINDOWS_386,
	HG_PLAT_JS_WASM,
	HG_PLAT_WASIP1_WASM,
	HG_PLAT_PLAN9_386,
	HG_PLAT_PLAN9_AMD64,
	HG_PLAT_COUNT
};

enum hg_placement { HG_PLACE_TOPDOWN, HG_PLACE_BOTTOMUP };
enum hg_policy_sbrk { HG_SBRK_GO124, HG_SBRK_GO121, HG_SBRK_GO119 };
enum hg_policy_arena {
	HG_ARENA_SPARSE,      /* go1.11+: arenas at hints */
	HG_ARENA_LINEAR,      /* go1.9-1.10: arena_alloc, strandLimit */
	HG_ARENA_LINEAR_GO18, /* go1.8.3: lower blocks rejected */
	HG_ARENA_LINEAR_GO17, /* go1.4-1.8.2: any block taken, even lower */
};
enum hg_policy_prepare { HG_PREPARE_GROW, HG_PREPARE_SYSALLOC };
enum hg_policy_grow { HG_GROW_INCREMENTAL, HG_GROW_WHOLE_ARENA };
enum hg_policy_sbrk_free { HG_SBRK_FREE_FREELIST, HG_SBRK_FREE_TOP_ONLY };
/* Where the GC cycles of an object-level replay come from (key gc). */
enum hg_gc_mode { HG_GC_PACED, HG_GC_TRACE };
/* When the background scavenger releases (key scavenger_pace). */
enum hg_scav_pace {
	HG_SCAV_PACE_TIME,
	HG_SCAV_PACE_GC,
	HG_SCAV_PACE_OFF,
	HG_SCAV_PACE_TRACE
};

struct hg_config {
	enum hg_platform platform;
	char go[16];             /* preset name, e.g. "1.19" */
	uint64_t phys_page_size; /* OS page size */
	uint64_t page_size;      /* runtime page size (pageSize) */
	uint64_t arena_size;     /* heapArenaBytes */
	uint64_t chunk_size;     /* pallocChunkBytes */
	unsigned address_bits;   /* usable user address bits */
	uint64_t commit_limit;   /* 0 = none */
	uint64_t initial_memory; /* wasm initial memory / initial break */
	uint64_t module_end; /* program image end (size on mmap platforms) */
	bool page_cache;
	/* false: proc events are ignored, every event runs on P 0 (README
	 * "Settings") */
	bool per_p_caches;
	bool randomize_heap_base;
	uint64_t heap_base_seed;
	enum hg_placement placement;
	enum hg_policy_sbrk policy_sbrk;
	enum hg_policy_arena policy_arena;
	enum hg_policy_prepare policy_prepare;
	enum hg_policy_grow policy_grow;
	enum hg_policy_sbrk_free policy_sbrk_free;
	/* Added after the first interface: */
	uint64_t explicit_keys; /* bit i: hg_config_keys[i] was set by
				   hg_config_set */
	/* Linux's hpage_pmd_size (Go: physHugePageSize), 0 = none; it
	 * takes effect only when it is at most chunk_size (Go: mallocinit). */
	uint64_t phys_huge_page_size;
	/* GOMAXPROCS: the number of Ps `proc` events may name; 0 = as many
	 * as the trace's proc events name. */
	unsigned gomaxprocs;
	/* Bytes of the first chunk marked allocated and released at the
	 * first heap growth (Go: markRandomPaddingPages, go1.26), rounded
	 * down to pages, below the chunk size; 0 = none, or random from the
	 * seed when randomize_heap_base is on. */
	uint64_t heap_padding;
	/* Bytes of the runtime's own start-up heap allocation, taken before
	 * the trace's first event when randomize_heap_base is in effect
	 * (the first growth of a real process is for such a small span),
	 * rounded up to pages; 0 = none. */
	uint64_t startup_alloc;
	/* The first heap chunk of a recorded run whose heap base Go 1.26
	 * randomised (its minPageHeapAddr): the heap hints and the first
	 * chunk are placed from it instead of from a random draw, and the
	 * padding is heap_padding exactly; 0 = none. */
	uint64_t heap_base;
	/* GOGC: the heap goal's growth over the live heap in percent; -1 =
	 * off. */
	int gogc;
	/* GOMEMLIMIT in bytes (go1.19+); INT64_MAX = none (Go's default). */
	uint64_t memory_limit;
	/* The background scavenger and the scavenging when the heap grows
	 * (go1.13+, object-level replays; README "The scavengers"). */
	bool scavenger;
	/* The runtime's own start (core/runtime_start.c): what Go allocates
	 * before a trace of GODEBUG=allocfreetrace=1 begins. */
	bool runtime_start;
	/* The runtime's own off-heap metadata on the sbrk platforms, go1.14+
	 * (core/runtime_meta.c; README "Config keys"). */
	bool runtime_metadata;
	/* paced: a cycle wherever the pacer's trigger is reached, besides
	 * the trace's gc events; trace: only the trace's gc events. Unset,
	 * paced until the trace's first gc event (README "GC pacing"). */
	enum hg_gc_mode gc;
	/* Each mark is where the program read runtime.MemStats, which
	 * flushes every P's mcache and stack cache first (README "GC
	 * pacing"). */
	bool mark_readmemstats;
	/* The profiler's hash table is mapped at the first allocation: the
	 * program samples for the heap profile (it links
	 * runtime.MemProfile), or Go 1.26+ on linux samples once at
	 * start-up even without it (the default there; README
	 * "Settings"). */
	bool mem_profile;
	/* time: the background scavenger works in bursts paced by the
	 * trace's time events (at each gc when it has none); gc: all at
	 * once at each gc (README "The scavengers"). */
	enum hg_scav_pace scavenger_pace;
	/* The scavenge index's generations (go1.21+): the background
	 * scavenger looks only below the highest page freed before the last
	 * gc and skips chunks nearly full now or when the cycle first
	 * touched them (README "The scavengers"). */
	bool scavenger_gens;
	/* The scavenging of allocSpan (go1.19+; mheap.grow before): at a
	 * heap growth, and over the memory limit (README "The
	 * scavengers"). */
	bool scavenger_grow;
	/* What each release of the background scavenger costs more, in ns
	 * of its run's CPU time, while another P runs (scavenger_pace
	 * trace, running events; 0: nothing; README "The scavengers"). */
	unsigned scavenger_shootdown_ns;
	/* Each gc flushes the idle Ps' page caches (go1.21+, README "The
	 * object layer"). */
	bool page_cache_flush;
};

/* hg_config_init fills the defaults of the newest Go on linux/amd64. */
void hg_config_init(struct hg_config *cfg);

/*
 * hg_config_set applies one "key=value" setting (dotted policy names). The
 * keys "platform" and "go" reset the platform- and version-dependent values
 * that were not set explicitly afterwards; callers apply settings in
 * precedence order. On error returns HG_EINVAL and writes a message to err.
 */
int hg_config_set(struct hg_config *cfg, const char *key, const char *value,
		  char *err, size_t errlen);

/*
 * hg_config_get formats the effective value of key into buf. Returns
 * HG_EINVAL for an unknown key.
 */
int hg_config_get(const struct hg_config *cfg, const char *key, char *buf,
		  size_t len);

/* NULL-terminated list of every config key, in documentation order. */
extern const char *const hg_config_keys[];

/* hg_config_is_string tells whether key's value is printed as a string in JSON.
 */
bool hg_config_is_string(const char *key);

const char *hg_platform_name(enum hg_platform p);
int hg_platform_parse(const char *name, enum hg_platform *out);

/* Go version presets: NULL-terminated list of names ("1.4", ...). */
extern const char *const hg_go_presets[];

/*
 * hg_parse_size parses a size: decimal or 0x hex, with an optional binary
 * suffix K/KiB/M/MiB/G/GiB/T/TiB. Returns 0 on success, HG_EINVAL on error.
 */
int hg_parse_size(const char *s, uint64_t *out);

#define HG_GO_OLDEST "1.4" /* oldest Go release the model knows */

/* How a config key's value is written (hg_config_get's text is valid JSON
 * for every type but HG_CFG_STRING, which needs quotes). */
enum hg_config_type {
	HG_CFG_UNKNOWN, /* not a config key */
	HG_CFG_STRING,  /* platform, go, placement, policy.* */
	HG_CFG_SIZE,    /* bytes, printed in decimal */
	HG_CFG_NUMBER,  /* address_bits */
	HG_CFG_BOOL,    /* true/false */
	HG_CFG_SEED,    /* randomize_heap_base: false, or a seed number */
};

enum hg_config_type hg_config_type_of(const char *key);

/* hg_config_key_values returns the NULL-terminated values a string key
 * takes (platform: the platforms; go: the presets; placement and policy.*:
 * their names), NULL for any other key. */
const char *const *hg_config_key_values(const char *key);

/* hg_config_key_doc returns key's one-line description, the first
 * sentence of its entry in heapgrow(1), or NULL for an unknown key. */
const char *hg_config_key_doc(const char *key);

/* hg_config_is_explicit tells whether key was set by hg_config_set (as
 * opposed to a platform or version default). */
bool hg_config_is_explicit(const struct hg_config *cfg, const char *key);

/* hg_config_key_objects tells whether key acts only on object-level
 * replays (the GC pacer's keys): the outputs list it only when the replay
 * had object-level events (hg_stats.object_ops), so span-level outputs do
 * not change. */
bool hg_config_key_objects(const char *key);

/* hg_config_key_platform tells whether key acts on cfg's platform: the
 * outputs list runtime_metadata only on the sbrk platforms, where the
 * runtime's metadata takes the break, so other platforms' outputs do not
 * change. */
bool hg_config_key_platform(const struct hg_config *cfg, const char *key);

/*
 * hg_config_check validates the relations between keys once every setting
 * has been applied (chunk_size vs page_size and arena_size, wasm's 64K
 * pages, sizes that fit address_bits, ...), so the order in which keys
 * are set never matters. Returns 0, or HG_EINVAL with a message in err
 * naming every key involved. hg_config_set checks each value alone.
 */
int hg_config_check(const struct hg_config *cfg, char *err, size_t errlen);

/*
 * hg_config_check_keys is hg_config_check that also says which keys a
 * failure involves: keys[0] and keys[1], each a key's name or NULL (a
 * check of one value alone names one key; a relation between two keys,
 * such as arena_size against chunk_size, names both), for the caller to
 * say where each was set. keys may be NULL.
 */
int hg_config_check_keys(const struct hg_config *cfg, char *err, size_t errlen,
			 const char *keys[2]);

/* hg_go_parse parses "1.N", "go1.N" or "1.N.P" (4 <= N <= 26) into N. */
int hg_go_parse(const char *s, unsigned *minor);

/* hg_config_go_minor returns N of cfg->go ("1.N"). */
unsigned hg_config_go_minor(const struct hg_config *cfg);

/*
 * hg_config_initial_memory returns the effective initial_memory: the value
 * set, or when it is 0 ("auto") the rule of cfg's platform and Go version
 * applied to module_end: on wasm the linker's initial linear memory
 * (cmd/link writeMemorySec), on plan9 the initial break memRound(end)
 * (runtime initBloc), elsewhere 0.
 */
uint64_t hg_config_initial_memory(const struct hg_config *cfg);

/*
 * hg_config_max_mem returns the arena's address limit of the linear arena
 * designs (Go <= 1.10: _MaxMem + 1 on 64-bit, _MaxArena32 + 1 on 32-bit),
 * and 1 << heapAddrBits for the sparse design.
 */
uint64_t hg_config_max_mem(const struct hg_config *cfg);

bool hg_platform_is_64bit(enum hg_platform p);
bool hg_platform_is_sbrk(enum hg_platform p); /* plan9 and wasm */
bool hg_platform_is_wasm(enum hg_platform p);
bool hg_platform_is_windows(enum hg_platform p);

/* ------------------------------------------------------------------ */
/* Operations (share/doc/trace-format.md)                              */
/* ------------------------------------------------------------------ */

enum hg_op_kind {
	HG_OP_ALLOC,    /* heap span: id, size */
	HG_OP_FREE,     /* id */
	HG_OP_SYSALLOC, /* id, size */
	HG_OP_SYSFREE,  /* id */
	HG_OP_SCAVENGE, /* size, or all */
	HG_OP_MMAP,     /* id, size, optional addr */
	HG_OP_MUNMAP,   /* id */
	HG_OP_MARK,     /* text */
	/* Object-level and runtime events (share/doc/trace-format.md). */
	HG_OP_NEW,        /* mallocgc: id, size, noscan */
	HG_OP_DEL,        /* the object is dead: id */
	HG_OP_GC,         /* a GC cycle: mark termination, then sweep */
	HG_OP_STACKALLOC, /* goroutine stack: id, size */
	HG_OP_STACKFREE,  /* id */
	HG_OP_PROC,       /* following events run on P number value */
	HG_OP_TIME,       /* the trace's clock: value nanoseconds */
	HG_OP_WBUFALLOC,  /* a span of GC work buffers: id, size */
	HG_OP_WBUFFREE,   /* id */
	HG_OP_TRACESTART, /* the execution tracer starts: value flags */
	HG_OP_BGSCAV,     /* the background scavenger's goroutine: value
			     HG_BGSCAV_* */
	HG_OP_RUNNING,    /* value: the Ps held by an M from now on */
	HG_OP_COUNT
};

/* tracestart's value: the tracer ran with GODEBUG=traceallocfree=1 (its
 * AllocFree experiment: the heap snapshot and the alloc/free events). */
#define HG_TRACE_ALLOCFREE 1u

/* bgscav's value: the background scavenger's goroutine leaves its CPU
 * in the middle of a run (preempted), starts running, or blocks, the run
 * over: it sleeps (the run released memory) or parks (it released
 * none). */
#define HG_BGSCAV_STOP 0u
#define HG_BGSCAV_RUN 1u
#define HG_BGSCAV_SLEEP 2u
#define HG_BGSCAV_PARK 3u

const char *hg_op_name(enum hg_op_kind k);

/*
 * The op table: one row per op kind (core/ops.c), read by the trace
 * readers and writers, the event log and the id rules (hg_ids). Adding an
 * op is one row there plus the code that applies it in the model.
 */

/* The fields an op has, in the order the formats write them. Every field
 * is named in YAML by hg_op_field_name; the compact format writes them
 * positionally as below. */
enum hg_op_field {
	HG_FIELD_END,      /* ends a row's field list */
	HG_FIELD_ID,       /* "id": an id (share/doc/trace-format.md) */
	HG_FIELD_SIZE,     /* "size": a size */
	HG_FIELD_SIZE_ALL, /* "size": a size, or the word all */
	HG_FIELD_HINT,     /* "addr": optional address asked for (mmap);
			      compact: a positional field before the size */
	HG_FIELD_ADDR,     /* "addr": optional recorded address; compact:
			      @0x... as the last field */
	HG_FIELD_NOSCAN,   /* "noscan": optional true/false; compact: the
			      word noscan */
	HG_FIELD_SWEPT,    /* "swept": optional true/false; compact: the
			      word swept */
	HG_FIELD_TEXT,     /* "text": the rest of the compact line */
	HG_FIELD_VALUE,    /* "value": a number */
};

#define HG_OP_MAX_FIELDS 5

/* The id families: an id is live in one family (alloc A and sysalloc A
 * name two different things). */
enum hg_id_family {
	HG_IDS_NONE, /* the op names no id */
	HG_IDS_SPAN,
	HG_IDS_SYSALLOC,
	HG_IDS_MMAP,
	HG_IDS_OBJECT,
	HG_IDS_STACK,
	HG_IDS_WBUF,
	HG_IDS_COUNT
};

/* What an op does to its id. */
enum hg_id_use {
	HG_ID_NO,   /* nothing */
	HG_ID_MAKE, /* the id must not be live; it is live afterwards */
	HG_ID_END,  /* the id must be live; it is not afterwards */
};

/* What the event log writes for an op, after "i", "op" and "id", in this
 * order. */
enum hg_log_field {
	HG_LOG_OP = 1 << 0,       /* the op's size-or-all, text, value */
	HG_LOG_ADDR = 1 << 1,     /* result: "addr" */
	HG_LOG_NPAGES = 1 << 2,   /* result: "npages" */
	HG_LOG_SIZE = 1 << 3,     /* result: "size" */
	HG_LOG_SCAV = 1 << 4,     /* result: "scav" */
	HG_LOG_GREW = 1 << 5,     /* result: "grew" */
	HG_LOG_RELEASED = 1 << 6, /* result: "released" */
	HG_LOG_ELEMSIZE = 1 << 7, /* result: "elemsize" (an object's slot) */
	HG_LOG_SPAN = 1 << 8,     /* when it took a fresh span: "span" (its
				     base), "npages", "scav", "grew" */
};

struct hg_op_spec {
	enum hg_op_kind kind;
	const char *name;   /* the YAML key, the log's "op", in messages */
	const char *letter; /* the compact format's first word */
	bool mapping;       /* YAML: a mapping of the fields (gc: {}), or
			       else one scalar holding the first field,
			       a mapping when an optional one is there
			       (del: {id: O, swept: true}) */
	enum hg_op_field fields[HG_OP_MAX_FIELDS]; /* HG_FIELD_END-ended */
	enum hg_id_family family;
	enum hg_id_use use;
	unsigned log; /* enum hg_log_field bits */
};

/* hg_op_spec returns the row of k, or NULL for an unknown kind. */
const struct hg_op_spec *hg_op_spec(enum hg_op_kind k);

/* hg_op_spec_by_name finds the row whose name is s[0, n); by_letter
 * finds it by its compact word. NULL when there is none. */
const struct hg_op_spec *hg_op_spec_by_name(const char *s, size_t n);
const struct hg_op_spec *hg_op_spec_by_letter(const char *s, size_t n);

/* hg_op_field_name is the YAML name of a field ("id", "size", ...). */
const char *hg_op_field_name(enum hg_op_field f);

/* hg_op_has_field tells whether spec's row has field f. */
bool hg_op_has_field(const struct hg_op_spec *spec, enum hg_op_field f);

/*
 * hg_ids checks a trace's ids without a model, with the rules
 * hg_model_apply applies (heapgrow check): an op that ends an id (free,
 * sysfree, munmap, del, stackfree) must name a live id of its family, an
 * op that makes one (alloc, sysalloc, mmap, new, stackalloc) must not and
 * must have a positive size. hg_ids_new returns HG_OK or HG_ENOMEM.
 */
struct hg_ids;
struct hg_op;
int hg_ids_new(struct hg_ids **out);
void hg_ids_free(struct hg_ids *ids);

/*
 * hg_ids_apply checks op and records its effect; tag is kept with an id
 * it makes (check keeps the line). Returns HG_OK, HG_ETRACE with the
 * message hg_model_apply would give in err (and, for an id already live,
 * the tag it was made with in *since; since may be NULL) or HG_ENOMEM.
 */
int hg_ids_apply(struct hg_ids *ids, const struct hg_op *op, uint64_t tag,
		 uint64_t *since, char *err, size_t errlen);

/* hg_id_hash is the hash of an id of len bytes that the id tables use
 * (hg_op.id_hash); never 0. */
uint64_t hg_id_hash(const char *id, size_t len);

/* The steps of hg_id_hash: its seed for len bytes, one word of 8 bytes
 * (as the host loads them; the last one zero-padded) mixed in, and the
 * final avalanche (the low bits pick a slot, the high bits are the tag;
 * never 0, which means "not computed" in an hg_op). */
static inline uint64_t hg_id_hash_seed(size_t len)
{
	return 0x9e3779b97f4a7c15ull ^ ((uint64_t)len << 56);
}

static inline uint64_t hg_id_hash_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 31);
}

static inline uint64_t hg_id_hash_final(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h ? h : 1;
}

/* hg_id_hash of an id of len <= 8 bytes given as w, its bytes as the
 * host loads them followed by zero bytes: a reader that assembled the
 * word while scanning the id hashes it without reading it again. */
static inline uint64_t hg_id_hash_short(uint64_t w, size_t len)
{
	return hg_id_hash_final(hg_id_hash_mix(hg_id_hash_seed(len), w));
}

struct hg_op {
	enum hg_op_kind kind;
	const char *id; /* borrowed; valid for the call */
	uint64_t size;
	/* mmap: the address asked for (a hint). Every other allocating op:
	 * the address the real runtime returned, recorded by an importer;
	 * the model never places anything by it, it only compares. */
	hg_addr addr;
	bool has_addr;
	bool all;         /* scavenge: all */
	bool goal;        /* scavenge: goal (the background scavenger runs) */
	const char *text; /* mark label */
	bool noscan;      /* new: the noscan span class */
	uint64_t value;   /* proc: the P; time: nanoseconds */
	/* del: the sweeper freed the slot now (a real trace's free, after
	 * the gc that found the object dead); else the object is dead and
	 * its slot is reclaimed at the next gc's sweep. */
	bool swept;
	/* id's length and hg_id_hash(id, id_len), which a reader that knows
	 * them sets so that each id is hashed once; 0 and 0: computed from
	 * id (whoever changes id must reset both). */
	size_t id_len;
	uint64_t id_hash;
};

/* What one operation did, for the event log. */
struct hg_op_result {
	hg_addr addr;      /* span or region address (0 if none) */
	uint64_t npages;   /* runtime pages of a heap span */
	uint64_t size;     /* bytes of the region (sysalloc/mmap/span) */
	uint64_t scav;     /* released bytes the allocation reused */
	uint64_t grew;     /* bytes the heap grew for it */
	uint64_t released; /* scavenge: bytes released */
	bool oom;
	/* new: the slot size (elemsize) the object got. new, stackalloc:
	 * new_span tells that the event took a fresh span from the page heap,
	 * at span_base (npages, scav and grew then describe that span). */
	uint64_t elemsize;
	hg_addr span_base;
	bool new_span;
	/* new: the GC cycle the allocation started and the model ran at once
	 * (gc = paced: its NumGC, 0 for none); released then holds the bytes
	 * the background scavenger released within it, as a gc event's. */
	uint64_t gc;
};

/* ------------------------------------------------------------------ */
/* Statistics (README "Memory classes and statistics")                */
/* ------------------------------------------------------------------ */

struct hg_figures {
	uint64_t classes[HG_CLASS_COUNT];
	uint64_t heap_sys, heap_idle, heap_inuse, heap_released;
	uint64_t committed;
	uint64_t mapped;
	uint64_t address_space;
	uint64_t linear_memory;
	uint64_t arenas;
	/* The object layer (hg_stats.objects): Go's HeapAlloc, HeapObjects,
	 * StackInuse, StackSys, NumGC; the bytes of heap spans partly
	 * allocated, and of the free slots of small-object spans. */
	uint64_t heap_alloc, heap_objects, stack_inuse, stack_sys, num_gc;
	/* Go: inWorkBufs, the GC's work buffer spans (in GCSys) */
	uint64_t gc_workbufs;
	uint64_t partial_span_bytes, free_slot_bytes;
	/* Go's NextGC: the pacer's heap goal (README "GC pacing"). */
	uint64_t next_gc;
};

/* One size class of the object layer (at the end of the replay). */
struct hg_size_class_stats {
	uint64_t size;    /* the object size (Go: class_to_size) */
	uint64_t npages;  /* pages per span (Go: class_to_allocnpages) */
	uint64_t spans;   /* in-use spans of the class, scan and noscan */
	uint64_t objects; /* allocated slots: live, or dead and unswept */
	uint64_t free;    /* free slots in those spans */
};

#define HG_SIZE_CLASSES_MAX 68

struct hg_os_calls {
	uint64_t reserve, unreserve, map, used, unused, free, sysalloc, sbrk,
		grow_memory;
};

struct hg_stats {
	uint64_t events;
	struct hg_figures final;
	struct hg_figures peak;
	struct hg_os_calls os_calls;
	uint64_t heap_grows;
	bool oom;
	uint64_t oom_event;
	enum hg_op_kind oom_op;
	char oom_id[128];
	uint64_t oom_size;
	char oom_message[256];
	/* The replay applied object-level ops (new, del, gc, stackalloc,
	 * stackfree): the HG_STAT_OBJECTS statistics are present. */
	bool object_ops;
	unsigned nsize_classes; /* the modeled release's class count */
	struct hg_size_class_stats size_classes[HG_SIZE_CLASSES_MAX];
};

/*
 * The statistics table (core/stats.c): one row per statistic, read by the
 * stats JSON, the text report, `heapgrow diff` and the pictures' figures
 * box. A row names the statistic, its unit and where it lives (a member
 * of struct hg_figures, written for final and peak, or of struct
 * hg_stats, one value for the run). core/stats.c says how to add one.
 */
enum hg_stat_unit {
	HG_UNIT_BYTES, /* a size: 1.5 MiB in text, +4M in gates */
	HG_UNIT_COUNT, /* a number of things (arenas, calls) */
};

enum hg_stat_where {
	HG_STAT_FIGURES, /* a member of struct hg_figures: final and peak */
	HG_STAT_RUN,     /* a member of struct hg_stats: one per run */
};

enum hg_stat_flag {
	/* Present only when the replay had object-level ops
	 * (hg_stats.object_ops); absent from every output otherwise. */
	HG_STAT_OBJECTS = 1 << 0,
	/* Drawn as a curve over time (--curves, the HTML report), in table
	 * order. */
	HG_STAT_CURVE = 1 << 1,
	/* In the pictures' figures box only when not zero (final or peak)
	 * in some configuration: what the story turns on, not empty rows. */
	HG_STAT_BOX_IF_SET = 1 << 2,
};

/* Which way a figure gets better (`heapgrow diff` and `compare` colour a
 * change green or red by it, not by its sign). */
enum hg_stat_better {
	/* the workload's, not the runtime's: no verdict */
	HG_BETTER_NEITHER = 0,
	HG_BETTER_LOWER,  /* less memory, fewer calls */
	HG_BETTER_HIGHER, /* more given back to the OS */
};

struct hg_stat_spec {
	const char *group; /* the JSON object holding it ("classes",
			      "memstats", "os_calls") or NULL */
	const char *name;  /* its JSON key; diff names it
			      [final.|peak.][group.]name */
	const char *label; /* text report and figures box, NULL: name */
	enum hg_stat_unit unit;
	enum hg_stat_where where;
	size_t off;     /* offset in struct hg_figures or struct hg_stats */
	unsigned box;   /* rank in the pictures' figures box, 0: not shown */
	unsigned flags; /* enum hg_stat_flag */
	enum hg_stat_better better;
};

/* Every statistic, in output order; ended by a row with a NULL name. */
extern const struct hg_stat_spec hg_stat_specs[];

/* hg_stat_value reads s from st (peak: the peak figures, for a
 * HG_STAT_FIGURES row). */
uint64_t hg_stat_value(const struct hg_stat_spec *s, const struct hg_stats *st,
		       bool peak);

/* hg_stat_figure reads a HG_STAT_FIGURES row s from one set of figures. */
uint64_t hg_stat_figure(const struct hg_stat_spec *s,
			const struct hg_figures *f);

/* hg_stat_curve is the i-th row drawn as a curve (HG_STAT_CURVE), in
 * table order, or NULL past the last (there are HG_STAT_NCURVES). */
#define HG_STAT_NCURVES 5
const struct hg_stat_spec *hg_stat_curve(unsigned i);

/* hg_stat_present tells whether s is in the outputs of st. */
bool hg_stat_present(const struct hg_stat_spec *s, const struct hg_stats *st);

/* hg_stat_label is s's label, or its name. */
const char *hg_stat_label(const struct hg_stat_spec *s);

/* hg_stat_by_path finds the row of a diff name ("final.memstats.HeapSys",
 * "os_calls.map", "heap_grows"), or NULL. */
const struct hg_stat_spec *hg_stat_by_path(const char *path);

/* ------------------------------------------------------------------ */
/* The model                                                           */
/* ------------------------------------------------------------------ */

struct hg_model;

/* hg_model_new creates a model for cfg (copied). Returns 0 or
 * HG_EINVAL/HG_ENOMEM. */
int hg_model_new(struct hg_model **out, const struct hg_config *cfg, char *err,
		 size_t errlen);
void hg_model_free(struct hg_model *m);

const struct hg_config *hg_model_config(const struct hg_model *m);

/*
 * hg_model_apply applies one operation. Returns 0, HG_ETRACE (the trace is
 * wrong: unknown or live id; message in err), HG_EOOM (the modeled runtime
 * ran out of memory: the model keeps its state at that point and accepts no
 * further operations) or HG_ENOMEM.
 */
int hg_model_apply(struct hg_model *m, const struct hg_op *op,
		   struct hg_op_result *res, char *err, size_t errlen);

/*
 * hg_model_prefetch tells the model an operation it gets soon, so that
 * the host fetches what that one will read while the current ones run: a
 * hint, no change to the model. A replay calls it twice for each op: three
 * ops ahead (step 0: its live id's slot) and two ops ahead (step 1: what
 * that slot leads to: the entry of an id that ends, the free entry an id
 * to be made takes; one op ahead is too late for a large live set). It
 * sets op's id_len and id_hash when the reader left them 0, and asks for
 * nothing from a map small enough to stay in the host's caches.
 */
void hg_model_prefetch(const struct hg_model *m, struct hg_op *op, int step);

/* hg_model_prefetch_wanted: whether hg_model_prefetch can help now (some
 * live-id map has grown past what the host's caches hold; a replay asks
 * again every so many events and skips the calls until then). */
bool hg_model_prefetch_wanted(const struct hg_model *m);

/* hg_model_stats returns the statistics so far (kept up to date per event). */
const struct hg_stats *hg_model_stats(const struct hg_model *m);

/*
 * hg_model_check recomputes every class and statistic from scratch and
 * checks the model's invariants (Go's memCheck and page-allocator
 * consistency). Returns 0, or HG_EINVAL with a description in err.
 */
int hg_model_check(struct hg_model *m, char *err, size_t errlen);

/*
 * hg_model_check_event checks what the operation just applied (op, with
 * the result hg_model_apply gave) touched: the counters, the span, region
 * or mapping it made or ended, and the page allocator's summaries over
 * it; in time logarithmic in the state plus the pages touched. With
 * hg_model_check at marks and at the end, this is the linear --check.
 * Returns 0, or HG_EINVAL with a description in err.
 */
int hg_model_check_event(struct hg_model *m, const struct hg_op *op,
			 const struct hg_op_result *res, char *err,
			 size_t errlen);

/* hg_model_applies tells whether the model has an apply function for k
 * (every row of the op table must have one). */
bool hg_model_applies(enum hg_op_kind k);

/*
 * hg_model_regions calls fn for each maximal run of one class in
 * [lo, hi), in address order, skipping HG_CLASS_NONE. Stops early and
 * returns fn's value if fn returns non-zero.
 */
typedef int (*hg_region_fn)(void *arg, hg_addr base, hg_addr end,
			    enum hg_class c);
int hg_model_regions(struct hg_model *m, hg_addr lo, hg_addr hi,
		     hg_region_fn fn, void *arg);

/* hg_model_arenas calls fn(arg, base, end, HG_CLASS_NONE) for each heap arena.
 */
int hg_model_arenas(struct hg_model *m, hg_region_fn fn, void *arg);

/* hg_model_metadata calls fn(arg, base, end, HG_CLASS_NONE) for each
 * runtime metadata reservation made whole at start and mapped as the heap
 * grows (the page allocator's summary levels and scavenge index), in
 * address order; the pictures draw them in a thin band (README
 * "Pictures"). */
int hg_model_metadata(struct hg_model *m, hg_region_fn fn, void *arg);

/* The simulated address space is [0, hg_model_space_end(m)). */
hg_addr hg_model_space_end(const struct hg_model *m);

/*
 * hg_model_histogram counts the bytes of each class in each of nbuckets
 * address buckets [edges[i], edges[i+1]) (edges has nbuckets + 1
 * non-decreasing entries). out[i][HG_CLASS_NONE] is what no class holds.
 * One walk over hg_model_regions: O(runs + buckets). Returns 0 or HG_EINVAL.
 */
int hg_model_histogram(struct hg_model *m, const hg_addr *edges,
		       size_t nbuckets, uint64_t (*out)[HG_CLASS_COUNT]);

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

/*
 * hg_utf8_len returns the length of the valid UTF-8 sequence at s (at most
 * avail bytes; a NUL also ends it), or 0 if it is not valid: overlong
 * forms, surrogates and code points above U+10FFFF are not.
 */
size_t hg_utf8_len(const unsigned char *s, size_t avail);

/*
 * "Did you mean": hg_nearest_try offers each candidate for a mistyped
 * word; hg_nearest_best is the nearest by edit distance when it is within
 * a third of the word's length (one edit for words under six
 * characters), or NULL. The word is borrowed; the best is copied.
 */
struct hg_nearest {
	const char *word;
	unsigned dist;
	char best[256];
};
void hg_nearest_init(struct hg_nearest *n, const char *word);
void hg_nearest_try(struct hg_nearest *n, const char *cand);
const char *hg_nearest_best(const struct hg_nearest *n);

/* hg_utf8_invalid returns the offset of the first byte of s[0, n) that is
 * not valid UTF-8, or n when all of it is. */
size_t hg_utf8_invalid(const char *s, size_t n);

#endif /* HG_CORE_H */
