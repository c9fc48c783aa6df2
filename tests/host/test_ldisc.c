/*
 * Host tests of the line discipline (servers/posix/ldisc.c): Linux's
 * defaults; canonical editing with its exact echo (erase, word erase,
 * kill in its three echo styles, reprint, literal next, tabs, control
 * characters, UTF-8); EOF and EOL; signal characters and their flushes;
 * IXON/IXANY/TCOOFF flow control; input translation; VMIN/VTIME
 * decisions; output processing; the bounded buffer in both modes; mode
 * switches; and a randomized run checking the invariants.
 */
#include <stdlib.h>

#include "check.h"
#include "rng.h"

#include "../../servers/posix/ldisc.h"

#define CTRL(c) ((c) & 0x1f)

static struct ldisc *new_ldisc(void)
{
	struct ldisc *ld = malloc(sizeof(*ld));

	ldisc_init(ld);
	return ld;
}

/* Feeds @s (with its length) and returns the last signal seen. */
static int feed_n(struct ldisc *ld, const char *s, size_t len)
{
	struct ldisc_rx rx;
	int sig = 0;
	size_t off = 0;

	while (off < len) {
		size_t n = ldisc_receive(ld, (const uint8_t *)s + off,
					 len - off, &rx);

		if (rx.signal) {
			sig = rx.signal;
		}
		if (n == 0) {
			break;
		}
		off += n;
	}
	return sig;
}

static int feed(struct ldisc *ld, const char *s)
{
	return feed_n(ld, s, strlen(s));
}

/* The pending echo, as a string (taken). */
static const char *echo(struct ldisc *ld)
{
	static char buf[LDISC_ECHO_SIZE + 1];
	size_t n = ldisc_echo_take(ld, (uint8_t *)buf, LDISC_ECHO_SIZE);

	buf[n] = 0;
	return buf;
}

/* One read of up to @len bytes, as a string. */
static const char *rd(struct ldisc *ld, size_t len)
{
	static char buf[LDISC_BUF_SIZE + 1];
	size_t n = ldisc_read(ld, (uint8_t *)buf, len);

	buf[n] = 0;
	return buf;
}

static enum ldisc_wait wait_for(struct ldisc *ld, size_t len)
{
	unsigned vtime;

	return ldisc_read_wait(ld, len, &vtime);
}

static void set_lflag(struct ldisc *ld, uint32_t on, uint32_t off)
{
	struct linux_termios t = *ldisc_termios(ld);

	t.c_lflag = (t.c_lflag | on) & ~off;
	ldisc_set_termios(ld, &t);
}

static void set_iflag(struct ldisc *ld, uint32_t on, uint32_t off)
{
	struct linux_termios t = *ldisc_termios(ld);

	t.c_iflag = (t.c_iflag | on) & ~off;
	ldisc_set_termios(ld, &t);
}

static void set_oflag(struct ldisc *ld, uint32_t on, uint32_t off)
{
	struct linux_termios t = *ldisc_termios(ld);

	t.c_oflag = (t.c_oflag | on) & ~off;
	ldisc_set_termios(ld, &t);
}

static void set_cc(struct ldisc *ld, unsigned idx, uint8_t v)
{
	struct linux_termios t = *ldisc_termios(ld);

	t.c_cc[idx] = v;
	ldisc_set_termios(ld, &t);
}

/* Non-canonical ("raw") mode with the given VMIN and VTIME, echo off. */
static void set_raw(struct ldisc *ld, uint8_t vmin, uint8_t vtime)
{
	struct linux_termios t = *ldisc_termios(ld);

	t.c_lflag &= ~(LINUX_ICANON | LINUX_ECHO);
	t.c_cc[LINUX_VMIN] = vmin;
	t.c_cc[LINUX_VTIME] = vtime;
	ldisc_set_termios(ld, &t);
}

/* Output through ldisc_output, as a string. */
static const char *out(struct ldisc *ld, const char *s)
{
	static char buf[1024];
	size_t used;
	size_t n = ldisc_output(ld, (const uint8_t *)s, strlen(s),
				(uint8_t *)buf, sizeof(buf) - 1, &used);

	buf[n] = 0;
	return buf;
}

TEST(defaults_are_linux)
{
	static const uint8_t cc[LINUX_NCCS] = {
		3, 034, 0177, 025, 4, 0, 1, 0, 021, 023, 032, 0, 022, 017,
		027, 026, 0,
	};
	struct ldisc *ld = new_ldisc();
	const struct linux_termios *t = ldisc_termios(ld);

	CHECK_EQ(t->c_iflag, LINUX_ICRNL | LINUX_IXON);
	CHECK_EQ(t->c_oflag, LINUX_OPOST | LINUX_ONLCR);
	CHECK_EQ(t->c_cflag,
		 LINUX_B38400 | LINUX_CS8 | LINUX_CREAD | LINUX_HUPCL);
	CHECK_EQ(t->c_lflag, LINUX_ISIG | LINUX_ICANON | LINUX_ECHO |
				     LINUX_ECHOE | LINUX_ECHOK |
				     LINUX_ECHOCTL | LINUX_ECHOKE |
				     LINUX_IEXTEN);
	CHECK_EQ(t->c_line, 0);
	CHECK(memcmp(t->c_cc, cc, sizeof(cc)) == 0);
	CHECK(!ldisc_can_read(ld));
	CHECK_EQ(wait_for(ld, 10), LDISC_WAIT_INPUT);
	CHECK(!ldisc_is_stopped(ld));
	free(ld);
}

TEST(canon_line_and_echo)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "abc");
	CHECK_STR_EQ(echo(ld), "abc");
	CHECK(!ldisc_can_read(ld));
	CHECK_EQ(ldisc_inq(ld), 0);
	CHECK_EQ(wait_for(ld, 100), LDISC_WAIT_INPUT);
	feed(ld, "\r");
	CHECK_STR_EQ(echo(ld), "\r\n");
	CHECK(ldisc_can_read(ld));
	CHECK_EQ(ldisc_inq(ld), 4);
	CHECK_EQ(wait_for(ld, 100), LDISC_WAIT_NONE);
	CHECK_STR_EQ(rd(ld, 100), "abc\n");
	CHECK(!ldisc_can_read(ld));
	free(ld);
}

TEST(canon_read_one_line_at_a_time)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "one\ntwo\nthr");
	CHECK_EQ(ldisc_inq(ld), 8);
	CHECK_STR_EQ(rd(ld, 100), "one\n");
	CHECK_STR_EQ(rd(ld, 2), "tw");
	CHECK_STR_EQ(rd(ld, 100), "o\n");
	CHECK_EQ(wait_for(ld, 100), LDISC_WAIT_INPUT);
	CHECK_EQ(wait_for(ld, 0), LDISC_WAIT_NONE);
	feed(ld, "ee\n");
	CHECK_STR_EQ(rd(ld, 100), "three\n");
	free(ld);
}

TEST(canon_control_chars_echo_as_caret)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "a\x01\x1b[\t\n");
	CHECK_STR_EQ(echo(ld), "a^A^[[\t\r\n");
	CHECK_STR_EQ(rd(ld, 100), "a\x01\x1b[\t\n");
	set_lflag(ld, 0, LINUX_ECHOCTL);
	feed(ld, "a\x01\n");
	CHECK_STR_EQ(echo(ld), "a\x01\r\n");
	free(ld);
}

TEST(input_translation)
{
	struct ldisc *ld = new_ldisc();

	/* ICRNL off: \r is an ordinary (control) character. */
	set_iflag(ld, 0, LINUX_ICRNL);
	feed(ld, "a\rb\n");
	CHECK_STR_EQ(echo(ld), "a^Mb\r\n");
	CHECK_STR_EQ(rd(ld, 100), "a\rb\n");
	/* IGNCR drops \r. */
	set_iflag(ld, LINUX_IGNCR, 0);
	feed(ld, "x\r\ry\n");
	CHECK_STR_EQ(rd(ld, 100), "xy\n");
	/* INLCR: \n becomes \r, which ICRNL would turn back, so ICRNL off:
	 * the line needs another end. */
	set_iflag(ld, LINUX_INLCR, LINUX_IGNCR);
	feed(ld, "p\n");
	CHECK(!ldisc_can_read(ld));
	set_cc(ld, LINUX_VEOL, '#');
	feed(ld, "#");
	CHECK_STR_EQ(rd(ld, 100), "p\r#");
	free(ld);
}

TEST(istrip_and_iuclc)
{
	struct ldisc *ld = new_ldisc();

	set_iflag(ld, LINUX_ISTRIP, 0);
	feed(ld, "\xe1\xe2\n");		/* 0x61 0x62 after stripping */
	CHECK_STR_EQ(rd(ld, 100), "ab\n");
	set_iflag(ld, LINUX_IUCLC, LINUX_ISTRIP);
	feed(ld, "AbC\n");
	CHECK_STR_EQ(rd(ld, 100), "abc\n");
	/* IUCLC needs IEXTEN, as on Linux. */
	set_lflag(ld, 0, LINUX_IEXTEN);
	feed(ld, "AbC\n");
	CHECK_STR_EQ(rd(ld, 100), "AbC\n");
	free(ld);
}

TEST(erase)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "abc\x7f");
	CHECK_STR_EQ(echo(ld), "abc\b \b");
	feed(ld, "\x7f\x7f\x7f\x7f");	/* more than there is */
	CHECK_STR_EQ(echo(ld), "\b \b\b \b");
	feed(ld, "xy\x7f\n");
	CHECK_STR_EQ(rd(ld, 100), "x\n");
	/* Nothing to erase: no echo. */
	echo(ld);
	feed(ld, "\x7f");
	CHECK_STR_EQ(echo(ld), "");
	free(ld);
}

TEST(erase_cannot_cross_a_line_end)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "ab\n\x7f\x7f" "c\n");
	CHECK_STR_EQ(rd(ld, 100), "ab\n");
	CHECK_STR_EQ(rd(ld, 100), "c\n");
	free(ld);
}

TEST(erase_without_echoe_echoes_the_erase_char)
{
	struct ldisc *ld = new_ldisc();

	set_lflag(ld, 0, LINUX_ECHOE);
	feed(ld, "ab\x7f");
	CHECK_STR_EQ(echo(ld), "ab^?");
	set_cc(ld, LINUX_VERASE, '\b');
	feed(ld, "\b");
	CHECK_STR_EQ(echo(ld), "^H");
	feed(ld, "\n");
	CHECK_STR_EQ(rd(ld, 100), "\n");
	free(ld);
}

TEST(erase_control_char_takes_two_columns)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "a\x01\x7f");
	CHECK_STR_EQ(echo(ld), "a^A\b \b\b \b");
	/* Without ECHOCTL it was echoed raw: nothing to rub out. */
	set_lflag(ld, 0, LINUX_ECHOCTL);
	feed(ld, "\x01\x7f");
	CHECK_STR_EQ(echo(ld), "\x01");
	feed(ld, "\n");
	CHECK_STR_EQ(rd(ld, 100), "a\n");
	free(ld);
}

TEST(erase_tab)
{
	struct ldisc *ld = new_ldisc();

	/* "ab" then a tab to column 8: erasing it goes back 6. */
	feed(ld, "ab\t\x7f");
	CHECK_STR_EQ(echo(ld), "ab\t\b\b\b\b\b\b");
	feed(ld, "\n");
	echo(ld);
	rd(ld, 100);
	/* After a prompt: the line starts at column 2 (canon column). */
	CHECK_STR_EQ(out(ld, "$ "), "$ ");
	feed(ld, "\t\x7f");
	CHECK_STR_EQ(echo(ld), "\t\b\b\b\b\b\b");
	feed(ld, "\n");
	echo(ld);
	rd(ld, 100);
	/* After an earlier tab, counting restarts from it. */
	feed(ld, "\tabc\t\x7f");
	CHECK_STR_EQ(echo(ld), "\tabc\t\b\b\b\b\b");
	/* Control characters count twice under ECHOCTL. */
	feed(ld, "\x7f\x7f\x7f\x7f\x01\t\x7f");
	echo(ld);
	feed(ld, "\n");
	echo(ld);
	rd(ld, 100);
	feed(ld, "\x01\t\x7f");
	CHECK_STR_EQ(echo(ld), "^A\t\b\b\b\b\b\b");
	free(ld);
}

TEST(erase_utf8)
{
	struct ldisc *ld = new_ldisc();

	/* Without IUTF8 one byte goes; with it the whole character. */
	feed(ld, "a\xc3\xa9\x7f\n");
	CHECK_STR_EQ(rd(ld, 100), "a\xc3\n");
	set_iflag(ld, LINUX_IUTF8, 0);
	echo(ld);
	feed(ld, "a\xc3\xa9\x7f");
	CHECK_STR_EQ(echo(ld), "a\xc3\xa9\b \b");
	feed(ld, "\xe2\x82\xac\xf0\x9f\x98\x80\x7f\n");
	CHECK_STR_EQ(rd(ld, 100), "a\xe2\x82\xac\n");
	/* A line of continuation bytes only is never partly erased. */
	feed(ld, "\x80\x80\x7f\n");
	CHECK_STR_EQ(rd(ld, 100), "\x80\x80\n");
	free(ld);
}

TEST(utf8_column_for_tab_erase)
{
	struct ldisc *ld = new_ldisc();

	/* "é" is one column under IUTF8: the tab then takes 7. */
	set_iflag(ld, LINUX_IUTF8, 0);
	feed(ld, "\xc3\xa9\t\x7f");
	CHECK_STR_EQ(echo(ld), "\xc3\xa9\t\b\b\b\b\b\b\b");
	free(ld);
}

TEST(word_erase)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "foo bar\x17");
	CHECK_STR_EQ(echo(ld), "foo bar\b \b\b \b\b \b");
	feed(ld, "\n");
	CHECK_STR_EQ(rd(ld, 100), "foo \n");
	/* Trailing blanks go with the word. */
	feed(ld, "foo bar  \x17\n");
	CHECK_STR_EQ(rd(ld, 100), "foo \n");
	/* Punctuation separates words (Linux's ALTWERASE behaviour). */
	feed(ld, "cd /usr/lib/\x17\n");
	CHECK_STR_EQ(rd(ld, 100), "cd /usr/\n");
	feed(ld, "a_b1\x17\n");
	CHECK_STR_EQ(rd(ld, 100), "\n");
	/* Needs IEXTEN. */
	set_lflag(ld, 0, LINUX_IEXTEN);
	feed(ld, "x\x17\n");
	CHECK_STR_EQ(rd(ld, 100), "x\x17\n");
	free(ld);
}

TEST(word_erase_utf8_is_a_word)
{
	struct ldisc *ld = new_ldisc();

	set_iflag(ld, LINUX_IUTF8, 0);
	feed(ld, "ls w\xc3\xb6rld\x17\n");
	CHECK_STR_EQ(rd(ld, 100), "ls \n");
	free(ld);
}

TEST(kill_echo_styles)
{
	struct ldisc *ld = new_ldisc();

	/* ECHOKE (default): rubbed out character by character. */
	feed(ld, "ab\x01\x15");
	CHECK_STR_EQ(echo(ld), "ab^A\b \b\b \b\b \b\b \b");
	feed(ld, "\n");
	CHECK_STR_EQ(rd(ld, 100), "\n");
	/* ECHOK without ECHOKE: the kill character, then a new line. */
	set_lflag(ld, 0, LINUX_ECHOKE);
	echo(ld);
	feed(ld, "ab\x15");
	CHECK_STR_EQ(echo(ld), "ab^U\r\n");
	/* Neither: just the kill character. */
	set_lflag(ld, 0, LINUX_ECHOK);
	feed(ld, "cd\x15" "e\n");
	CHECK_STR_EQ(echo(ld), "cd^Ue\r\n");
	CHECK_STR_EQ(rd(ld, 100), "e\n");
	/* No echo: the line just goes. */
	set_lflag(ld, 0, LINUX_ECHO);
	feed(ld, "gh\x15i\n");
	CHECK_STR_EQ(echo(ld), "");
	CHECK_STR_EQ(rd(ld, 100), "i\n");
	free(ld);
}

TEST(reprint)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "ab\x01\x12");
	CHECK_STR_EQ(echo(ld), "ab^A^R\r\nab^A");
	feed(ld, "\n");
	CHECK_STR_EQ(rd(ld, 100), "ab\x01\n");
	/* Only with ECHO: otherwise ^R is an ordinary character. */
	set_lflag(ld, 0, LINUX_ECHO);
	feed(ld, "x\x12\n");
	CHECK_STR_EQ(rd(ld, 100), "x\x12\n");
	free(ld);
}

TEST(literal_next)
{
	struct ldisc *ld = new_ldisc();

	CHECK_EQ(feed(ld, "\x16\x03"), 0);	/* no SIGINT */
	CHECK_STR_EQ(echo(ld), "^\b^C");
	feed(ld, "\x16\x7f\x16\x15\x16\x04\x16\x13");
	feed(ld, "\x16\n\r");			/* a literal \n, then the end */
	CHECK(!ldisc_is_stopped(ld));
	CHECK_STR_EQ(rd(ld, 100), "\x03\x7f\x15\x04\x13\n\n");
	/* Split across two receive calls. */
	feed(ld, "\x16");
	feed(ld, "\x03\n");
	CHECK_STR_EQ(rd(ld, 100), "\x03\n");
	/* The literal byte can be erased like any other. */
	feed(ld, "a\x16\x7f\x7f\n");
	CHECK_STR_EQ(rd(ld, 100), "a\n");
	/* Not in non-canonical mode. */
	set_raw(ld, 1, 0);
	feed(ld, "\x16");
	CHECK_STR_EQ(rd(ld, 100), "\x16");
	free(ld);
}

TEST(literal_next_without_echoctl)
{
	struct ldisc *ld = new_ldisc();

	set_lflag(ld, 0, LINUX_ECHOCTL);
	feed(ld, "\x16" "a");
	CHECK_STR_EQ(echo(ld), "a");
	free(ld);
}

TEST(eof_at_line_start_is_a_zero_read)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "\x04");
	CHECK_STR_EQ(echo(ld), "");	/* VEOF is not echoed */
	CHECK(ldisc_can_read(ld));
	CHECK_EQ(ldisc_inq(ld), 0);
	CHECK_EQ(wait_for(ld, 10), LDISC_WAIT_NONE);
	CHECK_STR_EQ(rd(ld, 10), "");
	CHECK(!ldisc_can_read(ld));
	CHECK_EQ(wait_for(ld, 10), LDISC_WAIT_INPUT);
	/* Two in a row: two end-of-file reads. */
	feed(ld, "\x04\x04" "x\n");
	CHECK_EQ(ldisc_read(ld, (uint8_t[8]){ 0 }, 8), 0);
	CHECK_EQ(ldisc_read(ld, (uint8_t[8]){ 0 }, 8), 0);
	CHECK_STR_EQ(rd(ld, 10), "x\n");
	free(ld);
}

TEST(eof_after_text_pushes_the_line)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "abc\x04");
	CHECK_EQ(ldisc_inq(ld), 3);
	CHECK_STR_EQ(rd(ld, 10), "abc");
	CHECK(!ldisc_can_read(ld));
	/* Read in pieces: the pushed line ends without an extra EOF. */
	feed(ld, "defg\x04");
	CHECK_STR_EQ(rd(ld, 2), "de");
	CHECK_STR_EQ(rd(ld, 2), "fg");
	CHECK(!ldisc_can_read(ld));
	CHECK_EQ(wait_for(ld, 10), LDISC_WAIT_INPUT);
	/* Then a real EOF still reads as one. */
	feed(ld, "\x04");
	CHECK(ldisc_can_read(ld));
	CHECK_STR_EQ(rd(ld, 10), "");
	free(ld);
}

TEST(eol_and_eol2)
{
	struct ldisc *ld = new_ldisc();

	set_cc(ld, LINUX_VEOL, ';');
	set_cc(ld, LINUX_VEOL2, CTRL('a'));
	feed(ld, "a;b\x01");
	CHECK_STR_EQ(echo(ld), "a;b^A");
	CHECK_STR_EQ(rd(ld, 10), "a;");
	CHECK_STR_EQ(rd(ld, 10), "b\x01");
	/* EOL2 needs IEXTEN. */
	set_lflag(ld, 0, LINUX_IEXTEN);
	feed(ld, "c\x01");
	CHECK(!ldisc_can_read(ld));
	feed(ld, ";");
	CHECK_STR_EQ(rd(ld, 10), "c\x01;");
	free(ld);
}

TEST(echonl_and_no_echo)
{
	struct ldisc *ld = new_ldisc();

	set_lflag(ld, LINUX_ECHONL, LINUX_ECHO);
	feed(ld, "secret\r");
	CHECK_STR_EQ(echo(ld), "\r\n");
	CHECK_STR_EQ(rd(ld, 100), "secret\n");
	set_lflag(ld, 0, LINUX_ECHONL);
	feed(ld, "pw\x7f\x7f\x15\x03");
	CHECK_STR_EQ(echo(ld), "");
	free(ld);
}

TEST(nul_is_never_special)
{
	struct ldisc *ld = new_ldisc();

	/* VEOL, VEOL2 and VSWTC are 0 (disabled) by default. */
	feed_n(ld, "a\0b\n", 4);
	CHECK_STR_EQ(echo(ld), "a^@b\r\n");
	CHECK_EQ(ldisc_inq(ld), 4);
	free(ld);
}

TEST(disabled_control_chars)
{
	struct ldisc *ld = new_ldisc();

	set_cc(ld, LINUX_VINTR, 0);
	set_cc(ld, LINUX_VERASE, 0);
	CHECK_EQ(feed(ld, "\x03\x7f\n"), 0);
	CHECK_STR_EQ(rd(ld, 100), "\x03\x7f\n");
	free(ld);
}

TEST(signal_chars)
{
	struct ldisc *ld = new_ldisc();
	struct ldisc_rx rx;

	feed(ld, "partial");
	echo(ld);
	CHECK_EQ(ldisc_receive(ld, (const uint8_t *)"\x03xyz", 4, &rx), 1);
	CHECK_EQ(rx.signal, LDISC_SIGINT);
	CHECK(rx.flush_output);
	CHECK_STR_EQ(echo(ld), "^C");
	feed(ld, "\n");
	CHECK_STR_EQ(rd(ld, 100), "\n");	/* "partial" was flushed */
	CHECK_EQ(feed(ld, "\x1c"), LDISC_SIGQUIT);
	CHECK_STR_EQ(echo(ld), "^\\");
	CHECK_EQ(feed(ld, "\x1a"), LDISC_SIGTSTP);
	CHECK_STR_EQ(echo(ld), "^Z");
	/* Also in non-canonical mode. */
	set_raw(ld, 1, 0);
	feed(ld, "ab");
	CHECK_EQ(feed(ld, "\x03"), LDISC_SIGINT);
	CHECK_EQ(ldisc_inq(ld), 0);
	free(ld);
}

TEST(signal_chars_stop_receive)
{
	struct ldisc *ld = new_ldisc();
	struct ldisc_rx rx;

	CHECK_EQ(ldisc_receive(ld, (const uint8_t *)"a\x03\x1a" "b", 4, &rx),
		 2);
	CHECK_EQ(rx.signal, LDISC_SIGINT);
	CHECK_EQ(ldisc_receive(ld, (const uint8_t *)"\x1a" "b", 2, &rx), 1);
	CHECK_EQ(rx.signal, LDISC_SIGTSTP);
	CHECK_EQ(ldisc_receive(ld, (const uint8_t *)"b", 1, &rx), 1);
	CHECK_EQ(rx.signal, 0);
	CHECK(!rx.flush_output);
	free(ld);
}

TEST(signal_noflsh_and_pending_echo)
{
	struct ldisc *ld = new_ldisc();
	struct ldisc_rx rx;

	/* Without NOFLSH, echo not yet sent to the device goes too. */
	feed(ld, "abc");
	CHECK_EQ(ldisc_receive(ld, (const uint8_t *)"\x03", 1, &rx), 1);
	CHECK_STR_EQ(echo(ld), "^C");
	set_lflag(ld, LINUX_NOFLSH, 0);
	feed(ld, "abc");
	CHECK_EQ(ldisc_receive(ld, (const uint8_t *)"\x03", 1, &rx), 1);
	CHECK_EQ(rx.signal, LDISC_SIGINT);
	CHECK(!rx.flush_output);
	CHECK_STR_EQ(echo(ld), "abc^C");
	feed(ld, "\n");
	CHECK_STR_EQ(rd(ld, 100), "abc\n");
	/* ISIG off: ordinary characters. */
	set_lflag(ld, 0, LINUX_ISIG);
	CHECK_EQ(feed(ld, "\x03\x1c\x1a\n"), 0);
	CHECK_STR_EQ(rd(ld, 100), "\x03\x1c\x1a\n");
	free(ld);
}

TEST(ixon_stop_start)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "a\x13");
	CHECK(ldisc_is_stopped(ld));
	feed(ld, "b");			/* no IXANY: still stopped */
	CHECK(ldisc_is_stopped(ld));
	feed(ld, "\x11");
	CHECK(!ldisc_is_stopped(ld));
	feed(ld, "\n");
	CHECK_STR_EQ(rd(ld, 100), "ab\n");	/* ^S ^Q not stored */
	CHECK_STR_EQ(echo(ld), "ab\r\n");
	/* IXANY: any character restarts. */
	set_iflag(ld, LINUX_IXANY, 0);
	feed(ld, "\x13");
	CHECK(ldisc_is_stopped(ld));
	feed(ld, "x");
	CHECK(!ldisc_is_stopped(ld));
	/* A signal character restarts output. */
	set_iflag(ld, 0, LINUX_IXANY);
	feed(ld, "\x13");
	feed(ld, "\x03");
	CHECK(!ldisc_is_stopped(ld));
	/* Clearing IXON restarts output. */
	feed(ld, "\x13");
	set_iflag(ld, 0, LINUX_IXON);
	CHECK(!ldisc_is_stopped(ld));
	/* Without IXON they are ordinary. */
	feed(ld, "\x13\x11\n");
	CHECK(!ldisc_is_stopped(ld));
	CHECK_STR_EQ(rd(ld, 100), "\x13\x11\n");
	free(ld);
}

TEST(tcooff_is_not_undone_by_start_char)
{
	struct ldisc *ld = new_ldisc();

	set_iflag(ld, LINUX_IXANY, 0);
	ldisc_tco_stop(ld);
	CHECK(ldisc_is_stopped(ld));
	feed(ld, "\x11" "a\x03");
	CHECK(ldisc_is_stopped(ld));
	ldisc_tco_start(ld);
	CHECK(!ldisc_is_stopped(ld));
	/* TCOON does not undo ^S. */
	feed(ld, "\x13");
	ldisc_tco_start(ld);
	CHECK(ldisc_is_stopped(ld));
	free(ld);
}

TEST(raw_vmin_vtime_decisions)
{
	struct ldisc *ld = new_ldisc();
	unsigned vt;

	/* VMIN 0, VTIME 0: a poll, never waits. */
	set_raw(ld, 0, 0);
	CHECK_EQ(ldisc_read_wait(ld, 10, &vt), LDISC_WAIT_NONE);
	CHECK_STR_EQ(rd(ld, 10), "");
	CHECK(!ldisc_can_read(ld));
	/* VMIN 0, VTIME 5: a timer from the read's start, any byte ends
	 * it. */
	set_raw(ld, 0, 5);
	CHECK_EQ(ldisc_read_wait(ld, 10, &vt), LDISC_WAIT_TIMER);
	CHECK_EQ(vt, 5);
	feed(ld, "a");
	CHECK_EQ(ldisc_read_wait(ld, 10, &vt), LDISC_WAIT_NONE);
	CHECK(ldisc_can_read(ld));
	CHECK_STR_EQ(rd(ld, 10), "a");
	/* VMIN 3, VTIME 0: three bytes (or fewer if fewer asked). */
	set_raw(ld, 3, 0);
	feed(ld, "ab");
	CHECK_EQ(ldisc_read_wait(ld, 10, &vt), LDISC_WAIT_INPUT);
	CHECK_EQ(ldisc_read_wait(ld, 2, &vt), LDISC_WAIT_NONE);
	CHECK(!ldisc_can_read(ld));	/* poll wants VMIN bytes */
	feed(ld, "c");
	CHECK(ldisc_can_read(ld));
	CHECK_EQ(ldisc_read_wait(ld, 10, &vt), LDISC_WAIT_NONE);
	feed(ld, "de");
	CHECK_STR_EQ(rd(ld, 10), "abcde");
	/* VMIN 3, VTIME 2: no timer before the first byte, then an
	 * inter-byte timer. */
	set_raw(ld, 3, 2);
	CHECK_EQ(ldisc_read_wait(ld, 10, &vt), LDISC_WAIT_INPUT);
	feed(ld, "x");
	CHECK_EQ(ldisc_read_wait(ld, 10, &vt), LDISC_WAIT_TIMER);
	CHECK_EQ(vt, 2);
	CHECK(ldisc_can_read(ld));	/* VTIME set: one byte is enough */
	feed(ld, "yz");
	CHECK_EQ(ldisc_read_wait(ld, 10, &vt), LDISC_WAIT_NONE);
	CHECK_STR_EQ(rd(ld, 2), "xy");
	CHECK_STR_EQ(rd(ld, 10), "z");
	free(ld);
}

TEST(raw_mode_keeps_everything)
{
	struct ldisc *ld = new_ldisc();

	set_raw(ld, 1, 0);
	/* No editing; ICRNL still applies; ISIG still on. */
	feed(ld, "a\x7f\x15\x04\x17\x16\x12\r");
	CHECK_EQ(ldisc_inq(ld), 8);
	CHECK_STR_EQ(rd(ld, 100), "a\x7f\x15\x04\x17\x16\x12\n");
	CHECK_STR_EQ(echo(ld), "");
	free(ld);
}

TEST(raw_mode_echo)
{
	struct ldisc *ld = new_ldisc();

	set_lflag(ld, 0, LINUX_ICANON);
	feed(ld, "a\x01\r");
	/* \r became \n on the special path: echoed as a newline. */
	CHECK_STR_EQ(echo(ld), "a^A\r\n");
	/* A literal ^J is not special here: echoed as ^J, as Linux does. */
	feed(ld, "\n");
	CHECK_STR_EQ(echo(ld), "^J");
	free(ld);
}

TEST(raw_buffer_full_refuses)
{
	struct ldisc *ld = new_ldisc();
	static char big[5000];
	struct ldisc_rx rx;
	size_t n;

	set_raw(ld, 1, 0);
	memset(big, 'x', sizeof(big));
	n = ldisc_receive(ld, (uint8_t *)big, sizeof(big), &rx);
	CHECK_EQ(n, LDISC_BUF_SIZE - 1);
	CHECK(!ldisc_has_room(ld));
	CHECK_EQ(ldisc_receive(ld, (const uint8_t *)"\x03", 1, &rx), 0);
	CHECK_EQ(rx.signal, 0);
	CHECK_EQ(strlen(rd(ld, 100)), 100);
	CHECK(ldisc_has_room(ld));
	CHECK_EQ(ldisc_receive(ld, (uint8_t *)big, sizeof(big), &rx), 100);
	CHECK_EQ(ldisc_inq(ld), LDISC_BUF_SIZE - 1);
	free(ld);
}

TEST(canon_overflow_still_ends_the_line)
{
	struct ldisc *ld = new_ldisc();
	static char big[5000];
	struct ldisc_rx rx;
	const char *line;

	memset(big, 'y', sizeof(big));
	/* Taken (for editing), but only what fits is kept or echoed. */
	CHECK_EQ(ldisc_receive(ld, (uint8_t *)big, sizeof(big), &rx),
		 sizeof(big));
	CHECK_EQ(ldisc_echo_pending(ld), LDISC_BUF_SIZE - 1);
	CHECK(ldisc_has_room(ld));
	/* Erase still works when full. */
	feed(ld, "\x7f" "z");
	feed(ld, "\n");
	CHECK_EQ(ldisc_inq(ld), LDISC_BUF_SIZE);
	/* A complete line pending and the buffer full: refused. */
	CHECK(!ldisc_has_room(ld));
	CHECK_EQ(ldisc_receive(ld, (const uint8_t *)"q", 1, &rx), 0);
	line = rd(ld, LDISC_BUF_SIZE);
	CHECK_EQ(strlen(line), LDISC_BUF_SIZE);
	CHECK_EQ(line[LDISC_BUF_SIZE - 3], 'y');
	CHECK_EQ(line[LDISC_BUF_SIZE - 2], 'z');
	CHECK_EQ(line[LDISC_BUF_SIZE - 1], '\n');
	CHECK(ldisc_has_room(ld));
	free(ld);
}

TEST(canon_full_with_lines_pending)
{
	struct ldisc *ld = new_ldisc();
	static char lines[LDISC_BUF_SIZE];
	struct ldisc_rx rx;
	size_t i;

	for (i = 0; i < sizeof(lines); i++) {
		lines[i] = (i % 8 == 7) ? '\n' : 'l';
	}
	CHECK_EQ(ldisc_receive(ld, (uint8_t *)lines, sizeof(lines), &rx),
		 LDISC_BUF_SIZE - 1);
	CHECK(!ldisc_has_room(ld));
	CHECK_STR_EQ(rd(ld, 100), "lllllll\n");
	CHECK(ldisc_has_room(ld));
	free(ld);
}

TEST(mode_switches)
{
	struct ldisc *ld = new_ldisc();

	/* A partial line becomes readable in non-canonical mode. */
	feed(ld, "abc");
	CHECK(!ldisc_can_read(ld));
	set_raw(ld, 1, 0);
	CHECK_EQ(ldisc_inq(ld), 3);
	/* Raw input becomes one line when canonical mode comes back. */
	feed(ld, "de");
	set_lflag(ld, LINUX_ICANON, 0);
	CHECK(ldisc_can_read(ld));
	CHECK_EQ(ldisc_inq(ld), 5);
	CHECK_STR_EQ(rd(ld, 100), "abcde");
	CHECK(!ldisc_can_read(ld));
	/* Nothing pending: nothing readable. */
	set_raw(ld, 1, 0);
	set_lflag(ld, LINUX_ICANON, 0);
	CHECK(!ldisc_can_read(ld));
	/* A pending literal-next is forgotten. */
	feed(ld, "\x16");
	set_raw(ld, 1, 0);
	set_lflag(ld, LINUX_ICANON, 0);
	feed(ld, "\x03");
	CHECK_EQ(ldisc_inq(ld), 0);
	free(ld);
}

TEST(flush_input)
{
	struct ldisc *ld = new_ldisc();

	feed(ld, "line\npart\x16");
	ldisc_flush_input(ld);
	CHECK(!ldisc_can_read(ld));
	CHECK_EQ(ldisc_inq(ld), 0);
	/* The literal-next went too. */
	CHECK_EQ(feed(ld, "\x03"), LDISC_SIGINT);
	feed(ld, "ok\n");
	CHECK_STR_EQ(rd(ld, 100), "ok\n");
	free(ld);
}

TEST(echoprt)
{
	struct ldisc *ld = new_ldisc();

	set_lflag(ld, LINUX_ECHOPRT, 0);
	feed(ld, "abc\x7f\x7f" "d");
	CHECK_STR_EQ(echo(ld), "abc\\cb/d");
	feed(ld, "\x7f\x7f\x7f");	/* back to the line start: "/" */
	CHECK_STR_EQ(echo(ld), "\\da/");
	free(ld);
}

TEST(output_processing)
{
	struct ldisc *ld = new_ldisc();

	CHECK_STR_EQ(out(ld, "a\nb"), "a\r\nb");
	set_oflag(ld, 0, LINUX_ONLCR);
	CHECK_STR_EQ(out(ld, "a\nb"), "a\nb");
	set_oflag(ld, LINUX_OCRNL, 0);
	CHECK_STR_EQ(out(ld, "a\rb"), "a\nb");
	set_oflag(ld, LINUX_ONOCR, LINUX_OCRNL);
	/* The column is 2 ("a\nb" without ONLRET): the first \r goes out,
	 * the second, at column 0, does not. */
	CHECK_STR_EQ(out(ld, "\r\rx\r"), "\rx\r");
	set_oflag(ld, LINUX_ONLRET, 0);
	CHECK_STR_EQ(out(ld, "x\n\r"), "x\n");	/* \n went to column 0 */
	set_oflag(ld, LINUX_OLCUC | LINUX_ONLCR, LINUX_ONOCR | LINUX_ONLRET);
	CHECK_STR_EQ(out(ld, "Hello\n"), "HELLO\r\n");
	set_oflag(ld, LINUX_XTABS, LINUX_OLCUC);
	CHECK_STR_EQ(out(ld, "\tab\tc"), "        ab      c");
	set_oflag(ld, 0, LINUX_OPOST);
	CHECK_STR_EQ(out(ld, "\ta\nb"), "\ta\nb");
	free(ld);
}

TEST(output_never_splits_an_expansion)
{
	struct ldisc *ld = new_ldisc();
	uint8_t buf[8];
	size_t used, n;

	n = ldisc_output(ld, (const uint8_t *)"ab\ncd", 5, buf, 3, &used);
	CHECK_EQ(n, 2);
	CHECK_EQ(used, 2);
	n = ldisc_output(ld, (const uint8_t *)"\ncd", 3, buf, 2, &used);
	CHECK_EQ(n, 2);
	CHECK_EQ(used, 1);
	CHECK(memcmp(buf, "\r\n", 2) == 0);
	/* "c" did not fit: the column is still 0, a tab is 8 spaces. */
	set_oflag(ld, LINUX_XTABS, 0);
	n = ldisc_output(ld, (const uint8_t *)"\t", 1, buf, 7, &used);
	CHECK_EQ(n, 0);
	CHECK_EQ(used, 0);
	n = ldisc_output(ld, (const uint8_t *)"\t", 1, buf, 8, &used);
	CHECK_EQ(n, 8);
	CHECK_EQ(used, 1);
	/* Raw output: as much as fits. */
	set_oflag(ld, 0, LINUX_OPOST);
	n = ldisc_output(ld, (const uint8_t *)"0123456789", 10, buf, 8, &used);
	CHECK_EQ(n, 8);
	CHECK_EQ(used, 8);
	free(ld);
}

TEST(echo_output_processing)
{
	struct ldisc *ld = new_ldisc();

	/* Without OPOST the echoed newline is a bare \n. */
	set_oflag(ld, 0, LINUX_OPOST);
	feed(ld, "a\r");
	CHECK_STR_EQ(echo(ld), "a\n");
	/* XTABS expands echoed tabs as well. */
	set_oflag(ld, LINUX_OPOST | LINUX_XTABS, 0);
	feed(ld, "ab\t");
	CHECK_STR_EQ(echo(ld), "ab      ");
	free(ld);
}

TEST(echo_take_in_pieces)
{
	struct ldisc *ld = new_ldisc();
	uint8_t buf[4];

	feed(ld, "hello");
	CHECK_EQ(ldisc_echo_pending(ld), 5);
	CHECK_EQ(ldisc_echo_take(ld, buf, 3), 3);
	CHECK(memcmp(buf, "hel", 3) == 0);
	CHECK_EQ(ldisc_echo_take(ld, buf, 4), 2);
	CHECK(memcmp(buf, "lo", 2) == 0);
	CHECK_EQ(ldisc_echo_take(ld, buf, 4), 0);
	free(ld);
}

TEST(echo_buffer_full_drops_echo_not_input)
{
	struct ldisc *ld = new_ldisc();
	static char many[3000];
	size_t i;

	/* ^A echoes as two bytes: 3000 of them overflow the echo buffer,
	 * which is never drained here (output stopped, say). */
	memset(many, 1, sizeof(many));
	feed_n(ld, many, sizeof(many));
	CHECK(ldisc_echo_pending(ld) <= LDISC_ECHO_SIZE);
	CHECK_EQ(ldisc_echo_pending(ld) % 2, 0);	/* pairs kept whole */
	feed(ld, "\n");
	CHECK_EQ(ldisc_inq(ld), sizeof(many) + 1);
	for (i = 0; i < 100; i++) {
		feed(ld, "\x7f");	/* erasing with a full echo buffer */
	}
	CHECK(ldisc_echo_pending(ld) <= LDISC_ECHO_SIZE);
	free(ld);
}

/* Random bytes under random settings: no crash (ASan/UBSan watch), and
 * the buffer invariants hold throughout. */
TEST(random_input_keeps_invariants)
{
	static const uint8_t alphabet[] = {
		'a', 'b', ' ', '\t', '\r', '\n', 0, 3, 4, 0x11, 0x12, 0x13,
		0x15, 0x16, 0x17, 0x1a, 0x1c, 0x7f, 0xc3, 0xa9, 0xe2, 0x80,
	};
	struct ldisc *ld = new_ldisc();
	uint8_t in[64], buf[512];
	int round;

	rng_seed(4242);
	for (round = 0; round < 20000; round++) {
		struct ldisc_rx rx;
		size_t i, n = rng() % sizeof(in);
		uint64_t r = rng();

		for (i = 0; i < n; i++) {
			in[i] = alphabet[rng() % sizeof(alphabet)];
		}
		if (r % 50 == 0) {
			struct linux_termios t = *ldisc_termios(ld);

			t.c_iflag ^= (uint32_t)(rng() & (LINUX_ICRNL |
				LINUX_INLCR | LINUX_IGNCR | LINUX_IXON |
				LINUX_IXANY | LINUX_IUTF8 | LINUX_ISTRIP));
			t.c_lflag ^= (uint32_t)(rng() & (LINUX_ICANON |
				LINUX_ECHO | LINUX_ECHOE | LINUX_ECHOK |
				LINUX_ECHOKE | LINUX_ECHOCTL | LINUX_ECHOPRT |
				LINUX_ISIG | LINUX_NOFLSH | LINUX_IEXTEN));
			t.c_oflag ^= (uint32_t)(rng() & (LINUX_OPOST |
				LINUX_ONLCR | LINUX_XTABS | LINUX_OCRNL));
			t.c_cc[LINUX_VMIN] = (uint8_t)(rng() % 4);
			t.c_cc[LINUX_VTIME] = (uint8_t)(rng() % 2);
			ldisc_set_termios(ld, &t);
		}
		ldisc_receive(ld, in, n, &rx);
		if (r % 3 == 0) {
			ldisc_read(ld, buf, rng() % sizeof(buf));
		}
		if (r % 2 == 0) {
			ldisc_echo_take(ld, buf, rng() % sizeof(buf));
		}
		if (r % 997 == 0) {
			ldisc_flush_input(ld);
		}
		REQUIRE(ld->read_head - ld->read_tail <= LDISC_BUF_SIZE);
		REQUIRE(ldisc_echo_pending(ld) <= LDISC_ECHO_SIZE);
		if (ldisc_termios(ld)->c_lflag & LINUX_ICANON) {
			REQUIRE(ld->canon_head - ld->read_tail <=
				ld->read_head - ld->read_tail);
			REQUIRE(ldisc_inq(ld) <=
				ld->canon_head - ld->read_tail);
		}
	}
	free(ld);
}

int main(void)
{
	RUN(defaults_are_linux);
	RUN(canon_line_and_echo);
	RUN(canon_read_one_line_at_a_time);
	RUN(canon_control_chars_echo_as_caret);
	RUN(input_translation);
	RUN(istrip_and_iuclc);
	RUN(erase);
	RUN(erase_cannot_cross_a_line_end);
	RUN(erase_without_echoe_echoes_the_erase_char);
	RUN(erase_control_char_takes_two_columns);
	RUN(erase_tab);
	RUN(erase_utf8);
	RUN(utf8_column_for_tab_erase);
	RUN(word_erase);
	RUN(word_erase_utf8_is_a_word);
	RUN(kill_echo_styles);
	RUN(reprint);
	RUN(literal_next);
	RUN(literal_next_without_echoctl);
	RUN(eof_at_line_start_is_a_zero_read);
	RUN(eof_after_text_pushes_the_line);
	RUN(eol_and_eol2);
	RUN(echonl_and_no_echo);
	RUN(nul_is_never_special);
	RUN(disabled_control_chars);
	RUN(signal_chars);
	RUN(signal_chars_stop_receive);
	RUN(signal_noflsh_and_pending_echo);
	RUN(ixon_stop_start);
	RUN(tcooff_is_not_undone_by_start_char);
	RUN(raw_vmin_vtime_decisions);
	RUN(raw_mode_keeps_everything);
	RUN(raw_mode_echo);
	RUN(raw_buffer_full_refuses);
	RUN(canon_overflow_still_ends_the_line);
	RUN(canon_full_with_lines_pending);
	RUN(mode_switches);
	RUN(flush_input);
	RUN(echoprt);
	RUN(output_processing);
	RUN(output_never_splits_an_expansion);
	RUN(echo_output_processing);
	RUN(echo_take_in_pieces);
	RUN(echo_buffer_full_drops_echo_not_input);
	RUN(random_input_keeps_invariants);
	return check_done();
}
