/*
 * The kernel log: one line per message, "[seconds.micros] subsys: text",
 * written to COM1 and port 0xE9 (see arch serial.c). A file sets
 * LOG_SUBSYS before including this header and logs with LOG(...).
 * panic() prints the message, the registers when a trap frame is known,
 * and a symbolized backtrace, then stops every CPU.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct trap_frame;

/* Formats and writes one log line tagged @subsys. Any context. */
void log_msg(const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(const char *subsys, const char *fmt, va_list ap);
/* Writes formatted text as is (no timestamp): test results, banners. */
void log_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints a backtrace following the frame-pointer chain from @rbp. */
void log_backtrace(uint64_t rbp);
/* Looks @addr up in the kernel symbol table; returns the name or NULL and
 * the offset from the symbol's start. */
const char *log_symbolize(uint64_t addr, uint64_t *offset);

_Noreturn void panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* As panic(), for a CPU exception: prints the registers of @frame. */
_Noreturn void panic_frame(const struct trap_frame *frame, const char *fmt,
			   ...) __attribute__((format(printf, 2, 3)));

#define LOG(...) log_msg(LOG_SUBSYS, __VA_ARGS__)

/* Kernel invariants; a failure is a kernel bug, never a user's doing. */
#define KASSERT(cond)                                                       \
	do {                                                                \
		if (!(cond)) {                                              \
			panic("assertion failed: %s (%s:%d)", #cond,        \
			      __FILE__, __LINE__);                          \
		}                                                           \
	} while (0)
