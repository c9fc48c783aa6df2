/*
 * Tests of servers/posix/pseudofs.c over the vfs: a fake generated file
 * system mounted on /p of a tmpfs root, with fixed files, a symlink, a
 * writable file and a directory of "items" that come and go (as /proc's
 * process directories do). Checked: contents made at open and kept for
 * the open file (small reads, lseek), a fresh snapshot on a read from 0,
 * stable inode numbers, readdir positions that survive entries vanishing
 * and appearing mid-listing, vanished items failing lookups, opens and
 * reads, ".." and vfs_path_name() across the mount, writes, truncation,
 * permissions, and what cannot be done (mkdir, chmod, SEEK_END); and
 * the last names tmpfs keeps for files unlinked while open; and
 * execinfo, the record exec leaves for /proc.
 */
#include "check.h"
#include "posix_fixture.h"

#include <stdio.h>

#include "../../servers/posix/execinfo.h"
#include "../../servers/posix/proc.h"
#include "../../servers/posix/pseudofs.h"

#define E(x) (-LINUX_##x)
#define MAGIC 0x12345678u

/* The fake state the files show. */
static unsigned counter;
static char stored[64];
static struct {
	int id;
	uint64_t gen;
	bool live;
} items[8];

static int show_counter(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_printf(b, "counter %u\n", counter);
	return 0;
}

static int show_big(struct pseudofs_node *n, struct textbuf *b)
{
	for (int i = 0; i < 1000; i++) {
		textbuf_printf(b, "line %04d\n", i);
	}
	return 0;
}

static int64_t store_ctl(struct pseudofs_node *n, const char *data,
			 size_t len)
{
	if (len == 0 || data[0] == '!') {
		return E(EINVAL);
	}
	if (len >= sizeof(stored)) {
		len = sizeof(stored) - 1;
	}
	memcpy(stored, data, len);
	stored[len] = '\0';
	return (int64_t)len;
}

static int show_ctl(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, stored);
	return 0;
}

static int link_self(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, "items/3");
	return 0;
}

static int find_item(int id, uint64_t gen)
{
	for (int i = 0; i < 8; i++) {
		if (items[i].live && items[i].id == id &&
		    (gen == 0 || items[i].gen == gen)) {
			return i;
		}
	}
	return -1;
}

static int item_revalidate(struct pseudofs_node *n)
{
	int i = find_item(n->key.pid, n->key.gen);

	if (i < 0) {
		return E(ESRCH);
	}
	n->inode.uid = (uint32_t)(1000 + n->key.pid);
	return 0;
}

static int show_item_id(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_printf(b, "%d\n", n->key.pid);
	return 0;
}

static const struct pseudofs_type item_id_type = {
	.id = 20, .mode = LINUX_S_IFREG | 0444,
	.revalidate = item_revalidate, .show = show_item_id,
};
static const struct pseudofs_type item_secret_type = {
	.id = 21, .mode = LINUX_S_IFREG | 0400,
	.revalidate = item_revalidate, .show = show_item_id,
};
static const struct pseudofs_entry item_entries[] = {
	{ "id", &item_id_type },
	{ "secret", &item_secret_type },
	{ NULL, NULL },
};
static const struct pseudofs_type item_type = {
	.id = 10, .mode = LINUX_S_IFDIR | 0555,
	.revalidate = item_revalidate, .entries = item_entries,
};

static void child_of(int i, struct pseudofs_child *out)
{
	out->type = &item_type;
	memset(&out->key, 0, sizeof(out->key));
	out->key.pid = items[i].id;
	out->key.gen = items[i].gen;
	snprintf(out->name, sizeof(out->name), "%d", items[i].id);
}

static bool items_next(struct pseudofs_node *dir, uint64_t *cursor,
		       struct pseudofs_child *out)
{
	int best = -1;

	for (int i = 0; i < 8; i++) {
		if (items[i].live && (uint64_t)items[i].id >= *cursor &&
		    (best < 0 || items[i].id < items[best].id)) {
			best = i;
		}
	}
	if (best < 0) {
		return false;
	}
	*cursor = (uint64_t)items[best].id;
	child_of(best, out);
	return true;
}

static int items_lookup(struct pseudofs_node *dir, const char *name,
			size_t len, struct pseudofs_child *out)
{
	char buf[16];
	int i;

	if (len >= sizeof(buf)) {
		return E(ENOENT);
	}
	memcpy(buf, name, len);
	buf[len] = '\0';
	i = find_item(atoi(buf), 0);
	if (i < 0) {
		return E(ENOENT);
	}
	child_of(i, out);
	return 0;
}

/* A magic link to /p/items/3 (found through the fixture's root). */
static struct vfs_path magic_target;

static int get_magic(struct pseudofs_node *n, struct vfs_mount *mnt,
		     struct vfs_path *out)
{
	if (!magic_target.inode) {
		return E(ENXIO);
	}
	vfs_path_copy(out, &magic_target);
	return 0;
}

static int link_magic(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, "somewhere:[else]");
	return 0;
}

static const struct pseudofs_type magic_type = {
	.id = 8, .mode = LINUX_S_IFLNK | 0777, .link = link_magic,
	.get_link = get_magic,
};

static const struct pseudofs_type items_type = {
	.id = 3, .mode = LINUX_S_IFDIR | 0555,
	.dyn_next = items_next, .dyn_lookup = items_lookup,
};
static const struct pseudofs_type counter_type = {
	.id = 4, .mode = LINUX_S_IFREG | 0444, .show = show_counter,
};
static const struct pseudofs_type big_type = {
	.id = 5, .mode = LINUX_S_IFREG | 0444, .show = show_big,
};
static const struct pseudofs_type ctl_type = {
	.id = 6, .mode = LINUX_S_IFREG | 0644, .show = show_ctl,
	.store = store_ctl,
};
static const struct pseudofs_type self_type = {
	.id = 7, .mode = LINUX_S_IFLNK | 0777, .link = link_self,
};
static const struct pseudofs_entry root_entries[] = {
	{ "counter", &counter_type },
	{ "big", &big_type },
	{ "ctl", &ctl_type },
	{ "self", &self_type },
	{ "items", &items_type },
	{ "magic", &magic_type },
	{ NULL, NULL },
};
static const struct pseudofs_type root_type = {
	.id = 1, .mode = LINUX_S_IFDIR | 0555, .entries = root_entries,
};

static void set_items(const int *ids, int n)
{
	memset(items, 0, sizeof(items));
	for (int i = 0; i < n; i++) {
		items[i].id = ids[i];
		items[i].gen = 100 + (uint64_t)i;
		items[i].live = true;
	}
}

static void fx_pseudo(struct fx *f, unsigned flags)
{
	struct vfs_sb *sb;
	static const int ids[] = { 3, 7, 12 };

	fx_init(f);
	set_items(ids, 3);
	counter = 0;
	stored[0] = '\0';
	if (mkd(&f->ctx, "/p", 0755) < 0 ||
	    pseudofs_create(&root_type, MAGIC, flags, &sb) < 0 ||
	    vfs_mount_sb(&f->ctx, NULL, "/p", sb, "none", "fake", 0) < 0) {
		abort();
	}
}

static struct file *open_or_null(const struct vfs_ctx *c, const char *path,
				 unsigned flags)
{
	struct file *fl;

	return vfs_open(c, NULL, path, flags, 0, &fl) == 0 ? fl : NULL;
}

TEST(pseudofs_files)
{
	char buf[64];
	struct linux_stat s;
	struct fx f;

	fx_pseudo(&f, 0);
	counter = 5;
	CHECK_EQ(get(&f.ctx, "/p/counter", buf, sizeof(buf)), 10);
	CHECK_STR_EQ(buf, "counter 5\n");
	CHECK_EQ(st(&f.ctx, "/p/counter", &s), 0);
	CHECK_EQ(s.st_mode, LINUX_S_IFREG | 0444);
	CHECK_EQ(s.st_size, 0);
	CHECK_EQ(s.st_ino, pseudofs_ino(4, &(struct pseudofs_key){ 0 }));
	/* The same number at each lookup, another for each file. */
	CHECK_EQ(ino_of(&f.ctx, "/p/counter"), ino_of(&f.ctx, "/p/counter"));
	CHECK(ino_of(&f.ctx, "/p/big") != ino_of(&f.ctx, "/p/counter"));
	CHECK(ino_of(&f.ctx, "/p/items/3") != ino_of(&f.ctx, "/p/items/7"));
	CHECK(ino_of(&f.ctx, "/p/items/3/id") !=
	      ino_of(&f.ctx, "/p/items/7/id"));
	CHECK_EQ(ino_of(&f.ctx, "/p"), 1);
	CHECK_EQ(get(&f.ctx, "/p/items/12/id", buf, sizeof(buf)), 3);
	CHECK_STR_EQ(buf, "12\n");
	/* The owner comes from revalidate. */
	CHECK_EQ(st(&f.ctx, "/p/items/7/id", &s), 0);
	CHECK_EQ(s.st_uid, 1007);
	CHECK_EQ(err_of_stat(&f.ctx, "/p/nothing"), E(ENOENT));
	CHECK_EQ(err_of_stat(&f.ctx, "/p/items/4"), E(ENOENT));
	CHECK_EQ(err_of_stat(&f.ctx, "/p/items/3/nothing"), E(ENOENT));
	CHECK_EQ(err_of_stat(&f.ctx, "/p/counter/x"), E(ENOTDIR));
	fx_fini(&f);
}

TEST(pseudofs_snapshot)
{
	char a[16], b[16], whole[16000];
	struct file *fl;
	struct fx f;
	int64_t n, total = 0;

	fx_pseudo(&f, 0);
	counter = 1;
	fl = open_or_null(&f.ctx, "/p/counter", LINUX_O_RDONLY);
	REQUIRE(fl);
	/* Made at open: a change after it is not seen by this file... */
	counter = 2;
	CHECK_EQ(fl->ops->read(fl, a, 4, &fl->pos), 4);
	counter = 3;
	CHECK_EQ(fl->ops->read(fl, a + 4, sizeof(a) - 5, &fl->pos), 6);
	a[10] = '\0';
	CHECK_STR_EQ(a, "counter 1\n");
	CHECK_EQ(fl->ops->read(fl, a, sizeof(a), &fl->pos), 0);
	/* ... lseek within it rereads the same snapshot ... */
	CHECK_EQ(fl->ops->lseek(fl, 8, LINUX_SEEK_SET), 8);
	CHECK_EQ(fl->ops->read(fl, b, sizeof(b), &fl->pos), 2);
	CHECK(b[0] == '1');
	CHECK_EQ(fl->ops->lseek(fl, -2, LINUX_SEEK_CUR), 8);
	CHECK_EQ(fl->ops->lseek(fl, 0, LINUX_SEEK_END), E(EINVAL));
	CHECK_EQ(fl->ops->lseek(fl, -100, LINUX_SEEK_CUR), E(EINVAL));
	/* ... but a read from 0 after the first makes a new one. */
	CHECK_EQ(fl->ops->lseek(fl, 0, LINUX_SEEK_SET), 0);
	n = fl->ops->read(fl, b, sizeof(b) - 1, &fl->pos);
	CHECK_EQ(n, 10);
	b[n < 0 ? 0 : n] = '\0';
	CHECK_STR_EQ(b, "counter 3\n");
	file_put(fl);

	/* A big file read 7 bytes at a time comes out whole. */
	fl = open_or_null(&f.ctx, "/p/big", LINUX_O_RDONLY);
	REQUIRE(fl);
	while ((n = fl->ops->read(fl, whole + total, 7, &fl->pos)) > 0) {
		total += n;
	}
	CHECK_EQ(total, 10000);
	CHECK(memcmp(whole, "line 0000\nline 0001\n", 20) == 0);
	CHECK(memcmp(whole + 9990, "line 0999\n", 10) == 0);
	file_put(fl);
	fx_fini(&f);
}

/* Reads every entry name of @fl with a buffer of @bufsize into @names
 * (joined by spaces), calling @between after the first batch. */
static void list_dir(struct file *fl, size_t bufsize, char *names,
		     size_t cap, void (*between)(void))
{
	uint8_t buf[512];
	bool first = true;
	int64_t n;

	names[0] = '\0';
	while ((n = fl->ops->getdents(fl, buf, bufsize, &fl->pos)) > 0) {
		for (size_t off = 0; off < (size_t)n;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			if (names[0]) {
				strncat(names, " ", cap - strlen(names) - 1);
			}
			strncat(names, d->d_name, cap - strlen(names) - 1);
			off += d->d_reclen;
		}
		if (first && between) {
			between();
		}
		first = false;
	}
}

static void churn(void)
{
	/* 3 and 7 were listed and go; 5 comes before the cursor, 9 and
	 * 20 after it; 12 stays. */
	items[0].live = false;
	items[1].live = false;
	items[3] = (typeof(items[3])){ 5, 200, true };
	items[4] = (typeof(items[4])){ 9, 201, true };
	items[5] = (typeof(items[5])){ 20, 202, true };
}

TEST(pseudofs_readdir)
{
	char names[512];
	uint8_t buf[256];
	struct file *fl;
	struct fx f;

	fx_pseudo(&f, 0);
	fl = open_or_null(&f.ctx, "/p", LINUX_O_RDONLY | LINUX_O_DIRECTORY);
	REQUIRE(fl);
	list_dir(fl, sizeof(buf), names, sizeof(names), NULL);
	CHECK_STR_EQ(names, ". .. counter big ctl self items magic");
	/* Types and numbers as stat gives them. */
	fl->pos = 0;
	{
		int64_t n = fl->ops->getdents(fl, buf, sizeof(buf), &fl->pos);
		size_t off = 0;

		CHECK(n > 0);
		while (n > 0 && off < (size_t)n) {
			struct linux_dirent64 *d = (void *)(buf + off);

			if (!strcmp(d->d_name, "self")) {
				CHECK_EQ(d->d_type, LINUX_DT_LNK);
			}
			if (!strcmp(d->d_name, "items")) {
				CHECK_EQ(d->d_type, LINUX_DT_DIR);
				CHECK_EQ(d->d_ino, ino_of(&f.ctx, "/p/items"));
			}
			if (!strcmp(d->d_name, "big")) {
				CHECK_EQ(d->d_type, LINUX_DT_REG);
			}
			off += d->d_reclen;
		}
	}
	file_put(fl);

	fl = open_or_null(&f.ctx, "/p/items", LINUX_O_RDONLY);
	REQUIRE(fl);
	list_dir(fl, sizeof(buf), names, sizeof(names), NULL);
	CHECK_STR_EQ(names, ". .. 3 7 12");
	file_put(fl);

	/* Entries vanish and appear between two getdents calls that each
	 * take four records: nothing comes twice, the new ones after the
	 * cursor come, the one before it does not. */
	fl = open_or_null(&f.ctx, "/p/items", LINUX_O_RDONLY);
	REQUIRE(fl);
	list_dir(fl, 96, names, sizeof(names), churn);
	CHECK_STR_EQ(names, ". .. 3 7 9 12 20");
	file_put(fl);

	/* A vanished item's directory, still open, has nothing to read. */
	{
		static const int ids[] = { 3 };

		set_items(ids, 1);
		fl = open_or_null(&f.ctx, "/p/items/3", LINUX_O_RDONLY);
		REQUIRE(fl);
		items[0].live = false;
		CHECK_EQ(fl->ops->getdents(fl, buf, sizeof(buf), &fl->pos),
			 E(ENOENT));
		file_put(fl);
	}
	fx_fini(&f);
}

TEST(pseudofs_vanishing)
{
	char buf[32];
	struct vfs_path held, again;
	struct file *fl;
	struct fx f;

	fx_pseudo(&f, 0);
	REQUIRE(vfs_lookup(&f.ctx, NULL, "/p/items/7", VFS_LOOKUP_FOLLOW,
			   &held) == 0);
	fl = open_or_null(&f.ctx, "/p/items/7/id", LINUX_O_RDONLY);
	REQUIRE(fl);
	/* Item 7 goes; a new item takes its id (a reused pid). */
	items[1].live = false;
	CHECK_EQ(err_of_stat(&f.ctx, "/p/items/7"), E(ENOENT));
	/* Inside the stale directory: the type's error (Linux's ESRCH). */
	CHECK_EQ(vfs_lookup(&f.ctx, &held, "id", 0, &again), E(ESRCH));
	CHECK_EQ(op(&f.ctx, "/p/items/7/id", LINUX_O_RDONLY, 0), E(ENOENT));
	/* The open file keeps its snapshot until it asks for a new one. */
	CHECK_EQ(fl->ops->read(fl, buf, sizeof(buf), &fl->pos), 2);
	CHECK_EQ(fl->ops->lseek(fl, 0, LINUX_SEEK_SET), 0);
	CHECK_EQ(fl->ops->read(fl, buf, sizeof(buf), &fl->pos), E(ESRCH));
	items[6] = (typeof(items[6])){ 7, 999, true };
	CHECK_EQ(err_of_stat(&f.ctx, "/p/items/7/id"), 0);
	/* The old directory does not show the new item. */
	CHECK_EQ(vfs_lookup(&f.ctx, &held, "id", 0, &again), E(ESRCH));
	file_put(fl);
	vfs_path_put(&held);
	fx_fini(&f);
}

TEST(pseudofs_links_and_paths)
{
	char buf[128];
	struct vfs_path p, root;
	struct fx f;

	fx_pseudo(&f, 0);
	CHECK_EQ(vfs_readlinkat(&f.ctx, NULL, "/p/self", buf, sizeof(buf)), 7);
	CHECK(memcmp(buf, "items/3", 7) == 0);
	/* Cut to the caller's buffer, as readlink(2) does. */
	CHECK_EQ(vfs_readlinkat(&f.ctx, NULL, "/p/self", buf, 3), 3);
	CHECK_EQ(vfs_readlinkat(&f.ctx, NULL, "/p/counter", buf, 10), E(EINVAL));
	/* Followed like any symlink. */
	CHECK_EQ(get(&f.ctx, "/p/self/id", buf, sizeof(buf)), 2);
	CHECK_STR_EQ(buf, "3\n");
	/* Paths back up through the mount. */
	REQUIRE(vfs_lookup(&f.ctx, NULL, "/p/self/id", VFS_LOOKUP_FOLLOW,
			   &p) == 0);
	CHECK_EQ(vfs_path_name(&f.root, &p, false, buf, sizeof(buf)),
		 (int)strlen("/p/items/3/id"));
	CHECK_STR_EQ(buf, "/p/items/3/id");
	vfs_path_put(&p);
	/* ".." climbs out of the pseudo file system into tmpfs. */
	REQUIRE(vfs_lookup(&f.ctx, NULL, "/p/items/3/../../..",
			   VFS_LOOKUP_FOLLOW, &root) == 0);
	CHECK(vfs_path_equal(&root, &f.root));
	vfs_path_put(&root);
	REQUIRE(fx_chdir(&f, "/p/items/12") == 0);
	CHECK_EQ(vfs_getcwd(&f.ctx, buf, sizeof(buf)), 12);
	CHECK_STR_EQ(buf, "/p/items/12");
	CHECK_EQ(get(&f.ctx, "id", buf, sizeof(buf)), 3);
	fx_fini(&f);
}

TEST(pseudofs_writes)
{
	char buf[64];
	struct linux_statfs sfs;
	struct file *fl;
	struct fx f;

	fx_pseudo(&f, 0);
	fl = open_or_null(&f.ctx, "/p/ctl",
			  LINUX_O_WRONLY | LINUX_O_CREAT | LINUX_O_TRUNC);
	REQUIRE(fl);
	CHECK_EQ(fl->ops->write(fl, "on\n", 3, &fl->pos), 3);
	CHECK_EQ(fl->ops->write(fl, "!bad", 4, &fl->pos), E(EINVAL));
	CHECK_EQ(fl->ops->read(fl, buf, sizeof(buf), &fl->pos), E(EBADF));
	file_put(fl);
	CHECK_EQ(get(&f.ctx, "/p/ctl", buf, sizeof(buf)), 3);
	CHECK_STR_EQ(buf, "on\n");
	/* Owner's bits: others may not write. */
	CHECK_EQ(op(&f.user, "/p/ctl", LINUX_O_WRONLY, 0), E(EACCES));
	/* A file without a store op refuses writers, root included. */
	CHECK_EQ(op(&f.ctx, "/p/counter", LINUX_O_WRONLY, 0), E(EACCES));
	CHECK_EQ(op(&f.ctx, "/p/counter", LINUX_O_RDWR, 0), E(EACCES));
	/* Mode bits hold for reads too. */
	CHECK_EQ(op(&f.user, "/p/items/3/secret", LINUX_O_RDONLY, 0),
		 E(EACCES));
	CHECK_EQ(op(&f.ctx, "/p/items/3/secret", LINUX_O_RDONLY, 0), 0);
	/* Nothing can be made, changed or removed. */
	CHECK_EQ(mkd(&f.ctx, "/p/newdir", 0755), E(EPERM));
	CHECK_EQ(op(&f.ctx, "/p/newfile", LINUX_O_WRONLY | LINUX_O_CREAT,
		    0644), E(EPERM));
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "/p/counter", 0), E(EPERM));
	CHECK_EQ(vfs_fchmodat(&f.ctx, NULL, "/p/counter", 0666, 0), E(EPERM));
	CHECK_EQ(vfs_statfs(&f.ctx, NULL, "/p/items", &sfs), 0);
	CHECK_EQ(sfs.f_type, MAGIC);
	fx_fini(&f);

	/* procfs's rule: writers may open, their writes fail. */
	fx_pseudo(&f, PSEUDOFS_WRITE_OPEN_OK);
	fl = open_or_null(&f.ctx, "/p/counter", LINUX_O_WRONLY);
	REQUIRE(fl);
	CHECK_EQ(fl->ops->write(fl, "1", 1, &fl->pos), E(EINVAL));
	file_put(fl);
	fx_fini(&f);
}

/* Magic links: following goes where get_link says, whatever the text
 * readlink gives; the walk goes on from there. */
TEST(pseudofs_magic_links)
{
	char buf[64];
	struct linux_stat s;
	struct vfs_path p;
	struct file *fl;
	struct fx f;

	fx_pseudo(&f, 0);
	REQUIRE(vfs_lookup(&f.ctx, NULL, "/p/items/3", 0, &magic_target) == 0);
	CHECK_EQ(vfs_readlinkat(&f.ctx, NULL, "/p/magic", buf, sizeof(buf)),
		 16);
	CHECK_EQ(st(&f.ctx, "/p/magic", &s), 0);
	CHECK_EQ(s.st_ino, ino_of(&f.ctx, "/p/items/3"));
	CHECK_EQ(lst(&f.ctx, "/p/magic", &s), 0);
	CHECK(LINUX_S_ISLNK(s.st_mode));
	CHECK_EQ(get(&f.ctx, "/p/magic/id", buf, sizeof(buf)), 2);
	CHECK_STR_EQ(buf, "3\n");
	/* O_CREAT follows it too (then finds a directory). */
	CHECK_EQ(op(&f.ctx, "/p/magic", LINUX_O_WRONLY | LINUX_O_CREAT, 0644),
		 E(EISDIR));
	CHECK_EQ(op(&f.ctx, "/p/magic", LINUX_O_RDONLY | LINUX_O_NOFOLLOW, 0),
		 E(ELOOP));
	REQUIRE(vfs_lookup(&f.ctx, NULL, "/p/magic/..", 0, &p) == 0);
	CHECK_EQ(p.inode->ino, ino_of(&f.ctx, "/p/items"));
	vfs_path_put(&p);
	fl = open_or_null(&f.ctx, "/p/magic", LINUX_O_RDONLY);
	CHECK(fl && fl->inode == magic_target.inode);
	file_put(fl);
	/* Its error when it leads nowhere. */
	vfs_path_put(&magic_target);
	CHECK_EQ(err_of_stat(&f.ctx, "/p/magic"), E(ENXIO));
	CHECK_EQ(lst(&f.ctx, "/p/magic", &s), 0);
	fx_fini(&f);
}

/* What /proc shows of files unlinked while open: tmpfs keeps their last
 * name for vfs_path_name(). */
TEST(deleted_names)
{
	struct vfs_path f1, f2, dir;
	char buf[128];
	struct fx f;

	fx_init(&f);
	REQUIRE(mkd(&f.ctx, "/d", 0755) == 0);
	REQUIRE(mkd(&f.ctx, "/d/sub", 0755) == 0);
	REQUIRE(put(&f.ctx, "/d/f", "x") == 0);
	REQUIRE(put(&f.ctx, "/d/g", "x") == 0);
	REQUIRE(put(&f.ctx, "/d/h", "x") == 0);
	REQUIRE(vfs_lookup(&f.ctx, NULL, "/d/f", 0, &f1) == 0);
	REQUIRE(vfs_lookup(&f.ctx, NULL, "/d/g", 0, &f2) == 0);
	REQUIRE(vfs_lookup(&f.ctx, NULL, "/d/sub", 0, &dir) == 0);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "/d/f", 0), 0);
	CHECK_EQ(vfs_path_name(&f.root, &f1, true, buf, sizeof(buf)), 14);
	CHECK_STR_EQ(buf, "/d/f (deleted)");
	CHECK_EQ(vfs_path_name(&f.root, &f1, false, buf, sizeof(buf)),
		 E(ENOENT));
	/* Replaced by a rename: the old file keeps the name it lost. */
	CHECK_EQ(vfs_renameat2(&f.ctx, NULL, "/d/h", NULL, "/d/g", 0), 0);
	CHECK_EQ(vfs_path_name(&f.root, &f2, true, buf, sizeof(buf)), 14);
	CHECK_STR_EQ(buf, "/d/g (deleted)");
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "/d/sub", LINUX_AT_REMOVEDIR), 0);
	CHECK_EQ(vfs_path_name(&f.root, &dir, true, buf, sizeof(buf)), 16);
	CHECK_STR_EQ(buf, "/d/sub (deleted)");
	/* A name taken again by another file does not confuse them. */
	REQUIRE(put(&f.ctx, "/d/f", "y") == 0);
	CHECK_EQ(vfs_path_name(&f.root, &f1, true, buf, sizeof(buf)), 14);
	CHECK(ino_of(&f.ctx, "/d/f") != f1.inode->ino);
	/* The directory holding the last names can go too. */
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "/d/f", 0), 0);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "/d/g", 0), 0);
	CHECK_EQ(vfs_unlinkat(&f.ctx, NULL, "/d", LINUX_AT_REMOVEDIR), 0);
	CHECK_EQ(vfs_path_name(&f.root, &f1, true, buf, sizeof(buf)),
		 E(ENOENT));
	vfs_path_put(&f1);
	vfs_path_put(&f2);
	vfs_path_put(&dir);
	fx_fini(&f);
}

/* What exec records for /proc: strings packed with their NULs and cut
 * at the limit, the program found again with symlinks followed. */
TEST(execinfo_records)
{
	char *argv[] = { "prog", "", "a b", NULL };
	char *none[] = { NULL };
	char big[5000], *bigv[] = { "x", big, "never", NULL };
	struct execinfo *info;
	struct lproc *p = calloc(1, sizeof(*p));
	char buf[64], *out;
	size_t len;
	struct fx f;

	CHECK_EQ(execinfo_pack(argv, 100, &out, &len), 0);
	CHECK_EQ(len, 10);
	CHECK(out && memcmp(out, "prog\0\0a b\0", 10) == 0);
	free(out);
	/* Cut at the limit, inside a string. */
	CHECK_EQ(execinfo_pack(argv, 7, &out, &len), 0);
	CHECK_EQ(len, 7);
	CHECK(out && memcmp(out, "prog\0\0a", 7) == 0);
	free(out);
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_EQ(execinfo_pack(bigv, EXECINFO_STRINGS_MAX, &out, &len), 0);
	CHECK_EQ(len, EXECINFO_STRINGS_MAX);
	CHECK(out && out[0] == 'x' && out[1] == '\0' && out[len - 1] == 'y');
	free(out);
	CHECK_EQ(execinfo_pack(none, 100, &out, &len), 0);
	CHECK(out == NULL && len == 0);
	CHECK_EQ(execinfo_pack(NULL, 100, &out, &len), 0);
	CHECK(out == NULL && len == 0);

	fx_init(&f);
	REQUIRE(p);
	REQUIRE(mkd(&f.ctx, "/bin", 0755) == 0);
	REQUIRE(put(&f.ctx, "/bin/busybox", "elf") == 0);
	REQUIRE(vfs_symlinkat(&f.ctx, "busybox", NULL, "/bin/ls") == 0);
	vfs_path_copy(&p->root, &f.root);
	vfs_path_copy(&p->cwd, &f.root);
	REQUIRE(fx_chdir(&f, "/bin") == 0);
	vfs_path_put(&p->cwd);
	vfs_path_copy(&p->cwd, &f.cwd);
	info = execinfo_create(p, "ls", argv, none);
	REQUIRE(info);
	CHECK_STR_EQ(info->path, "ls");
	CHECK_EQ(info->args_len, 10);
	CHECK(info->env == NULL && info->env_len == 0);
	REQUIRE(info->exe.inode);
	CHECK_EQ(vfs_path_name(&f.root, &info->exe, true, buf, sizeof(buf)),
		 12);
	CHECK_STR_EQ(buf, "/bin/busybox");
	/* Shared (fork) until the last put. */
	CHECK(execinfo_get(info) == info);
	execinfo_put(info);
	execinfo_put(info);
	/* A program that cannot be found again leaves exe cleared. */
	info = execinfo_create(p, "/nowhere", argv, NULL);
	REQUIRE(info);
	CHECK(info->exe.inode == NULL);
	execinfo_put(info);
	execinfo_put(NULL);
	vfs_path_put(&p->root);
	vfs_path_put(&p->cwd);
	free(p);
	fx_fini(&f);
}

int main(void)
{
	RUN(pseudofs_files);
	RUN(pseudofs_snapshot);
	RUN(pseudofs_readdir);
	RUN(pseudofs_vanishing);
	RUN(pseudofs_links_and_paths);
	RUN(pseudofs_writes);
	RUN(pseudofs_magic_links);
	RUN(deleted_names);
	RUN(execinfo_records);
	return check_done();
}
