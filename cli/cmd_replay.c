/*
 * cmd_replay.c - heapgrow replay TRACE: feed a trace through the model and
 * report the statistics, optionally as a stats JSON file and an event log.
 */
#include <inttypes.h>
#include <string.h>

#include "cmd.h"
#include "eventlog.h"
#include "hg_core.h"
#include "json.h"
#include "outfile.h"
#include "pictures.h"
#include "progress.h"
#include "replay.h"
#include "replay_args.h"
#include "report.h"
#include "settings.h"
#include "trace.h"
#include "util.h"

enum {
	OPT_STATS = HG_POPT_NEXT,
	OPT_FORMAT,
	OPT_LOG,
	OPT_CHECK,
	OPT_QUIET,
};

static const struct hg_opt replay_opts[] = {
	HG_SETTINGS_OPTS(
		"read settings from a YAML config file",
		"model this platform (see 'heapgrow platforms')",
		"use this Go version preset (see 'heapgrow platforms')",
		"OS page size (same as --set phys_page_size=SIZE)",
		"heap arena size (same as --set arena_size=SIZE)",
		"set any config key; repeatable, the last one wins"),
	HG_PICTURE_OPTS("draw the address-space map to FILE (.png, .svg, or "
			".html: the interactive report; repeatable)",
			"draw the timeline (events x addresses) to FILE (.png "
			"or .svg)",
			"report the statistics and draw the map after that "
			"event index or at that mark, not at the end"),
	{ OPT_STATS, 0, "stats", "FILE",
	  "write the statistics as JSON to FILE ('-' = standard output)" },
	{ OPT_FORMAT, 0, "format", "text|json",
	  "report format on standard output (default text)" },
	{ OPT_LOG, 0, "log", "FILE",
	  "write an event log to FILE, one JSON object per line" },
	{ OPT_CHECK, 0, "check", "[=linear|full]",
	  "verify the model's invariants (linear, the default, or full)" },
	{ OPT_QUIET, 'q', "quiet", NULL,
	  "print no report on standard output and no progress line" },
	{ 0 },
};

const struct hg_opt_spec cmd_replay_spec = {
	"replay",
	"TRACE [options]",
	"Replay a trace through the heap model and report the statistics",
	replay_opts,
	"TRACE is a YAML or compact trace, gzip-compressed or not, or a real\n"
	"program's trace (see heapgrow import); '-' reads standard input.\n"
	"Settings apply in this order, later ones winning: platform defaults,\n"
	"the Go preset, the trace's own config, the --config file, then\n"
	"--phys-page-size, --arena-size and --set in command-line order.\n"
	"--platform and --go choose the platform and the preset.\n"
	"\n"
	"With --at the report's and --stats' \"final\" and \"peak\" are the\n"
	"figures after that event or mark (the peak up to it); the timeline,\n"
	"the curves and the marks still cover the whole replay.\n"
	"\n"
	"The report is not printed when --stats or --log write to standard\n"
	"output. Output files are written whole or not at all. A replay that\n"
	"runs over a second shows its progress on standard error when that\n"
	"is a terminal (not with -q).\n"
	"\n"
	"--check checks what each event touched after it and recomputes the\n"
	"whole state at every mark and at the end, at a few times the cost of\n"
	"a plain replay; --check=full recomputes the whole state after every\n"
	"event, which grows with the live state.\n"
	"\n"
	"exit status: 0 done, 2 usage or input error (or a model invariant\n"
	"broken under --check), 3 the modeled runtime ran out of memory.\n"
	"\n"
	"examples:\n"
	"  heapgrow replay trace.yaml\n"
	"  heapgrow replay trace.hgt.gz --platform js/wasm --go 1.21 --stats "
	"out.json\n"
	"  heapgrow replay trace.yaml --set policy.grow=whole-arena --log "
	"events.jsonl\n"
	"  heapgrow replay trace.yaml -o map.png -o map.svg --timeline "
	"time.png\n"
	"  heapgrow replay trace.yaml --at \"GC 1\" -o gc1.svg\n"
	"  heapgrow replay trace.yaml --at 120 --stats at120.json\n",
};

struct replay {
	const char *stats_path; /* --stats, or NULL */
	const char *log_path;   /* --log, or NULL */
	bool json, quiet;
	int check;                  /* enum hg_replay_check */
	struct hg_replay_args args; /* TRACE, settings, pictures */
};

/* ------------------------------------------------------------------ */
/* Replay                                                              */
/* ------------------------------------------------------------------ */

/* A foreign mapping's address is only a hint, as for mmap without
 * MAP_FIXED: say so when the OS moved it. */
static int warn_mmap(void *ctx, struct hg_replay *rp,
		     const struct hg_replay_event *ev)
{
	const struct hg_op *op = ev->op;

	(void)ctx;
	if (op->kind == HG_OP_MMAP && op->has_addr && !ev->oom &&
	    ev->res->addr != op->addr)
		hg_cli_error_at(rp->file, ev->line, ev->col,
				"warning: mmap %s: %#" PRIx64
				" is not free; the OS put it at %#" PRIx64,
				op->id, op->addr, ev->res->addr);
	return 0;
}

/* failed prints the replay's error and returns its exit status. */
static int run(struct replay *r)
{
	const char *tname = hg_display_name(r->args.trace);
	struct hg_pictures *pics = &r->args.pics;
	const struct hg_trace_info *info;
	struct hg_cli_settings all;
	struct hg_outfile logf = { 0 }, statsf = { 0 };
	struct hg_eventlog lg = { 0 };
	struct hg_progress prog;
	struct hg_replay rp;
	struct hg_config cfg;
	struct hg_model *m;
	int rc, status = HG_EXIT_USAGE;

	hg_settings_init(&all);
	hg_replay_init(&rp);
	rp.check = r->check;
	rp.record_marks = true;
	rp.format = pics->from;
	if (hg_replay_open(&rp, r->args.trace)) {
		status = hg_cli_replay_failed(&rp);
		goto out;
	}
	info = hg_replay_info(&rp);
	if (hg_settings_collect(&all, info, tname, &r->args.opts) ||
	    hg_settings_apply(&all, &cfg))
		goto out;
	if (hg_replay_add_lane(&rp, &cfg, NULL)) {
		status = hg_cli_replay_failed(&rp);
		goto out;
	}
	if ((r->log_path && hg_outfile_open(&logf, r->log_path)) ||
	    (r->stats_path && hg_outfile_open(&statsf, r->stats_path)))
		goto out;
	struct hg_observer warn = { NULL, warn_mmap, NULL };
	if ((!r->quiet && hg_replay_observe(&rp, &warn)) ||
	    (logf.f && hg_eventlog_attach(&lg, logf.f, &rp)) ||
	    hg_pictures_attach(pics, &rp, info->name) ||
	    hg_progress_attach(&prog, &rp, r->quiet)) {
		status = hg_cli_replay_failed(&rp);
		goto out;
	}
	if ((rc = hg_cli_replay_run(&rp, &prog, &status)) < 0)
		goto out;
	if (!r->quiet)
		hg_cli_trace_warning(rp.trace);
	m = hg_replay_model(&rp, 0);
	status = HG_EXIT_OK;
	if (rc == HG_REPLAY_OOM) {
		hg_cli_error_at(rp.file, rp.lane[0].oom_line, 0, "%s",
				hg_model_stats(m)->oom_message);
		status = HG_EXIT_OOM;
	}
	const struct hg_stats *st = hg_model_stats(m);
	const struct hg_config *mcfg = hg_model_config(m);
	/* --at: the figures at that moment are the report's "final". */
	struct hg_report_at at_, *at = NULL;
	if (pics->at && pics->at_reached) {
		at_.event = pics->at_ev;
		at_.mark = pics->at_event ? NULL : pics->at;
		at_.events = st->events;
		at = &at_;
		st = &pics->at_stats;
	}
	{
		int ps = hg_pictures_finish(pics, &rp);
		if (ps) {
			status = ps;
			goto out;
		}
	}
	if (statsf.f)
		hg_report_json(statsf.f, info->name[0] ? info->name : NULL,
			       mcfg, st, &rp.lane[0], at);
	if (hg_outfile_commit(&logf) || hg_outfile_commit(&statsf)) {
		status = HG_EXIT_USAGE;
		goto out;
	}
	if (!r->quiet && !hg_pictures_to_stdout(pics) &&
	    !(r->stats_path && strcmp(r->stats_path, "-") == 0) &&
	    !(r->log_path && strcmp(r->log_path, "-") == 0)) {
		if (r->json)
			hg_report_json(stdout,
				       info->name[0] ? info->name : NULL, mcfg,
				       st, &rp.lane[0], at);
		else
			hg_report_text(stdout,
				       info->name[0] ? info->name : NULL, mcfg,
				       st, &rp.lane[0], at);
	}
out:
	hg_outfile_abort(&logf);
	hg_outfile_abort(&statsf);
	hg_eventlog_release(&lg);
	hg_replay_release(&rp);
	hg_settings_release(&all);
	return status;
}

int cmd_replay(int argc, char **argv)
{
	struct hg_opt_parser p;
	struct replay r;
	const char *arg;
	int c, status;

	memset(&r, 0, sizeof(r));
	hg_replay_args_init(&r.args);
	hg_opt_init(&p, &cmd_replay_spec, argc, argv);
	while ((c = hg_replay_args_next(&r.args, &p, &arg, &status)) !=
	       HG_OPT_END) {
		switch (c) {
		case HG_OPT_EXIT:
			goto out;
		case OPT_STATS:
			r.stats_path = arg;
			break;
		case OPT_FORMAT:
			if ((status = hg_opt_format(&cmd_replay_spec, arg,
						    &r.json)))
				goto out;
			break;
		case OPT_LOG:
			r.log_path = arg;
			break;
		case OPT_CHECK:
			if (!arg || strcmp(arg, "linear") == 0) {
				r.check = HG_REPLAY_CHECK_LINEAR;
			} else if (strcmp(arg, "full") == 0) {
				r.check = HG_REPLAY_CHECK_FULL;
			} else {
				status = hg_opt_usage_error(
					&cmd_replay_spec,
					"--check is linear or full, not '%s'",
					arg);
				goto out;
			}
			break;
		case OPT_QUIET:
			r.quiet = true;
			break;
		}
	}
	if (!r.args.trace) {
		status = hg_opt_usage_error(&cmd_replay_spec, "no trace given");
		goto out;
	}
	if (r.log_path && r.stats_path && strcmp(r.log_path, "-") == 0 &&
	    strcmp(r.stats_path, "-") == 0) {
		status = hg_opt_usage_error(&cmd_replay_spec,
					    "--log - and --stats - cannot both "
					    "write to standard output");
		goto out;
	}
	if ((status = hg_pictures_check(&r.args.pics, &cmd_replay_spec)))
		goto out;
	status = run(&r);
out:
	hg_replay_args_release(&r.args);
	return status;
}
