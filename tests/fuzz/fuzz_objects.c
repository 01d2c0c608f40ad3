/*
 * fuzz_objects.c - libFuzzer target for the model's object layer: the
 * bytes choose a platform, a Go preset, GOMAXPROCS, the GC and scavenger
 * pacing, a memory limit and the scavenging and page-cache switches, then
 * a sequence of object-level operations (new, del, gc, stacks, work
 * buffers, Ps, the clock, the background scavenger's goroutine, the Ps
 * running, scavenges, marks);
 * every operation is applied through the replay pipeline with the
 * invariant checker after each. A checker failure or a crash is a bug.
 */
#include "hg_core.h"
#include "fuzz_input.h"
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct gen {
	struct input in;
	unsigned steps, procs;
	uint64_t now; /* the clock, nanoseconds */
	char id[8];
};

/* An object size: mostly small, some large, a few huge. */
static uint64_t take_obj_size(struct input *in)
{
	unsigned a = take(in), b = take(in);

	switch (a % 8) {
	case 0:
	case 1:
	case 2:
		return b % 16 + 1; /* tiny */
	case 3:
	case 4:
		return (uint64_t)b * 16 + take(in) % 16 + 1;
	case 5:
		return ((uint64_t)b << 8 | take(in)) % 32768 + 1;
	case 6:
		return ((uint64_t)b + 1) * 8192 + take(in);
	default:
		return ((uint64_t)(b % 16) + 1) << 20;
	}
}

static int gen_next(void *ctx, struct hg_op *op, unsigned *line, unsigned *col,
		    struct hg_diag *d)
{
	static const uint64_t stacks[] = { 2048,  4096,  8192,    16384,
					   32768, 65536, 1 << 20, 8192 };
	struct gen *g = ctx;
	struct input *in = &g->in;
	uint64_t step;
	unsigned k;

	(void)d;
	if (in->n == 0 || g->steps++ >= 600)
		return 0;
	k = take(in);
	*op = (struct hg_op){ .kind = HG_OP_MARK, .id = g->id, .text = "m" };
	switch (k % 16) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
		op->kind = HG_OP_NEW;
		snprintf(g->id, sizeof(g->id), "o%u", take(in) % 64);
		op->size = take_obj_size(in);
		op->noscan = take(in) & 1;
		break;
	case 5:
	case 6:
	case 7:
		op->kind = HG_OP_DEL;
		snprintf(g->id, sizeof(g->id), "o%u", take(in) % 64);
		op->swept = take(in) & 1;
		break;
	case 8:
		op->kind = HG_OP_GC;
		break;
	case 9:
		op->kind = HG_OP_STACKALLOC;
		snprintf(g->id, sizeof(g->id), "s%u", take(in) % 16);
		op->size = stacks[take(in) % 8];
		break;
	case 10:
		op->kind = HG_OP_STACKFREE;
		snprintf(g->id, sizeof(g->id), "s%u", take(in) % 16);
		break;
	case 11:
		op->kind = HG_OP_PROC;
		op->value = take(in) % g->procs;
		break;
	case 12:
		op->kind = HG_OP_TIME;
		step = (uint64_t)take(in) + 1;
		g->now += step * (take(in) & 1 ? 1000000 : 1000);
		op->value = g->now;
		if ((g->now / 1000) % 4 == 3) {
			/* the background scavenger's goroutine at that time */
			op->kind = HG_OP_BGSCAV;
			op->value = take(in) % 4; /* HG_BGSCAV_* */
		} else if ((g->now / 1000) % 4 == 2) {
			/* the Ps an M holds from that time on (Go's Proc
			 * events): more than one makes the background
			 * scavenger's releases pay the shootdown */
			op->kind = HG_OP_RUNNING;
			op->value = take(in) % (g->procs + 1);
		}
		break;
	case 13:
		op->kind = HG_OP_SCAVENGE;
		{
			unsigned b = take(in);
			op->all = b & 1;
			/* scavenge: goal */
			op->goal = (b & 6) == 6 && !op->all;
		}
		op->size = take_size(in);
		break;
	case 14:
		op->kind = take(in) & 1 ? HG_OP_WBUFALLOC : HG_OP_WBUFFREE;
		snprintf(g->id, sizeof(g->id), "w%u", take(in) % 4);
		op->size = 32768;
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
	static const char *const limits[] = { "off", "4M", "16M", "64M" };
	struct input in = { data, size };
	struct hg_config cfg;
	char err[256], v[16];
	unsigned procs, opt;

	take_config(&in, &cfg, err, sizeof(err));
	procs = take(&in) % 4 + 1;
	snprintf(v, sizeof(v), "%u", procs);
	hg_config_set(&cfg, "gomaxprocs", v, err, sizeof(err));
	opt = take(&in);
	hg_config_set(&cfg, "gc", opt & 1 ? "trace" : "paced", err,
		      sizeof(err));
	hg_config_set(&cfg, "scavenger_pace", opt & 2 ? "time" : "gc", err,
		      sizeof(err));
	hg_config_set(&cfg, "memory_limit", limits[(opt >> 2) % 4], err,
		      sizeof(err));
	if (opt & 16)
		hg_config_set(&cfg, "gogc", "10", err, sizeof(err));
	/* the switches of one behaviour each */
	if (opt & 32)
		hg_config_set(&cfg, "scavenger_pace", opt & 8 ? "trace" : "off",
			      err, sizeof(err));
	if (opt & 64)
		hg_config_set(&cfg, "scavenger_grow", "false", err,
			      sizeof(err));
	if (opt & 128)
		hg_config_set(&cfg, "page_cache_flush",
			      opt & 16 ? "true" : "false", err, sizeof(err));
	struct hg_replay rp;
	hg_replay_init(&rp);
	rp.check = HG_REPLAY_CHECK_FULL; /* the whole state after every event */
	rp.lenient = true; /* generated ops may name unknown or live ids */
	struct gen g = { in, 0, procs, 0, "" };
	struct hg_op_source src = { &g, gen_next, NULL };
	hg_replay_source(&rp, &src, "fuzz");
	if (hg_replay_add_lane(&rp, &cfg, NULL) == HG_REPLAY_OK &&
	    hg_replay_run(&rp) == HG_REPLAY_EINVARIANT) {
		char msg[600];
		hg_replay_message(&rp, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		abort();
	}
	hg_replay_release(&rp);
	return 0;
}
