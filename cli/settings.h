/*
 * settings.h - the config settings of one run, each with where it came
 * from, applied in precedence order:
 *
 *   built-in platform defaults < --go preset < trace's own config
 *     < --config file < individual options and --set
 *
 * The platform and the Go preset are chosen first (the last setting of
 * "platform" and of "go" wins) and applied before anything else, so that
 * they supply only defaults: every other setting, wherever it comes from,
 * overrides what the platform or the preset would give.
 */
#ifndef HG_CLI_SETTINGS_H
#define HG_CLI_SETTINGS_H

#include <stddef.h>

#include "hg_core.h"
#include "opt.h"
#include "trace.h"

struct hg_cli_setting {
	char *key; /* dotted form (policy.grow) */
	char *value;
	const char *file;   /* file it came from; NULL = the command line */
	unsigned line, col; /* position in file */
	const char
		*option; /* the option as typed ("--set"), when file is NULL */
};

struct hg_cli_settings {
	struct hg_cli_setting *v; /* in precedence order, lowest first */
	size_t n, cap;
	const char *config; /* -c FILE (borrowed), or NULL */
};

/*
 * The settings options of the commands that replay (-c, --platform, --go,
 * --phys-page-size, --arena-size, --set): their ids, and their table
 * entries with each command's help lines. The picture options' ids
 * follow (pictures.h).
 */
enum {
	HG_SOPT_CONFIG = HG_OPT_ARG + 1,
	HG_SOPT_PLATFORM,
	HG_SOPT_GO,
	HG_SOPT_PHYS_PAGE_SIZE,
	HG_SOPT_ARENA_SIZE,
	HG_SOPT_SET,
	HG_SOPT_NEXT,
};

#define HG_SETTINGS_OPTS(config, platform, go, page, arena, set)               \
	{ HG_SOPT_CONFIG, 'c', "config", "FILE", config },                     \
		{ HG_SOPT_PLATFORM, 0, "platform", "GOOS/GOARCH", platform },  \
		{ HG_SOPT_GO, 0, "go", "VERSION", go },                        \
		{ HG_SOPT_PHYS_PAGE_SIZE, 0, "phys-page-size", "SIZE", page }, \
		{ HG_SOPT_ARENA_SIZE, 0, "arena-size", "SIZE", arena },        \
	{                                                                      \
		HG_SOPT_SET, 0, "set", "KEY=VALUE", set                        \
	}

void hg_settings_init(struct hg_cli_settings *s);
void hg_settings_release(struct hg_cli_settings *s);

/* hg_settings_add_file appends a setting read from file (borrowed) at line:col.
 */
void hg_settings_add_file(struct hg_cli_settings *s, const char *key,
			  const char *value, const char *file, unsigned line,
			  unsigned col);

/* hg_settings_add_option appends a setting given by option (borrowed). */
void hg_settings_add_option(struct hg_cli_settings *s, const char *key,
			    const char *value, const char *option);

/* hg_settings_append appends copies of every setting of from. */
void hg_settings_append(struct hg_cli_settings *s,
			const struct hg_cli_settings *from);

/*
 * hg_settings_option records option opt (one of HG_SOPT_*; other ids are
 * ignored) with its value arg. Returns 0, or prints a usage error of spec
 * and returns HG_EXIT_USAGE.
 */
int hg_settings_option(struct hg_cli_settings *s, int opt, const char *arg,
		       const struct hg_opt_spec *spec);

/*
 * hg_settings_collect appends, in precedence order, the settings of the
 * trace's config (info, shown as tname), then, unless cmdline is NULL, of
 * the file cmdline->config and of cmdline itself. Returns 0, or prints why the
 * file cannot be read and returns HG_EXIT_USAGE.
 */
int hg_settings_collect(struct hg_cli_settings *all,
			const struct hg_trace_info *info, const char *tname,
			const struct hg_cli_settings *cmdline);

/*
 * hg_settings_apply fills cfg from the defaults and the settings (see the
 * top of this file). Returns 0, or prints the first bad setting with its
 * origin and returns HG_EXIT_USAGE. The result has passed hg_config_check.
 */
int hg_settings_apply(const struct hg_cli_settings *s, struct hg_config *cfg);

#endif /* HG_CLI_SETTINGS_H */
