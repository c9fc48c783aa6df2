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
/* The current thread, asked to stop by SYS_THREAD_SUSPEND, is on its way
 * back to user mode from system call @nr (or SUPERVISE_STOP_NO_CALL):
 * stops it with a STOP event until resumed. */
void supervise_stop_requested(struct trap_frame *frame, uint64_t nr);
/* @p's last thread ended with @code: the supervisor gets an EXIT event. */
void supervise_process_ended(struct process *p, int code);
/* Wakes @p's stopped threads so they see the process was killed. */
void supervise_wake_all(struct process *p);
/* QUEUE_OP_SUPERVISE handler. */
enum queue_submit supervise_op_wait(struct queue *q,
				    const struct queue_sqe *sqe,
				    struct queue_cqe *cqe);

struct process;
/* The process named by handle @h of the caller, which must carry
 * RIGHT_SUPERVISE; a new reference in @out (process_put it).
 * ERR_BAD_HANDLE, ERR_WRONG_TYPE, ERR_ACCESS. */
err_t supervise_process_get(uint64_t h, struct process **out);
