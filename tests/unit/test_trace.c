/*
 * test_trace.c - libhgtrace: both trace formats, gzip, comments, every
 * error with its position, ids, config files, writers, and streaming in
 * bounded memory.
 */

#include "reader_test.h"
#include "trace_internal.h"

#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

struct result {
	int rc; /* 0 clean, <0 error */
	struct hg_diag d;
	struct rec ops[64];
	size_t n;
	struct hg_trace_info info;
	struct hg_setting config[16];
};

static void record(struct result *res, const struct hg_op *op, unsigned line,
		   unsigned col)
{
	if (res->n == sizeof(res->ops) / sizeof(res->ops[0]))
		return;
	rec_set(&res->ops[res->n++], op, line, col);
}

static void read_reader(struct result *res, struct hg_trace_reader *r)
{
	struct hg_op op;
	unsigned line, col;
	int rc;
	size_t i;

	res->info = *hg_trace_info(r);
	for (i = 0; i < res->info.nconfig && i < 16; i++)
		res->config[i] = res->info.config[i];
	while ((rc = hg_trace_next(r, &op, &line, &col, &res->d)) > 0)
		record(res, &op, line, col);
	res->rc = rc;
	if (rc < 0) {
		/* The error stays: a second call repeats it. */
		struct hg_diag again;

		assert_int_equal(hg_trace_next(r, &op, &line, &col, &again),
				 rc);
		assert_string_equal(again.msg, res->d.msg);
	}
	hg_trace_close(r);
}

static struct result *read_bytes(const void *data, size_t len)
{
	struct result *res = calloc(1, sizeof(*res));
	struct hg_trace_reader *r;

	assert_non_null(res);
	res->rc = hg_trace_open_mem(&r, data, len, "t", &res->d);
	if (res->rc == 0)
		read_reader(res, r);
	return res;
}

static struct result *read_text(const char *text)
{
	return read_bytes(text, strlen(text));
}

/* gzip_buf compresses data into a malloc'd gzip member. */
static unsigned char *gzip_buf(const void *data, size_t len, size_t *outlen)
{
	z_stream zs;
	size_t cap = len + 1024;
	unsigned char *out = malloc(cap);

	assert_non_null(out);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = cap - zs.avail_out;
	deflateEnd(&zs);
	return out;
}

/* expect_err reads text and checks the error's position and message. */
static void expect_err_at(const char *text, unsigned line, unsigned col,
			  const char *msg, int where)
{
	struct result *res = read_text(text);

	if (res->rc == 0 || res->d.line != line || res->d.col != col ||
	    strcmp(res->d.msg, msg) != 0)
		print_error(
			"input:\n%s\nwant %u:%u: %s\ngot  rc %d %u:%u: %s\n",
			text, line, col, msg, res->rc, res->d.line, res->d.col,
			res->d.msg);
	assert_true(res->rc < 0);
	assert_int_equal(res->rc, HG_EINVAL);
	assert_string_equal(res->d.msg, msg);
	assert_int_equal(res->d.line, line);
	assert_int_equal(res->d.col, col);
	assert_string_equal(res->d.file, "t");
	(void)where;
	free(res);
}

#define expect_err(text, line, col, msg)                                       \
	expect_err_at(text, line, col, msg, __LINE__)

static void check_op(const struct rec *r, enum hg_op_kind kind, const char *id,
		     uint64_t size, unsigned line, unsigned col)
{
	assert_int_equal(r->kind, kind);
	assert_string_equal(r->id, id ? id : "");
	assert_int_equal(r->size, size);
	assert_int_equal(r->line, line);
	assert_int_equal(r->col, col);
}

/* ------------------------------------------------------------------ */
/* Both formats, every event kind                                      */
/* ------------------------------------------------------------------ */

static const char yaml_all[] =
	"# a trace with every event kind\n"
	"heapgrow: 1                 # format version\n"
	"name: every-kind   # the name\n"
	"description: free text\n"
	"config:                     # optional\n"
	"  platform: js/wasm\n"
	"  go: \"1.24\"   # quoted\n"
	"  # a comment inside the mapping\n"
	"  policy: {sbrk: go1.24, grow: incremental}\n"
	"  future_key: 1.10\n"
	"events:\n"
	"  # a comment inside the sequence\n"
	"  - sysalloc: {id: meta, size: 64K}\n"
	"  - alloc: {id: 1, size: 40K}   # trailing comment\n"
	"  - alloc:\n"
	"      id: x.y-z_2   # block form\n"
	"      size: 0x1000\n"
	"  - free: 1\n"
	"  - sysfree: meta\n"
	"  - scavenge: 4M\n"
	"  - scavenge: all\n"
	"  - mmap: {id: M, addr: 0x7f0000000000, size: 1M}\n"
	"  - mmap: {id: N, size: 1MiB}\n"
	"  - munmap: M\n"
	"  - mark: \"GC 3\"\n"
	"  - {mark: flow form}\n";

static void check_all_kinds(const struct result *res, bool yaml)
{
	const struct rec *o = res->ops;

	assert_int_equal(res->rc, 0);
	assert_int_equal(res->n, 12);
	if (yaml) {
		check_op(&o[0], HG_OP_SYSALLOC, "meta", 65536, 13, 5);
		check_op(&o[1], HG_OP_ALLOC, "1", 40960, 14, 5);
		check_op(&o[2], HG_OP_ALLOC, "x.y-z_2", 4096, 15, 5);
		check_op(&o[3], HG_OP_FREE, "1", 0, 18, 5);
		check_op(&o[11], HG_OP_MARK, NULL, 0, 26, 6);
	} else {
		check_op(&o[0], HG_OP_SYSALLOC, "meta", 65536, 8, 1);
		check_op(&o[1], HG_OP_ALLOC, "1", 40960, 9, 1);
		check_op(&o[2], HG_OP_ALLOC, "x.y-z_2", 4096, 11, 3);
		check_op(&o[3], HG_OP_FREE, "1", 0, 12, 1);
		check_op(&o[11], HG_OP_MARK, NULL, 0, 21, 1);
	}
	assert_int_equal(o[4].kind, HG_OP_SYSFREE);
	assert_string_equal(o[4].id, "meta");
	assert_int_equal(o[5].kind, HG_OP_SCAVENGE);
	assert_int_equal(o[5].size, 4u << 20);
	assert_false(o[5].all);
	assert_int_equal(o[6].kind, HG_OP_SCAVENGE);
	assert_true(o[6].all);
	assert_int_equal(o[7].kind, HG_OP_MMAP);
	assert_string_equal(o[7].id, "M");
	assert_true(o[7].has_addr);
	assert_int_equal(o[7].addr, 0x7f0000000000ull);
	assert_int_equal(o[7].size, 1u << 20);
	assert_int_equal(o[8].kind, HG_OP_MMAP);
	assert_false(o[8].has_addr);
	assert_int_equal(o[8].size, 1u << 20);
	assert_int_equal(o[9].kind, HG_OP_MUNMAP);
	assert_string_equal(o[9].id, "M");
	assert_int_equal(o[10].kind, HG_OP_MARK);
	assert_string_equal(o[10].text, "GC 3");
	assert_string_equal(o[11].text, "flow form");
}

static void test_yaml_all_kinds(void **state)
{
	struct result *res = read_text(yaml_all);

	(void)state;
	check_all_kinds(res, true);
	assert_int_equal(res->info.format, HG_FMT_YAML);
	assert_false(res->info.gzip);
	assert_string_equal(res->info.name, "every-kind");
	assert_string_equal(res->info.description, "free text");
	assert_int_equal(res->info.nconfig, 5);
	assert_string_equal(res->config[0].key, "platform");
	assert_string_equal(res->config[0].value, "js/wasm");
	assert_int_equal(res->config[0].line, 6);
	assert_int_equal(res->config[0].col, 3);
	assert_string_equal(res->config[1].key, "go");
	assert_string_equal(res->config[1].value, "1.24");
	assert_string_equal(res->config[2].key, "policy.sbrk");
	assert_string_equal(res->config[2].value, "go1.24");
	assert_int_equal(res->config[2].line, 9);
	assert_int_equal(res->config[2].col, 12);
	assert_string_equal(res->config[3].key, "policy.grow");
	assert_string_equal(res->config[3].value, "incremental");
	/* Unknown keys are collected as text; the CLI validates them. */
	assert_string_equal(res->config[4].key, "future_key");
	assert_string_equal(res->config[4].value, "1.10");
	free(res);
}

static const char compact_all[] = "# comments and blank lines come first\n"
				  "\n"
				  "heapgrow-trace 1\n"
				  "# comment\n"
				  "config platform=js/wasm go=1.24\n"
				  "config policy.sbrk=go1.24\n"
				  "\n"
				  "sa meta 64K\n"
				  "a 1 40K\n"
				  "\t\n"
				  "  a x.y-z_2 0x1000\n"
				  "f 1\n"
				  "sf meta\n"
				  "s 4M\n"
				  "s all\n"
				  "mm M 0x7f0000000000 1M\n"
				  "mm N 1MiB\n"
				  "mu M\n"
				  "# a mark's text is the rest of the line\n"
				  "m GC 3\n"
				  "m   flow form  \n";

static void test_compact_all_kinds(void **state)
{
	struct result *res = read_text(compact_all);

	(void)state;
	check_all_kinds(res, false);
	assert_int_equal(res->info.format, HG_FMT_COMPACT);
	assert_int_equal(res->info.nconfig, 3);
	assert_string_equal(res->config[0].key, "platform");
	assert_string_equal(res->config[0].value, "js/wasm");
	assert_int_equal(res->config[0].line, 5);
	assert_int_equal(res->config[0].col, 8);
	assert_string_equal(res->config[1].key, "go");
	assert_int_equal(res->config[1].col, 25);
	assert_string_equal(res->config[2].key, "policy.sbrk");
	assert_int_equal(res->config[2].line, 6);
	free(res);
}

/* The compact writer's header comments carry the name and description. */
static void test_compact_header_comments(void **state)
{
	(void)state;
	static const char text[] = "heapgrow-trace 1\n"
				   "# name: churn\n"
				   "# description: stacks come and go\n"
				   "# name: ignored, the first one counts\n"
				   "a 1 8K\n"
				   "# name: after the first event: a comment\n";
	struct hg_trace_reader *r = NULL;
	struct hg_diag d;
	struct hg_op op;
	unsigned line, col;
	memset(&d, 0, sizeof(d));
	assert_int_equal(hg_trace_open_mem(&r, text, strlen(text), "t", &d), 0);
	assert_string_equal(hg_trace_info(r)->name, "churn");
	assert_string_equal(hg_trace_info(r)->description,
			    "stacks come and go");
	assert_int_equal(hg_trace_next(r, &op, &line, &col, &d), 1);
	assert_int_equal(hg_trace_next(r, &op, &line, &col, &d), 0);
	assert_string_equal(hg_trace_info(r)->name, "churn");
	hg_trace_close(r);
}

static void test_crlf_bom_and_flow(void **state)
{
	struct result *res;

	(void)state;
	res = read_text("\xef\xbb\xbfheapgrow-trace 1\r\na 1 8K\r\nm x y\r\n");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->n, 2);
	assert_string_equal(res->ops[1].text, "x y");
	free(res);
	res = read_text("{\"heapgrow\": 1, \"events\": [{\"free\": \"a\"}, "
			"{\"alloc\": {\"id\": 7, \"size\": 8192}}]}");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->n, 2);
	check_op(&res->ops[1], HG_OP_ALLOC, "7", 8192, 1, 44);
	free(res);
	/* No events at all is an empty trace, in any spelling. */
	res = read_text("heapgrow: 1\n");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->n, 0);
	free(res);
	res = read_text("heapgrow: 1\nevents:\n");
	assert_int_equal(res->rc, 0);
	free(res);
	res = read_text("heapgrow: 1\nevents: []\n...\n");
	assert_int_equal(res->rc, 0);
	free(res);
	res = read_text("heapgrow-trace 1\n");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->info.format, HG_FMT_COMPACT);
	free(res);
}

/* ------------------------------------------------------------------ */
/* gzip                                                                */
/* ------------------------------------------------------------------ */

static void test_gzip(void **state)
{
	const char *texts[] = { yaml_all, compact_all };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		size_t zlen, len;
		unsigned char *z = gzip_buf(texts[i], strlen(texts[i]), &zlen);
		unsigned char *two;
		struct result *res = read_bytes(z, zlen);

		check_all_kinds(res, i == 0);
		assert_true(res->info.gzip);
		assert_int_equal(res->info.format,
				 i == 0 ? HG_FMT_YAML : HG_FMT_COMPACT);
		free(res);

		/* Truncated compressed data is an error, not a short trace. */
		res = read_bytes(z, zlen - 10);
		assert_int_equal(res->rc, HG_EINVAL);
		char want[128];
		snprintf(want, sizeof(want),
			 "gzip: unexpected end of compressed data (truncated "
			 "file) at byte %zu",
			 zlen - 10);
		assert_string_equal(res->d.msg, want);
		free(res);

		/* Corrupt data. */
		z[zlen / 2] ^= 0x55;
		z[zlen / 2 + 1] ^= 0x55;
		res = read_bytes(z, zlen);
		assert_int_equal(res->rc, HG_EINVAL);
		assert_non_null(strstr(res->d.msg, "gzip"));
		free(res);
		z[zlen / 2] ^= 0x55;
		z[zlen / 2 + 1] ^= 0x55;

		/* A damaged trailer: its CRC, then its length (the same
		 * message and offset with either inflater). */
		z[zlen - 8] ^= 0x01;
		res = read_bytes(z, zlen);
		assert_int_equal(res->rc, HG_EINVAL);
		snprintf(
			want, sizeof(want),
			"gzip: corrupt data (incorrect data check) at byte %zu",
			zlen - 4);
		assert_string_equal(res->d.msg, want);
		free(res);
		z[zlen - 8] ^= 0x01;
		z[zlen - 4] ^= 0x01;
		res = read_bytes(z, zlen);
		assert_int_equal(res->rc, HG_EINVAL);
		snprintf(want, sizeof(want),
			 "gzip: corrupt data (incorrect length check) at byte "
			 "%zu",
			 zlen);
		assert_string_equal(res->d.msg, want);
		free(res);
		z[zlen - 4] ^= 0x01;

		/* Trailing garbage after the member. */
		two = malloc(zlen + 4);
		memcpy(two, z, zlen);
		memcpy(two + zlen, "junk", 4);
		res = read_bytes(two, zlen + 4);
		assert_int_equal(res->rc, HG_EINVAL);
		snprintf(want, sizeof(want),
			 "gzip: trailing garbage after compressed data at "
			 "byte %zu",
			 zlen);
		assert_string_equal(res->d.msg, want);
		free(res);
		free(two);
		free(z);

		/* Two members (gzip a b > c) read as one stream. */
		len = strlen(texts[i]);
		{
			size_t l1, l2;
			unsigned char *a = gzip_buf(texts[i], len / 2, &l1);
			unsigned char *b = gzip_buf(texts[i] + len / 2,
						    len - len / 2, &l2);

			two = malloc(l1 + l2);
			memcpy(two, a, l1);
			memcpy(two + l1, b, l2);
			res = read_bytes(two, l1 + l2);
			check_all_kinds(res, i == 0);
			free(res);
			free(two);
			free(a);
			free(b);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Errors and their positions                                          */
/* ------------------------------------------------------------------ */

static void test_yaml_errors(void **state)
{
	(void)state;
	expect_err("heapgrow: 2\n", 1, 11, "unsupported format version 2");
	expect_err("heapgrow: x\n", 1, 11, "bad format version 'x'");
	expect_err("name: a\n", 1, 1,
		   "missing 'heapgrow: 1' (the format "
		   "version)");
	expect_err(
		"events: []\nheapgrow: 1\n", 1, 1,
		"missing 'heapgrow: 1' (the format version) before 'events'");
	expect_err("heapgrow: 1\nevents: []\nname: x\n", 3, 1,
		   "'name' must come before 'events' (traces are read as a "
		   "stream)");
	expect_err("heapgrow: 1\nheapgrow: 1\n", 2, 1,
		   "duplicate key 'heapgrow'");
	expect_err("heapgrow: 1\nfoo: 1\n", 2, 1,
		   "unknown key 'foo' (a trace "
		   "has heapgrow, name, description, config, events)");
	expect_err("heapgrow: 1\nevents:\n  - allok: {id: 1}\n", 3, 5,
		   "unknown event kind 'allok'");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: 1}\n", 3, 5,
		   "alloc: missing field 'size'");
	expect_err("heapgrow: 1\nevents:\n  - alloc:\n      size: 1\n", 3, 5,
		   "alloc: missing field 'id'");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: 1, size: 12Q}\n", 3,
		   26, "bad size '12Q': unknown suffix");
	expect_err("heapgrow: 1\nevents:\n  - sysalloc: {id: 1, size: -4K}\n",
		   3, 29, "bad size '-4K': negative");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: 1, size: "
		   "99999999999999999999}\n",
		   3, 26,
		   "bad size '99999999999999999999': too large for 64 bits");
	expect_err(
		"heapgrow: 1\nevents:\n  - alloc: {id: 1, size: 16777216T}\n",
		3, 26, "bad size '16777216T': too large for 64 bits");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: 1, sise: 1}\n", 3, 20,
		   "alloc: unknown field 'sise'");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: 1, noscan: true}\n",
		   3, 20, "alloc: unknown field 'noscan'");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: 1, id: 2}\n", 3, 20,
		   "alloc: duplicate field 'id'");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: [1], size: 1}\n", 3,
		   17, "alloc: field 'id' must be a scalar, not a sequence");
	expect_err("heapgrow: 1\nevents:\n  - alloc: 5\n", 3, 12,
		   "alloc: expected a mapping {id, size}, not a scalar");
	expect_err("heapgrow: 1\nevents:\n  - free: [1]\n", 3, 11,
		   "free: expected an id, not a sequence");
	expect_err("heapgrow: 1\nevents:\n  - free:\n", 3, 5,
		   "free: missing field 'id'");
	expect_err("heapgrow: 1\nevents:\n  - free: 1\n    alloc: 2\n", 4, 5,
		   "an event has one key: 'alloc' after 'free' (start a new "
		   "event with '- ')");
	expect_err("heapgrow: 1\nevents:\n  - free 1\n", 3, 5,
		   "an event must be a mapping with one key (e.g. 'free: A'), "
		   "not a scalar");
	expect_err("heapgrow: 1\nevents:\n  - {}\n", 3, 6, "empty event");
	expect_err("heapgrow: 1\nevents:\n  - scavenge: allx\n", 3, 15,
		   "bad size 'allx': not a number");
	expect_err(
		"heapgrow: 1\nevents:\n  - mmap: {id: 1, addr: zz, size: 1}\n",
		3, 25, "bad address 'zz': not a number");
	expect_err("heapgrow: 1\nevents:\n  - mark: \"a\\0b\"\n", 3, 11,
		   "mark: text contains a NUL character");
	expect_err("heapgrow: 1\nevents:\n  - mark: ''\n", 3, 5,
		   "mark: missing field 'text'");
	expect_err("heapgrow: 1\nevents:\n  - free: &a 1\n  - free: *a\n", 4,
		   11, "YAML aliases are not supported");
	expect_err("heapgrow: 1\nconfig: {platform: [a]}\n", 2, 20,
		   "config key 'platform': value must be a scalar, not a "
		   "sequence");
	expect_err("heapgrow: 1\nconfig:\n  policy: x\n", 3, 3,
		   "config key 'policy' must be a mapping (e.g. 'policy: "
		   "{grow: incremental}')");
	expect_err("heapgrow: 1\nconfig:\n  policy: {grow: {a: b}}\n", 3, 18,
		   "config key 'policy.grow': value must be a scalar, not a "
		   "mapping");
	expect_err("heapgrow: 1\nconfig: 3\n", 2, 9,
		   "'config' must be a mapping, not a scalar");
	expect_err("heapgrow: 1\nconfig:\n  go: 1\n  go: 2\n", 4, 3,
		   "duplicate config key 'go' (first set at line 3)");
	expect_err("heapgrow: 1\nevents: 3\n", 2, 9,
		   "'events' must be a sequence, not a scalar");
	expect_err("heapgrow: 1\n---\nheapgrow: 1\n", 2, 1,
		   "only one YAML document is allowed in a trace");
	expect_err("", 1, 1,
		   "empty trace: expected 'heapgrow: 1' or "
		   "'heapgrow-trace 1'");
	expect_err("# only a comment\n", 1, 1,
		   "empty trace: expected "
		   "'heapgrow: 1' or 'heapgrow-trace 1'");
	expect_err("- a\n", 1, 1,
		   "a trace must be a YAML mapping with "
		   "'heapgrow: 1' or a compact trace starting 'heapgrow-trace "
		   "1', not a sequence");
	/* Malformed YAML: libyaml's message at its position. */
	expect_err("heapgrow: 1\nevents: [\n", 3, 1,
		   "malformed YAML: did not find expected node content (while "
		   "parsing a flow node at line 3)");
	expect_err("heapgrow: 1\nevents:\n - free: 1\n x: 1", 4, 2,
		   "malformed YAML: did not find expected '-' indicator (while "
		   "parsing a block collection at line 3)");
	expect_err("heapgrow: 1\nname: \"abc\n", 3, 1,
		   "malformed YAML: found unexpected end of stream (while "
		   "scanning a quoted scalar at line 2)");
}

static void test_binary_garbage(void **state)
{
	unsigned char junk[512];
	struct result *res;
	unsigned i, seed = 12345;

	(void)state;
	expect_err("\x01\x02\x03 binary", 1, 1,
		   "malformed YAML: control "
		   "characters are not allowed (byte offset 0)");
	for (i = 0; i < sizeof(junk); i++) {
		seed = seed * 1103515245u + 12345u;
		junk[i] = (unsigned char)(seed >> 16);
	}
	res = read_bytes(junk, sizeof(junk));
	assert_int_equal(res->rc, HG_EINVAL);
	assert_true(res->d.msg[0] != '\0');
	free(res);
	/* Just the gzip magic. */
	res = read_bytes("\x1f\x8b", 2);
	assert_int_equal(res->rc, HG_EINVAL);
	free(res);
}

static void test_compact_errors(void **state)
{
	(void)state;
	expect_err("heapgrow-trace 2\n", 1, 16, "unsupported format version 2");
	expect_err("heapgrow-trace x\n", 1, 16, "bad format version 'x'");
	expect_err("heapgrow-trace\n", 1, 15,
		   "missing format version after 'heapgrow-trace'");
	expect_err("heapgrow-trace 1 extra\n", 1, 18,
		   "unexpected 'extra' after the version");
	expect_err("heapgrow-trace 1\na 1 8K\nconfig go=1.9\n", 3, 1,
		   "config lines must come before the first event");
	expect_err("heapgrow-trace 1\nconfig go\n", 2, 8,
		   "config: expected KEY=VALUE, not 'go'");
	expect_err("heapgrow-trace 1\nconfig =x\n", 2, 8,
		   "config: expected KEY=VALUE, not '=x'");
	expect_err("heapgrow-trace 1\nconfig\n", 2, 1,
		   "config: expected KEY=VALUE settings");
	expect_err("heapgrow-trace 1\nconfig go=1 go=2\n", 2, 13,
		   "duplicate config key 'go' (first set at line 2)");
	expect_err(
		"heapgrow-trace 1\nconfig go=1 policy=x\n", 2, 13,
		"config key 'policy' needs a policy name (policy.NAME=VALUE)");
	expect_err("heapgrow-trace 1\nallok 1 2\n", 2, 1,
		   "unknown event kind 'allok'");
	expect_err("heapgrow-trace 1\n\n  a 1\n", 3, 3,
		   "alloc: missing field 'size'");
	expect_err("heapgrow-trace 1\na\n", 2, 1, "alloc: missing field 'id'");
	expect_err("heapgrow-trace 1\na 1 2 3\n", 2, 7,
		   "alloc: unexpected '3'");
	expect_err("heapgrow-trace 1\nf 1 # no trailing comments\n", 2, 5,
		   "free: unexpected '#'");
	expect_err("heapgrow-trace 1\nsa 1 12Q\n", 2, 6,
		   "bad size '12Q': unknown suffix");
	expect_err("heapgrow-trace 1\na 1 -1\n", 2, 5,
		   "bad size '-1': negative");
	expect_err("heapgrow-trace 1\na 1 0x\n", 2, 5,
		   "bad size '0x': not a "
		   "number");
	expect_err("heapgrow-trace 1\ns\n", 2, 1,
		   "scavenge: missing field 'size'");
	expect_err("heapgrow-trace 1\ns most\n", 2, 3,
		   "bad size 'most': not a number");
	expect_err("heapgrow-trace 1\nmm 1 2 3 4\n", 2, 10,
		   "mmap: unexpected '4'");
	expect_err("heapgrow-trace 1\nmm 1 zz 3\n", 2, 6,
		   "bad address 'zz': not a number");
	expect_err("heapgrow-trace 1\nmu\n", 2, 1,
		   "munmap: missing field 'id'");
	expect_err("heapgrow-trace 1\nsf\n", 2, 1,
		   "sysfree: missing field 'id'");
	expect_err("heapgrow-trace 1\nm  \n", 2, 1,
		   "mark: missing field 'text'");
	expect_err("heapgrow-trace 1\nheapgrow-trace 1\n", 2, 1,
		   "a second 'heapgrow-trace' line");
}

static void test_long_line(void **state)
{
	size_t n = 300000;
	char *t = malloc(n + 64);
	struct result *res;

	(void)state;
	strcpy(t, "heapgrow-trace 1\nm ");
	memset(t + strlen(t), 'x', n);
	t[19 + n] = '\0';
	res = read_text(t);
	assert_int_equal(res->rc, HG_EINVAL);
	assert_int_equal(res->d.line, 2);
	assert_string_equal(res->d.msg,
			    "line too long (more than 262144 bytes)");
	free(res);
	free(t);
}

/* ------------------------------------------------------------------ */
/* Ids                                                                 */
/* ------------------------------------------------------------------ */

static void test_ids(void **state)
{
	static const char *const good[] = {
		"0", "42", "A", "a_b", "x-1", "v1.2.3", "_", "-", ".", "007",
	};
	static const char *const bad[] = {
		"a/b", "a:b", "a,b", "\xc3\xa9", "a+b", "a*",
	};
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct result *res;

		assert_true(hg_trace_id_valid(good[i]));
		snprintf(buf, sizeof(buf), "heapgrow-trace 1\nf %s\n", good[i]);
		res = read_text(buf);
		assert_int_equal(res->rc, 0);
		assert_string_equal(res->ops[0].id, good[i]);
		free(res);
		snprintf(buf, sizeof(buf),
			 "heapgrow: 1\nevents:\n  - free: "
			 "\"%s\"\n",
			 good[i]);
		res = read_text(buf);
		assert_int_equal(res->rc, 0);
		assert_string_equal(res->ops[0].id, good[i]);
		free(res);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[128];

		assert_false(hg_trace_id_valid(bad[i]));
		snprintf(buf, sizeof(buf), "heapgrow-trace 1\nsf %s\n", bad[i]);
		snprintf(want, sizeof(want),
			 "sysfree: bad id '%s' (letters, "
			 "digits, '_', '-', '.')",
			 bad[i]);
		if ((unsigned char)bad[i][0] < 0x80)
			expect_err(buf, 2, 4, want);
		snprintf(buf, sizeof(buf),
			 "heapgrow: 1\nevents:\n  - alloc: "
			 "{size: 1, id: \"%s\"}\n",
			 bad[i]);
		snprintf(want, sizeof(want),
			 "alloc: bad id '%s' (letters, "
			 "digits, '_', '-', '.')",
			 bad[i]);
		if ((unsigned char)bad[i][0] < 0x80)
			expect_err(buf, 3, 26, want);
	}
	assert_false(hg_trace_id_valid(""));
	assert_false(hg_trace_id_valid(NULL));
	expect_err("heapgrow: 1\nevents:\n  - free: \"a b\"\n", 3, 11,
		   "free: bad id 'a b' (letters, digits, '_', '-', '.')");
	/* An integer id is the same string as its digits. */
	{
		struct result *res = read_text("heapgrow: 1\nevents:\n"
					       "  - alloc: {id: 12, size: 1}\n"
					       "  - free: \"12\"\n");

		assert_int_equal(res->rc, 0);
		assert_string_equal(res->ops[0].id, res->ops[1].id);
		free(res);
	}
}

/* ------------------------------------------------------------------ */
/* Streaming                                                           */
/* ------------------------------------------------------------------ */

/* stream_through_pipe has a child write n events into a pipe while the
 * reader takes them out, and checks that heap use stays flat. */
static void stream_through_pipe(bool yaml, unsigned n)
{
	struct hg_trace_reader *r;
	struct hg_diag d;
	struct hg_op op;
	unsigned line, col, i = 0;
	size_t base = 0, peak = 0;
	int fds[2], status, rc;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f = fdopen(fds[1], "w");
		unsigned k;

		close(fds[0]);
		fputs(yaml ? "heapgrow: 1\nevents:\n" : "heapgrow-trace 1\n",
		      f);
		for (k = 0; k < n / 2; k++) {
			if (yaml)
				fprintf(f,
					"  - alloc: {id: o%u, size: %uK}\n"
					"  - free: o%u\n",
					k, 8 + k % 64, k);
			else
				fprintf(f, "a o%u %uK\nf o%u\n", k, 8 + k % 64,
					k);
		}
		fclose(f);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(hg_trace_open_fd(&r, fds[0], "pipe", &d), 0);
	while ((rc = hg_trace_next(r, &op, &line, &col, &d)) > 0) {
		size_t used = mallinfo2().uordblks;

		if (i == 1000)
			base = used;
		if (used > peak)
			peak = used;
		assert_int_equal(op.kind, i % 2 ? HG_OP_FREE : HG_OP_ALLOC);
		i++;
		assert_int_equal(line, (yaml ? 3 : 2) + (i - 1));
	}
	assert_int_equal(rc, 0);
	assert_int_equal(i, n);
	/* Memory after the first events does not grow with the trace. */
	assert_true(peak <= base + 64 * 1024);
	hg_trace_close(r);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_stream_compact(void **state)
{
	(void)state;
	stream_through_pipe(false, 200000);
}

static void test_stream_yaml(void **state)
{
	(void)state;
	stream_through_pipe(true, 200000);
}

/* The readers' sizes are hg_parse_size's (they parse the common ones
 * without it). */
static void test_sizes_as_parse_size(void **state)
{
	static const char *const sizes[] = {
		"0",
		"7",
		"8K",
		"8KiB",
		"8Ki",
		"8k",
		"8KB",
		"16M",
		"16MiB",
		"3G",
		"3GiB",
		"2T",
		"2TiB",
		"017",
		"0x10",
		"0X1f",
		"0x",
		"x1",
		"999999999999999999",
		"9999999999999999999",
		"18446744073709551615",
		"18446744073709551616",
		"99999999999999999999",
		"16777215T",
		"16777216T",
		"17592186044415M",
		"17592186044416M",
		"1 K",
		"1KK",
		"K",
		"12Q",
		"0K",
		"00000000000000000001",
		"1234",
		"12345",
		"123456",
		"1234567",
		"12345678",
		"99999999",
		"00000000",
		"0000",
		"4096",
		"1234567K",
		"123:",
		"12/4",
		"1234567/",
		"123456789",
	};
	uint64_t x = 2463534242u;
	char gen[32];

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) + 4000; i++) {
		char text[128];
		uint64_t want = 0;
		const char *sz = gen;

		if (i < sizeof(sizes) / sizeof(sizes[0])) {
			sz = sizes[i];
		} else {
			/* 1 to 10 digits, now and then a byte beside '0'..'9'.
			 */
			unsigned n = 1 + (unsigned)(i % 10);

			for (unsigned j = 0; j < n; j++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				gen[j] = (char)('0' + x % 10);
				if (x % 97 == 0)
					gen[j] = x % 2 ? '/' : ':';
			}
			gen[n] = '\0';
		}
		int ok = hg_parse_size(sz, &want) == 0;
		struct result *res;

		snprintf(text, sizeof(text), "heapgrow-trace 1\ns %s\n", sz);
		res = read_text(text);
		if (ok != (res->rc == 0))
			fail_msg("'%s': hg_parse_size %d, reader %d (%s)", sz,
				 ok, res->rc, res->d.msg);
		if (ok)
			assert_int_equal(res->ops[0].size, want);
		free(res);
	}
}

/* ------------------------------------------------------------------ */
/* YAML events read without libyaml                                   */
/* ------------------------------------------------------------------ */

/* lockstep reads a and b op by op: the same ops, lines and columns. */
static unsigned lockstep(const char *a, const char *b, bool same_pos)
{
	struct hg_trace_reader *ra, *rb;
	struct hg_diag d;
	struct hg_op x, y;
	unsigned lx, cx, ly, cy, n = 0;
	int rx, ry;

	if (hg_trace_open_mem(&ra, a, strlen(a), "a", &d) != 0 ||
	    hg_trace_open_mem(&rb, b, strlen(b), "b", &d) != 0)
		fail_msg("%s:%u:%u: %s", d.file, d.line, d.col, d.msg);
	for (;;) {
		rx = hg_trace_next(ra, &x, &lx, &cx, &d);
		if (rx < 0)
			fail_msg("a: %u:%u: %s", d.line, d.col, d.msg);
		ry = hg_trace_next(rb, &y, &ly, &cy, &d);
		if (ry < 0)
			fail_msg("b: %u:%u: %s", d.line, d.col, d.msg);
		assert_int_equal(rx, ry);
		if (rx == 0)
			break;
		assert_int_equal(x.kind, y.kind);
		assert_string_equal(x.id ? x.id : "", y.id ? y.id : "");
		assert_int_equal(x.id_len, y.id_len);
		assert_int_equal(x.id_hash, y.id_hash);
		if (x.id)
			assert_true(x.id_hash ==
				    hg_id_hash(x.id, strlen(x.id)));
		assert_int_equal(x.size, y.size);
		assert_int_equal(x.addr, y.addr);
		assert_int_equal(x.has_addr, y.has_addr);
		assert_int_equal(x.all, y.all);
		assert_int_equal(x.noscan, y.noscan);
		assert_int_equal(x.swept, y.swept);
		assert_int_equal(x.value, y.value);
		assert_string_equal(x.text ? x.text : "", y.text ? y.text : "");
		if (same_pos) {
			assert_int_equal(lx, ly);
			assert_int_equal(cx, cy);
		}
		n++;
	}
	hg_trace_close(ra);
	hg_trace_close(rb);
	return n;
}

/* second_op reads the second event of the compact trace text (the first
 * is read with the header, never by the fast line): 1 with *op, or the
 * error in *msg (its position in front). */
static int second_op(const char *text, struct hg_op *op, char *msg, size_t n)
{
	struct hg_trace_reader *r;
	struct hg_diag d;
	unsigned l, c;
	int rc;

	if (hg_trace_open_mem(&r, text, strlen(text), "t", &d) != 0)
		fail_msg("%u:%u: %s", d.line, d.col, d.msg);
	rc = hg_trace_next(r, op, &l, &c, &d);
	if (rc == 1)
		rc = hg_trace_next(r, op, &l, &c, &d);
	if (rc < 0)
		snprintf(msg, n, "%u:%u: %s", d.line, d.col, d.msg);
	hg_trace_close(r);
	return rc;
}

/* Sizes of every digit count from 1 to 21, with and without a suffix or a
 * stray byte, read by the fast line (a plain newline) and by the full
 * parse (the same line ending in CR LF): the same size or the same error,
 * at the same position. */
static void test_compact_fast_sizes(void **state)
{
	static const char *const tails[] = { "",   "K", "M", "G",  "T", "x",
					     "K2", ".", "-", "KK", "/", ":" };
	uint64_t s = 88172645463325252ull;

	(void)state;
	for (unsigned nd = 1; nd <= 21; nd++) {
		for (unsigned t = 0; t < sizeof(tails) / sizeof(tails[0]);
		     t++) {
			for (unsigned rep = 0; rep < 40; rep++) {
				char digits[32], fast[96], slow[96];
				char mf[320] = "", ms[320] = "";
				struct hg_op a, b;

				for (unsigned i = 0; i < nd; i++) {
					s ^= s << 13;
					s ^= s >> 7;
					s ^= s << 17;
					/* Some with leading zeros or nines. */
					digits[i] =
						rep == 0   ? '9'
						: rep == 1 ? (i ? '0' : '1')
						: rep == 2
							? '0'
							: (char)('0' + s % 10);
				}
				digits[nd] = '\0';
				snprintf(fast, sizeof(fast),
					 "heapgrow-trace 1\np 0\na s1 %s%s 1\n",
					 digits, tails[t]);
				snprintf(slow, sizeof(slow),
					 "heapgrow-trace 1\np 0\na s1 %s%s "
					 "1\r\n",
					 digits, tails[t]);
				/* (A third word: an address, or an error.) */
				int rf = second_op(fast, &a, mf, sizeof(mf));
				int rs = second_op(slow, &b, ms, sizeof(ms));

				assert_int_equal(rf, rs);
				assert_string_equal(mf, ms);
				if (rf == 1) {
					assert_int_equal(a.size, b.size);
					assert_int_equal(a.addr, b.addr);
				}
				snprintf(fast, sizeof(fast),
					 "heapgrow-trace 1\np 0\na s1 %s%s\n",
					 digits, tails[t]);
				snprintf(slow, sizeof(slow),
					 "heapgrow-trace 1\np 0\na s1 %s%s\r\n",
					 digits, tails[t]);
				rf = second_op(fast, &a, mf, sizeof(mf));
				rs = second_op(slow, &b, ms, sizeof(ms));
				assert_int_equal(rf, rs);
				assert_string_equal(mf, ms);
				if (rf == 1) {
					assert_int_equal(a.size, b.size);
					if (nd <= 18 && !tails[t][0]) {
						uint64_t v = strtoull(digits,
								      NULL, 10);
						assert_true(a.size == v);
					}
				}
			}
		}
	}
}

/* fast_event writes event k of ten, numbered id, as YAML or compact. */
static size_t fast_event(char *b, size_t n, bool yaml, unsigned k, unsigned id)
{
	switch (k) {
	case 0:
		return (size_t)(yaml ? snprintf(b, n,
						"  - alloc: {id: s%u, size: "
						"%uK}\n",
						id, id + 1)
				     : snprintf(b, n, "a s%u %uK\n", id,
						id + 1));
	case 1:
		return (size_t)(yaml ? snprintf(b, n, "  - free: s%u\n", id)
				     : snprintf(b, n, "f s%u\n", id));
	case 2:
		return (size_t)(yaml ? snprintf(b, n,
						"  - sysalloc: {id: g%u, size: "
						"%u}  # stack\n",
						id, id + 1)
				     : snprintf(b, n, "sa g%u %u\n", id,
						id + 1));
	case 3:
		return (size_t)(yaml ? snprintf(b, n, "  - sysfree: \"g%u\"\n",
						id)
				     : snprintf(b, n, "sf g%u\n", id));
	case 4:
		return (size_t)(yaml ? snprintf(b, n,
						"  - mmap: {id: m%u, addr: "
						"0x7f%u000, size: 1M}\n",
						id, id)
				     : snprintf(b, n, "mm m%u 0x7f%u000 1M\n",
						id, id));
	case 5:
		return (size_t)(yaml ? snprintf(b, n, "  - munmap: m%u\n", id)
				     : snprintf(b, n, "mu m%u\n", id));
	case 6:
		return (size_t)(yaml ? snprintf(b, n,
						"  - new: {id: o.%u, size: %u, "
						"noscan: true}\n",
						id, id + 1)
				     : snprintf(b, n, "n o.%u %u noscan\n", id,
						id + 1));
	case 7:
		return (size_t)(yaml ? snprintf(b, n,
						"  - del: {id: o.%u, swept: "
						"true}\n",
						id)
				     : snprintf(b, n, "d o.%u swept\n", id));
	case 8:
		return (size_t)(yaml ? snprintf(b, n,
						"  - stackalloc: {id: k_%u, "
						"size: %uK, addr: 0xc%u}\n",
						id, id + 1, id)
				     : snprintf(b, n, "ka k_%u %uK @0xc%u\n",
						id, id + 1, id));
	default:
		return (size_t)(yaml ? snprintf(b, n, "  - stackfree: k_%u\n",
						id)
				     : snprintf(b, n, "kf k_%u\n", id));
	}
}

/* hg__id_run, the fast line's id scan, counts what hg__id_byte would:
 * every byte value at every position of a word of id bytes. */
static void test_id_run(void **state)
{
	(void)state;
	for (unsigned at = 0; at < 8; at++) {
		for (unsigned b = 0; b < 256; b++) {
			unsigned char w8[8];
			uint64_t w;

			for (unsigned j = 0; j < 8; j++)
				w8[j] = (unsigned char)"a0_-.Zz9"[(j + b) % 8];
			w8[at] = (unsigned char)b;
			memcpy(&w, w8, 8);
			if (!HG_WORDS_LE)
				continue;
			assert_int_equal(hg__id_run(w),
					 hg__id_byte[b] ? 8u : at);
			/* And a stop after it. */
			if (at < 7) {
				w8[at + 1] = ' ';
				memcpy(&w, w8, 8);
				assert_int_equal(hg__id_run(w),
						 hg__id_byte[b] ? at + 1 : at);
			}
		}
	}
}

/*
 * The compact reader's fast line (events read straight from the source
 * buffer) and its other paths give the same ops at the same lines: a
 * trace of plain lines, longer than the source buffer so that lines
 * straddle its refills, beside the same events with tabs, doubled and
 * trailing blanks and CRLF line ends (which the fast line leaves to the
 * others), and a line with a leading blank at its column.
 */
static void test_compact_fast_line(void **state)
{
	size_t cap = 4 << 20, na = 0, nb = 0;
	char *a = malloc(cap), *b = malloc(cap);
	static const char *const hdr = "heapgrow-trace 1\n# name: fast\n";

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	na += (size_t)snprintf(a + na, cap - na, "%s", hdr);
	nb += (size_t)snprintf(b + nb, cap - nb, "%s", hdr);
	for (unsigned i = 0; i < 80000; i++) {
		unsigned k = i % 8, id = i / 8;
		const char *sfx = i % 3 == 0 ? "K" : i % 3 == 1 ? "" : "M";
		char ev[96];

		/* Ids of 1 to 26 bytes, each kind of id byte in every
		 * position of an eight-byte word. */
		static const char idb[] = "zA_-.09aZy";
		char pre[24];
		unsigned np = id % 21;

		for (unsigned j = 0; j < np; j++)
			pre[j] = idb[(id + j) % (sizeof(idb) - 1)];
		pre[np] = '\0';
		switch (k) {
		case 0:
			snprintf(ev, sizeof(ev), "a %ss%u %u%s", pre, id,
				 id % 977 + 1, sfx);
			break;
		case 1:
			snprintf(ev, sizeof(ev), "sa g-%u.x %u", id, id + 1);
			break;
		case 2:
			snprintf(ev, sizeof(ev), "f %ss%u", pre, id);
			break;
		case 3:
			snprintf(ev, sizeof(ev), "sf g-%u.x", id);
			break;
		case 4:
			snprintf(ev, sizeof(ev), "p %u", id % 4);
			break;
		case 5:
			snprintf(ev, sizeof(ev), "s %s",
				 id % 2 ? "all" : "123456789012345678");
			break;
		case 6:
			snprintf(ev, sizeof(ev), "t %u", i);
			break;
		default:
			snprintf(ev, sizeof(ev), "m step %u", id);
			break;
		}
		na += (size_t)snprintf(a + na, cap - na, "%s\n", ev);
		/* The same event with other blanks and line ends. */
		const char *sep = i % 4 == 0 ? "\t" : i % 4 == 1 ? "  " : " ";
		const char *end = i % 5 == 0   ? "\r\n"
				  : i % 5 == 1 ? " \t\n"
					       : "\n";
		for (const char *q = ev; *q; q++) {
			if (*q == ' ' && k != 7)
				nb += (size_t)snprintf(b + nb, cap - nb, "%s",
						       sep);
			else
				b[nb++] = *q;
		}
		nb += (size_t)snprintf(b + nb, cap - nb, "%s", end);
	}
	a[na] = b[nb] = '\0';
	assert_true(na > 2 * 256 * 1024);
	assert_int_equal(lockstep(a, b, true), 80000);
	free(a);
	free(b);
	/* A leading blank: the same op, at its column. */
	struct result *res = read_text("heapgrow-trace 1\na s1 8K\n  f s1\n"
				       "a s2 1\n");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->n, 3);
	check_op(&res->ops[0], HG_OP_ALLOC, "s1", 8192, 2, 1);
	check_op(&res->ops[1], HG_OP_FREE, "s1", 0, 3, 3);
	check_op(&res->ops[2], HG_OP_ALLOC, "s2", 1, 4, 1);
	free(res);
}

/* Every kind of event, one a line, in the forms `heapgrow convert`
 * writes and a few more, as YAML (read without libyaml) and compact. */
static void test_yaml_fast_path(void **state)
{
	size_t cap = 1 << 20, ny = 0, nc = 0;
	char *y = malloc(cap), *c = malloc(cap);
	unsigned n;

	(void)state;
	assert_non_null(y);
	assert_non_null(c);
	ny += (size_t)snprintf(y + ny, cap - ny,
			       "heapgrow: 1\nname: fast\nconfig:\n"
			       "  platform: linux/amd64\nevents:\n");
	nc += (size_t)snprintf(c + nc, cap - nc,
			       "heapgrow-trace 1\n# name: fast\n"
			       "config platform=linux/amd64\n");
	for (unsigned i = 0; i < 2000; i++) {
		unsigned k = i % 10, id = i / 10;

		ny += fast_event(y + ny, cap - ny, true, k, id);
		nc += fast_event(c + nc, cap - nc, false, k, id);
		if (i % 97 == 0) {
			ny += (size_t)snprintf(y + ny, cap - ny,
					       "  - mark: \"step %u\"\n"
					       "\n# a comment\n    # deeper\n"
					       "  - scavenge: all\n"
					       "  - scavenge: 16M\n  - gc:\n"
					       "  - gc: {}\n  - proc: %u\n"
					       "  - time: %u\n",
					       i, i % 4, i);
			nc += (size_t)snprintf(c + nc, cap - nc,
					       "m step %u\ns all\ns 16M\ng\n"
					       "g\np %u\nt %u\n",
					       i, i % 4, i);
		}
	}
	n = lockstep(y, c, false);
	assert_true(n > 2000);
	/* The same trace with CRLF line ends, and with the events at
	 * column 0, read without libyaml: the same ops at the same lines. */
	{
		char *crlf = malloc(2 * ny + 1), *flat = malloc(ny + 1);
		size_t a = 0, b = 0;

		assert_non_null(crlf);
		assert_non_null(flat);
		for (size_t i = 0; i < ny; i++) {
			if (y[i] == '\n')
				crlf[a++] = '\r';
			crlf[a++] = y[i];
		}
		for (size_t i = 0; i < ny; i++) {
			/* "  - " at a line start becomes "- ". */
			if ((i == 0 || y[i - 1] == '\n') && i + 4 <= ny &&
			    memcmp(y + i, "  - ", 4) == 0)
				i += 2;
			flat[b++] = y[i];
		}
		crlf[a] = flat[b] = '\0';
		assert_int_equal(lockstep(y, crlf, true), n);
		assert_int_equal(lockstep(c, flat, false), n);
		free(crlf);
		free(flat);
	}
	free(y);
	free(c);
}

/*
 * Lines the fast path leaves to libyaml give what libyaml gives: the ops
 * (a text folded over two lines, a block mapping, a quoted id, UTF-8) and
 * the errors, at the trace's own positions.
 */
static void test_yaml_fast_fallback(void **state)
{
	struct result *res;

	(void)state;
	res = read_text("heapgrow: 1\nevents:\n"
			"  - alloc: {id: a, size: 8K}\n"
			"  - mark: two\n      lines\n"
			"  - alloc:\n      id: b\n      size: 16K\n"
			"  - free: 'a'\n"
			"  - mark: \"caf\xc3\xa9\"\n"
			"  - free: b\n");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->n, 6);
	check_op(&res->ops[0], HG_OP_ALLOC, "a", 8192, 3, 5);
	assert_string_equal(res->ops[1].text, "two lines");
	assert_int_equal(res->ops[1].line, 4);
	check_op(&res->ops[2], HG_OP_ALLOC, "b", 16384, 6, 5);
	check_op(&res->ops[3], HG_OP_FREE, "a", 0, 9, 5);
	assert_string_equal(res->ops[4].text, "caf\xc3\xa9");
	check_op(&res->ops[5], HG_OP_FREE, "b", 0, 11, 5);
	free(res);
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: a, size: 8K}\n"
		   "- free: a\n",
		   4, 1,
		   "malformed YAML: did not find expected key (while "
		   "parsing a block mapping at line 1)");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: a, size: 8K}\n"
		   " - free: a\n",
		   4, 2,
		   "malformed YAML: did not find expected key (while "
		   "parsing a block mapping at line 1)");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: a, size: 8K}\n"
		   "    - free: a\n",
		   4, 5,
		   "malformed YAML: did not find expected key (while "
		   "parsing a block mapping at line 3)");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: a, size: 8K}\n"
		   "    free: a\n",
		   4, 5,
		   "an event has one key: 'free' after 'alloc' (start a new "
		   "event with '- ')");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: a, size: 8K}\n"
		   "name: x\n",
		   4, 1,
		   "'name' must come before 'events' (traces are read as a "
		   "stream)");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: a, size: 8K}\n"
		   "  - alloc: {id: b, size: 12Q}\n",
		   4, 26, "bad size '12Q': unknown suffix");
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: a, size: 8K}\n"
		   "  - free: -\n",
		   4, 11,
		   "malformed YAML: block sequence entries are not allowed "
		   "in this context");
	/* Quiet lines between events and after the last one, a tab in a
	 * line after an event (left to libyaml), UTF-8 in a comment. */
	res = read_text("heapgrow: 1\nevents:\n"
			"  - alloc: {id: a, size: 8K}\n"
			"\n  # a comment\n\n"
			"  - free: a\n"
			"  - alloc: {id: b, size: 8K}\n"
			"  - free:\tb\n"
			"  # caf\xc3\xa9\n"
			"  - alloc: {id: c, size: 8K}\n"
			"  # end\n");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->n, 5);
	check_op(&res->ops[0], HG_OP_ALLOC, "a", 8192, 3, 5);
	check_op(&res->ops[1], HG_OP_FREE, "a", 0, 7, 5);
	check_op(&res->ops[2], HG_OP_ALLOC, "b", 8192, 8, 5);
	check_op(&res->ops[3], HG_OP_FREE, "b", 0, 9, 5);
	check_op(&res->ops[4], HG_OP_ALLOC, "c", 8192, 11, 5);
	free(res);
	/* DEL (0x7f) is refused as a control character is. */
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: a, size: 8K}\n"
		   "  - free: a\x7f\n",
		   1, 1,
		   "malformed YAML: control characters are not allowed (byte "
		   "offset 60)");
	/* libyaml's reader refuses a block before it parses any of it. */
	expect_err("heapgrow: 1\nevents:\n  - alloc: {id: a, size: 8K}\n"
		   "  - free: a\x01\n",
		   1, 1,
		   "malformed YAML: control characters are not allowed (byte "
		   "offset 60)");
}

/* ------------------------------------------------------------------ */
/* Config files                                                        */
/* ------------------------------------------------------------------ */

static void expect_config_err(const char *text, unsigned line, unsigned col,
			      const char *msg)
{
	struct hg_setting *s = NULL;
	struct hg_diag d;
	size_t n = 0;
	int rc = hg_config_load_mem(text, strlen(text), "c.yaml", &s, &n, &d);

	if (rc == 0 || d.line != line || d.col != col || strcmp(d.msg, msg))
		print_error("config:\n%s\nwant %u:%u: %s\ngot %d %u:%u: %s\n",
			    text, line, col, msg, rc, d.line, d.col, d.msg);
	assert_int_equal(rc, HG_EINVAL);
	assert_null(s);
	assert_string_equal(d.file, "c.yaml");
	assert_string_equal(d.msg, msg);
	assert_int_equal(d.line, line);
	assert_int_equal(d.col, col);
}

static void test_config_file(void **state)
{
	static const char text[] = "# a config file\n"
				   "platform: linux/386   # comment\n"
				   "go: 1.10\n"
				   "policy:\n"
				   "  arena: linear\n"
				   "  grow: whole-arena\n"
				   "page_cache: false\n";
	struct hg_setting *s;
	struct hg_diag d;
	char path[] = "/tmp/hg_test_config_XXXXXX";
	size_t n, zlen;
	unsigned char *z;
	int fd;

	(void)state;
	assert_int_equal(
		hg_config_load_mem(text, strlen(text), "c.yaml", &s, &n, &d),
		0);
	assert_int_equal(n, 5);
	assert_string_equal(s[0].key, "platform");
	assert_string_equal(s[0].value, "linux/386");
	assert_int_equal(s[0].line, 2);
	assert_int_equal(s[0].col, 1);
	assert_string_equal(s[1].key, "go");
	assert_string_equal(s[1].value, "1.10");
	assert_string_equal(s[2].key, "policy.arena");
	assert_string_equal(s[2].value, "linear");
	assert_int_equal(s[2].line, 5);
	assert_int_equal(s[2].col, 3);
	assert_string_equal(s[3].key, "policy.grow");
	assert_string_equal(s[4].key, "page_cache");
	assert_string_equal(s[4].value, "false");
	free(s);

	/* From a file, gzip-compressed too. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	z = gzip_buf(text, strlen(text), &zlen);
	assert_int_equal(write(fd, z, zlen), (ssize_t)zlen);
	close(fd);
	free(z);
	assert_int_equal(hg_config_load(path, &s, &n, &d), 0);
	assert_int_equal(n, 5);
	free(s);
	unlink(path);
	assert_int_equal(hg_config_load(path, &s, &n, &d), HG_EINVAL);
	assert_non_null(strstr(d.msg, "cannot open"));

	/* Empty files set nothing. */
	assert_int_equal(hg_config_load_mem("", 0, "e", &s, &n, &d), 0);
	assert_int_equal(n, 0);
	free(s);
	assert_int_equal(hg_config_load_mem("# nothing\n", 10, "e", &s, &n, &d),
			 0);
	assert_int_equal(n, 0);
	free(s);

	expect_config_err("go: 1.9\nplatfrom: x\n", 2, 1,
			  "unknown config key 'platfrom'");
	expect_config_err("policy:\n  grwo: x\n", 2, 3,
			  "unknown config key 'policy.grwo'");
	expect_config_err("policy: x\n", 1, 1,
			  "config key 'policy' must be a "
			  "mapping (e.g. 'policy: {grow: incremental}')");
	expect_config_err("go: [1]\n", 1, 5,
			  "config key 'go': value must be "
			  "a scalar, not a sequence");
	expect_config_err("go: 1\ngo: 2\n", 2, 1,
			  "duplicate config key 'go' (first set at line 1)");
	expect_config_err("- go\n", 1, 1,
			  "a config file must be a YAML "
			  "mapping of config keys, not a sequence");
	expect_config_err("go: &x 1\nplatform: *x\n", 2, 11,
			  "YAML aliases are not supported");
	expect_config_err("go: 1\n  platform: x\n", 2, 11,
			  "malformed YAML: mapping values are not allowed in "
			  "this context");
	expect_config_err("go: 1\n---\ngo: 2\n", 2, 1,
			  "only one YAML document "
			  "is allowed in a config file");
}

/* ------------------------------------------------------------------ */
/* Object-level and runtime ops, recorded addresses                    */
/* ------------------------------------------------------------------ */

static const char yaml_new_ops[] =
	"heapgrow: 1\n"
	"events:\n"
	"  - proc: 1\n"
	"  - time: 1500000\n"
	"  - new: {id: O, size: 100, noscan: true, addr: 0xc000010000}\n"
	"  - new: {id: P, size: 48}\n"
	"  - new: {size: 1K, id: Q, noscan: false}\n"
	"  - del: O\n"
	"  - gc: {}\n"
	"  - gc:\n"
	"  - stackalloc: {id: G1, size: 8K}\n"
	"  - stackalloc: {id: G2, size: 8K, addr: 0xc000100000}\n"
	"  - stackfree: G1\n"
	"  - alloc: {id: A, size: 8K, addr: 0xc000200000}\n"
	"  - sysalloc: {id: S, addr: 0x7f00, size: 64K}\n";

static const char compact_new_ops[] = "heapgrow-trace 1\n"
				      "p 1\n"
				      "t 1500000\n"
				      "n O 100 noscan @0xc000010000\n"
				      "n P 48\n"
				      "n Q 1K\n"
				      "d O\n"
				      "g\n"
				      "g\n"
				      "ka G1 8K\n"
				      "ka G2 8K @0xc000100000\n"
				      "kf G1\n"
				      "a A 8K @0xc000200000\n"
				      "sa S 64K @0x7f00\n";

static void check_new_ops(const struct result *res, bool yaml)
{
	const struct rec *o = res->ops;

	assert_int_equal(res->rc, 0);
	assert_int_equal(res->n, 13);
	assert_int_equal(o[0].kind, HG_OP_PROC);
	assert_int_equal(o[0].value, 1);
	assert_int_equal(o[1].kind, HG_OP_TIME);
	assert_int_equal(o[1].value, 1500000);
	check_op(&o[2], HG_OP_NEW, "O", 100, 2 + 2 + yaml, yaml ? 5 : 1);
	assert_true(o[2].noscan);
	assert_true(o[2].has_addr);
	assert_int_equal(o[2].addr, 0xc000010000ull);
	check_op(&o[3], HG_OP_NEW, "P", 48, 3 + 2 + yaml, yaml ? 5 : 1);
	assert_false(o[3].noscan);
	assert_false(o[3].has_addr);
	check_op(&o[4], HG_OP_NEW, "Q", 1024, 4 + 2 + yaml, yaml ? 5 : 1);
	assert_false(o[4].noscan);
	check_op(&o[5], HG_OP_DEL, "O", 0, 5 + 2 + yaml, yaml ? 5 : 1);
	assert_int_equal(o[6].kind, HG_OP_GC);
	assert_int_equal(o[7].kind, HG_OP_GC);
	check_op(&o[8], HG_OP_STACKALLOC, "G1", 8192, 8 + 2 + yaml,
		 yaml ? 5 : 1);
	assert_false(o[8].has_addr);
	check_op(&o[9], HG_OP_STACKALLOC, "G2", 8192, 9 + 2 + yaml,
		 yaml ? 5 : 1);
	assert_true(o[9].has_addr);
	assert_int_equal(o[9].addr, 0xc000100000ull);
	check_op(&o[10], HG_OP_STACKFREE, "G1", 0, 10 + 2 + yaml, yaml ? 5 : 1);
	check_op(&o[11], HG_OP_ALLOC, "A", 8192, 11 + 2 + yaml, yaml ? 5 : 1);
	assert_true(o[11].has_addr);
	assert_int_equal(o[11].addr, 0xc000200000ull);
	check_op(&o[12], HG_OP_SYSALLOC, "S", 65536, 12 + 2 + yaml,
		 yaml ? 5 : 1);
	assert_true(o[12].has_addr);
	assert_int_equal(o[12].addr, 0x7f00);
}

static char *convert(const char *text, enum hg_trace_format fmt, bool gz,
		     size_t *len);
static void same_ops(const struct result *a, const struct result *b);

static void test_new_ops(void **state)
{
	struct result *y = read_text(yaml_new_ops);
	struct result *c = read_text(compact_new_ops);
	size_t len;
	char *out;

	(void)state;
	check_new_ops(y, true);
	check_new_ops(c, false);
	/* The writers' forms: field order of the op table, optional
	 * fields only when set. */
	out = convert(yaml_new_ops, HG_FMT_COMPACT, false, &len);
	assert_string_equal(out, "heapgrow-trace 1\n"
				 "p 1\n"
				 "t 1500000\n"
				 "n O 100 noscan @0xc000010000\n"
				 "n P 48\n"
				 "n Q 1K\n"
				 "d O\n"
				 "g\n"
				 "g\n"
				 "ka G1 8K\n"
				 "ka G2 8K @0xc000100000\n"
				 "kf G1\n"
				 "a A 8K @0xc000200000\n"
				 "sa S 64K @0x7f00\n");
	free(out);
	out = convert(compact_new_ops, HG_FMT_YAML, false, &len);
	assert_string_equal(
		out, "heapgrow: 1\n"
		     "events:\n"
		     "  - proc: 1\n"
		     "  - time: 1500000\n"
		     "  - new: {id: O, size: 100, noscan: true, addr: "
		     "0xc000010000}\n"
		     "  - new: {id: P, size: 48}\n"
		     "  - new: {id: Q, size: 1K}\n"
		     "  - del: O\n"
		     "  - gc: {}\n"
		     "  - gc: {}\n"
		     "  - stackalloc: {id: G1, size: 8K}\n"
		     "  - stackalloc: {id: G2, size: 8K, addr: 0xc000100000}\n"
		     "  - stackfree: G1\n"
		     "  - alloc: {id: A, size: 8K, addr: 0xc000200000}\n"
		     "  - sysalloc: {id: S, size: 64K, addr: 0x7f00}\n");
	free(out);
	/* Both formats, through both writers, gzip or not. */
	for (unsigned j = 0; j < 4; j++) {
		enum hg_trace_format fmt = j & 1 ? HG_FMT_COMPACT : HG_FMT_YAML;
		const char *in = j & 2 ? compact_new_ops : yaml_new_ops;
		struct result *back;

		out = convert(in, fmt, j & 1, &len);
		back = read_bytes(out, len);
		same_ops(y, back);
		free(back);
		free(out);
	}
	free(y);
	free(c);
}

static void test_new_ops_errors(void **state)
{
	(void)state;
	expect_err("heapgrow: 1\nevents:\n  - new: {id: 1}\n", 3, 5,
		   "new: missing field 'size'");
	expect_err("heapgrow: 1\nevents:\n  - new: {id: 1, size: 8, noscan: "
		   "yes}\n",
		   3, 35, "new: 'noscan' must be true or false, not 'yes'");
	expect_err("heapgrow: 1\nevents:\n  - new: 8\n", 3, 10,
		   "new: expected a mapping {id, size, noscan}, not a scalar");
	expect_err("heapgrow: 1\nevents:\n  - new: {id: 1, size: 8, addr: "
		   "x}\n",
		   3, 33, "bad address 'x': not a number");
	expect_err("heapgrow: 1\nevents:\n  - gc: {id: 1}\n", 3, 10,
		   "gc: unknown field 'id'");
	expect_err("heapgrow: 1\nevents:\n  - gc: now\n", 3, 9,
		   "gc: expected a mapping {}, not a scalar");
	expect_err("heapgrow: 1\nevents:\n  - proc: x\n", 3, 11,
		   "bad number 'x': not a number");
	expect_err("heapgrow: 1\nevents:\n  - time: {at: 1}\n", 3, 11,
		   "time: expected a number, not a mapping");
	expect_err("heapgrow: 1\nevents:\n  - time:\n", 3, 5,
		   "time: missing field 'value'");
	expect_err("heapgrow: 1\nevents:\n  - stackalloc: {id: 1, size: 8K, "
		   "noscan: true}\n",
		   3, 35, "stackalloc: unknown field 'noscan'");
	expect_err("heapgrow: 1\nevents:\n  - mmap: {id: 1, size: 8K, "
		   "noscan: true}\n",
		   3, 29, "mmap: unknown field 'noscan'");
	expect_err("heapgrow-trace 1\nn O\n", 2, 1,
		   "new: missing field 'size'");
	expect_err("heapgrow-trace 1\nn O 8 scan\n", 2, 7,
		   "new: unexpected 'scan'");
	expect_err("heapgrow-trace 1\nn O 8 @0x10 noscan\n", 2, 13,
		   "new: unexpected 'noscan'");
	expect_err("heapgrow-trace 1\nn O 8 @\n", 2, 8,
		   "bad address '': empty");
	expect_err("heapgrow-trace 1\nka G 8K @zz\n", 2, 10,
		   "bad address 'zz': not a number");
	expect_err("heapgrow-trace 1\nkf\n", 2, 1,
		   "stackfree: missing field 'id'");
	expect_err("heapgrow-trace 1\ng 1\n", 2, 3, "gc: unexpected '1'");
	expect_err("heapgrow-trace 1\np\n", 2, 1,
		   "proc: missing field 'value'");
	expect_err("heapgrow-trace 1\nt 1 2\n", 2, 5, "time: unexpected '2'");
	expect_err("heapgrow-trace 1\nmm M 1M @0x1000\n", 2, 9,
		   "bad size '@0x1000': not a number");
	expect_err("heapgrow-trace 1\nf A @0x1000\n", 2, 5,
		   "free: unexpected '@0x1000'");
}

/* A swept del (the sweeper freed the slot now): YAML as a mapping with
 * swept: true, compact with the word swept; a plain del stays a scalar and
 * a bare word; both writers give the reader's forms back. */
static void test_swept_del(void **state)
{
	static const char yaml[] = "heapgrow: 1\n"
				   "events:\n"
				   "  - new: {id: O, size: 8}\n"
				   "  - new: {id: P, size: 8}\n"
				   "  - new: {id: Q, size: 8}\n"
				   "  - del: {id: O, swept: true}\n"
				   "  - del: {swept: false, id: P}\n"
				   "  - del: Q\n";
	static const char compact[] = "heapgrow-trace 1\n"
				      "n O 8\n"
				      "n P 8\n"
				      "n Q 8\n"
				      "d O swept\n"
				      "d P\n"
				      "d Q\n";
	struct result *y = read_text(yaml), *c = read_text(compact);
	size_t len;
	char *out;

	(void)state;
	assert_int_equal(y->rc, 0);
	assert_int_equal(y->n, 6);
	check_op(&y->ops[3], HG_OP_DEL, "O", 0, 6, 5);
	assert_true(y->ops[3].swept);
	check_op(&y->ops[4], HG_OP_DEL, "P", 0, 7, 5);
	assert_false(y->ops[4].swept);
	check_op(&y->ops[5], HG_OP_DEL, "Q", 0, 8, 5);
	assert_false(y->ops[5].swept);
	assert_false(y->ops[0].swept);
	same_ops(y, c);
	out = convert(yaml, HG_FMT_COMPACT, false, &len);
	assert_string_equal(out, compact);
	free(out);
	out = convert(compact, HG_FMT_YAML, false, &len);
	assert_string_equal(out, "heapgrow: 1\n"
				 "events:\n"
				 "  - new: {id: O, size: 8}\n"
				 "  - new: {id: P, size: 8}\n"
				 "  - new: {id: Q, size: 8}\n"
				 "  - del: {id: O, swept: true}\n"
				 "  - del: P\n"
				 "  - del: Q\n");
	free(out);
	free(y);
	free(c);
	expect_err("heapgrow: 1\nevents:\n  - del: {id: O, swept: yes}\n", 3,
		   25, "del: 'swept' must be true or false, not 'yes'");
	expect_err("heapgrow: 1\nevents:\n  - del: {swept: true}\n", 3, 5,
		   "del: missing field 'id'");
	expect_err("heapgrow: 1\nevents:\n  - del: {id: O, size: 8}\n", 3, 18,
		   "del: unknown field 'size'");
	expect_err("heapgrow: 1\nevents:\n  - free: {id: A, swept: true}\n", 3,
		   11, "free: expected an id, not a mapping");
	expect_err("heapgrow-trace 1\nd O sweep\n", 2, 5,
		   "del: unexpected 'sweep'");
	expect_err("heapgrow-trace 1\nd O swept swept\n", 2, 11,
		   "del: unexpected 'swept'");
	expect_err("heapgrow-trace 1\nf A swept\n", 2, 5,
		   "free: unexpected 'swept'");
}

/* The op table: one row per kind, in kind order, names and letters
 * distinct, and every name found again by its lookups. */
static void test_op_table(void **state)
{
	(void)state;
	for (unsigned k = 0; k < HG_OP_COUNT; k++) {
		const struct hg_op_spec *s = hg_op_spec((enum hg_op_kind)k);

		assert_non_null(s);
		assert_int_equal(s->kind, k);
		/* The model has an apply function for every row. */
		assert_true(hg_model_applies((enum hg_op_kind)k));
		assert_ptr_equal(hg_op_spec_by_name(s->name, strlen(s->name)),
				 s);
		assert_ptr_equal(
			hg_op_spec_by_letter(s->letter, strlen(s->letter)), s);
		assert_true((s->family == HG_IDS_NONE) ==
			    !hg_op_has_field(s, HG_FIELD_ID));
		assert_true((s->use == HG_ID_NO) == (s->family == HG_IDS_NONE));
		/* A scalar op: its first field, then only optional flags
		 * (del: O, del: {id: O, swept: true}). */
		assert_true(s->mapping || s->fields[0]);
		for (unsigned i = 1; !s->mapping && s->fields[i]; i++)
			assert_true(s->fields[i] == HG_FIELD_SWEPT);
	}
	assert_null(hg_op_spec(HG_OP_COUNT));
	assert_false(hg_model_applies(HG_OP_COUNT));
	assert_null(hg_op_spec_by_name("allocate", 8));
	assert_null(hg_op_spec_by_letter("x", 1));
}

/* ------------------------------------------------------------------ */
/* Writers                                                             */
/* ------------------------------------------------------------------ */

/* convert reads text and writes it in fmt; returns the output bytes. */
static char *convert(const char *text, enum hg_trace_format fmt, bool gz,
		     size_t *len)
{
	struct hg_trace_reader *r;
	struct hg_trace_writer *w;
	struct hg_diag d;
	struct hg_op op;
	unsigned line, col;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int rc;

	assert_non_null(f);
	assert_int_equal(hg_trace_open_mem(&r, text, strlen(text), "in", &d),
			 0);
	assert_int_equal(
		hg_trace_writer_open(&w, f, fmt, gz, hg_trace_info(r), &d), 0);
	while ((rc = hg_trace_next(r, &op, &line, &col, &d)) > 0)
		assert_int_equal(hg_trace_write(w, &op), 0);
	assert_int_equal(rc, 0);
	assert_int_equal(hg_trace_writer_close(w), 0);
	hg_trace_close(r);
	fclose(f);
	return buf;
}

static void same_ops(const struct result *a, const struct result *b)
{
	size_t i;

	assert_int_equal(a->rc, 0);
	assert_int_equal(b->rc, 0);
	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->ops[i].kind, b->ops[i].kind);
		assert_string_equal(a->ops[i].id, b->ops[i].id);
		assert_int_equal(a->ops[i].size, b->ops[i].size);
		assert_int_equal(a->ops[i].addr, b->ops[i].addr);
		assert_int_equal(a->ops[i].has_addr, b->ops[i].has_addr);
		assert_int_equal(a->ops[i].all, b->ops[i].all);
		assert_int_equal(a->ops[i].goal, b->ops[i].goal);
		assert_int_equal(a->ops[i].noscan, b->ops[i].noscan);
		assert_int_equal(a->ops[i].swept, b->ops[i].swept);
		assert_int_equal(a->ops[i].value, b->ops[i].value);
		assert_string_equal(a->ops[i].text, b->ops[i].text);
	}
	assert_int_equal(a->info.nconfig, b->info.nconfig);
	for (i = 0; i < a->info.nconfig && i < 16; i++) {
		assert_string_equal(a->config[i].key, b->config[i].key);
		assert_string_equal(a->config[i].value, b->config[i].value);
	}
}

/* scavenge: goal (the background scavenger's run toward its goals) in
 * YAML and compact, and through both writers. */
static void test_scavenge_goal(void **state)
{
	static const char yaml[] = "heapgrow: 1\nevents:\n"
				   "  - scavenge: goal\n  - scavenge: all\n";
	static const char compact[] = "heapgrow-trace 1\ns goal\ns 4M\n";
	const char *inputs[] = { yaml, compact };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct result *orig = read_text(inputs[i]);

		assert_int_equal(orig->rc, 0);
		assert_int_equal(orig->n, 2);
		assert_int_equal(orig->ops[0].kind, HG_OP_SCAVENGE);
		assert_true(orig->ops[0].goal);
		assert_false(orig->ops[0].all);
		assert_int_equal(orig->ops[0].size, 0);
		assert_false(orig->ops[1].goal);
		for (size_t j = 0; j < 2; j++) {
			enum hg_trace_format fmt =
				j ? HG_FMT_COMPACT : HG_FMT_YAML;
			size_t len;
			char *out = convert(inputs[i], fmt, false, &len);
			struct result *back = read_bytes(out, len);

			assert_non_null(strstr(out, j ? "\ns goal\n"
						      : "- scavenge: goal\n"));
			same_ops(orig, back);
			free(back);
			free(out);
		}
		free(orig);
	}
}

static void test_writer_roundtrip(void **state)
{
	const char *inputs[] = { yaml_all, compact_all };
	size_t i, j;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct result *orig = read_text(inputs[i]);

		for (j = 0; j < 4; j++) {
			enum hg_trace_format fmt =
				j & 1 ? HG_FMT_COMPACT : HG_FMT_YAML;
			size_t len;
			char *out = convert(inputs[i], fmt, j >= 2, &len);
			struct result *back = read_bytes(out, len);

			same_ops(orig, back);
			assert_int_equal(back->info.format, fmt);
			assert_int_equal(back->info.gzip, j >= 2);
			if (fmt == HG_FMT_YAML) {
				assert_string_equal(back->info.name,
						    orig->info.name);
				assert_string_equal(back->info.description,
						    orig->info.description);
			}
			free(back);
			free(out);
		}
		free(orig);
	}
}

static void test_writer_output(void **state)
{
	size_t len;
	char *out;

	(void)state;
	out = convert(
		"heapgrow: 1\nname: \"a \\\"q\\\"\"\nconfig: {go: \"1.9\", "
		"policy: {grow: whole-arena}, platform: linux/386}\n"
		"events: [{alloc: {id: 1, size: 12288}}, {mark: "
		"\"x\\ny\"}]\n",
		HG_FMT_YAML, false, &len);
	assert_string_equal(out, "heapgrow: 1\n"
				 "name: \"a \\\"q\\\"\"\n"
				 "config:\n"
				 "  go: \"1.9\"\n"
				 "  policy:\n"
				 "    grow: whole-arena\n"
				 "  platform: linux/386\n"
				 "events:\n"
				 "  - alloc: {id: 1, size: 12K}\n"
				 "  - mark: \"x\\ny\"\n");
	free(out);
	/* Characters libyaml will not read raw are escaped (fuzz finds). */
	out = convert("heapgrow-trace 1\nconfig k\xef\xbf\xbf=v\n"
		      "m a\xef\xbb\xbf"
		      "b \x01 \xc3\xa9\n",
		      HG_FMT_YAML, false, &len);
	assert_string_equal(out, "heapgrow: 1\n"
				 "config:\n"
				 "  \"k\\uffff\": v\n"
				 "events:\n"
				 "  - mark: \"a\\ufeffb \\x01 \xc3\xa9\"\n");
	{
		struct result *back = read_bytes(out, len);

		assert_int_equal(back->rc, 0);
		assert_string_equal(back->config[0].key, "k\xef\xbf\xbf");
		assert_string_equal(back->ops[0].text, "a\xef\xbb\xbf"
						       "b \x01 "
						       "\xc3\xa9");
		free(back);
	}
	free(out);
	out = convert("heapgrow-trace 1\n", HG_FMT_YAML, false, &len);
	assert_string_equal(out, "heapgrow: 1\nevents: []\n");
	free(out);
	out = convert("heapgrow: 1\nevents: [{mmap: {id: m, addr: 0x1000, "
		      "size: 1}}, {scavenge: 3G}]\n",
		      HG_FMT_COMPACT, false, &len);
	assert_string_equal(out, "heapgrow-trace 1\nmm m 0x1000 1\ns 3G\n");
	free(out);
}

static void test_writer_errors(void **state)
{
	struct hg_trace_writer *w;
	struct hg_diag d;
	struct hg_op op = { .kind = HG_OP_MARK, .text = "a\nb" };
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(
		hg_trace_writer_open(&w, f, HG_FMT_COMPACT, false, NULL, &d),
		0);
	assert_int_equal(hg_trace_write(w, &op), HG_EINVAL);
	assert_non_null(strstr(hg_trace_writer_diag(w)->msg, "line break"));
	assert_int_equal(hg_trace_writer_close(w), HG_EINVAL);
	fclose(f);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(
		hg_trace_writer_open(&w, f, HG_FMT_YAML, false, NULL, &d), 0);
	op.kind = HG_OP_FREE;
	op.id = "a b";
	assert_int_equal(hg_trace_write(w, &op), HG_EINVAL);
	assert_string_equal(hg_trace_writer_diag(w)->msg, "free: bad id 'a b'");
	hg_trace_writer_close(w);
	fclose(f);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Files, standard input, examples                                     */
/* ------------------------------------------------------------------ */

static void test_open_files(void **state)
{
	struct hg_trace_reader *r;
	struct hg_diag d;
	char path[] = "/tmp/hg_test_trace_XXXXXX";
	int fd, saved;
	struct result res;

	(void)state;
	assert_int_equal(hg_trace_open(&r, "/nonexistent/t.yaml", &d),
			 HG_EINVAL);
	assert_null(r);
	assert_string_equal(d.msg, "cannot open '/nonexistent/t.yaml': No "
				   "such file or directory");

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, compact_all, strlen(compact_all)),
			 (ssize_t)strlen(compact_all));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(hg_trace_open(&r, path, &d), 0);
	memset(&res, 0, sizeof(res));
	read_reader(&res, r);
	check_all_kinds(&res, false);

	/* "-" reads standard input. */
	saved = dup(STDIN_FILENO);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(hg_trace_open(&r, "-", &d), 0);
	memset(&res, 0, sizeof(res));
	read_reader(&res, r);
	check_all_kinds(&res, false);
	dup2(saved, STDIN_FILENO);
	close(saved);
	close(fd);
	unlink(path);

	/* Errors in a file carry its name. */
	strcpy(path, "/tmp/hg_test_trace_XXXXXX");
	fd = mkstemp(path);
	assert_int_equal(write(fd, "heapgrow: 3\n", 12), 12);
	close(fd);
	assert_int_equal(hg_trace_open(&r, path, &d), HG_EINVAL);
	assert_string_equal(d.file, path);
	{
		char msg[512], want[512];

		hg_diag_format(&d, msg, sizeof(msg));
		snprintf(want, sizeof(want),
			 "%s:1:11: unsupported format "
			 "version 3",
			 path);
		assert_string_equal(msg, want);
	}
	unlink(path);
}

static void test_diag_format(void **state)
{
	struct hg_diag d;
	char buf[300];

	(void)state;
	memset(&d, 0, sizeof(d));
	hg_diag_set(&d, "f.yaml", 3, 7, "bad %s", "thing");
	hg_diag_format(&d, buf, sizeof(buf));
	assert_string_equal(buf, "f.yaml:3:7: bad thing");
	hg_diag_set(&d, NULL, 3, 0, "x");
	hg_diag_format(&d, buf, sizeof(buf));
	assert_string_equal(buf, "f.yaml:3: x");
	hg_diag_set(&d, "", 0, 0, "y");
	hg_diag_format(&d, buf, sizeof(buf));
	assert_string_equal(buf, "y");
}

static void test_examples(void **state)
{
	const char *dirpath = HG_SOURCE_DIR "/traces/examples";
	DIR *dir = opendir(dirpath);
	struct dirent *e;

	(void)state;
	if (!dir)
		skip();
	while ((e = readdir(dir))) {
		struct hg_trace_reader *r;
		struct hg_diag d;
		struct result *res;
		char path[1024];
		const char *dot = strrchr(e->d_name, '.');

		if (e->d_name[0] == '.' || !dot ||
		    !(strstr(e->d_name, ".yaml") || strstr(e->d_name, ".yml") ||
		      strstr(e->d_name, ".hgt")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirpath, e->d_name);
		res = calloc(1, sizeof(*res));
		res->rc = hg_trace_open(&r, path, &res->d);
		if (res->rc == 0)
			read_reader(res, r);
		if (res->rc < 0) {
			hg_diag_format(&res->d, path, sizeof(path));
			print_error("%s\n", path);
		}
		assert_int_equal(res->rc, 0);
		free(res);
		(void)d;
	}
	closedir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml_all_kinds),
		cmocka_unit_test(test_compact_all_kinds),
		cmocka_unit_test(test_scavenge_goal),
		cmocka_unit_test(test_compact_header_comments),
		cmocka_unit_test(test_crlf_bom_and_flow),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_yaml_errors),
		cmocka_unit_test(test_binary_garbage),
		cmocka_unit_test(test_compact_errors),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_new_ops),
		cmocka_unit_test(test_swept_del),
		cmocka_unit_test(test_new_ops_errors),
		cmocka_unit_test(test_op_table),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_stream_compact),
		cmocka_unit_test(test_stream_yaml),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_writer_roundtrip),
		cmocka_unit_test(test_writer_output),
		cmocka_unit_test(test_writer_errors),
		cmocka_unit_test(test_open_files),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_sizes_as_parse_size),
		cmocka_unit_test(test_yaml_fast_path),
		cmocka_unit_test(test_id_run),
		cmocka_unit_test(test_compact_fast_line),
		cmocka_unit_test(test_compact_fast_sizes),
		cmocka_unit_test(test_yaml_fast_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
