/*
 * Linux x86_64 file status: struct stat as stat(2)/fstat(2)/newfstatat(2)
 * fill it, struct statx (statx(2)), the file type and permission bits of
 * st_mode, device number encoding and the utimensat(2) special values.
 * Written from the stat(2), statx(2), inode(7) and makedev(3) man pages.
 */
#pragma once

#include <stdint.h>

/* File types (st_mode & LINUX_S_IFMT). */
#define LINUX_S_IFMT 0170000
#define LINUX_S_IFSOCK 0140000
#define LINUX_S_IFLNK 0120000
#define LINUX_S_IFREG 0100000
#define LINUX_S_IFBLK 0060000
#define LINUX_S_IFDIR 0040000
#define LINUX_S_IFCHR 0020000
#define LINUX_S_IFIFO 0010000
/* Set-user-id, set-group-id, sticky. */
#define LINUX_S_ISUID 04000
#define LINUX_S_ISGID 02000
#define LINUX_S_ISVTX 01000
#define LINUX_S_IRWXU 00700
#define LINUX_S_IRWXG 00070
#define LINUX_S_IRWXO 00007
#define LINUX_S_IXGRP 00010
#define LINUX_S_IXUGO 00111

#define LINUX_S_ISREG(m) (((m) & LINUX_S_IFMT) == LINUX_S_IFREG)
#define LINUX_S_ISDIR(m) (((m) & LINUX_S_IFMT) == LINUX_S_IFDIR)
#define LINUX_S_ISLNK(m) (((m) & LINUX_S_IFMT) == LINUX_S_IFLNK)
#define LINUX_S_ISCHR(m) (((m) & LINUX_S_IFMT) == LINUX_S_IFCHR)
#define LINUX_S_ISBLK(m) (((m) & LINUX_S_IFMT) == LINUX_S_IFBLK)
#define LINUX_S_ISFIFO(m) (((m) & LINUX_S_IFMT) == LINUX_S_IFIFO)
#define LINUX_S_ISSOCK(m) (((m) & LINUX_S_IFMT) == LINUX_S_IFSOCK)

/*
 * Device numbers as user space sees them in st_dev/st_rdev (glibc's and
 * musl's makedev): 12 bits of major and 20 of minor, split so that small
 * numbers keep the old 8:8 layout.
 */
#define LINUX_MAKEDEV(ma, mi)                                               \
	((((uint64_t)(ma) & 0xfffff000ull) << 32) |                         \
	 (((uint64_t)(ma) & 0xfffull) << 8) |                                \
	 (((uint64_t)(mi) & 0xffffff00ull) << 12) | ((uint64_t)(mi) & 0xffull))
#define LINUX_MAJOR(dev)                                                    \
	((uint32_t)((((uint64_t)(dev) >> 32) & 0xfffff000u) |                \
		    (((uint64_t)(dev) >> 8) & 0xfffu)))
#define LINUX_MINOR(dev)                                                    \
	((uint32_t)((((uint64_t)(dev) >> 12) & 0xffffff00u) |                \
		    ((uint64_t)(dev) & 0xffu)))

/* struct stat on x86_64 (the kernel's, which glibc and musl use as is). */
struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;		/* 512-byte units */
	uint64_t st_atime_sec;
	uint64_t st_atime_nsec;
	uint64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	uint64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "struct stat layout");

/* statx(2) mask bits: what the caller wants, what was filled. */
#define LINUX_STATX_TYPE 0x0001u
#define LINUX_STATX_MODE 0x0002u
#define LINUX_STATX_NLINK 0x0004u
#define LINUX_STATX_UID 0x0008u
#define LINUX_STATX_GID 0x0010u
#define LINUX_STATX_ATIME 0x0020u
#define LINUX_STATX_MTIME 0x0040u
#define LINUX_STATX_CTIME 0x0080u
#define LINUX_STATX_INO 0x0100u
#define LINUX_STATX_SIZE 0x0200u
#define LINUX_STATX_BLOCKS 0x0400u
#define LINUX_STATX_BASIC_STATS 0x07ffu
#define LINUX_STATX_BTIME 0x0800u
#define LINUX_STATX_MNT_ID 0x1000u
#define LINUX_STATX__RESERVED 0x80000000u

struct linux_statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct linux_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t pad1;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct linux_statx_timestamp stx_atime;
	struct linux_statx_timestamp stx_btime;
	struct linux_statx_timestamp stx_ctime;
	struct linux_statx_timestamp stx_mtime;
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint64_t stx_mnt_id;
	uint64_t spare[13];
};
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx layout");

/* utimensat(2): tv_nsec values that mean "now" and "leave alone". */
#define LINUX_UTIME_NOW ((1l << 30) - 1l)
#define LINUX_UTIME_OMIT ((1l << 30) - 2l)
