/*
 * File descriptor tables (fd.h).
 */
#include <base/string.h>
#include <linux_abi/errno.h>
#include <rt/malloc.h>

#include "fd.h"
#include "file.h"

struct fdtable *fd_table_create(void)
{
	struct fdtable *t = calloc(1, sizeof(*t));

	if (t) {
		t->refs = 1;
	}
	return t;
}

struct fdtable *fd_table_clone(const struct fdtable *t)
{
	struct fdtable *c = malloc(sizeof(*c));

	if (!c) {
		return NULL;
	}
	memcpy(c, t, sizeof(*c));
	c->refs = 1;
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (c->files[fd]) {
			file_get(c->files[fd]);
		}
	}
	return c;
}

void fd_table_put(struct fdtable *t)
{
	if (--t->refs) {
		return;
	}
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (t->files[fd]) {
			file_put(t->files[fd]);
		}
	}
	free(t);
}

void fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
	if (on) {
		t->cloexec[fd / 64] |= 1ull << (fd % 64);
	} else {
		t->cloexec[fd / 64] &= ~(1ull << (fd % 64));
	}
}

bool fd_is_cloexec(const struct fdtable *t, int fd)
{
	return (t->cloexec[fd / 64] >> (fd % 64)) & 1;
}

int fd_install(struct fdtable *t, struct file *f, int min, bool cloexec)
{
	for (int fd = min < 0 ? 0 : min; fd < FD_MAX; fd++) {
		if (!t->files[fd]) {
			file_get(f);
			t->files[fd] = f;
			fd_set_cloexec(t, fd, cloexec);
			return fd;
		}
	}
	return -LINUX_EMFILE;
}

int fd_install_at(struct fdtable *t, struct file *f, int fd, bool cloexec)
{
	struct file *old;

	if (fd < 0 || fd >= FD_MAX) {
		return -LINUX_EBADF;
	}
	old = t->files[fd];
	file_get(f);
	t->files[fd] = f;
	fd_set_cloexec(t, fd, cloexec);
	if (old) {
		file_put(old);
	}
	return fd;
}

struct file *fd_get(struct fdtable *t, int fd)
{
	struct file *f;

	if (fd < 0 || fd >= FD_MAX || !(f = t->files[fd])) {
		return NULL;
	}
	file_get(f);
	return f;
}

int fd_close(struct fdtable *t, int fd)
{
	struct file *f;

	if (fd < 0 || fd >= FD_MAX || !(f = t->files[fd])) {
		return -LINUX_EBADF;
	}
	t->files[fd] = NULL;
	fd_set_cloexec(t, fd, false);
	file_put(f);
	return 0;
}

void fd_close_on_exec(struct fdtable *t)
{
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (t->files[fd] && fd_is_cloexec(t, fd)) {
			fd_close(t, fd);
		}
	}
}
