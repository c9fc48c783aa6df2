/*
 * Supervision (abi/keel/supervise.h): a supervised thread that makes a
 * Linux system call or faults stops, and an event goes to its process's
 * supervision channel, where the supervisor takes it with
 * QUEUE_OP_SUPERVISE; the thread waits until the supervisor resumes it
 * or kills the process.
 *
 * Locking: channel->lock guards the event and waiter lists and the
 * stopped flags of the process's threads. Requests are completed after
 * it is dropped (ipc/queue.h).
 */
#pragma once

#include <stdint.h>

#include <ipc/queue.h>
#include <keel/supervise.h>

struct process;
struct trap_frame;

/* Makes @p supervised (at creation). ERR_NO_MEMORY. */
err_t supervise_channel_create(struct process *p);
void supervise_channel_destroy(struct supervise_channel *ch);
/* The current thread made Linux call @frame->rax: stops it until its
 * supervisor resumes it (the result is then in frame->rax). */
void supervise_syscall(struct trap_frame *frame);
/* The current thread raised exception @frame: stops it likewise. */
void supervise_fault(struct trap_frame *frame, uint64_t address);
/* @p's last thread ended with @code: the supervisor gets an EXIT event. */
void supervise_process_ended(struct process *p, int code);
/* Wakes @p's stopped threads so they see the process was killed. */
void supervise_wake_all(struct process *p);
/* QUEUE_OP_SUPERVISE handler. */
enum queue_submit supervise_op_wait(struct queue *q,
				    const struct queue_sqe *sqe,
				    struct queue_cqe *cqe);
/* QUEUE_OP_THREAD_RESUME handler: SYS_THREAD_RESUME as a queue op, so
 * that answering a call and waiting for the next event is one
 * SYS_QUEUE_ENTER, which hands the CPU to the resumed thread. */
enum queue_submit supervise_op_resume(struct queue *q,
				      const struct queue_sqe *sqe,
				      struct queue_cqe *cqe);
