/*
 * test_render_report.c - the HTML report's recorder: the map it keeps at
 * every keyframe is the model's map there (checked by replaying a fresh
 * model up to each keyframe), keyframes stay bounded and include every
 * mark, ids and bounds are exact at every event, the written page is
 * self-contained and deterministic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg_core.h"
#include "render.h"
#include "report_html.h"

#define NOPS 3000

struct op_rec {
	struct hg_op op;
	char id[16];
	char text[16];
};

static struct op_rec ops[NOPS];
static size_t nops;

/* A fixed pseudo-random mix of spans, frees, off-heap allocations,
 * mappings, scavenges and marks (more than 512 events, so keyframes are
 * thinned). */
static void make_ops(void)
{
	uint32_t x = 12345;
	int live[NOPS], nlive = 0, next = 0;

	nops = 0;
	for (int i = 0; i < NOPS; i++) {
		struct op_rec *o = &ops[nops];
		memset(o, 0, sizeof(*o));
		x = x * 1103515245u + 12345u;
		unsigned r = (x >> 16) % 100;
		if (i % 700 == 699) {
			o->op.kind = HG_OP_MARK;
			snprintf(o->text, sizeof(o->text), "m%d", i);
			o->op.text = o->text;
		} else if (r < 55 || nlive == 0) {
			o->op.kind = HG_OP_ALLOC;
			live[nlive++] = next;
			snprintf(o->id, sizeof(o->id), "s%d", next++);
			o->op.size = 8192u * (1 + (x >> 8) % 40);
		} else if (r < 90) {
			int k = (int)((x >> 4) % (unsigned)nlive);
			o->op.kind = HG_OP_FREE;
			snprintf(o->id, sizeof(o->id), "s%d", live[k]);
			live[k] = live[--nlive];
		} else if (r < 94) {
			o->op.kind = HG_OP_SYSALLOC;
			snprintf(o->id, sizeof(o->id), "y%d", i);
			o->op.size = 4096u * (1 + (x >> 8) % 8);
		} else if (r < 96) {
			o->op.kind = HG_OP_MMAP;
			snprintf(o->id, sizeof(o->id), "map%d", i);
			o->op.size = 65536;
		} else {
			o->op.kind = HG_OP_SCAVENGE;
			o->op.size = 1u << 20;
		}
		o->op.id = o->id[0] ? o->id : NULL;
		nops++;
	}
}

static struct hg_model *new_model(void)
{
	struct hg_config cfg;
	struct hg_model *m;
	char err[256];

	hg_config_init(&cfg);
	assert_int_equal(hg_config_set(&cfg, "platform", "linux/amd64", err,
				       sizeof(err)),
			 0);
	assert_int_equal(hg_model_new(&m, &cfg, err, sizeof(err)), 0);
	return m;
}

struct runs {
	hg_addr v[8192][2];
	int cls[8192];
	size_t n;
};

static int collect(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct runs *r = arg;
	assert_true(r->n < 8192);
	r->v[r->n][0] = base;
	r->v[r->n][1] = end;
	r->cls[r->n++] = (int)c;
	return 0;
}

static struct runs want, got;
static hg_addr addr_of[NOPS], size_of[NOPS];

/* record replays ops into a report and a model; returns the report. */
static struct hg_report *record(void)
{
	struct hg_report *r;
	struct hg_model *m = new_model();
	char err[256];

	assert_int_equal(hg_report_new(&r, 1, "test"), 0);
	for (size_t i = 0; i < nops; i++) {
		struct hg_op_result res;
		assert_int_equal(
			hg_model_apply(m, &ops[i].op, &res, err, sizeof(err)),
			0);
		addr_of[i] = res.addr;
		size_of[i] = res.size;
		assert_int_equal(hg_report_event(r, 0, m, &ops[i].op, &res, i),
				 0);
	}
	assert_int_equal(hg_report_end(r, 0, m), 0);
	hg_model_free(m);
	return r;
}

static void test_map_at_keyframes(void **state)
{
	(void)state;
	make_ops();
	struct hg_report *r = record();
	uint64_t ev[2048];
	size_t nkf = hg_report_keyframes(r, 0, ev, 2048);

	/* Bounded: evenly spaced ones, the marks and the last event. */
	assert_true(nkf > 100);
	assert_true(nkf <= 2 * HG_REPORT_KEYFRAMES + NOPS / 700 + 1);
	assert_int_equal(ev[nkf - 1], nops - 1);
	for (size_t i = 0; i < nops; i++) {
		if (ops[i].op.kind != HG_OP_MARK)
			continue;
		bool found = false;
		for (size_t k = 0; k < nkf; k++)
			found |= ev[k] == i;
		assert_true(found);
	}
	/* The map at each keyframe is the model's after that event. */
	struct hg_model *m = new_model();
	char err[256];
	size_t k = 0, checked = 0;
	for (size_t i = 0; i < nops && k < nkf; i++) {
		assert_int_equal(
			hg_model_apply(m, &ops[i].op, NULL, err, sizeof(err)),
			0);
		if (ev[k] != i)
			continue;
		k++;
		want.n = got.n = 0;
		hg_model_regions(m, 0, hg_model_space_end(m), collect, &want);
		assert_int_equal(hg_report_map_at(r, 0, i, collect, &got), 0);
		assert_int_equal(got.n, want.n);
		for (size_t j = 0; j < want.n; j++) {
			assert_int_equal(got.v[j][0], want.v[j][0]);
			assert_int_equal(got.v[j][1], want.v[j][1]);
			assert_int_equal(got.cls[j], want.cls[j]);
		}
		checked++;
	}
	assert_int_equal(checked, nkf);
	hg_model_free(m);
	hg_report_free(r);
}

static void test_ids_exact(void **state)
{
	(void)state;
	make_ops();
	struct hg_report *r = record();
	char id[64];
	hg_addr base, end;
	uint64_t born;

	/* After every 97th event, each span made before it and still live
	 * is found by its middle address, with its id and bounds. */
	for (size_t e = 0; e < nops; e += 97) {
		for (size_t i = 0; i <= e; i++) {
			if (ops[i].op.kind != HG_OP_ALLOC)
				continue;
			bool freed = false;
			for (size_t j = i + 1; j <= e && !freed; j++)
				freed = ops[j].op.kind == HG_OP_FREE &&
					strcmp(ops[j].id, ops[i].id) == 0;
			hg_addr mid = addr_of[i] + size_of[i] / 2;
			int found =
				hg_report_id_at(r, 0, e, mid, id, sizeof(id),
						&base, &end, &born);
			if (freed) {
				/* Something else may live there now. */
				if (found)
					assert_string_not_equal(id, ops[i].id);
				continue;
			}
			assert_int_equal(found, 1);
			assert_string_equal(id, ops[i].id);
			assert_int_equal(base, addr_of[i]);
			assert_int_equal(end, addr_of[i] + size_of[i]);
			assert_int_equal(born, i);
			assert_int_equal(base % 8192, 0);
		}
	}
	hg_report_free(r);
}

static char *write_page(struct hg_report *r, size_t *len)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(hg_report_write_html(r, f), 0);
	long n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	char *s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return s;
}

static void test_page_self_contained(void **state)
{
	(void)state;
	make_ops();
	struct hg_report *r = record();
	size_t n1, n2;
	char *a = write_page(r, &n1);
	char *b = write_page(r, &n2);

	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1);
	assert_true(strncmp(a, "<!DOCTYPE html>", 15) == 0);
	assert_non_null(strstr(a, "id=\"hg-data\""));
	assert_non_null(strstr(a, "id=\"hg-regions-0\""));
	assert_non_null(strstr(a, "id=\"hg-ids-0\""));
	assert_non_null(strstr(a, "Sampled: map exact at"));
	/* Nothing from elsewhere: no URL, no external script, style or font. */
	assert_null(strstr(a, "http://"));
	assert_null(strstr(a, "https://"));
	assert_null(strstr(a, " src="));
	assert_null(strstr(a, "<link"));
	assert_null(strstr(a, "@import"));
	assert_null(strstr(a, "url("));
	free(a);
	free(b);
	hg_report_free(r);
}

/* Marks and labels with markup and bad UTF-8 stay inside their JSON
 * strings. */
static void test_page_escapes(void **state)
{
	(void)state;
	struct hg_report *r;
	struct hg_model *m = new_model();
	struct hg_op op = { .kind = HG_OP_MARK,
			    .text = "</script><b>\xff\xfe & \"q\"" };
	struct hg_op_result res;
	char err[256];
	size_t n;

	assert_int_equal(hg_report_new(&r, 2, "a</script>b"), 0);
	assert_int_equal(hg_report_label(r, 0, "go=1.8"), 0);
	assert_int_equal(hg_report_label(r, 1, "<go=1.9>"), 0);
	assert_int_equal(hg_model_apply(m, &op, &res, err, sizeof(err)), 0);
	for (size_t lane = 0; lane < 2; lane++) {
		assert_int_equal(hg_report_event(r, lane, m, &op, &res, 0), 0);
		assert_int_equal(hg_report_end(r, lane, m), 0);
	}
	char *s = write_page(r, &n);
	const char *data = strstr(s, "id=\"hg-data\">");
	assert_non_null(data);
	const char *close = strstr(data, "</script>");
	assert_non_null(close);
	/* The data's first </script> is its own end: after the lanes. */
	assert_true(close > strstr(data, "\"lanes\""));
	assert_non_null(strstr(data, "\\u003c/script\\u003e\\u003cb\\u003e"
				     "\\ufffd\\ufffd \\u0026 \\\"q\\\""));
	assert_non_null(strstr(data, "\\u003cgo=1.9\\u003e"));
	assert_non_null(strstr(s, "<title>a&lt;/script>b"));
	free(s);
	hg_model_free(m);
	hg_report_free(r);
}

/* count_role counts the scene's items of role r (and kind k). */
static size_t count_role(const struct hg_scene *s, const char *r,
			 enum hg_item_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->items[i].role && strcmp(s->items[i].role, r) == 0 &&
		     s->items[i].kind == k;
	return n;
}

/* The curves: bounded, one line per bucket and figure, the commit limit
 * at its height, a line per mark, the out of memory drawn. */
static void test_curves(void **state)
{
	(void)state;
	make_ops();
	struct hg_config cfg;
	struct hg_model *m;
	struct hg_curves *c;
	struct hg_scene *s;
	struct hg_render_opts o = { "curves", 1200, 0, 0, false, false };
	char err[256];

	hg_config_init(&cfg);
	assert_int_equal(
		hg_config_set(&cfg, "commit_limit", "4G", err, sizeof(err)), 0);
	assert_int_equal(hg_model_new(&m, &cfg, err, sizeof(err)), 0);
	assert_int_equal(hg_curves_new(&c, 1, &o), 0);
	for (size_t i = 0; i < nops; i++) {
		assert_int_equal(
			hg_model_apply(m, &ops[i].op, NULL, err, sizeof(err)),
			0);
		hg_curves_event(c, 0, m, &ops[i].op, i);
	}
	/* Grow the event count past the buckets: they merge. */
	struct hg_op mark = { .kind = HG_OP_MARK, .text = "late" };
	for (size_t i = nops; i < 5000; i++) {
		assert_int_equal(
			hg_model_apply(m, &mark, NULL, err, sizeof(err)), 0);
		hg_curves_event(c, 0, m, &mark, i);
	}
	hg_curves_end(c, 0, m);
	assert_int_equal(hg_curves_scene(&s, c), 0);
	size_t lines = count_role(s, "curve", HG_ITEM_LINE);
	/* 5000 events in buckets of 8: 625 per figure. */
	assert_int_equal(lines, 5 * 625);
	assert_int_equal(count_role(s, "limit", HG_ITEM_LINE), 1);
	assert_int_equal(count_role(s, "oom", HG_ITEM_LINE), 0);
	/* The marks of make_ops and the first of the late ones (one per
	 * event index; the list is bounded). */
	assert_true(count_role(s, "mark", HG_ITEM_LINE) >= NOPS / 700);
	assert_true(count_role(s, "mark", HG_ITEM_LINE) <= 64);
	/* The limit line is above every curve point: 4 GiB tops the axis. */
	double ylimit = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].role &&
		    strcmp(s->items[i].role, "limit") == 0 &&
		    s->items[i].kind == HG_ITEM_LINE)
			ylimit = s->items[i].y;
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].role && strcmp(s->items[i].role, "curve") == 0)
			assert_true(s->items[i].y > ylimit &&
				    s->items[i].y + s->items[i].h > ylimit);
	hg_scene_free(s);
	hg_curves_free(c);
	hg_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_at_keyframes),
		cmocka_unit_test(test_ids_exact),
		cmocka_unit_test(test_page_self_contained),
		cmocka_unit_test(test_page_escapes),
		cmocka_unit_test(test_curves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
