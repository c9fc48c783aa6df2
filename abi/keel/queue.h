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
 *
 * Wide queues (QUEUE_CREATE_WIDE, the r10 flags of SYS_QUEUE_CREATE) have
 * 128-byte completion entries (struct queue_cqe_wide): a small payload
 * (a stream message of at most QUEUE_INLINE_MAX bytes, a supervision
 * event) then comes inline in the entry, flagged QUEUE_CQE_INLINE,
 * instead of being written to a buffer in the process: no copy into
 * another address space. header->cq_entry_size says which kind a queue
 * is (0 from kernels that predate it: 32).
 */
#pragma once

#include <stdint.h>

#define QUEUE_MAX_ENTRIES 4096

/* SYS_QUEUE_CREATE flags (r10). */
#define QUEUE_CREATE_WIDE 0x1	/* 128-byte completions with inline data */

/* queue_sqe.flags (others are refused with ERR_INVALID). */
#define QUEUE_SQE_SKIP_SUCCESS 0x1 /* post no completion if the op
				    * succeeds (result >= 0); errors are
				    * still posted */
#define QUEUE_SQE_MULTISHOT 0x2	/* the op stays armed and completes once
				 * per event (wide queues; the ops that say
				 * so): each completion but the last has
				 * QUEUE_CQE_MORE. It ends when cancelled,
				 * on an error, or when the completion ring
				 * has no room for one (that one is then its
				 * last, kept in the kernel until posted) */

/* queue_cqe.flags. */
#define QUEUE_CQE_INLINE 0x1	/* the payload is in queue_cqe_wide.data */
#define QUEUE_CQE_MORE 0x2	/* a multishot op stays armed */

#define QUEUE_INLINE_MAX 96

enum queue_op {
	QUEUE_OP_NOP = 0,	/* completes at once with result arg[0] */
	QUEUE_OP_TIMER = 1,	/* arg[0]: deadline, monotonic ns */
	QUEUE_OP_CANCEL = 2,	/* arg[0]: context of the op to cancel */
	QUEUE_OP_STREAM_SEND = 3, /* abi/keel/stream.h */
	QUEUE_OP_STREAM_RECV = 4, /* abi/keel/stream.h */
	QUEUE_OP_SUPERVISE = 5,	/* abi/keel/supervise.h */
	QUEUE_OP_IRQ_WAIT = 6,	/* handle = IRQ object (RIGHT_WAIT): completes
				 * when it fires; result = interrupts since the
				 * last wait. The line stays masked until
				 * SYS_IRQ_ACK. */
	QUEUE_OP_THREAD_RESUME = 7, /* abi/keel/supervise.h */
	QUEUE_OP_COUNT
};

struct queue_sqe {
	uint32_t op;		/* enum queue_op */
	uint32_t flags;		/* QUEUE_SQE_* */
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
	uint32_t flags;		/* QUEUE_CQE_* */
	uint32_t reserved;
};
_Static_assert(sizeof(struct queue_cqe) == 32, "queue_cqe layout");

/* A completion entry of a wide queue. */
struct queue_cqe_wide {
	struct queue_cqe cqe;
	uint8_t data[QUEUE_INLINE_MAX];	/* valid with QUEUE_CQE_INLINE */
};
_Static_assert(sizeof(struct queue_cqe_wide) == 128, "queue_cqe_wide layout");

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
	uint32_t cq_entry_size;	/* bytes: 32, or 128 in a wide queue */
	uint32_t pad1[8];
};
_Static_assert(sizeof(struct queue_header) == 128, "queue_header layout");
