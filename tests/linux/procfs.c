/*
 * /proc as programs read it: self and thread-self, a process's stat,
 * statm, status, cmdline, environ, maps, exe, cwd, root, comm, fd/ and
 * fdinfo/, task/, the directories of children appearing, sleeping,
 * stopping, becoming zombies and vanishing when reaped, the listing of
 * /proc, and the system files (meminfo, cpuinfo, uptime, loadavg, stat,
 * version, mounts, mountinfo, filesystems, sys/kernel). Hostile use:
 * writes to read-only files, bad buffers, pids and fds that do not
 * exist, seeks from the end, tiny getdents buffers. Keel's own
 * keel_trace switch is checked where it exists (and checked absent on
 * Linux).
 *
 * In the guest the runner is process 1 and mounts nothing: /proc is
 * mounted here when it is missing.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "lt.h"

extern char **environ;

static char prog_argv0[4096];

/* Reads all of @path into @buf (NUL-terminated); the length or -1. */
static long slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		return -1;
	}
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0) {
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (long)len;
}

/* The field of stat line @s numbered @n (1-based, proc_pid_stat(5)),
 * counted after the comm's closing parenthesis; "" if absent. */
static const char *stat_field(const char *s, int n, char *out, size_t cap)
{
	const char *p = strrchr(s, ')');
	int field = 3;

	out[0] = '\0';
	if (!p || n < 3) {
		return out;
	}
	p += 2;
	while (*p && field < n) {
		while (*p && *p != ' ') {
			p++;
		}
		while (*p == ' ') {
			p++;
		}
		field++;
	}
	if (*p) {
		size_t len = strcspn(p, " \n");

		if (len >= cap) {
			len = cap - 1;
		}
		memcpy(out, p, len);
		out[len] = '\0';
	}
	return out;
}

static long stat_num(const char *s, int n)
{
	char f[64];

	return strtol(stat_field(s, n, f, sizeof(f)), NULL, 10);
}

static int count_fields(const char *s)
{
	const char *p = strrchr(s, ')');
	int n = 2;

	if (!p) {
		return 0;
	}
	for (p++; *p && *p != '\n'; p++) {
		if (*p == ' ' && p[1] != ' ' && p[1] != '\n' && p[1]) {
			n++;
		}
	}
	return n;
}

/* The value after "@key:\t" in a status-style text, or NULL. */
static const char *status_value(const char *s, const char *key, char *out,
				size_t cap)
{
	char pat[64];
	const char *p;
	size_t len;

	snprintf(pat, sizeof(pat), "\n%s:", key);
	if (strncmp(s, pat + 1, strlen(pat + 1)) == 0) {
		p = s + strlen(pat + 1);
	} else if ((p = strstr(s, pat))) {
		p += strlen(pat);
	} else {
		return NULL;
	}
	while (*p == '\t' || *p == ' ') {
		p++;
	}
	len = strcspn(p, "\n");
	if (len >= cap) {
		len = cap - 1;
	}
	memcpy(out, p, len);
	out[len] = '\0';
	return out;
}

static bool is_keel(void)
{
	struct utsname u;

	return uname(&u) == 0 && strstr(u.release, "keel") != NULL;
}

static void ensure_proc(void)
{
	if (access("/proc/self/stat", R_OK) == 0) {
		return;
	}
	mkdir("/proc", 0555);
	LT_EXPECT("mount_proc", mount("proc", "/proc", "proc", 0, NULL), 0);
}

static void test_self(void)
{
	char buf[256], want[64];
	long n;

	snprintf(want, sizeof(want), "%d", getpid());
	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	LT_CHECK("self_link_is_pid", strcmp(buf, want) == 0);
	snprintf(want, sizeof(want), "%d/task/%ld", getpid(),
		 (long)syscall(SYS_gettid));
	n = readlink("/proc/thread-self", buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	LT_CHECK("thread_self_link", strcmp(buf, want) == 0);
	/* readlink cuts to the buffer and writes no NUL. */
	memset(buf, 'x', 4);
	LT_EXPECT("self_link_short_buffer", readlink("/proc/self", buf, 1), 1);
	LT_CHECK("self_link_short_no_nul", buf[1] == 'x');
	LT_ERRNO("readlink_of_a_file", readlink("/proc/self/stat", buf, 10),
		 EINVAL);
	LT_ERRNO("readlink_bad_buffer",
		 readlink("/proc/self", LT_KERNEL_PTR, 10), EFAULT);
}

static void test_stat(void)
{
	char s[4096], f[64];
	struct stat st;

	LT_CHECK("stat_read", slurp("/proc/self/stat", s, sizeof(s)) > 0);
	LT_EXPECT("stat_pid", atol(s), getpid());
	LT_CHECK("stat_comm", strstr(s, " (procfs) ") != NULL);
	LT_CHECK("stat_state_running",
		 strcmp(stat_field(s, 3, f, sizeof(f)), "R") == 0);
	LT_EXPECT("stat_ppid", stat_num(s, 4), getppid());
	LT_EXPECT("stat_pgrp", stat_num(s, 5), getpgrp());
	LT_EXPECT("stat_session", stat_num(s, 6), getsid(0));
	LT_EXPECT("stat_threads", stat_num(s, 20), 1);
	LT_CHECK("stat_vsize", stat_num(s, 23) > 0);
	LT_EXPECT("stat_exit_signal", stat_num(s, 38), SIGCHLD);
	LT_CHECK("stat_field_count", count_fields(s) >= 52);
	LT_CHECK("stat_one_line", strchr(s, '\n') == s + strlen(s) - 1);
	LT_EXPECT("stat_stat", stat("/proc/self/stat", &st), 0);
	LT_CHECK("stat_mode", st.st_mode == (S_IFREG | 0444));
	LT_EXPECT("stat_owner", st.st_uid, geteuid());
	LT_EXPECT("stat_size_zero", st.st_size, 0);

	LT_CHECK("statm_read", slurp("/proc/self/statm", s, sizeof(s)) > 0);
	{
		unsigned long v[7];

		LT_EXPECT("statm_seven", sscanf(s, "%lu %lu %lu %lu %lu %lu %lu",
						&v[0], &v[1], &v[2], &v[3],
						&v[4], &v[5], &v[6]),
			  7);
		LT_CHECK("statm_size_ge_resident", v[0] >= v[1] && v[1] > 0);
	}
}

static void on_signal(int sig)
{
	(void)sig;
}

static void test_status(void)
{
	char s[8192], v[256], want[128];
	sigset_t set, old;
	struct sigaction sa = { 0 };
	unsigned long long mask;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGUSR2, SIG_IGN);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	LT_CHECK("status_read", slurp("/proc/self/status", s, sizeof(s)) > 0);
	LT_CHECK("status_name", status_value(s, "Name", v, sizeof(v)) &&
					strcmp(v, "procfs") == 0);
	LT_CHECK("status_state", status_value(s, "State", v, sizeof(v)) &&
					 strcmp(v, "R (running)") == 0);
	snprintf(want, sizeof(want), "%d", getpid());
	LT_CHECK("status_pid", status_value(s, "Pid", v, sizeof(v)) &&
				       strcmp(v, want) == 0);
	LT_CHECK("status_tgid", status_value(s, "Tgid", v, sizeof(v)) &&
					strcmp(v, want) == 0);
	snprintf(want, sizeof(want), "%d", getppid());
	LT_CHECK("status_ppid", status_value(s, "PPid", v, sizeof(v)) &&
					strcmp(v, want) == 0);
	snprintf(want, sizeof(want), "%d\t%d\t%d\t%d", getuid(), geteuid(),
		 geteuid(), geteuid());
	LT_CHECK("status_uid", status_value(s, "Uid", v, sizeof(v)) &&
				       strcmp(v, want) == 0);
	LT_CHECK("status_threads", status_value(s, "Threads", v, sizeof(v)) &&
					   strcmp(v, "1") == 0);
	LT_CHECK("status_vmsize", status_value(s, "VmSize", v, sizeof(v)) &&
					  strstr(v, " kB") && atol(v) > 0);
	mask = status_value(s, "SigBlk", v, sizeof(v))
		       ? strtoull(v, NULL, 16)
		       : 0;
	LT_CHECK("status_sigblk", mask & (1ull << (SIGUSR1 - 1)));
	mask = status_value(s, "SigIgn", v, sizeof(v))
		       ? strtoull(v, NULL, 16)
		       : 0;
	LT_CHECK("status_sigign", mask & (1ull << (SIGUSR2 - 1)));
	mask = status_value(s, "SigCgt", v, sizeof(v))
		       ? strtoull(v, NULL, 16)
		       : 0;
	LT_CHECK("status_sigcgt", mask & (1ull << (SIGTERM - 1)));
	LT_CHECK("status_sigpnd_line",
		 status_value(s, "SigPnd", v, sizeof(v)) && strlen(v) == 16);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

static void test_strings(char **argv)
{
	char s[65536], want[8192];
	size_t wlen = 0;
	long n;

	for (int i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;

		memcpy(want + wlen, argv[i], l);
		wlen += l;
	}
	n = slurp("/proc/self/cmdline", s, sizeof(s));
	LT_EXPECT("cmdline_length", n, (long)wlen);
	LT_CHECK("cmdline_strings", n == (long)wlen &&
					    memcmp(s, want, wlen) == 0);

	/* The environment (Keel keeps the first 4 KiB). */
	wlen = 0;
	for (int i = 0; environ[i] && wlen < sizeof(want) - 4096; i++) {
		size_t l = strlen(environ[i]) + 1;

		memcpy(want + wlen, environ[i], l);
		wlen += l;
	}
	n = slurp("/proc/self/environ", s, sizeof(s));
	LT_CHECK("environ_prefix",
		 n >= (long)(wlen < 4096 ? wlen : 4096) &&
			 memcmp(s, want, (size_t)n < wlen ? (size_t)n : wlen) ==
				 0);
	LT_CHECK("comm", slurp("/proc/self/comm", s, sizeof(s)) == 7 &&
				 strcmp(s, "procfs\n") == 0);
	/* A process renames itself through comm (cut to 15 bytes). */
	{
		int fd = open("/proc/self/comm", O_WRONLY);

		LT_EXPECT("comm_write", write(fd, "renamed-to-a-long-name\n", 23),
			  23);
		LT_CHECK("comm_renamed",
			 slurp("/proc/self/comm", s, sizeof(s)) == 16 &&
				 strcmp(s, "renamed-to-a-lo\n") == 0);
		LT_CHECK("stat_renamed",
			 slurp("/proc/self/stat", s, sizeof(s)) > 0 &&
				 strstr(s, " (renamed-to-a-lo) ") != NULL);
		LT_EXPECT("comm_restore", write(fd, "procfs", 6), 6);
		close(fd);
	}

	/* A read in small pieces, and from an offset, gives the same. */
	{
		char whole[512], piece[512];
		long wl = slurp("/proc/version", whole, sizeof(whole));
		size_t got = 0;
		int fd = open("/proc/version", O_RDONLY);

		while (fd >= 0 && got < sizeof(piece) - 1 &&
		       (n = read(fd, piece + got, 3)) > 0) {
			got += (size_t)n;
		}
		LT_CHECK("small_reads_same", wl > 0 && (long)got == wl &&
						     memcmp(whole, piece, got) ==
							     0);
		LT_EXPECT("lseek_set", lseek(fd, 8, SEEK_SET), 8);
		n = read(fd, piece, sizeof(piece));
		LT_CHECK("read_after_lseek", n == wl - 8 &&
						     memcmp(piece, whole + 8,
							    (size_t)n) == 0);
		LT_ERRNO("lseek_end", lseek(fd, 0, SEEK_END), EINVAL);
		LT_ERRNO("lseek_negative", lseek(fd, -100, SEEK_SET), EINVAL);
		lseek(fd, 0, SEEK_SET);
		LT_ERRNO("read_bad_buffer", read(fd, LT_KERNEL_PTR, 10),
			 EFAULT);
		/* The failed read moved nothing. */
		n = read(fd, piece, sizeof(piece));
		LT_CHECK("read_after_bad_buffer", n == wl &&
							  memcmp(piece, whole,
								 (size_t)n) ==
								  0);
		close(fd);
	}
}

static void test_maps(void)
{
	static char s[65536];
	char exe[4096], line[1024];
	unsigned long code = (unsigned long)(void *)test_maps;
	bool stack = false, prog = false, wellformed = true;
	const char *p;
	long n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n < 0 ? 0 : n] = '\0';
	LT_CHECK("exe_absolute", n > 0 && exe[0] == '/');
	{
		char *real = realpath(prog_argv0, NULL);

		LT_CHECK("exe_is_program", real && strcmp(real, exe) == 0);
		free(real);
	}
	LT_CHECK("maps_read", slurp("/proc/self/maps", s, sizeof(s)) > 0);
	for (p = s; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
		unsigned long lo, hi, off, ino;
		unsigned maj, min;
		char perms[8];
		int name_at = 0;
		size_t len = strcspn(p, "\n");

		if (len >= sizeof(line)) {
			len = sizeof(line) - 1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &lo, &hi, perms,
			   &off, &maj, &min, &ino, &name_at) < 7 ||
		    lo >= hi) {
			wellformed = false;
			continue;
		}
		if (strstr(line, "[stack]") && perms[0] == 'r' &&
		    perms[1] == 'w') {
			stack = true;
		}
		if (code >= lo && code < hi && perms[2] == 'x' && name_at &&
		    strcmp(line + name_at, exe) == 0) {
			prog = true;
		}
	}
	LT_CHECK("maps_wellformed", wellformed);
	LT_CHECK("maps_stack", stack);
	LT_CHECK("maps_program_code", prog);
}

static void test_links(void)
{
	char buf[4400], cwd[4096], path[4200], want[4400];
	struct stat a, b;
	int fd, fd2, p[2];
	long n;

	LT_CHECK("getcwd", getcwd(cwd, sizeof(cwd)) != NULL);
	n = readlink("/proc/self/cwd", buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	LT_CHECK("cwd_link", strcmp(buf, cwd) == 0);
	n = readlink("/proc/self/root", buf, sizeof(buf) - 1);
	LT_CHECK("root_link", n == 1 && buf[0] == '/');
	/* Links are followed like any others. */
	LT_EXPECT("stat_through_cwd_link", stat("/proc/self/cwd/", &a), 0);
	LT_EXPECT("stat_cwd", stat(".", &b), 0);
	LT_CHECK("cwd_link_same_dir", a.st_ino == b.st_ino &&
					      a.st_dev == b.st_dev);

	snprintf(path, sizeof(path), "%s/procfs_test_file",
		 strcmp(cwd, "/") ? cwd : "");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	LT_CHECK("open_test_file", fd >= 0);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
	n = readlink(buf, want, sizeof(want) - 1);
	want[n < 0 ? 0 : n] = '\0';
	LT_CHECK("fd_link_path", strcmp(want, path) == 0);
	LT_EXPECT("lstat_fd_link", lstat(buf, &a), 0);
	LT_CHECK("fd_link_mode_rw", S_ISLNK(a.st_mode) &&
					    (a.st_mode & 0777) == 0700);
	fd2 = open(buf, O_RDONLY);
	LT_CHECK("open_through_fd_link", fd2 >= 0);
	LT_CHECK("fd_link_same_file", fstat(fd, &a) == 0 &&
					      fstat(fd2, &b) == 0 &&
					      a.st_ino == b.st_ino &&
					      a.st_dev == b.st_dev);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd2);
	LT_CHECK("fd_link_readonly_mode", lstat(buf, &a) == 0 &&
						  (a.st_mode & 0777) == 0500);
	close(fd2);
	/* fdinfo: the position and the close-on-exec flag. */
	LT_EXPECT("write_test_file", write(fd, "hello", 5), 5);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	snprintf(buf, sizeof(buf), "/proc/self/fdinfo/%d", fd);
	LT_CHECK("fdinfo_read", slurp(buf, want, sizeof(want)) > 0);
	LT_CHECK("fdinfo_pos", strncmp(want, "pos:\t5\n", 7) == 0);
	{
		const char *fl = strstr(want, "flags:\t");
		unsigned long flags = fl ? strtoul(fl + 7, NULL, 8) : 0;

		LT_CHECK("fdinfo_flags", fl && (flags & O_CLOEXEC) &&
						 (flags & O_ACCMODE) == O_RDWR);
	}
	/* An unlinked file is named with " (deleted)", and still reached
	 * through the link. */
	unlink(path);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
	n = readlink(buf, want, sizeof(want) - 1);
	want[n < 0 ? 0 : n] = '\0';
	fd2 = open(buf, O_RDONLY);
	snprintf(buf, sizeof(buf), "%s (deleted)", path);
	LT_CHECK("fd_link_deleted", strcmp(want, buf) == 0);
	LT_CHECK("open_deleted_through_link", fd2 >= 0 &&
						      read(fd2, want, 5) == 5 &&
						      memcmp(want, "hello", 5) ==
							      0);
	close(fd2);
	close(fd);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
	LT_ERRNO("fd_link_closed", readlink(buf, want, sizeof(want)), ENOENT);
	LT_ERRNO("fd_link_far", readlink("/proc/self/fd/99999", want, 10),
		 ENOENT);
	LT_ERRNO("fd_link_not_number", readlink("/proc/self/fd/x1", want, 10),
		 ENOENT);

	/* A pipe: "pipe:[N]" with fstat's inode number. */
	LT_EXPECT("pipe", pipe(p), 0);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", p[0]);
	n = readlink(buf, want, sizeof(want) - 1);
	want[n < 0 ? 0 : n] = '\0';
	fstat(p[0], &a);
	snprintf(buf, sizeof(buf), "pipe:[%lu]", (unsigned long)a.st_ino);
	LT_CHECK("fd_link_pipe", strcmp(want, buf) == 0);
	LT_CHECK("pipe_ends_one_inode", fstat(p[1], &b) == 0 &&
						b.st_ino == a.st_ino);
	LT_CHECK("fd_link_stdout", readlink("/proc/self/fd/1", want, 10) > 0);
	/* Following the link reaches the pipe itself (as `cat /dev/stdin`
	 * and bash's <(...) need): stat sees it, opening makes new ends. */
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", p[0]);
	LT_CHECK("stat_through_pipe_link", stat(buf, &b) == 0 &&
						   S_ISFIFO(b.st_mode) &&
						   b.st_ino == a.st_ino);
	fd2 = open(buf, O_RDONLY);
	LT_CHECK("reopen_pipe_read_end", fd2 >= 0);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", p[1]);
	{
		int w = open(buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		char got[8] = { 0 };

		LT_CHECK("reopen_pipe_write_end", w >= 0);
		LT_EXPECT("write_reopened_end", write(w, "via", 3), 3);
		LT_EXPECT("read_reopened_end", read(fd2, got, sizeof(got)), 3);
		LT_CHECK("pipe_data_through_links", memcmp(got, "via", 3) == 0);
		LT_CHECK("reopened_is_same_pipe",
			 fstat(w, &b) == 0 && b.st_ino == a.st_ino);
		snprintf(buf, sizeof(buf), "/proc/self/fd/%d", w);
		n = readlink(buf, want, sizeof(want) - 1);
		want[n < 0 ? 0 : n] = '\0';
		snprintf(buf, sizeof(buf), "pipe:[%lu]",
			 (unsigned long)a.st_ino);
		LT_CHECK("reopened_link_is_pipe", strcmp(want, buf) == 0);
		/* With every writer gone, a reader's open does not wait
		 * (a pipe is not a FIFO): it reads the end. */
		close(w);
		close(p[1]);
		snprintf(buf, sizeof(buf), "/proc/self/fd/%d", p[0]);
		w = open(buf, O_RDONLY);
		LT_CHECK("reopen_pipe_no_writers", w >= 0 &&
							   read(w, got, 1) == 0);
		close(w);
		/* The read end's link opened for writing is a write end. */
		p[1] = open(buf, O_WRONLY);
		LT_CHECK("reopen_read_end_for_writing",
			 p[1] >= 0 && write(p[1], "z", 1) == 1 &&
				 read(p[0], got, 1) == 1 && got[0] == 'z');
	}
	close(fd2);

	/* The fd directory lists exactly the open descriptors. */
	close(200);
	LT_EXPECT("dup2_high", dup2(1, 201), 201);
	{
		DIR *d = opendir("/proc/self/fd");
		struct dirent *e;
		bool saw0 = false, sawp = false, sawclosed = false;
		int own = d ? dirfd(d) : -1;
		bool sawown = false, sawhigh = false;

		LT_CHECK("opendir_fd", d != NULL);
		while (d && (e = readdir(d))) {
			long v = strtol(e->d_name, NULL, 10);

			saw0 |= strcmp(e->d_name, "0") == 0;
			sawp |= v == p[1] && e->d_name[0] != '.';
			sawclosed |= v == 200;
			sawhigh |= v == 201;
			sawown |= v == own && e->d_name[0] != '.';
			if (e->d_name[0] != '.' && e->d_type != DT_LNK) {
				LT_CHECK("fd_entry_is_link", false);
			}
		}
		if (d) {
			closedir(d);
		}
		LT_CHECK("fd_dir_lists_open", saw0 && sawp && sawown && sawhigh);
		LT_CHECK("fd_dir_not_closed", !sawclosed);
	}
	close(201);
	close(p[0]);
	close(p[1]);
	LT_CHECK("fd_dir_mode", stat("/proc/self/fd", &a) == 0 &&
					(a.st_mode & 07777) == 0500 &&
					S_ISDIR(a.st_mode));
}

/* Polls /proc/<pid>/stat until its state is @state (at most ~5 s). */
static bool wait_state(pid_t pid, char state)
{
	char path[64], s[4096], f[8];
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 500; i++) {
		if (slurp(path, s, sizeof(s)) > 0 &&
		    stat_field(s, 3, f, sizeof(f))[0] == state) {
			return true;
		}
		nanosleep(&ts, NULL);
	}
	return false;
}

static bool proc_lists(pid_t pid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char want[32];
	bool found = false;

	snprintf(want, sizeof(want), "%d", pid);
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, want) == 0) {
			found = e->d_type == DT_DIR;
		}
	}
	if (d) {
		closedir(d);
	}
	return found;
}

static void test_children(void)
{
	char path[64], s[4096], self_cmd[4096];
	int p[2], status;
	struct stat st;
	pid_t pid;
	long n;

	LT_CHECK("proc_lists_self", proc_lists(getpid()));
	if (pipe(p) != 0) {
		LT_CHECK("children_pipe", false);
		return;
	}
	pid = fork();
	if (pid == 0) {
		char c;

		close(p[1]);
		read(p[0], &c, 1);	/* sleeps until the parent writes */
		_exit(c == 'q' ? 7 : 1);
	}
	close(p[0]);
	LT_CHECK("fork", pid > 0);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	LT_CHECK("child_dir_appears", slurp(path, s, sizeof(s)) > 0);
	LT_EXPECT("child_ppid", stat_num(s, 4), getpid());
	LT_CHECK("child_listed", proc_lists(pid));
	LT_CHECK("child_sleeps", wait_state(pid, 'S'));
	/* A forked child runs the same program with the same strings. */
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = slurp(path, s, sizeof(s));
	LT_CHECK("child_cmdline", n > 0 &&
					  slurp("/proc/self/cmdline", self_cmd,
						sizeof(self_cmd)) == n &&
					  memcmp(s, self_cmd, (size_t)n) == 0);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	LT_CHECK("child_status", slurp(path, s, sizeof(s)) > 0 &&
					 strstr(s, "State:\tS (sleeping)"));
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	{
		int fd = open(path, O_WRONLY);

		LT_ERRNO("rename_other_refused", write(fd, "x", 1), EINVAL);
		close(fd);
	}
	kill(pid, SIGSTOP);
	LT_CHECK("child_stopped", wait_state(pid, 'T'));
	kill(pid, SIGCONT);
	LT_EXPECT("release_child", write(p[1], "q", 1), 1);
	LT_CHECK("child_zombie", wait_state(pid, 'Z'));
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	slurp(path, s, sizeof(s));
	LT_EXPECT("zombie_exit_code", stat_num(s, 52), 7 << 8);
	LT_CHECK("zombie_still_listed", proc_lists(pid));
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	LT_EXPECT("zombie_cmdline_empty", slurp(path, s, sizeof(s)), 0);
	LT_EXPECT("reap_child", waitpid(pid, &status, 0), pid);
	LT_CHECK("child_exit_status", WIFEXITED(status) &&
					      WEXITSTATUS(status) == 7);
	snprintf(path, sizeof(path), "/proc/%d", pid);
	LT_ERRNO("child_dir_gone", stat(path, &st), ENOENT);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	LT_ERRNO("child_stat_gone", open(path, O_RDONLY), ENOENT);
	LT_CHECK("child_not_listed", !proc_lists(pid));
	close(p[1]);
	LT_ERRNO("no_such_pid", open("/proc/4000000/stat", O_RDONLY), ENOENT);
	LT_ERRNO("pid_zero", open("/proc/0/stat", O_RDONLY), ENOENT);
}

/* A directory held open while its process is reaped lists nothing and
 * finds nothing. */
static void test_stale_dir(void)
{
	char path[64];
	int status, dfd;
	pid_t pid = fork();

	if (pid == 0) {
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d", pid);
	dfd = open(path, O_RDONLY | O_DIRECTORY);
	LT_CHECK("open_child_dir", dfd >= 0);
	waitpid(pid, &status, 0);
	LT_ERRNO("stale_dir_lookup", openat(dfd, "stat", O_RDONLY), ESRCH);
	{
		char buf[256];

		LT_ERRNO("stale_dir_getdents",
			 syscall(SYS_getdents64, dfd, buf, sizeof(buf)),
			 ENOENT);
	}
	close(dfd);
}

static void *sleeper(void *arg)
{
	char c;

	read(*(int *)arg, &c, 1);
	return NULL;
}

static void test_tasks(void)
{
	char path[128], s[4096], v[64], want[64];
	long tid = syscall(SYS_gettid);
	pthread_t th;
	int p[2];
	bool saw_self = false;
	int entries = 0;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
	LT_CHECK("task_stat", slurp(path, s, sizeof(s)) > 0 &&
				      atol(s) == tid);
	if (pipe(p) != 0 || pthread_create(&th, NULL, sleeper, &p[0]) != 0) {
		LT_CHECK("thread_create", false);
		return;
	}
	d = opendir("/proc/self/task");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.') {
			continue;
		}
		entries++;
		saw_self |= atol(e->d_name) == tid;
	}
	if (d) {
		closedir(d);
	}
	LT_EXPECT("task_two_threads", entries, 2);
	LT_CHECK("task_lists_main", saw_self);
	LT_CHECK("status_two_threads",
		 slurp("/proc/self/status", s, sizeof(s)) > 0 &&
			 status_value(s, "Threads", v, sizeof(v)) &&
			 strcmp(v, "2") == 0);
	LT_EXPECT("stat_two_threads",
		  slurp("/proc/self/stat", s, sizeof(s)) > 0 ? stat_num(s, 20)
							     : -1,
		  2);
	write(p[1], "x", 1);
	pthread_join(th, NULL);
	close(p[0]);
	close(p[1]);
	snprintf(want, sizeof(want), "%d", getpid());
	LT_CHECK("task_dir_status_tgid",
		 (snprintf(path, sizeof(path), "/proc/self/task/%ld/status",
			   tid),
		  slurp(path, s, sizeof(s)) > 0) &&
			 status_value(s, "Tgid", v, sizeof(v)) &&
			 strcmp(v, want) == 0);
}

static void test_system_files(void)
{
	static char s[65536];
	char v[256];
	struct utsname u;
	long a, b;
	double up, idle;

	LT_CHECK("meminfo", slurp("/proc/meminfo", s, sizeof(s)) > 0);
	a = status_value(s, "MemTotal", v, sizeof(v)) ? atol(v) : 0;
	b = status_value(s, "MemFree", v, sizeof(v)) ? atol(v) : -1;
	LT_CHECK("meminfo_total", a > 0 && strstr(v, "kB"));
	LT_CHECK("meminfo_free", b >= 0 && b <= a);
	LT_CHECK("meminfo_available", status_value(s, "MemAvailable", v,
						   sizeof(v)) != NULL);

	LT_CHECK("cpuinfo", slurp("/proc/cpuinfo", s, sizeof(s)) > 0);
	LT_CHECK("cpuinfo_processor0", strncmp(s, "processor\t: 0\n", 14) == 0);
	LT_CHECK("cpuinfo_flags", strstr(s, "\nflags\t\t: ") != NULL);
	LT_CHECK("cpuinfo_vendor", strstr(s, "\nvendor_id\t: ") != NULL);

	LT_CHECK("uptime", slurp("/proc/uptime", s, sizeof(s)) > 0);
	LT_CHECK("uptime_format", sscanf(s, "%lf %lf", &up, &idle) == 2 &&
					  up > 0 && idle >= 0);
	LT_CHECK("loadavg", slurp("/proc/loadavg", s, sizeof(s)) > 0);
	{
		double l1, l5, l15;
		int run, all, last;

		LT_CHECK("loadavg_format",
			 sscanf(s, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run,
				&all, &last) == 6 &&
				 run >= 1 && all >= run && last > 0);
	}
	LT_CHECK("stat_sys", slurp("/proc/stat", s, sizeof(s)) > 0);
	LT_CHECK("stat_sys_cpu", strncmp(s, "cpu ", 4) == 0 &&
					 strstr(s, "\ncpu0 ") != NULL);
	{
		const char *bt = strstr(s, "\nbtime ");

		LT_CHECK("stat_sys_btime", bt && atol(bt + 7) > 1577836800 &&
						   atol(bt + 7) <= time(NULL));
		LT_CHECK("stat_sys_processes", strstr(s, "\nprocesses ") &&
						       strstr(s, "\nprocs_running "));
	}
	LT_CHECK("version", slurp("/proc/version", s, sizeof(s)) > 0 &&
				    strncmp(s, "Linux version ", 14) == 0);
	LT_CHECK("filesystems", slurp("/proc/filesystems", s, sizeof(s)) > 0 &&
					strstr(s, "nodev\tproc\n") &&
					strstr(s, "nodev\tsysfs\n") &&
					strstr(s, "\ttmpfs\n"));
	LT_CHECK("cmdline_sys", slurp("/proc/cmdline", s, sizeof(s)) > 0 &&
					s[strlen(s) - 1] == '\n');

	uname(&u);
	LT_CHECK("sys_ostype", slurp("/proc/sys/kernel/ostype", s, sizeof(s)) >
					       0 &&
				       strcmp(s, "Linux\n") == 0);
	snprintf(v, sizeof(v), "%s\n", u.release);
	LT_CHECK("sys_osrelease",
		 slurp("/proc/sys/kernel/osrelease", s, sizeof(s)) > 0 &&
			 strcmp(s, v) == 0);
	snprintf(v, sizeof(v), "%s\n", u.nodename);
	LT_CHECK("sys_hostname",
		 slurp("/proc/sys/kernel/hostname", s, sizeof(s)) > 0 &&
			 strcmp(s, v) == 0);
	LT_CHECK("sys_pid_max",
		 slurp("/proc/sys/kernel/pid_max", s, sizeof(s)) > 0 &&
			 atol(s) >= 32768);
}

static void test_mounts(void)
{
	static char s[65536];
	char buf[64];
	long n;
	bool root = false, proc = false, info_proc = false;
	const char *p;

	n = readlink("/proc/mounts", buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	LT_CHECK("mounts_link", strcmp(buf, "self/mounts") == 0);
	LT_CHECK("mounts_read", slurp("/proc/mounts", s, sizeof(s)) > 0);
	for (p = s; *p; p += strcspn(p, "\n") + 1) {
		char src[256], dir[256], type[64], opts[256];
		int a, b;

		if (sscanf(p, "%255s %255s %63s %255s %d %d", src, dir, type,
			   opts, &a, &b) != 6) {
			break;
		}
		root |= strcmp(dir, "/") == 0;
		proc |= strcmp(dir, "/proc") == 0 && strcmp(type, "proc") == 0 &&
			(strncmp(opts, "rw", 2) == 0 ||
			 strncmp(opts, "ro", 2) == 0);
		if (!p[strcspn(p, "\n")]) {
			break;
		}
	}
	LT_CHECK("mounts_root", root);
	LT_CHECK("mounts_proc", proc);
	LT_CHECK("mountinfo_read",
		 slurp("/proc/self/mountinfo", s, sizeof(s)) > 0);
	for (p = s; *p; p += strcspn(p, "\n") + 1) {
		unsigned long id, parent;
		unsigned maj, min;
		char r[256], dir[256];
		const char *dash = strstr(p, " - ");

		if (sscanf(p, "%lu %lu %u:%u %255s %255s", &id, &parent, &maj,
			   &min, r, dir) != 6 ||
		    !dash) {
			break;
		}
		info_proc |= strcmp(dir, "/proc") == 0 &&
			     strncmp(dash, " - proc ", 8) == 0;
		if (!p[strcspn(p, "\n")]) {
			break;
		}
	}
	LT_CHECK("mountinfo_proc", info_proc);
}

/* Another user may read a process's figures but not its strings, fds
 * or where its links lead (needs root to become someone else). */
static void test_other_user(void)
{
	pid_t parent = getpid(), pid;
	int status;

	if (geteuid() != 0) {
		return;
	}
	pid = fork();
	if (pid == 0) {
		char path[64], buf[256];
		int bad = 0;

		if (setgid(65534) != 0 || setuid(65534) != 0) {
			_exit(100);
		}
		snprintf(path, sizeof(path), "/proc/%d/stat", parent);
		bad |= slurp(path, buf, sizeof(buf)) <= 0 ? 1 : 0;
		snprintf(path, sizeof(path), "/proc/%d/exe", parent);
		bad |= readlink(path, buf, sizeof(buf)) < 0 && errno == EACCES
			       ? 0
			       : 2;
		snprintf(path, sizeof(path), "/proc/%d/cwd/", parent);
		bad |= open(path, O_RDONLY) < 0 && errno == EACCES ? 0 : 4;
		snprintf(path, sizeof(path), "/proc/%d/environ", parent);
		bad |= open(path, O_RDONLY) < 0 && errno == EACCES ? 0 : 8;
		snprintf(path, sizeof(path), "/proc/%d/fd/0", parent);
		bad |= open(path, O_RDONLY) < 0 && errno == EACCES ? 0 : 16;
		_exit(bad);
	}
	LT_CHECK("other_user_ran", waitpid(pid, &status, 0) == pid &&
					   WIFEXITED(status) &&
					   WEXITSTATUS(status) != 100);
	LT_EXPECT("other_user_reads_stat", WEXITSTATUS(status) & 1, 0);
	LT_EXPECT("other_user_no_exe", WEXITSTATUS(status) & 2, 0);
	LT_EXPECT("other_user_no_cwd", WEXITSTATUS(status) & 4, 0);
	LT_EXPECT("other_user_no_environ", WEXITSTATUS(status) & 8, 0);
	LT_EXPECT("other_user_no_fd", WEXITSTATUS(status) & 16, 0);
}

static void test_hostile(void)
{
	struct stat st;
	char buf[8];
	int fd;

	/* Read-only files: root may open them on Linux, never write. */
	fd = open("/proc/self/stat", O_WRONLY);
	LT_CHECK("write_stat_refused",
		 fd < 0 ? errno == EACCES
			: (write(fd, "x", 1) == -1 &&
			   (errno == EINVAL || errno == EIO)));
	if (fd >= 0) {
		close(fd);
	}
	LT_CHECK("create_in_proc_refused",
		 open("/proc/newfile", O_WRONLY | O_CREAT, 0644) < 0);
	LT_CHECK("mkdir_in_proc_refused", mkdir("/proc/newdir", 0755) < 0);
	LT_ERRNO("unlink_in_proc_refused", unlink("/proc/self/stat"), EPERM);
	LT_CHECK("chmod_refused", chmod("/proc/self/stat", 0666) < 0);
	LT_ERRNO("proc_file_not_dir", stat("/proc/self/stat/x", &st), ENOTDIR);
	LT_ERRNO("open_bad_path_ptr", open(LT_KERNEL_PTR, O_RDONLY), EFAULT);
	fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	LT_ERRNO("getdents_tiny_buffer",
		 syscall(SYS_getdents64, fd, buf, sizeof(buf)), EINVAL);
	LT_ERRNO("getdents_bad_buffer",
		 syscall(SYS_getdents64, fd, LT_KERNEL_PTR, 4096), EFAULT);
	LT_ERRNO("read_directory", read(fd, buf, sizeof(buf)), EISDIR);
	close(fd);
}

/* Keel's trace switch: "0" or "1", inherited by children; absent on
 * Linux. */
static void test_keel_trace(void)
{
	char s[16];
	int fd, status;
	pid_t pid;

	if (!is_keel()) {
		LT_ERRNO("keel_trace_absent_on_linux",
			 open("/proc/self/keel_trace", O_RDONLY), ENOENT);
		return;
	}
	LT_CHECK("keel_trace_off", slurp("/proc/self/keel_trace", s,
					 sizeof(s)) == 2 &&
					   strcmp(s, "0\n") == 0);
	fd = open("/proc/self/keel_trace", O_WRONLY | O_TRUNC);
	LT_CHECK("keel_trace_open", fd >= 0);
	LT_ERRNO("keel_trace_bad_value", write(fd, "2", 1), EINVAL);
	LT_ERRNO("keel_trace_bad_tail", write(fd, "1x", 2), EINVAL);
	LT_EXPECT("keel_trace_on", write(fd, "1\n", 2), 2);
	LT_CHECK("keel_trace_reads_on", slurp("/proc/self/keel_trace", s,
					      sizeof(s)) == 2 &&
						s[0] == '1');
	pid = fork();
	if (pid == 0) {
		_exit(slurp("/proc/self/keel_trace", s, sizeof(s)) == 2 &&
				      s[0] == '1'
			      ? 0
			      : 1);
	}
	LT_CHECK("keel_trace_inherited", waitpid(pid, &status, 0) == pid &&
						 WIFEXITED(status) &&
						 WEXITSTATUS(status) == 0);
	LT_EXPECT("keel_trace_off_again", write(fd, "0", 1), 1);
	close(fd);
	LT_CHECK("keel_trace_reads_off", slurp("/proc/self/keel_trace", s,
					       sizeof(s)) == 2 &&
						 s[0] == '0');
}

int main(int argc, char **argv)
{
	(void)argc;
	snprintf(prog_argv0, sizeof(prog_argv0), "%s", argv[0]);
	ensure_proc();
	test_self();
	test_stat();
	test_status();
	test_strings(argv);
	test_maps();
	test_links();
	test_children();
	test_stale_dir();
	test_tasks();
	test_system_files();
	test_mounts();
	test_other_user();
	test_hostile();
	test_keel_trace();
	return lt_done();
}
