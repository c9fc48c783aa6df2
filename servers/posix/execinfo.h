/*
 * What a process's last execve leaves for /proc to show: the program
 * file (/proc/<pid>/exe, a reference on the file as Linux keeps one),
 * and copies of its argument and environment strings (cmdline,
 * environ), at most EXECINFO_STRINGS_MAX bytes of each.
 *
 * Linux reads these strings from the process's memory, so a program
 * that rewrites its argv shows the change there; here they are the
 * strings execve was given (after a "#!" line's rewriting).
 *
 * Made by exec_load (exec_result.info), owned by the struct lproc that
 * runs the image; shared, read-only, with the children fork makes.
 */
#pragma once

#include <stddef.h>

#include "vfs.h"

struct lproc;

#define EXECINFO_STRINGS_MAX 4096

struct execinfo {
	unsigned refs;
	char *path;		/* as execve named it: the name exec gives
				 * the program's mappings */
	struct vfs_path exe;	/* referenced; cleared when unknown */
	char *args;		/* argv strings, each with its NUL */
	size_t args_len;
	char *env;		/* envp strings, each with its NUL */
	size_t env_len;
};

/*
 * The record of @p starting program @path (as execve named it, from
 * @p's cwd and root) with @argv and @envp (NULL-terminated). The
 * program is looked up again to name its file (symlinks followed); a
 * file that cannot be found leaves exe cleared. NULL when out of
 * memory: /proc then shows nothing for the image.
 */
struct execinfo *execinfo_create(struct lproc *p, const char *path,
				 char *const argv[], char *const envp[]);
/* Takes a reference; NULL is fine. Returns @info. */
struct execinfo *execinfo_get(struct execinfo *info);
/* Drops a reference; the last frees. NULL is fine. */
void execinfo_put(struct execinfo *info);
/*
 * Copies the strings of @v (NULL-terminated; NULL is none), each with
 * its NUL, into a new buffer of at most @max bytes (the string that
 * reaches the limit is cut there). *@out is NULL when nothing was
 * copied. -LINUX_ENOMEM.
 */
int execinfo_pack(char *const v[], size_t max, char **out, size_t *len);
