/*
 * import_gotrace.c - the go-trace format: a Go execution trace (the format
 * of Go 1.23 to 1.27, headers "go 1.23 trace", "go 1.25 trace" and
 * "go 1.26 trace") recorded with GODEBUG=traceallocfree=1, read without a
 * Go toolchain and turned into heapgrow ops (share/doc/trace-format.md,
 * "Go execution traces").
 *
 * The wire format (Go: internal/trace/tracev2, internal/trace batch.go,
 * generation.go, batchcursor.go; runtime traceallocfree.go, tracebuf.go):
 * a 16-byte header, then generations. A generation is a run of batches: per
 * M event batches (an event type byte, then uvarint arguments, the first a
 * timestamp delta from the previous event of the batch, the batch header
 * giving the base), the string and stack tables, the sync batch (the
 * timestamp frequency), experimental batches (the AllocFree info batch:
 * minPageHeapAddr, page size, minimum heap and stack alignment). Go 1.26
 * ends a generation with an EndOfGeneration byte; older traces end it with
 * the first batch of the next generation.
 *
 * A generation is read whole before any of its events is handled: the
 * strings its trace.Log events name and its frequency may come after its
 * events. Then the events of all Ms are merged in the order they took
 * effect (ties by the order the Ms first appear): an allocation at its
 * timestamp, a free (a swept object's, a stack's or a span's) at its M's
 * next event that is not one of the same span's frees, or when the world
 * stops (see next_event), or when another M allocates that memory (see
 * freer). Memory is one generation's batches plus the live tables (heap
 * spans with a bit per object slot, goroutine stacks, the P and goroutine
 * of each M). What bounds a generation: the runtime starts a new one about
 * every second (Go: traceAdvancePeriod) and when tracing stops, and no
 * batch exceeds 64 KiB (Go: MaxBatchSize); a generation of more than
 * GT_MAX_GEN bytes is refused as an input error.
 *
 * Errors give the byte offset in the (decompressed) trace in the line
 * field of struct hg_diag: "FILE:OFFSET: message".
 */
#include "trace_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define GT_HEADER_LEN 16
#define GT_MAX_BATCH (64u * 1024u)   /* Go: tracev2.MaxBatchSize */
#define GT_MAX_STRING 1024u          /* Go: MaxEventTrailerDataSize */
#define GT_MAX_FRAMES 128u           /* Go: MaxFramesPerStack */
#define GT_MAX_GEN ((size_t)1 << 30) /* refused beyond: 1 GiB */
#define GT_PAGE_SIZE 8192u           /* the model's runtime page */
#define GT_NO_P UINT64_MAX
#define GT_NO_G UINT64_MAX
#define GT_MAX_GAP ((uint64_t)64 << 20) /* a hole held: one arena at most */
#define GT_WPEND 16 /* manual spans waiting for their M's next event */
#define GT_LOW_HEAP ((uint64_t)1 << 32)
#define GT_GAP_PIECE ((uint64_t)15 * GT_PAGE_SIZE) /* a page cache's span */
/* emit `time` when the clock moved 10 us: finer than the 70 us the model
 * takes sysmon to wake the background scavenger at the sweep's end */
#define GT_TIME_STEP 10000u
/* Events read past a stop in mallocgc on each M, at most; all the stops
 * of a generation read no more events than it has bytes (look_left). */
#define GT_STOP_LOOK 1024

/* Event types (Go: tracev2 events.go). */
enum {
	EV_EVENT_BATCH = 1,
	EV_STACKS = 2,
	EV_STACK = 3,
	EV_STRINGS = 4,
	EV_STRING = 5,
	EV_CPU_SAMPLES = 6,
	EV_CPU_SAMPLE = 7,
	EV_FREQUENCY = 8,
	EV_PROCS_CHANGE = 9,
	EV_PROC_START = 10,
	EV_PROC_STOP = 11,
	EV_PROC_STEAL = 12,
	EV_PROC_STATUS = 13,
	EV_GO_START = 16,
	EV_GO_STOP = 19,
	EV_GO_BLOCK = 20,
	EV_GO_DESTROY = 17,
	EV_GO_STATUS = 25,
	EV_GO_SWITCH = 45,
	EV_GO_SWITCH_DESTROY = 46,
	EV_STW_BEGIN = 26,
	EV_STW_END = 27,
	EV_GC_BEGIN = 29,
	EV_GC_END = 30,
	EV_HEAP_ALLOC = 37,
	EV_HEAP_GOAL = 38,
	EV_USER_LOG = 44,
	EV_GO_STATUS_STACK = 48,
	EV_LAST_TIMED = 48, /* GoStatusStack */
	EV_EXPERIMENTAL_BATCH = 49,
	EV_SYNC = 50,
	EV_CLOCK_SNAPSHOT = 51,
	EV_END_OF_GENERATION = 52,
	/* AllocFree experiment */
	EV_SPAN = 128,
	EV_SPAN_ALLOC = 129,
	EV_SPAN_FREE = 130,
	EV_HEAP_OBJECT = 131,
	EV_HEAP_OBJECT_ALLOC = 132,
	EV_HEAP_OBJECT_FREE = 133,
	EV_GOROUTINE_STACK = 134,
	EV_GOROUTINE_STACK_ALLOC = 135,
	EV_GOROUTINE_STACK_FREE = 136,
};

#define EXP_ALLOC_FREE 1 /* Go: tracev2.AllocFree */
#define AF_INFO_BATCH 1  /* Go: traceAllocFreeInfoBatch */
#define PROC_RUNNING 1   /* Go: tracev2.ProcRunning */
#define MAX_ARGS 5       /* Go: MaxTimedEventArgs */

/* Number of arguments (the timestamp delta included) of each timed event
 * of a plain event batch, 0 for a type that cannot appear there. */
static const unsigned char nargs_base[EV_LAST_TIMED + 1] = {
	[9] = 3,  /* ProcsChange */
	[10] = 3, /* ProcStart */
	[11] = 1, /* ProcStop */
	[12] = 4, /* ProcSteal */
	[13] = 3, /* ProcStatus */
	[14] = 4, /* GoCreate */
	[15] = 2, /* GoCreateSyscall */
	[16] = 3, /* GoStart */
	[17] = 1, /* GoDestroy */
	[18] = 1, /* GoDestroySyscall */
	[19] = 3, /* GoStop */
	[20] = 3, /* GoBlock */
	[21] = 4, /* GoUnblock */
	[22] = 3, /* GoSyscallBegin */
	[23] = 1, /* GoSyscallEnd */
	[24] = 1, /* GoSyscallEndBlocked */
	[25] = 4, /* GoStatus */
	[26] = 3, /* STWBegin */
	[27] = 1, /* STWEnd */
	[28] = 2, /* GCActive */
	[29] = 3, /* GCBegin */
	[30] = 2, /* GCEnd */
	[31] = 2, /* GCSweepActive */
	[32] = 2, /* GCSweepBegin */
	[33] = 3, /* GCSweepEnd */
	[34] = 2, /* GCMarkAssistActive */
	[35] = 2, /* GCMarkAssistBegin */
	[36] = 1, /* GCMarkAssistEnd */
	[37] = 2, /* HeapAlloc */
	[38] = 2, /* HeapGoal */
	[39] = 2, /* GoLabel */
	[40] = 5, /* UserTaskBegin */
	[41] = 3, /* UserTaskEnd */
	[42] = 4, /* UserRegionBegin */
	[43] = 4, /* UserRegionEnd */
	[44] = 5, /* UserLog */
	[45] = 3, /* GoSwitch */
	[46] = 3, /* GoSwitchDestroy */
	[47] = 4, /* GoCreateBlocked */
	[48] = 5, /* GoStatusStack */
};

static const unsigned char nargs_exp[9] = {
	4, 4, 2, /* Span, SpanAlloc, SpanFree */
	3, 3, 2, /* HeapObject, HeapObjectAlloc, HeapObjectFree */
	3, 3, 2, /* GoroutineStack, GoroutineStackAlloc, GoroutineStackFree */
};

/* Go's size classes, unchanged from go1.23 to go1.27 (Go: class_to_size in
 * runtime/sizeclasses.go, SizeClassToSize in internal/runtime/gc). */
#define GT_NUM_CLASSES 68
static const uint16_t class_to_size[GT_NUM_CLASSES] = {
	0,     8,     16,    24,    32,    48,    64,    80,    96,    112,
	128,   144,   160,   176,   192,   208,   224,   240,   256,   288,
	320,   352,   384,   416,   448,   480,   512,   576,   640,   704,
	768,   896,   1024,  1152,  1280,  1408,  1536,  1792,  2048,  2304,
	2688,  3072,  3200,  3456,  4096,  4864,  5376,  6144,  6528,  6784,
	6912,  8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384,
	18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
};

/* ------------------------------------------------------------------ */
/* Live tables: a treap keyed by address                               */
/* ------------------------------------------------------------------ */

/* A live heap span (size = npages * page size; elemsize 0 for a large
 * object's span) with one bit per object slot, or a live stack. */
struct gt_node {
	uint64_t key; /* base address */
	uint32_t pri;
	struct gt_node *l, *r;
	uint64_t size;
	uint32_t elemsize, nelems;
	bool noscan;
	bool manual;     /* a span for stacks or GC work buffers */
	bool stacked;    /* handed out as a stack of its own size */
	bool held;       /* an empty heap span of the snapshot, handed out as a
			    span (`alloc`) until an object lands in it */
	bool wbuf;       /* a manual span handed out as GC work buffers */
	bool first;      /* its first object handed out with the span, not yet
			    seen in the trace */
	uint64_t live[]; /* heap spans: nelems bits */
};

static uint32_t gt_rand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* split t into keys < key (*a) and keys >= key (*b). */
static void tr_split(struct gt_node *t, uint64_t key, struct gt_node **a,
		     struct gt_node **b)
{
	while (t) {
		if (t->key < key) {
			*a = t;
			a = &t->r;
			t = t->r;
		} else {
			*b = t;
			b = &t->l;
			t = t->l;
		}
	}
	*a = *b = NULL;
}

static struct gt_node *tr_merge(struct gt_node *a, struct gt_node *b)
{
	struct gt_node *root = NULL, **link = &root;

	while (a && b) {
		if (a->pri > b->pri) {
			*link = a;
			link = &a->r;
			a = a->r;
		} else {
			*link = b;
			link = &b->l;
			b = b->l;
		}
	}
	*link = a ? a : b;
	return root;
}

/* tr_insert adds n (key not present). */
static void tr_insert(struct gt_node **root, struct gt_node *n)
{
	struct gt_node **t = root;

	while (*t && (*t)->pri >= n->pri)
		t = n->key < (*t)->key ? &(*t)->l : &(*t)->r;
	tr_split(*t, n->key, &n->l, &n->r);
	*t = n;
}

/* tr_remove unlinks the node with key and returns it (NULL if absent). */
static struct gt_node *tr_remove(struct gt_node **root, uint64_t key)
{
	struct gt_node **t = root, *n;

	while (*t && (*t)->key != key)
		t = key < (*t)->key ? &(*t)->l : &(*t)->r;
	n = *t;
	if (n)
		*t = tr_merge(n->l, n->r);
	return n;
}

/* tr_floor returns the node with the greatest key <= key. */
static struct gt_node *tr_floor(struct gt_node *t, uint64_t key)
{
	struct gt_node *best = NULL;

	while (t) {
		if (t->key <= key) {
			best = t;
			t = t->r;
		} else {
			t = t->l;
		}
	}
	return best;
}

/* tr_ceil returns the node with the least key >= key. */
static struct gt_node *tr_ceil(struct gt_node *t, uint64_t key)
{
	struct gt_node *best = NULL;

	while (t) {
		if (t->key >= key) {
			best = t;
			t = t->l;
		} else {
			t = t->r;
		}
	}
	return best;
}

static void tr_free(struct gt_node *t)
{
	while (t) {
		struct gt_node *r = t->r;

		tr_free(t->l);
		free(t);
		t = r;
	}
}

/* ------------------------------------------------------------------ */
/* Reader state                                                        */
/* ------------------------------------------------------------------ */

struct gt_batch {
	uint64_t m;
	uint64_t time; /* base timestamp */
	uint64_t off;  /* byte offset of the data in the trace */
	size_t data;   /* offset of the data in gen.buf */
	size_t len;
	size_t mi;     /* index of the M in the generation, in order of first
			  appearance */
	size_t seq;    /* index in the generation */
	uint64_t last; /* the timestamp of its last event */
	size_t nev;    /* its events */
};

struct gt_str {
	uint64_t id;
	size_t data, len; /* in gen.buf */
};

struct gt_span {
	size_t data, len; /* in gen.buf */
};

struct gt_event {
	unsigned type;
	uint64_t args[MAX_ARGS - 1]; /* after the timestamp delta */
	uint64_t ts;
	uint64_t off;
	uint64_t m;
};

struct gt_cursor {
	size_t bi, bend; /* batches [bi, bend) of one M */
	size_t pos;      /* in the current batch */
	size_t evi;      /* events of the current batch read */
	uint64_t last_ts;
	size_t mi;
	struct gt_event ev; /* the next event */
	uint64_t key;       /* when it took effect: the merge's order */
	uint64_t skip_off;  /* an event handed out early (0: none) */
	uint64_t run_key;   /* the key of the run of frees ev is in */
	size_t run_left;    /* and how many of them follow ev */
};

struct gt_mstate {
	uint64_t m, p;
	uint64_t g; /* the goroutine it runs (GoStart, GoStatus), or GT_NO_G */
	uint64_t gseq; /* and that goroutine's sequence number then */
};

/* A 64-page block of the snapshot that holds spans a page cache served
 * (under 16 pages), the P they are handed out on, and where the free pages
 * at its end start when it is a P's current page cache (0 otherwise). */
struct gt_sblock {
	uint64_t blk, p, tail;
};

/* An op waiting to be handed out. */
struct gt_pending {
	enum hg_op_kind kind;
	char id[24];
	uint64_t size, value;
	hg_addr addr;
	bool has_addr, noscan, all;
	uint64_t off;
};

struct hg_gotrace_reader {
	unsigned ver; /* 23, 25 or 26: the header's go 1.N */
	/* Manual spans allocated while tracing, not yet known as stack
	 * spans (their M's next event is a stack in them) or as GC work
	 * buffers (anything else), each with the event that allocated it;
	 * at most one per M. */
	struct {
		struct gt_node *n;
		struct gt_event ev;
	} wpend[GT_WPEND];
	size_t nwpend;
	uint64_t off; /* offset of src.buf[src.pos] in the trace */

	/* The current generation. */
	uint64_t gen;
	unsigned char *buf;
	size_t len, cap;
	struct gt_batch *b;
	size_t nb, bcap;
	struct gt_str *str;
	size_t nstr, strcap;
	struct gt_span *stk; /* the stacks batches, in gen.buf */
	size_t nstk, stkcap;
	uint64_t *fos; /* ids of the stacks that hold debug.FreeOSMemory */
	size_t nfos, foscap;
	uint64_t *pmd; /* ids of the stacks in runtime.postMallocgcDebug */
	size_t npmd, pmdcap;
	uint64_t *bgs; /* ids of the stacks in runtime.bgscavenge */
	size_t nbgs, bgscap;
	uint64_t *ms; /* M ids of the generation, by first appearance */
	size_t nms, mcap;
	uint64_t freq;        /* timestamp units per second */
	uint64_t gen_off;     /* where the generation starts */
	uint64_t look_left;   /* events its stops in mallocgc may still read */
	bool have_spill;      /* a batch of the next generation was read */
	unsigned char *spill; /* its data (GT_MAX_BATCH) */
	struct gt_batch spill_b;
	uint64_t spill_gen;
	bool spill_exp;
	unsigned spill_expid;
	bool at_eof;

	/* Merging. */
	struct gt_cursor *cur;
	struct gt_cursor **heap;
	size_t nheap;
	bool snapshot; /* reading the first generation's snapshot */
	size_t snap_bi, snap_pos;
	bool snap_emit;      /* then handing it out */
	uint64_t snap_next;  /* the address to go on from: spans */
	uint64_t snap_knext; /* and stacks (one can share a span's base) */
	uint64_t snap_end;   /* the end of the last span handed out */
	uint64_t *gaps;      /* the holes held while the snapshot goes out */
	size_t ngaps, gapcap;
	struct gt_sblock *sblk; /* by block, in address order */
	size_t nsblk, sblkcap;

	/* AllocFree info. */
	bool have_info;
	uint64_t min_addr, page_size, heap_align, stack_align;

	/* Across generations. */
	bool first_gen_done;
	uint64_t t0;
	bool have_t0;
	uint64_t last_time; /* ns of the last `time` op */
	uint64_t last_p;
	/* debug.FreeOSMemory (Go: runtime/debug.freeOSMemory: GC, then
	 * mheap_.scavengeAll once the sweep is done): its cycle runs, and
	 * then its scavengeAll is due. */
	bool fos_gc, fos_due;
	uint64_t fos_g; /* the goroutine that called it */
	/* The background scavenger's goroutine (GT_NO_G: not known yet) and
	 * whether it runs (the last bgscav op handed out was a run). */
	uint64_t scav_g;
	bool scav_running;
	/* The Ps held by an M, as the last running op handed out said. */
	uint64_t running;
	struct gt_mstate *mst;
	size_t nmst, mstcap;
	struct gt_node *spans, *stacks;
	uint32_t rng;

	/* Ops to hand out. */
	struct gt_pending *pend;
	size_t npend, pendcap, pendhead;
	char *mark;
	size_t markcap;
	/* A mark waits for the program's ReadMemStats (its stop-the-world)
	 * with its text in pmark. */
	bool mark_pending, mark_wait, mark_stw;
	uint64_t mark_off, mark_m; /* the log's offset and M */
	struct gt_event mark_ev;   /* the log */
	char *pmark;
	size_t pmarkcap;
};

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
gt_err(struct hg_trace_reader *r, uint64_t off, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (off >= 1 && off <= UINT_MAX)
		hg_diag_set(r->d, NULL, (unsigned)off, 0, "%s", msg);
	else
		hg_diag_set(r->d, NULL, 0, 0, "byte %llu: %s",
			    (unsigned long long)off, msg);
	return HG_EINVAL;
}

/* gt_warn counts a record that was skipped or repaired (hg_trace_warning
 * reports the count and the first, at its byte offset). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
gt_warn(struct hg_trace_reader *r, uint64_t off, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (r->nwarn++)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (off >= 1 && off <= UINT_MAX)
		hg_diag_set(&r->warn, r->file, (unsigned)off, 0, "%s", msg);
	else
		hg_diag_set(&r->warn, r->file, 0, 0, "byte %llu: %s",
			    (unsigned long long)off, msg);
}

static int gt_nomem(struct hg_trace_reader *r)
{
	hg_diag_set(r->d, NULL, 0, 0, "out of memory");
	return HG_ENOMEM;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return HG_ENOMEM;
		ncap *= 2;
	}
	np = realloc(*p, ncap * elem);
	if (!np)
		return HG_ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading the byte stream                                             */
/* ------------------------------------------------------------------ */

/* src_byte reads one byte: 1, 0 at the end, or HG_EINVAL. */
static int src_byte(struct hg_trace_reader *r, unsigned char *c)
{
	struct hg_src *s = &r->src;

	if (s->pos == s->len) {
		long n = hg__src_fill(s);

		if (n < 0) {
			gt_err(r, r->gotrace->off, "%s", s->err);
			return hg__src_error(s);
		}
		if (s->pos == s->len)
			return 0;
	}
	*c = s->buf[s->pos++];
	r->gotrace->off++;
	return 1;
}

static int src_bytes(struct hg_trace_reader *r, unsigned char *dst, size_t n,
		     const char *what)
{
	struct hg_gotrace_reader *g = r->gotrace;

	while (n) {
		long k = hg__src_read(&r->src, dst, n);

		if (k < 0)
			return gt_err(r, g->off, "%s", r->src.err);
		if (k == 0)
			return gt_err(r, g->off,
				      "truncated trace: %s cut short", what);
		dst += k;
		n -= (size_t)k;
		g->off += (uint64_t)k;
	}
	return 0;
}

/* src_uvarint reads an unsigned varint (Go: encoding/binary). */
static int src_uvarint(struct hg_trace_reader *r, uint64_t *v, const char *what)
{
	uint64_t x = 0, start = r->gotrace->off;
	unsigned shift = 0, i;

	for (i = 0; i < 10; i++) {
		unsigned char c = 0;
		int rc = src_byte(r, &c);

		if (rc < 0)
			return rc;
		if (rc == 0)
			return gt_err(r, start, "truncated trace: %s cut short",
				      what);
		if (i == 9 && c > 1)
			break;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
		shift += 7;
	}
	return gt_err(r, start, "bad %s: varint overflows 64 bits", what);
}

/* mem_uvarint decodes a varint from p[*pos, n). Returns 0, or -1 when it
 * is cut short or overflows. */
static int mem_uvarint(const unsigned char *p, size_t n, size_t *pos,
		       uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0, i;
	size_t k = *pos;

	for (i = 0; i < 10 && k < n; i++, k++) {
		unsigned char c = p[k];

		if (i == 9 && c > 1)
			return -1;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			*pos = k + 1;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Reading a generation                                                */
/* ------------------------------------------------------------------ */

static void gen_reset(struct hg_gotrace_reader *g)
{
	g->len = g->nb = g->nstr = g->nms = g->nstk = g->nfos = 0;
	g->npmd = g->nbgs = 0;
	g->freq = 0;
	g->nheap = 0;
	g->gen = 0;
}

static int add_m(struct hg_trace_reader *r, uint64_t m, size_t *mi)
{
	struct hg_gotrace_reader *g = r->gotrace;
	size_t i;

	for (i = g->nms; i-- > 0;)
		if (g->ms[i] == m) {
			*mi = i;
			return 0;
		}
	if (grow((void **)&g->ms, &g->mcap, g->nms + 1, sizeof(*g->ms)) < 0)
		return gt_nomem(r);
	g->ms[g->nms] = m;
	*mi = g->nms++;
	return 0;
}

/* append_data copies a batch's data to gen.buf. */
static int append_data(struct hg_trace_reader *r, const unsigned char *p,
		       size_t n, size_t *at)
{
	struct hg_gotrace_reader *g = r->gotrace;

	if (g->len + n > GT_MAX_GEN)
		return gt_err(r, g->gen_off,
			      "generation %llu is larger than %zu MiB",
			      (unsigned long long)g->gen, GT_MAX_GEN >> 20);
	if (grow((void **)&g->buf, &g->cap, g->len + n, 1) < 0)
		return gt_nomem(r);
	memcpy(g->buf + g->len, p, n);
	*at = g->len;
	g->len += n;
	return 0;
}

static int add_strings(struct hg_trace_reader *r, const struct gt_batch *b)
{
	struct hg_gotrace_reader *g = r->gotrace;
	const unsigned char *p = g->buf + b->data;
	size_t pos = 1, n = b->len;

	while (pos < n) {
		size_t at = pos;
		uint64_t id, len;

		if (p[pos++] != EV_STRING)
			return gt_err(r, b->off + at,
				      "strings batch: event %u is not a string",
				      p[at]);
		if (mem_uvarint(p, n, &pos, &id) < 0 ||
		    mem_uvarint(p, n, &pos, &len) < 0)
			return gt_err(r, b->off + at,
				      "strings batch: bad string header");
		if (len > GT_MAX_STRING)
			return gt_err(r, b->off + at,
				      "string of %llu bytes (at most %u)",
				      (unsigned long long)len, GT_MAX_STRING);
		if (len > n - pos)
			return gt_err(r, b->off + at,
				      "string runs past its batch");
		if (grow((void **)&g->str, &g->strcap, g->nstr + 1,
			 sizeof(*g->str)) < 0)
			return gt_nomem(r);
		g->str[g->nstr].id = id;
		g->str[g->nstr].data = b->data + pos;
		g->str[g->nstr].len = (size_t)len;
		g->nstr++;
		pos += (size_t)len;
	}
	return 0;
}

/* check_stacks walks a stacks batch to check its structure. */
static int check_stacks(struct hg_trace_reader *r, const unsigned char *p,
			size_t n, uint64_t off)
{
	size_t pos = 1;

	while (pos < n) {
		size_t at = pos;
		uint64_t id, nf, v;
		unsigned i;

		if (p[pos++] != EV_STACK)
			return gt_err(r, off + at,
				      "stacks batch: event %u is not a stack",
				      p[at]);
		if (mem_uvarint(p, n, &pos, &id) < 0 ||
		    mem_uvarint(p, n, &pos, &nf) < 0)
			return gt_err(r, off + at,
				      "stacks batch: bad stack header");
		if (nf > GT_MAX_FRAMES)
			return gt_err(r, off + at,
				      "stack of %llu frames (at most %u)",
				      (unsigned long long)nf, GT_MAX_FRAMES);
		for (i = 0; i < 4 * nf; i++)
			if (mem_uvarint(p, n, &pos, &v) < 0)
				return gt_err(r, off + at,
					      "stacks batch: bad frame");
	}
	return 0;
}

static int check_cpu_samples(struct hg_trace_reader *r, const unsigned char *p,
			     size_t n, uint64_t off)
{
	size_t pos = 1;

	while (pos < n) {
		size_t at = pos;
		uint64_t v;
		unsigned i;

		if (p[pos++] != EV_CPU_SAMPLE)
			return gt_err(r, off + at,
				      "CPU samples batch: event %u is not a "
				      "sample",
				      p[at]);
		for (i = 0; i < 5; i++)
			if (mem_uvarint(p, n, &pos, &v) < 0)
				return gt_err(r, off + at,
					      "CPU samples batch: bad sample");
	}
	return 0;
}

/* set_sync reads the sync batch (Go: setSyncBatch): the frequency, and
 * from go1.25 a clock snapshot. Before go1.25 it is a lone Frequency. */
static int set_sync(struct hg_trace_reader *r, const unsigned char *p, size_t n,
		    uint64_t off)
{
	struct hg_gotrace_reader *g = r->gotrace;
	size_t pos = g->ver >= 25 ? 1 : 0;

	while (pos < n) {
		size_t at = pos;
		uint64_t v;
		unsigned i, k = p[pos++];

		if (k == EV_FREQUENCY) {
			if (g->freq)
				return gt_err(r, off + at,
					      "second frequency event in "
					      "generation %llu",
					      (unsigned long long)g->gen);
			if (mem_uvarint(p, n, &pos, &v) < 0)
				return gt_err(r, off + at, "bad frequency");
			if (v == 0)
				return gt_err(r, off + at,
					      "frequency of 0 ticks per "
					      "second");
			g->freq = v;
		} else if (k == EV_CLOCK_SNAPSHOT && g->ver >= 25) {
			for (i = 0; i < 4; i++)
				if (mem_uvarint(p, n, &pos, &v) < 0)
					return gt_err(r, off + at,
						      "bad clock snapshot");
		} else {
			return gt_err(r, off + at,
				      "sync batch: unexpected event %u", k);
		}
	}
	return 0;
}

/* set_info reads the AllocFree info batch (Go: traceSnapshotMemory). */
static int set_info(struct hg_trace_reader *r, const unsigned char *p, size_t n,
		    uint64_t off)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t v[4];
	size_t pos = 1;
	unsigned i;

	for (i = 0; i < 4; i++)
		if (mem_uvarint(p, n, &pos, &v[i]) < 0)
			return gt_err(r, off, "bad AllocFree info batch");
	if (g->have_info)
		return 0;
	if (v[1] != GT_PAGE_SIZE)
		return gt_err(r, off,
			      "the traced runtime's page size is %llu bytes; "
			      "the model's is %u",
			      (unsigned long long)v[1], GT_PAGE_SIZE);
	if (!v[2] || (v[2] & (v[2] - 1)) || !v[3] || (v[3] & (v[3] - 1)))
		return gt_err(r, off,
			      "bad AllocFree info batch: alignments %llu and "
			      "%llu",
			      (unsigned long long)v[2],
			      (unsigned long long)v[3]);
	if (v[0] % GT_PAGE_SIZE != 0)
		return gt_err(r, off,
			      "bad AllocFree info batch: minPageHeapAddr "
			      "0x%llx is not page-aligned",
			      (unsigned long long)v[0]);
	g->have_info = true;
	g->min_addr = v[0];
	g->page_size = v[1];
	g->heap_align = v[2];
	g->stack_align = v[3];
	return 0;
}

/*
 * read_batch reads one batch into the generation, or finds the end of the
 * generation. Returns 1 for a batch, 0 at the end of the generation (*end
 * set, or the input ended), HG_EINVAL.
 */
static int read_batch(struct hg_trace_reader *r, unsigned char *scratch)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t start = g->off, gen, m, ts, size;
	struct gt_batch b;
	unsigned char c = 0, expid = 0;
	bool exp;
	int rc;

	if (g->have_spill) {
		/* The first batch of this generation, read with the last. */
		g->have_spill = false;
		b = g->spill_b;
		gen = g->spill_gen;
		exp = g->spill_exp;
		expid = (unsigned char)g->spill_expid;
		memcpy(scratch, g->spill, b.len);
		start = b.off;
		goto have;
	}
	rc = src_byte(r, &c);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		g->at_eof = true;
		if (g->ver >= 26 && g->gen != 0)
			return gt_err(r, start,
				      "truncated trace: generation %llu has no "
				      "end",
				      (unsigned long long)g->gen);
		return 0;
	}
	if (c == EV_END_OF_GENERATION && g->ver >= 26)
		return 0;
	if (c != EV_EVENT_BATCH && c != EV_EXPERIMENTAL_BATCH)
		return gt_err(r, start, "expected a batch, found event %u", c);
	exp = c == EV_EXPERIMENTAL_BATCH;
	if (exp) {
		rc = src_byte(r, &expid);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return gt_err(r, start,
				      "truncated trace: batch header cut "
				      "short");
	}
	if ((rc = src_uvarint(r, &gen, "batch generation")) < 0 ||
	    (rc = src_uvarint(r, &m, "batch M")) < 0 ||
	    (rc = src_uvarint(r, &ts, "batch timestamp")) < 0 ||
	    (rc = src_uvarint(r, &size, "batch size")) < 0)
		return rc;
	if (gen == 0)
		return gt_err(r, start, "batch of generation 0");
	if (size > GT_MAX_BATCH)
		return gt_err(r, start, "batch of %llu bytes (at most %u)",
			      (unsigned long long)size, GT_MAX_BATCH);
	memset(&b, 0, sizeof(b));
	b.m = m;
	b.time = ts;
	b.off = g->off;
	b.len = (size_t)size;
	rc = src_bytes(r, scratch, b.len, "batch");
	if (rc < 0)
		return rc;
	if (g->gen != 0 && gen != g->gen) {
		if (g->ver < 26 && gen == g->gen + 1) {
			g->have_spill = true;
			g->spill_b = b;
			g->spill_gen = gen;
			g->spill_exp = exp;
			g->spill_expid = expid;
			memcpy(g->spill, scratch, b.len);
			return 0;
		}
		return gt_err(
			r, start, "batch of generation %llu in generation %llu",
			(unsigned long long)gen, (unsigned long long)g->gen);
	}
have:
	if (g->gen == 0) {
		g->gen = gen;
		g->gen_off = start;
	}
	if (exp) {
		if (expid == EXP_ALLOC_FREE && b.len > 0 &&
		    scratch[0] == AF_INFO_BATCH)
			return set_info(r, scratch, b.len, b.off) < 0
				       ? HG_EINVAL
				       : 1;
		return 1; /* types batch, other experiments */
	}
	if (b.len == 0)
		return 1;
	switch (scratch[0]) {
	case EV_STRINGS:
		b.seq = g->nb;
		rc = append_data(r, scratch, b.len, &b.data);
		if (rc < 0)
			return rc;
		rc = add_strings(r, &b);
		return rc < 0 ? rc : 1;
	case EV_STACKS:
		if (check_stacks(r, scratch, b.len, b.off) < 0)
			return HG_EINVAL;
		if (grow((void **)&g->stk, &g->stkcap, g->nstk + 1,
			 sizeof(*g->stk)) < 0)
			return gt_nomem(r);
		rc = append_data(r, scratch, b.len, &g->stk[g->nstk].data);
		if (rc < 0)
			return rc;
		g->stk[g->nstk++].len = b.len;
		return 1;
	case EV_CPU_SAMPLES:
		return check_cpu_samples(r, scratch, b.len, b.off) < 0
			       ? HG_EINVAL
			       : 1;
	case EV_SYNC:
		if (g->ver >= 25)
			return set_sync(r, scratch, b.len, b.off) < 0
				       ? HG_EINVAL
				       : 1;
		break;
	case EV_FREQUENCY:
		if (g->ver < 25)
			return set_sync(r, scratch, b.len, b.off) < 0
				       ? HG_EINVAL
				       : 1;
		break;
	default:
		break;
	}
	rc = add_m(r, m, &b.mi);
	if (rc < 0)
		return rc;
	b.seq = g->nb;
	rc = append_data(r, scratch, b.len, &b.data);
	if (rc < 0)
		return rc;
	if (grow((void **)&g->b, &g->bcap, g->nb + 1, sizeof(*g->b)) < 0)
		return gt_nomem(r);
	g->b[g->nb++] = b;
	return 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * free_os_stacks finds the generation's stacks that run debug.FreeOSMemory:
 * a frame of runtime/debug.FreeOSMemory or of the runtime's own
 * runtime/debug.freeOSMemory (Go: mheap.go runtime_debug_freeOSMemory,
 * go1.23-1.26: runtime.GC, then mheap_.scavengeAll). A GCBegin with one of
 * them as its stack is that call's cycle (share/doc/go-trace.md). And
 * those whose innermost frame is runtime.postMallocgcDebug (a goroutine
 * stopped there has its object: stopped_in_malloc), and those with a
 * frame of runtime.bgscavenge (the background scavenger's goroutine:
 * scav_goroutine). Needs the generation's strings sorted.
 */
static int free_os_stacks(struct hg_trace_reader *r)
{
	static const char *const names[] = { "runtime/debug.FreeOSMemory",
					     "runtime/debug.freeOSMemory" };
	static const char pmd_name[] = "runtime.postMallocgcDebug";
	static const char bgs_name[] = "runtime.bgscavenge";
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t fid[2 * (sizeof(names) / sizeof(names[0]))];
	uint64_t pid = 0, bid = 0;
	bool have_pid = false, have_bid = false;
	size_t nf = 0, i, k;

	for (i = 0; i < g->nstr; i++)
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (g->str[i].len == strlen(names[k]) &&
			    nf < sizeof(fid) / sizeof(fid[0]) &&
			    memcmp(g->buf + g->str[i].data, names[k],
				   g->str[i].len) == 0)
				fid[nf++] = g->str[i].id;
	for (i = 0; i < g->nstr && !have_pid; i++)
		if (g->str[i].len == strlen(pmd_name) &&
		    memcmp(g->buf + g->str[i].data, pmd_name, g->str[i].len) ==
			    0) {
			pid = g->str[i].id;
			have_pid = true;
		}
	for (i = 0; i < g->nstr && !have_bid; i++)
		if (g->str[i].len == strlen(bgs_name) &&
		    memcmp(g->buf + g->str[i].data, bgs_name, g->str[i].len) ==
			    0) {
			bid = g->str[i].id;
			have_bid = true;
		}
	for (i = 0; (nf || have_pid || have_bid) && i < g->nstk; i++) {
		const unsigned char *p = g->buf + g->stk[i].data;
		size_t pos = 1, n = g->stk[i].len;

		/* The structure was checked when the batch was read. */
		while (pos < n) {
			uint64_t id = 0, nfr = 0, v[4];
			bool hit = false, top = false, bgs = false;

			pos++; /* EV_STACK */
			mem_uvarint(p, n, &pos, &id);
			mem_uvarint(p, n, &pos, &nfr);
			for (uint64_t f = 0; f < nfr; f++) {
				for (k = 0; k < 4; k++)
					mem_uvarint(p, n, &pos, &v[k]);
				for (k = 0; k < nf; k++)
					hit = hit || v[1] == fid[k];
				top = top ||
				      (f == 0 && have_pid && v[1] == pid);
				bgs = bgs || (have_bid && v[1] == bid);
			}
			if (bgs) {
				if (grow((void **)&g->bgs, &g->bgscap,
					 g->nbgs + 1, sizeof(*g->bgs)) < 0)
					return gt_nomem(r);
				g->bgs[g->nbgs++] = id;
			}
			if (top) {
				if (grow((void **)&g->pmd, &g->pmdcap,
					 g->npmd + 1, sizeof(*g->pmd)) < 0)
					return gt_nomem(r);
				g->pmd[g->npmd++] = id;
			}
			if (!hit)
				continue;
			if (grow((void **)&g->fos, &g->foscap, g->nfos + 1,
				 sizeof(*g->fos)) < 0)
				return gt_nomem(r);
			g->fos[g->nfos++] = id;
		}
	}
	if (g->nfos)
		qsort(g->fos, g->nfos, sizeof(*g->fos), cmp_u64);
	if (g->npmd)
		qsort(g->pmd, g->npmd, sizeof(*g->pmd), cmp_u64);
	if (g->nbgs)
		qsort(g->bgs, g->nbgs, sizeof(*g->bgs), cmp_u64);
	return 0;
}

/* Whether id is in the sorted ids[0..n). */
static bool has_id(const uint64_t *ids, size_t n, uint64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id;
}

static bool free_os_stack(const struct hg_gotrace_reader *g, uint64_t id)
{
	return has_id(g->fos, g->nfos, id);
}

static int cmp_batch(const void *a, const void *b)
{
	const struct gt_batch *x = a, *y = b;

	if (x->mi != y->mi)
		return x->mi < y->mi ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_str(const void *a, const void *b)
{
	const struct gt_str *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int next_event(struct hg_trace_reader *r, struct gt_cursor *c);
static int decode(struct hg_trace_reader *r, const struct gt_batch *b,
		  size_t *pos, struct gt_event *ev, uint64_t *dt);

static bool heap_less(const struct gt_cursor *a, const struct gt_cursor *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	return a->mi < b->mi;
}

static void heap_down(struct hg_gotrace_reader *g, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct gt_cursor *t;

		if (l < g->nheap && heap_less(g->heap[l], g->heap[m]))
			m = l;
		if (l + 1 < g->nheap && heap_less(g->heap[l + 1], g->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		t = g->heap[i];
		g->heap[i] = g->heap[m];
		g->heap[m] = t;
		i = m;
	}
}

/*
 * scav_goroutine follows, over one M's events in order, the goroutine the
 * M runs (*curg: GoStart, GoStatus of a goroutine running on it; none
 * after GoStop, GoBlock, GoDestroy) to find the background scavenger's
 * goroutine before any event of the generation is handled: the one that
 * blocks (GoBlock) or is found waiting (GoStatusStack) with a stack in
 * runtime.bgscavenge (Go: bgscavenge parks in scavengerState.park and
 * sleeps in scavengerState.sleep; share/doc/go-trace.md).
 */
static void scav_goroutine(struct hg_gotrace_reader *g,
			   const struct gt_event *ev, uint64_t *curg)
{
	switch (ev->type) {
	case EV_GO_START:
	case EV_GO_SWITCH:
	case EV_GO_SWITCH_DESTROY:
		*curg = ev->args[0];
		break;
	case EV_GO_STATUS:
	case EV_GO_STATUS_STACK:
		/* Go: tracev2.GoRunning on its M */
		if (ev->args[2] == 2 && ev->args[1] == ev->m)
			*curg = ev->args[0];
		if (ev->type == EV_GO_STATUS_STACK &&
		    has_id(g->bgs, g->nbgs, ev->args[3]))
			g->scav_g = ev->args[0];
		break;
	case EV_GO_BLOCK:
		if (*curg != GT_NO_G && has_id(g->bgs, g->nbgs, ev->args[1]))
			g->scav_g = *curg;
		*curg = GT_NO_G;
		break;
	case EV_GO_STOP:
	case EV_GO_DESTROY:
		*curg = GT_NO_G;
		break;
	default:
		break;
	}
}

/*
 * read_generation reads the next generation whole. Returns 1, 0 when the
 * trace has no more generations, HG_EINVAL/HG_ENOMEM.
 */
static int read_generation(struct hg_trace_reader *r)
{
	struct hg_gotrace_reader *g = r->gotrace;
	unsigned char *scratch;
	uint64_t curg = GT_NO_G;
	size_t i, k;
	int rc;

	scratch = malloc(GT_MAX_BATCH);
	if (!scratch)
		return gt_nomem(r);
	do {
		/* An EndOfGeneration right after another ends nothing. */
		gen_reset(g);
		if (g->at_eof && !g->have_spill) {
			free(scratch);
			return 0;
		}
		g->gen_off = g->off;
		while ((rc = read_batch(r, scratch)) > 0)
			;
	} while (rc == 0 && g->gen == 0 && !g->at_eof);
	free(scratch);
	if (rc < 0)
		return rc;
	if (g->gen == 0)
		return 0;
	g->look_left = g->len; /* an event takes one byte at least */
	if (!g->freq)
		return gt_err(r, g->gen_off,
			      "generation %llu has no frequency event",
			      (unsigned long long)g->gen);
	if (!g->first_gen_done && !g->have_info)
		return gt_err(r, g->gen_off,
			      "no AllocFree info batch: record the trace with "
			      "GODEBUG=traceallocfree=1 (Go 1.23 or later)");
	if (g->nb)
		qsort(g->b, g->nb, sizeof(*g->b), cmp_batch);
	if (g->nstr)
		qsort(g->str, g->nstr, sizeof(*g->str), cmp_str);
	for (i = 1; i < g->nstr; i++)
		if (g->str[i].id == g->str[i - 1].id)
			return gt_err(r, g->gen_off,
				      "string %llu defined twice in generation "
				      "%llu",
				      (unsigned long long)g->str[i].id,
				      (unsigned long long)g->gen);
	rc = free_os_stacks(r);
	if (rc < 0)
		return rc;
	for (i = 0; i < g->nb; i++) {
		struct gt_batch *b = &g->b[i];
		struct gt_event ev;
		uint64_t dt;
		size_t pos = 0;

		if (i == 0 || b->mi != g->b[i - 1].mi)
			curg = GT_NO_G;
		b->last = b->time;
		b->nev = 0;
		while (pos < b->len) {
			if (decode(r, b, &pos, &ev, &dt) < 0)
				return HG_EINVAL;
			b->last += dt;
			b->nev++;
			scav_goroutine(g, &ev, &curg);
		}
	}
	if (!g->have_t0) {
		g->have_t0 = true;
		g->t0 = UINT64_MAX;
		for (i = 0; i < g->nb; i++)
			if (g->b[i].time < g->t0)
				g->t0 = g->b[i].time;
		if (g->nb == 0)
			g->t0 = 0;
	}
	/* One cursor per M. */
	free(g->cur);
	free(g->heap);
	g->cur = calloc(g->nms ? g->nms : 1, sizeof(*g->cur));
	g->heap = calloc(g->nms ? g->nms : 1, sizeof(*g->heap));
	if (!g->cur || !g->heap)
		return gt_nomem(r);
	for (i = 0, k = 0; i < g->nb; k++) {
		struct gt_cursor *c = &g->cur[k];
		size_t j = i;

		while (j < g->nb && g->b[j].mi == g->b[i].mi)
			j++;
		c->bi = i;
		c->bend = j;
		c->pos = 0;
		c->mi = g->b[i].mi;
		c->last_ts = g->b[i].time;
		i = j;
	}
	g->nheap = 0;
	for (i = 0; i < k; i++) {
		rc = next_event(r, &g->cur[i]);
		if (rc < 0)
			return rc;
		if (rc > 0)
			g->heap[g->nheap++] = &g->cur[i];
	}
	for (i = g->nheap / 2; i-- > 0;)
		heap_down(g, i);
	if (!g->first_gen_done) {
		g->snapshot = true;
		g->snap_bi = 0;
		g->snap_pos = 0;
	}
	return 1;
}

/*
 * decode decodes the event at p[pos, n) of batch b. Returns 0 (ev filled,
 * *pos advanced) or HG_EINVAL.
 */
static int decode(struct hg_trace_reader *r, const struct gt_batch *b,
		  size_t *pos, struct gt_event *ev, uint64_t *dt)
{
	struct hg_gotrace_reader *g = r->gotrace;
	const unsigned char *p = g->buf + b->data;
	size_t at = *pos, k = at + 1;
	unsigned t = p[at], na = 0, i;

	if (t <= EV_LAST_TIMED)
		na = nargs_base[t];
	else if (t >= EV_SPAN && t <= EV_GOROUTINE_STACK_FREE)
		na = nargs_exp[t - EV_SPAN];
	if (na == 0)
		return gt_err(r, b->off + at, "unknown event type %u", t);
	ev->type = t;
	ev->off = b->off + at;
	ev->m = b->m;
	if (mem_uvarint(p, b->len, &k, dt) < 0)
		return gt_err(r, b->off + at,
			      "event %u: bad or cut-short timestamp", t);
	for (i = 0; i + 1 < na; i++)
		if (mem_uvarint(p, b->len, &k, &ev->args[i]) < 0)
			return gt_err(r, b->off + at,
				      "event %u: bad or cut-short argument "
				      "%u",
				      t, i + 1);
	*pos = k;
	return 0;
}

/* next_event_raw moves c to its next event. Returns 1, 0 when c has no
 * more events, HG_EINVAL. */
static int next_event_raw(struct hg_trace_reader *r, struct gt_cursor *c)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t dt;

	while (c->bi < c->bend && c->pos >= g->b[c->bi].len) {
		c->bi++;
		c->pos = 0;
		c->evi = 0;
		if (c->bi < c->bend)
			c->last_ts = g->b[c->bi].time;
	}
	if (c->bi == c->bend)
		return 0;
	if (decode(r, &g->b[c->bi], &c->pos, &c->ev, &dt) < 0)
		return HG_EINVAL;
	c->last_ts += dt;
	c->ev.ts = c->last_ts;
	/*
	 * The runtime moves a timestamp that does not advance to the last
	 * one plus a tick (Go: traceWriter.event, go1.26), so a batch of
	 * events quicker than a tick (a sweep's frees) runs ahead of the
	 * clock. The M's next batch starts at the clock (Go:
	 * traceWriter.refill): its events came after all of this batch's.
	 * A batch that overshoots that start is moved back by as little as
	 * that asks: its k-th event from the end at most k ticks before the
	 * start (the run of one-tick steps that ran ahead shifts back whole,
	 * the events before it keep their times).
	 */
	c->evi++;
	if (c->bi + 1 < c->bend && g->b[c->bi + 1].time < g->b[c->bi].last) {
		const struct gt_batch *b = &g->b[c->bi];
		uint64_t after = b->nev - c->evi, next = g->b[c->bi + 1].time;
		uint64_t cap = next > after ? next - after : 0;

		if (c->ev.ts > cap)
			c->ev.ts = cap;
	}
	return 1;
}

/* An event of the world's stop (Go: stopTheWorldWithSema's STWStart,
 * gcStart's GCBegin and gcMarkTermination's GCEnd, both with the world
 * stopped): a free traced before it took effect before it. */
static bool stops_world(unsigned type)
{
	return type == EV_STW_BEGIN || type == EV_GC_BEGIN || type == EV_GC_END;
}

/* A free traced before it takes effect (see next_event). */
static bool frees_later(unsigned type)
{
	return type == EV_HEAP_OBJECT_FREE || type == EV_GOROUTINE_STACK_FREE ||
	       type == EV_SPAN_FREE;
}

/* The base of the span whose memory free event ev gives back (an object's
 * or a stack's span, a span), 0 when the tables do not know it. */
static uint64_t freed_span(const struct hg_gotrace_reader *g,
			   const struct gt_event *ev)
{
	uint64_t align, addr;
	const struct gt_node *s;

	if (!g->have_info)
		return 0;
	switch (ev->type) {
	case EV_HEAP_OBJECT_FREE:
		align = g->heap_align;
		break;
	case EV_GOROUTINE_STACK_FREE:
		align = g->stack_align;
		break;
	case EV_SPAN_FREE:
		align = g->page_size;
		break;
	default:
		return 0;
	}
	if (ev->args[0] > (UINT64_MAX - g->min_addr) / align)
		return 0;
	addr = g->min_addr + ev->args[0] * align;
	if (ev->type == EV_SPAN_FREE)
		return addr;
	s = tr_floor(g->spans, addr);
	return s && addr - s->key < s->size ? s->key : 0;
}

/*
 * next_event reads c's next event and the time it took effect, its key in
 * the merge. The runtime traces an allocation once it has the memory
 * (Go: stackalloc's GoroutineStackAlloc and allocSpan's SpanAlloc come
 * after the page heap gave it, go1.26) but a free before it gives the
 * memory back (stackfree's GoroutineStackFree, then freeManual's or
 * freeSpan's SpanFree, then the heap lock and the pages; the sweep's
 * HeapObjectFree for each dead object, then the span's new allocation
 * bits, then the span to its mcentral or freeSpan): the timestamp of an
 * allocation is the latest it can have happened, that of a free the
 * earliest. The trace says a free was done by its M's next event that is
 * not part of the same free (the frees of one span: its objects, a stack
 * in it, the span itself; or by another M's allocation of that memory,
 * see freer): that is its key, so that another M's
 * allocation traced between the two, which may have held the heap lock
 * first (its own pages were taken before its timestamp), does not get the
 * freed memory. A stack in the stack span its M's event just before
 * allocated has that event's key. Any other event's key is its timestamp.
 * The frees of a span are read ahead once, their key kept for those that
 * follow.
 */
static int next_event(struct hg_trace_reader *r, struct gt_cursor *c)
{
	const struct hg_gotrace_reader *g = r->gotrace;
	struct gt_event was = c->ev; /* the event before, if any */
	uint64_t was_key = c->key;
	int rc = next_event_raw(r, c);

	if (rc > 0 && c->skip_off && c->ev.off == c->skip_off) {
		c->skip_off = 0; /* handed out at its goroutine's stop */
		rc = next_event_raw(r, c);
	}
	if (rc <= 0)
		return rc;
	c->key = c->ev.ts;
	/* A stack in the manual span its M took just before (Go:
	 * stackpoolalloc's allocManual for the pool, then stackalloc traces
	 * the stack, once it carved the span) took its pages then. */
	if (c->ev.type == EV_GOROUTINE_STACK_ALLOC &&
	    was.type == EV_SPAN_ALLOC && (was.args[2] & 1) && g->have_info &&
	    was.args[0] <= (UINT64_MAX - g->min_addr) / g->page_size &&
	    c->ev.args[0] <= (UINT64_MAX - g->min_addr) / g->stack_align) {
		uint64_t lo = g->min_addr + was.args[0] * g->page_size;
		uint64_t base = g->min_addr + c->ev.args[0] * g->stack_align;

		if (base >= lo && (base - lo) / g->page_size < was.args[1] &&
		    was_key < c->key)
			c->key = was_key;
	}
	if (!frees_later(c->ev.type)) {
		c->run_left = 0;
		return rc;
	}
	if (c->run_left > 0) {
		c->run_left--;
		c->key = c->run_key;
		return rc;
	}
	{
		struct gt_cursor t = *c;
		uint64_t span = freed_span(g, &c->ev);
		size_t n = 0;

		while (next_event_raw(r, &t) > 0) {
			if (!frees_later(t.ev.type) || span == 0 ||
			    freed_span(g, &t.ev) != span) {
				if (t.ev.ts > c->key)
					c->key = t.ev.ts;
				break;
			}
			n++;
		}
		c->run_key = c->key;
		c->run_left = n;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Events to ops                                                       */
/* ------------------------------------------------------------------ */

static struct gt_pending *push(struct hg_trace_reader *r, enum hg_op_kind kind,
			       uint64_t off)
{
	struct hg_gotrace_reader *g = r->gotrace;
	struct gt_pending *p;

	if (grow((void **)&g->pend, &g->pendcap, g->npend + 1,
		 sizeof(*g->pend)) < 0) {
		gt_nomem(r);
		return NULL;
	}
	p = &g->pend[g->npend++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->off = off;
	return p;
}

static uint64_t ticks_to_ns(uint64_t d, uint64_t freq)
{
	uint64_t q = d / freq, rem = d % freq;

	if (rem <= UINT64_MAX / 1000000000u)
		return q * 1000000000u + rem * 1000000000u / freq;
	return q * 1000000000u + (uint64_t)((double)rem * 1e9 / (double)freq);
}

/* The index of M m's entry in the sorted g->mst, or where it would go. */
static size_t mst_index(const struct hg_gotrace_reader *g, uint64_t m)
{
	size_t lo = 0, hi = g->nmst;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->mst[mid].m < m)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* clock_to queues `time` at the event's time when the clock has moved by
 * at least step nanoseconds since the last one queued; HG_ENOMEM when the
 * queue cannot grow. */
static int clock_to(struct hg_trace_reader *r, const struct gt_event *ev,
		    uint64_t step)
{
	struct hg_gotrace_reader *g = r->gotrace;
	struct gt_pending *p;
	uint64_t ns;

	if (ev->ts <= g->t0)
		return 0;
	ns = ticks_to_ns(ev->ts - g->t0, g->freq);
	if (ns < g->last_time + step)
		return 0;
	p = push(r, HG_OP_TIME, ev->off);
	if (!p)
		return HG_ENOMEM;
	p->value = ns;
	g->last_time = ns;
	return 0;
}

/* before_op queues `time` when the clock moved by GT_TIME_STEP and, for an
 * op that runs on a P, `proc` when the event's P changed. */
static int before_op(struct hg_trace_reader *r, const struct gt_event *ev,
		     bool on_p)
{
	struct hg_gotrace_reader *g = r->gotrace;
	struct gt_pending *p;

	if (!g->snapshot && clock_to(r, ev, GT_TIME_STEP))
		return HG_ENOMEM;
	if (on_p && !g->snapshot) {
		uint64_t cp = GT_NO_P;
		size_t lo = mst_index(g, ev->m);

		if (lo < g->nmst && g->mst[lo].m == ev->m)
			cp = g->mst[lo].p;
		if (cp != GT_NO_P && cp != g->last_p) {
			p = push(r, HG_OP_PROC, ev->off);
			if (!p)
				return HG_ENOMEM;
			p->value = cp;
			g->last_p = cp;
		}
	}
	return 0;
}

static int set_p(struct hg_trace_reader *r, uint64_t m, uint64_t pid,
		 bool only_if, uint64_t was)
{
	struct hg_gotrace_reader *g = r->gotrace;
	size_t lo = mst_index(g, m);

	if (lo < g->nmst && g->mst[lo].m == m) {
		if (!only_if || g->mst[lo].p == was)
			g->mst[lo].p = pid;
		return 0;
	}
	if (only_if)
		return 0;
	if (grow((void **)&g->mst, &g->mstcap, g->nmst + 1, sizeof(*g->mst)) <
	    0)
		return gt_nomem(r);
	memmove(g->mst + lo + 1, g->mst + lo, (g->nmst - lo) * sizeof(*g->mst));
	g->mst[lo].m = m;
	g->mst[lo].p = pid;
	g->mst[lo].g = GT_NO_G;
	g->mst[lo].gseq = 0;
	g->nmst++;
	return 0;
}

/* The goroutine M m runs from now on (GT_NO_G: none known), with its
 * sequence number (Go: internal/trace order.go: a goroutine's GoStart and
 * GoSwitch give the next one, GoStatus starts it again at 0). */
static int set_g(struct hg_trace_reader *r, uint64_t m, uint64_t gid,
		 uint64_t seq)
{
	struct hg_gotrace_reader *g = r->gotrace;
	size_t lo = mst_index(g, m);

	if (lo == g->nmst || g->mst[lo].m != m) {
		int rc = set_p(r, m, GT_NO_P, false, 0);

		if (rc < 0)
			return rc;
		return set_g(r, m, gid, seq);
	}
	g->mst[lo].g = gid;
	g->mst[lo].gseq = seq;
	return 0;
}

/* The goroutine M m runs, GT_NO_G when none is known. */
static uint64_t cur_g(const struct hg_gotrace_reader *g, uint64_t m)
{
	size_t lo = mst_index(g, m);

	return lo < g->nmst && g->mst[lo].m == m ? g->mst[lo].g : GT_NO_G;
}

/* obj_id writes kind and id's hex digits (printf's "%c%llx": lower case,
 * no leading zero) to buf, cut to len - 1 bytes and a NUL as snprintf
 * would; ids are made for every event, so not through snprintf. */
static void obj_id(char *buf, size_t len, char kind, uint64_t id)
{
	char t[18];
	size_t nd = 1, n;

	for (uint64_t x = id >> 4; x; x >>= 4)
		nd++;
	n = nd + 1;
	t[0] = kind;
	for (size_t k = n; k > 1; id >>= 4)
		t[--k] = "0123456789abcdef"[id & 15];
	if (!len)
		return;
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, t, n);
	buf[n] = '\0';
}

/* free_slots queues a `del` for every object still live in span s (a
 * `stackfree` for a manual span handed out as a stack, a `free` for a
 * span held since the snapshot). */
static int free_slots(struct hg_trace_reader *r, struct gt_node *s,
		      uint64_t off)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint32_t i;

	if (s->wbuf) {
		struct gt_pending *p = push(r, HG_OP_WBUFFREE, off);

		if (!p)
			return HG_ENOMEM;
		obj_id(p->id, sizeof(p->id), 'w',
		       (s->key - g->min_addr) / g->page_size);
		s->wbuf = false;
	}
	if (s->stacked || s->held) {
		struct gt_pending *p =
			push(r, s->stacked ? HG_OP_STACKFREE : HG_OP_FREE, off);

		if (!p)
			return HG_ENOMEM;
		obj_id(p->id, sizeof(p->id), s->stacked ? 'm' : 'h',
		       (s->key - g->min_addr) / g->page_size);
		s->stacked = s->held = false;
	}
	for (i = 0; i < s->nelems; i++) {
		if (s->live[i / 64] >> (i % 64) & 1) {
			uint64_t addr =
				s->key +
				(uint64_t)i * (s->elemsize ? s->elemsize : 0);
			struct gt_pending *p = push(r, HG_OP_DEL, off);

			if (!p)
				return HG_ENOMEM;
			obj_id(p->id, sizeof(p->id), 'o',
			       (addr - g->min_addr) / g->heap_align);
			s->live[i / 64] &= ~((uint64_t)1 << (i % 64));
		}
	}
	return 0;
}

/*
 * wbuf_decide settles pending manual span i: when ev (its M's next
 * allocation event) is a goroutine stack inside it, it is a stack span,
 * which the model's stack pool makes on its own (Go: stackpoolalloc and
 * stackalloc's large stacks take it with allocManual, then trace the
 * stack); otherwise, or without ev, it is a span of GC work buffers
 * (Go: getempty's allocManual(spanAllocWorkBuf)), a `wbufalloc` at the
 * time it was allocated.
 */
static int wbuf_decide(struct hg_trace_reader *r, size_t i,
		       const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	struct gt_node *n = g->wpend[i].n;
	struct gt_event aev = g->wpend[i].ev;
	struct gt_pending *p;
	int rc;

	memmove(&g->wpend[i], &g->wpend[i + 1],
		(g->nwpend - i - 1) * sizeof(g->wpend[0]));
	g->nwpend--;
	if (ev && ev->type == EV_GOROUTINE_STACK_ALLOC) {
		uint64_t base = g->min_addr + ev->args[0] * g->stack_align;

		if (base >= n->key && base - n->key < n->size)
			return 0;
	}
	rc = before_op(r, &aev, true);
	if (rc < 0)
		return rc;
	p = push(r, HG_OP_WBUFALLOC, aev.off);
	if (!p)
		return HG_ENOMEM;
	obj_id(p->id, sizeof(p->id), 'w',
	       (n->key - g->min_addr) / g->page_size);
	p->size = n->size;
	p->addr = n->key;
	p->has_addr = true;
	n->wbuf = true;
	return 0;
}

/* wbuf_settle settles the pending manual span of M m (m == UINT64_MAX:
 * the one of node n; n == NULL too: all of them) with ev. */
static int wbuf_settle(struct hg_trace_reader *r, uint64_t m,
		       const struct gt_node *n, const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	size_t i = 0;
	int rc;

	while (i < g->nwpend) {
		bool match = m != UINT64_MAX ? g->wpend[i].ev.m == m
			     : n             ? g->wpend[i].n == n
					     : true;
		if (!match) {
			i++;
			continue;
		}
		if ((rc = wbuf_decide(r, i, ev)) < 0)
			return rc;
		if (m != UINT64_MAX || n)
			return 0;
	}
	return 0;
}

static uint64_t object_size(const struct gt_node *s);

static int span_alloc(struct hg_trace_reader *r, const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t base = g->min_addr + ev->args[0] * g->page_size;
	uint64_t npages = ev->args[1], kc = ev->args[2], size;
	unsigned spc, sc;
	uint32_t elemsize, nelems;
	struct gt_node *n, *o;
	size_t words;

	if (!(kc & 1) && (kc >> 2) >= GT_NUM_CLASSES)
		return gt_err(r, ev->off, "span of unknown size class %llu",
			      (unsigned long long)(kc >> 2));
	if (npages == 0 || npages > (UINT64_MAX - base) / g->page_size ||
	    npages > ((uint64_t)1 << 40))
		return gt_err(r, ev->off, "span of %llu pages",
			      (unsigned long long)npages);
	/* A manual span (kind/class 1: stacks, GC work buffers) holds no
	 * objects; it is kept for its pages. */
	spc = kc & 1 ? 0 : (unsigned)(kc >> 1);
	sc = spc >> 1;
	size = npages * g->page_size;
	elemsize = kc & 1 ? 0 : class_to_size[sc];
	nelems = kc & 1 ? 0 : sc ? (uint32_t)(size / elemsize) : 1;
	if (sc && ((size / elemsize) > 65536 || size < elemsize))
		return gt_err(r, ev->off,
			      "span of %llu pages for size class %u",
			      (unsigned long long)npages, sc);
	/* A span that overlaps a live one: the old one is gone. */
	while ((o = tr_floor(g->spans, base + size - 1)) &&
	       o->key + o->size > base) {
		int wrc = wbuf_settle(r, UINT64_MAX, o, NULL);

		if (wrc < 0)
			return wrc;
		tr_remove(&g->spans, o->key);
		if (!g->snapshot)
			gt_warn(r, ev->off,
				"span at 0x%llx over the live span at 0x%llx, "
				"which was never freed: freed first",
				(unsigned long long)base,
				(unsigned long long)o->key);
		/* (the snapshot's objects are not handed out yet) */
		if (!g->snapshot && free_slots(r, o, ev->off) < 0) {
			free(o);
			return HG_ENOMEM;
		}
		free(o);
	}
	words = (nelems + 63) / 64;
	n = calloc(1, sizeof(*n) + words * sizeof(uint64_t));
	if (!n)
		return gt_nomem(r);
	n->key = base;
	n->pri = gt_rand(&g->rng);
	n->size = size;
	n->elemsize = elemsize;
	n->nelems = nelems;
	n->noscan = spc & 1;
	n->manual = kc & 1;
	tr_insert(&g->spans, n);
	if (!n->manual && !g->snapshot) {
		/*
		 * A heap span made while tracing is an mcache's refill or a
		 * large object's, for the allocation that made it, whose
		 * object is its first slot (Go: mallocgc's nextFree or
		 * allocLarge). That object is handed out now, on the span's P:
		 * its HeapObjectAlloc comes only at the end of mallocgc, after
		 * a GC that allocation started (gcStart's own allocations, on
		 * this P, then others, on the P the goroutine went on with).
		 */
		struct gt_pending *p;
		int rc = before_op(r, ev, true);

		if (rc < 0)
			return rc;
		p = push(r, HG_OP_NEW, ev->off);
		if (!p)
			return HG_ENOMEM;
		obj_id(p->id, sizeof(p->id), 'o',
		       (base - g->min_addr) / g->heap_align);
		p->size = object_size(n);
		p->noscan = n->noscan;
		p->addr = base;
		p->has_addr = true;
		n->live[0] |= 1;
		n->first = true;
	}
	if (n->manual && !g->snapshot) {
		int rc = 0;

		/* (its M's earlier one was settled by this event, handle) */
		if (g->nwpend == GT_WPEND)
			rc = wbuf_decide(r, 0, NULL);
		if (rc < 0)
			return rc;
		g->wpend[g->nwpend].n = n;
		g->wpend[g->nwpend].ev = *ev;
		g->nwpend++;
	}
	return 0;
}

static int span_free(struct hg_trace_reader *r, const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t base = g->min_addr + ev->args[0] * g->page_size;
	struct gt_node *n;
	int rc = 0;

	n = tr_floor(g->spans, base);
	if (n && n->key == base &&
	    (rc = wbuf_settle(r, UINT64_MAX, n, NULL)) < 0)
		return rc;
	n = tr_remove(&g->spans, base);
	if (n) {
		rc = before_op(r, ev, true);
		if (rc == 0)
			rc = free_slots(r, n, ev->off);
		free(n);
	}
	return rc;
}

/* find_slot finds the span and slot of addr. */
static struct gt_node *find_slot(struct hg_gotrace_reader *g, uint64_t addr,
				 uint32_t *slot)
{
	struct gt_node *s = tr_floor(g->spans, addr);

	if (!s || s->manual || addr - s->key >= s->size)
		return NULL;
	if (s->elemsize == 0) {
		*slot = 0;
		return s;
	}
	*slot = (uint32_t)((addr - s->key) / s->elemsize);
	if (*slot >= s->nelems)
		return NULL;
	return s;
}

/* tiny_span tells whether s holds the tiny allocator's 16-byte blocks
 * (Go: tinySpanClass, size class 2 noscan). */
static bool tiny_span(const struct gt_node *s)
{
	return s->elemsize == 16 && s->noscan;
}

/*
 * object_size is the size a `new` asks for to get a slot of span s: the
 * span's object size (its size class), the whole span for a large object.
 * An object with pointers above 128 bytes asks for 8 bytes less: from
 * go1.22 such objects carry an 8-byte malloc header above 512 bytes (128 on
 * 32-bit), and the smaller size still maps to the same size class without
 * it (Go: mallocgc, heapBitsInSpan).
 */
static uint64_t object_size(const struct gt_node *s)
{
	if (!s->elemsize)
		return s->size;
	if (!s->noscan && s->elemsize > 128)
		return s->elemsize - 8;
	return s->elemsize;
}

static int object_alloc(struct hg_trace_reader *r, const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t addr = g->min_addr + ev->args[0] * g->heap_align, base;
	struct gt_pending *p;
	struct gt_node *s;
	uint32_t slot = 0;
	int rc;

	s = find_slot(g, addr, &slot);
	if (!s)
		return gt_err(r, ev->off,
			      "object at 0x%llx is in no live heap span",
			      (unsigned long long)addr);
	base = s->key + (uint64_t)slot * s->elemsize;
	if (g->snapshot) {
		/* handed out later, in address order */
		s->live[slot / 64] |= (uint64_t)1 << (slot % 64);
		return 0;
	}
	if (s->first && slot == 0 && addr == base) {
		s->first = false; /* handed out with its span */
		return 0;
	}
	rc = before_op(r, ev, true);
	if (rc < 0)
		return rc;
	if (s->held) {
		/* The span the snapshot held: its first object. The model
		 * makes its own span for it, first fit in the pages freed. */
		p = push(r, HG_OP_FREE, ev->off);
		if (!p)
			return HG_ENOMEM;
		obj_id(p->id, sizeof(p->id), 'h',
		       (s->key - g->min_addr) / g->page_size);
		s->held = false;
	}
	if (s->live[slot / 64] >> (slot % 64) & 1) {
		/* The tiny allocator's shared block: the trace's ids (8-byte
		 * units) do not tell its first object from the next ones. */
		if (addr != base || tiny_span(s))
			return 0;
		gt_warn(r, ev->off,
			"allocation at 0x%llx, which is live: the old object "
			"freed first",
			(unsigned long long)addr);
		p = push(r, HG_OP_DEL, ev->off);
		if (!p)
			return HG_ENOMEM;
		obj_id(p->id, sizeof(p->id), 'o', ev->args[0]);
	}
	s->live[slot / 64] |= (uint64_t)1 << (slot % 64);
	p = push(r, HG_OP_NEW, ev->off);
	if (!p)
		return HG_ENOMEM;
	obj_id(p->id, sizeof(p->id), 'o', (base - g->min_addr) / g->heap_align);
	p->size = object_size(s);
	p->noscan = s->noscan;
	p->addr = base;
	p->has_addr = true;
	return 0;
}

static int object_free(struct hg_trace_reader *r, const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t addr = g->min_addr + ev->args[0] * g->heap_align;
	struct gt_pending *p;
	struct gt_node *s;
	uint32_t slot = 0;
	int rc;

	s = find_slot(g, addr, &slot);
	if (!s || !(s->live[slot / 64] >> (slot % 64) & 1)) {
		gt_warn(r, ev->off,
			"free of the object at 0x%llx, which is not live, "
			"skipped",
			(unsigned long long)addr);
		return 0;
	}
	rc = before_op(r, ev, true);
	if (rc < 0)
		return rc;
	s->live[slot / 64] &= ~((uint64_t)1 << (slot % 64));
	if (slot == 0)
		s->first = false;
	p = push(r, HG_OP_DEL, ev->off);
	if (!p)
		return HG_ENOMEM;
	obj_id(p->id, sizeof(p->id), 'o',
	       (s->key + (uint64_t)slot * s->elemsize - g->min_addr) /
		       g->heap_align);
	return 0;
}

static int stack_alloc(struct hg_trace_reader *r, const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t base = g->min_addr + ev->args[0] * g->stack_align;
	uint64_t order = ev->args[1];
	struct gt_pending *p;
	struct gt_node *n;
	int rc;

	if (order == 0)
		return 0; /* a goroutine without a stack (snapshot) */
	/* Go: traceCompressStackSize records bits.Len64(size); no stack is
	 * smaller than the info batch's minimum (Go: fixedStack). */
	if (order > 48 || ((uint64_t)1 << (order - 1)) < g->stack_align)
		return gt_err(r, ev->off,
			      "stack of %llu bytes (order %llu; the minimum "
			      "is %llu)",
			      order > 48 ? 0ull
					 : (unsigned long long)1 << (order - 1),
			      (unsigned long long)order,
			      (unsigned long long)g->stack_align);
	rc = before_op(r, ev, true);
	if (rc < 0)
		return rc;
	n = tr_remove(&g->stacks, base);
	if (n && g->snapshot) {
		tr_insert(&g->stacks, n); /* listed twice */
		return 0;
	}
	if (n) {
		gt_warn(r, ev->off,
			"stack at 0x%llx, which is live: the old stack freed "
			"first",
			(unsigned long long)base);
		p = push(r, HG_OP_STACKFREE, ev->off);
		if (!p) {
			free(n);
			return HG_ENOMEM;
		}
		obj_id(p->id, sizeof(p->id), 's', ev->args[0]);
	} else {
		n = calloc(1, sizeof(*n));
		if (!n)
			return gt_nomem(r);
		n->key = base;
		n->pri = gt_rand(&g->rng);
	}
	n->size = (uint64_t)1 << (order - 1);
	n->l = n->r = NULL;
	tr_insert(&g->stacks, n);
	if (g->snapshot)
		return 0; /* handed out later, in address order */
	p = push(r, HG_OP_STACKALLOC, ev->off);
	if (!p)
		return HG_ENOMEM;
	obj_id(p->id, sizeof(p->id), 's', ev->args[0]);
	p->size = n->size;
	p->addr = base;
	p->has_addr = true;
	return 0;
}

static int stack_free(struct hg_trace_reader *r, const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t base = g->min_addr + ev->args[0] * g->stack_align;
	struct gt_node *n = tr_remove(&g->stacks, base);
	struct gt_pending *p;
	int rc;

	if (!n) {
		gt_warn(r, ev->off,
			"free of the stack at 0x%llx, which is not live, "
			"skipped",
			(unsigned long long)base);
		return 0;
	}
	free(n);
	rc = before_op(r, ev, true);
	if (rc < 0)
		return rc;
	p = push(r, HG_OP_STACKFREE, ev->off);
	if (!p)
		return HG_ENOMEM;
	obj_id(p->id, sizeof(p->id), 's', ev->args[0]);
	return 0;
}

static const struct gt_str *find_str(struct hg_gotrace_reader *g, uint64_t id)
{
	size_t lo = 0, hi = g->nstr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->str[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->nstr && g->str[lo].id == id ? &g->str[lo] : NULL;
}

/* append_label appends s[0, n) to the mark text, control characters as
 * spaces and bytes that are not UTF-8 as '?'. */
static int append_label(struct hg_trace_reader *r, size_t *len,
			const unsigned char *s, size_t n)
{
	struct hg_gotrace_reader *g = r->gotrace;
	size_t i = 0;

	if (grow((void **)&g->mark, &g->markcap, *len + n + 1, 1) < 0)
		return gt_nomem(r);
	while (i < n) {
		unsigned char c = s[i];
		size_t k = 0, j;
		uint32_t cp;

		if (c < 0x80) {
			g->mark[(*len)++] =
				(c < 0x20 || c == 0x7f) ? ' ' : (char)c;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			cp = 0;
		}
		for (j = 1; k && j <= k; j++) {
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80) {
				k = 0;
				break;
			}
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (k && ((k == 2 &&
			   (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
			  (k == 3 && (cp < 0x10000 || cp > 0x10ffff))))
			k = 0;
		if (!k) {
			g->mark[(*len)++] = '?';
			i++;
			continue;
		}
		memcpy(g->mark + *len, s + i, k + 1);
		*len += k + 1;
		i += k + 1;
	}
	g->mark[*len] = '\0';
	return 0;
}

/* swap_mark trades the text being built (mark) and the pending one. */
static void swap_mark(struct hg_gotrace_reader *g)
{
	char *t = g->mark;
	size_t c = g->markcap;

	g->mark = g->pmark;
	g->markcap = g->pmarkcap;
	g->pmark = t;
	g->pmarkcap = c;
}

/* flush_mark queues the pending mark. */
static struct gt_pending *flush_mark(struct hg_trace_reader *r)
{
	struct hg_gotrace_reader *g = r->gotrace;

	swap_mark(g);
	g->mark_pending = false;
	return push(r, HG_OP_MARK, g->mark_off);
}

/* user_log makes a trace.Log event a mark: its message, prefixed with
 * "CATEGORY: " unless the category is "mark" or empty; control characters
 * become spaces, bytes that are not UTF-8 '?', and blanks around it go;
 * an empty label becomes "log". */
static int user_log(struct hg_trace_reader *r, const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	const struct gt_str *cat = NULL, *msg = NULL;
	size_t len = 0, lead;
	int rc;

	if (ev->args[1] && !(cat = find_str(g, ev->args[1])))
		return gt_err(r, ev->off, "trace.Log: unknown string %llu",
			      (unsigned long long)ev->args[1]);
	if (ev->args[2] && !(msg = find_str(g, ev->args[2])))
		return gt_err(r, ev->off, "trace.Log: unknown string %llu",
			      (unsigned long long)ev->args[2]);
	if (grow((void **)&g->mark, &g->markcap, 4, 1) < 0)
		return gt_nomem(r);
	g->mark[0] = '\0';
	if (cat &&
	    !(cat->len == 4 && memcmp(g->buf + cat->data, "mark", 4) == 0)) {
		if (append_label(r, &len, g->buf + cat->data, cat->len) < 0 ||
		    append_label(r, &len, (const unsigned char *)": ", 2) < 0)
			return HG_ENOMEM;
	}
	if (msg && append_label(r, &len, g->buf + msg->data, msg->len) < 0)
		return HG_ENOMEM;
	/* Trimmed, as the compact format keeps a mark's text. */
	while (len && g->mark[len - 1] == ' ')
		g->mark[--len] = '\0';
	lead = strspn(g->mark, " ");
	memmove(g->mark, g->mark + lead, len - lead + 1);
	if (!g->mark[0]) /* a mark has a text */
		memcpy(g->mark, "log", 4);
	swap_mark(g);
	if (g->mark_pending) {
		/* the last mark had no ReadMemStats: it is taken now */
		rc = before_op(r, &g->mark_ev, false);
		if (rc < 0)
			return rc;
		if (!push(r, HG_OP_MARK, g->mark_off))
			return HG_ENOMEM;
	}
	g->mark_pending = true;
	g->mark_wait = false;
	g->mark_stw = false;
	g->mark_off = ev->off;
	g->mark_m = ev->m;
	g->mark_ev = *ev;
	return 0;
}

/*
 * A mark's figures are those its program reads right after the trace.Log
 * (runtime.ReadMemStats), with the world stopped: the mark is taken inside
 * that stop-the-world (STWBegin "read mem stats" on the log's M), once the
 * world is stopped and read, at the ProcsChange its startTheWorld's
 * procresize writes (or its STWEnd), after whatever the runtime did before:
 * the other Ps' events until they stopped, a GC's mark termination that
 * held the world first.
 * When the log's M does anything else next (other than its goroutine
 * stopping or blocking, for the world another holds) the mark reads
 * nothing and is taken then; a waiting one at the next log or the end of
 * its generation at the latest.
 */
static bool is_rms(struct hg_gotrace_reader *g, const struct gt_event *ev)
{
	static const char rms[] = "read mem stats"; /* Go: stwReadMemStats */
	const struct gt_str *k;

	if (ev->type != EV_STW_BEGIN)
		return false;
	k = find_str(g, ev->args[0]);
	return k && k->len == sizeof(rms) - 1 &&
	       memcmp(g->buf + k->data, rms, k->len) == 0;
}

static int mark_stw(struct hg_trace_reader *r, const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	int rc;

	if (!g->mark_pending)
		return 0;
	if (ev->type == EV_STW_BEGIN) {
		if (is_rms(g, ev)) {
			g->mark_stw = true; /* its M stops the world */
			g->mark_wait = true;
			g->mark_m = ev->m;
		}
		return 0;
	}
	if (!g->mark_stw || ev->m != g->mark_m)
		return 0;
	rc = before_op(r, ev, false);
	if (rc < 0)
		return rc;
	return flush_mark(r) ? 0 : HG_ENOMEM;
}

/* free_os_scavenge queues FreeOSMemory's scavengeAll (`scavenge: all`). */
static int free_os_scavenge(struct hg_trace_reader *r,
			    const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	struct gt_pending *p;
	int rc = before_op(r, ev, false);

	if (rc < 0)
		return rc;
	g->fos_due = false;
	p = push(r, HG_OP_SCAVENGE, ev->off);
	if (!p)
		return HG_ENOMEM;
	p->all = true;
	return 0;
}

/*
 * scav_window queues a bgscav op for an event of the background
 * scavenger's goroutine: it runs (GoStart, or found running), leaves its
 * CPU in the middle of a run (GoStop; a GoBlock "preempted": the GC
 * suspends it to scan its stack) or blocks (any other GoBlock: park or
 * sleep, the run over). The clock goes with it to the nanosecond: the
 * model does the work that fits in each window.
 */
static bool str_is(const struct hg_gotrace_reader *g, const struct gt_str *k,
		   const char *s)
{
	return k && k->len == strlen(s) &&
	       memcmp(g->buf + k->data, s, k->len) == 0;
}

static int procs_running(struct hg_trace_reader *r, const struct gt_event *ev);

static int scav_window(struct hg_trace_reader *r, const struct gt_event *ev,
		       unsigned state)
{
	struct hg_gotrace_reader *g = r->gotrace;
	struct gt_pending *p;

	if (g->snapshot || (state == HG_BGSCAV_RUN) == g->scav_running)
		return 0;
	if (state == HG_BGSCAV_RUN) {
		int rc = procs_running(r, ev);

		if (rc < 0)
			return rc;
	}
	/* Go's traceBlockReason strings: traceBlockPreempted,
	 * traceBlockSystemGoroutine (scavengerState.park), traceBlockSleep
	 * (scavengerState.sleep) */
	if (ev->type == EV_GO_BLOCK) {
		const struct gt_str *k = find_str(g, ev->args[0]);

		if (str_is(g, k, "preempted"))
			state = HG_BGSCAV_STOP;
		else if (str_is(g, k, "system goroutine wait"))
			state = HG_BGSCAV_PARK;
	}
	if (clock_to(r, ev, 1))
		return HG_ENOMEM;
	p = push(r, HG_OP_BGSCAV, ev->off);
	if (!p)
		return HG_ENOMEM;
	p->value = state;
	g->scav_running = state == HG_BGSCAV_RUN;
	return 0;
}

/*
 * procs_running queues a running op when the number of Ps held by an M
 * (ProcStart to ProcStop or a steal: each runs a goroutine or looks for
 * one) has changed, at a Proc event or the background scavenger's start:
 * while another P runs, each release of the background scavenger costs
 * more (README "The scavengers"), so nothing is queued while its
 * goroutine is not known. The clock goes first, to the event's time.
 */
static int procs_running(struct hg_trace_reader *r, const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	struct gt_pending *p;
	uint64_t n = 0;

	if (g->snapshot || g->scav_g == GT_NO_G)
		return 0;
	for (size_t i = 0; i < g->nmst; i++)
		n += g->mst[i].p != GT_NO_P;
	if (n == g->running)
		return 0;
	if (clock_to(r, ev, 1))
		return HG_ENOMEM;
	p = push(r, HG_OP_RUNNING, ev->off);
	if (!p)
		return HG_ENOMEM;
	p->value = n;
	g->running = n;
	return 0;
}

/* handle turns one event into queued ops. */
static int handle(struct hg_trace_reader *r, const struct gt_event *ev)
{
	struct hg_gotrace_reader *g = r->gotrace;
	bool alloc_free = ev->type >= EV_SPAN;

	if (alloc_free && !g->have_info)
		return gt_err(r, ev->off,
			      "allocation event before the AllocFree info "
			      "batch");
	if (g->nwpend) {
		int rc = wbuf_settle(r, ev->m, NULL, ev);

		if (rc < 0)
			return rc;
	}
	/* FreeOSMemory's scavengeAll comes once its cycle's sweep is done:
	 * before its goroutine's next allocation, or any mark or cycle (Go:
	 * runtime.GC sweeps every span before it returns; another goroutine,
	 * such as the background scavenger making its timer, allocates
	 * while scavengeAll still runs). */
	if (g->fos_due && !g->snapshot &&
	    (((ev->type == EV_SPAN_ALLOC || ev->type == EV_HEAP_OBJECT_ALLOC ||
	       ev->type == EV_GOROUTINE_STACK_ALLOC) &&
	      (g->fos_g == GT_NO_G || cur_g(g, ev->m) == g->fos_g)) ||
	     ev->type == EV_USER_LOG || ev->type == EV_GC_BEGIN)) {
		int rc = free_os_scavenge(r, ev);

		if (rc < 0)
			return rc;
	}
	/* The log's M goes on: to its ReadMemStats' stop-the-world, or its
	 * goroutine stops or blocks first (the world is another's), or the
	 * mark reads nothing and is taken now. */
	if (g->mark_pending && !g->mark_wait && ev->m == g->mark_m &&
	    ev->type != EV_USER_LOG) {
		if (ev->type == EV_GO_STOP || ev->type == EV_GO_BLOCK) {
			g->mark_wait = true;
		} else if (!is_rms(g, ev)) {
			int rc = before_op(r, ev, false);

			if (rc < 0)
				return rc;
			if (!flush_mark(r))
				return HG_ENOMEM;
		}
	}
	/* The snapshot was handed out first; later generations have none. */
	if (!g->snapshot && !g->first_gen_done &&
	    (ev->type == EV_SPAN || ev->type == EV_HEAP_OBJECT ||
	     ev->type == EV_GOROUTINE_STACK))
		return 0;
	switch (ev->type) {
	case EV_GO_START:
		if (ev->args[0] == g->scav_g &&
		    scav_window(r, ev, HG_BGSCAV_RUN) < 0)
			return HG_ENOMEM;
		return set_g(r, ev->m, ev->args[0], ev->args[1]);
	case EV_GO_SWITCH:
	case EV_GO_SWITCH_DESTROY:
		/* the M goes on with the goroutine it switches to */
		return set_g(r, ev->m, ev->args[0], ev->args[1]);
	case EV_GO_STATUS:
	case EV_GO_STATUS_STACK:
		/* Go: tracev2.GoRunning on its M */
		if (ev->args[2] == 2 && ev->args[1] == ev->m) {
			if (ev->args[0] == g->scav_g &&
			    scav_window(r, ev, HG_BGSCAV_RUN) < 0)
				return HG_ENOMEM;
			return set_g(r, ev->m, ev->args[0], 0);
		}
		return 0;
	case EV_GO_STOP:
	case EV_GO_BLOCK:
	case EV_GO_DESTROY:
		if (g->scav_g != GT_NO_G && cur_g(g, ev->m) == g->scav_g)
			return scav_window(
				r, ev,
				ev->type == EV_GO_STOP      ? HG_BGSCAV_STOP
				: ev->type == EV_GO_DESTROY ? HG_BGSCAV_PARK
							    : HG_BGSCAV_SLEEP);
		return 0;
	case EV_PROC_START:
	case EV_PROC_STOP:
	case EV_PROC_STEAL:
	case EV_PROC_STATUS: {
		int rc = ev->type == EV_PROC_START
				 ? set_p(r, ev->m, ev->args[0], false, 0)
			 : ev->type == EV_PROC_STOP
				 ? set_p(r, ev->m, GT_NO_P, false, 0)
			 : ev->type == EV_PROC_STEAL
				 ? set_p(r, ev->args[2], GT_NO_P, true,
					 ev->args[0])
			 : ev->args[1] == PROC_RUNNING
				 ? set_p(r, ev->m, ev->args[0], false, 0)
				 : set_p(r, ev->m, GT_NO_P, true, ev->args[0]);

		return rc < 0 ? rc : procs_running(r, ev);
	}
	case EV_GC_BEGIN:
		g->fos_gc = free_os_stack(g, ev->args[1]);
		if (g->fos_gc)
			g->fos_g = cur_g(g, ev->m);
		return 0;
	case EV_GC_END: {
		/* on its P: the P that ends the cycle flushes its mcache
		 * first (Go: gcMarkTermination's startTheWorldWithSema) */
		int rc = before_op(r, ev, true);

		if (rc < 0)
			return rc;
		g->fos_due = g->fos_gc;
		g->fos_gc = false;
		return push(r, HG_OP_GC, ev->off) ? 0 : HG_ENOMEM;
	}
	case EV_USER_LOG:
		return user_log(r, ev);
	case EV_STW_BEGIN:
	case EV_STW_END:
	case EV_PROCS_CHANGE:
		return mark_stw(r, ev);
	case EV_SPAN:
	case EV_SPAN_ALLOC:
		return span_alloc(r, ev);
	case EV_SPAN_FREE:
		return span_free(r, ev);
	case EV_HEAP_OBJECT:
	case EV_HEAP_OBJECT_ALLOC:
		return object_alloc(r, ev);
	case EV_HEAP_OBJECT_FREE:
		return object_free(r, ev);
	case EV_GOROUTINE_STACK:
	case EV_GOROUTINE_STACK_ALLOC:
		return stack_alloc(r, ev);
	case EV_GOROUTINE_STACK_FREE:
		return stack_free(r, ev);
	default:
		return 0;
	}
}

/*
 * The page caches at the snapshot (Go: (*mheap).allocSpan serves a span of
 * under 16 pages from its P's pageCache, which allocToCache fills with the
 * free pages of one 64-page block, the lowest with any from searchAddr up).
 * Each P of the run has at most one current block, whose free pages at its
 * end are still in its cache; the snapshot does not say whose. P 0 runs the
 * runtime's start (mcache0, the first page cache) and the other Ps take
 * theirs when they first allocate, later and higher up: the current blocks
 * are taken as the Ps' in address order, and a block used up (no free page
 * at its end) as the P's of the next current block. The snapshot's spans
 * and stacks of a block are handed out on its P, so that each P's mcache
 * holds its own spans (a P caches one span of each class) and each P's
 * page cache its block; the free pages at the end of a current block are
 * not held, they stay in its P's cache.
 */
#define GT_CACHE_BLOCK ((uint64_t)64 * GT_PAGE_SIZE) /* Go: pageCachePages */
#define GT_CACHE_SPAN (16 * (uint64_t)GT_PAGE_SIZE)  /* pageCachePages/4 */
#define GT_MAX_PROCS 4096u

/* snap_procs: the run's Ps, one more than the highest a ProcStatus of the
 * first generation names, or what its ProcsChange (GOMAXPROCS) says. */
static int snap_procs(struct hg_trace_reader *r, uint64_t *np)
{
	struct hg_gotrace_reader *g = r->gotrace;

	*np = 1;
	for (size_t bi = 0; bi < g->nb; bi++) {
		const struct gt_batch *b = &g->b[bi];
		struct gt_event ev;
		uint64_t dt;
		size_t pos = 0;

		while (pos < b->len) {
			if (decode(r, b, &pos, &ev, &dt) < 0)
				return HG_EINVAL;
			if (ev.type == EV_PROC_STATUS &&
			    ev.args[0] < GT_MAX_PROCS && ev.args[0] + 1 > *np)
				*np = ev.args[0] + 1;
			if (ev.type == EV_PROCS_CHANGE && ev.args[0] > *np &&
			    ev.args[0] <= GT_MAX_PROCS)
				*np = ev.args[0];
		}
	}
	return 0;
}

/* snap_plan finds the snapshot's blocks and gives each its P. */
static int snap_plan(struct hg_trace_reader *r)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t nprocs, ncur = 0, next;
	struct gt_node *n;
	size_t i;
	int rc = snap_procs(r, &nprocs);

	if (rc < 0)
		return rc;
	g->nsblk = 0;
	for (n = tr_ceil(g->spans, 0); n;
	     n = n->key == UINT64_MAX ? NULL : tr_ceil(g->spans, n->key + 1)) {
		uint64_t blk = n->key / GT_CACHE_BLOCK;
		struct gt_sblock *b;

		if (n->size >= GT_CACHE_SPAN)
			continue;
		if (g->nsblk == 0 || g->sblk[g->nsblk - 1].blk != blk) {
			if (grow((void **)&g->sblk, &g->sblkcap, g->nsblk + 1,
				 sizeof(*g->sblk)) < 0)
				return gt_nomem(r);
			b = &g->sblk[g->nsblk++];
			b->blk = blk;
			b->p = 0;
			b->tail = 0;
		}
		b = &g->sblk[g->nsblk - 1];
		if (n->key + n->size > b->tail)
			b->tail = n->key + n->size;
	}
	for (i = 0; i < g->nsblk; i++) {
		struct gt_sblock *b = &g->sblk[i];
		uint64_t bend = (b->blk + 1) * GT_CACHE_BLOCK;
		struct gt_node *nx = tr_ceil(g->spans, b->tail);

		if (b->tail < bend && (!nx || nx->key >= bend) &&
		    ncur < nprocs) {
			b->p = ncur++;
		} else {
			b->tail = 0;
			b->p = GT_NO_P;
		}
	}
	next = ncur ? ncur - 1 : 0;
	for (i = g->nsblk; i-- > 0;) {
		if (g->sblk[i].p == GT_NO_P)
			g->sblk[i].p = next;
		else
			next = g->sblk[i].p;
	}
	return 0;
}

/* snap_block: the snapshot block of addr, or NULL. */
static const struct gt_sblock *snap_block(const struct hg_gotrace_reader *g,
					  uint64_t addr)
{
	uint64_t blk = addr / GT_CACHE_BLOCK;
	size_t lo = 0, hi = g->nsblk;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->sblk[mid].blk < blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->nsblk && g->sblk[lo].blk == blk ? &g->sblk[lo] : NULL;
}

/* snap_proc queues `proc` when the block of addr is another P's than the
 * one the ops run on. */
static int snap_proc(struct hg_trace_reader *r, uint64_t addr)
{
	struct hg_gotrace_reader *g = r->gotrace;
	const struct gt_sblock *b = snap_block(g, addr);
	struct gt_pending *p;

	if (!b || b->p == (g->last_p == GT_NO_P ? 0 : g->last_p))
		return 0;
	p = push(r, HG_OP_PROC, g->gen_off);
	if (!p)
		return HG_ENOMEM;
	p->value = b->p;
	g->last_p = b->p;
	return 0;
}

/*
 * emit_snapshot hands out what was live when tracing started, in address
 * order (the order a first-fit page allocator gives): per call, the live
 * objects of one span or one stack. Returns 1, or 0 when it is all out.
 */
static int emit_snapshot(struct hg_trace_reader *r)
{
	struct hg_gotrace_reader *g = r->gotrace;
	struct gt_pending *p;
	const struct gt_sblock *b;
	struct gt_node *n, *k;
	uint32_t i;

	while (g->snap_emit) {
		n = tr_ceil(g->spans, g->snap_next);
		k = tr_ceil(g->stacks, g->snap_knext);
		if (!n && !k)
			break;
		if (k && (!n || k->key <= n->key)) {
			if (k->key == UINT64_MAX)
				g->snap_emit = 0;
			g->snap_knext = k->key + 1;
			if (snap_proc(r, k->key) < 0)
				return HG_ENOMEM;
			p = push(r, HG_OP_STACKALLOC, g->gen_off);
			if (!p)
				return HG_ENOMEM;
			obj_id(p->id, sizeof(p->id), 's',
			       (k->key - g->min_addr) / g->stack_align);
			p->size = k->size;
			p->addr = k->key;
			p->has_addr = true;
			return 1;
		}
		if (n->key == UINT64_MAX)
			g->snap_emit = 0;
		g->snap_next = n->key + 1;
		if (g->snap_end && n->key > g->snap_end &&
		    n->key - g->snap_end <= GT_MAX_GAP &&
		    g->min_addr >= GT_LOW_HEAP) {
			/*
			 * The free pages between two spans of the snapshot
			 * (a P's page cache, pages freed before the trace)
			 * are held while the snapshot goes out, so that every
			 * span lands where the runtime had it: in pieces a
			 * page cache serves (under 16 pages, none across a
			 * 64-page block), as the model's P caches pages too.
			 * A heap below 4 GiB (js/wasm's linear memory, 32-bit
			 * ports) shares its addresses with the runtime's
			 * other memory (the tracer's buffers): a hole there
			 * need not be heap pages, and is not held.
			 */
			/* Whole pages only: a stack of the snapshot can end
			 * inside one. */
			uint64_t at =
				g->min_addr +
				(g->snap_end - g->min_addr + g->page_size - 1) /
					g->page_size * g->page_size;

			while (at < n->key) {
				uint64_t blk = GT_PAGE_SIZE * 64,
					 end = (at / blk + 1) * blk;

				if (end > at + GT_GAP_PIECE)
					end = at + GT_GAP_PIECE;
				if (end > n->key)
					end = n->key;
				b = snap_block(g, at);
				if (b && b->tail && at >= b->tail) {
					at = end; /* in its P's page cache */
					continue;
				}
				if (snap_proc(r, at) < 0)
					return HG_ENOMEM;
				if (grow((void **)&g->gaps, &g->gapcap,
					 g->ngaps + 1, sizeof(*g->gaps)) < 0)
					return gt_nomem(r);
				p = push(r, HG_OP_ALLOC, g->gen_off);
				if (!p)
					return HG_ENOMEM;
				obj_id(p->id, sizeof(p->id), 'g',
				       (at - g->min_addr) / g->page_size);
				p->size = end - at;
				g->gaps[g->ngaps++] = at;
				at = end;
			}
			g->snap_next = n->key;
			g->snap_end = n->key;
			return 1;
		}
		if (n->key + n->size > g->snap_end)
			g->snap_end = n->key + n->size;
		if (n->size < GT_CACHE_SPAN && snap_proc(r, n->key) < 0)
			return HG_ENOMEM;
		if (n->manual && !(n->size & (n->size - 1)) &&
		    !(k && k->key - n->key < n->size)) {
			/* A stack span holding no goroutine's stack (the
			 * threads' g0 and signal stacks) or a GC work
			 * buffer: one stack of its size. */
			p = push(r, HG_OP_STACKALLOC, g->gen_off);
			if (!p)
				return HG_ENOMEM;
			obj_id(p->id, sizeof(p->id), 'm',
			       (n->key - g->min_addr) / g->page_size);
			p->size = n->size;
			p->addr = n->key;
			p->has_addr = true;
			n->stacked = true;
			return 1;
		}
		for (i = 0; i < n->nelems; i++) {
			uint64_t addr = n->key + (uint64_t)i * n->elemsize;

			if (!(n->live[i / 64] >> (i % 64) & 1))
				continue;
			p = push(r, HG_OP_NEW, g->gen_off);
			if (!p)
				return HG_ENOMEM;
			obj_id(p->id, sizeof(p->id), 'o',
			       (addr - g->min_addr) / g->heap_align);
			p->size = object_size(n);
			p->noscan = n->noscan;
			p->addr = addr;
			p->has_addr = true;
		}
		if (g->npend)
			return 1;
		if (!n->manual) {
			/* An in-use heap span with no object (cached, all
			 * free): held as a span so that its pages stay in
			 * use, until an object lands in it. */
			p = push(r, HG_OP_ALLOC, g->gen_off);
			if (!p)
				return HG_ENOMEM;
			obj_id(p->id, sizeof(p->id), 'h',
			       (n->key - g->min_addr) / g->page_size);
			p->size = n->size;
			p->addr = n->key;
			p->has_addr = true;
			n->held = true;
			return 1;
		}
	}
	return 0;
}

/*
 * conflicts tells whether ev allocates memory the live tables still hold:
 * a span over a live span, an object in a live slot (other than a tiny
 * block), a live stack. It happens when another M's free of that memory
 * carries the same or a later timestamp (the runtime's clock ticks are
 * coarser than a sweep's events, and it moves a timestamp that does not
 * advance forward by one tick).
 */
static bool conflicts(struct hg_gotrace_reader *g, const struct gt_event *ev)
{
	uint64_t base;
	struct gt_node *s;
	uint32_t slot = 0;

	if (!g->have_info)
		return false;
	switch (ev->type) {
	case EV_SPAN_ALLOC:
		if (ev->args[1] == 0 || ev->args[1] > ((uint64_t)1 << 40))
			return false;
		base = g->min_addr + ev->args[0] * g->page_size;
		if (ev->args[1] > (UINT64_MAX - base) / g->page_size)
			return false;
		s = tr_floor(g->spans, base + ev->args[1] * g->page_size - 1);
		return s && s->key + s->size > base;
	case EV_HEAP_OBJECT_ALLOC:
		base = g->min_addr + ev->args[0] * g->heap_align;
		s = find_slot(g, base, &slot);
		return s && !tiny_span(s) && !(s->first && slot == 0) &&
		       (s->live[slot / 64] >> (slot % 64) & 1) &&
		       base == s->key + (uint64_t)slot * s->elemsize;
	case EV_GOROUTINE_STACK_ALLOC:
		base = g->min_addr + ev->args[0] * g->stack_align;
		s = tr_floor(g->stacks, base);
		return s && s->key == base;
	default:
		return false;
	}
}

/*
 * freer finds the M whose next event frees the memory that allocation ev
 * (which conflicts) finds live, traced no later than ev: a free of an
 * object of the span ev's object or span lies in, or of a stack in it, or
 * that span's SpanFree; for a stack, that stack's free. Returns its index
 * in the heap (the earliest such free), 0 when none. The runtime gives an
 * allocation only swept memory: an mcache takes a span once its sweep
 * (its HeapObjectFrees, then its new allocation bits) is done (Go:
 * mcentral.cacheSpan, mspan.sweep, go1.26), and pages once freeSpan gave
 * them back; so the allocation proves the free done. That M's next other
 * event (the key of the free) can come much later: a free made with the
 * world stopped (startTheWorldWithSema's procresize flushes its P's
 * mcache, sweeping its stale spans, then starts the other Ps before it
 * traces STWDone) or an M the OS took the CPU from after its sweep.
 */
static size_t freer(struct hg_gotrace_reader *g, const struct gt_event *ev)
{
	uint64_t span = 0, stack = 0, base;
	const struct gt_node *s;
	uint32_t slot = 0;
	size_t best = 0;

	switch (ev->type) {
	case EV_HEAP_OBJECT_ALLOC:
		s = find_slot(g, g->min_addr + ev->args[0] * g->heap_align,
			      &slot);
		if (!s)
			return 0;
		span = s->key;
		break;
	case EV_SPAN_ALLOC:
		/* (conflicts checked the size) */
		base = g->min_addr + ev->args[0] * g->page_size;
		s = tr_floor(g->spans, base + ev->args[1] * g->page_size - 1);
		if (!s)
			return 0;
		span = s->key;
		break;
	case EV_GOROUTINE_STACK_ALLOC:
		stack = g->min_addr + ev->args[0] * g->stack_align;
		break;
	default:
		return 0;
	}
	for (size_t k = 1; k < g->nheap; k++) {
		const struct gt_event *f = &g->heap[k]->ev;

		if (!frees_later(f->type) || f->ts > ev->ts)
			continue;
		if (stack ? f->type != EV_GOROUTINE_STACK_FREE ||
				    g->min_addr + f->args[0] * g->stack_align !=
					    stack
			  : freed_span(g, f) != span)
			continue;
		if (!best || f->ts < g->heap[best]->ev.ts)
			best = k;
	}
	return best;
}

static void heap_up(struct hg_gotrace_reader *g, size_t i)
{
	while (i > 0 && heap_less(g->heap[i], g->heap[(i - 1) / 2])) {
		struct gt_cursor *t = g->heap[i];

		g->heap[i] = g->heap[(i - 1) / 2];
		g->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

/*
 * A goroutine stopped in runtime.postMallocgcDebug (preempted at its
 * prologue, the top frame of the stop's stack) already has its object:
 * mallocgc took the slot from its P's mcache, and traces it only when the
 * goroutine runs again (Go: mallocgc, then postMallocgcDebug's
 * HeapObjectAlloc, go1.26), maybe on another M (another P took its M's P
 * meanwhile: limit-go126-p2, event 6964, the main goroutine preempted on
 * P1 by a fractional GC worker, resumed on P0, where it traces the object
 * P1's mcache gave). Its next run is the GoStart that carries its next
 * sequence number (Go: internal/trace order.go, advanceGoStart: a
 * goroutine's GoStart is the successor of its last GoStart, GoSwitch or
 * GoStatus), on any M; an earlier or later GoStart of it (its run before
 * the stop, on the M that had it, or a later run, after another stop)
 * tells nothing about this object. When that GoStart comes within
 * GT_STOP_LOOK events of its M (a bound on the work per stop; look_left
 * bounds that of all the stops of the generation by its size) and the
 * goroutine's first event there is an allocation in a span live now, that
 * allocation is handed out at the stop, on the stop's M and P, before
 * what came in between (a GC's mcache flush, a sweep of its span on
 * another M, other goroutines' allocations), and skipped when its M
 * reaches it. stop is the event, its M's cursor already past it. Returns
 * 1 or an error.
 */
static int stopped_in_malloc(struct hg_trace_reader *r,
			     const struct gt_event *stop)
{
	struct hg_gotrace_reader *g = r->gotrace;
	size_t lo = mst_index(g, stop->m);
	uint64_t gid = GT_NO_G, seq = 0;
	int rc;

	if (lo < g->nmst && g->mst[lo].m == stop->m) {
		gid = g->mst[lo].g;
		seq = g->mst[lo].gseq + 1;
	}
	rc = handle(r, stop);
	if (rc < 0)
		return rc;
	if (gid == GT_NO_G)
		return 1;
	for (size_t k = 0; k < g->nheap; k++) {
		struct gt_cursor *d = g->heap[k], t = *d;
		struct gt_event h;
		uint32_t slot;
		unsigned n;

		for (n = 0; n < GT_STOP_LOOK; n++) {
			if (t.ev.type == EV_GO_START && t.ev.args[0] == gid &&
			    t.ev.args[1] == seq)
				break;
			if (g->look_left == 0 || next_event_raw(r, &t) <= 0) {
				n = GT_STOP_LOOK;
				break;
			}
			g->look_left--;
		}
		if (n == GT_STOP_LOOK)
			continue;
		/* found: the only one of the generation */
		if (d->skip_off || next_event_raw(r, &t) <= 0 ||
		    t.ev.type != EV_HEAP_OBJECT_ALLOC)
			return 1;
		/* Only an object whose span is live at the stop was taken
		 * before it; a later one (its span allocated after the
		 * stop) stays where it is. */
		if (!find_slot(g, g->min_addr + t.ev.args[0] * g->heap_align,
			       &slot))
			return 1;
		h = t.ev;
		h.ts = stop->ts;
		h.m = stop->m;
		d->skip_off = h.off;
		rc = handle(r, &h);
		return rc < 0 ? rc : 1;
	}
	return 1;
}

/* step handles the next event. Returns 1, 0 at the end of the trace,
 * or an error. */
static int step(struct hg_trace_reader *r)
{
	struct hg_gotrace_reader *g = r->gotrace;
	struct gt_event ev;
	int rc;

	if (g->snapshot) {
		/* The first generation's *Exists events, in batch order. */
		while (g->snap_bi < g->nb) {
			const struct gt_batch *b = &g->b[g->snap_bi];
			uint64_t dt;

			if (g->snap_pos >= b->len) {
				g->snap_bi++;
				g->snap_pos = 0;
				continue;
			}
			if (decode(r, b, &g->snap_pos, &ev, &dt) < 0)
				return HG_EINVAL;
			if (ev.type == EV_SPAN || ev.type == EV_HEAP_OBJECT ||
			    ev.type == EV_GOROUTINE_STACK) {
				rc = handle(r, &ev);
				return rc < 0 ? rc : 1;
			}
		}
		g->snapshot = false;
		g->snap_emit = true;
		rc = snap_plan(r);
		if (rc < 0)
			return rc;
		g->snap_next = 0;
		g->snap_knext = 0;
	}
	if (g->snap_emit) {
		size_t i;

		rc = emit_snapshot(r);
		if (rc != 0)
			return rc;
		g->snap_emit = false;
		/* The holes are free pages again. */
		for (i = 0; i < g->ngaps; i++) {
			struct gt_pending *p = push(r, HG_OP_FREE, g->gen_off);

			if (!p)
				return HG_ENOMEM;
			obj_id(p->id, sizeof(p->id), 'g',
			       (g->gaps[i] - g->min_addr) / g->page_size);
		}
		g->ngaps = 0;
		/*
		 * The snapshot is the heap StartTrace saw with the world
		 * stopped; the tracer's own memory comes now, before any
		 * event of the trace (Go: StartTrace; core/runtime_meta.c).
		 * Every trace this importer reads has the AllocFree events.
		 */
		{
			struct gt_pending *p =
				push(r, HG_OP_TRACESTART, g->gen_off);

			if (!p)
				return HG_ENOMEM;
			p->value = HG_TRACE_ALLOCFREE;
		}
		return 1;
	}
	if (g->nheap == 0) {
		rc = wbuf_settle(r, UINT64_MAX, NULL, NULL);
		if (rc < 0)
			return rc;
		if (g->npend)
			return 1;
		/* A mark waits for its ReadMemStats within its generation. */
		if (g->mark_pending) {
			rc = before_op(r, &g->mark_ev, false);
			if (rc < 0)
				return rc;
			return flush_mark(r) ? 1 : HG_ENOMEM;
		}
		g->first_gen_done = true;
		rc = read_generation(r);
		if (rc == 0 && g->fos_due) {
			/* The trace ends after FreeOSMemory's cycle. */
			struct gt_pending *p = push(r, HG_OP_SCAVENGE, g->off);

			if (!p)
				return HG_ENOMEM;
			p->all = true;
			g->fos_due = false;
			return 1;
		}
		return rc;
	}
	{
		struct gt_cursor *c = g->heap[0];
		size_t i = 0;

		/* An allocation of memory still live comes after the free
		 * another M traced before it (freer); else it waits, up to
		 * 1 ms of the trace's clock, for the other Ms' events. */
		if (g->nheap > 1 && conflicts(g, &c->ev)) {
			size_t k = freer(g, &c->ev);

			if (k == 0) {
				k = g->nheap > 2 && heap_less(g->heap[2],
							      g->heap[1])
					    ? 2
					    : 1;
				if (g->heap[k]->key > c->key + g->freq / 1000)
					k = 0;
			}
			if (k) {
				i = k;
				c = g->heap[k];
			}
		} else if (g->nheap > 1 && stops_world(c->ev.type)) {
			/* The frees traced before it are done (they run on
			 * the system stack, which the world's stop waits
			 * for): the earliest first. */
			uint64_t at = c->ev.ts;
			size_t k;

			for (k = 1; k < g->nheap; k++) {
				struct gt_cursor *d = g->heap[k];

				if (frees_later(d->ev.type) &&
				    (d->ev.ts < at || (d->ev.ts == at && !i))) {
					i = k;
					c = d;
					at = d->ev.ts;
				}
			}
		}
		ev = c->ev;
		rc = next_event(r, c);
		if (rc < 0)
			return rc;
		if (rc == 0)
			g->heap[i] = g->heap[--g->nheap];
		if (i < g->nheap) {
			heap_up(g, i);
			heap_down(g, i);
		}
		if (ev.type == EV_GO_STOP &&
		    has_id(g->pmd, g->npmd, ev.args[1]))
			return stopped_in_malloc(r, &ev);
	}
	rc = handle(r, &ev);
	return rc < 0 ? rc : 1;
}

/* ------------------------------------------------------------------ */
/* Reader interface                                                    */
/* ------------------------------------------------------------------ */

int hg__gotrace_detect(struct hg_trace_reader *r)
{
	struct hg_src *s = &r->src;

	while (s->len - s->pos < 6 && !s->eof) {
		if (hg__src_fill(s) < 0) {
			hg_diag_set(r->d, NULL, 0, 0, "%s", s->err);
			return hg__src_error(s);
		}
	}
	return s->len - s->pos >= 6 &&
	       memcmp(s->buf + s->pos, "go 1.", 5) == 0 &&
	       s->buf[s->pos + 5] >= '0' && s->buf[s->pos + 5] <= '9';
}

/*
 * heap_padding: Go 1.26 marks a random number of pages at the start of the
 * first chunk allocated when it randomises the heap base (Go: mheap.go
 * (*mheap).grow, markRandomPaddingPages, go1.26); the first span then
 * starts right after them, and minPageHeapAddr is that chunk's start. The
 * lowest span of the snapshot (span ids are its page index from there)
 * gives the padding, which the trace hands to the model as its config key
 * heap_padding (share/doc/go-trace.md). Nothing when it is 0.
 */
static int heap_padding(struct hg_trace_reader *r)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t low = UINT64_MAX;
	char v[24];

	if (g->ver < 26)
		return 0;
	for (size_t bi = 0; bi < g->nb; bi++) {
		const struct gt_batch *b = &g->b[bi];
		struct gt_event ev;
		uint64_t dt;
		size_t pos = 0;

		while (pos < b->len) {
			if (decode(r, b, &pos, &ev, &dt) < 0)
				return HG_EINVAL;
			if (ev.type == EV_SPAN && ev.args[0] < low)
				low = ev.args[0];
		}
	}
	if (low == 0 || low == UINT64_MAX || low >= (4u << 20) / GT_PAGE_SIZE)
		return 0;
	snprintf(v, sizeof(v), "%llu",
		 (unsigned long long)(low * g->page_size));
	return hg__add_setting(&r->info.config, &r->info.nconfig,
			       &r->config_cap, "heap_padding", v, strlen(v), 0,
			       0, r->d);
}

/*
 * trace_platform: the platform the program ran on, from what its stack
 * frames name (share/doc/go-trace.md). A frame's file or function that
 * only a js/wasm or wasip1/wasm build has (Go 1.23-1.26: the runtime's
 * lock_js.go, mem_js.go, note_js.go, os_js.go, rt0_js_wasm.s,
 * lock_wasip1.go, mem_wasip1.go, netpoll_wasip1.go, os_wasip1.go,
 * rt0_wasip1_wasm.s; package syscall/js) gives the trace that platform
 * as its config key platform, so the replay has that platform's defaults
 * (an explicit --platform or a config file's key still wins). Nothing
 * for a trace with none of them: the default platform, linux/amd64.
 */
static const struct {
	const char *name; /* a file (a path's last elements) or a func prefix */
	bool func;
	const char *platform;
} gt_platform_sign[] = {
	{ "runtime/lock_js.go", false, "js/wasm" },
	{ "runtime/mem_js.go", false, "js/wasm" },
	{ "runtime/note_js.go", false, "js/wasm" },
	{ "runtime/os_js.go", false, "js/wasm" },
	{ "runtime/rt0_js_wasm.s", false, "js/wasm" },
	{ "syscall/js/js.go", false, "js/wasm" },
	{ "syscall/js/func.go", false, "js/wasm" },
	{ "syscall/js.", true, "js/wasm" },
	{ "runtime/lock_wasip1.go", false, "wasip1/wasm" },
	{ "runtime/mem_wasip1.go", false, "wasip1/wasm" },
	{ "runtime/netpoll_wasip1.go", false, "wasip1/wasm" },
	{ "runtime/os_wasip1.go", false, "wasip1/wasm" },
	{ "runtime/rt0_wasip1_wasm.s", false, "wasip1/wasm" },
};

#define GT_NSIGN (sizeof(gt_platform_sign) / sizeof(gt_platform_sign[0]))

/* platform_sign is the sign s names as a file (file) or a function (not
 * file), or -1. A file matches at the end of its path, after a '/'. */
static int platform_sign(const unsigned char *s, size_t len, bool file)
{
	for (size_t k = 0; k < GT_NSIGN; k++) {
		const char *nm = gt_platform_sign[k].name;
		size_t n = strlen(nm);

		if (gt_platform_sign[k].func == file || len < n)
			continue;
		if (file ? memcmp(s + len - n, nm, n) == 0 &&
				    (len == n || s[len - n - 1] == '/')
			 : memcmp(s, nm, n) == 0)
			return (int)k;
	}
	return -1;
}

static int trace_platform(struct hg_trace_reader *r)
{
	struct hg_gotrace_reader *g = r->gotrace;
	const char *plat = NULL;

	for (size_t i = 0; i < g->nstk; i++) {
		const unsigned char *p = g->buf + g->stk[i].data;
		size_t pos = 1, n = g->stk[i].len;

		/* The structure was checked when the batch was read. */
		while (pos < n) {
			uint64_t id = 0, nfr = 0, v[4];

			pos++; /* EV_STACK */
			mem_uvarint(p, n, &pos, &id);
			mem_uvarint(p, n, &pos, &nfr);
			for (uint64_t f = 0; f < nfr; f++) {
				for (unsigned k = 0; k < 4; k++)
					mem_uvarint(p, n, &pos, &v[k]);
				for (unsigned k = 1; k <= 2; k++) {
					const struct gt_str *s =
						find_str(g, v[k]);
					const char *sp;
					int sg;

					if (!s)
						continue;
					sg = platform_sign(g->buf + s->data,
							   s->len, k == 2);
					if (sg < 0)
						continue;
					sp = gt_platform_sign[sg].platform;
					if (plat && strcmp(plat, sp) != 0)
						return 0; /* signs disagree */
					plat = sp;
				}
			}
		}
	}
	if (!plat)
		return 0;
	return hg__add_setting(&r->info.config, &r->info.nconfig,
			       &r->config_cap, "platform", plat, strlen(plat),
			       0, 0, r->d);
}

/*
 * heap_base: a Go 1.26 run that randomised its heap base has its first
 * chunk, minPageHeapAddr, away from the fixed hints' 0x00c0<<32 (amd64)
 * and 0x0040<<32 (arm64) (Go: mallocinit, randomizeHeapBase, go1.26).
 * The trace hands that chunk to the model as its config key heap_base,
 * so the replay's spans land at the run's addresses
 * (share/doc/go-trace.md). Nothing for a fixed base.
 */
static int heap_base(struct hg_trace_reader *r)
{
	struct hg_gotrace_reader *g = r->gotrace;
	uint64_t low40 = g->min_addr & ((UINT64_C(1) << 40) - 1);
	char v[24];

	if (g->ver < 26 || g->min_addr == 0 || g->min_addr % (4u << 20) != 0 ||
	    low40 == UINT64_C(0xc000000000) || low40 == UINT64_C(0x4000000000))
		return 0;
	snprintf(v, sizeof(v), "0x%llx", (unsigned long long)g->min_addr);
	return hg__add_setting(&r->info.config, &r->info.nconfig,
			       &r->config_cap, "heap_base", v, strlen(v), 0, 0,
			       r->d);
}

int hg__gotrace_open(struct hg_trace_reader *r)
{
	struct hg_gotrace_reader *g;
	unsigned char hdr[GT_HEADER_LEN];
	unsigned ver = 0;
	size_t i;
	int rc;

	g = calloc(1, sizeof(*g));
	if (!g)
		return gt_nomem(r);
	r->gotrace = g;
	g->rng = 0x9e3779b9u;
	g->last_p = GT_NO_P;
	g->scav_g = GT_NO_G;
	g->fos_g = GT_NO_G;
	g->spill = malloc(GT_MAX_BATCH);
	if (!g->spill)
		return gt_nomem(r);
	rc = src_bytes(r, hdr, sizeof(hdr), "header");
	if (rc < 0) {
		gt_err(r, 0,
		       "truncated trace: the Go trace header is cut "
		       "short");
		return rc;
	}
	/* "go 1.NN trace\0\0\0" (Go: internal/trace/version) */
	for (i = 5; i < 7 && hdr[i] >= '0' && hdr[i] <= '9'; i++)
		ver = ver * 10 + (unsigned)(hdr[i] - '0');
	if (i != 7 || memcmp(hdr, "go 1.", 5) != 0 ||
	    memcmp(hdr + 7, " trace\0\0\0", 9) != 0) {
		char q[40];

		return gt_err(r, 0, "bad Go trace header '%s'",
			      hg__quote(q, sizeof(q), (const char *)hdr, 13));
	}
	if (ver != 23 && ver != 25 && ver != 26) {
		return gt_err(r, 0,
			      "Go trace format go 1.%u is not supported (go "
			      "1.23, 1.25 and 1.26 are: Go 1.23 to 1.27 with "
			      "GODEBUG=traceallocfree=1)",
			      ver);
	}
	g->ver = ver;
	snprintf(r->info.description, sizeof(r->info.description),
		 "imported from a Go execution trace (format go 1.%u)", ver);
	rc = read_generation(r);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return gt_err(r, GT_HEADER_LEN, "the trace has no events");
	/* The trace has every cycle (GCBegin) and its marks read MemStats. */
	if ((rc = hg__add_go_run_settings(r)) < 0)
		return rc;
	/* The background scavenger runs when its goroutine did (bgscav). */
	if ((rc = hg__add_setting(&r->info.config, &r->info.nconfig,
				  &r->config_cap, "scavenger_pace", "trace", 5,
				  0, 0, r->d)) < 0)
		return rc;
	if ((rc = trace_platform(r)) != 0)
		return rc;
	if ((rc = heap_base(r)) != 0)
		return rc;
	return heap_padding(r);
}

int hg__gotrace_next_op(struct hg_trace_reader *r, struct hg_op *op,
			unsigned *line, unsigned *col)
{
	struct hg_gotrace_reader *g = r->gotrace;
	struct gt_pending *p;
	int rc;

	while (g->pendhead == g->npend) {
		g->pendhead = g->npend = 0;
		rc = step(r);
		if (rc <= 0)
			return rc;
	}
	p = &g->pend[g->pendhead++];
	op->kind = p->kind;
	if (p->id[0]) {
		if (hg__reader_str(&r->id, &r->idcap, p->id, strlen(p->id)) < 0)
			return gt_nomem(r);
		op->id = r->id;
	}
	if (p->kind == HG_OP_MARK) {
		if (hg__reader_str(&r->text, &r->textcap, g->mark,
				   strlen(g->mark)) < 0)
			return gt_nomem(r);
		op->text = r->text;
	}
	op->size = p->size;
	op->value = p->value;
	op->addr = p->addr;
	op->has_addr = p->has_addr;
	op->noscan = p->noscan;
	op->all = p->all;
	/* Every free the trace records is the sweeper's (Go: mgcsweep.go
	 * (*sweepLocked).sweep, go1.26, traces each dead object it frees; a
	 * span freed with objects in it and a slot allocated again were swept
	 * too): the slot is free now, not at the next gc. */
	op->swept = p->kind == HG_OP_DEL;
	*line = p->off <= UINT_MAX ? (unsigned)p->off : 0;
	*col = 0;
	return 1;
}

void hg__gotrace_close(struct hg_trace_reader *r)
{
	struct hg_gotrace_reader *g = r->gotrace;

	if (!g)
		return;
	tr_free(g->spans);
	tr_free(g->stacks);
	free(g->buf);
	free(g->b);
	free(g->str);
	free(g->stk);
	free(g->fos);
	free(g->pmd);
	free(g->bgs);
	free(g->ms);
	free(g->spill);
	free(g->cur);
	free(g->heap);
	free(g->mst);
	free(g->pend);
	free(g->gaps);
	free(g->sblk);
	free(g->mark);
	free(g->pmark);
	free(g);
	r->gotrace = NULL;
}
