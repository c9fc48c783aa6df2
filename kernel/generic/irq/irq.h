/*
 * IRQ objects and I/O port objects: how drivers, which are user
 * processes, get their device's interrupts and ports. Both need the
 * creating process to hold the hardware right (process.hw_access); after
 * that the handles can be passed on like any other.
 *
 * An IRQ object owns one IOAPIC line, routed to vector TRAP_IRQ_BASE +
 * GSI on the boot CPU. When it fires the line is masked, the count goes
 * up and one waiting QUEUE_OP_IRQ_WAIT completes; SYS_IRQ_ACK unmasks it.
 * MSI and MSI-X come with PCI.
 */
#pragma once

#include <ipc/queue.h>

/* QUEUE_OP_IRQ_WAIT handler. */
enum queue_submit irq_op_wait(struct queue *q, const struct queue_sqe *sqe,
			      struct queue_cqe *cqe);
