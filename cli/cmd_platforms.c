/*
 * cmd_platforms.c - heapgrow platforms: the platforms and Go presets the
 * model knows, with their effective defaults as the core computes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hg_core.h"
#include "json.h"
#include "util.h"

enum {
	OPT_GO = 2,
	OPT_FORMAT,
};

static const struct hg_opt platforms_opts[] = {
	{ OPT_GO, 0, "go", "VERSION",
	  "show the platform defaults under this Go preset "
	  "(default " HG_GO_NEWEST ")" },
	{ OPT_FORMAT, 0, "format", "text|json",
	  "output format (default text)" },
	{ 0 },
};

const struct hg_opt_spec cmd_platforms_spec = {
	"platforms",
	"[options]",
	"List the platforms and Go version presets with their settings",
	platforms_opts,
	"examples:\n"
	"  heapgrow platforms\n"
	"  heapgrow platforms --go 1.9 --format json\n",
};

/* The columns of the two tables: config keys, as hg_config_get prints them. */
static const char *const platform_keys[] = {
	"phys_page_size", "arena_size", "chunk_size", "address_bits",
	"initial_memory", "placement",  NULL,
};

static const char *const preset_keys[] = {
	"policy.sbrk", "policy.arena",     "policy.prepare",
	"policy.grow", "policy.sbrk_free", NULL,
};

static bool is_size_key(const char *key)
{
	return hg_config_type_of(key) == HG_CFG_SIZE;
}

/*
 * setup makes cfg the defaults of platform (NULL: the default one) under
 * the preset go (NULL: the newest). Returns 0, or -1 with the core's
 * message in err when the preset does not model that platform.
 */
static int setup(struct hg_config *cfg, const char *platform, const char *go,
		 char *err, size_t errlen)
{
	err[0] = '\0';
	hg_config_init(cfg);
	if ((platform &&
	     hg_config_set(cfg, "platform", platform, err, errlen) != 0) ||
	    (go && hg_config_set(cfg, "go", go, err, errlen) != 0))
		return -1;
	return 0;
}

/* get formats key for a table cell: sizes in short IEC form. */
static void get(const struct hg_config *cfg, const char *key, char *buf,
		size_t len, bool human)
{
	char raw[128];
	unsigned long long v;
	char *end;

	if (strcmp(key, "initial_memory") == 0) {
		/* 0 is "auto": show what the platform's rule gives. */
		snprintf(raw, sizeof(raw), "%llu",
			 (unsigned long long)hg_config_initial_memory(cfg));
	} else if (hg_config_get(cfg, key, raw, sizeof(raw)) != 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (human && is_size_key(key) && hg_is_decimal(raw)) {
		v = strtoull(raw, &end, 10);
		hg_fmt_size_short(buf, len, (uint64_t)v);
		return;
	}
	snprintf(buf, len, "%s", raw);
}

/* cell prints one table cell; the last one of a row ends the line. */
static void cell(const char *s, int width, bool last)
{
	if (last)
		printf(" %s\n", s);
	else
		printf(" %-*s", width, s);
}

static int print_text(const char *go)
{
	struct hg_config cfg;
	char buf[128], err[256];

	printf("platforms (defaults under Go %s)\n", go ? go : HG_GO_NEWEST);
	printf("  %-14s", "platform");
	for (const char *const *k = platform_keys; *k; k++)
		cell(*k, 15, !k[1]);
	for (int p = 0; p < HG_PLAT_COUNT; p++) {
		const char *name = hg_platform_name((enum hg_platform)p);

		printf("  %-14s", name);
		if (setup(&cfg, name, go, err, sizeof(err))) {
			printf(" (not modeled: %s)\n", err);
			continue;
		}
		for (const char *const *k = platform_keys; *k; k++) {
			get(&cfg, *k, buf, sizeof(buf), true);
			cell(buf, 15, !k[1]);
		}
	}
	printf("\nGo presets (policies)\n  %-6s", "go");
	for (const char *const *k = preset_keys; *k; k++)
		cell(*k, 16, !k[1]);
	for (const char *const *g = hg_go_presets; *g; g++) {
		printf("  %-6s", *g);
		if (setup(&cfg, NULL, *g, err, sizeof(err))) {
			printf(" (not modeled: %s)\n", err);
			continue;
		}
		for (const char *const *k = preset_keys; *k; k++) {
			get(&cfg, *k, buf, sizeof(buf), false);
			cell(buf, 16, !k[1]);
		}
	}
	printf("\nAny release from %s to %s is accepted (--go 1.15, "
	       "go=go1.15): "
	       "it sets\nthe policies and constants that release had.\n",
	       HG_GO_OLDEST, HG_GO_NEWEST);
	return HG_EXIT_OK;
}

static void json_keys(struct hg_json *j, const struct hg_config *cfg,
		      const char *const *keys)
{
	char buf[128];

	for (const char *const *k = keys; *k; k++) {
		if (strcmp(*k, "initial_memory") == 0)
			hg_json_u64(j, *k, hg_config_initial_memory(cfg));
		else if (hg_config_get(cfg, *k, buf, sizeof(buf)) == 0)
			hg_json_value(j, *k, buf, hg_config_is_string(*k));
	}
}

static int print_json(const char *go)
{
	struct hg_config cfg;
	struct hg_json j;
	char err[256];

	hg_json_init(&j, stdout, true);
	hg_json_begin_object(&j, NULL);
	hg_json_str(&j, "go", go ? go : HG_GO_NEWEST);
	hg_json_begin_array(&j, "platforms");
	for (int p = 0; p < HG_PLAT_COUNT; p++) {
		const char *name = hg_platform_name((enum hg_platform)p);

		hg_json_begin_object(&j, NULL);
		hg_json_str(&j, "platform", name);
		if (setup(&cfg, name, go, err, sizeof(err)) == 0)
			json_keys(&j, &cfg, platform_keys);
		else
			hg_json_str(&j, "error", err);
		hg_json_end_object(&j);
	}
	hg_json_end_array(&j);
	hg_json_begin_array(&j, "go_presets");
	for (const char *const *g = hg_go_presets; *g; g++) {
		hg_json_begin_object(&j, NULL);
		hg_json_str(&j, "go", *g);
		if (setup(&cfg, NULL, *g, err, sizeof(err)) == 0)
			json_keys(&j, &cfg, preset_keys);
		else
			hg_json_str(&j, "error", err);
		hg_json_end_object(&j);
	}
	hg_json_end_array(&j);
	hg_json_end_object(&j);
	return HG_EXIT_OK;
}

int cmd_platforms(int argc, char **argv)
{
	struct hg_opt_parser p;
	struct hg_config cfg;
	const char *go = NULL, *arg;
	char err[256];
	bool json = false;
	int c;

	hg_opt_init(&p, &cmd_platforms_spec, argc, argv);
	while ((c = hg_opt_next(&p, &arg)) != HG_OPT_END) {
		switch (c) {
		case HG_OPT_EXIT:
			return p.status;
		case HG_OPT_ARG:
			return hg_opt_usage_error(&cmd_platforms_spec,
						  "too many arguments");
		case OPT_GO:
			go = arg;
			break;
		case OPT_FORMAT:
			if (hg_opt_format(&cmd_platforms_spec, arg, &json))
				return HG_EXIT_USAGE;
			break;
		}
	}
	/* A preset the default platform rejects is an error before any output.
	 */
	if (go && setup(&cfg, NULL, go, err, sizeof(err))) {
		hg_cli_error("--go %s: %s", go, err);
		return HG_EXIT_USAGE;
	}
	return json ? print_json(go) : print_text(go);
}
