/*
 * In-kernel self-tests, run at boot when the command line says
 * `selftest`. A test is a function registered with SELFTEST(name); it
 * reports failures with ST_CHECK and runs in a kernel thread (so it may
 * block and start threads). Each prints one line on the console,
 * "KTEST PASS selftest/<name>" or "KTEST FAIL selftest/<name>: <why>",
 * which the test harness (tools/qemu_test.py) counts.
 */
#pragma once

#include <stdbool.h>

struct selftest_ctx {
	bool failed;
	char why[160];
};

struct selftest {
	const char *name;
	void (*fn)(struct selftest_ctx *ctx);
};

/* The section holds pointers (8 bytes, never padded by the compiler, as a
 * larger struct could be) to the descriptors. */
#define SELFTEST(id)                                                        \
	static void selftest_fn_##id(struct selftest_ctx *ctx);             \
	static const struct selftest selftest_##id = { #id,                 \
						       selftest_fn_##id };  \
	static const struct selftest *const selftest_ptr_##id               \
		__attribute__((section(".selftests"), used)) =              \
			&selftest_##id;                                     \
	static void selftest_fn_##id(struct selftest_ctx *ctx)

/* Records a failure (the first one's text is reported) and goes on. */
void selftest_fail(struct selftest_ctx *ctx, const char *file, int line,
		   const char *what);

#define ST_CHECK(cond)                                                      \
	do {                                                                \
		if (!(cond)) {                                              \
			selftest_fail(ctx, __FILE__, __LINE__, #cond);      \
		}                                                           \
	} while (0)

/* Runs every registered test; returns the number that failed. */
unsigned selftest_run_all(void);
/* Reports a result computed elsewhere (user-program checks). */
void selftest_report(const char *name, bool ok, const char *why);
