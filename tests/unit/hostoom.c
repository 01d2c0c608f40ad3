/*
 * hostoom.c - the fault-injecting allocator of hostoom.h.
 */
#include "hostoom.h"

#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
char *__wrap_strdup(const char *s);
void __wrap_free(void *p);

struct hostoom hostoom;

/* The blocks handed out while tracking: open addressing, a tombstone for
 * a removed one. */
#define LIVE_SLOTS ((size_t)1 << 20)
#define TOMB ((void *)1)
static void *live[LIVE_SLOTS];
static size_t nlive, nused; /* live blocks; slots not empty */

static size_t slot_of(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15u;

	return (size_t)(h >> 44) & (LIVE_SLOTS - 1);
}

static void live_add(void *p)
{
	size_t i = slot_of(p);

	if (nused >= LIVE_SLOTS / 2) {
		hostoom.overflow = true;
		return;
	}
	while (live[i] && live[i] != TOMB)
		i = (i + 1) & (LIVE_SLOTS - 1);
	if (!live[i])
		nused++;
	live[i] = p;
	nlive++;
}

static void live_del(void *p)
{
	size_t i = slot_of(p);

	while (live[i]) {
		if (live[i] == p) {
			live[i] = TOMB;
			nlive--;
			return;
		}
		i = (i + 1) & (LIVE_SLOTS - 1);
	}
}

/* An allocation: false when it is the one to fail. */
static bool alloc_ok(void)
{
	if (!hostoom.tracking)
		return true;
	hostoom.allocs++;
	if (hostoom.fail_at && hostoom.allocs == hostoom.fail_at) {
		hostoom.fired = true;
		return false;
	}
	return true;
}

static void *handed(void *p)
{
	if (p && hostoom.tracking)
		live_add(p);
	return p;
}

void *__wrap_malloc(size_t n)
{
	return alloc_ok() ? handed(__real_malloc(n)) : NULL;
}

void *__wrap_calloc(size_t k, size_t n)
{
	return alloc_ok() ? handed(__real_calloc(k, n)) : NULL;
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
	return alloc_ok() ? handed(__real_aligned_alloc(a, n)) : NULL;
}

void *__wrap_realloc(void *p, size_t n)
{
	void *q;

	if (n == 0) { /* frees p, as glibc's */
		__wrap_free(p);
		return NULL;
	}
	if (!alloc_ok())
		return NULL;
	q = __real_realloc(p, n);
	if (q && p && hostoom.tracking)
		live_del(p);
	return handed(q);
}

char *__wrap_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (!alloc_ok())
		return NULL;
	p = __real_malloc(n);
	if (p)
		memcpy(p, s, n);
	return handed(p);
}

void __wrap_free(void *p)
{
	if (p && hostoom.tracking)
		live_del(p);
	__real_free(p);
}

void hostoom_start(uint64_t fail_at)
{
	memset(live, 0, sizeof(live));
	nlive = nused = 0;
	hostoom.allocs = 0;
	hostoom.fail_at = fail_at;
	hostoom.fired = false;
	hostoom.overflow = false;
	hostoom.tracking = true;
}

void hostoom_stop(void)
{
	hostoom.tracking = false;
}

size_t hostoom_live(void)
{
	return nlive;
}
