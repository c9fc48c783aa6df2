/*
 * Memory: anonymous mmap (hints, MAP_FIXED replacing, MAP_FIXED_NOREPLACE,
 * big reservations), munmap splitting a mapping, mprotect (faults,
 * PROT_EXEC, no-execute), mremap (in place, moving, MREMAP_FIXED),
 * madvise (MADV_DONTNEED zeroes private anonymous memory, refetches file
 * pages, keeps shared ones), MAP_SHARED and MAP_PRIVATE across fork,
 * file-backed private and shared mappings of a tmpfs file (offsets, the
 * page past the end, SIGBUS beyond it), /dev/zero; with the errors for
 * bad lengths, flags, descriptors and ranges.
 *
 * Accesses that should fault are made in a child process, whose death
 * by the right signal is the check.
 */
#include <sys/mman.h>
#include <sys/syscall.h>

#include "lt.h"

#define PAGE 4096ul

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

static void *map_anon(void *hint, size_t len, int prot, int flags)
{
	return mmap(hint, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

static bool all_bytes(const unsigned char *p, size_t len, unsigned char v)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != v) {
			return false;
		}
	}
	return true;
}

/* Runs an access of @addr (a read, or a write when @write) in a child;
 * returns the signal that killed it, 0 if it lived. */
static int access_signal(volatile unsigned char *addr, bool write)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (write) {
			*addr = 1;
		} else {
			(void)*addr;
		}
		_exit(0);
	}
	st = lt_wait(pid);
	return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

/* ---- anonymous mappings ---- */

static void case_mmap_anon(void)
{
	unsigned char *p, *q, *r;

	p = map_anon(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(p, 'a', 3 * PAGE);
	/* MAP_FIXED replaces what is there, and only that */
	q = map_anon(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_FIXED);
	LT_CHECK("map_fixed_at_address", q == p + PAGE);
	LT_CHECK("map_fixed_new_page_zero", all_bytes(q, PAGE, 0));
	LT_CHECK("map_fixed_neighbours_kept",
		 all_bytes(p, PAGE, 'a') && all_bytes(p + 2 * PAGE, PAGE, 'a'));
	LT_ERRNO("map_fixed_noreplace_taken",
		 map_anon(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE),
		 EEXIST);
	LT_CHECK("map_fixed_noreplace_kept", p[0] == 'a');

	/* a free hint is taken */
	munmap(p, 3 * PAGE);
	r = map_anon(p, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	LT_CHECK("mmap_free_hint_taken", r == p);
	munmap(r, PAGE);
	r = map_anon(p + 1, PAGE, PROT_READ, MAP_PRIVATE);
	LT_CHECK("mmap_unaligned_hint", r != MAP_FAILED &&
						((uintptr_t)r & (PAGE - 1)) == 0);
	munmap(r, PAGE);
	r = map_anon(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE);
	LT_CHECK("map_fixed_noreplace_free", r == p);
	munmap(r, PAGE);

	/* a big reservation costs nothing until touched */
	p = map_anon(NULL, 1ul << 30, PROT_NONE, MAP_PRIVATE | MAP_NORESERVE);
	LT_CHECK("mmap_1g_reserve", p != MAP_FAILED);
	if (p != MAP_FAILED) {
		LT_EXPECT("mprotect_inside_reserve",
			  mprotect(p + (512ul << 20), PAGE,
				   PROT_READ | PROT_WRITE),
			  0);
		p[(512ul << 20) + 5] = 7;
		LT_EXPECT("reserve_page_usable", p[(512ul << 20) + 5], 7);
		LT_EXPECT("munmap_reserve", munmap(p, 1ul << 30), 0);
	}
	p = map_anon(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_POPULATE);
	LT_CHECK("map_populate", p != MAP_FAILED && all_bytes(p, 4 * PAGE, 0));
	munmap(p, 4 * PAGE);

	LT_ERRNO("mmap_length_wraps",
		 map_anon(NULL, (size_t)-PAGE, PROT_READ, MAP_PRIVATE), ENOMEM);
	LT_ERRNO("mmap_fixed_kernel_address",
		 map_anon(LT_KERNEL_PTR, PAGE, PROT_READ,
			  MAP_PRIVATE | MAP_FIXED),
		 ENOMEM);
}

static void case_munmap_split(void)
{
	unsigned char *p = map_anon(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE);

	memset(p, 's', 3 * PAGE);
	LT_EXPECT("munmap_middle", munmap(p + PAGE, PAGE), 0);
	LT_CHECK("munmap_split_ends_kept",
		 p[0] == 's' && p[3 * PAGE - 1] == 's');
	LT_EXPECT("munmap_middle_faults", access_signal(p + PAGE, false),
		  SIGSEGV);
	LT_EXPECT("munmap_range_with_hole", munmap(p, 3 * PAGE), 0);
	LT_EXPECT("munmap_all_faults", access_signal(p, false), SIGSEGV);
	LT_ERRNO("munmap_wrapping", munmap(p, (size_t)-PAGE), EINVAL);
}

/* ---- mprotect ---- */

static void case_mprotect(void)
{
	static const unsigned char code[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };
	unsigned char *p = map_anon(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE);
	int (*fn)(void);

	memset(p, 'm', 2 * PAGE);
	LT_EXPECT("mprotect_none", mprotect(p, PAGE, PROT_NONE), 0);
	LT_EXPECT("prot_none_read_faults", access_signal(p, false), SIGSEGV);
	LT_EXPECT("other_page_unaffected", p[PAGE], 'm');
	LT_EXPECT("mprotect_read", mprotect(p, PAGE, PROT_READ), 0);
	LT_EXPECT("prot_read_keeps_data", p[0], 'm');
	LT_EXPECT("prot_read_write_faults", access_signal(p, true), SIGSEGV);
	LT_EXPECT("mprotect_read_write", mprotect(p, PAGE, PROT_READ | PROT_WRITE),
		  0);
	p[0] = 'w';
	LT_EXPECT("prot_write_again", p[0], 'w');

	memcpy(p, code, sizeof(code));
	LT_EXPECT("mprotect_exec", mprotect(p, PAGE, PROT_READ | PROT_EXEC), 0);
	fn = (int (*)(void))(void *)p;
	LT_EXPECT("prot_exec_runs", fn(), 42);
	memcpy(p + PAGE, code, sizeof(code));
	{
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			((int (*)(void))(void *)(p + PAGE))();
			_exit(0);
		}
		st = lt_wait(pid);
		LT_CHECK("exec_without_prot_exec_faults",
			 WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	}

	LT_ERRNO("mprotect_unmapped",
		 mprotect(p + 2 * PAGE + (1ul << 30), PAGE, PROT_READ), ENOMEM);
	munmap(p + PAGE, PAGE);
	LT_ERRNO("mprotect_partly_unmapped", mprotect(p, 2 * PAGE, PROT_READ),
		 ENOMEM);
	LT_ERRNO("mprotect_bad_prot", mprotect(p, PAGE, 0x10), EINVAL);
	LT_ERRNO("mprotect_kernel_range",
		 syscall(SYS_mprotect, LT_KERNEL_PTR, PAGE, PROT_READ), ENOMEM);
	munmap(p, PAGE);
}

/* ---- mremap ---- */

static void case_mremap(void)
{
	unsigned char *p, *q, *target;

	p = map_anon(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	munmap(p + PAGE, 3 * PAGE);
	p[0] = 'r';
	q = mremap(p, PAGE, 3 * PAGE, 0);
	LT_CHECK("mremap_grow_in_place", q == p);
	LT_CHECK("mremap_grow_zero_tail",
		 q[0] == 'r' && all_bytes(q + PAGE, 2 * PAGE, 0));
	q[3 * PAGE - 1] = 't';
	q = mremap(p, 3 * PAGE, PAGE, 0);
	LT_CHECK("mremap_shrink", q == p);
	LT_EXPECT("mremap_shrunk_tail_faults", access_signal(p + PAGE, false),
		  SIGSEGV);

	/* blocked by a neighbour: moves only when allowed */
	target = map_anon(p + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED);
	LT_ERRNO("mremap_blocked_no_maymove", mremap(p, PAGE, 2 * PAGE, 0),
		 ENOMEM);
	q = mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
	LT_CHECK("mremap_maymove_moves", q != MAP_FAILED && q != p);
	LT_CHECK("mremap_moved_data", q != MAP_FAILED && q[0] == 'r');
	LT_EXPECT("mremap_old_gone", access_signal(p, false), SIGSEGV);
	munmap(target, PAGE);

	target = map_anon(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE);
	p = mremap(q, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		   target);
	LT_CHECK("mremap_fixed", p == target && p[0] == 'r');
	LT_ERRNO("mremap_fixed_without_maymove",
		 mremap(p, PAGE, PAGE, MREMAP_FIXED, p + 8 * PAGE), EINVAL);
	LT_ERRNO("mremap_unaligned", mremap(p + 1, PAGE, PAGE, 0), EINVAL);
	LT_ERRNO("mremap_zero_new_size", mremap(p, PAGE, 0, 0), EINVAL);
	LT_ERRNO("mremap_bad_flags", mremap(p, PAGE, PAGE, 0x100), EINVAL);
	munmap(p, 2 * PAGE);
	LT_ERRNO("mremap_unmapped", mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE),
		 EFAULT);
}

/* ---- madvise ---- */

static void case_madvise(void)
{
	unsigned char *p = map_anon(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE);
	unsigned char *s = map_anon(NULL, PAGE, PROT_READ | PROT_WRITE,
				    MAP_SHARED);
	static const int accepted[] = { MADV_NORMAL, MADV_RANDOM,
					MADV_SEQUENTIAL, MADV_WILLNEED };
	char name[48];

	memset(p, 'd', 2 * PAGE);
	LT_EXPECT("madvise_dontneed", madvise(p, PAGE, MADV_DONTNEED), 0);
	LT_CHECK("madvise_dontneed_zeroes", all_bytes(p, PAGE, 0));
	LT_CHECK("madvise_dontneed_only_range", all_bytes(p + PAGE, PAGE, 'd'));
	memset(s, 'h', PAGE);
	madvise(s, PAGE, MADV_DONTNEED);
	LT_CHECK("madvise_dontneed_shared_keeps", all_bytes(s, PAGE, 'h'));
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		snprintf(name, sizeof(name), "madvise_accepts_%d", accepted[i]);
		LT_EXPECT(name, madvise(p, 2 * PAGE, accepted[i]), 0);
	}
	LT_ERRNO("madvise_bad_advice", madvise(p, PAGE, 999), EINVAL);
	LT_ERRNO("madvise_unaligned", madvise(p + 1, PAGE, MADV_NORMAL),
		 EINVAL);
	munmap(p, 2 * PAGE);
	LT_ERRNO("madvise_unmapped", madvise(p, PAGE, MADV_NORMAL), ENOMEM);
	munmap(s, PAGE);
}

/* ---- sharing across fork ---- */

static void case_fork_sharing(void)
{
	unsigned char *shared = map_anon(NULL, PAGE, PROT_READ | PROT_WRITE,
					 MAP_SHARED);
	unsigned char *priv = map_anon(NULL, PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE);
	int go[2], done[2];
	pid_t pid;
	char c;

	pipe(go);
	pipe(done);
	shared[0] = priv[0] = 1;
	pid = fork();
	if (pid == 0) {
		shared[1] = 'c';
		priv[1] = 'c';
		write(done[1], "d", 1);
		read(go[0], &c, 1);
		LT_EXPECT("map_shared_child_sees_parent", shared[2], 'p');
		LT_EXPECT("map_private_child_not_parent", priv[2], 0);
		_exit(0);
	}
	read(done[0], &c, 1);
	LT_EXPECT("map_shared_parent_sees_child", shared[1], 'c');
	LT_EXPECT("map_private_parent_not_child", priv[1], 0);
	shared[2] = 'p';
	priv[2] = 'p';
	write(go[1], "g", 1);
	LT_EXPECT("sharing_child_exit", lt_wait(pid), 0);
	LT_EXPECT("map_shared_survives_child", shared[1], 'c');
}

/* ---- file mappings ---- */

static int make_pattern_file(const char *path, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)(i / PAGE + 'A');

		write(fd, &b, 1);
	}
	return fd;
}

static void case_file_private(void)
{
	int fd = make_pattern_file("fp", 3 * PAGE), ro, dfd;
	unsigned char *p, *q, buf[4];

	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	LT_CHECK("mmap_file_private", p != MAP_FAILED);
	if (p == MAP_FAILED) {
		return;
	}
	LT_CHECK("file_private_contents",
		 p[0] == 'A' && p[PAGE] == 'B' && p[3 * PAGE - 1] == 'C');
	p[0] = 'x';
	pread(fd, buf, 1, 0);
	LT_EXPECT("file_private_write_not_in_file", buf[0], 'A');
	/* a page not yet written is the file's page: later writes show */
	pwrite(fd, "y", 1, PAGE + 1);
	LT_EXPECT("file_private_sees_file_before_cow", p[PAGE + 1], 'y');
	LT_EXPECT("file_private_own_copy_after_cow", p[0], 'x');
	LT_EXPECT("madvise_dontneed_refetches_file",
		  madvise(p, PAGE, MADV_DONTNEED), 0);
	LT_EXPECT("file_private_back_to_file", p[0], 'A');
	close(fd);
	LT_EXPECT("mapping_outlives_fd", p[2 * PAGE], 'C');
	munmap(p, 3 * PAGE);

	fd = open("fp", O_RDONLY);
	q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
	LT_CHECK("mmap_file_offset", q != MAP_FAILED && q[0] == 'B');
	munmap(q, PAGE);
	q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	LT_CHECK("private_write_map_of_read_only_fd", q != MAP_FAILED);
	munmap(q, PAGE);
	LT_ERRNO("shared_write_map_of_read_only_fd",
		 mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
		 EACCES);
	LT_ERRNO("mmap_file_unaligned_offset",
		 mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL);
	close(fd);
	ro = open("fp", O_WRONLY);
	LT_ERRNO("mmap_write_only_fd",
		 mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, ro, 0), EACCES);
	close(ro);
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	LT_ERRNO("mmap_directory",
		 mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dfd, 0), ENODEV);
	close(dfd);
	LT_ERRNO("mmap_closed_fd",
		 mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dfd, 0), EBADF);
}

static void case_file_past_end(void)
{
	int fd = open("short", O_RDWR | O_CREAT | O_TRUNC, 0644);
	unsigned char *p;

	write(fd, "0123456789", 10);
	p = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	LT_CHECK("mmap_short_file", p != MAP_FAILED);
	if (p == MAP_FAILED) {
		return;
	}
	LT_CHECK("short_file_data", memcmp(p, "0123456789", 10) == 0);
	LT_CHECK("short_file_rest_of_page_zero", all_bytes(p + 10, PAGE - 10, 0));
	LT_EXPECT("beyond_file_end_sigbus", access_signal(p + PAGE, false),
		  SIGBUS);
	/* growing the file makes the page reachable */
	ftruncate(fd, 2 * PAGE);
	LT_EXPECT("after_grow_no_sigbus", access_signal(p + PAGE, false), 0);
	LT_CHECK("after_grow_zero", all_bytes(p + PAGE, PAGE, 0));
	munmap(p, 3 * PAGE);
	close(fd);
}

static void case_file_shared(void)
{
	int fd = make_pattern_file("fs", 2 * PAGE);
	unsigned char *p, *q, buf[2];

	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	LT_CHECK("mmap_file_shared", p != MAP_FAILED && q != MAP_FAILED);
	if (p == MAP_FAILED || q == MAP_FAILED) {
		return;
	}
	p[5] = 'z';
	LT_EXPECT("shared_maps_see_each_other", q[5], 'z');
	pread(fd, buf, 1, 5);
	LT_EXPECT("shared_write_reaches_file", buf[0], 'z');
	pwrite(fd, "w", 1, PAGE + 3);
	LT_EXPECT("file_write_reaches_shared_map", p[PAGE + 3], 'w');
	LT_EXPECT("msync", msync(p, 2 * PAGE, MS_SYNC), 0);
	LT_ERRNO("msync_bad_flags", msync(p, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	LT_ERRNO("mmap_shared_validate_unknown_flag",
		 mmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | 0x400000, fd,
		      0),
		 EOPNOTSUPP);
	munmap(p, 2 * PAGE);
	munmap(q, 2 * PAGE);
	close(fd);
}

static void case_dev_zero(void)
{
	int fd = open("/dev/zero", O_RDWR);
	unsigned char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE, fd, 0);

	LT_CHECK("mmap_dev_zero", p != MAP_FAILED);
	if (p != MAP_FAILED) {
		LT_CHECK("dev_zero_map_zero", all_bytes(p, 2 * PAGE, 0));
		p[0] = 1;
		LT_EXPECT("dev_zero_map_writable", p[0], 1);
		munmap(p, 2 * PAGE);
	}
	close(fd);
}

int main(void)
{
	if (!lt_tmpdir_enter()) {
		return lt_done();
	}
	LT_CASE(case_mmap_anon);
	LT_CASE(case_munmap_split);
	LT_CASE(case_mprotect);
	LT_CASE(case_mremap);
	LT_CASE(case_madvise);
	LT_CASE(case_fork_sharing);
	LT_CASE(case_file_private);
	LT_CASE(case_file_past_end);
	LT_CASE(case_file_shared);
	LT_CASE(case_dev_zero);
	lt_tmpdir_leave();
	return lt_done();
}
