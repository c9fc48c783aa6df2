/*
 * A file-system server inside the test process: lib/fsserve (the
 * protocol's server side, as every Keel file-system server uses it) over
 * memfs (servers/memfs/backend.c: a tmpfs instance behind fsserve's
 * ops), and the remotefs transport that calls it directly. The posix
 * server's remotefs then sits over tmpfs with the protocol and its checks
 * on both sides in between.
 *
 * With it, the vfs tests (test_vfs.c built with FX_REMOTEFS) run over
 * remotefs: tmpfs behind the protocol must behave exactly as tmpfs.
 */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "../../lib/fsserve/fsserve.h"
#include "../../servers/memfs/backend.h"
#include "../../lib/proto/proto.h"
#include "../../servers/posix/remotefs.h"
#include "../../servers/posix/tmpfs.h"
#include <keel/error.h>
#include <linux_abi/errno.h>

#define LB_XFER (256u * 1024)

struct loopback {
	struct remotefs_transport t;
	struct memfs mfs;		/* the served tmpfs */
	struct fsserve srv;
	uint64_t requests;		/* served, for the tests */
	uint64_t forgets;		/* FORGET requests served */
	/* Tests of a misbehaving server: may rewrite a reply (@len its
	 * length) before the client sees it. */
	void (*mangle)(struct loopback *lb, uint32_t id, uint8_t *msg,
		       size_t *len);
	bool dead;			/* every call: -ERR_PEER_CLOSED */
	uint8_t *area;
	_Alignas(8) uint8_t msg[PROTO_MSG_MAX];	/* the reply being built */
};

static inline struct loopback *lb_of(struct remotefs_transport *t)
{
	return (struct loopback *)t;
}

static inline int64_t lb_call(struct remotefs_transport *t, uint32_t id,
			      void *req, size_t len, uint64_t handle,
			      void *reply, size_t min_reply, size_t cap)
{
	struct loopback *lb = lb_of(t);
	size_t rlen;
	int64_t st;

	(void)handle;
	proto_header_set(req, id, len);
	if (proto_request_frame_check(req, len) != ERR_OK) {
		abort();	/* remotefs built a bad frame */
	}
	if (lb->dead) {
		return -(int64_t)ERR_PEER_CLOSED;
	}
	lb->requests++;
	lb->forgets += id == FS_FORGET;
	rlen = fsserve_handle(&lb->srv, req, len,
			      id == FS_ATTACH ? lb->area : NULL,
			      id == FS_ATTACH ? LB_XFER : 0, lb->msg,
			      sizeof(lb->msg));
	if (lb->mangle) {
		lb->mangle(lb, id, lb->msg, &rlen);
	}
	if (rlen > cap) {
		return -ERR_CORRUPT;
	}
	memcpy(reply, lb->msg, rlen);
	st = proto_reply_check(reply, rlen, id, min_reply, cap);
	return st;
}

static inline void lb_wait(struct remotefs_transport *t)
{
	(void)t;
	abort();	/* one caller at a time here: a slot is always free */
}

static inline void lb_wake(struct remotefs_transport *t)
{
	(void)t;
}

/* The rfs superblock this transport serves, set after remotefs_mount,
 * and the loopback itself (one at a time). */
static struct vfs_sb *lb_client_sb;
static struct loopback *lb_current;

static inline void lb_kick(struct remotefs_transport *t)
{
	(void)t;
	/* Nothing here waits, so the FORGETs go at once (the server's
	 * flusher sends them from a fiber of its own). */
	while (lb_client_sb && remotefs_flush_one(lb_client_sb)) {
	}
}

static inline void lb_close(struct remotefs_transport *t)
{
	struct loopback *lb = lb_of(t);

	fsserve_detach(&lb->srv);
	/* Only the root stays (memfs keeps it for the next client). */
	if (memfs_held(&lb->mfs) != 1) {
		abort();	/* fsserve lost track of a reference */
	}
	memfs_fini(&lb->mfs);
	free(lb->area);
	free(lb);
	lb_client_sb = NULL;
	lb_current = NULL;
}

/* A loopback over tmpfs instance @sb (its reference passes to it). */
static inline struct loopback *lb_create(struct vfs_sb *sb)
{
	struct loopback *lb = calloc(1, sizeof(*lb));

	if (!lb || !(lb->area = calloc(1, LB_XFER))) {
		abort();
	}
	memfs_init(&lb->mfs, sb);
	/* tmpfs's largest file is Linux's: the largest offset. */
	fsserve_init(&lb->srv, &memfs_ops, &lb->mfs, memfs_root(&lb->mfs),
		     false, 4096, INT64_MAX);
	lb->t.call = lb_call;
	lb->t.wait = lb_wait;
	lb->t.wake = lb_wake;
	lb->t.kick = lb_kick;
	lb->t.close = lb_close;
	/* Both sides see the same memory, as with a shared object. */
	lb->t.xfer = lb->area;
	lb->t.xfer_size = LB_XFER;
	lb_current = lb;
	return lb;
}
