/*
 * Self-tests of the kernel core: physical pages, kmalloc, timers,
 * threads on every CPU, migration, a mutex contended from all CPUs,
 * sleeping, TLB shootdown, and user processes that misbehave.
 */
#include <arch/x86_64/cpu.h>
#include <base/string.h>
#include <boot/initrd.h>
#include <handle/handle.h>
#include <ipc/stream.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vmo.h>
#include <sched/sched.h>
#include <smp/percpu.h>
#include <smp/smp.h>
#include <sync/mutex.h>
#include <test/selftest.h>
#include <time/clock.h>
#include <time/timer.h>
#include <user/process.h>
#include <user/uaccess.h>

/* A small deterministic PRNG (xorshift64). */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

SELFTEST(pmm_patterns)
{
	static paddr_t blocks[256];
	static unsigned orders[256];
	uint64_t seed = 0x1234567, before = pmm_free_pages();
	unsigned n = 0;

	/* Every order, then random orders; each block filled with a tag
	 * that must survive until it is freed (no overlap). */
	for (unsigned round = 0; round < 2; round++) {
		for (n = 0; n < 256; n++) {
			unsigned order = round == 0 ? n % 11
						    : rng_next(&seed) % 6;
			uint64_t *p;

			if (pmm_alloc(order, &blocks[n]) != ERR_OK) {
				break;
			}
			orders[n] = order;
			p = phys_to_virt(blocks[n]);
			ST_CHECK(p[0] == 0); /* handed out zeroed */
			p[0] = blocks[n] ^ 0xa5a5a5a5ul;
			p[(PAGE_SIZE << order) / 8 - 1] = n;
		}
		ST_CHECK(n == 256);
		for (unsigned i = 0; i < n; i++) {
			unsigned k = round == 0 ? i : n - 1 - i;
			uint64_t *p = phys_to_virt(blocks[k]);

			ST_CHECK(p[0] == (blocks[k] ^ 0xa5a5a5a5ul));
			ST_CHECK(p[(PAGE_SIZE << orders[k]) / 8 - 1] == k);
			ST_CHECK(pmm_free(blocks[k], orders[k]) == ERR_OK);
		}
	}
	ST_CHECK(pmm_free_pages() == before);
	ST_CHECK(pmm_check());
	/* A double free is refused, not absorbed. */
	ST_CHECK(pmm_alloc(0, &blocks[0]) == ERR_OK);
	ST_CHECK(pmm_free(blocks[0], 0) == ERR_OK);
	ST_CHECK(pmm_free(blocks[0], 0) != ERR_OK);
	ST_CHECK(pmm_free(0x1234, 0) != ERR_OK);
	ST_CHECK(pmm_free_pages() == before);
}

SELFTEST(kmalloc_churn)
{
	static void *live[512];
	static size_t sizes[512];
	uint64_t seed = 42;

	memset(live, 0, sizeof(live));
	for (unsigned step = 0; step < 20000; step++) {
		unsigned i = rng_next(&seed) % 512;

		if (live[i]) {
			uint8_t *p = live[i];

			ST_CHECK(p[0] == (uint8_t)i);
			ST_CHECK(p[sizes[i] - 1] == (uint8_t)(i ^ 0xff));
			kfree(live[i]);
			live[i] = NULL;
		} else {
			sizes[i] = 1 + rng_next(&seed) % 6000;
			live[i] = kmalloc(sizes[i]);
			ST_CHECK(live[i] != NULL);
			if (!live[i]) {
				continue;
			}
			ST_CHECK(((uint64_t)live[i] & 15) == 0);
			memset(live[i], (uint8_t)i, sizes[i]);
			((uint8_t *)live[i])[sizes[i] - 1] = (uint8_t)(i ^ 0xff);
		}
	}
	for (unsigned i = 0; i < 512; i++) {
		kfree(live[i]);
	}
	ST_CHECK(pmm_check());
}

struct timer_order {
	struct timer timers[16];
	unsigned fired[16];
	volatile unsigned count;
};

static void order_fired(struct timer *t)
{
	struct timer_order *o = t->ctx;
	unsigned idx = (unsigned)(t - o->timers);

	o->fired[__atomic_fetch_add(&o->count, 1, __ATOMIC_RELAXED)] = idx;
}

SELFTEST(timers_fire_in_order)
{
	static struct timer_order o;
	static const unsigned delay_ms[16] = { 9, 3, 14, 1, 7, 12, 5, 2,
					       15, 8, 11, 4, 13, 6, 10, 16 };
	uint64_t now = clock_ns(), start;

	memset(&o, 0, sizeof(o));
	/* Arm all with interrupts off so none fires before the last is in. */
	cpu_irq_disable();
	for (unsigned i = 0; i < 16; i++) {
		timer_init(&o.timers[i], order_fired, &o);
		timer_arm(&o.timers[i], now + 20 * NS_PER_MS +
						delay_ms[i] * 2 * NS_PER_MS);
	}
	ST_CHECK(timer_cancel(&o.timers[15])); /* the 16 ms one never runs */
	cpu_irq_enable();
	start = clock_ns();
	while (o.count < 15 && clock_ns() - start < 2 * NS_PER_SEC) {
		sched_sleep_ns(5 * NS_PER_MS);
	}
	sched_sleep_ns(40 * NS_PER_MS);
	ST_CHECK(o.count == 15);
	for (unsigned i = 1; i < o.count; i++) {
		ST_CHECK(delay_ms[o.fired[i - 1]] < delay_ms[o.fired[i]]);
	}
	ST_CHECK(!timer_cancel(&o.timers[0])); /* already fired */
}

SELFTEST(sleep_waits_long_enough)
{
	uint64_t t0 = clock_ns();

	sched_sleep_ns(30 * NS_PER_MS);
	ST_CHECK(clock_ns() - t0 >= 30 * NS_PER_MS);
}

struct cpu_probe {
	unsigned want_cpu;
	volatile unsigned ran_on;
	volatile bool ok;
};

static void pinned_thread(void *arg)
{
	struct cpu_probe *probe = arg;

	probe->ok = sched_set_affinity(1ul << probe->want_cpu) == ERR_OK;
	for (int i = 0; i < 5; i++) {
		sched_yield();
		if (percpu_id() != probe->want_cpu) {
			probe->ok = false;
		}
	}
	probe->ran_on = percpu_id();
}

SELFTEST(threads_run_on_every_cpu)
{
	static struct cpu_probe probes[PERCPU_MAX];
	struct thread *threads[PERCPU_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < percpu_count; i++) {
		if (!percpu_all[i] || !percpu_all[i]->online) {
			continue;
		}
		probes[n] = (struct cpu_probe){ i, ~0u, false };
		ST_CHECK(thread_create_kernel("pinned", pinned_thread,
					      &probes[n],
					      &threads[n]) == ERR_OK);
		sched_start(threads[n]);
		n++;
	}
	ST_CHECK(n == smp_online_count());
	for (unsigned i = 0; i < n; i++) {
		thread_join(threads[i]);
		thread_put(threads[i]);
		ST_CHECK(probes[i].ok);
		ST_CHECK(probes[i].ran_on == probes[i].want_cpu);
	}
}

static void migrating_thread(void *arg)
{
	volatile bool *ok = arg;
	unsigned cpus = smp_online_count();

	/* Hop over every CPU three times. */
	for (unsigned i = 0; i < 3 * cpus; i++) {
		unsigned target = i % cpus;

		if (sched_set_affinity(1ul << target) != ERR_OK ||
		    percpu_id() != target) {
			*ok = false;
		}
	}
	sched_set_affinity(~0ul);
}

SELFTEST(thread_migrates_across_cpus)
{
	static volatile bool ok;
	struct thread *t;

	ok = true;
	ST_CHECK(thread_create_kernel("migrant", migrating_thread,
				      (void *)&ok, &t) == ERR_OK);
	sched_start(t);
	thread_join(t);
	thread_put(t);
	ST_CHECK(ok);
	ST_CHECK(sched_set_affinity(0) == ERR_INVALID);
}

struct mutex_test {
	struct mutex m;
	volatile uint64_t counter; /* plain increments: the mutex protects */
	volatile uint64_t inside;
	volatile bool overlap;
};

static void mutex_worker(void *arg)
{
	struct mutex_test *mt = arg;

	for (int i = 0; i < 2000; i++) {
		mutex_lock(&mt->m);
		if (mt->inside++) {
			mt->overlap = true;
		}
		mt->counter = mt->counter + 1;
		if (i % 64 == 0) {
			sched_yield(); /* hold it across a switch now and then */
		}
		mt->inside--;
		mutex_unlock(&mt->m);
	}
}

SELFTEST(mutex_contended_from_all_cpus)
{
	static struct mutex_test mt;
	struct thread *threads[2 * PERCPU_MAX];
	unsigned n = 2 * smp_online_count();

	mutex_init(&mt.m);
	mt.counter = 0;
	mt.inside = 0;
	mt.overlap = false;
	for (unsigned i = 0; i < n; i++) {
		ST_CHECK(thread_create_kernel("mutex", mutex_worker, &mt,
					      &threads[i]) == ERR_OK);
	}
	for (unsigned i = 0; i < n; i++) {
		sched_start(threads[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		thread_join(threads[i]);
		thread_put(threads[i]);
	}
	ST_CHECK(mt.counter == 2000ul * n);
	ST_CHECK(!mt.overlap);
	ST_CHECK(mt.m.owner == NULL);
}

SELFTEST(tlb_shootdown_reaches_all_cpus)
{
	/* Completes only if every online CPU acknowledged the request. */
	uint64_t before = clock_ns();

	smp_tlb_flush_all();
	ST_CHECK(clock_ns() >= before);
}

SELFTEST(uaccess_refuses_kernel_addresses)
{
	char buf[16];

	ST_CHECK(uaccess_copy_in(buf, (uaddr_t)buf, sizeof(buf)) == ERR_FAULT);
	ST_CHECK(uaccess_copy_out(0xffff800000000000ul, buf, 1) == ERR_FAULT);
	ST_CHECK(uaccess_copy_in(buf, USER_TOP - 4, 8) == ERR_FAULT);
	ST_CHECK(uaccess_copy_in(buf, ~0ul - 2, 8) == ERR_FAULT);
	ST_CHECK(uaccess_copy_in(buf, 0, 0) == ERR_OK);
}

/* Runs @path with the hardware right (or without) and returns its exit
 * code, and in @vector the exception that killed it, if any. */
static int run_with_hw(const char *path, bool hw, int *vector)
{
	const void *image;
	size_t size;
	struct process *p;
	struct thread *t;
	int code;

	if (initrd_find(path, &image, &size) != ERR_OK ||
	    process_create_from_elf(strrchr(path, '/') + 1, image, size, &p,
				    &t) != ERR_OK) {
		return -12345;
	}
	p->hw_access = hw;
	sched_start(t);
	thread_put(t);
	code = process_wait(p);
	*vector = p->fault_vector;
	process_put(p);
	return code;
}

SELFTEST(user_fault_kills_only_that_process)
{
	uint64_t before = pmm_free_pages();
	int vector;

	ST_CHECK(run_with_hw("/bin/fault", false, &vector) ==
		 PROCESS_EXIT_FAULT);
	ST_CHECK(vector == 14);
	/* Its memory came back (slab caches may keep a page or two). The
	 * thread's kernel stack is freed by the CPU it died on once it has
	 * switched away, which may be a moment after process_wait returns. */
	for (int i = 0; i < 200 && pmm_free_pages() + 4 < before; i++) {
		sched_sleep_ns(NS_PER_MS);
	}
	ST_CHECK(pmm_free_pages() + 4 >= before);
}

SELFTEST(bad_elf_images_are_refused)
{
	static uint8_t junk[256];
	const void *image;
	size_t size;
	struct process *p;
	struct thread *t;
	uint8_t *copy;

	for (unsigned i = 0; i < sizeof(junk); i++) {
		junk[i] = (uint8_t)(i * 37);
	}
	ST_CHECK(process_create_from_elf("junk", junk, sizeof(junk), &p,
					 &t) != ERR_OK);
	ST_CHECK(process_create_from_elf("empty", junk, 0, &p, &t) !=
		 ERR_OK);
	if (initrd_find("/bin/fault", &image, &size) != ERR_OK) {
		ST_CHECK(false);
		return;
	}
	/* A real image, truncated, and with its program headers pointing
	 * far past the end. */
	ST_CHECK(process_create_from_elf("short", image, 100, &p, &t) !=
		 ERR_OK);
	copy = kmalloc(size);
	ST_CHECK(copy != NULL);
	if (!copy) {
		return;
	}
	memcpy(copy, image, size);
	*(uint64_t *)(copy + 32) = 0x7fffffff00000000ul; /* e_phoff */
	ST_CHECK(process_create_from_elf("phoff", copy, size, &p, &t) !=
		 ERR_OK);
	kfree(copy);
}

SELFTEST(write_to_read_only_mapping_kills)
{
	int vector;

	ST_CHECK(run_with_hw("/bin/ro_write", false, &vector) ==
		 PROCESS_EXIT_FAULT);
	ST_CHECK(vector == 14);
}

/* Starts @path with @endpoint in its handle table, passed as main's
 * argument. */
static err_t start_with_endpoint(const char *path, struct kobject *endpoint,
				 struct process **out)
{
	const void *image;
	size_t size;
	struct thread *t;
	handle_t h;
	err_t err = initrd_find(path, &image, &size);

	if (!err) {
		err = process_create_from_elf(strrchr(path, '/') + 1, image,
					      size, out, &t);
	}
	if (err) {
		return err;
	}
	err = handle_insert(&(*out)->handles, endpoint, RIGHTS_ALL, &h);
	if (err) {
		thread_put(t); /* never started: both references go */
		thread_put(t);
		process_put(*out);
		return err;
	}
	t->user_arg = h;
	sched_start(t);
	thread_put(t);
	return ERR_OK;
}

SELFTEST(stream_between_processes)
{
	struct kobject *a, *b;
	struct process *server, *client;

	ST_CHECK(stream_create(&a, &b) == ERR_OK);
	if (ctx->failed) {
		return;
	}
	ST_CHECK(start_with_endpoint("/bin/stream_echo", a, &server) ==
		 ERR_OK);
	ST_CHECK(start_with_endpoint("/bin/stream_client", b, &client) ==
		 ERR_OK);
	kobject_put(a); /* the processes' handles hold them now */
	kobject_put(b);
	if (ctx->failed) {
		return;
	}
	/* The client reports its own cases; it ends, its endpoint closes,
	 * and the server sees the peer gone and ends too. */
	ST_CHECK(process_wait(client) == 0);
	ST_CHECK(process_wait(server) == 0);
	process_put(client);
	process_put(server);
}

SELFTEST(supervisor_runs_a_linux_style_child)
{
	const void *child, *sup;
	size_t child_size, sup_size;
	struct process *p;
	struct thread *t;
	struct vmo *image;
	handle_t h;

	ST_CHECK(initrd_find("/bin/supervised_child", &child, &child_size) ==
		 ERR_OK);
	ST_CHECK(initrd_find("/bin/supervisor", &sup, &sup_size) == ERR_OK);
	if (ctx->failed) {
		return;
	}
	/* The child's image travels in a memory object. */
	ST_CHECK(vmo_create_anon(ALIGN_UP(child_size, PAGE_SIZE) / PAGE_SIZE,
				 &image) == ERR_OK);
	if (ctx->failed) {
		return;
	}
	for (size_t off = 0; off < child_size; off += PAGE_SIZE) {
		paddr_t pa;
		size_t n = child_size - off < PAGE_SIZE ? child_size - off
							: PAGE_SIZE;

		ST_CHECK(vmo_get_page(image, off / PAGE_SIZE, &pa) == ERR_OK);
		memcpy(phys_to_virt(pa), (const uint8_t *)child + off, n);
	}
	ST_CHECK(process_create_from_elf("supervisor", sup, sup_size, &p,
					 &t) == ERR_OK);
	if (ctx->failed) {
		kobject_put(&image->obj);
		return;
	}
	ST_CHECK(handle_insert(&p->handles, &image->obj, RIGHTS_ALL, &h) ==
		 ERR_OK);
	kobject_put(&image->obj);
	t->user_arg = ((uint64_t)child_size << 32) | h;
	sched_start(t);
	thread_put(t);
	ST_CHECK(process_wait(p) == 0);
	process_put(p);
}

SELFTEST(driver_gets_irq_and_ports)
{
	int vector;

	ST_CHECK(run_with_hw("/bin/irq_test", true, &vector) == 0);
}

SELFTEST(serial_console_loopback)
{
	int vector;

	/* The posix server's COM1 driver and tty, in UART loopback. */
	ST_CHECK(run_with_hw("/bin/serial_test", true, &vector) == 0);
}

SELFTEST(ungranted_io_port_faults)
{
	int vector;

	/* Even with the hardware right: ports need an enabled grant. */
	ST_CHECK(run_with_hw("/bin/io_denied", true, &vector) ==
		 PROCESS_EXIT_FAULT);
	ST_CHECK(vector == 13);
}

SELFTEST(driver_gets_dma_and_device_memory)
{
	int vector;

	ST_CHECK(run_with_hw("/bin/hw_mem_test", true, &vector) == 0);
}

SELFTEST(driver_gets_msi)
{
	int vector;

	/* Needs QEMU's edu device (tools/qemu.sh adds it to test boots). */
	ST_CHECK(run_with_hw("/bin/msi_test", true, &vector) == 0);
}
