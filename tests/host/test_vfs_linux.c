/*
 * The vfs against Linux itself: long random sequences of file system
 * calls on random short paths (absolute and relative, ".", "..", doubled
 * and trailing slashes, symlinks among them) run both on a vfs over
 * tmpfs and, through raw system calls, on the host kernel in a fresh
 * directory that the test chroots into (so that "/" and ".." mean the
 * same on both sides). Every result must be the same, error number
 * included, and so must the type, permissions, owner, link count and
 * size of the paths involved after each call. Calls are made as root
 * and as ordinary users (the host side switches its file-system ids and
 * groups, which drops root's file capabilities as Linux does).
 *
 * Needs root on the host (chroot, setfsuid); without it the test says
 * so and runs nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "posix_fixture.h"
#include "rng.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

#define OPS_PER_RUN 40000
#define NAME_LEN 16

/* A system call straight to the host kernel: the result or -errno. */
static long host(long n, long a, long b, long c, long d, long e)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return r;
}

#define HOST(n, a, b, c, d, e)                                              \
	host(SYS_##n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e))

/* Who makes the call. */
enum who { ROOT, USER, OTHER };

static const uint32_t host_groups[] = { 100 };

static void host_become(enum who w)
{
	if (w == ROOT) {
		HOST(setfsuid, 0, 0, 0, 0, 0);
		HOST(setfsgid, 0, 0, 0, 0, 0);
		HOST(setgroups, 0, NULL, 0, 0, 0);
	} else {
		HOST(setgroups, w == USER ? 1 : 0, host_groups, 0, 0, 0);
		HOST(setfsgid, w == USER ? 1000 : 1001, 0, 0, 0, 0);
		HOST(setfsuid, w == USER ? 1000 : 1001, 0, 0, 0, 0);
	}
}

static const char *const frag[] = { "a", "b", "c", "l", "m", "..", ".",
				     "" };

static void random_path(char *out, size_t cap)
{
	size_t n = 0;
	int parts = 1 + (int)(rng() % 3);

	if (rng() % 5 == 0) {
		out[n++] = '/';
	}
	for (int i = 0; i < parts && n + 8 < cap; i++) {
		const char *p = frag[rng() % (sizeof(frag) / sizeof(frag[0]))];

		n += (size_t)snprintf(out + n, cap - n, "%s%s", p,
				      i + 1 < parts || rng() % 6 == 0 ? "/"
								    : "");
	}
	out[n] = '\0';
	if (n == 0) {
		strcpy(out, "a");
	}
}

/* FIFOs on the host are opened with O_NONBLOCK: a reader gets in, a
 * writer without readers gets ENXIO. The vfs's fifo hook does the same. */
static int64_t nop_read(struct file *fl, void *buf, size_t len, uint64_t *p)
{
	return 0;
}

static const struct file_ops fifo_ops = { .read = nop_read };

static int fifo_open(struct lproc *caller, struct inode *inode,
		     unsigned flags, struct file **out)
{
	if ((flags & LINUX_O_ACCMODE) == LINUX_O_WRONLY) {
		return -LINUX_ENXIO;
	}
	*out = file_create(&fifo_ops, flags, NULL);
	return 0;
}

struct call {
	char text[200];
	long mine, theirs;
};

static int mismatches;

static void report(const struct call *c, const char *what, long mine,
		   long theirs)
{
	if (mismatches++ < 15) {
		printf("  mismatch: %s: %s: vfs %ld, linux %ld\n", c->text,
		       what, mine, theirs);
	}
}

/* Compares lstat of @path on both sides. */
static void compare_stat(const struct vfs_ctx *ctx, const struct call *c,
			 const char *path)
{
	struct linux_stat a;
	struct stat b;
	long ra = vfs_stat(ctx, NULL, path, LINUX_AT_SYMLINK_NOFOLLOW, &a);
	long rb = HOST(newfstatat, LINUX_AT_FDCWD, path, &b,
		       LINUX_AT_SYMLINK_NOFOLLOW, 0);

	if (ra != rb) {
		report(c, path, ra, rb);
		return;
	}
	if (ra != 0) {
		return;
	}
	if (a.st_mode != b.st_mode) {
		report(c, "st_mode", a.st_mode, b.st_mode);
	}
	if (a.st_uid != b.st_uid || a.st_gid != b.st_gid) {
		report(c, "owner", a.st_uid * 100000 + a.st_gid,
		       b.st_uid * 100000 + b.st_gid);
	}
	if (a.st_nlink != b.st_nlink) {
		report(c, "st_nlink", (long)a.st_nlink, (long)b.st_nlink);
	}
	if ((S_ISREG(b.st_mode) || S_ISLNK(b.st_mode)) &&
	    a.st_size != b.st_size) {
		report(c, "st_size", a.st_size, b.st_size);
	}
}

/* The names in directory @path, sorted, as one string "a/b/c/" (on the
 * vfs side if @mine, else on the host); -errno if it cannot be read. */
static int list_names(struct fx *f, const char *path, bool mine, char *out,
		      size_t cap)
{
	char names[64][NAME_LEN];
	uint8_t buf[2048];
	int n = 0;
	struct file *file = NULL;
	long fd = -1;
	size_t used = 0;

	if (mine) {
		int err = vfs_open(&f->ctx, NULL, path,
				   LINUX_O_RDONLY | LINUX_O_DIRECTORY |
					   LINUX_O_NOFOLLOW,
				   0, &file);

		if (err < 0) {
			return err;
		}
	} else {
		fd = HOST(openat, LINUX_AT_FDCWD, path,
			  LINUX_O_RDONLY | LINUX_O_DIRECTORY | LINUX_O_NOFOLLOW,
			  0, 0);
		if (fd < 0) {
			return (int)fd;
		}
	}
	for (;;) {
		long got = mine ? file->ops->getdents(file, buf, sizeof(buf),
						      &file->pos)
				: HOST(getdents64, fd, buf, sizeof(buf), 0, 0);
		size_t off = 0;

		if (got <= 0) {
			break;
		}
		while (off < (size_t)got) {
			struct linux_dirent64 *d = (void *)(buf + off);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
			    n < 64) {
				snprintf(names[n++], NAME_LEN, "%.15s",
					 d->d_name);
			}
		}
	}
	if (mine) {
		file_put(file);
	} else {
		HOST(close, fd, 0, 0, 0, 0);
	}
	qsort(names, (size_t)n, NAME_LEN, (int (*)(const void *,
						   const void *))strcmp);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		used += (size_t)snprintf(out + used, cap - used, "%s/",
					 names[i]);
	}
	return n;
}

/* Compares the whole trees under @path (names, then each entry's
 * attributes, recursively). */
static void compare_tree(struct fx *f, const struct call *c,
			 const char *path, int depth)
{
	char a[64 * NAME_LEN], b[64 * NAME_LEN], *name, *next;
	int na = list_names(f, path, true, a, sizeof(a));
	int nb = list_names(f, path, false, b, sizeof(b));

	if (na != nb || strcmp(a, b) != 0) {
		report(c, path, na, nb);
		printf("    vfs: %s\n    linux: %s\n", a, b);
		return;
	}
	for (name = a; na > 0 && *name && !mismatches; name = next) {
		char child[512];
		struct stat st;

		next = strchr(name, '/');
		*next++ = '\0';
		snprintf(child, sizeof(child), "%.300s/%.15s", path, name);
		compare_stat(&f->ctx, c, child);
		if (depth < 8 &&
		    HOST(newfstatat, LINUX_AT_FDCWD, child, &st,
			 LINUX_AT_SYMLINK_NOFOLLOW, 0) == 0 &&
		    S_ISDIR(st.st_mode)) {
			compare_tree(f, c, child, depth + 1);
		}
	}
}

/* One call, made the same way on both sides. */
enum kind {
	K_OPEN, K_MKDIR, K_MKNOD, K_UNLINK, K_RENAME, K_LINK, K_SYMLINK,
	K_READLINK, K_CHMOD, K_CHOWN, K_UTIMENS, K_ACCESS, K_TRUNCATE,
	K_STAT, K_COUNT
};

struct req {
	enum kind kind;
	const char *p1, *p2;
	unsigned flags;		/* open, *at flags */
	uint32_t mode;		/* open, mkdir, mknod, chmod, access */
	uint32_t uid, gid;	/* chown */
	int64_t len;		/* truncate, readlink buffer */
	int64_t ns[2];		/* utimensat (ns[0] < 0 -1: NULL) */
	bool write;		/* open: write some data when it works */
};

#define NULL_TIMES (-12345)

static int stats[K_COUNT][64];

static void do_call(struct fx *f, enum who w, const struct req *r)
{
	const struct vfs_ctx *ctx = w == ROOT ? &f->ctx
				    : w == USER ? &f->user
						: &f->other;
	const char *p1 = r->p1, *p2 = r->p2;
	struct call c;
	size_t n;

	host_become(w);
	switch (r->kind) {
	case K_OPEN: {
		struct file *file;

		snprintf(c.text, sizeof(c.text), "open(%.40s, %#o, %o)", p1,
			 r->flags, r->mode);
		c.mine = vfs_open(ctx, NULL, p1, r->flags, r->mode, &file);
		c.theirs = HOST(openat, LINUX_AT_FDCWD, p1,
				r->flags | LINUX_O_NONBLOCK, r->mode, 0);
		/* Some data through regular files, on both sides. */
		if (c.mine == 0 && c.theirs >= 0 && r->write &&
		    LINUX_S_ISREG(file->inode->mode) &&
		    (r->flags & LINUX_O_ACCMODE) != 0 &&
		    !(r->flags & LINUX_O_PATH)) {
			file->ops->write(file, "data", 4, &file->pos);
			HOST(write, c.theirs, "data", 4, 0, 0);
		}
		if (c.mine == 0) {
			file_put(file);
		}
		if (c.theirs >= 0) {
			HOST(close, c.theirs, 0, 0, 0, 0);
			c.theirs = 0;
		}
		break;
	}
	case K_MKDIR:
		snprintf(c.text, sizeof(c.text), "mkdir(%.40s, %o)", p1,
			 r->mode);
		c.mine = vfs_mkdirat(ctx, NULL, p1, r->mode);
		c.theirs = HOST(mkdirat, LINUX_AT_FDCWD, p1, r->mode, 0, 0);
		break;
	case K_MKNOD:
		snprintf(c.text, sizeof(c.text), "mknod(%.40s, %o)", p1,
			 r->mode);
		c.mine = vfs_mknodat(ctx, NULL, p1, r->mode, 0);
		c.theirs = HOST(mknodat, LINUX_AT_FDCWD, p1, r->mode, 0, 0);
		break;
	case K_UNLINK:
		snprintf(c.text, sizeof(c.text), "unlinkat(%.40s, %#x)", p1,
			 r->flags);
		c.mine = vfs_unlinkat(ctx, NULL, p1, (int)r->flags);
		c.theirs = HOST(unlinkat, LINUX_AT_FDCWD, p1, r->flags, 0, 0);
		break;
	case K_RENAME:
		snprintf(c.text, sizeof(c.text), "rename(%.40s, %.40s, %u)", p1,
			 p2, r->flags);
		c.mine = vfs_renameat2(ctx, NULL, p1, NULL, p2, r->flags);
		c.theirs = HOST(renameat2, LINUX_AT_FDCWD, p1, LINUX_AT_FDCWD,
				p2, r->flags);
		break;
	case K_LINK:
		snprintf(c.text, sizeof(c.text), "link(%.40s, %.40s, %#x)", p1,
			 p2, r->flags);
		c.mine = vfs_linkat(ctx, NULL, p1, NULL, p2, (int)r->flags);
		c.theirs = HOST(linkat, LINUX_AT_FDCWD, p1, LINUX_AT_FDCWD, p2,
				r->flags);
		break;
	case K_SYMLINK:
		snprintf(c.text, sizeof(c.text), "symlink(%.40s, %.40s)", p2,
			 p1);
		c.mine = vfs_symlinkat(ctx, p2, NULL, p1);
		c.theirs = HOST(symlinkat, p2, LINUX_AT_FDCWD, p1, 0, 0);
		break;
	case K_READLINK: {
		char a[64], b[64];

		n = (size_t)r->len;
		snprintf(c.text, sizeof(c.text), "readlink(%.40s, %zu)", p1, n);
		c.mine = vfs_readlinkat(ctx, NULL, p1, a, n);
		c.theirs = HOST(readlinkat, LINUX_AT_FDCWD, p1, b, n, 0);
		if (c.mine == c.theirs && c.mine > 0 &&
		    memcmp(a, b, (size_t)c.mine) != 0) {
			report(&c, "readlink bytes", 0, 1);
		}
		break;
	}
	case K_CHMOD:
		snprintf(c.text, sizeof(c.text), "chmod(%.40s, %o, %#x)", p1,
			 r->mode, r->flags);
		c.mine = vfs_fchmodat(ctx, NULL, p1, r->mode, (int)r->flags);
		c.theirs = HOST(fchmodat2, LINUX_AT_FDCWD, p1, r->mode,
				r->flags, 0);
		break;
	case K_CHOWN:
		snprintf(c.text, sizeof(c.text), "chown(%.40s, %d, %d, %#x)",
			 p1, (int)r->uid, (int)r->gid, r->flags);
		c.mine = vfs_fchownat(ctx, NULL, p1, r->uid, r->gid,
				      (int)r->flags);
		c.theirs = HOST(fchownat, LINUX_AT_FDCWD, p1, r->uid, r->gid,
				r->flags);
		break;
	case K_UTIMENS: {
		struct vfs_timespec t[2] = { { 100, r->ns[0] },
					     { 200, r->ns[1] } };
		bool null = r->ns[0] == NULL_TIMES;

		snprintf(c.text, sizeof(c.text),
			 "utimensat(%.40s, %s%ld/%ld, %#x)", p1,
			 null ? "NULL " : "", (long)t[0].nsec, (long)t[1].nsec,
			 r->flags);
		c.mine = vfs_utimensat(ctx, NULL, p1, null ? NULL : t,
				       (int)r->flags);
		c.theirs = HOST(utimensat, LINUX_AT_FDCWD, p1, null ? NULL : t,
				r->flags, 0);
		break;
	}
	case K_ACCESS:
		snprintf(c.text, sizeof(c.text), "faccessat(%.40s, %o, %#x)",
			 p1, r->mode, r->flags);
		c.mine = vfs_faccessat(ctx, NULL, p1, (int)r->mode,
				       (int)r->flags);
		c.theirs = HOST(faccessat2, LINUX_AT_FDCWD, p1, r->mode,
				r->flags, 0);
		break;
	case K_TRUNCATE:
		snprintf(c.text, sizeof(c.text), "truncate(%.40s, %ld)", p1,
			 (long)r->len);
		c.mine = vfs_truncate(ctx, NULL, p1, r->len);
		c.theirs = HOST(truncate, p1, r->len, 0, 0, 0);
		break;
	default: {
		struct linux_stat a;
		struct stat b;

		snprintf(c.text, sizeof(c.text), "stat(%.40s, %#x)", p1,
			 r->flags);
		c.mine = vfs_stat(ctx, NULL, p1, (int)r->flags, &a);
		c.theirs = HOST(newfstatat, LINUX_AT_FDCWD, p1, &b, r->flags,
				0);
		break;
	}
	}
	host_become(ROOT);
	n = strlen(c.text);
	snprintf(c.text + n, sizeof(c.text) - n, " as %s",
		 w == ROOT ? "root" : w == USER ? "user" : "other");
	stats[r->kind][c.theirs == 0			   ? 0
		       : c.theirs < 0 && c.theirs > -63 ? -c.theirs
							: 63]++;
	if (c.mine != c.theirs) {
		report(&c, "result", c.mine, c.theirs);
	}
	if (p1 && strlen(p1) < 256) {
		compare_stat(&f->ctx, &c, p1);
	}
	if (p2 && strlen(p2) < 256 && r->kind != K_SYMLINK) {
		compare_stat(&f->ctx, &c, p2);
	}
	/* Calls that fail should change nothing, but check now and then. */
	if (!mismatches && (c.theirs == 0 || rng() % 16 == 0)) {
		compare_tree(f, &c, "/", 0);
	}
}

static const unsigned open_flags[] = {
	LINUX_O_RDONLY,
	LINUX_O_WRONLY | LINUX_O_CREAT,
	LINUX_O_RDWR | LINUX_O_CREAT | LINUX_O_EXCL,
	LINUX_O_RDONLY | LINUX_O_DIRECTORY,
	LINUX_O_WRONLY | LINUX_O_TRUNC,
	LINUX_O_RDONLY | LINUX_O_NOFOLLOW,
	LINUX_O_WRONLY | LINUX_O_CREAT | LINUX_O_NOFOLLOW,
	LINUX_O_PATH,
	LINUX_O_PATH | LINUX_O_NOFOLLOW,
	LINUX_O_RDONLY | LINUX_O_CREAT | LINUX_O_DIRECTORY,
	LINUX_O_RDWR,
	LINUX_O_RDONLY | LINUX_O_TRUNC | LINUX_O_CREAT,
	LINUX_O_WRONLY | LINUX_O_APPEND | LINUX_O_CREAT,
};

static const uint32_t modes[] = { 0755, 0700, 0777, 01777, 0644, 0600,
				  0444, 02775, 0711, 0,	   04755, 02745 };
static const uint32_t ids[] = { 0, 1000, 1001, 100, (uint32_t)-1 };

#define PICK(a) (a)[rng() % (sizeof(a) / sizeof((a)[0]))]

/* A random call on random paths. */
static void random_call(struct fx *f, enum who w)
{
	static const uint32_t types[] = { LINUX_S_IFIFO, LINUX_S_IFSOCK, 0,
					  LINUX_S_IFREG, LINUX_S_IFDIR };
	static const int64_t ns[] = { 0, 5, LINUX_UTIME_NOW, LINUX_UTIME_OMIT,
				      NULL_TIMES };
	static const enum kind kinds[] = {
		K_OPEN, K_OPEN,	  K_MKDIR,  K_MKNOD,   K_UNLINK,   K_UNLINK,
		K_RENAME, K_RENAME, K_LINK,   K_SYMLINK, K_READLINK, K_CHMOD,
		K_CHOWN,  K_UTIMENS, K_ACCESS, K_TRUNCATE, K_STAT,
	};
	char p1[64], p2[64];
	struct req r = { 0 };

	random_path(p1, sizeof(p1));
	random_path(p2, sizeof(p2));
	r.kind = PICK(kinds);
	r.p1 = p1;
	r.p2 = p2;
	r.mode = PICK(modes);
	switch (r.kind) {
	case K_OPEN:
		r.flags = PICK(open_flags);
		r.write = rng() % 2;
		break;
	case K_MKNOD:
		r.mode = PICK(types) | 0644;
		break;
	case K_UNLINK:
		r.flags = rng() % 2 ? LINUX_AT_REMOVEDIR : 0;
		break;
	case K_RENAME:
		r.flags = (unsigned)(rng() % 3);
		break;
	case K_LINK:
		r.flags = rng() % 2 ? LINUX_AT_SYMLINK_FOLLOW : 0;
		break;
	case K_READLINK:
		r.len = 1 + (int64_t)(rng() % 8);
		break;
	case K_CHMOD:
	case K_CHOWN:
	case K_UTIMENS:
		r.flags = rng() % 3 == 0 ? LINUX_AT_SYMLINK_NOFOLLOW : 0;
		r.uid = PICK(ids);
		r.gid = PICK(ids);
		r.ns[0] = PICK(ns);
		r.ns[1] = r.ns[0] == NULL_TIMES ? 0 : PICK(ns);
		if (r.ns[1] == NULL_TIMES) {
			r.ns[1] = 1;
		}
		break;
	case K_ACCESS:
		/* (AT_EACCESS: the host's real uid stays root.) */
		r.mode = (uint32_t)(rng() % 8);
		r.flags = LINUX_AT_EACCESS |
			  (rng() % 3 == 0 ? LINUX_AT_SYMLINK_NOFOLLOW : 0);
		break;
	case K_TRUNCATE:
		r.len = (int64_t)(rng() % 3) * 3000 - 1;
		break;
	case K_STAT:
		r.flags = rng() % 2 ? LINUX_AT_SYMLINK_NOFOLLOW : 0;
		break;
	default:
		break;
	}
	do_call(f, w, &r);
}

/* Hand-made calls at the edges: empty paths, the root, dots, names and
 * paths at and past the limits, bad flags. */
static void edge_calls(struct fx *f)
{
	static char name255[256], name256[257], long_mid[300];
	static char path4095[4096], path4096[4097], target4096[4097];
	static char target4095[4096];
	const struct req edge[] = {
		{ .kind = K_MKDIR, .p1 = "d", .mode = 0755 },
		{ .kind = K_OPEN, .p1 = "d/f",
		  .flags = LINUX_O_CREAT | LINUX_O_WRONLY, .mode = 0644 },
		{ .kind = K_SYMLINK, .p1 = "lnk", .p2 = "d/f" },
		{ .kind = K_STAT, .p1 = "" },
		{ .kind = K_STAT, .p1 = "",
		  .flags = LINUX_AT_SYMLINK_NOFOLLOW },
		{ .kind = K_STAT, .p1 = "d", .flags = 0x1 },
		{ .kind = K_OPEN, .p1 = "", .flags = LINUX_O_RDONLY },
		{ .kind = K_OPEN, .p1 = "",
		  .flags = LINUX_O_CREAT | LINUX_O_RDWR, .mode = 0644 },
		{ .kind = K_MKDIR, .p1 = "", .mode = 0755 },
		{ .kind = K_MKNOD, .p1 = "", .mode = LINUX_S_IFIFO | 0644 },
		{ .kind = K_UNLINK, .p1 = "" },
		{ .kind = K_UNLINK, .p1 = "", .flags = LINUX_AT_REMOVEDIR },
		{ .kind = K_RENAME, .p1 = "", .p2 = "x" },
		{ .kind = K_RENAME, .p1 = "d", .p2 = "" },
		{ .kind = K_LINK, .p1 = "", .p2 = "x" },
		{ .kind = K_LINK, .p1 = "d/f", .p2 = "" },
		{ .kind = K_SYMLINK, .p1 = "x", .p2 = "" },
		{ .kind = K_SYMLINK, .p1 = "", .p2 = "x" },
		{ .kind = K_READLINK, .p1 = "", .len = 8 },
		{ .kind = K_READLINK, .p1 = "lnk" },
		{ .kind = K_READLINK, .p1 = "d", .len = 8 },
		{ .kind = K_CHMOD, .p1 = "", .mode = 0644 },
		{ .kind = K_CHOWN, .p1 = "" },
		{ .kind = K_UTIMENS, .p1 = "", .ns = { NULL_TIMES, 0 } },
		{ .kind = K_ACCESS, .p1 = "", .mode = LINUX_F_OK },
		{ .kind = K_TRUNCATE, .p1 = "" },
		{ .kind = K_MKDIR, .p1 = "/", .mode = 0755 },
		{ .kind = K_UNLINK, .p1 = "/", .flags = LINUX_AT_REMOVEDIR },
		{ .kind = K_UNLINK, .p1 = "/" },
		{ .kind = K_UNLINK, .p1 = "//" },
		{ .kind = K_RENAME, .p1 = "/", .p2 = "x" },
		{ .kind = K_RENAME, .p1 = "d", .p2 = "/" },
		{ .kind = K_RENAME, .p1 = "d", .p2 = "/",
		  .flags = LINUX_RENAME_NOREPLACE },
		{ .kind = K_LINK, .p1 = "d/f", .p2 = "/" },
		{ .kind = K_SYMLINK, .p1 = "/", .p2 = "x" },
		{ .kind = K_OPEN, .p1 = "/",
		  .flags = LINUX_O_CREAT | LINUX_O_RDONLY, .mode = 0644 },
		{ .kind = K_OPEN, .p1 = "/",
		  .flags = LINUX_O_CREAT | LINUX_O_EXCL, .mode = 0644 },
		{ .kind = K_OPEN, .p1 = "/", .flags = LINUX_O_WRONLY },
		{ .kind = K_OPEN, .p1 = "d",
		  .flags = LINUX_O_RDONLY | LINUX_O_TRUNC },
		{ .kind = K_OPEN, .p1 = "d/f",
		  .flags = LINUX_O_CREAT | LINUX_O_DIRECTORY, .mode = 0644 },
		{ .kind = K_OPEN, .p1 = "d/g",
		  .flags = LINUX_O_CREAT | LINUX_O_DIRECTORY, .mode = 0644 },
		{ .kind = K_OPEN, .p1 = "d/f/",
		  .flags = LINUX_O_CREAT | LINUX_O_RDONLY, .mode = 0644 },
		{ .kind = K_OPEN, .p1 = "lnk",
		  .flags = LINUX_O_CREAT | LINUX_O_EXCL, .mode = 0644 },
		{ .kind = K_TRUNCATE, .p1 = "/" },
		{ .kind = K_TRUNCATE, .p1 = "d/f", .len = -1 },
		{ .kind = K_UNLINK, .p1 = ".", .flags = LINUX_AT_REMOVEDIR },
		{ .kind = K_UNLINK, .p1 = "d/..", .flags = LINUX_AT_REMOVEDIR },
		{ .kind = K_UNLINK, .p1 = "." },
		{ .kind = K_UNLINK, .p1 = "d", .flags = 0x100 },
		{ .kind = K_MKDIR, .p1 = "..", .mode = 0755 },
		{ .kind = K_MKDIR, .p1 = "d/.", .mode = 0755 },
		{ .kind = K_RENAME, .p1 = ".", .p2 = "x" },
		{ .kind = K_RENAME, .p1 = "d/..", .p2 = "x" },
		{ .kind = K_RENAME, .p1 = "d", .p2 = "d/x" },
		{ .kind = K_RENAME, .p1 = "d", .p2 = "x", .flags = 8 },
		{ .kind = K_RENAME, .p1 = "d", .p2 = "x", .flags = 3 },
		{ .kind = K_RENAME, .p1 = "d", .p2 = "x",
		  .flags = LINUX_RENAME_EXCHANGE },
		{ .kind = K_LINK, .p1 = "d/f", .p2 = "x", .flags = 0x1 },
		{ .kind = K_LINK, .p1 = "d", .p2 = "x" },
		{ .kind = K_CHOWN, .p1 = "d", .flags = 0x1 },
		{ .kind = K_CHMOD, .p1 = "d", .flags = 0x1, .mode = 0755 },
		{ .kind = K_CHMOD, .p1 = "lnk",
		  .flags = LINUX_AT_SYMLINK_NOFOLLOW, .mode = 0755 },
		{ .kind = K_UTIMENS, .p1 = "d", .flags = 0x1, .ns = { 0, 0 } },
		{ .kind = K_UTIMENS, .p1 = "nope", .flags = 0x1,
		  .ns = { LINUX_UTIME_OMIT, LINUX_UTIME_OMIT } },
		{ .kind = K_UTIMENS, .p1 = "d", .ns = { 1000000000, 0 } },
		{ .kind = K_UTIMENS, .p1 = "d", .ns = { -1, 0 } },
		{ .kind = K_ACCESS, .p1 = "d", .mode = 8 },
		{ .kind = K_ACCESS, .p1 = "d", .flags = 0x2,
		  .mode = LINUX_R_OK },
		{ .kind = K_MKNOD, .p1 = "n1", .mode = LINUX_S_IFDIR | 0755 },
		{ .kind = K_MKNOD, .p1 = "n2", .mode = 0170000 | 0644 },
		{ .kind = K_MKNOD, .p1 = "n3", .mode = 0644 },
		{ .kind = K_MKNOD, .p1 = "n4/", .mode = LINUX_S_IFIFO | 0644 },
		{ .kind = K_SYMLINK, .p1 = "n5/", .p2 = "x" },
		{ .kind = K_MKDIR, .p1 = name255, .mode = 0755 },
		{ .kind = K_MKDIR, .p1 = name256, .mode = 0755 },
		{ .kind = K_STAT, .p1 = name256 },
		{ .kind = K_STAT, .p1 = long_mid },
		{ .kind = K_OPEN, .p1 = name256,
		  .flags = LINUX_O_CREAT | LINUX_O_RDWR, .mode = 0644 },
		{ .kind = K_UNLINK, .p1 = name256 },
		{ .kind = K_SYMLINK, .p1 = name256, .p2 = "x" },
		{ .kind = K_RENAME, .p1 = "d", .p2 = name256 },
		{ .kind = K_STAT, .p1 = path4095 },
		{ .kind = K_STAT, .p1 = path4096 },
		{ .kind = K_MKDIR, .p1 = path4096, .mode = 0755 },
		{ .kind = K_SYMLINK, .p1 = "t4095", .p2 = target4095 },
		{ .kind = K_SYMLINK, .p1 = "t4096", .p2 = target4096 },
		{ .kind = K_STAT, .p1 = "t4095" },
		{ .kind = K_UNLINK, .p1 = name255,
		  .flags = LINUX_AT_REMOVEDIR },
	};

	memset(name255, 'n', 255);
	memset(name256, 'n', 256);
	snprintf(long_mid, sizeof(long_mid), "%s/x", name256);
	for (size_t i = 0; i + 2 <= 4094; i += 2) {
		memcpy(path4095 + i, "./", 2);
	}
	path4095[4094] = '.';
	path4096[0] = '.';
	memcpy(path4096 + 1, path4095, 4095);
	memset(target4095, 't', 4095);
	memset(target4096, 't', 4096);
	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		do_call(f, ROOT, &edge[i]);
		if (i > 2 && edge[i].kind != K_MKDIR &&
		    edge[i].kind != K_SYMLINK && edge[i].kind != K_MKNOD) {
			do_call(f, USER, &edge[i]);
		}
	}
}

TEST(vfs_matches_linux)
{
	char tmpl[] = "/tmp/keel-vfs-XXXXXX";
	char cmd[128];
	struct fx f;
	long outside;
	struct tmpfs_opts opts = { .mode = 0777 };

	REQUIRE(mkdtemp(tmpl) != NULL);
	REQUIRE(chmod(tmpl, 0777) == 0);
	outside = HOST(open, "/", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, 0, 0);
	REQUIRE(outside >= 0);
	REQUIRE(HOST(chroot, tmpl, 0, 0, 0, 0) == 0);
	REQUIRE(HOST(chdir, "/", 0, 0, 0, 0) == 0);
	umask(022);
	fx_init_opts(&f, &opts);
	f.hooks.open_fifo = fifo_open;
	vfs_set_hooks(&f.hooks);
	edge_calls(&f);
	rng_seed(getenv("SEED") ? strtoull(getenv("SEED"), 0, 0) : 2024);
	/* (After a mismatch the two trees differ: stop there.) */
	for (int i = 0; i < OPS_PER_RUN && !mismatches; i++) {
		unsigned r = (unsigned)(rng() % 4);

		random_call(&f, r < 2 ? ROOT : r == 2 ? USER : OTHER);
	}
	CHECK_EQ(mismatches, 0);
	if (getenv("VFS_STATS")) {
		for (int k = 0; k < K_COUNT; k++) {
			printf("%2d:", k);
			for (int e = 0; e < 64; e++) {
				if (stats[k][e]) {
					printf(" %d=%d", e, stats[k][e]);
				}
			}
			printf("\n");
		}
	}
	fx_fini(&f);
	/* Out of the chroot, and clean up. */
	REQUIRE(HOST(fchdir, outside, 0, 0, 0, 0) == 0);
	REQUIRE(HOST(chroot, ".", 0, 0, 0, 0) == 0);
	HOST(close, outside, 0, 0, 0, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	CHECK_EQ(system(cmd), 0);
}

int main(void)
{
	/* Without root nothing can be compared: report no result rather
	 * than a pass that checked nothing. */
	if (getuid() != 0) {
		printf("(test_vfs_linux: needs root; not run)\n");
		return 0;
	}
	RUN(vfs_matches_linux);
	return check_done();
}
