/*
 * scene_io.c - the scene's text dump (exact golden tests) and SVG writer.
 *
 * The SVG is written directly, not through cairo's SVG surface: every
 * region is a <rect> with class="<memory class>" and a <title> tooltip,
 * text is <text>, colours come from one <style> block, and numbers are
 * printed with fixed precision, so the same scene gives the same bytes.
 */
#include "render.h"

#include <errno.h>
#include <string.h>

static const char *font_name(enum hg_font f)
{
	return f == HG_FONT_MONO        ? "mono"
	       : f == HG_FONT_SANS_BOLD ? "bold"
					: "sans";
}

static const char *anchor_name(enum hg_anchor a)
{
	return a == HG_ANCHOR_MIDDLE ? "middle"
	       : a == HG_ANCHOR_END  ? "end"
				     : "start";
}

static void dump_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

int hg_scene_dump(const struct hg_scene *s, FILE *f)
{
	fprintf(f, "scene %.0f %.0f\n", s->width, s->height);
	for (size_t i = 0; i < s->n; i++) {
		const struct hg_item *it = &s->items[i];
		switch (it->kind) {
		case HG_ITEM_RECT:
			fprintf(f, "rect %.2f %.2f %.2f %.2f %s#%06x", it->x,
				it->y, it->w, it->h,
				it->stroke ? "stroke=" : "fill=", it->rgb);
			if (it->cls != HG_NO_CLASS)
				fprintf(f, " class=%s", hg_class_name(it->cls));
			if (it->hatch)
				fputs(" hatch", f);
			break;
		case HG_ITEM_LINE:
			fprintf(f, "line %.2f %.2f %.2f %.2f #%06x %.1f", it->x,
				it->y, it->x + it->w, it->y + it->h, it->rgb,
				it->lw);
			break;
		case HG_ITEM_TEXT:
			fprintf(f, "text %.2f %.2f %s %.0f %s #%06x ", it->x,
				it->y, font_name(it->font), it->size,
				anchor_name(it->anchor), it->rgb);
			dump_str(f, it->text);
			break;
		}
		if (it->role)
			fprintf(f, " role=%s", it->role);
		if (it->title) {
			fputs(" title=", f);
			dump_str(f, it->title);
		}
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* SVG                                                                 */
/* ------------------------------------------------------------------ */

/* xml_str writes s as XML character data: markup escaped, and what XML
 * 1.0 cannot hold (invalid UTF-8, control characters) as U+FFFD, so that
 * a text from a trace never makes the SVG malformed. */
static void xml_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		const unsigned char c = (unsigned char)*s;
		if (c >= 0x80) {
			size_t n = hg_utf8_len((const unsigned char *)s, 4);
			if (n == 0) {
				fputs("\xef\xbf\xbd", f);
			} else {
				fwrite(s, 1, n, f);
				s += n - 1;
			}
			continue;
		}
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			fputs("\xef\xbf\xbd", f);
			continue;
		}
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* num prints a coordinate: integers bare, else up to two decimals. */
static void num(FILE *f, double v)
{
	char b[32];
	snprintf(b, sizeof(b), "%.2f", v);
	char *e = b + strlen(b);
	while (e[-1] == '0')
		*--e = '\0';
	if (e[-1] == '.')
		*--e = '\0';
	if (strcmp(b, "-0") == 0)
		snprintf(b, sizeof(b), "0");
	fputs(b, f);
}

/* attr prints the attribute ' name="v"', v a coordinate. */
static void attr(FILE *f, const char *name, double v)
{
	fprintf(f, " %s=\"", name);
	num(f, v);
	fputc('"', f);
}

int hg_scene_write_svg(const struct hg_scene *s, FILE *f)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\"", f);
	attr(f, "width", s->width);
	attr(f, "height", s->height);
	fputs(" viewBox=\"0 0 ", f);
	num(f, s->width);
	fputc(' ', f);
	num(f, s->height);
	fputs("\" shape-rendering=\"crispEdges\">\n", f);
	fputs("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" "
	      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	      "<rect width=\"6\" height=\"6\" fill=\"#",
	      f);
	fprintf(f, "%06x", hg_class_rgb(HG_CLASS_RESERVED));
	fprintf(f,
		"\"/><rect width=\"1.5\" height=\"6\" fill=\"#%06x\"/>"
		"</pattern></defs>\n",
		HG_HATCH_RGB);
	fputs("<style>\ntext{font-family:'DejaVu Sans',sans-serif;"
	      "white-space:pre}\ntext.mono{font-family:'DejaVu Sans Mono',"
	      "monospace}\ntext.bold{font-weight:bold}\n",
	      f);
	for (int c = 0; c < HG_CLASS_COUNT; c++) {
		if (hg_class_hatched(c))
			fprintf(f, "rect.%s{fill:url(#hatch)}\n",
				hg_class_name(c));
		else
			fprintf(f, "rect.%s{fill:#%06x}\n", hg_class_name(c),
				hg_class_rgb(c));
	}
	fputs("</style>\n<rect width=\"100%\" height=\"100%\" "
	      "fill=\"#ffffff\"/>\n",
	      f);
	for (size_t i = 0; i < s->n; i++) {
		const struct hg_item *it = &s->items[i];
		switch (it->kind) {
		case HG_ITEM_RECT:
			fputs("<rect", f);
			if (it->cls != HG_NO_CLASS && !it->stroke)
				fprintf(f, " class=\"%s\"",
					hg_class_name(it->cls));
			else if (it->role)
				fprintf(f, " class=\"%s\"", it->role);
			attr(f, "x", it->x);
			attr(f, "y", it->y);
			attr(f, "width", it->w);
			attr(f, "height", it->h);
			if (it->stroke) {
				fprintf(f, " fill=\"none\" stroke=\"#%06x\"",
					it->rgb);
				attr(f, "stroke-width", it->lw);
			} else if (it->cls == HG_NO_CLASS) {
				fprintf(f, " fill=\"#%06x\"", it->rgb);
			}
			break;
		case HG_ITEM_LINE:
			fputs("<line", f);
			if (it->role)
				fprintf(f, " class=\"%s\"", it->role);
			attr(f, "x1", it->x);
			attr(f, "y1", it->y);
			attr(f, "x2", it->x + it->w);
			attr(f, "y2", it->y + it->h);
			fprintf(f, " stroke=\"#%06x\"", it->rgb);
			attr(f, "stroke-width", it->lw);
			if (it->dash)
				fputs(" stroke-dasharray=\"3 3\"", f);
			if (it->w != 0 && it->h != 0)
				fputs(" shape-rendering=\"auto\"", f);
			break;
		case HG_ITEM_TEXT:
			fputs("<text", f);
			if (it->font != HG_FONT_SANS)
				fprintf(f, " class=\"%s\"",
					font_name(it->font));
			attr(f, "x", it->x);
			attr(f, "y", it->y);
			attr(f, "font-size", it->size);
			if (it->anchor != HG_ANCHOR_START)
				fprintf(f, " text-anchor=\"%s\"",
					anchor_name(it->anchor));
			if (it->rgb != 0x1a1a1a)
				fprintf(f, " fill=\"#%06x\"", it->rgb);
			else
				fputs(" fill=\"#1a1a1a\"", f);
			fputc('>', f);
			xml_str(f, it->text);
			fputs("</text>\n", f);
			continue;
		}
		if (it->title) {
			fputs("><title>", f);
			xml_str(f, it->title);
			fputs(it->kind == HG_ITEM_RECT ? "</title></rect>\n"
						       : "</title></line>\n",
			      f);
		} else {
			fputs("/>\n", f);
		}
	}
	fputs("</svg>\n", f);
	return ferror(f) ? -1 : 0;
}

const char *hg_render_format_of(const char *path)
{
	size_t n = strlen(path);
	if (n >= 4 && strcmp(path + n - 4, ".png") == 0)
		return "png";
	if (n >= 4 && strcmp(path + n - 4, ".svg") == 0)
		return "svg";
	if (n >= 6 && strcmp(path + n - 6, ".scene") == 0)
		return "scene";
	if (n >= 5 && strcmp(path + n - 5, ".html") == 0)
		return "html";
	return NULL;
}

int hg_scene_write(const struct hg_scene *s, const char *format, FILE *f,
		   char *err, size_t errlen)
{
	int rc = -1;

	snprintf(err, errlen, "unknown picture format");
	if (strcmp(format, "png") == 0)
		return hg_scene_write_png(s, f, err, errlen);
	errno = 0;
	if (strcmp(format, "svg") == 0)
		rc = hg_scene_write_svg(s, f);
	else if (strcmp(format, "scene") == 0)
		rc = hg_scene_dump(s, f);
	if (rc)
		snprintf(err, errlen, "%s",
			 errno ? strerror(errno) : "write error");
	return rc;
}
