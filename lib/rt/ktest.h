/*
 * Reporting for in-guest test programs: one kernel-log line per case,
 * "KTEST PASS <name>" or "KTEST FAIL <name>: <why>", which the test
 * harness (tools/qemu_test.py) counts. A program returns ktest_failures()
 * from main.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Reports case @name: passed when @got == @want. */
void ktest_expect(const char *name, int64_t got, int64_t want);
/* Reports case @name: passed when @ok; @why says what went wrong. */
void ktest_check(const char *name, bool ok, const char *why);
/* Cases failed so far. */
int ktest_failures(void);
