/*
 * Records of program images for /proc (execinfo.h).
 */
#include "execinfo.h"

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <base/string.h>
#include <linux_abi/errno.h>

#include "proc.h"

int execinfo_pack(char *const v[], size_t max, char **out, size_t *len)
{
	size_t total = 0;
	char *buf;

	*out = NULL;
	*len = 0;
	for (size_t i = 0; v && v[i] && total < max; i++) {
		total += strnlen(v[i], max - total) + 1;
	}
	if (total > max) {
		total = max;
	}
	if (total == 0) {
		return 0;
	}
	buf = malloc(total);
	if (!buf) {
		return -LINUX_ENOMEM;
	}
	for (size_t i = 0, at = 0; v[i] && at < total; i++) {
		size_t n = strnlen(v[i], total - at);

		memcpy(buf + at, v[i], n);
		at += n;
		if (at < total) {
			buf[at++] = '\0';
		}
	}
	*out = buf;
	*len = total;
	return 0;
}

struct execinfo *execinfo_create(struct lproc *p, const char *path,
				 char *const argv[], char *const envp[])
{
	struct vfs_ctx ctx = {
		.root = &p->root, .cwd = &p->cwd, .umask = p->umask,
		.proc = p,
		.cred = { .uid = p->euid, .gid = p->egid, .ruid = p->uid,
			  .rgid = p->gid },
	};
	struct execinfo *info = calloc(1, sizeof(*info));
	size_t n = strlen(path) + 1;

	if (!info) {
		return NULL;
	}
	info->refs = 1;
	info->path = malloc(n);
	if (!info->path ||
	    execinfo_pack(argv, EXECINFO_STRINGS_MAX, &info->args,
			  &info->args_len) < 0 ||
	    execinfo_pack(envp, EXECINFO_STRINGS_MAX, &info->env,
			  &info->env_len) < 0) {
		execinfo_put(info);
		return NULL;
	}
	memcpy(info->path, path, n);
	/* Before the VFS has a root the program came from the initrd. A
	 * failed lookup leaves exe cleared. */
	if (p->root.inode) {
		vfs_lookup(&ctx, NULL, path, VFS_LOOKUP_FOLLOW, &info->exe);
	}
	return info;
}

struct execinfo *execinfo_get(struct execinfo *info)
{
	if (info) {
		info->refs++;
	}
	return info;
}

void execinfo_put(struct execinfo *info)
{
	if (!info || --info->refs > 0) {
		return;
	}
	vfs_path_put(&info->exe);
	free(info->path);
	free(info->args);
	free(info->env);
	free(info);
}
