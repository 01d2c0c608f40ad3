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

struct hg_cli_setting {
	char *key;          /* dotted form (policy.grow) */
	char *value;
	const char *file;   /* file it came from; NULL = the command line */
	unsigned line, col; /* position in file */
	const char *option; /* the option as typed ("--set"), when file is NULL */
};

struct hg_cli_settings {
	struct hg_cli_setting *v; /* in precedence order, lowest first */
	size_t n, cap;
};

void hg_settings_init(struct hg_cli_settings *s);
void hg_settings_release(struct hg_cli_settings *s);

/* hg_settings_add_file appends a setting read from file (borrowed) at line:col. */
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
 * hg_settings_apply fills cfg from the defaults and the settings (see the
 * top of this file). Returns 0, or prints the first bad setting with its
 * origin and returns HG_EXIT_USAGE. The result has passed hg_config_check.
 */
int hg_settings_apply(const struct hg_cli_settings *s, struct hg_config *cfg);

#endif /* HG_CLI_SETTINGS_H */
