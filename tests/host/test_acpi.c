/*
 * Host tests of the ACPI table parser (kernel/generic/acpi/tables.c).
 * Tables are built by hand in a fake physical memory; the map callback
 * hands out a fresh heap copy of exactly the bytes asked for, so ASan
 * catches any read past what was mapped. Covers RSDP v1/RSDT and
 * v2/XSDT, MADT, FADT, HPET, MCFG, \_S5 in the DSDT, and hostile tables.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include <acpi/tables.h>

#define FAKE_BASE 0x7fe0000ull
#define FAKE_SIZE 0x20000u

static uint8_t fake_mem[FAKE_SIZE];
static uint64_t fake_next;
static void **fake_copies;
static size_t fake_ncopies;
static unsigned fake_maps;

static void fake_reset(void)
{
	memset(fake_mem, 0, sizeof(fake_mem));
	fake_next = FAKE_BASE + 0x40;
	fake_maps = 0;
}

static void fake_release(void)
{
	for (size_t i = 0; i < fake_ncopies; i++) {
		free(fake_copies[i]);
	}
	free(fake_copies);
	fake_copies = NULL;
	fake_ncopies = 0;
}

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
	void *copy;

	fake_maps++;
	if (phys < FAKE_BASE || phys - FAKE_BASE > FAKE_SIZE ||
	    len > FAKE_SIZE - (phys - FAKE_BASE)) {
		return NULL;
	}
	copy = malloc(len ? len : 1);
	memcpy(copy, &fake_mem[phys - FAKE_BASE], len);
	fake_copies = realloc(fake_copies,
			      (fake_ncopies + 1) * sizeof(*fake_copies));
	fake_copies[fake_ncopies++] = copy;
	return copy;
}

static uint8_t *fk(uint64_t phys)
{
	return &fake_mem[phys - FAKE_BASE];
}

static uint64_t fake_alloc(size_t len)
{
	uint64_t phys = fake_next;

	fake_next = (fake_next + len + 15) & ~15ull;
	if (fake_next > FAKE_BASE + FAKE_SIZE) {
		abort();
	}
	return phys;
}

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)v);
	w16(p + 2, (uint16_t)(v >> 16));
}

static void w64(uint8_t *p, uint64_t v)
{
	w32(p, (uint32_t)v);
	w32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--) {
		s = (uint8_t)(s + *p++);
	}
	return s;
}

/* Recomputes the checksum of the table at @phys from its own length. */
static void seal(uint64_t phys)
{
	uint8_t *t = fk(phys);
	uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;

	t[9] = 0;
	t[9] = (uint8_t)(0x100 - sum(t, len));
}

/* Puts a table with @body (@body_len bytes) into fake memory. */
static uint64_t put_table(const char *sig, uint8_t rev, const void *body,
			  size_t body_len)
{
	uint64_t phys = fake_alloc(36 + body_len);
	uint8_t *t = fk(phys);

	memcpy(t, sig, 4);
	w32(t + 4, (uint32_t)(36 + body_len));
	t[8] = rev;
	memcpy(t + 10, "KEELOS", 6);
	memcpy(t + 16, "KEELTEST", 8);
	w32(t + 24, 1);
	memcpy(t + 28, "KTST", 4);
	w32(t + 32, 1);
	memcpy(t + 36, body, body_len);
	seal(phys);
	return phys;
}

/* A byte buffer that table bodies are assembled in. */
struct blob {
	uint8_t b[8192];
	size_t len;
};

static uint8_t *blob_add(struct blob *bl, size_t n)
{
	uint8_t *p = &bl->b[bl->len];

	if (bl->len + n > sizeof(bl->b)) {
		abort();
	}
	memset(p, 0, n);
	bl->len += n;
	return p;
}

static void blob_bytes(struct blob *bl, const void *bytes, size_t n)
{
	memcpy(blob_add(bl, n), bytes, n);
}

static void madt_start(struct blob *bl, uint32_t lapic)
{
	bl->len = 0;
	w32(blob_add(bl, 4), lapic);
	w32(blob_add(bl, 4), 1); /* PCAT_COMPAT */
}

static void madt_lapic(struct blob *bl, uint8_t uid, uint8_t id,
		       uint32_t flags)
{
	uint8_t *e = blob_add(bl, 8);

	e[0] = 0;
	e[1] = 8;
	e[2] = uid;
	e[3] = id;
	w32(e + 4, flags);
}

static void madt_x2apic(struct blob *bl, uint32_t id, uint32_t uid,
			uint32_t flags)
{
	uint8_t *e = blob_add(bl, 16);

	e[0] = 9;
	e[1] = 16;
	w32(e + 4, id);
	w32(e + 8, flags);
	w32(e + 12, uid);
}

static void madt_ioapic(struct blob *bl, uint8_t id, uint32_t addr,
			uint32_t gsi_base)
{
	uint8_t *e = blob_add(bl, 12);

	e[0] = 1;
	e[1] = 12;
	e[2] = id;
	w32(e + 4, addr);
	w32(e + 8, gsi_base);
}

static void madt_iso(struct blob *bl, uint8_t irq, uint32_t gsi,
		     uint16_t flags)
{
	uint8_t *e = blob_add(bl, 10);

	e[0] = 2;
	e[1] = 10;
	e[2] = 0;
	e[3] = irq;
	w32(e + 4, gsi);
	w16(e + 8, flags);
}

static void madt_nmi(struct blob *bl, uint8_t uid, uint16_t flags,
		     uint8_t lint)
{
	uint8_t *e = blob_add(bl, 6);

	e[0] = 4;
	e[1] = 6;
	e[2] = uid;
	w16(e + 3, flags);
	e[5] = lint;
}

/* The MADT of a 4-CPU QEMU-like machine, CPU 3 disabled. */
static void standard_madt(struct blob *bl)
{
	madt_start(bl, 0xfee00000);
	madt_lapic(bl, 0, 0, 1);
	madt_lapic(bl, 1, 1, 1);
	madt_lapic(bl, 2, 2, 1);
	madt_lapic(bl, 3, 3, 2); /* disabled, online capable */
	madt_ioapic(bl, 0, 0xfec00000, 0);
	madt_iso(bl, 0, 2, 0);
	madt_iso(bl, 9, 9, ACPI_INTI_TRIGGER_LEVEL | ACPI_INTI_POLARITY_HIGH);
	madt_nmi(bl, 0xff, 0, 1);
}

struct fadt_opts {
	uint8_t rev;
	uint32_t len;
	uint64_t dsdt32, x_dsdt;
	uint64_t x_pm1a;
};

static uint64_t put_fadt(const struct fadt_opts *o)
{
	uint8_t body[276 - 36] = { 0 };
/* F(off): the byte at the spec's offset @off in the table. */
#define F(off) (body + ((off) - 36))

	w32(F(40), (uint32_t)o->dsdt32);
	w16(F(46), 9); /* SCI_INT */
	w32(F(48), 0xb2); /* SMI_CMD */
	F(52)[0] = 0xf1; /* ACPI_ENABLE */
	F(53)[0] = 0xf0; /* ACPI_DISABLE */
	w32(F(56), 0x600); /* PM1a_EVT_BLK */
	w32(F(64), 0x604); /* PM1a_CNT_BLK */
	w32(F(68), 0); /* PM1b_CNT_BLK */
	w32(F(76), 0x608); /* PM_TMR_BLK */
	F(88)[0] = 4;
	F(89)[0] = 2; /* PM1_CNT_LEN */
	F(91)[0] = 4; /* PM_TMR_LEN */
	F(108)[0] = 0x32; /* CENTURY */
	w16(F(109), ACPI_BOOT_8042 | ACPI_BOOT_VGA_NOT_PRESENT);
	w32(F(112), ACPI_FADT_RESET_REG_SUP | ACPI_FADT_TMR_VAL_EXT);
	F(116)[0] = ACPI_GAS_IO; /* RESET_REG */
	F(117)[0] = 8;
	w64(F(120), 0xcf9);
	F(128)[0] = 0x06; /* RESET_VALUE */
	w64(F(140), o->x_dsdt);
	F(172)[0] = ACPI_GAS_IO; /* X_PM1a_CNT_BLK */
	F(173)[0] = 16;
	w64(F(176), o->x_pm1a);
#undef F
	return put_table("FACP", o->rev, body, o->len - 36);
}

static uint64_t put_hpet(void)
{
	uint8_t body[56 - 36] = { 0 };
#define F(off) (body + ((off) - 36))

	w32(F(36), 0x8086a201);
	F(40)[0] = ACPI_GAS_MEMORY;
	F(41)[0] = 64;
	w64(F(44), 0xfed00000);
	F(52)[0] = 0;
	w16(F(53), 0x80);
#undef F
	return put_table("HPET", 1, body, sizeof(body));
}

static uint64_t put_mcfg(unsigned entries)
{
	struct blob bl = { .len = 0 };

	blob_add(&bl, 8);
	for (unsigned i = 0; i < entries; i++) {
		uint8_t *e = blob_add(&bl, 16);

		w64(e, 0xb0000000ull + (uint64_t)i * 0x10000000);
		w16(e + 8, (uint16_t)i);
		e[10] = 0;
		e[11] = 255;
	}
	return put_table("MCFG", 1, bl.b, bl.len);
}

/* A DSDT: some AML before and after the given \_S5 bytes. */
static uint64_t put_dsdt(const uint8_t *s5, size_t s5_len)
{
	/* Scope (\_SB) { Name (FOO, 0x5F) } with "_S5_" in a string. */
	static const uint8_t before[] = {
		0x10, 0x0d, '\\', '_', 'S', 'B', '_',
		0x08, 'F',  'O',  'O', '_', 0x0a, 0x5f,
		0x0d, '_',  'S',  '5', '_', 0x00,
	};
	static const uint8_t after[] = { 0x08, 'B', 'A', 'R', '_', 0x01 };
	struct blob bl = { .len = 0 };

	blob_bytes(&bl, before, sizeof(before));
	blob_bytes(&bl, s5, s5_len);
	blob_bytes(&bl, after, sizeof(after));
	return put_table("DSDT", 2, bl.b, bl.len);
}

static const uint8_t qemu_s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06,
				   0x04, 0x00, 0x00, 0x00, 0x00 };
static const uint8_t byte_s5[] = { 0x08, '_',  'S',  '5',  '_',
				   0x12, 0x06, 0x02, 0x0a, 0x07,
				   0x0a, 0x03 };

struct system {
	uint64_t madt, fadt, hpet, mcfg, dsdt, rsdt, xsdt;
	uint8_t rsdp[36];
};

static uint64_t put_root(const char *sig, const uint64_t *tables, size_t n,
			 unsigned entry_size)
{
	uint8_t body[64 * 8];

	for (size_t i = 0; i < n; i++) {
		if (entry_size == 8) {
			w64(body + i * 8, tables[i]);
		} else {
			w32(body + i * 4, (uint32_t)tables[i]);
		}
	}
	return put_table(sig, 1, body, n * entry_size);
}

static void make_rsdp(uint8_t *r, uint8_t rev, uint64_t rsdt, uint64_t xsdt)
{
	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "KEELOS", 6);
	r[15] = rev;
	w32(r + 16, (uint32_t)rsdt);
	w32(r + 20, 36);
	w64(r + 24, xsdt);
	r[8] = (uint8_t)(0x100 - sum(r, 20));
	r[32] = (uint8_t)(0x100 - sum(r, 36));
}

/* The whole QEMU-like table set; @rev 0 gives RSDT only, 2 adds XSDT. */
static void make_system(struct system *s, uint8_t rev)
{
	struct blob bl;
	struct fadt_opts fo = { .rev = 3, .len = 244 };
	uint64_t tables[4];

	fake_reset();
	standard_madt(&bl);
	s->madt = put_table("APIC", 3, bl.b, bl.len);
	s->dsdt = put_dsdt(qemu_s5, sizeof(qemu_s5));
	fo.dsdt32 = s->dsdt;
	fo.x_dsdt = rev >= 2 ? s->dsdt : 0;
	fo.x_pm1a = rev >= 2 ? 0x604 : 0;
	s->fadt = put_fadt(&fo);
	s->hpet = put_hpet();
	s->mcfg = put_mcfg(1);
	tables[0] = s->fadt;
	tables[1] = s->madt;
	tables[2] = s->hpet;
	tables[3] = s->mcfg;
	s->rsdt = put_root("RSDT", tables, 4, 4);
	s->xsdt = rev >= 2 ? put_root("XSDT", tables, 4, 8) : 0;
	make_rsdp(s->rsdp, rev, s->rsdt, s->xsdt);
}

static struct acpi_info info;

static err_t parse(const struct system *s, size_t rsdp_len)
{
	err_t err = acpi_parse(s->rsdp, rsdp_len, fake_map, NULL, &info);

	fake_release();
	return err;
}

/* What every test built on make_system should find. */
static void check_standard(void)
{
	CHECK(info.has_madt);
	CHECK_EQ(info.lapic_address, 0xfee00000);
	CHECK_EQ(info.madt_flags, 1);
	CHECK_EQ(info.cpu_count, 4);
	for (unsigned i = 0; i < 4 && i < info.cpu_count; i++) {
		CHECK_EQ(info.cpus[i].apic_id, i);
		CHECK_EQ(info.cpus[i].uid, i);
		CHECK_EQ(info.cpus[i].enabled, i != 3);
		CHECK_EQ(info.cpus[i].online_capable, i == 3);
		CHECK(!info.cpus[i].x2apic);
	}
	CHECK_EQ(info.ioapic_count, 1);
	CHECK_EQ(info.ioapics[0].id, 0);
	CHECK_EQ(info.ioapics[0].address, 0xfec00000);
	CHECK_EQ(info.ioapics[0].gsi_base, 0);
	CHECK_EQ(info.iso_count, 2);
	CHECK_EQ(info.isos[0].bus, 0);
	CHECK_EQ(info.isos[0].source, 0);
	CHECK_EQ(info.isos[0].gsi, 2);
	CHECK_EQ(info.isos[0].flags, 0);
	CHECK_EQ(info.isos[1].source, 9);
	CHECK_EQ(info.isos[1].gsi, 9);
	CHECK_EQ(info.isos[1].flags & ACPI_INTI_TRIGGER_MASK,
		 ACPI_INTI_TRIGGER_LEVEL);
	CHECK_EQ(info.isos[1].flags & ACPI_INTI_POLARITY_MASK,
		 ACPI_INTI_POLARITY_HIGH);
	CHECK_EQ(info.nmi_count, 1);
	CHECK_EQ(info.nmis[0].uid, ACPI_NMI_ALL_CPUS);
	CHECK_EQ(info.nmis[0].lint, 1);
	CHECK_EQ(info.madt_bad_entries, 0);

	CHECK(info.has_fadt);
	CHECK_EQ(info.fadt_revision, 3);
	CHECK_EQ(info.pm1a_cnt, 0x604);
	CHECK_EQ(info.pm1a_cnt_space, ACPI_GAS_IO);
	CHECK_EQ(info.pm1b_cnt, 0);
	CHECK_EQ(info.pm1_cnt_len, 2);
	CHECK_EQ(info.pm_tmr, 0x608);
	CHECK_EQ(info.pm_tmr_len, 4);
	CHECK(info.pm_tmr_32bit);
	CHECK_EQ(info.smi_cmd, 0xb2);
	CHECK_EQ(info.acpi_enable, 0xf1);
	CHECK_EQ(info.acpi_disable, 0xf0);
	CHECK_EQ(info.sci_int, 9);
	CHECK_EQ(info.century, 0x32);
	CHECK(info.reset_supported);
	CHECK_EQ(info.reset_reg.space, ACPI_GAS_IO);
	CHECK_EQ(info.reset_reg.bit_width, 8);
	CHECK_EQ(info.reset_reg.address, 0xcf9);
	CHECK_EQ(info.reset_value, 6);
	CHECK(info.has_8042);
	CHECK(info.vga_not_present);

	CHECK(info.has_s5);
	CHECK_EQ(info.s5_typa, 0);
	CHECK_EQ(info.s5_typb, 0);

	CHECK(info.has_hpet);
	CHECK_EQ(info.hpet_address, 0xfed00000);
	CHECK_EQ(info.hpet_block_id, 0x8086a201);
	CHECK_EQ(info.hpet_min_tick, 0x80);
	CHECK_EQ(info.hpet_number, 0);

	CHECK_EQ(info.mcfg_count, 1);
	CHECK_EQ(info.mcfg[0].base, 0xb0000000);
	CHECK_EQ(info.mcfg[0].segment, 0);
	CHECK_EQ(info.mcfg[0].bus_start, 0);
	CHECK_EQ(info.mcfg[0].bus_end, 255);
	CHECK_EQ(info.cpus_dropped, 0);
	CHECK_EQ(info.madt_dropped, 0);
}

TEST(rsdp_v1_rsdt)
{
	struct system s;

	make_system(&s, 0);
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK(!info.uses_xsdt);
	CHECK_EQ(info.rsdp_revision, 0);
	CHECK_EQ(info.table_count, 4);
	CHECK_EQ(info.bad_tables, 0);
	CHECK_EQ(info.dsdt_address, s.dsdt);
	check_standard();
}

TEST(rsdp_v2_xsdt)
{
	struct system s;

	make_system(&s, 2);
	/* Break the RSDT: only the XSDT may be used. */
	fk(s.rsdt)[0] = 'X';
	REQUIRE(parse(&s, 36) == ERR_OK);
	CHECK(info.uses_xsdt);
	CHECK_EQ(info.rsdp_revision, 2);
	CHECK_EQ(info.table_count, 4);
	CHECK_EQ(info.bad_tables, 0);
	check_standard();
}

TEST(rsdp_v2_cut_to_20_bytes_uses_rsdt)
{
	struct system s;

	make_system(&s, 2);
	fk(s.xsdt)[0] = 'Y'; /* would be noticed if it were used */
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK(!info.uses_xsdt);
	check_standard();
}

TEST(bad_xsdt_falls_back_to_rsdt)
{
	struct system s;

	make_system(&s, 2);
	fk(s.xsdt)[40] ^= 0x55; /* checksum now wrong */
	REQUIRE(parse(&s, 36) == ERR_OK);
	CHECK(!info.uses_xsdt);
	CHECK_EQ(info.bad_tables, 1);
	check_standard();
}

TEST(bad_rsdp)
{
	struct system s;

	make_system(&s, 2);
	CHECK_EQ(acpi_parse(NULL, 36, fake_map, NULL, &info), ERR_INVALID);
	CHECK_EQ(acpi_parse(s.rsdp, 36, NULL, NULL, &info), ERR_INVALID);
	CHECK_EQ(acpi_parse(s.rsdp, 36, fake_map, NULL, NULL), ERR_INVALID);
	CHECK_EQ(parse(&s, 19), ERR_INVALID);
	CHECK_EQ(parse(&s, 0), ERR_INVALID);

	s.rsdp[8] ^= 1; /* v1 checksum */
	CHECK_EQ(parse(&s, 36), ERR_CHECKSUM);
	CHECK_EQ(parse(&s, 20), ERR_CHECKSUM);
	CHECK_EQ(info.cpu_count, 0);
	s.rsdp[8] ^= 1;

	s.rsdp[32] ^= 1; /* extended checksum */
	CHECK_EQ(parse(&s, 36), ERR_CHECKSUM);
	s.rsdp[32] ^= 1;

	s.rsdp[3] = 'X'; /* signature (checksums fixed up) */
	s.rsdp[8] = 0;
	s.rsdp[8] = (uint8_t)(0x100 - sum(s.rsdp, 20));
	CHECK_EQ(parse(&s, 36), ERR_CORRUPT);
}

TEST(no_usable_root_table)
{
	struct system s;

	make_system(&s, 0);
	fk(s.rsdt)[20] ^= 1;
	CHECK_EQ(parse(&s, 20), ERR_CORRUPT);
	CHECK(!info.has_madt);

	make_system(&s, 2);
	fk(s.rsdt)[0] = 'Q';
	seal(s.rsdt);
	fk(s.xsdt)[0] = 'Q';
	seal(s.xsdt);
	CHECK_EQ(parse(&s, 36), ERR_CORRUPT);

	/* Root tables outside memory, and none at all. */
	make_rsdp(s.rsdp, 2, 0xdead0000, 0xffffffffffff0000ull);
	CHECK_EQ(parse(&s, 36), ERR_CORRUPT);
	make_rsdp(s.rsdp, 0, 0, 0);
	CHECK_EQ(parse(&s, 20), ERR_CORRUPT);
}

TEST(bad_table_checksum_skipped)
{
	struct system s;

	make_system(&s, 2);
	fk(s.madt)[50] ^= 0x80;
	REQUIRE(parse(&s, 36) == ERR_OK);
	CHECK_EQ(info.bad_tables, 1);
	CHECK(!info.has_madt);
	CHECK_EQ(info.cpu_count, 0);
	CHECK(info.has_fadt);
	CHECK(info.has_hpet);
	CHECK_EQ(info.mcfg_count, 1);
	CHECK(info.has_s5);
}

TEST(table_shorter_than_header)
{
	struct system s;

	make_system(&s, 2);
	w32(fk(s.hpet) + 4, 20);
	seal(s.hpet);
	REQUIRE(parse(&s, 36) == ERR_OK);
	CHECK_EQ(info.bad_tables, 1);
	CHECK(!info.has_hpet);
	CHECK(info.has_madt);

	/* Long enough for a header, too short for its type. */
	make_system(&s, 2);
	w32(fk(s.hpet) + 4, 40);
	seal(s.hpet);
	w32(fk(s.fadt) + 4, 100);
	seal(s.fadt);
	w32(fk(s.madt) + 4, 40);
	seal(s.madt);
	REQUIRE(parse(&s, 36) == ERR_OK);
	CHECK_EQ(info.bad_tables, 3);
	CHECK(!info.has_hpet);
	CHECK(!info.has_fadt);
	CHECK(!info.has_madt);
	CHECK(!info.has_s5);
	CHECK_EQ(info.mcfg_count, 1);
}

TEST(table_past_mapped_memory)
{
	struct system s;
	uint64_t tables[5];
	uint64_t edge;
	uint8_t *t;

	make_system(&s, 2);
	/* A table whose header is mapped but whose length runs off the end
	 * of memory, and one that is wholly outside. */
	edge = FAKE_BASE + FAKE_SIZE - 40;
	t = fk(edge);
	memcpy(t, "SSDT", 4);
	w32(t + 4, 0x1000);
	tables[0] = s.fadt;
	tables[1] = edge;
	tables[2] = 0xfee00000;
	tables[3] = FAKE_BASE + FAKE_SIZE - 8; /* header cut off */
	tables[4] = 0;
	s.xsdt = put_root("XSDT", tables, 5, 8);
	make_rsdp(s.rsdp, 2, s.rsdt, s.xsdt);
	REQUIRE(parse(&s, 36) == ERR_OK);
	CHECK(info.uses_xsdt);
	CHECK_EQ(info.table_count, 5);
	CHECK_EQ(info.bad_tables, 4);
	CHECK(info.has_fadt);
	CHECK(info.has_s5);
}

TEST(huge_length_refused)
{
	struct system s;

	make_system(&s, 2);
	w32(fk(s.madt) + 4, 0xffffffffu);
	REQUIRE(parse(&s, 36) == ERR_OK);
	CHECK_EQ(info.bad_tables, 1);
	CHECK(!info.has_madt);
}

/* Builds a system whose MADT body is @bl. */
static void system_with_madt(struct system *s, const struct blob *bl)
{
	uint64_t tables[1];

	fake_reset();
	s->madt = put_table("APIC", 3, bl->b, bl->len);
	tables[0] = s->madt;
	s->rsdt = put_root("RSDT", tables, 1, 4);
	make_rsdp(s->rsdp, 0, s->rsdt, 0);
}

TEST(madt_zero_length_entry_stops)
{
	struct system s;
	struct blob bl;
	uint8_t *e;

	madt_start(&bl, 0xfee00000);
	madt_lapic(&bl, 0, 0, 1);
	e = blob_add(&bl, 8); /* type 0, length 0 */
	e[0] = 0;
	madt_lapic(&bl, 1, 1, 1);
	system_with_madt(&s, &bl);
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK(info.has_madt);
	CHECK_EQ(info.cpu_count, 1);
	CHECK_EQ(info.madt_bad_entries, 1);
	CHECK_EQ(info.bad_tables, 0);

	/* Length 1 is as bad. */
	bl.b[8 + 8 + 1] = 1;
	system_with_madt(&s, &bl);
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK_EQ(info.cpu_count, 1);
	CHECK_EQ(info.madt_bad_entries, 1);
}

TEST(madt_entry_past_table_stops)
{
	struct system s;
	struct blob bl;

	madt_start(&bl, 0xfee00000);
	madt_lapic(&bl, 0, 0, 1);
	madt_ioapic(&bl, 0, 0xfec00000, 0);
	bl.b[bl.len - 12 + 1] = 40; /* claims to run past the end */
	system_with_madt(&s, &bl);
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK_EQ(info.cpu_count, 1);
	CHECK_EQ(info.ioapic_count, 0);
	CHECK_EQ(info.madt_bad_entries, 1);

	/* A single stray byte after the last entry. */
	madt_start(&bl, 0xfee00000);
	madt_lapic(&bl, 0, 0, 1);
	blob_add(&bl, 1)[0] = 9;
	system_with_madt(&s, &bl);
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK_EQ(info.cpu_count, 1);
	CHECK_EQ(info.madt_bad_entries, 1);
}

TEST(madt_short_entries_skipped)
{
	struct system s;
	struct blob bl;
	uint8_t *e;

	madt_start(&bl, 0xfee00000);
	e = blob_add(&bl, 4); /* an IOAPIC entry too short to hold one */
	e[0] = 1;
	e[1] = 4;
	e = blob_add(&bl, 6); /* an ISO entry too short */
	e[0] = 2;
	e[1] = 6;
	e = blob_add(&bl, 20); /* unknown type: skipped silently */
	e[0] = 0x7f;
	e[1] = 20;
	madt_lapic(&bl, 0, 0, 1);
	madt_ioapic(&bl, 2, 0xfec01000, 24);
	system_with_madt(&s, &bl);
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK_EQ(info.madt_bad_entries, 2);
	CHECK_EQ(info.cpu_count, 1);
	CHECK_EQ(info.ioapic_count, 1);
	CHECK_EQ(info.ioapics[0].id, 2);
	CHECK_EQ(info.ioapics[0].gsi_base, 24);
	CHECK_EQ(info.iso_count, 0);
}

TEST(madt_too_many_entries)
{
	struct system s;
	struct blob bl;

	madt_start(&bl, 0xfee00000);
	for (uint32_t i = 0; i < 300; i++) {
		madt_x2apic(&bl, i, 1000 + i, 1);
	}
	for (uint8_t i = 0; i < 20; i++) {
		madt_ioapic(&bl, i, 0xfec00000u + i * 0x1000u, i * 24u);
	}
	for (uint8_t i = 0; i < 30; i++) {
		madt_iso(&bl, i, i, 0);
	}
	for (uint8_t i = 0; i < 20; i++) {
		madt_nmi(&bl, i, 0, 1);
	}
	system_with_madt(&s, &bl);
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK_EQ(info.cpu_count, ACPI_MAX_CPUS);
	CHECK_EQ(info.cpus_dropped, 300 - ACPI_MAX_CPUS);
	CHECK_EQ(info.cpus[255].apic_id, 255);
	CHECK_EQ(info.cpus[255].uid, 1255);
	CHECK(info.cpus[255].x2apic);
	CHECK(info.cpus[255].enabled);
	CHECK_EQ(info.ioapic_count, ACPI_MAX_IOAPICS);
	CHECK_EQ(info.iso_count, ACPI_MAX_ISOS);
	CHECK_EQ(info.nmi_count, ACPI_MAX_NMIS);
	CHECK_EQ(info.madt_dropped, (20 - ACPI_MAX_IOAPICS) +
					    (30 - ACPI_MAX_ISOS) +
					    (20 - ACPI_MAX_NMIS));
	CHECK_EQ(info.madt_bad_entries, 0);
}

TEST(madt_x2apic_override_and_duplicates)
{
	struct system s;
	struct blob bl;
	uint8_t *e;

	madt_start(&bl, 0xfee00000);
	madt_lapic(&bl, 0, 0, 1);
	madt_lapic(&bl, 1, 1, 0);     /* unusable: ignored */
	madt_x2apic(&bl, 0, 0, 1);    /* the same CPU again */
	madt_x2apic(&bl, 0x100, 7, 2); /* online capable */
	e = blob_add(&bl, 12);        /* local APIC address override */
	e[0] = 5;
	e[1] = 12;
	w64(e + 4, 0x1fee00000ull);
	e = blob_add(&bl, 12);        /* x2APIC NMI */
	e[0] = 0xa;
	e[1] = 12;
	w16(e + 2, 5);
	w32(e + 4, 7);
	e[8] = 0;
	system_with_madt(&s, &bl);
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK_EQ(info.lapic_address, 0x1fee00000ull);
	CHECK_EQ(info.cpu_count, 2);
	CHECK_EQ(info.cpus[0].apic_id, 0);
	CHECK(!info.cpus[0].x2apic);
	CHECK_EQ(info.cpus[1].apic_id, 0x100);
	CHECK_EQ(info.cpus[1].uid, 7);
	CHECK(!info.cpus[1].enabled);
	CHECK(info.cpus[1].online_capable);
	CHECK_EQ(info.nmi_count, 1);
	CHECK_EQ(info.nmis[0].uid, 7);
	CHECK_EQ(info.nmis[0].flags, 5);
	CHECK_EQ(info.nmis[0].lint, 0);
}

TEST(first_madt_wins)
{
	struct system s;
	struct blob bl;
	uint64_t tables[2];

	fake_reset();
	madt_start(&bl, 0xfee00000);
	madt_lapic(&bl, 0, 0, 1);
	tables[0] = put_table("APIC", 3, bl.b, bl.len);
	madt_lapic(&bl, 1, 1, 1);
	tables[1] = put_table("APIC", 3, bl.b, bl.len);
	s.rsdt = put_root("RSDT", tables, 2, 4);
	make_rsdp(s.rsdp, 0, s.rsdt, 0);
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK_EQ(info.cpu_count, 1);
}

/* A system with one FADT from @fo (and the DSDT it names). */
static void system_with_fadt(struct system *s, struct fadt_opts *fo,
			     const uint8_t *s5, size_t s5_len)
{
	uint64_t tables[1];

	fake_reset();
	s->dsdt = put_dsdt(s5, s5_len);
	if (fo->dsdt32 == 1) {
		fo->dsdt32 = s->dsdt;
	}
	if (fo->x_dsdt == 1) {
		fo->x_dsdt = s->dsdt;
	}
	s->fadt = put_fadt(fo);
	tables[0] = s->fadt;
	s->rsdt = put_root("RSDT", tables, 1, 4);
	make_rsdp(s->rsdp, 0, s->rsdt, 0);
}

TEST(fadt_x_fields_preferred)
{
	struct system s;
	struct fadt_opts fo = {
		.rev = 5, .len = 268, .dsdt32 = 0xdead0000, .x_dsdt = 1,
		.x_pm1a = 0x1804,
	};

	system_with_fadt(&s, &fo, byte_s5, sizeof(byte_s5));
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK_EQ(info.bad_tables, 0);
	CHECK_EQ(info.dsdt_address, s.dsdt);
	CHECK_EQ(info.pm1a_cnt, 0x1804);
	CHECK_EQ(info.pm1a_cnt_space, ACPI_GAS_IO);
	CHECK(info.has_s5);
	CHECK_EQ(info.s5_typa, 7);
	CHECK_EQ(info.s5_typb, 3);
}

TEST(fadt_revision_1)
{
	struct system s;
	struct fadt_opts fo = { .rev = 1, .len = 116, .dsdt32 = 1 };

	system_with_fadt(&s, &fo, qemu_s5, sizeof(qemu_s5));
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK(info.has_fadt);
	CHECK_EQ(info.fadt_revision, 1);
	CHECK_EQ(info.pm1a_cnt, 0x604);
	CHECK_EQ(info.dsdt_address, s.dsdt);
	CHECK(!info.reset_supported);   /* no reset register in 1.0 */
	CHECK_EQ(info.reset_reg.address, 0);
	CHECK_EQ(info.iapc_boot_arch, 0);
	CHECK(info.has_8042);
	CHECK(!info.vga_not_present);
	CHECK(info.has_s5);
}

TEST(fadt_bad_dsdt)
{
	struct system s;
	struct fadt_opts fo = { .rev = 3, .len = 244, .dsdt32 = 1 };

	system_with_fadt(&s, &fo, qemu_s5, sizeof(qemu_s5));
	fk(s.dsdt)[40] ^= 1;
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK(info.has_fadt);
	CHECK(!info.has_s5);
	CHECK_EQ(info.bad_tables, 1);

	/* A DSDT pointer to something that is not a DSDT. */
	fo.dsdt32 = 1;
	system_with_fadt(&s, &fo, qemu_s5, sizeof(qemu_s5));
	fk(s.dsdt)[0] = 'S';
	seal(s.dsdt);
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK(!info.has_s5);
	CHECK_EQ(info.bad_tables, 1);
}

TEST(mcfg_limits)
{
	struct system s;
	uint64_t tables[1];

	fake_reset();
	tables[0] = put_mcfg(20);
	s.rsdt = put_root("RSDT", tables, 1, 4);
	make_rsdp(s.rsdp, 0, s.rsdt, 0);
	REQUIRE(parse(&s, 20) == ERR_OK);
	CHECK_EQ(info.mcfg_count, ACPI_MAX_MCFG);
	CHECK_EQ(info.mcfg_dropped, 20 - ACPI_MAX_MCFG);
	CHECK_EQ(info.mcfg[15].segment, 15);
	CHECK_EQ(info.mcfg[15].base, 0xb0000000ull + 15 * 0x10000000ull);
}

/* Runs acpi_aml_find_s5 on an exact-size heap copy of @aml. */
static err_t find_s5(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
	uint8_t *copy = malloc(len ? len : 1);
	err_t err;

	memcpy(copy, aml, len);
	err = acpi_aml_find_s5(copy, len, a, b);
	free(copy);
	return err;
}

TEST(s5_variants)
{
	static const uint8_t root[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12,
					0x06, 0x02, 0x0a, 0x05, 0x0a, 0x06 };
	static const uint8_t parent[] = { 0x08, '^', '^', '_', 'S', '5',
					  '_',  0x12, 0x04, 0x02, 0x01, 0x00 };
	static const uint8_t word[] = { 0x08, '_',  'S',  '5',  '_', 0x12,
					0x0a, 0x02, 0x0b, 0x07, 0x00, 0x0c,
					0x01, 0x00, 0x00, 0x00 };
	/* PkgLength in two bytes: lead 0x41 (one more byte, low nibble 1),
	 * then 0x04: 1 | 0x04 << 4 = 65 bytes from the lead byte on. */
	uint8_t two[6 + 0x41] = { 0x08, '_', 'S', '5', '_', 0x12,
				  0x41, 0x04, 0x03, 0x0a, 0x05, 0x0a, 0x04,
				  0x00 };
	static const uint8_t single[] = { 0x08, '_', 'S', '5', '_', 0x12,
					  0x05, 0x01, 0x0b, 0x07, 0x05 };
	uint8_t a = 0xee, b = 0xee;

	CHECK_EQ(find_s5(qemu_s5, sizeof(qemu_s5), &a, &b), ERR_OK);
	CHECK_EQ(a, 0);
	CHECK_EQ(b, 0);
	CHECK_EQ(find_s5(byte_s5, sizeof(byte_s5), &a, &b), ERR_OK);
	CHECK_EQ(a, 7);
	CHECK_EQ(b, 3);
	CHECK_EQ(find_s5(root, sizeof(root), &a, &b), ERR_OK);
	CHECK_EQ(a, 5);
	CHECK_EQ(b, 6);
	CHECK_EQ(find_s5(parent, sizeof(parent), &a, &b), ERR_OK);
	CHECK_EQ(a, 1);
	CHECK_EQ(b, 0);
	CHECK_EQ(find_s5(word, sizeof(word), &a, &b), ERR_OK);
	CHECK_EQ(a, 7);
	CHECK_EQ(b, 1);
	CHECK_EQ(find_s5(two, sizeof(two), &a, &b), ERR_OK);
	CHECK_EQ(a, 5);
	CHECK_EQ(b, 4);
	CHECK_EQ(find_s5(single, sizeof(single), &a, &b), ERR_OK);
	CHECK_EQ(a, 7);
	CHECK_EQ(b, 5);
}

TEST(s5_not_found)
{
	/* The name without NameOp (in a string), as a method, nothing. */
	static const uint8_t in_string[] = { 0x0d, '_', 'S', '5', '_', 0x00,
					     0x12, 0x03, 0x01, 0x00 };
	static const uint8_t method[] = { 0x14, 0x08, '_', 'S', '5', '_',
					  0x00, 0xa4, 0x00 };
	static const uint8_t other[] = { 0x08, '_', 'S', '4', '_', 0x12,
					 0x04, 0x02, 0x00, 0x00 };
	static const uint8_t not_pkg[] = { 0x08, '_', 'S', '5', '_', 0x0a,
					   0x05 };
	uint8_t a = 0xee, b = 0xee;

	CHECK_EQ(find_s5(in_string, sizeof(in_string), &a, &b),
		 ERR_NOT_FOUND);
	CHECK_EQ(find_s5(method, sizeof(method), &a, &b), ERR_NOT_FOUND);
	CHECK_EQ(find_s5(other, sizeof(other), &a, &b), ERR_NOT_FOUND);
	CHECK_EQ(find_s5(not_pkg, sizeof(not_pkg), &a, &b), ERR_NOT_FOUND);
	CHECK_EQ(find_s5(qemu_s5, 0, &a, &b), ERR_NOT_FOUND);
	CHECK_EQ(acpi_aml_find_s5(NULL, 100, &a, &b), ERR_NOT_FOUND);
	/* The name at the very start has no room for a NameOp. */
	CHECK_EQ(find_s5(qemu_s5 + 1, sizeof(qemu_s5) - 1, &a, &b),
		 ERR_NOT_FOUND);
	CHECK_EQ(a, 0xee);
	CHECK_EQ(b, 0xee);
}

TEST(s5_corrupt)
{
	/* Elements that are not integers (a NameString, a String). */
	static const uint8_t named[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x07,
					 0x02, 'A', 'B', 'C', 'D', 0x00 };
	static const uint8_t zero_elems[] = { 0x08, '_', 'S', '5', '_', 0x12,
					      0x02, 0x00 };
	/* PkgLength longer than the AML. */
	static const uint8_t too_long[] = { 0x08, '_', 'S', '5', '_', 0x12,
					    0x30, 0x02, 0x00, 0x00 };
	/* PkgLength too short for its elements. */
	static const uint8_t too_short[] = { 0x08, '_', 'S', '5', '_', 0x12,
					     0x03, 0x02, 0x0a, 0x05, 0x00 };
	/* An integer that runs past the package end (the bytes after it
	 * belong to the next object). */
	static const uint8_t int_past_end[] = { 0x08, '_',  'S',  '5', '_',
						0x12, 0x05, 0x02, 0x0a, 0x05,
						0x0b, 0x07, 0x00 };
	/* Four-byte PkgLength with the bytes cut off. */
	static const uint8_t cut_len[] = { 0x08, '_', 'S', '5', '_', 0x12,
					   0xc5, 0x01 };
	/* A corrupt candidate, then a good one: the good one wins. */
	static const uint8_t second[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x02,
					  0x02, 0x08, '_', 'S', '5', '_',
					  0x12, 0x04, 0x02, 0x01, 0x01 };
	uint8_t a = 0xee, b = 0xee;

	CHECK_EQ(find_s5(named, sizeof(named), &a, &b), ERR_CORRUPT);
	CHECK_EQ(find_s5(zero_elems, sizeof(zero_elems), &a, &b),
		 ERR_CORRUPT);
	CHECK_EQ(find_s5(too_long, sizeof(too_long), &a, &b), ERR_CORRUPT);
	CHECK_EQ(find_s5(too_short, sizeof(too_short), &a, &b), ERR_CORRUPT);
	CHECK_EQ(find_s5(cut_len, sizeof(cut_len), &a, &b), ERR_CORRUPT);
	CHECK_EQ(find_s5(int_past_end, sizeof(int_past_end), &a, &b),
		 ERR_CORRUPT);
	CHECK_EQ(a, 0xee);
	CHECK_EQ(find_s5(second, sizeof(second), &a, &b), ERR_OK);
	CHECK_EQ(a, 1);
	CHECK_EQ(b, 1);
}

TEST(s5_every_truncation)
{
	static const uint8_t dword[] = { 0x08, '\\', '_',  'S',  '5',  '_',
					 0x12, 0x0c, 0x02, 0x0c, 0x05, 0x00,
					 0x00, 0x00, 0x0c, 0x05, 0x00, 0x00,
					 0x00 };
	uint8_t a, b;

	/* Every prefix shorter than the whole package is refused cleanly
	 * (ASan checks that nothing past the prefix is read). */
	for (size_t len = 0; len < sizeof(dword); len++) {
		err_t err = find_s5(dword, len, &a, &b);

		CHECK(err == ERR_NOT_FOUND || err == ERR_CORRUPT);
	}
	CHECK_EQ(find_s5(dword, sizeof(dword), &a, &b), ERR_OK);
	CHECK_EQ(a, 5);
	CHECK_EQ(b, 5);
}

static uint64_t rng_state = 0x4143504953ull;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

TEST(fuzz_tables)
{
	static uint8_t pristine[FAKE_SIZE];
	struct system s;
	const uint64_t *targets[4];
	uint64_t lens[4];

	make_system(&s, 2);
	memcpy(pristine, fake_mem, sizeof(pristine));
	targets[0] = &s.madt;
	targets[1] = &s.fadt;
	targets[2] = &s.dsdt;
	targets[3] = &s.xsdt;
	for (int i = 0; i < 4; i++) {
		const uint8_t *t = fk(*targets[i]);

		lens[i] = t[4] | t[5] << 8;
	}
	for (int iter = 0; iter < 4000; iter++) {
		int which = (int)(rng_next() % 4);
		uint64_t phys = *targets[which];
		int flips = 1 + (int)(rng_next() % 6);
		err_t err;

		memcpy(fake_mem, pristine, sizeof(fake_mem));
		for (int f = 0; f < flips; f++) {
			uint64_t off = rng_next() % lens[which];

			/* Mostly in the body; sometimes the length field. */
			if (rng_next() % 8 == 0) {
				off = 4 + rng_next() % 4;
			}
			fk(phys)[off] = (uint8_t)rng_next();
		}
		/* Fix the checksum most of the time to get past it. */
		if (rng_next() % 4) {
			uint8_t *t = fk(phys);
			uint32_t len = t[4] | t[5] << 8 | t[6] << 16 |
				       (uint32_t)t[7] << 24;

			if (len >= 36 && phys - FAKE_BASE + len <= FAKE_SIZE) {
				seal(phys);
			}
		}
		err = parse(&s, 36);
		CHECK(err == ERR_OK || err == ERR_CORRUPT);
		CHECK(info.cpu_count <= ACPI_MAX_CPUS);
		CHECK(info.ioapic_count <= ACPI_MAX_IOAPICS);
		CHECK(info.iso_count <= ACPI_MAX_ISOS);
		CHECK(info.nmi_count <= ACPI_MAX_NMIS);
		CHECK(info.mcfg_count <= ACPI_MAX_MCFG);
	}
}

TEST(map_calls_bounded)
{
	struct system s;

	make_system(&s, 2);
	fake_maps = 0;
	REQUIRE(parse(&s, 36) == ERR_OK);
	/* Two per table (header, whole): XSDT, four tables, DSDT. */
	CHECK_EQ(fake_maps, 12);
}

int main(void)
{
	RUN(rsdp_v1_rsdt);
	RUN(rsdp_v2_xsdt);
	RUN(rsdp_v2_cut_to_20_bytes_uses_rsdt);
	RUN(bad_xsdt_falls_back_to_rsdt);
	RUN(bad_rsdp);
	RUN(no_usable_root_table);
	RUN(bad_table_checksum_skipped);
	RUN(table_shorter_than_header);
	RUN(table_past_mapped_memory);
	RUN(huge_length_refused);
	RUN(madt_zero_length_entry_stops);
	RUN(madt_entry_past_table_stops);
	RUN(madt_short_entries_skipped);
	RUN(madt_too_many_entries);
	RUN(madt_x2apic_override_and_duplicates);
	RUN(first_madt_wins);
	RUN(fadt_x_fields_preferred);
	RUN(fadt_revision_1);
	RUN(fadt_bad_dsdt);
	RUN(mcfg_limits);
	RUN(s5_variants);
	RUN(s5_not_found);
	RUN(s5_corrupt);
	RUN(s5_every_truncation);
	RUN(fuzz_tables);
	RUN(map_calls_bounded);
	return check_done();
}
