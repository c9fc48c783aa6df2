/*
 * Mounting file systems that live in servers of their own (docs/
 * filesystems.md): mount(2) of such a type finds the server's endpoint
 * in the registry (service=fs, fstype=<type>, source=<source>), opens
 * a private stream to it (FS_OPEN), creates the transfer area and hands
 * the stream to remotefs through a transport built on lib/proto and
 * fibers. Types: "memfs" (servers/memfs) for now; ext2 with issue #5.
 */
#pragma once

#include <keel/handle.h>

/* Registers the file-system types served by other processes; @registry
 * is the posix server's stream to the registry (0: none, and mounts of
 * these types fail with ENODEV). */
int fsmount_register(handle_t registry);
