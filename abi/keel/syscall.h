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
 * caller and stores their address at user pointer rdx; returns the
 * handle (all rights but TRANSFER). ERR_INVALID, ERR_FAULT, ERR_NO_MEMORY. */
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
 * space rdi (0: the caller's own; else a process handle with
 * RIGHT_SUPERVISE, as for SYS_VM_UNMAP and SYS_VM_PROTECT) at r8 (with VM_FIXED, else a hint that
 * may be 0) with VM_* flags r9; returns the address. ERR_BAD_HANDLE,
 * ERR_WRONG_TYPE, ERR_ACCESS (the handle lacks RIGHT_MAP, or RIGHT_WRITE /
 * RIGHT_EXEC for VM_WRITE / VM_EXEC), ERR_INVALID (unaligned, zero size,
 * outside user space), ERR_RANGE (past the object's end), ERR_EXISTS
 * (VM_FIXED over a mapping), ERR_NO_SPACE.
 * Memory handle 0 (with offset 0) maps private anonymous memory instead:
 * demand-zero, owned by the space (a process copy gets it copy-on-write),
 * any VM_* protection including none at all (Linux's PROT_NONE), and
 * SYS_VM_PROTECT may later grant any protection. */
#define SYS_VM_MAP (SYS_NATIVE_BASE + 10)
/* Unmaps [rsi, rsi + rdx) of address space rdi (0: own). Mappings that
 * straddle the range are split. ERR_INVALID, ERR_NOT_FOUND (nothing
 * mapped there). */
#define SYS_VM_UNMAP (SYS_NATIVE_BASE + 11)
/* Sets the VM_READ/WRITE/EXEC protection of [rsi, rsi + rdx) of address
 * space rdi to rcx (0: no access), within what each mapping was allowed
 * at map time.
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
 * IRQ_LEVEL / IRQ_ACTIVE_LOW). The line goes to CPU rdx with IRQ_CPU in
 * rsi, else to the CPU with the fewest IRQs. Needs the hardware right.
 * Returns the handle (wait, duplicate, transfer). ERR_ACCESS, ERR_RANGE
 * (also: no such CPU), ERR_BUSY (the line has an object already),
 * ERR_NOT_FOUND (no IOAPIC serves it), ERR_NO_SPACE (no free vector). */
#define SYS_IRQ_CREATE (SYS_NATIVE_BASE + 25)
/* Unmasks the line of IRQ object rdi after it fired (an MSI object is
 * never masked: accepted, does nothing). */
#define SYS_IRQ_ACK (SYS_NATIVE_BASE + 26)
/* Creates an IRQ object for a message-signalled interrupt (one MSI or
 * MSI-X vector): a free vector on CPU rsi with IRQ_CPU in rdi, else on
 * the CPU with the fewest IRQs; writes the struct irq_info
 * (abi/keel/irq.h) with the address/data pair for the device to user
 * pointer rdx. Needs the hardware right. Returns the handle (wait,
 * duplicate, transfer). ERR_ACCESS, ERR_INVALID (flags), ERR_RANGE (no
 * such CPU), ERR_NO_SPACE (no free vector), ERR_FAULT, ERR_NO_MEMORY. */
#define SYS_IRQ_CREATE_MSI (SYS_NATIVE_BASE + 38)
/* Writes the struct irq_info of IRQ object rdi (any rights) to user
 * pointer rsi. ERR_BAD_HANDLE, ERR_WRONG_TYPE, ERR_FAULT. */
#define SYS_IRQ_INFO (SYS_NATIVE_BASE + 39)
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

/* Asks thread rsi of process rdi (RIGHT_SUPERVISE, created or forked
 * with PROCESS_SUPERVISED) to stop. Returns 0: it stops before it next
 * runs user code and a SUPERVISE_EVENT_STOP follows, unless it stops
 * first for another event (a Linux call, a fault), which then stands for
 * the request, or ends first (no event). A wait in SYS_QUEUE_ENTER or
 * SYS_FUTEX_WAIT is cut short
 * (ERR_INTERRUPTED, see abi/keel/supervise.h). Returns 1 when the thread
 * is stopped already (an event not yet resumed, or not started): no
 * event follows. ERR_BAD_HANDLE, ERR_WRONG_TYPE, ERR_ACCESS, ERR_INVALID
 * (process not supervised), ERR_NOT_FOUND (no such thread, or it ended),
 * ERR_PEER_CLOSED (the process was killed). */
#define SYS_THREAD_SUSPEND (SYS_NATIVE_BASE + 33)
/* Sets the scheduling priority of thread rsi of process rdi (0: the
 * caller's own; else RIGHT_SUPERVISE) to rdx, in [THREAD_PRIORITY_MIN,
 * THREAD_PRIORITY_MAX]; tid 0 names the calling thread (with rdi = 0).
 * Above THREAD_PRIORITY_DEFAULT needs the hardware right. Higher runs
 * first; equal priorities share a CPU round robin. Returns the previous
 * priority. ERR_INVALID (out of range, tid 0 of another process),
 * ERR_ACCESS, ERR_NOT_FOUND, handle errors. */
#define SYS_THREAD_PRIORITY (SYS_NATIVE_BASE + 34)
/* Restricts thread rsi of process rdi (as for SYS_THREAD_PRIORITY) to
 * the CPUs whose bits are set in rdx (bit n = CPU n, as rdtscp reports
 * it, abi/keel/clock.h). The calling thread moves at once; another
 * thread before it next runs user code (a running one is interrupted to
 * move; a blocked one moves when it wakes). Returns 0. ERR_INVALID (an
 * empty mask, or a bit for a CPU that does not exist), ERR_NOT_FOUND,
 * ERR_ACCESS, handle errors. */
#define SYS_THREAD_AFFINITY (SYS_NATIVE_BASE + 35)
/* Resizes anonymous memory object rdi (RIGHT_WRITE) to rsi bytes
 * (rounded up to pages, 1..64 GiB). Growing adds demand-zero pages;
 * shrinking frees the pages past the new end and unmaps them from every
 * mapping, whose pages past the end then fault as unmapped memory would
 * (a later grow brings zero-filled pages back under the same mapping).
 * Returns 0. ERR_NOT_SUPPORTED (DMA or device memory), ERR_INVALID,
 * ERR_NO_MEMORY, handle errors. */
#define SYS_MEMORY_RESIZE (SYS_NATIVE_BASE + 36)
/* Maps the shared clock page (abi/keel/clock.h) read-only into the
 * caller, once: later calls return the same address. Returns it.
 * ERR_NOT_SUPPORTED (no calibrated clock), ERR_NO_MEMORY, ERR_NO_SPACE. */
#define SYS_CLOCK_PAGE (SYS_NATIVE_BASE + 37)

/* Priorities a process may give its threads (SYS_THREAD_PRIORITY);
 * 0 is the idle threads', above THREAD_PRIORITY_MAX the kernel's own. */
#define THREAD_PRIORITY_MIN 1
#define THREAD_PRIORITY_DEFAULT 16
#define THREAD_PRIORITY_MAX 24
/* Powers the machine off (rdi = SYSTEM_POWER_OFF) or restarts it
 * (SYSTEM_POWER_REBOOT); needs the hardware right. Returns only on
 * failure: ERR_ACCESS, ERR_INVALID, ERR_NOT_SUPPORTED (the firmware
 * offers no way). */
#define SYS_SYSTEM_POWER (SYS_NATIVE_BASE + 48)
#define SYSTEM_POWER_OFF 0
#define SYSTEM_POWER_REBOOT 1

/* Reads (GET) or writes (SET) the x87/SSE/AVX state of stopped thread rsi
 * of process rdi (RIGHT_SUPERVISE) from/to the buffer at rdx of r10
 * bytes: the XSAVE standard-form image (FXSAVE's 512 bytes without
 * XSAVE), as big as the kernel's state (GET returns that size; SET needs
 * exactly it). SET refuses (ERR_INVALID) what would fault on restore:
 * reserved MXCSR bits, components not enabled, the compacted form.
 * ERR_TOO_BIG (GET: buffer too small), ERR_BUSY, ERR_NOT_FOUND, ERR_FAULT. */
#define SYS_THREAD_FPU_GET (SYS_NATIVE_BASE + 49)
#define SYS_THREAD_FPU_SET (SYS_NATIVE_BASE + 50)

/* Writes rsi bytes at rdi to the serial console as they are (a console
 * driver's output, which the kernel log shares: whole lines do not mix
 * with log lines). Hardware right. Returns the bytes written.
 * ERR_ACCESS, ERR_TOO_BIG (more than SYS_CONSOLE_WRITE_MAX), ERR_FAULT. */
#define SYS_CONSOLE_WRITE (SYS_NATIVE_BASE + 51)
#define SYS_CONSOLE_WRITE_MAX 65536

#define MEMORY_CACHE_UC 0
#define MEMORY_CACHE_WC 1
#define MEMORY_CACHE_WB 2

#define IRQ_ISA 0x1
#define IRQ_LEVEL 0x2
#define IRQ_ACTIVE_LOW 0x4
#define IRQ_CPU 0x8 /* SYS_IRQ_CREATE(_MSI): the caller names the CPU */

#define VM_READ 0x1
#define VM_WRITE 0x2
#define VM_EXEC 0x4
#define VM_FIXED 0x8

#define SYS_LOG_MAX 1024

/* Linux's ENOSYS, returned (negated) for Linux calls nobody serves. */
#define SYS_LINUX_ENOSYS 38
