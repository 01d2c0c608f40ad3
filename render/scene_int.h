/*
 * scene_int.h - helpers shared by the scene builders (internal to
 * libhgrender).
 */
#ifndef HG_RENDER_SCENE_INT_H
#define HG_RENDER_SCENE_INT_H

#include "render.h"

#define HG_MARGIN 20
#define HG_TEXT_RGB 0x1a1a1aU
#define HG_MUTED_RGB 0x5a5a5aU
#define HG_AXIS_RGB 0x333333U

/* hg_fmt_hex writes "0xc000000000". */
void hg_fmt_hex(char *buf, size_t len, hg_addr v);

/* hg_fold_title marks it (may be NULL) as the mark of folded gap sg, with
 * the gap's tooltip. */
void hg_fold_title(struct hg_scene *s, struct hg_item *it,
		   const struct hg_axis_seg *sg);

/* hg_band_title marks it (may be NULL) as the mark of metadata band sg,
 * with the band's tooltip. */
void hg_band_title(struct hg_scene *s, struct hg_item *it,
		   const struct hg_axis_seg *sg);

/* hg_band_note explains the metadata band under a picture's caption when
 * ax has one; returns the next y. */
double hg_band_note(struct hg_scene *s, const struct hg_axis *ax, double y);

/*
 * Mark labels in rows above a plot, placed left to right by one rule, so
 * that none overlaps another and no mark's line crosses a label: a mark's
 * line runs down from under its label's row through the rows below, so a
 * label goes in the first row where it is clear of every label placed
 * (6 px apart), of every line that runs through that row, and where no
 * label already in a row below covers its own line. A label that fits in
 * no row is elided (hg_labels_place returns -1; its line then starts
 * under the last row, and its tooltip still names it).
 */
#define HG_LABELS_MAX 512
struct hg_labels {
	int rows;
	/* false: a line runs from its label through the rows below (marks
	 * above a plot); true: through the rows above, toward row 0 (tick
	 * labels under a bar, their leader lines from the bar). */
	bool up;
	size_t n;
	struct {
		double x, a, b; /* the mark's line, its label [a, b) */
		int row;        /* -1: elided */
	} v[HG_LABELS_MAX];
};
void hg_labels_init(struct hg_labels *l, int rows, bool up);
int hg_labels_place(struct hg_labels *l, double x, double a, double b);

/* hg_draw_title draws the title block from y; returns the next y. */
double hg_draw_title(struct hg_scene *s, double y, const char *title,
		     const char *subtitle, const char *moment);

/* hg_draw_legend draws every class (with bytes when bytes != NULL) under
 * title and the arena/fold keys from y; returns the next y. */
double hg_draw_legend(struct hg_scene *s, double y, const uint64_t *bytes,
		      const char *title);

/* hg_draw_figures draws the key figures of n models (differences from the
 * first when n > 1; "now" and "peak" when n == 1) from y; returns the next y.
 */
double hg_draw_figures(struct hg_scene *s, double y,
		       struct hg_model *const *models,
		       const char *const *labels, size_t n);

/* One pixel line (column of a map, row of a timeline) as a stack of
 * classes: integer lengths along the stack, 0 for classes absent. */
struct hg_stack {
	uint16_t len[HG_CLASS_COUNT];
};

/* hg_stack_of computes the stack of a bucket for a bar full px long:
 * each held class gets its byte share, at least min_px. */
void hg_stack_of(struct hg_stack *st, const uint64_t *bytes, int full,
		 int min_px);

/* A bucket of events of the curves (--curves, the report's chart): the
 * minimum, the maximum and the last value of each curve figure. */
struct hg_bucket {
	uint64_t mn[HG_STAT_NCURVES], mx[HG_STAT_NCURVES];
	uint64_t last[HG_STAT_NCURVES];
	bool set;
};

/* hg_bucket_add counts v, the curve figures after event i, in the n
 * buckets bk of *bsize events each (n even); when i is past them all,
 * neighbours merge and *bsize doubles until it fits. */
void hg_bucket_add(struct hg_bucket *bk, size_t n, uint64_t *bsize, uint64_t i,
		   const uint64_t *v);

#endif /* HG_RENDER_SCENE_INT_H */
