/*
 * fuzz_input.h - how the model fuzzers (fuzz_replay.c, fuzz_fault.c) read
 * their bytes: one byte at a time, sizes with a wide spread, and the
 * platforms and Go presets a byte chooses from.
 */
#ifndef HG_FUZZ_INPUT_H
#define HG_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

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

#endif /* HG_FUZZ_INPUT_H */
