/*
 * replay_args.c - the command line that replay and compare share.
 */
#include "replay_args.h"
#include "outfile.h"

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
