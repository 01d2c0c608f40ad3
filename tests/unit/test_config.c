/*
 * test_config.c - the configuration layer (core/config.c): sizes, keys,
 * presets per platform and Go version, precedence, error messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hg_core.h"

#define KiB ((uint64_t)1 << 10)
#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)
#define TiB ((uint64_t)1 << 40)

/* set_ok applies key=value and fails the test with the message if it fails. */
static void set_ok(struct hg_config *cfg, const char *key, const char *value)
{
	char err[256] = "";
	int rc = hg_config_set(cfg, key, value, err, sizeof(err));

	if (rc != HG_OK)
		fail_msg("%s=%s: %s", key, value, err);
}

/* set_err expects key=value to fail with exactly msg and leave cfg alone. */
static void set_err(struct hg_config *cfg, const char *key, const char *value,
		    const char *msg)
{
	struct hg_config before = *cfg;
	char err[256] = "";

	assert_int_equal(hg_config_set(cfg, key, value, err, sizeof(err)),
			 HG_EINVAL);
	assert_string_equal(err, msg);
	assert_memory_equal(&before, cfg, sizeof(before));
}

static void get_is(const struct hg_config *cfg, const char *key,
		   const char *want)
{
	char buf[64];

	assert_int_equal(hg_config_get(cfg, key, buf, sizeof(buf)), HG_OK);
	if (strcmp(buf, want) != 0)
		fail_msg("%s: got '%s', want '%s'", key, buf, want);
}

/* ------------------------------------------------------------------ */
/* Sizes                                                               */
/* ------------------------------------------------------------------ */

static void test_parse_size_forms(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{ "0", 0 },
		{ "123", 123 },
		{ "007", 7 },
		{ "0x10", 16 },
		{ "0X1f", 31 },
		{ "0xABCdef", 0xabcdef },
		{ "4K", 4 * KiB },
		{ "4KiB", 4 * KiB },
		{ "1M", MiB },
		{ "1MiB", MiB },
		{ "2G", 2 * GiB },
		{ "2GiB", 2 * GiB },
		{ "1T", TiB },
		{ "3TiB", 3 * TiB },
		{ "0x10K", 16 * KiB },
		{ "0x4MiB", 4 * MiB },
		{ "0x3fffffffffffffK", (uint64_t)0x3fffffffffffff << 10 },
		{ "0K", 0 },
		{ "18446744073709551615", UINT64_MAX },
		{ "0xffffffffffffffff", UINT64_MAX },
		{ "0x00000000000000000001", 1 },
		{ "16777215T", (uint64_t)16777215 << 40 },
		{ "17179869183G", (uint64_t)17179869183 << 30 },
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 42;
		if (hg_parse_size(ok[i].s, &v) != HG_OK)
			fail_msg("'%s' rejected", ok[i].s);
		if (v != ok[i].v)
			fail_msg("'%s' = %llu", ok[i].s, (unsigned long long)v);
	}
}

static void test_parse_size_errors(void **state)
{
	static const char *const bad[] = {
		"",
		"-1",
		"+1",
		"-0",
		" 4K",
		"4K ",
		"4 K",
		"18446744073709551616",
		"99999999999999999999",
		"0x10000000000000000",
		"16777216T",
		"17179869184G",
		"0x40000000000000K",
		"0x3fffffffffffffM",
		"4k",
		"4KB",
		"4Ki",
		"4kib",
		"4P",
		"4B",
		"1.5M",
		"0x",
		"0xg",
		"x10",
		"abc",
		"K",
		"1e6",
		"4MiBx",
	};
	uint64_t v = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (hg_parse_size(bad[i], &v) != HG_EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	}
	assert_int_equal(v, 42); /* untouched on error */
	assert_int_equal(hg_parse_size(NULL, &v), HG_EINVAL);
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

static void test_names(void **state)
{
	static const char *const classes[] = {
		"none",       "foreign", "reserved",  "released", "heap_free",
		"heap_inuse", "sys",     "sbrk_free", "unused",   "stranded",
	};
	static const char *const ops[] = {
		"alloc",     "free",       "sysalloc",   "sysfree", "scavenge",
		"mmap",      "munmap",     "mark",       "new",     "del",
		"gc",        "stackalloc", "stackfree",  "proc",    "time",
		"wbufalloc", "wbuffree",   "tracestart", "bgscav",  "running",
	};
	static const char *const plats[] = {
		"linux/amd64",   "linux/arm64", "linux/386",
		"windows/amd64", "windows/386", "js/wasm",
		"wasip1/wasm",   "plan9/386",   "plan9/amd64",
	};
	enum hg_platform p;

	(void)state;
	assert_int_equal(HG_CLASS_COUNT, 10);
	for (int i = 0; i < HG_CLASS_COUNT; i++)
		assert_string_equal(hg_class_name((enum hg_class)i),
				    classes[i]);
	assert_string_equal(hg_class_name(HG_CLASS_COUNT), "unknown");
	assert_int_equal(HG_OP_COUNT, 20);
	for (int i = 0; i < HG_OP_COUNT; i++)
		assert_string_equal(hg_op_name((enum hg_op_kind)i), ops[i]);
	assert_string_equal(hg_op_name(HG_OP_COUNT), "unknown");
	assert_int_equal(HG_PLAT_COUNT, 9);
	for (int i = 0; i < HG_PLAT_COUNT; i++) {
		assert_string_equal(hg_platform_name((enum hg_platform)i),
				    plats[i]);
		assert_int_equal(hg_platform_parse(plats[i], &p), HG_OK);
		assert_int_equal(p, i);
	}
	assert_int_equal(hg_platform_parse("linux/mips", &p), HG_EINVAL);
	assert_int_equal(hg_platform_parse("Linux/amd64", &p), HG_EINVAL);
	assert_int_equal(hg_platform_parse("", &p), HG_EINVAL);
	assert_int_equal(hg_platform_parse(NULL, &p), HG_EINVAL);

	assert_string_equal(hg_strerror(HG_OK), "success");
	assert_string_equal(hg_strerror(HG_EINVAL),
			    "invalid argument or configuration");
	assert_string_equal(hg_strerror(HG_ENOMEM), "out of memory");
	assert_string_equal(hg_strerror(HG_ETRACE), "inconsistent trace");
	assert_string_equal(hg_strerror(HG_EOOM),
			    "the modeled runtime ran out of memory");
	assert_string_equal(hg_strerror(-99), "unknown error");

	assert_true(hg_platform_is_64bit(HG_PLAT_LINUX_ARM64));
	assert_true(hg_platform_is_64bit(HG_PLAT_PLAN9_AMD64));
	assert_false(hg_platform_is_64bit(HG_PLAT_JS_WASM));
	assert_false(hg_platform_is_64bit(HG_PLAT_WINDOWS_386));
	assert_true(hg_platform_is_sbrk(HG_PLAT_PLAN9_386));
	assert_true(hg_platform_is_sbrk(HG_PLAT_WASIP1_WASM));
	assert_false(hg_platform_is_sbrk(HG_PLAT_LINUX_386));
	assert_true(hg_platform_is_wasm(HG_PLAT_JS_WASM));
	assert_false(hg_platform_is_wasm(HG_PLAT_PLAN9_AMD64));
	assert_true(hg_platform_is_windows(HG_PLAT_WINDOWS_AMD64));
	assert_false(hg_platform_is_windows(HG_PLAT_LINUX_AMD64));
}

/* ------------------------------------------------------------------ */
/* Keys                                                                */
/* ------------------------------------------------------------------ */

static void test_keys_and_types(void **state)
{
	static const struct {
		const char *key;
		enum hg_config_type type;
	} keys[] = {
		{ "platform", HG_CFG_STRING },
		{ "go", HG_CFG_STRING },
		{ "phys_page_size", HG_CFG_SIZE },
		{ "phys_huge_page_size", HG_CFG_SIZE },
		{ "page_size", HG_CFG_SIZE },
		{ "arena_size", HG_CFG_SIZE },
		{ "chunk_size", HG_CFG_SIZE },
		{ "address_bits", HG_CFG_NUMBER },
		{ "commit_limit", HG_CFG_SIZE },
		{ "initial_memory", HG_CFG_SIZE },
		{ "module_end", HG_CFG_SIZE },
		{ "page_cache", HG_CFG_BOOL },
		{ "gomaxprocs", HG_CFG_NUMBER },
		{ "per_p_caches", HG_CFG_BOOL },
		{ "randomize_heap_base", HG_CFG_SEED },
		{ "heap_padding", HG_CFG_SIZE },
		{ "heap_base", HG_CFG_SIZE },
		{ "startup_alloc", HG_CFG_SIZE },
		{ "gogc", HG_CFG_NUMBER },
		{ "memory_limit", HG_CFG_SIZE },
		{ "gc", HG_CFG_STRING },
		{ "mark_readmemstats", HG_CFG_BOOL },
		{ "mem_profile", HG_CFG_BOOL },
		{ "scavenger", HG_CFG_BOOL },
		{ "scavenger_pace", HG_CFG_STRING },
		{ "scavenger_gens", HG_CFG_BOOL },
		{ "scavenger_grow", HG_CFG_BOOL },
		{ "scavenger_shootdown_ns", HG_CFG_NUMBER },
		{ "page_cache_flush", HG_CFG_BOOL },
		{ "runtime_start", HG_CFG_BOOL },
		{ "runtime_metadata", HG_CFG_BOOL },
		{ "placement", HG_CFG_STRING },
		{ "policy.sbrk", HG_CFG_STRING },
		{ "policy.arena", HG_CFG_STRING },
		{ "policy.prepare", HG_CFG_STRING },
		{ "policy.grow", HG_CFG_STRING },
		{ "policy.sbrk_free", HG_CFG_STRING },
	};
	size_t n = sizeof(keys) / sizeof(keys[0]);
	size_t i;

	(void)state;
	for (i = 0; hg_config_keys[i]; i++) {
		assert_true(i < n);
		assert_string_equal(hg_config_keys[i], keys[i].key);
		assert_int_equal(hg_config_type_of(keys[i].key), keys[i].type);
		assert_int_equal(hg_config_is_string(keys[i].key),
				 keys[i].type == HG_CFG_STRING);
	}
	assert_int_equal(i, n);
	assert_int_equal(hg_config_type_of("arena"), HG_CFG_UNKNOWN);
	assert_int_equal(hg_config_type_of("policy"), HG_CFG_UNKNOWN);
	assert_int_equal(hg_config_type_of(NULL), HG_CFG_UNKNOWN);
	assert_false(hg_config_is_string("nope"));
}

/* ------------------------------------------------------------------ */
/* The key table and the documents                                     */
/* ------------------------------------------------------------------ */

#ifndef HG_SOURCE_DIR
#define HG_SOURCE_DIR "."
#endif

static char *slurp(const char *file)
{
	FILE *f = fopen(file, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* troff_plain copies a man page line with "\-" as "-". */
static void troff_plain(char *dst, size_t len, const char *s, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 1 < len; i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == '-')
			continue;
		dst[j++] = s[i];
	}
	dst[j] = '\0';
}

/*
 * heapgrow(1) CONFIGURATION has one entry per key, in the table's order
 * (".TP", ".B KEY"), each starting with the key's documentation line.
 */
static void test_keys_man_page(void **state)
{
	char *man = slurp(HG_SOURCE_DIR "/share/man/heapgrow.1");
	char *sec = strstr(man, "\n.SH CONFIGURATION\n");
	char *end, *p;
	size_t i = 0;

	(void)state;
	assert_non_null(sec);
	end = strstr(sec + 1, "\n.SH ");
	assert_non_null(end);
	*end = '\0';
	for (p = strstr(sec, "\n.TP\n.B "); p; p = strstr(p, "\n.TP\n.B ")) {
		char key[64], line[256];
		const char *doc, *nl;
		size_t n;

		p += 8;
		nl = strchr(p, '\n');
		assert_non_null(nl);
		troff_plain(key, sizeof(key), p, (size_t)(nl - p));
		if (!hg_config_keys[i])
			fail_msg("heapgrow(1) documents '%s', not a key", key);
		if (strcmp(key, hg_config_keys[i]) != 0)
			fail_msg(
				"heapgrow(1) has '%s' where the table has '%s'",
				key, hg_config_keys[i]);
		doc = hg_config_key_doc(key);
		assert_non_null(doc);
		p = (char *)nl + 1;
		nl = strchr(p, '\n');
		assert_non_null(nl);
		troff_plain(line, sizeof(line), p, (size_t)(nl - p));
		n = strlen(doc);
		if (strncmp(line, doc, n) != 0 || !strchr(" .:;,", line[n]) ||
		    !line[n])
			fail_msg(
				"heapgrow(1) entry of %s starts '%s', not with "
				"its documentation line '%s'",
				key, line, doc);
		i++;
	}
	if (hg_config_keys[i])
		fail_msg("heapgrow(1) CONFIGURATION lacks '%s'",
			 hg_config_keys[i]);
	assert_null(hg_config_key_doc("nope"));
	free(man);
}

/* The README's settings table names every key. */
static void test_keys_readme(void **state)
{
	char *readme = slurp(HG_SOURCE_DIR "/README.md");
	char want[80];

	(void)state;
	for (size_t i = 0; hg_config_keys[i]; i++) {
		snprintf(want, sizeof(want), "`%s`", hg_config_keys[i]);
		if (!strstr(readme, want))
			fail_msg("README.md does not name the key %s", want);
	}
	free(readme);
}

/* words_of finds `local NAME="..."` in the completion script. */
static void words_of(const char *script, const char *name, char *out,
		     size_t len)
{
	char head[64];
	const char *p, *q;

	snprintf(head, sizeof(head), "local %s=\"", name);
	p = strstr(script, head);
	if (!p)
		fail_msg("the bash completion has no %s list", name);
	p += strlen(head);
	q = strchr(p, '"');
	assert_non_null(q);
	assert_true((size_t)(q - p) < len);
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
}

/* join writes the NULL-terminated words, separated by spaces, each
 * followed by suffix. */
static void join(const char *const *w, const char *suffix, char *out,
		 size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; w[i]; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s%s",
					 i ? " " : "", w[i], suffix);
	assert_true(used < len);
}

/*
 * The bash completion completes every key (in the table's order), the
 * platforms, the Go presets, and the values of every enumerated key.
 */
static void test_keys_completion(void **state)
{
	char *sh = slurp(HG_SOURCE_DIR "/share/completions/heapgrow.bash");
	char got[1024], want[1024], head[96];

	(void)state;
	words_of(sh, "keys", got, sizeof(got));
	join(hg_config_keys, "=", want, sizeof(want));
	assert_string_equal(got, want);
	words_of(sh, "platforms", got, sizeof(got));
	join(hg_config_key_values("platform"), "", want, sizeof(want));
	assert_string_equal(got, want);
	words_of(sh, "gos", got, sizeof(got));
	join(hg_go_presets, "", want, sizeof(want));
	assert_string_equal(got, want);
	for (size_t i = 0; hg_config_keys[i]; i++) {
		const char *key = hg_config_keys[i];
		const char *const *v = hg_config_key_values(key);
		const char *p;

		if (!v || !strcmp(key, "platform") || !strcmp(key, "go"))
			continue;
		join(v, "", want, sizeof(want));
		snprintf(head, sizeof(head), "\t%s) values=\"", key);
		p = strstr(sh, head);
		if (!p)
			fail_msg("the bash completion does not complete %s",
				 key);
		p += strlen(head);
		if (strncmp(p, want, strlen(want)) != 0 ||
		    p[strlen(want)] != '"')
			fail_msg("the bash completion of %s is not \"%s\"", key,
				 want);
	}
	assert_null(hg_config_key_values("commit_limit"));
	assert_null(hg_config_key_values("nope"));
	free(sh);
}

static void test_defaults(void **state)
{
	struct hg_config cfg;
	char err[256];

	(void)state;
	hg_config_init(&cfg);
	assert_int_equal(cfg.platform, HG_PLAT_LINUX_AMD64);
	assert_string_equal(cfg.go, HG_GO_NEWEST);
	assert_int_equal(cfg.explicit_keys, 0);
	get_is(&cfg, "platform", "linux/amd64");
	get_is(&cfg, "go", "1.26");
	get_is(&cfg, "phys_page_size", "4096");
	get_is(&cfg, "phys_huge_page_size", "2097152");
	get_is(&cfg, "page_size", "8192");
	get_is(&cfg, "arena_size", "67108864");
	get_is(&cfg, "chunk_size", "4194304");
	get_is(&cfg, "address_bits", "47");
	get_is(&cfg, "commit_limit", "0");
	get_is(&cfg, "initial_memory", "0");
	get_is(&cfg, "module_end", "1048576");
	get_is(&cfg, "page_cache", "true");
	get_is(&cfg, "randomize_heap_base", "false");
	get_is(&cfg, "heap_padding", "0");
	get_is(&cfg, "placement", "topdown");
	get_is(&cfg, "policy.sbrk", "go1.24");
	get_is(&cfg, "policy.arena", "sparse");
	get_is(&cfg, "policy.prepare", "grow");
	get_is(&cfg, "policy.grow", "incremental");
	get_is(&cfg, "policy.sbrk_free", "freelist");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);
	assert_string_equal(err, "");
}

static void test_set_get_round_trip(void **state)
{
	static const struct {
		const char *key, *value, *want;
	} cases[] = {
		{ "platform", "windows/amd64", "windows/amd64" },
		{ "platform", "plan9/386", "plan9/386" },
		{ "go", "1.19", "1.19" },
		{ "go", "go1.21", "1.21" },
		{ "go", "1.9.7", "1.9" },
		{ "go", "1.4", "1.4" },
		{ "phys_page_size", "16K", "16384" },
		{ "phys_page_size", "0x10000", "65536" },
		{ "phys_page_size", "512KiB", "524288" },
		{ "phys_huge_page_size", "1M", "1048576" },
		{ "phys_huge_page_size", "0", "0" },
		{ "phys_huge_page_size", "0x80000", "524288" },
		{ "page_size", "16K", "16384" },
		{ "chunk_size", "2M", "2097152" },
		{ "arena_size", "256M", "268435456" },
		{ "arena_size", "2M", "2097152" },
		{ "address_bits", "39", "39" },
		{ "commit_limit", "1G", "1073741824" },
		{ "commit_limit", "0", "0" },
		{ "module_end", "0x123456", "1193046" },
		{ "gogc", "off", "off" },
		{ "gogc", "50", "50" },
		{ "gogc", "0", "0" },
		{ "memory_limit", "40M", "41943040" },
		{ "memory_limit", "off", "off" },
		{ "page_cache", "false", "false" },
		{ "page_cache", "yes", "true" },
		{ "page_cache", "0", "false" },
		{ "page_cache", "1", "true" },
		{ "page_cache", "no", "false" },
		{ "page_cache", "true", "true" },
		{ "randomize_heap_base", "12345", "12345" },
		{ "randomize_heap_base", "0x10", "16" },
		{ "randomize_heap_base", "0", "0" },
		{ "randomize_heap_base", "false", "false" },
		{ "randomize_heap_base", "true", "0" },
		{ "randomize_heap_base", "no", "false" },
		{ "heap_padding", "2768896", "2768896" },
		{ "heap_padding", "96K", "98304" },
		{ "placement", "bottomup", "bottomup" },
		{ "placement", "topdown", "topdown" },
		{ "policy.sbrk", "go1.19", "go1.19" },
		{ "policy.sbrk", "go1.21", "go1.21" },
		{ "policy.sbrk", "go1.24", "go1.24" },
		{ "policy.arena", "linear", "linear" },
		{ "policy.arena", "linear-go1.8", "linear-go1.8" },
		{ "policy.arena", "linear-go1.7", "linear-go1.7" },
		{ "policy.arena", "sparse", "sparse" },
		{ "policy.prepare", "sysalloc", "sysalloc" },
		{ "policy.prepare", "grow", "grow" },
		{ "policy.grow", "whole-arena", "whole-arena" },
		{ "policy.grow", "incremental", "incremental" },
		{ "policy.sbrk_free", "top-only", "top-only" },
		{ "policy.sbrk_free", "freelist", "freelist" },
		{ "initial_memory", "8M", "8388608" },
	};
	struct hg_config cfg;

	(void)state;
	hg_config_init(&cfg);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_ok(&cfg, cases[i].key, cases[i].value);
		get_is(&cfg, cases[i].key, cases[i].want);
		assert_true(hg_config_is_explicit(&cfg, cases[i].key));
	}
	assert_true(cfg.randomize_heap_base == false);
	set_ok(&cfg, "randomize_heap_base", "99");
	assert_true(cfg.randomize_heap_base);
	assert_int_equal(cfg.heap_base_seed, 99);
	assert_false(hg_config_is_explicit(&cfg, "arena"));

	/* every key set and read back is accepted again as input */
	for (size_t i = 0; hg_config_keys[i]; i++) {
		struct hg_config copy = cfg;
		char buf[64];

		assert_int_equal(hg_config_get(&cfg, hg_config_keys[i], buf,
					       sizeof(buf)),
				 HG_OK);
		set_ok(&copy, hg_config_keys[i], buf);
		get_is(&copy, hg_config_keys[i], buf);
	}
}

static void test_get_errors(void **state)
{
	struct hg_config cfg;
	char buf[8];

	(void)state;
	hg_config_init(&cfg);
	assert_int_equal(hg_config_get(&cfg, "arena", buf, sizeof(buf)),
			 HG_EINVAL);
	assert_int_equal(hg_config_get(&cfg, NULL, buf, sizeof(buf)),
			 HG_EINVAL);
	/* "67108864" does not fit in 8 bytes with its NUL */
	assert_int_equal(hg_config_get(&cfg, "arena_size", buf, sizeof(buf)),
			 HG_EINVAL);
	assert_int_equal(hg_config_get(&cfg, "go", buf, sizeof(buf)), HG_OK);
	assert_string_equal(buf, "1.26");
	assert_int_equal(hg_config_get(&cfg, "go", buf, 0), HG_EINVAL);
}

/* ------------------------------------------------------------------ */
/* Presets                                                             */
/* ------------------------------------------------------------------ */

struct preset_case {
	const char *platform, *go;
	uint64_t arena, chunk;
	const char *sbrk, *arena_policy, *prepare, *grow, *sbrk_free;
	const char *page_cache;
};

static const struct preset_case preset_cases[] = {
	/* linux/amd64 across every policy boundary */
	{ "linux/amd64", "1.4", 256 * MiB, MiB, "go1.19", "linear-go1.7",
	  "sysalloc", "whole-arena", "top-only", "false" },
	{ "linux/amd64", "1.5", 256 * MiB, MiB, "go1.19", "linear-go1.7",
	  "sysalloc", "whole-arena", "freelist", "false" },
	{ "linux/amd64", "1.7", 256 * MiB, MiB, "go1.19", "linear-go1.7",
	  "sysalloc", "whole-arena", "freelist", "false" },
	{ "linux/amd64", "1.8", 256 * MiB, MiB, "go1.19", "linear-go1.8",
	  "sysalloc", "whole-arena", "freelist", "false" },
	{ "linux/amd64", "1.9", 256 * MiB, MiB, "go1.19", "linear", "sysalloc",
	  "whole-arena", "freelist", "false" },
	{ "linux/amd64", "1.10", 256 * MiB, MiB, "go1.19", "linear", "sysalloc",
	  "whole-arena", "freelist", "false" },
	{ "linux/amd64", "1.11", 64 * MiB, 4 * MiB, "go1.19", "sparse",
	  "sysalloc", "whole-arena", "freelist", "false" },
	{ "linux/amd64", "1.13", 64 * MiB, 4 * MiB, "go1.19", "sparse",
	  "sysalloc", "whole-arena", "freelist", "false" },
	{ "linux/amd64", "1.14", 64 * MiB, 4 * MiB, "go1.19", "sparse",
	  "sysalloc", "incremental", "freelist", "true" },
	{ "linux/amd64", "1.16", 64 * MiB, 4 * MiB, "go1.19", "sparse",
	  "sysalloc", "incremental", "freelist", "true" },
	{ "linux/amd64", "1.17", 64 * MiB, 4 * MiB, "go1.19", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "linux/amd64", "1.19", 64 * MiB, 4 * MiB, "go1.19", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "linux/amd64", "1.20", 64 * MiB, 4 * MiB, "go1.19", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "linux/amd64", "1.21", 64 * MiB, 4 * MiB, "go1.21", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "linux/amd64", "1.23", 64 * MiB, 4 * MiB, "go1.21", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "linux/amd64", "1.24", 64 * MiB, 4 * MiB, "go1.24", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "linux/amd64", "1.25", 64 * MiB, 4 * MiB, "go1.24", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "linux/amd64", "1.26", 64 * MiB, 4 * MiB, "go1.24", "sparse", "grow",
	  "incremental", "freelist", "true" },
	/* arena and chunk sizes per platform */
	{ "linux/arm64", "1.19", 64 * MiB, 4 * MiB, "go1.19", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "linux/386", "1.19", 4 * MiB, 4 * MiB, "go1.19", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "linux/386", "1.9", 256 * MiB, MiB, "go1.19", "linear", "sysalloc",
	  "whole-arena", "freelist", "false" },
	{ "windows/amd64", "1.11", 4 * MiB, 4 * MiB, "go1.19", "sparse",
	  "sysalloc", "whole-arena", "freelist", "false" },
	{ "windows/amd64", "1.19", 4 * MiB, 4 * MiB, "go1.19", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "windows/amd64", "1.26", 4 * MiB, 4 * MiB, "go1.24", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "windows/386", "1.26", 4 * MiB, 4 * MiB, "go1.24", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "js/wasm", "1.11", 64 * MiB, 4 * MiB, "go1.19", "sparse", "sysalloc",
	  "whole-arena", "freelist", "false" },
	{ "js/wasm", "1.12", 64 * MiB, 4 * MiB, "go1.19", "sparse", "sysalloc",
	  "whole-arena", "freelist", "false" },
	{ "js/wasm", "1.13", 4 * MiB, 4 * MiB, "go1.19", "sparse", "sysalloc",
	  "whole-arena", "freelist", "false" },
	{ "js/wasm", "1.19", 4 * MiB, 4 * MiB, "go1.19", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "js/wasm", "1.21", 4 * MiB, 4 * MiB, "go1.21", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "js/wasm", "1.24", 4 * MiB, 4 * MiB, "go1.24", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "js/wasm", "1.25", 4 * MiB, 4 * MiB, "go1.24", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "js/wasm", "1.26", 512 * KiB, 512 * KiB, "go1.24", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "wasip1/wasm", "1.21", 4 * MiB, 4 * MiB, "go1.21", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "wasip1/wasm", "1.26", 512 * KiB, 512 * KiB, "go1.24", "sparse",
	  "grow", "incremental", "freelist", "true" },
	/* Plan 9 has had bloc/blocMax since go1.11 */
	{ "plan9/386", "1.4", 256 * MiB, MiB, "go1.21", "linear-go1.7",
	  "sysalloc", "whole-arena", "top-only", "false" },
	{ "plan9/386", "1.8", 256 * MiB, MiB, "go1.21", "linear-go1.8",
	  "sysalloc", "whole-arena", "freelist", "false" },
	{ "plan9/386", "1.10", 256 * MiB, MiB, "go1.21", "linear", "sysalloc",
	  "whole-arena", "freelist", "false" },
	{ "plan9/386", "1.11", 4 * MiB, 4 * MiB, "go1.24", "sparse", "sysalloc",
	  "whole-arena", "freelist", "false" },
	{ "plan9/386", "1.19", 4 * MiB, 4 * MiB, "go1.24", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "plan9/amd64", "1.19", 64 * MiB, 4 * MiB, "go1.24", "sparse", "grow",
	  "incremental", "freelist", "true" },
	{ "plan9/amd64", "1.26", 64 * MiB, 4 * MiB, "go1.24", "sparse", "grow",
	  "incremental", "freelist", "true" },
};

static void check_preset(const struct hg_config *cfg,
			 const struct preset_case *c)
{
	char want[32];

	snprintf(want, sizeof(want), "%llu", (unsigned long long)c->arena);
	get_is(cfg, "arena_size", want);
	snprintf(want, sizeof(want), "%llu", (unsigned long long)c->chunk);
	get_is(cfg, "chunk_size", want);
	get_is(cfg, "policy.sbrk", c->sbrk);
	get_is(cfg, "policy.arena", c->arena_policy);
	get_is(cfg, "policy.prepare", c->prepare);
	get_is(cfg, "policy.grow", c->grow);
	get_is(cfg, "policy.sbrk_free", c->sbrk_free);
	get_is(cfg, "page_cache", c->page_cache);
}

static void test_presets(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(preset_cases) / sizeof(preset_cases[0]);
	     i++) {
		const struct preset_case *c = &preset_cases[i];
		struct hg_config a, b;
		char err[256];

		print_message("    %s go%s\n", c->platform, c->go);
		/* platform then go, and go then platform: same result */
		hg_config_init(&a);
		set_ok(&a, "platform", c->platform);
		set_ok(&a, "go", c->go);
		check_preset(&a, c);
		hg_config_init(&b);
		set_ok(&b, "go", c->go);
		set_ok(&b, "platform", c->platform);
		check_preset(&b, c);
		assert_memory_equal(&a, &b, sizeof(a));
		if (hg_config_check(&a, err, sizeof(err)) != HG_OK)
			fail_msg("%s go%s: %s", c->platform, c->go, err);
	}
}

static void test_platform_defaults(void **state)
{
	static const struct {
		const char *platform, *phys, *bits, *placement;
	} cases[] = {
		{ "linux/amd64", "4096", "47", "topdown" },
		{ "linux/arm64", "4096", "48", "topdown" },
		{ "linux/386", "4096", "32", "topdown" },
		{ "windows/amd64", "4096", "47", "bottomup" },
		{ "windows/386", "4096", "31", "bottomup" },
		{ "js/wasm", "65536", "32", "bottomup" },
		{ "wasip1/wasm", "65536", "32", "bottomup" },
		{ "plan9/386", "4096", "32", "bottomup" },
		{ "plan9/amd64", "4096", "47", "bottomup" },
	};
	struct hg_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hg_config_init(&cfg);
		set_ok(&cfg, "platform", cases[i].platform);
		get_is(&cfg, "phys_page_size", cases[i].phys);
		get_is(&cfg, "address_bits", cases[i].bits);
		get_is(&cfg, "placement", cases[i].placement);
		get_is(&cfg, "go", HG_GO_NEWEST);
		get_is(&cfg, "page_size", "8192");
	}
	/* arm64 kernels with 16K or 64K pages */
	hg_config_init(&cfg);
	set_ok(&cfg, "platform", "linux/arm64");
	set_ok(&cfg, "phys_page_size", "16K");
	set_ok(&cfg, "phys_page_size", "64K");
	set_ok(&cfg, "platform", "js/wasm"); /* 64K is fine on wasm */
	get_is(&cfg, "phys_page_size", "65536");
}

/* Go: physHugePageSize, Linux's hpage_pmd_size (runtime/os_linux.go). */
static void test_phys_huge_page_size(void **state)
{
	static const struct {
		const char *platform, *huge;
	} cases[] = {
		{ "linux/amd64", "2097152" }, { "linux/arm64", "2097152" },
		{ "linux/386", "2097152" },   { "windows/amd64", "0" },
		{ "windows/386", "0" },       { "js/wasm", "0" },
		{ "wasip1/wasm", "0" },       { "plan9/386", "0" },
		{ "plan9/amd64", "0" },
	};
	struct hg_config cfg;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hg_config_init(&cfg);
		set_ok(&cfg, "platform", cases[i].platform);
		get_is(&cfg, "phys_huge_page_size", cases[i].huge);
		assert_false(
			hg_config_is_explicit(&cfg, "phys_huge_page_size"));
		/* every preset keeps it (the model applies it whenever it
		 * is set), but Go <= 1.10's 1M chunk_size hides a 2M one */
		set_ok(&cfg, "go", "1.13");
		get_is(&cfg, "phys_huge_page_size", cases[i].huge);
		set_ok(&cfg, "go", "1.10");
		get_is(&cfg, "phys_huge_page_size", "0");
		assert_int_equal(cfg.phys_huge_page_size,
				 strcmp(cases[i].huge, "0") ? 2 * MiB : 0);
	}

	/* arm64: one PMD maps phys/8 page-table entries of phys bytes;
	 * 16K pages give 32M, 64K pages 512M, both above the 4M chunk, so
	 * Go's mallocinit zeroes them: the effective value is 0 */
	hg_config_init(&cfg);
	set_ok(&cfg, "platform", "linux/arm64");
	set_ok(&cfg, "phys_page_size", "16K");
	assert_int_equal(cfg.phys_huge_page_size, 32 * MiB);
	get_is(&cfg, "phys_huge_page_size", "0");
	set_ok(&cfg, "chunk_size", "32M");
	get_is(&cfg, "phys_huge_page_size", "33554432");
	set_ok(&cfg, "phys_page_size", "64K");
	assert_int_equal(cfg.phys_huge_page_size, 512 * MiB);
	get_is(&cfg, "phys_huge_page_size", "0");
	set_ok(&cfg, "phys_page_size", "4K");
	get_is(&cfg, "phys_huge_page_size", "2097152");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);
	/* amd64 and 386 do not follow phys_page_size */
	hg_config_init(&cfg);
	set_ok(&cfg, "phys_page_size", "64K");
	get_is(&cfg, "phys_huge_page_size", "2097152");

	/* an explicit value survives platform, go and phys_page_size */
	hg_config_init(&cfg);
	set_ok(&cfg, "phys_huge_page_size", "1M");
	assert_true(hg_config_is_explicit(&cfg, "phys_huge_page_size"));
	set_ok(&cfg, "platform", "windows/amd64");
	set_ok(&cfg, "go", "1.13");
	set_ok(&cfg, "phys_page_size", "16K");
	get_is(&cfg, "phys_huge_page_size", "1048576");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);
	set_ok(&cfg, "phys_huge_page_size", "0");
	get_is(&cfg, "phys_huge_page_size", "0");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);

	/* above chunk_size: accepted, effective 0 (Go: maxPhysHugePageSize) */
	hg_config_init(&cfg);
	set_ok(&cfg, "phys_huge_page_size", "1G");
	assert_int_equal(cfg.phys_huge_page_size, GiB);
	get_is(&cfg, "phys_huge_page_size", "0");
	set_ok(&cfg, "phys_huge_page_size", "4M");
	get_is(&cfg, "phys_huge_page_size", "4194304");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);

	/* a power of two, at least phys_page_size */
	set_err(&cfg, "phys_huge_page_size", "3M",
		"phys_huge_page_size must be 0 or a power of two of at least "
		"4K");
	set_err(&cfg, "phys_huge_page_size", "2K",
		"phys_huge_page_size must be 0 or a power of two of at least "
		"4K");
	set_err(&cfg, "phys_huge_page_size", "2m",
		"invalid size '2m' for phys_huge_page_size");
	set_ok(&cfg, "phys_huge_page_size", "16K");
	set_ok(&cfg, "phys_page_size", "64K");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_string_equal(err,
			    "phys_huge_page_size (16K) must be 0 or at least "
			    "phys_page_size (64K)");
	set_ok(&cfg, "phys_huge_page_size", "64K");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);
}

/* The per-P page cache (mpagecache.go) and the go1.4-1.8.2 linear arena. */
static void test_version_features(void **state)
{
	struct hg_config cfg;

	(void)state;
	hg_config_init(&cfg);
	get_is(&cfg, "page_cache", "true");
	set_ok(&cfg, "go", "1.13");
	get_is(&cfg, "page_cache", "false");
	assert_false(hg_config_is_explicit(&cfg, "page_cache"));
	set_ok(&cfg, "go", "1.14");
	get_is(&cfg, "page_cache", "true");
	/* an explicit setting wins, before or after the preset */
	set_ok(&cfg, "page_cache", "false");
	set_ok(&cfg, "go", "1.26");
	get_is(&cfg, "page_cache", "false");
	hg_config_init(&cfg);
	set_ok(&cfg, "go", "1.10");
	set_ok(&cfg, "page_cache", "true");
	get_is(&cfg, "page_cache", "true");
	set_ok(&cfg, "go", "1.4");
	get_is(&cfg, "page_cache", "true");

	/* e5a5c03f5b (go1.8.3): 1.4-1.7 take any block, 1.8 rejects lower */
	hg_config_init(&cfg);
	for (unsigned n = 4; n <= 11; n++) {
		char v[8];

		snprintf(v, sizeof(v), "1.%u", n);
		set_ok(&cfg, "go", v);
		get_is(&cfg, "policy.arena",
		       n <= 7    ? "linear-go1.7"
		       : n == 8  ? "linear-go1.8"
		       : n <= 10 ? "linear"
				 : "sparse");
	}
	assert_int_equal(cfg.policy_arena, HG_ARENA_SPARSE);
	set_ok(&cfg, "go", "1.7");
	assert_int_equal(cfg.policy_arena, HG_ARENA_LINEAR_GO17);
	set_ok(&cfg, "policy.arena", "linear-go1.8");
	set_ok(&cfg, "go", "1.5");
	get_is(&cfg, "policy.arena", "linear-go1.8");
	set_ok(&cfg, "policy.arena", "linear-go1.7");
	set_ok(&cfg, "go", "1.9");
	get_is(&cfg, "policy.arena", "linear-go1.7");
	assert_int_equal(cfg.policy_arena, HG_ARENA_LINEAR_GO17);
}

/* Every Go 1.N the model knows, on every platform, is self-consistent. */
static void test_every_version(void **state)
{
	struct hg_config cfg;
	char v[16], err[256];
	unsigned n;

	(void)state;
	for (unsigned m = 4; m <= 26; m++) {
		for (int p = 0; p < HG_PLAT_COUNT; p++) {
			hg_config_init(&cfg);
			set_ok(&cfg, "platform",
			       hg_platform_name((enum hg_platform)p));
			snprintf(v, sizeof(v), "go1.%u", m);
			set_ok(&cfg, "go", v);
			assert_int_equal(hg_config_go_minor(&cfg), m);
			/* Releases that had no such port are refused. */
			bool had = !(p == HG_PLAT_JS_WASM && m < 11) &&
				   !(p == HG_PLAT_WASIP1_WASM && m < 21);
			int rc = hg_config_check(&cfg, err, sizeof(err));
			if (had && rc != HG_OK)
				fail_msg("%s %s: %s",
					 hg_platform_name((enum hg_platform)p),
					 v, err);
			if (!had) {
				assert_int_equal(rc, HG_EINVAL);
				assert_non_null(strstr(err, "needs go"));
			}
		}
	}
	for (size_t i = 0; hg_go_presets[i]; i++) {
		assert_int_equal(hg_go_parse(hg_go_presets[i], &n), HG_OK);
		if (!hg_go_presets[i + 1])
			assert_string_equal(hg_go_presets[i], HG_GO_NEWEST);
	}
	assert_string_equal(hg_go_presets[0], HG_GO_OLDEST);
	assert_int_equal(hg_go_parse("go1.19", &n), HG_OK);
	assert_int_equal(n, 19);
	assert_int_equal(hg_go_parse("1.26.1", &n), HG_OK);
	assert_int_equal(n, 26);
	assert_int_equal(hg_go_parse("1.3", &n), HG_EINVAL);
	assert_int_equal(hg_go_parse("1.27", &n), HG_EINVAL);
	assert_int_equal(hg_go_parse("2.0", &n), HG_EINVAL);
	assert_int_equal(hg_go_parse("1.19rc1", &n), HG_EINVAL);
	assert_int_equal(hg_go_parse("1.", &n), HG_EINVAL);
	assert_int_equal(hg_go_parse("go", &n), HG_EINVAL);
	assert_int_equal(hg_go_parse("", &n), HG_EINVAL);
	assert_int_equal(hg_go_parse("1.19.", &n), HG_EINVAL);
}

/* ------------------------------------------------------------------ */
/* Precedence                                                          */
/* ------------------------------------------------------------------ */

static void test_precedence(void **state)
{
	struct hg_config cfg;
	char err[256];

	(void)state;
	/* an explicit arena_size survives a later "go"; chunk_size follows */
	hg_config_init(&cfg);
	set_ok(&cfg, "arena_size", "8M");
	set_ok(&cfg, "go", "1.9");
	get_is(&cfg, "arena_size", "8388608");
	get_is(&cfg, "chunk_size", "1048576");
	get_is(&cfg, "policy.arena", "linear");
	assert_true(hg_config_is_explicit(&cfg, "arena_size"));
	assert_false(hg_config_is_explicit(&cfg, "chunk_size"));
	assert_true(hg_config_is_explicit(&cfg, "go"));

	/* an explicit policy survives a later preset; the others follow it */
	hg_config_init(&cfg);
	set_ok(&cfg, "policy.grow", "whole-arena");
	set_ok(&cfg, "go", "1.26");
	get_is(&cfg, "policy.grow", "whole-arena");
	set_ok(&cfg, "go", "1.16");
	get_is(&cfg, "policy.prepare", "sysalloc");
	set_ok(&cfg, "go", "1.17");
	get_is(&cfg, "policy.prepare", "grow");
	get_is(&cfg, "policy.grow", "whole-arena");

	/* "platform" keeps the go version's constants, "go" the platform's */
	hg_config_init(&cfg);
	set_ok(&cfg, "go", "1.19");
	set_ok(&cfg, "platform", "js/wasm");
	get_is(&cfg, "go", "1.19");
	get_is(&cfg, "arena_size", "4194304");
	get_is(&cfg, "policy.sbrk", "go1.19");
	get_is(&cfg, "phys_page_size", "65536");
	get_is(&cfg, "address_bits", "32");
	set_ok(&cfg, "go", "1.26");
	get_is(&cfg, "platform", "js/wasm");
	get_is(&cfg, "arena_size", "524288");
	get_is(&cfg, "chunk_size", "524288");
	set_ok(&cfg, "platform", "linux/amd64");
	get_is(&cfg, "go", "1.26");
	get_is(&cfg, "arena_size", "67108864");
	get_is(&cfg, "chunk_size", "4194304");
	get_is(&cfg, "phys_page_size", "4096");
	get_is(&cfg, "address_bits", "47");
	get_is(&cfg, "placement", "topdown");

	/* explicit platform values survive a platform change */
	hg_config_init(&cfg);
	set_ok(&cfg, "placement", "topdown");
	set_ok(&cfg, "address_bits", "40");
	set_ok(&cfg, "phys_page_size", "16K");
	set_ok(&cfg, "platform", "windows/amd64");
	get_is(&cfg, "placement", "topdown");
	get_is(&cfg, "address_bits", "40");
	get_is(&cfg, "phys_page_size", "16384");
	get_is(&cfg, "arena_size", "4194304");

	/* an explicit non-64K page cannot become wasm, in either order:
	 * each value is valid alone, the check refuses the pair */
	set_ok(&cfg, "platform", "js/wasm");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_string_equal(err, "phys_page_size (16K) must be 64K on "
				 "platform js/wasm (wasm's page)");
	hg_config_init(&cfg);
	set_ok(&cfg, "platform", "wasip1/wasm");
	set_ok(&cfg, "phys_page_size", "16K");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	set_ok(&cfg, "phys_page_size", "64K");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);

	/* relations are checked when every setting is in */
	hg_config_init(&cfg);
	set_ok(&cfg, "chunk_size", "8M");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);
	set_ok(&cfg, "platform", "windows/amd64");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_string_equal(
		err, "arena_size (4M) must be a multiple of chunk_size (8M)");
	set_ok(&cfg, "arena_size", "16M");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);

	/* a later "go" after explicit settings keeps go's own explicit bit */
	hg_config_init(&cfg);
	set_ok(&cfg, "go", "1.9");
	set_ok(&cfg, "platform", "linux/386");
	set_ok(&cfg, "go", "1.21");
	get_is(&cfg, "platform", "linux/386");
	get_is(&cfg, "arena_size", "4194304");
	get_is(&cfg, "policy.arena", "sparse");
}

/* ------------------------------------------------------------------ */
/* Error messages                                                      */
/* ------------------------------------------------------------------ */

/* heap_base: a chunk-aligned address on a 64-bit mmap platform. */
static void test_heap_base_check(void **state)
{
	struct hg_config cfg;
	char err[256];

	(void)state;
	hg_config_init(&cfg);
	assert_int_equal(hg_config_set(&cfg, "heap_base", "0x389423c00000", err,
				       sizeof(err)),
			 HG_OK);
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);
	assert_int_equal(hg_config_set(&cfg, "heap_base", "0x389423c02000", err,
				       sizeof(err)),
			 HG_OK);
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_non_null(strstr(err, "heap_base (0x389423c02000) must be a "
				    "multiple of chunk_size"));
	assert_int_equal(
		hg_config_set(&cfg, "heap_base", "0x400000", err, sizeof(err)),
		HG_OK);
	assert_int_equal(
		hg_config_set(&cfg, "platform", "linux/386", err, sizeof(err)),
		HG_OK);
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_non_null(strstr(err, "heap_base is for 64-bit platforms"));
	assert_non_null(strstr(err, "platform linux/386"));
}

/* runtime_metadata: on by default where it is modeled (the sbrk
 * platforms from go1.14), shown only there, refused elsewhere. */
static void test_runtime_metadata(void **state)
{
	struct hg_config cfg;
	char err[256];

	(void)state;
	hg_config_init(&cfg);
	get_is(&cfg, "runtime_metadata", "false"); /* linux/amd64 */
	assert_false(hg_config_key_platform(&cfg, "runtime_metadata"));
	assert_true(hg_config_key_platform(&cfg, "runtime_start"));
	set_ok(&cfg, "platform", "js/wasm");
	get_is(&cfg, "runtime_metadata", "true");
	assert_true(hg_config_key_platform(&cfg, "runtime_metadata"));
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);
	set_ok(&cfg, "go", "1.13");
	get_is(&cfg, "runtime_metadata", "false");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);
	set_ok(&cfg, "runtime_metadata", "true");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_non_null(strstr(err, "runtime_metadata needs go 1.14"));
	set_ok(&cfg, "go", "1.19");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);
	set_ok(&cfg, "platform", "plan9/386");
	get_is(&cfg, "runtime_metadata", "true");
	set_ok(&cfg, "platform", "linux/arm64");
	get_is(&cfg, "runtime_metadata", "true"); /* explicit: kept */
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_non_null(strstr(err, "runtime_metadata is for the sbrk"));
	assert_non_null(strstr(err, "platform linux/arm64"));
	set_ok(&cfg, "runtime_metadata", "no");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);
	assert_int_equal(hg_config_set(&cfg, "runtime_metadata", "maybe", err,
				       sizeof(err)),
			 HG_EINVAL);
	assert_non_null(strstr(err, "invalid boolean 'maybe'"));
}

/* mem_profile: the profiler's hash table is mapped at start-up from
 * go1.26 on linux (tests/real/memprof), not before nor elsewhere; an
 * explicit setting survives a later preset. */
static void test_mem_profile_default(void **state)
{
	static const struct {
		const char *platform, *go, *want;
	} rows[] = {
		{ "linux/amd64", "1.26", "true" },
		{ "linux/386", "1.26", "true" },
		{ "linux/arm64", "1.26", "true" },
		{ "linux/amd64", "1.25", "false" },
		{ "linux/amd64", "1.23", "false" },
		{ "linux/amd64", "1.19", "false" },
		{ "js/wasm", "1.26", "false" },
		{ "wasip1/wasm", "1.26", "false" },
		{ "windows/amd64", "1.26", "false" },
		{ "windows/386", "1.26", "false" },
		{ "plan9/amd64", "1.26", "false" },
	};
	struct hg_config cfg;

	(void)state;
	hg_config_init(&cfg);
	get_is(&cfg, "mem_profile", "true"); /* linux/amd64, go 1.26 */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		hg_config_init(&cfg);
		set_ok(&cfg, "platform", rows[i].platform);
		set_ok(&cfg, "go", rows[i].go);
		get_is(&cfg, "mem_profile", rows[i].want);
		/* the same in the other order */
		hg_config_init(&cfg);
		set_ok(&cfg, "go", rows[i].go);
		set_ok(&cfg, "platform", rows[i].platform);
		get_is(&cfg, "mem_profile", rows[i].want);
	}
	hg_config_init(&cfg);
	set_ok(&cfg, "mem_profile", "false");
	set_ok(&cfg, "go", "1.26");
	get_is(&cfg, "mem_profile", "false");
	set_ok(&cfg, "platform", "js/wasm");
	set_ok(&cfg, "mem_profile", "true");
	set_ok(&cfg, "go", "1.19");
	get_is(&cfg, "mem_profile", "true");
}

static void test_errors(void **state)
{
	struct hg_config cfg;
	char err[256];

	(void)state;
	hg_config_init(&cfg);
	set_err(&cfg, "arena", "4M", "unknown config key 'arena'");
	set_err(&cfg, "policy", "x", "unknown config key 'policy'");
	set_err(&cfg, "Platform", "js/wasm",
		"unknown config key 'Platform' (did you mean 'platform'?)");
	set_err(&cfg, "arena_sise", "4M",
		"unknown config key 'arena_sise' (did you mean 'arena_size'?)");
	set_err(&cfg, "policy.gwro", "x",
		"unknown config key 'policy.gwro' (did you mean "
		"'policy.grow'?)");
	set_err(&cfg, "zzzzzzzz", "x", "unknown config key 'zzzzzzzz'");
	set_err(&cfg, "platform", "linux/mips",
		"unknown platform 'linux/mips' (expected one of linux/amd64, "
		"linux/arm64, linux/386, windows/amd64, windows/386, js/wasm, "
		"wasip1/wasm, plan9/386, plan9/amd64)");
	set_err(&cfg, "go", "1.3",
		"unknown Go version '1.3' (expected 1.4 to 1.26, e.g. \"1.19\" "
		"or \"go1.19\")");
	set_err(&cfg, "go", "1.27",
		"unknown Go version '1.27' (expected 1.4 to 1.26, e.g. "
		"\"1.19\" or \"go1.19\")");
	set_err(&cfg, "go", "latest",
		"unknown Go version 'latest' (expected 1.4 to 1.26, e.g. "
		"\"1.19\" or \"go1.19\")");
	set_err(&cfg, "phys_page_size", "3000",
		"phys_page_size must be a power of two between 4K and 512K");
	set_err(&cfg, "phys_page_size", "2K",
		"phys_page_size must be a power of two between 4K and 512K");
	set_err(&cfg, "phys_page_size", "1M",
		"phys_page_size must be a power of two between 4K and 512K");
	set_err(&cfg, "phys_page_size", "4k",
		"invalid size '4k' for phys_page_size");
	set_err(&cfg, "arena_size", "-4M", "invalid size '-4M' for arena_size");
	set_err(&cfg, "arena_size", "", "invalid size '' for arena_size");
	set_err(&cfg, "arena_size", "48M",
		"arena_size must be a power of two of at least 256K");
	set_err(&cfg, "arena_size", "128K",
		"arena_size must be a power of two of at least 256K");
	set_err(&cfg, "chunk_size", "3M",
		"chunk_size must be a power of two of at least 256K");
	set_err(&cfg, "chunk_size", "128K",
		"chunk_size must be a power of two of at least 256K");
	set_err(&cfg, "page_size", "12K",
		"page_size must be a power of two between 4K and 64K");
	set_err(&cfg, "page_size", "128K",
		"page_size must be a power of two between 4K and 64K");
	set_err(&cfg, "address_bits", "20",
		"address_bits must be a number between 24 and 56");
	set_err(&cfg, "address_bits", "4K",
		"address_bits must be a number between 24 and 56");
	set_err(&cfg, "address_bits", "",
		"address_bits must be a number between 24 and 56");
	set_err(&cfg, "commit_limit", "1X",
		"invalid size '1X' for commit_limit");
	set_err(&cfg, "module_end", "99999999999999999999",
		"invalid size '99999999999999999999' for module_end");
	set_err(&cfg, "initial_memory", "big",
		"invalid size 'big' for initial_memory");
	set_err(&cfg, "gogc", "-5",
		"gogc must be off or a percentage between 0 and 1000000, not "
		"'-5'");
	set_err(&cfg, "memory_limit", "lots",
		"invalid size 'lots' for memory_limit");
	set_err(&cfg, "page_cache", "on",
		"invalid boolean 'on' for page_cache (expected true, false, "
		"yes, no, 1 or 0)");
	set_err(&cfg, "page_cache", "TRUE",
		"invalid boolean 'TRUE' for page_cache (expected true, false, "
		"yes, no, 1 or 0)");
	set_err(&cfg, "randomize_heap_base", "4K",
		"randomize_heap_base must be false or a seed number, not '4K'");
	set_err(&cfg, "randomize_heap_base", "-1",
		"randomize_heap_base must be false or a seed number, not '-1'");
	set_err(&cfg, "placement", "sideways",
		"invalid placement 'sideways' (expected topdown or bottomup)");
	set_err(&cfg, "policy.sbrk", "go1.20",
		"invalid policy.sbrk 'go1.20' (expected go1.24, go1.21 or "
		"go1.19)");
	set_err(&cfg, "policy.arena", "dense",
		"invalid policy.arena 'dense' (expected sparse, linear, "
		"linear-go1.8 or linear-go1.7)");
	set_err(&cfg, "policy.prepare", "eager",
		"invalid policy.prepare 'eager' (expected grow or sysalloc)");
	set_err(&cfg, "policy.grow", "whole",
		"invalid policy.grow 'whole' (expected incremental or "
		"whole-arena)");
	set_err(&cfg, "policy.sbrk_free", "leak",
		"invalid policy.sbrk_free 'leak' (expected freelist or "
		"top-only)");
	set_err(&cfg, "go", NULL, "missing value for go");

	/* err may be NULL or tiny */
	assert_int_equal(hg_config_set(&cfg, "arena", "1", NULL, 0), HG_EINVAL);
	assert_int_equal(hg_config_set(&cfg, "arena", "1", err, 8), HG_EINVAL);
	assert_string_equal(err, "unknown");
}

/*
 * Every relation hg_config_check_keys checks: settings each valid alone
 * (hg_config_set accepts them) but inconsistent together; the check names
 * both keys in keys[] and in the message, whatever the order in which the
 * settings were applied.
 */
static void test_cross_key_checks(void **state)
{
	static const struct {
		const char *set[4][2]; /* key, value; NULL-ended */
		const char *k1, *k2;
	} cases[] = {
		{ { { "platform", "js/wasm" }, { "go", "1.10" } },
		  "platform",
		  "go" },
		{ { { "platform", "wasip1/wasm" }, { "go", "1.20" } },
		  "platform",
		  "go" },
		{ { { "platform", "js/wasm" }, { "phys_page_size", "4K" } },
		  "phys_page_size",
		  "platform" },
		{ { { "page_size", "64K" }, { "chunk_size", "1M" } },
		  "chunk_size",
		  "page_size" },
		{ { { "arena_size", "1M" }, { "chunk_size", "2M" } },
		  "arena_size",
		  "chunk_size" },
		{ { { "phys_page_size", "64K" },
		    { "phys_huge_page_size", "16K" } },
		  "phys_huge_page_size",
		  "phys_page_size" },
		{ { { "phys_page_size", "512K" },
		    { "arena_size", "256K" },
		    { "chunk_size", "256K" },
		    { "page_size", "4K" } },
		  "phys_page_size",
		  "arena_size" },
		{ { { "address_bits", "24" } }, "arena_size", "address_bits" },
		{ { { "platform", "linux/386" }, { "module_end", "4G" } },
		  "module_end",
		  "address_bits" },
		{ { { "platform", "js/wasm" }, { "initial_memory", "100000" } },
		  "initial_memory",
		  "platform" },
		{ { { "platform", "plan9/386" },
		    { "module_end", "8M" },
		    { "initial_memory", "4M" } },
		  "initial_memory",
		  "module_end" },
		{ { { "platform", "plan9/amd64" },
		    { "address_bits", "30" },
		    { "initial_memory", "2G" } },
		  "initial_memory",
		  "address_bits" },
		{ { { "platform", "linux/386" }, { "address_bits", "33" } },
		  "address_bits",
		  "platform" },
		{ { { "platform", "js/wasm" }, { "address_bits", "40" } },
		  "address_bits",
		  "platform" },
		{ { { "platform", "linux/386" }, { "heap_base", "0x400000" } },
		  "heap_base",
		  "platform" },
		{ { { "heap_base", "0xc000100000" } },
		  "heap_base",
		  "chunk_size" },
		{ { { "address_bits", "36" }, { "heap_base", "0xc000000000" } },
		  "heap_base",
		  "address_bits" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char first[256] = "";
		for (int order = 0; order < 2; order++) {
			struct hg_config cfg;
			const char *keys[2] = { "x", "x" };
			char err[256] = "";
			size_t n = 0;

			while (n < 4 && cases[i].set[n][0])
				n++;
			hg_config_init(&cfg);
			for (size_t j = 0; j < n; j++) {
				size_t k = order ? n - 1 - j : j;
				set_ok(&cfg, cases[i].set[k][0],
				       cases[i].set[k][1]);
			}
			assert_int_equal(hg_config_check_keys(
						 &cfg, err, sizeof(err), keys),
					 HG_EINVAL);
			if (!keys[0] || !keys[1] ||
			    strcmp(keys[0], cases[i].k1) != 0 ||
			    strcmp(keys[1], cases[i].k2) != 0)
				fail_msg("case %zu: keys %s, %s, want %s, %s "
					 "(%s)",
					 i, keys[0] ? keys[0] : "NULL",
					 keys[1] ? keys[1] : "NULL",
					 cases[i].k1, cases[i].k2, err);
			if (!strstr(err, cases[i].k1) ||
			    !strstr(err, cases[i].k2))
				fail_msg("case %zu: '%s' does not name %s and "
					 "%s",
					 i, err, cases[i].k1, cases[i].k2);
			/* the same verdict in either order */
			if (order == 0)
				snprintf(first, sizeof(first), "%s", err);
			else
				assert_string_equal(err, first);
			/* hg_config_check gives the same message */
			char err2[256] = "";
			assert_int_equal(
				hg_config_check(&cfg, err2, sizeof(err2)),
				HG_EINVAL);
			assert_string_equal(err2, err);
		}
	}

	/* a consistent pair passes in either order (the arena is set
	 * before the chunk that makes it valid) */
	struct hg_config cfg;
	const char *keys[2] = { "x", "x" };
	char err[256];
	hg_config_init(&cfg);
	set_ok(&cfg, "arena_size", "1M");
	set_ok(&cfg, "chunk_size", "512K");
	assert_int_equal(hg_config_check_keys(&cfg, err, sizeof(err), keys),
			 HG_OK);
	assert_null(keys[0]);
	assert_null(keys[1]);
	/* a value bad alone names its key alone */
	cfg.page_size = 3 * 4096;
	assert_int_equal(hg_config_check_keys(&cfg, err, sizeof(err), keys),
			 HG_EINVAL);
	assert_string_equal(keys[0], "page_size");
	assert_null(keys[1]);
	/* keys may be NULL */
	assert_int_equal(hg_config_check_keys(&cfg, err, sizeof(err), NULL),
			 HG_EINVAL);
}

static void test_check_errors(void **state)
{
	struct hg_config cfg;
	char err[256];

	(void)state;
	hg_config_init(&cfg);
	set_ok(&cfg, "chunk_size", "512K");
	set_ok(&cfg, "page_size", "16K"); /* 512K is only 32 pages of 16K */
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_string_equal(err, "chunk_size (512K) must hold at least 64 "
				 "pages of page_size (16K), 1M");

	hg_config_init(&cfg);
	set_ok(&cfg, "address_bits", "26");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_string_equal(err, "arena_size (64M) must be smaller than the "
				 "address space of address_bits (26 bits, "
				 "64M)");

	hg_config_init(&cfg);
	set_ok(&cfg, "platform", "linux/386");
	set_ok(&cfg, "module_end", "4G");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_string_equal(err, "module_end (4G) must be inside the address "
				 "space of address_bits (32 bits, 4G)");

	hg_config_init(&cfg);
	set_ok(&cfg, "platform", "js/wasm");
	set_ok(&cfg, "initial_memory", "100000");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_string_equal(err, "initial_memory (100000) must be a multiple "
				 "of 64K on platform js/wasm");
	set_ok(&cfg, "initial_memory", "512K");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_EINVAL);
	assert_string_equal(err, "initial_memory (512K) must not be below "
				 "module_end (1M)");
	set_ok(&cfg, "initial_memory", "auto");
	assert_int_equal(hg_config_check(&cfg, err, sizeof(err)), HG_OK);
	assert_string_equal(err, "");
}

/* ------------------------------------------------------------------ */
/* Derived values                                                      */
/* ------------------------------------------------------------------ */

static uint64_t initial(const char *platform, const char *go,
			const char *module_end)
{
	struct hg_config cfg;

	hg_config_init(&cfg);
	set_ok(&cfg, "platform", platform);
	set_ok(&cfg, "go", go);
	set_ok(&cfg, "module_end", module_end);
	return hg_config_initial_memory(&cfg);
}

static void test_initial_memory(void **state)
{
	struct hg_config cfg;

	(void)state;
	/* go1.24+: floor((end + 1 MiB) / 64 KiB) pages */
	assert_int_equal(initial("js/wasm", "1.24", "1M"), 2 * MiB);
	assert_int_equal(initial("js/wasm", "1.26", "0x123456"), 0x220000);
	assert_int_equal(initial("wasip1/wasm", "1.25", "0x10000"),
			 MiB + 64 * KiB);
	/* go1.14-1.23: data end + 16 MiB, floor */
	assert_int_equal(initial("js/wasm", "1.21", "1M"), 17 * MiB);
	assert_int_equal(initial("js/wasm", "1.14", "0x123456"), 0x1120000);
	/* go1.13: 16 MiB; go1.11-1.12: 1 GiB */
	assert_int_equal(initial("js/wasm", "1.13", "1M"), 16 * MiB);
	assert_int_equal(initial("js/wasm", "1.13", "0x1000001"),
			 16 * MiB + 64 * KiB);
	assert_int_equal(initial("js/wasm", "1.12", "1M"), GiB);
	/* plan9: the initial break, memRound(end) */
	assert_int_equal(initial("plan9/386", "1.19", "0x123456"), 0x124000);
	assert_int_equal(initial("plan9/amd64", "1.26", "1M"), MiB);
	/* mmap platforms have none */
	assert_int_equal(initial("linux/amd64", "1.26", "1M"), 0);
	assert_int_equal(initial("windows/386", "1.19", "1M"), 0);

	/* plan9 rounds to the physical page since go1.21 */
	hg_config_init(&cfg);
	set_ok(&cfg, "platform", "plan9/amd64");
	set_ok(&cfg, "phys_page_size", "64K");
	set_ok(&cfg, "module_end", "0x123456");
	assert_int_equal(hg_config_initial_memory(&cfg), 0x130000);
	set_ok(&cfg, "go", "1.20");
	assert_int_equal(hg_config_initial_memory(&cfg), 0x124000);

	/* an explicit value wins; "auto" and 0 go back to the rule */
	hg_config_init(&cfg);
	set_ok(&cfg, "platform", "js/wasm");
	get_is(&cfg, "initial_memory", "2097152");
	set_ok(&cfg, "initial_memory", "8M");
	get_is(&cfg, "initial_memory", "8388608");
	set_ok(&cfg, "go", "1.21");
	get_is(&cfg, "initial_memory", "8388608");
	set_ok(&cfg, "initial_memory", "auto");
	get_is(&cfg, "initial_memory", "17825792");
	set_ok(&cfg, "initial_memory", "0");
	get_is(&cfg, "initial_memory", "17825792");
}

static uint64_t max_mem(const char *platform, const char *go)
{
	struct hg_config cfg;

	hg_config_init(&cfg);
	set_ok(&cfg, "platform", platform);
	set_ok(&cfg, "go", go);
	return hg_config_max_mem(&cfg);
}

static void test_max_mem(void **state)
{
	(void)state;
	assert_int_equal(max_mem("linux/amd64", "1.4"), (uint64_t)1 << 37);
	assert_int_equal(max_mem("linux/amd64", "1.9"), (uint64_t)1 << 39);
	assert_int_equal(max_mem("linux/arm64", "1.10"), (uint64_t)1 << 39);
	assert_int_equal(max_mem("windows/amd64", "1.5"), (uint64_t)1 << 35);
	assert_int_equal(max_mem("linux/386", "1.6"), 2 * GiB);
	assert_int_equal(max_mem("linux/386", "1.7"), 4 * GiB);
	assert_int_equal(max_mem("linux/386", "1.19"), 4 * GiB);
	assert_int_equal(max_mem("js/wasm", "1.26"), 4 * GiB);
	assert_int_equal(max_mem("linux/amd64", "1.11"), (uint64_t)1 << 48);
	assert_int_equal(max_mem("windows/amd64", "1.26"), (uint64_t)1 << 48);
}

/* "did you mean": the nearest candidate within a third of the word. */
static void test_nearest(void **state)
{
	struct hg_nearest n;
	(void)state;

	hg_nearest_init(&n, "replya");
	hg_nearest_try(&n, "compare");
	assert_null(hg_nearest_best(&n));
	hg_nearest_try(&n, "replay");
	hg_nearest_try(&n, "replay2x");
	assert_string_equal(hg_nearest_best(&n), "replay");
	/* An exact match is no suggestion; one edit in a short word is. */
	hg_nearest_init(&n, "diff");
	hg_nearest_try(&n, "diff");
	assert_null(hg_nearest_best(&n));
	hg_nearest_try(&n, "dif");
	assert_string_equal(hg_nearest_best(&n), "dif");
	/* Two edits in a four-letter word are too many. */
	hg_nearest_init(&n, "gc 1");
	hg_nearest_try(&n, "GC 1");
	assert_null(hg_nearest_best(&n));
	/* The first of equally near candidates wins. */
	hg_nearest_init(&n, "arena_sizes");
	hg_nearest_try(&n, "arena_size");
	hg_nearest_try(&n, "arena_sized");
	assert_string_equal(hg_nearest_best(&n), "arena_size");
	hg_nearest_init(&n, "");
	hg_nearest_try(&n, "a");
	assert_null(hg_nearest_best(&n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size_forms),
		cmocka_unit_test(test_parse_size_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_nearest),
		cmocka_unit_test(test_keys_and_types),
		cmocka_unit_test(test_keys_man_page),
		cmocka_unit_test(test_keys_readme),
		cmocka_unit_test(test_keys_completion),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_mem_profile_default),
		cmocka_unit_test(test_set_get_round_trip),
		cmocka_unit_test(test_get_errors),
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_platform_defaults),
		cmocka_unit_test(test_phys_huge_page_size),
		cmocka_unit_test(test_version_features),
		cmocka_unit_test(test_every_version),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_heap_base_check),
		cmocka_unit_test(test_runtime_metadata),
		cmocka_unit_test(test_check_errors),
		cmocka_unit_test(test_cross_key_checks),
		cmocka_unit_test(test_initial_memory),
		cmocka_unit_test(test_max_mem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
