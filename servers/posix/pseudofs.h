/*
 * The machinery under procfs and sysfs: file systems whose files are
 * made from the server's state when they are used rather than stored.
 *
 * A file system is a tree of node types (struct pseudofs_type). A
 * directory type lists fixed entries (name -> type) and may add entries
 * that come and go (a process's directory, an fd's link): those it
 * enumerates and looks up itself through dyn_next/dyn_lookup, each one a
 * (name, type, key). A node is a type plus a key (struct pseudofs_key:
 * which process, thread and index it shows); fixed entries inherit
 * their directory's key.
 *
 * Nodes exist while referenced: a lookup makes a new inode (there is no
 * cache) holding a reference on its parent, so ".." and vfs_path_name()
 * work by climbing, and the root is the instance's one root inode. The
 * inode number is computed from the type and the key, so a file keeps
 * its number across lookups (find and tar rely on that).
 *
 * Regular files are generated when opened, into a buffer the open file
 * keeps: reads with small buffers and lseek see one consistent snapshot.
 * A read at offset 0 after the first read makes a new one, as Linux's
 * seq_file does, so programs that keep /proc/meminfo open and seek back
 * (top, free) see fresh figures. Writes go to the type's store op, one
 * write(2) at a time.
 *
 * Readdir positions are stable: 0 and 1 are "." and "..", then the fixed
 * entries in table order, then the dynamic entries at 2 + fixed + their
 * cursor (a pid, an fd number), so a listing resumed after entries
 * vanished or appeared neither repeats nor skips the ones that stayed.
 *
 * Pure logic over the vfs: host-tested (tests/host/test_pseudofs.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "textbuf.h"
#include "vfs.h"

#define PSEUDOFS_NAME_MAX 32

/* Which object a node shows: a process, one of its threads, an index in
 * it (an fd number, a CPU). All zero for global files. */
struct pseudofs_key {
	int pid;
	int tid;
	uint32_t idx;		/* < 4096: it is part of the inode number */
	uint64_t gen;		/* tells a reused pid from the old one */
};

struct pseudofs_type;

struct pseudofs_node {
	struct inode inode;		/* first: nodes are their inodes */
	const struct pseudofs_type *type;
	struct pseudofs_node *parent;	/* referenced; NULL at the root */
	struct pseudofs_key key;
	char name[PSEUDOFS_NAME_MAX];
	void *priv;			/* the type's (release frees it) */
};

/* A dynamic entry of a directory, as dyn_next and dyn_lookup give it. */
struct pseudofs_child {
	const struct pseudofs_type *type;
	struct pseudofs_key key;
	char name[PSEUDOFS_NAME_MAX];
};

/* A fixed entry; a table of them ends with a NULL name. */
struct pseudofs_entry {
	const char *name;
	const struct pseudofs_type *type;
};

struct pseudofs_type {
	uint8_t id;		/* 1..255, unique in the file system: part
				 * of the inode number */
	uint32_t mode;		/* LINUX_S_IF* type and permission bits */
	/*
	 * Whether the node still shows something (its process lives): 0,
	 * or the error a lookup inside it, an open, a read or a readlink
	 * gives (Linux says ESRCH for a process that is gone; a lookup
	 * that makes the node says ENOENT, a readdir ENOENT). It may set
	 * the inode's owner, permission bits and size. Called when a
	 * lookup makes the node and before each use. NULL: always there,
	 * root's.
	 */
	int (*revalidate)(struct pseudofs_node *n);
	/* Regular files: the contents (an error fails the open or read). */
	int (*show)(struct pseudofs_node *n, struct textbuf *b);
	/* Regular files: takes one write(2)'s bytes; returns the count
	 * taken or an error. NULL: the file cannot be opened for writing
	 * (EACCES, root included, as sysfs does) or, with
	 * PSEUDOFS_WRITE_OPEN_OK, writes fail with EINVAL (procfs). */
	int64_t (*store)(struct pseudofs_node *n, const char *data,
			 size_t len);
	/* Symbolic links: the target. */
	int (*link)(struct pseudofs_node *n, struct textbuf *b);
	/* Symbolic links that are magic (vfs.h's get_link): where
	 * following goes, found in mount @mnt. */
	int (*get_link)(struct pseudofs_node *n, struct vfs_mount *mnt,
			struct vfs_path *out);
	/* The node goes: frees its priv. */
	void (*release)(struct pseudofs_node *n);
	/* Directories: the fixed entries, listed first. */
	const struct pseudofs_entry *entries;
	/*
	 * Directories: the dynamic entries. dyn_next gives the one with
	 * the smallest cursor >= *@cursor and sets *@cursor to it; false
	 * when there is none. dyn_lookup finds one by name: 0 or
	 * -LINUX_ENOENT.
	 */
	bool (*dyn_next)(struct pseudofs_node *dir, uint64_t *cursor,
			 struct pseudofs_child *out);
	int (*dyn_lookup)(struct pseudofs_node *dir, const char *name,
			  size_t len, struct pseudofs_child *out);
};

/* pseudofs_create() flags. */
#define PSEUDOFS_WRITE_OPEN_OK 0x1u	/* files without store open for
					 * writing; writes fail (procfs) */

/*
 * A new instance (one reference) whose root is a directory of type
 * @root (key all zero), reporting @magic as its statfs type. ENOMEM.
 */
int pseudofs_create(const struct pseudofs_type *root, uint32_t magic,
		    unsigned flags, struct vfs_sb **out);
/*
 * A node of @type with @key named @name under @parent (which it
 * references), outside any directory's entries: for a magic link to
 * point at (a pipe behind /proc/<pid>/fd/N). One reference; NULL when
 * out of memory.
 */
struct pseudofs_node *pseudofs_node_create(struct pseudofs_node *parent,
					   const struct pseudofs_type *type,
					   const struct pseudofs_key *key,
					   const char *name);
/* Whether @inode is a node of a pseudofs instance. */
bool pseudofs_is_node(const struct inode *inode);
/* The inode number of a node of type @type id with @key. */
uint64_t pseudofs_ino(uint8_t type_id, const struct pseudofs_key *key);
/* The node of an inode of a pseudofs instance. */
static inline struct pseudofs_node *pseudofs_node(struct inode *inode)
{
	return (struct pseudofs_node *)inode;
}
