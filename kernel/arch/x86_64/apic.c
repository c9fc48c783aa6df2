/*
 * Local APIC, IOAPICs and timer calibration (see apic.h).
 *
 * The LAPIC timer runs in one-shot mode: timer.c programs it for the next
 * deadline. Its frequency and the TSC's are measured once at boot over a
 * 10 ms window timed by the HPET main counter (or PIT channel 2) and
 * assumed equal on all CPUs.
 */
#include <acpi/tables.h>
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/paging.h>
#include <arch/x86_64/trap.h>
#include <log/log.h>
#include <sync/spinlock.h>
#include <time/clock.h>
#include <time/timer.h>

#define LOG_SUBSYS "apic"

#define LAPIC_ID 0x020
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define LVT_MASKED (1u << 16)
#define ICR_PENDING (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_DEST_OTHERS (3u << 18)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)

#define HPET_CAP 0x000
#define HPET_CONFIG 0x010
#define HPET_COUNTER 0x0f0

#define IOAPIC_MAX 16
#define CALIBRATE_NS (10 * NS_PER_MS)

struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base;
	uint32_t count;
};

static volatile uint32_t *lapic;
static uint64_t lapic_timer_hz; /* after the divide-by-16 */
static struct ioapic ioapics[IOAPIC_MAX];
static unsigned ioapic_count;
static struct spinlock ioapic_lock = SPINLOCK_INIT;
static const struct acpi_info *apic_acpi;

static uint32_t lapic_read(uint32_t reg)
{
	return lapic[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

void apic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t apic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

static void pic_disable(void)
{
	/* Remap the 8259s away from the exception vectors, then mask them;
	 * a spurious 8259 interrupt then lands on an unused vector. */
	cpu_outb(0x20, 0x11);
	cpu_outb(0xa0, 0x11);
	cpu_outb(0x21, 0xe0);
	cpu_outb(0xa1, 0xe8);
	cpu_outb(0x21, 4);
	cpu_outb(0xa1, 2);
	cpu_outb(0x21, 1);
	cpu_outb(0xa1, 1);
	cpu_outb(0x21, 0xff);
	cpu_outb(0xa1, 0xff);
}

void apic_init_cpu(void)
{
	uint64_t base = cpu_rdmsr(MSR_APIC_BASE);

	cpu_wrmsr(MSR_APIC_BASE, base | (1u << 11)); /* global enable */
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | TRAP_TIMER);
	lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	lapic_write(LAPIC_SVR, 0x100 | TRAP_SPURIOUS);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	apic_eoi();
}

static void timer_trap(struct trap_frame *frame)
{
	timer_interrupt();
}

void apic_timer_start(void)
{
	lapic_write(LAPIC_LVT_TIMER, TRAP_TIMER); /* one-shot, unmasked */
	timer_program_next();
}

void apic_timer_oneshot(uint64_t ns)
{
	uint64_t count = ns * lapic_timer_hz / NS_PER_SEC;

	if (ns > 10 * NS_PER_SEC) { /* avoid overflowing the product */
		count = 10 * lapic_timer_hz;
	}
	if (count == 0) {
		count = 1;
	}
	if (count > 0xffffffffu) {
		count = 0xffffffffu;
	}
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)count);
}

static void icr_wait(void)
{
	for (unsigned i = 0; i < 1000000; i++) {
		if (!(lapic_read(LAPIC_ICR_LO) & ICR_PENDING)) {
			return;
		}
		cpu_pause();
	}
}

static void icr_send(uint32_t dest, uint32_t lo)
{
	bool was = cpu_irq_save();

	icr_wait();
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	icr_wait();
	cpu_irq_restore(was);
}

void apic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_send(apic_id, vector);
}

void apic_send_ipi_others(uint8_t vector)
{
	icr_send(0, ICR_DEST_OTHERS | vector);
}

void apic_send_nmi_others(void)
{
	if (lapic) {
		icr_send(0, ICR_DEST_OTHERS | ICR_NMI);
	}
}

void apic_send_init(uint32_t apic_id)
{
	icr_send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
}

void apic_send_startup(uint32_t apic_id, uint8_t page)
{
	icr_send(apic_id, ICR_STARTUP | page);
}

/* Busy-waits about @ns on the HPET main counter, or PIT channel 2. */
static void calibration_wait(volatile uint64_t *hpet, uint64_t hpet_fs)
{
	if (hpet) {
		uint64_t ticks = CALIBRATE_NS * 1000000ul / hpet_fs;
		uint64_t start = hpet[HPET_COUNTER / 8];

		while (hpet[HPET_COUNTER / 8] - start < ticks) {
			cpu_pause();
		}
		return;
	}
	/* PIT channel 2, mode 0, gate on port 0x61: counts 1193182 Hz. */
	uint16_t count = (uint16_t)(1193182ul * CALIBRATE_NS / NS_PER_SEC);

	cpu_outb(0x61, (cpu_inb(0x61) & ~0x02) | 0x01);
	cpu_outb(0x43, 0xb0);
	cpu_outb(0x42, count & 0xff);
	cpu_outb(0x42, count >> 8);
	cpu_outb(0x61, cpu_inb(0x61) & ~0x01); /* restart the gate */
	cpu_outb(0x61, cpu_inb(0x61) | 0x01);
	while (!(cpu_inb(0x61) & 0x20)) {
		cpu_pause();
	}
}

static void calibrate(const struct acpi_info *acpi)
{
	volatile uint64_t *hpet = NULL;
	uint64_t hpet_fs = 0, tsc0, tsc1;
	uint32_t lapic_left;
	uint32_t a, b, c, d;
	bool invariant;

	if (acpi->has_hpet) {
		hpet = paging_map_phys(acpi->hpet_address, 0x400,
				       PAGING_CACHE_UC);
	}
	if (hpet) {
		hpet_fs = hpet[HPET_CAP / 8] >> 32;
		if (hpet_fs == 0 || hpet_fs > 100000000ul) {
			hpet = NULL; /* period out of the spec's range */
		} else {
			hpet[HPET_CONFIG / 8] |= 1; /* counter on */
		}
	}
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	tsc0 = cpu_rdtsc();
	calibration_wait(hpet, hpet_fs);
	tsc1 = cpu_rdtsc();
	lapic_left = lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);

	lapic_timer_hz = (uint64_t)(0xffffffffu - lapic_left) * NS_PER_SEC /
			 CALIBRATE_NS;
	cpu_cpuid(0x80000000, 0, &a, &b, &c, &d);
	invariant = false;
	if (a >= 0x80000007) {
		cpu_cpuid(0x80000007, 0, &a, &b, &c, &d);
		invariant = d & (1u << 8);
	}
	clock_start((tsc1 - tsc0) * NS_PER_SEC / CALIBRATE_NS, invariant);
	LOG("timer %lu kHz, calibrated against the %s", lapic_timer_hz / 1000,
	    hpet ? "HPET" : "PIT");
}

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
	io->regs[0] = reg;
	return io->regs[4];
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->regs[0] = reg;
	io->regs[4] = v;
}

static struct ioapic *ioapic_for(uint32_t gsi)
{
	for (unsigned i = 0; i < ioapic_count; i++) {
		if (gsi >= ioapics[i].gsi_base &&
		    gsi < ioapics[i].gsi_base + ioapics[i].count) {
			return &ioapics[i];
		}
	}
	return NULL;
}

err_t ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest_apic_id,
		   bool level, bool active_low)
{
	struct ioapic *io = ioapic_for(gsi);
	uint32_t pin, lo;

	if (!io) {
		return ERR_NOT_FOUND;
	}
	pin = gsi - io->gsi_base;
	lo = vector | (level ? 1u << 15 : 0) | (active_low ? 1u << 13 : 0);
	spin_lock(&ioapic_lock);
	ioapic_write(io, 0x10 + 2 * pin + 1, dest_apic_id << 24);
	ioapic_write(io, 0x10 + 2 * pin, lo);
	spin_unlock(&ioapic_lock);
	return ERR_OK;
}

err_t ioapic_mask(uint32_t gsi, bool masked)
{
	struct ioapic *io = ioapic_for(gsi);
	uint32_t reg, lo;

	if (!io) {
		return ERR_NOT_FOUND;
	}
	reg = 0x10 + 2 * (gsi - io->gsi_base);
	spin_lock(&ioapic_lock);
	lo = ioapic_read(io, reg);
	lo = masked ? lo | LVT_MASKED : lo & ~LVT_MASKED;
	ioapic_write(io, reg, lo);
	spin_unlock(&ioapic_lock);
	return ERR_OK;
}

uint32_t ioapic_isa_gsi(unsigned irq, bool *level, bool *active_low)
{
	*level = false;
	*active_low = false;
	for (unsigned i = 0; apic_acpi && i < apic_acpi->iso_count; i++) {
		const struct acpi_iso *iso = &apic_acpi->isos[i];

		if (iso->bus == 0 && iso->source == irq) {
			/* MPS INTI flags: polarity bits 0-1, trigger 2-3;
			 * 0 means "conforms to the bus" (ISA: edge, high). */
			*active_low = (iso->flags & 3) == 3;
			*level = ((iso->flags >> 2) & 3) == 3;
			return iso->gsi;
		}
	}
	return irq;
}

static void ioapic_init(const struct acpi_info *acpi)
{
	for (unsigned i = 0; i < acpi->ioapic_count && i < IOAPIC_MAX; i++) {
		struct ioapic *io = &ioapics[ioapic_count];

		io->regs = paging_map_phys(acpi->ioapics[i].address, 0x20,
					   PAGING_CACHE_UC);
		if (!io->regs) {
			continue;
		}
		io->gsi_base = acpi->ioapics[i].gsi_base;
		io->count = ((ioapic_read(io, 1) >> 16) & 0xff) + 1;
		for (uint32_t pin = 0; pin < io->count; pin++) {
			ioapic_write(io, 0x10 + 2 * pin, LVT_MASKED);
		}
		LOG("ioapic %u at %#x: gsi %u-%u", acpi->ioapics[i].id,
		    acpi->ioapics[i].address, io->gsi_base,
		    io->gsi_base + io->count - 1);
		ioapic_count++;
	}
}

void apic_init(const struct acpi_info *acpi)
{
	uint64_t base = acpi->lapic_address;

	apic_acpi = acpi;
	pic_disable();
	if (!base) {
		base = cpu_rdmsr(MSR_APIC_BASE) & ~0xffful;
	}
	lapic = paging_map_phys(base, 0x1000, PAGING_CACHE_UC);
	if (!lapic) {
		panic("cannot map the local APIC at %#lx", base);
	}
	apic_init_cpu();
	ioapic_init(acpi);
	calibrate(acpi);
	trap_set_handler(TRAP_TIMER, timer_trap);
}
