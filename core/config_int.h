/*
 * config_int.h - what config.c (the key table), presets.c (the
 * platforms, Go presets and defaults) and config_check.c (the checks)
 * share; internal to hgcore.
 */
#ifndef HG_CONFIG_INT_H
#define HG_CONFIG_INT_H

#include "internal.h"

#define HG_KiB ((uint64_t)1 << 10)
#define HG_MiB ((uint64_t)1 << 20)
#define HG_GiB ((uint64_t)1 << 30)

#define HG_GO_MIN 4u  /* HG_GO_OLDEST */
#define HG_GO_MAX 26u /* HG_GO_NEWEST */

/* The platforms' names, indexed by enum hg_platform, NULL-ended. */
extern const char *const hg_cfg_platform_names[HG_PLAT_COUNT + 1];

/* hg_cfg_parse_uint parses decimal digits at *s into *out (no overflow
 * past 9 digits) and advances *s. */
bool hg_cfg_parse_uint(const char **s, unsigned *out);

/* hg_cfg_huge_page_size is Linux's THP size for platform p with phys
 * pages, 0 elsewhere (Go: physHugePageSize). */
uint64_t hg_cfg_huge_page_size(enum hg_platform p, uint64_t phys);

/* The checks of one value alone (config_check.c), shared by hg_config_set
 * and hg_config_check: HG_OK, or HG_EINVAL with the message in err. */
int hg_cfg_check_phys(uint64_t v, char *err, size_t errlen);
int hg_cfg_check_page(uint64_t v, char *err, size_t errlen);
int hg_cfg_check_huge(uint64_t v, char *err, size_t errlen);
int hg_cfg_check_chunk(uint64_t v, char *err, size_t errlen);
int hg_cfg_check_arena(uint64_t v, char *err, size_t errlen);

/* The default of each key for c's platform and Go version. */
void hg_cfg_default_platform(struct hg_config *c);
void hg_cfg_default_go(struct hg_config *c);
void hg_cfg_default_phys_page_size(struct hg_config *c);
void hg_cfg_default_phys_huge_page_size(struct hg_config *c);
void hg_cfg_default_page_size(struct hg_config *c);
void hg_cfg_default_arena_size(struct hg_config *c);
void hg_cfg_default_chunk_size(struct hg_config *c);
void hg_cfg_default_address_bits(struct hg_config *c);
void hg_cfg_default_commit_limit(struct hg_config *c);
void hg_cfg_default_initial_memory(struct hg_config *c);
void hg_cfg_default_module_end(struct hg_config *c);
void hg_cfg_default_page_cache(struct hg_config *c);
void hg_cfg_default_per_p_caches(struct hg_config *c);
void hg_cfg_default_gomaxprocs(struct hg_config *c);
void hg_cfg_default_heap_padding(struct hg_config *c);
void hg_cfg_default_heap_base(struct hg_config *c);
void hg_cfg_default_startup_alloc(struct hg_config *c);
void hg_cfg_default_gogc(struct hg_config *c);
void hg_cfg_default_memory_limit(struct hg_config *c);
void hg_cfg_default_gc(struct hg_config *c);
void hg_cfg_default_mark_readmemstats(struct hg_config *c);
void hg_cfg_default_mem_profile(struct hg_config *c);
void hg_cfg_default_scavenger(struct hg_config *c);
void hg_cfg_default_scavenger_pace(struct hg_config *c);
void hg_cfg_default_scavenger_gens(struct hg_config *c);
void hg_cfg_default_scavenger_grow(struct hg_config *c);
void hg_cfg_default_scavenger_shootdown_ns(struct hg_config *c);
void hg_cfg_default_page_cache_flush(struct hg_config *c);
void hg_cfg_default_runtime_start(struct hg_config *c);
void hg_cfg_default_runtime_metadata(struct hg_config *c);
void hg_cfg_default_randomize_heap_base(struct hg_config *c);
void hg_cfg_default_placement(struct hg_config *c);
void hg_cfg_default_policy_sbrk(struct hg_config *c);
void hg_cfg_default_policy_arena(struct hg_config *c);
void hg_cfg_default_policy_prepare(struct hg_config *c);
void hg_cfg_default_policy_grow(struct hg_config *c);
void hg_cfg_default_policy_sbrk_free(struct hg_config *c);

#endif /* HG_CONFIG_INT_H */
