/*
 * Local APIC (xAPIC, memory-mapped), IOAPICs, the legacy 8259 (masked)
 * and the calibration of the APIC timer and TSC against the HPET (the PIT
 * when there is no HPET).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <keel/error.h>

struct acpi_info;

/* Masks the 8259s, maps the LAPIC and IOAPICs from @acpi, enables the
 * boot CPU's LAPIC, calibrates timers and starts the clock. */
void apic_init(const struct acpi_info *acpi);
/* Enables this (application) CPU's LAPIC and its timer. */
void apic_init_cpu(void);
/* Starts this CPU's timer interrupts (vector TRAP_TIMER). */
void apic_timer_start(void);
void apic_eoi(void);
uint32_t apic_id(void);
/* Fires this CPU's timer once, @ns from now. */
void apic_timer_oneshot(uint64_t ns);
void apic_send_ipi(uint32_t apic_id, uint8_t vector);
void apic_send_ipi_others(uint8_t vector);
void apic_send_nmi_others(void);
void apic_send_init(uint32_t apic_id);
void apic_send_startup(uint32_t apic_id, uint8_t page);

/* Routes global system interrupt @gsi to @vector on the CPU with
 * @apic_id. ERR_NOT_FOUND when no IOAPIC serves @gsi. */
err_t ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest_apic_id,
		   bool level, bool active_low);
err_t ioapic_mask(uint32_t gsi, bool masked);
/* Translates ISA IRQ @irq through the MADT overrides to a GSI with its
 * trigger mode and polarity. */
uint32_t ioapic_isa_gsi(unsigned irq, bool *level, bool *active_low);
