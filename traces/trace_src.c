/*
 * trace_src.c - the byte source under every reader: a file descriptor or a
 * memory block, inflated when it starts with the gzip magic (by ISA-L's
 * igzip where the build has it, else zlib: the same bytes and the same
 * messages for a truncated stream or garbage after it; a damaged stream's
 * reason in parentheses is the inflater's). Memory is two fixed buffers
 * and the inflater's state, whatever the input's length.
 */
#include "trace_internal.h"

#ifdef HG_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int src_init(struct hg_src *s)
{
	/* The compact reader's sentinel and word loads (HG_SRC_PAD). */
	s->buf = calloc(1, HG_SRC_BUFSIZE + HG_SRC_PAD);
	if (!s->buf)
		return HG_ENOMEM;
	return 0;
}

int hg__src_open_fd(struct hg_src *s, int fd, bool own_fd)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->own_fd = own_fd;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		s->raw_size = (uint64_t)st.st_size;
	s->in = malloc(HG_SRC_INSIZE);
	if (!s->in)
		return HG_ENOMEM;
	return src_init(s);
}

int hg__src_open_mem(struct hg_src *s, const void *data, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->mem = data;
	s->memlen = len;
	s->raw_size = len;
	return src_init(s);
}

void hg__src_close(struct hg_src *s)
{
#ifdef HG_HAVE_ISAL
	free(s->is);
	s->is = NULL;
#else
	if (s->zinit)
		inflateEnd(&s->zs);
#endif
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	free(s->in);
	free(s->buf);
	s->in = NULL;
	s->buf = NULL;
	s->fd = -1;
}

static long src_fail(struct hg_src *s, const char *msg)
{
	s->failed = true;
	snprintf(s->err, sizeof(s->err), "%s", msg);
	return -1;
}

/* raw_offset is how many bytes of the raw (compressed) input have been
 * consumed: where a gzip error is. */
static uint64_t raw_offset(const struct hg_src *s)
{
	if (s->fd < 0)
		return s->mempos - s->back;
	return s->raw_read - (s->inlen - s->inpos) - s->back;
}

/* gz_fail fails with a gzip error at the current raw offset. */
static long gz_fail(struct hg_src *s, const char *what)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "gzip: %s at byte %" PRIu64, what,
		 raw_offset(s));
	return src_fail(s, msg);
}

/*
 * raw_more makes sure raw input is pending (in[inpos, inlen) or the memory
 * block). Returns 1 if some is, 0 at the end, -1 on a read error.
 */
static int raw_more(struct hg_src *s)
{
	ssize_t n;

	if (s->fd < 0)
		return s->mempos < s->memlen;
	if (s->inpos < s->inlen)
		return 1;
	if (s->raw_eof)
		return 0;
	do
		n = read(s->fd, s->in, HG_SRC_INSIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->failed = true;
		snprintf(s->err, sizeof(s->err), "read error: %s",
			 strerror(errno));
		return -1;
	}
	s->inpos = 0;
	s->inlen = (size_t)n;
	s->raw_read += (uint64_t)n;
	if (n == 0)
		s->raw_eof = true;
	return n > 0;
}

/* raw_peek points at pending raw bytes and their count. */
static const unsigned char *raw_peek(struct hg_src *s, size_t *n)
{
	if (s->fd < 0) {
		*n = s->memlen - s->mempos;
		return s->mem + s->mempos;
	}
	*n = s->inlen - s->inpos;
	return s->in + s->inpos;
}

static void raw_consume(struct hg_src *s, size_t n)
{
	if (s->fd < 0) {
		s->mempos += n;
		s->raw_read = s->mempos;
	} else {
		s->inpos += n;
	}
}

/* start decides plain or gzip on the first raw bytes. */
static long start(struct hg_src *s)
{
	const unsigned char *p;
	size_t n;
	int rc;

	rc = raw_more(s);
	if (rc < 0)
		return -1;
	p = raw_peek(s, &n);
	/* A gzip magic split over two reads is not worth handling. */
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
		s->gz = true;
#ifdef HG_HAVE_ISAL
		s->is = malloc(sizeof(*s->is));
		if (!s->is) {
			s->enomem = true;
			return src_fail(s, "out of memory");
		}
		isal_inflate_init(s->is);
		s->is->crc_flag = ISAL_GZIP;
#else
		rc = inflateInit2(&s->zs, 15 + 16);
		if (rc == Z_MEM_ERROR) {
			s->enomem = true;
			return src_fail(s, "out of memory");
		}
		if (rc != Z_OK)
			return src_fail(s, "cannot initialise zlib");
#endif
		s->zinit = true;
	}
	return 0;
}

#ifdef HG_HAVE_ISAL
/* isal_what says what is wrong with a stream igzip refused. */
static const char *isal_what(int rc)
{
	switch (rc) {
	case ISAL_INVALID_BLOCK:
		return "invalid block";
	case ISAL_INVALID_SYMBOL:
		return "invalid code";
	case ISAL_INVALID_LOOKBACK:
		return "invalid distance too far back";
	case ISAL_INVALID_WRAPPER:
		return "incorrect header check";
	case ISAL_UNSUPPORTED_METHOD:
		return "unknown compression method";
	case ISAL_INCORRECT_CHECKSUM:
		return "incorrect data or length check";
	case ISAL_NEED_DICT:
		return "needs a preset dictionary";
	default:
		return "inflate failed";
	}
}

/* inflate_some runs igzip on the pending raw bytes into dst[0, n): the
 * count of decoded bytes, or -1 (s->err). */
static long inflate_some(struct hg_src *s, const unsigned char *p, size_t avail,
			 unsigned char *dst, size_t n)
{
	struct inflate_state *st = s->is;
	int zr;

	st->next_in = (uint8_t *)(uintptr_t)p;
	st->avail_in = (uint32_t)avail;
	st->next_out = dst;
	st->avail_out = (uint32_t)n;
	zr = isal_inflate(st);
	/* At a member's end igzip gives back what it read past it. */
	raw_consume(s, avail - st->avail_in);
	if (zr == ISAL_INCORRECT_CHECKSUM && st->next_in >= p + 8) {
		/* The trailer just read: say which half is wrong, where zlib
		 * would (after the CRC, after the length). */
		const unsigned char *t = st->next_in - 8;
		uint32_t crc = (uint32_t)t[0] | (uint32_t)t[1] << 8 |
			       (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;

		if (crc != st->crc) {
			s->back = 4;
			return gz_fail(s,
				       "corrupt data (incorrect data check)");
		}
		return gz_fail(s, "corrupt data (incorrect length check)");
	}
	if (zr != ISAL_DECOMP_OK) {
		char what[128];

		snprintf(what, sizeof(what), "corrupt data (%s)",
			 isal_what(zr));
		return gz_fail(s, what);
	}
	if (st->block_state == ISAL_BLOCK_FINISH)
		s->zend = true;
	return (long)(st->next_out - dst);
}
#else
/* inflate_some runs zlib's inflate on the pending raw bytes into
 * dst[0, n): the count of decoded bytes, or -1 (s->err). */
static long inflate_some(struct hg_src *s, const unsigned char *p, size_t avail,
			 unsigned char *dst, size_t n)
{
	int zr;

	s->zs.next_in = (unsigned char *)(uintptr_t)p;
	s->zs.avail_in = (uInt)avail;
	s->zs.next_out = dst;
	s->zs.avail_out = (uInt)n;
	zr = inflate(&s->zs, Z_NO_FLUSH);
	raw_consume(s, avail - s->zs.avail_in);
	if (zr == Z_STREAM_END) {
		s->zend = true;
	} else if (zr == Z_MEM_ERROR) {
		/* The window, allocated at the first block: the host's
		 * memory, not the stream. */
		s->enomem = true;
		return src_fail(s, "out of memory");
	} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
		char what[128];

		snprintf(what, sizeof(what), "corrupt data (%s)",
			 s->zs.msg ? s->zs.msg : "inflate failed");
		return gz_fail(s, what);
	}
	return (long)(s->zs.next_out - dst);
}
#endif

/* decode reads up to n decoded bytes into dst. */
static long decode(struct hg_src *s, unsigned char *dst, size_t n)
{
	const unsigned char *p;
	size_t avail;
	int rc;

	if (!s->gz && s->fd >= 0 && s->inpos == s->inlen && !s->raw_eof) {
		/* Plain input from a descriptor: straight into dst. */
		ssize_t got;

		do
			got = read(s->fd, dst, n);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			s->failed = true;
			snprintf(s->err, sizeof(s->err), "read error: %s",
				 strerror(errno));
			return -1;
		}
		s->raw_read += (uint64_t)got;
		if (got == 0)
			s->raw_eof = true;
		return (long)got;
	}
	if (!s->gz) {
		rc = raw_more(s);
		if (rc <= 0)
			return rc;
		p = raw_peek(s, &avail);
		if (avail > n)
			avail = n;
		memcpy(dst, p, avail);
		raw_consume(s, avail);
		return (long)avail;
	}
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	for (;;) {
		long got;

		rc = raw_more(s);
		if (rc < 0)
			return -1;
		if (s->zend) {
			/* Another member may follow; anything else is junk. */
			if (rc == 0)
				return 0;
			p = raw_peek(s, &avail);
			if (p[0] != 0x1f)
				return gz_fail(s, "trailing garbage after "
						  "compressed data");
#ifdef HG_HAVE_ISAL
			isal_inflate_reset(s->is);
			s->is->crc_flag = ISAL_GZIP;
#else
			inflateReset(&s->zs);
#endif
			s->zend = false;
		}
		if (rc == 0)
			return gz_fail(s, "unexpected end of compressed "
					  "data (truncated file)");
		p = raw_peek(s, &avail);
		if (avail > UINT32_MAX)
			avail = UINT32_MAX;
		got = inflate_some(s, p, avail, dst, n);
		if (got != 0)
			return got;
	}
}

long hg__src_fill(struct hg_src *s)
{
	long n;

	if (s->failed)
		return -1;
	if (s->pos > 0) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->eof || s->len == HG_SRC_BUFSIZE)
		return 0;
	if (!s->begun) {
		s->begun = true;
		if (start(s) < 0)
			return -1;
	}
	n = decode(s, s->buf + s->len, HG_SRC_BUFSIZE - s->len);
	if (n < 0)
		return -1;
	if (n == 0)
		s->eof = true;
	s->len += (size_t)n;
	return n;
}

long hg__src_read(struct hg_src *s, void *dst, size_t n)
{
	size_t avail;

	if (s->pos == s->len) {
		long rc;

		s->pos = s->len = 0;
		rc = hg__src_fill(s);
		if (rc <= 0)
			return rc;
	}
	avail = s->len - s->pos;
	if (avail > n)
		avail = n;
	memcpy(dst, s->buf + s->pos, avail);
	s->pos += avail;
	return (long)avail;
}

void hg_trace_progress(const struct hg_trace_reader *r, uint64_t *done,
		       uint64_t *total)
{
	*done = r->src.raw_read;
	*total = r->src.raw_size;
	if (*total && *done > *total) /* the file grew */
		*total = *done;
}
