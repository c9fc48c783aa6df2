/*
 * What the kernel hands the servers it starts itself (kernel command line
 * servers=PATH[,PATH..]): their first thread starts with rdi = a handle
 * to a read-only memory object that holds a struct boot_server_info.
 * Those servers also hold the hardware right (IRQ, I/O port, device
 * memory and system power calls). Version 2 added the registry stream.
 */
#pragma once

#include <stdint.h>

#define BOOT_SERVER_INFO_VERSION 2
#define BOOT_CMDLINE_MAX 1024

struct boot_server_info {
	uint32_t version;		/* BOOT_SERVER_INFO_VERSION */
	uint32_t initrd;		/* memory object handle (read, map,
					 * duplicate, transfer); 0: none */
	uint64_t initrd_offset;		/* the archive's first byte in it */
	uint64_t initrd_size;		/* bytes */
	char cmdline[BOOT_CMDLINE_MAX];	/* the kernel command line */
	uint32_t registry;		/* a private stream to the registry
					 * (all rights); 0: no registry */
	uint32_t reserved;
};
_Static_assert(sizeof(struct boot_server_info) == 32 + BOOT_CMDLINE_MAX,
	       "boot_server_info layout");
