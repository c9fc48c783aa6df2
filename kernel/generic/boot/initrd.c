/*
 * Initrd lookup (see initrd.h). The archive stays where GRUB put it
 * (pmm reserved that memory) and is read through the direct map.
 */
#include <base/string.h>
#include <boot/initrd.h>
#include <boot/multiboot2.h>
#include <cpio/cpio.h>
#include <log/log.h>
#include <mm/addr.h>

#define LOG_SUBSYS "initrd"

static const void *initrd_data;
static size_t initrd_size;
static paddr_t initrd_start;

err_t initrd_init(const struct mb2_info *boot)
{
	const struct mb2_module *m = NULL;

	for (unsigned i = 0; i < boot->module_count; i++) {
		if (strcmp(boot->modules[i].cmdline, "initrd") == 0) {
			m = &boot->modules[i];
			break;
		}
	}
	if (!m && boot->module_count > 0) {
		m = &boot->modules[0];
	}
	if (!m || m->end <= m->start) {
		LOG("no initrd module");
		return ERR_NOT_FOUND;
	}
	initrd_start = m->start;
	initrd_data = phys_to_virt(m->start);
	initrd_size = m->end - m->start;
	LOG("%zu KiB at %#x", initrd_size / 1024, m->start);
	return ERR_OK;
}

err_t initrd_find(const char *path, const void **data, size_t *size)
{
	struct cpio_entry e;
	err_t err;

	if (!initrd_data) {
		return ERR_NOT_FOUND;
	}
	err = cpio_find(initrd_data, initrd_size, path, &e);
	if (err) {
		return err;
	}
	*data = e.data;
	*size = e.size;
	return ERR_OK;
}

err_t initrd_phys(paddr_t *start, size_t *size)
{
	if (!initrd_data) {
		return ERR_NOT_FOUND;
	}
	*start = initrd_start;
	*size = initrd_size;
	return ERR_OK;
}
