/*
 * palette.c - one fixed colour per memory class.
 *
 * Based on the Okabe-Ito set (safe for the common colour-vision
 * deficiencies). Reserved (address space only) is a very light grey with a
 * hatch; released (Prepared) a dark bluish green: far apart in luminance,
 * so the two differ in greyscale as well as in colour.
 */
#include "render.h"

static const uint32_t class_rgb[HG_CLASS_COUNT] = {
	[HG_CLASS_NONE] = 0xffffff,
	[HG_CLASS_FOREIGN] = 0x8c8c8c,    /* grey: not the runtime's */
	[HG_CLASS_RESERVED] = 0xececec,   /* light grey + hatch */
	[HG_CLASS_RELEASED] = 0x009e73,   /* bluish green */
	[HG_CLASS_HEAP_FREE] = 0x56b4e9,  /* sky blue */
	[HG_CLASS_HEAP_INUSE] = 0x0072b2, /* blue */
	[HG_CLASS_SYS] = 0xcc79a7,        /* reddish purple */
	[HG_CLASS_SBRK_FREE] = 0xf0e442,  /* yellow */
	[HG_CLASS_UNUSED] = 0xe69f00,     /* orange */
	[HG_CLASS_STRANDED] = 0xd55e00,   /* vermillion */
};

_Static_assert(HG_CLASS_COUNT == 10, "give the new class a colour");

uint32_t hg_class_rgb(enum hg_class c)
{
	if ((int)c < 0 || c >= HG_CLASS_COUNT)
		return 0x000000;
	return class_rgb[c];
}

bool hg_class_hatched(enum hg_class c)
{
	return c == HG_CLASS_RESERVED;
}
