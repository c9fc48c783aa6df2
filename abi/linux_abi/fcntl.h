/*
 * Linux x86_64 open(2) flags, the *at(2) flags and dirfd, lseek(2)
 * whences, access(2) modes and renameat2(2) flags. Written from the
 * open(2), openat(2), lseek(2), access(2) and rename(2) man pages.
 */
#pragma once

/* open(2) flags (octal, as the x86_64 ABI numbers them). */
#define LINUX_O_ACCMODE 03
#define LINUX_O_RDONLY 00
#define LINUX_O_WRONLY 01
#define LINUX_O_RDWR 02
#define LINUX_O_CREAT 0100
#define LINUX_O_EXCL 0200
#define LINUX_O_NOCTTY 0400
#define LINUX_O_TRUNC 01000
#define LINUX_O_APPEND 02000
#define LINUX_O_NONBLOCK 04000
#define LINUX_O_DSYNC 010000
#define LINUX_O_ASYNC 020000
#define LINUX_O_DIRECT 040000
#define LINUX_O_LARGEFILE 0100000
#define LINUX_O_DIRECTORY 0200000
#define LINUX_O_NOFOLLOW 0400000
#define LINUX_O_NOATIME 01000000
#define LINUX_O_CLOEXEC 02000000
#define LINUX_O_SYNC 04010000
#define LINUX_O_PATH 010000000
#define LINUX_O_TMPFILE 020200000

/* The dirfd meaning "the current directory". */
#define LINUX_AT_FDCWD (-100)
/* *at(2) flags. AT_EACCESS (faccessat) and AT_REMOVEDIR (unlinkat) share
 * a value; each call knows which it means. */
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_EACCESS 0x200
#define LINUX_AT_REMOVEDIR 0x200
#define LINUX_AT_SYMLINK_FOLLOW 0x400
#define LINUX_AT_NO_AUTOMOUNT 0x800
#define LINUX_AT_EMPTY_PATH 0x1000
#define LINUX_AT_STATX_SYNC_TYPE 0x6000

/* lseek(2) whences. */
#define LINUX_SEEK_SET 0
#define LINUX_SEEK_CUR 1
#define LINUX_SEEK_END 2
#define LINUX_SEEK_DATA 3
#define LINUX_SEEK_HOLE 4

/* access(2) modes. */
#define LINUX_F_OK 0
#define LINUX_X_OK 1
#define LINUX_W_OK 2
#define LINUX_R_OK 4

/* renameat2(2) flags. */
#define LINUX_RENAME_NOREPLACE 1u
#define LINUX_RENAME_EXCHANGE 2u
#define LINUX_RENAME_WHITEOUT 4u

/* Longest path (with its NUL) and file name the kernel accepts. */
#define LINUX_PATH_MAX 4096
#define LINUX_NAME_MAX 255
