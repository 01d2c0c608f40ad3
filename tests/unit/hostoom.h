/*
 * hostoom.h - a fault-injecting allocator for tests (hostoom.c): a binary
 * linked with hostoom.c and
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,
 * --wrap=strdup,--wrap=free (tests/hostoom.cmake) sends every allocation
 * its static libraries (core/, traces/, replay/, render/, cli/ objects)
 * make through the wrappers, which count them, fail the Nth on demand and
 * keep the blocks handed out in a table. ld's --wrap redirects only the
 * references of the objects linked in: the shared libraries (libc, zlib,
 * libcyaml, cairo) allocate as before.
 */
#ifndef HG_TEST_HOSTOOM_H
#define HG_TEST_HOSTOOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hostoom {
	bool tracking;    /* between hostoom_start and hostoom_stop */
	uint64_t allocs;  /* allocations so far */
	uint64_t fail_at; /* which one fails (1-based), 0 = none */
	bool fired;       /* it did */
	bool overflow;    /* the table filled up: hostoom_live means nothing */
};

extern struct hostoom hostoom;

/* hostoom_start empties the table and counts from 0, failing allocation
 * fail_at (0: none); hostoom_stop stops counting and tracking. */
void hostoom_start(uint64_t fail_at);
void hostoom_stop(void);
/* hostoom_live: the blocks handed out while tracking and not freed. */
size_t hostoom_live(void);

#endif
