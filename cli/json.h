/*
 * json.h - a minimal streaming JSON writer with stable formatting: pretty
 * (two-space indentation, one member per line) for stats files, or compact
 * (no spaces) for JSON Lines.
 */
#ifndef HG_CLI_JSON_H
#define HG_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HG_JSON_MAX_DEPTH 16

struct hg_json {
	FILE *f;
	bool pretty;
	int depth;
	bool nonempty[HG_JSON_MAX_DEPTH]; /* the container at depth has members
					   */
};

void hg_json_init(struct hg_json *j, FILE *f, bool pretty);

/* key is the member name inside an object, NULL inside an array or at the top.
 */
void hg_json_begin_object(struct hg_json *j, const char *key);
void hg_json_begin_array(struct hg_json *j, const char *key);
void hg_json_end_object(struct hg_json *j);
void hg_json_end_array(struct hg_json *j);

void hg_json_str(struct hg_json *j, const char *key, const char *s);
void hg_json_u64(struct hg_json *j, const char *key, uint64_t v);
void hg_json_bool(struct hg_json *j, const char *key, bool v);
void hg_json_null(struct hg_json *j, const char *key);
/* hg_json_hex writes v as a string "0x...". */
void hg_json_hex(struct hg_json *j, const char *key, uint64_t v);

/*
 * hg_json_value writes a config value: bare when it is a JSON number or
 * literal (true, false, null) and as_string is false, quoted otherwise.
 */
void hg_json_value(struct hg_json *j, const char *key, const char *v,
		   bool as_string);

/*
 * hg_json_escape writes s as a JSON string, quotes included. Invalid UTF-8
 * bytes are written as U+FFFD.
 */
void hg_json_escape(FILE *f, const char *s);

/*
 * hg_json_escape_at: what hg_json_escape writes for the character at s
 * (*s not NUL): *out and *outlen get its escape (in b, or a constant),
 * the character itself (valid UTF-8) or U+FFFD's escape. Returns how many
 * bytes of s that stands for.
 */
size_t hg_json_escape_at(const unsigned char *s, char b[8], const char **out,
			 size_t *outlen);

#endif /* HG_CLI_JSON_H */
