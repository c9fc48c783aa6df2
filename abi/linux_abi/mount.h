/*
 * Linux mount(2) and umount2(2) flags. Written from the mount(2) and
 * umount(2) man pages.
 */
#pragma once

#define LINUX_MS_RDONLY 0x0001ul
#define LINUX_MS_NOSUID 0x0002ul
#define LINUX_MS_NODEV 0x0004ul
#define LINUX_MS_NOEXEC 0x0008ul
#define LINUX_MS_SYNCHRONOUS 0x0010ul
#define LINUX_MS_REMOUNT 0x0020ul
#define LINUX_MS_MANDLOCK 0x0040ul
#define LINUX_MS_DIRSYNC 0x0080ul
#define LINUX_MS_NOSYMFOLLOW 0x0100ul
#define LINUX_MS_NOATIME 0x0400ul
#define LINUX_MS_NODIRATIME 0x0800ul
#define LINUX_MS_BIND 0x1000ul
#define LINUX_MS_MOVE 0x2000ul
#define LINUX_MS_REC 0x4000ul
#define LINUX_MS_SILENT 0x8000ul
#define LINUX_MS_RELATIME 0x200000ul
#define LINUX_MS_STRICTATIME 0x1000000ul
/* Old programs put this magic in the top half of the flags. */
#define LINUX_MS_MGC_MSK 0xffff0000ul
#define LINUX_MS_MGC_VAL 0xc0ed0000ul

#define LINUX_MNT_FORCE 1
#define LINUX_MNT_DETACH 2
#define LINUX_MNT_EXPIRE 4
#define LINUX_UMOUNT_NOFOLLOW 8
