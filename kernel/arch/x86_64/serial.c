/*
 * COM1 and port 0xE9 output for the kernel log. Polled: the log lock
 * serialises callers, and nothing here sleeps, so it works in any context
 * including panic.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/serial.h>

#define COM1 0x3f8
#define DEBUGCON 0xe9
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_THRE 0x20

static int serial_present = -1;

void serial_init(void)
{
	cpu_outb(COM1 + UART_IER, 0x00);
	cpu_outb(COM1 + UART_LCR, 0x80);	/* divisor latch */
	cpu_outb(COM1 + 0, 0x01);		/* 115200 baud */
	cpu_outb(COM1 + 1, 0x00);
	cpu_outb(COM1 + UART_LCR, 0x03);	/* 8N1 */
	cpu_outb(COM1 + UART_FCR, 0xc7);	/* FIFOs on, cleared */
	cpu_outb(COM1 + UART_MCR, 0x0b);	/* DTR, RTS, OUT2 */
	/* No UART answers 0xff on its status register. */
	serial_present = cpu_inb(COM1 + UART_LSR) != 0xff;
}

static void serial_putc(char c)
{
	unsigned spins = 0;

	while (!(cpu_inb(COM1 + UART_LSR) & UART_LSR_THRE)) {
		if (++spins > 100000) {
			return; /* stuck UART: drop rather than hang */
		}
		cpu_pause();
	}
	cpu_outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		cpu_outb(DEBUGCON, (uint8_t)s[i]);
		if (serial_present != 1) {
			continue;
		}
		if (s[i] == '\n') {
			serial_putc('\r');
		}
		serial_putc(s[i]);
	}
}

void serial_write_raw(const char *s, size_t len)
{
	if (serial_present != 1) {
		return;
	}
	for (size_t i = 0; i < len; i++) {
		serial_putc(s[i]);
	}
}
