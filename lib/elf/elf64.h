/*
 * A validating reader of x86_64 ELF64 executables, for loading programs
 * (the kernel for the first servers, the posix server for execve). The
 * image is untrusted: elf64_open() checks the file header, the program
 * header table and every segment the loader will use before anything is
 * loaded, and no offset, size or address computation can overflow. The
 * data may sit at any alignment (the initrd only 4-aligns files), so
 * headers are copied out rather than read in place. Nothing here
 * allocates; the image must stay in memory while the reader is used.
 *
 *	elf64_open(&img, data, size);
 *	while (elf64_next_load(&img, &cursor, &seg) == ERR_OK) { map seg }
 *	entry = elf64_entry(&img);
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/error.h>

/* File header layout (System V gABI), little endian. */
#define ELF64_EI_NIDENT 16
#define ELF64_EI_CLASS 4
#define ELF64_EI_DATA 5
#define ELF64_EI_VERSION 6
#define ELF64_CLASS64 2
#define ELF64_DATA_LSB 1
#define ELF64_VERSION_CURRENT 1
#define ELF64_ET_EXEC 2
#define ELF64_ET_DYN 3
#define ELF64_EM_X86_64 62

/* Program header types and flags. */
#define ELF64_PT_NULL 0
#define ELF64_PT_LOAD 1
#define ELF64_PT_DYNAMIC 2
#define ELF64_PT_INTERP 3
#define ELF64_PT_NOTE 4
#define ELF64_PT_PHDR 6
#define ELF64_PT_TLS 7
#define ELF64_PT_GNU_STACK 0x6474e551u
#define ELF64_PT_GNU_RELRO 0x6474e552u
#define ELF64_PF_X 0x1u
#define ELF64_PF_W 0x2u
#define ELF64_PF_R 0x4u

/* Segment permissions in struct elf64_segment (the ELF PF_* values). */
#define ELF64_SEG_X ELF64_PF_X
#define ELF64_SEG_W ELF64_PF_W
#define ELF64_SEG_R ELF64_PF_R

/* First address of the upper (kernel) half; user images stay below. */
#define ELF64_USER_LIMIT 0x0000800000000000ull
/* Most program headers accepted (real programs have about a dozen). */
#define ELF64_MAX_PHNUM 256

struct elf64_ehdr {
	uint8_t e_ident[ELF64_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 file header layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header");

/* An opened image; filled by elf64_open(), read through the functions. */
struct elf64_image {
	const uint8_t *data;
	size_t size;
	struct elf64_ehdr ehdr;
	size_t interp_offset;	/* PT_INTERP string, when interp_len > 0 */
	size_t interp_len;	/* without the NUL */
	bool has_phdr_vaddr;
	uint64_t phdr_vaddr;
};

/*
 * A PT_LOAD segment: @memsz bytes at @vaddr, the first @filesz of them
 * copied from @offset in the file and the rest zero. For ET_DYN images the
 * addresses are relative to the load base the loader picks.
 */
struct elf64_segment {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t offset;
	uint64_t filesz;
	uint32_t flags;		/* ELF64_SEG_R | ELF64_SEG_W | ELF64_SEG_X */
};

/*
 * Checks the @size bytes at @data as an x86_64 executable and fills @img.
 * Returns ERR_OK; ERR_INVALID for a NULL @img or @data; ERR_NOT_SUPPORTED
 * for a well-formed ELF file of another class, byte order, machine or type
 * (not ET_EXEC or ET_DYN); ERR_CORRUPT for anything malformed: bad magic
 * or version, a header or table outside the data, a bad e_phentsize, more
 * than ELF64_MAX_PHNUM headers, an entry point in the upper half, a bad
 * PT_LOAD (see elf64_next_load), none at all, or a PT_INTERP that is not a
 * NUL-terminated string inside the file (or more than one).
 */
err_t elf64_open(struct elf64_image *img, const void *data, size_t size);

/*
 * Fetches the next non-empty PT_LOAD segment at or after *@cursor (start
 * at 0) into @seg and advances *@cursor past it. Returns ERR_OK;
 * ERR_NOT_FOUND when there are no more; ERR_CORRUPT (the image changed
 * since elf64_open) when filesz > memsz, the file range lies outside the
 * data, vaddr + memsz overflows or reaches ELF64_USER_LIMIT, or p_align is
 * not a power of two that vaddr and offset agree modulo.
 */
err_t elf64_next_load(const struct elf64_image *img, unsigned *cursor,
		      struct elf64_segment *seg);

/*
 * Copies program header @index into @phdr. Returns ERR_OK, or ERR_RANGE
 * when @index >= elf64_phnum(@img).
 */
err_t elf64_phdr_get(const struct elf64_image *img, unsigned index,
		     struct elf64_phdr *phdr);

/*
 * Copies the first program header of type @type (PT_TLS, PT_GNU_STACK,
 * ...) into @phdr. Returns ERR_OK or ERR_NOT_FOUND. Only the PT_LOAD,
 * PT_INTERP and PT_PHDR headers have been validated.
 */
err_t elf64_phdr_find(const struct elf64_image *img, uint32_t type,
		      struct elf64_phdr *phdr);

/*
 * Gives the PT_INTERP path (the dynamic linker) as a NUL-terminated string
 * inside the image and its length. Returns ERR_OK, or ERR_NOT_FOUND for a
 * static program.
 */
err_t elf64_interp(const struct elf64_image *img, const char **path,
		   size_t *len);

/*
 * Gives the address the program headers are loaded at (AT_PHDR): PT_PHDR's
 * vaddr, else found through the PT_LOAD whose file bytes contain the
 * table. Returns ERR_OK, or ERR_NOT_FOUND when the table is not loaded.
 * Relative to the load base for ET_DYN.
 */
err_t elf64_phdr_vaddr(const struct elf64_image *img, uint64_t *vaddr);

/* Returns the entry point (relative to the load base for ET_DYN). */
static inline uint64_t elf64_entry(const struct elf64_image *img)
{
	return img->ehdr.e_entry;
}

/* Returns the number of program headers (AT_PHNUM). */
static inline unsigned elf64_phnum(const struct elf64_image *img)
{
	return img->ehdr.e_phnum;
}

/* Returns the size of one program header (AT_PHENT). */
static inline unsigned elf64_phent(const struct elf64_image *img)
{
	return img->ehdr.e_phentsize;
}

/* Returns true for a position-independent (ET_DYN) image. */
static inline bool elf64_is_dyn(const struct elf64_image *img)
{
	return img->ehdr.e_type == ELF64_ET_DYN;
}
