/*
 * The file-system protocol (user <-> user contract; the frame is
 * abi/keel/proto/proto.h): how the posix server (the client) reaches a
 * file-system server (ext2 on a disk, later others) that it mounted.
 * One stream per mount; the posix server keeps the Linux semantics
 * (permissions, path walking, open files, mounts), the file-system
 * server keeps the on-disk format. Modelled on what FUSE and 9P carry,
 * with fixed-layout messages and bulk data in shared memory.
 *
 * Inodes are named by their number (fs_ino). Every reply that carries a
 * struct fs_attr of an inode the client did not name itself (LOOKUP,
 * CREATE, MKDIR, SYMLINK, LINK, ATTACH's root) gives the client one
 * reference to it; the client returns them with FORGET. The server keeps
 * an inode whose last name is gone (nlink 0) until its references are
 * gone too, so open unlinked files work as on Linux; when the stream
 * closes, every reference of that client goes.
 *
 * Bulk data: at ATTACH the client sends a memory object (the transfer
 * area, FS_XFER_MIN..FS_XFER_MAX bytes, a multiple of 4096), mapped
 * read-write by both. READ and WRITE name a range of it (xfer_off,
 * length); the client gives each request in flight a range of its own.
 * The server copies between its cache and the area: data crosses no
 * stream, and the posix server copies once more, to or from the Linux
 * process. Names, link targets and directory entries travel in messages.
 *
 * Times are struct fs_time (seconds since the epoch, nanoseconds).
 * Modes, types and rdev use Linux's encodings (S_IF*, makedev), so the
 * posix server passes them through.
 *
 * Requests (a new conversation each, except where said) and replies:
 *
 * FS_OPEN       (on the endpoint the server published in the registry,
 *   properties service=fs, fstype=<name>, source=<what it serves>)
 *   the header alone.  reply: the header, with a stream end: the
 *   client's private stream, where everything below goes. ERR_BUSY
 *   when another client holds the file system.
 * FS_ATTACH     struct fs_attach, with the transfer area's memory object.
 *   reply: struct fs_attach_reply: the root's attributes (a reference),
 *   the file system's limits and FS_MOUNT_* flags. Must be the first
 *   request; any other before it gets ERR_BAD_STATE, a second one too.
 *   ERR_INVALID (area size, no handle), ERR_WRONG_TYPE, ERR_ACCESS.
 * FS_LOOKUP     struct fs_name_req (dir, name; ".." allowed).
 *   reply: struct fs_attr_reply. ERR_NOT_FOUND, ERR_NOT_DIR.
 * FS_GETATTR    struct fs_ino_req.   reply: struct fs_attr_reply.
 * FS_SETATTR    struct fs_setattr.   reply: struct fs_attr_reply.
 *   FS_SET_SIZE truncates or extends (sparse); ERR_IS_DIR for a size on
 *   a directory.
 * FS_READ       struct fs_io: @length bytes at @offset into the area at
 *   @xfer_off.  reply: struct fs_io_reply, @done bytes (short at the end
 *   of the file, 0 past it). ERR_IS_DIR.
 * FS_WRITE      struct fs_io: @length bytes from the area at @xfer_off to
 *   @offset (FS_IO_APPEND: at the end, @offset ignored).
 *   reply: struct fs_io_reply: @done, the new attributes. ERR_NO_SPACE,
 *   ERR_TOO_BIG (past the largest file), ERR_READ_ONLY.
 * FS_CREATE     struct fs_create: a regular file, fifo, socket or
 *   device node (@mode has the type), named @name in @dir.
 *   reply: struct fs_entry_reply (the new inode, a reference, and the
 *   directory after the change). ERR_EXISTS, ERR_NO_SPACE.
 * FS_MKDIR      struct fs_create (@mode's type S_IFDIR).
 * FS_SYMLINK    struct fs_create: the tail is the name, then the target
 *   (@target_len bytes, no NUL).
 * FS_LINK       struct fs_link: a new name @name in @dir for @ino (not a
 *   directory). reply: struct fs_entry_reply (@ino, a reference, and
 *   the directory). ERR_TOO_MANY (link count limit).
 * FS_UNLINK     struct fs_name_req: removes a non-directory's name.
 *   reply: struct fs_entry_reply: the inode the name was of (its nlink
 *   and ctime changed; no reference given) and the directory. ERR_IS_DIR.
 * FS_RMDIR      struct fs_name_req: removes an empty directory.
 *   reply: as UNLINK. ERR_NOT_EMPTY, ERR_NOT_DIR.
 * FS_RENAME     struct fs_rename: @old_len bytes of old name then
 *   @new_len of new; replaces the target (an empty directory for a
 *   directory) or with FS_RENAME_EXCHANGE swaps the two.
 *   reply: struct fs_rename_reply: everything whose attributes changed
 *   (no references given). ERR_INVALID (a directory into itself).
 *
 * Replies carry the attributes of every inode a request changed, so the
 * client's copies stay exact without asking again (it is the only
 * client of its mount).
 * FS_READLINK   struct fs_ino_req.   reply: struct fs_data_reply (the
 *   target).
 * FS_READDIR    struct fs_readdir: entries from position @pos on, at
 *   most @max bytes of them. reply: struct fs_data_reply holding struct
 *   fs_dirent records (each FS_DIRENT_SIZE(name_len) bytes, 8-aligned);
 *   "." is position 0 and ".." 1; an empty tail means the end.
 * FS_STATFS     the header.  reply: struct fs_statfs_reply.
 * FS_SYNC       struct fs_ino_req (0: everything).  reply: the header
 *   once what was written is on the disk.
 * FS_FORGET     struct fs_forget: returns @count references to @ino.
 *   reply: the header. ERR_INVALID (more than the client holds).
 * FS_SEEK       struct fs_seek: the first offset >= @offset that is data
 *   (or with FS_SEEK_HOLE a hole; the end of the file counts as one),
 *   for lseek's SEEK_DATA and SEEK_HOLE. reply: struct fs_seek_reply.
 *   ERR_RANGE: no data at or after @offset, or @offset past the end (the
 *   client's ENXIO). A server that does not know its holes answers
 *   @offset itself (all data), as Linux's generic code does.
 *
 * SETATTR changes exactly the fields it names: the client sends
 * FS_SET_CTIME with the changes that move ctime (the server sets it
 * itself only for a size change, as for WRITE). Access times are the
 * client's: it writes them back with SETATTR (FS_SET_ATIME alone) when
 * it is done with an inode, or earlier, lazily, as Linux's lazytime.
 *
 * Errors every request may get: ERR_BAD_HANDLE-like failures never
 * happen (no handles but ATTACH's); ERR_NOT_FOUND for an inode number
 * the client holds no reference to (or a bad @xfer_off range:
 * ERR_INVALID), ERR_CORRUPT when the disk structures are damaged (the
 * request fails, the server goes on), ERR_IO when the disk fails,
 * ERR_READ_ONLY for changes to a read-only mount.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <keel/proto/proto.h>

#define FS_PROTOCOL 16

#define FS_ATTACH PROTO_ID(FS_PROTOCOL, 1)
#define FS_LOOKUP PROTO_ID(FS_PROTOCOL, 2)
#define FS_GETATTR PROTO_ID(FS_PROTOCOL, 3)
#define FS_SETATTR PROTO_ID(FS_PROTOCOL, 4)
#define FS_READ PROTO_ID(FS_PROTOCOL, 5)
#define FS_WRITE PROTO_ID(FS_PROTOCOL, 6)
#define FS_CREATE PROTO_ID(FS_PROTOCOL, 7)
#define FS_MKDIR PROTO_ID(FS_PROTOCOL, 8)
#define FS_SYMLINK PROTO_ID(FS_PROTOCOL, 9)
#define FS_LINK PROTO_ID(FS_PROTOCOL, 10)
#define FS_UNLINK PROTO_ID(FS_PROTOCOL, 11)
#define FS_RMDIR PROTO_ID(FS_PROTOCOL, 12)
#define FS_RENAME PROTO_ID(FS_PROTOCOL, 13)
#define FS_READLINK PROTO_ID(FS_PROTOCOL, 14)
#define FS_READDIR PROTO_ID(FS_PROTOCOL, 15)
#define FS_STATFS PROTO_ID(FS_PROTOCOL, 16)
#define FS_SYNC PROTO_ID(FS_PROTOCOL, 17)
#define FS_FORGET PROTO_ID(FS_PROTOCOL, 18)
#define FS_SEEK PROTO_ID(FS_PROTOCOL, 19)
#define FS_OPEN PROTO_ID(FS_PROTOCOL, 20)

#define FS_NAME_MAX 255			/* bytes of a name, Linux's limit */
#define FS_SYMLINK_MAX 4095		/* bytes of a link target */
#define FS_XFER_MIN 4096u
#define FS_XFER_MAX (16u << 20)
#define FS_IO_MAX (1u << 20)		/* bytes per READ or WRITE */
#define FS_READDIR_MAX 4000u		/* bytes of entries per READDIR */

typedef uint64_t fs_ino;

struct fs_time {
	int64_t sec;
	uint32_t nsec;
	uint32_t reserved;
};

struct fs_attr {
	fs_ino ino;
	uint64_t size;
	uint64_t blocks;		/* 512-byte units allocated */
	uint64_t rdev;			/* Linux makedev() encoding */
	uint64_t generation;		/* NFS-style: the number's reuse count */
	uint32_t mode;			/* Linux S_IF* type | permissions */
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	struct fs_time atime, mtime, ctime, btime;
};
_Static_assert(sizeof(struct fs_attr) == 120, "fs_attr layout");

/* FS_ATTACH. */
#define FS_MOUNT_RDONLY 0x1u		/* request: mount read-only */
struct fs_attach {
	struct proto_header hdr;
	uint64_t xfer_size;		/* bytes of the transfer area */
	uint32_t flags;			/* FS_MOUNT_* asked for */
	uint32_t reserved;
	/* The client's clock (ns since the epoch) when it sent this: the
	 * times the server sets follow it from then on (the posix server
	 * keeps the time of day for Linux programs). */
	int64_t realtime_ns;
};
struct fs_attach_reply {
	struct proto_header hdr;
	struct fs_attr root;
	uint64_t max_file_size;
	uint32_t block_size;
	uint32_t flags;			/* FS_MOUNT_* in force (a file
					 * system with features the server
					 * cannot write comes up RDONLY) */
	uint32_t name_max;
	uint32_t reserved;
};

struct fs_ino_req {
	struct proto_header hdr;
	fs_ino ino;
};

struct fs_attr_reply {
	struct proto_header hdr;
	struct fs_attr attr;
};

/* CREATE, MKDIR, SYMLINK, LINK, UNLINK, RMDIR. */
struct fs_entry_reply {
	struct proto_header hdr;
	struct fs_attr attr;		/* the entry's inode */
	struct fs_attr dir;		/* its directory */
};

/* RENAME: an attr with ino 0 is absent (no replaced inode; the same
 * directory twice). */
struct fs_rename_reply {
	struct proto_header hdr;
	struct fs_attr old_dir;
	struct fs_attr new_dir;		/* ino 0 when the same as old_dir */
	struct fs_attr moved;
	struct fs_attr replaced;	/* EXCHANGE: the other one moved */
};

/* LOOKUP, UNLINK, RMDIR: a name (no NUL) in a directory. */
struct fs_name_req {
	struct proto_header hdr;
	fs_ino dir;
	uint32_t name_len;
	uint32_t reserved;
	char name[];
};
#define FS_NAME_REQ_SIZE(len) (offsetof(struct fs_name_req, name) + (len))

/* SETATTR: which fields apply. */
#define FS_SET_MODE 0x01u		/* permission bits; the type stays */
#define FS_SET_UID 0x02u
#define FS_SET_GID 0x04u
#define FS_SET_SIZE 0x08u
#define FS_SET_ATIME 0x10u
#define FS_SET_MTIME 0x20u
#define FS_SET_CTIME 0x40u
struct fs_setattr {
	struct proto_header hdr;
	fs_ino ino;
	uint32_t valid;			/* FS_SET_* */
	uint32_t mode, uid, gid;
	uint64_t size;
	struct fs_time atime, mtime, ctime;
};

/* READ and WRITE. */
#define FS_IO_APPEND 0x1u
struct fs_io {
	struct proto_header hdr;
	fs_ino ino;
	uint64_t offset;		/* in the file */
	uint64_t xfer_off;		/* in the transfer area */
	uint32_t length;		/* at most FS_IO_MAX */
	uint32_t flags;			/* FS_IO_* */
};
struct fs_io_reply {
	struct proto_header hdr;
	uint64_t done;			/* bytes moved */
	struct fs_attr attr;		/* after the operation */
};

/* CREATE, MKDIR, SYMLINK. */
struct fs_create {
	struct proto_header hdr;
	fs_ino dir;
	uint32_t mode;			/* type and permissions, umask
					 * applied by the client */
	uint32_t uid, gid;
	uint32_t name_len;
	uint64_t rdev;
	uint32_t target_len;		/* SYMLINK: bytes after the name */
	uint32_t reserved;
	char tail[];			/* name, then a symlink's target */
};
#define FS_CREATE_SIZE(name_len, target_len) \
	(offsetof(struct fs_create, tail) + (name_len) + (target_len))

struct fs_link {
	struct proto_header hdr;
	fs_ino dir;
	fs_ino ino;
	uint32_t name_len;
	uint32_t reserved;
	char name[];
};
#define FS_LINK_SIZE(len) (offsetof(struct fs_link, name) + (len))

#define FS_RENAME_NOREPLACE 0x1u	/* Linux's RENAME_* values */
#define FS_RENAME_EXCHANGE 0x2u
struct fs_rename {
	struct proto_header hdr;
	fs_ino old_dir;
	fs_ino new_dir;
	uint32_t old_len;
	uint32_t new_len;
	uint32_t flags;			/* FS_RENAME_* */
	uint32_t reserved;
	char names[];			/* old name, then new name */
};
#define FS_RENAME_SIZE(old_len, new_len) \
	(offsetof(struct fs_rename, names) + (old_len) + (new_len))

/* READLINK and READDIR replies: @length bytes after the header. */
struct fs_data_reply {
	struct proto_header hdr;
	uint32_t length;
	uint32_t reserved;
	uint8_t data[];
};
#define FS_DATA_REPLY_SIZE(len) (offsetof(struct fs_data_reply, data) + (len))

struct fs_readdir {
	struct proto_header hdr;
	fs_ino dir;
	uint64_t pos;
	uint32_t max;			/* bytes of entries, <= FS_READDIR_MAX */
	uint32_t reserved;
};
struct fs_dirent {
	fs_ino ino;
	uint64_t next;			/* position after this entry */
	uint16_t name_len;
	uint8_t type;			/* Linux DT_* */
	uint8_t reserved[5];
	char name[];			/* no NUL */
};
#define FS_DIRENT_SIZE(len) \
	((offsetof(struct fs_dirent, name) + (len) + 7) & ~(size_t)7)

struct fs_statfs_reply {
	struct proto_header hdr;
	uint64_t magic;			/* Linux f_type (EXT2: 0xef53) */
	uint64_t block_size;
	uint64_t blocks, blocks_free, blocks_avail;
	uint64_t files, files_free;
	uint64_t fsid;
	uint32_t name_max;
	uint32_t flags;			/* FS_MOUNT_* in force */
};

#define FS_SEEK_HOLE 0x1u
struct fs_seek {
	struct proto_header hdr;
	fs_ino ino;
	uint64_t offset;
	uint32_t flags;			/* FS_SEEK_HOLE */
	uint32_t reserved;
};
struct fs_seek_reply {
	struct proto_header hdr;
	uint64_t offset;
};

struct fs_forget {
	struct proto_header hdr;
	fs_ino ino;
	uint64_t count;
};
