/*
 * Multiboot2 boot information parser and command line helpers (see
 * multiboot2.h). The information is a u32 total_size, a reserved u32, then
 * tags (u32 type, u32 size, payload) each starting 8-aligned, ending with
 * a type 0 tag. Field layouts follow GRUB's multiboot2.h where it differs
 * from the specification's text (framebuffer colour info at offset 32,
 * ELF section fields as u32). Every read is bounded by the tag's size,
 * every tag by total_size, and total_size by the caller's max_size.
 */
#include <base/string.h>
#include <boot/multiboot2.h>

#define MB2_TAG_HEADER 8
#define MB2_MMAP_ENTRY_MIN 24
#define MB2_RSDP_V1_LEN 20
#define MB2_RSDP_V2_LEN 36

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Returns the string of @len bytes at @s if its last byte is its NUL. */
static const char *tag_string(const uint8_t *s, size_t len)
{
	const char *str = (const char *)s;

	if (len == 0 || strnlen(str, len) == len) {
		return NULL;
	}
	return str;
}

static err_t parse_module(struct mb2_info *out, const uint8_t *tag,
			  uint32_t size)
{
	uint32_t start;
	uint32_t end;
	const char *cmdline;

	if (size < 16) {
		return ERR_CORRUPT;
	}
	start = rd32(tag + 8);
	end = rd32(tag + 12);
	cmdline = tag_string(tag + 16, size - 16);
	if (end < start || !cmdline) {
		return ERR_CORRUPT;
	}
	if (out->module_count == MB2_MAX_MODULES) {
		out->modules_truncated++;
		return ERR_OK;
	}
	out->modules[out->module_count++] =
		(struct mb2_module){ start, end, cmdline };
	return ERR_OK;
}

static err_t parse_mmap(struct mb2_info *out, const uint8_t *tag,
			uint32_t size)
{
	uint32_t entry_size;

	if (size < 16) {
		return ERR_CORRUPT;
	}
	entry_size = rd32(tag + 8);
	if (entry_size < MB2_MMAP_ENTRY_MIN) {
		return ERR_CORRUPT;
	}
	/* Entries may grow in later versions: step by entry_size. */
	for (uint32_t off = 16; entry_size <= size - off; off += entry_size) {
		const uint8_t *e = tag + off;

		if (out->mmap_count == MB2_MAX_MMAP) {
			out->mmap_truncated++;
			continue;
		}
		out->mmap[out->mmap_count++] = (struct mb2_mmap_entry){
			rd64(e), rd64(e + 8), rd32(e + 16)
		};
	}
	return ERR_OK;
}

static err_t parse_framebuffer(struct mb2_info *out, const uint8_t *tag,
			       uint32_t size)
{
	struct mb2_framebuffer *fb = &out->fb;

	if (size < 32) {
		return ERR_CORRUPT;
	}
	*fb = (struct mb2_framebuffer){ 0 };
	fb->addr = rd64(tag + 8);
	fb->pitch = rd32(tag + 16);
	fb->width = rd32(tag + 20);
	fb->height = rd32(tag + 24);
	fb->bpp = tag[28];
	fb->type = tag[29];
	if (fb->type == MB2_FB_RGB) {
		if (size < 38) {
			return ERR_CORRUPT;
		}
		fb->red_pos = tag[32];
		fb->red_size = tag[33];
		fb->green_pos = tag[34];
		fb->green_size = tag[35];
		fb->blue_pos = tag[36];
		fb->blue_size = tag[37];
	}
	out->has_framebuffer = true;
	return ERR_OK;
}

static err_t parse_elf_sections(struct mb2_info *out, const uint8_t *tag,
				uint32_t size)
{
	uint32_t num;
	uint32_t entsize;

	if (size < 20) {
		return ERR_CORRUPT;
	}
	num = rd32(tag + 8);
	entsize = rd32(tag + 12);
	if ((uint64_t)num * entsize > size - 20) {
		return ERR_CORRUPT;
	}
	out->has_elf_sections = true;
	out->elf_num = num;
	out->elf_entsize = entsize;
	out->elf_shndx = rd32(tag + 16);
	out->elf_sections = tag + 20;
	return ERR_OK;
}

static err_t parse_rsdp(struct mb2_info *out, const uint8_t *tag,
			uint32_t type, uint32_t size)
{
	size_t need = type == MB2_TAG_ACPI_NEW ? MB2_RSDP_V2_LEN
					       : MB2_RSDP_V1_LEN;

	if (size - MB2_TAG_HEADER < need) {
		return ERR_CORRUPT;
	}
	/* The newer copy (with the XSDT address) wins, in either order. */
	if (out->rsdp_tag == MB2_TAG_ACPI_NEW && type == MB2_TAG_ACPI_OLD) {
		return ERR_OK;
	}
	out->rsdp = tag + MB2_TAG_HEADER;
	out->rsdp_len = size - MB2_TAG_HEADER;
	out->rsdp_tag = type;
	return ERR_OK;
}

/* Copies what @out keeps of one tag, after checking its size. */
static err_t parse_tag(struct mb2_info *out, const uint8_t *tag,
		       uint32_t type, uint32_t size)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		out->cmdline = tag_string(tag + 8, size - 8);
		return out->cmdline ? ERR_OK : ERR_CORRUPT;
	case MB2_TAG_BOOT_LOADER_NAME:
		out->loader_name = tag_string(tag + 8, size - 8);
		return out->loader_name ? ERR_OK : ERR_CORRUPT;
	case MB2_TAG_MODULE:
		return parse_module(out, tag, size);
	case MB2_TAG_BASIC_MEMINFO:
		if (size < 16) {
			return ERR_CORRUPT;
		}
		out->has_meminfo = true;
		out->mem_lower_kib = rd32(tag + 8);
		out->mem_upper_kib = rd32(tag + 12);
		return ERR_OK;
	case MB2_TAG_MMAP:
		return parse_mmap(out, tag, size);
	case MB2_TAG_FRAMEBUFFER:
		return parse_framebuffer(out, tag, size);
	case MB2_TAG_ELF_SECTIONS:
		return parse_elf_sections(out, tag, size);
	case MB2_TAG_EFI64:
		if (size < 16) {
			return ERR_CORRUPT;
		}
		out->has_efi64 = true;
		out->efi64_system_table = rd64(tag + 8);
		return ERR_OK;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		return parse_rsdp(out, tag, type, size);
	default:
		return ERR_OK;	/* not needed, or unknown to us */
	}
}

err_t mb2_parse(const void *info, size_t max_size, struct mb2_info *out)
{
	const uint8_t *base = info;
	uint32_t total;
	size_t off;

	if (!info || !out) {
		return ERR_INVALID;
	}
	memset(out, 0, sizeof(*out));
	if (max_size < 8) {
		return ERR_CORRUPT;
	}
	total = rd32(base);
	if (total < 16 || total > max_size) {
		return ERR_CORRUPT;
	}
	/* total < 2^32, so off never overflows and stays 8-aligned. */
	for (off = 8; off <= total - MB2_TAG_HEADER;
	     off = (off + 7) & ~(size_t)7) {
		uint32_t type = rd32(base + off);
		uint32_t size = rd32(base + off + 4);

		if (size < MB2_TAG_HEADER || size > total - off) {
			break;
		}
		if (type == MB2_TAG_END) {
			out->total_size = total;
			return ERR_OK;
		}
		if (parse_tag(out, base + off, type, size) != ERR_OK) {
			break;
		}
		off += size;
	}
	memset(out, 0, sizeof(*out));
	return ERR_CORRUPT;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *mb2_cmdline_get(const char *cmdline, const char *key,
			    size_t *len)
{
	const char *found = NULL;
	size_t found_len = 0;
	size_t key_len;
	const char *p = cmdline;

	if (!cmdline || !key || !*key) {
		return NULL;
	}
	key_len = strlen(key);
	while (*p) {
		const char *word;
		size_t word_len;

		while (is_space(*p)) {
			p++;
		}
		word = p;
		while (*p && !is_space(*p)) {
			p++;
		}
		word_len = (size_t)(p - word);
		if (word_len < key_len || memcmp(word, key, key_len) != 0) {
			continue;
		}
		if (word_len == key_len) {
			found = "";
			found_len = 0;
		} else if (word[key_len] == '=') {
			found = word + key_len + 1;
			found_len = word_len - key_len - 1;
		}
	}
	if (found && len) {
		*len = found_len;
	}
	return found;
}

bool mb2_cmdline_has(const char *cmdline, const char *key)
{
	return mb2_cmdline_get(cmdline, key, NULL) != NULL;
}
