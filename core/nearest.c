/*
 * nearest.c - "did you mean": the candidate nearest to a mistyped word by
 * edit distance (insertions, deletions, substitutions and swaps of two
 * neighbouring characters each count 1), for the messages about unknown
 * commands, options, config keys and marks (README "Terminal habits").
 */
#include <string.h>

#include "hg_core.h"

#define NEAREST_MAX 255 /* longer words are never suggested */

void hg_nearest_init(struct hg_nearest *n, const char *word)
{
	memset(n, 0, sizeof(*n));
	n->word = word ? word : "";
	n->dist = (unsigned)-1;
}

/* distance is the optimal-string-alignment distance of a and b. */
static unsigned distance(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned rows[3][NEAREST_MAX + 1];
	unsigned *pp = rows[0], *p = rows[1], *c = rows[2];

	for (size_t j = 0; j <= lb; j++)
		p[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		c[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned d = p[j] + 1;
			if (c[j - 1] + 1 < d)
				d = c[j - 1] + 1;
			if (p[j - 1] + cost < d)
				d = p[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < d)
				d = pp[j - 2] + 1;
			c[j] = d;
		}
		unsigned *t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[lb];
}

void hg_nearest_try(struct hg_nearest *n, const char *cand)
{
	size_t lw = strlen(n->word), lc = cand ? strlen(cand) : 0;

	if (!cand || !lw || lw > NEAREST_MAX || lc > NEAREST_MAX ||
	    strcmp(cand, n->word) == 0)
		return;
	/* Close enough to be a slip: a third of the word, at least one. */
	unsigned limit = lw < 6 ? 1 : (unsigned)(lw / 3);
	size_t diff = lw > lc ? lw - lc : lc - lw;
	if (diff > limit)
		return;
	unsigned d = distance(n->word, lw, cand, lc);
	if (d > limit || d >= n->dist)
		return;
	n->dist = d;
	memcpy(n->best, cand, lc + 1);
}

const char *hg_nearest_best(const struct hg_nearest *n)
{
	return n->best[0] ? n->best : NULL;
}
