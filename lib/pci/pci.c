/*
 * PCI configuration space helpers (see pci.h): bounded accessors over an
 * access method, the ECAM backend, capability list walks, MSI and MSI-X
 * programming, BAR sizing and the bus scan.
 *
 * Every loop here is bounded by the size of what it walks (48 classic
 * capabilities, 960 extended ones, 256 buses each scanned once), whatever
 * the device says.
 */
#include <pci/pci.h>

#define PCI_CAP_STEPS_MAX ((PCI_CFG_SIZE_LEGACY - PCI_HEADER_END) / 4)
#define PCI_EXT_CAP_STEPS_MAX ((PCI_CFG_SIZE_ECAM - PCI_EXT_CAP_START) / 4)

#define PCI_MSI_CONTROL_64BIT 0x0080
#define PCI_MSI_CONTROL_MASKABLE 0x0100
#define PCI_MSIX_CONTROL_SIZE_MASK 0x07ff
#define PCI_MSIX_ENTRY_CONTROL_MASKED 0x1

/* Whether @width bytes at @off of @bdf are inside what @cfg reaches. */
static bool pci_access_ok(const struct pci_cfg *cfg, pci_bdf_t bdf,
			  uint16_t off, unsigned width)
{
	uint32_t bus = PCI_BDF_BUS(bdf);

	return bdf <= 0xffff && (off & (width - 1)) == 0 &&
	       (uint32_t)off + width <= cfg->size && bus >= cfg->bus_first &&
	       bus <= cfg->bus_last;
}

static uint32_t pci_read(const struct pci_cfg *cfg, pci_bdf_t bdf,
			 uint16_t off, unsigned width)
{
	if (!pci_access_ok(cfg, bdf, off, width)) {
		return width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
	}
	return cfg->ops->read(cfg, bdf, off, width);
}

static void pci_write(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off,
		      unsigned width, uint32_t value)
{
	if (pci_access_ok(cfg, bdf, off, width)) {
		cfg->ops->write(cfg, bdf, off, width, value);
	}
}

uint8_t pci_read8(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off)
{
	return (uint8_t)pci_read(cfg, bdf, off, 1);
}

uint16_t pci_read16(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off)
{
	return (uint16_t)pci_read(cfg, bdf, off, 2);
}

uint32_t pci_read32(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off)
{
	return pci_read(cfg, bdf, off, 4);
}

void pci_write8(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off,
		uint8_t value)
{
	pci_write(cfg, bdf, off, 1, value);
}

void pci_write16(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off,
		 uint16_t value)
{
	pci_write(cfg, bdf, off, 2, value);
}

void pci_write32(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t off,
		 uint32_t value)
{
	pci_write(cfg, bdf, off, 4, value);
}

/* ECAM: one 4 KiB window per function, 1 MiB per bus. */
static volatile uint8_t *pci_ecam_at(const struct pci_cfg *cfg,
				     pci_bdf_t bdf, uint16_t off)
{
	uint64_t bus = PCI_BDF_BUS(bdf) - cfg->bus_first;

	return cfg->ecam + (bus << 20) + ((uint64_t)(bdf & 0xff) << 12) + off;
}

static uint32_t pci_ecam_read(const struct pci_cfg *cfg, pci_bdf_t bdf,
			      uint16_t off, unsigned width)
{
	volatile uint8_t *p = pci_ecam_at(cfg, bdf, off);

	if (width == 1) {
		return *p;
	}
	if (width == 2) {
		return *(volatile uint16_t *)p;
	}
	return *(volatile uint32_t *)p;
}

static void pci_ecam_write(const struct pci_cfg *cfg, pci_bdf_t bdf,
			   uint16_t off, unsigned width, uint32_t value)
{
	volatile uint8_t *p = pci_ecam_at(cfg, bdf, off);

	if (width == 1) {
		*p = (uint8_t)value;
	} else if (width == 2) {
		*(volatile uint16_t *)p = (uint16_t)value;
	} else {
		*(volatile uint32_t *)p = value;
	}
}

static const struct pci_cfg_ops pci_ecam_ops = {
	.read = pci_ecam_read,
	.write = pci_ecam_write,
};

void pci_cfg_init_ecam(struct pci_cfg *cfg, volatile void *base,
		       uint8_t bus_first, uint8_t bus_last)
{
	*cfg = (struct pci_cfg){
		.ops = &pci_ecam_ops,
		.size = PCI_CFG_SIZE_ECAM,
		.bus_first = bus_first,
		.bus_last = bus_last < bus_first ? bus_first : bus_last,
		.ecam = base,
	};
}

bool pci_is_present(const struct pci_cfg *cfg, pci_bdf_t bdf)
{
	uint16_t vendor = pci_read16(cfg, bdf, PCI_VENDOR_ID);

	return vendor != 0xffff && vendor != 0;
}

uint16_t pci_command_update(const struct pci_cfg *cfg, pci_bdf_t bdf,
			    uint16_t set, uint16_t clear)
{
	/* A 16-bit write: a 32-bit one would write back the status
	 * register's write-one-to-clear bits. */
	uint16_t cmd = (uint16_t)((pci_read16(cfg, bdf, PCI_COMMAND) & ~clear) |
				  set);

	pci_write16(cfg, bdf, PCI_COMMAND, cmd);
	return cmd;
}

/* Ends the walk in @it with @err. */
static err_t pci_cap_end(struct pci_cap_iter *it, err_t err)
{
	it->done = true;
	return err;
}

err_t pci_cap_next(const struct pci_cfg *cfg, pci_bdf_t bdf,
		   struct pci_cap_iter *it)
{
	uint16_t next;

	if (it->done) {
		return ERR_NOT_FOUND;
	}
	if (it->offset == 0) {
		if (!pci_is_present(cfg, bdf) ||
		    !(pci_read16(cfg, bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
			return pci_cap_end(it, ERR_NOT_FOUND);
		}
		next = pci_read8(cfg, bdf, PCI_CAP_PTR);
	} else {
		next = pci_read8(cfg, bdf, (uint16_t)(it->offset + 1));
	}
	next &= 0xfc; /* the low two bits are reserved */
	if (next == 0) {
		return pci_cap_end(it, ERR_NOT_FOUND);
	}
	/* Entries are dword-aligned and above the header: a list with more
	 * than that many entries visits one twice. */
	if (next < PCI_HEADER_END || ++it->steps > PCI_CAP_STEPS_MAX) {
		return pci_cap_end(it, ERR_CORRUPT);
	}
	it->offset = next;
	it->id = pci_read8(cfg, bdf, next);
	return ERR_OK;
}

err_t pci_ext_cap_next(const struct pci_cfg *cfg, pci_bdf_t bdf,
		       struct pci_cap_iter *it)
{
	uint16_t next;
	uint32_t header;

	if (it->done) {
		return ERR_NOT_FOUND;
	}
	if (it->offset == 0) {
		if (cfg->size < PCI_CFG_SIZE_ECAM || !pci_is_present(cfg, bdf)) {
			return pci_cap_end(it, ERR_NOT_FOUND);
		}
		next = PCI_EXT_CAP_START;
	} else {
		next = (uint16_t)((pci_read32(cfg, bdf, it->offset) >> 20) &
				  0xffc);
		if (next == 0) {
			return pci_cap_end(it, ERR_NOT_FOUND);
		}
	}
	if (next < PCI_EXT_CAP_START || ++it->steps > PCI_EXT_CAP_STEPS_MAX) {
		return pci_cap_end(it, ERR_CORRUPT);
	}
	header = pci_read32(cfg, bdf, next);
	if (header == 0 || header == 0xffffffffu) {
		return pci_cap_end(it, ERR_NOT_FOUND);
	}
	it->offset = next;
	it->id = (uint16_t)header;
	return ERR_OK;
}

err_t pci_cap_find(const struct pci_cfg *cfg, pci_bdf_t bdf, uint8_t id,
		   uint16_t *out)
{
	struct pci_cap_iter it;
	err_t err;

	pci_cap_iter_init(&it);
	while ((err = pci_cap_next(cfg, bdf, &it)) == ERR_OK) {
		if (it.id == id) {
			*out = it.offset;
			return ERR_OK;
		}
	}
	return err;
}

err_t pci_ext_cap_find(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t id,
		       uint16_t *out)
{
	struct pci_cap_iter it;
	err_t err;

	pci_cap_iter_init(&it);
	while ((err = pci_ext_cap_next(cfg, bdf, &it)) == ERR_OK) {
		if (it.id == id) {
			*out = it.offset;
			return ERR_OK;
		}
	}
	return err;
}

/* Whether a capability of @id and @len bytes can sit at @offset. */
static bool pci_cap_fits(const struct pci_cfg *cfg, pci_bdf_t bdf,
			 uint16_t offset, uint8_t id, unsigned len)
{
	return offset >= PCI_HEADER_END && (offset & 3) == 0 &&
	       offset + len <= PCI_CFG_SIZE_LEGACY &&
	       pci_read8(cfg, bdf, offset) == id;
}

err_t pci_msi_read(const struct pci_cfg *cfg, pci_bdf_t bdf, uint16_t offset,
		   struct pci_msi *out)
{
	uint16_t control;
	unsigned len, mmc;

	if (!pci_cap_fits(cfg, bdf, offset, PCI_CAP_MSI, 4)) {
		return ERR_CORRUPT;
	}
	control = pci_read16(cfg, bdf, (uint16_t)(offset + 2));
	mmc = (control >> 1) & 7;
	/* Header and address, then the data word; the mask and pending
	 * words follow when the function has them. */
	len = (control & PCI_MSI_CONTROL_64BIT) ? 0x0e : 0x0a;
	if (control & PCI_MSI_CONTROL_MASKABLE) {
		len += 0x0a;
	}
	if (mmc > 5 || !pci_cap_fits(cfg, bdf, offset, PCI_CAP_MSI, len)) {
		return ERR_CORRUPT;
	}
	*out = (struct pci_msi){
		.offset = offset,
		.control = control,
		.is_64bit = control & PCI_MSI_CONTROL_64BIT,
		.has_mask = control & PCI_MSI_CONTROL_MASKABLE,
		.vectors_max = (uint8_t)(1u << mmc),
	};
	return ERR_OK;
}

err_t pci_msi_enable(const struct pci_cfg *cfg, pci_bdf_t bdf,
		     const struct pci_msi *msi, uint64_t address,
		     uint16_t data)
{
	uint16_t off = msi->offset;
	uint16_t control = pci_read16(cfg, bdf, (uint16_t)(off + 2));
	uint16_t data_off = msi->is_64bit ? 0x0c : 0x08;

	if (address & 3) {
		return ERR_INVALID;
	}
	if (!msi->is_64bit && (address >> 32)) {
		return ERR_RANGE;
	}
	/* Off while the pair changes, so that no half-written message goes
	 * out. */
	control &= (uint16_t)~(PCI_MSI_CONTROL_ENABLE |
			       PCI_MSI_CONTROL_MME_MASK);
	pci_write16(cfg, bdf, (uint16_t)(off + 2), control);
	pci_write32(cfg, bdf, (uint16_t)(off + 4), (uint32_t)address);
	if (msi->is_64bit) {
		pci_write32(cfg, bdf, (uint16_t)(off + 8),
			    (uint32_t)(address >> 32));
	}
	pci_write16(cfg, bdf, (uint16_t)(off + data_off), data);
	if (msi->has_mask) {
		uint16_t mask_off = (uint16_t)(off + data_off + 4);

		pci_write32(cfg, bdf, mask_off,
			    pci_read32(cfg, bdf, mask_off) & ~1u);
	}
	pci_write16(cfg, bdf, (uint16_t)(off + 2),
		    control | PCI_MSI_CONTROL_ENABLE);
	return ERR_OK;
}

void pci_msi_disable(const struct pci_cfg *cfg, pci_bdf_t bdf,
		     const struct pci_msi *msi)
{
	uint16_t off = (uint16_t)(msi->offset + 2);

	pci_write16(cfg, bdf, off,
		    pci_read16(cfg, bdf, off) & ~PCI_MSI_CONTROL_ENABLE);
}

err_t pci_msix_read(const struct pci_cfg *cfg, pci_bdf_t bdf,
		    uint16_t offset, struct pci_msix *out)
{
	uint32_t table, pba;
	uint16_t control;

	if (!pci_cap_fits(cfg, bdf, offset, PCI_CAP_MSIX, 12)) {
		return ERR_CORRUPT;
	}
	control = pci_read16(cfg, bdf, (uint16_t)(offset + 2));
	table = pci_read32(cfg, bdf, (uint16_t)(offset + 4));
	pba = pci_read32(cfg, bdf, (uint16_t)(offset + 8));
	if ((table & 7) >= PCI_BAR_COUNT || (pba & 7) >= PCI_BAR_COUNT) {
		return ERR_CORRUPT;
	}
	*out = (struct pci_msix){
		.offset = offset,
		.entries = (uint16_t)((control & PCI_MSIX_CONTROL_SIZE_MASK) +
				      1),
		.table_bar = (uint8_t)(table & 7),
		.table_offset = table & ~7u,
		.pba_bar = (uint8_t)(pba & 7),
		.pba_offset = pba & ~7u,
	};
	return ERR_OK;
}

void pci_msix_control(const struct pci_cfg *cfg, pci_bdf_t bdf,
		      const struct pci_msix *msix, bool enable, bool mask_all)
{
	uint16_t off = (uint16_t)(msix->offset + 2);
	uint16_t control = pci_read16(cfg, bdf, off);

	control &= (uint16_t)~(PCI_MSIX_CONTROL_ENABLE |
			       PCI_MSIX_CONTROL_MASK_ALL);
	if (enable) {
		control |= PCI_MSIX_CONTROL_ENABLE;
	}
	if (mask_all) {
		control |= PCI_MSIX_CONTROL_MASK_ALL;
	}
	pci_write16(cfg, bdf, off, control);
}

err_t pci_msix_entry_mask(const struct pci_msix *msix, volatile void *table,
			  uint16_t index, bool masked)
{
	volatile uint32_t *e;

	if (index >= msix->entries) {
		return ERR_RANGE;
	}
	e = (volatile uint32_t *)((volatile uint8_t *)table +
				  (uint32_t)index * PCI_MSIX_ENTRY_SIZE);
	if (masked) {
		e[3] |= PCI_MSIX_ENTRY_CONTROL_MASKED;
	} else {
		e[3] &= ~(uint32_t)PCI_MSIX_ENTRY_CONTROL_MASKED;
	}
	return ERR_OK;
}

err_t pci_msix_entry_set(const struct pci_msix *msix, volatile void *table,
			 uint16_t index, uint64_t address, uint32_t data)
{
	volatile uint32_t *e;

	if (index >= msix->entries) {
		return ERR_RANGE;
	}
	if (address & 3) {
		return ERR_INVALID;
	}
	e = (volatile uint32_t *)((volatile uint8_t *)table +
				  (uint32_t)index * PCI_MSIX_ENTRY_SIZE);
	pci_msix_entry_mask(msix, table, index, true);
	e[0] = (uint32_t)address;
	e[1] = (uint32_t)(address >> 32);
	e[2] = data;
	pci_msix_entry_mask(msix, table, index, false);
	return ERR_OK;
}

/* Writes all ones to the BAR dword at @off and returns what sticks,
 * putting the old value back. */
static uint32_t pci_bar_probe(const struct pci_cfg *cfg, pci_bdf_t bdf,
			      uint16_t off, uint32_t *old)
{
	uint32_t mask;

	*old = pci_read32(cfg, bdf, off);
	pci_write32(cfg, bdf, off, 0xffffffffu);
	mask = pci_read32(cfg, bdf, off);
	pci_write32(cfg, bdf, off, *old);
	return mask;
}

/* Decodes and sizes the BAR at @off with decoding already off. */
static err_t pci_bar_decode(const struct pci_cfg *cfg, pci_bdf_t bdf,
			    unsigned index, struct pci_bar *out)
{
	uint16_t off = (uint16_t)(PCI_BAR0 + 4 * index);
	uint32_t lo, hi, mask_lo, mask_hi;
	uint64_t mask;

	mask_lo = pci_bar_probe(cfg, bdf, off, &lo);
	*out = (struct pci_bar){ 0 };
	if (lo & 1) {
		uint32_t io_mask = mask_lo & ~3u;

		if (io_mask == 0) {
			return ERR_NOT_FOUND;
		}
		if (!(io_mask >> 16)) {
			io_mask |= 0xffff0000u; /* a 16-bit decoder */
		}
		mask = 0xffffffff00000000ull | io_mask;
		out->is_io = true;
		out->address = lo & ~3u;
	} else {
		switch ((lo >> 1) & 3) {
		case 0: /* 32-bit */
		case 1: /* below 1 MiB (PCI 2.x) */
			mask = 0xffffffff00000000ull | (mask_lo & ~0xfu);
			out->address = lo & ~0xfu;
			break;
		case 2:
			if (index + 1 >= PCI_BAR_COUNT) {
				return ERR_CORRUPT;
			}
			mask_hi = pci_bar_probe(cfg, bdf, (uint16_t)(off + 4),
						&hi);
			mask = ((uint64_t)mask_hi << 32) | (mask_lo & ~0xfu);
			out->address = ((uint64_t)hi << 32) | (lo & ~0xfu);
			out->is_64bit = true;
			break;
		default:
			return ERR_CORRUPT;
		}
		if (out->is_64bit ? mask == 0 : (uint32_t)mask == 0) {
			return ERR_NOT_FOUND;
		}
		out->prefetchable = lo & 8;
	}
	/* A size mask is ones down to some bit, then zeros. */
	out->size = ~mask + 1;
	if (out->size == 0 || (out->size & (out->size - 1))) {
		return ERR_CORRUPT;
	}
	return ERR_OK;
}

err_t pci_bar_read(const struct pci_cfg *cfg, pci_bdf_t bdf, unsigned index,
		   struct pci_bar *out)
{
	uint16_t cmd;
	err_t err;

	if (index >= PCI_BAR_COUNT || !pci_is_present(cfg, bdf) ||
	    (pci_read8(cfg, bdf, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK) !=
		    0) {
		return ERR_RANGE;
	}
	/* While a BAR holds all ones the function must not decode it, or
	 * it would answer at a bogus address. */
	cmd = pci_read16(cfg, bdf, PCI_COMMAND);
	pci_write16(cfg, bdf, PCI_COMMAND,
		    cmd & (uint16_t)~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	err = pci_bar_decode(cfg, bdf, index, out);
	pci_write16(cfg, bdf, PCI_COMMAND, cmd);
	return err;
}

/* The buses still to scan, each taken once. */
struct pci_scan_state {
	uint8_t queue[256];
	unsigned head, tail;
	uint32_t seen[256 / 32];
};

static void pci_scan_add(const struct pci_cfg *cfg, struct pci_scan_state *s,
			 unsigned bus)
{
	if (bus < cfg->bus_first || bus > cfg->bus_last ||
	    (s->seen[bus / 32] & (1u << (bus % 32)))) {
		return;
	}
	s->seen[bus / 32] |= 1u << (bus % 32);
	s->queue[s->tail++] = (uint8_t)bus;
}

void pci_scan(const struct pci_cfg *cfg,
	      bool (*fn)(void *arg, const struct pci_cfg *cfg, pci_bdf_t bdf),
	      void *arg)
{
	struct pci_scan_state s = { .head = 0 };
	pci_bdf_t root = PCI_BDF(cfg->bus_first, 0, 0);

	pci_scan_add(cfg, &s, cfg->bus_first);
	/* Several host bridges: function N of 00:00 leads to bus N. */
	if (pci_read8(cfg, root, PCI_HEADER_TYPE) != 0xff &&
	    (pci_read8(cfg, root, PCI_HEADER_TYPE) &
	     PCI_HEADER_MULTIFUNCTION)) {
		for (unsigned f = 1; f < 8; f++) {
			if (pci_is_present(cfg, PCI_BDF(cfg->bus_first, 0, f))) {
				pci_scan_add(cfg, &s, cfg->bus_first + f);
			}
		}
	}
	while (s.head < s.tail) {
		unsigned bus = s.queue[s.head++];

		for (unsigned dev = 0; dev < 32; dev++) {
			pci_bdf_t bdf0 = PCI_BDF(bus, dev, 0);
			unsigned fns;

			if (!pci_is_present(cfg, bdf0)) {
				continue;
			}
			fns = (pci_read8(cfg, bdf0, PCI_HEADER_TYPE) &
			       PCI_HEADER_MULTIFUNCTION)
				      ? 8
				      : 1;
			for (unsigned f = 0; f < fns; f++) {
				pci_bdf_t bdf = PCI_BDF(bus, dev, f);

				if (!pci_is_present(cfg, bdf)) {
					continue;
				}
				if (!fn(arg, cfg, bdf)) {
					return;
				}
				if ((pci_read8(cfg, bdf, PCI_HEADER_TYPE) &
				     PCI_HEADER_TYPE_MASK) ==
				    PCI_HEADER_BRIDGE) {
					pci_scan_add(cfg, &s,
						     pci_read8(cfg, bdf,
							       PCI_SECONDARY_BUS));
				}
			}
		}
	}
}

struct pci_find_state {
	uint32_t ids;		/* device << 16 | vendor */
	pci_bdf_t found;
	bool hit;
};

static bool pci_find_one(void *arg, const struct pci_cfg *cfg, pci_bdf_t bdf)
{
	struct pci_find_state *s = arg;

	if (pci_read32(cfg, bdf, PCI_VENDOR_ID) == s->ids) {
		s->found = bdf;
		s->hit = true;
		return false;
	}
	return true;
}

err_t pci_find(const struct pci_cfg *cfg, uint16_t vendor, uint16_t device,
	       pci_bdf_t *out)
{
	struct pci_find_state s = {
		.ids = ((uint32_t)device << 16) | vendor,
		.hit = false,
	};

	pci_scan(cfg, pci_find_one, &s);
	if (!s.hit) {
		return ERR_NOT_FOUND;
	}
	*out = s.found;
	return ERR_OK;
}
