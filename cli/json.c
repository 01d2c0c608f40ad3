/*
 * json.c - the JSON writer behind stats files, event logs and listings.
 */
#include "json.h"

#include "hg_core.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

void hg_json_init(struct hg_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void newline(struct hg_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* member starts a value: separator, indentation and key. */
static void member(struct hg_json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->nonempty[j->depth])
			fputc(',', j->f);
		j->nonempty[j->depth] = true;
		newline(j);
	}
	if (key) {
		hg_json_escape(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void begin(struct hg_json *j, const char *key, char open)
{
	member(j, key);
	fputc(open, j->f);
	assert(j->depth + 1 < HG_JSON_MAX_DEPTH);
	j->depth++;
	j->nonempty[j->depth] = false;
}

static void end(struct hg_json *j, char close)
{
	bool had = j->nonempty[j->depth];

	assert(j->depth > 0);
	j->depth--;
	if (had)
		newline(j);
	fputc(close, j->f);
	if (j->depth == 0 && j->pretty)
		fputc('\n', j->f);
}

void hg_json_begin_object(struct hg_json *j, const char *key)
{
	begin(j, key, '{');
}

void hg_json_begin_array(struct hg_json *j, const char *key)
{
	begin(j, key, '[');
}

void hg_json_end_object(struct hg_json *j)
{
	end(j, '}');
}

void hg_json_end_array(struct hg_json *j)
{
	end(j, ']');
}

void hg_json_str(struct hg_json *j, const char *key, const char *s)
{
	member(j, key);
	hg_json_escape(j->f, s);
}

void hg_json_u64(struct hg_json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void hg_json_bool(struct hg_json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void hg_json_null(struct hg_json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void hg_json_hex(struct hg_json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "\"0x%" PRIx64 "\"", v);
}

/* is_json_number accepts the JSON grammar for numbers. */
static bool is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

void hg_json_value(struct hg_json *j, const char *key, const char *v,
		   bool as_string)
{
	if (!as_string && (is_json_number(v) || strcmp(v, "true") == 0 ||
			   strcmp(v, "false") == 0 || strcmp(v, "null") == 0)) {
		member(j, key);
		fputs(v, j->f);
	} else {
		hg_json_str(j, key, v);
	}
}

size_t hg_json_escape_at(const unsigned char *s, char b[8], const char **out,
			 size_t *outlen)
{
	static const char from[] = "\"\\\b\f\n\r\t";
	static const char *const to[] = { "\\\"", "\\\\", "\\b", "\\f",
					  "\\n",  "\\r",  "\\t" };
	const char *e = *s ? strchr(from, *s) : NULL;
	size_t n;

	if (e) {
		*out = to[e - from];
		*outlen = 2;
		return 1;
	}
	if (*s < 0x20) {
		*outlen = (size_t)snprintf(b, 8, "\\u%04x", *s);
		*out = b;
		return 1;
	}
	n = hg_utf8_len(s, SIZE_MAX);
	if (n == 0) {
		*out = "\\ufffd";
		*outlen = 6;
		return 1;
	}
	*out = (const char *)s;
	*outlen = n;
	return n;
}

void hg_json_escape(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char b[8];

	fputc('"', f);
	while (*s) {
		const char *out;
		size_t n;

		s += hg_json_escape_at(s, b, &out, &n);
		fwrite(out, 1, n, f);
	}
	fputc('"', f);
}
