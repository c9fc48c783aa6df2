/*
 * Tests of lib/pci/pci.c against synthetic configuration spaces: a fake
 * machine backend (functions at chosen addresses, each space an exactly
 * sized heap block so that ASan sees any access past it, BARs with
 * writable-bit masks) and the ECAM backend over plain memory. Covers the
 * accessors' bounds, capability walks on good lists and on hostile ones
 * (loops, pointers into the header or past the space, random bytes), MSI
 * and MSI-X programming, BAR sizing, and the bus scan with bridges that
 * loop back.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <pci/pci.h>

#include "check.h"
#include "rng.h"

#define FAKE_FNS 16

struct fake_fn {
	pci_bdf_t bdf;
	uint8_t *space;		/* fake.size bytes */
	uint32_t bar_mask[PCI_BAR_COUNT]; /* writable bits per BAR dword */
	bool probed_with_decode_on;
};

struct fake {
	struct fake_fn fns[FAKE_FNS];
	unsigned count;
	uint16_t size;
	unsigned reads, writes;
	unsigned bad_calls;	/* the library passed bounds it promised */
	unsigned wide_command_writes;
};

static struct fake fake;
static struct pci_cfg cfg;

static struct fake_fn *fake_lookup(pci_bdf_t bdf)
{
	for (unsigned i = 0; i < fake.count; i++) {
		if (fake.fns[i].bdf == bdf) {
			return &fake.fns[i];
		}
	}
	return NULL;
}

static bool fake_call_ok(pci_bdf_t bdf, uint16_t off, unsigned width)
{
	bool ok = (width == 1 || width == 2 || width == 4) &&
		  off % width == 0 && off + width <= fake.size &&
		  bdf <= 0xffff;

	fake.bad_calls += !ok;
	return ok;
}

static uint32_t fake_read(const struct pci_cfg *c, pci_bdf_t bdf, uint16_t off,
			  unsigned width)
{
	struct fake_fn *f = fake_lookup(bdf);
	uint32_t v = 0;

	fake.reads++;
	if (!fake_call_ok(bdf, off, width)) {
		return 0;
	}
	if (!f) {
		return width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
	}
	memcpy(&v, f->space + off, width);
	return v;
}

static void fake_write(const struct pci_cfg *c, pci_bdf_t bdf, uint16_t off,
		       unsigned width, uint32_t value)
{
	struct fake_fn *f = fake_lookup(bdf);

	fake.writes++;
	if (!fake_call_ok(bdf, off, width) || !f) {
		return;
	}
	if (off == PCI_COMMAND && width == 4) {
		fake.wide_command_writes++;
	}
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 4 * PCI_BAR_COUNT &&
	    width == 4 &&
	    (f->space[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK) == 0) {
		uint32_t mask = f->bar_mask[(off - PCI_BAR0) / 4], old;
		uint16_t cmd;

		memcpy(&cmd, f->space + PCI_COMMAND, 2);
		if (value == 0xffffffffu &&
		    (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))) {
			f->probed_with_decode_on = true;
		}
		memcpy(&old, f->space + off, 4);
		value = (old & ~mask) | (value & mask);
	}
	memcpy(f->space + off, &value, width);
}

static const struct pci_cfg_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

/* A fresh machine whose functions have @size bytes of space. */
static void fake_reset(uint16_t size)
{
	for (unsigned i = 0; i < fake.count; i++) {
		free(fake.fns[i].space);
	}
	memset(&fake, 0, sizeof(fake));
	fake.size = size;
	cfg = (struct pci_cfg){
		.ops = &fake_ops,
		.size = size,
		.bus_first = 0,
		.bus_last = 255,
	};
}

static struct fake_fn *fake_add(pci_bdf_t bdf, uint16_t vendor,
				uint16_t device, uint8_t header_type)
{
	struct fake_fn *f = &fake.fns[fake.count++];

	f->bdf = bdf;
	f->space = calloc(1, fake.size);
	memcpy(f->space + PCI_VENDOR_ID, &vendor, 2);
	memcpy(f->space + PCI_DEVICE_ID, &device, 2);
	f->space[PCI_HEADER_TYPE] = header_type;
	return f;
}

static void put16(struct fake_fn *f, uint16_t off, uint16_t v)
{
	memcpy(f->space + off, &v, 2);
}

static void put32(struct fake_fn *f, uint16_t off, uint32_t v)
{
	memcpy(f->space + off, &v, 4);
}

static uint16_t get16(struct fake_fn *f, uint16_t off)
{
	uint16_t v;

	memcpy(&v, f->space + off, 2);
	return v;
}

static uint32_t get32(struct fake_fn *f, uint16_t off)
{
	uint32_t v;

	memcpy(&v, f->space + off, 4);
	return v;
}

/* Links capability @id at @off to @next and turns the list on. */
static void cap(struct fake_fn *f, uint16_t off, uint8_t id, uint8_t next)
{
	f->space[off] = id;
	f->space[off + 1] = next;
}

static struct fake_fn *fn_with_list(uint8_t first)
{
	struct fake_fn *f = fake_add(PCI_BDF(0, 3, 0), 0x1234, 0x5678, 0);

	put16(f, PCI_STATUS, PCI_STATUS_CAP_LIST);
	f->space[PCI_CAP_PTR] = first;
	return f;
}

TEST(accessors_stay_in_bounds)
{
	fake_reset(PCI_CFG_SIZE_LEGACY);
	fake_add(PCI_BDF(0, 1, 0), 0x1234, 0x11e8, 0);
	CHECK_EQ(pci_read16(&cfg, PCI_BDF(0, 1, 0), PCI_VENDOR_ID), 0x1234);
	CHECK_EQ(pci_read32(&cfg, PCI_BDF(0, 1, 0), PCI_VENDOR_ID),
		 0x11e81234);
	CHECK_EQ(pci_read32(&cfg, PCI_BDF(0, 1, 0), 256), 0xffffffffu);
	CHECK_EQ(pci_read32(&cfg, PCI_BDF(0, 1, 0), 254), 0xffffffffu);
	CHECK_EQ(pci_read16(&cfg, PCI_BDF(0, 1, 0), 0xffff), 0xffff);
	CHECK_EQ(pci_read16(&cfg, PCI_BDF(0, 1, 0), 1), 0xffff);
	CHECK_EQ(pci_read8(&cfg, PCI_BDF(0, 1, 0), 0x1000), 0xff);
	CHECK_EQ(pci_read32(&cfg, 0x10000, 0), 0xffffffffu);
	pci_write32(&cfg, PCI_BDF(0, 1, 0), 256, 0);
	pci_write16(&cfg, PCI_BDF(0, 1, 0), 3, 0);
	pci_write8(&cfg, 0x12345, 0, 0);
	CHECK_EQ(fake.writes, 0);
	CHECK(pci_is_present(&cfg, PCI_BDF(0, 1, 0)));
	CHECK(!pci_is_present(&cfg, PCI_BDF(0, 2, 0)));
	cfg.bus_first = 1;
	CHECK(!pci_is_present(&cfg, PCI_BDF(0, 1, 0)));
	CHECK_EQ(fake.bad_calls, 0);
}

TEST(ecam_layout)
{
	size_t len = 2u << 20;
	uint8_t *mem = calloc(1, len);
	struct pci_cfg e;

	REQUIRE(mem);
	pci_cfg_init_ecam(&e, mem, 2, 3);
	pci_write32(&e, PCI_BDF(3, 1, 2), 0x40, 0xa1b2c3d4);
	CHECK_EQ(mem[(1u << 20) + (1u << 15) + (2u << 12) + 0x40], 0xd4);
	pci_write16(&e, PCI_BDF(2, 31, 7), 0xffe, 0xbeef);
	CHECK_EQ(mem[(31u << 15) + (7u << 12) + 0xffe], 0xef);
	CHECK_EQ(pci_read8(&e, PCI_BDF(3, 1, 2), 0x41), 0xc3);
	CHECK_EQ(pci_read32(&e, PCI_BDF(3, 1, 2), 0x1000), 0xffffffffu);
	/* Buses outside the window are not touched. */
	CHECK_EQ(pci_read32(&e, PCI_BDF(4, 0, 0), 0), 0xffffffffu);
	CHECK_EQ(pci_read32(&e, PCI_BDF(1, 0, 0), 0), 0xffffffffu);
	pci_write32(&e, PCI_BDF(4, 0, 0), 0, 0);
	free(mem);
}

TEST(ecam_capability_walk_exact_space)
{
	/* One function's window, exactly: ASan flags any read past it. */
	uint8_t *mem = calloc(1, PCI_CFG_SIZE_ECAM);
	struct pci_cfg e;
	struct pci_cap_iter it;
	uint16_t off = 0;

	REQUIRE(mem);
	pci_cfg_init_ecam(&e, mem, 0, 0);
	mem[0] = 0x34;
	mem[1] = 0x12;
	mem[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	mem[PCI_CAP_PTR] = 0xfc;
	mem[0xfc] = PCI_CAP_VENDOR;
	mem[0xfd] = 0;
	CHECK_EQ(pci_cap_find(&e, 0, PCI_CAP_VENDOR, &off), ERR_OK);
	CHECK_EQ(off, 0xfc);
	/* Extended list: the last dword of the space. */
	memcpy(mem + 0x100, &(uint32_t){ 0xffc00001u }, 4);
	memcpy(mem + 0xffc, &(uint32_t){ 0x0000000bu }, 4);
	pci_cap_iter_init(&it);
	CHECK_EQ(pci_ext_cap_next(&e, 0, &it), ERR_OK);
	CHECK_EQ(pci_ext_cap_next(&e, 0, &it), ERR_OK);
	CHECK_EQ(it.offset, 0xffc);
	CHECK_EQ(it.id, 0x0b);
	CHECK_EQ(pci_ext_cap_next(&e, 0, &it), ERR_NOT_FOUND);
	free(mem);
}

TEST(capability_list_walks_in_order)
{
	static const uint8_t ids[] = { 0x01, PCI_CAP_MSI, PCI_CAP_MSIX,
				       PCI_CAP_VENDOR };
	struct fake_fn *f;
	struct pci_cap_iter it;
	uint16_t off = 0;
	unsigned n = 0;

	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fn_with_list(0x40);
	cap(f, 0x40, 0x01, 0x50);
	cap(f, 0x50, PCI_CAP_MSI, 0x70);
	cap(f, 0x70, PCI_CAP_MSIX, 0x80);
	cap(f, 0x80, PCI_CAP_VENDOR, 0x00);
	pci_cap_iter_init(&it);
	while (pci_cap_next(&cfg, f->bdf, &it) == ERR_OK && n < 8) {
		CHECK_EQ(it.id, ids[n]);
		n++;
	}
	CHECK_EQ(n, 4);
	/* Finished means finished. */
	CHECK_EQ(pci_cap_next(&cfg, f->bdf, &it), ERR_NOT_FOUND);
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSIX, &off), ERR_OK);
	CHECK_EQ(off, 0x70);
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_EXPRESS, &off),
		 ERR_NOT_FOUND);
	CHECK_EQ(fake.bad_calls, 0);
}

TEST(capability_pointer_low_bits_ignored)
{
	struct fake_fn *f;
	uint16_t off = 0;

	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fn_with_list(0x53);
	cap(f, 0x50, 0x01, 0x63);
	cap(f, 0x60, PCI_CAP_MSI, 0x02);
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSI, &off), ERR_OK);
	CHECK_EQ(off, 0x60);
}

TEST(capability_list_absent)
{
	struct fake_fn *f;
	uint16_t off = 0;

	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fn_with_list(0x40);
	cap(f, 0x40, PCI_CAP_MSI, 0);
	put16(f, PCI_STATUS, 0); /* pointer set, but no list */
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSI, &off), ERR_NOT_FOUND);
	put16(f, PCI_STATUS, PCI_STATUS_CAP_LIST);
	f->space[PCI_CAP_PTR] = 0;
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSI, &off), ERR_NOT_FOUND);
	/* No function there: all ones would look like a list at 0xfc
	 * pointing at itself. */
	CHECK_EQ(pci_cap_find(&cfg, PCI_BDF(0, 9, 0), PCI_CAP_MSI, &off),
		 ERR_NOT_FOUND);
	CHECK_EQ(pci_ext_cap_find(&cfg, PCI_BDF(0, 9, 0), 1, &off),
		 ERR_NOT_FOUND);
}

TEST(capability_loops_are_corrupt)
{
	struct fake_fn *f;
	uint16_t off = 0;
	unsigned reads;

	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fn_with_list(0x40);
	cap(f, 0x40, 0x01, 0x50);
	cap(f, 0x50, 0x01, 0x40);
	fake.reads = 0;
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSI, &off), ERR_CORRUPT);
	reads = fake.reads;
	CHECK(reads < 4 * 50);
	/* An entry found before the loop is still found. */
	cap(f, 0x50, PCI_CAP_MSI, 0x40);
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSI, &off), ERR_OK);
	CHECK_EQ(off, 0x50);
	/* Pointing at itself. */
	cap(f, 0x40, 0x01, 0x40);
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSI, &off), ERR_CORRUPT);
	/* The longest loop: every dword slot once, then back. */
	for (unsigned o = 0x40; o <= 0xfc; o += 4) {
		cap(f, (uint16_t)o, 0x01, (uint8_t)(o == 0xfc ? 0x40 : o + 4));
	}
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSI, &off), ERR_CORRUPT);
	/* And the longest list that does end is fine. */
	cap(f, 0xfc, PCI_CAP_MSI, 0);
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSI, &off), ERR_OK);
	CHECK_EQ(off, 0xfc);
	CHECK_EQ(fake.bad_calls, 0);
}

TEST(capability_pointer_into_header_is_corrupt)
{
	struct fake_fn *f;
	uint16_t off = 0;

	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fn_with_list(0x20);
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSI, &off), ERR_CORRUPT);
	f->space[PCI_CAP_PTR] = 0x40;
	cap(f, 0x40, 0x01, 0x3c);
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSI, &off), ERR_CORRUPT);
	cap(f, 0x40, 0x01, 0x04);
	CHECK_EQ(pci_cap_find(&cfg, f->bdf, PCI_CAP_MSI, &off), ERR_CORRUPT);
}

TEST(capability_walk_survives_random_spaces)
{
	struct fake_fn *f;

	rng_seed(3);
	for (int round = 0; round < 3000; round++) {
		struct pci_cap_iter it;
		struct pci_msi msi;
		struct pci_msix msix;
		unsigned steps = 0;
		err_t err;

		fake_reset(round % 2 ? PCI_CFG_SIZE_LEGACY : PCI_CFG_SIZE_ECAM);
		f = fake_add(PCI_BDF(0, 1, 0), 0x1234, 0x1, 0);
		for (unsigned i = 4; i < fake.size; i++) {
			f->space[i] = (uint8_t)rng();
		}
		/* Bias towards pointers that stay in range and ids that
		 * the MSI parsers accept, so they get exercised too. */
		for (unsigned i = 0x40; i < 0x100 && round % 3; i += 4) {
			f->space[i] = (uint8_t)(rng() % 2 ? PCI_CAP_MSI
							  : PCI_CAP_MSIX);
			f->space[i + 1] =
				(uint8_t)(0x40 + (rng() % 0xc0) * (rng() % 4 != 0));
		}
		put16(f, PCI_STATUS, PCI_STATUS_CAP_LIST);
		pci_cap_iter_init(&it);
		while ((err = pci_cap_next(&cfg, f->bdf, &it)) == ERR_OK) {
			steps++;
			CHECK(it.offset >= 0x40 && it.offset <= 0xfc &&
			      it.offset % 4 == 0);
			if (it.id == PCI_CAP_MSI &&
			    pci_msi_read(&cfg, f->bdf, it.offset, &msi) ==
				    ERR_OK) {
				CHECK(msi.offset + 0x0a <= 0x100);
				CHECK(msi.vectors_max >= 1 &&
				      msi.vectors_max <= 32);
			}
			if (it.id == PCI_CAP_MSIX &&
			    pci_msix_read(&cfg, f->bdf, it.offset, &msix) ==
				    ERR_OK) {
				CHECK(msix.table_bar < 6 && msix.pba_bar < 6);
				CHECK(msix.entries >= 1 && msix.entries <= 2048);
			}
		}
		CHECK(err == ERR_NOT_FOUND || err == ERR_CORRUPT);
		CHECK(steps <= 48);
		pci_cap_iter_init(&it);
		steps = 0;
		while ((err = pci_ext_cap_next(&cfg, f->bdf, &it)) == ERR_OK) {
			steps++;
			CHECK(it.offset >= 0x100 && it.offset <= 0xffc &&
			      it.offset % 4 == 0);
		}
		CHECK(err == ERR_NOT_FOUND || err == ERR_CORRUPT);
		CHECK(steps <= 960);
		REQUIRE(fake.bad_calls == 0);
	}
}

TEST(extended_capabilities)
{
	struct fake_fn *f;
	uint16_t off = 0;

	fake_reset(PCI_CFG_SIZE_ECAM);
	f = fake_add(PCI_BDF(0, 2, 0), 0x1af4, 0x1042, 0);
	put32(f, 0x100, (0x140u << 20) | (1u << 16) | 0x0001);
	put32(f, 0x140, (0x200u << 20) | (1u << 16) | 0x000b);
	put32(f, 0x200, (0u << 20) | (1u << 16) | 0x0010);
	CHECK_EQ(pci_ext_cap_find(&cfg, f->bdf, 0x0010, &off), ERR_OK);
	CHECK_EQ(off, 0x200);
	CHECK_EQ(pci_ext_cap_find(&cfg, f->bdf, 0x0001, &off), ERR_OK);
	CHECK_EQ(off, 0x100);
	CHECK_EQ(pci_ext_cap_find(&cfg, f->bdf, 0x0002, &off), ERR_NOT_FOUND);
	/* A loop back to the start. */
	put32(f, 0x200, (0x100u << 20) | 0x0010);
	CHECK_EQ(pci_ext_cap_find(&cfg, f->bdf, 0x0002, &off), ERR_CORRUPT);
	/* A pointer into the classic space. */
	put32(f, 0x200, (0x080u << 20) | 0x0010);
	CHECK_EQ(pci_ext_cap_find(&cfg, f->bdf, 0x0002, &off), ERR_CORRUPT);
	/* The low bits of the pointer are reserved. */
	put32(f, 0x140, (0x203u << 20) | 0x000b);
	put32(f, 0x200, 0x0010);
	CHECK_EQ(pci_ext_cap_find(&cfg, f->bdf, 0x0010, &off), ERR_OK);
	CHECK_EQ(off, 0x200);
	/* None at all. */
	put32(f, 0x100, 0);
	CHECK_EQ(pci_ext_cap_find(&cfg, f->bdf, 0x0010, &off), ERR_NOT_FOUND);
	/* Not reachable through 256-byte access methods. */
	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fake_add(PCI_BDF(0, 2, 0), 0x1af4, 0x1042, 0);
	CHECK_EQ(pci_ext_cap_find(&cfg, f->bdf, 0x0010, &off), ERR_NOT_FOUND);
	CHECK_EQ(fake.bad_calls, 0);
}

TEST(msi_32bit)
{
	struct fake_fn *f;
	struct pci_msi msi;

	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fn_with_list(0x50);
	cap(f, 0x50, PCI_CAP_MSI, 0);
	put16(f, 0x52, 0x0000);
	REQUIRE(pci_msi_read(&cfg, f->bdf, 0x50, &msi) == ERR_OK);
	CHECK(!msi.is_64bit && !msi.has_mask);
	CHECK_EQ(msi.vectors_max, 1);
	CHECK_EQ(pci_msi_enable(&cfg, f->bdf, &msi, 0x1fee00000ull, 0x41),
		 ERR_RANGE);
	CHECK_EQ(get16(f, 0x52) & PCI_MSI_CONTROL_ENABLE, 0);
	CHECK_EQ(pci_msi_enable(&cfg, f->bdf, &msi, 0xfee01002u, 0x41),
		 ERR_INVALID);
	CHECK_EQ(pci_msi_enable(&cfg, f->bdf, &msi, 0xfee01000u, 0x41),
		 ERR_OK);
	CHECK_EQ(get32(f, 0x54), 0xfee01000u);
	CHECK_EQ(get16(f, 0x58), 0x41);
	CHECK_EQ(get16(f, 0x52), PCI_MSI_CONTROL_ENABLE);
	pci_msi_disable(&cfg, f->bdf, &msi);
	CHECK_EQ(get16(f, 0x52), 0);
	CHECK_EQ(fake.bad_calls, 0);
}

TEST(msi_64bit_with_mask)
{
	struct fake_fn *f;
	struct pci_msi msi;

	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fn_with_list(0x60);
	cap(f, 0x60, PCI_CAP_MSI, 0);
	/* 64-bit, maskable, 8 vectors capable, 4 enabled by someone. */
	put16(f, 0x62, 0x0180 | (3 << 1) | (2 << 4));
	put32(f, 0x70, 0xffffffffu);
	REQUIRE(pci_msi_read(&cfg, f->bdf, 0x60, &msi) == ERR_OK);
	CHECK(msi.is_64bit && msi.has_mask);
	CHECK_EQ(msi.vectors_max, 8);
	CHECK_EQ(pci_msi_enable(&cfg, f->bdf, &msi, 0x1fee02000ull, 0x55),
		 ERR_OK);
	CHECK_EQ(get32(f, 0x64), 0xfee02000u);
	CHECK_EQ(get32(f, 0x68), 1);
	CHECK_EQ(get16(f, 0x6c), 0x55);
	CHECK_EQ(get32(f, 0x70), 0xfffffffeu); /* vector 0 unmasked */
	CHECK_EQ(get16(f, 0x62), 0x0180 | (3 << 1) | PCI_MSI_CONTROL_ENABLE);
}

TEST(msi_capability_hostile)
{
	struct fake_fn *f;
	struct pci_msi msi;

	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fn_with_list(0xf0);
	cap(f, 0xf0, PCI_CAP_MSI, 0);
	put16(f, 0xf2, 0x0180); /* 0x18 bytes from 0xf0: past the end */
	CHECK_EQ(pci_msi_read(&cfg, f->bdf, 0xf0, &msi), ERR_CORRUPT);
	put16(f, 0xf2, 0x0000); /* 0x0a bytes fit */
	CHECK_EQ(pci_msi_read(&cfg, f->bdf, 0xf0, &msi), ERR_OK);
	put16(f, 0xf2, 6 << 1); /* reserved Multiple Message Capable */
	CHECK_EQ(pci_msi_read(&cfg, f->bdf, 0xf0, &msi), ERR_CORRUPT);
	put16(f, 0xf2, 0);
	f->space[0xf0] = PCI_CAP_MSIX; /* not an MSI capability */
	CHECK_EQ(pci_msi_read(&cfg, f->bdf, 0xf0, &msi), ERR_CORRUPT);
	CHECK_EQ(pci_msi_read(&cfg, f->bdf, 0x20, &msi), ERR_CORRUPT);
	CHECK_EQ(pci_msi_read(&cfg, f->bdf, 0xf2, &msi), ERR_CORRUPT);
	CHECK_EQ(pci_msi_read(&cfg, f->bdf, 0xfffc, &msi), ERR_CORRUPT);
	CHECK_EQ(fake.bad_calls, 0);
}

TEST(msix)
{
	struct fake_fn *f;
	struct pci_msix msix;
	uint32_t *table = calloc(4, PCI_MSIX_ENTRY_SIZE);

	REQUIRE(table);
	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fn_with_list(0x70);
	cap(f, 0x70, PCI_CAP_MSIX, 0);
	put16(f, 0x72, 3);
	put32(f, 0x74, 0x2000 | 2);
	put32(f, 0x78, 0x3000 | 4);
	REQUIRE(pci_msix_read(&cfg, f->bdf, 0x70, &msix) == ERR_OK);
	CHECK_EQ(msix.entries, 4);
	CHECK_EQ(msix.table_bar, 2);
	CHECK_EQ(msix.table_offset, 0x2000);
	CHECK_EQ(msix.pba_bar, 4);
	CHECK_EQ(msix.pba_offset, 0x3000);
	for (int i = 0; i < 4; i++) {
		table[4 * i + 3] = 1 | 0x100; /* masked, reserved bit kept */
	}
	CHECK_EQ(pci_msix_entry_set(&msix, table, 3, 0xfee03000u, 0x61),
		 ERR_OK);
	CHECK_EQ(table[12], 0xfee03000u);
	CHECK_EQ(table[13], 0);
	CHECK_EQ(table[14], 0x61);
	CHECK_EQ(table[15], 0x100);
	CHECK_EQ(table[3], 0x101); /* others untouched */
	CHECK_EQ(pci_msix_entry_set(&msix, table, 4, 0xfee03000u, 0x61),
		 ERR_RANGE);
	CHECK_EQ(pci_msix_entry_set(&msix, table, 0xffff, 0xfee03000u, 0x61),
		 ERR_RANGE);
	CHECK_EQ(pci_msix_entry_mask(&msix, table, 3, true), ERR_OK);
	CHECK_EQ(table[15], 0x101);
	CHECK_EQ(pci_msix_entry_mask(&msix, table, 9, true), ERR_RANGE);
	pci_msix_control(&cfg, f->bdf, &msix, true, true);
	CHECK_EQ(get16(f, 0x72), 3 | PCI_MSIX_CONTROL_ENABLE |
					 PCI_MSIX_CONTROL_MASK_ALL);
	pci_msix_control(&cfg, f->bdf, &msix, true, false);
	CHECK_EQ(get16(f, 0x72), 3 | PCI_MSIX_CONTROL_ENABLE);
	/* Hostile: a BAR indicator of 6 or 7, a capability cut off. */
	put32(f, 0x74, 0x2000 | 7);
	CHECK_EQ(pci_msix_read(&cfg, f->bdf, 0x70, &msix), ERR_CORRUPT);
	put32(f, 0x74, 0x2000);
	put32(f, 0x78, 0x3000 | 6);
	CHECK_EQ(pci_msix_read(&cfg, f->bdf, 0x70, &msix), ERR_CORRUPT);
	cap(f, 0xf8, PCI_CAP_MSIX, 0);
	CHECK_EQ(pci_msix_read(&cfg, f->bdf, 0xf8, &msix), ERR_CORRUPT);
	CHECK_EQ(fake.bad_calls, 0);
	free(table);
}

/* A function with BARs of every kind. */
static struct fake_fn *fn_with_bars(void)
{
	struct fake_fn *f = fake_add(PCI_BDF(0, 4, 0), 0x1234, 0x11e8, 0);

	put16(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO |
				      PCI_COMMAND_BUS_MASTER);
	put32(f, 0x10, 0xfeb00000u);	/* 32-bit memory, 1 MiB */
	f->bar_mask[0] = 0xfff00000u;
	put32(f, 0x14, 0xc041u);	/* I/O, 32 bytes, 16-bit decoder */
	f->bar_mask[1] = 0x0000ffe0u;
	put32(f, 0x18, 0x0000000cu);	/* 64-bit prefetchable, 16 GiB */
	put32(f, 0x1c, 0x00000008u);
	f->bar_mask[2] = 0;
	f->bar_mask[3] = 0xfffffffcu;
	/* BAR 4 unimplemented; BAR 5 claims 64 bits with no room. */
	put32(f, 0x24, 0x00000004u);
	f->bar_mask[5] = 0xfffff000u;
	return f;
}

TEST(bar_sizing)
{
	struct fake_fn *f;
	struct pci_bar bar;

	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fn_with_bars();
	REQUIRE(pci_bar_read(&cfg, f->bdf, 0, &bar) == ERR_OK);
	CHECK(!bar.is_io && !bar.is_64bit && !bar.prefetchable);
	CHECK_EQ(bar.address, 0xfeb00000u);
	CHECK_EQ(bar.size, 1u << 20);
	REQUIRE(pci_bar_read(&cfg, f->bdf, 1, &bar) == ERR_OK);
	CHECK(bar.is_io);
	CHECK_EQ(bar.address, 0xc040);
	CHECK_EQ(bar.size, 32);
	REQUIRE(pci_bar_read(&cfg, f->bdf, 2, &bar) == ERR_OK);
	CHECK(bar.is_64bit && bar.prefetchable);
	CHECK_EQ(bar.address, 0x800000000ull);
	CHECK_EQ(bar.size, 0x400000000ull);
	CHECK_EQ(pci_bar_read(&cfg, f->bdf, 4, &bar), ERR_NOT_FOUND);
	CHECK_EQ(pci_bar_read(&cfg, f->bdf, 5, &bar), ERR_CORRUPT);
	CHECK_EQ(pci_bar_read(&cfg, f->bdf, 6, &bar), ERR_RANGE);
	CHECK_EQ(pci_bar_read(&cfg, PCI_BDF(0, 9, 0), 0, &bar), ERR_RANGE);
	/* Everything as it was; decoding was off while probing. */
	CHECK_EQ(get32(f, 0x10), 0xfeb00000u);
	CHECK_EQ(get32(f, 0x14), 0xc041u);
	CHECK_EQ(get32(f, 0x1c), 8);
	CHECK_EQ(get16(f, PCI_COMMAND), PCI_COMMAND_MEMORY | PCI_COMMAND_IO |
						PCI_COMMAND_BUS_MASTER);
	CHECK(!f->probed_with_decode_on);
	/* A mask with a hole is no size. */
	f->bar_mask[0] = 0xff0f0000u;
	CHECK_EQ(pci_bar_read(&cfg, f->bdf, 0, &bar), ERR_CORRUPT);
	/* A reserved memory type. */
	put32(f, 0x10, 0x6);
	CHECK_EQ(pci_bar_read(&cfg, f->bdf, 0, &bar), ERR_CORRUPT);
	/* Bridges have another layout. */
	f->space[PCI_HEADER_TYPE] = PCI_HEADER_BRIDGE;
	CHECK_EQ(pci_bar_read(&cfg, f->bdf, 0, &bar), ERR_RANGE);
	CHECK_EQ(fake.bad_calls, 0);
}

TEST(command_update_writes_16_bits)
{
	struct fake_fn *f;

	fake_reset(PCI_CFG_SIZE_LEGACY);
	f = fake_add(PCI_BDF(0, 5, 0), 0x1234, 0x1, 0);
	put16(f, PCI_COMMAND, PCI_COMMAND_IO);
	put16(f, PCI_STATUS, 0xf900); /* error bits a dword write clears */
	CHECK_EQ(pci_command_update(&cfg, f->bdf,
				    PCI_COMMAND_MEMORY |
					    PCI_COMMAND_BUS_MASTER,
				    PCI_COMMAND_IO),
		 PCI_COMMAND_MEMORY | PCI_COMMAND_BUS_MASTER);
	CHECK_EQ(get16(f, PCI_COMMAND),
		 PCI_COMMAND_MEMORY | PCI_COMMAND_BUS_MASTER);
	CHECK_EQ(get16(f, PCI_STATUS), 0xf900);
	CHECK_EQ(fake.wide_command_writes, 0);
}

struct seen {
	unsigned count[0x10000];
	unsigned calls;
	unsigned stop_after;
};

static bool count_fn(void *arg, const struct pci_cfg *c, pci_bdf_t bdf)
{
	struct seen *s = arg;

	s->count[bdf]++;
	s->calls++;
	return s->stop_after == 0 || s->calls < s->stop_after;
}

static struct fake_fn *bridge(pci_bdf_t bdf, uint8_t secondary)
{
	struct fake_fn *f = fake_add(bdf, 0x8086, 0x2448, PCI_HEADER_BRIDGE);

	f->space[PCI_SECONDARY_BUS] = secondary;
	return f;
}

TEST(scan_follows_bridges_once)
{
	struct seen *s = calloc(1, sizeof(*s));
	pci_bdf_t found = 0;

	REQUIRE(s);
	fake_reset(PCI_CFG_SIZE_LEGACY);
	fake_add(PCI_BDF(0, 0, 0), 0x8086, 0x1237, 0);
	fake_add(PCI_BDF(0, 1, 0), 0x8086, 0x7000, PCI_HEADER_MULTIFUNCTION);
	fake_add(PCI_BDF(0, 1, 1), 0x8086, 0x7010, 0);
	fake_add(PCI_BDF(0, 1, 3), 0x8086, 0x7113, 0);
	bridge(PCI_BDF(0, 2, 0), 1);
	fake_add(PCI_BDF(1, 3, 0), 0x1234, 0x11e8, 0);
	bridge(PCI_BDF(1, 4, 0), 0);	/* back to the root */
	bridge(PCI_BDF(1, 5, 0), 1);	/* to itself */
	bridge(PCI_BDF(1, 6, 0), 2);	/* an empty bus */
	/* A function 2 with no function 0 is not scanned. */
	fake_add(PCI_BDF(1, 7, 2), 0x1234, 0x2, 0);
	pci_scan(&cfg, count_fn, s);
	CHECK_EQ(s->calls, 9);
	CHECK_EQ(s->count[PCI_BDF(0, 1, 3)], 1);
	CHECK_EQ(s->count[PCI_BDF(1, 3, 0)], 1);
	CHECK_EQ(s->count[PCI_BDF(1, 7, 2)], 0);
	CHECK_EQ(pci_find(&cfg, 0x1234, 0x11e8, &found), ERR_OK);
	CHECK_EQ(found, PCI_BDF(1, 3, 0));
	CHECK_EQ(pci_find(&cfg, 0x1234, 0x9999, &found), ERR_NOT_FOUND);
	/* The callback can stop it. */
	memset(s, 0, sizeof(*s));
	s->stop_after = 3;
	pci_scan(&cfg, count_fn, s);
	CHECK_EQ(s->calls, 3);
	CHECK_EQ(fake.bad_calls, 0);
	free(s);
}

TEST(scan_several_host_bridges)
{
	pci_bdf_t found = 0;

	fake_reset(PCI_CFG_SIZE_LEGACY);
	fake_add(PCI_BDF(0, 0, 0), 0x8086, 0x29c0, PCI_HEADER_MULTIFUNCTION);
	fake_add(PCI_BDF(0, 0, 1), 0x8086, 0x29c0, 0);
	fake_add(PCI_BDF(1, 2, 0), 0x1af4, 0x1001, 0);
	CHECK_EQ(pci_find(&cfg, 0x1af4, 0x1001, &found), ERR_OK);
	CHECK_EQ(found, PCI_BDF(1, 2, 0));
}

TEST(scan_every_bridge_hostile)
{
	/* Each of 32 bridges on bus 0 points at a bus whose bridges point
	 * back everywhere: still every bus at most once. */
	struct seen *s = calloc(1, sizeof(*s));

	REQUIRE(s);
	fake_reset(PCI_CFG_SIZE_LEGACY);
	for (unsigned d = 0; d < 8; d++) {
		bridge(PCI_BDF(0, d, 0), (uint8_t)(d + 1));
		bridge(PCI_BDF(d + 1, 0, 0), 0);
	}
	fake.reads = 0;
	pci_scan(&cfg, count_fn, s);
	CHECK_EQ(s->calls, 16);
	CHECK(fake.reads < 9 * 32 * 8 + 200);
	free(s);
}

int main(void)
{
	RUN(accessors_stay_in_bounds);
	RUN(ecam_layout);
	RUN(ecam_capability_walk_exact_space);
	RUN(capability_list_walks_in_order);
	RUN(capability_pointer_low_bits_ignored);
	RUN(capability_list_absent);
	RUN(capability_loops_are_corrupt);
	RUN(capability_pointer_into_header_is_corrupt);
	RUN(capability_walk_survives_random_spaces);
	RUN(extended_capabilities);
	RUN(msi_32bit);
	RUN(msi_64bit_with_mask);
	RUN(msi_capability_hostile);
	RUN(msix);
	RUN(bar_sizing);
	RUN(command_update_writes_16_bits);
	RUN(scan_follows_bridges_once);
	RUN(scan_several_host_bridges);
	RUN(scan_every_bridge_hostile);
	fake_reset(0);
	return check_done();
}
