/*
 * Kernel log and panic. Lines are formatted on the stack (no allocation)
 * and written under one spinlock so lines from different CPUs do not mix.
 * panic() takes the lock by force after a while, since the CPU holding it
 * may be the one that crashed.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/serial.h>
#include <arch/x86_64/trap.h>
#include <base/fmt.h>
#include <log/log.h>
#include <log/log_format.h>
#include <smp/percpu.h>
#include <smp/smp.h>
#include <sync/spinlock.h>
#include <keel/syscall.h>
#include <syscall/syscall.h>
#include <time/clock.h>
#include <user/process.h>
#include <user/uaccess.h>

#define LOG_LINE_MAX 512

extern const uint64_t ksyms_count;
extern const struct {
	uint64_t addr;
	uint64_t name_off;
} ksyms_table[];
extern const char ksyms_names[];
extern char kernel_text_start[], kernel_text_end[];

#define LOG_CONSOLE_CHUNK 1024

static struct spinlock log_lock = SPINLOCK_INIT;
static volatile int log_panicking;

/* Set by the command line: a panic ends QEMU through isa-debug-exit. */
int log_panic_exit_code;

void log_vmsg(const char *subsys, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t len = log_format_line(line, sizeof(line), clock_ns(), subsys,
				     fmt, ap);

	spin_lock(&log_lock);
	serial_write(line, len);
	spin_unlock(&log_lock);
}

void log_msg(const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(subsys, fmt, ap);
	va_end(ap);
}

void log_raw(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(line)) {
		len = sizeof(line) - 1;
	}
	spin_lock(&log_lock);
	serial_write(line, (size_t)len);
	spin_unlock(&log_lock);
}

const char *log_symbolize(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;

	if (hi == 0 || addr < ksyms_table[0].addr ||
	    addr >= (uint64_t)kernel_text_end) {
		return NULL;
	}
	while (hi - lo > 1) { /* last entry with addr <= @addr */
		uint64_t mid = (lo + hi) / 2;

		if (ksyms_table[mid].addr <= addr) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	*offset = addr - ksyms_table[lo].addr;
	return ksyms_names + ksyms_table[lo].name_off;
}

/* Writes directly, for panic (the log lock may be lost). */
static void panic_print(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(line)) {
		len = sizeof(line) - 1;
	}
	serial_write(line, (size_t)len);
}

static bool log_is_kernel_addr(uint64_t a)
{
	return a >= 0xffff800000000000ul && (a & 7) == 0;
}

static void backtrace_print(uint64_t rbp, void (*print)(const char *, ...))
{
	for (int depth = 0; depth < 24 && log_is_kernel_addr(rbp); depth++) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t ret = frame[1], off = 0;
		const char *name = log_symbolize(ret, &off);

		if (!ret) {
			break;
		}
		if (name) {
			print("  #%d %016lx %s+0x%lx\n", depth, ret, name, off);
		} else {
			print("  #%d %016lx ?\n", depth, ret);
		}
		if (frame[0] <= rbp) {
			break; /* frames grow upwards; anything else is junk */
		}
		rbp = frame[0];
	}
}

void log_backtrace(uint64_t rbp)
{
	backtrace_print(rbp, log_raw);
}

static void panic_dump_frame(const struct trap_frame *f)
{
	uint64_t off = 0;
	const char *name = log_symbolize(f->rip, &off);

	panic_print("  vector %lu error %#lx cr2 %016lx\n", f->vector, f->error,
		    cpu_read_cr2());
	panic_print("  rip %016lx %s+0x%lx cs %lx rflags %lx\n", f->rip,
		    name ? name : "?", off, f->cs, f->rflags);
	panic_print("  rsp %016lx ss %lx rbp %016lx\n", f->rsp, f->ss, f->rbp);
	panic_print("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax,
		    f->rbx, f->rcx, f->rdx);
	panic_print("  rsi %016lx rdi %016lx r8  %016lx r9  %016lx\n", f->rsi,
		    f->rdi, f->r8, f->r9);
	panic_print("  r10 %016lx r11 %016lx r12 %016lx r13 %016lx\n", f->r10,
		    f->r11, f->r12, f->r13);
	panic_print("  r14 %016lx r15 %016lx cr3 %016lx\n", f->r14, f->r15,
		    cpu_read_cr3());
}

static _Noreturn void panic_common(const struct trap_frame *frame,
				   const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];

	cpu_irq_disable();
	if (__atomic_exchange_n(&log_panicking, 1, __ATOMIC_ACQ_REL)) {
		for (;;) { /* another CPU is already panicking */
			cpu_halt();
		}
	}
	smp_halt_others();
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	panic_print("\nPANIC on cpu %u: %s\n", percpu_id(), msg);
	if (frame) {
		panic_dump_frame(frame);
		panic_print("backtrace:\n");
		panic_print("  #-1 %016lx (faulting rip)\n", frame->rip);
		backtrace_print(frame->rbp, panic_print);
	} else {
		uint64_t rbp;

		__asm__ volatile("movq %%rbp, %0" : "=r"(rbp));
		panic_print("backtrace:\n");
		backtrace_print(rbp, panic_print);
	}
	if (log_panic_exit_code) {
		cpu_outb(0xf4, (uint8_t)log_panic_exit_code);
	}
	for (;;) {
		cpu_halt();
	}
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_common(NULL, fmt, ap);
}

void panic_frame(const struct trap_frame *frame, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_common(frame, fmt, ap);
}

int64_t sys_console_write(SYSCALL_ARGS)
{
	char buf[LOG_CONSOLE_CHUNK];

	if (!process_current()->hw_access) {
		return -(int64_t)ERR_ACCESS;
	}
	if (a1 > SYS_CONSOLE_WRITE_MAX) {
		return -(int64_t)ERR_TOO_BIG;
	}
	if (!uaccess_range_ok(a0, a1)) {
		return -(int64_t)ERR_FAULT;
	}
	/* Whole chunks under the log's lock: a line a program writes at
	 * once does not mix with kernel log lines. */
	for (uint64_t done = 0; done < a1;) {
		size_t n = a1 - done < sizeof(buf) ? a1 - done : sizeof(buf);
		err_t err = uaccess_copy_in(buf, a0 + done, n);

		if (err) {
			return done ? (int64_t)done : -(int64_t)err;
		}
		spin_lock(&log_lock);
		serial_write_raw(buf, n);
		spin_unlock(&log_lock);
		done += n;
	}
	return (int64_t)a1;
}
