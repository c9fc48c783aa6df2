/*
 * The path walk: from a start directory (the root for absolute paths)
 * component by component, with search permission checked on every
 * directory walked through (the one holding the last component too),
 * "." and "..", crossing into mounts on the way down and out of them at
 * their roots on the way up, ".." never above the caller's root, and
 * symlinks: always followed in the middle of a path, at the end when
 * asked or when a trailing slash follows. A magic link (get_link) moves
 * the walk straight to its location. A symlink's target is walked
 * from the directory holding the link, recursively, at most
 * VFS_MAX_LINKS links per walk in all (ELOOP); each level keeps its
 * target in a heap buffer so that the recursion is light on a fiber's
 * stack.
 *
 * Also here: vfs_lookup(), vfs_lookup_dir() and the reverse direction,
 * vfs_path_name() (getcwd, /proc links), which climbs through the file
 * systems' parent_name op and the mount tree.
 */
#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <base/string.h>
#include <linux_abi/errno.h>

#include "vfs_impl.h"

int vfs_lookup_name(struct inode *dir, const char *name, size_t len,
		    struct inode **out)
{
	if (len > VFS_NAME_MAX) {
		return -LINUX_ENAMETOOLONG;
	}
	if (!LINUX_S_ISDIR(dir->mode) || !dir->ops->lookup) {
		return -LINUX_ENOTDIR;
	}
	return dir->ops->lookup(dir, name, len, out);
}

int vfs_walk_start(struct vfs_walk *w, const struct vfs_ctx *ctx,
		   const struct vfs_path *dir, const char *path,
		   unsigned flags)
{
	const struct vfs_path *start = dir ? dir : ctx->cwd;

	w->ctx = ctx;
	w->links = 0;
	w->cur.mnt = NULL;
	w->cur.inode = NULL;
	if (strnlen(path, VFS_PATH_MAX) >= VFS_PATH_MAX) {
		return -LINUX_ENAMETOOLONG;
	}
	if (path[0] == '\0' && !(flags & VFS_LOOKUP_EMPTY)) {
		return -LINUX_ENOENT;
	}
	if (path[0] == '/') {
		start = ctx->root;
	} else if (path[0] != '\0' && !LINUX_S_ISDIR(start->inode->mode)) {
		return -LINUX_ENOTDIR;
	}
	vfs_path_copy(&w->cur, start);
	return 0;
}

void vfs_walk_end(struct vfs_walk *w)
{
	vfs_path_put(&w->cur);
}

void vfs_walk_move(struct vfs_walk *w, struct vfs_mount *mnt,
		   struct inode *inode)
{
	struct vfs_path old = w->cur;

	vfs_mount_get(mnt);
	w->cur.mnt = mnt;
	w->cur.inode = inode;
	vfs_path_put(&old);
}

void vfs_walk_cross_mounts(struct vfs_walk *w)
{
	struct vfs_mount *m;

	while ((m = vfs_mount_child(w->cur.mnt, w->cur.inode))) {
		vfs_inode_get(m->root);
		vfs_walk_move(w, m, m->root);
	}
}

/* ".." from where the walk stands. */
static int walk_dotdot(struct vfs_walk *w)
{
	struct inode *parent;
	int err;

	for (;;) {
		struct vfs_mount *m = w->cur.mnt;

		if (vfs_path_equal(&w->cur, w->ctx->root)) {
			return 0;
		}
		if (w->cur.inode != m->root) {
			break;
		}
		if (!m->parent) {
			return 0;	/* the top of a tree (or detached) */
		}
		vfs_inode_get(m->mountpoint);
		vfs_walk_move(w, m->parent, m->mountpoint);
	}
	err = vfs_lookup_name(w->cur.inode, "..", 2, &parent);
	if (err < 0) {
		return err;
	}
	vfs_walk_move(w, w->cur.mnt, parent);
	/* The parent may itself be covered by a mount (we came up from
	 * under it); Linux steps onto the top of the stack. */
	vfs_walk_cross_mounts(w);
	return 0;
}

int vfs_walk_read_link(struct vfs_walk *w, struct inode *link,
		       char **target)
{
	int64_t n;
	char *buf;

	if (++w->links > VFS_MAX_LINKS) {
		return -LINUX_ELOOP;
	}
	if (w->cur.mnt->flags & LINUX_MS_NOSYMFOLLOW) {
		return -LINUX_ELOOP;
	}
	if (!link->ops->readlink) {
		return -LINUX_EINVAL;
	}
	buf = malloc(VFS_PATH_MAX);
	if (!buf) {
		return -LINUX_ENOMEM;
	}
	n = link->ops->readlink(link, buf, VFS_PATH_MAX - 1);
	if (n <= 0) {
		free(buf);
		return n < 0 ? (int)n : -LINUX_ENOENT;
	}
	buf[n] = '\0';
	*target = buf;
	return 0;
}

int vfs_walk_jump(struct vfs_walk *w, struct inode *link)
{
	struct vfs_path to;
	int err;

	if (++w->links > VFS_MAX_LINKS) {
		return -LINUX_ELOOP;
	}
	if (w->cur.mnt->flags & LINUX_MS_NOSYMFOLLOW) {
		return -LINUX_ELOOP;
	}
	err = link->ops->get_link(link, w->cur.mnt, &to);
	if (err < 0) {
		return err;
	}
	vfs_walk_move(w, to.mnt, to.inode);
	vfs_mount_put(to.mnt);
	return 0;
}

/* One component from the directory the walk stands on (searchable). */
static int walk_component(struct vfs_walk *w, const char *name, size_t len,
			  bool follow)
{
	struct inode *child;
	char *target;
	int err;

	if (len == 1 && name[0] == '.') {
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		return walk_dotdot(w);
	}
	err = vfs_lookup_name(w->cur.inode, name, len, &child);
	if (err < 0) {
		return err;
	}
	if (LINUX_S_ISLNK(child->mode) && follow && child->ops->get_link) {
		err = vfs_walk_jump(w, child);
		vfs_inode_put(child);
		return err;
	}
	if (LINUX_S_ISLNK(child->mode) && follow) {
		err = vfs_walk_read_link(w, child, &target);
		vfs_inode_put(child);
		if (err < 0) {
			return err;
		}
		/* From the directory holding the link. */
		err = vfs_walk_path(w, target, VFS_LOOKUP_FOLLOW);
		free(target);
		return err;
	}
	vfs_walk_move(w, w->cur.mnt, child);
	vfs_walk_cross_mounts(w);
	return 0;
}

int vfs_walk_parent(struct vfs_walk *w, const char *path,
		    struct vfs_last *last)
{
	const char *p = path;
	int err;

	if (*p == '/') {
		if (!vfs_path_equal(&w->cur, w->ctx->root)) {
			vfs_inode_get(w->ctx->root->inode);
			vfs_walk_move(w, w->ctx->root->mnt,
				      w->ctx->root->inode);
		}
		while (*p == '/') {
			p++;
		}
		if (*p == '\0') {
			last->name = p;
			last->len = 0;
			last->type = VFS_LAST_ROOT;
			last->slash = false;
			return 0;
		}
	}
	for (;;) {
		const char *name = p;
		size_t len;

		if (!LINUX_S_ISDIR(w->cur.inode->mode)) {
			return -LINUX_ENOTDIR;
		}
		err = vfs_permission(&w->ctx->cred, w->cur.inode, VFS_MAY_EXEC);
		if (err < 0) {
			return err;
		}
		while (*p != '/' && *p != '\0') {
			p++;
		}
		len = (size_t)(p - name);
		last->slash = *p == '/';
		while (*p == '/') {
			p++;
		}
		if (*p == '\0') {
			last->name = name;
			last->len = len;
			if (len == 1 && name[0] == '.') {
				last->type = VFS_LAST_DOT;
			} else if (len == 2 && name[0] == '.' &&
				   name[1] == '.') {
				last->type = VFS_LAST_DOTDOT;
			} else {
				last->type = VFS_LAST_NORM;
			}
			return 0;
		}
		err = walk_component(w, name, len, true);
		if (err < 0) {
			return err;
		}
	}
}

int vfs_walk_last(struct vfs_walk *w, const struct vfs_last *last,
		  unsigned flags)
{
	bool follow = (flags & VFS_LOOKUP_FOLLOW) || last->slash;
	int err = 0;

	switch (last->type) {
	case VFS_LAST_ROOT:
	case VFS_LAST_DOT:
		break;
	case VFS_LAST_DOTDOT:
		err = walk_dotdot(w);
		break;
	case VFS_LAST_NORM:
		err = walk_component(w, last->name, last->len, follow);
		break;
	}
	if (err < 0) {
		return err;
	}
	if ((last->slash || (flags & VFS_LOOKUP_DIRECTORY)) &&
	    !LINUX_S_ISDIR(w->cur.inode->mode)) {
		return -LINUX_ENOTDIR;
	}
	return 0;
}

int vfs_walk_path(struct vfs_walk *w, const char *path, unsigned flags)
{
	struct vfs_last last;
	int err;

	err = vfs_walk_parent(w, path, &last);
	if (err < 0) {
		return err;
	}
	return vfs_walk_last(w, &last, flags);
}

int vfs_lookup(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	       const char *path, unsigned flags, struct vfs_path *out)
{
	struct vfs_walk w;
	int err;

	err = vfs_walk_start(&w, ctx, dir, path, flags);
	if (err < 0) {
		return err;
	}
	if (path[0] != '\0') {
		err = vfs_walk_path(&w, path, flags);
	} else if ((flags & VFS_LOOKUP_DIRECTORY) &&
		   !LINUX_S_ISDIR(w.cur.inode->mode)) {
		err = -LINUX_ENOTDIR;
	}
	if (err < 0) {
		vfs_walk_end(&w);
		return err;
	}
	*out = w.cur;
	return 0;
}

int vfs_lookup_dir(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		   const char *path, struct vfs_path *out)
{
	int err;

	err = vfs_lookup(ctx, dir, path,
			 VFS_LOOKUP_FOLLOW | VFS_LOOKUP_DIRECTORY, out);
	if (err < 0) {
		return err;
	}
	err = vfs_permission(&ctx->cred, out->inode, VFS_MAY_EXEC);
	if (err < 0) {
		vfs_path_put(out);
	}
	return err;
}

/* ---- paths of inodes ---- */

/* Prepends @s (@n bytes) to the text ending at *@end within @buf. */
static int prepend(char *buf, char **end, const char *s, size_t n)
{
	if ((size_t)(*end - buf) < n) {
		return -LINUX_ERANGE;
	}
	*end -= n;
	memcpy(*end, s, n);
	return 0;
}

int vfs_path_name(const struct vfs_path *root, const struct vfs_path *p,
		  bool deleted_ok, char *buf, size_t size)
{
	static const char deleted[] = " (deleted)";
	static const char unreachable[] = "(unreachable)";
	struct vfs_mount *mnt = p->mnt;
	struct inode *inode = p->inode;
	bool any = false, unreach = false;
	char *name, *end;
	int err = 0;
	size_t len;

	if (size == 0) {
		return -LINUX_ERANGE;
	}
	if (inode->nlink == 0 && !deleted_ok) {
		return -LINUX_ENOENT;
	}
	name = malloc(VFS_NAME_MAX + 1);
	if (!name) {
		return -LINUX_ENOMEM;
	}
	/* Built backwards from the end of @buf, then moved to its start. */
	end = buf + size - 1;
	*end = '\0';
	if (inode->nlink == 0) {
		err = prepend(buf, &end, deleted, sizeof(deleted) - 1);
	}
	vfs_inode_get(inode);
	while (err == 0) {
		struct inode *parent;
		int n;

		if (mnt == root->mnt && inode == root->inode) {
			break;
		}
		if (inode == mnt->root) {
			if (!mnt->parent) {
				unreach = true;
				break;
			}
			vfs_inode_put(inode);
			inode = mnt->mountpoint;
			vfs_inode_get(inode);
			mnt = mnt->parent;
			continue;
		}
		if (!inode->ops->parent_name) {
			err = -LINUX_EOPNOTSUPP;
			break;
		}
		n = inode->ops->parent_name(inode, &parent, name,
					    VFS_NAME_MAX + 1);
		if (n < 0) {
			err = n;
			break;
		}
		/* A directory above was removed: no path leads here. */
		if (parent->nlink == 0) {
			vfs_inode_put(parent);
			err = -LINUX_ENOENT;
			break;
		}
		err = prepend(buf, &end, name, (size_t)n);
		if (err == 0) {
			err = prepend(buf, &end, "/", 1);
		}
		any = true;
		vfs_inode_put(inode);
		inode = parent;
	}
	vfs_inode_put(inode);
	free(name);
	if (err == 0 && !any) {
		err = prepend(buf, &end, "/", 1);
	}
	if (err == 0 && unreach) {
		err = prepend(buf, &end, unreachable, sizeof(unreachable) - 1);
	}
	if (err < 0) {
		return err;
	}
	len = (size_t)(buf + size - 1 - end);
	memmove(buf, end, len + 1);
	return (int)len;
}

int vfs_getcwd(const struct vfs_ctx *ctx, char *buf, size_t size)
{
	int n = vfs_path_name(ctx->root, ctx->cwd, false, buf, size);

	return n < 0 ? n : n + 1;
}
