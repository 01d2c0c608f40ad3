/*
 * sizeclasses.c - the size-class tables of each modeled release
 * (Go: runtime/sizeclasses.go, and before go1.8 the table that msize.go's
 * initSizes computed at start-up), and the per-model size-to-class lookup.
 *
 * Between go1.4 and go1.26 the table changed twice:
 *   go1.4-1.7   67 classes, as initSizes computed them (msize.c, msize.go)
 *   go1.8-1.15  67 classes, each grown to the largest size that keeps its
 *               page count and object count (14e5951166), now a static
 *               table (7ba36f4adb)
 *   go1.16-1.26 68 classes: a 24-byte class was added (14c7caae50); the
 *               table moved to internal/runtime/gc in go1.25 unchanged
 */
#include "mspan.h"

/* go1.4-1.7 (Go: initSizes in msize.go; msize.c in go1.4). */
static const uint16_t size_go14[] = {
	0,     8,     16,    32,    48,    64,    80,    96,    112,   128,
	144,   160,   176,   192,   208,   224,   240,   256,   288,   320,
	352,   384,   416,   448,   480,   512,   576,   640,   704,   768,
	896,   1024,  1152,  1280,  1408,  1536,  1664,  2048,  2304,  2560,
	2816,  3072,  3328,  4096,  4608,  5376,  6144,  6400,  6656,  6912,
	8192,  8448,  8704,  9472,  10496, 12288, 13568, 14080, 16384, 16640,
	17664, 20480, 21248, 24576, 24832, 28416, 32768,
};
/* go1.8-1.15 (Go: class_to_size in sizeclasses.go). */
static const uint16_t size_go18[] = {
	0,     8,     16,    32,    48,    64,    80,    96,    112,   128,
	144,   160,   176,   192,   208,   224,   240,   256,   288,   320,
	352,   384,   416,   448,   480,   512,   576,   640,   704,   768,
	896,   1024,  1152,  1280,  1408,  1536,  1792,  2048,  2304,  2688,
	3072,  3200,  3456,  4096,  4864,  5376,  6144,  6528,  6784,  6912,
	8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384, 18432,
	19072, 20480, 21760, 24576, 27264, 28672, 32768,
};
/* go1.4-1.15: the page counts did not change with the sizes. */
static const uint8_t npages_go14[] = {
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 2, 1, 3, 2,  3, 1, 3, 2,
	3, 4, 5, 6, 1, 7, 6, 5, 4, 3, 5, 7, 2, 9, 7, 5, 8, 3, 10, 7, 4,
};
/* go1.16-1.26 (Go: class_to_size; gc.SizeClassToSize from go1.25). */
static const uint16_t size_go116[] = {
	0,     8,     16,    24,    32,    48,    64,    80,    96,    112,
	128,   144,   160,   176,   192,   208,   224,   240,   256,   288,
	320,   352,   384,   416,   448,   480,   512,   576,   640,   704,
	768,   896,   1024,  1152,  1280,  1408,  1536,  1792,  2048,  2304,
	2688,  3072,  3200,  3456,  4096,  4864,  5376,  6144,  6528,  6784,
	6912,  8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384,
	18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
};
static const uint8_t npages_go116[] = {
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 2, 1, 3, 2,  3, 1, 3,
	2, 3, 4, 5, 6, 1, 7, 6, 5, 4, 3, 5, 7, 2, 9, 7, 5, 8, 3, 10, 7, 4,
};

#define NCLASSES(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

static const struct hg_sizeclasses tables[] = {
	{ "go1.4", NCLASSES(size_go14), size_go14, npages_go14 },
	{ "go1.8", NCLASSES(size_go18), size_go18, npages_go14 },
	{ "go1.16", NCLASSES(size_go116), size_go116, npages_go116 },
};

const struct hg_sizeclasses *hg_sizeclasses_for(unsigned go_minor)
{
	if (go_minor >= 16)
		return &tables[2];
	if (go_minor >= 8)
		return &tables[1];
	return &tables[0];
}

/*
 * Go: the size_to_class8 and size_to_class128 arrays (computed by
 * initSizes before go1.8, generated since): sizes up to 1024 in steps of
 * 8, larger ones in steps of 128.
 */
void hg_sizeclass_lookup_init(struct hg_sizeclass_lookup *l,
			      const struct hg_sizeclasses *t)
{
	l->t = t;
	unsigned next = 0, c;
	for (c = 1; c < t->nclasses; c++) {
		for (; next < 1024 && next <= t->size[c]; next += 8)
			l->to_class8[next / 8] = (uint8_t)c;
		if (next >= 1024)
			for (; next <= t->size[c]; next += 128)
				l->to_class128[(next - 1024) / 128] =
					(uint8_t)c;
	}
}

/* Go: the size-class computation of mallocgc; size <= HG_MAX_SMALL_SIZE. */
unsigned hg_size_to_class(const struct hg_sizeclass_lookup *l, uint64_t size)
{
	if (size <= 1024 - 8)
		return l->to_class8[(size + 7) / 8];
	return l->to_class128[(size - 1024 + 127) / 128];
}
