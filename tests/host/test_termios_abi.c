/*
 * abi/linux_abi/termios.h and abi/linux_abi/ioctl.h against the host's Linux
 * UAPI headers (linux-libc-dev): every value and the struct layouts the
 * ioctls carry. A typo in our headers fails here rather than as a
 * mysterious terminal bug in the guest.
 */
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <stddef.h>
#include <asm/termios.h>

#include "check.h"

/* Ours by path: this test is built without -Iabi (see termios_abi.mk),
 * or abi/linux_abi/ioctl.h would stand in for the host's <linux_abi/ioctl.h>,
 * which the asm/ headers include. */
#include "../../abi/linux_abi/ioctl.h"
#include "../../abi/linux_abi/termios.h"

#define SAME(ours, theirs) CHECK_EQ(LINUX_##ours, theirs)

TEST(termios_layout)
{
	CHECK_EQ(sizeof(struct linux_termios), sizeof(struct termios));
	CHECK_EQ(offsetof(struct linux_termios, c_oflag),
		 offsetof(struct termios, c_oflag));
	CHECK_EQ(offsetof(struct linux_termios, c_cflag),
		 offsetof(struct termios, c_cflag));
	CHECK_EQ(offsetof(struct linux_termios, c_lflag),
		 offsetof(struct termios, c_lflag));
	CHECK_EQ(offsetof(struct linux_termios, c_line),
		 offsetof(struct termios, c_line));
	CHECK_EQ(offsetof(struct linux_termios, c_cc),
		 offsetof(struct termios, c_cc));
	SAME(NCCS, NCCS);
	CHECK_EQ(sizeof(struct linux_termios2), sizeof(struct termios2));
	CHECK_EQ(offsetof(struct linux_termios2, c_cc),
		 offsetof(struct termios2, c_cc));
	CHECK_EQ(offsetof(struct linux_termios2, c_ispeed),
		 offsetof(struct termios2, c_ispeed));
	CHECK_EQ(offsetof(struct linux_termios2, c_ospeed),
		 offsetof(struct termios2, c_ospeed));
	CHECK_EQ(sizeof(struct linux_winsize), sizeof(struct winsize));
	CHECK_EQ(offsetof(struct linux_winsize, ws_col),
		 offsetof(struct winsize, ws_col));
	CHECK_EQ(offsetof(struct linux_winsize, ws_ypixel),
		 offsetof(struct winsize, ws_ypixel));
}

TEST(termios_cc_indices)
{
	SAME(VINTR, VINTR);
	SAME(VQUIT, VQUIT);
	SAME(VERASE, VERASE);
	SAME(VKILL, VKILL);
	SAME(VEOF, VEOF);
	SAME(VTIME, VTIME);
	SAME(VMIN, VMIN);
	SAME(VSWTC, VSWTC);
	SAME(VSTART, VSTART);
	SAME(VSTOP, VSTOP);
	SAME(VSUSP, VSUSP);
	SAME(VEOL, VEOL);
	SAME(VREPRINT, VREPRINT);
	SAME(VDISCARD, VDISCARD);
	SAME(VWERASE, VWERASE);
	SAME(VLNEXT, VLNEXT);
	SAME(VEOL2, VEOL2);
	SAME(N_TTY, 0);
}

TEST(termios_iflag)
{
	SAME(IGNBRK, IGNBRK);
	SAME(BRKINT, BRKINT);
	SAME(IGNPAR, IGNPAR);
	SAME(PARMRK, PARMRK);
	SAME(INPCK, INPCK);
	SAME(ISTRIP, ISTRIP);
	SAME(INLCR, INLCR);
	SAME(IGNCR, IGNCR);
	SAME(ICRNL, ICRNL);
	SAME(IUCLC, IUCLC);
	SAME(IXON, IXON);
	SAME(IXANY, IXANY);
	SAME(IXOFF, IXOFF);
	SAME(IMAXBEL, IMAXBEL);
	SAME(IUTF8, IUTF8);
}

TEST(termios_oflag)
{
	SAME(OPOST, OPOST);
	SAME(OLCUC, OLCUC);
	SAME(ONLCR, ONLCR);
	SAME(OCRNL, OCRNL);
	SAME(ONOCR, ONOCR);
	SAME(ONLRET, ONLRET);
	SAME(OFILL, OFILL);
	SAME(OFDEL, OFDEL);
	SAME(NLDLY, NLDLY);
	SAME(CRDLY, CRDLY);
	SAME(TABDLY, TABDLY);
	SAME(TAB0, TAB0);
	SAME(TAB3, TAB3);
	SAME(XTABS, XTABS);
	SAME(BSDLY, BSDLY);
	SAME(VTDLY, VTDLY);
	SAME(FFDLY, FFDLY);
}

TEST(termios_cflag)
{
	SAME(CBAUD, CBAUD);
	SAME(B0, B0);
	SAME(B9600, B9600);
	SAME(B38400, B38400);
	SAME(CBAUDEX, CBAUDEX);
	SAME(BOTHER, BOTHER);
	SAME(B57600, B57600);
	SAME(B115200, B115200);
	SAME(B4000000, B4000000);
	SAME(CIBAUD, CIBAUD);
	SAME(IBSHIFT, IBSHIFT);
	SAME(CSIZE, CSIZE);
	SAME(CS8, CS8);
	SAME(CSTOPB, CSTOPB);
	SAME(CREAD, CREAD);
	SAME(PARENB, PARENB);
	SAME(PARODD, PARODD);
	SAME(HUPCL, HUPCL);
	SAME(CLOCAL, CLOCAL);
}

TEST(termios_lflag)
{
	SAME(ISIG, ISIG);
	SAME(ICANON, ICANON);
	SAME(XCASE, XCASE);
	SAME(ECHO, ECHO);
	SAME(ECHOE, ECHOE);
	SAME(ECHOK, ECHOK);
	SAME(ECHONL, ECHONL);
	SAME(NOFLSH, NOFLSH);
	SAME(TOSTOP, TOSTOP);
	SAME(ECHOCTL, ECHOCTL);
	SAME(ECHOPRT, ECHOPRT);
	SAME(ECHOKE, ECHOKE);
	SAME(FLUSHO, FLUSHO);
	SAME(PENDIN, PENDIN);
	SAME(IEXTEN, IEXTEN);
	SAME(EXTPROC, EXTPROC);
}

TEST(termios_flush_flow_args)
{
	SAME(TCIFLUSH, TCIFLUSH);
	SAME(TCOFLUSH, TCOFLUSH);
	SAME(TCIOFLUSH, TCIOFLUSH);
	SAME(TCOOFF, TCOOFF);
	SAME(TCOON, TCOON);
	SAME(TCIOFF, TCIOFF);
	SAME(TCION, TCION);
}

TEST(ioctl_numbers)
{
	SAME(TCGETS, TCGETS);
	SAME(TCSETS, TCSETS);
	SAME(TCSETSW, TCSETSW);
	SAME(TCSETSF, TCSETSF);
	SAME(TCGETA, TCGETA);
	SAME(TCSETA, TCSETA);
	SAME(TCSETAW, TCSETAW);
	SAME(TCSETAF, TCSETAF);
	SAME(TCSBRK, TCSBRK);
	SAME(TCXONC, TCXONC);
	SAME(TCFLSH, TCFLSH);
	SAME(TIOCEXCL, TIOCEXCL);
	SAME(TIOCNXCL, TIOCNXCL);
	SAME(TIOCSCTTY, TIOCSCTTY);
	SAME(TIOCGPGRP, TIOCGPGRP);
	SAME(TIOCSPGRP, TIOCSPGRP);
	SAME(TIOCOUTQ, TIOCOUTQ);
	SAME(TIOCSTI, TIOCSTI);
	SAME(TIOCGWINSZ, TIOCGWINSZ);
	SAME(TIOCSWINSZ, TIOCSWINSZ);
	SAME(TIOCMGET, TIOCMGET);
	SAME(TIOCMBIS, TIOCMBIS);
	SAME(TIOCMBIC, TIOCMBIC);
	SAME(TIOCMSET, TIOCMSET);
	SAME(TIOCGSOFTCAR, TIOCGSOFTCAR);
	SAME(TIOCSSOFTCAR, TIOCSSOFTCAR);
	SAME(FIONREAD, FIONREAD);
	SAME(TIOCINQ, TIOCINQ);
	SAME(TIOCLINUX, TIOCLINUX);
	SAME(TIOCCONS, TIOCCONS);
	SAME(TIOCGSERIAL, TIOCGSERIAL);
	SAME(TIOCSSERIAL, TIOCSSERIAL);
	SAME(TIOCPKT, TIOCPKT);
	SAME(FIONBIO, FIONBIO);
	SAME(TIOCNOTTY, TIOCNOTTY);
	SAME(TIOCSETD, TIOCSETD);
	SAME(TIOCGETD, TIOCGETD);
	SAME(TCSBRKP, TCSBRKP);
	SAME(TIOCSBRK, TIOCSBRK);
	SAME(TIOCCBRK, TIOCCBRK);
	SAME(TIOCGSID, TIOCGSID);
	SAME(TCGETS2, TCGETS2);
	SAME(TCSETS2, TCSETS2);
	SAME(TCSETSW2, TCSETSW2);
	SAME(TCSETSF2, TCSETSF2);
	SAME(TIOCGPTN, TIOCGPTN);
	SAME(TIOCSPTLCK, TIOCSPTLCK);
	SAME(TIOCGDEV, TIOCGDEV);
	SAME(TIOCSIG, TIOCSIG);
	SAME(TIOCVHANGUP, TIOCVHANGUP);
	SAME(TIOCGPKT, TIOCGPKT);
	SAME(TIOCGPTLCK, TIOCGPTLCK);
	SAME(TIOCGEXCL, TIOCGEXCL);
	SAME(TIOCGPTPEER, TIOCGPTPEER);
	SAME(FIONCLEX, FIONCLEX);
	SAME(FIOCLEX, FIOCLEX);
	SAME(FIOASYNC, FIOASYNC);
}

int main(void)
{
	RUN(termios_layout);
	RUN(termios_cc_indices);
	RUN(termios_iflag);
	RUN(termios_oflag);
	RUN(termios_cflag);
	RUN(termios_lflag);
	RUN(termios_flush_flow_args);
	RUN(ioctl_numbers);
	return check_done();
}
