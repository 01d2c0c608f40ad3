/*
 * trace_internal.h - shared internals of libhgtrace: the input source
 * (file descriptor or memory, gzip through zlib inflate), the YAML walking
 * helpers and the per-format readers. Not installed; only traces/ and its
 * tests include it.
 */
#ifndef HG_TRACE_INTERNAL_H
#define HG_TRACE_INTERNAL_H

#include "trace.h"

#include <stdarg.h>
#include <yaml.h>
#include <zlib.h>

/* The decoded buffer (and the longest compact line), the compressed input
 * buffer, config settings per trace or file. */
#define HG_SRC_BUFSIZE (256u * 1024u)
#define HG_SRC_INSIZE (256u * 1024u)
/* Bytes after buf's HG_SRC_BUFSIZE, zero until decoded bytes land there:
 * the compact reader's sentinel and the eight bytes its fast path loads at
 * a time from any position up to len (trace_compact.c). */
#define HG_SRC_PAD 8u
#define HG_MAX_SETTINGS 256
#define HG_MAX_DEPTH 64 /* YAML nesting we walk through */

/* ------------------------------------------------------------------ */
/* Input source                                                        */
/* ------------------------------------------------------------------ */

/* The inflater: ISA-L's igzip where the build has it (HG_HAVE_ISAL: about
 * three times zlib's speed), zlib's inflate otherwise. */
struct inflate_state;

/*
 * hg_src reads bytes from a file descriptor or a memory block, inflating
 * gzip data (one or more members) when the input starts with the gzip
 * magic. Decoded bytes land in buf[pos, len).
 */
struct hg_src {
	int fd;                   /* -1 for a memory source */
	bool own_fd;              /* close fd in hg__src_close */
	const unsigned char *mem; /* memory source */
	size_t memlen, mempos;
	unsigned char *in; /* raw input buffer (fd sources) */
	size_t inpos, inlen;
	bool raw_eof;
	bool begun;       /* gzip magic checked */
	bool gz;          /* input is gzip */
	bool zinit, zend; /* inflate initialised; member ended */
	z_stream zs;
	struct inflate_state *is; /* HG_HAVE_ISAL: the inflater, or NULL */
	unsigned back; /* an error is this many bytes before the raw offset */
	unsigned char *buf; /* decoded bytes */
	size_t pos, len;
	bool eof; /* no more decoded bytes */
	bool failed;
	bool enomem;       /* and it failed for the host's memory */
	char err[160];     /* why reading failed */
	uint64_t raw_read; /* raw input bytes read so far (progress) */
	uint64_t raw_size; /* the input's size when known (a file), or 0 */
};

int hg__src_open_fd(struct hg_src *s, int fd, bool own_fd);
int hg__src_open_mem(struct hg_src *s, const void *data, size_t len);
void hg__src_close(struct hg_src *s);
/* hg__src_fill moves buf[pos,len) to the front and reads more. Returns the
 * number of new bytes, 0 at the end, -1 on error (s->err). */
long hg__src_fill(struct hg_src *s);
/* hg__src_error is the error of a failed read: HG_ENOMEM when the host's
 * memory failed it, HG_EINVAL otherwise. */
static inline int hg__src_error(const struct hg_src *s)
{
	return s->enomem ? HG_ENOMEM : HG_EINVAL;
}
/* hg__src_read copies up to n decoded bytes to dst. Returns the count
 * (0 at the end) or -1 on error. */
long hg__src_read(struct hg_src *s, void *dst, size_t n);

/* ------------------------------------------------------------------ */
/* Diagnostics and small parsers                                       */
/* ------------------------------------------------------------------ */

/* hg__quote copies s (n bytes) into buf for a message, cut with "..." and
 * with unprintable bytes as '?'. Returns buf. */
const char *hg__quote(char *buf, size_t len, const char *s, size_t n);
/* hg__size_problem says why hg_parse_size rejected s. */
const char *hg__size_problem(const char *s);
/* hg__id_byte: 1 for the bytes of an id (letters, digits, '_', '-',
 * '.'), 0 for the others. */
extern const unsigned char hg__id_byte[256];
/* hg__size_shift: the shift of the size suffix c (K 10, M 20, G 30, T 40),
 * 0 when c is none of them. */
static inline unsigned hg__size_shift(char c)
{
	switch (c) {
	case 'K':
		return 10;
	case 'M':
		return 20;
	case 'G':
		return 30;
	case 'T':
		return 40;
	default:
		return 0;
	}
}
/*
 * Decimal digits eight at a time, in a word loaded from memory on a
 * little-endian host (HG_DIGITS_SWAR; elsewhere the readers go a digit at
 * a time). hg__digit_run counts the leading digits of w (0 to 8): a byte
 * is a digit when it is below 0x80 and neither below '0' (the
 * subtraction's top bit) nor above '9' (the addition's); a borrow or carry
 * only ever spoils the bytes after the first non-digit. hg__digits_value
 * is the number the first n of them (1 to 8) write: moved to the top
 * bytes (leading zeros below them), then pairs, quads and the eight
 * combined, most significant first.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) &&                            \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HG_DIGITS_SWAR 1
#else
#define HG_DIGITS_SWAR 0
#endif
/* The readers' other word-at-a-time scans need the same host. */
#define HG_WORDS_LE HG_DIGITS_SWAR
#define HG_ONES8 0x0101010101010101ull

static inline unsigned hg__digit_run(uint64_t w)
{
	uint64_t nd = (w | (w + 0x46 * HG_ONES8) | (w - 0x30 * HG_ONES8)) &
		      (0x80 * HG_ONES8);
#if HG_DIGITS_SWAR
	return nd ? (unsigned)__builtin_ctzll(nd) / 8u : 8u;
#else
	unsigned n = 0;

	while (n < 8 && !(nd & (0x80ull << (8 * n))))
		n++;
	return n;
#endif
}

static inline uint64_t hg__digits_value(uint64_t w, unsigned n)
{
	uint64_t d = w - 0x30 * HG_ONES8;

	if (n < 8)
		d <<= 8u * (8u - n);
	d = d * 10 + (d >> 8);
	return ((d & 0x000000FF000000FFull) * (100 + (1000000ull << 32)) +
		((d >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32))) >>
	       32;
}

/*
 * hg__id_run counts the leading id bytes (hg__id_byte) of w, 0 to 8, a
 * word loaded as hg__digit_run's. Each byte's test is on its low seven
 * bits, so no sum carries into the next byte: '-' to '9' but '/', 'A' to
 * 'Z' and 'a' to 'z' (one range once bit 5 is set), '_'; a byte with its
 * top bit set is none of them.
 */
static inline unsigned hg__id_run(uint64_t w)
{
	const uint64_t hi = 0x80 * HG_ONES8;
	uint64_t t = w & ~hi, l = t | 0x20 * HG_ONES8;
	uint64_t num = (t + (0x80 - '-') * HG_ONES8) &
		       ~(t + (0x7f - '9') * HG_ONES8) &
		       ((t ^ '/' * HG_ONES8) + 0x7f * HG_ONES8);
	uint64_t alpha =
		(l + (0x80 - 'a') * HG_ONES8) & ~(l + (0x7f - 'z') * HG_ONES8);
	uint64_t us = ~((t ^ '_' * HG_ONES8) + 0x7f * HG_ONES8);
	uint64_t bad = ~((num | alpha | us) & ~w) & hi;

#if HG_DIGITS_SWAR
	return bad ? (unsigned)__builtin_ctzll(bad) / 8u : 8u;
#else
	unsigned n = 0;

	while (n < 8 && !(bad & (0x80ull << (8 * n))))
		n++;
	return n;
#endif
}

/* hg__id_valid tells whether s[0, n) is a valid id. */
bool hg__id_valid(const char *s, size_t n);
/* hg__copy_trunc copies s into dst[len], cut at a UTF-8 boundary. */
void hg__copy_trunc(char *dst, size_t len, const char *s, size_t n);
/* hg__add_setting appends one setting, checking lengths, duplicates and
 * the count limit. */
int hg__add_setting(struct hg_setting **arr, size_t *n, size_t *cap,
		    const char *key, const char *value, size_t vlen,
		    unsigned line, unsigned col, struct hg_diag *d);
/* hg__add_go_run_settings gives a recorded Go run's trace the settings
 * every such trace has: gc=trace (it has every GC cycle, the replay paces
 * none) and mark_readmemstats=true (its marks are where the program read
 * MemStats). */
int hg__add_go_run_settings(struct hg_trace_reader *r);

/* ------------------------------------------------------------------ */
/* YAML walking                                                        */
/* ------------------------------------------------------------------ */

/* One libyaml parser and its current event. */
struct hg_yaml {
	yaml_parser_t p;
	yaml_event_t ev;
	bool have; /* ev holds an event to delete */
	bool init;
	const char *file;
	struct hg_diag *d;
	struct hg_src *src;
	uint64_t fed;      /* input bytes handed to libyaml */
	uint64_t last_end; /* index of the last event's end */
	bool too_long;     /* HG_YAML_MAX_GAP bytes without an event */
	/* A parser restarted in the middle of a trace (trace_yaml.c) reads
	 * a made-up prefix of prefix_len bytes (prefix_indent spaces in it)
	 * first; its positions are moved to be the trace's own: its byte
	 * offsets by offset_base, its lines by line_base from the third on,
	 * its first two lines (the prefix) to line0 and line1. */
	size_t prefix_len, prefix_pos, prefix_indent;
	uint64_t line_base, offset_base, line0, line1;
	/* Keep mode (the trace header): libyaml is fed from src->buf[cur]
	 * in the chunks it would get otherwise, while src->pos stays at 0,
	 * so that what it has read is still in the buffer. */
	bool keep;
	size_t cur;
};

/* The longest YAML scalar, in bytes (README, "Limits"). */
#define HG_YAML_MAX_SCALAR (1024u * 1024u)
/* Input read without a YAML event before the reader gives up: a scalar
 * of HG_YAML_MAX_SCALAR characters of up to four bytes, and slack. */
#define HG_YAML_MAX_GAP (4u * HG_YAML_MAX_SCALAR + 65536u)

int hg__yaml_init(struct hg_yaml *y, struct hg_src *src, const char *file,
		  struct hg_diag *d);
void hg__yaml_fini(struct hg_yaml *y);
/* hg__yaml_next parses the next event into y->ev. HG_EINVAL on a YAML
 * error (d filled) and on aliases, which traces do not use. */
int hg__yaml_next(struct hg_yaml *y, struct hg_src *src);
/* hg__yaml_err fills d at the mark of the current event. */
int hg__yaml_err(struct hg_yaml *y, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* hg__yaml_skip skips the value whose first event is current. */
int hg__yaml_skip(struct hg_yaml *y, struct hg_src *src);
/* hg__yaml_config reads a config mapping (current event MAPPING_START)
 * into settings, "policy" nested. strict: unknown keys are errors. */
int hg__yaml_config(struct hg_yaml *y, struct hg_src *src, bool strict,
		    struct hg_setting **arr, size_t *n, size_t *cap);
const char *hg__yaml_event_what(const yaml_event_t *ev);

/* ------------------------------------------------------------------ */
/* Readers                                                             */
/* ------------------------------------------------------------------ */

struct hg_yaml_reader;
struct hg_compact_reader;
struct hg_gotrace_reader;
struct hg_textimp_reader;

/* One readable format: how to start reading it, read an op, and finish. */
struct hg__format {
	const char *name; /* as --from names it */
	int (*open)(struct hg_trace_reader *r);
	int (*next)(struct hg_trace_reader *r, struct hg_op *op, unsigned *line,
		    unsigned *col);
	void (*close)(struct hg_trace_reader *r);
};

struct hg_trace_reader {
	struct hg_trace_info info;
	size_t config_cap;
	struct hg_src src;
	char file[256];
	struct hg_diag *d;    /* the caller's, for the current call */
	int status;           /* 0 reading, 1 done, <0 failed */
	struct hg_diag saved; /* the error, repeated on later calls */
	char *id;             /* borrowed strings handed out in ops */
	size_t idcap;
	char *text;
	size_t textcap;
	struct hg_yaml_reader *yaml;
	struct hg_compact_reader *compact;
	struct hg_textimp_reader *textimp; /* go-allocfreetrace, mtrace */
	struct hg_gotrace_reader *gotrace; /* go-trace */
	const struct hg__format *fmt;      /* the format being read */
	uint64_t nwarn;                    /* records skipped (importers) */
	struct hg_diag warn;               /* about the first of them */
};

/* hg__reader_str copies s[0, n) into *buf (grown as needed). */
int hg__reader_str(char **buf, size_t *cap, const char *s, size_t n);
/* hg__parse_op_size parses a size for an event field, diag on error. */
int hg__parse_op_size(struct hg_trace_reader *r, const char *what,
		      const char *s, size_t n, uint64_t *out, unsigned line,
		      unsigned col);

int hg__yaml_open(struct hg_trace_reader *r);
int hg__yaml_next_op(struct hg_trace_reader *r, struct hg_op *op,
		     unsigned *line, unsigned *col);
void hg__yaml_close(struct hg_trace_reader *r);

int hg__compact_open(struct hg_trace_reader *r);
int hg__compact_next_op(struct hg_trace_reader *r, struct hg_op *op,
			unsigned *line, unsigned *col);
void hg__compact_close(struct hg_trace_reader *r);

/* go-trace (import_gotrace.c): a Go execution trace. hg__gotrace_detect
 * tells (1 or 0) whether the input starts with a Go trace header. */
int hg__gotrace_detect(struct hg_trace_reader *r);
int hg__gotrace_open(struct hg_trace_reader *r);
int hg__gotrace_next_op(struct hg_trace_reader *r, struct hg_op *op,
			unsigned *line, unsigned *col);
void hg__gotrace_close(struct hg_trace_reader *r);

/* import_text.c: the go-allocfreetrace and mtrace importers. */
int hg__afl_open(struct hg_trace_reader *r);
int hg__mtrace_open(struct hg_trace_reader *r);
int hg__textimp_next_op(struct hg_trace_reader *r, struct hg_op *op,
			unsigned *line, unsigned *col);
void hg__textimp_close(struct hg_trace_reader *r);
/* hg__afl_line_is_record tells whether a line (n bytes, no newline) is a
 * tracealloc/tracefree/tracegc record; hg__mtrace_line_is_record whether
 * it is an mtrace record or its '= Start' header. For recognising. */
bool hg__afl_line_is_record(const char *s, size_t n);
bool hg__mtrace_line_is_record(const char *s, size_t n);
/* hg__mtrace_fast_check compares the mtrace importer's fast path with
 * its full parse on a line (tests): 1 the fast path took it and read the
 * same, 2 it left the line to the full parse, 0 they differ. */
int hg__mtrace_fast_check(const char *s, size_t n);

#endif /* HG_TRACE_INTERNAL_H */
