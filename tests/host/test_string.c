/*
 * Tests of lib/base/string.c. The file is included here with every symbol
 * renamed (memcpy becomes base_memcpy, ...), so that it can sit next to
 * libc's versions, which serve as the reference. Buffers carry guard bytes
 * around the destination, and ASan catches reads past a source.
 */
#define memcpy base_memcpy
#define memmove base_memmove
#define memset base_memset
#define memcmp base_memcmp
#define strlen base_strlen
#define strnlen base_strnlen
#define strcmp base_strcmp
#define strncmp base_strncmp
#define strchr base_strchr
#define strrchr base_strrchr
#define strlcpy base_strlcpy
#define strtou64 base_strtou64
#include <base/string.c>
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strlcpy
#undef strtou64

#include <stdlib.h>

#include "check.h"

#define BUF 512
#define GUARD 0xa5

static unsigned char src_buf[BUF];
static unsigned char dst_buf[BUF];
static unsigned char ref_buf[BUF];

static void fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 3));
	}
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

TEST(memcpy_lengths_and_alignments)
{
	fill_pattern(src_buf, BUF, 1);
	for (size_t len = 0; len <= 200; len++) {
		for (size_t so = 0; so < 16; so++) {
			for (size_t d = 0; d < 16; d++) {
				void *r;

				memset(dst_buf, GUARD, BUF);
				memset(ref_buf, GUARD, BUF);
				memcpy(ref_buf + 32 + d, src_buf + so, len);
				r = base_memcpy(dst_buf + 32 + d, src_buf + so,
						len);
				REQUIRE(r == dst_buf + 32 + d);
				REQUIRE(memcmp(dst_buf, ref_buf, BUF) == 0);
			}
		}
	}
}

TEST(memcpy_exact_heap_buffers)
{
	/* Exactly sized: ASan flags any byte read or written beyond. */
	for (size_t len = 0; len <= 80; len++) {
		unsigned char *s = malloc(len + 1);
		unsigned char *d = malloc(len + 1);

		REQUIRE(s && d);
		fill_pattern(s + 1, len, 3);
		base_memcpy(d + 1, s + 1, len);
		CHECK(memcmp(d + 1, s + 1, len) == 0);
		free(s);
		free(d);
	}
}

TEST(memmove_overlap_both_directions)
{
	for (size_t len = 0; len <= 140; len++) {
		for (size_t so = 0; so < 40; so++) {
			for (size_t d = 0; d < 40; d++) {
				fill_pattern(dst_buf, BUF, (unsigned)len);
				memcpy(ref_buf, dst_buf, BUF);
				memmove(ref_buf + 64 + d, ref_buf + 64 + so,
					len);
				REQUIRE(base_memmove(dst_buf + 64 + d,
						     dst_buf + 64 + so, len) ==
					dst_buf + 64 + d);
				REQUIRE(memcmp(dst_buf, ref_buf, BUF) == 0);
			}
		}
	}
}

TEST(memmove_disjoint_and_same)
{
	fill_pattern(src_buf, BUF, 9);
	memset(dst_buf, 0, BUF);
	base_memmove(dst_buf, src_buf, 300);
	CHECK(memcmp(dst_buf, src_buf, 300) == 0);
	CHECK_EQ(dst_buf[300], 0);
	base_memmove(dst_buf + 5, dst_buf + 5, 100);
	CHECK(memcmp(dst_buf, src_buf, 300) == 0);
	/* Overlap by one byte, the worst case for word copies. */
	fill_pattern(dst_buf, BUF, 4);
	memcpy(ref_buf, dst_buf, BUF);
	base_memmove(dst_buf + 1, dst_buf, 100);
	memmove(ref_buf + 1, ref_buf, 100);
	CHECK(memcmp(dst_buf, ref_buf, BUF) == 0);
	base_memmove(dst_buf, dst_buf + 1, 100);
	memmove(ref_buf, ref_buf + 1, 100);
	CHECK(memcmp(dst_buf, ref_buf, BUF) == 0);
}

TEST(memset_values_lengths_alignments)
{
	static const int values[] = { 0, 1, 0x5a, 0x80, 0xff, 0x1ab, -1 };

	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (size_t len = 0; len <= 130; len++) {
			for (size_t d = 0; d < 16; d++) {
				memset(dst_buf, GUARD, BUF);
				memset(ref_buf, GUARD, BUF);
				memset(ref_buf + 16 + d, values[v], len);
				REQUIRE(base_memset(dst_buf + 16 + d, values[v],
						    len) == dst_buf + 16 + d);
				REQUIRE(memcmp(dst_buf, ref_buf, BUF) == 0);
			}
		}
	}
}

TEST(memcmp_finds_first_difference)
{
	for (size_t len = 0; len <= 80; len++) {
		for (size_t at = 0; at < len; at++) {
			fill_pattern(src_buf + 3, len, 5);
			memcpy(dst_buf + 1, src_buf + 3, len);
			REQUIRE(base_memcmp(dst_buf + 1, src_buf + 3, len) ==
				0);
			dst_buf[1 + at] ^= 0x40;
			/* A later difference must not change the answer. */
			if (at + 1 < len) {
				dst_buf[1 + len - 1] ^= 0x01;
			}
			REQUIRE(sign(base_memcmp(dst_buf + 1, src_buf + 3,
						 len)) ==
				sign(memcmp(dst_buf + 1, src_buf + 3, len)));
			REQUIRE(base_memcmp(dst_buf + 1, src_buf + 3, at) == 0);
		}
	}
}

TEST(memcmp_is_unsigned)
{
	unsigned char a[9] = { 0 };
	unsigned char b[9] = { 0 };

	a[8] = 0x80;
	b[8] = 0x01;
	CHECK(base_memcmp(a, b, 9) > 0);
	CHECK(base_memcmp(b, a, 9) < 0);
	a[0] = 0xff;
	CHECK(base_memcmp(a, b, 9) > 0);
	CHECK(base_memcmp(a, b, 0) == 0);
}

TEST(strlen_and_strnlen)
{
	char *buf = malloc(100);

	REQUIRE(buf);
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len + off < 99; len++) {
			memset(buf, 'x', 100);
			buf[off + len] = '\0';
			REQUIRE(base_strlen(buf + off) == len);
			REQUIRE(base_strnlen(buf + off, 200) == len);
			REQUIRE(base_strnlen(buf + off, len) == len);
			if (len > 0) {
				REQUIRE(base_strnlen(buf + off, len - 1) ==
					len - 1);
			}
		}
	}
	free(buf);
}

TEST(strnlen_reads_no_further_than_max)
{
	char *buf = malloc(5);	/* no NUL: ASan stops a sixth read */

	REQUIRE(buf);
	memcpy(buf, "abcde", 5);
	CHECK_EQ(base_strnlen(buf, 5), 5);
	CHECK_EQ(base_strnlen(buf, 3), 3);
	CHECK_EQ(base_strnlen(buf, 0), 0);
	free(buf);
}

TEST(strcmp_and_strncmp)
{
	CHECK(base_strcmp("", "") == 0);
	CHECK(base_strcmp("abc", "abc") == 0);
	CHECK(base_strcmp("abc", "abd") < 0);
	CHECK(base_strcmp("abd", "abc") > 0);
	CHECK(base_strcmp("ab", "abc") < 0);
	CHECK(base_strcmp("abc", "ab") > 0);
	CHECK(base_strcmp("\xe9", "a") > 0);	/* unsigned */
	CHECK(base_strncmp("abcX", "abcY", 3) == 0);
	CHECK(base_strncmp("abcX", "abcY", 4) < 0);
	CHECK(base_strncmp("abc", "abd", 0) == 0);
	CHECK(base_strncmp("ab", "abc", 5) < 0);
	CHECK(base_strncmp("abc", "abc", 100) == 0);
	CHECK(base_strncmp("\x80", "\x7f", 1) > 0);
}

TEST(strchr_and_strrchr)
{
	const char *s = "a/b/c\xe9";

	CHECK(base_strchr(s, '/') == s + 1);
	CHECK(base_strrchr(s, '/') == s + 3);
	CHECK(base_strchr(s, 'a') == s);
	CHECK(base_strrchr(s, 'a') == s);
	CHECK(base_strchr(s, 'z') == NULL);
	CHECK(base_strrchr(s, 'z') == NULL);
	CHECK(base_strchr(s, '\0') == s + 6);
	CHECK(base_strrchr(s, '\0') == s + 6);
	CHECK(base_strchr(s, 0xe9) == s + 5);
	CHECK(base_strchr(s, (char)0xe9) == s + 5);
	CHECK(base_strrchr("", 'a') == NULL);
	/* @c is converted to char, as the standard says. */
	CHECK(base_strchr(s, 'b' + 256) == s + 2);
}

TEST(strlcpy_truncates_and_terminates)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(base_strlcpy(buf, "hello", 0), 5);
	CHECK_EQ(buf[0], 'Z');
	CHECK_EQ(base_strlcpy(buf, "hello", 1), 5);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(base_strlcpy(buf, "hello", 6), 5);
	CHECK_STR_EQ(buf, "hello");
	CHECK_EQ(base_strlcpy(buf, "hello", 5), 5);
	CHECK_STR_EQ(buf, "hell");
	CHECK_EQ(base_strlcpy(buf, "much too long", sizeof(buf)), 13);
	CHECK_STR_EQ(buf, "much to");
	CHECK_EQ(base_strlcpy(buf, "", sizeof(buf)), 0);
	CHECK_STR_EQ(buf, "");
}

TEST(strtou64_accepts)
{
	uint64_t v = 1;
	const char *end;

	CHECK_EQ(base_strtou64("0", NULL, &v), ERR_OK);
	CHECK_EQ(v, 0);
	CHECK_EQ(base_strtou64("123", NULL, &v), ERR_OK);
	CHECK_EQ(v, 123);
	CHECK_EQ(base_strtou64("007", NULL, &v), ERR_OK);	/* not octal */
	CHECK_EQ(v, 7);
	CHECK_EQ(base_strtou64("18446744073709551615", NULL, &v), ERR_OK);
	CHECK(v == UINT64_MAX);
	CHECK_EQ(base_strtou64("0xffffffffffffffff", NULL, &v), ERR_OK);
	CHECK(v == UINT64_MAX);
	CHECK_EQ(base_strtou64("0X1F", NULL, &v), ERR_OK);
	CHECK_EQ(v, 31);
	CHECK_EQ(base_strtou64("0xAbC", NULL, &v), ERR_OK);
	CHECK_EQ(v, 0xabc);
	CHECK_EQ(base_strtou64("0x00000000000000000001", NULL, &v), ERR_OK);
	CHECK_EQ(v, 1);
	CHECK_EQ(base_strtou64("42 rest", &end, &v), ERR_OK);
	CHECK_EQ(v, 42);
	CHECK_STR_EQ(end, " rest");
	CHECK_EQ(base_strtou64("0x10g", &end, &v), ERR_OK);
	CHECK_EQ(v, 16);
	CHECK_STR_EQ(end, "g");
	CHECK_EQ(base_strtou64("12abc", &end, &v), ERR_OK);	/* decimal */
	CHECK_EQ(v, 12);
	CHECK_STR_EQ(end, "abc");
}

TEST(strtou64_rejects)
{
	uint64_t v = 77;
	const char *end = "untouched";

	CHECK_EQ(base_strtou64("", NULL, &v), ERR_INVALID);
	CHECK_EQ(base_strtou64("0x", NULL, &v), ERR_INVALID);
	CHECK_EQ(base_strtou64("0xg", &end, &v), ERR_INVALID);
	CHECK_EQ(base_strtou64("-1", NULL, &v), ERR_INVALID);
	CHECK_EQ(base_strtou64("+1", NULL, &v), ERR_INVALID);
	CHECK_EQ(base_strtou64(" 1", NULL, &v), ERR_INVALID);
	CHECK_EQ(base_strtou64("1 ", NULL, &v), ERR_INVALID);
	CHECK_EQ(base_strtou64("12a", NULL, &v), ERR_INVALID);
	CHECK_EQ(base_strtou64("18446744073709551616", NULL, &v), ERR_RANGE);
	CHECK_EQ(base_strtou64("99999999999999999999", NULL, &v), ERR_RANGE);
	CHECK_EQ(base_strtou64("0x10000000000000000", NULL, &v), ERR_RANGE);
	CHECK_EQ(base_strtou64("184467440737095516150", &end, &v), ERR_RANGE);
	CHECK_EQ(v, 77);
	CHECK_STR_EQ(end, "untouched");
}

int main(void)
{
	RUN(memcpy_lengths_and_alignments);
	RUN(memcpy_exact_heap_buffers);
	RUN(memmove_overlap_both_directions);
	RUN(memmove_disjoint_and_same);
	RUN(memset_values_lengths_alignments);
	RUN(memcmp_finds_first_difference);
	RUN(memcmp_is_unsigned);
	RUN(strlen_and_strnlen);
	RUN(strnlen_reads_no_further_than_max);
	RUN(strcmp_and_strncmp);
	RUN(strchr_and_strrchr);
	RUN(strlcpy_truncates_and_terminates);
	RUN(strtou64_accepts);
	RUN(strtou64_rejects);
	return check_done();
}
