/*
 * Tests of remotefs (servers/posix/remotefs.c) against a server that
 * misbehaves: replies the protocol does not allow (directory entries
 * running past the reply, positions that do not move on, more bytes
 * read than asked, a file type that changes) and a server that is gone.
 * Each gives the program a clean error (EIO), never a crash or a loop;
 * and the status codes of the protocol map to the errnos Linux gives.
 * The well-behaved path is test_vfs_remotefs (the whole vfs suite).
 */
#define FX_REMOTEFS 1
#include "check.h"
#include "posix_fixture.h"

#define E(x) (-LINUX_##x)

static int count_entries(struct fx *f, const char *path)
{
	struct file *fl;
	uint8_t buf[4096];
	int64_t n;
	int entries = 0;

	if (vfs_open(&f->ctx, NULL, path, LINUX_O_RDONLY | LINUX_O_DIRECTORY,
		     0, &fl) < 0) {
		return -1000;
	}
	while ((n = fl->ops->getdents(fl, buf, sizeof(buf), &fl->pos)) > 0) {
		for (int64_t at = 0; at < n;) {
			struct linux_dirent64 *d = (void *)(buf + at);

			entries++;
			at += d->d_reclen;
		}
	}
	file_put(fl);
	return n < 0 ? (int)n : entries;
}

/* READDIR replies whose first entry claims a longer name than the
 * reply holds. */
static void mangle_dirent_overrun(struct loopback *lb, uint32_t id,
				  uint8_t *msg, size_t *len)
{
	struct fs_data_reply *rep = (void *)msg;
	(void)lb;
	(void)len;

	if (id == FS_READDIR && rep->hdr.status == 0 && rep->length) {
		((struct fs_dirent *)rep->data)->name_len = 250;
	}
}

/* READDIR replies whose entries do not move the position on. */
static void mangle_dirent_loop(struct loopback *lb, uint32_t id, uint8_t *msg,
			       size_t *len)
{
	struct fs_data_reply *rep = (void *)msg;
	(void)lb;
	(void)len;

	if (id == FS_READDIR && rep->hdr.status == 0 && rep->length) {
		((struct fs_dirent *)rep->data)->next = 0;
	}
}

static void mangle_read_too_much(struct loopback *lb, uint32_t id,
				 uint8_t *msg, size_t *len)
{
	struct fs_io_reply *rep = (void *)msg;
	(void)lb;
	(void)len;

	if (id == FS_READ && rep->hdr.status == 0) {
		rep->done = 1u << 30;
	}
}

/* A reply of the wrong length for its id. */
static void mangle_short_reply(struct loopback *lb, uint32_t id, uint8_t *msg,
			       size_t *len)
{
	(void)lb;
	if (id == FS_LOOKUP && *len > sizeof(struct proto_header) + 8) {
		*len -= 8;
		proto_header_set(msg, id | PROTO_REPLY, *len);
	}
}

/* A server whose file changes type: a regular file reported as a
 * directory on a later lookup keeps its type here. */
static void mangle_type(struct loopback *lb, uint32_t id, uint8_t *msg,
			size_t *len)
{
	struct fs_attr_reply *rep = (void *)msg;
	(void)lb;
	(void)len;

	if (id == FS_LOOKUP && rep->hdr.status == 0 &&
	    LINUX_S_ISREG(rep->attr.mode)) {
		rep->attr.mode = LINUX_S_IFDIR | 0755;
	}
}

TEST(bad_directory_entries_give_eio)
{
	struct fx f;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "d", 0755) == 0);
	REQUIRE(put(&f.ctx, "d/a", "1") == 0);
	CHECK_EQ(count_entries(&f, "d"), 3);
	lb_current->mangle = mangle_dirent_overrun;
	CHECK_EQ(count_entries(&f, "d"), E(EIO));
	lb_current->mangle = mangle_dirent_loop;
	CHECK_EQ(count_entries(&f, "d"), E(EIO));
	lb_current->mangle = NULL;
	CHECK_EQ(count_entries(&f, "d"), 3);
	fx_fini(&f);
}

TEST(bad_read_and_lookup_replies_give_eio)
{
	struct fx f;
	struct linux_stat s;
	char buf[64];

	fx_init(&f);
	REQUIRE(put(&f.ctx, "f", "hello") == 0);
	lb_current->mangle = mangle_read_too_much;
	CHECK_EQ(get(&f.ctx, "f", buf, sizeof(buf)), E(EIO));
	lb_current->mangle = mangle_short_reply;
	CHECK_EQ(st(&f.ctx, "f", &s), E(EIO));
	lb_current->mangle = NULL;
	CHECK_EQ(get(&f.ctx, "f", buf, sizeof(buf)), 5);
	CHECK(strcmp(buf, "hello") == 0);
	fx_fini(&f);
}

TEST(type_never_changes_under_the_vfs)
{
	struct fx f;
	struct file *fl;
	struct linux_stat s;

	fx_init(&f);
	REQUIRE(put(&f.ctx, "f", "x") == 0);
	/* Held open, the inode stays ours; a lying lookup cannot turn it
	 * into a directory. */
	REQUIRE(vfs_open(&f.ctx, NULL, "f", LINUX_O_RDONLY, 0, &fl) == 0);
	lb_current->mangle = mangle_type;
	CHECK_EQ(st(&f.ctx, "f", &s), 0);
	CHECK(LINUX_S_ISREG(s.st_mode));
	lb_current->mangle = NULL;
	file_put(fl);
	fx_fini(&f);
}

TEST(server_gone_gives_eio)
{
	struct fx f;
	struct linux_stat s;
	char buf[16];

	fx_init(&f);
	REQUIRE(put(&f.ctx, "f", "x") == 0);
	lb_current->dead = true;
	CHECK_EQ(st(&f.ctx, "f", &s), E(EIO));
	CHECK_EQ(get(&f.ctx, "f", buf, sizeof(buf)), E(EIO));
	CHECK_EQ(mkd(&f.ctx, "d", 0755), E(EIO));
	CHECK_EQ(put(&f.ctx, "g", "y"), E(EIO));
	/* The root stays: stat of "/" needs no request. */
	CHECK_EQ(st(&f.ctx, "/", &s), 0);
	lb_current->dead = false;
	fx_fini(&f);
}

TEST(forget_returns_references)
{
	struct fx f;
	struct loopback *lb;
	struct file *fl;
	uint64_t before;

	fx_init(&f);
	lb = lb_current;
	REQUIRE(put(&f.ctx, "f", "x") == 0);
	/* Nothing holds f now: its reference went back. */
	CHECK_EQ(fsserve_refs(&lb->srv, ino_of(&f.ctx, "f")), 0);
	/* Open, unlinked: the server keeps the inode until the close. */
	REQUIRE(vfs_open(&f.ctx, NULL, "f", LINUX_O_RDWR, 0, &fl) == 0);
	before = tmpfs_used_inodes(f.sb);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "f", 0), 0);
	CHECK_EQ(tmpfs_used_inodes(f.sb), before);
	CHECK_EQ(fl->ops->write(fl, "abc", 3, &fl->pos), 3);
	file_put(fl);
	CHECK_EQ(tmpfs_used_inodes(f.sb), before - 1);
	fx_fini(&f);
}

TEST(status_codes_map_to_linux_errnos)
{
	CHECK_EQ(remotefs_errno(0), 0);
	CHECK_EQ(remotefs_errno(-ERR_NOT_FOUND), E(ENOENT));
	CHECK_EQ(remotefs_errno(-ERR_EXISTS), E(EEXIST));
	CHECK_EQ(remotefs_errno(-ERR_NOT_DIR), E(ENOTDIR));
	CHECK_EQ(remotefs_errno(-ERR_IS_DIR), E(EISDIR));
	CHECK_EQ(remotefs_errno(-ERR_NOT_EMPTY), E(ENOTEMPTY));
	CHECK_EQ(remotefs_errno(-ERR_NO_SPACE), E(ENOSPC));
	CHECK_EQ(remotefs_errno(-ERR_READ_ONLY), E(EROFS));
	CHECK_EQ(remotefs_errno(-ERR_TOO_MANY), E(EMLINK));
	CHECK_EQ(remotefs_errno(-ERR_ACCESS), E(EACCES));
	CHECK_EQ(remotefs_errno(-ERR_CORRUPT), E(EIO));
	CHECK_EQ(remotefs_errno(-ERR_IO), E(EIO));
	CHECK_EQ(remotefs_errno(-ERR_PEER_CLOSED), E(EIO));
	CHECK_EQ(remotefs_errno(-12345), E(EIO));
}

int main(void)
{
	RUN(bad_directory_entries_give_eio);
	RUN(bad_read_and_lookup_replies_give_eio);
	RUN(type_never_changes_under_the_vfs);
	RUN(server_gone_gives_eio);
	RUN(forget_returns_references);
	RUN(status_codes_map_to_linux_errnos);
	return check_done();
}
