/*
 * The registry at boot: the kernel starts the registry server before any
 * other program and gives every boot program a private stream to it, so
 * that a program's first handle leads to everything else. The registry
 * gets, as its main argument, its end of a stream whose other end only
 * the kernel holds; on it the kernel sends one REGISTRY_KERNEL_CLIENT
 * message per boot program, carrying the registry's end of that
 * program's stream (abi/keel/proto/registry.h).
 *
 * Called from the init thread only, one call at a time.
 */
#pragma once

#include <keel/error.h>
#include <keel/handle.h>

struct process;

/* Starts the registry from the initrd file @path and does not wait for
 * it. ERR_NOT_FOUND (no such file) and the errors of process creation:
 * boot goes on without a registry then. */
err_t registry_start(const char *path);

/* Puts a new stream to the registry into the handle table of @p, a
 * process not started yet, and stores the handle in *@out (0 on
 * failure). ERR_NOT_FOUND (no registry was started), ERR_PEER_CLOSED
 * (it has ended), ERR_NO_MEMORY. */
err_t registry_connect(struct process *p, handle_t *out);
