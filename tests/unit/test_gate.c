/*
 * test_gate.c - the --fail-if conditions of heapgrow diff (cli/gate.c):
 * parsing, error columns, lookup and exact evaluation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gate.h"

static void parse_ok(const char *text, struct hg_gate *g)
{
	char msg[200];
	unsigned col = 0;

	if (hg_gate_parse(text, g, &col, msg, sizeof(msg)) != 0)
		fail_msg("'%s': column %u: %s", text, col, msg);
}

static void parse_err(const char *text, unsigned col, const char *want)
{
	struct hg_gate g;
	char msg[200];
	unsigned c = 0;

	if (hg_gate_parse(text, &g, &c, msg, sizeof(msg)) == 0)
		fail_msg("'%s': parsed, expected an error", text);
	if (c != col || !strstr(msg, want))
		fail_msg("'%s': got column %u: %s; want %u: ...%s...", text, c,
			 msg, col, want);
}

static void test_parse(void **state)
{
	struct hg_gate g;

	(void)state;
	parse_ok("final.committed > +5%", &g);
	assert_string_equal(g.path, "final.committed");
	assert_int_equal(g.op, HG_GATE_GT);
	assert_int_equal(g.kind, HG_GATE_PCT);
	assert_false(g.neg);
	assert_int_equal(g.amount, 5);
	assert_int_equal(g.pct_den, 1);

	parse_ok("peak.classes.stranded>0", &g);
	assert_string_equal(g.path, "peak.classes.stranded");
	assert_int_equal(g.kind, HG_GATE_ABS);
	assert_int_equal(g.amount, 0);

	parse_ok("  final.memstats.HeapSys >= 128M ", &g);
	assert_int_equal(g.op, HG_GATE_GE);
	assert_true(g.amount == (uint64_t)128 << 20);

	parse_ok("final.mapped < -0x1000", &g);
	assert_int_equal(g.op, HG_GATE_LT);
	assert_int_equal(g.kind, HG_GATE_DELTA);
	assert_true(g.neg);
	assert_int_equal(g.amount, 4096);

	parse_ok("final.mapped <= -2.25%", &g);
	assert_int_equal(g.kind, HG_GATE_PCT);
	assert_true(g.neg);
	assert_int_equal(g.amount, 225);
	assert_int_equal(g.pct_den, 100);

	parse_ok("oom", &g);
	assert_int_equal(g.op, HG_GATE_SET);
	parse_ok("final.classes.unused increases", &g);
	assert_int_equal(g.op, HG_GATE_INCREASES);
	parse_ok("heap_grows decreases", &g);
	assert_int_equal(g.op, HG_GATE_DECREASES);
	parse_ok("config.go changes", &g);
	assert_int_equal(g.op, HG_GATE_CHANGES);
	parse_ok("os_calls.map == 3", &g);
	assert_int_equal(g.op, HG_GATE_EQ);
	parse_ok("os_calls.map != 3", &g);
	assert_int_equal(g.op, HG_GATE_NE);
	parse_ok("final.committed > -0", &g);
	assert_false(g.neg);
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_err("", 1, "expected a figure");
	parse_err("> 5", 1, "expected a name");
	parse_err("final. > 5", 7, "expected a name");
	parse_err("final.committed >> 5%", 18, "not '>'");
	parse_err("final.committed =< 5", 17, "expected an operator");
	parse_err("final.committed >", 18, "expected a value");
	parse_err("final.committed > 5X", 19, "bad size '5X'");
	parse_err("final.committed > 5%", 19, "needs a sign");
	parse_err("final.committed > +5.1234567%", 20, "bad percentage");
	parse_err("final.committed > +%", 20, "bad percentage");
	parse_err("final.committed > 5 6", 20, "unexpected text");
	parse_err("final.committed increases 5", 27, "takes no value");
	parse_err("final.committed increasesX", 17, "expected an operator");
	parse_err("final.committed > 99999999999999999999", 19, "bad size");
}

static const char base_json[] =
	"{\"heapgrow\": 1, \"config\": {\"go\": \"1.16\", \"policy.grow\": "
	"\"whole-arena\"},"
	" \"final\": {\"classes\": {\"stranded\": 0, \"unused\": 100},"
	" \"committed\": 1000, \"arenas\": 1},"
	" \"zero\": 0, \"oom\": null}";
static const char new_json[] =
	"{\"heapgrow\": 1, \"config\": {\"go\": \"1.17\", \"policy.grow\": "
	"\"incremental\"},"
	" \"final\": {\"classes\": {\"stranded\": 4096, \"unused\": 100},"
	" \"committed\": 1050, \"arenas\": 1},"
	" \"zero\": 10, \"oom\": {\"event\": 3, \"size\": 4194304}}";

struct files {
	struct hg_jvalue base, new;
};

static int setup(void **state)
{
	static struct files f;
	struct hg_jerror err;

	if (hg_jread(base_json, strlen(base_json), &f.base, &err) != 0 ||
	    hg_jread(new_json, strlen(new_json), &f.new, &err) != 0)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct files *f = *state;

	hg_jfree(&f->base);
	hg_jfree(&f->new);
	return 0;
}

/* holds evaluates text on the files; fails the test on an error. */
static bool holds(struct files *f, const char *text)
{
	struct hg_gate g;
	struct hg_gate_result r;
	char msg[300];
	bool bad_new;

	parse_ok(text, &g);
	if (hg_gate_eval(&g, &f->base, &f->new, &r, &bad_new, msg,
			 sizeof(msg)) != 0)
		fail_msg("'%s': %s", text, msg);
	return r.holds;
}

static void eval_err(struct files *f, const char *text, const char *want)
{
	struct hg_gate g;
	struct hg_gate_result r;
	char msg[300];
	bool bad_new;

	parse_ok(text, &g);
	if (hg_gate_eval(&g, &f->base, &f->new, &r, &bad_new, msg,
			 sizeof(msg)) == 0)
		fail_msg("'%s': evaluated, expected an error", text);
	if (!strstr(msg, want))
		fail_msg("'%s': got '%s', want ...%s...", text, msg, want);
}

static void test_eval(void **state)
{
	struct files *f = *state;

	/* committed: 1000 -> 1050, +50, +5% exactly. */
	assert_true(holds(f, "final.committed > 1K"));
	assert_false(holds(f, "final.committed > 2K"));
	assert_true(holds(f, "final.committed == 1050"));
	assert_true(holds(f, "final.committed >= +50"));
	assert_false(holds(f, "final.committed > +50"));
	assert_true(holds(f, "final.committed > -1"));
	assert_false(holds(f, "final.committed < -0"));
	assert_true(holds(f, "final.committed >= +5%"));
	assert_false(holds(f, "final.committed > +5%"));
	assert_true(holds(f, "final.committed > +4.999999%"));
	assert_true(holds(f, "final.committed == +5.000%"));
	assert_true(holds(f, "final.committed > -5%"));
	assert_true(holds(f, "final.committed increases"));
	assert_false(holds(f, "final.committed decreases"));
	assert_true(holds(f, "final.committed changes"));
	assert_false(holds(f, "final.arenas changes"));
	assert_false(holds(f, "final.arenas != +0"));

	assert_true(holds(f, "final.classes.stranded > 0"));
	assert_true(holds(f, "final.classes.stranded"));
	assert_true(holds(f, "final.classes.unused")); /* 100 */
	assert_false(holds(f, "final.classes.unused increases"));

	/* From 0: +infinite percent. */
	assert_true(holds(f, "zero > +1000000%"));
	assert_false(holds(f, "zero < +1000000%"));

	/* oom: null in BASE, set in NEW. */
	assert_true(holds(f, "oom"));
	assert_true(holds(f, "oom changes"));
	assert_true(holds(f, "oom.size >= 4M"));
	assert_false(holds(f, "oom.size > +0")); /* no BASE value */

	/* Keys with dots. */
	assert_true(holds(f, "config.policy.grow changes"));
	assert_true(holds(f, "config.go changes"));
}

static void test_eval_errors(void **state)
{
	struct files *f = *state;

	eval_err(f, "final.comitted > 0",
		 "'final' has no 'comitted' (there are: classes, committed, "
		 "arenas)");
	eval_err(f, "nothing", "no 'nothing' at the top");
	eval_err(f, "final.classes > 0", "group of figures");
	eval_err(f, "config.go > 1", "is a string");
	eval_err(f, "final.committed.x > 1", "'final.committed' is an integer");
	eval_err(f, "oom.bogus > 1", "unknown figure 'oom.bogus'");
}

static void test_cmp_pct(void **state)
{
	(void)state;
	assert_int_equal(hg_gate_cmp_pct(100, 105, false, 5, 1), 0);
	assert_int_equal(hg_gate_cmp_pct(100, 106, false, 5, 1), 1);
	assert_int_equal(hg_gate_cmp_pct(100, 90, true, 10, 1), 0);
	assert_int_equal(hg_gate_cmp_pct(100, 89, true, 10, 1), -1);
	assert_int_equal(hg_gate_cmp_pct(0, 0, false, 0, 1), 0);
	assert_int_equal(hg_gate_cmp_pct(0, 1, false, 999999, 1), 1);
	/* Large values stay exact: UINT64_MAX -> 0 is -100%. */
	assert_int_equal(hg_gate_cmp_pct(UINT64_MAX, 0, true, 100, 1), 0);
	assert_int_equal(
		hg_gate_cmp_pct(UINT64_MAX - 1, UINT64_MAX, false, 0, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test_setup_teardown(test_eval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eval_errors, setup,
						teardown),
		cmocka_unit_test(test_cmp_pct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
