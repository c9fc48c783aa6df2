/*
 * Reader of cpio "newc" archives (magic 070701), the initrd format: each
 * member is a 110-byte ASCII header of thirteen 8-digit hex fields, the
 * NUL-terminated name padded to a multiple of 4 bytes (counted from the
 * archive start), then the data padded likewise; "TRAILER!!!" ends the
 * archive. The archive is untrusted: every length is checked against its
 * size, and entries point into it (nothing is copied or allocated).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <keel/error.h>

#define CPIO_HEADER_SIZE 110
#define CPIO_TRAILER "TRAILER!!!"

/* File type bits of cpio_entry.mode (the st_mode values). */
#define CPIO_MODE_TYPE 0170000u
#define CPIO_MODE_DIR 0040000u
#define CPIO_MODE_REG 0100000u
#define CPIO_MODE_LNK 0120000u
#define CPIO_MODE_CHR 0020000u
#define CPIO_MODE_BLK 0060000u

struct cpio_entry {
	const char *name;	/* inside the archive, NUL-terminated */
	size_t name_len;	/* without the NUL */
	const void *data;	/* inside the archive; a symlink's target */
	size_t size;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t mtime;
	uint32_t nlink;
	uint32_t ino;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t rdev_major;	/* of a device node */
	uint32_t rdev_minor;
};

/*
 * Reads the member at *@offset (start at 0) of the @size-byte archive into
 * @entry and advances *@offset to the next member (or to @size when the
 * archive ends inside the member's padding). Returns ERR_OK; ERR_NOT_FOUND
 * at the trailer or when *@offset is at or past the end; ERR_INVALID when
 * *@offset is not a multiple of 4; ERR_CORRUPT for a bad magic, a
 * field that is not 8 hex digits, a header, name or data running past the
 * end, a name without its NUL at the end (or with an earlier one), or
 * non-zero alignment padding.
 */
err_t cpio_next(const void *archive, size_t size, size_t *offset,
		struct cpio_entry *entry);

/*
 * Finds the first member named @path, ignoring a leading "/" or "./" on
 * either name (so "/bin/init", "bin/init" and "./bin/init" match). Returns
 * ERR_OK with @entry filled, ERR_NOT_FOUND, or ERR_CORRUPT when the archive
 * is found corrupt before the member.
 */
err_t cpio_find(const void *archive, size_t size, const char *path,
		struct cpio_entry *entry);
