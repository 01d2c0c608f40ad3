/*
 * import_text.c - the importers of two text logs of real programs, read as
 * streams of heapgrow ops (share/doc/real-traces.md describes both):
 *
 *   go-allocfreetrace: the standard error of a Go 1.22-or-older program
 *     run with GODEBUG=allocfreetrace=1:
 *	tracealloc(0xc000016010, 0x10, *runtime.p)   (type optional)
 *	tracefree(0xc000016010, 0x10)
 *	tracegc()
 *     each followed by goroutine stacks (tracegc's end at "end tracegc"),
 *     and the program's own "MARK label" lines. Anything else is skipped.
 *
 *   mtrace: a glibc mtrace() log:
 *	= Start
 *	@ ./prog:[0x113e] + 0x5645 0x200
 *	@ ./prog:[0x1150] < 0x5645
 *	@ ./prog:[0x1150] > 0x5700 0x400
 *	@ ./prog:[0x1162] - 0x5700
 *
 * Every allocation becomes a new op whose id is its address ("0x5645")
 * and whose addr is that recorded address; a free becomes a del. An
 * address allocated again while still live means the log missed its
 * free: the old object dies first (a del, then the new). A free of an
 * address that is not live is skipped and counted (hg_trace_warning).
 * A C program has no garbage collector, and a Go heap reuses a freed slot
 * only after the next GC: the mtrace importer writes no gc event, so the
 * replay gets its cycles from the model's pacer (config key gc, paced by
 * default for a trace without gc events). Memory is the line buffer and
 * one table of the live addresses.
 */
#include "trace_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Live addresses: open addressing, backward-shift deletion            */
/* ------------------------------------------------------------------ */

struct live_slot {
	uint64_t addr; /* 0 = empty: no allocator returns address 0 */
	uint64_t size; /* 0: an mtrace malloc(0), which gave no op */
};

struct live_table {
	struct live_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t count;
};

static size_t live_hash(const struct live_table *t, uint64_t addr)
{
	return (size_t)((addr * UINT64_C(0x9e3779b97f4a7c15)) >> 32) &
	       (t->cap - 1);
}

static struct live_slot *live_find(const struct live_table *t, uint64_t addr)
{
	size_t i;

	if (!t->cap)
		return NULL;
	for (i = live_hash(t, addr); t->slots[i].addr;
	     i = (i + 1) & (t->cap - 1))
		if (t->slots[i].addr == addr)
			return &t->slots[i];
	return NULL;
}

static int live_grow(struct live_table *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 1024;
	struct live_slot *ns = calloc(ncap, sizeof(*ns));
	struct live_table nt = { ns, ncap, 0 };

	if (!ns)
		return HG_ENOMEM;
	for (size_t i = 0; i < t->cap; i++) {
		size_t j;

		if (!t->slots[i].addr)
			continue;
		for (j = live_hash(&nt, t->slots[i].addr); ns[j].addr;
		     j = (j + 1) & (ncap - 1))
			;
		ns[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
	return 0;
}

/* live_put adds addr, which is not present. */
static int live_put(struct live_table *t, uint64_t addr, uint64_t size)
{
	size_t i;

	if ((t->count + 1) * 2 > t->cap && live_grow(t) < 0)
		return HG_ENOMEM;
	for (i = live_hash(t, addr); t->slots[i].addr;
	     i = (i + 1) & (t->cap - 1))
		;
	t->slots[i].addr = addr;
	t->slots[i].size = size;
	t->count++;
	return 0;
}

/*
 * live_add finds addr, or adds it with size 0, with one probe: *found
 * tells which. NULL: no memory. The table grows when live_put would (only
 * for an address that is not present).
 */
static struct live_slot *live_add(struct live_table *t, uint64_t addr,
				  bool *found)
{
	size_t i;

	if ((t->count + 1) * 2 > t->cap) {
		struct live_slot *s = live_find(t, addr);

		if ((*found = s != NULL))
			return s;
		if (live_grow(t) < 0)
			return NULL;
	}
	for (i = live_hash(t, addr); t->slots[i].addr;
	     i = (i + 1) & (t->cap - 1)) {
		if (t->slots[i].addr == addr) {
			*found = true;
			return &t->slots[i];
		}
	}
	*found = false;
	t->slots[i].addr = addr;
	t->slots[i].size = 0;
	t->count++;
	return &t->slots[i];
}

static void live_del(struct live_table *t, struct live_slot *s)
{
	size_t mask = t->cap - 1, i = (size_t)(s - t->slots), j = i;

	/* Shift back every later entry of the cluster that may sit in the
	 * hole, so lookups need no tombstones. */
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!t->slots[j].addr)
			break;
		home = live_hash(t, t->slots[j].addr);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].addr = 0;
	t->slots[i].size = 0;
	t->count--;
}

/* ------------------------------------------------------------------ */
/* The reader                                                          */
/* ------------------------------------------------------------------ */

/* One op waiting to be handed out (a line may give a del and a new). */
struct pending {
	enum hg_op_kind kind;
	uint64_t addr, size; /* stacks: addr is the stack's id */
	uint64_t at;         /* stackalloc: the recorded address, if has_addr */
	bool has_addr;
	bool noscan;
	char *text; /* mark: its label (owned) */
	unsigned line, col;
};

#define AFL_MAX_PROCS 256 /* Ps the importer follows */
#define AFL_PAGE_SIZE 8192u
#define AFL_PCACHE_SHIFT 19 /* pageCachePages (64) * pageSize */
#define AFL_PCACHE_SPAN_MAX (16u * AFL_PAGE_SIZE) /* pageCachePages / 4 */

/* What a held MARK waits for (mark_insert): the next record, the end of
 * a tracegc dump, a goroutine's next record. */
enum { MK_NONE, MK_NEXT, MK_DUMP, MK_GOID };

/* A goroutine of a go-allocfreetrace log with tracebacks (afl_block_end). */
struct afl_g {
	uint64_t goid;
	uint64_t stack; /* its stack's id */
	uint64_t size;  /* bytes */
	uint64_t hi;    /* the stack's top, 0 while not known */
	uint64_t gcs;   /* the gc count when last seen */
	uint64_t epoch; /* the tracegc dump it was last listed in */
};

/* A growable list of stack ids (afl_block_end). */
struct idlist {
	uint64_t *v;
	size_t head, len, cap;
};

struct afl_mc {
	uint64_t addr, epoch;
};

struct hg_textimp_reader {
	bool mtrace;       /* else go-allocfreetrace */
	bool records;      /* a tracealloc, tracefree or tracegc seen */
	bool in_long_line; /* skipping the rest of an overlong line */
	unsigned lineno;   /* of the current line */
	const char *line;  /* current line, in the source buffer */
	size_t len;
	struct live_table live;
	struct live_table pages; /* go-allocfreetrace: afl_noscan */
	struct pending *q;       /* a ring of qcap (a power of two) */
	size_t qhead, qlen, qcap;
	bool nomem;            /* a push found no memory */
	unsigned realloc_line; /* mtrace: the line of a '<' awaiting '>' */
	unsigned m_gs;         /* runtime.g allocations an M still makes */
	uint64_t main_stack;   /* the main goroutine's stack id, + 1 */
	bool main_grown;       /* its stack has grown to 4 KiB */
	bool wbuf;             /* the GC's work-buffer span given */
	uint64_t nstacks;      /* stacks inferred so far (their ids) */
	/* go-allocfreetrace: the byte length of each "ENV NAME=VALUE" line
	 * before the first record (the program's environment, as the
	 * recording script gave it), replayed as goenvs' copy before the
	 * first record's ops: env_next 0 is the []string, k the k-th string */
	uint64_t *envlen;
	size_t nenv, envcap, env_next;
	unsigned env_line; /* of the first ENV line */
	bool env_pending;
	/* go-allocfreetrace tracebacks: the goroutines seen (goids: goid + 1
	 * to the index in gs), the traceback being read, the 2 KiB stacks
	 * of runtime.g allocations no goroutine was seen with yet (fresh),
	 * the stacks of dead goroutines' gs kept for reuse (gfree), the
	 * dead gs without a stack (gfree_nostack), the tracegc dumps
	 * (epoch) and cycles (ngc) so far */
	bool tracebacks;
	struct afl_g *gs;
	size_t ngs, gscap;
	struct live_table goids;
	struct idlist fresh, gfree;
	uint64_t gfree_nostack;
	uint64_t epoch, ngc;
	bool in_dump;
	bool blk; /* a goroutine's traceback is being read */
	uint64_t blk_goid, blk_sp, blk_fp;
	unsigned blk_frames, blk_line;
	bool blk_goexit, blk_elided;
	bool frame_goexit;  /* the last function line was goexit's */
	bool frame_named;   /* a function line awaits its fp/sp line */
	unsigned push_line; /* if not 0, the line of the ops pushed */
	bool blk_rms;       /* a frame of runtime.ReadMemStats */
	bool fos_due;       /* FreeOSMemory's scavengeAll to come */
	uint64_t scav_goid; /* the bgscavenge goroutine + 1, 0: unknown */
	/* A MARK held until the log shows when its MemStats were read
	 * (afl_mark_line): its label and line, what it waits for (mk), the
	 * queue position it goes to in a tracegc dump (mk_qpos), the
	 * goroutine that was in ReadMemStats (mk_goid); hold: no op is
	 * handed out while a dump is read; rec_hold: nor while the record
	 * at queue position rec_qpos waits for its goroutine's header */
	int mk;
	char *mk_text;
	unsigned mk_line;
	size_t mk_qpos, rec_qpos;
	uint64_t mk_goid;
	bool mk_found, hold, rec_hold;
	bool blk_rec; /* the traceback is of the record at rec_qpos */
	/* The Ps (afl_proc): how many (the log's runtime.p allocations), the
	 * one the last ops ran on, each one's page-cache block (its index +
	 * 1, 0: none yet), each goroutine's P (goid + 1 -> P + 1), and the
	 * address and size of the record awaiting its traceback */
	unsigned nprocs, cur_p;
	uint64_t p_block[AFL_MAX_PROCS];
	struct live_table gp;
	uint64_t rec_addr, rec_size;
	/* Goroutine ids (afl_g_batch): each P's batch of 16 ids + 1 (0:
	 * none yet) and the highest id seen of it; the record's fresh
	 * 2 KiB stack + 1 if it allocated a goroutine's g (infer_stack); a
	 * record that did, held until the next record's traceback
	 * (afl_g_decide): its goroutine, the queue position of its first
	 * op, the P before it and whether the proc op before it is its own */
	uint64_t p_batch[AFL_MAX_PROCS], p_batch_max[AFL_MAX_PROCS];
	uint64_t rec_fresh;
	/* The span each P's mcache allocated in last, per class of a
	 * one-page span (afl_mc_room): its last object's address and the
	 * flush it came after (mc_epoch: the mcaches' flushes so far) */
	struct afl_mc *mc;
	unsigned mc_procs;
	uint64_t mc_epoch;
	bool rec_noscan;
	bool g_hold, g_proc;
	uint64_t g_stack, g_goid;
	size_t g_pos;
	unsigned g_prev_p;
	char idbuf[40];
};

static int err_at(struct hg_trace_reader *r, unsigned col, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int err_at(struct hg_trace_reader *r, unsigned col, const char *fmt, ...)
{
	va_list ap;

	r->d->line = r->textimp->lineno;
	r->d->col = col;
	va_start(ap, fmt);
	vsnprintf(r->d->msg, sizeof(r->d->msg), fmt, ap);
	va_end(ap);
	return HG_EINVAL;
}

/* oom_at is err_at for the host's memory failing: "out of memory", and
 * HG_ENOMEM (not an input error). */
static int oom_at(struct hg_trace_reader *r, unsigned col)
{
	err_at(r, col, "out of memory");
	return HG_ENOMEM;
}

/*
 * next_line makes the next line current (without its newline and '\r').
 * Returns 1, 0 at the end of the input, or HG_EINVAL (d filled).
 */
static int next_line(struct hg_trace_reader *r)
{
	struct hg_textimp_reader *t = r->textimp;
	struct hg_src *s = &r->src;
	const char *b, *nl;
	size_t n;

	for (;;) {
		b = (const char *)s->buf + s->pos;
		n = s->len - s->pos;
		nl = memchr(b, '\n', n);
		if (nl || (s->eof && n > 0))
			break;
		if (s->eof)
			return 0;
		if (s->pos == 0 && s->len == HG_SRC_BUFSIZE) {
			/* An allocfreetrace log may hold anything the program
			 * printed: skip a long line that is no record. */
			if (!t->mtrace &&
			    (t->in_long_line || (strncmp(b, "trace", 5) != 0 &&
						 strncmp(b, "MARK", 4) != 0))) {
				s->pos = s->len;
				t->in_long_line = true;
				continue;
			}
			hg_diag_set(r->d, NULL, t->lineno + 1, 1,
				    "line too long (more than %u bytes)",
				    HG_SRC_BUFSIZE);
			return HG_EINVAL;
		}
		if (hg__src_fill(s) < 0) {
			hg_diag_set(r->d, NULL, t->lineno + 1, 0, "%s", s->err);
			return hg__src_error(s);
		}
	}
	t->lineno++;
	t->line = b;
	t->len = nl ? (size_t)(nl - b) : n;
	s->pos += nl ? t->len + 1 : t->len;
	if (t->in_long_line) {
		/* The end of a skipped line: not the start of a record. */
		t->in_long_line = false;
		t->len = 0;
	}
	if (t->len && t->line[t->len - 1] == '\r')
		t->len--;
	return 1;
}

static struct pending *push_at(struct hg_textimp_reader *t,
			       enum hg_op_kind kind, uint64_t addr,
			       uint64_t size, bool noscan, unsigned col)
{
	struct pending *p;

	if (t->qlen == t->qcap) {
		size_t ncap = t->qcap ? 2 * t->qcap : 16;
		struct pending *nq = malloc(ncap * sizeof(*nq));

		if (!nq) {
			t->nomem = true;
			return NULL;
		}
		for (size_t k = 0; k < t->qlen; k++)
			nq[k] = t->q[(t->qhead + k) & (t->qcap - 1)];
		free(t->q);
		t->q = nq;
		t->qcap = ncap;
		t->qhead = 0;
	}
	p = &t->q[(t->qhead + t->qlen) & (t->qcap - 1)];

	p->kind = kind;
	p->addr = addr;
	p->size = size;
	p->noscan = noscan;
	p->line = t->push_line ? t->push_line : t->lineno;
	p->col = col;
	p->at = 0;
	p->has_addr = false;
	p->text = NULL;
	t->qlen++;
	return p;
}

/* push queues an op; a failure to find memory is reported by the
 * caller of the line (t->nomem). */
static void push(struct hg_textimp_reader *t, enum hg_op_kind kind,
		 uint64_t addr, uint64_t size, bool noscan, unsigned col)
{
	(void)push_at(t, kind, addr, size, noscan, col);
}

/*
 * record_alloc: the program got size bytes at addr. If addr is still live
 * the log missed its free, and the old object dies first.
 */
static int record_alloc(struct hg_trace_reader *r, uint64_t addr, uint64_t size,
			bool noscan, unsigned col)
{
	struct hg_textimp_reader *t = r->textimp;
	bool found;
	struct live_slot *s = live_add(&t->live, addr, &found);

	if (!s)
		return oom_at(r, col);
	if (found && s->size)
		push(t, HG_OP_DEL, addr, 0, false, col);
	s->size = size;
	if (size)
		push(t, HG_OP_NEW, addr, size, noscan, col);
	return 0;
}

/* record_free: addr was freed. A free of an address that is not live is
 * skipped and counted. */
static void record_free(struct hg_trace_reader *r, uint64_t addr, unsigned col)
{
	struct hg_textimp_reader *t = r->textimp;
	struct live_slot *s = live_find(&t->live, addr);

	if (s) {
		if (s->size)
			push(t, HG_OP_DEL, addr, 0, false, col);
		live_del(&t->live, s);
		return;
	}
	if (r->nwarn++ == 0)
		hg_diag_set(&r->warn, r->file, t->lineno, col,
			    "free of 0x%" PRIx64 ", which was never "
			    "allocated, skipped",
			    addr);
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && memcmp(s, p, k) == 0;
}

/* The value of each hex digit character, 0xff for any other byte. */
#define HX16(c)                                                                \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,      \
		0xff, 0xff, 0xff, 0xff, 0xff
static const unsigned char hexdigit[256] = {
	HX16(0),  HX16(1),  HX16(2),  0,        1,        2,       3,
	4,        5,        6,        7,        8,        9,       0xff,
	0xff,     0xff,     0xff,     0xff,     0xff,     0xff,    10,
	11,       12,       13,       14,       15,       0xff,    0xff,
	0xff,     0xff,     0xff,     0xff,     0xff,     0xff,    0xff,
	HX16(5),  0xff,     10,       11,       12,       13,      14,
	15,       0xff,     0xff,     0xff,     0xff,     0xff,    0xff,
	0xff,     0xff,     0xff,     HX16(7),  HX16(8),  HX16(9), HX16(10),
	HX16(11), HX16(12), HX16(13), HX16(14), HX16(15),
};
#undef HX16

/* parse_hex reads "0x" and 1 to 16 hex digits at s[*i]. */
static bool parse_hex(const char *s, size_t n, size_t *i, uint64_t *out)
{
	size_t j = *i + 2, st = j, end;
	uint64_t v = 0;
	unsigned d;

	if (n - *i < 2 || s[*i] != '0' || s[*i + 1] != 'x')
		return false;
	/* A 17th digit fails, so at most 17 are looked at. */
	end = n - j > 17 ? j + 17 : n;
	for (; j < end && (d = hexdigit[(unsigned char)s[j]]) != 0xff; j++)
		v = v << 4 | d;
	if (j == st || j - st > 16)
		return false;
	*i = j;
	*out = v;
	return true;
}

/* put_hex writes "0x" and v's hex digits (lower case, no leading zero:
 * printf's "0x%" PRIx64) with a NUL to b (19 bytes); returns the length. */
static size_t put_hex(char *b, uint64_t v)
{
	size_t nd = 1, n;

#if defined(__GNUC__)
	if (v)
		nd = (size_t)(67 - __builtin_clzll(v)) / 4;
#else
	for (uint64_t x = v >> 4; x; x >>= 4)
		nd++;
#endif
	n = nd + 2;
	b[0] = '0';
	b[1] = 'x';
	b[n] = '\0';
	for (char *e = b + n; nd--; v >>= 4)
		*--e = "0123456789abcdef"[v & 15];
	return n;
}

/* ------------------------------------------------------------------ */
/* go-allocfreetrace                                                   */
/* ------------------------------------------------------------------ */

static bool afl_is_record(const char *s, size_t n)
{
	return has_prefix(s, n, "tracealloc(") ||
	       has_prefix(s, n, "tracefree(") || has_prefix(s, n, "tracegc(");
}

bool hg__afl_line_is_record(const char *s, size_t n)
{
	return has_prefix(s, n, "tracealloc(0x") ||
	       has_prefix(s, n, "tracefree(0x") ||
	       (n == 9 && memcmp(s, "tracegc()", 9) == 0);
}

/* What a printed type tells of its pointers. */
enum type_ptrs { TYPE_UNKNOWN, TYPE_NOSCAN, TYPE_SCAN };

/*
 * type_ptrs tells whether the type tracealloc printed is known to hold
 * pointers or not. The log gives a type's name, not its pointer data:
 * known noscan are no type at all (Go's nil type, which mallocgc allocates
 * as noscan: Go: mallocgc, go1.19), the predeclared pointer-free types,
 * the runtime's named integer types of its interface conversions and its
 * mark workers' nodes, context's emptyCtx, syscall/js's references, and
 * arrays of them; known scan are pointers, slices, strings, maps, map
 * buckets, channels, functions, interfaces and unsafe.Pointer, and arrays
 * of them. A named type or a struct is unknown (afl_noscan).
 */
static enum type_ptrs type_ptrs(const char *s, size_t n)
{
	static const char *const plain[] = {
		"bool", "int", "int8", "int16", "int32", "int64", "uint",
		"uint8", "uint16", "uint32", "uint64", "uintptr", "float32",
		"float64", "complex64", "complex128",
		/* convT16, convT32 and convT64 allocate with these named
		 * integer types (Go: iface.go uint16InterfacePtr..., go1.19) */
		"runtime.uint16InterfacePtr", "runtime.uint32InterfacePtr",
		"runtime.uint64InterfacePtr",
		/* the GC's mark workers' nodes: an lfnode and two uintptr
		 * handles (Go: mgc.go gcBgMarkWorkerNode, go1.19) */
		"runtime.gcBgMarkWorkerNode",
		/* context.Background's and TODO's (Go: context.go, type
		 * emptyCtx int, go1.19) */
		"context.emptyCtx",
		/* a JavaScript value's reference on js/wasm, the element of
		 * the argument arrays of a call into JavaScript (Go:
		 * syscall/js/js.go, type ref uint64, go1.19) */
		"js.ref", NULL
	};
	static const char *const ptr_prefix[] = {
		"*",       "[]",    "map[",        "map.bucket[", "chan ",
		"<-chan ", "func(", "interface {", NULL
	};
	static const char *const ptr_plain[] = { "string", "unsafe.Pointer",
						 NULL };

	if (!n)
		return TYPE_NOSCAN;
	/* [N]T holds pointers iff T does. */
	while (n > 2 && s[0] == '[' && s[1] >= '0' && s[1] <= '9') {
		size_t i = 1;

		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == n || s[i] != ']')
			return TYPE_UNKNOWN;
		s += i + 1;
		n -= i + 1;
	}
	for (size_t k = 0; plain[k]; k++)
		if (strlen(plain[k]) == n && memcmp(plain[k], s, n) == 0)
			return TYPE_NOSCAN;
	for (size_t k = 0; ptr_plain[k]; k++)
		if (strlen(ptr_plain[k]) == n &&
		    memcmp(ptr_plain[k], s, n) == 0)
			return TYPE_SCAN;
	for (size_t k = 0; ptr_prefix[k]; k++)
		if (has_prefix(s, n, ptr_prefix[k]))
			return TYPE_SCAN;
	return TYPE_UNKNOWN;
}

/*
 * afl_noscan: whether the object of size bytes at addr, of a type of
 * those pointers, went to a noscan span. A span is of one span class,
 * noscan or not, and a page of one span (Go: mheap.go spanClass, mallocgc
 * picks makeSpanClass(sizeclass, noscan), go1.19), so a small object's
 * page tells what its type does not: the importer remembers, for the page
 * (8 KiB, Go's pageSize) where each object of a known type starts, its
 * size and whether it was noscan, and an object of an unknown type in a
 * page known for its size is what that page is. Elsewhere an unknown type
 * counts as scan. Memory: one entry per heap page such objects started in.
 */
#define AFL_PAGE_SHIFT 13
#define AFL_MAX_SMALL (32u << 10)

static int afl_noscan(struct hg_trace_reader *r, uint64_t addr, uint64_t size,
		      enum type_ptrs tp, bool *noscan)
{
	struct hg_textimp_reader *t = r->textimp;
	uint64_t page = (addr >> AFL_PAGE_SHIFT) + 1;
	struct live_slot *ps;

	*noscan = tp == TYPE_NOSCAN;
	if (size > AFL_MAX_SMALL)
		return 0;
	ps = live_find(&t->pages, page);
	if (tp == TYPE_UNKNOWN) {
		if (ps && ps->size >> 1 == size)
			*noscan = ps->size & 1;
		return 0;
	}
	if (ps) {
		ps->size = size << 1 | *noscan;
		return 0;
	}
	if (live_put(&t->pages, page, size << 1 | *noscan) < 0)
		return oom_at(r, 1);
	return 0;
}

/*
 * When a MARK's figures were read. The program prints "MARK label" and
 * then calls runtime.ReadMemStats, which stops the world; a GC cycle in
 * progress holds the world (worldsema) until it ends, so a MARK printed
 * as a cycle reaches mark termination is read after it: the tracegc
 * dump that follows then shows the goroutine inside runtime.ReadMemStats
 * (Go: mstats.go ReadMemStats -> stopTheWorld -> semacquire(&worldsema),
 * mgc.go gcStart and gcMarkDone hold worldsema, go1.19), and on another
 * P the background sweeper goes on freeing (tracefree lines) until
 * ReadMemStats stops it. The importer then puts the mark just before
 * that goroutine's next record, the first thing it did after reading the
 * figures; any other MARK stays where it is. Only a log with tracebacks
 * shows it (the function names of the dump's frames).
 */
/* mark_insert: the held mark goes to queue position pos */
static void mark_insert(struct hg_textimp_reader *t, size_t pos)
{
	struct pending *p, m;

	t->mc_epoch++; /* ReadMemStats flushes every mcache */
	t->push_line = t->mk_line;
	p = push_at(t, HG_OP_MARK, 0, 0, false, 1);
	t->push_line = 0;
	t->mk = MK_NONE;
	t->mk_goid = 0;
	if (!p) {
		free(t->mk_text);
		t->mk_text = NULL;
		return;
	}
	p->text = t->mk_text;
	t->mk_text = NULL;
	m = *p;
	for (size_t k = t->qlen - 1; k > pos; k--)
		t->q[(t->qhead + k) & (t->qcap - 1)] =
			t->q[(t->qhead + k - 1) & (t->qcap - 1)];
	t->q[(t->qhead + pos) & (t->qcap - 1)] = m;
}

/* mark_flush: a held mark goes where it is waited for, now */
static void mark_flush(struct hg_textimp_reader *t)
{
	if (t->mk != MK_NONE)
		mark_insert(t, t->mk == MK_DUMP ? t->mk_qpos : t->qlen);
	t->hold = t->rec_hold = t->blk_rec = false;
}

/* mark_before_record: a record (tracegc if gc) is next in the log */
static void mark_before_record(struct hg_textimp_reader *t, bool gc)
{
	if (t->mk == MK_NONE || t->mk == MK_DUMP)
		return;
	if (gc) {
		t->mk = MK_DUMP;
		t->mk_qpos = t->qlen;
		t->mk_found = false;
		t->hold = true;
	} else {
		t->rec_hold = true;
		t->rec_qpos = t->qlen;
	}
}

/*
 * A P's mcache allocates a class's objects from one span until it is
 * full (refill takes another only then), the span is its own until the
 * mcaches are flushed (a cycle's end, ReadMemStats), and it allocates
 * its free slots in address order, each from the last one up (Go:
 * mcache.go refill, nextFreeFast and mbitmap.go nextFreeIndex, mcache
 * releaseAll, go1.19). So a P that allocated an object of a one-page
 * span's class (up to 1 KiB) since the last flush, with a slot of that
 * page above it not live, still has room there: a fresh span of that
 * class, or an object in another span of it, came from another P; and
 * an object in the span a P allocated in since the flush is that P's
 * (afl_mc_holder).
 */
#define AFL_MC_MAX 1024u
#define AFL_MC_CLASSES (2 * (AFL_MC_MAX / 8 + 1))

/* afl_mc: P p's entry for the record's class, or NULL (not such a class,
 * or no memory: then no entry is kept) */
static struct afl_mc *afl_mc(struct hg_textimp_reader *t, unsigned p)
{
	if (!t->rec_addr || t->rec_size > AFL_MC_MAX || t->rec_size % 8)
		return NULL;
	if (p >= t->mc_procs) {
		unsigned n = t->nprocs > p ? t->nprocs : p + 1;
		struct afl_mc *v =
			realloc(t->mc, (size_t)n * AFL_MC_CLASSES * sizeof(*v));

		if (!v)
			return NULL;
		memset(v + (size_t)t->mc_procs * AFL_MC_CLASSES, 0,
		       (size_t)(n - t->mc_procs) * AFL_MC_CLASSES * sizeof(*v));
		t->mc = v;
		t->mc_procs = n;
	}
	return &t->mc[(size_t)p * AFL_MC_CLASSES + 2 * (t->rec_size / 8) +
		      t->rec_noscan];
}

/* afl_mc_room: P p's span of the record's class has a free slot */
static bool afl_mc_room(struct hg_textimp_reader *t, unsigned p)
{
	struct afl_mc *mc = afl_mc(t, p);
	uint64_t a, end;

	if (!mc || !mc->addr || mc->epoch != t->mc_epoch)
		return false;
	end = (mc->addr & ~(uint64_t)(AFL_PAGE_SIZE - 1)) + AFL_PAGE_SIZE;
	for (a = mc->addr + t->rec_size; a + t->rec_size <= end;
	     a += t->rec_size)
		if (!live_find(&t->live, a))
			return true;
	return false;
}

/* afl_mc_holder: the P (p first) whose span of the record's class, since
 * the last flush, is the one the record is in; nprocs if none */
static unsigned afl_mc_holder(struct hg_textimp_reader *t, unsigned p)
{
	for (unsigned n = 0; n < t->nprocs; n++) {
		unsigned k = n == 0 ? p : n - 1 + (n - 1 >= p);
		struct afl_mc *mc;

		if (k >= t->nprocs || !(mc = afl_mc(t, k)) || !mc->addr ||
		    mc->epoch != t->mc_epoch)
			continue;
		if ((mc->addr ^ t->rec_addr) < AFL_PAGE_SIZE)
			return k;
	}
	return t->nprocs;
}

/* afl_mc_other: a P other than p without room for the record's class,
 * the goroutine's own (gs) first; p if there is none */
static unsigned afl_mc_other(struct hg_textimp_reader *t, unsigned p,
			     const struct live_slot *gs)
{
	unsigned g = gs ? (unsigned)gs->size - 1 : t->cur_p;

	if (g != p && g < t->nprocs && !afl_mc_room(t, g))
		return g;
	for (unsigned k = 0; k < t->nprocs; k++)
		if (k != p && !afl_mc_room(t, k))
			return k;
	return p;
}

/* queue_insert: an op of kind (size) at queue position pos; false when
 * no memory (t->nomem) */
static bool queue_insert(struct hg_textimp_reader *t, size_t pos,
			 enum hg_op_kind kind, uint64_t size)
{
	struct pending *q = push_at(t, kind, 0, size, false, 1), m;

	if (!q)
		return false;
	m = *q;
	for (size_t k = t->qlen - 1; k > pos; k--)
		t->q[(t->qhead + k) & (t->qcap - 1)] =
			t->q[(t->qhead + k - 1) & (t->qcap - 1)];
	t->q[(t->qhead + pos) & (t->qcap - 1)] = m;
	return true;
}

/* queue_remove: the op at queue position pos (one with no text) goes */
static void queue_remove(struct hg_textimp_reader *t, size_t pos)
{
	for (size_t k = pos; k + 1 < t->qlen; k++)
		t->q[(t->qhead + k) & (t->qcap - 1)] =
			t->q[(t->qhead + k + 1) & (t->qcap - 1)];
	t->qlen--;
}

/*
 * afl_proc: the P that goroutine goid's record (rec_addr, rec_size) ran
 * on, as a proc op before the record's ops when it changes. The log names
 * no P, but its addresses show the Ps' page caches: a span under 16 pages
 * comes from the P's page cache, the free pages of one 64-page aligned
 * block (512 KiB) that the P took whole from the page allocator, and a
 * fresh span's first object is at its base, a page boundary (Go:
 * mpagecache.go pageCache, allocToCache; mheap.go allocSpan; mcache.go
 * refill, go1.19). So a page-aligned record of such a size in the block
 * of a P's cache ran on that P; one in a block no P holds took a new
 * block: on the goroutine's P, or, while the goroutine's P has a block
 * and another P has taken none yet, on that one (the first); either way
 * not on a P whose mcache has room for the class (afl_mc_room). Any other
 * record runs on the P
 * its goroutine was last seen on (a goroutine keeps its P until it
 * blocks). Goroutine 0 (an M's g0) and a log with one P give no proc op.
 */
static bool afl_proc(struct hg_textimp_reader *t, uint64_t goid)
{
	struct live_slot *gs;
	unsigned p;
	struct afl_mc *mc;

	if (t->nprocs < 2 || !goid)
		return false;
	gs = live_find(&t->gp, goid + 1);
	p = gs ? (unsigned)gs->size - 1 : t->cur_p;
	if (t->rec_addr && !(t->rec_addr & (AFL_PAGE_SIZE - 1)) &&
	    t->rec_size < AFL_PCACHE_SPAN_MAX) {
		uint64_t b = (t->rec_addr >> AFL_PCACHE_SHIFT) + 1;
		unsigned k;

		for (k = 0; k < t->nprocs && t->p_block[k] != b; k++)
			;
		if (k < t->nprocs) {
			p = k;
			if (afl_mc_room(t, p))
				p = afl_mc_other(t, p, gs);
		} else {
			if (t->p_block[p]) {
				for (k = 0; k < t->nprocs && t->p_block[k]; k++)
					;
				if (k < t->nprocs)
					p = k;
			}
			if (afl_mc_room(t, p))
				p = afl_mc_other(t, p, gs);
			t->p_block[p] = b;
		}
	} else if (afl_mc(t, p)) {
		unsigned k = afl_mc_holder(t, p);

		if (k < t->nprocs)
			p = k;
		else if (afl_mc_room(t, p))
			p = afl_mc_other(t, p, gs);
	}
	if ((mc = afl_mc(t, p)))
		*mc = (struct afl_mc){ t->rec_addr, t->mc_epoch };
	if (gs)
		gs->size = p + 1;
	else if (live_put(&t->gp, goid + 1, p + 1) < 0)
		t->nomem = true;
	if (p == t->cur_p)
		return false;
	t->cur_p = p;
	return queue_insert(t, t->rec_qpos, HG_OP_PROC, p);
}

/* mark_after_record: the record at rec_qpos was goroutine goid's (0: not
 * known), made inside runtime.ReadMemStats if rms (its semacquire's
 * sudog, say): the figures are read after it */
static void mark_after_record(struct hg_textimp_reader *t, uint64_t goid,
			      bool rms)
{
	t->rec_hold = false;
	if (t->mk == MK_NEXT && rms && goid) {
		t->mk = MK_GOID;
		t->mk_goid = goid;
	} else if (t->mk == MK_NEXT ||
		   (t->mk == MK_GOID && goid == t->mk_goid && !rms)) {
		mark_insert(t, t->rec_qpos);
	}
}

/* ------------------------------------------------------------------ */
/* go-allocfreetrace: goroutine stacks from the tracebacks             */
/* ------------------------------------------------------------------ */

/*
 * Under allocfreetrace the runtime prints, after each tracealloc and
 * tracefree, the traceback of the goroutine that made it ("goroutine N
 * [status]:", then per frame its function and a line with fp= and sp=:
 * tracealloc sets the M's traceback level to 2), and after tracegc() the
 * traceback of every goroutine that is not dead (Go: mprof.go tracealloc,
 * tracefree, tracegc -> tracebackothers, go1.19). A complete traceback
 * ends in runtime.goexit, whose frame is at the top of the goroutine's
 * stack: its fp rounded up to 2 KiB (_FixedStack, the stack sizes' unit)
 * is the stack's hi; the first frame's sp tells how deep the goroutine
 * is. Go stacks are powers of two from 2 KiB, carved from 32 KiB spans
 * (2 to 16 KiB) or spans of their own (32 KiB and more), so a stack of
 * size S below 8 KiB starts at a multiple of S and any other at a page;
 * a goroutine runs with at least _StackGuard (928 bytes on linux/amd64)
 * free below its sp, or newstack copies its stack to one of twice the
 * size (Go: stack.go newstack, copystack, stackalloc, go1.19). So a
 * traceback gives the least stack size that holds it; a goroutine seen
 * at another hi was copied: grown (each step doubles: an alloc of the
 * new stack, then the free of the old), or shrunk at a GC (shrinkstack
 * halves a stack a quarter used, once per cycle). A goroutine a tracegc
 * dump does not list has exited: gfput frees a stack that is not of the
 * starting size and keeps a 2 KiB one with its g for reuse (Go: proc.go
 * gfput, gfget, go1.19). What no line shows: a goroutine that grows and
 * exits between two records of its own (its stacks never seen), an exit
 * before the next tracegc (its stack is freed only there), and the top of
 * a traceback the runtime elided (over 100 frames: the stack's size is
 * then only known to be at least what the frames shown use).
 */
#define AFL_STACK_MIN 2048u               /* _FixedStack */
#define AFL_STACK_GUARD 928u              /* _StackGuard, linux/amd64 */
#define AFL_STACK_MAX (UINT64_C(1) << 30) /* maxstacksize, 64-bit */

static int idlist_push(struct idlist *l, uint64_t id)
{
	if (l->head && l->head == l->len) {
		l->head = l->len = 0;
	}
	if (l->len == l->cap) {
		size_t ncap = l->cap ? 2 * l->cap : 64;
		uint64_t *v;

		if (l->head) { /* compact before growing */
			memmove(l->v, l->v + l->head,
				(l->len - l->head) * sizeof(*l->v));
			l->len -= l->head;
			l->head = 0;
		} else {
			v = realloc(l->v, ncap * sizeof(*v));
			if (!v)
				return HG_ENOMEM;
			l->v = v;
			l->cap = ncap;
		}
	}
	l->v[l->len++] = id;
	return 0;
}

static bool idlist_empty(const struct idlist *l)
{
	return l->head == l->len;
}

/* idlist_drop takes id out of l if it is there */
static void idlist_drop(struct idlist *l, uint64_t id)
{
	for (size_t i = l->head; i < l->len; i++)
		if (l->v[i] == id) {
			memmove(l->v + i, l->v + i + 1,
				(l->len - i - 1) * sizeof(*l->v));
			l->len--;
			return;
		}
}

/* the oldest (fifo) or the newest id of a list that is not empty */
static uint64_t idlist_take(struct idlist *l, bool fifo)
{
	return fifo ? l->v[l->head++] : l->v[--l->len];
}

static struct pending *push_stack(struct hg_textimp_reader *t, bool alloc,
				  uint64_t id, uint64_t size)
{
	return push_at(t, alloc ? HG_OP_STACKALLOC : HG_OP_STACKFREE, id,
		       alloc ? size : 0, false, 1);
}

/* afl_g_find: the goroutine goid, or NULL if none is known */
static struct afl_g *afl_g_find(struct hg_textimp_reader *t, uint64_t goid)
{
	struct live_slot *s = live_find(&t->goids, goid + 1);

	return s ? &t->gs[s->size] : NULL;
}

/*
 * The P that made a goroutine. newproc1 runs on its caller's P: the g
 * (malg, if no dead g is free) and its stack come from that P's mcache
 * and stack cache, and the goroutine's id from that P's batch of ids,
 * taken 16 at a time from one counter as each P needs them (Go: proc.go
 * newproc1, _GoidCacheBatch; the first P's first is the main
 * goroutine's, rt0_go's newproc, go1.19). So a goroutine's id tells the
 * P that made it: the P that holds its batch, or, for a batch no P holds
 * yet, the P that took it, the one its g was made on if that P has none
 * or has used its own up, else the first P that holds none. A g's
 * record waits for the next record's traceback (afl_g_decide): if that
 * is the new goroutine's (it ran at once, as a GC mark worker does,
 * gcBgMarkStartWorkers waiting for each), the g's record and its stack
 * ran on the P its id tells, and so did the goroutine that made it.
 */
#define AFL_GOID_BATCH 16u

/* afl_batch_free: P k holds no batch of ids or has used its own up */
static bool afl_batch_free(const struct hg_textimp_reader *t, unsigned k)
{
	return !t->p_batch[k] ||
	       t->p_batch_max[k] == t->p_batch[k] * AFL_GOID_BATCH;
}

/* afl_g_batch: the P that made goroutine goid, whose g's record was given
 * P p */
static unsigned afl_g_batch(struct hg_textimp_reader *t, uint64_t goid,
			    unsigned p)
{
	uint64_t b = (goid - 1) / AFL_GOID_BATCH + 1;
	unsigned k, q = p;

	for (k = 0; k < t->nprocs && t->p_batch[k] != b; k++)
		;
	if (k < t->nprocs) {
		q = k;
	} else {
		for (k = 0; k < t->nprocs && !afl_batch_free(t, p) &&
			    !afl_batch_free(t, k);
		     k++)
			;
		if (!afl_batch_free(t, p) && k < t->nprocs)
			q = k;
		if (t->p_batch[q] < b) {
			t->p_batch[q] = b;
			t->p_batch_max[q] = 0;
		}
	}
	if (t->p_batch[q] == b && goid > t->p_batch_max[q])
		t->p_batch_max[q] = goid;
	return q;
}

/* afl_g_decide: the held g's record (afl_block_end) is followed by a
 * record of goroutine goid (0: none); its first op is at rec_qpos */
static void afl_g_decide(struct hg_textimp_reader *t, uint64_t goid)
{
	struct live_slot *gs;
	unsigned p, q;

	if (!t->g_hold)
		return;
	t->g_hold = false;
	if (!goid || afl_g_find(t, goid) || idlist_empty(&t->fresh) ||
	    t->fresh.v[t->fresh.len - 1] != t->g_stack)
		return; /* not the goroutine just made */
	p = t->g_proc
		    ? (unsigned)t->q[(t->qhead + t->g_pos - 1) & (t->qcap - 1)]
			      .size
		    : t->g_prev_p;
	q = afl_g_batch(t, goid, p);
	if (q == p)
		return;
	if (!t->g_proc) {
		if (!queue_insert(t, t->g_pos, HG_OP_PROC, q))
			return;
		t->rec_qpos++;
	} else if (q == t->g_prev_p) {
		queue_remove(t, t->g_pos - 1);
		t->rec_qpos--;
	} else {
		t->q[(t->qhead + t->g_pos - 1) & (t->qcap - 1)].size = q;
	}
	t->cur_p = q;
	if ((gs = live_find(&t->gp, t->g_goid + 1)))
		gs->size = q + 1;
}

/*
 * afl_g_new: a goroutine seen for the first time. Its g is one of the
 * runtime.g allocations no goroutine has claimed yet (malg's 2 KiB
 * stack, infer_stack): the newest for a goroutine seen in a record of its
 * own (it was just created), the oldest for one first seen in a tracegc
 * dump (one that never allocated, like the runtime's own goroutines);
 * else a dead goroutine's g reused by gfget, with its stack or given a new
 * one of 2 KiB.
 */
static struct afl_g *afl_g_new(struct hg_textimp_reader *t, uint64_t goid)
{
	struct afl_g *g;
	uint64_t id;

	if (t->ngs == t->gscap) {
		size_t ncap = t->gscap ? 2 * t->gscap : 64;
		struct afl_g *v = realloc(t->gs, ncap * sizeof(*v));

		if (!v)
			return NULL;
		t->gs = v;
		t->gscap = ncap;
	}
	if (live_put(&t->goids, goid + 1, t->ngs) < 0)
		return NULL;
	if (!idlist_empty(&t->fresh)) {
		id = idlist_take(&t->fresh, t->in_dump);
	} else if (!idlist_empty(&t->gfree)) {
		id = idlist_take(&t->gfree, false);
	} else {
		if (t->gfree_nostack)
			t->gfree_nostack--;
		id = t->nstacks++;
		push_stack(t, true, id, AFL_STACK_MIN);
	}
	g = &t->gs[t->ngs++];
	g->goid = goid;
	g->stack = id;
	g->size = AFL_STACK_MIN;
	g->hi = 0;
	g->gcs = t->ngc;
	g->epoch = 0;
	return g;
}

/* afl_g_exit: goroutine g is dead (gfput) and forgotten */
static int afl_g_exit(struct hg_textimp_reader *t, struct afl_g *g)
{
	struct live_slot *s;
	size_t k = (size_t)(g - t->gs);

	if (g->size != AFL_STACK_MIN) {
		push_stack(t, false, g->stack, 0);
		t->gfree_nostack++;
	} else if (idlist_push(&t->gfree, g->stack) < 0) {
		return HG_ENOMEM;
	}
	live_del(&t->goids, live_find(&t->goids, g->goid + 1));
	if ((s = live_find(&t->gp, g->goid + 1)))
		live_del(&t->gp, s); /* its P (afl_proc) */
	if (k != --t->ngs) {
		t->gs[k] = t->gs[t->ngs];
		s = live_find(&t->goids, t->gs[k].goid + 1);
		s->size = k;
	}
	return 0;
}

/* afl_g_resize: g's stack is copied to one of size bytes (a step at a
 * time, as newstack and shrinkstack do), the last at lo if known */
static void afl_g_resize(struct hg_textimp_reader *t, struct afl_g *g,
			 uint64_t size, uint64_t lo)
{
	do {
		uint64_t next = g->size < size   ? g->size * 2
				: g->size > size ? g->size / 2
						 : size;
		uint64_t id = t->nstacks++;
		struct pending *p = push_stack(t, true, id, next);

		if (p && next == size && lo) {
			p->at = lo;
			p->has_addr = true;
		}
		push_stack(t, false, g->stack, 0);
		g->stack = id;
		g->size = next;
	} while (g->size != size);
}

/*
 * afl_block_end: the traceback being read ends; what it shows of its
 * goroutine's stack (the comment above).
 */
static int afl_block_stack(struct hg_trace_reader *r);

static int afl_block_end(struct hg_trace_reader *r)
{
	struct hg_textimp_reader *t = r->textimp;
	int rc;

	if (!t->blk)
		return 0;
	t->blk = false;
	if (t->blk_rec) {
		size_t nops = t->qlen - t->rec_qpos;
		unsigned prev = t->cur_p;
		bool proc;

		t->blk_rec = false;
		afl_g_decide(t, t->blk_goid);
		proc = afl_proc(t, t->blk_goid);
		mark_after_record(t, t->blk_goid, t->blk_rms);
		/* The background scavenger's own allocation after its start
		 * is its P's timer heap (Go: scavengerState.sleep's
		 * resetTimer, doaddtimer's append, go1.19), made only once a
		 * run released something (bgscavenge sleeps after a run that
		 * released, parks after one that did not): it ran just
		 * before, toward its goals (README "The scavengers"). */
		if (!t->in_dump && t->rec_addr && t->scav_goid &&
		    t->blk_goid + 1 == t->scav_goid &&
		    !queue_insert(t, t->qlen - nops, HG_OP_SCAVENGE, 0))
			return oom_at(r, 1);
		if (t->rec_fresh && t->blk_goid && t->nprocs >= 2 &&
		    !t->in_dump) {
			/* a goroutine's g: afl_g_decide at the next record */
			t->g_hold = true;
			t->g_stack = t->rec_fresh - 1;
			t->g_goid = t->blk_goid;
			t->g_pos = t->qlen - nops;
			t->g_proc = proc;
			t->g_prev_p = prev;
		}
	}
	if (t->in_dump && t->blk_rms && t->mk == MK_DUMP && t->blk_goid &&
	    (!t->mk_goid || t->mk_goid == t->blk_goid)) {
		t->mk_goid = t->blk_goid;
		t->mk_found = true;
	}
	if (t->blk_goid == 0)
		return 0; /* an M's g0 or signal stack (core/runtime_start.c) */
	t->push_line = t->blk_line;
	rc = afl_block_stack(r);
	t->push_line = 0;
	return rc;
}

static int afl_block_stack(struct hg_trace_reader *r)
{
	struct hg_textimp_reader *t = r->textimp;
	struct afl_g *g;
	uint64_t top, need, size, gcs;
	bool moved;

	g = afl_g_find(t, t->blk_goid);
	if (!g && !(g = afl_g_new(t, t->blk_goid)))
		goto nomem;
	if (t->in_dump)
		g->epoch = t->epoch;
	if (!t->blk_frames || (!t->blk_goexit && !t->blk_elided))
		return 0; /* no frame, or not to the stack's top */
	top = t->blk_fp;
	if (t->blk_goexit)
		top = (top + AFL_STACK_MIN - 1) &
		      ~(uint64_t)(AFL_STACK_MIN - 1);
	if (t->blk_sp > top) {
		r->d->line = t->blk_line;
		r->d->col = 1;
		snprintf(r->d->msg, sizeof(r->d->msg),
			 "goroutine %" PRIu64 ": its first frame's sp is "
			 "above its last frame's fp",
			 t->blk_goid);
		return HG_EINVAL;
	}
	need = top - t->blk_sp + AFL_STACK_GUARD;
	for (size = AFL_STACK_MIN;
	     size < need ||
	     (t->blk_goexit && size <= top &&
	      ((top - size) & ((size < 8192 ? size : 8192) - 1)));
	     size *= 2)
		if (size >= AFL_STACK_MAX) {
			r->d->line = t->blk_line;
			r->d->col = 1;
			snprintf(r->d->msg, sizeof(r->d->msg),
				 "goroutine %" PRIu64 ": a stack of more "
				 "than 1 GiB",
				 t->blk_goid);
			return HG_EINVAL;
		}
	moved = t->blk_goexit && g->hi && top != g->hi;
	gcs = t->ngc - g->gcs;
	if (moved && !gcs) { /* copied without a cycle: grown */
		if (size < 2 * g->size)
			size = 2 * g->size;
	} else if (moved && size < g->size) {
		/* shrunk, by half at each cycle at most */
		uint64_t least = gcs < 32 ? g->size >> gcs : 0;

		if (size < least)
			size = least;
	} else if (size < g->size) {
		size = g->size;
	}
	if (size > AFL_STACK_MAX) { /* grown past Go's maxstacksize */
		r->d->line = t->blk_line;
		r->d->col = 1;
		snprintf(r->d->msg, sizeof(r->d->msg),
			 "goroutine %" PRIu64 ": a stack of more than 1 GiB",
			 t->blk_goid);
		return HG_EINVAL;
	}
	if (size != g->size)
		afl_g_resize(t, g, size,
			     t->blk_goexit && size <= top ? top - size : 0);
	else if (moved) {
		/* copied to the same size: shrunk, then grown; at the least
		 * size, which shrinkstack never goes under, grown, then
		 * shrunk */
		afl_g_resize(t, g, size > AFL_STACK_MIN ? size / 2 : size * 2,
			     0);
		afl_g_resize(t, g, size, top - size);
	}
	if (t->blk_goexit)
		g->hi = top;
	g->gcs = t->ngc;
	return t->nomem ? HG_ENOMEM : 0;
nomem:
	return oom_at(r, 1);
}

/* afl_dump_end: "end tracegc": every goroutine its dump did not list is
 * dead, as is every g allocated and never seen running */
static int afl_dump_end(struct hg_trace_reader *r)
{
	struct hg_textimp_reader *t = r->textimp;

	if (!t->in_dump)
		return 0;
	t->in_dump = false;
	for (size_t k = t->ngs; k-- > 0;)
		if (t->gs[k].epoch != t->epoch && afl_g_exit(t, &t->gs[k]) < 0)
			return oom_at(r, 1);
	while (!idlist_empty(&t->fresh))
		if (idlist_push(&t->gfree, idlist_take(&t->fresh, true)) < 0)
			return oom_at(r, 1);
	return 0;
}

/*
 * afl_traceback_line: a line of a traceback (t->blk): a function's line,
 * its "<TAB>... fp=0x... sp=0x..." line, "...additional frames
 * elided...", or anything else of a traceback (skipped).
 */
static int afl_traceback_line(struct hg_trace_reader *r)
{
	struct hg_textimp_reader *t = r->textimp;
	const char *s = t->line, *f;
	size_t n = t->len, i;
	uint64_t fp, sp;

	if (!n)
		return 0;
	if (s[0] != '\t') {
		if (n == 30 && !memcmp(s, "...additional frames elided...", 30))
			t->blk_elided = true;
		t->frame_named = !has_prefix(s, n, "created by ");
		t->frame_goexit = has_prefix(s, n, "runtime.goexit(");
		if (has_prefix(s, n, "runtime.ReadMemStats("))
			t->blk_rms = true;
		if (t->in_dump && has_prefix(s, n, "runtime.bgscavenge("))
			t->scav_goid = t->blk_goid + 1;
		/* Go: runtime_debug_freeOSMemory, mheap.go (go1.19): GC,
		 * then (*mheap).scavengeAll; the cycle's dump shows the
		 * goroutine inside it. */
		if (t->in_dump &&
		    (has_prefix(s, n, "runtime/debug.freeOSMemory(") ||
		     has_prefix(s, n, "runtime/debug.FreeOSMemory(")))
			t->fos_due = true;
		return 0;
	}
	if (!t->frame_named)
		return 0;
	t->frame_named = false;
	f = NULL;
	for (i = 1; i + 5 <= n; i++)
		if (!memcmp(s + i, "fp=0x", 5) &&
		    (s[i - 1] == ' ' || s[i - 1] == '\t')) {
			f = s + i;
			break;
		}
	if (!f)
		return 0; /* a frame printed without them */
	i += 3;           /* at "0x" */
	if (!parse_hex(s, n, &i, &fp))
		return err_at(r, (unsigned)i + 1, "traceback: bad fp");
	if (!has_prefix(s + i, n - i, " sp=0x"))
		return err_at(r, (unsigned)i + 1,
			      "traceback: expected ' sp=0x' after fp%s",
			      i == n ? " (a cut line?)" : "");
	i += 4;
	if (!parse_hex(s, n, &i, &sp) || (i < n && s[i] != ' '))
		return err_at(r, (unsigned)i + 1, "traceback: bad sp");
	if (sp > fp)
		return err_at(r, (unsigned)(f - s) + 1,
			      "traceback: sp 0x%" PRIx64 " above fp 0x%" PRIx64,
			      sp, fp);
	if (!t->blk_frames++)
		t->blk_sp = sp;
	t->blk_fp = fp;
	t->blk_goexit = t->frame_goexit;
	return 0;
}

/* afl_goroutine_header: "goroutine N [...]:" starts a traceback; 0 if
 * the line is no such header */
static int afl_goroutine_header(struct hg_trace_reader *r)
{
	struct hg_textimp_reader *t = r->textimp;
	const char *s = t->line;
	size_t n = t->len, i = 10;
	uint64_t goid = 0;

	if (!has_prefix(s, n, "goroutine ") || i == n || s[i] < '0' ||
	    s[i] > '9')
		return 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (goid > (UINT64_MAX - 9) / 10)
			return err_at(r, 11, "goroutine: id out of range");
		goid = goid * 10 + (uint64_t)(s[i] - '0');
	}
	if (!has_prefix(s + i, n - i, " [") || n < 2 || s[n - 2] != ']' ||
	    s[n - 1] != ':')
		return 0;
	t->tracebacks = true;
	t->blk = true;
	t->blk_goid = goid;
	t->blk_frames = 0;
	t->blk_line = t->lineno;
	t->blk_goexit = t->blk_elided = t->blk_rms = false;
	t->frame_named = t->frame_goexit = false;
	return 1;
}

/*
 * infer_stack: Go 1.19 traces no stack, but every stack but m0's signal
 * stack (core/runtime_start.c) belongs to a g whose allocation the log
 * shows. An M is allocm's new(m), then mcommoninit's signal goroutine,
 * malg(32 KiB), then its g0, malg(8 KiB) (Go: proc.go allocm and os_linux.go
 * mpreinit, go1.19); any other g is a goroutine's, made by newproc1 with
 * the smallest stack, 2 KiB (Go: proc.go newproc1, stack.go _StackMin). A g
 * reused from the free list is not allocated again, so its stack is not
 * counted twice. What the log cannot show: a goroutine's stack growing
 * (copystack), nor the stacks of dead goroutines that a gc frees
 * (markrootFreeGStacks): the inferred stacks never grow nor go.
 */
static void infer_stack(struct hg_textimp_reader *t, const char *type,
			size_t tlen)
{
	static const uint64_t m_stacks[] = { 8u << 10, 32u << 10 };

	/* procresize's new(p), one for each P (Go: proc.go procresize) */
	if (tlen == 9 && !memcmp(type, "runtime.p", 9) &&
	    t->nprocs < AFL_MAX_PROCS)
		t->nprocs++;
	if (tlen == 9 && !memcmp(type, "runtime.m", 9)) {
		t->m_gs = 2;
		return;
	}
	if (tlen == 13 && !memcmp(type, "runtime.sudog", 13) && t->main_stack &&
	    !t->main_grown && !t->tracebacks) {
		/* The main goroutine's first sudog (gcenable's receive): the
		 * traceback tracealloc prints on its stack outgrows 2 KiB,
		 * and newstack copies it to one of 4 KiB (Go: stack.go
		 * newstack, copystack(gp, oldsize*2); mprof.go tracealloc,
		 * go1.19). */
		t->main_grown = true;
		push(t, HG_OP_STACKALLOC, t->nstacks, 4u << 10, false, 1);
		push(t, HG_OP_STACKFREE, t->main_stack - 1, 0, false, 1);
		/* no goroutine takes the freed stack (from the fresh or the
		 * free list), should tracebacks come later in the log, and
		 * one a traceback's header already gave it has the new one */
		idlist_drop(&t->fresh, t->main_stack - 1);
		idlist_drop(&t->gfree, t->main_stack - 1);
		for (size_t k = 0; k < t->ngs; k++)
			if (t->gs[k].stack == t->main_stack - 1) {
				t->gs[k].stack = t->nstacks;
				t->gs[k].size = 4u << 10;
			}
		t->nstacks++;
		return;
	}
	if (tlen != 9 || memcmp(type, "runtime.g", 9) != 0)
		return;
	uint64_t size = 2u << 10;
	if (t->m_gs)
		size = m_stacks[--t->m_gs];
	else if (!t->main_stack)
		t->main_stack = t->nstacks + 1;
	if (size == AFL_STACK_MIN && idlist_push(&t->fresh, t->nstacks) < 0)
		t->nomem = true;
	if (size == AFL_STACK_MIN)
		t->rec_fresh = t->nstacks + 1;
	push(t, HG_OP_STACKALLOC, t->nstacks++, size, false, 1);
}

/*
 * afl_record parses "tracealloc(ADDR, SIZE[, TYPE])" or
 * "tracefree(ADDR, SIZE)"; what is "tracealloc" or "tracefree".
 */
static int afl_record(struct hg_trace_reader *r, const char *what)
{
	struct hg_textimp_reader *t = r->textimp;
	const char *s = t->line;
	size_t n = t->len, i = strlen(what) + 1;
	bool alloc = what[5] == 'a';
	uint64_t addr, size;
	const char *type = NULL;
	size_t tlen = 0;

	t->records = true;
	if (!parse_hex(s, n, &i, &addr))
		return err_at(r, (unsigned)i + 1, "%s: bad address", what);
	if (!has_prefix(s + i, n - i, ", "))
		return err_at(r, (unsigned)i + 1,
			      "%s: expected ', ' and the size after the "
			      "address",
			      what);
	i += 2;
	if (!parse_hex(s, n, &i, &size))
		return err_at(r, (unsigned)i + 1, "%s: bad size", what);
	if (alloc && has_prefix(s + i, n - i, ", ")) {
		i += 2;
		if (n == i || s[n - 1] != ')' || n - 1 == i)
			return err_at(r, (unsigned)i + 1,
				      "%s: expected a type and ')' (a cut "
				      "line?)",
				      what);
		type = s + i;
		tlen = n - 1 - i;
		i = n - 1;
	}
	if (i == n || s[i] != ')')
		return err_at(r, (unsigned)i + 1,
			      "%s: expected ')' after the size%s", what,
			      i == n ? " (a cut line?)" : "");
	if (i + 1 != n)
		return err_at(r, (unsigned)i + 2,
			      "%s: unexpected text after ')'", what);
	if (!addr)
		return err_at(r, (unsigned)strlen(what) + 2, "%s: address 0",
			      what);
	t->rec_addr = 0;
	t->rec_fresh = 0;
	if (!alloc) {
		record_free(r, addr, 1);
		return 0;
	}
	if (!size)
		return err_at(r, (unsigned)strlen(what) + 2, "%s: size 0",
			      what);
	if (type && memchr(type, '\0', tlen))
		return err_at(r, (unsigned)(type - s) + 1,
			      "%s: type contains a NUL character", what);
	bool noscan;
	int rc = afl_noscan(r, addr, size, type_ptrs(type, tlen), &noscan);

	t->rec_addr = addr;
	t->rec_size = size;
	t->rec_noscan = noscan;
	if (rc == 0)
		rc = record_alloc(r, addr, size, noscan, 1);
	if (rc < 0 || !type)
		return rc;
	infer_stack(t, type, tlen);
	return 0;
}

/*
 * afl_env: an "ENV NAME=VALUE" line before the first record, one of the
 * environment strings the program started with (len bytes). The runtime
 * copies them all before GODEBUG is read, so before the log starts (Go:
 * proc.go schedinit calls goenvs before parsedebugvars; runtime1.go
 * goenvs_unix: envs = make([]string, n), then gostring of each, go1.19).
 * A log says nothing of its environment: the line is the recording's
 * (tests/real/record.sh writes them; share/doc/real-traces.md).
 */
static int afl_env(struct hg_trace_reader *r, size_t len)
{
	struct hg_textimp_reader *t = r->textimp;

	if (t->nenv == t->envcap) {
		size_t cap = t->envcap ? 2 * t->envcap : 16;
		uint64_t *v = realloc(t->envlen, cap * sizeof(*v));
		if (!v)
			return oom_at(r, 1);
		t->envlen = v;
		t->envcap = cap;
	}
	if (!t->nenv)
		t->env_line = t->lineno;
	t->envlen[t->nenv++] = len;
	t->env_pending = true;
	return 0;
}

static int afl_line(struct hg_trace_reader *r)
{
	struct hg_textimp_reader *t = r->textimp;
	const char *s = t->line;
	size_t n = t->len;

	int rc;

	if (!t->records && has_prefix(s, n, "ENV ") && n > 4)
		return afl_env(r, n - 4);
	if (t->rec_hold && !t->blk_rec && !has_prefix(s, n, "goroutine ")) {
		/* a record without traceback */
		afl_g_decide(t, 0);
		mark_after_record(t, 0, false);
	}
	if (has_prefix(s, n, "trace") || has_prefix(s, n, "MARK ") ||
	    has_prefix(s, n, "end tracegc") || has_prefix(s, n, "goroutine ")) {
		if ((rc = afl_block_end(r)) < 0)
			return rc;
		if (has_prefix(s, n, "tracegc(") || has_prefix(s, n, "MARK "))
			afl_g_decide(t, 0); /* no record came between */
		if ((rc = afl_goroutine_header(r)) != 0) {
			if (rc > 0 && t->rec_hold)
				t->blk_rec = true;
			return rc < 0 ? rc : 0;
		}
	} else if (t->blk) {
		return afl_traceback_line(r);
	}
	if (n == 11 && !memcmp(s, "end tracegc", 11)) {
		if ((rc = afl_dump_end(r)) < 0)
			return rc;
		if (t->mk == MK_DUMP) {
			t->hold = false;
			if (t->mk_found)
				t->mk = MK_GOID;
			else
				mark_insert(t, t->mk_qpos);
		}
		return 0;
	}
	/* FreeOSMemory's scavengeAll comes once its cycle's sweep is done
	 * (runtime.GC sweeps every span before it returns): before the next
	 * allocation, cycle or mark. */
	if (t->fos_due && !t->in_dump &&
	    (has_prefix(s, n, "tracealloc(") || has_prefix(s, n, "tracegc(") ||
	     has_prefix(s, n, "MARK "))) {
		t->fos_due = false;
		push(t, HG_OP_SCAVENGE, 0, UINT64_MAX, false, 1);
	}
	if (afl_is_record(s, n)) {
		mark_before_record(t, has_prefix(s, n, "tracegc("));
		if (t->tracebacks && !t->rec_hold &&
		    !has_prefix(s, n, "tracegc(")) {
			/* its ops wait for its traceback (afl_proc) */
			t->rec_hold = true;
			t->rec_qpos = t->qlen;
		}
	}
	if (has_prefix(s, n, "tracealloc("))
		return afl_record(r, "tracealloc");
	if (has_prefix(s, n, "tracefree("))
		return afl_record(r, "tracefree");
	if (has_prefix(s, n, "tracegc(")) {
		if (n != 9 || s[8] != ')')
			return err_at(r, 9, "tracegc: expected 'tracegc()'");
		t->records = true;
		t->ngc++;
		t->epoch++;
		t->mc_epoch++; /* the cycle's end flushes every mcache */
		t->in_dump = true;
		/* The GC's work buffers: the marking GC takes them from the
		 * heap, 32 KiB manual spans counted in GCSys, not HeapSys,
		 * and reuses them in every later cycle until the background
		 * sweeper frees them (Go: mgcwork.go getempty, allocManual(
		 * workbufAlloc/pageSize, spanAllocWorkBuf), freeSomeWbufs,
		 * go1.19). The log shows neither a cycle's start (tracegc is
		 * printed at mark termination, gcMark) nor the sweeper's
		 * turns: one span, taken at the first cycle, kept. */
		if (!t->wbuf) {
			t->wbuf = true;
			push(t, HG_OP_WBUFALLOC, 0, 32u << 10, false, 1);
		}
		push(t, HG_OP_GC, 0, 0, false, 1);
		return 0;
	}
	if (has_prefix(s, n, "MARK ")) {
		size_t st = 5, end = n, k = 0;
		char *m;

		/* The label as text: control characters become spaces,
		 * bytes that are not UTF-8 '?', blanks around it go. */
		if (hg__reader_str(&r->text, &r->textcap, s + st, end - st) < 0)
			return oom_at(r, 1);
		m = r->text;
		n = end - st;
		while (k < n) {
			size_t ok = hg_utf8_invalid(m + k, n - k);

			for (size_t j = k; j < k + ok; j++)
				if ((unsigned char)m[j] < 0x20 || m[j] == 0x7f)
					m[j] = ' ';
			k += ok;
			if (k < n)
				m[k++] = '?';
		}
		while (n && m[n - 1] == ' ')
			n--;
		m[n] = '\0';
		for (st = 0; m[st] == ' '; st++)
			;
		if (!m[st])
			return 0; /* no label: nothing to mark */
		memmove(m, m + st, n - st + 1);
		mark_flush(t);
		/* its ReadMemStats flushes the mcaches after this line, where
		 * the mark goes (mark_insert): from here, no P's span before
		 * that place is known */
		t->mc_epoch++;
		if (!(t->mk_text = strdup(m)))
			return oom_at(r, 1);
		t->mk_line = t->lineno;
		t->mk = MK_NEXT;
		if (!t->tracebacks)
			mark_insert(t, t->qlen);
	}
	/* Goroutine stacks, "end tracegc" and the program's own output. */
	return 0;
}

/* ------------------------------------------------------------------ */
/* mtrace                                                              */
/* ------------------------------------------------------------------ */

struct mrec {
	char op;       /* + - < > ! */
	bool nil;      /* the address is (nil) */
	uint64_t addr; /* else this */
	uint64_t size; /* + > ! */
	unsigned col;  /* of the op character */
};

struct span {
	size_t st, n; /* a token: s[st, st + n) */
};

/* rtoken finds the token that ends before s[end] (st.n = 0 if none). */
static struct span rtoken(const char *s, size_t end)
{
	struct span t;

	while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	t.st = end;
	while (t.st > 0 && s[t.st - 1] != ' ' && s[t.st - 1] != '\t')
		t.st--;
	t.n = end - t.st;
	return t;
}

/* rtoken1 is rtoken when that token is one character, else it gives
 * n = 0: what comes before a free's op is the caller, a path, which the
 * op test never needs read whole. */
static struct span rtoken1(const char *s, size_t end)
{
	struct span t = { 0, 0 };

	while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	if (end > 0 && s[end - 1] != ' ' && s[end - 1] != '\t' &&
	    (end == 1 || s[end - 2] == ' ' || s[end - 2] == '\t')) {
		t.st = end - 1;
		t.n = 1;
	}
	return t;
}

/* caller_ok: what comes before the record is nothing or "@ CALLER". */
static bool caller_ok(const char *s, size_t end)
{
	size_t i = 0;

	while (i < end && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == end)
		return true;
	if (s[i] != '@' || i + 1 == end ||
	    (s[i + 1] != ' ' && s[i + 1] != '\t'))
		return false;
	for (i += 1; i < end; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return true;
	return false;
}

static bool is_op(const char *s, struct span t, const char *ops)
{
	return t.n == 1 && strchr(ops, s[t.st]) != NULL;
}

/*
 * hex_back reads the token "0x" and 1 to 16 hex digits that ends at
 * s[end] and has a space before it: returns its start (the '0') with its
 * value in *v, or 0 when the token before end is not that.
 */
static size_t hex_back(const char *s, size_t end, uint64_t *v)
{
	size_t j = end, lim = end > 16 ? end - 16 : 0;
	uint64_t x = 0;
	unsigned d, sh = 0;

	while (j > lim && (d = hexdigit[(unsigned char)s[j - 1]]) != 0xff) {
		x |= (uint64_t)d << sh;
		sh += 4;
		j--;
	}
	if (j == end || j < 3 || s[j - 1] != 'x' || s[j - 2] != '0' ||
	    s[j - 3] != ' ')
		return 0; /* also a 17th digit: s[j - 1] is no 'x' */
	*v = x;
	return j - 2;
}

/*
 * mtrace_fast reads the line as glibc writes it, "[@ CALLER ]OP ADDR" or
 * "[@ CALLER ]OP ADDR SIZE" with single spaces and hex fields of 1 to 16
 * digits, into m as mtrace_parse would. Returns false for any other
 * line, which mtrace_parse then reads in full (a line it takes reads the
 * same either way: test_mtrace_fields).
 */
static bool mtrace_fast(const char *s, size_t n, struct mrec *m)
{
	uint64_t a, b;
	size_t ta = hex_back(s, n, &a), tb, op;

	if (ta < 2 || s[ta - 2] == ' ' || s[ta - 2] == '\t')
		return false;
	if ((s[ta - 2] == '-' || s[ta - 2] == '<') &&
	    (ta == 2 || s[ta - 3] == ' ' || s[ta - 3] == '\t')) {
		/* a free: the token before its op is the caller's, of more
		 * than one character (else it could be an op itself) */
		op = ta - 2;
		if (op > 0 &&
		    (op < 3 || s[op - 2] == ' ' || s[op - 2] == '\t' ||
		     s[op - 3] == ' ' || s[op - 3] == '\t'))
			return false;
		m->addr = a;
		m->size = 0;
	} else {
		tb = hex_back(s, ta - 1, &b);
		if (tb < 2 || (tb > 2 && s[tb - 3] != ' ') ||
		    (s[tb - 2] != '+' && s[tb - 2] != '>' && s[tb - 2] != '!'))
			return false;
		op = tb - 2;
		m->addr = b;
		m->size = a;
	}
	if (!caller_ok(s, op))
		return false;
	m->op = s[op];
	m->col = (unsigned)op + 1;
	m->nil = m->addr == 0;
	return true;
}

/*
 * mtrace_parse reads one line (fields from the right, since the caller
 * is a path that may hold blanks). Returns 1 for a record, 0 for a line
 * to skip ("= Start", "= End", blank), -1 with *why and *col for a line
 * that is not an mtrace record.
 */
static int mtrace_parse(const char *s, size_t n, struct mrec *m,
			const char **why, unsigned *col)
{
	struct span last = rtoken(s, n), t2, t3;
	struct span at, sz = { 0, 0 };
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n)
		return 0;
	if (s[i] == '=' && (i + 1 == n || s[i + 1] == ' '))
		return 0;
	*why = "not an mtrace record";
	*col = (unsigned)i + 1;
	t2 = rtoken(s, last.st);
	t3 = t2.n ? rtoken1(s, t2.st) : t2;
	if (t3.n && is_op(s, t3, "+>!") && caller_ok(s, t3.st)) {
		m->op = s[t3.st];
		m->col = (unsigned)t3.st + 1;
		at = t2;
		sz = last;
	} else if (t2.n && is_op(s, t2, "-<") && caller_ok(s, t2.st)) {
		m->op = s[t2.st];
		m->col = (unsigned)t2.st + 1;
		at = last;
	} else {
		return -1;
	}
	*col = (unsigned)at.st + 1;
	m->nil = at.n == 5 && memcmp(s + at.st, "(nil)", 5) == 0;
	if (!m->nil) {
		size_t j = at.st;

		if (!parse_hex(s, at.st + at.n, &j, &m->addr) ||
		    j != at.st + at.n) {
			*why = "bad address";
			return -1;
		}
		m->nil = m->addr == 0;
	}
	m->size = 0;
	if (sz.n) {
		size_t j = sz.st;

		*col = (unsigned)sz.st + 1;
		if (!(sz.n == 1 && s[sz.st] == '0') &&
		    (!parse_hex(s, sz.st + sz.n, &j, &m->size) ||
		     j != sz.st + sz.n)) {
			*why = "bad size";
			return -1;
		}
	}
	return 1;
}

bool hg__mtrace_line_is_record(const char *s, size_t n)
{
	struct mrec m;
	const char *why;
	unsigned col;

	if (n == 7 && memcmp(s, "= Start", 7) == 0)
		return true;
	return mtrace_parse(s, n, &m, &why, &col) == 1;
}

int hg__mtrace_fast_check(const char *s, size_t n)
{
	struct mrec f, m;
	const char *why;
	unsigned col;

	if (!mtrace_fast(s, n, &f))
		return 2;
	return mtrace_parse(s, n, &m, &why, &col) == 1 && f.op == m.op &&
	       f.nil == m.nil && f.col == m.col && f.addr == m.addr &&
	       f.size == m.size;
}

static int mtrace_line(struct hg_trace_reader *r)
{
	struct hg_textimp_reader *t = r->textimp;
	const char *why = "";
	unsigned col = 0;
	struct mrec m;
	int rc = mtrace_fast(t->line, t->len, &m)
			 ? 1
			 : mtrace_parse(t->line, t->len, &m, &why, &col);

	if (rc < 0) {
		const char *at = t->line + col - 1;
		size_t n = t->len - (col - 1), k = 0;
		char q[48];

		if (memchr(t->line, '\0', t->len))
			return err_at(r, col, "%s (a NUL character)", why);
		/* A bad field: quote the field; else the whole line. */
		if (col > 1 || strcmp(why, "not an mtrace record") != 0) {
			while (k < n && at[k] != ' ' && at[k] != '\t')
				k++;
			n = k;
		}
		return err_at(r, col, "%s: '%s'", why,
			      hg__quote(q, sizeof(q), at, n));
	}
	if (rc == 0)
		return 0;
	if (t->realloc_line && m.op != '>')
		return err_at(r, m.col,
			      "realloc's '<' on line %u is not followed by its "
			      "'>'",
			      t->realloc_line);
	switch (m.op) {
	case '+': /* malloc, calloc, memalign; (nil): it failed */
		if (!m.nil)
			return record_alloc(r, m.addr, m.size, false, m.col);
		return 0;
	case '-': /* free, realloc(p, 0) */
		if (!m.nil)
			record_free(r, m.addr, m.col);
		return 0;
	case '<': /* realloc: the old block... */
		if (!m.nil)
			record_free(r, m.addr, m.col);
		t->realloc_line = t->lineno;
		return 0;
	case '>': /* ...and the new one */
		if (!t->realloc_line)
			return err_at(r, m.col,
				      "realloc's '>' without its '<' on the "
				      "line before");
		t->realloc_line = 0;
		if (!m.nil)
			return record_alloc(r, m.addr, m.size, false, m.col);
		return 0;
	default: /* '!': a failed realloc leaves the old block alone */
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

static int textimp_open(struct hg_trace_reader *r, bool mtrace)
{
	r->textimp = calloc(1, sizeof(*r->textimp));
	if (!r->textimp) {
		hg_diag_set(r->d, NULL, 0, 0, "out of memory");
		return HG_ENOMEM;
	}
	r->textimp->mtrace = mtrace;
	/* the first P's first batch of goroutine ids (afl_g_batch) */
	r->textimp->p_batch[0] = 1;
	return 0;
}

/* A Go program's log: its replay starts as the runtime did, with what
 * the runtime allocated before the log began (core/runtime_start.c). */
int hg__afl_open(struct hg_trace_reader *r)
{
	int rc = textimp_open(r, false);
	if (rc < 0)
		return rc;
	/* The log has every cycle (tracegc) and its marks read MemStats. */
	if ((rc = hg__add_go_run_settings(r)) < 0)
		return rc;
	return hg__add_setting(&r->info.config, &r->info.nconfig,
			       &r->config_cap, "runtime_start", "true", 4, 0, 0,
			       r->d);
}

int hg__mtrace_open(struct hg_trace_reader *r)
{
	return textimp_open(r, true);
}

/*
 * env_op: the next op of goenvs' copy of the environment (afl_env), given
 * before the first record's: the []string of nenv strings (16 bytes each
 * in a 64-bit program's log, with pointers), then each string, a noscan
 * object of its length (Go: runtime1.go goenvs_unix and string.go
 * gostring -> rawstring -> mallocgc(size, nil, false), go1.19; under 16
 * bytes the tiny allocator's). They have no recorded address.
 */
static int env_op(struct hg_trace_reader *r, struct hg_op *op, unsigned *line,
		  unsigned *col)
{
	struct hg_textimp_reader *t = r->textimp;
	size_t k = t->env_next++;

	op->kind = HG_OP_NEW;
	if (k == 0) {
		snprintf(t->idbuf, sizeof(t->idbuf), "runtime.envs");
		op->size = 16 * (uint64_t)t->nenv;
		op->noscan = false;
	} else {
		snprintf(t->idbuf, sizeof(t->idbuf), "runtime.envs.%" PRIu64,
			 (uint64_t)(k - 1));
		op->size = t->envlen[k - 1];
		op->noscan = true;
	}
	op->id = t->idbuf;
	if (t->env_next > t->nenv)
		t->env_pending = false;
	*line = t->env_line;
	*col = 1;
	return 1;
}

int hg__textimp_next_op(struct hg_trace_reader *r, struct hg_op *op,
			unsigned *line, unsigned *col)
{
	struct hg_textimp_reader *t = r->textimp;
	struct pending *p;
	int rc;

	while (!t->qlen || t->hold || t->rec_hold || t->g_hold) {
		rc = next_line(r);
		/* A Go program allocates before main: a log without a single
		 * record is not an allocfreetrace log (Go 1.23 and later
		 * ignore the setting). */
		if (rc == 0 && !t->mtrace && !t->records)
			return err_at(r, 0,
				      "no tracealloc, tracefree or tracegc "
				      "record: not a log of GODEBUG="
				      "allocfreetrace=1 (Go 1.22 or older)");
		if (rc == 0 && !t->mtrace &&
		    (t->blk || t->mk != MK_NONE || t->hold || t->rec_hold ||
		     t->g_hold)) {
			/* the log ends in a traceback, or with a mark held */
			if ((rc = afl_block_end(r)) < 0)
				return rc;
			mark_flush(t);
			afl_g_decide(t, 0);
			if (t->nomem)
				return oom_at(r, 1);
			continue;
		}
		if (rc == 0 && t->fos_due) {
			/* the log ends after FreeOSMemory's cycle */
			t->fos_due = false;
			push(t, HG_OP_SCAVENGE, 0, UINT64_MAX, false, 1);
			if (t->nomem)
				return oom_at(r, 1);
			continue;
		}
		if (rc <= 0)
			return rc;
		rc = t->mtrace ? mtrace_line(r) : afl_line(r);
		if (rc == 0 && t->nomem)
			rc = oom_at(r, 1);
		if (rc < 0)
			return rc;
	}
	if (t->env_pending && t->records)
		return env_op(r, op, line, col);
	p = &t->q[t->qhead];
	t->qhead = (t->qhead + 1) & (t->qcap - 1);
	t->qlen--;
	op->kind = p->kind;
	if (p->kind == HG_OP_NEW || p->kind == HG_OP_DEL) {
		op->id_len = put_hex(t->idbuf, p->addr);
		op->id = t->idbuf;
	}
	if (p->kind == HG_OP_STACKALLOC || p->kind == HG_OP_STACKFREE) {
		snprintf(t->idbuf, sizeof(t->idbuf), "gstack%" PRIu64, p->addr);
		op->id = t->idbuf;
		op->size = p->size;
		if (p->kind == HG_OP_STACKALLOC && p->has_addr) {
			op->addr = p->at;
			op->has_addr = true;
		}
	}
	if (p->kind == HG_OP_PROC)
		op->value = p->size;
	if (p->kind == HG_OP_WBUFALLOC) {
		op->id = "runtime.wbufs";
		op->size = p->size;
	}
	if (p->kind == HG_OP_SCAVENGE) {
		op->all = p->size == UINT64_MAX;
		op->goal = !op->all; /* afl_block_end */
	}
	/* go-allocfreetrace: tracefree is called by the sweeper as it frees
	 * a dead object (Go: mgcsweep.go (*sweepLocked).sweep, go1.19), so the
	 * slot is free now. mtrace: a C free is not a sweep; the slot waits
	 * for the next gc. */
	if (p->kind == HG_OP_DEL)
		op->swept = !t->mtrace;
	if (p->kind == HG_OP_NEW) {
		op->size = p->size;
		op->noscan = p->noscan;
		op->addr = p->addr;
		op->has_addr = true;
	}
	if (p->kind == HG_OP_MARK) {
		int src = hg__reader_str(&r->text, &r->textcap, p->text,
					 strlen(p->text));

		free(p->text);
		p->text = NULL;
		if (src < 0)
			return oom_at(r, 1);
		op->text = r->text;
	}
	*line = p->line;
	*col = p->col;
	return 1;
}

void hg__textimp_close(struct hg_trace_reader *r)
{
	if (!r->textimp)
		return;
	free(r->textimp->live.slots);
	free(r->textimp->pages.slots);
	free(r->textimp->envlen);
	for (size_t k = 0; k < r->textimp->qlen; k++)
		free(r->textimp
			     ->q[(r->textimp->qhead + k) &
				 (r->textimp->qcap - 1)]
			     .text);
	free(r->textimp->q);
	free(r->textimp->mk_text);
	free(r->textimp->gs);
	free(r->textimp->goids.slots);
	free(r->textimp->gp.slots);
	free(r->textimp->mc);
	free(r->textimp->fresh.v);
	free(r->textimp->gfree.v);
	free(r->textimp);
	r->textimp = NULL;
}
