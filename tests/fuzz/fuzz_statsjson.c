/*
 * fuzz_statsjson.c - libFuzzer target for heapgrow diff's readers: the
 * bytes are read as a stats file (cli/jsonread.c) and their first line as
 * a --fail-if condition (cli/gate.c), which is then evaluated on the file
 * against itself. Every error must have a message and a position, and a
 * condition on a file against itself can never see a change. The bytes
 * are also read by hg_jread_numbers (fractions too), which must read
 * whatever hg_jread reads, and fail with a position otherwise.
 */
#include "gate.h"
#include "jsonread.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_jvalue v;
	struct hg_jerror err;
	struct hg_gate g;
	struct hg_gate_result res;
	char expr[256], msg[400];
	size_t n = 0;
	unsigned col;
	bool bad_new;
	int json_ok;

	json_ok = hg_jread((const char *)data, size, &v, &err) == 0;
	if (!json_ok && (!err.msg[0] || !err.line || !err.col))
		abort();
	{
		struct hg_jvalue w;
		struct hg_jerror werr;

		if (hg_jread_numbers((const char *)data, size, &w, &werr) ==
		    0) {
			if (json_ok &&
			    (w.type != v.type || w.nmembers != v.nmembers))
				abort();
			hg_jfree(&w);
		} else if (json_ok || !werr.msg[0] || !werr.line || !werr.col) {
			abort();
		}
	}
	while (n < size && n + 1 < sizeof(expr) && data[n] != '\n' &&
	       data[n] != '\0') {
		expr[n] = (char)data[n];
		n++;
	}
	expr[n] = '\0';
	if (hg_gate_parse(expr, &g, &col, msg, sizeof(msg)) != 0) {
		if (!msg[0] || col == 0 || col > n + 1)
			abort();
	} else if (json_ok) {
		if (hg_gate_eval(&g, &v, &v, &res, &bad_new, msg,
				 sizeof(msg)) == 0) {
			/* Nothing changes between a file and itself. */
			if (res.holds && (g.op == HG_GATE_CHANGES ||
					  g.op == HG_GATE_INCREASES ||
					  g.op == HG_GATE_DECREASES))
				abort();
		} else if (!msg[0]) {
			abort();
		}
	}
	if (json_ok)
		hg_jfree(&v);
	return 0;
}
