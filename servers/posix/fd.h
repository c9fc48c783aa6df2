/*
 * File descriptor tables: fd -> open file description, with the
 * close-on-exec bit. A table may be shared (clone with CLONE_FILES).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct file;

#define FD_MAX 1024		/* RLIMIT_NOFILE, soft and hard */

struct fdtable {
	unsigned refs;
	struct file *files[FD_MAX];
	uint64_t cloexec[FD_MAX / 64];
};

/* An empty table with one reference; NULL without memory. */
struct fdtable *fd_table_create(void);
/* A copy sharing every description (fork); NULL without memory. */
struct fdtable *fd_table_clone(const struct fdtable *t);
void fd_table_put(struct fdtable *t);
/* Installs @f (taking a new reference) at the lowest free fd >= @min;
 * returns it, or -LINUX_EMFILE. */
int fd_install(struct fdtable *t, struct file *f, int min, bool cloexec);
/* Installs @f at exactly @fd, closing what was there (dup2). */
int fd_install_at(struct fdtable *t, struct file *f, int fd, bool cloexec);
/* The description at @fd, with a new reference; NULL if none. */
struct file *fd_get(struct fdtable *t, int fd);
/* Closes @fd; -LINUX_EBADF if it was not open. */
int fd_close(struct fdtable *t, int fd);
bool fd_is_cloexec(const struct fdtable *t, int fd);
void fd_set_cloexec(struct fdtable *t, int fd, bool on);
/* Closes every close-on-exec fd (execve). */
void fd_close_on_exec(struct fdtable *t);
