/*
 * test_hostoom.c - the host out of memory inside core/, the readers and
 * the replay pipeline, through the fault-injecting allocator of
 * hostoom.h (the core's own allocation calls, unchanged, redirected at
 * link time).
 * Each input (a span-level trace, object-level ones in the compact text
 * and in YAML, a Go execution trace, a glibc mtrace log) is replayed
 * once to count its
 * allocations, then once for each N = 1, 2, ... with the Nth failing.
 * Each such run must end cleanly: the replay's status is the host out of
 * memory (HG_REPLAY_EHOST, "out of host memory") at the open, the lane's
 * model or the run, or, when the code under test does without what it
 * could not get, the very figures of the run without a failure; and once
 * the replay is released, no block it was handed is still live (a leak).
 * The sanitizer build runs it too (ASan, LeakSanitizer at exit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>

#include "hg_core.h"
#include "replay.h"
#include "trace.h"

#include "hostoom.h"

/* ------------------------------------------------------------------ */
/* Inputs                                                              */
/* ------------------------------------------------------------------ */

static char tmpdir[] = "/tmp/hg_hostoom.XXXXXX";
static char spans_path[64], objects_path[64];

/* A span-level trace: spans of 8 KiB to 1 MiB allocated and freed, a
 * mark now and then. */
static void write_spans(FILE *f)
{
	unsigned i;

	fprintf(f, "heapgrow-trace 1\n");
	for (i = 0; i < 400; i++) {
		fprintf(f, "a s%u %u\n", i, 8192u << (i % 8));
		if (i >= 40 && i % 3)
			fprintf(f, "f s%u\n", i - 40);
		if (i % 100 == 99)
			fprintf(f, "m step%u\n", i);
	}
}

/* An object-level trace: objects of a few size classes and a large one,
 * a bounded live set, GC cycles. */
static void write_objects(FILE *f)
{
	static const unsigned sizes[] = { 8, 48, 112, 1024, 9000, 40000 };
	unsigned i;

	fprintf(f, "heapgrow-trace 1\n");
	for (i = 0; i < 3000; i++) {
		fprintf(f, "n o%u %u\n", i, sizes[i % 6]);
		if (i >= 500)
			fprintf(f, "d o%u\n", i - 500);
		if (i % 700 == 699)
			fprintf(f, "g\n");
		if (i % 1000 == 999)
			fprintf(f, "m step%u\n", i);
	}
}

static void write_file(char *path, size_t len, const char *name,
		       void (*fn)(FILE *))
{
	FILE *f;

	snprintf(path, len, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fn(f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	write_file(spans_path, sizeof(spans_path), "spans.hgt", write_spans);
	write_file(objects_path, sizeof(objects_path), "objects.hgt",
		   write_objects);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(spans_path);
	unlink(objects_path);
	rmdir(tmpdir);
	return 0;
}

/* ------------------------------------------------------------------ */
/* One replay                                                          */
/* ------------------------------------------------------------------ */

/* What a replay ended with. */
struct outcome {
	int status;
	char msg[600];
	uint64_t events, marks;
	struct hg_stats st;
};

/*
 * replay runs path as heapgrow replay --check would: the trace's own
 * settings, the checker after each event and at every mark, the figures
 * at every mark kept.
 */
static void replay(const char *path, struct outcome *out)
{
	struct hg_replay rp;
	struct hg_config cfg;
	const struct hg_trace_info *info;
	char err[256];

	memset(out, 0, sizeof(*out));
	hg_replay_init(&rp);
	rp.check = HG_REPLAY_CHECK_LINEAR;
	rp.record_marks = true;
	out->status = hg_replay_open(&rp, path);
	if (out->status != HG_REPLAY_OK)
		goto done;
	info = hg_replay_info(&rp);
	hg_config_init(&cfg);
	for (size_t i = 0; i < info->nconfig; i++)
		if (hg_config_set(&cfg, info->config[i].key,
				  info->config[i].value, err,
				  sizeof(err)) != HG_OK)
			fail_msg("%s: %s", path, err);
	out->status = hg_replay_add_lane(&rp, &cfg, NULL);
	if (out->status != HG_REPLAY_OK)
		goto done;
	out->status = hg_replay_run(&rp);
	if (out->status == HG_REPLAY_OK || out->status == HG_REPLAY_OOM) {
		out->st = *hg_model_stats(hg_replay_model(&rp, 0));
		out->events = out->st.events;
		out->marks = rp.lane[0].marks.n;
	}
done:
	if (out->status != HG_REPLAY_OK)
		hg_replay_message(&rp, out->msg, sizeof(out->msg));
	hg_replay_release(&rp);
}

/* The figures two runs must share when neither failed. */
static bool same_figures(const struct outcome *a, const struct outcome *b)
{
	return a->status == b->status && a->events == b->events &&
	       a->marks == b->marks &&
	       memcmp(&a->st.final, &b->st.final, sizeof(a->st.final)) == 0 &&
	       memcmp(&a->st.peak, &b->st.peak, sizeof(a->st.peak)) == 0;
}

/* BAD reports a run that did not end cleanly (the first 20) and goes on
 * with the next. */
#define BAD(...)                                                               \
	do {                                                                   \
		if (bad++ < 20)                                                \
			print_error(__VA_ARGS__), print_error("\n");           \
	} while (0)

/*
 * each_failure replays path without a failure, then with each of its
 * allocations failing in turn, and checks every run's end.
 */
static void each_failure(const char *path)
{
	struct outcome ref, o;
	uint64_t n, total, ehost = 0, absorbed = 0, bad = 0;

	hostoom_start(0);
	replay(path, &ref);
	hostoom_stop();
	if (ref.status != HG_REPLAY_OK)
		fail_msg("%s: the replay without a failure: %s", path, ref.msg);
	assert_false(hostoom.overflow);
	if (hostoom_live())
		fail_msg("%s: %zu blocks live after the replay without a "
			 "failure",
			 path, hostoom_live());
	total = hostoom.allocs;
	assert_true(total > 0);
	for (n = 1; n <= total; n++) {
		hostoom_start(n);
		replay(path, &o);
		hostoom_stop();
		if (!hostoom.fired)
			BAD("%s: allocation %llu of %llu never came", path,
			    (unsigned long long)n, (unsigned long long)total);
		if (!hostoom.overflow && hostoom_live())
			BAD("%s: allocation %llu of %llu failing: %zu "
			    "blocks live after the release (a leak)",
			    path, (unsigned long long)n,
			    (unsigned long long)total, hostoom_live());
		if (o.status == HG_REPLAY_EHOST) {
			if (strcmp(o.msg, "out of host memory") != 0)
				BAD("%s: allocation %llu of %llu "
				    "failing: the host out of memory "
				    "said as \"%s\"",
				    path, (unsigned long long)n,
				    (unsigned long long)total, o.msg);
			ehost++;
			continue;
		}
		if (!same_figures(&o, &ref))
			BAD("%s: allocation %llu of %llu failing: "
			    "status %d (%s), %llu events; without a "
			    "failure %llu",
			    path, (unsigned long long)n,
			    (unsigned long long)total, o.status, o.msg,
			    (unsigned long long)o.events,
			    (unsigned long long)ref.events);
		absorbed++;
	}
	print_message("%s: %llu allocations: %llu runs out of host memory, "
		      "%llu did without\n",
		      path, (unsigned long long)total,
		      (unsigned long long)ehost, (unsigned long long)absorbed);
	if (bad)
		fail_msg("%s: %llu of %llu runs did not end cleanly", path,
			 (unsigned long long)bad, (unsigned long long)total);
	assert_true(ehost > 0);
}

static void test_spans(void **state)
{
	(void)state;
	each_failure(spans_path);
}

static void test_objects(void **state)
{
	(void)state;
	each_failure(objects_path);
}

static void test_objects_yaml(void **state)
{
	(void)state;
	each_failure(HG_SOURCE_DIR "/traces/examples/objects.yaml");
}

static void test_gotrace(void **state)
{
	(void)state;
	each_failure(HG_SOURCE_DIR "/tests/data/gotrace/objects.trace.gz");
}

static void test_mtrace(void **state)
{
	(void)state;
	each_failure(HG_SOURCE_DIR "/tests/data/sort.mtrace.gz");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_objects_yaml),
		cmocka_unit_test(test_gotrace),
		cmocka_unit_test(test_mtrace),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
