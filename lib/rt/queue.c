/*
 * Completion queue system calls (see queue.h).
 */
#include <rt/queue.h>
#include <rt/rt.h>

err_t rt_queue_create(struct rt_queue *q, uint32_t sq_entries,
		      uint32_t cq_entries)
{
	return rt_queue_create_flags(q, sq_entries, cq_entries, 0);
}

err_t rt_queue_create_flags(struct rt_queue *q, uint32_t sq_entries,
			    uint32_t cq_entries, uint32_t flags)
{
	uint64_t addr = 0;
	int64_t h = rt_syscall6(SYS_QUEUE_CREATE, sq_entries, cq_entries,
				(uint64_t)&addr, flags, 0, 0);

	if (h < 0) {
		return (err_t)-h;
	}
	rt_queue_bind(q, (handle_t)h, (struct queue_header *)addr);
	return ERR_OK;
}

int64_t rt_queue_enter(struct rt_queue *q, uint32_t to_submit,
		       uint32_t min_complete, uint64_t timeout_ns)
{
	return rt_syscall6(SYS_QUEUE_ENTER, q->handle, to_submit, min_complete,
			   timeout_ns, 0, 0);
}
