/*
 * The line discipline: what Linux's N_TTY does between a terminal device
 * and the programs reading and writing it, as pure logic (no I/O, no
 * clock, no allocation) so that it can be tested exhaustively on the
 * host. The tty (tty.h) owns one and moves bytes in and out of it.
 *
 * Input: ldisc_receive takes bytes from the device and applies the
 * termios input flags (ISTRIP, INLCR, IGNCR, ICRNL, IUCLC), flow control
 * (IXON ^S/^Q, IXANY), signal characters (ISIG: reported to the caller,
 * input and echo flushed unless NOFLSH), and in canonical mode the line
 * editing (erase, word erase, kill, reprint, literal next, EOF, EOL,
 * EOL2; IUTF8 erases whole UTF-8 characters). What a read may take sits
 * in a bounded buffer of LDISC_BUF_SIZE bytes; when it is full, input is
 * refused (the device keeps or drops it) except in canonical mode with
 * no complete line pending, where bytes are still taken so that the
 * line can be edited or ended, and characters that do not fit are
 * dropped, as Linux does.
 *
 * Echo: the echo of input (ECHO, ECHOE, ECHOK, ECHOKE, ECHOCTL, ECHOPRT,
 * ECHONL) is generated already output-processed into an echo buffer that
 * the caller moves to the device (ldisc_echo_take) when output is not
 * stopped.
 *
 * Reads: ldisc_read_wait tells whether a read can complete now or what
 * it must wait for (VMIN/VTIME: the timer itself is the caller's);
 * ldisc_read takes the bytes (canonical: at most one line; an EOF at the
 * start of a line is a 0-byte read).
 *
 * Output: ldisc_output applies OPOST, ONLCR, OCRNL, ONOCR, ONLRET,
 * OLCUC and XTABS to bytes a program writes. The output column it keeps
 * is shared with the echo (tab erasure depends on it).
 *
 * Bytes 0x00-0x1f and 0x7f are control characters (echoed as ^X under
 * ECHOCTL); bytes from 0x80 up are printable (UTF-8) and count as word
 * characters for VWERASE.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux_abi/termios.h>

/* Input buffer size (Linux's N_TTY_BUF_SIZE). A power of two. */
#define LDISC_BUF_SIZE 4096u
/* Echo waiting for the device. */
#define LDISC_ECHO_SIZE 4096u

/* The Linux signal numbers signal characters produce. */
#define LDISC_SIGINT 2
#define LDISC_SIGQUIT 3
#define LDISC_SIGTSTP 20

struct ldisc {
	struct linux_termios termios;
	/* Bytes that may take the special path (Linux's char_map): derived
	 * from termios by ldisc_set_termios. */
	uint8_t special[256 / 8];

	/*
	 * The input ring. Free-running positions, read_tail <= canon_head
	 * <= read_head (canon_head only meaningful in canonical mode):
	 * [read_tail, canon_head) complete lines a read may take,
	 * [canon_head, read_head) the line being edited. line_end marks
	 * each line's last byte; eof marks an EOF placeholder (a line
	 * ended by VEOF: the byte is not delivered).
	 */
	uint8_t buf[LDISC_BUF_SIZE];
	uint8_t line_end[LDISC_BUF_SIZE / 8];
	uint8_t eof[LDISC_BUF_SIZE / 8];
	size_t read_tail;
	size_t canon_head;
	size_t read_head;
	size_t line_start;	/* where the line read_tail is in began */

	/* Processed echo for the device: [echo_tail, echo_head). */
	uint8_t echo[LDISC_ECHO_SIZE];
	size_t echo_tail;
	size_t echo_head;

	unsigned column;	/* output column, for tabs and erasure */
	unsigned canon_column;	/* column where the edited line began */
	bool lnext;		/* the next byte is taken literally */
	bool erasing;		/* ECHOPRT: inside "\...", a "/" is due */
	bool stopped;		/* output stopped (^S or TCOOFF) */
	bool tco_stopped;	/* stopped by TCOOFF: only TCOON restarts */
};

/* What ldisc_receive reports to the caller. */
struct ldisc_rx {
	/* A signal character was taken (the last byte consumed): send this
	 * signal to the foreground process group. 0: none. */
	int signal;
	/* Output still queued for the device must be dropped (a signal
	 * character without NOFLSH). */
	bool flush_output;
};

/* What a read must wait for (ldisc_read_wait). */
enum ldisc_wait {
	LDISC_WAIT_NONE,	/* ldisc_read now (it may return 0 bytes) */
	LDISC_WAIT_INPUT,	/* wait for input, no time limit */
	LDISC_WAIT_TIMER,	/* wait for input for at most the VTIME given;
				 * restart that timer whenever ldisc_inq grows;
				 * when it expires, ldisc_read what there is */
};

/* Fills @t with Linux's defaults for a new terminal: ICRNL IXON, OPOST
 * ONLCR, B38400 CS8 CREAD HUPCL, ISIG ICANON ECHO ECHOE ECHOK ECHOCTL
 * ECHOKE IEXTEN, and the usual control characters (^C ^\ DEL ^U ^D, VMIN
 * 1, VTIME 0, ^Q ^S ^Z ^R ^O ^W ^V). */
void ldisc_default_termios(struct linux_termios *t);

/* Initializes @ld: empty, output column 0, default termios. */
void ldisc_init(struct ldisc *ld);

static inline const struct linux_termios *
ldisc_termios(const struct ldisc *ld)
{
	return &ld->termios;
}

/* Installs new settings. Switching canonical mode off makes everything
 * buffered readable; switching it on makes pending input one line.
 * Clearing IXON restarts output stopped by ^S. */
void ldisc_set_termios(struct ldisc *ld, const struct linux_termios *t);

/* Takes up to @len bytes from the device. Stops early after a signal
 * character (reported in *@rx) and when the input buffer refuses more.
 * Returns the bytes consumed; the caller offers the rest again later
 * (after a read) or drops them. */
size_t ldisc_receive(struct ldisc *ld, const uint8_t *buf, size_t len,
		     struct ldisc_rx *rx);

/* What a read of @len bytes must wait for; for LDISC_WAIT_TIMER the
 * limit in tenths of a second goes to *@vtime. */
enum ldisc_wait ldisc_read_wait(const struct ldisc *ld, size_t len,
				unsigned *vtime);

/* Takes up to @len bytes for a read: in canonical mode at most up to the
 * end of the first line (the line end included; an EOF placeholder is
 * dropped and ends the read). Returns the bytes copied; 0 is an EOF in
 * canonical mode, or nothing there. */
size_t ldisc_read(struct ldisc *ld, uint8_t *buf, size_t len);

/* Bytes a read could take (FIONREAD): canonical mode counts complete
 * lines only, without EOF placeholders. */
size_t ldisc_inq(const struct ldisc *ld);

/* Whether poll reports the terminal readable: a complete line
 * (canonical), else VMIN bytes when VTIME is 0, else one byte. */
bool ldisc_can_read(const struct ldisc *ld);

/* Whether ldisc_receive would take at least one more byte. */
bool ldisc_has_room(const struct ldisc *ld);

/* Drops all buffered input (TCIFLUSH) and any pending literal-next. */
void ldisc_flush_input(struct ldisc *ld);

/* Echo bytes waiting for the device. */
static inline size_t ldisc_echo_pending(const struct ldisc *ld)
{
	return ld->echo_head - ld->echo_tail;
}

/* Moves up to @cap echo bytes to @buf; returns how many. */
size_t ldisc_echo_take(struct ldisc *ld, uint8_t *buf, size_t cap);

/* Output processing of what a program writes: converts bytes of @in
 * into @out (@cap bytes of room), stopping before a byte whose
 * expansion does not fit. Returns the bytes produced; *@consumed gets
 * the bytes of @in used. */
size_t ldisc_output(struct ldisc *ld, const uint8_t *in, size_t len,
		    uint8_t *out, size_t cap, size_t *consumed);

/* Output flow control: whether output to the device is stopped. */
static inline bool ldisc_is_stopped(const struct ldisc *ld)
{
	return ld->stopped;
}

/* TCOOFF / TCOON (tcflow): stops and restarts output; a stop by TCOOFF
 * is not undone by ^Q or IXANY. */
void ldisc_tco_stop(struct ldisc *ld);
void ldisc_tco_start(struct ldisc *ld);
