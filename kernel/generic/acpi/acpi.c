/*
 * ACPI glue (see acpi.h). Tables are read through the direct map,
 * extended on demand for tables outside RAM.
 */
#include <acpi/acpi.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/paging.h>
#include <boot/multiboot2.h>
#include <log/log.h>
#include <keel/syscall.h>
#include <syscall/syscall.h>
#include <time/clock.h>
#include <user/process.h>

#define LOG_SUBSYS "acpi"

static struct acpi_info acpi;

static const void *acpi_map(void *ctx, uint64_t phys, size_t len)
{
	return paging_map_phys(phys, len, PAGING_CACHE_WB);
}

const struct acpi_info *acpi_get(void)
{
	return &acpi;
}

const struct acpi_info *acpi_init(const struct mb2_info *boot)
{
	err_t err = ERR_NOT_FOUND;

	if (boot->rsdp) {
		err = acpi_parse(boot->rsdp, boot->rsdp_len, acpi_map, NULL,
				 &acpi);
	}
	if (err) {
		LOG("no usable ACPI tables (%s): one CPU, no power-off",
		    error_str(err));
		acpi = (struct acpi_info){ 0 };
		acpi.cpu_count = 1;
		acpi.cpus[0].enabled = true;
		return &acpi;
	}
	LOG("%u cpus, %u ioapics, hpet %s, mcfg %u, fadt %s, s5 %s, "
	    "%u bad tables", acpi.cpu_count, acpi.ioapic_count,
	    acpi.has_hpet ? "yes" : "no", acpi.mcfg_count,
	    acpi.has_fadt ? "yes" : "no", acpi.has_s5 ? "yes" : "no",
	    acpi.bad_tables);
	return &acpi;
}

/* Switches the chipset to ACPI mode if firmware left it in legacy mode. */
static void acpi_enable_mode(void)
{
	uint64_t deadline;

	if (!acpi.smi_cmd || !acpi.acpi_enable ||
	    (cpu_inw((uint16_t)acpi.pm1a_cnt) & 1)) {
		return; /* no SMI port, or SCI_EN already set */
	}
	cpu_outb((uint16_t)acpi.smi_cmd, acpi.acpi_enable);
	deadline = clock_ns() + 300 * NS_PER_MS;
	while (!(cpu_inw((uint16_t)acpi.pm1a_cnt) & 1) &&
	       clock_ns() < deadline) {
		cpu_pause();
	}
}

void acpi_power_off(void)
{
	uint16_t slp_en = 1u << 13;

	if (!acpi.has_fadt || !acpi.has_s5 || !acpi.pm1a_cnt ||
	    acpi.pm1a_cnt > 0xffff) {
		LOG("power-off: no FADT PM1 control port or no \\_S5");
		return;
	}
	LOG("powering off");
	acpi_enable_mode();
	cpu_irq_disable();
	cpu_outw((uint16_t)acpi.pm1a_cnt,
		 (uint16_t)((acpi.s5_typa & 7) << 10) | slp_en);
	if (acpi.pm1b_cnt && acpi.pm1b_cnt <= 0xffff) {
		cpu_outw((uint16_t)acpi.pm1b_cnt,
			 (uint16_t)((acpi.s5_typb & 7) << 10) | slp_en);
	}
	clock_delay_ns(500 * NS_PER_MS);
	LOG("power-off: the machine is still running");
}

void acpi_reset(void)
{
	LOG("resetting");
	if (acpi.has_fadt && acpi.reset_supported) {
		if (acpi.reset_reg.space == ACPI_GAS_IO &&
		    acpi.reset_reg.address <= 0xffff) {
			cpu_outb((uint16_t)acpi.reset_reg.address,
				 acpi.reset_value);
		} else if (acpi.reset_reg.space == ACPI_GAS_MEMORY) {
			volatile uint8_t *r = paging_map_phys(
				acpi.reset_reg.address, 1, PAGING_CACHE_UC);

			if (r) {
				*r = acpi.reset_value;
			}
		}
		clock_delay_ns(100 * NS_PER_MS);
	}
	/* The 8042 pulses the reset line on command 0xfe. */
	for (int i = 0; i < 1000 && (cpu_inb(0x64) & 2); i++) {
		cpu_pause();
	}
	cpu_outb(0x64, 0xfe);
	clock_delay_ns(100 * NS_PER_MS);
	LOG("reset: the machine is still running");
}

int64_t sys_system_power(SYSCALL_ARGS)
{
	if (!process_current()->hw_access) {
		return -(int64_t)ERR_ACCESS;
	}
	if (a0 == SYSTEM_POWER_OFF) {
		LOG("power-off asked by %s", process_current()->name);
		acpi_power_off();
	} else if (a0 == SYSTEM_POWER_REBOOT) {
		LOG("restart asked by %s", process_current()->name);
		acpi_reset();
	} else {
		return -(int64_t)ERR_INVALID;
	}
	return -(int64_t)ERR_NOT_SUPPORTED;
}
