/*
 * Tests of lib/fsserve (the server side of the file-system protocol)
 * against a hostile client: requests before ATTACH or a second ATTACH,
 * lengths that disagree with their tails, names with '/' or NUL, "." and
 * ".." where a new name belongs, inode numbers the client holds no
 * reference to, transfer ranges outside the area, FORGET of more than
 * was given, changes to a read-only mount, type fields that are no file
 * type; then random requests. Each gets an error reply of the right
 * frame and the server goes on. The served file system is tmpfs
 * (fs_loopback.h); well-formed use is test_vfs_remotefs.
 */
#define FX_REMOTEFS 1
#include "check.h"
#include "posix_fixture.h"
#include "rng.h"

static _Alignas(8) uint8_t reply[FSSERVE_REPLY_MAX + 64];

/* Sends @len bytes at @msg (header filled with @id and @len) straight to
 * the fixture's server; returns the reply's status (checked framed). */
static int64_t raw(struct fsserve *s, uint32_t id, void *msg, size_t len)
{
	size_t rlen;
	int64_t st;

	proto_header_set(msg, id, len);
	rlen = fsserve_handle(s, msg, len, NULL, 0, reply, sizeof(reply));
	st = proto_frame_check(reply, rlen);
	if (st == -(int64_t)ERR_CORRUPT ||
	    ((struct proto_header *)reply)->id != (id | PROTO_REPLY)) {
		return 1000;	/* a malformed reply: never expected */
	}
	return st;
}

static fs_ino root_ino(struct fx *f)
{
	return f->sb->root->ino;
}

TEST(attach_rules)
{
	struct fsserve s;
	struct fs_attach a;
	struct fs_ino_req g;
	uint8_t area[8192];
	size_t rlen;

	fsserve_init(&s, &memfs_ops, NULL, 1, false, 4096, 1u << 30);
	memset(&g, 0, sizeof(g));
	g.ino = 1;
	CHECK_EQ(raw(&s, FS_GETATTR, &g, sizeof(g)), -ERR_BAD_STATE);
	memset(&a, 0, sizeof(a));
	a.xfer_size = 8192;
	/* No area mapped (no memory object came). */
	CHECK_EQ(raw(&s, FS_ATTACH, &a, sizeof(a)), -ERR_INVALID);
	/* An area bigger than what is mapped, or not page-sized. */
	proto_header_set(&a, FS_ATTACH, sizeof(a));
	a.xfer_size = 16384;
	rlen = fsserve_handle(&s, &a, sizeof(a), area, sizeof(area), reply,
			      sizeof(reply));
	CHECK_EQ(proto_frame_check(reply, rlen), -ERR_INVALID);
	a.xfer_size = 6000;
	rlen = fsserve_handle(&s, &a, sizeof(a), area, sizeof(area), reply,
			      sizeof(reply));
	CHECK_EQ(proto_frame_check(reply, rlen), -ERR_INVALID);
	a.xfer_size = 8192;
	a.flags = 0x80;
	rlen = fsserve_handle(&s, &a, sizeof(a), area, sizeof(area), reply,
			      sizeof(reply));
	CHECK_EQ(proto_frame_check(reply, rlen), -ERR_INVALID);
	CHECK(!s.attached);
}

TEST(second_attach_refused)
{
	struct fx f;
	struct fs_attach a;

	fx_init(&f);
	memset(&a, 0, sizeof(a));
	a.xfer_size = 8192;
	proto_header_set(&a, FS_ATTACH, sizeof(a));
	{
		size_t rlen = fsserve_handle(&lb_current->srv, &a, sizeof(a),
					     lb_current->area, LB_XFER, reply,
					     sizeof(reply));

		CHECK_EQ(proto_frame_check(reply, rlen), -ERR_BAD_STATE);
	}
	fx_fini(&f);
}

TEST(names_checked)
{
	struct fx f;
	struct fsserve *s;
	uint8_t buf[512];
	struct fs_name_req *q = (void *)buf;
	struct fs_create *c = (void *)buf;
	static const char *bad[] = { "a/b", ".", "..", "" };

	fx_init(&f);
	s = &lb_current->srv;
	for (unsigned i = 0; i < 4; i++) {
		size_t n = strlen(bad[i]);

		memset(buf, 0, sizeof(buf));
		c->dir = root_ino(&f);
		c->mode = LINUX_S_IFREG | 0644;
		c->name_len = (uint32_t)n;
		memcpy(c->tail, bad[i], n);
		CHECK_EQ(raw(s, FS_CREATE, c, FS_CREATE_SIZE(n, 0)),
			 -ERR_INVALID);
		memset(buf, 0, sizeof(buf));
		q->dir = root_ino(&f);
		q->name_len = (uint32_t)n;
		memcpy(q->name, bad[i], n);
		CHECK_EQ(raw(s, FS_UNLINK, q, FS_NAME_REQ_SIZE(n)),
			 -ERR_INVALID);
	}
	/* A NUL inside a name; a name longer than Linux allows. */
	memset(buf, 0, sizeof(buf));
	q->dir = root_ino(&f);
	q->name_len = 3;
	memcpy(q->name, "a\0b", 3);
	CHECK_EQ(raw(s, FS_LOOKUP, q, FS_NAME_REQ_SIZE(3)), -ERR_INVALID);
	q->name_len = 256;
	memset(q->name, 'x', 256);
	CHECK_EQ(raw(s, FS_LOOKUP, q, FS_NAME_REQ_SIZE(256)), -ERR_INVALID);
	/* Lengths that disagree with the tail. */
	q->name_len = 5;
	CHECK_EQ(raw(s, FS_LOOKUP, q, FS_NAME_REQ_SIZE(4)), -ERR_INVALID);
	q->name_len = 0xffffffffu;
	CHECK_EQ(raw(s, FS_LOOKUP, q, FS_NAME_REQ_SIZE(4)), -ERR_INVALID);
	/* "." and ".." may be looked up. */
	q->name_len = 2;
	memcpy(q->name, "..", 2);
	CHECK_EQ(raw(s, FS_LOOKUP, q, FS_NAME_REQ_SIZE(2)), 0);
	fx_fini(&f);
}

TEST(inodes_must_be_held)
{
	struct fx f;
	struct fsserve *s;
	struct fs_ino_req g;
	struct fs_forget fo;
	uint64_t ino;

	fx_init(&f);
	s = &lb_current->srv;
	REQUIRE(put(&f.ctx, "f", "data") == 0);
	ino = ino_of(&f.ctx, "f");	/* looked up and forgotten again */
	CHECK_EQ(fsserve_refs(s, ino), 0);
	memset(&g, 0, sizeof(g));
	g.ino = ino;
	CHECK_EQ(raw(s, FS_GETATTR, &g, sizeof(g)), -ERR_NOT_FOUND);
	g.ino = 0xdeadbeef;
	CHECK_EQ(raw(s, FS_READLINK, &g, sizeof(g)), -ERR_NOT_FOUND);
	/* FORGET: of nothing, of more than held, of zero. */
	memset(&fo, 0, sizeof(fo));
	fo.ino = ino;
	fo.count = 1;
	CHECK_EQ(raw(s, FS_FORGET, &fo, sizeof(fo)), -ERR_INVALID);
	fo.ino = root_ino(&f);
	fo.count = 1000;
	CHECK_EQ(raw(s, FS_FORGET, &fo, sizeof(fo)), -ERR_INVALID);
	fo.count = 0;
	CHECK_EQ(raw(s, FS_FORGET, &fo, sizeof(fo)), -ERR_INVALID);
	CHECK(fsserve_refs(s, root_ino(&f)) >= 1);
	fx_fini(&f);
}

TEST(transfer_ranges_checked)
{
	struct fx f;
	struct fsserve *s;
	struct fs_io io;

	fx_init(&f);
	s = &lb_current->srv;
	memset(&io, 0, sizeof(io));
	io.ino = root_ino(&f);
	io.xfer_off = LB_XFER - 10;
	io.length = 11;
	CHECK_EQ(raw(s, FS_READ, &io, sizeof(io)), -ERR_INVALID);
	io.xfer_off = UINT64_MAX - 5;
	io.length = 10;
	CHECK_EQ(raw(s, FS_WRITE, &io, sizeof(io)), -ERR_INVALID);
	io.xfer_off = 0;
	io.length = FS_IO_MAX + 1;
	CHECK_EQ(raw(s, FS_READ, &io, sizeof(io)), -ERR_INVALID);
	/* In range, but a directory. */
	io.length = 10;
	CHECK_EQ(raw(s, FS_READ, &io, sizeof(io)), -ERR_IS_DIR);
	fx_fini(&f);
}

TEST(types_checked)
{
	struct fx f;
	struct fsserve *s;
	uint8_t buf[512];
	struct fs_create *c = (void *)buf;

	fx_init(&f);
	s = &lb_current->srv;
	memset(buf, 0, sizeof(buf));
	c->dir = root_ino(&f);
	c->name_len = 1;
	c->tail[0] = 'x';
	c->mode = 0170000 | 0644;	/* no such type */
	CHECK_EQ(raw(s, FS_CREATE, c, FS_CREATE_SIZE(1, 0)), -ERR_INVALID);
	c->mode = LINUX_S_IFDIR | 0755;	/* a directory needs MKDIR */
	CHECK_EQ(raw(s, FS_CREATE, c, FS_CREATE_SIZE(1, 0)), -ERR_INVALID);
	c->mode = LINUX_S_IFREG | 0644;	/* MKDIR of a file */
	CHECK_EQ(raw(s, FS_MKDIR, c, FS_CREATE_SIZE(1, 0)), -ERR_INVALID);
	c->mode = LINUX_S_IFLNK | 0777;	/* a symlink with no target */
	CHECK_EQ(raw(s, FS_SYMLINK, c, FS_CREATE_SIZE(1, 0)), -ERR_INVALID);
	c->mode = LINUX_S_IFREG | 010000 | 07777 | 0x10000000;
	CHECK_EQ(raw(s, FS_CREATE, c, FS_CREATE_SIZE(1, 0)), -ERR_INVALID);
	c->mode = LINUX_S_IFREG | 0644;
	CHECK_EQ(raw(s, FS_CREATE, c, FS_CREATE_SIZE(1, 0)), 0);
	CHECK_EQ(raw(s, FS_CREATE, c, FS_CREATE_SIZE(1, 0)), -ERR_EXISTS);
	fx_fini(&f);
}

TEST(read_only_mount)
{
	struct fx f;
	struct fsserve *s;
	struct fs_setattr sa;
	uint8_t buf[512];
	struct fs_create *c = (void *)buf;

	fx_init(&f);
	s = &lb_current->srv;
	s->client_ro = true;	/* as an ATTACH with FS_MOUNT_RDONLY */
	memset(buf, 0, sizeof(buf));
	c->dir = root_ino(&f);
	c->name_len = 1;
	c->tail[0] = 'x';
	c->mode = LINUX_S_IFREG | 0644;
	CHECK_EQ(raw(s, FS_CREATE, c, FS_CREATE_SIZE(1, 0)), -ERR_READ_ONLY);
	memset(&sa, 0, sizeof(sa));
	sa.ino = root_ino(&f);
	sa.valid = FS_SET_MODE;
	sa.mode = 0700;
	CHECK_EQ(raw(s, FS_SETATTR, &sa, sizeof(sa)), -ERR_READ_ONLY);
	s->client_ro = false;
	sa.mode = 0170755;		/* type bits in a mode change */
	CHECK_EQ(raw(s, FS_SETATTR, &sa, sizeof(sa)), -ERR_INVALID);
	fx_fini(&f);
}

TEST(random_requests)
{
	struct fx f;
	struct fsserve *s;
	uint8_t msg[1024];
	unsigned bad_replies = 0;

	rng_seed(0x5eed);
	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "d", 0755) == 0);
	REQUIRE(put(&f.ctx, "d/f", "hello") == 0);
	s = &lb_current->srv;
	for (unsigned i = 0; i < 200000; i++) {
		uint32_t id = PROTO_ID(FS_PROTOCOL, rng_next() % 21);
		size_t len = 16 + rng_next() % (sizeof(msg) - 16);

		for (size_t j = 16; j < len; j++) {
			msg[j] = (uint8_t)rng_next();
		}
		/* Often a real inode number where one belongs. */
		if (len >= 24 && rng_next() % 2) {
			uint64_t ino = root_ino(&f);

			memcpy(msg + 16, &ino, 8);
		}
		if (id == FS_FORGET) {
			continue;	/* would take the root away */
		}
		if (raw(s, id, msg, len) == 1000) {
			bad_replies++;
		}
	}
	CHECK_EQ(bad_replies, 0);
	/* Still serving. */
	{
		char buf[16];

		CHECK_EQ(get(&f.ctx, "d/f", buf, sizeof(buf)), 5);
	}
	fx_fini(&f);
}

int main(void)
{
	RUN(attach_rules);
	RUN(second_attach_refused);
	RUN(names_checked);
	RUN(inodes_must_be_held);
	RUN(transfer_ranges_checked);
	RUN(types_checked);
	RUN(read_only_mount);
	RUN(random_requests);
	return check_done();
}
