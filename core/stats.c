/*
 * stats.c - the statistics table: every statistic the outputs show, with
 * its unit and where the model keeps it.
 *
 * To add a statistic:
 *   1. a member in struct hg_figures (a figure with a final and a peak
 *      value, kept by the model per event) or in struct hg_stats (one
 *      value for the run), and the model code that computes it;
 *   2. one row below, where it goes in the outputs: the stats JSON writes
 *      the rows in this order (a group's rows together, as one object),
 *      the text report in the same order, `heapgrow diff` and its gates
 *      name it [final.|peak.][group.]name and take its unit from here, and
 *      a non-zero box rank puts it in the pictures' figures box;
 *   3. a statistic that exists only for object-level replays gets the
 *      flag HG_STAT_OBJECTS: it is left out of every output unless
 *      hg_stats.object_ops is set, so span-level outputs do not change;
 *   4. which way it gets better: L (lower: less memory, fewer calls), H
 *      (higher) or 0 (neither: the workload decides it), the colour of
 *      its changes in `heapgrow diff` and `compare` on a terminal;
 *   5. its line in heapgrow(1) (STATISTICS); the tests check that every
 *      row is documented there;
 *   6. its property in share/schema/heapgrow.schema.json (its group's
 *      $defs, or "figures" and "mark", or "stats" and "configuration",
 *      and the "statistic" names); schema.table checks the schema
 *      against this table.
 */
#include "hg_core.h"

#include <stddef.h>
#include <string.h>

#define FIG(member) HG_STAT_FIGURES, offsetof(struct hg_figures, member)
#define RUN(member) HG_STAT_RUN, offsetof(struct hg_stats, member)
#define CLASS(c) FIG(classes[c])
#define B HG_UNIT_BYTES
#define N HG_UNIT_COUNT
#define L HG_BETTER_LOWER
#define H HG_BETTER_HIGHER

const struct hg_stat_spec hg_stat_specs[] = {
	/* group, name, label, unit, where, box rank, flags, better */
	{ "classes", "none", NULL, B, CLASS(HG_CLASS_NONE), 0, 0, 0 },
	{ "classes", "foreign", NULL, B, CLASS(HG_CLASS_FOREIGN), 0, 0, 0 },
	{ "classes", "reserved", NULL, B, CLASS(HG_CLASS_RESERVED), 6, 0, L },
	{ "classes", "released", NULL, B, CLASS(HG_CLASS_RELEASED), 0, 0, H },
	{ "classes", "heap_free", NULL, B, CLASS(HG_CLASS_HEAP_FREE), 0, 0, L },
	{ "classes", "heap_inuse", NULL, B, CLASS(HG_CLASS_HEAP_INUSE), 0, 0,
	  0 },
	{ "classes", "sys", NULL, B, CLASS(HG_CLASS_SYS), 0, 0, L },
	{ "classes", "sbrk_free", NULL, B, CLASS(HG_CLASS_SBRK_FREE), 0, 0, L },
	{ "classes", "unused", NULL, B, CLASS(HG_CLASS_UNUSED), 8,
	  HG_STAT_BOX_IF_SET, L },
	{ "classes", "stranded", NULL, B, CLASS(HG_CLASS_STRANDED), 7,
	  HG_STAT_BOX_IF_SET, L },
	{ "memstats", "HeapSys", NULL, B, FIG(heap_sys), 1, HG_STAT_CURVE, L },
	{ "memstats", "HeapIdle", NULL, B, FIG(heap_idle), 0, 0, L },
	{ "memstats", "HeapInuse", NULL, B, FIG(heap_inuse), 2, HG_STAT_CURVE,
	  0 },
	{ "memstats", "HeapReleased", NULL, B, FIG(heap_released), 3,
	  HG_STAT_CURVE, H },
	{ "memstats", "HeapAlloc", NULL, B, FIG(heap_alloc), 0, HG_STAT_OBJECTS,
	  0 },
	{ "memstats", "HeapObjects", NULL, N, FIG(heap_objects), 0,
	  HG_STAT_OBJECTS, 0 },
	{ "memstats", "StackInuse", NULL, B, FIG(stack_inuse), 0,
	  HG_STAT_OBJECTS, 0 },
	{ "memstats", "StackSys", NULL, B, FIG(stack_sys), 0, HG_STAT_OBJECTS,
	  0 },
	{ "memstats", "NumGC", NULL, N, FIG(num_gc), 0, HG_STAT_OBJECTS, 0 },
	{ "memstats", "NextGC", NULL, B, FIG(next_gc), 0, HG_STAT_OBJECTS, 0 },
	{ NULL, "gc_workbufs", NULL, B, FIG(gc_workbufs), 0, HG_STAT_OBJECTS,
	  L },
	{ NULL, "committed", NULL, B, FIG(committed), 4, HG_STAT_CURVE, L },
	{ NULL, "mapped", NULL, B, FIG(mapped), 5, HG_STAT_CURVE, L },
	{ NULL, "address_space", NULL, B, FIG(address_space), 0, 0, L },
	{ NULL, "linear_memory", NULL, B, FIG(linear_memory), 9,
	  HG_STAT_BOX_IF_SET, L },
	{ NULL, "arenas", NULL, N, FIG(arenas), 10, HG_STAT_BOX_IF_SET, L },
	{ "fragmentation", "partial_spans", NULL, B, FIG(partial_span_bytes), 0,
	  HG_STAT_OBJECTS, L },
	{ "fragmentation", "free_slots", NULL, B, FIG(free_slot_bytes), 0,
	  HG_STAT_OBJECTS, L },
	{ "os_calls", "reserve", NULL, N, RUN(os_calls.reserve), 0, 0, L },
	{ "os_calls", "unreserve", NULL, N, RUN(os_calls.unreserve), 0, 0, 0 },
	{ "os_calls", "map", NULL, N, RUN(os_calls.map), 0, 0, L },
	{ "os_calls", "used", NULL, N, RUN(os_calls.used), 0, 0, 0 },
	{ "os_calls", "unused", NULL, N, RUN(os_calls.unused), 0, 0, 0 },
	{ "os_calls", "free", NULL, N, RUN(os_calls.free), 0, 0, 0 },
	{ "os_calls", "sysalloc", NULL, N, RUN(os_calls.sysalloc), 0, 0, L },
	{ "os_calls", "sbrk", NULL, N, RUN(os_calls.sbrk), 12,
	  HG_STAT_BOX_IF_SET, L },
	{ "os_calls", "grow_memory", NULL, N, RUN(os_calls.grow_memory), 13,
	  HG_STAT_BOX_IF_SET, L },
	{ NULL, "heap_grows", "heap grows", N, RUN(heap_grows), 11, 0, L },
	{ NULL, NULL, NULL, B, HG_STAT_RUN, 0, 0, 0, 0 },
};

uint64_t hg_stat_value(const struct hg_stat_spec *s, const struct hg_stats *st,
		       bool peak)
{
	const char *base = (const char *)st;
	uint64_t v;

	if (s->where == HG_STAT_FIGURES)
		base = (const char *)(peak ? &st->peak : &st->final);
	memcpy(&v, base + s->off, sizeof(v));
	return v;
}

uint64_t hg_stat_figure(const struct hg_stat_spec *s,
			const struct hg_figures *f)
{
	uint64_t v;

	memcpy(&v, (const char *)f + s->off, sizeof(v));
	return v;
}

const struct hg_stat_spec *hg_stat_curve(unsigned i)
{
	for (const struct hg_stat_spec *s = hg_stat_specs; s->name; s++)
		if ((s->flags & HG_STAT_CURVE) && i-- == 0)
			return s;
	return NULL;
}

bool hg_stat_present(const struct hg_stat_spec *s, const struct hg_stats *st)
{
	return !(s->flags & HG_STAT_OBJECTS) || st->object_ops;
}

const char *hg_stat_label(const struct hg_stat_spec *s)
{
	return s->label ? s->label : s->name;
}

/* skip matches the prefix p of *path followed by a dot, and skips both. */
static bool skip(const char **path, const char *p)
{
	size_t n = strlen(p);

	if (strncmp(*path, p, n) != 0 || (*path)[n] != '.')
		return false;
	*path += n + 1;
	return true;
}

const struct hg_stat_spec *hg_stat_by_path(const char *path)
{
	bool fig = skip(&path, "final") || skip(&path, "peak");

	for (const struct hg_stat_spec *s = hg_stat_specs; s->name; s++) {
		const char *p = path;

		if ((s->where == HG_STAT_FIGURES) != fig)
			continue;
		if (s->group && !skip(&p, s->group))
			continue;
		if (strcmp(p, s->name) == 0)
			return s;
	}
	return NULL;
}
