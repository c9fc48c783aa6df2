/*
 * Log line formatting (see log_format.h). The header and the message go
 * through fmt_vformat() into the buffer, keeping the last byte for the NUL;
 * the newline is then appended, or written over the last byte when the
 * line filled the buffer.
 */
#include <base/fmt.h>
#include <log/log_format.h>

#define LOG_NS_PER_US 1000ull
#define LOG_US_PER_S 1000000ull

struct log_buffer {
	char *buf;
	size_t cap;	/* bytes usable for text: size - 1 */
	size_t len;	/* bytes stored, <= cap */
};

static void log_buffer_out(void *ctx, const char *s, size_t len)
{
	struct log_buffer *b = ctx;

	for (size_t i = 0; i < len && b->len < b->cap; i++) {
		b->buf[b->len++] = s[i];
	}
}

/* Appends to @b what @fmt makes of its arguments. */
static void put(struct log_buffer *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct log_buffer *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(log_buffer_out, b, fmt, ap);
	va_end(ap);
}

size_t log_format_line(char *buf, size_t size, uint64_t ns_since_boot,
		       const char *subsys, const char *fmt, va_list ap)
{
	uint64_t us = ns_since_boot / LOG_NS_PER_US;
	struct log_buffer b = { buf, size > 0 ? size - 1 : 0, 0 };

	if (size == 0) {
		return 0;
	}
	put(&b, "[%5llu.%06llu] ", (unsigned long long)(us / LOG_US_PER_S),
	    (unsigned long long)(us % LOG_US_PER_S));
	if (subsys && *subsys) {
		put(&b, "%s: ", subsys);
	}
	fmt_vformat(log_buffer_out, &b, fmt, ap);
	if (b.len == 0 || buf[b.len - 1] != '\n') {
		if (b.len < b.cap) {
			b.len++;
		}
		if (b.len > 0) {
			buf[b.len - 1] = '\n';
		}
	}
	buf[b.len] = '\0';
	return b.len;
}
