/*
 * Completion queues (kernel <-> user contract), the core of the
 * asynchronous API, in the manner of io_uring.
 *
 * A queue is memory shared between one process and the kernel: a header,
 * then a submission ring of struct queue_sqe, then a completion ring of
 * struct queue_cqe (offsets in the header). The process writes SQEs and
 * advances sq_tail; SYS_QUEUE_ENTER hands them to the kernel, which
 * advances sq_head as it consumes them. The kernel writes CQEs and
 * advances cq_tail; the process reads them and advances cq_head. Indices
 * are free-running 32-bit counters; entry i lives at i & (entries - 1).
 * The kernel treats everything the process can write as hostile: it
 * reads sq_tail and cq_head once per call and checks them.
 *
 * Each operation's 64-bit context comes back in its completion. An
 * operation that cannot complete at once stays pending in the kernel
 * until it completes or is cancelled (QUEUE_OP_CANCEL), so a completion
 * ring can never be overrun: the kernel keeps completions that do not fit
 * and posts them as the process makes room.
 */
#pragma once

#include <stdint.h>

#define QUEUE_MAX_ENTRIES 4096

enum queue_op {
	QUEUE_OP_NOP = 0,	/* completes at once with result arg[0] */
	QUEUE_OP_TIMER = 1,	/* arg[0]: deadline, monotonic ns */
	QUEUE_OP_CANCEL = 2,	/* arg[0]: context of the op to cancel */
	QUEUE_OP_STREAM_SEND = 3, /* abi/keel/stream.h */
	QUEUE_OP_STREAM_RECV = 4, /* abi/keel/stream.h */
	QUEUE_OP_SUPERVISE = 5,	/* abi/keel/supervise.h */
	QUEUE_OP_IRQ_WAIT = 6,	/* handle = IRQ object (RIGHT_WAIT): completes
				 * when it fires; result = interrupts since the
				 * last wait, value = CPU << 32 | GSI (line) or
				 * vector (MSI). A line stays masked until
				 * SYS_IRQ_ACK; an MSI is never masked. */
	QUEUE_OP_COUNT
};

struct queue_sqe {
	uint32_t op;		/* enum queue_op */
	uint32_t flags;		/* none defined yet: must be 0 */
	uint32_t handle;	/* object the op works on, if any */
	uint32_t reserved;	/* must be 0 */
	uint64_t context;	/* returned in the completion */
	uint64_t arg[5];
};
_Static_assert(sizeof(struct queue_sqe) == 64, "queue_sqe layout");

struct queue_cqe {
	uint64_t context;
	int64_t result;		/* >= 0, or a negated err_t */
	uint64_t value;		/* op-specific second result */
	uint32_t flags;
	uint32_t reserved;
};
_Static_assert(sizeof(struct queue_cqe) == 32, "queue_cqe layout");

struct queue_header {
	/* Written by the process. */
	volatile uint32_t sq_tail;
	volatile uint32_t cq_head;
	uint32_t pad0[14];
	/* Written by the kernel (a separate cache line). */
	volatile uint32_t sq_head;
	volatile uint32_t cq_tail;
	uint32_t sq_entries;	/* powers of two */
	uint32_t cq_entries;
	uint32_t sq_offset;	/* from the start of the header, bytes */
	uint32_t cq_offset;
	volatile uint32_t cq_overflow; /* completions waiting in the kernel */
	uint32_t pad1[9];
};
_Static_assert(sizeof(struct queue_header) == 128, "queue_header layout");
