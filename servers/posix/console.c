/*
 * The provisional console (console.h): polled output on COM1 with LF ->
 * CR LF, as the tty's ONLCR would do.
 */
#include <keel/syscall.h>
#include <linux_abi/errno.h>
#include <rt/rt.h>

#include "console.h"
#include "file.h"

#define COM1 0x3f8
#define UART_LSR 5
#define UART_LSR_THRE 0x20

static bool console_ready;

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void put(uint8_t c)
{
	for (int spin = 0; spin < 100000; spin++) {
		if (inb(COM1 + UART_LSR) & UART_LSR_THRE) {
			break;
		}
	}
	outb(COM1, c);
}

int console_init(void)
{
	int64_t h = rt_syscall2(SYS_IOPORT_CREATE, COM1, 8);

	if (h < 0 || rt_syscall2(SYS_IOPORT_ENABLE, (uint64_t)h, 0) < 0) {
		return -LINUX_EPERM;
	}
	console_ready = true;
	return 0;
}

static int64_t console_read(struct file *f, void *buf, size_t len,
			    uint64_t *pos)
{
	(void)f, (void)buf, (void)len, (void)pos;
	return 0;
}

static int64_t console_write(struct file *f, const void *buf, size_t len,
			     uint64_t *pos)
{
	const uint8_t *b = buf;

	(void)f, (void)pos;
	if (!console_ready) {
		return -LINUX_EIO;
	}
	for (size_t i = 0; i < len; i++) {
		if (b[i] == '\n') {
			put('\r');
		}
		put(b[i]);
	}
	return (int64_t)len;
}

static const struct file_ops console_ops = {
	.read = console_read,
	.write = console_write,
};

struct file *console_open(void)
{
	return file_create(&console_ops, 2 /* O_RDWR */, NULL);
}
