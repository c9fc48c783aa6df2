/*
 * A file system served by another process, mounted and used: in Keel,
 * memfs (servers/memfs, a RAM file system behind the file-system
 * protocol, reached through the posix server's remotefs); on the host,
 * where no "memfs" exists, tmpfs, the reference for what the calls must
 * do. The cases are the same on both: files, directories, renames, links,
 * an unlinked file kept open, sizes and holes, statfs, and the mount's
 * life (busy while in use, gone after umount, mountable again).
 *
 * Mounting needs root on the host; without it the program says so and
 * runs nothing (as test_vfs_linux does). In Keel it always runs.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include "lt.h"

static char dir[64];
static bool is_memfs;

static int mount_it(void)
{
	if (mount("memfs", dir, "memfs", 0, NULL) == 0) {
		is_memfs = true;
		return 0;
	}
	if (errno != ENODEV) {
		return -1;
	}
	return mount("tmpfs", dir, "tmpfs", 0, "mode=1777");
}

static char *at(const char *name)
{
	static char buf[4][128];
	static unsigned n;
	char *b = buf[n++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", dir, name);
	return b;
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_files(void)
{
	char buf[64];
	int fd;

	fd = open(at("f"), O_CREAT | O_EXCL | O_RDWR, 0640);
	LT_CHECK("create", fd >= 0);
	LT_EXPECT("write", write(fd, "hello, memfs", 12), 12);
	LT_EXPECT("pread", pread(fd, buf, sizeof(buf), 7), 5);
	LT_CHECK("pread_data", memcmp(buf, "memfs", 5) == 0);
	LT_ERRNO("create_excl", open(at("f"), O_CREAT | O_EXCL | O_RDWR, 0640),
		 EEXIST);
	close(fd);
	{
		struct stat st;

		LT_EXPECT("stat", stat(at("f"), &st), 0);
		LT_EXPECT("stat_size", st.st_size, 12);
		LT_EXPECT("stat_mode", st.st_mode & 07777, 0640);
		LT_CHECK("stat_regular", S_ISREG(st.st_mode));
		LT_EXPECT("stat_nlink", st.st_nlink, 1);
	}
	/* A large write crosses the transfer slots. */
	{
		size_t n = 300 * 1024;
		char *big = malloc(n), *back = malloc(n);
		long ok = 1;

		for (size_t i = 0; i < n; i++) {
			big[i] = (char)(i * 7 + 3);
		}
		fd = open(at("big"), O_CREAT | O_RDWR | O_TRUNC, 0644);
		LT_EXPECT("big_write", write(fd, big, n), (long)n);
		LT_EXPECT("big_read", pread(fd, back, n, 0), (long)n);
		ok = memcmp(big, back, n) == 0;
		LT_CHECK("big_same", ok);
		close(fd);
		free(big);
		free(back);
	}
	LT_EXPECT("truncate_grow", truncate(at("f"), 1 << 20), 0);
	LT_EXPECT("truncate_size", file_size(at("f")), 1 << 20);
	fd = open(at("f"), O_RDONLY);
	LT_EXPECT("hole_reads_zero", pread(fd, buf, 4, 4096), 4);
	LT_CHECK("hole_zero_bytes", buf[0] == 0 && buf[3] == 0);
	close(fd);
	LT_EXPECT("truncate_shrink", truncate(at("f"), 5), 0);
	LT_EXPECT("truncate_small", file_size(at("f")), 5);
}

static void test_directories(void)
{
	DIR *d;
	struct dirent *e;
	int seen = 0;
	char cwd[256];

	LT_EXPECT("mkdir", mkdir(at("d"), 0755), 0);
	LT_ERRNO("mkdir_again", mkdir(at("d"), 0755), EEXIST);
	LT_EXPECT("mkdir_nested", mkdir(at("d/e"), 0755), 0);
	close(open(at("d/x"), O_CREAT | O_WRONLY, 0644));
	d = opendir(at("d"));
	LT_CHECK("opendir", d != NULL);
	while (d && (e = readdir(d))) {
		seen += strcmp(e->d_name, "e") == 0 ? 1 : 0;
		seen += strcmp(e->d_name, "x") == 0 ? 10 : 0;
		seen += strcmp(e->d_name, ".") == 0 ? 100 : 0;
		seen += strcmp(e->d_name, "..") == 0 ? 1000 : 0;
	}
	if (d) {
		closedir(d);
	}
	LT_EXPECT("readdir_entries", seen, 1111);
	LT_ERRNO("rmdir_not_empty", rmdir(at("d")), ENOTEMPTY);
	LT_ERRNO("unlink_dir", unlink(at("d")), EISDIR);
	LT_ERRNO("rmdir_file", rmdir(at("d/x")), ENOTDIR);
	LT_EXPECT("chdir", chdir(at("d/e")), 0);
	LT_CHECK("getcwd", getcwd(cwd, sizeof(cwd)) &&
				   strcmp(cwd, at("d/e")) == 0);
	LT_EXPECT("chdir_back", chdir("/"), 0);
	LT_EXPECT("rename_dir", rename(at("d/e"), at("e2")), 0);
	LT_EXPECT("renamed_there", access(at("e2"), F_OK), 0);
	LT_ERRNO("renamed_gone", access(at("d/e"), F_OK), ENOENT);
	LT_EXPECT("rename_replace", rename(at("d/x"), at("f")), 0);
	LT_EXPECT("replaced_size", file_size(at("f")), 0);
	LT_EXPECT("rmdir", rmdir(at("e2")), 0);
	LT_EXPECT("rmdir_d", rmdir(at("d")), 0);
}

static void test_links(void)
{
	char buf[64];
	struct stat st;
	int fd;
	long n;

	LT_EXPECT("symlink", symlink("target/path", at("l")), 0);
	n = readlink(at("l"), buf, sizeof(buf));
	LT_EXPECT("readlink", n, 11);
	LT_CHECK("readlink_text", n == 11 && memcmp(buf, "target/path", 11) == 0);
	LT_EXPECT("lstat_link", lstat(at("l"), &st), 0);
	LT_CHECK("lstat_is_link", S_ISLNK(st.st_mode));
	LT_EXPECT("link", link(at("f"), at("f2")), 0);
	LT_EXPECT("link_count", stat(at("f"), &st) == 0 ? (long)st.st_nlink : -1,
		  2);
	/* Unlinked while open: still readable, gone from the directory. */
	fd = open(at("f2"), O_RDWR);
	LT_EXPECT("unlink", unlink(at("f2")), 0);
	LT_EXPECT("unlink_other", unlink(at("f")), 0);
	LT_EXPECT("open_unlinked_write", write(fd, "still", 5), 5);
	LT_EXPECT("open_unlinked_fstat", fstat(fd, &st), 0);
	LT_EXPECT("open_unlinked_nlink", st.st_nlink, 0);
	LT_ERRNO("unlinked_gone", access(at("f"), F_OK), ENOENT);
	close(fd);
	LT_EXPECT("unlink_symlink", unlink(at("l")), 0);
}

static void test_statfs(void)
{
	struct statfs sf;

	LT_EXPECT("statfs", statfs(dir, &sf), 0);
	/* memfs is tmpfs behind the protocol: the same magic. */
	LT_EXPECT("statfs_type", sf.f_type, 0x01021994);
	LT_EXPECT("statfs_namelen", sf.f_namelen, 255);
}

static void test_lifecycle(void)
{
	int fd;

	fd = open(at("busy"), O_CREAT | O_RDWR, 0644);
	LT_ERRNO("umount_busy", umount(dir), EBUSY);
	close(fd);
	LT_EXPECT("umount", umount(dir), 0);
	LT_ERRNO("gone_after_umount", access(at("busy"), F_OK), ENOENT);
	LT_EXPECT("mount_again", mount_it() == 0 ? 0 : errno, 0);
	if (is_memfs) {
		/* The same server, the files kept: it is a file system, not
		 * a mount. (tmpfs starts empty each time.) */
		LT_EXPECT("files_kept", access(at("busy"), F_OK), 0);
	}
	LT_EXPECT("umount_again", umount(dir), 0);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lt_fsmount.%d", (int)getpid());
	if (mkdir(dir, 0755) != 0) {
		LT_CHECK("mountpoint", false);
		return lt_done();
	}
	if (mount_it() != 0) {
		if (errno == EPERM) {
			lt_line("fsmount: mounting needs root here; nothing run");
			rmdir(dir);
			return 0;
		}
		LT_CHECK("mount", false);
		rmdir(dir);
		return lt_done();
	}
	LT_CHECK("mount", true);
	umask(022);
	test_files();
	test_directories();
	test_links();
	test_statfs();
	test_lifecycle();
	rmdir(dir);
	return lt_done();
}
