/*
 * Linux directory entries as getdents64(2) returns them, and the d_type
 * values. Written from the getdents(2) man page.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;		/* the offset of the next entry */
	uint16_t d_reclen;	/* this record's length, a multiple of 8 */
	uint8_t d_type;
	char d_name[];		/* NUL-terminated */
};
_Static_assert(offsetof(struct linux_dirent64, d_name) == 19,
	       "struct linux_dirent64 layout");

#define LINUX_DT_UNKNOWN 0
#define LINUX_DT_FIFO 1
#define LINUX_DT_CHR 2
#define LINUX_DT_DIR 4
#define LINUX_DT_BLK 6
#define LINUX_DT_REG 8
#define LINUX_DT_LNK 10
#define LINUX_DT_SOCK 12

/* d_type from the file type bits of a mode (as Linux derives it). */
#define LINUX_DT_FROM_MODE(m) ((uint8_t)(((m) >> 12) & 15))
