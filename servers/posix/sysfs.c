/*
 * /sys (sysfs.h) as a static tree of pseudofs types; only the CPU
 * directories are enumerated. Files are read-only, mode 0444, and refuse
 * writers (EACCES, root included), as Linux's read-only attributes do.
 */
#include "sysfs.h"

#include <base/fmt.h>
#include <base/string.h>
#include <linux_abi/errno.h>
#include <linux_abi/stat.h>
#include <linux_abi/statfs.h>

#include "cpuinfo.h"
#include "pseudofs.h"

/* The CPUs as a list: "0" or "0-3". */
static int show_cpu_range(struct pseudofs_node *n, struct textbuf *b)
{
	unsigned cpus = cpuinfo_cpus();

	if (cpus > 1) {
		textbuf_printf(b, "0-%u\n", cpus - 1);
	} else {
		textbuf_puts(b, "0\n");
	}
	return 0;
}

static int show_kernel_max(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_printf(b, "%u\n", cpuinfo_cpus() - 1);
	return 0;
}

static int show_zero(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, "0\n");
	return 0;
}

static int show_ttys0_dev(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, "4:64\n");
	return 0;
}

static int show_ttys0_uevent(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, "MAJOR=4\nMINOR=64\nDEVNAME=ttyS0\n");
	return 0;
}

static int link_ttys0(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, "../../devices/platform/serial8250/tty/ttyS0");
	return 0;
}

static int link_tty_class(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, "../../../../../class/tty");
	return 0;
}

#define SYSFS_FILE(name, num, fn)                                            \
	static const struct pseudofs_type name = {                          \
		.id = (num), .mode = LINUX_S_IFREG | 0444, .show = (fn),     \
	}
#define SYSFS_LINK(name, num, fn)                                            \
	static const struct pseudofs_type name = {                          \
		.id = (num), .mode = LINUX_S_IFLNK | 0777, .link = (fn),     \
	}
#define SYSFS_DIR(name, num, table)                                          \
	static const struct pseudofs_type name = {                          \
		.id = (num), .mode = LINUX_S_IFDIR | 0755,                  \
		.entries = (table),                                         \
	}

static const struct pseudofs_entry none[] = { { NULL, NULL } };

/* devices/system/cpu */
SYSFS_FILE(cpu_online_type, 2, show_cpu_range);
SYSFS_FILE(cpu_possible_type, 3, show_cpu_range);
SYSFS_FILE(cpu_present_type, 4, show_cpu_range);
SYSFS_FILE(cpu_kernel_max_type, 5, show_kernel_max);
SYSFS_DIR(cpu_n_type, 6, none);

static bool cpus_next(struct pseudofs_node *dir, uint64_t *cursor,
		      struct pseudofs_child *out)
{
	if (*cursor >= cpuinfo_cpus()) {
		return false;
	}
	out->type = &cpu_n_type;
	memset(&out->key, 0, sizeof(out->key));
	out->key.idx = (uint32_t)*cursor;
	fmt_snprintf(out->name, sizeof(out->name), "cpu%lu", *cursor);
	return true;
}

static int cpus_lookup(struct pseudofs_node *dir, const char *name,
		       size_t len, struct pseudofs_child *out)
{
	unsigned cpus = cpuinfo_cpus(), n = 0;

	if (len < 4 || len > 7 || memcmp(name, "cpu", 3) != 0 ||
	    (name[3] == '0' && len > 4)) {
		return -LINUX_ENOENT;
	}
	for (size_t i = 3; i < len; i++) {
		if (name[i] < '0' || name[i] > '9') {
			return -LINUX_ENOENT;
		}
		n = n * 10 + (unsigned)(name[i] - '0');
	}
	if (n >= cpus) {
		return -LINUX_ENOENT;
	}
	out->type = &cpu_n_type;
	memset(&out->key, 0, sizeof(out->key));
	out->key.idx = n;
	memcpy(out->name, name, len);
	out->name[len] = '\0';
	return 0;
}

static const struct pseudofs_entry cpu_entries[] = {
	{ "kernel_max", &cpu_kernel_max_type },
	{ "online", &cpu_online_type },
	{ "possible", &cpu_possible_type },
	{ "present", &cpu_present_type },
	{ NULL, NULL },
};
static const struct pseudofs_type cpu_dir_type = {
	.id = 7, .mode = LINUX_S_IFDIR | 0755, .entries = cpu_entries,
	.dyn_next = cpus_next, .dyn_lookup = cpus_lookup,
};
static const struct pseudofs_entry system_entries[] = {
	{ "cpu", &cpu_dir_type },
	{ NULL, NULL },
};
SYSFS_DIR(system_type, 8, system_entries);

/* devices/platform/serial8250/tty/ttyS0 */
SYSFS_FILE(ttys0_dev_type, 9, show_ttys0_dev);
SYSFS_FILE(ttys0_uevent_type, 10, show_ttys0_uevent);
SYSFS_LINK(ttys0_subsystem_type, 11, link_tty_class);
static const struct pseudofs_entry ttys0_entries[] = {
	{ "dev", &ttys0_dev_type },
	{ "subsystem", &ttys0_subsystem_type },
	{ "uevent", &ttys0_uevent_type },
	{ NULL, NULL },
};
SYSFS_DIR(ttys0_dir_type, 12, ttys0_entries);
static const struct pseudofs_entry serial_tty_entries[] = {
	{ "ttyS0", &ttys0_dir_type },
	{ NULL, NULL },
};
SYSFS_DIR(serial_tty_type, 13, serial_tty_entries);
static const struct pseudofs_entry serial8250_entries[] = {
	{ "tty", &serial_tty_type },
	{ NULL, NULL },
};
SYSFS_DIR(serial8250_type, 14, serial8250_entries);
static const struct pseudofs_entry platform_entries[] = {
	{ "serial8250", &serial8250_type },
	{ NULL, NULL },
};
SYSFS_DIR(platform_type, 15, platform_entries);
static const struct pseudofs_entry devices_entries[] = {
	{ "platform", &platform_type },
	{ "system", &system_type },
	{ NULL, NULL },
};
SYSFS_DIR(devices_type, 16, devices_entries);

/* class/ and dev/ */
SYSFS_LINK(class_ttys0_type, 17, link_ttys0);
static const struct pseudofs_entry class_tty_entries[] = {
	{ "ttyS0", &class_ttys0_type },
	{ NULL, NULL },
};
SYSFS_DIR(class_tty_type, 18, class_tty_entries);
static const struct pseudofs_entry class_entries[] = {
	{ "tty", &class_tty_type },
	{ NULL, NULL },
};
SYSFS_DIR(class_type, 19, class_entries);
SYSFS_LINK(dev_char_ttys0_type, 20, link_ttys0);
static const struct pseudofs_entry dev_char_entries[] = {
	{ "4:64", &dev_char_ttys0_type },
	{ NULL, NULL },
};
SYSFS_DIR(dev_char_type, 21, dev_char_entries);
SYSFS_DIR(dev_block_type, 22, none);
static const struct pseudofs_entry dev_entries[] = {
	{ "block", &dev_block_type },
	{ "char", &dev_char_type },
	{ NULL, NULL },
};
SYSFS_DIR(dev_type, 23, dev_entries);

/* kernel/ */
SYSFS_FILE(uevent_seqnum_type, 24, show_zero);
SYSFS_FILE(kexec_loaded_type, 25, show_zero);
SYSFS_FILE(profiling_type, 26, show_zero);
SYSFS_DIR(kernel_mm_type, 27, none);
static const struct pseudofs_entry kernel_entries[] = {
	{ "kexec_loaded", &kexec_loaded_type },
	{ "mm", &kernel_mm_type },
	{ "profiling", &profiling_type },
	{ "uevent_seqnum", &uevent_seqnum_type },
	{ NULL, NULL },
};
SYSFS_DIR(kernel_type, 28, kernel_entries);

/* The empty top-level directories. */
SYSFS_DIR(block_type, 29, none);
SYSFS_DIR(bus_type, 30, none);
SYSFS_DIR(firmware_type, 31, none);
SYSFS_DIR(fs_type, 32, none);
SYSFS_DIR(module_type, 33, none);
SYSFS_DIR(power_type, 34, none);

static const struct pseudofs_entry root_entries[] = {
	{ "block", &block_type },
	{ "bus", &bus_type },
	{ "class", &class_type },
	{ "dev", &dev_type },
	{ "devices", &devices_type },
	{ "firmware", &firmware_type },
	{ "fs", &fs_type },
	{ "kernel", &kernel_type },
	{ "module", &module_type },
	{ "power", &power_type },
	{ NULL, NULL },
};
/* Linux's /sys is owned by root, 0555 at the top. */
static const struct pseudofs_type root_type = {
	.id = 1, .mode = LINUX_S_IFDIR | 0555, .entries = root_entries,
};

static int sysfs_mount(const char *source, unsigned long flags,
		       const char *data, struct vfs_sb **out)
{
	return pseudofs_create(&root_type, LINUX_SYSFS_MAGIC, 0, out);
}

static struct vfs_fstype sysfs_type = {
	.name = "sysfs",
	.nodev = true,
	.mount = sysfs_mount,
};

int sysfs_register(void)
{
	return vfs_fstype_register(&sysfs_type);
}
