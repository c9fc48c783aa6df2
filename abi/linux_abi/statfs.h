/*
 * Linux x86_64 struct statfs (statfs(2), fstatfs(2)) and the f_type magic
 * numbers of the file systems the posix server provides. Written from the
 * statfs(2) man page.
 */
#pragma once

#include <stdint.h>

struct linux_statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;	/* ST_* mount flags */
	int64_t f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "struct statfs layout");

#define LINUX_TMPFS_MAGIC 0x01021994
#define LINUX_PROC_SUPER_MAGIC 0x9fa0
#define LINUX_SYSFS_MAGIC 0x62656572
#define LINUX_DEVPTS_SUPER_MAGIC 0x1cd1

/* f_flags bits. */
#define LINUX_ST_RDONLY 0x0001
#define LINUX_ST_NOSUID 0x0002
#define LINUX_ST_NODEV 0x0004
#define LINUX_ST_NOEXEC 0x0008
#define LINUX_ST_VALID 0x0020
