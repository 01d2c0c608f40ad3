/*
 * config_yaml.c - YAML config files (-c FILE): the keys of a trace's
 * config: mapping, with policy.* as a nested mapping.
 *
 * libcyaml loads the file against a schema built from hg_config_keys, so
 * the schema follows the core's list of keys. A libyaml walk of the same
 * bytes runs first: it reports the first problem (unknown key, a value
 * that is not a scalar, YAML syntax) at its exact line and column, which
 * cyaml's log does not give, and it records where each key was set.
 */
#include "trace_internal.h"

#include <cyaml/cyaml.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONFIG_FILE (1u << 20)

/* ------------------------------------------------------------------ */
/* The schema                                                          */
/* ------------------------------------------------------------------ */

/*
 * The loaded data is an array of char * in the order of the top-level
 * keys, then a pointer to the policy array (char * per policy.* key).
 */
struct schema {
	cyaml_schema_field_t *top, *pol;
	size_t ntop, npol;
	const char **topkeys, **polkeys; /* full key of each slot */
	cyaml_schema_value_t root;
};

static void schema_free(struct schema *s)
{
	free(s->top);
	free(s->pol);
	free(s->topkeys);
	free(s->polkeys);
}

static cyaml_schema_field_t string_field(const char *key, size_t slot)
{
	cyaml_schema_field_t f;

	memset(&f, 0, sizeof(f));
	f.key = key;
	f.data_offset = (uint32_t)(slot * sizeof(char *));
	f.value.type = CYAML_STRING;
	f.value.flags = CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL;
	f.value.data_size = sizeof(char);
	f.value.string.min = 0;
	f.value.string.max = sizeof(((struct hg_setting *)NULL)->value) - 1;
	return f;
}

static int schema_build(struct schema *s)
{
	size_t n = 0, i;

	memset(s, 0, sizeof(*s));
	while (hg_config_keys[n])
		n++;
	s->top = calloc(n + 2, sizeof(*s->top));
	s->pol = calloc(n + 1, sizeof(*s->pol));
	s->topkeys = calloc(n + 1, sizeof(*s->topkeys));
	s->polkeys = calloc(n + 1, sizeof(*s->polkeys));
	if (!s->top || !s->pol || !s->topkeys || !s->polkeys) {
		schema_free(s);
		return HG_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const char *k = hg_config_keys[i];

		if (strncmp(k, "policy.", 7) == 0) {
			s->pol[s->npol] = string_field(k + 7, s->npol);
			s->polkeys[s->npol++] = k;
		} else if (!strchr(k, '.')) {
			s->top[s->ntop] = string_field(k, s->ntop);
			s->topkeys[s->ntop++] = k;
		}
	}
	s->pol[s->npol].key = NULL;
	s->top[s->ntop].key = "policy";
	s->top[s->ntop].data_offset = (uint32_t)(s->ntop * sizeof(char *));
	s->top[s->ntop].value.type = CYAML_MAPPING;
	s->top[s->ntop].value.flags = CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL;
	s->top[s->ntop].value.data_size =
		(uint32_t)((s->npol ? s->npol : 1) * sizeof(char *));
	s->top[s->ntop].value.mapping.fields = s->pol;
	s->top[s->ntop + 1].key = NULL;
	s->root.type = CYAML_MAPPING;
	s->root.flags = CYAML_FLAG_POINTER;
	s->root.data_size = (uint32_t)((s->ntop + 1) * sizeof(char *));
	s->root.mapping.fields = s->top;
	return 0;
}

/* cyaml's first error message, for the unlikely case it disagrees with
 * the walk. */
struct cyaml_log {
	char msg[200];
	bool have;
};

static void log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 0)))
#endif
	;

static void log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list ap)
{
	struct cyaml_log *l = ctx;
	size_t n;

	if (level < CYAML_LOG_ERROR || l->have)
		return;
	vsnprintf(l->msg, sizeof(l->msg), fmt, ap);
	n = strlen(l->msg);
	while (n && l->msg[n - 1] == '\n')
		l->msg[--n] = '\0';
	l->have = true;
}

/* lookup finds the value cyaml loaded for key. */
static const char *lookup(const struct schema *s, char **data, const char *key)
{
	size_t i;

	for (i = 0; i < s->ntop; i++) {
		if (strcmp(s->topkeys[i], key) == 0)
			return data[i];
	}
	if (data[s->ntop]) {
		char **pol = (char **)data[s->ntop];

		for (i = 0; i < s->npol; i++) {
			if (strcmp(s->polkeys[i], key) == 0)
				return pol[i];
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

/* walk checks buf with libyaml and collects the settings and positions. */
static int walk(const void *buf, size_t len, const char *file,
		struct hg_setting **arr, size_t *n, bool *empty,
		struct hg_diag *d)
{
	struct hg_src src;
	struct hg_yaml y;
	size_t cap = 0;
	int rc;

	*empty = false;
	rc = hg__src_open_mem(&src, buf, len);
	if (rc == 0)
		rc = hg__yaml_init(&y, &src, file, d);
	else
		hg_diag_set(d, NULL, 0, 0, "out of memory");
	if (rc < 0) {
		hg__src_close(&src);
		return rc;
	}
	rc = hg__yaml_next(&y, &src);
	if (rc == 0)
		rc = hg__yaml_next(&y, &src);
	if (rc == 0 && y.ev.type == YAML_STREAM_END_EVENT) {
		*empty = true;
		goto out;
	}
	if (rc == 0)
		rc = hg__yaml_next(&y, &src);
	if (rc < 0)
		goto out;
	if (y.ev.type == YAML_SCALAR_EVENT && y.ev.data.scalar.length == 0 &&
	    y.ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		*empty = true;
	} else if (y.ev.type != YAML_MAPPING_START_EVENT) {
		rc = hg__yaml_err(&y,
				  "a config file must be a YAML mapping "
				  "of config keys, not %s",
				  hg__yaml_event_what(&y.ev));
		goto out;
	} else {
		rc = hg__yaml_config(&y, &src, true, arr, n, &cap);
		if (rc < 0)
			goto out;
	}
	rc = hg__yaml_next(&y, &src);
	if (rc == 0 && y.ev.type == YAML_DOCUMENT_END_EVENT)
		rc = hg__yaml_next(&y, &src);
	if (rc == 0 && y.ev.type != YAML_STREAM_END_EVENT)
		rc = hg__yaml_err(&y, "only one YAML document is allowed in a "
				      "config file");
out:
	hg__yaml_fini(&y);
	hg__src_close(&src);
	return rc;
}

int hg_config_load_mem(const void *data, size_t len, const char *name,
		       struct hg_setting **out, size_t *nout, struct hg_diag *d)
{
	struct hg_setting *arr = NULL;
	struct cyaml_log log = { .have = false };
	struct schema s;
	char **loaded = NULL;
	size_t n = 0, i;
	bool empty;
	cyaml_err_t cerr;
	int rc;

	*out = NULL;
	*nout = 0;
	if (d) {
		snprintf(d->file, sizeof(d->file), "%s", name ? name : "");
		d->line = d->col = 0;
		d->msg[0] = '\0';
	}
	rc = walk(data, len, name, &arr, &n, &empty, d);
	if (rc < 0 || empty) {
		free(arr);
		return rc;
	}
	if (schema_build(&s) < 0) {
		free(arr);
		hg_diag_set(d, NULL, 0, 0, "out of memory");
		return HG_ENOMEM;
	}
	{
		const cyaml_config_t cfg = {
			.log_fn = log_fn,
			.log_ctx = &log,
			.mem_fn = cyaml_mem,
			.log_level = CYAML_LOG_ERROR,
			.flags = CYAML_CFG_NO_ALIAS,
		};

		cerr = cyaml_load_data(data, len, &cfg, &s.root,
				       (cyaml_data_t **)&loaded, NULL);
		if (cerr != CYAML_OK) {
			hg_diag_set(d, NULL, 0, 0, "%s",
				    log.have ? log.msg : cyaml_strerror(cerr));
			rc = cerr == CYAML_ERR_OOM ? HG_ENOMEM : HG_EINVAL;
			goto out;
		}
		for (i = 0; i < n; i++) {
			const char *v = lookup(&s, loaded, arr[i].key);

			if (!v || strcmp(v, arr[i].value) != 0) {
				hg_diag_set(d, NULL, arr[i].line, arr[i].col,
					    "config key '%s': cannot load its "
					    "value",
					    arr[i].key);
				rc = HG_EINVAL;
				break;
			}
		}
		cyaml_free(&cfg, &s.root, loaded, 0);
	}
out:
	schema_free(&s);
	if (rc < 0) {
		free(arr);
		return rc;
	}
	*out = arr;
	*nout = n;
	return 0;
}

int hg_config_load(const char *path, struct hg_setting **out, size_t *n,
		   struct hg_diag *d)
{
	struct hg_src src;
	unsigned char *buf = NULL;
	size_t len = 0;
	long got;
	int fd, rc;

	*out = NULL;
	*n = 0;
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;

			hg_diag_set(d, "", 0, 0, "cannot open '%s': %s", path,
				    strerror(e));
			return HG_EINVAL;
		}
	}
	rc = hg__src_open_fd(&src, fd, fd != STDIN_FILENO);
	buf = malloc(MAX_CONFIG_FILE + 1);
	if (rc < 0 || !buf) {
		hg_diag_set(d, path, 0, 0, "out of memory");
		rc = HG_ENOMEM;
		goto out;
	}
	for (;;) {
		got = hg__src_read(&src, buf + len, MAX_CONFIG_FILE + 1 - len);
		if (got < 0) {
			hg_diag_set(d, path, 0, 0, "%s", src.err);
			rc = HG_EINVAL;
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > MAX_CONFIG_FILE) {
			hg_diag_set(d, path, 0, 0,
				    "config file too large "
				    "(more than %u bytes)",
				    MAX_CONFIG_FILE);
			rc = HG_EINVAL;
			goto out;
		}
	}
	rc = hg_config_load_mem(buf, len, path, out, n, d);
out:
	hg__src_close(&src);
	free(buf);
	return rc;
}
