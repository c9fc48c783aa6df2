/*
 * Calls on file descriptors that need no path: read and write in their
 * forms, close, dup, fcntl, ioctl, pipes, lseek, poll and select. Data
 * moves through a server buffer of at most IO_CHUNK bytes per step.
 */
#include <base/string.h>
#include <linux_abi/errno.h>
#include <rt/malloc.h>
#include <rt/rt.h>

#include "fd.h"
#include "file.h"
#include "ltime.h"
#include "pipe.h"
#include "proc.h"
#include "signal.h"
#include "sys.h"
#include "umem.h"

#define IO_CHUNK (64u * 1024)
#define IOV_MAX 1024

#define O_ACCMODE 3
#define O_RDONLY 0
#define O_WRONLY 1
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_CLOEXEC 02000000
#define O_SETTABLE (O_APPEND | O_NONBLOCK | 040000 | 01000000 | 020000)

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_SETOWN 8
#define F_GETOWN 9
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1

#define FIONBIO 0x5421
#define FIOCLEX 0x5451
#define FIONCLEX 0x5450

static bool can_read(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool can_write(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

/* Waits until @f may be ready again; -LINUX_ERESTARTSYS on a signal. */
static int wait_file(struct file *f)
{
	struct pwait_head *h = f->wait;

	if (!h) {
		return -LINUX_EAGAIN; /* nothing will ever change */
	}
	return pwait_any(&h, 1, ~0ull) == -LINUX_EINTR ? -LINUX_ERESTARTSYS
							: 0;
}

/* Whether the program could take a write at both ends of [@ua, @ua +
 * @len): each end byte is read and written back unchanged. */
static bool can_write_user(struct lthread *t, uint64_t ua, uint64_t len)
{
	uint8_t b;

	if (umem_read(t->proc, ua, &b, 1) || umem_write(t->proc, ua, &b, 1)) {
		return false;
	}
	return len == 1 || (umem_read(t->proc, ua + len - 1, &b, 1) == 0 &&
			    umem_write(t->proc, ua + len - 1, &b, 1) == 0);
}

/* Reads up to @len bytes of @f (at *@pos) into the program at @ubuf. */
static int64_t do_read(struct lthread *t, struct file *f, uint64_t ubuf,
		       uint64_t len, uint64_t *pos)
{
	size_t chunk = len < IO_CHUNK ? len : IO_CHUNK;
	uint8_t *buf;
	int64_t r;

	if (!can_read(f)) {
		return -LINUX_EBADF;
	}
	if (!f->ops->read) {
		return -LINUX_EINVAL;
	}
	/* Data taken from a pipe or a tty cannot be put back: check that
	 * the buffer can take some before taking any (Linux leaves the data
	 * in place when the copy faults). A seekable file just keeps its
	 * offset. */
	if (chunk && !f->ops->lseek && !can_write_user(t, ubuf, chunk)) {
		return -LINUX_EFAULT;
	}
	buf = malloc(chunk ? chunk : 1);
	if (!buf) {
		return -LINUX_ENOMEM;
	}
	uint64_t start = *pos;

	for (;;) {
		r = f->ops->read(f, buf, chunk, pos);
		if (r != -LINUX_EAGAIN || (f->flags & O_NONBLOCK)) {
			break;
		}
		r = wait_file(f);
		if (r) {
			break;
		}
	}
	if (r > 0 && umem_write(t->proc, ubuf, buf, (size_t)r)) {
		r = -LINUX_EFAULT;
		*pos = start;
	}
	/* A regular file gives all it has, as on Linux: more chunks
	 * until the request is met or the file ends (a pipe or a tty
	 * returns what is there). */
	if (r == (int64_t)chunk && chunk < len && f->inode &&
	    LINUX_S_ISREG(f->inode->mode)) {
		uint64_t done = (uint64_t)r;

		while (done < len) {
			size_t n = len - done < chunk ? len - done : chunk;

			r = f->ops->read(f, buf, n, pos);
			if (r <= 0) {
				break;
			}
			if (umem_write(t->proc, ubuf + done, buf, (size_t)r)) {
				/* What was copied stays read: Linux
				 * returns the bytes before the fault. */
				*pos -= (uint64_t)r;
				break;
			}
			done += (uint64_t)r;
			if ((size_t)r < n) {
				break;
			}
		}
		r = (int64_t)done;
	}
	free(buf);
	return r;
}

/* Writes @len bytes from the program at @ubuf to @f, all of them unless
 * an error, a signal or O_NONBLOCK stops it early. */
static int64_t do_write(struct lthread *t, struct file *f, uint64_t ubuf,
			uint64_t len, uint64_t *pos)
{
	size_t cap = len < IO_CHUNK ? len : IO_CHUNK;
	uint64_t done = 0;
	uint8_t *buf;
	int64_t r = 0;

	if (!can_write(f)) {
		return -LINUX_EBADF;
	}
	if (!f->ops->write) {
		return -LINUX_EINVAL;
	}
	buf = malloc(cap ? cap : 1);
	if (!buf) {
		return -LINUX_ENOMEM;
	}
	do {
		size_t chunk = len - done < cap ? len - done : cap;
		size_t off = 0;

		if (umem_read(t->proc, ubuf + done, buf, chunk)) {
			r = -LINUX_EFAULT;
			break;
		}
		while (off < chunk || chunk == 0) {
			r = f->ops->write(f, buf + off, chunk - off, pos);
			if (r == -LINUX_EAGAIN && !(f->flags & O_NONBLOCK)) {
				r = wait_file(f);
				if (r) {
					break;
				}
				continue;
			}
			if (r <= 0) {
				break;
			}
			off += (size_t)r;
		}
		done += off;
		if (r < 0 || chunk == 0) {
			break;
		}
	} while (done < len);
	free(buf);
	if (r == -LINUX_EPIPE) {
		t->pending |= SIG_BIT(LINUX_SIGPIPE);
	}
	return done ? (int64_t)done : r;
}

static struct file *get(struct lthread *t, uint64_t fd)
{
	return fd > 0x7fffffff ? NULL : fd_get(t->proc->fds, (int)fd);
}

int64_t sys_read(struct lthread *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	int64_t r;

	if (!f) {
		return -LINUX_EBADF;
	}
	r = do_read(t, f, a[1], a[2], &f->pos);
	file_put(f);
	return r;
}

int64_t sys_write(struct lthread *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	int64_t r;

	if (!f) {
		return -LINUX_EBADF;
	}
	r = do_write(t, f, a[1], a[2], &f->pos);
	file_put(f);
	return r;
}

int64_t sys_pread64(struct lthread *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	uint64_t pos = a[3];
	int64_t r;

	if (!f) {
		return -LINUX_EBADF;
	}
	r = (int64_t)pos < 0 ? -LINUX_EINVAL
	    : !f->ops->lseek ? -LINUX_ESPIPE
			     : do_read(t, f, a[1], a[2], &pos);
	file_put(f);
	return r;
}

int64_t sys_pwrite64(struct lthread *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	uint64_t pos = a[3];
	int64_t r;

	if (!f) {
		return -LINUX_EBADF;
	}
	r = (int64_t)pos < 0 ? -LINUX_EINVAL
	    : !f->ops->lseek ? -LINUX_ESPIPE
			     : do_write(t, f, a[1], a[2], &pos);
	file_put(f);
	return r;
}

/* readv/writev: one iovec at a time; stops at the first short one. */
static int64_t do_vec(struct lthread *t, const uint64_t *a, bool write)
{
	struct file *f = get(t, a[0]);
	uint64_t total = 0;
	int64_t r = 0;

	if (!f) {
		return -LINUX_EBADF;
	}
	if (a[2] > IOV_MAX) {
		file_put(f);
		return -LINUX_EINVAL;
	}
	for (uint64_t i = 0; i < a[2]; i++) {
		uint64_t iov[2];

		if (umem_read(t->proc, a[1] + 16 * i, iov, sizeof(iov))) {
			r = -LINUX_EFAULT;
			break;
		}
		if ((int64_t)iov[1] < 0) {
			r = -LINUX_EINVAL;
			break;
		}
		if (!iov[1]) {
			continue;
		}
		r = write ? do_write(t, f, iov[0], iov[1], &f->pos)
			  : do_read(t, f, iov[0], iov[1], &f->pos);
		if (r <= 0) {
			break;
		}
		total += (uint64_t)r;
		if ((uint64_t)r < iov[1]) {
			break;
		}
	}
	file_put(f);
	return total ? (int64_t)total : r;
}

int64_t sys_readv(struct lthread *t, const uint64_t *a)
{
	return do_vec(t, a, false);
}

int64_t sys_writev(struct lthread *t, const uint64_t *a)
{
	return do_vec(t, a, true);
}

int64_t sys_close(struct lthread *t, const uint64_t *a)
{
	return a[0] > 0x7fffffff ? -LINUX_EBADF
				 : fd_close(t->proc->fds, (int)a[0]);
}

int64_t sys_dup(struct lthread *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	int r;

	if (!f) {
		return -LINUX_EBADF;
	}
	r = fd_install(t->proc->fds, f, 0, false);
	file_put(f);
	return r;
}

static int64_t dup_to(struct lthread *t, uint64_t oldfd, uint64_t newfd,
		      bool cloexec)
{
	struct file *f = get(t, oldfd);
	int r;

	if (!f) {
		return -LINUX_EBADF;
	}
	r = newfd >= FD_MAX ? -LINUX_EBADF
			    : fd_install_at(t->proc->fds, f, (int)newfd,
					    cloexec);
	file_put(f);
	return r;
}

int64_t sys_dup2(struct lthread *t, const uint64_t *a)
{
	if (a[0] == a[1]) {
		struct file *f = get(t, a[0]);

		if (!f) {
			return -LINUX_EBADF;
		}
		file_put(f);
		return (int64_t)a[1];
	}
	return dup_to(t, a[0], a[1], false);
}

int64_t sys_dup3(struct lthread *t, const uint64_t *a)
{
	if (a[0] == a[1] || (a[2] & ~(uint64_t)O_CLOEXEC)) {
		return -LINUX_EINVAL;
	}
	return dup_to(t, a[0], a[1], a[2] & O_CLOEXEC);
}

int64_t sys_fcntl(struct lthread *t, const uint64_t *a)
{
	struct fdtable *fds = t->proc->fds;
	struct file *f = get(t, a[0]);
	int fd = (int)a[0];
	int64_t r;

	if (!f) {
		return -LINUX_EBADF;
	}
	switch (a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		r = a[2] >= FD_MAX ? -LINUX_EINVAL
				   : fd_install(fds, f, (int)a[2],
						a[1] == F_DUPFD_CLOEXEC);
		break;
	case F_GETFD:
		r = fd_is_cloexec(fds, fd) ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		fd_set_cloexec(fds, fd, a[2] & FD_CLOEXEC);
		r = 0;
		break;
	case F_GETFL:
		r = f->flags;
		break;
	case F_SETFL:
		f->flags = (f->flags & ~(unsigned)O_SETTABLE) |
			   ((unsigned)a[2] & O_SETTABLE);
		r = 0;
		break;
	case F_GETLK: {
		/* No locks are held by others: report F_UNLCK. */
		int16_t type = 2;

		r = umem_write(t->proc, a[2], &type, sizeof(type));
		break;
	}
	case F_SETLK:
	case F_SETLKW:
		r = 0; /* advisory locks between our programs: later */
		break;
	case F_GETOWN:
	case F_SETOWN:
		r = 0;
		break;
	default:
		r = -LINUX_EINVAL;
		break;
	}
	file_put(f);
	return r;
}

int64_t sys_ioctl(struct lthread *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	int64_t r;

	if (!f) {
		return -LINUX_EBADF;
	}
	switch (a[1]) {
	case FIONBIO: {
		int on;

		r = umem_read(t->proc, a[2], &on, sizeof(on));
		if (!r) {
			f->flags = on ? f->flags | O_NONBLOCK
				      : f->flags & ~(unsigned)O_NONBLOCK;
		}
		break;
	}
	case FIOCLEX:
	case FIONCLEX:
		fd_set_cloexec(t->proc->fds, (int)a[0], a[1] == FIOCLEX);
		r = 0;
		break;
	default:
		r = f->ops->ioctl ? f->ops->ioctl(f, t->proc, a[1], a[2])
				  : -LINUX_ENOTTY;
		break;
	}
	file_put(f);
	return r;
}

static int64_t make_pipe(struct lthread *t, uint64_t ufds, uint64_t flags)
{
	struct file *r, *w;
	int fds[2], err;

	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | 040000)) {
		return -LINUX_EINVAL;
	}
	err = pipe_create(flags & O_NONBLOCK, &r, &w);
	if (err) {
		return err;
	}
	fds[0] = fd_install(t->proc->fds, r, 0, flags & O_CLOEXEC);
	fds[1] = fds[0] < 0 ? fds[0]
			    : fd_install(t->proc->fds, w, 0, flags & O_CLOEXEC);
	file_put(r);
	file_put(w);
	if (fds[1] < 0) {
		if (fds[0] >= 0) {
			fd_close(t->proc->fds, fds[0]);
		}
		return fds[1];
	}
	if (umem_write(t->proc, ufds, fds, sizeof(fds))) {
		fd_close(t->proc->fds, fds[0]);
		fd_close(t->proc->fds, fds[1]);
		return -LINUX_EFAULT;
	}
	return 0;
}

int64_t sys_pipe(struct lthread *t, const uint64_t *a)
{
	return make_pipe(t, a[0], 0);
}

int64_t sys_pipe2(struct lthread *t, const uint64_t *a)
{
	return make_pipe(t, a[0], a[1]);
}

int64_t sys_lseek(struct lthread *t, const uint64_t *a)
{
	struct file *f = get(t, a[0]);
	int64_t r;

	if (!f) {
		return -LINUX_EBADF;
	}
	r = a[2] > 4 ? -LINUX_EINVAL
	    : f->ops->lseek ? f->ops->lseek(f, (int64_t)a[1], (int)a[2])
			    : -LINUX_ESPIPE;
	file_put(f);
	return r;
}

/* poll's core: @fds[n] (struct pollfd: int fd; short events, revents)
 * until one is ready or @deadline. Returns the ready count. */
static int64_t do_poll(struct lthread *t, uint64_t ufds, uint64_t n,
		       uint64_t deadline)
{
	struct pollfd {
		int32_t fd;
		int16_t events, revents;
	} *pfd;
	struct pwait_head **heads;
	int64_t ready = 0;

	if (n > FD_MAX) {
		return -LINUX_EINVAL;
	}
	pfd = malloc((n ? n : 1) * sizeof(*pfd));
	heads = malloc((n ? n : 1) * sizeof(*heads));
	if (!pfd || !heads) {
		free(pfd);
		free(heads);
		return -LINUX_ENOMEM;
	}
	if (umem_read(t->proc, ufds, pfd, n * sizeof(*pfd))) {
		ready = -LINUX_EFAULT;
		goto out;
	}
	for (;;) {
		unsigned nheads = 0;
		int w;

		ready = 0;
		for (uint64_t i = 0; i < n; i++) {
			struct file *f;
			unsigned ev;

			pfd[i].revents = 0;
			if (pfd[i].fd < 0) {
				continue;
			}
			f = fd_get(t->proc->fds, pfd[i].fd);
			if (!f) {
				pfd[i].revents = FILE_POLLNVAL;
				ready++;
				continue;
			}
			ev = f->ops->poll ? f->ops->poll(f)
					  : FILE_POLLIN | FILE_POLLOUT |
						    FILE_POLLRDNORM |
						    FILE_POLLWRNORM;
			ev &= (unsigned)(uint16_t)pfd[i].events | FILE_POLLERR |
			      FILE_POLLHUP | FILE_POLLNVAL;
			pfd[i].revents = (int16_t)ev;
			if (ev) {
				ready++;
			} else if (f->wait) {
				heads[nheads++] = f->wait;
			}
			file_put(f);
		}
		if (ready) {
			break;
		}
		w = pwait_any(heads, nheads, deadline);
		if (w == -LINUX_ETIMEDOUT) {
			break;
		}
		if (w == -LINUX_EINTR) {
			ready = -LINUX_ERESTARTSYS;
			goto out;
		}
	}
	if (umem_write(t->proc, ufds, pfd, n * sizeof(*pfd))) {
		ready = -LINUX_EFAULT;
	}
out:
	free(pfd);
	free(heads);
	return ready;
}

int64_t sys_poll(struct lthread *t, const uint64_t *a)
{
	int64_t ms = (int32_t)a[2];

	return do_poll(t, a[0], a[1],
		       ms < 0 ? ~0ull
			      : ltime_monotonic_ns() + (uint64_t)ms * 1000000);
}

int64_t sys_ppoll(struct lthread *t, const uint64_t *a)
{
	uint64_t deadline = ~0ull, old = t->sigmask, mask;
	int64_t r;

	if (a[2]) {
		int err = ltime_user_deadline_rel(t->proc, a[2], &deadline);

		if (err) {
			return err;
		}
	}
	if (a[3]) {
		if (a[4] != 8) {
			return -LINUX_EINVAL;
		}
		if (umem_read(t->proc, a[3], &mask, 8)) {
			return -LINUX_EFAULT;
		}
		t->sigmask = mask & ~(SIG_BIT(LINUX_SIGKILL) |
				      SIG_BIT(LINUX_SIGSTOP));
	}
	r = do_poll(t, a[0], a[1], deadline);
	/* The handler runs with the ppoll mask; sigreturn restores the old
	 * one (signal.c saves it in the frame). */
	if (a[3]) {
		t->saved_sigmask = old;
		t->has_saved_sigmask = true;
	}
	if (r == -LINUX_ERESTARTSYS) {
		r = -LINUX_EINTR; /* ppoll is never restarted */
	}
	return r;
}

/* select: builds a poll list from the three sets, then maps back. */
static int64_t do_select(struct lthread *t, uint64_t nfds, uint64_t ur,
			 uint64_t uw, uint64_t ue, uint64_t deadline)
{
	uint64_t sets[3][FD_MAX / 64], out[3][FD_MAX / 64];
	uint64_t uset[3] = { ur, uw, ue };
	size_t bytes = (nfds + 63) / 64 * 8;
	int64_t ready = 0;

	if (nfds > FD_MAX) {
		return -LINUX_EINVAL;
	}
	memset(sets, 0, sizeof(sets));
	for (int s = 0; s < 3; s++) {
		if (uset[s] && umem_read(t->proc, uset[s], sets[s], bytes)) {
			return -LINUX_EFAULT;
		}
	}
	for (;;) {
		struct pwait_head *heads[64];
		unsigned nheads = 0;
		int w;

		memset(out, 0, sizeof(out));
		ready = 0;
		for (uint64_t fd = 0; fd < nfds; fd++) {
			uint64_t bit = 1ull << (fd % 64);
			bool want[3];
			struct file *f;
			unsigned ev;

			for (int s = 0; s < 3; s++) {
				want[s] = sets[s][fd / 64] & bit;
			}
			if (!want[0] && !want[1] && !want[2]) {
				continue;
			}
			f = fd_get(t->proc->fds, (int)fd);
			if (!f) {
				return -LINUX_EBADF;
			}
			ev = f->ops->poll ? f->ops->poll(f)
					  : FILE_POLLIN | FILE_POLLOUT;
			if (want[0] && (ev & (FILE_POLLIN | FILE_POLLHUP |
					      FILE_POLLERR))) {
				out[0][fd / 64] |= bit, ready++;
			}
			if (want[1] && (ev & (FILE_POLLOUT | FILE_POLLERR))) {
				out[1][fd / 64] |= bit, ready++;
			}
			if (want[2] && (ev & FILE_POLLPRI)) {
				out[2][fd / 64] |= bit, ready++;
			}
			if (f->wait && nheads < 64) {
				heads[nheads++] = f->wait;
			}
			file_put(f);
		}
		if (ready) {
			break;
		}
		w = pwait_any(heads, nheads, deadline);
		if (w == -LINUX_ETIMEDOUT) {
			break;
		}
		if (w == -LINUX_EINTR) {
			return -LINUX_ERESTARTSYS;
		}
	}
	for (int s = 0; s < 3; s++) {
		if (uset[s] && umem_write(t->proc, uset[s], out[s], bytes)) {
			return -LINUX_EFAULT;
		}
	}
	return ready;
}

int64_t sys_select(struct lthread *t, const uint64_t *a)
{
	uint64_t deadline = ~0ull;

	if (a[4]) {
		int64_t tv[2];

		if (umem_read(t->proc, a[4], tv, sizeof(tv))) {
			return -LINUX_EFAULT;
		}
		if (tv[0] < 0 || tv[1] < 0 || tv[1] >= 1000000) {
			return -LINUX_EINVAL;
		}
		deadline = ltime_monotonic_ns() + (uint64_t)tv[0] * 1000000000 +
			   (uint64_t)tv[1] * 1000;
	}
	return do_select(t, a[0], a[1], a[2], a[3], deadline);
}

int64_t sys_pselect6(struct lthread *t, const uint64_t *a)
{
	uint64_t deadline = ~0ull, old = t->sigmask;
	int64_t r;

	if (a[4]) {
		int err = ltime_user_deadline_rel(t->proc, a[4], &deadline);

		if (err) {
			return err;
		}
	}
	if (a[5]) {
		uint64_t sm[2], mask;

		if (umem_read(t->proc, a[5], sm, sizeof(sm))) {
			return -LINUX_EFAULT;
		}
		if (sm[0]) {
			if (sm[1] != 8 || umem_read(t->proc, sm[0], &mask, 8)) {
				return sm[1] != 8 ? -LINUX_EINVAL
						  : -LINUX_EFAULT;
			}
			t->sigmask = mask & ~(SIG_BIT(LINUX_SIGKILL) |
					      SIG_BIT(LINUX_SIGSTOP));
			t->saved_sigmask = old;
			t->has_saved_sigmask = true;
		}
	}
	r = do_select(t, a[0], a[1], a[2], a[3], deadline);
	return r == -LINUX_ERESTARTSYS ? -LINUX_EINTR : r;
}
