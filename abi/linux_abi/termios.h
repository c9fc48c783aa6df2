/*
 * Linux x86_64 terminal settings: struct termios as the TCGETS/TCSETS
 * ioctls carry it (the kernel's layout, not glibc's larger one), struct
 * winsize, the c_cc indices, the mode bits and the tcflush/tcflow
 * arguments. Written from the termios(3), tty_ioctl(2) and ioctl_tty(2)
 * man pages; tests/host/test_termios_abi.c checks every value against
 * the host's Linux UAPI headers.
 */
#pragma once

#include <stdint.h>

#define LINUX_NCCS 19

struct linux_termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;			/* line discipline: LINUX_N_TTY */
	uint8_t c_cc[LINUX_NCCS];
};
_Static_assert(sizeof(struct linux_termios) == 36, "TCGETS layout");

/* TCGETS2/TCSETS2: the same with the speeds in bits per second (for
 * CBAUD == LINUX_BOTHER). */
struct linux_termios2 {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[LINUX_NCCS];
	uint32_t c_ispeed;
	uint32_t c_ospeed;
};
_Static_assert(sizeof(struct linux_termios2) == 44, "TCGETS2 layout");
_Static_assert(__builtin_offsetof(struct linux_termios2, c_ispeed) ==
		       sizeof(struct linux_termios),
	       "struct termios2 extends struct termios");

struct linux_winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};
_Static_assert(sizeof(struct linux_winsize) == 8, "TIOCGWINSZ layout");

/* The one line discipline. */
#define LINUX_N_TTY 0

/* c_cc indices. A c_cc value of 0 (_POSIX_VDISABLE) disables the
 * function. */
#define LINUX_VINTR 0
#define LINUX_VQUIT 1
#define LINUX_VERASE 2
#define LINUX_VKILL 3
#define LINUX_VEOF 4
#define LINUX_VTIME 5
#define LINUX_VMIN 6
#define LINUX_VSWTC 7
#define LINUX_VSTART 8
#define LINUX_VSTOP 9
#define LINUX_VSUSP 10
#define LINUX_VEOL 11
#define LINUX_VREPRINT 12
#define LINUX_VDISCARD 13
#define LINUX_VWERASE 14
#define LINUX_VLNEXT 15
#define LINUX_VEOL2 16

/* c_iflag */
#define LINUX_IGNBRK 0000001u
#define LINUX_BRKINT 0000002u
#define LINUX_IGNPAR 0000004u
#define LINUX_PARMRK 0000010u
#define LINUX_INPCK 0000020u
#define LINUX_ISTRIP 0000040u
#define LINUX_INLCR 0000100u
#define LINUX_IGNCR 0000200u
#define LINUX_ICRNL 0000400u
#define LINUX_IUCLC 0001000u
#define LINUX_IXON 0002000u
#define LINUX_IXANY 0004000u
#define LINUX_IXOFF 0010000u
#define LINUX_IMAXBEL 0020000u
#define LINUX_IUTF8 0040000u

/* c_oflag */
#define LINUX_OPOST 0000001u
#define LINUX_OLCUC 0000002u
#define LINUX_ONLCR 0000004u
#define LINUX_OCRNL 0000010u
#define LINUX_ONOCR 0000020u
#define LINUX_ONLRET 0000040u
#define LINUX_OFILL 0000100u
#define LINUX_OFDEL 0000200u
#define LINUX_NLDLY 0000400u
#define LINUX_CRDLY 0003000u
#define LINUX_TABDLY 0014000u
#define LINUX_TAB0 0000000u
#define LINUX_TAB3 0014000u
#define LINUX_XTABS 0014000u		/* TAB3: expand tabs to spaces */
#define LINUX_BSDLY 0020000u
#define LINUX_VTDLY 0040000u
#define LINUX_FFDLY 0100000u

/* c_cflag */
#define LINUX_CBAUD 0010017u
#define LINUX_B0 0000000u
#define LINUX_B9600 0000015u
#define LINUX_B38400 0000017u
#define LINUX_CBAUDEX 0010000u	/* the speeds above 38400 */
#define LINUX_BOTHER 0010000u	/* the speed is in c_ispeed/c_ospeed */
#define LINUX_B57600 0010001u
#define LINUX_B115200 0010002u
#define LINUX_B4000000 0010017u
#define LINUX_CIBAUD 002003600000u	/* input speed, CBAUD << IBSHIFT */
#define LINUX_IBSHIFT 16
#define LINUX_CSIZE 0000060u
#define LINUX_CS8 0000060u
#define LINUX_CSTOPB 0000100u
#define LINUX_CREAD 0000200u
#define LINUX_PARENB 0000400u
#define LINUX_PARODD 0001000u
#define LINUX_HUPCL 0002000u
#define LINUX_CLOCAL 0004000u

/* c_lflag */
#define LINUX_ISIG 0000001u
#define LINUX_ICANON 0000002u
#define LINUX_XCASE 0000004u
#define LINUX_ECHO 0000010u
#define LINUX_ECHOE 0000020u
#define LINUX_ECHOK 0000040u
#define LINUX_ECHONL 0000100u
#define LINUX_NOFLSH 0000200u
#define LINUX_TOSTOP 0000400u
#define LINUX_ECHOCTL 0001000u
#define LINUX_ECHOPRT 0002000u
#define LINUX_ECHOKE 0004000u
#define LINUX_FLUSHO 0010000u
#define LINUX_PENDIN 0040000u
#define LINUX_IEXTEN 0100000u
#define LINUX_EXTPROC 0200000u

/* TCFLSH argument (tcflush) */
#define LINUX_TCIFLUSH 0
#define LINUX_TCOFLUSH 1
#define LINUX_TCIOFLUSH 2

/* TCXONC argument (tcflow) */
#define LINUX_TCOOFF 0
#define LINUX_TCOON 1
#define LINUX_TCIOFF 2
#define LINUX_TCION 3
