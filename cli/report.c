/*
 * report.c - stats JSON and the text report.
 */
#include "report.h"

#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

static void json_figures(struct hg_json *j, const char *key,
			 const struct hg_figures *fig)
{
	hg_json_begin_object(j, key);
	hg_json_begin_object(j, "classes");
	for (int c = 0; c < HG_CLASS_COUNT; c++)
		hg_json_u64(j, hg_class_name((enum hg_class)c),
			    fig->classes[c]);
	hg_json_end_object(j);
	hg_json_begin_object(j, "memstats");
	hg_json_u64(j, "HeapSys", fig->heap_sys);
	hg_json_u64(j, "HeapIdle", fig->heap_idle);
	hg_json_u64(j, "HeapInuse", fig->heap_inuse);
	hg_json_u64(j, "HeapReleased", fig->heap_released);
	hg_json_end_object(j);
	hg_json_u64(j, "committed", fig->committed);
	hg_json_u64(j, "mapped", fig->mapped);
	hg_json_u64(j, "address_space", fig->address_space);
	hg_json_u64(j, "linear_memory", fig->linear_memory);
	hg_json_u64(j, "arenas", fig->arenas);
	hg_json_end_object(j);
}

void hg_report_json(FILE *f, const char *name, const struct hg_config *cfg,
		    const struct hg_stats *st)
{
	const struct hg_os_calls *oc = &st->os_calls;
	struct hg_json j;
	char buf[256];

	hg_json_init(&j, f, true);
	hg_json_begin_object(&j, NULL);
	hg_json_u64(&j, "heapgrow", 1);
	hg_json_begin_object(&j, "trace");
	if (name)
		hg_json_str(&j, "name", name);
	else
		hg_json_null(&j, "name");
	hg_json_u64(&j, "events", st->events);
	hg_json_end_object(&j);

	hg_json_begin_object(&j, "config");
	for (const char *const *k = hg_config_keys; *k; k++) {
		if (hg_config_get(cfg, *k, buf, sizeof(buf)) != 0)
			continue;
		hg_json_value(&j, *k, buf, hg_config_is_string(*k));
	}
	hg_json_end_object(&j);

	json_figures(&j, "final", &st->final);
	json_figures(&j, "peak", &st->peak);

	hg_json_begin_object(&j, "os_calls");
	hg_json_u64(&j, "reserve", oc->reserve);
	hg_json_u64(&j, "unreserve", oc->unreserve);
	hg_json_u64(&j, "map", oc->map);
	hg_json_u64(&j, "used", oc->used);
	hg_json_u64(&j, "unused", oc->unused);
	hg_json_u64(&j, "free", oc->free);
	hg_json_u64(&j, "sysalloc", oc->sysalloc);
	hg_json_u64(&j, "sbrk", oc->sbrk);
	hg_json_u64(&j, "grow_memory", oc->grow_memory);
	hg_json_end_object(&j);

	hg_json_u64(&j, "heap_grows", st->heap_grows);
	if (st->oom) {
		hg_json_begin_object(&j, "oom");
		hg_json_u64(&j, "event", st->oom_event);
		hg_json_str(&j, "op", hg_op_name(st->oom_op));
		hg_json_str(&j, "id", st->oom_id);
		hg_json_u64(&j, "size", st->oom_size);
		hg_json_str(&j, "message", st->oom_message);
		hg_json_end_object(&j);
	} else {
		hg_json_null(&j, "oom");
	}
	hg_json_end_object(&j);
}

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

#define LABEL_W 20
#define COL_W 30

static void row_bytes(FILE *f, const char *label, uint64_t final, uint64_t peak)
{
	char a[64], b[64];

	hg_fmt_iec(a, sizeof(a), final);
	hg_fmt_iec(b, sizeof(b), peak);
	fprintf(f, "  %-*s %-*s %s\n", LABEL_W, label, COL_W, a, b);
}

static void row_count(FILE *f, const char *label, uint64_t final, uint64_t peak)
{
	char a[32], b[32];

	snprintf(a, sizeof(a), "%" PRIu64, final);
	snprintf(b, sizeof(b), "%" PRIu64, peak);
	fprintf(f, "  %-*s %-*s %s\n", LABEL_W, label, COL_W, a, b);
}

void hg_report_text(FILE *f, const char *name, const struct hg_config *cfg,
		    const struct hg_stats *st)
{
	const struct hg_figures *fi = &st->final, *pk = &st->peak;
	const struct hg_os_calls *oc = &st->os_calls;
	char buf[256];
	char a[64];

	fprintf(f, "trace %s: %" PRIu64 " events\n\n",
		name ? name : "(unnamed)", st->events);

	fputs("config\n", f);
	for (const char *const *k = hg_config_keys; *k; k++)
		if (hg_config_get(cfg, *k, buf, sizeof(buf)) == 0)
			fprintf(f, "  %-*s %s\n", LABEL_W, *k, buf);

	fprintf(f, "\n%-*s %-*s %s\n", LABEL_W + 2, "memory classes", COL_W,
		"final", "peak");
	for (int c = 0; c < HG_CLASS_COUNT; c++)
		row_bytes(f, hg_class_name((enum hg_class)c), fi->classes[c],
			  pk->classes[c]);

	fputs("\nmemstats\n", f);
	row_bytes(f, "HeapSys", fi->heap_sys, pk->heap_sys);
	row_bytes(f, "HeapIdle", fi->heap_idle, pk->heap_idle);
	row_bytes(f, "HeapInuse", fi->heap_inuse, pk->heap_inuse);
	row_bytes(f, "HeapReleased", fi->heap_released, pk->heap_released);

	fputs("\naddress space\n", f);
	row_bytes(f, "committed", fi->committed, pk->committed);
	row_bytes(f, "mapped", fi->mapped, pk->mapped);
	row_bytes(f, "address_space", fi->address_space, pk->address_space);
	row_bytes(f, "linear_memory", fi->linear_memory, pk->linear_memory);
	row_count(f, "arenas", fi->arenas, pk->arenas);

	fprintf(f,
		"\nos calls: reserve %" PRIu64 ", unreserve %" PRIu64
		", map %" PRIu64 ", used %" PRIu64 ", unused %" PRIu64
		", free %" PRIu64 ", sysalloc %" PRIu64 ", sbrk %" PRIu64
		", grow_memory %" PRIu64 "\n",
		oc->reserve, oc->unreserve, oc->map, oc->used, oc->unused,
		oc->free, oc->sysalloc, oc->sbrk, oc->grow_memory);
	fprintf(f, "heap grows: %" PRIu64 "\n", st->heap_grows);
	if (st->oom) {
		hg_fmt_iec(a, sizeof(a), st->oom_size);
		fprintf(f,
			"out of memory at event %" PRIu64 " (%s %s, %s): %s\n",
			st->oom_event, hg_op_name(st->oom_op), st->oom_id, a,
			st->oom_message);
	} else {
		fputs("out of memory: no\n", f);
	}
}
