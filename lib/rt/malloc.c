/*
 * malloc and friends (malloc.h) over one process-wide heap (heap.h) whose
 * pages are anonymous memory objects: each request of the heap (a 4 MiB
 * chunk for slabs, 1 MiB of metadata, one large block) is a new object,
 * mapped and its handle closed at once (the mapping keeps it alive), so
 * the heap holds no handles. A large block's free unmaps it, which
 * releases the object.
 *
 * One futex mutex serialises the heap; the heap calls the kernel with it
 * held (a map or an unmap), which only other allocating threads wait
 * for. The heap is set up by the first call.
 */
#include <rt/heap.h>
#include <rt/malloc.h>
#include <rt/rt.h>
#include <rt/sync.h>

static void *pages_map(void *ctx, size_t size)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, size, 0);
	int64_t addr;

	if (mem < 0) {
		return NULL;
	}
	addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, size, 0,
			   VM_READ | VM_WRITE);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)mem, 0);
	return addr < 0 ? NULL : (void *)addr;
}

static void pages_unmap(void *ctx, void *addr, size_t size)
{
	int64_t err = rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)addr, size, 0, 0,
				  0);

	if (err < 0) {
		rt_abort("malloc: unmapping %p (%zu bytes) failed: %ld", addr,
			 size, err);
	}
}

static void pages_report(void *ctx, const char *what, const void *p)
{
	rt_abort("malloc: %s: %p", what, p);
}

static const struct heap_page_source kernel_pages = {
	.map = pages_map,
	.unmap = pages_unmap,
	.report = pages_report,
};

static struct heap heap;
static struct rt_mutex heap_lock;

static void lock(void)
{
	rt_mutex_lock(&heap_lock);
	if (!heap.src) {
		heap_init(&heap, &kernel_pages);
	}
}

static void unlock(void)
{
	rt_mutex_unlock(&heap_lock);
}

void *malloc(size_t size)
{
	void *p;

	lock();
	p = heap_alloc(&heap, size);
	unlock();
	return p;
}

void *calloc(size_t n, size_t size)
{
	void *p;

	lock();
	p = heap_calloc(&heap, n, size);
	unlock();
	return p;
}

void *realloc(void *p, size_t size)
{
	void *q;

	lock();
	q = heap_realloc(&heap, p, size);
	unlock();
	return q;
}

void free(void *p)
{
	if (!p) {
		return;
	}
	lock();
	heap_free(&heap, p);
	unlock();
}

void *aligned_alloc(size_t align, size_t size)
{
	void *p;

	lock();
	p = heap_alloc_aligned(&heap, align, size);
	unlock();
	return p;
}

void *memalign(size_t align, size_t size)
{
	return aligned_alloc(align, size);
}

size_t malloc_usable_size(void *p)
{
	size_t n;

	if (!p) {
		return 0;
	}
	lock();
	n = heap_usable_size(&heap, p);
	unlock();
	return n;
}
