/*
 * opt.h - one static option table per command, turned into getopt_long's
 * options and into the command's help text, so that parsing and --help
 * never disagree.
 */
#ifndef HG_CLI_OPT_H
#define HG_CLI_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "util.h"

/* Values hg_opt_next returns besides an option's id. */
#define HG_OPT_ARG 1    /* a positional argument, in *arg */
#define HG_OPT_END (-1) /* no more arguments */
#define HG_OPT_EXIT                                                            \
	(-2) /* help shown or usage error printed: return p->status */

/* One option. Every command also gets -h, --help. */
struct hg_opt {
	int id;           /* returned by hg_opt_next; > HG_OPT_ARG */
	char shortname;   /* 0 = long form only */
	const char *name; /* long name, without "--" */
	const char *arg;  /* metavariable ("FILE"); NULL for a flag; in
			     brackets ("[=full]") an optional value, given
			     as --name=VALUE only (long options only) */
	const char *help; /* one line */
};

/* A command's usage: what `heapgrow help COMMAND` prints. */
struct hg_opt_spec {
	const char *name;          /* command name */
	const char *args;          /* after the name: "TRACE [options]" */
	const char *summary;       /* one line, for the command list */
	const struct hg_opt *opts; /* ends with an entry whose name is NULL */
	const char *details;       /* text after the options, or NULL */
};

#define HG_OPT_MAX 32

struct hg_opt_parser {
	const struct hg_opt_spec *spec;
	int argc;
	char **argv;
	int status; /* exit status after HG_OPT_EXIT */
	int rest;   /* next leftover positional after "--", or 0 */
	struct option lopts[HG_OPT_MAX + 2];
	char shorts[3 * HG_OPT_MAX + 8];
	char hint[300]; /* "did you mean" of the last unknown option */
};

/*
 * hg_opt_init prepares to parse argv[1..argc-1] (argv[0] is the command
 * name) against spec.
 */
void hg_opt_init(struct hg_opt_parser *p, const struct hg_opt_spec *spec,
		 int argc, char **argv);

/*
 * hg_opt_next returns the id of the next option (its value, if it takes
 * one, in *arg), HG_OPT_ARG for a positional argument, HG_OPT_END, or
 * HG_OPT_EXIT after printing the help (status 0) or a usage error
 * (status 2). Options and positional arguments may be mixed; "--" ends
 * the options.
 */
int hg_opt_next(struct hg_opt_parser *p, const char **arg);

/* hg_opt_usage_error prints "heapgrow: CMD: MSG" and the usage; returns 2. */
int hg_opt_usage_error(const struct hg_opt_spec *spec, const char *fmt, ...)
	HG_PRINTF(2, 3);

/* hg_opt_one_arg keeps arg as the one positional argument *dst; returns 0,
 * or prints "too many arguments" and returns HG_EXIT_USAGE. */
int hg_opt_one_arg(const struct hg_opt_spec *spec, const char **dst,
		   const char *arg);

/* hg_opt_format sets *json from a --format value (text or json); returns 0,
 * or prints a usage error of spec and returns HG_EXIT_USAGE. */
int hg_opt_format(const struct hg_opt_spec *spec, const char *arg, bool *json);

/* hg_opt_from sets *from (an hg_trace_format) from a --from value;
 * returns 0, or prints a usage error of spec and returns HG_EXIT_USAGE. */
int hg_opt_from(const struct hg_opt_spec *spec, const char *arg, int *from);

/* The --from option's metavariable and help line, for every command that
 * reads a trace. */
#define HG_OPT_FROM_ARG "FORMAT"
#define HG_OPT_FROM_HELP                                                       \
	"read it as yaml, compact, go-trace, go-allocfreetrace or mtrace"

/* hg_opt_help prints the full help of a command. */
void hg_opt_help(FILE *f, const struct hg_opt_spec *spec);

/* hg_opt_usage prints the usage line and where to find more. */
void hg_opt_usage(FILE *f, const struct hg_opt_spec *spec);

#endif /* HG_CLI_OPT_H */
