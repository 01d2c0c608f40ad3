/*
 * snapshot.c - queries over the model's address space for pictures:
 * bytes of each class per address bucket.
 */
#include "hg_core.h"

#include <string.h>

struct hist_walk {
	const hg_addr *edges;
	size_t n; /* buckets */
	size_t k; /* current bucket */
	uint64_t (*out)[HG_CLASS_COUNT];
};

static int hist_run(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct hist_walk *w = arg;

	/* Runs arrive in address order, so the bucket cursor only advances. */
	while (w->k < w->n && w->edges[w->k + 1] <= base)
		w->k++;
	for (size_t k = w->k; k < w->n && w->edges[k] < end; k++) {
		hg_addr lo = base > w->edges[k] ? base : w->edges[k];
		hg_addr hi = end < w->edges[k + 1] ? end : w->edges[k + 1];
		if (hi > lo)
			w->out[k][c] += hi - lo;
	}
	return 0;
}

int hg_model_histogram(struct hg_model *m, const hg_addr *edges,
		       size_t nbuckets, uint64_t (*out)[HG_CLASS_COUNT])
{
	if (!m || !edges || (!out && nbuckets))
		return HG_EINVAL;
	for (size_t i = 0; i < nbuckets; i++)
		if (edges[i + 1] < edges[i])
			return HG_EINVAL;
	memset(out, 0, nbuckets * sizeof(*out));
	if (nbuckets == 0)
		return HG_OK;
	struct hist_walk w = { edges, nbuckets, 0, out };
	hg_model_regions(m, edges[0], edges[nbuckets], hist_run, &w);
	for (size_t i = 0; i < nbuckets; i++) {
		uint64_t held = 0;
		for (int c = 1; c < HG_CLASS_COUNT; c++)
			held += out[i][c];
		out[i][HG_CLASS_NONE] = (edges[i + 1] - edges[i]) - held;
	}
	return HG_OK;
}
