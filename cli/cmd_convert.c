/*
 * cmd_convert.c - heapgrow convert IN -o OUT: a trace from one format to
 * the other (YAML, compact text, either gzip-compressed), streamed one
 * event at a time, name, description and config kept.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "outfile.h"
#include "trace.h"
#include "util.h"

enum {
	OPT_OUTPUT = 2,
	OPT_FORMAT,
};

static const struct hg_opt convert_opts[] = {
	{ OPT_OUTPUT, 'o', "output", "FILE",
	  "write the trace here ('-' = standard output)" },
	{ OPT_FORMAT, 0, "format", "yaml|compact",
	  "output format (default: from FILE's suffix)" },
	{ 0 },
};

const struct hg_opt_spec cmd_convert_spec = {
	"convert",
	"IN -o OUT [options]",
	"Convert a trace between the YAML and the compact text format",
	convert_opts,
	"IN is a trace in either format, plain or gzip-compressed (recognised\n"
	"by content; '-' = standard input). The output format comes from\n"
	"OUT's suffix: .yaml or .yml is YAML, .hgt the compact format, and a\n"
	"further .gz compresses it (trace.hgt.gz); --format overrides it and\n"
	"is needed for '-o -'. The events are streamed; the trace's name,\n"
	"description and config are kept (the compact format holds name and\n"
	"description as comments). OUT is written whole or not at all.\n"
	"\n"
	"exit status: 0 done, 2 bad arguments or an unreadable, malformed or\n"
	"unconvertible trace (nothing written).\n"
	"\n"
	"examples:\n"
	"  heapgrow convert trace.yaml -o trace.hgt.gz\n"
	"  heapgrow convert trace.hgt -o - --format yaml\n",
};

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && strncmp(s + n - k, suffix, k) == 0;
}

/*
 * out_format tells the format and compression of path from its suffix.
 * Returns 0, or -1 when the suffix names no format.
 */
static int out_format(const char *path, enum hg_trace_format *fmt, bool *gz)
{
	size_t n = strlen(path);

	*gz = ends_with(path, n, ".gz");
	if (*gz)
		n -= 3;
	if (ends_with(path, n, ".yaml") || ends_with(path, n, ".yml"))
		*fmt = HG_FMT_YAML;
	else if (ends_with(path, n, ".hgt"))
		*fmt = HG_FMT_COMPACT;
	else
		return -1;
	return 0;
}

static int convert(const char *in, const char *out, enum hg_trace_format fmt,
		   bool gz)
{
	const char *name = hg_display_name(in);
	struct hg_trace_reader *tr = NULL;
	struct hg_trace_writer *w = NULL;
	struct hg_trace_info info;
	struct hg_outfile of;
	struct hg_diag d;
	int rc;

	memset(&d, 0, sizeof(d));
	hg_outfile_input(in);
	if (hg_trace_open(&tr, in, &d) != 0) {
		hg_cli_diag(&d);
		return HG_EXIT_USAGE;
	}
	if (hg_outfile_open(&of, out) != 0) {
		hg_trace_close(tr);
		return HG_EXIT_USAGE;
	}
	info = *hg_trace_info(tr);
	if (hg_trace_writer_open(&w, of.f, fmt, gz, &info, &d) != 0) {
		hg_cli_error("%s: %s", name, d.msg);
		goto fail;
	}
	for (;;) {
		struct hg_op op;
		unsigned line = 0, col = 0;

		rc = hg_trace_next(tr, &op, &line, &col, &d);
		if (rc == 0)
			break;
		if (rc < 0) {
			hg_cli_diag(&d);
			goto fail;
		}
		if (hg_trace_write(w, &op) != 0) {
			hg_cli_error_at(name, line, col, "%s",
					hg_trace_writer_diag(w)->msg);
			goto fail;
		}
	}
	rc = hg_trace_writer_close(w);
	w = NULL;
	if (rc != 0) {
		hg_cli_error("cannot write '%s'", out);
		goto fail;
	}
	hg_trace_close(tr);
	return hg_outfile_commit(&of) == 0 ? HG_EXIT_OK : HG_EXIT_USAGE;
fail:
	hg_trace_writer_close(w);
	hg_outfile_abort(&of);
	hg_trace_close(tr);
	return HG_EXIT_USAGE;
}

int cmd_convert(int argc, char **argv)
{
	struct hg_opt_parser p;
	const char *in = NULL, *out = NULL, *format = NULL, *arg;
	enum hg_trace_format fmt = HG_FMT_YAML;
	bool gz = false;
	int c;

	hg_opt_init(&p, &cmd_convert_spec, argc, argv);
	while ((c = hg_opt_next(&p, &arg)) != HG_OPT_END) {
		switch (c) {
		case HG_OPT_EXIT:
			return p.status;
		case HG_OPT_ARG:
			if (hg_opt_one_arg(&cmd_convert_spec, &in, arg))
				return HG_EXIT_USAGE;
			break;
		case OPT_OUTPUT:
			if (out)
				return hg_opt_usage_error(
					&cmd_convert_spec,
					"-o, --output given twice");
			out = arg;
			break;
		case OPT_FORMAT:
			format = arg;
			break;
		}
	}
	if (!in)
		return hg_opt_usage_error(&cmd_convert_spec, "no input given");
	if (!out)
		return hg_opt_usage_error(&cmd_convert_spec,
					  "no output given (-o FILE)");
	if (out_format(out, &fmt, &gz) != 0 && !format)
		return hg_opt_usage_error(
			&cmd_convert_spec,
			strcmp(out, "-") == 0
				? "--format yaml|compact is needed with '-o -'"
				: "cannot tell the format of '%s' (.yaml, "
				  ".yml, "
				  ".hgt, optionally .gz); use --format",
			out);
	if (format) {
		if (strcmp(format, "yaml") == 0)
			fmt = HG_FMT_YAML;
		else if (strcmp(format, "compact") == 0)
			fmt = HG_FMT_COMPACT;
		else
			return hg_opt_usage_error(
				&cmd_convert_spec,
				"--format must be yaml or compact, not '%s'",
				format);
	}
	return convert(in, out, fmt, gz);
}
