/*
 * PCI configuration space, for the user processes that own PCI devices
 * (the PCI bus server, drivers, tests): reading and writing a function's
 * configuration space through an access method (legacy ports 0xCF8/0xCFC
 * or ECAM memory), walking its capability lists, programming MSI and
 * MSI-X, sizing BARs and finding functions on the buses.
 *
 * Everything read from a device is treated as hostile: capability
 * pointers into the header or past the space, lists that loop, BAR
 * registers that make no sense and bridges that point back at a bus seen
 * already give ERR_CORRUPT (or are skipped) after a bounded number of
 * reads, never a read outside the space or an endless loop.
 *
 * An access method is not thread-safe (the legacy mechanism is an
 * address/data register pair); callers that share one serialise.
 * Freestanding: no libc, no system calls (the caller obtains the port
 * grant or maps ECAM first), so the host tests run it unchanged.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <keel/error.h>

/* A function's address: bus << 8 | device << 3 | function. */
typedef uint32_t pci_bdf_t;
#define PCI_BDF(bus, dev, fn)                                               \
	((((uint32_t)(bus) & 0xff) << 8) | (((uint32_t)(dev) & 0x1f) << 3) | \
	 ((uint32_t)(fn) & 7))
#define PCI_BDF_BUS(bdf) (((bdf) >> 8) & 0xff)
#define PCI_BDF_DEV(bdf) (((bdf) >> 3) & 0x1f)
#define PCI_BDF_FN(bdf) ((bdf) & 7)

/* Configuration header (types 0 and 1). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_CLASS 0x09		/* 3 bytes: prog-if, subclass, class */
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SECONDARY_BUS 0x19	/* type 1 */
#define PCI_SUBSYSTEM_VENDOR 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_CAP_PTR 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_HEADER_END 0x40	/* capabilities live above */
#define PCI_EXT_CAP_START 0x100

#define PCI_COMMAND_IO 0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_BUS_MASTER 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_CAP_LIST 0x0010
#define PCI_HEADER_TYPE_MASK 0x7f
#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_HEADER_BRIDGE 1

#define PCI_CAP_MSI 0x05
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_EXPRESS 0x10
#define PCI_CAP_MSIX 0x11

#define PCI_CFG_SIZE_LEGACY 256
#define PCI_CFG_SIZE_ECAM 4096
#define PCI_BAR_COUNT 6

struct pci_cfg;

/* A backend: reads or writes @width (1, 2 or 4) bytes at @off of function
 * @bdf. Called only with @off aligned to @width, inside the space, and
 * @bdf on one of the method's buses. */
struct pci_cfg_ops {
	uint32_t (*read)(const struct pci_cfg *cfg, pci_bdf_t bdf,
			 uint16_t off, unsigned width);
	void (*write)(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off,
		      unsigned width, uint32_t value);
};

/* An access method to the configuration spaces of a range of buses. */
struct pci_cfg {
	const struct pci_cfg_ops *ops;
	uint16_t size;		/* bytes per function: 256 or 4096 */
	uint8_t bus_first;
	uint8_t bus_last;
	volatile uint8_t *ecam;	/* ECAM: bus_first's window */
	void *ctx;		/* for other backends */
};

/* ECAM: @base maps the windows of buses @bus_first..@bus_last (1 MiB
 * each), as the ACPI MCFG table describes them. */
void pci_cfg_init_ecam(struct pci_cfg *cfg, volatile void *base,
		       uint8_t bus_first, uint8_t bus_last);
/* Legacy configuration mechanism #1 (ports 0xCF8-0xCFF, which the caller
 * must be allowed to use): 256 bytes per function, buses 0-255. Guest
 * only (port instructions). */
void pci_cfg_init_ports(struct pci_cfg *cfg);

/* Reads at @off of @bdf; all ones (what an absent function reads as) when
 * @off is unaligned or outside the space, or @bdf off the method's
 * buses. */
uint8_t pci_read8(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off);
uint16_t pci_read16(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off);
uint32_t pci_read32(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off);
/* Writes at @off of @bdf; ignored where the reads return all ones. */
void pci_write8(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off,
		uint8_t value);
void pci_write16(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off,
		 uint16_t value);
void pci_write32(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off,
		 uint32_t value);

/* Whether a function answers at @bdf. */
bool pci_is_present(const struct pci_cfg *cfg, pci_bdf_t bdf);
/* Sets the bits of @set and clears those of @clear in the command
 * register; returns the value written. */
uint16_t pci_command_update(const struct pci_cfg *cfg, pci_bdf_t bdf,
			    uint16_t set, uint16_t clear);

/* Position in a capability list (classic or extended). */
struct pci_cap_iter {
	uint16_t offset;	/* the current capability; 0 before the first */
	uint16_t id;		/* its id */
	uint16_t steps;		/* entries visited (bounds a looping list) */
	bool done;
};

static inline void pci_cap_iter_init(struct pci_cap_iter *it)
{
	*it = (struct pci_cap_iter){ 0, 0, 0, false };
}

/* Moves @it to the next entry of the capability list of @bdf (starting
 * at the first). ERR_NOT_FOUND at the end (or when the function has no
 * list), ERR_CORRUPT when a pointer leads into the header, a capability
 * would run past the space, or the list loops (detected after at most 48
 * steps: that many entries fill the space). */
err_t pci_cap_next(const struct pci_cfg *cfg, pci_bdf_t bdf,
		   struct pci_cap_iter *it);
/* The same for the PCI Express extended list (from 0x100; ERR_NOT_FOUND
 * with 256-byte access methods). At most 960 steps. */
err_t pci_ext_cap_next(const struct pci_cfg *cfg, pci_bdf_t bdf,
		       struct pci_cap_iter *it);
/* Offset of the first capability @id of @bdf in @out. Errors as
 * pci_cap_next (ERR_NOT_FOUND: none). */
err_t pci_cap_find(const struct pci_cfg *cfg, pci_bdf_t bdf, uint8_t id,
		   uint16_t *out);
err_t pci_ext_cap_find(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t id,
		       uint16_t *out);

/* An MSI capability. */
struct pci_msi {
	uint16_t offset;	/* of the capability */
	uint16_t control;	/* Message Control as read */
	bool is_64bit;		/* 64-bit Message Address */
	bool has_mask;		/* per-vector mask and pending bits */
	uint8_t vectors_max;	/* Multiple Message Capable: 1..32 */
};
#define PCI_MSI_CONTROL_ENABLE 0x0001
#define PCI_MSI_CONTROL_MME_MASK 0x0070 /* Multiple Message Enable */

/* Reads the MSI capability at @offset of @bdf into @out. ERR_CORRUPT
 * when it is not one or runs past 256 bytes. */
err_t pci_msi_read(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t offset,
		   struct pci_msi *out);
/* Points @msi at @address/@data (one vector, unmasked) and turns it on:
 * the function then signals by writing @data to @address (the pair an
 * MSI IRQ object reports; bus mastering must be on for it to arrive).
 * ERR_RANGE when @address needs 64 bits the capability has not got. */
err_t pci_msi_enable(const struct pci_cfg *cfg, pci_bdf_t bdf,
		     const struct pci_msi *msi, uint64_t address,
		     uint16_t data);
void pci_msi_disable(const struct pci_cfg *cfg, pci_bdf_t bdf,
		     const struct pci_msi *msi);

/* An MSI-X capability: where its table and pending bits live. */
struct pci_msix {
	uint16_t offset;
	uint16_t entries;	/* table size, 1..2048 */
	uint8_t table_bar;
	uint32_t table_offset;	/* in that BAR */
	uint8_t pba_bar;
	uint32_t pba_offset;
};
#define PCI_MSIX_CONTROL_ENABLE 0x8000
#define PCI_MSIX_CONTROL_MASK_ALL 0x4000
#define PCI_MSIX_ENTRY_SIZE 16

/* Reads the MSI-X capability at @offset. ERR_CORRUPT (not one, runs past
 * 256 bytes, a BAR indicator above 5). */
err_t pci_msix_read(const struct pci_cfg *cfg, pci_bdf_t bdf,
		    uint16_t offset, struct pci_msix *out);
/* Sets the enable and function-mask bits of @msix. */
void pci_msix_control(const struct pci_cfg *cfg, pci_bdf_t bdf,
		      const struct pci_msix *msix, bool enable, bool mask_all);
/* Writes table entry @index (of the table mapped at @table) to send
 * @data to @address, masked while it changes and unmasked after.
 * ERR_RANGE (index). */
err_t pci_msix_entry_set(const struct pci_msix *msix, volatile void *table,
			 uint16_t index, uint64_t address, uint32_t data);
/* Masks or unmasks table entry @index. ERR_RANGE. */
err_t pci_msix_entry_mask(const struct pci_msix *msix, volatile void *table,
			  uint16_t index, bool masked);

/* A base address register, decoded and sized. */
struct pci_bar {
	uint64_t address;
	uint64_t size;
	bool is_io;
	bool is_64bit;		/* it took the next BAR slot too */
	bool prefetchable;
};

/* Reads and sizes BAR @index of a type-0 function (writing all ones to
 * it with decoding off, then restoring it). ERR_RANGE (index, or not a
 * type-0 header), ERR_NOT_FOUND (no BAR there), ERR_CORRUPT (a 64-bit
 * BAR in the last slot, or a size mask that is not one). */
err_t pci_bar_read(const struct pci_cfg *cfg, pci_bdf_t bdf, unsigned index,
		   struct pci_bar *out);

/* Calls @fn for every function present on bus 0 and the buses behind
 * its bridges (and, when 00:00.0 is multi-function, the other host
 * bridges' buses), each bus at most once, until @fn returns false. */
void pci_scan(const struct pci_cfg *cfg,
	      bool (*fn)(void *arg, const struct pci_cfg *cfg, pci_bdf_t bdf),
	      void *arg);
/* The first function (in scan order) with @vendor and @device. */
err_t pci_find(const struct pci_cfg *cfg, uint16_t vendor, uint16_t device,
	       pci_bdf_t *out);
