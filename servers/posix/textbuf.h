/*
 * A growable text buffer, for the files procfs and sysfs generate: the
 * formatters append to it with textbuf_printf() and friends without
 * checking each call; running out of memory (or past TEXTBUF_MAX) marks
 * the buffer failed, which the one check at the end sees.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The most one generated file may hold. */
#define TEXTBUF_MAX (4u << 20)

struct textbuf {
	char *data;		/* NULL until the first byte */
	size_t len, cap;
	bool failed;		/* an append did not fit: contents cut */
};

static inline void textbuf_init(struct textbuf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

/* Frees the contents; the buffer is empty again. */
void textbuf_fini(struct textbuf *b);
/* Empties the buffer, keeping its memory and clearing the failure. */
void textbuf_reset(struct textbuf *b);
/* Appends @len bytes (NUL bytes too). */
void textbuf_put(struct textbuf *b, const void *data, size_t len);
/* Appends a NUL-terminated string. */
void textbuf_puts(struct textbuf *b, const char *s);
void textbuf_putc(struct textbuf *b, char c);
/* Appends formatted text (lib/base/fmt.h conversions). */
void textbuf_printf(struct textbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends spaces until the line being built (the bytes since the last
 * '\n') is @col bytes long; nothing if it is already. */
void textbuf_pad(struct textbuf *b, size_t col);
