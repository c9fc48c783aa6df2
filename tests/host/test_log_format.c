/*
 * Tests of kernel/generic/log/log_format.c: the timestamp columns, the
 * subsystem prefix, exactly one newline at the end, and truncation that
 * keeps the newline and the NUL in buffers of every size.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include <log/log_format.h>

#include "check.h"

static size_t line(char *buf, size_t size, uint64_t ns, const char *subsys,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static size_t line(char *buf, size_t size, uint64_t ns, const char *subsys,
		   const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = log_format_line(buf, size, ns, subsys, fmt, ap);
	va_end(ap);
	return n;
}

TEST(timestamp_columns)
{
	char buf[128];

	CHECK_EQ(line(buf, sizeof(buf), 12345678901ull, "pmm", "hello"), 26);
	CHECK_STR_EQ(buf, "[   12.345678] pmm: hello\n");
	line(buf, sizeof(buf), 0, "boot", "x");
	CHECK_STR_EQ(buf, "[    0.000000] boot: x\n");
	line(buf, sizeof(buf), 999, "a", "sub-microsecond");
	CHECK_STR_EQ(buf, "[    0.000000] a: sub-microsecond\n");
	line(buf, sizeof(buf), 1000, "a", "one us");
	CHECK_STR_EQ(buf, "[    0.000001] a: one us\n");
	line(buf, sizeof(buf), 99999999999999ull, "a", "x");
	CHECK_STR_EQ(buf, "[99999.999999] a: x\n");
	/* Past 99999 s the seconds simply get wider. */
	line(buf, sizeof(buf), 123456000000000ull, "a", "x");
	CHECK_STR_EQ(buf, "[123456.000000] a: x\n");
	line(buf, sizeof(buf), UINT64_MAX, "a", "x");
	CHECK_STR_EQ(buf, "[18446744073.709551] a: x\n");
}

TEST(message_formatting_and_prefix)
{
	char buf[128];

	line(buf, sizeof(buf), 1000000000, "sched", "%u cpus, %s", 4u, "ok");
	CHECK_STR_EQ(buf, "[    1.000000] sched: 4 cpus, ok\n");
	line(buf, sizeof(buf), 1000000000, NULL, "no subsystem");
	CHECK_STR_EQ(buf, "[    1.000000] no subsystem\n");
	line(buf, sizeof(buf), 1000000000, "", "empty subsystem");
	CHECK_STR_EQ(buf, "[    1.000000] empty subsystem\n");
	line(buf, sizeof(buf), 1000000000, "x", "%s", "");
	CHECK_STR_EQ(buf, "[    1.000000] x: \n");
}

TEST(one_newline_only)
{
	char buf[128];

	line(buf, sizeof(buf), 0, "a", "has one\n");
	CHECK_STR_EQ(buf, "[    0.000000] a: has one\n");
	line(buf, sizeof(buf), 0, "a", "%s", "from an argument\n");
	CHECK_STR_EQ(buf, "[    0.000000] a: from an argument\n");
	line(buf, sizeof(buf), 0, "a", "two\n\n");
	CHECK_STR_EQ(buf, "[    0.000000] a: two\n\n");
	line(buf, sizeof(buf), 0, "a", "inner\nline");
	CHECK_STR_EQ(buf, "[    0.000000] a: inner\nline\n");
}

TEST(truncation_keeps_newline_and_nul)
{
	const char *full = "[    3.000000] net: 0123456789abcdef\n";
	size_t full_len = strlen(full);

	for (size_t size = 1; size <= full_len + 4; size++) {
		char *buf = malloc(size);	/* exact: ASan checks bounds */
		size_t n;

		REQUIRE(buf);
		n = line(buf, size, 3000000000ull, "net", "0123456789%s",
			 "abcdef");
		CHECK_EQ(n, size - 1 < full_len ? size - 1 : full_len);
		CHECK_EQ(buf[n], '\0');
		CHECK_EQ(strlen(buf), n);
		if (n > 0) {
			CHECK_EQ(buf[n - 1], '\n');
			CHECK(strncmp(buf, full, n - 1) == 0);
		}
		free(buf);
	}
}

TEST(zero_size_writes_nothing)
{
	char buf[4] = "zzz";

	CHECK_EQ(line(buf, 0, 0, "a", "b"), 0);
	CHECK_STR_EQ(buf, "zzz");
	CHECK_EQ(line(NULL, 0, 0, "a", "b"), 0);
}

TEST(long_message_is_cut_to_the_buffer)
{
	static char big[2000];
	char buf[512];
	size_t n;

	memset(big, 'm', sizeof(big) - 1);
	n = line(buf, sizeof(buf), 0, "log", "%s", big);
	CHECK_EQ(n, sizeof(buf) - 1);
	CHECK_EQ(buf[n - 1], '\n');
	CHECK_EQ(buf[n - 2], 'm');
	CHECK_EQ(buf[n], '\0');
}

int main(void)
{
	RUN(timestamp_columns);
	RUN(message_formatting_and_prefix);
	RUN(one_newline_only);
	RUN(truncation_keeps_newline_and_nul);
	RUN(zero_size_writes_nothing);
	RUN(long_message_is_cut_to_the_buffer);
	return check_done();
}
