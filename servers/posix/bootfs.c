/*
 * The initrd archive (bootfs.h).
 */
#include <base/string.h>
#include <cpio/cpio.h>
#include <linux_abi/errno.h>

#include "bootfs.h"

#define BOOTFS_LINKS_MAX 8

static const void *archive;
static size_t archive_size;

void bootfs_init(const void *data, size_t size)
{
	archive = data;
	archive_size = size;
}

int bootfs_find(const char *path, const void **data, size_t *size)
{
	char cur[256], next[256];
	struct cpio_entry e;

	if (strlcpy(cur, path, sizeof(cur)) >= sizeof(cur)) {
		return -LINUX_ENAMETOOLONG;
	}
	for (int links = 0; links <= BOOTFS_LINKS_MAX; links++) {
		if (!archive ||
		    cpio_find(archive, archive_size, cur, &e) != ERR_OK) {
			return -LINUX_ENOENT;
		}
		if ((e.mode & CPIO_MODE_TYPE) != CPIO_MODE_LNK) {
			*data = e.data;
			*size = e.size;
			return 0;
		}
		/* A relative target is relative to the link's directory. */
		if (e.size >= sizeof(next)) {
			return -LINUX_ENAMETOOLONG;
		}
		if (((const char *)e.data)[0] == '/') {
			memcpy(next, e.data, e.size);
			next[e.size] = '\0';
		} else {
			char *slash = strrchr(cur, '/');
			size_t dir = slash ? (size_t)(slash - cur) + 1 : 0;

			if (dir + e.size >= sizeof(next)) {
				return -LINUX_ENAMETOOLONG;
			}
			memcpy(next, cur, dir);
			memcpy(next + dir, e.data, e.size);
			next[dir + e.size] = '\0';
		}
		memcpy(cur, next, sizeof(cur));
	}
	return -LINUX_ELOOP;
}

void bootfs_for_each(void (*fn)(void *ctx, const struct cpio_entry *e),
		     void *ctx)
{
	struct cpio_entry e;
	size_t off = 0;

	while (archive && cpio_next(archive, archive_size, &off, &e) == ERR_OK) {
		fn(ctx, &e);
	}
}
