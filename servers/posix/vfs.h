/*
 * The virtual file system of the posix server: inodes, file systems
 * (superblocks), the mount tree, the path walk and the operations the
 * Linux system call layer calls, shaped like the *at() system calls.
 *
 * Objects and their lifetimes:
 *   struct inode      one file of one file system. @refs counts in-memory
 *                     users (walks, open files, cwds); @nlink counts names.
 *                     When both are zero the file system frees it (its
 *                     drop op). A file system may keep linked inodes with
 *                     no references (tmpfs keeps them all).
 *   struct vfs_sb     one instance of a file system. Each mount holds a
 *                     reference; the last put destroys the instance.
 *   struct vfs_mount  a file system (or a part of one) attached at a
 *                     directory of another mount. @refs counts the
 *                     vfs_paths naming it (cwds, roots, open files, walks
 *                     under way); an attached mount lives while attached,
 *                     a detached one until its last reference.
 *   struct vfs_path   a (mount, inode) pair with a reference on each: where
 *                     a walk stands, a process's root and cwd, an open
 *                     file's location.
 *
 * There is no dentry cache: file systems answer lookups from their own
 * directory structures, directories know their parent (".." is a lookup)
 * and a file system that can name an inode's parent (parent_name) lets
 * vfs_path_name() build paths for getcwd and /proc.
 *
 * The server is single-threaded (fibers switch only where they wait), so
 * nothing here locks; a file system operation that waits (a remote file
 * system) must leave its objects consistent before it does, and the
 * references a walk holds keep what it stands on alive.
 *
 * Results are >= 0 or a negated Linux errno (abi/linux_abi/errno.h), with the
 * errors Linux gives for the same call, in Linux's order of checks.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <base/list.h>
#include <linux_abi/dirent.h>
#include <linux_abi/fcntl.h>
#include <linux_abi/stat.h>
#include <linux_abi/statfs.h>

struct file;
struct lproc;
struct inode;
struct vfs_sb;
struct vfs_mount;

/* Same layout as struct timespec (x86_64), so arrays of them can be
 * copied from a program's utimensat() argument directly. */
struct vfs_timespec {
	int64_t sec;
	int64_t nsec;
};

/* The most symlinks one walk follows, as Linux (ELOOP beyond). */
#define VFS_MAX_LINKS 40
#define VFS_PATH_MAX LINUX_PATH_MAX
#define VFS_NAME_MAX LINUX_NAME_MAX
/* Preferred I/O size reported by stat. */
#define VFS_BLKSIZE 4096

/* Who asks: the credentials permission checks use. */
struct vfs_cred {
	uint32_t uid, gid;		/* file-system (effective) ids */
	uint32_t ruid, rgid;		/* real ids: faccessat without
					 * AT_EACCESS */
	const uint32_t *groups;		/* supplementary groups */
	unsigned ngroups;
};

/*
 * The calling process's view, built by the caller for each call; the vfs
 * takes no references on what it points to, so it must outlive the call.
 */
struct vfs_ctx {
	const struct vfs_path *root;	/* "/" and where ".." stops */
	const struct vfs_path *cwd;	/* relative paths, AT_FDCWD */
	struct vfs_cred cred;
	uint32_t umask;
	struct lproc *proc;		/* handed to device and fifo opens */
};

struct vfs_path {
	struct vfs_mount *mnt;
	struct inode *inode;
};

/* setattr requests (struct vfs_attr.valid). */
#define VFS_ATTR_MODE 0x01u	/* permission bits (type bits kept) */
#define VFS_ATTR_UID 0x02u
#define VFS_ATTR_GID 0x04u
#define VFS_ATTR_SIZE 0x08u	/* truncate or extend */
#define VFS_ATTR_ATIME 0x10u
#define VFS_ATTR_MTIME 0x20u
#define VFS_ATTR_CTIME 0x40u

struct vfs_attr {
	unsigned valid;
	uint32_t mode, uid, gid;
	uint64_t size;
	struct vfs_timespec atime, mtime, ctime;
};

/*
 * Receives one directory entry from a readdir op; @next is the position
 * that resumes after it. Returns 0 to go on, nonzero when the entry did
 * not fit (it is then not consumed and readdir stops).
 */
typedef int (*vfs_filldir_fn)(void *ctx, const char *name, size_t len,
			      uint64_t ino, unsigned type, uint64_t next);

/*
 * What a file system implements for its inodes. The vfs has checked,
 * before calling: that @dir is a directory, the caller's permissions,
 * that @name is a valid name (1..NAME_MAX bytes, no '/', not "." or "..")
 * that does not exist yet (create, mkdir, symlink, link), and the Linux
 * rules on types; the op does the change, keeps nlink, size, blocks and
 * the times (vfs_now) up to date, and may still fail (ENOSPC, ENOMEM,
 * ENOTEMPTY). Ops left NULL give EPERM for changes, EINVAL for readlink,
 * ENOTDIR for lookup and readdir, EINVAL for read/write.
 * Inodes given out (lookup, create, ...) carry a new reference.
 */
struct inode_ops {
	/* @name may be "..": the parent (the directory itself at the file
	 * system's root). ENOENT when absent. */
	int (*lookup)(struct inode *dir, const char *name, size_t len,
		      struct inode **out);
	/* A regular file, fifo, socket or device node (@mode has the type;
	 * @rdev for devices). */
	int (*create)(struct inode *dir, const char *name, size_t len,
		      uint32_t mode, uint64_t rdev, uint32_t uid, uint32_t gid,
		      struct inode **out);
	int (*mkdir)(struct inode *dir, const char *name, size_t len,
		     uint32_t mode, uint32_t uid, uint32_t gid,
		     struct inode **out);
	int (*symlink)(struct inode *dir, const char *name, size_t len,
		       const char *target, uint32_t uid, uint32_t gid,
		       struct inode **out);
	/* Adds @name for @inode (not a directory) in @dir. */
	int (*link)(struct inode *dir, const char *name, size_t len,
		    struct inode *inode);
	/* Removes the name of a non-directory. */
	int (*unlink)(struct inode *dir, const char *name, size_t len);
	/* Removes an empty directory (ENOTEMPTY otherwise). */
	int (*rmdir)(struct inode *dir, const char *name, size_t len);
	/* Moves @oname of @odir to @nname of @ndir, replacing what is there
	 * (already checked compatible; a directory replaced must be empty,
	 * ENOTEMPTY) or, with LINUX_RENAME_EXCHANGE, swapping the two. */
	int (*rename)(struct inode *odir, const char *oname, size_t olen,
		      struct inode *ndir, const char *nname, size_t nlen,
		      unsigned flags);
	/* Copies up to @cap bytes of the target (no NUL); returns the
	 * length copied. */
	int64_t (*readlink)(struct inode *inode, char *buf, size_t cap);
	/* A "magic" link (/proc/<pid>/fd/N, exe, cwd): following it goes
	 * to this location (new references) instead of walking the text
	 * readlink gives, as Linux's proc links do. @mnt is the mount the
	 * link was found in. Optional. */
	int (*get_link)(struct inode *inode, struct vfs_mount *mnt,
			struct vfs_path *out);
	int (*setattr)(struct inode *inode, const struct vfs_attr *attr);
	/* Data at byte @off; returns bytes moved (0 at or past the end). */
	int64_t (*read)(struct inode *inode, void *buf, size_t len,
			uint64_t off);
	int64_t (*write)(struct inode *inode, const void *buf, size_t len,
			 uint64_t off);
	/* The first data (or hole, @hole) offset >= @off < size; NULL: all
	 * data up to the size. */
	int64_t (*seek_data)(struct inode *inode, uint64_t off, bool hole);
	/* Entries from position *@pos on ("." is 0, ".." 1); advances *@pos
	 * past what @fill accepted. */
	int (*readdir)(struct inode *dir, uint64_t *pos, vfs_filldir_fn fill,
		       void *ctx);
	/* A directory holding a name of @inode and that name (copied into
	 * @name, at most @cap bytes); returns the name length. Once
	 * unlinked: its last name and directory (for " (deleted)" paths),
	 * or ENOENT. Optional (vfs_path_name() needs it). */
	int (*parent_name)(struct inode *inode, struct inode **parent,
			   char *name, size_t cap);
	/* Called by vfs_open() on a new file of this inode (may set its
	 * ops and priv). Optional. */
	int (*open)(struct inode *inode, struct file *f);
	/* The last reference went; free the inode if nlink is 0. */
	void (*drop)(struct inode *inode);
};

struct inode {
	uint64_t ino;
	uint32_t mode;			/* LINUX_S_IF* type | permissions */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;
	uint64_t blocks;		/* 512-byte units */
	uint64_t rdev;			/* device nodes (LINUX_MAKEDEV) */
	struct vfs_timespec atime, mtime, ctime, btime;
	unsigned refs;
	unsigned mounts;		/* mounts with this as mountpoint */
	struct vfs_sb *sb;
	const struct inode_ops *ops;
	/* For regular files: the file ops opens use (NULL: the vfs's own
	 * over read/write). */
	const struct file_ops *fops;
	void *priv;			/* the file system's */
	void *special;			/* a fifo's pipe, set by its opener */
};

struct vfs_sb_ops {
	int (*statfs)(struct vfs_sb *sb, struct linux_statfs *out);
	/* The last reference went: free every inode and the sb. */
	void (*destroy)(struct vfs_sb *sb);
};

struct vfs_sb {
	const struct vfs_sb_ops *ops;
	struct inode *root;		/* referenced */
	uint64_t dev;			/* st_dev */
	unsigned refs;
	void *priv;
};

struct vfs_mount {
	struct list_node link;		/* the mount list, in mount order */
	struct vfs_mount *parent;	/* NULL: the tree's root or detached */
	struct inode *mountpoint;	/* in @parent, referenced */
	struct inode *root;		/* referenced */
	struct vfs_sb *sb;		/* referenced */
	unsigned refs;
	bool attached;
	unsigned long flags;		/* LINUX_MS_RDONLY, NOSUID, NODEV,
					 * NOEXEC, NOATIME */
	uint64_t id;			/* statx stx_mnt_id, mountinfo */
	char *source;			/* mount(2)'s source, for /proc */
	const char *type;		/* file system type name */
};

/* A file system type mount(2) can name. */
struct vfs_fstype {
	const char *name;
	bool nodev;			/* "nodev" in /proc/filesystems */
	/* A new (or shared) instance with one reference for the caller. */
	int (*mount)(const char *source, unsigned long flags,
		     const char *data, struct vfs_sb **out);
	struct vfs_fstype *next;
};

/* Hooks the server sets (host tests set fakes); NULL members are fine. */
struct vfs_hooks {
	/* The realtime clock for timestamps (NULL: always 0). */
	void (*now)(struct vfs_timespec *out);
	/* Opens a character or block device node: makes a file with the
	 * device's ops; vfs_open() then sets its inode and mount. */
	int (*open_dev)(struct lproc *caller, struct inode *inode,
			unsigned flags, struct file **out);
	/* Opens a fifo (may wait for the other end, as Linux does). */
	int (*open_fifo)(struct lproc *caller, struct inode *inode,
			 unsigned flags, struct file **out);
	/* An inode with a non-NULL @special is being freed (called from
	 * vfs_inode_fini). */
	void (*release_special)(struct inode *inode);
};

void vfs_set_hooks(const struct vfs_hooks *hooks);
const struct vfs_hooks *vfs_get_hooks(void);
/* The current time from the clock hook. */
struct vfs_timespec vfs_now(void);

/* ---- inodes, superblocks, paths (file systems and the server) ---- */

/* Fills the common fields of a new inode (refs 1, nlink 1 (2 for
 * directories), times now, sb's device); the caller sets ino and owner. */
void vfs_inode_init(struct inode *inode, struct vfs_sb *sb,
		    const struct inode_ops *ops, uint32_t mode);
/* A file system frees @inode: lets the fifo code release what it keeps
 * in inode->special. */
void vfs_inode_fini(struct inode *inode);
void vfs_inode_get(struct inode *inode);
/* Drops a reference; the last one calls ops->drop. NULL is fine. */
void vfs_inode_put(struct inode *inode);

/* Fills a new superblock (one reference, an anonymous device number);
 * @root carries the reference the sb keeps. */
void vfs_sb_init(struct vfs_sb *sb, const struct vfs_sb_ops *ops,
		 struct inode *root);
void vfs_sb_get(struct vfs_sb *sb);
void vfs_sb_put(struct vfs_sb *sb);

void vfs_path_get(const struct vfs_path *p);
/* Drops both references and clears @p; a cleared path is fine. */
void vfs_path_put(struct vfs_path *p);
/* Copies @src into @dst with new references. */
void vfs_path_copy(struct vfs_path *dst, const struct vfs_path *src);
static inline bool vfs_path_equal(const struct vfs_path *a,
				  const struct vfs_path *b)
{
	return a->mnt == b->mnt && a->inode == b->inode;
}

/* ---- permissions ---- */

#define VFS_MAY_EXEC 1u
#define VFS_MAY_WRITE 2u
#define VFS_MAY_READ 4u

/* Whether @cred may access @inode as @mask (VFS_MAY_*): owner, group and
 * other bits, uid 0 bypassing them as Linux's capabilities do (execute
 * still needs an x bit on non-directories). 0 or -EACCES. */
int vfs_permission(const struct vfs_cred *cred, const struct inode *inode,
		   unsigned mask);
bool vfs_cred_in_group(const struct vfs_cred *cred, uint32_t gid);

/* ---- file system types and mounts ---- */

/* Adds @t (static storage) to the types mount(2) knows. EEXIST. */
int vfs_fstype_register(struct vfs_fstype *t);
struct vfs_fstype *vfs_fstype_find(const char *name);
/* The list, for /proc/filesystems. */
struct vfs_fstype *vfs_fstype_first(void);

/*
 * Makes @sb (whose reference this takes over, also on failure) the root
 * of a new mount tree; *@root gets a path to it for the first process's
 * root and cwd. ENOMEM.
 */
int vfs_mount_root(struct vfs_sb *sb, const char *source, const char *type,
		   struct vfs_path *root);
/* Detaches a whole tree (its root mount and every mount under it); each
 * is freed with its last reference. For shutdown and tests. */
void vfs_mount_tree_detach(struct vfs_mount *root);
/*
 * Attaches @sb (its reference taken over, also on failure) at the
 * directory @target names, above whatever is mounted there. EPERM
 * (caller not root), walk errors, ENOTDIR, ENOENT (deleted target),
 * ENOMEM.
 */
int vfs_mount_sb(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		 const char *target, struct vfs_sb *sb, const char *source,
		 const char *type, unsigned long flags);
/*
 * mount(2): a new instance of file system @type (its fstype's mount with
 * @source and @data), LINUX_MS_BIND (@source is a path whose subtree is
 * attached again) or LINUX_MS_REMOUNT (new LINUX_MS_RDONLY/NOSUID/NODEV/
 * NOEXEC/NOATIME flags on the mount at @target). EPERM, ENODEV (unknown
 * type), EINVAL (MS_MOVE, remount of a non-mount), ENOTDIR, walk errors.
 */
int vfs_mount(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	      const char *source, const char *target, const char *type,
	      unsigned long flags, const char *data);
/*
 * umount2(2): detaches the mount whose root @target names. EPERM (not
 * root), EINVAL (not a mount root, the tree's root, bad flags), EBUSY
 * (open files, cwds or mounts inside, unless LINUX_MNT_DETACH, which
 * detaches it and its submounts now and frees each with its last user).
 */
int vfs_umount(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	       const char *target, int flags);
/* Iterates attached mounts in mount order (NULL starts; NULL at the
 * end). */
struct vfs_mount *vfs_mount_next(struct vfs_mount *prev);
void vfs_mount_get(struct vfs_mount *m);
void vfs_mount_put(struct vfs_mount *m);

/* ---- the path walk ---- */

#define VFS_LOOKUP_FOLLOW 0x1u		/* follow a symlink at the end */
#define VFS_LOOKUP_DIRECTORY 0x2u	/* the result must be a directory */
#define VFS_LOOKUP_EMPTY 0x4u		/* "" names @dir itself */

/*
 * Resolves @path from @dir (NULL: the cwd; ignored for absolute paths)
 * into *@out (new references). ENOENT, ENOTDIR, EACCES (search
 * permission), ENAMETOOLONG, ELOOP.
 */
int vfs_lookup(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	       const char *path, unsigned flags, struct vfs_path *out);
/*
 * The path of @p as seen from @root into @buf (NUL-terminated); returns
 * its length. "(unreachable)" prefixes a path outside @root. ERANGE
 * (@size too small), ENOENT (@p or a directory above it unlinked; with
 * @deleted_ok the last name is still used, then " (deleted)" is
 * appended), EOPNOTSUPP (a file system cannot name its inodes).
 */
int vfs_path_name(const struct vfs_path *root, const struct vfs_path *p,
		  bool deleted_ok, char *buf, size_t size);
/* getcwd(2) into @buf: the length with the NUL, ERANGE, ENOENT. */
int vfs_getcwd(const struct vfs_ctx *ctx, char *buf, size_t size);
/* chdir(2)/chroot(2) target: a directory with search permission into
 * *@out. ENOTDIR, EACCES, walk errors. */
int vfs_lookup_dir(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		   const char *path, struct vfs_path *out);

/* ---- the system calls (dir NULL: AT_FDCWD; flags as Linux's) ---- */

/*
 * openat(2): *@out gets a new file (one reference) with its inode and
 * mount set. O_CREAT (@mode & ~umask), O_EXCL, O_TRUNC, O_APPEND,
 * O_DIRECTORY, O_NOFOLLOW, O_PATH; devices and fifos open through the
 * hooks. EEXIST, EISDIR, ENOTDIR, ELOOP, EACCES, EROFS, EINVAL
 * (O_CREAT|O_DIRECTORY), EOPNOTSUPP (O_TMPFILE), ENXIO (no device or a
 * socket), ENOSPC, walk errors.
 */
int vfs_open(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	     const char *path, unsigned flags, uint32_t mode,
	     struct file **out);
/* newfstatat(2): AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, AT_NO_AUTOMOUNT. */
int vfs_stat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	     const char *path, int flags, struct linux_stat *out);
/* statx(2): flags as vfs_stat plus AT_STATX_*; @mask is advisory
 * (EINVAL with LINUX_STATX__RESERVED). */
int vfs_statx(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	      const char *path, int flags, unsigned mask,
	      struct linux_statx *out);
/* fstat/statx of an open file's location. */
void vfs_getattr(const struct vfs_path *p, struct linux_stat *out);
void vfs_getattr_x(const struct vfs_path *p, struct linux_statx *out);
/* statfs(2) / fstatfs(2). */
int vfs_statfs(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	       const char *path, struct linux_statfs *out);
int vfs_statfs_path(const struct vfs_path *p, struct linux_statfs *out);

int vfs_mkdirat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		const char *path, uint32_t mode);
/* mknodat(2): regular files, fifos, sockets; devices for root only. */
int vfs_mknodat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		const char *path, uint32_t mode, uint64_t dev);
/* unlinkat(2) (LINUX_AT_REMOVEDIR: rmdir). */
int vfs_unlinkat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		 const char *path, int flags);
/* renameat2(2): LINUX_RENAME_NOREPLACE, LINUX_RENAME_EXCHANGE. */
int vfs_renameat2(const struct vfs_ctx *ctx, const struct vfs_path *odir,
		  const char *opath, const struct vfs_path *ndir,
		  const char *npath, unsigned flags);
/* linkat(2): AT_SYMLINK_FOLLOW, AT_EMPTY_PATH. */
int vfs_linkat(const struct vfs_ctx *ctx, const struct vfs_path *odir,
	       const char *opath, const struct vfs_path *ndir,
	       const char *npath, int flags);
int vfs_symlinkat(const struct vfs_ctx *ctx, const char *target,
		  const struct vfs_path *dir, const char *path);
/* readlinkat(2): bytes copied (no NUL). EINVAL (not a symlink, @size 0). */
int64_t vfs_readlinkat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		       const char *path, char *buf, size_t size);
/* fchmodat2(2) (flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH). */
int vfs_fchmodat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		 const char *path, uint32_t mode, int flags);
/* fchownat(2); (uint32_t)-1 leaves an id alone. */
int vfs_fchownat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		 const char *path, uint32_t uid, uint32_t gid, int flags);
/* utimensat(2): @times NULL means both now; LINUX_UTIME_NOW/OMIT. */
int vfs_utimensat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		  const char *path, const struct vfs_timespec *times,
		  int flags);
/* faccessat2(2): @mode LINUX_R_OK|W_OK|X_OK or F_OK; AT_EACCESS,
 * AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. */
int vfs_faccessat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		  const char *path, int mode, int flags);
/* truncate(2). EINVAL (negative length, not a regular file), EISDIR,
 * EACCES, EROFS, EFBIG. */
int vfs_truncate(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		 const char *path, int64_t length);

/* The same on an open file (fchmod, fchown, futimens, ftruncate). */
int vfs_chmod_path(const struct vfs_ctx *ctx, const struct vfs_path *p,
		   uint32_t mode);
int vfs_chown_path(const struct vfs_ctx *ctx, const struct vfs_path *p,
		   uint32_t uid, uint32_t gid);
int vfs_utimens_path(const struct vfs_ctx *ctx, const struct vfs_path *p,
		     const struct vfs_timespec *times);
/* ftruncate(2): EINVAL (not open for writing, not regular, negative),
 * EFBIG. */
int vfs_ftruncate(struct file *f, int64_t length);

/* The location of a file vfs_open() made (mount and inode, no new
 * references); false for other files. */
bool vfs_file_path(const struct file *f, struct vfs_path *out);
/* Whether @f is a directory opened by vfs_open (fchdir). */
bool vfs_file_is_dir(const struct file *f);

/* Largest file size (Linux's MAX_LFS_FILESIZE). */
#define VFS_MAX_FILE_SIZE ((uint64_t)INT64_MAX)
