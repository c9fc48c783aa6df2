/*
 * The guest's runner of the Linux test programs: the first program the
 * posix server starts in the test boots (posix.init=/test/runner). Runs
 * each /test/<group> named on its command line or built in (LT_TESTS),
 * one at a time, with its output through a pipe so that it can count
 * the failures reported, and adds a "<group>/exit" case as
 * tests/linux/run.py does on the host: the program must end by itself,
 * within the time limit, with an exit status equal to its failures.
 * Exits with the number of failed cases it saw.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef RUNNER_TIMEOUT
#define RUNNER_TIMEOUT 120
#endif

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

/* Copies the child's output to ours line by line, counting FAIL lines. */
static int pump(int fd, int *results)
{
	char buf[4096], line[1024];
	size_t len = 0;
	int fails = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0 ||
	       (n < 0 && errno == EINTR)) {
		for (ssize_t i = 0; i < n; i++) {
			if (len < sizeof(line) - 1) {
				line[len++] = buf[i];
			}
			if (buf[i] != '\n') {
				continue;
			}
			line[len] = '\0';
			write(1, line, len);
			if (strstr(line, "KTEST FAIL ")) {
				fails++;
				(*results)++;
			} else if (strstr(line, "KTEST PASS ")) {
				(*results)++;
			}
			len = 0;
		}
	}
	if (len) {
		write(1, line, len);
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
	fails = pump(pipefd[0], &results);
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid) {
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
