/*
 * ACPI table parser (see tables.h).
 *
 * Every table is reached in two steps: map its 36-byte header to learn the
 * length, then map the whole table and check the length again, the
 * checksum, and the minimum size of its type. Only then are fields read,
 * each at a fixed offset and only when the table is long enough to hold
 * it, so older and shorter revisions of a table simply leave the newer
 * fields zero. The first valid table of each type wins; later duplicates
 * are ignored.
 *
 * The MADT walk stops at the first entry whose length is below 2 or runs
 * past the table, so a zero-length entry cannot loop forever.
 */
#include <acpi/tables.h>

#define ACPI_HEADER_LEN 36
#define ACPI_MAX_TABLE_LEN (16u << 20) /* sanity bound for a table */

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

#define MADT_ENTRIES 44
#define FADT_MIN_LEN 116 /* the ACPI 1.0 FADT */
#define HPET_MIN_LEN 56
#define MCFG_ENTRIES 44
#define MCFG_ENTRY_LEN 16

/* FADT field offsets. */
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_ACPI_DISABLE 53
#define FADT_PM1A_CNT 64
#define FADT_PM1B_CNT 68
#define FADT_PM_TMR 76
#define FADT_PM1_CNT_LEN 89
#define FADT_PM_TMR_LEN 91
#define FADT_CENTURY 108
#define FADT_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT 172
#define FADT_X_PM1B_CNT 184
#define FADT_X_PM_TMR 208

#define GAS_LEN 12

/* AML opcodes and prefixes. */
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP 0x12
#define AML_ONES_OP 0xff
#define AML_ROOT_CHAR '\\'
#define AML_PARENT_CHAR '^'

struct parser {
	acpi_map_fn map;
	void *ctx;
	struct acpi_info *info;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static bool sig_is(const uint8_t *p, const char *sig)
{
	return p[0] == (uint8_t)sig[0] && p[1] == (uint8_t)sig[1] &&
	       p[2] == (uint8_t)sig[2] && p[3] == (uint8_t)sig[3];
}

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++) {
		sum = (uint8_t)(sum + p[i]);
	}
	return sum;
}

static struct acpi_gas read_gas(const uint8_t *p)
{
	return (struct acpi_gas){
		.space = p[0],
		.bit_width = p[1],
		.bit_offset = p[2],
		.access_size = p[3],
		.address = rd64(p + 4),
	};
}

/*
 * Maps the table at @phys whole and validates it (length at least a
 * header and at most ACPI_MAX_TABLE_LEN, the same length in both
 * mappings, checksum). Returns the table and its length, or NULL.
 */
static const uint8_t *map_table(const struct parser *ps, uint64_t phys,
				uint32_t *len)
{
	const uint8_t *t;
	uint32_t length;

	if (!phys) {
		return NULL;
	}
	t = ps->map(ps->ctx, phys, ACPI_HEADER_LEN);
	if (!t) {
		return NULL;
	}
	length = rd32(t + 4);
	if (length < ACPI_HEADER_LEN || length > ACPI_MAX_TABLE_LEN) {
		return NULL;
	}
	t = ps->map(ps->ctx, phys, length);
	if (!t || rd32(t + 4) != length || checksum(t, length) != 0) {
		return NULL;
	}
	*len = length;
	return t;
}

static void add_cpu(struct acpi_info *info, uint32_t apic_id, uint32_t uid,
		    uint32_t flags, bool x2apic)
{
	struct acpi_cpu *cpu;

	/* Neither enabled nor online-capable: the processor is unusable. */
	if (!(flags & 3)) {
		return;
	}
	/* Some firmware lists a CPU both as a local APIC and an x2APIC. */
	for (unsigned i = 0; i < info->cpu_count; i++) {
		if (info->cpus[i].apic_id == apic_id) {
			return;
		}
	}
	if (info->cpu_count == ACPI_MAX_CPUS) {
		info->cpus_dropped++;
		return;
	}
	cpu = &info->cpus[info->cpu_count++];
	cpu->apic_id = apic_id;
	cpu->uid = uid;
	cpu->enabled = flags & 1;
	cpu->online_capable = !(flags & 1) && (flags & 2);
	cpu->x2apic = x2apic;
}

static void add_nmi(struct acpi_info *info, uint32_t uid, uint16_t flags,
		    uint8_t lint)
{
	if (info->nmi_count == ACPI_MAX_NMIS) {
		info->madt_dropped++;
		return;
	}
	info->nmis[info->nmi_count++] =
		(struct acpi_nmi){ .uid = uid, .flags = flags, .lint = lint };
}

/* Reads one MADT entry @e of @len bytes (at least 2); false if it is too
 * short for its type. Unknown types are ignored. */
static bool parse_madt_entry(struct acpi_info *info, const uint8_t *e,
			     uint8_t len)
{
	switch (e[0]) {
	case 0: /* processor local APIC */
		if (len < 8) {
			return false;
		}
		add_cpu(info, e[3], e[2], rd32(e + 4), false);
		break;
	case 1: /* I/O APIC */
		if (len < 12) {
			return false;
		}
		if (info->ioapic_count == ACPI_MAX_IOAPICS) {
			info->madt_dropped++;
			break;
		}
		info->ioapics[info->ioapic_count++] = (struct acpi_ioapic){
			.id = e[2],
			.address = rd32(e + 4),
			.gsi_base = rd32(e + 8),
		};
		break;
	case 2: /* interrupt source override */
		if (len < 10) {
			return false;
		}
		if (info->iso_count == ACPI_MAX_ISOS) {
			info->madt_dropped++;
			break;
		}
		info->isos[info->iso_count++] = (struct acpi_iso){
			.bus = e[2],
			.source = e[3],
			.gsi = rd32(e + 4),
			.flags = rd16(e + 8),
		};
		break;
	case 4: /* local APIC NMI */
		if (len < 6) {
			return false;
		}
		add_nmi(info, e[2] == 0xff ? ACPI_NMI_ALL_CPUS : e[2],
			rd16(e + 3), e[5]);
		break;
	case 5: /* local APIC address override */
		if (len < 12) {
			return false;
		}
		info->lapic_address = rd64(e + 4);
		break;
	case 9: /* processor local x2APIC */
		if (len < 16) {
			return false;
		}
		add_cpu(info, rd32(e + 4), rd32(e + 12), rd32(e + 8), true);
		break;
	case 0xa: /* local x2APIC NMI */
		if (len < 12) {
			return false;
		}
		add_nmi(info, rd32(e + 4), rd16(e + 2), e[8]);
		break;
	default:
		break;
	}
	return true;
}

static void parse_madt(struct acpi_info *info, const uint8_t *t, uint32_t len)
{
	uint32_t off = MADT_ENTRIES;

	info->has_madt = true;
	info->lapic_address = rd32(t + 36);
	info->madt_flags = rd32(t + 40);
	while (off < len) {
		uint8_t elen;

		if (len - off < 2) {
			info->madt_bad_entries++; /* a stray trailing byte */
			break;
		}
		elen = t[off + 1];
		if (elen < 2 || elen > len - off) {
			info->madt_bad_entries++;
			break;
		}
		if (!parse_madt_entry(info, t + off, elen)) {
			info->madt_bad_entries++;
		}
		off += elen;
	}
}

static void parse_fadt(struct acpi_info *info, const uint8_t *t, uint32_t len)
{
	uint8_t rev = t[8];

	info->has_fadt = true;
	info->fadt_revision = rev;
	info->fadt_flags = rd32(t + FADT_FLAGS);
	info->dsdt_address = rd32(t + FADT_DSDT);
	info->sci_int = rd16(t + FADT_SCI_INT);
	info->smi_cmd = rd32(t + FADT_SMI_CMD);
	info->acpi_enable = t[FADT_ACPI_ENABLE];
	info->acpi_disable = t[FADT_ACPI_DISABLE];
	info->pm1a_cnt = rd32(t + FADT_PM1A_CNT);
	info->pm1b_cnt = rd32(t + FADT_PM1B_CNT);
	info->pm1a_cnt_space = ACPI_GAS_IO;
	info->pm1b_cnt_space = ACPI_GAS_IO;
	info->pm1_cnt_len = t[FADT_PM1_CNT_LEN];
	info->pm_tmr = rd32(t + FADT_PM_TMR);
	info->pm_tmr_space = ACPI_GAS_IO;
	info->pm_tmr_len = t[FADT_PM_TMR_LEN];
	info->pm_tmr_32bit = info->fadt_flags & ACPI_FADT_TMR_VAL_EXT;
	info->century = t[FADT_CENTURY];

	/* IAPC_BOOT_ARCH and the reset register came with revision 2;
	 * before that the byte is reserved and an 8042 is assumed. */
	if (rev >= 2) {
		info->iapc_boot_arch = rd16(t + FADT_BOOT_ARCH);
		info->has_8042 = info->iapc_boot_arch & ACPI_BOOT_8042;
		info->vga_not_present =
			info->iapc_boot_arch & ACPI_BOOT_VGA_NOT_PRESENT;
	} else {
		info->has_8042 = true;
	}
	if (rev >= 2 && len >= FADT_RESET_VALUE + 1) {
		info->reset_reg = read_gas(t + FADT_RESET_REG);
		info->reset_value = t[FADT_RESET_VALUE];
		info->reset_supported =
			(info->fadt_flags & ACPI_FADT_RESET_REG_SUP) &&
			info->reset_reg.address != 0;
	}

	/* The 64-bit fields win when present and nonzero. */
	if (len >= FADT_X_DSDT + 8 && rd64(t + FADT_X_DSDT)) {
		info->dsdt_address = rd64(t + FADT_X_DSDT);
	}
	if (len >= FADT_X_PM1A_CNT + GAS_LEN &&
	    rd64(t + FADT_X_PM1A_CNT + 4)) {
		info->pm1a_cnt = rd64(t + FADT_X_PM1A_CNT + 4);
		info->pm1a_cnt_space = t[FADT_X_PM1A_CNT];
	}
	if (len >= FADT_X_PM1B_CNT + GAS_LEN &&
	    rd64(t + FADT_X_PM1B_CNT + 4)) {
		info->pm1b_cnt = rd64(t + FADT_X_PM1B_CNT + 4);
		info->pm1b_cnt_space = t[FADT_X_PM1B_CNT];
	}
	if (len >= FADT_X_PM_TMR + GAS_LEN && rd64(t + FADT_X_PM_TMR + 4)) {
		info->pm_tmr = rd64(t + FADT_X_PM_TMR + 4);
		info->pm_tmr_space = t[FADT_X_PM_TMR];
	}
}

static void parse_hpet(struct acpi_info *info, const uint8_t *t)
{
	struct acpi_gas base = read_gas(t + 40);

	if (base.space != ACPI_GAS_MEMORY || base.address == 0) {
		return;
	}
	info->has_hpet = true;
	info->hpet_address = base.address;
	info->hpet_block_id = rd32(t + 36);
	info->hpet_number = t[52];
	info->hpet_min_tick = rd16(t + 53);
}

static void parse_mcfg(struct acpi_info *info, const uint8_t *t, uint32_t len)
{
	for (uint32_t off = MCFG_ENTRIES; len - off >= MCFG_ENTRY_LEN;
	     off += MCFG_ENTRY_LEN) {
		const uint8_t *e = t + off;

		/* Beyond the array, or a window that makes no sense. */
		if (info->mcfg_count == ACPI_MAX_MCFG || rd64(e) == 0 ||
		    e[11] < e[10]) {
			info->mcfg_dropped++;
			continue;
		}
		info->mcfg[info->mcfg_count++] = (struct acpi_mcfg){
			.base = rd64(e),
			.segment = rd16(e + 8),
			.bus_start = e[10],
			.bus_end = e[11],
		};
	}
}

/* Validates the table at @phys and reads it if it is one we know. */
static void parse_table(struct parser *ps, uint64_t phys)
{
	struct acpi_info *info = ps->info;
	const uint8_t *t;
	uint32_t len;

	t = map_table(ps, phys, &len);
	if (!t) {
		info->bad_tables++;
		return;
	}
	if (sig_is(t, "APIC")) {
		if (len < MADT_ENTRIES) {
			info->bad_tables++;
		} else if (!info->has_madt) {
			parse_madt(info, t, len);
		}
	} else if (sig_is(t, "FACP")) {
		if (len < FADT_MIN_LEN) {
			info->bad_tables++;
		} else if (!info->has_fadt) {
			parse_fadt(info, t, len);
		}
	} else if (sig_is(t, "HPET")) {
		if (len < HPET_MIN_LEN) {
			info->bad_tables++;
		} else if (!info->has_hpet) {
			parse_hpet(info, t);
		}
	} else if (sig_is(t, "MCFG")) {
		if (len < MCFG_ENTRIES) {
			info->bad_tables++;
		} else if (!info->mcfg_count) {
			parse_mcfg(info, t, len);
		}
	}
}

/* Finds \_S5 in the DSDT the FADT points to. */
static void parse_dsdt(struct parser *ps)
{
	struct acpi_info *info = ps->info;
	const uint8_t *t;
	uint32_t len;

	t = map_table(ps, info->dsdt_address, &len);
	if (!t || !sig_is(t, "DSDT")) {
		info->bad_tables++;
		return;
	}
	if (acpi_aml_find_s5(t + ACPI_HEADER_LEN, len - ACPI_HEADER_LEN,
			     &info->s5_typa, &info->s5_typb) == ERR_OK) {
		info->has_s5 = true;
	}
}

/*
 * Validates the XSDT or RSDT (@sig, entries of @entry_size bytes) at
 * @phys and parses every table it lists; false, having read nothing, if
 * the root table itself is unusable.
 */
static bool parse_root(struct parser *ps, uint64_t phys, const char *sig,
		       uint32_t entry_size)
{
	const uint8_t *t;
	uint32_t len, count;

	t = map_table(ps, phys, &len);
	if (!t || !sig_is(t, sig)) {
		return false;
	}
	count = (len - ACPI_HEADER_LEN) / entry_size;
	ps->info->table_count = count;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = t + ACPI_HEADER_LEN + i * entry_size;

		parse_table(ps, entry_size == 8 ? rd64(e) : rd32(e));
	}
	return true;
}

err_t acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map,
		 void *ctx, struct acpi_info *out)
{
	struct parser ps = { .map = map, .ctx = ctx, .info = out };
	const uint8_t *r = rsdp;
	uint64_t xsdt = 0;
	uint32_t rsdt;

	if (!rsdp || !map || !out) {
		return ERR_INVALID;
	}
	__builtin_memset(out, 0, sizeof(*out));
	if (rsdp_len < RSDP_V1_LEN) {
		return ERR_INVALID;
	}
	if (!sig_is(r, "RSD ") || !sig_is(r + 4, "PTR ")) {
		return ERR_CORRUPT;
	}
	if (checksum(r, RSDP_V1_LEN) != 0) {
		return ERR_CHECKSUM;
	}
	out->rsdp_revision = r[15];
	rsdt = rd32(r + 16);
	/* A revision 2 RSDP cut to 20 bytes (a boot loader's "old RSDP"
	 * copy) can still be used through its RSDT. */
	if (r[15] >= 2 && rsdp_len >= RSDP_V2_LEN) {
		if (checksum(r, RSDP_V2_LEN) != 0) {
			return ERR_CHECKSUM;
		}
		xsdt = rd64(r + 24);
	}
	if (xsdt) {
		if (parse_root(&ps, xsdt, "XSDT", 8)) {
			out->uses_xsdt = true;
			goto out_dsdt;
		}
		out->bad_tables++;
	}
	if (!parse_root(&ps, rsdt, "RSDT", 4)) {
		return ERR_CORRUPT;
	}
out_dsdt:
	if (out->has_fadt && out->dsdt_address) {
		parse_dsdt(&ps);
	}
	return ERR_OK;
}

/*
 * Reads an AML integer constant at @pos (below @end) into *@val and the
 * position after it into *@next; false if it is not one or is cut off.
 */
static bool aml_integer(const uint8_t *aml, size_t pos, size_t end,
			uint64_t *val, size_t *next)
{
	size_t size;

	if (pos >= end) {
		return false;
	}
	switch (aml[pos]) {
	case AML_ZERO_OP:
		*val = 0;
		*next = pos + 1;
		return true;
	case AML_ONE_OP:
		*val = 1;
		*next = pos + 1;
		return true;
	case AML_ONES_OP:
		*val = ~0ull;
		*next = pos + 1;
		return true;
	case AML_BYTE_PREFIX:
		size = 1;
		break;
	case AML_WORD_PREFIX:
		size = 2;
		break;
	case AML_DWORD_PREFIX:
		size = 4;
		break;
	case AML_QWORD_PREFIX:
		size = 8;
		break;
	default:
		return false;
	}
	if (end - pos - 1 < size) {
		return false;
	}
	*val = 0;
	for (size_t i = 0; i < size; i++) {
		*val |= (uint64_t)aml[pos + 1 + i] << (8 * i);
	}
	*next = pos + 1 + size;
	return true;
}

/*
 * Parses the Package that should follow the name at @pos; stores the
 * sleep types. ERR_NOT_FOUND if no PackageOp follows (some other use of
 * the name), ERR_CORRUPT if the package is cut off or malformed.
 */
static err_t aml_s5_package(const uint8_t *aml, size_t len, size_t pos,
			    uint8_t *slp_typa, uint8_t *slp_typb)
{
	size_t nbytes, pkg_len, end;
	uint64_t a, b;
	uint8_t count;

	if (pos >= len || aml[pos] != AML_PACKAGE_OP) {
		return ERR_NOT_FOUND;
	}
	pos++;
	/* PkgLength: bits 7-6 of the lead byte count the bytes that follow;
	 * the length covers itself and the package contents. */
	if (pos >= len) {
		return ERR_CORRUPT;
	}
	nbytes = aml[pos] >> 6;
	if (len - pos <= nbytes) {
		return ERR_CORRUPT;
	}
	if (nbytes == 0) {
		pkg_len = aml[pos] & 0x3f;
	} else {
		pkg_len = aml[pos] & 0x0f;
		for (size_t i = 0; i < nbytes; i++) {
			pkg_len |= (size_t)aml[pos + 1 + i] << (4 + 8 * i);
		}
	}
	/* Room for the PkgLength itself and NumElements at least. */
	if (pkg_len < nbytes + 2 || pkg_len > len - pos) {
		return ERR_CORRUPT;
	}
	end = pos + pkg_len;
	pos += nbytes + 1;
	count = aml[pos++];
	if (count == 0 || !aml_integer(aml, pos, end, &a, &pos)) {
		return ERR_CORRUPT;
	}
	if (count == 1) {
		/* Both values packed into one integer. */
		b = a >> 8;
	} else if (!aml_integer(aml, pos, end, &b, &pos)) {
		return ERR_CORRUPT;
	}
	*slp_typa = (uint8_t)a;
	*slp_typb = (uint8_t)b;
	return ERR_OK;
}

err_t acpi_aml_find_s5(const void *aml, size_t len, uint8_t *slp_typa,
		       uint8_t *slp_typb)
{
	const uint8_t *a = aml;
	err_t result = ERR_NOT_FOUND;

	if (!aml || len < 5) {
		return ERR_NOT_FOUND;
	}
	for (size_t i = 1; i + 4 <= len; i++) {
		size_t j = i;
		err_t err;

		if (a[i] != '_' || a[i + 1] != 'S' || a[i + 2] != '5' ||
		    a[i + 3] != '_') {
			continue;
		}
		/* NameOp, then \ or any number of ^, then the NameSeg. */
		if (a[j - 1] == AML_ROOT_CHAR) {
			j--;
		} else {
			while (j > 0 && a[j - 1] == AML_PARENT_CHAR) {
				j--;
			}
		}
		if (j == 0 || a[j - 1] != AML_NAME_OP) {
			continue;
		}
		err = aml_s5_package(a, len, i + 4, slp_typa, slp_typb);
		if (err == ERR_OK) {
			return ERR_OK;
		}
		/* A damaged candidate; a later one may still be good. */
		if (err == ERR_CORRUPT) {
			result = ERR_CORRUPT;
		}
	}
	return result;
}
