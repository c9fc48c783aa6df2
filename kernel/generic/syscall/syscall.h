/*
 * Native system call handlers. Each lives in its module's file as
 * sys_<module>_<verb> and is registered in the one table in syscall.c.
 * Handlers check every argument first, then act; they return >= 0 or a
 * negated err_t.
 */
#pragma once

#include <stdint.h>

#define SYSCALL_ARGS                                                        \
	uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,    \
		uint64_t a5

typedef int64_t (*syscall_fn)(SYSCALL_ARGS);

int64_t sys_handle_close(SYSCALL_ARGS);
int64_t sys_handle_duplicate(SYSCALL_ARGS);
int64_t sys_handle_info(SYSCALL_ARGS);
int64_t sys_queue_create(SYSCALL_ARGS);
int64_t sys_queue_enter(SYSCALL_ARGS);
int64_t sys_memory_create(SYSCALL_ARGS);
int64_t sys_vm_map(SYSCALL_ARGS);
int64_t sys_vm_unmap(SYSCALL_ARGS);
int64_t sys_vm_protect(SYSCALL_ARGS);
int64_t sys_stream_create(SYSCALL_ARGS);
int64_t sys_process_create(SYSCALL_ARGS);
int64_t sys_thread_start(SYSCALL_ARGS);
int64_t sys_thread_regs_get(SYSCALL_ARGS);
int64_t sys_thread_regs_set(SYSCALL_ARGS);
int64_t sys_thread_resume(SYSCALL_ARGS);
int64_t sys_process_kill(SYSCALL_ARGS);
int64_t sys_vm_read(SYSCALL_ARGS);
int64_t sys_vm_write(SYSCALL_ARGS);
int64_t sys_thread_create(SYSCALL_ARGS);
int64_t sys_futex_wait(SYSCALL_ARGS);
int64_t sys_futex_wake(SYSCALL_ARGS);
int64_t sys_irq_create(SYSCALL_ARGS);
int64_t sys_irq_ack(SYSCALL_ARGS);
int64_t sys_irq_create_msi(SYSCALL_ARGS);
int64_t sys_irq_info(SYSCALL_ARGS);
int64_t sys_ioport_create(SYSCALL_ARGS);
int64_t sys_ioport_enable(SYSCALL_ARGS);
int64_t sys_memory_create_dma(SYSCALL_ARGS);
int64_t sys_memory_create_phys(SYSCALL_ARGS);
int64_t sys_memory_phys(SYSCALL_ARGS);
int64_t sys_process_fork(SYSCALL_ARGS);
int64_t sys_thread_suspend(SYSCALL_ARGS);
int64_t sys_thread_priority(SYSCALL_ARGS);
int64_t sys_thread_affinity(SYSCALL_ARGS);
int64_t sys_memory_resize(SYSCALL_ARGS);
int64_t sys_clock_page(SYSCALL_ARGS);
int64_t sys_system_power(SYSCALL_ARGS);
int64_t sys_thread_fpu_get(SYSCALL_ARGS);
int64_t sys_thread_fpu_set(SYSCALL_ARGS);
int64_t sys_console_write(SYSCALL_ARGS);
