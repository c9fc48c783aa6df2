/*
 * The Linux ABI definitions in abi/linux_abi/ (stat.h, fcntl.h, dirent.h,
 * statfs.h, mount.h) against the host's own C library headers: this host
 * is x86_64 Linux, so every flag value, struct size and field offset the
 * posix server hands to programs must match glibc's view exactly.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux_abi/dirent.h>
#include <linux_abi/fcntl.h>
#include <linux_abi/mount.h>
#include <linux_abi/stat.h>
#include <linux_abi/statfs.h>

#include "check.h"

#define SAME_FIELD(ours, theirs, f1, f2)                                    \
	do {                                                                \
		CHECK_EQ(offsetof(ours, f1), offsetof(theirs, f2));         \
		CHECK_EQ(sizeof(((ours *)0)->f1), sizeof(((theirs *)0)->f2)); \
	} while (0)

TEST(abi_open_and_at_flags)
{
	CHECK_EQ(LINUX_O_ACCMODE, O_ACCMODE);
	CHECK_EQ(LINUX_O_RDONLY, O_RDONLY);
	CHECK_EQ(LINUX_O_WRONLY, O_WRONLY);
	CHECK_EQ(LINUX_O_RDWR, O_RDWR);
	CHECK_EQ(LINUX_O_CREAT, O_CREAT);
	CHECK_EQ(LINUX_O_EXCL, O_EXCL);
	CHECK_EQ(LINUX_O_NOCTTY, O_NOCTTY);
	CHECK_EQ(LINUX_O_TRUNC, O_TRUNC);
	CHECK_EQ(LINUX_O_APPEND, O_APPEND);
	CHECK_EQ(LINUX_O_NONBLOCK, O_NONBLOCK);
	CHECK_EQ(LINUX_O_DSYNC, O_DSYNC);
	CHECK_EQ(LINUX_O_ASYNC, O_ASYNC);
	CHECK_EQ(LINUX_O_DIRECT, O_DIRECT);
	CHECK_EQ(LINUX_O_DIRECTORY, O_DIRECTORY);
	CHECK_EQ(LINUX_O_NOFOLLOW, O_NOFOLLOW);
	CHECK_EQ(LINUX_O_NOATIME, O_NOATIME);
	CHECK_EQ(LINUX_O_CLOEXEC, O_CLOEXEC);
	CHECK_EQ(LINUX_O_SYNC, O_SYNC);
	CHECK_EQ(LINUX_O_PATH, O_PATH);
	CHECK_EQ(LINUX_O_TMPFILE, O_TMPFILE);
	/* glibc hides O_LARGEFILE on 64-bit (it is 0 there); the kernel's
	 * value is what programs calling open directly pass. */
	CHECK_EQ(LINUX_O_LARGEFILE, 0100000);
	CHECK_EQ(LINUX_AT_FDCWD, AT_FDCWD);
	CHECK_EQ(LINUX_AT_SYMLINK_NOFOLLOW, AT_SYMLINK_NOFOLLOW);
	CHECK_EQ(LINUX_AT_EACCESS, AT_EACCESS);
	CHECK_EQ(LINUX_AT_REMOVEDIR, AT_REMOVEDIR);
	CHECK_EQ(LINUX_AT_SYMLINK_FOLLOW, AT_SYMLINK_FOLLOW);
	CHECK_EQ(LINUX_AT_NO_AUTOMOUNT, AT_NO_AUTOMOUNT);
	CHECK_EQ(LINUX_AT_EMPTY_PATH, AT_EMPTY_PATH);
	CHECK_EQ(LINUX_AT_STATX_SYNC_TYPE, AT_STATX_SYNC_TYPE);
	CHECK_EQ(LINUX_SEEK_SET, SEEK_SET);
	CHECK_EQ(LINUX_SEEK_CUR, SEEK_CUR);
	CHECK_EQ(LINUX_SEEK_END, SEEK_END);
	CHECK_EQ(LINUX_SEEK_DATA, SEEK_DATA);
	CHECK_EQ(LINUX_SEEK_HOLE, SEEK_HOLE);
	CHECK_EQ(LINUX_F_OK, F_OK);
	CHECK_EQ(LINUX_R_OK, R_OK);
	CHECK_EQ(LINUX_W_OK, W_OK);
	CHECK_EQ(LINUX_X_OK, X_OK);
	CHECK_EQ(LINUX_RENAME_NOREPLACE, RENAME_NOREPLACE);
	CHECK_EQ(LINUX_RENAME_EXCHANGE, RENAME_EXCHANGE);
	CHECK_EQ(LINUX_RENAME_WHITEOUT, RENAME_WHITEOUT);
}

TEST(abi_stat)
{
	CHECK_EQ(LINUX_S_IFMT, S_IFMT);
	CHECK_EQ(LINUX_S_IFSOCK, S_IFSOCK);
	CHECK_EQ(LINUX_S_IFLNK, S_IFLNK);
	CHECK_EQ(LINUX_S_IFREG, S_IFREG);
	CHECK_EQ(LINUX_S_IFBLK, S_IFBLK);
	CHECK_EQ(LINUX_S_IFDIR, S_IFDIR);
	CHECK_EQ(LINUX_S_IFCHR, S_IFCHR);
	CHECK_EQ(LINUX_S_IFIFO, S_IFIFO);
	CHECK_EQ(LINUX_S_ISUID, S_ISUID);
	CHECK_EQ(LINUX_S_ISGID, S_ISGID);
	CHECK_EQ(LINUX_S_ISVTX, S_ISVTX);
	CHECK_EQ(sizeof(struct linux_stat), sizeof(struct stat));
	SAME_FIELD(struct linux_stat, struct stat, st_dev, st_dev);
	SAME_FIELD(struct linux_stat, struct stat, st_ino, st_ino);
	SAME_FIELD(struct linux_stat, struct stat, st_nlink, st_nlink);
	SAME_FIELD(struct linux_stat, struct stat, st_mode, st_mode);
	SAME_FIELD(struct linux_stat, struct stat, st_uid, st_uid);
	SAME_FIELD(struct linux_stat, struct stat, st_gid, st_gid);
	SAME_FIELD(struct linux_stat, struct stat, st_rdev, st_rdev);
	SAME_FIELD(struct linux_stat, struct stat, st_size, st_size);
	SAME_FIELD(struct linux_stat, struct stat, st_blksize, st_blksize);
	SAME_FIELD(struct linux_stat, struct stat, st_blocks, st_blocks);
	SAME_FIELD(struct linux_stat, struct stat, st_atime_sec,
		   st_atim.tv_sec);
	SAME_FIELD(struct linux_stat, struct stat, st_atime_nsec,
		   st_atim.tv_nsec);
	SAME_FIELD(struct linux_stat, struct stat, st_mtime_sec,
		   st_mtim.tv_sec);
	SAME_FIELD(struct linux_stat, struct stat, st_mtime_nsec,
		   st_mtim.tv_nsec);
	SAME_FIELD(struct linux_stat, struct stat, st_ctime_sec,
		   st_ctim.tv_sec);
	SAME_FIELD(struct linux_stat, struct stat, st_ctime_nsec,
		   st_ctim.tv_nsec);
	/* Device numbers as glibc encodes them, big ones too. */
	CHECK_EQ(LINUX_MAKEDEV(1, 3), makedev(1, 3));
	CHECK_EQ(LINUX_MAKEDEV(0xabcde, 0x123456),
		 makedev(0xabcde, 0x123456));
	CHECK_EQ(LINUX_MAJOR(makedev(0xabcde, 0x123456)), 0xabcde);
	CHECK_EQ(LINUX_MINOR(makedev(0xabcde, 0x123456)), 0x123456);
	CHECK_EQ(LINUX_MAJOR(makedev(4, 64)), major(makedev(4, 64)));
	CHECK_EQ(LINUX_MINOR(makedev(4, 64)), minor(makedev(4, 64)));
	CHECK_EQ(LINUX_UTIME_NOW, UTIME_NOW);
	CHECK_EQ(LINUX_UTIME_OMIT, UTIME_OMIT);
}

TEST(abi_statx)
{
	CHECK_EQ(sizeof(struct linux_statx), sizeof(struct statx));
	SAME_FIELD(struct linux_statx, struct statx, stx_mask, stx_mask);
	SAME_FIELD(struct linux_statx, struct statx, stx_blksize,
		   stx_blksize);
	SAME_FIELD(struct linux_statx, struct statx, stx_attributes,
		   stx_attributes);
	SAME_FIELD(struct linux_statx, struct statx, stx_nlink, stx_nlink);
	SAME_FIELD(struct linux_statx, struct statx, stx_uid, stx_uid);
	SAME_FIELD(struct linux_statx, struct statx, stx_gid, stx_gid);
	SAME_FIELD(struct linux_statx, struct statx, stx_mode, stx_mode);
	SAME_FIELD(struct linux_statx, struct statx, stx_ino, stx_ino);
	SAME_FIELD(struct linux_statx, struct statx, stx_size, stx_size);
	SAME_FIELD(struct linux_statx, struct statx, stx_blocks, stx_blocks);
	SAME_FIELD(struct linux_statx, struct statx, stx_attributes_mask,
		   stx_attributes_mask);
	SAME_FIELD(struct linux_statx, struct statx, stx_atime, stx_atime);
	SAME_FIELD(struct linux_statx, struct statx, stx_btime, stx_btime);
	SAME_FIELD(struct linux_statx, struct statx, stx_ctime, stx_ctime);
	SAME_FIELD(struct linux_statx, struct statx, stx_mtime, stx_mtime);
	SAME_FIELD(struct linux_statx, struct statx, stx_atime.tv_nsec,
		   stx_atime.tv_nsec);
	SAME_FIELD(struct linux_statx, struct statx, stx_rdev_major,
		   stx_rdev_major);
	SAME_FIELD(struct linux_statx, struct statx, stx_rdev_minor,
		   stx_rdev_minor);
	SAME_FIELD(struct linux_statx, struct statx, stx_dev_major,
		   stx_dev_major);
	SAME_FIELD(struct linux_statx, struct statx, stx_dev_minor,
		   stx_dev_minor);
	CHECK_EQ(LINUX_STATX_TYPE, STATX_TYPE);
	CHECK_EQ(LINUX_STATX_MODE, STATX_MODE);
	CHECK_EQ(LINUX_STATX_NLINK, STATX_NLINK);
	CHECK_EQ(LINUX_STATX_UID, STATX_UID);
	CHECK_EQ(LINUX_STATX_GID, STATX_GID);
	CHECK_EQ(LINUX_STATX_ATIME, STATX_ATIME);
	CHECK_EQ(LINUX_STATX_MTIME, STATX_MTIME);
	CHECK_EQ(LINUX_STATX_CTIME, STATX_CTIME);
	CHECK_EQ(LINUX_STATX_INO, STATX_INO);
	CHECK_EQ(LINUX_STATX_SIZE, STATX_SIZE);
	CHECK_EQ(LINUX_STATX_BLOCKS, STATX_BLOCKS);
	CHECK_EQ(LINUX_STATX_BASIC_STATS, STATX_BASIC_STATS);
	CHECK_EQ(LINUX_STATX_BTIME, STATX_BTIME);
	CHECK_EQ(LINUX_STATX__RESERVED, STATX__RESERVED);
}

TEST(abi_dirent_statfs_mount)
{
	SAME_FIELD(struct linux_dirent64, struct dirent64, d_ino, d_ino);
	SAME_FIELD(struct linux_dirent64, struct dirent64, d_off, d_off);
	SAME_FIELD(struct linux_dirent64, struct dirent64, d_reclen,
		   d_reclen);
	SAME_FIELD(struct linux_dirent64, struct dirent64, d_type, d_type);
	CHECK_EQ(offsetof(struct linux_dirent64, d_name),
		 offsetof(struct dirent64, d_name));
	CHECK_EQ(LINUX_DT_UNKNOWN, DT_UNKNOWN);
	CHECK_EQ(LINUX_DT_FIFO, DT_FIFO);
	CHECK_EQ(LINUX_DT_CHR, DT_CHR);
	CHECK_EQ(LINUX_DT_DIR, DT_DIR);
	CHECK_EQ(LINUX_DT_BLK, DT_BLK);
	CHECK_EQ(LINUX_DT_REG, DT_REG);
	CHECK_EQ(LINUX_DT_LNK, DT_LNK);
	CHECK_EQ(LINUX_DT_SOCK, DT_SOCK);
	CHECK_EQ(LINUX_DT_FROM_MODE(S_IFLNK | 0777), DT_LNK);
	CHECK_EQ(LINUX_DT_FROM_MODE(S_IFSOCK), DT_SOCK);
	CHECK_EQ(sizeof(struct linux_statfs), sizeof(struct statfs));
	SAME_FIELD(struct linux_statfs, struct statfs, f_type, f_type);
	SAME_FIELD(struct linux_statfs, struct statfs, f_bsize, f_bsize);
	SAME_FIELD(struct linux_statfs, struct statfs, f_blocks, f_blocks);
	SAME_FIELD(struct linux_statfs, struct statfs, f_bfree, f_bfree);
	SAME_FIELD(struct linux_statfs, struct statfs, f_bavail, f_bavail);
	SAME_FIELD(struct linux_statfs, struct statfs, f_files, f_files);
	SAME_FIELD(struct linux_statfs, struct statfs, f_ffree, f_ffree);
	SAME_FIELD(struct linux_statfs, struct statfs, f_fsid, f_fsid);
	SAME_FIELD(struct linux_statfs, struct statfs, f_namelen, f_namelen);
	SAME_FIELD(struct linux_statfs, struct statfs, f_frsize, f_frsize);
	SAME_FIELD(struct linux_statfs, struct statfs, f_flags, f_flags);
	CHECK_EQ(LINUX_ST_RDONLY, ST_RDONLY);
	CHECK_EQ(LINUX_ST_NOSUID, ST_NOSUID);
	CHECK_EQ(LINUX_ST_NODEV, ST_NODEV);
	CHECK_EQ(LINUX_ST_NOEXEC, ST_NOEXEC);
	CHECK_EQ(LINUX_MS_RDONLY, MS_RDONLY);
	CHECK_EQ(LINUX_MS_NOSUID, MS_NOSUID);
	CHECK_EQ(LINUX_MS_NODEV, MS_NODEV);
	CHECK_EQ(LINUX_MS_NOEXEC, MS_NOEXEC);
	CHECK_EQ(LINUX_MS_REMOUNT, MS_REMOUNT);
	CHECK_EQ(LINUX_MS_NOSYMFOLLOW, MS_NOSYMFOLLOW);
	CHECK_EQ(LINUX_MS_NOATIME, MS_NOATIME);
	CHECK_EQ(LINUX_MS_NODIRATIME, MS_NODIRATIME);
	CHECK_EQ(LINUX_MS_BIND, MS_BIND);
	CHECK_EQ(LINUX_MS_MOVE, MS_MOVE);
	CHECK_EQ(LINUX_MS_REC, MS_REC);
	CHECK_EQ(LINUX_MS_RELATIME, MS_RELATIME);
	CHECK_EQ(LINUX_MS_MGC_VAL, MS_MGC_VAL);
	CHECK_EQ(LINUX_MNT_FORCE, MNT_FORCE);
	CHECK_EQ(LINUX_MNT_DETACH, MNT_DETACH);
	CHECK_EQ(LINUX_MNT_EXPIRE, MNT_EXPIRE);
	CHECK_EQ(LINUX_UMOUNT_NOFOLLOW, UMOUNT_NOFOLLOW);
}

int main(void)
{
	RUN(abi_open_and_at_flags);
	RUN(abi_stat);
	RUN(abi_statx);
	RUN(abi_dirent_statfs_mount);
	return check_done();
}
