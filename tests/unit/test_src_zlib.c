/*
 * test_src_zlib.c - the byte source's zlib inflater (a build without
 * ISA-L): traces/trace_src.c is compiled into this test without
 * HG_HAVE_ISAL (tests/srczlib.cmake), and the test's ld --wrap of
 * inflateInit2_ and inflate makes zlib fail for the host's memory
 * (Z_MEM_ERROR) on demand. That is the host out of memory (HG_ENOMEM,
 * "out of memory", as the other readers' allocation failures), never a
 * damaged stream; a damaged stream stays one.
 */

#include "trace_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

int __real_inflateInit2_(z_streamp strm, int bits, const char *version,
			 int size);
int __real_inflate(z_streamp strm, int flush);
int __wrap_inflateInit2_(z_streamp strm, int bits, const char *version,
			 int size);
int __wrap_inflate(z_streamp strm, int flush);

static bool fail_init, fail_inflate;

int __wrap_inflateInit2_(z_streamp strm, int bits, const char *version,
			 int size)
{
	if (fail_init)
		return Z_MEM_ERROR;
	return __real_inflateInit2_(strm, bits, version, size);
}

int __wrap_inflate(z_streamp strm, int flush)
{
	if (fail_inflate)
		return Z_MEM_ERROR;
	return __real_inflate(strm, flush);
}

static const char text[] = "heapgrow-trace 1\na s1 8K\nf s1\n";

/* gz is text as one gzip member (zlib's deflate, not wrapped). */
static size_t gz(unsigned char *out, size_t cap)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)text;
	zs.avail_in = (uInt)strlen(text);
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

/* read_all fills s to its end or its failure: the last fill's result. */
static long read_all(struct hg_src *s)
{
	long n;

	while ((n = hg__src_fill(s)) > 0)
		;
	return n;
}

static void test_inflates(void **state)
{
	unsigned char z[256];
	size_t n = gz(z, sizeof(z));
	struct hg_src s;

	(void)state;
	assert_int_equal(hg__src_open_mem(&s, z, n), 0);
	assert_int_equal(read_all(&s), 0);
	assert_true(s.gz);
	assert_int_equal(s.len, strlen(text));
	assert_memory_equal(s.buf, text, s.len);
	hg__src_close(&s);
}

/* The host's memory failing zlib, at inflateInit2 (its state) or at
 * inflate (its window, allocated at the first block). */
static void expect_enomem(bool at_init)
{
	unsigned char z[256];
	size_t n = gz(z, sizeof(z));
	struct hg_src s;

	fail_init = at_init;
	fail_inflate = !at_init;
	assert_int_equal(hg__src_open_mem(&s, z, n), 0);
	assert_int_equal(read_all(&s), -1);
	fail_init = fail_inflate = false;
	assert_true(s.failed);
	assert_true(s.enomem);
	assert_int_equal(hg__src_error(&s), HG_ENOMEM);
	assert_string_equal(s.err, "out of memory");
	hg__src_close(&s);
}

static void test_init_enomem(void **state)
{
	(void)state;
	expect_enomem(true);
}

static void test_inflate_enomem(void **state)
{
	(void)state;
	expect_enomem(false);
}

/* A damaged stream is the input's fault (HG_EINVAL), with zlib's reason. */
static void test_corrupt(void **state)
{
	unsigned char z[256];
	size_t n = gz(z, sizeof(z));
	struct hg_src s;

	(void)state;
	z[10] = 0xff; /* the first block's header: a reserved block type */
	assert_int_equal(hg__src_open_mem(&s, z, n), 0);
	assert_int_equal(read_all(&s), -1);
	assert_false(s.enomem);
	assert_int_equal(hg__src_error(&s), HG_EINVAL);
	assert_non_null(strstr(s.err, "gzip: corrupt data ("));
	hg__src_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inflates),
		cmocka_unit_test(test_init_enomem),
		cmocka_unit_test(test_inflate_enomem),
		cmocka_unit_test(test_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
