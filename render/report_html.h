/*
 * report_html.h - the interactive HTML report (-o report.html): the history of
 * one replay (or of compare's configurations side by side) recorded in
 * one pass, written as one self-contained HTML file (data, script and
 * style inline; README "Pictures").
 *
 * What is recorded, per configuration ("lane"):
 *   - keyframes: the event indices at which the address-space map is
 *     known exactly, with the figures there. Every mark is one (up to
 *     HG_REPORT_MAX_PINNED), so is the last event; between them at most
 *     2 x HG_REPORT_KEYFRAMES evenly spaced events (the spacing doubles
 *     as the replay goes on, and every other keyframe is dropped);
 *   - the region log: each maximal run of one class as (base, end,
 *     class, first keyframe, first keyframe without it). The map at a
 *     keyframe is the runs alive there; the log holds only the runs that
 *     changed, so its size is the changes, not keyframes x runs (past
 *     HG_REPORT_MAX_REGIONS runs, keyframes are dropped until it fits or
 *     only 16 evenly spaced ones are left);
 *   - the id log: every span, object, stack, off-heap allocation and
 *     mapping with its exact bounds, its id, the event that made it and
 *     the event that ended it (exact at every event, up to
 *     HG_REPORT_MAX_IDS records);
 *   - the curves of HeapSys, HeapInuse, HeapReleased, committed and
 *     mapped over every event, as min/max/last per bucket of events (at
 *     most HG_REPORT_BUCKETS buckets).
 * The file's header comment and the page say what was sampled.
 */
#ifndef HG_RENDER_REPORT_HTML_H
#define HG_RENDER_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hg_core.h"

#define HG_REPORT_KEYFRAMES 256
#define HG_REPORT_MAX_PINNED 512
#define HG_REPORT_MAX_MARKS 4096
#define HG_REPORT_MAX_IDS (4u << 20)
#define HG_REPORT_MAX_REGIONS (6 << 20)
#define HG_REPORT_BUCKETS 1024

struct hg_report;

/* hg_report_new prepares a report of nlanes configurations (at most 9)
 * of the trace named trace_name (the title; may be NULL). Returns 0 or
 * HG_ENOMEM/HG_EINVAL. */
int hg_report_new(struct hg_report **out, size_t nlanes,
		  const char *trace_name);
void hg_report_free(struct hg_report *r);

/* hg_report_view makes [lo, hi) the addresses the page first shows
 * (--range). */
void hg_report_view(struct hg_report *r, hg_addr lo, hg_addr hi);

/* hg_report_framing sets what the page first shows without --range: the
 * heap's addresses [zoom_lo, zoom_hi) when the maps zoom to it
 * (hg_auto_zoom; zoom_hi 0: the whole axis), and the metadata to scale
 * (--show metadata) instead of in a band. */
void hg_report_framing(struct hg_report *r, hg_addr zoom_lo, hg_addr zoom_hi,
		       bool show_metadata);

/* hg_report_label names lane i ("go=1.16"; NULL for a single replay). */
int hg_report_label(struct hg_report *r, size_t lane, const char *label);

/* hg_report_event records event index (0-based) of lane, applied to m
 * with result res. Returns 0 or HG_ENOMEM. */
int hg_report_event(struct hg_report *r, size_t lane, struct hg_model *m,
		    const struct hg_op *op, const struct hg_op_result *res,
		    uint64_t index);

/* hg_report_start makes event index (just recorded, m in its state
 * after it) a keyframe, where the page opens (--at). Returns 0 or
 * HG_ENOMEM. */
int hg_report_start(struct hg_report *r, size_t lane, struct hg_model *m,
		    const struct hg_op *op, uint64_t index);

/* hg_report_end closes lane with the final state of m (a keyframe at its
 * last event). Returns 0 or HG_ENOMEM. */
int hg_report_end(struct hg_report *r, size_t lane, struct hg_model *m);

/* hg_report_write_html writes the report; every lane must be ended.
 * Returns 0, or -1 on a write error or host out of memory. */
int hg_report_write_html(struct hg_report *r, FILE *f);

/*
 * Reading the record back (the tests check it against the model):
 * hg_report_keyframes gives the number of keyframes of an ended lane and
 * the first max of their events; hg_report_map_at calls fn for each run
 * of the region log alive at keyframe event e, in address order (0, or
 * fn's value, or HG_ENOMEM); hg_report_id_at finds the id record alive
 * after event e that holds address a (the smallest if several do):
 * 1 found (id written, cut to idlen), 0 none.
 */
size_t hg_report_keyframes(const struct hg_report *r, size_t lane,
			   uint64_t *events, size_t max);
int hg_report_map_at(const struct hg_report *r, size_t lane, uint64_t e,
		     hg_region_fn fn, void *arg);
int hg_report_id_at(const struct hg_report *r, size_t lane, uint64_t e,
		    hg_addr a, char *id, size_t idlen, hg_addr *base,
		    hg_addr *end, uint64_t *born);

/* The script and style inlined into every report (generated at build
 * time from render/report/report.js and report.css). */
extern const unsigned char hg_report_js[];
extern const unsigned char hg_report_css[];

#endif /* HG_RENDER_REPORT_HTML_H */
