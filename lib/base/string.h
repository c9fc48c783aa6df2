/*
 * Memory and string functions for the kernel and the native user runtime,
 * which have no libc. The standard ones keep their standard names and
 * meanings because the compiler emits calls to memcpy, memmove, memset and
 * memcmp on its own; strlcpy and strtou64 are the extras we need. Nothing
 * here allocates, sleeps or takes locks: any context may call it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <keel/error.h>

/* Copies @n bytes from @src to @dst, which must not overlap; returns @dst. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
/* Copies @n bytes from @src to @dst, which may overlap; returns @dst. */
void *memmove(void *dst, const void *src, size_t n);
/* Fills @n bytes at @dst with the byte value of @c; returns @dst. */
void *memset(void *dst, int c, size_t n);
/* Compares @n bytes as unsigned char; returns <0, 0 or >0. */
int memcmp(const void *a, const void *b, size_t n);

/* Returns the length of @s, not counting the terminating NUL. */
size_t strlen(const char *s);
/* Returns the length of @s, but reads and counts at most @max bytes. */
size_t strnlen(const char *s, size_t max);
/* Compares two strings as unsigned char; returns <0, 0 or >0. */
int strcmp(const char *a, const char *b);
/* As strcmp(), looking at no more than @n bytes of each string. */
int strncmp(const char *a, const char *b, size_t n);
/* Returns the first @c in @s (the NUL itself when @c is 0), or NULL. */
char *strchr(const char *s, int c);
/* Returns the last @c in @s (the NUL itself when @c is 0), or NULL. */
char *strrchr(const char *s, int c);
/*
 * Copies @src into the @size bytes at @dst, truncating if needed and always
 * NUL-terminating when @size > 0; returns strlen(@src), so a result >= @size
 * means the copy was truncated.
 */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);
/*
 * Parses an unsigned number at @s: decimal digits, or hexadecimal after a
 * "0x"/"0X" prefix (no sign, no spaces). With @end NULL the whole string
 * must be the number; otherwise *@end is set to the first byte after it.
 * Stores the value in *@out and returns ERR_OK; ERR_INVALID when there is
 * no digit (or, with @end NULL, trailing bytes), ERR_RANGE when the value
 * does not fit in 64 bits. *@out and *@end are left alone on failure.
 */
err_t strtou64(const char *s, const char **end, uint64_t *out);
