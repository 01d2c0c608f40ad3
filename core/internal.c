/*
 * internal.c - the helpers of internal.h.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

int hg_verrorf(char *err, size_t errlen, int code, const char *fmt, va_list ap)
{
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	return code;
}

int hg_errorf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hg_verrorf(err, errlen, code, fmt, ap);
	va_end(ap);
	return code;
}

/* The one place the core writes anywhere: a broken invariant of its own
 * code, in Debug and sanitizer builds, just before it aborts. */
void hg_assert_fail(const char *cond, const char *file, int line)
{
	fprintf(stderr,
		"heapgrow: %s:%d: internal error: assertion '%s' failed\n",
		file, line, cond);
	abort();
}
