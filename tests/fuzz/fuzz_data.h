/*
 * fuzz_data.h — reading typed values from a fuzzer's input, the way LLVM's
 * FuzzedDataProvider does: bytes are taken from the front, and an exhausted
 * input reads as zeros, so every input decodes to something.
 *
 * Header-only (static functions) so that each harness stays one file.
 */
#ifndef TAKT_FUZZ_DATA_H
#define TAKT_FUZZ_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fuzz_data {
	const uint8_t	*p;
	size_t		 left;
};

/* Starts reading data. */
static inline void
fuzz_data_init(struct fuzz_data *fd, const uint8_t *data, size_t size)
{
	fd->p = data;
	fd->left = size;
}

/* Takes one byte, or 0 when the input is used up. */
static inline uint8_t
fuzz_data_byte(struct fuzz_data *fd)
{
	if (fd->left == 0)
		return (0);
	fd->left--;
	return (*fd->p++);
}

/* Takes n bytes (n <= 8) as a little-endian unsigned number. */
static inline uint64_t
fuzz_data_uint(struct fuzz_data *fd, int n)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)fuzz_data_byte(fd) << (8 * i);
	return (v);
}

/* A number in [lo, hi], from as few bytes as the range needs. */
static inline int64_t
fuzz_data_range(struct fuzz_data *fd, int64_t lo, int64_t hi)
{
	uint64_t	span = (uint64_t)hi - (uint64_t)lo, v;
	int		n = 0;

	if (hi <= lo)
		return (lo);
	while (n < 8 && (span >> (8 * n)) != 0)
		n++;
	v = fuzz_data_uint(fd, n);
	if (span != UINT64_MAX)
		v %= span + 1;
	return ((int64_t)((uint64_t)lo + v));
}

/* True or false from one byte. */
static inline int
fuzz_data_bool(struct fuzz_data *fd)
{
	return (fuzz_data_byte(fd) & 1);
}

/*
 * Takes a length byte and that many bytes (at most max) as a new
 * NUL-terminated string; NULs inside are kept out by ending the string
 * there. Any other byte, including invalid UTF-8, is passed on as it is.
 */
static inline char *
fuzz_data_string(struct fuzz_data *fd, size_t max)
{
	size_t	 n = fuzz_data_byte(fd), i;
	char	*s;

	if (n > max)
		n = max;
	if (n > fd->left)
		n = fd->left;
	if ((s = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++)
		s[i] = (char)fuzz_data_byte(fd);
	s[n] = '\0';
	return (s);
}

/* Takes exactly n bytes (fewer if the input runs out) as a new string. */
static inline char *
fuzz_data_bytes(struct fuzz_data *fd, size_t n)
{
	size_t	 i;
	char	*s;

	if (n > fd->left)
		n = fd->left;
	if ((s = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++)
		s[i] = (char)fuzz_data_byte(fd);
	s[n] = '\0';
	return (s);
}

#endif
