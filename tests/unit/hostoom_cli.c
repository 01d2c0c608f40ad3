/*
 * hostoom_cli.c - heapgrow_hostoom: the heapgrow program over the
 * fault-injecting allocator of hostoom.h (tests/hostoom.cmake,
 * tests/unit/hostoom_cli.sh). HG_HOSTOOM_AT=N fails the program's Nth
 * allocation (none when unset or 0); HG_HOSTOOM_COUNT=FILE writes, at
 * exit, how many allocations the program made and whether the Nth came.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hostoom.h"

static void write_count(void)
{
	const char *path = getenv("HG_HOSTOOM_COUNT");
	FILE *f;

	hostoom_stop();
	if (!path || !*path)
		return;
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "%llu %d\n", (unsigned long long)hostoom.allocs,
		hostoom.fired ? 1 : 0);
	fclose(f);
}

__attribute__((constructor)) static void hostoom_cli_start(void)
{
	const char *at = getenv("HG_HOSTOOM_AT");

	hostoom_start(at ? strtoull(at, NULL, 10) : 0);
	atexit(write_count);
}
