/*
 * Native runtime helpers (see rt.h).
 */
#include <stdarg.h>

#include <base/fmt.h>
#include <rt/rt.h>

void rt_thread_exit(int code)
{
	for (;;) {
		rt_syscall2(SYS_THREAD_EXIT, (uint64_t)(int64_t)code, 0);
	}
}

void rt_printf(const char *fmt, ...)
{
	char buf[SYS_LOG_MAX];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(buf)) {
		len = sizeof(buf) - 1;
	}
	rt_log_write(buf, (size_t)len);
}

void rt_abort(const char *fmt, ...)
{
	char buf[SYS_LOG_MAX];
	va_list ap;
	int len;

	len = fmt_snprintf(buf, sizeof(buf), "abort: ");
	va_start(ap, fmt);
	len += fmt_vsnprintf(buf + len, sizeof(buf) - (size_t)len, fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(buf)) {
		len = sizeof(buf) - 1;
	}
	rt_log_write(buf, (size_t)len);
	/* A fault ends every thread of the process, not just this one. */
	for (;;) {
		__asm__ volatile("ud2");
	}
}
