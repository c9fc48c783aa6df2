/*
 * Multiboot2: the constants of the header that boot.S places in the kernel
 * image (this file is included from assembly, so the C parts sit behind
 * __ASSEMBLY__), and a parser of the boot information the loader hands
 * over. mb2_parse() checks the information's structure and copies what the
 * kernel uses into a struct mb2_info of fixed-size arrays; strings and the
 * RSDP stay pointers into the information, whose memory the kernel keeps
 * reserved (total_size tells how much). Pure code: no allocation, no
 * kernel services, so host tests run it as is.
 */
#pragma once

/* The header in the kernel image. */
#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_HEADER_ARCH_I386 0
#define MB2_HEADER_TAG_OPTIONAL 1
#define MB2_HEADER_TAG_END 0
#define MB2_HEADER_TAG_INFO_REQUEST 1
#define MB2_HEADER_TAG_ADDRESS 2
#define MB2_HEADER_TAG_ENTRY_ADDRESS 3
#define MB2_HEADER_TAG_CONSOLE_FLAGS 4
#define MB2_HEADER_TAG_FRAMEBUFFER 5
#define MB2_HEADER_TAG_MODULE_ALIGN 6
#define MB2_HEADER_TAG_EFI_BS 7
#define MB2_HEADER_TAG_ENTRY_ADDRESS_EFI32 8
#define MB2_HEADER_TAG_ENTRY_ADDRESS_EFI64 9
#define MB2_HEADER_TAG_RELOCATABLE 10

/* In EAX at entry when a multiboot2 loader started us. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289

/* Boot information tag types. */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_BOOT_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_BOOTDEV 5
#define MB2_TAG_MMAP 6
#define MB2_TAG_VBE 7
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_ELF_SECTIONS 9
#define MB2_TAG_APM 10
#define MB2_TAG_EFI32 11
#define MB2_TAG_EFI64 12
#define MB2_TAG_SMBIOS 13
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_TAG_NETWORK 16
#define MB2_TAG_EFI_MMAP 17
#define MB2_TAG_EFI_BS 18
#define MB2_TAG_EFI32_IH 19
#define MB2_TAG_EFI64_IH 20
#define MB2_TAG_LOAD_BASE_ADDR 21

/* Memory map entry types; treat any other as reserved. */
#define MB2_MMAP_AVAILABLE 1
#define MB2_MMAP_RESERVED 2
#define MB2_MMAP_ACPI_RECLAIMABLE 3
#define MB2_MMAP_NVS 4
#define MB2_MMAP_BADRAM 5

/* Framebuffer types. */
#define MB2_FB_INDEXED 0
#define MB2_FB_RGB 1
#define MB2_FB_EGA_TEXT 2

#define MB2_MAX_MMAP 128
#define MB2_MAX_MODULES 16

#ifndef __ASSEMBLY__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/error.h>

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;		/* MB2_MMAP_* */
};

/* A module: physical [start, end) as the spec gives it (32-bit). */
struct mb2_module {
	uint32_t start;
	uint32_t end;
	const char *cmdline;	/* into the info, never NULL */
};

struct mb2_framebuffer {
	uint64_t addr;		/* physical */
	uint32_t pitch;		/* bytes per line */
	uint32_t width;
	uint32_t height;
	uint8_t bpp;
	uint8_t type;		/* MB2_FB_* */
	/* Channel positions and sizes in bits, for MB2_FB_RGB only. */
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
};

struct mb2_info {
	uint32_t total_size;		/* bytes of boot information */
	const char *cmdline;		/* NULL when absent */
	const char *loader_name;	/* NULL when absent */

	bool has_meminfo;
	uint32_t mem_lower_kib;		/* below 1 MiB */
	uint32_t mem_upper_kib;		/* from 1 MiB to the first hole */

	struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
	unsigned mmap_count;
	unsigned mmap_truncated;	/* entries beyond MB2_MAX_MMAP */

	struct mb2_module modules[MB2_MAX_MODULES];
	unsigned module_count;
	unsigned modules_truncated;	/* modules beyond MB2_MAX_MODULES */

	bool has_framebuffer;
	struct mb2_framebuffer fb;

	/* The RSDP copy inside the info (the new tag wins over the old). */
	const void *rsdp;		/* NULL when absent */
	size_t rsdp_len;
	uint32_t rsdp_tag;		/* MB2_TAG_ACPI_OLD or _NEW */

	bool has_efi64;
	uint64_t efi64_system_table;	/* physical */

	/* The kernel's ELF section headers, for symbols later. */
	bool has_elf_sections;
	uint32_t elf_num;
	uint32_t elf_entsize;
	uint32_t elf_shndx;
	const void *elf_sections;	/* elf_num * elf_entsize bytes */
};

/*
 * Parses the boot information at @info, of which at most @max_size bytes
 * may be read, into @out. Returns ERR_OK; ERR_INVALID for NULL pointers;
 * ERR_CORRUPT (with @out cleared) when total_size is below 16 or above
 * @max_size, a tag is not 8-aligned, smaller than 8 bytes or runs past
 * total_size, there is no end tag, or a known tag is too short for its
 * fields, has a string without its NUL, a memory map entry_size below 24,
 * a module ending before it starts, or ELF sections past its end. Unknown
 * tags are skipped; entries beyond the fixed arrays are only counted.
 */
err_t mb2_parse(const void *info, size_t max_size, struct mb2_info *out);

/*
 * Looks for the word @key or "@key=value" in the space-separated
 * @cmdline; the last occurrence wins. Returns the value (not
 * NUL-terminated: its length goes to *@len, if @len is not NULL), "" for
 * a bare @key, or NULL when @key is absent or @cmdline is NULL.
 */
const char *mb2_cmdline_get(const char *cmdline, const char *key,
			    size_t *len);

/* Returns true when @cmdline holds @key, bare or with a value. */
bool mb2_cmdline_has(const char *cmdline, const char *key);

#endif /* __ASSEMBLY__ */
