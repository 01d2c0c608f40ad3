/*
 * test_idmap.c - the live-id map (core/idmap.c): random inserts, lookups
 * and removals against a plain array (each entry within a cache line),
 * keys stored inline and spilled, entries that stay in place while the
 * index grows, one long run of keys
 * with the same home (distances past the byte that holds them), runs
 * that wrap around the index's end under random inserts and removals
 * (against a plain array), and the memory per live id at a million ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg_core.h"
#include "idmap.h"

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* key_of writes key number i: short ones inline, every fifth spilled. */
static void key_of(char *buf, size_t len, unsigned i)
{
	if (i % 5 == 4)
		snprintf(buf, len, "a-rather-long-identifier-%u", i);
	else
		snprintf(buf, len, "k%u", i);
}

static void make_key(struct hg_idkey *k, const char *s)
{
	hg_idkey_of(k, s);
	assert_int_equal(k->len, strlen(s));
	assert_true(k->hash != 0);
}

struct sum {
	uint64_t n, a;
};

static void add(void *arg, const char *id, const struct hg_idval *v)
{
	struct sum *s = arg;
	char buf[64];

	/* Every value holds its key's number: the id handed out is its own. */
	key_of(buf, sizeof(buf), (unsigned)v->b);
	assert_string_equal(id, buf);
	s->n++;
	s->a += v->a;
}

static void test_random(void **state)
{
	enum { NKEYS = 20000, NOPS = 300000 };
	static uint64_t ref[NKEYS]; /* value a + 1, or 0: not live */
	struct hg_idmap m;
	uint64_t s = 42, live = 0, sum = 0;
	char buf[64];

	(void)state;
	memset(ref, 0, sizeof(ref));
	hg_idmap_init(&m);
	for (unsigned op = 0; op < NOPS; op++) {
		unsigned i = (unsigned)(rng(&s) % NKEYS);
		struct hg_idkey k;
		struct hg_idval v;

		key_of(buf, sizeof(buf), i);
		make_key(&k, buf);
		switch (rng(&s) % 3) {
		case 0: {
			struct hg_identry *e;
			int rc = hg_idmap_insert(&m, &k, &e);

			assert_int_equal(rc, ref[i] ? 0 : 1);
			/* An entry (32 bytes) never crosses a cache line. */
			assert_int_equal((uintptr_t)e % 32, 0);
			if (rc == 1) {
				v = (struct hg_idval){ op, i, i % 3 };
				hg_identry_set(e, &v);
				ref[i] = op + 1ull;
				live++;
				sum += op;
			} else {
				hg_identry_get(e, &v);
				assert_int_equal(v.a + 1, ref[i]);
			}
			break;
		}
		case 1:
			assert_int_equal(hg_idmap_take(&m, &k, &v),
					 ref[i] != 0);
			if (ref[i]) {
				assert_int_equal(v.a + 1, ref[i]);
				assert_int_equal(v.b, i);
				assert_int_equal(v.kind, i % 3);
				live--;
				sum -= v.a;
				ref[i] = 0;
			}
			break;
		default:
			assert_int_equal(hg_idmap_find(&m, &k, &v),
					 ref[i] != 0);
			if (ref[i])
				assert_int_equal(v.a + 1, ref[i]);
			break;
		}
		assert_int_equal(m.count, live);
		if (op % 50000 == 0) {
			struct sum t = { 0, 0 };

			hg_idmap_each(&m, add, &t);
			assert_int_equal(t.n, live);
			assert_int_equal(t.a, sum);
		}
	}
	/* The string forms agree with the key forms. */
	for (unsigned i = 0; i < NKEYS; i++) {
		struct hg_idval v;

		key_of(buf, sizeof(buf), i);
		assert_int_equal(hg_idmap_del(&m, buf, &v), ref[i] != 0);
	}
	assert_int_equal(m.count, 0);
	assert_int_equal(m.spilled, 0);
	hg_idmap_release(&m);
}

static void test_inline_and_spilled(void **state)
{
	/* Keys at the inline limit, one past it, the empty key, and keys
	 * that differ only after the inline bytes. */
	const char *keys[] = { "",
			       "a",
			       "abcdefghijklmn",
			       "abcdefghijklmno",
			       "abcdefghijklmnp",
			       "abcdefghijklmnopqrstuvwxyz0123456789",
			       "abcdefghijklmnopqrstuvwxyz0123456788" };
	size_t n = sizeof(keys) / sizeof(keys[0]);
	struct hg_idmap m;
	struct hg_idval v;

	(void)state;
	hg_idmap_init(&m);
	for (size_t i = 0; i < n; i++) {
		v = (struct hg_idval){ i, 2 * i, (uint32_t)i };
		assert_int_equal(hg_idmap_put(&m, keys[i], &v), 0);
	}
	for (size_t i = 0; i < n; i++) {
		struct hg_idkey k;

		make_key(&k, keys[i]);
		assert_true(hg_idmap_find(&m, &k, &v));
		assert_int_equal(v.a, i);
		assert_int_equal(v.b, 2 * i);
	}
	assert_true(hg_idmap_del(&m, keys[3], &v));
	assert_int_equal(v.a, 3);
	assert_false(hg_idmap_del(&m, keys[3], NULL));
	assert_true(hg_idmap_del(&m, keys[4], NULL));
	assert_true(hg_idmap_del(&m, keys[0], NULL));
	assert_false(hg_idmap_del(&m, "abcdefghijklm", NULL));
	assert_int_equal(m.count, n - 3);
	hg_idmap_release(&m); /* frees the spilled keys still live */
}

static void test_entries_stay(void **state)
{
	struct hg_idmap m;
	struct hg_identry *e, *e2;
	struct hg_idkey k;
	struct hg_idval v = { 7, 8, 9 };
	char buf[32];

	(void)state;
	hg_idmap_init(&m);
	make_key(&k, "first");
	assert_int_equal(hg_idmap_insert(&m, &k, &e), 1);
	/* The index grows many times over; the entry is not moved. */
	for (unsigned i = 0; i < 100000; i++) {
		snprintf(buf, sizeof(buf), "id%u", i);
		assert_int_equal(hg_idmap_put(&m, buf, &v), 0);
	}
	hg_identry_set(e, &(struct hg_idval){ 1, 2, 3 });
	assert_int_equal(hg_idmap_insert(&m, &k, &e2), 0);
	assert_ptr_equal(e, e2);
	assert_true(hg_idmap_find(&m, &k, &v));
	assert_int_equal(v.a, 1);
	assert_int_equal(v.kind, 3);
	hg_idmap_release(&m);
}

/*
 * test_one_home: 400 keys with the same home slot make one run longer
 * than a slot's distance byte holds; removing them in a random order
 * keeps every other key findable.
 */
static void test_one_home(void **state)
{
	enum { N = 400 };
	static char keys[N][16];
	struct hg_idmap m;
	uint64_t s = 7;
	unsigned n = 0, perm[N];

	(void)state;
	/* The index has 1024 slots at 400 ids: the low 10 bits are home. */
	for (unsigned i = 0; n < N; i++) {
		char buf[16];

		snprintf(buf, sizeof(buf), "c%u", i);
		if ((hg_id_hash(buf, strlen(buf)) & 1023) == 5)
			memcpy(keys[n++], buf, sizeof(buf));
	}
	hg_idmap_init(&m);
	for (unsigned i = 0; i < N; i++) {
		struct hg_idval v = { i, 0, 0 };

		assert_int_equal(hg_idmap_put(&m, keys[i], &v), 0);
		perm[i] = i;
	}
	assert_int_equal(m.cap, 1024);
	for (unsigned i = N - 1; i > 0; i--) {
		unsigned j = (unsigned)(rng(&s) % (i + 1)), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (unsigned i = 0; i < N; i++) {
		struct hg_idval v;

		assert_true(hg_idmap_del(&m, keys[perm[i]], &v));
		assert_int_equal(v.a, perm[i]);
		for (unsigned j = i + 1; j < N; j += 7) {
			struct hg_idkey k;

			make_key(&k, keys[perm[j]]);
			assert_true(hg_idmap_find(&m, &k, &v));
			assert_int_equal(v.a, perm[j]);
		}
	}
	assert_int_equal(m.count, 0);
	hg_idmap_release(&m);
}

/*
 * test_wrap: 64 keys whose homes are the last three and the first two
 * slots of a 64-slot index, inserted and removed at random (between 25
 * and 48 live, so the index keeps 64 slots) against a plain array: the
 * runs cross the index's end, and a removal shifts slots back across it.
 */
static void test_wrap(void **state)
{
	enum { N = 64, CAP = 64, LO = 25, HI = 48, OPS = 200000 };
	static char keys[N][16];
	bool live[N];
	struct hg_idmap m;
	uint64_t s = 99;
	unsigned n = 0, nlive = 0;

	(void)state;
	for (unsigned i = 0; n < N; i++) {
		char buf[16];
		unsigned h;

		snprintf(buf, sizeof(buf), "w%u", i);
		h = (unsigned)(hg_id_hash(buf, strlen(buf)) & (CAP - 1));
		if (h >= CAP - 3 || h < 2)
			memcpy(keys[n++], buf, sizeof(buf));
	}
	memset(live, 0, sizeof(live));
	hg_idmap_init(&m);
	for (unsigned op = 0; op < OPS; op++) {
		unsigned i = (unsigned)(rng(&s) % N);
		struct hg_idval v = { i, op, 1 };

		if (nlive < LO || (nlive < HI && !live[i])) {
			if (live[i])
				continue;
			assert_int_equal(hg_idmap_put(&m, keys[i], &v), 0);
			live[i] = true;
			nlive++;
		} else {
			assert_int_equal(hg_idmap_del(&m, keys[i], &v),
					 live[i]);
			if (live[i]) {
				assert_int_equal(v.a, i);
				live[i] = false;
				nlive--;
			}
		}
		if (nlive >= LO)
			assert_int_equal(m.cap, CAP);
		assert_int_equal(m.count, nlive);
		for (unsigned j = 0; j < N; j++) {
			struct hg_idkey k;

			make_key(&k, keys[j]);
			assert_int_equal(hg_idmap_find(&m, &k, &v), live[j]);
			if (live[j])
				assert_int_equal(v.a, j);
		}
	}
	hg_idmap_release(&m);
}

/* At a million live ids the map holds at most 48 bytes per id, also
 * after churn has freed and reused entries. */
static void test_bytes_per_id(void **state)
{
	enum { N = 1000000 };
	struct hg_idmap m;
	struct hg_idval v = { 1, 2, 3 };
	char buf[32];

	(void)state;
	hg_idmap_init(&m);
	for (unsigned i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "s%u", i);
		assert_int_equal(hg_idmap_put(&m, buf, &v), 0);
	}
	print_message("%zu bytes for %u ids: %.1f per id\n", hg_idmap_bytes(&m),
		      N, (double)hg_idmap_bytes(&m) / N);
	assert_true(hg_idmap_bytes(&m) <= (size_t)48 * N);
	for (unsigned i = 0; i < N; i += 2) {
		snprintf(buf, sizeof(buf), "s%u", i);
		assert_true(hg_idmap_del(&m, buf, NULL));
	}
	for (unsigned i = 0; i < N; i += 2) {
		snprintf(buf, sizeof(buf), "0xc%011x", i);
		assert_int_equal(hg_idmap_put(&m, buf, &v), 0);
	}
	assert_int_equal(m.count, N);
	assert_true(hg_idmap_bytes(&m) <= (size_t)48 * N);
	hg_idmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_inline_and_spilled),
		cmocka_unit_test(test_entries_stay),
		cmocka_unit_test(test_one_home),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_bytes_per_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
