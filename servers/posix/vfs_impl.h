/*
 * Private to the vfs (vfs.c, vfs_walk.c, vfs_ops.c, vfs_file.c): the
 * walk state and the helpers the operations share. Not for file systems
 * or the server, which use vfs.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <linux_abi/mount.h>

#include "vfs.h"

/* The mount flags a mount keeps (the rest of mount(2)'s are requests). */
#define VFS_MOUNT_FLAGS                                                     \
	(LINUX_MS_RDONLY | LINUX_MS_NOSUID | LINUX_MS_NODEV |               \
	 LINUX_MS_NOEXEC | LINUX_MS_NOATIME | LINUX_MS_NODIRATIME |         \
	 LINUX_MS_RELATIME | LINUX_MS_NOSYMFOLLOW)

/* What the last component of a path is. */
enum vfs_last_type {
	VFS_LAST_NORM,
	VFS_LAST_ROOT,		/* the path was "/" (or only slashes) */
	VFS_LAST_DOT,
	VFS_LAST_DOTDOT,
};

struct vfs_last {
	const char *name;
	size_t len;
	enum vfs_last_type type;
	bool slash;		/* trailing slash(es) after it */
};

/* A walk under way: where it stands (references held) and the symlinks
 * followed so far. */
struct vfs_walk {
	const struct vfs_ctx *ctx;
	struct vfs_path cur;
	unsigned links;
};

/* The mount on @mountpoint in @parent, NULL when none. */
struct vfs_mount *vfs_mount_child(const struct vfs_mount *parent,
				  const struct inode *mountpoint);
bool vfs_mount_is_rdonly(const struct vfs_mount *m);

/*
 * Starts a walk of @path at @dir (NULL: the cwd) or the root for an
 * absolute path. ENAMETOOLONG (no NUL within PATH_MAX), ENOENT (empty
 * without VFS_LOOKUP_EMPTY), ENOTDIR (relative from a non-directory).
 * On success the caller ends it with vfs_walk_end().
 */
int vfs_walk_start(struct vfs_walk *w, const struct vfs_ctx *ctx,
		   const struct vfs_path *dir, const char *path,
		   unsigned flags);
void vfs_walk_end(struct vfs_walk *w);
/* Walks all but the last component of @path, which goes into *@last
 * (pointing into @path); w->cur is then its directory, searchable. */
int vfs_walk_parent(struct vfs_walk *w, const char *path,
		    struct vfs_last *last);
/* Steps onto @last from its directory (following a symlink if
 * VFS_LOOKUP_FOLLOW or a trailing slash; VFS_LOOKUP_DIRECTORY). */
int vfs_walk_last(struct vfs_walk *w, const struct vfs_last *last,
		  unsigned flags);
/* The whole of @path from w->cur (or the root). */
int vfs_walk_path(struct vfs_walk *w, const char *path, unsigned flags);
/* Moves the walk onto @inode (its reference taken over) in @mnt. */
void vfs_walk_move(struct vfs_walk *w, struct vfs_mount *mnt,
		   struct inode *inode);
/* Crosses into whatever is mounted where the walk stands. */
void vfs_walk_cross_mounts(struct vfs_walk *w);
/*
 * Counts one more symlink for the walk and reads @link's target into a
 * new buffer (*@target, the caller frees). ELOOP (too many, or a nosymfollow
 * mount), ENOENT (empty), ENOMEM.
 */
int vfs_walk_read_link(struct vfs_walk *w, struct inode *link,
		       char **target);
/* Follows magic link @link (its get_link op): counts one more link and
 * moves the walk to where it stands for. ELOOP, the op's errors. */
int vfs_walk_jump(struct vfs_walk *w, struct inode *link);
/* Looks @name up in @dir through its file system: no permission check,
 * no mount crossing. ENAMETOOLONG, ENOTDIR, ENOENT. */
int vfs_lookup_name(struct inode *dir, const char *name, size_t len,
		    struct inode **out);

/* The file ops of vfs_open()'s regular files, directories and O_PATH. */
extern const struct file_ops vfs_reg_fops;
extern const struct file_ops vfs_dir_fops;
extern const struct file_ops vfs_opath_fops;
/* Changes @inode's attributes through its file system. */
int vfs_setattr(struct inode *inode, const struct vfs_attr *attr);
/* Who changes a file, for the clearing of set-id bits. */
enum vfs_changer {
	VFS_CHANGER_PRIVILEGED,	/* root: CAP_FSETID */
	VFS_CHANGER_IN_GROUP,	/* in the file's group */
	VFS_CHANGER_OUTSIDER,
};

enum vfs_changer vfs_changer_of(const struct vfs_cred *cred,
				const struct inode *inode);
/*
 * A regular file changed (written, truncated) by someone without root's
 * CAP_FSETID loses its set-uid bit and its set-gid bit (unless the
 * set-gid bit has no group execute bit and the changer is in the file's
 * group: then it is a locking mark, not a privilege), as on Linux. Sets
 * the mode of @attr (VFS_ATTR_MODE) when there is something to clear;
 * returns whether it did.
 */
bool vfs_kill_priv(const struct inode *inode, enum vfs_changer who,
		   struct vfs_attr *attr);
/* The priv of a vfs_reg_fops file is the vfs_changer of its opener
 * (writes through it then clear set-id bits: Linux checks the writer at
 * each write, we remember the opener). */
