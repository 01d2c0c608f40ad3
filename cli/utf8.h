/*
 * utf8.h - UTF-8 validation shared by the JSON writer and reader.
 */
#ifndef HG_CLI_UTF8_H
#define HG_CLI_UTF8_H

#include <stddef.h>

/*
 * hg_utf8_len returns the length of the valid UTF-8 sequence at s (at most
 * avail bytes; a NUL also ends it), or 0 if it is not valid: overlong
 * forms, surrogates and code points above U+10FFFF are not.
 */
size_t hg_utf8_len(const unsigned char *s, size_t avail);

#endif /* HG_CLI_UTF8_H */
