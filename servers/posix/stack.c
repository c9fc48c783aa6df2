/*
 * Initial stack layout (stack.h). Built top-down in a buffer that mirrors
 * the program's addresses, so a pointer to a string is computed as
 * top - (distance from the buffer's end).
 */
#include <base/string.h>
#include <linux_abi/auxv.h>
#include <linux_abi/errno.h>
#include <rt/malloc.h>

#include "stack.h"

struct builder {
	uint8_t *buf;
	size_t cap;
	uint64_t top;
	size_t used;		/* bytes taken from the top */
	bool full;
};

/* Copies @len bytes below what is used; returns their user address. */
static uint64_t push_bytes(struct builder *b, const void *data, size_t len)
{
	if (b->full || len > b->cap - b->used) {
		b->full = true;
		return 0;
	}
	b->used += len;
	memcpy(b->buf + b->cap - b->used, data, len);
	return b->top - b->used;
}

static uint64_t push_str(struct builder *b, const char *s)
{
	return push_bytes(b, s, strlen(s) + 1);
}

int stack_build(uint8_t *buf, size_t cap, uint64_t top,
		const struct stack_args *a, uint64_t *sp)
{
	static const uint64_t zero;
	struct builder b = { .buf = buf, .cap = cap, .top = top };
	uint64_t execfn, platform, random, *vec, *envs, *args;
	size_t words, pos = 0;
	int ret = -LINUX_E2BIG;

	/* The end marker, then strings (execfn highest, as Linux does). */
	push_bytes(&b, &zero, sizeof(zero));
	execfn = push_str(&b, a->execfn);
	/* Not on the stack: argument lists can be long, fiber stacks are
	 * small. */
	envs = malloc((a->envc + a->argc + 2) * sizeof(uint64_t));
	if (!envs) {
		return -LINUX_ENOMEM;
	}
	args = envs + a->envc + 1;
	for (size_t i = a->envc; i-- > 0;) {
		envs[i] = push_str(&b, a->envp[i]);
	}
	for (size_t i = a->argc; i-- > 0;) {
		args[i] = push_str(&b, a->argv[i]);
	}
	platform = push_str(&b, "x86_64");
	random = push_bytes(&b, a->random, 16);
	if (b.full) {
		goto out;
	}
	b.used = (b.used + 15) & ~(size_t)15;
	/* argc, argv + NULL, envp + NULL, auxv pairs (+ 3 added + AT_NULL);
	 * an odd count gets one padding word so that rsp ends aligned. */
	words = 1 + a->argc + 1 + a->envc + 1 + 2 * (a->auxc + 4);
	if (words & 1) {
		b.used += 8;
	}
	if (b.used > cap || words * 8 > cap - b.used) {
		goto out;
	}
	b.used += words * 8;
	vec = (uint64_t *)(void *)(buf + cap - b.used);
	vec[pos++] = a->argc;
	for (size_t i = 0; i < a->argc; i++) {
		vec[pos++] = args[i];
	}
	vec[pos++] = 0;
	for (size_t i = 0; i < a->envc; i++) {
		vec[pos++] = envs[i];
	}
	vec[pos++] = 0;
	for (size_t i = 0; i < a->auxc; i++) {
		vec[pos++] = a->auxv[2 * i];
		vec[pos++] = a->auxv[2 * i + 1];
	}
	vec[pos++] = LINUX_AT_RANDOM;
	vec[pos++] = random;
	vec[pos++] = LINUX_AT_EXECFN;
	vec[pos++] = execfn;
	vec[pos++] = LINUX_AT_PLATFORM;
	vec[pos++] = platform;
	vec[pos++] = LINUX_AT_NULL;
	vec[pos++] = 0;
	*sp = top - b.used;
	ret = 0;
out:
	free(envs);
	return ret;
}
