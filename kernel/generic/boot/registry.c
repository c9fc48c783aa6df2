/*
 * The registry at boot (see registry.h).
 */
#include <base/string.h>
#include <boot/initrd.h>
#include <boot/registry.h>
#include <handle/handle.h>
#include <ipc/stream.h>
#include <keel/proto/registry.h>
#include <log/log.h>
#include <sched/sched.h>
#include <sched/thread.h>
#include <user/process.h>

#define LOG_SUBSYS "registry"

/* The kernel's end of the registry's start stream; NULL: no registry. */
static struct kobject *kernel_end;

err_t registry_start(const char *path)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct kobject *mine, *theirs;
	struct process *p;
	struct thread *t;
	const void *image;
	size_t size;
	handle_t h;
	err_t err = initrd_find(path, &image, &size);

	if (!err) {
		err = process_create_from_elf(name, image, size, &p, &t);
	}
	if (err) {
		LOG("cannot start %s: %s; going on without a registry", path,
		    error_str(err));
		return err;
	}
	err = stream_create(&mine, &theirs);
	if (!err) {
		/* The registry only receives on it. */
		err = handle_insert(&p->handles, theirs, RIGHT_READ, &h);
		kobject_put(theirs);
		if (err) {
			kobject_put(mine);
		}
	}
	if (err) {
		LOG("cannot start %s: %s; going on without a registry", path,
		    error_str(err));
		thread_put(t); /* never started: both references go */
		thread_put(t);
		process_put(p);
		return err;
	}
	kernel_end = mine;
	t->user_arg = h;
	LOG("starting %s (process %lu)", path, p->id);
	sched_start(t);
	thread_put(t);
	process_put(p);
	return ERR_OK;
}

err_t registry_connect(struct process *p, handle_t *out)
{
	struct registry_kernel_client msg = {
		.hdr = { .id = REGISTRY_KERNEL_CLIENT, .length = sizeof(msg) },
		.process_id = p->id,
	};
	struct kobject *reg_end, *prog_end;
	err_t err;

	*out = 0;
	if (!kernel_end) {
		return ERR_NOT_FOUND;
	}
	strlcpy(msg.name, p->name, sizeof(msg.name));
	err = stream_create(&reg_end, &prog_end);
	if (err) {
		return err;
	}
	err = handle_insert(&p->handles, prog_end, RIGHTS_ALL, out);
	kobject_put(prog_end);
	if (err) {
		kobject_put(reg_end);
		*out = 0;
		return err;
	}
	err = stream_send_kernel(kernel_end, &msg, sizeof(msg), reg_end,
				 RIGHTS_ALL);
	if (err) {
		handle_remove(&p->handles, *out, NULL, NULL);
		kobject_put(reg_end);
		*out = 0;
		LOG("cannot connect %s to the registry: %s", p->name,
		    error_str(err));
		if (err == ERR_PEER_CLOSED) {
			kobject_put(kernel_end);
			kernel_end = NULL;
		}
	}
	return err;
}
