/*
 * fuzz_replay.c - libFuzzer target for the model: the bytes choose a
 * platform, a Go preset and a few settings, then a sequence of operations;
 * every operation is applied through the replay pipeline, with the
 * invariant checker after each.
 * A checker failure or a crash is a bug, and so is a modeled out of memory
 * on a 64-bit sparse-arena heap (go1.11+) with no commit limit whose
 * requests, each rounded up to an arena, add up to less than a sixteenth
 * of the address space: such a heap has room, so the throw is the model's.
 */
#include "hg_core.h"
#include "fuzz_input.h"
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The operations the rest of the bytes choose, through the replay
 * pipeline as an operation source. */
struct gen {
	struct input in;
	unsigned steps;
	char id[8];
	uint64_t asked; /* bytes requested, each rounded up to 64 MiB */
};

static void asked(struct gen *g, uint64_t size)
{
	uint64_t arena = (uint64_t)64 << 20;
	g->asked += (size + arena - 1) / arena * arena;
}

static int gen_next(void *ctx, struct hg_op *op, unsigned *line, unsigned *col,
		    struct hg_diag *d)
{
	struct gen *g = ctx;
	struct input *in = &g->in;

	(void)d;
	if (in->n == 0 || g->steps++ >= 400)
		return 0;
	unsigned k = take(in);
	snprintf(g->id, sizeof(g->id), "%u", take(in) % 24);
	*op = (struct hg_op){ .kind = HG_OP_MARK, .id = g->id, .text = "m" };
	switch (k % 10) {
	case 0:
	case 1:
	case 2:
		op->kind = HG_OP_ALLOC;
		op->size = take_size(in);
		asked(g, op->size);
		break;
	case 3:
	case 4:
		op->kind = HG_OP_FREE;
		break;
	case 5:
		op->kind = HG_OP_SYSALLOC;
		op->size = take_size(in) % (8 << 20) + 1;
		asked(g, op->size);
		break;
	case 6:
		op->kind = HG_OP_SYSFREE;
		break;
	case 7:
		op->kind = HG_OP_SCAVENGE;
		{
			unsigned b = take(in);
			op->all = b & 1;
			op->goal =
				(b & 6) == 6 && !op->all; /* scavenge: goal */
		}
		op->size = take_size(in);
		break;
	case 8:
		op->kind = take(in) & 1 ? HG_OP_MMAP : HG_OP_MUNMAP;
		op->size = take_size(in) % (64 << 20) + 1;
		asked(g, op->size);
		if (take(in) & 1) {
			op->has_addr = true;
			op->addr = (uint64_t)take(in) << 32 | (uint64_t)take(in)
								      << 24;
		}
		break;
	default:
		break;
	}
	*line = g->steps;
	*col = 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct hg_config cfg;
	char err[256];
	take_config(&in, &cfg, err, sizeof(err));
	struct hg_replay rp;
	hg_replay_init(&rp);
	rp.check = HG_REPLAY_CHECK_FULL; /* the whole state after every event */
	rp.lenient = true; /* generated ops may name unknown ids */
	struct gen g = { in, 0, "", 0 };
	struct hg_op_source src = { &g, gen_next, NULL };
	hg_replay_source(&rp, &src, "fuzz");
	if (hg_replay_add_lane(&rp, &cfg, NULL) == HG_REPLAY_OK &&
	    hg_replay_run(&rp) == HG_REPLAY_EINVARIANT) {
		char msg[600];
		hg_replay_message(&rp, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		abort();
	}
	struct hg_model *m = hg_replay_model(&rp, 0);
	const struct hg_stats *st = m ? hg_model_stats(m) : NULL;
	if (st && st->oom && hg_platform_is_64bit(cfg.platform) &&
	    !hg_platform_is_sbrk(cfg.platform) &&
	    hg_config_go_minor(&cfg) >= 11 && cfg.commit_limit == 0 &&
	    cfg.address_bits < 64 &&
	    g.asked < ((uint64_t)1 << cfg.address_bits) / 16) {
		fprintf(stderr,
			"modeled out of memory at event %llu with %llu bytes "
			"asked of a %u-bit address space: %s\n",
			(unsigned long long)st->oom_event,
			(unsigned long long)g.asked, cfg.address_bits,
			st->oom_message);
		abort();
	}
	hg_replay_release(&rp);
	return 0;
}
