/*
 * runtime_start.c - the runtime's own start (config key runtime_start).
 *
 * GODEBUG=allocfreetrace=1 traces mallocgc only once the runtime has read
 * GODEBUG (Go: proc.go schedinit, parsedebugvars, go1.19); what schedinit
 * allocated before that, and every stack, is not in the log. This replays
 * the part the Go source fixes, before the trace's first event, in
 * schedinit's order (Go: proc.go schedinit, go1.19):
 *
 *   cpuinit: a copy of the GODEBUG entry of the environment, which holds
 *     "allocfreetrace=1" since the log exists (24 bytes, noscan; on the
 *     Unix systems only: Go: proc.go cpuinit), dead once parsed; then
 *     internal/cpu's doinit builds its table of GODEBUG options, an
 *     option being a name, a pointer and two bools (32 bytes on 64-bit,
 *     16 on 386): on amd64 and 386 (GOAMD64=v1, the default) a literal
 *     of 5 options and two appends of 5, so three arrays, of 5, 10 and
 *     20 options, the first two dead once copied (Go: growslice doubles
 *     a small slice; internal/cpu cpu_x86.go doinit); on arm64 one
 *     literal of 9 (cpu_arm64.go); none on wasm (cpu_wasm.go);
 *   mcommoninit(m0) -> mpreinit: m0's signal goroutine, malg(32 KiB): a g
 *     (416 bytes) and a 32 KiB stack (a manual span of its own);
 *   modulesinit: the modules slice header (24 bytes) and its one-element
 *     backing array (8 bytes) (Go: symtab.go modulesinit);
 *   goargs: the []string of the arguments, one for a program started
 *     without arguments (16 bytes; not on windows) (Go: runtime1.go).
 *
 * The dead objects are dels that the next gc reclaims, as Go's sweeper
 * frees them after the first cycle (the Go 1.19 logs show those frees:
 * tracefree of 0xc000000000, 0xc000002000 and 0xc000004000, addresses
 * the log never allocated). What it cannot know is left out: goenvs
 * copies every environment variable (a []string of them and one string
 * each, Go: runtime1.go goenvs_unix), which depends on the environment
 * the program ran in. The stacks of the goroutines and Ms the log shows
 * are the importer's (traces/import_text.c: a runtime.g allocation is
 * followed by its stack), as is the main goroutine's, whose g is already
 * traced. README.md ("Settings") and share/doc/fidelity.md tell what is
 * left.
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
	bool wasm = hg_platform_is_wasm(p);
	/* Go: cpuinit reads GODEBUG itself on these (aix, darwin, the BSDs,
	 * illumos, solaris, linux), not on js/wasm, windows or plan9 */
	bool unix = !windows && !wasm && !hg_platform_is_sbrk(p);
	/* Go: goarch.PtrSize, 8 on wasm too (its addresses are 32-bit) */
	uint64_t ptr = hg_platform_is_64bit(p) || wasm ? 8 : 4;
	/* Go: internal/cpu cpu.go option: a string, a *bool and two bools,
	 * padded to the pointer size */
	uint64_t opt = 4 * ptr;
	struct start_op ops[12];
	size_t n = 0;

	/* Go: proc.go cpuinit, go1.19 */
	if (unix)
		ops[n++] =
			(struct start_op){ HG_OP_NEW, "runtime.cpuinit.godebug",
					   GODEBUG_ENTRY, true };
	if (p == HG_PLAT_LINUX_ARM64) {
		/* Go: internal/cpu cpu_arm64.go doinit, go1.19 */
		ops[n++] = (struct start_op){ HG_OP_NEW, "runtime.cpu.options",
					      9 * opt, false };
	} else if (!wasm) {
		/* Go: internal/cpu cpu_x86.go doinit, go1.19: 5 options,
		 * then 5 more twice; growslice doubles the capacity */
		ops[n++] =
			(struct start_op){ HG_OP_NEW, "runtime.cpu.options.5",
					   5 * opt, false };
		ops[n++] =
			(struct start_op){ HG_OP_NEW, "runtime.cpu.options.10",
					   10 * opt, false };
		ops[n++] =
			(struct start_op){ HG_OP_DEL, "runtime.cpu.options.5",
					   0, false };
		ops[n++] = (struct start_op){ HG_OP_NEW, "runtime.cpu.options",
					      20 * opt, false };
		ops[n++] =
			(struct start_op){ HG_OP_DEL, "runtime.cpu.options.10",
					   0, false };
	}
	/* the GODEBUG copy is dead once cpu.Initialize has parsed it */
	if (unix)
		ops[n++] =
			(struct start_op){ HG_OP_DEL, "runtime.cpuinit.godebug",
					   0, false };
	/* Go: proc.go mcommoninit -> mpreinit, go1.19: windows' makes no
	 * signal goroutine */
	if (!windows) {
		ops[n++] = (struct start_op){ HG_OP_NEW, "runtime.m0.gsignal",
					      G_SIZE, false };
		ops[n++] = (struct start_op){ HG_OP_STACKALLOC,
					      "runtime.m0.gsignal.stack",
					      GSIGNAL_STACK, false };
	}
	/* Go: symtab.go modulesinit, go1.19 */
	ops[n++] = (struct start_op){ HG_OP_NEW, "runtime.modules", 3 * ptr,
				      false };
	ops[n++] = (struct start_op){ HG_OP_NEW, "runtime.modules.array", ptr,
				      false };
	/* Go: runtime1.go goargs, go1.19: not on windows */
	if (!windows)
		ops[n++] = (struct start_op){ HG_OP_NEW, "runtime.argslice",
					      2 * ptr, false };

	uint64_t events = m->stats.events;
	for (size_t i = 0; i < n; i++) {
		int rc = start_apply(m, &ops[i]);
		if (rc)
			return rc;
	}
	/* Built in, not the trace's: the event count starts at the trace. */
	m->stats.events = events;
	return HG_OK;
}
