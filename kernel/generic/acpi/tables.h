/*
 * ACPI table parsing, pure: from the RSDP through the XSDT (or RSDT) to
 * the MADT (CPUs, IOAPICs, interrupt source overrides, NMIs), the FADT
 * (PM1 control, SMI command, reset register, boot flags, DSDT), the HPET
 * and the MCFG, plus the \_S5 sleep type found in the DSDT's AML.
 *
 * Physical memory is reached only through the caller's acpi_map_fn, and
 * every byte read is bounds-checked against what was mapped: a table with
 * a bad checksum, a length below its header, or a range that cannot be
 * mapped is skipped and counted in bad_tables; entries that do not fit the
 * fixed arrays are counted as dropped. All multi-byte fields are read byte
 * by byte (ACPI tables are packed and often misaligned).
 *
 * Entry points: acpi_parse, acpi_aml_find_s5.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/error.h>

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_ISOS 24
#define ACPI_MAX_NMIS 16
#define ACPI_MAX_MCFG 16

/* Generic Address Structure address spaces. */
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
#define ACPI_GAS_PCI_CONFIG 2

/* MPS INTI flags of interrupt source overrides and NMI entries. */
#define ACPI_INTI_POLARITY_MASK 0x3
#define ACPI_INTI_POLARITY_BUS 0x0 /* conforms to the bus (ISA: high) */
#define ACPI_INTI_POLARITY_HIGH 0x1
#define ACPI_INTI_POLARITY_LOW 0x3
#define ACPI_INTI_TRIGGER_MASK 0xc
#define ACPI_INTI_TRIGGER_BUS 0x0 /* conforms to the bus (ISA: edge) */
#define ACPI_INTI_TRIGGER_EDGE 0x4
#define ACPI_INTI_TRIGGER_LEVEL 0xc

/* FADT fixed feature flags and IA-PC boot architecture flags. */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_TMR_VAL_EXT (1u << 8)
#define ACPI_BOOT_LEGACY_DEVICES (1u << 0)
#define ACPI_BOOT_8042 (1u << 1)
#define ACPI_BOOT_VGA_NOT_PRESENT (1u << 2)
#define ACPI_BOOT_MSI_NOT_SUPPORTED (1u << 3)
#define ACPI_BOOT_CMOS_RTC_NOT_PRESENT (1u << 5)

/* An NMI entry that applies to every processor. */
#define ACPI_NMI_ALL_CPUS 0xffffffffu

/*
 * Maps @len bytes of physical memory at @phys for reading and returns
 * where they are, or NULL if that range is not readable. Every mapping
 * must stay valid until acpi_parse returns.
 */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t phys, size_t len);

struct acpi_gas {
	uint8_t space; /* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};

/* A processor from a Local APIC (type 0) or Local x2APIC (type 9) entry. */
struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid; /* ACPI processor UID, what NMI entries refer to */
	bool enabled;
	bool online_capable; /* disabled now, may be brought up later */
	bool x2apic;         /* came from an x2APIC entry */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;
};

/* Interrupt source override: ISA IRQ @source is GSI @gsi. */
struct acpi_iso {
	uint8_t bus; /* 0: ISA */
	uint8_t source;
	uint32_t gsi;
	uint16_t flags; /* ACPI_INTI_* */
};

/* Local APIC NMI (type 4) or local x2APIC NMI (type 0xa). */
struct acpi_nmi {
	uint32_t uid;   /* processor UID, or ACPI_NMI_ALL_CPUS */
	uint16_t flags; /* ACPI_INTI_* */
	uint8_t lint;   /* LINT0 or LINT1 */
};

/* One ECAM window of PCI configuration space. */
struct acpi_mcfg {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
};

struct acpi_info {
	/* Root. */
	uint8_t rsdp_revision;
	bool uses_xsdt;
	unsigned table_count; /* entries in the XSDT/RSDT */
	unsigned bad_tables;  /* skipped: unmappable, too short, checksum */

	/* MADT. */
	bool has_madt;
	uint64_t lapic_address; /* the 64-bit override (type 5) if given */
	uint32_t madt_flags;    /* bit 0: dual 8259s present */
	unsigned cpu_count;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned iso_count;
	struct acpi_iso isos[ACPI_MAX_ISOS];
	unsigned nmi_count;
	struct acpi_nmi nmis[ACPI_MAX_NMIS];
	unsigned cpus_dropped;  /* usable CPUs beyond ACPI_MAX_CPUS */
	unsigned madt_dropped;  /* other entries beyond their array */
	unsigned madt_bad_entries; /* too short, or the walk had to stop */

	/* FADT. Port fields hold the X_ variant's address when it is
	 * nonzero, with its address space; else the 32-bit block (I/O). */
	bool has_fadt;
	uint8_t fadt_revision;
	uint32_t fadt_flags;
	uint64_t pm1a_cnt;
	uint64_t pm1b_cnt;
	uint8_t pm1a_cnt_space;
	uint8_t pm1b_cnt_space;
	uint8_t pm1_cnt_len;
	uint64_t pm_tmr;
	uint8_t pm_tmr_space;
	uint8_t pm_tmr_len;
	bool pm_tmr_32bit; /* TMR_VAL_EXT */
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint16_t sci_int;
	uint8_t century; /* CMOS index of the century, 0 if none */
	bool reset_supported; /* RESET_REG_SUP and FADT revision >= 2 */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint64_t dsdt_address; /* X_DSDT when nonzero */
	uint16_t iapc_boot_arch; /* ACPI_BOOT_*; 0 before FADT revision 2 */
	bool has_8042;        /* also true when the FADT predates the flag */
	bool vga_not_present;

	/* DSDT: \_S5 sleep type values for PM1a/PM1b SLP_TYP. */
	bool has_s5;
	uint8_t s5_typa;
	uint8_t s5_typb;

	/* HPET (only a memory-space base is accepted). */
	bool has_hpet;
	uint64_t hpet_address;
	uint32_t hpet_block_id; /* event timer block id */
	uint16_t hpet_min_tick;
	uint8_t hpet_number;

	/* MCFG. */
	unsigned mcfg_count;
	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];
	unsigned mcfg_dropped;
};

/*
 * Parses the ACPI tables reached from the RSDP at @rsdp (@rsdp_len bytes,
 * already in memory) through @map into *@out, which is cleared first.
 * Bad tables are skipped and counted, not fatal. Returns ERR_INVALID for
 * a missing argument or an RSDP shorter than 20 bytes, ERR_CORRUPT for a
 * wrong signature or when neither XSDT nor RSDT is usable, ERR_CHECKSUM
 * when an RSDP checksum fails.
 */
err_t acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map,
		 void *ctx, struct acpi_info *out);

/*
 * Finds Name(_S5_, Package(){a, b, ...}) in the AML byte code at @aml
 * (@len bytes, the DSDT without its header) and stores the first two
 * package elements in *@slp_typa and *@slp_typb (their low bytes; a
 * one-element package holds both, typa in bits 0-7 and typb in 8-15).
 * Returns ERR_NOT_FOUND if there is no such object, ERR_CORRUPT if it is
 * truncated or its elements are not integers. Never reads past @len.
 */
err_t acpi_aml_find_s5(const void *aml, size_t len, uint8_t *slp_typa,
		       uint8_t *slp_typb);
