/*
 * Uses an I/O port it was never granted: the CPU's I/O permission check
 * must fault (general protection) and the kernel kill this process alone
 * (self-test ungranted_io_port_faults).
 */
#include <rt/rt.h>

int main(void);

int main(void)
{
	uint8_t v;

	rt_printf("reading port 0x71 without a grant");
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"((uint16_t)0x71));
	rt_printf("read %u: kernel bug", v);
	return 1;
}
