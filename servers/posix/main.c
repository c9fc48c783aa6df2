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
#include "ltime.h"
#include "proc.h"
#include "server.h"

int main(uint64_t arg);

struct loop posix_loop;
struct posix_options posix_opts = { .init = "/sbin/init" };

/* A ChaCha20 keystream (RFC 8439's block function) over a key seeded
 * from the TSC and the clock: unpredictable enough for AT_RANDOM and
 * hash seeds; a proper entropy source (RDRAND, virtio-rng) is for later. */
static uint32_t rng_state[16];
static uint8_t rng_block[64];
static unsigned rng_used = 64;

static uint32_t rotl(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

#define QR(a, b, c, d)                                                      \
	(a += b, d ^= a, d = rotl(d, 16), c += d, b ^= c, b = rotl(b, 12),  \
	 a += b, d ^= a, d = rotl(d, 8), c += d, b ^= c, b = rotl(b, 7))

static void rng_refill(void)
{
	uint32_t x[16];

	memcpy(x, rng_state, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]), QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]), QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]), QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]), QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		x[i] += rng_state[i];
	}
	memcpy(rng_block, x, sizeof(rng_block));
	rng_state[12]++; /* block counter */
	rng_used = 0;
}

static void rng_seed(void)
{
	static const char sigma[16] = "expand 32-byte k";
	uint32_t lo, hi;

	memcpy(rng_state, sigma, 16);
	for (int i = 4; i < 12; i++) {
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		rng_state[i] = lo ^ rotl(hi, 7) ^ (uint32_t)rt_clock_ns() ^
			       (uint32_t)(i * 0x9e3779b9u);
	}
}

void posix_random(void *buf, uint64_t len)
{
	uint8_t *b = buf;

	while (len--) {
		if (rng_used == 64) {
			rng_refill();
		}
		*b++ = rng_block[rng_used++];
	}
}

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
	if (console_init()) {
		rt_printf("posix: no console (no hardware right?)");
	}
	err = loop_init(&posix_loop, 256);
	if (err) {
		rt_printf("posix: cannot create the queue: %s", error_str(err));
		return 1;
	}
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
