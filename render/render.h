/*
 * render.h - heapgrow's pictures (libhgrender): address-space maps,
 * timelines and side-by-side comparisons.
 *
 * Pictures are built in two steps. The scene builders (scene.c, pure: no
 * cairo, no I/O) turn model snapshots into a display list of rectangles,
 * lines and text in pixel coordinates; the writers turn a display list into
 * PNG (cairo), SVG (written directly) or a text dump for golden tests. The
 * same input gives the same scene, and the same scene the same bytes.
 *
 * The address axis is folded: held memory is drawn to scale in segments,
 * and the long empty gaps between segments are replaced by a fixed-width
 * break mark that states the skipped size. What is smaller than a pixel is
 * merged honestly: each pixel column (row, on timelines) is a stack of the
 * classes present in it, by byte share, each at least a sliver thick.
 */
#ifndef HG_RENDER_RENDER_H
#define HG_RENDER_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hg_core.h"

/* ------------------------------------------------------------------ */
/* Palette                                                             */
/* ------------------------------------------------------------------ */

/* hg_class_rgb is the fixed fill of class c (0xRRGGBB): Okabe-Ito based,
 * colour-blind safe; reserved is a light hatch, released a dark green, so
 * the two differ in greyscale too. */
uint32_t hg_class_rgb(enum hg_class c);

/* hg_class_hatched tells whether class c is drawn with a diagonal hatch. */
bool hg_class_hatched(enum hg_class c);

#define HG_HATCH_RGB 0x9a9a9aU /* hatch lines of reserved memory */

/* ------------------------------------------------------------------ */
/* Display list                                                        */
/* ------------------------------------------------------------------ */

enum hg_item_kind { HG_ITEM_RECT, HG_ITEM_LINE, HG_ITEM_TEXT };
enum hg_font { HG_FONT_SANS, HG_FONT_SANS_BOLD, HG_FONT_MONO };
enum hg_anchor { HG_ANCHOR_START, HG_ANCHOR_MIDDLE, HG_ANCHOR_END };

#define HG_NO_CLASS (-1)

struct hg_item {
	enum hg_item_kind kind;
	double x, y, w, h; /* rect: box; line: from (x, y) to (x + w, y + h);
			      text: baseline origin (w, h unused) */
	uint32_t rgb;      /* fill (rect), stroke (line), colour (text) */
	int cls;           /* memory class of a region, or HG_NO_CLASS */
	bool hatch;        /* rect: add the reserved hatch */
	bool stroke;       /* rect: outline only, in rgb */
	double lw;         /* line width (line, outlined rect) */
	bool dash;         /* line: dashed */
	enum hg_font font; /* text */
	double size;       /* text: font size in px */
	enum hg_anchor anchor;
	const char *role; /* SVG class of a non-region item ("fold",
			     "arena", "tick", "legend", ...); static */
	char *text;       /* text item: the text (owned) */
	char *title;      /* tooltip of a region (owned), or NULL */
};

struct hg_scene {
	double width, height;
	struct hg_item *items;
	size_t n, cap;
	bool oom; /* a host allocation failed while building */
};

struct hg_scene *hg_scene_new(double width, double height);
void hg_scene_free(struct hg_scene *s);

/* hg_scene_append moves src's items into dst, dy lower, and frees src;
 * dst grows to hold them (as wide as the wider). Returns 0 or HG_ENOMEM
 * (src freed all the same). */
int hg_scene_append(struct hg_scene *dst, struct hg_scene *src, double dy);

/* Appenders; on host OOM they set s->oom and return NULL. */
struct hg_item *hg_scene_rect(struct hg_scene *s, double x, double y, double w,
			      double h, uint32_t rgb);
struct hg_item *hg_scene_line(struct hg_scene *s, double x0, double y0,
			      double x1, double y1, uint32_t rgb, double lw);
struct hg_item *hg_scene_text(struct hg_scene *s, double x, double y,
			      enum hg_font font, double size,
			      enum hg_anchor anchor, uint32_t rgb,
			      const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 8, 9)))
#endif
	;
/* hg_item_set_title sets a region's tooltip (printf-style). */
void hg_item_set_title(struct hg_scene *s, struct hg_item *it, const char *fmt,
		       ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* hg_text_width estimates the width in px of text (pure; DejaVu metrics). */
double hg_text_width(const char *text, enum hg_font font, double size);

/* ------------------------------------------------------------------ */
/* Folded address axis                                                 */
/* ------------------------------------------------------------------ */

/* A set of address intervals (what is held at some time, by some model). */
struct hg_extents {
	struct {
		hg_addr lo, hi;
	} * v;
	size_t n, cap;
	size_t norm_at; /* hg_extents_add normalizes at this many */
	bool oom;
};

void hg_extents_init(struct hg_extents *e);
void hg_extents_release(struct hg_extents *e);
void hg_extents_add(struct hg_extents *e, hg_addr lo, hg_addr hi);
/* hg_extents_add_model adds every held region and every arena of m. */
void hg_extents_add_model(struct hg_extents *e, struct hg_model *m);
/* hg_extents_normalize sorts and merges touching intervals. */
void hg_extents_normalize(struct hg_extents *e);
/* hg_extents_clip keeps the parts of normalized extents inside [lo, hi);
 * if none is left, the range itself. */
void hg_extents_clip(struct hg_extents *e, hg_addr lo, hg_addr hi);

struct hg_axis_seg {
	hg_addr lo, hi; /* addresses; for a fold: the skipped gap */
	int p0, p1;     /* pixels [p0, p1) along the axis, from 0 */
	bool fold;
	bool band; /* runtime metadata drawn thin, not to scale */
};

struct hg_axis {
	struct hg_axis_seg *seg;
	size_t n;
	int length;    /* pixels */
	bool to_scale; /* every segment has the same bytes per pixel */
};

#define HG_FOLD_PX 44 /* width of a break mark */

/*
 * hg_axis_build lays the (normalized) extents out along length pixels:
 * gaps larger than 1/16 of the held bytes become folds of HG_FOLD_PX, the
 * rest are segments, to scale when their sizes are within 1:16 of each
 * other, otherwise each wide as the square root of its size (each segment
 * keeps a linear scale inside; the picture labels it). Returns 0 or
 * HG_ENOMEM/HG_EINVAL (nothing held).
 */
int hg_axis_build(struct hg_axis *a, const struct hg_extents *e, int length);

/*
 * hg_axis_build_banded is hg_axis_build with the addresses of meta
 * (normalized; NULL or empty: none) drawn as bands of band_px pixels each,
 * not to scale, whatever their size: the runtime's metadata reservations
 * fill a thin band instead of most of the picture. The folding and the
 * scales are decided by the other addresses alone. Metadata under a
 * quarter of the other addresses' size is drawn as they are.
 */
int hg_axis_build_banded(struct hg_axis *a, const struct hg_extents *e,
			 const struct hg_extents *meta, int length,
			 int band_px);

/*
 * hg_extents_add_metadata adds the metadata band of m: its metadata
 * reservations (hg_model_metadata) and the off-heap runtime memory (class
 * sys, outside heap arenas) that touches them, such as the arena index
 * and the page allocator's bitmaps that the OS placed beside them.
 */
void hg_extents_add_metadata(struct hg_extents *e, struct hg_model *m);

/* hg_extents_metadata_of fills meta with the metadata band of n models:
 * each one's, less what any of them holds outside its own band. */
void hg_extents_metadata_of(struct hg_extents *meta,
			    struct hg_model *const *models, size_t n);

/*
 * Zoom to the heap: when the heap's pages in use and free (heap_bytes;
 * the heap, released pages included, lies between hlo and hhi) are under
 * 1/16 of the addresses a picture shows
 * (shown: what is held, less the metadata band), hg_heap_zoom gives the
 * range to draw instead: the heap's extent aligned to the smallest power
 * of two at least its size (false: no zoom, also when that range is a
 * quarter of what is shown or more). hg_auto_zoom decides it for the
 * maps of n models at their present state (the heap of the largest).
 * README "Pictures"; an explicit --range, or --show whole, wins.
 */
bool hg_heap_zoom(hg_addr hlo, hg_addr hhi, uint64_t heap_bytes, uint64_t shown,
		  hg_addr *lo, hg_addr *hi);
bool hg_auto_zoom(struct hg_model *const *models, size_t n, hg_addr *lo,
		  hg_addr *hi);

#define HG_BAND_PX 64 /* width of the metadata band on a map */

/* hg_extents_subtract removes from a (normalized) what b (normalized)
 * holds. */
void hg_extents_subtract(struct hg_extents *a, const struct hg_extents *b);
void hg_axis_release(struct hg_axis *a);

/* hg_axis_edges fills edges[0..length] with the address at each pixel
 * boundary (folds map to their gap's ends, so a fold is one wide bucket
 * spread over its pixels: the bucket at its first pixel, the rest empty).
 * Returns a malloc'd array of length + 1 or NULL. */
hg_addr *hg_axis_edges(const struct hg_axis *a);

/* hg_axis_pos is the pixel position of address v (clamped to the axis). */
double hg_axis_pos(const struct hg_axis *a, hg_addr v);

/* ------------------------------------------------------------------ */
/* Scenes                                                              */
/* ------------------------------------------------------------------ */

/*
 * The ids live now (idlive.c): every span, object, stack, off-heap
 * allocation and mapping with its exact bounds and the event that made
 * it, kept from the events (hg_idlive_event after each). hg_idlive_sort
 * indexes them by address for hg_idlive_each, which gives the first max
 * of those overlapping [lo, hi) in address order and returns how many
 * overlap; the index holds until the next sort.
 */
/* hg_idlive_key writes the key under which an op's id is live (its id
 * family's letter, then the id) to key and returns its length, with the
 * op's use of the id in *use; 0 when the op names no id or the key does not
 * fit in size bytes (ids that long are not kept). */
int hg_idlive_key(const struct hg_op *op, char *key, size_t size,
		  enum hg_id_use *use);
struct hg_idlive;
struct hg_idlive_rec {
	hg_addr base, end;
	uint64_t born;
	const char *id;
	enum hg_id_family family;
};
int hg_idlive_new(struct hg_idlive **out);
void hg_idlive_free(struct hg_idlive *t);
int hg_idlive_event(struct hg_idlive *t, struct hg_model *m,
		    const struct hg_op *op, const struct hg_op_result *res,
		    uint64_t i);
int hg_idlive_sort(struct hg_idlive *t);
size_t hg_idlive_each(const struct hg_idlive *t, hg_addr lo, hg_addr hi,
		      size_t max, struct hg_idlive_rec *out);

/* One map (one configuration, one moment). */
struct hg_map_input {
	struct hg_model *model; /* queried, not changed */
	const char *label;      /* compare: "go=1.16"; NULL for a single map */
	const char *moment; /* "end (event 12)", "mark \"GC 1\" (event 5)" */
	uint64_t event;     /* events applied */
	/* The ids live at that moment, sorted (tooltips name them), or
	 * NULL. */
	const struct hg_idlive *ids;
};

struct hg_render_opts {
	const char *trace_name; /* title */
	int width;              /* picture width in px; 0 = 1200 */
	hg_addr range_lo;       /* draw only [range_lo, range_hi); */
	hg_addr range_hi;       /* range_hi == 0: the whole address space */
	bool show_metadata;     /* --show metadata: metadata to scale */
	bool show_whole;        /* --show whole: never zoom to the heap */
};

/*
 * hg_scene_map builds the picture of n maps one above the other on one
 * shared folded address axis, with a legend and a box of key figures (with
 * differences from the first map when n > 1). Returns 0, HG_EINVAL or
 * HG_ENOMEM.
 */
int hg_scene_map(struct hg_scene **out, const struct hg_map_input *maps,
		 size_t n, const struct hg_render_opts *o);

/*
 * A timeline is built in one replay: hg_timeline_event after each event
 * records what was held and samples the model now and then, in a form
 * that does not depend on the final address axis; hg_timeline_scene, once
 * the replay is over, lays the axis out from everything ever held and
 * draws the samples on it. Memory is bounded by the picture (samples x
 * pieces), whatever the trace's length.
 */
struct hg_timeline;

int hg_timeline_new(struct hg_timeline **out, const struct hg_render_opts *o);
void hg_timeline_free(struct hg_timeline *t);
/* hg_timeline_event is called after event i (0-based) was applied: op and
 * res are the event and what it did (res may be NULL). Returns 0 or
 * HG_ENOMEM. */
int hg_timeline_event(struct hg_timeline *t, struct hg_model *m, uint64_t i,
		      const struct hg_op *op, const struct hg_op_result *res);
/* hg_timeline_expect tells the timeline how many events the replay will
 * probably have (an estimate: fewer samples are taken in vain). */
void hg_timeline_expect(struct hg_timeline *t, uint64_t nevents);
/* hg_timeline_footprint tells how many samples the timeline keeps, their
 * pieces in all, and the events between samples now (for tests). */
void hg_timeline_footprint(const struct hg_timeline *t, size_t *samples,
			   size_t *pieces, uint64_t *stride);
/* hg_timeline_scene draws the timeline of nevents events; m is the final
 * model (the last state, the title and the figures). */
int hg_timeline_scene(struct hg_scene **out, struct hg_timeline *t,
		      struct hg_model *m, uint64_t nevents);

/*
 * The figures over time (curves.c): HeapSys, HeapInuse, HeapReleased,
 * committed and mapped against the event index, for nlanes
 * configurations overlaid, with the commit limit, the marks and an out of
 * memory drawn. hg_curves_event is called after each event of a lane (op
 * for its mark), hg_curves_end with the lane's final model; memory is
 * HG_CURVES_BUCKETS buckets of events per lane, whatever the trace.
 */
#define HG_CURVES_BUCKETS 1024
struct hg_curves;
int hg_curves_new(struct hg_curves **out, size_t nlanes,
		  const struct hg_render_opts *o);
void hg_curves_free(struct hg_curves *c);
void hg_curves_label(struct hg_curves *c, size_t lane, const char *label);
void hg_curves_event(struct hg_curves *c, size_t lane, struct hg_model *m,
		     const struct hg_op *op, uint64_t index);
void hg_curves_end(struct hg_curves *c, size_t lane, struct hg_model *m);
int hg_curves_scene(struct hg_scene **out, const struct hg_curves *c);

/* ------------------------------------------------------------------ */
/* Writers                                                             */
/* ------------------------------------------------------------------ */

/* Each returns 0, or -1 on a write or cairo error. The PNG writer says
 * why in err (cairo's status string). */
int hg_scene_write_png(const struct hg_scene *s, FILE *f, char *err,
		       size_t errlen);
int hg_scene_write_svg(const struct hg_scene *s, FILE *f);
/* hg_scene_dump writes one line per item, for exact golden tests. */
int hg_scene_dump(const struct hg_scene *s, FILE *f);

/* hg_render_format_of tells the format of a path by suffix: "png", "svg",
 * "scene" (.scene, the text dump), "html" (the interactive report,
 * report.h; not a scene format), or NULL. */
const char *hg_render_format_of(const char *path);

/* hg_scene_write writes s in format ("png", "svg", "scene"). Returns 0,
 * or -1 with the reason (cairo's, or the system's) in err. */
int hg_scene_write(const struct hg_scene *s, const char *format, FILE *f,
		   char *err, size_t errlen);

/* hg_config_line writes "linux/amd64 · Go 1.26 · arena sparse (64 MiB) ...". */
void hg_config_line(char *buf, size_t len, const struct hg_config *cfg);

/* hg_fmt_bytes writes a short IEC size: "512 B", "4.0 KiB", "127 TiB". */
void hg_fmt_bytes(char *buf, size_t len, uint64_t v);

/* hg_fmt_value writes v as hg_fmt_bytes does when bytes, else as a number. */
void hg_fmt_value(char *buf, size_t len, bool bytes, uint64_t v);

/* hg_fmt_delta writes how far b is from a: "=", or "+" or "-" and the
 * difference as hg_fmt_value writes it. */
void hg_fmt_delta(char *buf, size_t len, bool bytes, uint64_t a, uint64_t b);

#endif /* HG_RENDER_RENDER_H */
