/*
 * Starting the application processors and cross-CPU TLB invalidation
 * (see smp.h).
 *
 * TLB shootdown: one request at a time (smp_tlb_lock). The initiator
 * publishes the request, sends TRAP_IPI_TLB to the other online CPUs and
 * waits until each has acknowledged. A CPU spinning for the lock keeps
 * serving requests addressed to it, so two initiators cannot deadlock.
 */
#include <acpi/tables.h>
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/fpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/paging.h>
#include <arch/x86_64/syscall.h>
#include <arch/x86_64/trap.h>
#include <base/string.h>
#include <log/log.h>
#include <mm/pmm.h>
#include <sched/sched.h>
#include <smp/percpu.h>
#include <smp/smp.h>
#include <time/clock.h>

#define LOG_SUBSYS "smp"
#define AP_STACK_ORDER 2

extern char trampoline_start[], trampoline_end[];
extern char tramp_param_pml4[], tramp_param_stack[], tramp_param_percpu[];
extern char tramp_param_entry[], tramp_param_efer[], tramp_param_gdt[];
extern char tramp_param_gdt_ptr[], tramp_param_far64[], tramp_param_pm32[];
extern char tramp_param_lm64[], tramp_param_jmp32[];
extern uint64_t boot_pml4[512];
extern uint64_t boot_pdpt_low[512];

static volatile bool smp_halting;
static volatile unsigned online_count = 1;
static volatile bool ap_started;

static volatile uint64_t smp_tlb_lock;
static struct {
	uint64_t root; /* 0: everything, including global pages */
	uint64_t va;
	uint64_t pages;
} tlb_request;
static volatile uint64_t tlb_pending_mask; /* CPUs yet to acknowledge */

bool smp_is_halting(void)
{
	return smp_halting;
}

unsigned smp_online_count(void)
{
	return online_count;
}

void smp_halt_others(void)
{
	smp_halting = true;
	if (online_count > 1) {
		apic_send_nmi_others();
	}
}

static void tlb_flush_local(void)
{
	uint64_t cr4 = cpu_read_cr4();

	if (tlb_request.root == 0) {
		/* Toggling PGE flushes global entries too. */
		cpu_write_cr4(cr4 & ~CR4_PGE);
		cpu_write_cr4(cr4);
		return;
	}
	if (cpu_read_cr3() != tlb_request.root) {
		return;
	}
	if (tlb_request.pages > 32) {
		cpu_write_cr3(cpu_read_cr3());
		return;
	}
	for (uint64_t i = 0; i < tlb_request.pages; i++) {
		cpu_invlpg(tlb_request.va + i * PAGE_SIZE);
	}
}

/* Serves a request addressed to this CPU, if any. Interrupts disabled. */
static void tlb_serve(void)
{
	uint64_t me = 1ul << percpu_id();

	if (__atomic_load_n(&tlb_pending_mask, __ATOMIC_ACQUIRE) & me) {
		tlb_flush_local();
		__atomic_fetch_and(&tlb_pending_mask, ~me, __ATOMIC_RELEASE);
	}
}

static void tlb_ipi(struct trap_frame *frame)
{
	tlb_serve();
}

static void tlb_request_run(uint64_t root, uint64_t va, uint64_t pages)
{
	bool was = cpu_irq_save();
	uint64_t others = 0;

	while (__atomic_exchange_n(&smp_tlb_lock, 1, __ATOMIC_ACQUIRE)) {
		tlb_serve();
		cpu_pause();
	}
	tlb_request.root = root;
	tlb_request.va = va;
	tlb_request.pages = pages;
	for (unsigned i = 0; i < percpu_count; i++) {
		if (percpu_all[i] && percpu_all[i]->online && i != percpu_id()) {
			others |= 1ul << i;
		}
	}
	__atomic_store_n(&tlb_pending_mask, others, __ATOMIC_RELEASE);
	if (others) {
		apic_send_ipi_others(TRAP_IPI_TLB);
	}
	tlb_flush_local();
	while (__atomic_load_n(&tlb_pending_mask, __ATOMIC_ACQUIRE)) {
		cpu_pause();
	}
	__atomic_store_n(&smp_tlb_lock, 0, __ATOMIC_RELEASE);
	cpu_irq_restore(was);
}

void smp_tlb_flush_all(void)
{
	tlb_request_run(0, 0, 0);
}

void smp_tlb_shootdown(uint64_t root, uint64_t va, uint64_t pages)
{
	tlb_request_run(root, va, pages);
}

void smp_ap_entry(struct percpu *cpu);
void smp_ap_entry(struct percpu *cpu)
{
	paging_switch(paging_kernel_root());
	percpu_install(cpu);
	gdt_init_cpu(cpu);
	trap_init_ap();
	paging_init_cpu();
	fpu_init_cpu();
	syscall_init_cpu();
	apic_init_cpu();
	cpu->online = true;
	__atomic_fetch_add(&online_count, 1, __ATOMIC_RELEASE);
	ap_started = true;
	apic_timer_start();
	sched_run_ap();
}

static void put64(uint8_t *page, char *off, uint64_t v)
{
	memcpy(page + (uintptr_t)off, &v, 8);
}

static void put32(uint8_t *page, char *off, uint32_t v)
{
	memcpy(page + (uintptr_t)off, &v, 4);
}

static bool start_ap(paddr_t low, uint32_t apic, unsigned id)
{
	uint8_t *page = phys_to_virt(low);
	struct percpu *cpu = percpu_create(id, apic);
	paddr_t stack;
	uint64_t deadline;

	if (!cpu || pmm_alloc(AP_STACK_ORDER, &stack) != ERR_OK) {
		LOG("cpu %u: out of memory", id);
		return false;
	}
	put64(page, tramp_param_stack,
	      (uint64_t)phys_to_virt(stack) + (PAGE_SIZE << AP_STACK_ORDER));
	put64(page, tramp_param_percpu, (uint64_t)cpu);
	ap_started = false;

	apic_send_init(apic);
	clock_delay_ns(10 * NS_PER_MS);
	apic_send_startup(apic, (uint8_t)(low >> 12));
	clock_delay_ns(200 * NS_PER_US);
	if (!ap_started) {
		apic_send_startup(apic, (uint8_t)(low >> 12));
	}
	/* Generous: under software emulation an AP can take a while. */
	deadline = clock_ns() + 5 * NS_PER_SEC;
	while (!ap_started && clock_ns() < deadline) {
		cpu_pause();
	}
	if (!ap_started) {
		LOG("cpu %u (apic %u) did not start", id, apic);
		return false;
	}
	return true;
}

static void start_all(const struct acpi_info *acpi);

unsigned smp_start_aps(const struct acpi_info *acpi)
{
	percpu_this()->apic_id = apic_id();
	percpu_this()->online = true;
	trap_set_handler(TRAP_IPI_TLB, tlb_ipi);
	start_all(acpi);
	LOG("cpus online: %u", online_count);
	return online_count;
}

static void start_all(const struct acpi_info *acpi)
{
	paddr_t low = pmm_low_pages();
	uint8_t *page;
	uint64_t *pml4;
	uint32_t self = apic_id();
	unsigned next_id = 1;
	uint32_t a, b, c, d;

	if (acpi->cpu_count <= 1) {
		return;
	}
	if (!low) {
		LOG("no low memory for the AP trampoline; staying on one CPU");
		return;
	}
	page = phys_to_virt(low);
	memcpy(page, trampoline_start, trampoline_end - trampoline_start);
	/* Trampoline page tables: the kernel half plus the identity GiB. */
	pml4 = (uint64_t *)(page + PAGE_SIZE);
	memset(pml4, 0, PAGE_SIZE);
	for (unsigned i = 256; i < 512; i++) {
		pml4[i] = boot_pml4[i];
	}
	pml4[0] = virt_to_phys(boot_pdpt_low) | PTE_PRESENT | PTE_WRITE;
	put64(page, tramp_param_pml4, low + PAGE_SIZE);
	put64(page, tramp_param_entry, (uint64_t)smp_ap_entry);
	cpu_cpuid(0x80000001, 0, &a, &b, &c, &d);
	put32(page, tramp_param_efer, (d & (1u << 20)) ? 1u << 11 : 0);
	put32(page, tramp_param_gdt_ptr + 2, low + (uintptr_t)tramp_param_gdt);
	put32(page, tramp_param_far64, low + (uintptr_t)tramp_param_lm64);
	put32(page, tramp_param_jmp32, low + (uintptr_t)tramp_param_pm32);

	for (unsigned i = 0; i < acpi->cpu_count; i++) {
		const struct acpi_cpu *cpu = &acpi->cpus[i];

		if (!cpu->enabled || cpu->apic_id == self) {
			continue;
		}
		if (next_id >= PERCPU_MAX) {
			LOG("more than %u CPUs; ignoring the rest", PERCPU_MAX);
			break;
		}
		if (start_ap(low, cpu->apic_id, next_id)) {
			next_id++;
		}
	}
}
