/*
 * A very small unit-test framework for host tests (built with ASan and
 * UBSan). Each test is a function; CHECK records a failure and goes on,
 * REQUIRE records a failure and returns from the test. Every test prints one
 * line, "PASS <file>/<test>" or "FAIL <file>/<test>: <why>", which
 * tools/test_summary.py counts into the final "N passed, N failed".
 *
 *	TEST(buddy_splits) { CHECK(x == 1); }
 *	int main(void) { RUN(buddy_splits); return check_done(); }
 */
#pragma once

#include <stdio.h>
#include <string.h>

static int check_failed_now;	/* failures in the running test */
static int check_tests_failed;
static const char *check_first_why;
static char check_why_buf[256];

#define TEST(name) static void name(void)

#define CHECK_FAIL_(why)                                                    \
	do {                                                                \
		if (!check_failed_now++) {                                  \
			snprintf(check_why_buf, sizeof(check_why_buf),      \
				 "%s:%d: %s", __FILE__, __LINE__, why);     \
			check_first_why = check_why_buf;                   \
		}                                                           \
	} while (0)

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			CHECK_FAIL_(#cond);                                 \
		}                                                           \
	} while (0)

#define REQUIRE(cond)                                                       \
	do {                                                                \
		if (!(cond)) {                                              \
			CHECK_FAIL_(#cond);                                 \
			return;                                             \
		}                                                           \
	} while (0)

/* Compares two integers and shows both values when they differ. */
#define CHECK_EQ(a, b)                                                      \
	do {                                                                \
		long long check_a_ = (long long)(a);                        \
		long long check_b_ = (long long)(b);                        \
		if (check_a_ != check_b_) {                                 \
			char check_m_[160];                                 \
			snprintf(check_m_, sizeof(check_m_),                \
				 "%s == %s (%lld != %lld)", #a, #b,         \
				 check_a_, check_b_);                       \
			CHECK_FAIL_(check_m_);                              \
		}                                                           \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                  \
	do {                                                                \
		const char *check_a_ = (a);                                 \
		const char *check_b_ = (b);                                 \
		if (strcmp(check_a_, check_b_) != 0) {                      \
			char check_m_[200];                                 \
			snprintf(check_m_, sizeof(check_m_),                \
				 "%s == %s (\"%.60s\" != \"%.60s\")", #a,   \
				 #b, check_a_, check_b_);                   \
			CHECK_FAIL_(check_m_);                              \
		}                                                           \
	} while (0)

#define RUN(name)                                                           \
	do {                                                                \
		check_failed_now = 0;                                       \
		name();                                                     \
		if (check_failed_now) {                                     \
			check_tests_failed++;                               \
			printf("FAIL %s/%s: %s\n", CHECK_SUITE, #name,      \
			       check_first_why);                            \
		} else {                                                    \
			printf("PASS %s/%s\n", CHECK_SUITE, #name);         \
		}                                                           \
	} while (0)

/* Returns the exit status for main: 0 when every test passed. */
static inline int check_done(void)
{
	return check_tests_failed ? 1 : 0;
}
