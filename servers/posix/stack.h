/*
 * The initial stack of a Linux program, as execve leaves it (System V
 * x86_64 ABI, section 3.4.1): at rsp argc, then argv[] and NULL, envp[]
 * and NULL, the auxiliary vector ending with AT_NULL; above them the
 * strings, the 16 AT_RANDOM bytes and the platform name. rsp is 16-byte
 * aligned. Pure logic, host-tested (tests/host/test_posix_stack.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stack_args {
	char *const *argv;
	size_t argc;
	char *const *envp;
	size_t envc;
	const uint64_t *auxv;	/* pairs; AT_RANDOM, AT_EXECFN, AT_PLATFORM
				 * and AT_NULL are added here */
	size_t auxc;		/* number of pairs */
	const uint8_t *random;	/* 16 bytes */
	const char *execfn;
};

/* Lays the stack out in @buf, which stands for the @cap bytes just below
 * user address @top. Returns 0 and the program's rsp in @sp (the used
 * bytes are [*sp, top)), or -LINUX_E2BIG when it does not fit. */
int stack_build(uint8_t *buf, size_t cap, uint64_t top,
		const struct stack_args *a, uint64_t *sp);
