/*
 * fuzz_import.c - libFuzzer target for the go-allocfreetrace and mtrace
 * importers (traces/import_text.c). The bytes are read as they are
 * (recognised by content) and as each of the two formats. Whatever the
 * input: every error has a message and a line, every op a position, only
 * new, del, gc, mark, stackalloc, stackfree, wbufalloc and proc come out, a
 * new carries its address as its id ("0x...") and addr, a del is swept
 * for a Go log and not for mtrace, and the op stream is consistent (no
 * new of a live id, no del of an id that is not live, and the same of
 * stacks). A log that reads cleanly is
 * written in the compact format and read back: the ops must come back the
 * same.
 */
#include "trace.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SET_BITS 14
#define SET_CAP (1u << SET_BITS)

/* The live addresses (open addressing; 0 = empty, ~0 = deleted). */
static uint64_t live[SET_CAP];
static size_t nlive;
/* Set once an allocation could not be followed (the set half full): a
 * free of an address not in the set is then no longer a bug. */
static bool overflowed;

static size_t slot_of(uint64_t a)
{
	return (size_t)((a * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - SET_BITS));
}

/* live_find returns the slot of a, or where it would go (-1: full). */
static long live_find(uint64_t a, bool *found)
{
	size_t i = slot_of(a), k;
	long tomb = -1;

	*found = false;
	for (k = 0; k < SET_CAP; k++, i = (i + 1) & (SET_CAP - 1)) {
		if (live[i] == 0)
			return tomb >= 0 ? tomb : (long)i;
		if (live[i] == UINT64_MAX) {
			if (tomb < 0)
				tomb = (long)i;
		} else if (live[i] == a) {
			*found = true;
			return (long)i;
		}
	}
	return tomb;
}

static uint64_t id_addr(const char *id)
{
	char *end;
	uint64_t a;

	if (!id || strncmp(id, "0x", 2) != 0 || !id[2])
		abort();
	a = strtoull(id + 2, &end, 16);
	if (*end || a == 0 || a == UINT64_MAX)
		abort(); /* ids are the addresses, in hex */
	return a;
}

/* stack_key: the live set's key of stack id "gstackN" (N with the top
 * bit set, no address) */
static uint64_t stack_key(const char *id)
{
	char *end;
	uint64_t n;

	if (!id || strncmp(id, "gstack", 6) != 0 || id[6] < '0' || id[6] > '9')
		abort();
	n = strtoull(id + 6, &end, 10);
	if (*end || n >= (UINT64_C(1) << 62))
		abort();
	return n | (UINT64_C(1) << 63);
}

static void track(const struct hg_op *op, bool mtrace)
{
	uint64_t a;
	bool found;
	long at;

	switch (op->kind) {
	case HG_OP_NEW:
		/* a Go log's ENV lines: the environment's copy, no address */
		if (op->id && strncmp(op->id, "runtime.envs", 12) == 0) {
			if (mtrace || op->has_addr)
				abort();
			return;
		}
		a = id_addr(op->id);
		if (!op->has_addr || op->addr != a || !op->size)
			abort();
		at = live_find(a, &found);
		if (found)
			abort(); /* a live object allocated again */
		if (at >= 0 && nlive + 1 < SET_CAP / 2) {
			live[at] = a;
			nlive++;
		} else {
			overflowed = true;
		}
		return;
	case HG_OP_DEL:
		/* A Go log's frees are the sweeper's; a C program's are not. */
		if (op->swept == mtrace)
			abort();
		a = id_addr(op->id);
		at = live_find(a, &found);
		if (!found) {
			if (overflowed)
				return; /* stopped following */
			abort(); /* a del of an object that is not live */
		}
		live[at] = UINT64_MAX;
		nlive--;
		return;
	case HG_OP_GC:
		return;
	case HG_OP_SCAVENGE:
		/* a Go log's debug.FreeOSMemory: scavenge all, after its gc;
		 * or a run of its background scavenger: scavenge goal */
		if (mtrace || op->all == op->goal)
			abort();
		return;
	case HG_OP_STACKALLOC:
		/* a Go log's runtime.g: its stack, 2, 8 or 32 KiB; a stack a
		 * traceback shows, a power of two from 2 KiB to 1 GiB, at an
		 * address that is a multiple of 2 KiB if recorded; a new id */
		if (mtrace || (op->size & (op->size - 1)) || op->size < 2048 ||
		    op->size > (UINT64_C(1) << 30) ||
		    (op->has_addr && (op->addr & 2047)))
			abort();
		a = stack_key(op->id);
		at = live_find(a, &found);
		if (found)
			abort();
		if (at >= 0 && nlive + 1 < SET_CAP / 2) {
			live[at] = a;
			nlive++;
		} else {
			overflowed = true;
		}
		return;
	case HG_OP_WBUFALLOC:
		/* a Go log's first cycle: the GC's work buffers */
		if (mtrace || !op->id || strcmp(op->id, "runtime.wbufs") != 0 ||
		    op->size != 32768)
			abort();
		return;
	case HG_OP_STACKFREE:
		/* the main goroutine's old stack, a grown or shrunk
		 * goroutine's old one, a dead goroutine's: a live stack */
		if (mtrace)
			abort();
		a = stack_key(op->id);
		at = live_find(a, &found);
		if (!found) {
			if (overflowed)
				return; /* stopped following */
			abort();
		}
		live[at] = UINT64_MAX;
		nlive--;
		return;
	case HG_OP_PROC:
		/* a Go log's P, from its page-cache blocks: one of the log's
		 * runtime.p allocations */
		if (mtrace || op->value >= 256)
			abort();
		return;
	case HG_OP_MARK:
		if (!op->text || !op->text[0] || strpbrk(op->text, "\r\n"))
			abort();
		return;
	default:
		abort(); /* nothing else comes out of these logs */
	}
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
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
	h = fnv(h, &op->swept, sizeof(op->swept));
	if (op->text)
		h = fnv(h, op->text, strlen(op->text));
	return h;
}

/* read_all reads every op as format; 0 when the log read cleanly. */
static int read_all(const void *data, size_t size, int format, bool check,
		    uint64_t *hash, size_t *count)
{
	struct hg_trace_reader *r;
	struct hg_diag d;
	struct hg_op op;
	unsigned line, col;
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t n = 0;
	int rc;
	bool text;

	if (hg_trace_open_mem_as(&r, data, size, "fuzz", format, &d) < 0) {
		if (!d.msg[0])
			abort(); /* every error has a message */
		return -1;
	}
	text = hg_trace_info(r)->format == HG_FMT_GO_ALLOCFREETRACE ||
	       hg_trace_info(r)->format == HG_FMT_MTRACE;
	if (check) {
		memset(live, 0, sizeof(live));
		nlive = 0;
		overflowed = false;
	}
	while ((rc = hg_trace_next(r, &op, &line, &col, &d)) > 0) {
		if (op.kind >= HG_OP_COUNT || !line || !col)
			abort(); /* every op has a position */
		if (check && text)
			track(&op, hg_trace_info(r)->format == HG_FMT_MTRACE);
		h = op_hash(h, &op);
		n++;
	}
	/* An importer's error says where (an empty log has no line). */
	if (rc < 0 &&
	    (!d.msg[0] || (text && !d.line && !strstr(d.msg, "no tracealloc"))))
		abort();
	if (rc == 0 && text) {
		struct hg_diag w;

		if (hg_trace_warning(r, &w) && (!w.line || !w.msg[0]))
			abort();
	}
	hg_trace_close(r);
	*hash = h;
	*count = n;
	return rc;
}

static void round_trip(const void *data, size_t size, int format, uint64_t hash,
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
	if (hg_trace_open_mem_as(&r, data, size, "fuzz", format, &d) < 0)
		abort();
	if (hg_trace_writer_open(&w, f, HG_FMT_COMPACT, false, hg_trace_info(r),
				 &d) < 0)
		abort();
	while ((rc = hg_trace_next(r, &op, &line, &col, &d)) > 0)
		if (hg_trace_write(w, &op) < 0)
			abort(); /* every op the importers give is writable */
	hg_trace_close(r);
	if (rc < 0 || hg_trace_writer_close(w) < 0)
		abort();
	fclose(f);
	if (read_all(buf, len, HG_FMT_COMPACT, false, &h2, &n2) < 0 ||
	    h2 != hash || n2 != count) {
		fprintf(stderr, "round trip changed the log:\n%.*s\n", (int)len,
			buf);
		abort();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int formats[] = { HG_FMT_AUTO, HG_FMT_GO_ALLOCFREETRACE,
				       HG_FMT_MTRACE };

	for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
		uint64_t hash;
		size_t count;
		struct hg_trace_reader *r;
		struct hg_diag d;
		bool text = false;

		if (read_all(data, size, formats[k], true, &hash, &count) != 0)
			continue;
		/* Only the importers' logs go round (the other formats have
		 * their own targets). */
		if (hg_trace_open_mem_as(&r, data, size, "fuzz", formats[k],
					 &d) == 0) {
			enum hg_trace_format f = hg_trace_info(r)->format;

			text = f == HG_FMT_GO_ALLOCFREETRACE ||
			       f == HG_FMT_MTRACE;
			hg_trace_close(r);
		}
		if (text)
			round_trip(data, size, formats[k], hash, count);
	}
	return 0;
}
