/*
 * /sys as programs read it: the top-level directories, the CPU list
 * (online/possible/present and one cpuN directory each, as glibc's
 * get_nprocs reads them), statfs's magic numbers of /sys and /proc, and
 * refusals (writing a read-only attribute, making files). On Keel the
 * console's entries (class/tty/ttyS0, dev/char/4:64) are checked too;
 * the host's machine may have no ttyS0.
 *
 * In the guest the runner mounts nothing: /sys (and /proc) are mounted
 * here when missing.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#include "lt.h"

static long slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		return -1;
	}
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0) {
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (long)len;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_keel(void)
{
	struct utsname u;

	return uname(&u) == 0 && strstr(u.release, "keel") != NULL;
}

static void ensure_mounted(void)
{
	if (!is_dir("/sys/kernel")) {
		mkdir("/sys", 0555);
		LT_EXPECT("mount_sysfs", mount("sysfs", "/sys", "sysfs", 0, NULL),
			  0);
	}
	if (access("/proc/self/stat", R_OK) != 0) {
		mkdir("/proc", 0555);
		LT_EXPECT("mount_proc", mount("proc", "/proc", "proc", 0, NULL),
			  0);
	}
}

static void test_tree(void)
{
	bool kernel = false, devices = false, class = false;
	struct statfs sfs;
	struct dirent *e;
	DIR *d;

	LT_CHECK("sys_kernel_dir", is_dir("/sys/kernel"));
	LT_CHECK("sys_class_dir", is_dir("/sys/class"));
	LT_CHECK("sys_devices_dir", is_dir("/sys/devices"));
	LT_CHECK("sys_dev_char_dir", is_dir("/sys/dev/char"));
	LT_CHECK("sys_bus_dir", is_dir("/sys/bus"));
	d = opendir("/sys");
	while (d && (e = readdir(d))) {
		kernel |= strcmp(e->d_name, "kernel") == 0 &&
			  e->d_type == DT_DIR;
		devices |= strcmp(e->d_name, "devices") == 0;
		class |= strcmp(e->d_name, "class") == 0;
	}
	if (d) {
		closedir(d);
	}
	LT_CHECK("sys_listing", kernel && devices && class);
	LT_EXPECT("statfs_sys", statfs("/sys", &sfs), 0);
	LT_EXPECT("sys_magic", sfs.f_type, 0x62656572);
	LT_EXPECT("statfs_proc", statfs("/proc", &sfs), 0);
	LT_EXPECT("proc_magic", sfs.f_type, 0x9fa0);
}

static void test_cpus(void)
{
	char s[256];
	unsigned lo = 1, hi = 0;
	int dirs = 0, n;
	struct dirent *e;
	DIR *d;

	LT_CHECK("cpu_online", slurp("/sys/devices/system/cpu/online", s,
				     sizeof(s)) > 0);
	n = sscanf(s, "%u-%u", &lo, &hi);
	if (n == 1) {
		hi = lo;
	}
	LT_CHECK("cpu_online_format", n >= 1 && lo == 0 && hi >= lo &&
					      s[strlen(s) - 1] == '\n');
	LT_CHECK("cpu_possible", slurp("/sys/devices/system/cpu/possible", s,
				       sizeof(s)) > 0 &&
					 s[0] == '0');
	d = opendir("/sys/devices/system/cpu");
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "cpu", 3) == 0 &&
		    isdigit((unsigned char)e->d_name[3])) {
			dirs++;
		}
	}
	if (d) {
		closedir(d);
	}
	LT_EXPECT("cpu_dirs_match_online", dirs, (long)(hi - lo + 1));
	LT_CHECK("cpu0_dir", is_dir("/sys/devices/system/cpu/cpu0"));
	snprintf(s, sizeof(s), "/sys/devices/system/cpu/cpu%u", hi + 1);
	LT_CHECK("cpu_past_last", !is_dir(s));
}

static void test_refusals(void)
{
	int fd = open("/sys/kernel/uevent_seqnum", O_WRONLY);

	/* Read-only attributes refuse writers, root included. */
	LT_CHECK("sys_write_refused", fd < 0 && errno == EACCES);
	if (fd >= 0) {
		close(fd);
	}
	LT_CHECK("sys_read_attr", access("/sys/kernel/uevent_seqnum", R_OK) ==
					  0);
	LT_CHECK("sys_mkdir_refused", mkdir("/sys/newdir", 0755) < 0);
	LT_CHECK("sys_create_refused",
		 open("/sys/kernel/newfile", O_WRONLY | O_CREAT, 0644) < 0);
	LT_ERRNO("sys_missing", open("/sys/no/such", O_RDONLY), ENOENT);
}

static void test_console(void)
{
	char s[256];
	long n;

	if (!is_keel()) {
		return;
	}
	n = readlink("/sys/class/tty/ttyS0", s, sizeof(s) - 1);
	s[n < 0 ? 0 : n] = '\0';
	LT_CHECK("class_tty_ttyS0",
		 strcmp(s, "../../devices/platform/serial8250/tty/ttyS0") == 0);
	LT_CHECK("ttyS0_dev", slurp("/sys/class/tty/ttyS0/dev", s, sizeof(s)) >
					      0 &&
				      strcmp(s, "4:64\n") == 0);
	LT_CHECK("ttyS0_uevent",
		 slurp("/sys/dev/char/4:64/uevent", s, sizeof(s)) > 0 &&
			 strstr(s, "DEVNAME=ttyS0\n") != NULL);
	LT_CHECK("ttyS0_subsystem",
		 is_dir("/sys/devices/platform/serial8250/tty/ttyS0/subsystem"
			"/ttyS0"));
}

int main(void)
{
	ensure_mounted();
	test_tree();
	test_cpus();
	test_refusals();
	test_console();
	return lt_done();
}
