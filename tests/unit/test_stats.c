/*
 * test_stats.c - the statistics table (core/stats.c): its rows are
 * consistent (names, groups, box ranks), each reads the member it names,
 * diff names find their row, object-level rows are absent without
 * object-level ops, and heapgrow(1) documents every row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hg_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HG_SOURCE_DIR
#define HG_SOURCE_DIR "."
#endif

static size_t nrows(void)
{
	size_t n = 0;

	while (hg_stat_specs[n].name)
		n++;
	return n;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* path writes the diff name of row s (final figures for a figure). */
static void path(char *buf, size_t len, const struct hg_stat_spec *s,
		 const char *which)
{
	snprintf(buf, len, "%s%s%s%s%s",
		 s->where == HG_STAT_FIGURES ? which : "",
		 s->where == HG_STAT_FIGURES ? "." : "",
		 s->group ? s->group : "", s->group ? "." : "", s->name);
}

static void test_rows(void **state)
{
	size_t n = nrows(), ranks = 0;
	char a[128], b[128];

	(void)state;
	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		const struct hg_stat_spec *s = &hg_stat_specs[i];

		/* A group's rows are together (one JSON object). */
		for (size_t j = i + 1; s->group && j < n; j++) {
			const struct hg_stat_spec *t = &hg_stat_specs[j];

			if (t->where == s->where && same(t->group, s->group))
				for (size_t k = i + 1; k < j; k++)
					assert_true(hg_stat_specs[k].where !=
							    s->where ||
						    same(hg_stat_specs[k].group,
							 s->group));
		}
		/* Figures first, then the run's: the JSON's order. */
		if (i && s->where == HG_STAT_FIGURES)
			assert_int_equal(hg_stat_specs[i - 1].where,
					 HG_STAT_FIGURES);
		/* Names are distinct, and found again by their diff name. */
		path(a, sizeof(a), s, "final");
		for (size_t j = 0; j < i; j++) {
			path(b, sizeof(b), &hg_stat_specs[j], "final");
			assert_string_not_equal(a, b);
		}
		assert_ptr_equal(hg_stat_by_path(a), s);
		if (s->where == HG_STAT_FIGURES) {
			path(a, sizeof(a), s, "peak");
			assert_ptr_equal(hg_stat_by_path(a), s);
		}
		/* Box ranks are 1, 2, ... without gaps or repeats. */
		if (s->box) {
			ranks++;
			for (size_t j = 0; j < n; j++)
				assert_true(j == i ||
					    hg_stat_specs[j].box != s->box);
		}
		assert_int_equal(s->off % sizeof(uint64_t), 0);
		assert_true(s->off + sizeof(uint64_t) <=
			    (s->where == HG_STAT_FIGURES
				     ? sizeof(struct hg_figures)
				     : sizeof(struct hg_stats)));
	}
	for (size_t r = 1; r <= ranks; r++) {
		size_t k = 0;

		for (size_t j = 0; j < n; j++)
			k += hg_stat_specs[j].box == r;
		assert_int_equal(k, 1);
	}
	/* The memory classes, in the order of enum hg_class. */
	for (int c = 0; c < HG_CLASS_COUNT; c++) {
		snprintf(a, sizeof(a), "final.classes.%s",
			 hg_class_name((enum hg_class)c));
		assert_non_null(hg_stat_by_path(a));
		assert_int_equal(hg_stat_by_path(a)->off,
				 offsetof(struct hg_figures, classes) +
					 (size_t)c * sizeof(uint64_t));
	}
	assert_null(hg_stat_by_path("final.HeapSys"));
	assert_null(hg_stat_by_path("memstats.HeapSys"));
	assert_null(hg_stat_by_path("final.os_calls.map"));
	assert_null(hg_stat_by_path("trace.events"));
	assert_null(hg_stat_by_path("final"));
	assert_null(hg_stat_by_path(""));
}

/* Each row reads its own member: distinct values everywhere. */
static void test_values(void **state)
{
	struct hg_stats st;
	uint64_t *w = (uint64_t *)&st.final;

	(void)state;
	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i < sizeof(st.final) / sizeof(uint64_t); i++)
		w[i] = 1000 + i;
	w = (uint64_t *)&st.peak;
	for (size_t i = 0; i < sizeof(st.peak) / sizeof(uint64_t); i++)
		w[i] = 2000 + i;
	st.os_calls.map = 77;
	st.os_calls.grow_memory = 78;
	st.heap_grows = 99;
	assert_int_equal(
		hg_stat_value(hg_stat_by_path("final.memstats.HeapSys"), &st,
			      false),
		st.final.heap_sys);
	assert_int_equal(
		hg_stat_value(hg_stat_by_path("peak.memstats.HeapReleased"),
			      &st, true),
		st.peak.heap_released);
	assert_int_equal(
		hg_stat_value(hg_stat_by_path("final.arenas"), &st, false),
		st.final.arenas);
	assert_int_equal(
		hg_stat_value(hg_stat_by_path("final.classes.stranded"), &st,
			      true),
		st.peak.classes[HG_CLASS_STRANDED]);
	assert_int_equal(
		hg_stat_value(hg_stat_by_path("os_calls.map"), &st, false), 77);
	assert_int_equal(hg_stat_value(hg_stat_by_path("os_calls.grow_memory"),
				       &st, true),
			 78);
	assert_int_equal(
		hg_stat_value(hg_stat_by_path("heap_grows"), &st, false), 99);
	assert_string_equal(hg_stat_label(hg_stat_by_path("heap_grows")),
			    "heap grows");
	assert_string_equal(hg_stat_label(hg_stat_by_path("final.mapped")),
			    "mapped");
	assert_int_equal(hg_stat_by_path("final.arenas")->unit, HG_UNIT_COUNT);
	assert_int_equal(hg_stat_by_path("final.mapped")->unit, HG_UNIT_BYTES);
}

/* An object-level statistic is present only with object-level ops. */
static void test_objects_flag(void **state)
{
	struct hg_stat_spec obj = { .group = "memstats",
				    .name = "X",
				    .flags = HG_STAT_OBJECTS };
	struct hg_stats st;

	(void)state;
	memset(&st, 0, sizeof(st));
	assert_false(hg_stat_present(&obj, &st));
	assert_true(hg_stat_present(hg_stat_by_path("final.mapped"), &st));
	st.object_ops = true;
	assert_true(hg_stat_present(&obj, &st));
	/* Span-level replays have none of them: the table's rows that are
	 * present without object_ops are the outputs of today. */
	st.object_ops = false;
	for (size_t i = 0; hg_stat_specs[i].name; i++)
		if (!(hg_stat_specs[i].flags & HG_STAT_OBJECTS))
			assert_true(hg_stat_present(&hg_stat_specs[i], &st));
}

static char *slurp(const char *file)
{
	FILE *f = fopen(file, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* section returns the man page section .SH NAME, cut at the next .SH. */
static char *section(char *man, const char *name)
{
	char head[64], *p, *end;

	snprintf(head, sizeof(head), "\n.SH %s\n", name);
	p = strstr(man, head);
	assert_non_null(p);
	p += strlen(head);
	end = strstr(p, "\n.SH ");
	if (end)
		*end = '\0';
	return p;
}

/* heapgrow(1) documents every statistic: the classes under MEMORY
 * CLASSES, every other row by its JSON key under STATISTICS. */
/* The curves: HG_STAT_NCURVES rows flagged HG_STAT_CURVE, figures, in
 * table order, read from a set of figures. */
static void test_curves(void **state)
{
	static const char *const want[] = { "HeapSys", "HeapInuse",
					    "HeapReleased", "committed",
					    "mapped" };
	struct hg_figures f;
	unsigned n = 0;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.heap_sys = 1;
	f.heap_inuse = 2;
	f.heap_released = 3;
	f.committed = 4;
	f.mapped = 5;
	for (const struct hg_stat_spec *s = hg_stat_specs; s->name; s++)
		n += (s->flags & HG_STAT_CURVE) != 0;
	assert_int_equal(n, HG_STAT_NCURVES);
	assert_int_equal(sizeof(want) / sizeof(want[0]), HG_STAT_NCURVES);
	for (unsigned i = 0; i < HG_STAT_NCURVES; i++) {
		const struct hg_stat_spec *s = hg_stat_curve(i);
		assert_non_null(s);
		assert_string_equal(s->name, want[i]);
		assert_int_equal(s->where, HG_STAT_FIGURES);
		assert_int_equal(hg_stat_figure(s, &f), i + 1);
	}
	assert_null(hg_stat_curve(HG_STAT_NCURVES));
}

static void test_man_page(void **state)
{
	char *man = slurp(HG_SOURCE_DIR "/share/man/heapgrow.1");
	char *copy = strdup(man);
	char *stats = section(man, "STATISTICS");
	char *classes = section(copy, "MEMORY CLASSES");
	char want[96];

	(void)state;
	for (size_t i = 0; hg_stat_specs[i].name; i++) {
		const struct hg_stat_spec *s = &hg_stat_specs[i];

		if (same(s->group, "classes")) {
			snprintf(want, sizeof(want), "\n.B %s\n", s->name);
			if (!strstr(classes, want))
				fail_msg("heapgrow(1) MEMORY CLASSES lacks %s",
					 s->name);
			continue;
		}
		snprintf(want, sizeof(want), "\"%s\"", s->name);
		if (!strstr(stats, want))
			fail_msg("heapgrow(1) STATISTICS lacks \"%s\"",
				 s->name);
	}
	free(man);
	free(copy);
}

/* words_of returns the words of `local NAME="..."` in script. */
static void words_of(const char *script, const char *name, char *out,
		     size_t len)
{
	char head[64];
	const char *p, *q;

	snprintf(head, sizeof(head), "local %s=\"", name);
	p = strstr(script, head);
	if (!p)
		fail_msg("the bash completion has no %s list", name);
	p += strlen(head);
	q = strchr(p, '"');
	assert_non_null(q);
	assert_true((size_t)(q - p) < len);
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
}

/* The bash completion of --fail-if offers every statistic, in the
 * table's order: the classes, the other figures (final. and peak.) and
 * the run's. */
static void test_completion(void **state)
{
	char *sh = slurp(HG_SOURCE_DIR "/share/completions/heapgrow.bash");
	char got[2048], want[3][2048];
	size_t used[3] = { 0, 0, 0 };

	(void)state;
	for (size_t i = 0; hg_stat_specs[i].name; i++) {
		const struct hg_stat_spec *s = &hg_stat_specs[i];
		int w = same(s->group, "classes")     ? 0
			: s->where == HG_STAT_FIGURES ? 1
						      : 2;
		bool cls = w == 0;

		used[w] += (size_t)snprintf(
			want[w] + used[w], sizeof(want[w]) - used[w],
			"%s%s%s%s", used[w] ? " " : "",
			s->group && !cls ? s->group : "",
			s->group && !cls ? "." : "", s->name);
		assert_true(used[w] < sizeof(want[w]));
	}
	words_of(sh, "classes", got, sizeof(got));
	assert_string_equal(got, want[0]);
	words_of(sh, "figure_stats", got, sizeof(got));
	assert_string_equal(got, want[1]);
	words_of(sh, "run_stats", got, sizeof(got));
	assert_string_equal(got, want[2]);
	free(sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_objects_flag),
		cmocka_unit_test(test_curves),
		cmocka_unit_test(test_man_page),
		cmocka_unit_test(test_completion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
