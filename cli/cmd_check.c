/*
 * cmd_check.c - heapgrow check TRACE: validate a trace without replaying
 * it: syntax, config keys and values, and the use of ids.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "hg_core.h"
#include "settings.h"
#include "trace.h"
#include "util.h"

enum {
	OPT_QUIET = 2,
	OPT_FROM,
};

static const struct hg_opt check_opts[] = {
	{ OPT_QUIET, 'q', "quiet", NULL,
	  "print nothing when the trace is valid" },
	{ OPT_FROM, 0, "from", HG_OPT_FROM_ARG, HG_OPT_FROM_HELP },
	{ 0 },
};

const struct hg_opt_spec cmd_check_spec = {
	"check",
	"TRACE [options]",
	"Validate a trace without replaying it",
	check_opts,
	"Reads the whole trace and checks its syntax, its config keys and\n"
	"values, and its ids: a free (free, sysfree, munmap, del, stackfree)\n"
	"must name a live id of its family, and an allocation (alloc,\n"
	"sysalloc, mmap, new, stackalloc) must not name a live one and\n"
	"must have a positive size: the rules replay applies. Heap spans,\n"
	"sysallocs, mmaps, objects and stacks have separate ids.\n"
	"TRACE may be '-', and a real program's trace (see heapgrow import).\n"
	"\n"
	"exit status: 0 valid, 2 invalid or unreadable.\n"
	"\n"
	"example:\n"
	"  heapgrow check trace.yaml\n",
};

/*
 * check_ids applies op to the live ids with replay's rules (hg_ids).
 * Returns 0, or prints the problem at line:col and returns HG_EXIT_USAGE.
 */
static int check_ids(struct hg_ids *ids, const struct hg_op *op,
		     const char *file, unsigned line, unsigned col)
{
	uint64_t since = 0;
	char err[256];
	int rc = hg_ids_apply(ids, op, line, &since, err, sizeof(err));

	if (rc == HG_ENOMEM)
		hg_cli_oom();
	if (rc == HG_OK)
		return 0;
	if (since)
		hg_cli_error_at(file, line, col, "%s (since line %" PRIu64 ")",
				err, since);
	else
		hg_cli_error_at(file, line, col, "%s", err);
	return HG_EXIT_USAGE;
}

static int check(const char *path, int from, bool quiet)
{
	const char *name = hg_display_name(path);
	struct hg_trace_reader *tr = NULL;
	const struct hg_trace_info *info;
	struct hg_cli_settings set;
	struct hg_ids *ids = NULL;
	struct hg_config cfg;
	struct hg_diag d;
	uint64_t n = 0;
	int status = HG_EXIT_USAGE;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = hg_trace_open_as(&tr, path, from, &d);
	if (rc != 0) {
		hg_cli_diag_rc(rc, &d);
		return HG_EXIT_USAGE;
	}
	info = hg_trace_info(tr);
	hg_settings_init(&set);
	hg_settings_collect(&set, info, name, NULL);
	if (hg_ids_new(&ids) != HG_OK)
		hg_cli_oom();
	if (hg_settings_apply(&set, &cfg))
		goto out;
	for (;;) {
		struct hg_op op;
		unsigned line = 0, col = 0;

		rc = hg_trace_next(tr, &op, &line, &col, &d);
		if (rc == 0)
			break;
		if (rc < 0) {
			hg_cli_diag_rc(rc, &d);
			goto out;
		}
		if (check_ids(ids, &op, name, line, col))
			goto out;
		n++;
	}
	hg_cli_trace_warning(tr);
	if (!quiet)
		printf("%s: ok (%" PRIu64 " event%s)\n", path, n,
		       n == 1 ? "" : "s");
	status = HG_EXIT_OK;
out:
	hg_ids_free(ids);
	hg_settings_release(&set);
	hg_trace_close(tr);
	return status;
}

int cmd_check(int argc, char **argv)
{
	struct hg_opt_parser p;
	const char *trace = NULL, *arg;
	bool quiet = false;
	int c, from = HG_FMT_AUTO;

	hg_opt_init(&p, &cmd_check_spec, argc, argv);
	while ((c = hg_opt_next(&p, &arg)) != HG_OPT_END) {
		switch (c) {
		case HG_OPT_EXIT:
			return p.status;
		case HG_OPT_ARG:
			if (hg_opt_one_arg(&cmd_check_spec, &trace, arg))
				return HG_EXIT_USAGE;
			break;
		case OPT_QUIET:
			quiet = true;
			break;
		case OPT_FROM:
			if (hg_opt_from(&cmd_check_spec, arg, &from))
				return HG_EXIT_USAGE;
			break;
		}
	}
	if (!trace)
		return hg_opt_usage_error(&cmd_check_spec, "no trace given");
	return check(trace, from, quiet);
}
