/*
 * mount(2) of file systems served by other processes (fsmount.h): the
 * remotefs transport over a private stream, with fibers.
 */
#include "fsmount.h"

#include <base/fmt.h>
#include <base/string.h>
#include <fiber/fiber.h>
#include <fiber/sync.h>
#include <keel/proto/fs.h>
#include <keel/syscall.h>
#include <linux_abi/errno.h>
#include <linux_abi/mount.h>
#include <proto/proto.h>
#include <registry/registry.h>
#include <rt/malloc.h>
#include <rt/rt.h>

#include "remotefs.h"
#include "server.h"

/* Size of the transfer area of a mount: 16 slots of REMOTEFS_SLOT. */
#define XFER_SIZE (16u * REMOTEFS_SLOT)

static handle_t fs_registry;

struct chan {
	struct remotefs_transport t;	/* first: remotefs gives it back */
	handle_t ep;			/* the private stream */
	struct vfs_sb *sb;		/* set once mounted */
	struct fiber_mutex lock;
	struct fiber_cond slots;	/* a transfer slot came free */
	struct fiber_cond work;		/* FORGETs queued, or closing */
	bool flush_pending;
	bool flusher;			/* the flusher fiber exists */
	bool closing;
};

static struct chan *chan_of(struct remotefs_transport *t)
{
	return (struct chan *)t;
}

static int64_t chan_call(struct remotefs_transport *t, uint32_t id,
			 void *req, size_t len, uint64_t handle, void *reply,
			 size_t min_reply, size_t cap)
{
	struct chan *c = chan_of(t);
	int64_t dup = 0;

	if (c->closing) {
		return -(int64_t)ERR_PEER_CLOSED;
	}
	if (handle) {
		/* The memory object stays ours: the server gets a copy. */
		dup = rt_syscall2(SYS_HANDLE_DUPLICATE, handle,
				  RIGHT_READ | RIGHT_WRITE | RIGHT_MAP |
					  RIGHT_TRANSFER);
		if (dup < 0) {
			return dup;
		}
	}
	return proto_call(&posix_loop, c->ep, id, req, len, (handle_t)dup,
			  reply, min_reply, cap, NULL);
}

static void chan_wait(struct remotefs_transport *t)
{
	struct chan *c = chan_of(t);

	fiber_mutex_lock(&c->lock);
	fiber_cond_wait(&c->slots, &c->lock);
	fiber_mutex_unlock(&c->lock);
}

static void chan_wake(struct remotefs_transport *t)
{
	fiber_cond_broadcast(&chan_of(t)->slots);
}

static void chan_free(struct chan *c)
{
	if (c->t.xfer) {
		rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)(uintptr_t)c->t.xfer,
			    c->t.xfer_size, 0, 0, 0);
	}
	if (c->t.xfer_handle) {
		rt_syscall2(SYS_HANDLE_CLOSE, c->t.xfer_handle, 0);
	}
	free(c);
}

/* Sends the FORGETs remotefs queues (its drop cannot wait). Frees the
 * channel when the mount went while it worked. */
static void flusher(void *arg)
{
	struct chan *c = arg;

	fiber_mutex_lock(&c->lock);
	for (;;) {
		while (!c->flush_pending && !c->closing) {
			fiber_cond_wait(&c->work, &c->lock);
		}
		if (c->closing) {
			break;
		}
		c->flush_pending = false;
		fiber_mutex_unlock(&c->lock);
		while (!c->closing && c->sb && remotefs_flush_one(c->sb)) {
		}
		fiber_mutex_lock(&c->lock);
	}
	fiber_mutex_unlock(&c->lock);
	chan_free(c);
}

static void chan_kick(struct remotefs_transport *t)
{
	struct chan *c = chan_of(t);

	if (c->closing) {
		return;
	}
	c->flush_pending = true;
	if (!c->flusher) {
		if (fiber_create(NULL, flusher, c, 0) != ERR_OK) {
			return;	/* the references stay until unmount */
		}
		c->flusher = true;
	}
	fiber_cond_signal(&c->work);
}

static void chan_close(struct remotefs_transport *t)
{
	struct chan *c = chan_of(t);

	c->closing = true;
	c->sb = NULL;
	/* The server drops every reference of ours when the stream goes. */
	if (c->ep) {
		rt_syscall2(SYS_HANDLE_CLOSE, c->ep, 0);
		c->ep = 0;
	}
	if (c->flusher) {
		fiber_cond_signal(&c->work);	/* it frees the channel */
	} else {
		chan_free(c);
	}
}

/* Opens the server of @fstype serving @source; returns a private stream
 * or a negated errno. */
static int64_t open_server(const char *fstype, const char *source)
{
	char type_prop[64], source_prop[REGISTRY_VALUE_MAX + 8];
	const char *pairs[] = { "service=fs", type_prop, source_prop, NULL };
	struct proto_header req;
	struct proto_result res;
	handle_t ep;
	int64_t r;

	if (!fs_registry) {
		return -LINUX_ENODEV;
	}
	if (strlen(source) > REGISTRY_VALUE_MAX) {
		return -LINUX_ENAMETOOLONG;
	}
	fmt_snprintf(type_prop, sizeof(type_prop), "fstype=%s", fstype);
	fmt_snprintf(source_prop, sizeof(source_prop), "source=%s", source);
	r = registry_lookup(&posix_loop, fs_registry, pairs, 0, &ep, NULL);
	if (r == -(int64_t)ERR_NOT_FOUND) {
		return -LINUX_ENODEV;	/* no such file system served */
	}
	if (r < 0) {
		return r == -(int64_t)ERR_INVALID ? -LINUX_EINVAL
						  : -LINUX_EIO;
	}
	memset(&req, 0, sizeof(req));
	r = proto_call(&posix_loop, ep, FS_OPEN, &req, sizeof(req), 0, &req,
		       sizeof(req), sizeof(req), &res);
	rt_syscall2(SYS_HANDLE_CLOSE, ep, 0);
	if (r == -(int64_t)ERR_BUSY) {
		return -LINUX_EBUSY;
	}
	if (r < 0 || !res.handle) {
		if (r >= 0) {
			r = -(int64_t)ERR_CORRUPT;
		}
		return remotefs_errno(r);
	}
	return res.handle;
}

static int remote_mount(const char *fstype, const char *source,
			unsigned long flags, struct vfs_sb **out)
{
	struct chan *c;
	int64_t ep, mem, addr;
	int err;

	ep = open_server(fstype, source ? source : "");
	if (ep < 0) {
		return (int)ep;
	}
	c = malloc(sizeof(*c));
	if (!c) {
		rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)ep, 0);
		return -LINUX_ENOMEM;
	}
	memset(c, 0, sizeof(*c));
	c->ep = (handle_t)ep;
	fiber_mutex_init(&c->lock);
	fiber_cond_init(&c->slots);
	fiber_cond_init(&c->work);
	c->t.call = chan_call;
	c->t.wait = chan_wait;
	c->t.wake = chan_wake;
	c->t.kick = chan_kick;
	c->t.close = chan_close;
	mem = rt_syscall2(SYS_MEMORY_CREATE, XFER_SIZE, 0);
	if (mem > 0) {
		c->t.xfer_handle = (uint64_t)mem;
	}
	addr = mem < 0 ? mem
		       : rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, XFER_SIZE,
				     0, VM_READ | VM_WRITE);
	if (addr < 0) {
		c->t.close(&c->t);
		return -LINUX_ENOMEM;
	}
	c->t.xfer = (uint8_t *)addr;
	c->t.xfer_size = XFER_SIZE;
	err = remotefs_mount(&c->t, flags & LINUX_MS_RDONLY ? FS_MOUNT_RDONLY : 0,
			     out);
	if (err < 0) {
		return err;	/* remotefs closed the channel */
	}
	c->sb = *out;
	return 0;
}

static int memfs_mount(const char *source, unsigned long flags,
		       const char *data, struct vfs_sb **out)
{
	(void)data;
	return remote_mount("memfs", source, flags, out);
}

static struct vfs_fstype memfs_type = {
	.name = "memfs",
	.nodev = true,
	.mount = memfs_mount,
};

int fsmount_register(handle_t registry)
{
	fs_registry = registry;
	return vfs_fstype_register(&memfs_type);
}
