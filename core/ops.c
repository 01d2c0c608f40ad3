/*
 * ops.c - the op table: what each trace event is called, which fields it
 * has, what it does to its id and what the event log writes for it.
 *
 * To add an op: a kind in enum hg_op_kind (hg_core.h), one row below, and
 * its apply function in the model's table apply_fns (apply.c). The YAML and
 * compact readers, the writers, the event log and `heapgrow check` take the
 * rest from the row; share/doc/trace-format.md and heapgrow(1) document it.
 */
#include "hg_core.h"

#include <string.h>

#define F(...)                                                                 \
	{                                                                      \
		__VA_ARGS__, HG_FIELD_END                                      \
	}

static const struct hg_op_spec hg_op_specs[HG_OP_COUNT] = {
	/* kind, name, compact, YAML mapping, fields, id family, id use,
	 * event log */
	[HG_OP_ALLOC] = { HG_OP_ALLOC, "alloc", "a", true,
			  F(HG_FIELD_ID, HG_FIELD_SIZE, HG_FIELD_ADDR),
			  HG_IDS_SPAN, HG_ID_MAKE,
			  HG_LOG_ADDR | HG_LOG_NPAGES | HG_LOG_SCAV |
				  HG_LOG_GREW },
	[HG_OP_FREE] = { HG_OP_FREE, "free", "f", false, F(HG_FIELD_ID),
			 HG_IDS_SPAN, HG_ID_END, HG_LOG_ADDR | HG_LOG_NPAGES },
	[HG_OP_SYSALLOC] = { HG_OP_SYSALLOC, "sysalloc", "sa", true,
			     F(HG_FIELD_ID, HG_FIELD_SIZE, HG_FIELD_ADDR),
			     HG_IDS_SYSALLOC, HG_ID_MAKE,
			     HG_LOG_ADDR | HG_LOG_SIZE },
	[HG_OP_SYSFREE] = { HG_OP_SYSFREE, "sysfree", "sf", false,
			    F(HG_FIELD_ID), HG_IDS_SYSALLOC, HG_ID_END,
			    HG_LOG_ADDR | HG_LOG_SIZE },
	[HG_OP_SCAVENGE] = { HG_OP_SCAVENGE, "scavenge", "s", false,
			     F(HG_FIELD_SIZE_ALL), HG_IDS_NONE, HG_ID_NO,
			     HG_LOG_OP | HG_LOG_RELEASED },
	[HG_OP_MMAP] = { HG_OP_MMAP, "mmap", "mm", true,
			 F(HG_FIELD_ID, HG_FIELD_HINT, HG_FIELD_SIZE),
			 HG_IDS_MMAP, HG_ID_MAKE, HG_LOG_ADDR | HG_LOG_SIZE },
	[HG_OP_MUNMAP] = { HG_OP_MUNMAP, "munmap", "mu", false, F(HG_FIELD_ID),
			   HG_IDS_MMAP, HG_ID_END, HG_LOG_ADDR | HG_LOG_SIZE },
	[HG_OP_MARK] = { HG_OP_MARK, "mark", "m", false, F(HG_FIELD_TEXT),
			 HG_IDS_NONE, HG_ID_NO, HG_LOG_OP },
	[HG_OP_NEW] = { HG_OP_NEW, "new", "n", true,
			F(HG_FIELD_ID, HG_FIELD_SIZE, HG_FIELD_NOSCAN,
			  HG_FIELD_ADDR),
			HG_IDS_OBJECT, HG_ID_MAKE,
			HG_LOG_ADDR | HG_LOG_ELEMSIZE | HG_LOG_SPAN },
	[HG_OP_DEL] = { HG_OP_DEL, "del", "d", false,
			F(HG_FIELD_ID, HG_FIELD_SWEPT), HG_IDS_OBJECT,
			HG_ID_END, HG_LOG_ADDR | HG_LOG_ELEMSIZE },
	[HG_OP_GC] = { HG_OP_GC, "gc", "g", true, F(HG_FIELD_END), HG_IDS_NONE,
		       HG_ID_NO, HG_LOG_RELEASED },
	[HG_OP_STACKALLOC] = { HG_OP_STACKALLOC, "stackalloc", "ka", true,
			       F(HG_FIELD_ID, HG_FIELD_SIZE, HG_FIELD_ADDR),
			       HG_IDS_STACK, HG_ID_MAKE,
			       HG_LOG_ADDR | HG_LOG_SIZE | HG_LOG_SPAN },
	[HG_OP_STACKFREE] = { HG_OP_STACKFREE, "stackfree", "kf", false,
			      F(HG_FIELD_ID), HG_IDS_STACK, HG_ID_END,
			      HG_LOG_ADDR | HG_LOG_SIZE },
	[HG_OP_PROC] = { HG_OP_PROC, "proc", "p", false, F(HG_FIELD_VALUE),
			 HG_IDS_NONE, HG_ID_NO, HG_LOG_OP },
	[HG_OP_TIME] = { HG_OP_TIME, "time", "t", false, F(HG_FIELD_VALUE),
			 HG_IDS_NONE, HG_ID_NO, HG_LOG_OP | HG_LOG_RELEASED },
	[HG_OP_WBUFALLOC] = { HG_OP_WBUFALLOC, "wbufalloc", "wa", true,
			      F(HG_FIELD_ID, HG_FIELD_SIZE, HG_FIELD_ADDR),
			      HG_IDS_WBUF, HG_ID_MAKE,
			      HG_LOG_ADDR | HG_LOG_NPAGES | HG_LOG_SCAV |
				      HG_LOG_GREW },
	[HG_OP_WBUFFREE] = { HG_OP_WBUFFREE, "wbuffree", "wf", false,
			     F(HG_FIELD_ID), HG_IDS_WBUF, HG_ID_END,
			     HG_LOG_ADDR | HG_LOG_NPAGES },
	[HG_OP_TRACESTART] = { HG_OP_TRACESTART, "tracestart", "ts", false,
			       F(HG_FIELD_VALUE), HG_IDS_NONE, HG_ID_NO,
			       HG_LOG_OP },
	[HG_OP_BGSCAV] = { HG_OP_BGSCAV, "bgscav", "bs", false,
			   F(HG_FIELD_VALUE), HG_IDS_NONE, HG_ID_NO,
			   HG_LOG_OP | HG_LOG_RELEASED },
	[HG_OP_RUNNING] = { HG_OP_RUNNING, "running", "rn", false,
			    F(HG_FIELD_VALUE), HG_IDS_NONE, HG_ID_NO,
			    HG_LOG_OP | HG_LOG_RELEASED },
};

const struct hg_op_spec *hg_op_spec(enum hg_op_kind k)
{
	if ((unsigned)k >= HG_OP_COUNT)
		return NULL;
	return &hg_op_specs[k];
}

const char *hg_op_name(enum hg_op_kind k)
{
	const struct hg_op_spec *s = hg_op_spec(k);

	return s ? s->name : "unknown";
}

static bool word_is(const char *w, const char *s, size_t n)
{
	return strlen(w) == n && memcmp(w, s, n) == 0;
}

const struct hg_op_spec *hg_op_spec_by_name(const char *s, size_t n)
{
	for (unsigned k = 0; k < HG_OP_COUNT; k++) {
		if (word_is(hg_op_specs[k].name, s, n))
			return &hg_op_specs[k];
	}
	return NULL;
}

const struct hg_op_spec *hg_op_spec_by_letter(const char *s, size_t n)
{
	for (unsigned k = 0; k < HG_OP_COUNT; k++) {
		if (word_is(hg_op_specs[k].letter, s, n))
			return &hg_op_specs[k];
	}
	return NULL;
}

const char *hg_op_field_name(enum hg_op_field f)
{
	switch (f) {
	case HG_FIELD_ID:
		return "id";
	case HG_FIELD_SIZE:
	case HG_FIELD_SIZE_ALL:
		return "size";
	case HG_FIELD_HINT:
	case HG_FIELD_ADDR:
		return "addr";
	case HG_FIELD_NOSCAN:
		return "noscan";
	case HG_FIELD_SWEPT:
		return "swept";
	case HG_FIELD_TEXT:
		return "text";
	case HG_FIELD_VALUE:
		return "value";
	default:
		return "?";
	}
}

bool hg_op_has_field(const struct hg_op_spec *spec, enum hg_op_field f)
{
	for (unsigned i = 0; i < HG_OP_MAX_FIELDS && spec->fields[i]; i++) {
		if (spec->fields[i] == f)
			return true;
	}
	return false;
}
