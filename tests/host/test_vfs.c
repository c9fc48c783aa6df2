/*
 * Tests of the posix server's vfs over tmpfs (servers/posix/vfs*.c,
 * tmpfs.c): the path walk (dots, slashes, symlinks and their limits,
 * long names and paths), permissions as root and as ordinary users
 * (search, sticky directories, ownership rules), open's flags, every
 * *at() call with the errors Linux gives, unlinked files that stay
 * usable while open, renames (into subdirectories too), getdents while
 * entries go, 10,000 files in a directory, sparse files, space limits,
 * mounts (crossing both ways, busy, lazy, bind, read-only) and getcwd.
 * Each test builds its own tree (posix_fixture.h) and takes it down, so
 * LeakSanitizer catches any lost reference.
 */
#include "check.h"
#include "posix_fixture.h"
#include "rng.h"

#include <linux_abi/mount.h>

#define E(x) (-LINUX_##x)

/* ---- the walk ---- */

TEST(walk_basic)
{
	struct fx f;
	struct linux_stat s;
	uint64_t ino;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "a", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "a/b", 0755) == 0);
	REQUIRE(put(&f.ctx, "a/b/f", "hello") == 0);
	ino = ino_of(&f.ctx, "a/b/f");
	CHECK(ino != 0);
	CHECK_EQ(ino_of(&f.ctx, "/a/b/f"), ino);
	CHECK_EQ(ino_of(&f.ctx, "//a///b//f"), ino);
	CHECK_EQ(ino_of(&f.ctx, "a/./b/../b/f"), ino);
	CHECK_EQ(ino_of(&f.ctx, "./a/b/./f"), ino);
	CHECK_EQ(err_of_stat(&f.ctx, "a/b/f/"), E(ENOTDIR));
	CHECK_EQ(err_of_stat(&f.ctx, "a/b/f/."), E(ENOTDIR));
	CHECK_EQ(err_of_stat(&f.ctx, "a/b/f/x"), E(ENOTDIR));
	CHECK_EQ(err_of_stat(&f.ctx, "a/x/f"), E(ENOENT));
	CHECK_EQ(err_of_stat(&f.ctx, ""), E(ENOENT));
	CHECK_EQ(vfs_stat(&f.ctx, NULL, "", LINUX_AT_EMPTY_PATH, &s), 0);
	CHECK_EQ(s.st_ino, f.root.inode->ino);
	CHECK_EQ(vfs_stat(&f.ctx, NULL, "a", 0x8000, &s), E(EINVAL));
	/* Relative to a directory, and from a non-directory. */
	{
		struct vfs_path a, file;

		REQUIRE(vfs_lookup(&f.ctx, NULL, "a", 0, &a) == 0);
		REQUIRE(vfs_lookup(&f.ctx, NULL, "a/b/f", 0, &file) == 0);
		CHECK_EQ(vfs_stat(&f.ctx, &a, "b/f", 0, &s), 0);
		CHECK_EQ(s.st_ino, ino);
		CHECK_EQ(vfs_stat(&f.ctx, &file, "x", 0, &s), E(ENOTDIR));
		/* An absolute path ignores the directory. */
		CHECK_EQ(vfs_stat(&f.ctx, &file, "/a/b/f", 0, &s), 0);
		CHECK_EQ(vfs_stat(&f.ctx, &file, "", LINUX_AT_EMPTY_PATH, &s),
			 0);
		CHECK_EQ(s.st_ino, ino);
		vfs_path_put(&a);
		vfs_path_put(&file);
	}
	fx_fini(&f);
}

TEST(walk_dotdot_stops_at_root)
{
	struct fx f;
	struct vfs_path jail;
	struct vfs_ctx c;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "jail", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "jail/in", 0755) == 0);
	REQUIRE(put(&f.ctx, "secret", "x") == 0);
	CHECK_EQ(ino_of(&f.ctx, "/.."), f.root.inode->ino);
	CHECK_EQ(ino_of(&f.ctx, "/../../.."), f.root.inode->ino);
	CHECK_EQ(ino_of(&f.ctx, "../secret"), ino_of(&f.ctx, "/secret"));
	/* A process whose root is /jail cannot climb out. */
	REQUIRE(vfs_lookup(&f.ctx, NULL, "jail", 0, &jail) == 0);
	c = f.ctx;
	c.root = &jail;
	c.cwd = &jail;
	CHECK_EQ(ino_of(&c, "/.."), jail.inode->ino);
	CHECK_EQ(ino_of(&c, "../../in/../.."), jail.inode->ino);
	CHECK_EQ(err_of_stat(&c, "../secret"), E(ENOENT));
	CHECK_EQ(err_of_stat(&c, "/secret"), E(ENOENT));
	CHECK(ino_of(&c, "/in") != 0);
	/* A symlink to "/" inside the jail means the jail's root. */
	REQUIRE(vfs_symlinkat(&f.ctx, "/", NULL, "jail/up") == 0);
	CHECK_EQ(ino_of(&c, "up"), jail.inode->ino);
	CHECK_EQ(ino_of(&f.ctx, "jail/up"), f.root.inode->ino);
	vfs_path_put(&jail);
	fx_fini(&f);
}

TEST(walk_name_and_path_limits)
{
	char name[300], path[VFS_PATH_MAX + 16];
	struct linux_stat s;
	struct fx f;
	size_t n;

	fx_init(&f);
	memset(name, 'n', sizeof(name));
	name[255] = '\0';
	CHECK_EQ(put(&f.ctx, name, "ok"), 0);
	CHECK_EQ(err_of_stat(&f.ctx, name), 0);
	name[255] = 'n';
	name[256] = '\0';
	CHECK_EQ(put(&f.ctx, name, "no"), E(ENAMETOOLONG));
	CHECK_EQ(err_of_stat(&f.ctx, name), E(ENAMETOOLONG));
	CHECK_EQ(mkd(&f.ctx, name, 0755), E(ENAMETOOLONG));
	CHECK_EQ(vfs_symlinkat(&f.ctx, "x", NULL, name), E(ENAMETOOLONG));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, name, 0), E(ENAMETOOLONG));
	/* A long component in the middle, too. */
	memcpy(path, name, 256);
	strcpy(path + 256, "/x");
	CHECK_EQ(err_of_stat(&f.ctx, path), E(ENAMETOOLONG));
	/* Paths: 4095 bytes (with the NUL, PATH_MAX) are walked, 4096 are
	 * refused before any walking. */
	for (n = 0; n + 2 <= VFS_PATH_MAX - 1; n += 2) {
		memcpy(path + n, "./", 2);
	}
	path[VFS_PATH_MAX - 1] = '\0';
	path[VFS_PATH_MAX - 2] = '.';
	CHECK_EQ(strlen(path), VFS_PATH_MAX - 1);
	CHECK_EQ(vfs_stat(&f.ctx, NULL, path, 0, &s), 0);
	memmove(path + 1, path, VFS_PATH_MAX);
	path[0] = '.';
	path[1] = '/';
	CHECK_EQ(strlen(path), VFS_PATH_MAX);
	CHECK_EQ(vfs_stat(&f.ctx, NULL, path, 0, &s), E(ENAMETOOLONG));
	CHECK_EQ(op(&f.ctx, path, LINUX_O_RDONLY, 0), E(ENAMETOOLONG));
	CHECK_EQ(vfs_mkdirat(&f.ctx, NULL, path, 0755), E(ENAMETOOLONG));
	/* A symlink target of PATH_MAX bytes is refused. */
	memset(path, 't', VFS_PATH_MAX);
	path[VFS_PATH_MAX] = '\0';
	CHECK_EQ(vfs_symlinkat(&f.ctx, path, NULL, "l"), E(ENAMETOOLONG));
	path[VFS_PATH_MAX - 1] = '\0';
	CHECK_EQ(vfs_symlinkat(&f.ctx, path, NULL, "l"), 0);
	CHECK_EQ(err_of_stat(&f.ctx, "l"), E(ENAMETOOLONG));
	CHECK_EQ(vfs_symlinkat(&f.ctx, "", NULL, "l2"), E(ENOENT));
	fx_fini(&f);
}

TEST(walk_symlinks)
{
	struct linux_stat s;
	char name[16], target[16];
	struct fx f;
	uint64_t ino;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "d", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "d/sub", 0755) == 0);
	REQUIRE(put(&f.ctx, "d/sub/file", "data") == 0);
	ino = ino_of(&f.ctx, "d/sub/file");
	REQUIRE(vfs_symlinkat(&f.ctx, "sub/file", NULL, "d/rel") == 0);
	REQUIRE(vfs_symlinkat(&f.ctx, "/d/sub", NULL, "abs") == 0);
	REQUIRE(vfs_symlinkat(&f.ctx, "..", NULL, "d/sub/up") == 0);
	/* Relative targets resolve from the link's directory. */
	CHECK_EQ(ino_of(&f.ctx, "d/rel"), ino);
	CHECK_EQ(ino_of(&f.ctx, "abs/file"), ino);
	CHECK_EQ(ino_of(&f.ctx, "abs/up/sub/up/rel"), ino);
	/* lstat sees the link; a trailing slash follows it anyway. */
	CHECK_EQ(lst(&f.ctx, "abs", &s), 0);
	CHECK(LINUX_S_ISLNK(s.st_mode));
	CHECK_EQ(s.st_size, 6);
	CHECK_EQ(lst(&f.ctx, "abs/", &s), 0);
	CHECK(LINUX_S_ISDIR(s.st_mode));
	CHECK_EQ(lst(&f.ctx, "d/rel/", &s), E(ENOTDIR));
	/* Dangling, self, mutual loops. */
	REQUIRE(vfs_symlinkat(&f.ctx, "nowhere", NULL, "dangle") == 0);
	CHECK_EQ(err_of_stat(&f.ctx, "dangle"), E(ENOENT));
	CHECK_EQ(lst(&f.ctx, "dangle", &s), 0);
	REQUIRE(vfs_symlinkat(&f.ctx, "self", NULL, "self") == 0);
	CHECK_EQ(err_of_stat(&f.ctx, "self"), E(ELOOP));
	CHECK_EQ(err_of_stat(&f.ctx, "self/x"), E(ELOOP));
	REQUIRE(vfs_symlinkat(&f.ctx, "pong", NULL, "ping") == 0);
	REQUIRE(vfs_symlinkat(&f.ctx, "ping", NULL, "pong") == 0);
	CHECK_EQ(err_of_stat(&f.ctx, "ping"), E(ELOOP));
	CHECK_EQ(op(&f.ctx, "ping", LINUX_O_RDONLY | LINUX_O_CREAT, 0644),
		 E(ELOOP));
	/* A chain of 40 links resolves, 41 is too many. */
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		snprintf(target, sizeof(target), "c%d", i - 1);
		REQUIRE(vfs_symlinkat(&f.ctx, i == 1 ? "d/sub/file" : target,
				      NULL, name) == 0);
	}
	CHECK_EQ(ino_of(&f.ctx, "c40"), ino);
	CHECK_EQ(err_of_stat(&f.ctx, "c41"), E(ELOOP));
	/* Links counted over the whole walk, not per component. */
	CHECK_EQ(err_of_stat(&f.ctx, "c20/../c20"), E(ENOTDIR));
	REQUIRE(vfs_symlinkat(&f.ctx, "d", NULL, "dl1") == 0);
	for (int i = 2; i <= 21; i++) {
		snprintf(name, sizeof(name), "dl%d", i);
		snprintf(target, sizeof(target), "dl%d", i - 1);
		REQUIRE(vfs_symlinkat(&f.ctx, target, NULL, name) == 0);
	}
	CHECK_EQ(err_of_stat(&f.ctx, "dl20/sub"), 0);
	CHECK_EQ(err_of_stat(&f.ctx, "dl20/sub/up/sub/up/sub"), 0);
	CHECK_EQ(err_of_stat(&f.ctx, "/dl20/../dl20/sub"), 0);
	CHECK_EQ(err_of_stat(&f.ctx, "dl21/../dl20/sub"), E(ELOOP));
	CHECK_EQ(err_of_stat(&f.ctx, "dl21/sub"), 0);
	fx_fini(&f);
}

TEST(walk_trailing_slashes)
{
	struct fx f;

	fx_init(&f);
	CHECK_EQ(mkd(&f.ctx, "d/", 0755), 0);
	CHECK_EQ(mkd(&f.ctx, "e//", 0755), 0);
	REQUIRE(put(&f.ctx, "file", "x") == 0);
	CHECK_EQ(op(&f.ctx, "new/", LINUX_O_CREAT | LINUX_O_WRONLY, 0644),
		 E(EISDIR));
	CHECK_EQ(op(&f.ctx, "file/", LINUX_O_CREAT | LINUX_O_WRONLY, 0644),
		 E(EISDIR));
	CHECK_EQ(op(&f.ctx, "file/", LINUX_O_RDONLY, 0), E(ENOTDIR));
	CHECK_EQ(op(&f.ctx, "d/", LINUX_O_RDONLY, 0), 0);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "file/", 0), E(ENOTDIR));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "d/", 0), E(EISDIR));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "gone/", 0), E(ENOENT));
	CHECK_EQ(vfs_symlinkat(&f.ctx, "t", NULL, "new/"), E(ENOENT));
	CHECK_EQ(vfs_symlinkat(&f.ctx, "t", NULL, "file/"), E(EEXIST));
	CHECK_EQ(vfs_mknodat(&f.ctx, NULL, "new/", LINUX_S_IFIFO | 0644, 0),
		 E(ENOENT));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "file/", NULL, "x", 0),
		 E(ENOTDIR));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "file", NULL, "x/", 0),
		 E(ENOTDIR));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "d/", NULL, "d2/", 0), 0);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "d2/", LINUX_AT_REMOVEDIR), 0);
	CHECK_EQ(err_of_stat(&f.ctx, "d2"), E(ENOENT));
	fx_fini(&f);
}

/* ---- permissions ---- */

TEST(perm_search_read_write)
{
	struct linux_stat s;
	struct fx f;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "priv", 0700) == 0);
	REQUIRE(put(&f.ctx, "priv/f", "x") == 0);
	REQUIRE(mkd(&f.ctx, "ronly", 0744) == 0); /* r but no x for others */
	REQUIRE(put(&f.ctx, "ronly/f", "x") == 0);
	REQUIRE(put(&f.ctx, "mine", "x") == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "mine", 0600, 0) == 0);
	REQUIRE(put(&f.ctx, "grp", "x") == 0);
	REQUIRE(vfs_fchownat(&f.ctx, NULL, "grp", 0, 100, 0) == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "grp", 0640, 0) == 0);

	/* Search permission on every directory of the walk. */
	CHECK_EQ(st(&f.user, "priv/f", &s), E(EACCES));
	CHECK_EQ(st(&f.user, "priv/nothing", &s), E(EACCES));
	CHECK_EQ(st(&f.user, "priv", &s), 0);
	CHECK_EQ(st(&f.user, "ronly/f", &s), E(EACCES));
	CHECK_EQ(op(&f.user, "ronly", LINUX_O_RDONLY, 0), 0);
	CHECK_EQ(st(&f.ctx, "priv/f", &s), 0);		/* root bypasses */
	/* Read and write bits: owner, group (supplementary too), other. */
	CHECK_EQ(op(&f.user, "mine", LINUX_O_RDONLY, 0), E(EACCES));
	CHECK_EQ(op(&f.ctx, "mine", LINUX_O_RDWR, 0), 0);
	CHECK_EQ(op(&f.user, "grp", LINUX_O_RDONLY, 0), 0);
	CHECK_EQ(op(&f.user, "grp", LINUX_O_WRONLY, 0), E(EACCES));
	CHECK_EQ(op(&f.other, "grp", LINUX_O_RDONLY, 0), E(EACCES));
	CHECK_EQ(op(&f.user, "grp", LINUX_O_RDONLY | LINUX_O_TRUNC, 0),
		 E(EACCES));
	/* Creating needs write and search on the directory. */
	CHECK_EQ(put(&f.user, "new", "x"), E(EACCES));
	CHECK_EQ(mkd(&f.user, "newd", 0755), E(EACCES));
	CHECK_EQ(mkd(&f.user, "mine", 0755), E(EEXIST)); /* existence first */
	CHECK_EQ(vfs_unlinkat(&f.user, NULL, "mine", 0), E(EACCES));
	CHECK_EQ(vfs_unlinkat(&f.user, NULL, "absent", 0), E(ENOENT));
	/* An owner without the bits is refused like anyone. */
	REQUIRE(vfs_fchownat(&f.ctx, NULL, "mine", 1000, 1000, 0) == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "mine", 0044, 0) == 0);
	CHECK_EQ(op(&f.user, "mine", LINUX_O_RDONLY, 0), E(EACCES));
	CHECK_EQ(op(&f.other, "mine", LINUX_O_RDONLY, 0), 0);
	/* Execute: root needs one x bit on a file, not on a directory. */
	CHECK_EQ(vfs_faccessat(&f.ctx, NULL, "grp", LINUX_X_OK, 0),
		 E(EACCES));
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "grp", 0641, 0) == 0);
	CHECK_EQ(vfs_faccessat(&f.ctx, NULL, "grp", LINUX_X_OK, 0), 0);
	CHECK_EQ(vfs_faccessat(&f.ctx, NULL, "priv", LINUX_X_OK, 0), 0);
	CHECK_EQ(vfs_faccessat(&f.user, NULL, "grp", LINUX_X_OK, 0),
		 E(EACCES));
	CHECK_EQ(vfs_faccessat(&f.other, NULL, "grp", LINUX_X_OK, 0), 0);
	CHECK_EQ(vfs_faccessat(&f.user, NULL, "grp",
			       LINUX_R_OK | LINUX_W_OK, 0),
		 E(EACCES));
	CHECK_EQ(vfs_faccessat(&f.user, NULL, "grp", 8, 0), E(EINVAL));
	CHECK_EQ(vfs_faccessat(&f.user, NULL, "grp", 0, 0x4), E(EINVAL));
	CHECK_EQ(vfs_faccessat(&f.user, NULL, "priv/f", LINUX_F_OK, 0),
		 E(EACCES));
	fx_fini(&f);
}

TEST(perm_faccessat_real_ids)
{
	struct vfs_ctx setuid;
	struct fx f;

	fx_init(&f);
	REQUIRE(put(&f.ctx, "f", "x") == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "f", 0600, 0) == 0);
	/* A set-uid-root program run by uid 1000: effective 0, real 1000. */
	setuid = f.user;
	setuid.cred.uid = 0;
	CHECK_EQ(op(&setuid, "f", LINUX_O_RDONLY, 0), 0);
	CHECK_EQ(vfs_faccessat(&setuid, NULL, "f", LINUX_R_OK, 0), E(EACCES));
	CHECK_EQ(vfs_faccessat(&setuid, NULL, "f", LINUX_R_OK,
			       LINUX_AT_EACCESS),
		 0);
	fx_fini(&f);
}

TEST(perm_sticky_directory)
{
	struct fx f;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "tmp", 0777) == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "tmp", 01777, 0) == 0);
	REQUIRE(put(&f.user, "tmp/u", "x") == 0);
	REQUIRE(put(&f.user, "tmp/u2", "x") == 0);
	REQUIRE(put(&f.other, "tmp/o", "x") == 0);
	REQUIRE(mkd(&f.user, "tmp/ud", 0777) == 0);
	CHECK_EQ(vfs_unlinkat(&f.other, NULL, "tmp/u", 0), E(EPERM));
	CHECK_EQ(vfs_unlinkat(&f.other, NULL, "tmp/ud", LINUX_AT_REMOVEDIR),
		 E(EPERM));
	CHECK_EQ(vfs_renameat2(&f.other, NULL, "tmp/u", NULL, "tmp/mine", 0),
		 E(EPERM));
	/* Nor replace it by a rename of one's own file. */
	CHECK_EQ(vfs_renameat2(&f.other, NULL, "tmp/o", NULL, "tmp/u", 0),
		 E(EPERM));
	CHECK_EQ(vfs_unlinkat(&f.user, NULL, "tmp/u", 0), 0);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "tmp/o", 0), 0);
	CHECK_EQ(vfs_unlinkat(&f.user, NULL, "tmp/ud", LINUX_AT_REMOVEDIR),
		 0);
	/* Without the sticky bit, write permission on the directory is
	 * enough. */
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "tmp", 0777, 0) == 0);
	CHECK_EQ(vfs_unlinkat(&f.other, NULL, "tmp/u2", 0), 0);
	fx_fini(&f);
}

TEST(perm_new_file_owner_and_mode)
{
	struct linux_stat s;
	struct fx f;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "pub", 0777) == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "pub", 0777, 0) == 0);
	f.user.umask = 027;
	CHECK_EQ(op(&f.user, "pub/f", LINUX_O_CREAT | LINUX_O_WRONLY, 0666),
		 0);
	CHECK_EQ(st(&f.ctx, "pub/f", &s), 0);
	CHECK_EQ(s.st_mode, LINUX_S_IFREG | 0640);
	CHECK_EQ(s.st_uid, 1000);
	CHECK_EQ(s.st_gid, 1000);
	CHECK_EQ(mkd(&f.user, "pub/d", 01777), 0);
	CHECK_EQ(st(&f.ctx, "pub/d", &s), 0);
	CHECK_EQ(s.st_mode, LINUX_S_IFDIR | 01750);
	/* Set-gid directories hand their group (and the bit, to
	 * subdirectories) down. */
	REQUIRE(vfs_fchownat(&f.ctx, NULL, "pub", 0, 50, 0) == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "pub", 02777, 0) == 0);
	CHECK_EQ(mkd(&f.user, "pub/sg", 0755), 0);
	CHECK_EQ(st(&f.ctx, "pub/sg", &s), 0);
	CHECK_EQ(s.st_gid, 50);
	CHECK(s.st_mode & LINUX_S_ISGID);
	CHECK_EQ(op(&f.user, "pub/g", LINUX_O_CREAT | LINUX_O_WRONLY, 02755),
		 0);
	CHECK_EQ(st(&f.ctx, "pub/g", &s), 0);
	CHECK_EQ(s.st_gid, 50);
	CHECK_EQ(s.st_mode, LINUX_S_IFREG | 0750); /* not in group 50 */
	/* A file created read-only can still be written through the open
	 * that created it. */
	{
		struct file *fl;

		CHECK_EQ(vfs_open(&f.user, NULL, "pub/ro",
				  LINUX_O_CREAT | LINUX_O_RDWR, 0444, &fl),
			 0);
		CHECK_EQ(fl->ops->write(fl, "ab", 2, &fl->pos), 2);
		file_put(fl);
		CHECK_EQ(op(&f.user, "pub/ro", LINUX_O_RDWR, 0), E(EACCES));
	}
	fx_fini(&f);
}

/* ---- open ---- */

TEST(open_flags)
{
	char buf[64];
	struct linux_stat s;
	struct file *fl;
	struct fx f;

	fx_init(&f);
	REQUIRE(put(&f.ctx, "f", "hello") == 0);
	REQUIRE(mkd(&f.ctx, "d", 0755) == 0);
	REQUIRE(vfs_symlinkat(&f.ctx, "f", NULL, "lf") == 0);
	REQUIRE(vfs_symlinkat(&f.ctx, "d/target", NULL, "dangle") == 0);
	CHECK_EQ(op(&f.ctx, "f", LINUX_O_CREAT | LINUX_O_EXCL, 0644),
		 E(EEXIST));
	CHECK_EQ(op(&f.ctx, "lf", LINUX_O_CREAT | LINUX_O_EXCL, 0644),
		 E(EEXIST));
	/* O_EXCL does not follow, even a dangling link. */
	CHECK_EQ(op(&f.ctx, "dangle", LINUX_O_CREAT | LINUX_O_EXCL, 0644),
		 E(EEXIST));
	CHECK_EQ(err_of_stat(&f.ctx, "d/target"), E(ENOENT));
	/* Without it, O_CREAT creates the link's target. */
	CHECK_EQ(op(&f.ctx, "dangle", LINUX_O_CREAT | LINUX_O_WRONLY, 0644),
		 0);
	CHECK_EQ(err_of_stat(&f.ctx, "d/target"), 0);
	CHECK_EQ(op(&f.ctx, "lf", LINUX_O_RDONLY | LINUX_O_NOFOLLOW, 0),
		 E(ELOOP));
	CHECK_EQ(op(&f.ctx, "lf", LINUX_O_CREAT | LINUX_O_NOFOLLOW, 0644),
		 E(ELOOP));
	CHECK_EQ(op(&f.ctx, "lf", LINUX_O_RDONLY | LINUX_O_NOFOLLOW |
					  LINUX_O_DIRECTORY,
		    0),
		 E(ENOTDIR));
	CHECK_EQ(op(&f.ctx, "lf", LINUX_O_RDONLY, 0), 0);
	CHECK_EQ(op(&f.ctx, "f", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0),
		 E(ENOTDIR));
	CHECK_EQ(op(&f.ctx, "d", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0), 0);
	CHECK_EQ(op(&f.ctx, "n", LINUX_O_CREAT | LINUX_O_DIRECTORY, 0644),
		 E(EINVAL));
	CHECK_EQ(op(&f.ctx, "d", LINUX_O_WRONLY, 0), E(EISDIR));
	CHECK_EQ(op(&f.ctx, "d", LINUX_O_RDONLY | LINUX_O_TRUNC, 0),
		 E(EISDIR));
	CHECK_EQ(op(&f.ctx, "d", LINUX_O_RDONLY | LINUX_O_CREAT, 0644),
		 E(EISDIR));
	CHECK_EQ(op(&f.ctx, ".", LINUX_O_RDONLY | LINUX_O_CREAT, 0644),
		 E(EISDIR));
	CHECK_EQ(op(&f.ctx, "/", LINUX_O_CREAT | LINUX_O_EXCL, 0644),
		 E(EEXIST));
	CHECK_EQ(op(&f.ctx, "d/..", LINUX_O_RDONLY, 0), 0);
	CHECK_EQ(op(&f.ctx, "t", LINUX_O_TMPFILE | LINUX_O_RDWR, 0600),
		 E(EOPNOTSUPP));
	CHECK_EQ(op(&f.ctx, "missing", LINUX_O_RDONLY, 0), E(ENOENT));
	/* O_TRUNC empties; O_APPEND writes at the end whatever the
	 * offset. */
	REQUIRE(vfs_open(&f.ctx, NULL, "f", LINUX_O_WRONLY | LINUX_O_APPEND,
			 0, &fl) == 0);
	CHECK_EQ(fl->ops->lseek(fl, 0, LINUX_SEEK_SET), 0);
	CHECK_EQ(fl->ops->write(fl, " world", 6, &fl->pos), 6);
	CHECK_EQ(fl->pos, 11);
	CHECK_EQ(fl->ops->read(fl, buf, 4, &fl->pos), E(EBADF));
	CHECK(!(fl->flags & LINUX_O_CREAT));
	file_put(fl);
	CHECK_EQ(get(&f.ctx, "f", buf, sizeof(buf)), 11);
	CHECK_STR_EQ(buf, "hello world");
	REQUIRE(vfs_open(&f.ctx, NULL, "f", LINUX_O_RDONLY, 0, &fl) == 0);
	CHECK_EQ(fl->ops->write(fl, "x", 1, &fl->pos), E(EBADF));
	file_put(fl);
	tick();
	CHECK_EQ(op(&f.ctx, "f", LINUX_O_WRONLY | LINUX_O_TRUNC, 0), 0);
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_size, 0);
	CHECK_EQ(s.st_mtime_sec, fake_now.sec);
	/* O_PATH: a handle on the link itself, no data access. */
	REQUIRE(vfs_open(&f.ctx, NULL, "lf", LINUX_O_PATH | LINUX_O_NOFOLLOW,
			 0, &fl) == 0);
	CHECK(LINUX_S_ISLNK(fl->inode->mode));
	CHECK(fl->ops->read == NULL);
	{
		struct vfs_path p;
		char t[8];

		REQUIRE(vfs_file_path(fl, &p));
		CHECK_EQ(vfs_readlinkat(&f.ctx, &p, "", t, sizeof(t)), 1);
	}
	file_put(fl);
	/* O_PATH needs no permission on the file itself. */
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "f", 0, 0) == 0);
	CHECK_EQ(op(&f.user, "f", LINUX_O_PATH, 0), 0);
	CHECK_EQ(op(&f.user, "f", LINUX_O_RDONLY, 0), E(EACCES));
	fx_fini(&f);
}

TEST(open_special_files_through_hooks)
{
	struct file *fl;
	struct fx f;

	fx_init(&f);
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "fifo", LINUX_S_IFIFO | 0644, 0) ==
		0);
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "null", LINUX_S_IFCHR | 0666,
			    LINUX_MAKEDEV(1, 3)) == 0);
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "sock", LINUX_S_IFSOCK | 0644, 0) ==
		0);
	/* No hooks: no device, no fifo. */
	CHECK_EQ(op(&f.ctx, "fifo", LINUX_O_RDONLY, 0), E(ENXIO));
	CHECK_EQ(op(&f.ctx, "null", LINUX_O_RDONLY, 0), E(ENXIO));
	CHECK_EQ(op(&f.ctx, "sock", LINUX_O_RDONLY, 0), E(ENXIO));
	{
		struct linux_stat s;

		CHECK_EQ(st(&f.ctx, "null", &s), 0);
		CHECK_EQ(s.st_rdev, LINUX_MAKEDEV(1, 3));
		CHECK_EQ(s.st_mode, LINUX_S_IFCHR | 0644);
	}
	/* O_TRUNC is ignored on them; write permission is still needed. */
	CHECK_EQ(op(&f.user, "fifo", LINUX_O_WRONLY, 0), E(EACCES));
	(void)fl;
	fx_fini(&f);
}

static struct inode *hook_inode;
static unsigned hook_flags;
/* The mode seen by the hook: the inode itself may be gone once its
 * file is closed (a file system need not keep unused inodes). */
static uint32_t hook_mode;

static int64_t hook_read(struct file *fl, void *buf, size_t len,
			 uint64_t *pos)
{
	return 0;
}

static const struct file_ops hook_ops = { .read = hook_read };

static int specials;

/* The fifo side keeps an object per fifo inode, as a pipe would. */
static void release_special(struct inode *inode)
{
	free(inode->special);
	specials--;
}

static int fake_open(struct lproc *caller, struct inode *inode,
		     unsigned flags, struct file **out)
{
	hook_inode = inode;
	hook_flags = flags;
	hook_mode = inode->mode;
	if (LINUX_S_ISFIFO(inode->mode) && !inode->special) {
		inode->special = malloc(16);
		specials++;
	}
	*out = file_create(&hook_ops, flags, NULL);
	return *out ? 0 : E(ENOMEM);
}

TEST(open_special_hooks_called)
{
	struct file *fl;
	struct fx f;

	fx_init(&f);
	f.hooks.open_dev = fake_open;
	f.hooks.open_fifo = fake_open;
	f.hooks.release_special = release_special;
	vfs_set_hooks(&f.hooks);
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "fifo", LINUX_S_IFIFO | 0666, 0) ==
		0);
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "tty", LINUX_S_IFCHR | 0666,
			    LINUX_MAKEDEV(5, 0)) == 0);
	REQUIRE(vfs_open(&f.ctx, NULL, "tty",
			 LINUX_O_RDWR | LINUX_O_NOCTTY | LINUX_O_CLOEXEC, 0,
			 &fl) == 0);
	CHECK(hook_inode == fl->inode);
	CHECK_EQ(hook_inode->rdev, LINUX_MAKEDEV(5, 0));
	CHECK(hook_flags & LINUX_O_NOCTTY);
	CHECK(!(hook_flags & LINUX_O_CLOEXEC));
	CHECK(fl->mnt == f.root.mnt);
	CHECK(fl->ops == &hook_ops);
	file_put(fl);
	hook_inode = NULL;
	CHECK_EQ(op(&f.ctx, "fifo", LINUX_O_RDONLY | LINUX_O_TRUNC, 0), 0);
	CHECK(hook_inode != NULL && LINUX_S_ISFIFO(hook_mode));
#ifdef FX_REMOTEFS
	/* remotefs keeps no unused inode: the fifo's object went with its
	 * last opener, as Linux frees a fifo's pipe. */
	CHECK_EQ(specials, 0);
#else
	CHECK_EQ(specials, 1);
#endif
	/* The fifo's object goes with the inode: after its last name and
	 * user, or with the whole file system. */
	REQUIRE(vfs_open(&f.ctx, NULL, "fifo", LINUX_O_RDWR, 0, &fl) == 0);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "fifo", 0), 0);
	CHECK_EQ(specials, 1);
	file_put(fl);
	CHECK_EQ(specials, 0);
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "fifo2", LINUX_S_IFIFO | 0666, 0) ==
		0);
	CHECK_EQ(op(&f.ctx, "fifo2", LINUX_O_RDONLY, 0), 0);
#ifdef FX_REMOTEFS
	CHECK_EQ(specials, 0);
#else
	CHECK_EQ(specials, 1);
#endif
	fx_fini(&f);
	CHECK_EQ(specials, 0);
}

/* ---- unlinked but open ---- */

TEST(unlink_open_file_keeps_working)
{
	char buf[32];
	struct linux_stat s;
	struct vfs_path p;
	struct file *fl;
	struct fx f;
	uint64_t inodes;

	fx_init(&f);
	inodes = tmpfs_used_inodes(f.sb);
	REQUIRE(put(&f.ctx, "f", "before") == 0);
	REQUIRE(vfs_open(&f.ctx, NULL, "f", LINUX_O_RDWR, 0, &fl) == 0);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "f", 0), 0);
	CHECK_EQ(err_of_stat(&f.ctx, "f"), E(ENOENT));
	CHECK_EQ(tmpfs_used_inodes(f.sb), inodes + 1);
	/* Reads, writes and fstat go on. */
	CHECK_EQ(fl->ops->read(fl, buf, 6, &fl->pos), 6);
	CHECK_EQ(fl->ops->write(fl, " after", 6, &fl->pos), 6);
	CHECK_EQ(fl->ops->lseek(fl, 0, LINUX_SEEK_SET), 0);
	CHECK_EQ(fl->ops->read(fl, buf, sizeof(buf), &fl->pos), 12);
	CHECK(memcmp(buf, "before after", 12) == 0);
	REQUIRE(vfs_file_path(fl, &p));
	vfs_getattr(&p, &s);
	CHECK_EQ(s.st_nlink, 0);
	CHECK_EQ(s.st_size, 12);
	/* A name can be created again meanwhile. */
	CHECK_EQ(put(&f.ctx, "f", "new"), 0);
	CHECK(ino_of(&f.ctx, "f") != s.st_ino);
	CHECK_EQ(tmpfs_used_inodes(f.sb), inodes + 2);
	CHECK(tmpfs_used_bytes(f.sb) == 2 * TMPFS_PAGE);
	/* linkat cannot bring an unlinked file back. */
	CHECK_EQ(vfs_linkat(&f.ctx, &p, "", NULL, "back",
			    LINUX_AT_EMPTY_PATH),
		 E(ENOENT));
	file_put(fl);
	CHECK_EQ(tmpfs_used_inodes(f.sb), inodes + 1);
	CHECK(tmpfs_used_bytes(f.sb) == TMPFS_PAGE);
	fx_fini(&f);
}

TEST(rmdir_cwd_and_open_directory)
{
	char buf[256];
	struct fx f;
	struct file *d;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "a", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "a/gone", 0755) == 0);
	REQUIRE(fx_chdir(&f, "a/gone") == 0);
	REQUIRE(vfs_open(&f.ctx, NULL, ".", LINUX_O_RDONLY, 0, &d) == 0);
	CHECK_EQ(vfs_getcwd(&f.ctx, buf, sizeof(buf)), 8);
	CHECK_STR_EQ(buf, "/a/gone");
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "/a/gone", LINUX_AT_REMOVEDIR),
		 0);
	CHECK_EQ(vfs_getcwd(&f.ctx, buf, sizeof(buf)), E(ENOENT));
	/* Nothing can be made in it; ".." still leads back. */
	CHECK_EQ(put(&f.ctx, "x", "x"), E(ENOENT));
	CHECK_EQ(mkd(&f.ctx, "x", 0755), E(ENOENT));
	CHECK_EQ(ino_of(&f.ctx, ".."), ino_of(&f.ctx, "/a"));
	CHECK_EQ(d->ops->getdents(d, buf, sizeof(buf), &d->pos), E(ENOENT));
	file_put(d);
	REQUIRE(fx_chdir(&f, "/") == 0);
	fx_fini(&f);
}

/* ---- rename ---- */

TEST(rename_rules)
{
	struct linux_stat s;
	uint64_t ino;
	struct fx f;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "a", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "a/b", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "a/b/c", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "empty", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "full", 0755) == 0);
	REQUIRE(put(&f.ctx, "full/x", "x") == 0);
	REQUIRE(put(&f.ctx, "f", "f") == 0);
	REQUIRE(put(&f.ctx, "g", "g") == 0);

	/* Into its own subtree: EINVAL; over an ancestor: ENOTEMPTY. */
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "a", NULL, "a/b/c/a", 0),
		 E(EINVAL));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "a", NULL, "a/x", 0),
		 E(EINVAL));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "a/b", NULL, "a/b/c/d", 0),
		 E(EINVAL));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "a/b/c", NULL, "a", 0),
		 E(ENOTEMPTY));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "a/b/c", NULL, "a/b", 0),
		 E(ENOTEMPTY));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "a/b/c", NULL, "a/b",
			       LINUX_RENAME_EXCHANGE),
		 E(EINVAL));
	/* Types. */
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "f", NULL, "empty", 0),
		 E(EISDIR));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "empty", NULL, "f", 0),
		 E(ENOTDIR));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "empty", NULL, "full", 0),
		 E(ENOTEMPTY));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "nothing", NULL, "x", 0),
		 E(ENOENT));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, ".", NULL, "x", 0), E(EBUSY));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "f", NULL, "..", 0), E(EBUSY));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "f", NULL, "/",
			       LINUX_RENAME_NOREPLACE),
		 E(EEXIST));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "f", NULL, "g", 8), E(EINVAL));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "f", NULL, "g",
			       LINUX_RENAME_NOREPLACE |
				       LINUX_RENAME_EXCHANGE),
		 E(EINVAL));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "f", NULL, "g",
			       LINUX_RENAME_WHITEOUT),
		 E(EINVAL));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "f", NULL, "g",
			       LINUX_RENAME_NOREPLACE),
		 E(EEXIST));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "f", NULL, "nope",
			       LINUX_RENAME_EXCHANGE),
		 E(ENOENT));
	/* Replacing: the old target is gone, its inode freed. */
	ino = ino_of(&f.ctx, "f");
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "f", NULL, "g", 0), 0);
	CHECK_EQ(ino_of(&f.ctx, "g"), ino);
	CHECK_EQ(err_of_stat(&f.ctx, "f"), E(ENOENT));
	/* A directory over an empty one. */
	CHECK_EQ(st(&f.ctx, "/", &s), 0);
	CHECK_EQ(s.st_nlink, 5);
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "full", NULL, "empty", 0), 0);
	CHECK_EQ(st(&f.ctx, "/", &s), 0);
	CHECK_EQ(s.st_nlink, 4);
	CHECK_EQ(err_of_stat(&f.ctx, "empty/x"), 0);
	/* Moving a directory: link counts and ".." follow. */
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "a/b/c", NULL, "empty/c", 0), 0);
	CHECK_EQ(st(&f.ctx, "a/b", &s), 0);
	CHECK_EQ(s.st_nlink, 2);
	CHECK_EQ(st(&f.ctx, "empty", &s), 0);
	CHECK_EQ(s.st_nlink, 3);
	CHECK_EQ(ino_of(&f.ctx, "empty/c/.."), ino_of(&f.ctx, "empty"));
	/* Two names of one file: nothing happens. */
	REQUIRE(vfs_linkat(&f.ctx, NULL, "g", NULL, "g2", 0) == 0);
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "g", NULL, "g2", 0), 0);
	CHECK_EQ(err_of_stat(&f.ctx, "g"), 0);
	CHECK_EQ(err_of_stat(&f.ctx, "g2"), 0);
	/* Same name, same place. */
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "g", NULL, "./g", 0), 0);
	fx_fini(&f);
}

TEST(rename_exchange)
{
	struct linux_stat s;
	uint64_t fi, di;
	struct fx f;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "p", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "q", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "p/dir", 0755) == 0);
	REQUIRE(put(&f.ctx, "q/file", "x") == 0);
	fi = ino_of(&f.ctx, "q/file");
	di = ino_of(&f.ctx, "p/dir");
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "p/dir", NULL, "q/file",
			       LINUX_RENAME_EXCHANGE),
		 0);
	CHECK_EQ(ino_of(&f.ctx, "p/dir"), fi);
	CHECK_EQ(ino_of(&f.ctx, "q/file"), di);
	CHECK_EQ(ino_of(&f.ctx, "q/file/.."), ino_of(&f.ctx, "q"));
	CHECK_EQ(st(&f.ctx, "p", &s), 0);
	CHECK_EQ(s.st_nlink, 2);
	CHECK_EQ(st(&f.ctx, "q", &s), 0);
	CHECK_EQ(s.st_nlink, 3);
	CHECK_EQ(lst(&f.ctx, "p/dir", &s), 0);
	CHECK(LINUX_S_ISREG(s.st_mode));
	{
		char buf[256];
		struct vfs_path p;

		REQUIRE(vfs_lookup(&f.ctx, NULL, "q/file", 0, &p) == 0);
		CHECK_EQ(vfs_path_name(&f.root, &p, false, buf, sizeof(buf)),
			 7);
		CHECK_STR_EQ(buf, "/q/file");
		vfs_path_put(&p);
	}
	fx_fini(&f);
}

TEST(rename_permissions)
{
	struct fx f;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "pub", 0777) == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "pub", 0777, 0) == 0);
	REQUIRE(mkd(&f.user, "pub/a", 0755) == 0);
	REQUIRE(mkd(&f.user, "pub/b", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "pub/rootdir", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "ro", 0755) == 0);
	/* Moving a directory to another parent rewrites its "..": write
	 * permission on it is needed. */
	CHECK_EQ(vfs_renameat2(&f.user, NULL, "pub/rootdir", NULL,
			       "pub/a/rootdir", 0),
		 E(EACCES));
	CHECK_EQ(vfs_renameat2(&f.user, NULL, "pub/rootdir", NULL,
			       "pub/rootdir2", 0),
		 0);
	CHECK_EQ(vfs_renameat2(&f.user, NULL, "pub/b", NULL, "pub/a/b", 0),
		 0);
	CHECK_EQ(vfs_renameat2(&f.user, NULL, "pub/a", NULL, "ro/a", 0),
		 E(EACCES));
	CHECK_EQ(vfs_renameat2(&f.user, NULL, "ro", NULL, "pub/ro", 0),
		 E(EACCES));
	fx_fini(&f);
}

/* ---- link, symlink, readlink, mknod ---- */

TEST(link_rules)
{
	struct linux_stat s;
	struct fx f;

	fx_init(&f);
	REQUIRE(put(&f.ctx, "f", "x") == 0);
	REQUIRE(mkd(&f.ctx, "d", 0755) == 0);
	REQUIRE(vfs_symlinkat(&f.ctx, "f", NULL, "l") == 0);
	CHECK_EQ(vfs_linkat(&f.ctx, NULL, "f", NULL, "f2", 0), 0);
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_nlink, 2);
	CHECK_EQ(vfs_linkat(&f.ctx, NULL, "f", NULL, "f2", 0), E(EEXIST));
	CHECK_EQ(vfs_linkat(&f.ctx, NULL, "d", NULL, "d2", 0), E(EPERM));
	CHECK_EQ(vfs_linkat(&f.ctx, NULL, "nope", NULL, "n2", 0), E(ENOENT));
	CHECK_EQ(vfs_linkat(&f.ctx, NULL, "f", NULL, "f3", 0x1), E(EINVAL));
	CHECK_EQ(vfs_linkat(&f.ctx, NULL, "f/", NULL, "f3", 0), E(ENOTDIR));
	/* By default the link itself is linked; AT_SYMLINK_FOLLOW: its
	 * target. */
	CHECK_EQ(vfs_linkat(&f.ctx, NULL, "l", NULL, "l2", 0), 0);
	CHECK_EQ(lst(&f.ctx, "l2", &s), 0);
	CHECK(LINUX_S_ISLNK(s.st_mode));
	CHECK_EQ(vfs_linkat(&f.ctx, NULL, "l", NULL, "f3",
			    LINUX_AT_SYMLINK_FOLLOW),
		 0);
	CHECK_EQ(ino_of(&f.ctx, "f3"), ino_of(&f.ctx, "f"));
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_nlink, 3);
	/* Protected hard links: not to someone else's file one cannot
	 * read and write. */
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "d", 0777, 0) == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "f", 0644, 0) == 0);
	CHECK_EQ(vfs_linkat(&f.user, NULL, "f", NULL, "d/mine", 0), E(EPERM));
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "f", 0666, 0) == 0);
	CHECK_EQ(vfs_linkat(&f.user, NULL, "f", NULL, "d/mine", 0), 0);
	/* Unlinking drops the count; the data stays with the last name. */
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "f", 0), 0);
	CHECK_EQ(st(&f.ctx, "f2", &s), 0);
	CHECK_EQ(s.st_nlink, 3);
	fx_fini(&f);
}

TEST(readlink_rules)
{
	char buf[8];
	struct fx f;

	fx_init(&f);
	REQUIRE(vfs_symlinkat(&f.ctx, "some/long/target", NULL, "l") == 0);
	REQUIRE(put(&f.ctx, "f", "x") == 0);
	CHECK_EQ(vfs_readlinkat(&f.ctx, NULL, "l", buf, sizeof(buf)), 8);
	CHECK(memcmp(buf, "some/lon", 8) == 0);
	CHECK_EQ(vfs_readlinkat(&f.ctx, NULL, "f", buf, sizeof(buf)),
		 E(EINVAL));
	CHECK_EQ(vfs_readlinkat(&f.ctx, NULL, "l", buf, 0), E(EINVAL));
	CHECK_EQ(vfs_readlinkat(&f.ctx, NULL, "nope", buf, 8), E(ENOENT));
	CHECK_EQ(vfs_readlinkat(&f.ctx, NULL, "", buf, 8), E(ENOENT));
	fx_fini(&f);
}

TEST(mknod_rules)
{
	struct linux_stat s;
	struct fx f;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "pub", 0777) == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "pub", 0777, 0) == 0);
	CHECK_EQ(vfs_mknodat(&f.user, NULL, "pub/fifo", LINUX_S_IFIFO | 0666,
			     0),
		 0);
	CHECK_EQ(st(&f.ctx, "pub/fifo", &s), 0);
	CHECK_EQ(s.st_mode, LINUX_S_IFIFO | 0644);
	CHECK_EQ(s.st_rdev, 0);
	CHECK_EQ(vfs_mknodat(&f.user, NULL, "pub/chr", LINUX_S_IFCHR | 0666,
			     LINUX_MAKEDEV(1, 3)),
		 E(EPERM));
	CHECK_EQ(vfs_mknodat(&f.user, NULL, "pub/dir", LINUX_S_IFDIR | 0755,
			     0),
		 E(EPERM));
	CHECK_EQ(vfs_mknodat(&f.user, NULL, "pub/bad", 0170000 | 0644, 0),
		 E(EINVAL));
	CHECK_EQ(vfs_mknodat(&f.user, NULL, "pub/reg", 0644, 0), 0);
	CHECK_EQ(st(&f.ctx, "pub/reg", &s), 0);
	CHECK(LINUX_S_ISREG(s.st_mode));
	CHECK_EQ(vfs_mknodat(&f.user, NULL, "pub/fifo", LINUX_S_IFIFO | 0666,
			     0),
		 E(EEXIST));
	CHECK_EQ(vfs_mknodat(&f.ctx, NULL, "blk", LINUX_S_IFBLK | 0600,
			     LINUX_MAKEDEV(8, 1)),
		 0);
	CHECK_EQ(st(&f.ctx, "blk", &s), 0);
	CHECK_EQ(s.st_rdev, LINUX_MAKEDEV(8, 1));
	fx_fini(&f);
}

/* ---- attributes ---- */

TEST(chmod_chown_rules)
{
	struct linux_stat s;
	struct fx f;

	fx_init(&f);
	REQUIRE(put(&f.ctx, "f", "x") == 0);
	REQUIRE(vfs_fchownat(&f.ctx, NULL, "f", 1000, 1000, 0) == 0);
	REQUIRE(vfs_symlinkat(&f.ctx, "f", NULL, "l") == 0);
	CHECK_EQ(vfs_fchmodat(&f.other, NULL, "f", 0777, 0), E(EPERM));
	CHECK_EQ(vfs_fchmodat(&f.user, NULL, "f", 0640, 0), 0);
	CHECK_EQ(vfs_fchmodat(&f.user, NULL, "f", 0640, 0x2), E(EINVAL));
	CHECK_EQ(vfs_fchmodat(&f.user, NULL, "l", 0600,
			      LINUX_AT_SYMLINK_NOFOLLOW),
		 E(EOPNOTSUPP));
	CHECK_EQ(vfs_fchmodat(&f.user, NULL, "l", 0600, 0), 0); /* follows */
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_mode & 07777, 0600);
	/* Ownership: users give files away to no one; change the group to
	 * one of theirs only. */
	CHECK_EQ(vfs_fchownat(&f.user, NULL, "f", 1001, -1, 0), E(EPERM));
	CHECK_EQ(vfs_fchownat(&f.user, NULL, "f", 1000, -1, 0), 0);
	CHECK_EQ(vfs_fchownat(&f.user, NULL, "f", -1, 100, 0), 0);
	CHECK_EQ(vfs_fchownat(&f.user, NULL, "f", -1, 50, 0), E(EPERM));
	CHECK_EQ(vfs_fchownat(&f.other, NULL, "f", -1, 1001, 0), E(EPERM));
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_gid, 100);
	/* Set-gid dropped by chmod outside the file's group. */
	CHECK_EQ(vfs_fchownat(&f.ctx, NULL, "f", -1, 50, 0), 0);
	CHECK_EQ(vfs_fchmodat(&f.user, NULL, "f", 02755, 0), 0);
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_mode & 07777, 0755);
	CHECK_EQ(vfs_fchmodat(&f.ctx, NULL, "f", 06755, 0), 0);
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_mode & 07777, 06755);
	/* A change of hands (even by root, even to the same ids) clears
	 * set-uid and group-executable set-gid. */
	CHECK_EQ(vfs_fchownat(&f.ctx, NULL, "f", -1, -1, 0), 0);
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_mode & 07777, 0755);
	/* lchown changes the link. */
	CHECK_EQ(vfs_fchownat(&f.ctx, NULL, "l", 7, 7,
			      LINUX_AT_SYMLINK_NOFOLLOW),
		 0);
	CHECK_EQ(lst(&f.ctx, "l", &s), 0);
	CHECK_EQ(s.st_uid, 7);
	CHECK_EQ(st(&f.ctx, "l", &s), 0);
	CHECK_EQ(s.st_uid, 1000);
	fx_fini(&f);
}

TEST(utimens_rules)
{
	struct vfs_timespec t[2];
	struct linux_stat s;
	struct fx f;

	fx_init(&f);
	REQUIRE(put(&f.ctx, "f", "x") == 0);
	REQUIRE(vfs_fchownat(&f.ctx, NULL, "f", 1000, 1000, 0) == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "f", 0646, 0) == 0);
	t[0].sec = 5;
	t[0].nsec = 6;
	t[1].sec = 7;
	t[1].nsec = 8;
	CHECK_EQ(vfs_utimensat(&f.other, NULL, "f", t, 0), E(EPERM));
	tick();
	CHECK_EQ(vfs_utimensat(&f.user, NULL, "f", t, 0), 0);
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_atime_sec, 5);
	CHECK_EQ(s.st_atime_nsec, 6);
	CHECK_EQ(s.st_mtime_sec, 7);
	CHECK_EQ(s.st_mtime_nsec, 8);
	CHECK_EQ(s.st_ctime_sec, fake_now.sec);
	CHECK_EQ(s.st_ctime_nsec, fake_now.nsec);
	/* "Touch" needs write permission only. */
	tick();
	CHECK_EQ(vfs_utimensat(&f.other, NULL, "f", NULL, 0), 0);
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_mtime_sec, fake_now.sec);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "f", 0644, 0) == 0);
	CHECK_EQ(vfs_utimensat(&f.other, NULL, "f", NULL, 0), E(EACCES));
	t[0].nsec = LINUX_UTIME_NOW;
	t[1].nsec = LINUX_UTIME_NOW;
	CHECK_EQ(vfs_utimensat(&f.other, NULL, "f", t, 0), E(EACCES));
	/* OMIT leaves a time alone. */
	tick();
	t[0].nsec = LINUX_UTIME_OMIT;
	t[1].sec = 99;
	t[1].nsec = 0;
	CHECK_EQ(vfs_utimensat(&f.user, NULL, "f", t, 0), 0);
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_atime_sec, fake_now.sec - 1);
	CHECK_EQ(s.st_mtime_sec, 99);
	t[0].nsec = 1000000000;
	CHECK_EQ(vfs_utimensat(&f.user, NULL, "f", t, 0), E(EINVAL));
	t[0].nsec = -1;
	CHECK_EQ(vfs_utimensat(&f.user, NULL, "f", t, 0), E(EINVAL));
	t[0].nsec = 0;
	CHECK_EQ(vfs_utimensat(&f.user, NULL, "f", t, 0x4), E(EINVAL));
	fx_fini(&f);
}

TEST(timestamps_follow_changes)
{
	struct linux_stat s, d;
	struct file *fl;
	struct fx f;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "d", 0755) == 0);
	tick();
	REQUIRE(put(&f.ctx, "d/f", "x") == 0);
	CHECK_EQ(st(&f.ctx, "d/f", &s), 0);
	CHECK_EQ(st(&f.ctx, "d", &d), 0);
	CHECK_EQ(s.st_mtime_sec, fake_now.sec);
	CHECK_EQ(s.st_atime_sec, fake_now.sec);
	CHECK_EQ(d.st_mtime_sec, fake_now.sec);
	CHECK_EQ(d.st_size, 60);	/* 40 + 20 per entry, as Linux */
	tick();
	REQUIRE(vfs_open(&f.ctx, NULL, "d/f", LINUX_O_RDWR, 0, &fl) == 0);
	CHECK_EQ(fl->ops->write(fl, "yy", 2, &fl->pos), 2);
	CHECK_EQ(st(&f.ctx, "d/f", &s), 0);
	CHECK_EQ(s.st_mtime_sec, fake_now.sec);
	CHECK_EQ(s.st_ctime_sec, fake_now.sec);
	CHECK_EQ(s.st_atime_sec, fake_now.sec - 1);
	/* relatime: a read after a change updates atime. */
	tick();
	{
		char b[4];

		CHECK_EQ(fl->ops->lseek(fl, 0, LINUX_SEEK_SET), 0);
		CHECK_EQ(fl->ops->read(fl, b, 4, &fl->pos), 2);
	}
	CHECK_EQ(st(&f.ctx, "d/f", &s), 0);
	CHECK_EQ(s.st_atime_sec, fake_now.sec);
	file_put(fl);
	tick();
	REQUIRE(vfs_unlinkat(&f.ctx, NULL, "d/f", 0) == 0);
	CHECK_EQ(st(&f.ctx, "d", &d), 0);
	CHECK_EQ(d.st_mtime_sec, fake_now.sec);
	CHECK_EQ(d.st_ctime_sec, fake_now.sec);
	CHECK_EQ(d.st_size, 40);
	fx_fini(&f);
}

TEST(truncate_rules)
{
	char buf[16];
	struct linux_stat s;
	struct file *fl;
	struct fx f;

	fx_init(&f);
	REQUIRE(put(&f.ctx, "f", "0123456789") == 0);
	REQUIRE(mkd(&f.ctx, "d", 0755) == 0);
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "p", LINUX_S_IFIFO | 0666, 0) == 0);
	CHECK_EQ(vfs_truncate(&f.ctx, NULL, "f", -1), E(EINVAL));
	CHECK_EQ(vfs_truncate(&f.ctx, NULL, "d", 0), E(EISDIR));
	CHECK_EQ(vfs_truncate(&f.ctx, NULL, "p", 0), E(EINVAL));
	CHECK_EQ(vfs_truncate(&f.user, NULL, "f", 0), E(EACCES));
	CHECK_EQ(vfs_truncate(&f.ctx, NULL, "f", INT64_MAX), 0);
	CHECK_EQ(vfs_truncate(&f.ctx, NULL, "f", 4), 0);
	/* Shrunk bytes must not come back when the file grows again. */
	CHECK_EQ(vfs_truncate(&f.ctx, NULL, "f", 8), 0);
	CHECK_EQ(get(&f.ctx, "f", buf, sizeof(buf)), 8);
	CHECK(memcmp(buf, "0123\0\0\0\0", 8) == 0);
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(s.st_size, 8);
	/* ftruncate wants a file open for writing. */
	REQUIRE(vfs_open(&f.ctx, NULL, "f", LINUX_O_RDONLY, 0, &fl) == 0);
	CHECK_EQ(vfs_ftruncate(fl, 0), E(EINVAL));
	file_put(fl);
	REQUIRE(vfs_open(&f.ctx, NULL, "f", LINUX_O_WRONLY, 0, &fl) == 0);
	CHECK_EQ(vfs_ftruncate(fl, -5), E(EINVAL));
	CHECK_EQ(vfs_ftruncate(fl, 2), 0);
	file_put(fl);
	CHECK_EQ(get(&f.ctx, "f", buf, sizeof(buf)), 2);
	fx_fini(&f);
}

/* ---- data ---- */

TEST(sparse_files)
{
	const uint64_t tib = 1ull << 40;
	uint8_t buf[8192];
	struct linux_stat s;
	struct file *fl;
	struct fx f;

	fx_init(&f);
	REQUIRE(vfs_open(&f.ctx, NULL, "sparse", LINUX_O_RDWR | LINUX_O_CREAT,
			 0644, &fl) == 0);
	CHECK_EQ(fl->ops->lseek(fl, (int64_t)tib, LINUX_SEEK_SET),
		 (int64_t)tib);
	CHECK_EQ(fl->ops->write(fl, "end", 3, &fl->pos), 3);
	CHECK_EQ(tmpfs_used_bytes(f.sb), TMPFS_PAGE);
	CHECK_EQ(st(&f.ctx, "sparse", &s), 0);
	CHECK_EQ(s.st_size, (int64_t)(tib + 3));
	CHECK_EQ(s.st_blocks, 8);
	/* Holes read as zeros. */
	memset(buf, 0xaa, sizeof(buf));
	fl->pos = tib - 4096;
	CHECK_EQ(fl->ops->read(fl, buf, sizeof(buf), &fl->pos), 4096 + 3);
	for (int i = 0; i < 4096; i++) {
		if (buf[i]) {
			CHECK(!"hole not zero");
			break;
		}
	}
	CHECK(memcmp(buf + 4096, "end", 3) == 0);
	/* SEEK_DATA / SEEK_HOLE. */
	CHECK_EQ(fl->ops->lseek(fl, 0, LINUX_SEEK_DATA), (int64_t)tib);
	CHECK_EQ(fl->ops->lseek(fl, 0, LINUX_SEEK_HOLE), 0);
	CHECK_EQ(fl->ops->lseek(fl, (int64_t)tib + 1, LINUX_SEEK_HOLE),
		 (int64_t)(tib + 3));
	CHECK_EQ(fl->ops->lseek(fl, (int64_t)tib + 3, LINUX_SEEK_DATA),
		 E(ENXIO));
	CHECK_EQ(fl->ops->lseek(fl, -1, LINUX_SEEK_DATA), E(ENXIO));
	CHECK_EQ(fl->ops->lseek(fl, -1, LINUX_SEEK_SET), E(EINVAL));
	CHECK_EQ(fl->ops->lseek(fl, 0, 7), E(EINVAL));
	CHECK_EQ(fl->ops->lseek(fl, 10, LINUX_SEEK_END), (int64_t)tib + 13);
	CHECK_EQ(fl->ops->lseek(fl, INT64_MAX, LINUX_SEEK_CUR), E(EINVAL));
	/* Nothing goes past the largest size (the end of the write
	 * would overflow Linux's loff_t: EINVAL). */
	fl->pos = VFS_MAX_FILE_SIZE;
	CHECK_EQ(fl->ops->write(fl, "x", 1, &fl->pos), E(EINVAL));
	fl->pos = VFS_MAX_FILE_SIZE - 1;
	CHECK_EQ(fl->ops->write(fl, "xy", 2, &fl->pos), E(EINVAL));
	CHECK_EQ(fl->ops->read(fl, buf, 2, &fl->pos), E(EINVAL));
	CHECK_EQ(fl->ops->write(fl, "x", 1, &fl->pos), 1);
	CHECK_EQ(fl->pos, VFS_MAX_FILE_SIZE);
	CHECK_EQ(tmpfs_used_bytes(f.sb), 2 * TMPFS_PAGE);
	/* Truncation frees what lies beyond. */
	CHECK_EQ(vfs_ftruncate(fl, 4097), 0);
	CHECK_EQ(tmpfs_used_bytes(f.sb), 0);
	file_put(fl);
	fx_fini(&f);
}

TEST(space_limits)
{
	struct tmpfs_opts opts = {
		.max_bytes = 8 * TMPFS_PAGE,
		.max_inodes = 4,
		.mode = 0755,
	};
	static uint8_t big[10 * TMPFS_PAGE];
	struct linux_statfs sf;
	struct file *fl;
	struct fx f;

	fx_init_opts(&f, &opts);
	REQUIRE(vfs_open(&f.ctx, NULL, "f", LINUX_O_RDWR | LINUX_O_CREAT,
			 0644, &fl) == 0);
	/* Part of the write fits: its size comes back, then ENOSPC. */
	CHECK_EQ(fl->ops->write(fl, big, sizeof(big), &fl->pos),
		 8 * TMPFS_PAGE);
	CHECK_EQ(fl->ops->write(fl, big, 1, &fl->pos), E(ENOSPC));
	/* Overwriting allocated pages still works. */
	fl->pos = 0;
	CHECK_EQ(fl->ops->write(fl, big, 100, &fl->pos), 100);
	CHECK_EQ(vfs_statfs(&f.ctx, NULL, "/", &sf), 0);
	CHECK_EQ(sf.f_type, LINUX_TMPFS_MAGIC);
	CHECK_EQ(sf.f_blocks, 8);
	CHECK_EQ(sf.f_bfree, 0);
	CHECK_EQ(sf.f_files, 4);
	CHECK_EQ(sf.f_ffree, 2);
	CHECK_EQ(vfs_ftruncate(fl, TMPFS_PAGE), 0);
	CHECK_EQ(vfs_statfs(&f.ctx, NULL, "/", &sf), 0);
	CHECK_EQ(sf.f_bfree, 7);
	file_put(fl);
	/* Inodes: root, f, then two more. */
	CHECK_EQ(mkd(&f.ctx, "a", 0755), 0);
	CHECK_EQ(vfs_symlinkat(&f.ctx, "x", NULL, "b"), 0);
	CHECK_EQ(mkd(&f.ctx, "c", 0755), E(ENOSPC));
	CHECK_EQ(put(&f.ctx, "c", ""), E(ENOSPC));
	CHECK_EQ(err_of_stat(&f.ctx, "c"), E(ENOENT));
	fx_fini(&f);
}

/* ---- directories ---- */

struct seen {
	char name[32];
	int count;
};

/* Reads directory @fl from its offset with a @bufsize buffer, counting
 * each name into @s (names "." and ".." excluded), calling @each after
 * each batch. Returns entries read or the error. */
static int read_dir(struct file *fl, size_t bufsize, struct seen *s,
		    int ns, void (*each)(const char *name, void *ctx),
		    void *ctx)
{
	uint8_t *buf = malloc(bufsize);
	int total = 0;

	for (;;) {
		int64_t n = fl->ops->getdents(fl, buf, bufsize, &fl->pos);
		size_t off = 0;

		if (n <= 0) {
			free(buf);
			return n < 0 ? (int)n : total;
		}
		while (off < (size_t)n) {
			struct linux_dirent64 *d = (void *)(buf + off);

			off += d->d_reclen;
			total++;
			if (!strcmp(d->d_name, ".") ||
			    !strcmp(d->d_name, "..")) {
				continue;
			}
			for (int i = 0; i < ns; i++) {
				if (!strcmp(s[i].name, d->d_name)) {
					s[i].count++;
				}
			}
			if (each) {
				each(d->d_name, ctx);
			}
		}
	}
}

TEST(getdents_records)
{
	uint8_t buf[256];
	struct file *fl;
	struct fx f;
	int64_t n;
	size_t off = 0;
	const char *names[] = { ".", "..", "file", "dir", "link" };
	const uint8_t types[] = { LINUX_DT_DIR, LINUX_DT_DIR, LINUX_DT_REG,
				  LINUX_DT_DIR, LINUX_DT_LNK };
	int64_t third_off = 0;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "d", 0755) == 0);
	REQUIRE(put(&f.ctx, "d/file", "x") == 0);
	REQUIRE(mkd(&f.ctx, "d/dir", 0755) == 0);
	REQUIRE(vfs_symlinkat(&f.ctx, "x", NULL, "d/link") == 0);
	REQUIRE(vfs_open(&f.ctx, NULL, "d", LINUX_O_RDONLY |
					      LINUX_O_DIRECTORY,
			 0, &fl) == 0);
	CHECK_EQ(fl->ops->read(fl, buf, 1, &fl->pos), E(EISDIR));
	CHECK_EQ(fl->ops->getdents(fl, buf, 20, &fl->pos), E(EINVAL));
	memset(buf, 0xee, sizeof(buf));
	n = fl->ops->getdents(fl, buf, sizeof(buf), &fl->pos);
	CHECK(n > 0);
	for (int i = 0; i < 5 && off < (size_t)n; i++) {
		struct linux_dirent64 *d = (void *)(buf + off);

		CHECK_STR_EQ(d->d_name, names[i]);
		CHECK_EQ(d->d_type, types[i]);
		CHECK_EQ(d->d_reclen % 8, 0);
		CHECK_EQ(d->d_reclen,
			 (19 + strlen(names[i]) + 1 + 7) / 8 * 8);
		if (i == 0) {
			CHECK_EQ(d->d_ino, ino_of(&f.ctx, "d"));
		}
		if (i == 1) {
			CHECK_EQ(d->d_ino, f.root.inode->ino);
		}
		if (i == 2) {
			third_off = d->d_off;
			CHECK_EQ(d->d_ino, ino_of(&f.ctx, "d/file"));
		}
		/* Padding is zeroed (it goes to the program). */
		for (size_t k = 19 + strlen(names[i]);
		     k < d->d_reclen; k++) {
			CHECK(((uint8_t *)d)[k] == 0);
		}
		off += d->d_reclen;
	}
	CHECK_EQ(off, (size_t)n);
	CHECK_EQ(fl->ops->getdents(fl, buf, sizeof(buf), &fl->pos), 0);
	/* seekdir to a d_off resumes after that entry. */
	CHECK_EQ(fl->ops->lseek(fl, third_off, LINUX_SEEK_SET), third_off);
	n = fl->ops->getdents(fl, buf, sizeof(buf), &fl->pos);
	CHECK(n > 0);
	CHECK_STR_EQ(((struct linux_dirent64 *)(void *)buf)->d_name, "dir");
	CHECK_EQ(fl->ops->lseek(fl, 0, LINUX_SEEK_END), E(EINVAL));
	CHECK_EQ(fl->ops->lseek(fl, -1, LINUX_SEEK_SET), E(EINVAL));
	file_put(fl);
	fx_fini(&f);
}

struct deleter {
	struct fx *f;
	int deleted_ahead;
};

/* Unlinks each entry as soon as it is seen (a failure means it came
 * twice), and now and then one not seen yet (which must then never show
 * up). */
static void delete_seen(const char *name, void *ctx)
{
	struct deleter *d = ctx;
	char path[64];
	int k;

	snprintf(path, sizeof(path), "big/%s", name);
	if (vfs_unlinkat(&d->f->ctx, NULL, path, 0) != 0) {
		d->deleted_ahead = -1000000;	/* seen twice or bogus */
	}
	/* (Far enough ahead not to be in the batch just read.) */
	if (sscanf(name, "f%d", &k) == 1 && k % 7 == 0 && k + 30 < 1000) {
		snprintf(path, sizeof(path), "big/f%d", k + 30);
		if (vfs_unlinkat(&d->f->ctx, NULL, path, 0) == 0) {
			d->deleted_ahead++;
		}
	}
}

TEST(getdents_while_deleting)
{
	static struct seen s[1000];
	struct deleter del;
	struct file *fl;
	struct fx f;
	int n;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "big", 0755) == 0);
	for (int i = 0; i < 1000; i++) {
		char path[32];

		snprintf(s[i].name, sizeof(s[i].name), "f%d", i);
		snprintf(path, sizeof(path), "big/f%d", i);
		REQUIRE(put(&f.ctx, path, "") == 0);
		s[i].count = 0;
	}
	del.f = &f;
	del.deleted_ahead = 0;
	REQUIRE(vfs_open(&f.ctx, NULL, "big", LINUX_O_RDONLY, 0, &fl) == 0);
	/* Small buffers: many getdents calls, deletions between them. */
	n = read_dir(fl, 200, s, 1000, delete_seen, &del);
	CHECK(n > 0);
	CHECK(del.deleted_ahead > 100);
	for (int i = 0; i < 1000; i++) {
		/* Every file seen once, except those deleted ahead, never
		 * seen. */
		if (s[i].count > 1) {
			CHECK(!"an entry came twice");
			break;
		}
	}
	{
		int total = 0;

		for (int i = 0; i < 1000; i++) {
			total += s[i].count;
		}
		CHECK_EQ(total + del.deleted_ahead, 1000);
	}
	file_put(fl);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "big", LINUX_AT_REMOVEDIR), 0);
	fx_fini(&f);
}

TEST(getdents_survives_churn)
{
	static struct seen s[300];
	struct file *fl;
	struct fx f;
	uint8_t buf[128];

	fx_init(&f);
	rng_seed(42);
	REQUIRE(mkd(&f.ctx, "d", 0755) == 0);
	for (int i = 0; i < 300; i++) {
		char path[32];

		snprintf(s[i].name, sizeof(s[i].name), "keep%d", i);
		snprintf(path, sizeof(path), "d/keep%d", i);
		REQUIRE(put(&f.ctx, path, "") == 0);
	}
	REQUIRE(vfs_open(&f.ctx, NULL, "d", LINUX_O_RDONLY, 0, &fl) == 0);
	/* Between reads, create and delete other names (forcing index
	 * growth and compaction); every "keep" entry shows up exactly
	 * once. */
	for (int round = 0;; round++) {
		int64_t n = fl->ops->getdents(fl, buf, sizeof(buf), &fl->pos);
		size_t off = 0;

		if (n <= 0) {
			CHECK_EQ(n, 0);
			break;
		}
		while (off < (size_t)n) {
			struct linux_dirent64 *d = (void *)(buf + off);
			int k;

			off += d->d_reclen;
			if (sscanf(d->d_name, "keep%d", &k) == 1 && k >= 0 &&
			    k < 300) {
				s[k].count++;
			}
		}
		/* (New entries may be read too: churn a while, not
		 * forever.) */
		for (int j = 0; round < 100 && j < 20; j++) {
			char path[32];

			snprintf(path, sizeof(path), "d/tmp%u",
				 (unsigned)(rng() % 200));
			if (vfs_unlinkat(&f.ctx, NULL, path, 0) != 0) {
				put(&f.ctx, path, "");
			}
		}
	}
	for (int i = 0; i < 300; i++) {
		if (s[i].count != 1) {
			CHECK_EQ(s[i].count, 1);
			break;
		}
	}
	file_put(fl);
	fx_fini(&f);
}

TEST(ten_thousand_files)
{
	enum { N = 10000 };
	static struct seen s[1];
	struct linux_stat st_;
	struct file *fl;
	struct fx f;
	char path[32];
	int n;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "d", 0755) == 0);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "d/file-%05d", i);
		REQUIRE(op(&f.ctx, path, LINUX_O_CREAT | LINUX_O_WRONLY,
			   0644) == 0);
	}
	for (int i = 0; i < N; i += 97) {
		snprintf(path, sizeof(path), "d/file-%05d", i);
		CHECK_EQ(err_of_stat(&f.ctx, path), 0);
	}
	CHECK_EQ(err_of_stat(&f.ctx, "d/file-10000"), E(ENOENT));
	CHECK_EQ(st(&f.ctx, "d", &st_), 0);
	CHECK_EQ(st_.st_size, 40 + 20 * N);
	REQUIRE(vfs_open(&f.ctx, NULL, "d", LINUX_O_RDONLY, 0, &fl) == 0);
	strcpy(s[0].name, "file-09999");
	n = read_dir(fl, 4096, s, 1, NULL, NULL);
	CHECK_EQ(n, N + 2);
	CHECK_EQ(s[0].count, 1);
	file_put(fl);
	/* Remove every other one, then all. */
	for (int i = 0; i < N; i += 2) {
		snprintf(path, sizeof(path), "d/file-%05d", i);
		REQUIRE(vfs_unlinkat(&f.ctx, NULL, path, 0) == 0);
	}
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "d", LINUX_AT_REMOVEDIR),
		 E(ENOTEMPTY));
	REQUIRE(vfs_open(&f.ctx, NULL, "d", LINUX_O_RDONLY, 0, &fl) == 0);
	CHECK_EQ(read_dir(fl, 512, s, 0, NULL, NULL), N / 2 + 2);
	file_put(fl);
	for (int i = 1; i < N; i += 2) {
		snprintf(path, sizeof(path), "d/file-%05d", i);
		REQUIRE(vfs_unlinkat(&f.ctx, NULL, path, 0) == 0);
	}
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "d", LINUX_AT_REMOVEDIR), 0);
	CHECK_EQ(tmpfs_used_inodes(f.sb), 1);
	fx_fini(&f);
}

TEST(rmdir_rules)
{
	struct fx f;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "d", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "d/e", 0755) == 0);
	REQUIRE(put(&f.ctx, "f", "") == 0);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "d", LINUX_AT_REMOVEDIR),
		 E(ENOTEMPTY));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "f", LINUX_AT_REMOVEDIR),
		 E(ENOTDIR));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "d/e/.", LINUX_AT_REMOVEDIR),
		 E(EINVAL));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "d/e/..", LINUX_AT_REMOVEDIR),
		 E(ENOTEMPTY));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "/", LINUX_AT_REMOVEDIR),
		 E(EBUSY));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "d", 0), E(EISDIR));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, ".", 0), E(EISDIR));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "d", 0x100), E(EINVAL));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "d/e", LINUX_AT_REMOVEDIR), 0);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "d", LINUX_AT_REMOVEDIR), 0);
	CHECK_EQ(mkd(&f.ctx, "/", 0755), E(EEXIST));
	CHECK_EQ(mkd(&f.ctx, ".", 0755), E(EEXIST));
	CHECK_EQ(mkd(&f.ctx, "f", 0755), E(EEXIST));
	CHECK_EQ(mkd(&f.ctx, "x/y", 0755), E(ENOENT));
	fx_fini(&f);
}

/* ---- mounts ---- */

static int mount_tmpfs(struct fx *f, const char *at, const char *data)
{
	return vfs_mount(&f->ctx, NULL, "none", at, "tmpfs", 0, data);
}

static bool tmpfs_registered;

static void need_tmpfs(void)
{
	if (!tmpfs_registered) {
		tmpfs_register(1ull << 30);
		tmpfs_registered = true;
	}
}

TEST(mount_crossing)
{
	struct linux_stat a, b;
	char buf[64];
	struct fx f;

	fx_init(&f);
	need_tmpfs();
	REQUIRE(mkd(&f.ctx, "mnt", 0755) == 0);
	REQUIRE(put(&f.ctx, "mnt/under", "hidden") == 0);
	REQUIRE(mkd(&f.ctx, "mnt/sub", 0755) == 0);
	CHECK_EQ(mount_tmpfs(&f, "mnt", "mode=700"), 0);
	CHECK_EQ(err_of_stat(&f.ctx, "mnt/under"), E(ENOENT));
	CHECK_EQ(st(&f.ctx, "mnt", &a), 0);
	CHECK_EQ(st(&f.ctx, "/", &b), 0);
	CHECK(a.st_dev != b.st_dev);
	CHECK_EQ(a.st_mode, LINUX_S_IFDIR | 0700);
	CHECK_EQ(put(&f.ctx, "mnt/over", "top"), 0);
	/* ".." from the mount's root leaves the mount. */
	CHECK_EQ(ino_of(&f.ctx, "mnt/.."), f.root.inode->ino);
	CHECK_EQ(ino_of(&f.ctx, "mnt/../mnt/over"), ino_of(&f.ctx, "mnt/over"));
	REQUIRE(fx_chdir(&f, "mnt") == 0);
	CHECK_EQ(ino_of(&f.ctx, ".."), f.root.inode->ino);
	CHECK_EQ(vfs_getcwd(&f.ctx, buf, sizeof(buf)), 5);
	CHECK_STR_EQ(buf, "/mnt");
	/* Busy while the cwd is inside. */
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "/mnt", 0), E(EBUSY));
	REQUIRE(fx_chdir(&f, "/") == 0);
	/* Cross-mount renames and links. */
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "mnt/over", NULL, "over", 0),
		 E(EXDEV));
	CHECK_EQ(vfs_linkat(&f.ctx, NULL, "mnt/over", NULL, "over", 0),
		 E(EXDEV));
	/* The mountpoint cannot go away. */
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "mnt", LINUX_AT_REMOVEDIR),
		 E(EBUSY));
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "mnt", NULL, "mnt2", 0),
		 E(EBUSY));
	CHECK_EQ(vfs_umount(&f.user, NULL, "/mnt", 0), E(EPERM));
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "/mnt/..", 0), E(EINVAL));
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "/", 0), E(EINVAL));
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "/mnt", 0x10), E(EINVAL));
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "/mnt", 0), 0);
	CHECK_EQ(get(&f.ctx, "mnt/under", buf, sizeof(buf)), 6);
	CHECK_EQ(err_of_stat(&f.ctx, "mnt/over"), E(ENOENT));
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "/mnt", 0), E(EINVAL));
	fx_fini(&f);
}

TEST(mount_stacked_and_errors)
{
	char buf[16];
	struct fx f;

	fx_init(&f);
	need_tmpfs();
	REQUIRE(mkd(&f.ctx, "m", 0755) == 0);
	REQUIRE(put(&f.ctx, "file", "") == 0);
	CHECK_EQ(mount_tmpfs(&f, "m", NULL), 0);
	REQUIRE(put(&f.ctx, "m/one", "1") == 0);
	CHECK_EQ(mount_tmpfs(&f, "m", NULL), 0);
	CHECK_EQ(err_of_stat(&f.ctx, "m/one"), E(ENOENT));
	REQUIRE(put(&f.ctx, "m/two", "2") == 0);
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "m", 0), 0);
	CHECK_EQ(get(&f.ctx, "m/one", buf, sizeof(buf)), 1);
	CHECK_EQ(err_of_stat(&f.ctx, "m/two"), E(ENOENT));
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "m", 0), 0);
	CHECK_EQ(mount_tmpfs(&f, "file", NULL), E(ENOTDIR));
	CHECK_EQ(mount_tmpfs(&f, "nowhere", NULL), E(ENOENT));
	CHECK_EQ(mount_tmpfs(&f, "m", "size=12q"), E(EINVAL));
	CHECK_EQ(mount_tmpfs(&f, "m", "bogus=1"), E(EINVAL));
	CHECK_EQ(vfs_mount(&f.ctx, NULL, "x", "m", "nosuchfs", 0, NULL),
		 E(ENODEV));
	CHECK_EQ(vfs_mount(&f.user, NULL, "x", "m", "tmpfs", 0, NULL),
		 E(EPERM));
	/* Sizes and the instance's limits. */
	CHECK_EQ(mount_tmpfs(&f, "m", "size=2k,nr_inodes=3,mode=0711"), 0);
	{
		struct linux_statfs sf;

		CHECK_EQ(vfs_statfs(&f.ctx, NULL, "m", &sf), 0);
		CHECK_EQ(sf.f_blocks, 0);	/* 2k is less than a page */
		CHECK_EQ(sf.f_files, 3);
		CHECK_EQ(put(&f.ctx, "m/a", "x"), E(ENOSPC));
	}
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "m", 0), 0);
	fx_fini(&f);
}

TEST(mount_busy_and_lazy)
{
	char buf[16];
	struct file *fl;
	struct fx f;

	fx_init(&f);
	need_tmpfs();
	REQUIRE(mkd(&f.ctx, "m", 0755) == 0);
	REQUIRE(mount_tmpfs(&f, "m", NULL) == 0);
	REQUIRE(mkd(&f.ctx, "m/inner", 0755) == 0);
	REQUIRE(put(&f.ctx, "m/f", "still here") == 0);
	REQUIRE(vfs_open(&f.ctx, NULL, "m/f", LINUX_O_RDONLY, 0, &fl) == 0);
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "m", 0), E(EBUSY));
	/* A submount keeps it busy too. */
	file_put(fl);
	REQUIRE(mount_tmpfs(&f, "m/inner", NULL) == 0);
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "m", 0), E(EBUSY));
	REQUIRE(put(&f.ctx, "m/inner/deep", "deep") == 0);
	/* Lazy: gone from the tree at once, alive for its users. */
	REQUIRE(vfs_open(&f.ctx, NULL, "m/f", LINUX_O_RDONLY, 0, &fl) == 0);
	{
		struct file *deep;

		REQUIRE(vfs_open(&f.ctx, NULL, "m/inner/deep", LINUX_O_RDONLY,
				 0, &deep) == 0);
		CHECK_EQ(vfs_umount(&f.ctx, NULL, "m", LINUX_MNT_DETACH), 0);
		CHECK_EQ(err_of_stat(&f.ctx, "m/f"), E(ENOENT));
		CHECK_EQ(deep->ops->read(deep, buf, sizeof(buf), &deep->pos),
			 4);
		file_put(deep);
	}
	CHECK_EQ(fl->ops->read(fl, buf, sizeof(buf), &fl->pos), 10);
	CHECK(memcmp(buf, "still here", 10) == 0);
	file_put(fl);
	CHECK(vfs_mount_next(NULL) == f.root.mnt);
	CHECK(vfs_mount_next(f.root.mnt) == NULL);
	fx_fini(&f);
}

TEST(mount_bind_and_readonly)
{
	struct linux_stat a, b;
	char buf[16];
	struct fx f;

	fx_init(&f);
	need_tmpfs();
	REQUIRE(mkd(&f.ctx, "src", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "src/sub", 0755) == 0);
	REQUIRE(put(&f.ctx, "src/sub/f", "bound") == 0);
	REQUIRE(mkd(&f.ctx, "view", 0755) == 0);
	CHECK_EQ(vfs_mount(&f.ctx, NULL, "src/sub", "view", NULL,
			   LINUX_MS_BIND, NULL),
		 0);
	CHECK_EQ(get(&f.ctx, "view/f", buf, sizeof(buf)), 5);
	CHECK_EQ(st(&f.ctx, "view/f", &a), 0);
	CHECK_EQ(st(&f.ctx, "src/sub/f", &b), 0);
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_dev, b.st_dev);
	/* ".." at the bind's root goes to where it is mounted. */
	CHECK_EQ(ino_of(&f.ctx, "view/.."), f.root.inode->ino);
	/* Same file system but another mount: no cross-mount rename. */
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "view/f", NULL, "src/g", 0),
		 E(EXDEV));
	/* Read-only remount of the bind. */
	CHECK_EQ(vfs_mount(&f.ctx, NULL, NULL, "view", NULL,
			   LINUX_MS_REMOUNT | LINUX_MS_BIND | LINUX_MS_RDONLY,
			   NULL),
		 0);
	CHECK_EQ(put(&f.ctx, "view/new", "x"), E(EROFS));
	CHECK_EQ(op(&f.ctx, "view/f", LINUX_O_WRONLY, 0), E(EROFS));
	CHECK_EQ(op(&f.ctx, "view/f", LINUX_O_RDONLY | LINUX_O_TRUNC, 0),
		 E(EROFS));
	CHECK_EQ(op(&f.ctx, "view/f", LINUX_O_RDONLY, 0), 0);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "view/f", 0), E(EROFS));
	CHECK_EQ(mkd(&f.ctx, "view/f", 0755), E(EEXIST));
	CHECK_EQ(mkd(&f.ctx, "view/d", 0755), E(EROFS));
	CHECK_EQ(vfs_fchmodat(&f.ctx, NULL, "view/f", 0600, 0), E(EROFS));
	CHECK_EQ(vfs_faccessat(&f.ctx, NULL, "view/f", LINUX_W_OK, 0),
		 E(EROFS));
	CHECK_EQ(vfs_truncate(&f.ctx, NULL, "view/f", 0), E(EROFS));
	{
		struct linux_statfs sf;

		CHECK_EQ(vfs_statfs(&f.ctx, NULL, "view", &sf), 0);
		CHECK(sf.f_flags & LINUX_ST_RDONLY);
	}
	/* The original stays writable. */
	CHECK_EQ(put(&f.ctx, "src/sub/f", "again"), 0);
	CHECK_EQ(vfs_umount(&f.ctx, NULL, "view", 0), 0);
	CHECK_EQ(vfs_mount(&f.ctx, NULL, NULL, "src", NULL, LINUX_MS_REMOUNT,
			   NULL),
		 E(EINVAL));
	CHECK_EQ(vfs_mount(&f.ctx, NULL, "src", "view", NULL, LINUX_MS_MOVE,
			   NULL),
		 E(EINVAL));
	fx_fini(&f);
}

TEST(getcwd_and_path_names)
{
	char buf[64];
	struct vfs_path jail;
	struct vfs_ctx c;
	struct fx f;

	fx_init(&f);
	need_tmpfs();
	REQUIRE(mkd(&f.ctx, "a", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "a/b", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "a/b/c", 0755) == 0);
	CHECK_EQ(vfs_getcwd(&f.ctx, buf, sizeof(buf)), 2);
	CHECK_STR_EQ(buf, "/");
	REQUIRE(fx_chdir(&f, "a/b/c") == 0);
	CHECK_EQ(vfs_getcwd(&f.ctx, buf, sizeof(buf)), 7);
	CHECK_STR_EQ(buf, "/a/b/c");
	CHECK_EQ(vfs_getcwd(&f.ctx, buf, 6), E(ERANGE));
	CHECK_EQ(vfs_getcwd(&f.ctx, buf, 7), 7);
	CHECK_EQ(vfs_getcwd(&f.ctx, buf, 0), E(ERANGE));
	/* Renames show. */
	REQUIRE(vfs_renameat2(&f.ctx, NULL, "/a/b", NULL, "/a/bee", 0) == 0);
	CHECK_EQ(vfs_getcwd(&f.ctx, buf, sizeof(buf)), 9);
	CHECK_STR_EQ(buf, "/a/bee/c");
	/* Through a mount. */
	REQUIRE(mount_tmpfs(&f, "/a/bee/c", NULL) == 0);
	REQUIRE(mkd(&f.ctx, "/a/bee/c/in", 0755) == 0);
	REQUIRE(fx_chdir(&f, "/a/bee/c/in") == 0);
	CHECK_EQ(vfs_getcwd(&f.ctx, buf, sizeof(buf)), 12);
	CHECK_STR_EQ(buf, "/a/bee/c/in");
	/* From a chroot: relative to it; outside it: unreachable. */
	REQUIRE(vfs_lookup(&f.ctx, NULL, "/a", 0, &jail) == 0);
	c = f.ctx;
	c.root = &jail;
	CHECK_EQ(vfs_getcwd(&c, buf, sizeof(buf)), 10);
	CHECK_STR_EQ(buf, "/bee/c/in");
	REQUIRE(fx_chdir(&f, "/") == 0);
	CHECK_EQ(vfs_getcwd(&c, buf, sizeof(buf)), 15);
	CHECK_STR_EQ(buf, "(unreachable)/");
	vfs_path_put(&jail);
	/* chdir needs a searchable directory. */
	REQUIRE(mkd(&f.ctx, "closed", 0700) == 0);
	{
		struct vfs_path p;

		CHECK_EQ(vfs_lookup_dir(&f.user, NULL, "closed", &p),
			 E(EACCES));
		CHECK_EQ(vfs_lookup_dir(&f.user, NULL, "a/bee/../bee", &p), 0);
		vfs_path_put(&p);
	}
	fx_fini(&f);
}

TEST(statx_fields)
{
	struct linux_statx sx;
	struct linux_stat s;
	struct fx f;

	fx_init(&f);
	REQUIRE(put(&f.ctx, "f", "12345") == 0);
	REQUIRE(vfs_mknodat(&f.ctx, NULL, "c", LINUX_S_IFCHR | 0600,
			    LINUX_MAKEDEV(0x123, 0x45678)) == 0);
	CHECK_EQ(vfs_statx(&f.ctx, NULL, "f", 0, LINUX_STATX_BASIC_STATS,
			   &sx),
		 0);
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK_EQ(sx.stx_mask & LINUX_STATX_BASIC_STATS,
		 LINUX_STATX_BASIC_STATS);
	CHECK_EQ(sx.stx_ino, s.st_ino);
	CHECK_EQ(sx.stx_size, 5);
	CHECK_EQ(sx.stx_mode, s.st_mode);
	CHECK_EQ(sx.stx_nlink, 1);
	CHECK_EQ(sx.stx_blksize, 4096);
	CHECK_EQ(sx.stx_blocks, 8);
	CHECK_EQ(sx.stx_mtime.tv_sec, s.st_mtime_sec);
	CHECK_EQ(LINUX_MAKEDEV(sx.stx_dev_major, sx.stx_dev_minor), s.st_dev);
	CHECK_EQ(sx.stx_mnt_id, f.root.mnt->id);
	CHECK_EQ(vfs_statx(&f.ctx, NULL, "c", 0, 0, &sx), 0);
	CHECK_EQ(sx.stx_rdev_major, 0x123);
	CHECK_EQ(sx.stx_rdev_minor, 0x45678);
	CHECK_EQ(vfs_statx(&f.ctx, NULL, "f", 0, LINUX_STATX__RESERVED, &sx),
		 E(EINVAL));
	CHECK_EQ(vfs_statx(&f.ctx, NULL, "f", LINUX_AT_STATX_SYNC_TYPE, 0,
			   &sx),
		 E(EINVAL));
	CHECK_EQ(vfs_statx(&f.ctx, NULL, "f", 0x1, 0, &sx), E(EINVAL));
	fx_fini(&f);
}

/* ---- random operations against a model of the expected errors ---- */

/*
 * Hostile churn: random operations on random short paths (with "..",
 * ".", doubled and trailing slashes, symlinks to each other) as root and
 * as a user. Nothing is compared here but the vfs's own invariants after
 * every step: it never crashes (ASan/UBSan watch), a name it says exists
 * can be stat'ed, and the file system's inode count matches a full walk.
 */
static const char *const frag[] = { "a", "b", "c", "..", ".", "l", "" };

static void random_path(char *out, size_t cap)
{
	size_t n = 0;
	int parts = 1 + (int)(rng() % 4);

	if (rng() % 4 == 0) {
		out[n++] = '/';
	}
	for (int i = 0; i < parts && n + 8 < cap; i++) {
		const char *p = frag[rng() % (sizeof(frag) / sizeof(frag[0]))];

		n += (size_t)snprintf(out + n, cap - n, "%s%s", p,
				      i + 1 < parts || rng() % 5 == 0 ? "/"
								    : "");
	}
	out[n] = '\0';
}

/*
 * Checks every directory under @dir: its link count is 2 plus its
 * subdirectories, ".." is its parent; then removes everything in it (as
 * root). Returns the number of inconsistencies found.
 */
static int check_and_remove(struct fx *f, const char *dir, int depth)
{
	uint8_t buf[1024];
	struct linux_stat s;
	struct file *fl;
	uint64_t subdirs = 0, nlink;
	int bad = 0;

	if (lst(&f->ctx, dir, &s) != 0) {
		return 1;
	}
	nlink = s.st_nlink;
	if (depth > 30 ||
	    vfs_open(&f->ctx, NULL, dir, LINUX_O_RDONLY | LINUX_O_DIRECTORY |
						 LINUX_O_NOFOLLOW,
		     0, &fl) < 0) {
		return 1;
	}
	for (;;) {
		int64_t got = fl->ops->getdents(fl, buf, sizeof(buf), &fl->pos);
		size_t off = 0;

		if (got <= 0) {
			bad += got < 0;
			break;
		}
		while (off < (size_t)got) {
			struct linux_dirent64 *d = (void *)(buf + off);
			char path[1024];

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") ||
			    !strcmp(d->d_name, "..")) {
				continue;
			}
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			if (lst(&f->ctx, path, &s) != 0 ||
			    LINUX_DT_FROM_MODE(s.st_mode) != d->d_type) {
				bad++;
				continue;
			}
			if (d->d_type == LINUX_DT_DIR) {
				char up[1100];

				subdirs++;
				snprintf(up, sizeof(up), "%s/..", path);
				bad += ino_of(&f->ctx, up) !=
				       ino_of(&f->ctx, dir);
				bad += check_and_remove(f, path, depth + 1);
				bad += vfs_unlinkat(&f->ctx, NULL, path,
						    LINUX_AT_REMOVEDIR) != 0;
			} else {
				bad += vfs_unlinkat(&f->ctx, NULL, path, 0) !=
				       0;
			}
		}
	}
	file_put(fl);
	if (nlink != 2 + subdirs) {
		bad++;
	}
	return bad;
}

TEST(random_churn_keeps_invariants)
{
	struct fx f;
	char p1[128], p2[128];
	struct linux_stat s;
	int made = 0;

	fx_init(&f);
	rng_seed(7);
	REQUIRE(mkd(&f.ctx, "pub", 0777) == 0);
	REQUIRE(vfs_fchmodat(&f.ctx, NULL, "pub", 01777, 0) == 0);
	for (int i = 0; i < 20000; i++) {
		const struct vfs_ctx *c = rng() % 3 ? &f.ctx : &f.user;
		int r;

		random_path(p1, sizeof(p1));
		random_path(p2, sizeof(p2));
		switch (rng() % 9) {
		case 0:
			r = mkd(c, p1, 0755);
			break;
		case 1:
			r = op(c, p1, LINUX_O_CREAT | LINUX_O_RDWR, 0644);
			break;
		case 2:
			r = vfs_unlinkat(c, NULL, p1, 0);
			break;
		case 3:
			r = vfs_unlinkat(c, NULL, p1, LINUX_AT_REMOVEDIR);
			break;
		case 4:
			r = vfs_renameat2(c, NULL, p1, NULL, p2,
					  (unsigned)(rng() % 3));
			break;
		case 5:
			r = vfs_symlinkat(c, p2, NULL, p1);
			break;
		case 6:
			r = vfs_linkat(c, NULL, p1, NULL, p2, 0);
			break;
		case 7:
			r = fx_chdir(&f, rng() % 2 ? "/" : "/pub");
			break;
		default:
			r = put(c, p1, "data");
			break;
		}
		if (r == 0) {
			made++;
			(void)lst(&f.ctx, p1, &s);
		}
	}
	CHECK(made > 1000);
	REQUIRE(fx_chdir(&f, "/") == 0);
	/* Every directory consistent, and once all names are removed no
	 * inode is left but the root: no lost or miscounted links. */
	CHECK_EQ(check_and_remove(&f, "/", 0), 0);
	CHECK_EQ(tmpfs_used_inodes(f.sb), 1);
	CHECK_EQ(tmpfs_used_bytes(f.sb), 0);
	fx_fini(&f);
}

int main(void)
{
	RUN(walk_basic);
	RUN(walk_dotdot_stops_at_root);
	RUN(walk_name_and_path_limits);
	RUN(walk_symlinks);
	RUN(walk_trailing_slashes);
	RUN(perm_search_read_write);
	RUN(perm_faccessat_real_ids);
	RUN(perm_sticky_directory);
	RUN(perm_new_file_owner_and_mode);
	RUN(open_flags);
	RUN(open_special_files_through_hooks);
	RUN(open_special_hooks_called);
	RUN(unlink_open_file_keeps_working);
	RUN(rmdir_cwd_and_open_directory);
	RUN(rename_rules);
	RUN(rename_exchange);
	RUN(rename_permissions);
	RUN(link_rules);
	RUN(readlink_rules);
	RUN(mknod_rules);
	RUN(chmod_chown_rules);
	RUN(utimens_rules);
	RUN(timestamps_follow_changes);
	RUN(truncate_rules);
	RUN(sparse_files);
	RUN(space_limits);
	RUN(getdents_records);
	RUN(getdents_while_deleting);
	RUN(getdents_survives_churn);
	RUN(ten_thousand_files);
	RUN(rmdir_rules);
	RUN(mount_crossing);
	RUN(mount_stacked_and_errors);
	RUN(mount_busy_and_lazy);
	RUN(mount_bind_and_readonly);
	RUN(getcwd_and_path_names);
	RUN(statx_fields);
	RUN(random_churn_keeps_invariants);
	return check_done();
}
