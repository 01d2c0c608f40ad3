/*
 * fuzz_png.c - libFuzzer target for the PNG picture path: the bytes are
 * read as a trace (any format the readers detect, its config applied),
 * replayed through the model with a timeline sampled after every event,
 * and the map and the timeline at the end are drawn small and written as
 * PNG through cairo. Each PNG must be whole: the signature, chunks whose
 * CRCs hold, IHDR first with the scene's size in pixels, IDAT data that
 * inflates to exactly the rows of that size, IEND last. A write that
 * fails must say why. A crash, a sanitizer report or a broken PNG is a
 * bug; a trace the readers or the model refuse is not.
 */
#include "hg_core.h"
#include "render.h"
#include "trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 16384
#define FUZZ_MAX_EVENTS 2000
#define FUZZ_MAX_SIZE ((uint64_t)1 << 36) /* 64 GiB: keep each run fast */
#define WIDTH 240                         /* small pictures, fast to draw */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* check_png returns NULL or what is wrong with the PNG buf[0, n) of a
 * w x h scene. */
static const char *check_png(const unsigned char *buf, size_t n, uint32_t w,
			     uint32_t h)
{
	static const unsigned char sig[8] = { 0x89, 'P',  'N',  'G',
					      '\r', '\n', 0x1a, '\n' };
	const unsigned char *p = buf + 8, *end = buf + n;
	unsigned char row[4096];
	uint64_t want, got = 0;
	bool ihdr = false, iend = false;
	uint32_t bpp = 0;
	z_stream z;
	int zrc = Z_OK;

	if (n < 8 || memcmp(buf, sig, 8) != 0)
		return "no PNG signature";
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return NULL; /* the host, not the PNG */
	while (p < end && !iend) {
		if (end - p < 12) {
			inflateEnd(&z);
			return "a truncated chunk";
		}
		uint32_t len = be32(p);
		if (len > (uint64_t)(end - p) - 12) {
			inflateEnd(&z);
			return "a chunk longer than the file";
		}
		const unsigned char *type = p + 4, *body = p + 8;
		uLong crc = crc32(0, type, 4 + len);
		if (crc != be32(body + len)) {
			inflateEnd(&z);
			return "a chunk CRC does not hold";
		}
		if (!ihdr && memcmp(type, "IHDR", 4) != 0) {
			inflateEnd(&z);
			return "IHDR is not the first chunk";
		}
		if (memcmp(type, "IHDR", 4) == 0) {
			if (ihdr || len != 13) {
				inflateEnd(&z);
				return "a bad IHDR";
			}
			ihdr = true;
			if (be32(body) != w || be32(body + 4) != h) {
				inflateEnd(&z);
				return "IHDR's size is not the scene's";
			}
			/* bit depth 8; colour type 2 (RGB) or 6 (RGBA) */
			if (body[8] != 8 || (body[9] != 2 && body[9] != 6)) {
				inflateEnd(&z);
				return "an unexpected pixel format";
			}
			bpp = body[9] == 6 ? 4 : 3;
		} else if (memcmp(type, "IDAT", 4) == 0) {
			z.next_in = (Bytef *)(uintptr_t)body;
			z.avail_in = len;
			while (z.avail_in > 0 && zrc == Z_OK) {
				z.next_out = row;
				z.avail_out = sizeof(row);
				zrc = inflate(&z, Z_NO_FLUSH);
				got += sizeof(row) - z.avail_out;
			}
			if (zrc != Z_OK && zrc != Z_STREAM_END) {
				inflateEnd(&z);
				return "IDAT does not inflate";
			}
		} else if (memcmp(type, "IEND", 4) == 0) {
			iend = true;
		}
		p = body + len + 4;
	}
	inflateEnd(&z);
	if (!ihdr || !iend)
		return "no IHDR or no IEND";
	if (p != end)
		return "bytes after IEND";
	if (zrc != Z_STREAM_END)
		return "IDAT's stream does not end";
	want = (uint64_t)h * (1 + (uint64_t)w * bpp);
	if (got != want)
		return "IDAT does not hold the picture's rows";
	return NULL;
}

/* write_png writes s as PNG into memory and checks it. */
static void write_png(const struct hg_scene *s, const char *what)
{
	char *out = NULL, err[256] = "";
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return;
	int rc = hg_scene_write_png(s, f, err, sizeof(err));
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0) {
		const char *bad = check_png((const unsigned char *)out, len,
					    (uint32_t)ceil(s->width),
					    (uint32_t)ceil(s->height));
		if (bad) {
			fprintf(stderr, "fuzz_png: the %s PNG: %s\n", what,
				bad);
			abort();
		}
	} else if (!err[0]) {
		/* a failure always says why (cairo's reason) */
		fprintf(stderr, "fuzz_png: the %s PNG failed silently\n", what);
		abort();
	}
	free(out);
}

/* A trace's config, applied as heapgrow applies it; false when refused. */
static bool configure(struct hg_config *cfg, const struct hg_trace_info *info)
{
	char err[256];

	hg_config_init(cfg);
	for (size_t i = 0; i < info->nconfig; i++)
		if (hg_config_set(cfg, info->config[i].key,
				  info->config[i].value, err, sizeof(err)) != 0)
			return false;
	return hg_config_check(cfg, err, sizeof(err)) == HG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_trace_reader *r = NULL;
	struct hg_render_opts o = { .trace_name = "fuzz", .width = WIDTH };
	struct hg_timeline *t = NULL;
	struct hg_model *m = NULL;
	struct hg_scene *s = NULL;
	struct hg_config cfg;
	struct hg_diag d;
	struct hg_op op;
	unsigned line, col;
	char err[256];
	uint64_t n = 0;
	int rc;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (hg_trace_open_mem(&r, data, size, "fuzz", &d) != 0)
		return 0;
	const struct hg_trace_info *info = hg_trace_info(r);
	if (info->name[0])
		o.trace_name = info->name;
	if (!configure(&cfg, info) ||
	    hg_model_new(&m, &cfg, err, sizeof(err)) != 0 ||
	    hg_timeline_new(&t, &o) != 0)
		goto out;
	hg_timeline_expect(t, 64);
	while (n < FUZZ_MAX_EVENTS &&
	       (rc = hg_trace_next(r, &op, &line, &col, &d)) > 0) {
		struct hg_op_result res;

		if (op.size > FUZZ_MAX_SIZE)
			break;
		memset(&res, 0, sizeof(res));
		rc = hg_model_apply(m, &op, &res, err, sizeof(err));
		if (rc == HG_ENOMEM)
			goto out; /* the host */
		if (rc != HG_OK && rc != HG_EOOM)
			break; /* an inconsistent trace: stop, draw what is */
		if (hg_timeline_event(t, m, n, &op, &res) != 0)
			goto out;
		n++;
		if (rc == HG_EOOM)
			break; /* the runtime threw: the picture shows it */
	}
	struct hg_map_input map = { .model = m, .moment = "end", .event = n };
	if (hg_scene_map(&s, &map, 1, &o) == 0 && s) {
		write_png(s, "map");
		hg_scene_free(s);
		s = NULL;
	}
	if (hg_timeline_scene(&s, t, m, n) == 0 && s) {
		write_png(s, "timeline");
		hg_scene_free(s);
		s = NULL;
	}
out:
	hg_timeline_free(t);
	hg_model_free(m);
	hg_trace_close(r);
	return 0;
}
