/*
 * The initrd as the posix server first sees it: a cpio archive in memory
 * the kernel handed over (abi/keel/bootinfo.h). Until the VFS unpacks it
 * into a tmpfs root, programs are read from here.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct cpio_entry;

void bootfs_init(const void *archive, size_t size);
/* Finds @path, following symbolic links (at most 8): 0, -LINUX_ENOENT,
 * -LINUX_ELOOP, -LINUX_ENAMETOOLONG. */
int bootfs_find(const char *path, const void **data, size_t *size);
/* Calls @fn for every entry of the archive, in archive order. */
void bootfs_for_each(void (*fn)(void *ctx, const struct cpio_entry *e),
		     void *ctx);
