/*
 * replay_args.h - the command line that replay and compare share: one
 * TRACE argument, the settings options and the picture options.
 */
#ifndef HG_CLI_REPLAY_ARGS_H
#define HG_CLI_REPLAY_ARGS_H

#include "opt.h"
#include "pictures.h"
#include "progress.h"
#include "replay.h"
#include "settings.h"

struct hg_replay_args {
	const char *trace;           /* TRACE as given, or NULL */
	struct hg_cli_settings opts; /* -c and the settings options, in order */
	struct hg_pictures pics;     /* -o, --timeline, --at */
};

void hg_replay_args_init(struct hg_replay_args *a);
void hg_replay_args_release(struct hg_replay_args *a);

/*
 * hg_replay_args_next is hg_opt_next for such a command: it keeps the
 * trace, the settings and the picture options itself, and returns the
 * command's own option ids, HG_OPT_END, or HG_OPT_EXIT with *status set
 * (0 after the help, HG_EXIT_USAGE after a usage error).
 */
int hg_replay_args_next(struct hg_replay_args *a, struct hg_opt_parser *p,
			const char **arg, int *status);

/* hg_cli_replay_failed reports rp's error; returns its exit status. */
int hg_cli_replay_failed(const struct hg_replay *rp);

/*
 * hg_cli_replay_run replays rp to its end with the progress line prog
 * (attached), then ends the line: returns HG_REPLAY_OK or HG_REPLAY_OOM,
 * or after reporting another end, -1 with its exit status in *status.
 */
int hg_cli_replay_run(struct hg_replay *rp, struct hg_progress *prog,
		      int *status);

#endif /* HG_CLI_REPLAY_ARGS_H */
