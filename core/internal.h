/*
 * internal.h - helpers every file of the core shares (internal to hgcore):
 * alignment, assertions and the one way of formatting a message into a
 * caller's buffer.
 */
#ifndef HG_INTERNAL_H
#define HG_INTERNAL_H

#include "hg_core.h"

#include <stdarg.h>

#if defined(__GNUC__)
#define HG_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))
#define HG_NORETURN __attribute__((noreturn))
#else
#define HG_FORMAT(fmt, args)
#define HG_NORETURN
#endif

/*
 * HG_ALIGN_UP and HG_ALIGN_DOWN round x to a multiple of a, which must be
 * a power of two (Go: alignUp, alignDown). HG_ALIGN_UP wraps to 0 past the
 * top of the 64-bit space, as Go's does; callers that can get there check.
 */
#define HG_ALIGN_UP(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define HG_ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))

/* hg_is_pow2 tells whether x is a power of two (0 is not). */
static inline bool hg_is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* hg_is_aligned tells whether x is a multiple of the power of two a. */
static inline bool hg_is_aligned(uint64_t x, uint64_t a)
{
	return (x & (a - 1)) == 0;
}

/*
 * HG_ASSERT checks a precondition of the core's own code (a programming
 * error, never bad input: bad input gets an error code). It is active in
 * Debug and sanitizer builds (HG_DEBUG, set by core/CMakeLists.txt) and
 * compiled out otherwise; the expression is not evaluated then.
 */
#if defined(HG_DEBUG) && HG_DEBUG
#define HG_ASSERT(cond)                                                        \
	((cond) ? (void)0 : hg_assert_fail(#cond, __FILE__, __LINE__))
#else
#define HG_ASSERT(cond) ((void)sizeof(!(cond)))
#endif

/* hg_assert_fail reports a failed HG_ASSERT on stderr and aborts. */
HG_NORETURN void hg_assert_fail(const char *cond, const char *file, int line);

/*
 * hg_errorf formats a message into err (errlen bytes, always terminated;
 * nothing when err is NULL or errlen is 0) and returns code, so that a
 * failure reads `return hg_errorf(err, errlen, HG_EINVAL, "...", ...)`.
 * hg_verrorf is the va_list form.
 */
HG_FORMAT(4, 5)
int hg_errorf(char *err, size_t errlen, int code, const char *fmt, ...);
HG_FORMAT(4, 0)
int hg_verrorf(char *err, size_t errlen, int code, const char *fmt, va_list ap);

#endif /* HG_INTERNAL_H */
