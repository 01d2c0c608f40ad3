/*
 * test_render_scene.c - the pure half of libhgrender: palette, folded axis,
 * pixel stacks, the histogram query, and the map and timeline scenes
 * (layout, folding, merging, determinism).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg_core.h"
#include "render.h"
#include "../../render/scene_int.h"

static struct hg_model *model_with(const char *platform, const char *go)
{
	struct hg_config cfg;
	struct hg_model *m = NULL;
	char err[256];

	hg_config_init(&cfg);
	if (platform)
		assert_int_equal(hg_config_set(&cfg, "platform", platform, err,
					       sizeof(err)),
				 0);
	if (go)
		assert_int_equal(
			hg_config_set(&cfg, "go", go, err, sizeof(err)), 0);
	assert_int_equal(hg_model_new(&m, &cfg, err, sizeof(err)), 0);
	return m;
}

static void apply(struct hg_model *m, enum hg_op_kind k, const char *id,
		  uint64_t size)
{
	struct hg_op op = { .kind = k, .id = id, .size = size, .text = id };
	char err[256];
	assert_int_equal(hg_model_apply(m, &op, NULL, err, sizeof(err)), 0);
}

/* A heap of n spans of one page, every other one freed, some released. */
static struct hg_model *striped_model(int n)
{
	struct hg_model *m = model_with(NULL, NULL);
	char id[32];
	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%d", i);
		apply(m, HG_OP_ALLOC, id, 8192);
	}
	for (int i = 1; i < n; i += 2) {
		snprintf(id, sizeof(id), "%d", i);
		apply(m, HG_OP_FREE, id, 0);
	}
	struct hg_op op = { .kind = HG_OP_SCAVENGE,
			    .size = (uint64_t)n * 1024 };
	assert_int_equal(hg_model_apply(m, &op, NULL, NULL, 0), 0);
	return m;
}

static void test_palette(void **state)
{
	(void)state;
	/* Every class has its own colour. */
	for (int a = 1; a < HG_CLASS_COUNT; a++)
		for (int b = a + 1; b < HG_CLASS_COUNT; b++)
			assert_int_not_equal(hg_class_rgb(a), hg_class_rgb(b));
	/* Reserved and released differ in greyscale (luma, 0..255). */
	uint32_t r = hg_class_rgb(HG_CLASS_RESERVED),
		 l = hg_class_rgb(HG_CLASS_RELEASED);
#define LUMA(c)                                                                \
	(0.299 * ((c) >> 16 & 0xff) + 0.587 * ((c) >> 8 & 0xff) +              \
	 0.114 * ((c)&0xff))
	assert_true(LUMA(r) - LUMA(l) > 100);
	assert_true(hg_class_hatched(HG_CLASS_RESERVED));
	assert_false(hg_class_hatched(HG_CLASS_RELEASED));
}

static void test_fmt(void **state)
{
	char b[32];
	(void)state;
	hg_fmt_bytes(b, sizeof(b), 512);
	assert_string_equal(b, "512 B");
	hg_fmt_bytes(b, sizeof(b), 64 << 20);
	assert_string_equal(b, "64 MiB");
	hg_fmt_bytes(b, sizeof(b), 1536);
	assert_string_equal(b, "1.5 KiB");
	hg_fmt_bytes(b, sizeof(b), 139912720412672ULL);
	assert_string_equal(b, "127 TiB");
}

static void test_axis_folding(void **state)
{
	struct hg_extents e;
	struct hg_axis a;
	(void)state;

	hg_extents_init(&e);
	hg_extents_add(&e, 0xc000000000, 0xc004000000); /* 64 MiB */
	hg_extents_add(&e, 0x400000, 0x500000);         /* 1 MiB */
	hg_extents_add(&e, 0xc004000000, 0xc004100000); /* touching */
	hg_extents_add(&e, 0xc004200000, 0xc004300000); /* small gap */
	hg_extents_normalize(&e);
	assert_int_equal(e.n, 3);
	assert_int_equal(hg_axis_build(&a, &e, 1000), 0);
	/* segment, fold, segment */
	assert_int_equal(a.n, 3);
	assert_false(a.seg[0].fold);
	assert_true(a.seg[1].fold);
	assert_int_equal(a.seg[1].p1 - a.seg[1].p0, HG_FOLD_PX);
	assert_int_equal(a.seg[1].lo, 0x500000);
	assert_int_equal(a.seg[1].hi, 0xc000000000);
	/* The small gap is kept, to scale, inside the heap segment. */
	assert_int_equal(a.seg[2].lo, 0xc000000000);
	assert_int_equal(a.seg[2].hi, 0xc004300000);
	assert_int_equal(a.length, 1000);
	/* Segments of sizes 1:67 are not to one scale; no segment is thinner
	 * than 4% of the width. */
	assert_false(a.to_scale);
	assert_true(a.seg[0].p1 - a.seg[0].p0 >= 38);
	/* Edges are monotonic and cover the segments exactly. */
	hg_addr *edges = hg_axis_edges(&a);
	assert_non_null(edges);
	for (int i = 0; i < a.length; i++)
		assert_true(edges[i] <= edges[i + 1]);
	assert_int_equal(edges[0], 0x400000);
	assert_int_equal(edges[a.seg[1].p0], 0x500000);
	assert_int_equal(edges[a.seg[2].p0], 0xc000000000);
	assert_int_equal(edges[a.length], 0xc004300000);
	assert_true(hg_axis_pos(&a, 0xc000000000) == a.seg[2].p0);
	free(edges);
	hg_axis_release(&a);
	hg_extents_release(&e);
}

static void test_axis_to_scale(void **state)
{
	struct hg_extents e;
	struct hg_axis a;
	(void)state;
	hg_extents_init(&e);
	hg_extents_add(&e, 0x1000000, 0x2000000);
	hg_extents_add(&e, 0x10000000000, 0x10002000000);
	hg_extents_normalize(&e);
	assert_int_equal(hg_axis_build(&a, &e, 600), 0);
	assert_true(a.to_scale);
	int w0 = a.seg[0].p1 - a.seg[0].p0, w2 = a.seg[2].p1 - a.seg[2].p0;
	assert_true(abs(2 * w0 - w2) <= 1);
	hg_axis_release(&a);
	/* Nothing held: no axis. */
	struct hg_extents none;
	hg_extents_init(&none);
	assert_int_equal(hg_axis_build(&a, &none, 600), HG_EINVAL);
	hg_extents_release(&e);
}

/* --range keeps the held parts of a window, or the window when none is. */
/* The metadata band: linux/amd64's 1.1 GiB summary reservation is one
 * segment HG_BAND_PX wide, beside a heap drawn to its own scale. */
static void test_axis_band(void **state)
{
	(void)state;
	struct hg_model *m = model_with(NULL, NULL);
	struct hg_extents e, meta;
	struct hg_axis ax;
	apply(m, HG_OP_ALLOC, "a", 5 << 20);
	hg_extents_init(&e);
	hg_extents_init(&meta);
	hg_extents_add_model(&e, m);
	hg_extents_normalize(&e);
	hg_extents_metadata_of(&meta, &m, 1);
	assert_true(meta.n >= 1);
	uint64_t mb = 0;
	for (size_t i = 0; i < meta.n; i++)
		mb += meta.v[i].hi - meta.v[i].lo;
	assert_true(mb > (1ull << 30)); /* the summaries and the index map */
	assert_int_equal(hg_axis_build_banded(&ax, &e, &meta, 1000, 64), 0);
	size_t bands = 0;
	int heap_px = 0;
	for (size_t i = 0; i < ax.n; i++) {
		if (ax.seg[i].band) {
			bands++;
			assert_int_equal(ax.seg[i].p1 - ax.seg[i].p0, 64);
			assert_true(ax.seg[i].lo >= meta.v[0].lo);
		} else if (!ax.seg[i].fold && ax.seg[i].lo == 0xc000000000) {
			heap_px = ax.seg[i].p1 - ax.seg[i].p0;
		}
	}
	assert_int_equal(bands, 1);
	assert_true(heap_px > 600); /* the arena gets most of the width */
	hg_axis_release(&ax);
	/* Without the band, the metadata takes more than half. */
	assert_int_equal(hg_axis_build(&ax, &e, 1000), 0);
	for (size_t i = 0; i < ax.n; i++)
		assert_false(ax.seg[i].band);
	hg_axis_release(&ax);
	hg_extents_release(&e);
	hg_extents_release(&meta);
	hg_model_free(m);
}

/* Zoom to the heap: a small heap in a big arena, not a big one. */
static void test_heap_zoom(void **state)
{
	(void)state;
	hg_addr lo = 0, hi = 0;
	/* 304 KiB of heap in [0xc000000000, +0xb4000) of 65 MiB shown. */
	assert_true(hg_heap_zoom(0xc000000000, 0xc0000b4000, 304 << 10,
				 65u << 20, &lo, &hi));
	assert_true(lo == 0xc000000000 && hi == 0xc000100000);
	/* Unaligned: the power of two covers it, one or two of them. */
	assert_true(hg_heap_zoom(0xc0000f0000, 0xc000110000, 64 << 10, 1u << 30,
				 &lo, &hi));
	assert_true(lo <= 0xc0000f0000 && hi >= 0xc000110000);
	assert_true(hi - lo <= 2 * 0x20000);
	/* 75 MiB of heap in 193 MiB: no zoom. */
	assert_false(hg_heap_zoom(0xc000000000, 0xc004b00000, 75u << 20,
				  193u << 20, &lo, &hi));
	/* No heap: no zoom. */
	assert_false(hg_heap_zoom(0, 0, 0, 1u << 30, &lo, &hi));
	/* A model: 24 KiB of spans in a 64 MiB arena zooms to its 4 MiB chunk
	 * (its released pages included), 5 MiB of spans does not. */
	struct hg_model *m = model_with(NULL, NULL);
	apply(m, HG_OP_ALLOC, "a", 24 << 10);
	assert_true(hg_auto_zoom(&m, 1, &lo, &hi));
	assert_true(lo == 0xc000000000 && hi == 0xc000400000);
	apply(m, HG_OP_ALLOC, "b", 5 << 20);
	assert_false(hg_auto_zoom(&m, 1, &lo, &hi));
	hg_model_free(m);
}

/* The live ids: bounds and birth of what is live, none of what ended. */
static void test_idlive(void **state)
{
	(void)state;
	struct hg_model *m = model_with(NULL, NULL);
	struct hg_idlive *t;
	char err[256], id[16];
	assert_int_equal(hg_idlive_new(&t), 0);
	for (int i = 0; i < 200; i++) { /* through a few rehashes */
		snprintf(id, sizeof(id), "s%d", i);
		struct hg_op op = { .kind = HG_OP_ALLOC,
				    .id = id,
				    .size = 8192 };
		struct hg_op_result res = { 0 };
		assert_int_equal(hg_model_apply(m, &op, &res, err, sizeof(err)),
				 0);
		assert_int_equal(hg_idlive_event(t, m, &op, &res, (uint64_t)i),
				 0);
	}
	for (int i = 0; i < 200; i += 2) {
		snprintf(id, sizeof(id), "s%d", i);
		struct hg_op op = { .kind = HG_OP_FREE, .id = id };
		struct hg_op_result res = { 0 };
		assert_int_equal(hg_model_apply(m, &op, &res, err, sizeof(err)),
				 0);
		assert_int_equal(hg_idlive_event(t, m, &op, &res, 200), 0);
	}
	assert_int_equal(hg_idlive_sort(t), 0);
	struct hg_idlive_rec r[4];
	assert_int_equal(hg_idlive_each(t, 0, UINT64_MAX, 4, r), 100);
	/* The second span (s1) is the lowest live one, one page. */
	assert_string_equal(r[0].id, "s1");
	assert_true(r[0].base == 0xc000002000 && r[0].end == 0xc000004000);
	assert_int_equal(r[0].born, 1);
	assert_int_equal(r[0].family, HG_IDS_SPAN);
	/* Nothing live in s0's freed page. */
	assert_int_equal(hg_idlive_each(t, 0xc000000000, 0xc000002000, 4, r),
			 0);
	hg_idlive_free(t);
	hg_model_free(m);
}

static void test_extents_clip(void **state)
{
	(void)state;
	struct hg_extents e;
	hg_extents_init(&e);
	hg_extents_add(&e, 0x1000, 0x3000);
	hg_extents_add(&e, 0x8000, 0x9000);
	hg_extents_add(&e, 0x20000, 0x30000);
	hg_extents_normalize(&e);
	hg_extents_clip(&e, 0x2000, 0x8800);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.v[0].lo, 0x2000);
	assert_int_equal(e.v[0].hi, 0x3000);
	assert_int_equal(e.v[1].lo, 0x8000);
	assert_int_equal(e.v[1].hi, 0x8800);
	hg_extents_clip(&e, 0x4000, 0x5000);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].lo, 0x4000);
	assert_int_equal(e.v[0].hi, 0x5000);
	hg_extents_release(&e);
}

static void test_stack_never_hides(void **state)
{
	struct hg_stack st;
	uint64_t b[HG_CLASS_COUNT] = { 0 };
	(void)state;

	/* 1 byte of stranded among a GiB of heap still shows. */
	b[HG_CLASS_HEAP_INUSE] = 1ULL << 30;
	b[HG_CLASS_STRANDED] = 1;
	b[HG_CLASS_RELEASED] = 4096;
	hg_stack_of(&st, b, 64, 2);
	assert_true(st.len[HG_CLASS_STRANDED] >= 2);
	assert_true(st.len[HG_CLASS_RELEASED] >= 2);
	assert_int_equal(st.len[HG_CLASS_HEAP_INUSE] +
				 st.len[HG_CLASS_STRANDED] +
				 st.len[HG_CLASS_RELEASED],
			 64);
	/* Half empty address space: half the bar. */
	memset(b, 0, sizeof(b));
	b[HG_CLASS_NONE] = 100;
	b[HG_CLASS_SYS] = 100;
	hg_stack_of(&st, b, 64, 2);
	assert_int_equal(st.len[HG_CLASS_SYS], 32);
	/* Every class at once in a thin bar: each gets at least one unit. */
	for (int c = 0; c < HG_CLASS_COUNT; c++)
		b[c] = 1000u * (unsigned)(c + 1);
	hg_stack_of(&st, b, 9, 2);
	int sum = 0;
	for (int c = 1; c < HG_CLASS_COUNT; c++) {
		assert_true(st.len[c] >= 1);
		sum += st.len[c];
	}
	assert_true(sum <= 9);
}

static int sum_regions(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	uint64_t *s = arg;
	s[c] += end - base;
	return 0;
}

static void test_histogram(void **state)
{
	(void)state;
	struct hg_model *m = striped_model(200);
	hg_addr edges[65];
	uint64_t(*h)[HG_CLASS_COUNT] = calloc(64, sizeof(*h));
	uint64_t want[HG_CLASS_COUNT] = { 0 }, got[HG_CLASS_COUNT] = { 0 };
	hg_addr lo = 0xc000000000, hi = lo + (64 << 20);

	for (int i = 0; i <= 64; i++)
		edges[i] = lo + (hi - lo) / 64 * (uint64_t)i;
	assert_int_equal(hg_model_histogram(m, edges, 64, h), 0);
	hg_model_regions(m, lo, hi, sum_regions, want);
	for (int i = 0; i < 64; i++) {
		uint64_t t = 0;
		for (int c = 0; c < HG_CLASS_COUNT; c++) {
			got[c] += h[i][c];
			t += h[i][c];
		}
		assert_int_equal(t, edges[i + 1] - edges[i]);
	}
	for (int c = 1; c < HG_CLASS_COUNT; c++)
		assert_int_equal(got[c], want[c]);
	assert_true(got[HG_CLASS_HEAP_INUSE] == 100 * 8192);
	/* Bad edges are refused. */
	edges[3] = edges[2] - 1;
	assert_int_equal(hg_model_histogram(m, edges, 64, h), HG_EINVAL);
	free(h);
	hg_model_free(m);
}

static char *dump(const struct hg_scene *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	assert_int_equal(hg_scene_dump(s, f), 0);
	fclose(f);
	return buf;
}

static char *svg(const struct hg_scene *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	assert_int_equal(hg_scene_write_svg(s, f), 0);
	fclose(f);
	return buf;
}

static size_t count_items(const struct hg_scene *s, int cls)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->items[i].kind == HG_ITEM_RECT &&
		     s->items[i].cls == cls && !s->items[i].role;
	return n;
}

static void test_map_scene(void **state)
{
	(void)state;
	struct hg_model *m = striped_model(4000);
	struct hg_map_input in = { m, NULL, "the end", 0, NULL };
	struct hg_render_opts o = { "test", 800, 0, 0, false, false };
	struct hg_scene *s1, *s2;

	assert_int_equal(hg_scene_map(&s1, &in, 1, &o), 0);
	assert_int_equal(hg_scene_map(&s2, &in, 1, &o), 0);
	assert_true(s1->width == 800);
	assert_true(s1->height > 200);
	/* Merging: 4000 alternating spans become O(pixels) items. */
	assert_true(s1->n < 800 * 4);
	/* Every class held is drawn; the classes not held are not. */
	const struct hg_stats *st = hg_model_stats(m);
	for (int c = 1; c < HG_CLASS_COUNT; c++) {
		if (st->final.classes[c])
			assert_true(count_items(s1, c) > 0);
		else
			assert_int_equal(count_items(s1, c), 0);
	}
	/* Deterministic: same scene, same dump, same SVG. */
	size_t l1, l2;
	char *d1 = dump(s1, &l1), *d2 = dump(s2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(d1, d2, l1);
	char *v1 = svg(s1, &l1), *v2 = svg(s2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(v1, v2, l1);
	/* Regions carry their class and a tooltip; folds are marked. */
	assert_non_null(strstr(v1, "<rect class=\"heap_inuse\""));
	assert_non_null(strstr(v1, "<title>heap_inuse"));
	assert_non_null(strstr(d1, "role=fold"));
	assert_non_null(strstr(d1, "\"test\""));
	assert_non_null(strstr(d1, "HeapInuse"));
	free(d1);
	free(d2);
	free(v1);
	free(v2);
	hg_scene_free(s1);
	hg_scene_free(s2);
	hg_model_free(m);
}

static void test_compare_scene(void **state)
{
	(void)state;
	struct hg_model *a = model_with("linux/386", "1.8");
	struct hg_model *b = model_with("linux/386", "1.9");
	apply(a, HG_OP_ALLOC, "x", 8 << 20);
	apply(b, HG_OP_ALLOC, "x", 8 << 20);
	struct hg_map_input in[2] = { { a, "go=1.8", NULL, 1, NULL },
				      { b, "go=1.9", NULL, 1, NULL } };
	struct hg_scene *s;
	assert_int_equal(hg_scene_map(&s, in, 2, NULL), 0);
	size_t len;
	char *d = dump(s, &len);
	assert_non_null(strstr(d, "\"go=1.8\""));
	assert_non_null(strstr(d, "\"go=1.9\""));
	assert_non_null(strstr(d, "\"\xce\x94 go=1.9\""));
	/* Two bars share the axis: the same number of axis backgrounds. */
	size_t bars = 0;
	for (size_t i = 0; i < s->n; i++)
		bars += s->items[i].role &&
			strcmp(s->items[i].role, "axis") == 0;
	assert_int_equal(bars, 2);
	free(d);
	hg_scene_free(s);
	hg_model_free(a);
	hg_model_free(b);
}

/* apply_tl applies one op and hands it to the timeline as event i. */
static void apply_tl(struct hg_timeline *t, struct hg_model *m, uint64_t i,
		     enum hg_op_kind k, const char *id, uint64_t size)
{
	struct hg_op op = { .kind = k, .id = id, .size = size, .text = id };
	struct hg_op_result res;
	char err[256];
	assert_int_equal(hg_model_apply(m, &op, &res, err, sizeof(err)), 0);
	assert_int_equal(hg_timeline_event(t, m, i, &op, &res), 0);
}

static void test_timeline(void **state)
{
	(void)state;
	/* One pass: the extents and the event count come at the end. */
	struct hg_timeline *t;
	struct hg_render_opts o = { "tl", 600, 0, 0, false, false };
	char id[16];
	assert_int_equal(hg_timeline_new(&t, &o), 0);
	struct hg_model *m = model_with(NULL, NULL);
	for (int i = 0; i < 50; i++) {
		snprintf(id, sizeof(id), "%d", i);
		apply_tl(t, m, (uint64_t)i, HG_OP_ALLOC, id, 1 << 20);
	}
	apply_tl(t, m, 50, HG_OP_MARK, "done", 0);
	size_t ns, np;
	uint64_t stride;
	hg_timeline_footprint(t, &ns, &np, &stride);
	assert_int_equal(ns, 51); /* short: every event sampled */
	assert_int_equal(stride, 1);
	struct hg_scene *s;
	assert_int_equal(hg_timeline_scene(&s, t, m, 51), 0);
	size_t len;
	char *d = dump(s, &len);
	assert_non_null(strstr(d, "role=mark"));
	assert_non_null(strstr(d, "class=heap_inuse"));
	assert_non_null(strstr(d, "event index"));
	free(d);
	hg_scene_free(s);
	hg_timeline_free(t);
	hg_model_free(m);
}

/* A long replay keeps at most four times as many samples as columns, and a
 * sample of many runs is merged into a bounded number of pieces that
 * keep each class's share. */
static void test_timeline_bounded(void **state)
{
	(void)state;
	struct hg_timeline *t;
	struct hg_render_opts o = { "tl", 600, 0, 0, false, false };
	const int cols = (600 - 128 - 20) / 4;
	char id[32];
	uint64_t i = 0;
	assert_int_equal(hg_timeline_new(&t, &o), 0);
	struct hg_model *m = model_with(NULL, NULL);
	const int n = 12000;
	for (int k = 0; k < n; k++, i++) {
		snprintf(id, sizeof(id), "%d", k);
		apply_tl(t, m, i, HG_OP_ALLOC, id, 8192);
	}
	for (int k = 1; k < n; k += 2, i++) {
		snprintf(id, sizeof(id), "%d", k);
		apply_tl(t, m, i, HG_OP_FREE, id, 0);
	}
	size_t ns, np;
	uint64_t stride;
	hg_timeline_footprint(t, &ns, &np, &stride);
	assert_true(ns <= (size_t)(4 * cols + 1));
	assert_true(ns >= (size_t)(2 * cols));
	assert_true(stride > 1);
	/* 6000 free and 6000 in-use runs at the end: merged pieces. */
	assert_true(np <= ns * 2048);
	struct hg_scene *s;
	assert_int_equal(hg_timeline_scene(&s, t, m, i), 0);
	hg_timeline_footprint(t, &ns, &np, &stride);
	/* The last column shows both classes of the striped heap. */
	size_t len;
	char *d = dump(s, &len);
	assert_non_null(strstr(d, "class=heap_inuse"));
	assert_non_null(strstr(d, "class=heap_free"));
	free(d);
	hg_scene_free(s);
	hg_timeline_free(t);
	hg_model_free(m);
}

/* An estimate of the event count raises the stride early. */
static void test_timeline_expect(void **state)
{
	(void)state;
	struct hg_timeline *t;
	struct hg_render_opts o = { "tl", 600, 0, 0, false, false };
	const int cols = (600 - 128 - 20) / 4;
	assert_int_equal(hg_timeline_new(&t, &o), 0);
	hg_timeline_expect(t, 100000);
	size_t ns, np;
	uint64_t stride;
	hg_timeline_footprint(t, &ns, &np, &stride);
	assert_int_equal(stride, 100000 / 3 / cols);
	hg_timeline_expect(t, 10); /* never smaller */
	hg_timeline_footprint(t, &ns, &np, &stride);
	assert_int_equal(stride, 100000 / 3 / cols);
	hg_timeline_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_palette),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_axis_folding),
		cmocka_unit_test(test_axis_to_scale),
		cmocka_unit_test(test_extents_clip),
		cmocka_unit_test(test_axis_band),
		cmocka_unit_test(test_idlive),
		cmocka_unit_test(test_heap_zoom),
		cmocka_unit_test(test_stack_never_hides),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_map_scene),
		cmocka_unit_test(test_compare_scene),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_timeline_bounded),
		cmocka_unit_test(test_timeline_expect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
