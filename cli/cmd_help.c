/*
 * cmd_help.c - heapgrow help [COMMAND].
 */
#include "cmd.h"

static const struct hg_opt help_opts[] = {
	{ 0 },
};

const struct hg_opt_spec cmd_help_spec = {
	"help",    "[COMMAND]", "Show the usage of heapgrow or of one command",
	help_opts, NULL,
};

int cmd_help(int argc, char **argv)
{
	struct hg_opt_parser p;
	const struct hg_cmd *cmd;
	const char *name = NULL, *arg;
	int c;

	hg_opt_init(&p, &cmd_help_spec, argc, argv);
	while ((c = hg_opt_next(&p, &arg)) != HG_OPT_END) {
		if (c == HG_OPT_EXIT)
			return p.status;
		if (name)
			return hg_opt_usage_error(&cmd_help_spec,
						  "too many arguments");
		name = arg;
	}
	if (!name) {
		hg_cmd_list(stdout);
		return HG_EXIT_OK;
	}
	cmd = hg_cmd_find(name);
	if (!cmd) {
		const char *near = hg_cmd_nearest(name);
		return hg_opt_usage_error(&cmd_help_spec,
					  "unknown command '%s'%s%s%s", name,
					  near ? " (did you mean '" : "",
					  near ? near : "", near ? "'?)" : "");
	}
	hg_opt_help(stdout, cmd->spec);
	return HG_EXIT_OK;
}
