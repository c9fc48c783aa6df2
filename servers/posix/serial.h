/*
 * The serial console: a driver for the 16550 UART at COM1 (ports
 * 0x3f8-0x3ff, ISA IRQ 4) under a tty, for /dev/ttyS0 and /dev/console.
 *
 * It runs inside the posix server on the native API: an I/O port object
 * (SYS_IOPORT_CREATE/ENABLE), an IRQ object (SYS_IRQ_CREATE with
 * IRQ_ISA), and one fiber on the server's event loop that waits for the
 * IRQ (QUEUE_OP_IRQ_WAIT through loop_submit), moves every byte the
 * receive FIFO holds into the tty, and acknowledges. Output is written
 * synchronously, polling the transmitter-empty bit and filling the
 * 16-byte FIFO each time; meanwhile received bytes are collected too, so
 * that the FIFO does not overrun. The kernel log writes to COM1 as well
 * (polled, without interrupts); the two outputs may interleave.
 *
 * The UART keeps the line settings the kernel programmed at boot (115200
 * baud 8N1): touching the divisor would race with the kernel's log.
 *
 * The process needs the hardware right.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/error.h>

#include "tty.h"

struct fiber;
struct loop;

/* Received bytes the tty has not taken yet (it refuses input when its
 * buffer is full; they are offered again when it has room). */
#define SERIAL_RX_SIZE 4096u

struct serial {
	struct tty tty;
	struct loop *loop;
	uint16_t base;		/* first I/O port */
	uint32_t ports;		/* handles */
	uint32_t irq;
	uint8_t rx[SERIAL_RX_SIZE];
	size_t rx_len;
	uint64_t rx_dropped;	/* bytes lost: rx full or FIFO overrun */
	bool stopping;		/* serial_fini was called */
	bool loopback;		/* serial_set_loopback(true) */
	bool running;		/* the receive fiber has not ended */
};

/*
 * Sets up COM1 under @s->tty (termios as Linux's serial console:
 * Linux's defaults with B115200 CS8 CREAD HUPCL CLOCAL; @procs is the
 * process layer, see tty.h) and starts the receive fiber on @loop, which
 * runs once loop_run does. Returns ERR_OK; ERR_NOT_FOUND when no UART
 * answers; the errors of SYS_IOPORT_CREATE, SYS_IOPORT_ENABLE,
 * SYS_IRQ_CREATE (ERR_ACCESS without the hardware right, ERR_BUSY when
 * IRQ 4 is taken) and fiber_create. On an error nothing stays behind.
 */
err_t serial_init(struct serial *s, struct loop *loop,
		  const struct tty_proc_ops *procs);

static inline struct tty *serial_tty(struct serial *s)
{
	return &s->tty;
}

/* Stops the driver: interrupts off, the IRQ object closed (the receive
 * fiber then ends). No file may be open on the tty. For tests. */
void serial_fini(struct serial *s);

/* Turns the UART's loopback mode on or off: what is sent comes back as
 * input, and nothing reaches the line (the kernel log neither). For
 * tests. */
void serial_set_loopback(struct serial *s, bool on);
