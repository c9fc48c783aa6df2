/*
 * sysfs: a first, read-only /sys for the posix server (pseudofs.h):
 *
 *   kernel/                   uevent_seqnum, kexec_loaded, profiling, mm/
 *   class/tty/ttyS0           -> the console's device directory
 *   dev/char/4:64             -> the same
 *   devices/platform/serial8250/tty/ttyS0/{dev,uevent,subsystem}
 *   devices/system/cpu/       online, possible, present, kernel_max,
 *                             cpu<N>/ for each CPU (cpuinfo.h's count)
 *   block/ bus/ firmware/ fs/ module/ power/   empty for now (the PCI
 *                             part of bus/ and devices/ comes with the
 *                             driver work)
 */
#pragma once

/* Registers "sysfs" with the vfs; every mount is a new instance.
 * EEXIST. */
int sysfs_register(void);
