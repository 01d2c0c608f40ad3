/*
 * eventlog.c - the event log (--log FILE): one compact JSON object per
 * event, e.g. {"i":0,"op":"alloc","id":"A","addr":"0xc000000000",
 * "npages":3,"scav":0,"grew":4194304}. Lines are formatted into one large
 * buffer, written when it fills.
 */
#include "eventlog.h"

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

static void puts_(struct hg_eventlog *lg, const char *s)
{
	put(lg, s, strlen(s));
}

/* key writes ,"name": */
static void key(struct hg_eventlog *lg, const char *name)
{
	char b[40];
	size_t n = strlen(name);

	if (n > sizeof(b) - 4)
		n = sizeof(b) - 4;
	b[0] = ',';
	b[1] = '"';
	memcpy(b + 2, name, n);
	b[n + 2] = '"';
	b[n + 3] = ':';
	put(lg, b, n + 4);
}

/* Numbers are formatted by hand: snprintf dominated the log's cost. */
static void num(struct hg_eventlog *lg, uint64_t v)
{
	char b[24];
	size_t i = sizeof(b);

	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(lg, b + i, sizeof(b) - i);
}

static void u64(struct hg_eventlog *lg, const char *name, uint64_t v)
{
	key(lg, name);
	num(lg, v);
}

static void hex(struct hg_eventlog *lg, const char *name, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char b[24];
	size_t i = sizeof(b);

	key(lg, name);
	b[--i] = '"';
	do {
		b[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	b[--i] = 'x';
	b[--i] = '0';
	b[--i] = '"';
	put(lg, b + i, sizeof(b) - i);
}

/* str writes a JSON string as the JSON writer does: control characters
 * escaped, invalid UTF-8 as U+FFFD. */
static void str(struct hg_eventlog *lg, const char *name, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;

	key(lg, name);
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
		size_t n;
		switch (*s) {
		case '"':
			puts_(lg, "\\\"");
			break;
		case '\\':
			puts_(lg, "\\\\");
			break;
		case '\b':
			puts_(lg, "\\b");
			break;
		case '\f':
			puts_(lg, "\\f");
			break;
		case '\n':
			puts_(lg, "\\n");
			break;
		case '\r':
			puts_(lg, "\\r");
			break;
		case '\t':
			puts_(lg, "\\t");
			break;
		default:
			if (*s < 0x20) {
				snprintf(b, sizeof(b), "\\u%04x", *s);
				puts_(lg, b);
				break;
			}
			n = hg_utf8_len(s, SIZE_MAX);
			if (n == 0) {
				puts_(lg, "\\ufffd");
				break;
			}
			put(lg, (const char *)s, n);
			s += n;
			continue;
		}
		s++;
	}
	put(lg, "\"", 1);
}

static int log_event(void *ctx, struct hg_replay *rp,
		     const struct hg_replay_event *ev)
{
	struct hg_eventlog *lg = ctx;
	const struct hg_op *op = ev->op;
	const struct hg_op_result *res = ev->res;
	(void)rp;
	puts_(lg, "{\"i\":");
	num(lg, ev->index);
	str(lg, "op", hg_op_name(op->kind));
	/* What the op table's row says the log holds for the op. */
	const struct hg_op_spec *k = hg_op_spec(op->kind);
	if (k && hg_op_has_field(k, HG_FIELD_ID) && op->id)
		str(lg, "id", op->id);
	if (ev->oom) {
		if (k && k->use == HG_ID_MAKE &&
		    hg_op_has_field(k, HG_FIELD_SIZE))
			u64(lg, "size", op->size);
		puts_(lg, ",\"oom\":true");
		goto done;
	}
	unsigned log = k ? k->log : 0;
	if (log & HG_LOG_OP) {
		if (hg_op_has_field(k, HG_FIELD_SIZE_ALL)) {
			if (op->all)
				puts_(lg, ",\"all\":true");
			else if (op->goal)
				puts_(lg, ",\"goal\":true");
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
done:
	put(lg, "}\n", 2);
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
