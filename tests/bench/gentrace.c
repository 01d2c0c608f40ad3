/*
 * gentrace - writes a synthetic heapgrow trace for benchmarks and scale
 * tests: a deterministic churn of heap spans (mostly small, some large),
 * off-heap allocations, scavenges and marks, with a bounded live set.
 *
 *   gentrace [-f yaml|compact] [-n EVENTS] [-l LIVE] [-s SEED] [-o PERCENT]
 *
 * -o makes PERCENT of the allocations off-heap (sysalloc/sysfree of stack
 * sizes) instead of heap spans.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	uint64_t x = *s;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static void usage(void)
{
	fprintf(stderr, "usage: gentrace [-f yaml|compact] [-n EVENTS] "
			"[-l LIVE] [-s SEED] [-o PERCENT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int yaml = 1;
	uint64_t n = 1000000, live_max = 20000, seed = 1, offheap = 0;
	int c;
	while ((c = getopt(argc, argv, "f:n:l:s:o:")) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "yaml") == 0)
				yaml = 1;
			else if (strcmp(optarg, "compact") == 0)
				yaml = 0;
			else
				usage();
			break;
		case 'n':
			n = strtoull(optarg, NULL, 10);
			break;
		case 'l':
			live_max = strtoull(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'o':
			offheap = strtoull(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (live_max == 0)
		usage();
	/* Slot i holds a live span "s<i>" (1) or stack "g<i>" (2). */
	unsigned char *live = calloc(live_max, 1);
	if (!live)
		return 1;
	uint64_t s = seed, nlive = 0;
	if (yaml)
		printf("heapgrow: 1\nname: synthetic-%" PRIu64 "\n"
		       "description: synthetic churn, %" PRIu64 " events, "
		       "at most %" PRIu64 " live spans\nevents:\n",
		       n, n, live_max);
	else
		printf("heapgrow-trace 1\n# synthetic churn, %" PRIu64
		       " events, at most %" PRIu64 " live spans\n",
		       n, live_max);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t r = rng(&s);
		if (i % 100000 == 99999) {
			if (yaml)
				printf("  - mark: \"event %" PRIu64 "\"\n", i);
			else
				printf("m event %" PRIu64 "\n", i);
			continue;
		}
		if (i % 50000 == 49999) {
			if (yaml)
				printf("  - scavenge: 16M\n");
			else
				printf("s 16M\n");
			continue;
		}
		uint64_t slot = (r >> 8) % live_max;
		if (live[slot] == 2) {
			live[slot] = 0;
			nlive--;
			if (yaml)
				printf("  - sysfree: g%" PRIu64 "\n", slot);
			else
				printf("sf g%" PRIu64 "\n", slot);
			continue;
		}
		if (live[slot]) {
			live[slot] = 0;
			nlive--;
			if (yaml)
				printf("  - free: s%" PRIu64 "\n", slot);
			else
				printf("f s%" PRIu64 "\n", slot);
			continue;
		}
		if ((r >> 48) % 100 < offheap) {
			uint64_t stack = 8192ull << ((r >> 20) % 4);
			live[slot] = 2;
			nlive++;
			if (yaml)
				printf("  - sysalloc: {id: g%" PRIu64
				       ", size: %" PRIu64 "}\n",
				       slot, stack);
			else
				printf("sa g%" PRIu64 " %" PRIu64 "\n", slot,
				       stack);
			continue;
		}
		/* Sizes: mostly 1-4 pages, a tail up to 1 MiB, rarely 8 MiB. */
		uint64_t size;
		uint64_t k = r % 1000;
		if (k < 900)
			size = ((r >> 40) % 4 + 1) * 8192;
		else if (k < 998)
			size = (r >> 32) % (1 << 20) + 1;
		else
			size = (r >> 40) % (8 << 20) + 1;
		live[slot] = 1;
		nlive++;
		if (yaml)
			printf("  - alloc: {id: s%" PRIu64 ", size: %" PRIu64
			       "}\n",
			       slot, size);
		else
			printf("a s%" PRIu64 " %" PRIu64 "\n", slot, size);
	}
	free(live);
	return 0;
}
