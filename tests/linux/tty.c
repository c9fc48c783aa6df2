/*
 * Terminal calls where there is no terminal: pipes, regular files and
 * /dev/null are not ttys (isatty, the termios and job-control ioctls,
 * ttyname fail with ENOTTY), and a process in a new session has no
 * controlling terminal (/dev/tty gives ENXIO). What works with a
 * terminal is tested over the serial console by the scenario tests.
 */
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>

#include "lt.h"

static void check_not_tty(const char *what, int fd)
{
	struct termios t;
	struct winsize ws;
	char name[64], buf[64];
	pid_t pgrp;
	int avail;

	snprintf(name, sizeof(name), "isatty_%s", what);
	errno = 0;
	LT_CHECK(name, isatty(fd) == 0 && errno == ENOTTY);
	snprintf(name, sizeof(name), "tcgets_%s", what);
	LT_ERRNO(name, ioctl(fd, TCGETS, &t), ENOTTY);
	snprintf(name, sizeof(name), "tcsets_%s", what);
	memset(&t, 0, sizeof(t));
	LT_ERRNO(name, ioctl(fd, TCSETS, &t), ENOTTY);
	snprintf(name, sizeof(name), "tiocgwinsz_%s", what);
	LT_ERRNO(name, ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
	snprintf(name, sizeof(name), "tiocgpgrp_%s", what);
	LT_ERRNO(name, ioctl(fd, TIOCGPGRP, &pgrp), ENOTTY);
	snprintf(name, sizeof(name), "tiocspgrp_%s", what);
	pgrp = getpgrp();
	LT_ERRNO(name, ioctl(fd, TIOCSPGRP, &pgrp), ENOTTY);
	snprintf(name, sizeof(name), "tiocsctty_%s", what);
	LT_ERRNO(name, ioctl(fd, TIOCSCTTY, 0), ENOTTY);
	snprintf(name, sizeof(name), "tcgetpgrp_%s", what);
	LT_ERRNO(name, tcgetpgrp(fd), ENOTTY);
	snprintf(name, sizeof(name), "tcgetattr_%s", what);
	LT_ERRNO(name, tcgetattr(fd, &t), ENOTTY);
	snprintf(name, sizeof(name), "ttyname_%s", what);
	LT_EXPECT(name, ttyname_r(fd, buf, sizeof(buf)), ENOTTY);
	snprintf(name, sizeof(name), "tcgets_bad_pointer_%s", what);
	LT_ERRNO(name, ioctl(fd, TCGETS, LT_KERNEL_PTR), ENOTTY);
	snprintf(name, sizeof(name), "unknown_ioctl_%s", what);
	LT_ERRNO(name, ioctl(fd, 0x5401ff, &avail), ENOTTY);
}

static void case_not_ttys(void)
{
	int p[2], fd, avail = -1;
	struct termios t;

	pipe(p);
	check_not_tty("pipe", p[0]);
	close(p[0]);
	close(p[1]);
	fd = open("plain", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "0123456789", 10);
	lseek(fd, 4, SEEK_SET);
	check_not_tty("file", fd);
	LT_EXPECT("fionread_file", ioctl(fd, FIONREAD, &avail), 0);
	LT_EXPECT("fionread_file_rest", avail, 6);
	close(fd);
	fd = open("/dev/null", O_RDWR);
	check_not_tty("dev_null", fd);
	close(fd);
	LT_ERRNO("tcgets_bad_fd", ioctl(1000, TCGETS, &t), EBADF);
	LT_ERRNO("isatty_bad_fd", isatty(1000) ? 0 : -1, EBADF);
}

static void case_no_controlling_tty(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		LT_CHECK("setsid_for_tty", setsid() > 0);
		LT_ERRNO("dev_tty_without_ctty", open("/dev/tty", O_RDWR),
			 ENXIO);
		_exit(0);
	}
	LT_EXPECT("no_ctty_child", lt_wait(pid), 0);
}

int main(void)
{
	if (!lt_tmpdir_enter()) {
		return lt_done();
	}
	LT_CASE(case_not_ttys);
	LT_CASE(case_no_controlling_tty);
	lt_tmpdir_leave();
	return lt_done();
}
