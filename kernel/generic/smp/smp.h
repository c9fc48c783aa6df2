/*
 * Multiprocessor support: starting every CPU the MADT lists, TLB
 * shootdown by IPI, and stopping the other CPUs on panic.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct acpi_info;

/* Starts every enabled CPU of @acpi other than this one; returns the
 * number of CPUs online. Boot CPU, after the scheduler is initialised. */
unsigned smp_start_aps(const struct acpi_info *acpi);
/* Invalidates the TLBs of all CPUs entirely (global pages too). Must not
 * be called with a spinlock held. */
void smp_tlb_flush_all(void);
/* Invalidates [@va, @va + @pages pages) in address space @root on every
 * CPU currently running in it (and this one). Same rule. */
void smp_tlb_shootdown(uint64_t root, uint64_t va, uint64_t pages);
/* Stops every other CPU (panic); safe before SMP start. */
void smp_halt_others(void);
bool smp_is_halting(void);
/* Number of CPUs online. */
unsigned smp_online_count(void);
