/*
 * IRQ and I/O port objects end to end, as a driver would use them: the
 * program (started with the hardware right by a kernel self-test) asks
 * for the RTC's ports (0x70-0x71) and ISA IRQ 8, turns on the RTC's
 * periodic interrupt at 64 Hz, and waits for interrupts on its queue,
 * reading register C and acknowledging each. KTEST lines.
 */
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

int main(void)
{
	struct rt_queue q;
	struct queue_cqe cqe;
	int64_t ports, irq;
	uint64_t t0, elapsed;
	int got = 0;

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

	/* RTC: rate 10 (64 Hz) in register A, periodic interrupts on in B. */
	rtc_write(0x0a, (uint8_t)((rtc_read(0x0a) & 0xf0) | 10));
	rtc_write(0x0b, (uint8_t)(rtc_read(0x0b) | 0x40));
	rtc_read(0x0c); /* clears a pending flag */
	t0 = rt_clock_ns();
	while (got < 8) {
		struct queue_sqe *sqe = rt_queue_sqe(&q);

		sqe->op = QUEUE_OP_IRQ_WAIT;
		sqe->handle = (uint32_t)irq;
		rt_queue_commit(&q);
		if (rt_queue_enter(&q, 1, 1, 2000000000ul) < 0 ||
		    !rt_queue_reap(&q, &cqe) || cqe.result < 1) {
			break;
		}
		got++;
		rtc_read(0x0c); /* the RTC raises the next one only then */
		rt_syscall2(SYS_IRQ_ACK, (uint64_t)irq, 0);
	}
	elapsed = rt_clock_ns() - t0;
	rtc_write(0x0b, (uint8_t)(rtc_read(0x0b) & ~0x40));
	ktest_expect("irq/rtc_interrupts", got, 8);
	/* 8 ticks of 64 Hz take ~125 ms; 1 s would mean polling, not IRQs. */
	ktest_check("irq/rtc_rate_plausible", elapsed < 1000000000ul,
		    "far too slow");
	ktest_expect("irq/ack_bad_handle", rt_syscall2(SYS_IRQ_ACK, 0x999, 0),
		     -ERR_BAD_HANDLE);
	ktest_expect("irq/close", rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)irq,
					      0),
		     0);
	irq = rt_syscall2(SYS_IRQ_CREATE, 8, IRQ_ISA);
	ktest_check("irq/line_free_after_close", irq > 0, "still busy");
	rt_printf("irq_test: %d failed", ktest_failures());
	return ktest_failures();
}
