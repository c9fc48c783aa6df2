/*
 * Program loading (exec.h). The image is read whole into the server,
 * checked by lib/elf, and copied into private anonymous memory of a new,
 * empty kernel process: each segment's pages are mapped writable, filled
 * with SYS_VM_WRITE, then given the segment's protection (a page shared by
 * two segments gets both protections, as on Linux).
 */
#include <base/string.h>
#include <elf/elf64.h>
#include <keel/supervise.h>
#include <keel/syscall.h>
#include <linux_abi/auxv.h>
#include <linux_abi/errno.h>
#include <linux_abi/fcntl.h>
#include <linux_abi/stat.h>
#include <rt/malloc.h>
#include <rt/rt.h>

#include "bootfs.h"
#include "exec.h"
#include "execinfo.h"
#include "file.h"
#include "proc.h"
#include "server.h"
#include "stack.h"
#include "vfs.h"

#define PAGE 4096ull
#define EXEC_SCRIPT_DEPTH 4
#define EXEC_ARGS_MAX (256u * 1024)	/* bytes of initial stack */
#define EXEC_IMAGE_MAX (256u << 20)	/* the largest program read */

static uint64_t page_down(uint64_t a)
{
	return a & ~(PAGE - 1);
}

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE - 1) & ~(PAGE - 1);
}

static int errno_of(int64_t err)
{
	switch (err) {
	case -ERR_NO_MEMORY:
		return -LINUX_ENOMEM;
	case -ERR_CORRUPT:
	case -ERR_NOT_SUPPORTED:
		return -LINUX_ENOEXEC;
	default:
		rt_printf("posix: exec: native error %ld", err);
		return -LINUX_EINVAL;
	}
}

static int map_anon(handle_t kproc, uint64_t addr, uint64_t size,
		    uint64_t prot)
{
	int64_t r = rt_syscall6(SYS_VM_MAP, kproc, 0, 0, size, addr,
				prot | VM_FIXED);

	return r < 0 ? errno_of(r) : 0;
}

static uint64_t seg_prot(uint32_t flags)
{
	return ((flags & ELF64_SEG_R) ? VM_READ : 0) |
	       ((flags & ELF64_SEG_W) ? VM_WRITE : 0) |
	       ((flags & ELF64_SEG_X) ? VM_EXEC : 0);
}

/* Maps and fills every PT_LOAD segment at @bias; returns the highest
 * segment end (page aligned) in @end. */
static int load_segments(handle_t kproc, const struct elf64_image *img,
			 uint64_t bias, const char *path, struct vma_map *vmas,
			 uint64_t *end)
{
	struct elf64_segment seg;
	uint64_t mapped_end = 0, prev_prot = 0;
	unsigned cursor = 0;
	int err;

	while (elf64_next_load(img, &cursor, &seg) == ERR_OK) {
		uint64_t start = page_down(seg.vaddr + bias);
		uint64_t stop = page_up(seg.vaddr + bias + seg.memsz);
		uint64_t prot = seg_prot(seg.flags);
		uint64_t from = start < mapped_end ? mapped_end : start;

		if (stop <= start) {
			continue;
		}
		if (from < stop) {
			err = map_anon(kproc, from, stop - from,
				       VM_READ | VM_WRITE);
			if (err) {
				return err;
			}
		}
		if (seg.filesz &&
		    rt_syscall6(SYS_VM_WRITE, kproc, seg.vaddr + bias,
				(uint64_t)(img->data + seg.offset), seg.filesz,
				0, 0) != (int64_t)seg.filesz) {
			return -LINUX_ENOMEM;
		}
		/* The page shared with the previous segment keeps both
		 * protections. */
		if (start < mapped_end) {
			rt_syscall6(SYS_VM_PROTECT, kproc, start, PAGE,
				    prot | prev_prot, 0, 0);
			start += PAGE;
		}
		if (start < stop) {
			rt_syscall6(SYS_VM_PROTECT, kproc, start, stop - start,
				    prot ? prot : VM_READ, 0, 0);
		}
		{
			struct vma v = { .prot = (uint32_t)prot,
					 .offset = seg.offset & ~(PAGE - 1),
					 .name = (char *)path };
			uint64_t from_page = page_down(seg.vaddr + bias);

			/* Past the file's bytes the segment is zero-filled
			 * memory, as Linux shows it (anonymous). */
			if (vma_insert(vmas, from_page, stop, &v)) {
				return -LINUX_ENOMEM;
			}
		}
		if (stop > mapped_end) {
			mapped_end = stop;
		}
		prev_prot = prot;
	}
	*end = mapped_end;
	return 0;
}

/* The posix page: `mov eax, SYS_THREAD_EXIT; xor edi, edi; syscall` at
 * EXEC_POSIX_THREAD_EXIT, where the server sends a thread that leaves
 * while others stay (exit(2)). */
static int map_posix_page(handle_t kproc, struct vma_map *vmas)
{
	static const uint8_t code[] = {
		0xb8, (uint8_t)SYS_THREAD_EXIT, (uint8_t)(SYS_THREAD_EXIT >> 8),
		(uint8_t)(SYS_THREAD_EXIT >> 16),
		(uint8_t)(SYS_THREAD_EXIT >> 24),	/* mov eax, imm32 */
		0x31, 0xff,				/* xor edi, edi */
		0x0f, 0x05,				/* syscall */
		0x0f, 0x0b,				/* ud2 */
	};
	int err = map_anon(kproc, EXEC_POSIX_PAGE, PAGE, VM_READ | VM_WRITE);

	if (err) {
		return err;
	}
	if (rt_syscall6(SYS_VM_WRITE, kproc, EXEC_POSIX_PAGE, (uint64_t)code,
			sizeof(code), 0, 0) != sizeof(code)) {
		return -LINUX_ENOMEM;
	}
	rt_syscall6(SYS_VM_PROTECT, kproc, EXEC_POSIX_PAGE, PAGE,
		    VM_READ | VM_EXEC, 0, 0);
	{
		struct vma v = { .prot = VM_READ | VM_EXEC, .flags = VMA_ANON,
				 .name = "[keel]" };

		return vma_insert(vmas, EXEC_POSIX_PAGE, EXEC_POSIX_PAGE + PAGE,
				  &v);
	}
}

/* The user address of the program headers, for AT_PHDR. */
static uint64_t phdr_address(const struct elf64_image *img, uint64_t bias)
{
	struct elf64_segment seg;
	unsigned cursor = 0;

	if (img->has_phdr_vaddr) {
		return img->phdr_vaddr + bias;
	}
	while (elf64_next_load(img, &cursor, &seg) == ERR_OK) {
		if (img->ehdr.e_phoff >= seg.offset &&
		    img->ehdr.e_phoff < seg.offset + seg.filesz) {
			return seg.vaddr + bias + (img->ehdr.e_phoff - seg.offset);
		}
	}
	return 0;
}

static uint64_t cpu_hwcap(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d;
}

static size_t count(char *const v[])
{
	size_t n = 0;

	while (v && v[n]) {
		n++;
	}
	return n;
}

static int build_stack(struct lproc *p, handle_t kproc,
		       const struct elf64_image *img, uint64_t bias,
		       const char *path, char *const argv[],
		       char *const envp[], struct vma_map *vmas, uint64_t *sp)
{
	uint8_t random[16];
	uint64_t auxv[] = {
		LINUX_AT_PHDR, phdr_address(img, bias),
		LINUX_AT_PHENT, sizeof(struct elf64_phdr),
		LINUX_AT_PHNUM, img->ehdr.e_phnum,
		LINUX_AT_PAGESZ, PAGE,
		LINUX_AT_BASE, 0,
		LINUX_AT_FLAGS, 0,
		LINUX_AT_ENTRY, img->ehdr.e_entry + bias,
		LINUX_AT_UID, p->uid,
		LINUX_AT_EUID, p->euid,
		LINUX_AT_GID, p->gid,
		LINUX_AT_EGID, p->egid,
		LINUX_AT_SECURE, 0,
		LINUX_AT_HWCAP, cpu_hwcap(),
		LINUX_AT_HWCAP2, 0,
		LINUX_AT_CLKTCK, 100,
	};
	struct stack_args a = {
		.argv = argv, .argc = count(argv),
		.envp = envp, .envc = count(envp),
		.auxv = auxv, .auxc = sizeof(auxv) / sizeof(auxv[0]) / 2,
		.random = random, .execfn = path,
	};
	uint8_t *buf = malloc(EXEC_ARGS_MAX);
	int err;

	if (!buf) {
		return -LINUX_ENOMEM;
	}
	posix_random(random, sizeof(random));
	err = stack_build(buf, EXEC_ARGS_MAX, EXEC_STACK_TOP, &a, sp);
	if (!err) {
		struct vma v = { .prot = VM_READ | VM_WRITE,
				 .flags = VMA_ANON | VMA_GROWSDOWN,
				 .name = "[stack]" };

		err = map_anon(kproc, EXEC_STACK_TOP - EXEC_STACK_SIZE,
			       EXEC_STACK_SIZE, VM_READ | VM_WRITE);
		if (!err) {
			err = vma_insert(vmas, EXEC_STACK_TOP - EXEC_STACK_SIZE,
					 EXEC_STACK_TOP, &v);
		}
	}
	if (!err) {
		uint64_t used = EXEC_STACK_TOP - *sp;

		if (rt_syscall6(SYS_VM_WRITE, kproc, *sp,
				(uint64_t)(buf + EXEC_ARGS_MAX - used), used, 0,
				0) != (int64_t)used) {
			err = -LINUX_ENOMEM;
		}
	}
	free(buf);
	return err;
}

/* Splits a "#!interp [arg]" line; returns 0 with the interpreter and
 * optional argument (NUL-terminated, in @line), else -LINUX_ENOEXEC. */
static int parse_shebang(const uint8_t *data, size_t size, char *line,
			 size_t cap, char **interp, char **arg)
{
	size_t n = 0;
	char *s, *e;

	while (2 + n < size && data[2 + n] != '\n' && n < cap - 1) {
		line[n] = (char)data[2 + n];
		n++;
	}
	line[n] = '\0';
	for (s = line; *s == ' ' || *s == '\t'; s++) {
	}
	if (!*s) {
		return -LINUX_ENOEXEC;
	}
	for (e = s; *e && *e != ' ' && *e != '\t'; e++) {
	}
	*interp = s;
	*arg = NULL;
	if (*e) {
		*e++ = '\0';
		while (*e == ' ' || *e == '\t') {
			e++;
		}
		/* Linux passes the rest as one argument, trailing blanks
		 * dropped. */
		for (char *t = e + strlen(e); t > e &&
					      (t[-1] == ' ' || t[-1] == '\t');) {
			*--t = '\0';
		}
		if (*e) {
			*arg = e;
		}
	}
	return 0;
}

static int load(struct lproc *p, const char *path, char *const argv[],
		char *const envp[], int depth, struct exec_result *out);

static int load_script(struct lproc *p, const char *path, const void *data,
		       size_t size, char *const argv[], char *const envp[],
		       int depth, struct exec_result *out)
{
	char line[256], *interp, *arg;
	size_t argc = count(argv), n = 0;
	char **nargv;
	int err;

	if (depth >= EXEC_SCRIPT_DEPTH) {
		return -LINUX_ELOOP;
	}
	err = parse_shebang(data, size, line, sizeof(line), &interp, &arg);
	if (err) {
		return err;
	}
	nargv = calloc(argc + 3, sizeof(char *));
	if (!nargv) {
		return -LINUX_ENOMEM;
	}
	nargv[n++] = interp;
	if (arg) {
		nargv[n++] = arg;
	}
	nargv[n++] = (char *)path;
	for (size_t i = 1; i < argc; i++) {
		nargv[n++] = argv[i];
	}
	nargv[n] = NULL;
	err = load(p, interp, nargv, envp, depth + 1, out);
	free(nargv);
	return err;
}

static int load_image(struct lproc *p, const char *path, const void *data,
		      size_t size, char *const argv[], char *const envp[],
		      int depth, struct exec_result *out);

/* Reads the whole of the program file @path, as @p may execute it, into
 * a new buffer. Before the VFS has a root, from the initrd. */
static int read_image(struct lproc *p, const char *path, void **out,
		      size_t *size)
{
	struct vfs_ctx ctx = {
		.root = &p->root, .cwd = &p->cwd, .umask = p->umask,
		.proc = p,
		.cred = { .uid = p->euid, .gid = p->egid, .ruid = p->uid,
			  .rgid = p->gid },
	};
	uint64_t pos = 0;
	struct file *f;
	uint8_t *buf;
	int err;

	if (!p->root.inode) {
		const void *data;

		err = bootfs_find(path, &data, size);
		if (err) {
			return err;
		}
		buf = malloc(*size ? *size : 1);
		if (!buf) {
			return -LINUX_ENOMEM;
		}
		memcpy(buf, data, *size);
		*out = buf;
		return 0;
	}
	err = vfs_faccessat(&ctx, NULL, path, LINUX_X_OK, LINUX_AT_EACCESS);
	if (err) {
		return err;
	}
	err = vfs_open(&ctx, NULL, path, LINUX_O_RDONLY, 0, &f);
	if (err) {
		return err;
	}
	if (!f->inode || !LINUX_S_ISREG(f->inode->mode)) {
		file_put(f);
		return -LINUX_EACCES;
	}
	*size = f->inode->size;
	if (*size > EXEC_IMAGE_MAX) {
		file_put(f);
		return -LINUX_ENOMEM;
	}
	buf = malloc(*size ? *size : 1);
	if (!buf) {
		file_put(f);
		return -LINUX_ENOMEM;
	}
	while (pos < *size) {
		int64_t n = f->ops->read(f, buf + pos, *size - pos, &pos);

		if (n <= 0) {
			break;
		}
	}
	file_put(f);
	if (pos < *size) {
		free(buf);
		return -LINUX_EIO;
	}
	*out = buf;
	return 0;
}

static int load(struct lproc *p, const char *path, char *const argv[],
		char *const envp[], int depth, struct exec_result *out)
{
	void *image;
	const void *data;
	size_t size;
	int err;

	err = read_image(p, path, &image, &size);
	if (err) {
		return err;
	}
	data = image;
	err = load_image(p, path, data, size, argv, envp, depth, out);
	free(image);
	return err;
}

static int load_image(struct lproc *p, const char *path, const void *data,
		      size_t size, char *const argv[], char *const envp[],
		      int depth, struct exec_result *out)
{
	struct elf64_image img;
	uint64_t ids[2], bias = 0, end, sp;
	const char *name;
	int64_t r;
	int err;

	if (size >= 2 && ((const char *)data)[0] == '#' &&
	    ((const char *)data)[1] == '!') {
		return load_script(p, path, data, size, argv, envp, depth, out);
	}
	if (elf64_open(&img, data, size) != ERR_OK) {
		return -LINUX_ENOEXEC;
	}
	if (img.interp_len) {
		/* Dynamic programs come with issue #6 (ld.so). */
		return -LINUX_ENOEXEC;
	}
	if (img.ehdr.e_type == ELF64_ET_DYN) {
		bias = EXEC_PIE_BASE;
	}
	name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	r = rt_syscall6(SYS_PROCESS_CREATE, 0, 0,
			(uint64_t)(*name ? name : "posix-child"),
			PROCESS_SUPERVISED | PROCESS_EMPTY, (uint64_t)ids, 0);
	if (r < 0) {
		return errno_of(r);
	}
	out->kproc = (handle_t)ids[0];
	vma_map_init(&out->vmas);
	err = load_segments(out->kproc, &img, bias, path, &out->vmas, &end);
	if (!err) {
		err = map_posix_page(out->kproc, &out->vmas);
	}
	if (!err) {
		err = build_stack(p, out->kproc, &img, bias, path, argv, envp,
				  &out->vmas, &sp);
	}
	if (!err) {
		r = rt_syscall6(SYS_THREAD_CREATE, out->kproc,
				img.ehdr.e_entry + bias, sp, 0,
				THREAD_CREATE_SUSPENDED, 0);
		if (r < 0) {
			err = errno_of(r);
		} else {
			out->ktid = (uint64_t)r;
		}
	}
	if (err) {
		rt_syscall2(SYS_HANDLE_CLOSE, out->kproc, 0);
		vma_map_fini(&out->vmas);
		return err;
	}
	out->brk = end;
	out->info = execinfo_create(p, path, argv, envp);
	return 0;
}

int exec_load(struct lproc *p, const char *path, char *const argv[],
	      char *const envp[], struct exec_result *out)
{
	return load(p, path, argv, envp, 0, out);
}
