/*
 * settings.c - applying settings from traces, config files and options.
 */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "util.h"

/* The key each one-key option sets, and the option as typed, by id. */
static const struct {
	const char *key, *option;
} sopts[] = {
	[HG_SOPT_PLATFORM - HG_SOPT_CONFIG] = { "platform", "--platform" },
	[HG_SOPT_GO - HG_SOPT_CONFIG] = { "go", "--go" },
	[HG_SOPT_PHYS_PAGE_SIZE -
		HG_SOPT_CONFIG] = { "phys_page_size", "--phys-page-size" },
	[HG_SOPT_ARENA_SIZE -
		HG_SOPT_CONFIG] = { "arena_size", "--arena-size" },
};

void hg_settings_init(struct hg_cli_settings *s)
{
	memset(s, 0, sizeof(*s));
}

void hg_settings_release(struct hg_cli_settings *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].key);
		free(s->v[i].value);
	}
	free(s->v);
	hg_settings_init(s);
}

static struct hg_cli_setting *add(struct hg_cli_settings *s, const char *key,
				  const char *value)
{
	struct hg_cli_setting *e;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = hg_xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	e = &s->v[s->n++];
	memset(e, 0, sizeof(*e));
	e->key = hg_xstrdup(key);
	e->value = hg_xstrdup(value);
	return e;
}

void hg_settings_add_file(struct hg_cli_settings *s, const char *key,
			  const char *value, const char *file, unsigned line,
			  unsigned col)
{
	struct hg_cli_setting *e = add(s, key, value);

	e->file = file;
	e->line = line;
	e->col = col;
}

void hg_settings_add_option(struct hg_cli_settings *s, const char *key,
			    const char *value, const char *option)
{
	add(s, key, value)->option = option;
}

void hg_settings_append(struct hg_cli_settings *s,
			const struct hg_cli_settings *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct hg_cli_setting *f = &from->v[i];
		struct hg_cli_setting *e = add(s, f->key, f->value);

		e->file = f->file;
		e->line = f->line;
		e->col = f->col;
		e->option = f->option;
	}
}

int hg_settings_option(struct hg_cli_settings *s, int opt, const char *arg,
		       const struct hg_opt_spec *spec)
{
	char *key;

	switch (opt) {
	case HG_SOPT_CONFIG:
		s->config = arg;
		hg_outfile_input(arg);
		break;
	case HG_SOPT_PLATFORM:
	case HG_SOPT_GO:
	case HG_SOPT_PHYS_PAGE_SIZE:
	case HG_SOPT_ARENA_SIZE:
		hg_settings_add_option(s, sopts[opt - HG_SOPT_CONFIG].key, arg,
				       sopts[opt - HG_SOPT_CONFIG].option);
		break;
	case HG_SOPT_SET:
		if (!strchr(arg, '=') || arg[0] == '=')
			return hg_opt_usage_error(
				spec, "--set needs KEY=VALUE, not '%s'", arg);
		key = hg_xstrdup(arg);
		*strchr(key, '=') = '\0';
		hg_settings_add_option(s, key, key + strlen(key) + 1, "--set");
		free(key);
		break;
	}
	return 0;
}

int hg_settings_collect(struct hg_cli_settings *all,
			const struct hg_trace_info *info, const char *tname,
			const struct hg_cli_settings *cmdline)
{
	struct hg_setting *cs = NULL;
	struct hg_diag d;
	size_t n = 0;

	for (size_t i = 0; i < info->nconfig; i++) {
		const struct hg_setting *e = &info->config[i];

		hg_settings_add_file(all, e->key, e->value, tname, e->line,
				     e->col);
	}
	if (!cmdline)
		return 0;
	if (cmdline->config) {
		int rc;

		memset(&d, 0, sizeof(d));
		rc = hg_config_load(cmdline->config, &cs, &n, &d);
		if (rc != 0) {
			hg_cli_diag_rc(rc, &d);
			return HG_EXIT_USAGE;
		}
		for (size_t i = 0; i < n; i++)
			hg_settings_add_file(all, cs[i].key, cs[i].value,
					     cmdline->config, cs[i].line,
					     cs[i].col);
		free(cs);
	}
	hg_settings_append(all, cmdline);
	return 0;
}

/* report prints msg as the error of setting e, at its origin. */
static void report(const struct hg_cli_setting *e, const char *msg)
{
	if (e->file)
		hg_cli_error_at(e->file, e->line, e->col, "%s", msg);
	else if (strcmp(e->option, "--set") == 0 ||
		 strcmp(e->option, "--vs") == 0)
		hg_cli_error("%s %s=%s: %s", e->option, e->key, e->value, msg);
	else
		hg_cli_error("%s %s: %s", e->option, e->value, msg);
}

static int set(struct hg_config *cfg, const struct hg_cli_setting *e)
{
	char err[256] = "";

	if (hg_config_set(cfg, e->key, e->value, err, sizeof(err)) != 0) {
		report(e, err[0] ? err : "invalid setting");
		return HG_EXIT_USAGE;
	}
	return 0;
}

static bool is_base_key(const char *key)
{
	return strcmp(key, "platform") == 0 || strcmp(key, "go") == 0;
}

/* The setting in effect for key (the last one: later ones win), or NULL
 * when the key has its platform's or Go version's default. */
static const struct hg_cli_setting *origin_of(const struct hg_cli_settings *s,
					      const char *key)
{
	for (size_t i = s->n; key && i-- > 0;)
		if (strcmp(s->v[i].key, key) == 0)
			return &s->v[i];
	return NULL;
}

/* size_value rewrites the bytes of a size key as one would type them:
 * 64M rather than 67108864 when it is a whole number of K, M, G or T. */
static void size_value(const char *key, char *value, size_t len)
{
	static const char suffix[] = "KMGT";
	char *end;
	unsigned long long v;
	int i = -1;

	if (hg_config_type_of(key) != HG_CFG_SIZE)
		return;
	v = strtoull(value, &end, 10);
	if (*end != '\0' || v == 0)
		return;
	while (i < 3 && (v & 1023) == 0) {
		v >>= 10;
		i++;
	}
	if (i >= 0)
		snprintf(value, len, "%llu%c", v, suffix[i]);
}

/* where appends to buf, after "; ", where key's value came from: the file
 * and position or the option that set it, or the default it is. */
static void where(char *buf, size_t len, const struct hg_config *cfg,
		  const char *key, const struct hg_cli_setting *e)
{
	size_t n = strlen(buf);
	char value[64] = "?";

	if (n >= len)
		return;
	if (e && e->file)
		snprintf(buf + n, len - n, "; %s is set at %s:%u:%u", key,
			 e->file, e->line, e->col);
	else if (e && (strcmp(e->option, "--set") == 0 ||
		       strcmp(e->option, "--vs") == 0))
		snprintf(buf + n, len - n, "; %s is set by %s %s=%s", key,
			 e->option, e->key, e->value);
	else if (e)
		snprintf(buf + n, len - n, "; %s is set by %s %s", key,
			 e->option, e->value);
	else {
		hg_config_get(cfg, key, value, sizeof(value));
		size_value(key, value, sizeof(value));
		if (is_base_key(key))
			snprintf(buf + n, len - n, "; %s %s is the default",
				 key, value);
		else
			snprintf(buf + n, len - n,
				 "; %s %s is the default for platform %s and "
				 "go %s",
				 key, value, hg_platform_name(cfg->platform),
				 cfg->go);
	}
}

/*
 * report_check prints a failed relation between keys at the origin of the
 * key set last (the one with the highest precedence, usually the one that
 * made the others inconsistent), and says where each other key named was
 * set, or that it has its default.
 */
static void report_check(const struct hg_cli_settings *s,
			 const struct hg_config *cfg, const char *const keys[2],
			 const char *err)
{
	const struct hg_cli_setting *o[2], *first;
	char msg[1024];
	int last;

	o[0] = origin_of(s, keys[0]);
	o[1] = origin_of(s, keys[1]);
	last = o[1] && (!o[0] || o[1] > o[0]);
	first = o[last];
	snprintf(msg, sizeof(msg), "%s", err);
	if (!first) {
		/* Neither key was set: the defaults themselves disagree. */
		for (int i = 0; i < 2; i++)
			if (keys[i])
				where(msg, sizeof(msg), cfg, keys[i], NULL);
		hg_cli_error("invalid configuration: %s", msg);
		return;
	}
	if (keys[!last])
		where(msg, sizeof(msg), cfg, keys[!last], o[!last]);
	report(first, msg);
}

int hg_settings_apply(const struct hg_cli_settings *s, struct hg_config *cfg)
{
	const struct hg_cli_setting *platform = NULL, *go = NULL;
	const char *keys[2];
	struct hg_config scratch;
	char err[256];

	/* Every platform and preset named must be valid, even if overridden. */
	for (size_t i = 0; i < s->n; i++) {
		const struct hg_cli_setting *e = &s->v[i];

		if (!is_base_key(e->key))
			continue;
		hg_config_init(&scratch);
		if (set(&scratch, e))
			return HG_EXIT_USAGE;
		if (strcmp(e->key, "platform") == 0)
			platform = e;
		else
			go = e;
	}
	hg_config_init(cfg);
	if ((platform && set(cfg, platform)) || (go && set(cfg, go)))
		return HG_EXIT_USAGE;
	for (size_t i = 0; i < s->n; i++)
		if (!is_base_key(s->v[i].key) && set(cfg, &s->v[i]))
			return HG_EXIT_USAGE;
	/* The relations between keys, once every one is known. */
	err[0] = '\0';
	if (hg_config_check_keys(cfg, err, sizeof(err), keys) != 0) {
		report_check(s, cfg, keys,
			     err[0] ? err : "inconsistent settings");
		return HG_EXIT_USAGE;
	}
	return 0;
}
