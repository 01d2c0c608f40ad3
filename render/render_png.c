/*
 * render_png.c - a scene to PNG through a cairo image surface.
 *
 * Deterministic: a fixed font family (DejaVu, from fonts-dejavu-core),
 * greyscale antialiasing, no hinting and no hint metrics, so that the same
 * scene gives the same pixels on every machine with the same cairo and
 * fonts, and the same bytes through the same libpng.
 */
#include "render.h"

#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <string.h>

static void set_rgb(cairo_t *cr, uint32_t rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0,
			     ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

static void hatch(cairo_t *cr, const struct hg_item *it)
{
	cairo_save(cr);
	cairo_rectangle(cr, it->x, it->y, it->w, it->h);
	cairo_clip(cr);
	set_rgb(cr, HG_HATCH_RGB);
	cairo_set_line_width(cr, 1.5);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_GRAY);
	/* 45-degree lines every 6 px, anchored to the picture as the SVG
	 * pattern (a 6 px tile rotated by 45 degrees) is. */
	double d = 6 * 1.41421356237309504880;
	double k0 = floor((it->x + it->y) / d) - 1;
	double k1 = ceil((it->x + it->w + it->y + it->h) / d) + 1;
	for (double k = k0; k <= k1; k++) {
		/* The SVG pattern's bars, rotated: x + y = c, 1.5 px wide. */
		double c = k * d + 0.75 * 1.41421356237309504880;
		cairo_move_to(cr, c - it->y, it->y);
		cairo_line_to(cr, c - (it->y + it->h), it->y + it->h);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

static cairo_status_t write_fn(void *closure, const unsigned char *data,
			       unsigned int len)
{
	FILE *f = closure;
	return fwrite(data, 1, len, f) == len ? CAIRO_STATUS_SUCCESS
					      : CAIRO_STATUS_WRITE_ERROR;
}

int hg_scene_write_png(const struct hg_scene *s, FILE *f, char *err,
		       size_t errlen)
{
	int w = (int)ceil(s->width), h = (int)ceil(s->height);
	cairo_surface_t *sf =
		cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cairo_t *cr = cairo_create(sf);
	cairo_font_options_t *fo = cairo_font_options_create();
	int rc = 0;

	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_set_font_options(cr, fo);
	set_rgb(cr, 0xffffff);
	cairo_paint(cr);
	for (size_t i = 0; i < s->n; i++) {
		const struct hg_item *it = &s->items[i];
		set_rgb(cr, it->rgb);
		switch (it->kind) {
		case HG_ITEM_RECT:
			cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
			if (it->stroke) {
				cairo_set_line_width(cr, it->lw);
				cairo_rectangle(cr, floor(it->x) + 0.5,
						floor(it->y) + 0.5, it->w - 1,
						it->h - 1);
				cairo_stroke(cr);
				break;
			}
			cairo_rectangle(cr, it->x, it->y, it->w, it->h);
			cairo_fill(cr);
			if (it->hatch && it->w >= 2 && it->h >= 4)
				hatch(cr, it);
			break;
		case HG_ITEM_LINE:
			cairo_set_antialias(cr, it->w != 0 && it->h != 0
							? CAIRO_ANTIALIAS_GRAY
							: CAIRO_ANTIALIAS_NONE);
			cairo_set_line_width(cr, it->lw);
			if (it->dash) {
				double dash[2] = { 3, 3 };
				cairo_set_dash(cr, dash, 2, 0);
			}
			cairo_move_to(cr, it->x, it->y);
			cairo_line_to(cr, it->x + it->w, it->y + it->h);
			cairo_stroke(cr);
			cairo_set_dash(cr, NULL, 0, 0);
			break;
		case HG_ITEM_TEXT: {
			cairo_text_extents_t ext;
			cairo_set_antialias(cr, CAIRO_ANTIALIAS_GRAY);
			cairo_select_font_face(
				cr,
				it->font == HG_FONT_MONO ? "DejaVu Sans Mono"
							 : "DejaVu Sans",
				CAIRO_FONT_SLANT_NORMAL,
				it->font == HG_FONT_SANS_BOLD
					? CAIRO_FONT_WEIGHT_BOLD
					: CAIRO_FONT_WEIGHT_NORMAL);
			cairo_set_font_size(cr, it->size);
			cairo_text_extents(cr, it->text, &ext);
			double x = it->x;
			if (it->anchor == HG_ANCHOR_MIDDLE)
				x -= ext.x_advance / 2;
			else if (it->anchor == HG_ANCHOR_END)
				x -= ext.x_advance;
			cairo_move_to(cr, x, it->y);
			cairo_show_text(cr, it->text);
			cairo_new_path(cr);
			break;
		}
		}
	}
	cairo_surface_flush(sf);
	cairo_status_t cs = cairo_status(cr);
	if (cs == CAIRO_STATUS_SUCCESS) {
		errno = 0;
		cs = cairo_surface_write_to_png_stream(sf, write_fn, f);
	}
	if (cs != CAIRO_STATUS_SUCCESS) {
		/* A write error is the system's; anything else cairo's. */
		if (cs == CAIRO_STATUS_WRITE_ERROR && errno)
			snprintf(err, errlen, "%s", strerror(errno));
		else
			snprintf(err, errlen, "cairo: %s",
				 cairo_status_to_string(cs));
		rc = -1;
	}
	cairo_font_options_destroy(fo);
	cairo_destroy(cr);
	cairo_surface_destroy(sf);
	if (rc == 0 && (fflush(f) != 0 || ferror(f))) {
		snprintf(err, errlen, "%s", strerror(errno));
		rc = -1;
	}
	return rc;
}
