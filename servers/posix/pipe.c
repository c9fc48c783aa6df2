/*
 * Pipes (pipe.h). Both ends share a struct pipe; it goes when both ends
 * are released. One wait head serves readers and writers alike: every
 * state change wakes all, and each re-checks.
 */
#include <base/string.h>
#include <linux_abi/errno.h>
#include <rt/malloc.h>

#include "file.h"
#include "pipe.h"
#include "umem.h"

struct pipe {
	uint8_t *buf;
	uint32_t head, len;	/* ring: bytes [head, head + len) */
	unsigned readers, writers;
	bool named;		/* a FIFO's: lives with its inode */
	unsigned opened_writers; /* writers ever opened (FIFO wake-up) */
	struct pwait_head wait;
};

static int64_t pipe_read(struct file *f, void *buf, size_t len,
			 uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t n = len < p->len ? len : p->len;

	(void)pos;
	if (!len) {
		return 0;
	}
	if (!p->len) {
		return p->writers ? -LINUX_EAGAIN : 0;
	}
	for (size_t done = 0; done < n;) {
		size_t chunk = PIPE_SIZE - p->head;

		if (chunk > n - done) {
			chunk = n - done;
		}
		memcpy((uint8_t *)buf + done, p->buf + p->head, chunk);
		p->head = (p->head + (uint32_t)chunk) % PIPE_SIZE;
		p->len -= (uint32_t)chunk;
		done += chunk;
	}
	pwait_wake(&p->wait);
	return (int64_t)n;
}

static int64_t pipe_write(struct file *f, const void *buf, size_t len,
			  uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t room = PIPE_SIZE - p->len, n;

	(void)pos;
	if (!p->readers) {
		return -LINUX_EPIPE;
	}
	if (!len) {
		return 0;
	}
	/* Small writes go in whole or wait. */
	if (room == 0 || (len <= PIPE_BUF && room < len)) {
		return -LINUX_EAGAIN;
	}
	n = len < room ? len : room;
	for (size_t done = 0; done < n;) {
		uint32_t tail = (p->head + p->len) % PIPE_SIZE;
		size_t chunk = PIPE_SIZE - tail;

		if (chunk > n - done) {
			chunk = n - done;
		}
		memcpy(p->buf + tail, (const uint8_t *)buf + done, chunk);
		p->len += (uint32_t)chunk;
		done += chunk;
	}
	pwait_wake(&p->wait);
	return (int64_t)n;
}

static unsigned pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned acc = f->flags & 3, ev = 0;

	if (acc != 1) { /* a read end */
		if (p->len) {
			ev |= FILE_POLLIN | FILE_POLLRDNORM;
		}
		if (!p->writers) {
			ev |= FILE_POLLHUP;
		}
	}
	if (acc != 0) { /* a write end */
		if (PIPE_SIZE - p->len >= PIPE_BUF) {
			ev |= FILE_POLLOUT | FILE_POLLWRNORM;
		}
		if (!p->readers) {
			ev |= FILE_POLLERR;
		}
	}
	return ev;
}

static int64_t pipe_ioctl(struct file *f, struct lproc *caller, uint64_t cmd,
			  uint64_t arg)
{
	struct pipe *p = f->priv;

	if (cmd == 0x541b) { /* FIONREAD */
		int n = (int)p->len;

		return umem_write(caller, arg, &n, sizeof(n));
	}
	return -LINUX_ENOTTY;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;

	if ((f->flags & 3) != 1) {
		p->readers--;
	}
	if ((f->flags & 3) != 0) {
		p->writers--;
	}
	pwait_wake(&p->wait);
	if (!p->readers && !p->writers && !p->named) {
		free(p->buf);
		free(p);
	}
}

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};

int pipe_create(unsigned flags, struct file **read_end,
		struct file **write_end)
{
	struct pipe *p = calloc(1, sizeof(*p));
	struct file *r, *w;

	if (!p || !(p->buf = malloc(PIPE_SIZE))) {
		free(p);
		return -LINUX_ENOMEM;
	}
	pwait_head_init(&p->wait);
	r = file_create(&pipe_ops, flags | 0 /* O_RDONLY */, p);
	w = file_create(&pipe_ops, flags | 1 /* O_WRONLY */, p);
	if (!r || !w) {
		free(r);
		free(w);
		free(p->buf);
		free(p);
		return -LINUX_ENOMEM;
	}
	p->readers = p->writers = 1;
	r->wait = w->wait = &p->wait;
	r->stat_mode = w->stat_mode = 0010000; /* S_IFIFO */
	*read_end = r;
	*write_end = w;
	return 0;
}

int pipe_fifo_open(void **special, unsigned flags, struct file **out)
{
	struct pipe *p = *special;
	unsigned acc = flags & 3;
	/* An anonymous pipe opened again (/proc/<pid>/fd/N) never waits
	 * for the other end, as on Linux. */
	bool is_pipe = p && !p->named;
	struct file *f;

	if (acc == 3) {
		return -LINUX_EINVAL;
	}
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p || !(p->buf = malloc(PIPE_SIZE))) {
			free(p);
			return -LINUX_ENOMEM;
		}
		pwait_head_init(&p->wait);
		p->named = true;
		*special = p;
	}
	/* A write-only open without readers: ENXIO when it may not wait. */
	if (acc == 1 && !p->readers && (flags & 04000) && !is_pipe) {
		return -LINUX_ENXIO;
	}
	/* O_RDWR counts as both ends (Linux allows it on FIFOs). */
	f = file_create(&pipe_ops, flags, p);
	if (!f) {
		return -LINUX_ENOMEM;
	}
	f->wait = &p->wait;
	f->stat_mode = 0010000;
	if (acc == 0 || acc == 2) {
		p->readers++;
	}
	if (acc == 1 || acc == 2) {
		p->writers++;
		p->opened_writers++;
	}
	pwait_wake(&p->wait);
	/* Blocking opens wait for the other end, as on Linux. */
	if (!(flags & 04000) && acc != 2 && !is_pipe) {
		unsigned seen = p->opened_writers;
		struct pwait_head *h = &p->wait;

		while (acc == 0 ? !p->writers && p->opened_writers == seen
				: !p->readers) {
			if (pwait_any(&h, 1, ~0ull)) {
				file_put(f);
				return -LINUX_ERESTARTSYS;
			}
		}
	}
	*out = f;
	return 0;
}

void pipe_fifo_release(void *special)
{
	struct pipe *p = special;

	if (!p) {
		return;
	}
	p->named = false;
	if (!p->readers && !p->writers) {
		free(p->buf);
		free(p);
	}
}

void *pipe_of(const struct file *f)
{
	return f->ops == &pipe_ops ? f->priv : NULL;
}
