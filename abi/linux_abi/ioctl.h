/*
 * Linux x86_64 ioctl request numbers for terminals (and the generic
 * FIO* ones that share their range). Written from the ioctl_tty(2) and
 * ioctl(2) man pages; tests/host/test_termios_abi.c checks them against
 * the host's Linux UAPI headers. Argument types in the comments.
 */
#pragma once

#define LINUX_TCGETS 0x5401		/* struct linux_termios * (out) */
#define LINUX_TCSETS 0x5402		/* const struct linux_termios * */
#define LINUX_TCSETSW 0x5403		/* ... after output drained */
#define LINUX_TCSETSF 0x5404		/* ... drained, input flushed */
#define LINUX_TCGETA 0x5405
#define LINUX_TCSETA 0x5406
#define LINUX_TCSETAW 0x5407
#define LINUX_TCSETAF 0x5408
#define LINUX_TCSBRK 0x5409		/* int, by value: 0 break, else drain */
#define LINUX_TCXONC 0x540A		/* int, by value: LINUX_TCOOFF... */
#define LINUX_TCFLSH 0x540B		/* int, by value: LINUX_TCIFLUSH... */
#define LINUX_TIOCEXCL 0x540C
#define LINUX_TIOCNXCL 0x540D
#define LINUX_TIOCSCTTY 0x540E		/* int, by value: 1 steal (root) */
#define LINUX_TIOCGPGRP 0x540F		/* pid_t * (out) */
#define LINUX_TIOCSPGRP 0x5410		/* const pid_t * */
#define LINUX_TIOCOUTQ 0x5411		/* int * (out) */
#define LINUX_TIOCSTI 0x5412		/* const char *: fake input */
#define LINUX_TIOCGWINSZ 0x5413		/* struct linux_winsize * (out) */
#define LINUX_TIOCSWINSZ 0x5414		/* const struct linux_winsize * */
#define LINUX_TIOCMGET 0x5415
#define LINUX_TIOCMBIS 0x5416
#define LINUX_TIOCMBIC 0x5417
#define LINUX_TIOCMSET 0x5418
#define LINUX_TIOCGSOFTCAR 0x5419
#define LINUX_TIOCSSOFTCAR 0x541A
#define LINUX_FIONREAD 0x541B		/* int * (out); also TIOCINQ */
#define LINUX_TIOCINQ LINUX_FIONREAD
#define LINUX_TIOCLINUX 0x541C
#define LINUX_TIOCCONS 0x541D
#define LINUX_TIOCGSERIAL 0x541E
#define LINUX_TIOCSSERIAL 0x541F
#define LINUX_TIOCPKT 0x5420
#define LINUX_FIONBIO 0x5421		/* const int * */
#define LINUX_TIOCNOTTY 0x5422
#define LINUX_TIOCSETD 0x5423		/* const int *: line discipline */
#define LINUX_TIOCGETD 0x5424		/* int * (out) */
#define LINUX_TCSBRKP 0x5425
#define LINUX_TIOCSBRK 0x5427
#define LINUX_TIOCCBRK 0x5428
#define LINUX_TIOCGSID 0x5429		/* pid_t * (out) */
#define LINUX_TCGETS2 0x802C542Au
#define LINUX_TCSETS2 0x402C542Bu
#define LINUX_TCSETSW2 0x402C542Cu
#define LINUX_TCSETSF2 0x402C542Du
#define LINUX_TIOCGPTN 0x80045430u	/* unsigned * (out): pty number */
#define LINUX_TIOCSPTLCK 0x40045431u	/* const int *: lock the pty */
#define LINUX_TIOCGDEV 0x80045432u
#define LINUX_TIOCSIG 0x40045436u
#define LINUX_TIOCVHANGUP 0x5437
#define LINUX_TIOCGPKT 0x80045438u
#define LINUX_TIOCGPTLCK 0x80045439u
#define LINUX_TIOCGEXCL 0x80045440u
#define LINUX_TIOCGPTPEER 0x5441
#define LINUX_FIONCLEX 0x5450
#define LINUX_FIOCLEX 0x5451
#define LINUX_FIOASYNC 0x5452
