/*
 * Host tests of the posix server's initial stack layout (stack.c): the
 * System V x86_64 process entry layout that every Linux program's start
 * code reads.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include <linux_abi/auxv.h>
#include <linux_abi/errno.h>

#include "../../servers/posix/stack.h"

#define TOP 0x7ffffffde000ull
#define CAP 65536

static uint8_t buf[CAP];

/* The user address @ua as a pointer into buf. */
static void *at(uint64_t ua)
{
	return buf + CAP - (TOP - ua);
}

static uint64_t word(uint64_t ua)
{
	uint64_t v;

	memcpy(&v, at(ua), 8);
	return v;
}

static const uint8_t rnd[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
				 9, 10, 11, 12, 13, 14, 15, 16 };

static int build(char *const *argv, size_t argc, char *const *envp,
		 size_t envc, const uint64_t *auxv, size_t auxc, uint64_t *sp)
{
	struct stack_args a = {
		.argv = argv, .argc = argc, .envp = envp, .envc = envc,
		.auxv = auxv, .auxc = auxc, .random = rnd,
		.execfn = "/bin/prog",
	};

	memset(buf, 0xee, sizeof(buf));
	return stack_build(buf, CAP, TOP, &a, sp);
}

/* Finds auxv entry @type after the environment; 0 if absent. */
static uint64_t aux(uint64_t sp, uint64_t type, int *found)
{
	uint64_t p = sp + 8 * (1 + word(sp) + 1);

	while (word(p)) {
		p += 8;
	}
	for (p += 8; word(p) != LINUX_AT_NULL; p += 16) {
		if (word(p) == type) {
			*found = 1;
			return word(p + 8);
		}
	}
	*found = 0;
	return 0;
}

TEST(layout_argc_argv_envp)
{
	char *argv[] = { "prog", "-x", "hello world" };
	char *envp[] = { "A=1", "PATH=/bin" };
	uint64_t auxv[] = { LINUX_AT_PAGESZ, 4096, LINUX_AT_ENTRY, 0x401000 };
	uint64_t sp;

	REQUIRE(build(argv, 3, envp, 2, auxv, 2, &sp) == 0);
	CHECK_EQ(sp % 16, 0);
	CHECK(sp < TOP && TOP - sp < CAP);
	CHECK_EQ(word(sp), 3);
	for (int i = 0; i < 3; i++) {
		CHECK_STR_EQ((char *)at(word(sp + 8 + 8 * i)), argv[i]);
	}
	CHECK_EQ(word(sp + 8 * 4), 0);
	CHECK_STR_EQ((char *)at(word(sp + 8 * 5)), "A=1");
	CHECK_STR_EQ((char *)at(word(sp + 8 * 6)), "PATH=/bin");
	CHECK_EQ(word(sp + 8 * 7), 0);
}

TEST(auxv_given_and_added)
{
	char *argv[] = { "prog" };
	uint64_t auxv[] = { LINUX_AT_PAGESZ, 4096, LINUX_AT_ENTRY, 0x401000 };
	uint64_t sp, v;
	int found;

	REQUIRE(build(argv, 1, NULL, 0, auxv, 2, &sp) == 0);
	CHECK_EQ(aux(sp, LINUX_AT_PAGESZ, &found), 4096);
	CHECK(found);
	CHECK_EQ(aux(sp, LINUX_AT_ENTRY, &found), 0x401000);
	v = aux(sp, LINUX_AT_RANDOM, &found);
	REQUIRE(found && v > sp && v + 16 <= TOP);
	CHECK(memcmp(at(v), rnd, 16) == 0);
	v = aux(sp, LINUX_AT_EXECFN, &found);
	REQUIRE(found && v > sp && v < TOP);
	CHECK_STR_EQ((char *)at(v), "/bin/prog");
	v = aux(sp, LINUX_AT_PLATFORM, &found);
	REQUIRE(found);
	CHECK_STR_EQ((char *)at(v), "x86_64");
	aux(sp, LINUX_AT_PHDR, &found);
	CHECK(!found);
}

TEST(aligned_for_every_count)
{
	char *v[] = { "a", "bb", "ccc", "dddd", "eeeee", "f", "g", "h" };
	uint64_t auxv[] = { LINUX_AT_PAGESZ, 4096, LINUX_AT_UID, 0,
			    LINUX_AT_GID, 0 };

	for (size_t argc = 0; argc < 8; argc++) {
		for (size_t envc = 0; envc < 8; envc++) {
			for (size_t auxc = 0; auxc <= 3; auxc++) {
				uint64_t sp;

				REQUIRE(build(v, argc, v, envc, auxv, auxc,
					      &sp) == 0);
				CHECK_EQ(sp % 16, 0);
				CHECK_EQ(word(sp), argc);
			}
		}
	}
}

TEST(strings_do_not_overlap_vectors)
{
	char *argv[] = { "prog", "x" };
	uint64_t sp, lowest = TOP;

	REQUIRE(build(argv, 2, NULL, 0, NULL, 0, &sp) == 0);
	for (int i = 0; i < 2; i++) {
		uint64_t s = word(sp + 8 + 8 * i);

		if (s < lowest) {
			lowest = s;
		}
	}
	/* argc, 2 argv, NULL, NULL env, 4 aux pairs (3 + AT_NULL). */
	CHECK(sp + 8 * (1 + 2 + 1 + 1 + 8) <= lowest);
}

TEST(too_big_is_e2big)
{
	static char big[CAP];
	char *argv[] = { big };
	uint64_t sp;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_EQ(build(argv, 1, NULL, 0, NULL, 0, &sp), -LINUX_E2BIG);
	/* Strings that fit but leave no room for the vectors. */
	big[CAP - 100] = '\0';
	CHECK_EQ(build(argv, 1, NULL, 0, NULL, 0, &sp), -LINUX_E2BIG);
}

TEST(many_arguments)
{
	enum { N = 2000 };
	static char *argv[N];
	uint64_t sp;

	for (int i = 0; i < N; i++) {
		argv[i] = "arg";
	}
	REQUIRE(build(argv, N, NULL, 0, NULL, 0, &sp) == 0);
	CHECK_EQ(word(sp), N);
	CHECK_STR_EQ((char *)at(word(sp + 8 * N)), "arg");
	CHECK_EQ(word(sp + 8 * (N + 1)), 0);
}

int main(void)
{
	RUN(layout_argc_argv_envp);
	RUN(auxv_given_and_added);
	RUN(aligned_for_every_count);
	RUN(strings_do_not_overlap_vectors);
	RUN(too_big_is_e2big);
	RUN(many_arguments);
	return check_done();
}
