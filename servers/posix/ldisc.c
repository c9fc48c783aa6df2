/*
 * The line discipline (see ldisc.h): Linux's N_TTY behaviour, written
 * from POSIX's "General Terminal Interface", termios(3) and the
 * observable behaviour of Linux terminals.
 *
 * Every input byte goes one of two ways, as in Linux: bytes that can
 * mean something under the current settings (the "special" map, built
 * by ldisc_set_termios) go through receive_special, all others straight
 * to receive_normal (echo and store). Echo is output-processed as it is
 * generated, so the output column is always that of the bytes handed to
 * the device so far.
 */
#include "ldisc.h"

#include <base/string.h>

#define BUF_MASK (LDISC_BUF_SIZE - 1)
#define ECHO_MASK (LDISC_ECHO_SIZE - 1)

/* Termios accessors. */
#define I(ld, f) (((ld)->termios.c_iflag & LINUX_##f) != 0)
#define O(ld, f) (((ld)->termios.c_oflag & LINUX_##f) != 0)
#define L(ld, f) (((ld)->termios.c_lflag & LINUX_##f) != 0)
#define CC(ld, v) ((ld)->termios.c_cc[LINUX_##v])

static bool bit_test(const uint8_t *map, size_t i)
{
	return (map[i / 8] >> (i % 8)) & 1;
}

static void bit_set(uint8_t *map, size_t i)
{
	map[i / 8] = (uint8_t)(map[i / 8] | (1u << (i % 8)));
}

static void bit_clear(uint8_t *map, size_t i)
{
	map[i / 8] = (uint8_t)(map[i / 8] & ~(1u << (i % 8)));
}

static bool is_cntrl(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

static bool is_word_char(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_continuation(const struct ldisc *ld, uint8_t c)
{
	return I(ld, IUTF8) && (c & 0xc0) == 0x80;
}

/* Whether @c is the control character at index @v; 0 disables one. */
static bool is_cc(const struct ldisc *ld, uint8_t c, unsigned v)
{
	return c != 0 && ld->termios.c_cc[v] == c;
}

void ldisc_default_termios(struct linux_termios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = LINUX_ICRNL | LINUX_IXON;
	t->c_oflag = LINUX_OPOST | LINUX_ONLCR;
	t->c_cflag = LINUX_B38400 | LINUX_CS8 | LINUX_CREAD | LINUX_HUPCL;
	t->c_lflag = LINUX_ISIG | LINUX_ICANON | LINUX_ECHO | LINUX_ECHOE |
		     LINUX_ECHOK | LINUX_ECHOCTL | LINUX_ECHOKE | LINUX_IEXTEN;
	t->c_line = LINUX_N_TTY;
	t->c_cc[LINUX_VINTR] = 0x03;	/* ^C */
	t->c_cc[LINUX_VQUIT] = 0x1c;	/* ^\ */
	t->c_cc[LINUX_VERASE] = 0x7f;	/* DEL */
	t->c_cc[LINUX_VKILL] = 0x15;	/* ^U */
	t->c_cc[LINUX_VEOF] = 0x04;	/* ^D */
	t->c_cc[LINUX_VTIME] = 0;
	t->c_cc[LINUX_VMIN] = 1;
	t->c_cc[LINUX_VSTART] = 0x11;	/* ^Q */
	t->c_cc[LINUX_VSTOP] = 0x13;	/* ^S */
	t->c_cc[LINUX_VSUSP] = 0x1a;	/* ^Z */
	t->c_cc[LINUX_VREPRINT] = 0x12;	/* ^R */
	t->c_cc[LINUX_VDISCARD] = 0x0f;	/* ^O */
	t->c_cc[LINUX_VWERASE] = 0x17;	/* ^W */
	t->c_cc[LINUX_VLNEXT] = 0x16;	/* ^V */
}

/* Rebuilds the map of bytes that need receive_special. */
static void build_special(struct ldisc *ld)
{
	uint8_t *m = ld->special;

	memset(m, 0, sizeof(ld->special));
	if (I(ld, IGNCR) || I(ld, ICRNL)) {
		bit_set(m, '\r');
	}
	if (I(ld, INLCR)) {
		bit_set(m, '\n');
	}
	if (L(ld, ICANON)) {
		bit_set(m, CC(ld, VERASE));
		bit_set(m, CC(ld, VKILL));
		bit_set(m, CC(ld, VEOF));
		bit_set(m, '\n');
		bit_set(m, CC(ld, VEOL));
		if (L(ld, IEXTEN)) {
			bit_set(m, CC(ld, VWERASE));
			bit_set(m, CC(ld, VLNEXT));
			bit_set(m, CC(ld, VEOL2));
			if (L(ld, ECHO)) {
				bit_set(m, CC(ld, VREPRINT));
			}
		}
	}
	if (I(ld, IXON)) {
		bit_set(m, CC(ld, VSTART));
		bit_set(m, CC(ld, VSTOP));
	}
	if (L(ld, ISIG)) {
		bit_set(m, CC(ld, VINTR));
		bit_set(m, CC(ld, VQUIT));
		bit_set(m, CC(ld, VSUSP));
	}
	/* A disabled function has the value 0: NUL is never special. */
	bit_clear(m, 0);
}

static void reset_input(struct ldisc *ld)
{
	ld->read_tail = ld->canon_head = ld->read_head = 0;
	ld->line_start = 0;
	ld->erasing = false;
	memset(ld->line_end, 0, sizeof(ld->line_end));
	memset(ld->eof, 0, sizeof(ld->eof));
}

void ldisc_init(struct ldisc *ld)
{
	memset(ld, 0, sizeof(*ld));
	ldisc_default_termios(&ld->termios);
	build_special(ld);
	reset_input(ld);
}

void ldisc_set_termios(struct ldisc *ld, const struct linux_termios *t)
{
	uint32_t old_lflag = ld->termios.c_lflag;
	uint32_t old_iflag = ld->termios.c_iflag;

	ld->termios = *t;
	if ((old_lflag ^ t->c_lflag) & LINUX_ICANON) {
		memset(ld->line_end, 0, sizeof(ld->line_end));
		memset(ld->eof, 0, sizeof(ld->eof));
		ld->line_start = ld->read_tail;
		if (!L(ld, ICANON) || ld->read_head == ld->read_tail) {
			ld->canon_head = ld->read_tail;
		} else {
			/* What was typed in non-canonical mode is not lost
			 * for editing: it becomes one line, readable now. */
			bit_set(ld->line_end, (ld->read_head - 1) & BUF_MASK);
			ld->canon_head = ld->read_head;
		}
		ld->erasing = false;
		ld->lnext = false;
	}
	build_special(ld);
	/* Otherwise output stopped by ^S could never be restarted. */
	if ((old_iflag & LINUX_IXON) && !I(ld, IXON) && !ld->tco_stopped) {
		ld->stopped = false;
	}
}

/* Output processing */

/*
 * Processes one output byte into @out (room for @space bytes), keeping
 * the column. Returns the bytes produced, or -1 when they do not fit
 * (nothing is changed then). Only called with OPOST set.
 */
static int opost_char(struct ldisc *ld, uint8_t c, uint8_t *out,
		      size_t space)
{
	unsigned spaces;

	if (space < 1) {
		return -1;
	}
	switch (c) {
	case '\n':
		if (O(ld, ONLRET)) {
			ld->column = 0;
		}
		if (O(ld, ONLCR)) {
			if (space < 2) {
				return -1;
			}
			ld->canon_column = ld->column = 0;
			out[0] = '\r';
			out[1] = '\n';
			return 2;
		}
		ld->canon_column = ld->column;
		break;
	case '\r':
		if (O(ld, ONOCR) && ld->column == 0) {
			return 0;
		}
		if (O(ld, OCRNL)) {
			c = '\n';
			if (O(ld, ONLRET)) {
				ld->canon_column = ld->column = 0;
			}
			break;
		}
		ld->canon_column = ld->column = 0;
		break;
	case '\t':
		spaces = 8 - (ld->column & 7);
		if ((ld->termios.c_oflag & LINUX_TABDLY) == LINUX_XTABS) {
			if (space < spaces) {
				return -1;
			}
			ld->column += spaces;
			memset(out, ' ', spaces);
			return (int)spaces;
		}
		ld->column += spaces;
		break;
	case '\b':
		if (ld->column > 0) {
			ld->column--;
		}
		break;
	default:
		if (!is_cntrl(c)) {
			if (O(ld, OLCUC) && c >= 'a' && c <= 'z') {
				c = (uint8_t)(c - 'a' + 'A');
			}
			if (!is_continuation(ld, c)) {
				ld->column++;
			}
		}
		break;
	}
	out[0] = c;
	return 1;
}

size_t ldisc_output(struct ldisc *ld, const uint8_t *in, size_t len,
		    uint8_t *out, size_t cap, size_t *consumed)
{
	size_t i, n = 0;

	if (!O(ld, OPOST)) {
		n = len < cap ? len : cap;
		memcpy(out, in, n);
		*consumed = n;
		return n;
	}
	for (i = 0; i < len; i++) {
		int r = opost_char(ld, in[i], out + n, cap - n);

		if (r < 0) {
			break;
		}
		n += (size_t)r;
	}
	*consumed = i;
	return n;
}

/* Echo */

static size_t echo_room(const struct ldisc *ld)
{
	return LDISC_ECHO_SIZE - (ld->echo_head - ld->echo_tail);
}

/* Appends @n bytes (all or none: a "^C" or "\r\n" is never split). */
static void echo_put(struct ldisc *ld, const uint8_t *b, size_t n)
{
	size_t i;

	if (echo_room(ld) < n) {
		return;
	}
	for (i = 0; i < n; i++) {
		ld->echo[ld->echo_head++ & ECHO_MASK] = b[i];
	}
}

/* Echoes @c as it is, through output processing. */
static void echo_raw(struct ldisc *ld, uint8_t c)
{
	unsigned column = ld->column, canon_column = ld->canon_column;
	uint8_t tmp[8];
	int r;

	if (!O(ld, OPOST)) {
		echo_put(ld, &c, 1);
		return;
	}
	r = opost_char(ld, c, tmp, sizeof(tmp));
	if (r < 0 || echo_room(ld) < (size_t)r) {
		/* Dropped: so is its effect on the column. */
		ld->column = column;
		ld->canon_column = canon_column;
		return;
	}
	echo_put(ld, tmp, (size_t)r);
}

/* Echoes @c, control characters as "^X" under ECHOCTL. */
static void echo_char(struct ldisc *ld, uint8_t c)
{
	if (L(ld, ECHOCTL) && is_cntrl(c) && c != '\t') {
		uint8_t pair[2] = { '^', (uint8_t)(c ^ 0x40) };

		if (echo_room(ld) >= 2) {
			echo_put(ld, pair, 2);
			ld->column += 2;
		}
		return;
	}
	echo_raw(ld, c);
}

/* Moves the cursor back @n columns (erasing a tab). */
static void echo_backspaces(struct ldisc *ld, unsigned n)
{
	uint8_t bs[8];

	if (n > sizeof(bs) || echo_room(ld) < n) {
		return;
	}
	memset(bs, '\b', n);
	echo_put(ld, bs, n);
	ld->column = ld->column > n ? ld->column - n : 0;
}

static void echo_erase_one(struct ldisc *ld)
{
	echo_raw(ld, '\b');
	echo_raw(ld, ' ');
	echo_raw(ld, '\b');
}

/* Ends an ECHOPRT erase sequence "\abc/". */
static void finish_erasing(struct ldisc *ld)
{
	if (ld->erasing) {
		echo_raw(ld, '/');
		ld->erasing = false;
	}
}

size_t ldisc_echo_take(struct ldisc *ld, uint8_t *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap && ld->echo_tail != ld->echo_head) {
		buf[n++] = ld->echo[ld->echo_tail++ & ECHO_MASK];
	}
	return n;
}

/* Input */

static uint8_t at(const struct ldisc *ld, size_t pos)
{
	return ld->buf[pos & BUF_MASK];
}

static size_t used(const struct ldisc *ld)
{
	return ld->read_head - ld->read_tail;
}

static void put(struct ldisc *ld, uint8_t c)
{
	ld->buf[ld->read_head & BUF_MASK] = c;
	bit_clear(ld->line_end, ld->read_head & BUF_MASK);
	bit_clear(ld->eof, ld->read_head & BUF_MASK);
	ld->read_head++;
}

/* Stores an input byte. One slot stays free for a line end (Linux keeps
 * the same reserve); without room the byte is dropped (canonical mode
 * with nothing to read: the caller took it anyway, see ldisc_receive). */
static bool store(struct ldisc *ld, uint8_t c)
{
	if (used(ld) >= LDISC_BUF_SIZE - 1) {
		return false;
	}
	put(ld, c);
	return true;
}

/* Ends the line being edited with @c (an EOF placeholder if @is_eof). */
static void end_line(struct ldisc *ld, uint8_t c, bool is_eof)
{
	size_t pos = ld->read_head & BUF_MASK;

	if (used(ld) >= LDISC_BUF_SIZE) {
		return;
	}
	put(ld, c);
	bit_set(ld->line_end, pos);
	if (is_eof) {
		bit_set(ld->eof, pos);
	}
	ld->canon_head = ld->read_head;
}

static void receive_normal(struct ldisc *ld, uint8_t c, bool special)
{
	if (ld->stopped && !ld->tco_stopped && I(ld, IXON) && I(ld, IXANY)) {
		ld->stopped = false;
	}
	if (L(ld, ICANON) && used(ld) >= LDISC_BUF_SIZE - 1) {
		return;		/* overflow: dropped, not echoed */
	}
	if (L(ld, ECHO)) {
		finish_erasing(ld);
		if (c == '\n' && special) {
			echo_raw(ld, '\n');
		} else {
			if (ld->canon_head == ld->read_head) {
				ld->canon_column = ld->column;
			}
			echo_char(ld, c);
		}
	}
	store(ld, c);
}

/* Columns the characters before a tab at the end of the line take, back
 * to the previous tab or the line's start (for erasing the tab). */
static unsigned tab_erase_width(struct ldisc *ld)
{
	unsigned cols = 0;
	size_t pos = ld->read_head;

	while (pos != ld->canon_head) {
		uint8_t c = at(ld, --pos);

		if (c == '\t') {
			return 8 - (cols & 7);
		}
		if (is_cntrl(c)) {
			if (L(ld, ECHOCTL)) {
				cols += 2;
			}
		} else if (!is_continuation(ld, c)) {
			cols++;
		}
	}
	return 8 - ((cols + ld->canon_column) & 7);
}

enum erase_kind { ERASE, WERASE, KILL };

/* VERASE, VWERASE and VKILL in canonical mode. */
static void eraser(struct ldisc *ld, uint8_t c)
{
	enum erase_kind kind;
	bool seen_word = false;

	if (ld->read_head == ld->canon_head) {
		return;
	}
	if (is_cc(ld, c, LINUX_VERASE)) {
		kind = ERASE;
	} else if (is_cc(ld, c, LINUX_VWERASE)) {
		kind = WERASE;
	} else {
		kind = KILL;
		if (!L(ld, ECHO)) {
			ld->read_head = ld->canon_head;
			return;
		}
		if (!L(ld, ECHOK) || !L(ld, ECHOKE) || !L(ld, ECHOE)) {
			/* Echo the kill character, not the erasure. */
			ld->read_head = ld->canon_head;
			finish_erasing(ld);
			echo_char(ld, c);
			if (L(ld, ECHOK)) {
				echo_raw(ld, '\n');
			}
			return;
		}
	}

	while (ld->read_head != ld->canon_head) {
		size_t head = ld->read_head;
		size_t cnt;
		uint8_t ch;

		/* One character: a UTF-8 sequence under IUTF8. */
		do {
			ch = at(ld, --head);
		} while (is_continuation(ld, ch) && head != ld->canon_head);
		if (is_continuation(ld, ch)) {
			break;	/* never erase part of one */
		}
		if (kind == WERASE) {
			if (is_word_char(ch)) {
				seen_word = true;
			} else if (seen_word) {
				break;
			}
		}
		cnt = ld->read_head - head;
		ld->read_head = head;
		if (L(ld, ECHO)) {
			if (L(ld, ECHOPRT)) {
				if (!ld->erasing) {
					echo_raw(ld, '\\');
					ld->erasing = true;
				}
				echo_char(ld, ch);
				while (--cnt > 0) {
					echo_raw(ld, at(ld, ++head));
				}
			} else if (kind == ERASE && !L(ld, ECHOE)) {
				echo_char(ld, CC(ld, VERASE));
			} else if (ch == '\t') {
				echo_backspaces(ld, tab_erase_width(ld));
			} else {
				if (is_cntrl(ch) && L(ld, ECHOCTL)) {
					echo_erase_one(ld);	/* the ^ */
				}
				if (!is_cntrl(ch) || L(ld, ECHOCTL)) {
					echo_erase_one(ld);
				}
			}
		}
		if (kind == ERASE) {
			break;
		}
	}
	if (ld->read_head == ld->canon_head && L(ld, ECHO)) {
		finish_erasing(ld);
	}
}

/* VREPRINT: "^R", a new line, then the line being edited again. */
static void reprint(struct ldisc *ld, uint8_t c)
{
	size_t pos;

	finish_erasing(ld);
	echo_char(ld, c);
	echo_raw(ld, '\n');
	for (pos = ld->canon_head; pos != ld->read_head; pos++) {
		echo_char(ld, at(ld, pos));
	}
}

static void signal_char(struct ldisc *ld, uint8_t c, int sig,
			struct ldisc_rx *rx)
{
	rx->signal = sig;
	if (!L(ld, NOFLSH)) {
		reset_input(ld);
		ld->echo_tail = ld->echo_head;
		rx->flush_output = true;
	}
	if (I(ld, IXON) && !ld->tco_stopped) {
		ld->stopped = false;
	}
	if (L(ld, ECHO)) {
		echo_char(ld, c);
	}
}

/* A byte of the special map. Returns true when it was a signal
 * character (ldisc_receive stops after it). */
static bool receive_special(struct ldisc *ld, uint8_t c, struct ldisc_rx *rx)
{
	if (I(ld, IXON)) {
		if (is_cc(ld, c, LINUX_VSTART)) {
			if (!ld->tco_stopped) {
				ld->stopped = false;
			}
			return false;
		}
		if (is_cc(ld, c, LINUX_VSTOP)) {
			ld->stopped = true;
			return false;
		}
	}
	if (L(ld, ISIG)) {
		int sig = 0;

		if (is_cc(ld, c, LINUX_VINTR)) {
			sig = LDISC_SIGINT;
		} else if (is_cc(ld, c, LINUX_VQUIT)) {
			sig = LDISC_SIGQUIT;
		} else if (is_cc(ld, c, LINUX_VSUSP)) {
			sig = LDISC_SIGTSTP;
		}
		if (sig) {
			signal_char(ld, c, sig, rx);
			return true;
		}
	}
	if (ld->stopped && !ld->tco_stopped && I(ld, IXON) && I(ld, IXANY)) {
		ld->stopped = false;
	}
	if (c == '\r') {
		if (I(ld, IGNCR)) {
			return false;
		}
		if (I(ld, ICRNL)) {
			c = '\n';
		}
	} else if (c == '\n' && I(ld, INLCR)) {
		c = '\r';
	}

	if (L(ld, ICANON)) {
		if (is_cc(ld, c, LINUX_VERASE) || is_cc(ld, c, LINUX_VKILL) ||
		    (is_cc(ld, c, LINUX_VWERASE) && L(ld, IEXTEN))) {
			eraser(ld, c);
			return false;
		}
		if (is_cc(ld, c, LINUX_VLNEXT) && L(ld, IEXTEN)) {
			ld->lnext = true;
			if (L(ld, ECHO)) {
				finish_erasing(ld);
				if (L(ld, ECHOCTL)) {
					/* A "^" the next echo overwrites. */
					echo_raw(ld, '^');
					echo_raw(ld, '\b');
				}
			}
			return false;
		}
		if (is_cc(ld, c, LINUX_VREPRINT) && L(ld, ECHO) &&
		    L(ld, IEXTEN)) {
			reprint(ld, c);
			return false;
		}
		if (c == '\n') {
			if (L(ld, ECHO) || L(ld, ECHONL)) {
				echo_raw(ld, '\n');
			}
			end_line(ld, c, false);
			return false;
		}
		if (is_cc(ld, c, LINUX_VEOF)) {
			end_line(ld, 0, true);
			return false;
		}
		if (is_cc(ld, c, LINUX_VEOL) ||
		    (is_cc(ld, c, LINUX_VEOL2) && L(ld, IEXTEN))) {
			if (L(ld, ECHO)) {
				if (ld->canon_head == ld->read_head) {
					ld->canon_column = ld->column;
				}
				echo_char(ld, c);
			}
			end_line(ld, c, false);
			return false;
		}
	}
	receive_normal(ld, c, true);
	return false;
}

/* A byte after VLNEXT: no special meaning, no translation. */
static void receive_literal(struct ldisc *ld, uint8_t c)
{
	ld->lnext = false;
	if (I(ld, ISTRIP)) {
		c &= 0x7f;
	}
	if (I(ld, IUCLC) && L(ld, IEXTEN) && c >= 'A' && c <= 'Z') {
		c = (uint8_t)(c - 'A' + 'a');
	}
	receive_normal(ld, c, false);
}

bool ldisc_has_room(const struct ldisc *ld)
{
	/* Canonical mode with no complete line: keep taking input, so
	 * that the line being edited can be erased or ended. */
	return used(ld) < LDISC_BUF_SIZE - 1 ||
	       (L(ld, ICANON) && ld->canon_head == ld->read_tail);
}

size_t ldisc_receive(struct ldisc *ld, const uint8_t *buf, size_t len,
		     struct ldisc_rx *rx)
{
	size_t i;

	rx->signal = 0;
	rx->flush_output = false;
	for (i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (!ldisc_has_room(ld)) {
			break;
		}
		if (ld->lnext) {
			receive_literal(ld, c);
			continue;
		}
		if (I(ld, ISTRIP)) {
			c &= 0x7f;
		}
		if (I(ld, IUCLC) && L(ld, IEXTEN) && c >= 'A' && c <= 'Z') {
			c = (uint8_t)(c - 'A' + 'a');
		}
		if (!bit_test(ld->special, c)) {
			receive_normal(ld, c, false);
		} else if (receive_special(ld, c, rx)) {
			return i + 1;
		}
	}
	return i;
}

/* Reads */

static size_t readable(const struct ldisc *ld)
{
	return L(ld, ICANON) ? ld->canon_head - ld->read_tail : used(ld);
}

enum ldisc_wait ldisc_read_wait(const struct ldisc *ld, size_t len,
				unsigned *vtime)
{
	unsigned vmin = CC(ld, VMIN);
	size_t avail = readable(ld);

	*vtime = CC(ld, VTIME);
	if (len == 0) {
		return LDISC_WAIT_NONE;
	}
	if (L(ld, ICANON)) {
		return avail ? LDISC_WAIT_NONE : LDISC_WAIT_INPUT;
	}
	if (vmin == 0) {
		if (avail || *vtime == 0) {
			return LDISC_WAIT_NONE;
		}
		return LDISC_WAIT_TIMER;	/* from the start of the read */
	}
	if (avail >= (len < vmin ? len : vmin)) {
		return LDISC_WAIT_NONE;
	}
	/* VMIN and VTIME: an inter-byte timer, once input has begun. */
	return avail && *vtime ? LDISC_WAIT_TIMER : LDISC_WAIT_INPUT;
}

size_t ldisc_read(struct ldisc *ld, uint8_t *buf, size_t len)
{
	size_t n = 0;

	if (!L(ld, ICANON)) {
		while (n < len && ld->read_tail != ld->read_head) {
			buf[n++] = at(ld, ld->read_tail++);
		}
		return n;
	}
	while (n < len && ld->read_tail != ld->canon_head) {
		size_t pos = ld->read_tail & BUF_MASK;
		bool end = bit_test(ld->line_end, pos);
		bool eof = bit_test(ld->eof, pos);

		bit_clear(ld->line_end, pos);
		bit_clear(ld->eof, pos);
		ld->read_tail++;
		if (!eof) {
			buf[n++] = ld->buf[pos];
		}
		if (end) {
			ld->line_start = ld->read_tail;
			break;
		}
	}
	/* A read that took the rest of a line which VEOF ended ("abc^D"
	 * read 3 bytes at a time): that VEOF pushed the line out, it is
	 * not an end of file for the next read. */
	if (ld->read_tail != ld->canon_head &&
	    ld->read_tail != ld->line_start &&
	    bit_test(ld->eof, ld->read_tail & BUF_MASK)) {
		size_t pos = ld->read_tail & BUF_MASK;

		bit_clear(ld->line_end, pos);
		bit_clear(ld->eof, pos);
		ld->read_tail++;
		ld->line_start = ld->read_tail;
	}
	return n;
}

size_t ldisc_inq(const struct ldisc *ld)
{
	size_t pos, n;

	if (!L(ld, ICANON)) {
		return used(ld);
	}
	n = ld->canon_head - ld->read_tail;
	for (pos = ld->read_tail; pos != ld->canon_head; pos++) {
		if (bit_test(ld->eof, pos & BUF_MASK)) {
			n--;
		}
	}
	return n;
}

bool ldisc_can_read(const struct ldisc *ld)
{
	size_t want = 1;

	if (L(ld, ICANON)) {
		return ld->canon_head != ld->read_tail;
	}
	if (CC(ld, VTIME) == 0 && CC(ld, VMIN) > 1) {
		want = CC(ld, VMIN);
	}
	return used(ld) >= want;
}

void ldisc_flush_input(struct ldisc *ld)
{
	reset_input(ld);
	ld->lnext = false;
}

void ldisc_tco_stop(struct ldisc *ld)
{
	ld->tco_stopped = true;
	ld->stopped = true;
}

void ldisc_tco_start(struct ldisc *ld)
{
	if (ld->tco_stopped) {
		ld->tco_stopped = false;
		ld->stopped = false;
	}
}
