/*
 * opt.c - command option tables to getopt_long and to help text.
 */
#include "opt.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hg_core.h"
#include "util.h"

/* getopt_long's value for table entry i; short options return their letter. */
#define OPT_VAL(i) (256 + (i))
#define OPT_HELP_VAL 255

static const struct hg_opt help_opt = {
	0, 'h', "help", NULL, "show this help and exit",
};

void hg_opt_init(struct hg_opt_parser *p, const struct hg_opt_spec *spec,
		 int argc, char **argv)
{
	size_t n = 0;
	char *s = p->shorts;

	memset(p, 0, sizeof(*p));
	p->spec = spec;
	p->argc = argc;
	p->argv = argv;
	/*
	 * '-': positional arguments come back in order as 1 (independent of
	 * POSIXLY_CORRECT); ':': a missing argument is reported as ':'.
	 */
	*s++ = '-';
	*s++ = ':';
	for (const struct hg_opt *o = spec->opts; o->name; o++, n++) {
		assert(n < HG_OPT_MAX && o->id > HG_OPT_ARG);
		p->lopts[n].name = o->name;
		/* A metavariable in brackets ("[=full]") is optional and
		 * only taken as --name=VALUE. */
		p->lopts[n].has_arg = !o->arg            ? no_argument
				      : o->arg[0] == '[' ? optional_argument
							 : required_argument;
		p->lopts[n].flag = NULL;
		p->lopts[n].val = OPT_VAL((int)n);
		if (o->shortname) {
			*s++ = o->shortname;
			if (o->arg)
				*s++ = ':';
		}
	}
	p->lopts[n].name = "help";
	p->lopts[n].has_arg = no_argument;
	p->lopts[n].val = OPT_HELP_VAL;
	*s++ = 'h';
	*s = '\0';
	/* glibc: 0 re-initialises the scanner. */
	optind = 0;
	opterr = 0;
}

/* find returns the table entry whose getopt value or letter is val. */
static const struct hg_opt *find(const struct hg_opt_spec *spec, int val)
{
	int i = 0;

	if (val == OPT_HELP_VAL || val == 'h')
		return &help_opt;
	for (const struct hg_opt *o = spec->opts; o->name; o++, i++)
		if (OPT_VAL(i) == val || (o->shortname && o->shortname == val))
			return o;
	return NULL;
}

/* fail reports "WHAT 'OPTION' REST" as a usage error. */
static int fail(struct hg_opt_parser *p, const char *what, const char *option,
		const char *rest)
{
	p->status =
		hg_opt_usage_error(p->spec, "%s '%s'%s", what, option, rest);
	return HG_OPT_EXIT;
}

/* nearest_option is " (did you mean '--NAME'?)" for a mistyped long
 * option, or "". */
static const char *nearest_option(struct hg_opt_parser *p, const char *arg)
{
	char word[128];
	struct hg_nearest n;
	const char *best;

	if (strncmp(arg, "--", 2) != 0)
		return "";
	snprintf(word, sizeof(word), "%.*s", (int)strcspn(arg + 2, "="),
		 arg + 2);
	hg_nearest_init(&n, word);
	for (const struct hg_opt *o = p->spec->opts; o->name; o++)
		hg_nearest_try(&n, o->name);
	hg_nearest_try(&n, "help");
	if (!(best = hg_nearest_best(&n)))
		return "";
	snprintf(p->hint, sizeof(p->hint), " (did you mean '--%s'?)", best);
	return p->hint;
}

int hg_opt_next(struct hg_opt_parser *p, const char **arg)
{
	const struct hg_opt *o;
	char shortbuf[3] = { '-', 0, 0 };
	int c;

	*arg = NULL;
	if (p->rest) {
		if (p->rest >= p->argc)
			return HG_OPT_END;
		*arg = p->argv[p->rest++];
		return HG_OPT_ARG;
	}
	c = getopt_long(p->argc, p->argv, p->shorts, p->lopts, NULL);
	switch (c) {
	case -1:
		/* Only "--" stops the scan early; the rest are positional. */
		if (optind >= p->argc)
			return HG_OPT_END;
		p->rest = optind;
		return hg_opt_next(p, arg);
	case 1:
		*arg = optarg;
		return HG_OPT_ARG;
	case '?':
		if (optopt && optopt < 256) {
			shortbuf[1] = (char)optopt;
			return fail(p, "unknown option", shortbuf, "");
		}
		if (optopt)
			return fail(p, "option", p->argv[optind - 1],
				    " takes no value");
		return fail(p, "unknown or ambiguous option",
			    p->argv[optind - 1],
			    nearest_option(p, p->argv[optind - 1]));
	case ':':
		o = find(p->spec, optopt);
		if (o && o->shortname == optopt) {
			shortbuf[1] = (char)optopt;
			return fail(p, "option", shortbuf, " needs a value");
		}
		return fail(p, "option", p->argv[optind - 1], " needs a value");
	default:
		o = find(p->spec, c);
		assert(o);
		if (o == &help_opt) {
			hg_opt_help(stdout, p->spec);
			p->status = HG_EXIT_OK;
			return HG_OPT_EXIT;
		}
		*arg = optarg;
		return o->id;
	}
}

void hg_opt_usage(FILE *f, const struct hg_opt_spec *spec)
{
	fprintf(f, "usage: heapgrow %s %s\n", spec->name, spec->args);
	fprintf(f, "Try 'heapgrow help %s' for more information.\n",
		spec->name);
}

int hg_opt_usage_error(const struct hg_opt_spec *spec, const char *fmt, ...)
{
	va_list ap;

	/* "heapgrow: CMD: MSG", on one line as every error (util.c). */
	va_start(ap, fmt);
	hg_cli_verror_at(spec->name, 0, 0, fmt, ap);
	va_end(ap);
	hg_opt_usage(stderr, spec);
	return HG_EXIT_USAGE;
}

int hg_opt_one_arg(const struct hg_opt_spec *spec, const char **dst,
		   const char *arg)
{
	if (*dst)
		return hg_opt_usage_error(spec, "too many arguments");
	*dst = arg;
	return 0;
}

int hg_opt_format(const struct hg_opt_spec *spec, const char *arg, bool *json)
{
	if (strcmp(arg, "json") == 0)
		*json = true;
	else if (strcmp(arg, "text") == 0)
		*json = false;
	else
		return hg_opt_usage_error(
			spec, "--format must be text or json, not '%s'", arg);
	return 0;
}

int hg_opt_from(const struct hg_opt_spec *spec, const char *arg, int *from)
{
	*from = hg_trace_format_parse(arg);
	if (*from < 0)
		return hg_opt_usage_error(spec,
					  "--from must be yaml, compact, "
					  "go-trace, go-allocfreetrace or "
					  "mtrace, not '%s'",
					  arg);
	return 0;
}

#define HELP_COL 28

/* The blank between an option and its metavariable (none before an
 * optional one: --check[=full]). */
static const char *space(const struct hg_opt *o)
{
	return o->arg && o->arg[0] != '[' ? " " : "";
}

static void help_line(FILE *f, const struct hg_opt *o)
{
	char left[96];
	int n;

	if (o->shortname)
		n = snprintf(left, sizeof(left), "  -%c, --%s%s%s",
			     o->shortname, o->name, space(o),
			     o->arg ? o->arg : "");
	else
		n = snprintf(left, sizeof(left), "      --%s%s%s", o->name,
			     space(o), o->arg ? o->arg : "");
	if (n + 2 > HELP_COL)
		fprintf(f, "%s\n%*s%s\n", left, HELP_COL, "", o->help);
	else
		fprintf(f, "%-*s%s\n", HELP_COL, left, o->help);
}

void hg_opt_help(FILE *f, const struct hg_opt_spec *spec)
{
	fprintf(f, "usage: heapgrow %s %s\n\n%s\n\noptions:\n", spec->name,
		spec->args, spec->summary);
	for (const struct hg_opt *o = spec->opts; o->name; o++)
		help_line(f, o);
	help_line(f, &help_opt);
	if (spec->details)
		fprintf(f, "\n%s", spec->details);
}
