/*
 * pictures.h - the pictures of a replay (-o/--output maps, --timeline,
 * --at): collected while the replay runs, drawn by libhgrender, written
 * whole or not at all.
 */
#ifndef HG_CLI_PICTURES_H
#define HG_CLI_PICTURES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hg_core.h"
#include "opt.h"
#include "render.h"
#include "replay.h"
#include "report_html.h"
#include "settings.h"

/* The picture options' ids; a command's own ids start at HG_POPT_NEXT. */
enum {
	HG_POPT_OUTPUT = HG_SOPT_NEXT, /* -o, --output FILE */
	HG_POPT_TIMELINE,              /* --timeline FILE */
	HG_POPT_AT,                    /* --at EVENT|MARK */
	HG_POPT_RANGE,                 /* --range LO:HI */
	HG_POPT_FROM,                  /* --from FORMAT (replay_args.c) */
	HG_POPT_CURVES,                /* --curves FILE */
	HG_POPT_PICTURE_FORMAT,        /* --picture-format png|svg|html */
	HG_POPT_SHOW,                  /* --show metadata|whole[,...] */
	HG_POPT_NEXT,
};

/* The picture options' entries of a command's option table, in the order
 * its help lists them; the three help texts are the command's own. */
#define HG_PICTURE_OPTS(output, timeline, at)                                  \
	{ HG_POPT_OUTPUT, 'o', "output", "FILE", output },                     \
		{ HG_POPT_PICTURE_FORMAT, 0, "picture-format", "png|svg|html", \
		  "the format of -o - (the picture on standard output, "       \
		  "instead of "                                                \
		  "the report)" },                                             \
		{ HG_POPT_TIMELINE, 0, "timeline", "FILE", timeline },         \
		{ HG_POPT_CURVES, 0, "curves", "FILE",                         \
		  "draw HeapSys, HeapInuse, HeapReleased, committed and "      \
		  "mapped over "                                               \
		  "the replay to FILE (.png or .svg)" },                       \
		{ HG_POPT_AT, 0, "at", "EVENT|MARK", at },                     \
		{ HG_POPT_RANGE, 0, "range", "LO:HI",                          \
		  "draw only the addresses LO to HI (e.g. "                    \
		  "0xc000000000:0xc000100000)" },                              \
		{ HG_POPT_SHOW, 0, "show", "metadata|whole",                   \
		  "draw the runtime's metadata reservations to scale "         \
		  "(metadata) or "                                             \
		  "the whole address range, never zoomed to the heap "         \
		  "(whole); "                                                  \
		  "comma-separated" },                                         \
	{                                                                      \
		HG_POPT_FROM, 0, "from", HG_OPT_FROM_ARG, HG_OPT_FROM_HELP     \
	}

#define HG_PICTURES_MAX 16

struct hg_pictures {
	const char *maps[HG_PICTURES_MAX]; /* -o FILE, in order */
	size_t nmaps;
	const char *timelines[HG_PICTURES_MAX]; /* --timeline FILE, in order */
	size_t ntimelines;
	const char *timeline;       /* the first --timeline FILE, or NULL */
	const char *at;             /* --at EVENT|MARK, or NULL */
	const char *range;          /* --range LO:HI, or NULL */
	hg_addr range_lo, range_hi; /* parsed --range; hi 0 = all */
	bool at_event;              /* --at is an event index */
	uint64_t at_index;
	struct hg_scene *map; /* the map, once drawn */
	char moment[192];
	char trace_name[128];   /* the title */
	struct hg_timeline *tl; /* the timeline's samples */
	int from;               /* --from: the trace's format, or auto */
	const char *curves[HG_PICTURES_MAX]; /* --curves FILE, in order */
	size_t ncurves;
	struct hg_curves *cv; /* their recorder */
	/* compare --timeline: one timeline per configuration */
	struct hg_timeline *ltl[HG_REPLAY_MAX_LANES];
	char ltitle[HG_REPLAY_MAX_LANES][192];
	struct hg_report *report; /* -o FILE.html: the report's recorder */
	struct hg_replay *rp;     /* the replay it records */
	bool report_ended;
	const char *picture_format; /* --picture-format: the format of -o - */
	struct hg_idlive *ids;      /* the live ids, for SVG maps' tooltips */
	struct hg_idlive *lids[HG_REPLAY_MAX_LANES]; /* compare's, per lane */
	bool show_metadata; /* --show metadata: to scale */
	bool show_whole;    /* --show whole: no zoom to the heap */
	/* --at reached: the statistics after that event (the replay's report
	 * gives them as "final"); a mark's label is at itself. */
	bool at_reached;
	uint64_t at_ev; /* the event index */
	struct hg_stats at_stats;
};

void hg_pictures_init(struct hg_pictures *p);
/* The render options of the pictures: the title and --range. */
void hg_pictures_render_opts(const struct hg_pictures *p,
			     struct hg_render_opts *o, const char *trace_name);
void hg_pictures_release(struct hg_pictures *p);

/* hg_pictures_add_map records -o FILE; returns 0 or prints a usage error
 * (unknown suffix, too many) and returns HG_EXIT_USAGE. */
int hg_pictures_add_map(struct hg_pictures *p, const struct hg_opt_spec *spec,
			const char *path);
/* hg_pictures_option records option opt (one of HG_POPT_*; other ids are
 * ignored); returns 0 or prints a usage error and returns HG_EXIT_USAGE. */
int hg_pictures_option(struct hg_pictures *p, int opt, const char *arg,
		       const struct hg_opt_spec *spec);
/*
 * hg_pictures_write writes the map to every -o file and the timeline (if
 * any) to every --timeline file, all or none: each goes to a temporary
 * file first, and they are renamed only when all are written. Returns 0,
 * or prints an error and returns HG_EXIT_USAGE.
 */
int hg_pictures_write(struct hg_pictures *p, const struct hg_scene *tl);

/* hg_pictures_check validates --timeline and parses --at (which needs
 * no picture: replay reports the statistics at that moment). */
int hg_pictures_check(struct hg_pictures *p, const struct hg_opt_spec *spec);

/* hg_pictures_attach attaches the pictures' sampling (the map and the
 * statistics at --at, what the timeline needs) to lane 0 of rp;
 * trace_name is the title. */
int hg_pictures_attach(struct hg_pictures *p, struct hg_replay *rp,
		       const char *trace_name);

/* hg_pictures_attach_report attaches the recorders of the HTML report
 * (-o FILE.html) and of the curves (--curves FILE) to every lane of rp,
 * named by the lanes' labels; nothing without such files. Returns a
 * replay status. */
int hg_pictures_attach_report(struct hg_pictures *p, struct hg_replay *rp,
			      const char *trace_name);

/* hg_pictures_compare_timeline draws compare's timelines (one per
 * configuration, one above the other) into *out, or leaves it NULL
 * without --timeline. Returns 0, or prints an error and returns
 * HG_EXIT_USAGE. */
int hg_pictures_compare_timeline(struct hg_pictures *p, struct hg_replay *rp,
				 struct hg_scene **out);

/*
 * hg_pictures_finish draws what is still to draw (the map at the end, the
 * timeline from its samples) from lane 0 of rp and writes every file.
 * Returns 0, or prints an error and returns HG_EXIT_USAGE (also when
 * --at was never reached).
 */
int hg_pictures_finish(struct hg_pictures *p, struct hg_replay *rp);

/* hg_pictures_lane_ids gives compare's live ids of lane i, sorted for a
 * map's tooltips, or NULL (no SVG map, or out of host memory). */
const struct hg_idlive *hg_pictures_lane_ids(struct hg_pictures *p, size_t i);

/* hg_pictures_to_stdout tells whether a picture goes to standard output
 * (-o -): the command's report then does not. */
bool hg_pictures_to_stdout(const struct hg_pictures *p);

/* hg_pictures_nearest_mark is the label of lane 0's recorded mark
 * nearest to a mistyped --at, or NULL ("did you mean"). */
const char *hg_pictures_nearest_mark(struct hg_replay *rp, const char *at);

#endif /* HG_CLI_PICTURES_H */
