/*
 * remotefs: a file system of the posix server whose files live in
 * another process, a file-system server speaking the protocol of
 * abi/keel/proto/fs.h (ext2 on a disk; others later). The posix server
 * keeps the Linux semantics (paths, permissions, open files, mounts);
 * remotefs turns each inode operation into a request and keeps the
 * attributes of the inodes the VFS holds, which every reply brings back
 * up to date (this mount is the server's only client).
 *
 * Inodes: one struct inode per server inode number while the VFS holds
 * it, found again by number (a hash), so that the VFS's identity checks
 * (mount points, rename loops) hold. Each holds the server references
 * its lookups gave; when the VFS drops the inode they go back with
 * FORGET, queued and sent by the transport's flusher (drop must not
 * wait). An inode also holds its parent directory and its last name, so
 * getcwd and /proc paths work (parent_name).
 *
 * Data: READ and WRITE move through the transfer area shared with the
 * server, cut into slots; each request in flight holds one.
 *
 * The transport is what sends: in the server, lib/proto over the
 * mount's stream with fibers waiting (remotefs_proto.c); in the host
 * tests, a call straight into a server in the same process. Nothing here
 * waits but through it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/proto/fs.h>

#include "vfs.h"

struct remotefs_transport {
	/* Sends the request @req of @len bytes (its header is filled in
	 * with @id here) with the handle @handle (0: none) on a new
	 * conversation and waits for the reply into @reply (@cap bytes,
	 * at least @min_reply on success). Returns the reply's status
	 * (0, or a negated err_t from the server) or a transport error
	 * (negated err_t). */
	int64_t (*call)(struct remotefs_transport *t, uint32_t id, void *req,
			size_t len, uint64_t handle, void *reply,
			size_t min_reply, size_t cap);
	/* Waits until wake is called (no transfer slot free). */
	void (*wait)(struct remotefs_transport *t);
	void (*wake)(struct remotefs_transport *t);
	/* FORGETs are queued: have remotefs_flush_one() called until it
	 * returns false, soon, from a context that may wait (not from
	 * inside this call). */
	void (*kick)(struct remotefs_transport *t);
	/* The mount is gone: close the stream, free the transport. */
	void (*close)(struct remotefs_transport *t);
	/* The transfer area, mapped read-write here, and its memory
	 * object: ATTACH's call gets it as @handle, and the transport
	 * sends the server a duplicate (this one stays the transport's). */
	uint8_t *xfer;
	uint64_t xfer_size;
	uint64_t xfer_handle;
};

/* Bytes of one transfer slot: the most one READ or WRITE moves. */
#define REMOTEFS_SLOT (64u * 1024)

/* Attaches to the server behind @t (FS_ATTACH with FS_MOUNT_* @flags)
 * and makes a superblock for it: the mount owns @t from then on (its
 * close is called when the superblock goes, or now on failure). Returns
 * 0 or a negated Linux errno. */
int remotefs_mount(struct remotefs_transport *t, unsigned flags,
		   struct vfs_sb **out);

/* Sends one queued FORGET of @sb (the transport's flusher); false when
 * none was queued. The superblock may be gone when it returns true (it
 * waited): the flusher checks that the mount still stands before the
 * next. */
bool remotefs_flush_one(struct vfs_sb *sb);

/* The Linux errno (negated) for a status of the protocol (negated
 * err_t), as the VFS returns it. */
int remotefs_errno(int64_t status);
