/*
 * The server side of the file-system protocol (abi/keel/proto/fs.h),
 * shared by every file-system server: it checks each request (lengths,
 * tails, names, transfer ranges, read-only mounts, that the client holds
 * the inodes it names), keeps the client's inode references, calls the
 * file system's operations (struct fsserve_ops) and builds the reply.
 * The file system knows nothing of messages or clients.
 *
 * Pure: no system calls (the server's main loop receives requests and
 * maps the transfer area, then calls fsserve_handle), so the host tests
 * run it over tmpfs (tests/host/fs_loopback.h) and over lib/ext2 on
 * image files.
 *
 * One client per instance: the posix server mounts a file system once;
 * what it shares among programs it shares itself.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/error.h>
#include <keel/proto/fs.h>

/* Receives one directory entry (READDIR); nonzero: it did not fit,
 * stop before it (its position is not consumed). */
typedef int (*fsserve_fill_fn)(void *ctx, const char *name, size_t len,
			       fs_ino ino, unsigned type, uint64_t next);

/*
 * What a file system implements. Every op returns ERR_OK or an error
 * (the protocol's status; see fs.h for which). Inode numbers given are
 * ones the client holds (checked), names are 1..FS_NAME_MAX bytes with no
 * '/' or NUL and, but for lookup, not "." or ".." (checked). The file
 * system checks what depends on its contents: types (ERR_NOT_DIR,
 * ERR_IS_DIR), existence (ERR_EXISTS, ERR_NOT_FOUND), emptiness.
 * Attributes are filled after the change.
 */
struct fsserve_ops {
	err_t (*getattr)(void *fs, fs_ino ino, struct fs_attr *out);
	/* @name may be "." or ".." (the root's ".." is itself). */
	err_t (*lookup)(void *fs, fs_ino dir, const char *name, size_t len,
			struct fs_attr *out);
	/* Only the fields @req->valid names; FS_SET_SIZE also sets mtime
	 * and ctime to now. */
	err_t (*setattr)(void *fs, const struct fs_setattr *req,
			 struct fs_attr *out);
	/* Moves up to @len bytes; *@done short only at the end of the file
	 * (read) or when the disk is full (write). */
	err_t (*read)(void *fs, fs_ino ino, uint64_t off, void *buf,
		      size_t len, size_t *done, struct fs_attr *out);
	err_t (*write)(void *fs, fs_ino ino, uint64_t off, const void *buf,
		       size_t len, bool append, size_t *done,
		       struct fs_attr *out);
	/* A regular file, device, fifo, socket, directory or symlink
	 * (@target, @target_len bytes) by @mode's type. */
	err_t (*create)(void *fs, fs_ino dir, const char *name, size_t len,
			uint32_t mode, uint64_t rdev, uint32_t uid,
			uint32_t gid, const char *target, size_t target_len,
			struct fs_attr *out, struct fs_attr *dir_out);
	err_t (*link)(void *fs, fs_ino dir, const char *name, size_t len,
		      fs_ino ino, struct fs_attr *out, struct fs_attr *dir_out);
	/* Removes a name: of a non-directory (@rmdir false) or of an
	 * empty directory. *@out: the inode it named, after. */
	err_t (*unlink)(void *fs, fs_ino dir, const char *name, size_t len,
			bool rmdir, struct fs_attr *out,
			struct fs_attr *dir_out);
	/* Fills the attributes of struct fs_rename_reply (ino 0: none). */
	err_t (*rename)(void *fs, fs_ino odir, const char *oname, size_t olen,
			fs_ino ndir, const char *nname, size_t nlen,
			unsigned flags, struct fs_rename_reply *out);
	err_t (*readlink)(void *fs, fs_ino ino, char *buf, size_t cap,
			  size_t *len);
	/* Entries from @pos on ("." 0, ".." 1). */
	err_t (*readdir)(void *fs, fs_ino dir, uint64_t pos,
			 fsserve_fill_fn fill, void *ctx);
	/* SEEK_DATA/HOLE (ERR_RANGE: none). NULL: all data. */
	err_t (*seek)(void *fs, fs_ino ino, uint64_t off, bool hole,
		      uint64_t *out);
	err_t (*statfs)(void *fs, struct fs_statfs_reply *out);
	/* Makes what was written durable (@ino 0: everything). */
	err_t (*sync)(void *fs, fs_ino ino);
	/* The client holds no reference to @ino any more: an inode with no
	 * name left can go. */
	void (*release)(void *fs, fs_ino ino);
};

struct fsserve_ref;

struct fsserve {
	const struct fsserve_ops *ops;
	void *fs;
	fs_ino root;
	bool read_only;			/* the file system's own limit */
	uint32_t block_size;
	uint64_t max_file_size;
	/* The client. */
	bool attached;
	bool client_ro;			/* mounted read-only */
	uint8_t *xfer;			/* the transfer area, mapped */
	uint64_t xfer_size;
	int64_t client_realtime_ns;	/* the client's clock at ATTACH */
	struct fsserve_ref **refs;	/* hash of the client's inodes */
	size_t ref_buckets;
	size_t ref_count;
};

/* Sets up @s for file system @fs whose root is @root. */
err_t fsserve_init(struct fsserve *s, const struct fsserve_ops *ops, void *fs,
		   fs_ino root, bool read_only, uint32_t block_size,
		   uint64_t max_file_size);

/*
 * Handles the request of @len bytes at @req (its frame already checked
 * as a request: proto_request_frame_check) and builds the reply at
 * @reply (@cap >= FSSERVE_REPLY_MAX bytes); returns its length. The
 * transfer area for ATTACH must be mapped first: the server's loop maps
 * the memory object that came with it and passes it as @xfer (NULL for
 * other requests, or when none came).
 */
#define FSSERVE_REPLY_MAX FS_DATA_REPLY_SIZE(FS_SYMLINK_MAX + 1)
size_t fsserve_handle(struct fsserve *s, const void *req, size_t len,
		      uint8_t *xfer, uint64_t xfer_size, void *reply,
		      size_t cap);

/* The client went away: every reference it held goes (release). */
void fsserve_detach(struct fsserve *s);

/* How many references the client holds to @ino (tests). */
uint64_t fsserve_refs(const struct fsserve *s, fs_ino ino);
