/*
 * tmpfs: a file system in the posix server's memory, for the root (the
 * initrd unpacked), /tmp, /dev/shm and devtmpfs. Regular files keep
 * their data in page-sized chunks in a sparse map (a seek far ahead then
 * a write allocates one page, not the gap); directories index their
 * entries by name and by a stable position (dirindex), so 10,000 entries
 * stay fast and getdents positions survive unlinks while a program reads;
 * symlinks keep their target; fifos, sockets and device nodes are just
 * inodes (opening them goes through the vfs hooks).
 *
 * Limits: @max_bytes of file data (whole pages) and @max_inodes files;
 * past them, writes and creations fail with ENOSPC (a write that did
 * part of its work returns the bytes written). 0 means no limit.
 */
#pragma once

#include <stdint.h>

#include "vfs.h"

#define TMPFS_PAGE 4096u

struct tmpfs_opts {
	uint64_t max_bytes;	/* 0: unlimited */
	uint64_t max_inodes;	/* 0: unlimited */
	uint32_t mode;		/* the root directory's permissions */
	uint32_t uid, gid;	/* its owner */
};

/* A new tmpfs instance with one reference (for vfs_mount_root or
 * vfs_mount_sb). ENOMEM. */
int tmpfs_create(const struct tmpfs_opts *opts, struct vfs_sb **out);
/*
 * Parses mount(2) data for tmpfs ("size=64m,nr_inodes=1k,mode=1777,
 * uid=0,gid=0"; size may end in k, m, g or %, of @ram_bytes) into *@opts
 * (defaults: no limits, mode 1777, owned by root). EINVAL.
 */
int tmpfs_parse_opts(const char *data, uint64_t ram_bytes,
		     struct tmpfs_opts *opts);
/* Registers "tmpfs" with the vfs; size=N% is of @ram_bytes. */
int tmpfs_register(uint64_t ram_bytes);
/* Bytes of file data held (whole pages) and inodes in use, for tests and
 * statfs. */
uint64_t tmpfs_used_bytes(const struct vfs_sb *sb);
uint64_t tmpfs_used_inodes(const struct vfs_sb *sb);
