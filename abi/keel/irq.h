/*
 * IRQ objects (kernel <-> user contract): where an IRQ object's interrupt
 * is delivered, as SYS_IRQ_CREATE_MSI and SYS_IRQ_INFO report it.
 *
 * Every IRQ object owns one vector on one CPU. For an IOAPIC line the
 * kernel programs the IOAPIC; for a message-signalled interrupt (MSI or
 * one MSI-X table entry) the driver writes msi_address and msi_data into
 * its device itself (MSI capability or MSI-X table), through the config
 * space and BAR it holds. The pair is only good while the object lives:
 * once its last handle is closed the vector goes to someone else, so a
 * driver disables the device's MSI before closing it.
 */
#pragma once

#include <stdint.h>

#define IRQ_TYPE_LINE 1 /* an IOAPIC input (SYS_IRQ_CREATE) */
#define IRQ_TYPE_MSI 2	/* a message-signalled interrupt */

struct irq_info {
	uint32_t type;	       /* IRQ_TYPE_* */
	uint32_t cpu;	       /* CPU number that takes it (0: boot CPU) */
	uint32_t vector;       /* its vector on that CPU */
	uint32_t gsi;	       /* IRQ_TYPE_LINE: the global system interrupt */
	uint64_t msi_address;  /* IRQ_TYPE_MSI: Message Address (64 bits;
				* the upper half is 0 on x86) */
	uint32_t msi_data;     /* IRQ_TYPE_MSI: Message Data (16 bits used) */
	uint32_t reserved;     /* 0 */
};
_Static_assert(sizeof(struct irq_info) == 32, "irq_info layout");
