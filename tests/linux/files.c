/*
 * Files on tmpfs (a fresh directory under /tmp): open flags, reading and
 * writing (pread/pwrite, readv/writev, partial and huge counts), lseek
 * with holes (SEEK_DATA/SEEK_HOLE), the stat family and statx,
 * getdents64 while entries go, the directory calls (mkdir, rmdir,
 * unlink, rename and renameat2, link, symlink, readlink), chmod, chown,
 * utimensat, faccessat, truncate, chdir/fchdir/getcwd, dup and fcntl,
 * pipes, FIFOs, and the memory devices; each with its errors.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/mman.h>
#include <limits.h>

#include "lt.h"

/* renameat2 flags and statx (musl 1.2.3 has neither), from the Linux
 * man pages */
#define LT_RENAME_NOREPLACE 1
#define LT_RENAME_EXCHANGE 2
#define LT_STATX_TYPE 0x1u
#define LT_STATX_BASIC_STATS 0x7ffu
#define LT_AT_STATX_FORCE_SYNC 0x2000
#define LT_AT_STATX_DONT_SYNC 0x4000

struct lt_statx_time {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct lt_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct lt_statx_time stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};
_Static_assert(sizeof(struct lt_statx) == 256, "struct statx is 256 bytes");

static long statx_(int dirfd, const char *path, int flags, unsigned mask,
		   struct lt_statx *sx)
{
	return syscall(SYS_statx, dirfd, path, flags, mask, sx);
}

/* The lowest descriptor not open. */
static int lowest_free_fd(void)
{
	int fd = 0;

	while (fcntl(fd, F_GETFD) >= 0) {
		fd++;
	}
	return fd;
}

static void make_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		write(fd, text, strlen(text));
		close(fd);
	}
}

/* The contents of @path (at most @size - 1 bytes) in @buf, or "". */
static const char *read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;

	buf[n > 0 ? n : 0] = 0;
	if (fd >= 0) {
		close(fd);
	}
	return buf;
}

static ino_t ino_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_ino : 0;
}

static long renameat2_(const char *a, const char *b, unsigned flags)
{
	return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
}

/* ---- open ---- */

static void case_open_flags(void)
{
	static char long_path[5000], long_name[300];
	char buf[32];
	int fd, fd2, lowest = lowest_free_fd();

	umask(022);
	fd = open("new", O_CREAT | O_RDWR, 0666);
	LT_CHECK("open_creat", fd >= 0);
	LT_EXPECT("open_creat_lowest_fd", fd, lowest);
	LT_EXPECT("open_creat_write", write(fd, "abcdef", 6), 6);
	close(fd);
	LT_ERRNO("open_creat_excl_exists",
		 open("new", O_CREAT | O_EXCL | O_RDWR, 0666), EEXIST);
	fd = open("new", O_RDWR | O_TRUNC);
	LT_EXPECT("open_trunc_size", lseek(fd, 0, SEEK_END), 0);
	write(fd, "12345", 5);
	close(fd);

	fd = open("new", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	LT_EXPECT("o_append_write", write(fd, "xy", 2), 2);
	LT_EXPECT("o_append_at_end", lseek(fd, 0, SEEK_CUR), 7);
	close(fd);
	LT_CHECK("o_append_contents",
		 strcmp(read_file("new", buf, sizeof(buf)), "12345xy") == 0);

	fd = open("new", O_RDONLY);
	LT_ERRNO("write_on_read_only_fd", write(fd, "x", 1), EBADF);
	close(fd);
	fd = open("new", O_WRONLY);
	LT_ERRNO("read_on_write_only_fd", read(fd, buf, 1), EBADF);
	close(fd);

	mkdir("d", 0755);
	symlink("new", "link");
	symlink("missing-target", "dangling");
	symlink("loop2", "loop1");
	symlink("loop1", "loop2");
	fd = open("d", O_RDONLY | O_DIRECTORY);
	LT_CHECK("o_directory_on_dir", fd >= 0);
	close(fd);
	LT_ERRNO("o_directory_on_file", open("new", O_RDONLY | O_DIRECTORY),
		 ENOTDIR);
	LT_ERRNO("open_dir_for_writing", open("d", O_WRONLY), EISDIR);
	LT_ERRNO("open_dir_creat", open("d", O_CREAT | O_RDWR, 0644), EISDIR);
	LT_ERRNO("o_nofollow_symlink", open("link", O_RDONLY | O_NOFOLLOW),
		 ELOOP);
	fd = open("link", O_RDONLY);
	LT_CHECK("open_follows_symlink", fd >= 0);
	close(fd);
	LT_ERRNO("open_symlink_loop", open("loop1", O_RDONLY), ELOOP);
	LT_ERRNO("open_dangling", open("dangling", O_RDONLY), ENOENT);
	LT_ERRNO("creat_excl_on_dangling",
		 open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	fd = open("dangling", O_CREAT | O_WRONLY, 0644);
	LT_CHECK("creat_through_dangling_makes_target",
		 fd >= 0 && access("missing-target", F_OK) == 0);
	close(fd);

	fd = open("new", O_RDONLY | O_CLOEXEC);
	LT_EXPECT("o_cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	fd2 = open("new", O_RDONLY);
	LT_EXPECT("no_o_cloexec", fcntl(fd2, F_GETFD), 0);
	close(fd);
	close(fd2);

	LT_ERRNO("open_missing", open("missing", O_RDONLY), ENOENT);
	LT_ERRNO("open_empty_path", open("", O_RDONLY), ENOENT);
	LT_ERRNO("open_creat_missing_dir",
		 open("nodir/file", O_CREAT | O_WRONLY, 0644), ENOENT);
	LT_ERRNO("open_through_file", open("new/x", O_RDONLY), ENOTDIR);
	LT_ERRNO("open_trailing_slash_file", open("new/", O_RDONLY), ENOTDIR);
	LT_ERRNO("open_null_path", syscall(SYS_open, NULL, O_RDONLY), EFAULT);
	LT_ERRNO("open_kernel_path",
		 syscall(SYS_open, LT_KERNEL_PTR, O_RDONLY), EFAULT);
	memset(long_path, 'a', sizeof(long_path) - 1);
	LT_ERRNO("open_path_too_long", open(long_path, O_RDONLY),
		 ENAMETOOLONG);
	memset(long_name, 'b', sizeof(long_name) - 1);
	LT_ERRNO("open_name_too_long", open(long_name, O_CREAT | O_RDONLY, 0644),
		 ENAMETOOLONG);
	LT_ERRNO("openat_bad_dirfd", openat(1000, "new", O_RDONLY), EBADF);
	fd = open("new", O_RDONLY);
	LT_ERRNO("openat_file_as_dirfd", openat(fd, "x", O_RDONLY), ENOTDIR);
	close(fd);
	fd = open("d", O_RDONLY | O_DIRECTORY);
	close(openat(fd, "inside", O_CREAT | O_WRONLY, 0600));
	LT_EXPECT("openat_relative_to_dirfd", access("d/inside", F_OK), 0);
	LT_ERRNO("openat_absolute_ignores_dirfd",
		 openat(fd, "/nonexistent-lt", O_RDONLY), ENOENT);
	close(fd);
}

/* ---- read and write ---- */

static void case_read_write(void)
{
	char buf[64], a[4], b[8];
	struct iovec iov[3];
	static struct iovec many[1100];
	int fd = open("rw", O_RDWR | O_CREAT | O_TRUNC, 0644), p[2];

	LT_EXPECT("write_count", write(fd, "0123456789", 10), 10);
	LT_EXPECT("read_at_eof", read(fd, buf, sizeof(buf)), 0);
	LT_EXPECT("pread", pread(fd, buf, 4, 3), 4);
	LT_CHECK("pread_data", memcmp(buf, "3456", 4) == 0);
	LT_EXPECT("pread_keeps_offset", lseek(fd, 0, SEEK_CUR), 10);
	LT_EXPECT("pwrite", pwrite(fd, "AB", 2, 1), 2);
	LT_EXPECT("pwrite_keeps_offset", lseek(fd, 0, SEEK_CUR), 10);
	LT_EXPECT("pread_beyond_eof", pread(fd, buf, 4, 100), 0);
	LT_ERRNO("pread_negative_offset", pread(fd, buf, 4, -1), EINVAL);
	LT_ERRNO("pwrite_negative_offset", pwrite(fd, buf, 4, -1), EINVAL);

	lseek(fd, 0, SEEK_SET);
	iov[0] = (struct iovec){ a, sizeof(a) };
	iov[1] = (struct iovec){ NULL, 0 };
	iov[2] = (struct iovec){ b, sizeof(b) };
	LT_EXPECT("readv", readv(fd, iov, 3), 10);
	LT_CHECK("readv_scatter", memcmp(a, "0AB3", 4) == 0 &&
					  memcmp(b, "456789", 6) == 0);
	iov[0] = (struct iovec){ "he", 2 };
	iov[1] = (struct iovec){ "llo", 3 };
	LT_EXPECT("writev", writev(fd, iov, 2), 5);
	LT_EXPECT("pread_after_writev", pread(fd, buf, 5, 10), 5);
	LT_CHECK("writev_gather", memcmp(buf, "hello", 5) == 0);
	LT_EXPECT("preadv", preadv(fd, iov + 2, 1, 2), 8);
	LT_EXPECT("pwritev", pwritev(fd, iov, 1, 0), 2);

	LT_ERRNO("readv_too_many", readv(fd, many, 1100), EINVAL);
	LT_ERRNO("readv_negative_count", readv(fd, iov, -1), EINVAL);
	iov[0] = (struct iovec){ buf, 4 };
	iov[1] = (struct iovec){ buf, (size_t)-1 };
	LT_ERRNO("writev_negative_length", writev(fd, iov, 2), EINVAL);
	iov[0] = (struct iovec){ LT_KERNEL_PTR, 4 };
	LT_ERRNO("writev_bad_base", pwritev(fd, iov, 1, 0), EFAULT);
	LT_ERRNO("readv_bad_array", readv(fd, LT_KERNEL_PTR, 1), EFAULT);
	LT_EXPECT("write_zero_null_pointer", write(fd, NULL, 0), 0);
	LT_ERRNO("write_zero_kernel_pointer", write(fd, LT_KERNEL_PTR, 0),
		 EFAULT);
	/* a count beyond the address space is refused; a big one reads
	 * what the file has */
	LT_ERRNO("pread_huge_count", pread(fd, buf, SSIZE_MAX, 10), EFAULT);
	LT_EXPECT("pread_large_count", pread(fd, buf, 1 << 30, 10), 5);
	pipe(p);
	LT_ERRNO("pread_on_pipe", pread(p[0], buf, 1, 0), ESPIPE);
	LT_ERRNO("read_bad_fd", read(1000, buf, 1), EBADF);
	LT_ERRNO("read_directory", read(open(".", O_RDONLY), buf, 1), EISDIR);
	close(fd);
}

/* A write from a buffer that runs into unmapped memory writes the part
 * before it. */
static void case_partial_write(void)
{
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open("partial", O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct stat st;

	memset(m, 'p', 8192);
	munmap(m + 4096, 4096);
	LT_EXPECT("write_into_hole_short", write(fd, m, 8192), 4096);
	fstat(fd, &st);
	LT_EXPECT("write_into_hole_size", st.st_size, 4096);
	LT_ERRNO("write_all_unmapped", write(fd, m + 4096, 10), EFAULT);
	lseek(fd, 0, SEEK_SET);
	LT_EXPECT("read_into_hole_short", read(fd, m + 4000, 4096), 96);
	close(fd);
	munmap(m, 4096);
}

/* ---- lseek and holes ---- */

static void case_lseek(void)
{
	int fd = open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
	static char zero[4096], buf[4096];
	struct stat st;

	memset(buf, 'x', sizeof(buf));
	LT_EXPECT("lseek_set", lseek(fd, 100, SEEK_SET), 100);
	LT_EXPECT("lseek_cur", lseek(fd, -50, SEEK_CUR), 50);
	LT_EXPECT("lseek_end_empty", lseek(fd, 0, SEEK_END), 0);
	LT_ERRNO("lseek_negative", lseek(fd, -1, SEEK_SET), EINVAL);
	LT_ERRNO("lseek_bad_whence", lseek(fd, 0, 42), EINVAL);
	LT_ERRNO("lseek_bad_fd", lseek(1000, 0, SEEK_SET), EBADF);

	write(fd, buf, 4096);
	LT_EXPECT("lseek_far", lseek(fd, 1 << 20, SEEK_SET), 1 << 20);
	write(fd, buf, 4096);
	fstat(fd, &st);
	LT_EXPECT("sparse_size", st.st_size, (1 << 20) + 4096);
	LT_CHECK("sparse_few_blocks", st.st_blocks * 512 < st.st_size / 2);
	LT_EXPECT("hole_reads_zero", pread(fd, buf, 4096, 8192), 4096);
	LT_CHECK("hole_zero_data", memcmp(buf, zero, 4096) == 0);
	LT_EXPECT("seek_data_at_start", lseek(fd, 0, SEEK_DATA), 0);
	LT_EXPECT("seek_hole_after_first", lseek(fd, 0, SEEK_HOLE), 4096);
	LT_EXPECT("seek_data_skips_hole", lseek(fd, 4096, SEEK_DATA), 1 << 20);
	LT_EXPECT("seek_hole_at_end", lseek(fd, 1 << 20, SEEK_HOLE),
		  (1 << 20) + 4096);
	LT_ERRNO("seek_data_past_end", lseek(fd, (1 << 20) + 4096, SEEK_DATA),
		 ENXIO);
	LT_ERRNO("seek_hole_past_end",
		 lseek(fd, (1 << 20) + 5000, SEEK_HOLE), ENXIO);
	LT_EXPECT("lseek_end", lseek(fd, -10, SEEK_END), (1 << 20) + 4086);
	LT_EXPECT("lseek_beyond_end", lseek(fd, 1 << 22, SEEK_SET), 1 << 22);
	LT_EXPECT("read_beyond_end", read(fd, buf, 10), 0);
	fstat(fd, &st);
	LT_EXPECT("lseek_does_not_grow", st.st_size, (1 << 20) + 4096);
	close(fd);
}

/* ---- stat ---- */

static void case_stat(void)
{
	struct stat st, st2;
	struct lt_statx sx;
	struct timespec before, after;
	int fd;

	umask(022);
	clock_gettime(CLOCK_REALTIME, &before);
	fd = open("s", O_RDWR | O_CREAT | O_TRUNC, 0640);
	write(fd, "hello", 5);
	clock_gettime(CLOCK_REALTIME, &after);
	LT_EXPECT("fstat", fstat(fd, &st), 0);
	LT_EXPECT("stat_mode", st.st_mode, S_IFREG | 0640);
	LT_EXPECT("stat_size", st.st_size, 5);
	LT_EXPECT("stat_nlink", st.st_nlink, 1);
	LT_EXPECT("stat_uid", st.st_uid, getuid());
	LT_EXPECT("stat_gid", st.st_gid, getgid());
	LT_CHECK("stat_blksize", st.st_blksize > 0);
	LT_CHECK("stat_mtime_now", st.st_mtim.tv_sec >= before.tv_sec - 1 &&
					   st.st_mtim.tv_sec <= after.tv_sec + 1);
	stat("s", &st2);
	LT_CHECK("stat_same_as_fstat", st2.st_ino == st.st_ino &&
					       st2.st_dev == st.st_dev &&
					       st2.st_size == 5);
	LT_EXPECT("link_for_nlink", link("s", "s2"), 0);
	fstat(fd, &st);
	LT_EXPECT("stat_nlink_after_link", st.st_nlink, 2);
	symlink("s", "sl");
	LT_EXPECT("lstat_symlink", lstat("sl", &st2), 0);
	LT_CHECK("lstat_is_link", S_ISLNK(st2.st_mode) && st2.st_size == 1 &&
					  st2.st_ino != st.st_ino);
	stat("sl", &st2);
	LT_EXPECT("stat_follows_link", st2.st_ino, st.st_ino);
	LT_EXPECT("fstatat_nofollow",
		  fstatat(AT_FDCWD, "sl", &st2, AT_SYMLINK_NOFOLLOW), 0);
	LT_CHECK("fstatat_nofollow_link", S_ISLNK(st2.st_mode));
	LT_EXPECT("fstatat_empty_path", fstatat(fd, "", &st2, AT_EMPTY_PATH),
		  0);
	LT_EXPECT("fstatat_empty_path_ino", st2.st_ino, st.st_ino);
	LT_ERRNO("fstatat_empty_no_flag", fstatat(fd, "", &st2, 0), ENOENT);
	LT_ERRNO("fstatat_bad_flags", fstatat(AT_FDCWD, "s", &st2, 0x40000),
		 EINVAL);
	LT_ERRNO("stat_missing", stat("missing", &st2), ENOENT);
	LT_ERRNO("stat_bad_buffer", syscall(SYS_stat, "s", LT_KERNEL_PTR),
		 EFAULT);
	LT_ERRNO("fstat_bad_fd", fstat(1000, &st2), EBADF);
	mkdir("dir", 0755);
	stat("dir", &st2);
	LT_CHECK("stat_dir", S_ISDIR(st2.st_mode) && st2.st_nlink == 2);
	mkdir("dir/sub", 0755);
	stat("dir", &st2);
	LT_EXPECT("stat_dir_nlink_subdir", st2.st_nlink, 3);
	stat(".", &st2);
	LT_EXPECT("stat_dot_dev", st2.st_dev, st.st_dev);

	memset(&sx, 0xff, sizeof(sx));
	LT_EXPECT("statx", statx_(AT_FDCWD, "s", 0, LT_STATX_BASIC_STATS, &sx), 0);
	LT_CHECK("statx_mask", (sx.stx_mask & LT_STATX_BASIC_STATS) ==
				       LT_STATX_BASIC_STATS);
	LT_CHECK("statx_fields",
		 sx.stx_mode == (S_IFREG | 0640) && sx.stx_size == 5 &&
			 sx.stx_ino == st.st_ino && sx.stx_nlink == 2 &&
			 sx.stx_uid == getuid() && sx.stx_blksize > 0);
	LT_CHECK("statx_dev", makedev(sx.stx_dev_major, sx.stx_dev_minor) ==
				      st.st_dev);
	LT_CHECK("statx_mtime", sx.stx_mtime.tv_sec == st.st_mtim.tv_sec &&
					sx.stx_mtime.tv_nsec ==
						(uint32_t)st.st_mtim.tv_nsec);
	LT_EXPECT("statx_empty_path",
		  statx_(fd, "", AT_EMPTY_PATH, LT_STATX_BASIC_STATS, &sx), 0);
	LT_EXPECT("statx_nofollow",
		  statx_(AT_FDCWD, "sl", AT_SYMLINK_NOFOLLOW, LT_STATX_TYPE, &sx),
		  0);
	LT_CHECK("statx_nofollow_link", S_ISLNK(sx.stx_mode));
	LT_ERRNO("statx_reserved_mask",
		 statx_(AT_FDCWD, "s", 0, 0x80000000u, &sx), EINVAL);
	LT_ERRNO("statx_both_sync_flags",
		 statx_(AT_FDCWD, "s", LT_AT_STATX_FORCE_SYNC | LT_AT_STATX_DONT_SYNC,
		       LT_STATX_BASIC_STATS, &sx),
		 EINVAL);
	LT_ERRNO("statx_bad_buffer",
		 syscall(SYS_statx, AT_FDCWD, "s", 0, LT_STATX_BASIC_STATS,
			 LT_KERNEL_PTR),
		 EFAULT);
	LT_ERRNO("statx_missing",
		 statx_(AT_FDCWD, "missing", 0, LT_STATX_BASIC_STATS, &sx), ENOENT);
	close(fd);
}

/* ---- getdents64 ---- */

struct lt_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void case_getdents(void)
{
	enum { N = 60 };
	char name[32], buf[512];
	int seen[N] = { 0 }, dots = 0, bad_type = 0, others = 0, fd, n;
	bool once = true;

	mkdir("g", 0755);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "g/file%02d", i);
		make_file(name, "");
	}
	mkdir("g/subdir", 0755);
	symlink("file00", "g/symlink");
	fd = open("g", O_RDONLY | O_DIRECTORY);
	/* small reads, removing each file as it is seen */
	while ((n = (int)syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (int off = 0; off < n;) {
			struct lt_dirent64 *d = (void *)(buf + off);
			int i;

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) {
				dots++;
				bad_type += d->d_type != DT_DIR;
				continue;
			}
			if (sscanf(d->d_name, "file%d", &i) == 1 && i >= 0 &&
			    i < N) {
				seen[i]++;
				bad_type += d->d_type != DT_REG;
				unlinkat(fd, d->d_name, 0);
				continue;
			}
			if (!strcmp(d->d_name, "subdir")) {
				bad_type += d->d_type != DT_DIR;
			} else if (!strcmp(d->d_name, "symlink")) {
				bad_type += d->d_type != DT_LNK;
			}
			others++;
		}
	}
	LT_EXPECT("getdents_end", n, 0);
	for (int i = 0; i < N; i++) {
		once &= seen[i] == 1;
	}
	LT_CHECK("getdents_each_once_while_unlinking", once);
	LT_EXPECT("getdents_dots", dots, 2);
	LT_EXPECT("getdents_others", others, 2);
	LT_EXPECT("getdents_d_type", bad_type, 0);
	LT_EXPECT("getdents_rewind", lseek(fd, 0, SEEK_SET), 0);
	n = (int)syscall(SYS_getdents64, fd, buf, sizeof(buf));
	others = 0;
	lseek(fd, 0, SEEK_SET); /* tiny buffer below: at the start */
	for (int off = 0; off < n;) {
		struct lt_dirent64 *d = (void *)(buf + off);

		off += d->d_reclen;
		others++;
	}
	LT_EXPECT("getdents_after_unlink", others, 4);
	LT_ERRNO("getdents_tiny_buffer",
		 syscall(SYS_getdents64, fd, buf, 8), EINVAL);
	lseek(fd, 0, SEEK_SET);
	LT_ERRNO("getdents_bad_buffer",
		 syscall(SYS_getdents64, fd, LT_KERNEL_PTR, 512), EFAULT);
	LT_ERRNO("getdents_bad_fd",
		 syscall(SYS_getdents64, 1000, buf, sizeof(buf)), EBADF);
	close(fd);
	make_file("plain", "");
	fd = open("plain", O_RDONLY);
	LT_ERRNO("getdents_on_file",
		 syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);

	/* a removed directory cannot be read */
	mkdir("gone", 0755);
	fd = open("gone", O_RDONLY | O_DIRECTORY);
	rmdir("gone");
	LT_ERRNO("getdents_removed_dir",
		 syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOENT);
	LT_ERRNO("create_in_removed_dir",
		 openat(fd, "x", O_CREAT | O_WRONLY, 0644), ENOENT);
	close(fd);
}

/* ---- directories and names ---- */

static void case_dir_calls(void)
{
	struct stat st;
	char buf[64];

	umask(022);
	LT_EXPECT("mkdir", mkdir("a", 0777), 0);
	stat("a", &st);
	LT_EXPECT("mkdir_mode_umask", st.st_mode, S_IFDIR | 0755);
	LT_ERRNO("mkdir_exists", mkdir("a", 0755), EEXIST);
	LT_ERRNO("mkdir_missing_parent", mkdir("x/y", 0755), ENOENT);
	make_file("a/f", "f");
	LT_ERRNO("rmdir_not_empty", rmdir("a"), ENOTEMPTY);
	LT_ERRNO("rmdir_file", rmdir("a/f"), ENOTDIR);
	LT_ERRNO("rmdir_dot", rmdir("a/."), EINVAL);
	LT_ERRNO("rmdir_dotdot", rmdir("a/.."), ENOTEMPTY);
	LT_ERRNO("unlink_dir", unlink("a"), EISDIR);
	LT_ERRNO("unlink_missing", unlink("a/missing"), ENOENT);
	LT_ERRNO("unlinkat_bad_flag", unlinkat(AT_FDCWD, "a/f", 0x1234),
		 EINVAL);
	LT_ERRNO("unlinkat_removedir_file",
		 unlinkat(AT_FDCWD, "a/f", AT_REMOVEDIR), ENOTDIR);
	LT_EXPECT("unlink", unlink("a/f"), 0);
	LT_EXPECT("rmdir", rmdir("a"), 0);
	LT_ERRNO("rmdir_gone", rmdir("a"), ENOENT);

	/* rename */
	make_file("r1", "one");
	make_file("r2", "two");
	LT_EXPECT("rename_over_file", rename("r1", "r2"), 0);
	LT_CHECK("rename_replaced",
		 strcmp(read_file("r2", buf, sizeof(buf)), "one") == 0 &&
			 access("r1", F_OK) < 0);
	mkdir("d1", 0755);
	mkdir("d2", 0755);
	make_file("d2/x", "");
	LT_ERRNO("rename_dir_over_nonempty", rename("d1", "d2"), ENOTEMPTY);
	LT_ERRNO("rename_dir_over_file", rename("d1", "r2"), ENOTDIR);
	LT_ERRNO("rename_file_over_dir", rename("r2", "d1"), EISDIR);
	mkdir("d2/sub", 0755);
	LT_ERRNO("rename_into_own_subdir", rename("d2", "d2/sub/inner"),
		 EINVAL);
	rmdir("d2/sub");
	LT_ERRNO("rename_missing", rename("missing", "r3"), ENOENT);
	unlink("d2/x");
	LT_EXPECT("rename_dir_over_empty", rename("d1", "d2"), 0);
	LT_CHECK("rename_dir_moved", access("d1", F_OK) < 0);
	link("r2", "r2link");
	LT_EXPECT("rename_same_inode", rename("r2", "r2link"), 0);
	LT_CHECK("rename_same_inode_keeps_both",
		 access("r2", F_OK) == 0 && access("r2link", F_OK) == 0);
	LT_EXPECT("rename_to_itself", rename("r2", "r2"), 0);

	make_file("n1", "n1");
	make_file("n2", "n2");
	LT_ERRNO("renameat2_noreplace_exists",
		 renameat2_("n1", "n2", LT_RENAME_NOREPLACE), EEXIST);
	LT_EXPECT("renameat2_noreplace_new",
		  renameat2_("n1", "n3", LT_RENAME_NOREPLACE), 0);
	{
		ino_t i3 = ino_of("n3"), i2 = ino_of("n2");

		LT_EXPECT("renameat2_exchange",
			  renameat2_("n3", "n2", LT_RENAME_EXCHANGE), 0);
		LT_CHECK("renameat2_exchanged",
			 ino_of("n3") == i2 && ino_of("n2") == i3 &&
				 strcmp(read_file("n2", buf, sizeof(buf)),
					"n1") == 0);
	}
	mkdir("xd", 0755);
	LT_EXPECT("renameat2_exchange_file_dir",
		  renameat2_("n2", "xd", LT_RENAME_EXCHANGE), 0);
	stat("n2", &st);
	LT_CHECK("renameat2_exchange_types", S_ISDIR(st.st_mode));
	LT_ERRNO("renameat2_exchange_missing",
		 renameat2_("n3", "missing", LT_RENAME_EXCHANGE), ENOENT);
	LT_ERRNO("renameat2_both_flags",
		 renameat2_("n3", "n4",
			    LT_RENAME_EXCHANGE | LT_RENAME_NOREPLACE),
		 EINVAL);
	LT_ERRNO("renameat2_bad_flags", renameat2_("n3", "n4", 0x100), EINVAL);

	/* link, symlink, readlink */
	make_file("t", "t");
	LT_EXPECT("link", link("t", "t2"), 0);
	stat("t", &st);
	LT_EXPECT("link_nlink", st.st_nlink, 2);
	LT_EXPECT("link_same_inode", ino_of("t2"), st.st_ino);
	LT_ERRNO("link_exists", link("t", "t2"), EEXIST);
	LT_ERRNO("link_dir", link("n2", "n2link"), EPERM);
	LT_ERRNO("link_missing", link("missing", "t3"), ENOENT);
	unlink("t");
	stat("t2", &st);
	LT_EXPECT("unlink_drops_nlink", st.st_nlink, 1);

	LT_EXPECT("symlink", symlink("some/target", "sym"), 0);
	memset(buf, 'z', sizeof(buf));
	LT_EXPECT("readlink", readlink("sym", buf, sizeof(buf)), 11);
	LT_CHECK("readlink_no_nul", memcmp(buf, "some/targetz", 12) == 0);
	LT_EXPECT("readlink_truncates", readlink("sym", buf, 4), 4);
	LT_ERRNO("readlink_not_link", readlink("t2", buf, sizeof(buf)),
		 EINVAL);
	LT_ERRNO("readlink_zero_size", syscall(SYS_readlink, "sym", buf, 0),
		 EINVAL);
	LT_ERRNO("readlink_missing", readlink("missing", buf, sizeof(buf)),
		 ENOENT);
	LT_ERRNO("readlink_bad_buffer",
		 syscall(SYS_readlink, "sym", LT_KERNEL_PTR, 64), EFAULT);
	LT_ERRNO("symlink_exists", symlink("x", "sym"), EEXIST);
	LT_ERRNO("symlink_empty_target", symlink("", "sym2"), ENOENT);
	symlink("n2", "dirlink");
	LT_EXPECT("path_through_dir_symlink", mkdir("dirlink/in", 0755), 0);
	LT_EXPECT("dir_symlink_target_has_it", access("n2/in", F_OK), 0);
	lstat("dirlink/", &st);
	LT_CHECK("lstat_trailing_slash_follows", S_ISDIR(st.st_mode));
	LT_EXPECT("unlink_symlink_not_target", unlink("dirlink"), 0);
	LT_EXPECT("target_survives", access("n2/in", F_OK), 0);
}

/* ---- attributes ---- */

static void case_attributes(void)
{
	struct timespec ts[2] = { { 1000, 500 }, { 2000, 600 } };
	struct timespec before, after;
	struct stat st;
	int fd;
	bool root = getuid() == 0;

	make_file("m", "mode");
	LT_EXPECT("chmod", chmod("m", 04751), 0);
	stat("m", &st);
	LT_EXPECT("chmod_mode", st.st_mode, S_IFREG | 04751);
	fd = open("m", O_RDONLY);
	LT_EXPECT("fchmod", fchmod(fd, 0600), 0);
	fstat(fd, &st);
	LT_EXPECT("fchmod_mode", st.st_mode, S_IFREG | 0600);
	LT_EXPECT("fchmodat", fchmodat(AT_FDCWD, "m", 0644, 0), 0);
	LT_ERRNO("chmod_missing", chmod("missing", 0644), ENOENT);
	LT_ERRNO("fchmod_bad_fd", fchmod(1000, 0644), EBADF);

	symlink("m", "ml");
	if (root) {
		LT_EXPECT("chown", chown("m", 1000, 1001), 0);
		stat("m", &st);
		LT_CHECK("chown_ids", st.st_uid == 1000 && st.st_gid == 1001);
		LT_EXPECT("chown_keep", chown("m", -1, -1), 0);
		stat("m", &st);
		LT_CHECK("chown_minus_one_keeps",
			 st.st_uid == 1000 && st.st_gid == 1001);
		LT_EXPECT("lchown", lchown("ml", 2000, 2001), 0);
		lstat("ml", &st);
		LT_CHECK("lchown_link", st.st_uid == 2000);
		stat("ml", &st);
		LT_CHECK("lchown_not_target", st.st_uid == 1000);
		LT_EXPECT("fchown", fchown(fd, 0, 0), 0);
		fstat(fd, &st);
		LT_CHECK("fchown_ids", st.st_uid == 0 && st.st_gid == 0);
		chmod("m", 06755);
		chown("m", 0, 0);
		stat("m", &st);
		LT_EXPECT("chown_clears_setid", st.st_mode & 07777, 0755);
	}
	LT_ERRNO("chown_missing", chown("missing", 0, 0), ENOENT);
	LT_ERRNO("fchownat_bad_flags", fchownat(AT_FDCWD, "m", 0, 0, 0x4),
		 EINVAL);

	LT_EXPECT("utimensat", utimensat(AT_FDCWD, "m", ts, 0), 0);
	stat("m", &st);
	LT_CHECK("utimensat_times",
		 st.st_atim.tv_sec == 1000 && st.st_atim.tv_nsec == 500 &&
			 st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 600);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	clock_gettime(CLOCK_REALTIME, &before);
	LT_EXPECT("utimensat_now_omit", utimensat(AT_FDCWD, "m", ts, 0), 0);
	clock_gettime(CLOCK_REALTIME, &after);
	stat("m", &st);
	LT_CHECK("utime_omit_keeps", st.st_atim.tv_sec == 1000);
	LT_CHECK("utime_now_sets", st.st_mtim.tv_sec >= before.tv_sec - 1 &&
					   st.st_mtim.tv_sec <= after.tv_sec + 1);
	LT_CHECK("utime_changes_ctime", st.st_ctim.tv_sec >= before.tv_sec - 1);
	ts[0] = (struct timespec){ 3000, 0 };
	ts[1] = (struct timespec){ 4000, 0 };
	LT_EXPECT("utimensat_nofollow",
		  utimensat(AT_FDCWD, "ml", ts, AT_SYMLINK_NOFOLLOW), 0);
	lstat("ml", &st);
	LT_EXPECT("utimensat_nofollow_link", st.st_mtim.tv_sec, 4000);
	stat("m", &st);
	LT_CHECK("utimensat_nofollow_not_target", st.st_mtim.tv_sec != 4000);
	LT_EXPECT("futimens", futimens(fd, ts), 0);
	fstat(fd, &st);
	LT_EXPECT("futimens_time", st.st_mtim.tv_sec, 4000);
	ts[0].tv_nsec = 1000000000;
	LT_ERRNO("utimensat_bad_nsec", utimensat(AT_FDCWD, "m", ts, 0), EINVAL);
	ts[0].tv_nsec = 0;
	LT_ERRNO("utimensat_bad_flags", utimensat(AT_FDCWD, "m", ts, 0x4),
		 EINVAL);
	LT_ERRNO("utimensat_missing", utimensat(AT_FDCWD, "missing", ts, 0),
		 ENOENT);
	LT_ERRNO("utimensat_bad_times",
		 syscall(SYS_utimensat, AT_FDCWD, "m", LT_KERNEL_PTR, 0),
		 EFAULT);

	chmod("m", 0444);
	LT_EXPECT("access_f_ok", access("m", F_OK), 0);
	LT_EXPECT("access_r_ok", access("m", R_OK), 0);
	if (root) {
		LT_EXPECT("access_root_writes_read_only", access("m", W_OK), 0);
	} else {
		LT_ERRNO("access_w_read_only", access("m", W_OK), EACCES);
	}
	LT_ERRNO("access_x_no_x_bit", access("m", X_OK), EACCES);
	chmod("m", 0744);
	LT_EXPECT("access_x_owner_bit", access("m", X_OK), 0);
	LT_ERRNO("access_missing", access("missing", F_OK), ENOENT);
	LT_ERRNO("access_bad_mode", access("m", 8), EINVAL);
	LT_EXPECT("faccessat_eaccess",
		  faccessat(AT_FDCWD, "m", R_OK, AT_EACCESS), 0);
	LT_ERRNO("faccessat_bad_flags", faccessat(AT_FDCWD, "m", R_OK, 0x4),
		 EINVAL);
	LT_ERRNO("access_through_file", access("m/x", F_OK), ENOTDIR);
	close(fd);
}

static void case_truncate(void)
{
	char buf[16];
	struct stat st;
	int fd, p[2];

	make_file("tr", "0123456789");
	LT_EXPECT("truncate_shrink", truncate("tr", 4), 0);
	stat("tr", &st);
	LT_EXPECT("truncate_size", st.st_size, 4);
	LT_EXPECT("truncate_grow", truncate("tr", 8), 0);
	fd = open("tr", O_RDWR);
	LT_EXPECT("truncate_grow_read", read(fd, buf, sizeof(buf)), 8);
	LT_CHECK("truncate_grow_zeros",
		 memcmp(buf, "0123\0\0\0\0", 8) == 0);
	LT_EXPECT("ftruncate", ftruncate(fd, 2), 0);
	LT_EXPECT("ftruncate_keeps_offset", lseek(fd, 0, SEEK_CUR), 8);
	LT_EXPECT("write_after_truncate_makes_hole", write(fd, "x", 1), 1);
	fstat(fd, &st);
	LT_EXPECT("ftruncate_size", st.st_size, 9);
	LT_ERRNO("ftruncate_negative", ftruncate(fd, -1), EINVAL);
	LT_ERRNO("truncate_negative", truncate("tr", -1), EINVAL);
	close(fd);
	fd = open("tr", O_RDONLY);
	LT_ERRNO("ftruncate_read_only", ftruncate(fd, 0), EINVAL);
	close(fd);
	mkdir("trd", 0755);
	LT_ERRNO("truncate_dir", truncate("trd", 0), EISDIR);
	LT_ERRNO("truncate_missing", truncate("missing", 0), ENOENT);
	pipe(p);
	LT_ERRNO("ftruncate_pipe", ftruncate(p[1], 0), EINVAL);
	LT_ERRNO("ftruncate_bad_fd", ftruncate(1000, 0), EBADF);
	fd = open("tr", O_RDWR | O_APPEND);
	LT_EXPECT("ftruncate_o_append", ftruncate(fd, 1), 0);
	close(fd);
}

static void case_cwd(void)
{
	char buf[PATH_MAX], want[PATH_MAX];
	int fd, dfd;
	pid_t pid;

	LT_CHECK("getcwd_tmpdir",
		 getcwd(buf, sizeof(buf)) && strcmp(buf, lt_tmpdir) == 0);
	mkdir("c", 0755);
	mkdir("c/d", 0755);
	LT_EXPECT("chdir", chdir("c"), 0);
	snprintf(want, sizeof(want), "%s/c", lt_tmpdir);
	LT_CHECK("getcwd_after_chdir",
		 getcwd(buf, sizeof(buf)) && strcmp(buf, want) == 0);
	make_file("rel", "r");
	LT_EXPECT("relative_after_chdir", access("../c/rel", F_OK), 0);
	LT_EXPECT("chdir_dotdot", chdir(".."), 0);
	dfd = open("c/d", O_RDONLY | O_DIRECTORY);
	LT_EXPECT("fchdir", fchdir(dfd), 0);
	snprintf(want, sizeof(want), "%s/c/d", lt_tmpdir);
	LT_CHECK("getcwd_after_fchdir",
		 getcwd(buf, sizeof(buf)) && strcmp(buf, want) == 0);
	LT_ERRNO("getcwd_small_buffer", syscall(SYS_getcwd, buf, 4), ERANGE);
	LT_ERRNO("getcwd_raw_size_zero", syscall(SYS_getcwd, buf, 0), ERANGE);
	LT_ERRNO("getcwd_bad_buffer",
		 syscall(SYS_getcwd, LT_KERNEL_PTR, sizeof(buf)), EFAULT);
	LT_EXPECT("getcwd_raw_length", syscall(SYS_getcwd, buf, sizeof(buf)),
		  strlen(want) + 1);
	LT_ERRNO("chdir_file", chdir("../rel"), ENOTDIR);
	LT_ERRNO("chdir_missing", chdir("missing"), ENOENT);
	fd = open("../rel", O_RDONLY);
	LT_ERRNO("fchdir_file", fchdir(fd), ENOTDIR);
	LT_ERRNO("fchdir_bad_fd", fchdir(1000), EBADF);
	close(fd);

	pid = fork();
	if (pid == 0) {
		_exit(chdir("/") == 0 ? 0 : 1);
	}
	lt_wait(pid);
	LT_CHECK("chdir_in_child_not_parent",
		 getcwd(buf, sizeof(buf)) && strcmp(buf, want) == 0);

	/* the working directory removed under us */
	LT_EXPECT("rmdir_cwd", rmdir(want), 0);
	LT_ERRNO("getcwd_removed", syscall(SYS_getcwd, buf, sizeof(buf)),
		 ENOENT);
	LT_ERRNO("create_in_removed_cwd", open("x", O_CREAT | O_RDWR, 0644),
		 ENOENT);
	LT_EXPECT("chdir_out_of_removed", chdir(lt_tmpdir), 0);
	close(dfd);
}

/* ---- descriptors ---- */

static void case_dup_fcntl(void)
{
	int fd = open("du", O_RDWR | O_CREAT | O_TRUNC, 0644), d, fl, p[2];
	char c;

	int lowest = lowest_free_fd();

	d = dup(fd);
	LT_EXPECT("dup_lowest", d, lowest);
	write(fd, "abc", 3);
	LT_EXPECT("dup_shares_offset", lseek(d, 0, SEEK_CUR), 3);
	fcntl(fd, F_SETFL, O_APPEND);
	LT_CHECK("dup_shares_status_flags",
		 (fcntl(d, F_GETFL) & O_APPEND) != 0);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	LT_EXPECT("dup_fd_flags_separate", fcntl(d, F_GETFD), 0);
	close(d);

	LT_EXPECT("dup2_same", dup2(fd, fd), fd);
	LT_EXPECT("dup2_same_keeps_cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	LT_EXPECT("dup2", dup2(fd, 20), 20);
	LT_EXPECT("dup2_clears_cloexec", fcntl(20, F_GETFD), 0);
	d = open("/dev/null", O_RDONLY);
	LT_EXPECT("dup2_over_open_fd", dup2(fd, d), d);
	LT_EXPECT("dup2_replaced", lseek(d, 0, SEEK_CUR), 3);
	close(d);
	LT_ERRNO("dup2_bad_old", dup2(1000, 21), EBADF);
	LT_ERRNO("dup2_negative_new", dup2(fd, -1), EBADF);
	LT_ERRNO("dup2_same_bad", dup2(1000, 1000), EBADF);
	/* raw: musl's dup3 works around some flags itself */
	LT_ERRNO("dup3_same", syscall(SYS_dup3, fd, fd, 0), EINVAL);
	LT_ERRNO("dup3_bad_flags", syscall(SYS_dup3, fd, 21, O_NONBLOCK),
		 EINVAL);
	LT_EXPECT("dup3_cloexec", dup3(fd, 21, O_CLOEXEC), 21);
	LT_EXPECT("dup3_sets_cloexec", fcntl(21, F_GETFD), FD_CLOEXEC);

	LT_EXPECT("f_dupfd_min", fcntl(fd, F_DUPFD, 30), 30);
	LT_EXPECT("f_dupfd_next", fcntl(fd, F_DUPFD, 30), 31);
	LT_EXPECT("f_dupfd_cloexec", fcntl(fd, F_DUPFD_CLOEXEC, 40), 40);
	LT_EXPECT("f_dupfd_cloexec_flag", fcntl(40, F_GETFD), FD_CLOEXEC);
	LT_ERRNO("f_dupfd_negative", fcntl(fd, F_DUPFD, -1), EINVAL);
	LT_EXPECT("f_setfd", fcntl(30, F_SETFD, FD_CLOEXEC), 0);
	LT_EXPECT("f_getfd", fcntl(30, F_GETFD), FD_CLOEXEC);

	fl = fcntl(fd, F_GETFL);
	LT_EXPECT("f_getfl", fl & ~0100000 /* O_LARGEFILE */,
		  O_RDWR | O_APPEND);
	LT_EXPECT("f_setfl_clear", fcntl(fd, F_SETFL, 0), 0);
	LT_EXPECT("f_setfl_keeps_access_mode", fcntl(fd, F_GETFL) & O_ACCMODE,
		  O_RDWR);
	fcntl(fd, F_SETFL, O_WRONLY | O_NONBLOCK);
	fl = fcntl(fd, F_GETFL);
	LT_CHECK("f_setfl_ignores_access_mode",
		 (fl & O_ACCMODE) == O_RDWR && (fl & O_NONBLOCK));
	LT_ERRNO("fcntl_bad_cmd", fcntl(fd, 9999), EINVAL);
	LT_ERRNO("fcntl_bad_fd", fcntl(1000, F_GETFD), EBADF);

	pipe(p);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	LT_ERRNO("f_setfl_nonblock_read", read(p[0], &c, 1), EAGAIN);
	fcntl(p[0], F_SETFL, 0);
	LT_EXPECT("f_setfl_blocking_again", fcntl(p[0], F_GETFL) & O_NONBLOCK,
		  0);
	close(fd);
}

static void case_pipes(void)
{
	static char big[1 << 16];
	int p[2], n, total = 0, avail = -1;
	char buf[PIPE_BUF + 1];
	pid_t pid;

	LT_EXPECT("pipe2_nonblock", pipe2(p, O_NONBLOCK), 0);
	LT_ERRNO("pipe_empty_eagain", read(p[0], buf, 1), EAGAIN);
	LT_EXPECT("fionread_empty", ioctl(p[0], FIONREAD, &avail), 0);
	LT_EXPECT("fionread_zero", avail, 0);
	write(p[1], "hello", 5);
	ioctl(p[0], FIONREAD, &avail);
	LT_EXPECT("fionread_count", avail, 5);
	read(p[0], buf, 5);
	/* full pages: the pipe is full when no page has room */
	while ((n = (int)write(p[1], big, 4096)) > 0) {
		total += n;
	}
	LT_ERRNO("pipe_full_eagain", write(p[1], big, 1), EAGAIN);
	LT_CHECK("pipe_capacity", total >= 4096 && total % 4096 == 0);
	ioctl(p[0], FIONREAD, &avail);
	LT_EXPECT("fionread_full", avail, total);
	/* PIPE_BUF bytes go in whole or not at all */
	read(p[0], buf, 100);
	LT_ERRNO("pipe_buf_atomic_eagain", write(p[1], buf, PIPE_BUF), EAGAIN);
	close(p[0]);
	close(p[1]);

	pipe2(p, O_CLOEXEC);
	LT_EXPECT("pipe2_cloexec_both", fcntl(p[1], F_GETFD), FD_CLOEXEC);
	write(p[1], "ab", 2);
	close(p[1]);
	LT_EXPECT("pipe_data_before_eof", read(p[0], buf, sizeof(buf)), 2);
	LT_EXPECT("pipe_eof", read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	LT_ERRNO("pipe2_bad_flags", pipe2(p, O_APPEND), EINVAL);
	LT_ERRNO("pipe2_bad_pointer", pipe2(LT_KERNEL_PTR, 0), EFAULT);

	/* writers of PIPE_BUF records never interleave */
	pipe(p);
	for (int w = 0; w < 3; w++) {
		if (fork() == 0) {
			char rec[PIPE_BUF];

			close(p[0]);
			memset(rec, 'A' + w, sizeof(rec));
			for (int i = 0; i < 20; i++) {
				write(p[1], rec, sizeof(rec));
			}
			_exit(0);
		}
	}
	close(p[1]);
	{
		int records = 0, torn = 0, got = 0;

		while ((n = (int)read(p[0], buf + got, PIPE_BUF - got)) > 0) {
			got += n;
			if (got < PIPE_BUF) {
				continue;
			}
			for (int i = 1; i < PIPE_BUF; i++) {
				if (buf[i] != buf[0]) {
					torn++;
					break;
				}
			}
			records++;
			got = 0;
		}
		LT_EXPECT("pipe_buf_records", records, 60);
		LT_EXPECT("pipe_buf_not_torn", torn, 0);
	}
	close(p[0]);
	while (wait(NULL) > 0) {
	}

	/* a big transfer through a blocking pipe */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (int i = 0; i < 16; i++) {
			memset(big, i, sizeof(big));
			write(p[1], big, sizeof(big));
		}
		_exit(0);
	}
	close(p[1]);
	{
		long sum = 0, count = 0;
		unsigned char ub[4096];

		while ((n = (int)read(p[0], ub, sizeof(ub))) > 0) {
			for (int i = 0; i < n; i++) {
				sum += ub[i];
			}
			count += n;
		}
		LT_EXPECT("pipe_1m_count", count, 16l << 16);
		LT_EXPECT("pipe_1m_sum", sum, 120l << 16);
	}
	close(p[0]);
	lt_wait(pid);
	signal(SIGPIPE, SIG_IGN);
	pipe(p);
	close(p[0]);
	LT_ERRNO("pipe_no_reader_epipe", write(p[1], "x", 1), EPIPE);
	close(p[1]);
}

static void case_fifo(void)
{
	struct stat st;
	char buf[8];
	int fd, wfd;
	pid_t pid;

	LT_EXPECT("mkfifo", mkfifo("ff", 0644), 0);
	stat("ff", &st);
	LT_CHECK("fifo_type", S_ISFIFO(st.st_mode));
	LT_ERRNO("mkfifo_exists", mkfifo("ff", 0644), EEXIST);
	LT_EXPECT("mknod_fifo", mknod("ff2", S_IFIFO | 0600, 0), 0);
	LT_ERRNO("open_fifo_write_nonblock_no_reader",
		 open("ff", O_WRONLY | O_NONBLOCK), ENXIO);
	fd = open("ff", O_RDONLY | O_NONBLOCK);
	LT_CHECK("open_fifo_read_nonblock", fd >= 0);
	LT_EXPECT("fifo_read_no_writer", read(fd, buf, 1), 0);
	wfd = open("ff", O_WRONLY | O_NONBLOCK);
	LT_CHECK("open_fifo_write_with_reader", wfd >= 0);
	LT_ERRNO("fifo_read_empty_with_writer", read(fd, buf, 1), EAGAIN);
	LT_ERRNO("lseek_fifo", lseek(fd, 0, SEEK_SET), ESPIPE);
	close(wfd);
	close(fd);
	fd = open("ff", O_RDWR);
	LT_CHECK("open_fifo_rdwr_does_not_block", fd >= 0);
	close(fd);

	/* a blocking open waits for the other end */
	pid = fork();
	if (pid == 0) {
		int w;

		lt_msleep(30);
		w = open("ff", O_WRONLY);
		write(w, "hi", 2);
		_exit(0);
	}
	fd = open("ff", O_RDONLY);
	LT_CHECK("fifo_blocking_open", fd >= 0);
	LT_EXPECT("fifo_read", read(fd, buf, sizeof(buf)), 2);
	LT_EXPECT("fifo_eof_after_writer", read(fd, buf, sizeof(buf)), 0);
	close(fd);
	lt_wait(pid);
}

static void case_devices(void)
{
	unsigned char buf[256], buf2[256];
	struct stat st;
	bool zero = true, same = true, nonzero = false;
	int fd;

	fd = open("/dev/null", O_RDWR);
	LT_EXPECT("dev_null_read", read(fd, buf, sizeof(buf)), 0);
	LT_EXPECT("dev_null_write", write(fd, buf, sizeof(buf)), sizeof(buf));
	LT_EXPECT("dev_null_lseek", lseek(fd, 100, SEEK_SET), 0);
	fstat(fd, &st);
	LT_CHECK("dev_null_rdev",
		 S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
	close(fd);

	fd = open("/dev/zero", O_RDWR);
	memset(buf, 1, sizeof(buf));
	LT_EXPECT("dev_zero_read", read(fd, buf, sizeof(buf)), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++) {
		zero &= buf[i] == 0;
	}
	LT_CHECK("dev_zero_zeros", zero);
	LT_EXPECT("dev_zero_write", write(fd, buf, 10), 10);
	fstat(fd, &st);
	LT_CHECK("dev_zero_rdev", st.st_rdev == makedev(1, 5));
	close(fd);

	fd = open("/dev/full", O_RDWR);
	LT_ERRNO("dev_full_write", write(fd, buf, 1), ENOSPC);
	LT_EXPECT("dev_full_read", read(fd, buf, 16), 16);
	fstat(fd, &st);
	LT_CHECK("dev_full_rdev", st.st_rdev == makedev(1, 7));
	close(fd);

	fd = open("/dev/urandom", O_RDONLY);
	LT_EXPECT("dev_urandom_read", read(fd, buf, sizeof(buf)), sizeof(buf));
	read(fd, buf2, sizeof(buf2));
	for (size_t i = 0; i < sizeof(buf); i++) {
		nonzero |= buf[i] != 0;
		same &= buf[i] == buf2[i];
	}
	LT_CHECK("dev_urandom_not_zero", nonzero);
	LT_CHECK("dev_urandom_differs", !same);
	fstat(fd, &st);
	LT_CHECK("dev_urandom_rdev", st.st_rdev == makedev(1, 9));
	LT_ERRNO("dev_urandom_bad_buffer", read(fd, LT_KERNEL_PTR, 16),
		 EFAULT);
	close(fd);
	LT_ERRNO("dev_missing", open("/dev/lt-missing", O_RDONLY), ENOENT);
}

int main(void)
{
	if (!lt_tmpdir_enter()) {
		return lt_done();
	}
	LT_CASE(case_open_flags);
	LT_CASE(case_read_write);
	LT_CASE(case_partial_write);
	LT_CASE(case_lseek);
	LT_CASE(case_stat);
	LT_CASE(case_getdents);
	LT_CASE(case_dir_calls);
	LT_CASE(case_attributes);
	LT_CASE(case_truncate);
	LT_CASE(case_cwd);
	LT_CASE(case_dup_fcntl);
	LT_CASE(case_pipes);
	LT_CASE(case_fifo);
	LT_CASE(case_devices);
	lt_tmpdir_leave();
	return lt_done();
}
