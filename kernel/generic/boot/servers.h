/*
 * The servers the kernel starts itself (command line servers=PATH,...
 * and daemons=PATH,...): trusted programs from the initrd that hold the
 * hardware right and get a struct boot_server_info (abi/keel/bootinfo.h)
 * with the initrd and the command line. They run alongside the init=
 * programs and are not waited for, except servers= ones by
 * servers_wait() before a test power-off. daemons= are the servers that
 * run as long as the system does (file-system servers, drivers): they
 * start first and nothing waits for them to end.
 */
#pragma once

/* Starts every daemon named by daemons=, then every server named by
 * servers= in @cmdline, in order. Failures are logged; boot goes on. */
void servers_start(const char *cmdline);
/* Waits until every started server (not daemon) has ended; returns the
 * OR of their exit codes. */
int servers_wait(void);
