/*
 * Tests of servers/posix/devfs.c and memdev.c on the vfs: the memory
 * devices opened through the vfs's device hook (null, zero, full,
 * random, urandom), the registration table (nodes made at population and
 * for later registrations, ranges of minors, overlaps refused, unknown
 * numbers giving ENXIO) and devtmpfs mounts sharing one instance.
 */
#include "check.h"
#include "posix_fixture.h"

#include "../../servers/posix/devfs.h"
#include "../../servers/posix/memdev.h"
#include <linux_abi/mount.h>

#define E(x) (-LINUX_##x)

static void fx_dev(struct fx *f)
{
	fx_init(f);
	f->hooks.open_dev = devfs_open;
	vfs_set_hooks(&f->hooks);
}

static int populate_at(struct fx *f, const char *path)
{
	struct vfs_path p;
	int err = vfs_lookup(&f->ctx, NULL, path, 0, &p);

	if (err == 0) {
		err = devfs_populate(p.inode);
		vfs_path_put(&p);
	}
	return err;
}

static int64_t dev_rw(struct fx *f, const char *path, bool write, void *buf,
		      size_t len)
{
	struct file *fl;
	int64_t n;
	int err = vfs_open(&f->ctx, NULL, path,
			   write ? LINUX_O_WRONLY : LINUX_O_RDONLY, 0, &fl);

	if (err < 0) {
		return err;
	}
	n = write ? fl->ops->write(fl, buf, len, &fl->pos)
		  : fl->ops->read(fl, buf, len, &fl->pos);
	file_put(fl);
	return n;
}

TEST(memdev_devices)
{
	uint8_t buf[64], buf2[64];
	struct linux_stat s;
	struct file *fl;
	char link[32];
	struct fx f;

	fx_dev(&f);
	REQUIRE(memdev_register() == 0);
	REQUIRE(mkd(&f.ctx, "dev", 0755) == 0);
	REQUIRE(populate_at(&f, "dev") == 0);
	CHECK_EQ(st(&f.ctx, "/dev/null", &s), 0);
	CHECK_EQ(s.st_mode, LINUX_S_IFCHR | 0666);
	CHECK_EQ(s.st_rdev, LINUX_MAKEDEV(1, 3));
	CHECK_EQ(st(&f.ctx, "/dev/urandom", &s), 0);
	CHECK_EQ(s.st_rdev, LINUX_MAKEDEV(1, 9));
	/* null swallows and gives nothing; ordinary users may use it. */
	CHECK_EQ(dev_rw(&f, "/dev/null", true, "hello", 5), 5);
	CHECK_EQ(dev_rw(&f, "/dev/null", false, buf, sizeof(buf)), 0);
	CHECK_EQ(op(&f.user, "/dev/null", LINUX_O_RDWR, 0), 0);
	/* zero reads zeros; full too, and refuses writes. */
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(dev_rw(&f, "/dev/zero", false, buf, sizeof(buf)), 64);
	CHECK(buf[0] == 0 && buf[63] == 0);
	CHECK_EQ(dev_rw(&f, "/dev/zero", true, buf, 10), 10);
	CHECK_EQ(dev_rw(&f, "/dev/full", true, buf, 10), E(ENOSPC));
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(dev_rw(&f, "/dev/full", false, buf, sizeof(buf)), 64);
	CHECK(buf[10] == 0);
	/* random and urandom: fresh bytes every time. */
	CHECK_EQ(dev_rw(&f, "/dev/urandom", false, buf, sizeof(buf)), 64);
	CHECK_EQ(dev_rw(&f, "/dev/random", false, buf2, sizeof(buf2)), 64);
	CHECK(memcmp(buf, buf2, sizeof(buf)) != 0);
	CHECK_EQ(dev_rw(&f, "/dev/random", true, "entropy", 7), 7);
	/* The file knows its inode and mount; seeks succeed at 0. */
	REQUIRE(vfs_open(&f.ctx, NULL, "/dev/zero", LINUX_O_RDONLY, 0, &fl) ==
		0);
	CHECK(fl->inode != NULL && fl->mnt == f.root.mnt);
	CHECK_EQ(fl->inode->rdev, LINUX_MAKEDEV(1, 5));
	CHECK_EQ(fl->ops->lseek(fl, 100, LINUX_SEEK_SET), 0);
	file_put(fl);
	/* The rest of /dev. */
	CHECK_EQ(vfs_readlinkat(&f.ctx, NULL, "/dev/fd", link, sizeof(link)),
		 13);
	CHECK(memcmp(link, "/proc/self/fd", 13) == 0);
	CHECK_EQ(vfs_readlinkat(&f.ctx, NULL, "/dev/stderr", link,
				sizeof(link)),
		 15);
	CHECK_EQ(st(&f.ctx, "/dev/shm", &s), 0);
	CHECK_EQ(s.st_mode, LINUX_S_IFDIR | 01777);
	CHECK_EQ(st(&f.ctx, "/dev/pts", &s), 0);
	/* Populating again leaves what is there. */
	CHECK_EQ(populate_at(&f, "dev"), 0);
	devfs_reset();
	fx_fini(&f);
}

static uint32_t opened_minor;
static struct lproc *opened_by;
static unsigned opened_flags;
static int opened_count;

static int64_t tty_write(struct file *fl, const void *buf, size_t len,
			 uint64_t *pos)
{
	return (int64_t)len;
}

static const struct file_ops tty_ops = { .write = tty_write };

static int fake_tty_open(void *priv, struct lproc *caller, uint32_t minor,
			 unsigned flags, struct file **out)
{
	opened_minor = minor;
	opened_by = caller;
	opened_flags = flags;
	opened_count++;
	if (priv) {
		return *(int *)priv;
	}
	*out = file_create(&tty_ops, flags, NULL);
	return 0;
}

TEST(devfs_registration)
{
	static int busy = E(EBUSY);
	struct devfs_dev d = {
		.name = "ttyS0",
		.mode = 0620,
		.gid = 5,
		.major = 4,
		.minor = 64,
		.count = 1,
		.open = fake_tty_open,
	};
	struct linux_stat s;
	struct fx f;

	fx_dev(&f);
	f.ctx.proc = (struct lproc *)&f;
	REQUIRE(mkd(&f.ctx, "dev", 0755) == 0);
	CHECK_EQ(devfs_register(&d), 0);
	CHECK_EQ(devfs_register(&d), E(EEXIST));
	d.open = NULL;
	d.minor = 65;
	CHECK_EQ(devfs_register(&d), E(EINVAL));
	REQUIRE(populate_at(&f, "dev") == 0);
	CHECK_EQ(st(&f.ctx, "/dev/ttyS0", &s), 0);
	CHECK_EQ(s.st_mode, LINUX_S_IFCHR | 0620);
	CHECK_EQ(s.st_gid, 5);
	CHECK_EQ(s.st_rdev, LINUX_MAKEDEV(4, 64));
	/* Registered after /dev exists: the node comes at once. */
	d.name = "console";
	d.mode = 0600;
	d.gid = 0;
	d.major = 5;
	d.minor = 1;
	d.open = fake_tty_open;
	CHECK_EQ(devfs_register(&d), 0);
	CHECK_EQ(st(&f.ctx, "/dev/console", &s), 0);
	CHECK_EQ(s.st_rdev, LINUX_MAKEDEV(5, 1));
	/* A range without a node: any minor in it opens (made by mknod
	 * elsewhere); one overlapping it is refused. */
	d.name = NULL;
	d.major = 136;
	d.minor = 0;
	d.count = 256;
	CHECK_EQ(devfs_register(&d), 0);
	d.minor = 255;
	d.count = 2;
	CHECK_EQ(devfs_register(&d), E(EEXIST));
	d.minor = 256;
	d.count = 1;
	d.priv = &busy;
	CHECK_EQ(devfs_register(&d), 0);
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "pty3", LINUX_S_IFCHR | 0666,
			    LINUX_MAKEDEV(136, 3)) == 0);
	CHECK_EQ(op(&f.ctx, "pty3", LINUX_O_RDWR | LINUX_O_NOCTTY, 0), 0);
	CHECK_EQ(opened_minor, 3);
	CHECK(opened_by == (struct lproc *)&f);
	CHECK(opened_flags & LINUX_O_NOCTTY);
	/* The open function's error comes back. */
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "pty256", LINUX_S_IFCHR | 0666,
			    LINUX_MAKEDEV(136, 256)) == 0);
	CHECK_EQ(op(&f.ctx, "pty256", LINUX_O_RDWR, 0), E(EBUSY));
	/* Unknown numbers, block devices: ENXIO, the table not asked. */
	opened_count = 0;
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "nodev", LINUX_S_IFCHR | 0666,
			    LINUX_MAKEDEV(200, 1)) == 0);
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "blk", LINUX_S_IFBLK | 0666,
			    LINUX_MAKEDEV(4, 64)) == 0);
	CHECK_EQ(op(&f.ctx, "nodev", LINUX_O_RDWR, 0), E(ENXIO));
	CHECK_EQ(op(&f.ctx, "blk", LINUX_O_RDWR, 0), E(ENXIO));
	CHECK_EQ(opened_count, 0);
	/* Permissions are the vfs's, before the device sees anything. */
	CHECK_EQ(op(&f.user, "/dev/ttyS0", LINUX_O_RDWR, 0), E(EACCES));
	CHECK_EQ(opened_count, 0);
	devfs_reset();
	fx_fini(&f);
}

TEST(devtmpfs_shared_instance)
{
	struct linux_stat a, b;
	struct fx f;

	fx_dev(&f);
	REQUIRE(memdev_register() == 0);
	REQUIRE(devfs_register_fstype() == 0);
	CHECK_EQ(devfs_register_fstype(), E(EEXIST));
	REQUIRE(mkd(&f.ctx, "dev", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "mnt", 0755) == 0);
	CHECK_EQ(vfs_mount(&f.ctx, NULL, "devtmpfs", "/dev", "devtmpfs", 0,
			   NULL),
		 0);
	CHECK_EQ(vfs_mount(&f.ctx, NULL, "devtmpfs", "/mnt", "devtmpfs",
			   LINUX_MS_NOSUID, NULL),
		 0);
	CHECK_EQ(st(&f.ctx, "/dev/null", &a), 0);
	CHECK_EQ(st(&f.ctx, "/mnt/null", &b), 0);
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_dev, b.st_dev);
	CHECK_EQ(st(&f.ctx, "/dev", &a), 0);
	CHECK_EQ(a.st_mode, LINUX_S_IFDIR | 0755);
	/* A node made in one shows in the other. */
	CHECK_EQ(vfs_mknodat(&f.ctx, NULL, "/dev/made", LINUX_S_IFIFO | 0600,
			     0),
		 0);
	CHECK_EQ(err_of_stat(&f.ctx, "/mnt/made"), 0);
	{
		uint8_t z[8] = { 1 };

		CHECK_EQ(dev_rw(&f, "/mnt/zero", false, z, 8), 8);
		CHECK(z[0] == 0);
	}
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "/mnt", 0), 0);
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "/dev", 0), 0);
	CHECK_EQ(err_of_stat(&f.ctx, "/dev/null"), E(ENOENT));
	devfs_reset();
	fx_fini(&f);
}

int main(void)
{
	RUN(memdev_devices);
	RUN(devfs_registration);
	RUN(devtmpfs_shared_instance);
	return check_done();
}
