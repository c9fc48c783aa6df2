/*
 * memfs: a RAM file system in a process of its own (backend.h), served
 * with the file-system protocol (abi/keel/proto/fs.h). Started by the
 * kernel (servers=/bin/memfs) with boot information; it publishes one
 * endpoint in the registry (service=fs, fstype=memfs, source=memfs), and
 * the posix server mounts it: `mount -t memfs memfs /mnt`.
 *
 * FS_OPEN on the published endpoint gives the client a private stream
 * where the protocol runs (lib/fsserve checks and answers each request);
 * one client at a time, and when its stream closes (unmount, or the
 * client died) its references go and another may open.
 */
#include <base/string.h>
#include <fiber/fiber.h>
#include <fiber/loop.h>
#include <keel/bootinfo.h>
#include <keel/handle.h>
#include <keel/syscall.h>
#include <proto/proto.h>
#include <registry/registry.h>
#include <rt/rt.h>

#include "../posix/tmpfs.h"
#include "../posix/vfs.h"
#include "backend.h"

static struct loop memfs_loop;
static struct memfs mfs;
static struct fsserve srv;
static handle_t xfer_handle;		/* the client's transfer area */
static uint8_t *xfer_addr;
static uint64_t xfer_size;
static bool opened;			/* a client holds the private stream */
static int64_t mono_at_attach;

/* The time of day: the client's clock at ATTACH, carried on by ours. */
static void memfs_now(struct vfs_timespec *out)
{
	int64_t ns = srv.client_realtime_ns +
		     ((int64_t)rt_clock_ns() - mono_at_attach);

	out->sec = ns / 1000000000;
	out->nsec = ns % 1000000000;
}

static const struct vfs_hooks memfs_hooks = {
	.now = memfs_now,
};

static void area_drop(void)
{
	if (xfer_addr) {
		rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)(uintptr_t)xfer_addr,
			    xfer_size, 0, 0, 0);
		xfer_addr = NULL;
	}
	if (xfer_handle) {
		rt_syscall2(SYS_HANDLE_CLOSE, xfer_handle, 0);
		xfer_handle = 0;
	}
	xfer_size = 0;
}

/* Every request of the private stream. */
static err_t fs_request(struct proto_call *call)
{
	/* The reply, on this fiber's stack (PROTO_FIBER_STACK). */
	uint8_t reply[FSSERVE_REPLY_MAX] __attribute__((aligned(16)));
	const struct proto_header *h = call->msg;
	uint8_t *area = NULL;
	uint64_t area_size = 0;
	size_t len;
	int32_t status;

	if (h->id == FS_ATTACH && !srv.attached && call->handle &&
	    call->length >= sizeof(struct fs_attach)) {
		struct fs_attach a;
		int64_t addr;

		memcpy(&a, call->msg, sizeof(a));
		if (a.xfer_size >= FS_XFER_MIN && a.xfer_size <= FS_XFER_MAX &&
		    !(a.xfer_size & 4095)) {
			addr = rt_syscall6(SYS_VM_MAP, 0, call->handle, 0,
					   a.xfer_size, 0, VM_READ | VM_WRITE);
			if (addr > 0) {
				area = (uint8_t *)addr;
				area_size = a.xfer_size;
			}
		}
	}
	len = fsserve_handle(&srv, call->msg, call->length, area, area_size,
			     reply, sizeof(reply));
	memcpy(&status, reply + offsetof(struct proto_header, status),
	       sizeof(status));
	if (area) {
		if (status == 0) {
			area_drop();
			xfer_addr = area;
			xfer_size = area_size;
			xfer_handle = call->handle;
			call->handle = 0;	/* kept */
			mono_at_attach = (int64_t)rt_clock_ns();
		} else {
			rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)(uintptr_t)area,
				    area_size, 0, 0, 0);
		}
	}
	if (status != 0) {
		proto_reply_error(call, (err_t)-status);
	} else {
		proto_reply(call, reply, len, 0);
	}
	return ERR_OK;
}

#define FS_REQ(id) { id, sizeof(struct proto_header), PROTO_REQUEST_MAX, \
		     fs_request }
static const struct proto_handler fs_handlers[] = {
	FS_REQ(FS_ATTACH), FS_REQ(FS_LOOKUP), FS_REQ(FS_GETATTR),
	FS_REQ(FS_SETATTR), FS_REQ(FS_READ), FS_REQ(FS_WRITE),
	FS_REQ(FS_CREATE), FS_REQ(FS_MKDIR), FS_REQ(FS_SYMLINK),
	FS_REQ(FS_LINK), FS_REQ(FS_UNLINK), FS_REQ(FS_RMDIR),
	FS_REQ(FS_RENAME), FS_REQ(FS_READLINK), FS_REQ(FS_READDIR),
	FS_REQ(FS_STATFS), FS_REQ(FS_SYNC), FS_REQ(FS_FORGET),
	FS_REQ(FS_SEEK),
};

static void client_closed(struct proto_conn *conn)
{
	(void)conn;
	fsserve_detach(&srv);
	area_drop();
	opened = false;
}

static struct proto_server fs_server = {
	.loop = &memfs_loop,
	.handlers = fs_handlers,
	.handler_count = sizeof(fs_handlers) / sizeof(fs_handlers[0]),
	/* Requests run one at a time to completion (tmpfs does not
	 * wait), so a few in flight only overlap the sends. */
	.max_in_flight = 4,
	.conn_closed = client_closed,
};
static struct proto_conn client_conn;

/* FS_OPEN on the published endpoint. */
static err_t fs_open(struct proto_call *call)
{
	handle_t ends[2];
	int64_t r;
	err_t err;

	/* A client that unmounted and mounts again closed its stream just
	 * before this came on another one: give its close a moment to be
	 * seen here. */
	for (uint64_t until = rt_clock_ns() + 500000000ull;
	     opened && rt_clock_ns() < until;) {
		loop_sleep_until(&memfs_loop, rt_clock_ns() + 1000000);
	}
	if (opened) {
		return ERR_BUSY;
	}
	r = rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends, 0);
	if (r < 0) {
		return (err_t)-r;
	}
	err = proto_conn_start(&fs_server, &client_conn, ends[0], NULL);
	if (err) {
		rt_syscall2(SYS_HANDLE_CLOSE, ends[0], 0);
		rt_syscall2(SYS_HANDLE_CLOSE, ends[1], 0);
		return err;
	}
	opened = true;
	{
		struct proto_header h;

		proto_reply(call, &h, sizeof(h), ends[1]);
	}
	return ERR_OK;
}

static const struct proto_handler open_handlers[] = {
	{ FS_OPEN, sizeof(struct proto_header), sizeof(struct proto_header),
	  fs_open },
};

static struct proto_server open_server = {
	.loop = &memfs_loop,
	.handlers = open_handlers,
	.handler_count = 1,
	.max_in_flight = 1,
};
static struct proto_conn open_conn;

static void start(void *arg)
{
	handle_t reg = (handle_t)(uintptr_t)arg;
	static const char *const props[] = { "service=fs", "fstype=memfs",
					     "source=memfs", NULL };
	handle_t ends[2];
	int64_t r;

	r = rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends, 0);
	if (r < 0 || proto_conn_start(&open_server, &open_conn, ends[0],
				      NULL) != ERR_OK) {
		rt_printf("memfs: cannot serve");
		return;
	}
	r = registry_publish(&memfs_loop, reg, props, ends[1], NULL);
	if (r < 0) {
		rt_printf("memfs: cannot publish: %s", error_str((err_t)-r));
	}
}

int main(uint64_t arg)
{
	const struct boot_server_info *info;
	struct tmpfs_opts opts = { .mode = 01777 };
	struct vfs_sb *sb;
	int64_t addr;

	addr = rt_syscall6(SYS_VM_MAP, 0, arg, 0, 4096, 0, VM_READ);
	if (addr < 0) {
		rt_printf("memfs: no boot information; started by hand?");
		return 1;
	}
	info = (const struct boot_server_info *)addr;
	if (info->version != BOOT_SERVER_INFO_VERSION || !info->registry) {
		rt_printf("memfs: no registry");
		return 1;
	}
	vfs_set_hooks(&memfs_hooks);
	if (tmpfs_create(&opts, &sb) < 0) {
		rt_printf("memfs: out of memory");
		return 1;
	}
	memfs_init(&mfs, sb);
	fsserve_init(&srv, &memfs_ops, &mfs, memfs_root(&mfs), false, 4096,
		     INT64_MAX);
	if (loop_init(&memfs_loop, 64) != ERR_OK ||
	    fiber_create(NULL, start, (void *)(uintptr_t)info->registry, 0) !=
		    ERR_OK) {
		rt_printf("memfs: cannot start");
		return 1;
	}
	return loop_run(&memfs_loop) == ERR_OK ? 0 : 1;
}
