/*
 * Native system call numbers (kernel <-> user contract).
 *
 * A process may make two kinds of calls with the `syscall` instruction:
 * Linux x86_64 calls (numbers below 1024, or with bit 30 set for x32),
 * which go to the thread's supervisor, and native Keel calls, whose
 * numbers lie in [SYS_NATIVE_BASE, SYS_NATIVE_BASE + SYS_NATIVE_COUNT),
 * a range no Linux ABI uses. Arguments go in rdi, rsi, rdx, r10, r8, r9
 * (the Linux convention); the result comes back in rax: >= 0 on success,
 * the negated err_t (abi/keel/error.h) on failure.
 */
#pragma once

#define SYS_NATIVE_BASE 0x10000000
#define SYS_NATIVE_COUNT 0x1000

/* Writes a message (rdi = buffer, rsi = length <= SYS_LOG_MAX) to the
 * kernel log, tagged with the calling process's name. */
#define SYS_LOG_WRITE (SYS_NATIVE_BASE + 0)
/* Ends the calling thread (rdi = exit code); the process ends with its
 * last thread. Does not return. */
#define SYS_THREAD_EXIT (SYS_NATIVE_BASE + 1)
/* Gives up the CPU to other ready threads. */
#define SYS_THREAD_YIELD (SYS_NATIVE_BASE + 2)
/* Returns the monotonic clock in nanoseconds since boot. */
#define SYS_CLOCK_GET (SYS_NATIVE_BASE + 3)

/* Closes handle rdi. ERR_BAD_HANDLE. */
#define SYS_HANDLE_CLOSE (SYS_NATIVE_BASE + 4)
/* Duplicates handle rdi with rights rsi (a subset of its own); returns the
 * new handle. ERR_BAD_HANDLE, ERR_ACCESS (no RIGHT_DUPLICATE or more
 * rights asked for), ERR_NO_MEMORY. */
#define SYS_HANDLE_DUPLICATE (SYS_NATIVE_BASE + 5)
/* Returns (rights << 32) | object type of handle rdi. ERR_BAD_HANDLE. */
#define SYS_HANDLE_INFO (SYS_NATIVE_BASE + 6)
/* Creates a completion queue with rdi submission and rsi completion
 * entries (powers of two, 1..QUEUE_MAX_ENTRIES), maps its rings into the
 * caller and stores their address at user pointer rdx; r10: flags
 * (QUEUE_CREATE_WIDE); returns the handle (all rights but TRANSFER).
 * ERR_INVALID, ERR_FAULT, ERR_NO_MEMORY. */
#define SYS_QUEUE_CREATE (SYS_NATIVE_BASE + 7)
/* Submits up to rsi new entries of queue rdi, then waits until at least
 * rdx completions are in the ring or r10 nanoseconds passed (~0: no
 * limit). Returns the number of entries consumed. ERR_BAD_HANDLE,
 * ERR_WRONG_TYPE, ERR_CORRUPT (ring indices out of range), ERR_TIMED_OUT
 * (only when nothing was submitted), ERR_INVALID (rdx > ring size). */
#define SYS_QUEUE_ENTER (SYS_NATIVE_BASE + 8)

/* Creates an anonymous, demand-zero memory object of rdi bytes (rounded up
 * to pages, at most 64 GiB); returns its handle. ERR_INVALID, ERR_NO_MEMORY. */
#define SYS_MEMORY_CREATE (SYS_NATIVE_BASE + 9)
/* Maps rcx bytes of memory object rsi from byte offset rdx into address
 * space rdi (0: the caller's own) at r8 (with VM_FIXED, else a hint that
 * may be 0) with VM_* flags r9; returns the address. ERR_BAD_HANDLE,
 * ERR_WRONG_TYPE, ERR_ACCESS (the handle lacks RIGHT_MAP, or RIGHT_WRITE /
 * RIGHT_EXEC for VM_WRITE / VM_EXEC), ERR_INVALID (unaligned, zero size,
 * outside user space), ERR_RANGE (past the object's end), ERR_EXISTS
 * (VM_FIXED over a mapping), ERR_NO_SPACE. */
#define SYS_VM_MAP (SYS_NATIVE_BASE + 10)
/* Unmaps [rsi, rsi + rdx) of address space rdi (0: own). Mappings that
 * straddle the range are split. ERR_INVALID, ERR_NOT_FOUND (nothing
 * mapped there). */
#define SYS_VM_UNMAP (SYS_NATIVE_BASE + 11)
/* Sets the VM_READ/WRITE/EXEC protection of [rsi, rsi + rdx) of address
 * space rdi to rcx, within what each mapping was allowed at map time.
 * ERR_INVALID, ERR_NOT_FOUND (a hole in the range), ERR_ACCESS. */
#define SYS_VM_PROTECT (SYS_NATIVE_BASE + 12)

/* Creates a stream: writes its two endpoint handles (all rights) to the
 * user array rdi[2]. ERR_FAULT, ERR_NO_MEMORY. */
#define SYS_STREAM_CREATE (SYS_NATIVE_BASE + 13)

/* Creates a process from the ELF image at rdi (rsi bytes) named by the
 * NUL-terminated string at rdx, with PROCESS_* flags r10; writes its
 * handle (all rights) and its main thread's id to the user array r8[2]
 * (uint64_t). The thread starts with SYS_THREAD_START. ERR_CORRUPT /
 * ERR_NOT_SUPPORTED (bad image), ERR_FAULT, ERR_INVALID, ERR_NO_MEMORY. */
#define SYS_PROCESS_CREATE (SYS_NATIVE_BASE + 14)
/* Starts thread rsi of process rdi (RIGHT_SUPERVISE) with rdi = rdx in
 * the thread. ERR_NOT_FOUND, ERR_BUSY (already started). */
#define SYS_THREAD_START (SYS_NATIVE_BASE + 15)
/* Reads (GET) or writes (SET) the registers of stopped thread rsi of
 * process rdi into/from the struct thread_regs at rdx. ERR_BUSY (not
 * stopped), ERR_NOT_FOUND, ERR_FAULT, ERR_INVALID (SET: rip or fs/gs base
 * outside user space). */
#define SYS_THREAD_REGS_GET (SYS_NATIVE_BASE + 16)
#define SYS_THREAD_REGS_SET (SYS_NATIVE_BASE + 17)
/* Lets stopped thread rsi of process rdi go on; with THREAD_RESUME_RESULT
 * in rdx, rax becomes r10 first (a system call's answer in one call).
 * ERR_BUSY, ERR_NOT_FOUND, ERR_INVALID. */
#define SYS_THREAD_RESUME (SYS_NATIVE_BASE + 18)
/* Ends process rdi with exit code rsi: stopped threads end at once,
 * running ones when they next leave the kernel. */
#define SYS_PROCESS_KILL (SYS_NATIVE_BASE + 19)
/* Copy rcx bytes between address space rdi (a process handle with
 * RIGHT_SUPERVISE; 0: own) at rsi and the caller's buffer at rdx. */
#define SYS_VM_READ (SYS_NATIVE_BASE + 20)
#define SYS_VM_WRITE (SYS_NATIVE_BASE + 21)

/* Creates a thread in process rdi (0: the caller's; else a handle with
 * RIGHT_SUPERVISE) entering user mode at rsi with stack pointer rdx and
 * rdi = r10, and starts it unless r8 has THREAD_CREATE_SUSPENDED;
 * returns its id. ERR_INVALID (addresses
 * outside user space), ERR_NO_MEMORY. */
#define SYS_THREAD_CREATE (SYS_NATIVE_BASE + 22)
/* r8 flag for SYS_THREAD_CREATE: create it stopped; SYS_THREAD_REGS_SET
 * may set all its registers, SYS_THREAD_START lets it go (clone). */
#define THREAD_CREATE_SUSPENDED 0x1
#define THREAD_RESUME_RESULT 0x1
/* If the 32-bit word at rdi still holds esi, sleeps until woken by
 * SYS_FUTEX_WAKE on the same word or rdx ns passed (~0: no limit). The
 * word is named by the memory behind it (memory object and offset), so
 * processes sharing memory share futexes. ERR_WOULD_BLOCK (the value
 * differed), ERR_TIMED_OUT, ERR_FAULT, ERR_INVALID (unaligned). */
#define SYS_FUTEX_WAIT (SYS_NATIVE_BASE + 23)
/* Wakes up to rsi threads waiting on the word at rdi; returns how many. */
#define SYS_FUTEX_WAKE (SYS_NATIVE_BASE + 24)

/* Creates an IRQ object for ISA IRQ rdi (IRQ_ISA in rsi: translated
 * through the ACPI overrides, edge-triggered active-high unless they say
 * otherwise) or global system interrupt rdi (trigger and polarity from
 * IRQ_LEVEL / IRQ_ACTIVE_LOW). Needs the hardware right. Returns the handle
 * (wait, duplicate, transfer). ERR_ACCESS, ERR_RANGE, ERR_BUSY (the line
 * has an object already), ERR_NOT_FOUND (no IOAPIC serves it). */
#define SYS_IRQ_CREATE (SYS_NATIVE_BASE + 25)
/* Unmasks the line of IRQ object rdi after it fired. */
#define SYS_IRQ_ACK (SYS_NATIVE_BASE + 26)
/* Creates an object for I/O ports [rdi, rdi + rsi) (hardware right).
 * Returns the handle. ERR_ACCESS, ERR_RANGE. */
#define SYS_IOPORT_CREATE (SYS_NATIVE_BASE + 27)
/* Lets the calling process use the ports of I/O port object rdi (in/out
 * instructions; other ports fault). ERR_NO_MEMORY. */
#define SYS_IOPORT_ENABLE (SYS_NATIVE_BASE + 28)

/* Creates a physically contiguous, zeroed memory object of rdi bytes (at
 * most 4 MiB) for DMA (hardware right). ERR_ACCESS, ERR_INVALID. */
#define SYS_MEMORY_CREATE_DMA (SYS_NATIVE_BASE + 29)
/* Creates a memory object for device memory [rdi, rdi + rsi) mapped with
 * MEMORY_CACHE_* rdx (hardware right; page aligned). ERR_ACCESS (also
 * when the range overlaps RAM), ERR_INVALID. */
#define SYS_MEMORY_CREATE_PHYS (SYS_NATIVE_BASE + 30)
/* Returns the physical address of byte rsi of a DMA or device memory
 * object rdi (hardware right). ERR_NOT_SUPPORTED for anonymous memory. */
#define SYS_MEMORY_PHYS (SYS_NATIVE_BASE + 31)

/* Creates a process whose memory is a copy-on-write copy of process rdi's
 * (0: the caller's own; else RIGHT_SUPERVISE): private pages are shared
 * until either side writes, memory-object mappings are shared, queue
 * rings are not carried over; no threads (SYS_THREAD_CREATE adds them),
 * no handles. PROCESS_SUPERVISED in rsi. Returns the new process handle. */
#define SYS_PROCESS_FORK (SYS_NATIVE_BASE + 32)

#define MEMORY_CACHE_UC 0
#define MEMORY_CACHE_WC 1
#define MEMORY_CACHE_WB 2

#define IRQ_ISA 0x1
#define IRQ_LEVEL 0x2
#define IRQ_ACTIVE_LOW 0x4

#define VM_READ 0x1
#define VM_WRITE 0x2
#define VM_EXEC 0x4
#define VM_FIXED 0x8

#define SYS_LOG_MAX 1024

/* Linux's ENOSYS, returned (negated) for Linux calls nobody serves. */
#define SYS_LINUX_ENOSYS 38
