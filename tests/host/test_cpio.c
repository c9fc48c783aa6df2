/*
 * Tests of lib/cpio/cpio.c on "newc" archives built here byte by byte:
 * a well-formed one, then every kind of damage (bad magic and hex, sizes
 * running past the end or overflowing, names without their NUL, padding,
 * truncation at every length, random mutations), each run in an exactly
 * sized heap copy so that ASan sees any read past the archive.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <cpio/cpio.h>

#include "check.h"
#include "rng.h"

#define AR_MAX 8192

struct archive {
	uint8_t buf[AR_MAX];
	size_t len;
};

static struct archive ar;
static uint32_t next_ino;

static void ar_bytes(const void *p, size_t n)
{
	if (ar.len + n <= AR_MAX) {
		memcpy(ar.buf + ar.len, p, n);
	}
	ar.len += n;
}

static void ar_pad(void)
{
	while (ar.len % 4) {
		ar_bytes("", 1);
	}
}

/* Appends a member; returns the offset of its header. */
static size_t ar_add(const char *name, uint32_t mode, const void *data,
		     size_t size)
{
	char hdr[CPIO_HEADER_SIZE + 1];
	size_t at = ar.len;

	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 next_ino++, mode, 1000u, 100u, 1u, 0x5f5e1000u,
		 (unsigned)size, 8u, 1u, 4u, 64u, (unsigned)strlen(name) + 1,
		 0u);
	ar_bytes(hdr, CPIO_HEADER_SIZE);
	ar_bytes(name, strlen(name) + 1);
	ar_pad();
	ar_bytes(data, size);
	ar_pad();
	return at;
}

static const char init_data[] = "\x7f" "ELF pretend program";
static const char motd[] = "hi!\n\n";	/* 5 bytes: needs padding */

/* Offsets of the members of the standard archive. */
static size_t at_root, at_bin, at_init, at_motd, at_empty, at_link;
static size_t at_trailer;

static void build_archive(void)
{
	memset(&ar, 0, sizeof(ar));
	next_ino = 100;
	at_root = ar_add(".", CPIO_MODE_DIR | 0755, "", 0);
	at_bin = ar_add("bin", CPIO_MODE_DIR | 0755, "", 0);
	at_init = ar_add("bin/init", CPIO_MODE_REG | 0755, init_data,
			 sizeof(init_data));
	at_motd = ar_add("./etc/motd", CPIO_MODE_REG | 0644, motd,
			 sizeof(motd) - 1);
	at_empty = ar_add("/empty", CPIO_MODE_REG | 0600, "", 0);
	at_link = ar_add("sh", CPIO_MODE_LNK | 0777, "bin/init", 8);
	at_trailer = ar_add(CPIO_TRAILER, 0, "", 0);
	/* cpio pads archives to 512 bytes with zeros. */
	while (ar.len % 512) {
		ar_bytes("", 1);
	}
}

/* Returns an exactly sized heap copy of the first @len archive bytes. */
static uint8_t *exact_copy(size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (p) {
		memcpy(p, ar.buf, len);
	}
	return p;
}

/* Runs cpio_next() from @offset on an exact copy; returns its result. */
static err_t next_at(size_t offset)
{
	uint8_t *copy = exact_copy(ar.len);
	struct cpio_entry e;
	err_t err;

	if (!copy) {
		return ERR_NO_MEMORY;
	}
	err = cpio_next(copy, ar.len, &offset, &e);
	free(copy);
	return err;
}

TEST(walks_a_good_archive)
{
	static const char *const names[] = {
		".", "bin", "bin/init", "./etc/motd", "/empty", "sh",
	};
	uint8_t *copy;
	struct cpio_entry e;
	size_t offset = 0;
	unsigned n = 0;
	err_t err;

	build_archive();
	copy = exact_copy(ar.len);
	REQUIRE(copy);
	while ((err = cpio_next(copy, ar.len, &offset, &e)) == ERR_OK) {
		if (n == 6) {
			CHECK(!"more members than were put in");
			break;
		}
		CHECK_STR_EQ(e.name, names[n]);
		CHECK_EQ(e.name_len, strlen(names[n]));
		CHECK_EQ(offset % 4, 0);
		CHECK_EQ(((const uint8_t *)e.data - copy) % 4, 0);
		CHECK_EQ(e.uid, 1000);
		CHECK_EQ(e.gid, 100);
		CHECK_EQ(e.nlink, 1);
		CHECK_EQ(e.mtime, 0x5f5e1000);
		CHECK_EQ(e.ino, 100 + n);
		CHECK_EQ(e.dev_major, 8);
		CHECK_EQ(e.dev_minor, 1);
		CHECK_EQ(e.rdev_major, 4);
		CHECK_EQ(e.rdev_minor, 64);
		n++;
	}
	CHECK_EQ(err, ERR_NOT_FOUND);
	CHECK_EQ(n, 6);
	/* At the trailer the offset stays put and the answer does not
	 * change. */
	CHECK_EQ(offset, at_trailer);
	CHECK_EQ(cpio_next(copy, ar.len, &offset, &e), ERR_NOT_FOUND);
	free(copy);
}

TEST(entry_fields_and_data)
{
	struct cpio_entry e;
	size_t offset;

	build_archive();
	offset = at_init;
	REQUIRE(cpio_next(ar.buf, ar.len, &offset, &e) == ERR_OK);
	CHECK_EQ(offset, at_motd);
	CHECK_EQ(e.mode, CPIO_MODE_REG | 0755);
	CHECK_EQ(e.size, sizeof(init_data));
	CHECK(memcmp(e.data, init_data, sizeof(init_data)) == 0);

	REQUIRE(cpio_next(ar.buf, ar.len, &offset, &e) == ERR_OK);
	CHECK_EQ(e.size, 5);
	CHECK(memcmp(e.data, motd, 5) == 0);
	CHECK_EQ(offset, at_empty);

	REQUIRE(cpio_next(ar.buf, ar.len, &offset, &e) == ERR_OK);
	CHECK_EQ(e.size, 0);
	CHECK_EQ(e.mode & CPIO_MODE_TYPE, CPIO_MODE_REG);

	REQUIRE(cpio_next(ar.buf, ar.len, &offset, &e) == ERR_OK);
	CHECK_EQ(e.mode & CPIO_MODE_TYPE, CPIO_MODE_LNK);
	CHECK(memcmp(e.data, "bin/init", 8) == 0);
}

TEST(find_with_and_without_prefixes)
{
	static const struct {
		const char *path;
		size_t at;	/* 0: not found */
	} cases[] = {
		{ "bin/init", 1 }, { "/bin/init", 1 }, { "./bin/init", 1 },
		{ "//bin/init", 1 }, { "etc/motd", 2 }, { "/etc/motd", 2 },
		{ "./etc/motd", 2 }, { "empty", 3 }, { "/empty", 3 },
		{ "bin", 4 }, { "bin/ini", 0 }, { "bin/init2", 0 },
		{ "in/init", 0 }, { "etc", 0 }, { "TRAILER!!!", 0 },
		{ "", 0 }, { "/", 0 },
	};
	uint8_t *copy;

	build_archive();
	copy = exact_copy(ar.len);
	REQUIRE(copy);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cpio_entry e = { 0 };
		err_t err = cpio_find(copy, ar.len, cases[i].path, &e);

		if (!cases[i].at) {
			CHECK_EQ(err, ERR_NOT_FOUND);
			CHECK(e.name == NULL);
			continue;
		}
		CHECK_EQ(err, ERR_OK);
		if (err) {
			continue;
		}
		switch (cases[i].at) {
		case 1:
			CHECK_EQ(e.size, sizeof(init_data));
			break;
		case 2:
			CHECK_EQ(e.size, 5);
			break;
		case 3:
			CHECK_STR_EQ(e.name, "/empty");
			break;
		default:
			CHECK_EQ(e.mode & CPIO_MODE_TYPE, CPIO_MODE_DIR);
			break;
		}
	}
	free(copy);
}

TEST(end_without_trailer)
{
	struct cpio_entry e;
	size_t offset;

	build_archive();
	/* Cut right after a member: the archive just ends there. */
	offset = at_link;
	REQUIRE(cpio_next(ar.buf, at_trailer, &offset, &e) == ERR_OK);
	CHECK_EQ(offset, at_trailer);
	CHECK_EQ(cpio_next(ar.buf, at_trailer, &offset, &e), ERR_NOT_FOUND);
	CHECK_EQ(cpio_find(ar.buf, at_trailer, "nothere", &e), ERR_NOT_FOUND);
	/* Cut inside the last member's data padding: still fine. */
	offset = at_motd;
	REQUIRE(cpio_next(ar.buf, at_empty - 2, &offset, &e) == ERR_OK);
	CHECK_EQ(offset, at_empty - 2);
	CHECK_EQ(cpio_next(ar.buf, at_empty - 2, &offset, &e), ERR_NOT_FOUND);
	/* An empty archive. */
	offset = 0;
	CHECK_EQ(cpio_next(ar.buf, 0, &offset, &e), ERR_NOT_FOUND);
}

TEST(offsets_outside_or_misaligned)
{
	struct cpio_entry e;
	size_t offset;

	build_archive();
	offset = ar.len;
	CHECK_EQ(cpio_next(ar.buf, ar.len, &offset, &e), ERR_NOT_FOUND);
	offset = ar.len + 4;
	CHECK_EQ(cpio_next(ar.buf, ar.len, &offset, &e), ERR_NOT_FOUND);
	offset = SIZE_MAX - 3;
	CHECK_EQ(cpio_next(ar.buf, ar.len, &offset, &e), ERR_NOT_FOUND);
	for (size_t o = 1; o < 4; o++) {
		offset = at_init + o;
		CHECK_EQ(cpio_next(ar.buf, ar.len, &offset, &e), ERR_INVALID);
	}
}

TEST(bad_magic)
{
	static const char *const magics[] = {
		"070702", "070707", "070700", "170701", "07070", "\0\0\0\0\0",
	};

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		build_archive();
		memcpy(ar.buf + at_init, magics[i], 6);
		CHECK_EQ(next_at(at_init), ERR_CORRUPT);
		CHECK_EQ(next_at(at_bin), ERR_OK);
	}
}

TEST(bad_hex_in_every_field)
{
	static const char bad[] = { 'g', 'G', ' ', 'x', '-', '\0', '/', ':' };

	for (unsigned field = 0; field < 13; field++) {
		for (unsigned digit = 0; digit < 8; digit += 7) {
			for (size_t b = 0; b < sizeof(bad); b++) {
				size_t at = at_init + 6 + field * 8 + digit;

				build_archive();
				ar.buf[at] = bad[b];
				CHECK_EQ(next_at(at_init), ERR_CORRUPT);
			}
		}
	}
}

TEST(lowercase_hex_is_fine)
{
	struct cpio_entry e;
	size_t offset;

	build_archive();
	/* The gid field, 0x64: write it as "0000006a" instead. */
	memcpy(ar.buf + at_init + 6 + 3 * 8, "0000006a", 8);
	offset = at_init;
	REQUIRE(cpio_next(ar.buf, ar.len, &offset, &e) == ERR_OK);
	CHECK_EQ(e.gid, 0x6a);
}

/* Writes @value into hex field @field of the member at @at. */
static void set_field(size_t at, unsigned field, uint32_t value)
{
	char digits[9];

	snprintf(digits, sizeof(digits), "%08X", value);
	memcpy(ar.buf + at + 6 + field * 8, digits, 8);
}

#define F_FILESIZE 6
#define F_NAMESIZE 11

TEST(sizes_past_the_end)
{
	uint32_t left;

	build_archive();
	left = (uint32_t)(ar.len - at_init - CPIO_HEADER_SIZE);

	set_field(at_init, F_NAMESIZE, 0);
	CHECK_EQ(next_at(at_init), ERR_CORRUPT);
	set_field(at_init, F_NAMESIZE, left + 1);
	CHECK_EQ(next_at(at_init), ERR_CORRUPT);
	set_field(at_init, F_NAMESIZE, UINT32_MAX);
	CHECK_EQ(next_at(at_init), ERR_CORRUPT);
	set_field(at_init, F_NAMESIZE, 0x80000000u);
	CHECK_EQ(next_at(at_init), ERR_CORRUPT);

	build_archive();
	set_field(at_link, F_FILESIZE, UINT32_MAX);
	CHECK_EQ(next_at(at_link), ERR_CORRUPT);
	set_field(at_link, F_FILESIZE, 0xfffffffcu);
	CHECK_EQ(next_at(at_link), ERR_CORRUPT);
	/* The link's data starts 6 bytes past its header ("sh", NUL and 3
	 * bytes of padding); everything up to the end of the buffer is
	 * fine... */
	left = (uint32_t)(ar.len - (at_link + CPIO_HEADER_SIZE + 6));
	set_field(at_link, F_FILESIZE, left);
	CHECK_EQ(next_at(at_link), ERR_OK);
	/* ... one more byte is not. */
	set_field(at_link, F_FILESIZE, left + 1);
	CHECK_EQ(next_at(at_link), ERR_CORRUPT);
}

TEST(header_cut_at_every_length)
{
	struct cpio_entry e;

	build_archive();
	for (size_t cut = 1; cut < CPIO_HEADER_SIZE; cut++) {
		uint8_t *copy = malloc(at_init + cut);
		size_t offset = at_init;

		REQUIRE(copy);
		memcpy(copy, ar.buf, at_init + cut);
		CHECK_EQ(cpio_next(copy, at_init + cut, &offset, &e),
			 ERR_CORRUPT);
		CHECK_EQ(offset, at_init);
		free(copy);
	}
}

TEST(name_without_its_nul)
{
	/* namesize one short: the last name byte is 't', not NUL. */
	build_archive();
	set_field(at_init, F_NAMESIZE, (uint32_t)strlen("bin/init"));
	CHECK_EQ(next_at(at_init), ERR_CORRUPT);
	/* namesize one long: a NUL before the last byte. */
	build_archive();
	set_field(at_init, F_NAMESIZE, (uint32_t)strlen("bin/init") + 2);
	CHECK_EQ(next_at(at_init), ERR_CORRUPT);
	/* A name that runs to the very end of the archive. */
	build_archive();
	memset(ar.buf + at_trailer + CPIO_HEADER_SIZE, 'A',
	       ar.len - at_trailer - CPIO_HEADER_SIZE);
	set_field(at_trailer, F_NAMESIZE,
		  (uint32_t)(ar.len - at_trailer - CPIO_HEADER_SIZE));
	CHECK_EQ(next_at(at_trailer), ERR_CORRUPT);
}

TEST(padding_must_be_zero)
{
	/* "bin/init" + NUL is 9 bytes after a 110-byte header: 119, so one
	 * byte of name padding; motd's 5 data bytes take 3 of data padding. */
	build_archive();
	ar.buf[at_init + CPIO_HEADER_SIZE + 9] = 'x';
	CHECK_EQ(next_at(at_init), ERR_CORRUPT);
	build_archive();
	ar.buf[at_empty - 1] = 'x';
	CHECK_EQ(next_at(at_motd), ERR_CORRUPT);
	build_archive();
	ar.buf[at_empty - 3] = 'x';
	CHECK_EQ(next_at(at_motd), ERR_CORRUPT);
	build_archive();
	CHECK_EQ(next_at(at_motd), ERR_OK);
}

TEST(find_stops_at_corruption_but_not_before)
{
	struct cpio_entry e;

	build_archive();
	ar.buf[at_motd + 8] = 'z';
	CHECK_EQ(cpio_find(ar.buf, ar.len, "bin/init", &e), ERR_OK);
	CHECK_EQ(cpio_find(ar.buf, ar.len, "sh", &e), ERR_CORRUPT);
	CHECK_EQ(cpio_find(ar.buf, ar.len, "none", &e), ERR_CORRUPT);
}

TEST(misaligned_base_address)
{
	static uint8_t shifted[AR_MAX + 4];
	struct cpio_entry e;

	build_archive();
	memcpy(shifted + 1, ar.buf, ar.len);
	REQUIRE(cpio_find(shifted + 1, ar.len, "/etc/motd", &e) == ERR_OK);
	CHECK(memcmp(e.data, motd, 5) == 0);
}

/* Walks the @len bytes at @p, checking each entry lies inside. */
static bool walk_is_sane(const uint8_t *p, size_t len)
{
	struct cpio_entry e;
	size_t offset = 0;
	size_t last = 0;
	unsigned steps = 0;
	err_t err;

	while ((err = cpio_next(p, len, &offset, &e)) == ERR_OK) {
		const uint8_t *name = (const uint8_t *)e.name;
		const uint8_t *data = e.data;

		if (name < p || name + e.name_len >= p + len ||
		    e.name[e.name_len] != '\0' ||
		    strlen(e.name) != e.name_len || data < p ||
		    data > p + len || e.size > (size_t)(p + len - data) ||
		    offset <= last || offset > len ||
		    (offset % 4 && offset != len) ||
		    ++steps > len) {
			return false;
		}
		last = offset;
	}
	return err == ERR_NOT_FOUND || err == ERR_CORRUPT;
}

TEST(every_truncation_is_safe)
{
	build_archive();
	for (size_t len = 0; len <= ar.len; len++) {
		uint8_t *copy = exact_copy(len);
		struct cpio_entry e;

		REQUIRE(copy);
		CHECK(walk_is_sane(copy, len));
		cpio_find(copy, len, "sh", &e);
		free(copy);
	}
}


TEST(random_mutations_are_safe)
{
	static const char hex[] = "0123456789abcdefF";
	unsigned clean = 0;

	build_archive();
	for (unsigned iter = 0; iter < 50000; iter++) {
		size_t len = at_trailer + CPIO_HEADER_SIZE + 12;
		uint8_t *copy = exact_copy(len);
		unsigned edits = 1 + rng() % 3;
		struct cpio_entry e;
		bool sane;

		REQUIRE(copy);
		for (unsigned k = 0; k < edits; k++) {
			size_t at = rng() % len;

			/* Mostly hex digits, which change sizes. */
			copy[at] = rng() % 4 ? (uint8_t)hex[rng() % 17]
					     : (uint8_t)rng();
		}
		sane = walk_is_sane(copy, len);
		clean += cpio_find(copy, len, "sh", &e) == ERR_OK;
		free(copy);
		REQUIRE(sane);
	}
	CHECK(clean > 0);
}

int main(void)
{
	RUN(walks_a_good_archive);
	RUN(entry_fields_and_data);
	RUN(find_with_and_without_prefixes);
	RUN(end_without_trailer);
	RUN(offsets_outside_or_misaligned);
	RUN(bad_magic);
	RUN(bad_hex_in_every_field);
	RUN(lowercase_hex_is_fine);
	RUN(sizes_past_the_end);
	RUN(header_cut_at_every_length);
	RUN(name_without_its_nul);
	RUN(padding_must_be_zero);
	RUN(find_stops_at_corruption_but_not_before);
	RUN(misaligned_base_address);
	RUN(every_truncation_is_safe);
	RUN(random_mutations_are_safe);
	return check_done();
}
