/*
 * cmd_platforms.c - heapgrow platforms: the platforms and Go presets the
 * model knows, with the defaults of every config key (the HG_CONFIG_KEYS
 * table of core/config.c) as the core computes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hg_core.h"
#include "json.h"
#include "report.h"
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
	"Every config key is shown: in the platforms' table when its default\n"
	"differs between platforms, in the presets' table when it differs\n"
	"between Go versions, and otherwise once with its default.\n"
	"\n"
	"examples:\n"
	"  heapgrow platforms\n"
	"  heapgrow platforms --go 1.9 --format json\n",
};

/* The default platform, whose defaults the presets' table shows. */
#define DEFAULT_PLATFORM "linux/amd64"

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
		size_t len)
{
	char raw[128];

	if (hg_config_get(cfg, key, raw, sizeof(raw)) != 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (hg_config_type_of(key) == HG_CFG_SIZE && hg_is_decimal(raw)) {
		hg_fmt_size_short(buf, len, strtoull(raw, NULL, 10));
		return;
	}
	snprintf(buf, len, "%s", raw);
}

/* One table: a row per platform or preset, a column per key. */
#define MAX_ROWS 64
#define MAX_KEYS 64 /* config.c: at most 32 keys */
#define CELL 128

struct table {
	const char *name[MAX_ROWS]; /* the row's platform or preset */
	char err[MAX_ROWS][256];    /* not modeled: why */
	struct hg_config cfg[MAX_ROWS];
	size_t n;
};

/* fill sets up one row per platform (go: the preset) or, when platforms
 * is false, per preset on the default platform. */
static void fill(struct table *t, bool platforms, const char *go)
{
	t->n = 0;
	if (platforms) {
		for (int p = 0; p < HG_PLAT_COUNT && t->n < MAX_ROWS; p++) {
			t->name[t->n] = hg_platform_name((enum hg_platform)p);
			setup(&t->cfg[t->n], t->name[t->n], go, t->err[t->n],
			      sizeof(t->err[t->n]));
			t->n++;
		}
		return;
	}
	for (const char *const *g = hg_go_presets; *g && t->n < MAX_ROWS; g++) {
		t->name[t->n] = *g;
		setup(&t->cfg[t->n], NULL, *g, t->err[t->n],
		      sizeof(t->err[t->n]));
		t->n++;
	}
}

/* varies tells whether key's default differs between the modeled rows. */
static bool varies(const struct table *t, const char *key)
{
	char first[CELL], v[CELL];
	bool any = false;

	for (size_t i = 0; i < t->n; i++) {
		if (t->err[i][0])
			continue;
		get(&t->cfg[i], key, v, sizeof(v));
		if (!any)
			memcpy(first, v, sizeof(first));
		else if (strcmp(first, v) != 0)
			return true;
		any = true;
	}
	return false;
}

/* The keys that name the rows, never a column. */
static bool row_key(const char *key)
{
	return strcmp(key, "platform") == 0 || strcmp(key, "go") == 0;
}

/* Tables wider than this are printed in blocks of columns, each with
 * the rows' names again. */
#define TEXT_WIDTH 100

/* print_columns prints the columns first..last-1 of t (w[k]: the width
 * of key k's column, 0 when it has none). */
static void print_columns(const struct table *t, const char *corner,
			  const size_t *w, size_t wname, size_t first,
			  size_t last)
{
	char v[CELL];

	for (size_t i = 0; i <= t->n; i++) {
		const char *name = i ? t->name[i - 1] : corner;
		/* Cells are padded to their column but the last one of a
		 * row, so no line ends in blanks. */
		size_t pad = wname - strlen(name);

		printf("  %s", name);
		if (i && t->err[i - 1][0]) {
			printf("%*s  (not modeled: %s)\n", (int)pad, "",
			       t->err[i - 1]);
			continue;
		}
		for (size_t k = first; k < last; k++) {
			if (!w[k])
				continue;
			if (i)
				get(&t->cfg[i - 1], hg_config_keys[k], v,
				    sizeof(v));
			else
				snprintf(v, sizeof(v), "%s", hg_config_keys[k]);
			printf("%*s  %s", (int)pad, "", v);
			pad = w[k] - strlen(v);
		}
		putchar('\n');
	}
}

/* print_table prints t with a column for each key that varies in it
 * (shown[] records them), in blocks of columns that fit TEXT_WIDTH. */
static void print_table(const struct table *t, const char *corner, bool *shown)
{
	size_t w[MAX_KEYS], wname = strlen(corner);
	char v[CELL];
	size_t nk = 0;

	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->name[i]) > wname)
			wname = strlen(t->name[i]);
	for (size_t k = 0; hg_config_keys[k] && k < MAX_KEYS; k++, nk++) {
		const char *key = hg_config_keys[k];

		w[k] = 0;
		if (row_key(key) || !varies(t, key))
			continue;
		shown[k] = true;
		w[k] = strlen(key);
		for (size_t i = 0; i < t->n; i++) {
			if (t->err[i][0])
				continue;
			get(&t->cfg[i], key, v, sizeof(v));
			if (strlen(v) > w[k])
				w[k] = strlen(v);
		}
	}
	for (size_t first = 0, width = 0, k = 0; k <= nk; k++) {
		if (k < nk && !w[k])
			continue;
		if (k == nk ||
		    (width && 2 + wname + width + 2 + w[k] > TEXT_WIDTH)) {
			if (width) {
				if (first)
					putchar('\n');
				print_columns(t, corner, w, wname, first, k);
			}
			first = k;
			width = 0;
		}
		if (k < nk)
			width += 2 + w[k];
	}
}

static int print_text(const char *go)
{
	static struct table plats, presets;
	bool shown[MAX_KEYS] = { false };
	char v[CELL];

	fill(&plats, true, go);
	fill(&presets, false, NULL);
	printf("platforms (defaults under Go %s)\n", go ? go : HG_GO_NEWEST);
	print_table(&plats, "platform", shown);
	printf("\nGo presets (defaults on " DEFAULT_PLATFORM ")\n");
	print_table(&presets, "go", shown);
	printf("\nthe other keys (the same on every platform and preset "
	       "above)\n");
	for (size_t k = 0; hg_config_keys[k] && k < MAX_KEYS; k++) {
		if (row_key(hg_config_keys[k]) || shown[k])
			continue;
		get(&plats.cfg[0], hg_config_keys[k], v, sizeof(v));
		printf("  %-20s %s\n", hg_config_keys[k], v);
	}
	printf("\nAny release from %s to %s is accepted (--go 1.15, "
	       "go=go1.15): "
	       "it sets\nthe policies and constants that release had. "
	       "'man heapgrow' (CONFIGURATION)\ndescribes every key.\n",
	       HG_GO_OLDEST, HG_GO_NEWEST);
	return HG_EXIT_OK;
}

/* json_rows writes one object per row of t: its name under key, then its
 * config (every key) or the error that says why it is not modeled. */
static void json_rows(struct hg_json *j, const struct table *t,
		      const char *array, const char *key)
{
	hg_json_begin_array(j, array);
	for (size_t i = 0; i < t->n; i++) {
		hg_json_begin_object(j, NULL);
		hg_json_str(j, key, t->name[i]);
		if (t->err[i][0])
			hg_json_str(j, "error", t->err[i]);
		else
			hg_report_json_config(j, &t->cfg[i], true);
		hg_json_end_object(j);
	}
	hg_json_end_array(j);
}

static int print_json(const char *go)
{
	static struct table plats, presets;
	struct hg_json j;

	fill(&plats, true, go);
	fill(&presets, false, NULL);
	hg_json_init(&j, stdout, true);
	hg_json_begin_object(&j, NULL);
	hg_report_json_header(&j, "platforms");
	/* The preset as the config prints it: "1.9" for --go go1.9. */
	char v[CELL];
	if (go) {
		struct hg_config cfg;
		char err[256];

		setup(&cfg, NULL, go, err, sizeof(err));
		get(&cfg, "go", v, sizeof(v));
	} else {
		snprintf(v, sizeof(v), "%s", HG_GO_NEWEST);
	}
	hg_json_str(&j, "go", v);
	json_rows(&j, &plats, "platforms", "platform");
	json_rows(&j, &presets, "go_presets", "go");
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
