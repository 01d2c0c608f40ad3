/*
 * runtime_start.c - the runtime's own start (config key runtime_start).
 *
 * GODEBUG=allocfreetrace=1 traces mallocgc only once the runtime has read
 * GODEBUG (Go: proc.go schedinit, parsedebugvars, go1.19); what schedinit
 * allocated before that, and every stack, is not in the log. This replays
 * the part the Go source fixes, before the trace's first event, as Go
 * does it (Go: proc.go schedinit, go1.19):
 *
 *   mcommoninit(m0) -> mpreinit: m0's signal goroutine, malg(32 KiB): a g
 *     (416 bytes) and a 32 KiB stack (a manual span of its own);
 *   cpuinit: a copy of the GODEBUG entry of the environment, which holds
 *     "allocfreetrace=1" since the log exists (24 bytes, noscan; on the
 *     Unix systems only: Go: proc.go cpuinit);
 *   modulesinit: the modules slice header (24 bytes) and its one-element
 *     backing array (8 bytes) (Go: symtab.go modulesinit);
 *   goargs: the []string of the arguments, one for a program started
 *     without arguments (16 bytes; not on windows) (Go: runtime1.go).
 *
 * What it cannot know is left out: goenvs copies every environment
 * variable (a []string of them and one string each, Go: runtime1.go
 * goenvs_unix), which depends on the environment the program ran in.
 * The stacks of the goroutines and Ms the log shows are the importer's
 * (traces/import_text.c: a runtime.g allocation is followed by its
 * stack), as is the main goroutine's, whose g is already traced.
 * README.md ("Settings") and share/doc/fidelity.md tell what is left.
 */
#include "model.h"

#include <stdbool.h>
#include <string.h>

/* Go: runtime2.go g, unsafe.Sizeof on linux/amd64, go1.19 (the size the
 * logs print for every runtime.g) */
#define G_SIZE 416u
/* Go: stack.go, mpreinit's malg(32 * 1024) */
#define GSIGNAL_STACK (32u << 10)
/* len("GODEBUG=allocfreetrace=1") */
#define GODEBUG_ENTRY 24u

struct start_op {
	enum hg_op_kind kind;
	const char *id;
	uint64_t size;
	bool noscan;
};

static int start_apply(struct hg_model *m, const struct start_op *s)
{
	struct hg_op op;
	char err[160];

	memset(&op, 0, sizeof(op));
	op.kind = s->kind;
	op.id = s->id;
	op.size = s->size;
	op.noscan = s->noscan;
	int rc = hg_model_apply(m, &op, NULL, err, sizeof(err));
	return rc == HG_EOOM ? HG_EOOM : rc;
}

int hg_runtime_start(struct hg_model *m)
{
	enum hg_platform p = m->cfg.platform;
	bool windows = hg_platform_is_windows(p);
	/* Go: cpuinit reads GODEBUG itself on these (aix, darwin, the BSDs,
	 * illumos, solaris, linux), not on js/wasm, windows or plan9 */
	bool unix = !windows && !hg_platform_is_wasm(p) &&
		    !hg_platform_is_sbrk(p);
	const struct start_op ops[] = {
		{ HG_OP_NEW, "runtime.m0.gsignal", G_SIZE, false },
		{ HG_OP_STACKALLOC, "runtime.m0.gsignal.stack", GSIGNAL_STACK,
		  false },
		{ HG_OP_NEW, "runtime.cpuinit.godebug", GODEBUG_ENTRY, true },
		{ HG_OP_NEW, "runtime.modules", 24, false },
		{ HG_OP_NEW, "runtime.modules.array", 8, false },
		{ HG_OP_NEW, "runtime.argslice", 16, false },
	};
	uint64_t events = m->stats.events;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		/* Go: windows' mpreinit makes no signal goroutine, nor does
		 * goargs run there */
		if (windows && (i < 2 || i == 5))
			continue;
		if (!unix && i == 2)
			continue;
		int rc = start_apply(m, &ops[i]);
		if (rc)
			return rc;
	}
	/* Built in, not the trace's: the event count starts at the trace. */
	m->stats.events = events;
	return HG_OK;
}
