/*
 * The kernel's view of ACPI: the tables parsed once at boot (the pure
 * parser is acpi/tables.c), power-off through the FADT's PM1 control
 * registers with the \_S5 sleep type from the DSDT, and reset through
 * the FADT reset register with the keyboard controller as fallback.
 */
#pragma once

#include <acpi/tables.h>

struct mb2_info;

/* Parses the ACPI tables the boot loader pointed to. Without ACPI (or
 * with broken tables) a single-CPU fallback description is returned. */
const struct acpi_info *acpi_init(const struct mb2_info *boot);
/* The parsed tables (after acpi_init). */
const struct acpi_info *acpi_get(void);
/* Powers the machine off; returns only if that failed. */
void acpi_power_off(void);
/* Resets the machine; returns only if every method failed. */
void acpi_reset(void);
