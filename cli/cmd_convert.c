/*
 * cmd_convert.c - heapgrow convert IN -o OUT: a trace from one format to
 * the other (YAML, compact text, either gzip-compressed), streamed one
 * event at a time, name, description and config kept. heapgrow import
 * (cmd_import.c) is the same with a real program's trace as IN.
 */
#include <stdio.h>
#include <errno.h>
#include <string.h>

#include "cmd.h"
#include "outfile.h"
#include "trace.h"
#include "util.h"

enum {
	OPT_OUTPUT = 2,
	OPT_FORMAT,
	OPT_FROM,
};

/* What convert and import were asked. */
struct hg_convert {
	const char *in, *out, *format; /* as given, or NULL */
	int from;                      /* HG_FMT_AUTO or a format */
	bool import;                   /* name the output after IN */
};

/* The options of convert and import (cmd_import.c uses the same ids). */
const struct hg_opt hg_convert_opts[] = {
	{ OPT_OUTPUT, 'o', "output", "FILE",
	  "write the trace here ('-' = standard output)" },
	{ OPT_FORMAT, 0, "format", "yaml|compact",
	  "output format (default: from FILE's suffix)" },
	{ OPT_FROM, 0, "from", HG_OPT_FROM_ARG, HG_OPT_FROM_HELP },
	{ 0 },
};

const struct hg_opt_spec cmd_convert_spec = {
	"convert",
	"IN -o OUT [options]",
	"Convert a trace between the YAML and the compact text format",
	hg_convert_opts,
	"IN is a trace in either format, plain or gzip-compressed (recognised\n"
	"by content, or as --from says; '-' = standard input), or a real\n"
	"program's trace (see heapgrow import). The output format comes from\n"
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

/* import_header names an imported trace after its input and says where it
 * came from, unless the input had a name of its own. */
static void import_header(struct hg_trace_info *info, const char *in)
{
	const char *base = strrchr(in, '/');
	size_t n;

	if (info->name[0])
		return;
	base = strcmp(in, "-") == 0 ? "stdin" : base ? base + 1 : in;
	n = strlen(base);
	if (ends_with(base, n, ".gz"))
		n -= 3;
	if (n >= sizeof(info->name))
		n = sizeof(info->name) - 1;
	memcpy(info->name, base, n);
	info->name[n] = '\0';
	if (!info->description[0])
		snprintf(info->description, sizeof(info->description),
			 "imported from %s (%s)", base,
			 hg_trace_format_name(info->format));
}

static int convert(const struct hg_convert *c, enum hg_trace_format fmt,
		   bool gz)
{
	const char *name = hg_display_name(c->in);
	struct hg_trace_reader *tr = NULL;
	struct hg_trace_writer *w = NULL;
	struct hg_trace_info info;
	struct hg_outfile of;
	struct hg_diag d;
	int rc;

	memset(&d, 0, sizeof(d));
	hg_outfile_input(c->in);
	rc = hg_trace_open_as(&tr, c->in, c->from, &d);
	if (rc != 0) {
		hg_cli_diag_rc(rc, &d);
		return HG_EXIT_USAGE;
	}
	if (hg_outfile_open(&of, c->out) != 0) {
		hg_trace_close(tr);
		return HG_EXIT_USAGE;
	}
	info = *hg_trace_info(tr);
	if (c->import)
		import_header(&info, c->in);
	rc = hg_trace_writer_open(&w, of.f, fmt, gz, &info, &d);
	if (rc != 0) {
		if (rc == HG_ENOMEM)
			hg_cli_diag_rc(rc, &d);
		else
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
			hg_cli_diag_rc(rc, &d);
			goto fail;
		}
		if (hg_trace_write(w, &op) != 0) {
			/* The output failing is not the input's fault. */
			if (ferror(of.f))
				hg_cli_error("cannot write '%s': %s", c->out,
					     hg_trace_writer_diag(w)->msg);
			else
				hg_cli_error_at(name, line, col, "%s",
						hg_trace_writer_diag(w)->msg);
			goto fail;
		}
	}
	errno = 0;
	rc = hg_trace_writer_close(w);
	w = NULL;
	if (rc != 0) {
		hg_cli_error("cannot write '%s': %s", c->out,
			     errno ? strerror(errno) : "write error");
		goto fail;
	}
	hg_cli_trace_warning(tr);
	hg_trace_close(tr);
	return hg_outfile_commit(&of) == 0 ? HG_EXIT_OK : HG_EXIT_USAGE;
fail:
	hg_trace_writer_close(w);
	hg_outfile_abort(&of);
	hg_trace_close(tr);
	return HG_EXIT_USAGE;
}

/* convert_run checks the arguments and converts; returns the status. */
static int convert_run(const struct hg_convert *c,
		       const struct hg_opt_spec *spec)
{
	enum hg_trace_format fmt = HG_FMT_YAML;
	bool gz = false;

	if (!c->in)
		return hg_opt_usage_error(spec, "no input given");
	if (!c->out)
		return hg_opt_usage_error(spec, "no output given (-o FILE)");
	if (out_format(c->out, &fmt, &gz) != 0 && !c->format)
		return hg_opt_usage_error(
			spec,
			strcmp(c->out, "-") == 0
				? "--format yaml|compact is needed with '-o -'"
				: "cannot tell the format of '%s' (.yaml, "
				  ".yml, "
				  ".hgt, optionally .gz); use --format",
			c->out);
	if (c->format) {
		if (strcmp(c->format, "yaml") == 0)
			fmt = HG_FMT_YAML;
		else if (strcmp(c->format, "compact") == 0)
			fmt = HG_FMT_COMPACT;
		else
			return hg_opt_usage_error(
				spec,
				"--format must be yaml or compact, not '%s'",
				c->format);
	}
	return convert(c, fmt, gz);
}

/* convert_option takes one option or argument of hg_convert_opts;
 * returns 0 or HG_EXIT_USAGE (the error printed). */
static int convert_option(struct hg_convert *c, const struct hg_opt_spec *spec,
			  int opt, const char *arg)
{
	switch (opt) {
	case HG_OPT_ARG:
		return hg_opt_one_arg(spec, &c->in, arg);
	case OPT_OUTPUT:
		if (c->out)
			return hg_opt_usage_error(spec,
						  "-o, --output given twice");
		c->out = arg;
		return 0;
	case OPT_FORMAT:
		c->format = arg;
		return 0;
	case OPT_FROM:
		return hg_opt_from(spec, arg, &c->from);
	default:
		return 0;
	}
}

int hg_convert_main(int argc, char **argv, const struct hg_opt_spec *spec,
		    bool import)
{
	struct hg_convert cv = { NULL, NULL, NULL, HG_FMT_AUTO, import };
	struct hg_opt_parser p;
	const char *arg;
	int c;

	hg_opt_init(&p, spec, argc, argv);
	while ((c = hg_opt_next(&p, &arg)) != HG_OPT_END) {
		if (c == HG_OPT_EXIT)
			return p.status;
		if (convert_option(&cv, spec, c, arg))
			return HG_EXIT_USAGE;
	}
	return convert_run(&cv, spec);
}

int cmd_convert(int argc, char **argv)
{
	return hg_convert_main(argc, argv, &cmd_convert_spec, false);
}
