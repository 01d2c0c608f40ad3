/*
 * mgcpacer.c - the GC pacer's heap goal (Go: runtime/mgcpacer.go,
 * (*gcControllerState).commit, heapGoalInternal, memoryLimitHeapGoal),
 * per modeled version. README "GC pacing".
 *
 * The goal is fixed at each `gc` event from the heap marked then (the
 * live object bytes once the cycle's dead objects are swept: swept dels
 * after the gc lower it, as the real sweeper's frees are objects the
 * cycle did not mark) and gogc; from go1.19 the memory limit lowers it,
 * evaluated when the figure is read, as ReadMemStats does.
 */
#include "model.h"
#include "mspan.h"

#include <limits.h>

/* Go: defaultHeapMinimum (4 MiB at GOGC=100). */
#define HG_HEAP_MINIMUM (UINT64_C(4) << 20)
/* Go: memoryLimitHeapGoalHeadroom (go1.19-1.21), and
 * memoryLimitMinHeapGoalHeadroom with memoryLimitHeapGoalHeadroomPercent
 * (go1.22+). */
#define HG_LIMIT_HEADROOM (UINT64_C(1) << 20)
#define HG_LIMIT_HEADROOM_PERCENT 3

/* The release's minor version: the object layer's copy when there is
 * one (the heap goal is read after every event: no parse there). */
static inline unsigned go_minor(const struct hg_model *m)
{
	return m->obj ? m->obj->go_minor : hg_config_go_minor(&m->cfg);
}

/* Go: heapMinimum, set by setGCPercent: 4 MiB * GOGC/100; with GOGC=off
 * the goal has no gcPercent part. */
static uint64_t heap_minimum(const struct hg_config *c)
{
	if (c->gogc < 0)
		return HG_HEAP_MINIMUM;
	return HG_HEAP_MINIMUM * (uint64_t)c->gogc / 100;
}

/*
 * Go: the gcPercent goal of commit: go1.18+ heapMarked + (heapMarked +
 * lastStackScan + globalsScan) * GOGC/100, go1.5-1.17 heapMarked *
 * (1 + GOGC/100) raised to the trigger, at least heapMinimum (the stack
 * and globals scan work are not modeled: 0). Before the first cycle the
 * goal is heapMinimum. UINT64_MAX: GOGC=off.
 */
static uint64_t gc_percent_goal(const struct hg_model *m)
{
	const struct hg_objects *o = m->obj;
	const struct hg_config *c = &m->cfg;
	uint64_t goal, marked;

	if (c->gogc < 0)
		return UINT64_MAX;
	if (!o || o->num_gc == 0)
		return heap_minimum(c);
	marked = o->heap_marked;
	goal = marked + marked * (uint64_t)c->gogc / 100;
	if (goal < heap_minimum(c))
		goal = heap_minimum(c);
	return goal;
}

/* Go: (*gcControllerState).memoryLimitHeapGoal, go1.19+. */
static uint64_t memory_limit_goal(const struct hg_model *m)
{
	const struct hg_objects *o = m->obj;
	uint64_t limit = m->cfg.memory_limit;
	uint64_t heap_free = m->hs.heap_free;
	uint64_t heap_alloc = o ? o->heap_alloc : 0;
	uint64_t mapped = m->hs.mapped_ready;
	uint64_t marked = o ? o->heap_marked : 0;
	uint64_t non_heap, overage = 0, goal, headroom;

	non_heap = mapped > heap_free + heap_alloc
			   ? mapped - heap_free - heap_alloc
			   : 0;
	if (mapped > limit)
		overage = mapped - limit;
	if (non_heap + overage >= limit)
		return marked;
	goal = limit - (non_heap + overage);
	headroom = HG_LIMIT_HEADROOM;
	if (go_minor(m) >= 22) {
		headroom = goal / 100 * HG_LIMIT_HEADROOM_PERCENT;
		if (headroom < HG_LIMIT_HEADROOM)
			headroom = HG_LIMIT_HEADROOM;
	}
	if (goal < headroom || goal - headroom < headroom)
		goal = headroom;
	else
		goal -= headroom;
	return goal < marked ? marked : goal;
}

/* Go: (*gcControllerState).heapGoal (heapGoalInternal outside a cycle,
 * the sweep done), the NextGC of MemStats; 0 = no goal (GOGC=off and no
 * memory limit). */
uint64_t hg_heap_goal(const struct hg_model *m)
{
	uint64_t goal = gc_percent_goal(m);

	if (go_minor(m) >= 19) {
		uint64_t lg = memory_limit_goal(m);
		if (lg < goal)
			goal = lg;
	}
	/* With GOGC=off and no limit the goal is the default limit's
	 * (math.MaxInt64) less the memory that is not heap, as Go's. */
	return goal;
}

/* Go: triggerRatioDen, minTriggerRatioNum and maxTriggerRatioNum
 * (go1.19+): the trigger's bounds between the marked heap and the goal. */
#define HG_TRIGGER_RATIO_DEN 64
#define HG_MIN_TRIGGER_RATIO_NUM 45
#define HG_MAX_TRIGGER_RATIO_NUM 61

/*
 * Go: the GC trigger, the heapLive at which mallocgc starts a cycle
 * (gcTrigger.test with gcTriggerHeap). UINT64_MAX: none (GOGC=off and no
 * memory limit).
 *
 *  - go1.19+ ((*gcControllerState).trigger, go1.19 and go1.26 alike): the
 *    goal less the runway, kept between 45/64 and 61/64 of the way from
 *    the marked heap to the goal (or the goal less defaultHeapMinimum when
 *    that is higher), and the goal itself when the marked heap reaches it.
 *  - go1.18 (commit with the pacer redesign): the same with 0.7 and 0.95
 *    of the way, the upper bound raised to the goal less heapMinimum
 *    above the marked heap, and the trigger at least heapMinimum.
 *  - go1.5-1.17 (commit's trigger ratio): the marked heap times 1 +
 *    triggerRatio, the ratio between 0.6 and 0.95 of GOGC/100, at least
 *    heapMinimum; before the first cycle the marked heap is faked as
 *    heapMinimum / (1 + triggerRatio) (gcControllerState.init).
 *  - go1.4: the goal (next_gc).
 *
 * The runway comes from the cons/mark ratio the real GC measures and the
 * scan work (heap, stacks, globals), none of which a trace records: the
 * model takes it as 0 (the goal itself, up to the upper bound), as it
 * counts the stack and globals scan work as 0 in the goal. Before go1.18
 * the trigger ratio is its initial 7/8: its feedback (endCycle) needs the
 * mark phase's CPU time.
 */
uint64_t hg_gc_trigger(const struct hg_model *m)
{
	const struct hg_objects *o = m->obj;
	const struct hg_config *c = &m->cfg;
	unsigned minor = hg_config_go_minor(c);
	uint64_t goal, marked, lo, hi, trigger;

	if (minor < 5)
		return gc_percent_goal(m);
	if (minor < 18) {
		double scale, ratio = 7.0 / 8.0, mk;

		if (c->gogc < 0)
			return UINT64_MAX;
		scale = (double)c->gogc / 100.0;
		if (ratio > 0.95 * scale)
			ratio = 0.95 * scale;
		if (ratio < 0.6 * scale)
			ratio = 0.6 * scale;
		mk = o && o->num_gc
			     ? (double)o->heap_marked
			     : (double)heap_minimum(c) / (1.0 + 7.0 / 8.0);
		trigger = (uint64_t)(mk * (1.0 + ratio));
		return trigger < heap_minimum(c) ? heap_minimum(c) : trigger;
	}
	goal = hg_heap_goal(m);
	if (goal == UINT64_MAX)
		return UINT64_MAX;
	marked = o && o->num_gc ? o->heap_marked : 0;
	if (minor == 18) {
		uint64_t runway;

		lo = heap_minimum(c);
		if (goal > marked &&
		    marked + (uint64_t)(0.7 * (double)(goal - marked)) > lo)
			lo = marked + (uint64_t)(0.7 * (double)(goal - marked));
		runway = goal > marked
				 ? (uint64_t)(0.95 * (double)(goal - marked))
				 : 0;
		if (goal > heap_minimum(c) && runway < goal - heap_minimum(c))
			runway = goal - heap_minimum(c);
		hi = runway + marked;
		if (hi < lo)
			hi = lo;
		trigger = goal < lo ? lo : goal;
		return trigger > hi ? hi : trigger;
	}
	if (marked >= goal)
		return goal;
	lo = (goal - marked) / HG_TRIGGER_RATIO_DEN * HG_MIN_TRIGGER_RATIO_NUM +
	     marked;
	hi = (goal - marked) / HG_TRIGGER_RATIO_DEN * HG_MAX_TRIGGER_RATIO_NUM +
	     marked;
	if (goal > HG_HEAP_MINIMUM && goal - HG_HEAP_MINIMUM > hi)
		hi = goal - HG_HEAP_MINIMUM;
	if (hi < lo)
		hi = lo;
	trigger = goal > hi ? hi : goal;
	return trigger < lo ? lo : trigger;
}

/* Go: (*gcControllerState).update's heapLive delta (mcache refill, large
 * allocations) and, for the model, a swept del: the object the trace
 * frees was in the marked heap the model took at the gc. */
void hg_heap_live_add(struct hg_objects *o, uint64_t n)
{
	o->heap_live += n;
}

void hg_heap_live_sub(struct hg_objects *o, uint64_t n)
{
	o->heap_live -= o->heap_live < n ? o->heap_live : n;
}

/*
 * Go: mallocgc's trigger test, after an allocation that refilled a span
 * of the mcache or was large (shouldhelpgc): heapLive at the trigger
 * starts a cycle (gcStart), which the model runs to its end at once
 * (hg_gc), telling the cycle's number and its background scavenger's
 * released bytes in res. Only with gc = paced (README "GC pacing").
 */
int hg_gc_paced(struct hg_model *m, struct hg_op_result *res)
{
	struct hg_objects *o = m->obj;
	bool refilled = o->refilled;

	o->refilled = false;
	if (!refilled || (!o->paced && !m->rtmeta) ||
	    o->heap_live < hg_gc_trigger(m))
		return HG_OK;
	/* With the trace's cycles, a cycle's start is only the runtime's
	 * metadata's (runtime_meta.c); its end is the trace's gc event. */
	if (!o->paced)
		return hg_rtmeta_cycle_start(m);
	int rc = hg_gc(m, &res->released);
	if (rc == HG_OK)
		res->gc = o->num_gc;
	return rc;
}

/* Go: retainExtraPercent and reduceExtraPercent, mgcscavenge.go. */
#define HG_RETAIN_EXTRA_PERCENT 10
#define HG_REDUCE_EXTRA_PERCENT 5

/* Go: heapRetained: in-use and free, unreleased heap pages. */
static uint64_t heap_retained(const struct hg_model *m)
{
	return m->hs.heap_inuse + m->hs.heap_free;
}

/*
 * Go: gcPaceScavenger, mgcscavenge.go: the retained-heap goal is the heap
 * in use at the last cycle scaled by the goal's growth (go1.16+; before,
 * go1.13-1.15, the heap goal) plus 10%, rounded up to physical pages;
 * from go1.19 also 95% of the memory limit for the mapped memory (95
 * times the limit in go1.19-1.21's gcPaceScavenger). None
 * before go1.13, nor when the scavenger key is off.
 *
 * Go computes it at mark termination from the goal of the heap the cycle
 * marked. A trace's cycle is known marked only once its sweep is done: an
 * imported trace's frees (swept dels) come after its gc. So the gc keeps
 * the cycle's heap in use, the last goal and the retained heap then (Go
 * compares the goal with that), and the goal is worked out from the heap
 * goal when it is needed (gc_percent_goal_now), which the sweep's frees
 * have lowered to the cycle's by then.
 */
static void pace_scavenger(struct hg_model *m, uint64_t goal,
			   uint64_t last_goal)
{
	struct hg_objects *o = m->obj;
	unsigned minor = go_minor(m);

	o->scav_gc_percent_goal = UINT64_MAX;
	o->scav_memory_limit_goal = UINT64_MAX;
	o->scav_goals_zero = false;
	o->scav_retained_at_gc = heap_retained(m);
	if (!m->cfg.scavenger || minor < 13)
		return;
	if (minor >= 19) {
		/* go1.19-1.21 leave out the division by 100: the goal is 95
		 * times the limit, which the mapped memory never exceeds
		 * (fixed in go1.22 by 729f214e3a), so there only the
		 * allocations' assist keeps the limit. */
		double lg =
			(double)m->cfg.memory_limit *
			(minor >= 22 ? (100.0 - HG_REDUCE_EXTRA_PERCENT) / 100.0
				     : 100.0 - HG_REDUCE_EXTRA_PERCENT);
		if (lg < 0x1p64 && (double)m->hs.mapped_ready > lg)
			o->scav_memory_limit_goal = (uint64_t)lg;
	}
	if (goal == UINT64_MAX || last_goal == 0 || last_goal == UINT64_MAX)
		return;
	o->scav_gc_percent_goal = 0; /* armed: gc_percent_goal_now */
}

/* Go: gcPaceScavenger's gcPercentGoal: the retained-heap goal of
 * pace_scavenger, from the heap goal now; UINT64_MAX: none. */
static uint64_t gc_percent_goal_now(const struct hg_model *m)
{
	const struct hg_objects *o = m->obj;
	uint64_t phys = m->cfg.phys_page_size ? m->cfg.phys_page_size : 1;
	uint64_t goal, g;

	if (o->scav_goals_zero)
		return 0;
	if (o->scav_gc_percent_goal == UINT64_MAX)
		return UINT64_MAX;
	goal = hg_heap_goal(m);
	if (goal == UINT64_MAX)
		return UINT64_MAX;
	if (go_minor(m) >= 16)
		g = (uint64_t)((double)o->last_heap_inuse *
			       ((double)goal / (double)o->last_heap_goal));
	else
		g = goal;
	g += g / (100 / HG_RETAIN_EXTRA_PERCENT);
	g = (g + phys - 1) / phys * phys;
	if (o->scav_retained_at_gc <= g || o->scav_retained_at_gc - g < phys)
		return UINT64_MAX;
	return g;
}

/* What the background scavenger has yet to release: the retained heap
 * over its goal, or the mapped memory over the limit's goal (Go: the
 * complement of scavengerState.shouldStop). */
static uint64_t scavenge_todo(const struct hg_model *m)
{
	const struct hg_objects *o = m->obj;
	uint64_t todo = 0, retained = heap_retained(m);
	uint64_t g;

	if (m->cfg.scavenger_pace == HG_SCAV_PACE_OFF)
		return 0;
	g = gc_percent_goal_now(m);

	if (g != UINT64_MAX && retained > g)
		todo = retained - g;
	/* Go's zero memoryLimitGoal (go1.19+; go1.18 has no memory limit):
	 * all of mappedReady is over it */
	if (o->scav_goals_zero && go_minor(m) >= 19 &&
	    m->hs.mapped_ready > todo)
		todo = m->hs.mapped_ready;
	if (o->scav_memory_limit_goal != UINT64_MAX &&
	    m->hs.mapped_ready > o->scav_memory_limit_goal &&
	    m->hs.mapped_ready - o->scav_memory_limit_goal > todo)
		todo = m->hs.mapped_ready - o->scav_memory_limit_goal;
	return todo;
}

/*
 * The background scavenger at once (scavenger_pace = gc, or a trace
 * without time events): what is over its goals is released at the gc
 * (highest addresses first, as Go's scavenge index does), or, go1.19+
 * under scavenger_pace = time, at the next cycle's start
 * (hg_scavenger_gc_start).
 */
static uint64_t background_scavenge(struct hg_model *m)
{
	uint64_t todo = scavenge_todo(m);

	return todo ? hg_pagealloc_scavenge_bg(m->pages, todo) : 0;
}

/*
 * Go: bgscavenge's scavengerState.run, where a trace shows that the
 * scavenger ran (`scavenge: goal`): it releases what is over its goals
 * now (up to 1 ms of work, minScavWorkTime; the real runs release the
 * whole of it in 0.1 to 0.3 ms). The go-allocfreetrace importer gives it
 * at a record of the scavenger's own goroutine: the only allocation it
 * makes after its start is its P's timer heap, in scavengerState.sleep,
 * which it reaches only once a run released something (README "The
 * scavengers"). Nothing without the object layer (no goals).
 */
uint64_t hg_bg_scavenge_goal(struct hg_model *m)
{
	uint64_t todo;

	if (!m->obj)
		return 0;
	todo = scavenge_todo(m);
	return todo ? hg_pagealloc_scavenge_bg(m->pages, todo) : 0;
}

/*
 * The background scavenger on the trace's clock (Go: bgscavenge and
 * scavengerState.run, sleep, go1.19 and go1.26 alike). The end of the
 * sweep readies it (sweepone's scavenger.ready) and sysmon wakes it,
 * from a sleep too, at its next tick: taken one tick of its busiest pace
 * after the sweep's end, its usleep(20) plus the 50 us a Linux timer
 * sleeps past its time by default (the timer slack of prctl(2)), 70 us.
 * Sysmon's real ticks vary (it sleeps up to 10 ms when idle, and in a
 * stop-the-world until the world starts again): the Go 1.26 recordings
 * show wakes from 3 us to several ms after the sweep's end, and no wake
 * within the 5 to 20 us between a runtime.GC's sweep and the
 * ReadMemStats after it; any tick from 30 to 100 us gives the same
 * figures on them. Awake, it releases 64 KiB at a time (scavengeQuantum)
 * while there is work, for at least 1 ms of work (minScavWorkTime), then
 * sleeps that work divided by its sleep ratio, which a PI controller
 * steers to 1% of the CPU time of GOMAXPROCS (scavengePercent; start
 * 0.001, between 0.001 and 1000); with nothing to do it parks until the
 * next sweep's end. The model runs it at the trace's time events, so a
 * mark right after a gc (runtime.GC, then ReadMemStats) sees nothing of
 * that gc's release yet, as the recordings show. The time one quantum
 * takes (Go measures it) is taken as 4 us: the Go 1.26 recordings saw
 * 13 MiB released within the 1.5 ms of a runtime.GC (stacks-go126-p1,
 * wave_2_gc), at least that fast.
 */
#define HG_SCAV_QUANTUM (UINT64_C(64) << 10)
#define HG_SCAV_QUANTUM_NS 4000.0
#define HG_SCAV_MIN_WORK_NS 1e6 /* Go: minScavWorkTime */
#define HG_SCAV_SYSMON_NS 70000 /* Go: sysmon's usleep(20), + 50 us slack */
#define HG_SCAV_PERCENT 1.0     /* Go: scavengePercent */

/* Go: scavengerState.sleepController (kp 0.3375, ti 3.2e6, tt 1e9,
 * output between 0.001 and 1000) and (*piController).next. */
static double scav_controller_next(struct hg_objects *o, double input,
				   double setpoint, double period)
{
	const double kp = 0.3375, ti = 3.2e6, tt = 1e9, lo = 0.001, hi = 1000;
	double raw = kp * (setpoint - input) + o->scav_err_integral;
	double out = raw < lo ? lo : raw > hi ? hi : raw;

	o->scav_err_integral += (kp * period / ti) * (setpoint - input) +
				(period / tt) * (out - raw);
	return out;
}

/* Go: the end of scavengerState.sleep: the controller's new sleep ratio
 * from the CPU share of the last work and sleep. */
static void scav_woke(struct hg_model *m, uint64_t now)
{
	struct hg_objects *o = m->obj;
	double worked = (double)o->scav_worked;
	double slept = now > o->scav_sleep_start
			       ? (double)(now - o->scav_sleep_start)
			       : 0.0;
	unsigned procs = o->nps ? o->nps : 1;
	double frac = worked / ((slept + worked) * (double)procs);

	o->scav_sleep_ratio = scav_controller_next(
		o, frac, HG_SCAV_PERCENT / 100.0, slept + worked);
}

/* Go: scavengerState.ready at the sweep's end: sysmon wakes the
 * scavenger (also from its sleep) shortly after. */
static void scav_ready(struct hg_objects *o)
{
	o->scav_was_sleeping = o->scav_state == HG_SCAV_SLEEPING;
	o->scav_state = HG_SCAV_READY;
	o->scav_wake_at = o->now + HG_SCAV_SYSMON_NS;
}

/*
 * Go: the end of the sweep (sweepone's scavenger.ready, go1.19-1.26): an
 * imported trace's sweep is the frees that follow its gc, so the sweep is
 * taken as done at its first wbuffree (bgsweep's freeSomeWbufs, which
 * runs once its sweepone loop found no span left, that sweepone having
 * readied the scavenger) or, unless the trace frees work buffers and one
 * is live, at the first op after the gc that frees nothing but a time,
 * proc or stackalloc op (mgcsweep.c hg_sweep_end_check); the model's own
 * sweep is done
 * within the gc. Sysmon's wake 70 us later needs a clock finer than that:
 * the go-trace importer gives the time every 10 us. js/wasm has no sysmon
 * (Go: haveSysmon, proc.go): nothing acts on the ready there, so the
 * scavenger stays parked (or asleep) until the next cycle's start.
 */
void hg_scavenger_sweep_done(struct hg_model *m)
{
	struct hg_objects *o = m->obj;

	o->scav_ready_due = false;
	if (!hg_platform_is_wasm(m->cfg.platform))
		scav_ready(o);
}

/*
 * scavenger_pace = trace: the background scavenger runs when the trace
 * says its goroutine ran (bgscav events; the go-trace importer's, from
 * the GoStart, GoStop and GoBlock events of the goroutine whose blocking
 * stack is in runtime.bgscavenge). Go: bgscavenge's loop, go1.19-1.26:
 * scavengerState.run releases 64 KiB at a time (scavengeQuantum) while
 * shouldStop is false, until its work reaches 1 ms (minScavWorkTime) or
 * a quantum comes back short (nothing left the index can find); then the
 * goroutine parks (nothing released) or sleeps, and its next start after
 * that block is the next run. When it runs at all (finishsweep_m's wake,
 * sysmon's after the sweep's end, the sleep's timer, each after the wait
 * for a P) is the trace's: nothing of sysmon's ticks or of the sleep
 * controller is modeled here.
 *
 * What the trace does not record is what a release cost (Go measures it
 * with nanotime around the madvise), nor, where the trace clock stands
 * still (the tracer then steps each event by one tick), how long a run
 * really took: while the goroutine runs, the model does the releases
 * whose cost the CPU time of the run's windows so far covers, each
 * counted once it is done (scav_trace_work), what a mark read in the
 * middle of a run sees; and when the goroutine blocks (sleeps or parks)
 * its run is known to be over, so the model's run goes on to its own
 * end (its 1 ms of work, the goals met or nothing left to find). A run
 * that parks released nothing but still walked the scavenge index (find
 * lowering or clearing the background search address, setEmpty on the
 * chunks it found nothing in), which a later run's search depends on
 * (waves-go126-p2-fixedbase in tests/real). A run cut by its 1 ms of
 * work releases what the model's releases fit in it, the real one what
 * its own did.
 */
/*
 * What one release of the background scavenger (one scavengeOne, one
 * madvise) costs: HG_SCAV_QUANTUM_NS per 64 KiB of what it released (a
 * run rounded out to a huge page by findScavengeCandidate costs that
 * much more), and scavenger_shootdown_ns more when another of the
 * program's Ps runs (its M on the other CPU: the trace's running events)
 * as the pages are unmapped (scav_trace_work).
 * Go releases with sysUnused, madvise(MADV_DONTNEED) on Linux, and once
 * the kernel has unmapped resident pages it must flush them from the TLB
 * of every CPU that runs a thread of the process: an interrupt to the
 * other CPU, waited for, only when one of the program's threads runs
 * there (an idle CPU is flushed lazily). Measured on the recordings'
 * machine (tests/real/relcost/data: a Go 1.26 program timing madvise of
 * 64 KiB resident while a thread of it runs on the other CPU, three runs
 * of 400 releases): 6.4 to 7.9 us without a shootdown, 18.4 to 18.7 us
 * with one (medians), 0.8 to 1.1 us never touched (no shootdown); the
 * difference, 10.9 to 12.0 us, the middle run's taken as the default of
 * scavenger_shootdown_ns (presets.c). The scavenger's own P runs too, so
 * another runs when more than one does.
 */
static double scav_release_ns(uint64_t released)
{
	return HG_SCAV_QUANTUM_NS * (double)released / (double)HG_SCAV_QUANTUM;
}

/* Where scav_trace_work is called: the goroutine keeps its CPU, leaves
 * it (its window ends) or blocks (its run is over). */
enum scav_at { SCAV_ON_CPU, SCAV_LEAVES, SCAV_BLOCKS };

/*
 * Go: scavengerState.run's loop, in its order: while worked is under
 * minScavWorkTime and shouldStop is false, a quantum (s.scavenge: its
 * pageAlloc.scavenge releases runs through scavengeOne until a quantum's
 * bytes are released or find finds nothing), whose time, measured
 * around it, is then added to worked. Each scavengeOne finds its run,
 * holds it allocated, releases it and counts the bytes released once
 * sysUnused returned: what it cost is known only then. So the model
 * begins a release at the point its run's work has reached, if the
 * goroutine has the CPU there (the CPU time of the run's windows so
 * far), with the run it found held (hg_pagealloc_scavenge_begin), and
 * ends it, its bytes released, once that CPU time covers its cost
 * (scav_release_ns of the bytes found, the shootdown decided where the
 * pages are unmapped: on the Ps running then). The goroutine is not
 * stopped within a release (scavengeOne runs on the system stack and
 * madvise is a system call the scheduler does not see): a release that
 * its window's end would cut was not begun in that window, so its run
 * goes back free, not released, and the next window begins again there.
 * When the goroutine blocks, the run goes on to its own end.
 */
static uint64_t scav_trace_work(struct hg_model *m, enum scav_at at)
{
	struct hg_objects *o = m->obj;
	uint64_t released = 0, r;
	double cpu;

	if (!o->scav_in_run || o->scav_run_done)
		return 0;
	cpu = (double)o->scav_run_cpu;
	if (o->scav_on_cpu && o->now > o->scav_on_since)
		cpu += (double)(o->now - o->scav_on_since);
	for (;;) {
		if (o->scav_rel_bytes) {
			if (!o->scav_rel_flushed &&
			    (at == SCAV_BLOCKS ||
			     o->scav_run_worked + o->scav_rel_ns <= cpu)) {
				/* The pages unmapped, the TLB flush: a
				 * shootdown if another P runs then. */
				if (o->procs_running > 1)
					o->scav_rel_ns +=
						(double)m->cfg
							.scavenger_shootdown_ns;
				o->scav_rel_flushed = true;
			}
			if (at == SCAV_LEAVES &&
			    o->scav_run_worked + o->scav_rel_ns > cpu) {
				/* Not begun in this window: what is left of
				 * it went by without a release (Go's worked,
				 * timed around scavenge, holds it), and the
				 * next window begins the release at its own
				 * start. */
				hg_pagealloc_scavenge_cancel(m->pages);
				o->scav_rel_bytes = 0;
				o->scav_run_worked = cpu;
				break;
			}
			if (at != SCAV_BLOCKS &&
			    o->scav_run_worked + o->scav_rel_ns > cpu)
				break; /* still in sysUnused */
			hg_pagealloc_scavenge_end(m->pages);
			o->scav_run_worked += o->scav_rel_ns;
			o->scav_q_released += o->scav_rel_bytes;
			released += o->scav_rel_bytes;
			o->scav_rel_bytes = 0;
			if (o->scav_q_released >= HG_SCAV_QUANTUM)
				o->scav_in_quantum = false;
		}
		/* The next step is at the point the work has reached: the
		 * goroutine takes it only with the CPU there (not at the
		 * instant it leaves the CPU). */
		if (at != SCAV_BLOCKS &&
		    (o->scav_run_worked > cpu ||
		     (at == SCAV_LEAVES && o->scav_run_worked == cpu)))
			break;
		if (!o->scav_in_quantum) {
			if (o->scav_run_worked >= HG_SCAV_MIN_WORK_NS ||
			    scavenge_todo(m) == 0) {
				o->scav_run_done = true;
				break;
			}
			o->scav_in_quantum = true;
			o->scav_q_released = 0;
		}
		r = hg_pagealloc_scavenge_begin(
			m->pages, HG_SCAV_QUANTUM - o->scav_q_released);
		if (r == 0) {
			/* Go: the quantum comes back short: nothing left
			 * that the index can find; the run ends. */
			o->scav_in_quantum = false;
			o->scav_run_done = true;
			break;
		}
		o->scav_rel_bytes = r;
		o->scav_rel_ns = scav_release_ns(r);
		o->scav_rel_flushed = false;
	}
	return released;
}

/* A bgscav event (scavenger_pace = trace): the goroutine starts running
 * (a new run after a block), or leaves its CPU with the work its window
 * had time for done; at a block the run is over. Returns the bytes
 * released. */
uint64_t hg_bg_scavenger_window(struct hg_model *m, uint64_t state)
{
	struct hg_objects *o = m->obj;
	uint64_t released;

	if (m->cfg.scavenger_pace != HG_SCAV_PACE_TRACE)
		return 0;
	if (state == HG_BGSCAV_RUN) {
		if (!o->scav_in_run) {
			o->scav_in_run = true;
			o->scav_run_done = false;
			o->scav_run_cpu = 0;
			o->scav_run_worked = 0;
			o->scav_in_quantum = false;
		}
		if (!o->scav_on_cpu) {
			o->scav_on_cpu = true;
			o->scav_on_since = o->now;
		}
		return scav_trace_work(m, SCAV_ON_CPU);
	}
	released = scav_trace_work(m, state != HG_BGSCAV_STOP ? SCAV_BLOCKS
							      : SCAV_LEAVES);
	if (o->scav_on_cpu && o->now > o->scav_on_since)
		o->scav_run_cpu += o->now - o->scav_on_since;
	o->scav_on_cpu = false;
	if (state != HG_BGSCAV_STOP)
		o->scav_in_run = false;
	return released;
}

uint64_t hg_bg_scavenger_running(struct hg_model *m, uint64_t procs)
{
	struct hg_objects *o = m->obj;
	uint64_t released = 0;

	if (m->cfg.scavenger_pace == HG_SCAV_PACE_TRACE && o->scav_on_cpu)
		released = scav_trace_work(m, SCAV_ON_CPU);
	o->procs_running = (unsigned)procs;
	return released;
}

/* The trace's clock moved (a time event, or the gc at a cycle's start):
 * the background scavenger does what is due by now. Returns the bytes
 * released. */
uint64_t hg_bg_scavenger_tick(struct hg_model *m)
{
	struct hg_objects *o = m->obj;
	uint64_t now = o->now, released = 0;
	double worked = 0;

	if (m->cfg.scavenger_pace == HG_SCAV_PACE_TRACE)
		return o->scav_on_cpu ? scav_trace_work(m, SCAV_ON_CPU) : 0;
	if (o->scav_state == HG_SCAV_PARKED)
		return 0;
	if (o->scav_state == HG_SCAV_READY && now < o->scav_wake_at)
		return 0;
	if (o->scav_state == HG_SCAV_SLEEPING && now < o->scav_sleep_until)
		return 0;
	if (o->scav_state == HG_SCAV_SLEEPING || o->scav_was_sleeping)
		scav_woke(m, now);
	o->scav_was_sleeping = false;
	/* Go: scavengerState.run. */
	while (worked < HG_SCAV_MIN_WORK_NS && scavenge_todo(m) > 0) {
		uint64_t r =
			hg_pagealloc_scavenge_bg(m->pages, HG_SCAV_QUANTUM);

		worked += scav_release_ns(r);
		released += r;
		if (r < HG_SCAV_QUANTUM)
			break;
	}
	if (released == 0) {
		o->scav_state = HG_SCAV_PARKED;
		return 0;
	}
	/* Go: scavengerState.sleep. */
	if (worked < HG_SCAV_MIN_WORK_NS)
		worked = HG_SCAV_MIN_WORK_NS;
	if (o->scav_sleep_ratio <= 0)
		o->scav_sleep_ratio = 0.001; /* Go: startingScavSleepRatio */
	o->scav_worked = (uint64_t)worked;
	o->scav_state = HG_SCAV_SLEEPING;
	o->scav_sleep_start = now;
	o->scav_sleep_until = now + (uint64_t)(worked / o->scav_sleep_ratio);
	return released;
}

/*
 * Go: finishsweep_m's scavenger.wake at each cycle's start (go1.19-1.26):
 * the scavenger, parked or asleep, runs at once toward the goals of the
 * last cycle, through the index as the last cycle left it; the model
 * runs it when the cycle's gc comes, before the cycle's own work: a burst
 * of run on the trace's clock (scavenger_pace time).
 *
 * A trace without a clock (go1.19's allocfreetrace log) cannot tell when
 * sysmon's wake at the sweep's end lets the scavenger run: only once the
 * program blocks or a P is idle, which may be well after the next mark.
 * This wake is the one that is certain to come: the scavenger releases
 * what is over the last cycle's goals here, with the last sweep's frees
 * in, and nothing at the gc itself (hg_gc_commit). Each tracegc() dump of
 * the Go 1.19 recordings (taken at mark termination) shows the scavenger
 * as this gives it: parked after a cycle whose start found nothing over
 * the goals, asleep after one where it released, and still runnable in a
 * cycle a GOMAXPROCS=1 program's allocation started (the program went on
 * running); a runtime.GC's mark sees none of its cycle's release in
 * tree-go119-p1/p2 and waves-go119-p1, nor in most of waves-go119-p2's.
 * Returns the bytes released.
 */
uint64_t hg_scavenger_gc_start(struct hg_model *m)
{
	struct hg_objects *o = m->obj;

	if (!o)
		return 0;
	if (go_minor(m) < 19 || m->cfg.scavenger_pace != HG_SCAV_PACE_TIME) {
		/* The first cycle's start, whose wake (go1.18's finishsweep_m
		 * wakeScavenger too) finds Go's zero goals: what it can
		 * release goes, before the cycle's own gc sets goals. */
		return o->scav_goals_zero ? background_scavenge(m) : 0;
	}
	if (!o->has_time)
		return background_scavenge(m);
	o->scav_ready_due = false;
	o->scav_was_sleeping = o->scav_state == HG_SCAV_SLEEPING;
	o->scav_state = HG_SCAV_READY;
	o->scav_wake_at = o->now;
	return hg_bg_scavenger_tick(m);
}

/*
 * Go: gcMarkTermination's forEachP from go1.21 (8d68b388d4, "flush each
 * idle P's page cache at the end of each GC cycle"; go1.21 and go1.26):
 * the page cache of every idle P goes back to the page allocator, where
 * the scavenger can release it. The P that runs the cycle is not idle;
 * a trace does not say which were idle: the model takes as idle every
 * other P that no proc event chose since the last GC (one that did ran
 * goroutines in the cycle and likely still does). And the world started
 * again just before (startTheWorldWithSema) ends with wakep, which hands
 * the idle P at the head of the idle list (pidleget: the one idled last,
 * here the idle P the events ran on last) to a spinning M: that P runs
 * the flush itself, not idle, and keeps its cache. So with GOMAXPROCS=2
 * no cache is flushed at a GC. Before go1.21 no page cache is flushed at
 * a GC (go1.19's gcMarkTermination; only procresize's (*p).destroy
 * flushes one), so free pages in a P's cache stay hidden from the
 * scavenger, FreeOSMemory included (its scavengeAll flushes none in any
 * release).
 */
void hg_gc_flush_idle_pcaches(struct hg_model *m)
{
	struct hg_objects *o = m->obj;
	bool flush = m->cfg.page_cache_flush;
	unsigned woken = UINT_MAX;
	uint64_t last = 0;

	for (unsigned i = 0; i < m->npcaches; i++) {
		struct hg_p *p = o && i < o->nps ? o->ps[i] : NULL;
		uint64_t used = p ? p->last_used : 0;
		if (i != m->curp && !(p && p->busy) &&
		    (woken == UINT_MAX || used > last)) {
			woken = i;
			last = used;
		}
	}
	for (unsigned i = 0; i < m->npcaches; i++) {
		struct hg_p *p = o && i < o->nps ? o->ps[i] : NULL;
		if (flush && i != m->curp && i != woken &&
		    m->pcaches[i].base != 0 && !(p && p->busy))
			hg_pagecache_flush(&m->pcaches[i], m->pages);
	}
	for (unsigned i = 0; o && i < o->nps; i++)
		if (o->ps[i])
			o->ps[i]->busy = false;
}

/*
 * Go: gcMarkDone's heapMarked = heapLive at mark termination (the model
 * takes it once the cycle's sweep is done, every mcache flushed), then
 * commit's new goal, gcPaceScavenger, the idle Ps' page caches flushed
 * (go1.21+) and the background scavenger. Returns the bytes released.
 */
uint64_t hg_gc_commit(struct hg_model *m)
{
	struct hg_objects *o = m->obj;
	uint64_t last_goal = hg_heap_goal(m);

	o->heap_marked = o->heap_alloc;
	o->heap_live = o->heap_marked; /* Go: gcMarkTermination */
	o->last_heap_inuse = m->hs.heap_inuse;
	o->last_heap_goal = last_goal;
	pace_scavenger(m, hg_heap_goal(m), last_goal);
	hg_gc_flush_idle_pcaches(m);
	if (m->cfg.scavenger_pace == HG_SCAV_PACE_TIME && o->has_time)
		o->scav_ready_due = true; /* hg_scavenger_sweep_done */
	else if (m->cfg.scavenger_pace == HG_SCAV_PACE_GC ||
		 (m->cfg.scavenger_pace == HG_SCAV_PACE_TIME &&
		  go_minor(m) < 19))
		return background_scavenge(m);
	/* else at the next cycle's start (hg_scavenger_gc_start) */
	return 0;
}

/*
 * The scavenging when the heap grows, per release (growth: the bytes the
 * heap grew for a span, scav: the released bytes the span reused):
 *  - go1.19+ (the end of (*mheap).allocSpan): what retained would exceed
 *    the scavenger's goal once the growth is used (at most the growth),
 *    or the mapped memory the memory limit, is released before the span
 *    is used;
 *  - go1.14-1.18 ((*mheap).grow: retained + totalGrowth over scavengeGoal)
 *    and go1.13 ((*mheap).growAddSpan's scavengeIfNeededLocked over
 *    scavengeRetainedGoal): the same without the memory limit;
 *  - go1.12 ((*mheap).grow's scavengeLargest): as many bytes as the heap
 *    grew, from the free spans (the largest first in Go; highest
 *    addresses first here), less the credit an earlier release left over
 *    (scavengeCredit), what it releases beyond that kept as credit;
 *  - before go1.12 nothing (the sysmon scavenger of spans unused for 5
 *    minutes is not modeled).
 */
void hg_scavenge_on_grow(struct hg_model *m, uint64_t growth, uint64_t scav)
{
	struct hg_objects *o = m->obj;
	unsigned minor;
	uint64_t todo = 0, goal;
	bool force;

	/* The version (parsed from the settings) only for a run with
	 * objects: a span-level replay comes here at every allocation. */
	if (!o || !m->stats.object_ops || !m->cfg.scavenger ||
	    !m->cfg.scavenger_grow)
		return;
	minor = go_minor(m);
	if (minor < 12 || (growth == 0 && minor < 19))
		return;
	if (minor == 12) {
		uint64_t r;

		if (growth <= o->scav_credit) {
			o->scav_credit -= growth;
			return;
		}
		todo = growth - o->scav_credit;
		o->scav_credit = 0;
		r = hg_pagealloc_scavenge(m->pages, todo);
		if (r > todo)
			o->scav_credit = r - todo;
		return;
	}
	if (minor >= 19 && m->hs.mapped_ready > m->cfg.memory_limit)
		todo = m->hs.mapped_ready - m->cfg.memory_limit;
	/* Go: forceScavenge, only for the memory limit */
	force = todo > 0;
	goal = gc_percent_goal_now(m);
	if (goal != UINT64_MAX && growth > 0) {
		/* Go: heapRetained() + growth, the retained heap before the
		 * span is counted (span_taken added the reused released
		 * pages, scav, to it) with the new memory: the growth
		 * itself is released, not retained, until it is used. */
		uint64_t retained = heap_retained(m) - scav + growth;
		if (retained > goal) {
			uint64_t over = retained - goal;
			uint64_t t = growth < over ? growth : over;
			if (t > todo)
				todo = t;
		}
	}
	if (todo && force)
		hg_pagealloc_scavenge(m->pages, todo);
	else if (todo)
		hg_pagealloc_scavenge_bg(m->pages, todo);
}
