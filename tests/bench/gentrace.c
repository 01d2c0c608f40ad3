/*
 * gentrace - writes a synthetic heapgrow trace for benchmarks and scale
 * tests: a deterministic churn of heap spans (mostly small, some large),
 * off-heap allocations, scavenges and marks, with a bounded live set.
 *
 *   gentrace [-f yaml|compact] [-n EVENTS] [-l LIVE] [-s SEED] [-o PERCENT]
 *            [-m EVERY] [-k spans|objects|steady]
 *
 * -o makes PERCENT of the allocations off-heap (sysalloc/sysfree of stack
 * sizes) instead of heap spans. -m maps foreign memory every EVERY events
 * (mm of 64 KiB to 2 MiB where the OS chooses; at most 64 such mappings
 * live, the oldest unmapped when a new one would make 65). -k objects
 * writes an object-level churn instead (new/del with Go-like sizes, a gc
 * every 20,000 events, PERCENT of the allocations goroutine stacks, two
 * Ps), with the same live-set bound, for comparing the object layer's cost
 * with the span level's. -k steady first allocates LIVE spans, then frees
 * and reallocates a random one per pair of events, so exactly LIVE spans
 * are live after the fill (for the cost per event at a given live set).
 * A trace of N events is a prefix of the one of more events with the same
 * options.
 */
#include <inttypes.h>
#include <stdbool.h>
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

/*
 * An object-level churn: Go-like object sizes (most under 128 bytes, a
 * tail to 32 KiB, rarely a large object), a third without pointers, a gc
 * every 20,000 events, marks as in the span churn, and goroutine stacks.
 */
static void gen_objects(int yaml, uint64_t n, unsigned char *live,
			uint64_t live_max, uint64_t stacks, uint64_t s)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t r = rng(&s);
		if (i % 100000 == 99999) {
			if (yaml)
				printf("  - mark: \"event %" PRIu64 "\"\n", i);
			else
				printf("m event %" PRIu64 "\n", i);
			continue;
		}
		if (i % 20000 == 19999) {
			printf(yaml ? "  - gc: {}\n" : "g\n");
			continue;
		}
		if (i % 5000 == 4999) {
			printf(yaml ? "  - proc: %" PRIu64 "\n"
				    : "p %" PRIu64 "\n",
			       (i / 5000) % 2);
			continue;
		}
		uint64_t slot = (r >> 8) % live_max;
		if (live[slot] == 2) {
			live[slot] = 0;
			printf(yaml ? "  - stackfree: g%" PRIu64 "\n"
				    : "kf g%" PRIu64 "\n",
			       slot);
			continue;
		}
		if (live[slot]) {
			live[slot] = 0;
			printf(yaml ? "  - del: o%" PRIu64 "\n"
				    : "d o%" PRIu64 "\n",
			       slot);
			continue;
		}
		if ((r >> 48) % 100 < stacks) {
			live[slot] = 2;
			printf(yaml ? "  - stackalloc: {id: g%" PRIu64
				      ", size: %" PRIu64 "}\n"
				    : "ka g%" PRIu64 " %" PRIu64 "\n",
			       slot, (uint64_t)2048 << ((r >> 20) % 5));
			continue;
		}
		uint64_t size, k = r % 1000;
		if (k < 700)
			size = (r >> 40) % 128 + 1;
		else if (k < 950)
			size = (r >> 40) % 2048 + 1;
		else if (k < 999)
			size = (r >> 40) % 32768 + 1;
		else
			size = (r >> 40) % (1 << 20) + 32769;
		bool noscan = (r >> 30) % 3 == 0;
		live[slot] = 1;
		if (yaml)
			printf("  - new: {id: o%" PRIu64 ", size: %" PRIu64
			       "%s}\n",
			       slot, size, noscan ? ", noscan: true" : "");
		else
			printf("n o%" PRIu64 " %" PRIu64 "%s\n", slot, size,
			       noscan ? " noscan" : "");
	}
}

/* The span sizes of the mix: mostly 1-4 pages, a tail up to 1 MiB,
 * rarely up to 8 MiB. */
static uint64_t span_size(uint64_t r)
{
	uint64_t k = r % 1000;
	if (k < 900)
		return ((r >> 40) % 4 + 1) * 8192;
	if (k < 998)
		return (r >> 32) % (1 << 20) + 1;
	return (r >> 40) % (8 << 20) + 1;
}

/* Foreign mappings: a ring of the live ones, the oldest unmapped first. */
#define FOREIGN_MAX 64
static uint64_t foreign_next, foreign_live;

/* foreign writes one mm (and first the mu of the oldest when the ring
 * is full); returns the events written. */
static unsigned foreign(int yaml, uint64_t r)
{
	unsigned n = 0;
	if (foreign_live == FOREIGN_MAX) {
		uint64_t old = foreign_next - FOREIGN_MAX;
		if (yaml)
			printf("  - munmap: x%" PRIu64 "\n", old);
		else
			printf("mu x%" PRIu64 "\n", old);
		foreign_live--;
		n++;
	}
	uint64_t size = ((r >> 24) % 32 + 1) * 65536;
	if (yaml)
		printf("  - mmap: {id: x%" PRIu64 ", size: %" PRIu64 "}\n",
		       foreign_next, size);
	else
		printf("mm x%" PRIu64 " %" PRIu64 "\n", foreign_next, size);
	foreign_next++;
	foreign_live++;
	return n + 1;
}

/* A mark every 100,000 events, a scavenge of 16 MiB every 50,000; returns
 * whether event i was one. */
static bool periodic(int yaml, uint64_t i)
{
	if (i % 100000 == 99999) {
		if (yaml)
			printf("  - mark: \"event %" PRIu64 "\"\n", i);
		else
			printf("m event %" PRIu64 "\n", i);
		return true;
	}
	if (i % 50000 == 49999) {
		printf(yaml ? "  - scavenge: 16M\n" : "s 16M\n");
		return true;
	}
	return false;
}

/* The steady churn: LIVE allocations, then a free and an allocation of a
 * random span per two events. */
static void gen_steady(int yaml, uint64_t n, uint64_t live_max, uint64_t fevery,
		       uint64_t s)
{
	uint64_t i = 0, filled = 0, pending = UINT64_MAX;
	while (i < n) {
		uint64_t r = rng(&s);
		if (periodic(yaml, i)) {
			i++;
			continue;
		}
		if (fevery && i % fevery == fevery - 1) {
			i += foreign(yaml, r);
			continue;
		}
		uint64_t slot;
		if (filled < live_max) {
			slot = filled++;
		} else if (pending == UINT64_MAX) {
			slot = (r >> 8) % live_max;
			if (yaml)
				printf("  - free: s%" PRIu64 "\n", slot);
			else
				printf("f s%" PRIu64 "\n", slot);
			pending = slot;
			i++;
			continue;
		} else {
			slot = pending;
			pending = UINT64_MAX;
		}
		uint64_t size = span_size(r);
		if (yaml)
			printf("  - alloc: {id: s%" PRIu64 ", size: %" PRIu64
			       "}\n",
			       slot, size);
		else
			printf("a s%" PRIu64 " %" PRIu64 "\n", slot, size);
		i++;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: gentrace [-f yaml|compact] [-n EVENTS] "
			"[-l LIVE] [-s SEED] [-o PERCENT] "
			"[-m EVERY] [-k spans|objects|steady]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int yaml = 1, objects = 0, steady = 0;
	uint64_t n = 1000000, live_max = 20000, seed = 1, offheap = 0;
	uint64_t fevery = 0;
	int c;
	while ((c = getopt(argc, argv, "f:n:l:s:o:k:m:")) != -1) {
		switch (c) {
		case 'k':
			objects = steady = 0;
			if (strcmp(optarg, "objects") == 0)
				objects = 1;
			else if (strcmp(optarg, "steady") == 0)
				steady = 1;
			else if (strcmp(optarg, "spans") != 0)
				usage();
			break;
		case 'm':
			fevery = strtoull(optarg, NULL, 10);
			break;
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
	if (objects) {
		gen_objects(yaml, n, live, live_max, offheap, s);
		free(live);
		return 0;
	}
	if (steady) {
		free(live);
		gen_steady(yaml, n, live_max, fevery, s);
		return 0;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t r = rng(&s);
		if (periodic(yaml, i))
			continue;
		if (fevery && i % fevery == fevery - 1) {
			/* The unmap of the oldest counts as an event of its
			 * own. */
			i += foreign(yaml, r) - 1;
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
		uint64_t size = span_size(r);
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
