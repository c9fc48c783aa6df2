/*
 * The guest's runner of the Linux test programs: the first program the
 * posix server starts in the test boots (posix.init=/test/runner). Runs
 * each /test/<group> named on its command line or built in (LT_TESTS),
 * one at a time, with its output through a pipe so that it can count
 * the failures reported, and adds a "<group>/exit" case as
 * tests/linux/run.py does on the host: the program must end by itself,
 * within the time limit, with an exit status equal to its failures. A
 * process the program left behind does not hold the runner up: once the
 * program has ended, the runner takes what is in the pipe and goes on.
 * Exits with the number of failed cases it saw.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef RUNNER_TIMEOUT
#define RUNNER_TIMEOUT 120
#endif

#define LINE_MAX_LEN 1024

static int failures;

static void report(const char *group, int ok, const char *why)
{
	char line[256];
	int n;

	if (ok) {
		n = snprintf(line, sizeof(line), "KTEST PASS %s/exit\n", group);
	} else {
		n = snprintf(line, sizeof(line), "KTEST FAIL %s/exit: %s\n",
			     group, why);
		failures++;
	}
	write(1, line, (size_t)n);
}

/* Copies @len bytes of the child's output to ours line by line, counting
 * results in *@results and failures in *@fails. */
static void copy_lines(const char *buf, ssize_t len, char *line,
		       size_t *used, int *results, int *fails)
{
	for (ssize_t i = 0; i < len; i++) {
		if (*used < LINE_MAX_LEN - 1) {
			line[(*used)++] = buf[i];
		}
		if (buf[i] != '\n') {
			continue;
		}
		line[*used] = '\0';
		write(1, line, *used);
		if (strstr(line, "KTEST FAIL ")) {
			(*fails)++;
			(*results)++;
		} else if (strstr(line, "KTEST PASS ")) {
			(*results)++;
		}
		*used = 0;
	}
}

/*
 * Copies the output of child @pid from @fd until the end of the pipe or,
 * when a process the child left behind keeps the pipe open, until the
 * child has ended and the pipe is quiet. Leaves the child's wait status
 * in *@status (-1: not reaped here); returns the failures seen.
 */
static int pump(int fd, pid_t pid, int *status, int *results)
{
	char buf[4096], line[LINE_MAX_LEN];
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	size_t used = 0;
	int fails = 0;
	bool exited = false;
	ssize_t n;

	*status = -1;
	for (;;) {
		int r = poll(&pf, 1, exited ? 0 : 500);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r == 0) {
			if (exited) {
				break;
			}
			exited = waitpid(pid, status, WNOHANG) == pid;
			continue;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		copy_lines(buf, n, line, &used, results, &fails);
	}
	if (used) {
		write(1, line, used);
		write(1, "\n", 1);
	}
	return fails;
}

static void run(const char *group)
{
	char path[256], why[128];
	int pipefd[2], status, results = 0, fails;
	pid_t pid;

	snprintf(path, sizeof(path), "/test/%s", group);
	if (pipe(pipefd) < 0) {
		report(group, 0, "pipe failed");
		return;
	}
	pid = fork();
	if (pid < 0) {
		report(group, 0, "fork failed");
		return;
	}
	if (pid == 0) {
		char *argv[] = { path, NULL };
		char *envp[] = { "PATH=/bin:/sbin", "HOME=/", NULL };

		close(pipefd[0]);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[1]);
		alarm(RUNNER_TIMEOUT); /* kept across execve */
		execve(path, argv, envp);
		_exit(127);
	}
	close(pipefd[1]);
	fails = pump(pipefd[0], pid, &status, &results);
	close(pipefd[0]);
	if (status == -1 && waitpid(pid, &status, 0) != pid) {
		report(group, 0, "waitpid failed");
	} else if (WIFSIGNALED(status)) {
		snprintf(why, sizeof(why), "killed by signal %d%s",
			 WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? " (time limit)" : "");
		report(group, 0, why);
	} else if (WEXITSTATUS(status) == 127 && !results) {
		report(group, 0, "cannot execute");
	} else if (!results) {
		report(group, 0, "no results");
	} else if (WEXITSTATUS(status) != fails) {
		snprintf(why, sizeof(why), "exit status %d, %d failures seen",
			 WEXITSTATUS(status), fails);
		report(group, 0, why);
	} else {
		report(group, 1, NULL);
	}
}

int main(int argc, char **argv)
{
	static char builtin[] = LT_TESTS;

	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			run(argv[i]);
		}
	} else {
		for (char *s = strtok(builtin, " "); s; s = strtok(NULL, " ")) {
			run(s);
		}
	}
	printf("runner: %d failed\n", failures);
	return failures > 125 ? 125 : failures;
}
