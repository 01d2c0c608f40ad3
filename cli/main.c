/*
 * main.c - heapgrow's entry point: the command table and dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "hg_core.h"
#include "outfile.h"
#include "util.h"

#ifndef HEAPGROW_VERSION
#define HEAPGROW_VERSION "unknown"
#endif

/*
 * The commands, in the order help lists them.
 */
static const struct hg_cmd cmds[] = {
	{ "replay", cmd_replay, &cmd_replay_spec },
	{ "compare", cmd_compare, &cmd_compare_spec },
	{ "diff", cmd_diff, &cmd_diff_spec },
	{ "check", cmd_check, &cmd_check_spec },
	{ "convert", cmd_convert, &cmd_convert_spec },
	{ "import", cmd_import, &cmd_import_spec },
	{ "platforms", cmd_platforms, &cmd_platforms_spec },
	{ "help", cmd_help, &cmd_help_spec },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

const struct hg_cmd *hg_cmd_find(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

const char *hg_cmd_nearest(const char *name)
{
	static struct hg_nearest n;

	hg_nearest_init(&n, name);
	for (size_t i = 0; i < NCMDS; i++)
		hg_nearest_try(&n, cmds[i].name);
	return hg_nearest_best(&n);
}

void hg_cmd_list(FILE *f)
{
	fputs("usage: heapgrow COMMAND [ARGS]\n"
	      "       heapgrow --help | --version\n"
	      "\n"
	      "Replay allocation traces through a model of the Go runtime's "
	      "heap\n"
	      "growth and report what happens to the address space.\n"
	      "\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-11s %s\n", cmds[i].name, cmds[i].spec->summary);
	fputs("\nRun 'heapgrow help COMMAND' for the options of a command.\n",
	      f);
}

static void version(void)
{
	printf("heapgrow %s (models the Go runtime up to go%s)\n",
	       HEAPGROW_VERSION, HG_GO_NEWEST);
}

int main(int argc, char **argv)
{
	const struct hg_cmd *cmd;
	int status;

	if (argc < 2) {
		hg_cmd_list(stderr);
		return HG_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		hg_cmd_list(stdout);
		status = HG_EXIT_OK;
	} else if (strcmp(argv[1], "--version") == 0) {
		version();
		status = HG_EXIT_OK;
	} else if (!(cmd = hg_cmd_find(argv[1]))) {
		const char *near = hg_cmd_nearest(argv[1]);
		if (argv[1][0] == '-')
			hg_cli_error("unknown option '%s'", argv[1]);
		else if (near)
			hg_cli_error("unknown command '%s' (did you mean "
				     "'%s'?)",
				     argv[1], near);
		else
			hg_cli_error("unknown command '%s'", argv[1]);
		fputs("usage: heapgrow COMMAND [ARGS]\n"
		      "Try 'heapgrow --help' for the list of commands.\n",
		      stderr);
		return HG_EXIT_USAGE;
	} else {
		status = cmd->fn(argc - 1, argv + 1);
	}
	/* The outputs of a run replace their targets together, or none. */
	if (hg_outfiles_finish(status != HG_EXIT_USAGE) != 0)
		status = HG_EXIT_USAGE;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("heapgrow: cannot write to standard output\n", stderr);
		return HG_EXIT_USAGE;
	}
	return status;
}
