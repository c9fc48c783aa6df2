/*
 * Stream echo server for the cross-process stream self-test: receives
 * the opening message of each new conversation on the endpoint it was
 * started with, answers on that conversation with the bytes reversed, and
 * serves a memory object sent along ("map" requests: it maps the object
 * and writes a pattern the client checks). Messages up to 32 KiB: large
 * ones travel straight between the two address spaces when the other
 * side already waits. Ends with 0 when the client closes its end,
 * non-zero on any unexpected error.
 */
#include <keel/stream.h>
#include <rt/queue.h>
#include <rt/rt.h>

int main(uint64_t endpoint);

int main(uint64_t endpoint)
{
	struct rt_queue q;
	struct queue_cqe cqe;
	struct stream_recv_info info;
	static char buf[32768], out[32768];
	int served = 0;

	if (rt_queue_create(&q, 8, 8) != ERR_OK) {
		return 10;
	}
	for (;;) {
		int64_t n = rt_stream_recv(&q, (uint32_t)endpoint, 0, buf,
					   sizeof(buf), &info, &cqe);

		if (n == -(int64_t)ERR_PEER_CLOSED) {
			rt_printf("echo: client gone after %d requests", served);
			return 0;
		}
		if (n < 0) {
			rt_printf("echo: recv failed %ld", n);
			return 11;
		}
		if (info.handle) {
			/* Map what we were sent and write into it. */
			int64_t addr = rt_syscall6(SYS_VM_MAP, 0, info.handle, 0,
						   4096, 0, VM_READ | VM_WRITE);

			if (addr < 0) {
				return 12;
			}
			*(volatile uint64_t *)addr = 0x5ee5ee5ee5ull;
			rt_syscall2(SYS_HANDLE_CLOSE, info.handle, 0);
		}
		for (int64_t i = 0; i < n; i++) {
			out[i] = buf[n - 1 - i];
		}
		if (rt_stream_send(&q, (uint32_t)endpoint, cqe.value, out,
				   (size_t)n, 0, &cqe) != n) {
			rt_printf("echo: reply failed");
			return 13;
		}
		served++;
	}
}
