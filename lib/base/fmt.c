/*
 * printf-style formatting (see fmt.h). fmt_vformat() walks the format
 * once: literal text goes out in runs, each conversion is parsed into a
 * struct fmt_spec, its argument fetched according to the length modifier,
 * and the result emitted as padding, sign or prefix, zeros and digits. The
 * byte count is kept in a size_t and only capped to INT_MAX at the end.
 * fmt_vsnprintf() is fmt_vformat() with an output function that fills a
 * buffer and counts what did not fit.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <base/fmt.h>
#include <base/string.h>

enum {
	FMT_LEFT = 1 << 0,	/* '-' */
	FMT_ZERO = 1 << 1,	/* '0' */
	FMT_PLUS = 1 << 2,	/* '+' */
	FMT_SPACE = 1 << 3,	/* ' ' */
	FMT_ALT = 1 << 4,	/* '#' */
};

enum fmt_length {
	FMT_LEN_NONE,
	FMT_LEN_HH,
	FMT_LEN_H,
	FMT_LEN_L,
	FMT_LEN_LL,
	FMT_LEN_Z,
	FMT_LEN_T,
	FMT_LEN_J,
};

struct fmt_spec {
	unsigned flags;
	int width;		/* 0 when absent */
	int precision;		/* -1 when absent */
	enum fmt_length length;
	char conv;
};

struct fmt_state {
	fmt_out_fn out;
	void *ctx;
	size_t count;
};

static void emit(struct fmt_state *st, const char *s, size_t len)
{
	if (len > 0) {
		st->out(st->ctx, s, len);
		st->count += len;
	}
}

/* Emits @n copies of @c (a space or '0'). */
static void pad(struct fmt_state *st, char c, size_t n)
{
	static const char spaces[] = "                                ";
	static const char zeros[] = "00000000000000000000000000000000";
	const char *run = c == '0' ? zeros : spaces;

	while (n > 0) {
		size_t chunk = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		emit(st, run, chunk);
		n -= chunk;
	}
}

/* Emits @len bytes of @s padded with spaces to the spec's width. */
static void emit_padded(struct fmt_state *st, const struct fmt_spec *sp,
			const char *s, size_t len)
{
	size_t fill = (size_t)sp->width > len ? (size_t)sp->width - len : 0;

	if (!(sp->flags & FMT_LEFT)) {
		pad(st, ' ', fill);
	}
	emit(st, s, len);
	if (sp->flags & FMT_LEFT) {
		pad(st, ' ', fill);
	}
}

/* Emits an integer of magnitude @mag, negative if @neg, per the spec. */
static void emit_integer(struct fmt_state *st, const struct fmt_spec *sp,
			 uint64_t mag, bool neg)
{
	const char *set = sp->conv == 'X' ? "0123456789ABCDEF"
					  : "0123456789abcdef";
	unsigned base = 10;
	char digits[24];	/* 22 octal digits for 2^64 - 1 */
	size_t nd = 0;
	char prefix[2];
	size_t np = 0;
	size_t zeros;
	size_t total;
	size_t fill;

	if (sp->conv == 'o') {
		base = 8;
	} else if (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') {
		base = 16;
	}
	for (; mag > 0; mag /= base) {
		digits[sizeof(digits) - ++nd] = set[mag % base];
	}

	if (neg) {
		prefix[np++] = '-';
	} else if (sp->conv == 'd' || sp->conv == 'i') {
		if (sp->flags & FMT_PLUS) {
			prefix[np++] = '+';
		} else if (sp->flags & FMT_SPACE) {
			prefix[np++] = ' ';
		}
	}
	if (base == 16 && nd > 0 &&
	    ((sp->flags & FMT_ALT) || sp->conv == 'p')) {
		prefix[np++] = '0';
		prefix[np++] = sp->conv == 'X' ? 'X' : 'x';
	}

	/* Precision is the minimum digit count; without one it is 1. */
	if (sp->precision >= 0) {
		size_t prec = sp->precision < FMT_MAX_PAD
				      ? (size_t)sp->precision
				      : FMT_MAX_PAD;

		zeros = prec > nd ? prec - nd : 0;
	} else {
		zeros = nd == 0 ? 1 : 0;
	}
	/* '#' with 'o' makes sure the first digit printed is a 0. */
	if (base == 8 && (sp->flags & FMT_ALT) && zeros == 0) {
		zeros = 1;
	}

	total = np + zeros + nd;
	fill = (size_t)sp->width > total ? (size_t)sp->width - total : 0;
	if (sp->flags & FMT_LEFT) {
		emit(st, prefix, np);
		pad(st, '0', zeros);
		emit(st, digits + sizeof(digits) - nd, nd);
		pad(st, ' ', fill);
	} else if ((sp->flags & FMT_ZERO) && sp->precision < 0) {
		emit(st, prefix, np);
		pad(st, '0', zeros + fill);
		emit(st, digits + sizeof(digits) - nd, nd);
	} else {
		pad(st, ' ', fill);
		emit(st, prefix, np);
		pad(st, '0', zeros);
		emit(st, digits + sizeof(digits) - nd, nd);
	}
}

/* Fetches a signed argument of the spec's length, widened. */
static int64_t fetch_signed(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->length) {
	case FMT_LEN_HH:
		return (signed char)va_arg(*ap, int);
	case FMT_LEN_H:
		return (short)va_arg(*ap, int);
	case FMT_LEN_L:
		return va_arg(*ap, long);
	case FMT_LEN_LL:
		return va_arg(*ap, long long);
	case FMT_LEN_Z:
	case FMT_LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J:
		return va_arg(*ap, intmax_t);
	case FMT_LEN_NONE:
		break;
	}
	return va_arg(*ap, int);
}

/* Fetches an unsigned argument of the spec's length, widened. */
static uint64_t fetch_unsigned(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->length) {
	case FMT_LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case FMT_LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case FMT_LEN_L:
		return va_arg(*ap, unsigned long);
	case FMT_LEN_LL:
		return va_arg(*ap, unsigned long long);
	case FMT_LEN_Z:
	case FMT_LEN_T:
		return va_arg(*ap, size_t);
	case FMT_LEN_J:
		return va_arg(*ap, uintmax_t);
	case FMT_LEN_NONE:
		break;
	}
	return va_arg(*ap, unsigned int);
}

/* Parses a decimal number at *@p, saturating at INT_MAX. */
static int parse_number(const char **p)
{
	int n = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++) {
		int d = **p - '0';

		n = n > (INT_MAX - d) / 10 ? INT_MAX : n * 10 + d;
	}
	return n;
}

/*
 * Parses the conversion after a '%' at *@p into @sp, taking `*` widths and
 * precisions from @ap; leaves *@p after the conversion character. Returns
 * false when the format ends before one.
 */
static bool parse_spec(const char **p, struct fmt_spec *sp, va_list *ap)
{
	const char *f = *p;

	sp->flags = 0;
	sp->width = 0;
	sp->precision = -1;
	sp->length = FMT_LEN_NONE;
	for (;; f++) {
		if (*f == '-') {
			sp->flags |= FMT_LEFT;
		} else if (*f == '0') {
			sp->flags |= FMT_ZERO;
		} else if (*f == '+') {
			sp->flags |= FMT_PLUS;
		} else if (*f == ' ') {
			sp->flags |= FMT_SPACE;
		} else if (*f == '#') {
			sp->flags |= FMT_ALT;
		} else {
			break;
		}
	}
	if (*f == '*') {
		int w = va_arg(*ap, int);

		f++;
		/* A negative width is a '-' flag and a positive width. */
		if (w < 0) {
			sp->flags |= FMT_LEFT;
			w = w == INT_MIN ? INT_MAX : -w;
		}
		sp->width = w;
	} else {
		sp->width = parse_number(&f);
	}
	if (sp->width > FMT_MAX_PAD) {
		sp->width = FMT_MAX_PAD;
	}
	if (*f == '.') {
		f++;
		if (*f == '*') {
			int prec = va_arg(*ap, int);

			f++;
			sp->precision = prec < 0 ? -1 : prec;
		} else {
			sp->precision = parse_number(&f);
		}
	}
	switch (*f) {
	case 'h':
		f++;
		sp->length = FMT_LEN_H;
		if (*f == 'h') {
			f++;
			sp->length = FMT_LEN_HH;
		}
		break;
	case 'l':
		f++;
		sp->length = FMT_LEN_L;
		if (*f == 'l') {
			f++;
			sp->length = FMT_LEN_LL;
		}
		break;
	case 'z':
		f++;
		sp->length = FMT_LEN_Z;
		break;
	case 't':
		f++;
		sp->length = FMT_LEN_T;
		break;
	case 'j':
		f++;
		sp->length = FMT_LEN_J;
		break;
	default:
		break;
	}
	if (!*f) {
		*p = f;
		return false;
	}
	sp->conv = *f++;
	*p = f;
	return true;
}

/* Formats one parsed conversion; false if @sp->conv is unknown. */
static bool convert(struct fmt_state *st, struct fmt_spec *sp, va_list *ap)
{
	switch (sp->conv) {
	case 'd':
	case 'i': {
		int64_t v = fetch_signed(sp, ap);

		emit_integer(st, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
		return true;
	}
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		emit_integer(st, sp, fetch_unsigned(sp, ap), false);
		return true;
	case 'p': {
		const void *ptr = va_arg(*ap, const void *);

		if (!ptr) {
			emit_padded(st, sp, "(nil)", 5);
			return true;
		}
		emit_integer(st, sp, (uintptr_t)ptr, false);
		return true;
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);

		emit_padded(st, sp, &c, 1);
		return true;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);
		size_t max = sp->precision >= 0 ? (size_t)sp->precision
						: SIZE_MAX;

		if (!s) {
			s = "(null)";
		}
		emit_padded(st, sp, s, strnlen(s, max));
		return true;
	}
	case '%':
		emit(st, "%", 1);
		return true;
	default:
		return false;
	}
}

int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_state st = { out, ctx, 0 };
	struct fmt_spec sp;
	va_list args;
	const char *p = fmt;

	va_copy(args, ap);
	while (*p) {
		const char *start = p;
		bool complete;

		while (*p && *p != '%') {
			p++;
		}
		emit(&st, start, (size_t)(p - start));
		if (!*p) {
			break;
		}
		start = p++;
		complete = parse_spec(&p, &sp, &args);
		/* Unknown or unfinished: print the text as written. */
		if (!complete || !convert(&st, &sp, &args)) {
			emit(&st, start, (size_t)(p - start));
		}
	}
	va_end(args);
	return st.count > INT_MAX ? INT_MAX : (int)st.count;
}

int fmt_format(fmt_out_fn out, void *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(out, ctx, fmt, ap);
	va_end(ap);
	return n;
}

struct fmt_buffer {
	char *buf;
	size_t size;	/* capacity, including the NUL */
	size_t pos;	/* bytes produced so far, stored or not */
};

static void buffer_out(void *ctx, const char *s, size_t len)
{
	struct fmt_buffer *b = ctx;

	if (b->size > 0 && b->pos < b->size - 1) {
		size_t room = b->size - 1 - b->pos;

		memcpy(b->buf + b->pos, s, len < room ? len : room);
	}
	b->pos += len;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buffer b = { buf, size, 0 };
	int n = fmt_vformat(buffer_out, &b, fmt, ap);

	if (size > 0) {
		buf[b.pos < size - 1 ? b.pos : size - 1] = '\0';
	}
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
