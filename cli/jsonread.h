/*
 * jsonread.h - a small, strict JSON reader for heapgrow's own stats files
 * (heapgrow diff). It reads the subset the stats use: objects, arrays
 * (the figures at marks), strings, integers, true, false and null.
 * Fractions and exponents are rejected with a message (hg_jread_numbers
 * reads them, for other documents), as are duplicate keys, invalid
 * UTF-8, control characters in strings and "\u0000". Every value keeps its line
 * and column (1-based, columns in bytes). Nesting is limited to
 * HG_JREAD_MAX_DEPTH, so the recursion is bounded.
 */
#ifndef HG_CLI_JSONREAD_H
#define HG_CLI_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HG_JREAD_MAX_DEPTH 16

enum hg_jtype {
	HG_JNULL,
	HG_JBOOL,
	HG_JINT,
	HG_JSTRING,
	HG_JOBJECT,
	HG_JARRAY,
	HG_JREAL /* a fraction or exponent, only from hg_jread_numbers */
};

struct hg_jmember;

/* One value. An integer is its magnitude u and its sign neg (-0 is 0). */
struct hg_jvalue {
	enum hg_jtype type;
	unsigned line, col;
	bool b;                     /* HG_JBOOL */
	bool neg;                   /* HG_JINT: negative */
	uint64_t u;                 /* HG_JINT: magnitude */
	double d;                   /* HG_JREAL (and HG_JINT): the value */
	char *s;                    /* HG_JSTRING: UTF-8, no NUL inside */
	struct hg_jmember *members; /* HG_JOBJECT, in file order; HG_JARRAY:
				       the elements, key NULL */
	size_t nmembers;
};

struct hg_jmember {
	char *key;
	struct hg_jvalue v;
};

/* Where reading failed and why; enomem: the host's memory failed it. */
struct hg_jerror {
	unsigned line, col;
	char msg[160];
	bool enomem;
};

/*
 * hg_jread parses text[0..len) as one JSON value (surrounded by
 * whitespace only) into *out. Returns 0, or -1 with *err filled and *out
 * empty (a null). Allocation failure is an error too ("out of memory",
 * enomem set).
 */
int hg_jread(const char *text, size_t len, struct hg_jvalue *out,
	     struct hg_jerror *err);

/*
 * hg_jread_numbers is hg_jread that also reads numbers with a fraction
 * or an exponent, as HG_JREAL (for documents other than stats files,
 * such as diff's JSON output and the JSON Schema checker's input).
 */
int hg_jread_numbers(const char *text, size_t len, struct hg_jvalue *out,
		     struct hg_jerror *err);

/* hg_jfree frees what hg_jread allocated under v; v becomes a null. */
void hg_jfree(struct hg_jvalue *v);

/* hg_jequal tells whether a and b are the same JSON value: objects by
 * their members in any order, arrays element by element. With numeric, an
 * integer and a real of the same value are equal; without, the types must
 * match too. Two NULLs are equal, a NULL and a value are not. */
bool hg_jequal(const struct hg_jvalue *a, const struct hg_jvalue *b,
	       bool numeric);

/* hg_jget returns member key of object v, or NULL (also if v is no object). */
const struct hg_jvalue *hg_jget(const struct hg_jvalue *v, const char *key);

/* hg_jtype_name names a type for messages: "an object", "a string", ... */
const char *hg_jtype_name(enum hg_jtype t);

#endif /* HG_CLI_JSONREAD_H */
