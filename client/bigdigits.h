/*
 * bigdigits.h — a five-row block font for the console's countdown.
 */
#ifndef BIGDIGITS_H
#define BIGDIGITS_H

#include <stddef.h>

#define BIGDIGITS_ROWS	5

size_t	bigdigits_width(const char *, int);
char	*bigdigits_row(const char *, int, int, char *, size_t);

#endif
