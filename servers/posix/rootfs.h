/*
 * The posix server's first file-system tree, made from the initrd before
 * the first program runs.
 */
#pragma once

#include <stdint.h>

struct vfs_path;

/* Registers tmpfs and devtmpfs, builds the root from the initrd, mounts
 * /dev and /tmp. 0 or a negated Linux errno (no root at all). */
int rootfs_init(uint64_t ram_bytes);
/* A new reference to the root, for the first process's root and cwd. */
void rootfs_root(struct vfs_path *out);
