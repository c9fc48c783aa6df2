/*
 * IRQ objects and I/O port objects: how drivers, which are user
 * processes, get their device's interrupts and ports. Both need the
 * creating process to hold the hardware right (process.hw_access); after
 * that the handles can be passed on like any other.
 *
 * An IRQ object owns one vector on one CPU (a per-CPU allocator in
 * irq.c; abi/keel/irq.h) and either an IOAPIC line routed there or
 * nothing else: a message-signalled interrupt (MSI, or one MSI-X entry)
 * whose address/data pair the driver writes into its device. When it
 * fires the count goes up and one waiting QUEUE_OP_IRQ_WAIT completes. A
 * line is masked when it fires until SYS_IRQ_ACK unmasks it; an MSI is
 * never masked by the kernel (interrupts between waits are counted), so
 * acknowledging one does nothing.
 */
#pragma once

#include <ipc/queue.h>

/* QUEUE_OP_IRQ_WAIT handler. */
enum queue_submit irq_op_wait(struct queue *q, const struct queue_sqe *sqe,
			      struct queue_cqe *cqe);
