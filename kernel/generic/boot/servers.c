/*
 * Server start-up (servers.h). Each server gets, as its first handle, a
 * one-page read-only memory object with its boot information, a handle
 * to the initrd's memory (read-only, write-back cached; the initrd
 * frames stay reserved for good, so the object never frees them) and a
 * private stream to the registry (boot/registry.h).
 */
#include <arch/x86_64/paging.h>
#include <base/string.h>
#include <boot/initrd.h>
#include <boot/multiboot2.h>
#include <boot/registry.h>
#include <boot/servers.h>
#include <handle/handle.h>
#include <keel/bootinfo.h>
#include <log/log.h>
#include <mm/vmo.h>
#include <sched/sched.h>
#include <user/process.h>

#define LOG_SUBSYS "servers"
#define SERVERS_MAX 8

static struct process *servers[SERVERS_MAX];
static unsigned server_count;
/* Daemons (daemons=): started the same way, never waited for. */
static unsigned daemon_count;

/* Builds the boot information of @p, with @registry (a handle of @p's
 * or 0); returns its handle in @out. */
static err_t give_boot_info(struct process *p, const char *cmdline,
			    handle_t registry, handle_t *out)
{
	struct boot_server_info *info;
	struct vmo *v;
	paddr_t page, start;
	size_t size;
	err_t err;

	err = vmo_create_anon(1, &v);
	if (err) {
		return err;
	}
	err = vmo_get_page(v, 0, &page);
	if (err) {
		goto out_put;
	}
	info = phys_to_virt(page);
	info->version = BOOT_SERVER_INFO_VERSION;
	info->registry = registry;
	strlcpy(info->cmdline, cmdline, sizeof(info->cmdline));
	if (initrd_phys(&start, &size) == ERR_OK) {
		paddr_t base = ALIGN_DOWN(start, PAGE_SIZE);
		uint64_t pages = ALIGN_UP(start + size, PAGE_SIZE) - base;
		struct vmo *rd;
		handle_t h;

		err = vmo_create_phys(base, pages / PAGE_SIZE,
				      paging_cache_bits(PAGING_CACHE_WB), &rd);
		if (err) {
			goto out_put;
		}
		err = handle_insert(&p->handles, &rd->obj,
				    RIGHT_READ | RIGHT_MAP | RIGHT_DUPLICATE |
					    RIGHT_TRANSFER,
				    &h);
		kobject_put(&rd->obj);
		if (err) {
			goto out_put;
		}
		info->initrd = h;
		info->initrd_offset = start - base;
		info->initrd_size = size;
	}
	err = handle_insert(&p->handles, &v->obj,
			    RIGHT_READ | RIGHT_MAP | RIGHT_DUPLICATE, out);
out_put:
	kobject_put(&v->obj);
	return err;
}

static void start_one(const char *path, const char *cmdline, bool daemon)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const void *image;
	struct process *p;
	struct thread *t;
	handle_t info, registry;
	size_t size;
	err_t err;

	if (server_count + daemon_count == SERVERS_MAX) {
		LOG("too many servers; %s not started", path);
		return;
	}
	err = initrd_find(path, &image, &size);
	if (!err) {
		err = process_create_from_elf(name, image, size, &p, &t);
	}
	if (err) {
		LOG("cannot start %s: %s", path, error_str(err));
		return;
	}
	p->hw_access = true;
	registry_connect(p, &registry);
	err = give_boot_info(p, cmdline, registry, &info);
	if (err) {
		LOG("cannot give %s its boot information: %s", path,
		    error_str(err));
		info = HANDLE_INVALID;
	}
	t->user_arg = info;
	LOG("starting %s %s (process %lu)", daemon ? "daemon" : "server",
	    path, p->id);
	sched_start(t);
	thread_put(t);
	if (daemon) {
		daemon_count++;
		process_put(p);
	} else {
		servers[server_count++] = p;
	}
}

/* Starts every program of the comma-separated list option @opt. */
static void start_list(const char *cmdline, const char *opt, bool daemon)
{
	char list[256];
	size_t len;
	const char *v = mb2_cmdline_get(cmdline, opt, &len);

	if (!v || len == 0) {
		return;
	}
	if (len >= sizeof(list)) {
		LOG("%s= is too long", opt);
		return;
	}
	memcpy(list, v, len);
	list[len] = '\0';
	for (char *path = list; path && *path;) {
		char *comma = strchr(path, ',');

		if (comma) {
			*comma = '\0';
		}
		start_one(path, cmdline, daemon);
		path = comma ? comma + 1 : NULL;
	}
}

void servers_start(const char *cmdline)
{
	/* Daemons first: servers and programs find them in the registry. */
	start_list(cmdline, "daemons", true);
	start_list(cmdline, "servers", false);
}

int servers_wait(void)
{
	int code = 0;

	for (unsigned i = 0; i < server_count; i++) {
		int c = process_wait(servers[i]);

		LOG("server %s exited with code %d", servers[i]->name, c);
		code |= c;
	}
	return code;
}
