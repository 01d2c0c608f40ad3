/*
 * cmd.h - the commands of heapgrow. Each command is one cmd_<name>.c with a
 * static option table, its usage spec and its entry point, which gets the
 * arguments from the command name on (argv[0] is the command name) and
 * returns the exit status.
 */
#ifndef HG_CLI_CMD_H
#define HG_CLI_CMD_H

#include "opt.h"

struct hg_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const struct hg_opt_spec *spec;
};

int cmd_replay(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_platforms(int argc, char **argv);
int cmd_help(int argc, char **argv);

extern const struct hg_opt_spec cmd_replay_spec;
extern const struct hg_opt_spec cmd_compare_spec;
extern const struct hg_opt_spec cmd_diff_spec;
extern const struct hg_opt_spec cmd_check_spec;
extern const struct hg_opt_spec cmd_convert_spec;
extern const struct hg_opt_spec cmd_import_spec;
extern const struct hg_opt_spec cmd_platforms_spec;
extern const struct hg_opt_spec cmd_help_spec;

/* The options of convert and import (the same ids). */
extern const struct hg_opt hg_convert_opts[];
/* hg_convert_main is convert (import false) or import (import true: the
 * output named after IN): IN -o OUT [--format F] [--from FORMAT]. */
int hg_convert_main(int argc, char **argv, const struct hg_opt_spec *spec,
		    bool import);

/* hg_cmd_find returns the command called name, or NULL. */
const struct hg_cmd *hg_cmd_find(const char *name);
/* hg_cmd_nearest is the command a mistyped name most likely meant, or
 * NULL ("did you mean"). */
const char *hg_cmd_nearest(const char *name);

/* hg_cmd_list prints the usage of heapgrow and the list of commands. */
void hg_cmd_list(FILE *f);

#endif /* HG_CLI_CMD_H */
