/*
 * In-guest test of what the kernel hands a server it starts itself
 * (servers= on the kernel command line, abi/keel/bootinfo.h): the boot
 * information page (version, command line), the initrd's memory object
 * and the private stream to the registry, which must answer. Runs as a
 * server in the test boots, alongside the init= programs. KTEST lines;
 * exits with the number of failed cases.
 */
#include <base/string.h>
#include <fiber/fiber.h>
#include <fiber/loop.h>
#include <keel/bootinfo.h>
#include <keel/handle.h>
#include <registry/registry.h>
#include <rt/ktest.h>
#include <rt/rt.h>

int main(uint64_t info_handle);

static struct loop loop;
static handle_t registry;

/* Whether NUL-terminated @s holds @needle. */
static bool contains(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++) {
		if (strncmp(s, needle, n) == 0) {
			return true;
		}
	}
	return false;
}

static int64_t handle_type(uint64_t h)
{
	int64_t info = rt_syscall2(SYS_HANDLE_INFO, h, 0);

	return info < 0 ? info : (info & 0xffffffff);
}

static void registry_fiber(void *arg)
{
	static const char *const none[] = { "name=bootinfo-nothing", NULL };
	static const char *const mine[] = { "name=bootinfo-test", NULL };
	handle_t ends[2], h = 0;
	uint64_t id = 0;

	ktest_expect("bootinfo/registry_answers",
		     registry_lookup(&loop, registry, none, 0, &h, NULL),
		     -ERR_NOT_FOUND);
	rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends, 0);
	ktest_expect("bootinfo/registry_publish",
		     registry_publish(&loop, registry, mine, ends[1], &id), 0);
	ktest_expect("bootinfo/registry_lookup",
		     registry_lookup(&loop, registry, mine, 0, &h, NULL), 0);
	ktest_expect("bootinfo/registry_unpublish",
		     registry_unpublish(&loop, registry, id), 0);
	rt_syscall2(SYS_HANDLE_CLOSE, h, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, ends[0], 0);
}

int main(uint64_t info_handle)
{
	const struct boot_server_info *info;
	int64_t addr = rt_syscall6(SYS_VM_MAP, 0, info_handle, 0, 4096, 0,
				   VM_READ);

	ktest_check("bootinfo/mapped", addr > 0, "cannot map the page");
	if (addr <= 0) {
		return ktest_failures();
	}
	info = (const struct boot_server_info *)addr;
	ktest_expect("bootinfo/version", info->version,
		     BOOT_SERVER_INFO_VERSION);
	ktest_check("bootinfo/cmdline",
		    strnlen(info->cmdline, sizeof(info->cmdline)) <
				    sizeof(info->cmdline) &&
			    contains(info->cmdline, "servers="),
		    "no servers= in the command line");
	ktest_expect("bootinfo/initrd_is_memory", handle_type(info->initrd),
		     OBJECT_MEMORY);
	ktest_expect("bootinfo/registry_is_stream",
		     handle_type(info->registry), OBJECT_STREAM);
	registry = info->registry;
	if (loop_init(&loop, 16) == ERR_OK &&
	    fiber_create(NULL, registry_fiber, NULL, 0) == ERR_OK) {
		loop_run(&loop);
	}
	rt_printf("bootinfo_test: %d failed", ktest_failures());
	return ktest_failures();
}
