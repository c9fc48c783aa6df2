/*
 * /sbin/init: the first Linux program the posix server starts.
 *
 * Mounts the pseudo file systems, runs /etc/rc if there is one, then
 * keeps a login shell on the console (bash if the image has it, else
 * busybox sh), started again whenever it ends. As pid 1 it reaps every
 * orphan. busybox's poweroff, reboot and halt signal it (SIGUSR2,
 * SIGTERM, SIGUSR1; SIGINT is Ctrl-Alt-Del): it then ends every process
 * (SIGTERM, a moment, SIGKILL), syncs, and asks the kernel to power off
 * or restart through reboot(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t shutdown_how;

static void on_signal(int sig)
{
	shutdown_how = sig;
}

static void say(const char *msg)
{
	write(2, "init: ", 6);
	write(2, msg, strlen(msg));
	write(2, "\n", 1);
}

static void mount_one(const char *src, const char *dir, const char *type,
		      unsigned long flags, const char *data)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, flags, data) < 0 && errno != EBUSY) {
		char msg[128];

		snprintf(msg, sizeof(msg), "cannot mount %s on %s: %s", type,
			 dir, strerror(errno));
		say(msg);
	}
}

/* Runs @argv in a child and waits for it (reaping others meanwhile). */
static void run_wait(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(-1, &status, 0) != pid) {
		if (errno == ECHILD) {
			break;
		}
	}
}

/* The console shell, in a session of its own with the console as its
 * controlling terminal, so that job control works. */
static pid_t start_shell(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *bash[] = { "-bash", NULL };
		char *sh[] = { "-sh", NULL };
		sigset_t none;
		int fd;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGUSR1, SIG_DFL);
		signal(SIGUSR2, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		setsid();
		fd = open("/dev/console", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2) {
				close(fd);
			}
		}
		ioctl(0, TIOCSCTTY, 1);
		if (chdir("/root") < 0) {
			chdir("/");
		}
		execve("/bin/bash", bash,
		       (char *[]){ "HOME=/root", "TERM=vt100", "USER=root",
				   "PATH=/usr/local/sbin:/usr/local/bin:"
				   "/usr/sbin:/usr/bin:/sbin:/bin",
				   "SHELL=/bin/bash", NULL });
		execve("/bin/sh", sh,
		       (char *[]){ "HOME=/root", "TERM=vt100", "USER=root",
				   "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				   "SHELL=/bin/sh", NULL });
		_exit(127);
	}
	return pid;
}

static void shut_down(int how)
{
	struct timespec pause = { 0, 300 * 1000 * 1000 };

	say(how == SIGTERM || how == SIGINT ? "restarting" : "powering off");
	kill(-1, SIGTERM);
	nanosleep(&pause, NULL);
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0) {
	}
	sync();
	reboot(how == SIGTERM || how == SIGINT ? RB_AUTOBOOT : RB_POWER_OFF);
	say("the kernel did not power off");
}

int main(void)
{
	struct sigaction sa;
	pid_t shell = -1;

	if (getpid() != 1) {
		say("must run as process 1");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	reboot(RB_DISABLE_CAD); /* Ctrl-Alt-Del becomes SIGINT */

	mount_one("proc", "/proc", "proc", 0, NULL);
	mount_one("sysfs", "/sys", "sysfs", 0, NULL);
	mount_one("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount_one("tmpfs", "/tmp", "tmpfs", 0, "mode=1777");
	mkdir("/root", 0700);
	if (access("/etc/rc", R_OK) == 0) {
		char *rc[] = { "/bin/sh", "/etc/rc", NULL };

		run_wait(rc);
	}
	for (;;) {
		int status;
		pid_t pid;

		if (shutdown_how) {
			shut_down(shutdown_how);
			shutdown_how = 0;
		}
		if (shell < 0) {
			shell = start_shell();
		}
		pid = waitpid(-1, &status, 0);
		if (pid == shell) {
			shell = -1;
		} else if (pid < 0 && errno == ECHILD) {
			shell = -1;
		}
	}
}
