/*
 * The COM1 driver (see serial.h). The receive fiber owns interrupt
 * handling; tty output (serial_write) runs on whatever fiber writes.
 * Fibers do not preempt each other, so the two never interleave inside
 * a register access sequence; the kernel's log writes only THR after
 * polling LSR, which our accesses do not disturb.
 *
 * Interrupts: ISA IRQ 4 is edge-triggered, and the kernel keeps the
 * line masked from the moment it fires until SYS_IRQ_ACK. A byte that
 * arrives while the line is masked raises no new edge after the
 * acknowledgement (the UART's interrupt output is already high), so
 * after each acknowledgement the fiber looks at the UART again and only
 * waits once it has found the receive FIFO empty.
 */
#include "serial.h"

#include <base/string.h>
#include <fiber/fiber.h>
#include <fiber/loop.h>
#include <keel/queue.h>
#include <keel/syscall.h>
#include <rt/rt.h>

#define COM1_BASE 0x3f8
#define COM1_IRQ 4
#define COM1_PORTS 8

/* 16550 registers (offsets from the base) and bits. */
#define UART_RBR 0		/* receive buffer (read) */
#define UART_THR 0		/* transmit holding (write) */
#define UART_IER 1		/* interrupt enable */
#define UART_IER_RDI 0x01	/* received data available */
#define UART_IIR 2		/* interrupt identification (read) */
#define UART_FCR 2		/* FIFO control (write) */
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02	/* trigger level bits 00: 1 byte */
#define UART_MCR 4		/* modem control */
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT2 0x08	/* gates the interrupt line on PCs */
#define UART_MCR_LOOP 0x10
#define UART_LSR 5		/* line status */
#define UART_LSR_DR 0x01	/* a byte is waiting */
#define UART_LSR_OE 0x02	/* overrun: a byte was lost */
#define UART_LSR_THRE 0x20	/* transmit FIFO empty */
#define UART_MSR 6		/* modem status */

#define UART_TX_FIFO 16
/* LSR polls before a transmitter that never empties is given up on. */
#define UART_TX_SPINS 1000000

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

static uint8_t reg_read(struct serial *s, unsigned reg)
{
	return inb((uint16_t)(s->base + reg));
}

static void reg_write(struct serial *s, unsigned reg, uint8_t v)
{
	outb((uint16_t)(s->base + reg), v);
}

/* Moves what the receive FIFO holds into s->rx. Returns whether there
 * was anything. */
static bool drain_fifo(struct serial *s)
{
	bool got = false;

	for (;;) {
		uint8_t lsr = reg_read(s, UART_LSR);
		uint8_t c;

		if (lsr & UART_LSR_OE) {
			s->rx_dropped++;
		}
		if (!(lsr & UART_LSR_DR)) {
			return got;
		}
		c = reg_read(s, UART_RBR);
		got = true;
		if (s->rx_len == sizeof(s->rx)) {
			s->rx_dropped++;
		} else {
			s->rx[s->rx_len++] = c;
		}
	}
}

/* Offers s->rx to the tty; keeps what it refuses. */
static void feed_tty(struct serial *s)
{
	size_t n;

	if (!s->rx_len) {
		return;
	}
	if (!(tty_termios(&s->tty)->c_cflag & LINUX_CREAD)) {
		s->rx_len = 0;	/* receiver off: input is ignored */
		return;
	}
	n = tty_receive(&s->tty, s->rx, s->rx_len);
	memmove(s->rx, s->rx + n, s->rx_len - n);
	s->rx_len -= n;
}

static void rx_fiber(void *arg)
{
	struct serial *s = arg;

	while (!s->stopping) {
		struct queue_sqe sqe = {
			.op = QUEUE_OP_IRQ_WAIT,
			.handle = s->irq,
		};
		int64_t r = loop_submit(s->loop, &sqe, NULL);

		if (r < 0 || s->stopping) {
			break;
		}
		/* Read, acknowledge, and look again (see the top). */
		do {
			drain_fifo(s);
			feed_tty(s);
			rt_syscall2(SYS_IRQ_ACK, s->irq, 0);
		} while (reg_read(s, UART_LSR) & UART_LSR_DR);
		/* The line-status and modem interrupts are off; reading IIR
		 * clears a stale transmitter-empty indication. */
		reg_read(s, UART_IIR);
	}
	s->running = false;
}

/* tty device operations */

static size_t serial_write_room(struct tty *t)
{
	/* serial_write sends synchronously: any amount. */
	return 4096;
}

static void serial_write(struct tty *t, const uint8_t *buf, size_t len)
{
	struct serial *s = tty_dev_priv(t);
	size_t i = 0;

	/* Through the kernel, which also logs to this UART: what a program
	 * writes at once stays together rather than mixing with log lines
	 * byte by byte. In loopback our own output comes back and must be
	 * drained as it goes, so then we drive the UART ourselves. */
	if (!s->loopback &&
	    rt_syscall2(SYS_CONSOLE_WRITE, (uint64_t)buf, len) ==
		    (int64_t)len) {
		return;
	}
	while (i < len) {
		unsigned spins = 0;
		unsigned n;

		while (!(reg_read(s, UART_LSR) & UART_LSR_THRE)) {
			if (++spins == UART_TX_SPINS) {
				return;	/* a dead UART: drop the output */
			}
		}
		for (n = 0; n < UART_TX_FIFO && i < len; n++) {
			reg_write(s, UART_THR, buf[i++]);
		}
		/* Input keeps arriving while we send (in loopback mode,
		 * our own output): keep the 16-byte FIFO from overrunning.
		 * The receive fiber passes it on (the bytes raised its
		 * interrupt). */
		drain_fifo(s);
	}
}

static void serial_unthrottle(struct tty *t)
{
	feed_tty(tty_dev_priv(t));
}

static const struct tty_dev_ops serial_dev_ops = {
	.write_room = serial_write_room,
	.write = serial_write,
	.unthrottle = serial_unthrottle,
};

static void close_handle(uint32_t h)
{
	rt_syscall2(SYS_HANDLE_CLOSE, h, 0);
}

err_t serial_init(struct serial *s, struct loop *loop,
		  const struct tty_proc_ops *procs)
{
	struct linux_termios t;
	int64_t r;
	err_t err;

	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->base = COM1_BASE;
	r = rt_syscall2(SYS_IOPORT_CREATE, COM1_BASE, COM1_PORTS);
	if (r < 0) {
		return (err_t)-r;
	}
	s->ports = (uint32_t)r;
	r = rt_syscall2(SYS_IOPORT_ENABLE, s->ports, 0);
	if (r < 0) {
		err = (err_t)-r;
		goto out_close_ports;
	}
	if (reg_read(s, UART_LSR) == 0xff) {
		err = ERR_NOT_FOUND;	/* nothing answers on the bus */
		goto out_close_ports;
	}
	r = rt_syscall2(SYS_IRQ_CREATE, COM1_IRQ, IRQ_ISA);
	if (r < 0) {
		err = (err_t)-r;
		goto out_close_ports;
	}
	s->irq = (uint32_t)r;

	tty_init(&s->tty, &serial_dev_ops, s, procs);
	t = *tty_termios(&s->tty);
	t.c_cflag = LINUX_B115200 | LINUX_CS8 | LINUX_CREAD | LINUX_HUPCL |
		    LINUX_CLOCAL;
	tty_set_termios(&s->tty, &t);

	s->running = true;
	err = fiber_create(NULL, rx_fiber, s, 0);
	if (err) {
		s->running = false;
		goto out_close_irq;
	}
	/* FIFOs on (receive FIFO emptied; the transmit FIFO may hold the
	 * kernel's log), interrupt on every byte, the interrupt line gated
	 * through. Stale status is read away. */
	reg_write(s, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
	reg_write(s, UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	reg_read(s, UART_LSR);
	reg_read(s, UART_MSR);
	reg_read(s, UART_IIR);
	reg_write(s, UART_IER, UART_IER_RDI);
	return ERR_OK;

out_close_irq:
	tty_fini(&s->tty);
	close_handle(s->irq);
out_close_ports:
	close_handle(s->ports);
	return err;
}

void serial_fini(struct serial *s)
{
	s->stopping = true;
	reg_write(s, UART_IER, 0);
	/* Completes the pending IRQ wait with ERR_CANCELLED; the fiber
	 * then ends without touching the UART. */
	close_handle(s->irq);
	close_handle(s->ports);
	tty_fini(&s->tty);
}

void serial_set_loopback(struct serial *s, bool on)
{
	uint8_t mcr = UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2;

	reg_write(s, UART_MCR, on ? (uint8_t)(mcr | UART_MCR_LOOP) : mcr);
	s->loopback = on;
}
