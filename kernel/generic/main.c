/*
 * Kernel entry (after boot.S): brings the machine up in dependency order,
 * then starts the first user program from the initrd and becomes the
 * boot CPU's idle thread.
 *
 * Command line options:
 *   init=PATH[,PATH..] first program (default /bin/init); with several,
 *                      each runs after the previous one ended (tests);
 *                      empty: none
 *   servers=PATH[,..]  trusted servers started first (boot/servers.h)
 *   registry=PATH      the registry server, started before everything
 *                      else and not waited for (default /bin/registry;
 *                      "none": none)
 *   selftest           run the in-kernel self-tests first
 *   poweroff_on_exit   power off when the first program ends (tests);
 *                      also makes a panic end QEMU (isa-debug-exit)
 */
#include <acpi/acpi.h>
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/fpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/paging.h>
#include <arch/x86_64/serial.h>
#include <arch/x86_64/syscall.h>
#include <arch/x86_64/trap.h>
#include <base/string.h>
#include <boot/initrd.h>
#include <boot/multiboot2.h>
#include <boot/registry.h>
#include <boot/servers.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <sched/sched.h>
#include <smp/percpu.h>
#include <smp/smp.h>
#include <test/selftest.h>
#include <time/clock.h>
#include <user/process.h>

#define LOG_SUBSYS "boot"
#define BOOT_INFO_WINDOW 0x40000000ul /* mapped by boot.S */
#define PANIC_EXIT_CODE 0x31	/* QEMU exits with (0x31 << 1) | 1 = 99 */

void kmain(uint32_t magic, paddr_t info_phys);

extern int log_panic_exit_code;

static struct mb2_info boot_info;
static char init_path[256] = "/bin/init";
static char registry_path[64] = "/bin/registry";
static bool opt_selftest;
static bool opt_poweroff_on_exit;

static void parse_cmdline(const char *cmdline)
{
	size_t len;
	const char *v = mb2_cmdline_get(cmdline, "init", &len);

	if (v && len == 0) {
		init_path[0] = '\0';
	} else if (v && len < sizeof(init_path)) {
		memcpy(init_path, v, len);
		init_path[len] = '\0';
	}
	v = mb2_cmdline_get(cmdline, "registry", &len);
	if (v && len < sizeof(registry_path)) {
		memcpy(registry_path, v, len);
		registry_path[len] = '\0';
	}
	opt_selftest = mb2_cmdline_has(cmdline, "selftest");
	opt_poweroff_on_exit = mb2_cmdline_has(cmdline, "poweroff_on_exit");
	if (opt_poweroff_on_exit) {
		log_panic_exit_code = PANIC_EXIT_CODE;
	}
}

/* Runs the first program and waits for it; returns its exit code, or -1
 * when it could not be started. Its main argument is its stream to the
 * registry (0 without one). */
static int run_program(const char *path)
{
	const void *image;
	size_t size;
	struct process *p;
	struct thread *t;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	err_t err = initrd_find(path, &image, &size);
	handle_t reg;
	int code;

	if (!err) {
		err = process_create_from_elf(name, image, size, &p, &t);
	}
	if (err) {
		LOG("cannot start %s: %s", path, error_str(err));
		return -1;
	}
	registry_connect(p, &reg);
	t->user_arg = reg;
	LOG("starting %s (process %lu)", path, p->id);
	sched_start(t);
	thread_put(t);
	code = process_wait(p);
	LOG("%s exited with code %d", path, code);
	process_put(p);
	return code;
}

static void init_thread(void *arg)
{
	unsigned failed = 0;
	int code;

	if (opt_selftest) {
		failed = selftest_run_all();
		LOG("self-tests: %u failed", failed);
	}
	/* The first server; boot programs reach everything through it. */
	if (registry_path[0] && strcmp(registry_path, "none") != 0) {
		registry_start(registry_path);
	}
	servers_start(boot_info.cmdline);
	code = 0;
	for (char *path = init_path; path && *path;) {
		char *comma = strchr(path, ',');

		if (comma) {
			*comma = '\0';
		}
		code |= run_program(path);
		path = comma ? comma + 1 : NULL;
	}
	if (opt_poweroff_on_exit) {
		code |= servers_wait();
		log_raw("KTEST DONE\n");
		acpi_power_off();
		/* Still here: end QEMU through isa-debug-exit if present. */
		cpu_outb(0xf4, (uint8_t)(code == 0 && !failed ? 0x10 : 0x11));
	}
}

void kmain(uint32_t magic, paddr_t info_phys)
{
	const struct acpi_info *acpi;
	struct thread *init;
	err_t err;

	percpu_init_boot();
	serial_init();
	log_raw("\nKeel\n");
	if (magic != MB2_BOOTLOADER_MAGIC) {
		panic("not started by a multiboot2 loader (magic %#x)", magic);
	}
	if (info_phys + 8 > BOOT_INFO_WINDOW) {
		panic("boot information at %#lx is out of reach", info_phys);
	}
	err = mb2_parse((void *)(info_phys + KERNEL_VMA),
			BOOT_INFO_WINDOW - info_phys, &boot_info);
	if (err) {
		panic("bad multiboot2 information: %s", error_str(err));
	}
	gdt_init_cpu(percpu_this());
	trap_init();
	fpu_init_cpu();
	pmm_early_init(&boot_info, info_phys);
	paging_init();
	pmm_init();
	kmalloc_init();
	/* Again through the direct map, so its pointers stay valid. */
	err = mb2_parse(phys_to_virt(info_phys), boot_info.total_size,
			&boot_info);
	if (err) {
		panic("bad multiboot2 information: %s", error_str(err));
	}
	parse_cmdline(boot_info.cmdline ? boot_info.cmdline : "");
	LOG("command line: %s", boot_info.cmdline ? boot_info.cmdline : "");
	acpi = acpi_init(&boot_info);
	apic_init(acpi);
	syscall_init_cpu();
	sched_init();
	smp_start_aps(acpi);
	apic_timer_start();
	initrd_init(&boot_info);

	if (thread_create_kernel("init", init_thread, NULL, &init) != ERR_OK) {
		panic("cannot create the init thread");
	}
	sched_start(init);
	thread_put(init);
	sched_idle_loop();
}
