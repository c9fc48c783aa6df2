/*
 * Tests of the registry's property tails (lib/registry/props.c): the
 * checks at every limit and every kind of malformation, lookup of a key,
 * matching (all pairs of the filter, exact values), building from
 * strings, and random tails; each tail checked in an exactly sized heap
 * copy so that ASan sees any read past it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <registry/registry.h>

#include "check.h"
#include "rng.h"

/* registry_props_check on an exact heap copy of @size bytes at @p. */
static err_t check_tail(const char *p, size_t size, unsigned *count)
{
	char *copy = malloc(size ? size : 1);
	err_t err;

	memcpy(copy, p, size);
	err = registry_props_check(copy, size, count);
	free(copy);
	return err;
}

/* A tail of one pair: a key of @klen 'k's, a value of @vlen 'v's. */
static size_t one_pair(char *buf, size_t klen, size_t vlen)
{
	memset(buf, 'k', klen);
	buf[klen] = '=';
	memset(buf + klen + 1, 'v', vlen);
	buf[klen + 1 + vlen] = '\0';
	return klen + vlen + 2;
}

TEST(check_well_formed)
{
	unsigned n = 99;

	CHECK_EQ(check_tail("", 0, &n), ERR_OK);
	CHECK_EQ(n, 0);
	CHECK_EQ(check_tail("name=posix", 11, &n), ERR_OK);
	CHECK_EQ(n, 1);
	CHECK_EQ(check_tail("name=posix\0class=block\0pci.vendor=1af4", 39,
			    &n),
		 ERR_OK);
	CHECK_EQ(n, 3);
	CHECK_EQ(check_tail("a=", 3, NULL), ERR_OK); /* empty value */
	CHECK_EQ(check_tail("A-b_c.9=x y~!", 14, NULL), ERR_OK);
}

TEST(check_malformed)
{
	CHECK_EQ(check_tail("name=posix", 10, NULL), ERR_INVALID); /* NUL */
	CHECK_EQ(check_tail("name", 5, NULL), ERR_INVALID);
	CHECK_EQ(check_tail("=x", 3, NULL), ERR_INVALID);
	CHECK_EQ(check_tail("", 1, NULL), ERR_INVALID); /* empty pair */
	CHECK_EQ(check_tail("a=1\0\0", 5, NULL), ERR_INVALID);
	CHECK_EQ(check_tail("a b=1", 6, NULL), ERR_INVALID);
	CHECK_EQ(check_tail("a/b=1", 6, NULL), ERR_INVALID);
	CHECK_EQ(check_tail("a\xc3=1", 5, NULL), ERR_INVALID);
	CHECK_EQ(check_tail("a=\t", 4, NULL), ERR_INVALID);
	CHECK_EQ(check_tail("a=\x7f", 4, NULL), ERR_INVALID);
	CHECK_EQ(check_tail("a=\x80", 4, NULL), ERR_INVALID);
	CHECK_EQ(check_tail("a=1\0a=2", 8, NULL), ERR_INVALID);
	CHECK_EQ(check_tail("a=1\0b=2\0a=1", 12, NULL), ERR_INVALID);
	/* "a=b=c" is key "a", value "b=c": '=' is a printable byte. */
	CHECK_EQ(check_tail("a=b=c", 6, NULL), ERR_OK);
}

TEST(check_limits)
{
	char buf[REGISTRY_PROPS_MAX + 256];
	size_t n = 0;

	CHECK_EQ(check_tail(buf, one_pair(buf, REGISTRY_KEY_MAX, 1), NULL),
		 ERR_OK);
	CHECK_EQ(check_tail(buf, one_pair(buf, REGISTRY_KEY_MAX + 1, 1), NULL),
		 ERR_TOO_BIG);
	CHECK_EQ(check_tail(buf, one_pair(buf, 1, REGISTRY_VALUE_MAX), NULL),
		 ERR_OK);
	CHECK_EQ(check_tail(buf, one_pair(buf, 1, REGISTRY_VALUE_MAX + 1),
			    NULL),
		 ERR_TOO_BIG);
	for (int i = 0; i < REGISTRY_PROP_COUNT_MAX + 1; i++) {
		n += (size_t)sprintf(buf + n, "k%02d=v", i) + 1;
		CHECK_EQ(check_tail(buf, n, NULL),
			 i < REGISTRY_PROP_COUNT_MAX ? ERR_OK : ERR_TOO_BIG);
	}
	/* The whole tail: 8 pairs of 128 bytes fill it exactly. */
	n = 0;
	for (int i = 0; i < 8; i++) {
		n += one_pair(buf + n, 2, 124);
		buf[n - 128] = (char)('a' + i); /* distinct keys */
	}
	CHECK_EQ(n, REGISTRY_PROPS_MAX);
	CHECK_EQ(check_tail(buf, n, NULL), ERR_OK);
	n += one_pair(buf + n, 1, 0);
	CHECK_EQ(check_tail(buf, n, NULL), ERR_TOO_BIG);
}

TEST(get)
{
	static const char p[] = "name=posix\0names=x\0class=block";

	CHECK_STR_EQ(registry_props_get(p, sizeof(p), "name"), "posix");
	CHECK_STR_EQ(registry_props_get(p, sizeof(p), "names"), "x");
	CHECK_STR_EQ(registry_props_get(p, sizeof(p), "class"), "block");
	CHECK(registry_props_get(p, sizeof(p), "nam") == NULL);
	CHECK(registry_props_get(p, sizeof(p), "posix") == NULL);
	CHECK(registry_props_get(p, 0, "name") == NULL);
}

TEST(match)
{
	static const char have[] = "name=posix\0class=server\0unit=0";

	CHECK(registry_props_match(have, sizeof(have), "", 0));
	CHECK(registry_props_match(have, sizeof(have), "name=posix", 11));
	CHECK(registry_props_match(have, sizeof(have),
				   "unit=0\0name=posix", 18));
	CHECK(!registry_props_match(have, sizeof(have), "name=posi", 10));
	CHECK(!registry_props_match(have, sizeof(have), "name=posix2", 12));
	CHECK(!registry_props_match(have, sizeof(have), "nam=posix", 10));
	CHECK(!registry_props_match(have, sizeof(have),
				    "name=posix\0colour=red", 22));
	CHECK(!registry_props_match("", 0, "a=", 3));
	CHECK(registry_props_match("a=", 3, "a=", 3));
}

TEST(build)
{
	char buf[64];
	size_t size = 99;

	CHECK_EQ(registry_props_build(buf, sizeof(buf),
				      (const char *const[]){ "a=1", "bb=22",
							     NULL },
				      &size),
		 ERR_OK);
	CHECK_EQ(size, 10);
	CHECK(memcmp(buf, "a=1\0bb=22", 10) == 0);
	CHECK_EQ(registry_props_build(buf, sizeof(buf), NULL, &size), ERR_OK);
	CHECK_EQ(size, 0);
	CHECK_EQ(registry_props_build(buf, sizeof(buf),
				      (const char *const[]){ NULL }, &size),
		 ERR_OK);
	CHECK_EQ(size, 0);
	CHECK_EQ(registry_props_build(buf, 4,
				      (const char *const[]){ "a=12", NULL },
				      &size),
		 ERR_TOO_BIG);
	CHECK_EQ(registry_props_build(buf, 5,
				      (const char *const[]){ "a=12", NULL },
				      &size),
		 ERR_OK);
	CHECK_EQ(registry_props_build(buf, sizeof(buf),
				      (const char *const[]){ "a b=1", NULL },
				      &size),
		 ERR_INVALID);
	CHECK_EQ(registry_props_build(buf, sizeof(buf),
				      (const char *const[]){ "a=1", "a=2",
							     NULL },
				      &size),
		 ERR_INVALID);
}

/* Random tails from a small alphabet rich in the bytes that matter:
 * never a read past the tail, and an accepted tail matches itself and
 * finds each of its keys. */
TEST(random_tails)
{
	static const char alphabet[] = "ab=\0=\x01 z.";

	rng_seed(0x9e9);
	for (int i = 0; i < 20000; i++) {
		char buf[48];
		size_t size = rng() % sizeof(buf);
		unsigned count = 0;
		char *copy;

		for (size_t k = 0; k < size; k++) {
			buf[k] = alphabet[rng() % (sizeof(alphabet) - 1)];
		}
		copy = malloc(size ? size : 1);
		memcpy(copy, buf, size);
		if (registry_props_check(copy, size, &count) == ERR_OK) {
			unsigned seen = 0;

			CHECK(registry_props_match(copy, size, copy, size));
			for (size_t off = 0; off < size; seen++) {
				char key[48];
				size_t k = strcspn(copy + off, "=");

				memcpy(key, copy + off, k);
				key[k] = '\0';
				CHECK(registry_props_get(copy, size, key) ==
				      copy + off + k + 1);
				off += strlen(copy + off) + 1;
			}
			CHECK_EQ(seen, count);
		}
		free(copy);
	}
}

int main(void)
{
	RUN(check_well_formed);
	RUN(check_malformed);
	RUN(check_limits);
	RUN(get);
	RUN(match);
	RUN(build);
	RUN(random_tails);
	return check_done();
}
