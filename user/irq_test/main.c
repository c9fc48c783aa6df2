/*
 * IRQ and I/O port objects end to end, as a driver would use them: the
 * program (started with the hardware right by a kernel self-test) asks
 * for the RTC's ports (0x70-0x71) and ISA IRQ 8, turns on the RTC's
 * periodic interrupt at 64 Hz, and waits for interrupts on its queue,
 * reading register C and acknowledging each. Each completion must
 * report the CPU the line is routed to: first where the kernel put it
 * (spread over the CPUs), then on the last CPU by request (IRQ_CPU).
 * KTEST lines.
 */
#include <keel/irq.h>
#include <rt/ktest.h>
#include <rt/queue.h>
#include <rt/rt.h>

#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define RTC_NMI_OFF 0x80

int main(void);

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint8_t rtc_read(uint8_t reg)
{
	outb(RTC_INDEX, RTC_NMI_OFF | reg);
	return inb(RTC_DATA);
}

static void rtc_write(uint8_t reg, uint8_t v)
{
	outb(RTC_INDEX, RTC_NMI_OFF | reg);
	outb(RTC_DATA, v);
}

/* Takes @n RTC interrupts on @irq, each reading register C and
 * acknowledging; returns how many arrived reporting @value (the CPU that
 * took it and the GSI). */
static int rtc_ticks(struct rt_queue *q, int64_t irq, int n, uint64_t value)
{
	struct queue_cqe cqe;
	int got = 0;

	rtc_read(0x0c); /* clears a pending flag */
	while (got < n) {
		struct queue_sqe *sqe = rt_queue_sqe(q);

		sqe->op = QUEUE_OP_IRQ_WAIT;
		sqe->handle = (uint32_t)irq;
		rt_queue_commit(q);
		if (rt_queue_enter(q, 1, 1, 2000000000ul) < 0 ||
		    !rt_queue_reap(q, &cqe) || cqe.result < 1 ||
		    cqe.value != value) {
			break;
		}
		got++;
		rtc_read(0x0c); /* the RTC raises the next one only then */
		rt_syscall2(SYS_IRQ_ACK, (uint64_t)irq, 0);
	}
	return got;
}

/* The number of CPUs that take interrupts (MSI objects aimed at each
 * until there is no such CPU). */
static unsigned cpu_count(void)
{
	struct irq_info info;
	unsigned n = 0;
	int64_t h;

	while (n < 64 && (h = rt_syscall6(SYS_IRQ_CREATE_MSI, IRQ_CPU, n,
					  (uint64_t)&info, 0, 0, 0)) > 0) {
		rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)h, 0);
		n++;
	}
	return n;
}

int main(void)
{
	struct rt_queue q;
	struct irq_info info;
	int64_t ports, irq;
	uint64_t t0, elapsed;
	unsigned cpus = cpu_count(), last;
	int got;

	rt_queue_create(&q, 4, 4);
	ports = rt_syscall2(SYS_IOPORT_CREATE, RTC_INDEX, 2);
	ktest_check("irq/ioport_create", ports > 0, "refused");
	ktest_expect("irq/ioport_enable",
		     rt_syscall2(SYS_IOPORT_ENABLE, (uint64_t)ports, 0), 0);
	ktest_expect("irq/ioport_create_out_of_range",
		     rt_syscall2(SYS_IOPORT_CREATE, 0xfff0, 0x20), -ERR_RANGE);
	irq = rt_syscall2(SYS_IRQ_CREATE, 8, IRQ_ISA);
	ktest_check("irq/create", irq > 0, "refused");
	ktest_expect("irq/create_twice", rt_syscall2(SYS_IRQ_CREATE, 8, IRQ_ISA),
		     -ERR_BUSY);
	ktest_expect("irq/create_bad_isa", rt_syscall2(SYS_IRQ_CREATE, 16,
						       IRQ_ISA),
		     -ERR_RANGE);
	ktest_expect("irq/create_bad_gsi",
		     rt_syscall2(SYS_IRQ_CREATE, 1ul << 32, 0), -ERR_RANGE);
	ktest_expect("irq/create_bad_flags",
		     rt_syscall2(SYS_IRQ_CREATE, 8, IRQ_ISA | 0x100),
		     -ERR_INVALID);
	ktest_expect("irq/create_no_such_cpu",
		     rt_syscall6(SYS_IRQ_CREATE, 9, IRQ_ISA | IRQ_CPU, 64, 0, 0,
				 0),
		     -ERR_RANGE);
	ktest_expect("irq/info", rt_syscall2(SYS_IRQ_INFO, (uint64_t)irq,
					     (uint64_t)&info),
		     0);
	ktest_check("irq/info_line",
		    info.type == IRQ_TYPE_LINE && info.gsi == 8 &&
			    info.cpu < cpus && info.vector >= 0x20 &&
			    info.vector < 0xe0 && info.msi_address == 0,
		    "unexpected routing");

	/* RTC: rate 10 (64 Hz) in register A, periodic interrupts on in B. */
	rtc_write(0x0a, (uint8_t)((rtc_read(0x0a) & 0xf0) | 10));
	rtc_write(0x0b, (uint8_t)(rtc_read(0x0b) | 0x40));
	t0 = rt_clock_ns();
	got = rtc_ticks(&q, irq, 8, ((uint64_t)info.cpu << 32) | info.gsi);
	elapsed = rt_clock_ns() - t0;
	ktest_expect("irq/rtc_interrupts", got, 8);
	/* 8 ticks of 64 Hz take ~125 ms; 1 s would mean polling, not IRQs. */
	ktest_check("irq/rtc_rate_plausible", elapsed < 1000000000ul,
		    "far too slow");
	ktest_expect("irq/ack_bad_handle", rt_syscall2(SYS_IRQ_ACK, 0x999, 0),
		     -ERR_BAD_HANDLE);
	ktest_expect("irq/close", rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)irq,
					      0),
		     0);

	/* The line again, on the last CPU by request. */
	last = cpus ? cpus - 1 : 0;
	irq = rt_syscall6(SYS_IRQ_CREATE, 8, IRQ_ISA | IRQ_CPU, last, 0, 0, 0);
	ktest_check("irq/line_free_after_close", irq > 0, "still busy");
	rt_syscall2(SYS_IRQ_INFO, (uint64_t)irq, (uint64_t)&info);
	ktest_expect("irq/routed_to_chosen_cpu", info.cpu, last);
	ktest_expect("irq/rtc_interrupts_on_chosen_cpu",
		     rtc_ticks(&q, irq, 4, ((uint64_t)last << 32) | info.gsi),
		     4);
	rtc_write(0x0b, (uint8_t)(rtc_read(0x0b) & ~0x40));
	rt_printf("irq_test: RTC line on CPU %u of %u; %d failed", last, cpus,
		  ktest_failures());
	return ktest_failures();
}
