/*
 * config.c - the configuration keys: one table (HG_CONFIG_KEYS below) says
 * each key's name, type, values, how it is parsed and printed, its default
 * per platform and Go version (presets.c) and its documentation line;
 * setting, getting, deriving and listing keys all read it. Also the names
 * of errors and classes, and sizes.
 *
 * Every platform- or version-dependent value is derived from (platform, Go
 * version) by hg_config_derive(). hg_config_set() records which keys were
 * set explicitly; changing "platform" or "go" re-derives only the others,
 * so settings applied earlier (lower precedence) survive a later preset.
 */
#include "config_int.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

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

/* ------------------------------------------------------------------ */
/* Values of the enumerated keys                                       */
/* ------------------------------------------------------------------ */

/* Enum values by name, indexed by the C enum. */
static const char *const placement_names[] = {
	[HG_PLACE_TOPDOWN] = "topdown", [HG_PLACE_BOTTOMUP] = "bottomup", NULL
};
static const char *const sbrk_names[] = { [HG_SBRK_GO124] = "go1.24",
					  [HG_SBRK_GO121] = "go1.21",
					  [HG_SBRK_GO119] = "go1.19",
					  NULL };
static const char *const arena_names[] = {
	[HG_ARENA_SPARSE] = "sparse",
	[HG_ARENA_LINEAR] = "linear",
	[HG_ARENA_LINEAR_GO18] = "linear-go1.8",
	[HG_ARENA_LINEAR_GO17] = "linear-go1.7",
	NULL,
};
static const char *const prepare_names[] = {
	[HG_PREPARE_GROW] = "grow", [HG_PREPARE_SYSALLOC] = "sysalloc", NULL
};
static const char *const grow_names[] = {
	[HG_GROW_INCREMENTAL] = "incremental",
	[HG_GROW_WHOLE_ARENA] = "whole-arena",
	NULL,
};
static const char *const gc_names[] = {
	[HG_GC_PACED] = "paced",
	[HG_GC_TRACE] = "trace",
	NULL,
};
static const char *const scav_pace_names[] = {
	[HG_SCAV_PACE_TIME] = "time",
	[HG_SCAV_PACE_GC] = "gc",
	[HG_SCAV_PACE_OFF] = "off",
	[HG_SCAV_PACE_TRACE] = "trace",
	NULL,
};
static const char *const sbrk_free_names[] = {
	[HG_SBRK_FREE_FREELIST] = "freelist",
	[HG_SBRK_FREE_TOP_ONLY] = "top-only",
	NULL,
};

/* The enumerated members are stored and read as int. */
_Static_assert(sizeof(enum hg_placement) == sizeof(int), "enum size");
_Static_assert(sizeof(enum hg_policy_sbrk) == sizeof(int), "enum size");
_Static_assert(sizeof(enum hg_policy_arena) == sizeof(int), "enum size");
_Static_assert(sizeof(enum hg_policy_prepare) == sizeof(int), "enum size");
_Static_assert(sizeof(enum hg_policy_grow) == sizeof(int), "enum size");
_Static_assert(sizeof(enum hg_gc_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum hg_scav_pace) == sizeof(int), "enum size");
_Static_assert(sizeof(enum hg_policy_sbrk_free) == sizeof(int), "enum size");

/* ------------------------------------------------------------------ */
/* The key table                                                       */
/* ------------------------------------------------------------------ */

struct key;

/* set parses and checks value into c (a copy, dropped on error). get
 * gives the effective value: a string (*s) or else a number (*u). */
typedef int (*set_fn)(struct hg_config *c, const struct key *k,
		      const char *value, char *err, size_t errlen);
typedef void (*get_fn)(const struct hg_config *c, const struct key *k,
		       const char **s, uint64_t *u);

struct key {
	const char *name;
	enum hg_config_type type;
	const char *const *values; /* names of an enumerated key, or NULL */
	set_fn set;
	get_fn get;
	size_t off; /* the struct hg_config member of set_/get_ generics */
	void (*dflt)(struct hg_config *c); /* presets.c */
	const char *doc;
};

/*
 * HG_CONFIG_KEYS lists every config key, in documentation order, one row
 * each: X(ID, name, type, values, set, get, member, default, doc).
 *   ID      HG_KEY_<ID>, the key's bit in hg_config.explicit_keys
 *   type    how the value is written (enum hg_config_type)
 *   values  the value names of an enumerated key, indexed by its C enum
 *   set/get parse and check a value, and give the effective one
 *   member  the struct hg_config member set_size/get_size and the like use
 *   default the key's default for a platform and Go version (presets.c);
 *           platform and go come first: the others' defaults depend on them
 *   doc     one line; heapgrow(1) CONFIGURATION starts the key's entry
 *           with it, and hg_config_key_doc gives it (tests/unit/test_config.c
 * checks the man page, the README and the bash completion against this table)
 * To add a key: a member in struct hg_config (hg_core.h), a row here, its
 * default in presets.c, its entry in heapgrow(1) and the README, and its
 * property in share/schema/heapgrow.schema.json ($defs/config; the test
 * schema.table checks it).
 */
#define HG_CONFIG_KEYS(X)                                                      \
	X(PLATFORM, "platform", HG_CFG_STRING, hg_cfg_platform_names,          \
	  set_platform, get_platform, platform, hg_cfg_default_platform,       \
	  "The platform the modeled runtime runs on")                          \
	X(GO, "go", HG_CFG_STRING, hg_go_presets, set_go, get_go, go,          \
	  hg_cfg_default_go, "The Go version preset")                          \
	X(PHYS_PAGE_SIZE, "phys_page_size", HG_CFG_SIZE, NULL,                 \
	  set_phys_page_size, get_size, phys_page_size,                        \
	  hg_cfg_default_phys_page_size, "The OS page size")                   \
	X(PHYS_HUGE_PAGE_SIZE, "phys_huge_page_size", HG_CFG_SIZE, NULL,       \
	  set_phys_huge_page_size, get_phys_huge_page_size,                    \
	  phys_huge_page_size, hg_cfg_default_phys_huge_page_size,             \
	  "The OS huge page size, Go's physHugePageSize")                      \
	X(PAGE_SIZE, "page_size", HG_CFG_SIZE, NULL, set_page_size, get_size,  \
	  page_size, hg_cfg_default_page_size, "The runtime page size")        \
	X(ARENA_SIZE, "arena_size", HG_CFG_SIZE, NULL, set_arena_size,         \
	  get_size, arena_size, hg_cfg_default_arena_size,                     \
	  "The heap arena size, Go's heapArenaBytes")                          \
	X(CHUNK_SIZE, "chunk_size", HG_CFG_SIZE, NULL, set_chunk_size,         \
	  get_size, chunk_size, hg_cfg_default_chunk_size,                     \
	  "The page allocator's chunk, the unit by which the heap grows")      \
	X(ADDRESS_BITS, "address_bits", HG_CFG_NUMBER, NULL, set_address_bits, \
	  get_address_bits, address_bits, hg_cfg_default_address_bits,         \
	  "The usable address bits")                                           \
	X(COMMIT_LIMIT, "commit_limit", HG_CFG_SIZE, NULL, set_size, get_size, \
	  commit_limit, hg_cfg_default_commit_limit,                           \
	  "A strict commit limit in bytes")                                    \
	X(INITIAL_MEMORY, "initial_memory", HG_CFG_SIZE, NULL,                 \
	  set_initial_memory, get_initial_memory, initial_memory,              \
	  hg_cfg_default_initial_memory,                                       \
	  "The initial linear memory on wasm, or the initial break on sbrk "   \
	  "systems")                                                           \
	X(MODULE_END, "module_end", HG_CFG_SIZE, NULL, set_size, get_size,     \
	  module_end, hg_cfg_default_module_end,                               \
	  "The end of the program image")                                      \
	X(PAGE_CACHE, "page_cache", HG_CFG_BOOL, NULL, set_bool, get_bool,     \
	  page_cache, hg_cfg_default_page_cache,                               \
	  "Use the per-P page cache for spans under 16 pages")                 \
	X(GOMAXPROCS, "gomaxprocs", HG_CFG_NUMBER, NULL, set_gomaxprocs,       \
	  get_gomaxprocs, gomaxprocs, hg_cfg_default_gomaxprocs,               \
	  "The number of Ps, GOMAXPROCS, that proc events may name")           \
	X(PER_P_CACHES, "per_p_caches", HG_CFG_BOOL, NULL, set_bool, get_bool, \
	  per_p_caches, hg_cfg_default_per_p_caches,                           \
	  "Each P that proc events name has its own mcache, stack cache and "  \
	  "page cache")                                                        \
	X(RANDOMIZE_HEAP_BASE, "randomize_heap_base", HG_CFG_SEED, NULL,       \
	  set_randomize, get_randomize, randomize_heap_base,                   \
	  hg_cfg_default_randomize_heap_base,                                  \
	  "Go 1.26's randomisation of the heap base")                          \
	X(HEAP_PADDING, "heap_padding", HG_CFG_SIZE, NULL, set_size, get_size, \
	  heap_padding, hg_cfg_default_heap_padding,                           \
	  "Bytes marked allocated and released below the first heap span "     \
	  "(Go 1.26's random heap-base padding)")                              \
	X(HEAP_BASE, "heap_base", HG_CFG_SIZE, NULL, set_size, get_size,       \
	  heap_base, hg_cfg_default_heap_base,                                 \
	  "The first heap chunk of a recorded run with a randomised heap "     \
	  "base (Go 1.26), 0 for none")                                        \
	X(STARTUP_ALLOC, "startup_alloc", HG_CFG_SIZE, NULL, set_size,         \
	  get_size, startup_alloc, hg_cfg_default_startup_alloc,               \
	  "The runtime's own start-up heap allocation before the first event " \
	  "under randomize_heap_base")                                         \
	X(GOGC, "gogc", HG_CFG_NUMBER, NULL, set_gogc, get_gogc, gogc,         \
	  hg_cfg_default_gogc,                                                 \
	  "GOGC: the heap goal's growth over the live heap, in percent")       \
	X(MEMORY_LIMIT, "memory_limit", HG_CFG_SIZE, NULL, set_memory_limit,   \
	  get_memory_limit, memory_limit, hg_cfg_default_memory_limit,         \
	  "GOMEMLIMIT: the soft memory limit that lowers the heap goal "       \
	  "(Go 1.19+)")                                                        \
	X(GC, "gc", HG_CFG_STRING, gc_names, set_enum, get_enum, gc,           \
	  hg_cfg_default_gc,                                                   \
	  "Where the GC cycles come from: the pacer's trigger or the trace")   \
	X(MARK_READMEMSTATS, "mark_readmemstats", HG_CFG_BOOL, NULL, set_bool, \
	  get_bool, mark_readmemstats, hg_cfg_default_mark_readmemstats,       \
	  "Each mark reads runtime.MemStats, which flushes every P's mcache "  \
	  "and stack cache")                                                   \
	X(MEM_PROFILE, "mem_profile", HG_CFG_BOOL, NULL, set_bool, get_bool,   \
	  mem_profile, hg_cfg_default_mem_profile,                             \
	  "The profiler's hash table is mapped at the first allocation: the "  \
	  "program samples for the heap profile, or Go 1.26+ on linux "        \
	  "samples at start-up")                                               \
	X(SCAVENGER, "scavenger", HG_CFG_BOOL, NULL, set_bool, get_bool,       \
	  scavenger, hg_cfg_default_scavenger,                                 \
	  "The background scavenger and the scavenging when the heap grows")   \
	X(SCAVENGER_PACE, "scavenger_pace", HG_CFG_STRING, scav_pace_names,    \
	  set_enum, get_enum, scavenger_pace, hg_cfg_default_scavenger_pace,   \
	  "When the background scavenger releases: paced by the trace's "      \
	  "time events, when its bgscav events say the real one ran, at "      \
	  "once at each gc, or never (off)")                                   \
	X(SCAVENGER_GENS, "scavenger_gens", HG_CFG_BOOL, NULL, set_bool,       \
	  get_bool, scavenger_gens, hg_cfg_default_scavenger_gens,             \
	  "The background scavenger's generations: only below what was freed " \
	  "before the last gc, never in nearly full chunks (Go 1.21+)")        \
	X(SCAVENGER_GROW, "scavenger_grow", HG_CFG_BOOL, NULL, set_bool,       \
	  get_bool, scavenger_grow, hg_cfg_default_scavenger_grow,             \
	  "The scavenging an allocation does: when it grows the heap, and "    \
	  "over the memory limit (Go 1.19+)")                                  \
	X(SCAVENGER_SHOOTDOWN_NS, "scavenger_shootdown_ns", HG_CFG_NUMBER,     \
	  NULL, set_shootdown, get_shootdown, scavenger_shootdown_ns,          \
	  hg_cfg_default_scavenger_shootdown_ns,                               \
	  "What each background release costs more, in ns, while another P "   \
	  "runs (the trace's running events; 0: nothing)")                     \
	X(PAGE_CACHE_FLUSH, "page_cache_flush", HG_CFG_BOOL, NULL, set_bool,   \
	  get_bool, page_cache_flush, hg_cfg_default_page_cache_flush,         \
	  "Each gc flushes the idle Ps' page caches to the page allocator "    \
	  "(Go 1.21+)")                                                        \
	X(RUNTIME_START, "runtime_start", HG_CFG_BOOL, NULL, set_bool,         \
	  get_bool, runtime_start, hg_cfg_default_runtime_start,               \
	  "Replay what the runtime allocates before an allocfreetrace log "    \
	  "starts")                                                            \
	X(RUNTIME_METADATA, "runtime_metadata", HG_CFG_BOOL, NULL, set_bool,   \
	  get_bool, runtime_metadata, hg_cfg_default_runtime_metadata,         \
	  "Model the runtime's own metadata that takes the break on the sbrk " \
	  "platforms (Go 1.14+)")                                              \
	X(PLACEMENT, "placement", HG_CFG_STRING, placement_names, set_enum,    \
	  get_enum, placement, hg_cfg_default_placement,                       \
	  "Where the simulated OS puts a mapping when the requested address "  \
	  "is taken")                                                          \
	X(POLICY_SBRK, "policy.sbrk", HG_CFG_STRING, sbrk_names, set_enum,     \
	  get_enum, policy_sbrk, hg_cfg_default_policy_sbrk,                   \
	  "Break handling on wasm and plan9")                                  \
	X(POLICY_ARENA, "policy.arena", HG_CFG_STRING, arena_names, set_enum,  \
	  get_enum, policy_arena, hg_cfg_default_policy_arena,                 \
	  "The arena layout")                                                  \
	X(POLICY_PREPARE, "policy.prepare", HG_CFG_STRING, prepare_names,      \
	  set_enum, get_enum, policy_prepare, hg_cfg_default_policy_prepare,   \
	  "When arena memory is mapped")                                       \
	X(POLICY_GROW, "policy.grow", HG_CFG_STRING, grow_names, set_enum,     \
	  get_enum, policy_grow, hg_cfg_default_policy_grow,                   \
	  "How the heap grows")                                                \
	X(POLICY_SBRK_FREE, "policy.sbrk_free", HG_CFG_STRING,                 \
	  sbrk_free_names, set_enum, get_enum, policy_sbrk_free,               \
	  hg_cfg_default_policy_sbrk_free,                                     \
	  "What the sbrk platforms do with freed memory")

#define HG_KEY_ENUM(id, ...) HG_KEY_##id,
enum hg_key { HG_CONFIG_KEYS(HG_KEY_ENUM) HG_KEY_COUNT };
#undef HG_KEY_ENUM

_Static_assert(HG_KEY_COUNT <= 64, "explicit_keys has 64 bits");

#define HG_KEY_NAME(id, name, ...) name,
const char *const hg_config_keys[] = { HG_CONFIG_KEYS(HG_KEY_NAME) NULL };
#undef HG_KEY_NAME

#define HG_BIT(k) ((uint64_t)1 << (k))

/* ------------------------------------------------------------------ */
/* Setting                                                             */
/* ------------------------------------------------------------------ */

static uint64_t *u64_at(struct hg_config *c, const struct key *k)
{
	return (uint64_t *)(void *)((char *)c + k->off);
}

static uint64_t u64_of(const struct hg_config *c, const struct key *k)
{
	uint64_t v;

	memcpy(&v, (const char *)c + k->off, sizeof(v));
	return v;
}

static int enum_parse(const char *const *names, const char *value)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(value, names[i]) == 0)
			return i;
	return -1;
}

/* enum_list writes "a, b or c" for an error message. */
static void enum_list(const char *const *names, char *buf, size_t len)
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

static int parse_bool(const char *v, bool *out)
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

static int parse_size(const struct key *k, const char *value, uint64_t *out,
		      char *err, size_t errlen)
{
	if (hg_parse_size(value, out) != HG_OK)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "invalid size '%s' for %s", value, k->name);
	return HG_OK;
}

static int set_platform(struct hg_config *c, const struct key *k,
			const char *value, char *err, size_t errlen)
{
	(void)k;
	if (hg_platform_parse(value, &c->platform) != HG_OK) {
		char list[256];

		list[0] = '\0';
		for (unsigned i = 0; i < HG_PLAT_COUNT; i++) {
			size_t used = strlen(list);

			snprintf(list + used, sizeof(list) - used, "%s%s",
				 i ? ", " : "", hg_cfg_platform_names[i]);
		}
		return hg_errorf(err, errlen, HG_EINVAL,
				 "unknown platform '%s' (expected one of %s)",
				 value, list);
	}
	return HG_OK;
}

static int set_go(struct hg_config *c, const struct key *k, const char *value,
		  char *err, size_t errlen)
{
	unsigned n;

	(void)k;
	if (hg_go_parse(value, &n) != HG_OK)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "unknown Go version '%s' (expected 1.%u "
				 "to 1.%u, e.g. \"1.19\" or \"go1.19\")",
				 value, HG_GO_MIN, HG_GO_MAX);
	snprintf(c->go, sizeof(c->go), "1.%u", n);
	return HG_OK;
}

static int set_phys_page_size(struct hg_config *c, const struct key *k,
			      const char *value, char *err, size_t errlen)
{
	uint64_t sz;
	int rc;

	if ((rc = parse_size(k, value, &sz, err, errlen)) != HG_OK)
		return rc;
	if ((rc = hg_cfg_check_phys(sz, err, errlen)) != HG_OK)
		return rc;
	c->phys_page_size = sz;
	if (!(c->explicit_keys & HG_BIT(HG_KEY_PHYS_HUGE_PAGE_SIZE)))
		c->phys_huge_page_size = hg_cfg_huge_page_size(c->platform, sz);
	return HG_OK;
}

static int set_phys_huge_page_size(struct hg_config *c, const struct key *k,
				   const char *value, char *err, size_t errlen)
{
	uint64_t sz;
	int rc;

	if ((rc = parse_size(k, value, &sz, err, errlen)) != HG_OK)
		return rc;
	if ((rc = hg_cfg_check_huge(sz, err, errlen)) != HG_OK)
		return rc;
	c->phys_huge_page_size = sz;
	return HG_OK;
}

static int set_page_size(struct hg_config *c, const struct key *k,
			 const char *value, char *err, size_t errlen)
{
	uint64_t sz;
	int rc;

	if ((rc = parse_size(k, value, &sz, err, errlen)) != HG_OK)
		return rc;
	if ((rc = hg_cfg_check_page(sz, err, errlen)) != HG_OK)
		return rc;
	c->page_size = sz;
	return HG_OK;
}

static int set_arena_size(struct hg_config *c, const struct key *k,
			  const char *value, char *err, size_t errlen)
{
	uint64_t sz;
	int rc;

	if ((rc = parse_size(k, value, &sz, err, errlen)) != HG_OK)
		return rc;
	if ((rc = hg_cfg_check_arena(sz, err, errlen)) != HG_OK)
		return rc;
	c->arena_size = sz;
	return HG_OK;
}

static int set_chunk_size(struct hg_config *c, const struct key *k,
			  const char *value, char *err, size_t errlen)
{
	uint64_t sz;
	int rc;

	if ((rc = parse_size(k, value, &sz, err, errlen)) != HG_OK)
		return rc;
	if ((rc = hg_cfg_check_chunk(sz, err, errlen)) != HG_OK)
		return rc;
	c->chunk_size = sz;
	return HG_OK;
}

static int set_address_bits(struct hg_config *c, const struct key *k,
			    const char *value, char *err, size_t errlen)
{
	const char *p = value;
	unsigned n;

	(void)k;
	if (!hg_cfg_parse_uint(&p, &n) || *p != '\0' || n < 24 || n > 56)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "address_bits must be a number between "
				 "24 and 56");
	c->address_bits = n;
	return HG_OK;
}

static int set_gomaxprocs(struct hg_config *c, const struct key *k,
			  const char *value, char *err, size_t errlen)
{
	const char *p = value;
	unsigned n;

	(void)k;
	if (!hg_cfg_parse_uint(&p, &n) || *p != '\0' || n > 4096)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "gomaxprocs must be a number between 0 "
				 "(as many as the trace names) and 4096");
	c->gomaxprocs = n;
	return HG_OK;
}

static int set_shootdown(struct hg_config *c, const struct key *k,
			 const char *value, char *err, size_t errlen)
{
	const char *p = value;
	unsigned n;

	(void)k;
	if (!hg_cfg_parse_uint(&p, &n) || *p != '\0' || n > 1000000)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "scavenger_shootdown_ns must be a number of "
				 "nanoseconds between 0 and 1000000");
	c->scavenger_shootdown_ns = n;
	return HG_OK;
}

static int set_size(struct hg_config *c, const struct key *k, const char *value,
		    char *err, size_t errlen)
{
	return parse_size(k, value, u64_at(c, k), err, errlen);
}

static int set_initial_memory(struct hg_config *c, const struct key *k,
			      const char *value, char *err, size_t errlen)
{
	if (strcmp(value, "auto") == 0) {
		c->initial_memory = 0;
		return HG_OK;
	}
	return set_size(c, k, value, err, errlen);
}

static int set_bool(struct hg_config *c, const struct key *k, const char *value,
		    char *err, size_t errlen)
{
	bool b;

	if (parse_bool(value, &b) != HG_OK)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "invalid boolean '%s' for %s (expected "
				 "true, false, yes, no, 1 or 0)",
				 value, k->name);
	memcpy((char *)c + k->off, &b, sizeof(b));
	return HG_OK;
}

/* gogc: a percentage or "off" (Go: readGOGC) */
static int set_gogc(struct hg_config *c, const struct key *k, const char *value,
		    char *err, size_t errlen)
{
	const char *p = value;
	unsigned n;

	(void)k;
	if (!strcmp(value, "off")) {
		c->gogc = -1;
		return HG_OK;
	}
	if (!hg_cfg_parse_uint(&p, &n) || *p != '\0' || n > 1000000)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "gogc must be off or a percentage between 0 "
				 "and 1000000, not '%s'",
				 value);
	c->gogc = (int)n;
	return HG_OK;
}

/* memory_limit: a size or "off" (Go's default, math.MaxInt64) */
static int set_memory_limit(struct hg_config *c, const struct key *k,
			    const char *value, char *err, size_t errlen)
{
	if (!strcmp(value, "off")) {
		c->memory_limit = INT64_MAX;
		return HG_OK;
	}
	int rc = set_size(c, k, value, err, errlen);
	if (rc == HG_OK && c->memory_limit > INT64_MAX)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "memory_limit must be off or at most %" PRId64
				 " bytes",
				 INT64_MAX);
	return rc;
}

/* randomize_heap_base: "false", or a seed; "true" means seed 0 */
static int set_randomize(struct hg_config *c, const struct key *k,
			 const char *value, char *err, size_t errlen)
{
	uint64_t sz;

	(void)k;
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
		return hg_errorf(err, errlen, HG_EINVAL,
				 "randomize_heap_base must be false or a "
				 "seed number, not '%s'",
				 value);
	}
	c->randomize_heap_base = true;
	c->heap_base_seed = sz;
	return HG_OK;
}

static int set_enum(struct hg_config *c, const struct key *k, const char *value,
		    char *err, size_t errlen)
{
	char list[128];
	int i = enum_parse(k->values, value);

	if (i < 0) {
		enum_list(k->values, list, sizeof(list));
		return hg_errorf(err, errlen, HG_EINVAL,
				 "invalid %s '%s' (expected %s)", k->name,
				 value, list);
	}
	memcpy((char *)c + k->off, &i, sizeof(i));
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* Getting and checking                                                */
/* ------------------------------------------------------------------ */

static void get_platform(const struct hg_config *c, const struct key *k,
			 const char **s, uint64_t *u)
{
	(void)k;
	(void)u;
	*s = hg_platform_name(c->platform);
}

static void get_go(const struct hg_config *c, const struct key *k,
		   const char **s, uint64_t *u)
{
	(void)k;
	(void)u;
	*s = c->go;
}

/* Go: mallocinit zeroes physHugePageSize above maxPhysHugePageSize */
static void get_phys_huge_page_size(const struct hg_config *c,
				    const struct key *k, const char **s,
				    uint64_t *u)
{
	(void)k;
	(void)s;
	*u = c->phys_huge_page_size > c->chunk_size ? 0
						    : c->phys_huge_page_size;
}

static void get_address_bits(const struct hg_config *c, const struct key *k,
			     const char **s, uint64_t *u)
{
	(void)k;
	(void)s;
	*u = c->address_bits;
}

static void get_gomaxprocs(const struct hg_config *c, const struct key *k,
			   const char **s, uint64_t *u)
{
	(void)k;
	(void)s;
	*u = c->gomaxprocs;
}

static void get_shootdown(const struct hg_config *c, const struct key *k,
			  const char **s, uint64_t *u)
{
	(void)k;
	(void)s;
	*u = c->scavenger_shootdown_ns;
}

static void get_gogc(const struct hg_config *c, const struct key *k,
		     const char **s, uint64_t *u)
{
	(void)k;
	if (c->gogc < 0)
		*s = "off";
	else
		*u = (uint64_t)c->gogc;
}

static void get_memory_limit(const struct hg_config *c, const struct key *k,
			     const char **s, uint64_t *u)
{
	(void)k;
	if (c->memory_limit >= INT64_MAX)
		*s = "off";
	else
		*u = c->memory_limit;
}

static void get_size(const struct hg_config *c, const struct key *k,
		     const char **s, uint64_t *u)
{
	(void)s;
	*u = u64_of(c, k);
}

static void get_initial_memory(const struct hg_config *c, const struct key *k,
			       const char **s, uint64_t *u)
{
	(void)k;
	(void)s;
	*u = hg_config_initial_memory(c);
}

static void get_bool(const struct hg_config *c, const struct key *k,
		     const char **s, uint64_t *u)
{
	bool b;

	(void)u;
	memcpy(&b, (const char *)c + k->off, sizeof(b));
	*s = b ? "true" : "false";
}

static void get_randomize(const struct hg_config *c, const struct key *k,
			  const char **s, uint64_t *u)
{
	(void)k;
	if (!c->randomize_heap_base)
		*s = "false";
	else
		*u = c->heap_base_seed;
}

static void get_enum(const struct hg_config *c, const struct key *k,
		     const char **s, uint64_t *u)
{
	int v, n = 0;

	(void)u;
	memcpy(&v, (const char *)c + k->off, sizeof(v));
	while (k->values[n])
		n++;
	*s = v >= 0 && v < n ? k->values[v] : "unknown";
}

/* ------------------------------------------------------------------ */
/* The table and its users                                             */
/* ------------------------------------------------------------------ */

#define HG_KEY_ROW(id, name, type, values, set, get, member, dflt, doc)        \
	{ name, type, values, set, get, offsetof(struct hg_config, member),    \
	  dflt, doc },
static const struct key keys[HG_KEY_COUNT] = { HG_CONFIG_KEYS(HG_KEY_ROW) };
#undef HG_KEY_ROW

static int key_find(const char *key)
{
	if (!key)
		return -1;
	for (int i = 0; i < HG_KEY_COUNT; i++)
		if (strcmp(key, keys[i].name) == 0)
			return i;
	return -1;
}

enum hg_config_type hg_config_type_of(const char *key)
{
	int k = key_find(key);

	return k < 0 ? HG_CFG_UNKNOWN : keys[k].type;
}

bool hg_config_is_string(const char *key)
{
	return hg_config_type_of(key) == HG_CFG_STRING;
}

bool hg_config_is_explicit(const struct hg_config *cfg, const char *key)
{
	int k = key_find(key);

	return k >= 0 && (cfg->explicit_keys & HG_BIT(k)) != 0;
}

const char *const *hg_config_key_values(const char *key)
{
	int k = key_find(key);

	return k < 0 ? NULL : keys[k].values;
}

const char *hg_config_key_doc(const char *key)
{
	int k = key_find(key);

	return k < 0 ? NULL : keys[k].doc;
}

/* hg_config_derive recomputes every value that was not set explicitly:
 * the defaults of its platform and Go version. */
static void hg_config_derive(struct hg_config *cfg)
{
	for (int k = 0; k < HG_KEY_COUNT; k++)
		if (!(cfg->explicit_keys & HG_BIT(k)))
			keys[k].dflt(cfg);
}

void hg_config_init(struct hg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	hg_config_derive(cfg);
}

int hg_config_set(struct hg_config *cfg, const char *key, const char *value,
		  char *err, size_t errlen)
{
	struct hg_config c;
	int k = key_find(key);
	int rc;

	if (err && errlen > 0)
		err[0] = '\0';
	if (k < 0) {
		struct hg_nearest near;
		hg_nearest_init(&near, key);
		for (int i = 0; i < HG_KEY_COUNT; i++)
			hg_nearest_try(&near, keys[i].name);
		const char *best = hg_nearest_best(&near);
		return hg_errorf(
			err, errlen, HG_EINVAL, "unknown config key '%s'%s%s%s",
			key ? key : "(null)", best ? " (did you mean '" : "",
			best ? best : "", best ? "'?)" : "");
	}
	if (!value)
		return hg_errorf(err, errlen, HG_EINVAL, "missing value for %s",
				 key);
	c = *cfg;
	rc = keys[k].set(&c, &keys[k], value, err, errlen);
	if (rc != HG_OK)
		return rc;
	c.explicit_keys |= HG_BIT(k);
	if (k == HG_KEY_PLATFORM || k == HG_KEY_GO)
		hg_config_derive(&c);
	*cfg = c;
	return HG_OK;
}

bool hg_config_key_objects(const char *key)
{
	return key && (!strcmp(key, "gogc") || !strcmp(key, "memory_limit") ||
		       !strcmp(key, "scavenger") || !strcmp(key, "gc") ||
		       !strcmp(key, "scavenger_pace") ||
		       !strcmp(key, "scavenger_gens") ||
		       !strcmp(key, "scavenger_grow") ||
		       !strcmp(key, "scavenger_shootdown_ns") ||
		       !strcmp(key, "page_cache_flush") ||
		       !strcmp(key, "mark_readmemstats") ||
		       !strcmp(key, "mem_profile"));
}

bool hg_config_key_platform(const struct hg_config *cfg, const char *key)
{
	return !key || strcmp(key, "runtime_metadata") != 0 ||
	       hg_platform_is_sbrk(cfg->platform);
}

int hg_config_get(const struct hg_config *cfg, const char *key, char *buf,
		  size_t len)
{
	const char *s = NULL;
	uint64_t u = 0;
	int k = key_find(key);
	int w;

	if (k < 0 || !buf || len == 0)
		return HG_EINVAL;
	keys[k].get(cfg, &keys[k], &s, &u);
	if (s)
		w = snprintf(buf, len, "%s", s);
	else
		w = snprintf(buf, len, "%llu", (unsigned long long)u);
	if (w < 0 || (size_t)w >= len)
		return HG_EINVAL; /* truncated */
	return HG_OK;
}
