/*
 * fuzz_gotrace.c - libFuzzer target for the go-trace importer
 * (traces/import_gotrace.c). The bytes are read as they are and, behind a
 * Go trace header (go 1.23, 1.25 or 1.26, by the input's length), as the
 * body of a trace. Whatever the input: every error has a message, every op
 * a position, and the op stream is consistent (no `new` of a live id, no
 * `del` of an id that is not live, the same for stacks and spans). A trace
 * that reads cleanly is written in the compact format and read back: the
 * ops must come back the same.
 */
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SET_BITS 14
#define SET_CAP (1u << SET_BITS)

/* A set of ids (open addressing; a deleted slot keeps a tombstone). */
struct idset {
	char id[SET_CAP][24];
	unsigned char state[SET_CAP]; /* 0 empty, 1 used, 2 deleted */
	size_t n;
	bool full; /* an id not followed (the set half full): a free of an
		    * id not in the set is then no longer a bug */
};

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

/* set_find returns the slot of id, or of where it would go (-1 full). */
static long set_find(struct idset *s, const char *id, bool *found)
{
	size_t i = (size_t)fnv(UINT64_C(0xcbf29ce484222325), id, strlen(id)) &
		   (SET_CAP - 1);
	long free_slot = -1;
	size_t k;

	*found = false;
	for (k = 0; k < SET_CAP; k++, i = (i + 1) & (SET_CAP - 1)) {
		if (s->state[i] == 0)
			return free_slot >= 0 ? free_slot : (long)i;
		if (s->state[i] == 2) {
			if (free_slot < 0)
				free_slot = (long)i;
		} else if (strcmp(s->id[i], id) == 0) {
			*found = true;
			return (long)i;
		}
	}
	return free_slot;
}

/* track applies an op to the live sets; aborts on an inconsistency. */
static void track(struct idset *objs, struct idset *stacks, struct idset *spans,
		  const struct hg_op *op)
{
	struct idset *s;
	bool found, add;
	long at;

	switch (op->kind) {
	case HG_OP_ALLOC:
		s = spans, add = true;
		break;
	case HG_OP_FREE:
		s = spans, add = false;
		break;
	case HG_OP_NEW:
		s = objs, add = true;
		break;
	case HG_OP_DEL:
		s = objs, add = false;
		break;
	case HG_OP_STACKALLOC:
		s = stacks, add = true;
		break;
	case HG_OP_STACKFREE:
		s = stacks, add = false;
		break;
	default:
		return;
	}
	if (!op->id || strlen(op->id) >= sizeof(s->id[0]))
		abort();
	at = set_find(s, op->id, &found);
	if (add) {
		if (found)
			abort(); /* a live id allocated again */
		if (at < 0 || s->n + 1 >= SET_CAP / 2) {
			s->full = true; /* too many to follow */
			return;
		}
		snprintf(s->id[at], sizeof(s->id[at]), "%s", op->id);
		s->state[at] = 1;
		s->n++;
	} else {
		if (!found) {
			if (s->full)
				return;
			abort(); /* an id freed that is not live */
		}
		s->state[at] = 2;
		s->n--;
	}
}

static uint64_t op_hash(uint64_t h, const struct hg_op *op)
{
	h = fnv(h, &op->kind, sizeof(op->kind));
	if (op->id)
		h = fnv(h, op->id, strlen(op->id) + 1);
	h = fnv(h, &op->size, sizeof(op->size));
	h = fnv(h, &op->addr, sizeof(op->addr));
	h = fnv(h, &op->has_addr, sizeof(op->has_addr));
	h = fnv(h, &op->noscan, sizeof(op->noscan));
	h = fnv(h, &op->value, sizeof(op->value));
	if (op->text)
		h = fnv(h, op->text, strlen(op->text));
	return h;
}

static struct idset objs_set, stacks_set, spans_set;

/* read_all reads every op; 0 when the trace read cleanly. */
static int read_all(const void *data, size_t size, bool check, uint64_t *hash,
		    size_t *count)
{
	struct hg_trace_reader *r;
	struct hg_diag d;
	struct hg_op op;
	unsigned line, col;
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t n = 0;
	int rc;

	if (check) {
		memset(&objs_set, 0, sizeof(objs_set));
		memset(&stacks_set, 0, sizeof(stacks_set));
		memset(&spans_set, 0, sizeof(spans_set));
	}
	if (hg_trace_open_mem(&r, data, size, "fuzz", &d) < 0) {
		if (!d.msg[0])
			abort();
		return -1;
	}
	/* The importer's own promises (ids live as it hands them out): a
	 * mutated input can be another format, whose ids the model checks. */
	if (hg_trace_info(r)->format != HG_FMT_GOTRACE)
		check = false;
	while ((rc = hg_trace_next(r, &op, &line, &col, &d)) > 0) {
		if (op.kind >= HG_OP_COUNT)
			abort();
		if (check) {
			if (!line)
				abort(); /* every op has its byte offset */
			track(&objs_set, &stacks_set, &spans_set, &op);
		}
		h = op_hash(h, &op);
		n++;
	}
	if (rc < 0 && !d.msg[0])
		abort();
	hg_trace_close(r);
	*hash = h;
	*count = n;
	return rc;
}

static void round_trip(const void *data, size_t size, uint64_t hash,
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
	int rc;

	f = open_memstream(&buf, &len);
	if (!f)
		return;
	if (hg_trace_open_mem(&r, data, size, "fuzz", &d) < 0)
		abort();
	/* The importer's promise; another format's settings are checked
	 * when they are applied (fuzz_trace reads those). */
	if (hg_trace_info(r)->format != HG_FMT_GOTRACE) {
		hg_trace_close(r);
		fclose(f);
		free(buf);
		return;
	}
	if (hg_trace_writer_open(&w, f, HG_FMT_COMPACT, false, hg_trace_info(r),
				 &d) < 0)
		abort();
	while ((rc = hg_trace_next(r, &op, &line, &col, &d)) > 0)
		if (hg_trace_write(w, &op) < 0)
			abort(); /* every op the importer gives is writable */
	hg_trace_close(r);
	if (rc < 0 || hg_trace_writer_close(w) < 0)
		abort();
	fclose(f);
	if (read_all(buf, len, false, &h2, &n2) < 0 || h2 != hash ||
	    n2 != count) {
		fprintf(stderr, "round trip changed the trace:\n%.*s\n",
			(int)len, buf);
		abort();
	}
	free(buf);
}

static void one(const void *data, size_t size)
{
	uint64_t hash;
	size_t count;

	if (read_all(data, size, true, &hash, &count) == 0)
		round_trip(data, size, hash, count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const headers[] = { "go 1.23 trace", "go 1.25 trace",
					       "go 1.26 trace" };
	unsigned char *t;

	one(data, size);
	if (size >= 5 && memcmp(data, "go 1.", 5) == 0)
		return 0;
	t = malloc(size + 16);
	if (!t)
		return 0;
	memcpy(t, headers[size % 3], 13);
	memset(t + 13, 0, 3);
	if (size)
		memcpy(t + 16, data, size);
	one(t, size + 16);
	free(t);
	return 0;
}
