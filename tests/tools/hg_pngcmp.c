/*
 * hg_pngcmp - compare two PNG files by their decoded pixels.
 *
 *   hg_pngcmp REF OUT [--tol N] [--max-frac F] [--diff FILE] [--crop]
 *
 * Exact match first; otherwise a pixel differs when any channel differs by
 * more than N (default 0), and the files match when at most a fraction F
 * (default 0) of the pixels differ. --crop compares the common top-left
 * area when the sizes differ (screenshots). --diff writes the differing
 * pixels in red over a faded copy of REF. Exit 0 match, 1 differ, 2 error.
 */
#include <cairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cairo_surface_t *load(const char *path)
{
	cairo_surface_t *s = cairo_image_surface_create_from_png(path);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "hg_pngcmp: cannot read '%s': %s\n", path,
			cairo_status_to_string(cairo_surface_status(s)));
		cairo_surface_destroy(s);
		return NULL;
	}
	/* Normalise to opaque RGB24 so that formats compare equal. */
	int w = cairo_image_surface_get_width(s),
	    h = cairo_image_surface_get_height(s);
	cairo_surface_t *n =
		cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cairo_t *cr = cairo_create(n);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_surface(cr, s, 0, 0);
	cairo_paint(cr);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	cairo_surface_flush(n);
	return n;
}

static int channel_diff(uint32_t a, uint32_t b)
{
	int m = 0;
	for (int sh = 0; sh < 24; sh += 8) {
		int d = (int)((a >> sh) & 0xff) - (int)((b >> sh) & 0xff);
		if (d < 0)
			d = -d;
		if (d > m)
			m = d;
	}
	return m;
}

/* mean is the mean colour of the block at (x0, y0). */
static uint32_t mean(const unsigned char *d, int stride, int x0, int y0, int b,
		     int w, int h)
{
	unsigned long sum[3] = { 0, 0, 0 }, n = 0;
	for (int y = y0; y < y0 + b && y < h; y++)
		for (int x = x0; x < x0 + b && x < w; x++) {
			uint32_t p;
			memcpy(&p, d + (size_t)y * stride + 4 * (size_t)x, 4);
			for (int k = 0; k < 3; k++)
				sum[k] += p >> (8 * k) & 0xff;
			n++;
		}
	uint32_t r = 0;
	for (int k = 0; k < 3; k++)
		r |= (uint32_t)(sum[k] / n) << (8 * k);
	return r;
}

int main(int argc, char **argv)
{
	const char *ref = NULL, *out = NULL, *diff = NULL;
	int tol = 0;
	double max_frac = 0;
	int crop = 0, block = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--tol") == 0 && i + 1 < argc)
			tol = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--max-frac") == 0 && i + 1 < argc)
			max_frac = strtod(argv[++i], NULL);
		else if (strcmp(argv[i], "--diff") == 0 && i + 1 < argc)
			diff = argv[++i];
		else if (strcmp(argv[i], "--block") == 0 && i + 1 < argc)
			block = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--crop") == 0)
			crop = 1;
		else if (!ref)
			ref = argv[i];
		else if (!out)
			out = argv[i];
		else {
			fprintf(stderr,
				"usage: hg_pngcmp REF OUT [--tol N] "
				"[--max-frac F] [--diff FILE] [--crop]\n");
			return 2;
		}
	}
	if (!ref || !out) {
		fprintf(stderr,
			"usage: hg_pngcmp REF OUT [--tol N] [--max-frac F] "
			"[--diff FILE] [--crop]\n");
		return 2;
	}
	cairo_surface_t *a = load(ref), *b = load(out);
	if (!a || !b)
		return 2;
	int wa = cairo_image_surface_get_width(a),
	    ha = cairo_image_surface_get_height(a);
	int wb = cairo_image_surface_get_width(b),
	    hb = cairo_image_surface_get_height(b);
	if ((wa != wb || ha != hb) && !crop) {
		printf("hg_pngcmp: sizes differ: %dx%d vs %dx%d\n", wa, ha, wb,
		       hb);
		return 1;
	}
	int w = wa < wb ? wa : wb, h = ha < hb ? ha : hb;
	int sa = cairo_image_surface_get_stride(a),
	    sb = cairo_image_surface_get_stride(b);
	const unsigned char *da = cairo_image_surface_get_data(a);
	const unsigned char *db = cairo_image_surface_get_data(b);
	long ndiff = 0, nexact = 0;
	int worst = 0;
	cairo_surface_t *d =
		diff ? cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h)
		     : NULL;
	unsigned char *dd = d ? cairo_image_surface_get_data(d) : NULL;
	int sd = d ? cairo_image_surface_get_stride(d) : 0;
	if (block < 1)
		block = 1;
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			uint32_t pa, pb;
			if (block > 1) {
				pa = mean(da, sa, x / block * block,
					  y / block * block, block, w, h);
				pb = mean(db, sb, x / block * block,
					  y / block * block, block, w, h);
			} else {
				memcpy(&pa, da + (size_t)y * sa + 4 * (size_t)x,
				       4);
				memcpy(&pb, db + (size_t)y * sb + 4 * (size_t)x,
				       4);
			}
			int cd = channel_diff(pa, pb);
			nexact += cd != 0;
			if (cd > worst)
				worst = cd;
			uint32_t o =
				0xffffff -
				((0xffffff - (pa & 0xffffff)) / 4 & 0x3f3f3f);
			if (cd > tol) {
				ndiff++;
				o = 0xff0000;
			}
			if (dd)
				memcpy(dd + (size_t)y * sd + 4 * (size_t)x, &o,
				       4);
		}
	}
	double frac = (double)ndiff / ((double)w * h);
	int rc = frac <= max_frac ? 0 : 1;
	if (nexact == 0)
		printf("hg_pngcmp: identical pixels (%dx%d)\n", w, h);
	else
		printf("hg_pngcmp: %ld of %ld pixels differ (%.4f%%; %ld "
		       "beyond "
		       "tolerance %d, limit %.4f%%), largest channel "
		       "difference %d: %s\n",
		       nexact, (long)w * h, 100.0 * nexact / ((double)w * h),
		       ndiff, tol, 100 * max_frac, worst,
		       rc ? "DIFFERENT" : "match");
	if (d) {
		cairo_surface_mark_dirty(d);
		if (rc)
			cairo_surface_write_to_png(d, diff);
		cairo_surface_destroy(d);
	}
	cairo_surface_destroy(a);
	cairo_surface_destroy(b);
	return rc;
}
