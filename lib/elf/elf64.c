/*
 * ELF64 reader (see elf64.h). elf64_open() validates everything a loader
 * will act on, so a loader that checks errors from elf64_next_load() too
 * never maps half an image because of a bad header. Bounds are checked as
 * "offset <= size && length <= size - offset", which cannot overflow;
 * addresses likewise against ELF64_USER_LIMIT.
 */
#include <base/string.h>
#include <elf/elf64.h>

static const uint8_t elf64_magic[4] = { 0x7f, 'E', 'L', 'F' };

/* Returns true when [@offset, @offset + @len) lies inside the image. */
static bool in_file(const struct elf64_image *img, uint64_t offset,
		    uint64_t len)
{
	return offset <= img->size && len <= img->size - offset;
}

/* Reads program header @index, which the caller knows exists. */
static void read_phdr(const struct elf64_image *img, unsigned index,
		      struct elf64_phdr *ph)
{
	size_t off = (size_t)img->ehdr.e_phoff + (size_t)index * sizeof(*ph);

	memcpy(ph, img->data + off, sizeof(*ph));
}

/* Checks one PT_LOAD header: the rules listed at elf64_next_load(). */
static err_t check_load(const struct elf64_image *img,
			const struct elf64_phdr *ph)
{
	if (ph->p_filesz > ph->p_memsz) {
		return ERR_CORRUPT;
	}
	if (ph->p_filesz > 0 && !in_file(img, ph->p_offset, ph->p_filesz)) {
		return ERR_CORRUPT;
	}
	if (ph->p_vaddr >= ELF64_USER_LIMIT ||
	    ph->p_memsz > ELF64_USER_LIMIT - ph->p_vaddr) {
		return ERR_CORRUPT;
	}
	if (ph->p_align > 1) {
		if (ph->p_align & (ph->p_align - 1)) {
			return ERR_CORRUPT;
		}
		if ((ph->p_vaddr - ph->p_offset) & (ph->p_align - 1)) {
			return ERR_CORRUPT;
		}
	}
	return ERR_OK;
}

/* Checks the file header and copies it into @img. */
static err_t check_ehdr(struct elf64_image *img)
{
	const struct elf64_ehdr *eh = &img->ehdr;
	uint64_t table;

	if (img->size < sizeof(*eh)) {
		return ERR_CORRUPT;
	}
	memcpy(&img->ehdr, img->data, sizeof(*eh));
	if (memcmp(eh->e_ident, elf64_magic, sizeof(elf64_magic)) != 0) {
		return ERR_CORRUPT;
	}
	if (eh->e_ident[ELF64_EI_CLASS] != ELF64_CLASS64 ||
	    eh->e_ident[ELF64_EI_DATA] != ELF64_DATA_LSB) {
		return ERR_NOT_SUPPORTED;
	}
	if (eh->e_ident[ELF64_EI_VERSION] != ELF64_VERSION_CURRENT ||
	    eh->e_version != ELF64_VERSION_CURRENT) {
		return ERR_CORRUPT;
	}
	if (eh->e_machine != ELF64_EM_X86_64 ||
	    (eh->e_type != ELF64_ET_EXEC && eh->e_type != ELF64_ET_DYN)) {
		return ERR_NOT_SUPPORTED;
	}
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > ELF64_MAX_PHNUM) {
		return ERR_CORRUPT;
	}
	table = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	if (!in_file(img, eh->e_phoff, table)) {
		return ERR_CORRUPT;
	}
	/* Entering user mode at a non-canonical rip faults in the kernel. */
	if (eh->e_entry >= ELF64_USER_LIMIT) {
		return ERR_CORRUPT;
	}
	return ERR_OK;
}

/* Checks a PT_INTERP header and records the string it names. */
static err_t check_interp(struct elf64_image *img,
			  const struct elf64_phdr *ph)
{
	const char *s;

	if (img->interp_len > 0 || ph->p_filesz < 2 ||
	    !in_file(img, ph->p_offset, ph->p_filesz)) {
		return ERR_CORRUPT;
	}
	s = (const char *)img->data + ph->p_offset;
	if (strnlen(s, ph->p_filesz) != ph->p_filesz - 1) {
		return ERR_CORRUPT;	/* no NUL at the end, or one earlier */
	}
	img->interp_offset = ph->p_offset;
	img->interp_len = ph->p_filesz - 1;
	return ERR_OK;
}

/* Finds where the PT_LOAD segments put the program header table. */
static void find_phdr_vaddr(struct elf64_image *img)
{
	uint64_t phoff = img->ehdr.e_phoff;
	uint64_t table =
		(uint64_t)img->ehdr.e_phnum * sizeof(struct elf64_phdr);

	for (unsigned i = 0; i < img->ehdr.e_phnum; i++) {
		struct elf64_phdr ph;

		read_phdr(img, i, &ph);
		if (ph.p_type == ELF64_PT_LOAD && phoff >= ph.p_offset &&
		    phoff - ph.p_offset <= ph.p_filesz &&
		    table <= ph.p_filesz - (phoff - ph.p_offset)) {
			img->has_phdr_vaddr = true;
			img->phdr_vaddr = ph.p_vaddr + (phoff - ph.p_offset);
			return;
		}
	}
}

err_t elf64_open(struct elf64_image *img, const void *data, size_t size)
{
	unsigned loads = 0;
	err_t err;

	if (!img || !data) {
		return ERR_INVALID;
	}
	memset(img, 0, sizeof(*img));
	img->data = data;
	img->size = size;
	err = check_ehdr(img);
	if (err) {
		return err;
	}
	for (unsigned i = 0; i < img->ehdr.e_phnum; i++) {
		struct elf64_phdr ph;

		read_phdr(img, i, &ph);
		if (ph.p_type == ELF64_PT_LOAD) {
			err = check_load(img, &ph);
			loads += ph.p_memsz > 0;
		} else if (ph.p_type == ELF64_PT_INTERP) {
			err = check_interp(img, &ph);
		} else if (ph.p_type == ELF64_PT_PHDR && !img->has_phdr_vaddr) {
			if (ph.p_vaddr >= ELF64_USER_LIMIT) {
				err = ERR_CORRUPT;
			}
			img->has_phdr_vaddr = true;
			img->phdr_vaddr = ph.p_vaddr;
		}
		if (err) {
			return err;
		}
	}
	if (loads == 0) {
		return ERR_CORRUPT;
	}
	if (!img->has_phdr_vaddr) {
		find_phdr_vaddr(img);
	}
	return ERR_OK;
}

err_t elf64_next_load(const struct elf64_image *img, unsigned *cursor,
		      struct elf64_segment *seg)
{
	for (unsigned i = *cursor; i < img->ehdr.e_phnum; i++) {
		struct elf64_phdr ph;
		err_t err;

		read_phdr(img, i, &ph);
		if (ph.p_type != ELF64_PT_LOAD) {
			continue;
		}
		err = check_load(img, &ph);
		if (err) {
			return err;
		}
		if (ph.p_memsz == 0) {
			continue;
		}
		seg->vaddr = ph.p_vaddr;
		seg->memsz = ph.p_memsz;
		seg->offset = ph.p_offset;
		seg->filesz = ph.p_filesz;
		seg->flags =
			ph.p_flags & (ELF64_SEG_R | ELF64_SEG_W | ELF64_SEG_X);
		*cursor = i + 1;
		return ERR_OK;
	}
	*cursor = img->ehdr.e_phnum;
	return ERR_NOT_FOUND;
}

err_t elf64_phdr_get(const struct elf64_image *img, unsigned index,
		     struct elf64_phdr *phdr)
{
	if (index >= img->ehdr.e_phnum) {
		return ERR_RANGE;
	}
	read_phdr(img, index, phdr);
	return ERR_OK;
}

err_t elf64_phdr_find(const struct elf64_image *img, uint32_t type,
		      struct elf64_phdr *phdr)
{
	for (unsigned i = 0; i < img->ehdr.e_phnum; i++) {
		struct elf64_phdr ph;

		read_phdr(img, i, &ph);
		if (ph.p_type == type) {
			*phdr = ph;
			return ERR_OK;
		}
	}
	return ERR_NOT_FOUND;
}

err_t elf64_interp(const struct elf64_image *img, const char **path,
		   size_t *len)
{
	if (img->interp_len == 0) {
		return ERR_NOT_FOUND;
	}
	*path = (const char *)img->data + img->interp_offset;
	*len = img->interp_len;
	return ERR_OK;
}

err_t elf64_phdr_vaddr(const struct elf64_image *img, uint64_t *vaddr)
{
	if (!img->has_phdr_vaddr) {
		return ERR_NOT_FOUND;
	}
	*vaddr = img->phdr_vaddr;
	return ERR_OK;
}
