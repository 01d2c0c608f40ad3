/*
 * replay_args.c - the command line that replay and compare share.
 */
#include "replay_args.h"
#include "outfile.h"
#include "util.h"

void hg_replay_args_init(struct hg_replay_args *a)
{
	a->trace = NULL;
	hg_settings_init(&a->opts);
	hg_pictures_init(&a->pics);
	a->pics.from = HG_FMT_AUTO;
}

void hg_replay_args_release(struct hg_replay_args *a)
{
	hg_pictures_release(&a->pics);
	hg_settings_release(&a->opts);
}

int hg_replay_args_next(struct hg_replay_args *a, struct hg_opt_parser *p,
			const char **arg, int *status)
{
	const struct hg_opt_spec *spec = p->spec;
	int opt;

	while ((opt = hg_opt_next(p, arg)) != HG_OPT_END) {
		if (opt == HG_OPT_EXIT) {
			*status = p->status;
			return HG_OPT_EXIT;
		}
		if (opt == HG_OPT_ARG) {
			*status = hg_opt_one_arg(spec, &a->trace, *arg);
			hg_outfile_input(*arg);
		} else if (opt == HG_POPT_FROM)
			*status = hg_opt_from(spec, *arg, &a->pics.from);
		else if (opt < HG_SOPT_NEXT)
			*status = hg_settings_option(&a->opts, opt, *arg, spec);
		else if (opt < HG_POPT_NEXT)
			*status = hg_pictures_option(&a->pics, opt, *arg, spec);
		else
			return opt;
		if (*status)
			return HG_OPT_EXIT;
	}
	return HG_OPT_END;
}

int hg_cli_replay_failed(const struct hg_replay *rp)
{
	char msg[700];

	hg_replay_message(rp, msg, sizeof(msg));
	hg_cli_error("%s", msg);
	return hg_replay_exit_status(rp->status);
}

int hg_cli_replay_run(struct hg_replay *rp, struct hg_progress *prog,
		      int *status)
{
	int rc = hg_replay_run(rp);

	hg_progress_end(prog);
	if (rc != HG_REPLAY_OK && rc != HG_REPLAY_OOM) {
		*status = hg_cli_replay_failed(rp);
		return -1;
	}
	return rc;
}
