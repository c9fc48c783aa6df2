/*
 * The servers the kernel starts itself (command line servers=PATH,...):
 * trusted programs from the initrd that hold the hardware right and get
 * a struct boot_server_info (abi/keel/bootinfo.h) with the initrd and the
 * command line. They run alongside the init= programs and are not waited
 * for, except by servers_wait() before a test power-off.
 */
#pragma once

/* Starts every server named by servers= in @cmdline, in order. Failures
 * are logged; boot goes on. */
void servers_start(const char *cmdline);
/* Waits until every started server has ended; returns the OR of their
 * exit codes. */
int servers_wait(void);
