/*
 * The kernel's byte sinks: the 16550 UART at COM1 (polled, 115200 8N1)
 * and QEMU's debug console on port 0xE9. Output only; the console driver
 * for input lives in user space.
 */
#pragma once

#include <stddef.h>

/* Programs COM1; safe to call more than once. */
void serial_init(void);
/* Writes @len bytes to COM1 (CRLF for LF) and to port 0xE9. */
void serial_write(const char *s, size_t len);
/* Bytes to COM1 as they are (no CR before LF, nothing to the debug
 * console): a user-space console driver's output. */
void serial_write_raw(const char *s, size_t len);
