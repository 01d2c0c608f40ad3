/*
 * fuzz_input.h - how the model fuzzers (fuzz_replay.c, fuzz_fault.c) read
 * their bytes: one byte at a time, sizes with a wide spread, and the
 * platforms, Go presets and switches the bytes choose a configuration from.
 */
#ifndef HG_FUZZ_INPUT_H
#define HG_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "hg_core.h"

struct input {
	const uint8_t *p;
	size_t n;
};

static inline unsigned take(struct input *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

/* A size with a wide spread: pages, chunks, arenas and odd bytes. */
static inline uint64_t take_size(struct input *in)
{
	unsigned a = take(in), b = take(in);
	switch (a % 6) {
	case 0:
		return (uint64_t)b + 1;
	case 1:
		return ((uint64_t)b + 1) * 8192;
	case 2:
		return ((uint64_t)b + 1) * 65536;
	case 3:
		return ((uint64_t)(b % 32) + 1) << 20;
	case 4:
		return ((uint64_t)(b % 8) + 1) << 26;
	default:
		return ((uint64_t)b << 8 | take(in)) + 1;
	}
}

static const char *const platforms[] = {
	"linux/amd64",   "linux/arm64", "linux/386",
	"windows/amd64", "windows/386", "js/wasm",
	"wasip1/wasm",   "plan9/386",   "plan9/amd64",
};
static const char *const versions[] = { "1.4",  "1.8",  "1.9",  "1.10", "1.13",
					"1.14", "1.16", "1.19", "1.21", "1.24",
					"1.26", "1.5",  "1.7",  "1.11", "1.12",
					"1.17", "1.20", "1.25" };

/* A configuration the next bytes choose: platform, Go preset and four
 * switches (an invalid combination is left to hg_config_check). */
static inline void take_config(struct input *in, struct hg_config *cfg,
			       char *err, size_t errlen)
{
	hg_config_init(cfg);
	hg_config_set(cfg, "platform",
		      platforms[take(in) %
				(sizeof(platforms) / sizeof(platforms[0]))],
		      err, errlen);
	hg_config_set(
		cfg, "go",
		versions[take(in) % (sizeof(versions) / sizeof(versions[0]))],
		err, errlen);
	unsigned flags = take(in);
	if (flags & 1)
		hg_config_set(cfg, "page_cache", "false", err, errlen);
	if (flags & 2)
		hg_config_set(cfg, "commit_limit", "256M", err, errlen);
	if (flags & 4)
		hg_config_set(cfg, "randomize_heap_base", "7", err, errlen);
	if (flags & 8)
		hg_config_set(cfg, "phys_page_size", "64K", err, errlen);
}

#endif /* HG_FUZZ_INPUT_H */
