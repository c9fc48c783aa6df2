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
#include <base/string.h>
#include <keel/handle.h>
#include <keel/stream.h>
#include <keel/supervise.h>
#include <rt/queue.h>
#include <rt/rt.h>

#define PAGE 4096ul
#define BATCH 32
#define FAULT_ROUND_PAGES 1024ul
#define WARMUP_DIVISOR 16

/* bench/profile.py builds this program with -DBENCH_ONLY='"name"'
 * -DBENCH_ITERS=n: only that figure, n operations, so that a QEMU trace
 * of the run stays small. */
#ifndef BENCH_ONLY
#define BENCH_ONLY NULL
#endif
#ifndef BENCH_ITERS
#define BENCH_ITERS 0
#endif

int main(void);

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
		rt_clock_ns();
	}
	t1 = rt_clock_ns();
	if (t1 <= t0) {
		return "SYS_CLOCK_GET did not advance";
	}
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

/* supervised_syscall_simple: a copy of this program (SYS_PROCESS_FORK,
 * with us as supervisor) runs a thread that makes Linux getppid calls;
 * each stops it, we take the event from our queue (a narrow one: the
 * event is written to a buffer) and resume it with the answer
 * (SYS_THREAD_RESUME). supervised_syscall below is the fast way. */
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

static const char *bench_supervised_syscall_simple(uint64_t iters,
						   uint64_t *ns)
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

/* ipc_roundtrip_simple: request and reply over one stream between two
 * threads of this process (each with its own narrow queue), on one
 * conversation, with the blocking helpers (one op per SYS_QUEUE_ENTER).
 * ipc_roundtrip below is the fast way. */
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

static const char *bench_ipc_roundtrip_simple(uint64_t iters, uint64_t *ns)
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

/* Sets up the next entry of @q. */
static struct queue_sqe *sqe_of(struct rt_queue *q, uint32_t op,
				uint32_t flags, uint32_t handle)
{
	struct queue_sqe *sqe = rt_queue_sqe(q);

	sqe->op = op;
	sqe->flags = flags;
	sqe->handle = handle;
	return sqe;
}

/* ipc_roundtrip: as ipc_roundtrip_simple, the way a client and a server
 * are meant to use the API: wide queues, so that small messages come
 * inline in the completion; on each side one multishot receive on the
 * conversation, armed once, which completes for every message; each
 * message a send with QUEUE_SQE_SKIP_SUCCESS (no completion) submitted
 * with the wait for the answer in one SYS_QUEUE_ENTER, which hands the
 * CPU to the other side. */
static struct rt_queue ipc_fast_queue;

/* Arms a multishot receive of conversation @conv on @ep. */
static void arm_recv(struct rt_queue *q, uint32_t ep, uint64_t conv)
{
	struct queue_sqe *sqe =
		sqe_of(q, QUEUE_OP_STREAM_RECV, QUEUE_SQE_MULTISHOT, ep);

	sqe->arg[0] = conv;
	sqe->arg[2] = 8;
}

void ipc_fast_server(uint64_t n);
void ipc_fast_server(uint64_t n)
{
	struct rt_queue *q = &ipc_fast_queue;
	struct queue_sqe *sqe;
	struct queue_cqe cqe;
	uint64_t conv, buf;

	/* The conversation's opening message, then the rest multishot. */
	if (rt_stream_recv(q, ipc_endpoint, 0, &buf, 8, 0, &cqe) != 8) {
		rt_thread_exit(1);
	}
	conv = cqe.value;
	arm_recv(q, ipc_endpoint, conv);
	for (uint64_t i = 0; i < n; i++) {
		const struct queue_cqe *c;

		sqe = sqe_of(q, QUEUE_OP_STREAM_SEND, QUEUE_SQE_SKIP_SUCCESS,
			     ipc_endpoint);
		sqe->arg[0] = conv;
		sqe->arg[1] = (uint64_t)&buf;
		sqe->arg[2] = 8;
		rt_queue_commit(q);
		rt_queue_enter(q, rt_queue_commit(q), i + 1 < n ? 1 : 0, ~0ul);
		if (i + 1 == n) {
			break;
		}
		c = rt_queue_peek(q);
		if (!c || c->result != 8 || !(c->flags & QUEUE_CQE_INLINE)) {
			break;
		}
		__builtin_memcpy(&buf, ((const struct queue_cqe_wide *)c)->data,
				 8);
		if (!(c->flags & QUEUE_CQE_MORE)) {
			arm_recv(q, ipc_endpoint, conv); /* it ended */
		}
		rt_queue_advance(q);
	}
	rt_thread_exit(0);
}

__asm__(".text\n"
	"ipc_fast_server_entry:\n"
	"	call ipc_fast_server\n"
	"	ud2\n");
void ipc_fast_server_entry(void);

static const char *bench_ipc_roundtrip(uint64_t iters, uint64_t *ns)
{
	struct rt_queue q;
	uint32_t ep[2];
	struct queue_cqe cqe;
	struct queue_sqe *sqe;
	uint64_t msg = 1, reply;
	int64_t mem, stack;
	uint64_t t0, t1, conv = 0;
	const char *why = NULL;

	if (rt_syscall2(SYS_STREAM_CREATE, (uint64_t)ep, 0) != 0 ||
	    rt_queue_create_flags(&q, 4, 4, QUEUE_CREATE_WIDE) != ERR_OK ||
	    rt_queue_create_flags(&ipc_fast_queue, 4, 4, QUEUE_CREATE_WIDE) !=
		    ERR_OK) {
		return "setup";
	}
	ipc_endpoint = ep[1];
	mem = rt_syscall2(SYS_MEMORY_CREATE, SUP_STACK, 0);
	stack = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, SUP_STACK, 0,
			    VM_READ | VM_WRITE);
	if (rt_syscall6(SYS_THREAD_CREATE, 0, (uint64_t)ipc_fast_server_entry,
			(uint64_t)stack + SUP_STACK - 8, iters + 1, 0, 0) < 0) {
		return "thread";
	}
	/* The first exchange opens the conversation. */
	if (rt_stream_send(&q, ep[0], 0, &msg, 8, 0, &cqe) != 8) {
		return "open";
	}
	conv = cqe.value;
	if (rt_stream_recv(&q, ep[0], conv, &reply, 8, 0, &cqe) != 8) {
		return "first reply";
	}
	arm_recv(&q, ep[0], conv);
	t0 = rt_clock_ns();
	for (uint64_t i = 0; i < iters; i++) {
		const struct queue_cqe *c;

		sqe = sqe_of(&q, QUEUE_OP_STREAM_SEND, QUEUE_SQE_SKIP_SUCCESS,
			     ep[0]);
		sqe->arg[0] = conv;
		sqe->arg[1] = (uint64_t)&msg;
		sqe->arg[2] = 8;
		if (rt_queue_enter(&q, rt_queue_commit(&q), 1, ~0ul) < 1 ||
		    !(c = rt_queue_peek(&q))) {
			why = "enter";
			break;
		}
		if (c->result != 8 || !(c->flags & QUEUE_CQE_INLINE)) {
			why = "reply";
			break;
		}
		if (!(c->flags & QUEUE_CQE_MORE)) {
			arm_recv(&q, ep[0], conv); /* it ended */
		}
		rt_queue_advance(&q);
	}
	t1 = rt_clock_ns();
	rt_syscall2(SYS_HANDLE_CLOSE, ep[0], 0); /* the server sees it */
	rt_syscall2(SYS_HANDLE_CLOSE, ep[1], 0);
	rt_syscall2(SYS_HANDLE_CLOSE, ipc_fast_queue.handle, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, q.handle, 0);
	*ns = t1 - t0;
	return why;
}

/* supervised_syscall: as supervised_syscall_simple, the fast way: a wide
 * queue, one multishot QUEUE_OP_SUPERVISE armed once (each event comes
 * inline in a completion), and each answer a QUEUE_OP_THREAD_RESUME with
 * no completion submitted with the wait for the next event in one
 * SYS_QUEUE_ENTER, which hands the CPU to the resumed thread. */
static const char *bench_supervised_syscall(uint64_t iters, uint64_t *ns)
{
	struct rt_queue q;
	struct queue_sqe *sqe;
	int64_t mem, stack, copy, tid;
	uint64_t t0, t1, answered = 0;
	const char *why = NULL;

	if (rt_queue_create_flags(&q, 4, 4, QUEUE_CREATE_WIDE) != ERR_OK) {
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
	sqe_of(&q, QUEUE_OP_SUPERVISE, QUEUE_SQE_MULTISHOT, (uint32_t)copy);
	for (;;) {
		const struct queue_cqe *c;
		const struct supervise_event *ev;

		if (rt_queue_enter(&q, rt_queue_commit(&q), 1, ~0ul) < 0 ||
		    !(c = rt_queue_peek(&q)) || c->result < 0 ||
		    !(c->flags & QUEUE_CQE_INLINE)) {
			why = "event";
			break;
		}
		ev = (const struct supervise_event *)
			     ((const struct queue_cqe_wide *)c)->data;
		if (ev->kind != SUPERVISE_EVENT_SYSCALL) {
			why = "unexpected event";
			break;
		}
		if (ev->nr == 231) {
			rt_syscall2(SYS_PROCESS_KILL, (uint64_t)copy, 0);
			break;
		}
		answered++;
		sqe = sqe_of(&q, QUEUE_OP_THREAD_RESUME, QUEUE_SQE_SKIP_SUCCESS,
			     (uint32_t)copy);
		sqe->arg[0] = ev->thread;
		sqe->arg[1] = THREAD_RESUME_RESULT;
		sqe->arg[2] = 1;
		if (!(c->flags & QUEUE_CQE_MORE)) { /* it ended: again */
			sqe_of(&q, QUEUE_OP_SUPERVISE, QUEUE_SQE_MULTISHOT,
			       (uint32_t)copy);
		}
		rt_queue_advance(&q);
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

/* Counts chosen for roughly 0.2-1 s each under plain TCG (see
 * docs/benchmarks.md); multiples of BATCH and of WARMUP_DIVISOR. */
static const struct bench benches[] = {
	{ "native_null", 1u << 20, bench_native_null },
	{ "clock_get", 1u << 20, bench_clock_get },
	{ "queue_nop", 1u << 18, bench_queue_nop },
	{ "queue_nop_batch32", 1u << 21, bench_queue_nop_batch32 },
	{ "page_fault", 1u << 17, bench_page_fault },
	{ "yield", 1u << 19, bench_yield },
	{ "ipc_roundtrip", 1u << 15, bench_ipc_roundtrip },
	{ "ipc_roundtrip_simple", 1u << 14, bench_ipc_roundtrip_simple },
	{ "supervised_syscall", 1u << 15, bench_supervised_syscall },
	{ "supervised_syscall_simple", 1u << 15,
	  bench_supervised_syscall_simple },
};

int main(void)
{
	unsigned failed = 0;
	err_t err = rt_queue_create(&bench_queue, BATCH, BATCH);

	if (err) {
		rt_printf("BENCH_ERROR name=queue_create why=%s",
			  error_str(err));
		return 1;
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		struct bench b = benches[i];
		uint64_t ns = 0, tenths;
		const char *why;

		if (BENCH_ONLY && strcmp(b.name, BENCH_ONLY) != 0) {
			continue;
		}
		if (BENCH_ITERS) {
			b.iters = BENCH_ITERS;
		}
		why = b.run(b.iters / WARMUP_DIVISOR, &ns);

		if (!why) {
			why = b.run(b.iters, &ns);
		}
		if (why) {
			rt_printf("BENCH_ERROR name=%s why=%s", b.name, why);
			failed++;
			continue;
		}
		tenths = (ns * 10 + b.iters / 2) / b.iters;
		rt_printf("BENCH name=%s iters=%lu ns_per_op=%lu.%lu", b.name,
			  b.iters, tenths / 10, tenths % 10);
	}
	rt_syscall2(SYS_HANDLE_CLOSE, bench_queue.handle, 0);
	return (int)failed;
}
