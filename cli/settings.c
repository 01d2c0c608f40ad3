/*
 * settings.c - applying settings from traces, config files and options.
 */
#include "settings.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

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

/* report prints msg as the error of setting e, at its origin. */
static void report(const struct hg_cli_setting *e, const char *msg)
{
	if (e->file)
		hg_cli_error_at(e->file, e->line, e->col, "%s", msg);
	else if (strcmp(e->option, "--set") == 0)
		hg_cli_error("--set %s=%s: %s", e->key, e->value, msg);
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

int hg_settings_apply(const struct hg_cli_settings *s, struct hg_config *cfg)
{
	const struct hg_cli_setting *platform = NULL, *go = NULL;
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
	if (hg_config_check(cfg, err, sizeof(err)) != 0) {
		hg_cli_error("invalid configuration: %s",
			     err[0] ? err : "inconsistent settings");
		return HG_EXIT_USAGE;
	}
	return 0;
}
