/*
 * Tests of lib/elf/elf64.c on ELF images built here by hand: a well-formed
 * dynamic executable, then one field at a time made hostile (offsets and
 * sizes that overflow or point past the end, upper-half addresses, bad
 * alignment, broken PT_INTERP), then truncations and random mutations run
 * in exactly sized heap copies so that ASan sees any read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>

#include <elf/elf64.h>

#include "check.h"
#include "rng.h"

#define IMG_SIZE 0x1100
#define PH_PHDR 0
#define PH_INTERP 1
#define PH_TEXT 2
#define PH_DATA 3
#define PH_STACK 4
#define PH_COUNT 5
#define INTERP "/lib64/ld-linux-x86-64.so.2"
#define INTERP_OFF 0x200

static uint8_t img_buf[IMG_SIZE];

static struct elf64_ehdr ehdr(void)
{
	struct elf64_ehdr eh;

	memcpy(&eh, img_buf, sizeof(eh));
	return eh;
}

static void set_ehdr(const struct elf64_ehdr *eh)
{
	memcpy(img_buf, eh, sizeof(*eh));
}

static struct elf64_phdr phdr(unsigned i)
{
	struct elf64_phdr ph;

	memcpy(&ph, img_buf + 64 + i * sizeof(ph), sizeof(ph));
	return ph;
}

static void set_phdr(unsigned i, const struct elf64_phdr *ph)
{
	memcpy(img_buf + 64 + i * sizeof(*ph), ph, sizeof(*ph));
}

/* Builds the good image: headers and text in one R+X page, data in an
 * R+W segment with bss after it, a PT_INTERP and a PT_GNU_STACK. */
static void build_image(void)
{
	struct elf64_ehdr eh = { .e_ident = { 0x7f, 'E', 'L', 'F',
					      ELF64_CLASS64, ELF64_DATA_LSB,
					      ELF64_VERSION_CURRENT } };
	struct elf64_phdr ph;

	memset(img_buf, 0, sizeof(img_buf));
	eh.e_type = ELF64_ET_EXEC;
	eh.e_machine = ELF64_EM_X86_64;
	eh.e_version = ELF64_VERSION_CURRENT;
	eh.e_entry = 0x400100;
	eh.e_phoff = 64;
	eh.e_ehsize = 64;
	eh.e_phentsize = sizeof(struct elf64_phdr);
	eh.e_phnum = PH_COUNT;
	set_ehdr(&eh);

	ph = (struct elf64_phdr){ ELF64_PT_PHDR, ELF64_PF_R, 64, 0x400040,
				  0x400040, PH_COUNT * 56, PH_COUNT * 56, 8 };
	set_phdr(PH_PHDR, &ph);
	ph = (struct elf64_phdr){ ELF64_PT_INTERP, ELF64_PF_R, INTERP_OFF,
				  0x400000 + INTERP_OFF, 0, sizeof(INTERP),
				  sizeof(INTERP), 1 };
	set_phdr(PH_INTERP, &ph);
	memcpy(img_buf + INTERP_OFF, INTERP, sizeof(INTERP));
	ph = (struct elf64_phdr){ ELF64_PT_LOAD, ELF64_PF_R | ELF64_PF_X, 0,
				  0x400000, 0x400000, 0x300, 0x300, 0x1000 };
	set_phdr(PH_TEXT, &ph);
	ph = (struct elf64_phdr){ ELF64_PT_LOAD, ELF64_PF_R | ELF64_PF_W,
				  0x1000, 0x601000, 0x601000, 0x100, 0x2000,
				  0x1000 };
	set_phdr(PH_DATA, &ph);
	ph = (struct elf64_phdr){ ELF64_PT_GNU_STACK, ELF64_PF_R | ELF64_PF_W,
				  0, 0, 0, 0, 0, 16 };
	set_phdr(PH_STACK, &ph);
	memset(img_buf + 0x160, 0xcc, INTERP_OFF - 0x160);
	memset(img_buf + 0x1000, 0x11, 0x100);
}

static err_t open_image(void)
{
	struct elf64_image img;

	return elf64_open(&img, img_buf, sizeof(img_buf));
}

TEST(good_image_opens_and_walks)
{
	struct elf64_image img;
	struct elf64_segment seg;
	unsigned cursor = 0;
	const char *interp;
	size_t len;
	uint64_t va;

	build_image();
	REQUIRE(elf64_open(&img, img_buf, sizeof(img_buf)) == ERR_OK);
	CHECK(elf64_entry(&img) == 0x400100);
	CHECK_EQ(elf64_phnum(&img), PH_COUNT);
	CHECK_EQ(elf64_phent(&img), 56);
	CHECK(!elf64_is_dyn(&img));

	REQUIRE(elf64_next_load(&img, &cursor, &seg) == ERR_OK);
	CHECK(seg.vaddr == 0x400000);
	CHECK(seg.memsz == 0x300);
	CHECK(seg.offset == 0);
	CHECK(seg.filesz == 0x300);
	CHECK_EQ(seg.flags, ELF64_SEG_R | ELF64_SEG_X);
	REQUIRE(elf64_next_load(&img, &cursor, &seg) == ERR_OK);
	CHECK(seg.vaddr == 0x601000);
	CHECK(seg.memsz == 0x2000);
	CHECK(seg.offset == 0x1000);
	CHECK(seg.filesz == 0x100);
	CHECK_EQ(seg.flags, ELF64_SEG_R | ELF64_SEG_W);
	CHECK_EQ(elf64_next_load(&img, &cursor, &seg), ERR_NOT_FOUND);
	CHECK_EQ(elf64_next_load(&img, &cursor, &seg), ERR_NOT_FOUND);

	REQUIRE(elf64_interp(&img, &interp, &len) == ERR_OK);
	CHECK_STR_EQ(interp, INTERP);
	CHECK_EQ(len, strlen(INTERP));
	REQUIRE(elf64_phdr_vaddr(&img, &va) == ERR_OK);
	CHECK(va == 0x400040);
}

TEST(program_header_lookups)
{
	struct elf64_image img;
	struct elf64_phdr ph = { 0 };

	build_image();
	REQUIRE(elf64_open(&img, img_buf, sizeof(img_buf)) == ERR_OK);
	REQUIRE(elf64_phdr_find(&img, ELF64_PT_GNU_STACK, &ph) == ERR_OK);
	CHECK_EQ(ph.p_flags, ELF64_PF_R | ELF64_PF_W);
	ph.p_type = 12345;
	CHECK_EQ(elf64_phdr_find(&img, ELF64_PT_TLS, &ph), ERR_NOT_FOUND);
	CHECK_EQ(ph.p_type, 12345);	/* untouched when absent */
	REQUIRE(elf64_phdr_get(&img, PH_DATA, &ph) == ERR_OK);
	CHECK(ph.p_vaddr == 0x601000);
	CHECK_EQ(elf64_phdr_get(&img, PH_COUNT, &ph), ERR_RANGE);
	CHECK_EQ(elf64_phdr_get(&img, ~0u, &ph), ERR_RANGE);
}

TEST(static_and_pie_variants)
{
	struct elf64_image img;
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	const char *interp = "x";
	size_t len = 99;
	uint64_t va = 0;

	build_image();
	ph = phdr(PH_INTERP);
	ph.p_type = ELF64_PT_NOTE;
	set_phdr(PH_INTERP, &ph);
	REQUIRE(elf64_open(&img, img_buf, sizeof(img_buf)) == ERR_OK);
	CHECK_EQ(elf64_interp(&img, &interp, &len), ERR_NOT_FOUND);
	CHECK_STR_EQ(interp, "x");
	CHECK_EQ(len, 99);

	/* Without PT_PHDR the table is found through the text segment. */
	ph = phdr(PH_PHDR);
	ph.p_type = ELF64_PT_NULL;
	set_phdr(PH_PHDR, &ph);
	REQUIRE(elf64_open(&img, img_buf, sizeof(img_buf)) == ERR_OK);
	REQUIRE(elf64_phdr_vaddr(&img, &va) == ERR_OK);
	CHECK(va == 0x400040);
	/* ... but not through one that holds only part of it... */
	ph = phdr(PH_TEXT);
	ph.p_filesz = 64 + 56;
	set_phdr(PH_TEXT, &ph);
	REQUIRE(elf64_open(&img, img_buf, sizeof(img_buf)) == ERR_OK);
	CHECK_EQ(elf64_phdr_vaddr(&img, &va), ERR_NOT_FOUND);
	ph.p_filesz = 64 + PH_COUNT * 56;
	set_phdr(PH_TEXT, &ph);
	REQUIRE(elf64_open(&img, img_buf, sizeof(img_buf)) == ERR_OK);
	CHECK_EQ(elf64_phdr_vaddr(&img, &va), ERR_OK);
	/* ... and is not found when no segment loads it. */
	ph = phdr(PH_TEXT);
	ph.p_offset = 0x1000;
	ph.p_vaddr = 0x401000;
	ph.p_filesz = 0x40;
	set_phdr(PH_TEXT, &ph);
	REQUIRE(elf64_open(&img, img_buf, sizeof(img_buf)) == ERR_OK);
	CHECK_EQ(elf64_phdr_vaddr(&img, &va), ERR_NOT_FOUND);

	build_image();
	eh = ehdr();
	eh.e_type = ELF64_ET_DYN;
	set_ehdr(&eh);
	REQUIRE(elf64_open(&img, img_buf, sizeof(img_buf)) == ERR_OK);
	CHECK(elf64_is_dyn(&img));
}

TEST(header_rejects)
{
	struct elf64_image img;
	struct elf64_ehdr eh;

	build_image();
	CHECK_EQ(elf64_open(&img, NULL, sizeof(img_buf)), ERR_INVALID);
	CHECK_EQ(elf64_open(NULL, img_buf, sizeof(img_buf)), ERR_INVALID);
	CHECK_EQ(elf64_open(&img, img_buf, 0), ERR_CORRUPT);
	CHECK_EQ(elf64_open(&img, img_buf, 63), ERR_CORRUPT);
	for (unsigned i = 0; i < 4; i++) {
		build_image();
		img_buf[i] ^= 0x20;
		CHECK_EQ(open_image(), ERR_CORRUPT);
	}

#define REJECT(field, value, err)                                           \
	do {                                                                \
		build_image();                                              \
		eh = ehdr();                                                \
		eh.field = (value);                                         \
		set_ehdr(&eh);                                              \
		CHECK_EQ(open_image(), err);                                \
	} while (0)
	REJECT(e_ident[ELF64_EI_CLASS], 1, ERR_NOT_SUPPORTED);
	REJECT(e_ident[ELF64_EI_CLASS], 0, ERR_NOT_SUPPORTED);
	REJECT(e_ident[ELF64_EI_DATA], 2, ERR_NOT_SUPPORTED);
	REJECT(e_ident[ELF64_EI_VERSION], 0, ERR_CORRUPT);
	REJECT(e_version, 2, ERR_CORRUPT);
	REJECT(e_machine, 3, ERR_NOT_SUPPORTED);
	REJECT(e_machine, 183, ERR_NOT_SUPPORTED);
	REJECT(e_type, 1, ERR_NOT_SUPPORTED);
	REJECT(e_type, 4, ERR_NOT_SUPPORTED);
	REJECT(e_type, 0, ERR_NOT_SUPPORTED);
	REJECT(e_phentsize, 55, ERR_CORRUPT);
	REJECT(e_phentsize, 57, ERR_CORRUPT);
	REJECT(e_phentsize, 0, ERR_CORRUPT);
	REJECT(e_phnum, 0, ERR_CORRUPT);
	REJECT(e_phnum, ELF64_MAX_PHNUM + 1, ERR_CORRUPT);
	REJECT(e_phnum, 0xffff, ERR_CORRUPT);
	REJECT(e_phoff, IMG_SIZE, ERR_CORRUPT);
	REJECT(e_phoff, IMG_SIZE - PH_COUNT * 56 + 1, ERR_CORRUPT);
	REJECT(e_phoff, UINT64_MAX - 8, ERR_CORRUPT);
	REJECT(e_phoff, UINT64_MAX - PH_COUNT * 56 + 1, ERR_CORRUPT);
	REJECT(e_phoff, 1ull << 63, ERR_CORRUPT);
	REJECT(e_entry, ELF64_USER_LIMIT, ERR_CORRUPT);
	REJECT(e_entry, 0xffffffff80000000ull, ERR_CORRUPT);
	REJECT(e_entry, ELF64_USER_LIMIT - 1, ERR_OK);
#undef REJECT
}

TEST(phdr_table_may_end_exactly_at_the_end)
{
	struct elf64_image img;
	struct elf64_ehdr eh;
	size_t size = 64 + PH_COUNT * 56;

	build_image();
	/* Cut the file right after the table: segments must fit too. */
	for (unsigned i = 0; i < PH_COUNT; i++) {
		struct elf64_phdr ph = phdr(i);

		ph.p_type = i == PH_TEXT ? ELF64_PT_LOAD : ELF64_PT_NULL;
		ph.p_offset = 0;
		ph.p_filesz = size;
		ph.p_memsz = size;
		set_phdr(i, &ph);
	}
	eh = ehdr();
	eh.e_phoff = 64;
	set_ehdr(&eh);
	CHECK_EQ(elf64_open(&img, img_buf, size), ERR_OK);
	CHECK_EQ(elf64_open(&img, img_buf, size - 1), ERR_CORRUPT);
}

TEST(phnum_limit)
{
	static uint8_t big[64 + (ELF64_MAX_PHNUM + 1) * 56];
	struct elf64_image img;
	struct elf64_ehdr eh;

	build_image();
	memset(big, 0, sizeof(big));
	memcpy(big, img_buf, IMG_SIZE);
	eh = ehdr();
	eh.e_phnum = ELF64_MAX_PHNUM;
	memcpy(big, &eh, sizeof(eh));
	CHECK_EQ(elf64_open(&img, big, sizeof(big)), ERR_OK);
	eh.e_phnum = ELF64_MAX_PHNUM + 1;
	memcpy(big, &eh, sizeof(eh));
	CHECK_EQ(elf64_open(&img, big, sizeof(big)), ERR_CORRUPT);
}

/* Opens the image with segment @i changed by @edit; returns the result. */
#define SEGMENT_CASE(i, edit, err)                                          \
	do {                                                                \
		struct elf64_phdr ph_;                                      \
		build_image();                                              \
		ph_ = phdr(i);                                              \
		edit;                                                       \
		set_phdr(i, &ph_);                                          \
		CHECK_EQ(open_image(), err);                                \
	} while (0)

TEST(segment_rejects)
{
	SEGMENT_CASE(PH_DATA, ph_.p_filesz = ph_.p_memsz + 1, ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_filesz = IMG_SIZE - 0x1000, ERR_OK);
	SEGMENT_CASE(PH_DATA, ph_.p_filesz = IMG_SIZE - 0x1000 + 1,
		     ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_offset = IMG_SIZE; ph_.p_vaddr = 0x601100,
		     ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_offset = UINT64_MAX - 0xfff;
		     ph_.p_vaddr = 0x601000 - 0x1000, ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_offset = (1ull << 63) + 0x1000;
		     ph_.p_vaddr = 0x601000, ERR_CORRUPT);
	/* Nothing from the file: the offset is not used. */
	SEGMENT_CASE(PH_DATA, ph_.p_filesz = 0; ph_.p_offset = 1ull << 62,
		     ERR_OK);
	/* Addresses: overflow, upper half, and the last allowed byte. */
	SEGMENT_CASE(PH_DATA, ph_.p_vaddr = UINT64_MAX - 0xfff;
		     ph_.p_offset = 0x1000, ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_vaddr = 0xffffffff80001000ull,
		     ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_vaddr = ELF64_USER_LIMIT, ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_vaddr = ELF64_USER_LIMIT - 0x2000,
		     ERR_OK);
	SEGMENT_CASE(PH_DATA, ph_.p_vaddr = ELF64_USER_LIMIT - 0x1000,
		     ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_memsz = UINT64_MAX, ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_memsz = ELF64_USER_LIMIT, ERR_CORRUPT);
	/* Alignment: a power of two that vaddr and offset agree modulo. */
	SEGMENT_CASE(PH_DATA, ph_.p_align = 3, ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_align = 0x1800, ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_vaddr = 0x601010, ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_vaddr = 0x601010; ph_.p_align = 0x10,
		     ERR_OK);
	SEGMENT_CASE(PH_DATA, ph_.p_vaddr = 0x601008; ph_.p_align = 0x10,
		     ERR_CORRUPT);
	SEGMENT_CASE(PH_DATA, ph_.p_vaddr = 0x601001; ph_.p_align = 0,
		     ERR_OK);
	SEGMENT_CASE(PH_DATA, ph_.p_vaddr = 0x601001; ph_.p_align = 1,
		     ERR_OK);
	SEGMENT_CASE(PH_DATA, ph_.p_align = 1ull << 63, ERR_CORRUPT);
}

TEST(empty_segments_are_skipped_and_one_is_needed)
{
	struct elf64_image img;
	struct elf64_segment seg;
	struct elf64_phdr ph;
	unsigned cursor = 0;

	build_image();
	ph = phdr(PH_TEXT);
	ph.p_filesz = 0;
	ph.p_memsz = 0;
	set_phdr(PH_TEXT, &ph);
	REQUIRE(elf64_open(&img, img_buf, sizeof(img_buf)) == ERR_OK);
	REQUIRE(elf64_next_load(&img, &cursor, &seg) == ERR_OK);
	CHECK(seg.vaddr == 0x601000);
	CHECK_EQ(elf64_next_load(&img, &cursor, &seg), ERR_NOT_FOUND);

	ph = phdr(PH_DATA);
	ph.p_type = ELF64_PT_NULL;
	set_phdr(PH_DATA, &ph);
	CHECK_EQ(open_image(), ERR_CORRUPT);
}

TEST(interp_rejects)
{
	struct elf64_phdr ph;

	/* Not NUL-terminated inside its range. */
	SEGMENT_CASE(PH_INTERP, ph_.p_filesz -= 1, ERR_CORRUPT);
	/* A NUL before the end. */
	SEGMENT_CASE(PH_INTERP, ph_.p_filesz += 1, ERR_CORRUPT);
	/* Empty string, or nothing at all. */
	SEGMENT_CASE(PH_INTERP, ph_.p_filesz = 1;
		     ph_.p_offset = INTERP_OFF + sizeof(INTERP) - 1,
		     ERR_CORRUPT);
	SEGMENT_CASE(PH_INTERP, ph_.p_filesz = 0, ERR_CORRUPT);
	/* Outside the file, or overflowing. */
	SEGMENT_CASE(PH_INTERP, ph_.p_offset = IMG_SIZE - 4, ERR_CORRUPT);
	SEGMENT_CASE(PH_INTERP, ph_.p_offset = UINT64_MAX - 3, ERR_CORRUPT);
	SEGMENT_CASE(PH_INTERP, ph_.p_filesz = UINT64_MAX, ERR_CORRUPT);
	/* Two of them. */
	build_image();
	ph = phdr(PH_INTERP);
	set_phdr(PH_STACK, &ph);
	CHECK_EQ(open_image(), ERR_CORRUPT);
	/* The string running into the end of the file. */
	build_image();
	ph = phdr(PH_INTERP);
	ph.p_offset = IMG_SIZE - 4;
	ph.p_filesz = 4;
	set_phdr(PH_INTERP, &ph);
	memcpy(img_buf + IMG_SIZE - 4, "abcd", 4);
	CHECK_EQ(open_image(), ERR_CORRUPT);
	img_buf[IMG_SIZE - 1] = '\0';
	CHECK_EQ(open_image(), ERR_OK);
}

TEST(next_load_rechecks_a_changed_image)
{
	struct elf64_image img;
	struct elf64_segment seg;
	struct elf64_phdr ph;
	unsigned cursor = 0;

	build_image();
	REQUIRE(elf64_open(&img, img_buf, sizeof(img_buf)) == ERR_OK);
	ph = phdr(PH_DATA);
	ph.p_filesz = ph.p_memsz + 1;
	set_phdr(PH_DATA, &ph);
	REQUIRE(elf64_next_load(&img, &cursor, &seg) == ERR_OK);
	CHECK_EQ(elf64_next_load(&img, &cursor, &seg), ERR_CORRUPT);

#define RECHECK(edit)                                                       \
	do {                                                                \
		build_image();                                              \
		REQUIRE(elf64_open(&img, img_buf, sizeof(img_buf)) ==       \
			ERR_OK);                                            \
		ph = phdr(PH_DATA);                                         \
		edit;                                                       \
		set_phdr(PH_DATA, &ph);                                     \
		cursor = PH_DATA;                                           \
		CHECK_EQ(elf64_next_load(&img, &cursor, &seg),              \
			 ERR_CORRUPT);                                      \
	} while (0)
	RECHECK(ph.p_offset = UINT64_MAX);
	RECHECK(ph.p_filesz = IMG_SIZE);
	RECHECK(ph.p_vaddr = ELF64_USER_LIMIT - 0x1000);
	RECHECK(ph.p_vaddr = UINT64_MAX - 0x10);
	RECHECK(ph.p_align = 0x300);
	RECHECK(ph.p_vaddr = 0x601100);
#undef RECHECK
}

TEST(misaligned_image_is_read_safely)
{
	static uint8_t shifted[IMG_SIZE + 8];
	struct elf64_image img;
	struct elf64_segment seg;
	unsigned cursor = 0;
	unsigned loads = 0;

	build_image();
	/* UBSan would flag a misaligned 8-byte read. */
	memcpy(shifted + 3, img_buf, IMG_SIZE);
	REQUIRE(elf64_open(&img, shifted + 3, IMG_SIZE) == ERR_OK);
	while (elf64_next_load(&img, &cursor, &seg) == ERR_OK) {
		loads++;
	}
	CHECK_EQ(loads, 2);
}

/* Opens the @size bytes at @data and checks what the reader promises. */
static bool check_promises(const uint8_t *data, size_t size)
{
	struct elf64_image img;
	struct elf64_segment seg;
	unsigned cursor = 0;
	const char *interp;
	size_t len;
	uint64_t va;
	err_t err;

	if (elf64_open(&img, data, size) != ERR_OK) {
		return true;
	}
	if (elf64_entry(&img) >= ELF64_USER_LIMIT) {
		return false;
	}
	while ((err = elf64_next_load(&img, &cursor, &seg)) == ERR_OK) {
		if (seg.filesz > seg.memsz || seg.memsz == 0 ||
		    (seg.filesz && (seg.offset > size ||
				    seg.filesz > size - seg.offset)) ||
		    seg.vaddr >= ELF64_USER_LIMIT ||
		    seg.memsz > ELF64_USER_LIMIT - seg.vaddr) {
			return false;
		}
		if (seg.filesz) {
			volatile uint8_t sink = data[seg.offset] ^
				data[seg.offset + seg.filesz - 1];
			(void)sink;
		}
	}
	if (err != ERR_NOT_FOUND) {
		return false;
	}
	if (elf64_interp(&img, &interp, &len) == ERR_OK &&
	    (interp < (const char *)data ||
	     interp + len >= (const char *)data + size || interp[len] ||
	     strlen(interp) != len)) {
		return false;
	}
	elf64_phdr_vaddr(&img, &va);
	return true;
}

TEST(every_truncation_is_safe)
{
	build_image();
	for (size_t size = 0; size <= IMG_SIZE; size++) {
		uint8_t *copy = malloc(size ? size : 1);

		REQUIRE(copy);
		memcpy(copy, img_buf, size);
		CHECK(check_promises(copy, size));
		free(copy);
	}
}


TEST(random_header_mutations_are_safe)
{
	static const uint64_t nasty[] = {
		0, 1, 0x1000, IMG_SIZE, IMG_SIZE - 1, 0x7fffffffffffull,
		ELF64_USER_LIMIT, UINT64_MAX, UINT64_MAX - 0xfff, 1ull << 63,
	};
	uint8_t *copy = malloc(IMG_SIZE);
	struct elf64_image img;
	unsigned opened = 0;

	REQUIRE(copy);
	for (unsigned iter = 0; iter < 200000; iter++) {
		unsigned edits = 1 + rng() % 4;

		build_image();
		for (unsigned e = 0; e < edits; e++) {
			/* Hit the headers: 64 + 5 * 56 bytes. */
			size_t at = rng() % (64 + PH_COUNT * 56);

			if (rng() & 1) {
				img_buf[at] = (uint8_t)rng();
			} else if (at + 8 <= IMG_SIZE) {
				uint64_t v = nasty[rng() % (sizeof(nasty) /
							    sizeof(nasty[0]))];

				memcpy(img_buf + (at & ~(size_t)7), &v, 8);
			}
		}
		memcpy(copy, img_buf, IMG_SIZE);
		if (!check_promises(copy, IMG_SIZE)) {
			CHECK(!"a promise broken by a mutated image");
			break;
		}
		opened += elf64_open(&img, copy, IMG_SIZE) == ERR_OK;
	}
	CHECK(opened > 1000);	/* many mutations must stay valid */
	free(copy);
}

/* Reads the running test program, a real PIE from the host's linker. */
static uint8_t *read_self(size_t *size)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	uint8_t *data = NULL;
	long len;

	if (!f) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)len);
		if (data && fread(data, 1, (size_t)len, f) != (size_t)len) {
			free(data);
			data = NULL;
		}
		*size = (size_t)len;
	}
	fclose(f);
	return data;
}

TEST(real_host_executable_matches_the_auxv)
{
	struct elf64_image img;
	struct elf64_segment seg;
	unsigned cursor = 0;
	unsigned loads = 0;
	bool has_exec = false;
	const char *interp;
	size_t len;
	size_t size;
	uint64_t phdr_va;
	uint64_t bias;
	uint8_t *data = read_self(&size);

	REQUIRE(data);
	REQUIRE(elf64_open(&img, data, size) == ERR_OK);
	while (elf64_next_load(&img, &cursor, &seg) == ERR_OK) {
		loads++;
		has_exec |= (seg.flags & ELF64_SEG_X) != 0;
	}
	CHECK(loads >= 2);
	CHECK(has_exec);
	CHECK_EQ(elf64_phnum(&img), getauxval(AT_PHNUM));
	CHECK_EQ(elf64_phent(&img), getauxval(AT_PHENT));
	REQUIRE(elf64_phdr_vaddr(&img, &phdr_va) == ERR_OK);
	bias = getauxval(AT_PHDR) - phdr_va;
	CHECK(bias + elf64_entry(&img) == getauxval(AT_ENTRY));
	CHECK_EQ(elf64_is_dyn(&img), bias != 0);
	if (elf64_interp(&img, &interp, &len) == ERR_OK) {
		CHECK_EQ(strlen(interp), len);
		CHECK(strstr(interp, "ld-") != NULL);
	}
	free(data);
}

int main(void)
{
	RUN(good_image_opens_and_walks);
	RUN(program_header_lookups);
	RUN(static_and_pie_variants);
	RUN(header_rejects);
	RUN(phdr_table_may_end_exactly_at_the_end);
	RUN(phnum_limit);
	RUN(segment_rejects);
	RUN(empty_segments_are_skipped_and_one_is_needed);
	RUN(interp_rejects);
	RUN(next_load_rechecks_a_changed_image);
	RUN(misaligned_image_is_read_safely);
	RUN(every_truncation_is_safe);
	RUN(random_header_mutations_are_safe);
	RUN(real_host_executable_matches_the_auxv);
	return check_done();
}
