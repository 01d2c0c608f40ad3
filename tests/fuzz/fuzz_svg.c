/*
 * fuzz_svg.c - libFuzzer target for the pictures' output path: the bytes
 * are split at newlines into strings (as a trace's name, mark texts and
 * tooltips reach a picture), drawn as texts and tooltips of a scene, and
 * the scene is written as SVG. The SVG must be well-formed: every '<'
 * opens a tag, every '&' an entity, attribute values hold no raw quote,
 * tags nest, no control character, and valid UTF-8 when the strings are.
 * A violation or a crash is a bug.
 */
#include "hg_core.h"
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const entities[] = { "&amp;", "&lt;", "&gt;", "&quot;",
					"&apos;" };

static bool entity_at(const char *p, const char *end)
{
	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
		size_t n = strlen(entities[i]);
		if ((size_t)(end - p) >= n && memcmp(p, entities[i], n) == 0)
			return true;
	}
	if (end - p >= 4 && p[1] == '#') {
		const char *q = p + 2;
		if (*q == 'x')
			q++;
		while (q < end &&
		       ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') ||
			(*q >= 'A' && *q <= 'F')))
			q++;
		return q < end && *q == ';' && q > p + 2;
	}
	return false;
}

/* check_xml returns NULL or what is wrong with buf[0, n). */
static const char *check_xml(const char *buf, size_t n)
{
	const char *p = buf, *end = buf + n;
	int depth = 0;

	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
			return "a control character";
		if (c == '&') {
			if (!entity_at(p, end))
				return "a raw '&'";
			p++;
			continue;
		}
		if (c == '>')
			return "a raw '>' outside a tag";
		if (c != '<') {
			p++;
			continue;
		}
		/* A tag: <?...?>, <!...>, </name>, <name attr="v" ...> or /> */
		if (p + 1 < end && (p[1] == '?' || p[1] == '!')) {
			const char *q = memchr(p, '>', (size_t)(end - p));
			if (!q)
				return "an unclosed declaration";
			p = q + 1;
			continue;
		}
		bool closing = p + 1 < end && p[1] == '/';
		p += closing ? 2 : 1;
		if (p >= end ||
		    !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return "a raw '<'";
		while (p < end && *p != '>' && *p != '/') {
			if (*p == '"') {
				p++;
				while (p < end && *p != '"') {
					if (*p == '<')
						return "a '<' in an attribute";
					if (*p == '&' && !entity_at(p, end))
						return "a raw '&' in an "
						       "attribute";
					if ((unsigned char)*p < 0x20 &&
					    *p != '\t' && *p != '\n' &&
					    *p != '\r')
						return "a control character in "
						       "an attribute";
					p++;
				}
				if (p >= end)
					return "an unclosed attribute";
			} else if (*p == '<' || *p == '\'') {
				return "a stray character in a tag";
			}
			p++;
		}
		if (p >= end)
			return "an unclosed tag";
		if (*p == '/') {
			if (closing || p + 1 >= end || p[1] != '>')
				return "a bad empty tag";
			p += 2;
			continue;
		}
		p++;
		depth += closing ? -1 : 1;
		if (depth < 0)
			return "a closing tag without its opening";
	}
	return depth == 0 ? NULL : "unbalanced tags";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	bool utf8 = hg_utf8_invalid(text, size) == size &&
		    !memchr(text, '\0', size);
	struct hg_scene *s = hg_scene_new(400, 300);
	if (!s) {
		free(text);
		return 0;
	}
	double y = 10;
	for (char *line = text, *nl; line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		hg_scene_text(s, 10, y, (enum hg_font)(y / 10) % 3,
			      9 + (double)((int)y % 7),
			      (enum hg_anchor)((int)y % 3), 0x102030, "%s",
			      line);
		struct hg_item *r = hg_scene_rect(s, 5, y, 30, 8, 0x405060);
		if (r)
			hg_item_set_title(s, r, "%s", line);
		y += 10;
	}
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (f) {
		int rc = hg_scene_write_svg(s, f);
		fclose(f);
		if (rc == 0) {
			const char *why = check_xml(out, len);
			if (!why && utf8 && hg_utf8_invalid(out, len) != len)
				why = "invalid UTF-8 from valid strings";
			if (why) {
				fprintf(stderr, "malformed SVG: %s\n", why);
				abort();
			}
		}
	}
	free(out);
	hg_scene_free(s);
	free(text);
	return 0;
}
