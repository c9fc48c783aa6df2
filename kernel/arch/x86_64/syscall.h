/*
 * The `syscall` instruction's entry (syscall.S) and its MSR setup.
 */
#pragma once

struct trap_frame;

/* Programs STAR/LSTAR/SFMASK and enables SYSCALL on this CPU. */
void syscall_init_cpu(void);
/* C entry from syscall.S, with interrupts disabled. */
void syscall_dispatch(struct trap_frame *frame);
#define SYSCALL_VECTOR 0x100 /* trap_frame.vector of a syscall frame */
