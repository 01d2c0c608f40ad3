/*
 * test_jsonread.c - the strict JSON reader of heapgrow diff
 * (cli/jsonread.c): values, positions, errors, nesting limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "jsonread.h"

static void read_ok(const char *text, struct hg_jvalue *v)
{
	struct hg_jerror err;

	if (hg_jread(text, strlen(text), v, &err) != 0)
		fail_msg("%s: %u:%u: %s", text, err.line, err.col, err.msg);
}

/* read_err expects text to fail at line:col with a message containing msg. */
static void read_err(const char *text, unsigned line, unsigned col,
		     const char *msg)
{
	struct hg_jvalue v;
	struct hg_jerror err;

	if (hg_jread(text, strlen(text), &v, &err) == 0)
		fail_msg("%s: read, expected an error", text);
	if (err.line != line || err.col != col || !strstr(err.msg, msg))
		fail_msg("%s: got %u:%u: %s; want %u:%u: ...%s...", text,
			 err.line, err.col, err.msg, line, col, msg);
	assert_int_equal(v.type, HG_JNULL);
}

static void test_values(void **state)
{
	struct hg_jvalue v;
	const struct hg_jvalue *m;

	(void)state;
	read_ok("{\"a\": 1, \"b\": \"x\\n\\u00e9\\ud83d\\ude00\", \"c\": true,"
		" \"d\": false, \"e\": null, \"f\": {\"g\": -5},"
		" \"h\": 18446744073709551615, \"i\": {}}",
		&v);
	assert_int_equal(v.type, HG_JOBJECT);
	assert_int_equal(v.nmembers, 8);
	m = hg_jget(&v, "a");
	assert_non_null(m);
	assert_int_equal(m->type, HG_JINT);
	assert_int_equal(m->u, 1);
	m = hg_jget(&v, "b");
	assert_string_equal(m->s, "x\n\xc3\xa9\xf0\x9f\x98\x80");
	assert_true(hg_jget(&v, "c")->b);
	assert_int_equal(hg_jget(&v, "d")->type, HG_JBOOL);
	assert_false(hg_jget(&v, "d")->b);
	assert_int_equal(hg_jget(&v, "e")->type, HG_JNULL);
	m = hg_jget(hg_jget(&v, "f"), "g");
	assert_true(m->neg);
	assert_int_equal(m->u, 5);
	assert_true(hg_jget(&v, "h")->u == UINT64_MAX);
	assert_int_equal(hg_jget(&v, "i")->nmembers, 0);
	assert_null(hg_jget(&v, "zz"));
	assert_null(hg_jget(m, "a")); /* not an object */
	hg_jfree(&v);

	read_ok("  \"top\"  \n", &v);
	assert_int_equal(v.type, HG_JSTRING);
	hg_jfree(&v);
	read_ok("-0", &v);
	assert_false(v.neg);
	hg_jfree(&v);

	/* Arrays: the figures at marks. */
	read_ok("{\"marks\": [{\"event\": 3}, [], 7], \"e\": []}", &v);
	m = hg_jget(&v, "marks");
	assert_int_equal(m->type, HG_JARRAY);
	assert_int_equal(m->nmembers, 3);
	assert_null(m->members[0].key);
	assert_int_equal(hg_jget(&m->members[0].v, "event")->u, 3);
	assert_int_equal(m->members[1].v.type, HG_JARRAY);
	assert_int_equal(m->members[2].v.u, 7);
	assert_null(hg_jget(m, "event")); /* not an object */
	assert_int_equal(hg_jget(&v, "e")->nmembers, 0);
	assert_string_equal(hg_jtype_name(m->type), "an array");
	hg_jfree(&v);
}

static void test_positions(void **state)
{
	struct hg_jvalue v;
	const struct hg_jvalue *m;

	(void)state;
	read_ok("{\n  \"a\": {\n    \"b\": 42\n  }\n}\n", &v);
	m = hg_jget(&v, "a");
	assert_int_equal(m->line, 2);
	assert_int_equal(m->col, 8);
	m = hg_jget(m, "b");
	assert_int_equal(m->line, 3);
	assert_int_equal(m->col, 10);
	hg_jfree(&v);
}

static void test_errors(void **state)
{
	char deep[256];

	(void)state;
	read_err("", 1, 1, "expected a value, not end of input");
	read_err("{\"a\": 1,}", 1, 9, "expected a key string, not '}'");
	read_err("{\"a\" 1}", 1, 6, "expected ':'");
	read_err("{\"a\": 1 \"b\": 2}", 1, 9, "expected ',' or '}'");
	read_err("{\n\"a\": 1.5}", 2, 6, "only integers");
	read_err("{\"a\": 1e3}", 1, 7, "only integers");
	read_err("{\"a\": 01}", 1, 7, "leading zero");
	read_err("{\"a\": 18446744073709551616}", 1, 7, "64 bits");
	read_err("{\"a\": [1,]}", 1, 10, "expected a value");
	read_err("{\"a\": [1 2]}", 1, 10, "expected ',' or ']'");
	read_err("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\"");
	read_err("{\"a\": \"x\ty\"}", 1, 9, "control character");
	read_err("{\"a\": \"\\q\"}", 1, 8, "bad escape");
	read_err("{\"a\": \"\\u12\"}", 1, 8, "four hex digits");
	read_err("{\"a\": \"\\u0000\"}", 1, 8, "\\u0000");
	read_err("{\"a\": \"\\ud800x\"}", 1, 8, "lone high surrogate");
	read_err("{\"a\": \"\\udc00\"}", 1, 8, "lone low surrogate");
	read_err("{\"a\": \"\xff\"}", 1, 8, "invalid UTF-8");
	read_err("{\"a\": \"\xc3\"}", 1, 8, "invalid UTF-8");
	read_err("{\"a\": \"abc", 1, 7, "unterminated string");
	read_err("{\"a\": nul}", 1, 7, "expected a value");
	read_err("{\"a\": nullx}", 1, 11, "after a literal");
	read_err("{} {}", 1, 4, "after the value");
	read_err("{\"a\": 1", 1, 8, "end of input");
	read_err("\xef\xbb\xbf{}", 1, 1, "byte 0xef");

	/* 17 levels are too many (16 are fine: test_depth_limit). */
	memset(deep, 0, sizeof(deep));
	for (int i = 0; i <= HG_JREAD_MAX_DEPTH; i++)
		strcat(deep, "{\"a\":");
	read_err(deep, 1, 5 * HG_JREAD_MAX_DEPTH + 1, "nested more than 16");
}

/* hg_jread_numbers: fractions and exponents as HG_JREAL, with JSON's
 * grammar; hg_jread still refuses them. */
static void test_numbers(void **state)
{
	static const struct {
		const char *text;
		double d;
	} ok[] = {
		{ "0.5", 0.5 },     { "-0.5e+3", -500 }, { "1E2", 100 },
		{ "12.25", 12.25 }, { "3e-1", 0.3 },     { "-0.0", 0 },
	};
	static const char *const bad[] = { "1.",   ".5",  "1e", "1e+",
					   "01.5", "1.x", "-.5" };
	struct hg_jvalue v;
	struct hg_jerror err;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (hg_jread_numbers(ok[i].text, strlen(ok[i].text), &v,
				     &err) != 0)
			fail_msg("%s: %s", ok[i].text, err.msg);
		assert_int_equal(v.type, HG_JREAL);
		assert_true(v.d == ok[i].d);
		hg_jfree(&v);
		assert_int_not_equal(
			hg_jread(ok[i].text, strlen(ok[i].text), &v, &err), 0);
		assert_non_null(strstr(err.msg, "only integers"));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hg_jread_numbers(bad[i], strlen(bad[i]), &v, &err) == 0)
			fail_msg("%s: read, expected an error", bad[i]);
	/* Integers stay integers, with their value as a double too. */
	assert_int_equal(
		hg_jread_numbers("[-7, 18446744073709551615]", 26, &v, &err),
		0);
	assert_int_equal(v.members[0].v.type, HG_JINT);
	assert_true(v.members[0].v.neg && v.members[0].v.u == 7 &&
		    v.members[0].v.d == -7);
	assert_true(v.members[1].v.u == UINT64_MAX);
	hg_jfree(&v);
}

static void test_depth_limit(void **state)
{
	char buf[256] = "";
	struct hg_jvalue v;

	(void)state;
	for (int i = 0; i < HG_JREAD_MAX_DEPTH; i++)
		strcat(buf, "{\"a\":");
	strcat(buf, "1");
	for (int i = 0; i < HG_JREAD_MAX_DEPTH; i++)
		strcat(buf, "}");
	read_ok(buf, &v);
	hg_jfree(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_depth_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
