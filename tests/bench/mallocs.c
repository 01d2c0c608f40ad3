/*
 * mallocs - a C program that makes N heap events (malloc and free) with a
 * bounded live set, for the benchmark's baselines: heaptrack records it
 * (heaptrack_print then analyses the recording) and glibc's mtrace() logs
 * it (heapgrow's mtrace importer then reads the log).
 *
 *   mallocs [EVENTS] [LIVE]   (default 3,000,000 events, 20,000 live)
 *
 * Sizes: mostly 16 to 256 bytes, a tail to 32 KiB, rarely 1 MiB. With
 * MALLOC_TRACE set (and glibc's libc_malloc_debug preloaded) mtrace()
 * logs every call to that file. Prints "mallocs: N events" (the calls
 * to malloc and free) on standard output.
 */
#include <mcheck.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	uint64_t x = *s;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 3000000;
	uint64_t live = argc > 2 ? strtoull(argv[2], NULL, 10) : 20000;
	if (live == 0)
		return 2;
	void **slot = calloc(live, sizeof(*slot));
	if (!slot)
		return 1;
	if (getenv("MALLOC_TRACE"))
		mtrace();
	uint64_t s = 1, events = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t r = rng(&s), k = (r >> 8) % live;
		if (slot[k]) {
			free(slot[k]);
			slot[k] = NULL;
		} else {
			uint64_t c = r % 1000, size;
			if (c < 900)
				size = (r >> 40) % 241 + 16;
			else if (c < 999)
				size = (r >> 40) % 32768 + 1;
			else
				size = (r >> 40) % (1 << 20) + 1;
			slot[k] = malloc(size);
			if (!slot[k])
				return 1;
			memset(slot[k], 1, size < 64 ? size : 64);
		}
		events++;
	}
	for (uint64_t k = 0; k < live; k++)
		if (slot[k]) {
			free(slot[k]);
			events++;
		}
	if (getenv("MALLOC_TRACE"))
		muntrace();
	free(slot);
	printf("mallocs: %llu events\n", (unsigned long long)events);
	return 0;
}
