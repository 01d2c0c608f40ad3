/*
 * fuzz_replay.c - libFuzzer target for the model: the bytes choose a
 * platform, a Go preset and a few settings, then a sequence of operations;
 * every operation is applied and the invariant checker runs after each.
 * A checker failure or a crash is a bug.
 */
#include "hg_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct input *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

/* A size with a wide spread: pages, chunks, arenas and odd bytes. */
static uint64_t take_size(struct input *in)
{
	unsigned a = take(in), b = take(in);
	switch (a % 6) {
	case 0:
		return (uint64_t)b + 1;
	case 1:
		return ((uint64_t)b + 1) * 8192;
	case 2:
		return ((uint64_t)b + 1) * 65536;
	case 3:
		return ((uint64_t)(b % 32) + 1) << 20;
	case 4:
		return ((uint64_t)(b % 8) + 1) << 26;
	default:
		return ((uint64_t)b << 8 | take(in)) + 1;
	}
}

static const char *const platforms[] = {
	"linux/amd64",   "linux/arm64", "linux/386",
	"windows/amd64", "windows/386", "js/wasm",
	"wasip1/wasm",   "plan9/386",   "plan9/amd64",
};
static const char *const versions[] = { "1.4",  "1.8",  "1.9",  "1.10", "1.13",
					"1.14", "1.16", "1.19", "1.21", "1.24",
					"1.26", "1.5",  "1.7",  "1.11", "1.12",
					"1.17", "1.20", "1.25" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct hg_config cfg;
	char err[256];
	hg_config_init(&cfg);
	hg_config_set(&cfg, "platform",
		      platforms[take(&in) %
				(sizeof(platforms) / sizeof(platforms[0]))],
		      err, sizeof(err));
	hg_config_set(
		&cfg, "go",
		versions[take(&in) % (sizeof(versions) / sizeof(versions[0]))],
		err, sizeof(err));
	unsigned flags = take(&in);
	if (flags & 1)
		hg_config_set(&cfg, "page_cache", "false", err, sizeof(err));
	if (flags & 2)
		hg_config_set(&cfg, "commit_limit", "256M", err, sizeof(err));
	if (flags & 4)
		hg_config_set(&cfg, "randomize_heap_base", "7", err,
			      sizeof(err));
	if (flags & 8)
		hg_config_set(&cfg, "phys_page_size", "64K", err, sizeof(err));
	struct hg_model *m = NULL;
	if (hg_model_new(&m, &cfg, err, sizeof(err)))
		return 0;
	char id[8];
	unsigned steps = 0;
	while (in.n > 0 && steps++ < 400) {
		unsigned k = take(&in);
		snprintf(id, sizeof(id), "%u", take(&in) % 24);
		struct hg_op op = { .kind = HG_OP_MARK, .id = id, .text = "m" };
		switch (k % 10) {
		case 0:
		case 1:
		case 2:
			op.kind = HG_OP_ALLOC;
			op.size = take_size(&in);
			break;
		case 3:
		case 4:
			op.kind = HG_OP_FREE;
			break;
		case 5:
			op.kind = HG_OP_SYSALLOC;
			op.size = take_size(&in) % (8 << 20) + 1;
			break;
		case 6:
			op.kind = HG_OP_SYSFREE;
			break;
		case 7:
			op.kind = HG_OP_SCAVENGE;
			op.all = take(&in) & 1;
			op.size = take_size(&in);
			break;
		case 8:
			op.kind = take(&in) & 1 ? HG_OP_MMAP : HG_OP_MUNMAP;
			op.size = take_size(&in) % (64 << 20) + 1;
			if (take(&in) & 1) {
				op.has_addr = true;
				op.addr = (uint64_t)take(&in) << 32 |
					  (uint64_t)take(&in) << 24;
			}
			break;
		default:
			break;
		}
		struct hg_op_result res;
		int rc = hg_model_apply(m, &op, &res, err, sizeof(err));
		if (rc == HG_ETRACE)
			continue;
		if (hg_model_check(m, err, sizeof(err))) {
			fprintf(stderr, "invariant violated after %s: %s\n",
				hg_op_name(op.kind), err);
			abort();
		}
		if (rc == HG_EOOM)
			break;
	}
	hg_model_free(m);
	return 0;
}
