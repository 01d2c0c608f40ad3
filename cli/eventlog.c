/*
 * eventlog.c - the event log (--log FILE): one compact JSON object per
 * event, e.g. {"i":0,"op":"alloc","id":"A","addr":"0xc000000000",
 * "npages":3,"scav":0,"grew":4194304}. Lines are formatted into one large
 * buffer, written when it fills.
 */
#include "eventlog.h"
#include "json.h"

#include "hg_core.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* failed records the first write error and its reason. */
static void failed(struct hg_eventlog *lg)
{
	if (!lg->failed)
		lg->error = errno;
	lg->failed = true;
}

/* fail_replay fails the replay with the log's write error and reason. */
static int fail_replay(struct hg_eventlog *lg, struct hg_replay *rp)
{
	return hg_replay_fail(rp, HG_REPLAY_EOUTPUT, 0, 0,
			      "cannot write the event log: %s",
			      lg->error ? strerror(lg->error) : "write error");
}

int hg_eventlog_flush(struct hg_eventlog *lg)
{
	if (lg->len && !lg->failed &&
	    fwrite(lg->buf, 1, lg->len, lg->f) != lg->len)
		failed(lg);
	lg->len = 0;
	return lg->failed ? -1 : 0;
}

void hg_eventlog_release(struct hg_eventlog *lg)
{
	free(lg->buf);
	free(lg->kinds);
	memset(lg, 0, sizeof(*lg));
}

static void put(struct hg_eventlog *lg, const char *s, size_t n)
{
	if (lg->len + n > HG_EVENTLOG_BUF) {
		hg_eventlog_flush(lg);
		if (n > HG_EVENTLOG_BUF) {
			if (!lg->failed && fwrite(s, 1, n, lg->f) != n)
				failed(lg);
			return;
		}
	}
	memcpy(lg->buf + lg->len, s, n);
	lg->len += n;
}

/*
 * The fields of one line other than its strings take at most LINE_ROOM
 * bytes: room() makes that much free once per line and again after each
 * string, and the fixed fields are then written straight into the buffer
 * (lit, num_at, hex_at) without a check each; an id of up to 16 bytes
 * (id_at) counts as a fixed field. (hex_at stores 16 digits whatever
 * the number's: up to 15 bytes past the field, overwritten by the next
 * one or left unused past the line's end.)
 */
#define LINE_ROOM 512u /* more than any line's fixed fields take */

static void room(struct hg_eventlog *lg)
{
	if (lg->len + LINE_ROOM > HG_EVENTLOG_BUF)
		hg_eventlog_flush(lg);
}

/* lit appends a string literal (room made). */
#define lit(lg, s)                                                             \
	do {                                                                   \
		memcpy((lg)->buf + (lg)->len, (s), sizeof(s) - 1);             \
		(lg)->len += sizeof(s) - 1;                                    \
	} while (0)

/* field writes ,"name": then v by at (name a literal). */
#define field(lg, name, at, v)                                                 \
	do {                                                                   \
		lit(lg, ",\"" name "\":");                                     \
		at(lg, v);                                                     \
	} while (0)

/* Numbers are formatted by hand: snprintf dominated the log's cost. */
static const char pairs[] = "00010203040506070809"
			    "10111213141516171819"
			    "20212223242526272829"
			    "30313233343536373839"
			    "40414243444546474849"
			    "50515253545556575859"
			    "60616263646566676869"
			    "70717273747576777879"
			    "80818283848586878889"
			    "90919293949596979899";

/* ndigits is the number of decimal digits of v > 0: from its bit length
 * (log10 2 ~ 1233/4096), one less when below that power of ten. */
static inline unsigned ndigits(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1u,
		10u,
		100u,
		1000u,
		10000u,
		100000u,
		1000000u,
		10000000u,
		100000000u,
		1000000000u,
		10000000000u,
		100000000000u,
		1000000000000u,
		10000000000000u,
		100000000000000u,
		1000000000000000u,
		10000000000000000u,
		100000000000000000u,
		1000000000000000000u,
		10000000000000000000u,
	};
	unsigned bits = 64 - (unsigned)__builtin_clzll(v);
	unsigned n = (bits * 1233) >> 12; /* floor(log10(2^bits)) */

	return n + 1 - (v < pow10[n]);
}

/* num_at writes v in decimal (room made): its digits counted first, then
 * written back to front in place, two at a time. */
static inline void num_at(struct hg_eventlog *lg, uint64_t v)
{
	if (v < 10) {
		/* the most frequent: 0 grown, a few pages */
		lg->buf[lg->len++] = (char)('0' + v);
		return;
	}
	unsigned n = ndigits(v);
	char *d = lg->buf + lg->len + n;

	lg->len += n;
	while (v >= 100) {
		unsigned p = (unsigned)(v % 100) * 2;
		v /= 100;
		d -= 2;
		d[0] = pairs[p];
		d[1] = pairs[p + 1];
	}
	if (v >= 10) {
		d[-2] = pairs[v * 2];
		d[-1] = pairs[v * 2 + 1];
	} else {
		d[-1] = (char)('0' + v);
	}
}

/*
 * index_at writes an event's index (room made). Events come in order:
 * the last index's digits are kept (lg->index, lg->index_len) and, for
 * the next one, counted up in place (9s carried); the same index again
 * (the next lane's event) is the same digits; any other is formatted.
 */
static inline void index_at(struct hg_eventlog *lg, uint64_t i)
{
	if (__builtin_expect(i == lg->index_of + 1 && lg->index_len, 1)) {
		char *p = lg->index + lg->index_len - 1;

		while (*p == '9' && p > lg->index)
			*p-- = '0';
		if (*p != '9') {
			(*p)++;
		} else {
			/* all 9s: one digit more, 10...0 */
			*p = '1';
			lg->index[lg->index_len++] = '0';
		}
		lg->index_of = i;
	} else if (i != lg->index_of || !lg->index_len) {
		size_t at = lg->len;

		num_at(lg, i);
		lg->index_len = (unsigned)(lg->len - at);
		memcpy(lg->index, lg->buf + at, lg->index_len);
		lg->len = at;
		lg->index_of = i;
	}
	memcpy(lg->buf + lg->len, lg->index, sizeof(lg->index));
	lg->len += lg->index_len;
}

/* u64 writes ,"name":V (name a literal). */
#define u64(lg, name, v) field(lg, name, num_at, v)

/* hex8 is the 8 hex digits of x as the bytes of a word in memory order,
 * the first digit first: each nibble spread to its own byte, then made
 * '0'-'9' or 'a'-'f' (the bytes above 9 moved up by 'a' - '0' - 10). */
static inline uint64_t hex8(uint32_t x)
{
	uint64_t v = x;

	v = (v | v << 16) & 0x0000ffff0000ffffu;
	v = (v | v << 8) & 0x00ff00ff00ff00ffu;
	v = (v | v << 4) & 0x0f0f0f0f0f0f0f0fu;
	/* byte i holds nibble 7 - i of x, counting from the low byte */
	uint64_t letters =
		((v + 0x0606060606060606u) >> 4) & 0x0101010101010101u;
	v += 0x3030303030303030u + letters * ('a' - '0' - 10);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* hex_at writes "0x..." (room made): all 16 digits of v shifted left to
 * its first nonzero one are stored, the n that count kept. */
static inline void hex_at(struct hg_eventlog *lg, uint64_t v)
{
	unsigned n = (64 - (unsigned)__builtin_clzll(v | 1) + 3) / 4;
	char *d = lg->buf + lg->len;
	uint64_t top = v << (64 - 4 * n);
	uint64_t hi = hex8((uint32_t)(top >> 32)), lo = hex8((uint32_t)top);

	memcpy(d, "\"0x", 3);
	memcpy(d + 3, &hi, 8);
	memcpy(d + 11, &lo, 8);
	d[n + 3] = '"';
	lg->len += n + 4;
}

/* hex writes ,"name":"0x..." (name a literal). */
#define hex(lg, name, v) field(lg, name, hex_at, v)

/* plain[c]: byte c goes into a JSON string as itself (printable ASCII but
 * '"' and '\\'); the others are escaped or checked as UTF-8. */
static const bool plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x80 and above: 0 */
};

/* str_rest writes the rest of a string from s, which needs escaping or
 * more room, as the JSON writer does: control characters escaped,
 * invalid UTF-8 as U+FFFD; then the closing quote. */
static __attribute__((noinline)) void str_rest(struct hg_eventlog *lg,
					       const unsigned char *s)
{
	while (*s) {
		const unsigned char *run = s;
		while (plain[*s])
			s++;
		if (s > run)
			put(lg, (const char *)run, (size_t)(s - run));
		if (!*s)
			break;
		char b[8];
		const char *out;
		size_t n;
		s += hg_json_escape_at(s, b, &out, &n);
		put(lg, out, n);
	}
	put(lg, "\"", 1);
}

/* str_at writes the JSON string v after its opening quote (room made;
 * made again after it): the plain bytes copied as they are checked while
 * they fit, the rest (if any) by str_rest. */
static inline void str_at(struct hg_eventlog *lg, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	char *d = lg->buf + lg->len;
	/* one byte kept for the closing quote */
	const char *end = lg->buf + HG_EVENTLOG_BUF - 1;

	while (plain[*s] && d < end)
		*d++ = (char)*s++;
	if (__builtin_expect(!*s, 1)) {
		*d++ = '"';
		lg->len = (size_t)(d - lg->buf);
	} else {
		lg->len = (size_t)(d - lg->buf);
		str_rest(lg, s);
	}
	room(lg);
}

/* Bytes in words: has_zero(w) is nonzero when a byte of w is 0, has_less
 * (w, c) when one is below c (c at most 0x80). */
#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u
#define has_zero(w) (((w)-ONES) & ~(w)&HIGHS)
#define has_less(w, c) (((w)-ONES * (c)) & ~(w)&HIGHS)

/* escapes is nonzero when a byte of w is not plain. */
static inline uint64_t escapes(uint64_t w)
{
	return (w & HIGHS) | has_less(w, 0x20) | has_zero(w ^ (ONES * '"')) |
	       has_zero(w ^ (ONES * '\\'));
}

/*
 * id_at writes op's id after its opening quote, as str_at (room made;
 * made again after a long one). An id of 4 to 16 bytes whose length the
 * reader gave is copied as two overlapping words, loaded, checked at once
 * (a NUL is below 0x20) and stored (no byte loop, no call); any other
 * goes through str_at.
 */
static inline void id_at(struct hg_eventlog *lg, const struct hg_op *op)
{
	size_t n = op->id_len;
	char *d = lg->buf + lg->len;

	if (op->id_hash && n >= 8 && n <= 16) {
		uint64_t a, b;

		memcpy(&a, op->id, 8);
		memcpy(&b, op->id + n - 8, 8);
		if (!escapes(a) && !escapes(b)) {
			memcpy(d, &a, 8);
			memcpy(d + n - 8, &b, 8);
			d[n] = '"';
			lg->len += n + 1;
			return;
		}
	} else if (op->id_hash && n >= 4 && n < 8) {
		uint32_t a, b;

		memcpy(&a, op->id, 4);
		memcpy(&b, op->id + n - 4, 4);
		if (!escapes((uint64_t)a << 32 | b)) {
			memcpy(d, &a, 4);
			memcpy(d + n - 4, &b, 4);
			d[n] = '"';
			lg->len += n + 1;
			return;
		}
	}
	str_at(lg, op->id);
}

/* str writes ,"name":"V" (name a literal). */
#define str(lg, name, v)                                                       \
	do {                                                                   \
		lit(lg, ",\"" name "\":\"");                                   \
		str_at(lg, v);                                                 \
	} while (0)

/*
 * What one op kind's lines hold (its op table row, looked up once):
 * head[0] is its ,"op":"NAME" and head[1] that and ,"id":" (the id's
 * opening quote), each written by one fixed-size copy.
 */
#define HEAD_MAX 32u

struct hg_eventlog_kind {
	char head[2][HEAD_MAX];
	unsigned char head_len[2];
	bool named;    /* the name needs no escaping and fits head */
	bool has_id;   /* the row has an id */
	bool oom_size; /* an oom line holds the size asked for */
	bool size_all; /* HG_LOG_OP: size, all or goal */
	bool text;     /* HG_LOG_OP: text */
	bool value;    /* HG_LOG_OP: value */
	unsigned log;  /* the row's enum hg_log_field bits */
};

static void log_kind_init(struct hg_eventlog_kind *e, enum hg_op_kind kind)
{
	const struct hg_op_spec *k = hg_op_spec(kind);
	const char *name = hg_op_name(kind);
	size_t n = strlen(name);

	memset(e, 0, sizeof(*e));
	e->named = n + sizeof(",\"op\":\"\",\"id\":\"") <= HEAD_MAX;
	for (size_t j = 0; j < n; j++)
		e->named &= plain[(unsigned char)name[j]];
	if (e->named) {
		int h = snprintf(e->head[0], HEAD_MAX, ",\"op\":\"%s\"", name);
		e->head_len[0] = (unsigned char)h;
		h = snprintf(e->head[1], HEAD_MAX, ",\"op\":\"%s\",\"id\":\"",
			     name);
		e->head_len[1] = (unsigned char)h;
	}
	if (!k)
		return;
	e->has_id = hg_op_has_field(k, HG_FIELD_ID);
	e->oom_size = k->use == HG_ID_MAKE && hg_op_has_field(k, HG_FIELD_SIZE);
	e->log = k->log;
	if (k->log & HG_LOG_OP) {
		e->size_all = hg_op_has_field(k, HG_FIELD_SIZE_ALL);
		e->text = hg_op_has_field(k, HG_FIELD_TEXT);
		e->value = hg_op_has_field(k, HG_FIELD_VALUE);
	}
}

static int log_event(void *ctx, struct hg_replay *rp,
		     const struct hg_replay_event *ev)
{
	struct hg_eventlog *lg = ctx;
	const struct hg_op *op = ev->op;
	const struct hg_op_result *res = ev->res;
	struct hg_eventlog_kind other;
	const struct hg_eventlog_kind *e = &other;

	if (__builtin_expect((unsigned)op->kind < HG_OP_COUNT, 1))
		e = &lg->kinds[op->kind];
	else
		log_kind_init(&other, op->kind);
	room(lg);
	lit(lg, "{\"i\":");
	index_at(lg, ev->index);
	bool id = e->has_id && op->id;
	if (__builtin_expect(e->named, 1)) {
		memcpy(lg->buf + lg->len, e->head[id], HEAD_MAX);
		lg->len += e->head_len[id];
		if (id)
			id_at(lg, op);
	} else {
		str(lg, "op", hg_op_name(op->kind));
		if (id)
			str(lg, "id", op->id);
	}
	if (ev->oom) {
		if (e->oom_size)
			u64(lg, "size", op->size);
		lit(lg, ",\"oom\":true");
		goto done;
	}
	unsigned log = e->log;
	if (log & HG_LOG_OP) {
		if (e->size_all) {
			if (op->all)
				lit(lg, ",\"all\":true");
			else if (op->goal)
				lit(lg, ",\"goal\":true");
			else
				u64(lg, "size", op->size);
		}
		if (e->text)
			str(lg, "text", op->text ? op->text : "");
		if (e->value)
			u64(lg, "value", op->value);
	}
	if (log & HG_LOG_ADDR)
		hex(lg, "addr", res->addr);
	if (log & HG_LOG_NPAGES)
		u64(lg, "npages", res->npages);
	if (log & HG_LOG_SIZE)
		u64(lg, "size", res->size);
	if (log & HG_LOG_ELEMSIZE)
		u64(lg, "elemsize", res->elemsize);
	if (log & HG_LOG_SCAV)
		u64(lg, "scav", res->scav);
	if (log & HG_LOG_GREW)
		u64(lg, "grew", res->grew);
	if (log & HG_LOG_RELEASED)
		u64(lg, "released", res->released);
	if ((log & HG_LOG_SPAN) && res->new_span) {
		hex(lg, "span", res->span_base);
		u64(lg, "npages", res->npages);
		u64(lg, "scav", res->scav);
		u64(lg, "grew", res->grew);
	}
	if (res->gc) {
		/* A new that started the model's own GC cycle (gc = paced). */
		u64(lg, "gc", res->gc);
		u64(lg, "released", res->released);
	}
done:
	lit(lg, "}\n");
	if (lg->failed)
		return fail_replay(lg, rp);
	return 0;
}

static int log_finish(void *ctx, struct hg_replay *rp)
{
	struct hg_eventlog *lg = ctx;

	if (hg_eventlog_flush(lg))
		return fail_replay(lg, rp);
	return 0;
}

int hg_eventlog_attach(struct hg_eventlog *lg, FILE *f, struct hg_replay *rp)
{
	memset(lg, 0, sizeof(*lg));
	lg->f = f;
	lg->buf = malloc(HG_EVENTLOG_BUF);
	lg->kinds = malloc(HG_OP_COUNT * sizeof(*lg->kinds));
	if (!lg->buf || !lg->kinds)
		return HG_REPLAY_EHOST;
	for (unsigned k = 0; k < HG_OP_COUNT; k++)
		log_kind_init(&lg->kinds[k], (enum hg_op_kind)k);
	struct hg_observer o = { lg, log_event, log_finish };
	return hg_replay_observe(rp, &o);
}
