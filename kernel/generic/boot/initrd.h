/*
 * The initial RAM disk: the cpio "newc" archive GRUB loads as a
 * multiboot2 module (the one whose command line is "initrd", else the
 * first). Holds the first programs the kernel starts.
 */
#pragma once

#include <stddef.h>

#include <keel/error.h>
#include <mm/addr.h>

struct mb2_info;

/* Finds the initrd among the boot modules. ERR_NOT_FOUND. */
err_t initrd_init(const struct mb2_info *boot);
/* Finds the file @path in the initrd. ERR_NOT_FOUND, ERR_CORRUPT. */
err_t initrd_find(const char *path, const void **data, size_t *size);
/* Where the archive lies in physical memory (reserved for good). */
err_t initrd_phys(paddr_t *start, size_t *size);
