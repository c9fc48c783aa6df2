/*
 * Entry of native programs: the kernel starts the main thread at _start
 * with RSP 8 bytes below a 16-byte boundary (as after a call) and RDI
 * holding a start argument (a handle the starter gave it, or 0). Calls
 * main(arg) and ends the thread with its return value.
 */
	.text
	.globl _start
_start:
	xorl %ebp, %ebp
	call main
	movl %eax, %edi
	call rt_thread_exit
	ud2
