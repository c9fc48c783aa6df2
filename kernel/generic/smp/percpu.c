/*
 * Per-CPU blocks: the boot CPU's is static (it is needed before any
 * allocator exists); the others are allocated when the APs are started.
 */
#include <arch/x86_64/cpu.h>
#include <base/string.h>
#include <mm/kmalloc.h>
#include <smp/percpu.h>

struct percpu *percpu_all[PERCPU_MAX];
unsigned percpu_count;

static struct percpu percpu_boot;

static void percpu_init(struct percpu *p, unsigned id, uint32_t apic_id)
{
	memset(p, 0, sizeof(*p));
	p->self = p;
	p->id = id;
	p->apic_id = apic_id;
	runqueue_init(&p->rq);
	timer_queue_init(&p->timers);
	percpu_all[id] = p;
	if (id >= percpu_count) {
		percpu_count = id + 1;
	}
}

void percpu_install(struct percpu *p)
{
	cpu_wrmsr(MSR_GS_BASE, (uint64_t)p);
	cpu_wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void percpu_init_boot(void)
{
	percpu_init(&percpu_boot, 0, 0);
	percpu_install(&percpu_boot);
}

struct percpu *percpu_create(unsigned id, uint32_t apic_id)
{
	struct percpu *p;

	if (id >= PERCPU_MAX) {
		return NULL;
	}
	p = kzalloc(sizeof(*p));
	if (!p) {
		return NULL;
	}
	percpu_init(p, id, apic_id);
	return p;
}
