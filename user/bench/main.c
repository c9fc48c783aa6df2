/*
 * /bin/bench: micro-benchmarks of the native API, run by `make bench`
 * (bench/run.py boots a bench image with init=/bin/bench). Each figure
 * is a loop of a fixed number of operations between two readings of
 * SYS_CLOCK_GET, so the clock's own cost is spread over the whole loop;
 * a shorter warm-up run comes first (QEMU translates the code, the
 * kernel allocates what it keeps). One kernel-log line per figure:
 *
 *	BENCH name=<name> iters=<n> ns_per_op=<x.y>
 *
 * and "BENCH_ERROR name=<name> why=<text>" when a call does not answer
 * as expected (the figure is then not printed). The program does not
 * know whether QEMU runs it in plain TCG or with -icount; the runner
 * adds that. docs/benchmarks.md says what each figure measures.
 *
 * Built with -mgeneral-regs-only: no floating point, ns_per_op is
 * computed in integer tenths. The iteration counts are fixed, not
 * calibrated at run time, so icount runs execute the same instructions.
 */
#include <fiber/fiber.h>
#include <fiber/loop.h>
#include <keel/handle.h>
#include <keel/stream.h>
#include <keel/supervise.h>
#include <registry/registry.h>
#include <rt/malloc.h>
#include <rt/queue.h>
#include <rt/rt.h>

#define PAGE 4096ul
#define BATCH 32
#define FAULT_ROUND_PAGES 1024ul
#define WARMUP_DIVISOR 16

int main(uint64_t registry);

/* A benchmark: runs @iters operations, stores the nanoseconds they took
 * in @ns; returns NULL, or what went wrong. */
typedef const char *(*bench_fn)(uint64_t iters, uint64_t *ns);

struct bench {
	const char *name;
	uint64_t iters;
	bench_fn run;
};

/* The queue shared by the queue benchmarks; its rings hold one batch. */
static struct rt_queue bench_queue;

static const char *bench_native_null(uint64_t iters, uint64_t *ns)
{
	int64_t r = rt_syscall6(SYS_HANDLE_INFO, 0, 0, 0, 0, 0, 0);
	uint64_t t0, t1;

	if (r != -(int64_t)ERR_BAD_HANDLE) {
		return "SYS_HANDLE_INFO(0) did not fail with ERR_BAD_HANDLE";
	}
	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters; i++) {
		rt_syscall6(SYS_HANDLE_INFO, 0, 0, 0, 0, 0, 0);
	}
	t1 = rt_clock_ns();
	*ns = t1 - t0;
	return NULL;
}

static const char *bench_clock_get(uint64_t iters, uint64_t *ns)
{
	uint64_t t0, t1;

	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters; i++) {
		rt_clock_get();
	}
	t1 = rt_clock_ns();
	if (t1 <= t0) {
		return "SYS_CLOCK_GET did not advance";
	}
	*ns = t1 - t0;
	return NULL;
}

/* clock_page: rt_clock_ns(), the clock read from the shared page. */
static const char *bench_clock_page(uint64_t iters, uint64_t *ns)
{
	uint64_t t0, t1, last = 0;

	if (rt_syscall2(SYS_CLOCK_PAGE, 0, 0) <= 0) {
		return "no clock page";
	}
	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters; i++) {
		uint64_t now = rt_clock_ns();

		if (now < last) {
			return "the clock went backwards";
		}
		last = now;
	}
	t1 = rt_clock_ns();
	*ns = t1 - t0;
	return NULL;
}

/* Submits @n NOPs with one SYS_QUEUE_ENTER that waits for all of them,
 * then reaps them. */
static const char *queue_nops(uint32_t n)
{
	struct queue_cqe cqe;

	for (uint32_t i = 0; i < n; i++) {
		struct queue_sqe *sqe = rt_queue_sqe(&bench_queue);

		if (!sqe) {
			return "submission ring full";
		}
		sqe->op = QUEUE_OP_NOP;
		sqe->context = i;
		sqe->arg[0] = i;
	}
	rt_queue_commit(&bench_queue);
	if (rt_queue_enter(&bench_queue, n, n, ~0ul) != n) {
		return "SYS_QUEUE_ENTER did not consume the batch";
	}
	for (uint32_t i = 0; i < n; i++) {
		if (!rt_queue_reap(&bench_queue, &cqe) || cqe.result != i) {
			return "missing or wrong NOP completion";
		}
	}
	return NULL;
}

/* @iters operations in batches of @batch (@iters a multiple of it). */
static const char *queue_bench(uint64_t iters, uint32_t batch, uint64_t *ns)
{
	const char *why = NULL;
	uint64_t t0, t1;

	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters / batch && !why; i++) {
		why = queue_nops(batch);
	}
	t1 = rt_clock_ns();
	*ns = t1 - t0;
	return why;
}

static const char *bench_queue_nop(uint64_t iters, uint64_t *ns)
{
	return queue_bench(iters, 1, ns);
}

static const char *bench_queue_nop_batch32(uint64_t iters, uint64_t *ns)
{
	return queue_bench(iters, BATCH, ns);
}

/* One round of the fault benchmark: a fresh object of @pages pages,
 * mapped, each page written once (timed), unmapped and closed, so that
 * every write meets a page the object has never had. */
static const char *fault_round(uint64_t pages, uint64_t *ns)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, pages * PAGE, 0);
	int64_t addr;
	volatile uint8_t *p;
	uint64_t t0, t1;
	const char *why = NULL;

	if (mem < 0) {
		return "SYS_MEMORY_CREATE failed";
	}
	addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, pages * PAGE, 0,
			   VM_READ | VM_WRITE);
	if (addr < 0) {
		why = "SYS_VM_MAP failed";
		goto out_close;
	}
	p = (volatile uint8_t *)addr;
	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < pages; i++) {
		p[i * PAGE] = 1;
	}
	t1 = rt_clock_ns();
	*ns += t1 - t0;
	if (rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)addr, pages * PAGE, 0, 0,
			0) != 0) {
		why = "SYS_VM_UNMAP failed";
	}
out_close:
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)mem, 0);
	return why;
}

static const char *bench_page_fault(uint64_t iters, uint64_t *ns)
{
	const char *why = NULL;

	*ns = 0;
	for (uint64_t done = 0; done < iters && !why;) {
		uint64_t n = iters - done < FAULT_ROUND_PAGES
				     ? iters - done
				     : FAULT_ROUND_PAGES;

		why = fault_round(n, ns);
		done += n;
	}
	return why;
}

static const char *bench_yield(uint64_t iters, uint64_t *ns)
{
	uint64_t t0, t1;

	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters; i++) {
		rt_yield();
	}
	t1 = rt_clock_ns();
	*ns = t1 - t0;
	return NULL;
}

/* supervised_syscall: a copy of this program (SYS_PROCESS_FORK, with us
 * as supervisor) runs a thread that makes Linux getppid calls; each stops
 * it, we take the event from our queue and resume it with the answer. */
#define SUP_STACK (16 * 4096ul)

void supervised_loop(uint64_t n);
void supervised_loop(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		int64_t r;

		__asm__ volatile("syscall"
				 : "=a"(r)
				 : "a"(110ul)
				 : "rcx", "r11", "memory");
	}
	__asm__ volatile("syscall" : : "a"(231ul), "D"(0ul) : "rcx", "r11");
	for (;;) {
	}
}

__asm__(".text\n"
	"supervised_entry:\n"
	"	call supervised_loop\n"
	"	ud2\n");
void supervised_entry(void);

static const char *bench_supervised_syscall(uint64_t iters, uint64_t *ns)
{
	static struct supervise_event ev;
	struct rt_queue q;
	struct queue_cqe cqe;
	int64_t mem, stack, copy, tid;
	uint64_t t0, t1, answered = 0;
	const char *why = NULL;

	if (rt_queue_create(&q, 2, 2) != ERR_OK) {
		return "queue";
	}
	mem = rt_syscall2(SYS_MEMORY_CREATE, SUP_STACK, 0);
	stack = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, SUP_STACK, 0,
			    VM_READ | VM_WRITE);
	copy = rt_syscall2(SYS_PROCESS_FORK, 0, PROCESS_SUPERVISED);
	if (stack < 0 || copy < 0) {
		return "fork";
	}
	tid = rt_syscall6(SYS_THREAD_CREATE, (uint64_t)copy,
			  (uint64_t)supervised_entry,
			  (uint64_t)stack + SUP_STACK - 8, iters, 0, 0);
	if (tid < 0) {
		return "thread";
	}
	t0 = rt_clock_ns();
	for (;;) {
		struct queue_sqe *sqe = rt_queue_sqe(&q);

		sqe->op = QUEUE_OP_SUPERVISE;
		sqe->handle = (uint32_t)copy;
		sqe->arg[0] = (uint64_t)&ev;
		rt_queue_commit(&q);
		if (rt_queue_enter(&q, 1, 1, ~0ul) < 0 ||
		    !rt_queue_reap(&q, &cqe) || cqe.result < 0) {
			why = "event";
			break;
		}
		if (ev.kind != SUPERVISE_EVENT_SYSCALL) {
			why = "unexpected event";
			break;
		}
		if (ev.nr == 231) {
			rt_syscall2(SYS_PROCESS_KILL, (uint64_t)copy, 0);
			break;
		}
		answered++;
		rt_syscall6(SYS_THREAD_RESUME, (uint64_t)copy, ev.thread,
			    THREAD_RESUME_RESULT, 1, 0, 0);
	}
	t1 = rt_clock_ns();
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0);
	rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)stack, SUP_STACK, 0, 0, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)mem, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, q.handle, 0);
	if (!why && answered != iters) {
		why = "lost calls";
	}
	*ns = t1 - t0;
	return why;
}

/* ipc_roundtrip: request and reply over one stream between two threads
 * of this process (each with its own queue), on one conversation. */
static struct rt_queue ipc_server_queue;
static volatile uint32_t ipc_endpoint;

void ipc_server(uint64_t n);
void ipc_server(uint64_t n)
{
	struct queue_cqe cqe;
	char buf[16];
	uint64_t conv = 0;

	for (uint64_t i = 0; i < n; i++) {
		if (rt_stream_recv(&ipc_server_queue, ipc_endpoint, conv, buf,
				   sizeof(buf), 0, &cqe) < 0) {
			break;
		}
		conv = cqe.value;
		rt_stream_send(&ipc_server_queue, ipc_endpoint, conv, buf, 8, 0,
			       &cqe);
	}
	rt_thread_exit(0);
}

__asm__(".text\n"
	"ipc_server_entry:\n"
	"	call ipc_server\n"
	"	ud2\n");
void ipc_server_entry(void);

static const char *bench_ipc_roundtrip(uint64_t iters, uint64_t *ns)
{
	uint32_t ep[2];
	struct queue_cqe cqe;
	char msg[8] = "request", reply[16];
	int64_t mem, stack;
	uint64_t t0, t1, conv = 0;
	const char *why = NULL;

	if (rt_syscall2(SYS_STREAM_CREATE, (uint64_t)ep, 0) != 0 ||
	    rt_queue_create(&ipc_server_queue, 4, 4) != ERR_OK) {
		return "setup";
	}
	ipc_endpoint = ep[1];
	mem = rt_syscall2(SYS_MEMORY_CREATE, SUP_STACK, 0);
	stack = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, SUP_STACK, 0,
			    VM_READ | VM_WRITE);
	if (rt_syscall6(SYS_THREAD_CREATE, 0, (uint64_t)ipc_server_entry,
			(uint64_t)stack + SUP_STACK - 8, iters, 0, 0) < 0) {
		return "thread";
	}
	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters; i++) {
		if (rt_stream_send(&bench_queue, ep[0], conv, msg, 8, 0,
				   &cqe) != 8) {
			why = "send";
			break;
		}
		conv = cqe.value;
		if (rt_stream_recv(&bench_queue, ep[0], conv, reply,
				   sizeof(reply), 0, &cqe) != 8) {
			why = "recv";
			break;
		}
	}
	t1 = rt_clock_ns();
	rt_syscall2(SYS_HANDLE_CLOSE, ep[0], 0); /* the server sees it */
	rt_syscall2(SYS_HANDLE_CLOSE, ep[1], 0);
	rt_syscall2(SYS_HANDLE_CLOSE, ipc_server_queue.handle, 0);
	*ns = t1 - t0;
	return why;
}

/* The CPUs online, as a mask (the first refused pin ends them). */
static uint64_t online_cpus(void)
{
	unsigned n = 0;

	while (n < 64 && rt_thread_affinity(0, 0, 1ul << n) == 0) {
		n++;
	}
	return n >= 64 ? ~0ul : (1ul << n) - 1;
}

/* ipc_roundtrip_xcpu: as ipc_roundtrip, with the client (this thread)
 * pinned to CPU 0 and the server thread to CPU 1, so every message
 * crosses CPUs: each side wakes the other with an IPI. */
static struct rt_queue xcpu_server_queue;
static volatile uint32_t xcpu_endpoint;
static volatile int64_t xcpu_server_cpu;

void xcpu_server(uint64_t n);
void xcpu_server(uint64_t n)
{
	struct queue_cqe cqe;
	char buf[16];
	uint64_t conv = 0;

	rt_thread_affinity(0, 0, 2);
	xcpu_server_cpu = rt_cpu_current();
	for (uint64_t i = 0; i < n; i++) {
		if (rt_stream_recv(&xcpu_server_queue, xcpu_endpoint, conv, buf,
				   sizeof(buf), 0, &cqe) < 0) {
			break;
		}
		conv = cqe.value;
		rt_stream_send(&xcpu_server_queue, xcpu_endpoint, conv, buf, 8,
			       0, &cqe);
	}
	rt_thread_exit(0);
}

__asm__(".text\n"
	"xcpu_server_entry:\n"
	"	call xcpu_server\n"
	"	ud2\n");
void xcpu_server_entry(void);

static const char *bench_ipc_roundtrip_xcpu(uint64_t iters, uint64_t *ns)
{
	uint64_t all = online_cpus();
	uint32_t ep[2];
	struct queue_cqe cqe;
	char msg[8] = "request", reply[16];
	int64_t mem, stack;
	uint64_t t0, t1, conv = 0;
	const char *why = NULL;

	if (!(all & 2)) {
		return "needs two CPUs (make bench runs -smp 2)";
	}
	if (rt_syscall2(SYS_STREAM_CREATE, (uint64_t)ep, 0) != 0 ||
	    rt_queue_create(&xcpu_server_queue, 4, 4) != ERR_OK ||
	    rt_thread_affinity(0, 0, 1) != 0) {
		return "setup";
	}
	xcpu_endpoint = ep[1];
	xcpu_server_cpu = -1;
	mem = rt_syscall2(SYS_MEMORY_CREATE, SUP_STACK, 0);
	stack = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, SUP_STACK, 0,
			    VM_READ | VM_WRITE);
	if (rt_syscall6(SYS_THREAD_CREATE, 0, (uint64_t)xcpu_server_entry,
			(uint64_t)stack + SUP_STACK - 8, iters, 0, 0) < 0) {
		rt_thread_affinity(0, 0, all);
		return "thread";
	}
	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters; i++) {
		if (rt_stream_send(&bench_queue, ep[0], conv, msg, 8, 0,
				   &cqe) != 8) {
			why = "send";
			break;
		}
		conv = cqe.value;
		if (rt_stream_recv(&bench_queue, ep[0], conv, reply,
				   sizeof(reply), 0, &cqe) != 8) {
			why = "recv";
			break;
		}
	}
	t1 = rt_clock_ns();
	if (!why && (rt_cpu_current() != 0 || xcpu_server_cpu != 1)) {
		why = "not on two CPUs";
	}
	rt_syscall2(SYS_HANDLE_CLOSE, ep[0], 0);
	rt_syscall2(SYS_HANDLE_CLOSE, ep[1], 0);
	rt_syscall2(SYS_HANDLE_CLOSE, xcpu_server_queue.handle, 0);
	rt_thread_affinity(0, 0, all);
	*ns = t1 - t0;
	return why;
}

/* One message from @ep_tx to @ep_rx on conversation *@conv (0: open
 * one), received by this thread: the receive is submitted first, so it
 * waits when the send arrives, and both go in one SYS_QUEUE_ENTER.
 * @handle travels with the message; *@got is the handle received. */
static const char *stream_pass(uint32_t ep_tx, uint32_t ep_rx,
			       uint64_t *conv, const void *buf, void *rbuf,
			       uint64_t len, uint32_t handle, uint32_t *got)
{
	static struct stream_recv_info info;
	struct queue_sqe *sqe;
	struct queue_cqe cqe[2];

	sqe = rt_queue_sqe(&bench_queue);
	sqe->op = QUEUE_OP_STREAM_RECV;
	sqe->handle = ep_rx;
	sqe->context = 1;
	sqe->arg[0] = *conv;
	sqe->arg[1] = (uint64_t)rbuf;
	sqe->arg[2] = len;
	sqe->arg[3] = (uint64_t)&info;
	sqe = rt_queue_sqe(&bench_queue);
	sqe->op = QUEUE_OP_STREAM_SEND;
	sqe->handle = ep_tx;
	sqe->context = 2;
	sqe->arg[0] = *conv;
	sqe->arg[1] = (uint64_t)buf;
	sqe->arg[2] = len;
	sqe->arg[3] = handle;
	rt_queue_commit(&bench_queue);
	if (rt_queue_enter(&bench_queue, 2, 2, ~0ul) != 2 ||
	    !rt_queue_reap(&bench_queue, &cqe[0]) ||
	    !rt_queue_reap(&bench_queue, &cqe[1])) {
		return "SYS_QUEUE_ENTER";
	}
	for (int i = 0; i < 2; i++) {
		if (cqe[i].result != (int64_t)len) {
			return cqe[i].context == 1 ? "recv" : "send";
		}
		*conv = cqe[i].value;
	}
	if (info.length != len) {
		return "length";
	}
	*got = info.handle;
	return NULL;
}

static uint8_t copy_tx[STREAM_MSG_MAX], copy_rx[STREAM_MSG_MAX];

/* stream_copy_4k, stream_copy_64k: one message of @len bytes sent and
 * received (see stream_pass), per message. */
static const char *stream_copy(uint64_t iters, uint64_t len, uint64_t *ns)
{
	uint32_t ep[2], got;
	uint64_t t0, t1, conv = 0;
	const char *why = NULL;

	if (rt_syscall2(SYS_STREAM_CREATE, (uint64_t)ep, 0) != 0) {
		return "setup";
	}
	for (uint64_t i = 0; i < len; i++) {
		copy_tx[i] = (uint8_t)i;
	}
	copy_rx[0] = 0xff; /* faulted in too */
	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters && !why; i++) {
		why = stream_pass(ep[0], ep[1], &conv, copy_tx, copy_rx, len, 0,
				  &got);
	}
	t1 = rt_clock_ns();
	if (!why && (copy_rx[len - 1] != (uint8_t)(len - 1) || got != 0)) {
		why = "wrong data";
	}
	rt_syscall2(SYS_HANDLE_CLOSE, ep[0], 0);
	rt_syscall2(SYS_HANDLE_CLOSE, ep[1], 0);
	*ns = t1 - t0;
	return why;
}

static const char *bench_stream_copy_4k(uint64_t iters, uint64_t *ns)
{
	return stream_copy(iters, 4096, ns);
}

static const char *bench_stream_copy_64k(uint64_t iters, uint64_t *ns)
{
	return stream_copy(iters, STREAM_MSG_MAX, ns);
}

/* handle_transfer: an 8-byte message carrying a memory object's handle
 * sent and received (see stream_pass); the handle that arrives is the
 * one sent next, so it goes round. */
static const char *bench_handle_transfer(uint64_t iters, uint64_t *ns)
{
	uint32_t ep[2], h;
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, PAGE, 0);
	char msg[8] = "handle", reply[8];
	uint64_t t0, t1, conv = 0;
	const char *why = NULL;

	if (mem < 0 || rt_syscall2(SYS_STREAM_CREATE, (uint64_t)ep, 0) != 0) {
		return "setup";
	}
	h = (uint32_t)mem;
	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters && !why; i++) {
		why = stream_pass(ep[0], ep[1], &conv, msg, reply, 8, h, &h);
		if (!why && h == 0) {
			why = "no handle received";
		}
	}
	t1 = rt_clock_ns();
	if (!why && (rt_syscall2(SYS_HANDLE_INFO, h, 0) & 0xffffffff) !=
			    OBJECT_MEMORY) {
		why = "the received handle is not the memory object";
	}
	rt_syscall2(SYS_HANDLE_CLOSE, h, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, ep[0], 0);
	rt_syscall2(SYS_HANDLE_CLOSE, ep[1], 0);
	*ns = t1 - t0;
	return why;
}

/* malloc(64) and its free: lib/rt's heap behind its mutex, uncontended;
 * the same slab object comes back each time. */
static const char *bench_malloc_small(uint64_t iters, uint64_t *ns)
{
	uint64_t t0, t1;

	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters; i++) {
		void *volatile p = malloc(64);

		if (!p) {
			return "malloc(64) failed";
		}
		free(p);
	}
	t1 = rt_clock_ns();
	*ns = t1 - t0;
	return NULL;
}

/* malloc(64 KiB) and its free: a large block, so a memory object
 * created, mapped and its handle closed, then unmapped; its pages are
 * never touched. */
static const char *bench_malloc_large(uint64_t iters, uint64_t *ns)
{
	uint64_t t0, t1;

	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters; i++) {
		void *volatile p = malloc(64 * 1024);

		if (!p) {
			return "malloc(64 KiB) failed";
		}
		free(p);
	}
	t1 = rt_clock_ns();
	*ns = t1 - t0;
	return NULL;
}

/* --- registry_lookup: the protocol helper and fibers, both sides --- */

static handle_t bench_registry;	/* main's argument */
static struct loop bench_loop;

struct lookup_run {
	uint64_t iters;
	const char *why;
};

static void lookup_fiber(void *arg)
{
	static const char *const none[] = { "name=no-such-endpoint", NULL };
	struct lookup_run *run = arg;
	handle_t h;

	for (uint64_t i = 0; i < run->iters; i++) {
		if (registry_lookup(&bench_loop, bench_registry, none, 0, &h,
				    NULL) != -(int64_t)ERR_NOT_FOUND) {
			run->why = "lookup did not answer ERR_NOT_FOUND";
			break;
		}
	}
}

static const char *bench_registry_lookup(uint64_t iters, uint64_t *ns)
{
	struct lookup_run run = { iters, NULL };
	uint64_t t0, t1;

	if (!bench_registry) {
		return "no registry stream";
	}
	if (!bench_loop.q.header && loop_init(&bench_loop, 16) != ERR_OK) {
		return "loop_init";
	}
	if (fiber_create(NULL, lookup_fiber, &run, 0) != ERR_OK) {
		return "fiber_create";
	}
	t0 = rt_clock_ns();
	if (loop_run(&bench_loop) != ERR_OK) {
		return "loop_run";
	}
	t1 = rt_clock_ns();
	*ns = t1 - t0;
	return run.why;
}

/* Counts chosen for roughly 0.2-1 s each under plain TCG (see
 * docs/benchmarks.md); multiples of BATCH and of WARMUP_DIVISOR. */
static const struct bench benches[] = {
	{ "native_null", 1u << 20, bench_native_null },
	{ "clock_get", 1u << 20, bench_clock_get },
	{ "clock_page", 1u << 20, bench_clock_page },
	{ "queue_nop", 1u << 18, bench_queue_nop },
	{ "queue_nop_batch32", 1u << 21, bench_queue_nop_batch32 },
	{ "page_fault", 1u << 17, bench_page_fault },
	{ "yield", 1u << 19, bench_yield },
	{ "ipc_roundtrip", 1u << 14, bench_ipc_roundtrip },
	{ "supervised_syscall", 1u << 15, bench_supervised_syscall },
	{ "ipc_roundtrip_xcpu", 1u << 10, bench_ipc_roundtrip_xcpu },
	{ "handle_transfer", 1u << 15, bench_handle_transfer },
	{ "stream_copy_4k", 1u << 15, bench_stream_copy_4k },
	{ "stream_copy_64k", 1u << 11, bench_stream_copy_64k },
	{ "malloc_small", 1u << 20, bench_malloc_small },
	{ "malloc_large", 1u << 14, bench_malloc_large },
	{ "registry_lookup", 1u << 12, bench_registry_lookup },
};

int main(uint64_t registry)
{
	unsigned failed = 0;
	err_t err = rt_queue_create(&bench_queue, BATCH, BATCH);

	bench_registry = (handle_t)registry;

	if (err) {
		rt_printf("BENCH_ERROR name=queue_create why=%s",
			  error_str(err));
		return 1;
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		const struct bench *b = &benches[i];
		uint64_t ns = 0, tenths;
		const char *why = b->run(b->iters / WARMUP_DIVISOR, &ns);

		if (!why) {
			why = b->run(b->iters, &ns);
		}
		if (why) {
			rt_printf("BENCH_ERROR name=%s why=%s", b->name, why);
			failed++;
			continue;
		}
		tenths = (ns * 10 + b->iters / 2) / b->iters;
		rt_printf("BENCH name=%s iters=%lu ns_per_op=%lu.%lu", b->name,
			  b->iters, tenths / 10, tenths % 10);
	}
	rt_syscall2(SYS_HANDLE_CLOSE, bench_queue.handle, 0);
	return (int)failed;
}
