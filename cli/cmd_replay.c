/*
 * cmd_replay.c - heapgrow replay TRACE: feed a trace through the model and
 * report the statistics, optionally as a stats JSON file and an event log.
 */
#include <inttypes.h>
#include <string.h>

#include "cmd.h"
#include "hg_core.h"
#include "json.h"
#include "outfile.h"
#include "pictures.h"
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
	{ HG_POPT_OUTPUT, 'o', "output", "FILE",
	  "draw the address-space map to FILE (.png or .svg; repeatable)" },
	{ HG_POPT_TIMELINE, 0, "timeline", "FILE",
	  "draw the timeline (events x addresses) to FILE (.png or .svg)" },
	{ HG_POPT_AT, 0, "at", "EVENT|MARK",
	  "draw the map after that event index or at that mark, not at the "
	  "end (the statistics stay the end's)" },
	{ HG_POPT_RANGE, 0, "range", "LO:HI",
	  "draw only the addresses LO to HI (e.g. 0xc000000000:0xc000100000)" },
	{ OPT_STATS, 0, "stats", "FILE",
	  "write the statistics as JSON to FILE ('-' = standard output)" },
	{ OPT_FORMAT, 0, "format", "text|json",
	  "report format on standard output (default text)" },
	{ OPT_LOG, 0, "log", "FILE",
	  "write an event log to FILE, one JSON object per line" },
	{ OPT_CHECK, 0, "check", NULL,
	  "verify the model's invariants after every event" },
	{ OPT_QUIET, 'q', "quiet", NULL, "print no report on standard output" },
	{ 0 },
};

const struct hg_opt_spec cmd_replay_spec = {
	"replay",
	"TRACE [options]",
	"Replay a trace through the heap model and report the statistics",
	replay_opts,
	"TRACE is a YAML or compact trace, gzip-compressed or not; '-' reads\n"
	"standard input. Settings apply in this order, later ones winning:\n"
	"platform defaults, the Go preset, the trace's own config, the "
	"--config\n"
	"file, then --phys-page-size, --arena-size and --set in command-line\n"
	"order. --platform and --go choose the platform and the preset.\n"
	"\n"
	"The report is not printed when --stats or --log write to standard\n"
	"output. Output files are written whole or not at all.\n"
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
	"  heapgrow replay trace.yaml --at \"GC 1\" -o gc1.svg\n",
};

struct replay {
	const char *stats_path; /* --stats, or NULL */
	const char *log_path;   /* --log, or NULL */
	bool json, check, quiet;
	struct hg_replay_args args; /* TRACE, settings, pictures */
};

/* ------------------------------------------------------------------ */
/* Event log                                                           */
/* ------------------------------------------------------------------ */

/* log_event writes one line of the event log: what the op table's row
 * says the log holds for the op (hg_op_spec's log bits). */
static void log_event(FILE *f, uint64_t i, const struct hg_op *op,
		      const struct hg_op_result *res, bool oom)
{
	const struct hg_op_spec *k = hg_op_spec(op->kind);
	struct hg_json j;

	hg_json_init(&j, f, false);
	hg_json_begin_object(&j, NULL);
	hg_json_u64(&j, "i", i);
	hg_json_str(&j, "op", hg_op_name(op->kind));
	if (k && hg_op_has_field(k, HG_FIELD_ID) && op->id)
		hg_json_str(&j, "id", op->id);
	if (oom) {
		if (k && k->use == HG_ID_MAKE &&
		    hg_op_has_field(k, HG_FIELD_SIZE))
			hg_json_u64(&j, "size", op->size);
		hg_json_bool(&j, "oom", true);
		hg_json_end_object(&j);
		fputc('\n', f);
		return;
	}
	unsigned log = k ? k->log : 0;
	if (log & HG_LOG_OP) {
		if (hg_op_has_field(k, HG_FIELD_SIZE_ALL)) {
			if (op->all)
				hg_json_bool(&j, "all", true);
			else
				hg_json_u64(&j, "size", op->size);
		}
		if (hg_op_has_field(k, HG_FIELD_TEXT))
			hg_json_str(&j, "text", op->text ? op->text : "");
		if (hg_op_has_field(k, HG_FIELD_VALUE))
			hg_json_u64(&j, "value", op->value);
	}
	if (log & HG_LOG_ADDR)
		hg_json_hex(&j, "addr", res->addr);
	if (log & HG_LOG_NPAGES)
		hg_json_u64(&j, "npages", res->npages);
	if (log & HG_LOG_SIZE)
		hg_json_u64(&j, "size", res->size);
	if (log & HG_LOG_SCAV)
		hg_json_u64(&j, "scav", res->scav);
	if (log & HG_LOG_GREW)
		hg_json_u64(&j, "grew", res->grew);
	if (log & HG_LOG_RELEASED)
		hg_json_u64(&j, "released", res->released);
	hg_json_end_object(&j);
	fputc('\n', f);
}

/* ------------------------------------------------------------------ */
/* Replay                                                              */
/* ------------------------------------------------------------------ */

static int run(struct replay *r)
{
	const char *tname = hg_display_name(r->args.trace);
	struct hg_pictures *pics = &r->args.pics;
	struct hg_trace_reader *tr = NULL;
	const struct hg_trace_info *info;
	struct hg_cli_settings all;
	struct hg_model *m = NULL;
	struct hg_outfile logf = { 0 }, statsf = { 0 };
	const struct hg_stats *st;
	struct hg_config cfg;
	struct hg_diag d;
	char err[512];
	uint64_t i = 0;
	int status = HG_EXIT_USAGE;

	hg_settings_init(&all);
	memset(&d, 0, sizeof(d));
	if (hg_pictures_two_pass(pics) && strcmp(r->args.trace, "-") == 0) {
		int fd = hg_pictures_spool(pics);
		if (fd < 0)
			return HG_EXIT_USAGE;
		if (hg_trace_open_fd(&tr, fd, "<stdin>", &d) != 0) {
			hg_cli_diag(&d);
			return HG_EXIT_USAGE;
		}
	} else if (hg_trace_open(&tr, r->args.trace, &d) != 0) {
		hg_cli_diag(&d);
		return HG_EXIT_USAGE;
	}
	info = hg_trace_info(tr);
	if (hg_settings_collect(&all, info, tname, &r->args.opts) ||
	    hg_settings_apply(&all, &cfg))
		goto out;
	err[0] = '\0';
	if (hg_model_new(&m, &cfg, err, sizeof(err)) != 0) {
		hg_cli_error("%s: %s", tname,
			     err[0] ? err : "invalid configuration");
		goto out;
	}
	if ((r->log_path && hg_outfile_open(&logf, r->log_path)) ||
	    (r->stats_path && hg_outfile_open(&statsf, r->stats_path)))
		goto out;

	status = HG_EXIT_OK;
	for (;; i++) {
		struct hg_op op;
		struct hg_op_result res;
		unsigned line = 0, col = 0;
		int rc;

		memset(&res, 0, sizeof(res));
		rc = hg_trace_next(tr, &op, &line, &col, &d);
		if (rc == 0)
			break;
		if (rc < 0) {
			hg_cli_diag(&d);
			status = HG_EXIT_USAGE;
			goto out;
		}
		err[0] = '\0';
		rc = hg_model_apply(m, &op, &res, err, sizeof(err));
		if (rc == HG_ENOMEM) {
			hg_cli_error("out of memory");
			status = HG_EXIT_USAGE;
			goto out;
		} else if (rc != 0 && rc != HG_EOOM) {
			hg_cli_error_at(tname, line, col, "%s",
					err[0] ? err : hg_strerror(rc));
			status = HG_EXIT_USAGE;
			goto out;
		}
		/* A foreign mapping's address is only a hint, as for mmap
		 * without MAP_FIXED: say so when the OS moved it. */
		if (op.kind == HG_OP_MMAP && op.has_addr &&
		    res.addr != op.addr && !r->quiet)
			hg_cli_error_at(
				tname, line, col,
				"warning: mmap %s: %#" PRIx64
				" is not free; the OS put it at %#" PRIx64,
				op.id, op.addr, res.addr);
		if (logf.f)
			log_event(logf.f, i, &op, &res,
				  rc == HG_EOOM || res.oom);
		if (hg_pictures_event(pics, m, i, &op, &res, info->name)) {
			status = HG_EXIT_USAGE;
			goto out;
		}
		if (r->check) {
			err[0] = '\0';
			if (hg_model_check(m, err, sizeof(err)) != 0) {
				hg_cli_error_at(tname, line, 0,
						"invariant violated after "
						"event %" PRIu64 " (%s): %s",
						i, hg_op_name(op.kind), err);
				status = HG_EXIT_INVARIANT;
				goto out;
			}
		}
		if (rc == HG_EOOM) {
			hg_cli_error_at(tname, line, 0, "%s",
					hg_model_stats(m)->oom_message);
			status = HG_EXIT_OOM;
			break;
		}
	}

	/* The pictures take the model (a timeline replays the trace again). */
	struct hg_stats final = *hg_model_stats(m);
	struct hg_config mcfg = *hg_model_config(m);
	st = &final;
	{
		int ps = hg_pictures_finish(pics, &m, &cfg, r->args.trace,
					    info->name);
		if (ps) {
			status = ps;
			goto out;
		}
	}
	if (statsf.f)
		hg_report_json(statsf.f, info->name[0] ? info->name : NULL,
			       &mcfg, st);
	if (hg_outfile_commit(&logf) || hg_outfile_commit(&statsf)) {
		status = HG_EXIT_USAGE;
		goto out;
	}
	if (!r->quiet && !(r->stats_path && strcmp(r->stats_path, "-") == 0) &&
	    !(r->log_path && strcmp(r->log_path, "-") == 0)) {
		if (r->json)
			hg_report_json(stdout,
				       info->name[0] ? info->name : NULL, &mcfg,
				       st);
		else
			hg_report_text(stdout,
				       info->name[0] ? info->name : NULL, &mcfg,
				       st);
	}
out:
	hg_outfile_abort(&logf);
	hg_outfile_abort(&statsf);
	hg_model_free(m);
	hg_trace_close(tr);
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
			r.check = true;
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
	if ((status = hg_pictures_check(&r.args.pics, &cmd_replay_spec)))
		goto out;
	status = run(&r);
out:
	hg_replay_args_release(&r.args);
	return status;
}
