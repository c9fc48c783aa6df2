/*
 * The processor as the posix server sees it, for /proc/cpuinfo, /proc/stat
 * and /sys/devices/system/cpu: cpuid, read once in the server, and the
 * TSC frequency the kernel measured (the clock page).
 *
 * The number of CPUs is cpuid's count of logical processors in the
 * package (leaf 0xB, else leaf 1): the kernel does not report its CPUs
 * yet, so a machine of several sockets shows those of the first.
 */
#pragma once

#include "procfs_fmt.h"

/* Fills @out (the first call asks the processor, later ones copy). */
void cpuinfo_read(struct procfs_cpuid *out);
/* The number of CPUs (at least 1). */
unsigned cpuinfo_cpus(void);
