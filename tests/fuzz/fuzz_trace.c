/*
 * fuzz_trace.c - libFuzzer target for libhgtrace: the bytes are read as a
 * trace (format detection, gzip, YAML and compact) and as a config file.
 * A trace that reads cleanly is also written back in both formats and
 * read again: the events must come back the same.
 */
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fnv mixes bytes into a running FNV-1a hash. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static uint64_t op_hash(uint64_t h, const struct hg_op *op)
{
	const char *t = op->text;
	size_t n;

	h = fnv(h, &op->kind, sizeof(op->kind));
	if (op->id)
		h = fnv(h, op->id, strlen(op->id) + 1);
	h = fnv(h, &op->size, sizeof(op->size));
	h = fnv(h, &op->addr, sizeof(op->addr));
	h = fnv(h, &op->has_addr, sizeof(op->has_addr));
	h = fnv(h, &op->all, sizeof(op->all));
	h = fnv(h, &op->goal, sizeof(op->goal));
	if (t) {
		/* The compact format trims blanks around a mark's text. */
		while (*t == ' ' || *t == '\t')
			t++;
		n = strlen(t);
		while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			n--;
		h = fnv(h, t, n);
	}
	return h;
}

/* read_all reads every op; returns 0 and the hash and count if clean. */
static int read_all(const void *data, size_t size, uint64_t *hash,
		    size_t *count, struct hg_trace_reader **keep)
{
	struct hg_trace_reader *r;
	struct hg_diag d;
	struct hg_op op;
	unsigned line, col;
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t n = 0;
	int rc;

	if (hg_trace_open_mem(&r, data, size, "fuzz", &d) < 0) {
		if (!d.msg[0])
			abort(); /* every error has a message */
		return -1;
	}
	while ((rc = hg_trace_next(r, &op, &line, &col, &d)) > 0) {
		/* every op has a position (a Go trace's: its byte offset) */
		if (!line ||
		    (!col && hg_trace_info(r)->format != HG_FMT_GOTRACE))
			abort();
		if (op.kind >= HG_OP_COUNT)
			abort();
		h = op_hash(h, &op);
		n++;
	}
	if (rc < 0 && !d.msg[0])
		abort();
	*hash = h;
	*count = n;
	if (keep && rc == 0) {
		*keep = r;
		return 0;
	}
	hg_trace_close(r);
	return rc;
}

/* round_trip writes the trace in fmt and checks that it reads back. */
static void round_trip(const uint8_t *data, size_t size,
		       const struct hg_trace_info *info,
		       enum hg_trace_format fmt, bool gz, uint64_t hash,
		       size_t count)
{
	struct hg_trace_reader *r;
	struct hg_trace_writer *w;
	struct hg_diag d;
	struct hg_op op;
	unsigned line, col;
	char *buf = NULL;
	size_t len = 0, n2;
	uint64_t h2;
	FILE *f;
	int rc = 0;

	f = open_memstream(&buf, &len);
	if (!f)
		return;
	if (hg_trace_writer_open(&w, f, fmt, gz, info, &d) < 0) {
		fclose(f);
		free(buf);
		return;
	}
	if (hg_trace_open_mem(&r, data, size, "fuzz", &d) < 0)
		abort();
	while ((rc = hg_trace_next(r, &op, &line, &col, &d)) > 0) {
		if (hg_trace_write(w, &op) < 0)
			break;
	}
	hg_trace_close(r);
	if (hg_trace_writer_close(w) < 0 || rc > 0) {
		fclose(f);
		free(buf);
		return;
	}
	fclose(f);
	if (read_all(buf, len, &h2, &n2, NULL) < 0 || h2 != hash ||
	    n2 != count) {
		fprintf(stderr,
			"round trip (format %d, gzip %d) changed the "
			"trace:\n%.*s\n",
			(int)fmt, (int)gz, (int)len, buf);
		abort();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_trace_reader *r = NULL;
	struct hg_setting *set;
	struct hg_diag d;
	uint64_t hash;
	size_t count, n;

	if (read_all(data, size, &hash, &count, &r) == 0) {
		const struct hg_trace_info *info = hg_trace_info(r);

		round_trip(data, size, info, HG_FMT_YAML, false, hash, count);
		round_trip(data, size, info, HG_FMT_COMPACT, size & 1, hash,
			   count);
		hg_trace_close(r);
	}
	if (hg_config_load_mem(data, size, "fuzz", &set, &n, &d) == 0)
		free(set);
	else if (!d.msg[0])
		abort();
	return 0;
}
