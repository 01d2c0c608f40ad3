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
 * (lit, num_at, hex_at) without a check each.
 */
#define LINE_ROOM 512u

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

/* tail appends b[i..n), a field formatted backwards (room made). */
static inline void tail(struct hg_eventlog *lg, const char *b, size_t i,
			size_t n)
{
	memcpy(lg->buf + lg->len, b + i, n - i);
	lg->len += n - i;
}

/* field writes ,"name": then v by at (name a literal). */
#define field(lg, name, at, v)                                                 \
	do {                                                                   \
		lit(lg, ",\"" name "\":");                                     \
		at(lg, v);                                                     \
	} while (0)

/* Numbers are formatted by hand: snprintf dominated the log's cost. */
static void num_at(struct hg_eventlog *lg, uint64_t v)
{
	char b[24];
	size_t i = sizeof(b);

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

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		i -= 2;
		b[i] = pairs[d];
		b[i + 1] = pairs[d + 1];
	}
	if (v >= 10) {
		i -= 2;
		b[i] = pairs[v * 2];
		b[i + 1] = pairs[v * 2 + 1];
	} else {
		b[--i] = (char)('0' + v);
	}
	tail(lg, b, i, sizeof(b));
}

/* u64 writes ,"name":V (name a literal). */
#define u64(lg, name, v) field(lg, name, num_at, v)

/* hex_at writes "0x..." (room made). */
static void hex_at(struct hg_eventlog *lg, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char b[24];
	size_t i = sizeof(b);

	b[--i] = '"';
	do {
		b[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	b[--i] = 'x';
	b[--i] = '0';
	b[--i] = '"';
	tail(lg, b, i, sizeof(b));
}

/* hex writes ,"name":"0x..." (name a literal). */
#define hex(lg, name, v) field(lg, name, hex_at, v)

/* str_at writes a JSON string as the JSON writer does: control characters
 * escaped, invalid UTF-8 as U+FFFD (room made; made again after it). */
static void str_at(struct hg_eventlog *lg, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;

	const unsigned char *p = s;

	while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
		p++;
	if (!*p) {
		/* Nothing to escape: one copy. */
		size_t n = (size_t)(p - s);
		if (lg->len + n + 2 <= HG_EVENTLOG_BUF) {
			char *d = lg->buf + lg->len;
			d[0] = '"';
			memcpy(d + 1, s, n);
			d[n + 1] = '"';
			lg->len += n + 2;
			room(lg);
			return;
		}
	}
	put(lg, "\"", 1);
	while (*s) {
		const unsigned char *run = s;
		while (*s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\')
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
	room(lg);
}

/* str writes ,"name":"V" (name a literal). */
#define str(lg, name, v) field(lg, name, str_at, v)

static int log_event(void *ctx, struct hg_replay *rp,
		     const struct hg_replay_event *ev)
{
	struct hg_eventlog *lg = ctx;
	const struct hg_op *op = ev->op;
	const struct hg_op_result *res = ev->res;
	(void)rp;
	room(lg);
	lit(lg, "{\"i\":");
	num_at(lg, ev->index);
	str(lg, "op", hg_op_name(op->kind));
	/* What the op table's row says the log holds for the op. */
	const struct hg_op_spec *k = hg_op_spec(op->kind);
	if (k && hg_op_has_field(k, HG_FIELD_ID) && op->id)
		str(lg, "id", op->id);
	if (ev->oom) {
		if (k && k->use == HG_ID_MAKE &&
		    hg_op_has_field(k, HG_FIELD_SIZE))
			u64(lg, "size", op->size);
		lit(lg, ",\"oom\":true");
		goto done;
	}
	unsigned log = k ? k->log : 0;
	if (log & HG_LOG_OP) {
		if (hg_op_has_field(k, HG_FIELD_SIZE_ALL)) {
			if (op->all)
				lit(lg, ",\"all\":true");
			else if (op->goal)
				lit(lg, ",\"goal\":true");
			else
				u64(lg, "size", op->size);
		}
		if (hg_op_has_field(k, HG_FIELD_TEXT))
			str(lg, "text", op->text ? op->text : "");
		if (hg_op_has_field(k, HG_FIELD_VALUE))
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
	if (!lg->buf)
		return HG_REPLAY_EHOST;
	struct hg_observer o = { lg, log_event, log_finish };
	return hg_replay_observe(rp, &o);
}
