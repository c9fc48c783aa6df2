/*
 * Tests of lib/base/fmt.c. Where C defines the result, glibc's snprintf is
 * the reference: every combination of the defined flags, widths,
 * precisions and length modifiers is compared over edge values. Then the
 * parts that are ours: truncation, the output function, "(null)",
 * unknown conversions, the padding cap.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include <base/fmt.h>

#include "check.h"

/* Compares fmt_snprintf() and snprintf() on the same arguments. */
#define SAME(...)                                                           \
	do {                                                                \
		char ours_[512];                                            \
		char libc_[512];                                            \
		int ro_ = fmt_snprintf(ours_, sizeof(ours_), __VA_ARGS__);  \
		int rl_ = snprintf(libc_, sizeof(libc_), __VA_ARGS__);      \
		CHECK_EQ(ro_, rl_);                                         \
		CHECK_STR_EQ(ours_, libc_);                                 \
	} while (0)

static unsigned mismatches;

/* Formats @f with one argument both ways; counts and shows differences. */
#define COMPARE_ONE(f, v)                                                   \
	do {                                                                \
		char ours_[256];                                            \
		char libc_[256];                                            \
		int ro_ = fmt_snprintf(ours_, sizeof(ours_), f, v);         \
		int rl_ = snprintf(libc_, sizeof(libc_), f, v);             \
		if (ro_ != rl_ || strcmp(ours_, libc_) != 0) {              \
			if (mismatches++ < 5) {                             \
				printf("  '%s': ours '%s' (%d) libc "       \
				       "'%s' (%d)\n",                       \
				       f, ours_, ro_, libc_, rl_);          \
			}                                                   \
		}                                                           \
	} while (0)

/* Builds "%<flags><width>.<prec><len><conv>" into @out. */
static void make_format(char *out, size_t size, const char *flags, int width,
			int prec, const char *len, char conv)
{
	char w[16] = "";
	char p[16] = "";

	if (width >= 0) {
		snprintf(w, sizeof(w), "%d", width);
	}
	if (prec >= 0) {
		snprintf(p, sizeof(p), ".%d", prec);
	}
	snprintf(out, size, "%%%s%s%s%s%c", flags, w, p, len, conv);
}

static const char *const int_flags[] = {
	"", "-", "0", "+", " ", "-+", "0+", "0 ", "- ", "-0", "+ ", "-0+ ",
};
static const char *const uint_flags[] = { "", "-", "0", "-0" };
static const char *const hex_flags[] = { "", "-", "0", "#", "#0", "-#" };
static const int widths[] = { -1, 0, 1, 2, 5, 12, 25 };
static const int precs[] = { -1, 0, 1, 3, 10, 24 };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t",
				       "j" };

/* Compares "%<flags><width>.<prec><len><conv>" of @x, passed as the type
 * the length modifier names. */
static void compare_integer(const char *flags, int width, int prec,
			   const char *len, char conv, unsigned long long x)
{
	bool sgn = conv == 'd' || conv == 'i';
	char f[64];

	make_format(f, sizeof(f), flags, width, prec, len, conv);
	if (!strcmp(len, "l") && sgn) {
		COMPARE_ONE(f, (long)x);
	} else if (!strcmp(len, "l")) {
		COMPARE_ONE(f, (unsigned long)x);
	} else if (!strcmp(len, "ll") && sgn) {
		COMPARE_ONE(f, (long long)x);
	} else if (!strcmp(len, "ll")) {
		COMPARE_ONE(f, x);
	} else if (!strcmp(len, "z") && sgn) {
		COMPARE_ONE(f, (ssize_t)x);
	} else if (!strcmp(len, "z")) {
		COMPARE_ONE(f, (size_t)x);
	} else if (!strcmp(len, "t") && sgn) {
		COMPARE_ONE(f, (ptrdiff_t)x);
	} else if (!strcmp(len, "t")) {
		return;	/* no standard unsigned ptrdiff_t type to pass */
	} else if (!strcmp(len, "j") && sgn) {
		COMPARE_ONE(f, (intmax_t)x);
	} else if (!strcmp(len, "j")) {
		COMPARE_ONE(f, (uintmax_t)x);
	} else if (sgn) {
		COMPARE_ONE(f, (int)x);	/* hh, h: promoted to int */
	} else {
		COMPARE_ONE(f, (unsigned)x);
	}
}

/* Runs compare_integer() over every flag set, width, precision, length
 * and value given. */
static void compare_all(const char *const *flags, size_t nflags, char conv,
			const unsigned long long *values, size_t nvalues)
{
	for (size_t fl = 0; fl < nflags; fl++) {
		for (size_t w = 0; w < N(widths); w++) {
			for (size_t p = 0; p < N(precs); p++) {
				for (size_t l = 0; l < N(lengths); l++) {
					for (size_t v = 0; v < nvalues; v++) {
						compare_integer(flags[fl],
								widths[w],
								precs[p],
								lengths[l],
								conv,
								values[v]);
					}
				}
			}
		}
	}
}

TEST(signed_conversions_match_libc)
{
	static const unsigned long long values[] = {
		0, 1, (unsigned long long)-1, 7, (unsigned long long)-42,
		123456789, INT_MAX, (unsigned long long)INT_MIN, LLONG_MAX,
		(unsigned long long)LLONG_MIN, (unsigned long long)SCHAR_MIN,
		SHRT_MAX, 1000000,
	};

	mismatches = 0;
	compare_all(int_flags, N(int_flags), 'd', values, N(values));
	compare_all(int_flags, N(int_flags), 'i', values, N(values));
	CHECK_EQ(mismatches, 0);
}

TEST(unsigned_conversions_match_libc)
{
	static const unsigned long long values[] = {
		0, 1, 7, 8, 15, 16, 255, 256, 0xdeadbeef, UINT_MAX,
		0x8000000000000000ull, ULLONG_MAX, 01234567,
	};

	mismatches = 0;
	compare_all(uint_flags, N(uint_flags), 'u', values, N(values));
	compare_all(hex_flags, N(hex_flags), 'x', values, N(values));
	compare_all(hex_flags, N(hex_flags), 'X', values, N(values));
	compare_all(hex_flags, N(hex_flags), 'o', values, N(values));
	CHECK_EQ(mismatches, 0);
}

TEST(strings_and_chars_match_libc)
{
	static const char *const strs[] = { "", "a", "hello", "hello world!" };
	static const char *const flags[] = { "", "-" };
	char f[64];

	mismatches = 0;
	for (size_t fl = 0; fl < N(flags); fl++) {
		for (size_t w = 0; w < N(widths); w++) {
			for (size_t p = 0; p < N(precs); p++) {
				make_format(f, sizeof(f), flags[fl], widths[w],
					    precs[p], "", 's');
				for (size_t s = 0; s < N(strs); s++) {
					COMPARE_ONE(f, strs[s]);
				}
			}
			make_format(f, sizeof(f), flags[fl], widths[w], -1, "",
				    'c');
			COMPARE_ONE(f, 'x');
			COMPARE_ONE(f, 0x141);	/* converted to unsigned char */
		}
	}
	CHECK_EQ(mismatches, 0);
}

/* Flags C defines as ignored ('0' with '-' or a precision) are tested. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"

TEST(mixed_formats_match_libc)
{
	int x = 5;

	SAME("plain text");
	SAME("");
	SAME("100%%");
	SAME("%d%s%c|%5.2x|%-6u|", -3, "mid", '!', 10u, 7u);
	SAME("%*d|%-*d|%.*d", 6, 42, 6, 42, 4, 42);
	SAME("%*d|", -6, 42);	/* negative width: left-justified */
	SAME("%.*d|%.*s|", -1, 42, -3, "abc"); /* negative: no precision */
	SAME("%*.*s|", 8, 2, "abcdef");
	SAME("%p %p", (void *)&x, (void *)0x1000);
	SAME("%20p|%-20p|", (void *)0xabcdef, (void *)0xabcdef);
	SAME("%p", (void *)NULL);
	SAME("%hhu %hhd %hu %hd", 257u, 255, 65537u, 65535);
	SAME("%zu %zd %zx", SIZE_MAX, (ssize_t)-1, (size_t)0xfeed);
	SAME("%td %jd %ju", (ptrdiff_t)-7, INTMAX_MIN, UINTMAX_MAX);
	SAME("%lld %llu %llo %llX", LLONG_MIN, ULLONG_MAX, ULLONG_MAX,
	     ULLONG_MAX);
	SAME("%#o %#.0o %#x %#.0x %.0d %+.0d % .0d|", 0u, 0u, 0u, 0u, 0, 0, 0);
	SAME("%#5o|%#-8x|%#010x|%#X", 8u, 255u, 255u, 0xabcu);
	SAME("%010d|%-010d|%010.3d|%+010d|% 010d", -42, -42, -42, 42, 42);
}

#pragma GCC diagnostic pop

/* Collects output pieces to check what reaches the output function. */
struct collect {
	char text[256];
	size_t len;
	unsigned calls;
	unsigned empty_calls;
};

static void collect_out(void *ctx, const char *s, size_t len)
{
	struct collect *c = ctx;

	c->calls++;
	c->empty_calls += len == 0;
	if (c->len + len < sizeof(c->text)) {
		memcpy(c->text + c->len, s, len);
		c->len += len;
		c->text[c->len] = '\0';
	}
}

TEST(vformat_passes_every_byte_to_out)
{
	struct collect c = { .len = 0 };
	int n = fmt_format(collect_out, &c, "a%05db%sc%-3cd", 42, "xyz", 'q');

	CHECK_EQ(n, 15);
	CHECK_EQ(c.len, 15);
	CHECK_STR_EQ(c.text, "a00042bxyzcq  d");
	CHECK(c.calls > 1);
	CHECK_EQ(c.empty_calls, 0);
}

TEST(snprintf_truncates_and_terminates)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	CHECK_STR_EQ(buf, "0123456");
	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(fmt_snprintf(buf, 1, "%d", 12345), 5);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(buf[1], 'Z');
	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(fmt_snprintf(buf, 0, "%d", 12345), 5);
	CHECK_EQ(buf[0], 'Z');
	CHECK_EQ(fmt_snprintf(NULL, 0, "%s-%d", "ab", 7), 4);
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "1234567"), 7);
	CHECK_STR_EQ(buf, "1234567");
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "12345678"), 8);
	CHECK_STR_EQ(buf, "1234567");
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "%s", ""), 0);
	CHECK_STR_EQ(buf, "");
}

TEST(snprintf_exact_buffers_under_asan)
{
	/* Exactly sized heap buffers: one byte too far and ASan aborts. */
	for (size_t size = 1; size <= 24; size++) {
		char *buf = malloc(size);
		int n;

		REQUIRE(buf);
		n = fmt_snprintf(buf, size, "%-10s|%08x", "abc", 0xbeefu);
		CHECK_EQ(n, 19);
		CHECK_EQ(strlen(buf), size - 1 < 19 ? size - 1 : 19);
		CHECK(strncmp(buf, "abc       |0000beef", size - 1) == 0);
		free(buf);
	}
}

TEST(null_string_and_bounded_strings)
{
	char buf[64];
	char *raw = malloc(4);	/* not NUL-terminated */
	const char *volatile null = NULL;	/* hidden from -Wformat */

	REQUIRE(raw);
	memcpy(raw, "abcd", 4);
	fmt_snprintf(buf, sizeof(buf), "[%s]", null);
	CHECK_STR_EQ(buf, "[(null)]");
	fmt_snprintf(buf, sizeof(buf), "[%8s]", null);
	CHECK_STR_EQ(buf, "[  (null)]");
	/* %.*s must read no more than the precision allows. */
	fmt_snprintf(buf, sizeof(buf), "[%.*s]", 4, raw);
	CHECK_STR_EQ(buf, "[abcd]");
	fmt_snprintf(buf, sizeof(buf), "[%.2s]", raw);
	CHECK_STR_EQ(buf, "[ab]");
	free(raw);
}

/* The next tests feed deliberately bad formats. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif

TEST(unknown_and_unfinished_conversions_print_as_written)
{
	char buf[64];

	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "a%yb"), 4);
	CHECK_STR_EQ(buf, "a%yb");
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "a%-5.2qb%d", 3), 9);
	CHECK_STR_EQ(buf, "a%-5.2qb3");
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "end%"), 4);
	CHECK_STR_EQ(buf, "end%");
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "end%-08l"), 8);
	CHECK_STR_EQ(buf, "end%-08l");
	/* %n would write through an argument: never supported. */
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "x%ny"), 4);
	CHECK_STR_EQ(buf, "x%ny");
}

TEST(padding_is_capped)
{
	static char buf[3 * FMT_MAX_PAD];
	int n;

	n = fmt_snprintf(buf, sizeof(buf), "%99999999999999999999d|", 1);
	CHECK_EQ(n, FMT_MAX_PAD + 1);
	CHECK_EQ(buf[FMT_MAX_PAD - 1], '1');
	CHECK_EQ(buf[0], ' ');
	n = fmt_snprintf(buf, sizeof(buf), "%*d|", INT_MIN, 1);
	CHECK_EQ(n, FMT_MAX_PAD + 1);
	CHECK_EQ(buf[0], '1');
	n = fmt_snprintf(buf, sizeof(buf), "%.*x", INT_MAX, 0xau);
	CHECK_EQ(n, FMT_MAX_PAD);
	CHECK_EQ(buf[FMT_MAX_PAD - 1], 'a');
	CHECK_EQ(buf[0], '0');
}

#pragma GCC diagnostic pop

TEST(large_string_precision_is_not_capped)
{
	static char src[FMT_MAX_PAD * 2];
	static char buf[FMT_MAX_PAD * 3];

	memset(src, 'q', sizeof(src));
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "%.*s", (int)sizeof(src), src),
		 (int)sizeof(src));
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "%.8192s", src), 8192);
	CHECK_EQ(strlen(buf), sizeof(src));
}

int main(void)
{
	RUN(signed_conversions_match_libc);
	RUN(unsigned_conversions_match_libc);
	RUN(strings_and_chars_match_libc);
	RUN(mixed_formats_match_libc);
	RUN(vformat_passes_every_byte_to_out);
	RUN(snprintf_truncates_and_terminates);
	RUN(snprintf_exact_buffers_under_asan);
	RUN(null_string_and_bounded_strings);
	RUN(unknown_and_unfinished_conversions_print_as_written);
	RUN(padding_is_capped);
	RUN(large_string_precision_is_not_capped);
	return check_done();
}
