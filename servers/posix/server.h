/*
 * The posix server's shared state: its event loop (one completion queue
 * for every supervision channel, timer and driver request) and its
 * options from the kernel command line.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <fiber/loop.h>

extern struct loop posix_loop;

struct posix_options {
	char init[128];		/* posix.init=: the first program */
	bool oneshot;		/* posix.oneshot: end with the first program */
	bool trace;		/* posix.trace: trace every process's calls */
};
extern struct posix_options posix_opts;

/* Fills @buf with @len random bytes (for AT_RANDOM, getrandom and
 * /dev/urandom): a ChaCha-style generator seeded from the TSC and the
 * clock at start-up. Not yet cryptographic: see docs/status.md. */
void posix_random(void *buf, uint64_t len);
