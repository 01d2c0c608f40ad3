/*
 * fuzz_fault.c - libFuzzer target for the model's OS failure paths. The
 * bytes are read as fuzz_replay.c reads them (a platform, a Go preset, a
 * few settings, then operations), so its corpus serves both. The
 * operations are replayed once over a backend that wraps the platform's
 * (hg_os.h, as tests/unit/test_fault.c does) to count the OS calls of each
 * kind, then once for each of those calls with that one call failing.
 * From the failure on, the invariant checker runs after every event. A
 * broken invariant, a throw without its message, an error that is not the
 * generated trace's own (unknown or live ids), or a crash is a bug.
 */
#include "hg_core.h"
#include "fuzz_input.h"
#include "hg_os.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ------------------------------------------------------------------ */
/* The failing backend                                                 */
/* ------------------------------------------------------------------ */

enum { F_RESERVE, F_MAP, F_USED, F_ALLOC, F_SBRK, F_GROW, F_N };

struct fault {
	const struct hg_os_ops *base;
	unsigned long calls[F_N];
	int kind;
	unsigned long at;
	bool fired;
};

static bool hit(struct hg_os *os, int k)
{
	struct fault *f = hg_os_arg(os);
	if (++f->calls[k] == f->at && f->kind == k) {
		f->fired = true;
		return true;
	}
	return false;
}

static const struct hg_os_ops *base(struct hg_os *os)
{
	return ((struct fault *)hg_os_arg(os))->base;
}

static hg_addr f_reserve(struct hg_os *os, hg_addr hint, uint64_t n)
{
	return hit(os, F_RESERVE) ? 0 : base(os)->reserve(os, hint, n);
}

static int f_map(struct hg_os *os, hg_addr v, uint64_t n)
{
	return hit(os, F_MAP) ? HG_EOOM : base(os)->map(os, v, n);
}

static int f_used(struct hg_os *os, hg_addr v, uint64_t n, uint64_t prep)
{
	return hit(os, F_USED) ? HG_EOOM : base(os)->used(os, v, n, prep);
}

static hg_addr f_alloc(struct hg_os *os, uint64_t n)
{
	return hit(os, F_ALLOC) ? 0 : base(os)->alloc(os, n);
}

static int f_brk(struct hg_os *os, hg_addr addr)
{
	return hit(os, F_SBRK) ? HG_EOOM : base(os)->brk(os, addr);
}

static int f_grow(struct hg_os *os, uint64_t pages)
{
	return hit(os, F_GROW) ? HG_EOOM : base(os)->grow_memory(os, pages);
}

static const struct hg_os_ops fault_ops = {
	.name = "fault",
	.reserve = f_reserve,
	.map = f_map,
	.used = f_used,
	.alloc = f_alloc,
	.brk = f_brk,
	.grow_memory = f_grow,
};

/* ------------------------------------------------------------------ */
/* Inputs                                                              */
/* ------------------------------------------------------------------ */

/* The operations of one input, read once. */
#define MAX_OPS 400
struct ops {
	struct hg_op op[MAX_OPS];
	char id[MAX_OPS][8];
	size_t n;
};

/* The next operation (ids from a small set, so they collide). */
static bool next_op(struct input *in, struct hg_op *op, char *id, size_t idlen)
{
	if (in->n == 0)
		return false;
	unsigned k = take(in);
	snprintf(id, idlen, "%u", take(in) % 24);
	*op = (struct hg_op){ .kind = HG_OP_MARK, .id = id, .text = "m" };
	switch (k % 10) {
	case 0:
	case 1:
	case 2:
		op->kind = HG_OP_ALLOC;
		op->size = take_size(in);
		break;
	case 3:
	case 4:
		op->kind = HG_OP_FREE;
		break;
	case 5:
		op->kind = HG_OP_SYSALLOC;
		op->size = take_size(in) % (8 << 20) + 1;
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
		if (take(in) & 1) {
			op->has_addr = true;
			op->addr = (uint64_t)take(in) << 32 | (uint64_t)take(in)
								      << 24;
		}
		break;
	default:
		break;
	}
	return true;
}

static void bug(const struct fault *f, const char *what, const char *err)
{
	fprintf(stderr, "fuzz_fault: call %lu of kind %d failing: %s: %s\n",
		f->at, f->kind, what, err);
	abort();
}

/* One replay of ops with f's failure (kind -1: none). */
static void replay(const struct hg_config *cfg, const struct ops *ops,
		   struct fault *f)
{
	struct hg_model_opts opts = { &fault_ops, f, false };
	struct hg_model *m = NULL;
	char err[512] = "";
	int rc = hg_model_new_with(&m, cfg, &opts, err, sizeof(err));
	if (rc != HG_OK) {
		if (err[0] == 0)
			bug(f, "the model failed to start without a message",
			    "");
		return;
	}
	for (size_t i = 0; i < ops->n; i++) {
		rc = hg_model_apply(m, &ops->op[i], NULL, err, sizeof(err));
		if (rc == HG_EOOM) {
			if (err[0] == 0 || !hg_model_stats(m)->oom_message[0])
				bug(f, "a throw without its message", err);
		} else if (rc != HG_OK && rc != HG_ETRACE) {
			bug(f, hg_strerror(rc), err);
		}
		if (f->fired && hg_model_check(m, err, sizeof(err)) != HG_OK)
			bug(f, "hg_model_check after the failure", err);
		if (rc == HG_EOOM)
			break;
	}
	if (hg_model_check(m, err, sizeof(err)) != HG_OK)
		bug(f, "hg_model_check at the end", err);
	hg_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct hg_config cfg;
	char err[256] = "";

	take_config(&in, &cfg, err, sizeof(err));
	if (hg_config_check(&cfg, err, sizeof(err)) != HG_OK)
		return 0;
	static struct ops ops;
	ops.n = 0;
	while (ops.n < MAX_OPS &&
	       next_op(&in, &ops.op[ops.n], ops.id[ops.n], sizeof(ops.id[0])))
		ops.n++;

	struct fault clean = {
		hg_os_platform_ops(cfg.platform), { 0 }, -1, 0, false
	};
	replay(&cfg, &ops, &clean);
	for (int k = 0; k < F_N; k++) {
		for (unsigned long at = 1; at <= clean.calls[k]; at++) {
			struct fault f = { clean.base, { 0 }, k, at, false };
			replay(&cfg, &ops, &f);
			if (!f.fired)
				bug(&f, "the failing call never happened", "");
		}
	}
	return 0;
}
