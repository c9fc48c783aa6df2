/*
 * Memory and string functions (see string.h). The mem* loops move eight
 * bytes at a time through an unaligned, aliasing word type, which x86_64
 * reads and writes at full speed, and finish byte by byte. Each loop hides
 * its cursor from the optimiser with an empty asm, because GCC and Clang
 * otherwise recognise a copy or fill loop and turn it into a call to
 * memcpy or memset: here, that call would be to the function itself.
 *
 * In the guest (kernel and our programs, x86_64), memcpy and memset use
 * the string instructions instead (rep movsq / stosq, then the tail):
 * one instruction per eight bytes rather than a five-instruction loop,
 * and what the CPU's microcode does fastest for large sizes. The host
 * tests build the C loops (HOST_TEST), under the sanitizers.
 */
#include <base/string.h>

typedef uint64_t string_word __attribute__((aligned(1), may_alias));

#define STRING_WORD sizeof(string_word)

/* Makes @p opaque to loop-idiom recognition; generates no code. */
#define STRING_OPAQUE(p) __asm__("" : "+r"(p))

/* Copies low to high: safe for overlap when @d is below @s. */
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	for (; n >= STRING_WORD; n -= STRING_WORD) {
		STRING_OPAQUE(d);
		*(string_word *)d = *(const string_word *)s;
		d += STRING_WORD;
		s += STRING_WORD;
	}
	for (; n > 0; n--) {
		STRING_OPAQUE(d);
		*d++ = *s++;
	}
}

/* Copies high to low: safe for overlap when @d is above @s. */
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	for (; n >= STRING_WORD; n -= STRING_WORD) {
		d -= STRING_WORD;
		s -= STRING_WORD;
		STRING_OPAQUE(d);
		*(string_word *)d = *(const string_word *)s;
	}
	for (; n > 0; n--) {
		STRING_OPAQUE(d);
		*--d = *--s;
	}
}

#if defined(__x86_64__) && !defined(HOST_TEST)
#define STRING_REP 1
#endif

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
#ifdef STRING_REP
	void *d = dst;

	__asm__ volatile("rep movsq\n\t"
			 "movl %k3, %%ecx\n\t"
			 "rep movsb"
			 : "+D"(d), "+S"(src), "=&c"(n)
			 : "r"((uint32_t)n & 7), "2"(n >> 3)
			 : "memory");
#else
	copy_forward(dst, src, n);
#endif
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst;
	uintptr_t s = (uintptr_t)src;

	/* A forward copy only goes wrong when @dst starts inside @src. */
	if (d - s >= n) {
		copy_forward(dst, src, n);
	} else {
		copy_backward(dst, src, n);
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t pattern = (unsigned char)c * 0x0101010101010101ull;

#ifdef STRING_REP
	__asm__ volatile("rep stosq\n\t"
			 "movl %k3, %%ecx\n\t"
			 "rep stosb"
			 : "+D"(d), "=&c"(n)
			 : "a"(pattern), "r"((uint32_t)n & 7), "1"(n >> 3)
			 : "memory");
#else
	for (; n >= STRING_WORD; n -= STRING_WORD) {
		STRING_OPAQUE(d);
		*(string_word *)d = pattern;
		d += STRING_WORD;
	}
	for (; n > 0; n--) {
		STRING_OPAQUE(d);
		*d++ = (unsigned char)c;
	}
#endif
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a;
	const unsigned char *q = b;

	/* Skip equal words; the byte loop then finds the first difference. */
	while (n >= STRING_WORD &&
	       *(const string_word *)p == *(const string_word *)q) {
		STRING_OPAQUE(p);
		p += STRING_WORD;
		q += STRING_WORD;
		n -= STRING_WORD;
	}
	for (; n > 0; n--, p++, q++) {
		STRING_OPAQUE(p);
		if (*p != *q) {
			return *p - *q;
		}
	}
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p) {
		STRING_OPAQUE(p);
		p++;
	}
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n]) {
		STRING_OPAQUE(s);
		n++;
	}
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n > 0; n--, p++, q++) {
		if (*p != *q || !*p) {
			return *p - *q;
		}
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c) {
			return (char *)(uintptr_t)s;
		}
		if (!*s) {
			return NULL;
		}
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c) {
			last = s;
		}
		if (!*s) {
			return (char *)(uintptr_t)last;
		}
	}
}

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* Returns the value of @c as a digit in @base, or -1. */
static int digit_value(char c, unsigned base)
{
	int v;

	if (c >= '0' && c <= '9') {
		v = c - '0';
	} else if (c >= 'a' && c <= 'f') {
		v = c - 'a' + 10;
	} else if (c >= 'A' && c <= 'F') {
		v = c - 'A' + 10;
	} else {
		return -1;
	}
	return v < (int)base ? v : -1;
}

err_t strtou64(const char *s, const char **end, uint64_t *out)
{
	unsigned base = 10;
	uint64_t value = 0;
	const char *p = s;
	int d;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (digit_value(*p, base) < 0) {
		return ERR_INVALID;
	}
	for (; (d = digit_value(*p, base)) >= 0; p++) {
		if (value > (UINT64_MAX - (uint64_t)d) / base) {
			return ERR_RANGE;
		}
		value = value * base + (uint64_t)d;
	}
	if (end) {
		*end = p;
	} else if (*p) {
		return ERR_INVALID;
	}
	*out = value;
	return ERR_OK;
}
