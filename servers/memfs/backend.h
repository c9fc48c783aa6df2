/*
 * memfs: tmpfs (the posix server's, servers/posix/tmpfs.c) served as a
 * file-system server through lib/fsserve: a RAM file system in a process
 * of its own, mounted by the posix server with the file-system protocol
 * like a disk file system. It is the protocol's reference backend: the
 * host tests run the vfs suites over it (tests/host/fs_loopback.h), the
 * guest tests mount it (servers/memfs/main.c).
 *
 * The adapter keeps the inodes it handed out findable by number, each
 * with a vfs reference, until fsserve releases them, and makes the checks
 * of types and existence a disk file system makes itself (tmpfs's ops
 * rely on the posix vfs for them).
 */
#pragma once

#include <fsserve/fsserve.h>

struct vfs_sb;
struct memfs_node;

struct memfs {
	struct vfs_sb *sb;		/* the tmpfs instance, referenced */
	struct memfs_node *nodes;	/* inodes handed out */
};

extern const struct fsserve_ops memfs_ops;

/* Serves tmpfs instance @sb (its reference passes to @m); the root
 * number for fsserve_init is memfs_root(@m). */
void memfs_init(struct memfs *m, struct vfs_sb *sb);
uint64_t memfs_root(const struct memfs *m);
/* How many inodes are handed out (the root always is). */
size_t memfs_held(const struct memfs *m);
/* After fsserve_detach: drops the instance. */
void memfs_fini(struct memfs *m);
