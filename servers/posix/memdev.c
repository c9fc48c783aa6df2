/*
 * Memory devices (see memdev.h): each open makes a file with the
 * device's ops and no state. Seeks succeed and leave the offset at 0,
 * as Linux's null_lseek does, so programs that seek on them work.
 */
#include "memdev.h"

#include <stdint.h>

#include <base/string.h>
#include <linux_abi/errno.h>

#include "csprng.h"
#include "devfs.h"
#include "file.h"

static int64_t null_read(struct file *f, void *buf, size_t len,
			 uint64_t *pos)
{
	return 0;
}

static int64_t sink_write(struct file *f, const void *buf, size_t len,
			  uint64_t *pos)
{
	return (int64_t)len;
}

static int64_t mem_lseek(struct file *f, int64_t off, int whence)
{
	f->pos = 0;
	return 0;
}

static int64_t zero_read(struct file *f, void *buf, size_t len,
			 uint64_t *pos)
{
	memset(buf, 0, len);
	return (int64_t)len;
}

static int64_t full_write(struct file *f, const void *buf, size_t len,
			  uint64_t *pos)
{
	return -LINUX_ENOSPC;
}

static int64_t random_read(struct file *f, void *buf, size_t len,
			   uint64_t *pos)
{
	csprng_read(buf, len);
	return (int64_t)len;
}

static int64_t random_write(struct file *f, const void *buf, size_t len,
			    uint64_t *pos)
{
	csprng_seed(buf, len);
	return (int64_t)len;
}

static const struct file_ops null_ops = {
	.read = null_read,
	.write = sink_write,
	.lseek = mem_lseek,
};

static const struct file_ops zero_ops = {
	.read = zero_read,
	.write = sink_write,
	.lseek = mem_lseek,
};

static const struct file_ops full_ops = {
	.read = zero_read,
	.write = full_write,
	.lseek = mem_lseek,
};

static const struct file_ops random_ops = {
	.read = random_read,
	.write = random_write,
	.lseek = mem_lseek,
};

static int memdev_open(void *priv, struct lproc *caller, uint32_t minor,
		       unsigned flags, struct file **out)
{
	struct file *f = file_create(priv, flags, NULL);

	if (!f) {
		return -LINUX_ENOMEM;
	}
	*out = f;
	return 0;
}

int memdev_register(void)
{
	static const struct {
		const char *name;
		uint32_t minor;
		const struct file_ops *ops;
	} list[] = {
		{ "null", MEMDEV_NULL, &null_ops },
		{ "zero", MEMDEV_ZERO, &zero_ops },
		{ "full", MEMDEV_FULL, &full_ops },
		{ "random", MEMDEV_RANDOM, &random_ops },
		{ "urandom", MEMDEV_URANDOM, &random_ops },
	};

	for (unsigned i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		struct devfs_dev d = {
			.name = list[i].name,
			.mode = 0666,
			.major = MEMDEV_MAJOR,
			.minor = list[i].minor,
			.count = 1,
			.open = memdev_open,
			.priv = (void *)list[i].ops,
		};
		int err = devfs_register(&d);

		if (err < 0) {
			return err;
		}
	}
	return 0;
}
