/*
 * Growable text buffers (textbuf.h): doubling capacity, at most
 * TEXTBUF_MAX bytes.
 */
#include "textbuf.h"

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <stdarg.h>

#include <base/fmt.h>
#include <base/string.h>

void textbuf_fini(struct textbuf *b)
{
	free(b->data);
	textbuf_init(b);
}

void textbuf_reset(struct textbuf *b)
{
	b->len = 0;
	b->failed = false;
}

/* Makes room for @more bytes; false (and the buffer failed) if it
 * cannot. */
static bool reserve(struct textbuf *b, size_t more)
{
	size_t cap;
	char *n;

	if (b->failed) {
		return false;
	}
	if (more <= b->cap - b->len) {
		return true;
	}
	if (more > TEXTBUF_MAX - b->len) {
		b->failed = true;
		return false;
	}
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < more) {
		cap *= 2;
	}
	if (cap > TEXTBUF_MAX) {
		cap = TEXTBUF_MAX;
	}
	n = realloc(b->data, cap);
	if (!n) {
		b->failed = true;
		return false;
	}
	b->data = n;
	b->cap = cap;
	return true;
}

void textbuf_put(struct textbuf *b, const void *data, size_t len)
{
	if (len == 0 || !reserve(b, len)) {
		return;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

void textbuf_puts(struct textbuf *b, const char *s)
{
	textbuf_put(b, s, strlen(s));
}

void textbuf_putc(struct textbuf *b, char c)
{
	textbuf_put(b, &c, 1);
}

static void fmt_out(void *ctx, const char *s, size_t len)
{
	textbuf_put(ctx, s, len);
}

void textbuf_printf(struct textbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(fmt_out, b, fmt, ap);
	va_end(ap);
}

void textbuf_pad(struct textbuf *b, size_t col)
{
	size_t start = b->len;

	while (start > 0 && b->data[start - 1] != '\n') {
		start--;
	}
	while (b->len - start < col && !b->failed) {
		textbuf_putc(b, ' ');
	}
}
