/*
 * Tests of kernel/generic/boot/multiboot2.c on boot information built
 * here tag by tag, as GRUB lays it out: a complete one, the limits of the
 * fixed arrays, every known tag too short or malformed, bad total sizes,
 * tags running past the end, a missing end tag, truncation and random
 * mutation in exactly sized heap copies (ASan). Then the command line
 * helpers.
 */
#include <stdint.h>
#include <stdlib.h>

#include <boot/multiboot2.h>

#include "check.h"
#include "rng.h"

#define INFO_MAX 8192

static union {
	uint8_t b[INFO_MAX];
	uint64_t align;
} info;
static size_t info_len;
static struct mb2_info out;

static void put32(size_t at, uint32_t v)
{
	memcpy(info.b + at, &v, 4);
}

static void put64(size_t at, uint64_t v)
{
	memcpy(info.b + at, &v, 8);
}

static void mb_begin(void)
{
	memset(info.b, 0, sizeof(info.b));
	info_len = 8;
}

/* Appends a tag of @len payload bytes (copied from @payload if not NULL);
 * returns its offset. */
static size_t mb_tag(uint32_t type, const void *payload, size_t len)
{
	size_t at = info_len;

	put32(at, type);
	put32(at + 4, (uint32_t)(8 + len));
	if (payload) {
		memcpy(info.b + at + 8, payload, len);
	}
	info_len = (at + 8 + len + 7) & ~(size_t)7;
	return at;
}

static void mb_end(void)
{
	mb_tag(MB2_TAG_END, NULL, 0);
	put32(0, (uint32_t)info_len);
}

static size_t mb_string(uint32_t type, const char *s)
{
	return mb_tag(type, s, strlen(s) + 1);
}

static size_t mb_module(uint32_t start, uint32_t end, const char *cmdline)
{
	size_t at = mb_tag(MB2_TAG_MODULE, NULL, 8 + strlen(cmdline) + 1);

	put32(at + 8, start);
	put32(at + 12, end);
	memcpy(info.b + at + 16, cmdline, strlen(cmdline) + 1);
	return at;
}

/* Appends a memory map of @n entries of @entry_size bytes. */
static size_t mb_mmap(unsigned n, uint32_t entry_size)
{
	size_t at = mb_tag(MB2_TAG_MMAP, NULL, 8 + (size_t)n * entry_size);

	put32(at + 8, entry_size);
	put32(at + 12, 0);
	for (unsigned i = 0; i < n; i++) {
		size_t e = at + 16 + (size_t)i * entry_size;

		put64(e, 0x100000ull * i);
		put64(e + 8, 0x1000ull * (i + 1));
		put32(e + 16, i % 5 + 1);
		memset(info.b + e + 20, 0xee, entry_size - 20);
	}
	return at;
}

static const uint8_t rsdp_v1[20] = "RSD PTR \x01OEMID\x00";
static const uint8_t rsdp_v2[36] = "RSD PTR \x02OEMID\x02";

/* Offsets of tags in the standard information. */
static size_t at_cmdline, at_module, at_fb, at_elf;

static void build_info(void)
{
	uint8_t payload[64];
	size_t at;

	mb_begin();
	at_cmdline = mb_string(MB2_TAG_CMDLINE,
			       "init=/bin/sh selftest  quiet=1");
	mb_string(MB2_TAG_BOOT_LOADER_NAME, "GRUB 2.06");
	at = mb_tag(MB2_TAG_BASIC_MEMINFO, NULL, 8);
	put32(at + 8, 639);
	put32(at + 12, 523264);
	mb_mmap(4, 24);
	at_module = mb_module(0x200000, 0x300000, "initrd");
	mb_module(0x300000, 0x300100, "extra args here");
	mb_module(0x400000, 0x400000, "");
	at_fb = mb_tag(MB2_TAG_FRAMEBUFFER, NULL, 30);
	put64(at_fb + 8, 0xfd000000);
	put32(at_fb + 16, 4096);
	put32(at_fb + 20, 1024);
	put32(at_fb + 24, 768);
	info.b[at_fb + 28] = 32;
	info.b[at_fb + 29] = MB2_FB_RGB;
	memcpy(info.b + at_fb + 32, "\x10\x08\x08\x08\x00\x08", 6);
	mb_tag(MB2_TAG_ACPI_OLD, rsdp_v1, sizeof(rsdp_v1));
	mb_tag(MB2_TAG_ACPI_NEW, rsdp_v2, sizeof(rsdp_v2));
	at = mb_tag(MB2_TAG_EFI64, NULL, 8);
	put64(at + 8, 0x7f00000);
	at_elf = mb_tag(MB2_TAG_ELF_SECTIONS, NULL, 12 + 3 * 64);
	put32(at_elf + 8, 3);
	put32(at_elf + 12, 64);
	put32(at_elf + 16, 2);
	memset(payload, 0xab, sizeof(payload));
	mb_tag(99, payload, 13);	/* unknown: skipped */
	mb_tag(MB2_TAG_LOAD_BASE_ADDR, payload, 4);
	mb_end();
}

static err_t parse(void)
{
	return mb2_parse(info.b, info_len, &out);
}

TEST(parses_a_complete_info)
{
	build_info();
	REQUIRE(parse() == ERR_OK);
	CHECK_EQ(out.total_size, info_len);
	REQUIRE(out.cmdline);
	CHECK_STR_EQ(out.cmdline, "init=/bin/sh selftest  quiet=1");
	CHECK(out.cmdline == (const char *)info.b + at_cmdline + 8);
	REQUIRE(out.loader_name);
	CHECK_STR_EQ(out.loader_name, "GRUB 2.06");
	CHECK(out.has_meminfo);
	CHECK_EQ(out.mem_lower_kib, 639);
	CHECK_EQ(out.mem_upper_kib, 523264);

	REQUIRE(out.mmap_count == 4);
	CHECK_EQ(out.mmap_truncated, 0);
	for (unsigned i = 0; i < 4; i++) {
		CHECK(out.mmap[i].base == 0x100000ull * i);
		CHECK(out.mmap[i].length == 0x1000ull * (i + 1));
		CHECK_EQ(out.mmap[i].type, i % 5 + 1);
	}

	REQUIRE(out.module_count == 3);
	CHECK_EQ(out.modules[0].start, 0x200000);
	CHECK_EQ(out.modules[0].end, 0x300000);
	CHECK_STR_EQ(out.modules[0].cmdline, "initrd");
	CHECK_STR_EQ(out.modules[1].cmdline, "extra args here");
	CHECK_STR_EQ(out.modules[2].cmdline, "");
	CHECK_EQ(out.modules_truncated, 0);

	CHECK(out.has_framebuffer);
	CHECK(out.fb.addr == 0xfd000000);
	CHECK_EQ(out.fb.pitch, 4096);
	CHECK_EQ(out.fb.width, 1024);
	CHECK_EQ(out.fb.height, 768);
	CHECK_EQ(out.fb.bpp, 32);
	CHECK_EQ(out.fb.type, MB2_FB_RGB);
	CHECK_EQ(out.fb.red_pos, 16);
	CHECK_EQ(out.fb.red_size, 8);
	CHECK_EQ(out.fb.green_pos, 8);
	CHECK_EQ(out.fb.blue_pos, 0);
	CHECK_EQ(out.fb.blue_size, 8);

	REQUIRE(out.rsdp);
	CHECK_EQ(out.rsdp_tag, MB2_TAG_ACPI_NEW);
	CHECK_EQ(out.rsdp_len, 36);
	CHECK(memcmp(out.rsdp, rsdp_v2, 36) == 0);
	CHECK(out.has_efi64);
	CHECK(out.efi64_system_table == 0x7f00000);
	CHECK(out.has_elf_sections);
	CHECK_EQ(out.elf_num, 3);
	CHECK_EQ(out.elf_entsize, 64);
	CHECK_EQ(out.elf_shndx, 2);
	CHECK(out.elf_sections == info.b + at_elf + 20);
}

TEST(minimal_info)
{
	mb_begin();
	mb_end();
	REQUIRE(parse() == ERR_OK);
	CHECK_EQ(out.total_size, 16);
	CHECK(out.cmdline == NULL);
	CHECK(out.loader_name == NULL);
	CHECK(out.rsdp == NULL);
	CHECK_EQ(out.mmap_count, 0);
	CHECK_EQ(out.module_count, 0);
	CHECK(!out.has_framebuffer);
	/* A generous max_size changes nothing; the info's size rules. */
	CHECK_EQ(mb2_parse(info.b, SIZE_MAX, &out), ERR_OK);
	CHECK_EQ(out.total_size, 16);
}

TEST(old_rsdp_alone_and_in_either_order)
{
	mb_begin();
	mb_tag(MB2_TAG_ACPI_OLD, rsdp_v1, sizeof(rsdp_v1));
	mb_end();
	REQUIRE(parse() == ERR_OK);
	CHECK_EQ(out.rsdp_tag, MB2_TAG_ACPI_OLD);
	CHECK_EQ(out.rsdp_len, 20);
	CHECK(memcmp(out.rsdp, rsdp_v1, 20) == 0);

	mb_begin();
	mb_tag(MB2_TAG_ACPI_NEW, rsdp_v2, sizeof(rsdp_v2));
	mb_tag(MB2_TAG_ACPI_OLD, rsdp_v1, sizeof(rsdp_v1));
	mb_end();
	REQUIRE(parse() == ERR_OK);
	CHECK_EQ(out.rsdp_tag, MB2_TAG_ACPI_NEW);
	CHECK_EQ(out.rsdp_len, 36);
}

TEST(mmap_honours_entry_size)
{
	mb_begin();
	mb_mmap(5, 40);
	mb_end();
	REQUIRE(parse() == ERR_OK);
	REQUIRE(out.mmap_count == 5);
	for (unsigned i = 0; i < 5; i++) {
		CHECK(out.mmap[i].base == 0x100000ull * i);
		CHECK(out.mmap[i].length == 0x1000ull * (i + 1));
		CHECK_EQ(out.mmap[i].type, i % 5 + 1);
	}
	/* A partial entry at the end of the tag is ignored. */
	mb_begin();
	mb_mmap(3, 24);
	put32(8 + 4, 8 + 8 + 3 * 24 - 1);
	mb_end();
	REQUIRE(parse() == ERR_OK);
	CHECK_EQ(out.mmap_count, 2);
}

TEST(mmap_and_modules_beyond_the_arrays_are_counted)
{
	char name[16];

	mb_begin();
	mb_mmap(MB2_MAX_MMAP + 3, 24);
	for (unsigned i = 0; i < MB2_MAX_MODULES + 2; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		mb_module(0x100000 * i, 0x100000 * i + 0x1000, name);
	}
	mb_end();
	REQUIRE(parse() == ERR_OK);
	CHECK_EQ(out.mmap_count, MB2_MAX_MMAP);
	CHECK_EQ(out.mmap_truncated, 3);
	CHECK(out.mmap[MB2_MAX_MMAP - 1].base ==
	      0x100000ull * (MB2_MAX_MMAP - 1));
	CHECK_EQ(out.module_count, MB2_MAX_MODULES);
	CHECK_EQ(out.modules_truncated, 2);
	CHECK_STR_EQ(out.modules[MB2_MAX_MODULES - 1].cmdline, "mod15");
}

TEST(bad_total_size)
{
	build_info();
	CHECK_EQ(mb2_parse(NULL, info_len, &out), ERR_INVALID);
	CHECK_EQ(mb2_parse(info.b, info_len, NULL), ERR_INVALID);
	CHECK_EQ(mb2_parse(info.b, 0, &out), ERR_CORRUPT);
	CHECK_EQ(mb2_parse(info.b, 7, &out), ERR_CORRUPT);
	CHECK_EQ(mb2_parse(info.b, info_len - 1, &out), ERR_CORRUPT);
	put32(0, 0);
	CHECK_EQ(mb2_parse(info.b, INFO_MAX, &out), ERR_CORRUPT);
	put32(0, 15);
	CHECK_EQ(mb2_parse(info.b, INFO_MAX, &out), ERR_CORRUPT);
	put32(0, UINT32_MAX);
	CHECK_EQ(mb2_parse(info.b, INFO_MAX, &out), ERR_CORRUPT);
	put32(0, INFO_MAX + 8);
	CHECK_EQ(mb2_parse(info.b, INFO_MAX, &out), ERR_CORRUPT);
}

TEST(missing_end_tag)
{
	/* total_size stops before the end tag. */
	build_info();
	put32(0, (uint32_t)info_len - 8);
	CHECK_EQ(parse(), ERR_CORRUPT);
	/* The end tag replaced by an unknown tag. */
	build_info();
	put32(info_len - 8, 77);
	CHECK_EQ(parse(), ERR_CORRUPT);
	/* No tags at all: a zero-sized "end" tag is not one. */
	mb_begin();
	put32(0, 16);
	CHECK_EQ(parse(), ERR_CORRUPT);
	/* An end tag larger than what is left. */
	mb_begin();
	mb_end();
	put32(8 + 4, 9);
	CHECK_EQ(parse(), ERR_CORRUPT);
}

TEST(bad_tag_sizes)
{
	static const uint32_t sizes[] = { 0, 1, 7, UINT32_MAX, 0x80000000u };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		build_info();
		put32(at_module + 4, sizes[i]);
		CHECK_EQ(parse(), ERR_CORRUPT);
	}
	/* A tag running exactly to total_size, with no room for the end. */
	build_info();
	put32(at_elf + 4, (uint32_t)(info_len - at_elf));
	CHECK_EQ(parse(), ERR_CORRUPT);
	/* One byte past total_size. */
	build_info();
	put32(at_elf + 4, (uint32_t)(info_len - at_elf + 1));
	CHECK_EQ(parse(), ERR_CORRUPT);
	/* Unaligned sizes are fine: the next tag starts 8-aligned. */
	mb_begin();
	mb_tag(99, "abcde", 5);
	mb_string(MB2_TAG_CMDLINE, "x");
	mb_end();
	REQUIRE(parse() == ERR_OK);
	CHECK_STR_EQ(out.cmdline, "x");
}

/* Builds an info holding one tag of @len payload bytes, prepared by
 * @fill, and returns what the parser says. */
#define ONE_TAG(type, len, fill)                                            \
	({                                                                  \
		size_t at_;                                                 \
		mb_begin();                                                 \
		at_ = mb_tag((type), NULL, (len));                          \
		(void)at_;                                                  \
		fill;                                                       \
		mb_end();                                                   \
		parse();                                                    \
	})

TEST(known_tags_too_short_or_malformed)
{
	CHECK_EQ(ONE_TAG(MB2_TAG_CMDLINE, 0, (void)0), ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_CMDLINE, 3,
			 memcpy(info.b + at_ + 8, "abc", 3)),
		 ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_CMDLINE, 1, (void)0), ERR_OK);
	CHECK_EQ(ONE_TAG(MB2_TAG_BOOT_LOADER_NAME, 2,
			 memcpy(info.b + at_ + 8, "ab", 2)),
		 ERR_CORRUPT);
	/* Module: no room for the command line, or it lacks its NUL, or
	 * it ends before it starts. */
	CHECK_EQ(ONE_TAG(MB2_TAG_MODULE, 8, (void)0), ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_MODULE, 4, (void)0), ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_MODULE, 10,
			 memcpy(info.b + at_ + 16, "ab", 2)),
		 ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_MODULE, 9, put32(at_ + 8, 2);
			 put32(at_ + 12, 1)),
		 ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_MODULE, 9, put32(at_ + 8, 2);
			 put32(at_ + 12, 2)),
		 ERR_OK);
	CHECK_EQ(ONE_TAG(MB2_TAG_BASIC_MEMINFO, 7, (void)0), ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_BASIC_MEMINFO, 8, (void)0), ERR_OK);
	/* Memory map: header cut, entry_size below 24. */
	CHECK_EQ(ONE_TAG(MB2_TAG_MMAP, 4, (void)0), ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_MMAP, 8, put32(at_ + 8, 0)), ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_MMAP, 8 + 48, put32(at_ + 8, 16)),
		 ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_MMAP, 8, put32(at_ + 8, 24)), ERR_OK);
	CHECK_EQ(ONE_TAG(MB2_TAG_MMAP, 8 + 24, put32(at_ + 8, UINT32_MAX)),
		 ERR_OK);	/* no whole entry: nothing to read */
	CHECK_EQ(out.mmap_count, 0);
	/* Framebuffer: common part cut; RGB without its colour fields. */
	CHECK_EQ(ONE_TAG(MB2_TAG_FRAMEBUFFER, 23, (void)0), ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_FRAMEBUFFER, 24,
			 info.b[at_ + 29] = MB2_FB_EGA_TEXT),
		 ERR_OK);
	CHECK_EQ(ONE_TAG(MB2_TAG_FRAMEBUFFER, 29,
			 info.b[at_ + 29] = MB2_FB_RGB),
		 ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_FRAMEBUFFER, 30,
			 info.b[at_ + 29] = MB2_FB_RGB),
		 ERR_OK);
	/* ELF sections: more than the tag holds, even overflowing 32 bits. */
	CHECK_EQ(ONE_TAG(MB2_TAG_ELF_SECTIONS, 11, (void)0), ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_ELF_SECTIONS, 12 + 64, put32(at_ + 8, 2);
			 put32(at_ + 12, 64)),
		 ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_ELF_SECTIONS, 12 + 64,
			 put32(at_ + 8, 0x10000);
			 put32(at_ + 12, 0x10000)),
		 ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_ELF_SECTIONS, 12 + 64,
			 put32(at_ + 8, UINT32_MAX);
			 put32(at_ + 12, UINT32_MAX)),
		 ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_ELF_SECTIONS, 12 + 64, put32(at_ + 8, 1);
			 put32(at_ + 12, 64)),
		 ERR_OK);
	CHECK_EQ(ONE_TAG(MB2_TAG_EFI64, 7, (void)0), ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_ACPI_OLD, 19, (void)0), ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_ACPI_NEW, 35, (void)0), ERR_CORRUPT);
	CHECK_EQ(ONE_TAG(MB2_TAG_ACPI_NEW, 36, (void)0), ERR_OK);
	/* Unknown tags of any size are skipped. */
	CHECK_EQ(ONE_TAG(1000, 0, (void)0), ERR_OK);
	CHECK_EQ(ONE_TAG(MB2_TAG_EFI_MMAP, 3, (void)0), ERR_OK);
}

TEST(failure_clears_the_output)
{
	build_info();
	REQUIRE(parse() == ERR_OK);
	put32(at_fb + 4, 20);	/* framebuffer too short */
	CHECK_EQ(parse(), ERR_CORRUPT);
	CHECK(out.cmdline == NULL);
	CHECK_EQ(out.mmap_count, 0);
	CHECK_EQ(out.module_count, 0);
	CHECK_EQ(out.total_size, 0);
}

TEST(misaligned_info_is_read_safely)
{
	static uint8_t shifted[INFO_MAX + 8];

	build_info();
	memcpy(shifted + 4, info.b, info_len);
	REQUIRE(mb2_parse(shifted + 4, info_len, &out) == ERR_OK);
	CHECK_EQ(out.mmap_count, 4);
	CHECK_STR_EQ(out.modules[0].cmdline, "initrd");
}

/* Checks that what a successful parse returned lies inside @p. */
static bool result_is_inside(const uint8_t *p, size_t len)
{
	const char *lo = (const char *)p;
	const char *hi = (const char *)p + len;

	if (out.total_size > len || out.mmap_count > MB2_MAX_MMAP ||
	    out.module_count > MB2_MAX_MODULES) {
		return false;
	}
	if (out.cmdline && (out.cmdline < lo || out.cmdline +
			    strlen(out.cmdline) >= hi)) {
		return false;
	}
	if (out.loader_name && (out.loader_name < lo || out.loader_name +
				strlen(out.loader_name) >= hi)) {
		return false;
	}
	for (unsigned i = 0; i < out.module_count; i++) {
		const char *c = out.modules[i].cmdline;

		if (!c || c < lo || c + strlen(c) >= hi ||
		    out.modules[i].end < out.modules[i].start) {
			return false;
		}
	}
	if (out.rsdp && ((const char *)out.rsdp < lo ||
			 out.rsdp_len > (size_t)(hi - (const char *)out.rsdp) ||
			 out.rsdp_len < 20)) {
		return false;
	}
	if (out.has_elf_sections &&
	    (uint64_t)out.elf_num * out.elf_entsize >
		    (uint64_t)(hi - (const char *)out.elf_sections)) {
		return false;
	}
	return true;
}

TEST(every_truncation_is_safe)
{
	build_info();
	for (size_t len = 0; len <= info_len; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		err_t err;

		REQUIRE(copy);
		memcpy(copy, info.b, len);
		err = mb2_parse(copy, len, &out);
		CHECK_EQ(err, len == info_len ? ERR_OK : ERR_CORRUPT);
		free(copy);
	}
	/* Lying total sizes inside a big enough buffer. */
	for (uint32_t total = 0; total < info_len; total++) {
		build_info();
		put32(0, total);
		CHECK_EQ(parse(), ERR_CORRUPT);
	}
}


TEST(random_mutations_are_safe)
{
	static const uint32_t nasty[] = {
		0, 1, 7, 8, 9, 16, 24, 0x7fffffff, 0xffffffff, 0xfffffff8,
	};
	unsigned ok = 0;

	for (unsigned iter = 0; iter < 50000; iter++) {
		uint8_t *copy;
		unsigned edits = 1 + rng() % 3;
		bool inside;

		build_info();
		for (unsigned k = 0; k < edits; k++) {
			size_t at = rng() % info_len;

			if (rng() & 1) {
				info.b[at] = (uint8_t)rng();
			} else {
				put32(at & ~(size_t)3,
				      nasty[rng() % (sizeof(nasty) /
						     sizeof(nasty[0]))]);
			}
		}
		copy = malloc(info_len);
		REQUIRE(copy);
		memcpy(copy, info.b, info_len);
		inside = true;
		if (mb2_parse(copy, info_len, &out) == ERR_OK) {
			ok++;
			inside = result_is_inside(copy, info_len);
		}
		free(copy);
		REQUIRE(inside);
	}
	CHECK(ok > 0);
}

TEST(cmdline_get)
{
	const char *cl = "init=/bin/sh selftest  quiet=1 \tdebug= last=x";
	const char *v;
	size_t len = 99;

	v = mb2_cmdline_get(cl, "init", &len);
	REQUIRE(v);
	CHECK_EQ(len, 7);
	CHECK(strncmp(v, "/bin/sh", len) == 0);
	CHECK(v == cl + 5);
	v = mb2_cmdline_get(cl, "selftest", &len);
	REQUIRE(v);
	CHECK_STR_EQ(v, "");
	CHECK_EQ(len, 0);
	v = mb2_cmdline_get(cl, "quiet", &len);
	REQUIRE(v);
	CHECK_EQ(len, 1);
	CHECK_EQ(*v, '1');
	v = mb2_cmdline_get(cl, "debug", &len);	/* empty value */
	REQUIRE(v);
	CHECK_EQ(len, 0);
	CHECK(v > cl);
	v = mb2_cmdline_get(cl, "last", &len);	/* at the very end */
	REQUIRE(v);
	CHECK_EQ(len, 1);
	CHECK_STR_EQ(v, "x");

	len = 99;
	CHECK(mb2_cmdline_get(cl, "in", &len) == NULL);
	CHECK(mb2_cmdline_get(cl, "selftes", &len) == NULL);
	CHECK(mb2_cmdline_get(cl, "selftest2", &len) == NULL);
	CHECK(mb2_cmdline_get(cl, "bin", &len) == NULL);
	CHECK(mb2_cmdline_get(cl, "sh", &len) == NULL);
	CHECK(mb2_cmdline_get(cl, "", &len) == NULL);
	CHECK(mb2_cmdline_get(cl, "init=/bin", &len) == NULL);
	CHECK(mb2_cmdline_get(NULL, "init", &len) == NULL);
	CHECK(mb2_cmdline_get(cl, NULL, &len) == NULL);
	CHECK(mb2_cmdline_get("", "init", &len) == NULL);
	CHECK(mb2_cmdline_get("   ", "init", &len) == NULL);
	CHECK_EQ(len, 99);	/* untouched when absent */
	CHECK(mb2_cmdline_get(cl, "quiet", NULL) != NULL);
}

TEST(cmdline_last_occurrence_wins)
{
	const char *v;
	size_t len;

	v = mb2_cmdline_get("a=1 b a=22", "a", &len);
	REQUIRE(v);
	CHECK_EQ(len, 2);
	CHECK(strncmp(v, "22", 2) == 0);
	v = mb2_cmdline_get("a=1 a", "a", &len);
	REQUIRE(v);
	CHECK_EQ(len, 0);
	v = mb2_cmdline_get("a a=3", "a", &len);
	REQUIRE(v);
	CHECK_EQ(len, 1);
	/* Words that merely start with the key do not count. */
	v = mb2_cmdline_get("a=1 ab=2 a:b", "a", &len);
	REQUIRE(v);
	CHECK_EQ(*v, '1');
}

TEST(cmdline_has)
{
	const char *cl = "/boot/keel.elf selftest poweroff_on_exit=1";

	CHECK(mb2_cmdline_has(cl, "selftest"));
	CHECK(mb2_cmdline_has(cl, "poweroff_on_exit"));
	CHECK(mb2_cmdline_has(cl, "/boot/keel.elf"));
	CHECK(!mb2_cmdline_has(cl, "poweroff"));
	CHECK(!mb2_cmdline_has(cl, "self"));
	CHECK(!mb2_cmdline_has(cl, "keel.elf"));
	CHECK(!mb2_cmdline_has(NULL, "selftest"));
	CHECK(!mb2_cmdline_has(cl, ""));
}

int main(void)
{
	RUN(parses_a_complete_info);
	RUN(minimal_info);
	RUN(old_rsdp_alone_and_in_either_order);
	RUN(mmap_honours_entry_size);
	RUN(mmap_and_modules_beyond_the_arrays_are_counted);
	RUN(bad_total_size);
	RUN(missing_end_tag);
	RUN(bad_tag_sizes);
	RUN(known_tags_too_short_or_malformed);
	RUN(failure_clears_the_output);
	RUN(misaligned_info_is_read_safely);
	RUN(every_truncation_is_safe);
	RUN(random_mutations_are_safe);
	RUN(cmdline_get);
	RUN(cmdline_last_occurrence_wins);
	RUN(cmdline_has);
	return check_done();
}
