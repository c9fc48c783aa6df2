/*
 * Open file descriptions (file.h): reference counting only; what a file
 * does lives in its ops.
 */
#include <rt/malloc.h>

#include "file.h"

struct file *file_create(const struct file_ops *ops, unsigned flags,
			 void *priv)
{
	struct file *f = calloc(1, sizeof(*f));

	if (!f) {
		return NULL;
	}
	f->refs = 1;
	f->flags = flags;
	f->ops = ops;
	f->priv = priv;
	return f;
}

void file_get(struct file *f)
{
	f->refs++;
}

void file_put(struct file *f)
{
	if (--f->refs) {
		return;
	}
	if (f->ops->release) {
		f->ops->release(f);
	}
	free(f);
}
