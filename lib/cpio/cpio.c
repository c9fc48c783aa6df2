/*
 * cpio "newc" reader (see cpio.h). Offsets are relative to the archive
 * start, which is where the format counts its 4-byte alignment from, and
 * every bound is checked as "length <= size - offset" so nothing can
 * overflow. Archive bytes are only ever read, one at a time, so the
 * archive may sit at any alignment.
 */
#include <stdbool.h>

#include <base/string.h>
#include <cpio/cpio.h>

#define CPIO_MAGIC "070701"
#define CPIO_MAGIC_LEN 6
#define CPIO_FIELD_LEN 8

/* Header fields in archive order, after the magic. */
enum cpio_field {
	CPIO_INO,
	CPIO_MODE,
	CPIO_UID,
	CPIO_GID,
	CPIO_NLINK,
	CPIO_MTIME,
	CPIO_FILESIZE,
	CPIO_DEVMAJOR,
	CPIO_DEVMINOR,
	CPIO_RDEVMAJOR,
	CPIO_RDEVMINOR,
	CPIO_NAMESIZE,
	CPIO_CHECK,
	CPIO_FIELDS,
};

_Static_assert(CPIO_MAGIC_LEN + CPIO_FIELDS * CPIO_FIELD_LEN ==
		       CPIO_HEADER_SIZE,
	       "newc header size");

/* Parses the 8 hex digits at @p into *@out; false if one is not hex. */
static bool parse_hex8(const char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < CPIO_FIELD_LEN; i++) {
		char c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9') {
			d = (uint32_t)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			d = (uint32_t)(c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			d = (uint32_t)(c - 'A' + 10);
		} else {
			return false;
		}
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Returns @n rounded up to a multiple of 4; @n is at most the archive
 * size, far from SIZE_MAX, so this cannot wrap. */
static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/*
 * Checks that the padding from @from up to the next multiple of 4 is zero,
 * as far as the archive goes (the last member's padding may be cut off).
 */
static bool padding_is_zero(const char *base, size_t size, size_t from)
{
	size_t to = align4(from);

	for (size_t i = from; i < to && i < size; i++) {
		if (base[i] != '\0') {
			return false;
		}
	}
	return true;
}

err_t cpio_next(const void *archive, size_t size, size_t *offset,
		struct cpio_entry *entry)
{
	const char *base = archive;
	size_t off = *offset;
	uint32_t f[CPIO_FIELDS];
	size_t name_off;
	size_t data_off;

	/* The end may be unaligned: when the last padding is cut off. */
	if (off >= size) {
		return ERR_NOT_FOUND;
	}
	if (off & 3) {
		return ERR_INVALID;
	}
	if (CPIO_HEADER_SIZE > size - off) {
		return ERR_CORRUPT;
	}
	if (memcmp(base + off, CPIO_MAGIC, CPIO_MAGIC_LEN) != 0) {
		return ERR_CORRUPT;
	}
	for (unsigned i = 0; i < CPIO_FIELDS; i++) {
		size_t at = off + CPIO_MAGIC_LEN + i * CPIO_FIELD_LEN;

		if (!parse_hex8(base + at, &f[i])) {
			return ERR_CORRUPT;
		}
	}

	/* The name: namesize bytes, the last one its only NUL. */
	name_off = off + CPIO_HEADER_SIZE;
	if (f[CPIO_NAMESIZE] == 0 || f[CPIO_NAMESIZE] > size - name_off) {
		return ERR_CORRUPT;
	}
	if (strnlen(base + name_off, f[CPIO_NAMESIZE]) !=
	    f[CPIO_NAMESIZE] - 1) {
		return ERR_CORRUPT;
	}
	if (!padding_is_zero(base, size, name_off + f[CPIO_NAMESIZE])) {
		return ERR_CORRUPT;
	}
	if (strcmp(base + name_off, CPIO_TRAILER) == 0) {
		return ERR_NOT_FOUND;
	}

	/* The data, which starts aligned even when it is empty. */
	data_off = align4(name_off + f[CPIO_NAMESIZE]);
	if (data_off > size || f[CPIO_FILESIZE] > size - data_off) {
		return ERR_CORRUPT;
	}
	if (!padding_is_zero(base, size, data_off + f[CPIO_FILESIZE])) {
		return ERR_CORRUPT;
	}

	entry->name = base + name_off;
	entry->name_len = f[CPIO_NAMESIZE] - 1;
	entry->data = base + data_off;
	entry->size = f[CPIO_FILESIZE];
	entry->mode = f[CPIO_MODE];
	entry->uid = f[CPIO_UID];
	entry->gid = f[CPIO_GID];
	entry->mtime = f[CPIO_MTIME];
	entry->nlink = f[CPIO_NLINK];
	entry->ino = f[CPIO_INO];
	entry->dev_major = f[CPIO_DEVMAJOR];
	entry->dev_minor = f[CPIO_DEVMINOR];
	entry->rdev_major = f[CPIO_RDEVMAJOR];
	entry->rdev_minor = f[CPIO_RDEVMINOR];
	/* An archive cut inside the last padding simply ends there. */
	*offset = align4(data_off + f[CPIO_FILESIZE]);
	if (*offset > size) {
		*offset = size;
	}
	return ERR_OK;
}

/* Skips the leading "/" and "./" that archivers and callers add. */
static const char *skip_root(const char *s)
{
	for (;;) {
		if (s[0] == '/') {
			s++;
		} else if (s[0] == '.' && s[1] == '/') {
			s += 2;
		} else {
			return s;
		}
	}
}

err_t cpio_find(const void *archive, size_t size, const char *path,
		struct cpio_entry *entry)
{
	const char *want = skip_root(path);
	size_t offset = 0;
	struct cpio_entry e;
	err_t err;

	while ((err = cpio_next(archive, size, &offset, &e)) == ERR_OK) {
		if (strcmp(skip_root(e.name), want) == 0) {
			*entry = e;
			return ERR_OK;
		}
	}
	return err;
}
