/*
 * diag.c - error positions and messages (struct hg_diag), and the small
 * checks every reader shares: ids, sizes, settings.
 */
#include "trace_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hg_diag_set(struct hg_diag *d, const char *file, unsigned line,
		 unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return;
	if (file)
		snprintf(d->file, sizeof(d->file), "%s", file);
	d->line = line;
	d->col = col;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

void hg_diag_format(const struct hg_diag *d, char *buf, size_t len)
{
	if (!len)
		return;
	if (d->file[0] && d->line && d->col)
		snprintf(buf, len, "%s:%u:%u: %s", d->file, d->line, d->col,
			 d->msg);
	else if (d->file[0] && d->line)
		snprintf(buf, len, "%s:%u: %s", d->file, d->line, d->msg);
	else if (d->file[0])
		snprintf(buf, len, "%s: %s", d->file, d->msg);
	else if (d->line && d->col)
		snprintf(buf, len, "%u:%u: %s", d->line, d->col, d->msg);
	else if (d->line)
		snprintf(buf, len, "%u: %s", d->line, d->msg);
	else
		snprintf(buf, len, "%s", d->msg);
}

const char *hg__quote(char *buf, size_t len, const char *s, size_t n)
{
	size_t i, o = 0, max;

	if (!len)
		return buf;
	max = len - 1;
	if (n > max) {
		max = len > 4 ? len - 4 : 0;
	}
	for (i = 0; i < n && o < max; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (i < n && len > 4) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static bool hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* hg__size_problem mirrors the size grammar of share/doc/trace-format.md
 * to explain a rejection; hg_parse_size stays the authority on what is
 * accepted. */
const char *hg__size_problem(const char *s)
{
	static const char *const suffixes[] = {
		"", "K", "KiB", "M", "MiB", "G", "GiB", "T", "TiB", NULL
	};
	static const unsigned shifts[] = { 0, 10, 10, 20, 20, 30, 30, 40, 40 };
	const char *p = s;
	uint64_t v = 0;
	bool hex = false, over = false;
	size_t i;

	if (!*p)
		return "empty";
	if (*p == '-')
		return "negative";
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		hex = true;
		p += 2;
	}
	if (!(hex ? hex_digit(*p) : (*p >= '0' && *p <= '9')))
		return "not a number";
	for (; hex ? hex_digit(*p) : (*p >= '0' && *p <= '9'); p++) {
		unsigned dv = (unsigned)(*p <= '9' ? *p - '0'
						   : (*p | 0x20) - 'a' + 10);
		unsigned base = hex ? 16 : 10;

		if (v > (UINT64_MAX - dv) / base)
			over = true;
		v = v * base + dv;
	}
	for (i = 0; suffixes[i]; i++) {
		if (strcmp(p, suffixes[i]) == 0)
			break;
	}
	if (!suffixes[i])
		return "unknown suffix";
	if (over || (shifts[i] && v > (UINT64_MAX >> shifts[i])))
		return "too large for 64 bits";
	return "not a size";
}

/* The bytes of an id: letters, digits, '_', '-', '.'. */
const unsigned char hg__id_byte[256] = {
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1,
	['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
	['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
	['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1,
	['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['0'] = 1, ['1'] = 1,
	['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1, ['_'] = 1, ['-'] = 1, ['.'] = 1,
};

bool hg__id_valid(const char *s, size_t n)
{
	unsigned all = 1;

	if (!n || n > HG_TRACE_MAX_ID)
		return false;
	for (size_t i = 0; i < n; i++)
		all &= hg__id_byte[(unsigned char)s[i]];
	return all;
}

bool hg_trace_id_valid(const char *id)
{
	return id && hg__id_valid(id, strlen(id));
}

void hg__copy_trunc(char *dst, size_t len, const char *s, size_t n)
{
	if (!len)
		return;
	if (n >= len) {
		n = len - 1;
		/* Do not cut a UTF-8 sequence in half. */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int hg__add_setting(struct hg_setting **arr, size_t *n, size_t *cap,
		    const char *key, const char *value, size_t vlen,
		    unsigned line, unsigned col, struct hg_diag *d)
{
	struct hg_setting *st;
	char q[48];
	size_t i;

	if (strlen(key) >= sizeof(st->key)) {
		hg_diag_set(d, NULL, line, col, "config key '%s' is too long",
			    hg__quote(q, sizeof(q), key, strlen(key)));
		return HG_EINVAL;
	}
	if (vlen >= sizeof(st->value) || memchr(value, '\0', vlen)) {
		hg_diag_set(d, NULL, line, col, "config key '%s': %s", key,
			    vlen >= sizeof(st->value)
				    ? "value is too long"
				    : "value contains a NUL character");
		return HG_EINVAL;
	}
	if (strcmp(key, "policy") == 0) {
		/* In YAML, policy is the mapping of the policy.* keys. */
		hg_diag_set(d, NULL, line, col,
			    "config key 'policy' needs a "
			    "policy name (policy.NAME=VALUE)");
		return HG_EINVAL;
	}
	for (i = 0; i < *n; i++) {
		if (strcmp((*arr)[i].key, key) == 0) {
			hg_diag_set(d, NULL, line, col,
				    "duplicate config key '%s' (first set at "
				    "line %u)",
				    key, (*arr)[i].line);
			return HG_EINVAL;
		}
	}
	if (*n >= HG_MAX_SETTINGS) {
		hg_diag_set(d, NULL, line, col,
			    "too many config settings (more than %u)",
			    HG_MAX_SETTINGS);
		return HG_EINVAL;
	}
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct hg_setting *na = realloc(*arr, ncap * sizeof(*na));

		if (!na) {
			hg_diag_set(d, NULL, line, col, "out of memory");
			return HG_ENOMEM;
		}
		*arr = na;
		*cap = ncap;
	}
	st = &(*arr)[(*n)++];
	memset(st, 0, sizeof(*st));
	memcpy(st->key, key, strlen(key) + 1);
	memcpy(st->value, value, vlen);
	st->value[vlen] = '\0';
	st->line = line;
	st->col = col;
	return 0;
}
