/*
 * The posix server: runs unmodified Linux programs (DESIGN.md section 4).
 * Started by the kernel (servers=/bin/posix) with its boot information;
 * reads its options from the kernel command line:
 *   posix.init=PATH   the first program (default /sbin/init)
 *   posix.oneshot     end when the first program ends, with its status
 *                     (test boots); the kernel then powers off
 *   posix.trace       log every system call of every program
 * Then it starts the first program as pid 1 and serves system calls until
 * (with posix.oneshot) nothing is left.
 */
#include <base/string.h>
#include <fiber/fiber.h>
#include <fiber/loop.h>
#include <keel/bootinfo.h>
#include <keel/syscall.h>
#include <rt/rt.h>

#include "bootfs.h"
#include "console.h"
#include "csprng.h"
#include "devfs.h"
#include "fsmount.h"
#include "memdev.h"
#include "pipe.h"
#include "procfs.h"
#include "rootfs.h"
#include "sysfs.h"
#include "vfs.h"
#include "ltime.h"
#include "proc.h"
#include "server.h"

int main(uint64_t arg);

/* What tmpfs may fill (its default is half of this); the machine's size
 * comes with a kernel memory-statistics call. */
#define POSIX_RAM_BYTES (1ull << 31)

struct loop posix_loop;
static handle_t posix_registry;
struct posix_options posix_opts = { .init = "/sbin/init" };

/* The generator behind AT_RANDOM, getrandom and /dev/urandom (csprng.h),
 * seeded from the TSC and the clock: unpredictable enough for hash seeds
 * and stack canaries; a proper entropy source (RDRAND, virtio-rng) is
 * for later. */
static void rng_seed(void)
{
	uint64_t seed[8];

	for (int i = 0; i < 8; i++) {
		uint32_t lo, hi;

		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		seed[i] = ((uint64_t)hi << 32 | lo) ^ rt_clock_ns() ^
			  (uint64_t)i * 0x9e3779b97f4a7c15ull;
	}
	csprng_seed(seed, sizeof(seed));
}

void posix_random(void *buf, uint64_t len)
{
	csprng_read(buf, (size_t)len);
}

static void vfs_clock(struct vfs_timespec *out)
{
	uint64_t ns = ltime_realtime_ns();

	out->sec = (int64_t)(ns / LTIME_NS_PER_S);
	out->nsec = (int64_t)(ns % LTIME_NS_PER_S);
}

static int open_fifo(struct lproc *caller, struct inode *inode,
		     unsigned flags, struct file **out)
{
	(void)caller;
	return pipe_fifo_open(&inode->special, flags, out);
}

static void release_special(struct inode *inode)
{
	pipe_fifo_release(inode->special);
	inode->special = NULL;
}

static const struct vfs_hooks posix_vfs_hooks = {
	.now = vfs_clock,
	.open_dev = devfs_open,
	.open_fifo = open_fifo,
	.release_special = release_special,
};

static void parse_options(const char *cmdline)
{
	for (const char *s = cmdline; s && *s;) {
		const char *end = strchr(s, ' ');
		size_t len = end ? (size_t)(end - s) : strlen(s);

		if (len > 11 && strncmp(s, "posix.init=", 11) == 0 &&
		    len - 11 < sizeof(posix_opts.init)) {
			memcpy(posix_opts.init, s + 11, len - 11);
			posix_opts.init[len - 11] = '\0';
		} else if (len == 13 && strncmp(s, "posix.oneshot", 13) == 0) {
			posix_opts.oneshot = true;
		} else if (len == 11 && strncmp(s, "posix.trace", 11) == 0) {
			posix_opts.trace = true;
		}
		s += len;
		while (*s == ' ') {
			s++;
		}
	}
}

/* Maps the boot information and the initrd; false if they are missing. */
static bool read_boot_info(uint64_t info_handle)
{
	const struct boot_server_info *info;
	int64_t addr;

	addr = rt_syscall6(SYS_VM_MAP, 0, info_handle, 0, 4096, 0, VM_READ);
	if (addr < 0) {
		return false;
	}
	info = (const struct boot_server_info *)addr;
	if (info->version != BOOT_SERVER_INFO_VERSION) {
		return false;
	}
	parse_options(info->cmdline);
	posix_registry = info->registry;
	procfs_set_cmdline(info->cmdline);
	if (info->initrd) {
		uint64_t size = (info->initrd_offset + info->initrd_size + 4095) &
				~4095ull;

		addr = rt_syscall6(SYS_VM_MAP, 0, info->initrd, 0, size, 0,
				   VM_READ);
		if (addr < 0) {
			return false;
		}
		bootfs_init((const uint8_t *)addr + info->initrd_offset,
			    info->initrd_size);
	}
	return true;
}

static void start_init(void *arg)
{
	char *argv[] = { posix_opts.init, NULL };
	char *envp[] = { "HOME=/", "TERM=vt100",
			 "PATH=/sbin:/bin:/usr/sbin:/usr/bin", NULL };
	int err;

	(void)arg;
	err = proc_spawn_init(posix_opts.init, argv, envp);
	if (err) {
		rt_printf("posix: cannot start %s: error %d", posix_opts.init,
			  -err);
		proc_init_exit_code = 127;
	}
}

int main(uint64_t arg)
{
	struct fiber *f;
	err_t err;

	if (!read_boot_info(arg)) {
		rt_printf("posix: no boot information; started by hand?");
		return 1;
	}
	rng_seed();
	ltime_init();
	err = loop_init(&posix_loop, 256);
	if (err) {
		rt_printf("posix: cannot create the queue: %s", error_str(err));
		return 1;
	}
	vfs_set_hooks(&posix_vfs_hooks);
	memdev_register();
	if (console_init()) {
		rt_printf("posix: no console (no hardware right?)");
	}
	if (rootfs_init(POSIX_RAM_BYTES)) {
		rt_printf("posix: no root file system; programs come from the "
			  "initrd as it is");
	}
	procfs_register(POSIX_RAM_BYTES);
	fsmount_register(posix_registry);
	sysfs_register();
	rt_printf("posix: starting %s%s", posix_opts.init,
		  posix_opts.oneshot ? " (oneshot)" : "");
	if (fiber_create(&f, start_init, NULL, 0) != ERR_OK) {
		return 1;
	}
	err = loop_run(&posix_loop);
	if (err) {
		rt_printf("posix: event loop failed: %s", error_str(err));
		return 1;
	}
	rt_printf("posix: done, exit code %d", proc_init_exit_code);
	return proc_init_exit_code < 0 ? 0 : proc_init_exit_code;
}
